//! IO that `update` asks for, as data. The worker (or, for the clipboard, the
//! driver) carries it out.

use std::path::PathBuf;

use crate::model::KeyStatus;
use crate::secret::Secret;

/// The user tag an earlier iamkeys wrote when it made a key inactive:
/// `iamkeys:inactive-since:<key ID>`. Now a claim: shown, never believed
/// (the ledger's `key.made_inactive` is the record).
pub const INACTIVE_SINCE: &str = "iamkeys:inactive-since:";

/// The user tag an earlier iamkeys wrote for a rotation in progress:
/// `iamkeys:rotation:<old key ID>`. Now a claim (the ledger's
/// `rotation.started` is the record).
pub const ROTATION: &str = "iamkeys:rotation:";

/// One IAM call (or a short, fixed sequence of them) to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `sts:GetCallerIdentity`.
    Identity,
    /// One page of `iam:ListUsers`.
    ListUsers { marker: Option<String> },
    /// `iam:GenerateCredentialReport` until complete (backing off), then `iam:GetCredentialReport`.
    CredentialReport,
    /// Every page of `iam:ListAccessKeys` for a user; `priority` skips the
    /// background queue (the user is on screen).
    ListKeys { user: String, priority: bool },
    /// `iam:GetAccessKeyLastUsed`.
    LastUsed { user: String, key_id: String },
    /// `iam:GetLoginProfile` and `iam:ListMFADevices` (credential report refused).
    /// With `mfa` false, only `GetLoginProfile` (checking an old report's
    /// "no console password").
    UserDetails { user: String, mfa: bool },
    /// `iam:GetAccountSummary`: root access keys, without a credential report.
    RootKeys,
    /// `iam:ListGroupsForUser` and `iam:ListUserTags` for the details area.
    UserExtras { user: String },
    /// `iam:ListUserTags`: the waivers of a user with findings.
    Tags { user: String },
    /// One page of every user's tags (`iam:GetAccountAuthorizationDetails`).
    AllTags { marker: Option<String> },
    /// The account's ledger, read and folded with the caller's own
    /// credentials (never a member's role session).
    Ledger,
    /// Date an Inactive key the ledger has no date for, once: CloudTrail's
    /// successful `UpdateAccessKey` to Inactive of that key in this account,
    /// else now (when iamkeys first saw it inactive); recorded in the
    /// ledger as `key.seen_inactive` with its source.
    DateInactive { user: String, key_id: String },
    /// IAM Access Analyzer's unused-access analyzer of the account and its
    /// findings about IAM users' keys and passwords (AWS's verdicts beside
    /// iamkeys'; never part of iamkeys' own audit).
    AwsFindings,
    /// The account's enabled regions (`account:ListRegions`), for
    /// `cloudtrail_regions = "all"`.
    EnabledRegions,
    /// Every page of `iam:ListServiceSpecificCredentials` for every user
    /// (`AllUsers`): Bedrock API keys, `CodeCommit` and Keyspaces credentials.
    ServiceCredentials,
    /// Every page of `iam:ListSSHPublicKeys` for a user (no listing covers
    /// every user), and with `certificates`, of `iam:ListSigningCertificates`
    /// (else the credential report's certificate columns stand for them).
    /// With `service`, of `iam:ListServiceSpecificCredentials` for the user
    /// too (after a change to one of them).
    Credentials {
        user: String,
        certificates: bool,
        service: bool,
    },
}

/// A change to IAM. Never sent in read-only mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `iam:CreateAccessKey`. The worker lists the user's keys just before
    /// the first attempt (not the screen's list, which may be old or still
    /// loading), so an unclear failure can tell whether a key was made.
    /// `rotating`: the key it replaces (`R`); it must still be there and
    /// Active, or nothing is created.
    Create {
        user: String,
        rotating: Option<String>,
    },
    /// `iam:UpdateAccessKey`.
    SetStatus {
        user: String,
        key_id: String,
        status: KeyStatus,
    },
    /// `iam:DeleteAccessKey`, once IAM still shows the key Inactive. With
    /// `unused_since` (a key deleted as ready to delete), also once IAM shows
    /// it unused since then (`GetAccessKeyLastUsed`).
    Delete {
        user: String,
        key_id: String,
        unused_since: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// A service-specific credential's, SSH public key's or signing
    /// certificate's status set, once IAM still lists it.
    SetCredentialStatus {
        user: String,
        kind: crate::model::credential::CredentialKind,
        id: String,
        status: KeyStatus,
    },
    /// Such a credential deleted, once IAM still shows it not Active.
    DeleteCredential {
        user: String,
        kind: crate::model::credential::CredentialKind,
        id: String,
    },
    /// `iam:DeleteLoginProfile`, once IAM still shows a console password:
    /// the user can no longer sign in to the console (keys unaffected).
    RemovePassword { user: String },
    /// Every access key of member `account`'s root user deleted from the
    /// organization's management account (`from`): `sts:AssumeRoot` with
    /// the task policy that deletes root credentials, then `ListAccessKeys`
    /// and `DeleteAccessKey` with no user name. Sent by the caller's own
    /// worker, never the member's role session.
    DeleteRootKeys { account: String, from: String },
    /// Append an event to the ledger (a waiver, a key made inactive, a
    /// rotation, a hand-off target): not an IAM call, but bound, refused in
    /// read-only mode and audit-logged as one. iamkeys writes no tag.
    Record(crate::ledger::Draft),
}

