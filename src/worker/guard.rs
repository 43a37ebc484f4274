//! The last check before a change is sent: it was confirmed for the
//! profile and the account whose credentials are in use.

use super::clients::Slot;
use crate::effect::{Actor, Change};
use crate::iam::{ErrorKind, IamError};

/// Refuse a change confirmed for another profile or account than the
/// client's: nothing is sent.
pub(super) async fn bound_to(slot: &Slot, actor: &Actor, change: &Change) -> Result<(), IamError> {
    if let Change::DeleteRootKeys { account, from } = change {
        return root_bound_to(slot, actor, account, from).await;
    }
    let refuse = |why: String| IamError::new(ErrorKind::Refused, "iamkeys", why);
    same_profile(slot, actor)?;
    let Some(confirmed) = &actor.account_id else {
        return Err(refuse(
            "Refused: the change names no account. Nothing was sent.".to_owned(),
        ));
    };
    let account = slot.account().await?;
    if !crate::model::is_account_id(confirmed) || !crate::model::is_account_id(&account) {
        return Err(refuse(format!(
            "Refused: the account of this change cannot be told (confirmed for `{}`, the credentials answer as `{}`): an account ID is 12 digits. Nothing was sent.",
            crate::text::clean(confirmed),
            crate::text::clean(&account)
        )));
    }
    if &account != confirmed {
        return Err(refuse(format!(
            "Refused: this change was confirmed for account {confirmed}, but the credentials in use are account {account}'s. Nothing was sent."
        )));
    }
    Ok(())
}

/// The change was confirmed for the profile the worker uses now.
fn same_profile(slot: &Slot, actor: &Actor) -> Result<(), IamError> {
    match &slot.profile {
        Some(profile) if profile != &actor.profile => Err(IamError::new(
            ErrorKind::Refused,
            "iamkeys",
            format!(
                "Refused: this change was confirmed for profile {}, but the profile in use is now {profile}. Nothing was sent.",
                actor.profile
            ),
        )),
        _ => Ok(()),
    }
}

/// A member's root keys are deleted from the management account: the
/// change must have been confirmed for the member, and this worker's
/// credentials must still be the management account's the dialog named
/// (never the member's own, never another account's).
async fn root_bound_to(
    slot: &Slot,
    actor: &Actor,
    account: &str,
    from: &str,
) -> Result<(), IamError> {
    let refuse = |why: String| IamError::new(ErrorKind::Refused, "iamkeys", why);
    same_profile(slot, actor)?;
    if actor.account_id.as_deref() != Some(account) || account == from {
        return Err(refuse(format!(
            "Refused: the root keys of account {account} were not confirmed for that member account. Nothing was sent."
        )));
    }
    let own = slot.account().await?;
    if own != from {
        return Err(refuse(format!(
            "Refused: account {account}'s root keys were to be deleted from the management account {from}, but the credentials in use are account {own}'s. Nothing was sent."
        )));
    }
    Ok(())
}
