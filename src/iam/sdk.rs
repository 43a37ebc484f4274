//! The `IamClient` over aws-sdk-iam and aws-sdk-sts.

use async_trait::async_trait;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_iam::types::{ReportStateType, StatusType, SummaryKeyType};
use chrono::{DateTime, Utc};

use super::error::{ErrorKind, IamError};
use super::retries::{Retries, RetrySignal, RetryWatch};
use super::sdk_error::from_sdk;
use super::whole_answer::WholeAnswer;
use super::{AuthPage, IamClient, credential_report};
use crate::model::{
    AccessKey, CredentialReport, Identity, KeyStatus, LastUsed, LoginProfile, NewAccessKey, Page,
    ReportState, User,
};
use crate::secret::Secret;

mod credentials;
mod root;

/// IAM's largest page.
const MAX_ITEMS: i32 = 1000;

/// IAM and STS through the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkIam {
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    credentials: Option<SharedCredentialsProvider>,
    retries: RetrySignal,
    /// Where requests go, as errors name it: the configured endpoint, or
    /// AWS's own.
    endpoint: Option<String>,
    /// CloudTrail: a client per region is made from this configuration
    /// (endpoint and credentials shared with IAM), or one given client
    /// answers every region (tests).
    trail: Trail,
    /// The MFA session the credentials come from, if the profile needs one:
    /// told when IAM answers that it has expired.
    session: Option<std::sync::Arc<dyn RenewableSession>>,
    /// For handing a rotated key off (Secrets Manager, SSM); `None` for
    /// clients built from mocked ones.
    config: Option<Box<aws_config::SdkConfig>>,
}

/// A session the credentials come from that can be renewed (an MFA
/// sign-in): told when IAM answers that it has expired, so the next request
/// signs in again. Owned here, so IAM needs nothing of how it signs in.
pub trait RenewableSession: Send + Sync + std::fmt::Debug {
    /// IAM answered `ExpiredToken` before the session's time.
    fn expire(&self);
}

#[derive(Debug, Clone)]
enum Trail {
    Config(Box<aws_config::SdkConfig>),
    Fixed(aws_sdk_cloudtrail::Client),
    None,
}

