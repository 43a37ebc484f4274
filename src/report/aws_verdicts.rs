//! `report --with-access-analyzer`: IAM Access Analyzer's unused-access
//! verdict on each active access key and console password of the report's
//! users, beside IAM's facts (see `audit::aws_verdict`). No analyzer, or
//! one that cannot be read, is a note: iamkeys' own audit never depends on
//! it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Report;
use crate::audit::aws_verdict::{AwsFinding, Facts, Subject, Verdict, reconcile};
use crate::model::KeyStatus;

/// AWS's verdict on one key or password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictEntry {
    pub account_id: Option<String>,
    pub user_name: String,
    /// The key; `null` for the user's console password.
    pub access_key_id: Option<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The verdict in words, as the table and the key pane say it.
    pub words: String,
}

/// The verdicts of every active key (with its ID) and console password of
/// `report`'s users in `account`, for an analyzer tracking
/// `tracking_days` that reported `findings`.
#[must_use]
pub fn of(
    report: &Report,
    account: &str,
    findings: &[AwsFinding],
    tracking_days: u32,
    now: DateTime<Utc>,
) -> Vec<VerdictEntry> {
    let mut out = Vec::new();
    for user in report
        .users
        .iter()
        .filter(|u| u.account_id.as_deref() == Some(account))
    {
        let aws = |subject: &Subject| {
            findings
                .iter()
                .find(|f| f.user == user.user_name && f.subject == *subject)
        };
        let mut judge = |key: Option<&str>, facts: Facts| {
            let subject = key.map_or(Subject::Password, |k| Subject::AccessKey(k.to_owned()));
            let verdict = reconcile(&facts, aws(&subject), tracking_days, now);
            out.push(VerdictEntry {
                account_id: Some(account.to_owned()),
                user_name: user.user_name.clone(),
                access_key_id: key.map(ToOwned::to_owned),
                words: verdict.words(),
                verdict,
            });
        };
        for key in user
            .access_keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
        {
            if let Some(id) = key.access_key_id.as_deref() {
                judge(
                    Some(id),
                    Facts {
                        user_created: user.created,
                        created: key.created,
                        last_used: key.last_used,
                    },
                );
            }
        }
        if user.password_enabled == Some(true) {
            judge(
                None,
                Facts {
                    user_created: user.created,
                    created: None,
                    last_used: user.password_last_used,
                },
            );
        }
    }
    out
}

/// The table's section: one line per verdict.
#[must_use]
pub fn table(verdicts: &[VerdictEntry]) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "AWS's verdicts (IAM Access Analyzer, unused access):");
    for v in verdicts {
        let _ = writeln!(
            out,
            "  {:<20}  {:<24}  {}",
            crate::text::clean(&v.user_name),
            v.access_key_id.as_deref().unwrap_or("console password"),
            v.words
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{KeyEntry, UserEntry};
    use chrono::{TimeDelta, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn key(id: &str, used_days_ago: Option<i64>, status: KeyStatus) -> KeyEntry {
        KeyEntry {
            access_key_id: Some(id.into()),
            status,
            created: Some(now() - TimeDelta::days(300)),
            last_used: used_days_ago.map(|d| now() - TimeDelta::days(d)),
            last_used_service: None,
            last_used_region: None,
            last_used_as_of: None,
        }
    }

    fn user(name: &str, age_days: i64, password: bool, keys: Vec<KeyEntry>) -> UserEntry {
        UserEntry {
            profile: "p".into(),
            account_id: Some("123456789012".into()),
            account_name: None,
            user_name: name.into(),
            arn: format!("arn:aws:iam::123456789012:user/{name}"),
            created: now() - TimeDelta::days(age_days),
            password_enabled: Some(password),
            password_last_used: None,
            mfa_active: Some(false),
            access_keys: keys,
            service_credentials: Vec::new(),
            ssh_public_keys: Vec::new(),
            signing_certificates: Vec::new(),
            privileges: None,
            tags: None,
        }
    }

    fn aws(user: &str, subject: Subject) -> AwsFinding {
        AwsFinding {
            user: user.into(),
            subject,
            active: true,
            last_accessed: None,
            analyzed_at: Some(now() - TimeDelta::hours(6)),
        }
    }

    /// Findings for some keys, none for a user made today, and a stale one:
    /// each key and password gets its line, an inactive key none.
    #[test]
    fn each_active_key_and_password_gets_aws_verdict() {
        let mut report = crate::report::tests_support::empty_report();
        report.users = vec![
            // Unused 200 days, AWS agrees; its password never used, AWS agrees.
            user(
                "old",
                400,
                true,
                vec![
                    key("AKIAOLD0000000000001", Some(200), KeyStatus::Active),
                    key("AKIAOLD0000000000002", None, KeyStatus::Inactive),
                ],
            ),
            // Made today: not evaluated, whatever AWS says.
            user(
                "new",
                0,
                false,
                vec![key("AKIANEW0000000000001", None, KeyStatus::Active)],
            ),
            // Used 5 days ago, yet AWS (analyzed since) calls it unused: stale.
            user(
                "busy",
                400,
                false,
                vec![key("AKIABUSY000000000001", Some(5), KeyStatus::Active)],
            ),
        ];
        let findings = [
            aws("old", Subject::AccessKey("AKIAOLD0000000000001".into())),
            aws("old", Subject::Password),
            aws("busy", Subject::AccessKey("AKIABUSY000000000001".into())),
        ];
        let verdicts = of(&report, "123456789012", &findings, 90, now());
        let words: Vec<(&str, Option<&str>, &str)> = verdicts
            .iter()
            .map(|v| {
                (
                    v.user_name.as_str(),
                    v.access_key_id.as_deref(),
                    v.words.as_str(),
                )
            })
            .collect();
        assert_eq!(words.len(), 4, "{words:#?}");
        assert_eq!(
            words[0],
            ("old", Some("AKIAOLD0000000000001"), "agrees (AWS: unused)")
        );
        assert_eq!(words[1], ("old", None, "agrees (AWS: unused)"));
        assert_eq!(
            words[2],
            (
                "new",
                Some("AKIANEW0000000000001"),
                "AWS has not evaluated this user (younger than its tracking period)"
            )
        );
        assert!(
            words[3].2.starts_with("disagrees: AWS calls it unused"),
            "{words:#?}"
        );
        let table = table(&verdicts);
        assert!(table.contains("console password"), "{table}");
        // JSON: the verdict's tag and its facts.
        let json = serde_json::to_value(&verdicts[3]).unwrap();
        assert_eq!(json["verdict"], "disagrees");
        assert!(
            json["iamkeys"].as_str().unwrap().contains("5 days ago"),
            "{json}"
        );
    }
}
