//! `d` on a member's root row (`--org`): delete every access key of that
//! account's root user from the management account, through
//! `sts:AssumeRoot` (centralized root access). Confirmed by typing the
//! member's account ID, bound to it, refused in read-only mode.

use crossterm::event::KeyEvent;

use super::dialogs::{Typed, read_only, type_into, typed};
use super::mutations::start;
use crate::account::RootKeys;
use crate::effect::{Change, Effect};
use crate::keymap::DialogCommand;
use crate::state::{Modal, RootKeysDialog, State};

/// The feature `sts:AssumeRoot` needs (`EnableOrganizationsRootSessions`).
const ROOT_SESSIONS: &str = "RootSessions";

/// Open the dialog, when this is a member account whose root has keys.
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    if let Err(why) = reachable(state) {
        state.view.notice = Some(why);
        return Vec::new();
    }
    let Some(account) = super::key_actions::bound(state) else {
        return Vec::new();
    };
    let from = state
        .org
        .as_ref()
        .map(|org| org.own_account.clone())
        .unwrap_or_default();
    state.view.modal = Some(Modal::DeleteRootKeys(RootKeysDialog {
        from,
        account,
        input: String::new(),
        mismatch: false,
    }));
    Vec::new()
}

/// Why the root keys of the account on screen cannot be deleted from here.
fn reachable(state: &State) -> Result<(), String> {
    let (Some(org), Some(member)) = (&state.org, state.open_member()) else {
        return Err("The root user's keys are deleted by the root user, or from the organization's management account: run iamkeys --org there and open this account.".to_owned());
    };
    if member.info.id == org.own_account {
        return Err("This is the account iamkeys runs in: its root keys can be deleted only by its root user (AssumeRoot reaches member accounts).".to_owned());
    }
    if let Some(Ok(features)) = &org.root_access
        && !features.iter().any(|f| f == ROOT_SESSIONS)
    {
        return Err("Centralized root access is not on for root sessions: from the management account run aws iam enable-organizations-root-sessions (after enable-organizations-root-credentials-management); nothing was sent.".to_owned());
    }
    if state.account.user_busy(crate::model::ROOT_ROW) {
        return Err("The root keys are already being deleted.".to_owned());
    }
    match state.account.root_row().map(|row| row.keys) {
        Some(
            RootKeys::Counted {
                active: 0,
                inactive: 0,
            }
            | RootKeys::Has(false),
        ) => Err(format!(
            "{}'s root user has no access keys (as IAM shows it): nothing to delete.",
            member.label()
        )),
        _ => Ok(()),
    }
}

pub(super) fn on_key(state: &mut State, mut dialog: RootKeysDialog, key: &KeyEvent) -> Vec<Effect> {
    match typed(state, key) {
        Typed::Answer(DialogCommand::Cancel) => return Vec::new(),
        Typed::Answer(DialogCommand::Press) => {
            let member = dialog.account.account_id.clone();
            if dialog.input.trim() == member {
                if read_only(state) {
                    return Vec::new();
                }
                state.view.notice = Some(format!(
                    "Deleting account {member}'s root access keys (sts:AssumeRoot from {})…",
                    dialog.from
                ));
                return vec![start(
                    state,
                    Change::DeleteRootKeys {
                        account: member,
                        from: dialog.from,
                    },
                    &dialog.account,
                )];
            }
            dialog.mismatch = true;
        }
        other => type_into(&mut dialog.input, &mut dialog.mismatch, &other),
    }
    state.view.modal = Some(Modal::DeleteRootKeys(dialog));
    Vec::new()
}

/// The root keys were deleted: said, and root has none from now on (the
/// credential report, possibly hours old, no longer speaks for them).
pub(super) fn deleted(
    state: &mut State,
    actor: &crate::effect::Actor,
    ids: &[String],
) -> Vec<Effect> {
    state.view.notice = Some(format!(
        "Account {}'s root access keys were deleted ({}), through sts:AssumeRoot.",
        actor.account_id.as_deref().unwrap_or_default(),
        ids.join(", ")
    ));
    state.account.root_keys_removed(state.now);
    Vec::new()
}
