//! Issue 39: a lean build (`cargo build --no-default-features`) audits as
//! a default one does and says, on one line, what it was built without when
//! a run asks for it. These tests exist only in such a build; CI runs them
//! (`scripts/test.sh`), the default build's tests cover the integrations.

use crate::cli_enforce::{configure, run, text, world};

#[cfg(not(feature = "security-hub"))]
#[tokio::test(flavor = "multi_thread")]
async fn report_to_security_hub_says_it_was_not_built_and_still_reports() {
    let w = world().await;
    let out = crate::cli_audit_truth::report(
        &w.home,
        &w.moto.endpoint(),
        &["--format", "json", "--security-hub"],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    // The report is written, and the run says it could not send (exit 2).
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["users"].as_array().unwrap().len(), 2, "{report}");
    assert!(
        stderr.contains("built without Security Hub (cargo feature `security-hub`)"),
        "{stderr}"
    );
}

#[cfg(not(feature = "notify"))]
#[tokio::test(flavor = "multi_thread")]
async fn notify_says_it_was_not_built_and_dry_run_still_prints() {
    let w = world().await;
    configure(
        &w.home,
        7,
        "[notify]\nwebhook_url = \"http://127.0.0.1:9/hook\"\nfallback_owner = \"security@example.com\"\n",
    );
    let plan = w.home.path().join("plan.json");
    let out = run(&w.home, &["plan", "--out", plan.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = run(&w.home, &["notify", plan.to_str().unwrap(), "--dry-run"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("To: security@example.com"),
        "{}",
        text(&out)
    );
    let out = run(&w.home, &["notify", plan.to_str().unwrap()]).await;
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("built without notices (cargo feature `notify`)"),
        "{}",
        text(&out)
    );
}

#[cfg(not(feature = "handoff"))]
#[tokio::test]
async fn a_hand_off_says_it_was_not_built() {
    use iamkeys::handoff::write::Writer as _;
    let config =
        crate::common::moto::sdk_config_at("http://127.0.0.1:9".to_owned(), "AKIDTEST", "s").await;
    let iam = iamkeys::iam::sdk::SdkIam::new(&config);
    let target = iamkeys::handoff::Target::parse("secretsmanager:app/key").unwrap();
    let secret = iamkeys::secret::Secret::new("s3cr3t");
    let err = iam
        .hand_off(&target, "AKIAEXAMPLE", &secret)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("built without the rotation hand-off"),
        "{err}"
    );
}
