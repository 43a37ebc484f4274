//! Issue 24 item 1: a service that repeats its page marker (or never
//! stops) ends that listing with an error, never loops; `report --org`
//! audits each account once.

use std::sync::Arc;

use crate::common::mocks::{org_plan, sts};
use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
use aws_sdk_iam::operation::list_users::ListUsersOutput;
use aws_sdk_iam::types::{AccessKeyMetadata, StatusType, User};
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::types::{Account, AccountState};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use iamkeys::headless::org::{Outcome, audit_org};
use iamkeys::iam::org::{OrgClient, SdkOrg};
use iamkeys::iam::sdk::SdkIam;
use iamkeys::iam::{ErrorKind, IamClient, IamError, list_all_access_keys};
use iamkeys::model::OrgAccount;

#[tokio::test]
async fn a_repeated_access_key_marker_ends_the_listing_with_an_error() {
    let same = mock!(aws_sdk_iam::Client::list_access_keys).then_output(|| {
        ListAccessKeysOutput::builder()
            .access_key_metadata(
                AccessKeyMetadata::builder()
                    .user_name("alice")
                    .access_key_id("AKIAALICE00000000001")
                    .status(StatusType::Active)
                    .create_date(DateTime::from_secs(1_700_000_000))
                    .build(),
            )
            .is_truncated(true)
            .marker("again")
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&same]);
    let iam = SdkIam::from_clients(client, sts());
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        list_all_access_keys(&iam, "alice"),
    )
    .await
    .expect("it ends");
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Malformed, "{err:?}");
    assert!(err.detail.contains("repeated"), "{err:?}");
    assert_eq!(
        same.num_calls(),
        2,
        "the second page's marker is the first's"
    );
}

#[tokio::test]
async fn a_repeated_users_marker_ends_the_listing_and_the_audit_says_so() {
    let user = |name: &str| {
        User::builder()
            .user_name(name)
            .user_id(format!("AIDA{name}"))
            .path("/")
            .arn(format!("arn:aws:iam::123456789012:user/{name}"))
            .create_date(DateTime::from_secs(1_700_000_000))
            .build()
            .unwrap()
    };
    let pages = mock!(aws_sdk_iam::Client::list_users).then_compute_output(move |r| {
        ListUsersOutput::builder()
            .users(user(if r.marker().is_none() { "alice" } else { "bob" }))
            .is_truncated(true)
            .marker("loop")
            .build()
            .unwrap()
    });
    let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&pages]);
    let iam = SdkIam::from_clients(client, sts());
    let mut state = crate::common::states::fresh();
    let effects = iamkeys::update::update(&mut state, iamkeys::action::Action::Load);
    // Drive only the listing: answer each ListUsers call from the mock.
    let mut calls: Vec<Option<String>> = effects
        .iter()
        .filter_map(|e| match e {
            iamkeys::effect::Effect::Iam {
                call: iamkeys::effect::Call::ListUsers { marker },
                ..
            } => Some(marker.clone()),
            _ => None,
        })
        .collect();
    let mut rounds = 0;
    while let Some(marker) = calls.pop() {
        rounds += 1;
        assert!(rounds < 10, "the listing loops");
        let page = iam.list_users(marker).await;
        let action =
            crate::common::states::loaded(&state, iamkeys::action::Loaded::UsersPage(page));
        for effect in iamkeys::update::update(&mut state, action) {
            if let iamkeys::effect::Effect::Iam {
                call: iamkeys::effect::Call::ListUsers { marker },
                ..
            } = effect
            {
                calls.push(marker);
            }
        }
    }
    let iamkeys::state::ListStatus::Failed(err) = &state.account.list else {
        panic!("{:?}", state.account.list)
    };
    assert_eq!(err.kind, ErrorKind::Malformed);
    assert_eq!(state.account.users().total(), 2, "what was listed stays");
    assert!(state.account.audit_incomplete());
}

#[tokio::test]
async fn report_org_ends_on_a_repeated_token_and_audits_each_account_once() {
    let account = |id: &str| {
        Account::builder()
            .id(id)
            .name(format!("acct-{id}"))
            .state(AccountState::Active)
            .build()
    };
    // The first page names one account twice; every later page repeats
    // the token and the same two accounts, forever.
    let looping = mock!(aws_sdk_organizations::Client::list_accounts).then_output(move || {
        ListAccountsOutput::builder()
            .accounts(account("111111111111"))
            .accounts(account("222222222222"))
            .accounts(account("111111111111"))
            .next_token("same")
            .build()
    });
    let client = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&looping]);
    let org = SdkOrg::from_client(client);
    let connect = |account: OrgAccount| {
        Box::pin(async move {
            Err::<iamkeys::worker::Clients, _>(IamError::new(
                ErrorKind::AccessDenied,
                "sts:AssumeRole",
                format!("no role in {}", account.id),
            ))
        }) as futures::future::BoxFuture<'static, _>
    };
    let plan = org_plan();
    let audit = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        audit_org(Arc::new(org) as Arc<dyn OrgClient>, &connect, &plan),
    )
    .await
    .expect("the report ends");
    let err = audit.listing_error.expect("the listing ended in an error");
    assert!(err.detail.contains("repeated"), "{err:?}");
    let ids: Vec<&str> = audit.members.iter().map(|(a, _)| a.id.as_str()).collect();
    assert_eq!(ids, ["111111111111", "222222222222"], "each account once");
    assert!(
        audit
            .members
            .iter()
            .all(|(_, o)| !matches!(o, Outcome::Audited(_)))
    );
    assert_eq!(looping.num_calls(), 2);
}

/// Issue 24 item 1: `--timeout` bounds the whole run: at the deadline the
/// accounts done are kept and the others are named as timed out.
#[tokio::test]
async fn at_the_deadline_unfinished_accounts_are_timed_out() {
    let accounts = mock!(aws_sdk_organizations::Client::list_accounts).then_output(|| {
        ListAccountsOutput::builder()
            .accounts(
                Account::builder()
                    .id("111111111111")
                    .name("slow")
                    .state(AccountState::Active)
                    .build(),
            )
            .accounts(
                Account::builder()
                    .id("222222222222")
                    .name("refused")
                    .state(AccountState::Active)
                    .build(),
            )
            .build()
    });
    let client = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, [&accounts]);
    let org = SdkOrg::from_client(client);
    // One member's session never comes; the other's is refused at once.
    let connect = |account: OrgAccount| {
        Box::pin(async move {
            if account.id == "111111111111" {
                std::future::pending::<()>().await;
            }
            Err::<iamkeys::worker::Clients, _>(IamError::new(
                ErrorKind::AccessDenied,
                "sts:AssumeRole",
                "no role",
            ))
        }) as futures::future::BoxFuture<'static, _>
    };
    let mut plan = org_plan();
    plan.settings.deadline = Some(tokio::time::Instant::now() + std::time::Duration::from_secs(1));
    let audit = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        audit_org(Arc::new(org) as Arc<dyn OrgClient>, &connect, &plan),
    )
    .await
    .expect("the deadline ends the run");
    let classes: Vec<(&str, &str)> = audit
        .members
        .iter()
        .map(|(a, o)| {
            (
                a.id.as_str(),
                match o {
                    Outcome::Failed(f) => f.class(),
                    Outcome::Skipped(_) => "skipped",
                    Outcome::Audited(_) => "audited",
                },
            )
        })
        .collect();
    assert_eq!(
        classes,
        [
            ("111111111111", "timed_out"),
            ("222222222222", "role_denied")
        ]
    );
}
