//! AWS's verdict on a key or console password of the account, from IAM
//! Access Analyzer's findings (when the account has an analyzer), beside
//! the facts the account loaded.

use super::Account;
use crate::audit::aws_verdict::{Facts, Subject, reconcile};

impl Account {
    /// Why IAM Access Analyzer could not be read, if it could not (said
    /// once, never as a gap: iamkeys' own audit does not depend on it).
    #[must_use]
    pub fn aws_unread(&self) -> Option<String> {
        match self.aws_findings.as_ref()? {
            Err(err) => Some(format!(
                "IAM Access Analyzer not read ({} {}): no AWS verdicts",
                err.action,
                err.in_a_word()
            )),
            Ok(_) => None,
        }
    }

    /// AWS's verdict on `user`'s key `key_id` (`None`: the console
    /// password), in a line; `None` when there is nothing to say (no
    /// analyzer covers the account or it could not be read, not asked
    /// yet, or the last use is not known yet).
    #[must_use]
    pub fn aws_verdict(&self, user: &str, key_id: Option<&str>) -> Option<String> {
        let Some(Ok(Some((analyzer, findings)))) = self.aws_findings.as_ref() else {
            return None;
        };
        let row = self.users.get(user)?;
        let facts = match key_id {
            Some(id) => {
                let key = row
                    .audit_keys()
                    .into_iter()
                    .find(|k| k.id.as_deref() == Some(id))?;
                Facts {
                    user_created: row.user.created,
                    created: key.created,
                    last_used: key.last_used?.date,
                }
            }
            None if row.password == Some(true) => Facts {
                user_created: row.user.created,
                created: None,
                last_used: row.user.password_last_used,
            },
            None => return None,
        };
        let subject = key_id.map_or(Subject::Password, |id| Subject::AccessKey(id.to_owned()));
        let aws = findings
            .iter()
            .find(|f| f.user == user && f.subject == subject);
        Some(reconcile(&facts, aws, analyzer.tracking_days, self.clock).words())
    }
}
