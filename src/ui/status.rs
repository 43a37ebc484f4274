//! The status bar: calls in flight, the latest notice, and the keys that apply.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::format::SPINNER;
use crate::keymap::Command;
use crate::state::{Focus, Modal, State};

/// The keys of what has focus, most useful first: the last two (help and
/// quit) and a note on marks are kept when the bar is short of room.
fn hints(state: &State) -> Vec<String> {
    let map = &state.view.keymap;
    let key = |c| map.label(c);
    if state.view.clearing_marks || state.view.filtering || state.view.command.is_some() {
        // The question (or the filter's keys) on the left is all it says.
        return Vec::new();
    }
    if let Some(modal) = &state.view.modal {
        return dialog_hints(state, modal);
    }
    // Read-only: no key that would change IAM is advertised.
    let changes = !state.session.read_only;
    let mut parts = Vec::new();
    if !changes {
        parts.push("read-only: no changes".to_owned());
    } else if !state.view.marks.is_empty() {
        parts.push(format!(
            "{}/{} act on the marks · Esc clears",
            key(Command::Deactivate),
            key(Command::Delete),
        ));
    }
    parts.push(format!("{}/{} move", key(Command::Down), key(Command::Up)));
    match state.view.focus {
        Focus::Users => {
            parts.push(format!("{} keys", key(Command::Open)));
            if changes {
                parts.push(format!("{} new key", key(Command::Create)));
            }
            parts.push(format!("{} filter", key(Command::Filter)));
            parts.push(format!("{} sort", key(Command::Sort)));
        }
        Focus::Keys => {
            // A key's findings, waived there (W).
            parts.push(format!(
                "{} findings ({} waives)",
                key(Command::Open),
                map.dialog_label(crate::keymap::DialogCommand::Waive)
            ));
            parts.push(format!("{} usage", key(Command::Usage)));
            if changes {
                parts.push(format!("{} rotate", key(Command::Rotate)));
                parts.push(format!("{} inactive", key(Command::Deactivate)));
                parts.push(format!("{} active", key(Command::Activate)));
                parts.push(format!("{} delete", key(Command::Delete)));
            }
            parts.push(format!("{} copy ID", key(Command::CopyId)));
            if changes {
                parts.push(format!("{} mark", key(Command::Mark)));
            }
            parts.push(format!("{} users", key(Command::FocusNext)));
        }
    }
    parts.push(format!("{} refresh", key(Command::Refresh)));
    if state.org.is_some() {
        parts.push(format!("{} accounts", key(Command::Back)));
    }
    parts.push(format!("{} help", key(Command::Help)));
    parts.push(format!("{} quit", key(Command::Quit)));
    parts
}

/// The keys of the dialog on screen.
fn dialog_hints(state: &State, modal: &Modal) -> Vec<String> {
    use crate::keymap::DialogCommand as D;
    let map = &state.view.keymap;
    let d = |c| map.dialog_label(c);
    let named = |c| map.dialog_named_key(c);
    let key = |c| map.label(c);
    let close = format!("{} close", d(D::Cancel));
    // A dialog where text is typed: what to type, then its named keys.
    let typing = |what: &str, press: &str| {
        vec![
            what.to_owned(),
            format!("{} {press}", named(D::Press)),
            format!("{} cancel", named(D::Cancel)),
        ]
    };
    match modal {
        Modal::Help => vec![
            format!("{}/{} scroll", key(Command::Down), key(Command::Up)),
            "PgDn/PgUp page".to_owned(),
            close,
        ],
        Modal::Error { .. } | Modal::Progress(_) => vec![close],
        Modal::Confirm(confirm) => {
            let mut parts = vec![
                format!("{} confirm", d(D::Confirm)),
                format!("{} cancel", d(D::Cancel)),
                format!("{} switch button", d(D::SwitchButton)),
            ];
            if matches!(&confirm.operation, crate::state::Operation::SetStatus { targets, .. } if targets.len() == 1)
            {
                parts.push(format!("{} usage", d(D::Usage)));
            }
            parts
        }
        Modal::Delete(_) => vec![
            "type the key ID".to_owned(),
            format!("{} delete", named(D::Press)),
            format!("{} usage", d(D::Usage)),
            format!("{} cancel", named(D::Cancel)),
        ],
        Modal::BulkDelete(_) => typing("type the number of keys", "delete"),
        Modal::RemovePassword(_) => typing("type the user name", "remove"),
        Modal::DeleteRootKeys(_) => typing("type the account ID", "delete"),
        // The question on screen: close (the secret goes) or go back.
        Modal::Secret(dialog) if dialog.acknowledging => vec![
            format!("{} closes", d(D::Confirm)),
            format!("{} goes back", d(D::Cancel)),
        ],
        Modal::Secret(_) => {
            let mut parts = vec![format!("{} copy", d(D::CopySecret))];
            if state.session.credentials_file.is_some() {
                parts.push(format!("{} save to the credentials file", d(D::SaveSecret)));
            }
            parts.push(close);
            parts
        }
        Modal::Findings { user, .. } if user == crate::account::ROOT_ROW_NAME => vec![close],
        Modal::Findings { .. } => vec![
            format!("{} make inactive", key(Command::Deactivate)),
            format!("{} delete", key(Command::Delete)),
            format!("{} waive", d(D::Waive)),
            close,
        ],
        Modal::Usage { .. } => vec![format!("{} ask again", key(Command::Refresh)), close],
        Modal::Profiles(_) => vec![
            "type to filter".to_owned(),
            "↑/↓ choose".to_owned(),
            format!("{} switch", named(D::Press)),
            format!("{} close", named(D::Cancel)),
        ],
        // A record shown before it is written: the same two keys.
        Modal::Waive(crate::state::WaiveDialog {
            pending: Some(_), ..
        })
        | Modal::Handoff(crate::state::HandoffDialog {
            pending: Some(_), ..
        }) => vec![
            format!("{} record", d(D::Confirm)),
            format!("{} back", d(D::Cancel)),
        ],
        Modal::Waive(_) => vec![
            "↑/↓ finding".to_owned(),
            format!("{} next field", named(D::SwitchButton)),
            format!("{} cancel", named(D::Cancel)),
        ],
        Modal::Handoff(_) => typing("type or paste the ARN", "show"),
        Modal::Code(_) => typing("type the MFA code", "sign in"),
        Modal::SignInAgain { .. } => vec![
            format!("{} sign in", named(D::Press)),
            format!("{} close", named(D::Cancel)),
        ],
    }
}

