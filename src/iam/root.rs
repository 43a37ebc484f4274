//! A member account's root user, reached from the organization's management
//! account with `sts:AssumeRoot` (centralized root access): a session of at
//! most 900 seconds, scoped by one of AWS's root-task policies, on a
//! Regional STS endpoint. iamkeys asks only for
//! [`DELETE_ROOT_CREDENTIALS`], and with it lists and deletes the root
//! user's access keys (`ListAccessKeys`/`DeleteAccessKey` with no user
//! name: IAM takes the signer, the root user).

use async_trait::async_trait;

use super::{ErrorKind, IamError};
use crate::model::{AccessKey, Identity};

/// The task policy that lets a root session delete the root user's
/// credentials (AWS managed, `root-task`).
pub const DELETE_ROOT_CREDENTIALS: &str =
    "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials";

/// The longest root session STS grants, in seconds.
pub const MAX_SESSION_SECONDS: i32 = 900;

/// A session as a member account's root user.
#[async_trait]
pub trait RootUser: Send + Sync {
    /// `sts:GetCallerIdentity` of the session: the member's root, or the
    /// session is not used.
    async fn identity(&self) -> Result<Identity, IamError>;
    /// Every page of `iam:ListAccessKeys` with no user name: the root user's keys.
    async fn access_keys(&self) -> Result<Vec<AccessKey>, IamError>;
    /// `iam:DeleteAccessKey` with no user name: one of the root user's keys.
    async fn delete_access_key(&self, key_id: &str) -> Result<(), IamError>;
}

/// Whether `identity` is the root user of `account`: STS names it
/// `arn:<partition>:iam::<account>:root`.
#[must_use]
pub fn is_root_of(identity: &Identity, account: &str) -> bool {
    identity.account_id == account
        && identity
            .arn
            .strip_prefix("arn:")
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(_, rest)| rest == format!("iam::{account}:root"))
}

/// Why deleting `account`'s root keys failed, in a sentence that says
/// which refusal it was: a service control policy, centralized root access
/// not turned on, or the account not a member; else the error as said.
#[must_use]
pub fn refusal(err: &IamError, account: &str, profile: &str) -> String {
    let said = err.detail.to_ascii_lowercase();
    let denied = matches!(
        err.kind,
        ErrorKind::AccessDenied | ErrorKind::InvalidCredentials
    );
    if denied && said.contains("service control polic") {
        format!(
            "A service control policy denies {} (explicit deny in an SCP): account {account}'s root keys were not deleted. Ask whoever manages the organization's SCPs.",
            err.action
        )
    } else if denied && said.contains("root sessions") {
        "Centralized root access is not on for root sessions, so STS refused AssumeRoot: from the management account run aws iam enable-organizations-root-sessions. Nothing was deleted.".to_owned()
    } else if denied && said.contains("not a member") {
        format!(
            "Account {account} is not a member of this organization, so STS refused AssumeRoot. Nothing was deleted."
        )
    } else if denied {
        format!(
            "Access denied: this identity lacks {} (the management account needs sts:AssumeRoot on the member, and iam:ListAccessKeys and iam:DeleteAccessKey are the root session's). Nothing more was deleted.",
            err.action
        )
    } else {
        err.operator_message(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(account: &str, arn: &str) -> Identity {
        Identity {
            account_id: account.to_owned(),
            arn: arn.to_owned(),
            access_key_id: None,
            alias: None,
            region: None,
        }
    }

    #[test]
    fn only_the_members_root_is_its_root() {
        let member = "210987654321";
        assert!(is_root_of(
            &who(member, "arn:aws:iam::210987654321:root"),
            member
        ));
        assert!(is_root_of(
            &who(member, "arn:aws-us-gov:iam::210987654321:root"),
            member
        ));
        for (account, arn) in [
            (member, "arn:aws:iam::123456789012:root"),
            ("123456789012", "arn:aws:iam::210987654321:root"),
            (
                member,
                "arn:aws:sts::210987654321:assumed-role/OrganizationAccountAccessRole/x",
            ),
            (member, "arn:aws:iam::210987654321:user/root"),
            (member, "arn:aws:iam::210987654321:rootx"),
        ] {
            assert!(!is_root_of(&who(account, arn), member), "{account} {arn}");
        }
    }
}
