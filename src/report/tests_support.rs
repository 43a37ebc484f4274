//! Reports and accounts for unit tests of the report's parts.

use super::{AccountEntry, FindingEntry, FindingId, Report};

pub(crate) fn empty_report() -> Report {
    Report {
        account_id: Some("123456789012".into()),
        ..Report::empty(
            Some("p".into()),
            crate::audit::Thresholds::default(),
            chrono::DateTime::UNIX_EPOCH,
        )
    }
}

/// A finding of `user` (and `key`) in account 123456789012, profile
/// `p`: what the report tests build on, changing what they need.
pub(crate) fn finding(id: FindingId, user: &str, key: Option<&str>) -> FindingEntry {
    FindingEntry {
        profile: "p".into(),
        account_id: Some("123456789012".into()),
        account_name: None,
        id,
        cis: id.cis(),
        security_hub: id.security_hub(),
        controls: id.controls().list(),
        severity: id.severity(),
        user_name: user.into(),
        access_key_id: key.map(Into::into),
        created_with_user: None,
        message: "m".into(),
        waived: None,
        waiver_expired: None,
        waiver_claim: None,
        new: None,
        risk: None,
    }
}

/// An honoured waiver from the reviewed file, until `until`.
pub(crate) fn file_waiver(until: chrono::NaiveDate) -> crate::audit::waivers::WaiverMark {
    crate::audit::waivers::WaiverMark {
        until,
        by: "security".into(),
        reason: "migration".into(),
        source: crate::audit::waivers::Source::File,
        writer: None,
        ledger_id: None,
        not_honoured: None,
        expired: false,
    }
}

pub(crate) fn account(id: &str) -> AccountEntry {
    AccountEntry {
        profile: id.into(),
        account_id: Some(id.into()),
        account_name: None,
        status: None,
        credential_report_generated_at: None,
        error: None,
        error_class: None,
        skipped: false,
        skipped_reason: None,
        complete: true,
    }
}
