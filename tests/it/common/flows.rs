//! Pressing keys in tests: build key actions, and select a user or key the
//! way an operator would (by moving the cursor).

use crossterm::event::{KeyCode, KeyEvent};
use iamkeys::action::Action;
use iamkeys::effect::{Change, Effect};
use iamkeys::model::KeyStatus;
use iamkeys::state::{Focus, State};
use iamkeys::update::update;

/// Apply a move without carrying out the IAM calls it asks for (the user's
/// groups and tags, keys not listed yet): they are forgotten, as if never
/// asked, so a later `settle` does not wait for them.
fn quietly(state: &mut State, action: Action) {
    for effect in update(state, action) {
        state.account.withdraw(&effect);
    }
}

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::from(code))
}

pub fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

/// `Ctrl-<c>`, e.g. `ctrl('c')`.
pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        crossterm::event::KeyModifiers::CONTROL,
    ))
}

/// Each character of `text` as a key press.
pub fn typed(text: &str) -> Vec<Action> {
    text.chars().map(ch).collect()
}

/// Move the user cursor onto `name` with j/k, focus stays on the user list.
pub fn select_user(state: &mut State, name: &str) {
    if state.view.focus == Focus::Keys {
        quietly(state, key(KeyCode::Tab));
    }
    let target = state
        .view
        .table
        .position_of(state.account.users(), name)
        .unwrap_or_else(|| panic!("{name} is not in the table"));
    quietly(state, ch('g'));
    for _ in 0..target {
        quietly(state, ch('j'));
    }
    assert_eq!(state.selected_user().unwrap().user.name, name);
}

/// Select `user`, focus the key pane and move onto `key_id`.
pub fn select_key(state: &mut State, user: &str, key_id: &str) {
    select_user(state, user);
    quietly(state, key(KeyCode::Enter));
    let keys = state
        .selected_user()
        .unwrap()
        .listed_keys()
        .expect("keys listed");
    let target = keys
        .iter()
        .position(|k| k.id == key_id)
        .unwrap_or_else(|| panic!("{key_id} is not among {user}'s keys"));
    for _ in 0..target {
        quietly(state, ch('j'));
    }
    assert_eq!(state.selected_key().unwrap().1.id, key_id);
}

/// The changes among effects, in order.
pub fn changes(effects: &[Effect]) -> Vec<Change> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Mutate { change, .. } => Some(change.clone()),
            _ => None,
        })
        .collect()
}

/// The first user (in load order) with a key of this status: (user, key ID).
pub fn key_with_status(state: &State, status: KeyStatus) -> (String, String) {
    state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let k = r.listed_keys()?.iter().find(|k| k.status == status)?;
            Some((r.user.name.clone(), k.id.clone()))
        })
        .unwrap_or_else(|| panic!("no user has a {status} key"))
}

/// Assert the status bar says `part` (and show what it says if not).
pub fn assert_notice(state: &State, part: &str) {
    let notice = state.view.notice.as_deref().unwrap_or("");
    assert!(notice.contains(part), "notice {notice:?} lacks {part:?}");
}
