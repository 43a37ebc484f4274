//! Every key-lifecycle flow against moto, through the real update loop,
//! worker and aws-sdk-iam; each checked by reading the server state back.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use crossterm::event::KeyCode;
use iamkeys::action::Action;
use iamkeys::audit_log::AuditLog;
use iamkeys::headless::{settle, settle_with};
use iamkeys::iam::sdk::SdkIam;
use iamkeys::state::{Modal, Outcome, SaveState, State};
use iamkeys::update::update;
use iamkeys::worker::Settings;

use crate::common::flows::{ch, key, select_key, select_user, typed};
use crate::common::moto::{Moto, SeedUser, seed, seeded_key, server_keys, standard_users, user};
use crate::common::proxy::Proxy;
use crate::common::states::fresh;

const T: Duration = Duration::from_secs(30);

/// moto behind a counting proxy, seeded, and a state loaded through it.
struct Account {
    _moto: Moto,
    proxy: Proxy,
    iam: aws_sdk_iam::Client,
    client: Arc<SdkIam>,
    keys: Vec<(String, Vec<String>)>,
}

impl Account {
    async fn new(users: &[SeedUser]) -> Self {
        let moto = Moto::start();
        let iam = moto.iam().await;
        let keys = seed(&iam, users).await;
        let proxy = Proxy::start(moto.port).await;
        let config = crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDTEST", "s").await;
        let client = Arc::new(SdkIam::new(&config));
        Self {
            _moto: moto,
            proxy,
            iam,
            client,
            keys,
        }
    }

    async fn loaded(&self) -> State {
        let mut state = fresh();
        settle(&mut state, self.client.clone(), 4, vec![Action::Load], T)
            .await
            .unwrap();
        state
    }

    async fn drive(&self, state: &mut State, actions: Vec<Action>) {
        settle(state, self.client.clone(), 4, actions, T)
            .await
            .unwrap();
    }

    fn key_of(&self, user: &str, index: usize) -> String {
        seeded_key(&self.keys, user, index)
    }

    async fn server_keys(&self, user: &str) -> Vec<(String, StatusType)> {
        server_keys(&self.iam, user).await
    }

    async fn status_on_server(&self, user: &str, key_id: &str) -> Option<StatusType> {
        self.server_keys(user)
            .await
            .into_iter()
            .find(|(k, _)| k == key_id)
            .map(|(_, s)| s)
    }
}

#[tokio::test]
async fn create_shows_the_secret_once_and_the_server_has_the_key() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    select_user(&mut state, "alice");
    account.drive(&mut state, vec![ch('c'), ch('y')]).await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let new_id = dialog.key_id.clone();
    assert_eq!(dialog.secret.expose().len(), 40);
    let server = account.server_keys("alice").await;
    assert_eq!(server.len(), 2);
    assert!(
        server
            .iter()
            .any(|(k, s)| *k == new_id && *s == StatusType::Active)
    );
    // The table was refreshed from IAM.
    let listed = state
        .account
        .users()
        .get("alice")
        .unwrap()
        .listed_keys()
        .unwrap();
    assert!(listed.iter().any(|k| k.id == new_id));
    account
        .drive(&mut state, vec![key(KeyCode::Esc), ch('y')])
        .await;
    assert_eq!(state.view.modal, None);
    assert_eq!(account.proxy.count("CreateAccessKey"), 1);
}

#[tokio::test]
async fn a_user_with_two_keys_gets_no_create_request() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    select_user(&mut state, "carol");
    account.drive(&mut state, vec![ch('c'), ch('y')]).await;
    assert_eq!(account.proxy.count("CreateAccessKey"), 0);
    assert_eq!(account.server_keys("carol").await.len(), 2);
}

