//! What the UI says of a key with a due tag: when, and what the rules will
//! do then. Pure: the user's tags, the key's open findings and the rules
//! in.

use chrono::{NaiveDate, TimeDelta};

use super::plan::due_tag;
use super::rules::{CheckedRule, RuleAction};
use crate::audit::{FindingId, Severity};

/// A key's due tag, read against the rules.
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
    /// Later than the notice allows: a plan will not honour it.
    NotHonoured { date: NaiveDate },
    /// The tag's value is not a date.
    Unreadable,
}

/// The key's due tag and what it means, if it has one. `findings`: the
/// key's open findings with their risk.
#[must_use]
pub fn key_due(
    tags: &[(String, String)],
    key_id: &str,
    user: &str,
    findings: &[(FindingId, Option<Severity>)],
    rules: &[CheckedRule],
    notice_days: u32,
    today: NaiveDate,
) -> Option<KeyDue> {
    let Ok(date) = due_tag(tags, key_id)? else {
        return Some(KeyDue::Unreadable);
    };
    if date > today + TimeDelta::days(i64::from(notice_days)) {
        return Some(KeyDue::NotHonoured { date });
    }
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
                format!("due tag {date}, but no rule covers this key now")
            }
            Self::NotHonoured { date } => {
                format!("due tag {date}: later than the notice allows, not honoured")
            }
            Self::Unreadable => "a due tag that does not read: not honoured".to_owned(),
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
    fn a_due_tag_reads_against_the_rules() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let key = "AKIAKEY0000000000001";
        let tags = |v: &str| vec![(format!("iamkeys:due:{key}"), v.to_owned())];
        let unused = [(FindingId::UnusedKey, Some(Severity::Medium))];
        let at = |v: &str, findings: &[(FindingId, Option<Severity>)], today| {
            key_due(&tags(v), key, "svc", findings, &rules(), 7, today)
        };
        assert_eq!(key_due(&[], key, "svc", &unused, &rules(), 7, day(2)), None);
        let due = at("2026-12-09", &unused, day(2)).unwrap();
        assert_eq!(
            due.describe(),
            "due 2026-12-09: make inactive (rule unused_key)"
        );
        assert!(matches!(
            at("2026-12-01", &unused, day(2)),
            Some(KeyDue::Due { now: true, .. })
        ));
        assert_eq!(
            at("2026-12-09", &[], day(2)),
            Some(KeyDue::Uncovered { date: day(9) })
        );
        assert_eq!(
            at("2026-12-30", &unused, day(2)),
            Some(KeyDue::NotHonoured { date: day(30) })
        );
        assert_eq!(at("soon", &unused, day(2)), Some(KeyDue::Unreadable));
    }
}
