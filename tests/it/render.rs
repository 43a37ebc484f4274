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

/// Issue 33 item 2: when the environment's keys sign, the header says so
/// instead of a profile's name.
#[tokio::test]
async fn environment_credentials_are_named_in_the_header() {
    let mut state = demo_loaded().await;
    state.session.profile = iamkeys::profiles::ENVIRONMENT.to_owned();
    let text = screen(&state, 120, 40);
    let header = text.lines().next().unwrap();
    assert!(
        header.contains("iamkeys  credentials: environment"),
        "{header}"
    );
    assert!(!header.contains("profile"), "{header}");
}

#[tokio::test]
async fn key_pane_with_two_keys_focused() {
    let mut state = demo_loaded().await;
    while state.selected_user().unwrap().listed_keys().unwrap().len() < 2 {
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
    }
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
    assert_snapshot!(screen(&state, 120, 24));
}

/// Issue 36 items 3-4: the key pane ends with the user's other long-term
/// credentials, each with its status, age, expiry and findings.
#[tokio::test]
async fn the_key_pane_lists_other_long_term_credentials() {
    let mut state = demo_loaded().await;
    let with = |state: &State, kind: fn(&iamkeys::model::credential::CredentialKind) -> bool| {
        state
            .account
            .users()
            .rows()
            .find(|r| r.credentials.known().iter().any(|c| kind(&c.kind)))
            .unwrap()
            .user
            .name
            .clone()
    };
    let bedrock = with(&state, |k| {
        matches!(
            k,
            iamkeys::model::credential::CredentialKind::Service { .. }
        )
    });
    crate::common::flows::select_user(&mut state, &bedrock);
    let text = screen(&state, 140, 40);
    assert!(text.contains("Other long-term credentials"), "{text}");
    assert!(text.contains("Bedrock API key ACCADEMO"), "{text}");
    assert!(text.contains("never expires"), "{text}");
    assert!(text.contains("noexpiry"), "{text}");
    assert!(text.contains("· expires"), "{text}");
    assert_snapshot!(text);
    let ssh = with(&state, |k| {
        *k == iamkeys::model::credential::CredentialKind::SshKey
    });
    crate::common::flows::select_user(&mut state, &ssh);
    let text = screen(&state, 140, 40);
    assert!(text.contains("SSH public key APKADEMO"), "{text}");
    assert!(text.contains("⚑ oldcred"), "{text}");
    assert!(text.contains("signing certificate DEMOCERT"), "{text}");
    assert!(text.contains("Inactive"), "{text}");
    // The cursor on a credential: its `›`, and none on the key above it.
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
    let keys = state.selected_user().unwrap().listed_keys().unwrap().len();
    for _ in 0..keys {
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
    }
    let text = screen(&state, 140, 40);
    assert!(text.contains("› SSH public key APKADEMO"), "{text}");
    assert_eq!(text.matches('›').count(), 1, "{text}");
    // At 80x24 the selected credential stays on screen.
    let small = screen(&state, 80, 24);
    assert!(small.contains("› SSH public key"), "{small}");
    assert_snapshot!("other_credentials_80x24", small);
}

#[tokio::test]
async fn help_overlay_lists_every_binding() {
    let mut state = demo_loaded().await;
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('?'))));
    let text = screen(&state, 120, 40);
    for command in iamkeys::keymap::Command::ALL {
        assert!(
            text.contains(command.description()),
            "{command:?} missing:\n{text}"
        );
    }
    // Issue 38 item 10: "Keys" read as access keys; the overlay is the help.
    let top = text.lines().find(|l| l.contains('┌')).unwrap();
    assert!(top.contains(" Help: every key binding "), "{top}");
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
async fn rendering_follows_the_frame_not_the_size_the_state_last_saw() {
    // Render takes `&State`, so it cannot change it; what can go wrong is
    // drawing for the size the state remembers instead of the frame's.
    let mut state = demo_loaded().await;
    update(&mut state, Action::Resize(120, 40));
    let details = |s: &str| s.contains("groups: developers");
    let small = screen(&state, 120, 13);
    assert!(
        !details(&small),
        "13 rows have no room for all the details:\n{small}"
    );
    update(&mut state, Action::Resize(120, 13));
    let tall = screen(&state, 120, 40);
    assert!(details(&tall), "40 rows show them:\n{tall}");
}

mod dialogs {
    use super::*;
    use crate::common::flows::{ch, key_with_status, select_key, select_user, typed};
    use iamkeys::action::Mutated;
    use iamkeys::model::KeyStatus;

