//! `iamkeys report`: the audit without a terminal UI, as a table, JSON
//! (`iamkeys.report/v1`) or CSV, with an exit code for CI.

pub mod aws_verdicts;
pub mod baseline;
pub mod command;
pub mod credentials;
pub mod format;
pub mod html;
mod notes;
pub mod ocsf;
pub mod org;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::account::Account;
use crate::audit::{Cis, Finding, FindingId, Severity, Thresholds};
use crate::model::KeyStatus;

/// The JSON schema name; bumped on any incompatible change.
pub const SCHEMA: &str = "iamkeys.report/v1";

/// A finding's remedy, unless its key is the old key of a rotation that
/// still needs it: then the rotation's caution (wait), never "make it
/// inactive".
#[must_use]
pub fn remedy_in(report: &Report, f: &FindingEntry) -> String {
    let rotation = report.rotations.iter().find(|r| {
        r.old_access_key_id.as_str() == f.access_key_id.as_deref().unwrap_or_default()
            && r.user_name == f.user_name
            && r.account_id == f.account_id
            && r.old_key_needed()
    });
    match rotation {
        Some(r) => format!("Rotating to {}: {}", r.new_access_key_id, r.next_step()),
        None => remedy(f.id),
    }
}

/// A finding's remedy as the reports write it (OCSF, ASFF, HTML): the
/// commands' keys named as iamkeys' own (`iamkeys: i`).
#[must_use]
pub fn remedy(id: FindingId) -> String {
    id.remedy_with(|name| {
        match name {
            "create" => "iamkeys: c",
            "deactivate" => "iamkeys: i",
            "rotate" => "iamkeys: R",
            "usage" => "iamkeys: u",
            "remove_password" => "iamkeys: P",
            _ => "iamkeys: d",
        }
        .to_owned()
    })
}

/// Which findings make the exit code 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailOn {
    Any,
    None,
    /// Findings of this severity or worse.
    AtLeast(Severity),
    /// Findings of this risk or worse (`risk:high`): the severity raised by
    /// what the user can do. A finding whose risk is not known counts as
    /// critical (fail closed).
    RiskAtLeast(Severity),
    Ids(Vec<FindingId>),
    /// New findings (against `--baseline`) that the inner rule fails on:
    /// `new` alone is new and `any`; `new,high` is new and high or worse.
    New(Box<FailOn>),
}

