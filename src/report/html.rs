//! `--format html`: the report as one self-contained page (inline CSS and
//! SVG, a small inline script to sort and filter; nothing fetched). Built
//! with maud, which escapes every interpolated string by construction;
//! text from AWS is also cleaned of control and bidi characters.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{FindingEntry, Report};
use crate::audit::{FindingId, Severity};
use crate::model::KeyStatus;
use crate::text::clean;

const STYLE: &str = r#"
:root { --fg:#1b1f24; --dim:#5b6470; --line:#d8dde3; --crit:#8b0000; --high:#c0392b; --med:#b9770e; --low:#2e6da4; --info:#6c757d; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.meta { color: var(--dim); margin: 0; }
.incomplete { background: #fdecea; border: 1px solid var(--high); padding: .5rem .75rem; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { cursor: pointer; user-select: none; white-space: nowrap; }
td.num, th.num { text-align: right; }
code { font: 12px/1.3 ui-monospace, SFMono-Regular, Menlo, monospace; }
.risk { font-weight: 600; text-transform: uppercase; font-size: 12px; }
.critical { color: var(--crit); } .high { color: var(--high); } .medium { color: var(--med); } .low { color: var(--low); } .info, .unknown { color: var(--info); }
.dim { color: var(--dim); }
input[type=search] { width: 100%; max-width: 28rem; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
@media print { body { margin: 0; max-width: none; font-size: 10px; } input, .noprint { display: none; } h2 { break-after: avoid; } th { cursor: auto; } #findings { table-layout: fixed; } #findings th, #findings td { font-size: 8px; padding: .15rem .2rem; } #findings th:nth-child(1) { width: 9%; } #findings th:nth-child(2) { width: 8%; } #findings th:nth-child(3) { width: 13%; } #findings th:nth-child(4) { width: 5%; } #findings th:nth-child(8) { width: 20%; } #findings th:nth-child(9) { width: 18%; } #findings code { font-size: 8px; } svg { max-width: 100%; height: auto; } }
"#;

const SCRIPT: &str = r"
(function () {
  var search = document.getElementById('filter');
  var table = document.getElementById('findings');
  if (!table) { return; }
  var body = table.tBodies[0];
  if (search) {
    search.addEventListener('input', function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(body.rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      });
    });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
    th.addEventListener('click', function () {
      var down = th.getAttribute('aria-sort') !== 'descending';
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', down ? 'descending' : 'ascending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute('data-sort') || a.cells[column].textContent;
        var y = b.cells[column].getAttribute('data-sort') || b.cells[column].textContent;
        return (x < y ? -1 : x > y ? 1 : 0) * (down ? -1 : 1);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
";

const RISKS: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The account a finding or user is in, as people name it.
fn account_label(id: Option<&str>, name: Option<&str>, profile: &str) -> String {
    match (name.filter(|n| !n.is_empty()), id) {
        (Some(name), Some(id)) => format!("{} ({id})", clean(name)),
        (None, Some(id)) => id.to_owned(),
        _ => clean(profile).into_owned(),
    }
}

fn risk_word(f: &FindingEntry) -> &'static str {
    f.risk.map_or("unknown", Severity::as_str)
}

/// A horizontal bar chart: one labelled bar per row.
fn bars(title: &str, rows: &[(String, usize)]) -> Markup {
    const WIDTH: usize = 400;
    const ROW: usize = 22;
    // The labels' column as wide as the longest (about 7 px a character).
    let label = |text: &str| text.chars().count() * 7 + 12;
    let left = rows
        .iter()
        .map(|(l, _)| label(l))
        .max()
        .unwrap_or(0)
        .max(80);
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let height = rows.len().max(1) * ROW + 4;
    html! {
        svg role="img" aria-label=(title) width=(left + WIDTH + 60) height=(height)
            viewBox=(format!("0 0 {} {height}", left + WIDTH + 60)) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, (label, n)) in rows.iter().enumerate() {
                @let y = i * ROW;
                text x=(left - 6) y=(y + 15) text-anchor="end" font-size="11" font-family="sans-serif" { (label) }
                rect x=(left) y=(y + 3) width=((n * WIDTH).div_ceil(max).max(usize::from(*n > 0))) height=(ROW - 6) fill="#2e6da4" {}
                text x=(left + (n * WIDTH).div_ceil(max) + 6) y=(y + 15) font-size="11" font-family="sans-serif" { (n) }
            }
        }
    }
}

/// Active keys by age.
fn key_ages(report: &Report) -> Vec<(String, usize)> {
    let buckets: [(&str, i64); 5] = [
        ("under 30 days", 30),
        ("30–89 days", 90),
        ("90–179 days", 180),
        ("180–364 days", 365),
        ("a year or more", i64::MAX),
    ];
    let mut counts = vec![0usize; buckets.len() + 1];
    for key in report
        .users
        .iter()
        .flat_map(|u| &u.access_keys)
        .filter(|k| k.status == KeyStatus::Active)
    {
        match key.created {
            Some(created) => {
                let days = (report.generated_at - created).num_days();
                let slot = buckets
                    .iter()
                    .position(|(_, below)| days < *below)
                    .unwrap_or(buckets.len() - 1);
                counts[slot] += 1;
            }
            None => counts[buckets.len()] += 1,
        }
    }
    let mut rows: Vec<(String, usize)> = buckets
        .iter()
        .zip(&counts)
        .map(|((label, _), n)| ((*label).to_owned(), *n))
        .collect();
    if counts[buckets.len()] > 0 {
        rows.push(("created unknown".to_owned(), counts[buckets.len()]));
    }
    rows
}

/// Findings per account and risk (waived ones left out).
fn summary(report: &Report) -> Markup {
    let mut by_account: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    for account in &report.accounts {
        by_account
            .entry(account_label(
                account.account_id.as_deref(),
                account.account_name.as_deref(),
                &account.profile,
            ))
            .or_default();
    }
    for f in report.findings.iter().filter(|f| f.waived.is_none()) {
        let slot = f
            .risk
            .and_then(|r| RISKS.iter().position(|s| *s == r))
            .unwrap_or(5);
        by_account
            .entry(account_label(
                f.account_id.as_deref(),
                f.account_name.as_deref(),
                &f.profile,
            ))
            .or_default()[slot] += 1;
    }
    html! {
        table {
            thead { tr {
                th { "Account" }
                @for r in RISKS { th.num.(r.as_str()) { (r.as_str()) } }
                th.num.unknown { "unknown" }
                th.num { "total" }
            } }
            tbody {
                @for (account, counts) in &by_account {
                    tr {
                        td { (account) }
                        @for n in counts { td.num { (n) } }
                        td.num { (counts.iter().sum::<usize>()) }
                    }
                }
            }
        }
    }
}

fn findings_table(report: &Report) -> Markup {
    let mut ordered: Vec<&FindingEntry> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(f.risk.unwrap_or(Severity::Critical)));
    let rank = |f: &FindingEntry| {
        // Sorts as text: higher risk, higher rank.
        f.risk.map_or(5, |r| {
            RISKS.len() - RISKS.iter().position(|s| *s == r).unwrap_or(0)
        })
    };
    html! {
        p.noprint { input #filter type="search" placeholder="Filter: words that must all appear (user, key, finding, risk…)" aria-label="Filter the findings"; }
        table #findings {
            thead { tr {
                th { "Risk" } th { "Severity" } th { "Finding" } th { "Controls" } th { "Account" }
                th { "User" } th { "Access key" } th { "Why" } th { "Remedy" } th { "Waiver" }
            } }
            tbody {
                @for f in ordered {
                    tr data-id=(f.id.as_str())
                        data-user=(clean(&f.user_name))
                        data-key=(f.access_key_id.as_deref().unwrap_or(""))
                        data-account=(f.account_id.as_deref().unwrap_or("")) {
                        td.risk.(risk_word(f)) data-sort=(rank(f)) { (risk_word(f)) }
                        td.(f.severity.as_str()) { (f.severity.as_str()) }
                        td { code { (f.id.as_str()) } }
                        td.controls {
                            @for c in &f.controls {
                                span title=(c.framework.name()) { (c.reference().unwrap_or_else(|| c.label())) } " "
                            }
                        }
                        td { (account_label(f.account_id.as_deref(), f.account_name.as_deref(), &f.profile)) }
                        td { (clean(&f.user_name)) }
                        td { code { (f.access_key_id.as_deref().unwrap_or("—")) } }
                        td { (clean(&f.message)) }
                        td.dim { (super::remedy_in(report, f)) }
                        td {
                            @if let Some(w) = &f.waived {
                                "waived until " (w.until) " by " (clean(&w.by)) ": " (clean(&w.reason))
                            } @else if let Some(c) = &f.waiver_claim {
                                span.high { "claimed, not honoured: " (clean(&c.not_honoured)) }
                            } @else if let Some(d) = f.waiver_expired {
                                span.dim { "waiver expired " (d) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Keys with a due date recorded in the ledger (`plan --record`).
fn due_rows(report: &Report) -> Vec<(String, String, String, String)> {
    let mut rows = Vec::new();
    for (account_id, ledger) in &report.ledgers {
        for (key, due) in &ledger.due {
            let user = report.users.iter().find(|u| {
                u.account_id.as_deref() == Some(account_id.as_str()) && u.user_name == due.user
            });
            rows.push((
                account_label(
                    Some(account_id),
                    user.and_then(|u| u.account_name.as_deref()),
                    user.map_or("", |u| u.profile.as_str()),
                ),
                clean(&due.user).into_owned(),
                clean(key).into_owned(),
                due.due.to_string(),
            ));
        }
    }
    rows.sort_by(|a, b| a.3.cmp(&b.3));
    rows
}

/// Every user's service-specific credentials, SSH public keys and signing
/// certificates: kind, ID, status, created, expiry.
fn credentials_table(report: &Report) -> Markup {
    let rows: Vec<(&str, &'static str, &super::credentials::CredentialEntry)> = report
        .users
        .iter()
        .flat_map(|u| {
            let user = u.user_name.as_str();
            u.service_credentials
                .iter()
                .map(move |c| (user, "service-specific", c))
                .chain(
                    u.ssh_public_keys
                        .iter()
                        .map(move |c| (user, "SSH public key", c)),
                )
                .chain(
                    u.signing_certificates
                        .iter()
                        .map(move |c| (user, "signing certificate", c)),
                )
        })
        .collect();
    html! {
        @if rows.is_empty() { p.dim { "None." } } @else {
            table {
                thead { tr { th { "User" } th { "Kind" } th { "ID" } th { "Status" } th { "Created" } th { "Expires" } } }
                tbody { @for (user, kind, c) in &rows {
                    tr {
                        td { (clean(user)) }
                        td { (kind) @if let Some(service) = &c.service { " (" (clean(service)) ")" } }
                        td { code { (c.id.as_deref().map_or_else(|| "— (credential report)".to_owned(), |id| clean(id).into_owned())) } }
                        td { (clean(&c.status)) }
                        td { @if let Some(t) = c.created { (time(t)) } @else { "—" } }
                        td { @if let Some(t) = c.expires { (time(t)) } @else if c.service.is_some() { span.high { "never" } } @else { "—" } }
                    }
                } }
            }
        }
    }
}

/// IAM Access Analyzer's verdicts, when the report asked for them.
fn aws_verdicts(report: &Report) -> Markup {
    let Some(verdicts) = &report.aws_verdicts else {
        return html! {};
    };
    html! {
        h2 { "AWS's verdicts (IAM Access Analyzer)" }
        @if verdicts.is_empty() { p.dim { "None read: see the notes." } } @else {
            table #aws-verdicts {
                thead { tr { th { "User" } th { "Access key" } th { "AWS beside IAM" } } }
                tbody { @for v in verdicts {
                    tr { td { (clean(&v.user_name)) } td { code { (v.access_key_id.as_deref().unwrap_or("console password")) } } td { (clean(&v.words)) } }
                } }
            }
        }
    }
}

/// The report as one HTML page.
#[must_use]
pub fn render(report: &Report) -> String {
    let mut by_id: Vec<(String, usize)> = FindingId::ALL
        .iter()
        .map(|id| {
            (
                id.as_str().to_owned(),
                report
                    .findings
                    .iter()
                    .filter(|f| f.id == *id && f.waived.is_none())
                    .count(),
            )
        })
        .collect();
    by_id.retain(|(_, n)| *n > 0);
    let waived: Vec<&FindingEntry> = report
        .findings
        .iter()
        .filter(|f| f.waived.is_some() || f.waiver_claim.is_some())
        .collect();
    let due = due_rows(report);
    let accounts = report.accounts.len();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "iamkeys report " (time(report.generated_at)) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "IAM access keys: audit" }
                    p.meta {
                        "Generated " (time(report.generated_at)) " by iamkeys " (env!("CARGO_PKG_VERSION"))
                        " · " (accounts) " account" @if accounts != 1 { "s" }
                        @if let Some(profile) = &report.profile { " · profile " (clean(profile)) }
                        " · " (report.findings.iter().filter(|f| f.waived.is_none()).count()) " open findings"
                    }
                    p.meta { "Risk is each finding's severity raised by what its user's policies allow; service control policies are not evaluated." }
                    @if !report.complete {
                        p.incomplete { strong { "Incomplete audit:" } " what could not be seen is listed under Gaps; no finding there is not the same as none." }
                    }
                }
                h2 { "Summary by account and risk" }
                (summary(report))
                h2 { "Findings by id" }
                (bars("Open findings by id", &by_id))
                h2 { "Active keys by age" }
                (bars("Active keys by age", &key_ages(report)))
                h2 { "Findings" }
                @if report.findings.is_empty() {
                    p { @if report.complete { "No findings." } @else { "No findings among what could be seen: the audit is incomplete." } }
                } @else {
                    (findings_table(report))
                }
                h2 { "Other long-term credentials" }
                (credentials_table(report))
                (aws_verdicts(report))
                h2 { "Waivers and their claims" }
                @if waived.is_empty() { p.dim { "None." } } @else {
                    table {
                        thead { tr { th { "Finding" } th { "User" } th { "Access key" } th { "Until" } th { "By (as written)" } th { "Reason" } th { "Honoured" } } }
                        tbody { @for f in &waived {
                            @if let Some(w) = &f.waived {
                                tr { td { code { (f.id.as_str()) } } td { (clean(&f.user_name)) } td { code { (f.access_key_id.as_deref().unwrap_or("—")) } } td { (w.until) } td { (clean(&w.by)) } td { (clean(&w.reason)) } td { "yes" @if let Some(writer) = &w.writer { " (written by " (clean(writer)) ")" } } }
                            } @else if let Some(c) = &f.waiver_claim {
                                tr { td { code { (f.id.as_str()) } } td { (clean(&f.user_name)) } td { code { (f.access_key_id.as_deref().unwrap_or("—")) } } td { (c.until) } td { (clean(&c.by)) } td { (clean(&c.reason)) } td.high { "no: " (clean(&c.not_honoured)) } }
                            }
                        } }
                    }
                }
                h2 { "Gaps and notes" }
                @if report.gaps.is_empty() && report.notes.is_empty() { p.dim { "None." } }
                @if !report.gaps.is_empty() { ul { @for g in &report.gaps { li.high { (clean(g)) } } } }
                @if !report.notes.is_empty() { ul { @for n in &report.notes { li { (clean(n)) } } } }
                h2 { "Rotations in progress" }
                @if report.rotations.is_empty() { p.dim { "None." } } @else {
                    table {
                        thead { tr { th { "User" } th { "Old key" } th { "New key" } th { "Started" } th { "Where it stands" } } }
                        tbody { @for r in &report.rotations {
                            tr { td { (clean(&r.user_name)) } td { code { (r.old_access_key_id) } } td { code { (r.new_access_key_id) } } td { (time(r.started)) }
                                 td { @if r.old_key_needed() { span.high { (r.next_step()) } } @else { (r.next_step()) } } }
                        } }
                    }
                }
                h2 { "Due actions" }
                @if due.is_empty() { p.dim { "None recorded (iamkeys plan --record)." } } @else {
                    table {
                        thead { tr { th { "Account" } th { "User" } th { "Access key" } th { "Due" } } }
                        tbody { @for (account, user, key, date) in &due { tr { td { (account) } td { (user) } td { code { (key) } } td { (date) } } } }
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests_support::empty_report;

    fn finding(user: &str, message: &str, risk: Option<Severity>) -> FindingEntry {
        FindingEntry {
            created_with_user: Some(true),
            message: message.into(),
            risk,
            ..crate::report::tests_support::finding(
                FindingId::InitialSetupKey,
                user,
                Some("AKIAEXAMPLE000000001"),
            )
        }
    }

    /// Hostile text from AWS stays text: no element, no attribute, no
    /// script of its own; the page has exactly its own one script.
    #[test]
    fn hostile_names_stay_text() {
        let mut report = empty_report();
        let name = "<script>alert(1)</script>";
        let message = "\"><img src=x onerror=alert(2)>\u{202e}";
        report
            .findings
            .push(finding(name, message, Some(Severity::Critical)));
        let page = render(&report);
        let doc = scraper::Html::parse_document(&page);
        let select = |css: &str| scraper::Selector::parse(css).unwrap();
        assert_eq!(
            doc.select(&select("script")).count(),
            1,
            "only the page's own script"
        );
        assert_eq!(doc.select(&select("img")).count(), 0);
        let row = doc.select(&select("#findings tbody tr")).next().unwrap();
        assert_eq!(row.value().attr("data-user"), Some(name));
        let text: String = row.text().collect();
        assert!(text.contains(name), "{text}");
        assert!(text.contains("\"><img src=x onerror=alert(2)>"), "{text}");
        assert!(!text.contains('\u{202e}'), "bidi overrides removed");
        // Nothing is fetched: no src, no href, no link element.
        for element in doc.select(&select("*")) {
            for attr in ["src", "href"] {
                assert!(
                    element.value().attr(attr).is_none(),
                    "{attr} on {:?}",
                    element.value()
                );
            }
        }
        assert_eq!(doc.select(&select("link")).count(), 0);
        // The only URL in the page is SVG's namespace name (never fetched).
        assert_eq!(
            page.matches("http").count(),
            page.matches("http://www.w3.org/2000/svg").count()
        );
        assert!(page.contains("@media print"));
    }

    #[test]
    fn findings_are_ordered_by_risk_and_counted_per_account() {
        let mut report = empty_report();
        report
            .accounts
            .push(crate::report::tests_support::account("123456789012"));
        report
            .findings
            .push(finding("low", "m", Some(Severity::Medium)));
        report
            .findings
            .push(finding("top", "m", Some(Severity::Critical)));
        let page = render(&report);
        let doc = scraper::Html::parse_document(&page);
        let rows: Vec<String> = doc
            .select(&scraper::Selector::parse("#findings tbody tr").unwrap())
            .map(|r| r.value().attr("data-user").unwrap().to_owned())
            .collect();
        assert_eq!(rows, ["top", "low"]);
        let summary: Vec<String> = doc
            .select(&scraper::Selector::parse("table").unwrap())
            .next()
            .unwrap()
            .select(&scraper::Selector::parse("tbody td").unwrap())
            .map(|c| c.text().collect())
            .collect();
        // Account, critical, high, medium, low, info, unknown, total.
        assert_eq!(summary, ["123456789012", "1", "0", "1", "0", "0", "0", "2"]);
    }
}
