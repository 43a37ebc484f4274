//! Rendering into ratatui's `TestBackend`, checked with insta snapshots.

use crossterm::event::{KeyCode, KeyEvent};
use iamkeys::action::{Action, Loaded};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::state::State;
use iamkeys::ui::{Theme, render};
use iamkeys::update::update;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::common::states::{demo_loaded, loaded, loading};

fn draw(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(state, &Theme::default(), frame))
        .unwrap();
    terminal
}

fn screen(state: &State, width: u16, height: u16) -> String {
    draw(state, width, height).backend().to_string()
}

#[test]
fn first_frame_before_any_result() {
    let state = loading();
    let text = screen(&state, 120, 20);
    assert!(text.contains("Loading users…"));
    assert!(text.contains("IAM calls in flight"));
    assert_snapshot!(text);
}

#[tokio::test]
async fn main_screen_with_the_demo_account() {
    let state = demo_loaded().await;
    let text = screen(&state, 120, 40);
    assert!(text.contains("123456789012"));
    assert!(text.contains("AKIADEMO000000000000"));
    assert_snapshot!(text);
}

#[tokio::test]
async fn key_pane_with_two_keys_focused() {
    let mut state = demo_loaded().await;
    while state.users.selected().unwrap().listed_keys().unwrap().len() < 2 {
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
    }
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
    assert_snapshot!(screen(&state, 120, 24));
}

#[tokio::test]
async fn help_overlay_lists_every_binding() {
    let mut state = demo_loaded().await;
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('?'))));
    let text = screen(&state, 120, 40);
    for command in iamkeys::keymap::Command::ALL {
        assert!(text.contains(command.description()), "{command:?} missing");
    }
    assert_snapshot!(text);
}

#[tokio::test]
async fn narrow_terminal_puts_keys_below_users() {
    let state = demo_loaded().await;
    let text = screen(&state, 80, 40);
    let users_line = text.lines().position(|l| l.contains("Users (")).unwrap();
    let keys_line = text
        .lines()
        .position(|l| l.contains("Access keys of"))
        .unwrap();
    assert!(keys_line > users_line);
    assert_snapshot!(text);
}

#[test]
fn too_small_terminal_gets_a_notice() {
    let state = loading();
    let text = screen(&state, 40, 8);
    assert!(text.contains("Terminal too"), "{text}");
}

#[test]
fn failed_listing_says_how_to_fix_it() {
    let mut state = loading();
    let err = IamError::new(ErrorKind::AccessDenied, "iam:ListUsers", "not authorized");
    let action = loaded(&state, Loaded::UsersPage(Err(err)));
    update(&mut state, action);
    let text = screen(&state, 120, 16);
    assert!(text.contains("grant iam:ListUsers"), "{text}");
    assert!(text.contains("press r to retry"), "{text}");
    assert_snapshot!(text);
}

#[tokio::test]
async fn rendering_never_changes_the_state() {
    let state = demo_loaded().await;
    let before = state.clone();
    draw(&state, 120, 40);
    draw(&state, 60, 20);
    assert_eq!(state, before);
}
