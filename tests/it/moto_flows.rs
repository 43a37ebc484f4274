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
    /// The ledger (a local one in a scratch directory), written as the
    /// caller STS names.
    ledger: Arc<iamkeys::ledger::Ledger>,
    ledger_dir: tempfile::TempDir,
}

impl Account {
    async fn new(users: &[SeedUser]) -> Self {
        let moto = Moto::start();
        let iam = moto.iam().await;
        let keys = seed(&iam, users).await;
        let proxy = Proxy::start(moto.port).await;
        let config = crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDTEST", "s").await;
        let client = Arc::new(SdkIam::new(&config));
        let ledger_dir = tempfile::tempdir().unwrap();
        let own: Arc<dyn iamkeys::iam::IamClient> = client.clone();
        let ledger = Arc::new(iamkeys::ledger::Ledger::local(
            ledger_dir.path().join("ledger"),
            iamkeys::ledger::open::writer_of(own),
        ));
        Self {
            _moto: moto,
            proxy,
            iam,
            client,
            keys,
            ledger,
            ledger_dir,
        }
    }

    /// The worker's settings: the account's ledger, as a run has it.
    fn settings(&self) -> Settings {
        Settings {
            concurrency: 4,
            report_backoff: std::time::Duration::from_millis(20),
            ledger: Some(self.ledger.clone()),
            ..Settings::default()
        }
    }

    async fn loaded(&self) -> State {
        let mut state = fresh();
        settle_with(
            &mut state,
            self.client.clone(),
            &self.settings(),
            vec![Action::Load],
            T,
        )
        .await
        .unwrap();
        state
    }

    async fn drive(&self, state: &mut State, actions: Vec<Action>) {
        settle_with(state, self.client.clone(), &self.settings(), actions, T)
            .await
            .unwrap();
    }

