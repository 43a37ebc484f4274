//! The audit log: JSON lines for every change — an `attempt` line written
//! *before* the call (if it cannot be written, the change is refused), then
//! the outcome (`ok`, `error`, or `refused` when iamkeys would not send it) —
//! with time, profile, account, caller ARN, action, user and key ID, in the
//! data dir unless the config names another path. It never holds a secret:
//! entries are built from the change and the outcome's key ID only. The file
//! is opened without following a symlink, created 0600 in a 0700 directory.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::effect::{Actor, Change};
use crate::iam::IamError;

/// The audit log's file name in the data dir.
pub const FILE_NAME: &str = "audit.jsonl";
/// Where `--demo` records its (unreal) changes instead.
pub const DEMO_FILE_NAME: &str = "demo-audit.jsonl";

/// One line of the audit log.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Entry<'a> {
    pub time: DateTime<Utc>,
    pub profile: &'a str,
    pub account_id: Option<&'a str>,
    pub caller_arn: Option<&'a str>,
    pub action: &'a str,
    pub user: &'a str,
    /// The key acted on, or the key created.
    pub access_key_id: Option<&'a str>,
    /// `"attempt"` (written before the call), `"ok"`, `"error"`,
    /// `"refused"` (iamkeys sent nothing), `"abandoned"` (iamkeys left
    /// before IAM answered: it may or may not have been applied) or
    /// `"secret_lost"` (a new key whose secret was on screen when iamkeys
    /// was stopped or its terminal went away: never acknowledged).
    pub outcome: &'static str,
    pub error: Option<String>,
    /// A ledger record: what the event says (the waiver's finding, date
    /// and reason; the rotation's new key; the hand-off target). Never a
    /// secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<String>,
    /// A hand-off's target: the full ARN the new key is written to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl<'a> Entry<'a> {
    /// The line written after the call: `created` is the new key's ID (a
    /// create that worked), `error` why it failed.
    #[must_use]
    pub fn outcome(
        time: DateTime<Utc>,
        actor: &'a Actor,
        change: &'a Change,
        created: Option<&'a str>,
        error: Option<&IamError>,
    ) -> Self {
        Self {
            access_key_id: created.or_else(|| change.key_id()),
            outcome: if error.is_none() { "ok" } else { "error" },
            error: error.map(ToString::to_string),
            ..Self::attempt(time, actor, change)
        }
    }
}

impl<'a> Entry<'a> {
    /// The line written before the call: what is about to be sent.
    #[must_use]
    pub fn attempt(time: DateTime<Utc>, actor: &'a Actor, change: &'a Change) -> Self {
        let ledger = match change {
            Change::Record(draft) => Some(draft.kind.summary()),
            _ => None,
        };
        Self {
            ledger,
            ..Self::of(time, actor, change.action(), change.user(), change.key_id())
        }
    }

    /// An `"attempt"` line of `action` on `user` (and the key), by `actor`.
    fn of(
        time: DateTime<Utc>,
        actor: &'a Actor,
        action: &'a str,
        user: &'a str,
        access_key_id: Option<&'a str>,
    ) -> Self {
        Self {
            time,
            profile: &actor.profile,
            account_id: actor.account_id.as_deref(),
            caller_arn: actor.caller_arn.as_deref(),
            action,
            user,
            access_key_id,
            outcome: "attempt",
            error: None,
            ledger: None,
            target: None,
        }
    }

    /// A hand-off's line: `outcome` is `"attempt"` (written before the
    /// write), `"ok"`, `"error"` or `"refused"`; `target` the full ARN.
    /// The secret is never part of it.
    #[must_use]
    pub fn hand_off(
        time: DateTime<Utc>,
        actor: &'a Actor,
        user: &'a str,
        key_id: &'a str,
        target: &crate::handoff::Target,
        outcome: &'static str,
        error: Option<String>,
    ) -> Self {
        Self {
            outcome,
            error,
            target: Some(target.arn()),
            ..Self::of(time, actor, target.action(), user, Some(key_id))
        }
    }

    /// The line for a change still in flight when iamkeys left (a second
    /// `Ctrl-C`, or the terminal gone past the wait): its outcome is unknown.
    #[must_use]
    pub fn abandoned(time: DateTime<Utc>, actor: &'a Actor, change: &'a Change, why: &str) -> Self {
        Self {
            outcome: "abandoned",
            error: Some(why.to_owned()),
            ..Self::attempt(time, actor, change)
        }
    }

