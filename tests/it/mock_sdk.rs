//! aws-sdk-iam against scripted replies (aws-smithy-mocks): what moto cannot
//! show, such as pagination with markers and specific error codes.

use iamkeys::usage::cloudtrail::Trail as _;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput;
use aws_sdk_iam::operation::get_credential_report::{
    GetCredentialReportError, GetCredentialReportOutput,
};
use aws_sdk_iam::operation::get_login_profile::GetLoginProfileError;
use aws_sdk_iam::operation::list_access_keys::{ListAccessKeysError, ListAccessKeysOutput};
use aws_sdk_iam::operation::list_account_aliases::ListAccountAliasesOutput;
use aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput;
use aws_sdk_iam::operation::list_users::{ListUsersError, ListUsersOutput};
use aws_sdk_iam::types::{AccessKeyLastUsed, AccessKeyMetadata, ReportStateType, StatusType, User};
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::{Blob, DateTime};
use iamkeys::action::{Action, Loaded};
use iamkeys::headless::settle;
use iamkeys::iam::sdk::SdkIam;
use iamkeys::iam::{ErrorKind, IamClient, list_all_access_keys};
use iamkeys::state::{ListStatus, ReportStatus};

use crate::common::mocks::sts;
use crate::common::states::{fresh, loading};

fn user(name: &str) -> User {
    User::builder()
        .user_name(name)
        .user_id(format!("AIDA{name}"))
        .path("/")
        .arn(format!("arn:aws:iam::123456789012:user/{name}"))
        .create_date(DateTime::from_secs(1_700_000_000))
        .build()
        .unwrap()
}

fn users_page(names: &[&str], marker: Option<&str>) -> ListUsersOutput {
    ListUsersOutput::builder()
        .set_users(Some(names.iter().map(|n| user(n)).collect()))
        .is_truncated(marker.is_some())
        .set_marker(marker.map(ToOwned::to_owned))
        .build()
        .unwrap()
}

fn key(user: &str, id: &str) -> AccessKeyMetadata {
    AccessKeyMetadata::builder()
        .user_name(user)
        .access_key_id(id)
        .status(StatusType::Active)
        .create_date(DateTime::from_secs(1_700_000_100))
        .build()
}

/// Every user has one Active key, `AKIA<USER>`.
fn one_key_each() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_iam::Client::list_access_keys).then_compute_output(|r| {
        let user = r.user_name().unwrap_or_default();
        ListAccessKeysOutput::builder()
            .access_key_metadata(key(user, &format!("AKIA{}", user.to_uppercase())))
            .is_truncated(false)
            .build()
            .unwrap()
    })
}

/// No user has an MFA device.
fn no_mfa_devices() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_iam::Client::list_mfa_devices).then_output(|| {
        ListMfaDevicesOutput::builder()
            .set_mfa_devices(Some(vec![]))
            .build()
            .unwrap()
    })
}

