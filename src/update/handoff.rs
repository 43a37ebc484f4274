//! `t` in the rotation dialog: where the user's rotated keys are handed
//! off. A full Secrets Manager secret or SSM parameter ARN is typed (or
//! pasted), read strictly and shown in full; `y` appends `handoff.set` to
//! the ledger — bound to the account, audit-logged, refused in read-only.
//! iamkeys writes no tag: `R` then reads the target from the ledger.

use crossterm::event::KeyEvent;

use super::dialogs::{Typed, typed};
use crate::effect::{Change, Effect};
use crate::keymap::DialogCommand;
use crate::ledger::{Draft, Kind};
use crate::state::{HandoffDialog, Modal, State};

/// Open the dialog for `user` (the rotation dialog it came from closes).
pub(super) fn open(state: &mut State, user: &str) -> Vec<Effect> {
    let Some(account) = super::target_or_error(state, "No hand-off target can be set now") else {
        return Vec::new();
    };
    let current = state
        .account
        .ledger()
        .and_then(|l| l.handoff.get(user))
        .map(|set| set.value.clone());
    state.view.modal = Some(Modal::Handoff(HandoffDialog {
        user: user.to_owned(),
        input: String::new(),
        error: None,
        pending: None,
        current,
        ledger: state.session.ledger.clone(),
        account,
    }));
    Vec::new()
}

pub(super) fn on_key(state: &mut State, mut dialog: HandoffDialog, key: &KeyEvent) -> Vec<Effect> {
    if let Some(draft) = dialog.pending.clone() {
        match state.view.keymap.resolve_dialog(key) {
            Some(DialogCommand::Confirm) => {
                if super::dialogs::read_only(state) {
                    return Vec::new();
                }
                state.view.notice = Some(format!(
                    "Recording where {}'s rotated keys go… (R then uses it)",
                    dialog.user
                ));
                return vec![super::mutations::start(
                    state,
                    Change::Record(draft),
                    &dialog.account,
                )];
            }
            Some(DialogCommand::Cancel) => dialog.pending = None,
            _ => {}
        }
        state.view.modal = Some(Modal::Handoff(dialog));
        return Vec::new();
    }
    match typed(state, key) {
        Typed::Answer(DialogCommand::Cancel) => return Vec::new(),
        Typed::Answer(DialogCommand::Press) => {
            let arn = dialog.input.trim().to_owned();
            match crate::handoff::Target::parse_arn(&arn) {
                Ok(_) => {
                    dialog.error = None;
                    dialog.pending = Some(Draft {
                        account_id: dialog.account.account_id.clone(),
                        user: Some(dialog.user.clone()),
                        key_id: None,
                        kind: Kind::HandoffSet {
                            target: arn,
                            from_tag: None,
                        },
                    });
                }
                Err(why) => dialog.error = Some(why),
            }
        }
        Typed::Edit(edit) => {
            edit.apply(&mut dialog.input);
            dialog.error = None;
        }
        Typed::Text(c) => {
            dialog.input.push(c);
            dialog.error = None;
        }
        Typed::Answer(_) | Typed::Other => {}
    }
    state.view.modal = Some(Modal::Handoff(dialog));
    Vec::new()
}
