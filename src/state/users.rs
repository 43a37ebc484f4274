//! The account's users as loaded so far, and the sorted view the table shows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::audit::{Finding, UserInput};
use crate::iam::IamError;
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

/// A user's groups and tags, fetched when the user is on screen. Each is
/// asked on its own and fails on its own: a denied `ListUserTags` loses the
/// key descriptions, not the groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extras {
    pub groups: Result<Vec<String>, IamError>,
    pub tags: Result<Vec<(String, String)>, IamError>,
}

impl Extras {
    /// The console's description of an access key: the tag keyed by its ID.
    #[must_use]
    pub fn description(&self, key_id: &str) -> Option<&str> {
        self.tags
            .as_ref()
            .ok()?
            .iter()
            .find(|(k, _)| k == key_id)
            .map(|(_, v)| v.as_str())
    }
}

/// Where a user's groups and tags stand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExtrasState {
    #[default]
    NotRequested,
    Requested,
    Loaded(Extras),
}

/// One user and everything known about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub user: User,
    /// Console password, from the credential report or `GetLoginProfile`.
    pub password: Option<bool>,
    /// Why the console password could not be read (`GetLoginProfile` failed).
    pub password_error: Option<IamError>,
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
}

impl UserRow {
    #[must_use]
    pub fn new(user: User) -> Self {
        Self {
            user,
            password: None,
            password_error: None,
            details_requested: false,
            mfa: None,
            mfa_error: None,
            report: None,
            keys: KeysState::NotRequested,
            last_used: HashMap::new(),
            last_used_errors: HashMap::new(),
            findings: Vec::new(),
            extras: ExtrasState::NotRequested,
        }
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
    #[must_use]
    pub fn report_slot(&self, key: &AccessKey) -> Option<&ReportKeySlot> {
        let report = self.report.as_ref()?;
        let created = key.created?;
        report.keys.iter().find(|s| {
            s.last_rotated
                .is_some_and(|t| t.timestamp() == created.timestamp())
        })
    }

    /// Everything known of the user, as the audit reads it: listed keys
    /// when there are any (with the freshest last use), else the credential
    /// report's slots.
    #[must_use]
    pub fn audit_input(&self) -> UserInput {
        let keys = match self.listed_keys() {
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
        };
        UserInput {
            name: self.user.name.clone(),
            created: self.user.created,
            password: self.password,
            keys,
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

/// Sort orders of the user table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Created,
    /// The oldest Active key first (users without one last).
    OldestKey,
    /// The least recently used keys first (never used before any date; users without keys last).
    LastUsed,
    Findings,
}

impl SortKey {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Name => Self::Created,
            Self::Created => Self::OldestKey,
            Self::OldestKey => Self::LastUsed,
            Self::LastUsed => Self::Findings,
            Self::Findings => Self::Name,
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Created => "created",
            Self::OldestKey => "oldest active key",
            Self::LastUsed => "last used",
            Self::Findings => "findings",
        }
    }
}

/// All users, with a sorted view and a cursor into it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Users {
    rows: Vec<UserRow>,
    by_name: HashMap<String, usize>,
    /// Indices into `rows`, in display order.
    view: Vec<usize>,
    /// Position of the selection in `view`.
    pub cursor: usize,
    /// First visible position of `view`.
    pub offset: usize,
    pub sort: SortKey,
    /// Show only users with findings (`F`).
    pub findings_only: bool,
    /// Show only users whose name, or one of whose access key IDs, contains this (`/`).
    pub filter: String,
}