    fn first_user(state: &State, pick: impl Fn(&iamkeys::state::UserRow) -> bool) -> String {
        state
            .account
            .users()
            .rows()
            .find(|r| pick(r))
            .unwrap()
            .user
            .name
            .clone()
    }

    #[tokio::test]
    async fn create_for_a_console_user_names_the_cis_control() {
        let mut state = demo_loaded().await;
        let user = first_user(&state, |r| {
            r.password == Some(true) && r.listed_keys().is_some_and(|k| k.len() == 1)
        });
        select_user(&mut state, &user);
        update(&mut state, ch('c'));
        let text = screen(&state, 120, 30);
        assert!(text.contains("CIS AWS Foundations 1.11"), "{text}");
        assert_snapshot!(text);
    }

    #[tokio::test]
    async fn delete_dialog_after_a_mismatch() {
        let mut state = demo_loaded().await;
        let (user, key) = key_with_status(&state, KeyStatus::Inactive);
        select_key(&mut state, &user, &key);
        update(&mut state, ch('d'));
        for action in typed("AKIAWRONG") {
            update(&mut state, action);
        }
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
        let text = screen(&state, 120, 30);
        assert!(text.contains("nothing was deleted"), "{text}");
        assert_snapshot!(text);
    }

    /// Issue 36 item 2: `P` asks for the user name, says what is lost and
    /// when the password was last used, and names the account.
    #[tokio::test]
    async fn remove_password_dialog_after_a_mismatch() {
        let mut state = demo_loaded().await;
        let user = first_user(&state, |r| {
            r.findings
                .iter()
                .any(|f| f.id == iamkeys::audit::FindingId::UnusedPassword)
        });
        select_user(&mut state, &user);
        update(&mut state, ch('P'));
        for action in typed("someone") {
            update(&mut state, action);
        }
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
        let text = screen(&state, 120, 30);
        assert!(text.contains("Remove console password"), "{text}");
        assert!(text.contains("nothing was removed"), "{text}");
        assert!(text.contains("Password last used: 2026-"), "{text}");
        assert!(text.contains("type the user name"), "{text}");
        assert_snapshot!(text);
        // At 80x24 the dialog keeps its question, the field and its keys.
        let small = screen(&state, 80, 24);
        assert!(small.contains("Remove console password"), "{small}");
        assert!(small.contains("> someone"), "{small}");
        assert!(small.contains("Esc cancels"), "{small}");
        assert_snapshot!("remove_password_dialog_80x24", small);
    }

    #[tokio::test]
    async fn the_secret_is_shown_once_then_gone_from_the_screen() {
        let mut state = demo_loaded().await;
        let user = first_user(&state, |r| r.listed_keys().is_some_and(<[_]>::is_empty));
        select_user(&mut state, &user);
        super::show_a_new_secret(&mut state, &user);
        let text = screen(&state, 120, 30);
        assert!(text.contains("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
        assert_snapshot!(text);
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Esc)));
        let text = screen(&state, 120, 30);
        assert!(text.contains("cannot be shown again"), "{text}");
        update(&mut state, ch('y'));
        let text = screen(&state, 120, 30);
        assert!(!text.contains("wJalrXUtnFEMI"), "{text}");
    }

    #[tokio::test]
    async fn bulk_progress_lists_each_outcome() {
        let mut state = demo_loaded().await;
        let keys: Vec<(String, String)> = state
            .account
            .users()
            .rows()
            .filter_map(|r| Some((r.user.name.clone(), r.listed_keys()?.to_vec())))
            .filter(|(_, k)| k.len() == 2 && k.iter().all(|k| k.status == KeyStatus::Active))
            .flat_map(|(u, k)| k.into_iter().map(move |k| (u.clone(), k.id)))
            .take(3)
            .collect();
        for (user, key) in &keys {
            select_key(&mut state, user, key);
            update(&mut state, ch(' '));
        }
        update(&mut state, ch('i'));
        assert_snapshot!("bulk_confirm", screen(&state, 120, 30));
        let effects = update(&mut state, ch('y'));
        let ids: Vec<u64> = effects
            .iter()
            .filter_map(|e| match e {
                iamkeys::effect::Effect::Mutate { id, .. } => Some(*id),
                _ => None,
            })
            .collect();
        update(
            &mut state,
            Action::Mutated {
                id: ids[0],
                result: Ok(Mutated::StatusSet),
            },
        );
        let denied = IamError::new(ErrorKind::AccessDenied, "iam:UpdateAccessKey", "no");
        update(
            &mut state,
            Action::Mutated {
                id: ids[1],
                result: Err(denied),
            },
        );
        assert_snapshot!("bulk_progress", screen(&state, 120, 30));
    }
}