impl Change {
    /// The audit log's name for the action.
    #[must_use]
    pub fn action(&self) -> &'static str {
        match self {
            Self::Create { rotating: None, .. } => "CreateAccessKey",
            Self::Create { .. } => "CreateAccessKey:rotation",
            Self::SetStatus {
                status: KeyStatus::Active,
                ..
            } => "UpdateAccessKey:Active",
            Self::SetStatus { .. } => "UpdateAccessKey:Inactive",
            Self::Delete { .. } => "DeleteAccessKey",
            Self::RemovePassword { .. } => "DeleteLoginProfile",
            Self::DeleteRootKeys { .. } => "AssumeRoot:DeleteAccessKey",
            Self::SetCredentialStatus { kind, status, .. } => match (kind, status) {
                (crate::model::credential::CredentialKind::Service { .. }, KeyStatus::Active) => {
                    "UpdateServiceSpecificCredential:Active"
                }
                (crate::model::credential::CredentialKind::Service { .. }, _) => {
                    "UpdateServiceSpecificCredential:Inactive"
                }
                (crate::model::credential::CredentialKind::SshKey, KeyStatus::Active) => {
                    "UpdateSSHPublicKey:Active"
                }
                (crate::model::credential::CredentialKind::SshKey, _) => {
                    "UpdateSSHPublicKey:Inactive"
                }
                (
                    crate::model::credential::CredentialKind::SigningCertificate,
                    KeyStatus::Active,
                ) => "UpdateSigningCertificate:Active",
                (crate::model::credential::CredentialKind::SigningCertificate, _) => {
                    "UpdateSigningCertificate:Inactive"
                }
            },
            Self::DeleteCredential { kind, .. } => kind.delete_action().trim_start_matches("iam:"),
            Self::Record(draft) => draft.kind.audit_name(),
        }
    }

    /// The IAM action it sends, e.g. `iam:DeleteAccessKey`.
    #[must_use]
    pub fn iam_action(&self) -> &'static str {
        match self {
            Self::Create { .. } => "iam:CreateAccessKey",
            Self::SetStatus { .. } => "iam:UpdateAccessKey",
            Self::Delete { .. } => "iam:DeleteAccessKey",
            Self::RemovePassword { .. } => "iam:DeleteLoginProfile",
            Self::DeleteRootKeys { .. } => "sts:AssumeRoot",
            Self::SetCredentialStatus { kind, .. } => kind.update_action(),
            Self::DeleteCredential { kind, .. } => kind.delete_action(),
            Self::Record(_) => "ledger:append",
        }
    }

    #[must_use]
    pub fn user(&self) -> &str {
        match self {
            Self::Create { user, .. }
            | Self::SetStatus { user, .. }
            | Self::Delete { user, .. }
            | Self::RemovePassword { user }
            | Self::SetCredentialStatus { user, .. }
            | Self::DeleteCredential { user, .. } => user,
            Self::DeleteRootKeys { .. } => crate::model::ROOT_ROW,
            Self::Record(draft) => draft.user.as_deref().unwrap_or(""),
        }
    }

    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        match self {
            Self::Create { .. } | Self::RemovePassword { .. } | Self::DeleteRootKeys { .. } => None,
            Self::SetStatus { key_id, .. } | Self::Delete { key_id, .. } => Some(key_id),
            Self::SetCredentialStatus { id, .. } | Self::DeleteCredential { id, .. } => Some(id),
            Self::Record(draft) => draft.key_id.as_deref(),
        }
    }
}

