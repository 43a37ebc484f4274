//! Loading the account: which calls to make, and folding their results in.

use super::audit;
use crate::action::Loaded;
use crate::effect::{Call, Effect};
use crate::iam::{ErrorKind, IamError};
use crate::model::{Page, User};
use crate::state::users::ExtrasState;
use crate::state::{IdentityStatus, KeysState, ListStatus, ReportStatus, State};

fn call(state: &mut State, call: Call) -> Effect {
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
    state.finding_totals = [0; 5];
    state.root_findings.clear();
    state.newest_key = None;
    state.users_with_keys = 0;
    state.users_with_password = 0;
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
            state.report = ReportStatus::Loaded(report);
            apply_report(state, None);
            audit::refresh_all(state);
            let mut effects = details_for_users_missing_from_report(state, None);
            let listed: Vec<String> = state
                .users
                .rows()
                .filter(|r| r.listed_keys().is_some())
                .map(|r| r.user.name.clone())
                .collect();
            for user in &listed {
                effects.extend(last_used_requests(state, user, false));
            }
            effects
        }
        Loaded::CredentialReport(Err(err)) => on_report_failed(state, err),
        Loaded::Keys { user, result } => on_keys(state, &user, result),
        Loaded::LastUsed {
            user,
            key_id,
            result,
        } => {
            if let (Some(row), Ok(used)) = (state.users.get_mut(&user), result) {
                row.last_used.insert(key_id, used);
                audit::refresh_user(state, &user);
            }
            Vec::new()
        }
        Loaded::UserExtras { user, result } => {
            if let Some(row) = state.users.get_mut(&user) {
                row.extras = match result {
                    Ok(extras) => ExtrasState::Loaded(extras),
                    Err(err) => ExtrasState::Failed(err),
                };
            }
            Vec::new()
        }
        Loaded::UserDetails { user, result } => {
            match result {
                Ok((password, mfa)) => {
                    if let Some(row) = state.users.get_mut(&user) {
                        if row.password.is_none() {
                            state.users_with_password += 1;
                        }
                        row.password = Some(password);
                        row.mfa = Some(mfa);
                    }
                    audit::refresh_user(state, &user);
                }
                Err(err) => {
                    state.notice = Some(err.operator_message(&state.session.profile));
                }
            }
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
    if matches!(state.report, ReportStatus::Loaded(_)) {
        apply_report(state, Some(&names));
        effects.extend(details_for_users_missing_from_report(state, Some(&names)));
    }
    for user in &names {
        audit::refresh_user(state, user);
    }
    if state.list_keys {
        effects.extend(request_selected_keys(state));
    }
    if state.list_keys {
        effects.extend(queue_keys(state, &names));
    }
    if matches!(state.report, ReportStatus::Denied(_)) {
        for user in names {
            effects.push(call(state, Call::UserDetails { user }));
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

fn on_report_failed(state: &mut State, err: IamError) -> Vec<Effect> {
    if err.kind != ErrorKind::AccessDenied {
        state.notice = Some(err.operator_message(&state.session.profile));
        state.report = ReportStatus::Failed(err);
        return Vec::new();
    }
    state.notice = Some(format!(
        "Credential report denied ({}): using per-user calls instead (slower)",
        err.action
    ));
    state.report = ReportStatus::Denied(err);
    let users: Vec<String> = state.users.rows().map(|r| r.user.name.clone()).collect();
    let keys: Vec<(String, String)> = state
        .users
        .rows()
        .flat_map(|r| r.listed_keys().unwrap_or_default().iter())
        .map(|k| (k.user_name.clone(), k.id.clone()))
        .collect();
    let mut effects = Vec::new();
    for user in &users {
        effects.push(call(state, Call::UserDetails { user: user.clone() }));
    }
    for (user, key_id) in keys {
        effects.push(call(state, Call::LastUsed { user, key_id }));
    }
    if !state.list_keys {
        // Without the report, keys (and their last use) can only come from listing them.
        state.list_keys = true;
        effects.extend(queue_keys(state, &users));
    }
    effects
}

fn on_keys(
    state: &mut State,
    user: &str,
    result: Result<Vec<crate::model::AccessKey>, IamError>,
) -> Vec<Effect> {
    let denied = matches!(state.report, ReportStatus::Denied(_));
    let Some(row) = state.users.get_mut(user) else {
        return Vec::new();
    };
    match result {
        Ok(mut keys) => {
            keys.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
            let newest = keys.iter().map(|k| k.created).max();
            if !matches!(row.keys, KeysState::Loaded(_)) {
                state.users_with_keys += 1;
            }
            row.keys = KeysState::Loaded(keys);
            state.newest_key = state.newest_key.max(newest);
            audit::refresh_user(state, user);
            if state.users.selected().is_some_and(|r| r.user.name == user) {
                let count = state
                    .users
                    .selected()
                    .and_then(|r| r.listed_keys())
                    .map_or(0, <[_]>::len);
                state.key_cursor = state.key_cursor.min(count.saturating_sub(1));
            }
            return last_used_requests(state, user, denied);
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
        }
    }
    Vec::new()
}

/// Ask `GetAccessKeyLastUsed` for the user's keys the credential report
/// cannot speak for: every key when the report was refused, and keys made
/// after the report (no slot matches their creation time).
fn last_used_requests(state: &mut State, user: &str, denied: bool) -> Vec<Effect> {
    let loaded = matches!(state.report, ReportStatus::Loaded(_));
    if !denied && !loaded {
        return Vec::new();
    }
    let Some(row) = state.users.get(user) else {
        return Vec::new();
    };
    let wanted: Vec<String> = row
        .listed_keys()
        .unwrap_or_default()
        .iter()
        .filter(|k| !row.last_used.contains_key(&k.id) && (denied || row.report_slot(k).is_none()))
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

/// Users made after the credential report have no row in it: ask
/// `GetLoginProfile` / `ListMFADevices` for them, so the audit knows whether
/// they have a console password. `among` limits the check to these users.
fn details_for_users_missing_from_report(
    state: &mut State,
    among: Option<&[String]>,
) -> Vec<Effect> {
    let missing: Vec<String> = state
        .users
        .rows()
        .filter(|r| r.report.is_none() && r.password.is_none())
        .filter(|r| among.is_none_or(|names| names.contains(&r.user.name)))
        .map(|r| r.user.name.clone())
        .collect();
    missing
        .into_iter()
        .map(|user| call(state, Call::UserDetails { user }))
        .collect()
}
