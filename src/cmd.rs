//! Commands on top: each subcommand's IO in a file of its own, calling
//! down into the rooms that hold the work (nothing lower imports these).
//! `start` is what they share: config, profile, MFA codes, connecting,
//! the runtime, the audit log and the `--timeout` watchdog.

pub mod apply;
pub mod ledger;
pub mod notify;
pub mod plan;
pub mod report;
pub mod start;
pub mod tui;
pub mod whois;
