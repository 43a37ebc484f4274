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
        .account
        .users()
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
    assert_eq!(state.account.users().total(), 36);
    assert_eq!(
        state.account.list,
        ListStatus::Done { pages: 2 },
        "two pages of 20"
    );
    assert!(matches!(state.account.report, ReportStatus::Loaded(_)));
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
    for row in state.account.users().rows() {
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
    assert!(matches!(state.account.report, ReportStatus::Denied(_)));
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
        .account
        .users()
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
    for row in state.account.users().rows() {
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
        let clients = iamkeys::worker::Clients::from(replacement.clone());
        Box::pin(async move { clients })
    }));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let settings = Settings {
        connector: Some(connector),
        ..Settings::default()
    };
    let worker = Worker::new(old, tx, &settings);
    old_signal.record(RetryReason::Throttled, "IAM");
    assert_eq!(
        next(&mut rx).await,
        Action::Retrying(Retries {
            total: 1,
            last: Some(RetryReason::Throttled),
            service: Some("IAM"),
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
    old_signal.record(RetryReason::Unavailable, "IAM");
    new_signal.record(RetryReason::Network, "IAM");
    assert_eq!(
        next(&mut rx).await,
        Action::Retrying(Retries {
            total: 1,
            last: Some(RetryReason::Network),
            service: Some("IAM"),
        })
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), rx.recv())
            .await
            .is_err(),
        "nothing else arrives"
    );
}

/// Issue 13, item 1, at the worker: a change confirmed for another profile
/// or another account is refused before anything is sent.
#[tokio::test]
async fn the_worker_refuses_a_change_bound_to_another_account() {
    use iamkeys::effect::{Actor, Change, Effect};
    use iamkeys::iam::{ErrorKind, IamClient};
    use iamkeys::worker::{Settings, Worker};
    let account = demo::account(Utc::now(), Duration::ZERO);
    let identity = account.caller_identity().await.unwrap();
    let (user, key) = {
        let first = account.list_users(None).await.unwrap().items[0]
            .name
            .clone();
        let keys = account.list_access_keys(&first, None).await.unwrap().items;
        (first, keys[0].clone())
    };
    let account = Arc::new(account);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let settings = Settings {
        profile: Some("alpha".into()),
        ..Settings::default()
    };
    let worker = Worker::new(account.clone(), tx, &settings);
    let change = || Change::SetStatus {
        user: user.clone(),
        key_id: key.id.clone(),
        status: iamkeys::model::KeyStatus::Inactive,
    };
    for (profile, account_id, why) in [
        (
            "beta",
            identity.account_id.clone(),
            "profile in use is now alpha",
        ),
        (
            "alpha",
            "999999999999".to_owned(),
            "credentials in use are account",
        ),
        // Issue 21 §2: an empty account never matches anything.
        ("alpha", String::new(), "an account ID is 12 digits"),
    ] {
        let actor = Actor {
            profile: profile.into(),
            account_id: Some(account_id),
            caller_arn: None,
        };
        assert!(
            worker
                .run_effect(Effect::Mutate {
                    id: 1,
                    change: change(),
                    actor,
                })
                .is_none()
        );
        let Some(Action::Mutated {
            result: Err(err), ..
        }) = rx.recv().await
        else {
            panic!("a refusal")
        };
        assert_eq!(err.kind, ErrorKind::Refused);
        assert!(err.detail.contains(why), "{}", err.detail);
        assert!(err.detail.contains("Nothing was sent"), "{}", err.detail);
    }
    let now = account.list_access_keys(&user, None).await.unwrap().items;
    assert!(
        now.iter().any(|k| k.id == key.id && k.status == key.status),
        "unchanged"
    );
    // The right profile and account: it goes through.
    let actor = Actor {
        profile: "alpha".into(),
        account_id: Some(identity.account_id.clone()),
        caller_arn: None,
    };
    let _ = worker.run_effect(Effect::Mutate {
        id: 2,
        change: change(),
        actor,
    });
    let Some(Action::Mutated { result, .. }) = rx.recv().await else {
        panic!("a result")
    };
    assert!(result.is_ok(), "{result:?}");
}