#[tokio::test]
async fn make_inactive_then_active_again() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let key_id = account.key_of("alice", 0);
    select_key(&mut state, "alice", &key_id);
    // moto made the key at the real time: the tag is dated by the same clock
    // (a tag dated before its key was made is stale, issue 21 §4).
    update(&mut state, Action::Tick(chrono::Utc::now()));
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    assert_eq!(
        account.status_on_server("alice", &key_id).await,
        Some(StatusType::Inactive)
    );
    let listed = &state
        .account
        .users()
        .get("alice")
        .unwrap()
        .listed_keys()
        .unwrap()[0];
    assert_eq!(
        listed.status,
        iamkeys::model::KeyStatus::Inactive,
        "the pane shows the server's state"
    );
    // Issue 16, staged retirement: when, and who, is kept in a user tag.
    let tag = format!("iamkeys:inactive-since:{key_id}");
    let tags = user_tags(&account.iam, "alice").await;
    let value = &tags.iter().find(|(k, _)| *k == tag).expect("the tag").1;
    let at = state.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert!(value.starts_with(&format!("{at} ")), "{value}");
    let Some(iamkeys::account::users::Since::Honoured { at: since, .. }) = state
        .account
        .users()
        .get("alice")
        .unwrap()
        .inactive_since(&key_id, state.now)
    else {
        panic!(
            "the tag is honoured: {:?}",
            state
                .account
                .users()
                .get("alice")
                .unwrap()
                .inactive_since(&key_id, state.now)
        )
    };
    assert_eq!(since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), at);

    select_key(&mut state, "alice", &key_id);
    account
        .drive(
            &mut state,
            vec![ch('a'), key(KeyCode::Tab), key(KeyCode::Enter)],
        )
        .await;
    assert_eq!(
        account.status_on_server("alice", &key_id).await,
        Some(StatusType::Active)
    );
    assert_eq!(account.proxy.count("UpdateAccessKey"), 2);
    assert!(
        user_tags(&account.iam, "alice")
            .await
            .iter()
            .all(|(k, _)| *k != tag),
        "made active again: the tag is gone"
    );
}

async fn user_tags(iam: &aws_sdk_iam::Client, user: &str) -> Vec<(String, String)> {
    iam.list_user_tags()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// Deleting a key iamkeys made inactive removes its inactive-since tag.
#[tokio::test]
async fn deleting_a_retired_key_removes_its_tag() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let key_id = account.key_of("alice", 0);
    select_key(&mut state, "alice", &key_id);
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    let tag = format!("iamkeys:inactive-since:{key_id}");
    assert!(
        user_tags(&account.iam, "alice")
            .await
            .iter()
            .any(|(k, _)| *k == tag)
    );
    select_key(&mut state, "alice", &key_id);
    account
        .drive(
            &mut state,
            vec![ch('d'), Action::Paste(key_id.clone()), key(KeyCode::Enter)],
        )
        .await;
    assert!(account.server_keys("alice").await.is_empty());
    assert!(
        user_tags(&account.iam, "alice")
            .await
            .iter()
            .all(|(k, _)| *k != tag),
        "the tag went with the key"
    );
    assert_eq!(account.proxy.count("UntagUser"), 1);
}

/// A refused `TagUser` loses nothing but the date: the key is inactive, and
/// the screen says the date is not remembered.
#[tokio::test]
async fn a_refused_inactive_since_tag_is_said_and_the_key_stays_inactive() {
    let account = Account::new(&standard_users()).await;
    account.proxy.deny("TagUser");
    let mut state = account.loaded().await;
    let key_id = account.key_of("alice", 0);
    select_key(&mut state, "alice", &key_id);
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    assert_eq!(
        account.status_on_server("alice", &key_id).await,
        Some(StatusType::Inactive)
    );
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains("not remembered") && notice.contains("iam:TagUser denied"),
        "{notice}"
    );
    assert!(
        state.view.modal.is_none(),
        "no error dialog for the bookkeeping"
    );
}

