//! Defaults that the config file, the worker and the AWS connection share:
//! one place, so a change here is a change everywhere.

/// Background (per-user) IAM calls at once, at most (config `concurrency`):
/// the ceiling the limiter grows to while IAM does not throttle (it starts
/// at `worker::limiter::START`).
pub const CONCURRENCY: usize = 64;
/// Attempts per request, the first included (config `max_attempts`).
pub const MAX_ATTEMPTS: u32 = 5;
/// Seconds before one attempt is abandoned (config `request_timeout_secs`).
pub const REQUEST_TIMEOUT_SECS: u64 = 20;
/// The role assumed in each member account with `--org`: the one
/// Organizations creates in every account it makes.
pub const ORG_ROLE: &str = "OrganizationAccountAccessRole";
/// Member accounts audited at once with `--org`.
pub const ACCOUNTS_AT_ONCE: usize = 16;
/// CloudTrail events read per region for one key's usage (`u`).
pub const CLOUDTRAIL_MAX_EVENTS: usize = 500;
