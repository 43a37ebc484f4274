//! Seeing the SDK's retries: an interceptor on every IAM and STS client that
//! notices an attempt which failed in a way the SDK retries (throttling, 5xx,
//! a dropped connection) while attempts remain, and says so on a watch
//! channel. The worker forwards it to the UI, which shows that it is backing off.

use std::sync::Arc;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::retries::RequestAttempts;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use aws_smithy_types::retry::RetryConfig;
use tokio::sync::watch;

use super::error::{ErrorKind, kind_from_code};

/// Why a request is being tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryReason {
    /// The service answered `Throttling` (or another rate-limit code).
    Throttled,
    /// The service answered 5xx.
    Unavailable,
    /// The connection failed, was reset, or the attempt timed out.
    Network,
}

impl RetryReason {
    /// How the status bar and the log say it, naming the `service` that
    /// answered (`IAM`, `CloudTrail`…).
    #[must_use]
    pub fn label(self, service: &str) -> String {
        match self {
            Self::Throttled => format!("{service} is throttling"),
            Self::Unavailable => format!("{service} answered 5xx"),
            Self::Network => "a request failed or timed out".to_owned(),
        }
    }
}

/// The service an SDK request goes to, as iamkeys names it: from the
/// operation's metadata in the request's config bag; `AWS` when unknown.
fn service_of(cfg: &ConfigBag) -> &'static str {
    let service = cfg
        .load::<aws_smithy_runtime_api::client::orchestrator::Metadata>()
        .map(aws_smithy_runtime_api::client::orchestrator::Metadata::service);
    match service {
        Some("IAM") => "IAM",
        Some("STS") => "STS",
        Some("CloudTrail") => "CloudTrail",
        Some("EC2") => "EC2",
        Some("AccessAnalyzer") => "IAM Access Analyzer",
        Some("Organizations") => "Organizations",
        Some("SecurityHub") => "Security Hub",
        Some("S3") => "S3",
        Some("SecretsManager") => "Secrets Manager",
        Some("SSM") => "SSM",
        Some("SNS") => "SNS",
        Some("SQS") => "SQS",
        Some("Account") => "Account Management",
        _ => "AWS",
    }
}

/// The retries of one client so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retries {
    /// Failed attempts that the SDK is retrying, since the client was made.
    pub total: u64,
    /// Why the latest one failed.
    pub last: Option<RetryReason>,
    /// The service that answered it.
    pub service: Option<&'static str>,
}

/// Where an interceptor reports retries; cheap to clone.
#[derive(Debug, Clone)]
pub struct RetrySignal {
    tx: Arc<watch::Sender<Retries>>,
}

impl Default for RetrySignal {
    fn default() -> Self {
        Self {
            tx: Arc::new(watch::Sender::new(Retries::default())),
        }
    }
}

impl RetrySignal {
    /// A receiver that wakes on every retry.
    #[must_use]
    pub fn subscribe(&self) -> watch::Receiver<Retries> {
        self.tx.subscribe()
    }

    /// Count one retry of a request to `service`.
    pub fn record(&self, reason: RetryReason, service: &'static str) {
        self.tx.send_modify(|r| {
            r.total += 1;
            r.last = Some(reason);
            r.service = Some(service);
        });
    }
}

