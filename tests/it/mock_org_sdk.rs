//! Issue 15, what moto does not show: `ListAccounts` in pages (the audit
//! follows every page, as each arrives), accounts of unknown state, and a
//! role session renewed before it expires. aws-smithy-mocks through the
//! real SDK clients.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::provider::ProvideCredentials;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::types::{Account, AccountState};
use aws_sdk_sts::operation::assume_role::AssumeRoleOutput;
use aws_sdk_sts::types::Credentials;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use iamkeys::headless::org::{Outcome, audit_org};
use iamkeys::iam::org::{OrgClient, RoleSpec, SdkOrg, assume_with};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::OrgAccount;

fn account(id: &str, name: &str, state: Option<AccountState>) -> Account {
    Account::builder()
        .id(id)
        .name(name)
        .set_state(state)
        .build()
}

#[tokio::test]
async fn every_page_of_accounts_is_audited_and_an_unknown_state_is_not_skipped() {
    let first = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account("111111111111", "one", Some(AccountState::Active)))
                .accounts(account(
                    "222222222222",
                    "two",
                    Some(AccountState::Suspended),
                ))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account(
                    "333333333333",
                    "three",
                    Some(AccountState::PendingClosure),
                ))
                .accounts(account("444444444444", "four", None))
                .build()
        });
    let client = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&first, &second]);
    let org = SdkOrg::from_client(client);
    let page = org.list_accounts(None).await.unwrap();
    assert_eq!(page.next_marker.as_deref(), Some("page-2"));

    // Every account that is not skipped is "reached" (refused here).
    let connect = |account: OrgAccount| {
        Box::pin(async move {
            Err::<iamkeys::worker::Clients, _>(IamError::new(
                ErrorKind::AccessDenied,
                "sts:AssumeRole",
                format!("no role in {}", account.id),
            ))
        }) as futures::future::BoxFuture<'static, _>
    };
    let plan = crate::common::mocks::org_plan();
    let audit = audit_org(Arc::new(org), &connect, &plan).await;
    assert!(audit.listing_error.is_none());
    let seen: Vec<(&str, &str, &str)> = audit
        .members
        .iter()
        .map(|(a, o)| {
            let outcome = match o {
                Outcome::Skipped(_) => "skipped",
                Outcome::Failed(f) => f.class(),
                Outcome::Audited(_) => "audited",
            };
            (a.id.as_str(), a.status.as_str(), outcome)
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("111111111111", "ACTIVE", "role_denied"),
            ("222222222222", "SUSPENDED", "skipped"),
            ("333333333333", "PENDING_CLOSURE", "skipped"),
            // A state the program was not told is not ACTIVE, nor skipped.
            ("444444444444", "UNKNOWN", "role_denied"),
        ]
    );
    assert_eq!(first.num_calls() + second.num_calls(), 3);
}

#[tokio::test]
async fn a_listing_that_fails_part_way_keeps_what_was_listed_and_says_so() {
    let first = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token().is_none())
        .then_output(|| {
            ListAccountsOutput::builder()
                .accounts(account(
                    "111111111111",
                    "one",
                    Some(AccountState::Suspended),
                ))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_organizations::Client::list_accounts)
        .match_requests(|r| r.next_token().is_some())
        .then_error(|| {
            aws_sdk_organizations::operation::list_accounts::ListAccountsError::generic(
                aws_smithy_types::error::ErrorMetadata::builder()
                    .code("AccessDeniedException")
                    .message("denied")
                    .build(),
            )
        });
    let client = mock_client!(
        aws_sdk_organizations,
        RuleMode::MatchAny,
        [&first, &second],
        |c| c.retry_config(aws_config::retry::RetryConfig::disabled())
    );
    let connect = |_: OrgAccount| {
        Box::pin(async {
            Err::<iamkeys::worker::Clients, _>(IamError::new(ErrorKind::Other, "x", "x"))
        }) as futures::future::BoxFuture<'static, _>
    };
    let plan = crate::common::mocks::org_plan();
    let audit = audit_org(Arc::new(SdkOrg::from_client(client)), &connect, &plan).await;
    assert_eq!(audit.members.len(), 1);
    let err = audit.listing_error.clone().unwrap();
    assert_eq!(err.action, "organizations:ListAccounts");
    let report = iamkeys::report::Report::from_org(
        audit,
        "test",
        iamkeys::audit::Thresholds::default(),
        chrono::Utc::now(),
    );
    assert!(
        !report.complete,
        "a listing cut short is an incomplete audit"
    );
    assert!(
        report.gaps.iter().any(|g| g.contains("ListAccounts")),
        "{:?}",
        report.gaps
    );
}

fn session(expires_in: Duration) -> AssumeRoleOutput {
    let expiry = SystemTime::now() + expires_in;
    AssumeRoleOutput::builder()
        .credentials(
            Credentials::builder()
                .access_key_id("ASIAROLESESSION")
                .secret_access_key("secret")
                .session_token("token")
                .expiration(DateTime::from(expiry))
                .build()
                .unwrap(),
        )
        .build()
}

async fn calls_after_two_uses(expires_in: Duration) -> usize {
    let rule = mock!(aws_sdk_sts::Client::assume_role)
        .match_requests(|r| {
            r.role_arn() == Some("arn:aws:iam::111111111111:role/Audit")
                && r.role_session_name() == Some("iamkeys-alice")
                && r.external_id() == Some("ext-1")
        })
        .then_output(move || session(expires_in));
    let sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
    let base = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build();
    let spec = RoleSpec {
        role: "Audit".into(),
        external_id: Some("ext-1".into()),
        session_name: "iamkeys-alice".into(),
    };
    let config = assume_with(sts, &base, &spec, "111111111111")
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1, "assumed once up front");
    let provider = config.credentials_provider().unwrap();
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAROLESESSION");
    provider.provide_credentials().await.unwrap();
    rule.num_calls()
}

#[tokio::test]
async fn a_role_session_is_renewed_before_it_expires() {
    assert_eq!(
        calls_after_two_uses(Duration::from_hours(1)).await,
        1,
        "an hour left: the session is reused"
    );
    assert_eq!(
        calls_after_two_uses(Duration::from_mins(1)).await,
        3,
        "a minute left: renewed on each use"
    );
}
