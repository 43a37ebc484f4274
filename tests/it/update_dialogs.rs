//! Pure `update` tests for every dialog transition of the key lifecycle.

use crossterm::event::KeyCode;
use iamkeys::account::users::Since;
use iamkeys::action::{Action, Mutated, SaveOutcome};
use iamkeys::effect::{Call, Change, Effect};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::{AccessKey, Identity, KeyStatus, NewAccessKey};
use iamkeys::secret::Secret;
use iamkeys::state::{Button, Modal, Outcome, SaveState, State};
use iamkeys::update::update;

use crate::common::flows::{assert_notice, ch, changes, ctrl, key, select_key, select_user, typed};
use crate::common::states::{demo_loaded, now};

fn run(state: &mut State, actions: Vec<Action>) -> Vec<Effect> {
    actions.into_iter().flat_map(|a| update(state, a)).collect()
}

/// A user of the demo with exactly this many keys, and whether any is of `status`.
fn user_with(state: &State, keys: usize, status: Option<KeyStatus>) -> (String, Vec<AccessKey>) {
    state
        .account
        .users()
        .rows()
        .filter_map(|r| Some((r.user.name.clone(), r.listed_keys()?.to_vec())))
        .find(|(_, k)| k.len() == keys && status.is_none_or(|s| k.iter().any(|k| k.status == s)))
        .expect("the demo has such a user")
}

fn mutation_id(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a change was asked for")
}

#[tokio::test]
async fn create_opens_a_dialog_focused_on_cancel_and_enter_cancels() {
    let mut state = demo_loaded().await;
    let (user, _) = user_with(&state, 1, None);
    select_user(&mut state, &user);
    assert!(update(&mut state, ch('c')).is_empty());
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.focus, Button::Cancel);
    assert!(
        update(&mut state, key(KeyCode::Enter)).is_empty(),
        "Enter pressed Cancel"
    );
    assert_eq!(state.view.modal, None);
    update(&mut state, ch('c'));
    assert!(update(&mut state, key(KeyCode::Esc)).is_empty());
    update(&mut state, ch('c'));
    assert!(update(&mut state, ch('n')).is_empty());
    assert_eq!(state.view.modal, None);
}

#[tokio::test]
async fn create_warns_about_console_users_and_y_asks_for_the_key() {
    let mut state = demo_loaded().await;
    let user = state
        .account
        .users()
        .rows()
        .find(|r| r.password == Some(true) && r.listed_keys().is_some_and(|k| k.len() == 1))
        .unwrap()
        .user
        .name
        .clone();
    select_user(&mut state, &user);
    update(&mut state, ch('c'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(matches!(
        &dialog.operation,
        iamkeys::state::Operation::Create {
            has_password: true,
            ..
        }
    ));
    // Issue 38 item 11: the dialog says the key is flagged at once.
    let text = crate::common::screen::text(&state, 120, 40);
    assert!(
        text.contains("flagged setup (initial_setup_key) at once"),
        "{text}"
    );
    let effects = update(&mut state, ch('y'));
    assert_eq!(
        changes(&effects),
        [Change::Create {
            user: user.clone(),
            rotating: None
        }]
    );
    assert!(state.account.user_busy(&user));
    assert!(update(&mut state, ch('c')).is_empty());
    assert!(
        state.view.modal.is_none(),
        "no second create while one is in flight"
    );
    assert_notice(&state, "already being created");
}

#[tokio::test]
async fn tab_then_enter_presses_confirm() {
    let mut state = demo_loaded().await;
    let (user, keys) = user_with(&state, 1, Some(KeyStatus::Active));
    select_key(&mut state, &user, &keys[0].id);
    update(&mut state, ch('i'));
    update(&mut state, key(KeyCode::Tab));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!()
    };
    assert_eq!(dialog.focus, Button::Confirm);
    update(&mut state, key(KeyCode::Right));
    update(&mut state, key(KeyCode::Left));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        changes(&effects),
        [Change::SetStatus {
            user,
            key_id: keys[0].id.clone(),
            status: KeyStatus::Inactive
        }]
    );
    assert!(state.account.key_busy(&keys[0].id));
    update(&mut state, ch('i'));
    assert!(
        state.view.modal.is_none(),
        "a key with a change in flight cannot be acted on again"
    );
}

