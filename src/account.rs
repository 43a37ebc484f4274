//! One AWS account as loaded: identity, users, keys, credential report,
//! findings and what could not be seen, plus the calls and changes still
//! out. No view in it (cursor, sort, dialogs are `state::View`'s), so the
//! headless report runs on an `Account` alone, and a session can hold
//! several. Counters derived from the users are kept by the methods that
//! change the users, and read through methods, so they cannot drift.

mod aws;
pub mod credentials;
pub mod findings;
pub mod gaps;
pub mod ledger;
mod load;
pub mod org;
pub mod rotation;
pub mod usage;
pub mod users;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

pub use gaps::Gap;
pub use load::{Event, Step};
pub use users::{KeysState, UserRow, UserTable};

use crate::audit::{Finding, FindingCounts, FindingId, Thresholds};
use crate::effect::{Call, Change, Effect};
use crate::iam::IamError;
use crate::model::{CredentialReport, Identity};

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

/// The SDK is retrying failed requests (throttling, 5xx, dropped connections).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Retries of this client so far.
    pub retries: u64,
    pub reason: Option<crate::iam::retries::RetryReason>,
    /// The service the latest retried request went to (`IAM`, `CloudTrail`…).
    pub service: Option<&'static str>,
    /// When the latest retry was seen.
    pub at: DateTime<Utc>,
}

impl Backoff {
    /// How long after the latest retry the status bar still mentions it.
    pub const SHOWN_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(5);
}

/// Where reading every user's tags at once stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkTags {
    Loading,
    Done,
    /// Refused or failed: users with findings have their tags read one by one.
    Failed(IamError),
}

/// Change counters of an account, for views that order its users: a view
/// re-sorts when a counter its order depends on has moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Revisions {
    /// Users added, the credential report applied, every finding recomputed.
    pub rows: u64,
    /// One user's findings recomputed.
    pub findings: u64,
    /// One user's keys listed.
    pub keys: u64,
}

/// A change sent and not answered yet, with what its follow-ups need: the
/// account it was confirmed for (follow-ups go there, whatever is on screen
/// when the answer comes) and, for a delete, the rotation its key was part
/// of when it was sent (a refresh may have dropped the tags meanwhile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub change: Change,
    pub actor: crate::effect::Actor,
    pub rotation: Option<rotation::Rotation>,
}

/// What the list shows of the root user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootRow<'a> {
    pub findings: &'a [Finding],
    /// From the credential report only.
    pub mfa: Option<bool>,
    pub keys: RootKeys,
}

/// The root user's access keys, as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootKeys {
    /// From the credential report's two slots.
    Counted { active: usize, inactive: usize },
    /// From `GetAccountSummary` (`AccountAccessKeysPresent`): whether any.
    Has(bool),
    /// Neither could be read: why, in a word.
    Unknown(&'static str),
}

/// The name the list gives the root user's row.
pub const ROOT_ROW_NAME: &str = "<root account>";