    /// The account's ledger, folded.
    async fn ledger(&self) -> iamkeys::ledger::Folded {
        self.ledger.fold("123456789012").await.unwrap()
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
    // Issue 16, staged retirement: when, and who, is kept — issue 32: in
    // the ledger, never in a tag (iamkeys writes none).
    assert!(
        user_tags(&account.iam, "alice").await.is_empty(),
        "no tag is written"
    );
    assert_eq!(account.proxy.count("TagUser"), 0);
    let ledger = account.ledger().await;
    let record = ledger.inactive.get(&key_id).expect("key.made_inactive");
    assert_eq!(record.user, "alice");
    assert_eq!(
        record.by, "arn:aws:sts::123456789012:user/moto",
        "STS named the writer"
    );
    let since = state.account.users().get("alice").unwrap().inactive_since(
        &key_id,
        state.now,
        state.account.ledger(),
    );
    let Some(iamkeys::account::users::Since::Honoured { at: since, .. }) = since else {
        panic!("the ledger's date is honoured: {since:?}")
    };
    assert_eq!(since, record.at);

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
        !matches!(
            state.account.users().get("alice").unwrap().inactive_since(
                &key_id,
                state.now,
                state.account.ledger()
            ),
            Some(iamkeys::account::users::Since::Honoured { .. })
        ),
        "made active again: the ledger's date no longer holds"
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

/// Issue 32: making a key inactive records it in the ledger (never a tag);
/// deleting it later sends no tag call either, and the record stays (the
/// ledger is append-only; the key being gone ends what it says).
#[tokio::test]
async fn a_retired_key_is_recorded_in_the_ledger_and_deleted_without_a_tag_call() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    let key_id = account.key_of("alice", 0);
    select_key(&mut state, "alice", &key_id);
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    assert!(account.ledger().await.inactive.contains_key(&key_id));
    select_key(&mut state, "alice", &key_id);
    account
        .drive(
            &mut state,
            vec![ch('d'), Action::Paste(key_id.clone()), key(KeyCode::Enter)],
        )
        .await;
    assert!(account.server_keys("alice").await.is_empty());
    assert!(user_tags(&account.iam, "alice").await.is_empty());
    assert_eq!(account.proxy.count("TagUser"), 0);
    assert_eq!(account.proxy.count("UntagUser"), 0);
    assert!(
        account.ledger().await.inactive.contains_key(&key_id),
        "append-only"
    );
}

/// A refused ledger write loses nothing but the date: the key is inactive,
/// and the screen says the date is not recorded (no error dialog for the
/// bookkeeping).
#[tokio::test]
async fn a_refused_inactive_record_is_said_and_the_key_stays_inactive() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    // The ledger reads, but its lock cannot be taken: nothing can be appended.
    let lock = account.ledger_dir.path().join("ledger/123456789012.lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir_all(&lock).unwrap();
    let key_id = account.key_of("alice", 0);
    select_key(&mut state, "alice", &key_id);
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    assert_eq!(
        account.status_on_server("alice", &key_id).await,
        Some(StatusType::Inactive)
    );
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains("is not recorded") && notice.contains("ledger:append"),
        "{notice}"
    );
    assert!(
        state.view.modal.is_none(),
        "no error dialog for the bookkeeping"
    );
    assert!(
        !account.ledger().await.inactive.contains_key(&key_id),
        "nothing was recorded for it"
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
        ..account.settings()
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
        line("ledger:key.made_inactive", Some(&new_key), "attempt")
    );
    assert_eq!(
        fields(5),
        line("ledger:key.made_inactive", Some(&new_key), "ok")
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

/// Issue 16, `W` — issue 32: a waiver written from the findings dialog is a
/// `waiver.granted` in the ledger (no tag, no CloudTrail request), marks the
/// finding on screen, and the same dialog revokes it. Bad dates are refused
/// before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiver_written_with_w_lands_in_the_ledger_and_is_revoked_the_same_way() {
    let account = Account::new(&[user("legacy", true, vec![true])]).await;
    let key_id = seeded_key(&account.keys, "legacy", 0);
    let mut state = account.loaded().await;
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
    let draft = dialog.pending.clone().unwrap();
    assert_eq!(draft.key_id.as_deref(), Some(key_id.as_str()));
    account.drive(&mut state, vec![ch('y')]).await;

    assert!(user_tags(&account.iam, "legacy").await.is_empty(), "no tag");
    let ledger = account.ledger().await;
    let [granted] = ledger.waivers.as_slice() else {
        panic!("{ledger:?}")
    };
    assert_eq!(
        (
            granted.user.as_str(),
            granted.key_id.as_deref(),
            granted.until.to_string()
        ),
        ("legacy", Some(key_id.as_str()), until.clone())
    );
    assert_eq!(granted.reason, "moves to a role");
    assert_eq!(granted.by, "arn:aws:sts::123456789012:user/moto");
    let row = state.account.users().get("legacy").unwrap();
    assert!(
        !row.findings[0].open(),
        "the ledger was read back: {:?}",
        row.findings
    );
    assert_eq!(
        account.proxy.count("LookupEvents"),
        0,
        "CloudTrail is never asked"
    );

    // The same dialog, an empty reason: the waiver is revoked.
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('W'));
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        matches!(&dialog.pending, Some(d) if matches!(&d.kind, iamkeys::ledger::Kind::WaiverRevoked { waiver, .. } if *waiver == granted.id)),
        "{:?}",
        dialog.pending
    );
    account.drive(&mut state, vec![ch('y')]).await;
    assert!(account.ledger().await.waivers.is_empty());
    assert!(state.account.users().get("legacy").unwrap().findings[0].open());
    assert_eq!(account.proxy.count("TagUser"), 0);
    assert_eq!(account.proxy.count("UntagUser"), 0);
}

