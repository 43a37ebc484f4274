//! Carrying out changes, each checked against IAM (not the screen) right
//! before it is sent:
//! - a delete lists the user's keys and goes ahead only if the key is still
//!   there and still Inactive (someone may have made it active again);
//! - a create lists the user's keys just before its first attempt (a
//!   rotation's goes ahead only if the key it replaces is still there and
//!   still Active), and is
//!   tried again only after a failure that shows IAM did not act on it
//!   (throttling, 503). After an unclear one (a timeout, a dropped answer, a
//!   500) it is never tried again: the keys are listed, and a key that is
//!   new since the attempt began is reported, not a second one made.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::action::Mutated;
use crate::effect::Change;
use crate::iam::{ErrorKind, IamClient, IamError, list_all_access_keys};
use crate::model::credential::{CredentialKind, CredentialStatus};
use crate::model::{AccessKey, KeyStatus};

/// Attempts at `CreateAccessKey` when IAM refuses it without acting on it.
const CREATE_ATTEMPTS: u32 = 3;

/// IAM's clock and ours may differ by this much when telling whether a key
/// was made after an attempt began.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(300);

pub(super) async fn apply(client: &dyn IamClient, change: &Change) -> Result<Mutated, IamError> {
    match change {
        Change::Create { user, rotating } => create(client, user, rotating.as_deref()).await,
        Change::SetStatus {
            user,
            key_id,
            status,
        } => client
            .update_access_key(user, key_id, *status)
            .await
            .map(|()| Mutated::StatusSet),
        Change::Delete {
            user,
            key_id,
            unused_since,
        } => {
            still_inactive(client, user, key_id).await?;
            if let Some(since) = unused_since {
                unused_since_then(client, key_id, *since).await?;
            }
            client
                .delete_access_key(user, key_id)
                .await
                .map(|()| Mutated::Deleted)
        }
        Change::SetCredentialStatus {
            user,
            kind,
            id,
            status,
        } => {
            still_listed(client, user, kind, id, false).await?;
            client
                .set_credential_status(user, kind, id, *status)
                .await
                .map(|()| Mutated::CredentialChanged)
        }
        Change::DeleteCredential { user, kind, id } => {
            still_listed(client, user, kind, id, true).await?;
            client
                .delete_credential(user, kind, id)
                .await
                .map(|()| Mutated::CredentialChanged)
        }
        Change::RemovePassword { user } => {
            // The screen may be old: IAM must still show a password.
            if client.login_profile(user).await?.is_none() {
                return Err(IamError::new(
                    ErrorKind::Conflict,
                    "iam:DeleteLoginProfile",
                    format!(
                        "{user} has no console password now (IAM shows none): nothing was removed"
                    ),
                ));
            }
            client
                .delete_login_profile(user)
                .await
                .map(|()| Mutated::PasswordRemoved)
        }
        Change::DeleteRootKeys { account, .. } => delete_root_keys(client, account).await,
        // The worker appends it to the ledger: never an IAM call.
        Change::Record(_) => Err(IamError::new(
            ErrorKind::Refused,
            "ledger:append",
            "a ledger record is not an IAM change",
        )),
    }
}

/// Every access key of member `account`'s root user, deleted through a
/// root session made from `client` (the management account's): the
/// session must answer as that account's root, and the keys are those it
/// lists now (not the credential report's, which may be hours old).
async fn delete_root_keys(client: &dyn IamClient, account: &str) -> Result<Mutated, IamError> {
    const ACTION: &str = "iam:DeleteAccessKey";
    let root = client.assume_root(account).await?;
    let who = root.identity().await?;
    if !crate::iam::root::is_root_of(&who, account) {
        return Err(IamError::new(
            ErrorKind::IdentityMismatch,
            "sts:GetCallerIdentity",
            format!(
                "the root session made for account {account} answers as {}: nothing was deleted",
                crate::text::clean(&who.arn)
            ),
        ));
    }
    let keys = root.access_keys().await?;
    if keys.is_empty() {
        return Err(IamError::new(
            ErrorKind::Conflict,
            ACTION,
            format!(
                "account {account}'s root user has no access key now (IAM lists none): nothing was deleted"
            ),
        ));
    }
    let mut deleted = Vec::new();
    for key in keys {
        if let Err(mut err) = root.delete_access_key(&key.id).await {
            if !deleted.is_empty() {
                err.detail = format!(
                    "{} deleted, then {}: {}",
                    deleted.join(", "),
                    key.id,
                    err.detail
                );
            }
            return Err(err);
        }
        deleted.push(key.id);
    }
    Ok(Mutated::RootKeysDeleted(deleted))
}

/// The screen may be old: IAM must still list the credential (and, for a
/// delete, show it not Active: someone may have made it active again).
async fn still_listed(
    client: &dyn IamClient,
    user: &str,
    kind: &CredentialKind,
    id: &str,
    inactive: bool,
) -> Result<(), IamError> {
    let listed = crate::iam::list_all_credentials(client, user, kind.listing()).await?;
    match listed.iter().find(|c| c.id == id && c.kind == *kind) {
        None => Err(IamError::new(
            ErrorKind::Conflict,
            kind.update_action(),
            format!(
                "{id} is no longer among {user}'s credentials (IAM shows it gone): nothing was changed"
            ),
        )),
        Some(c) if inactive && c.status == CredentialStatus::Active => Err(IamError::new(
            ErrorKind::Conflict,
            kind.delete_action(),
            format!(
                "{id} was made Active again meanwhile (IAM shows it so now): nothing was deleted. Make it inactive (i) and check that nothing breaks before deleting it."
            ),
        )),
        Some(_) => Ok(()),
    }
}

