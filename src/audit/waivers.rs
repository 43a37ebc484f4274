//! Waivers: a `waiver.granted` event in the ledger ([`crate::ledger`]),
//! or an entry of a reviewed waivers file ([`mod@file`]). A waived finding is
//! still listed, marked, and left out of the open counts and `--fail-on`;
//! after its date the waiver lapses on its own.
//!
//! A waiver is honoured only as far as its writer is trusted ([`Trust`]):
//! a ledger event as its writers are (the ledger's access control), a file
//! waiver as written (the repository's review is its trust). Neither runs
//! further than `max_waiver_days` from today, and a key-level finding is
//! waived only by a waiver naming its key. A user tag
//! `iamkeys:waive:<finding id>[:<access key ID>]` = `YYYY-MM-DD <by>
//! <reason>` is a claim: anyone with `iam:TagUser` on the user can write
//! it, so it is shown, never honoured, and can be moved into the ledger by
//! an operator (`iamkeys ledger import-tags`). A tag that does not read
//! exactly so is malformed: said, never silently ignored.

pub mod file;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Finding, FindingId};

/// Where a waiver was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A user tag `iamkeys:waive:…`.
    Tag,
    /// The reviewed waivers file (`--waivers`, `[audit] waivers_file`).
    File,
    /// The ledger (`waiver.granted`, not revoked).
    Ledger,
}

/// How far a waiver's writer is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// A waivers-file entry: trusted as the repository that reviews it.
    Reviewed,
    /// A ledger event: trusted as the ledger's writers are (its `by`, the
    /// writer's STS caller ARN).
    Ledger { id: String, by: String },
    /// A claim (a user tag): why it is not honoured.
    Claim(String),
}

/// Why a waiver tag is never honoured.
pub const TAG_CLAIM: &str =
    "a tag anyone with TagUser on this user can write; import it with iamkeys ledger import-tags";

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
    pub source: Source,
    pub trust: Trust,
    /// A tag waiver's tag (key, value).
    pub tag: Option<(String, String)>,
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
    /// Who the waiver says wrote it (free text: a claim, not a proof).
    pub by: String,
    pub reason: String,
    pub source: Source,
    /// The ledger event's writer (its STS caller ARN); `None` for file
    /// waivers and tag claims.
    pub writer: Option<String>,
    /// The ledger event's id (what `revoke` names); `None` for the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger_id: Option<String>,
    /// Why the waiver is not honoured (the finding counts); `None` when it is.
    #[serde(skip)]
    pub not_honoured: Option<String>,
    /// The date has passed: the finding counts again.
    #[serde(skip)]
    pub expired: bool,
}

impl WaiverMark {
    /// The waiver takes the finding out of the counts.
    #[must_use]
    pub fn honoured(&self) -> bool {
        !self.expired && self.not_honoured.is_none()
    }

    /// `waived until 2027-01-31 by alice: moving to a role`,
    /// `waiver expired 2026-10-01 (alice: …)` or
    /// `waiver claimed by alice until 2027-01-31, not honoured: <why>`.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.expired {
            format!(
                "waiver expired {} (by {}: {})",
                self.until, self.by, self.reason
            )
        } else if let Some(why) = &self.not_honoured {
            format!(
                "waiver claimed by {} until {}, not honoured: {why}",
                self.by, self.until
            )
        } else {
            let writer = match (&self.source, &self.writer) {
                (Source::File, _) => " (waivers file)".to_owned(),
                (Source::Ledger, Some(arn)) => format!(" (ledger, by {arn})"),
                (Source::Ledger | Source::Tag, _) => String::new(),
            };
            format!(
                "waived until {} by {}: {}{writer}",
                self.until, self.by, self.reason
            )
        }
    }
}

/// What decides whether a waiver is honoured.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// No waiver runs further than this from `today`.
    pub max_days: u32,
    pub today: NaiveDate,
}

