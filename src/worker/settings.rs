//! How a worker runs: its bounds, retries, where it logs, how it reaches
//! other profiles and accounts.

use std::sync::Arc;
use std::time::Duration;

use super::clients::Connector;
use super::{fleet, limiter::Limiter};
use crate::audit_log::AuditLog;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Background (per-user) calls running at once.
    pub concurrency: usize,
    /// Wait before the first re-poll of an unfinished credential report.
    pub report_backoff: Duration,
    /// Where every change attempt is appended; `None` keeps no audit log.
    pub audit: Option<AuditLog>,
    /// How to connect to another profile; `None` refuses to switch.
    pub connector: Option<Connector>,
    /// The profile of the client the worker starts with (changes confirmed
    /// for another profile are refused).
    pub profile: Option<String>,
    /// A read still throttled after the SDK's own retries (or its retry
    /// quota) is tried again this many times, waiting `throttle_backoff`,
    /// doubled each time (to 20 s, jittered): throttling is back-pressure,
    /// not failure.
    pub throttle_rounds: u32,
    pub throttle_backoff: Duration,
    /// Several workers (an organization's accounts) under one bound: every
    /// call but the credential report's waits for this limiter, so the
    /// requests in flight across all of them stay within its limit.
    pub shared: Option<Arc<Limiter>>,
    /// `--org`: how to list the organization and reach its members.
    pub org: Option<fleet::OrgConnector>,
    /// Where MFA codes come from in this run: the UI's dialog takes them
    /// over when it starts.
    pub codes: Option<Arc<crate::signin::mfa::Swappable>>,
    /// `iamkeys report --timeout`: the whole run ends here; what is not
    /// done by then is named as timed out.
    pub deadline: Option<tokio::time::Instant>,
    /// The ledger, read and written with the caller's own credentials and
    /// shared by every member's worker; `None`: this run keeps none.
    pub ledger: Option<Arc<crate::ledger::Ledger>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            concurrency: crate::defaults::CONCURRENCY,
            // IAM answers STARTED, then is usually done within a second for
            // small accounts; the wait grows by half each poll (up to 5 s).
            report_backoff: Duration::from_millis(50),
            audit: None,
            connector: None,
            profile: None,
            throttle_rounds: 10,
            throttle_backoff: Duration::from_millis(500),
            shared: None,
            org: None,
            codes: None,
            deadline: None,
            ledger: None,
        }
    }
}