#[tokio::test]
async fn findings_details_and_the_filtered_table() {
    use crate::common::flows::select_key;
    use iamkeys::audit::FindingId;
    let mut state = demo_loaded().await;
    let (user, key) = state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let f = r.findings.iter().find(|f| f.id == FindingId::UnusedKey)?;
            r.findings
                .iter()
                .find(|f| f.id == FindingId::InitialSetupKey)?;
            Some((r.user.name.clone(), f.access_key_id.clone()?))
        })
        .unwrap();
    update(
        &mut state,
        Action::Key(KeyEvent::new(
            KeyCode::Char('F'),
            crossterm::event::KeyModifiers::SHIFT,
        )),
    );
    select_key(&mut state, &user, &key);
    assert_snapshot!("findings_only_table", screen(&state, 120, 30));
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
    let text = screen(&state, 120, 30);
    assert!(text.contains("Remedy"), "{text}");
    assert!(
        text.contains("Controls: CIS v1.4-v4.0 1.11 · v5.0 1.10 · v6.0 2.10 · not in v7.0"),
        "{text}"
    );
    assert_snapshot!("findings_details", text);
}

#[tokio::test]
async fn filtered_and_sorted_tables() {
    let mut state = demo_loaded().await;
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('/'))));
    for c in "svc-".chars() {
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char(c))));
    }
    let text = screen(&state, 120, 24);
    assert!(
        text.contains("filter \"svc-\"") && text.contains("/svc-"),
        "{text}"
    );
    assert_snapshot!("filter_typing", text);
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
    for _ in 0..2 {
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('s'))));
    }
    let text = screen(&state, 120, 24);
    assert!(text.contains("sorted by Oldest key ↑"), "{text}");
    assert_snapshot!("filter_sorted_by_oldest_key", text);
}

#[tokio::test]
async fn help_shows_rebound_keys_as_rebound() {
    let mut state = demo_loaded().await;
    let config = iamkeys::config::Config::parse(
        "[keybindings]\ndown = [\"n\", \"ctrl-n\"]\nhelp = [\"h\"]\n",
        std::path::Path::new("test.toml"),
    )
    .unwrap();
    state.view.keymap = config.keymap().unwrap();
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('h'))));
    let text = screen(&state, 120, 40);
    let down = text.lines().find(|l| l.contains("move down")).unwrap();
    assert!(down.contains("n, Ctrl-n") && !down.contains("j,"), "{down}");
    assert!(
        text.lines()
            .any(|l| l.contains("show this help") && l.contains(" h ")),
        "{text}"
    );
    // The status bar hints follow the keymap too.
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Esc)));
    assert!(screen(&state, 120, 40).contains("n/k move"));
}

#[test]
fn the_status_bar_says_when_the_sdk_is_backing_off() {
    use iamkeys::iam::retries::{Retries, RetryReason};
    let mut state = loading();
    update(
        &mut state,
        Action::Retrying(Retries {
            total: 3,
            last: Some(RetryReason::Throttled),
            service: Some("IAM"),
        }),
    );
    let text = screen(&state, 120, 12);
    assert!(
        text.contains("backing off: IAM is throttling · 3 retries"),
        "{text}"
    );
    assert_snapshot!(text);
    // Five seconds after the latest retry, the notice is gone.
    let later = state.now + chrono::TimeDelta::seconds(6);
    update(&mut state, Action::Tick(later));
    assert!(!screen(&state, 120, 12).contains("backing off"));
    // A new load starts without it.
    update(
        &mut state,
        Action::Retrying(Retries {
            total: 4,
            last: Some(RetryReason::Unavailable),
            service: Some("CloudTrail"),
        }),
    );
    assert_eq!(state.account.backoff.unwrap().retries, 4);
    update(&mut state, Action::Load);
    assert!(state.account.backoff.is_none());
}