/// The key to retire of two: an Inactive one, else the older.
fn retire_first(state: &State, user: &str) -> String {
    let mut keys = state
        .account
        .users()
        .get(user)
        .unwrap()
        .listed_keys()
        .unwrap()
        .to_vec();
    keys.sort_by_key(|k| (k.status != KeyStatus::Inactive, k.created));
    keys[0].id.clone()
}

#[tokio::test]
async fn two_keys_refuse_create_with_nothing_to_confirm() {
    let mut state = demo_loaded().await;
    let (user, _) = user_with(&state, 2, None);
    select_user(&mut state, &user);
    assert!(update(&mut state, ch('c')).is_empty());
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains("already has 2 access keys"), "{message}");
    // Issue 38 item 11: the refusal names the key to retire.
    let retire = retire_first(&state, &user);
    assert!(
        message.contains(&format!("retire {retire}")),
        "names {retire}: {message}"
    );
    assert!(
        changes(&update(&mut state, ch('y'))).is_empty(),
        "y only closes it"
    );
    assert_eq!(state.view.modal, None);
}

#[tokio::test]
async fn activate_and_deactivate_refuse_a_key_already_in_that_state() {
    let mut state = demo_loaded().await;
    let (user, keys) = user_with(&state, 2, Some(KeyStatus::Inactive));
    let inactive = keys
        .iter()
        .find(|k| k.status == KeyStatus::Inactive)
        .unwrap();
    select_key(&mut state, &user, &inactive.id);
    update(&mut state, ch('i'));
    assert_eq!(state.view.modal, None);
    assert_notice(&state, "already Inactive");
    update(&mut state, ch('a'));
    let Some(Modal::Confirm(_)) = &state.view.modal else {
        panic!()
    };
    let effects = update(&mut state, ch('y'));
    assert_eq!(
        changes(&effects),
        [Change::SetStatus {
            user,
            key_id: inactive.id.clone(),
            status: KeyStatus::Active
        }]
    );
}

#[tokio::test]
async fn delete_refuses_an_active_key_and_needs_the_exact_id() {
    let mut state = demo_loaded().await;
    let (user, keys) = user_with(&state, 2, Some(KeyStatus::Inactive));
    let active = keys.iter().find(|k| k.status == KeyStatus::Active).unwrap();
    let inactive = keys
        .iter()
        .find(|k| k.status == KeyStatus::Inactive)
        .unwrap();
    select_key(&mut state, &user, &active.id);
    update(&mut state, ch('d'));
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!()
    };
    assert!(message.contains("make it inactive first (i)"), "{message}");
    update(&mut state, key(KeyCode::Esc));

    select_key(&mut state, &user, &inactive.id);
    update(&mut state, ch('d'));
    let wrong = &inactive.id[..inactive.id.len() - 1];
    let mut effects = run(&mut state, typed(wrong));
    effects.extend(update(&mut state, key(KeyCode::Enter)));
    assert!(changes(&effects).is_empty(), "a mismatch deletes nothing");
    let Some(Modal::Delete(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(dialog.mismatch);
    // y and n are text here, not answers.
    assert!(changes(&run(&mut state, vec![ch('y'), ch('n')])).is_empty());
    run(
        &mut state,
        vec![key(KeyCode::Backspace), key(KeyCode::Backspace)],
    );
    // Fix it by pasting the last character.
    update(
        &mut state,
        Action::Paste(inactive.id[inactive.id.len() - 1..].to_owned()),
    );
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        changes(&effects),
        [Change::Delete {
            user,
            key_id: inactive.id.clone(),
            unused_since: None,
        }]
    );
    assert_eq!(state.view.modal, None);
}

#[tokio::test]
async fn read_only_dialogs_open_but_send_nothing() {
    let mut state = demo_loaded().await;
    state.session.read_only = true;
    let (user, keys) = user_with(&state, 2, Some(KeyStatus::Inactive));
    let inactive = keys
        .iter()
        .find(|k| k.status == KeyStatus::Inactive)
        .unwrap();
    let active = keys.iter().find(|k| k.status == KeyStatus::Active).unwrap();
    select_key(&mut state, &user, &active.id);
    let mut effects = run(&mut state, vec![ch('i'), ch('y')]);
    assert!(state.view.notice.as_deref().unwrap().contains("Read-only"));
    select_key(&mut state, &user, &inactive.id);
    effects.extend(run(&mut state, vec![ch('a'), ch('y')]));
    effects.extend(run(&mut state, vec![ch('d')]));
    assert!(
        matches!(state.view.modal, Some(Modal::Delete(_))),
        "the dialog still opens"
    );
    effects.extend(run(&mut state, typed(&inactive.id)));
    effects.extend(update(&mut state, key(KeyCode::Enter)));
    let (one_key_user, _) = user_with(&state, 1, None);
    select_user(&mut state, &one_key_user);
    effects.extend(run(&mut state, vec![ch('c'), ch('y')]));
    assert!(changes(&effects).is_empty(), "{effects:?}");
}

