//! What a user's policies let it do, and how that raises the risk of its
//! findings (issue 25). Pure: documents in, a level out; no IO here (the
//! worker reads `GetAccountAuthorizationDetails`).
//!
//! - [`policy`]: an IAM policy document read strictly.
//! - [`escalation`]: the known privilege-escalation combinations, each with
//!   its source.
//! - [`level`]: the level of a user's policies (admin, IAM writes,
//!   escalation, limited, none, unknown) and why.
//!
//! Service control policies are not evaluated: a level is what IAM's own
//! policies allow, an upper bound where an SCP denies.

pub mod details;
pub mod escalation;
pub mod level;
pub mod policy;

pub use level::{Level, Parsed, Privileges, Source, UserPolicies, evaluate, evaluate_all};

use crate::audit::Severity;

/// A finding's risk: its severity raised by what its user can do. An admin
/// (or unknown, failing closed) user's finding rises two steps (high →
/// critical), IAM writes and escalation one, limited keeps it, none lowers
/// it one. Informational findings stay informational, and critical ones
/// critical (a key AWS caught may reach what resource policies grant it,
/// which the user's own policies do not show).
#[must_use]
pub fn risk(severity: Severity, level: Level) -> Severity {
    const STEPS: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    if matches!(severity, Severity::Info | Severity::Critical) {
        return severity;
    }
    let at = STEPS.iter().position(|s| *s == severity).unwrap_or(0);
    let moved = match level {
        Level::Admin | Level::Unknown => at + 2,
        Level::IamWrite | Level::Escalation => at + 1,
        Level::Limited => at,
        Level::None => at.saturating_sub(1),
    };
    STEPS[moved.min(STEPS.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_follows_the_level() {
        assert_eq!(risk(Severity::High, Level::Admin), Severity::Critical);
        assert_eq!(risk(Severity::High, Level::Unknown), Severity::Critical);
        assert_eq!(risk(Severity::Medium, Level::IamWrite), Severity::High);
        assert_eq!(risk(Severity::Medium, Level::Escalation), Severity::High);
        assert_eq!(risk(Severity::Medium, Level::Limited), Severity::Medium);
        assert_eq!(risk(Severity::Medium, Level::None), Severity::Low);
        assert_eq!(risk(Severity::Low, Level::None), Severity::Low);
        assert_eq!(risk(Severity::Critical, Level::Admin), Severity::Critical);
        assert_eq!(risk(Severity::Info, Level::Admin), Severity::Info);
        // A critical finding (a key AWS caught, a root key) is never
        // lowered: what a key can reach through resource policies is not
        // in the user's own.
        assert_eq!(risk(Severity::Critical, Level::None), Severity::Critical);
    }
}
