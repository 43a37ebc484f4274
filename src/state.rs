//! Everything the UI shows, as plain data: the session, the account as
//! loaded (`account`) and the view over it. `update` changes it; `ui` reads it.

pub mod modal;
pub mod overview;
pub mod query;
pub mod table;
pub mod text_input;

pub use text_input::TextInput;

use std::collections::{BTreeSet, VecDeque};

use chrono::{DateTime, Utc};

pub use crate::account::{
    Account, Backoff, Gap, IdentityStatus, KeysState, ListStatus, ReportStatus, UserRow,
};
pub use modal::{
    AccountRef, BulkDeleteDialog, Button, CodeDialog, Confirm, DeleteDialog, HandOff,
    HandoffDialog, KeyTarget, Operation, Outcome, Posture, ProfilePicker, Progress,
    RemovePasswordDialog, RootKeysDialog, SaveState, SecretDialog, WaiveChoice, WaiveDialog,
    WaiveField,
};
pub use overview::{Overview, OverviewSort};
pub use table::{SortKey, TableView};

use crate::account::org::{Member, Organization};

use crate::audit::Thresholds;
use crate::keymap::Keymap;

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
    /// Remove a user's console password (`DeleteLoginProfile`), the user
    /// name typed.
    RemovePassword(RemovePasswordDialog),
    /// Delete a member's root access keys (`sts:AssumeRoot` from the
    /// management account), the member's account ID typed.
    DeleteRootKeys(RootKeysDialog),
    Secret(SecretDialog),
    Progress(Progress),
    /// The findings of one key (or, with no key, of the user), with remedies.
    Findings {
        user: String,
        key_id: Option<String>,
        /// Rows scrolled past (`j`, `PgDn`, `G`), never past the end.
        scroll: usize,
    },
    Profiles(ProfilePicker),
    Waive(WaiveDialog),
    /// Where `user`'s rotated keys are handed off: a full ARN typed, shown
    /// in full, then recorded in the ledger (`handoff.set`) on `y`.
    Handoff(HandoffDialog),
    BulkDelete(BulkDeleteDialog),
    /// An MFA code for the profile in use (see [`CodeDialog`]).
    Code(CodeDialog),
    /// The profile's SSO or `aws login` session is missing or has expired:
    /// `Enter` runs `command` (the AWS CLI's) with the terminal handed over.
    /// `unavailable`: why it cannot be run here (no `aws` on `PATH`).
    SignInAgain {
        command: String,
        unavailable: Option<String>,
    },
    /// Who uses a key and who made it (`u`), from CloudTrail; `back` is the
    /// dialog it was opened from, shown again when it closes.
    Usage {
        user: String,
        key_id: String,
        back: Option<Box<Modal>>,
    },
}

/// Where `u` reads CloudTrail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegionChoice {
    /// `cloudtrail_regions` as listed (empty: the profile's and us-east-1).
    #[default]
    Listed,
    /// `cloudtrail_regions = "all"`.
    AllEnabled,
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
    /// Where the ledger is, as dialogs say it.
    pub ledger: String,
    /// Read-only and accent rules for every profile, applied on each switch.
    pub posture: Posture,
    /// A plain-HTTP endpoint on another host, said in the header.
    pub insecure_endpoint: Option<String>,
    /// A profile switch asked of the worker and not answered yet: no change
    /// dialog opens meanwhile, and the status bar says so.
    pub switching: Option<String>,
    /// An MFA code is being asked for (the session is not valid until it
    /// is typed): no change dialog can be confirmed meanwhile.
    pub signing_in: bool,
    /// `[org]`: which accounts `--org` audits and which refuse changes.
    pub org_settings: crate::config::OrgSettings,
    /// Where `u` looks (empty: the profile's region and `us-east-1`) and
    /// how many events per region at most.
    pub cloudtrail_regions: Vec<String>,
    /// Whether `u` reads the listed regions or, with `cloudtrail_regions =
    /// "all"`, the account's enabled regions (asked with each load).
    pub regions: RegionChoice,
    pub cloudtrail_max_events: usize,
    /// `[enforce]`'s rules (checked) and notice: the key pane says what a
    /// key's due tag means.
    pub enforce_rules: Vec<crate::enforce::rules::CheckedRule>,
    pub notice_days: u32,
    /// How a console link is opened here (`$BROWSER`, `xdg-open`, `open`);
    /// `None`: it cannot be, and `o` says so.
    pub opener: Option<Vec<String>>,
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

