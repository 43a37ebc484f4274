//! The report's notes: where its data came from, and what that means for
//! the audit.

use chrono::{DateTime, Utc};

use crate::account::{Account, ReportStatus};

/// Where the data came from, and what that means for the audit.
pub(super) fn source_notes(account: &Account) -> Vec<String> {
    let mut notes = Vec::new();
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    match &account.report {
        ReportStatus::Loaded(report) if report.fresh => {
            let listed = account
                .users().rows()
                .filter(|r| r.listed_keys().is_some())
                .count();
            notes.push(if account.list_keys {
                format!(
                    "The credential report was generated for this run ({}); every user's keys were listed as well.",
                    at(report.generated_at)
                )
            } else {
                format!(
                    "The credential report was generated for this run ({}), so it is current: the audit reads it, and keys were listed only for the {listed} users whose findings need a key ID or who are not in the report.",
                    at(report.generated_at)
                )
            });
        }
        ReportStatus::Loaded(report) if report.odd_date => notes.push(format!(
            "IAM said it generated the credential report for this run, but the report is dated {}, which a report of this run cannot be: it is not taken as current, so every user's keys were listed, and last use and console password were asked of IAM where the report could not speak for a key.",
            at(report.generated_at)
        )),
        ReportStatus::Loaded(report) => notes.push(format!(
            "IAM returned a credential report it already had (generated {}; IAM keeps one for up to 4 hours), so keys made since are not in it: every user's keys were listed, and last use and console password were asked of IAM where the report could not speak for a key or might be out of date.",
            at(report.generated_at)
        )),
        ReportStatus::Denied(err) | ReportStatus::Failed(err) => notes.push(format!(
            "The credential report could not be had ({} {}): console password, MFA and last use come from per-user calls (GetLoginProfile, ListMFADevices, GetAccessKeyLastUsed), and root access keys from GetAccountSummary.",
            err.action,
            crate::account::gaps::cause(err)
        )),
        ReportStatus::Loading => {}
    }
    if let Some(report) = account.credential_report()
        && !report.rejected.is_empty()
    {
        let rows: Vec<String> = report
            .rejected
            .iter()
            .take(5)
            .map(|r| format!("line {} ({}): {}", r.line, r.user, r.reason))
            .collect();
        notes.push(format!(
            "{} credential report rows could not be read and were not used ({}{}): those users were audited with per-user calls.",
            report.rejected.len(),
            rows.join("; "),
            if report.rejected.len() > 5 { "; …" } else { "" }
        ));
    }
    notes.extend(waiver_notes(account));
    if account
        .users()
        .rows()
        .any(|r| !r.credentials.known().is_empty())
    {
        notes.push(
            "IAM reports no last use for service-specific credentials, SSH public keys or signing certificates: whether they are unused cannot be judged, only their status, age and expiry.".to_owned(),
        );
    }
    notes
}

/// Malformed waiver tags (never honoured), and users whose tags could not
/// be read (their findings count: no waiver is assumed).
fn waiver_notes(account: &Account) -> Vec<String> {
    let mut notes = Vec::new();
    let mut unread = Vec::new();
    let mut tag_waivers = 0;
    let account_id = account.known_identity().map(|i| i.account_id.as_str());
    for row in account.users().rows() {
        let (mut waivers, malformed) = row.waivers();
        tag_waivers += waivers.len();
        for bad in malformed {
            notes.push(format!(
                "waiver tag `{}` of user {} is malformed and not honoured: {}",
                bad.tag, bad.user, bad.why
            ));
        }
        waivers.extend(
            account
                .thresholds
                .file_waivers
                .for_user(account_id, &row.user.name),
        );
        if let Some(ledger) = account.ledger() {
            waivers.extend(ledger.waivers_of(&row.user.name));
        }
        let keys: Option<Vec<String>> = row
            .listed_keys()
            .map(|keys| keys.iter().map(|k| k.id.clone()).collect());
        notes.extend(crate::audit::waivers::strays(
            &row.user.name,
            &waivers,
            keys.as_deref(),
        ));
        if let crate::account::users::TagsState::Failed(err) = &row.tags {
            unread.push((row.user.name.as_str(), err));
        }
    }
    if tag_waivers > 0 {
        notes.push(format!(
            "{tag_waivers} waiver tags are claims, not honoured: {} (their findings count).",
            crate::audit::waivers::TAG_CLAIM
        ));
    }
    if let Some(err) = account.trail_refused() {
        notes.push(format!(
            "{} {}: Inactive keys the ledger had no date for were dated when iamkeys first saw them inactive (now), not when they were made inactive: ready to delete retire_after_days from now.",
            err.action,
            crate::account::gaps::cause(err)
        ));
    }
    for (key, err) in account.undated() {
        notes.push(format!(
            "when {key} was made inactive could not be recorded ({err}): ready to delete cannot be told for it."
        ));
    }
    if let Some(err) = account.bulk_tags_error() {
        notes.push(format!(
            "{} {}: the users' tags were read one by one instead (slower).",
            err.action,
            crate::account::gaps::cause(err)
        ));
    }
    if let Some((_, err)) = unread.first() {
        let names: Vec<&str> = unread.iter().take(5).map(|(u, _)| *u).collect();
        notes.push(format!(
            "{} {}: the tags of {} users with findings could not be read ({}{}), so no waiver is assumed: their findings count.",
            err.action,
            crate::account::gaps::cause(err),
            unread.len(),
            names.join(", "),
            if unread.len() > 5 { ", …" } else { "" }
        ));
    }
    notes
}