#[tokio::test]
async fn every_list_users_page_is_followed_through_the_update_loop() {
    let first = mock!(aws_sdk_iam::Client::list_users)
        .match_requests(|r| r.marker().is_none() && r.max_items() == Some(1000))
        .then_output(|| users_page(&["u1", "u2"], Some("page-2")));
    let second = mock!(aws_sdk_iam::Client::list_users)
        .match_requests(|r| r.marker() == Some("page-2"))
        .then_output(|| users_page(&["u3", "u4"], Some("page-3")));
    let third = mock!(aws_sdk_iam::Client::list_users)
        .match_requests(|r| r.marker() == Some("page-3"))
        .then_output(|| users_page(&["u5"], None));
    let keys = one_key_each();
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(ReportStateType::Complete)
            .build()
    });
    let report = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        GetCredentialReportOutput::builder()
            .content(Blob::new("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service\nu3,arn:aws:iam::123456789012:user/u3,2023-11-14T22:13:20+00:00,true,N/A,N/A,N/A,false,true,2023-11-14T22:15:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\n"))
            .generated_time(DateTime::from_secs(1_700_000_500))
            .build()
    });
    // Keys of users missing from the report get a fresh GetAccessKeyLastUsed.
    let last_used = mock!(aws_sdk_iam::Client::get_access_key_last_used).then_output(|| {
        GetAccessKeyLastUsedOutput::builder()
            .user_name("u1")
            .access_key_last_used(
                AccessKeyLastUsed::builder()
                    .last_used_date(DateTime::from_secs(1_700_100_000))
                    .service_name("s3")
                    .region("eu-west-1")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    // Users missing from the report get GetLoginProfile / ListMFADevices.
    let no_password = mock!(aws_sdk_iam::Client::get_login_profile).then_error(|| {
        GetLoginProfileError::generic(
            ErrorMetadata::builder()
                .code("NoSuchEntity")
                .message("Login Profile for User u1 cannot be found.")
                .build(),
        )
    });
    let no_mfa = no_mfa_devices();
    let alias = mock!(aws_sdk_iam::Client::list_account_aliases).then_output(|| {
        ListAccountAliasesOutput::builder()
            .account_aliases("acme-prod")
            .build()
            .unwrap()
    });
    // The selected user's details area.
    let groups = mock!(aws_sdk_iam::Client::list_groups_for_user).then_output(|| {
        aws_sdk_iam::operation::list_groups_for_user::ListGroupsForUserOutput::builder()
            .set_groups(Some(vec![]))
            .build()
            .unwrap()
    });
    let tags = mock!(aws_sdk_iam::Client::list_user_tags).then_output(|| {
        aws_sdk_iam::operation::list_user_tags::ListUserTagsOutput::builder()
            .set_tags(Some(vec![]))
            .build()
            .unwrap()
    });
    let all_tags = no_tags_at_once();
    let others = no_other_credentials();
    let iam = mock_client!(
        aws_sdk_iam,
        RuleMode::MatchAny,
        [
            &others[0],
            &others[1],
            &others[2],
            &first,
            &second,
            &third,
            &keys,
            &generate,
            &report,
            &last_used,
            &no_password,
            &no_mfa,
            &alias,
            &groups,
            &tags,
            &all_tags
        ]
    );
    let client = Arc::new(SdkIam::from_clients(iam, sts()));
    let mut state = fresh();
    settle(
        &mut state,
        client,
        2,
        vec![Action::Load],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(state.account.list, ListStatus::Done { pages: 3 });
    assert_eq!(
        state.account.known_identity().unwrap().alias.as_deref(),
        Some("acme-prod")
    );
    assert_eq!(
        state.account.known_identity().unwrap().alias.as_deref(),
        Some("acme-prod")
    );
    assert_eq!(
        state
            .view
            .table
            .names_in_view(state.account.users())
            .collect::<Vec<_>>(),
        ["u1", "u2", "u3", "u4", "u5"]
    );
    assert_eq!(
        (first.num_calls(), second.num_calls(), third.num_calls()),
        (1, 1, 1)
    );
    assert_eq!(keys.num_calls(), 5);
    assert_eq!(no_password.num_calls(), 4, "u3 is in the report");
    assert_eq!(
        state.account.users().get("u1").unwrap().password,
        Some(false)
    );
    assert_eq!(
        last_used.num_calls(),
        5,
        "every key: the report IAM already had (COMPLETE at once) covers u3's, but says never used, which may be out of date"
    );
    let u1 = state.account.users().get("u1").unwrap();
    let used = u1.key_last_used(&u1.listed_keys().unwrap()[0]).unwrap();
    assert_eq!(used.service.as_deref(), Some("s3"));
    assert!(matches!(state.account.report, ReportStatus::Loaded(_)));
    assert_eq!(
        state.account.users().get("u3").unwrap().password,
        Some(true)
    );
    let u3 = state.account.users().get("u3").unwrap();
    let listed = &u3.listed_keys().unwrap()[0];
    assert_eq!(listed.id, "AKIAU3");
    // 1_700_000_100 s is 2023-11-14T22:15:00Z, the report's last_rotated: same key.
    let slot = u3
        .report_slot(listed)
        .expect("report slot matched by creation time");
    assert!(slot.active);
    assert_eq!(slot.last_used.date, None, "the old report says never used");
    assert!(
        u3.key_last_used(listed).unwrap().date.is_some(),
        "IAM's fresh answer wins over the report IAM already had"
    );
}

#[tokio::test]
async fn every_list_access_keys_page_is_followed() {
    let first = mock!(aws_sdk_iam::Client::list_access_keys)
        .match_requests(|r| r.marker().is_none())
        .then_output(|| {
            ListAccessKeysOutput::builder()
                .access_key_metadata(key("ann", "AKIA1"))
                .is_truncated(true)
                .marker("next")
                .build()
                .unwrap()
        });
    let second = mock!(aws_sdk_iam::Client::list_access_keys)
        .match_requests(|r| r.marker() == Some("next"))
        .then_output(|| {
            ListAccessKeysOutput::builder()
                .access_key_metadata(key("ann", "AKIA2"))
                .is_truncated(false)
                .build()
                .unwrap()
        });
    let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&first, &second]);
    let client = SdkIam::from_clients(iam, sts());
    let keys = list_all_access_keys(&client, "ann").await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
        ["AKIA1", "AKIA2"]
    );
}

