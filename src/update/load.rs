//! Loading the account: which calls to make, and folding their results in.

use super::audit;
use crate::action::Loaded;
use crate::audit::FindingId;
use crate::effect::{Call, Effect};
use crate::iam::{ErrorKind, IamError};
use crate::model::{KeyStatus, Page, User};
use crate::state::users::ExtrasState;
use crate::state::{IdentityStatus, KeysState, ListStatus, ReportStatus, State};

/// An IAM call of the current load, counted as pending until it answers
/// (the one place an `Effect::Iam` is made).
pub(super) fn call(state: &mut State, call: Call) -> Effect {
    state.pending += 1;
    Effect::Iam {
        generation: state.generation,
        call,
    }
}

/// Start (or restart) loading: a new generation, empty tables, the first calls.
pub fn start_load(state: &mut State) -> Vec<Effect> {
    state.generation += 1;
    state.pending = 0;
    state.identity = IdentityStatus::Loading;
    state.list = ListStatus::Loading { pages: 0 };
    state.report = ReportStatus::Loading;
    state.users.clear();
    state.key_cursor = 0;
    state.notice = None;
    state.backoff = None;
    state.marks.clear();
    state.finding_totals = crate::audit::FindingCounts::default();
    state.root_findings.clear();
    state.root_keys = None;
    state.newest_key = None;
    state.users_with_keys = 0;
    state.users_with_password = 0;
    state.gap_users.clear();
    vec![
        call(state, Call::Identity),
        call(state, Call::ListUsers { marker: None }),
        call(state, Call::CredentialReport),
    ]
}

/// Ask for the selected user's keys ahead of the background queue.
pub fn request_selected_keys(state: &mut State) -> Vec<Effect> {
    if !state.list_keys {
        return Vec::new();
    }
    let Some(row) = state.users.selected() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    if row.extras == ExtrasState::NotRequested {
        let user = row.user.name.clone();
        if let Some(row) = state.users.get_mut(&user) {
            row.extras = ExtrasState::Requested;
        }
        effects.push(call(state, Call::UserExtras { user }));
    }
    let Some(row) = state.users.selected() else {
        return effects;
    };
    if !matches!(row.keys, KeysState::NotRequested | KeysState::Queued) {
        return effects;
    }
    let user = row.user.name.clone();
    if let Some(row) = state.users.get_mut(&user) {
        row.keys = KeysState::Priority;
    }
    effects.push(call(
        state,
        Call::ListKeys {
            user,
            priority: true,
        },
    ));
    effects
}

pub(super) fn on_loaded(state: &mut State, result: Loaded) -> Vec<Effect> {
    match result {
        Loaded::Identity(Ok(identity)) => {
            state.identity = IdentityStatus::Known(identity);
            Vec::new()
        }
        Loaded::Identity(Err(err)) => {
            state.notice = Some(err.operator_message(&state.session.profile));
            state.identity = IdentityStatus::Failed(err);
            Vec::new()
        }
        Loaded::UsersPage(Ok(page)) => on_users_page(state, page),
        Loaded::UsersPage(Err(err)) => {
            state.notice = Some(err.operator_message(&state.session.profile));
            state.list = ListStatus::Failed(err);
            Vec::new()
        }
        Loaded::CredentialReport(Ok(report)) => {
            let fresh = report.fresh;
            state.report = ReportStatus::Loaded(report);
            apply_report(state, None);
            audit::refresh_all(state);
            let mut effects = missing_from_report(state, None);
            if !fresh && !state.list_keys {
                // A report IAM already had may be hours old: keys made
                // since are not in it. See every key that exists now.
                state.list_keys = true;
                let users: Vec<String> = state.users.rows().map(|r| r.user.name.clone()).collect();
                effects.extend(queue_keys(state, &users));
            }
            let listed: Vec<String> = state
                .users
                .rows()
                .filter(|r| r.listed_keys().is_some())
                .map(|r| r.user.name.clone())
                .collect();
            for user in &listed {
                effects.extend(last_used_requests(state, user));
                effects.extend(verify_password(state, user));
            }
            effects.extend(keys_for_findings(state, None));
            effects
        }
        Loaded::CredentialReport(Err(err)) => on_report_failed(state, err),
        Loaded::Keys { user, result } => on_keys(state, &user, result),
        Loaded::LastUsed {
            user,
            key_id,
            result,
        } => {
            if let Some(row) = state.users.get_mut(&user) {
                match result {
                    Ok(used) => {
                        row.last_used_errors.remove(&key_id);
                        row.last_used.insert(key_id, used);
                    }
                    Err(err) => {
                        row.last_used_errors.insert(key_id, err);
                    }
                }
                audit::refresh_user(state, &user);
            }
            Vec::new()
        }
        Loaded::RootKeys(result) => {
            state.root_keys = Some(result);
            audit::refresh_all(state);
            Vec::new()
        }
        Loaded::UserExtras { user, extras } => {
            if let Some(row) = state.users.get_mut(&user) {
                row.extras = ExtrasState::Loaded(extras);
            }
            Vec::new()
        }
        Loaded::UserDetails {
            user,
            password,
            mfa,
        } => {
            on_details(state, &user, password, mfa);
            Vec::new()
        }
    }
}

