//! The account's own findings have a row: `<root account>`, first in the
//! list, explained with `Enter`, found by `/root`, kept by `F` (issue 23
//! item 5).

use crossterm::event::KeyCode;
use iamkeys::audit::FindingId;
use iamkeys::state::{Modal, State};
use iamkeys::update::update;

use crate::common::flows::{ch, key, typed};
use crate::common::screen::text;
use crate::common::states::demo_loaded;

const ROOT: &str = "<root account>";

fn first_row(state: &State) -> String {
    text(state, 100, 30)
        .lines()
        .nth(5)
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_root_row_comes_first_with_its_badge_and_explains_itself() {
    let mut state = demo_loaded().await;
    assert!(
        state
            .account
            .root_findings()
            .iter()
            .any(|f| f.id == FindingId::RootAccessKey)
    );
    let row = first_row(&state);
    assert!(row.contains(ROOT) && row.contains("root"), "{row}");
    update(&mut state, ch('g'));
    assert!(state.view.table.root_selected());
    assert!(state.selected_user().is_none(), "no IAM user is selected");
    let screen = text(&state, 100, 30);
    assert!(
        screen.contains("The root user"),
        "the key pane says what it is:\n{screen}"
    );
    update(&mut state, key(KeyCode::Enter));
    match &state.view.modal {
        Some(Modal::Findings {
            user, key_id: None, ..
        }) => assert_eq!(user, ROOT),
        modal => panic!("{modal:?}"),
    }
    let screen = text(&state, 120, 30);
    assert!(screen.contains("root_access_key"), "{screen}");
    assert!(screen.contains("CIS v1.4-v4.0 1.4"), "{screen}");
    assert!(screen.contains("v7.0 2.4 · Security Hub IAM.4"), "{screen}");
    let hints = screen.lines().last().unwrap();
    assert!(
        !hints.contains("make inactive") && !hints.contains("waive"),
        "{hints}"
    );
    // No key of root can be acted on, nor can a waiver go in root's tags.
    update(&mut state, ch('W'));
    assert!(!matches!(state.view.modal, Some(Modal::Waive(_))));
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('i'));
    assert!(state.view.modal.is_none(), "{:?}", state.view.modal);
    update(&mut state, ch('c'));
    assert!(state.view.modal.is_none(), "{:?}", state.view.modal);
}

#[tokio::test]
async fn slash_root_finds_it_and_f_keeps_it() {
    let mut state = demo_loaded().await;
    update(&mut state, ch('/'));
    for action in typed("root") {
        update(&mut state, action);
    }
    update(&mut state, key(KeyCode::Enter));
    assert!(first_row(&state).contains(ROOT), "{}", first_row(&state));
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('/'));
    for action in typed("finding:root") {
        update(&mut state, action);
    }
    update(&mut state, key(KeyCode::Enter));
    assert!(first_row(&state).contains(ROOT));
    assert_eq!(state.view.table.len(), 1, "only root has a root finding");
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('F'));
    assert!(first_row(&state).contains(ROOT), "F keeps it");
    update(&mut state, ch('S'));
    assert!(first_row(&state).contains(ROOT), "first whatever the order");
}
