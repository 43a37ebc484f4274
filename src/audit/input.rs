//! What the engine reads: a user, whether they have a console password, and
//! their keys with what is known of each key's last use.

use chrono::{DateTime, Utc};

use crate::model::{KeyStatus, LastUsed, ReportRow};

/// One access key as the audit sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInput {
    /// `None` for a key known only from the credential report.
    pub id: Option<String>,
    pub status: KeyStatus,
    /// `None`: IAM gave no creation date; the age rules cannot judge it.
    pub created: Option<DateTime<Utc>>,
    /// `None`: not known (yet). `Some` with no date: never used.
    pub last_used: Option<LastUsed>,
}

/// One user as the audit sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInput {
    pub name: String,
    /// The account the user is in (from its ARN), for waivers-file entries
    /// that name one.
    pub account_id: Option<String>,
    pub created: DateTime<Utc>,
    /// `None`: not known (yet).
    pub password: Option<bool>,
    /// The console password's last use (`None`: never, or not known).
    pub password_last_used: Option<DateTime<Utc>>,
    /// When the console password was set (`None`: not known).
    pub password_set: Option<DateTime<Utc>>,
    pub keys: Vec<KeyInput>,
    /// The user's other long-term credentials as listed: service-specific
    /// credentials, SSH public keys, and signing certificates where listed.
    pub credentials: Vec<crate::model::credential::Credential>,
    /// Signing certificates from the credential report (no IDs), where
    /// they were not listed.
    pub report_certificates: Vec<crate::model::ReportCertificate>,
    /// Waivers from the user's tags (empty when they are not read), each
    /// with what is known of its writer.
    pub waivers: Vec<super::waivers::Waiver>,
    /// When iamkeys made a key inactive, by key ID (from the user's tags).
    pub inactive_since: Vec<(String, DateTime<Utc>)>,
    /// The quarantine policy AWS attached to the user on finding one of its
    /// keys exposed (from `GetAccountAuthorizationDetails`); `None` when
    /// there is none or the details are not read.
    pub quarantine: Option<String>,
}

/// The keys of a credential report row (no IDs), for users whose keys have
/// not been listed.
#[must_use]
pub fn report_keys(row: &ReportRow) -> Vec<KeyInput> {
    row.keys
        .iter()
        .filter_map(|slot| {
            Some(KeyInput {
                id: None,
                status: if slot.active {
                    KeyStatus::Active
                } else {
                    KeyStatus::Inactive
                },
                created: Some(slot.last_rotated?),
                last_used: Some(slot.last_used.clone()),
            })
        })
        .collect()
}