impl SdkIam {
    /// Clients for `config`, whose retries are reported on [`IamClient::retries`].
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        let retries = RetrySignal::default();
        let iam = aws_sdk_iam::config::Builder::from(config)
            .interceptor(RetryWatch::new(retries.clone()))
            .interceptor(WholeAnswer)
            .build();
        let sts = aws_sdk_sts::config::Builder::from(config)
            .interceptor(RetryWatch::new(retries.clone()))
            .interceptor(WholeAnswer)
            .build();
        Self {
            iam: aws_sdk_iam::Client::from_conf(iam),
            sts: aws_sdk_sts::Client::from_conf(sts),
            credentials: config.credentials_provider(),
            retries,
            endpoint: config.endpoint_url().map(ToOwned::to_owned),
            trail: Trail::Config(Box::new(config.clone())),
            config: Some(Box::new(config.clone())),
            session: None,
        }
    }

    /// The same, signing with this renewable session (an MFA sign-in).
    #[must_use]
    pub fn with_session(mut self, session: Option<std::sync::Arc<dyn RenewableSession>>) -> Self {
        self.session = session;
        self
    }

    /// The same, with this CloudTrail client for every region (tests with
    /// mocked HTTP).
    #[must_use]
    pub fn with_trail(mut self, trail: aws_sdk_cloudtrail::Client) -> Self {
        self.trail = Trail::Fixed(trail);
        self
    }

    /// A CloudTrail client for `region`, over the same configuration and
    /// retry watch (for `usage::cloudtrail`).
    #[must_use]
    pub fn trail_client(&self, region: &str) -> Option<aws_sdk_cloudtrail::Client> {
        match &self.trail {
            Trail::Config(config) => {
                let conf = aws_sdk_cloudtrail::config::Builder::from(config.as_ref())
                    .region(aws_types::region::Region::new(region.to_owned()))
                    .interceptor(RetryWatch::new(self.retries.clone()))
                    .build();
                Some(aws_sdk_cloudtrail::Client::from_conf(conf))
            }
            Trail::Fixed(client) => Some(client.clone()),
            Trail::None => None,
        }
    }

    /// An IAM Access Analyzer client over the same configuration and retry
    /// watch (for `analyzer`); `None` for clients built from mocked ones.
    #[must_use]
    pub fn analyzer_client(&self) -> Option<aws_sdk_accessanalyzer::Client> {
        let config = self.config.as_deref()?;
        let conf = aws_sdk_accessanalyzer::config::Builder::from(config)
            .interceptor(RetryWatch::new(self.retries.clone()))
            .build();
        Some(aws_sdk_accessanalyzer::Client::from_conf(conf))
    }

    /// The configuration the other services' clients are made from (the
    /// hand-off's Secrets Manager and SSM, EC2's region list).
    #[must_use]
    pub fn config(&self) -> Option<&aws_config::SdkConfig> {
        self.config.as_deref()
    }

    /// Where requests go, as errors name it (`None`: AWS's own).
    #[must_use]
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// Build from ready-made clients (tests with mocked HTTP).
    #[must_use]
    pub fn from_clients(iam: aws_sdk_iam::Client, sts: aws_sdk_sts::Client) -> Self {
        Self {
            iam,
            sts,
            credentials: None,
            retries: RetrySignal::default(),
            endpoint: None,
            trail: Trail::None,
            session: None,
            config: None,
        }
    }

    /// One page of `ListAccessKeys`: `user`'s keys, or with `None` the
    /// signer's (a root session's: the root user's).
    async fn access_keys_of(
        &self,
        user: Option<&str>,
        marker: Option<String>,
    ) -> Result<Page<AccessKey>, IamError> {
        let out = self
            .sent(
                "iam:ListAccessKeys",
                self.iam
                    .list_access_keys()
                    .set_user_name(user.map(ToOwned::to_owned))
                    .max_items(MAX_ITEMS)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        // A key without an ID cannot be shown or acted on; dropping it would
        // hide it from the audit, so the listing fails instead.
        let items = out
            .access_key_metadata()
            .iter()
            .map(|k| {
                Ok(AccessKey {
                    id: k
                        .access_key_id()
                        .ok_or_else(|| {
                            IamError::other(
                                "iam:ListAccessKeys",
                                "the answer held a key without an AccessKeyId",
                            )
                        })?
                        .to_owned(),
                    user_name: k
                        .user_name()
                        .or(user)
                        .unwrap_or(crate::model::ROOT_ROW)
                        .to_owned(),
                    status: status(k.status()),
                    created: k.create_date().map(time),
                })
            })
            .collect::<Result<Vec<_>, IamError>>()?;
        Ok(Page {
            items,
            next_marker: next_marker(out.is_truncated(), out.marker()),
        })
    }

    /// `DeleteAccessKey` of `user`'s key, or with `None` the signer's.
    async fn delete_key_of(&self, user: Option<&str>, key_id: &str) -> Result<(), IamError> {
        self.iam
            .delete_access_key()
            .set_user_name(user.map(ToOwned::to_owned))
            .access_key_id(key_id)
            .send()
            .await
            .map_err(|e| self.fail("iam:DeleteAccessKey", &e))?;
        Ok(())
    }

    /// An SDK error as iamkeys words it, naming where the request went.
    /// The request sent, its error (if any) in IAM's terms for `action`.
    async fn sent<T, E>(
        &self,
        action: &'static str,
        request: impl std::future::Future<
            Output = Result<
                T,
                aws_sdk_iam::error::SdkError<
                    E,
                    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
                >,
            >,
        >,
    ) -> Result<T, IamError>
    where
        E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        request.await.map_err(|e| self.fail(action, &e))
    }

    fn fail<E>(
        &self,
        action: &'static str,
        err: &aws_sdk_iam::error::SdkError<
            E,
            aws_smithy_runtime_api::client::orchestrator::HttpResponse,
        >,
    ) -> IamError
    where
        E: aws_sdk_iam::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let endpoint = match (&self.endpoint, action.starts_with("sts:")) {
            (Some(url), _) => url.as_str(),
            (None, true) => "AWS STS",
            (None, false) => "https://iam.amazonaws.com",
        };
        let err = from_sdk(action, err, endpoint);
        if let Some(session) = &self.session
            && err.session_expired()
        {
            session.expire();
        }
        err
    }
}

