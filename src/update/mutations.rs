//! Starting changes and folding their results in: mark what is in flight,
//! show each outcome, and re-list the user's keys from IAM afterwards.

use crate::account::rotation::{Kept, Rotation};
use crate::action::{Mutated, SaveOutcome};
use crate::effect::{Actor, Change, Effect};
use crate::iam::{ErrorKind, IamError};
use crate::ledger::{Draft, Kind};
use crate::model::KeyStatus;
use crate::state::{AccountRef, Modal, Outcome, SaveState, SecretDialog, State};

/// Ask for a change bound to the account its dialog showed, marking its key
/// (or user) busy until the result comes.
pub(super) fn start(state: &mut State, change: Change, account: &AccountRef) -> Effect {
    let actor = Actor {
        profile: account.profile.clone(),
        account_id: Some(account.account_id.clone()),
        caller_arn: Some(account.caller_arn.clone()),
    };
    start_as(state, change, actor)
}

/// A follow-up of a change (a tag after it), bound to the same account as
/// the change itself: never to whatever the screen shows when it answers.
fn start_as(state: &mut State, change: Change, actor: Actor) -> Effect {
    let id = state.account.send(change.clone(), actor.clone());
    Effect::Mutate { id, change, actor }
}

fn failure_text(state: &State, change: &Change, err: &IamError) -> String {
    if let Change::DeleteRootKeys { account, .. } = change {
        return crate::iam::root::refusal(err, account, &state.session.profile);
    }
    match err.kind {
        // A delete may meet this on the SDK's retry of an attempt that landed
        // but whose answer was lost: either way the key is gone, as asked.
        ErrorKind::NoSuchEntity if matches!(change, Change::Delete { .. }) => format!(
            "{} is already gone (deleted by someone else, or by an earlier attempt whose answer was lost): the list was refreshed.",
            change.key_id().unwrap_or(change.user())
        ),
        ErrorKind::NoSuchEntity => format!(
            "{} no longer exists (deleted by someone else meanwhile?): the list was refreshed.",
            change.key_id().unwrap_or(change.user())
        ),
        ErrorKind::AccessDenied => format!(
            "Access denied: this identity lacks {}. Nothing was changed.",
            err.action
        ),
        ErrorKind::LimitExceeded if matches!(change, Change::Create { .. }) => format!(
            "{} already has two access keys (IAM's limit): nothing was created.",
            change.user()
        ),
        _ => err.operator_message(&state.session.profile),
    }
}

/// A change answered. Whatever it was, a quit the operator asked for
/// meanwhile goes on (or keeps waiting for the rest).
pub(super) fn on_mutated(
    state: &mut State,
    id: u64,
    result: Result<Mutated, IamError>,
) -> Vec<Effect> {
    let mut effects = answered(state, id, result);
    effects.extend(super::quit::proceed(state));
    effects
}