/// One AWS account as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Bumped by every (re)load; results of older generations are dropped.
    pub generation: u64,
    /// IAM calls requested in this generation and not answered yet.
    pending: usize,
    pub identity: IdentityStatus,
    pub list: ListStatus,
    pub report: ReportStatus,
    users: UserTable,
    /// List every user's access keys (the UI, `report --key-ids`). Without it
    /// the audit comes from `ListUsers` and the credential report alone.
    pub list_keys: bool,
    /// The caller asked for every credential's ID (the UI, `report
    /// --key-ids`): signing certificates are listed even where the
    /// credential report speaks for them.
    every_id: bool,
    /// The audit's thresholds.
    pub thresholds: Thresholds,
    /// Findings about the root user (from the credential report, or
    /// `GetAccountSummary` without one).
    root_findings: Vec<Finding>,
    /// Without a credential report: whether the root user has access keys
    /// (`GetAccountSummary`); `None` until answered.
    root_keys: Option<Result<bool, IamError>>,
    /// When iamkeys deleted the root user's keys (a root session listed
    /// them and deleted each): a credential report generated before then
    /// no longer speaks for them. Kept across reloads.
    root_keys_removed: Option<DateTime<Utc>>,
    /// Findings per id, users and root together.
    totals: FindingCounts,
    /// The newest key creation time seen, for the stale-report notice.
    newest_key: Option<DateTime<Utc>>,
    /// Users whose keys are listed.
    users_with_keys: usize,
    /// Users whose console password is known.
    users_with_password: usize,
    /// Users something is missing about (see [`UserRow::gaps`]).
    gap_users: BTreeSet<String>,
    /// The time the findings were computed at (ages move slowly; they are
    /// recomputed when data changes, and hourly).
    audit_now: DateTime<Utc>,
    /// The latest time the account was told (every tick and answer): what
    /// "in the future" is judged against for state kept in tags.
    clock: DateTime<Utc>,
    revisions: Revisions,
    /// Users whose tags (waivers) are to be asked for with the next answer.
    tag_queue: Vec<String>,
    /// Every user's tags read at once (`GetAccountAuthorizationDetails`);
    /// until it settles, no user's tags are asked for on their own.
    bulk_tags: BulkTags,
    /// Tags from that read for users not listed yet.
    early_tags: std::collections::HashMap<String, Vec<(String, String)>>,
    /// The markers `ListUsers` and the read of every user's tags gave so
    /// far: a repeated one ends that listing (see [`crate::iam::pages`]).
    user_pages: crate::iam::pages::Pages,
    tag_pages: crate::iam::pages::Pages,
    /// `GetAccountAuthorizationDetails` gathered page by page, evaluated
    /// when the walk ends.
    auth: crate::risk::details::AuthDetails,
    /// The quarantine policy AWS attached to a user, by user name (from the
    /// same walk).
    quarantine: BTreeMap<String, String>,
    /// Each user's privileges, once the walk ended; why not, if it failed.
    privileges:
        Option<Result<std::collections::BTreeMap<String, crate::risk::Privileges>, IamError>>,
    /// The SDK's latest retry of this load, if any.
    pub backoff: Option<Backoff>,
    /// Key IDs with a change in flight, and users with a create in flight.
    busy_keys: BTreeSet<String>,
    busy_users: BTreeSet<String>,
    /// Numbers changes so their results find their dialog line.
    next_mutation: u64,
    /// Changes sent and not answered yet, by mutation number.
    in_flight: BTreeMap<u64, Sent>,
    /// Rotations this session started or watched (kept across reloads).
    rotations: rotation::Rotations,
    /// Who uses the keys the operator asked about (`u`), by key ID.
    usage: BTreeMap<String, usage::KeyUsage>,
    /// Bumped by every `u`: its streams' pages carry it.
    usage_generation: u64,
    /// The account's ledger, read once per load.
    ledger: ledger::LedgerStatus,
    /// Inactive keys being (or been) dated this load, by key ID.
    dating: BTreeMap<String, ledger::Dating>,
    /// CloudTrail could not be asked to date a key (it was dated as first
    /// seen instead).
    trail_refused: Option<IamError>,
    /// The account's enabled regions (`cloudtrail_regions = "all"`), once
    /// asked.
    pub enabled_regions: Option<Result<Vec<String>, IamError>>,
    /// IAM Access Analyzer's unused-access analyzer and findings, once
    /// asked (the UI asks at each load).
    pub aws_findings: Option<crate::action::AwsFindings>,
    /// Every user's service-specific credentials, walked once a load.
    service: credentials::ServiceWalk,
}

/// A user's worst risk, or while its level is not known yet, the worst
/// severity it will be raised from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    Known(crate::audit::Severity),
    Pending(crate::audit::Severity),
}

impl Risk {
    /// The worst risk of these findings' open ones, for a user of `level`
    /// (`None`: not known yet, so the worst severity, pending); `None`
    /// without open findings.
    #[must_use]
    pub fn worst(findings: &[Finding], level: Option<crate::risk::Level>) -> Option<Self> {
        findings
            .iter()
            .filter(|f| f.open())
            .map(|f| match level {
                Some(level) => Self::Known(crate::risk::risk(f.id.severity(), level)),
                None => Self::Pending(f.id.severity()),
            })
            .max_by_key(|r| r.rank())
    }

    /// For ordering: the severity, a known risk before a pending one of the
    /// same step.
    #[must_use]
    pub fn rank(self) -> (crate::audit::Severity, bool) {
        match self {
            Self::Known(s) => (s, true),
            Self::Pending(s) => (s, false),
        }
    }
}

