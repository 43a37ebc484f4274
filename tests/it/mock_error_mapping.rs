//! Every IAM/STS error code iamkeys handles, as IAM sends it (an HTTP status
//! and a query-protocol XML body, parsed by aws-sdk-iam), mapped to its kind
//! and to the words the operator sees: when loading, and when a change fails.

use aws_sdk_iam::Client;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use iamkeys::action::Action;
use iamkeys::effect::Change;
use iamkeys::iam::sdk::SdkIam;
use iamkeys::iam::{ErrorKind, IamClient, IamError};
use iamkeys::model::KeyStatus;
use iamkeys::state::{Modal, State};
use iamkeys::update::update;

use crate::common::states::demo_loaded;

fn reply(status: u16, code: &str) -> HttpResponse {
    let xml = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>said by IAM</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
    );
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(xml))
}

fn sts() -> aws_sdk_sts::Client {
    mock_client!(aws_sdk_sts, [])
}

/// The client whose every `ListUsers` and `UpdateAccessKey`, `DeleteAccessKey`
/// and `CreateAccessKey` gets this reply (no SDK retries).
fn client(status: u16, code: &'static str) -> SdkIam {
    let list = mock!(Client::list_users).then_http_response(move || reply(status, code));
    let update = mock!(Client::update_access_key).then_http_response(move || reply(status, code));
    let delete = mock!(Client::delete_access_key).then_http_response(move || reply(status, code));
    let create = mock!(Client::create_access_key).then_http_response(move || reply(status, code));
    let iam = mock_client!(
        aws_sdk_iam,
        RuleMode::MatchAny,
        [&list, &update, &delete, &create],
        |c| c.retry_config(RetryConfig::disabled())
    );
    SdkIam::from_clients(iam, sts())
}

/// What the operator sees after `change` fails with `err`.
fn shown_after(state: &State, change: Change, err: IamError) -> String {
    let mut state = state.clone();
    let id = state
        .account
        .send(change, iamkeys::effect::Actor::default());
    update(
        &mut state,
        Action::Mutated {
            id,
            result: Err(err),
        },
    );
    match &state.view.modal {
        Some(Modal::Error { message, .. }) => message.clone(),
        _ => state.view.notice.clone().unwrap_or_default(),
    }
}

