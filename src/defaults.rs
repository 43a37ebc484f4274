//! Defaults that the config file, the worker and the AWS connection share:
//! one place, so a change here is a change everywhere.

/// Background (per-user) IAM calls at once, at most (config `concurrency`).
pub const CONCURRENCY: usize = 16;
/// Attempts per request, the first included (config `max_attempts`).
pub const MAX_ATTEMPTS: u32 = 5;
/// Seconds before one attempt is abandoned (config `request_timeout_secs`).
pub const REQUEST_TIMEOUT_SECS: u64 = 20;
