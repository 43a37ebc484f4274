//! The user table as the operator sees it: sort order, filters, cursor and
//! scroll, over the account's rows (which it never changes).

use chrono::{DateTime, Utc};

use crate::account::users::{UserRow, UserTable};
use crate::account::{Account, Revisions, Risk, RootRow};
use crate::model::KeyStatus;
use crate::state::query::Query;

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
    /// The worst risk of the user's open findings first (its severity
    /// raised by what the user can do); users without findings last.
    Risk,
}

impl SortKey {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Name => Self::Created,
            Self::Created => Self::OldestKey,
            Self::OldestKey => Self::LastUsed,
            Self::LastUsed => Self::Findings,
            Self::Findings => Self::Risk,
            Self::Risk => Self::Name,
        }
    }

    /// The column the sort uses, as its header names it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "User",
            Self::Created => "Created",
            Self::OldestKey => "Oldest key",
            Self::LastUsed => "Last used",
            Self::Findings => "Findings",
            Self::Risk => "Risk",
        }
    }
}

/// The root user's row in [`TableView`]'s order (never a user's index).
const ROOT: usize = usize::MAX;

/// `↑` for the sort's own order, `↓` for the other way (`S`).
#[must_use]
pub fn arrow(descending: bool) -> &'static str {
    if descending { "↓" } else { "↑" }
}

/// The table's order over an account's users, and a cursor into it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableView {
    /// Load-order indices into the account's users, in display order.
    order: Vec<usize>,
    /// Position of the selection in the order.
    pub cursor: usize,
    /// First visible position.
    pub offset: usize,
    pub sort: SortKey,
    /// Show only users with findings (`F`).
    pub findings_only: bool,
    /// The `/` filter as typed (see [`Query`]).
    pub filter: super::TextInput,
    /// Why the filter does not read (nothing is shown until it does).
    pub filter_error: Option<String>,
    /// `S`: the other way round.
    pub descending: bool,
    /// The account's revisions the order was made at.
    seen: Revisions,
    /// The user selected before a reload (`r`): selected again once listed,
    /// unless the operator moves first.
    wanted: Option<String>,
    /// The sort before the findings-only view put risk first, restored
    /// when it closes.
    sort_before_findings: Option<(SortKey, bool)>,
}

