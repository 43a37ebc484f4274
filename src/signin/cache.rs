//! The AWS CLI's session cache: `~/.aws/cli/cache/<key>.json`, where `<key>`
//! is the SHA-1 of the `AssumeRole` arguments as botocore serialises them
//! (`json.dumps(args, sort_keys=True)`: `RoleArn`, and `ExternalId`,
//! `SerialNumber`, `DurationSeconds`, `RoleSessionName` when the profile sets
//! them). A session got with a code in either tool is reused by the other
//! until it is about to expire. Files are 0600 in a 0700 directory, written
//! whole (a temporary file renamed), never through a symlink; an unreadable
//! or malformed file is ignored with a log line, never trusted.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha1::{Digest, Sha1};
use zeroize::Zeroize;

use super::plan::{Plan, Session};
use crate::secret::Secret;

/// Session credentials as the cache holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cached {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Secret,
    pub expiration: DateTime<Utc>,
}

/// Where sessions got from `endpoint` are cached: with no endpoint
/// override, the AWS CLI's cache ([`dir`]); with one (`--endpoint-url`,
/// `AWS_ENDPOINT_URL`, a profile's `endpoint_url`), never the CLI's — a
/// test server's session there would serve the real profile's `aws` with
/// no code — but `<data dir>/sessions/<SHA-1 of the URL>`, iamkeys' own,
/// one per endpoint, in the same format.
#[must_use]
pub fn dir_for(endpoint: Option<&str>) -> Option<PathBuf> {
    let Some(url) = endpoint else {
        return dir();
    };
    let name = Sha1::digest(url.trim().as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
    crate::paths::data_dir().map(|d| d.join("sessions").join(name))
}

/// The cache directory: `~/.aws/cli/cache`.
#[must_use]
pub fn dir() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().join(".aws").join("cli").join("cache"))
}

/// A value of the arguments, as Python's `json.dumps` writes it.
enum Arg<'a> {
    Text(&'a str),
    Number(i32),
}

