//! Text from AWS made safe for every sink: user names, tag values, account
//! names, CloudTrail's user agents and messages may hold control characters
//! (a terminal escape, a forged line), bidi controls (text that reads other
//! than it is) or invisible characters (two values that look the same).
//! One decision, [`clean`], serves the UI (every cell drawn), stderr, the
//! log file, the table and CSV; JSON and OCSF escape the same characters as
//! `\uXXXX`. CSV also neutralises cells a spreadsheet would run as a formula.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Unicode's bidirectional controls: embeddings, overrides, isolates and marks.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters that show as nothing: zero-width spaces and joiners, line and
/// paragraph separators, word joiner and invisible operators, the BOM.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// Whether a character may not reach a sink as it is: a C0 or C1 control,
/// a bidi control, or an invisible character.
#[must_use]
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// The text as every sink shows it: control characters removed (an escape
/// sequence cannot act), bidi controls and invisible characters shown as
/// `�` (so a value that differs is seen to differ).
#[must_use]
pub fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(
            text.chars()
                .filter(|c| !c.is_control())
                .map(|c| if is_unsafe(c) { '\u{FFFD}' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// JSON text (already valid JSON) with the characters [`is_unsafe`] names
/// written as `\uXXXX` escapes: C0 controls are escaped by any JSON writer,
/// but C1, bidi and invisible characters pass raw otherwise. They can only
/// stand inside strings, so escaping them keeps the JSON's meaning.
#[must_use]
pub fn json_escaped(json: &str) -> Cow<'_, str> {
    if !json.chars().any(is_unsafe) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' {
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CSV cell: cleaned, and prefixed with `'` when a spreadsheet would read
/// it as a formula (it starts with `=`, `+`, `-` or `@`). A lone `-` (no
/// such control) is no formula and stays as it is.
#[must_use]
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let cleaned = clean(text);
    if cleaned != "-" && cleaned.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{cleaned}"))
    } else {
        cleaned
    }
}

/// `1 event`, `2 events`, `0 events`: a count with its noun agreeing.
#[must_use]
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Rows of cells as text columns, each as wide as its widest cell, two
/// spaces apart; the last column is not padded. One line a row.
#[must_use]
pub fn aligned(rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c].saturating_sub(cell.width()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_stripped() {
        assert_eq!(clean("alice"), "alice");
        assert!(matches!(clean("alice"), Cow::Borrowed(_)));
        assert_eq!(clean("al\u{1b}[31mice\r\n"), "al[31mice");
        assert_eq!(clean("admin\u{202E}txt.exe"), "admin\u{FFFD}txt.exe");
        assert_eq!(
            clean("a\u{2066}b\u{2069}c\u{200F}"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}"
        );
    }

    /// Issue 24 item 4: invisible characters and C1 controls too.
    #[test]
    fn invisible_characters_show_and_c1_controls_go() {
        assert_eq!(clean("203.0.113.5\u{200B}"), "203.0.113.5\u{FFFD}");
        for c in [
            '\u{2028}', '\u{2029}', '\u{2060}', '\u{2064}', '\u{FEFF}', '\u{200D}',
        ] {
            assert_eq!(clean(&format!("a{c}b")), "a\u{FFFD}b", "{:x}", c as u32);
        }
        assert_eq!(clean("a\u{85}b\u{9b}2Jc"), "ab2Jc");
        let json = "{\"u\":\"e\u{202E}v\u{85}e\"}\n";
        assert_eq!(json_escaped(json), "{\"u\":\"e\\u202ev\\u0085e\"}\n");
        let parsed: serde_json::Value = serde_json::from_str(&json_escaped(json)).unwrap();
        assert_eq!(parsed["u"], "e\u{202E}v\u{85}e", "the same value");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for cell in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)"] {
            assert_eq!(csv_cell(cell), format!("'{cell}"));
        }
        assert_eq!(csv_cell("svc-two"), "svc-two");
        assert_eq!(csv_cell("-"), "-", "no control: no formula");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("\u{7}=1"), "'=1", "cleaned first");
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1, "event"), "1 event");
        assert_eq!(count(0, "event"), "0 events");
        assert_eq!(count(2, "page"), "2 pages");
    }
}