fn answered(state: &mut State, id: u64, result: Result<Mutated, IamError>) -> Vec<Effect> {
    let Some(sent) = state.account.settle(id) else {
        return Vec::new();
    };
    let crate::account::Sent {
        change,
        actor,
        rotation,
    } = sent;
    let user = change.user().to_owned();
    if let Change::Record(draft) = &change {
        return recorded(state, draft, result.as_ref().err());
    }
    if let Ok(Mutated::RootKeysDeleted(ids)) = &result {
        return super::root::deleted(state, &actor, ids);
    }
    let mut follow_up = if result.is_ok() {
        made_inactive(state, &change, &actor)
    } else {
        Vec::new()
    };
    if result.is_ok() {
        follow_up.extend(rotation_follow_up(
            state, &change, &result, &actor, rotation,
        ));
    }
    let outcome = match &result {
        Ok(_) => Outcome::Done,
        Err(err) => Outcome::Failed(failure_text(state, &change, err)),
    };
    if let (Some(Modal::Progress(progress)), Some(key_id)) =
        (&mut state.view.modal, change.key_id())
        && let Some(item) = progress.items.iter_mut().find(|(t, _)| t.key_id == key_id)
    {
        item.1 = outcome;
        let mut effects = refresh_user(state, &user);
        effects.extend(follow_up);
        return effects;
    }
    let unrecorded = match &result {
        Ok(Mutated::Rotated {
            recorded: Err(why), ..
        }) => Some(why.clone()),
        _ => None,
    };
    match result {
        Ok(Mutated::Created(new) | Mutated::Rotated { new, .. }) => {
            let hand_off = show_secret(state, &change, new, actor);
            if let (
                Some(why),
                Change::Create {
                    rotating: Some(old),
                    ..
                },
            ) = (unrecorded, &change)
            {
                let made = state.view.notice.take().unwrap_or_default();
                state.view.notice = Some(format!(
                    "{made} But the rotation of {old} will not be remembered ({why}): it is watched in this session only."
                ));
            }
            let mut effects = refresh_user(state, &user);
            effects.extend(hand_off);
            effects.extend(follow_up);
            return effects;
        }
        Ok(Mutated::StatusSet) => {
            if let Change::SetStatus { key_id, status, .. } = &change {
                state.view.notice = Some(format!("{user}: {key_id} is now {status}."));
            }
        }
        // Answered above.
        Ok(Mutated::Recorded | Mutated::RootKeysDeleted(_)) => {}
        Ok(done @ (Mutated::CredentialChanged | Mutated::PasswordRemoved)) => {
            let mut effects = beyond_keys(state, &change, &user, &done);
            effects.extend(follow_up);
            return effects;
        }
        Ok(Mutated::Deleted) => {
            if let Some(key_id) = change.key_id() {
                state.view.notice = Some(format!("{user}: {key_id} was deleted."));
                state.view.marks.retain(|(_, k)| k != key_id);
            }
        }
        Err(err) => {
            let message = failure_text(state, &change, &err);
            if err.kind == ErrorKind::NoSuchEntity {
                state.view.notice = Some(message);
            } else {
                state.view.modal = Some(Modal::Error {
                    title: "The change failed".to_owned(),
                    message,
                });
            }
        }
    }
    let mut effects = refresh_user(state, &user);
    effects.extend(follow_up);
    effects
}

/// A change to a password or another long-term credential answered:
/// said, and what it changed asked of IAM again.
fn beyond_keys(state: &mut State, change: &Change, user: &str, done: &Mutated) -> Vec<Effect> {
    if matches!(done, Mutated::PasswordRemoved) {
        state.view.notice = Some(format!(
            "{user}: the console password was removed (keys are unchanged)."
        ));
        return state.account.reask_password(user);
    }
    state.view.notice = Some(match change {
        Change::SetCredentialStatus { id, status, .. } => format!("{user}: {id} is now {status}."),
        _ => format!(
            "{user}: {} was deleted.",
            change.key_id().unwrap_or_default()
        ),
    });
    state.account.relist_credentials(user)
}

/// A ledger record answered: said on the status bar (a rotation's first
/// record that failed leaves it in this session only), and the ledger read
/// again so every view shows what it now holds.
fn recorded(state: &mut State, draft: &Draft, err: Option<&IamError>) -> Vec<Effect> {
    let user = draft.user.clone().unwrap_or_default();
    let key = draft.key_id.clone().unwrap_or_default();
    let why = err.map(|err| format!("{} {}", err.action, crate::account::gaps::cause(err)));
    let where_ = &state.session.ledger;
    state.view.notice = Some(match (&draft.kind, why) {
        (
            Kind::RotationStarted { .. }
            | Kind::RotationFirstUse { .. }
            | Kind::RotationFinished { .. },
            why,
        ) => rotation_recorded(state, draft, why),
        // The change itself was said already: the record only when it failed.
        (Kind::KeyMadeInactive, None) => return state.account.reread_ledger(),
        (Kind::KeyMadeInactive, Some(why)) => format!(
            "{user}: {key} — when the key was made inactive is not recorded ({why}): 'ready to delete' counts from when iamkeys next sees it inactive."
        ),
        (Kind::WaiverGranted { finding, until, .. }, None) => {
            format!("{user}: {finding} waived until {until}, recorded in the ledger ({where_}).")
        }
        (Kind::WaiverRevoked { .. }, None) => format!("{user}: waiver revoked in the ledger."),
        (kind, None) => format!("{user}: {} recorded in the ledger.", kind.name()),
        (kind, Some(why)) => format!(
            "{user}: {} was not recorded ({why}): nothing changed.",
            kind.name()
        ),
    });
    if let Some(err) = err
        && matches!(
            draft.kind,
            Kind::WaiverGranted { .. } | Kind::WaiverRevoked { .. }
        )
    {
        state.view.modal = Some(Modal::Error {
            title: "The waiver was not recorded".to_owned(),
            message: err.to_string(),
        });
    }
    state.account.reread_ledger()
}

