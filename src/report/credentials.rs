//! A user's other long-term credentials as the report lists them
//! (`users[].service_credentials`, `ssh_public_keys`,
//! `signing_certificates`). IAM gives no last use for any of them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::account::users::UserRow;
use crate::model::credential::{Credential, CredentialKind};

/// One credential in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialEntry {
    /// `ServiceSpecificCredentialId`, `SSHPublicKeyId` or `CertificateId`;
    /// `null` for a certificate known only from the credential report.
    pub id: Option<String>,
    /// For a service-specific credential, the service IAM names
    /// (`bedrock.amazonaws.com`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// As IAM sent it (`Active`, `Inactive`, `Expired`, or another word).
    pub status: String,
    /// Created or uploaded (for a certificate from the credential report,
    /// last rotated).
    pub created: Option<DateTime<Utc>>,
    /// A service-specific credential's expiry (`null`: it never expires).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime<Utc>>,
    /// The name the service knows it by, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

impl From<&Credential> for CredentialEntry {
    fn from(c: &Credential) -> Self {
        Self {
            id: Some(c.id.clone()),
            service: match &c.kind {
                CredentialKind::Service { service } => Some(service.clone()),
                _ => None,
            },
            status: c.status.as_str().to_owned(),
            created: c.created,
            expires: c.expires,
            alias: c.alias.clone(),
        }
    }
}

/// The user's credentials of each kind: service-specific, SSH public keys,
/// signing certificates (listed, else the credential report's).
#[must_use]
pub fn of(row: &UserRow) -> [Vec<CredentialEntry>; 3] {
    let known = row.credentials.known();
    let kind = |pick: fn(&CredentialKind) -> bool| -> Vec<CredentialEntry> {
        known
            .iter()
            .filter(|c| pick(&c.kind))
            .map(|c| CredentialEntry::from(*c))
            .collect()
    };
    let service = kind(|k| matches!(k, CredentialKind::Service { .. }));
    let ssh = kind(|k| *k == CredentialKind::SshKey);
    let mut certificates = kind(|k| *k == CredentialKind::SigningCertificate);
    if let Some(report) = row.report_certificates() {
        certificates = report
            .iter()
            .map(|c| CredentialEntry {
                id: None,
                service: None,
                status: if c.active { "Active" } else { "Inactive" }.to_owned(),
                created: Some(c.last_rotated),
                expires: None,
                alias: None,
            })
            .collect();
    }
    [service, ssh, certificates]
}

/// The resource a finding's `access_key_id` names, as Security Hub's ASFF
/// and OCSF type it: an access key, or another long-term credential (ASFF
/// has no type for those: `Other`). IAM's ID prefixes tell SSH public keys
/// (`APKA`) from certificates.
#[must_use]
pub fn resource_types(finding: crate::audit::FindingId, id: &str) -> (&'static str, &'static str) {
    use crate::audit::FindingId;
    match finding {
        FindingId::ServiceCredentialNoExpiry | FindingId::ServiceCredentialNotRotated => {
            ("Other", "AWS::IAM::ServiceSpecificCredential")
        }
        FindingId::LongTermCredentialOld if id.starts_with("APKA") => {
            ("Other", "AWS::IAM::SSHPublicKey")
        }
        FindingId::LongTermCredentialOld => ("Other", "AWS::IAM::SigningCertificate"),
        _ => ("AwsIamAccessKey", "AWS::IAM::AccessKey"),
    }
}
