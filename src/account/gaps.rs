//! What the audit could not see. A rule whose data could not be read
//! (denied, failed past the retries, a value IAM sent that iamkeys does not
//! know) is a gap: the screen and the report name it, with the API and the
//! users affected, and `iamkeys report` exits 2. Incomplete is never clean.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::UserRow;
use crate::iam::{ErrorKind, IamError};
use crate::model::KeyStatus;

/// One thing one user (or key) is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// The API whose answer is missing, e.g. `iam:GetLoginProfile`.
    pub action: &'static str,
    /// `denied`, `failed (throttled)`, `sent no creation date`, …
    pub cause: String,
    /// What is unknown, e.g. `console password unknown`.
    pub what: &'static str,
    /// Which rules could not be judged because of it.
    pub consequence: &'static str,
    pub user: String,
    pub key_id: Option<String>,
    /// `false` for data no rule needs (MFA): said, but the audit is whole.
    pub blocks_audit: bool,
}

/// How an error reads in a gap: `denied` or `failed (throttled)`.
#[must_use]
pub fn cause(err: &IamError) -> String {
    if err.kind == ErrorKind::AccessDenied {
        "denied".to_owned()
    } else {
        format!("failed ({})", err.kind_label())
    }
}

/// The "user" of a gap in the listing itself.
const LISTING: &str = "<user listing>";
const PASSWORD: &str = "console password unknown";
const PASSWORD_RULES: &str = "initial_setup_key cannot be judged for them";

impl Gap {
    fn of(
        err: &IamError,
        what: &'static str,
        consequence: &'static str,
        user: &str,
        key_id: Option<&str>,
    ) -> Self {
        Self {
            action: err.action,
            cause: cause(err),
            what,
            consequence,
            user: user.to_owned(),
            key_id: key_id.map(ToOwned::to_owned),
            blocks_audit: true,
        }
    }

    /// The user listing stopped part-way (`ListUsers` failed, or repeated
    /// its marker): users past those listed are not audited at all.
    #[must_use]
    pub fn listing(err: &IamError) -> Self {
        Self::of(
            err,
            "users past those listed not read",
            "no finding of theirs can be judged",
            LISTING,
            None,
        )
    }

    /// `GetAccountAuthorizationDetails` could not be walked to its end:
    /// no one can tell which users AWS quarantined, nor what anyone's
    /// policies allow.
    #[must_use]
    pub fn details(err: &IamError) -> Self {
        Self::of(
            err,
            "AWS's quarantine policies and every user's policies not read",
            "exposed_key_quarantined cannot be judged, and every risk is raised as unknown",
            LISTING,
            None,
        )
    }

    /// The account's ledger could not be read, or does not read: what it
    /// records is not known (it could have been a revocation).
    #[must_use]
    pub fn ledger(err: &crate::ledger::LedgerError) -> Self {
        Self {
            action: "ledger",
            cause: err.cause(),
            what: "waivers, rotations, hand-off targets, inactive and due dates not read",
            consequence: "no ledger waiver is honoured (their findings count) and no key is ready to delete",
            user: LISTING.to_owned(),
            key_id: None,
            blocks_audit: true,
        }
    }

    /// The root user's keys could not be checked (no credential report).
    #[must_use]
    pub fn root(err: &IamError) -> Self {
        Self::of(
            err,
            "root access keys not checked",
            "root_access_key cannot be judged",
            crate::model::ROOT_ROW,
            None,
        )
    }
}

