//! The reviewed waivers file (`--waivers FILE`, `[audit] waivers_file`): a
//! TOML file of `[[waiver]]` entries, kept where code is reviewed. Its trust
//! is that review, so its entries are honoured as written (iamkeys reads it,
//! never writes it) (still bounded by
//! `max_waiver_days` from today, still lapsing). Read strictly, before any
//! AWS call: a malformed entry is an error naming the file, line and field.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use super::{Source, Trust, Waiver, key_id_shape};
use crate::audit::FindingId;

/// One entry of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWaiver {
    pub finding: FindingId,
    pub user: String,
    pub key_id: Option<String>,
    /// Only in this account, when given.
    pub account_id: Option<String>,
    pub until: NaiveDate,
    pub by: String,
    pub reason: String,
}

/// Every entry of the file, shared by each account's audit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileWaivers {
    pub path: Option<PathBuf>,
    pub entries: Arc<Vec<FileWaiver>>,
}

impl FileWaivers {
    /// The entries for this user (of this account, when the entry names one).
    #[must_use]
    pub fn for_user(&self, account_id: Option<&str>, user: &str) -> Vec<Waiver> {
        self.entries
            .iter()
            .filter(|e| e.user == user)
            .filter(|e| {
                e.account_id
                    .as_deref()
                    .is_none_or(|want| account_id == Some(want))
            })
            .map(|e| Waiver {
                finding: e.finding,
                key_id: e.key_id.clone(),
                until: e.until,
                by: e.by.clone(),
                reason: e.reason.clone(),
                source: Source::File,
                trust: Trust::Reviewed,
                tag: None,
            })
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(default)]
    waiver: Vec<Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    finding: Spanned<String>,
    user: Spanned<String>,
    access_key_id: Option<Spanned<String>>,
    account_id: Option<Spanned<String>>,
    until: Spanned<toml::Value>,
    by: Spanned<String>,
    reason: Spanned<String>,
}

/// Read the waivers file at `path`.
///
/// # Errors
/// The file cannot be read, is not TOML, or an entry is malformed: the
/// message names the file, the line and the field.
pub fn load(path: &Path) -> Result<FileWaivers, String> {
    let text = crate::bounded::read_required(path, "the waivers file", crate::bounded::WAIVERS)?;
    let entries = parse(&text).map_err(|e| format!("waivers file {}, {e}", path.display()))?;
    Ok(FileWaivers {
        path: Some(path.to_owned()),
        entries: Arc::new(entries),
    })
}

fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Parse the file's text; errors start with `line N, field F: …`.
///
/// # Errors
/// Not TOML, a field missing or unknown, or a value that does not read.
pub fn parse(text: &str) -> Result<Vec<FileWaiver>, String> {
    let doc: Document = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        format!("line {line}: {}", e.message().trim())
    })?;
    let mut out = Vec::new();
    for entry in doc.waiver {
        let entry = entry.into_inner();
        let bad = |field: &str, span: std::ops::Range<usize>, why: String| {
            format!("line {}, field `{field}`: {why}", line_of(text, span.start))
        };
        let finding = FindingId::parse(entry.finding.get_ref()).ok_or_else(|| {
            bad(
                "finding",
                entry.finding.span(),
                format!(
                    "`{}` is not a finding id ({})",
                    entry.finding.get_ref(),
                    FindingId::ALL.map(FindingId::as_str).join(", ")
                ),
            )
        })?;
        let nonempty = |field: &str, value: &Spanned<String>| {
            let text = value.get_ref().trim();
            if text.is_empty() {
                Err(bad(field, value.span(), "is empty".to_owned()))
            } else {
                Ok(text.to_owned())
            }
        };
        let user = nonempty("user", &entry.user)?;
        let by = nonempty("by", &entry.by)?;
        let reason = nonempty("reason", &entry.reason)?;
        // An optional field, kept only when it has its shape.
        let shaped =
            |field: &str, value: Option<&Spanned<String>>, ok: fn(&str) -> bool, not: &str| {
                value
                    .map(|v| {
                        if ok(v.get_ref()) {
                            Ok(v.get_ref().clone())
                        } else {
                            Err(bad(
                                field,
                                v.span(),
                                format!("`{}` is not {not}", v.get_ref()),
                            ))
                        }
                    })
                    .transpose()
            };
        let key_id = shaped(
            "access_key_id",
            entry.access_key_id.as_ref(),
            key_id_shape,
            "an access key ID",
        )?;
        let account_id = shaped(
            "account_id",
            entry.account_id.as_ref(),
            crate::model::is_account_id,
            "an account ID (12 digits)",
        )?;
        let until_text = match entry.until.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            other => other.to_string(),
        };
        let until = NaiveDate::parse_from_str(&until_text, "%Y-%m-%d").map_err(|_| {
            bad(
                "until",
                entry.until.span(),
                format!("`{until_text}` is not a date (YYYY-MM-DD)"),
            )
        })?;
        out.push(FileWaiver {
            finding,
            user,
            key_id,
            account_id,
            until,
            by,
            reason,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_and_errors_name_line_and_field() {
        let good = "[[waiver]]\nfinding = \"unused_key\"\nuser = \"alice\"\naccess_key_id = \"AKIAIOSFODNN7EXAMPLE\"\nuntil = 2027-01-31\nby = \"secops\"\nreason = \"moves to a role\"\n\n[[waiver]]\nfinding = \"multiple_active_keys\"\nuser = \"bob\"\naccount_id = \"111111111111\"\nuntil = \"2027-02-01\"\nby = \"secops\"\nreason = \"migration\"\n";
        let read = parse(good).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].key_id.as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(read[1].until, NaiveDate::from_ymd_opt(2027, 2, 1).unwrap());
        let waivers = FileWaivers {
            path: None,
            entries: Arc::new(read),
        };
        assert_eq!(waivers.for_user(Some("111111111111"), "bob").len(), 1);
        assert!(waivers.for_user(Some("222222222222"), "bob").is_empty());

        let bad_date = good.replace("until = \"2027-02-01\"", "until = \"01/02/2027\"");
        let err = parse(&bad_date).unwrap_err();
        assert!(err.starts_with("line 13, field `until`"), "{err}");
        let bad_id = good.replace("\"unused_key\"", "\"unused\"");
        assert!(
            parse(&bad_id)
                .unwrap_err()
                .starts_with("line 2, field `finding`")
        );
        let missing = good.replace("reason = \"migration\"\n", "");
        let err = parse(&missing).unwrap_err();
        assert!(err.contains("reason"), "{err}");
        let unknown = good.replace(
            "by = \"secops\"\nreason = \"migration\"",
            "by = \"secops\"\nreason = \"migration\"\nexpires = 1",
        );
        assert!(parse(&unknown).unwrap_err().contains("expires"));
    }
}
