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

    /// The ledger changed here (an event appended): read it again.
    pub fn reread_ledger(&mut self) -> Vec<Effect> {
        if self.ledger == LedgerStatus::Asked {
            return Vec::new();
        }
        vec![self.ask_ledger()]
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
        effects
    }
}