/// What the operator sees and does: focus, cursors, filters, sort,
/// dialogs, messages and the keymap. Reads the account; never holds its data.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub keymap: Keymap,
    pub focus: Focus,
    /// The user table's order, filters and cursor.
    pub table: TableView,
    /// Selected row of the key pane.
    pub key_cursor: usize,
    /// `:whois`: the key to put the key pane's cursor on once its user's
    /// keys are listed.
    pub wanted_key: Option<String>,
    pub modal: Option<Modal>,
    /// Typing into the `/` filter.
    pub filtering: bool,
    /// The `:` command line, while it is open.
    pub command: Option<CommandLine>,
    /// Lines run from the command line this session, oldest first (`↑`).
    pub command_history: Vec<String>,
    /// The AWS config files' profiles, as last listed (`:profile` completes
    /// from them).
    pub known_profiles: Vec<String>,
    /// A one-line message for the status bar.
    pub notice: Option<String>,
    /// The notice on screen and the tick that first drew it: how long it
    /// has had the bar's room.
    pub notice_seen: Option<(String, chrono::DateTime<chrono::Utc>)>,
    /// Terminal size, for page movement and scrolling.
    pub screen: (u16, u16),
    /// Spinner frame, advanced by ticks while calls are pending.
    pub spinner: usize,
    /// Keys marked for a bulk action: (user, key ID).
    pub marks: BTreeSet<(String, String)>,
    /// `Esc` asked "clear N marks? y": the next key answers.
    pub clearing_marks: bool,
    /// The first row of the help on screen.
    pub help_scroll: usize,
    /// New keys' secrets waiting behind the one on screen (never replaced,
    /// never lost).
    pub secrets_waiting: VecDeque<SecretDialog>,
    /// An MFA code asked for while a secret was on screen: shown once it closes.
    pub code_waiting: Option<CodeDialog>,
    /// The organization overview's order, filter and cursor (`--org`).
    pub overview: Overview,
}

/// The `:` command line being typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandLine {
    pub text: TextInput,
    /// Where `↑`/`↓` are in the history (`None`: the line being typed).
    pub history_at: Option<usize>,
    /// What the last Tab could complete to, when more than one.
    pub choices: Vec<String>,
    /// Why the last line did not run.
    pub error: Option<String>,
}

impl View {
    #[must_use]
    pub fn new(keymap: Keymap) -> Self {
        Self {
            keymap,
            focus: Focus::Users,
            table: TableView::default(),
            key_cursor: 0,
            wanted_key: None,
            modal: None,
            filtering: false,
            command: None,
            command_history: Vec::new(),
            known_profiles: Vec::new(),
            notice: None,
            notice_seen: None,
            screen: (120, 40),
            spinner: 0,
            marks: BTreeSet::new(),
            clearing_marks: false,
            help_scroll: 0,
            secrets_waiting: VecDeque::new(),
            code_waiting: None,
            overview: Overview::default(),
        }
    }

    /// Note when the notice on screen first showed (called each tick).
    pub fn age_notice(&mut self, now: chrono::DateTime<chrono::Utc>) {
        self.notice_seen = match (&self.notice, self.notice_seen.take()) {
            (None, _) => None,
            (Some(notice), Some((seen, at))) if &seen == notice => Some((seen, at)),
            (Some(notice), _) => Some((notice.clone(), now)),
        };
    }