fn on_users_page(state: &mut State, page: Page<User>) -> Vec<Effect> {
    let pages = match state.list {
        ListStatus::Loading { pages } | ListStatus::Done { pages } => pages + 1,
        ListStatus::Failed(_) => 1,
    };
    let names: Vec<String> = page.items.iter().map(|u| u.name.clone()).collect();
    state.users.upsert(page.items);
    let mut effects = Vec::new();
    match page.next_marker {
        Some(marker) => {
            state.list = ListStatus::Loading { pages };
            effects.push(call(
                state,
                Call::ListUsers {
                    marker: Some(marker),
                },
            ));
        }
        None => state.list = ListStatus::Done { pages },
    }
    let loaded = matches!(state.report, ReportStatus::Loaded(_));
    if loaded {
        apply_report(state, Some(&names));
        effects.extend(missing_from_report(state, Some(&names)));
    }
    for user in &names {
        audit::refresh_user(state, user);
    }
    if state.list_keys {
        effects.extend(request_selected_keys(state));
        effects.extend(queue_keys(state, &names));
    }
    if loaded {
        effects.extend(keys_for_findings(state, Some(&names)));
    }
    if state.report_unavailable().is_some() {
        for user in names {
            effects.extend(details(state, &user));
        }
    }
    effects
}

/// Put the listing of these users' keys in the background queue (users
/// whose keys are already asked for or known are left alone).
fn queue_keys(state: &mut State, names: &[String]) -> Vec<Effect> {
    let mut effects = Vec::new();
    for user in names {
        let Some(row) = state.users.get_mut(user) else {
            continue;
        };
        if row.keys == KeysState::NotRequested {
            row.keys = KeysState::Queued;
            effects.push(call(
                state,
                Call::ListKeys {
                    user: user.clone(),
                    priority: false,
                },
            ));
        }
    }
    effects
}

/// Copy password, MFA and key slots from the loaded credential report into
/// the users (only those in `only`, when given: a new page of users).
fn apply_report(state: &mut State, only: Option<&[String]>) {
    let ReportStatus::Loaded(report) = &state.report else {
        return;
    };
    for row in &report.rows {
        if only.is_some_and(|names| !names.contains(&row.user)) {
            continue;
        }
        if let Some(user) = state.users.get_mut(&row.user) {
            if user.password.is_none() {
                state.users_with_password += 1;
            }
            user.password = Some(row.password_enabled);
            user.mfa = Some(row.mfa_active);
            user.report = Some(row.clone());
        }
    }
    state.users.resort();
}

