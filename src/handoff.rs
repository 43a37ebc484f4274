//! Where a rotated key goes (issue 27): the user tag
//! `iamkeys:handoff` names a Secrets Manager secret (`secretsmanager:<ARN
//! or name>[#<id field>,<secret field>]`) or an SSM parameter
//! (`ssm:<name>`) that the workload reads its key from. Pure: the tag read
//! strictly, and the secret's new JSON with its other fields kept. The
//! write is the worker's (`Effect::HandOff`, after `R`'s create).

pub mod write;

use serde_json::{Map, Value};

use crate::secret::Secret;

/// The user tag naming where the new key of a rotation goes.
pub const TAG: &str = "iamkeys:handoff";

/// The handoff tag among a user's tags, read (`None`: there is none).
#[must_use]
pub fn target_of(tags: &[(String, String)]) -> Option<Result<Target, String>> {
    let (_, value) = tags.iter().find(|(k, _)| k == TAG)?;
    Some(Target::parse(value))
}

/// A place a workload reads its access key from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Secrets Manager secret holding a JSON object; the key ID and the
    /// secret go to these two fields, the others are kept.
    SecretsManager {
        secret: String,
        id_field: String,
        secret_field: String,
    },
    /// An SSM parameter, written as a `SecureString` of
    /// `{"AccessKeyId": …, "SecretAccessKey": …}`. `region` and
    /// `account` are the ARN's (a ledger target always has them; a bare
    /// `ssm:` name has none).
    Ssm {
        name: String,
        region: Option<String>,
        account: Option<String>,
    },
}

impl Target {
    /// Read the tag's value.
    ///
    /// # Errors
    /// Not `secretsmanager:` or `ssm:`, nothing after it, or fields that
    /// are not two names.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        if let Some(rest) = value.strip_prefix("secretsmanager:") {
            let (secret, fields) = match rest.split_once('#') {
                Some((secret, fields)) => (secret, Some(fields)),
                None => (rest, None),
            };
            if secret.is_empty() {
                return Err(format!("{TAG} = {value:?} names no secret"));
            }
            let (id_field, secret_field) = match fields {
                None => ("AccessKeyId".to_owned(), "SecretAccessKey".to_owned()),
                Some(fields) => match fields.split_once(',') {
                    Some((a, b))
                        if !a.trim().is_empty() && !b.trim().is_empty() && a.trim() != b.trim() =>
                    {
                        (a.trim().to_owned(), b.trim().to_owned())
                    }
                    _ => {
                        return Err(format!(
                            "{TAG} = {value:?}: after # name two fields, the key ID's and the secret's (e.g. #id,secret)"
                        ));
                    }
                },
            };
            return Ok(Self::SecretsManager {
                secret: secret.to_owned(),
                id_field,
                secret_field,
            });
        }
        if let Some(name) = value.strip_prefix("ssm:") {
            if name.is_empty() {
                return Err(format!("{TAG} = {value:?} names no parameter"));
            }
            return Ok(Self::Ssm {
                name: name.to_owned(),
                region: None,
                account: None,
            });
        }
        Err(format!(
            "{TAG} = {value:?} is neither secretsmanager:<secret>[#<id field>,<secret field>] nor ssm:<parameter>"
        ))
    }

    /// Read a ledger's hand-off target: a full ARN, region and account
    /// pinned — `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`
    /// (optionally `#<id field>,<secret field>`) or
    /// `arn:<partition>:ssm:<region>:<account>:parameter/<name>`. A bare
    /// name would resolve in whatever region the operator is in.
    ///
    /// # Errors
    /// Not such an ARN.
    pub fn parse_arn(value: &str) -> Result<Self, String> {
        let clean = crate::text::clean(value);
        let refuse = || {
            Err(format!(
                "`{clean}` is not a full Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>) or SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)"
            ))
        };
        if value.len() > 2048
            || value
                .chars()
                .any(|c| crate::text::is_unsafe(c) || c.is_whitespace())
        {
            return refuse();
        }
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        let ["arn", partition, service, region, account, resource] = parts.as_slice() else {
            return refuse();
        };
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !partition.starts_with("aws") || !region_ok || !crate::model::is_account_id(account) {
            return refuse();
        }
        match *service {
            "secretsmanager" => match resource.strip_prefix("secret:") {
                Some(name) if !name.is_empty() && !name.starts_with('#') => Self::parse(&format!(
                    "secretsmanager:arn:{partition}:secretsmanager:{region}:{account}:secret:{name}"
                )),
                _ => refuse(),
            },
            "ssm" => match resource.strip_prefix("parameter/") {
                Some(name) if !name.is_empty() && !name.contains('#') => Ok(Self::Ssm {
                    name: format!("/{}", name.trim_start_matches('/')),
                    region: Some((*region).to_owned()),
                    account: Some((*account).to_owned()),
                }),
                _ => refuse(),
            },
            _ => refuse(),
        }
    }

    /// The region and account the target's ARN pins, `(region, account)`;
    /// `None` for a bare name (which would resolve wherever the operator
    /// is, and so is never written).
    #[must_use]
    pub fn pinned(&self) -> Option<(&str, &str)> {
        match self {
            Self::SecretsManager { secret, .. } => {
                let parts: Vec<&str> = secret.splitn(6, ':').collect();
                match parts.as_slice() {
                    ["arn", _, "secretsmanager", region, account, _]
                        if !region.is_empty() && crate::model::is_account_id(account) =>
                    {
                        Some((region, account))
                    }
                    _ => None,
                }
            }
            Self::Ssm {
                region: Some(region),
                account: Some(account),
                ..
            } => Some((region, account)),
            Self::Ssm { .. } => None,
        }
    }

    /// The call that writes it, as the audit log names it.
    #[must_use]
    pub fn action(&self) -> &'static str {
        match self {
            Self::SecretsManager { .. } => "secretsmanager:PutSecretValue",
            Self::Ssm { .. } => "ssm:PutParameter",
        }
    }

    /// The target as the audit log names it: the full ARN (cleaned); a
    /// bare name as it was given.
    #[must_use]
    pub fn arn(&self) -> String {
        let arn = match self {
            Self::SecretsManager { secret, .. } => secret.clone(),
            Self::Ssm {
                name,
                region: Some(region),
                account: Some(account),
            } => format!(
                "arn:aws:ssm:{region}:{account}:parameter/{}",
                name.trim_start_matches('/')
            ),
            Self::Ssm { name, .. } => format!("ssm:{name}"),
        };
        crate::text::clean(&arn).into_owned()
    }

    /// As the rotation dialog says it.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::SecretsManager {
                secret,
                id_field,
                secret_field,
            } => format!(
                "Secrets Manager secret {} (fields {id_field}, {secret_field}; its other fields kept)",
                crate::text::clean(secret)
            ),
            Self::Ssm { name, .. } => format!(
                "SSM parameter {} (SecureString, overwritten)",
                crate::text::clean(name)
            ),
        }
    }
}

