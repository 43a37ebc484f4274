//! Commands that act on keys: open the create / make inactive / make active /
//! delete dialogs, mark keys, copy a key ID. Nothing is changed here: a
//! dialog opens, and only its confirmation asks for a change.

use crate::account::users::Since;
use crate::effect::Effect;
use crate::model::{AccessKey, KeyStatus};
use crate::secret::Secret;
use crate::state::{
    AccountRef, BulkDeleteDialog, Button, Confirm, DeleteDialog, KeyTarget, Modal, Operation,
    State, UserRow,
};

/// IAM allows two access keys per user.
pub const KEYS_PER_USER: usize = 2;

/// The facts a dialog shows about a key.
pub fn target(state: &State, row: &UserRow, key: &AccessKey) -> KeyTarget {
    let session_key = state
        .account
        .known_identity()
        .and_then(|i| i.access_key_id.as_deref());
    KeyTarget {
        user: row.user.name.clone(),
        key_id: key.id.clone(),
        status: key.status,
        created: key.created,
        last_used: row.key_last_used(key),
        is_session_key: session_key == Some(key.id.as_str()),
        credential: None,
    }
}

/// A target for another long-term credential of the user: its status as
/// the key rules read one (Expired cannot be used: as Inactive).
fn credential_target(
    row: &UserRow,
    credential: &crate::model::credential::Credential,
) -> KeyTarget {
    use crate::model::credential::CredentialStatus;
    KeyTarget {
        user: row.user.name.clone(),
        key_id: credential.id.clone(),
        status: match credential.status {
            CredentialStatus::Active => KeyStatus::Active,
            CredentialStatus::Inactive | CredentialStatus::Expired => KeyStatus::Inactive,
            CredentialStatus::Other(_) => KeyStatus::Unknown,
        },
        created: credential.created,
        last_used: None,
        is_session_key: false,
        credential: Some(credential.kind.clone()),
    }
}

fn refuse(state: &mut State, title: &str, message: String) -> Vec<Effect> {
    state.view.modal = Some(Modal::Error {
        title: title.to_owned(),
        message,
    });
    Vec::new()
}

fn say(state: &mut State, message: String) -> Vec<Effect> {
    state.view.notice = Some(message);
    Vec::new()
}

/// The account a change dialog binds to, or the refusal said on the status bar.
pub(super) fn bound(state: &mut State) -> Option<AccountRef> {
    match state.change_target() {
        Ok(account) => Some(account),
        Err(message) => {
            state.view.notice = Some(message);
            None
        }
    }
}

pub(super) fn create(state: &mut State) -> Vec<Effect> {
    let Some(account) = bound(state) else {
        return Vec::new();
    };
    let Some(row) = state.selected_user() else {
        return say(state, "No user selected.".to_owned());
    };
    let user = row.user.name.clone();
    let has_password = row.password == Some(true);
    if state.account.user_busy(&user) {
        return say(state, format!("A key is already being created for {user}."));
    }
    match row.listed_keys() {
        None => say(
            state,
            format!("Still listing {user}'s keys: try again in a moment."),
        ),
        Some(keys) if keys.len() >= KEYS_PER_USER => {
            // The key to retire: an Inactive one (already out of use), else
            // the older.
            let retire = keys
                .iter()
                .min_by_key(|k| (k.status != KeyStatus::Inactive, k.created))
                .map(|k| {
                    let status = match k.status {
                        KeyStatus::Inactive => "inactive",
                        KeyStatus::Active => "active, the older",
                        KeyStatus::Unknown => "status unknown",
                    };
                    format!("{} ({status})", k.id)
                })
                .unwrap_or_default();
            let map = &state.view.keymap;
            let message = format!(
                "{user} already has {} access keys, IAM's limit. First retire {retire}: make it inactive ({}), check that nothing breaks, delete it ({}), then create the new one.",
                keys.len(),
                map.label(crate::keymap::Command::Deactivate),
                map.label(crate::keymap::Command::Delete),
            );
            refuse(state, "Cannot create a key", message)
        }
        Some(_) => {
            state.view.modal = Some(Modal::Confirm(Confirm {
                operation: Operation::Create { user, has_password },
                focus: Button::Cancel,
                account,
                warnings: Vec::new(),
                from_marks: false,
            }));
            Vec::new()
        }
    }
}

fn selected_target(state: &State) -> Result<KeyTarget, String> {
    if let Some((row, credential)) = state.selected_credential() {
        if state.account.key_busy(&credential.id) {
            return Err(format!(
                "A change to {} is already in flight.",
                credential.id
            ));
        }
        return Ok(credential_target(row, credential));
    }
    let (row, key) = state
        .selected_key()
        .ok_or_else(|| "No key selected: Enter or Tab moves to the key pane.".to_owned())?;
    busy_or_target(state, row, key)
}