#[tokio::test]
async fn bulk_inactive_with_one_key_deleted_meanwhile() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let carol = [account.key_of("carol", 0), account.key_of("carol", 1)];
    let alice = account.key_of("alice", 0);
    for (user, id) in [
        ("carol", &carol[0]),
        ("carol", &carol[1]),
        ("alice", &alice),
    ] {
        select_key(&mut state, user, id);
        update(&mut state, ch(' '));
    }
    // Someone else deletes one of the marked keys.
    account
        .iam
        .delete_access_key()
        .user_name("carol")
        .access_key_id(&carol[1])
        .send()
        .await
        .unwrap();
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    let Some(Modal::Progress(progress)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(progress.finished());
    for (target, outcome) in &progress.items {
        if target.key_id == carol[1] {
            assert!(
                matches!(outcome, Outcome::Failed(why) if why.contains("no longer exists")),
                "{outcome:?}"
            );
        } else {
            assert_eq!(*outcome, Outcome::Done, "{}", target.key_id);
        }
    }
    assert_eq!(
        account.status_on_server("carol", &carol[0]).await,
        Some(StatusType::Inactive)
    );
    assert_eq!(
        account.status_on_server("alice", &alice).await,
        Some(StatusType::Inactive)
    );
    assert_eq!(
        account.proxy.count("UpdateAccessKey"),
        3,
        "each key once, none twice"
    );
}

#[tokio::test]
async fn delete_refuses_active_and_wrong_ids_then_deletes() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let active = account.key_of("dave", 1);
    let inactive = account.key_of("dave", 0);
    select_key(&mut state, "dave", &active);
    account.drive(&mut state, vec![ch('d'), ch('y')]).await;
    select_key(&mut state, "dave", &inactive);
    let mut actions = vec![ch('d')];
    actions.extend(typed("AKIAWRONG"));
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    assert_eq!(account.proxy.count("DeleteAccessKey"), 0);
    assert_eq!(account.server_keys("dave").await.len(), 2);
    update(&mut state, key(KeyCode::Esc));
    select_key(&mut state, "dave", &inactive);
    account
        .drive(
            &mut state,
            vec![
                ch('d'),
                Action::Paste(inactive.clone()),
                key(KeyCode::Enter),
            ],
        )
        .await;
    let server = account.server_keys("dave").await;
    assert_eq!(server, vec![(active.clone(), StatusType::Active)]);
    assert_eq!(account.proxy.count("DeleteAccessKey"), 1);
}

#[tokio::test]
async fn read_only_sends_no_mutating_call_at_all() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    state.session.read_only = true;
    let before = account.proxy.actions().len();
    select_user(&mut state, "bob");
    account.drive(&mut state, vec![ch('c'), ch('y')]).await;
    let alice = account.key_of("alice", 0);
    select_key(&mut state, "alice", &alice);
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    let inactive = account.key_of("erin", 0);
    select_key(&mut state, "erin", &inactive);
    account.drive(&mut state, vec![ch('a'), ch('y')]).await;
    select_key(&mut state, "erin", &inactive);
    let mut actions = vec![ch('d')];
    actions.extend(typed(&inactive));
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    assert!(
        !account.proxy.actions().is_empty() && before > 0,
        "the proxy saw the load"
    );
    assert_eq!(
        account.proxy.mutating_calls(),
        0,
        "{:?}",
        account.proxy.actions()
    );
    assert_eq!(
        account.status_on_server("alice", &alice).await,
        Some(StatusType::Active)
    );
    assert_eq!(account.server_keys("erin").await.len(), 1);
    assert_eq!(account.server_keys("bob").await.len(), 0);
}

