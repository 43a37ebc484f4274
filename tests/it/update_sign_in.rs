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
        handoff: iamkeys::state::HandOff::None,
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

/// Codes that count how often they are asked.
#[derive(Debug, Default)]
struct Counting(std::sync::atomic::AtomicUsize);

#[async_trait::async_trait]
impl iamkeys::signin::mfa::Codes for Counting {
    async fn code(
        &self,
        _plan: &iamkeys::signin::plan::Plan,
        _refused: Option<&str>,
    ) -> Result<iamkeys::secret::Secret, String> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(iamkeys::secret::Secret::new("123456"))
    }
}

async fn asked_after_two_uses(expires_in: std::time::Duration) -> usize {
    use aws_sdk_sts::operation::assume_role::AssumeRoleOutput;
    use aws_smithy_mocks::{RuleMode, mock, mock_client};
    let rule = mock!(aws_sdk_sts::Client::assume_role)
        .match_requests(|r| {
            r.serial_number() == Some("arn:aws:iam::1:mfa/a") && r.token_code() == Some("123456")
        })
        .then_output(move || {
            AssumeRoleOutput::builder()
                .credentials(
                    aws_sdk_sts::types::Credentials::builder()
                        .access_key_id("ASIAMFASESSION")
                        .secret_access_key("secret")
                        .session_token("token")
                        .expiration(aws_smithy_types::DateTime::from(
                            std::time::SystemTime::now() + expires_in,
                        ))
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, [&rule]);
    let codes = std::sync::Arc::new(Counting::default());
    let plan = iamkeys::signin::plan::Plan {
        profile: "admin".into(),
        serial: Some("arn:aws:iam::1:mfa/a".into()),
        session: iamkeys::signin::plan::Session::Role {
            role_arn: "arn:aws:iam::1:role/Admin".into(),
            external_id: None,
            session_name: None,
        },
        source: iamkeys::signin::plan::Source::Profile("base".into()),
        duration_seconds: None,
    };
    let provider =
        iamkeys::signin::mfa::MfaProvider::new(plan, sts, "mock".into(), codes.clone(), None);
    provider.session().await.unwrap();
    provider.session().await.unwrap();
    codes.0.load(std::sync::atomic::Ordering::Relaxed)
}

/// Issue 22: a session is reused while it has more than five minutes left,
/// and a new code is asked once it has less (STS through smithy mocks).
#[tokio::test]
async fn a_new_code_is_asked_five_minutes_before_the_session_expires() {
    assert_eq!(
        asked_after_two_uses(std::time::Duration::from_hours(1)).await,
        1,
        "an hour left: one code"
    );
    assert_eq!(
        asked_after_two_uses(std::time::Duration::from_mins(4)).await,
        2,
        "four minutes left: a new code at the next use"
    );
}
