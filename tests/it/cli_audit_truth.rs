//! Issue 12, "the report and the screen never claim more than IAM showed":
//! each way the audit could read as clean without having seen everything,
//! run against moto through the suite's proxy (a frozen credential report,
//! refused APIs, random throttling, answers that are not IAM's).
//!
//! `IAMKEYS_TEST_BIN` runs these against another build of the binary
//! (e.g. one from before the fix, to see them fail).

use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use iamkeys::headless::settle_with;
use iamkeys::report::Report;
use iamkeys::worker::Settings;

use crate::cli_report::findings;
use crate::common::home::Home;
use crate::common::moto::{Moto, SeedUser, policy_config_at, seed, standard_users};
use crate::common::proxy::{Fault, Proxy};
use crate::common::states::{fresh, loading, now};

pub use crate::common::home::{bin, report};

fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {:?}; stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// 1. IAM hands back the report it already has for hours. A console user
/// with a never-used key made after that report must still be found, with
/// the key's ID, by the default `report` (no `--key-ids`).
#[tokio::test(flavor = "multi_thread")]
async fn a_cached_report_does_not_hide_a_console_user_made_after_it() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.freeze_report();
    // IAM makes a report now; through the proxy, it is the one kept.
    iam.generate_credential_report().send().await.unwrap();
    let through_proxy = aws_sdk_iam::Client::new(
        &crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDTEST", "s").await,
    );
    through_proxy.get_credential_report().send().await.unwrap();
    // Minutes later: a console user, set up with an access key.
    let late = seed(
        &iam,
        &[SeedUser {
            name: "late-console-user",
            password: true,
            mfa: false,
            keys: vec![true],
        }],
    )
    .await;
    let late_key = late[0].1[0].clone();

    let home = Home::new(&moto.endpoint());
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = stdout_json(&out);
    assert!(
        findings(&json).contains(&(
            "initial_setup_key".into(),
            "late-console-user".into(),
            Some(late_key)
        )),
        "{:#?}",
        json["findings"]
    );
    let notes = json["notes"].to_string();
    assert!(notes.contains("already had"), "{notes}");
    assert!(
        proxy.count("ListAccessKeys") >= 6,
        "every user's keys listed"
    );
    // Every key-level finding names its key.
    for f in json["findings"].as_array().unwrap() {
        if f["id"] != "multiple_active_keys" {
            assert!(f["access_key_id"].is_string(), "{f}");
        }
    }
}

/// 3. With the credential report refused and `GetLoginProfile` denied, no
/// `initial_setup_key` can fire: the report says so and exits 2, naming
/// the API and the users; it is never "No findings".
#[tokio::test(flavor = "multi_thread")]
async fn a_denied_fallback_is_incomplete_and_names_get_login_profile() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.deny("GenerateCredentialReport");
    proxy.deny("GetLoginProfile");
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the audit is incomplete"), "{stderr}");
    assert!(stderr.contains("iam:GetLoginProfile denied"), "{stderr}");
    let json = stdout_json(&out);
    assert_eq!(json["complete"], false);
    let gaps = json["gaps"].to_string();
    assert!(
        gaps.contains(
            "iam:GetLoginProfile denied: console password unknown for 5 users (alice, bob, carol, dave, erin); initial_setup_key cannot be judged for them"
        ),
        "{gaps}"
    );
    assert!(
        !gaps.contains("root access keys not checked"),
        "root checked with GetAccountSummary: {gaps}"
    );
    assert!(
        json["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["password_enabled"].is_null())
    );
    // The table says it as plainly.
    let out = report(&home, &proxy.endpoint(), &[]).await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2));
    assert!(table.contains("INCOMPLETE AUDIT"), "{table}");
    assert!(!table.contains("No findings.\n"), "{table}");
}

/// 3, on screen: the header says the audit is incomplete (not a passing
/// status line), and the password cells say `denied`, not `…`.
#[tokio::test(flavor = "multi_thread")]
async fn the_screen_says_denied_and_incomplete() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.deny("GetCredentialReport");
    proxy.deny("GetLoginProfile");
    let config = policy_config_at(proxy.endpoint(), 3, Duration::from_secs(20)).await;
    let client = Arc::new(iamkeys::iam::sdk::SdkIam::new(&config));
    let mut state = fresh();
    settle_with(
        &mut state,
        client,
        &Settings::default(),
        vec![iamkeys::action::Action::Load],
        Duration::from_mins(1),
    )
    .await
    .unwrap();
    state.view.notice = None;
    let screen = crate::common::screen::text(&state, 160, 30);
    assert!(
        screen.contains("INCOMPLETE AUDIT: iam:GetLoginProfile denied"),
        "{screen}"
    );
    let alice = screen
        .lines()
        .find(|l| {
            l.split('│')
                .nth(1)
                .is_some_and(|cell| cell.trim_start_matches(['●', ' ']).starts_with("alice "))
        })
        .unwrap_or_default()
        .to_owned();
    assert!(alice.contains("denied"), "{alice}\n{screen}");
    assert!(state.account.audit_incomplete());
}