/// Issue 14, item 4: the dialogs answer the keys the config gives them, and
/// every hint, the help and the remedies show those keys.
#[tokio::test]
async fn rebound_dialog_keys_answer_and_show_everywhere() {
    use crate::common::flows::select_key;
    let mut state = demo_loaded().await;
    let config = iamkeys::config::Config::parse(
        "[keybindings]\ndeactivate = [\"x\"]\n[keybindings.dialog]\nconfirm = [\"o\"]\ncancel = [\"esc\"]\n",
        std::path::Path::new("test.toml"),
    )
    .unwrap();
    state.view.keymap = config.keymap().unwrap();
    let (user, key_id) = state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let f = r.findings.iter().find(|f| {
                f.id == iamkeys::audit::FindingId::KeyNotRotated && f.access_key_id.is_some()
            })?;
            Some((r.user.name.clone(), f.access_key_id.clone()?))
        })
        .unwrap();
    select_key(&mut state, &user, &key_id);
    // The findings dialog: the remedy names the rebound key.
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
    let text = screen(&state, 120, 40);
    assert!(text.contains("make the old key inactive (x)"), "{text}");
    assert!(text.contains("x make this key inactive"), "{text}");
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Esc)));
    // x opens the dialog; its hint names o; y no longer confirms, o does.
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('x'))));
    let text = screen(&state, 120, 40);
    assert!(text.contains("o confirms · Esc cancels"), "{text}");
    assert!(
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('y')))).is_empty(),
        "y does nothing now"
    );
    assert!(state.view.modal.is_some());
    let effects = update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('o'))));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, iamkeys::effect::Effect::Mutate { .. })),
        "{effects:?}"
    );
}

/// Issue 23 item 1: from 80×24 up, a user of two keys, with badges and a
/// rotation, shows both keys with the user list focused, and the selected
/// key (`›`) with the key pane focused; nothing is cut without `…`.
#[tokio::test]
async fn every_size_shows_the_keys_and_the_selected_one() {
    use crate::common::flows::select_user;
    let mut state = demo_loaded().await;
    let user = "svc-ivan-08";
    select_user(&mut state, user);
    let row = state.selected_user().unwrap();
    let ids: Vec<String> = row
        .listed_keys()
        .unwrap()
        .iter()
        .map(|k| k.id.clone())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        state.account.rotation_of(user, &ids[0]).is_some()
            || state.account.rotation_of(user, &ids[1]).is_some()
    );
    for (width, height) in [(80, 24), (100, 30), (120, 30), (160, 48)] {
        update(&mut state, Action::Resize(width, height));
        if state.view.focus == iamkeys::state::Focus::Keys {
            update(&mut state, Action::Key(KeyEvent::from(KeyCode::Tab)));
        }
        let listed = screen(&state, width, height);
        for id in &ids {
            assert!(
                listed.contains(id.as_str()),
                "{width}×{height}: {id} hidden:\n{listed}"
            );
        }
        assert!(listed.contains("2active"), "{listed}");
        assert_snapshot!(format!("sizes_{width}x{height}_users"), listed);
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
        let keys = screen(&state, width, height);
        assert!(
            keys.contains(&format!("› {}", ids[1])),
            "{width}×{height}: the selected key is not shown as selected:\n{keys}"
        );
        assert!(
            keys.contains("rotat"),
            "{width}×{height}: the rotation:\n{keys}"
        );
        // Text is never cut silently: every row that fills the key pane
        // to its border ends in `…`.
        let pane = keys
            .lines()
            .map(|l| l.trim_matches('"'))
            .skip_while(|l| !l.contains("Access keys of"));
        for line in pane.take_while(|l| !l.starts_with('└')).skip(1) {
            let inner: Vec<char> = line.chars().collect();
            let last = inner[inner.len() - 2];
            assert!(
                last == ' ' || last == '…' || last == '│',
                "cut without a mark: {line}"
            );
        }
        assert_snapshot!(format!("sizes_{width}x{height}_keys"), keys);
    }
}

/// Issue 23 item 7: a notice has the status bar for a few seconds, then
/// the keys come back beside what is left of it.
#[test]
fn a_notice_hides_the_keys_for_a_few_seconds_only() {
    let mut state = loading();
    let err = IamError::new(ErrorKind::AccessDenied, "iam:ListUsers", "not authorized");
    let action = loaded(&state, Loaded::UsersPage(Err(err)));
    update(&mut state, action);
    let bar = |state: &State| screen(state, 120, 16).lines().last().unwrap().to_owned();
    let fresh = bar(&state);
    assert!(fresh.contains("Access denied"), "{fresh}");
    assert!(!fresh.contains("j/k move"), "{fresh}");
    let now = state.now;
    update(&mut state, Action::Tick(now));
    update(
        &mut state,
        Action::Tick(now + chrono::TimeDelta::seconds(4)),
    );
    assert!(!bar(&state).contains("j/k move"), "4 s is still its time");
    update(
        &mut state,
        Action::Tick(now + chrono::TimeDelta::seconds(6)),
    );
    let later = bar(&state);
    assert!(
        later.contains("j/k move") && later.contains("? help"),
        "{later}"
    );
    assert!(
        later.contains("Access denied"),
        "the notice stays, cut: {later}"
    );
    assert!(later.contains('…'), "{later}");
}

