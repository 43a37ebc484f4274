//! Faults injected by a loopback proxy in front of moto: throttling, 5xx,
//! connection resets and stalls. Loads end with exactly the fault-free result;
//! changes end in the right server state, never applied twice.

use std::path::Path;
use std::time::Duration;

use aws_sdk_iam::types::StatusType;

use crate::common::home::{BIN, Home, WAIT};
use crate::common::moto::{Moto, more_users, seed, standard_users};
use crate::common::proxy::{Fault, Proxy};
use crate::common::tmux::Tmux;

async fn report(home: &Home, endpoint: &str) -> serde_json::Value {
    let out = tokio::process::Command::new(BIN)
        .args([
            "report",
            "--profile",
            "e2e",
            "--endpoint-url",
            endpoint,
            "--key-ids",
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .envs(home.env())
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Times of the run itself differ; everything else must not.
    report["generated_at"] = serde_json::Value::Null;
    report
}

#[tokio::test(flavor = "multi_thread")]
async fn throttling_5xx_and_resets_end_in_the_fault_free_report() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &more_users()).await;
    // Every run takes the cached-report path (IAM already has one).
    iam.generate_credential_report().send().await.unwrap();
    let home = Home::new(&moto.endpoint());
    let proxy = Proxy::start(moto.port).await;
    let clean = report(&home, &proxy.endpoint()).await;
    let requests = proxy.actions().len();
    assert!(requests > 10, "{requests}");
    for (fault, every) in [
        (Fault::Throttle, 3),
        (Fault::Unavailable, 4),
        (Fault::Reset, 5),
    ] {
        proxy.inject(fault, every, &[]);
        let before = proxy.actions().len();
        let faulty = report(&home, &proxy.endpoint()).await;
        let injected = proxy.heal();
        println!(
            "report --key-ids, {fault:?} on 1 in {every}: {} requests, {injected} faulted, JSON equal: {}",
            proxy.actions().len() - before,
            faulty == clean
        );
        assert!(
            injected >= requests / every / 2,
            "{fault:?}: only {injected} faults"
        );
        assert_eq!(
            faulty, clean,
            "{fault:?} every {every}th request ({injected} injected)"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_meeting_faults_land_once() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    // The profile's endpoint is the proxy, so every request meets the faults.
    let home = Home::new(&proxy.endpoint());
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 140, 40);
    tui.wait_for("the account", WAIT, |s| {
        s.contains("Users (5)") && !Tmux::still_loading(s)
    });
    let alice = keys[0].1[0].clone();
    tui.send(&["Enter", "i"]);
    tui.wait_for("the dialog", WAIT, |s| s.contains("Make key inactive"));
    // The first UpdateAccessKey is answered 503: the SDK retries it once.
    // (One fault only: healing after the first attempt raced the retry.)
    proxy.inject_first(Fault::Unavailable, &["UpdateAccessKey"]);
    let before = proxy.count("UpdateAccessKey");
    tui.send(&["y"]);
    tui.wait_for("the first attempt", WAIT, |_| {
        proxy.count("UpdateAccessKey") > before
    });
    let injected = proxy.heal();
    tui.wait_for("the outcome", Duration::from_mins(1), |s| {
        s.contains("is now Inactive") || s.contains("The change failed")
    });
    let status = iam
        .list_access_keys()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.access_key_metadata()[0].status(),
        Some(&StatusType::Inactive)
    );
    assert_eq!(
        status.access_key_metadata()[0].access_key_id(),
        Some(alice.as_str())
    );
    assert_eq!(injected, 1);
    assert_eq!(
        proxy.count("UpdateAccessKey") - before,
        2,
        "one failed attempt, one that landed"
    );
    tui.send(&["q"]);
    let code = tui.exit_status(WAIT);
    assert_eq!(code, Some(0), "{}", tui.screen());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_call_never_freezes_the_screen() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    // The profile's endpoint is the proxy, so every request meets the faults.
    let home = Home::new(&proxy.endpoint());
    proxy.inject(Fault::Stall(10_000), 1, &["ListUsers"]);
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 120, 40);
    tui.wait_for("the first frame", WAIT, |s| s.contains("Loading users"));
    let asked = std::time::Instant::now();
    tui.send(&["?"]);
    tui.wait_for("the help, while ListUsers stalls", WAIT, |s| {
        s.contains("cycle the sort column")
    });
    let answered = asked.elapsed();
    assert!(
        answered < Duration::from_secs(5),
        "the key waited {answered:?} for a stalled call"
    );
    assert!(tui.screen().contains("Loading users") || tui.screen().contains("IAM call"));
    tui.send(&["Escape", "q"]);
    assert_eq!(
        tui.exit_status(WAIT),
        Some(0),
        "quits at once, stall or not"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_bar_says_it_is_backing_off_while_iam_throttles() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    proxy.inject(Fault::Throttle, 2, &[]);
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 140, 40);
    tui.wait_for("the backing-off notice", WAIT, |s| {
        s.contains("backing off: IAM is throttling")
    });
    let screen = tui.wait_for("the whole account", WAIT, |s| {
        s.contains("Users (5)") && !Tmux::still_loading(s) && !s.contains("in flight")
    });
    let injected = proxy.heal();
    assert!(injected >= 3, "{injected}");
    assert!(!screen.contains("failed"), "{screen}");
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}
