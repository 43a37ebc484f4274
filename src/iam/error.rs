//! IAM errors as the operator needs them: a kind to branch on, the API that
//! failed, and a message that names the fix.

use std::fmt;

/// What went wrong, coarsely enough to decide what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller lacks a permission (`AccessDenied`, `UnauthorizedOperation`).
    AccessDenied,
    /// The user or key does not exist (any more).
    NoSuchEntity,
    /// An IAM quota, e.g. two access keys per user.
    LimitExceeded,
    /// `Throttling: Rate exceeded` after the SDK's retries.
    Throttling,
    /// `GetCredentialReport` before the report is ready.
    ReportInProgress,
    /// `GetCredentialReport` with no report generated.
    ReportNotPresent,
    /// No credentials could be found for the profile.
    NoCredentials,
    /// Credentials expired or were rejected (expired SSO token, bad key).
    InvalidCredentials,
    /// The endpoint could not be reached or the request timed out.
    Network,
    /// IAM answered 5xx (`ServiceUnavailable`, `InternalFailure`) after the SDK's retries.
    Unavailable,
    /// IAM rejected the request as malformed.
    InvalidInput,
    /// iamkeys refused to send the change (another account's client, an
    /// audit log that cannot be written): nothing reached IAM.
    Refused,
    /// IAM no longer shows what the operator confirmed (the key was made
    /// active again, or is gone): nothing was changed.
    Conflict,
    /// A session answers as another account than the one it was made for
    /// (`GetCallerIdentity`), or with no valid account ID at all: nothing
    /// of it is trusted or sent through it.
    IdentityMismatch,
    /// Signing in with MFA did not work: no code could be had, or the codes
    /// were refused (the detail says which, naming the profile and device).
    SignIn,
    /// The run's `--timeout` came first: the call was not waited for.
    TimedOut,
    /// The service's answer could not be trusted: a page marker repeated,
    /// or a listing went past any real size. The listing stops there.
    Malformed,
    /// Anything else the service or the SDK reported.
    Other,
}

/// Where a message is read: at the UI (where `r` retries) or on a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Screen,
    Cli,
    /// Inside a dialog where `r` is text (the profile picker's filter):
    /// no key to press is named.
    Dialog,
}

/// An IAM or STS call that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamError {
    pub kind: ErrorKind,
    /// The IAM action, e.g. `iam:ListUsers`.
    pub action: &'static str,
    /// The service's error code, when it sent one.
    pub code: Option<String>,
    /// The service's or SDK's own words.
    pub detail: String,
}

impl IamError {
    #[must_use]
    pub fn new(kind: ErrorKind, action: &'static str, detail: impl Into<String>) -> Self {
        Self {
            kind,
            action,
            code: None,
            detail: detail.into(),
        }
    }

