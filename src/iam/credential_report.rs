//! Parser for the IAM credential report (the CSV `GetCredentialReport` returns).
//! Columns are found by header name, so a reordered or extended report still
//! parses; values IAM uses for "nothing" (`N/A`, `no_information`,
//! `not_supported`) become `None`. Rows are read strictly: a wrong field
//! count or an unknown value rejects the row (its user is audited with
//! per-user calls), never a guess.

use chrono::{DateTime, Utc};

use crate::model::{LastUsed, RejectedRow, ReportCertificate, ReportKeySlot, ReportRow};

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

/// The report's rows: those read, and those rejected (with why).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parsed {
    pub rows: Vec<ReportRow>,
    pub rejected: Vec<RejectedRow>,
}

/// Parse the report's CSV text. A row with another field count than the
/// header (a comma in a name shifts every column after it) or a value
/// outside what IAM documents is rejected, never read with shifted or
/// guessed columns: its user is then audited with per-user calls.
///
/// # Errors
/// The text is not CSV, or a column iamkeys needs is missing.
pub fn parse(text: &[u8]) -> Result<Parsed, ParseError> {
    // Flexible only so that a bad row is seen and rejected by us, not so
    // that it is read: every row's length is checked against the header.
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
    // Read when there: IAM writes it, but no rule needs it to judge keys.
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let optional = Optional {
        changed: column("password_last_changed"),
        certificates: [
            column("cert_1_active").zip(column("cert_1_last_rotated")),
            column("cert_2_active").zip(column("cert_2_last_rotated")),
        ],
    };
    let mut parsed = Parsed::default();
    for record in reader.records() {
        let record = record.map_err(|e| ParseError::Csv(e.to_string()))?;
        let line = record.position().map_or(0, csv::Position::line);
        let first = record.get(0).unwrap_or("").trim().to_owned();
        if record.len() == 1 && first.is_empty() {
            continue;
        }
        if record.len() != headers.len() {
            parsed.rejected.push(RejectedRow {
                line,
                user: first,
                reason: format!(
                    "{} fields where the header has {}",
                    record.len(),
                    headers.len()
                ),
            });
            continue;
        }
        match row(&record, &index, &optional) {
            Ok(row) => parsed.rows.push(row),
            Err(reason) => parsed.rejected.push(RejectedRow {
                line,
                user: first,
                reason,
            }),
        }
    }
    Ok(parsed)
}

/// One row, every value checked.
/// Columns read when the report has them (IAM writes them all; no key rule
/// needs them).
struct Optional {
    changed: Option<usize>,
    /// Each certificate slot's `active` and `last_rotated` columns.
    certificates: [Option<(usize, usize)>; 2],
}

/// The row's certificates, each slot checked as the key slots are.
fn certificates(
    record: &csv::StringRecord,
    slots: &[Option<(usize, usize)>; 2],
) -> Result<Option<Vec<ReportCertificate>>, String> {
    if slots.iter().any(Option::is_none) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for (n, (active, rotated)) in slots.iter().flatten().enumerate() {
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let name = |what: &str| format!("cert_{}_{what}", n + 1);
        let active = flag(field(*active)).ok_or_else(|| bad(&name("active"), field(*active)))?;
        let last_rotated =
            time(field(*rotated)).map_err(|()| bad(&name("last_rotated"), field(*rotated)))?;
        match (active, last_rotated) {
            (_, Some(last_rotated)) => out.push(ReportCertificate {
                active,
                last_rotated,
            }),
            (true, None) => {
                return Err(format!(
                    "{} is true but {} is {}",
                    name("active"),
                    name("last_rotated"),
                    field(*rotated)
                ));
            }
            (false, None) => {}
        }
    }
    Ok(Some(out))
}