impl FailOn {
    /// Parse `any`, `none`, a severity (`low`…`critical`), a risk
    /// (`risk:low`…`risk:critical`) or finding ids or control references
    /// (`IAM.3`, `cis-v7:2.11`: the findings that answer to them) separated
    /// by commas, each optionally with `new` among them.
    ///
    /// # Errors
    /// A word that is none of these.
    pub fn parse(text: &str) -> Result<Self, String> {
        let words: Vec<&str> = text.split(',').map(str::trim).collect();
        if words.contains(&"new") {
            let rest: Vec<&str> = words.into_iter().filter(|w| *w != "new").collect();
            let inner = if rest.is_empty() {
                Self::Any
            } else {
                Self::parse(&rest.join(","))?
            };
            if matches!(inner, Self::None) {
                return Err("`new,none` fails on nothing: use `none`".to_owned());
            }
            return Ok(Self::New(Box::new(inner)));
        }
        match text.trim() {
            "any" => Ok(Self::Any),
            "none" => Ok(Self::None),
            other => {
                if let Some(severity) = Severity::parse(other) {
                    return Ok(Self::AtLeast(severity));
                }
                if let Some(risk) = other.strip_prefix("risk:") {
                    return Severity::parse(risk.trim())
                        .filter(|r| *r > Severity::Info)
                        .map(Self::RiskAtLeast)
                        .ok_or_else(|| {
                            format!(
                                "`{other}`: a risk is one of risk:low, risk:medium, risk:high, risk:critical"
                            )
                        });
                }
                let mut ids = Vec::new();
                for word in other.split(',').map(str::trim) {
                    // A finding id or badge word, else a control it answers
                    // to (`IAM.3`, `cis-v7:2.11`): its findings.
                    let found = FindingId::parse_word(word)
                        .map_or_else(|| crate::audit::controls::findings_of(word), |id| vec![id]);
                    if found.is_empty() {
                        return Err(format!(
                            "`{}` is not a finding id nor a control; use any, none, new, info, low, medium, high, critical, risk:<low|medium|high|critical>, ids from: {}, their badge words: {}, or a control (IAM.3, cis-v7:2.11)",
                            crate::text::clean(word),
                            FindingId::ALL.map(FindingId::as_str).join(", "),
                            FindingId::ALL.map(FindingId::badge).join(", ")
                        ));
                    }
                    for id in found {
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                }
                Ok(Self::Ids(ids))
            }
        }
    }

    /// Whether `--baseline` is needed (`new` is asked for).
    #[must_use]
    pub fn needs_baseline(&self) -> bool {
        matches!(self, Self::New(_))
    }

    /// Whether a finding of this id and risk (`None`: not known), new
    /// against the baseline or not (`None`: no baseline), makes the exit
    /// code 1.
    #[must_use]
    pub fn fails_finding(&self, id: FindingId, risk: Option<Severity>, new: Option<bool>) -> bool {
        match self {
            Self::New(inner) => new == Some(true) && inner.fails(id, risk),
            other => other.fails(id, risk),
        }
    }

    /// Whether a finding of this id and risk makes the exit code 1 (`new`
    /// aside).
    #[must_use]
    pub fn fails(&self, id: FindingId, risk: Option<Severity>) -> bool {
        match self {
            Self::New(inner) => inner.fails(id, risk),
            Self::RiskAtLeast(floor) => {
                id.severity() > Severity::Info && risk.unwrap_or(Severity::Critical) >= *floor
            }
            // `any` is any control failure: informational findings
            // (`info`) fail only when asked for by severity or id.
            Self::Any => id.severity() > Severity::Info,
            Self::None => false,
            Self::AtLeast(severity) => id.severity() >= *severity,
            Self::Ids(ids) => ids.contains(&id),
        }
    }
}

/// One access key in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyEntry {
    /// `null` unless keys were listed (`--key-ids`): the credential report holds no key IDs.
    pub access_key_id: Option<String>,
    pub status: KeyStatus,
    /// `null` when IAM sent no creation date.
    pub created: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub last_used_service: Option<String>,
    pub last_used_region: Option<String>,
    /// When the last use comes from the credential report: the report's
    /// generation time (a use since then is not in it; it is asked of IAM
    /// only where it could change a finding). `null` when IAM's
    /// `GetAccessKeyLastUsed` answered in this run, or it is not known.
    pub last_used_as_of: Option<DateTime<Utc>>,
}

/// One user in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserEntry {
    pub profile: String,
    pub account_id: Option<String>,
    /// The account's name in the organization (`--org`), else `null`.
    pub account_name: Option<String>,
    pub user_name: String,
    pub arn: String,
    pub created: DateTime<Utc>,
    pub password_enabled: Option<bool>,
    /// The console password's last use, as IAM shows it (`null`: never,
    /// or no password).
    pub password_last_used: Option<DateTime<Utc>>,
    pub mfa_active: Option<bool>,
    pub access_keys: Vec<KeyEntry>,
    /// Service-specific credentials: Amazon Bedrock API keys, `CodeCommit`
    /// HTTPS and Amazon Keyspaces credentials.
    pub service_credentials: Vec<credentials::CredentialEntry>,
    /// SSH public keys (`CodeCommit`).
    pub ssh_public_keys: Vec<credentials::CredentialEntry>,
    /// X.509 signing certificates.
    pub signing_certificates: Vec<credentials::CredentialEntry>,
    /// What the user's policies let it do (`level`, `via`, `conditional`,
    /// `boundary`); service control policies are not evaluated. Absent
    /// when `GetAccountAuthorizationDetails` was not read to its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privileges: Option<crate::risk::Privileges>,
    /// The user's tags as read (`None`: not read), for `iamkeys plan`
    /// (owners, due dates); not in the report's JSON.
    #[serde(skip)]
    pub tags: Option<Vec<(String, String)>>,
}