#[tokio::test]
async fn bulk_deactivate_lists_every_marked_key_and_reports_each_outcome() {
    let mut state = demo_loaded().await;
    let two_active: Vec<(String, Vec<AccessKey>)> = state
        .account
        .users()
        .rows()
        .filter_map(|r| Some((r.user.name.clone(), r.listed_keys()?.to_vec())))
        .filter(|(_, k)| k.len() == 2 && k.iter().all(|k| k.status == KeyStatus::Active))
        .take(2)
        .collect();
    let (inactive_user, inactive_keys) = user_with(&state, 2, Some(KeyStatus::Inactive));
    let already = inactive_keys
        .iter()
        .find(|k| k.status == KeyStatus::Inactive)
        .unwrap();
    let mut marked = Vec::new();
    for (user, keys) in &two_active {
        for k in keys {
            select_key(&mut state, user, &k.id);
            update(&mut state, ch(' '));
            marked.push(k.id.clone());
        }
    }
    select_key(&mut state, &inactive_user, &already.id);
    update(&mut state, ch(' '));
    // Marking twice unmarks.
    update(&mut state, ch(' '));
    update(&mut state, ch(' '));
    assert_eq!(state.view.marks.len(), 5);
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!()
    };
    let iamkeys::state::Operation::SetStatus { targets, .. } = &dialog.operation else {
        panic!()
    };
    assert_eq!(targets.len(), 5, "one dialog lists every marked key");
    let effects = update(&mut state, ch('y'));
    let asked: Vec<String> = changes(&effects)
        .into_iter()
        .map(|c| c.key_id().unwrap().to_owned())
        .collect();
    let mut expected = marked.clone();
    expected.sort();
    let mut sorted = asked.clone();
    sorted.sort();
    assert_eq!(
        sorted, expected,
        "each Active key once; the inactive one skipped"
    );
    assert!(state.view.marks.is_empty());
    let ids: Vec<u64> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Mutate { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    // The first fails, the rest succeed.
    let gone = IamError::new(ErrorKind::NoSuchEntity, "iam:UpdateAccessKey", "gone");
    let refresh = update(
        &mut state,
        Action::Mutated {
            id: ids[0],
            result: Err(gone),
        },
    );
    assert!(matches!(
        &refresh[..],
        [Effect::Iam {
            call: Call::ListKeys { priority: true, .. },
            ..
        }]
    ));
    for id in &ids[1..] {
        update(
            &mut state,
            Action::Mutated {
                id: *id,
                result: Ok(Mutated::StatusSet),
            },
        );
    }
    let Some(Modal::Progress(progress)) = &state.view.modal else {
        panic!()
    };
    assert!(progress.finished());
    let failed = progress
        .items
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Failed(_)))
        .count();
    let done = progress
        .items
        .iter()
        .filter(|(_, o)| *o == Outcome::Done)
        .count();
    let skipped = progress
        .items
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Skipped(_)))
        .count();
    assert_eq!((failed, done, skipped), (1, 3, 1));
    assert_eq!(state.account.busy_keys().count(), 0);
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.view.modal, None);
}

fn created(user: &str) -> NewAccessKey {
    NewAccessKey {
        key: AccessKey {
            id: "AKIANEWKEY0000000001".into(),
            user_name: user.into(),
            status: KeyStatus::Active,
            created: Some(now()),
        },
        secret: Secret::new("SECRETSECRETSECRETSECRETSECRETSECRET0001"),
    }
}

/// `c`, `y` on `user` and IAM's answer (the secret shown): what the answer
/// asked for.
fn create_shown(state: &mut State, user: &str) -> Vec<Effect> {
    let effects = run(state, vec![ch('c'), ch('y')]);
    let id = mutation_id(&effects);
    update(
        state,
        Action::Mutated {
            id,
            result: Ok(Mutated::Created(created(user))),
        },
    )
}

