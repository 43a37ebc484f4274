//! Text from IAM made safe to print: user names, tag values and messages
//! may hold control characters (a terminal escape) or bidi overrides (text
//! that reads other than it is). Every text format strips them; CSV also
//! neutralises cells a spreadsheet would run as a formula.

use std::borrow::Cow;

/// Unicode's bidirectional controls: embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The text without control characters or bidi controls.
#[must_use]
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        Cow::Owned(
            text.chars()
                .filter(|c| !c.is_control() && !is_bidi_control(*c))
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// A CSV cell: cleaned, and prefixed with `'` when a spreadsheet would read
/// it as a formula (it starts with `=`, `+`, `-` or `@`).
#[must_use]
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let cleaned = clean(text);
    if cleaned.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{cleaned}"))
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_stripped() {
        assert_eq!(clean("alice"), "alice");
        assert!(matches!(clean("alice"), Cow::Borrowed(_)));
        assert_eq!(clean("al\u{1b}[31mice\r\n"), "al[31mice");
        assert_eq!(clean("admin\u{202E}txt.exe"), "admintxt.exe");
        assert_eq!(clean("a\u{2066}b\u{2069}c\u{200F}"), "abc");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)"] {
            assert_eq!(csv_cell(cell), format!("'{cell}"));
        }
        assert_eq!(csv_cell("svc-two"), "svc-two");
        assert_eq!(csv_cell("\u{7}=1"), "'=1", "cleaned first");
    }
}