#[tokio::test]
async fn the_audit_log_records_each_attempt_without_the_secret() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"));
    let settings = Settings {
        concurrency: 2,
        audit: Some(audit.clone()),
        ..Settings::default()
    };
    select_user(&mut state, "bob");
    settle_with(
        &mut state,
        account.client.clone(),
        &settings,
        vec![ch('c'), ch('y')],
        T,
    )
    .await
    .unwrap();
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    let secret = dialog.secret.expose().to_owned();
    let new_key = dialog.key_id.clone();
    settle_with(
        &mut state,
        account.client.clone(),
        &settings,
        vec![key(KeyCode::Esc), ch('y')],
        T,
    )
    .await
    .unwrap();
    select_key(&mut state, "bob", &new_key);
    settle_with(
        &mut state,
        account.client.clone(),
        &settings,
        vec![ch('i'), ch('y')],
        T,
    )
    .await
    .unwrap();
    // A change that fails is logged too.
    account
        .iam
        .delete_access_key()
        .user_name("bob")
        .access_key_id(&new_key)
        .send()
        .await
        .unwrap();
    select_key(&mut state, "bob", &new_key);
    settle_with(
        &mut state,
        account.client.clone(),
        &settings,
        vec![ch('a'), ch('y')],
        T,
    )
    .await
    .unwrap();

    let text = std::fs::read_to_string(audit.path()).unwrap();
    assert!(
        !text.contains(&secret),
        "the secret is never in the audit log"
    );
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Each change: an attempt line before the call, then its outcome. Making
    // a key inactive is followed by the tag that remembers when.
    assert_eq!(lines.len(), 8);
    let fields = |i: usize| {
        (
            lines[i]["action"].as_str().unwrap().to_owned(),
            lines[i]["user"].as_str().unwrap().to_owned(),
            lines[i]["access_key_id"].as_str().map(ToOwned::to_owned),
            lines[i]["outcome"].as_str().unwrap().to_owned(),
        )
    };
    let line = |action: &str, key: Option<&String>, outcome: &str| {
        (
            action.to_owned(),
            "bob".to_owned(),
            key.cloned(),
            outcome.to_owned(),
        )
    };
    assert_eq!(fields(0), line("CreateAccessKey", None, "attempt"));
    assert_eq!(fields(1), line("CreateAccessKey", Some(&new_key), "ok"));
    assert_eq!(
        fields(2),
        line("UpdateAccessKey:Inactive", Some(&new_key), "attempt")
    );
    assert_eq!(
        fields(3),
        line("UpdateAccessKey:Inactive", Some(&new_key), "ok")
    );
    assert_eq!(
        fields(4),
        line("TagUser:inactive-since", Some(&new_key), "attempt")
    );
    assert_eq!(
        fields(5),
        line("TagUser:inactive-since", Some(&new_key), "ok")
    );
    assert_eq!(
        fields(6),
        line("UpdateAccessKey:Active", Some(&new_key), "attempt")
    );
    assert_eq!(
        fields(7),
        line("UpdateAccessKey:Active", Some(&new_key), "error")
    );
    for line in &lines {
        assert_eq!(line["profile"], "test");
        assert_eq!(line["account_id"], "123456789012");
        assert!(line["caller_arn"].as_str().unwrap().starts_with("arn:aws:"));
        assert!(line["time"].as_str().unwrap().contains('T'));
    }
}