/// One finding in the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEntry {
    pub profile: String,
    pub account_id: Option<String>,
    /// The account's name in the organization (`--org`), else `null`.
    pub account_name: Option<String>,
    pub id: FindingId,
    pub cis: Cis,
    /// The Security Hub control that judges the same (`IAM.3`, `IAM.4`,
    /// `IAM.22`), where there is one.
    pub security_hub: Option<&'static str>,
    /// Every control it answers to: CIS per version (with `id` null where
    /// a version has no such item) and Security Hub's.
    pub controls: Vec<crate::audit::controls::Control>,
    pub severity: Severity,
    pub user_name: String,
    pub access_key_id: Option<String>,
    /// Only on `initial_setup_key`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_with_user: Option<bool>,
    pub message: String,
    /// An honoured waiver (a tag whose verified writer is an approver, or
    /// a waivers-file entry): the finding is listed but does not count for
    /// `--fail-on`. `until`, `by`, `reason`, `source` (`tag`/`file`) and
    /// `writer` (the verified ARN; `null` for the file). `null` otherwise.
    pub waived: Option<crate::audit::waivers::WaiverMark>,
    /// The date of a waiver that has lapsed (the finding counts again).
    pub waiver_expired: Option<chrono::NaiveDate>,
    /// A waiver that is not honoured (the finding counts): what it claims,
    /// and why not. `null` otherwise.
    pub waiver_claim: Option<WaiverClaim>,
    /// With `--baseline`: not in the baseline (matched on account, finding
    /// id, user and key). Absent without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<bool>,
    /// The severity raised (or lowered) by what the user can do (see
    /// `risk::risk`). Absent when the user's privileges were not read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<Severity>,
}

impl FindingEntry {
    fn new(f: &Finding, profile: &str, account_id: Option<&String>) -> Self {
        Self {
            profile: profile.to_owned(),
            account_id: account_id.cloned(),
            account_name: None,
            id: f.id,
            cis: f.id.cis(),
            security_hub: f.id.security_hub(),
            controls: f.id.controls().list(),
            severity: f.id.severity(),
            user_name: f.user_name.clone(),
            access_key_id: f.access_key_id.clone(),
            created_with_user: f.created_with_user,
            message: f.message.clone(),
            waived: f
                .waiver
                .clone()
                .filter(crate::audit::waivers::WaiverMark::honoured),
            waiver_expired: f.waiver.as_ref().filter(|w| w.expired).map(|w| w.until),
            waiver_claim: f.waiver.as_ref().filter(|w| !w.expired).and_then(|w| {
                Some(WaiverClaim {
                    until: w.until,
                    by: w.by.clone(),
                    reason: w.reason.clone(),
                    source: w.source,
                    not_honoured: w.not_honoured.clone()?,
                })
            }),
            new: None,
            risk: None,
        }
    }
}

/// A waiver that is not honoured: the finding counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverClaim {
    pub until: chrono::NaiveDate,
    /// Who the waiver says wrote it (a claim).
    pub by: String,
    pub reason: String,
    pub source: crate::audit::waivers::Source,
    /// Why it is not honoured.
    pub not_honoured: String,
}

/// A rotation in progress (`R`; the user tag `iamkeys:rotation:<old>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotationEntry {
    pub profile: String,
    pub account_id: Option<String>,
    /// The account's name in the organization (`--org`), else `null`.
    pub account_name: Option<String>,
    pub user_name: String,
    /// The key being replaced.
    pub old_access_key_id: String,
    /// The key replacing it.
    pub new_access_key_id: String,
    pub started: DateTime<Utc>,
    /// The new key's first use as iamkeys recorded it; when none was
    /// recorded but IAM shows the new key used, its last use (the first
    /// was at or before it). `null`: not used yet — making the old key
    /// inactive would break whatever uses it.
    pub new_key_first_used: Option<DateTime<Utc>>,
    /// The old key's last use, when it came after the new key's first use:
    /// the workload has not switched yet, and making the old key inactive
    /// would break it. `null` otherwise.
    pub old_key_used_since: Option<DateTime<Utc>>,
}

impl RotationEntry {
    /// Where the rotation stands and what comes next, as the UI says it:
    /// the old key still used after the new key's first use means wait.
    #[must_use]
    pub fn next_step(&self) -> String {
        let at = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        let old = crate::text::clean(&self.old_access_key_id);
        match (self.new_key_first_used, self.old_key_used_since) {
            (None, _) => {
                format!("new key not used yet: making {old} inactive would break what uses it")
            }
            (Some(first), Some(since)) => format!(
                "new key in use since {}, but {old} still used {}, after the new key's first use: wait (the workload has not switched)",
                at(first),
                at(since)
            ),
            (Some(first), None) => format!(
                "new key in use since {}: make {old} inactive next (iamkeys: i)",
                at(first)
            ),
        }
    }

    /// Whether the old key must stay active for now.
    #[must_use]
    pub fn old_key_needed(&self) -> bool {
        self.new_key_first_used.is_none() || self.old_key_used_since.is_some()
    }
}

