//! Pure `update` tests for the profile picker and switching.

use crossterm::event::KeyCode;
use iamkeys::action::{Action, Loaded};
use iamkeys::effect::{Call, Effect};
use iamkeys::model::{Identity, Page, User};
use iamkeys::profiles::{ProfileInfo, ProfileKind};
use iamkeys::state::{IdentityStatus, Modal, State};
use iamkeys::update::update;

use crate::common::flows::{ch, key, typed};
use crate::common::states::{demo_loaded, now};

fn profiles() -> Vec<ProfileInfo> {
    ["dev", "prod", "test"]
        .into_iter()
        .map(|name| ProfileInfo {
            name: name.into(),
            kind: ProfileKind::StaticKeys,
            note: None,
            region: None,
        })
        .collect()
}

fn identity(account: &str) -> Identity {
    Identity {
        account_id: account.into(),
        arn: format!("arn:aws:iam::{account}:user/me"),
        access_key_id: None,
        alias: Some("other".into()),
        region: None,
    }
}

/// Open the picker, answer the listing, type `filter`, press Enter.
fn choose(state: &mut State, filter: &str) -> Vec<Effect> {
    assert_eq!(update(state, ch('p')), [Effect::ListProfiles]);
    update(state, Action::Profiles(Ok(profiles())));
    for action in typed(filter) {
        update(state, action);
    }
    update(state, key(KeyCode::Enter))
}

#[tokio::test]
async fn a_switch_resets_everything_and_drops_the_old_accounts_results() {
    let mut state = demo_loaded().await;
    let old = state.account.generation;
    let effects = choose(&mut state, "prod");
    assert_eq!(
        effects,
        [Effect::SwitchProfile {
            profile: "prod".into()
        }]
    );
    let Some(Modal::Profiles(picker)) = &state.view.modal else {
        panic!()
    };
    assert_eq!(picker.switching.as_deref(), Some("prod"));
    assert_eq!(
        state.session.profile, "test",
        "nothing changes before the new profile answers"
    );

    let effects = update(
        &mut state,
        Action::ProfileSwitched {
            profile: "prod".into(),
            identity: identity("999999999999"),
            insecure_endpoint: None,
        },
    );
    assert_eq!(state.session.profile, "prod");
    assert_eq!(state.account.generation, old + 1);
    assert_eq!(
        state.account.users().total(),
        0,
        "the old account's users are gone"
    );
    assert!(state.view.modal.is_none());
    assert!(
        matches!(&state.account.identity, IdentityStatus::Known(i) if i.account_id == "999999999999")
    );
    assert!(effects.contains(&Effect::Iam {
        generation: old + 1,
        call: Call::ListUsers { marker: None }
    }));

    // A page still arriving from the old profile is dropped.
    let old_page = Action::Loaded {
        generation: old,
        result: Loaded::UsersPage(Ok(Page {
            items: vec![User {
                name: "ghost".into(),
                arn: "a".into(),
                created: now(),
                password_last_used: None,
            }],
            next_marker: None,
        })),
    };
    assert!(update(&mut state, old_page).is_empty());
    assert_eq!(state.account.users().total(), 0);
}

#[tokio::test]
async fn a_failed_switch_keeps_the_previous_profile() {
    let mut state = demo_loaded().await;
    let users = state.account.users().total();
    let generation = state.account.generation;
    choose(&mut state, "dev");
    update(
        &mut state,
        Action::ProfileFailed {
            profile: "dev".into(),
            message:
                "The SSO session for profile 'dev' has expired: run `aws sso login --profile dev`"
                    .into(),
        },
    );
    assert_eq!(state.session.profile, "test");
    assert_eq!(state.account.generation, generation);
    assert_eq!(state.account.users().total(), users);
    let Some(Modal::Profiles(picker)) = &state.view.modal else {
        panic!()
    };
    assert!(picker.switching.is_none());
    let error = picker.error.as_deref().unwrap();
    assert!(
        error.contains("still using test") && error.contains("aws sso login --profile dev"),
        "{error}"
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.view.modal.is_none());
}

#[tokio::test]
async fn the_picker_filters_and_moves() {
    let mut state = demo_loaded().await;
    update(&mut state, ch('p'));
    update(&mut state, Action::Profiles(Ok(profiles())));
    let Some(Modal::Profiles(picker)) = &state.view.modal else {
        panic!()
    };
    assert_eq!(picker.cursor, 2, "starts on the profile in use (test)");
    for action in typed("t") {
        update(&mut state, action);
    }
    let Some(Modal::Profiles(picker)) = &state.view.modal else {
        panic!()
    };
    let names: Vec<&str> = picker.visible().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["test"],
        "j, k and other letters are filter text here"
    );
    update(&mut state, key(KeyCode::Backspace));
    update(&mut state, key(KeyCode::Down));
    update(&mut state, key(KeyCode::Down));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(
        effects.is_empty(),
        "choosing the profile in use does nothing: {effects:?}"
    );
    assert!(state.view.modal.is_none());
}

#[tokio::test]
async fn per_profile_read_only_follows_the_switch() {
    let mut state = demo_loaded().await;
    state.session.demo = false;
    state.session.posture.read_only.insert("prod".into());
    choose(&mut state, "prod");
    update(
        &mut state,
        Action::ProfileSwitched {
            profile: "prod".into(),
            identity: identity("1"),
            insecure_endpoint: None,
        },
    );
    assert!(state.session.read_only);
    choose(&mut state, "dev");
    update(
        &mut state,
        Action::ProfileSwitched {
            profile: "dev".into(),
            identity: identity("2"),
            insecure_endpoint: None,
        },
    );
    assert!(!state.session.read_only);
}

#[tokio::test]
async fn no_switch_while_a_change_is_in_flight() {
    let mut state = demo_loaded().await;
    state.account.send(
        iamkeys::effect::Change::Delete {
            user: "u".into(),
            key_id: "k".into(),
            unused_since: None,
        },
        iamkeys::effect::Actor::default(),
    );
    assert!(update(&mut state, ch('p')).is_empty());
    assert!(state.view.modal.is_none());
    assert!(state.view.notice.as_deref().unwrap().contains("in flight"));
}
