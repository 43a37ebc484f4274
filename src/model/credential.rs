//! An IAM user's long-term credentials beyond its access keys and console
//! password: service-specific credentials (Amazon Bedrock API keys,
//! `CodeCommit` HTTPS, Amazon Keyspaces), SSH public keys (`CodeCommit`) and
//! X.509 signing certificates. Each as IAM lists it; a status or service
//! iamkeys does not know is kept as it came, never dropped.

use chrono::{DateTime, Utc};

/// The service that names Amazon Bedrock API keys.
pub const BEDROCK: &str = "bedrock.amazonaws.com";

/// Which kind of credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CredentialKind {
    /// `ListServiceSpecificCredentials`: the service as IAM names it
    /// (`bedrock.amazonaws.com`, `codecommit.amazonaws.com`,
    /// `cassandra.amazonaws.com`, or one iamkeys does not know).
    Service { service: String },
    /// `ListSSHPublicKeys` (`CodeCommit`).
    SshKey,
    /// `ListSigningCertificates` (X.509).
    SigningCertificate,
}

impl CredentialKind {
    /// In a few words, for the key pane and the reports.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Self::Service { service } if service == BEDROCK => "Bedrock API key".to_owned(),
            Self::Service { service } if service == "codecommit.amazonaws.com" => {
                "CodeCommit HTTPS credential".to_owned()
            }
            Self::Service { service } if service == "cassandra.amazonaws.com" => {
                "Keyspaces credential".to_owned()
            }
            Self::Service { service } => format!("service credential ({service})"),
            Self::SshKey => "SSH public key".to_owned(),
            Self::SigningCertificate => "signing certificate".to_owned(),
        }
    }

    /// The IAM action that sets this kind's status.
    #[must_use]
    pub fn update_action(&self) -> &'static str {
        match self {
            Self::Service { .. } => "iam:UpdateServiceSpecificCredential",
            Self::SshKey => "iam:UpdateSSHPublicKey",
            Self::SigningCertificate => "iam:UpdateSigningCertificate",
        }
    }

    /// The IAM action that deletes this kind.
    #[must_use]
    pub fn delete_action(&self) -> &'static str {
        match self {
            Self::Service { .. } => "iam:DeleteServiceSpecificCredential",
            Self::SshKey => "iam:DeleteSSHPublicKey",
            Self::SigningCertificate => "iam:DeleteSigningCertificate",
        }
    }

    /// The IAM action that lists this kind.
    #[must_use]
    pub fn list_action(&self) -> &'static str {
        self.listing().action()
    }

    /// The listing this kind is in.
    #[must_use]
    pub fn listing(&self) -> Listing {
        match self {
            Self::Service { .. } => Listing::Service,
            Self::SshKey => Listing::SshKeys,
            Self::SigningCertificate => Listing::Certificates,
        }
    }
}

impl CredentialKind {
    /// How a plan names the kind: `service:<service>`, `ssh_public_key`,
    /// `signing_certificate`.
    #[must_use]
    pub fn plan_name(&self) -> String {
        match self {
            Self::Service { service } => format!("service:{service}"),
            Self::SshKey => "ssh_public_key".to_owned(),
            Self::SigningCertificate => "signing_certificate".to_owned(),
        }
    }

    /// The kind a plan names ([`Self::plan_name`]); `None` for anything
    /// else (a service name is one of IAM's: letters, digits, `.` and `-`).
    #[must_use]
    pub fn from_plan_name(name: &str) -> Option<Self> {
        match name {
            "ssh_public_key" => Some(Self::SshKey),
            "signing_certificate" => Some(Self::SigningCertificate),
            _ => {
                let service = name.strip_prefix("service:")?;
                let valid = (1..=128).contains(&service.len())
                    && service
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
                valid.then(|| Self::Service {
                    service: service.to_owned(),
                })
            }
        }
    }
}

/// Whether `id` reads as a credential ID as IAM makes them
/// (`ServiceSpecificCredentialId`, `SSHPublicKeyId`, `CertificateId`):
/// 16-128 letters, digits or `_`.
#[must_use]
pub fn is_credential_id(id: &str) -> bool {
    (16..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The three listings of a user's other long-term credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// `ListServiceSpecificCredentials` (every service).
    Service,
    SshKeys,
    Certificates,
}

impl Listing {
    pub const ALL: [Listing; 3] = [Listing::Service, Listing::SshKeys, Listing::Certificates];

    /// The IAM action.
    #[must_use]
    pub fn action(self) -> &'static str {
        match self {
            Self::Service => "iam:ListServiceSpecificCredentials",
            Self::SshKeys => "iam:ListSSHPublicKeys",
            Self::Certificates => "iam:ListSigningCertificates",
        }
    }
}

/// A credential's status as IAM gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialStatus {
    Active,
    Inactive,
    /// A service-specific credential past its `ExpirationDate`.
    Expired,
    /// Any other value, as IAM sent it: judged by no rule, shown as is.
    Other(String),
}

impl CredentialStatus {
    /// IAM's word for it.
    #[must_use]
    pub fn parse(word: &str) -> Self {
        match word {
            "Active" => Self::Active,
            "Inactive" => Self::Inactive,
            "Expired" => Self::Expired,
            other => Self::Other(other.to_owned()),
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
            Self::Expired => "Expired",
            Self::Other(word) => word,
        }
    }
}

/// One long-term credential of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub user: String,
    pub kind: CredentialKind,
    /// `ServiceSpecificCredentialId`, `SSHPublicKeyId` or `CertificateId`.
    pub id: String,
    pub status: CredentialStatus,
    /// `CreateDate` or `UploadDate`; `None` when IAM did not say.
    pub created: Option<DateTime<Utc>>,
    /// A service-specific credential's `ExpirationDate` (`None`: it never
    /// expires, or another kind).
    pub expires: Option<DateTime<Utc>>,
    /// The name the service knows it by (`ServiceUserName`, or a Bedrock
    /// key's `ServiceCredentialAlias`), when there is one.
    pub alias: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_names_each_kind_and_reads_back_only_those() {
        for kind in [
            CredentialKind::Service {
                service: BEDROCK.to_owned(),
            },
            CredentialKind::Service {
                service: "codecommit.amazonaws.com".to_owned(),
            },
            CredentialKind::SshKey,
            CredentialKind::SigningCertificate,
        ] {
            assert_eq!(
                CredentialKind::from_plan_name(&kind.plan_name()),
                Some(kind)
            );
        }
        for bad in [
            "",
            "service:",
            "ssh",
            "service:a b",
            "service:x\u{1b}[31m",
            "access_key",
        ] {
            assert_eq!(CredentialKind::from_plan_name(bad), None, "{bad:?}");
        }
        assert!(is_credential_id("ACCAEXAMPLEEXAMPLE123"));
        assert!(!is_credential_id("ACCA-EXAMPLE-EXAMPLE"));
        assert!(!is_credential_id("SHORT"));
    }
}
