//! What can happen to the state: a key from the terminal, a clock tick, or an
//! IAM result coming back from the worker.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::iam::IamError;
use crate::model::{AccessKey, CredentialReport, Identity, LastUsed, NewAccessKey, Page, User};
use crate::profiles::ProfileInfo;

/// The input of `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Begin (or restart) loading the account.
    Load,
    /// A key press, resolved against modals and the keymap inside `update`.
    Key(KeyEvent),
    /// A mouse click or wheel turn.
    Mouse(crossterm::event::MouseEvent),
    /// The terminal changed size (columns, rows).
    Resize(u16, u16),
    /// SIGTERM or SIGHUP: leave as `q` does (changes in flight are waited
    /// for), but no one is there to acknowledge a secret.
    Terminate,
    /// The clock, for ages and the spinner.
    Tick(DateTime<Utc>),
    /// A worker result; dropped unless `generation` is the current one.
    Loaded { generation: u64, result: Loaded },
    /// Text pasted into the terminal (bracketed paste).
    Paste(String),
    /// The result of a change to IAM.
    Mutated {
        id: u64,
        result: Result<Mutated, IamError>,
    },
    /// The result of saving a new key to the credentials file.
    Saved {
        profile: String,
        result: Result<SaveOutcome, String>,
    },
    /// A rotation's new key was written where its workload reads it
    /// (said as the place), or why not.
    HandedOff {
        key_id: String,
        result: Result<String, String>,
    },
    /// `:export` wrote this many rows to `path`, or why not.
    Exported {
        path: std::path::PathBuf,
        /// What the file holds, in words; or why nothing was written.
        result: Result<String, String>,
    },
    /// The profiles of the AWS config files.
    Profiles(Result<Vec<ProfileInfo>, String>),
    /// The new profile answered STS: it is now the one in use.
    ProfileSwitched {
        profile: String,
        identity: Identity,
        /// The new client's endpoint, when it is plain HTTP to another host.
        insecure_endpoint: Option<String>,
    },
    /// The new profile failed; the previous one stays in use.
    ProfileFailed { profile: String, message: String },
    /// The SDK is retrying a failed request of the profile in use.
    Retrying(crate::iam::retries::Retries),
    /// A worker task panicked: a bug. The driver stops with this message.
    Crashed(String),
    /// The AWS CLI's sign-in command could not be run (`why`): the dialog
    /// says so and shows the command.
    SignInNotRun { command: String, why: String },
    /// The AWS CLI's sign-in command ended well: the load is tried again.
    SignInRan { command: String },
    /// A profile needs an MFA code (its session is new, or about to
    /// expire): `prompt` names the device and profile, `refused` IAM's
    /// answer to the previous code. Answered with
    /// [`crate::effect::Effect::CodeAnswer`].
    CodeWanted {
        id: u64,
        prompt: String,
        refused: Option<String>,
    },
    /// A page of the organization's accounts (`--org`).
    AccountsPage {
        generation: u64,
        result: Result<Page<crate::model::OrgAccount>, IamError>,
    },
    /// The organization's centralized root access features (`--org`).
    OrgFeatures {
        generation: u64,
        result: Result<Vec<String>, IamError>,
    },
    /// `:whois`: the account STS names for the key, and the user there
    /// holding it (`None`: none found, or the account is not reachable).
    Whois {
        key_id: String,
        result: Result<Holder, IamError>,
    },
    /// A member account was reached (its worker is ready), or why not.
    MemberConnected {
        account: String,
        result: Result<(), IamError>,
    },
    /// A page of CloudTrail events about a key (see [`crate::effect::Effect::Usage`]).
    Usage(UsagePage),
    /// Something from one member account's worker.
    Member {
        account: String,
        action: Box<Action>,
    },
}