/// Issue 16, rotation through the worker and the SDK: `R` makes the new
/// key and records the rotation in the ledger (issue 32: no tag); a request
/// signed with the new key makes IAM record its use, which the watch sees
/// and records; the old key then goes inactive without a warning, and
/// deleting it records the rotation's end.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_is_recorded_watched_until_the_new_key_is_used_and_ended_by_the_delete() {
    let account = Account::new(&[user("svc", false, vec![true])]).await;
    let old = account.key_of("svc", 0);
    let mut state = account.loaded().await;
    // The ledger dates its records by the clock: the screen's is the same.
    update(&mut state, Action::Tick(chrono::Utc::now()));
    select_key(&mut state, "svc", &old);
    account.drive(&mut state, vec![ch('R'), ch('y')]).await;
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let (new, secret) = (dialog.key_id.clone(), dialog.secret.expose().to_owned());
    assert_eq!(account.server_keys("svc").await.len(), 2);
    assert!(user_tags(&account.iam, "svc").await.is_empty(), "no tag");
    let recorded = account.ledger().await;
    let rotation = recorded.rotation("svc", &old).expect("rotation.started");
    assert_eq!(rotation.new, new);
    account
        .drive(&mut state, vec![key(KeyCode::Esc), ch('y')])
        .await;
    assert_eq!(
        state.account.rotation_of("svc", &old).map(|r| r.kept),
        Some(iamkeys::account::rotation::Kept::Ledger)
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
    assert!(
        account
            .ledger()
            .await
            .rotation("svc", &old)
            .and_then(|r| r.first_used)
            .is_some(),
        "the first use is recorded"
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
    assert_eq!(
        account.ledger().await.rotation("svc", &old),
        None,
        "rotation.finished"
    );
    assert_eq!(account.proxy.count("TagUser"), 0);
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

/// Issue 32, nothing half-written, through the worker and the SDK: when
/// the ledger refuses `rotation.started`, the new key (never shown, never
/// used) is deleted again, the change fails saying so, and IAM is as it
/// was; the audit log has each step.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_the_ledger_refuses_is_undone() {
    let account = Account::new(&[user("svc", false, vec![true])]).await;
    let old = account.key_of("svc", 0);
    let mut state = account.loaded().await;
    let lock = account.ledger_dir.path().join("ledger/123456789012.lock");
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir_all(&lock).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        audit: Some(AuditLog::new(dir.path().join("audit.jsonl"))),
        ..account.settings()
    };
    select_key(&mut state, "svc", &old);
    settle_with(
        &mut state,
        account.client.clone(),
        &settings,
        vec![ch('R'), ch('y')],
        T,
    )
    .await
    .unwrap();
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains("was deleted again") && message.contains("Nothing changed"),
        "{message}"
    );
    assert_eq!(account.proxy.count("CreateAccessKey"), 1);
    assert_eq!(account.proxy.count("DeleteAccessKey"), 1);
    let left = account.server_keys("svc").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, old);
    assert!(state.account.rotation_of("svc", &old).is_none());
    let log = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    let actions: Vec<String> = log
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {}",
                v["action"].as_str().unwrap(),
                v["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            "CreateAccessKey:rotation attempt",
            "ledger:rotation.started attempt",
            "ledger:rotation.started error",
            "DeleteAccessKey attempt",
            "DeleteAccessKey ok",
            "CreateAccessKey:rotation error",
        ],
        "{log}"
    );
}

