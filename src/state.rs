//! Everything the UI shows, as plain data. `update` changes it; `ui` reads it.

pub mod gaps;
pub mod modal;
pub mod users;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

pub use gaps::Gap;
pub use modal::{
    AccountRef, Button, Confirm, DeleteDialog, KeyTarget, Operation, Outcome, Posture,
    ProfilePicker, Progress, SaveState, SecretDialog,
};
pub use users::{KeysState, UserRow, Users};

use crate::audit::{Finding, FindingCounts, FindingId, Thresholds};
use crate::iam::IamError;
use crate::keymap::Keymap;
use crate::model::{CredentialReport, Identity};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Users,
    Keys,
}

/// An overlay that takes keys before the main screen does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help,
    /// Something went wrong or cannot be done; nothing to confirm.
    Error {
        title: String,
        message: String,
    },
    Confirm(Confirm),
    Delete(DeleteDialog),
    Secret(SecretDialog),
    Progress(Progress),
    /// The findings of one key (or, with no key, of the user), with remedies.
    Findings {
        user: String,
        key_id: Option<String>,
    },
    Profiles(ProfilePicker),
}

/// Where the credential report stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportStatus {
    Loading,
    Loaded(CredentialReport),
    /// Refused (`AccessDenied`): per-user calls fill in instead.
    Denied(IamError),
    Failed(IamError),
}

/// The caller identity as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityStatus {
    Loading,
    Known(Identity),
    Failed(IamError),
}

/// Where listing the users stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStatus {
    Loading { pages: usize },
    Done { pages: usize },
    Failed(IamError),
}

/// What the session is connected to, fixed for a run of the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The profile name as shown (`default` when none was given).
    pub profile: String,
    pub demo: bool,
    pub read_only: bool,
    /// Where the new-key dialog appends profiles (AWS shared credentials file).
    pub credentials_file: Option<std::path::PathBuf>,
    /// Read-only and accent rules for every profile, applied on each switch.
    pub posture: Posture,
    /// A plain-HTTP endpoint on another host, said in the header.
    pub insecure_endpoint: Option<String>,
}

impl Session {
    /// Become `profile`, with its read-only rule.
    pub fn switch_to(&mut self, profile: String) {
        self.read_only = self.posture.read_only(&profile);
        self.profile = profile;
    }

    /// The accent colour of the profile in use, if the config gives one.
    #[must_use]
    pub fn accent(&self) -> Option<&str> {
        self.posture.accents.get(&self.profile).map(String::as_str)
    }
}

/// The whole UI state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub session: Session,
    pub keymap: Keymap,
    /// Bumped by every (re)load; results of older generations are dropped.
    pub generation: u64,
    pub now: DateTime<Utc>,
    /// Spinner frame, advanced by ticks while calls are pending.
    pub spinner: usize,
    /// IAM calls requested in this generation and not answered yet.
    pub pending: usize,
    pub identity: IdentityStatus,
    pub list: ListStatus,
    pub report: ReportStatus,
    pub users: Users,
    pub focus: Focus,
    /// Selected row of the key pane.
    pub key_cursor: usize,
    pub modal: Option<Modal>,
    /// Typing into the `/` filter.
    pub filtering: bool,
    /// List every user's access keys (the UI, `report --key-ids`). Without it
    /// the audit comes from `ListUsers` and the credential report alone.
    pub list_keys: bool,
    /// A one-line message for the status bar.
    pub notice: Option<String>,
    /// A profile switch asked of the worker and not answered yet: no change
    /// dialog opens meanwhile, and the status bar says so.
    pub switching: Option<String>,
    /// Terminal size, for page movement and scrolling.
    pub screen: (u16, u16),
    pub quit: Quit,
    /// New keys' secrets waiting behind the one on screen (never replaced,
    /// never lost).
    pub secrets_waiting: std::collections::VecDeque<SecretDialog>,
    /// Keys marked for a bulk action: (user, key ID).
    pub marks: BTreeSet<(String, String)>,
    /// Key IDs with a change in flight, and users with a create in flight.
    pub busy_keys: BTreeSet<String>,
    pub busy_users: BTreeSet<String>,
    /// Numbers mutations so their results find their dialog line.
    pub next_mutation: u64,
    /// Changes sent and not answered yet, by mutation number.
    pub in_flight: std::collections::BTreeMap<u64, crate::effect::Change>,
    /// The audit's thresholds.
    pub thresholds: Thresholds,
    /// Findings about the root user (from the credential report, or
    /// `GetAccountSummary` without one).
    pub root_findings: Vec<Finding>,
    /// Without a credential report: whether the root user has access keys
    /// (`GetAccountSummary`); `None` until answered.
    pub root_keys: Option<Result<bool, IamError>>,
    /// Findings per id (in `FindingId::ALL` order), users and root together.
    pub finding_totals: FindingCounts,
    /// The newest key creation time seen, for the stale-report notice.
    pub newest_key: Option<DateTime<Utc>>,
    /// Users whose keys are listed, for progress and timings.
    pub users_with_keys: usize,
    /// Users whose console password is known.
    pub users_with_password: usize,
    /// Users something is missing about (see [`UserRow::gaps`]), kept by `update`.
    pub gap_users: BTreeSet<String>,
    /// The time the findings were computed at (ages move slowly; they are
    /// recomputed when data changes, and hourly).
    pub audit_now: DateTime<Utc>,
    /// The SDK's latest retry of this load, if any: the status bar says it
    /// is backing off for a while after it.
    pub backoff: Option<Backoff>,
    /// Set when a worker task panicked: the program stops with this message.
    pub crash: Option<String>,
}

