//! Turning aws-sdk errors into [`IamError`]s the operator can act on.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::error::{ErrorKind, IamError, kind_from_code};
use crate::error_chain::text as chain_text;

/// How much of an answer that is not IAM's the operator is shown.
const BODY_SHOWN: usize = 80;

/// `HTTP 403 from https://iam.amazonaws.com: <html><head>…`: what came back
/// when it was not an IAM answer (a corporate proxy's page, a load
/// balancer's error, cut-off XML), on one line, control characters removed.
fn what_came_back(endpoint: &str, raw: &HttpResponse) -> String {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let mut shown: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(BODY_SHOWN)
        .collect();
    if body.chars().count() > BODY_SHOWN {
        shown.push('…');
    }
    if shown.is_empty() {
        "(no body)".clone_into(&mut shown);
    }
    format!("HTTP {} from {endpoint}: {shown}", raw.status().as_u16())
}

/// Map any SDK error of `action` (e.g. `iam:ListUsers`) to an [`IamError`];
/// `endpoint` names where the request went, for answers that are not IAM's.
pub fn from_sdk<E>(
    action: &'static str,
    err: &SdkError<E, HttpResponse>,
    endpoint: &str,
) -> IamError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(service) if service.err().code().is_none() => {
            // Not an IAM error document: say what came back instead of "Unknown".
            let raw = service.raw();
            let kind = if raw.status().is_server_error() {
                ErrorKind::Unavailable
            } else {
                ErrorKind::Other
            };
            IamError::new(kind, action, what_came_back(endpoint, raw))
        }
        SdkError::ServiceError(service) => {
            let inner = service.err();
            let code = inner.code().unwrap_or("Unknown").to_owned();
            let detail = inner
                .message()
                .map_or_else(|| code.clone(), ToOwned::to_owned);
            IamError::new(kind_from_code(&code), action, detail).with_code(code)
        }
        SdkError::TimeoutError(_) => IamError::new(ErrorKind::Network, action, "request timed out"),
        SdkError::DispatchFailure(failure) => {
            if let Some(why) = sign_in(err) {
                return IamError::new(ErrorKind::SignIn, action, why);
            }
            if let Some(kind) = credentials_kind(err) {
                return IamError::new(kind, action, chain_text(err));
            }
            let detail = if failure.is_timeout() {
                "request timed out".to_owned()
            } else {
                chain_text(err)
            };
            IamError::new(ErrorKind::Network, action, detail)
        }
        SdkError::ResponseError(response) => IamError::new(
            ErrorKind::Network,
            action,
            format!(
                "{} ({})",
                what_came_back(endpoint, response.raw()),
                chain_text(err)
            ),
        ),
        _ => {
            if let Some(why) = sign_in(err) {
                return IamError::new(ErrorKind::SignIn, action, why);
            }
            let kind = credentials_kind(err).unwrap_or(ErrorKind::Other);
            IamError::new(kind, action, chain_text(err))
        }
    }
}

/// When signing in with MFA failed, what the sign-in said (verbatim: it
/// names the profile and the device, and holds no secret).
fn sign_in(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(why) = current.downcast_ref::<super::SignInError>() {
            return Some(why.0.clone());
        }
        source = current.source();
    }
    None
}

/// When the failure is the credentials provider's, say which kind.
fn credentials_kind(err: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(current) = source {
        if let Some(creds) = current.downcast_ref::<CredentialsError>() {
            let text = chain_text(creds).to_ascii_lowercase();
            return Some(match creds {
                CredentialsError::CredentialsNotLoaded(_) => ErrorKind::NoCredentials,
                // The chain reaches the instance metadata service only when
                // neither the environment nor the profile holds credentials:
                // off EC2 (or with IMDS refused) that is "none configured".
                // IMDS's own words stay in the log.
                _ if text.contains("imds") => ErrorKind::NoCredentials,
                CredentialsError::InvalidConfiguration(_)
                    if !text.contains("expired") && !text.contains("sso") =>
                {
                    ErrorKind::NoCredentials
                }
                _ => ErrorKind::InvalidCredentials,
            });
        }
        source = current.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::operation::list_users::ListUsersError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::error::ErrorMetadata;

    fn service_error(code: &str) -> SdkError<ListUsersError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message("msg").build();
        let response = HttpResponse::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(400).unwrap(),
            aws_smithy_types::body::SdkBody::empty(),
        );
        SdkError::service_error(ListUsersError::generic(meta), response)
    }

    #[test]
    fn service_codes_keep_code_and_message() {
        let err = from_sdk("iam:ListUsers", &service_error("AccessDenied"), "x");
        assert_eq!(err.kind, ErrorKind::AccessDenied);
        assert_eq!(err.code.as_deref(), Some("AccessDenied"));
        assert_eq!(err.detail, "msg");
        assert_eq!(
            from_sdk("iam:ListUsers", &service_error("Throttling"), "x").kind,
            ErrorKind::Throttling
        );
    }

    #[test]
    fn missing_credentials_and_network_failures_are_told_apart() {
        let creds: SdkError<ListUsersError, HttpResponse> = SdkError::dispatch_failure(
            ConnectorError::other(Box::new(CredentialsError::not_loaded("no providers")), None),
        );
        assert_eq!(
            from_sdk("iam:ListUsers", &creds, "x").kind,
            ErrorKind::NoCredentials
        );
        // The chain fell through to IMDS, which refused (issue 23 item 3).
        let imds: SdkError<ListUsersError, HttpResponse> = SdkError::dispatch_failure(
            ConnectorError::other(
                Box::new(CredentialsError::provider_error(
                    "failed to load IMDS session token: service error: request forbidden: IMDS is disabled",
                )),
                None,
            ),
        );
        assert_eq!(
            from_sdk("iam:ListUsers", &imds, "x").kind,
            ErrorKind::NoCredentials
        );
        let expired: SdkError<ListUsersError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::other(
                Box::new(CredentialsError::provider_error(
                    "the SSO session has expired",
                )),
                None,
            ));
        assert_eq!(
            from_sdk("iam:ListUsers", &expired, "x").kind,
            ErrorKind::InvalidCredentials
        );
        let io: SdkError<ListUsersError, HttpResponse> = SdkError::dispatch_failure(
            ConnectorError::io(Box::new(std::io::Error::other("connection refused"))),
        );
        let err = from_sdk("iam:ListUsers", &io, "x");
        assert_eq!(err.kind, ErrorKind::Network);
        assert!(err.detail.contains("connection refused"), "{}", err.detail);
    }
}