/// `parts` joined, leaving out the least useful (those just before help
/// and quit) until the line fits in `width`.
fn fit_hints(mut parts: Vec<String>, width: usize) -> String {
    let keep_first = usize::from(parts.first().is_some_and(|p| p.contains("the marks")));
    let line = |parts: &[String]| parts.join(" · ");
    // Help and quit (the last two) stay, whatever else is on the bar.
    let least = line(&parts[parts.len().saturating_sub(2)..])
        .chars()
        .count();
    let width = width.max(least);
    while line(&parts).chars().count() > width && parts.len() > 2 + keep_first {
        let drop = parts.len() - 3;
        if drop < keep_first {
            break;
        }
        parts.remove(drop);
    }
    super::format::fit_str(&line(&parts), width)
}

/// A notice has the bar's room for this long; then the hints come back.
const NOTICE_FIRST: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// What the bar says on its left: the filter, quitting, switching, calls in
/// flight, back-off, marks, the clear-marks question and the notice.
/// `backing off: CloudTrail is throttling · 3 retries`, while the SDK retries.
fn backing_off(state: &State, theme: &Theme) -> Option<Span<'static>> {
    let backoff = state.account.backing_off(state.now)?;
    Some(Span::styled(
        format!(
            " backing off: {} · {} retr{} ",
            backoff.reason.map_or_else(
                || "retrying".to_owned(),
                |r| r.label(backoff.service.unwrap_or("AWS"))
            ),
            backoff.retries,
            if backoff.retries == 1 { "y" } else { "ies" }
        ),
        theme.warn,
    ))
}

fn left_spans(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if state.view.filtering {
        spans.push(Span::styled(
            format!(" /{} ", state.view.table.filter.with_cursor()),
            theme.title,
        ));
        spans.push(Span::styled("Enter keeps · Esc clears", theme.dim));
    }
    if let Some(line) = &state.view.command {
        spans.push(Span::styled(
            format!(" :{} ", line.text.with_cursor()),
            theme.title,
        ));
        if let Some(error) = &line.error {
            spans.push(Span::styled(
                crate::text::clean(error).into_owned(),
                theme.error,
            ));
        } else if line.choices.is_empty() {
            spans.push(Span::styled(
                "Tab completes · ↑/↓ history · Enter runs · Esc closes",
                theme.dim,
            ));
        } else {
            spans.push(Span::styled(
                crate::text::clean(&line.choices.join("  ")).into_owned(),
                theme.dim,
            ));
        }
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
    spans.extend(backing_off(state, theme));
    if !state.view.marks.is_empty() {
        spans.push(Span::styled(
            format!(" {} marked ", state.view.marks.len()),
            theme.badge,
        ));
    }
    if state.view.clearing_marks {
        let n = state.view.marks.len();
        spans.push(Span::styled(
            format!(
                " Clear {n} mark{}? {} clears · any other key keeps them ",
                if n == 1 { "" } else { "s" },
                state
                    .view
                    .keymap
                    .dialog_key(crate::keymap::DialogCommand::Confirm)
            ),
            theme.badge,
        ));
    }
    if let Some(notice) = &state.view.notice {
        spans.push(Span::styled(format!(" {notice}"), theme.warn));
    }
    spans
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let spans = left_spans(state, theme);
    // A fresh notice has the room first; after a few seconds the keys
    // come back and the notice keeps what is left (cut with `…`).
    let fresh = (state.view.notice.is_some()
        && !state.view.notice_shown_for(state.now, NOTICE_FIRST))
        || state.account.backing_off(state.now).is_some();
    let width = usize::from(area.width);
    let left_width = Line::from(spans.clone()).width();
    let hint = if fresh {
        fit_hints(hints(state), width.saturating_sub(left_width + 1))
    } else {
        fit_hints(
            hints(state),
            width.saturating_sub((width / 2).min(left_width)),
        )
    };
    let hint_width = if hint.is_empty() {
        0
    } else {
        hint.chars().count() + 1
    };
    let left = super::format::fit(Line::from(spans), width.saturating_sub(hint_width));
    let [left_area, right] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(u16::try_from(hint_width).unwrap_or(u16::MAX)),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(left), left_area);
    // A space before the hints: a notice never runs into them.
    frame.render_widget(
        Paragraph::new(Span::styled(format!(" {hint}"), theme.dim)),
        right,
    );
}
