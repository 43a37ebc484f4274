//! The dialog that removes a console password: what the user loses, when
//! the password was last used, the account, and the user name typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Theme;
use super::dialogs::{show, typed_confirmation};
use super::format;
use crate::state::{RemovePasswordDialog, State};

pub fn render(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    dialog: &RemovePasswordDialog,
) {
    let user = &dialog.user;
    let mut lines = vec![
        Line::raw(format!(
            " Remove {user}'s console password? They can no longer sign in to the AWS console."
        )),
        Line::raw(
            " Their access keys are not touched. To undo, an administrator sets a new password.",
        ),
    ];
    if let Some(row) = state.account.users().get(user) {
        let last = row
            .user
            .password_last_used
            .map_or_else(|| "never (as IAM shows it)".to_owned(), format::date);
        lines.push(Line::styled(
            format!(" Password last used: {last}"),
            theme.dim,
        ));
    }
    lines.extend(typed_confirmation(
        state,
        theme,
        &dialog.account,
        " Type (or paste) the user name to confirm:",
        &dialog.input,
        dialog
            .mismatch
            .then(|| format!(" That is not {user}: nothing was removed.")),
        "removes when the text matches exactly",
    ));
    show(
        frame,
        area,
        " Remove console password ".to_owned(),
        theme.error,
        lines,
    );
}