/// One profile's part of a report over several profiles.
#[derive(Debug)]
pub enum Part {
    Audited(Box<Report>),
    /// The profile could not be audited: why.
    Failed(String),
    /// The profile reaches an account an earlier profile already audited.
    SameAccount {
        account_id: String,
        as_profile: String,
    },
}

/// One audited account (profile), and whether its audit succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountEntry {
    pub profile: String,
    pub account_id: Option<String>,
    /// The account's name in the organization (`--org`), else `null`.
    pub account_name: Option<String>,
    /// The account's state in the organization (`ACTIVE`, `SUSPENDED`, …;
    /// `--org`), else `null`.
    pub status: Option<String>,
    pub credential_report_generated_at: Option<DateTime<Utc>>,
    /// Why this account could not be audited; its users and findings are missing.
    pub error: Option<String>,
    /// The error's class: `role_denied`, `scp_denied`, `access_denied`,
    /// `throttled`, `unreachable`, `failed` (`--org`), else `null`.
    pub error_class: Option<&'static str>,
    /// Suspended or closing, or left out by the config (`--org`): not
    /// audited, and not a failure.
    pub skipped: bool,
    /// Why it was skipped: `SUSPENDED (suspended or closing)`, `excluded by
    /// config`, `not in [org] accounts`; else `null`.
    pub skipped_reason: Option<String>,
    /// Every rule could be judged for every user and key of this account.
    pub complete: bool,
}

/// The whole report (`iamkeys.report/v1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub generated_at: DateTime<Utc>,
    /// The profile, when one account was audited; `null` for several.
    pub profile: Option<String>,
    pub account_id: Option<String>,
    pub credential_report_generated_at: Option<DateTime<Utc>>,
    pub thresholds: Thresholds,
    /// Things a reader must know: where the data came from (a credential
    /// report generated for this run, or one IAM already had), and every
    /// gap — what could not be read, with the API and the users affected.
    pub notes: Vec<String>,
    /// `false` when any rule could not be judged somewhere (see `gaps`):
    /// the exit code is then 2, whatever the findings.
    pub complete: bool,
    /// What could not be read, one line per API and cause, with the users
    /// affected (also in `notes`).
    pub gaps: Vec<String>,
    /// Every account audited, failed ones included.
    pub accounts: Vec<AccountEntry>,
    pub users: Vec<UserEntry>,
    pub findings: Vec<FindingEntry>,
    /// `report --with-access-analyzer`: IAM Access Analyzer's verdict on
    /// each active key and console password beside IAM's facts (absent
    /// without the flag; empty with a note when no analyzer could be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_verdicts: Option<Vec<aws_verdicts::VerdictEntry>>,
    /// Rotations in progress, oldest first.
    pub rotations: Vec<RotationEntry>,
    /// With `--baseline`: its findings no longer present (in accounts this
    /// run audited completely). Absent without a baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Vec<baseline::BaselineFinding>>,
    /// Each audited account's ledger, folded (for `plan`'s due dates).
    #[serde(skip)]
    pub ledgers: std::collections::BTreeMap<String, std::sync::Arc<crate::ledger::Folded>>,
}

impl Report {
    /// Build the report of one account, loaded through `profile`.
    #[must_use]
    pub fn from_account(account: &Account, profile: &str, generated_at: DateTime<Utc>) -> Self {
        let mut notes = notes::source_notes(account);
        let all_gaps = account.gaps();
        let complete = !all_gaps.iter().any(|g| g.blocks_audit);
        let gaps = crate::account::gaps::lines(&all_gaps);
        notes.extend(gaps.iter().cloned());
        let mut rows: Vec<_> = account.users().rows().collect();
        rows.sort_by(|a, b| a.user.name.cmp(&b.user.name));
        let profile = profile.to_owned();
        let account_id = account.known_identity().map(|i| i.account_id.clone());
        let users = rows
            .iter()
            .map(|row| user_entry(account, row, &profile, account_id.as_ref()))
            .collect();
        let findings = account
            .root_findings()
            .iter()
            .chain(rows.iter().flat_map(|r| r.findings.iter()))
            .map(|f| {
                let mut entry = FindingEntry::new(f, &profile, account_id.as_ref());
                entry.risk = account.risk_of(f);
                entry
            })
            .collect();
        let rotations = rotations(account, &rows, &profile, account_id.as_ref(), &mut notes);
        let credential_report_generated_at = account.credential_report().map(|r| r.generated_at);
        Self {
            aws_verdicts: None,
            schema: SCHEMA,
            generated_at,
            accounts: vec![AccountEntry {
                profile: profile.clone(),
                account_id: account_id.clone(),
                account_name: None,
                status: None,
                credential_report_generated_at,
                error: None,
                error_class: None,
                skipped: false,
                skipped_reason: None,
                complete,
            }],
            profile: Some(profile),
            account_id: account_id.clone(),
            credential_report_generated_at,
            thresholds: account.thresholds.clone(),
            notes,
            complete,
            gaps,
            users,
            findings,
            rotations,
            resolved: None,
            ledgers: account_id
                .as_ref()
                .zip(account.ledger())
                .map(|(id, folded)| (id.clone(), std::sync::Arc::new(folded.clone())))
                .into_iter()
                .collect(),
        }
    }

