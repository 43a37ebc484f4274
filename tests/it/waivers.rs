//! Issue 16, waivers kept in the account: user tags `iamkeys:waive:…` read
//! by `iamkeys report` from moto. A live waiver keeps its finding listed but
//! out of `--fail-on` (exit 0); a lapsed one counts again (exit 1); a
//! malformed one is said in the notes and never honoured.

use chrono::{TimeDelta, Utc};

use crate::audit_truth::report;
use crate::common::moto::{Moto, seed, user};
use crate::e2e_tui::Home;

pub async fn tag(iam: &aws_sdk_iam::Client, user: &str, key: &str, value: &str) {
    iam.tag_user()
        .user_name(user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

fn finding<'a>(json: &'a serde_json::Value, user: &str) -> &'a serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["user_name"] == user)
        .unwrap_or_else(|| panic!("no finding for {user}: {}", json["findings"]))
}

#[tokio::test(flavor = "multi_thread")]
async fn live_lapsed_and_malformed_waivers() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[
            // initial_setup_key on its one key.
            user("legacy", true, vec![true]),
            // multiple_active_keys.
            user("two", false, vec![true, true]),
            // initial_setup_key, with a waiver tag that does not read.
            user("odd", true, vec![true]),
        ],
    )
    .await;
    let legacy_key = keys[0].1[0].clone();
    let until = (Utc::now() + TimeDelta::days(10)).date_naive().to_string();
    tag(
        &iam,
        "legacy",
        &format!("iamkeys:waive:initial_setup_key:{legacy_key}"),
        &format!("{until} alice@example.com moves to a role in Q1"),
    )
    .await;
    tag(
        &iam,
        "two",
        "iamkeys:waive:multiple_active_keys",
        "2020-01-01 bob rotation window",
    )
    .await;
    tag(
        &iam,
        "odd",
        "iamkeys:waive:initial_setup_key",
        "soon bob later",
    )
    .await;
    let home = Home::new(&moto.endpoint());

    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "the lapsed and the malformed count: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let legacy = finding(&json, "legacy");
    assert_eq!(legacy["access_key_id"], legacy_key.as_str());
    assert_eq!(legacy["waived"]["until"], until.as_str());
    assert_eq!(legacy["waived"]["by"], "alice@example.com");
    assert_eq!(legacy["waived"]["reason"], "moves to a role in Q1");
    let two = finding(&json, "two");
    assert!(two["waived"].is_null(), "{two}");
    assert_eq!(two["waiver_expired"], "2020-01-01");
    let odd = finding(&json, "odd");
    assert!(
        odd["waived"].is_null(),
        "a malformed waiver is not honoured"
    );
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("iamkeys:waive:initial_setup_key")
            && notes.contains("odd")
            && notes.contains("not a date"),
        "{notes}"
    );
    assert_eq!(json["complete"], true, "a waiver is no gap");

    // The table marks both.
    let table = report(&home, &moto.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(&format!(
            "[waived until {until} by alice@example.com: moves to a role in Q1]"
        )),
        "{text}"
    );
    assert!(text.contains("[waiver expired 2020-01-01]"), "{text}");
    assert!(text.contains("· 1 waived"), "{text}");

    // Every finding waived: listed, and exit 0.
    tag(
        &iam,
        "two",
        "iamkeys:waive:multiple_active_keys",
        &format!("{until} bob rotation window"),
    )
    .await;
    tag(
        &iam,
        "odd",
        "iamkeys:waive:initial_setup_key",
        &format!("{until} bob later"),
    )
    .await;
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        3,
        "still listed"
    );
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["waived"].is_null())
    );
}

/// Every user's tags come in one `GetAccountAuthorizationDetails` page;
/// when that is refused, the tags of users with findings are read one by
/// one, the waivers still hold, and the notes say so.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_bulk_read_falls_back_to_each_users_tags() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[
            user("legacy", true, vec![true]),
            user("clean", false, vec![]),
        ],
    )
    .await;
    let until = (Utc::now() + TimeDelta::days(10)).date_naive().to_string();
    tag(
        &iam,
        "legacy",
        &format!("iamkeys:waive:initial_setup_key:{}", keys[0].1[0]),
        &format!("{until} alice legacy box"),
    )
    .await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());

    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(proxy.count("GetAccountAuthorizationDetails"), 1);
    assert_eq!(proxy.count("ListUserTags"), 0, "one read for every user");

    proxy.deny("GetAccountAuthorizationDetails");
    let before = proxy.count("ListUserTags");
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!finding(&json, "legacy")["waived"].is_null());
    assert_eq!(
        proxy.count("ListUserTags") - before,
        1,
        "only the user with findings"
    );
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("iam:GetAccountAuthorizationDetails denied") && notes.contains("one by one"),
        "{notes}"
    );
}
