//! Keeping findings current: recomputed for a user when what is known of
//! them changes, for everyone when the report arrives, and hourly. The
//! totals and the users with gaps move with them.

use chrono::{DateTime, TimeDelta, Utc};

use super::Account;
use super::users::{TagsState, UserRow};
use crate::audit::{FindingCounts, evaluate, findings::user_findings};

/// A user with findings may have a waiver: queue a read of their tags, once
/// the read of every user's tags at once is over (`settled`) and did not
/// bring them.
pub(super) fn queue_tags(row: &mut UserRow, settled: bool, queue: &mut Vec<String>) {
    if settled && !row.findings.is_empty() && row.tags == TagsState::NotRequested {
        row.tags = TagsState::Queued;
        queue.push(row.user.name.clone());
    }
}

impl Account {
    /// Recompute one user's findings as of `now`.
    pub(crate) fn refresh_user(&mut self, user: &str, now: DateTime<Utc>) {
        let Some(row) = self.users.get_mut(user) else {
            return;
        };
        let ledger = match &self.ledger {
            super::ledger::LedgerStatus::Known(folded) => Some(folded.as_ref()),
            _ => None,
        };
        let mut input = row.audit_input(now, ledger);
        input.quarantine = self.quarantine.get(user).cloned();
        let fresh = user_findings(&input, now, &self.thresholds);
        let old = std::mem::replace(&mut row.findings, fresh);
        let settled = self.bulk_tags != super::BulkTags::Loading;
        queue_tags(row, settled, &mut self.tag_queue);
        if row.gaps().is_empty() {
            self.gap_users.remove(user);
        } else {
            self.gap_users.insert(user.to_owned());
        }
        self.totals.remove(&old);
        self.totals.add(&row.findings);
        self.revisions.findings += 1;
    }

    /// Recompute every finding as of `now`, the root's included.
    pub fn refresh_all(&mut self, now: DateTime<Utc>) {
        self.audit_now = now;
        self.clock = self.clock.max(now);
        let mut totals = FindingCounts::default();
        self.gap_users.clear();
        let settled = self.bulk_tags != super::BulkTags::Loading;
        let ledger = match &self.ledger {
            super::ledger::LedgerStatus::Known(folded) => Some(folded.clone()),
            _ => None,
        };
        for row in self.users.rows_mut() {
            let mut input = row.audit_input(now, ledger.as_deref());
            input.quarantine = self.quarantine.get(&row.user.name).cloned();
            row.findings = user_findings(&input, now, &self.thresholds);
            totals.add(&row.findings);
            queue_tags(row, settled, &mut self.tag_queue);
            if !row.gaps().is_empty() {
                self.gap_users.insert(row.user.name.clone());
            }
        }
        let root = self.report_root().cloned();
        self.root_findings = evaluate(&[], root.as_ref(), now, &self.thresholds);
        if self.report_unavailable().is_some() && matches!(self.root_keys, Some(Ok(true))) {
            self.root_findings
                .push(crate::audit::findings::root_summary_finding());
        }
        totals.add(&self.root_findings);
        self.totals = totals;
        self.revisions.rows += 1;
    }

    /// Ages move on: recompute hourly.
    pub fn on_tick(&mut self, now: DateTime<Utc>) {
        self.clock = self.clock.max(now);
        if now - self.audit_now >= TimeDelta::hours(1) {
            self.refresh_all(now);
        }
    }
}
