//! Rotations in progress (`R`): a new key made to replace an old one,
//! recorded in the ledger (`rotation.started`, `rotation.first_use`,
//! `rotation.finished`) so a refresh, a restart and another operator see it,
//! and watched until the new key is used. When the ledger refuses the
//! record the rotation lives in this session only. An
//! `iamkeys:rotation:<old key ID>` tag an earlier iamkeys wrote is a claim:
//! never believed.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::Account;
use super::users::UserRow;
use crate::effect::{Call, Effect};

/// How often the new keys of rotations in progress are asked for their last
/// use while none has been seen (`GetAccessKeyLastUsed`).
pub const WATCH_EVERY: TimeDelta = TimeDelta::seconds(30);

/// How far this machine's clock and IAM's may disagree when a rotation's
/// start is compared with its new key's creation and with now.
const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// Why a rotation record is not honoured, as IAM's own facts say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The user's keys are not listed yet: it cannot be told.
    Unchecked,
    /// IAM contradicts it (why): shown as stale, and `R` offers to record
    /// its end.
    Stale(String),
}

/// Where a rotation is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// In the ledger: a refresh, a restart and other operators see it.
    Ledger,
    /// Its record is being appended.
    Writing,
    /// The ledger refused it: in this session only; why.
    SessionOnly(String),
}

/// One rotation in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub user: String,
    /// The key being replaced.
    pub old: String,
    /// The key replacing it.
    pub new: String,
    pub started: DateTime<Utc>,
    /// The new key's first use as iamkeys saw it (recorded in the ledger
    /// once seen), if any.
    pub first_used: Option<DateTime<Utc>>,
    pub kept: Kept,
}

impl Rotation {
    /// A rotation as the ledger recorded it.
    #[must_use]
    pub fn from_ledger(r: &crate::ledger::fold::Rotating) -> Self {
        Self {
            user: r.user.clone(),
            old: r.old.clone(),
            new: r.new.clone(),
            started: r.started,
            first_used: r.first_used,
            kept: Kept::Ledger,
        }
    }
}

/// Rotations started or watched in this session, by (user, old key): the
/// ones the ledger could not record, and first uses seen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rotations {
    here: BTreeMap<(String, String), Rotation>,
    /// When the new keys were last asked for their last use.
    watched_at: Option<DateTime<Utc>>,
}

impl Account {
    /// What IAM's own facts say against a rotation: honoured only when its
    /// new key exists among this user's keys, differs from the old key, was
    /// made at or after the start, and the start is not in the future.
    #[must_use]
    pub fn rotation_fault(&self, rotation: &Rotation) -> Option<Fault> {
        let stale = |why: String| Some(Fault::Stale(why));
        if rotation.new == rotation.old {
            return stale("new key = old key".to_owned());
        }
        if rotation.started > self.clock + CLOCK_SKEW {
            return stale("starts in the future".to_owned());
        }
        let Some(keys) = self
            .users
            .get(&rotation.user)
            .and_then(UserRow::listed_keys)
        else {
            return Some(Fault::Unchecked);
        };
        if let Some(new) = keys.iter().find(|k| k.id == rotation.new) {
            return match new.created {
                Some(made) if made + CLOCK_SKEW < rotation.started => {
                    stale("new key made before the start".to_owned())
                }
                Some(_) => None,
                None => stale("new key has no creation date".to_owned()),
            };
        }
        let owner = self.users.rows().find(|r| {
            r.user.name != rotation.user
                && r.listed_keys()
                    .is_some_and(|k| k.iter().any(|k| k.id == rotation.new))
        });
        match owner {
            Some(other) => stale(format!("new key is {}'s", other.user.name)),
            None => stale("new key gone".to_owned()),
        }
    }

