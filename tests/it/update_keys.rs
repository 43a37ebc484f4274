//! Pure `update` tests for keys: movement, focus, help, sort, quit.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamkeys::action::Action;
use iamkeys::effect::{Call, Effect};
use iamkeys::state::{Focus, KeysState, Modal};
use iamkeys::update::update;

use crate::common::states::demo_loaded;

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::from(code))
}

fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

#[tokio::test]
async fn j_k_g_and_shift_g_move_the_user_cursor() {
    let mut state = demo_loaded().await;
    let last = state.view.table.len() - 1;
    // The first user stays selected when the root user's row comes first.
    assert_eq!(state.view.table.cursor, 1);
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Down));
    assert_eq!(state.view.table.cursor, 3);
    update(&mut state, ch('k'));
    assert_eq!(state.view.table.cursor, 2);
    update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
    );
    assert_eq!(state.view.table.cursor, last);
    assert!(
        state.view.table.offset > 0,
        "scrolled to keep the cursor visible"
    );
    update(&mut state, ch('g'));
    assert_eq!((state.view.table.cursor, state.view.table.offset), (0, 0));
    update(&mut state, key(KeyCode::PageDown));
    assert_eq!(state.view.table.cursor, state.list_height());
    update(&mut state, key(KeyCode::PageUp));
    assert_eq!(state.view.table.cursor, 0);
}

#[tokio::test]
async fn moving_to_a_user_whose_keys_are_unknown_asks_for_them_first() {
    let mut state = demo_loaded().await;
    let second = state
        .view
        .table
        .names_in_view(state.account.users())
        .nth(1)
        .unwrap()
        .to_owned();
    // Its keys were listed, then a re-list was asked and not made yet.
    for effect in state.account.relist_keys(&second) {
        state.account.withdraw(&effect);
    }
    assert_eq!(
        state.account.users().get(&second).unwrap().keys,
        KeysState::NotRequested
    );
    let effects = update(&mut state, ch('j'));
    assert_eq!(
        effects,
        [
            Effect::Iam {
                generation: state.account.generation,
                call: Call::UserExtras {
                    user: second.clone()
                }
            },
            Effect::Iam {
                generation: state.account.generation,
                call: Call::ListKeys {
                    user: second.clone(),
                    priority: true
                }
            }
        ]
    );
    assert_eq!(
        state.account.users().get(&second).unwrap().keys,
        KeysState::Priority
    );
    // Moving away and back does not ask twice.
    update(&mut state, ch('k'));
    assert!(update(&mut state, ch('j')).is_empty());
}

#[tokio::test]
async fn enter_and_tab_move_focus_and_keys_move_in_the_key_pane() {
    let mut state = demo_loaded().await;
    // Find a user with two keys.
    while state.selected_user().unwrap().listed_keys().unwrap().len() < 2 {
        update(&mut state, ch('j'));
    }
    let user_cursor = state.view.table.cursor;
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.view.focus, Focus::Keys);
    update(&mut state, ch('j'));
    update(&mut state, ch('j'));
    assert_eq!(state.view.key_cursor, 1, "clamped to the last key");
    assert_eq!(
        state.view.table.cursor, user_cursor,
        "the user cursor stays"
    );
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.view.focus, Focus::Users);
    update(
        &mut state,
        Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(state.view.focus, Focus::Keys);
}

#[tokio::test]
async fn help_takes_keys_until_closed() {
    let mut state = demo_loaded().await;
    update(&mut state, ch('?'));
    assert_eq!(state.view.modal, Some(Modal::Help));
    let cursor = state.view.table.cursor;
    assert!(update(&mut state, ch('j')).is_empty());
    assert_eq!(state.view.table.cursor, cursor, "the modal had the key");
    assert_eq!(state.view.modal, Some(Modal::Help));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.view.modal, None);
}

#[tokio::test]
async fn q_and_ctrl_c_quit_even_from_a_modal() {
    let mut state = demo_loaded().await;
    assert_eq!(update(&mut state, ch('q')), [Effect::Quit]);
    let mut state = demo_loaded().await;
    update(&mut state, ch('?'));
    let ctrl_c = Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut state, ctrl_c), [Effect::Quit]);
}

