//! `iamkeys report --org`: every account of an AWS Organization, audited
//! as the listing pages arrive, several at once under one bound on requests
//! in flight. Each account ends audited, failed (classified), or skipped
//! (suspended, closing); a failure never stops the others.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc;

use super::account::load_account;
use crate::account::{Account, IdentityStatus, ListStatus};
use crate::audit::Thresholds;
use crate::iam::IamError;
use crate::iam::org::{Failure, OrgClient, skipped};
use crate::model::OrgAccount;
use crate::report::Report;
pub use crate::report::org::{OrgAudit, Outcome};
use crate::worker::Settings;

/// How long one member's audit may take.
const TIMEOUT: Duration = Duration::from_mins(30);

/// How the audit reaches one member: its client, or why it cannot.
pub type Connect<'a> = dyn Fn(OrgAccount) -> BoxFuture<'a, Result<crate::worker::Clients, IamError>>
    + Send
    + Sync
    + 'a;

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
