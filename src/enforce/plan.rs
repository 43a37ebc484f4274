//! The plan: what the rules would do to which key, and when. Built from a
//! complete report (an incomplete audit makes no plan: a gap never becomes
//! an action). Each action's `due` date is `notice_days` after the key's
//! first appearance in a plan, kept in the user tag `iamkeys:due:<key ID>`
//! (written by `plan --record`) so that planning again never postpones it;
//! a due tag later than the date this plan would give is not honoured (a
//! user who can tag itself must not postpone its own deadline).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{CheckedRule, RuleAction};
use crate::audit::{FindingId, Severity};
use crate::model::KeyStatus;
use crate::report::Report;

/// The plan's schema name; bumped on any incompatible change.
pub const SCHEMA: &str = "iamkeys.plan/v1";

/// The user tag an earlier iamkeys wrote for a due date: a claim, never read
/// (the ledger's `due.recorded` is the record).
pub const DUE_TAG: &str = "iamkeys:due:";

/// What a key looked like when the plan was made: `apply` acts only if it
/// still looks so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub status: KeyStatus,
    pub created: Option<DateTime<Utc>>,
    /// `null`: never used (the audit was complete, so it is known).
    pub last_used: Option<DateTime<Utc>>,
}

/// One action on one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedAction {
    pub account_id: String,
    pub account_name: Option<String>,
    pub user_name: String,
    /// The access key's ID, or another long-term credential's (then
    /// `credential` says which kind).
    pub access_key_id: String,
    /// For a service-specific credential, SSH public key or signing
    /// certificate, its kind (`service:<service>`, `ssh_public_key`,
    /// `signing_certificate`); absent for an access key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    pub action: RuleAction,
    pub finding: FindingId,
    /// The config's rule that asked for it (1-based).
    pub rule: usize,
    pub risk: Option<Severity>,
    /// The user's owner tag, else `unowned`.
    pub owner: String,
    pub due: NaiveDate,
    /// Whether `due` is the key's due tag (set by an earlier `--record`).
    pub due_recorded: bool,
    pub evidence: Evidence,
}

impl PlannedAction {
    /// The kind of the credential it acts on, when it is not an access key
    /// (and the plan names a kind iamkeys knows).
    #[must_use]
    pub fn kind(&self) -> Option<crate::model::credential::CredentialKind> {
        self.credential
            .as_deref()
            .and_then(crate::model::credential::CredentialKind::from_plan_name)
    }

    /// `make inactive AKIA… of alice (rule 1, unused_key)`.
    #[must_use]
    pub fn describe(&self) -> String {
        format!(
            "{} {} of {} in {} (rule {}, {})",
            self.action.words(),
            self.access_key_id,
            crate::text::clean(&self.user_name),
            self.account_id,
            self.rule,
            self.finding
        )
    }
}

/// A plan, as `iamkeys plan` writes it and `iamkeys apply` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub schema: String,
    pub created: DateTime<Utc>,
    /// Who made the plan (the caller's ARN), where known.
    pub caller: Option<String>,
    pub notice_days: u32,
    pub actions: Vec<PlannedAction>,
    /// What was left out and why (waived, a rule that could not apply, a
    /// due tag not honoured).
    pub notes: Vec<String>,
}

/// The due date of a key: the first one the ledger recorded (never moved
/// by a later plan, and never sooner than `notice_days` after the owner was
/// first told), else `today` plus `notice_days`. An `iamkeys:due:` tag is a
/// claim: never read. A record that cannot be about this key — recorded,
/// or due, before the key was created — is not honoured (said in `notes`).
fn due(
    ledger: Option<&crate::ledger::Folded>,
    key_id: &str,
    created: Option<DateTime<Utc>>,
    today: NaiveDate,
    notice_days: u32,
    notes: &mut Vec<String>,
) -> (NaiveDate, bool) {
    let fresh = (today + TimeDelta::days(i64::from(notice_days)), false);
    match ledger.and_then(|l| l.due(key_id, notice_days)) {
        Some((_, record))
            if created.is_some_and(|made| {
                record.recorded + TimeDelta::minutes(5) < made || record.due < made.date_naive()
            }) =>
        {
            notes.push(format!(
                "{key_id}: the ledger's due date {} (recorded {}) is from before the key was created: not honoured",
                record.due,
                record.recorded.format("%Y-%m-%d")
            ));
            fresh
        }
        Some((date, _)) => (date, true),
        None => fresh,
    }
}

/// What a plan is made from: a complete report, the checked rules and the
/// owner tag's name.
pub struct Inputs<'a> {
    pub report: &'a Report,
    pub rules: &'a [CheckedRule],
    pub owner_tag: &'a str,
    pub notice_days: u32,
    pub caller: Option<String>,
    pub now: DateTime<Utc>,
}