    /// The report of the rows on screen (`:export`): these users, in this
    /// order, and the root user's findings when its row is shown; written
    /// as `iamkeys report` writes the whole account.
    #[must_use]
    pub fn rows(
        account: &Account,
        profile: &str,
        generated_at: DateTime<Utc>,
        names: &[String],
        root: bool,
    ) -> Self {
        let mut report = Self::from_account(account, profile, generated_at);
        let place = |user: &str| names.iter().position(|n| n == user);
        report.users.retain(|u| place(&u.user_name).is_some());
        report
            .users
            .sort_by_key(|u| place(&u.user_name).unwrap_or(usize::MAX));
        report.findings.retain(|f| {
            (root && f.user_name == crate::model::ROOT_ROW) || place(&f.user_name).is_some()
        });
        // Stable: each user's findings keep their order.
        report
            .findings
            .sort_by_key(|f| place(&f.user_name).map_or(0, |i| i + 1));
        report.rotations.retain(|r| place(&r.user_name).is_some());
        report
    }

    /// One report of several accounts: each profile's report, or its error.
    #[must_use]
    pub fn merge(
        parts: Vec<(String, Part)>,
        thresholds: Thresholds,
        generated_at: DateTime<Utc>,
    ) -> Self {
        let mut merged = Self::empty(None, thresholds, generated_at);
        for (profile, part) in parts {
            match part {
                Part::Audited(report) => merged.absorb(*report, &profile),
                Part::SameAccount {
                    account_id,
                    as_profile,
                } => {
                    merged.notes.push(format!(
                        "{profile}: reaches account {account_id}, as profile {as_profile} does: audited once, through {as_profile}"
                    ));
                    merged.accounts.push(AccountEntry {
                        profile,
                        account_id: Some(account_id),
                        account_name: None,
                        status: None,
                        credential_report_generated_at: None,
                        error: None,
                        error_class: None,
                        skipped: true,
                        skipped_reason: Some(format!(
                            "the same account as profile {as_profile}: audited once, through it"
                        )),
                        complete: true,
                    });
                }
                Part::Failed(error) => {
                    merged.complete = false;
                    merged.accounts.push(AccountEntry {
                        profile,
                        account_id: None,
                        account_name: None,
                        status: None,
                        credential_report_generated_at: None,
                        error: Some(error),
                        error_class: None,
                        skipped: false,
                        skipped_reason: None,
                        complete: false,
                    });
                }
            }
        }
        merged
    }

    /// A report of no account yet, to merge accounts into.
    fn empty(profile: Option<String>, thresholds: Thresholds, generated_at: DateTime<Utc>) -> Self {
        Self {
            aws_verdicts: None,
            schema: SCHEMA,
            generated_at,
            profile,
            account_id: None,
            credential_report_generated_at: None,
            thresholds,
            notes: Vec::new(),
            complete: true,
            gaps: Vec::new(),
            accounts: Vec::new(),
            users: Vec::new(),
            findings: Vec::new(),
            rotations: Vec::new(),
            resolved: None,
            ledgers: std::collections::BTreeMap::new(),
        }
    }

    /// Take in one account's report; its notes and gaps are prefixed with
    /// `label` (the profile, or the organization's account).
    fn absorb(&mut self, part: Report, label: &str) {
        self.complete &= part.complete;
        self.gaps
            .extend(part.gaps.into_iter().map(|n| format!("{label}: {n}")));
        self.notes
            .extend(part.notes.into_iter().map(|n| format!("{label}: {n}")));
        self.accounts.extend(part.accounts);
        self.users.extend(part.users);
        self.findings.extend(part.findings);
        self.rotations.extend(part.rotations);
        self.ledgers.extend(part.ledgers);
    }

