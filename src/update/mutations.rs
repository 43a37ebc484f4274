//! Starting changes and folding their results in: mark what is in flight,
//! show each outcome, and re-list the user's keys from IAM afterwards.

use crate::account::rotation::{Kept, Rotation};
use crate::action::{Mutated, SaveOutcome};
use crate::effect::{Actor, Change, Effect, INACTIVE_SINCE, ROTATION};
use crate::iam::{ErrorKind, IamError};
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
    if let Change::Tag { tag, .. } = &change
        && tag.starts_with(INACTIVE_SINCE)
    {
        // Bookkeeping after a key was made inactive (or active, or deleted):
        // said only when it failed; the change itself was said already.
        if let Err(err) = &result {
            state.view.notice = Some(format!(
                "{user}: {} — when the key was made inactive is not remembered ({} {}): 'ready to delete' cannot be told for it.",
                change.key_id().unwrap_or("?"),
                err.action,
                crate::account::gaps::cause(err)
            ));
        }
        return state.account.reread_tags(&user);
    }
    if let Change::Tag { tag, .. } = &change
        && tag.starts_with(ROTATION)
    {
        rotation_tag_answered(state, &change, result.as_ref().err());
        return state.account.reread_tags(&user);
    }
    let mut follow_up = if result.is_ok() {
        inactive_since_tag(state, &change, &actor)
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
    match result {
        Ok(Mutated::Created(new)) => {
            let hand_off = show_secret(state, &change, new, actor);
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
        Ok(Mutated::Tagged) => state.view.notice = Some(waiver_notice(state, &change, &user)),
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
    let mut effects = if matches!(change, Change::Tag { .. }) {
        state.account.recheck_tag_writers();
        state.account.reread_tags(&user)
    } else {
        refresh_user(state, &user)
    };
    effects.extend(follow_up);
    effects
}

/// What the status bar says after a waiver tag was written or removed.
fn waiver_notice(state: &State, change: &Change, user: &str) -> String {
    match change {
        Change::Tag {
            value: Some(_),
            tag,
            ..
        } if state.account.thresholds.waiver_approvers.is_empty() => format!(
            "{user}: waiver {tag} written; not honoured: no [audit] waiver_approvers are configured."
        ),
        Change::Tag {
            value: Some(_),
            tag,
            ..
        } => format!(
            "{user}: waiver {tag} written; honoured once CloudTrail shows an approver's TagUser (minutes; r re-checks)."
        ),
        _ => format!("{user}: waiver removed."),
    }
}

/// After a key was made inactive: remember when, and who, in a user tag
/// (`iamkeys:inactive-since:<key ID>`), so every operator sees how long it
/// has been inactive. Made active again or deleted: the tag goes. A change
/// of its own: bound to the account, audit-logged.
fn inactive_since_tag(state: &mut State, change: &Change, actor: &Actor) -> Vec<Effect> {
    let (user, key_id, value) = match change {
        Change::SetStatus {
            user,
            key_id,
            status: KeyStatus::Inactive,
        } => {
            let at = state.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let caller = actor.caller_arn.as_deref().unwrap_or("");
            let by = crate::account::users::tag_word(caller.rsplit('/').next().unwrap_or(""));
            (user, key_id, Some(format!("{at} {by}")))
        }
        Change::SetStatus { user, key_id, .. } | Change::Delete { user, key_id, .. } => {
            (user, key_id, None)
        }
        _ => return Vec::new(),
    };
    let tag = format!("{INACTIVE_SINCE}{key_id}");
    // Nothing to remove when the key has no such tag (as far as the tags
    // read say: while they are being read again, it is removed anyway;
    // removing a tag that is not there changes nothing).
    if value.is_none()
        && state
            .account
            .users()
            .get(user)
            .is_some_and(|r| r.lacks_tag(&tag))
    {
        return Vec::new();
    }
    let change = Change::Tag {
        user: user.clone(),
        tag,
        value,
        key_id: Some(key_id.clone()),
    };
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

/// The new key of a rotation was seen used: record the first use in its
/// tag, so every operator and the report see it (a tag this session could
/// not write is left alone, and nothing is written in read-only mode).
pub(super) fn record_first_use(state: &mut State, rotation: &Rotation) -> Vec<Effect> {
    if rotation.kept != Kept::Tag || state.session.read_only {
        return Vec::new();
    }
    let Ok(account) = state.change_target() else {
        return Vec::new();
    };
    let change = Change::Tag {
        user: rotation.user.clone(),
        tag: rotation.tag_key(),
        value: Some(rotation.tag_value()),
        key_id: Some(rotation.old.clone()),
    };
    vec![start(state, change, &account)]
}

/// After a change that worked: a rotation's new key made (write its tag),
/// or a rotation's old or new key deleted (the rotation is over: remove it).
fn rotation_follow_up(
    state: &mut State,
    change: &Change,
    result: &Result<Mutated, IamError>,
    actor: &Actor,
    at_send: Option<Rotation>,
) -> Vec<Effect> {
    let change = match (change, result) {
        (
            Change::Create {
                user,
                rotating: Some(old),
            },
            Ok(Mutated::Created(new)),
        ) => {
            let rotation = Rotation {
                user: user.clone(),
                old: old.clone(),
                new: new.key.id.clone(),
                started: state.now,
                first_used: None,
                kept: Kept::Writing,
            };
            state.account.begin_rotation(rotation.clone());
            Change::Tag {
                user: user.clone(),
                tag: rotation.tag_key(),
                value: Some(rotation.tag_value()),
                key_id: Some(old.clone()),
            }
        }
        (Change::Delete { user, key_id, .. }, Ok(_)) => {
            // The rotation as it stood when the delete was sent (a refresh
            // meanwhile may have the tags still being read), else now.
            let Some(rotation) = at_send.or_else(|| state.account.rotation_claim_on(user, key_id))
            else {
                return Vec::new();
            };
            state.account.end_rotation(user, &rotation.old);
            let tag = rotation.tag_key();
            if state
                .account
                .users()
                .get(user)
                .is_some_and(|r| r.lacks_tag(&tag))
            {
                return Vec::new();
            }
            Change::Tag {
                user: user.clone(),
                tag,
                value: None,
                key_id: Some(rotation.old),
            }
        }
        _ => return Vec::new(),
    };
    vec![start_as(state, change, actor.clone())]
}

/// A rotation tag's write (or removal) answered: a first write that failed
/// leaves the rotation in this session only, said on the status bar.
fn rotation_tag_answered(state: &mut State, change: &Change, err: Option<&IamError>) {
    let Change::Tag {
        user,
        value,
        key_id: Some(old),
        ..
    } = change
    else {
        return;
    };
    let Some(err) = err else {
        if value.is_none() {
            state.account.end_rotation(user, old);
            state.view.notice = Some(format!("{user}: the rotation tag of {old} was removed."));
        } else {
            state.account.rotation_tag_written(user, old, Ok(()));
        }
        return;
    };
    let why = format!("{} {}", err.action, crate::account::gaps::cause(err));
    let first_write = state
        .account
        .rotation_of(user, old)
        .is_some_and(|r| r.kept == Kept::Writing);
    state.view.notice = Some(if first_write {
        state
            .account
            .rotation_tag_written(user, old, Err(why.clone()));
        format!(
            "{user}: the rotation of {old} will not be remembered ({why}): it is watched in this session only."
        )
    } else if value.is_some() {
        format!(
            "{user}: the new key's first use could not be recorded in the tag of {old} ({why})."
        )
    } else {
        format!(
            "{user}: the rotation tag of {old} could not be removed ({why}): remove {ROTATION}{old} by hand."
        )
    });
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
