//! Waivers kept in the account: a user tag `iamkeys:waive:<finding id>`
//! (the whole user) or `iamkeys:waive:<finding id>:<access key ID>` (one
//! key), valued `YYYY-MM-DD <by> <reason words>`. A waived finding is still
//! listed, marked, and left out of the open counts and `--fail-on`; after
//! its date the waiver lapses on its own. A tag that does not read exactly
//! so is malformed: said, never honoured and never silently ignored.

use chrono::NaiveDate;
use serde::Serialize;

use super::{Finding, FindingId};

/// The tag key prefix of every waiver.
pub const PREFIX: &str = "iamkeys:waive:";

/// One waiver, as its tag says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub finding: FindingId,
    /// `None`: every finding of this id for the user.
    pub key_id: Option<String>,
    pub until: NaiveDate,
    pub by: String,
    pub reason: String,
}

/// A waiver tag that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub user: String,
    pub tag: String,
    pub why: String,
}

/// How a waiver stands on a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverMark {
    pub until: NaiveDate,
    pub by: String,
    pub reason: String,
    /// The date has passed: the finding counts again.
    #[serde(skip)]
    pub expired: bool,
}

impl WaiverMark {
    /// `waived until 2027-01-31 by alice: moving to a role` or
    /// `waiver expired 2026-10-01 (alice: …)`.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.expired {
            format!(
                "waiver expired {} (by {}: {})",
                self.until, self.by, self.reason
            )
        } else {
            format!(
                "waived until {} by {}: {}",
                self.until, self.by, self.reason
            )
        }
    }
}

