//! The ledger as an account sees it: read once per load
//! ([`Call::Ledger`], with the caller's own credentials whatever account
//! this is), folded, and given to the audit: its waivers, inactive dates,
//! rotations, hand-off targets and due dates. Until it answers nothing of
//! it is believed; a ledger that could not be read is a gap (report exits 2).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Account;
use crate::effect::{Call, Effect};
use crate::ledger::{Folded, LedgerError};

/// Where reading the account's ledger stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LedgerStatus {
    #[default]
    NotAsked,
    Asked,
    /// This run keeps no ledger (tests that build a worker without one):
    /// nothing is believed from it, and nothing is missing.
    Absent,
    Known(Arc<Folded>),
    /// Unreadable, malformed, denied, throttled: a gap.
    Failed(LedgerError),
}

impl Account {
    /// Where the account's ledger stands.
    #[must_use]
    pub fn ledger_status(&self) -> &LedgerStatus {
        &self.ledger
    }

    /// The folded ledger, once read.
    #[must_use]
    pub fn ledger(&self) -> Option<&Folded> {
        match &self.ledger {
            LedgerStatus::Known(folded) => Some(folded),
            _ => None,
        }
    }

    /// Ask for the account's ledger (once per load).
    pub(super) fn ask_ledger(&mut self) -> Effect {
        self.ledger = LedgerStatus::Asked;
        self.call(Call::Ledger)
    }

    /// The ledger changed here (an event appended): read it again, what is
    /// known of it standing until the answer (waivers, hand-off targets and
    /// dates do not blink out meanwhile).
    pub fn reread_ledger(&mut self) -> Vec<Effect> {
        match self.ledger {
            LedgerStatus::Asked => Vec::new(),
            LedgerStatus::Known(_) => vec![self.call(Call::Ledger)],
            _ => vec![self.ask_ledger()],
        }
    }

    /// The ledger answered: every finding is judged again with it, and
    /// the keys its records speak of are listed (a rotation's new key asked
    /// for its last use).
    pub(super) fn on_ledger(
        &mut self,
        result: Result<Option<Arc<Folded>>, LedgerError>,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        self.ledger = match result {
            Ok(Some(folded)) => LedgerStatus::Known(folded),
            Ok(None) => LedgerStatus::Absent,
            Err(err) => LedgerStatus::Failed(err),
        };
        self.refresh_all(now);
        let users: Vec<String> = self
            .ledger()
            .map(|l| {
                let mut users: Vec<String> = l
                    .inactive
                    .values()
                    .map(|d| d.user.clone())
                    .chain(l.rotations.iter().map(|r| r.user.clone()))
                    .collect();
                users.sort();
                users.dedup();
                users
            })
            .unwrap_or_default();
        let mut effects = self.keys_for_retirement(&users);
        for user in &users {
            let more = self.rotation_last_used(user, &effects);
            effects.extend(more);
        }
        if matches!(self.report, super::ReportStatus::Loaded(_)) {
            effects.extend(self.keys_for_dating());
        }
        effects
    }
}

/// Where dating an Inactive key stands (this load).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dating {
    Asked,
    /// Recorded; the ledger is read again once no key is still being dated.
    Recorded,
    /// The ledger refused the record: the key stays undated (nothing is
    /// ready to delete from a date no one can keep).
    NotRecorded(LedgerError),
}

impl Account {
    /// Inactive keys the ledger holds no believable date for: each is dated
    /// once (CloudTrail, else first seen), while the ledger is read.
    /// Only `among`'s keys, when given.
    pub(super) fn ask_dates(&mut self, now: DateTime<Utc>, among: Option<&str>) -> Vec<Effect> {
        let LedgerStatus::Known(folded) = &self.ledger else {
            return Vec::new();
        };
        let folded = folded.clone();
        let mut wanted = Vec::new();
        let rows: Vec<&super::users::UserRow> = match among {
            Some(user) => self.users.get(user).into_iter().collect(),
            None => self.users.rows().collect(),
        };
        for row in rows {
            let Some(keys) = row.listed_keys() else {
                continue;
            };
            for key in keys
                .iter()
                .filter(|k| k.status == crate::model::KeyStatus::Inactive)
            {
                if self.dating.contains_key(&key.id) {
                    continue;
                }
                let believed = matches!(
                    row.inactive_since(&key.id, now, Some(&folded)),
                    Some(super::users::Since::Honoured { .. })
                );
                // A date contradicted only by a last use not known yet is
                // not redone: it is waited for.
                let waiting = matches!(
                    row.inactive_since(&key.id, now, Some(&folded)),
                    Some(super::users::Since::Stale { ref why, .. }) if why == "last use not known yet"
                );
                if !believed && !waiting {
                    wanted.push((row.user.name.clone(), key.id.clone()));
                }
            }
        }
        let mut effects = Vec::new();
        for (user, key_id) in wanted {
            self.dating.insert(key_id.clone(), Dating::Asked);
            effects.push(self.call(Call::DateInactive { user, key_id }));
        }
        effects
    }

    /// Why Inactive keys could not be dated (the ledger refused the record).
    #[must_use]
    pub fn undated(&self) -> Vec<(&str, &LedgerError)> {
        self.dating
            .iter()
            .filter_map(|(key, d)| match d {
                Dating::NotRecorded(err) => Some((key.as_str(), err)),
                _ => None,
            })
            .collect()
    }

    pub(super) fn on_dated(
        &mut self,
        key_id: &str,
        recorded: Result<(), LedgerError>,
        cloudtrail: Result<(), crate::iam::IamError>,
    ) -> Vec<Effect> {
        if let Err(err) = cloudtrail {
            self.trail_refused.get_or_insert(err);
        }
        let dating = match recorded {
            Ok(()) => Dating::Recorded,
            Err(err) => Dating::NotRecorded(err),
        };
        self.dating.insert(key_id.to_owned(), dating);
        // Read once what this load recorded, when the last key being dated
        // is: a read (and a re-audit of every user) per key is quadratic.
        let settled = !self.dating.values().any(|d| *d == Dating::Asked);
        if settled && self.dating.values().any(|d| *d == Dating::Recorded) {
            self.reread_ledger()
        } else {
            Vec::new()
        }
    }

    /// Why CloudTrail could not date a key (it was dated as first seen).
    #[must_use]
    pub fn trail_refused(&self) -> Option<&crate::iam::IamError> {
        self.trail_refused.as_ref()
    }
}