/// Where leaving the program stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quit {
    No,
    /// The operator asked to quit: waiting for changes in flight, or for a
    /// secret to be acknowledged.
    Waiting,
    /// SIGTERM or SIGHUP: waiting for changes in flight; no one is there to
    /// acknowledge a secret.
    Terminating,
    /// Leaving now.
    Leaving,
}

/// The SDK is retrying failed requests (throttling, 5xx, dropped connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Retries of this client so far.
    pub retries: u64,
    pub reason: Option<crate::iam::retries::RetryReason>,
    /// When the latest retry was seen.
    pub at: DateTime<Utc>,
}

impl Backoff {
    /// How long after the latest retry the status bar still mentions it.
    pub const SHOWN_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(5);
}

impl State {
    #[must_use]
    pub fn new(session: Session, keymap: Keymap, now: DateTime<Utc>) -> Self {
        Self {
            session,
            keymap,
            generation: 0,
            now,
            spinner: 0,
            pending: 0,
            identity: IdentityStatus::Loading,
            list: ListStatus::Loading { pages: 0 },
            report: ReportStatus::Loading,
            users: Users::default(),
            focus: Focus::Users,
            key_cursor: 0,
            modal: None,
            notice: None,
            switching: None,
            filtering: false,
            list_keys: true,
            screen: (120, 40),
            quit: Quit::No,
            secrets_waiting: std::collections::VecDeque::new(),
            crash: None,
            backoff: None,
            thresholds: Thresholds::default(),
            root_findings: Vec::new(),
            root_keys: None,
            audit_now: now,
            finding_totals: FindingCounts::default(),
            newest_key: None,
            users_with_keys: 0,
            users_with_password: 0,
            gap_users: BTreeSet::new(),
            marks: BTreeSet::new(),
            busy_keys: BTreeSet::new(),
            busy_users: BTreeSet::new(),
            next_mutation: 0,
            in_flight: std::collections::BTreeMap::new(),
        }
    }

    /// The backing-off notice to show now, if a retry was seen lately.
    #[must_use]
    pub fn backing_off(&self) -> Option<&Backoff> {
        self.backoff
            .as_ref()
            .filter(|b| self.now.signed_duration_since(b.at) <= Backoff::SHOWN_FOR)
    }

    /// The credential report, once loaded.
    #[must_use]
    pub fn credential_report(&self) -> Option<&CredentialReport> {
        match &self.report {
            ReportStatus::Loaded(report) => Some(report),
            _ => None,
        }
    }