/// Whether a character may stand in an IAM tag value as iamkeys writes it.
fn allowed(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

fn key_id_shape(id: &str) -> bool {
    (16..=128).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Read one tag; `None` when it is no waiver tag at all.
fn one(key: &str, value: &str) -> Option<Result<Waiver, String>> {
    let rest = key.strip_prefix(PREFIX)?;
    Some((|| {
        let (id, key_id) = match rest.split_once(':') {
            Some((id, key)) => (id, Some(key)),
            None => (rest, None),
        };
        let finding = FindingId::parse(id).ok_or_else(|| {
            format!(
                "`{id}` is not a finding id ({})",
                FindingId::ALL.map(FindingId::as_str).join(", ")
            )
        })?;
        if let Some(key) = key_id
            && !key_id_shape(key)
        {
            return Err(format!("`{key}` is not an access key ID"));
        }
        if value.len() > 256 || !value.chars().all(allowed) {
            return Err(
                "the value has characters IAM tag values do not allow, or is over 256 characters"
                    .to_owned(),
            );
        }
        let mut words = value.split(' ').filter(|w| !w.is_empty());
        let date = words.next().ok_or("the value is empty")?;
        let until = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|_| format!("`{date}` is not a date (YYYY-MM-DD)"))?;
        let by = words
            .next()
            .ok_or("no one is named after the date")?
            .to_owned();
        let reason = words.collect::<Vec<_>>().join(" ");
        if reason.is_empty() {
            return Err("no reason is given after the name".to_owned());
        }
        Ok(Waiver {
            finding,
            key_id: key_id.map(ToOwned::to_owned),
            until,
            by,
            reason,
        })
    })())
}

/// The waivers among a user's tags, and the waiver tags that are malformed.
#[must_use]
pub fn parse(user: &str, tags: &[(String, String)]) -> (Vec<Waiver>, Vec<Malformed>) {
    let mut waivers = Vec::new();
    let mut malformed = Vec::new();
    for (key, value) in tags {
        match one(key, value) {
            None => {}
            Some(Ok(waiver)) => waivers.push(waiver),
            Some(Err(why)) => malformed.push(Malformed {
                user: user.to_owned(),
                tag: key.clone(),
                why,
            }),
        }
    }
    (waivers, malformed)
}

/// Mark the findings these waivers cover, as of `today` (the last day of
/// a waiver is still waived).
pub fn apply(findings: &mut [Finding], waivers: &[Waiver], today: NaiveDate) {
    for finding in findings {
        // A waiver of this very key wins over one of the whole user.
        let waiver = waivers
            .iter()
            .filter(|w| w.finding == finding.id)
            .filter(|w| {
                w.key_id.is_none() || w.key_id.as_deref() == finding.access_key_id.as_deref()
            })
            .max_by_key(|w| w.key_id.is_some());
        finding.waiver = waiver.map(|w| WaiverMark {
            until: w.until,
            by: w.by.clone(),
            reason: w.reason.clone(),
            expired: w.until < today,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn waivers_are_read_strictly() {
        let (waivers, malformed) = parse(
            "alice",
            &tags(&[
                ("team", "payments"),
                (
                    "iamkeys:waive:unused_key",
                    "2027-01-31 bob legacy box moves to a role in Q1",
                ),
                (
                    "iamkeys:waive:key_not_rotated:AKIAIOSFODNN7EXAMPLE",
                    "2026-12-01 carol@example.com vendor rotates in December",
                ),
                ("iamkeys:waive:unused", "2027-01-31 bob x"),
                ("iamkeys:waive:unused_key:akia", "2027-01-31 bob x"),
                ("iamkeys:waive:multiple_active_keys", "31/01/2027 bob x"),
                ("iamkeys:waive:initial_setup_key", "2027-01-31 bob"),
                ("iamkeys:waive:root_access_key", "2027-01-31 bob a; b"),
            ]),
        );
        assert_eq!(
            waivers,
            [
                Waiver {
                    finding: FindingId::UnusedKey,
                    key_id: None,
                    until: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
                    by: "bob".into(),
                    reason: "legacy box moves to a role in Q1".into(),
                },
                Waiver {
                    finding: FindingId::KeyNotRotated,
                    key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
                    until: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    by: "carol@example.com".into(),
                    reason: "vendor rotates in December".into(),
                },
            ]
        );
        let whys: Vec<&str> = malformed.iter().map(|m| m.why.as_str()).collect();
        assert_eq!(malformed.len(), 5, "{whys:?}");
        assert!(whys[0].contains("not a finding id"));
        assert!(whys[1].contains("not an access key ID"));
        assert!(whys[2].contains("not a date"));
        assert!(whys[3].contains("no reason"));
        assert!(whys[4].contains("characters"));
    }

    fn finding(id: FindingId, key: Option<&str>) -> Finding {
        Finding {
            id,
            user_name: "alice".into(),
            access_key_id: key.map(ToOwned::to_owned),
            created_with_user: None,
            message: String::new(),
            waiver: None,
        }
    }

    #[test]
    fn a_waiver_marks_its_findings_and_lapses_after_its_date() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let waivers = [
            Waiver {
                finding: FindingId::UnusedKey,
                key_id: None,
                until: day(10),
                by: "bob".into(),
                reason: "user-wide".into(),
            },
            Waiver {
                finding: FindingId::UnusedKey,
                key_id: Some("AKIAKEYTWO000000".into()),
                until: day(20),
                by: "carol".into(),
                reason: "this key".into(),
            },
        ];
        let mut findings = vec![
            finding(FindingId::UnusedKey, Some("AKIAKEYONE000000")),
            finding(FindingId::UnusedKey, Some("AKIAKEYTWO000000")),
            finding(FindingId::KeyNotRotated, Some("AKIAKEYONE000000")),
        ];
        apply(&mut findings, &waivers, day(10));
        assert_eq!(findings[0].waiver.as_ref().unwrap().by, "bob");
        assert!(
            !findings[0].waiver.as_ref().unwrap().expired,
            "the last day still counts"
        );
        assert_eq!(
            findings[1].waiver.as_ref().unwrap().by,
            "carol",
            "the key's own waiver wins"
        );
        assert!(findings[2].waiver.is_none(), "another finding id");
        apply(&mut findings, &waivers, day(11));
        assert!(findings[0].waiver.as_ref().unwrap().expired);
        assert!(
            findings[0]
                .waiver
                .as_ref()
                .unwrap()
                .describe()
                .starts_with("waiver expired 2026-12-10")
        );
        assert!(!findings[1].waiver.as_ref().unwrap().expired);
    }
}