/// An SDK date as chrono's.
#[must_use]
pub fn time(value: &aws_smithy_types::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(value.secs(), value.subsec_nanos()).unwrap_or_default()
}

/// IAM's key status; anything else (a new value, none at all) is
/// `Unknown`, never read as Inactive (that would hide findings).
fn status(value: Option<&StatusType>) -> KeyStatus {
    match value {
        Some(StatusType::Active) => KeyStatus::Active,
        Some(StatusType::Inactive) => KeyStatus::Inactive,
        other => {
            tracing::warn!(status = ?other, "an access key status iamkeys does not know");
            KeyStatus::Unknown
        }
    }
}

fn sdk_status(value: KeyStatus) -> Result<StatusType, IamError> {
    match value {
        KeyStatus::Active => Ok(StatusType::Active),
        KeyStatus::Inactive => Ok(StatusType::Inactive),
        KeyStatus::Unknown => Err(IamError::new(
            ErrorKind::InvalidInput,
            "iam:UpdateAccessKey",
            "a key can only be made Active or Inactive",
        )),
    }
}

/// IAM sends `Marker` only with `IsTruncated`; stop on either missing.
fn next_marker(truncated: bool, marker: Option<&str>) -> Option<String> {
    truncated.then(|| marker.map(ToOwned::to_owned)).flatten()
}

#[async_trait]
impl IamClient for SdkIam {
    fn retries(&self) -> Option<tokio::sync::watch::Receiver<Retries>> {
        Some(self.retries.subscribe())
    }

    fn renews_sessions(&self) -> bool {
        self.session.is_some()
    }

    fn endpoint(&self) -> Option<String> {
        self.endpoint.clone()
    }

    fn sdk_config(&self) -> Option<aws_config::SdkConfig> {
        self.config.as_deref().cloned()
    }

    fn region(&self) -> Option<String> {
        match &self.trail {
            Trail::Config(config) => config.region().map(ToString::to_string),
            _ => None,
        }
    }

    async fn caller_identity(&self) -> Result<Identity, IamError> {
        const ACTION: &str = "sts:GetCallerIdentity";
        let out = self
            .sent(ACTION, self.sts.get_caller_identity().send())
            .await?;
        let access_key_id = match &self.credentials {
            Some(provider) => provider
                .provide_credentials()
                .await
                .ok()
                .map(|c| c.access_key_id().to_owned()),
            None => None,
        };
        let account_id = out.account().unwrap_or_default();
        if !crate::model::is_account_id(account_id) {
            return Err(IamError::new(
                ErrorKind::IdentityMismatch,
                ACTION,
                format!(
                    "STS answered with account ID `{}`, not 12 digits: the session cannot be told apart from another account's",
                    crate::text::clean(account_id)
                ),
            ));
        }
        Ok(Identity {
            account_id: account_id.to_owned(),
            arn: out.arn().unwrap_or_default().to_owned(),
            access_key_id,
            alias: None,
            region: None,
        })
    }

    async fn account_alias(&self) -> Result<Option<String>, IamError> {
        let out = self
            .sent(
                "iam:ListAccountAliases",
                self.iam.list_account_aliases().send(),
            )
            .await?;
        Ok(out.account_aliases().first().cloned())
    }