impl Account {
    /// Nothing loaded yet; `now` is the audit's clock until the first load.
    #[must_use]
    pub fn new(thresholds: Thresholds, list_keys: bool, now: DateTime<Utc>) -> Self {
        Self {
            generation: 0,
            pending: 0,
            identity: IdentityStatus::Loading,
            list: ListStatus::Loading { pages: 0 },
            report: ReportStatus::Loading,
            users: UserTable::default(),
            list_keys,
            every_id: list_keys,
            thresholds,
            root_findings: Vec::new(),
            root_keys: None,
            root_keys_removed: None,
            totals: FindingCounts::default(),
            newest_key: None,
            users_with_keys: 0,
            users_with_password: 0,
            gap_users: BTreeSet::new(),
            audit_now: now,
            clock: now,
            revisions: Revisions::default(),
            tag_queue: Vec::new(),
            bulk_tags: BulkTags::Loading,
            early_tags: std::collections::HashMap::new(),
            user_pages: crate::iam::pages::Pages::new(),
            tag_pages: crate::iam::pages::Pages::new(),
            auth: crate::risk::details::AuthDetails::default(),
            quarantine: BTreeMap::new(),
            privileges: None,
            backoff: None,
            busy_keys: BTreeSet::new(),
            busy_users: BTreeSet::new(),
            next_mutation: 0,
            in_flight: BTreeMap::new(),
            rotations: rotation::Rotations::default(),
            usage: BTreeMap::new(),
            usage_generation: 0,
            ledger: ledger::LedgerStatus::NotAsked,
            dating: BTreeMap::new(),
            trail_refused: None,
            enabled_regions: None,
            aws_findings: None,
            service: credentials::ServiceWalk::NotAsked,
        }
    }

    /// Number this account's loads and changes from `base`, so answers meant
    /// for an earlier account of the same ID (before an organization was
    /// listed again) never match this one's.
    pub fn rebase(&mut self, base: u64) {
        self.generation = self.generation.max(base);
        self.next_mutation = self.next_mutation.max(base);
    }

    /// An IAM call of the current load, counted as pending until it answers
    /// (the one place an `Effect::Iam` is made).
    pub fn call(&mut self, call: Call) -> Effect {
        self.pending += 1;
        Effect::Iam {
            generation: self.generation,
            call,
        }
    }

    /// An answer arrived for `generation`: whether it belongs to the
    /// current load (an earlier load's answer is never mixed in).
    pub fn answered(&mut self, generation: u64) -> bool {
        if generation != self.generation {
            return false;
        }
        self.pending = self.pending.saturating_sub(1);
        true
    }

    /// IAM calls of this load not answered yet.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// The account's users, in load order.
    #[must_use]
    pub fn users(&self) -> &UserTable {
        &self.users
    }

    /// What views order by, counted.
    #[must_use]
    pub fn revisions(&self) -> Revisions {
        self.revisions
    }

    /// The SDK retried requests of this account (seen at `now`).
    pub fn retrying(&mut self, retries: crate::iam::retries::Retries, now: DateTime<Utc>) {
        if retries.total > 0 {
            self.backoff = Some(Backoff {
                retries: retries.total,
                reason: retries.last,
                service: retries.service,
                at: now,
            });
        }
    }

    /// The backing-off notice to show at `now`, if a retry was seen lately.
    #[must_use]
    pub fn backing_off(&self, now: DateTime<Utc>) -> Option<&Backoff> {
        self.backoff
            .as_ref()
            .filter(|b| now.signed_duration_since(b.at) <= Backoff::SHOWN_FOR)
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
        // A listing cut short (users were listed, then it failed): the
        // users past them are not seen at all.
        if let ListStatus::Failed(err) = &self.list
            && self.users.total() > 0
        {
            out.push(Gap::listing(err));
        }
        // What was decided about the keys is only in the ledger.
        if let ledger::LedgerStatus::Failed(err) = &self.ledger {
            out.push(Gap::ledger(err));
        }
        // Which keys AWS caught is only in the authorization details.
        if let Some(Err(err)) = &self.privileges {
            out.push(Gap::details(err));
        }
        for user in &self.gap_users {
            if let Some(row) = self.users.get(user) {
                out.extend(row.gaps());
            }
        }
        out
    }

    /// Whether a rule's data is missing (what [`Account::gaps`] lists,
    /// less what no rule needs).
    #[must_use]
    pub fn audit_incomplete(&self) -> bool {
        self.gaps().iter().any(|g| g.blocks_audit)
    }

    /// What keeps the audit from being complete, one line each (the gaps a
    /// rule's data is missing for), as every view says it.
    #[must_use]
    pub fn audit_gap_lines(&self) -> Vec<String> {
        let gaps: Vec<_> = self.gaps().into_iter().filter(|g| g.blocks_audit).collect();
        gaps::lines(&gaps)
    }

    /// Why every user's tags could not be read at once, if so.
    #[must_use]
    pub fn bulk_tags_error(&self) -> Option<&IamError> {
        match &self.bulk_tags {
            BulkTags::Failed(err) => Some(err),
            _ => None,
        }
    }

