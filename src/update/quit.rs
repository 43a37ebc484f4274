//! Leaving without losing anything: a secret still on screen (or waiting
//! behind it) is acknowledged first, and changes in flight are waited for
//! — IAM may apply them, and their outcome goes to the audit log. A second
//! `Ctrl-C` while waiting abandons them, and the driver logs each one.

use crate::effect::Effect;
use crate::state::{Modal, Quit, State};

/// `q` (or the first `Ctrl-C`): quit once nothing would be lost.
pub(super) fn request(state: &mut State, ctrl_c: bool) -> Vec<Effect> {
    if ctrl_c && state.quit == Quit::Waiting && !state.in_flight.is_empty() {
        state.quit = Quit::Leaving;
        let abandoned = state.in_flight.values().cloned().collect();
        return vec![Effect::Abandon(abandoned), Effect::Quit];
    }
    state.quit = Quit::Waiting;
    proceed(state)
}

/// Where a requested quit stands after something changed: a secret to
/// acknowledge, changes to wait for, or out.
pub(super) fn proceed(state: &mut State) -> Vec<Effect> {
    if state.quit != Quit::Waiting {
        return Vec::new();
    }
    if let Some(Modal::Secret(dialog)) = &mut state.modal {
        // The same acknowledgement as Esc: the secret is never seen again.
        dialog.acknowledging = true;
        return Vec::new();
    }
    if !state.in_flight.is_empty() {
        return Vec::new();
    }
    state.quit = Quit::Leaving;
    vec![Effect::Quit]
}

/// The operator kept the secret open: they are not leaving after all.
pub(super) fn cancel(state: &mut State) {
    state.quit = Quit::No;
}
