//! What an account's events add up to: the live waivers, rotations in
//! progress, hand-off targets, inactive dates, due dates, notices and
//! owners. Pure. The fold is only what the ledger's writers recorded; the
//! audit checks it against IAM's facts (an expired waiver, a key that no
//! longer exists, a rotation's new key that is not the user's).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::event::{Event, InactiveSource, Kind};
use crate::audit::FindingId;
use crate::audit::waivers::{Source, Trust, Waiver};

/// A waiver granted and not revoked (its date is the audit's to judge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub user: String,
    pub key_id: Option<String>,
    pub finding: FindingId,
    pub until: NaiveDate,
    pub reason: String,
    pub from_tag: Option<String>,
}

/// A rotation begun and not finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotating {
    pub user: String,
    pub old: String,
    pub new: String,
    pub started: DateTime<Utc>,
    pub first_used: Option<DateTime<Utc>>,
    pub by: String,
}

/// When a key became inactive, by whose record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InactiveDate {
    pub user: String,
    pub at: DateTime<Utc>,
    /// `None`: iamkeys made it inactive (`key.made_inactive`).
    pub source: Option<InactiveSource>,
    pub by: String,
}

/// A key's due date: the first recorded stands; a notice sent later pushes
/// it to at least the notice plus `notice_days` (see [`Folded::due`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub user: String,
    pub due: NaiveDate,
    pub action: String,
    pub finding: FindingId,
    pub recorded: DateTime<Utc>,
    pub by: String,
    /// When the owner was first told.
    pub first_notice: Option<DateTime<Utc>>,
}

/// The latest value set for a user, and by whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    pub value: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub from_tag: Option<String>,
}

/// One account's ledger, folded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Folded {
    pub account_id: String,
    pub events: usize,
    pub waivers: Vec<Granted>,
    /// Revoked waiver ids, each with the revocation's event.
    pub revoked: BTreeMap<String, Event>,
    pub rotations: Vec<Rotating>,
    /// Hand-off target per user.
    pub handoff: BTreeMap<String, Set>,
    /// Inactive date per key.
    pub inactive: BTreeMap<String, InactiveDate>,
    /// Due date per key.
    pub due: BTreeMap<String, Due>,
    /// Owner per user.
    pub owners: BTreeMap<String, Set>,
    /// Keys whose owner was told, with when (every notice).
    pub notices: Vec<(String, DateTime<Utc>)>,
}

impl Folded {
    /// Fold an account's events, in the order written.
    ///
    /// # Errors
    /// An event for another account, or a revocation of a waiver that is
    /// not in this ledger (an event lost, or one written by hand): the
    /// ledger cannot be read as it stands.
    pub fn new(account_id: &str, events: &[Event]) -> Result<Self, String> {
        let mut folded = Self {
            account_id: account_id.to_owned(),
            events: events.len(),
            ..Self::default()
        };
        let mut seen = BTreeSet::new();
        for (n, event) in events.iter().enumerate() {
            let at = || format!("event {} (id {})", n + 1, event.id);
            if event.account_id != account_id {
                return Err(format!(
                    "{} is for account {}, in account {account_id}'s ledger",
                    at(),
                    event.account_id
                ));
            }
            if !seen.insert(event.id.as_str()) {
                return Err(format!("{}: the id stands twice", at()));
            }
            folded
                .take(event)
                .map_err(|why| format!("{}: {why}", at()))?;
        }
        Ok(folded)
    }

