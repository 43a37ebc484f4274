//! `--org`: the organization's listing, and one worker per member account
//! (its own client, a role session), all under the main worker's limiter.
//! Each member's results come back wrapped in `Action::Member`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;
use tokio::sync::mpsc;

use super::{Settings, Worker};
use crate::action::Action;
use crate::effect::Effect;
use crate::iam::org::OrgClient;
use crate::iam::{ErrorKind, IamError};
use crate::model::OrgAccount;

/// How `--org` lists the organization and reaches a member (its role
/// session, or the caller's own credentials in the caller's account).
#[derive(Clone)]
pub struct OrgConnector {
    pub org: Arc<dyn OrgClient>,
    #[allow(clippy::type_complexity)]
    pub connect: Arc<
        dyn Fn(OrgAccount) -> BoxFuture<'static, Result<super::Clients, IamError>> + Send + Sync,
    >,
}

impl std::fmt::Debug for OrgConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrgConnector")
    }
}

/// The member workers, by account ID.
#[derive(Clone, Default)]
pub(super) struct Fleet {
    members: Arc<Mutex<HashMap<String, Worker>>>,
}

impl Fleet {
    pub(super) fn get(&self, account: &str) -> Option<Worker> {
        self.members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(account)
            .cloned()
    }

    fn insert(&self, account: String, worker: Worker) {
        self.members
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(account, worker);
    }
}

impl Worker {
    /// One page of the organization's accounts.
    pub(super) fn list_accounts(&self, generation: u64, next: Option<String>) {
        let Some(org) = self.org.clone() else {
            let _ = self.tx.send(Action::AccountsPage {
                generation,
                result: Err(IamError::new(
                    ErrorKind::Refused,
                    "organizations:ListAccounts",
                    "this run was not started with --org",
                )),
            });
            return;
        };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = org.org.list_accounts(next).await;
            let _ = tx.send(Action::AccountsPage { generation, result });
        });
    }

    /// Reach a member and start its worker; say how it went.
    pub(super) fn connect_member(&self, account: OrgAccount) {
        let Some(org) = self.org.clone() else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let id = account.id.clone();
            let result = match (org.connect)(account).await {
                Ok(client) => {
                    let (tx, mut rx) = mpsc::unbounded_channel();
                    let settings = Settings {
                        shared: Some(this.limiter.clone()),
                        connector: None,
                        org: None,
                        ..this.settings.clone()
                    };
                    let worker = Worker::new(client, tx, &settings);
                    this.fleet.insert(id.clone(), worker);
                    let main = this.tx.clone();
                    let tag = id.clone();
                    tokio::spawn(async move {
                        while let Some(action) = rx.recv().await {
                            let wrapped = Action::Member {
                                account: tag.clone(),
                                action: Box::new(action),
                            };
                            if main.send(wrapped).is_err() {
                                break;
                            }
                        }
                    });
                    Ok(())
                }
                Err(err) => Err(err),
            };
            let _ = this.tx.send(Action::MemberConnected {
                account: id,
                result,
            });
        });
    }

    /// Hand an effect to a member's worker. A change for an account with
    /// no session is refused (and said), never dropped.
    pub(super) fn for_member(&self, account: &str, effect: Effect) -> Option<Effect> {
        if let Some(worker) = self.fleet.get(account) {
            return worker.run_effect(effect);
        }
        if let Effect::Mutate { id, .. } = effect {
            let _ = self.tx.send(Action::Member {
                account: account.to_owned(),
                action: Box::new(Action::Mutated {
                    id,
                    result: Err(IamError::new(
                        ErrorKind::Refused,
                        "iam:UpdateAccessKey",
                        format!("no session in account {account}: nothing was sent"),
                    )),
                }),
            });
        } else {
            tracing::warn!(account, "an effect for an account with no session");
        }
        None
    }
}