#[tokio::test]
async fn s_cycles_the_sort_and_keeps_the_selection() {
    let mut state = demo_loaded().await;
    update(&mut state, ch('j'));
    update(&mut state, ch('j'));
    let selected = state.selected_user().unwrap().user.name.clone();
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort.label(), "Created");
    assert_eq!(state.selected_user().unwrap().user.name, selected);
    let created: Vec<_> = state
        .view
        .table
        .visible(state.account.users(), 0, usize::MAX)
        .flatten()
        .map(|r| r.user.created)
        .collect();
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort.label(), "Oldest key");
    let first = state
        .view
        .table
        .visible(state.account.users(), 0, usize::MAX)
        .flatten()
        .next()
        .unwrap();
    let oldest = |r: &iamkeys::state::UserRow| {
        r.listed_keys()
            .unwrap()
            .iter()
            .filter(|k| k.status == iamkeys::model::KeyStatus::Active)
            .map(|k| k.created)
            .min()
    };
    let all_oldest = state.account.users().rows().filter_map(oldest).min();
    assert_eq!(
        oldest(first),
        all_oldest,
        "the oldest active key comes first"
    );
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort.label(), "Last used");
    let first = state
        .view
        .table
        .visible(state.account.users(), 0, usize::MAX)
        .flatten()
        .next()
        .unwrap();
    assert!(
        first
            .listed_keys()
            .unwrap()
            .iter()
            .all(|k| first.key_last_used(k).unwrap().date.is_none()),
        "never-used keys first: {}",
        first.user.name
    );
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort.label(), "Findings");
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort.label(), "Risk");
    // Worst risk first, then users without findings.
    let risks: Vec<_> = state
        .view
        .table
        .visible(state.account.users(), 0, usize::MAX)
        .flatten()
        .map(|r| {
            state
                .account
                .worst_risk(&r.user.name, &r.findings)
                .map(iamkeys::account::Risk::rank)
        })
        .collect();
    assert_eq!(
        risks[0],
        Some((iamkeys::audit::Severity::Critical, true)),
        "{risks:?}"
    );
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "{risks:?}");
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort.label(), "User");
}

#[tokio::test]
async fn refresh_starts_a_new_generation_and_empties_the_table() {
    let mut state = demo_loaded().await;
    let generation = state.account.generation;
    let effects = update(&mut state, ch('r'));
    assert_eq!(state.account.generation, generation + 1);
    // Identity, users, the credential report, every user's tags, the
    // ledger, every user's service-specific credentials, IAM Access
    // Analyzer's findings.
    assert_eq!(effects.len(), 7);
    assert_eq!(state.account.users().total(), 0);
}

#[tokio::test]
async fn slash_filters_by_name_as_you_type_and_esc_clears() {
    let mut state = demo_loaded().await;
    let all = state.view.table.len();
    update(&mut state, ch('/'));
    assert!(state.view.filtering);
    for c in "svc-car".chars() {
        update(&mut state, ch(c));
    }
    let names: Vec<&str> = state
        .view
        .table
        .names_in_view(state.account.users())
        .collect();
    assert!(
        !names.is_empty() && names.iter().all(|n| n.starts_with("svc-carol")),
        "{names:?}"
    );
    // j is text while typing, not movement.
    update(&mut state, ch('j'));
    assert_eq!(state.view.table.len(), 0);
    update(&mut state, key(KeyCode::Backspace));
    update(&mut state, key(KeyCode::Enter));
    assert!(!state.view.filtering);
    assert_eq!(state.view.table.filter, "svc-car", "Enter keeps the filter");
    update(&mut state, ch('j'));
    assert_eq!(state.view.table.cursor, 1, "j moves again");
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.view.table.len(), all);
}

#[tokio::test]
async fn an_access_key_id_lands_on_its_user_and_key() {
    let mut state = demo_loaded().await;
    let (user, key_id) = state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let keys = r.listed_keys()?;
            (keys.len() == 2).then(|| (r.user.name.clone(), keys[1].id.clone()))
        })
        .unwrap();
    update(&mut state, ch('/'));
    for c in key_id.to_lowercase().chars() {
        update(&mut state, ch(c));
    }
    assert_eq!(state.view.table.len(), 1);
    assert_eq!(state.selected_user().unwrap().user.name, user);
    assert_eq!(
        state.selected_key().unwrap().1.id,
        key_id,
        "the key itself is selected"
    );
}

#[tokio::test]
async fn a_click_selects_the_row_and_the_wheel_scrolls() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        Action::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut state = demo_loaded().await;
    // 120×40: the header takes 3 lines, the table's border and column header 2 more.
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 5 + 4),
    );
    assert_eq!(state.view.table.cursor, 4);
    update(&mut state, mouse(MouseEventKind::ScrollDown, 10, 20));
    update(&mut state, mouse(MouseEventKind::ScrollDown, 10, 20));
    assert_eq!(state.view.table.cursor, 6);
    update(&mut state, mouse(MouseEventKind::ScrollUp, 10, 20));
    assert_eq!(state.view.table.cursor, 5);
    // A click in the key pane focuses it.
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 100, 12),
    );
    assert_eq!(state.view.focus, Focus::Keys);
    // Clicks on the header do nothing.
    update(
        &mut state,
        mouse(MouseEventKind::Down(MouseButton::Left), 10, 0),
    );
    assert_eq!(state.view.table.cursor, 5);
}

