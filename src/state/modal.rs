//! Dialogs as data. An open modal gets the first claim on every key.

use chrono::{DateTime, Utc};

use crate::model::{KeyStatus, LastUsed};
use crate::secret::Secret;

pub use crate::config::Posture;

/// The two buttons of a confirmation dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Button {
    Cancel,
    Confirm,
}

impl Button {
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::Cancel => Self::Confirm,
            Self::Confirm => Self::Cancel,
        }
    }
}

/// One access key a dialog acts on, with the facts the operator needs to
/// judge whether it is in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTarget {
    pub user: String,
    pub key_id: String,
    pub status: KeyStatus,
    pub created: Option<DateTime<Utc>>,
    /// `None` when not known; `Some` with no date when never used.
    pub last_used: Option<LastUsed>,
    /// iamkeys itself is signed with this key.
    pub is_session_key: bool,
    /// Another long-term credential (`key_id` is its ID): a
    /// service-specific credential, SSH public key or signing certificate.
    /// `None` for an access key.
    pub credential: Option<crate::model::credential::CredentialKind>,
}

impl KeyTarget {
    /// What it is, as a dialog names it: `access key`, `Bedrock API key`…
    #[must_use]
    pub fn noun(&self) -> String {
        self.credential.as_ref().map_or_else(
            || "access key".to_owned(),
            crate::model::credential::CredentialKind::label,
        )
    }
}

/// What a confirmation dialog will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    Create {
        user: String,
        has_password: bool,
    },
    /// Replace an Active key: create the new one now, and watch it until
    /// it is used (`R`).
    Rotate {
        target: KeyTarget,
        has_password: bool,
    },
    /// Make one or many keys Active or Inactive.
    SetStatus {
        targets: Vec<KeyTarget>,
        status: KeyStatus,
    },
    /// Record the end of a rotation IAM contradicts (`R` on its old key).
    EndRotation {
        user: String,
        old: String,
        new: String,
        why: String,
    },
}

/// A yes/no dialog. The focus starts on Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub operation: Operation,
    pub focus: Button,
    /// The account the dialog shows and the change is bound to.
    pub account: AccountRef,
    /// What will break if the operator goes ahead (e.g. making inactive
    /// the old key of a rotation whose new key has not been used yet).
    pub warnings: Vec<String>,
    /// Made from the marks (`Space`), not from the selected key: the
    /// dialog says so in its first line.
    pub from_marks: bool,
}

/// The account (and profile) a change was confirmed for: the worker sends
/// it through that account's client or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRef {
    pub profile: String,
    pub account_id: String,
    pub alias: Option<String>,
    pub caller_arn: String,
    /// In an organization (`--org`): the role session the change is made
    /// with, e.g. `OrganizationAccountAccessRole/iamkeys-alice`.
    pub role_session: Option<String>,
}

impl AccountRef {
    /// The caller's name as a tag value can hold it (the last part of the
    /// ARN: the user, or the role session), for the tags iamkeys writes.
    #[must_use]
    pub fn caller_name(&self) -> String {
        crate::account::users::tag_word(self.caller_arn.rsplit('/').next().unwrap_or(""))
    }

    /// "account 123456789012 (acme-prod) · profile prod", as dialogs name it.
    #[must_use]
    pub fn label(&self) -> String {
        let alias = self
            .alias
            .as_ref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        let profile = crate::profiles::shown(&self.profile);
        match &self.role_session {
            Some(session) => format!(
                "account {}{alias} · {profile} · role session {session}",
                self.account_id
            ),
            None => format!("account {}{alias} · {profile}", self.account_id),
        }
    }
}

/// Delete: the operator types (or pastes) the key ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteDialog {
    pub target: KeyTarget,
    /// The account the dialog shows and the delete is bound to.
    pub account: AccountRef,
    pub input: String,
    /// Set when Enter was pressed on text that does not match.
    pub mismatch: bool,
}

/// Remove a console password: the operator types the user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovePasswordDialog {
    pub user: String,
    /// The account the dialog shows and the removal is bound to.
    pub account: AccountRef,
    pub input: String,
    /// Set when Enter was pressed on text that does not match.
    pub mismatch: bool,
}

/// Delete a member's root access keys from the management account: the
/// operator types the member's account ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootKeysDialog {
    /// The management account the root session is made from.
    pub from: String,
    /// The member account the dialog shows and the delete is bound to.
    pub account: AccountRef,
    pub input: String,
    /// Set when Enter was pressed on text that does not match.
    pub mismatch: bool,
}

