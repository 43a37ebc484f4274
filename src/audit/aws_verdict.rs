//! AWS's own verdict beside iamkeys': IAM Access Analyzer's unused-access
//! analyzer reports `UnusedIAMUserAccessKey` and `UnusedIAMUserPassword`
//! once a day, for users that have existed for its whole tracking period
//! (`unusedAccessAge`, 90 days unless configured). Each key and console
//! password is judged here against the facts IAM gives (its last use, when
//! it and its user were made), at the analyzer's own threshold, so the two
//! can be told apart from their thresholds: they agree, AWS has not
//! evaluated the user yet, AWS is up to a day behind, or they disagree
//! (with both facts said). Pure: the findings are read elsewhere.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// How often the analyzer looks again.
const SCAN: TimeDelta = TimeDelta::hours(24);

/// What an unused-access finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// `UnusedIAMUserAccessKey`.
    AccessKey(String),
    /// `UnusedIAMUserPassword`.
    Password,
}

/// One unused-access finding, as `ListFindingsV2` and `GetFindingV2` give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsFinding {
    pub user: String,
    pub subject: Subject,
    /// `ACTIVE`: AWS calls it unused now; `ARCHIVED`/`RESOLVED`: no longer.
    pub active: bool,
    /// The last use AWS saw (`None`: never, as it says).
    pub last_accessed: Option<DateTime<Utc>>,
    /// When AWS last analyzed the user.
    pub analyzed_at: Option<DateTime<Utc>>,
}

/// What IAM shows of one key or password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub user_created: DateTime<Utc>,
    /// When the key was made (the password: when it was set, if known).
    pub created: Option<DateTime<Utc>>,
    /// Its last use (`None`: never used).
    pub last_used: Option<DateTime<Utc>>,
}

/// AWS's verdict beside iamkeys'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// AWS's verdict is what its own rule gives on IAM's facts.
    Agrees { aws_unused: bool },
    /// The user is younger than the analyzer's tracking period: AWS has
    /// not evaluated it (the initial-setup case is never AWS's).
    NotEvaluated,
    /// The facts changed within AWS's last day: it has not looked since.
    Behind { aws_unused: bool },
    /// AWS says otherwise than its own rule gives on IAM's facts.
    Disagrees { aws: String, iamkeys: String },
}

impl Verdict {
    /// In the words the key pane and the report use.
    #[must_use]
    pub fn words(&self) -> String {
        match self {
            Self::Agrees { aws_unused: true } => "agrees (AWS: unused)".to_owned(),
            Self::Agrees { aws_unused: false } => "agrees (AWS: in use)".to_owned(),
            Self::NotEvaluated => {
                "AWS has not evaluated this user (younger than its tracking period)".to_owned()
            }
            Self::Behind { .. } => "AWS is up to 24 h behind".to_owned(),
            Self::Disagrees { aws, iamkeys } => format!("disagrees: AWS {aws}; IAM {iamkeys}"),
        }
    }
}

