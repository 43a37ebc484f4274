//! Which profiles need an MFA code, and how the session is got with it. Pure:
//! the profile's settings come in through a lookup (aws-config's profile
//! loader reads the files), nothing is asked.

/// How a session is got with a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// `sts:AssumeRole` into `role_arn` (a `role_arn` profile).
    Role {
        role_arn: String,
        external_id: Option<String>,
        /// `role_session_name`, when the profile sets one.
        session_name: Option<String>,
    },
    /// `sts:GetSessionToken` (a static-key profile with `mfa_serial`): the
    /// same user, with `aws:MultiFactorAuthPresent`.
    Token,
}

/// Where the credentials that ask STS come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// This profile's credentials, as aws-config resolves them.
    Profile(String),
    /// `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`).
    CredentialSource(String),
}

/// A profile that needs an MFA code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The profile signed in as.
    pub profile: String,
    /// The MFA device (`mfa_serial`), from the profile or its source
    /// profile; `None` for a role without MFA taken over only to reach
    /// `--endpoint-url` (see [`plan_with`]).
    pub serial: Option<String>,
    pub session: Session,
    pub source: Source,
    /// `duration_seconds` (whole seconds), when set.
    pub duration_seconds: Option<i32>,
}

impl Plan {
    /// What the dialog and the prompt say: `MFA code for <serial> (profile <name>)`.
    #[must_use]
    pub fn prompt(&self) -> String {
        format!(
            "MFA code for {} (profile {})",
            self.serial.as_deref().unwrap_or("no device"),
            self.profile
        )
    }

    /// The longest session STS can give this plan: 36 hours for a session
    /// token, 12 for a role, and no more than `duration_seconds` asked.
    /// An `Expiration` beyond it (from a test endpoint, or a cache file
    /// someone wrote) is not believed.
    #[must_use]
    pub fn longest(&self) -> chrono::TimeDelta {
        let ceiling = match self.session {
            Session::Token => chrono::TimeDelta::hours(36),
            Session::Role { .. } => chrono::TimeDelta::hours(12),
        };
        match self.duration_seconds {
            Some(asked) if asked > 0 => ceiling.min(chrono::TimeDelta::seconds(i64::from(asked))),
            _ => ceiling,
        }
    }

    /// The device, as said in messages.
    #[must_use]
    pub fn device(&self) -> &str {
        self.serial.as_deref().unwrap_or("no MFA device")
    }
}

/// Why a profile's MFA settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

/// The plan for `profile`, if it needs an MFA code: `mfa_serial` on the
/// profile, or on its `source_profile` (the AWS CLI accepts both). `get`
/// reads one setting of one profile. `None`: aws-config signs it in alone.
///
/// # Errors
/// `duration_seconds` is not a whole number, or a role profile has neither
/// `source_profile` nor `credential_source` (or both).
pub fn plan(
    profile: &str,
    get: &dyn Fn(&str, &str) -> Option<String>,
) -> Result<Option<Plan>, Invalid> {
    plan_with(profile, get, false)
}