impl Policy {
    /// Why this waiver is not honoured, or `None` when it is (its date
    /// aside: a lapsed waiver is told apart by `expired`).
    #[must_use]
    pub fn refuses(&self, waiver: &Waiver) -> Option<String> {
        if let Trust::Claim(why) = &waiver.trust {
            return Some(why.clone());
        }
        let furthest = self
            .today
            .checked_add_days(chrono::Days::new(u64::from(self.max_days)))
            .unwrap_or(NaiveDate::MAX);
        (waiver.until > furthest).then(|| {
            format!(
                "{} is more than {} days away (max_waiver_days)",
                waiver.until, self.max_days
            )
        })
    }
}

/// Why a waiver of the whole user is no waiver of a key-level finding.
pub const WHOLE_USER: &str = "a waiver of the whole user does not cover its keys (keys made later would be pre-approved): name the key";

/// Whether a character may stand in an IAM tag value as iamkeys writes it.
#[must_use]
pub fn allowed(c: char) -> bool {
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
        // IAM counts a tag value's characters, not its bytes.
        if value.chars().count() > 256 || !value.chars().all(allowed) {
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
            source: Source::Tag,
            trust: Trust::Claim(TAG_CLAIM.to_owned()),
            tag: Some((key.to_owned(), value.to_owned())),
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

/// Mark the findings these waivers speak to, as of `policy.today` (the
/// last day of a waiver is still waived). A key-level finding is waived
/// only by a waiver naming its key; a waiver of the whole user is then a
/// claim, not honoured. Of several waivers, an honoured one is shown (the
/// key's own first, the file's before a tag's); else the closest claim.
pub fn apply(findings: &mut [Finding], waivers: &[Waiver], policy: &Policy) {
    for finding in findings {
        let key_level = finding.id.is_key_level();
        let mut marks: Vec<(bool, bool, bool, WaiverMark)> = waivers
            .iter()
            .filter(|w| w.finding == finding.id)
            .filter(|w| match &w.key_id {
                Some(key) => key_level && finding.access_key_id.as_deref() == Some(key),
                None => true,
            })
            .map(|w| {
                let not_honoured = if key_level && w.key_id.is_none() {
                    Some(WHOLE_USER.to_owned())
                } else {
                    policy.refuses(w)
                };
                let (writer, ledger_id) = match &w.trust {
                    Trust::Ledger { by, id } => (Some(by.clone()), Some(id.clone())),
                    Trust::Reviewed | Trust::Claim(_) => (None, None),
                };
                let mark = WaiverMark {
                    until: w.until,
                    by: w.by.clone(),
                    reason: w.reason.clone(),
                    source: w.source,
                    writer,
                    ledger_id,
                    not_honoured,
                    expired: w.until < policy.today,
                };
                (
                    mark.honoured(),
                    w.key_id.is_some(),
                    w.source != Source::Tag,
                    mark,
                )
            })
            .collect();
        marks.sort_by_key(|(honoured, key, file, _)| std::cmp::Reverse((*honoured, *key, *file)));
        finding.waiver = marks.into_iter().next().map(|(.., mark)| mark);
    }
}

/// Waivers that can never apply, as notes: a key ID on a finding about the
/// whole user, a key the user does not have (when the keys are listed), or
/// a waiver of the whole user for a key-level finding (it pre-approves
/// nothing). Never silent.
#[must_use]
pub fn strays(user: &str, waivers: &[Waiver], keys: Option<&[String]>) -> Vec<String> {
    let mut notes = Vec::new();
    for w in waivers {
        let what = match w.source {
            Source::Tag => format!("waiver tag of user {user} for {}", w.finding.as_str()),
            Source::File => format!("waivers-file entry for user {user}, {}", w.finding.as_str()),
            Source::Ledger => format!("ledger waiver of user {user} for {}", w.finding.as_str()),
        };
        match &w.key_id {
            Some(key) if !w.finding.is_key_level() => notes.push(format!(
                "{what} names key {key}, but {} is about the whole user: it never applies",
                w.finding.as_str()
            )),
            Some(key) if keys.is_some_and(|keys| !keys.iter().any(|k| k == key)) => notes.push(
                format!("{what} names key {key}, which the user does not have: it never applies"),
            ),
            None if w.finding.is_key_level() => notes.push(format!(
                "{what} names no key: {WHOLE_USER}; it is not honoured"
            )),
            _ => {}
        }
    }
    notes
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

    /// Issue 24 item 6: IAM's 256 is characters, not bytes.
    #[test]
    fn a_value_is_measured_in_characters() {
        let reason = "é".repeat(200);
        let value = format!("2027-01-31 bob {reason}");
        assert!(value.len() > 256 && value.chars().count() <= 256);
        let (read, bad) = parse("alice", &tags(&[("iamkeys:waive:unused_key", &value)]));
        assert_eq!((read.len(), bad.len()), (1, 0), "{bad:?}");
        let long = format!("2027-01-31 bob {}", "é".repeat(250));
        let (read, bad) = parse("alice", &tags(&[("iamkeys:waive:unused_key", &long)]));
        assert_eq!((read.len(), bad.len()), (0, 1));
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
        let read: Vec<_> = waivers
            .iter()
            .map(|w| {
                (
                    w.finding,
                    w.key_id.as_deref(),
                    w.until.to_string(),
                    w.by.as_str(),
                    w.reason.as_str(),
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                (
                    FindingId::UnusedKey,
                    None,
                    "2027-01-31".to_owned(),
                    "bob",
                    "legacy box moves to a role in Q1"
                ),
                (
                    FindingId::KeyNotRotated,
                    Some("AKIAIOSFODNN7EXAMPLE"),
                    "2026-12-01".to_owned(),
                    "carol@example.com",
                    "vendor rotates in December"
                ),
            ]
        );
        assert!(
            waivers
                .iter()
                .all(|w| w.source == Source::Tag && w.trust == Trust::Claim(TAG_CLAIM.to_owned())),
            "a tag is a claim, whoever wrote it"
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

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    const APPROVER: &str = "arn:aws:iam::111111111111:role/SecurityAudit";

    fn waiver(id: FindingId, key: Option<&str>, until: NaiveDate, trust: Trust) -> Waiver {
        Waiver {
            finding: id,
            key_id: key.map(ToOwned::to_owned),
            until,
            by: "bob".into(),
            reason: "why".into(),
            source: match trust {
                Trust::Reviewed => Source::File,
                Trust::Ledger { .. } => Source::Ledger,
                Trust::Claim(_) => Source::Tag,
            },
            trust,
            tag: None,
        }
    }

    fn ledger() -> Trust {
        Trust::Ledger {
            id: "0190000000000000000000000000000a".into(),
            by: APPROVER.into(),
        }
    }

    fn claim() -> Trust {
        Trust::Claim(TAG_CLAIM.into())
    }

    fn policy(today: NaiveDate) -> Policy {
        Policy {
            max_days: 30,
            today,
        }
    }

    fn mark(finding: FindingId, key: Option<&str>, waivers: &[Waiver], p: Policy) -> WaiverMark {
        let mut findings = [self::finding(finding, key)];
        apply(&mut findings, waivers, &p);
        findings[0].waiver.clone().expect("a waiver speaks to it")
    }

    /// Issue 32: a tag is a claim, whoever wrote it; the ledger's waiver
    /// is honoured, with its writer said.
    #[test]
    fn a_tag_waiver_is_a_claim_and_a_ledger_waiver_is_honoured() {
        let p = policy(day(1));
        let key = Some("AKIAKEYONE000000");
        let id = FindingId::UnusedKey;
        let granted = mark(id, key, &[waiver(id, key, day(20), ledger())], p);
        assert!(granted.honoured(), "{}", granted.describe());
        assert_eq!(granted.writer.as_deref(), Some(APPROVER));
        assert!(
            granted
                .describe()
                .ends_with(&format!("(ledger, by {APPROVER})"))
        );
        let tag = mark(id, key, &[waiver(id, key, day(20), claim())], p);
        assert!(!tag.honoured());
        assert_eq!(
            tag.describe(),
            format!("waiver claimed by bob until 2026-12-20, not honoured: {TAG_CLAIM}")
        );
        // Of a claim and the ledger's waiver, the honoured one is shown.
        let both = [
            waiver(id, key, day(20), claim()),
            waiver(id, key, day(20), ledger()),
        ];
        assert!(mark(id, key, &both, p).honoured());
    }

    #[test]
    fn no_waiver_runs_past_max_waiver_days_and_each_lapses() {
        let id = FindingId::KeyNotRotated;
        let key = Some("AKIAKEYONE000000");
        let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        for trust in [ledger(), Trust::Reviewed] {
            let m = mark(id, key, &[waiver(id, key, far, trust)], policy(day(1)));
            assert!(!m.honoured());
            assert!(m.not_honoured.unwrap().contains("max_waiver_days"));
        }
        let file = [waiver(id, key, day(10), Trust::Reviewed)];
        assert!(
            mark(id, key, &file, policy(day(10))).honoured(),
            "the last day counts"
        );
        let lapsed = mark(id, key, &file, policy(day(11)));
        assert!(lapsed.expired && !lapsed.honoured());
        assert!(lapsed.describe().starts_with("waiver expired 2026-12-10"));
    }

    #[test]
    fn a_key_level_finding_is_waived_only_by_a_waiver_naming_its_key() {
        let p = policy(day(1));
        let id = FindingId::InitialSetupKey;
        let whole_user = [waiver(id, None, day(20), Trust::Reviewed)];
        let m = mark(id, Some("AKIANEWKEY000000"), &whole_user, p);
        assert!(!m.honoured());
        assert_eq!(m.not_honoured.as_deref(), Some(WHOLE_USER));
        // Another key's waiver does not speak to it at all.
        let mut findings = [finding(id, Some("AKIANEWKEY000000"))];
        apply(
            &mut findings,
            &[waiver(
                id,
                Some("AKIAOLDKEY000000"),
                day(20),
                Trust::Reviewed,
            )],
            &p,
        );
        assert!(findings[0].waiver.is_none());
        // The user-level finding is waived by a user-level waiver.
        let multi = FindingId::MultipleActiveKeys;
        assert!(
            mark(
                multi,
                None,
                &[waiver(multi, None, day(20), Trust::Reviewed)],
                p
            )
            .honoured()
        );
        // The honoured one is shown over a claim.
        let both = [
            waiver(id, None, day(20), Trust::Reviewed),
            waiver(id, Some("AKIANEWKEY000000"), day(20), ledger()),
        ];
        assert!(mark(id, Some("AKIANEWKEY000000"), &both, p).honoured());
    }

    #[test]
    fn waivers_that_can_never_apply_are_notes() {
        let id = FindingId::MultipleActiveKeys;
        let notes = strays(
            "alice",
            &[
                waiver(id, Some("AKIAKEYONE000000"), day(20), Trust::Reviewed),
                waiver(
                    FindingId::UnusedKey,
                    Some("AKIAGONE00000000"),
                    day(20),
                    ledger(),
                ),
                waiver(FindingId::InitialSetupKey, None, day(20), ledger()),
                waiver(
                    FindingId::UnusedKey,
                    Some("AKIAKEYONE000000"),
                    day(20),
                    ledger(),
                ),
            ],
            Some(&["AKIAKEYONE000000".to_owned()]),
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("about the whole user"));
        assert!(notes[1].contains("does not have"));
        assert!(notes[2].contains("names no key"));
    }
}
