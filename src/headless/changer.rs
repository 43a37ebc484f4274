//! Changes made one at a time through the worker (`plan --record`,
//! `apply`): each bound to its account, recorded in the audit log as the
//! UI's are, and answered before the next is sent.

use tokio::sync::mpsc;

use crate::action::{Action, Mutated};
use crate::effect::{Actor, Change, Effect};
use crate::iam::IamError;
use crate::worker::{Settings, Worker};

/// Changes made one at a time through a worker, each answered before the
/// next is sent.
pub struct Changer {
    worker: Worker,
    rx: mpsc::UnboundedReceiver<Action>,
    next: u64,
    actor: Actor,
}

impl Changer {
    #[must_use]
    pub fn new(
        client: impl Into<crate::worker::Clients>,
        settings: &Settings,
        actor: Actor,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            worker: Worker::new(client, tx, settings),
            rx,
            next: 0,
            actor,
        }
    }

    /// Make one change bound to `account` (the plan's): the worker refuses
    /// it when the credentials answer for another.
    /// # Errors
    /// The worker refused or IAM answered an error.
    pub async fn change(&mut self, change: Change, account: &str) -> Result<Mutated, IamError> {
        self.next += 1;
        let id = self.next;
        let actor = Actor {
            account_id: Some(account.to_owned()),
            ..self.actor.clone()
        };
        let _ = self.worker.run_effect(Effect::Mutate { id, change, actor });
        loop {
            match self.rx.recv().await {
                Some(Action::Mutated { id: got, result }) if got == id => return result,
                Some(Action::Crashed(crash)) => {
                    return Err(IamError::new(
                        crate::iam::ErrorKind::Refused,
                        "iamkeys",
                        format!("internal error: {crash}"),
                    ));
                }
                Some(_) => {}
                None => {
                    return Err(IamError::new(
                        crate::iam::ErrorKind::Refused,
                        "iamkeys",
                        "the worker stopped".to_owned(),
                    ));
                }
            }
        }
    }
}
