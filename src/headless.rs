//! Running the load without a terminal: the same `update` and worker as the
//! UI, driven until every requested call has answered. Used by tests (and by
//! `iamkeys report`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::action::Action;
use crate::app::dispatch;
use crate::iam::IamClient;
use crate::state::State;
use crate::worker::Worker;

/// Apply `actions` in order, then wait for results until nothing is pending.
///
/// # Errors
/// Calls were still pending after `timeout`.
pub async fn settle(
    state: &mut State,
    client: Arc<dyn IamClient>,
    concurrency: usize,
    actions: Vec<Action>,
    timeout: Duration,
) -> Result<(), String> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker =
        Worker::new(client, tx, concurrency).with_report_backoff(Duration::from_millis(20));
    for action in actions {
        dispatch(state, action, &worker);
    }
    let deadline = tokio::time::Instant::now() + timeout;
    while state.pending > 0 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(action)) => {
                dispatch(state, action, &worker);
            }
            Ok(None) => break,
            Err(_) => {
                return Err(format!(
                    "{} calls still pending after {timeout:?}",
                    state.pending
                ));
            }
        }
    }
    Ok(())
}