/// [`plan`]; with `roles_too`, a `role_arn` profile without MFA gets a plan
/// as well (no code), so that its `AssumeRole` goes where `--endpoint-url`
/// says, which aws-config's own role provider does not do.
///
/// # Errors
/// As [`plan`].
pub fn plan_with(
    profile: &str,
    get: &dyn Fn(&str, &str) -> Option<String>,
    roles_too: bool,
) -> Result<Option<Plan>, Invalid> {
    let own = |key: &str| get(profile, key).filter(|v| !v.trim().is_empty());
    let source_profile = own("source_profile");
    let serial = own("mfa_serial").or_else(|| {
        source_profile
            .as_deref()
            .and_then(|source| get(source, "mfa_serial"))
            .filter(|v| !v.trim().is_empty())
    });
    if serial.is_none() && !(roles_too && own("role_arn").is_some()) {
        return Ok(None);
    }
    let duration_seconds = match own("duration_seconds") {
        None => None,
        Some(text) => Some(text.trim().parse::<i32>().map_err(|_| {
            Invalid(format!(
                "profile {profile}: duration_seconds = `{text}` is not a whole number of seconds"
            ))
        })?),
    };
    let Some(role_arn) = own("role_arn") else {
        // A user profile: the same user's keys, with MFA.
        if serial.is_none() {
            return Ok(None);
        }
        return Ok(Some(Plan {
            profile: profile.to_owned(),
            serial,
            session: Session::Token,
            source: Source::Profile(profile.to_owned()),
            duration_seconds,
        }));
    };
    let source = match (source_profile, own("credential_source")) {
        (Some(source), None) => Source::Profile(source),
        (None, Some(kind)) => Source::CredentialSource(kind),
        (Some(_), Some(_)) => {
            return Err(Invalid(format!(
                "profile {profile} has both source_profile and credential_source: keep one"
            )));
        }
        (None, None) => {
            return Err(Invalid(format!(
                "profile {profile} has role_arn but neither source_profile nor credential_source"
            )));
        }
    };
    Ok(Some(Plan {
        profile: profile.to_owned(),
        serial,
        session: Session::Role {
            role_arn,
            external_id: own("external_id"),
            session_name: own("role_session_name"),
        },
        source,
        duration_seconds,
    }))
}

