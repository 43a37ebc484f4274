//! The rules for every long-term credential beyond access keys and the
//! console password: Bedrock API keys that never expire, service-specific
//! credentials past the rotation limit, an access key or password on a
//! `BedrockAPIKey-*` user, old SSH public keys and signing certificates.
//! IAM gives no last use for any of them, so no "unused" rule can judge
//! them (the reports say so).

use chrono::{DateTime, TimeDelta, Utc};

use super::input::UserInput;
use super::{Finding, FindingId, Thresholds};
use crate::model::KeyStatus;
use crate::model::credential::{BEDROCK, Credential, CredentialKind, CredentialStatus};

/// The prefix of the user the console makes to hold Bedrock API keys.
pub const BEDROCK_USER_PREFIX: &str = "BedrockAPIKey-";

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn finding(user: &UserInput, id: FindingId, key: Option<&str>, message: String) -> Finding {
    Finding {
        id,
        user_name: user.name.clone(),
        access_key_id: key.map(ToOwned::to_owned),
        created_with_user: None,
        message,
        waiver: None,
    }
}

/// Every finding about the user's other credentials, in the order listed.
#[must_use]
pub fn findings(user: &UserInput, now: DateTime<Utc>, thresholds: &Thresholds) -> Vec<Finding> {
    let rotate_after = TimeDelta::days(i64::from(thresholds.rotation_days));
    let mut out = Vec::new();
    out.extend(on_bedrock_user(user));
    for credential in &user.credentials {
        if credential.status != CredentialStatus::Active {
            continue;
        }
        let label = credential.kind.label();
        let old = credential.created.filter(|made| now - *made > rotate_after);
        let service = match &credential.kind {
            CredentialKind::Service { service } => Some(service),
            CredentialKind::SshKey | CredentialKind::SigningCertificate => None,
        };
        if service.is_some_and(|s| s == BEDROCK) && credential.expires.is_none() {
            out.push(finding(
                user,
                FindingId::ServiceCredentialNoExpiry,
                Some(&credential.id),
                format!(
                    "{label} {} is active and never expires{}",
                    credential.id,
                    made(credential)
                ),
            ));
        }
        if let Some(made) = old {
            out.push(finding(
                user,
                if service.is_some() {
                    FindingId::ServiceCredentialNotRotated
                } else {
                    FindingId::LongTermCredentialOld
                },
                Some(&credential.id),
                aged(&label, &credential.id, made, now, thresholds),
            ));
        }
    }
    for certificate in &user.report_certificates {
        if certificate.active && now - certificate.last_rotated > rotate_after {
            out.push(finding(
                user,
                FindingId::LongTermCredentialOld,
                None,
                aged(
                    "a signing certificate",
                    "(from the credential report)",
                    certificate.last_rotated,
                    now,
                    thresholds,
                ),
            ));
        }
    }
    out
}

fn made(credential: &Credential) -> String {
    credential
        .created
        .map_or_else(String::new, |t| format!(" (created {})", day(t)))
}

fn aged(
    label: &str,
    id: &str,
    made: DateTime<Utc>,
    now: DateTime<Utc>,
    thresholds: &Thresholds,
) -> String {
    format!(
        "{label} {id} is active and was created {}: {} days old, the limit is {}",
        day(made),
        (now - made).num_days(),
        thresholds.rotation_days
    )
}

/// An access key (any status) or a console password on a
/// `BedrockAPIKey-*` user: one finding naming them.
fn on_bedrock_user(user: &UserInput) -> Option<Finding> {
    if !user.name.starts_with(BEDROCK_USER_PREFIX) {
        return None;
    }
    let mut what: Vec<String> = user
        .keys
        .iter()
        .map(|k| {
            let status = match k.status {
                KeyStatus::Active => "Active",
                KeyStatus::Inactive => "Inactive",
                KeyStatus::Unknown => "status unknown",
            };
            match &k.id {
                Some(id) => format!("access key {id} ({status})"),
                None => format!("an access key ({status})"),
            }
        })
        .collect();
    if user.password == Some(true) {
        what.push("a console password".to_owned());
    }
    if what.is_empty() {
        return None;
    }
    Some(finding(
        user,
        FindingId::LongTermCredentialOnBedrockUser,
        None,
        format!(
            "{} holds Bedrock API keys, yet has {}",
            user.name,
            what.join(" and ")
        ),
    ))
}
