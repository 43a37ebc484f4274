//! Findings on screen: badges, the summary line and the details dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::audit::{Finding, FindingId, Severity};
use crate::state::State;

pub fn severity_style(theme: &Theme, severity: Severity) -> Style {
    match severity {
        Severity::Critical | Severity::High => theme.error,
        Severity::Medium => theme.warn,
        Severity::Low | Severity::Info => theme.dim,
    }
}

/// A finding id's badge; without colour (`NO_COLOR`) its severity as a
/// symbol too — `!!` critical, `!` high — so they never look alike.
fn badge(theme: &Theme, id: FindingId) -> String {
    let mark = match id.severity() {
        _ if theme.colour => "",
        Severity::Critical => "!!",
        Severity::High => "!",
        Severity::Medium | Severity::Low | Severity::Info => "",
    };
    format!("{mark}{}", id.badge())
}

/// One badge per finding id, most severe first (waived findings left out).
pub fn badges(theme: &Theme, findings: &[Finding]) -> Vec<Span<'static>> {
    let mut ids: Vec<FindingId> = findings.iter().filter(|f| f.open()).map(|f| f.id).collect();
    ids.sort_by_key(|id| std::cmp::Reverse(id.severity()));
    ids.dedup();
    let mut spans = Vec::new();
    for id in ids {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            badge(theme, id),
            severity_style(theme, id.severity()),
        ));
    }
    spans
}

/// "Findings: 1 root · 6 setup · 3 unused · +2 more" (by badge, most
/// severe first; ids with none are left out; those that do not fit in
/// `width` are counted at the end, the least severe first to go).
pub fn summary(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    // An account that was not read has no count of findings: never "0".
    if matches!(state.account.list, crate::account::ListStatus::Failed(_))
        && state.account.users().total() == 0
    {
        return Line::from(vec![
            Span::raw(" Findings: "),
            Span::styled("— (the account could not be read)", theme.warn),
        ]);
    }
    // Most severe first: where the line is cut on a narrow terminal, what
    // is lost is the least severe.
    let mut counts = state.account.finding_counts();
    counts.sort_by_key(|(id, _)| std::cmp::Reverse(id.severity()));
    let head = format!(" Findings: {}", state.account.open_findings());
    let waived = state.account.finding_totals().waived();
    let tail = if waived > 0 {
        format!(" · {waived} waived")
    } else {
        String::new()
    };
    let entries: Vec<(String, ratatui::style::Style)> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(id, count)| {
            (
                format!("{count} {}", badge(theme, id)),
                severity_style(theme, id.severity()),
            )
        })
        .collect();
    // The badge names the table uses; as many as fit, with room for
    // " · +N more" when any does not.
    let room = width.saturating_sub(head.chars().count() + tail.chars().count());
    let full: usize = entries.iter().map(|(t, _)| t.chars().count() + 3).sum();
    let shown = if full <= room {
        entries.len()
    } else {
        let mut used = " · +99 more".len();
        entries
            .iter()
            .take_while(|(t, _)| {
                used += t.chars().count() + 3;
                used <= room
            })
            .count()
    };
    let mut spans = vec![Span::raw(head)];
    for (text, style) in &entries[..shown] {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(text.clone(), *style));
    }
    if shown < entries.len() {
        spans.push(Span::raw(format!(" · +{} more", entries.len() - shown)));
    }
    if waived > 0 {
        spans.push(Span::styled(tail, theme.dim));
    }
    if state.view.table.findings_only {
        spans.push(Span::styled(
            "   (showing only users with findings: F)",
            theme.dim,
        ));
    }
    Line::from(spans)
}

impl crate::findings_view::Tones for Theme {
    fn severity(&self, severity: Severity) -> Style {
        severity_style(self, severity)
    }
    fn title(&self) -> Style {
        self.title
    }
    fn dim(&self) -> Style {
        self.dim
    }
    fn warn(&self) -> Style {
        self.warn
    }
}

/// The findings dialog above the status bar: the findings scrolled to
/// `scroll` (clamped to the end), the keys that act from it always shown
/// below them, and on the bottom border how much more there is.
pub fn details(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    (user, key_id, scroll): (&str, Option<&str>, usize),
) {
    // The status bar's row stays visible under the dialog.
    let area = Rect {
        height: area.height.saturating_sub(1),
        ..area
    };
    let Some(fitted) =
        crate::findings_view::fitted(state, theme, user, key_id, (area.width, area.height))
    else {
        return;
    };
    let scroll = scroll.min(fitted.max_scroll());
    let below = fitted.body.len().saturating_sub(scroll + fitted.visible);
    let map = &state.view.keymap;
    let more = super::popup::scroll_hint(map, below, scroll)
        .map(|hint| format!(" {hint} "))
        .unwrap_or_default();
    let popup = super::popup::centered(
        area,
        fitted.width,
        u16::try_from(fitted.height()).unwrap_or(u16::MAX),
    );
    let mut lines: Vec<Line<'static>> = fitted
        .body
        .into_iter()
        .skip(scroll)
        .take(fitted.visible)
        .collect();
    lines.extend(fitted.closing);
    frame.render_widget(ratatui::widgets::Clear, popup);
    let mut block = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_style(theme.accent)
        .title(Span::styled(fitted.title, theme.accent));
    if !more.is_empty() {
        block = block.title_bottom(Span::styled(more, theme.dim));
    }
    frame.render_widget(ratatui::widgets::Paragraph::new(lines).block(block), popup);
}