#[tokio::test]
async fn the_new_key_is_written_to_the_credentials_file_with_mode_0600() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".aws/credentials");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "[existing]\naws_access_key_id = AKIAOLD\n").unwrap();
    state.session.credentials_file = Some(path.clone());
    select_user(&mut state, "bob");
    account.drive(&mut state, vec![ch('c'), ch('y')]).await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    let (secret, key_id) = (dialog.secret.expose().to_owned(), dialog.key_id.clone());
    // Name it "existing": refused until confirmed a second time.
    let mut actions = vec![ch('w')];
    actions.extend(std::iter::repeat_n(
        key(KeyCode::Backspace),
        "iamkeys-bob".len(),
    ));
    actions.extend(typed("existing"));
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert_eq!(
        dialog.save,
        SaveState::ConfirmOverwrite {
            name: "existing".into()
        }
    );
    assert!(
        std::fs::read_to_string(&path).unwrap().contains("AKIAOLD"),
        "not overwritten yet"
    );
    account.drive(&mut state, vec![ch('y')]).await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(
        matches!(dialog.save, SaveState::Saved { .. }),
        "{:?}",
        dialog.save
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        format!("[existing]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The saved profile works: sign a request with it.
    let config = crate::common::moto::sdk_config_at(
        format!("http://127.0.0.1:{}", account.proxy.port),
        &key_id,
        &secret,
    )
    .await;
    aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_credentials_path_that_cannot_be_written_keeps_the_secret_on_screen() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    state.session.credentials_file = Some(blocker.join("credentials"));
    select_user(&mut state, "bob");
    account.drive(&mut state, vec![ch('c'), ch('y')]).await;
    account
        .drive(&mut state, vec![ch('w'), key(KeyCode::Enter)])
        .await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    let SaveState::Failed { message } = &dialog.save else {
        panic!("{:?}", dialog.save)
    };
    assert!(message.contains("Cannot"), "{message}");
    assert_eq!(
        dialog.secret.expose().len(),
        40,
        "the secret is still there to copy"
    );
}

#[tokio::test]
async fn the_key_iamkeys_is_signed_with_gets_a_lockout_warning() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[SeedUser {
            name: "admin",
            ..SeedUser::default()
        }],
    )
    .await;
    let made = iam
        .create_access_key()
        .user_name("admin")
        .send()
        .await
        .unwrap();
    let own = made.access_key().unwrap();
    let config = crate::common::moto::sdk_config_at(
        moto.endpoint(),
        own.access_key_id(),
        own.secret_access_key(),
    )
    .await;
    let client = Arc::new(SdkIam::new(&config));
    let mut state = fresh();
    settle(&mut state, client.clone(), 2, vec![Action::Load], T)
        .await
        .unwrap();
    let identity = state.account.known_identity().unwrap();
    assert_eq!(identity.access_key_id.as_deref(), Some(own.access_key_id()));
    assert!(
        identity.arn.ends_with(":user/admin"),
        "moto answers with the key's user: {}",
        identity.arn
    );
    select_key(&mut state, "admin", own.access_key_id());
    update(&mut state, ch('i'));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 30)).unwrap();
    terminal
        .draw(|f| iamkeys::ui::render(&state, &iamkeys::ui::Theme::default(), f))
        .unwrap();
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("This is the key iamkeys is signed with"),
        "{screen}"
    );
    assert!(screen.contains("locks this session out"), "{screen}");
}

/// Issue 13, item 3: the attempt is recorded before the call; when the
/// audit log cannot be written, the change is refused and IAM is untouched.
#[tokio::test]
async fn an_unwritable_audit_log_refuses_the_change() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("not-a-dir");
    std::fs::write(&blocked, "a file where the log's directory should be").unwrap();
    let settings = Settings {
        concurrency: 2,
        audit: Some(AuditLog::new(blocked.join("audit.jsonl"))),
        ..Settings::default()
    };
    let alice = account.key_of("alice", 0);
    select_key(&mut state, "alice", &alice);
    settle_with(
        &mut state,
        account.client.clone(),
        &settings,
        vec![ch('i'), ch('y')],
        T,
    )
    .await
    .unwrap();
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains("cannot be written") && message.contains("nothing was changed"),
        "{message}"
    );
    assert_eq!(
        account.proxy.count("UpdateAccessKey"),
        0,
        "nothing was sent"
    );
    assert_eq!(
        account.status_on_server("alice", &alice).await,
        Some(StatusType::Active)
    );
}