    /// Every rotation the ledger and this session speak of, honoured or not.
    fn rotation_claims(&self, user: &str) -> Vec<Rotation> {
        let mut out: Vec<Rotation> = self
            .ledger()
            .map(|l| {
                l.rotations
                    .iter()
                    .filter(|r| r.user == user)
                    .map(Rotation::from_ledger)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|mut tagged: Rotation| {
                if let Some(here) = self
                    .rotations
                    .here
                    .get(&(user.to_owned(), tagged.old.clone()))
                    && here.new == tagged.new
                {
                    tagged.first_used = tagged.first_used.or(here.first_used);
                }
                tagged
            })
            .collect();
        for ((u, old), here) in &self.rotations.here {
            if u == user && !out.iter().any(|r| &r.old == old) {
                out.push(here.clone());
            }
        }
        out
    }

    /// The user's rotations in progress: the ledger's, with what this
    /// session knows over them, then the session's own, each as far as IAM
    /// agrees ([`Account::rotation_fault`]). Contradicted ones are in
    /// [`Account::stale_rotations`].
    #[must_use]
    pub fn rotations(&self, user: &str) -> Vec<Rotation> {
        self.rotation_claims(user)
            .into_iter()
            .filter(|r| self.rotation_fault(r).is_none())
            .collect()
    }

    /// Recorded rotations IAM contradicts, with why: not in progress (they
    /// do not block `R`), shown as stale, and `R` on the old key offers to
    /// record their end.
    #[must_use]
    pub fn stale_rotations(&self, user: &str) -> Vec<(Rotation, String)> {
        self.rotation_claims(user)
            .into_iter()
            .filter_map(|r| match self.rotation_fault(&r) {
                Some(Fault::Stale(why)) => Some((r, why)),
                Some(Fault::Unchecked) | None => None,
            })
            .collect()
    }

    /// Any rotation this key is the old or new key of, honoured or not (what
    /// a delete of the key ends).
    #[must_use]
    pub fn rotation_claim_on(&self, user: &str, key_id: &str) -> Option<Rotation> {
        self.rotation_claims(user)
            .into_iter()
            .find(|r| r.old == key_id || r.new == key_id)
    }

    /// The stale rotation record on this old key, if any.
    #[must_use]
    pub fn stale_rotation_of(&self, user: &str, old: &str) -> Option<(Rotation, String)> {
        self.stale_rotations(user)
            .into_iter()
            .find(|(r, _)| r.old == old)
    }

    /// The rotation replacing this key, if one is in progress.
    #[must_use]
    pub fn rotation_of(&self, user: &str, old: &str) -> Option<Rotation> {
        self.rotations(user).into_iter().find(|r| r.old == old)
    }

    /// The rotation this key is the new key of, if any.
    #[must_use]
    pub fn rotation_to(&self, user: &str, new: &str) -> Option<Rotation> {
        self.rotations(user).into_iter().find(|r| r.new == new)
    }

    /// When the new key was first seen used, only as far as IAM shows it
    /// used: IAM's `GetAccessKeyLastUsed` wins over the tag. The recorded
    /// first use when it is at or before IAM's last use, else that last use;
    /// `None` while IAM shows the key unused, or has not said.
    #[must_use]
    pub fn new_key_used(&self, rotation: &Rotation) -> Option<DateTime<Utc>> {
        let row = self.users.get(&rotation.user)?;
        let key = row.listed_keys()?.iter().find(|k| k.id == rotation.new)?;
        let last = row.key_last_used(key)?.date?;
        Some(
            rotation
                .first_used
                .filter(|first| *first <= last)
                .unwrap_or(last),
        )
    }

    /// When the old key was last used, if that was after the new key's
    /// first use: the workload (or some of its instances) has not switched,
    /// and making the old key inactive would break it.
    #[must_use]
    pub fn old_key_still_used(&self, rotation: &Rotation) -> Option<DateTime<Utc>> {
        let first_new = self.new_key_used(rotation)?;
        let row = self.users.get(&rotation.user)?;
        let old = row.listed_keys()?.iter().find(|k| k.id == rotation.old)?;
        let last_old = row.key_last_used(old)?.date?;
        (last_old > first_new).then_some(last_old)
    }

    /// The rotation's new key is no longer among the user's listed keys
    /// (deleted outside iamkeys): the rotation was abandoned.
    #[must_use]
    pub fn new_key_gone(&self, rotation: &Rotation) -> bool {
        self.users
            .get(&rotation.user)
            .and_then(UserRow::listed_keys)
            .is_some_and(|keys| !keys.iter().any(|k| k.id == rotation.new))
    }

    /// A rotation began: its new key exists and its record is being appended.
    pub fn begin_rotation(&mut self, rotation: Rotation) {
        self.rotations.here.insert(
            (rotation.user.clone(), rotation.old.clone()),
            Rotation {
                kept: Kept::Writing,
                ..rotation
            },
        );
    }

    /// How the record of a rotation ended: on success the ledger speaks
    /// for it (the session keeps only a first use it saw); on failure the
    /// session keeps it, saying why it is not remembered.
    pub fn rotation_recorded(&mut self, user: &str, old: &str, result: Result<(), String>) {
        let key = (user.to_owned(), old.to_owned());
        if let Some(here) = self.rotations.here.get_mut(&key) {
            here.kept = match result {
                Ok(()) => Kept::Ledger,
                Err(why) => Kept::SessionOnly(why),
            };
        }
    }

    /// The rotation is over (its old or new key deleted): the session
    /// forgets it.
    pub fn end_rotation(&mut self, user: &str, old: &str) {
        self.rotations
            .here
            .remove(&(user.to_owned(), old.to_owned()));
    }

    /// The new key of a rotation was seen used at `at` for the first time:
    /// remember it in the session. Returns the rotation as it now is.
    pub(super) fn first_use_seen(
        &mut self,
        user: &str,
        new: &str,
        at: DateTime<Utc>,
    ) -> Option<Rotation> {
        let rotation = self.rotation_to(user, new)?;
        if rotation.first_used.is_some() {
            return None;
        }
        let seen = Rotation {
            first_used: Some(at),
            ..rotation
        };
        let key = (user.to_owned(), seen.old.clone());
        match self.rotations.here.get_mut(&key) {
            Some(here) => here.first_used = Some(at),
            None => {
                self.rotations.here.insert(key, seen.clone());
            }
        }
        Some(seen)
    }

    /// The rotations of every user with one in the ledger or begun here.
    fn all_rotations(&self) -> Vec<Rotation> {
        let users: std::collections::BTreeSet<&str> = self
            .users
            .rows()
            .filter(|r| {
                self.ledger()
                    .is_some_and(|l| l.rotations.iter().any(|x| x.user == r.user.name))
            })
            .map(|r| r.user.name.as_str())
            .chain(self.rotations.here.keys().map(|(u, _)| u.as_str()))
            .collect();
        users.into_iter().flat_map(|u| self.rotations(u)).collect()
    }

    /// Old keys of rotations whose new key is in use, with their users.
    fn old_keys_of_used_rotations(&self) -> Vec<(String, String)> {
        self.all_rotations()
            .into_iter()
            .filter(|r| self.new_key_used(r).is_some())
            .map(|r| (r.user, r.old))
            .collect()
    }

    /// New keys of rotations in progress not seen used yet, with their users.
    fn unused_new_keys(&self) -> Vec<(String, String)> {
        self.all_rotations()
            .into_iter()
            .filter(|r| self.new_key_used(r).is_none())
            .filter(|r| {
                self.users.get(&r.user).is_some_and(|row| {
                    row.listed_keys()
                        .is_some_and(|keys| keys.iter().any(|k| k.id == r.new))
                })
            })
            .map(|r| (r.user, r.new))
            .collect()
    }

    /// Ask the last use of the user's new keys of rotations not asked yet in
    /// this load (their keys and tags are both in), but for those `asked`
    /// already.
    pub(super) fn rotation_last_used(&mut self, user: &str, asked: &[Effect]) -> Vec<Effect> {
        let Some(row) = self.users.get(user) else {
            return Vec::new();
        };
        let Some(keys) = row.listed_keys() else {
            return Vec::new();
        };
        let wanted: Vec<String> = self
            .rotations(user)
            .into_iter()
            .filter(|r| keys.iter().any(|k| k.id == r.new))
            // A recorded first use is believed only once IAM shows the key
            // used: ask it either way.
            .filter(|r| !row.last_used.contains_key(&r.new))
            .filter(|r| {
                !asked.iter().any(|e| {
                    matches!(e, Effect::Iam { call: Call::LastUsed { key_id, .. }, .. } if *key_id == r.new)
                })
            })
            .map(|r| r.new)
            .collect();
        self.ask_last_used(user, wanted)
    }

    /// Ask the new keys of rotations in progress for their last use, every
    /// [`WATCH_EVERY`] while any is unused.
    pub fn watch_rotations(&mut self, now: DateTime<Utc>) -> Vec<Effect> {
        let due = self
            .rotations
            .watched_at
            .is_none_or(|at| now - at >= WATCH_EVERY);
        if !due {
            return Vec::new();
        }
        self.rotations.watched_at = Some(now);
        let mut wanted = self.unused_new_keys();
        // Once the new key is used, the old key's last use says whether the
        // workload has switched.
        wanted.extend(self.old_keys_of_used_rotations());
        wanted
            .into_iter()
            .map(|(user, key_id)| self.call(Call::LastUsed { user, key_id }))
            .collect()
    }
}
