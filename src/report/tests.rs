//! Tests of the parent module.

use super::*;

#[test]
fn fail_on_parses_words_severities_and_ids() {
    assert_eq!(FailOn::parse("any"), Ok(FailOn::Any));
    assert_eq!(FailOn::parse("none"), Ok(FailOn::None));
    assert_eq!(FailOn::parse("high"), Ok(FailOn::AtLeast(Severity::High)));
    assert_eq!(
        FailOn::parse("unused_key, root_access_key"),
        Ok(FailOn::Ids(vec![
            FindingId::UnusedKey,
            FindingId::RootAccessKey
        ]))
    );
    // The badge words the UI shows are finding ids too (issue 23 item 6).
    assert_eq!(
        FailOn::parse(
            "setup,unused,password,2active,rotate,root,retire,exposed,noexpiry,svcold,bedrock,oldcred,rootmgmt"
        ),
        Ok(FailOn::Ids(FindingId::ALL.to_vec()))
    );
    let err = FailOn::parse("unused,bogus").unwrap_err();
    assert!(
        err.contains("`bogus` is not a finding id nor a control"),
        "{err}"
    );
    // Issue 37: a control stands for the findings that answer to it.
    assert_eq!(
        FailOn::parse("IAM.3"),
        Ok(FailOn::Ids(vec![FindingId::KeyNotRotated]))
    );
    assert_eq!(
        FailOn::parse("cis-v7:2.11,iam.4,unused_key"),
        Ok(FailOn::Ids(vec![
            FindingId::UnusedKey,
            FindingId::UnusedPassword,
            FindingId::RootAccessKey
        ]))
    );
    // v7.0 has no initial-setup item: no finding answers to it.
    assert!(FailOn::parse("cis-v7:2.10").is_err());
    assert!(err.contains("setup"), "the badge words are named: {err}");
    assert_eq!(FailOn::parse("new"), Ok(FailOn::New(Box::new(FailOn::Any))));
    assert_eq!(
        FailOn::parse("new,high"),
        Ok(FailOn::New(Box::new(FailOn::AtLeast(Severity::High))))
    );
    assert_eq!(
        FailOn::parse("unused_key,new"),
        Ok(FailOn::New(Box::new(FailOn::Ids(vec![
            FindingId::UnusedKey
        ]))))
    );
    assert!(FailOn::parse("new,none").is_err());
    assert!(FailOn::parse("new,bogus").is_err());
}

#[test]
fn fail_on_new_fails_only_on_new_findings() {
    let new_high = FailOn::parse("new,high").unwrap();
    assert!(new_high.needs_baseline() && !FailOn::Any.needs_baseline());
    assert!(new_high.fails_finding(FindingId::InitialSetupKey, None, Some(true)));
    assert!(!new_high.fails_finding(FindingId::InitialSetupKey, None, Some(false)));
    assert!(!new_high.fails_finding(FindingId::UnusedKey, None, Some(true)));
    assert!(!new_high.fails_finding(FindingId::InitialSetupKey, None, None));
    assert!(FailOn::Any.fails_finding(FindingId::UnusedKey, None, Some(false)));
}

#[test]
fn fail_on_decides_per_finding() {
    let high = FailOn::AtLeast(Severity::High);
    assert!(high.fails(FindingId::InitialSetupKey, None));
    assert!(high.fails(FindingId::RootAccessKey, None));
    assert!(!high.fails(FindingId::UnusedKey, None));
    let ids = FailOn::Ids(vec![FindingId::UnusedKey]);
    assert!(ids.fails(FindingId::UnusedKey, None));
    assert!(!ids.fails(FindingId::KeyNotRotated, None));
    assert!(!FailOn::None.fails(FindingId::RootAccessKey, None));
    // `any` is any control failure; the informational finding is not one.
    assert!(FailOn::Any.fails(FindingId::MultipleActiveKeys, None));
    assert!(!FailOn::Any.fails(FindingId::InactiveKeyReadyToDelete, None));
    let info = FailOn::parse("info").unwrap();
    assert!(info.fails(FindingId::InactiveKeyReadyToDelete, None));
    assert!(info.fails(FindingId::MultipleActiveKeys, None));
    assert!(!FailOn::AtLeast(Severity::Low).fails(FindingId::InactiveKeyReadyToDelete, None));
}

#[test]
fn fail_on_risk_reads_the_risk_not_the_severity() {
    let high = FailOn::parse("risk:high").unwrap();
    assert_eq!(high, FailOn::RiskAtLeast(Severity::High));
    // A medium finding of an IAM writer is a high risk: it fails.
    assert!(high.fails(FindingId::UnusedKey, Some(Severity::High)));
    // A high finding of a user with no policies is a medium risk: it passes.
    assert!(!high.fails(FindingId::InitialSetupKey, Some(Severity::Medium)));
    // Not known: fails closed.
    assert!(high.fails(FindingId::UnusedKey, None));
    // Informational findings are never control failures.
    assert!(!high.fails(FindingId::InactiveKeyReadyToDelete, None));
    assert_eq!(
        FailOn::parse("new,risk:critical"),
        Ok(FailOn::New(Box::new(FailOn::RiskAtLeast(
            Severity::Critical
        ))))
    );
    for bad in ["risk:", "risk:info", "risk:severe"] {
        let err = FailOn::parse(bad).unwrap_err();
        assert!(err.contains("risk:low"), "{bad}: {err}");
    }
}

/// A rotation of alice's OLD to NEW: the new key first used at 10:00, the
/// old one still used at 12:00 (the workload has not switched).
fn rotation_not_switched() -> RotationEntry {
    use chrono::TimeZone;
    RotationEntry {
        profile: "p".into(),
        account_id: Some("123456789012".into()),
        account_name: None,
        user_name: "alice".into(),
        old_access_key_id: "AKIAOLD".into(),
        new_access_key_id: "AKIANEW".into(),
        started: Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap(),
        new_key_first_used: Some(Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap()),
        old_key_used_since: Some(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap()),
    }
}

/// Issue 38 item 4: the table and the HTML keep the UI's caution — the old
/// key still used after the new key's first use: wait — and the HTML's
/// remedy for the old key's findings does not say to make it inactive.
#[test]
fn the_report_keeps_the_rotation_caution() {
    let mut report = super::tests_support::empty_report();
    report.rotations = vec![rotation_not_switched()];
    report.findings = vec![super::tests_support::finding(
        FindingId::MultipleActiveKeys,
        "alice",
        Some("AKIAOLD"),
    )];
    let table = format::render(&report, format::Format::Table).unwrap();
    let line = table
        .lines()
        .find(|l| l.contains("AKIAOLD → AKIANEW"))
        .unwrap();
    assert!(
        line.contains("AKIAOLD still used 2026-11-20 12:00 UTC") && line.contains("wait"),
        "{line}"
    );
    let html = html::render(&report);
    assert!(
        html.contains("still used 2026-11-20 12:00 UTC, after the new key"),
        "{html}"
    );
    let row = html
        .split("<tr")
        .find(|r| r.contains("data-key=\"AKIAOLD\""))
        .unwrap();
    assert!(!row.contains("inactive"), "the remedy waits: {row}");
    assert!(row.contains("wait"), "{row}");
    // Switched: the next step is named.
    report.rotations[0].old_key_used_since = None;
    let table = format::render(&report, format::Format::Table).unwrap();
    assert!(table.contains("make AKIAOLD inactive next"), "{table}");
}