/// The action `rule` asks for on `key_id`, if its key is as the rule
/// needs it (Active to make inactive, Inactive to delete).
fn planned(
    inputs: &Inputs<'_>,
    rule: &CheckedRule,
    finding: &crate::report::FindingEntry,
    key_id: &str,
    today: NaiveDate,
    notes: &mut Vec<String>,
) -> Option<PlannedAction> {
    let user = inputs
        .report
        .users
        .iter()
        .find(|u| u.user_name == finding.user_name && u.account_id == finding.account_id)?;
    let key = target(user, key_id)?;
    let wanted = match rule.action {
        RuleAction::MakeInactive => KeyStatus::Active,
        RuleAction::Delete => KeyStatus::Inactive,
    };
    if key.status != Some(wanted) {
        notes.push(format!(
            "{key_id} of {}: {} wants it {wanted} and it is {}: not planned",
            crate::text::clean(&user.user_name),
            rule.name(),
            key.status.map_or_else(
                || crate::text::clean(&key.said).into_owned(),
                |s| s.to_string()
            )
        ));
        return None;
    }
    let ledger = finding
        .account_id
        .as_ref()
        .and_then(|id| inputs.report.ledgers.get(id))
        .map(AsRef::as_ref);
    // Who answers for the key: the ledger's `owner.set`, else the owner tag.
    let tags = user.tags.as_deref().unwrap_or_default();
    let owner = ledger
        .and_then(|l| l.owners.get(&user.user_name))
        .map(|set| set.value.trim())
        .or_else(|| {
            tags.iter()
                .find(|(k, _)| k == inputs.owner_tag)
                .map(|(_, v)| v.trim())
        })
        .filter(|v| !v.is_empty())
        .map_or_else(
            || "unowned".to_owned(),
            |v| crate::text::clean(v).into_owned(),
        );
    let (due, due_recorded) = due(
        ledger,
        key_id,
        key.created,
        today,
        inputs.notice_days,
        notes,
    );
    Some(PlannedAction {
        account_id: finding.account_id.clone().unwrap_or_default(),
        account_name: finding.account_name.clone(),
        user_name: user.user_name.clone(),
        access_key_id: key_id.to_owned(),
        credential: key.credential,
        action: rule.action,
        finding: finding.id,
        rule: rule.number,
        risk: finding.risk,
        owner,
        due,
        due_recorded,
        evidence: Evidence {
            status: wanted,
            created: key.created,
            last_used: key.last_used,
        },
    })
}

/// A key or other credential of a user, as the report shows it.
struct Target {
    /// `None`: a status no rule acts on (`Expired`, or a word iamkeys does
    /// not know), as `said`.
    status: Option<KeyStatus>,
    said: String,
    created: Option<DateTime<Utc>>,
    last_used: Option<DateTime<Utc>>,
    /// The kind, for a credential that is not an access key.
    credential: Option<String>,
}

/// The access key or other credential `id` of `user`.
fn target(user: &crate::report::UserEntry, id: &str) -> Option<Target> {
    if let Some(key) = user
        .access_keys
        .iter()
        .find(|k| k.access_key_id.as_deref() == Some(id))
    {
        return Some(Target {
            status: Some(key.status),
            said: key.status.to_string(),
            created: key.created,
            last_used: key.last_used,
            credential: None,
        });
    }
    let kinds = [
        (&user.service_credentials, None),
        (
            &user.ssh_public_keys,
            Some(crate::model::credential::CredentialKind::SshKey),
        ),
        (
            &user.signing_certificates,
            Some(crate::model::credential::CredentialKind::SigningCertificate),
        ),
    ];
    kinds.into_iter().find_map(|(entries, kind)| {
        let entry = entries.iter().find(|c| c.id.as_deref() == Some(id))?;
        let kind = kind.or_else(|| {
            entry
                .service
                .clone()
                .map(|service| crate::model::credential::CredentialKind::Service { service })
        })?;
        Some(Target {
            status: match entry.status.as_str() {
                "Active" => Some(KeyStatus::Active),
                "Inactive" => Some(KeyStatus::Inactive),
                _ => None,
            },
            said: entry.status.clone(),
            created: entry.created,
            // IAM gives no last use for these.
            last_used: None,
            credential: Some(kind.plan_name()),
        })
    })
}