/// Issue 13, item 10: a held key's repeats move the cursor, and never open
/// a dialog (or refresh) again and again.
#[tokio::test]
async fn a_held_key_repeats_movement_only() {
    use crossterm::event::KeyEventKind;
    let repeat = |code| {
        let mut event = KeyEvent::from(code);
        event.kind = KeyEventKind::Repeat;
        Action::Key(event)
    };
    let mut state = demo_loaded().await;
    update(&mut state, repeat(KeyCode::Char('j')));
    update(&mut state, repeat(KeyCode::Char('j')));
    assert_eq!(state.view.table.cursor, 3, "movement repeats");
    update(&mut state, key(KeyCode::Enter));
    assert!(update(&mut state, repeat(KeyCode::Char('d'))).is_empty());
    assert!(update(&mut state, repeat(KeyCode::Char('i'))).is_empty());
    assert_eq!(state.view.modal, None, "no dialog from a repeat");
    let generation = state.account.generation;
    update(&mut state, repeat(KeyCode::Char('r')));
    assert_eq!(
        state.account.generation, generation,
        "no refresh from a repeat"
    );
    update(&mut state, ch('i'));
    assert!(state.view.modal.is_some(), "a press still acts");
}

/// Issue 23 item 7: `r` keeps the cursor on the same user, inside the
/// filter, once the user is listed again (the key pane keeps its focus).
#[tokio::test]
async fn refresh_keeps_the_cursor_on_the_same_user_inside_the_filter() {
    use crate::common::flows::{select_user, typed};
    use crate::common::states::{loaded, now};
    use iamkeys::action::Loaded;
    let mut state = demo_loaded().await;
    update(&mut state, ch('/'));
    for action in typed("svc-") {
        update(&mut state, action);
    }
    update(&mut state, key(KeyCode::Enter));
    select_user(&mut state, "svc-frank-14");
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('r'));
    assert_eq!(state.view.table.filter, "svc-");
    let iam = iamkeys::iam::demo::account(now(), std::time::Duration::ZERO);
    let mut marker = None;
    loop {
        use iamkeys::iam::IamClient as _;
        let page = iam.list_users(marker).await.unwrap();
        marker = page.next_marker.clone();
        let action = loaded(&state, Loaded::UsersPage(Ok(page)));
        update(&mut state, action);
        if marker.is_none() {
            break;
        }
    }
    assert_eq!(state.view.table.filter, "svc-", "the filter stays");
    assert!(
        state
            .view
            .table
            .names_in_view(state.account.users())
            .all(|n| n.contains("svc-"))
    );
    assert_eq!(
        state.selected_user().map(|r| r.user.name.as_str()),
        Some("svc-frank-14")
    );
    assert_eq!(state.view.focus, Focus::Keys);
}

/// Issue 27: `o` opens the selected user's IAM console page with the opener
/// found at start, `O` copies the link, and where no opener exists `o`
/// says so and names `O`; the root row has no IAM page.
#[tokio::test]
async fn o_opens_the_users_console_page_and_o_copies_it() {
    let mut state = demo_loaded().await;
    crate::common::flows::select_user(&mut state, "alice.00");
    let page = "https://console.aws.amazon.com/iam/home#/users/details/alice.00";
    let effects = update(&mut state, ch('O'));
    assert!(
        matches!(effects.as_slice(), [Effect::Copy(s)] if s.expose() == page),
        "{effects:?}"
    );
    assert!(update(&mut state, ch('o')).is_empty());
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains("No way to open a browser") && notice.contains("O copies"),
        "{notice}"
    );
    state.session.opener = Some(vec!["firefox".into(), "--new-tab".into()]);
    assert_eq!(
        update(&mut state, ch('o')),
        [Effect::OpenUrl(vec![
            "firefox".into(),
            "--new-tab".into(),
            page.into()
        ])]
    );
    update(&mut state, ch('g'));
    assert!(state.view.table.root_selected());
    assert!(update(&mut state, ch('o')).is_empty());
    assert!(
        state
            .view
            .notice
            .clone()
            .unwrap()
            .contains("sign in as root")
    );
}
