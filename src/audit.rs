//! The CIS audit: finding ids, thresholds and the pure engine that turns
//! users, their keys and the credential report into findings. No IO and no
//! clock inside: `now` is an argument.

pub mod aws_verdict;
pub mod controls;
mod credentials;
pub mod findings;
pub mod input;
pub mod waivers;

use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

pub use findings::evaluate;
pub use input::{KeyInput, UserInput};

/// The stable finding ids (the UI badges and `iamkeys report` use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingId {
    InitialSetupKey,
    UnusedKey,
    /// A console password unused for `unused_days` (or never used and set
    /// longer ago): CIS's "credentials unused" covers passwords too.
    UnusedPassword,
    MultipleActiveKeys,
    KeyNotRotated,
    RootAccessKey,
    /// Informational: a key iamkeys made inactive `retire_after_days` ago
    /// and still inactive can be deleted.
    InactiveKeyReadyToDelete,
    /// AWS found one of the user's keys exposed and attached its
    /// quarantine policy (which key is in AWS's support case, not in IAM).
    ExposedKeyQuarantined,
    /// An Active Amazon Bedrock API key that never expires.
    ServiceCredentialNoExpiry,
    /// An Active service-specific credential older than `rotation_days`.
    ServiceCredentialNotRotated,
    /// An access key or console password on a `BedrockAPIKey-*` user (the
    /// console makes such a user to hold Bedrock API keys alone).
    LongTermCredentialOnBedrockUser,
    /// Informational: an Active SSH public key or signing certificate older
    /// than `rotation_days`.
    LongTermCredentialOld,
    /// The organization does not manage its members' root credentials
    /// centrally (`ListOrganizationsFeatures`): one finding of the
    /// organization, not of a user.
    RootCredentialsNotCentralized,
}

