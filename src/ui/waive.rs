//! The waiver dialog (`W` in the findings dialog).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::keymap::DialogCommand;
use crate::state::{State, WaiveDialog, WaiveField};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, dialog: &WaiveDialog) {
    let mut lines = vec![Line::raw(format!(
        " Accept a finding of {} until a date, for a reason. The waiver is an event in the ledger ({}): every operator and every CI run reads it, and it lapses on its own.",
        dialog.user,
        crate::text::clean(&dialog.ledger)
    ))];
    lines.push(Line::raw(""));
    for (i, choice) in dialog.choices.iter().enumerate() {
        let marker = if i == dialog.choice { "▶" } else { " " };
        let subject = choice
            .key_id
            .as_deref()
            .map_or_else(|| "the whole user".to_owned(), |k| format!("key {k}"));
        let existing = choice
            .existing
            .as_ref()
            .map(|w| format!(" — {}", w.describe()))
            .unwrap_or_default();
        let style = if i == dialog.choice {
            theme.title
        } else {
            theme.dim
        };
        lines.push(Line::styled(
            format!(" {marker} {} on {subject}{existing}", choice.finding),
            style,
        ));
    }
    lines.push(Line::raw(""));
    let field = |name: &str, value: &str, which: WaiveField| {
        let cursor = if dialog.field == which { "▏" } else { "" };
        let style = if dialog.field == which {
            theme.title
        } else {
            theme.dim
        };
        Line::from(vec![
            Span::raw(format!(" {name} ")),
            Span::styled(format!("{value}{cursor}"), style),
        ])
    };
    lines.push(field(
        "until (YYYY-MM-DD):",
        &dialog.until,
        WaiveField::Until,
    ));
    lines.push(field(
        "reason:           ",
        &dialog.reason,
        WaiveField::Reason,
    ));
    lines.push(Line::styled(format!(" by {}", dialog.by), theme.dim));
    lines.push(super::dialogs::account_line(theme, &dialog.account));
    if state.session.read_only {
        lines.push(Line::styled(
            " READ-ONLY: nothing will be written.",
            theme.badge,
        ));
    }
    if let Some(error) = &dialog.error {
        lines.push(Line::styled(format!(" {error}"), theme.error));
    }
    lines.extend(footer(state, theme, dialog));
    super::popup::show(
        frame,
        area,
        100,
        " Waive a finding ".to_owned(),
        theme.warn,
        lines,
    );
}

/// The ledger event about to be appended and its keys, or the keys that
/// edit the dialog.
fn footer(state: &State, theme: &Theme, dialog: &WaiveDialog) -> Vec<Line<'static>> {
    let map = &state.view.keymap;
    super::dialogs::record_or_keys(
        state,
        theme,
        dialog.pending.as_ref(),
        &dialog.ledger,
        format!(
            " ↑/↓ finding · {} date/reason · {} shows the record (an empty reason revokes a ledger waiver) · {} cancels",
            map.dialog_named_key(DialogCommand::SwitchButton),
            map.dialog_named_key(DialogCommand::Press),
            map.dialog_named_key(DialogCommand::Cancel)
        ),
    )
}