    /// Whether the notice on screen has been there at least `long`.
    #[must_use]
    pub fn notice_shown_for(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        long: chrono::TimeDelta,
    ) -> bool {
        match (&self.notice, &self.notice_seen) {
            (Some(notice), Some((seen, at))) => seen == notice && now - *at >= long,
            _ => false,
        }
    }

    /// Rows of the user table that fit on the screen.
    #[must_use]
    pub fn list_height(&self) -> usize {
        usize::from(crate::layout::user_rows(self.screen.0, self.screen.1))
    }

    /// Rows of the organization overview that fit on the screen.
    #[must_use]
    pub fn overview_height(&self) -> usize {
        usize::from(crate::layout::overview_rows(self.screen.0, self.screen.1))
    }
}

/// The whole program state: the session, the account it shows, the view.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub session: Session,
    /// The account on screen: the profile's, or the organization member the
    /// operator is in.
    pub account: Account,
    /// The organization (`--org`): every member's account, and which one is open.
    pub org: Option<Organization>,
    pub view: View,
    /// The clock, moved on by ticks.
    pub now: DateTime<Utc>,
    pub quit: Quit,
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

impl State {
    /// Where `user`'s rotated keys go (the rule is [`crate::handoff::trusted`]).
    #[must_use]
    pub fn handoff(&self, user: &str) -> Option<Result<crate::handoff::Target, String>> {
        use crate::account::ledger::LedgerStatus;
        use crate::handoff::Recorded;
        let recorded = match self.account.ledger_status() {
            LedgerStatus::Known(folded) => {
                Recorded::Known(folded.handoff.get(user).map(|set| set.value.as_str()))
            }
            LedgerStatus::Failed(err) => Recorded::Unreadable(err.to_string()),
            LedgerStatus::NotAsked | LedgerStatus::Asked => Recorded::Pending,
            LedgerStatus::Absent => Recorded::NoLedger,
        };
        crate::handoff::trusted(recorded, self.handoff_claim(user))
    }

    /// The user's `iamkeys:handoff` tag, as written: a claim, never honoured.
    #[must_use]
    pub fn handoff_claim(&self, user: &str) -> Option<&str> {
        let row = self.account.users().get(user)?;
        let crate::account::users::TagsState::Loaded(tags) = &row.tags else {
            return None;
        };
        crate::handoff::claim(tags)
    }

    /// What the ledger's due date of `key_id` means under `[enforce]`'s rules.
    #[must_use]
    pub fn key_due(&self, row: &UserRow, key_id: &str) -> Option<crate::enforce::due::KeyDue> {
        let (date, _) = self
            .account
            .ledger()?
            .due(key_id, self.session.notice_days)?;
        let findings: Vec<_> = row
            .key_findings(key_id)
            .filter(|f| f.open())
            .map(|f| (f.id, self.account.risk_of(f)))
            .collect();
        crate::enforce::due::key_due(
            Some(date),
            &row.user.name,
            &findings,
            &self.session.enforce_rules,
            self.now.date_naive(),
        )
    }

    /// Keys whose due date has come, a rule covering them: what the next
    /// `iamkeys apply` acts on (the header counts them).
    #[must_use]
    pub fn due_now(&self) -> usize {
        if self.session.enforce_rules.is_empty() {
            return 0;
        }
        let Some(ledger) = self.account.ledger() else {
            return 0;
        };
        ledger
            .due
            .iter()
            .filter(|(key_id, due)| {
                self.account.users().get(&due.user).is_some_and(|row| {
                    row.listed_keys()
                        .is_some_and(|keys| keys.iter().any(|k| &k.id == *key_id))
                        && matches!(
                            self.key_due(row, key_id),
                            Some(crate::enforce::due::KeyDue::Due { now: true, .. })
                        )
                })
            })
            .count()
    }