/// The plan of these findings: for each key, the first rule that covers one
/// of its open findings (waived findings never planned).
///
/// # Errors
/// The report is incomplete: a gap never becomes an action.
pub fn build(inputs: &Inputs<'_>) -> Result<Plan, String> {
    let report = inputs.report;
    if !report.complete {
        return Err(format!(
            "the audit is incomplete ({} gap{}): no plan is made from what could not be seen",
            report.gaps.len(),
            if report.gaps.len() == 1 { "" } else { "s" }
        ));
    }
    let today = inputs.now.date_naive();
    let mut notes = Vec::new();
    let mut actions: Vec<PlannedAction> = Vec::new();
    for rule in inputs.rules {
        for finding in &report.findings {
            if !rule.covers(finding.id, &finding.user_name, finding.risk) {
                continue;
            }
            let Some(key_id) = finding.access_key_id.as_deref() else {
                continue;
            };
            if finding.waived.is_some() {
                notes.push(format!(
                    "{key_id} of {}: {} is waived: not planned",
                    crate::text::clean(&finding.user_name),
                    finding.id
                ));
                continue;
            }
            let Some(account_id) = finding.account_id.clone() else {
                notes.push(format!(
                    "{key_id} of {}: its account is not known: not planned",
                    crate::text::clean(&finding.user_name)
                ));
                continue;
            };
            // One action per key: the first rule (in the config's order)
            // that covers it.
            if actions
                .iter()
                .any(|a| a.account_id == account_id && a.access_key_id == key_id)
            {
                continue;
            }
            if let Some(action) = planned(inputs, rule, finding, key_id, today, &mut notes) {
                actions.push(action);
            }
        }
    }
    actions.sort_by(|a, b| {
        (a.due, &a.account_id, &a.user_name, &a.access_key_id).cmp(&(
            b.due,
            &b.account_id,
            &b.user_name,
            &b.access_key_id,
        ))
    });
    Ok(Plan {
        schema: SCHEMA.to_owned(),
        created: inputs.now,
        caller: inputs.caller.clone(),
        notice_days: inputs.notice_days,
        actions,
        notes,
    })
}