/// AWS's verdict on one key or password (`aws`: its finding, if any),
/// beside IAM's facts, for an analyzer tracking `tracking_days`.
#[must_use]
pub fn reconcile(
    facts: &Facts,
    aws: Option<&AwsFinding>,
    tracking_days: u32,
    now: DateTime<Utc>,
) -> Verdict {
    let tracking = TimeDelta::days(i64::from(tracking_days));
    if now - facts.user_created < tracking {
        return Verdict::NotEvaluated;
    }
    let aws_unused = aws.is_some_and(|f| f.active);
    // Unused since: the last use, else when it was made, else the user.
    let since = facts
        .last_used
        .or(facts.created)
        .unwrap_or(facts.user_created);
    let unused_for = now - since;
    let expected = unused_for >= tracking;
    if aws_unused == expected {
        return Verdict::Agrees { aws_unused };
    }
    // Within a day of the threshold, or used within the last day (or
    // since AWS last looked): AWS has not looked since it changed.
    let crossed_lately = (unused_for - tracking).abs() <= SCAN;
    let used_since_scan = facts.last_used.is_some_and(|used| {
        now - used <= SCAN
            || aws
                .and_then(|f| f.analyzed_at)
                .is_some_and(|analyzed| used > analyzed)
    });
    if crossed_lately || used_since_scan {
        return Verdict::Behind { aws_unused };
    }
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
    let aws_says = match aws {
        Some(f) if f.active => format!(
            "calls it unused (last access {})",
            f.last_accessed.map_or_else(|| "never".to_owned(), day)
        ),
        _ => format!("has no finding for it ({tracking_days}-day tracking)"),
    };
    let iam_says = match facts.last_used {
        Some(used) => format!(
            "shows it last used {} ({} days ago)",
            day(used),
            unused_for.num_days()
        ),
        None => format!(
            "shows it never used, made {} days ago",
            unused_for.num_days()
        ),
    };
    Verdict::Disagrees {
        aws: aws_says,
        iamkeys: iam_says,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(days_ago: i64) -> DateTime<Utc> {
        now() - TimeDelta::days(days_ago)
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn facts(user_days: i64, last_used_days: Option<i64>) -> Facts {
        Facts {
            user_created: at(user_days),
            created: Some(at(user_days)),
            last_used: last_used_days.map(at),
        }
    }

    fn finding(active: bool, analyzed_days: i64) -> AwsFinding {
        AwsFinding {
            user: "alice".into(),
            subject: Subject::AccessKey("AKIAALICE00000000001".into()),
            active,
            last_accessed: None,
            analyzed_at: Some(at(analyzed_days)),
        }
    }

    #[test]
    fn a_user_younger_than_the_tracking_period_is_not_evaluated() {
        // The initial-setup case: a new user's never-used key.
        let young = facts(3, None);
        assert_eq!(reconcile(&young, None, 90, now()), Verdict::NotEvaluated);
    }

    #[test]
    fn agreement_is_judged_at_the_analyzers_own_threshold() {
        // Unused 120 days, AWS says unused: agrees.
        let old = facts(400, Some(120));
        assert_eq!(
            reconcile(&old, Some(&finding(true, 0)), 90, now()),
            Verdict::Agrees { aws_unused: true }
        );
        // Used 10 days ago, AWS has nothing: agrees.
        let busy = facts(400, Some(10));
        assert_eq!(
            reconcile(&busy, None, 90, now()),
            Verdict::Agrees { aws_unused: false }
        );
        // Unused 60 days: iamkeys (45) calls it unused, AWS (90) does not
        // yet; at AWS's threshold they agree.
        let between = facts(400, Some(60));
        assert_eq!(
            reconcile(&between, None, 90, now()),
            Verdict::Agrees { aws_unused: false }
        );
    }

    #[test]
    fn a_change_within_the_last_day_is_aws_being_behind() {
        // Used this morning; AWS's finding is from yesterday.
        let used_today = facts(400, Some(0));
        assert_eq!(
            reconcile(&used_today, Some(&finding(true, 1)), 90, now()),
            Verdict::Behind { aws_unused: true }
        );
        // Crossed 90 days today: AWS has not looked since.
        let just_crossed = facts(400, Some(90));
        assert_eq!(
            reconcile(&just_crossed, None, 90, now()),
            Verdict::Behind { aws_unused: false }
        );
    }

    #[test]
    fn a_disagreement_says_both_facts() {
        // AWS calls a key unused that IAM shows used 20 days ago, and
        // AWS analyzed it since.
        let used = facts(400, Some(20));
        let verdict = reconcile(&used, Some(&finding(true, 0)), 90, now());
        let Verdict::Disagrees { aws, iamkeys } = &verdict else {
            panic!("{verdict:?}");
        };
        assert!(aws.contains("unused"), "{aws}");
        assert!(
            iamkeys.contains("2026-11-16") && iamkeys.contains("20 days ago"),
            "{iamkeys}"
        );
        assert!(
            verdict
                .words()
                .starts_with("disagrees: AWS calls it unused")
        );
        // AWS has nothing for a key IAM shows never used in 200 days.
        let never = facts(400, None);
        let mut made = never.clone();
        made.created = Some(at(200));
        let verdict = reconcile(&made, None, 90, now());
        assert!(
            verdict.words().contains("never used, made 200 days ago"),
            "{}",
            verdict.words()
        );
    }
}
