//! The hand-off target dialog (`t` in the rotation dialog).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::keymap::DialogCommand;
use crate::state::{HandoffDialog, State};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, dialog: &HandoffDialog) {
    let clean = |t: &str| crate::text::clean(t).into_owned();
    let mut lines = vec![
        Line::raw(format!(
            " Where {}'s rotated keys are handed off: a full ARN, region and account pinned.",
            clean(&dialog.user)
        )),
        Line::styled(
            " arn:aws:secretsmanager:<region>:<account>:secret:<name>[#<id field>,<secret field>]",
            theme.dim,
        ),
        Line::styled(
            " arn:aws:ssm:<region>:<account>:parameter/<name>",
            theme.dim,
        ),
        Line::raw(""),
        Line::raw(format!(
            " now: {}",
            dialog
                .current
                .as_deref()
                .map_or_else(|| "none recorded".to_owned(), clean)
        )),
        Line::from(vec![
            Span::raw(" ARN: "),
            Span::styled(format!("{}▏", clean(&dialog.input)), theme.title),
        ]),
        super::dialogs::account_line(theme, &dialog.account),
    ];
    if state.session.read_only {
        lines.push(Line::styled(
            " READ-ONLY: nothing will be written.",
            theme.badge,
        ));
    }
    if let Some(error) = &dialog.error {
        lines.push(Line::styled(format!(" {}", clean(error)), theme.error));
    }
    let map = &state.view.keymap;
    lines.extend(super::dialogs::record_or_keys(
        state,
        theme,
        dialog.pending.as_ref(),
        &dialog.ledger,
        format!(
            " {} shows the record · {} cancels",
            map.dialog_named_key(DialogCommand::Press),
            map.dialog_named_key(DialogCommand::Cancel)
        ),
    ));
    super::popup::show(
        frame,
        area,
        100,
        " Hand-off target ".to_owned(),
        theme.warn,
        lines,
    );
}
