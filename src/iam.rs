//! The `IamClient` trait: every IAM/STS call iamkeys makes, behind one seam.
//! `sdk` talks to AWS through aws-sdk-iam; `memory` is an in-memory account
//! that behaves like IAM, for `--demo` and fast UI tests.

pub mod auth_details;
pub mod credential_report;
pub mod demo;
pub mod error;
pub mod memory;
pub mod org;
pub mod pages;
pub mod retries;
pub mod root;
pub mod sdk;
pub(crate) mod sdk_error;
pub mod whole_answer;

use async_trait::async_trait;

pub use error::{ErrorKind, IamError, SignInError};

use crate::model::{
    AccessKey, CredentialReport, Identity, KeyStatus, LastUsed, LoginProfile, NewAccessKey, Page,
    ReportState, User,
};

/// One page of `GetAccountAuthorizationDetails`: the users' tags, and
/// what decides their privileges.
pub type AuthPage = (
    Page<crate::model::UserTags>,
    crate::risk::details::AuthDetails,
);

/// The IAM API as iamkeys uses it. Each method is one request.
#[async_trait]
pub trait IamClient: Send + Sync {
    /// The SDK's retries of this client's requests, as they happen (`None`
    /// for clients that never retry).
    fn retries(&self) -> Option<tokio::sync::watch::Receiver<retries::Retries>> {
        None
    }
    /// Whether a read that met an expired session is worth asking again:
    /// the client signs with a session it renews (a new MFA code).
    fn renews_sessions(&self) -> bool {
        false
    }
    /// The endpoint requests go to, when it is not AWS's own (a test server,
    /// LocalStack): the header warns about plain HTTP to another host.
    fn endpoint(&self) -> Option<String> {
        None
    }
    /// The SDK configuration the client signs with (`None` for clients
    /// not built from one): the ledger's S3 client is made from the
    /// caller's own.
    fn sdk_config(&self) -> Option<aws_config::SdkConfig> {
        None
    }
    /// The region the client's profile names, if any (CloudTrail is asked
    /// there and in `us-east-1` unless the config names regions).
    fn region(&self) -> Option<String> {
        None
    }
    /// STS `GetCallerIdentity`, plus the access key ID of the credentials in use.
    async fn caller_identity(&self) -> Result<Identity, IamError>;
    /// `sts:GetAccessKeyInfo`: the account an access key ID belongs to
    /// (any key ID, whoever's: STS reads it from the ID).
    async fn access_key_account(&self, key_id: &str) -> Result<String, IamError> {
        Err(IamError::new(
            ErrorKind::Refused,
            "sts:GetAccessKeyInfo",
            format!("this session cannot ask whose key {key_id} is"),
        ))
    }
    /// `ListAccountAliases`: the account's alias, if it has one.
    async fn account_alias(&self) -> Result<Option<String>, IamError>;
    /// One page of `ListUsers` (up to 1,000 users).
    async fn list_users(&self, marker: Option<String>) -> Result<Page<User>, IamError>;
    /// One page of `ListServiceSpecificCredentials` of every user
    /// (`AllUsers`): Bedrock API keys, `CodeCommit` and Keyspaces
    /// credentials. One user's are [`Self::user_credentials`]'s.
    async fn service_credentials(
        &self,
        marker: Option<String>,
    ) -> Result<Page<crate::model::credential::Credential>, IamError>;
    /// `UpdateServiceSpecificCredential`, `UpdateSSHPublicKey` or
    /// `UpdateSigningCertificate`, by the credential's kind.
    async fn set_credential_status(
        &self,
        user: &str,
        kind: &crate::model::credential::CredentialKind,
        id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError>;
    /// `DeleteServiceSpecificCredential`, `DeleteSSHPublicKey` or
    /// `DeleteSigningCertificate`, by the credential's kind.
    async fn delete_credential(
        &self,
        user: &str,
        kind: &crate::model::credential::CredentialKind,
        id: &str,
    ) -> Result<(), IamError>;
    /// One page of a user's SSH public keys (`ListSSHPublicKeys`), signing
    /// certificates (`ListSigningCertificates`) or service-specific
    /// credentials, by `listing`.
    async fn user_credentials(
        &self,
        listing: crate::model::credential::Listing,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<crate::model::credential::Credential>, IamError>;
    /// One page of `ListAccessKeys` for a user.
    async fn list_access_keys(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<AccessKey>, IamError>;
    /// `GenerateCredentialReport`.
    async fn generate_credential_report(&self) -> Result<ReportState, IamError>;
    /// `GetCredentialReport`, parsed.
    async fn get_credential_report(&self) -> Result<CredentialReport, IamError>;
    /// `GetAccountSummary`: whether the root user has access keys
    /// (`AccountAccessKeysPresent`), for when the credential report cannot
    /// be had.
    async fn root_access_keys_present(&self) -> Result<bool, IamError>;
    /// `GetAccessKeyLastUsed`.
    async fn access_key_last_used(&self, key_id: &str) -> Result<LastUsed, IamError>;
    /// `ListOrganizationsFeatures` (the organization's management account):
    /// the centralized root access features enabled, as IAM names them
    /// (`RootCredentialsManagement`, `RootSessions`).
    async fn organizations_features(&self) -> Result<Vec<String>, IamError>;
    /// `sts:AssumeRoot` into member `account` with the task policy that
    /// deletes root credentials ([`root::DELETE_ROOT_CREDENTIALS`], 900 s,
    /// a Regional STS endpoint): the member's root user. Only a client of
    /// the organization's management account can; others refuse.
    async fn assume_root(&self, account: &str) -> Result<Box<dyn root::RootUser>, IamError> {
        Err(IamError::new(
            ErrorKind::Refused,
            "sts:AssumeRoot",
            format!("this session cannot reach account {account}'s root user"),
        ))
    }
    /// `DeleteLoginProfile`: the user's console password removed.
    async fn delete_login_profile(&self, user: &str) -> Result<(), IamError>;
    /// `GetLoginProfile`: the user's console password (`None`: none).
    async fn login_profile(&self, user: &str) -> Result<Option<LoginProfile>, IamError>;
    /// `ListMFADevices`: whether the user has an MFA device.
    async fn has_mfa(&self, user: &str) -> Result<bool, IamError>;
    /// `ListGroupsForUser` (first page: a user is in at most 10 groups).
    async fn user_groups(&self, user: &str) -> Result<Vec<String>, IamError>;
    /// `ListUserTags`: the console keeps each access key's description in a
    /// tag whose key is the access key ID.
    async fn user_tags(&self, user: &str) -> Result<Vec<(String, String)>, IamError>;
    /// One page of `GetAccountAuthorizationDetails` with every entity
    /// type, in one walk: every user's tags (a few requests instead of one
    /// `ListUserTags` each) and what decides their privileges (users',
    /// groups' and managed policies).
    async fn authorization_details(&self, marker: Option<String>) -> Result<AuthPage, IamError>;
    /// `CreateAccessKey`.
    async fn create_access_key(&self, user: &str) -> Result<NewAccessKey, IamError>;
    /// `UpdateAccessKey`.
    async fn update_access_key(
        &self,
        user: &str,
        key_id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError>;
    /// `DeleteAccessKey`.
    async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<(), IamError>;
}

/// Follow every page of `ListAccessKeys` for one user.
///
/// # Errors
/// The first error any page returns.
pub async fn list_all_access_keys(
    client: &dyn IamClient,
    user: &str,
) -> Result<Vec<AccessKey>, IamError> {
    list_all("iam:ListAccessKeys", |marker| {
        client.list_access_keys(user, marker)
    })
    .await
}

/// The user of `client`'s account that holds access key `key`, and the key
/// as IAM lists it: users a page at a time, each user's keys listed,
/// stopping at the first hit (`iamkeys whois`, `:whois`).
///
/// # Errors
/// A listing failed (the answer would be a guess).
pub async fn holder(
    client: &dyn IamClient,
    key: &str,
) -> Result<Option<(String, AccessKey)>, IamError> {
    let mut marker = None;
    let mut pages = pages::Pages::new();
    loop {
        let page = client.list_users(marker).await?;
        for user in page.items {
            let keys = list_all_access_keys(client, &user.name).await?;
            if let Some(found) = keys.into_iter().find(|k| k.id == key) {
                return Ok(Some((user.name, found)));
            }
        }
        match pages.next("iam:ListUsers", page.next_marker)? {
            Some(next) => marker = Some(next),
            None => return Ok(None),
        }
    }
}

/// Every page of one listing of a user's other long-term credentials.
///
/// # Errors
/// As [`list_all`].
pub async fn list_all_credentials(
    client: &dyn IamClient,
    user: &str,
    listing: crate::model::credential::Listing,
) -> Result<Vec<crate::model::credential::Credential>, IamError> {
    list_all(listing.action(), |m| {
        client.user_credentials(listing, user, m)
    })
    .await
}

/// Every page of a listing, each asked with the last page's marker.
///
/// # Errors
/// The first error any page returns, or a marker given twice (see
/// [`pages::Pages`]).
pub async fn list_all<T, F, Fut>(action: &'static str, mut page: F) -> Result<Vec<T>, IamError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>, IamError>>,
{
    let mut items = Vec::new();
    let mut marker = None;
    let mut pages = pages::Pages::new();
    loop {
        let answer = page(marker).await?;
        items.extend(answer.items);
        match pages.next(action, answer.next_marker)? {
            Some(next) => marker = Some(next),
            None => return Ok(items),
        }
    }
}
