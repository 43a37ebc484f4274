//! Issue 16, staged retirement in `iamkeys report`: a key made inactive
//! `retire_after_days` ago (as the ledger dates it — issue 32: never a tag)
//! and still inactive is the informational finding
//! `inactive_key_ready_to_delete` (severity `info`). It never fails
//! `--fail-on any`; asked for by severity or id, it does.

use chrono::{TimeDelta, Utc};

use crate::cli_audit_truth::report;
use crate::common::home::Home;
use crate::common::moto::{Moto, seed, user};

#[tokio::test(flavor = "multi_thread")]
async fn a_key_inactive_long_enough_is_ready_to_delete_and_informational() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    // Two keys, one inactive (no rule fires on these: both fresh, no console password).
    let keys = seed(&iam, &[user("svc", false, vec![true, false])]).await;
    let inactive = keys[0].1[1].clone();
    let home = Home::new(&moto.endpoint());
    // Issue 32: a tag backdated a year, written by anyone who can tag the
    // user, is a claim: nothing is ready to delete from it.
    let year_ago =
        (Utc::now() - TimeDelta::days(365)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::cli_waivers::tag(
        &iam,
        "svc",
        &format!("iamkeys:inactive-since:{inactive}"),
        &format!("{year_ago} alice"),
    )
    .await;
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["findings"].as_array().unwrap().is_empty(),
        "a backdated tag makes nothing ready: {json:#}"
    );
    // moto makes keys now: a date before that is not believed (issue 21
    // §4), so the key is ready at once (retire_after_days = 0) from the
    // ledger's record dated now.
    let made_inactive = |at| {
        crate::cli_waivers::event(
            at,
            "svc",
            Some(&inactive),
            iamkeys::ledger::Kind::KeyMadeInactive,
        )
    };
    crate::cli_waivers::record(&home, &[made_inactive(Utc::now())]);
    crate::cli_waivers::write_config(&home, "[audit]\nretire_after_days = 0\n");
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "informational: --fail-on any passes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["id"], "inactive_key_ready_to_delete");
    assert_eq!(findings[0]["severity"], "info");
    assert_eq!(findings[0]["access_key_id"], inactive.as_str());
    assert!(findings[0]["message"].as_str().unwrap().contains("(today)"));
    for args in [
        ["--fail-on", "info"],
        ["--fail-on", "inactive_key_ready_to_delete"],
    ] {
        let out = report(&home, &moto.endpoint(), &args).await;
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    let out = report(&home, &moto.endpoint(), &["--fail-on", "low"]).await;
    assert_eq!(out.status.code(), Some(0));

    // Not long enough: nothing.
    crate::cli_waivers::write_config(&home, "[audit]\nretire_after_days = 30\n");
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"].as_array().unwrap().is_empty());

    // Issue 21 §4: a record dated before the key was made is not believed:
    // not ready. (The latest record dates a key: this one is added last and
    // is the latest only if it is later: so it is a fresh ledger's.)
    std::fs::remove_dir_all(crate::cli_waivers::ledger_of(&home).dir).unwrap();
    crate::cli_waivers::record(&home, &[made_inactive(Utc::now() - TimeDelta::days(20))]);
    crate::cli_waivers::write_config(&home, "[audit]\nretire_after_days = 14\n");
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"].as_array().unwrap().is_empty(), "{json:#}");
}

/// Issue 21 §4: a key deleted as ready to delete is deleted only if IAM
/// still shows it Inactive *and* unused since it was made inactive. Here it
/// was used after (made active, used, made inactive again behind the
/// screen's back): nothing is deleted.
#[tokio::test(flavor = "multi_thread")]
async fn a_ready_key_used_since_is_not_deleted() {
    use iamkeys::effect::{Actor, Change, Effect};
    use iamkeys::worker::{Settings, Worker};
    let moto = Moto::start();
    let iam = moto.iam().await;
    iam.create_user().user_name("svc").send().await.unwrap();
    let made = iam
        .create_access_key()
        .user_name("svc")
        .send()
        .await
        .unwrap();
    let key = made.access_key().unwrap();
    let (id, secret) = (
        key.access_key_id().to_owned(),
        key.secret_access_key().to_owned(),
    );
    let inactive_since = Utc::now() - TimeDelta::minutes(5);
    crate::common::moto::use_key(moto.endpoint(), &id, &secret).await;
    iam.update_access_key()
        .user_name("svc")
        .access_key_id(&id)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let client = std::sync::Arc::new(moto.client().await);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = Worker::new(client, tx, &Settings::default());
    let actor = Actor {
        profile: "test".into(),
        account_id: Some("123456789012".into()),
        caller_arn: None,
    };
    for (unused_since, deleted) in [(Some(inactive_since), false), (None, true)] {
        let change = Change::Delete {
            user: "svc".into(),
            key_id: id.clone(),
            unused_since,
        };
        assert!(
            worker
                .run_effect(Effect::Mutate {
                    id: 1,
                    change,
                    actor: actor.clone(),
                })
                .is_none()
        );
        let Some(iamkeys::action::Action::Mutated { result, .. }) = rx.recv().await else {
            panic!("an answer")
        };
        let left = crate::common::moto::server_keys(&iam, "svc").await;
        if deleted {
            assert!(result.is_ok(), "{result:?}");
            assert!(left.is_empty());
        } else {
            let err = result.unwrap_err();
            assert_eq!(err.kind, iamkeys::iam::ErrorKind::Conflict);
            assert!(
                err.detail.contains("after it was made inactive"),
                "{}",
                err.detail
            );
            assert_eq!(left.len(), 1, "nothing was deleted");
        }
    }
}

/// Issue 16, rotations in `report`: the JSON lists each rotation in
/// progress (user, old, new, started, the new key's first use or null); a
/// request signed with the new key turns null into a time; a tag whose old
/// key is gone, and a tag that does not read, are notes, not rotations.
#[tokio::test(flavor = "multi_thread")]
async fn the_report_lists_rotations_in_progress_and_sees_the_new_keys_use() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[
            user("svc", false, vec![true]),
            user("ops", false, vec![true]),
            user("dave", false, vec![true]),
        ],
    )
    .await;
    let old = keys[0].1[0].clone();
    let made = iam
        .create_access_key()
        .user_name("svc")
        .send()
        .await
        .unwrap();
    let new = made.access_key().unwrap();
    let started: chrono::DateTime<Utc> = "2026-11-20T09:30:00Z".parse().unwrap();
    let home = Home::new(&moto.endpoint());
    let rotating = |user: &str, old: &str, new: &str| {
        crate::cli_waivers::event(
            started,
            user,
            Some(old),
            iamkeys::ledger::Kind::RotationStarted {
                new_key_id: new.into(),
            },
        )
    };
    // svc: in progress. ops: one for a key that no longer exists. dave: a
    // rotation whose new key was deleted. And a rotation tag, a claim.
    crate::cli_waivers::record(
        &home,
        &[
            rotating("svc", &old, new.access_key_id()),
            rotating("ops", "AKIAGONEGONEGONE0001", &keys[1].1[0]),
            rotating("dave", &keys[2].1[0], "AKIADELETEDDELETED01"),
        ],
    );
    crate::cli_waivers::tag(
        &iam,
        "ops",
        &format!("iamkeys:rotation:{}", keys[1].1[0]),
        &format!("AKIACLAIMCLAIMCLAIM1 {started}"),
    )
    .await;
    let json = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let first = json(&out);
    let rotations = first["rotations"].as_array().unwrap();
    assert_eq!(rotations.len(), 1, "{rotations:?}");
    let r = &rotations[0];
    assert_eq!(r["user_name"], "svc");
    assert_eq!(r["old_access_key_id"], old.as_str());
    assert_eq!(r["new_access_key_id"], new.access_key_id());
    assert_eq!(r["started"], "2026-11-20T09:30:00Z");
    assert!(r["new_key_first_used"].is_null(), "{r}");
    let notes = first["notes"].to_string();
    assert!(
        notes.contains(
            "rotation of AKIAGONEGONEGONE0001 (user ops) in the ledger: the key no longer exists"
        ),
        "{notes}"
    );
    assert!(
        notes.contains(
            "to AKIADELETEDDELETED01 (user dave) in the ledger is not honoured: new key gone"
        ),
        "{notes}"
    );
    assert!(
        !first.to_string().contains("AKIACLAIMCLAIMCLAIM1"),
        "a tag starts nothing"
    );
    let table = report(&home, &moto.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(&format!("svc: {old} → {}", new.access_key_id()))
            && text.contains("new key not used yet"),
        "{text}"
    );

    // The workload moves to the new key.
    crate::common::moto::use_key(
        moto.endpoint(),
        new.access_key_id(),
        new.secret_access_key(),
    )
    .await;
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let used = json(&out)["rotations"][0]["new_key_first_used"].clone();
    let at = chrono::DateTime::parse_from_rfc3339(used.as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{used}: {e}"));
    assert!((Utc::now() - at.with_timezone(&Utc)).num_minutes().abs() < 5);
}