#[tokio::test]
async fn service_error_codes_reach_the_operator_as_kinds() {
    let cases = [
        ("AccessDenied", ErrorKind::AccessDenied),
        ("Throttling", ErrorKind::Throttling),
        ("NoSuchEntity", ErrorKind::NoSuchEntity),
        ("ExpiredToken", ErrorKind::InvalidCredentials),
    ];
    for (code, kind) in cases {
        let rule = mock!(aws_sdk_iam::Client::list_users).then_error(move || {
            ListUsersError::generic(
                ErrorMetadata::builder()
                    .code(code)
                    .message("from IAM")
                    .build(),
            )
        });
        let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&rule], |c| c
            .retry_config(aws_smithy_types::retry::RetryConfig::disabled()));
        let client = SdkIam::from_clients(iam, sts());
        let err = client.list_users(None).await.unwrap_err();
        assert_eq!(err.kind, kind, "{code}");
        assert_eq!(err.code.as_deref(), Some(code));
        assert_eq!(err.action, "iam:ListUsers");
    }
    let gone = mock!(aws_sdk_iam::Client::list_access_keys).then_error(|| {
        ListAccessKeysError::generic(
            ErrorMetadata::builder()
                .code("NoSuchEntity")
                .message("The user with name x cannot be found.")
                .build(),
        )
    });
    let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&gone]);
    let err = SdkIam::from_clients(iam, sts())
        .list_access_keys("x", None)
        .await
        .unwrap_err();
    assert!(err.operator_message("p").contains("no longer exists"));
    let not_ready = mock!(aws_sdk_iam::Client::get_credential_report).then_error(|| {
        GetCredentialReportError::generic(ErrorMetadata::builder().code("ReportInProgress").build())
    });
    let iam = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&not_ready]);
    let err = SdkIam::from_clients(iam, sts())
        .get_credential_report()
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ReportInProgress);
}

#[tokio::test]
async fn a_5xx_reply_is_retried_by_the_sdk() {
    let flaky = mock!(aws_sdk_iam::Client::list_users)
        .sequence()
        .http_status(503, None)
        .output(|| users_page(&["ok"], None))
        .build();
    let iam = mock_client!(aws_sdk_iam, RuleMode::Sequential, [&flaky], |c| c
        .retry_config(
            aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(3)
        ));
    let page = SdkIam::from_clients(iam, sts())
        .list_users(None)
        .await
        .unwrap();
    assert_eq!(page.items[0].name, "ok");
    assert_eq!(flaky.num_calls(), 2);
}