    /// The line for a new key whose secret was on screen, never
    /// acknowledged, when iamkeys was stopped.
    #[must_use]
    pub fn secret_lost(
        time: DateTime<Utc>,
        actor: &'a Actor,
        user: &'a str,
        key_id: &'a str,
    ) -> Self {
        Self {
            outcome: "secret_lost",
            error: Some(
                "the secret was on screen and never acknowledged: make the key inactive and delete it if it was not stored".to_owned(),
            ),
            ..Self::of(time, actor, "CreateAccessKey:secret", user, Some(key_id))
        }
    }

    /// The line for a change iamkeys would not send.
    #[must_use]
    pub fn refused(
        time: DateTime<Utc>,
        actor: &'a Actor,
        change: &'a Change,
        why: &IamError,
    ) -> Self {
        Self {
            outcome: "refused",
            error: Some(why.to_string()),
            ..Self::attempt(time, actor, change)
        }
    }
}

/// Appends entries to a file (created with mode 0600).
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open for appending: the directory made 0700 if missing, the file
    /// created 0600, a symlink at the path refused (never followed).
    fn open(&self) -> std::io::Result<std::fs::File> {
        crate::paths::private_dir(crate::paths::dir_of(&self.path))?;
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        options.open(&self.path)
    }

    /// Check at start-up that the log can be written, and how it is kept.
    /// Returns a warning when others may read it (a looser existing mode).
    ///
    /// # Errors
    /// The file cannot be opened for appending (no change could be recorded).
    pub fn check(&self) -> std::io::Result<Option<String>> {
        let file = self.open()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata()?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Ok(Some(format!(
                    "the audit log {} is readable or writable by others (mode {mode:o}): chmod 600 it",
                    self.path.display()
                )));
            }
        }
        #[cfg(not(unix))]
        drop(file);
        Ok(None)
    }

    /// Append one entry as a JSON line.
    ///
    /// # Errors
    /// The file cannot be opened or written.
    pub fn append(&self, entry: &Entry<'_>) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        // One write of the whole line: concurrent appends do not interleave.
        let mut file = self.open()?;
        file.write_all(&line)?;
        file.sync_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessKey, KeyStatus, NewAccessKey};
    use crate::secret::Secret;

    #[test]
    fn a_create_is_logged_with_the_new_key_id_and_never_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("a/audit.jsonl"));
        let actor = Actor {
            profile: "prod".into(),
            account_id: Some("123456789012".into()),
            caller_arn: Some("arn:aws:iam::123456789012:user/me".into()),
        };
        let change = Change::Create {
            user: "alice".into(),
            rotating: None,
        };
        let new = NewAccessKey {
            key: AccessKey {
                id: "AKIANEW".into(),
                user_name: "alice".into(),
                status: KeyStatus::Active,
                created: Some(Utc::now()),
            },
            secret: Secret::new("TOPSECRETVALUE"),
        };
        log.append(&Entry::outcome(
            Utc::now(),
            &actor,
            &change,
            Some(new.key.id.as_str()),
            None,
        ))
        .unwrap();
        let change = Change::Delete {
            user: "bob".into(),
            key_id: "AKIAOLD".into(),
            unused_since: None,
        };
        let failed = IamError::new(
            crate::iam::ErrorKind::NoSuchEntity,
            "iam:DeleteAccessKey",
            "gone",
        );
        log.append(&Entry::outcome(
            Utc::now(),
            &actor,
            &change,
            None,
            Some(&failed),
        ))
        .unwrap();
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(!text.contains("TOPSECRETVALUE"));
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["action"], "CreateAccessKey");
        assert_eq!(lines[0]["access_key_id"], "AKIANEW");
        assert_eq!(lines[0]["outcome"], "ok");
        assert_eq!(lines[0]["caller_arn"], "arn:aws:iam::123456789012:user/me");
        assert_eq!(lines[1]["outcome"], "error");
        assert_eq!(lines[1]["user"], "bob");
    }

    /// Issue 13, item 9: a looser existing mode is reported; a symlink is
    /// refused, not followed.
    #[cfg(unix)]
    #[test]
    fn a_looser_mode_is_reported_and_a_symlink_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        assert_eq!(AuditLog::new(path.clone()).check().unwrap(), None);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warning = AuditLog::new(path.clone()).check().unwrap().unwrap();
        assert!(
            warning.contains("mode 644") && warning.contains("chmod 600"),
            "{warning}"
        );
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(AuditLog::new(link).check().is_err());
    }
}