/// No credential report (refused, or failed past the retries): console
/// password, MFA and last use come from per-user calls, every user's keys
/// are listed, and root keys come from `GetAccountSummary` (if that fails
/// too, the audit says root was not checked).
fn on_report_failed(state: &mut State, err: IamError) -> Vec<Effect> {
    if err.kind == ErrorKind::AccessDenied {
        state.notice = Some(format!(
            "Credential report denied ({}): using per-user calls instead (slower)",
            err.action
        ));
        state.report = ReportStatus::Denied(err);
    } else {
        state.notice = Some(err.operator_message(&state.session.profile));
        state.report = ReportStatus::Failed(err);
    }
    let users: Vec<String> = state.users.rows().map(|r| r.user.name.clone()).collect();
    let mut effects = vec![call(state, Call::RootKeys)];
    for user in &users {
        effects.extend(details(state, user));
    }
    for user in &users {
        effects.extend(last_used_requests(state, user));
    }
    if !state.list_keys {
        // Without the report, keys (and their last use) can only come from listing them.
        state.list_keys = true;
        effects.extend(queue_keys(state, &users));
    }
    effects
}

/// Ask `GetLoginProfile` and `ListMFADevices` for a user, once.
fn details(state: &mut State, user: &str) -> Vec<Effect> {
    ask_details(state, user, true)
}

/// Ask `GetLoginProfile` (and, with `mfa`, `ListMFADevices`) once.
fn ask_details(state: &mut State, user: &str, mfa: bool) -> Vec<Effect> {
    let Some(row) = state.users.get_mut(user) else {
        return Vec::new();
    };
    if row.details_requested {
        return Vec::new();
    }
    row.details_requested = true;
    vec![call(
        state,
        Call::UserDetails {
            user: user.to_owned(),
            mfa,
        },
    )]
}

/// Console password and MFA arrived, each on its own: a denied
/// `ListMFADevices` does not lose the password, and a denied
/// `GetLoginProfile` is kept, so the audit can say what it could not judge.
fn on_details(
    state: &mut State,
    user: &str,
    password: Result<bool, IamError>,
    mfa: Option<Result<bool, IamError>>,
) {
    let Some(row) = state.users.get_mut(user) else {
        return;
    };
    match password {
        Ok(password) => {
            if row.password.is_none() {
                state.users_with_password += 1;
            }
            row.password = Some(password);
            row.password_error = None;
        }
        Err(err) => {
            // A password the report already gave stays; the error is kept
            // only where nothing is known.
            if row.password.is_none() {
                if err.kind == ErrorKind::NoSuchEntity {
                    state.notice = Some(format!(
                        "User {user} no longer exists (deleted meanwhile?): press r to refresh"
                    ));
                }
                row.password_error = Some(err);
            }
        }
    }
    match mfa {
        Some(Ok(mfa)) => {
            row.mfa = Some(mfa);
            row.mfa_error = None;
        }
        Some(Err(err)) if row.mfa.is_none() => row.mfa_error = Some(err),
        Some(Err(_)) | None => {}
    }
    audit::refresh_user(state, user);
}

fn on_keys(
    state: &mut State,
    user: &str,
    result: Result<Vec<crate::model::AccessKey>, IamError>,
) -> Vec<Effect> {
    let Some(row) = state.users.get_mut(user) else {
        return Vec::new();
    };
    match result {
        Ok(mut keys) => {
            // Oldest first; a key without a date (unknown) last.
            keys.sort_by(|a, b| {
                (a.created.is_none(), a.created)
                    .cmp(&(b.created.is_none(), b.created))
                    .then_with(|| a.id.cmp(&b.id))
            });
            let newest = keys.iter().filter_map(|k| k.created).max();
            if !matches!(row.keys, KeysState::Loaded(_)) {
                state.users_with_keys += 1;
            }
            row.keys = KeysState::Loaded(keys);
            state.newest_key = state.newest_key.max(newest);
            audit::refresh_user(state, user);
            if !state.users.filter.is_empty() {
                // A key ID typed before this user's keys were listed may match now.
                state.users.resort();
            }
            if state.users.selected().is_some_and(|r| r.user.name == user) {
                let count = state
                    .users
                    .selected()
                    .and_then(|r| r.listed_keys())
                    .map_or(0, <[_]>::len);
                state.key_cursor = state.key_cursor.min(count.saturating_sub(1));
            }
            let mut effects = last_used_requests(state, user);
            effects.extend(verify_password(state, user));
            return effects;
        }
        Err(err) => {
            if err.kind == ErrorKind::NoSuchEntity {
                state.notice = Some(format!(
                    "User {user} no longer exists (deleted meanwhile?): press r to refresh"
                ));
            } else {
                state.notice = Some(err.operator_message(&state.session.profile));
            }
            row.keys = KeysState::Failed(err);
            audit::refresh_user(state, user);
        }
    }
    Vec::new()
}