    #[must_use]
    pub fn new(session: Session, keymap: Keymap, now: DateTime<Utc>) -> Self {
        Self {
            session,
            account: Account::new(Thresholds::default(), true, now),
            org: None,
            view: View::new(keymap),
            now,
            quit: Quit::No,
            crash: None,
        }
    }

    /// The organization overview is on screen (`--org`, no account open).
    #[must_use]
    pub fn at_overview(&self) -> bool {
        self.org.as_ref().is_some_and(|o| o.open.is_none())
    }

    /// The organization member the operator is in, if any.
    #[must_use]
    pub fn open_member(&self) -> Option<&Member> {
        let org = self.org.as_ref()?;
        org.members.get(org.open?)
    }

    /// The user selected in the table.
    #[must_use]
    pub fn selected_user(&self) -> Option<&UserRow> {
        self.view.table.selected(self.account.users())
    }

    /// Re-sort the table if the account changed what its order depends on.
    pub fn sync_view(&mut self) {
        self.view.table.sync(&self.account);
    }

    /// Re-sort the table now (sort or filter changed).
    pub fn resort(&mut self) {
        self.view.table.resort_account(&self.account);
    }

    /// The account a change would be bound to now, or why no change may be
    /// started: a profile switch in progress, or an account not known yet.
    ///
    /// # Errors
    /// The reason, in the operator's words.
    pub fn change_target(&self) -> Result<AccountRef, String> {
        if let Some(profile) = &self.session.switching {
            return Err(format!(
                "Switching to profile {profile}…: no change can start until the switch is done."
            ));
        }
        if self.session.signing_in {
            return Err(format!(
                "Profile {} is not signed in (its MFA code was not given): no change can start until it is; r asks for the code again.",
                self.session.profile
            ));
        }
        let identity = self.account.known_identity().ok_or_else(|| {
            "The account is not known yet (sts:GetCallerIdentity): no change can start until it is; r retries.".to_owned()
        })?;
        let member = self.open_member();
        let role_session = identity
            .arn
            .split_once(":assumed-role/")
            .filter(|_| member.is_some())
            .map(|(_, session)| session.to_owned());
        Ok(AccountRef {
            profile: self.session.profile.clone(),
            account_id: identity.account_id.clone(),
            // In an organization the account's name there says which it is.
            alias: member
                .map(|m| m.info.name.clone())
                .or_else(|| identity.alias.clone()),
            caller_arn: identity.arn.clone(),
            role_session,
        })
    }

    /// The keys of the selected user, when listed.
    #[must_use]
    pub fn selected_row_keys(&self) -> Option<&[crate::model::AccessKey]> {
        self.selected_user()?.listed_keys()
    }

    /// The selected one of the selected user's other long-term credentials
    /// (listed after the access keys in the key pane).
    #[must_use]
    pub fn selected_credential(&self) -> Option<(&UserRow, &crate::model::credential::Credential)> {
        if self.view.focus != Focus::Keys {
            return None;
        }
        let row = self.selected_user()?;
        let keys = row.listed_keys()?.len();
        let at = self.view.key_cursor.checked_sub(keys)?;
        let credential = *row.credentials.known().get(at)?;
        Some((row, credential))
    }

    /// The selected key of the selected user.
    #[must_use]
    pub fn selected_key(&self) -> Option<(&UserRow, &crate::model::AccessKey)> {
        let row = self.selected_user()?;
        let key = row.listed_keys()?.get(self.view.key_cursor)?;
        Some((row, key))
    }

    /// Rows of the user table that fit on the screen.
    #[must_use]
    pub fn list_height(&self) -> usize {
        self.view.list_height()
    }
}

/// "the 1 marked key", "the 3 marked keys".
#[must_use]
pub fn marked_keys(count: usize) -> String {
    format!(
        "the {count} marked key{}",
        if count == 1 { "" } else { "s" }
    )
}