/// The result of one [`crate::effect::Call`].
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Identity(Result<Identity, IamError>),
    /// The account's enabled regions (`cloudtrail_regions = "all"`).
    EnabledRegions(Result<Vec<String>, IamError>),
    /// The unused-access analyzer and its findings (`None`: none).
    AwsFindings(AwsFindings),
    /// Every user's service-specific credentials.
    ServiceCredentials(Result<Vec<crate::model::credential::Credential>, IamError>),
    /// A user's SSH public keys and (when asked) signing certificates, each
    /// listing on its own.
    Credentials {
        user: String,
        ssh: Result<Vec<crate::model::credential::Credential>, IamError>,
        certificates: Option<Result<Vec<crate::model::credential::Credential>, IamError>>,
        /// The user's service-specific credentials, when asked.
        service: Option<Result<Vec<crate::model::credential::Credential>, IamError>>,
    },
    UsersPage(Result<Page<User>, IamError>),
    CredentialReport(Result<CredentialReport, IamError>),
    Keys {
        user: String,
        result: Result<Vec<AccessKey>, IamError>,
    },
    LastUsed {
        user: String,
        key_id: String,
        result: Result<LastUsed, IamError>,
    },
    /// Whether the root user has access keys (`GetAccountSummary`).
    RootKeys(Result<bool, IamError>),
    /// Groups and tags of a user (the details area, key descriptions).
    UserExtras {
        user: String,
        extras: Extras,
    },
    /// Console password and MFA, from per-user calls (no credential report,
    /// or a user the report does not hold); each succeeds or fails alone.
    UserDetails {
        user: String,
        password: Result<Option<crate::model::LoginProfile>, IamError>,
        /// `None` when not asked.
        mfa: Option<Result<bool, IamError>>,
    },
    /// A page of every user's tags.
    AllTags(
        Result<
            (
                Page<crate::model::UserTags>,
                crate::risk::details::AuthDetails,
            ),
            IamError,
        >,
    ),
    /// A user's tags (for waivers).
    Tags {
        user: String,
        result: Result<Vec<(String, String)>, IamError>,
    },
    /// An Inactive key dated (see [`crate::effect::Call::DateInactive`]):
    /// the date recorded in the ledger, or why not; and whether CloudTrail
    /// could be asked.
    InactiveDated {
        user: String,
        key_id: String,
        recorded: Result<(), crate::ledger::LedgerError>,
        cloudtrail: Result<(), IamError>,
    },
    /// The account's ledger, folded (`None`: this run keeps none).
    Ledger(Result<Option<std::sync::Arc<crate::ledger::Folded>>, crate::ledger::LedgerError>),
}

/// What a change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutated {
    Created(NewAccessKey),
    /// A rotation's new key, and whether its `rotation.started` is in the
    /// ledger (the worker records it before the secret is shown; when the
    /// ledger refuses, the new key is deleted again and the change fails,
    /// so `Err` here means even that delete failed: the rotation lives in
    /// this session only, and why).
    Rotated {
        new: NewAccessKey,
        recorded: Result<(), String>,
    },
    StatusSet,
    Deleted,
    /// The user's console password was removed (`DeleteLoginProfile`).
    PasswordRemoved,
    /// Another long-term credential's status was set, or it was deleted.
    CredentialChanged,
    /// An event appended to the ledger.
    Recorded,
    /// A member's root access keys deleted through a root session: their IDs.
    RootKeysDeleted(Vec<String>),
}

pub use crate::credentials_file::SaveOutcome;

/// IAM Access Analyzer's unused-access analyzer of an account and its
/// findings (`None`: no analyzer covers it).
pub type AwsFindings = Result<
    Option<(
        crate::analyzer::UnusedAnalyzer,
        Vec<crate::audit::aws_verdict::AwsFinding>,
    )>,
    IamError,
>;

/// Whose a key is, as `:whois` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// As `sts:GetAccessKeyInfo` named it.
    pub account: String,
    /// The user there holding it.
    pub user: Option<String>,
    /// Whether the account could be searched (the caller's, or a member
    /// with a session).
    pub searched: bool,
}

/// A page of CloudTrail events about a key, from one stream; `done` once
/// that stream has no more to give (or reached the cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsagePage {
    pub key_id: String,
    pub stream: crate::usage::Stream,
    /// The `u` it answers: a page of an earlier one (asked again, or the
    /// view closed) is dropped.
    pub generation: u64,
    pub result: Result<Vec<crate::usage::TrailEvent>, IamError>,
    pub done: bool,
    /// The stream stopped at `cloudtrail_max_events`: older events (the
    /// history is read newest first) were not read.
    pub capped: bool,
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