/// Issue 23 item 7: the help scrolls (j/k, PgDn/PgUp, g/G) within 120×30
/// and ends in a legend of the badges and `1A 1I`.
#[tokio::test]
async fn the_help_scrolls_to_its_legend() {
    let mut state = demo_loaded().await;
    update(&mut state, Action::Resize(120, 30));
    let press = |state: &mut State, code| update(state, Action::Key(KeyEvent::from(code)));
    press(&mut state, KeyCode::Char('?'));
    let top = screen(&state, 120, 30);
    assert!(top.contains("more below"), "{top}");
    assert!(top.contains("move down"), "{top}");
    assert!(!top.contains("1A 1I"), "{top}");
    press(&mut state, KeyCode::Char('j'));
    let one = screen(&state, 120, 30);
    assert!(!one.contains("move down"), "j scrolls one row:\n{one}");
    press(&mut state, KeyCode::PageDown);
    press(&mut state, KeyCode::PageDown);
    press(&mut state, KeyCode::PageDown);
    let bottom = screen(&state, 120, 30);
    assert!(bottom.contains("1A 1I"), "{bottom}");
    assert!(bottom.contains("retire") && bottom.contains("inactive_key_ready_to_delete"));
    assert!(!bottom.contains("more below"), "{bottom}");
    assert_snapshot!(bottom);
    // Scrolling past the end stays at the end; k comes back.
    press(&mut state, KeyCode::Char('j'));
    assert_eq!(screen(&state, 120, 30), bottom);
    press(&mut state, KeyCode::Char('g'));
    assert_eq!(screen(&state, 120, 30), top);
    press(&mut state, KeyCode::Esc);
    assert!(state.view.modal.is_none());
}

/// Issue 23 item 8: `w` in the demo (no credentials file) says it saves
/// nothing, never silence; the hints offer it only where it saves.
#[tokio::test]
async fn w_in_the_demo_says_it_saves_nothing() {
    use crate::common::flows::select_user;
    let mut state = demo_loaded().await;
    state.session.demo = true;
    assert!(state.session.credentials_file.is_none());
    select_user(&mut state, "bob.10");
    show_a_new_secret(&mut state, "bob.10");
    let before = screen(&state, 120, 30);
    assert!(!before.contains("save to the credentials file"), "{before}");
    assert!(!before.contains("add to the credentials file"), "{before}");
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('w'))));
    let after = screen(&state, 120, 30);
    assert!(
        after.contains("The demo saves nothing"),
        "w is answered:\n{after}"
    );
    assert!(matches!(
        state.view.modal,
        Some(iamkeys::state::Modal::Secret(_))
    ));
}

/// Issue 23 items 1 and 8: at 60×15 the key pane still shows the keys
/// (one line each); a wrapped dialog line keeps its indent and leaves a
/// blank column before the border.
#[tokio::test]
async fn small_terminals_keep_the_keys_and_dialog_text_off_the_border() {
    use crate::common::flows::select_user;
    let mut state = demo_loaded().await;
    select_user(&mut state, "svc-ivan-08");
    let small = screen(&state, 60, 15);
    assert_eq!(
        crate::common::home::key_ids(&small).len(),
        2,
        "both keys at 60×15:\n{small}"
    );
    // alice.00 has a console password: the create dialog's CIS paragraph wraps.
    select_user(&mut state, "alice.00");
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('c'))));
    let text = screen(&state, 100, 30);
    let inside: Vec<&str> = text
        .lines()
        .map(|l| l.trim_matches('"'))
        .skip_while(|l| !l.contains("Create an access key"))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .collect();
    assert!(inside.len() > 3, "{text}");
    for line in &inside {
        let chars: Vec<char> = line.chars().collect();
        assert_eq!(
            chars[chars.len() - 2],
            ' ',
            "text runs into the border: {line}"
        );
        assert!(
            line.starts_with("│ ") || line.trim_matches('│').trim().is_empty(),
            "a line without its indent: {line}"
        );
    }
}

