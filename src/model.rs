//! Plain data the whole program shares: users, access keys, the credential
//! report, the caller identity. No IO lives here.

pub mod credential;
pub mod trail;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::secret::Secret;

/// Status of an access key, as IAM spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
    /// A status IAM sent that iamkeys does not know: no rule judges the key
    /// (the audit says so), and it is never read as Active or Inactive.
    Unknown,
}

impl KeyStatus {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Unknown => "Unknown",
        }
    }
}

impl std::fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An IAM user as `ListUsers` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub arn: String,
    pub created: DateTime<Utc>,
    pub password_last_used: Option<DateTime<Utc>>,
}

/// A console password as `GetLoginProfile` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginProfile {
    /// When it was set (`CreateDate`); `None` when IAM did not say.
    pub created: Option<DateTime<Utc>>,
}

/// When, where and through which service an access key was last used.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LastUsed {
    /// `None` means the key has never been used.
    pub date: Option<DateTime<Utc>>,
    pub service: Option<String>,
    pub region: Option<String>,
}

/// An access key's metadata as `ListAccessKeys` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub user_name: String,
    pub status: KeyStatus,
    /// `None` when IAM sent no creation date: the age-based rules cannot
    /// judge the key (the audit says so) instead of counting from 1970.
    pub created: Option<DateTime<Utc>>,
}

/// One page of a paginated IAM listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The marker for the next page, `None` on the last page.
    pub next_marker: Option<String>,
}

/// A user's name and tags (key, value), as one page of every user's tags has them.
pub type UserTags = (String, Vec<(String, String)>);

/// Whether `id` is shaped like an access key ID: `AKIA` (an IAM user's
/// long-term key) or `ASIA` (temporary credentials), then 16 capital
/// letters and digits.
#[must_use]
pub fn is_key_shaped(id: &str) -> bool {
    id.len() == 20
        && (id.starts_with("AKIA") || id.starts_with("ASIA"))
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Whether `id` reads as an AWS account ID: exactly 12 ASCII digits. An
/// empty or malformed ID from STS or Organizations is refused everywhere (two
/// empty strings must never compare as "the same account").
#[must_use]
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// An account of an AWS Organization (`organizations:ListAccounts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgAccount {
    pub id: String,
    pub name: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, … as Organizations says it.
    pub status: String,
}

/// Who the program is signed in as (STS `GetCallerIdentity`), plus the access
/// key ID of the credentials in use, when they are access keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
    pub access_key_id: Option<String>,
    /// The account alias (`ListAccountAliases`), when it has one and may be read.
    pub alias: Option<String>,
    /// The region the client's profile names, if any (where `u` asks
    /// CloudTrail, with `us-east-1`, unless the config names regions).
    pub region: Option<String>,
}

/// What `GenerateCredentialReport` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportState {
    Started,
    InProgress,
    Complete,
}

/// One access-key slot of a credential report row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportKeySlot {
    pub active: bool,
    /// `None` when the slot holds no key (`N/A`).
    pub last_rotated: Option<DateTime<Utc>>,
    pub last_used: LastUsed,
}

impl ReportKeySlot {
    /// Whether a key occupies this slot at all.
    #[must_use]
    pub fn present(&self) -> bool {
        self.last_rotated.is_some()
    }
}

/// A signing certificate in a credential report row (`cert_N_active`,
/// `cert_N_last_rotated`): the report holds no certificate IDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCertificate {
    pub active: bool,
    pub last_rotated: DateTime<Utc>,
}

/// One row of the credential report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub user: String,
    pub arn: String,
    pub user_created: Option<DateTime<Utc>>,
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    /// When the console password was last set (`password_last_changed`;
    /// `None`: no password, or the column is not in the report).
    pub password_last_changed: Option<DateTime<Utc>>,
    pub mfa_active: bool,
    pub keys: [ReportKeySlot; 2],
    /// The certificates the row shows (`None`: the report has no
    /// certificate columns).
    pub certificates: Option<Vec<ReportCertificate>>,
}

/// The name IAM gives the root user's row.
pub const ROOT_ROW: &str = "<root_account>";

/// A credential report row that was not read: wrong field count or a value
/// outside what IAM documents. Its user is audited with per-user calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The line of the CSV (the header is line 1).
    pub line: u64,
    /// The row's first field, as far as it can be told (may be cut short).
    pub user: String,
    pub reason: String,
}

/// A parsed credential report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialReport {
    pub generated_at: DateTime<Utc>,
    pub rows: Vec<ReportRow>,
    /// Rows that were not read (their users fall back to per-user calls).
    pub rejected: Vec<RejectedRow>,
    /// Generated for this run (IAM's first `GenerateCredentialReport`
    /// answer was `STARTED` or `INPROGRESS`), so current. A report IAM
    /// already had (`COMPLETE` at once) may be up to 4 hours old: keys made
    /// since are not in it, so every user's keys are listed.
    pub fresh: bool,
    /// IAM said it started the report for this run, but its
    /// `GeneratedTime` says otherwise (long before the run, or in the
    /// future): not believed current (`fresh` is false), and said.
    pub odd_date: bool,
}

impl CredentialReport {
    #[must_use]
    pub fn root(&self) -> Option<&ReportRow> {
        self.rows.iter().find(|r| r.user == ROOT_ROW)
    }
}

/// A freshly created access key. The secret is a [`Secret`]: redacted in
/// `Debug`, zeroized when dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccessKey {
    pub key: AccessKey,
    pub secret: Secret,
}
