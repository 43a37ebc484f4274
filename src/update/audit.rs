//! Keeping findings current: recomputed for a user when what is known of
//! them changes, for everyone when the report arrives, and hourly.

use chrono::TimeDelta;

use crate::audit::{UserInput, evaluate, findings::user_findings};
use crate::state::State;

/// Recompute one user's findings.
pub fn refresh_user(state: &mut State, user: &str) {
    let now = state.now;
    let thresholds = state.thresholds.clone();
    let Some(row) = state.users.get_mut(user) else {
        return;
    };
    row.findings = user_findings(&UserInput::from_row(row), now, &thresholds);
    if state.users.findings_only || state.users.sort == crate::state::users::SortKey::Findings {
        state.users.resort();
    }
}

/// Recompute every finding, the root's included.
pub fn refresh_all(state: &mut State) {
    let now = state.now;
    state.audit_now = now;
    let thresholds = state.thresholds.clone();
    for row in state.users.rows_mut() {
        row.findings = user_findings(&UserInput::from_row(row), now, &thresholds);
    }
    let root = state.credential_report().and_then(|r| r.root()).cloned();
    state.root_findings = evaluate(&[], root.as_ref(), now, &thresholds);
    state.users.resort();
}

/// Ages move on: recompute hourly.
pub fn on_tick(state: &mut State) {
    if state.now - state.audit_now >= TimeDelta::hours(1) {
        refresh_all(state);
    }
}
