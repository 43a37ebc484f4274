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