/// 4. 30% of requests throttled at random: every run ends in the fault-free
/// JSON. Throttling is back-pressure, not failure.
#[tokio::test(flavor = "multi_thread")]
async fn random_throttling_ends_in_the_fault_free_report() {
    let users: usize = std::env::var("IAMKEYS_THROTTLE_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150);
    let runs: u64 = std::env::var("IAMKEYS_THROTTLE_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2);
    let moto = Moto::start();
    let iam = moto.iam().await;
    for i in 0..users {
        let name = format!("user-{i:04}");
        iam.create_user().user_name(&name).send().await.unwrap();
        if i % 2 == 0 {
            iam.create_login_profile()
                .user_name(&name)
                .password("Correct-Horse-1!")
                .send()
                .await
                .unwrap();
        }
        if i % 3 != 0 {
            iam.create_access_key()
                .user_name(&name)
                .send()
                .await
                .unwrap();
        }
    }
    // IAM has a report: every run below takes the same path.
    iam.generate_credential_report().send().await.unwrap();
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&moto.endpoint());
    let run = |proxy: &Proxy| {
        let endpoint = proxy.endpoint();
        let home = &home;
        async move {
            let out = report(home, &endpoint, &["--key-ids", "--format", "json"]).await;
            let mut json = serde_json::from_slice::<serde_json::Value>(&out.stdout).ok();
            if let Some(json) = &mut json {
                json["generated_at"] = serde_json::Value::Null;
            }
            (out, json)
        }
    };
    let (out, clean) = run(&proxy).await;
    let clean = clean.unwrap_or_else(|| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_ne!(
        clean["complete"], false,
        "the fault-free run sees everything"
    );
    let seed_base: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        .into();
    for n in 0..runs {
        let seed = seed_base.wrapping_add(n.wrapping_mul(7919));
        proxy.inject_random(Fault::Throttle, 30, seed, &[]);
        let started = Instant::now();
        let (out, faulty) = run(&proxy).await;
        let (requests, throttled) = proxy.heal_random();
        println!(
            "{users} users, 30% throttled (seed {seed}): {requests} requests, {throttled} throttled, exit {:?}, {:.1} s, equal: {}",
            out.status.code(),
            started.elapsed().as_secs_f64(),
            faulty.as_ref() == Some(&clean)
        );
        assert!(
            throttled * 100 >= requests * 20,
            "{throttled} of {requests}"
        );
        assert_eq!(
            out.status.code(),
            Some(clean_code(&clean)),
            "seed {seed}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(faulty.as_ref(), Some(&clean), "seed {seed}");
    }
}

fn clean_code(report: &serde_json::Value) -> i32 {
    i32::from(!report["findings"].as_array().unwrap().is_empty())
}

/// 7. An answer that is not IAM's — a corporate proxy's HTML page, XML cut
/// off — is said as what came back, not "failed: Unknown".
#[tokio::test(flavor = "multi_thread")]
async fn an_html_page_or_broken_xml_is_said_as_what_came_back() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&moto.endpoint());
    let config = home.path().join("once.toml");
    std::fs::write(&config, "max_attempts = 1\n").unwrap();
    let config = config.to_str().unwrap();

    proxy.inject(Fault::Html(403), 1, &["ListUsers"]);
    let out = report(&home, &proxy.endpoint(), &["--config", config]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&format!(
            "HTTP 403 from {}: <html><head><title>Access Denied</title>",
            proxy.endpoint()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("Unknown"), "{stderr}");

    proxy.inject(Fault::BadXml, 1, &["ListUsers"]);
    let out = report(&home, &proxy.endpoint(), &["--config", config]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("HTTP 200 from"), "{stderr}");
    assert!(
        stderr.contains("Service temporarily overloaded"),
        "{stderr}"
    );
    assert!(!stderr.contains("Unknown"), "{stderr}");

    // Cut off mid-element, the SDK alone would read a user named `al` (who
    // does not exist): the answer is refused instead.
    proxy.inject(Fault::CutXml, 1, &["ListUsers"]);
    let out = report(&home, &proxy.endpoint(), &["--config", config]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the answer was cut off"), "{stderr}");
    assert!(!stderr.contains("(al)"), "no phantom user: {stderr}");
}

/// 10. `report | head -1`: a closed stdout is not an error; the exit code
/// is the audit's, and nothing is said of the pipe (issue 38: only the one
/// line every exit 1 has, how many findings failed).
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_quietly_with_the_audits_exit_code() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let home = Home::new(&moto.endpoint());
    let mut child = tokio::process::Command::new(bin())
        .arg("report")
        .args(["--profile", "e2e", "--endpoint-url", &moto.endpoint()])
        .envs(home.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before a byte is written.
    drop(child.stdout.take());
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "findings: {stderr}");
    assert_eq!(
        stderr.trim(),
        "iamkeys report: 2 findings fail --fail-on (exit 1)"
    );
}

/// 10. CSV cells a spreadsheet would run are neutralised.
#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_that_look_like_formulas_are_neutralised() {
    let moto = Moto::start();
    seed(
        &moto.iam().await,
        &[SeedUser {
            name: "=1+2@x",
            password: true,
            mfa: false,
            keys: vec![true],
        }],
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &moto.endpoint(), &["--format", "csv"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(",'=1+2@x,"), "{text}");
    assert!(!text.contains(",=1+2@x,"), "{text}");
}

/// Keep the report's own model honest too: `Report::from_state` on a
/// state whose every call succeeded is complete.
#[test]
fn a_whole_state_makes_a_complete_report() {
    let state = loading();
    let report = Report::from_account(&state.account, &state.session.profile, now());
    assert!(report.complete);
    assert!(report.gaps.is_empty());
}

/// Issue 21 §6: with a report IAM already had, `GetAccessKeyLastUsed` is
/// asked only where a use since the report could change a finding: Active
/// keys the report shows as never used, of users with a console password
/// (`initial_setup_key`) or old enough for `unused_key`. A young key of a
/// user without a password keeps the report's "never used", and the JSON
/// says as of when (`last_used_as_of`). A key used after the report is seen
/// as used, its finding gone.
#[tokio::test(flavor = "multi_thread")]
async fn a_cached_report_asks_last_use_only_where_it_can_change_a_finding() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let mut made = Vec::new();
    for name in ["svc-young", "console-unused", "console-used-since"] {
        iam.create_user().user_name(name).send().await.unwrap();
        if name.starts_with("console") {
            iam.create_login_profile()
                .user_name(name)
                .password("Correct-Horse-1!")
                .send()
                .await
                .unwrap();
        }
        let (id, secret, _) = crate::common::moto::new_key(&iam, name).await;
        made.push((id, secret));
    }
    let proxy = Proxy::start(moto.port).await;
    proxy.freeze_report();
    iam.generate_credential_report().send().await.unwrap();
    let through_proxy = aws_sdk_iam::Client::new(
        &crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDTEST", "s").await,
    );
    through_proxy.get_credential_report().send().await.unwrap();
    // After the report: one console user's key is used.
    crate::common::moto::use_key(moto.endpoint(), &made[2].0, &made[2].1).await;

    let home = Home::new(&moto.endpoint());
    let asked_before = proxy.count("GetAccessKeyLastUsed");
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let json = stdout_json(&out);
    assert!(json["notes"].to_string().contains("already had"));
    assert_eq!(
        proxy.count("GetAccessKeyLastUsed") - asked_before,
        2,
        "the two console users' keys only: {:?}",
        proxy.actions()
    );
    let key_of = |user: &str| {
        json["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user_name"] == user)
            .unwrap()["access_keys"][0]
            .clone()
    };
    let young = key_of("svc-young");
    assert!(young["last_used"].is_null());
    assert!(
        young["last_used_as_of"].is_string(),
        "the report's never-used, as of the report: {young}"
    );
    assert!(key_of("console-unused")["last_used_as_of"].is_null());
    assert!(key_of("console-used-since")["last_used"].is_string());
    let setup: Vec<String> = findings(&json)
        .into_iter()
        .filter(|(id, _, _)| id == "initial_setup_key")
        .map(|(_, user, _)| user)
        .collect();
    assert_eq!(setup, ["console-unused"], "{:#}", json["findings"]);
}

/// Issue 23 item 8: `iamkeys man | head` and `completions | head` end
/// quietly (exit 0, nothing on stderr) like `report | head`.
#[tokio::test(flavor = "multi_thread")]
async fn man_and_completions_into_a_closed_pipe_end_quietly() {
    let home = tempfile::tempdir().unwrap();
    for args in [vec!["man"], vec!["completions", "bash"]] {
        let mut child = tokio::process::Command::new(bin())
            .args(&args)
            .envs(crate::common::home::aws_env(home.path()))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}