impl TableView {
    /// Users in view.
    #[must_use]
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Users in view, the root user's row not counted.
    #[must_use]
    pub fn users_in_view(&self) -> usize {
        self.order.iter().filter(|&&i| i != ROOT).count()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// `F`: only users with findings, worst risk first; again: every user,
    /// in the sort they had before.
    pub fn toggle_findings_only(&mut self) {
        self.findings_only = !self.findings_only;
        if self.findings_only {
            self.sort_before_findings = Some((self.sort, self.descending));
            self.sort = SortKey::Risk;
            self.descending = false;
        } else if let Some((sort, descending)) = self.sort_before_findings.take() {
            self.sort = sort;
            self.descending = descending;
        }
    }

    /// Forget the order and position (another account), keeping sort and
    /// filters.
    pub fn clear(&mut self) {
        *self = Self {
            sort: self.sort,
            descending: self.descending,
            findings_only: self.findings_only,
            sort_before_findings: self.sort_before_findings,
            filter: std::mem::take(&mut self.filter),
            ..Self::default()
        };
    }

    /// As [`TableView::clear`] for a reload of the same account: the user
    /// selected now is selected again once listed.
    pub fn reload(&mut self, users: &UserTable) {
        let wanted = self
            .selected(users)
            .map(|r| r.user.name.clone())
            .or_else(|| self.wanted.take());
        self.clear();
        self.wanted = wanted;
    }

    /// Re-sort when what the order depends on changed in the account since
    /// the last sort: users added or the report applied (always), findings
    /// (when sorted or filtered by them), keys (when a filter may match a
    /// key ID).
    pub fn sync(&mut self, account: &Account) {
        let now = account.revisions();
        // A filter may read anything of a row (keys, findings, MFA).
        let stale = now.rows != self.seen.rows
            || (now.findings != self.seen.findings
                && (self.findings_only || matches!(self.sort, SortKey::Findings | SortKey::Risk)))
            || (now != self.seen && !self.filter.is_empty());
        if stale {
            self.resort_account(account);
        }
        self.seen = now;
    }

    /// Re-sort the order over the account's users, with their risks.
    pub fn resort_account(&mut self, account: &Account) {
        self.resort_by(account.users(), account.root_row().as_ref(), &|row| {
            account.worst_risk(&row.user.name, &row.findings)
        });
    }

    /// Re-sort the order, keeping the selected user selected, every
    /// user's risk not known yet (see [`TableView::resort_by`]).
    pub fn resort(&mut self, users: &UserTable, root: Option<&RootRow<'_>>) {
        self.resort_by(users, root, &|row| Risk::worst(&row.findings, None));
    }

    /// Re-sort the order, keeping the selected user selected; `risk` is a
    /// row's worst risk (for [`SortKey::Risk`]). The root user's row
    /// (`root`, when known) comes first, whatever the order.
    pub fn resort_by(
        &mut self,
        users: &UserTable,
        root: Option<&RootRow<'_>>,
        risk: &dyn Fn(&UserRow) -> Option<Risk>,
    ) {
        let root_was_selected = self.root_selected() && self.wanted.is_none();
        let selected = match &self.wanted {
            Some(name) if users.index_of(name).is_some() => self.wanted.take(),
            _ => self.selected(users).map(|r| r.user.name.clone()),
        };
        let rows: Vec<&UserRow> = users.rows().collect();
        let findings_only = self.findings_only;
        let query = Query::parse(self.filter.as_str());
        self.filter_error = query.as_ref().err().cloned();
        let mut order: Vec<usize> = match &query {
            Ok(query) => (0..rows.len())
                .filter(|&i| !findings_only || !rows[i].findings.is_empty())
                .filter(|&i| query.matches(rows[i]))
                .collect(),
            // A filter that does not read shows nothing, and says why.
            Err(_) => Vec::new(),
        };
        sort_order(&mut order, &rows, self.sort, risk);
        if self.descending {
            order.reverse();
        }
        if let (Some(root), Ok(query)) = (root, &query)
            && (!findings_only || !root.findings.is_empty())
            && query.matches_root(root)
        {
            order.insert(0, ROOT);
        }
        self.order = order;
        if root_was_selected && self.root_selected() {
            self.cursor = 0;
        } else if let Some(name) = selected
            && let Some(index) = users.index_of(&name)
            && let Some(pos) = self.order.iter().position(|&i| i == index)
        {
            self.cursor = pos;
        }
        self.cursor = self.cursor.min(self.order.len().saturating_sub(1));
    }

    /// Whether the cursor is on the root user's row.
    #[must_use]
    pub fn root_selected(&self) -> bool {
        self.order.get(self.cursor) == Some(&ROOT)
    }

    /// The selected user's row (none on the root user's row).
    #[must_use]
    pub fn selected<'a>(&self, users: &'a UserTable) -> Option<&'a UserRow> {
        users.at(*self.order.get(self.cursor)?)
    }

    /// Rows of the view from `start`, at most `count` of them; `None` is
    /// the root user's row.
    pub fn visible<'a>(
        &'a self,
        users: &'a UserTable,
        start: usize,
        count: usize,
    ) -> impl Iterator<Item = Option<&'a UserRow>> + 'a {
        self.order
            .iter()
            .skip(start)
            .take(count)
            .filter(|&&i| i == ROOT || users.at(i).is_some())
            .map(|&i| users.at(i))
    }

    /// Where a user is in the view (the root user's row counts).
    #[must_use]
    pub fn position_of(&self, users: &UserTable, name: &str) -> Option<usize> {
        let index = users.index_of(name)?;
        self.order.iter().position(|&i| i == index)
    }

    /// The user names in view order.
    pub fn names_in_view<'a>(&'a self, users: &'a UserTable) -> impl Iterator<Item = &'a str> + 'a {
        self.order
            .iter()
            .filter_map(|&i| users.at(i))
            .map(|r| r.user.name.as_str())
    }

    /// Move the cursor by `delta`, clamped, and scroll so it stays within `height` rows.
    pub fn move_cursor(&mut self, delta: isize, height: usize) {
        self.wanted = None;
        let last = self.order.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_into_view(height);
    }

    /// Select `name` once it is listed (now, if it is), unless the
    /// operator moves first.
    pub fn want(&mut self, name: &str, users: &UserTable, height: usize) {
        match self.position_of(users, name) {
            Some(position) => self.set_cursor(position, height),
            None => self.wanted = Some(name.to_owned()),
        }
    }

    /// Put the cursor at a position, clamped.
    pub fn set_cursor(&mut self, position: usize, height: usize) {
        self.wanted = None;
        self.cursor = position.min(self.order.len().saturating_sub(1));
        self.scroll_into_view(height);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.order.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

/// Put `order` (indices into `rows`) in `sort`'s order; `risk` is a row's
/// worst risk.
fn sort_order(
    order: &mut [usize],
    rows: &[&UserRow],
    sort: SortKey,
    risk: &dyn Fn(&UserRow) -> Option<Risk>,
) {
    match sort {
        SortKey::Name => order.sort_by(|&a, &b| rows[a].user.name.cmp(&rows[b].user.name)),
        SortKey::Created => order.sort_by(|&a, &b| {
            rows[a]
                .user
                .created
                .cmp(&rows[b].user.created)
                .then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
        }),
        SortKey::Findings => order.sort_by(|&a, &b| {
            let worst = |r: &UserRow| r.findings.iter().map(|f| f.id.severity()).max();
            worst(rows[b])
                .cmp(&worst(rows[a]))
                .then_with(|| rows[b].findings.len().cmp(&rows[a].findings.len()))
                .then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
        }),
        SortKey::Risk => {
            // (worst risk, open findings): computed once per row, the
            // worst first.
            by_key(order, rows, true, |r| {
                (
                    risk(r).map(Risk::rank),
                    r.findings.iter().filter(|f| f.open()).count(),
                )
            });
        }
        SortKey::OldestKey => {
            // (no active key, oldest creation): computed once per row.
            by_key(order, rows, false, |r| {
                let oldest: Option<DateTime<Utc>> = r
                    .audit_keys()
                    .iter()
                    .filter(|k| k.status == KeyStatus::Active)
                    .filter_map(|k| k.created)
                    .min();
                (oldest.is_none(), oldest)
            });
        }
        SortKey::LastUsed => {
            // (no keys, most recent use; None = never used sorts first).
            by_key(order, rows, false, |r| {
                let keys = r.audit_keys();
                let latest: Option<DateTime<Utc>> = keys
                    .iter()
                    .filter_map(|k| k.last_used.as_ref().and_then(|u| u.date))
                    .max();
                (keys.is_empty(), latest)
            });
        }
    }
}

/// Sort `order` by a key computed once per row (the greatest first when
/// `descending`), then by name.
fn by_key<K: Ord>(
    order: &mut [usize],
    rows: &[&UserRow],
    descending: bool,
    key: impl Fn(&UserRow) -> K,
) {
    let keys: Vec<K> = rows.iter().map(|r| key(r)).collect();
    order.sort_by(|&a, &b| {
        let by = if descending {
            keys[b].cmp(&keys[a])
        } else {
            keys[a].cmp(&keys[b])
        };
        by.then_with(|| rows[a].user.name.cmp(&rows[b].user.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::User;
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
        let mut users = UserTable::default();
        let mut view = TableView::default();
        users.upsert(vec![user("carol", 1), user("alice", 3)]);
        view.resort(&users, None);
        users.upsert(vec![user("bob", 2)]);
        view.resort(&users, None);
        assert_eq!(
            view.names_in_view(&users).collect::<Vec<_>>(),
            ["alice", "bob", "carol"]
        );
        view.set_cursor(2, 10);
        view.sort = SortKey::Created;
        view.resort(&users, None);
        assert_eq!(
            view.names_in_view(&users).collect::<Vec<_>>(),
            ["carol", "bob", "alice"]
        );
        assert_eq!(view.selected(&users).unwrap().user.name, "carol");
    }

    #[test]
    fn cursor_scrolls_and_clamps() {
        let mut users = UserTable::default();
        let mut view = TableView::default();
        users.upsert((1..=20).map(|d| user(&format!("u{d:02}"), d)).collect());
        view.resort(&users, None);
        view.move_cursor(15, 5);
        assert_eq!((view.cursor, view.offset), (15, 11));
        view.move_cursor(100, 5);
        assert_eq!((view.cursor, view.offset), (19, 15));
        view.move_cursor(-100, 5);
        assert_eq!((view.cursor, view.offset), (0, 0));
    }

    #[test]
    fn an_order_from_an_older_table_selects_nothing_rather_than_panicking() {
        let mut users = UserTable::default();
        let mut view = TableView::default();
        users.upsert(vec![user("alice", 1), user("bob", 2)]);
        view.resort(&users, None);
        view.set_cursor(1, 10);
        let newer = UserTable::default();
        assert!(view.selected(&newer).is_none());
        assert_eq!(view.visible(&newer, 0, 10).count(), 0);
    }
}