    /// Users something is missing about.
    #[must_use]
    pub fn gap_user_count(&self) -> usize {
        self.gap_users.len()
    }

    /// The identity iamkeys is signed in as, once known.
    #[must_use]
    pub fn known_identity(&self) -> Option<&Identity> {
        match &self.identity {
            IdentityStatus::Known(identity) => Some(identity),
            _ => None,
        }
    }

    /// What `user`'s policies let it do: `None` while the walk of
    /// `GetAccountAuthorizationDetails` is not over; `unknown` (naming the
    /// call) when it failed or the user was not in it (fail closed).
    #[must_use]
    pub fn privileges(&self, user: &str) -> Option<crate::risk::Privileges> {
        match self.privileges.as_ref()? {
            Ok(all) => Some(
                all.get(user)
                    .cloned()
                    .unwrap_or_else(|| crate::risk::Privileges {
                        level: crate::risk::Level::Unknown,
                        via: vec!["not in iam:GetAccountAuthorizationDetails".to_owned()],
                        conditional: false,
                        boundary: None,
                    }),
            ),
            Err(err) => Some(crate::risk::Privileges {
                level: crate::risk::Level::Unknown,
                via: vec![format!("{} {}", err.action, err.kind_label())],
                conditional: false,
                boundary: None,
            }),
        }
    }

    /// The level of `user`'s policies, as [`Account::privileges`] has it,
    /// without its reasons: `None` while the walk is not over.
    #[must_use]
    pub fn level(&self, user: &str) -> Option<crate::risk::Level> {
        if user == crate::model::ROOT_ROW || user == ROOT_ROW_NAME {
            // The root user can do everything.
            return Some(crate::risk::Level::Admin);
        }
        match self.privileges.as_ref()? {
            Ok(all) => Some(
                all.get(user)
                    .map_or(crate::risk::Level::Unknown, |p| p.level),
            ),
            Err(_) => Some(crate::risk::Level::Unknown),
        }
    }

    /// A finding's risk: its severity raised by its user's level (`None`
    /// while the level is not known yet).
    #[must_use]
    pub fn risk_of(&self, finding: &Finding) -> Option<crate::audit::Severity> {
        self.level(&finding.user_name)
            .map(|level| crate::risk::risk(finding.id.severity(), level))
    }

    /// The worst risk among `user`'s open findings: `None` when it has
    /// none; the worst severity while its level is not known yet.
    #[must_use]
    pub fn worst_risk(&self, user: &str, findings: &[Finding]) -> Option<Risk> {
        Risk::worst(findings, self.level(user))
    }

    /// The quarantine policy AWS attached to `user` on finding one of its
    /// keys exposed, if the authorization details said so.
    #[must_use]
    pub fn quarantine_of(&self, user: &str) -> Option<&str> {
        self.quarantine.get(user).map(String::as_str)
    }

    /// The credential report's root row, unless iamkeys deleted the root
    /// keys after the report was generated.
    pub(crate) fn report_root(&self) -> Option<&crate::model::ReportRow> {
        let report = self.credential_report()?;
        if self
            .root_keys_removed
            .is_some_and(|removed| report.generated_at <= removed)
        {
            return None;
        }
        report.root()
    }

    /// The root user's keys were deleted now (through a root session that
    /// listed them): root has none until IAM says otherwise.
    pub fn root_keys_removed(&mut self, now: DateTime<Utc>) {
        self.root_keys_removed = Some(now);
        self.root_keys = Some(Ok(false));
        let now = self.clock.max(now);
        self.refresh_all(now);
    }

    /// Findings about the root user.
    #[must_use]
    pub fn root_findings(&self) -> &[Finding] {
        &self.root_findings
    }

