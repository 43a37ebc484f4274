//! "Whose key is this?": `sts:GetAccessKeyInfo` names the account an
//! access key ID belongs to; the key is then looked for among that
//! account's users (every user's keys listed, stopping at the first hit),
//! in the caller's own account or, with `--org`, a member reached through
//! its role. Nothing is changed.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::Serialize;

use crate::iam::IamClient;
use crate::model::KeyStatus;

/// What is known of one key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub access_key_id: String,
    /// As STS named it (`null`: it could not be asked).
    pub account_id: Option<String>,
    pub user_name: Option<String>,
    pub status: Option<KeyStatus>,
    pub created: Option<DateTime<Utc>>,
    /// `null` with a user: never used.
    pub last_used: Option<DateTime<Utc>>,
    /// Whether a user holding it was found.
    pub found: bool,
    /// Why not, or what could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Something could not be read: the answer may be incomplete (exit 2).
    #[serde(skip)]
    pub failed: bool,
}

impl Answer {
    fn new(key: &str) -> Self {
        Self {
            access_key_id: key.to_owned(),
            account_id: None,
            user_name: None,
            status: None,
            created: None,
            last_used: None,
            found: false,
            note: None,
            failed: false,
        }
    }

    /// One line for people.
    #[must_use]
    pub fn line(&self) -> String {
        let account = self.account_id.as_deref().unwrap_or("unknown");
        match (&self.user_name, self.status) {
            (Some(user), Some(status)) => format!(
                "{}  account {account}  user {}  {status}  created {}  last used {}",
                self.access_key_id,
                crate::text::clean(user),
                self.created.map_or_else(
                    || "unknown".to_owned(),
                    |t| t.format("%Y-%m-%d").to_string()
                ),
                self.last_used.map_or_else(
                    || "never".to_owned(),
                    |t| t.format("%Y-%m-%d %H:%M UTC").to_string()
                ),
            ),
            _ => format!(
                "{}  account {account}  {}",
                self.access_key_id,
                self.note.as_deref().unwrap_or("not found")
            ),
        }
    }
}

/// How the account a key belongs to is reached: its client, or why not.
pub type Reach<'a> =
    dyn Fn(&str) -> BoxFuture<'static, Result<std::sync::Arc<dyn IamClient>, String>> + Sync + 'a;

/// Whose `key` is: the account from `own` (`GetAccessKeyInfo`), then the
/// user in that account, through `reach`.
pub async fn whois(own: &dyn IamClient, reach: &Reach<'_>, key: &str) -> Answer {
    let mut answer = Answer::new(key);
    let account = match own.access_key_account(key).await {
        Ok(account) => account,
        Err(err) => {
            answer.failed = true;
            answer.note = Some(format!("cannot ask STS ({})", err.in_a_word()));
            return answer;
        }
    };
    answer.account_id = Some(account.clone());
    if key.starts_with("ASIA") {
        answer.note = Some(
            "temporary credentials (a role or federated session): no IAM user holds them"
                .to_owned(),
        );
        return answer;
    }
    let client = match reach(&account).await {
        Ok(client) => client,
        Err(why) => {
            answer.note = Some(format!("not in any account reachable ({why})"));
            return answer;
        }
    };
    match crate::iam::holder(client.as_ref(), key).await {
        Ok(Some((user, found))) => {
            answer.found = true;
            answer.user_name = Some(user);
            answer.status = Some(found.status);
            answer.created = found.created;
            match client.access_key_last_used(key).await {
                Ok(last) => answer.last_used = last.date,
                Err(err) => {
                    answer.failed = true;
                    answer.note = Some(format!("last use unknown ({})", err.in_a_word()));
                }
            }
        }
        Ok(None) => {
            answer.note = Some(format!(
                "not in any account reachable (account {account} has no user holding it now)"
            ));
        }
        Err(err) => {
            answer.failed = true;
            answer.note = Some(format!(
                "account {account}'s users cannot be searched ({} {})",
                err.action,
                err.in_a_word()
            ));
        }
    }
    answer
}

#[cfg(test)]
mod tests {
    use crate::model::is_key_shaped;

    #[test]
    fn only_what_is_shaped_like_a_key_is_asked() {
        assert!(is_key_shaped("AKIAIOSFODNN7EXAMPLE"));
        assert!(is_key_shaped("ASIAIOSFODNN7EXAMPLE"));
        for bad in [
            "",
            "AKIA",
            "akiaiosfodnn7example",
            "AKIAIOSFODNN7EXAMPL",
            "AKIAIOSFODNN7EXAMPLE1",
            "ABIAIOSFODNN7EXAMPLE",
            "AKIA-OSFODNN7EXAMPLE",
            "AKIAIOSFODNN7EXAMP\u{1b}",
        ] {
            assert!(!is_key_shaped(bad), "{bad:?}");
        }
    }
}
