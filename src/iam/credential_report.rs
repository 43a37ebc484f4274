//! Parser for the IAM credential report (the CSV `GetCredentialReport` returns).
//! Columns are found by header name, so a reordered or extended report still
//! parses; values IAM uses for "nothing" (`N/A`, `no_information`,
//! `not_supported`) become `None`.

use chrono::{DateTime, Utc};

use crate::model::{LastUsed, ReportKeySlot, ReportRow};

/// Why a credential report could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("credential report is not valid CSV: {0}")]
    Csv(String),
    #[error("credential report has no `{0}` column")]
    MissingColumn(&'static str),
}

const COLUMNS: [&str; 16] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
];

/// Parse the report's CSV text into rows.
///
/// # Errors
/// The text is not CSV, or a column iamkeys needs is missing.
pub fn parse(text: &[u8]) -> Result<Vec<ReportRow>, ParseError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text);
    let headers = reader
        .headers()
        .map_err(|e| ParseError::Csv(e.to_string()))?
        .clone();
    let mut index = [0usize; COLUMNS.len()];
    for (slot, name) in COLUMNS.iter().enumerate() {
        index[slot] = headers
            .iter()
            .position(|h| h.trim() == *name)
            .ok_or(ParseError::MissingColumn(name))?;
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ParseError::Csv(e.to_string()))?;
        let field = |i: usize| record.get(index[i]).unwrap_or("").trim();
        if field(0).is_empty() {
            continue;
        }
        let slot = |base: usize| ReportKeySlot {
            active: flag(field(base)),
            last_rotated: time(field(base + 1)),
            last_used: LastUsed {
                date: time(field(base + 2)),
                region: text_value(field(base + 3)),
                service: text_value(field(base + 4)),
            },
        };
        rows.push(ReportRow {
            user: field(0).to_owned(),
            arn: field(1).to_owned(),
            user_created: time(field(2)),
            password_enabled: flag(field(3)),
            password_last_used: time(field(4)),
            mfa_active: flag(field(5)),
            keys: [slot(6), slot(11)],
        });
    }
    Ok(rows)
}

fn flag(value: &str) -> bool {
    value.eq_ignore_ascii_case("true")
}

/// A text field of IAM's, or `None` for the values IAM uses for "nothing"
/// (`N/A`, `no_information`, `not_supported`, empty).
pub(crate) fn text_value(value: &str) -> Option<String> {
    match value {
        "" | "N/A" | "no_information" | "not_supported" => None,
        other => Some(other.to_owned()),
    }
}

fn time(value: &str) -> Option<DateTime<Utc>> {
    text_value(value).and_then(|v| {
        DateTime::parse_from_rfc3339(&v)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn parses_root_and_users() {
        let text = format!(
            "{HEADER}\n<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2024-05-01T10:00:00+00:00,not_supported,not_supported,true,true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             alice,arn:aws:iam::123456789012:user/alice,2023-03-01T12:00:00+00:00,true,no_information,2023-03-01T12:00:00+00:00,N/A,false,false,N/A,N/A,N/A,N/A,true,2023-03-01T12:05:00+00:00,2024-01-02T03:04:05+00:00,us-east-1,s3,false,N/A,false,N/A\n"
        );
        let rows = parse(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let root = &rows[0];
        assert_eq!(root.user, "<root_account>");
        assert!(!root.password_enabled);
        assert!(root.mfa_active);
        assert!(root.keys[0].active && root.keys[0].present());
        assert!(!root.keys[1].present());
        let alice = &rows[1];
        assert!(alice.password_enabled);
        assert_eq!(alice.password_last_used, None);
        assert!(!alice.keys[0].present());
        assert!(alice.keys[1].active);
        assert_eq!(
            alice.keys[1].last_used.service.as_deref(),
            Some("s3"),
            "slot 2 service"
        );
        assert_eq!(alice.keys[1].last_used.region.as_deref(), Some("us-east-1"));
        assert_eq!(
            alice.keys[1].last_rotated.unwrap().to_rfc3339(),
            "2023-03-01T12:05:00+00:00"
        );
    }

    #[test]
    fn missing_column_is_an_error_not_a_panic() {
        assert_eq!(
            parse(b"user,arn\nbob,arn:x\n"),
            Err(ParseError::MissingColumn("user_creation_time"))
        );
        assert!(parse(b"").is_err());
    }

    #[test]
    fn short_rows_and_garbage_values_do_not_panic() {
        let text = format!("{HEADER}\nbob,arn,yesterday,maybe\n");
        let rows = parse(text.as_bytes()).unwrap();
        assert_eq!(rows[0].user, "bob");
        assert_eq!(rows[0].user_created, None);
        assert!(!rows[0].password_enabled);
    }
}