/// Issue 13, item 2: someone makes the key active again after iamkeys made
/// it inactive; the delete dialog still shows Inactive, but IAM is asked
/// first and nothing is deleted.
#[tokio::test]
async fn delete_checks_iam_not_the_screen() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let erin = account.key_of("erin", 0);
    select_key(&mut state, "erin", &erin);
    // Inactive on screen; made active from outside meanwhile.
    account
        .iam
        .update_access_key()
        .user_name("erin")
        .access_key_id(&erin)
        .status(StatusType::Active)
        .send()
        .await
        .unwrap();
    let mut actions = vec![ch('d')];
    actions.extend(typed(&erin));
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains("made Active again meanwhile") && message.contains("nothing was deleted"),
        "{message}"
    );
    assert_eq!(account.proxy.count("DeleteAccessKey"), 0);
    assert_eq!(
        account.status_on_server("erin", &erin).await,
        Some(StatusType::Active)
    );
}

/// Issue 16, `W`: a waiver written from the findings dialog lands in the
/// user's tags on the server, marks the finding on screen, and the same
/// dialog removes it. Bad dates are refused before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiver_written_with_w_reaches_the_server_and_is_removed_the_same_way() {
    let account = Account::new(&[user("legacy", true, vec![true])]).await;
    let key_id = seeded_key(&account.keys, "legacy", 0);
    // Issue 21 §3: the operator signs as an approver's role session, as
    // CloudTrail (the proxy's fake) records the TagUser.
    account.proxy.identify(
        "AKIDTEST",
        "arn:aws:sts::123456789012:assumed-role/SecurityAudit/operator",
        Some(crate::waivers::APPROVER_ROLE),
    );
    let mut state = account.loaded().await;
    state.account.thresholds.waiver_approvers = vec!["arn:aws:iam::*:role/SecurityAudit".into()];
    select_key(&mut state, "legacy", &key_id);
    update(&mut state, key(KeyCode::Enter));
    assert!(matches!(state.view.modal, Some(Modal::Findings { .. })));
    update(&mut state, ch('W'));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.choices[0].finding.as_str(), "initial_setup_key");
    assert_eq!(dialog.choices[0].key_id.as_deref(), Some(key_id.as_str()));

    // A date past max_waiver_days (180) is refused, nothing sent.
    update(&mut state, key(KeyCode::Tab));
    for _ in 0..10 {
        update(&mut state, key(KeyCode::Backspace));
    }
    for action in typed("2099-01-01") {
        update(&mut state, action);
    }
    update(&mut state, key(KeyCode::Tab));
    for action in typed("moves to a role") {
        update(&mut state, action);
    }
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(
        dialog
            .error
            .as_deref()
            .unwrap()
            .contains("more than 180 days"),
        "{dialog:?}"
    );

    let until = (state.now + chrono::TimeDelta::days(20))
        .date_naive()
        .to_string();
    update(&mut state, key(KeyCode::Tab));
    for _ in 0..10 {
        update(&mut state, key(KeyCode::Backspace));
    }
    for action in typed(&until) {
        update(&mut state, action);
    }
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!()
    };
    let (tag, value) = dialog.pending.clone().unwrap();
    assert_eq!(tag, format!("iamkeys:waive:initial_setup_key:{key_id}"));
    let value = value.unwrap();
    assert!(
        value.starts_with(&format!("{until} ")) && value.ends_with(" moves to a role"),
        "{value}"
    );
    account.drive(&mut state, vec![ch('y')]).await;

    let on_server = user_tags(&account.iam, "legacy").await;
    assert_eq!(on_server, [(tag.clone(), value.clone())]);
    let row = state.account.users().get("legacy").unwrap();
    assert!(
        !row.findings[0].open(),
        "the tag was read back, its writer found in CloudTrail: {:?}",
        row.findings
    );
    assert_eq!(account.proxy.count("LookupEvents"), 1);

    // The same dialog, an empty reason: the waiver is removed.
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('W'));
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.pending, Some((tag, None)));
    account.drive(&mut state, vec![ch('y')]).await;
    assert!(user_tags(&account.iam, "legacy").await.is_empty());
    assert!(state.account.users().get("legacy").unwrap().findings[0].open());
    assert_eq!(account.proxy.count("TagUser"), 1);
    assert_eq!(account.proxy.count("UntagUser"), 1);
}