/// Issue 38 item 11: once saved as a profile the secret is not lost by
/// closing: the dialog closes without asking again.
#[tokio::test]
async fn a_saved_secret_closes_without_asking_again() {
    let mut state = demo_loaded().await;
    state.session.credentials_file = Some("/tmp/creds".into());
    let (user, _) = user_with(&state, 1, None);
    select_user(&mut state, &user);
    let refresh = create_shown(&mut state, &user);
    assert!(!refresh.is_empty());
    update(&mut state, ch('w'));
    update(&mut state, key(KeyCode::Enter));
    update(
        &mut state,
        Action::Saved {
            profile: format!("iamkeys-{user}"),
            result: Ok(SaveOutcome::Saved {
                path: "/tmp/creds".into(),
            }),
        },
    );
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        matches!(dialog.save, SaveState::Saved { .. }),
        "{:?}",
        dialog.save
    );
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.view.modal, None, "no second question");
    assert_notice(&state, "saved as profile");
}

#[tokio::test]
async fn the_secret_dialog_copies_saves_and_closes_only_when_acknowledged() {
    let mut state = demo_loaded().await;
    state.session.credentials_file = Some("/tmp/creds".into());
    let (user, _) = user_with(&state, 1, None);
    select_user(&mut state, &user);
    let refresh = create_shown(&mut state, &user);
    assert!(
        matches!(
            &refresh[..],
            [Effect::Iam {
                call: Call::ListKeys { .. },
                ..
            }]
        ),
        "keys re-listed"
    );
    assert!(matches!(state.view.modal, Some(Modal::Secret(_))));
    assert!(
        !format!("{state:?}").contains("SECRETSECRET"),
        "Debug of the state redacts the secret"
    );

    let copy = update(&mut state, ch('c'));
    assert_eq!(
        copy,
        [Effect::Copy(Secret::new(
            "SECRETSECRETSECRETSECRETSECRETSECRET0001"
        ))]
    );

    update(&mut state, ch('w'));
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert_eq!(
        dialog.save,
        SaveState::Naming {
            name: format!("iamkeys-{user}")
        }
    );
    for _ in 0..(format!("iamkeys-{user}").len()) {
        update(&mut state, key(KeyCode::Backspace));
    }
    run(&mut state, typed("ci-bot"));
    let save = update(&mut state, key(KeyCode::Enter));
    assert!(
        matches!(&save[..], [Effect::SaveCredentials { profile, overwrite: false, .. }] if profile == "ci-bot")
    );
    update(
        &mut state,
        Action::Saved {
            profile: "ci-bot".into(),
            result: Ok(SaveOutcome::Exists),
        },
    );
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert_eq!(
        dialog.save,
        SaveState::ConfirmOverwrite {
            name: "ci-bot".into()
        }
    );
    let save = update(&mut state, ch('y'));
    assert!(matches!(
        &save[..],
        [Effect::SaveCredentials {
            overwrite: true,
            ..
        }]
    ));
    update(
        &mut state,
        Action::Saved {
            profile: "ci-bot".into(),
            result: Err("Cannot write /tmp/creds: denied".into()),
        },
    );
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(
        matches!(dialog.save, SaveState::Failed { .. }),
        "the secret stays up after a failed save"
    );

    update(&mut state, key(KeyCode::Esc));
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(dialog.acknowledging);
    update(&mut state, ch('n'));
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(!dialog.acknowledging, "n goes back to the secret");
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('y'));
    assert_eq!(state.view.modal, None);
    assert!(!format!("{state:?}").contains("SECRETSECRET"));
}

#[tokio::test]
async fn dialogs_warn_before_locking_the_session_out() {
    let mut state = demo_loaded().await;
    let (user, keys) = user_with(&state, 1, Some(KeyStatus::Active));
    let identity = Identity {
        account_id: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/me".into(),
        access_key_id: Some(keys[0].id.clone()),
        alias: None,
        region: None,
    };
    state.account.identity = iamkeys::state::IdentityStatus::Known(identity);
    select_key(&mut state, &user, &keys[0].id);
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!()
    };
    let iamkeys::state::Operation::SetStatus { targets, .. } = &dialog.operation else {
        panic!()
    };
    assert!(targets[0].is_session_key);
}