/// A named key of a named user (the findings dialog's own key), whatever
/// the selection is now: a background result may have re-sorted the list.
fn named_target(state: &State, user: &str, key_id: &str) -> Result<KeyTarget, String> {
    let row = state
        .account
        .users()
        .get(user)
        .ok_or_else(|| format!("{user} is no longer listed: press r to refresh."))?;
    if let Some(credential) = row.credentials.known().into_iter().find(|c| c.id == key_id) {
        if state.account.key_busy(key_id) {
            return Err(format!("A change to {key_id} is already in flight."));
        }
        return Ok(credential_target(row, credential));
    }
    let key = row
        .listed_keys()
        .and_then(|keys| keys.iter().find(|k| k.id == key_id))
        .ok_or_else(|| format!("{key_id} is no longer among {user}'s keys: press r to refresh."))?;
    busy_or_target(state, row, key)
}

fn busy_or_target(state: &State, row: &UserRow, key: &AccessKey) -> Result<KeyTarget, String> {
    if state.account.key_busy(&key.id) {
        return Err(format!("A change to {} is already in flight.", key.id));
    }
    Ok(target(state, row, key))
}

/// Which key a command acts on: the selected one, or one named by a dialog.
#[derive(Debug, Clone, Copy)]
pub(super) enum Which<'a> {
    Selected,
    Named { user: &'a str, key_id: &'a str },
}

impl Which<'_> {
    fn target(self, state: &State) -> Result<KeyTarget, String> {
        match self {
            Self::Selected => selected_target(state),
            Self::Named { user, key_id } => named_target(state, user, key_id),
        }
    }
}

/// The warnings for making these keys inactive: any that is the old key of
/// a rotation whose new key has not been seen used.
fn unused_successors(state: &State, targets: &[KeyTarget]) -> Vec<String> {
    let mut warnings: Vec<String> = targets
        .iter()
        .filter_map(|t| state.account.rotation_of(&t.user, &t.key_id))
        .filter_map(|r| {
            let old_used = state.account.old_key_still_used(&r)?;
            Some(format!(
                "{} was still used {}, after the new key {}'s first use: the workload has not switched (wait, and look with u)",
                r.old,
                old_used.format("%Y-%m-%d %H:%M UTC"),
                r.new
            ))
        })
        .collect();
    let unused: Vec<String> = targets
        .iter()
        .filter_map(|t| {
            state.account.rotation_of(&t.user, &t.key_id).or_else(|| {
                // A stale tag whose new key is gone: nothing replaces it.
                state
                    .account
                    .stale_rotation_of(&t.user, &t.key_id)
                    .map(|(r, _)| r)
                    .filter(|r| state.account.new_key_gone(r))
            })
        })
        .filter(|r| state.account.new_key_used(r).is_none())
        .map(|r| {
            let why = if state.account.new_key_gone(&r) {
                "no longer exists"
            } else {
                "has not been used yet"
            };
            format!(
                "the new key {} {why}: whatever uses {} will break",
                r.new, r.old
            )
        })
        .collect();
    warnings.extend(unused);
    warnings
}

