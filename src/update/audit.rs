//! Keeping findings current: recomputed for a user when what is known of
//! them changes, for everyone when the report arrives, and hourly.

use chrono::TimeDelta;

use crate::audit::{FindingCounts, evaluate, findings::user_findings};
use crate::state::State;

/// Recompute one user's findings.
pub fn refresh_user(state: &mut State, user: &str) {
    let now = state.now;
    let thresholds = state.thresholds.clone();
    let Some(row) = state.users.get_mut(user) else {
        return;
    };
    let fresh = user_findings(&row.audit_input(), now, &thresholds);
    let old = std::mem::replace(&mut row.findings, fresh);
    if row.gaps().is_empty() {
        state.gap_users.remove(user);
    } else {
        state.gap_users.insert(user.to_owned());
    }
    state.finding_totals.remove(&old);
    if let Some(row) = state.users.get(user) {
        state.finding_totals.add(&row.findings);
    }
    if state.users.findings_only || state.users.sort == crate::state::users::SortKey::Findings {
        state.users.resort();
    }
}

/// Recompute every finding, the root's included.
pub fn refresh_all(state: &mut State) {
    let now = state.now;
    state.audit_now = now;
    let thresholds = state.thresholds.clone();
    let mut totals = FindingCounts::default();
    state.gap_users.clear();
    for row in state.users.rows_mut() {
        row.findings = user_findings(&row.audit_input(), now, &thresholds);
        totals.add(&row.findings);
        if !row.gaps().is_empty() {
            state.gap_users.insert(row.user.name.clone());
        }
    }
    let root = state.credential_report().and_then(|r| r.root()).cloned();
    state.root_findings = evaluate(&[], root.as_ref(), now, &thresholds);
    if state.report_unavailable().is_some() && matches!(state.root_keys, Some(Ok(true))) {
        state
            .root_findings
            .push(crate::audit::findings::root_summary_finding());
    }
    totals.add(&state.root_findings);
    state.finding_totals = totals;
    state.users.resort();
}

/// Ages move on: recompute hourly.
pub fn on_tick(state: &mut State) {
    if state.now - state.audit_now >= TimeDelta::hours(1) {
        refresh_all(state);
    }
}
