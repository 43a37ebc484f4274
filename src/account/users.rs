//! The account's users as loaded so far, in load order. The table's order,
//! cursor and filter are the view's (`state::table`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::audit::{Finding, UserInput};
use crate::iam::IamError;
use crate::ledger::Folded;
use crate::model::{AccessKey, KeyStatus, LastUsed, ReportKeySlot, ReportRow, User};

/// Where a user's access-key listing stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KeysState {
    #[default]
    NotRequested,
    /// Waiting for a slot in the background queue.
    Queued,
    /// Requested ahead of the queue because the user is selected.
    Priority,
    Loaded(Vec<AccessKey>),
    Failed(IamError),
}

pub use crate::action::Extras;

/// Where a user's groups and tags stand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExtrasState {
    #[default]
    NotRequested,
    Requested,
    Loaded(Extras),
}

/// Where a user's tags stand (read for the waivers of users with findings).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TagsState {
    #[default]
    NotRequested,
    Queued,
    Loaded(Vec<(String, String)>),
    Failed(IamError),
}

/// One user and everything known about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user: User,
    /// Console password, from the credential report or `GetLoginProfile`.
    pub password: Option<bool>,
    /// Why the console password could not be read (`GetLoginProfile` failed).
    pub password_error: Option<IamError>,
    /// When the console password was set, as `GetLoginProfile` said (the
    /// credential report's `password_last_changed` is in [`Self::report`]).
    pub password_set: Option<DateTime<Utc>>,
    /// A `GetLoginProfile` is asked (or answered) for this user.
    pub details_requested: bool,
    pub mfa: Option<bool>,
    pub mfa_error: Option<IamError>,
    /// The user's credential report row.
    pub report: Option<ReportRow>,
    pub keys: KeysState,
    /// Fresh `GetAccessKeyLastUsed` answers, by key ID.
    pub last_used: HashMap<String, LastUsed>,
    /// `GetAccessKeyLastUsed` calls that failed, by key ID.
    pub last_used_errors: HashMap<String, IamError>,
    /// The audit's findings for this user, kept current by `update`.
    pub findings: Vec<Finding>,
    /// Groups and tags (key descriptions), for the details area.
    pub extras: ExtrasState,
    /// The user's tags, for waivers.
    pub tags: TagsState,
    /// Service-specific credentials, SSH public keys, signing certificates.
    pub credentials: super::credentials::UserCredentials,
}

impl UserRow {
    #[must_use]
    pub fn new(user: User) -> Self {
        Self {
            user,
            password: None,
            password_error: None,
            password_set: None,
            details_requested: false,
            mfa: None,
            mfa_error: None,
            report: None,
            keys: KeysState::NotRequested,
            last_used: HashMap::new(),
            last_used_errors: HashMap::new(),
            findings: Vec::new(),
            extras: ExtrasState::NotRequested,
            tags: TagsState::NotRequested,
            credentials: super::credentials::UserCredentials::default(),
        }
    }

    /// The signing certificates the credential report shows, where they
    /// were not listed (the report holds no IDs).
    #[must_use]
    pub fn report_certificates(&self) -> Option<&[crate::model::ReportCertificate]> {
        if self.credentials.certificates.is_some() {
            return None;
        }
        self.report.as_ref()?.certificates.as_deref()
    }

