//! The status bar: calls in flight, the latest notice, and the keys that apply.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::format::SPINNER;
use crate::keymap::Command;
use crate::state::{Focus, State};

fn hints(state: &State) -> String {
    let map = &state.view.keymap;
    let key = |c| map.label(c);
    let mut parts = vec![format!("{}/{} move", key(Command::Down), key(Command::Up))];
    match state.view.focus {
        Focus::Users => {
            parts.push(format!("{} keys", key(Command::Open)));
            parts.push(format!("{} sort", key(Command::Sort)));
        }
        Focus::Keys => {
            parts.push(format!("{} rotate", key(Command::Rotate)));
            parts.push(format!("{} inactive", key(Command::Deactivate)));
            parts.push(format!("{} active", key(Command::Activate)));
            // Marking (Space) is in the help: the bar keeps to 120 columns.
            parts.push(format!("{} delete", key(Command::Delete)));
            parts.push(format!("{} users", key(Command::FocusNext)));
        }
    }
    parts.insert(1, format!("{} new key", key(Command::Create)));
    parts.push(format!("{} refresh", key(Command::Refresh)));
    if state.org.is_some() {
        parts.push(format!("{} accounts", key(Command::Back)));
    }
    parts.push(format!("{} help", key(Command::Help)));
    parts.push(format!("{} quit", key(Command::Quit)));
    parts.join(" · ")
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    // A message takes the room; the full hints come back when it is gone.
    let hint = if state.view.notice.is_some() || state.account.backing_off(state.now).is_some() {
        let map = &state.view.keymap;
        format!(
            "{} help · {} quit",
            map.label(Command::Help),
            map.label(Command::Quit)
        )
    } else {
        hints(state)
    };
    let hint_width = u16::try_from(hint.chars().count() + 1).unwrap_or(u16::MAX);
    let [left, right] =
        Layout::horizontal([Constraint::Min(10), Constraint::Length(hint_width)]).areas(area);
    let mut spans = Vec::new();
    if state.view.filtering {
        spans.push(Span::styled(
            format!(" /{}▏ ", state.view.table.filter),
            theme.title,
        ));
        spans.push(Span::styled("Enter keeps · Esc clears", theme.dim));
    }
    if matches!(
        state.quit,
        crate::state::Quit::Waiting | crate::state::Quit::Terminating
    ) && state.account.changing()
    {
        let n = state.account.changes_in_flight().len();
        spans.push(Span::styled(
            format!(
                " quitting: waiting for {n} change{} in flight · Ctrl-C again abandons ",
                if n == 1 { "" } else { "s" }
            ),
            theme.badge,
        ));
    }
    if let Some(profile) = &state.session.switching {
        spans.push(Span::styled(
            format!(" switching to profile {profile}… (no changes until it is done) "),
            theme.badge,
        ));
    }
    if state.account.pending() > 0 {
        spans.push(Span::styled(
            format!(
                " {} {} IAM call{} in flight ",
                SPINNER[state.view.spinner % SPINNER.len()],
                state.account.pending(),
                if state.account.pending() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            theme.accent,
        ));
    }
    if let Some(backoff) = state.account.backing_off(state.now) {
        spans.push(Span::styled(
            format!(
                " backing off: {} · {} retr{} ",
                backoff.reason.map_or("retrying", |r| r.label()),
                backoff.retries,
                if backoff.retries == 1 { "y" } else { "ies" }
            ),
            theme.warn,
        ));
    }
    if !state.view.marks.is_empty() {
        spans.push(Span::styled(
            format!(" {} marked ", state.view.marks.len()),
            theme.badge,
        ));
    }
    if let Some(notice) = &state.view.notice {
        spans.push(Span::styled(format!(" {notice}"), theme.warn));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(Paragraph::new(Span::styled(hint, theme.dim)), right);
}