/// `R` on an Active key: the dialog that explains the rotation, names the
/// account, and creates the new key on `y`. Refused, with the reason, when
/// the user already has two keys, or the key is not Active, or is being
/// rotated already.
pub(super) fn rotate(state: &mut State) -> Vec<Effect> {
    let Some(account) = bound(state) else {
        return Vec::new();
    };
    let target = match selected_target(state) {
        Ok(target) => target,
        Err(message) => return say(state, message),
    };
    let user = target.user.clone();
    if let Some((stale, why)) = state.account.stale_rotation_of(&user, &target.key_id) {
        // The record IAM contradicts is ended first (a change like the others).
        state.view.modal = Some(Modal::Confirm(Confirm {
            operation: Operation::EndRotation {
                user,
                old: stale.old,
                new: stale.new,
                why,
            },
            focus: Button::Cancel,
            account,
            warnings: Vec::new(),
            from_marks: false,
        }));
        return Vec::new();
    }
    if target.status != KeyStatus::Active {
        return say(
            state,
            format!(
                "{} is {}: only an Active key is rotated (a new key replaces it while it still works).",
                target.key_id, target.status
            ),
        );
    }
    if let Some(rotation) = state.account.rotation_of(&user, &target.key_id) {
        return say(
            state,
            format!(
                "{} is already being rotated → {} (started {}).",
                rotation.old,
                rotation.new,
                rotation.started.format("%Y-%m-%d %H:%M UTC")
            ),
        );
    }
    if state.account.user_busy(&user) {
        return say(state, format!("A key is already being created for {user}."));
    }
    let Some(row) = state.account.users().get(&user) else {
        return say(
            state,
            format!("{user} is no longer listed: press r to refresh."),
        );
    };
    let has_password = row.password == Some(true);
    let count = row.listed_keys().map_or(0, <[_]>::len);
    if count >= KEYS_PER_USER {
        // Name the key to retire by its last use: the least recently used
        // (never used first), not merely "the other one".
        let retire = row
            .listed_keys()
            .unwrap_or_default()
            .iter()
            .min_by_key(|k| row.key_last_used(k).and_then(|u| u.date))
            .map(|k| {
                let last = row.key_last_used(k).map_or_else(
                    || "last use unknown".to_owned(),
                    |u| {
                        u.date.map_or_else(
                            || "never used".to_owned(),
                            |d| format!("last used {}", d.format("%Y-%m-%d %H:%M UTC")),
                        )
                    },
                );
                format!("{} ({last})", k.id)
            })
            .unwrap_or_default();
        return refuse(
            state,
            "Cannot rotate: two keys already",
            format!(
                "{user} already has {count} access keys, IAM's limit, so the new key cannot be made. Retire the one used least recently first: {retire}. Make it inactive ({}), check that nothing breaks, delete it ({}), then rotate.",
                state.view.keymap.label(crate::keymap::Command::Deactivate),
                state.view.keymap.label(crate::keymap::Command::Delete),
            ),
        );
    }
    state.view.modal = Some(Modal::Confirm(Confirm {
        operation: Operation::Rotate {
            target,
            has_password,
        },
        focus: Button::Cancel,
        account,
        warnings: Vec::new(),
        from_marks: false,
    }));
    Vec::new()
}

pub(super) fn set_status(state: &mut State, status: KeyStatus) -> Vec<Effect> {
    if status == KeyStatus::Inactive && !state.view.marks.is_empty() {
        return bulk_deactivate(state);
    }
    set_key_status(state, Which::Selected, status)
}

/// The dialog for one key alone, whatever is marked.
pub(super) fn set_key_status(
    state: &mut State,
    which: Which<'_>,
    status: KeyStatus,
) -> Vec<Effect> {
    let Some(account) = bound(state) else {
        return Vec::new();
    };
    let target = match which.target(state) {
        Ok(target) => target,
        Err(message) => return say(state, message),
    };
    if target.status == status {
        return say(state, format!("{} is already {status}.", target.key_id));
    }
    confirm_status(state, account, vec![target], status, false)
}

/// The dialog confirming `status` for `targets` (warned of rotations whose
/// new key is unused when they are made inactive).
fn confirm_status(
    state: &mut State,
    account: AccountRef,
    targets: Vec<KeyTarget>,
    status: KeyStatus,
    from_marks: bool,
) -> Vec<Effect> {
    let warnings = if status == KeyStatus::Inactive {
        unused_successors(state, &targets)
    } else {
        Vec::new()
    };
    state.view.modal = Some(Modal::Confirm(Confirm {
        operation: Operation::SetStatus { targets, status },
        focus: Button::Cancel,
        account,
        warnings,
        from_marks,
    }));
    Vec::new()
}

fn bulk_deactivate(state: &mut State) -> Vec<Effect> {
    let Some(account) = bound(state) else {
        return Vec::new();
    };
    let targets: Vec<KeyTarget> = state
        .view
        .marks
        .iter()
        .filter_map(|(user, key_id)| {
            let row = state.account.users().get(user)?;
            let key = row.listed_keys()?.iter().find(|k| &k.id == key_id)?;
            Some(target(state, row, key))
        })
        .collect();
    if targets.is_empty() {
        state.view.marks.clear();
        return say(state, "The marked keys no longer exist.".to_owned());
    }
    confirm_status(state, account, targets, KeyStatus::Inactive, true)
}

