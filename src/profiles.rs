//! The named AWS profiles, read with aws-config's own profile loader (so
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` are honoured exactly
//! as by every AWS SDK), each with its kind and region.

use std::fmt;

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// What a run is labelled when its credentials are the environment's keys
/// (no explicit profile; see [`crate::connect::ConnectOptions::explicit`])
/// instead of a profile's name. No profile can be named so: aws-config
/// reads a profile name of `[A-Za-z0-9_\-/.%@:+]` only, never a space.
pub const ENVIRONMENT: &str = "credentials: environment";

/// A run's label as said in a header or a report line: `profile NAME`,
/// or `credentials: environment`.
#[must_use]
pub fn shown(label: &str) -> String {
    if label == ENVIRONMENT {
        label.to_owned()
    } else {
        format!("profile {label}")
    }
}

/// How a profile gets its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    StaticKeys,
    /// Static keys and `mfa_serial`: a session token with a code.
    KeysMfa,
    Sso,
    AssumeRole,
    /// A role whose `mfa_serial` (or its source profile's) asks for a code.
    RoleMfa,
    /// `aws login` (`login_session`).
    ConsoleLogin,
    CredentialProcess,
    WebIdentity,
    /// Settings only (region, output...): credentials come from elsewhere.
    Other,
}

impl fmt::Display for ProfileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StaticKeys => "keys",
            Self::KeysMfa => "keys + MFA",
            Self::Sso => "SSO",
            Self::AssumeRole => "role",
            Self::RoleMfa => "role + MFA",
            Self::ConsoleLogin => "console login",
            Self::CredentialProcess => "process",
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
    /// What stands between the profile and a session, when something does:
    /// `SSO token expired`, `code needed`, `MFA session cached`.
    pub note: Option<String>,
}

fn kind(profile: &aws_config::profile::Profile, mfa: bool) -> ProfileKind {
    let has = |key: &str| profile.get(key).is_some_and(|v| !v.is_empty());
    if has("sso_session") || has("sso_start_url") {
        ProfileKind::Sso
    } else if has("login_session") {
        ProfileKind::ConsoleLogin
    } else if has("role_arn") && has("web_identity_token_file") {
        ProfileKind::WebIdentity
    } else if has("role_arn") && mfa {
        ProfileKind::RoleMfa
    } else if has("role_arn") {
        ProfileKind::AssumeRole
    } else if has("credential_process") {
        ProfileKind::CredentialProcess
    } else if has("aws_access_key_id") && mfa {
        ProfileKind::KeysMfa
    } else if has("aws_access_key_id") {
        ProfileKind::StaticKeys
    } else {
        ProfileKind::Other
    }
}

/// Whether an SSO profile's cached token (`~/.aws/sso/cache/<SHA-1 of the
/// session name, or of the start URL>.json`, `expiresAt`) has expired;
/// `None` when there is none to read.
fn sso_expired(
    profile: &aws_config::profile::Profile,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<bool> {
    use sha1::{Digest, Sha1};
    let id = profile
        .get("sso_session")
        .or_else(|| profile.get("sso_start_url"))?;
    let hex: String = Sha1::digest(id.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        });
    let home = directories::BaseDirs::new()?.home_dir().to_owned();
    let path = home.join(".aws/sso/cache").join(format!("{hex}.json"));
    let text = crate::bounded::read(&path, "the SSO token cache", crate::bounded::CACHE_ENTRY)
        .ok()
        .flatten()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let at = chrono::DateTime::parse_from_rfc3339(value.get("expiresAt")?.as_str()?).ok()?;
    Some(at <= now)
}

/// aws-config treats a config file it cannot read as empty (it only logs a
/// warning), which would show up as "no profiles" far from the cause. A file
/// that is there but cannot be read as text is an error of its own.
///
/// # Errors
/// The file and why it cannot be read, and how to fix it.
pub fn check_files() -> Result<(), String> {
    for (what, variable, name) in [
        ("config", "AWS_CONFIG_FILE", "config"),
        ("credentials", "AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ] {
        let Some(path) = crate::paths::aws_file(variable, name) else {
            continue;
        };
        let fix = format!("fix it, or point {variable} at another file");
        // Bounded: aws-config would read a FIFO or `/dev/zero` without end.
        crate::bounded::read(
            &path,
            &format!("the AWS {what} file"),
            crate::bounded::AWS_FILE,
        )
        .map_err(|why| format!("{why}: {fix}"))?;
    }
    Ok(())
}

/// Every profile of the AWS config and credentials files, sorted by name.
///
/// # Errors
/// A file that exists but cannot be read or parsed; the message names it.
pub async fn list() -> Result<Vec<ProfileInfo>, String> {
    check_files()?;
    let set =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
            .map_err(|e| {
                format!(
                    "cannot read the AWS config files: {}: fix the file, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at another",
                    crate::error_chain::text(&e)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            })?;
    let mut profiles: Vec<ProfileInfo> = set
        .profiles()
        .filter_map(|name| {
            let profile = set.get_profile(name)?;
            let get = |p: &str, k: &str| {
                set.get_profile(p)
                    .and_then(|p| p.get(k))
                    .map(ToOwned::to_owned)
            };
            let now = chrono::Utc::now();
            let plan = crate::signin::plan::plan(name, &get).ok().flatten();
            let note = match &plan {
                Some(plan) => Some(
                    crate::signin::cache::dir_for(
                        get(name, "endpoint_url")
                            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
                            .filter(|url| !url.trim().is_empty())
                            .as_deref(),
                    )
                    .and_then(|dir| {
                        crate::signin::cache::read(
                            &dir,
                            &crate::signin::cache::key(plan),
                            now,
                            crate::signin::mfa::RENEW_BEFORE,
                        )
                    })
                    .map_or("code needed", |_| "MFA session cached")
                    .to_owned(),
                ),
                None => sso_expired(profile, now)
                    .filter(|expired| *expired)
                    .map(|_| "SSO token expired".to_owned()),
            };
            Some(ProfileInfo {
                name: name.to_owned(),
                kind: kind(profile, plan.is_some()),
                region: profile.get("region").map(ToOwned::to_owned),
                note,
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
        // The closest name, when it is close (as clap suggests a flag).
        let near = profiles
            .iter()
            .map(|p| (strsim::jaro_winkler(name, &p.name), p.name.as_str()))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, n)| format!(" (did you mean '{n}'?)"))
            .unwrap_or_default();
        format!(
            "unknown profile '{name}'{near}; profiles that exist: {}",
            profiles
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(names: &[&str]) -> Vec<ProfileInfo> {
        names
            .iter()
            .map(|n| ProfileInfo {
                name: (*n).to_owned(),
                kind: ProfileKind::StaticKeys,
                region: None,
                note: None,
            })
            .collect()
    }

    /// Issue 38 item 12: a near miss names the profile meant.
    #[test]
    fn a_near_miss_says_did_you_mean() {
        let known = named(&["dev", "prod", "staging"]);
        let said = unknown("prd", &known);
        assert!(said.contains("did you mean 'prod'?"), "{said}");
        assert!(said.contains("dev, prod, staging"), "{said}");
        let far = unknown("qa-west", &known);
        assert!(!far.contains("did you mean"), "{far}");
    }
}