#[tokio::test]
async fn change_results_refresh_the_user_and_explain_failures() {
    let mut state = demo_loaded().await;
    let (user, keys) = user_with(&state, 1, Some(KeyStatus::Active));
    select_key(&mut state, &user, &keys[0].id);
    let id = mutation_id(&run(&mut state, vec![ch('i'), ch('y')]));
    // A refresh in between does not lose the answer.
    update(&mut state, ch('r'));
    let denied = IamError::new(
        ErrorKind::AccessDenied,
        "iam:UpdateAccessKey",
        "not authorized",
    );
    update(
        &mut state,
        Action::Mutated {
            id,
            result: Err(denied),
        },
    );
    assert_eq!(state.account.busy_keys().count(), 0);
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains("lacks iam:UpdateAccessKey"), "{message}");
}

#[allow(clippy::unnecessary_wraps)] // reads as the worker's result at call sites
fn created_ok(user: &str, id: &str) -> Result<Mutated, IamError> {
    Ok(Mutated::Created(NewAccessKey {
        key: AccessKey {
            id: id.into(),
            user_name: user.into(),
            status: KeyStatus::Active,
            created: Some(now()),
        },
        secret: Secret::new(format!("secret-of-{id}")),
    }))
}

/// Start a create for a user with no keys; returns the user and the change's id.
fn start_create(state: &mut State, skip: usize) -> (String, u64) {
    let user = state
        .account
        .users()
        .rows()
        .filter(|r| r.listed_keys().is_some_and(<[_]>::is_empty))
        .nth(skip)
        .map(|r| r.user.name.clone())
        .expect("the demo has users without keys");
    select_user(state, &user);
    update(state, ch('c'));
    let effects = update(state, ch('y'));
    (user, mutation_id(&effects))
}

/// Issue 13, item 5: a second secret waits behind the first, never over it.
#[tokio::test]
async fn a_second_secret_waits_behind_the_first() {
    let mut state = demo_loaded().await;
    let (first_user, first) = start_create(&mut state, 0);
    let (second_user, second) = start_create(&mut state, 1);
    update(
        &mut state,
        Action::Mutated {
            id: first,
            result: created_ok(&first_user, "AKIAFIRST0000000"),
        },
    );
    update(
        &mut state,
        Action::Mutated {
            id: second,
            result: created_ok(&second_user, "AKIASECOND000000"),
        },
    );
    let Some(Modal::Secret(shown)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(
        shown.key_id, "AKIAFIRST0000000",
        "the first stays on screen"
    );
    assert_eq!(state.view.secrets_waiting.len(), 1);
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('y'));
    let Some(Modal::Secret(shown)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(shown.key_id, "AKIASECOND000000", "then the second");
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('y'));
    assert_eq!(state.view.modal, None);
}

/// Issue 13, item 5: quitting with a change in flight waits for it; a
/// second Ctrl-C abandons it (the driver logs it).
#[tokio::test]
async fn quitting_waits_for_a_change_in_flight() {
    let mut state = demo_loaded().await;
    let (user, id) = start_create(&mut state, 0);
    assert!(update(&mut state, ch('q')).is_empty(), "not yet");
    assert_eq!(state.quit, iamkeys::state::Quit::Waiting);
    // The key arrives: its secret is shown before anything else.
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: created_ok(&user, "AKIAWAITED000000"),
        },
    );
    assert!(!effects.contains(&Effect::Quit), "{effects:?}");
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.acknowledging, "asked before it closes");
    assert_eq!(update(&mut state, ch('y')), [Effect::Quit]);

    let mut state = demo_loaded().await;
    let (_, _) = start_create(&mut state, 0);
    assert!(update(&mut state, ctrl('c')).is_empty());
    let effects = update(&mut state, ctrl('c'));
    assert!(matches!(&effects[..], [Effect::Abandon(changes), Effect::Quit] if changes.len() == 1));
}

/// Found by `faults_moto` under load: `q` pressed while the bookkeeping
/// tag of a key just made inactive (`iamkeys:inactive-since:`) was still
/// being written waited forever — the tag's answer never let the quit go on.
#[tokio::test]
async fn quitting_waits_for_the_inactive_record_then_leaves() {
    let mut state = demo_loaded().await;
    let (user, key_id) = crate::common::flows::key_with_status(&state, KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    let effects = run(&mut state, vec![ch('i'), ch('y')]);
    let id = mutation_id(&effects);
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(Mutated::StatusSet),
        },
    );
    let tag = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate {
                id,
                change: Change::Record(_),
                ..
            } => Some(*id),
            _ => None,
        })
        .expect("key.made_inactive is recorded");
    assert!(
        update(&mut state, ch('q')).is_empty(),
        "the record is in flight"
    );
    let effects = update(
        &mut state,
        Action::Mutated {
            id: tag,
            result: Ok(Mutated::Recorded),
        },
    );
    assert!(effects.contains(&Effect::Quit), "{effects:?}");
}