/// `d` with keys marked: delete them all from one dialog, when every one
/// is ready to delete (made inactive by iamkeys `retire_after_days` ago
/// and still inactive). Anything else is refused, naming the keys.
fn bulk_delete(state: &mut State) -> Vec<Effect> {
    let Some(account) = bound(state) else {
        return Vec::new();
    };
    let retire_after =
        chrono::TimeDelta::days(i64::from(state.account.thresholds.retire_after_days));
    let mut targets = Vec::new();
    let mut not_ready = Vec::new();
    for (user, key_id) in &state.view.marks {
        let Some(row) = state.account.users().get(user) else {
            continue;
        };
        let Some(key) = row
            .listed_keys()
            .and_then(|k| k.iter().find(|k| &k.id == key_id))
        else {
            continue;
        };
        let ready = key.status == KeyStatus::Inactive
            && matches!(
                row.inactive_since(key_id, state.now, state.account.ledger()),
                Some(Since::Honoured { at, .. }) if state.now - at >= retire_after
            );
        if ready {
            targets.push(target(state, row, key));
        } else {
            not_ready.push(key_id.clone());
        }
    }
    if !not_ready.is_empty() {
        return refuse(
            state,
            "Only keys ready to delete go together",
            format!(
                "{} acts on {}, not the selected one (Esc on the list clears marks). Marked keys are deleted together only when each is ready to delete (made inactive by iamkeys {} days ago or more, and still inactive). Not ready: {}. Unmark them (Space), or delete each on its own.",
                state.view.keymap.label(crate::keymap::Command::Delete),
                crate::state::marked_keys(state.view.marks.len()),
                state.account.thresholds.retire_after_days,
                not_ready.join(", ")
            ),
        );
    }
    if targets.is_empty() {
        state.view.marks.clear();
        return say(state, "The marked keys no longer exist.".to_owned());
    }
    state.view.modal = Some(Modal::BulkDelete(BulkDeleteDialog {
        targets,
        account,
        input: String::new(),
        mismatch: false,
    }));
    Vec::new()
}

pub(super) fn delete(state: &mut State, which: Which<'_>) -> Vec<Effect> {
    if matches!(which, Which::Selected) && !state.view.marks.is_empty() {
        return bulk_delete(state);
    }
    let Some(account) = bound(state) else {
        return Vec::new();
    };
    let target = match which.target(state) {
        Ok(target) => target,
        Err(message) => return say(state, message),
    };
    if target.status == KeyStatus::Active {
        return refuse(
            state,
            "Cannot delete an active key",
            format!(
                "{} is Active: make it inactive first (i), check that nothing breaks, then delete it. (The AWS console and the CIS backout plan ask the same.)",
                target.key_id
            ),
        );
    }
    state.view.modal = Some(Modal::Delete(DeleteDialog {
        target,
        account,
        input: String::new(),
        mismatch: false,
    }));
    Vec::new()
}

pub(super) fn toggle_mark(state: &mut State) -> Vec<Effect> {
    let Some((row, key)) = state.selected_key() else {
        return say(
            state,
            "No key selected: Enter or Tab moves to the key pane.".to_owned(),
        );
    };
    let mark = (row.user.name.clone(), key.id.clone());
    // The header and status bar count the marks: the notice says which.
    let said = if state.view.marks.remove(&mark) {
        format!("Unmarked {} of {}", mark.1, mark.0)
    } else {
        let said = format!("Marked {} of {}", mark.1, mark.0);
        state.view.marks.insert(mark);
        said
    };
    say(state, said)
}

pub(super) fn copy_id(state: &mut State) -> Vec<Effect> {
    let Some((_, key)) = state.selected_key() else {
        return say(
            state,
            "No key selected: Enter or Tab moves to the key pane.".to_owned(),
        );
    };
    let id = key.id.clone();
    state.view.notice = Some(format!("Copied {id} to the clipboard"));
    vec![Effect::Copy(Secret::new(id))]
}

/// The console link of the selected user: its IAM page, or in a member of
/// `--org` the switch-role link into it with the organization's role,
/// landing on that page.
fn console_link(state: &State) -> Result<String, String> {
    if state.view.table.root_selected() {
        return Err(
            "The root user has no IAM page: sign in as root (Security credentials).".to_owned(),
        );
    }
    let Some(row) = state.selected_user() else {
        return Err("No user selected.".to_owned());
    };
    let page = crate::console::user_url(&row.user.arn, &row.user.name);
    match (state.open_member(), &state.org) {
        (Some(member), Some(org)) if member.info.id != org.own_account => {
            Ok(crate::console::switch_role_url(
                &row.user.arn,
                &member.info.id,
                &org.role,
                &member.info.name,
                &page,
            ))
        }
        _ => Ok(page),
    }
}

/// `o` opens the selected user's console page with the system's opener;
/// `O` copies the link.
pub(super) fn console(state: &mut State, open: bool) -> Vec<Effect> {
    let link = match console_link(state) {
        Ok(link) => link,
        Err(why) => return say(state, why),
    };
    if !open {
        state.view.notice = Some(format!("Copied the console link: {link}"));
        return vec![Effect::Copy(Secret::new(link))];
    }
    let Some(opener) = state.session.opener.clone() else {
        let copy = state.view.keymap.label(crate::keymap::Command::ConsoleCopy);
        return say(
            state,
            format!(
                "No way to open a browser here (set $BROWSER, or install xdg-open): {copy} copies the link instead."
            ),
        );
    };
    state.view.notice = Some(format!("Opening {link}"));
    vec![Effect::OpenUrl(crate::console::command(&opener, &link))]
}
