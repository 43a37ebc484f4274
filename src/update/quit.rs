//! Leaving without losing anything: a secret still on screen (or waiting
//! behind it) is acknowledged first, and changes in flight are waited for
//! — IAM may apply them, and their outcome goes to the audit log. A second
//! `Ctrl-C` while waiting abandons them, and the driver logs each one.

use crate::effect::Effect;
use crate::state::{Modal, Quit, State};

/// `q` (or the first `Ctrl-C`): quit once nothing would be lost.
pub(super) fn request(state: &mut State, ctrl_c: bool) -> Vec<Effect> {
    if ctrl_c && state.quit == Quit::Waiting && state.account.changing() {
        state.quit = Quit::Leaving;
        let abandoned = state
            .account
            .sent_in_flight()
            .map(|s| (s.change.clone(), s.actor.clone()))
            .collect();
        return vec![Effect::Abandon(abandoned), Effect::Quit];
    }
    state.quit = Quit::Waiting;
    proceed(state)
}

/// Where a requested quit stands after something changed: a secret to
/// acknowledge, changes to wait for, or out.
pub(super) fn proceed(state: &mut State) -> Vec<Effect> {
    let mut effects = Vec::new();
    match state.quit {
        Quit::Waiting => {}
        Quit::Terminating => effects.extend(lose_secrets(state)),
        Quit::No | Quit::Leaving => return effects,
    }
    if let Some(Modal::Secret(dialog)) = &mut state.view.modal {
        // The same acknowledgement as Esc: the secret is never seen again.
        dialog.acknowledging = true;
        return effects;
    }
    if state.account.changing() {
        return effects;
    }
    state.quit = Quit::Leaving;
    effects.push(Effect::Quit);
    effects
}

/// Close the secret on screen and those waiting, naming their keys.
fn lose_secrets(state: &mut State) -> Vec<Effect> {
    let lost_one = |d: crate::state::SecretDialog| crate::effect::LostSecret {
        user: d.user.clone(),
        key_id: d.key_id.clone(),
        actor: d.actor.clone(),
    };
    let mut lost = Vec::new();
    if matches!(state.view.modal, Some(Modal::Secret(_)))
        && let Some(Modal::Secret(dialog)) = state.view.modal.take()
    {
        lost.push(lost_one(dialog));
    }
    lost.extend(state.view.secrets_waiting.drain(..).map(lost_one));
    if lost.is_empty() {
        Vec::new()
    } else {
        vec![Effect::SecretsLost(lost)]
    }
}

/// The operator kept the secret open: they are not leaving after all.
pub(super) fn cancel(state: &mut State) {
    state.quit = Quit::No;
}

/// SIGTERM or SIGHUP: nobody can answer a dialog any more. Changes in
/// flight are still waited for (their outcome goes to the audit log); a
/// secret on screen, or arriving meanwhile, is closed and its key named
/// for the log.
pub(super) fn terminate(state: &mut State) -> Vec<Effect> {
    state.quit = Quit::Terminating;
    proceed(state)
}
