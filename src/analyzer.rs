//! IAM Access Analyzer's unused-access findings about IAM users, read with
//! `ListAnalyzers`, `ListFindingsV2` (never V1, which returns no
//! unused-access findings) and `GetFindingV2`. Only read: AWS's verdict is
//! shown beside iamkeys' (`audit::aws_verdict`), never a gap in iamkeys'
//! own audit.

use async_trait::async_trait;

use crate::audit::aws_verdict::{AwsFinding, Subject};
use crate::iam::IamError;

/// The unused-access analyzer that covers the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnusedAnalyzer {
    pub arn: String,
    /// `unusedAccessAge`: days a key or password must go unused (and a
    /// user must have existed) before AWS reports it.
    pub tracking_days: u32,
    /// The organization's (it covers the member accounts), not one
    /// account's.
    pub organization: bool,
}

/// The tracking period AWS uses when an analyzer names none.
pub const DEFAULT_TRACKING_DAYS: u32 = 90;

/// What iamkeys asks of Access Analyzer. The defaults: no analyzer.
#[async_trait]
pub trait Analyzer: Send + Sync {
    /// The account's (else its organization's) active unused-access
    /// analyzer; `None`: there is none.
    async fn unused_access(&self) -> Result<Option<UnusedAnalyzer>, IamError> {
        Ok(None)
    }
    /// Every active unused-access finding of `account`'s IAM users' keys and
    /// passwords.
    async fn user_findings(
        &self,
        _analyzer: &UnusedAnalyzer,
        _account: &str,
    ) -> Result<Vec<AwsFinding>, IamError> {
        Ok(Vec::new())
    }
}

/// No Access Analyzer to ask (the demo, tests).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAnalyzer;

impl Analyzer for NoAnalyzer {}

/// Access Analyzer through the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkAnalyzer {
    client: aws_sdk_accessanalyzer::Client,
    endpoint: String,
}

impl SdkAnalyzer {
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(
            aws_sdk_accessanalyzer::Client::new(config),
            config.endpoint_url(),
        )
    }

    /// From a ready-made client (the IAM client's, sharing its retry watch).
    #[must_use]
    pub fn from_client(client: aws_sdk_accessanalyzer::Client, endpoint: Option<&str>) -> Self {
        Self {
            client,
            endpoint: endpoint.unwrap_or("IAM Access Analyzer").to_owned(),
        }
    }
}

fn missing(action: &'static str, what: &str) -> IamError {
    IamError::other(action, format!("the answer held no {what}"))
}

/// The user name of an IAM user's ARN (`arn:aws:iam::1:user/path/name`).
fn user_of(arn: &str) -> Option<&str> {
    arn.split_once(":user/")
        .map(|(_, path)| path.rsplit('/').next().unwrap_or(path))
        .filter(|name| !name.is_empty())
}

#[async_trait]
impl Analyzer for SdkAnalyzer {
    async fn unused_access(&self) -> Result<Option<UnusedAnalyzer>, IamError> {
        use aws_sdk_accessanalyzer::types::{AnalyzerStatus, Type};
        const ACTION: &str = "access-analyzer:ListAnalyzers";
        // The account's own analyzer first, else the organization's.
        for kind in [Type::AccountUnusedAccess, Type::OrganizationUnusedAccess] {
            let organization = kind == Type::OrganizationUnusedAccess;
            let out = self
                .client
                .list_analyzers()
                .r#type(kind)
                .send()
                .await
                .map_err(|e| crate::iam::sdk_error::from_sdk(ACTION, &e, &self.endpoint))?;
            if let Some(active) = out
                .analyzers()
                .iter()
                .find(|a| *a.status() == AnalyzerStatus::Active)
            {
                let age = active
                    .configuration()
                    .and_then(|c| c.as_unused_access().ok())
                    .and_then(
                        aws_sdk_accessanalyzer::types::UnusedAccessConfiguration::unused_access_age,
                    )
                    .and_then(|days| u32::try_from(days).ok())
                    .unwrap_or(DEFAULT_TRACKING_DAYS);
                return Ok(Some(UnusedAnalyzer {
                    arn: active.arn().to_owned(),
                    tracking_days: age,
                    organization,
                }));
            }
        }
        Ok(None)
    }