    fn take(&mut self, event: &Event) -> Result<(), String> {
        // `check` made sure the events that need a user and key name them.
        let user = event.user.clone().unwrap_or_default();
        let key = event.key_id.clone().unwrap_or_default();
        match &event.kind {
            Kind::WaiverGranted {
                finding,
                until,
                reason,
                from_tag,
            } => self.waivers.push(Granted {
                id: event.id.clone(),
                at: event.at,
                by: event.by.clone(),
                user,
                key_id: event.key_id.clone(),
                finding: *finding,
                until: *until,
                reason: reason.clone(),
                from_tag: from_tag.clone(),
            }),
            Kind::WaiverRevoked { waiver, .. } => {
                let Some(at) = self.waivers.iter().position(|w| &w.id == waiver) else {
                    return Err(format!(
                        "revokes waiver {waiver}, which is not granted before it in this ledger"
                    ));
                };
                self.waivers.remove(at);
                self.revoked.insert(waiver.clone(), event.clone());
            }
            Kind::RotationStarted { new_key_id } => {
                self.rotations.retain(|r| !(r.user == user && r.old == key));
                self.rotations.push(Rotating {
                    user,
                    old: key,
                    new: new_key_id.clone(),
                    started: event.at,
                    first_used: None,
                    by: event.by.clone(),
                });
            }
            Kind::RotationFirstUse {
                new_key_id,
                used_at,
            } => {
                if let Some(r) = self
                    .rotations
                    .iter_mut()
                    .find(|r| r.user == user && r.old == key && &r.new == new_key_id)
                {
                    r.first_used.get_or_insert(*used_at);
                }
            }
            Kind::RotationFinished { new_key_id } => {
                self.rotations
                    .retain(|r| !(r.user == user && r.old == key && &r.new == new_key_id));
            }
            Kind::HandoffSet { target, from_tag } => {
                self.handoff.insert(
                    user,
                    Set {
                        value: target.clone(),
                        at: event.at,
                        by: event.by.clone(),
                        from_tag: from_tag.clone(),
                    },
                );
            }
            Kind::KeyMadeInactive | Kind::KeySeenInactive { .. } => {
                self.inactive_from(event, user, key);
            }
            Kind::DueRecorded { .. } => self.due_from(event, user, key),
            Kind::NoticeSent { .. } => {
                if let Some(due) = self.due.get_mut(&key) {
                    due.first_notice.get_or_insert(event.at);
                }
                self.notices.push((key, event.at));
            }
            Kind::OwnerSet { owner, from_tag } => {
                self.owners.insert(
                    user,
                    Set {
                        value: owner.clone(),
                        at: event.at,
                        by: event.by.clone(),
                        from_tag: from_tag.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    /// A key's inactive date: the latest record stands (a key made inactive
    /// again later counts from then, never earlier than the truth).
    fn inactive_from(&mut self, event: &Event, user: String, key: String) {
        let (at, source) = match &event.kind {
            Kind::KeySeenInactive { since, source } => (*since, Some(*source)),
            _ => (event.at, None),
        };
        if self.inactive.get(&key).is_none_or(|d| d.at <= at) {
            self.inactive.insert(
                key,
                InactiveDate {
                    user,
                    at,
                    source,
                    by: event.by.clone(),
                },
            );
        }
    }

    /// A key's due date: the first recorded stands, nothing later moves it.
    fn due_from(&mut self, event: &Event, user: String, key: String) {
        let Kind::DueRecorded {
            due,
            action,
            finding,
        } = &event.kind
        else {
            return;
        };
        self.due.entry(key).or_insert_with(|| Due {
            user,
            due: *due,
            action: action.clone(),
            finding: *finding,
            recorded: event.at,
            by: event.by.clone(),
            first_notice: None,
        });
    }

    /// The user's live waivers, as the audit reads them (their writer the
    /// ledger's `by`).
    #[must_use]
    pub fn waivers_of(&self, user: &str) -> Vec<Waiver> {
        self.waivers
            .iter()
            .filter(|w| w.user == user)
            .map(|w| Waiver {
                finding: w.finding,
                key_id: w.key_id.clone(),
                until: w.until,
                by: w.by.clone(),
                reason: w.reason.clone(),
                source: Source::Ledger,
                trust: Trust::Ledger {
                    id: w.id.clone(),
                    by: w.by.clone(),
                },
                tag: None,
            })
            .collect()
    }

    /// The key's due date: the first recorded, but never sooner than
    /// `notice_days` after the owner was first told.
    #[must_use]
    pub fn due(&self, key_id: &str, notice_days: u32) -> Option<(NaiveDate, &Due)> {
        let due = self.due.get(key_id)?;
        let after_notice = due
            .first_notice
            .and_then(|at| {
                at.date_naive()
                    .checked_add_days(chrono::Days::new(u64::from(notice_days)))
            })
            .unwrap_or(due.due);
        Some((due.due.max(after_notice), due))
    }

    /// The rotation in progress of this user's old key, if any.
    #[must_use]
    pub fn rotation(&self, user: &str, old: &str) -> Option<&Rotating> {
        self.rotations
            .iter()
            .find(|r| r.user == user && r.old == old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "111111111111";
    const BY: &str = "arn:aws:sts::111111111111:assumed-role/SecurityAudit/bob";
    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

    fn at(day: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc()
    }

    fn event(day: u32, kind: Kind) -> Event {
        Event::new(at(day), ACCOUNT, Some("alice"), Some(KEY), BY, kind)
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn a_revoked_waiver_no_longer_stands() {
        let granted = event(
            1,
            Kind::WaiverGranted {
                finding: FindingId::UnusedKey,
                until: date(30),
                reason: "SEC-1".into(),
                from_tag: None,
            },
        );
        let revoked = event(
            2,
            Kind::WaiverRevoked {
                waiver: granted.id.clone(),
                reason: "closed".into(),
            },
        );
        let folded = Folded::new(ACCOUNT, std::slice::from_ref(&granted)).unwrap();
        let waivers = folded.waivers_of("alice");
        assert_eq!(waivers.len(), 1);
        assert_eq!(waivers[0].source, Source::Ledger);
        assert_eq!(waivers[0].key_id.as_deref(), Some(KEY));
        assert!(folded.waivers_of("bob").is_empty());
        let folded = Folded::new(ACCOUNT, &[granted.clone(), revoked.clone()]).unwrap();
        assert!(folded.waivers_of("alice").is_empty());
        assert!(folded.revoked.contains_key(&granted.id));
        // A revocation with nothing before it to revoke: the ledger is off.
        let err = Folded::new(ACCOUNT, &[revoked, granted]).unwrap_err();
        assert!(err.contains("not granted before it"), "{err}");
    }

    #[test]
    fn an_event_of_another_account_or_a_repeated_id_is_refused() {
        let mut other = event(1, Kind::KeyMadeInactive);
        other.account_id = "222222222222".into();
        assert!(
            Folded::new(ACCOUNT, &[other])
                .unwrap_err()
                .contains("for account 222222222222")
        );
        let one = event(1, Kind::KeyMadeInactive);
        assert!(
            Folded::new(ACCOUNT, &[one.clone(), one])
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn the_first_due_date_stands_and_a_notice_gives_its_days() {
        let due = |day: u32, when: u32| {
            event(
                when,
                Kind::DueRecorded {
                    due: date(day),
                    action: "make_inactive".into(),
                    finding: FindingId::UnusedKey,
                },
            )
        };
        // A later plan's earlier or later date moves nothing.
        let folded = Folded::new(ACCOUNT, &[due(10, 1), due(5, 2), due(20, 3)]).unwrap();
        assert_eq!(folded.due(KEY, 7).map(|(d, _)| d), Some(date(10)));
        // Told on the 8th with 7 days' notice: not due before the 15th.
        let notice = event(
            8,
            Kind::NoticeSent {
                due: date(10),
                owner: "a@example.com".into(),
                channel: "sns".into(),
            },
        );
        let folded = Folded::new(ACCOUNT, &[due(10, 1), notice]).unwrap();
        assert_eq!(folded.due(KEY, 7).map(|(d, _)| d), Some(date(15)));
        assert_eq!(folded.due(KEY, 0).map(|(d, _)| d), Some(date(10)));
        assert_eq!(folded.due("AKIAOTHER00000000000", 7), None);
    }

    #[test]
    fn the_latest_inactive_record_dates_a_key() {
        let seen = |day: u32| {
            event(
                day + 1,
                Kind::KeySeenInactive {
                    since: at(day),
                    source: InactiveSource::Cloudtrail,
                },
            )
        };
        let folded = Folded::new(ACCOUNT, &[seen(3), event(1, Kind::KeyMadeInactive)]).unwrap();
        let date = &folded.inactive[KEY];
        assert_eq!(date.at, at(3));
        assert_eq!(date.source, Some(InactiveSource::Cloudtrail));
        let folded = Folded::new(ACCOUNT, &[seen(3), event(9, Kind::KeyMadeInactive)]).unwrap();
        assert_eq!(folded.inactive[KEY].at, at(9));
        assert_eq!(folded.inactive[KEY].source, None);
    }

    #[test]
    fn rotations_begin_see_their_first_use_and_end() {
        let new = "AKIANEWKEY0000000001".to_owned();
        let started = event(
            1,
            Kind::RotationStarted {
                new_key_id: new.clone(),
            },
        );
        let used = event(
            2,
            Kind::RotationFirstUse {
                new_key_id: new.clone(),
                used_at: at(2),
            },
        );
        let folded = Folded::new(ACCOUNT, &[started.clone(), used.clone()]).unwrap();
        let r = folded.rotation("alice", KEY).unwrap();
        assert_eq!((r.new.as_str(), r.first_used), (new.as_str(), Some(at(2))));
        let finished = event(3, Kind::RotationFinished { new_key_id: new });
        let folded = Folded::new(ACCOUNT, &[started, used, finished]).unwrap();
        assert!(folded.rotation("alice", KEY).is_none());
    }

    #[test]
    fn the_latest_owner_and_handoff_stand() {
        let owner = |day: u32, who: &str| {
            Event::new(
                at(day),
                ACCOUNT,
                Some("alice"),
                None,
                BY,
                Kind::OwnerSet {
                    owner: who.into(),
                    from_tag: None,
                },
            )
        };
        let folded = Folded::new(ACCOUNT, &[owner(1, "a"), owner(2, "b")]).unwrap();
        assert_eq!(folded.owners["alice"].value, "b");
    }
}
