//! Lines of styled text cut or wrapped to a width, as the screen draws
//! them. Neutral (below both `ui` and `update`), so a dialog that scrolls
//! is scrolled by the same count of rows that is drawn.

use ratatui::text::{Line, Span};

/// A line whose spans hold text from AWS, as [`crate::text::clean`] shows it.
fn cleaned(mut line: Line<'static>) -> Line<'static> {
    for span in &mut line.spans {
        if span.content.chars().any(crate::text::is_unsafe) {
            span.content = crate::text::clean(&span.content).into_owned().into();
        }
    }
    line
}

/// `text` cut to `width` columns, ending in `…` when anything was cut.
#[must_use]
pub fn fit_str(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let text = crate::text::clean(text);
    let text = text.as_ref();
    if text.width() <= width {
        return text.to_owned();
    }
    cut(text, width)
}

/// `text` cut so that it and a closing `…` take at most `width` columns.
fn cut(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// A line cut to `width` columns, its last visible character replaced by
/// `…` when anything was cut: a reader always sees that there is more.
#[must_use]
pub fn fit(line: Line<'static>, width: usize) -> Line<'static> {
    let line = cleaned(line);
    if line.width() <= width {
        return line;
    }
    let style = line.style;
    let alignment = line.alignment;
    let mut left = width;
    let mut spans = Vec::new();
    for span in line.spans {
        let w = span.width();
        if w < left {
            left -= w;
            spans.push(span);
            continue;
        }
        // This span holds the cut (and the `…`); a `…` with nothing of its
        // span before it closes the text before, not a gap.
        let cut = cut(&span.content, left);
        if cut == "…"
            && let Some(last) = spans.last_mut()
            && last.content.ends_with(' ')
        {
            last.content = last.content.trim_end().to_owned().into();
        }
        spans.push(Span::styled(cut, span.style));
        break;
    }
    let mut out = Line::from(spans).style(style);
    out.alignment = alignment;
    out
}

/// A line broken at spaces into lines of at most `width` columns; each
/// continuation starts two columns further in than the line's own indent.
/// A word wider than a line is cut with `…`.
#[must_use]
pub fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    wrap_with(line, width, 2)
}

/// As [`wrap`], continuations `hang` columns further in than the line's
/// own indent (0: they keep it, as dialog text does).
#[must_use]
pub fn wrap_with(line: Line<'static>, width: usize, hang: usize) -> Vec<Line<'static>> {
    let line = cleaned(line);
    if line.width() <= width || width == 0 {
        return vec![line];
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let indent = (text.len() - text.trim_start_matches(' ').len() + hang).min(width / 2);
    // Runs of spaces and of other characters, each with its span's style.
    let mut tokens: Vec<(String, ratatui::style::Style)> = Vec::new();
    for span in &line.spans {
        let mut run = String::new();
        for c in span.content.chars() {
            if !run.is_empty() && (c == ' ') != run.ends_with(' ') {
                tokens.push((std::mem::take(&mut run), span.style));
            }
            run.push(c);
        }
        if !run.is_empty() {
            tokens.push((run, span.style));
        }
    }
    let mut lines = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    let end = |current: &mut Vec<Span<'static>>| {
        while current.last().is_some_and(|s| s.content.trim().is_empty()) {
            current.pop();
        }
        Line::from(std::mem::take(current)).style(line.style)
    };
    for (token, style) in tokens {
        let w = Span::raw(token.as_str()).width();
        let space = token.starts_with(' ');
        if used + w <= width {
            current.push(Span::styled(token, style));
            used += w;
            continue;
        }
        if space {
            // A break: the spaces go, the next word starts a new line.
            lines.push(end(&mut current));
            current.push(Span::raw(" ".repeat(indent)));
            used = indent;
            continue;
        }
        if used > indent {
            lines.push(end(&mut current));
            current.push(Span::raw(" ".repeat(indent)));
            used = indent;
        }
        let room = width - used;
        let piece = fit_str(&token, room);
        used += Span::raw(piece.as_str()).width();
        current.push(Span::styled(piece, style));
    }
    if current.iter().any(|s| !s.content.trim().is_empty()) {
        lines.push(end(&mut current));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_lines_end_in_an_ellipsis() {
        assert_eq!(fit_str("svc-ivan-08", 20), "svc-ivan-08");
        assert_eq!(fit_str("svc-ivan-08", 11), "svc-ivan-08");
        assert_eq!(fit_str("svc-ivan-08", 10), "svc-ivan-…");
        assert_eq!(fit_str("⚑⚑", 1), "…");
        let line = Line::from(vec![Span::raw("ab"), Span::raw("cdef"), Span::raw("gh")]);
        assert_eq!(fit(line.clone(), 8).to_string(), "abcdefgh");
        assert_eq!(fit(line.clone(), 6).to_string(), "abcde…");
        assert_eq!(fit(line, 3).to_string(), "ab…");
    }

    #[test]
    fn wrapped_lines_keep_their_indent() {
        let line = Line::from(vec![
            Span::raw("   ⚑ "),
            Span::raw("initial_setup_key (CIS 1.11, waived until 2027-03-01)"),
        ]);
        let lines: Vec<String> = wrap(line, 30).iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "   ⚑ initial_setup_key (CIS",
                "     1.11, waived until",
                "     2027-03-01)"
            ]
        );
        let long = Line::raw(" arn:aws:iam::123456789012:user/a-very-long-name");
        let lines: Vec<String> = wrap(long, 20).iter().map(ToString::to_string).collect();
        assert_eq!(lines, [" arn:aws:iam::12345…"]);
        assert_eq!(wrap(Line::raw("short"), 20).len(), 1);
    }
}
