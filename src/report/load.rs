//! Loading one account for `iamkeys report`: the account asks for its
//! calls, the worker makes them, and the answers are folded in until none
//! is pending. No view and no `update`: the report runs on an `Account`.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;

use crate::account::{Account, IdentityStatus, ListStatus};
use crate::action::Action;
use crate::effect::Effect;
use crate::iam::IamClient;
use crate::worker::{Settings, Worker};

/// Load `account` through `client` until every call has answered, or the
/// identity or the user listing failed.
///
/// # Errors
/// Calls were still pending after `timeout`, or a worker task panicked.
pub async fn load_account(
    account: &mut Account,
    client: Arc<dyn IamClient>,
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