/// The error code of an error body: a query protocol's `<Code>…</Code>`
/// (IAM, STS, S3), or a JSON protocol's `"__type"` (CloudTrail, Security
/// Hub: `ThrottlingException`, perhaps after a `…#`).
fn error_code(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    if let Some(start) = text.find("<Code>").map(|at| at + "<Code>".len()) {
        let len = text[start..].find("</Code>")?;
        return Some(text[start..start + len].trim());
    }
    let start = text.find("\"__type\"")? + "\"__type\"".len();
    let rest = text[start..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let value = &rest[..rest.find('"')?];
    Some(value.rsplit('#').next().unwrap_or(value))
}

/// Why an attempt failed, when it failed in a way the SDK retries.
fn retry_reason(status: Option<u16>, body: Option<&[u8]>) -> Option<RetryReason> {
    match status {
        None => Some(RetryReason::Network),
        Some(500..=599) => Some(RetryReason::Unavailable),
        Some(429) => Some(RetryReason::Throttled),
        Some(_) => match body.and_then(error_code).map(kind_from_code) {
            Some(ErrorKind::Throttling) => Some(RetryReason::Throttled),
            Some(ErrorKind::Unavailable) => Some(RetryReason::Unavailable),
            _ => None,
        },
    }
}

/// The attempt whose failure was already reported (kept per operation).
#[derive(Debug, Clone, Copy)]
struct Reported(u32);

impl Storable for Reported {
    type Storer = StoreReplace<Self>;
}

/// Reports each retryable failed attempt that will be retried to a [`RetrySignal`].
#[derive(Debug, Clone)]
pub struct RetryWatch {
    signal: RetrySignal,
}

impl RetryWatch {
    #[must_use]
    pub fn new(signal: RetrySignal) -> Self {
        Self { signal }
    }
}

impl Intercept for RetryWatch {
    fn name(&self) -> &'static str {
        "iamkeys::RetryWatch"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(Err(error)) = context.output_or_error() else {
            return Ok(());
        };
        // Without a response, only a dropped connection or a timeout is
        // retried: a failure before sending (no credentials, a bad
        // endpoint) is not, and must not read as backing off.
        let transient = error.is_timeout_error()
            || error.as_connector_error().is_some_and(|c| {
                c.is_io()
                    || c.is_timeout()
                    || c.as_other() == Some(aws_smithy_types::retry::ErrorKind::TransientError)
            });
        let attempt = cfg
            .load::<RequestAttempts>()
            .map_or(1, RequestAttempts::attempts);
        let max = cfg
            .load::<RetryConfig>()
            .map_or(1, RetryConfig::max_attempts);
        if attempt >= max {
            // The last attempt: the error goes to the caller, no backing off.
            return Ok(());
        }
        let response = context.response();
        let status = response.map(|r| r.status().as_u16());
        let body = response.and_then(|r| r.body().bytes());
        if status.is_none() && !transient {
            return Ok(());
        }
        if let Some(reason) = retry_reason(status, body) {
            let service = service_of(cfg);
            tracing::info!(
                attempt,
                max,
                reason = reason.label(service),
                "backing off before a retry"
            );
            self.signal.record(reason, service);
            cfg.interceptor_state().store_put(Reported(attempt));
        }
        Ok(())
    }

    /// A retry whose failed attempt was not seen above: the attempt timed out
    /// (the SDK cancels it before its last hooks run) or failed in a way
    /// not classified above.
    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let attempt = cfg
            .load::<RequestAttempts>()
            .map_or(1, RequestAttempts::attempts);
        let reported = cfg.load::<Reported>().map(|r| r.0);
        if attempt > 1 && reported != Some(attempt - 1) {
            let service = service_of(cfg);
            tracing::info!(
                attempt,
                service,
                "retrying after a failed or timed-out attempt"
            );
            self.signal.record(RetryReason::Network, service);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_give_the_reason() {
        let throttled = b"<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>";
        assert_eq!(
            retry_reason(Some(400), Some(throttled)),
            Some(RetryReason::Throttled)
        );
        let invalid = b"<ErrorResponse><Error><Code>InvalidInput</Code></Error></ErrorResponse>";
        assert_eq!(retry_reason(Some(400), Some(invalid)), None);
        assert_eq!(retry_reason(Some(403), None), None);
        assert_eq!(
            retry_reason(Some(503), None),
            Some(RetryReason::Unavailable)
        );
        assert_eq!(retry_reason(Some(429), None), Some(RetryReason::Throttled));
        // JSON protocols (CloudTrail): the `__type` says it.
        assert_eq!(
            retry_reason(
                Some(400),
                Some(br#"{"__type":"com.amazonaws.cloudtrail#ThrottlingException","message":"Rate exceeded"}"#)
            ),
            Some(RetryReason::Throttled)
        );
        assert_eq!(retry_reason(None, None), Some(RetryReason::Network));
    }

    #[test]
    fn a_signal_counts_and_remembers_the_latest_reason() {
        let signal = RetrySignal::default();
        let rx = signal.subscribe();
        signal.record(RetryReason::Throttled, "IAM");
        signal.record(RetryReason::Network, "CloudTrail");
        assert_eq!(
            *rx.borrow(),
            Retries {
                total: 2,
                last: Some(RetryReason::Network),
                service: Some("CloudTrail"),
            }
        );
        assert_eq!(
            RetryReason::Unavailable.label("CloudTrail"),
            "CloudTrail answered 5xx",
            "the service that answered, not always IAM"
        );
    }
}