impl Users {
    #[must_use]
    pub fn len(&self) -> usize {
        self.view.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// Total users loaded (the view may later be filtered).
    #[must_use]
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub fn clear(&mut self) {
        *self = Self {
            sort: self.sort,
            findings_only: self.findings_only,
            filter: std::mem::take(&mut self.filter),
            ..Self::default()
        };
    }

    /// Add or replace users, keeping the selected user selected.
    pub fn upsert(&mut self, users: Vec<User>) {
        for user in users {
            if let Some(&i) = self.by_name.get(&user.name) {
                self.rows[i].user = user;
            } else {
                self.by_name.insert(user.name.clone(), self.rows.len());
                self.rows.push(UserRow::new(user));
            }
        }
        self.resort();
    }

    /// Re-sort the view, keeping the selected user selected.
    pub fn resort(&mut self) {
        let selected = self.selected().map(|r| r.user.name.clone());
        let rows = &self.rows;
        let findings_only = self.findings_only;
        let needle = self.filter.to_lowercase();
        let key_needle = self.filter.to_uppercase();
        let mut view: Vec<usize> = (0..rows.len())
            .filter(|&i| !findings_only || !rows[i].findings.is_empty())
            .filter(|&i| needle.is_empty() || rows[i].matches(&needle, &key_needle))
            .collect();
        match self.sort {
            SortKey::Name => view.sort_by(|&a, &b| rows[a].user.name.cmp(&rows[b].user.name)),
            SortKey::Created => view.sort_by(|&a, &b| {
                rows[a]
                    .user
                    .created
                    .cmp(&rows[b].user.created)
                    .then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
            }),
            SortKey::Findings => view.sort_by(|&a, &b| {
                let worst = |r: &UserRow| r.findings.iter().map(|f| f.id.severity()).max();
                worst(&rows[b])
                    .cmp(&worst(&rows[a]))
                    .then_with(|| rows[b].findings.len().cmp(&rows[a].findings.len()))
                    .then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
            }),
            SortKey::OldestKey => {
                // (no active key, oldest creation): computed once per row.
                let keys: Vec<(bool, Option<DateTime<Utc>>)> = rows
                    .iter()
                    .map(|r| {
                        let oldest = r
                            .audit_input()
                            .keys
                            .iter()
                            .filter(|k| k.status == KeyStatus::Active)
                            .filter_map(|k| k.created)
                            .min();
                        (oldest.is_none(), oldest)
                    })
                    .collect();
                view.sort_by(|&a, &b| {
                    keys[a]
                        .cmp(&keys[b])
                        .then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
                });
            }
            SortKey::LastUsed => {
                // (no keys, most recent use; None = never used sorts first).
                let keys: Vec<(bool, Option<DateTime<Utc>>)> = rows
                    .iter()
                    .map(|r| {
                        let keys = r.audit_input().keys;
                        let latest = keys
                            .iter()
                            .filter_map(|k| k.last_used.as_ref().and_then(|u| u.date))
                            .max();
                        (keys.is_empty(), latest)
                    })
                    .collect();
                view.sort_by(|&a, &b| {
                    keys[a]
                        .cmp(&keys[b])
                        .then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
                });
            }
        }
        self.view = view;
        if let Some(name) = selected
            && let Some(pos) = self.position_of(&name)
        {
            self.cursor = pos;
        }
        self.cursor = self.cursor.min(self.view.len().saturating_sub(1));
    }

    fn position_of(&self, name: &str) -> Option<usize> {
        let index = *self.by_name.get(name)?;
        self.view.iter().position(|&i| i == index)
    }

    #[must_use]
    pub fn selected(&self) -> Option<&UserRow> {
        self.view.get(self.cursor).map(|&i| &self.rows[i])
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&UserRow> {
        self.by_name.get(name).map(|&i| &self.rows[i])
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut UserRow> {
        self.by_name.get(name).map(|&i| &mut self.rows[i])
    }

    /// All rows, in load order.
    pub fn rows(&self) -> impl Iterator<Item = &UserRow> {
        self.rows.iter()
    }

    pub fn rows_mut(&mut self) -> impl Iterator<Item = &mut UserRow> {
        self.rows.iter_mut()
    }

    /// Rows of the view from `start`, at most `count` of them.
    pub fn visible(&self, start: usize, count: usize) -> impl Iterator<Item = &UserRow> {
        self.view
            .iter()
            .skip(start)
            .take(count)
            .map(|&i| &self.rows[i])
    }

    /// The user names in view order.
    pub fn names_in_view(&self) -> impl Iterator<Item = &str> {
        self.view.iter().map(|&i| self.rows[i].user.name.as_str())
    }

    /// Move the cursor by `delta`, clamped, and scroll so it stays within `height` rows.
    pub fn move_cursor(&mut self, delta: isize, height: usize) {
        let last = self.view.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_into_view(height);
    }

    /// Put the cursor at a position, clamped.
    pub fn set_cursor(&mut self, position: usize, height: usize) {
        self.cursor = position.min(self.view.len().saturating_sub(1));
        self.scroll_into_view(height);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.view.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn user(name: &str, day: u32) -> User {
        User {
            name: name.to_owned(),
            arn: format!("arn:aws:iam::1:user/{name}"),
            created: Utc.with_ymd_and_hms(2024, 1, day, 0, 0, 0).unwrap(),
            password_last_used: None,
        }
    }

    #[test]
    fn sorted_by_name_and_selection_survives_resort() {
        let mut users = Users::default();
        users.upsert(vec![user("carol", 1), user("alice", 3)]);
        users.upsert(vec![user("bob", 2)]);
        assert_eq!(
            users.names_in_view().collect::<Vec<_>>(),
            ["alice", "bob", "carol"]
        );
        users.set_cursor(2, 10);
        users.sort = SortKey::Created;
        users.resort();
        assert_eq!(
            users.names_in_view().collect::<Vec<_>>(),
            ["carol", "bob", "alice"]
        );
        assert_eq!(users.selected().unwrap().user.name, "carol");
    }

    #[test]
    fn cursor_scrolls_and_clamps() {
        let mut users = Users::default();
        users.upsert((1..=20).map(|d| user(&format!("u{d:02}"), d)).collect());
        users.move_cursor(15, 5);
        assert_eq!((users.cursor, users.offset), (15, 11));
        users.move_cursor(100, 5);
        assert_eq!((users.cursor, users.offset), (19, 15));
        users.move_cursor(-100, 5);
        assert_eq!((users.cursor, users.offset), (0, 0));
    }
}
