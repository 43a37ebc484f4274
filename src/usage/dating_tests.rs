//! Tests of the parent module.

use super::*;

fn update(at: &str, json: &str) -> TrailEvent {
    TrailEvent::parse(
        "e",
        Some(at.parse().unwrap()),
        "UpdateAccessKey",
        "iam.amazonaws.com",
        Some(json),
    )
}

/// Issue 32 item 5: only a successful `UpdateAccessKey` to Inactive of
/// that key, in the audited account, dates it.
#[test]
fn only_a_successful_update_of_that_key_in_that_account_dates_it() {
    let key = "AKIAIOSFODNN7EXAMPLE";
    let ok = |status: &str, account: &str, key: &str| {
        format!(
            r#"{{"recipientAccountId":"{account}","requestParameters":{{"userName":"u","accessKeyId":"{key}","status":"{status}"}}}}"#
        )
    };
    let events = [
        update("2026-11-01T00:00:00Z", &ok("Inactive", "111111111111", key)),
        // Later, but each not evidence: failed, another account, another
        // key, made Active.
        update(
            "2026-11-05T00:00:00Z",
            &ok("Inactive", "111111111111", key).replacen(
                '{',
                r#"{"errorCode":"AccessDenied","#,
                1,
            ),
        ),
        update("2026-11-06T00:00:00Z", &ok("Inactive", "222222222222", key)),
        update(
            "2026-11-07T00:00:00Z",
            &ok("Inactive", "111111111111", "AKIAOTHER00000000000"),
        ),
        update("2026-11-08T00:00:00Z", &ok("Active", "111111111111", key)),
        // Issue 34 item 4: dated after now: it did not happen yet.
        update("2999-01-01T00:00:00Z", &ok("Inactive", "111111111111", key)),
    ];
    let now = "2026-12-06T00:00:00Z".parse().unwrap();
    assert_eq!(
        made_inactive_at(&events, "111111111111", key, now),
        Some("2026-11-01T00:00:00Z".parse().unwrap())
    );
    assert_eq!(
        made_inactive_at(&events[1..], "111111111111", key, now),
        None
    );
}
