//! The organization overview as the operator sees it: one row per account,
//! sorted and filtered, with a cursor (`--org`).

use crate::account::org::{Member, Organization};

/// Sort orders of the overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverviewSort {
    /// In the order Organizations lists them.
    #[default]
    Listed,
    Name,
    /// The most findings first.
    Findings,
}

impl OverviewSort {
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Listed => Self::Name,
            Self::Name => Self::Findings,
            Self::Findings => Self::Listed,
        }
    }

    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Listed => "listing order",
            Self::Name => "name",
            Self::Findings => "findings",
        }
    }
}

/// The overview's order, filter and cursor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overview {
    /// Position of the selection in [`Overview::order`].
    pub cursor: usize,
    pub offset: usize,
    pub sort: OverviewSort,
    /// `S`: the other way round.
    pub descending: bool,
    /// Show only accounts whose name or ID contains this (`/`).
    pub filter: super::TextInput,
    /// The member selected, by ID (kept across re-sorts and new pages).
    pub selected: Option<String>,
}

impl Overview {
    /// Member indices in display order.
    #[must_use]
    pub fn order(&self, org: &Organization) -> Vec<usize> {
        let needle = self.filter.as_str().to_lowercase();
        let mut order: Vec<usize> = (0..org.members.len())
            .filter(|&i| {
                let m = &org.members[i];
                needle.is_empty()
                    || m.info.name.to_lowercase().contains(&needle)
                    || m.info.id.contains(&needle)
            })
            .collect();
        match self.sort {
            OverviewSort::Listed => {}
            OverviewSort::Name => order.sort_by(|&a, &b| {
                org.members[a]
                    .info
                    .name
                    .to_lowercase()
                    .cmp(&org.members[b].info.name.to_lowercase())
            }),
            OverviewSort::Findings => {
                let totals: Vec<usize> = org
                    .members
                    .iter()
                    .map(|m| m.account.open_findings())
                    .collect();
                order.sort_by(|&a, &b| {
                    totals[b]
                        .cmp(&totals[a])
                        .then_with(|| org.members[a].info.name.cmp(&org.members[b].info.name))
                });
            }
        }
        if self.descending {
            order.reverse();
        }
        order
    }

    /// The selected member's index, by ID, else the cursor's row.
    #[must_use]
    pub fn selected_index(&self, org: &Organization) -> Option<usize> {
        let order = self.order(org);
        if let Some(id) = &self.selected
            && let Some(&i) = order.iter().find(|&&i| org.members[i].info.id == *id)
        {
            return Some(i);
        }
        order
            .get(self.cursor.min(order.len().saturating_sub(1)))
            .copied()
    }

    /// The selected member.
    #[must_use]
    pub fn selected_member<'a>(&self, org: &'a Organization) -> Option<&'a Member> {
        org.members.get(self.selected_index(org)?)
    }

    /// Put the cursor on the selected member (after a re-sort, a filter or
    /// a new page) and keep it within `height` rows.
    pub fn follow(&mut self, org: &Organization, height: usize) {
        let order = self.order(org);
        if let Some(id) = &self.selected
            && let Some(pos) = order.iter().position(|&i| org.members[i].info.id == *id)
        {
            self.cursor = pos;
        }
        self.cursor = self.cursor.min(order.len().saturating_sub(1));
        self.selected = order
            .get(self.cursor)
            .map(|&i| org.members[i].info.id.clone());
        self.scroll(order.len(), height);
    }

    /// Move by `delta` rows (clamped), keeping the cursor within `height` rows.
    pub fn move_by(&mut self, org: &Organization, delta: isize, height: usize) {
        let order = self.order(org);
        let last = order.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.selected = order
            .get(self.cursor)
            .map(|&i| org.members[i].info.id.clone());
        self.scroll(order.len(), height);
    }

    fn scroll(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}