    /// An error of no finer kind ([`ErrorKind::Other`]): what `action` could
    /// not do, in `detail`.
    #[must_use]
    pub fn other(action: &'static str, detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::Other, action, detail)
    }

    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Whether trying the same request again later may succeed.
    #[must_use]
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Throttling
                | ErrorKind::Network
                | ErrorKind::Unavailable
                | ErrorKind::ReportInProgress
        )
    }

    /// A short name of the kind, for tight spaces.
    /// Why a value is missing, in one word: `denied` or `failed` (a
    /// table cell, a key count).
    #[must_use]
    pub fn in_a_word(&self) -> &'static str {
        if self.kind == ErrorKind::AccessDenied {
            "denied"
        } else {
            "failed"
        }
    }

    #[must_use]
    pub fn kind_label(&self) -> &'static str {
        match self.kind {
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::NoSuchEntity => "not found",
            ErrorKind::LimitExceeded => "limit exceeded",
            ErrorKind::Throttling => "throttled",
            ErrorKind::ReportInProgress | ErrorKind::ReportNotPresent => "not ready",
            ErrorKind::NoCredentials => "no credentials",
            ErrorKind::InvalidCredentials => "credentials rejected",
            ErrorKind::Network => "network",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::Refused => "refused",
            ErrorKind::Conflict => "changed meanwhile",
            ErrorKind::IdentityMismatch => "identity mismatch",
            ErrorKind::SignIn => "sign-in",
            ErrorKind::Malformed => "malformed answer",
            ErrorKind::TimedOut => "timed out",
            ErrorKind::Other => "error",
        }
    }

    /// The AWS CLI command that signs this profile in again, when the
    /// failure is an SSO session (`aws sso login`) or an `aws login` session
    /// that is missing or has expired.
    #[must_use]
    pub fn sign_in_command(&self, profile: &str) -> Option<String> {
        if !matches!(
            self.kind,
            ErrorKind::InvalidCredentials | ErrorKind::NoCredentials
        ) {
            return None;
        }
        let detail = self.detail.to_ascii_lowercase();
        if detail.contains("login token") {
            Some(format!("aws login --profile {profile}"))
        } else if detail.contains("sso") {
            Some(format!("aws sso login --profile {profile}"))
        } else {
            None
        }
    }

    /// IAM says the session's credentials have expired (`ExpiredToken`,
    /// `ExpiredTokenException`, `RequestExpired`).
    #[must_use]
    pub fn session_expired(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("ExpiredToken" | "ExpiredTokenException" | "RequestExpired")
        )
    }

    /// One line for the operator at the screen: what failed and how to fix
    /// it (`r` retries there).
    #[must_use]
    pub fn operator_message(&self, profile: &str) -> String {
        self.message(profile, Context::Screen)
    }

    /// The same for a command line (`iamkeys report`): no key to press.
    #[must_use]
    pub fn cli_message(&self, profile: &str) -> String {
        self.message(profile, Context::Cli)
    }

    /// The same inside a dialog whose keys are text (the profile picker):
    /// no `r` to press.
    #[must_use]
    pub fn dialog_message(&self, profile: &str) -> String {
        self.message(profile, Context::Dialog)
    }

    fn message(&self, profile: &str, context: Context) -> String {
        // How to try again, where it fits the sentence.
        let (then_retry, to_retry, to_refresh) = match context {
            Context::Screen => (
                ", then press r",
                ": press r to retry",
                ": press r to refresh",
            ),
            Context::Cli => (", then run it again", "", ""),
            Context::Dialog => ("", "", ""),
        };
        let what = &self.action;
        match self.kind {
            ErrorKind::AccessDenied => format!(
                "Access denied for {what}: grant {what} to this identity (see docs/permissions.md)"
            ),
            ErrorKind::NoSuchEntity => {
                format!("{what}: it no longer exists (deleted meanwhile?){to_refresh}")
            }
            ErrorKind::LimitExceeded => format!("{what}: IAM limit reached: {}", self.detail),
            ErrorKind::Throttling => {
                format!("{what}: IAM is throttling requests (Rate exceeded): wait{then_retry}")
            }
            ErrorKind::ReportInProgress | ErrorKind::ReportNotPresent => {
                format!("{what}: the credential report is not ready yet{to_retry}")
            }
            ErrorKind::NoCredentials | ErrorKind::InvalidCredentials
                if self.sign_in_command(profile).is_some() =>
            {
                let command = self.sign_in_command(profile).unwrap_or_default();
                let what = if command.starts_with("aws sso") {
                    "SSO session"
                } else {
                    "`aws login` session"
                };
                format!(
                    "The {what} for profile '{profile}' is missing or has expired: run `{command}`{then_retry}"
                )
            }
            ErrorKind::NoCredentials => {
                let other = match context {
                    Context::Cli => "pass another with --profile",
                    Context::Screen | Context::Dialog => "pick another profile with p",
                };
                format!(
                    "No credentials found for profile '{profile}': run `aws configure --profile {profile}` (or `aws sso login --profile {profile}`), or {other}"
                )
            }
            ErrorKind::InvalidCredentials => format!(
                "The credentials of profile '{profile}' were rejected or have expired: renew them{then_retry} ({})",
                self.detail
            ),
            ErrorKind::Network => format!(
                "Cannot reach the IAM endpoint ({}): check the network, proxy or --endpoint-url{then_retry}",
                self.detail
            ),
            ErrorKind::Unavailable => format!(
                "{what}: IAM is unavailable right now ({}){to_retry}",
                self.detail
            ),
            ErrorKind::Refused
            | ErrorKind::TimedOut
            | ErrorKind::Conflict
            | ErrorKind::IdentityMismatch
            | ErrorKind::SignIn => self.detail.clone(),
            ErrorKind::InvalidInput | ErrorKind::Other | ErrorKind::Malformed => {
                format!("{what} failed: {}", self.detail)
            }
        }
    }
}

