//! The dialog that deletes a member's root access keys from the management
//! account: what is deleted, how (`sts:AssumeRoot`), the account, and its
//! ID typed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Theme;
use super::dialogs::{show, typed_confirmation};
use crate::account::RootKeys;
use crate::state::{RootKeysDialog, State};

pub fn render(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    dialog: &RootKeysDialog,
) {
    let member = &dialog.account.account_id;
    let known = match state.account.root_row().map(|row| row.keys) {
        Some(RootKeys::Counted { active, inactive }) => {
            format!("{active} active, {inactive} inactive (credential report)")
        }
        Some(RootKeys::Has(true)) => "present (GetAccountSummary)".to_owned(),
        _ => "not known".to_owned(),
    };
    let mut lines = vec![
        Line::raw(format!(
            " Delete every access key of account {member}'s root user? Anything signing with them stops working."
        )),
        Line::raw(format!(
            " From the management account {}: sts:AssumeRoot (IAMDeleteRootUserCredentials, 900 s),",
            dialog.from
        )),
        Line::raw(" then ListAccessKeys and DeleteAccessKey for each key the root session lists."),
        Line::styled(format!(" Root access keys: {known}"), theme.dim),
        Line::styled(
            " Only the root user can make a new one (sign in as root). Cannot be undone.",
            theme.dim,
        ),
    ];
    lines.extend(typed_confirmation(
        state,
        theme,
        &dialog.account,
        " Type (or paste) the account ID to confirm:",
        &dialog.input,
        dialog
            .mismatch
            .then(|| format!(" That is not {member}: nothing was deleted.")),
        "deletes when the text matches exactly",
    ));
    show(
        frame,
        area,
        " Delete root access keys ".to_owned(),
        theme.error,
        lines,
    );
}