/// Issue 12, item 6: a key IAM sends without a creation date, or with a
/// status iamkeys does not know, is unknown — never 1970, never Inactive —
/// and the audit says it could not judge it.
#[tokio::test]
async fn a_key_without_a_date_or_with_an_unknown_status_is_unknown() {
    let keys = mock!(aws_sdk_iam::Client::list_access_keys).then_output(|| {
        ListAccessKeysOutput::builder()
            .access_key_metadata(
                AccessKeyMetadata::builder()
                    .user_name("ann")
                    .access_key_id("AKIANODATE")
                    .status(StatusType::Active)
                    .build(),
            )
            .access_key_metadata(
                AccessKeyMetadata::builder()
                    .user_name("ann")
                    .access_key_id("AKIAEXPIRED")
                    .status(StatusType::from("Expired"))
                    .create_date(DateTime::from_secs(1_600_000_000))
                    .build(),
            )
            .is_truncated(false)
            .build()
            .unwrap()
    });
    let iam = mock_client!(aws_sdk_iam, [&keys]);
    let client = SdkIam::from_clients(iam, sts());
    let listed = iamkeys::iam::list_all_access_keys(&client, "ann")
        .await
        .unwrap();
    assert_eq!(listed[0].created, None, "no date: unknown, not 1970");
    assert_eq!(listed[1].status, iamkeys::model::KeyStatus::Unknown);
    // Through update: no finding is invented or hidden, and the gaps say so.
    let mut state = crate::common::states::loading();
    let ann = iamkeys::model::User {
        name: "ann".into(),
        arn: "arn:aws:iam::123456789012:user/ann".into(),
        created: crate::common::states::now() - chrono::TimeDelta::days(400),
        password_last_used: None,
    };
    for result in [
        Loaded::UsersPage(Ok(iamkeys::model::Page {
            items: vec![ann],
            next_marker: None,
        })),
        Loaded::Keys {
            user: "ann".into(),
            result: Ok(listed),
        },
    ] {
        let action = crate::common::states::loaded(&state, result);
        iamkeys::update::update(&mut state, action);
    }
    let row = state.account.users().get("ann").unwrap();
    assert!(
        !row.findings
            .iter()
            .any(|f| f.id == iamkeys::audit::FindingId::KeyNotRotated),
        "{:?}",
        row.findings
    );
    let lines = iamkeys::account::gaps::lines(&state.account.gaps());
    assert!(
        lines.iter().any(|l| l.starts_with(
            "iam:ListAccessKeys sent no creation date: key age unknown for 1 key (AKIANODATE of ann)"
        )),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "iam:ListAccessKeys sent a status iamkeys does not know: key status unknown for 1 key (AKIAEXPIRED of ann)"
        )),
        "{lines:?}"
    );
    assert!(state.account.audit_incomplete());
}