/// After a key was made inactive: record when, and who, in the ledger
/// (`key.made_inactive`), so every operator sees how long it has been
/// inactive. A change of its own: bound to the account, audit-logged.
fn made_inactive(state: &mut State, change: &Change, actor: &Actor) -> Vec<Effect> {
    let Change::SetStatus {
        user,
        key_id,
        status: KeyStatus::Inactive,
    } = change
    else {
        return Vec::new();
    };
    record(state, actor, user, key_id, Kind::KeyMadeInactive)
}

/// Append `kind` about a user's key, bound to the actor's account.
fn record(state: &mut State, actor: &Actor, user: &str, key_id: &str, kind: Kind) -> Vec<Effect> {
    let Some(account_id) = actor.account_id.clone() else {
        return Vec::new();
    };
    // A run that keeps no ledger (tests' workers without one) records nothing.
    if *state.account.ledger_status() == crate::account::ledger::LedgerStatus::Absent {
        return Vec::new();
    }
    let change = Change::Record(Draft {
        account_id,
        user: Some(user.to_owned()),
        key_id: Some(key_id.to_owned()),
        kind,
    });
    vec![start_as(state, change, actor.clone())]
}

/// A new key: its secret on screen (or waiting its turn behind another).
fn show_secret(
    state: &mut State,
    change: &Change,
    new: crate::model::NewAccessKey,
    actor: Actor,
) -> Vec<Effect> {
    let user = change.user().to_owned();
    // A rotation's new key goes where the user's handoff tag says, at once;
    // the secret stays on screen whatever happens.
    let target = match change {
        Change::Create {
            rotating: Some(_), ..
        } => state.handoff(&user),
        _ => None,
    };
    let (handoff, effects) = match target {
        None => (crate::state::HandOff::None, Vec::new()),
        Some(Err(why)) => (crate::state::HandOff::Failed(why), Vec::new()),
        Some(Ok(target)) => (
            crate::state::HandOff::Sending(target.describe()),
            vec![Effect::HandOff {
                target,
                user: user.clone(),
                key_id: new.key.id.clone(),
                secret: new.secret.clone(),
                actor: actor.clone(),
            }],
        ),
    };
    let dialog = SecretDialog {
        user: user.clone(),
        key_id: new.key.id.clone(),
        actor,
        secret: new.secret,
        save: SaveState::Idle,
        copied: false,
        acknowledging: false,
        handoff,
    };
    if matches!(state.view.modal, Some(Modal::Secret(_))) {
        // Never over the secret on screen: this one waits its turn.
        state.view.notice = Some(format!(
            "Created {} for {user}: its secret is next ({} waiting).",
            new.key.id,
            state.view.secrets_waiting.len() + 1
        ));
        state.view.secrets_waiting.push_back(dialog);
    } else {
        state.view.notice = Some(match &change {
            Change::Create {
                rotating: Some(old),
                ..
            } => format!(
                "Created {} for {user} to replace {old}: put it where {old} is used; iamkeys watches for its first use.",
                new.key.id
            ),
            _ => format!("Created {} for {user}.", new.key.id),
        });
        state.view.modal = Some(Modal::Secret(dialog));
    }
    effects
}

/// Where a rotation's new key was handed off, or why not: said in its
/// secret dialog (on screen or waiting).
pub(super) fn on_handed_off(state: &mut State, key_id: &str, result: Result<String, String>) {
    let outcome = match result {
        Ok(place) => crate::state::HandOff::Done(place),
        Err(why) => crate::state::HandOff::Failed(why),
    };
    let on_screen = match &mut state.view.modal {
        Some(Modal::Secret(dialog)) if dialog.key_id == key_id => Some(dialog),
        _ => None,
    };
    if let Some(dialog) = on_screen.or_else(|| {
        state
            .view
            .secrets_waiting
            .iter_mut()
            .find(|d| d.key_id == key_id)
    }) {
        dialog.handoff = outcome;
    }
}

