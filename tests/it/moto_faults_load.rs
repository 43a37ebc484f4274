//! Faults met by the real update loop, worker and aws-sdk-iam — with
//! iamkeys' own retry policy — through the fault-injecting proxy in front of
//! moto: loads end with exactly the fault-free result or with an error that
//! `r` recovers from; changes end in the right server state, never twice.
//!
//! `IAMKEYS_FAULT_RUNS` (default 2) sets how many faulty loads each fault
//! kind gets; each run prints its figures (`--no-capture` shows them).

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use crossterm::event::KeyCode;
use iamkeys::action::Action;
use iamkeys::headless::settle_with;
use iamkeys::iam::ErrorKind;
use iamkeys::iam::retries::RetryReason;
use iamkeys::iam::sdk::SdkIam;
use iamkeys::report::Report;
use iamkeys::state::{IdentityStatus, ListStatus, Modal, ReportStatus, State};
use iamkeys::ui::Theme;
use iamkeys::worker::Settings;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::common::flows::{ch, key, select_key, select_user, typed};
use crate::common::moto::{Moto, more_users, policy_config_at, seed, seeded_key, server_keys};
use crate::common::proxy::{Fault, Proxy};
use crate::common::states::{fresh, now};

const T: Duration = Duration::from_mins(1);

/// moto, seeded, behind the fault proxy.
struct Account {
    _moto: Moto,
    proxy: Proxy,
    iam: aws_sdk_iam::Client,
    keys: Vec<(String, Vec<String>)>,
}

impl Account {
    async fn new() -> Self {
        let moto = Moto::start();
        let iam = moto.iam().await;
        let keys = seed(&iam, &more_users()).await;
        // IAM now holds a credential report: every load below takes the
        // same (cached-report) path, so their audits compare equal.
        iam.generate_credential_report().send().await.unwrap();
        let proxy = Proxy::start(moto.port).await;
        Self {
            _moto: moto,
            proxy,
            iam,
            keys,
        }
    }

    /// A new client through the proxy with iamkeys' retry policy.
    async fn client(&self, max_attempts: u32, attempt_timeout: Duration) -> Arc<SdkIam> {
        let config = policy_config_at(self.proxy.endpoint(), max_attempts, attempt_timeout).await;
        Arc::new(SdkIam::new(&config))
    }

    async fn default_client(&self) -> Arc<SdkIam> {
        self.client(5, Duration::from_secs(20)).await
    }

    fn key_of(&self, user: &str, index: usize) -> String {
        seeded_key(&self.keys, user, index)
    }

    async fn server_keys(&self, user: &str) -> Vec<(String, StatusType)> {
        server_keys(&self.iam, user).await
    }
}

/// The worker as in use, but with one round of its own after the SDK's
/// retries of a throttled read, and short waits.
fn settings() -> Settings {
    Settings {
        concurrency: 4,
        report_backoff: Duration::from_millis(20),
        throttle_rounds: 1,
        throttle_backoff: Duration::from_millis(10),
        ..Settings::default()
    }
}

async fn drive(state: &mut State, client: &Arc<SdkIam>, actions: Vec<Action>) {
    settle_with(state, client.clone(), &settings(), actions, T)
        .await
        .unwrap();
}

async fn load(client: &Arc<SdkIam>) -> State {
    let mut state = fresh();
    drive(&mut state, client, vec![Action::Load]).await;
    state
}

/// Everything the audit shows, without the times of the run itself.
fn audit(state: &State) -> serde_json::Value {
    let mut value = serde_json::to_value(Report::from_account(
        &state.account,
        &state.session.profile,
        now(),
    ))
    .unwrap();
    value["credential_report_generated_at"] = serde_json::Value::Null;
    for account in value["accounts"].as_array_mut().unwrap() {
        account["credential_report_generated_at"] = serde_json::Value::Null;
    }
    value
}

fn status_bar(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(140, 40)).unwrap();
    terminal
        .draw(|frame| iamkeys::ui::render(state, &Theme::default(), frame))
        .unwrap();
    let buffer = terminal.backend().buffer();
    let last = buffer.area.height - 1;
    (0..buffer.area.width)
        .map(|x| buffer[(x, last)].symbol())
        .collect()
}