impl UserRow {
    /// What is missing about this user for the audit (empty: all is known
    /// or still loading).
    #[must_use]
    pub fn gaps(&self) -> Vec<Gap> {
        let name = self.user.name.as_str();
        let mut out = Vec::new();
        if self.password.is_none()
            && let Some(err) = &self.password_error
        {
            out.push(Gap::of(err, PASSWORD, PASSWORD_RULES, name, None));
        }
        if let Some(err) = &self.mfa_error {
            let mut gap = Gap::of(err, "MFA unknown", "no rule needs it", name, None);
            gap.blocks_audit = false;
            out.push(gap);
        }
        match &self.keys {
            super::KeysState::Failed(err) => out.push(Gap::of(
                err,
                "access keys not listed",
                "their keys' findings cannot name the key, and keys made after the credential report are not seen",
                name,
                None,
            )),
            super::KeysState::Loaded(keys) => {
                for key in keys {
                    let id = Some(key.id.as_str());
                    if key.status == KeyStatus::Unknown {
                        out.push(Gap {
                            action: "iam:ListAccessKeys",
                            cause: "sent a status iamkeys does not know".to_owned(),
                            what: "key status unknown",
                            consequence: "no rule judged those keys",
                            user: name.to_owned(),
                            key_id: id.map(ToOwned::to_owned),
                            blocks_audit: true,
                        });
                    }
                    if key.created.is_none() {
                        out.push(Gap {
                            action: "iam:ListAccessKeys",
                            cause: "sent no creation date".to_owned(),
                            what: "key age unknown",
                            consequence: "unused_key and key_not_rotated cannot be judged for those keys",
                            user: name.to_owned(),
                            key_id: id.map(ToOwned::to_owned),
                            blocks_audit: true,
                        });
                    }
                    if key.status != KeyStatus::Inactive
                        && !self.last_used.contains_key(&key.id)
                        && let Some(err) = self.last_used_errors.get(&key.id)
                    {
                        out.push(Gap::of(
                            err,
                            "last use unknown",
                            "initial_setup_key and unused_key cannot be judged for those keys",
                            name,
                            id,
                        ));
                    }
                }
            }
            _ => {}
        }
        for (err, what) in self.credentials.errors() {
            out.push(Gap::of(
                err,
                what,
                "service_credential_* and long_term_credential_old cannot be judged for them",
                name,
                None,
            ));
        }
        for credential in self.credentials.known() {
            if let crate::model::credential::CredentialStatus::Other(_) = credential.status {
                out.push(Gap {
                    action: credential.kind.list_action(),
                    cause: "sent a status iamkeys does not know".to_owned(),
                    what: "credential status unknown",
                    consequence: "no rule judged those credentials",
                    user: name.to_owned(),
                    key_id: Some(credential.id.clone()),
                    blocks_audit: true,
                });
            }
        }
        out
    }
}

/// Gaps grouped into one line each, as `notes` and the screen say them:
/// "iam:GetLoginProfile denied: console password unknown for 40 users
/// (alice, bob, …); `initial_setup_key` cannot be judged for them".
#[must_use]
pub fn lines(gaps: &[Gap]) -> Vec<String> {
    let mut groups: BTreeMap<(&str, &str, &str, &str), Vec<&Gap>> = BTreeMap::new();
    for gap in gaps {
        groups
            .entry((gap.action, gap.cause.as_str(), gap.what, gap.consequence))
            .or_default()
            .push(gap);
    }
    groups
        .into_iter()
        .map(|((action, cause, what, consequence), members)| {
            let keys = members.iter().filter(|g| g.key_id.is_some()).count();
            let mut users: Vec<&str> = members.iter().map(|g| g.user.as_str()).collect();
            users.dedup();
            let whom = if keys == members.len() {
                let ids: Vec<String> = members
                    .iter()
                    .map(|g| format!("{} of {}", g.key_id.as_deref().unwrap_or("?"), g.user))
                    .collect();
                format!("{} ({})", crate::text::count(keys, "key"), shortlist(&ids))
            } else if users == [crate::model::ROOT_ROW] {
                "the root user".to_owned()
            } else if users == [LISTING] {
                "the account".to_owned()
            } else {
                let names: Vec<String> = users.iter().map(|u| (*u).to_owned()).collect();
                format!(
                    "{} ({})",
                    crate::text::count(users.len(), "user"),
                    shortlist(&names)
                )
            };
            format!("{action} {cause}: {what} for {whom}; {consequence}")
        })
        .collect()
}

/// The first few names, then how many more.
fn shortlist(names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut out = names
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        let _ = write!(out, ", and {} more", names.len() - SHOWN);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denied(action: &'static str) -> IamError {
        IamError::new(ErrorKind::AccessDenied, action, "no")
    }

    #[test]
    fn gaps_are_grouped_by_api_and_cause() {
        let mut gaps: Vec<Gap> = (0..7)
            .map(|i| {
                Gap::of(
                    &denied("iam:GetLoginProfile"),
                    PASSWORD,
                    PASSWORD_RULES,
                    &format!("u{i}"),
                    None,
                )
            })
            .collect();
        gaps.push(Gap::root(&denied("iam:GenerateCredentialReport")));
        let lines = lines(&gaps);
        assert_eq!(
            lines,
            [
                "iam:GenerateCredentialReport denied: root access keys not checked for the root user; root_access_key cannot be judged",
                "iam:GetLoginProfile denied: console password unknown for 7 users (u0, u1, u2, u3, u4, and 2 more); initial_setup_key cannot be judged for them",
            ]
        );
    }
}
