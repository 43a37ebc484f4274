//! Writing the report: JSON, CSV (one row per finding) or a table for people.

use std::fmt::Write as _;

use super::Report;
use crate::audit::Severity;
use crate::text::{clean, csv_cell};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    /// OCSF Detection Findings (class 2004), a JSON array.
    Ocsf,
    /// One self-contained HTML page (inline CSS and SVG; nothing fetched).
    Html,
}

/// The report as text in `format`.
///
/// # Errors
/// Serialization failed (never expected for these types).
pub fn render(report: &Report, format: Format) -> Result<String, String> {
    match format {
        Format::Json => pretty_json(report),
        Format::Csv => csv_text(report),
        Format::Ocsf => super::ocsf::render(report),
        Format::Table => Ok(table(report)),
        Format::Html => Ok(super::html::render(report)),
    }
}

/// Indented JSON ending in a newline.
///
/// # Errors
/// Serialization failed (never expected for the report's types).
pub fn pretty_json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|s| {
            // C1, bidi and invisible characters as `\uXXXX`, as C0 already are.
            let mut s = crate::text::json_escaped(&s).into_owned();
            s.push('\n');
            s
        })
        .map_err(|e| e.to_string())
}

/// The CSV header (finding rows follow). Columns are only ever added at
/// the end, so scripts reading by position keep working.
pub const CSV_HEADER: [&str; 19] = [
    "profile",
    "account_id",
    "id",
    "severity",
    "cis_v1.4_v4.0",
    "cis_v5.0",
    "cis_v6.0",
    "user_name",
    "access_key_id",
    "created_with_user",
    "message",
    "account_name",
    "waived_until",
    "new",
    "waiver_not_honoured",
    "risk",
    "security_hub",
    "cis_v7.0",
    "controls",
];

