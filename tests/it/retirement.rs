//! Issue 16, staged retirement in `iamkeys report`: a key iamkeys made
//! inactive `retire_after_days` ago and still inactive is the informational
//! finding `inactive_key_ready_to_delete` (severity `info`). It never fails
//! `--fail-on any`; asked for by severity or id, it does.

use chrono::{TimeDelta, Utc};

use crate::audit_truth::report;
use crate::common::moto::{Moto, seed, user};
use crate::e2e_tui::Home;

#[tokio::test(flavor = "multi_thread")]
async fn a_key_inactive_long_enough_is_ready_to_delete_and_informational() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    // Two keys, one inactive (no rule fires on these: both fresh, no console password).
    let keys = seed(&iam, &[user("svc", false, vec![true, false])]).await;
    let inactive = keys[0].1[1].clone();
    // moto makes keys now: a tag dated before that is stale (issue 21 §4),
    // so the key is ready at once (retire_after_days = 0) from a tag dated
    // now.
    let since = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::waivers::tag(
        &iam,
        "svc",
        &format!("iamkeys:inactive-since:{inactive}"),
        &format!("{since} alice"),
    )
    .await;
    let home = Home::new(&moto.endpoint());
    crate::waivers::write_config(&home, "[audit]\nretire_after_days = 0\n");
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
    crate::waivers::write_config(&home, "[audit]\nretire_after_days = 30\n");
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"].as_array().unwrap().is_empty());

    // Issue 21 §4: a tag dated before the key was made is stale: not ready.
    let before =
        (Utc::now() - TimeDelta::days(20)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::waivers::tag(
        &iam,
        "svc",
        &format!("iamkeys:inactive-since:{inactive}"),
        &format!("{before} alice"),
    )
    .await;
    crate::waivers::write_config(&home, "[audit]\nretire_after_days = 14\n");
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
    let started = "2026-11-20T09:30:00Z";
    crate::waivers::tag(
        &iam,
        "svc",
        &format!("iamkeys:rotation:{old}"),
        &format!("{} {started}", new.access_key_id()),
    )
    .await;
    // ops: one tag for a key that no longer exists, one that does not read;
    // dave: a rotation whose new key was deleted.
    crate::waivers::tag(
        &iam,
        "ops",
        "iamkeys:rotation:AKIAGONEGONEGONE0001",
        &format!("{} {started}", keys[1].1[0]),
    )
    .await;
    crate::waivers::tag(
        &iam,
        "ops",
        &format!("iamkeys:rotation:{}", keys[1].1[0]),
        "soon",
    )
    .await;
    crate::waivers::tag(
        &iam,
        "dave",
        &format!("iamkeys:rotation:{}", keys[2].1[0]),
        &format!("AKIADELETEDDELETED01 {started}"),
    )
    .await;
    let home = Home::new(&moto.endpoint());
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
        notes.contains("AKIAGONEGONEGONE0001 no longer exists, so the rotation is over"),
        "{notes}"
    );
    assert!(
        notes.contains("does not read and is not honoured"),
        "{notes}"
    );
    assert!(
        notes.contains("(new key AKIADELETEDDELETED01) is not honoured: new key gone"),
        "{notes}"
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
