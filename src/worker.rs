//! The worker: runs each [`Effect::Iam`] on a tokio task and sends the result
//! back as an [`Action`]. Background calls wait for one of `concurrency`
//! slots; priority calls (what is on screen) do not. Queued calls of an
//! older generation are skipped when their turn comes.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{Semaphore, mpsc};

use crate::action::{Action, Loaded};
use crate::effect::Call;
use crate::iam::{ErrorKind, IamClient, IamError, list_all_access_keys};
use crate::model::ReportState;

/// How many times to ask for a credential report that is still being generated.
const REPORT_POLLS: u32 = 30;

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a worker task panicked".to_owned())
}

/// Runs IAM calls off the UI loop.
#[derive(Clone)]
pub struct Worker {
    client: Arc<dyn IamClient>,
    tx: mpsc::UnboundedSender<Action>,
    slots: Arc<Semaphore>,
    generation: Arc<AtomicU64>,
    in_flight: Arc<AtomicUsize>,
    report_backoff: Duration,
}

impl Worker {
    #[must_use]
    pub fn new(
        client: Arc<dyn IamClient>,
        tx: mpsc::UnboundedSender<Action>,
        concurrency: usize,
    ) -> Self {
        Self {
            client,
            tx,
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            generation: Arc::new(AtomicU64::new(0)),
            in_flight: Arc::new(AtomicUsize::new(0)),
            report_backoff: Duration::from_millis(500),
        }
    }

    /// Wait this long before the first re-poll of an unfinished credential report.
    #[must_use]
    pub fn with_report_backoff(mut self, backoff: Duration) -> Self {
        self.report_backoff = backoff;
        self
    }

    /// IAM requests running right now.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Start a call on its own task; the result arrives on the channel.
    pub fn spawn(&self, generation: u64, call: Call) {
        self.generation.fetch_max(generation, Ordering::Relaxed);
        let worker = self.clone();
        tokio::spawn(async move {
            let queued = matches!(
                call,
                Call::ListKeys {
                    priority: false,
                    ..
                } | Call::LastUsed { .. }
                    | Call::UserDetails { .. }
            );
            let _permit = if queued {
                match worker.slots.clone().acquire_owned().await {
                    Ok(permit) => Some(permit),
                    Err(_) => return,
                }
            } else {
                None
            };
            if queued && worker.generation.load(Ordering::Relaxed) != generation {
                return;
            }
            worker.in_flight.fetch_add(1, Ordering::Relaxed);
            let outcome = AssertUnwindSafe(worker.run(call)).catch_unwind().await;
            worker.in_flight.fetch_sub(1, Ordering::Relaxed);
            let action = match outcome {
                Ok(result) => Action::Loaded { generation, result },
                Err(panic) => Action::Crashed(panic_message(panic.as_ref())),
            };
            // The receiver is gone only when the program is exiting.
            let _ = worker.tx.send(action);
        });
    }

    async fn run(&self, call: Call) -> Loaded {
        let client = self.client.as_ref();
        match call {
            Call::Identity => Loaded::Identity(client.caller_identity().await),
            Call::ListUsers { marker } => Loaded::UsersPage(client.list_users(marker).await),
            Call::CredentialReport => Loaded::CredentialReport(self.credential_report().await),
            Call::ListKeys { user, .. } => {
                let result = list_all_access_keys(client, &user).await;
                Loaded::Keys { user, result }
            }
            Call::LastUsed { user, key_id } => {
                let result = client.access_key_last_used(&key_id).await;
                Loaded::LastUsed {
                    user,
                    key_id,
                    result,
                }
            }
            Call::UserDetails { user } => {
                let result = async {
                    let password = client.has_login_profile(&user).await?;
                    let mfa = client.has_mfa(&user).await?;
                    Ok((password, mfa))
                }
                .await;
                Loaded::UserDetails { user, result }
            }
        }
    }

    /// Generate the report until IAM says it is complete, backing off between
    /// polls, then fetch it. A still-unready report after every poll is an error.
    async fn credential_report(&self) -> Result<crate::model::CredentialReport, IamError> {
        let client = self.client.as_ref();
        let mut wait = self.report_backoff;
        for _ in 0..REPORT_POLLS {
            let state = match client.generate_credential_report().await {
                Ok(state) => state,
                Err(err) if err.is_transient() => ReportState::InProgress,
                Err(err) => return Err(err),
            };
            if state == ReportState::Complete {
                match client.get_credential_report().await {
                    Err(err)
                        if matches!(
                            err.kind,
                            ErrorKind::ReportInProgress | ErrorKind::ReportNotPresent
                        ) => {}
                    other => return other,
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 3 / 2).min(Duration::from_secs(5));
        }
        Err(IamError::new(
            ErrorKind::ReportInProgress,
            "iam:GenerateCredentialReport",
            "the credential report was still being generated after many polls",
        ))
    }
}
