//! What the worker writes beside IAM: the rotation hand-off (with its
//! audit-log lines), the ledger's records of a change, and the ledger read
//! and the inactive dates it keeps.

use std::sync::Arc;

use super::{Slot, UPDATES_FOR, Worker, usage};
use crate::action::{Loaded, Mutated};
use crate::audit_log::Entry;
use crate::effect::{Actor, Change};
use crate::iam::{ErrorKind, IamError};

impl Worker {
    /// Write a rotated key where the workload reads it: an audit-log
    /// `attempt` line naming the target's full ARN first (if it cannot be
    /// written, nothing is), the write, then its outcome line. An SSM
    /// parameter of another account than the key's is refused:
    /// `PutParameter` takes a name, so it would land in this account.
    pub(super) async fn hand_off(
        &self,
        target: &crate::handoff::Target,
        user: &str,
        key_id: &str,
        secret: &crate::secret::Secret,
        actor: &Actor,
    ) -> Result<String, String> {
        let now = chrono::Utc::now;
        let line = |outcome: &'static str, error: Option<String>| {
            Entry::hand_off(now(), actor, user, key_id, target, outcome, error)
        };
        let cross_account = match (target, target.pinned()) {
            (crate::handoff::Target::Ssm { .. }, Some((_, account))) => {
                actor.account_id.as_deref() != Some(account)
            }
            _ => false,
        };
        if cross_account {
            let why = format!(
                "{} is in another account than the key's ({}): an SSM parameter is written in the caller's own account, so it is not written",
                target.arn(),
                actor.account_id.as_deref().unwrap_or("unknown")
            );
            self.audit_line(&line("refused", Some(why.clone())));
            return Err(format!("{} refused: {why}", target.action()));
        }
        if let Some(audit) = &self.audit
            && let Err(err) = audit.append(&line("attempt", None))
        {
            tracing::error!(path = %audit.path().display(), %err, "cannot write the audit log: hand-off refused");
            return Err(format!(
                "The audit log {} cannot be written ({err}): the key was not handed off.",
                audit.path().display()
            ));
        }
        let slot = self.slot();
        let result = slot.writer.hand_off(target, key_id, secret).await;
        self.audit_line(&line(
            if result.is_ok() { "ok" } else { "error" },
            result.as_ref().err().map(ToString::to_string),
        ));
        tracing::info!(user = %user, key = %key_id, target = %target.arn(), ok = result.is_ok(), "hand-off");
        result
            .map(|()| target.describe())
            .map_err(|err| format!("{} {}: {}", err.action, err.in_a_word(), err.detail))
    }

    /// One step of a rotation beside the change itself (the ledger's
    /// record, the undo of a new key), between its audit-log `attempt` and
    /// `outcome` lines. A line that cannot be written is logged; the step
    /// is still taken (the change it belongs to is already made).
    async fn logged<T>(
        &self,
        actor: &Actor,
        change: &Change,
        step: impl Future<Output = Result<T, IamError>>,
    ) -> Result<T, IamError> {
        let now = chrono::Utc::now;
        self.audit_line(&Entry::attempt(now(), actor, change));
        let result = step.await;
        self.audit_line(&Entry::outcome(
            now(),
            actor,
            change,
            None,
            result.as_ref().err(),
        ));
        result
    }

    /// A rotation's new key is made: record `rotation.started` before its
    /// secret is shown. Nothing is half-written: when the ledger refuses,
    /// the new key (never shown, never used) is deleted again and the
    /// change fails with why; only if that delete fails too is the key
    /// handed back, its rotation kept in this session only. Without a
    /// ledger in this run, the key is handed back as made.
    pub(super) async fn record_rotation(
        &self,
        slot: &Slot,
        actor: &Actor,
        user: &str,
        old: &str,
        new: crate::model::NewAccessKey,
    ) -> Result<Mutated, IamError> {
        if self.settings.ledger.is_none() {
            return Ok(Mutated::Created(new));
        }
        let draft = crate::ledger::Draft {
            account_id: actor.account_id.clone().unwrap_or_default(),
            user: Some(user.to_owned()),
            key_id: Some(old.to_owned()),
            kind: crate::ledger::Kind::RotationStarted {
                new_key_id: new.key.id.clone(),
            },
        };
        let record = Change::Record(draft.clone());
        let recorded = self
            .logged(actor, &record, Box::pin(self.record(&draft, actor)))
            .await;
        let Err(refused) = recorded else {
            return Ok(Mutated::Rotated {
                new,
                recorded: Ok(()),
            });
        };
        let id = new.key.id.clone();
        let undo = Change::Delete {
            user: user.to_owned(),
            key_id: id.clone(),
            unused_since: None,
        };
        let deleted = self
            .logged(actor, &undo, slot.client.delete_access_key(user, &id))
            .await;
        match deleted {
            Ok(()) => Err(IamError::new(
                ErrorKind::Refused,
                "ledger:append",
                format!(
                    "{}: the rotation could not be recorded, so the new key {id} was deleted again (never shown, never used). Nothing changed; {old} is as it was.",
                    refused.detail
                ),
            )),
            Err(err) => Ok(Mutated::Rotated {
                new,
                recorded: Err(format!(
                    "{}; and the new key could not be deleted again ({err})",
                    refused.detail
                )),
            }),
        }
    }

    /// Append a change's event to the ledger (the change was bound to its
    /// account already: the event must be for that account too).
    pub(super) async fn record(
        &self,
        draft: &crate::ledger::Draft,
        actor: &Actor,
    ) -> Result<Mutated, IamError> {
        const ACTION: &str = "ledger:append";
        if actor.account_id.as_deref() != Some(draft.account_id.as_str()) {
            return Err(IamError::new(
                ErrorKind::Refused,
                ACTION,
                format!(
                    "Refused: the record is for account {}, the change was confirmed for {}. Nothing was recorded.",
                    draft.account_id,
                    actor.account_id.as_deref().unwrap_or("no account")
                ),
            ));
        }
        let Some(ledger) = &self.settings.ledger else {
            return Err(IamError::new(
                ErrorKind::Refused,
                ACTION,
                "this run keeps no ledger: nothing was recorded",
            ));
        };
        match ledger.append(vec![draft.clone()], chrono::Utc::now()).await {
            Ok(_) => Ok(Mutated::Recorded),
            Err(err) => Err(IamError::new(
                match err.why {
                    crate::ledger::Why::Denied => ErrorKind::AccessDenied,
                    crate::ledger::Why::Throttled => ErrorKind::Throttling,
                    _ => ErrorKind::Refused,
                },
                ACTION,
                format!("{err}: nothing was recorded"),
            )),
        }
    }

    /// The account's ledger, folded: read with the ledger's own (the
    /// caller's) credentials, for the account this worker's client is in.
    pub(super) async fn read_ledger(
        &self,
        slot: &Slot,
    ) -> Result<Option<Arc<crate::ledger::Folded>>, crate::ledger::LedgerError> {
        let Some(ledger) = &self.settings.ledger else {
            return Ok(None);
        };
        // Throttling is back-pressure here too (STS, when the account is
        // not known yet).
        let account = self.patiently(|| slot.account()).await.map_err(|err| {
            crate::ledger::LedgerError::failed(
                ledger.location().to_string(),
                format!("the account to read it for cannot be told: {err}"),
            )
        })?;
        ledger.fold(&account).await.map(|f| Some(Arc::new(f)))
    }

    /// The account's `UpdateAccessKey` events, read once for the client in
    /// use (again after [`UPDATES_FOR`]): every key dated meanwhile waits
    /// for, and shares, the one read.
    async fn account_updates(&self, slot: &Slot) -> Arc<Result<usage::Read, crate::iam::IamError>> {
        let epoch = self.client_epoch.load(std::sync::atomic::Ordering::Relaxed);
        let mut held = self.updates.lock().await;
        if let Some((read_for, at, updates)) = &*held
            && *read_for == epoch
            && at.elapsed() < UPDATES_FOR
        {
            return updates.clone();
        }
        let updates = Arc::new(
            usage::account_updates(slot.trail.as_ref(), usage::UPDATES_MAX_EVENTS, &self.pacer)
                .await,
        );
        *held = Some((epoch, tokio::time::Instant::now(), updates.clone()));
        updates
    }

    /// Date an Inactive key once: CloudTrail's successful `UpdateAccessKey`
    /// to Inactive in this account, else now (first seen inactive: never
    /// earlier than the truth); recorded in the ledger with its source.
    pub(super) async fn date_inactive(&self, slot: &Slot, user: String, key_id: String) -> Loaded {
        use crate::ledger::event::InactiveSource;
        let now = chrono::Utc::now();
        let answer = |recorded, cloudtrail| Loaded::InactiveDated {
            user: user.clone(),
            key_id: key_id.clone(),
            recorded,
            cloudtrail,
        };
        let Some(ledger) = &self.settings.ledger else {
            return answer(
                Err(crate::ledger::LedgerError::failed(
                    "ledger".to_owned(),
                    "this run keeps no ledger".to_owned(),
                )),
                Ok(()),
            );
        };
        let account = match self.patiently(|| slot.account()).await {
            Ok(account) => account,
            Err(err) => {
                return answer(
                    Err(crate::ledger::LedgerError::failed(
                        ledger.location().to_string(),
                        format!("the account cannot be told: {err}"),
                    )),
                    Ok(()),
                );
            }
        };
        let found = match &*self.account_updates(slot).await {
            Ok(updates) => {
                match crate::usage::made_inactive_at(&updates.events, &account, &key_id, now) {
                    Some(at) => Ok(Some(at)),
                    None if updates.whole => Ok(None),
                    // Older than the events read: this key's own.
                    None => {
                        usage::made_inactive_at(
                            slot.trail.as_ref(),
                            &account,
                            &key_id,
                            crate::defaults::CLOUDTRAIL_MAX_EVENTS,
                            &self.pacer,
                        )
                        .await
                    }
                }
            }
            Err(err) => Err(err.clone()),
        };
        let (since, source, cloudtrail) = match found {
            Ok(Some(at)) => (at, InactiveSource::Cloudtrail, Ok(())),
            Ok(None) => (now, InactiveSource::Seen, Ok(())),
            Err(err) => (now, InactiveSource::Seen, Err(err)),
        };
        let draft = crate::ledger::Draft {
            account_id: account,
            user: Some(user.clone()),
            key_id: Some(key_id.clone()),
            kind: crate::ledger::Kind::KeySeenInactive { since, source },
        };
        let recorded = ledger.append(vec![draft], now).await.map(|_| ());
        answer(recorded, cloudtrail)
    }
}
