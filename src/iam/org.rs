//! AWS Organizations: the member accounts (`organizations:ListAccounts`),
//! and a session in each through `sts:AssumeRole` into a role there. Why an
//! account could not be audited is classified, so an SCP denial never reads
//! like a missing role.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{
    ProvideCredentials, SharedCredentialsProvider, error::CredentialsError, future,
};
use tokio::sync::Mutex;

use super::error::{ErrorKind, IamError};
use super::sdk_error::from_sdk;
use crate::model::{OrgAccount, Page};

/// `organizations:ListAccounts`, a page at a time.
#[async_trait]
pub trait OrgClient: Send + Sync {
    /// One page of the organization's accounts.
    async fn list_accounts(&self, next: Option<String>) -> Result<Page<OrgAccount>, IamError>;
}

/// Organizations through the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkOrg {
    client: aws_sdk_organizations::Client,
    endpoint: String,
}

impl SdkOrg {
    #[must_use]
    pub fn new(config: &SdkConfig) -> Self {
        // A JSON protocol: a cut-off answer fails to parse (the
        // `WholeAnswer` check is for IAM's and STS's XML).
        Self {
            client: aws_sdk_organizations::Client::new(config),
            endpoint: config
                .endpoint_url()
                .unwrap_or("AWS Organizations")
                .to_owned(),
        }
    }
}

impl SdkOrg {
    /// From a ready-made client (tests with mocked HTTP).
    #[must_use]
    pub fn from_client(client: aws_sdk_organizations::Client) -> Self {
        Self {
            client,
            endpoint: "AWS Organizations".to_owned(),
        }
    }
}

#[async_trait]
impl OrgClient for SdkOrg {
    async fn list_accounts(&self, next: Option<String>) -> Result<Page<OrgAccount>, IamError> {
        const ACTION: &str = "organizations:ListAccounts";
        let out = self
            .client
            .list_accounts()
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| from_sdk(ACTION, &e, &self.endpoint))?;
        let mut items = Vec::new();
        for account in out.accounts() {
            let Some(id) = account.id() else {
                return Err(IamError::other(
                    ACTION,
                    "an account without an ID in the answer",
                ));
            };
            items.push(OrgAccount {
                id: id.to_owned(),
                name: account.name().unwrap_or_default().to_owned(),
                // Strictly: a state the program does not know is not ACTIVE.
                status: account
                    .state()
                    .map(|s| s.as_str().to_owned())
                    .or_else(|| account.status().map(|s| s.as_str().to_owned()))
                    .unwrap_or_else(|| "UNKNOWN".to_owned()),
            });
        }
        Ok(Page {
            items,
            next_marker: out.next_token().map(ToOwned::to_owned),
        })
    }
}

/// How a member account is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// The role's name in every member (`OrganizationAccountAccessRole`).
    pub role: String,
    pub external_id: Option<String>,
    pub session_name: String,
}

impl RoleSpec {
    /// The role's ARN in `account_id`.
    #[must_use]
    pub fn arn(&self, account_id: &str) -> String {
        format!("arn:aws:iam::{account_id}:role/{}", self.role)
    }
}

/// A role session name from the caller's ARN: `iamkeys-<name>`, in the
/// characters and length STS allows.
#[must_use]
pub fn session_name(caller_arn: &str) -> String {
    let name = caller_arn.rsplit('/').next().unwrap_or("caller");
    let clean: String = format!("iamkeys-{name}")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))
        .take(64)
        .collect();
    clean
}

/// Refresh the session this long before it expires.
const REFRESH_BEFORE: Duration = Duration::from_mins(5);

/// Credentials of a role session, asked of STS once and again before they
/// expire.
#[derive(Debug)]
struct RoleSession {
    sts: aws_sdk_sts::Client,
    arn: String,
    spec: RoleSpec,
    endpoint: String,
    cached: Mutex<Option<Credentials>>,
}

impl RoleSession {
    async fn credentials(&self) -> Result<Credentials, IamError> {
        let mut cached = self.cached.lock().await;
        if let Some(creds) = cached.as_ref()
            && creds
                .expiry()
                .is_none_or(|t| t > SystemTime::now() + REFRESH_BEFORE)
        {
            return Ok(creds.clone());
        }
        let fresh = self.assume().await?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    async fn assume(&self) -> Result<Credentials, IamError> {
        const ACTION: &str = "sts:AssumeRole";
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.arn)
            .role_session_name(&self.spec.session_name)
            .set_external_id(self.spec.external_id.clone())
            .send()
            .await
            .map_err(|e| from_sdk(ACTION, &e, &self.endpoint))?;
        let Some(c) = out.credentials() else {
            return Err(IamError::other(ACTION, "STS answered without credentials"));
        };
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        Ok(Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            expiry,
            "iamkeys-role-session",
        ))
    }
}

/// The provider the member's clients sign with.
#[derive(Debug, Clone)]
struct RoleProvider(Arc<RoleSession>);

