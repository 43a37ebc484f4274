//! Issue 37 item 3, `:whois` in the UI: the line is read (a key ID not
//! shaped like one is refused before anything is asked), the caller's
//! worker is asked, and the answer selects the user and then the key,
//! whatever the filter hid; an answer for no one says so.

use crossterm::event::KeyCode;
use iamkeys::action::{Action, Holder};
use iamkeys::effect::Effect;
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::state::{Focus, State};
use iamkeys::update::update;

use crate::common::flows::{ch, key, typed};
use crate::common::states::demo_loaded;

const ACCOUNT: &str = "123456789012";

fn run_line(state: &mut State, line: &str) -> Vec<Effect> {
    update(state, ch(':'));
    for action in typed(line) {
        update(state, action);
    }
    update(state, key(KeyCode::Enter))
}

/// A key of `user` in the demo, and where it sits in the user's pane.
fn key_of(state: &State, user: &str) -> (String, usize) {
    let row = state.account.users().get(user).unwrap();
    let keys = row.listed_keys().expect("the demo lists keys");
    let at = keys.len() - 1;
    (keys[at].id.clone(), at)
}

#[tokio::test]
async fn whois_selects_the_user_and_then_the_key() {
    let mut state = demo_loaded().await;
    let (wanted, at) = key_of(&state, "grace.06");
    // Something else is filtered and selected.
    update(&mut state, ch('/'));
    for action in typed("svc-") {
        update(&mut state, action);
    }
    update(&mut state, key(KeyCode::Enter));
    assert!(state.selected_user().unwrap().user.name.starts_with("svc-"));

    // Shaped wrong: refused on the line, nothing asked.
    let effects = run_line(&mut state, "whois AKIA123");
    assert!(effects.is_empty(), "{effects:?}");
    let said = state.view.notice.clone().unwrap_or_default() + &format!("{:?}", state.view.command);
    assert!(said.contains("not shaped like an access key ID"), "{said}");
    update(&mut state, key(KeyCode::Esc));

    // Typed in lower case: asked as the key ID it is.
    let effects = run_line(&mut state, &format!("whois {}", wanted.to_lowercase()));
    assert_eq!(
        effects,
        [Effect::Whois {
            key_id: wanted.clone()
        }]
    );
    update(
        &mut state,
        Action::Whois {
            key_id: wanted.clone(),
            result: Ok(Holder {
                account: ACCOUNT.into(),
                user: Some("grace.06".into()),
                searched: true,
            }),
        },
    );
    assert_eq!(state.selected_user().unwrap().user.name, "grace.06");
    assert!(
        state.view.table.filter.as_str().is_empty(),
        "the filter is cleared"
    );
    assert_eq!(state.view.focus, Focus::Keys);
    assert_eq!(state.view.key_cursor, at);
    assert_eq!(state.selected_key().unwrap().1.id, wanted);
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains(&format!("{wanted} is grace.06's, in account {ACCOUNT}")),
        "{:?}",
        state.view.notice
    );
}

#[tokio::test]
async fn an_answer_for_no_one_or_a_refusal_is_said() {
    let mut state = demo_loaded().await;
    let before = state.selected_user().map(|r| r.user.name.clone());
    for (result, says) in [
        (
            Ok(Holder {
                account: ACCOUNT.into(),
                user: None,
                searched: true,
            }),
            "where no user holds it now",
        ),
        (
            Ok(Holder {
                account: "210987654321".into(),
                user: None,
                searched: false,
            }),
            "not in any account reachable here",
        ),
        (
            Ok(Holder {
                account: "210987654321".into(),
                user: Some("mallory".into()),
                searched: true,
            }),
            "not this one",
        ),
        (
            Err(IamError::new(
                ErrorKind::AccessDenied,
                "sts:GetAccessKeyInfo",
                "not authorized",
            )),
            "cannot be told (sts:GetAccessKeyInfo denied)",
        ),
    ] {
        update(
            &mut state,
            Action::Whois {
                key_id: "AKIAZZZZZZZZZZZZZZZZ".into(),
                result,
            },
        );
        let notice = state.view.notice.clone().unwrap();
        assert!(notice.contains(says), "{notice}");
        assert_eq!(
            state.selected_user().map(|r| r.user.name.clone()),
            before,
            "nothing selected"
        );
    }
}

/// `--org`: the answer names the management account while dev is open;
/// dev is left, the caller's own account opened, carol selected, and her
/// key selected once her keys (asked of that account's worker) come.
#[test]
fn in_an_organization_whois_opens_the_holders_account() {
    use crate::update_root_keys::{DEV, OWN, in_account};
    use iamkeys::action::Loaded;
    use iamkeys::effect::Call;
    use iamkeys::model::{AccessKey, KeyStatus};

    let mut state = in_account(&["RootSessions"], DEV);
    let wanted = "AKIACAROL00000000002";
    let effects = update(
        &mut state,
        Action::Whois {
            key_id: wanted.into(),
            result: Ok(Holder {
                account: OWN.into(),
                user: Some("carol".into()),
                searched: true,
            }),
        },
    );
    assert_eq!(state.open_member().unwrap().info.id, OWN);
    assert_eq!(state.selected_user().unwrap().user.name, "carol");
    assert_eq!(state.view.focus, Focus::Keys);
    // Her keys are asked of the caller's own account's worker.
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Member { account, effect }
                if account == OWN
                    && matches!(effect.as_ref(), Effect::Iam { call: Call::ListKeys { user, .. }, .. } if user == "carol")
        )),
        "{effects:?}"
    );
    let key = |id: &str| AccessKey {
        id: id.into(),
        user_name: "carol".into(),
        status: KeyStatus::Active,
        created: Some(crate::common::states::now()),
    };
    update(
        &mut state,
        Action::Member {
            account: OWN.into(),
            action: Box::new(Action::Loaded {
                generation: 1,
                result: Loaded::Keys {
                    user: "carol".into(),
                    result: Ok(vec![key("AKIACAROL00000000001"), key(wanted)]),
                },
            }),
        },
    );
    assert_eq!(state.view.key_cursor, 1);
    assert_eq!(state.selected_key().unwrap().1.id, wanted);
}