fn row(
    record: &csv::StringRecord,
    index: &[usize; COLUMNS.len()],
    optional: &Optional,
) -> Result<ReportRow, String> {
    let field = |i: usize| record.get(index[i]).unwrap_or("").trim();
    let user = field(0);
    if user.is_empty() {
        return Err("no user name".to_owned());
    }
    let root = user == crate::model::ROOT_ROW;
    let flag_at = |i: usize| flag(field(i)).ok_or_else(|| bad(COLUMNS[i], field(i)));
    let time_at = |i: usize| time(field(i)).map_err(|()| bad(COLUMNS[i], field(i)));
    let slot = |base: usize| -> Result<ReportKeySlot, String> {
        let slot = ReportKeySlot {
            active: flag_at(base)?,
            last_rotated: time_at(base + 1)?,
            last_used: LastUsed {
                date: time_at(base + 2)?,
                region: text_value(field(base + 3)),
                service: text_value(field(base + 4)),
            },
        };
        if slot.active && slot.last_rotated.is_none() {
            return Err(format!(
                "{} is true but {} is {}",
                COLUMNS[base],
                COLUMNS[base + 1],
                field(base + 1)
            ));
        }
        Ok(slot)
    };
    // The root row's password_enabled is `not_supported`: the root user
    // always has a password, and no user rule reads the root row.
    let password_enabled = if root && field(3) == "not_supported" {
        false
    } else {
        flag_at(3)?
    };
    Ok(ReportRow {
        user: user.to_owned(),
        arn: field(1).to_owned(),
        user_created: time_at(2)?,
        password_enabled,
        password_last_used: time_at(4)?,
        password_last_changed: match optional.changed.map(|i| record.get(i).unwrap_or("").trim()) {
            None => None,
            Some(value) => time(value).map_err(|()| bad("password_last_changed", value))?,
        },
        mfa_active: flag_at(5)?,
        keys: [slot(6)?, slot(11)?],
        certificates: certificates(record, &optional.certificates)?,
    })
}

fn bad(column: &str, value: &str) -> String {
    let shown: String = value.chars().take(40).filter(|c| !c.is_control()).collect();
    format!("`{shown}` is not a value IAM writes in {column}")
}

/// `true`/`false` as IAM writes them; anything else is not read.
fn flag(value: &str) -> Option<bool> {
    match value {
        "true" | "TRUE" => Some(true),
        "false" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A text field of IAM's, or `None` for the values IAM uses for "nothing"
/// (`N/A`, `no_information`, `not_supported`, empty).
pub(crate) fn text_value(value: &str) -> Option<String> {
    match value {
        "" | "N/A" | "no_information" | "not_supported" => None,
        other => Some(other.to_owned()),
    }
}

/// A date, or one of IAM's words for none; anything else is an error.
fn time(value: &str) -> Result<Option<DateTime<Utc>>, ()> {
    match text_value(value) {
        None => Ok(None),
        Some(v) => DateTime::parse_from_rfc3339(&v)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| ()),
    }
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
        let parsed = parse(text.as_bytes()).unwrap();
        assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
        let rows = parsed.rows;
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
        assert_eq!(
            alice
                .password_last_changed
                .map(|t| t.to_rfc3339())
                .as_deref(),
            Some("2023-03-01T12:00:00+00:00")
        );
        assert_eq!(root.password_last_changed, None, "not_supported");
        assert_eq!(alice.certificates, Some(Vec::new()), "cert columns N/A");
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

    const ALICE: &str = "alice,arn:aws:iam::123456789012:user/alice,2023-03-01T12:00:00+00:00,true,no_information,2023-03-01T12:00:00+00:00,N/A,false,true,2023-03-01T12:05:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    #[test]
    fn a_row_with_a_comma_in_its_name_is_rejected_not_shifted() {
        // IAM user names may hold commas; an unquoted one adds a field and
        // would shift `password_enabled` into the ARN's place.
        let shifted = ALICE.replacen("alice,arn", "al,ice,arn", 1);
        let text = format!("{HEADER}\n{shifted}\n{ALICE}\n");
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.rows.len(), 1);
        assert_eq!(parsed.rows[0].user, "alice");
        assert_eq!(parsed.rejected.len(), 1);
        let rejected = &parsed.rejected[0];
        assert_eq!((rejected.line, rejected.user.as_str()), (2, "al"));
        assert!(rejected.reason.contains("23 fields"), "{}", rejected.reason);
    }

    #[test]
    fn short_rows_and_unknown_values_are_rejected() {
        let text = format!("{HEADER}\nbob,arn,yesterday,maybe\n");
        let parsed = parse(text.as_bytes()).unwrap();
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.rejected[0].user, "bob");
        for (from, to) in [
            (",true,no_information", ",yes,no_information"),
            ("2023-03-01T12:00:00+00:00,true", "yesterday,true"),
            (",false,true,2023", ",false,maybe,2023"),
            (",false,true,2023-03-01T12:05:00+00:00", ",false,true,N/A"),
        ] {
            let row = ALICE.replacen(from, to, 1);
            assert_ne!(row, ALICE, "{from}");
            let parsed = parse(format!("{HEADER}\n{row}\n").as_bytes()).unwrap();
            assert!(parsed.rows.is_empty(), "{to}: read as {:?}", parsed.rows);
            assert_eq!(parsed.rejected.len(), 1, "{to}");
        }
    }
}