/// The screen may be old: ask IAM whether the key is still Inactive.
async fn still_inactive(client: &dyn IamClient, user: &str, key_id: &str) -> Result<(), IamError> {
    const ACTION: &str = "iam:DeleteAccessKey";
    let keys = list_all_access_keys(client, user).await?;
    match keys.iter().find(|k| k.id == key_id) {
        None => Err(IamError::new(
            ErrorKind::NoSuchEntity,
            ACTION,
            format!("{key_id} is no longer among {user}'s keys"),
        )),
        Some(key) if key.status == KeyStatus::Inactive => Ok(()),
        Some(key) => Err(IamError::new(
            ErrorKind::Conflict,
            ACTION,
            format!(
                "{key_id} was made {} again meanwhile (IAM shows it so now): nothing was deleted. Make it inactive (i) and check that nothing breaks before deleting it.",
                key.status
            ),
        )),
    }
}

/// A key deleted as "ready to delete": IAM must show it unused since it
/// was made inactive (someone may have made it active, used it and made it
/// inactive again since the screen was drawn).
async fn unused_since_then(
    client: &dyn IamClient,
    key_id: &str,
    since: DateTime<Utc>,
) -> Result<(), IamError> {
    let used = client.access_key_last_used(key_id).await?;
    match used.date {
        Some(at) if at > since => Err(IamError::new(
            ErrorKind::Conflict,
            "iam:DeleteAccessKey",
            format!(
                "{key_id} was used {} (IAM shows it so now), after it was made inactive: nothing was deleted. Press r to see it as it is.",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether IAM answered the request without acting on it (so a second
/// attempt cannot make a second key).
fn refused_without_acting(err: &IamError) -> bool {
    err.kind == ErrorKind::Throttling
        || (err.kind == ErrorKind::Unavailable && err.code.as_deref() == Some("ServiceUnavailable"))
}

/// A key IAM shows now that was not there before the attempt, made after
/// the attempt began (allowing for clock skew).
fn made_since<'a>(
    now: &'a [AccessKey],
    before: &[String],
    began: DateTime<Utc>,
) -> Option<&'a AccessKey> {
    now.iter()
        .find(|k| !before.contains(&k.id) && k.created.is_none_or(|t| t >= began - CLOCK_SKEW))
}

async fn create(
    client: &dyn IamClient,
    user: &str,
    rotating: Option<&str>,
) -> Result<Mutated, IamError> {
    const ACTION: &str = "iam:CreateAccessKey";
    // IAM as it is now, not as the screen last saw it.
    let listed = list_all_access_keys(client, user).await?;
    if let Some(old) = rotating {
        match listed.iter().find(|k| k.id == old) {
            Some(key) if key.status == KeyStatus::Active => {}
            found => {
                let now = found.map_or("no longer among the user's keys".to_owned(), |k| {
                    format!("{} now", k.status)
                });
                return Err(IamError::new(
                    ErrorKind::Conflict,
                    ACTION,
                    format!(
                        "{old} is {now} (changed meanwhile): there is nothing to rotate, and no key was created. Press r to see {user}'s keys as they are."
                    ),
                ));
            }
        }
    }
    let before: Vec<String> = listed.into_iter().map(|k| k.id).collect();
    let began = Utc::now();
    let mut wait = Duration::from_millis(250);
    let mut last = None;
    for _ in 0..CREATE_ATTEMPTS {
        match client.create_access_key(user).await {
            Ok(new) => return Ok(Mutated::Created(new)),
            Err(err) if refused_without_acting(&err) => {
                last = Some(err);
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(err) if err.is_transient() || err.kind == ErrorKind::Unavailable => {
                // The request may have reached IAM: look, and never try again.
                let now = list_all_access_keys(client, user)
                    .await
                    .map_err(|_| unclear(&err, None))?;
                return Err(unclear(&err, made_since(&now, &before, began)));
            }
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| IamError::other(ACTION, "no attempt was made")))
}

/// The words for a create whose outcome IAM did not say.
fn unclear(err: &IamError, made: Option<&AccessKey>) -> IamError {
    const ACTION: &str = "iam:CreateAccessKey";
    match made {
        Some(made) => IamError::other(
            ACTION,
            format!(
                "the request failed ({}) but IAM created key {} anyway; its secret never arrived and cannot be recovered: make it inactive and delete it",
                err.detail, made.id
            ),
        ),
        None => IamError::new(
            err.kind,
            ACTION,
            format!(
                "the request failed ({}) and IAM shows no new key yet; it was not tried again (a second attempt could make a second key). Press r in a minute: IAM's lists can lag",
                err.detail
            ),
        ),
    }
}