impl ProvideCredentials for RoleProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.0
                .credentials()
                .await
                .map_err(|e| CredentialsError::provider_error(e.to_string()))
        })
    }
}

/// The SDK configuration of a session in `account_id` through `spec`'s
/// role: the role is assumed once here (so a refusal is known and
/// classified before any audit call), and again before it expires.
///
/// # Errors
/// `sts:AssumeRole` failed.
pub async fn assume(
    base: &SdkConfig,
    spec: &RoleSpec,
    account_id: &str,
) -> Result<SdkConfig, IamError> {
    assume_with(aws_sdk_sts::Client::new(base), base, spec, account_id).await
}

/// [`assume`] with this STS client (tests give a mocked one).
///
/// # Errors
/// `sts:AssumeRole` failed.
pub async fn assume_with(
    sts: aws_sdk_sts::Client,
    base: &SdkConfig,
    spec: &RoleSpec,
    account_id: &str,
) -> Result<SdkConfig, IamError> {
    let session = Arc::new(RoleSession {
        sts,
        arn: spec.arn(account_id),
        spec: spec.clone(),
        endpoint: base.endpoint_url().unwrap_or("AWS STS").to_owned(),
        cached: Mutex::new(None),
    });
    session.credentials().await?;
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(RoleProvider(session)))
        .build())
}

/// A client in member `account_id`: a session of `spec`'s role, assumed now,
/// whose `GetCallerIdentity` must answer as that very account. A session
/// that answers as another account (a role given as another account's ARN,
/// a proxy or server that pins one account) is refused with
/// [`ErrorKind::IdentityMismatch`], naming both IDs: nothing read through it
/// could be reported as the member's, and no change is sent through it.
///
/// # Errors
/// The account ID is not 12 digits, `sts:AssumeRole` or
/// `sts:GetCallerIdentity` failed, or the session is another account's.
pub async fn member_client(
    base: &SdkConfig,
    spec: &RoleSpec,
    account_id: &str,
) -> Result<Arc<super::sdk::SdkIam>, IamError> {
    if !crate::model::is_account_id(account_id) {
        return Err(IamError::new(
            ErrorKind::IdentityMismatch,
            "organizations:ListAccounts",
            format!(
                "Organizations listed the account ID `{}`, not 12 digits: it is not reached",
                crate::text::clean(account_id)
            ),
        ));
    }
    let config = assume(base, spec, account_id).await?;
    let client = super::sdk::SdkIam::new(&config);
    check_identity(&client, account_id).await?;
    Ok(Arc::new(client))
}

/// That `client` acts in `account_id`, as its `GetCallerIdentity` says.
///
/// # Errors
/// `sts:GetCallerIdentity` failed, or answered as another account.
pub async fn check_identity(
    client: &dyn super::IamClient,
    account_id: &str,
) -> Result<(), IamError> {
    let identity = client.caller_identity().await?;
    if identity.account_id == account_id {
        Ok(())
    } else {
        Err(mismatch(account_id, &identity.account_id))
    }
}

/// The error of a session made for `expected` that answers as `actual`.
#[must_use]
pub fn mismatch(expected: &str, actual: &str) -> IamError {
    IamError::new(
        ErrorKind::IdentityMismatch,
        "sts:GetCallerIdentity",
        format!(
            "the session made for account {expected} answers as account {}: nothing of it is reported as {expected}'s, and no change is sent through it",
            crate::text::clean(actual)
        ),
    )
}

/// Why an account of the organization could not be audited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The role cannot be assumed: missing, or its trust policy refuses the caller.
    RoleDenied(IamError),
    /// A service control policy denies the call.
    ScpDenied(IamError),
    /// Any other refusal, naming the API.
    Denied(IamError),
    /// The session made for the account answers as another account (or as
    /// none): nothing of it is the member's.
    IdentityMismatch(IamError),
    /// Still throttled after the retries.
    Throttled(IamError),
    /// The endpoint could not be reached, or timed out.
    Unreachable(IamError),
    /// The run's `--timeout` came before the account's audit was done.
    TimedOut(IamError),
    Other(IamError),
}

impl Failure {
    /// Classify the error that stopped an account's audit.
    #[must_use]
    pub fn classify(err: IamError) -> Self {
        let scp = err
            .detail
            .to_ascii_lowercase()
            .contains("service control polic");
        match err.kind {
            ErrorKind::IdentityMismatch => Self::IdentityMismatch(err),
            ErrorKind::AccessDenied | ErrorKind::InvalidCredentials if scp => Self::ScpDenied(err),
            ErrorKind::AccessDenied | ErrorKind::InvalidCredentials
                if err.action == "sts:AssumeRole" =>
            {
                Self::RoleDenied(err)
            }
            ErrorKind::AccessDenied => Self::Denied(err),
            ErrorKind::Throttling => Self::Throttled(err),
            ErrorKind::Network => Self::Unreachable(err),
            ErrorKind::TimedOut => Self::TimedOut(err),
            _ => Self::Other(err),
        }
    }