    /// The findings about one key.
    pub fn key_findings<'a>(&'a self, key_id: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .iter()
            .filter(move |f| f.access_key_id.as_deref() == Some(key_id))
    }

    /// Active and inactive key counts, from the listing or else the report.
    #[must_use]
    pub fn key_counts(&self) -> Option<(usize, usize)> {
        if let KeysState::Loaded(keys) = &self.keys {
            let active = keys
                .iter()
                .filter(|k| k.status == KeyStatus::Active)
                .count();
            return Some((active, keys.len() - active));
        }
        let report = self.report.as_ref()?;
        let present = report.keys.iter().filter(|s| s.present());
        let (active, inactive) =
            present.fold(
                (0, 0),
                |(a, i), s| {
                    if s.active { (a + 1, i) } else { (a, i + 1) }
                },
            );
        Some((active, inactive))
    }

    /// Whether the (lower-case) name or an (upper-case) access key ID contains the filter.
    #[must_use]
    pub fn matches(&self, lower: &str, upper: &str) -> bool {
        self.user.name.to_lowercase().contains(lower)
            || self
                .listed_keys()
                .is_some_and(|keys| keys.iter().any(|k| k.id.contains(upper)))
    }

    /// The listed keys, when known.
    #[must_use]
    pub fn listed_keys(&self) -> Option<&[AccessKey]> {
        match &self.keys {
            KeysState::Loaded(keys) => Some(keys),
            _ => None,
        }
    }

    /// The credential report slot of a key: matched by `last_rotated` == the
    /// key's creation time, to the second (the report has no key IDs).
    ///
    /// A match is used only when it is one-to-one: exactly one slot made in
    /// that second, and exactly one listed key made in it. Two keys made in
    /// the same second (a script, Terraform), or a slot of a key deleted
    /// since that shares the second, are ambiguous: `None`, and the key's
    /// last use is asked of IAM (`GetAccessKeyLastUsed`) instead of taken
    /// from a slot that may be the other key's — unless which slot is whose
    /// cannot matter: as many slots as keys in that second, every one with
    /// the same last use (then any match gives each key the same answer).
    #[must_use]
    pub fn report_slot(&self, key: &AccessKey) -> Option<&ReportKeySlot> {
        let report = self.report.as_ref()?;
        let second = key.created?.timestamp();
        let same_second = |t: Option<DateTime<Utc>>| t.is_some_and(|t| t.timestamp() == second);
        let slots: Vec<&ReportKeySlot> = report
            .keys
            .iter()
            .filter(|s| same_second(s.last_rotated))
            .collect();
        let first = *slots.first()?;
        let keys_in_second = self.listed_keys().map_or(1, |keys| {
            keys.iter().filter(|k| same_second(k.created)).count()
        });
        // The key asked about may not be among the listed ones (yet): it
        // still competes for the slot.
        let listed = self
            .listed_keys()
            .is_some_and(|keys| keys.iter().any(|k| k.id == key.id));
        let competitors = if listed {
            keys_in_second
        } else {
            keys_in_second + 1
        };
        let alike = slots.iter().all(|s| s.last_used == first.last_used);
        (competitors == slots.len() && (slots.len() == 1 || alike)).then_some(first)
    }

    /// The user's keys as the audit reads them: listed keys when there are
    /// any (with the freshest last use), else the credential report's slots.
    #[must_use]
    pub fn audit_keys(&self) -> Vec<crate::audit::KeyInput> {
        match self.listed_keys() {
            Some(keys) => keys
                .iter()
                .map(|k| crate::audit::KeyInput {
                    id: Some(k.id.clone()),
                    status: k.status,
                    created: k.created,
                    last_used: self.key_last_used(k),
                })
                .collect(),
            None => self
                .report
                .as_ref()
                .map(crate::audit::input::report_keys)
                .unwrap_or_default(),
        }
    }

    /// Everything known of the user, as the audit reads it as of `now`,
    /// with what the account's ledger (once read) recorded.
    #[must_use]
    pub fn audit_input(&self, now: DateTime<Utc>, ledger: Option<&Folded>) -> UserInput {
        let keys = self.audit_keys();
        UserInput {
            name: self.user.name.clone(),
            account_id: self
                .user
                .arn
                .split(':')
                .nth(4)
                .filter(|a| crate::model::is_account_id(a))
                .map(ToOwned::to_owned),
            created: self.user.created,
            password: self.password,
            // The latest either source saw (`ListUsers`, the report).
            password_last_used: self
                .user
                .password_last_used
                .max(self.report.as_ref().and_then(|r| r.password_last_used)),
            password_set: self
                .password_set
                .or_else(|| self.report.as_ref().and_then(|r| r.password_last_changed)),
            inactive_since: self
                .listed_keys()
                .unwrap_or_default()
                .iter()
                .filter_map(|k| match self.inactive_since(&k.id, now, ledger) {
                    Some(Since::Honoured { at, .. }) => Some((k.id.clone(), at)),
                    _ => None,
                })
                .collect(),
            keys,
            credentials: self.credentials.known().into_iter().cloned().collect(),
            report_certificates: self
                .report_certificates()
                .map(<[_]>::to_vec)
                .unwrap_or_default(),
            waivers: {
                let mut waivers = self.waivers().0;
                if let Some(ledger) = ledger {
                    waivers.extend(ledger.waivers_of(&self.user.name));
                }
                waivers
            },
            // The account knows it (from the authorization details).
            quarantine: None,
        }
    }

    /// Whether the user's tags (as read) hold this tag key.
    #[must_use]
    pub fn has_tag(&self, key: &str) -> bool {
        matches!(&self.tags, TagsState::Loaded(tags) if tags.iter().any(|(k, _)| k == key))
    }

    /// Whether the user's tags are read and do not hold this tag key (while
    /// they are not read, it cannot be told: `false`).
    #[must_use]
    pub fn lacks_tag(&self, key: &str) -> bool {
        matches!(&self.tags, TagsState::Loaded(tags) if !tags.iter().any(|(k, _)| k == key))
    }

    /// When this key became inactive, and by whose record, as the ledger
    /// says (iamkeys made it inactive, CloudTrail's `UpdateAccessKey`, or
    /// iamkeys first saw it inactive) and as far as IAM's own facts agree as
    /// of `now`: honoured only while the key is Inactive, its date is not in
    /// the future nor before the key was made, and the key's last use (from
    /// IAM) is known and not after it. Never from a tag: an
    /// `iamkeys:inactive-since:` tag is a claim anyone who can tag the user
    /// can write ([`UserRow::inactive_claim`]).
    #[must_use]
    pub fn inactive_since(
        &self,
        key_id: &str,
        now: DateTime<Utc>,
        ledger: Option<&Folded>,
    ) -> Option<Since> {
        let record = ledger?.inactive.get(key_id)?;
        if record.user != self.user.name {
            return Some(Since::Stale {
                at: record.at,
                by: record.by.clone(),
                why: format!("recorded for user {}", crate::text::clean(&record.user)),
            });
        }
        let (at, by) = (record.at, record.by.clone());
        let stale = |why: String| {
            Some(Since::Stale {
                at,
                by: by.clone(),
                why,
            })
        };
        let Some(key) = self
            .listed_keys()
            .and_then(|keys| keys.iter().find(|k| k.id == key_id))
        else {
            return stale("key not listed".to_owned());
        };
        if key.status != KeyStatus::Inactive {
            return stale(format!("key is {} now", key.status));
        }
        // The tag holds whole seconds, written by this machine's clock;
        // IAM's times are AWS's: a few minutes either way are no contradiction.
        let skew = chrono::TimeDelta::minutes(5);
        if at > now + skew {
            return stale("dated in the future".to_owned());
        }
        if let Some(created) = key.created
            && at + skew < created
        {
            return stale("dated before the key was made".to_owned());
        }
        match self.key_last_used(key) {
            None => stale("last use not known yet".to_owned()),
            Some(LastUsed {
                date: Some(used), ..
            }) if used > at + skew => stale(format!("used {}, after it", used.format("%Y-%m-%d"))),
            Some(_) => Some(Since::Honoured { at, by }),
        }
    }

    /// An `iamkeys:inactive-since:<key>` tag on the user, as written: a
    /// claim, shown, never believed.
    #[must_use]
    pub fn inactive_claim(&self, key_id: &str) -> Option<&str> {
        let TagsState::Loaded(tags) = &self.tags else {
            return None;
        };
        let want = format!("{}{key_id}", crate::effect::INACTIVE_SINCE);
        tags.iter()
            .find(|(k, _)| *k == want)
            .map(|(_, v)| v.as_str())
    }

    /// The waivers in the user's tags (claims), and the malformed waiver tags.
    #[must_use]
    pub fn waivers(
        &self,
    ) -> (
        Vec<crate::audit::waivers::Waiver>,
        Vec<crate::audit::waivers::Malformed>,
    ) {
        match &self.tags {
            TagsState::Loaded(tags) => crate::audit::waivers::parse(&self.user.name, tags),
            _ => (Vec::new(), Vec::new()),
        }
    }

    /// Last use of a key: the fresh answer if there is one, else the report's.
    #[must_use]
    pub fn key_last_used(&self, key: &AccessKey) -> Option<LastUsed> {
        self.last_used
            .get(&key.id)
            .cloned()
            .or_else(|| self.report_slot(key).map(|s| s.last_used.clone()))
    }
}

