//! Who wrote a waiver tag, as CloudTrail tells it: the newest `TagUser`
//! event that set that very tag key and value on that user. Its
//! `userIdentity.arn` is the writer; for an assumed-role session the role's
//! ARN (`sessionContext.sessionIssuer.arn`) is matched against the approvers
//! too. Pure: the events come in, nothing is asked.

use chrono::{DateTime, Utc};

use crate::usage::TrailEvent;

/// A tag's writer, as CloudTrail recorded the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Writer {
    /// `userIdentity.arn`: a user, or an assumed-role session.
    pub arn: String,
    /// The role behind an assumed-role session, if any.
    pub issuer: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

impl Writer {
    /// Whether any of these ARN patterns matches the writer (or the role
    /// behind its session).
    #[must_use]
    pub fn approved_by(&self, patterns: &[String]) -> bool {
        patterns.iter().any(|p| {
            arn_matches(p, &self.arn) || self.issuer.as_deref().is_some_and(|i| arn_matches(p, i))
        })
    }
}

/// Whether `arn` matches `pattern`, where `*` stands for any run of
/// characters (`/` and `:` included) and everything else is literal.
#[must_use]
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == arn;
    };
    if parts.len() == 1 {
        return pattern == arn;
    }
    let Some(mut rest) = arn.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// One tag set by a `TagUser` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagWrite {
    pub user: String,
    pub key: String,
    pub value: String,
    pub writer: Writer,
}

/// The tags a `TagUser` event set (none for any other event, or one whose
/// caller is not recorded).
#[must_use]
pub fn tag_writes(event: &TrailEvent) -> Vec<TagWrite> {
    let (Some(user), Some(arn)) = (&event.request_user, &event.caller_arn) else {
        return Vec::new();
    };
    if event.name != "TagUser" {
        return Vec::new();
    }
    event
        .request_tags
        .iter()
        .map(|(key, value)| TagWrite {
            user: user.clone(),
            key: key.clone(),
            value: value.clone(),
            writer: Writer {
                arn: arn.clone(),
                issuer: event.issuer_arn.clone(),
                at: event.time,
            },
        })
        .collect()
}

/// The writer of this tag as it stands now: the newest `TagUser` that set
/// this key to this value on this user.
#[must_use]
pub fn writer_of<'a>(
    writes: &'a [TagWrite],
    user: &str,
    key: &str,
    value: &str,
) -> Option<&'a Writer> {
    writes
        .iter()
        .filter(|w| w.user == user && w.key == key && w.value == value)
        .max_by_key(|w| w.writer.at)
        .map(|w| &w.writer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_with_wildcards_only_where_written() {
        let role = "arn:aws:iam::111111111111:role/SecurityAudit";
        assert!(arn_matches("arn:aws:iam::*:role/SecurityAudit", role));
        assert!(arn_matches(role, role));
        assert!(arn_matches("*", role));
        assert!(arn_matches("arn:aws:iam::111111111111:role/*", role));
        assert!(!arn_matches("arn:aws:iam::*:role/Security", role));
        assert!(!arn_matches("arn:aws:iam::*:role/SecurityAuditor", role));
        assert!(!arn_matches(
            "arn:aws:iam::*:role/SecurityAudit",
            "arn:aws:iam::111111111111:role/SecurityAudit2"
        ));
        assert!(!arn_matches("arn:aws:iam::*:user/*", role));
        assert!(arn_matches("a*b*c", "abc"));
        assert!(!arn_matches("a*b*c", "acb"));
        assert!(!arn_matches("ab*ba", "aba"), "the ends must not overlap");
    }

    #[test]
    fn an_assumed_role_session_is_approved_by_its_role() {
        let writer = Writer {
            arn: "arn:aws:sts::111111111111:assumed-role/SecurityAudit/alice".into(),
            issuer: Some("arn:aws:iam::111111111111:role/SecurityAudit".into()),
            at: None,
        };
        assert!(writer.approved_by(&["arn:aws:iam::*:role/SecurityAudit".into()]));
        assert!(!writer.approved_by(&["arn:aws:iam::*:role/Other".into()]));
        assert!(!writer.approved_by(&[]));
    }
}
