//! `--baseline FILE`: a previous `--format json` report. Each finding of
//! this run is marked `new` or not (matched on account, finding id, user
//! and access key ID), and the baseline's findings that are gone are listed
//! as `resolved` — only for accounts this run audited completely: a finding
//! that could not be seen is not resolved.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Report, SCHEMA};

/// One finding of the baseline, as that report wrote it (the id is kept as
/// text: a baseline may name an id this version does not know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineFinding {
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    #[serde(default)]
    pub account_name: Option<String>,
    pub id: String,
    #[serde(default)]
    pub severity: Option<String>,
    pub user_name: String,
    #[serde(default)]
    pub access_key_id: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

impl BaselineFinding {
    fn key(&self) -> Key {
        (
            self.account_id.clone(),
            self.id.clone(),
            self.user_name.clone(),
            self.access_key_id.clone(),
        )
    }
}

/// Account, finding id, user, key: what makes a finding the same one.
type Key = (Option<String>, String, String, Option<String>);

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    accounts: Vec<FileAccount>,
    findings: Vec<BaselineFinding>,
}

#[derive(Debug, Deserialize)]
struct FileAccount {
    #[serde(default)]
    account_id: Option<String>,
}

/// A baseline report, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// Where it was read from, for messages.
    pub path: String,
    accounts: BTreeSet<String>,
    findings: Vec<BaselineFinding>,
}

/// The largest baseline read ([`crate::bounded::REPORT`]): a report of
/// 100,000 users fits (see the test that measures one).
pub const MAX_BYTES: u64 = crate::bounded::REPORT;

impl Baseline {
    /// Read a `--format json` report of this schema.
    ///
    /// # Errors
    /// The file cannot be read, is not such a report, or is of another
    /// schema version: one line naming the file and what is wrong.
    pub fn read(path: &Path) -> Result<Self, String> {
        let shown = crate::text::clean(&path.display().to_string()).into_owned();
        // Checked before it is opened: a FIFO would block the open, a
        // device (`/dev/zero`) or a huge file would read without end.
        let text = crate::bounded::read_required(path, "the baseline", MAX_BYTES)?;
        Self::parse(&text, &shown)
    }