/// The secret's new JSON: `current` (none: a secret with no value yet)
/// with the two fields set and every other field kept. The result holds
/// the secret: it is a [`Secret`] (zeroed when dropped, never logged).
///
/// # Errors
/// The current value is not a JSON object: it is not overwritten.
pub fn merged(
    current: Option<&str>,
    id_field: &str,
    secret_field: &str,
    key_id: &str,
    secret: &Secret,
) -> Result<Secret, String> {
    let mut object = match current.map(serde_json::from_str::<Value>) {
        None => Map::new(),
        Some(Ok(Value::Object(object))) => object,
        Some(_) => {
            return Err(
                "the secret's value is not a JSON object: it is not overwritten (store the new key yourself)"
                    .to_owned(),
            );
        }
    };
    object.insert(id_field.to_owned(), Value::String(key_id.to_owned()));
    object.insert(
        secret_field.to_owned(),
        Value::String(secret.expose().to_owned()),
    );
    Ok(Secret::new(Value::Object(object).to_string()))
}

/// What the ledger says of a user's hand-off target, as far as it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded<'a> {
    /// Read: the latest `handoff.set` for the user, if any.
    Known(Option<&'a str>),
    /// It could not be read (why).
    Unreadable(String),
    /// Not read yet.
    Pending,
    /// This run keeps no ledger.
    NoLedger,
}

/// Where a user's rotated keys go: the ledger's latest `handoff.set` (a
/// full ARN, parsed). An `iamkeys:handoff` tag (`claim`) is never a target:
/// the user may be able to write it, and a user that can tag itself must
/// not send its new key anywhere. While the ledger is not read, or could
/// not be, nothing is handed off — said only where a tag claims a target.
/// `None`: no hand-off.
#[must_use]
pub fn trusted(recorded: Recorded<'_>, claim: Option<&str>) -> Option<Result<Target, String>> {
    match recorded {
        Recorded::Known(set) => set.map(Target::parse_arn),
        Recorded::Unreadable(err) => {
            claim?;
            Some(Err(format!("the ledger cannot be read ({err})")))
        }
        Recorded::Pending => {
            claim?;
            Some(Err("the ledger is still being read".to_owned()))
        }
        Recorded::NoLedger => None,
    }
}

