//! Issue 39 item 1: as many requests in flight as the server's throttling
//! allows. The background calls start at the limiter's start and grow
//! (slow start) to the configured `concurrency` while nothing pushes back;
//! seen at the suite's proxy, which holds every request 50 ms as the round
//! trip to IAM would, through the real binary against moto.

use crate::common::home::{Home, report};
use crate::common::moto::Moto;
use crate::common::proxy::Proxy;

/// The per-user reads of the cached path.
const BACKGROUND: [&str; 3] = ["ListAccessKeys", "GetAccessKeyLastUsed", "GetLoginProfile"];

/// 120 users with a key each; IAM hands back the report it already had, so
/// every user's keys are listed.
async fn account_with_a_cached_report() -> (Moto, Proxy) {
    let moto = Moto::start();
    let iam = moto.iam().await;
    for i in 0..120 {
        let name = format!("user-{i:03}");
        iam.create_user().user_name(&name).send().await.unwrap();
        iam.create_access_key()
            .user_name(&name)
            .send()
            .await
            .unwrap();
    }
    iam.generate_credential_report().send().await.unwrap();
    let proxy = Proxy::start(moto.port).await;
    proxy.freeze_report();
    (moto, proxy)
}

/// The cached path of 120 users through 50 ms: the most background
/// requests the proxy saw at once.
async fn peak_at(concurrency: Option<usize>) -> usize {
    let (moto, proxy) = account_with_a_cached_report().await;
    proxy.latency(50);
    proxy.watch_in_flight(&BACKGROUND);
    let home = Home::new(&moto.endpoint());
    if let Some(concurrency) = concurrency {
        crate::cli_waivers::write_config(&home, &format!("concurrency = {concurrency}\n"));
    }
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["notes"].to_string().contains("already had"), "cached");
    assert_eq!(proxy.count("ListAccessKeys"), 120, "every user's keys");
    proxy.peak_in_flight()
}

#[tokio::test(flavor = "multi_thread")]
async fn by_default_background_calls_grow_past_the_start_while_nothing_throttles() {
    let peak = peak_at(None).await;
    assert!(
        peak > iamkeys::worker::limiter::START,
        "nothing throttled, so more than the start ran at once: {peak}"
    );
    assert!(peak <= iamkeys::defaults::CONCURRENCY, "{peak}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_ceiling_is_reached_and_never_exceeded() {
    let peak = peak_at(Some(40)).await;
    assert!(
        peak > iamkeys::worker::limiter::START && peak <= 40,
        "up to the configured 40: {peak}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lower_configured_concurrency_is_never_exceeded() {
    let (moto, proxy) = account_with_a_cached_report().await;
    proxy.latency(20);
    proxy.watch_in_flight(&BACKGROUND);
    let home = Home::new(&moto.endpoint());
    crate::cli_waivers::write_config(&home, "concurrency = 4\n");
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0));
    let peak = proxy.peak_in_flight();
    assert!(
        (2..=4).contains(&peak),
        "up to the configured 4 at once: {peak}"
    );
}