fn runs() -> usize {
    std::env::var("IAMKEYS_FAULT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

#[tokio::test(flavor = "multi_thread")]
async fn loads_under_throttling_5xx_resets_end_in_the_fault_free_audit() {
    let account = Account::new().await;
    let clean = load(&account.default_client().await).await;
    assert!(clean.account.backoff.is_none());
    let expected = audit(&clean);
    assert_eq!(expected["users"].as_array().unwrap().len(), 9);
    let requests = account.proxy.actions().len();
    for (fault, every, reason) in [
        (Fault::Throttle, 3, RetryReason::Throttled),
        (Fault::Unavailable, 4, RetryReason::Unavailable),
        (Fault::Reset, 5, RetryReason::Network),
    ] {
        for run in 1..=runs() {
            let client = account.default_client().await;
            let retries = iamkeys::iam::IamClient::retries(client.as_ref()).unwrap();
            let before = account.proxy.actions().len();
            account.proxy.inject(fault, every, &[]);
            let started = std::time::Instant::now();
            let state = load(&client).await;
            let took = started.elapsed();
            let injected = account.proxy.heal();
            let sent = account.proxy.actions().len() - before;
            println!(
                "{fault:?} on 1 in {every}: run {run}: {sent} requests, {injected} faulted, {took:.2?}, audit equal: {}",
                audit(&state) == expected
            );
            assert!(
                injected >= requests / every / 2,
                "{fault:?}: only {injected} faults"
            );
            assert_eq!(audit(&state), expected, "{fault:?} run {run}");
            assert!(state.view.notice.is_none(), "{:?}", state.view.notice);
            // Every fault was retried by the SDK, and the UI was told.
            assert_eq!(retries.borrow().total, injected as u64, "{fault:?}");
            let backoff = state.account.backoff.expect("the UI heard of the retries");
            assert_eq!(backoff.reason, Some(reason));
            let bar = status_bar(&state);
            assert!(
                // Faults land on every service's requests: the bar names
                // the one whose request was retried last.
                bar.contains(&format!(
                    "backing off: {}",
                    reason.label(backoff.service.expect("the service is named"))
                )),
                "{bar}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_load_failing_past_the_retries_shows_the_error_and_r_loads_again() {
    let account = Account::new().await;
    let expected = audit(&load(&account.default_client().await).await);
    for (fault, kind, said) in [
        (
            Fault::Unavailable,
            ErrorKind::Unavailable,
            "IAM is unavailable right now",
        ),
        (
            Fault::Reset,
            ErrorKind::Network,
            "Cannot reach the IAM endpoint",
        ),
        (
            Fault::Throttle,
            ErrorKind::Throttling,
            "IAM is throttling requests",
        ),
    ] {
        // Three attempts (the `max_attempts` setting), then the error;
        // throttling gets the worker's rounds on top.
        let client = account.client(3, Duration::from_secs(20)).await;
        let before = account.proxy.count("ListUsers");
        account.proxy.inject(fault, 1, &["ListUsers"]);
        let mut state = load(&client).await;
        println!(
            "{fault:?} on every ListUsers: {} attempts, then: {:?}",
            account.proxy.count("ListUsers") - before,
            state.view.notice
        );
        // A throttled read gets one more round of the SDK's attempts.
        let attempts = if fault == Fault::Throttle { 6 } else { 3 };
        assert_eq!(
            account.proxy.count("ListUsers") - before,
            attempts,
            "{fault:?}"
        );
        let ListStatus::Failed(err) = &state.account.list else {
            panic!("{fault:?}: {:?}", state.account.list)
        };
        assert_eq!(err.kind, kind);
        let notice = state.view.notice.clone().unwrap();
        assert!(
            notice.contains(said) && notice.contains("press r"),
            "{notice}"
        );
        assert!(status_bar(&state).contains(said));
        // The identity and the report still came in.
        assert!(matches!(state.account.identity, IdentityStatus::Known(_)));
        account.proxy.heal();
        drive(&mut state, &client, vec![ch('r')]).await;
        assert_eq!(audit(&state), expected, "after r, {fault:?}");
        assert!(state.view.notice.is_none());
    }
    // The credential report failing: the users are there, the error said.
    let client = account.client(3, Duration::from_secs(20)).await;
    let before = account.proxy.count("GenerateCredentialReport");
    account
        .proxy
        .inject(Fault::Unavailable, 1, &["GenerateCredentialReport"]);
    let mut state = load(&client).await;
    assert_eq!(account.proxy.count("GenerateCredentialReport") - before, 3);
    let ReportStatus::Failed(err) = &state.account.report else {
        panic!("{:?}", state.account.report)
    };
    assert_eq!(err.kind, ErrorKind::Unavailable);
    // Nine users, and the root user's row (GetAccountSummary said).
    assert_eq!(state.view.table.len(), 10);
    assert_eq!(state.view.table.users_in_view(), 9);
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains("iam:GenerateCredentialReport: IAM is unavailable right now")
            && notice.contains("press r"),
        "{notice}"
    );
    account.proxy.heal();
    drive(&mut state, &client, vec![ch('r')]).await;
    assert_eq!(audit(&state), expected, "after r, the report too");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalled_attempt_times_out_and_is_retried() {
    let account = Account::new().await;
    let expected = audit(&load(&account.default_client().await).await);
    let client = account.client(5, Duration::from_secs(2)).await;
    let before = account.proxy.count("ListUsers");
    account
        .proxy
        .inject_first(Fault::Stall(10_000), &["ListUsers"]);
    let started = std::time::Instant::now();
    let state = load(&client).await;
    let took = started.elapsed();
    assert_eq!(account.proxy.injected(), 1);
    assert_eq!(account.proxy.count("ListUsers") - before, 2);
    assert_eq!(audit(&state), expected);
    assert!(
        took < Duration::from_secs(10),
        "waited out the stall: {took:?}"
    );
    assert_eq!(
        state.account.backoff.map(|b| b.reason),
        Some(Some(RetryReason::Network))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_credentials_mid_session_fail_clearly_and_change_nothing() {
    let account = Account::new().await;
    let client = account.default_client().await;
    let mut state = load(&client).await;
    let expected = audit(&state);
    let alice = account.key_of("alice", 0);
    account.proxy.inject(Fault::Expired, 1, &[]);
    select_key(&mut state, "alice", &alice);
    drive(&mut state, &client, vec![ch('i'), ch('y')]).await;
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains("credentials of profile 'test' were rejected or have expired")
            && message.contains("renew them"),
        "{message}"
    );
    // The worker's account check (GetCallerIdentity, before anything is
    // sent) met the expired credentials: nothing was sent, nothing changed.
    assert_eq!(account.proxy.count("UpdateAccessKey"), 0);
    assert_eq!(
        account.server_keys("alice").await,
        vec![(alice.clone(), StatusType::Active)]
    );
    // A refresh says the same; once renewed, the account is back as it was.
    drive(&mut state, &client, vec![key(KeyCode::Esc), ch('r')]).await;
    let notice = state.view.notice.clone().unwrap();
    assert!(notice.contains("rejected or have expired"), "{notice}");
    account.proxy.heal();
    drive(&mut state, &client, vec![ch('r')]).await;
    assert_eq!(audit(&state), expected);
}

#[tokio::test(flavor = "multi_thread")]
async fn access_denied_on_the_account_alias_alone_leaves_it_out() {
    let account = Account::new().await;
    account
        .iam
        .create_account_alias()
        .account_alias("acme-prod")
        .send()
        .await
        .unwrap();
    let clean = load(&account.default_client().await).await;
    let IdentityStatus::Known(identity) = &clean.account.identity else {
        panic!("{:?}", clean.account.identity)
    };
    assert_eq!(identity.alias.as_deref(), Some("acme-prod"));
    account.proxy.deny("ListAccountAliases");
    let state = load(&account.default_client().await).await;
    let IdentityStatus::Known(identity) = &state.account.identity else {
        panic!("{:?}", state.account.identity)
    };
    assert_eq!(identity.alias, None);
    assert!(state.view.notice.is_none(), "{:?}", state.view.notice);
    assert!(state.view.modal.is_none());
    assert_eq!(audit(&state), audit(&clean));
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_whose_answer_is_lost_land_once() {
    let account = Account::new().await;
    let client = account.default_client().await;
    let mut state = load(&client).await;

    // Make inactive: applied, answer lost, retried (same state again).
    let alice = account.key_of("alice", 0);
    account
        .proxy
        .inject_first(Fault::LoseAnswer, &["UpdateAccessKey"]);
    select_key(&mut state, "alice", &alice);
    drive(&mut state, &client, vec![ch('i'), ch('y')]).await;
    assert_eq!(account.proxy.heal(), 1);
    assert_eq!(account.proxy.count("UpdateAccessKey"), 2);
    assert_eq!(
        account.server_keys("alice").await,
        vec![(alice.clone(), StatusType::Inactive)]
    );
    assert_eq!(
        state.view.notice.as_deref(),
        Some(format!("alice: {alice} is now Inactive.").as_str())
    );

    // Delete: applied, answer lost; the retry finds it gone.
    let erin = account.key_of("erin", 0);
    account
        .proxy
        .inject_first(Fault::LoseAnswer, &["DeleteAccessKey"]);
    select_key(&mut state, "erin", &erin);
    let mut actions = vec![ch('d')];
    actions.extend(typed(&erin));
    actions.push(key(KeyCode::Enter));
    drive(&mut state, &client, actions).await;
    assert_eq!(account.proxy.heal(), 1);
    assert_eq!(account.proxy.count("DeleteAccessKey"), 2);
    assert!(account.server_keys("erin").await.is_empty());
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains(&format!("{erin} is already gone")),
        "{notice}"
    );
    assert!(state.view.modal.is_none(), "{:?}", state.view.modal);

    // Create: applied, answer lost; never sent again, the new key reported.
    account
        .proxy
        .inject_first(Fault::LoseAnswer, &["CreateAccessKey"]);
    select_user(&mut state, "bob");
    drive(&mut state, &client, vec![ch('c'), ch('y')]).await;
    assert_eq!(account.proxy.heal(), 1);
    assert_eq!(account.proxy.count("CreateAccessKey"), 1);
    let made = account.server_keys("bob").await;
    assert_eq!(made.len(), 1, "one key, as asked");
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains(&format!("IAM created key {} anyway", made[0].0))
            && message.contains("make it inactive and delete it"),
        "{message}"
    );
    assert!(
        state
            .account
            .users()
            .get("bob")
            .unwrap()
            .listed_keys()
            .unwrap()
            .len()
            == 1,
        "the list shows the key"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn changes_meeting_a_5xx_land_once() {
    let account = Account::new().await;
    let client = account.default_client().await;
    let mut state = load(&client).await;
    let carol = account.key_of("carol", 1);
    account
        .proxy
        .inject_first(Fault::Unavailable, &["UpdateAccessKey"]);
    select_key(&mut state, "carol", &carol);
    drive(&mut state, &client, vec![ch('i'), ch('y')]).await;
    assert_eq!(account.proxy.heal(), 1);
    assert_eq!(account.proxy.count("UpdateAccessKey"), 2);
    assert!(
        account
            .server_keys("carol")
            .await
            .contains(&(carol.clone(), StatusType::Inactive))
    );
    let dave = account.key_of("dave", 0);
    account
        .proxy
        .inject_first(Fault::Unavailable, &["DeleteAccessKey"]);
    select_key(&mut state, "dave", &dave);
    let mut actions = vec![ch('d')];
    actions.extend(typed(&dave));
    actions.push(key(KeyCode::Enter));
    drive(&mut state, &client, actions).await;
    assert_eq!(account.proxy.heal(), 1);
    assert_eq!(account.proxy.count("DeleteAccessKey"), 2);
    let left = account.server_keys("dave").await;
    assert_eq!(left.len(), 1);
    assert_ne!(left[0].0, dave);
    assert_eq!(
        state.view.notice.as_deref(),
        Some(format!("dave: {dave} was deleted.").as_str())
    );
    // A create meeting a 503 is tried again only after IAM shows no new key.
    account
        .proxy
        .inject_first(Fault::Unavailable, &["CreateAccessKey"]);
    select_user(&mut state, "bob");
    drive(&mut state, &client, vec![ch('c'), ch('y')]).await;
    assert_eq!(account.proxy.heal(), 1);
    assert_eq!(account.proxy.count("CreateAccessKey"), 2);
    let made = account.server_keys("bob").await;
    assert_eq!(made.len(), 1, "one key, as asked");
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.key_id, made[0].0);
}
