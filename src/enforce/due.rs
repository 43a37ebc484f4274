//! What the UI says of a key with a due date in the ledger: when, and what
//! the rules will do then. Pure: the recorded date, the key's open findings
//! and the rules in.

use chrono::NaiveDate;

use super::rules::{CheckedRule, RuleAction};
use crate::audit::{FindingId, Severity};

/// A key's recorded due date, read against the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDue {
    /// A rule covers one of its findings: `action` on `date` (`now`: the
    /// date has come).
    Due {
        date: NaiveDate,
        now: bool,
        action: RuleAction,
        finding: FindingId,
    },
    /// No rule covers it any more (the finding is gone, or waived).
    Uncovered { date: NaiveDate },
}

/// The key's recorded due date (`date`: the ledger's, see
/// [`crate::ledger::Folded::due`]) and what it means. `findings`: the key's
/// open findings with their risk.
#[must_use]
pub fn key_due(
    date: Option<NaiveDate>,
    user: &str,
    findings: &[(FindingId, Option<Severity>)],
    rules: &[CheckedRule],
    today: NaiveDate,
) -> Option<KeyDue> {
    let date = date?;
    let covering = rules.iter().find_map(|rule| {
        findings
            .iter()
            .find(|(id, risk)| rule.covers(*id, user, *risk))
            .map(|(id, _)| (rule.action, *id))
    });
    Some(match covering {
        Some((action, finding)) => KeyDue::Due {
            date,
            now: date <= today,
            action,
            finding,
        },
        None => KeyDue::Uncovered { date },
    })
}

impl KeyDue {
    /// As the key pane says it: `due 2026-12-09: make inactive (rule
    /// unused_key)`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::Due {
                date,
                now: true,
                action,
                finding,
            } => format!("due now ({date}): {} (rule {finding})", action.words()),
            Self::Due {
                date,
                action,
                finding,
                ..
            } => format!("due {date}: {} (rule {finding})", action.words()),
            Self::Uncovered { date } => {
                format!("due {date} in the ledger, but no rule covers this key now")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<CheckedRule> {
        crate::enforce::rules::unused_keys_made_inactive()
    }

    #[test]
    fn a_recorded_date_reads_against_the_rules() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let unused = [(FindingId::UnusedKey, Some(Severity::Medium))];
        let at = |d: u32, findings: &[(FindingId, Option<Severity>)], today| {
            key_due(Some(day(d)), "svc", findings, &rules(), today)
        };
        assert_eq!(key_due(None, "svc", &unused, &rules(), day(2)), None);
        let due = at(9, &unused, day(2)).unwrap();
        assert_eq!(
            due.describe(),
            "due 2026-12-09: make inactive (rule unused_key)"
        );
        assert!(matches!(
            at(1, &unused, day(2)),
            Some(KeyDue::Due { now: true, .. })
        ));
        assert_eq!(at(9, &[], day(2)), Some(KeyDue::Uncovered { date: day(9) }));
    }
}
