//! `iamkeys report --org`: every account of an AWS Organization, audited
//! as the listing pages arrive, several at once under one bound on requests
//! in flight. Each account ends audited, failed (classified), or skipped
//! (suspended, closing); a failure never stops the others.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

use super::load::load_account;
use super::{AccountEntry, Report};
use crate::account::{Account, IdentityStatus, ListStatus};
use crate::audit::Thresholds;
use crate::iam::org::{Failure, OrgClient, skipped};
use crate::iam::{IamClient, IamError};
use crate::model::OrgAccount;
use crate::worker::Settings;

/// How long one member's audit may take.
const TIMEOUT: Duration = Duration::from_mins(30);

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

/// How the audit reaches one member: its client, or why it cannot.
pub type Connect<'a> =
    dyn Fn(OrgAccount) -> BoxFuture<'a, Result<Arc<dyn IamClient>, IamError>> + Send + Sync + 'a;

/// Why the config leaves an account out, if it does.
pub type Exclude<'a> = dyn Fn(&OrgAccount) -> Option<String> + Send + Sync + 'a;

/// What every member's audit shares.
pub struct Plan<'a> {
    /// The profile the organization is reached from.
    pub profile: String,
    pub thresholds: Thresholds,
    /// Worker settings; `shared` bounds requests across all members.
    pub settings: Settings,
    pub key_ids: bool,
    pub accounts_at_once: usize,
    /// Why a listed account is not audited (`[org] accounts` / `exclude`),
    /// if it is not: it is still listed, as skipped with the reason.
    pub exclude: Box<Exclude<'a>>,
}

/// List the organization's accounts and audit each as its page arrives.
pub async fn audit_org(
    org: Arc<dyn OrgClient>,
    connect: &Connect<'_>,
    plan: &Plan<'_>,
) -> OrgAudit {
    let (tx, rx) = mpsc::unbounded_channel::<OrgAccount>();
    let deadline = plan.settings.deadline;
    let lister = tokio::spawn(async move {
        let mut next = None;
        let mut pages = crate::iam::pages::Pages::new();
        // An account listed twice is audited once.
        let mut listed = std::collections::HashSet::new();
        loop {
            let listing = org.list_accounts(next);
            let page = match deadline {
                Some(deadline) => {
                    tokio::time::timeout_at(deadline, listing)
                        .await
                        .map_err(|_| {
                            IamError::new(
                                crate::iam::ErrorKind::TimedOut,
                                "organizations:ListAccounts",
                                "the run's --timeout came before the listing ended",
                            )
                        })??
                }
                None => listing.await?,
            };
            for account in page.items {
                if !listed.insert(account.id.clone()) {
                    tracing::warn!(account = %crate::text::clean(&account.id), "listed again: audited once");
                    continue;
                }
                if tx.send(account).is_err() {
                    return Ok(());
                }
            }
            match pages.next("organizations:ListAccounts", page.next_marker)? {
                Some(marker) => next = Some(marker),
                None => return Ok(()),
            }
        }
    });
    let accounts = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|account| (account, rx))
    });
    let mut members: Vec<(usize, OrgAccount, Outcome)> = accounts
        .enumerate()
        .map(|(order, account)| async move {
            let outcome = audit_member(&account, connect, plan).await;
            (order, account, outcome)
        })
        .buffer_unordered(plan.accounts_at_once.max(1))
        .collect()
        .await;
    members.sort_by_key(|(order, ..)| *order);
    let listing_error = match lister.await {
        Ok(Ok(())) => None,
        Ok(Err(err)) => Some(err),
        Err(join) => Some(IamError::new(
            crate::iam::ErrorKind::Other,
            "organizations:ListAccounts",
            format!("the listing task stopped: {join}"),
        )),
    };
    OrgAudit {
        members: members.into_iter().map(|(_, a, o)| (a, o)).collect(),
        listing_error,
    }
}

async fn audit_member(account: &OrgAccount, connect: &Connect<'_>, plan: &Plan<'_>) -> Outcome {
    if skipped(&account.status) {
        tracing::info!(account = %account.id, status = %account.status, "skipped");
        return Outcome::Skipped(format!("{} (suspended or closing)", account.status));
    }
    if let Some(why) = (plan.exclude)(account) {
        tracing::info!(account = %account.id, %why, "skipped");
        return Outcome::Skipped(why);
    }
    let timed_out = |what: &str| {
        Outcome::Failed(Failure::TimedOut(IamError::new(
            crate::iam::ErrorKind::TimedOut,
            "iamkeys report --timeout",
            format!("the run's --timeout came {what}"),
        )))
    };
    let connecting = connect(account.clone());
    let connected = match plan.settings.deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, connecting).await {
            Ok(connected) => connected,
            Err(_) => return timed_out("before the account's session was made"),
        },
        None => connecting.await,
    };
    let client = match connected {
        Ok(client) => client,
        Err(err) => return Outcome::Failed(Failure::classify(err)),
    };
    let mut loaded = Account::new(plan.thresholds.clone(), plan.key_ids, Utc::now());
    if let Err(message) = load_account(&mut loaded, client, &plan.settings, TIMEOUT).await {
        if message.starts_with("--timeout") {
            return timed_out(&format!("before the account was read ({message})"));
        }
        return Outcome::Failed(Failure::Other(IamError::new(
            crate::iam::ErrorKind::Network,
            "iam:ListUsers",
            message,
        )));
    }
    match &loaded.identity {
        IdentityStatus::Failed(err) => return Outcome::Failed(Failure::classify(err.clone())),
        // The session was checked when it was made; the load's own answer
        // must agree too.
        IdentityStatus::Known(identity) if identity.account_id != account.id => {
            return Outcome::Failed(Failure::IdentityMismatch(crate::iam::org::mismatch(
                &account.id,
                &identity.account_id,
            )));
        }
        IdentityStatus::Known(_) | IdentityStatus::Loading => {}
    }
    if let ListStatus::Failed(err) = &loaded.list {
        return Outcome::Failed(Failure::classify(err.clone()));
    }
    let mut report = Report::from_account(&loaded, &plan.profile, Utc::now());
    report.name_account(&account.id, &account.name, &account.status);
    Outcome::Audited(Box::new(report))
}

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
