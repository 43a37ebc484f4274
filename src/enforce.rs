//! From findings to done (issue 26): rules in the config say what happens
//! to the keys of which findings; `iamkeys plan` writes what would happen
//! and when (owners told `notice_days` first); `iamkeys apply` acts on what
//! is due, each key re-checked at IAM right before. Pure here: the rules,
//! the plan and its dates, and the decision to act on one action; the
//! drivers in `headless::enforce` and `headless::notify` do the IO.
//!
//! - [`rules`]: `[enforce]` in the config.
//! - [`plan`]: the plan (`iamkeys.plan/v1`), built from a report.
//! - [`apply`]: whether a plan may be applied, and each action acted on.
//! - [`notify`]: one notice per owner; [`deliver`] sends one (SNS, a
//!   webhook).

pub mod apply;
pub mod deliver;
pub mod due;
pub mod notify;
pub mod plan;
pub mod rules;

pub use plan::{Plan, PlannedAction};
pub use rules::{EnforceSettings, Rule, RuleAction};