/// Issue 16, rotation through the worker and the SDK: `R` makes the new
/// key and tags the user; a request signed with the new key makes IAM
/// record its use, which the watch sees; the old key then goes inactive
/// without a warning, and deleting it removes the tag.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_is_tagged_watched_until_the_new_key_is_used_and_ended_by_the_delete() {
    let account = Account::new(&[user("svc", false, vec![true])]).await;
    let old = account.key_of("svc", 0);
    let mut state = account.loaded().await;
    select_key(&mut state, "svc", &old);
    account.drive(&mut state, vec![ch('R'), ch('y')]).await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let (new, secret) = (dialog.key_id.clone(), dialog.secret.expose().to_owned());
    assert_eq!(account.server_keys("svc").await.len(), 2);
    let tag = format!("iamkeys:rotation:{old}");
    let tags = user_tags(&account.iam, "svc").await;
    let value = &tags.iter().find(|(k, _)| *k == tag).expect("tagged").1;
    assert!(value.starts_with(&format!("{new} 2026-")), "{value}");
    account
        .drive(&mut state, vec![key(KeyCode::Esc), ch('y')])
        .await;
    assert_eq!(
        state.account.rotation_of("svc", &old).map(|r| r.kept),
        Some(iamkeys::account::rotation::Kept::Tag)
    );
    assert!(
        state
            .account
            .new_key_used(&state.account.rotation_of("svc", &old).unwrap())
            .is_none()
    );

    // Whatever used the old key now signs with the new one.
    crate::common::moto::use_key(account.proxy.endpoint(), &new, &secret).await;
    let later = state.now + chrono::TimeDelta::seconds(31);
    account.drive(&mut state, vec![Action::Tick(later)]).await;
    let notice = state.view.notice.clone().unwrap_or_default();
    assert!(
        notice.contains(&format!("the new key {new} is in use")),
        "{notice}"
    );
    let tags = user_tags(&account.iam, "svc").await;
    let value = &tags
        .iter()
        .find(|(k, _)| *k == tag)
        .expect("still tagged")
        .1;
    assert_eq!(
        value.split(' ').count(),
        3,
        "the first use is recorded: {value}"
    );

    select_key(&mut state, "svc", &old);
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.warnings.is_empty(), "{:?}", dialog.warnings);
    account.drive(&mut state, vec![ch('y')]).await;
    assert_eq!(
        account.status_on_server("svc", &old).await,
        Some(StatusType::Inactive)
    );
    select_key(&mut state, "svc", &old);
    account
        .drive(
            &mut state,
            vec![ch('d'), Action::Paste(old.clone()), key(KeyCode::Enter)],
        )
        .await;
    assert_eq!(account.server_keys("svc").await.len(), 1);
    let tags = user_tags(&account.iam, "svc").await;
    assert!(
        tags.iter()
            .all(|(k, _)| !k.starts_with("iamkeys:rotation:")),
        "{tags:?}"
    );
    assert_eq!(state.account.rotation_of("svc", &old), None);
}

/// A rotation's create checks IAM, not the screen: the old key made
/// inactive from outside after the dialog opened means nothing is created.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_whose_old_key_changed_meanwhile_creates_nothing() {
    let account = Account::new(&[user("svc", false, vec![true])]).await;
    let old = account.key_of("svc", 0);
    let mut state = account.loaded().await;
    select_key(&mut state, "svc", &old);
    update(&mut state, ch('R'));
    account
        .iam
        .update_access_key()
        .user_name("svc")
        .access_key_id(&old)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    account.drive(&mut state, vec![ch('y')]).await;
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains("Inactive now") && message.contains("no key was created"),
        "{message}"
    );
    assert_eq!(account.proxy.count("CreateAccessKey"), 0);
    assert_eq!(account.server_keys("svc").await.len(), 1);
    assert_eq!(account.proxy.count("TagUser"), 0);
}