/// Issue 12, item 5, through the SDK: a credential report row with an extra
/// field (a comma in the name) is not read with shifted columns; its user
/// gets per-user calls, and the report says which line was left out.
#[tokio::test]
async fn a_malformed_report_row_sends_its_user_to_per_user_calls() {
    let list =
        mock!(aws_sdk_iam::Client::list_users).then_output(|| users_page(&["u1", "u2"], None));
    let keys = one_key_each();
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(ReportStateType::Started)
            .build()
    });
    // u1's row has one field too many: read leniently, `password_enabled`
    // would be the ARN's neighbour ("2023-…" is not true: no password).
    let report = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        GetCredentialReportOutput::builder()
            .content(Blob::new("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service\nu1,arn:aws:iam::123456789012:user/x,u1,2023-11-14T22:13:20+00:00,true,N/A,N/A,N/A,false,true,2023-11-14T22:15:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A\nu2,arn:aws:iam::123456789012:user/u2,2023-11-14T22:13:20+00:00,false,N/A,N/A,N/A,false,true,2023-11-14T22:15:00+00:00,2023-11-15T00:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A\n"))
            .generated_time(DateTime::from_secs(1_700_000_500))
            .build()
    });
    let has_password = mock!(aws_sdk_iam::Client::get_login_profile).then_output(|| {
        aws_sdk_iam::operation::get_login_profile::GetLoginProfileOutput::builder()
            .login_profile(
                aws_sdk_iam::types::LoginProfile::builder()
                    .user_name("u1")
                    .create_date(DateTime::from_secs(1_700_000_000))
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let no_mfa = no_mfa_devices();
    let never_used = mock!(aws_sdk_iam::Client::get_access_key_last_used).then_output(|| {
        GetAccessKeyLastUsedOutput::builder()
            .user_name("u1")
            .access_key_last_used(
                AccessKeyLastUsed::builder()
                    .service_name("N/A")
                    .region("N/A")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let no_alias = mock!(aws_sdk_iam::Client::list_account_aliases).then_output(|| {
        ListAccountAliasesOutput::builder()
            .set_account_aliases(Some(vec![]))
            .build()
            .unwrap()
    });
    // Users with findings have their tags read (waivers): none here.
    let all_tags = no_tags_at_once();
    let no_tags = mock!(aws_sdk_iam::Client::list_user_tags).then_output(|| {
        aws_sdk_iam::operation::list_user_tags::ListUserTagsOutput::builder()
            .set_tags(Some(vec![]))
            .build()
            .unwrap()
    });
    let others = no_other_credentials();
    let iam = mock_client!(
        aws_sdk_iam,
        RuleMode::MatchAny,
        [
            &list,
            &keys,
            &generate,
            &report,
            &has_password,
            &no_mfa,
            &never_used,
            &no_alias,
            &no_tags,
            &all_tags,
            &others[0],
            &others[1],
            &others[2]
        ]
    );
    let client = Arc::new(SdkIam::from_clients(iam, sts()));
    let mut state = loading();
    state.account.list_keys = false;
    settle(
        &mut state,
        client,
        2,
        vec![Action::Load],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(has_password.num_calls(), 1, "u1 only");
    let u1 = state.account.users().get("u1").unwrap();
    assert_eq!(u1.password, Some(true));
    assert!(
        u1.findings
            .iter()
            .any(|f| f.id == iamkeys::audit::FindingId::InitialSetupKey
                && f.access_key_id.as_deref() == Some("AKIAU1")),
        "{:?}",
        u1.findings
    );
    let report = iamkeys::report::Report::from_account(
        &state.account,
        &state.session.profile,
        crate::common::states::now(),
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("1 credential report rows could not be read and were not used (line 2 (u1): 19 fields where the header has 18)")),
        "{:?}",
        report.notes
    );
}

/// `GetAccountAuthorizationDetails` with no user tags (every full load asks it).
pub fn no_tags_at_once() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput::builder()
            .build()
    })
}

/// No service-specific credentials, SSH public keys or signing
/// certificates (every full load lists them, issue 36).
pub fn no_other_credentials() -> [aws_smithy_mocks::Rule; 3] {
    use aws_sdk_iam::operation::list_service_specific_credentials::ListServiceSpecificCredentialsOutput;
    use aws_sdk_iam::operation::list_signing_certificates::ListSigningCertificatesOutput;
    use aws_sdk_iam::operation::list_ssh_public_keys::ListSshPublicKeysOutput;
    [
        mock!(aws_sdk_iam::Client::list_service_specific_credentials)
            .then_output(|| ListServiceSpecificCredentialsOutput::builder().build()),
        mock!(aws_sdk_iam::Client::list_ssh_public_keys)
            .then_output(|| ListSshPublicKeysOutput::builder().build()),
        mock!(aws_sdk_iam::Client::list_signing_certificates).then_output(|| {
            ListSigningCertificatesOutput::builder()
                .set_certificates(Some(Vec::new()))
                .build()
                .unwrap()
        }),
    ]
}

/// Issue 17: CloudTrail `LookupEvents` against scripted replies — events
/// with source IPs and user agents across a `NextToken`, a throttling
/// answer named as such, and `AccessDeniedException`.
#[tokio::test]
async fn lookup_events_pages_throttling_and_denial_through_smithy_mocks() {
    use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};
    use aws_sdk_cloudtrail::types::Event;
    use iamkeys::usage::Lookup;

    let event = |id: &str, ip: &str, agent: &str| {
        Event::builder()
            .event_id(id)
            .event_name("ListBuckets")
            .event_source("s3.amazonaws.com")
            .event_time(DateTime::from_secs(1_764_300_000))
            .cloud_trail_event(format!(
                r#"{{"sourceIPAddress": "{ip}", "userAgent": "{agent}"}}"#
            ))
            .build()
    };
    let first = mock!(aws_sdk_cloudtrail::Client::lookup_events)
        .match_requests(|r| r.next_token().is_none())
        .then_output(move || {
            LookupEventsOutput::builder()
                .events(event("e1", "203.0.113.1", "aws-cli/2.15.3 Python/3"))
                .next_token("t2")
                .build()
        });
    let second = mock!(aws_sdk_cloudtrail::Client::lookup_events)
        .match_requests(|r| r.next_token() == Some("t2"))
        .then_output(move || {
            LookupEventsOutput::builder()
                .events(event("e2", "10.0.0.1", "Boto3/1.34.2 md/Botocore#1.34.2"))
                .build()
        });
    let trail = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, [&first, &second]);
    let iam = mock_client!(aws_sdk_iam, []);
    let client = SdkIam::from_clients(iam, sts()).with_trail(trail);
    let lookup = Lookup::AccessKey("AKIAKEY".into());
    let page = client
        .lookup_events("us-east-1", &lookup, None)
        .await
        .unwrap();
    assert_eq!(page.next_marker.as_deref(), Some("t2"));
    assert_eq!(page.items[0].source_ip.as_deref(), Some("203.0.113.1"));
    let page = client
        .lookup_events("us-east-1", &lookup, page.next_marker)
        .await
        .unwrap();
    assert_eq!(page.next_marker, None);
    assert_eq!(
        iamkeys::usage::agent_group(page.items[0].user_agent.as_deref().unwrap()),
        "Boto3/1.34"
    );

    for (code, kind) in [
        ("ThrottlingException", ErrorKind::Throttling),
        ("AccessDeniedException", ErrorKind::AccessDenied),
    ] {
        let refused = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_error(move || {
            LookupEventsError::generic(ErrorMetadata::builder().code(code).message("no").build())
        });
        let trail = mock_client!(aws_sdk_cloudtrail, [&refused]);
        let client = SdkIam::from_clients(mock_client!(aws_sdk_iam, []), sts()).with_trail(trail);
        let err = client
            .lookup_events("us-east-1", &lookup, None)
            .await
            .unwrap_err();
        assert_eq!(err.kind, kind, "{code}");
        assert_eq!(err.action, "cloudtrail:LookupEvents");
    }
}

/// Issue 21 §2: an empty or non-12-digit account ID from `GetCallerIdentity`
/// is refused (a session whose account cannot be told is no account).
#[tokio::test]
async fn a_caller_identity_without_a_twelve_digit_account_is_refused() {
    for account in ["", "12345", "12345678901x", "1234567890123"] {
        let identity = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(move || {
            GetCallerIdentityOutput::builder()
                .account(account)
                .arn("arn:aws:iam::123456789012:user/auditor")
                .build()
        });
        let sts = mock_client!(aws_sdk_sts, [&identity]);
        let iam = mock_client!(aws_sdk_iam, []);
        let err = SdkIam::from_clients(iam, sts)
            .caller_identity()
            .await
            .unwrap_err();
        assert_eq!(
            err.kind,
            iamkeys::iam::ErrorKind::IdentityMismatch,
            "{account:?}"
        );
        assert!(err.detail.contains("not 12 digits"), "{}", err.detail);
    }
}
