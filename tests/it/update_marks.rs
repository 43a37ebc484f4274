//! Marks (`Space`) are visible, say when they take over `i`/`d`, and are
//! cleared with `Esc` after a one-line question (issue 23 item 2).

use crossterm::event::KeyCode;
use iamkeys::model::KeyStatus;
use iamkeys::state::{Modal, State};
use iamkeys::update::update;

use crate::common::flows::{ch, key, key_with_status, select_key};
use crate::common::screen::text;
use crate::common::states::demo_loaded;

/// Two Active keys of two users: the first is marked, the second selected.
async fn marked_elsewhere() -> (State, (String, String), (String, String)) {
    let mut state = demo_loaded().await;
    let marked = key_with_status(&state, KeyStatus::Active);
    let other = state
        .account
        .users()
        .rows()
        .filter(|r| r.user.name != marked.0)
        .find_map(|r| {
            let k = r
                .listed_keys()?
                .iter()
                .find(|k| k.status == KeyStatus::Active)?;
            Some((r.user.name.clone(), k.id.clone()))
        })
        .expect("a second user with an Active key");
    select_key(&mut state, &marked.0, &marked.1);
    update(&mut state, ch(' '));
    select_key(&mut state, &other.0, &other.1);
    (state, marked, other)
}

#[tokio::test]
async fn marks_show_on_the_user_row_in_the_header_and_in_the_hints() {
    let (state, marked, other) = marked_elsewhere().await;
    let screen = text(&state, 160, 48);
    let header: Vec<&str> = screen.lines().take(3).collect();
    assert!(
        header.iter().any(|l| l.contains("1 marked")),
        "header: {header:#?}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains(&format!(" {} ", marked.0)))
        .unwrap_or_else(|| panic!("no row of {}:\n{screen}", marked.0));
    assert!(
        row.contains('●'),
        "the marked user's row shows a mark: {row}"
    );
    let unmarked = screen
        .lines()
        .find(|l| l.contains(&format!(" {} ", other.0)) && l.contains('│'))
        .unwrap();
    assert!(!unmarked.contains('●'), "{unmarked}");
    let hints = screen.lines().last().unwrap();
    assert!(
        hints.contains("act on the marks") && hints.contains("Esc"),
        "the hint says the marks take over i/d and how to clear them: {hints}"
    );
}

#[tokio::test]
async fn i_and_d_say_first_that_they_act_on_the_marked_keys() {
    let (mut state, marked, other) = marked_elsewhere().await;
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let iamkeys::state::Operation::SetStatus { targets, .. } = &dialog.operation else {
        panic!("{dialog:?}")
    };
    let ids: Vec<&str> = targets.iter().map(|t| t.key_id.as_str()).collect();
    assert_eq!(ids, [marked.1.as_str()], "the marked key, not {}", other.1);
    let screen = text(&state, 120, 30);
    let first = screen
        .lines()
        .find(|l| l.contains("Make") && l.contains('?'))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        first.contains("the 1 marked key") && first.contains("not the selected"),
        "first line: {first}"
    );
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('d'));
    let screen = text(&state, 120, 30);
    assert!(
        screen.contains("the 1 marked key") && screen.contains("not the selected"),
        "d says so too: {screen}"
    );
}

#[tokio::test]
async fn u_and_enter_stay_on_the_selected_key() {
    let (mut state, _, other) = marked_elsewhere().await;
    update(&mut state, ch('u'));
    match &state.view.modal {
        Some(Modal::Usage { key_id, .. }) => assert_eq!(key_id, &other.1),
        modal => panic!("{modal:?}"),
    }
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, key(KeyCode::Enter));
    match &state.view.modal {
        Some(Modal::Findings { user, key_id, .. }) => {
            assert_eq!(user, &other.0);
            assert_eq!(key_id.as_deref(), Some(other.1.as_str()));
        }
        modal => panic!("{modal:?}"),
    }
}

#[tokio::test]
async fn esc_on_the_list_asks_before_it_clears_the_marks() {
    let (mut state, _, _) = marked_elsewhere().await;
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.view.marks.len(), 1, "not cleared yet");
    let line = text(&state, 120, 30).lines().last().unwrap().to_owned();
    assert!(line.contains("Clear 1 mark? y"), "{line}");
    // Any other key keeps them, and does nothing else.
    let cursor = state.view.key_cursor;
    update(&mut state, ch('j'));
    assert_eq!(state.view.marks.len(), 1);
    assert_eq!(state.view.key_cursor, cursor, "the answer is not a move");
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('y'));
    assert!(state.view.marks.is_empty());
    let line = text(&state, 120, 30).lines().last().unwrap().to_owned();
    assert!(!line.contains("marked"), "{line}");
}

/// Issue 38 item 10: the words count what is on screen. Marking says what
/// was marked (the badge already counts: no "1 marked  1 key marked"); a
/// bulk dialog whose marks include the selected key does not say "not the
/// selected one".
#[tokio::test]
async fn marking_says_which_key_and_the_bulk_dialog_counts_the_selected_one() {
    let (mut state, marked, other) = marked_elsewhere().await;
    update(&mut state, ch(' '));
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains(&other.1) && !notice.contains("marked"),
        "{notice}"
    );
    let screen = text(&state, 160, 48);
    let status = screen.lines().last().unwrap();
    assert_eq!(status.matches("marked").count(), 1, "{status}");
    update(&mut state, ch(' '));
    let notice = state.view.notice.clone().unwrap();
    assert!(notice.starts_with("Unmarked"), "{notice}");
    // Mark the selected one again: two marked, the selected among them.
    update(&mut state, ch(' '));
    update(&mut state, ch('i'));
    let screen = text(&state, 160, 48);
    assert!(
        !screen.contains("not the selected one"),
        "the selected key is one of them:\n{screen}"
    );
    assert!(screen.contains("the 2 marked keys"), "{screen}");
    update(&mut state, key(KeyCode::Esc));
    // The selected key unmarked, the first still marked: the dialog says so.
    select_key(&mut state, &other.0, &other.1);
    update(&mut state, ch(' '));
    assert_eq!(state.view.marks.len(), 1, "{:?}", state.view.marks);
    assert!(state.view.marks.contains(&marked));
    update(&mut state, ch('i'));
    let screen = text(&state, 160, 48);
    assert!(screen.contains("not the selected one"), "{screen}");
}
