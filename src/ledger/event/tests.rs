//! Tests of the parent module.

use super::*;

const BY: &str = "arn:aws:sts::111111111111:assumed-role/SecurityAudit/bob";
const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

fn at() -> DateTime<Utc> {
    "2026-12-06T10:00:00Z".parse().unwrap()
}

fn every_kind() -> Vec<Kind> {
    vec![
        Kind::WaiverGranted {
            finding: FindingId::UnusedKey,
            until: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            reason: "ticket SEC-1".into(),
            from_tag: Some("iamkeys:waive:unused_key:AKIAIOSFODNN7EXAMPLE".into()),
        },
        Kind::WaiverRevoked {
            waiver: new_id(at()),
            reason: "done".into(),
        },
        Kind::RotationStarted {
            new_key_id: "AKIANEWKEY0000000001".into(),
        },
        Kind::RotationFirstUse {
            new_key_id: "AKIANEWKEY0000000001".into(),
            used_at: at(),
        },
        Kind::RotationFinished {
            new_key_id: "AKIANEWKEY0000000001".into(),
        },
        Kind::HandoffSet {
            target: "arn:aws:secretsmanager:eu-west-1:111111111111:secret:app/key-AbCdEf".into(),
            from_tag: None,
        },
        Kind::KeyMadeInactive,
        Kind::KeySeenInactive {
            since: at(),
            source: InactiveSource::Cloudtrail,
        },
        Kind::DueRecorded {
            due: NaiveDate::from_ymd_opt(2026, 12, 13).unwrap(),
            action: "make_inactive".into(),
            finding: FindingId::UnusedKey,
        },
        Kind::NoticeSent {
            due: NaiveDate::from_ymd_opt(2026, 12, 13).unwrap(),
            owner: "team-a@example.com".into(),
            channel: "sns".into(),
        },
        Kind::OwnerSet {
            owner: "team-a@example.com".into(),
            from_tag: None,
        },
    ]
}

#[test]
fn every_kind_reads_back_as_written() {
    for kind in every_kind() {
        let event = Event::new(at(), "111111111111", Some("alice"), Some(KEY), BY, kind);
        let line = event.to_line();
        assert!(!line.contains('\n'));
        assert_eq!(Event::parse(&line), Ok(event), "{line}");
    }
}

#[test]
fn anything_off_schema_is_refused_and_said() {
    let good = Event::new(
        at(),
        "111111111111",
        Some("alice"),
        Some(KEY),
        BY,
        Kind::KeyMadeInactive,
    )
    .to_line();
    let cases = [
        (good.replace(SCHEMA, "iamkeys.ledger/v2"), "schema"),
        (
            good.replace("key.made_inactive", "key.made_active"),
            "not one this iamkeys knows",
        ),
        (good.replace("111111111111", "11111111111x"), "account_id"),
        (good.replace(KEY, "akia"), "key_id"),
        (good.replace(BY, "bob"), "caller ARN"),
        (
            good.replace("\"data\":{}", "\"data\":{\"x\":1}"),
            "unknown field",
        ),
        (good.replace("\"user\":\"alice\",", ""), "names no user"),
        (
            good.replace(&format!("\"key_id\":\"{KEY}\","), ""),
            "names no key",
        ),
        (good.replace("\"at\":\"", "\"at\":\"x"), "RFC 3339"),
        (
            format!("{},\"extra\":1}}", good.strip_suffix('}').unwrap()),
            "unknown field",
        ),
        ("{".to_owned(), "EOF"),
        (" ".repeat(MAX_LINE + 1), "over"),
    ];
    for (line, want) in cases {
        let err = Event::parse(&line).unwrap_err();
        assert!(err.contains(want), "{line}: {err}");
    }
}

#[test]
fn a_user_at_a_role_like_path_is_no_caller_arn_confusion() {
    // Names are compared whole; the writer is whatever STS said.
    assert!(is_caller_arn(
        "arn:aws:iam::111111111111:user/x:role/SecurityAudit"
    ));
    assert!(!is_caller_arn("arn:aws:iam::*:role/SecurityAudit"));
    assert!(!is_caller_arn("arn:aws:s3:::bucket"));
    assert!(!is_user_name("a/b"));
    assert!(!is_user_name(""));
    assert!(is_user_name("svc.deploy+ci@x"));
}

#[test]
fn ids_are_time_ordered_hex() {
    let a = new_id(at());
    let b = new_id(at() + chrono::TimeDelta::milliseconds(1));
    assert!(is_event_id(&a) && is_event_id(&b));
    assert!(a < b);
}
