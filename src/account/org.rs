//! An AWS Organization as loaded (`--org`): its accounts as
//! `organizations:ListAccounts` lists them, each with its own [`Account`]
//! and how its audit stands. A few accounts load at once; the rest wait.

use chrono::{DateTime, Utc};

use super::{Account, IdentityStatus, ListStatus};
use crate::audit::{FindingId, Thresholds};
use crate::iam::IamError;
use crate::iam::org::{Failure, skipped};
use crate::model::{OrgAccount, Page};

/// Where one member account stands.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberStatus {
    /// Listed; its turn to load has not come.
    Waiting,
    /// Its role is being assumed.
    Connecting,
    Loading,
    Done,
    Failed(Failure),
    /// Never audited, never a failure: suspended or closing, or left out by
    /// the config (the reason says which).
    Skipped(String),
}

/// One account of the organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub info: OrgAccount,
    pub status: MemberStatus,
    /// The account as loaded (empty until its turn). While the operator is
    /// in this account, it is `State::account` and this one is empty.
    pub account: Account,
    /// Changes are refused in this account (`[org] read_only`, per account).
    pub read_only: bool,
}

impl Member {
    /// Whether the operator can open the account (it is reached).
    #[must_use]
    pub fn openable(&self) -> bool {
        matches!(self.status, MemberStatus::Loading | MemberStatus::Done)
    }

    /// `name (id)`, or the ID alone.
    #[must_use]
    pub fn label(&self) -> String {
        if self.info.name.is_empty() {
            self.info.id.clone()
        } else {
            format!("{} ({})", self.info.name, self.info.id)
        }
    }
}

/// Where listing the organization's accounts stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Loading { pages: usize },
    Done { pages: usize },
    Failed(IamError),
}

/// The organization.
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    pub members: Vec<Member>,
    pub listing: Listing,
    /// The member the operator is in, if any (its `Account` is then the
    /// state's).
    pub open: Option<usize>,
    /// The role assumed in the members, and the session's name.
    pub role: String,
    pub session_name: String,
    /// The caller's own account (reached with its own credentials).
    pub own_account: String,
    /// Accounts connecting or loading at once, at most.
    pub at_once: usize,
    /// Bumped by every (re)listing; pages of older ones are dropped.
    pub generation: u64,
    /// Bumped whenever an account's row may read differently.
    pub revision: u64,
    /// Where the members' accounts number their loads and changes from: a
    /// new stretch on every (re)listing, so the answers of an earlier
    /// listing's sessions (still on their way) never match the new ones.
    account_base: u64,
    /// The `ListAccounts` tokens of this listing: a repeated one ends it.
    pages: crate::iam::pages::Pages,
    /// Centralized root access, as `ListOrganizationsFeatures` said (`None`:
    /// not answered yet).
    pub root_access: Option<Result<Vec<String>, crate::iam::IamError>>,
}

impl Organization {
    #[must_use]
    pub fn new(role: String, session_name: String, own_account: String, at_once: usize) -> Self {
        Self {
            members: Vec::new(),
            listing: Listing::Loading { pages: 0 },
            open: None,
            role,
            session_name,
            own_account,
            at_once: at_once.max(1),
            generation: 0,
            revision: 0,
            account_base: 0,
            pages: crate::iam::pages::Pages::new(),
            root_access: None,
        }
    }

    /// Start over: no members, listing from the first page.
    pub fn restart(&mut self) {
        self.members.clear();
        self.listing = Listing::Loading { pages: 0 };
        self.pages = crate::iam::pages::Pages::new();
        self.root_access = None;
        self.open = None;
        if self.generation > 0 {
            // Listed before: its sessions' answers may still be on their way.
            self.account_base += 1 << 32;
        }
        self.generation += 1;
        self.revision += 1;
    }