/// `json.dumps(args, sort_keys=True)` with Python's defaults: `", "` and
/// `": "` separators, non-ASCII as `\uXXXX`.
fn python_json(mut args: Vec<(&str, Arg<'_>)>) -> String {
    fn text(out: &mut String, s: &str) {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = write!(out, "\\u{unit:04x}");
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    args.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::from("{");
    for (i, (key, value)) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        text(&mut out, key);
        out.push_str(": ");
        match value {
            Arg::Text(s) => text(&mut out, s),
            Arg::Number(n) => out.push_str(&n.to_string()),
        }
    }
    out.push('}');
    out
}

/// The cache file's name (without `.json`) for a plan: for a role, the one
/// the AWS CLI computes for the same arguments; for a session token (which
/// the CLI does not cache) one of iamkeys' own, keyed the same way.
#[must_use]
pub fn key(plan: &Plan) -> String {
    let mut args: Vec<(&str, Arg<'_>)> = Vec::new();
    if let Some(serial) = &plan.serial {
        args.push(("SerialNumber", Arg::Text(serial)));
    }
    if let Some(seconds) = plan.duration_seconds {
        args.push(("DurationSeconds", Arg::Number(seconds)));
    }
    match &plan.session {
        Session::Role {
            role_arn,
            external_id,
            session_name,
        } => {
            args.push(("RoleArn", Arg::Text(role_arn)));
            if let Some(id) = external_id {
                args.push(("ExternalId", Arg::Text(id)));
            }
            if let Some(name) = session_name {
                args.push(("RoleSessionName", Arg::Text(name)));
            }
        }
        Session::Token => args.push(("IamkeysGetSessionToken", Arg::Text(&plan.profile))),
    }
    let digest = Sha1::digest(python_json(args).as_bytes());
    digest.iter().fold(String::with_capacity(40), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// An expiration as botocore writes it (`2026-12-02T08:00:00UTC`) or as
/// RFC 3339.
fn expiration(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    let rfc = text
        .strip_suffix("UTC")
        .map_or_else(|| text.to_owned(), |t| format!("{t}Z"));
    DateTime::parse_from_rfc3339(&rfc)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The cached session for `key`, if one is there, reads, and has more than
/// `min_left` before it expires. Anything else is ignored (logged).
#[must_use]
pub fn read(
    dir: &Path,
    key: &str,
    now: DateTime<Utc>,
    min_left: chrono::TimeDelta,
) -> Option<Cached> {
    let path = dir.join(format!("{key}.json"));
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            tracing::warn!(path = %path.display(), "the session cache file is a symlink: ignored");
            return None;
        }
        Ok(_) => {}
        Err(_) => return None,
    }
    let mut bytes = match crate::bounded::read(
        &path,
        "the session cache file",
        crate::bounded::CACHE_ENTRY,
    ) {
        Ok(Some(text)) => text.into_bytes(),
        Ok(None) => return None,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "the session cache file cannot be read: ignored");
            return None;
        }
    };
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    bytes.zeroize();
    let cached = parsed.as_ref().and_then(|v| {
        let c = v.get("Credentials")?;
        let text = |k: &str| c.get(k)?.as_str().filter(|s| !s.is_empty());
        Some(Cached {
            access_key_id: text("AccessKeyId")?.to_owned(),
            secret_access_key: Secret::new(text("SecretAccessKey")?),
            session_token: Secret::new(text("SessionToken")?),
            expiration: expiration(text("Expiration")?)?,
        })
    });
    drop(parsed);
    let Some(cached) = cached else {
        tracing::warn!(path = %path.display(), "the session cache file is not an AssumeRole answer: ignored");
        return None;
    };
    if cached.expiration - now <= min_left {
        tracing::info!(path = %path.display(), "the cached session has expired (or is about to)");
        return None;
    }
    Some(cached)
}

/// Write the session for `key` as the AWS CLI does (`Credentials` with
/// `Expiration` as `…UTC`, and the assumed role's ARN), 0600 in a 0700
/// directory, through a temporary file renamed over it; never through a
/// symlink.
///
/// # Errors
/// The directory or file cannot be made or written, or is a symlink.
pub fn write(dir: &Path, key: &str, cached: &Cached, arn: Option<&str>) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other(
            "the session cache directory is a symlink",
        ));
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let path = dir.join(format!("{key}.json"));
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(std::io::Error::other("the session cache file is a symlink"));
    }
    let mut body = serde_json::to_vec(&serde_json::json!({
        "Credentials": {
            "AccessKeyId": cached.access_key_id,
            "SecretAccessKey": cached.secret_access_key.expose(),
            "SessionToken": cached.session_token.expose(),
            "Expiration": cached.expiration.format("%Y-%m-%dT%H:%M:%SUTC").to_string(),
        },
        "AssumedRoleUser": { "Arn": arn },
        "ResponseMetadata": {},
    }))
    .map_err(std::io::Error::other)?;
    let temp = dir.join(format!(".{key}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&temp)?;
        file.write_all(&body)?;
        file.sync_all()?;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&temp, &path)
    })();
    body.zeroize();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signin::plan::Source;

    fn role(duration: Option<i32>) -> Plan {
        Plan {
            profile: "admin".into(),
            serial: Some("arn:aws:iam::222222222222:mfa/alice".into()),
            session: Session::Role {
                role_arn: "arn:aws:iam::111111111111:role/Admin".into(),
                external_id: None,
                session_name: None,
            },
            source: Source::Profile("base".into()),
            duration_seconds: duration,
        }
    }

    #[test]
    fn the_key_is_botocores_for_the_same_arguments() {
        // python3 -c 'import json,hashlib; print(hashlib.sha1(json.dumps({"RoleArn":
        // "arn:aws:iam::111111111111:role/Admin", "SerialNumber":
        // "arn:aws:iam::222222222222:mfa/alice", "DurationSeconds": 3600},
        // sort_keys=True).encode()).hexdigest())'
        assert_eq!(
            python_json(vec![
                ("SerialNumber", Arg::Text("s")),
                ("DurationSeconds", Arg::Number(3600)),
                ("RoleArn", Arg::Text("é\"")),
            ]),
            r#"{"DurationSeconds": 3600, "RoleArn": "\u00e9\"", "SerialNumber": "s"}"#
        );
        assert_eq!(key(&role(None)).len(), 40);
        assert_ne!(key(&role(None)), key(&role(Some(3600))));
    }

    #[test]
    fn a_session_is_written_and_read_back_and_expiry_is_honoured() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cli").join("cache");
        let now = Utc::now();
        let session = Cached {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("secret"),
            session_token: Secret::new("token"),
            expiration: now + chrono::TimeDelta::hours(1),
        };
        write(
            &cache,
            "k",
            &session,
            Some("arn:aws:sts::1:assumed-role/A/s"),
        )
        .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&cache), 0o700);
        assert_eq!(mode(&cache.join("k.json")), 0o600);
        let back = read(&cache, "k", now, chrono::TimeDelta::minutes(5)).unwrap();
        assert_eq!(back.access_key_id, "ASIAEXAMPLE");
        assert_eq!(back.session_token, Secret::new("token"));
        assert!(
            read(
                &cache,
                "k",
                now + chrono::TimeDelta::minutes(56),
                chrono::TimeDelta::minutes(5)
            )
            .is_none()
        );
        std::fs::write(cache.join("bad.json"), "{not json").unwrap();
        assert!(read(&cache, "bad", now, chrono::TimeDelta::minutes(5)).is_none());
        std::os::unix::fs::symlink(cache.join("k.json"), cache.join("link.json")).unwrap();
        assert!(read(&cache, "link", now, chrono::TimeDelta::minutes(5)).is_none());
        assert!(write(&cache, "link", &session, None).is_err());
    }
}