    /// A short machine-readable class: `role_denied`, `scp_denied`,
    /// `identity_mismatch`, `access_denied`, `throttled`, `unreachable`,
    /// `timed_out`, `failed`.
    #[must_use]
    pub fn class(&self) -> &'static str {
        match self {
            Self::RoleDenied(_) => "role_denied",
            Self::ScpDenied(_) => "scp_denied",
            Self::IdentityMismatch(_) => "identity_mismatch",
            Self::Denied(_) => "access_denied",
            Self::Throttled(_) => "throttled",
            Self::Unreachable(_) => "unreachable",
            Self::TimedOut(_) => "timed_out",
            Self::Other(_) => "failed",
        }
    }

    /// How the overview says it: `role denied`, `SCP denied`, …
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::RoleDenied(_) => "role denied",
            Self::ScpDenied(_) => "SCP denied",
            Self::IdentityMismatch(_) => "identity mismatch",
            Self::Denied(_) => "access denied",
            Self::Throttled(_) => "throttled",
            Self::Unreachable(_) => "unreachable",
            Self::TimedOut(_) => "timed out",
            Self::Other(_) => "failed",
        }
    }

    #[must_use]
    pub fn error(&self) -> &IamError {
        match self {
            Self::RoleDenied(e)
            | Self::ScpDenied(e)
            | Self::IdentityMismatch(e)
            | Self::Denied(e)
            | Self::Throttled(e)
            | Self::Unreachable(e)
            | Self::TimedOut(e)
            | Self::Other(e) => e,
        }
    }

    /// The reason in a sentence, with what to do.
    #[must_use]
    pub fn message(&self) -> String {
        let err = self.error();
        let said = crate::text::clean(&err.detail);
        match self {
            Self::RoleDenied(_) => format!(
                "role denied: sts:AssumeRole was refused ({said}); the role is missing or its trust policy does not allow this caller"
            ),
            Self::ScpDenied(_) => format!(
                "SCP denied: a service control policy denies {} ({said})",
                err.action
            ),
            Self::IdentityMismatch(_) => format!("identity mismatch: {said}"),
            Self::Denied(_) => format!("access denied: {} ({said})", err.action),
            Self::Throttled(_) => {
                format!("throttled: {} still throttled after retries", err.action)
            }
            Self::Unreachable(_) => format!("unreachable: {} ({said})", err.action),
            Self::TimedOut(_) => format!("timed out: {said}"),
            Self::Other(_) => format!("failed: {} ({said})", err.action),
        }
    }
}

/// Whether an account in this state is skipped (never audited, never a failure).
#[must_use]
pub fn skipped(status: &str) -> bool {
    matches!(status, "SUSPENDED" | "PENDING_CLOSURE" | "CLOSED")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(kind: ErrorKind, action: &'static str, detail: &str) -> IamError {
        IamError::new(kind, action, detail)
    }

    #[test]
    fn failures_are_classified() {
        let scp = err(
            ErrorKind::AccessDenied,
            "iam:ListUsers",
            "User: x is not authorized to perform: iam:ListUsers with an explicit deny in a service control policy",
        );
        assert_eq!(Failure::classify(scp).class(), "scp_denied");
        let role = err(
            ErrorKind::AccessDenied,
            "sts:AssumeRole",
            "not authorized to perform sts:AssumeRole",
        );
        assert_eq!(Failure::classify(role).class(), "role_denied");
        let other = err(ErrorKind::AccessDenied, "iam:ListUsers", "not authorized");
        let other = Failure::classify(other);
        assert_eq!(other.class(), "access_denied");
        assert!(other.message().contains("iam:ListUsers"));
        assert_eq!(
            Failure::classify(err(ErrorKind::Throttling, "iam:ListUsers", "Rate exceeded")).class(),
            "throttled"
        );
        assert_eq!(
            Failure::classify(err(ErrorKind::Network, "sts:AssumeRole", "timed out")).class(),
            "unreachable"
        );
    }

    #[test]
    fn session_names_fit_sts() {
        assert_eq!(
            session_name("arn:aws:iam::123456789012:user/ops/alice"),
            "iamkeys-alice"
        );
        assert_eq!(
            session_name("arn:aws:sts::1:assumed-role/Admin/bob@example.com"),
            "iamkeys-bob@example.com"
        );
        assert!(session_name(&format!("arn:aws:iam::1:user/{}", "x".repeat(100))).len() <= 64);
        assert_eq!(session_name("arn:aws:iam::1:user/a b!c"), "iamkeys-abc");
    }

    #[test]
    fn closing_accounts_are_skipped() {
        assert!(skipped("SUSPENDED"));
        assert!(skipped("PENDING_CLOSURE"));
        assert!(!skipped("ACTIVE"));
    }
}