/// One finding a waiver can be written for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiveChoice {
    pub finding: crate::audit::FindingId,
    /// The key it is about (`None`: the whole user).
    pub key_id: Option<String>,
    /// The waiver it has now, if any.
    pub existing: Option<crate::audit::waivers::WaiverMark>,
}

/// Which field of the waiver dialog takes the typing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiveField {
    Until,
    Reason,
}

/// Accepting a finding until a date, for a reason: a `waiver.granted`
/// event in the ledger, which every operator and CI run reads (`W` in the
/// findings dialog). An empty reason on a ledger waiver revokes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiveDialog {
    pub user: String,
    pub choices: Vec<WaiveChoice>,
    pub choice: usize,
    /// `YYYY-MM-DD`, as typed.
    pub until: String,
    pub reason: String,
    pub field: WaiveField,
    /// Who the ledger will record as the writer (the caller STS names).
    pub by: String,
    /// Where it is written (the ledger's location).
    pub ledger: String,
    /// What is wrong with the input, after `Enter`.
    pub error: Option<String>,
    /// The event shown for `y` to append.
    pub pending: Option<crate::ledger::Draft>,
    pub account: AccountRef,
}

/// Setting where a user's rotated keys go (`t` in the rotation dialog).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoffDialog {
    pub user: String,
    /// The ARN as typed (or pasted).
    pub input: String,
    /// What is wrong with the input, after `Enter`.
    pub error: Option<String>,
    /// The event shown for `y` to append.
    pub pending: Option<crate::ledger::Draft>,
    /// The target recorded now, if any.
    pub current: Option<String>,
    /// Where it is written (the ledger's location).
    pub ledger: String,
    pub account: AccountRef,
}

/// Deleting every marked key that is ready to delete, at once: the number
/// of keys is typed to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkDeleteDialog {
    pub targets: Vec<KeyTarget>,
    pub account: AccountRef,
    pub input: String,
    /// Set when Enter was pressed on text that is not the count.
    pub mismatch: bool,
}

/// Where saving the new key to the credentials file stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    Idle,
    /// Typing the profile name.
    Naming {
        name: String,
    },
    /// The profile exists: overwrite only after a second confirmation.
    ConfirmOverwrite {
        name: String,
    },
    Saving {
        name: String,
    },
    Saved {
        name: String,
        path: String,
    },
    Failed {
        message: String,
    },
}

/// The new key's secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretDialog {
    pub user: String,
    pub key_id: String,
    /// Who made the key, where (the audit log names it if the secret is lost).
    pub actor: crate::effect::Actor,
    pub secret: Secret,
    pub save: SaveState,
    pub copied: bool,
    /// Closing was asked for: waiting for `y` to acknowledge.
    pub acknowledging: bool,
    /// Where the new key of a rotation goes (`iamkeys:handoff`), and how
    /// far it got.
    pub handoff: HandOff,
}

/// A rotation's new key handed off to where its workload reads it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HandOff {
    /// No `iamkeys:handoff` tag (or not a rotation).
    #[default]
    None,
    /// Being written to this place.
    Sending(String),
    /// Written there.
    Done(String),
    /// Not written, and why: the secret stays on screen.
    Failed(String),
}

/// An MFA code asked for (a profile whose role or user needs one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDialog {
    pub id: u64,
    /// `MFA code for <serial> (profile <name>)`.
    pub prompt: String,
    /// IAM's answer to the previous code, when it was refused.
    pub refused: Option<String>,
    /// The digits typed so far.
    pub input: crate::secret::Secret,
    /// What is wrong with what was typed.
    pub error: Option<String>,
}

/// One key's line in a bulk dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Done,
    Skipped(String),
    Failed(String),
}

/// Progress of a confirmed action on several keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub title: String,
    pub items: Vec<(KeyTarget, Outcome)>,
}

impl Progress {
    #[must_use]
    pub fn finished(&self) -> bool {
        self.items.iter().all(|(_, o)| *o != Outcome::Pending)
    }
}

/// The profile picker (`p`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfilePicker {
    /// `None` while the AWS config files are being read.
    pub profiles: Option<Vec<crate::profiles::ProfileInfo>>,
    /// Typed text: shows the profiles whose name contains it.
    pub filter: super::TextInput,
    /// Position in the filtered list.
    pub cursor: usize,
    /// The profile being connected to.
    pub switching: Option<String>,
    pub error: Option<String>,
}

impl ProfilePicker {
    /// The profiles the filter lets through, in order.
    #[must_use]
    pub fn visible(&self) -> Vec<&crate::profiles::ProfileInfo> {
        let filter = self.filter.as_str().to_lowercase();
        self.profiles
            .iter()
            .flatten()
            .filter(|p| p.name.to_lowercase().contains(&filter))
            .collect()
    }
}