/// The same for a bulk change: Ctrl-C while marked keys are being made
/// inactive waits for each, and their tags, then leaves.
#[tokio::test]
async fn terminate_during_a_bulk_change_leaves_once_everything_answered() {
    let mut state = demo_loaded().await;
    let actives: Vec<(String, String)> = state
        .account
        .users()
        .rows()
        .filter_map(|r| {
            let k = r
                .listed_keys()?
                .iter()
                .find(|k| k.status == KeyStatus::Active)?;
            Some((r.user.name.clone(), k.id.clone()))
        })
        .take(2)
        .collect();
    for (user, key_id) in &actives {
        select_key(&mut state, user, key_id);
        update(&mut state, ch(' '));
    }
    let effects = run(&mut state, vec![ch('i'), ch('y')]);
    let ids: Vec<u64> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Mutate { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        update(&mut state, Action::Terminate).is_empty(),
        "changes in flight"
    );
    let mut tags = Vec::new();
    for id in ids {
        let effects = update(
            &mut state,
            Action::Mutated {
                id,
                result: Ok(Mutated::StatusSet),
            },
        );
        assert!(!effects.contains(&Effect::Quit));
        tags.extend(effects.iter().filter_map(|e| match e {
            Effect::Mutate { id, .. } => Some(*id),
            _ => None,
        }));
    }
    assert_eq!(tags.len(), 2, "one key.made_inactive record each");
    let mut last = Vec::new();
    for id in tags {
        last = update(
            &mut state,
            Action::Mutated {
                id,
                result: Ok(Mutated::Recorded),
            },
        );
    }
    assert!(last.contains(&Effect::Quit), "{last:?}");
}

/// Issue 13, item 5: Ctrl-C in the secret dialog asks the same
/// acknowledgement as closing it.
#[tokio::test]
async fn ctrl_c_in_the_secret_dialog_asks_first() {
    let mut state = demo_loaded().await;
    let (user, id) = start_create(&mut state, 0);
    update(
        &mut state,
        Action::Mutated {
            id,
            result: created_ok(&user, "AKIACTRLC0000000"),
        },
    );
    assert!(update(&mut state, ctrl('c')).is_empty(), "not closed yet");
    let Some(Modal::Secret(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.acknowledging);
    // n keeps the secret, and the quit is off.
    update(&mut state, ch('n'));
    assert!(matches!(state.view.modal, Some(Modal::Secret(_))));
    assert_eq!(state.quit, iamkeys::state::Quit::No);
}

/// Issue 13, item 4: SIGTERM/SIGHUP leave as `q` does — a change in flight
/// is waited for — but nobody can acknowledge a secret: it is closed and
/// its key named for the log.
#[tokio::test]
async fn terminate_waits_for_changes_and_names_a_lost_secret() {
    let mut state = demo_loaded().await;
    let (user, id) = start_create(&mut state, 0);
    assert!(update(&mut state, Action::Terminate).is_empty(), "waits");
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: created_ok(&user, "AKIATERM00000000"),
        },
    );
    assert!(effects.contains(&Effect::Quit), "{effects:?}");
    let mut state = demo_loaded().await;
    let (user, id) = start_create(&mut state, 0);
    update(
        &mut state,
        Action::Mutated {
            id,
            result: created_ok(&user, "AKIATERM00000001"),
        },
    );
    let effects = update(&mut state, Action::Terminate);
    let [Effect::SecretsLost(lost), Effect::Quit] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(lost.len(), 1);
    assert_eq!(lost[0].key_id, "AKIATERM00000001");
    assert_eq!(lost[0].user, user);
    assert_eq!(
        lost[0].actor.account_id.as_deref(),
        Some("123456789012"),
        "the audit log names the account the key was made in"
    );
}

