//! An IAM identity policy document, read strictly: `Statement` as one
//! object or a list; `Action`/`NotAction` and `Resource`/`NotResource` as a
//! string or a list; any `Condition` noted. A document that does not read
//! is an error (its user's level is then `unknown`, never a guess).

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// The actions (or resources) a statement names: `Only` these, or all
/// `Except` these (`NotAction`, `NotResource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Names {
    Only(Vec<String>),
    Except(Vec<String>),
}

impl Names {
    /// Whether `name` is among them (patterns with `*` and `?`).
    #[must_use]
    pub fn covers(&self, name: &str) -> bool {
        match self {
            Self::Only(patterns) => patterns.iter().any(|p| glob(p, name)),
            Self::Except(patterns) => !patterns.iter().any(|p| glob(p, name)),
        }
    }

    /// The pattern that grants `name`, as the policy writes it (for the
    /// reasons shown): `NotAction` for an `Except`.
    #[must_use]
    pub fn shown_for(&self, name: &str) -> &str {
        match self {
            Self::Only(patterns) => patterns
                .iter()
                .find(|p| p.as_str() == "*" || p.as_str() == "*:*")
                .or_else(|| patterns.iter().find(|p| glob(p, name)))
                .map_or("?", String::as_str),
            Self::Except(_) => "NotAction",
        }
    }

    /// Whether they are every name there is (`*`, or `*:*` for actions).
    #[must_use]
    pub fn everything(&self) -> bool {
        match self {
            Self::Only(patterns) => patterns.iter().any(|p| p == "*" || p == "*:*"),
            Self::Except(patterns) => patterns.is_empty(),
        }
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub effect: Effect,
    pub actions: Names,
    pub resources: Names,
    /// It has a `Condition`: it may not apply.
    pub conditional: bool,
}

impl Statement {
    /// Whether the statement's resources are only the caller itself
    /// (`${aws:username}` self-service grants): each names exactly the
    /// caller's own user ARN, never a pattern that also matches others
    /// (`user/*${aws:username}*` reaches every user whose name holds one's
    /// own).
    #[must_use]
    pub fn only_self(&self) -> bool {
        match &self.resources {
            Names::Only(resources) => !resources.is_empty() && resources.iter().all(|r| own_arn(r)),
            Names::Except(_) => false,
        }
    }
}

/// Whether `resource` is exactly the caller's own user ARN:
/// `arn:<partition>:iam::<account ID or *>:user/[<path>/]${aws:username}`,
/// with no wildcard but the account's.
fn own_arn(resource: &str) -> bool {
    const NAME: &str = "${aws:username}";
    let mut parts = resource.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let plain = |s: &str| !s.contains(['*', '?', '$']);
    let Some(path) = rest.strip_prefix("user/") else {
        return false;
    };
    let path_ok = match path.strip_suffix(NAME) {
        Some("") => true,
        Some(prefix) => prefix.ends_with('/') && plain(prefix),
        None => false,
    };
    partition.starts_with("aws")
        && plain(partition)
        && (account == "*" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())))
        && path_ok
}

/// Read a policy document.
///
/// # Errors
/// It is not JSON, has no `Statement`, or a statement lacks an `Effect`,
/// an action or a resource element, or has one of the wrong type.
pub fn parse(document: &str) -> Result<Vec<Statement>, String> {
    let value: Value =
        serde_json::from_str(document).map_err(|e| format!("not a JSON policy ({e})"))?;
    let statements = match value.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return Err("no Statement".to_owned()),
    };
    statements.into_iter().map(statement).collect()
}

fn statement(value: &Value) -> Result<Statement, String> {
    let effect = match value.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        other => return Err(format!("Effect is {other:?}, not Allow or Deny")),
    };
    let actions = names(value, "Action", "NotAction")?;
    let resources = names(value, "Resource", "NotResource")?;
    Ok(Statement {
        effect,
        actions,
        resources,
        conditional: value.get("Condition").is_some_and(|c| !c.is_null()),
    })
}

fn names(value: &Value, only: &str, except: &str) -> Result<Names, String> {
    match (value.get(only), value.get(except)) {
        (Some(v), None) => strings(v, only).map(Names::Only),
        (None, Some(v)) => strings(v, except).map(Names::Except),
        (Some(_), Some(_)) => Err(format!("both {only} and {except}")),
        (None, None) => Err(format!("neither {only} nor {except}")),
    }
}

fn strings(value: &Value, what: &str) -> Result<Vec<String>, String> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(list) => list
            .iter()
            .map(|v| {
                v.as_str()
                    .map(ToOwned::to_owned)
                    .ok_or_else(|| format!("{what} holds a non-string"))
            })
            .collect(),
        _ => Err(format!("{what} is neither a string nor a list")),
    }
}

/// IAM's wildcard match, case-insensitive: `*` any run, `?` one character
/// (one byte: action names and ARNs are ASCII). No allocation: it runs for
/// every statement against every action asked about.
#[must_use]
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // Iterative matching with one backtrack point for the last `*`.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(glob("*", "iam:CreateUser"));
        assert!(glob("iam:Create*", "iam:CreateAccessKey"));
        assert!(glob("IAM:put*policy", "iam:PutUserPolicy"));
        assert!(glob("iam:?etUser", "iam:GetUser"));
        assert!(!glob("iam:Get*", "iam:CreateUser"));
        assert!(!glob("s3:*", "iam:CreateUser"));
        assert!(glob("*:*", "ec2:RunInstances"));
    }

    #[test]
    fn documents_read_strictly() {
        let one = parse(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#).unwrap();
        assert_eq!(one.len(), 1);
        assert!(one[0].actions.everything() && one[0].resources.everything());
        let not = parse(
            r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*"],"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        )
        .unwrap();
        assert!(not[0].conditional);
        assert!(!not[0].actions.covers("iam:CreateUser"));
        assert!(not[0].actions.covers("ec2:RunInstances"));
        for bad in [
            "not json",
            r#"{"Version":"2012-10-17"}"#,
            r#"{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"x","Resource":"*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#,
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