    /// The member with this ID.
    #[must_use]
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.members.iter().position(|m| m.info.id == id)
    }

    /// A page of accounts arrived: add them (`exclude` says why the config
    /// leaves one out: it is listed as skipped, never dropped; `read_only`
    /// says which refuse changes). Returns the token of the next page to
    /// ask, if another follows (a repeated token fails the listing).
    pub fn add_page(
        &mut self,
        page: Page<OrgAccount>,
        exclude: impl Fn(&OrgAccount) -> Option<String>,
        read_only: impl Fn(&OrgAccount) -> bool,
        thresholds: &Thresholds,
        now: DateTime<Utc>,
    ) -> Option<String> {
        let pages = match self.listing {
            Listing::Loading { pages } | Listing::Done { pages } => pages + 1,
            Listing::Failed(_) => 1,
        };
        for info in page.items {
            if self.index_of(&info.id).is_some() {
                continue;
            }
            let status = if skipped(&info.status) {
                MemberStatus::Skipped(format!("{}: skipped", info.status.to_lowercase()))
            } else if let Some(why) = exclude(&info) {
                MemberStatus::Skipped(why)
            } else {
                MemberStatus::Waiting
            };
            let mut account = Account::new(thresholds.clone(), true, now);
            account.rebase(self.account_base);
            self.members.push(Member {
                read_only: read_only(&info),
                account,
                info,
                status,
            });
        }
        self.revision += 1;
        match self
            .pages
            .next("organizations:ListAccounts", page.next_marker)
        {
            Ok(Some(next)) => {
                self.listing = Listing::Loading { pages };
                Some(next)
            }
            Ok(None) => {
                self.listing = Listing::Done { pages };
                None
            }
            Err(err) => {
                self.listing = Listing::Failed(err);
                None
            }
        }
    }

    /// The waiting members whose turn has come (marked connecting): as many
    /// as keep `at_once` accounts connecting or loading.
    pub fn next_to_start(&mut self) -> Vec<OrgAccount> {
        let busy = self
            .members
            .iter()
            .filter(|m| matches!(m.status, MemberStatus::Connecting | MemberStatus::Loading))
            .count();
        let room = self.at_once.saturating_sub(busy);
        let mut out = Vec::new();
        for member in self
            .members
            .iter_mut()
            .filter(|m| m.status == MemberStatus::Waiting)
            .take(room)
        {
            member.status = MemberStatus::Connecting;
            out.push(member.info.clone());
        }
        if !out.is_empty() {
            self.revision += 1;
        }
        out
    }

    /// After an answer for member `index`, whose account is `on_screen`
    /// when the operator is in it (else its own): loading ends when nothing
    /// is pending, or fails when the identity or the user listing did.
    pub fn settle_status(&mut self, index: usize, on_screen: Option<&Account>) {
        let Some(member) = self.members.get_mut(index) else {
            return;
        };
        if member.status != MemberStatus::Loading {
            return;
        }
        let account = on_screen.unwrap_or(&member.account);
        let status = if let IdentityStatus::Failed(err) = &account.identity {
            MemberStatus::Failed(Failure::classify(err.clone()))
        } else if let IdentityStatus::Known(identity) = &account.identity
            && identity.account_id != member.info.id
        {
            MemberStatus::Failed(Failure::IdentityMismatch(crate::iam::org::mismatch(
                &member.info.id,
                &identity.account_id,
            )))
        } else if let ListStatus::Failed(err) = &account.list {
            MemberStatus::Failed(Failure::classify(err.clone()))
        } else if account.pending() == 0 {
            MemberStatus::Done
        } else {
            MemberStatus::Loading
        };
        member.status = status;
        self.revision += 1;
    }

    /// Accounts audited, failed, skipped, still to do.
    #[must_use]
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for member in &self.members {
            match member.status {
                MemberStatus::Done => tally.done += 1,
                MemberStatus::Failed(_) => tally.failed += 1,
                MemberStatus::Skipped(_) => tally.skipped += 1,
                _ => tally.todo += 1,
            }
        }
        tally
    }
}

/// How the organization's accounts stand, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub todo: usize,
}

/// One account's row of the overview, as counted from its `Account`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub users: usize,
    pub keys: usize,
    /// Findings per id, in `FindingId::ALL` order.
    pub findings: Vec<(FindingId, usize)>,
    pub total: usize,
}

impl Summary {
    #[must_use]
    pub fn of(account: &Account) -> Self {
        let keys = account
            .users()
            .rows()
            .filter_map(super::UserRow::key_counts)
            .map(|(a, i)| a + i)
            .sum();
        Self {
            users: account.users().total(),
            keys,
            total: account.open_findings(),
            findings: account.finding_counts(),
        }
    }
}