    /// The credential report could not be had (refused or failed past the
    /// retries): per-user calls fill in, and root keys are not checked.
    #[must_use]
    pub fn report_unavailable(&self) -> Option<&IamError> {
        match &self.report {
            ReportStatus::Denied(err) | ReportStatus::Failed(err) => Some(err),
            _ => None,
        }
    }

    /// Everything the audit could not see so far: the root's keys without
    /// a credential report, then each user's gaps.
    #[must_use]
    pub fn gaps(&self) -> Vec<Gap> {
        let mut out: Vec<Gap> = Vec::new();
        // Without a credential report, GetAccountSummary still tells whether
        // the root user has keys; only when that fails too is root unchecked.
        if let Some(report_err) = self.report_unavailable() {
            match &self.root_keys {
                Some(Ok(_)) => {}
                Some(Err(err)) => out.push(Gap::root(err)),
                None => out.push(Gap::root(report_err)),
            }
        }
        for user in &self.gap_users {
            if let Some(row) = self.users.get(user) {
                out.extend(row.gaps());
            }
        }
        out
    }

    /// Whether a rule's data is missing (what [`State::gaps`] lists,
    /// less what no rule needs).
    #[must_use]
    pub fn audit_incomplete(&self) -> bool {
        self.gaps().iter().any(|g| g.blocks_audit)
    }

    /// The account a change would be bound to now, or why no change may be
    /// started: a profile switch in progress, or an account not known yet.
    ///
    /// # Errors
    /// The reason, in the operator's words.
    pub fn change_target(&self) -> Result<AccountRef, String> {
        if let Some(profile) = &self.switching {
            return Err(format!(
                "Switching to profile {profile}…: no change can start until the switch is done."
            ));
        }
        let identity = self.known_identity().ok_or_else(|| {
            "The account is not known yet (sts:GetCallerIdentity): no change can start until it is; r retries.".to_owned()
        })?;
        Ok(AccountRef {
            profile: self.session.profile.clone(),
            account_id: identity.account_id.clone(),
            alias: identity.alias.clone(),
            caller_arn: identity.arn.clone(),
        })
    }

    /// The identity iamkeys is signed in as, once known.
    #[must_use]
    pub fn known_identity(&self) -> Option<&Identity> {
        match &self.identity {
            IdentityStatus::Known(identity) => Some(identity),
            _ => None,
        }
    }

    /// The keys of the selected user, when listed.
    #[must_use]
    pub fn selected_row_keys(&self) -> Option<&[crate::model::AccessKey]> {
        self.users.selected()?.listed_keys()
    }

    /// The selected key of the selected user.
    #[must_use]
    pub fn selected_key(&self) -> Option<(&UserRow, &crate::model::AccessKey)> {
        let row = self.users.selected()?;
        let key = row.listed_keys()?.get(self.key_cursor)?;
        Some((row, key))
    }

    /// How many findings of each id the account has (kept by `update`,
    /// so drawing it costs nothing per user).
    #[must_use]
    pub fn finding_counts(&self) -> Vec<(FindingId, usize)> {
        self.finding_totals.by_id()
    }

    /// Whether keys changed after the credential report was made.
    #[must_use]
    pub fn report_may_be_stale(&self) -> bool {
        let Some(report) = self.credential_report() else {
            return false;
        };
        self.newest_key.is_some_and(|t| t > report.generated_at) || self.next_mutation > 0
    }

    /// Every user is listed and every user's keys are listed.
    #[must_use]
    pub fn all_keys_known(&self) -> bool {
        matches!(self.list, ListStatus::Done { .. }) && self.users_with_keys == self.users.total()
    }

    /// Every user is listed, and console password, key status and findings
    /// are known for each (from the credential report or per-user calls).
    #[must_use]
    pub fn audit_complete(&self) -> bool {
        matches!(self.list, ListStatus::Done { .. })
            && matches!(
                self.report,
                ReportStatus::Loaded(_) | ReportStatus::Denied(_)
            )
            && self.users_with_password == self.users.total()
    }

    /// Rows of the user table that fit on the screen.
    #[must_use]
    pub fn list_height(&self) -> usize {
        usize::from(crate::layout::user_rows(self.screen.0, self.screen.1))
    }
}