fn csv_text(report: &Report) -> Result<String, String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
    for f in &report.findings {
        let created_with_user = f
            .created_with_user
            .map(|b| b.to_string())
            .unwrap_or_default();
        let waived_until = f
            .waived
            .as_ref()
            .map(|w| w.until.to_string())
            .unwrap_or_default();
        // Every control, space-separated (`cis-v7:2.11 IAM.22`, `cis-v7:-`).
        let controls = f
            .controls
            .iter()
            .map(crate::audit::controls::Control::written)
            .collect::<Vec<_>>()
            .join(" ");
        let record = [
            f.profile.as_str(),
            f.account_id.as_deref().unwrap_or(""),
            f.id.as_str(),
            f.severity.as_str(),
            f.cis.v1_4_to_v4_0,
            f.cis.v5_0,
            f.cis.v6_0,
            &f.user_name,
            f.access_key_id.as_deref().unwrap_or(""),
            &created_with_user,
            &f.message,
            f.account_name.as_deref().unwrap_or(""),
            &waived_until,
            match f.new {
                Some(true) => "true",
                Some(false) => "false",
                None => "",
            },
            f.waiver_claim
                .as_ref()
                .map_or("", |c| c.not_honoured.as_str()),
            f.risk.map_or("", Severity::as_str),
            f.security_hub.unwrap_or(""),
            f.cis.v7_0,
            &controls,
        ];
        writer
            .write_record(record.iter().map(|cell| csv_cell(cell).into_owned()))
            .map_err(|e| e.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// The lines above the findings: the run, each account, completeness, notes.
fn table_head(report: &Report, out: &mut String) {
    let _ = writeln!(
        *out,
        "iamkeys report · {}",
        report
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    for account in &report.accounts {
        let id = account.account_id.as_deref().unwrap_or("unknown");
        let status = match (&account.error, account.credential_report_generated_at) {
            _ if account.skipped => format!(
                "skipped ({})",
                account
                    .status
                    .as_deref()
                    .or(account.skipped_reason.as_deref())
                    .unwrap_or("not active")
            ),
            (Some(error), _) => format!("FAILED: {error}"),
            (None, Some(t)) => format!(
                "credential report generated {}",
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            (None, None) => "no credential report".to_owned(),
        };
        let name = account
            .account_name
            .as_deref()
            .map(|n| format!(" {}", clean(n)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{} · account{name} {} · {}",
            clean(&crate::profiles::shown(&account.profile)),
            clean(id),
            clean(&status)
        );
    }
    if !report.complete {
        // Say the cause: accounts that failed (their errors above), rules
        // that could not be judged (the gaps below), or both.
        let failed = report.failed().count();
        let mut causes = Vec::new();
        if failed > 0 {
            causes.push(format!(
                "{failed} of {} could not be audited (errors above)",
                crate::text::count(report.accounts.len(), "account")
            ));
        }
        if !report.gaps.is_empty() || failed == 0 {
            causes.push("some rules could not be judged (gaps below)".to_owned());
        }
        let _ = writeln!(
            out,
            "INCOMPLETE AUDIT: {}; the findings are what could be seen, not all there is.",
            causes.join(", and ")
        );
    }
    for note in &report.notes {
        let _ = writeln!(*out, "note: {}", clean(note));
    }
    out.push('\n');
}

/// The message, with the waiver on it: live (the finding does not count)
/// or lapsed (it counts again).
fn waiver_text(f: &super::FindingEntry) -> String {
    let message = match (&f.waived, f.waiver_expired, &f.waiver_claim) {
        (Some(w), ..) => format!("{} [{}]", f.message, w.describe()),
        (None, Some(date), _) => format!("{} [waiver expired {date}]", f.message),
        (None, None, Some(c)) => format!(
            "{} [waiver claimed by {} until {}, not honoured: {}]",
            f.message, c.by, c.until, c.not_honoured
        ),
        (None, None, None) => f.message.clone(),
    };
    // Against a baseline, new findings stand out.
    if f.new == Some(true) {
        format!("[new] {message}")
    } else {
        message
    }
}

/// With a baseline: its findings that are gone, one line each.
fn table_resolved(report: &Report, out: &mut String) {
    let Some(resolved) = &report.resolved else {
        return;
    };
    let _ = writeln!(out, "\nResolved since the baseline: {}", resolved.len());
    for f in resolved {
        let _ = writeln!(
            out,
            "  {} {} {}{}",
            clean(f.account_id.as_deref().unwrap_or("?")),
            clean(&f.id),
            clean(&f.user_name),
            f.access_key_id
                .as_deref()
                .map(|k| format!(" {}", clean(k)))
                .unwrap_or_default()
        );
    }
}

/// The last line: users, keys, findings by id, and how many are waived.
fn table_foot(report: &Report, out: &mut String) {
    let keys: usize = report.users.iter().map(|u| u.access_keys.len()).sum();
    let mut counts: Vec<(String, usize)> = Vec::new();
    for f in &report.findings {
        match counts.iter_mut().find(|(id, _)| id == f.id.as_str()) {
            Some((_, n)) => *n += 1,
            None => counts.push((f.id.as_str().to_owned(), 1)),
        }
    }
    let by_id = counts
        .iter()
        .map(|(id, n)| format!("{n} {id}"))
        .collect::<Vec<_>>()
        .join(", ");
    let waived = report
        .findings
        .iter()
        .filter(|f| f.waived.is_some())
        .count();
    let new = report
        .findings
        .iter()
        .filter(|f| f.new == Some(true))
        .count();
    let _ = writeln!(
        *out,
        "\n{} users · {keys} access keys · {} findings{}{}",
        report.users.len(),
        report.findings.len(),
        if by_id.is_empty() {
            String::new()
        } else {
            format!(" ({by_id})")
        },
        if waived > 0 {
            format!(" · {waived} waived")
        } else {
            String::new()
        }
    );
    if report.resolved.is_some() {
        let _ = writeln!(*out, "against the baseline: {new} new");
    }
}

fn table(report: &Report) -> String {
    let mut out = String::new();
    table_head(report, &mut out);
    if report.findings.is_empty() && report.complete {
        out.push_str("No findings.\n");
    } else if report.findings.is_empty() {
        out.push_str("No findings among what could be seen: the audit is incomplete.\n");
    } else {
        let user_width = report
            .findings
            .iter()
            .map(|f| clean(&f.user_name).chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        // Several profiles: which profile; an organization: which account.
        let org = report.accounts.iter().any(|a| a.account_name.is_some());
        let several = report.accounts.len() > 1;
        let column_of = |f: &super::FindingEntry| {
            if org {
                clean(
                    f.account_name
                        .as_deref()
                        .filter(|n| !n.is_empty())
                        .or(f.account_id.as_deref())
                        .unwrap_or("?"),
                )
                .into_owned()
            } else {
                clean(&f.profile).into_owned()
            }
        };
        // As wide as the longest finding id in the table.
        let id_width = report
            .findings
            .iter()
            .map(|f| f.id.as_str().len())
            .max()
            .unwrap_or(7)
            .max(7);
        let profile_width = report
            .findings
            .iter()
            .map(|f| column_of(f).chars().count())
            .max()
            .unwrap_or(7)
            .max(7);
        let profile_column = |p: &str| {
            if several {
                format!("{p:<profile_width$}  ")
            } else {
                String::new()
            }
        };
        let _ = writeln!(
            out,
            "{}{:<8}  {:<8}  {:<id_width$}  {:<4}  {:<user_width$}  {:<20}  MESSAGE",
            profile_column(if org { "ACCOUNT" } else { "PROFILE" }),
            "RISK",
            "SEVERITY",
            "FINDING",
            "CIS",
            "USER",
            "ACCESS KEY"
        );
        // Worst risk first (not known ranks as critical: fail closed),
        // then as the JSON lists them.
        let mut ordered: Vec<&super::FindingEntry> = report.findings.iter().collect();
        ordered.sort_by_key(|f| std::cmp::Reverse(f.risk.unwrap_or(Severity::Critical)));
        for f in ordered {
            let _ = writeln!(
                out,
                "{}{:<8}  {:<8}  {:<id_width$}  {:<4}  {:<user_width$}  {:<20}  {}",
                profile_column(&column_of(f)),
                f.risk.map_or("unknown", Severity::as_str),
                f.severity.as_str(),
                f.id.as_str(),
                f.cis.v1_4_to_v4_0,
                clean(&f.user_name),
                clean(f.access_key_id.as_deref().unwrap_or("-")),
                clean(&waiver_text(f))
            );
        }
    }
    table_rotations(report, &mut out);
    if let Some(verdicts) = report.aws_verdicts.as_deref().filter(|v| !v.is_empty()) {
        out.push('\n');
        out.push_str(&super::aws_verdicts::table(verdicts));
    }
    table_resolved(report, &mut out);
    table_foot(report, &mut out);
    out
}

/// Rotations in progress, one line each, after the findings.
fn table_rotations(report: &Report, out: &mut String) {
    if report.rotations.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nRotations in progress:");
    for r in &report.rotations {
        let used = r.next_step();
        let _ = writeln!(
            out,
            "  {}: {} → {} (started {}): {used}",
            clean(&r.user_name),
            clean(&r.old_access_key_id),
            clean(&r.new_access_key_id),
            r.started.format("%Y-%m-%d %H:%M UTC")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::FindingId;
    use crate::report::FindingEntry;

    fn report_with(user_name: &str, message: &str) -> Report {
        use crate::report::tests_support::{empty_report, finding};
        let mut report = empty_report();
        report.notes = vec![format!("a note about {user_name}")];
        report.findings = vec![FindingEntry {
            created_with_user: Some(true),
            message: message.into(),
            ..finding(
                FindingId::InitialSetupKey,
                user_name,
                Some("AKIAEXAMPLE00000"),
            )
        }];
        report
    }

    /// Issue 12, item 10: text from IAM reaches no terminal or spreadsheet raw.
    #[test]
    fn control_and_bidi_characters_never_reach_table_or_csv() {
        let report = report_with("eve\u{1b}]0;pwned\u{7}\u{202e}nimda", "hi\u{1b}[2J there");
        for format in [Format::Table, Format::Csv] {
            let text = render(&report, format).unwrap();
            assert!(
                !text
                    .chars()
                    .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}'),
                "{format:?}: {text:?}"
            );
            assert!(
                text.contains("eve]0;pwned\u{FFFD}nimda"),
                "{format:?}: {text}"
            );
        }
        let csv = render(&report_with("@SUM(A1)", "=cmd"), Format::Csv).unwrap();
        assert!(
            csv.contains(",'@SUM(A1),") && csv.contains(",'=cmd"),
            "{csv}"
        );
    }

    /// Issue 24 item 4: JSON and OCSF write C1, bidi and invisible
    /// characters as `\u` escapes, and read back to the same names.
    #[test]
    fn json_and_ocsf_escape_what_a_terminal_would_act_on() {
        let name = "eve\u{202E}\u{85}\u{200B}x";
        let report = report_with(name, "m");
        for format in [Format::Json, Format::Ocsf] {
            let text = render(&report, format).unwrap();
            assert!(
                !text.chars().any(|c| crate::text::is_unsafe(c) && c != '\n'),
                "{format:?}: {text:?}"
            );
            assert!(text.contains("\\u202e"), "{format:?}");
            let value: serde_json::Value = serde_json::from_str(&text)
                .or_else(|_| serde_json::from_str(text.lines().next().unwrap()))
                .unwrap();
            assert!(value.to_string().contains("eve"), "{format:?}");
        }
        let json: serde_json::Value =
            serde_json::from_str(&render(&report, Format::Json).unwrap()).unwrap();
        assert_eq!(json["findings"][0]["user_name"], name);
    }

    /// Issue 23 item 8: every finding id, the longest included, keeps the
    /// columns after it aligned.
    #[test]
    fn the_table_stays_aligned_for_every_finding_id() {
        let mut report = report_with("alice", "m");
        let first = report.findings[0].clone();
        report.findings = FindingId::ALL
            .into_iter()
            .map(|id| FindingEntry {
                id,
                cis: id.cis(),
                security_hub: id.security_hub(),
                controls: id.controls().list(),
                severity: id.severity(),
                ..first.clone()
            })
            .collect();
        let text = render(&report, Format::Table).unwrap();
        let columns: Vec<usize> = text
            .lines()
            .filter(|l| l.contains("AKIAEXAMPLE") || l.starts_with("RISK"))
            .map(|l| l.find("alice").or_else(|| l.find("USER")).unwrap())
            .collect();
        assert_eq!(columns.len(), FindingId::ALL.len() + 1, "{text}");
        assert!(columns.windows(2).all(|w| w[0] == w[1]), "{text}");
    }

    /// Issue 25: the table leads with the risk, worst first; CSV carries it
    /// in its last column.
    #[test]
    fn the_table_orders_by_risk_and_csv_carries_it() {
        let mut report = report_with("low-user", "m");
        let first = report.findings[0].clone();
        report.findings = vec![
            FindingEntry {
                risk: Some(Severity::Medium),
                ..first.clone()
            },
            FindingEntry {
                user_name: "admin-user".into(),
                risk: Some(Severity::Critical),
                ..first.clone()
            },
            FindingEntry {
                user_name: "unread-user".into(),
                risk: None,
                ..first
            },
        ];
        let text = render(&report, Format::Table).unwrap();
        let order: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("AKIAEXAMPLE"))
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(order, ["critical", "unknown", "medium"], "{text}");
        let admin = text.lines().find(|l| l.contains("admin-user")).unwrap();
        assert!(admin.starts_with("critical  high"), "{admin}");
        let csv = render(&report, Format::Csv).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let risk = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "risk")
            .unwrap();
        assert_eq!(
            risk,
            CSV_HEADER.len() - 4,
            "risk, then security_hub, cis_v7.0, controls"
        );
        let risks: Vec<String> = reader
            .records()
            .map(|r| r.unwrap()[risk].to_owned())
            .collect();
        assert_eq!(risks, ["medium", "critical", ""]);
    }
}