/// Issue 36 item 2: `P` removes a console password through the worker and
/// aws-sdk-iam: IAM is asked first whether there still is one, the
/// server has none after, and the row says so from IAM's answer. A
/// password removed from outside meanwhile sends no `DeleteLoginProfile`.
#[tokio::test]
async fn p_removes_the_console_password_and_checks_iam_first() {
    let account = Account::new(&standard_users()).await;
    let mut state = account.loaded().await;
    select_user(&mut state, "bob");
    let mut actions = vec![ch('P')];
    actions.extend(typed("bob"));
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    let gone = account
        .iam
        .get_login_profile()
        .user_name("bob")
        .send()
        .await
        .unwrap_err();
    assert!(
        gone.as_service_error()
            .is_some_and(aws_sdk_iam::operation::get_login_profile::GetLoginProfileError::is_no_such_entity_exception),
        "{gone:?}"
    );
    assert_eq!(account.proxy.count("DeleteLoginProfile"), 1);
    let notice = state.view.notice.clone().unwrap_or_default();
    assert!(notice.contains("console password was removed"), "{notice}");
    assert_eq!(
        state.account.users().get("bob").unwrap().password,
        Some(false),
        "asked of IAM again"
    );

    // erin's password goes from outside while the dialog is open.
    select_user(&mut state, "erin");
    account.drive(&mut state, vec![ch('P')]).await;
    account
        .iam
        .delete_login_profile()
        .user_name("erin")
        .send()
        .await
        .unwrap();
    let mut actions = typed("erin");
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    assert_eq!(account.proxy.count("DeleteLoginProfile"), 1, "nothing sent");
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains("has no console password now"), "{message}");
}

/// Issue 36 items 3-4: a Bedrock API key and an SSH public key made
/// inactive and deleted from the key pane, through the worker and
/// aws-sdk-iam; the server read back after each step. A delete is sent
/// only once IAM still shows the credential inactive.
#[tokio::test]
async fn other_credentials_are_made_inactive_and_deleted_on_the_server() {
    use iamkeys::model::credential::BEDROCK;
    let account = Account::new(&[user("dev", false, vec![])]).await;
    let bedrock = crate::common::moto::service_credential(&account.iam, "dev", BEDROCK, None).await;
    let ssh = crate::common::moto::ssh_key(&account.iam, "dev").await;
    let mut state = account.loaded().await;
    select_user(&mut state, "dev");
    // dev has no access keys: the first rows are the credentials.
    account.drive(&mut state, vec![key(KeyCode::Enter)]).await;
    let server_bedrock = || async {
        account
            .iam
            .list_service_specific_credentials()
            .user_name("dev")
            .send()
            .await
            .unwrap()
            .service_specific_credentials()
            .iter()
            .map(|c| {
                (
                    c.service_specific_credential_id().to_owned(),
                    c.status().clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        state.selected_credential().map(|(_, c)| c.id.clone()),
        Some(bedrock.clone())
    );
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    assert_eq!(
        server_bedrock().await,
        [(bedrock.clone(), StatusType::Inactive)]
    );
    let mut actions = vec![ch('d')];
    actions.extend(typed(&bedrock));
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    assert!(server_bedrock().await.is_empty(), "deleted on the server");
    assert_eq!(account.proxy.count("DeleteServiceSpecificCredential"), 1);

    // The SSH key, now first: made inactive, then active again from outside
    // while the delete dialog is open; the delete sends nothing.
    assert_eq!(
        state.selected_credential().map(|(_, c)| c.id.clone()),
        Some(ssh.clone())
    );
    account.drive(&mut state, vec![ch('i'), ch('y')]).await;
    let ssh_status = || async {
        account
            .iam
            .list_ssh_public_keys()
            .user_name("dev")
            .send()
            .await
            .unwrap()
            .ssh_public_keys()
            .iter()
            .map(|k| k.status().clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ssh_status().await, [StatusType::Inactive]);
    account.drive(&mut state, vec![ch('d')]).await;
    account
        .iam
        .update_ssh_public_key()
        .user_name("dev")
        .ssh_public_key_id(&ssh)
        .status(StatusType::Active)
        .send()
        .await
        .unwrap();
    let mut actions = typed(&ssh);
    actions.push(key(KeyCode::Enter));
    account.drive(&mut state, actions).await;
    assert_eq!(account.proxy.count("DeleteSSHPublicKey"), 0, "nothing sent");
    assert_eq!(ssh_status().await, [StatusType::Active]);
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains("made Active again meanwhile"), "{message}");
}