/// Ask `GetAccessKeyLastUsed` for the user's keys the credential report
/// cannot speak for: every key without a report, keys made after the report
/// (no slot matches their creation time), and — when the report is one IAM
/// already had — Active keys it shows as never used (they may have been
/// used since, and a finding must not be invented from an old report).
fn last_used_requests(state: &mut State, user: &str) -> Vec<Effect> {
    let unavailable = state.report_unavailable().is_some();
    let cached = state.credential_report().map(|r| !r.fresh);
    if !unavailable && cached.is_none() {
        return Vec::new();
    }
    let Some(row) = state.users.get(user) else {
        return Vec::new();
    };
    let wanted: Vec<String> = row
        .listed_keys()
        .unwrap_or_default()
        .iter()
        .filter(|k| !row.last_used.contains_key(&k.id))
        .filter(|k| {
            unavailable
                || match row.report_slot(k) {
                    None => true,
                    Some(slot) => {
                        cached == Some(true)
                            && k.status != KeyStatus::Inactive
                            && slot.last_used.date.is_none()
                    }
                }
        })
        .map(|k| k.id.clone())
        .collect();
    wanted
        .into_iter()
        .map(|key_id| {
            call(
                state,
                Call::LastUsed {
                    user: user.to_owned(),
                    key_id,
                },
            )
        })
        .collect()
}

/// With a report IAM already had, a user it shows without a console
/// password may have been given one since: when that would decide
/// `initial_setup_key` (an Active key with no known use), ask
/// `GetLoginProfile` rather than trust the old row.
fn verify_password(state: &mut State, user: &str) -> Vec<Effect> {
    if state.credential_report().is_none_or(|r| r.fresh) {
        return Vec::new();
    }
    let Some(row) = state.users.get(user) else {
        return Vec::new();
    };
    let decides = row.password == Some(false)
        && row.listed_keys().unwrap_or_default().iter().any(|k| {
            k.status != KeyStatus::Inactive
                && row.key_last_used(k).is_none_or(|used| used.date.is_none())
        });
    if decides {
        // The report gave MFA; only the password may be out of date.
        ask_details(state, user, false)
    } else {
        Vec::new()
    }
}

/// Users without a (readable) row in the credential report — made after
/// it, or whose row was rejected — get everything from per-user calls:
/// console password and MFA, and their keys with each key's last use.
/// `among` limits the check to these users.
fn missing_from_report(state: &mut State, among: Option<&[String]>) -> Vec<Effect> {
    let missing: Vec<String> = state
        .users
        .rows()
        .filter(|r| r.report.is_none() && r.password.is_none())
        .filter(|r| among.is_none_or(|names| names.contains(&r.user.name)))
        .map(|r| r.user.name.clone())
        .collect();
    let mut effects = Vec::new();
    for user in &missing {
        effects.extend(details(state, user));
    }
    effects.extend(queue_keys(state, &missing));
    effects
}

/// Audited from the credential report alone, a key-level finding has no
/// key ID (the report holds none): list the keys of the users who have
/// one, so that every finding names the key to act on.
fn keys_for_findings(state: &mut State, among: Option<&[String]>) -> Vec<Effect> {
    let users: Vec<String> = state
        .users
        .rows()
        .filter(|r| among.is_none_or(|names| names.contains(&r.user.name)))
        .filter(|r| {
            r.findings.iter().any(|f| {
                f.access_key_id.is_none()
                    && !matches!(
                        f.id,
                        FindingId::MultipleActiveKeys | FindingId::RootAccessKey
                    )
            })
        })
        .map(|r| r.user.name.clone())
        .collect();
    queue_keys(state, &users)
}
