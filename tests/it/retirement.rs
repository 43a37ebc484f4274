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
    let since =
        (Utc::now() - TimeDelta::days(20)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::waivers::tag(
        &iam,
        "svc",
        &format!("iamkeys:inactive-since:{inactive}"),
        &format!("{since} alice"),
    )
    .await;
    let home = Home::new(&moto.endpoint());
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
    assert!(findings[0]["message"].as_str().unwrap().contains("20 days"));
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
    std::fs::create_dir_all(home.path().join("config/iamkeys")).unwrap();
    std::fs::write(
        home.path().join("config/iamkeys/config.toml"),
        "[audit]\nretire_after_days = 30\n",
    )
    .unwrap();
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["findings"].as_array().unwrap().is_empty());
}
