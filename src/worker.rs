//! The worker: runs each [`Effect::Iam`] on a tokio task and sends the result
//! back as an [`Action`]. Background calls wait for one of `concurrency`
//! slots; priority calls (what is on screen) do not. Queued calls of an
//! older generation are skipped when their turn comes.

use std::any::Any;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::mpsc;

use crate::action::Mutated;
use crate::action::{Action, Loaded};
use crate::audit_log::{AuditLog, Entry};
use crate::effect::{Actor, Call, Change, Effect};
use crate::iam::retries::{Retries, RetryReason};
use crate::iam::{ErrorKind, IamClient, IamError, list_all_access_keys};

mod changes;
mod clients;
pub mod fleet;
mod guard;
pub mod limiter;
mod records;
mod report;
mod settings;
mod usage;

use clients::Slot;
pub use clients::{Clients, Connector};
use guard::bound_to;
use limiter::Limiter;
pub use settings::Settings;

/// The caller identity, with the account alias when it may be read (an
/// `AccessDenied` on `ListAccountAliases` only leaves the alias out).
async fn identity(client: &dyn IamClient) -> Result<crate::model::Identity, crate::iam::IamError> {
    // Both at once: the alias must not add a round trip to the header.
    let (identity, alias) = tokio::join!(client.caller_identity(), client.account_alias());
    let mut identity = identity?;
    identity.region = client.region();
    match alias {
        Ok(alias) => identity.alias = alias,
        Err(err) => tracing::info!(%err, "no account alias"),
    }
    Ok(identity)
}

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
    client: Arc<RwLock<Slot>>,
    connector: Option<Connector>,
    tx: mpsc::UnboundedSender<Action>,
    /// How many background calls may run at once (adapts to throttling).
    limiter: Arc<Limiter>,
    /// Every call waits for the limiter, not only the background ones.
    bound_all: bool,
    /// `--org`: the organization, and a worker per member account.
    org: Option<fleet::OrgConnector>,
    fleet: fleet::Fleet,
    /// What member workers are started with.
    settings: Settings,
    throttle_rounds: u32,
    throttle_backoff: Duration,
    /// The newest generation seen on an effect (from `update`, the one
    /// source of generations).
    latest: Arc<AtomicU64>,
    /// Bumped when another profile's client replaces the one in use.
    client_epoch: Arc<AtomicU64>,
    report_backoff: Duration,
    audit: Option<AuditLog>,
    /// CloudTrail's turns per region, shared by every read of this account.
    pacer: Arc<usage::Pacer>,
    /// The usage streams running: stopped by the next `u` or by closing.
    streams: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    /// The account's `UpdateAccessKey` events, read once to date Inactive
    /// keys: for which client epoch, and when.
    updates: Arc<tokio::sync::Mutex<Option<Updates>>>,
}

/// One read of the account's `UpdateAccessKey` events: the client epoch it
/// was made with, when, and what it found.
type Updates = (
    u64,
    tokio::time::Instant,
    Arc<Result<usage::Read, crate::iam::IamError>>,
);

/// How long one read of the account's `UpdateAccessKey` events dates keys:
/// a key made inactive since is dated when first seen (never earlier than
/// the truth), and a later load reads again.
const UPDATES_FOR: Duration = Duration::from_mins(5);

impl Worker {
    #[must_use]
    pub fn new(
        clients: impl Into<Clients>,
        tx: mpsc::UnboundedSender<Action>,
        settings: &Settings,
    ) -> Self {
        let clients: Clients = clients.into();
        let retries = clients.iam.retries();
        let worker = Self {
            client: Arc::new(RwLock::new(Slot::new(
                clients,
                settings.profile.clone(),
                None,
            ))),
            connector: settings.connector.clone(),
            tx,
            limiter: settings
                .shared
                .clone()
                .unwrap_or_else(|| Limiter::new(settings.concurrency)),
            bound_all: settings.shared.is_some(),
            org: settings.org.clone(),
            fleet: fleet::Fleet::default(),
            settings: settings.clone(),
            throttle_rounds: settings.throttle_rounds,
            throttle_backoff: settings.throttle_backoff,
            latest: Arc::new(AtomicU64::new(0)),
            client_epoch: Arc::new(AtomicU64::new(0)),
            report_backoff: settings.report_backoff,
            audit: settings.audit.clone(),
            pacer: Arc::new(usage::Pacer::new(usage::PACE)),
            streams: Arc::new(std::sync::Mutex::new(Vec::new())),
            updates: Arc::new(tokio::sync::Mutex::new(None)),
        };
        worker.watch_retries(retries, 0);
        worker
    }