    /// [`Baseline::read`] from text.
    ///
    /// # Errors
    /// As [`Baseline::read`].
    pub fn parse(text: &str, path: &str) -> Result<Self, String> {
        // The schema first, so another version is named as such and not as
        // a parse error of some field.
        let value = serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
            format!(
                "the baseline {path} is not JSON ({e}): give a report written with --format json"
            )
        })?;
        match value.get("schema").and_then(serde_json::Value::as_str) {
            Some(SCHEMA) => {}
            Some(other) => {
                return Err(format!(
                    "the baseline {path} has schema {other}; this iamkeys reads {SCHEMA}: make a new baseline with this version"
                ));
            }
            None => {
                return Err(format!(
                    "the baseline {path} has no \"schema\": give a report written with --format json"
                ));
            }
        }
        let file: File = serde_json::from_value(value)
            .map_err(|e| format!("the baseline {path} is not a {SCHEMA} report: {e}"))?;
        if let Some(bad) = file
            .findings
            .iter()
            .find(|f| crate::audit::FindingId::parse(&f.id).is_none())
        {
            return Err(format!(
                "the baseline {path} names `{}`, which is no iamkeys finding id: give a report written with --format json",
                crate::text::clean(&bad.id)
            ));
        }
        Ok(Self {
            path: path.to_owned(),
            accounts: file
                .accounts
                .into_iter()
                .filter_map(|a| a.account_id)
                .collect(),
            findings: file.findings,
        })
    }

    /// Mark each finding of `report` new or not, and list the baseline's
    /// findings that are gone from accounts audited completely; the others'
    /// absence is a note, not a resolution.
    ///
    /// # Errors
    /// The baseline covers another set of accounts than this run.
    pub fn compare(&self, report: &mut Report) -> Result<(), String> {
        let here: BTreeSet<String> = report
            .accounts
            .iter()
            .filter_map(|a| a.account_id.clone())
            .collect();
        if here != self.accounts {
            let list = |set: &BTreeSet<String>| {
                if set.is_empty() {
                    "none".to_owned()
                } else {
                    set.iter().cloned().collect::<Vec<_>>().join(", ")
                }
            };
            return Err(format!(
                "the baseline {} covers accounts {}, this run covers {}: compare runs over the same accounts",
                self.path,
                list(&self.accounts),
                list(&here)
            ));
        }
        let before: BTreeSet<Key> = self.findings.iter().map(BaselineFinding::key).collect();
        let mut now: BTreeSet<Key> = BTreeSet::new();
        for finding in &mut report.findings {
            let key = (
                finding.account_id.clone(),
                finding.id.as_str().to_owned(),
                finding.user_name.clone(),
                finding.access_key_id.clone(),
            );
            finding.new = Some(!before.contains(&key));
            now.insert(key);
        }
        let complete: BTreeSet<&str> = report
            .accounts
            .iter()
            .filter(|a| a.complete && a.error.is_none())
            .filter_map(|a| a.account_id.as_deref())
            .collect();
        let mut resolved = Vec::new();
        let mut unseen: BTreeMap<String, usize> = BTreeMap::new();
        for finding in &self.findings {
            if now.contains(&finding.key()) {
                continue;
            }
            let account = finding.account_id.clone().unwrap_or_default();
            if complete.contains(account.as_str()) {
                resolved.push(finding.clone());
            } else {
                *unseen.entry(account).or_default() += 1;
            }
        }
        for (account, count) in unseen {
            report.notes.push(format!(
                "{count} finding(s) of the baseline in account {account} are not in this run, whose audit of that account is incomplete: they are not counted as resolved."
            ));
        }
        report.resolved = Some(resolved);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{FindingId, Thresholds};
    use crate::report::{AccountEntry, FindingEntry};

    /// Issue 24 item 3: a finding id the baseline names must be one of
    /// iamkeys' (cleaned before it is said).
    #[test]
    fn finding_ids_are_checked_and_said_clean() {
        let text = r#"{"schema":"iamkeys.report/v1","accounts":[],"findings":[
            {"id":"bogus\u001b[2J","user_name":"alice"}]}"#;
        let err = Baseline::parse(text, "b.json").unwrap_err();
        assert!(err.contains("is no iamkeys finding id"), "{err}");
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }

    fn account(id: &str, complete: bool) -> AccountEntry {
        AccountEntry {
            complete,
            ..crate::report::tests_support::account(id)
        }
    }

    fn finding(account: &str, user: &str) -> FindingEntry {
        FindingEntry {
            profile: account.into(),
            account_id: Some(account.into()),
            message: String::new(),
            ..crate::report::tests_support::finding(
                FindingId::UnusedKey,
                user,
                Some(&format!("AKIA{user}")),
            )
        }
    }

    fn baseline(findings: &[(&str, &str)]) -> Baseline {
        let findings: Vec<String> = findings
            .iter()
            .map(|(a, u)| {
                format!(
                    r#"{{"account_id": "{a}", "id": "unused_key", "user_name": "{u}", "access_key_id": "AKIA{u}"}}"#
                )
            })
            .collect();
        Baseline::parse(
            &format!(
                r#"{{"schema": "{SCHEMA}", "accounts": [{{"account_id": "111111111111"}}, {{"account_id": "222222222222"}}], "findings": [{}]}}"#,
                findings.join(",")
            ),
            "base.json",
        )
        .unwrap()
    }

    /// A finding gone from an account this run could not fully see is not
    /// resolved: it may just not have been seen. The notes say so.
    #[test]
    fn only_complete_accounts_resolve_findings() {
        let base = baseline(&[
            ("111111111111", "gone"),
            ("222222222222", "unseen"),
            ("111111111111", "kept"),
        ]);
        let mut report = Report::empty(None, Thresholds::default(), chrono::DateTime::UNIX_EPOCH);
        report.accounts = vec![
            account("111111111111", true),
            account("222222222222", false),
        ];
        report.findings = vec![
            finding("111111111111", "kept"),
            finding("222222222222", "fresh"),
        ];
        base.compare(&mut report).unwrap();
        let new: Vec<(&str, Option<bool>)> = report
            .findings
            .iter()
            .map(|f| (f.user_name.as_str(), f.new))
            .collect();
        assert_eq!(new, [("kept", Some(false)), ("fresh", Some(true))]);
        let resolved = report.resolved.unwrap();
        assert_eq!(resolved.len(), 1);
        assert_eq!(resolved[0].user_name, "gone");
        assert!(
            report.notes.iter().any(|n| n.contains(
                "1 finding(s) of the baseline in account 222222222222 are not in this run"
            )),
            "{:?}",
            report.notes
        );
    }

    #[test]
    fn a_baseline_that_is_not_a_report_is_named() {
        let err = Baseline::parse(r#"{"findings": []}"#, "b.json").unwrap_err();
        assert!(err.contains("has no \"schema\""), "{err}");
        let err = Baseline::parse(&format!(r#"{{"schema": "{SCHEMA}"}}"#), "b.json").unwrap_err();
        assert!(err.contains("is not a iamkeys.report/v1 report"), "{err}");
    }
}
