//! Running the UI's loop without a terminal: the same `update` and worker,
//! driven until every requested call has answered. Used by tests.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::action::Action;
use crate::app::dispatch;
use crate::effect::Effect;
use crate::state::{Modal, SaveState, State};
use crate::worker::{Settings, Worker};

fn saving(state: &State) -> bool {
    matches!(&state.view.modal, Some(Modal::Secret(d)) if matches!(d.save, SaveState::Saving { .. }))
}

/// Apply `actions` in order, then wait for results until nothing is pending,
/// with the given background concurrency.
///
/// # Errors
/// Calls were still pending after `timeout`.
pub async fn settle(
    state: &mut State,
    client: impl Into<crate::worker::Clients>,
    concurrency: usize,
    actions: Vec<Action>,
    timeout: Duration,
) -> Result<Vec<Effect>, String> {
    let settings = Settings {
        concurrency,
        report_backoff: Duration::from_millis(20),
        ..Settings::default()
    };
    settle_with(state, client, &settings, actions, timeout).await
}

/// [`settle`] with every worker setting given. Returns the effects meant for
/// the terminal (clipboard copies, quit), in order.
///
/// # Errors
/// Calls or changes were still pending after `timeout`.
pub async fn settle_with(
    state: &mut State,
    client: impl Into<crate::worker::Clients>,
    settings: &Settings,
    actions: Vec<Action>,
    timeout: Duration,
) -> Result<Vec<Effect>, String> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let worker = Worker::new(client, tx, settings);
    let mut terminal = Vec::new();
    for action in actions {
        terminal.extend(dispatch(state, action, &worker));
    }
    let deadline = tokio::time::Instant::now() + timeout;
    while state.account.pending() > 0
        || state.account.changing()
        || saving(state)
        || state.account.usage_loading()
    {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(action)) => {
                terminal.extend(dispatch(state, action, &worker));
                if let Some(crash) = &state.crash {
                    return Err(format!("internal error: {crash}"));
                }
            }
            Ok(None) => break,
            Err(_) => {
                return Err(format!(
                    "{} calls and {} changes still pending after {timeout:?}",
                    state.account.pending(),
                    state.account.changes_in_flight().len()
                ));
            }
        }
    }
    Ok(terminal)
}
