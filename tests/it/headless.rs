//! The real worker and update loop, without a terminal, on the in-memory account.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use iamkeys::action::Action;
use iamkeys::headless::settle;
use iamkeys::iam::demo;
use iamkeys::state::{KeysState, ListStatus, ReportStatus};

use crate::common::states::fresh;

fn every_key_listed(state: &iamkeys::state::State) -> usize {
    state
        .users
        .rows()
        .filter(|r| matches!(r.keys, KeysState::Loaded(_)))
        .count()
}

#[tokio::test]
async fn the_demo_loads_every_page_and_every_users_keys() {
    let iam = Arc::new(demo::account(Utc::now(), Duration::ZERO));
    let mut state = fresh();
    settle(
        &mut state,
        iam.clone(),
        4,
        vec![Action::Load],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(state.users.total(), 36);
    assert_eq!(state.list, ListStatus::Done { pages: 2 }, "two pages of 20");
    assert!(matches!(state.report, ReportStatus::Loaded(_)));
    assert_eq!(every_key_listed(&state), 36);
    let calls = iam.calls();
    assert_eq!(calls.iter().filter(|c| **c == "iam:ListUsers").count(), 2);
    assert_eq!(
        calls.iter().filter(|c| **c == "iam:ListAccessKeys").count(),
        36,
        "one per user, none twice"
    );
    assert!(
        !calls.contains(&"iam:GetLoginProfile"),
        "the report made per-user calls unnecessary"
    );
    for row in state.users.rows() {
        let listed = row.listed_keys().unwrap();
        assert_eq!(listed, iam.keys_of(&row.user.name).as_slice());
        assert!(row.password.is_some() && row.mfa.is_some());
    }
}

#[tokio::test]
async fn a_denied_credential_report_still_gives_a_full_view() {
    let iam = Arc::new(demo::account(Utc::now(), Duration::ZERO));
    iam.deny("iam:GenerateCredentialReport");
    let mut state = fresh();
    settle(
        &mut state,
        iam.clone(),
        4,
        vec![Action::Load],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert!(matches!(state.report, ReportStatus::Denied(_)));
    let calls = iam.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| **c == "iam:GetLoginProfile")
            .count(),
        36
    );
    assert_eq!(
        calls.iter().filter(|c| **c == "iam:ListMFADevices").count(),
        36
    );
    let keys: usize = state
        .users
        .rows()
        .map(|r| r.listed_keys().unwrap().len())
        .sum();
    assert_eq!(
        calls
            .iter()
            .filter(|c| **c == "iam:GetAccessKeyLastUsed")
            .count(),
        keys
    );
    for row in state.users.rows() {
        assert!(
            row.password.is_some(),
            "{} has no password answer",
            row.user.name
        );
        for key in row.listed_keys().unwrap() {
            assert!(
                row.key_last_used(key).is_some(),
                "{} has no last use",
                key.id
            );
        }
    }
}

#[tokio::test]
async fn background_calls_run_in_parallel_within_the_bound() {
    // 36 users, 50 ms a call, at most 3 background calls at once.
    let iam =
        Arc::new(demo::account(Utc::now(), Duration::ZERO).with_latency(Duration::from_millis(50)));
    let mut state = fresh();
    settle(
        &mut state,
        iam.clone(),
        3,
        vec![Action::Load],
        Duration::from_secs(20),
    )
    .await
    .unwrap();
    assert_eq!(every_key_listed(&state), 36);
    // Three queued calls at once, plus the one priority call for the selected user.
    let peak = iam.peak_concurrency("iam:ListAccessKeys");
    assert!(
        (2..=4).contains(&peak),
        "peak ListAccessKeys concurrency {peak}"
    );
}

#[tokio::test]
async fn retries_reach_the_ui_from_the_client_in_use_only() {
    use iamkeys::effect::Effect;
    use iamkeys::iam::IamClient;
    use iamkeys::iam::memory::MemoryIam;
    use iamkeys::iam::retries::{Retries, RetryReason, RetrySignal};
    use iamkeys::worker::{Connector, Settings, Worker};

    async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Action>) -> Action {
        tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("an action within 5 s")
            .expect("the worker is alive")
    }

    let old_signal = RetrySignal::default();
    let new_signal = RetrySignal::default();
    let old = Arc::new(MemoryIam::new("111111111111").with_retry_signal(old_signal.clone()));
    let replacement =
        Arc::new(MemoryIam::new("222222222222").with_retry_signal(new_signal.clone()));
    let connector = Connector(Arc::new(move |_profile| {
        let client: Arc<dyn IamClient> = replacement.clone();
        Box::pin(async move { client })
    }));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let settings = Settings {
        connector: Some(connector),
        ..Settings::default()
    };
    let worker = Worker::new(old, tx, &settings);
    old_signal.record(RetryReason::Throttled);
    assert_eq!(
        next(&mut rx).await,
        Action::Retrying(Retries {
            total: 1,
            last: Some(RetryReason::Throttled)
        })
    );
    assert!(
        worker
            .run_effect(Effect::SwitchProfile {
                profile: "b".to_owned()
            })
            .is_none()
    );
    assert!(matches!(
        next(&mut rx).await,
        Action::ProfileSwitched { .. }
    ));
    // A late retry of the old profile's call is no news about the new one.
    old_signal.record(RetryReason::Unavailable);
    new_signal.record(RetryReason::Network);
    assert_eq!(
        next(&mut rx).await,
        Action::Retrying(Retries {
            total: 1,
            last: Some(RetryReason::Network)
        })
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .is_err(),
        "nothing else arrives"
    );
}