/// How the ledger's inactive date of a key stands against IAM's own facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Believed: the key has been inactive, unused, since `at`.
    Honoured { at: DateTime<Utc>, by: String },
    /// Contradicted by IAM (why): shown, not honoured; a new record is made
    /// the next time the key is made or seen inactive.
    Stale {
        at: DateTime<Utc>,
        by: String,
        why: String,
    },
}

/// A name as an IAM tag value may hold it (letters, digits and `_.:/=+-@`).
#[must_use]
pub fn tag_word(name: &str) -> String {
    let word: String = name
        .chars()
        .filter(|c| c.is_alphanumeric() || "_.:/=+-@".contains(*c))
        .collect();
    if word.is_empty() {
        "operator".to_owned()
    } else {
        word
    }
}

/// Every user of the account as loaded so far, in load order. Rows are only
/// added (a reload starts a new table), so an index into it stays valid for
/// the table's life.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserTable {
    rows: Vec<UserRow>,
    by_name: HashMap<String, usize>,
    /// The longest user name, in terminal columns: kept as rows are added,
    /// so a frame never measures every name.
    longest_name: usize,
}

impl UserTable {
    /// Users loaded.
    #[must_use]
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Add or replace users.
    pub fn upsert(&mut self, users: Vec<User>) {
        for user in users {
            if let Some(&i) = self.by_name.get(&user.name) {
                self.rows[i].user = user;
            } else {
                self.by_name.insert(user.name.clone(), self.rows.len());
                self.longest_name = self
                    .longest_name
                    .max(unicode_width::UnicodeWidthStr::width(user.name.as_str()));
                self.rows.push(UserRow::new(user));
            }
        }
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&UserRow> {
        self.by_name.get(name).map(|&i| &self.rows[i])
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut UserRow> {
        self.by_name.get(name).map(|&i| &mut self.rows[i])
    }

    /// The row at a load-order index.
    #[must_use]
    pub fn at(&self, index: usize) -> Option<&UserRow> {
        self.rows.get(index)
    }

    /// The load-order index of a user.
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The longest user name's width in terminal columns (0 with none).
    #[must_use]
    pub fn longest_name(&self) -> usize {
        self.longest_name
    }

    /// All rows, in load order.
    pub fn rows(&self) -> impl Iterator<Item = &UserRow> {
        self.rows.iter()
    }

    pub(crate) fn rows_mut(&mut self) -> impl Iterator<Item = &mut UserRow> {
        self.rows.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> User {
        User {
            name: name.to_owned(),
            arn: format!("arn:aws:iam::111111111111:user/{name}"),
            created: chrono::DateTime::UNIX_EPOCH,
            password_last_used: None,
        }
    }

    /// The users table's name column is as wide as the longest name, kept
    /// as users are added (a frame no longer measures every name): wide
    /// characters count as two columns, a user listed again changes nothing.
    #[test]
    fn the_longest_name_is_kept_in_terminal_columns() {
        let mut table = UserTable::default();
        assert_eq!(table.longest_name(), 0);
        table.upsert(vec![user("bob"), user("alice.admin")]);
        assert_eq!(table.longest_name(), 11);
        table.upsert(vec![user("日本語ユーザー"), user("bob")]);
        assert_eq!(table.longest_name(), 14);
        let measured = table
            .rows()
            .map(|r| unicode_width::UnicodeWidthStr::width(r.user.name.as_str()))
            .max();
        assert_eq!(Some(table.longest_name()), measured);
    }
}