impl FindingId {
    pub const ALL: [FindingId; 13] = [
        FindingId::InitialSetupKey,
        FindingId::UnusedKey,
        FindingId::UnusedPassword,
        FindingId::MultipleActiveKeys,
        FindingId::KeyNotRotated,
        FindingId::RootAccessKey,
        FindingId::InactiveKeyReadyToDelete,
        FindingId::ExposedKeyQuarantined,
        FindingId::ServiceCredentialNoExpiry,
        FindingId::ServiceCredentialNotRotated,
        FindingId::LongTermCredentialOnBedrockUser,
        FindingId::LongTermCredentialOld,
        FindingId::RootCredentialsNotCentralized,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InitialSetupKey => "initial_setup_key",
            Self::UnusedKey => "unused_key",
            Self::UnusedPassword => "unused_password",
            Self::MultipleActiveKeys => "multiple_active_keys",
            Self::KeyNotRotated => "key_not_rotated",
            Self::RootAccessKey => "root_access_key",
            Self::InactiveKeyReadyToDelete => "inactive_key_ready_to_delete",
            Self::ExposedKeyQuarantined => "exposed_key_quarantined",
            Self::ServiceCredentialNoExpiry => "service_credential_no_expiry",
            Self::ServiceCredentialNotRotated => "service_credential_not_rotated",
            Self::LongTermCredentialOnBedrockUser => "long_term_credential_on_bedrock_user",
            Self::LongTermCredentialOld => "long_term_credential_old",
            Self::RootCredentialsNotCentralized => "root_credentials_not_centralized",
        }
    }

    /// Whether the finding is about one key (and is waived only by a
    /// waiver naming that key), not about the whole user.
    #[must_use]
    pub fn is_key_level(self) -> bool {
        !matches!(
            self,
            Self::MultipleActiveKeys
                | Self::RootAccessKey
                | Self::UnusedPassword
                | Self::LongTermCredentialOnBedrockUser
                | Self::RootCredentialsNotCentralized
        )
    }

    /// Whether the finding is about an access key (not another long-term
    /// credential, nor the whole user).
    #[must_use]
    pub fn is_access_key_level(self) -> bool {
        self.is_key_level()
            && !matches!(
                self,
                Self::ServiceCredentialNoExpiry
                    | Self::ServiceCredentialNotRotated
                    | Self::LongTermCredentialOld
            )
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|id| id.as_str() == text)
    }

    /// A finding id or the badge word the UI shows for it (`setup`,
    /// `unused`, `2active`, `rotate`, `root`, `retire`, `exposed`).
    #[must_use]
    pub fn parse_word(text: &str) -> Option<Self> {
        Self::parse(text).or_else(|| Self::ALL.into_iter().find(|id| id.badge() == text))
    }

    /// The short badge the user table shows.
    #[must_use]
    pub fn badge(self) -> &'static str {
        match self {
            Self::InitialSetupKey => "setup",
            Self::UnusedKey => "unused",
            Self::UnusedPassword => "password",
            Self::MultipleActiveKeys => "2active",
            Self::KeyNotRotated => "rotate",
            Self::RootAccessKey => "root",
            Self::InactiveKeyReadyToDelete => "retire",
            Self::ExposedKeyQuarantined => "exposed",
            Self::ServiceCredentialNoExpiry => "noexpiry",
            Self::ServiceCredentialNotRotated => "svcold",
            Self::LongTermCredentialOnBedrockUser => "bedrock",
            Self::LongTermCredentialOld => "oldcred",
            Self::RootCredentialsNotCentralized => "rootmgmt",
        }
    }

    /// The control's CIS numbers: (v1.4–v4.0, v5.0, v6.0).
    #[must_use]
    pub fn cis(self) -> Cis {
        let [v1_4_to_v4_0, v5_0, v6_0, v7_0] = controls::of(self).cis.map(|n| n.unwrap_or("-"));
        Cis {
            v1_4_to_v4_0,
            v5_0,
            v6_0,
            v7_0,
        }
    }

    /// The Security Hub control that judges the same thing, where there is
    /// one (the most specific, when several do: see [`controls::of`]).
    #[must_use]
    pub fn security_hub(self) -> Option<&'static str> {
        controls::of(self).security_hub.first().copied()
    }

    /// Every control the finding answers to (see [`controls::of`]).
    #[must_use]
    pub fn controls(self) -> controls::Controls {
        controls::of(self)
    }

    /// The control's title, as CIS words it.
    #[must_use]
    pub fn control(self) -> &'static str {
        match self {
            Self::InitialSetupKey => {
                "Do not set up access keys during initial user setup for all IAM users that have a console password"
            }
            Self::UnusedKey | Self::UnusedPassword => {
                "Ensure credentials unused for 45 days or greater are disabled"
            }
            Self::MultipleActiveKeys => {
                "Ensure there is only one active access key available for any single IAM user"
            }
            Self::KeyNotRotated => "Ensure access keys are rotated every 90 days or less",
            Self::RootAccessKey => "Ensure no 'root' user account access key exists",
            Self::InactiveKeyReadyToDelete => {
                "Not a CIS control: a key made inactive and not missed since can be deleted"
            }
            Self::ExposedKeyQuarantined => {
                "Not a CIS control: AWS found an access key of this user exposed and quarantined the user"
            }
            Self::ServiceCredentialNoExpiry => {
                "Not a CIS control: an Amazon Bedrock API key should expire (long-term keys are for exploration; AWS recommends short-term keys)"
            }
            Self::ServiceCredentialNotRotated => {
                "Not a CIS control: service-specific credentials, like access keys, rotated every rotation_days or less"
            }
            Self::LongTermCredentialOnBedrockUser => {
                "Not a CIS control: a BedrockAPIKey-* user exists to hold Bedrock API keys; an access key or password on it is a long-term credential nobody expects"
            }
            Self::LongTermCredentialOld => {
                "Not a CIS control: an SSH public key or signing certificate, like an access key, is a long-term credential to rotate"
            }
            Self::RootCredentialsNotCentralized => {
                "Not a CIS control: an organization's member accounts need no root password or access keys when the management account manages root credentials centrally"
            }
        }
    }

    /// What to do about it. `{create}`, `{deactivate}`, `{delete}`,
    /// `{rotate}` and `{usage}` stand for the keys of those commands: the UI fills them in from the
    /// keymap (see [`FindingId::remedy_with`]).
    #[must_use]
    pub fn remedy(self) -> &'static str {
        match self {
            Self::InitialSetupKey => {
                "Make the key inactive ({deactivate}) and, once nothing breaks, delete it ({delete}). Give people console access or IAM Identity Center; give programs roles."
            }
            Self::UnusedKey => {
                "Make the key inactive ({deactivate}); delete it ({delete}) once you are sure nothing needs it."
            }
            Self::UnusedPassword => {
                "Remove console access ({remove_password}, typing the user name) or ask the user why the password is unused. CIS's backout: an administrator sets a new password."
            }
            Self::MultipleActiveKeys => {
                "Finish the rotation: move every client to the newer key, then make the older one inactive ({deactivate}) and delete it ({delete})."
            }
            Self::KeyNotRotated => {
                "Rotate ({rotate}): a new key is made (and handed off where the ledger names a target), move every client to it, make the old key inactive ({deactivate}), then delete it ({delete})."
            }
            Self::RootAccessKey => {
                "Delete every root access key (CIS: inactive is not enough). In a member account of an organization with centralized root access, d on the root row (iamkeys --org from the management account) deletes them through sts:AssumeRoot; otherwise sign in as root and delete them on the Security credentials page."
            }
            Self::InactiveKeyReadyToDelete => {
                "Nothing asked for it while it was inactive: delete it ({delete}, typed confirmation)."
            }
            Self::ExposedKeyQuarantined => {
                "Rotate the key ({rotate}), then delete the old one ({delete}); read what it did ({usage}: write events first). Which key leaked is in AWS's support case, not in IAM: treat every Active key of the user as exposed."
            }
            Self::ServiceCredentialNoExpiry => {
                "Make a key that expires (aws iam create-service-specific-credential --credential-age-days N) and move its users to it, then make this one inactive ({deactivate}) and delete it ({delete})."
            }
            Self::ServiceCredentialNotRotated => {
                "Make a new credential for the service, move its users to it, then make this one inactive ({deactivate}) and delete it ({delete})."
            }
            Self::LongTermCredentialOnBedrockUser => {
                "Find who added it (CloudTrail); make the access key inactive ({deactivate}) and delete it ({delete}), and remove the console password (P)."
            }
            Self::LongTermCredentialOld => {
                "Upload a new key or certificate, move its users to it, then make the old one inactive ({deactivate}) and delete it ({delete})."
            }
            Self::RootCredentialsNotCentralized => {
                "Turn on centralized root access from the management account: enable trusted access for IAM in Organizations, then aws iam enable-organizations-root-credentials-management and aws iam enable-organizations-root-sessions. Members' root keys can then be deleted from the management account (sts:AssumeRoot)."
            }
        }
    }

    /// The remedy with each command's key filled in by `key`.
    #[must_use]
    pub fn remedy_with(self, key: impl Fn(&str) -> String) -> String {
        let mut text = self.remedy().to_owned();
        for name in [
            "create",
            "deactivate",
            "delete",
            "rotate",
            "usage",
            "remove_password",
        ] {
            text = text.replace(&format!("{{{name}}}"), &key(name));
        }
        text
    }

    #[must_use]
    pub fn severity(self) -> Severity {
        match self {
            Self::RootAccessKey
            | Self::ExposedKeyQuarantined
            | Self::LongTermCredentialOnBedrockUser => Severity::Critical,
            Self::InitialSetupKey | Self::ServiceCredentialNoExpiry => Severity::High,
            Self::UnusedKey
            | Self::UnusedPassword
            | Self::KeyNotRotated
            | Self::ServiceCredentialNotRotated
            | Self::RootCredentialsNotCentralized => Severity::Medium,
            Self::MultipleActiveKeys => Severity::Low,
            Self::InactiveKeyReadyToDelete | Self::LongTermCredentialOld => Severity::Info,
        }
    }
}

