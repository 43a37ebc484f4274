//! Carrying out changes. `CreateAccessKey` is not idempotent, so it is never
//! retried blindly: after an unclear failure the user's keys are listed again,
//! and a key that appeared is reported instead of creating a second one.

use std::time::Duration;

use crate::action::Mutated;
use crate::effect::Change;
use crate::iam::{ErrorKind, IamClient, IamError, list_all_access_keys};

/// Attempts at `CreateAccessKey` when the failures are transient and IAM shows no new key.
const CREATE_ATTEMPTS: u32 = 3;

pub(super) async fn apply(client: &dyn IamClient, change: &Change) -> Result<Mutated, IamError> {
    match change {
        Change::Create { user, known_keys } => create(client, user, known_keys).await,
        Change::SetStatus {
            user,
            key_id,
            status,
        } => client
            .update_access_key(user, key_id, *status)
            .await
            .map(|()| Mutated::StatusSet),
        Change::Delete { user, key_id } => client
            .delete_access_key(user, key_id)
            .await
            .map(|()| Mutated::Deleted),
    }
}

async fn create(
    client: &dyn IamClient,
    user: &str,
    known_keys: &[String],
) -> Result<Mutated, IamError> {
    let mut wait = Duration::from_millis(250);
    let mut last = None;
    for _ in 0..CREATE_ATTEMPTS {
        match client.create_access_key(user).await {
            Ok(new) => return Ok(Mutated::Created(new)),
            Err(err) if err.is_transient() => {
                // The request may have reached IAM: look before trying again.
                let keys = list_all_access_keys(client, user)
                    .await
                    .map_err(|_| err.clone())?;
                if let Some(made) = keys.iter().find(|k| !known_keys.contains(&k.id)) {
                    return Err(IamError::new(
                        ErrorKind::Other,
                        "iam:CreateAccessKey",
                        format!(
                            "the request failed ({}) but IAM created key {} anyway; its secret never arrived and cannot be recovered: make it inactive and delete it",
                            err.detail, made.id
                        ),
                    ));
                }
                last = Some(err);
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| {
        IamError::new(
            ErrorKind::Other,
            "iam:CreateAccessKey",
            "no attempt was made",
        )
    }))
}