    async fn user_findings(
        &self,
        analyzer: &UnusedAnalyzer,
        account: &str,
    ) -> Result<Vec<AwsFinding>, IamError> {
        use aws_sdk_accessanalyzer::types::{Criterion, FindingType};
        const LIST: &str = "access-analyzer:ListFindingsV2";
        const GET: &str = "access-analyzer:GetFindingV2";
        let criterion = |values: &[&str]| {
            values
                .iter()
                .fold(Criterion::builder(), |b, v| b.eq(*v))
                .build()
        };
        let mut findings = Vec::new();
        let mut next = None;
        let mut pages = crate::iam::pages::Pages::new();
        loop {
            let out = self
                .client
                .list_findings_v2()
                .analyzer_arn(&analyzer.arn)
                .filter("resourceType", criterion(&["AWS::IAM::User"]))
                .filter(
                    "findingType",
                    criterion(&["UnusedIAMUserAccessKey", "UnusedIAMUserPassword"]),
                )
                .filter("status", criterion(&["ACTIVE"]))
                .filter("resourceOwnerAccount", criterion(&[account]))
                .set_next_token(next)
                .send()
                .await
                .map_err(|e| crate::iam::sdk_error::from_sdk(LIST, &e, &self.endpoint))?;
            for summary in out.findings() {
                let wanted = matches!(
                    summary.finding_type(),
                    Some(FindingType::UnusedIamUserAccessKey | FindingType::UnusedIamUserPassword)
                );
                if !wanted || summary.resource_owner_account() != account {
                    continue;
                }
                let detail = self
                    .client
                    .get_finding_v2()
                    .analyzer_arn(&analyzer.arn)
                    .id(summary.id())
                    .send()
                    .await
                    .map_err(|e| crate::iam::sdk_error::from_sdk(GET, &e, &self.endpoint))?;
                let user = detail
                    .resource()
                    .and_then(user_of)
                    .ok_or_else(|| missing(GET, "IAM user ARN"))?
                    .to_owned();
                let analyzed_at = Some(crate::iam::sdk::time(detail.analyzed_at()));
                for details in detail.finding_details() {
                    let (subject, last) =
                        if let Ok(key) = details.as_unused_iam_user_access_key_details() {
                            (
                                Subject::AccessKey(key.access_key_id().to_owned()),
                                key.last_accessed(),
                            )
                        } else if let Ok(password) = details.as_unused_iam_user_password_details() {
                            (Subject::Password, password.last_accessed())
                        } else {
                            continue;
                        };
                    findings.push(AwsFinding {
                        user: user.clone(),
                        subject,
                        active: true,
                        last_accessed: last.map(crate::iam::sdk::time),
                        analyzed_at,
                    });
                }
            }
            match pages.next(LIST, out.next_token().map(ToOwned::to_owned))? {
                Some(token) => next = Some(token),
                None => return Ok(findings),
            }
        }
    }
}

/// The SDK's IAM client asks Access Analyzer over the same profile's
/// configuration and retry watch (none for clients built from mocked ones).
#[async_trait]
impl Analyzer for crate::iam::sdk::SdkIam {
    async fn unused_access(&self) -> Result<Option<UnusedAnalyzer>, IamError> {
        match self.analyzer_client() {
            Some(client) => {
                SdkAnalyzer::from_client(client, self.endpoint_url())
                    .unused_access()
                    .await
            }
            None => Ok(None),
        }
    }

    async fn user_findings(
        &self,
        analyzer: &UnusedAnalyzer,
        account: &str,
    ) -> Result<Vec<AwsFinding>, IamError> {
        match self.analyzer_client() {
            Some(client) => {
                SdkAnalyzer::from_client(client, self.endpoint_url())
                    .user_findings(analyzer, account)
                    .await
            }
            None => Ok(Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_name_comes_from_its_arn() {
        assert_eq!(
            user_of("arn:aws:iam::123456789012:user/alice"),
            Some("alice")
        );
        assert_eq!(
            user_of("arn:aws:iam::123456789012:user/team/ops/bob"),
            Some("bob")
        );
        assert_eq!(user_of("arn:aws:iam::123456789012:role/alice"), None);
        assert_eq!(user_of("arn:aws:iam::123456789012:user/"), None);
    }
}