    /// Forward the retries of the client of `epoch` to the UI while it is
    /// the client in use: not after a switch (the old profile's calls still
    /// in flight are no news about the new one), the client is dropped, or
    /// the UI is gone.
    fn watch_retries(&self, retries: Option<tokio::sync::watch::Receiver<Retries>>, epoch: u64) {
        let Some(mut retries) = retries else {
            return;
        };
        let tx = self.tx.clone();
        let current = self.client_epoch.clone();
        let limiter = self.limiter.clone();
        tokio::spawn(async move {
            while retries.changed().await.is_ok() {
                if current.load(Ordering::Relaxed) != epoch {
                    break;
                }
                let seen = *retries.borrow_and_update();
                if seen.last == Some(RetryReason::Throttled) {
                    // IAM pushes back: fewer background calls at once.
                    limiter.throttled();
                }
                if tx.send(Action::Retrying(seen)).is_err() {
                    break;
                }
            }
        });
    }

    /// Carry out an effect. Effects that belong to the terminal (clipboard,
    /// quit) are handed back to the caller.
    #[must_use]
    pub fn run_effect(&self, effect: Effect) -> Option<Effect> {
        match effect {
            Effect::Iam { generation, call } => self.spawn(generation, call),
            Effect::Mutate { id, change, actor } => self.mutate(id, change, actor),
            Effect::SaveCredentials {
                path,
                profile,
                key_id,
                secret,
                overwrite,
            } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let result =
                        crate::credentials_file::save(&path, &profile, &key_id, &secret, overwrite);
                    let _ = tx.send(Action::Saved { profile, result });
                });
            }
            Effect::HandOff {
                target,
                user,
                key_id,
                secret,
                actor,
            } => {
                let worker = self.clone();
                tokio::spawn(async move {
                    let result = worker
                        .hand_off(&target, &user, &key_id, &secret, &actor)
                        .await;
                    let _ = worker.tx.send(Action::HandedOff { key_id, result });
                });
            }
            Effect::Export {
                path,
                text,
                what,
                replace,
            } => {
                let tx = self.tx.clone();
                // `:export ~/x.csv` writes to the home directory.
                let path = crate::paths::expand_home(&path);
                tokio::task::spawn_blocking(move || {
                    let result = if !replace && std::fs::symlink_metadata(&path).is_ok() {
                        Err(format!(
                            "it exists; :export! {} replaces it",
                            crate::text::clean(&path.display().to_string())
                        ))
                    } else {
                        crate::paths::write_private(&path, text.as_bytes())
                            .map(|()| what)
                            .map_err(|e| e.to_string())
                    };
                    let _ = tx.send(Action::Exported { path, result });
                });
            }
            Effect::ListProfiles => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(Action::Profiles(crate::profiles::list().await));
                });
            }
            Effect::SwitchProfile { profile } => self.switch(profile),
            Effect::ListAccounts { generation, next } => self.list_accounts(generation, next),
            Effect::ConnectMember { account } => self.connect_member(account),
            Effect::Whois { key_id } => self.whois(key_id),
            Effect::OrgFeatures { generation } => {
                let client = self.slot().client;
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let result = client.organizations_features().await;
                    let _ = tx.send(Action::OrgFeatures { generation, result });
                });
            }
            Effect::Usage {
                key_id,
                regions,
                max_events,
                generation,
            } => self.usage(&key_id, &regions, max_events, generation),
            Effect::StopUsage => self.stop_usage(),
            Effect::Member { account, effect } => return self.for_member(&account, *effect),
            other @ (Effect::Copy(_)
            | Effect::OpenUrl(_)
            | Effect::CodeAnswer { .. }
            | Effect::RunSignIn(_)
            | Effect::Quit
            | Effect::Suspend
            | Effect::Abandon(_)
            | Effect::SecretsLost(_)) => {
                return Some(other);
            }
        }
        None
    }

    /// Who uses a key: one paced `LookupEvents` stream per region, and the
    /// key's creation in `us-east-1`, all at once.
    fn usage(&self, key_id: &str, regions: &[String], max_events: usize, generation: u64) {
        self.stop_usage();
        let client = self.slot().trail;
        let streams = regions
            .iter()
            .cloned()
            .map(crate::usage::Stream::Region)
            .chain([crate::usage::Stream::Creation]);
        let mut running = self
            .streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for stream in streams {
            let tx = self.tx.clone();
            let client = client.clone();
            let key_id = key_id.to_owned();
            let task = tokio::spawn(usage::stream(
                client,
                key_id,
                (stream, generation),
                max_events,
                self.pacer.clone(),
                move |action| tx.send(action).is_ok(),
            ));
            running.push(task.abort_handle());
        }
    }

    /// Stop every usage stream of this worker.
    fn stop_usage(&self) {
        let mut running = self
            .streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for task in running.drain(..) {
            task.abort();
        }
    }

    /// Make a change. Never skipped, never cancelled: its outcome is always
    /// logged and reported, whatever was loaded meanwhile.
    fn mutate(&self, id: u64, change: Change, actor: Actor) {
        let worker = self.clone();
        tokio::spawn(async move {
            let slot = worker.slot();
            let outcome = AssertUnwindSafe(worker.guarded(&slot, &change, &actor))
                .catch_unwind()
                .await;
            let action = match outcome {
                Ok(result) => {
                    tracing::info!(action = change.action(), user = change.user(), key = ?change.key_id(), ok = result.is_ok(), "change");
                    match &change {
                        // Made by this (the management account's) worker, for
                        // the member's account on screen.
                        Change::DeleteRootKeys { account, .. } => Action::Member {
                            account: account.clone(),
                            action: Box::new(Action::Mutated { id, result }),
                        },
                        _ => Action::Mutated { id, result },
                    }
                }
                Err(panic) => Action::Crashed(panic_message(panic.as_ref())),
            };
            let _ = worker.tx.send(action);
        });
    }

    /// `:whois`: the key's account, then its holder there (the caller's
    /// own account, or a member this worker has a session in).
    fn whois(&self, key_id: String) {
        let this = self.clone();
        tokio::spawn(async move {
            let slot = this.slot();
            let result = async {
                let account = slot.client.access_key_account(&key_id).await?;
                let client = if account == slot.account().await? {
                    Some(slot.client.clone())
                } else {
                    this.fleet.get(&account).map(|member| member.slot().client)
                };
                let user = match &client {
                    Some(client) => crate::iam::holder(client.as_ref(), &key_id)
                        .await?
                        .map(|(user, _)| user),
                    None => None,
                };
                Ok(crate::action::Holder {
                    account,
                    user,
                    searched: client.is_some(),
                })
            }
            .await;
            let _ = this.tx.send(Action::Whois { key_id, result });
        });
    }

    /// Append a line to the audit log (if this run keeps one) that records
    /// what is decided or done already: a line that cannot be written is
    /// logged, and what it records stands. (An `attempt` line refuses its
    /// change instead: see [`Self::guarded`].)
    fn audit_line(&self, entry: &Entry<'_>) {
        if let Some(audit) = &self.audit
            && let Err(err) = audit.append(entry)
        {
            tracing::error!(path = %audit.path().display(), %err, "cannot write a line to the audit log");
        }
    }

    /// Check that the change goes to the account it was confirmed for,
    /// record the attempt, make the change, record the outcome.
    async fn guarded(
        &self,
        slot: &Slot,
        change: &Change,
        actor: &Actor,
    ) -> Result<Mutated, IamError> {
        let now = chrono::Utc::now;
        if let Err(refusal) = bound_to(slot, actor, change).await {
            tracing::warn!(%refusal, "change refused: another account's client");
            self.audit_line(&Entry::refused(now(), actor, change, &refusal));
            return Err(refusal);
        }
        if let Some(audit) = &self.audit
            && let Err(err) = audit.append(&Entry::attempt(now(), actor, change))
        {
            tracing::error!(path = %audit.path().display(), %err, "cannot write the audit log: change refused");
            return Err(IamError::new(
                ErrorKind::Refused,
                change.iam_action(),
                format!(
                    "The audit log {} cannot be written ({err}): nothing was changed. Fix the file or `audit_log` in the config, then try again.",
                    audit.path().display()
                ),
            ));
        }
        let result = match change {
            Change::Record(draft) => self.record(draft, actor).await,
            Change::Create {
                user,
                rotating: Some(old),
            } => {
                let made = changes::apply(slot.client.as_ref(), change).await;
                match made {
                    Ok(Mutated::Created(new)) => {
                        self.record_rotation(slot, actor, user, old, new).await
                    }
                    other => other,
                }
            }
            _ => changes::apply(slot.client.as_ref(), change).await,
        };
        // The change is made; a missing outcome line is logged.
        self.audit_line(&Entry::outcome(
            now(),
            actor,
            change,
            match &result {
                Ok(Mutated::Created(new) | Mutated::Rotated { new, .. }) => {
                    Some(new.key.id.as_str())
                }
                _ => None,
            },
            result.as_ref().err(),
        ));
        result
    }

    fn slot(&self) -> Slot {
        // A poisoned lock only means a panic elsewhere; the slot inside is whole.
        self.client
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Connect to `profile` and check the credentials with STS; only then
    /// make it the profile in use. Queued calls of the old profile are
    /// skipped from now on.
    fn switch(&self, profile: String) {
        let worker = self.clone();
        tokio::spawn(async move {
            let action = match &worker.connector {
                None => Action::ProfileFailed {
                    profile,
                    message: "This session cannot switch profiles (the demo has no AWS profiles)."
                        .to_owned(),
                },
                Some(Connector(connect)) => {
                    let clients = connect(profile.clone()).await;
                    match identity(clients.iam.as_ref()).await {
                        Ok(identity) => {
                            let retries = clients.iam.retries();
                            let insecure_endpoint = clients
                                .iam
                                .endpoint()
                                .filter(|url| crate::connect::insecure(url));
                            *worker
                                .client
                                .write()
                                .unwrap_or_else(std::sync::PoisonError::into_inner) = Slot::new(
                                clients,
                                Some(profile.clone()),
                                Some(identity.account_id.clone()),
                            );
                            let epoch = worker.client_epoch.fetch_add(1, Ordering::Relaxed) + 1;
                            worker.watch_retries(retries, epoch);
                            Action::ProfileSwitched {
                                profile,
                                identity,
                                insecure_endpoint,
                            }
                        }
                        Err(err) => Action::ProfileFailed {
                            message: err.dialog_message(&profile),
                            profile,
                        },
                    }
                }
            };
            let _ = worker.tx.send(action);
        });
    }

    /// Start a call on its own task; the result arrives on the channel,
    /// tagged with the effect's generation. A queued call is skipped when its
    /// turn comes if a newer load has been asked for since (the latest
    /// generation seen on an effect), or if another profile's client has
    /// replaced the one it was asked of.
    pub fn spawn(&self, generation: u64, call: Call) {
        tokio::spawn(self.task(generation, call));
    }

    /// The task of one call. What waits for its turn stays small: the
    /// call, the worker's handles and the limiter's wait. The call's own
    /// future (the SDK's, many kilobytes) is made only when its turn comes:
    /// at 10,000 users some 20,000 calls wait at once.
    fn task(&self, generation: u64, call: Call) -> impl Future<Output = ()> + Send + 'static {
        self.latest.fetch_max(generation, Ordering::Relaxed);
        let epoch = self.client_epoch.load(Ordering::Relaxed);
        let worker = self.clone();
        async move {
            let queued = matches!(
                call,
                Call::ListKeys {
                    priority: false,
                    ..
                } | Call::LastUsed { .. }
                    | Call::UserDetails { .. }
                    | Call::Tags { .. }
                    | Call::Credentials { .. }
            );
            // Shared (an organization): every call waits its turn, but the
            // credential report (it mostly waits on IAM), CloudTrail (paced
            // on its own, another service's limits) and what is on screen.
            let bounded = queued
                || (worker.bound_all
                    && !matches!(
                        call,
                        Call::CredentialReport
                            | Call::Ledger
                            | Call::DateInactive { .. }
                            | Call::ListKeys { priority: true, .. }
                            | Call::UserExtras { .. }
                    ));
            let class = if matches!(
                call,
                Call::ListKeys { .. } | Call::Identity | Call::ListUsers { .. }
            ) {
                limiter::Class::First
            } else {
                limiter::Class::Second
            };
            let _permit = if bounded {
                Some(worker.limiter.acquire(class).await)
            } else {
                None
            };
            if queued
                && (worker.latest.load(Ordering::Relaxed) != generation
                    || worker.client_epoch.load(Ordering::Relaxed) != epoch)
            {
                return;
            }
            let outcome = AssertUnwindSafe(Box::pin(worker.run(call)))
                .catch_unwind()
                .await;
            let action = match outcome {
                Ok(result) => Action::Loaded { generation, result },
                Err(panic) => Action::Crashed(panic_message(panic.as_ref())),
            };
            // The receiver is gone only when the program is exiting.
            let _ = worker.tx.send(action);
        }
    }

    /// Run a read, trying it again while IAM throttles it (after the SDK's
    /// own retries, or at once when the SDK's retry quota is spent), with a
    /// growing, jittered wait: one user's throttled call must not become a
    /// gap in the audit while IAM is only asking for patience.
    /// The account's unused-access analyzer and its findings (`None`: no
    /// analyzer covers the account), throttling waited out as IAM's is.
    async fn aws_findings(&self, slot: &Slot) -> crate::action::AwsFindings {
        let Some(analyzer) = self.patiently(|| slot.analyzer.unused_access()).await? else {
            return Ok(None);
        };
        let account = slot.account().await?;
        let findings = self
            .patiently(|| slot.analyzer.user_findings(&analyzer, &account))
            .await?;
        Ok(Some((analyzer, findings)))
    }

    async fn patiently<T, F, Fut>(&self, mut call: F) -> Result<T, IamError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, IamError>>,
    {
        let mut wait = self.throttle_backoff;
        let mut round = 0;
        let mut renewed = 0;
        let renews = self.slot().client.renews_sessions();
        loop {
            match call().await {
                // The MFA session expired before its time: the next try
                // asks for a new code (the dialog), then reads again. A
                // change is never sent again this way (not `patiently`).
                Err(err) if err.session_expired() && renews && renewed < 2 => {
                    renewed += 1;
                    tracing::info!(
                        action = err.action,
                        "session expired: reading again once signed in"
                    );
                }
                Err(err) if err.kind == ErrorKind::Throttling && round < self.throttle_rounds => {
                    round += 1;
                    self.limiter.throttled();
                    tracing::debug!(action = err.action, round, "throttled: waiting");
                    // Full jitter: calls throttled together do not return together.
                    tokio::time::sleep(wait.mul_f64(0.5 + fastrand::f64() / 2.0)).await;
                    wait = (wait * 2).min(Duration::from_secs(20));
                }
                Ok(value) => {
                    self.limiter.succeeded();
                    return Ok(value);
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn run(&self, call: Call) -> Loaded {
        let slot = self.slot();
        let client = slot.client.as_ref();
        match call {
            Call::Identity => {
                let result = self.patiently(|| identity(client)).await;
                if let Ok(identity) = &result {
                    slot.learn_account(&identity.account_id);
                }
                Loaded::Identity(result)
            }
            Call::ListUsers { marker } => {
                Loaded::UsersPage(self.patiently(|| client.list_users(marker.clone())).await)
            }
            Call::CredentialReport => {
                Loaded::CredentialReport(report::fetch(client, self.report_backoff).await)
            }
            Call::ListKeys { user, .. } => {
                let result = self.patiently(|| list_all_access_keys(client, &user)).await;
                Loaded::Keys { user, result }
            }
            Call::LastUsed { user, key_id } => {
                let result = self
                    .patiently(|| client.access_key_last_used(&key_id))
                    .await;
                Loaded::LastUsed {
                    user,
                    key_id,
                    result,
                }
            }
            Call::UserExtras { user } => {
                let (groups, tags) = tokio::join!(
                    self.patiently(|| client.user_groups(&user)),
                    self.patiently(|| client.user_tags(&user))
                );
                Loaded::UserExtras {
                    user,
                    extras: crate::action::Extras { groups, tags },
                }
            }
            Call::RootKeys => {
                Loaded::RootKeys(self.patiently(|| client.root_access_keys_present()).await)
            }
            Call::Tags { user } => {
                let result = self.patiently(|| client.user_tags(&user)).await;
                Loaded::Tags { user, result }
            }
            Call::AllTags { marker } => Loaded::AllTags(
                self.patiently(|| client.authorization_details(marker.clone()))
                    .await,
            ),
            Call::EnabledRegions => Loaded::EnabledRegions(slot.trail.enabled_regions().await),
            Call::AwsFindings => Loaded::AwsFindings(self.aws_findings(&slot).await),
            Call::ServiceCredentials => Loaded::ServiceCredentials(
                self.patiently(|| {
                    crate::iam::list_all("iam:ListServiceSpecificCredentials", |marker| {
                        client.service_credentials(marker)
                    })
                })
                .await,
            ),
            Call::Credentials {
                user,
                certificates,
                service,
            } => self.credentials(client, user, certificates, service).await,
            Call::Ledger => Loaded::Ledger(self.read_ledger(&slot).await),
            Call::DateInactive { user, key_id } => self.date_inactive(&slot, user, key_id).await,
            Call::UserDetails { user, mfa } => {
                let (password, mfa) =
                    tokio::join!(self.patiently(|| client.login_profile(&user)), async {
                        if mfa {
                            Some(self.patiently(|| client.has_mfa(&user)).await)
                        } else {
                            None
                        }
                    });
                Loaded::UserDetails {
                    user,
                    password,
                    mfa,
                }
            }
        }
    }

    /// A user's SSH public keys and (when asked) signing certificates and
    /// service-specific credentials, the listings at once.
    async fn credentials(
        &self,
        client: &dyn IamClient,
        user: String,
        certificates: bool,
        service: bool,
    ) -> Loaded {
        use crate::model::credential::Listing;
        let listed = |asked: bool, listing: Listing| {
            let user = &user;
            async move {
                if !asked {
                    return None;
                }
                Some(
                    self.patiently(|| crate::iam::list_all_credentials(client, user, listing))
                        .await,
                )
            }
        };
        let (ssh, certificates, service) = tokio::join!(
            listed(true, Listing::SshKeys),
            listed(certificates, Listing::Certificates),
            listed(service, Listing::Service),
        );
        Loaded::Credentials {
            ssh: ssh.unwrap_or_else(|| Ok(Vec::new())),
            user,
            certificates,
            service,
        }
    }
}

#[cfg(test)]
mod tests;
