//! The drivers that run the work without a terminal: the same worker (and,
//! for tests, the same `update`) until every call has answered.
//!
//! - [`ui`]: the UI's loop on a `State` (tests);
//! - [`account`]: one account loaded for `report`, `plan` and `apply`, and
//!   its report made ([`account::produce`]);
//! - [`many`]: several profiles, a few at a time;
//! - [`org`]: an organization's accounts, listed and audited as they come;
//! - [`changer`]: changes made one at a time, each answered before the next.

pub mod account;
pub mod aws_verdicts;
pub mod changer;
pub mod enforce;
pub mod many;
pub mod notify;
pub mod org;
pub mod ui;
pub mod whois;

pub use ui::{settle, settle_with};