    /// The root user's row of the list, once anything of it is known: from
    /// the credential report, else from `GetAccountSummary`, else (both
    /// failed) a row that says root is unchecked.
    #[must_use]
    pub fn root_row(&self) -> Option<RootRow<'_>> {
        let from_report = self.report_root();
        // Deleted by iamkeys: none, until IAM says otherwise.
        let removed = self.root_keys_removed.map(|_| Ok(false));
        let keys = match (from_report, self.root_keys.as_ref().or(removed.as_ref())) {
            (Some(row), _) => RootKeys::Counted {
                active: row.keys.iter().filter(|k| k.present() && k.active).count(),
                inactive: row.keys.iter().filter(|k| k.present() && !k.active).count(),
            },
            (None, Some(Ok(has))) => RootKeys::Has(*has),
            (None, Some(Err(err))) => RootKeys::Unknown(err.in_a_word()),
            (None, None) => match self.report_unavailable() {
                Some(err) => RootKeys::Unknown(err.in_a_word()),
                // The report is still coming: nothing to show yet.
                None => return None,
            },
        };
        // An account that could not be read at all has no row of root
        // either: the list says why, once.
        if matches!(keys, RootKeys::Unknown(_)) && !matches!(self.list, ListStatus::Done { .. }) {
            return None;
        }
        Some(RootRow {
            findings: &self.root_findings,
            mfa: from_report.map(|r| r.mfa_active),
            keys,
        })
    }

    /// How many findings of each id the account has (kept as users change,
    /// so reading it costs nothing per user).
    #[must_use]
    pub fn finding_counts(&self) -> Vec<(FindingId, usize)> {
        self.totals.by_id()
    }

    /// Open findings in all (waived ones left out).
    #[must_use]
    pub fn open_findings(&self) -> usize {
        self.totals.by_id().iter().map(|(_, n)| n).sum()
    }

    /// The findings counted by id.
    #[must_use]
    pub fn finding_totals(&self) -> &FindingCounts {
        &self.totals
    }

    /// Whether keys changed after the credential report was made.
    #[must_use]
    pub fn report_may_be_stale(&self) -> bool {
        let Some(report) = self.credential_report() else {
            return false;
        };
        self.newest_key.is_some_and(|t| t > report.generated_at) || self.next_mutation > 0
    }

    /// Users whose keys are listed now.
    #[must_use]
    pub fn users_with_keys(&self) -> usize {
        self.users_with_keys
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

    /// What a change keeps busy while in flight: its user (a create) or its
    /// key (a status change, a delete); a ledger record keeps nothing busy.
    fn busy_on<'a>(&mut self, change: &'a Change) -> Option<(&mut BTreeSet<String>, &'a str)> {
        match change {
            Change::Create { user, .. } | Change::RemovePassword { user } => {
                Some((&mut self.busy_users, user))
            }
            Change::DeleteRootKeys { .. } => Some((&mut self.busy_users, crate::model::ROOT_ROW)),
            Change::SetStatus { key_id, .. }
            | Change::Delete { key_id, .. }
            | Change::SetCredentialStatus { id: key_id, .. }
            | Change::DeleteCredential { id: key_id, .. } => Some((&mut self.busy_keys, key_id)),
            Change::Record(_) => None,
        }
    }

    /// A change is sent, bound to `actor`: number it and mark what it is
    /// busy on.
    pub fn send(&mut self, change: Change, actor: crate::effect::Actor) -> u64 {
        self.next_mutation += 1;
        let id = self.next_mutation;
        if let Some((set, name)) = self.busy_on(&change) {
            set.insert(name.to_owned());
        }
        let rotation = match &change {
            Change::Delete { user, key_id, .. } => self.rotation_claim_on(user, key_id),
            _ => None,
        };
        self.in_flight.insert(
            id,
            Sent {
                change,
                actor,
                rotation,
            },
        );
        id
    }

    /// Whether a change to this key is in flight.
    #[must_use]
    pub fn key_busy(&self, key_id: &str) -> bool {
        self.busy_keys.contains(key_id)
    }

    /// Keys with a change in flight.
    pub fn busy_keys(&self) -> impl Iterator<Item = &str> {
        self.busy_keys.iter().map(String::as_str)
    }

    /// Whether a new key for this user is being made.
    #[must_use]
    pub fn user_busy(&self, user: &str) -> bool {
        self.busy_users.contains(user)
    }

    /// Whether any change is in flight.
    #[must_use]
    pub fn changing(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// Changes sent and not answered yet, oldest first.
    #[must_use]
    pub fn changes_in_flight(&self) -> impl ExactSizeIterator<Item = &Change> {
        self.in_flight.values().map(|sent| &sent.change)
    }

    /// Changes sent and not answered yet, with the account each is bound to.
    #[must_use]
    pub fn sent_in_flight(&self) -> impl ExactSizeIterator<Item = &Sent> {
        self.in_flight.values()
    }

    /// A change answered: the change it was, no longer busy.
    pub fn settle(&mut self, id: u64) -> Option<Sent> {
        let sent = self.in_flight.remove(&id)?;
        if let Some((set, name)) = self.busy_on(&sent.change) {
            set.remove(name);
        }
        Some(sent)
    }
}
