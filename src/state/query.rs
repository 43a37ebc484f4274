//! The `/` filter as k9s reads it: words, all of which a user must match.
//! `finding:WORD` (a finding id or badge word), `status:active|inactive|
//! unknown` (any key of the user), `password:yes|no|unknown`,
//! `mfa:yes|no|unknown`, and plain text (the name or an access key ID
//! contains it).

use crate::account::users::UserRow;
use crate::audit::FindingId;
use crate::model::KeyStatus;

/// One word of the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Lower-case for names, upper-case for key IDs.
    Text {
        lower: String,
        upper: String,
    },
    Finding(FindingId),
    Status(KeyStatus),
    /// `None`: not known (the call failed or has not answered).
    Password(Option<bool>),
    Mfa(Option<bool>),
}

/// A parsed filter: every term must match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    terms: Vec<Term>,
}

const KEYS: &str = "use finding:, status:, password:, mfa: or plain text";

fn yes_no(key: &str, value: &str) -> Result<Option<bool>, String> {
    match value {
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        "unknown" => Ok(None),
        _ => Err(format!("{key}: yes, no or unknown (not `{value}`)")),
    }
}

impl Query {
    /// # Errors
    /// The first word that does not read, and what would.
    pub fn parse(text: &str) -> Result<Self, String> {
        let terms = text
            .split_whitespace()
            .map(|word| {
                let Some((key, value)) = word.split_once(':') else {
                    return Ok(Term::Text {
                        lower: word.to_lowercase(),
                        upper: word.to_uppercase(),
                    });
                };
                let value = value.to_lowercase();
                match key.to_lowercase().as_str() {
                    "finding" => {
                        FindingId::parse_word(&value)
                            .map(Term::Finding)
                            .ok_or_else(|| {
                                format!(
                                    "finding: a finding id or badge word ({}), not `{value}`",
                                    FindingId::ALL.map(FindingId::badge).join(", ")
                                )
                            })
                    }
                    "status" => match value.as_str() {
                        "active" => Ok(Term::Status(KeyStatus::Active)),
                        "inactive" => Ok(Term::Status(KeyStatus::Inactive)),
                        "unknown" => Ok(Term::Status(KeyStatus::Unknown)),
                        _ => Err(format!(
                            "status: active, inactive or unknown (not `{value}`)"
                        )),
                    },
                    "password" => yes_no("password", &value).map(Term::Password),
                    "mfa" => yes_no("mfa", &value).map(Term::Mfa),
                    other => Err(format!("unknown filter `{other}:` ({KEYS})")),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { terms })
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the filter reads findings (re-filter when they change).
    #[must_use]
    pub fn reads_findings(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, Term::Finding(_)))
    }

    /// Whether the root user's row matches every term: its name is
    /// `<root account>`, it has no key IDs or password to filter by.
    #[must_use]
    pub fn matches_root(&self, root: &crate::account::RootRow<'_>) -> bool {
        use crate::account::RootKeys;
        self.terms.iter().all(|term| match term {
            Term::Text { lower, .. } => crate::account::ROOT_ROW_NAME.contains(lower.as_str()),
            Term::Finding(id) => root.findings.iter().any(|f| f.id == *id && f.open()),
            Term::Status(KeyStatus::Active) => matches!(
                root.keys,
                RootKeys::Counted { active: 1.., .. } | RootKeys::Has(true)
            ),
            Term::Status(KeyStatus::Inactive) => {
                matches!(root.keys, RootKeys::Counted { inactive: 1.., .. })
            }
            Term::Status(KeyStatus::Unknown) => matches!(root.keys, RootKeys::Unknown(_)),
            Term::Password(_) => false,
            Term::Mfa(value) => root.mfa == *value,
        })
    }

    /// Whether `row` matches every term.
    #[must_use]
    pub fn matches(&self, row: &UserRow) -> bool {
        self.terms.iter().all(|term| match term {
            Term::Text { lower, upper } => row.matches(lower, upper),
            Term::Finding(id) => row.findings.iter().any(|f| f.id == *id && f.open()),
            Term::Status(status) => row
                .listed_keys()
                .is_some_and(|keys| keys.iter().any(|k| k.status == *status)),
            Term::Password(value) => row.password == *value,
            Term::Mfa(value) => row.mfa == *value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_read_strictly() {
        assert!(Query::parse("").unwrap().is_empty());
        let query = Query::parse("finding:2active STATUS:Inactive alice").unwrap();
        assert_eq!(query.terms.len(), 3);
        assert!(query.reads_findings());
        assert_eq!(
            Query::parse("finding:unused_key").unwrap().terms,
            [Term::Finding(FindingId::UnusedKey)]
        );
        assert_eq!(
            Query::parse("mfa:unknown").unwrap().terms,
            [Term::Mfa(None)]
        );
        let err = Query::parse("mfa:maybe").unwrap_err();
        assert!(err.contains("yes, no or unknown"), "{err}");
        let err = Query::parse("finding:bogus").unwrap_err();
        assert!(err.contains("setup, unused"), "{err}");
        let err = Query::parse("owner:me").unwrap_err();
        assert!(err.contains("finding:, status:, password:, mfa:"), "{err}");
    }
}
