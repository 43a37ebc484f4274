//! Loading one account for `iamkeys report`: the account asks for its
//! calls, the worker makes them, and the answers are folded in until none
//! is pending. No view and no `update`: the report runs on an `Account`.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::account::{Account, IdentityStatus, ListStatus};
use crate::action::Action;
use crate::audit::Thresholds;
use crate::effect::Effect;
use crate::report::Report;
use crate::worker::{Clients, Settings, Worker};

/// Load `account` through `client` until every call has answered, or the
/// identity or the user listing failed.
///
/// # Errors
/// Calls were still pending after `timeout`, or a worker task panicked.
pub async fn load_account(
    account: &mut Account,
    client: impl Into<Clients>,
    settings: &Settings,
    timeout: Duration,
) -> Result<(), String> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(client, tx, settings);
    let run = |worker: &Worker, effects: Vec<Effect>| {
        for effect in effects {
            // Only IAM calls come from an account; nothing is left for a terminal.
            let _ = worker.run_effect(effect);
        }
    };
    run(&worker, account.start_load());
    let own = tokio::time::Instant::now() + timeout;
    let deadline = settings.deadline.map_or(own, |run| run.min(own));
    while account.pending() > 0 {
        // Without the identity or the users, nothing of the rest can make
        // an audit: stop waiting for it (the caller says why).
        if matches!(account.identity, IdentityStatus::Failed(_))
            || matches!(account.list, ListStatus::Failed(_))
        {
            break;
        }
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(Action::Loaded { generation, result })) => {
                if account.answered(generation) {
                    let step = account.on_loaded(result, Utc::now(), &mut |_| None);
                    run(&worker, step.effects);
                }
            }
            Ok(Some(Action::Crashed(crash))) => return Err(format!("internal error: {crash}")),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(_) if settings.deadline.is_some_and(|run| run <= own) => {
                return Err(format!(
                    "--timeout reached with {} calls still pending",
                    account.pending()
                ));
            }
            Err(_) => {
                return Err(format!(
                    "{} calls still pending after {timeout:?}",
                    account.pending()
                ));
            }
        }
    }
    Ok(())
}

/// How long a whole report may take before it is abandoned.
const TIMEOUT: Duration = Duration::from_mins(30);

/// Load the account and build the report.
///
/// # Errors
/// One line saying what failed and how to fix it.
pub async fn produce(
    client: impl Into<Clients>,
    profile: String,
    thresholds: Thresholds,
    settings: &Settings,
    key_ids: bool,
) -> Result<Report, String> {
    let mut account = Account::new(thresholds, key_ids, Utc::now());
    load_account(&mut account, client, settings, TIMEOUT).await?;
    let say = |err: &crate::iam::IamError| err.cli_message(&profile);
    if let IdentityStatus::Failed(err) = &account.identity {
        return Err(say(err));
    }
    if let ListStatus::Failed(err) = &account.list {
        return Err(say(err));
    }
    // A failed credential report, a user whose keys or password could not
    // be read: the report is still made, with each gap named in its notes,
    // and marked incomplete (exit 2). One user's failure never discards
    // the others.
    Ok(Report::from_account(&account, &profile, Utc::now()))
}