/// Issue 32 item 5: a key made inactive outside iamkeys is dated by
/// CloudTrail's successful `UpdateAccessKey` (the proxy's fake CloudTrail
/// records each one as AWS does), looked up once and recorded in the
/// ledger with CloudTrail as its source; the next report asks CloudTrail
/// nothing. Where CloudTrail is refused, the key is dated when iamkeys
/// first saw it inactive (never earlier than the truth), and the notes say so.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_made_inactive_outside_iamkeys_is_dated_by_cloudtrail_once() {
    use iamkeys::ledger::event::InactiveSource;
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[
            user("svc", false, vec![true]),
            user("ops", false, vec![true]),
        ],
    )
    .await;
    let (svc_key, ops_key) = (keys[0].1[0].clone(), keys[1].1[0].clone());
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    let through_proxy = aws_sdk_iam::Client::new(
        &crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDOPERATOR00000000", "s").await,
    );
    let before = Utc::now() - TimeDelta::seconds(2);
    through_proxy
        .update_access_key()
        .user_name("svc")
        .access_key_id(&svc_key)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let home = Home::new(&proxy.endpoint());
    crate::cli_waivers::write_config(&home, "[audit]\nretire_after_days = 0\n");
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let ledger = crate::cli_waivers::folded(&home, "123456789012");
    let dated = &ledger.inactive[svc_key.as_str()];
    assert_eq!(dated.source, Some(InactiveSource::Cloudtrail));
    assert!(dated.at >= before && dated.at <= Utc::now(), "{dated:?}");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "inactive_key_ready_to_delete"
                && f["access_key_id"] == svc_key.as_str()),
        "{json:#}"
    );
    let asked = proxy.count("LookupEvents");
    assert!(asked >= 1);
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        proxy.count("LookupEvents"),
        asked,
        "looked up once: with the ledger, a report asks CloudTrail nothing more"
    );

    // CloudTrail refused: ops's key (made inactive too) is dated as first
    // seen, now, and said.
    through_proxy
        .update_access_key()
        .user_name("ops")
        .access_key_id(&ops_key)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    proxy.deny("LookupEvents");
    let seen_from = Utc::now() - TimeDelta::seconds(1);
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ledger = crate::cli_waivers::folded(&home, "123456789012");
    let dated = &ledger.inactive[ops_key.as_str()];
    assert_eq!(dated.source, Some(InactiveSource::Seen));
    assert!(dated.at >= seen_from, "never earlier than the truth");
    assert!(
        json["notes"]
            .to_string()
            .contains("dated when iamkeys first saw them inactive"),
        "{}",
        json["notes"]
    );
}

