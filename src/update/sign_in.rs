//! The MFA code dialog: a profile whose role (or user) needs a code asks for
//! one (at start, on a switch, and before its session expires), without
//! leaving the screen. Digits are typed (or pasted), `Enter` signs in, `Esc`
//! cancels: at start, with nothing loaded, that leaves; otherwise the
//! requests waiting on the session fail, saying so, and `r` asks again.

use crossterm::event::{KeyCode, KeyEvent};

use crate::effect::Effect;
use crate::secret::Secret;
use crate::state::{CodeDialog, Modal, State};

/// A code is asked for. Over any dialog but a new key's secret (that one is
/// never hidden: the code waits behind it).
pub(super) fn wanted(state: &mut State, id: u64, prompt: String, refused: Option<String>) {
    state.session.signing_in = true;
    let dialog = CodeDialog {
        id,
        prompt,
        refused,
        input: Secret::new(""),
        error: None,
    };
    if matches!(state.view.modal, Some(Modal::Secret(_))) {
        state.view.code_waiting = Some(dialog);
    } else {
        state.view.modal = Some(Modal::Code(dialog));
    }
}

/// A dialog closed: a code waiting behind a secret comes forward.
pub(super) fn show_waiting(state: &mut State) {
    if state.view.modal.is_none()
        && let Some(dialog) = state.view.code_waiting.take()
    {
        state.view.modal = Some(Modal::Code(dialog));
    }
}

fn with_input(dialog: &mut CodeDialog, edit: impl FnOnce(&mut String)) {
    let mut text = dialog.input.expose().to_owned();
    edit(&mut text);
    dialog.input = Secret::new(text);
    dialog.error = None;
}

pub(super) fn on_key(state: &mut State, mut dialog: CodeDialog, key: &KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Char(c) if c.is_ascii_digit() => {
            with_input(&mut dialog, |text| {
                if text.len() < 6 {
                    text.push(c);
                }
            });
        }
        KeyCode::Backspace => with_input(&mut dialog, |text| {
            text.pop();
        }),
        // Ctrl-W and Ctrl-U as in every text field: a code is one word, so
        // both clear it (edited in place: no other copy of the code).
        KeyCode::Char('w' | 'u')
            if key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            with_input(&mut dialog, String::clear);
        }
        KeyCode::Enter => {
            let code = dialog.input.clone();
            if code.expose().len() == 6 {
                state.view.notice = Some("Signing in…".to_owned());
                state.session.signing_in = false;
                return vec![Effect::CodeAnswer {
                    id: dialog.id,
                    code: Some(code),
                }];
            }
            dialog.error = Some("An MFA code is 6 digits.".to_owned());
        }
        KeyCode::Esc => return cancel(state, dialog.id),
        _ => {}
    }
    state.view.modal = Some(Modal::Code(dialog));
    Vec::new()
}

/// `Enter` in the sign-in-again dialog runs the command; `Esc` closes it.
pub(super) fn on_again(
    state: &mut State,
    command: String,
    unavailable: Option<String>,
    key: &KeyEvent,
) -> Vec<Effect> {
    match key.code {
        KeyCode::Enter if unavailable.is_none() => {
            state.view.notice = Some(format!("Running `{command}`…"));
            vec![Effect::RunSignIn(
                command.split_whitespace().map(ToOwned::to_owned).collect(),
            )]
        }
        KeyCode::Esc | KeyCode::Enter => Vec::new(),
        _ => {
            state.view.modal = Some(Modal::SignInAgain {
                command,
                unavailable,
            });
            Vec::new()
        }
    }
}

/// The sign-in command could not be run (not found): said in the dialog,
/// with the command to run elsewhere.
pub(super) fn not_run(state: &mut State, command: String, why: String) -> Vec<Effect> {
    // The dialog says what happened: "Running …" is over.
    state.view.notice = None;
    state.view.modal = Some(Modal::SignInAgain {
        command,
        unavailable: Some(why),
    });
    Vec::new()
}

/// The sign-in command ended well: said, and the load tried again.
pub(super) fn ran(state: &mut State, command: &str) -> Vec<Effect> {
    state.view.notice = Some(format!("`{command}` ended: loading again."));
    super::start_load(state)
}

/// Digits pasted into the dialog.
pub(super) fn on_paste(dialog: &mut CodeDialog, text: &str) {
    with_input(dialog, |input| {
        for c in text.chars().filter(char::is_ascii_digit) {
            if input.len() < 6 {
                input.push(c);
            }
        }
    });
}

/// `Esc`: no code. During a switch, back to the profile picker (the switch
/// fails and says so there; the previous profile stays in use). At start
/// (nothing signed in yet) there is nothing to go back to: iamkeys leaves.
fn cancel(state: &mut State, id: u64) -> Vec<Effect> {
    let mut effects = vec![Effect::CodeAnswer { id, code: None }];
    if state.session.switching.is_some() {
        state.session.signing_in = false;
        state.view.modal = Some(Modal::Profiles(crate::state::ProfilePicker::default()));
        effects.push(Effect::ListProfiles);
    } else if state.account.known_identity().is_none() {
        effects.extend(super::quit::request(state, false));
    } else {
        state.view.notice = Some(
            "Not signed in: requests that need the session fail; r asks for a code again."
                .to_owned(),
        );
    }
    effects
}