/// The `iamkeys:handoff` tag among a user's tags, as written: a claim.
#[must_use]
pub fn claim(tags: &[(String, String)]) -> Option<&str> {
    tags.iter().find(|(k, _)| k == TAG).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the ledger's record is a target; a tag is a claim, and while the
    /// ledger cannot be read nothing is handed off (said where a tag claims).
    #[test]
    fn only_the_ledger_names_a_target() {
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/key-AbCdEf";
        let tag = Some("secretsmanager:elsewhere");
        assert!(matches!(
            trusted(Recorded::Known(Some(arn)), tag),
            Some(Ok(_))
        ));
        assert_eq!(
            trusted(Recorded::Known(None), tag),
            None,
            "a tag alone is nothing"
        );
        assert!(matches!(trusted(Recorded::Pending, tag), Some(Err(_))));
        assert_eq!(trusted(Recorded::Pending, None), None);
        assert!(
            matches!(trusted(Recorded::Unreadable("x".into()), tag), Some(Err(e)) if e.contains("cannot be read"))
        );
        assert_eq!(trusted(Recorded::NoLedger, tag), None);
        let tags = vec![(TAG.to_owned(), "secretsmanager:x".to_owned())];
        assert_eq!(claim(&tags), Some("secretsmanager:x"));
    }

    #[test]
    fn the_tag_reads_strictly() {
        assert_eq!(
            Target::parse("secretsmanager:prod/app/aws"),
            Ok(Target::SecretsManager {
                secret: "prod/app/aws".into(),
                id_field: "AccessKeyId".into(),
                secret_field: "SecretAccessKey".into(),
            })
        );
        assert_eq!(
            Target::parse(
                "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf#id, key"
            ),
            Ok(Target::SecretsManager {
                secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf".into(),
                id_field: "id".into(),
                secret_field: "key".into(),
            })
        );
        assert_eq!(
            Target::parse("ssm:/app/key"),
            Ok(Target::Ssm {
                name: "/app/key".into(),
                region: None,
                account: None,
            })
        );
        assert_eq!(
            Target::parse("ssm:/app/key").map(|t| t.pinned().is_none()),
            Ok(true)
        );
        for bad in [
            "",
            "vault:x",
            "ssm:",
            "secretsmanager:",
            "secretsmanager:x#one",
            "secretsmanager:x#a,a",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_ledger_target_is_a_full_arn() {
        assert_eq!(
            Target::parse_arn(
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf#id,key"
            ),
            Ok(Target::SecretsManager {
                secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-AbCdEf".into(),
                id_field: "id".into(),
                secret_field: "key".into(),
            })
        );
        assert_eq!(
            Target::parse_arn("arn:aws:ssm:eu-west-1:123456789012:parameter/app/key"),
            Ok(Target::Ssm {
                name: "/app/key".into(),
                region: Some("eu-west-1".into()),
                account: Some("123456789012".into()),
            })
        );
        let ssm =
            Target::parse_arn("arn:aws:ssm:eu-west-1:123456789012:parameter/app/key").unwrap();
        assert_eq!(ssm.pinned(), Some(("eu-west-1", "123456789012")));
        assert_eq!(
            ssm.arn(),
            "arn:aws:ssm:eu-west-1:123456789012:parameter/app/key"
        );
        let sm = Target::parse_arn(
            "arn:aws:secretsmanager:us-east-2:210987654321:secret:app-AbCdEf#id,key",
        )
        .unwrap();
        assert_eq!(sm.pinned(), Some(("us-east-2", "210987654321")));
        assert_eq!(
            sm.arn(),
            "arn:aws:secretsmanager:us-east-2:210987654321:secret:app-AbCdEf"
        );
        assert_eq!(
            Target::parse("secretsmanager:prod/app").map(|t| t.pinned().is_none()),
            Ok(true)
        );
        for bad in [
            "secretsmanager:prod/app",
            "ssm:/app/key",
            "arn:aws:secretsmanager::123456789012:secret:x",
            "arn:aws:secretsmanager:eu-west-1:*:secret:x",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/",
            "arn:aws:s3:::bucket",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/a b",
        ] {
            assert!(Target::parse_arn(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_secret_keeps_its_other_fields() {
        let current = r#"{"AccessKeyId":"AKIAOLD","SecretAccessKey":"old","region":"eu-west-1"}"#;
        let secret = Secret::new("s3cr3t");
        let new = merged(
            Some(current),
            "AccessKeyId",
            "SecretAccessKey",
            "AKIANEW",
            &secret,
        )
        .unwrap();
        assert!(!format!("{new:?}").contains("s3cr3t"), "never shown");
        let value: Value = serde_json::from_str(new.expose()).unwrap();
        assert_eq!(value["AccessKeyId"], "AKIANEW");
        assert_eq!(value["SecretAccessKey"], "s3cr3t");
        assert_eq!(value["region"], "eu-west-1");
        let s = Secret::new("s");
        assert_eq!(
            merged(None, "id", "key", "AKIANEW", &s).unwrap().expose(),
            r#"{"id":"AKIANEW","key":"s"}"#
        );
        assert!(merged(Some("plain text"), "a", "b", "k", &s).is_err());
        assert!(merged(Some("[1]"), "a", "b", "k", &s).is_err());
    }
}