impl fmt::Display for FindingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A control's numbers across CIS AWS Foundations versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cis {
    #[serde(rename = "v1.4-v4.0")]
    pub v1_4_to_v4_0: &'static str,
    #[serde(rename = "v5.0")]
    pub v5_0: &'static str,
    #[serde(rename = "v6.0")]
    pub v6_0: &'static str,
    /// `-` where v7.0 has no such item (it dropped the initial-setup and
    /// one-active-key items).
    #[serde(rename = "v7.0")]
    pub v7_0: &'static str,
}

impl fmt::Display for Cis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (v1.4-v4.0), {} (v5.0), {} (v6.0), {} (v7.0)",
            self.v1_4_to_v4_0, self.v5_0, self.v6_0, self.v7_0
        )
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational: never a control failure (see `FailOn`).
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Info,
            Self::Low,
            Self::Medium,
            Self::High,
            Self::Critical,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// How many findings of each id, kept as findings come and go (so a
/// summary costs nothing per user).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FindingCounts {
    /// Open findings per id.
    open: [usize; FindingId::ALL.len()],
    /// Findings under a live waiver.
    waived: usize,
}

impl FindingCounts {
    fn slot(id: FindingId) -> usize {
        FindingId::ALL.iter().position(|i| *i == id).unwrap_or(0)
    }

    /// Count these findings in.
    pub fn add(&mut self, findings: &[Finding]) {
        for f in findings {
            if f.open() {
                self.open[Self::slot(f.id)] += 1;
            } else {
                self.waived += 1;
            }
        }
    }

    /// Count these findings out (never below zero).
    pub fn remove(&mut self, findings: &[Finding]) {
        for f in findings {
            let slot = if f.open() {
                &mut self.open[Self::slot(f.id)]
            } else {
                &mut self.waived
            };
            *slot = slot.saturating_sub(1);
        }
    }

