//! An organization's report made of its accounts' (pure): how each member
//! ended, and the one report of them all. The audit loop that gathers them
//! is `headless::org`.

use chrono::{DateTime, Utc};

use super::{AccountEntry, Report};
use crate::audit::Thresholds;
use crate::iam::IamError;
use crate::iam::org::Failure;
use crate::model::OrgAccount;

/// How one member account ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Audited(Box<Report>),
    Failed(Failure),
    /// Never audited, never a failure: suspended or closing, or left out by
    /// the config (the reason says which).
    Skipped(String),
}

/// Everything `--org` saw: each account in listing order, and the listing's
/// own failure if it stopped part-way.
#[derive(Debug, Clone)]
pub struct OrgAudit {
    pub members: Vec<(OrgAccount, Outcome)>,
    pub listing_error: Option<IamError>,
}

/// The "user" of an organization's own findings.
pub const ORGANIZATION: &str = "<organization>";

impl Report {
    /// Give this one-account report the organization's name and status for it.
    pub fn name_account(&mut self, id: &str, name: &str, status: &str) {
        for entry in &mut self.accounts {
            entry.account_id.get_or_insert_with(|| id.to_owned());
            entry.account_name = Some(name.to_owned());
            entry.status = Some(status.to_owned());
        }
        for user in &mut self.users {
            user.account_name = Some(name.to_owned());
        }
        for finding in &mut self.findings {
            finding.account_name = Some(name.to_owned());
        }
        for rotation in &mut self.rotations {
            rotation.account_name = Some(name.to_owned());
        }
    }

    /// Whether the organization manages its members' root credentials
    /// centrally, as `ListOrganizationsFeatures` says from the management
    /// account `account`: a `root_credentials_not_centralized` finding when
    /// not; a gap (the audit incomplete) when IAM could not say.
    pub fn centralized_root(
        &mut self,
        features: Result<Vec<String>, crate::iam::IamError>,
        account: &str,
        profile: &str,
    ) {
        const FEATURE: &str = "RootCredentialsManagement";
        match features {
            Ok(enabled) if enabled.iter().any(|f| f == FEATURE) => {}
            Ok(enabled) => {
                let id = crate::audit::FindingId::RootCredentialsNotCentralized;
                self.findings.push(super::FindingEntry {
                    profile: profile.to_owned(),
                    account_id: Some(account.to_owned()),
                    account_name: None,
                    id,
                    cis: id.cis(),
                    security_hub: id.security_hub(),
                    controls: id.controls().list(),
                    severity: id.severity(),
                    user_name: ORGANIZATION.to_owned(),
                    access_key_id: None,
                    created_with_user: None,
                    message: format!(
                        "the organization does not manage its members' root credentials centrally (ListOrganizationsFeatures: {})",
                        if enabled.is_empty() {
                            "no feature enabled".to_owned()
                        } else {
                            format!("only {}", crate::text::clean(&enabled.join(", ")))
                        }
                    ),
                    waived: None,
                    waiver_expired: None,
                    waiver_claim: None,
                    new: None,
                    risk: None,
                });
            }
            Err(err) => {
                self.complete = false;
                let line = format!(
                    "{} {}: whether the organization manages root credentials centrally is unknown; root_credentials_not_centralized cannot be judged",
                    err.action,
                    crate::account::gaps::cause(&err)
                );
                self.gaps.push(line.clone());
                self.notes.push(line);
            }
        }
    }

    /// One report of the whole organization: every account, audited,
    /// failed (with its class) or skipped; incomplete when any account that
    /// was not skipped failed, or the listing stopped part-way.
    #[must_use]
    pub fn from_org(
        audit: OrgAudit,
        profile: &str,
        thresholds: Thresholds,
        generated_at: DateTime<Utc>,
    ) -> Self {
        let mut merged = Self::empty(Some(profile.to_owned()), thresholds, generated_at);
        let (mut audited, mut failed, mut skipped) = (0, 0, 0);
        for (account, outcome) in audit.members {
            let label = if account.name.is_empty() {
                account.id.clone()
            } else {
                format!("{} ({})", account.name, account.id)
            };
            let entry = |error: Option<String>,
                         class: Option<&'static str>,
                         skip: Option<String>| AccountEntry {
                profile: profile.to_owned(),
                account_id: Some(account.id.clone()),
                account_name: Some(account.name.clone()),
                status: Some(account.status.clone()),
                credential_report_generated_at: None,
                error,
                error_class: class,
                skipped: skip.is_some(),
                skipped_reason: skip,
                complete: false,
            };
            match outcome {
                Outcome::Audited(report) => {
                    audited += 1;
                    merged.absorb(*report, &label);
                }
                Outcome::Failed(failure) => {
                    failed += 1;
                    merged.complete = false;
                    merged.accounts.push(entry(
                        Some(failure.message()),
                        Some(failure.class()),
                        None,
                    ));
                }
                Outcome::Skipped(why) => {
                    skipped += 1;
                    let mut skipped_entry = entry(None, None, Some(why));
                    skipped_entry.complete = true;
                    merged.accounts.push(skipped_entry);
                }
            }
        }
        if let Some(err) = &audit.listing_error {
            merged.complete = false;
            let line = format!(
                "organizations:ListAccounts stopped part-way ({}): accounts after the last page read are missing",
                crate::iam::org::Failure::classify(err.clone()).message()
            );
            merged.gaps.push(line.clone());
            merged.notes.push(line);
        }
        merged.notes.insert(
            0,
            format!(
                "Organization listed from profile {profile}: {audited} accounts audited, {failed} failed, {skipped} skipped (suspended, closing or left out by config)."
            ),
        );
        merged
    }
}