/// A new key whose secret was on screen, never acknowledged, when iamkeys
/// was stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostSecret {
    pub user: String,
    pub key_id: String,
    pub actor: Actor,
}

/// Who made a change, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Actor {
    pub profile: String,
    pub account_id: Option<String>,
    pub caller_arn: Option<String>,
}

/// The output of `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Run a call; its result comes back tagged with `generation`.
    Iam { generation: u64, call: Call },
    /// Make a change; the result comes back tagged with `id`.
    Mutate {
        id: u64,
        change: Change,
        actor: Actor,
    },
    /// Put text on the clipboard (OSC 52: works over SSH too).
    Copy(Secret),
    /// Run this command (the browser opener and a console link), without a
    /// shell, not waited for.
    OpenUrl(Vec<String>),
    /// Write a rotation's new key where its workload reads it; the answer
    /// comes back as [`crate::action::Action::HandedOff`]. Never logged.
    HandOff {
        target: crate::handoff::Target,
        user: String,
        key_id: String,
        secret: Secret,
        /// Who made the key: the audit log's lines name them.
        actor: Actor,
    },
    /// Write `text` to `path` whole (`:export`); the answer comes back as
    /// [`crate::action::Action::Exported`].
    Export {
        path: PathBuf,
        text: String,
        /// What the file holds, in words (`32 finding rows of 21 users`).
        what: String,
        /// `:export!`: an existing file may be replaced (else it is kept and
        /// the export refused).
        replace: bool,
    },
    /// Append (or, when `overwrite`, replace) a profile in the credentials file, mode 0600.
    SaveCredentials {
        path: PathBuf,
        profile: String,
        key_id: String,
        secret: Secret,
        overwrite: bool,
    },
    /// The code typed for [`crate::action::Action::CodeWanted`] `id`, or
    /// `None` when the dialog was cancelled.
    CodeAnswer { id: u64, code: Option<Secret> },
    /// Run the AWS CLI's sign-in command (`aws sso login --profile X`,
    /// `aws login --profile X`) with the terminal handed over, as `Ctrl-Z`
    /// does; the load is tried again when it returns.
    RunSignIn(Vec<String>),
    /// Read the profiles of the AWS config files.
    ListProfiles,
    /// Connect to another profile; on success it replaces the current one.
    SwitchProfile { profile: String },
    /// Leave the program.
    Quit,
    /// Stop the process (`Ctrl-Z`): the terminal is restored first and the
    /// UI comes back when the shell continues it.
    Suspend,
    /// Changes still in flight when iamkeys left for good (a second
    /// `Ctrl-C`, or the terminal gone past the wait): the driver records
    /// each in the audit log (`abandoned`) before leaving.
    Abandon(Vec<(Change, Actor)>),
    /// New keys whose secrets were on screen when the program was told to
    /// stop (SIGTERM, SIGHUP, the terminal gone): the driver records each in
    /// the audit log (`secret_lost`, with the key ID).
    SecretsLost(Vec<LostSecret>),
    /// One page of `organizations:ListAccounts` (`--org`); the answer comes
    /// back tagged with `generation`.
    ListAccounts {
        generation: u64,
        next: Option<String>,
    },
    /// `iam:ListOrganizationsFeatures` with the caller's own credentials
    /// (`--org`): whether root credentials are managed centrally.
    OrgFeatures { generation: u64 },
    /// Reach a member account: assume its role (or use the caller's own
    /// credentials in the caller's account) and start its worker.
    ConnectMember { account: crate::model::OrgAccount },
    /// Who uses a key, and who made it: CloudTrail `LookupEvents` by the
    /// key in each region (paced), and by the key as a resource in
    /// `us-east-1` for its `CreateAccessKey`. Pages come back as
    /// [`crate::action::Action::Usage`].
    Usage {
        key_id: String,
        regions: Vec<String>,
        max_events: usize,
        /// Pages carry it back; the streams of any earlier `u` are stopped.
        generation: u64,
    },
    /// The usage view closed (or the account is loaded again): stop every
    /// CloudTrail stream, so none polls for a view no one sees.
    StopUsage,
    /// `:whois`: `sts:GetAccessKeyInfo` with the caller's own credentials,
    /// then the user holding the key searched in that account (the
    /// caller's, or a member's through its session). Answered as
    /// [`crate::action::Action::Whois`].
    Whois { key_id: String },
    /// An IAM call or change for one member account's worker.
    Member {
        account: String,
        effect: Box<Effect>,
    },
}
