//! Issue 22, the MFA code dialog as pure `update` transitions and a
//! `TestBackend` picture: asked, typed, refused, cancelled, and never over a
//! new key's secret.

use crossterm::event::KeyCode;
use iamkeys::action::Action;
use iamkeys::effect::Effect;
use iamkeys::state::Modal;
use iamkeys::update::update;

use crate::common::flows::{ch, key};
use crate::common::states::{demo_loaded, fresh};

fn wanted(id: u64, refused: Option<&str>) -> Action {
    Action::CodeWanted {
        id,
        prompt: "MFA code for arn:aws:iam::123456789012:mfa/alice (profile admin)".into(),
        refused: refused.map(Into::into),
    }
}

#[test]
fn digits_are_typed_hidden_and_enter_answers_with_six() {
    let mut state = fresh();
    update(&mut state, wanted(7, None));
    assert!(matches!(state.view.modal, Some(Modal::Code(_))));
    for c in "12a3".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Backspace));
    assert!(
        update(&mut state, key(KeyCode::Enter)).is_empty(),
        "two digits: no answer"
    );
    let text = crate::common::screen::text(&state, 100, 30);
    assert!(text.contains("An MFA code is 6 digits"), "{text}");
    assert!(text.contains("● ● _ _ _ _"), "digits shown as dots: {text}");
    let dots = text.lines().find(|l| l.contains('●')).unwrap();
    assert!(
        !dots.chars().any(|c| c.is_ascii_digit()),
        "never the digits: {dots}"
    );
    update(&mut state, Action::Paste("34 56".into()));
    for c in "789".chars() {
        update(&mut state, ch(c));
    }
    let effects = update(&mut state, key(KeyCode::Enter));
    let [
        Effect::CodeAnswer {
            id: 7,
            code: Some(code),
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(code.expose(), "123456", "six digits at most");
    assert!(state.view.modal.is_none());
}

#[test]
fn a_refused_code_says_iams_answer_and_the_dialog_is_drawn() {
    let mut state = fresh();
    update(
        &mut state,
        wanted(
            2,
            Some(
                "sts:AssumeRole refused the code: MultiFactorAuthentication failed with invalid MFA one time pass code.",
            ),
        ),
    );
    update(&mut state, ch('1'));
    insta::assert_snapshot!(crate::common::screen::text(&state, 100, 20));
}

#[test]
fn esc_at_start_leaves_and_later_only_cancels() {
    let mut state = fresh();
    update(&mut state, wanted(1, None));
    let effects = update(&mut state, key(KeyCode::Esc));
    assert_eq!(effects[0], Effect::CodeAnswer { id: 1, code: None });
    assert!(
        effects.contains(&Effect::Quit),
        "nothing to go back to: {effects:?}"
    );
}

#[tokio::test]
async fn esc_once_signed_in_cancels_and_a_code_waits_behind_a_secret() {
    let mut state = demo_loaded().await;
    update(&mut state, wanted(3, None));
    let effects = update(&mut state, key(KeyCode::Esc));
    assert_eq!(effects, [Effect::CodeAnswer { id: 3, code: None }]);
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("r asks for a code again")
    );
    // Not signed in: a change dialog says why it cannot be confirmed.
    assert!(update(&mut state, ch('c')).is_empty());
    let text = crate::common::screen::text(&state, 120, 40);
    assert!(text.contains("is not signed in"), "{text}");
    update(&mut state, key(KeyCode::Esc));

    // A secret on screen is never hidden: the code waits, then comes forward.
    state.view.modal = Some(Modal::Secret(iamkeys::state::SecretDialog {
        user: "u".into(),
        key_id: "AKIANEWKEY0000000001".into(),
        actor: iamkeys::effect::Actor::default(),
        secret: iamkeys::secret::Secret::new("s"),
        save: iamkeys::state::SaveState::Idle,
        copied: false,
        acknowledging: false,
    }));
    update(&mut state, wanted(4, None));
    assert!(matches!(state.view.modal, Some(Modal::Secret(_))));
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('y'));
    assert!(
        matches!(&state.view.modal, Some(Modal::Code(d)) if d.id == 4),
        "{:?}",
        state.view.modal
    );
}