impl fmt::Display for IamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(code) => write!(f, "{} failed ({code}): {}", self.action, self.detail),
            None => write!(f, "{} failed: {}", self.action, self.detail),
        }
    }
}

impl std::error::Error for IamError {}

/// Map an IAM/STS error code to a kind.
#[must_use]
pub fn kind_from_code(code: &str) -> ErrorKind {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" => {
            ErrorKind::AccessDenied
        }
        "NoSuchEntity" => ErrorKind::NoSuchEntity,
        "LimitExceeded" => ErrorKind::LimitExceeded,
        "Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequests" => {
            ErrorKind::Throttling
        }
        "ReportInProgress" => ErrorKind::ReportInProgress,
        "ReportNotPresent" | "ReportExpired" => ErrorKind::ReportNotPresent,
        "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException"
        | "InvalidAccessKeyId" => ErrorKind::InvalidCredentials,
        "InvalidInput" | "ValidationError" | "MalformedInput" => ErrorKind::InvalidInput,
        "ServiceUnavailable" | "ServiceFailure" | "InternalFailure" | "InternalError"
        | "RequestTimeout" => ErrorKind::Unavailable,
        _ => ErrorKind::Other,
    }
}

/// Why signing in did not work, in the operator's words (carried through the
/// SDK as the credentials provider's error, and told apart from other
/// credential failures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInError(pub String);

impl std::fmt::Display for SignInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SignInError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_from_code("AccessDenied"), ErrorKind::AccessDenied);
        assert_eq!(kind_from_code("NoSuchEntity"), ErrorKind::NoSuchEntity);
        assert_eq!(kind_from_code("LimitExceeded"), ErrorKind::LimitExceeded);
        assert_eq!(kind_from_code("Throttling"), ErrorKind::Throttling);
        assert_eq!(
            kind_from_code("ReportInProgress"),
            ErrorKind::ReportInProgress
        );
        assert_eq!(
            kind_from_code("ReportNotPresent"),
            ErrorKind::ReportNotPresent
        );
        assert_eq!(
            kind_from_code("ExpiredToken"),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(kind_from_code("ServiceUnavailable"), ErrorKind::Unavailable);
        assert_eq!(kind_from_code("InternalFailure"), ErrorKind::Unavailable);
        assert_eq!(
            kind_from_code("InvalidClientTokenId"),
            ErrorKind::InvalidCredentials
        );
        assert_eq!(kind_from_code("SomethingNew"), ErrorKind::Other);
    }

    #[test]
    fn messages_name_the_fix() {
        let denied = IamError::new(ErrorKind::AccessDenied, "iam:GetCredentialReport", "no");
        assert!(
            denied
                .operator_message("prod")
                .contains("grant iam:GetCredentialReport")
        );
        let sso = IamError::new(
            ErrorKind::InvalidCredentials,
            "sts:GetCallerIdentity",
            "the SSO session has expired or is invalid",
        );
        assert!(
            sso.operator_message("prod")
                .contains("aws sso login --profile prod")
        );
        let none = IamError::new(ErrorKind::NoCredentials, "sts:GetCallerIdentity", "");
        assert!(none.operator_message("dev").contains("--profile"));
        assert!(IamError::new(ErrorKind::Throttling, "iam:ListUsers", "").is_transient());
        assert!(!IamError::new(ErrorKind::AccessDenied, "iam:ListUsers", "").is_transient());
    }
}