/// Issue 24 item 4: no control, bidi or invisible character reaches the
/// terminal from the UI, whatever AWS sent; a bidi or invisible one shows
/// as `�`, so two names that differ are seen to differ.
#[test]
fn no_unsafe_character_reaches_the_screen() {
    use iamkeys::model::Page;
    let mut state = loading();
    let users = vec![
        crate::common::states::iam_user("eve\u{202E}gpj.exe"),
        crate::common::states::iam_user("bob\u{200B}"),
        crate::common::states::iam_user("bob"),
        crate::common::states::iam_user("x\u{1b}[2J\u{85}y\u{feff}"),
    ];
    let action = loaded(
        &state,
        Loaded::UsersPage(Ok(Page {
            items: users,
            next_marker: None,
        })),
    );
    update(&mut state, action);
    let terminal = draw(&state, 120, 30);
    let buffer = terminal.backend().buffer();
    for cell in &buffer.content {
        assert!(
            !cell.symbol().chars().any(iamkeys::text::is_unsafe),
            "{:?} on screen",
            cell.symbol()
        );
    }
    let text = screen(&state, 120, 30);
    assert!(text.contains("eve�gpj.exe"), "{text}");
    assert!(text.contains("bob�"), "{text}");
}

/// Issue 38 item 1: the findings dialog with three findings (alice.18's
/// key in the demo) fits the screen above the status bar at 80×24, 100×30
/// and 120×30, always shows its action line, and scrolls with `j`, `PgDn`
/// and `G` to its last remedy.
#[tokio::test]
async fn the_findings_dialog_scrolls_to_its_end_above_the_status_bar() {
    use crate::common::flows::select_key;
    for (width, height) in [(80, 24), (100, 30), (120, 30)] {
        let mut state = demo_loaded().await;
        update(&mut state, Action::Resize(width, height));
        let (user, key) = state
            .account
            .users()
            .rows()
            .flat_map(|r| {
                r.findings.iter().filter_map(|f| {
                    let key = f.access_key_id.clone()?;
                    let n = r
                        .findings
                        .iter()
                        .filter(|g| g.access_key_id.as_deref().is_none_or(|k| k == key))
                        .count();
                    Some((n, r.user.name.clone(), key))
                })
            })
            .max_by_key(|(n, ..)| *n)
            .map(|(_, u, k)| (u, k))
            .unwrap();
        select_key(&mut state, &user, &key);
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Enter)));
        let top = screen(&state, width, height);
        let size = format!("{width}x{height}");
        // The status bar's row is the status bar's, not the dialog's.
        let status_row = top.lines().last().unwrap().to_owned();
        assert!(
            !status_row.contains(['│', '└']) && status_row.contains("waive"),
            "{size}\n{top}"
        );
        let action_line = |text: &str| {
            text.lines()
                .any(|l| l.contains("│ i make this key inactive") || l.contains("close    │"))
        };
        assert!(action_line(&top), "the action line shows: {size}\n{top}");
        assert!(top.contains("more below"), "{size}\n{top}");
        let remedies = |text: &str| text.matches("Remedy:").count();
        let total = state.account.users().get(&user).unwrap().findings.len();
        assert!(remedies(&top) < total, "{size}: all fit, no test\n{top}");
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('j'))));
        let down = screen(&state, width, height);
        assert_ne!(down, top, "j scrolls: {size}");
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('G'))));
        let end = screen(&state, width, height);
        assert!(end.contains("the end"), "{size}\n{end}");
        assert!(action_line(&end), "{size}\n{end}");
        assert_eq!(end.lines().last().unwrap(), status_row, "{size}\n{end}");
        let rows: Vec<&str> = end.lines().collect();
        let last_remedy = rows
            .iter()
            .rposition(|l| l.contains("Remedy:"))
            .expect("a remedy shows at the end");
        assert!(
            rows[last_remedy..].iter().any(|l| l.contains("close")),
            "the last remedy, then the action line: {size}\n{end}"
        );
        // One `k` from the end moves up one row, not from past the end.
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('k'))));
        assert_ne!(screen(&state, width, height), end, "{size}");
        update(&mut state, Action::Key(KeyEvent::from(KeyCode::PageDown)));
        assert_eq!(
            screen(&state, width, height),
            end,
            "PgDn to the end: {size}"
        );
        if (width, height) != (100, 30) {
            assert_snapshot!(format!("findings_dialog_end_{size}"), end);
        }
    }
}

