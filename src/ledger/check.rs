//! `iamkeys ledger check`: where the ledger is and who can write it, said
//! plainly. Pure: the bucket's posture comes in, lines go out. For S3:
//! versioning (off: history can be overwritten), Block Public Access,
//! Object Lock, and the bucket policy's statements that allow or deny
//! `s3:PutObject` on the ledger's prefix, with their principals.

use serde_json::Value;

use super::s3::Posture;
use crate::risk::policy::{self, Effect};

/// One line of the check, and whether it is a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub warn: bool,
    pub text: String,
}

fn ok(text: String) -> Line {
    Line { warn: false, text }
}

fn warn(text: String) -> Line {
    Line { warn: true, text }
}

/// The principals of a statement, as written (`*` for everyone).
fn principals(statement: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (field, negate) in [("Principal", ""), ("NotPrincipal", "everyone but ")] {
        match statement.get(field) {
            Some(Value::String(s)) => out.push(format!("{negate}{s}")),
            Some(Value::Object(map)) => {
                for (kind, value) in map {
                    let names: Vec<String> = match value {
                        Value::String(s) => vec![s.clone()],
                        Value::Array(list) => list
                            .iter()
                            .filter_map(Value::as_str)
                            .map(ToOwned::to_owned)
                            .collect(),
                        _ => Vec::new(),
                    };
                    for name in names {
                        out.push(format!("{negate}{kind} {name}"));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The statements of the bucket policy about putting the ledger's objects.
///
/// # Errors
/// The policy does not read.
pub fn put_statements(document: &str, object_arn: &str) -> Result<Vec<Line>, String> {
    let statements = policy::parse(document)?;
    let value: Value = serde_json::from_str(document).map_err(|e| e.to_string())?;
    let raw: Vec<&Value> = match value.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut lines = Vec::new();
    for (statement, raw) in statements.iter().zip(raw) {
        if !statement.actions.covers("s3:PutObject") || !statement.resources.covers(object_arn) {
            continue;
        }
        let who = principals(raw);
        let who = if who.is_empty() {
            "(no principal)".to_owned()
        } else {
            who.join(", ")
        };
        let condition = raw
            .get("Condition")
            .and_then(Value::as_object)
            .map(|c| {
                let keys: Vec<String> = c
                    .values()
                    .filter_map(Value::as_object)
                    .flat_map(|m| m.keys().cloned())
                    .collect();
                format!(" when {}", keys.join(", "))
            })
            .unwrap_or_default();
        let sid = raw
            .get("Sid")
            .and_then(Value::as_str)
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        lines.push(match statement.effect {
            Effect::Allow if who.contains('*') && condition.is_empty() => warn(format!(
                "bucket policy{sid} allows s3:PutObject to {who}: anyone it names can write the ledger"
            )),
            Effect::Allow => ok(format!("bucket policy{sid} allows s3:PutObject to {who}{condition}")),
            Effect::Deny => ok(format!("bucket policy{sid} denies s3:PutObject to {who}{condition}")),
        });
    }
    Ok(lines)
}

/// The check's lines for an S3 ledger.
#[must_use]
pub fn s3_lines(posture: &Posture, bucket: &str, prefix: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    match &posture.versioning {
        Ok(Some(status)) if status == "Enabled" => {
            lines.push(ok("versioning: Enabled (every earlier ledger is kept)".to_owned()));
        }
        Ok(Some(status)) => lines.push(warn(format!(
            "versioning: {status}: history can be overwritten — a writer can replace the ledger and its past is gone (enable versioning)"
        ))),
        Ok(None) => lines.push(warn(
            "versioning: off: history can be overwritten — a writer can replace the ledger and its past is gone (enable versioning)"
                .to_owned(),
        )),
        Err(why) => lines.push(warn(format!("versioning: cannot be read ({why})"))),
    }
    match &posture.public_access {
        Ok(Some(flags)) if flags.iter().all(|f| *f) => {
            lines.push(ok("Block Public Access: all four settings on".to_owned()));
        }
        Ok(Some(_)) => lines.push(warn(
            "Block Public Access: not every setting is on".to_owned(),
        )),
        Ok(None) => lines.push(warn(
            "Block Public Access: not configured on the bucket (the account's setting may still apply)"
                .to_owned(),
        )),
        Err(why) => lines.push(warn(format!("Block Public Access: cannot be read ({why})"))),
    }
    match &posture.object_lock {
        Ok(Some(lock)) => lines.push(ok(format!("Object Lock: {lock}"))),
        Ok(None) => lines.push(ok(
            "Object Lock: none (optional: with it, no one can delete a version before its retention ends)"
                .to_owned(),
        )),
        Err(why) => lines.push(warn(format!("Object Lock: cannot be read ({why})"))),
    }
    let object_arn = if prefix.is_empty() {
        format!("arn:aws:s3:::{bucket}/111111111111/ledger.jsonl")
    } else {
        format!("arn:aws:s3:::{bucket}/{prefix}/111111111111/ledger.jsonl")
    };
    match &posture.policy {
        Ok(None) => lines.push(warn(
            "bucket policy: none — who can write the ledger is whatever IAM policies in the bucket's account grant s3:PutObject"
                .to_owned(),
        )),
        Ok(Some(document)) => match put_statements(document, &object_arn) {
            Ok(found) if found.is_empty() => lines.push(warn(
                "bucket policy: no statement about s3:PutObject on the ledger's prefix — IAM policies in the bucket's account decide who writes"
                    .to_owned(),
            )),
            Ok(found) => lines.extend(found),
            Err(why) => lines.push(warn(format!("bucket policy: does not read ({why})"))),
        },
        Err(why) => lines.push(warn(format!("bucket policy: cannot be read ({why})"))),
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versioning_off_says_history_can_be_overwritten() {
        let posture = Posture {
            versioning: Ok(None),
            public_access: Ok(Some([true; 4])),
            object_lock: Ok(None),
            policy: Ok(None),
        };
        let lines = s3_lines(&posture, "sec", "iamkeys");
        assert!(lines[0].warn);
        assert!(lines[0].text.contains("history can be overwritten"));
        assert!(!lines[1].warn);
    }

    #[test]
    fn the_policy_names_who_may_put() {
        let policy = r#"{"Version":"2012-10-17","Statement":[
          {"Sid":"SecurityWrites","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/SecurityAudit"},
           "Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::sec/iamkeys/*"},
          {"Sid":"OnlySecurity","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::sec/iamkeys/*",
           "Condition":{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/SecurityAudit"}}},
          {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::sec/other/*"}]}"#;
        let lines =
            put_statements(policy, "arn:aws:s3:::sec/iamkeys/111111111111/ledger.jsonl").unwrap();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].text.contains(
                "allows s3:PutObject to AWS arn:aws:iam::111111111111:role/SecurityAudit"
            )
        );
        assert!(
            lines[1]
                .text
                .contains("denies s3:PutObject to * when aws:PrincipalArn")
        );
        let open =
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#;
        let lines = put_statements(open, "arn:aws:s3:::sec/x").unwrap();
        assert!(lines[0].warn && lines[0].text.contains("anyone"));
    }
}
