//! `P`: remove the selected user's console password (`DeleteLoginProfile`),
//! once the operator types the user name. CIS's remedy for a password
//! unused for 45 days; its backout is a new password an administrator sets.

use crossterm::event::KeyEvent;

use super::dialogs::{Typed, read_only, type_into, typed};
use super::mutations::start;
use crate::effect::{Change, Effect};
use crate::keymap::DialogCommand;
use crate::state::{Modal, RemovePasswordDialog, State};

/// Open the dialog for the selected user, when IAM showed a password.
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    let Some(account) = super::key_actions::bound(state) else {
        return Vec::new();
    };
    let Some(row) = state.selected_user() else {
        state.view.notice = Some("No user selected.".to_owned());
        return Vec::new();
    };
    let user = row.user.name.clone();
    let notice = match row.password {
        Some(true) if state.account.user_busy(&user) => {
            Some(format!("{user}: a change is already in flight."))
        }
        Some(true) => None,
        Some(false) => Some(format!("{user} has no console password.")),
        None => Some(format!(
            "{user}'s console password is not known yet: nothing to remove."
        )),
    };
    if let Some(notice) = notice {
        state.view.notice = Some(notice);
        return Vec::new();
    }
    state.view.modal = Some(Modal::RemovePassword(RemovePasswordDialog {
        user,
        account,
        input: String::new(),
        mismatch: false,
    }));
    Vec::new()
}

pub(super) fn on_key(
    state: &mut State,
    mut dialog: RemovePasswordDialog,
    key: &KeyEvent,
) -> Vec<Effect> {
    match typed(state, key) {
        Typed::Answer(DialogCommand::Cancel) => return Vec::new(),
        Typed::Answer(DialogCommand::Press) => {
            if dialog.input.trim() == dialog.user {
                if read_only(state) {
                    return Vec::new();
                }
                state.view.notice = Some(format!("Removing {}'s console password…", dialog.user));
                return vec![start(
                    state,
                    Change::RemovePassword { user: dialog.user },
                    &dialog.account,
                )];
            }
            dialog.mismatch = true;
        }
        other => type_into(&mut dialog.input, &mut dialog.mismatch, &other),
    }
    state.view.modal = Some(Modal::RemovePassword(dialog));
    Vec::new()
}
