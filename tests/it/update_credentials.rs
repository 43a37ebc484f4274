//! Pure `update` tests of acting on every long-term credential beyond
//! access keys (issue 36): `P` removes a console password once the user
//! name is typed (`DeleteLoginProfile` bound to the account on screen;
//! refused with nothing to remove, sent nothing in read-only mode); the
//! key pane's cursor reaches the other credentials, which `i`, `a` and `d`
//! act on through the key dialogs.

use crossterm::event::KeyCode;
use iamkeys::action::{Action, Mutated};
use iamkeys::audit::FindingId;
use iamkeys::effect::{Call, Change, Effect};
use iamkeys::state::{Modal, State};
use iamkeys::update::update;

use crate::common::flows::{assert_notice, ch, changes, key, select_user, typed};
use crate::common::states::demo_loaded;

fn run(state: &mut State, actions: Vec<Action>) -> Vec<Effect> {
    actions.into_iter().flat_map(|a| update(state, a)).collect()
}

/// A demo user whose console password is unused.
fn unused_password_user(state: &State) -> String {
    state
        .account
        .users()
        .rows()
        .find(|r| r.findings.iter().any(|f| f.id == FindingId::UnusedPassword))
        .expect("the demo has an unused password")
        .user
        .name
        .clone()
}

#[tokio::test]
async fn p_removes_a_console_password_once_the_user_name_is_typed() {
    let mut state = demo_loaded().await;
    let user = unused_password_user(&state);
    select_user(&mut state, &user);
    update(&mut state, ch('P'));
    let Some(Modal::RemovePassword(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.user, user);
    assert_eq!(dialog.account.account_id, iamkeys::iam::demo::DEMO_ACCOUNT);
    // A name that is not the user's removes nothing; y and n are text.
    let mut effects = run(&mut state, typed("nobody"));
    effects.extend(run(&mut state, vec![ch('y'), ch('n'), key(KeyCode::Enter)]));
    assert!(changes(&effects).is_empty(), "{effects:?}");
    let Some(Modal::RemovePassword(dialog)) = &state.view.modal else {
        panic!("a mismatch keeps the dialog")
    };
    assert!(dialog.mismatch);
    run(&mut state, vec![key(KeyCode::Backspace); 8]);
    run(&mut state, typed(&user));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        changes(&effects),
        [Change::RemovePassword { user: user.clone() }]
    );
    assert_eq!(state.view.modal, None);
    let id = effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    // Done: said, and the password asked of IAM again (not assumed gone).
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(Mutated::PasswordRemoved),
        },
    );
    assert_notice(&state, "console password was removed");
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Iam { call: Call::UserDetails { user: u, .. }, .. } if *u == user
        )),
        "{effects:?}"
    );
}

#[tokio::test]
async fn no_password_is_refused_and_read_only_sends_nothing() {
    let mut state = demo_loaded().await;
    let without = state
        .account
        .users()
        .rows()
        .find(|r| r.password == Some(false))
        .unwrap()
        .user
        .name
        .clone();
    select_user(&mut state, &without);
    update(&mut state, ch('P'));
    assert_eq!(state.view.modal, None);
    assert_notice(&state, "has no console password");

    state.session.read_only = true;
    let user = unused_password_user(&state);
    select_user(&mut state, &user);
    let mut effects = update(&mut state, ch('P'));
    assert!(
        matches!(state.view.modal, Some(Modal::RemovePassword(_))),
        "the dialog still opens"
    );
    effects.extend(run(&mut state, typed(&user)));
    effects.extend(update(&mut state, key(KeyCode::Enter)));
    assert!(changes(&effects).is_empty(), "{effects:?}");
    assert_notice(&state, "Read-only");
}

/// Issue 36 items 3-4: the key pane's cursor goes on past the access keys
/// to the other credentials; `i`, `a` and `d` act on them through the same
/// dialogs, bound to the account, each change naming the credential's kind.
#[tokio::test]
async fn other_credentials_are_made_inactive_and_deleted_with_the_key_dialogs() {
    use iamkeys::model::credential::CredentialKind;
    let mut state = demo_loaded().await;
    let (user, id) = state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let c = r
                .credentials
                .known()
                .into_iter()
                .find(|c| matches!(c.kind, CredentialKind::Service { .. }))?;
            Some((r.user.name.clone(), c.id.clone()))
        })
        .unwrap();
    select_user(&mut state, &user);
    update(&mut state, key(KeyCode::Enter));
    let keys = state.selected_user().unwrap().listed_keys().unwrap().len();
    for _ in 0..keys {
        update(&mut state, ch('j'));
    }
    let (_, selected) = state.selected_credential().expect("past the keys");
    assert_eq!(selected.id, id);
    // Enter shows its findings, as on a key.
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.view.modal,
        Some(Modal::Findings {
            user: user.clone(),
            key_id: Some(id.clone()),
            scroll: 0,
        })
    );
    update(&mut state, key(KeyCode::Esc));
    // Active: delete is refused, make inactive asks first.
    update(&mut state, ch('d'));
    assert!(
        matches!(state.view.modal, Some(Modal::Error { .. })),
        "{:?}",
        state.view.modal
    );
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(confirm)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let iamkeys::state::Operation::SetStatus { targets, .. } = &confirm.operation else {
        panic!()
    };
    assert_eq!(targets[0].noun(), "Bedrock API key");
    let effects = update(&mut state, ch('y'));
    let change = changes(&effects).pop().unwrap();
    assert_eq!(
        change,
        Change::SetCredentialStatus {
            user: user.clone(),
            kind: CredentialKind::Service {
                service: iamkeys::model::credential::BEDROCK.into()
            },
            id: id.clone(),
            status: iamkeys::model::KeyStatus::Inactive,
        }
    );
    assert_eq!(change.iam_action(), "iam:UpdateServiceSpecificCredential");
    assert!(state.account.key_busy(&id), "busy while in flight");
}