/// Issue 39 item 1: many keys made inactive outside iamkeys are dated from
/// one read of the account's `UpdateAccessKey` events (by `EventName`,
/// paged), not one paced `LookupEvents` per key: CloudTrail allows two
/// requests a second, so a key each made a first audit of a large account
/// take minutes.
#[tokio::test(flavor = "multi_thread")]
async fn many_inactive_keys_are_dated_from_one_read_of_the_accounts_updates() {
    use iamkeys::ledger::event::InactiveSource;
    let moto = Moto::start();
    let iam = moto.iam().await;
    let names = [
        "svc-00", "svc-01", "svc-02", "svc-03", "svc-04", "svc-05", "svc-06", "svc-07", "svc-08",
        "svc-09", "svc-10", "svc-11",
    ];
    let users: Vec<_> = names.iter().map(|n| user(n, false, vec![true])).collect();
    let keys = seed(&iam, &users).await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    let through_proxy = aws_sdk_iam::Client::new(
        &crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDOPERATOR00000000", "s").await,
    );
    for (user, made) in &keys {
        through_proxy
            .update_access_key()
            .user_name(user)
            .access_key_id(&made[0])
            .status(aws_sdk_iam::types::StatusType::Inactive)
            .send()
            .await
            .unwrap();
    }
    let home = Home::new(&proxy.endpoint());
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ledger = crate::cli_waivers::folded(&home, "123456789012");
    for (_, made) in &keys {
        let dated = &ledger.inactive[made[0].as_str()];
        assert_eq!(dated.source, Some(InactiveSource::Cloudtrail), "{dated:?}");
    }
    let lookups = proxy.lookups();
    assert!(
        lookups
            .iter()
            .all(|(_, attribute, value, _)| attribute == "EventName" && value == "UpdateAccessKey"),
        "{lookups:?}"
    );
    // Twelve events, two a page: six pages, one read.
    assert_eq!(lookups.len(), 6, "{lookups:?}");
}