/// The new key of a rotation was seen used: record the first use in the
/// ledger, so every operator and the report see it (a rotation this
/// session could not record is left alone, and nothing is written in
/// read-only mode).
pub(super) fn record_first_use(state: &mut State, rotation: &Rotation) -> Vec<Effect> {
    if rotation.kept != Kept::Ledger || state.session.read_only {
        return Vec::new();
    }
    let Some(used_at) = rotation.first_used else {
        return Vec::new();
    };
    let Ok(account) = state.change_target() else {
        return Vec::new();
    };
    let change = Change::Record(Draft {
        account_id: account.account_id.clone(),
        user: Some(rotation.user.clone()),
        key_id: Some(rotation.old.clone()),
        kind: Kind::RotationFirstUse {
            new_key_id: rotation.new.clone(),
            used_at,
        },
    });
    vec![start(state, change, &account)]
}

/// After a change that worked: a rotation's new key made (the worker has
/// recorded it in the ledger already, or says why not), or a rotation's old
/// or new key deleted (the rotation is over: recorded).
fn rotation_follow_up(
    state: &mut State,
    change: &Change,
    result: &Result<Mutated, IamError>,
    actor: &Actor,
    at_send: Option<Rotation>,
) -> Vec<Effect> {
    match (change, result) {
        (
            Change::Create {
                user,
                rotating: Some(old),
            },
            Ok(made @ (Mutated::Created(new) | Mutated::Rotated { new, .. })),
        ) => {
            let rotation = Rotation {
                user: user.clone(),
                old: old.clone(),
                new: new.key.id.clone(),
                started: state.now,
                first_used: None,
                kept: Kept::Writing,
            };
            state.account.begin_rotation(rotation);
            let recorded = match made {
                Mutated::Rotated { recorded, .. } => recorded.clone(),
                _ => Err("this run keeps no ledger".to_owned()),
            };
            let read_again = recorded.is_ok();
            state.account.rotation_recorded(user, old, recorded);
            if read_again {
                state.account.reread_ledger()
            } else {
                Vec::new()
            }
        }
        (Change::Delete { user, key_id, .. }, Ok(_)) => {
            // The rotation as it stood when the delete was sent (a refresh
            // meanwhile may have the ledger still being read), else now.
            let Some(rotation) = at_send.or_else(|| state.account.rotation_claim_on(user, key_id))
            else {
                return Vec::new();
            };
            state.account.end_rotation(user, &rotation.old);
            if rotation.kept != Kept::Ledger {
                return Vec::new();
            }
            let kind = Kind::RotationFinished {
                new_key_id: rotation.new.clone(),
            };
            record(state, actor, user, &rotation.old, kind)
        }
        _ => Vec::new(),
    }
}

/// A rotation's record answered: a first record that failed leaves the
/// rotation in this session only. What the status bar says.
fn rotation_recorded(state: &mut State, draft: &Draft, why: Option<String>) -> String {
    let user = draft.user.clone().unwrap_or_default();
    let old = draft.key_id.clone().unwrap_or_default();
    match (&draft.kind, why) {
        (Kind::RotationStarted { .. }, None) => {
            state.account.rotation_recorded(&user, &old, Ok(()));
            format!("{user}: the rotation of {old} is recorded in the ledger.")
        }
        (Kind::RotationStarted { .. }, Some(why)) => {
            state
                .account
                .rotation_recorded(&user, &old, Err(why.clone()));
            format!(
                "{user}: the rotation of {old} will not be remembered ({why}): it is watched in this session only."
            )
        }
        (Kind::RotationFinished { .. }, None) => {
            state.account.end_rotation(&user, &old);
            format!("{user}: the rotation of {old} is over (recorded in the ledger).")
        }
        (Kind::RotationFinished { .. }, Some(why)) => format!(
            "{user}: the end of the rotation of {old} could not be recorded ({why}): iamkeys shows it as stale; R on the key records it again."
        ),
        // Its first use was said already ("the new key … is in use").
        (_, None) => state.view.notice.clone().unwrap_or_default(),
        (_, Some(why)) => {
            format!("{user}: the new key's first use could not be recorded ({why}).")
        }
    }
}

/// Re-list a user's keys from IAM (ahead of the queue).
fn refresh_user(state: &mut State, user: &str) -> Vec<Effect> {
    state.account.relist_keys(user)
}

pub(super) fn on_saved(state: &mut State, profile: String, result: Result<SaveOutcome, String>) {
    let Some(Modal::Secret(dialog)) = &mut state.view.modal else {
        return;
    };
    dialog.save = match result {
        Ok(SaveOutcome::Saved { path }) => SaveState::Saved {
            name: profile,
            path,
        },
        Ok(SaveOutcome::Exists) => SaveState::ConfirmOverwrite { name: profile },
        Err(message) => SaveState::Failed { message },
    };
}