/// The long-term access key IDs `profile` is made from: its own
/// `aws_access_key_id` and that of every `source_profile` up the chain (an
/// MFA or role profile signs with a session, but these keys are what the
/// session is got with), and the environment's key (`env_key`) where a
/// profile in the chain takes `credential_source = Environment`. A chain
/// that loops, or runs past 16 profiles, stops there.
#[must_use]
pub fn long_term_keys(
    profile: &str,
    get: &dyn Fn(&str, &str) -> Option<String>,
    env_key: Option<&str>,
) -> Vec<String> {
    let mut keys = Vec::new();
    let mut seen = Vec::new();
    let mut at = Some(profile.to_owned());
    while let Some(name) = at.take() {
        if seen.contains(&name) || seen.len() >= 16 {
            break;
        }
        let own = |key: &str| {
            get(&name, key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(key) = own("aws_access_key_id") {
            keys.push(key);
        }
        if own("credential_source").is_some_and(|c| c.eq_ignore_ascii_case("Environment"))
            && let Some(key) = env_key.map(str::trim).filter(|k| !k.is_empty())
        {
            keys.push(key.to_owned());
        }
        at = own("source_profile");
        seen.push(name);
    }
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn no_session_outlives_what_sts_can_give() {
        let plan = |session, duration_seconds| Plan {
            profile: "p".into(),
            serial: None,
            session,
            source: Source::Profile("p".into()),
            duration_seconds,
        };
        let role = || Session::Role {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            external_id: None,
            session_name: None,
        };
        let hours = chrono::TimeDelta::hours;
        assert_eq!(plan(Session::Token, None).longest(), hours(36));
        assert_eq!(plan(role(), None).longest(), hours(12));
        assert_eq!(
            plan(role(), Some(1800)).longest(),
            chrono::TimeDelta::seconds(1800)
        );
        assert_eq!(plan(role(), Some(86_400)).longest(), hours(12));
        assert_eq!(plan(Session::Token, Some(0)).longest(), hours(36));
    }

    #[test]
    fn the_long_term_keys_are_the_chains() {
        let get = files(&[
            ("cron", "role_arn", "arn:aws:iam::123456789012:role/cron"),
            ("cron", "source_profile", "mfa"),
            ("mfa", "mfa_serial", "arn:aws:iam::123456789012:mfa/a"),
            ("mfa", "source_profile", "base"),
            ("base", "aws_access_key_id", " AKIABASE "),
            ("env-role", "role_arn", "arn:aws:iam::123456789012:role/x"),
            ("env-role", "credential_source", "Environment"),
            ("loop-a", "source_profile", "loop-b"),
            ("loop-b", "source_profile", "loop-a"),
            ("loop-b", "aws_access_key_id", "AKIALOOP"),
        ]);
        assert_eq!(long_term_keys("cron", &get, Some("AKIAENV")), ["AKIABASE"]);
        assert_eq!(
            long_term_keys("env-role", &get, Some("AKIAENV")),
            ["AKIAENV"]
        );
        assert!(long_term_keys("env-role", &get, None).is_empty());
        assert_eq!(long_term_keys("loop-a", &get, None), ["AKIALOOP"]);
        assert!(long_term_keys("nothing", &get, None).is_empty());
    }

    fn files(entries: &[(&str, &str, &str)]) -> impl Fn(&str, &str) -> Option<String> {
        let map: HashMap<(String, String), String> = entries
            .iter()
            .map(|(p, k, v)| (((*p).to_owned(), (*k).to_owned()), (*v).to_owned()))
            .collect();
        move |p: &str, k: &str| map.get(&(p.to_owned(), k.to_owned())).cloned()
    }

    #[test]
    fn role_user_and_source_profile_mfa() {
        let get = files(&[
            ("admin", "role_arn", "arn:aws:iam::111111111111:role/Admin"),
            ("admin", "source_profile", "base"),
            ("admin", "mfa_serial", "arn:aws:iam::222222222222:mfa/alice"),
            ("admin", "duration_seconds", "7200"),
            ("admin", "external_id", "ext"),
            ("base", "aws_access_key_id", "AKIA"),
            (
                "chained",
                "role_arn",
                "arn:aws:iam::111111111111:role/Audit",
            ),
            ("chained", "source_profile", "user-mfa"),
            (
                "user-mfa",
                "mfa_serial",
                "arn:aws:iam::222222222222:mfa/bob",
            ),
            ("plain", "role_arn", "arn:aws:iam::111111111111:role/R"),
            ("plain", "source_profile", "base"),
        ]);
        let admin = plan("admin", &get).unwrap().unwrap();
        assert_eq!(
            admin.serial.as_deref(),
            Some("arn:aws:iam::222222222222:mfa/alice")
        );
        assert_eq!(admin.duration_seconds, Some(7200));
        assert_eq!(admin.source, Source::Profile("base".into()));
        assert_eq!(
            admin.prompt(),
            "MFA code for arn:aws:iam::222222222222:mfa/alice (profile admin)"
        );
        let chained = plan("chained", &get).unwrap().unwrap();
        assert_eq!(
            chained.serial.as_deref(),
            Some("arn:aws:iam::222222222222:mfa/bob"),
            "from the source profile"
        );
        let user = plan("user-mfa", &get).unwrap().unwrap();
        assert_eq!(user.session, Session::Token);
        assert_eq!(plan("plain", &get).unwrap(), None, "aws-config's own");
        let plain = plan_with("plain", &get, true).unwrap().unwrap();
        assert_eq!(plain.serial, None, "taken over for --endpoint-url, no code");
        assert_eq!(plan_with("base", &get, true).unwrap(), None);
        assert_eq!(plan("base", &get).unwrap(), None);
        let bad = files(&[
            ("x", "mfa_serial", "arn:aws:iam::1:mfa/a"),
            ("x", "duration_seconds", "1h"),
        ]);
        assert!(plan("x", &bad).unwrap_err().0.contains("duration_seconds"));
        let both = files(&[
            ("y", "role_arn", "arn:aws:iam::1:role/R"),
            ("y", "mfa_serial", "arn:aws:iam::1:mfa/a"),
            ("y", "source_profile", "base"),
            ("y", "credential_source", "Environment"),
        ]);
        assert!(plan("y", &both).unwrap_err().0.contains("both"));
    }
}