    /// Every id with its count of open findings, in `FindingId::ALL` order.
    #[must_use]
    pub fn by_id(&self) -> Vec<(FindingId, usize)> {
        FindingId::ALL.into_iter().zip(self.open).collect()
    }

    /// Findings under an honoured waiver (not in [`FindingCounts::by_id`]).
    #[must_use]
    pub fn waived(&self) -> usize {
        self.waived
    }
}

/// One broken control, for a user and (usually) one of their keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: FindingId,
    pub user_name: String,
    /// `None` for user-wide findings and for keys known only from the
    /// credential report (which holds no key IDs).
    pub access_key_id: Option<String>,
    /// `initial_setup_key` only: whether the key was made within
    /// `initial_setup_window` of the user.
    pub created_with_user: Option<bool>,
    /// Why it fired, with the dates involved.
    pub message: String,
    /// A waiver from the user's tags, live or lapsed.
    pub waiver: Option<waivers::WaiverMark>,
}

impl Finding {
    /// Not waived, or its waiver has lapsed or is not honoured: it counts.
    #[must_use]
    pub fn open(&self) -> bool {
        self.waiver.as_ref().is_none_or(|w| !w.honoured())
    }
}

/// The audit's thresholds (`[audit]` in the config file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// An Active key unused (or, never used, made) this many days ago or more is `unused_key`.
    pub unused_days: u32,
    /// An Active key older than this many days is `key_not_rotated`.
    pub rotation_days: u32,
    /// The longest a waiver may run from today, in days: `W` refuses a
    /// later date, and a waiver read with one is not honoured.
    pub max_waiver_days: u32,
    /// The reviewed waivers file (`--waivers` wins over it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waivers_file: Option<std::path::PathBuf>,
    /// The waivers file's entries, read at start-up.
    #[serde(skip)]
    pub file_waivers: waivers::file::FileWaivers,
    /// A key iamkeys made inactive this many days ago, and still inactive,
    /// is ready to delete.
    pub retire_after_days: u32,
    /// A key made within this long of its user was "created with the user"
    /// (a duration: "10m", "90s", "1h").
    pub initial_setup_window: Window,
    /// Keys younger than this many hours never raise `initial_setup_key` (0: CIS-strict).
    pub grace_hours: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            unused_days: 45,
            rotation_days: 90,
            max_waiver_days: 180,
            waivers_file: None,
            file_waivers: waivers::file::FileWaivers::default(),
            retire_after_days: 14,
            initial_setup_window: Window(std::time::Duration::from_mins(10)),
            grace_hours: 0,
        }
    }
}

impl Thresholds {
    #[must_use]
    pub fn initial_setup_window(&self) -> TimeDelta {
        TimeDelta::from_std(self.initial_setup_window.0).unwrap_or(TimeDelta::MAX)
    }
}

/// A duration written as text ("10m"), via humantime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window(pub std::time::Duration);

impl Serialize for Window {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&humantime::format_duration(self.0).to_string())
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_duration(&text).map(Window).map_err(|e| {
            serde::de::Error::custom(format!(
                "`{text}` is not a duration ({e}); write e.g. \"10m\", \"90s\" or \"1h\""
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_findings_in_and_out() {
        let finding = |id| Finding {
            id,
            user_name: "u".into(),
            access_key_id: None,
            created_with_user: None,
            message: String::new(),
            waiver: None,
        };
        let mut counts = FindingCounts::default();
        counts.add(&[finding(FindingId::UnusedKey), finding(FindingId::UnusedKey)]);
        counts.add(&[finding(FindingId::RootAccessKey)]);
        counts.remove(&[
            finding(FindingId::UnusedKey),
            finding(FindingId::KeyNotRotated),
        ]);
        assert_eq!(
            counts.by_id(),
            [
                (FindingId::InitialSetupKey, 0),
                (FindingId::UnusedKey, 1),
                (FindingId::UnusedPassword, 0),
                (FindingId::MultipleActiveKeys, 0),
                (FindingId::KeyNotRotated, 0),
                (FindingId::RootAccessKey, 1),
                (FindingId::InactiveKeyReadyToDelete, 0),
                (FindingId::ExposedKeyQuarantined, 0),
                (FindingId::ServiceCredentialNoExpiry, 0),
                (FindingId::ServiceCredentialNotRotated, 0),
                (FindingId::LongTermCredentialOnBedrockUser, 0),
                (FindingId::LongTermCredentialOld, 0),
                (FindingId::RootCredentialsNotCentralized, 0),
            ]
        );
    }
}
