//! The named AWS profiles, read with aws-config's own profile loader (so
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` are honoured exactly
//! as by every AWS SDK), each with its kind and region.

use std::fmt;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// How a profile gets its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    StaticKeys,
    Sso,
    AssumeRole,
    CredentialProcess,
    WebIdentity,
    /// Settings only (region, output...): credentials come from elsewhere.
    Other,
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StaticKeys => "static keys",
            Self::Sso => "SSO",
            Self::AssumeRole => "assume role",
            Self::CredentialProcess => "credential process",
            Self::WebIdentity => "web identity",
            Self::Other => "settings only",
        })
    }
}

/// One named profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileInfo {
    pub name: String,
    pub kind: ProfileKind,
    pub region: Option<String>,
}

fn kind(profile: &aws_config::profile::Profile) -> ProfileKind {
    let has = |key: &str| profile.get(key).is_some_and(|v| !v.is_empty());
    if has("sso_session") || has("sso_start_url") {
        ProfileKind::Sso
    } else if has("role_arn") && has("web_identity_token_file") {
        ProfileKind::WebIdentity
    } else if has("role_arn") {
        ProfileKind::AssumeRole
    } else if has("credential_process") {
        ProfileKind::CredentialProcess
    } else if has("aws_access_key_id") {
        ProfileKind::StaticKeys
    } else {
        ProfileKind::Other
    }
}

/// Every profile of the AWS config and credentials files, sorted by name.
///
/// # Errors
/// A file that exists but cannot be read or parsed; the message names it.
pub async fn list() -> Result<Vec<ProfileInfo>, String> {
    let set =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
            .map_err(|e| {
                format!(
                    "cannot read the AWS config files: {}",
                    aws_sdk_iam::error::DisplayErrorContext(&e)
                )
            })?;
    let mut profiles: Vec<ProfileInfo> = set
        .profiles()
        .filter_map(|name| {
            let profile = set.get_profile(name)?;
            Some(ProfileInfo {
                name: name.to_owned(),
                kind: kind(profile),
                region: profile.get("region").map(ToOwned::to_owned),
            })
        })
        .collect();
    profiles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(profiles)
}

/// The error for a profile that does not exist, listing those that do.
#[must_use]
pub fn unknown(name: &str, profiles: &[ProfileInfo]) -> String {
    if profiles.is_empty() {
        format!(
            "unknown profile '{name}': no profiles are configured (check AWS_CONFIG_FILE / ~/.aws/config, or run `aws configure --profile {name}`)"
        )
    } else {
        format!(
            "unknown profile '{name}'; profiles that exist: {}",
            profiles
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