/// Issue 16, staged retirement: every marked key that is ready to delete
/// goes from one dialog, confirmed by typing how many; a marked key that is
/// not ready refuses the lot.
#[tokio::test]
async fn ready_keys_are_deleted_together_after_typing_their_count() {
    let mut state = demo_loaded().await;
    let retire_after = chrono::TimeDelta::days(14);
    let mut ready = Vec::new();
    let mut not_ready = None;
    for row in state.account.users().rows() {
        for key in row.listed_keys().unwrap_or_default() {
            match row.inactive_since(&key.id, state.now, state.account.ledger()) {
                Some(Since::Honoured { at, .. }) if state.now - at >= retire_after => {
                    ready.push((row.user.name.clone(), key.id.clone()));
                }
                Some(Since::Honoured { .. }) => {
                    not_ready = Some((row.user.name.clone(), key.id.clone()));
                }
                _ => {}
            }
        }
    }
    assert_eq!(ready.len(), 3, "the demo has three keys ready to delete");
    let not_ready = not_ready.expect("and one inactive for a few days only");

    // One not ready among the marks: refused, naming it.
    for (user, key_id) in ready.iter().chain([&not_ready]) {
        select_key(&mut state, user, key_id);
        update(&mut state, ch(' '));
    }
    assert!(update(&mut state, ch('d')).is_empty());
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains(&not_ready.1), "{message}");
    update(&mut state, key(KeyCode::Esc));
    select_key(&mut state, &not_ready.0, &not_ready.1);
    update(&mut state, ch(' '));

    let effects = update(&mut state, ch('d'));
    assert!(effects.is_empty());
    assert!(matches!(state.view.modal, Some(Modal::BulkDelete(_))));
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| iamkeys::ui::render(&state, &iamkeys::ui::Theme::default(), frame))
        .unwrap();
    insta::assert_snapshot!(terminal.backend().to_string());
    let wrong = run(&mut state, vec![ch('2'), key(KeyCode::Enter)]);
    assert!(wrong.is_empty(), "2 is not 3: nothing is deleted");
    let Some(Modal::BulkDelete(dialog)) = &state.view.modal else {
        panic!()
    };
    assert!(dialog.mismatch);
    let effects = run(
        &mut state,
        vec![key(KeyCode::Backspace), ch('3'), key(KeyCode::Enter)],
    );
    let mut deleted: Vec<(String, String)> = changes(&effects)
        .into_iter()
        .map(|c| match c {
            // Issue 21 §4: the worker re-checks the key is unused since.
            Change::Delete {
                user,
                key_id,
                unused_since: Some(_),
            } => (user, key_id),
            other => panic!("{other:?}"),
        })
        .collect();
    deleted.sort();
    ready.sort();
    assert_eq!(deleted, ready);
    assert!(matches!(state.view.modal, Some(Modal::Progress(_))));
    assert!(state.view.marks.is_empty());
}

/// Issue 21 §5: a refresh (`r`) while a change is in flight must not drop
/// its follow-up: the inactive-since tag (and, on a rotation, the rotation
/// tag) is still written, bound to the account the change was confirmed
/// for, though the screen's account is loading again.
#[tokio::test]
async fn a_refresh_while_a_change_is_in_flight_keeps_its_follow_up_tags() {
    let mut state = demo_loaded().await;
    let (user, key_id) = crate::common::flows::key_with_status(&state, KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    let effects = run(&mut state, vec![ch('i'), ch('y')]);
    let (id, actor) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { id, actor, .. } => Some((*id, actor.clone())),
            _ => None,
        })
        .unwrap();
    update(&mut state, ch('r'));
    assert!(
        state.account.known_identity().is_none(),
        "the account is loading again"
    );
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(Mutated::StatusSet),
        },
    );
    let follow_up = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate {
                change: Change::Record(draft),
                actor: bound,
                ..
            } => Some((draft.clone(), bound.clone())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("key.made_inactive is still recorded: {effects:?}"));
    assert_eq!(follow_up.0.key_id.as_deref(), Some(key_id.as_str()));
    assert_eq!(follow_up.0.kind, iamkeys::ledger::Kind::KeyMadeInactive);
    assert_eq!(
        Some(follow_up.0.account_id.as_str()),
        actor.account_id.as_deref(),
        "recorded for the account the change was confirmed for"
    );
    let follow_up = (follow_up.0, follow_up.1);
    assert_eq!(
        follow_up.1, actor,
        "bound to the account the change was confirmed for"
    );
}