#[tokio::test]
async fn every_handled_code_reaches_the_operator_in_words_that_name_the_fix() {
    use ErrorKind as K;
    // (code, HTTP status IAM uses, kind, words when listing users)
    let cases: &[(&str, u16, ErrorKind, &str)] = &[
        (
            "AccessDenied",
            403,
            K::AccessDenied,
            "Access denied for iam:ListUsers: grant iam:ListUsers",
        ),
        (
            "AccessDeniedException",
            403,
            K::AccessDenied,
            "grant iam:ListUsers",
        ),
        (
            "UnauthorizedOperation",
            403,
            K::AccessDenied,
            "grant iam:ListUsers",
        ),
        (
            "NoSuchEntity",
            404,
            K::NoSuchEntity,
            "no longer exists (deleted meanwhile?): press r to refresh",
        ),
        (
            "LimitExceeded",
            409,
            K::LimitExceeded,
            "IAM limit reached: said by IAM",
        ),
        (
            "Throttling",
            400,
            K::Throttling,
            "IAM is throttling requests (Rate exceeded): wait, then press r",
        ),
        (
            "ThrottlingException",
            400,
            K::Throttling,
            "IAM is throttling requests",
        ),
        (
            "RequestLimitExceeded",
            400,
            K::Throttling,
            "IAM is throttling requests",
        ),
        (
            "TooManyRequests",
            429,
            K::Throttling,
            "IAM is throttling requests",
        ),
        (
            "ReportInProgress",
            404,
            K::ReportInProgress,
            "the credential report is not ready yet: press r",
        ),
        (
            "ReportNotPresent",
            410,
            K::ReportNotPresent,
            "the credential report is not ready yet",
        ),
        (
            "ReportExpired",
            410,
            K::ReportNotPresent,
            "the credential report is not ready yet",
        ),
        (
            "ExpiredToken",
            403,
            K::InvalidCredentials,
            "credentials of profile 'test' were rejected or have expired: renew them",
        ),
        (
            "ExpiredTokenException",
            403,
            K::InvalidCredentials,
            "rejected or have expired",
        ),
        (
            "InvalidClientTokenId",
            403,
            K::InvalidCredentials,
            "rejected or have expired",
        ),
        (
            "SignatureDoesNotMatch",
            403,
            K::InvalidCredentials,
            "rejected or have expired",
        ),
        (
            "UnrecognizedClientException",
            403,
            K::InvalidCredentials,
            "rejected or have expired",
        ),
        (
            "InvalidAccessKeyId",
            403,
            K::InvalidCredentials,
            "rejected or have expired",
        ),
        (
            "InvalidInput",
            400,
            K::InvalidInput,
            "iam:ListUsers failed: said by IAM",
        ),
        (
            "ValidationError",
            400,
            K::InvalidInput,
            "iam:ListUsers failed: said by IAM",
        ),
        (
            "MalformedInput",
            400,
            K::InvalidInput,
            "iam:ListUsers failed",
        ),
        (
            "ServiceUnavailable",
            503,
            K::Unavailable,
            "IAM is unavailable right now (said by IAM): press r to retry",
        ),
        (
            "ServiceFailure",
            500,
            K::Unavailable,
            "IAM is unavailable right now",
        ),
        (
            "InternalFailure",
            500,
            K::Unavailable,
            "IAM is unavailable right now",
        ),
        (
            "InternalError",
            500,
            K::Unavailable,
            "IAM is unavailable right now",
        ),
        (
            "RequestTimeout",
            408,
            K::Unavailable,
            "IAM is unavailable right now",
        ),
        (
            "SomethingNew",
            400,
            K::Other,
            "iam:ListUsers failed: said by IAM",
        ),
    ];
    let state = demo_loaded().await;
    let (user, key) = {
        let (row, key) = state
            .account
            .users()
            .rows()
            .find_map(|r| Some((r, r.listed_keys()?.first()?)))
            .unwrap();
        (row.user.name.clone(), key.id.clone())
    };
    for &(code, status, kind, words) in cases {
        let client = client(status, code);
        let err = client.list_users(None).await.unwrap_err();
        assert_eq!(err.kind, kind, "{code}");
        assert_eq!(err.code.as_deref(), Some(code));
        assert_eq!(err.action, "iam:ListUsers");
        let said = err.operator_message("test");
        assert!(said.contains(words), "{code}: {said}");

        // The same code meeting a change.
        let err = client
            .update_access_key(&user, &key, KeyStatus::Inactive)
            .await
            .unwrap_err();
        assert_eq!((err.kind, err.action), (kind, "iam:UpdateAccessKey"));
        let change = Change::SetStatus {
            user: user.clone(),
            key_id: key.clone(),
            status: KeyStatus::Inactive,
        };
        let shown = shown_after(&state, change, err.clone());
        let expected = match kind {
            K::NoSuchEntity => {
                format!("{key} no longer exists (deleted by someone else meanwhile?)")
            }
            K::AccessDenied => {
                "Access denied: this identity lacks iam:UpdateAccessKey. Nothing was changed."
                    .to_owned()
            }
            _ => err.operator_message("test"),
        };
        assert!(shown.contains(&expected), "{code}: {shown}");
    }
    // Codes whose words depend on the change.
    let gone = client(404, "NoSuchEntity")
        .delete_access_key(&user, &key)
        .await
        .unwrap_err();
    let change = Change::Delete {
        user: user.clone(),
        key_id: key.clone(),
        unused_since: None,
    };
    assert!(shown_after(&state, change, gone).contains(&format!("{key} is already gone")));
    let full = client(409, "LimitExceeded")
        .create_access_key(&user)
        .await
        .unwrap_err();
    let change = Change::Create {
        user: user.clone(),
        rotating: None,
    };
    assert!(shown_after(&state, change, full).contains(&format!(
        "{user} already has two access keys (IAM's limit): nothing was created."
    )));
}