    async fn list_users(&self, marker: Option<String>) -> Result<Page<User>, IamError> {
        let out = self
            .sent(
                "iam:ListUsers",
                self.iam
                    .list_users()
                    .max_items(MAX_ITEMS)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        let items = out
            .users()
            .iter()
            .map(|u| User {
                name: u.user_name().to_owned(),
                arn: u.arn().to_owned(),
                created: time(u.create_date()),
                password_last_used: u.password_last_used().map(time),
            })
            .collect();
        Ok(Page {
            items,
            next_marker: next_marker(out.is_truncated(), out.marker()),
        })
    }

    async fn service_credentials(
        &self,
        marker: Option<String>,
    ) -> Result<Page<crate::model::credential::Credential>, IamError> {
        self.list_service_credentials(None, marker).await
    }

    async fn set_credential_status(
        &self,
        user: &str,
        kind: &crate::model::credential::CredentialKind,
        id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError> {
        self.update_credential(user, kind, id, sdk_status(status)?)
            .await
    }

    async fn delete_credential(
        &self,
        user: &str,
        kind: &crate::model::credential::CredentialKind,
        id: &str,
    ) -> Result<(), IamError> {
        self.remove_credential(user, kind, id).await
    }

    async fn user_credentials(
        &self,
        listing: crate::model::credential::Listing,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<crate::model::credential::Credential>, IamError> {
        use crate::model::credential::Listing;
        match listing {
            Listing::Service => self.list_service_credentials(Some(user), marker).await,
            Listing::SshKeys => self.list_ssh_keys(user, marker).await,
            Listing::Certificates => self.list_certificates(user, marker).await,
        }
    }

    async fn list_access_keys(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<AccessKey>, IamError> {
        self.access_keys_of(Some(user), marker).await
    }

    async fn generate_credential_report(&self) -> Result<ReportState, IamError> {
        let out = self
            .sent(
                "iam:GenerateCredentialReport",
                self.iam.generate_credential_report().send(),
            )
            .await?;
        Ok(match out.state() {
            Some(ReportStateType::Complete) => ReportState::Complete,
            Some(ReportStateType::Started) => ReportState::Started,
            _ => ReportState::InProgress,
        })
    }

    async fn get_credential_report(&self) -> Result<CredentialReport, IamError> {
        const ACTION: &str = "iam:GetCredentialReport";
        let out = self
            .sent(ACTION, self.iam.get_credential_report().send())
            .await?;
        let content = out
            .content()
            .map(aws_smithy_types::Blob::as_ref)
            .unwrap_or_default();
        let parsed = credential_report::parse(content)
            .map_err(|e| IamError::other(ACTION, e.to_string()))?;
        // Without its time the report's age is unknown: not read at all.
        let generated_at = out
            .generated_time()
            .map(time)
            .ok_or_else(|| IamError::other(ACTION, "the report came without a GeneratedTime"))?;
        Ok(CredentialReport {
            generated_at,
            rows: parsed.rows,
            rejected: parsed.rejected,
            fresh: false,
            odd_date: false,
        })
    }

    async fn root_access_keys_present(&self) -> Result<bool, IamError> {
        const ACTION: &str = "iam:GetAccountSummary";
        let out = self
            .sent(ACTION, self.iam.get_account_summary().send())
            .await?;
        let present = out
            .summary_map()
            .and_then(|map| map.get(&SummaryKeyType::AccountAccessKeysPresent))
            .ok_or_else(|| {
                IamError::other(ACTION, "the answer held no AccountAccessKeysPresent")
            })?;
        Ok(*present > 0)
    }

    async fn access_key_last_used(&self, key_id: &str) -> Result<LastUsed, IamError> {
        let out = self
            .sent(
                "iam:GetAccessKeyLastUsed",
                self.iam
                    .get_access_key_last_used()
                    .access_key_id(key_id)
                    .send(),
            )
            .await?;
        // No block at all is not "never used" (that would invent a finding).
        let used = out.access_key_last_used().ok_or_else(|| {
            IamError::other(
                "iam:GetAccessKeyLastUsed",
                "the answer held no AccessKeyLastUsed",
            )
        })?;
        Ok(LastUsed {
            date: used.last_used_date().map(time),
            service: credential_report::text_value(used.service_name()),
            region: credential_report::text_value(used.region()),
        })
    }

    async fn organizations_features(&self) -> Result<Vec<String>, IamError> {
        let out = self
            .sent(
                "iam:ListOrganizationsFeatures",
                self.iam.list_organizations_features().send(),
            )
            .await?;
        Ok(out
            .enabled_features()
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect())
    }

    async fn delete_login_profile(&self, user: &str) -> Result<(), IamError> {
        self.sent(
            "iam:DeleteLoginProfile",
            self.iam.delete_login_profile().user_name(user).send(),
        )
        .await
        .map(|_| ())
    }

    async fn login_profile(&self, user: &str) -> Result<Option<LoginProfile>, IamError> {
        match self.iam.get_login_profile().user_name(user).send().await {
            Ok(out) => Ok(Some(LoginProfile {
                created: out.login_profile().map(|p| time(p.create_date())),
            })),
            Err(e) => {
                let err = self.fail("iam:GetLoginProfile", &e);
                // IAM answers NoSuchEntity both for a user without a console
                // password ("Login Profile for User X cannot be found") and for
                // a user that does not exist ("The user with name X ...").
                let user_gone = err.detail.to_ascii_lowercase().contains("user with name");
                if err.kind == ErrorKind::NoSuchEntity && !user_gone {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn has_mfa(&self, user: &str) -> Result<bool, IamError> {
        let out = self
            .sent(
                "iam:ListMFADevices",
                self.iam.list_mfa_devices().user_name(user).send(),
            )
            .await?;
        Ok(!out.mfa_devices().is_empty())
    }

    async fn user_groups(&self, user: &str) -> Result<Vec<String>, IamError> {
        let out = self
            .sent(
                "iam:ListGroupsForUser",
                self.iam.list_groups_for_user().user_name(user).send(),
            )
            .await?;
        Ok(out
            .groups()
            .iter()
            .map(|g| g.group_name().to_owned())
            .collect())
    }

    async fn user_tags(&self, user: &str) -> Result<Vec<(String, String)>, IamError> {
        let out = self
            .sent(
                "iam:ListUserTags",
                self.iam.list_user_tags().user_name(user).send(),
            )
            .await?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    async fn authorization_details(&self, marker: Option<String>) -> Result<AuthPage, IamError> {
        const ACTION: &str = "iam:GetAccountAuthorizationDetails";
        // Every entity type at once: users (their tags and policies),
        // groups and the managed policies in use, in one walk.
        let out = self
            .sent(
                ACTION,
                self.iam
                    .get_account_authorization_details()
                    .max_items(MAX_ITEMS)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        let (items, details) =
            super::auth_details::page(&out).map_err(|why| IamError::other(ACTION, why))?;
        Ok((
            Page {
                items,
                next_marker: next_marker(out.is_truncated(), out.marker()),
            },
            details,
        ))
    }

    async fn create_access_key(&self, user: &str) -> Result<NewAccessKey, IamError> {
        const ACTION: &str = "iam:CreateAccessKey";
        // Not idempotent: the SDK must not retry it by itself. The worker
        // re-lists the user's keys before any second attempt.
        let out = self
            .iam
            .create_access_key()
            .user_name(user)
            .customize()
            .config_override(
                aws_sdk_iam::config::Config::builder()
                    .retry_config(aws_smithy_types::retry::RetryConfig::disabled()),
            )
            .send()
            .await
            .map_err(|e| self.fail(ACTION, &e))?;
        let key = out
            .access_key()
            .ok_or_else(|| IamError::other(ACTION, "response held no access key"))?;
        Ok(NewAccessKey {
            key: AccessKey {
                id: key.access_key_id().to_owned(),
                user_name: key.user_name().to_owned(),
                status: status(Some(key.status())),
                created: key.create_date().map(time),
            },
            secret: Secret::new(key.secret_access_key()),
        })
    }

    async fn update_access_key(
        &self,
        user: &str,
        key_id: &str,
        new_status: KeyStatus,
    ) -> Result<(), IamError> {
        self.iam
            .update_access_key()
            .user_name(user)
            .access_key_id(key_id)
            .status(sdk_status(new_status)?)
            .send()
            .await
            .map_err(|e| self.fail("iam:UpdateAccessKey", &e))?;
        Ok(())
    }

    async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<(), IamError> {
        self.delete_key_of(Some(user), key_id).await
    }

    async fn access_key_account(&self, key_id: &str) -> Result<String, IamError> {
        const ACTION: &str = "sts:GetAccessKeyInfo";
        let out = self
            .sent(
                ACTION,
                self.sts.get_access_key_info().access_key_id(key_id).send(),
            )
            .await?;
        match out.account() {
            Some(account) if crate::model::is_account_id(account) => Ok(account.to_owned()),
            other => Err(IamError::new(
                ErrorKind::IdentityMismatch,
                ACTION,
                format!(
                    "STS answered with account ID `{}`, not 12 digits",
                    crate::text::clean(other.unwrap_or_default())
                ),
            )),
        }
    }

    async fn assume_root(&self, account: &str) -> Result<Box<dyn super::root::RootUser>, IamError> {
        root::assume(self, account).await
    }
}