impl Plan {
    /// The plan for people: one line per action, due first.
    #[must_use]
    pub fn table(&self, today: NaiveDate) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Plan of {} ({} action{}; owners told {} days before)",
            self.created.format("%Y-%m-%d %H:%M UTC"),
            self.actions.len(),
            if self.actions.len() == 1 { "" } else { "s" },
            self.notice_days
        );
        if self.actions.is_empty() {
            out.push_str("Nothing to do.\n");
        } else {
            // Each column as wide as its widest cell: a due-now date or a
            // long user name never pushes the rest out of line.
            let header = [
                "DUE",
                "ACTION",
                "ACCOUNT",
                "USER",
                "ACCESS KEY",
                "FINDING",
                "OWNER",
            ];
            let mut rows = vec![header.map(ToOwned::to_owned).to_vec()];
            for a in &self.actions {
                let due = if a.due <= today {
                    format!("{} now", a.due)
                } else {
                    a.due.to_string()
                };
                rows.push(vec![
                    due,
                    a.action.words().to_owned(),
                    a.account_id.clone(),
                    crate::text::clean(&a.user_name).into_owned(),
                    a.access_key_id.clone(),
                    a.finding.as_str().to_owned(),
                    crate::text::clean(&a.owner).into_owned(),
                ]);
            }
            out.push_str(&crate::text::aligned(&rows));
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {}", crate::text::clean(note));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enforce::rules::CheckedRule;
    use crate::report::{FindingEntry, KeyEntry, UserEntry};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    /// Issue 32 item 6: the first due date the ledger recorded stands; a
    /// tag (early or removed) moves nothing; a notice gives its days.
    #[test]
    fn the_ledger_s_first_due_date_stands_and_tags_move_nothing() {
        use crate::ledger::{Event, Folded, Kind};
        let key = "AKIAKEY0000000000001";
        let by = "arn:aws:sts::123456789012:assumed-role/SecurityAudit/bob";
        let at = |d: u32| day(d).and_hms_opt(9, 0, 0).unwrap().and_utc();
        let recorded = |d: u32, due: u32| {
            Event::new(
                at(d),
                "123456789012",
                Some("u"),
                Some(key),
                by,
                Kind::DueRecorded {
                    due: day(due),
                    action: "make_inactive".into(),
                    finding: FindingId::UnusedKey,
                },
            )
        };
        let mut notes = Vec::new();
        let made = Some(at(1) - chrono::TimeDelta::hours(1));
        assert_eq!(due(None, key, made, day(2), 7, &mut notes), (day(9), false));
        // First recorded on the 1st for the 8th; a later plan asking the 5th
        // or the 20th moves nothing.
        let ledger = Folded::new(
            "123456789012",
            &[recorded(1, 8), recorded(2, 5), recorded(3, 20)],
        )
        .unwrap();
        assert_eq!(
            due(Some(&ledger), key, made, day(4), 7, &mut notes),
            (day(8), true)
        );
        // Issue 34 item 4: a key made after its due date was recorded (the
        // record cannot be about it) gets a fresh date, and a note.
        let later = Some(at(3));
        assert_eq!(
            due(Some(&ledger), key, later, day(4), 7, &mut notes),
            (day(11), false)
        );
        assert!(
            notes.last().unwrap().contains("before the key was created"),
            "{notes:?}"
        );
        // The owner told on the 6th with 7 days' notice: not before the 13th.
        let told = Event::new(
            at(6),
            "123456789012",
            Some("u"),
            Some(key),
            by,
            Kind::NoticeSent {
                due: day(8),
                owner: "ops@example.com".into(),
                channel: "sns".into(),
            },
        );
        let ledger = Folded::new("123456789012", &[recorded(1, 8), told]).unwrap();
        assert_eq!(
            due(Some(&ledger), key, made, day(7), 7, &mut notes),
            (day(13), true)
        );
    }

    fn report() -> Report {
        let mut report = crate::report::tests_support::empty_report();
        let key = |id: &str, status| KeyEntry {
            access_key_id: Some(id.into()),
            status,
            created: Some(now() - chrono::TimeDelta::days(100)),
            last_used: None,
            last_used_service: None,
            last_used_region: None,
            last_used_as_of: None,
        };
        for (name, status) in [("alice", KeyStatus::Active), ("bob", KeyStatus::Inactive)] {
            report.users.push(UserEntry {
                profile: "p".into(),
                account_id: Some("123456789012".into()),
                account_name: None,
                user_name: name.into(),
                arn: format!("arn:aws:iam::123456789012:user/{name}"),
                created: now() - chrono::TimeDelta::days(200),
                password_enabled: Some(true),
                password_last_used: None,
                mfa_active: Some(true),
                access_keys: vec![key(&format!("AKIA{name:0>16}"), status)],
                service_credentials: Vec::new(),
                ssh_public_keys: Vec::new(),
                signing_certificates: Vec::new(),
                privileges: None,
                tags: Some(vec![("owner".into(), "ops@example.com".into())]),
            });
            let key = format!("AKIA{name:0>16}");
            report.findings.push(FindingEntry {
                message: String::new(),
                risk: Some(Severity::Medium),
                ..crate::report::tests_support::finding(FindingId::UnusedKey, name, Some(&key))
            });
        }
        report
    }

    fn rules() -> Vec<CheckedRule> {
        crate::enforce::rules::unused_keys_made_inactive()
    }

    fn inputs<'a>(report: &'a Report, rules: &'a [CheckedRule]) -> Inputs<'a> {
        Inputs {
            report,
            rules,
            owner_tag: "owner",
            notice_days: 7,
            caller: None,
            now: now(),
        }
    }

    #[test]
    fn the_plan_names_each_key_once_with_its_owner_and_due_date() {
        let report = report();
        let rules = rules();
        let plan = build(&inputs(&report, &rules)).unwrap();
        // bob's key is Inactive: a make-inactive rule cannot act on it.
        assert_eq!(plan.actions.len(), 1, "{plan:#?}");
        let a = &plan.actions[0];
        assert_eq!(
            (a.user_name.as_str(), a.owner.as_str(), a.due),
            ("alice", "ops@example.com", day(9))
        );
        assert_eq!(a.evidence.status, KeyStatus::Active);
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("bob") && n.contains("not planned"))
        );
        // A second rule for the same key adds nothing.
        let mut twice = rules.clone();
        twice.push(CheckedRule {
            number: 2,
            ..rules[0].clone()
        });
        assert_eq!(build(&inputs(&report, &twice)).unwrap().actions.len(), 1);
        // The table says what and when.
        let table = plan.table(day(2));
        assert!(table.contains("2026-12-09  make inactive"), "{table}");
        // Issue 38 item 12: a due-now date and a long user name stay in
        // their columns: every row's ACTION and OWNER start where the
        // header's do.
        let mut long = plan.clone();
        long.actions[0].user_name = "a-rather-long-service-user-name".into();
        let table = long.table(day(30));
        let lines: Vec<&str> = table.lines().skip(1).take(2).collect();
        let at = |line: &str, word: &str| line.find(word).unwrap();
        assert!(lines[1].contains("2026-12-09 now"), "{table}");
        assert_eq!(
            at(lines[0], "ACTION"),
            at(lines[1], "make inactive"),
            "{table}"
        );
        assert_eq!(
            at(lines[0], "OWNER"),
            at(lines[1], "ops@example.com"),
            "{table}"
        );
    }

    #[test]
    fn waived_findings_and_incomplete_audits_plan_nothing() {
        let mut report = report();
        report.findings[0].waived = Some(crate::report::tests_support::file_waiver(day(30)));
        let rules = rules();
        let plan = build(&inputs(&report, &rules)).unwrap();
        assert!(plan.actions.is_empty(), "{plan:#?}");
        assert!(plan.notes.iter().any(|n| n.contains("waived")));
        report.complete = false;
        let err = build(&inputs(&report, &rules)).unwrap_err();
        assert!(err.contains("incomplete"), "{err}");
    }
}