/// Issue 38 item 3: the user column is as wide as the names need (at 120
/// columns a 20-character name is not cut to 12), and the findings column
/// takes the rest (at 160 no badge list is cut while the names have room).
#[tokio::test]
async fn columns_fit_the_names_and_the_badges() {
    use iamkeys::iam::memory::MemoryUser;
    let long = "amber-console-user-1";
    let state = crate::common::states::demo_loaded_with(|iam| {
        iam.add_user(MemoryUser {
            password: true,
            ..MemoryUser::new(crate::common::states::iam_user(long))
        });
    })
    .await;
    let at_120 = screen(&state, 120, 50);
    assert!(at_120.contains(&format!(" {long} ")), "{at_120}");
    let at_160 = screen(&state, 160, 50);
    let users_pane: Vec<&str> = at_160
        .lines()
        .filter(|l| l.contains("│  ") && (l.contains(" yes ") || l.contains(" no ")))
        .collect();
    assert!(!users_pane.is_empty(), "{at_160}");
    for row in &users_pane {
        let left = row.split("││").next().unwrap();
        assert!(!left.contains('…'), "a cut badge or name at 160: {row}");
    }
}

/// Issue 38 item 9: the status bar's hints tell the truth in each state.
#[tokio::test]
async fn hints_tell_the_truth_in_each_state() {
    use crate::common::flows::{select_key, select_user};
    let bar =
        |state: &State, width: u16| screen(state, width, 30).lines().last().unwrap().to_owned();
    let press =
        |state: &mut State, c: char| update(state, Action::Key(KeyEvent::from(KeyCode::Char(c))));
    let mut state = demo_loaded().await;
    let alice = first_key(&state, "alice.00");
    select_key(&mut state, "alice.00", &alice);
    // The key pane lists what acts on the key: Enter, u, y too.
    let keys = bar(&state, 240);
    for hint in [
        "Enter findings (W waives)",
        "u usage",
        "y copy ID",
        "R rotate",
        "i inactive",
    ] {
        assert!(keys.contains(hint), "{hint}: {keys}");
    }
    // Read-only advertises no change.
    state.session.read_only = true;
    let read_only = bar(&state, 240);
    for change in ["new key", "rotate", "inactive", " active", "delete", "mark"] {
        assert!(!read_only.contains(change), "{change}: {read_only}");
    }
    assert!(read_only.contains("read-only"), "{read_only}");
    state.session.read_only = false;

    // The secret dialog's acknowledgement: the bar answers the question.
    select_user(&mut state, "bob.10");
    show_a_new_secret(&mut state, "bob.10");
    assert!(bar(&state, 160).contains("copy"), "{}", bar(&state, 160));
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Esc)));
    let asking = bar(&state, 160);
    assert!(
        asking.contains("closes") && asking.contains("goes back") && !asking.contains("copy"),
        "{asking}"
    );
    press(&mut state, 'y');
    assert!(state.view.modal.is_none());

    // At 80 columns a long notice does not run into the hints.
    state.view.notice = Some("x".repeat(200));
    let narrow = bar(&state, 80);
    let at = narrow.find("? help").expect("help stays");
    assert!(
        narrow[..at].ends_with(' ') && !narrow[..at].ends_with("x "),
        "a gap between the notice and the hints: {narrow}"
    );
}

/// Issue 38 item 11: "No access keys." stands in the pane's text column,
/// as every other line of the pane does (one column in from the border).
#[tokio::test]
async fn no_access_keys_is_aligned_with_the_pane() {
    let mut state = demo_loaded().await;
    crate::common::flows::select_user(&mut state, "bob.28");
    let text = screen(&state, 120, 40);
    let line = text
        .lines()
        .find(|l| l.contains("No access keys."))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("││ No access keys."), "{line}");
    assert!(text.contains("││ arn:aws:iam::"), "{text}");
}

/// Issue 38 item 11: an information dialog's text is padded from its
/// border, as every other dialog's is.
#[tokio::test]
async fn info_dialogs_are_padded() {
    let mut state = demo_loaded().await;
    state.view.modal = Some(iamkeys::state::Modal::Error {
        title: "Cannot create a key".into(),
        message: "Something to read".into(),
    });
    let text = screen(&state, 120, 30);
    assert!(text.contains("│ Something to read"), "{text}");
    assert!(text.contains("│ Esc or"), "{text}");
}