    /// The accounts that could not be audited.
    pub fn failed(&self) -> impl Iterator<Item = &AccountEntry> {
        self.accounts.iter().filter(|a| a.error.is_some())
    }

    /// Whether any finding is at or above `fail_on`.
    #[must_use]
    pub fn fails(&self, fail_on: &FailOn) -> bool {
        self.failing(fail_on) > 0
    }

    /// How many findings are at or above `fail_on` (a waived finding is
    /// listed, never failed on).
    #[must_use]
    pub fn failing(&self, fail_on: &FailOn) -> usize {
        self.findings
            .iter()
            .filter(|f| f.waived.is_none() && fail_on.fails_finding(f.id, f.risk, f.new))
            .count()
    }
}

/// One user as the report lists it.
fn user_entry(
    account: &Account,
    row: &crate::account::users::UserRow,
    profile: &str,
    account_id: Option<&String>,
) -> UserEntry {
    let [service_credentials, ssh_public_keys, signing_certificates] = credentials::of(row);
    UserEntry {
        service_credentials,
        ssh_public_keys,
        signing_certificates,
        profile: profile.to_owned(),
        account_id: account_id.cloned(),
        account_name: None,
        user_name: row.user.name.clone(),
        arn: row.user.arn.clone(),
        created: row.user.created,
        password_enabled: row.password,
        password_last_used: row.user.password_last_used,
        mfa_active: row.mfa,
        privileges: account.privileges(&row.user.name),
        tags: match &row.tags {
            crate::account::users::TagsState::Loaded(tags) => Some(tags.clone()),
            _ => None,
        },
        access_keys: row
            .audit_keys()
            .into_iter()
            .map(|k| {
                let asked =
                    k.id.as_ref()
                        .is_some_and(|id| row.last_used.contains_key(id));
                let as_of = if asked || k.last_used.is_none() {
                    None
                } else {
                    account.credential_report().map(|r| r.generated_at)
                };
                let used = k.last_used.unwrap_or_default();
                KeyEntry {
                    access_key_id: k.id,
                    status: k.status,
                    created: k.created,
                    last_used: used.date,
                    last_used_service: used.service,
                    last_used_region: used.region,
                    last_used_as_of: as_of,
                }
            })
            .collect(),
    }
}

/// The rotations in progress of the account's users, oldest first. A
/// rotation whose old key no longer exists (deleted outside iamkeys) is a
/// note, not a rotation.
fn rotations(
    account: &Account,
    rows: &[&crate::account::UserRow],
    profile: &str,
    account_id: Option<&String>,
    notes: &mut Vec<String>,
) -> Vec<RotationEntry> {
    let mut out = Vec::new();
    for row in rows {
        let user = &row.user.name;
        let old_gone = |rotation: &crate::account::rotation::Rotation| {
            row.listed_keys()
                .is_some_and(|keys| !keys.iter().any(|k| k.id == rotation.old))
        };
        for (rotation, why) in account.stale_rotations(user) {
            if old_gone(&rotation) {
                notes.push(format!(
                    "rotation of {} (user {user}) in the ledger: the key no longer exists, so the rotation is over (R records its end).",
                    rotation.old
                ));
            } else {
                notes.push(format!(
                    "rotation of {} to {} (user {user}) in the ledger is not honoured: {why}; R on {} in the UI records its end.",
                    rotation.old,
                    rotation.new,
                    rotation.old
                ));
            }
        }
        for rotation in account.rotations(user) {
            if old_gone(&rotation) {
                notes.push(format!(
                    "rotation of {} (user {user}) in the ledger: the key no longer exists, so the rotation is over (R records its end).",
                    rotation.old
                ));
                continue;
            }
            out.push(RotationEntry {
                profile: profile.to_owned(),
                account_id: account_id.cloned(),
                account_name: None,
                user_name: user.clone(),
                new_key_first_used: account.new_key_used(&rotation),
                old_key_used_since: account.old_key_still_used(&rotation),
                old_access_key_id: rotation.old,
                new_access_key_id: rotation.new,
                started: rotation.started,
            });
        }
    }
    out.sort_by_key(|r| r.started);
    out
}

/// Reports and accounts for unit tests of the report's parts.
#[cfg(test)]
pub(crate) mod tests_support;

#[cfg(test)]
mod tests;