/// Issue 38 item 11: the demo's rotate dialog offers no save (the demo
/// saves nothing); with a credentials file, it does.
#[tokio::test]
async fn the_rotate_dialog_offers_a_save_only_where_one_can_be_made() {
    use crate::common::flows::select_key;
    for (demo, file, offered) in [(true, None, false), (false, Some("/tmp/creds"), true)] {
        let mut state = demo_loaded().await;
        state.session.demo = demo;
        state.session.credentials_file = file.map(Into::into);
        let alice = first_key(&state, "alice.00");
        select_key(&mut state, "alice.00", &alice);
        update(
            &mut state,
            Action::Key(KeyEvent::new(
                KeyCode::Char('R'),
                crossterm::event::KeyModifiers::SHIFT,
            )),
        );
        let text = screen(&state, 140, 40);
        assert!(text.contains("Rotate access key"), "{text}");
        assert_eq!(text.contains("saves it as"), offered, "{text}");
    }
}

/// Issue 38 item 12: without colour (`NO_COLOR`) critical, high and medium
/// findings still look different: `!!` marks a critical badge, `!` a high
/// one, in the rows and the findings line; the help says so.
#[tokio::test]
async fn without_colour_severity_is_a_symbol() {
    let mut state = demo_loaded().await;
    let draw = |state: &State, theme: &Theme| {
        let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
        terminal.draw(|frame| render(state, theme, frame)).unwrap();
        terminal.backend().to_string()
    };
    let mono = draw(&state, &Theme::monochrome());
    assert!(mono.contains("!!root"), "critical: {mono}");
    assert!(mono.contains("!setup"), "high: {mono}");
    assert!(mono.contains(" rotate"), "medium stays plain: {mono}");
    let colour = draw(&state, &Theme::default());
    assert!(!colour.contains("!!root"), "colour needs no symbol");
    update(&mut state, Action::Key(KeyEvent::from(KeyCode::Char('?'))));
    let help: String = crate::common::screen::text(&state, 160, 200);
    assert!(help.contains("!! critical"), "{help}");
}

/// `c`, `y` on the selected `user`, and IAM's answer: the new key's secret
/// on screen.
fn show_a_new_secret(state: &mut State, user: &str) {
    use iamkeys::action::Mutated;
    use iamkeys::model::{AccessKey, KeyStatus, NewAccessKey};
    use iamkeys::secret::Secret;
    update(state, Action::Key(KeyEvent::from(KeyCode::Char('c'))));
    let effects = update(state, Action::Key(KeyEvent::from(KeyCode::Char('y'))));
    let id = effects
        .iter()
        .find_map(|e| match e {
            iamkeys::effect::Effect::Mutate { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    let new = NewAccessKey {
        key: AccessKey {
            id: "AKIANEWKEY0000000001".into(),
            user_name: user.into(),
            status: KeyStatus::Active,
            created: Some(crate::common::states::now()),
        },
        secret: Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    };
    update(
        state,
        Action::Mutated {
            id,
            result: Ok(Mutated::Created(new)),
        },
    );
}

/// The ID of `user`'s first listed key.
fn first_key(state: &State, user: &str) -> String {
    state
        .account
        .users()
        .get(user)
        .unwrap()
        .listed_keys()
        .unwrap()[0]
        .id
        .clone()
}

/// A writer that counts the writes that reach it, as a terminal's
/// `write(2)` calls would.
#[derive(Default)]
struct Writes {
    calls: std::rc::Rc<std::cell::Cell<usize>>,
    bytes: std::rc::Rc<std::cell::Cell<usize>>,
}

impl std::io::Write for Writes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.calls.set(self.calls.get() + 1);
        self.bytes.set(self.bytes.get() + buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A whole frame reaches the terminal in one write: a terminal (tmux, an
/// SSH link) that shows what it has read never shows half a frame, a
/// dialog's title without its text. Through `stdout`'s own 1 KiB line
/// buffer, this frame took dozens of writes, and an end-to-end test once
/// read the screen between two of them.
#[tokio::test]
async fn a_whole_frame_goes_out_in_one_write() {
    let state = demo_loaded().await;
    let writes = Writes::default();
    let (calls, bytes) = (writes.calls.clone(), writes.bytes.clone());
    let backend = ratatui::backend::CrosstermBackend::new(iamkeys::app::frame_writer(writes));
    let area = ratatui::layout::Rect::new(0, 0, 200, 60);
    let mut terminal = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(area),
        },
    )
    .unwrap();
    terminal
        .draw(|frame| render(&state, &Theme::default(), frame))
        .unwrap();
    assert!(
        bytes.get() > 8 * 1024,
        "a full frame: {} bytes",
        bytes.get()
    );
    assert_eq!(
        calls.get(),
        1,
        "{} bytes in {} writes",
        bytes.get(),
        calls.get()
    );
}
