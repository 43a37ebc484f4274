//! The view's side of loading: the account folds answers in
//! (`Account::on_loaded`); here the table follows, the user on screen is
//! listed first, and what went wrong is said in the status bar.

use crate::account::Event;
use crate::action::Loaded;
use crate::effect::Effect;
use crate::state::State;

/// Start (or restart) loading: a new generation, empty tables, the first calls.
pub fn start_load(state: &mut State) -> Vec<Effect> {
    state.view.table.reload(state.account.users());
    let mut effects = state.account.start_load();
    // AWS's verdicts beside iamkeys', when an analyzer covers the account.
    effects.push(state.account.call(crate::effect::Call::AwsFindings));
    if state.session.regions == crate::state::RegionChoice::AllEnabled {
        effects.push(state.account.call(crate::effect::Call::EnabledRegions));
    }
    // A code still wanted is asked again by the load, if it is.
    state.session.signing_in = false;
    state.view.notice = None;
    state.view.marks.clear();
    state.sync_view();
    effects
}

/// Ask for the selected user's keys ahead of the background queue.
pub fn request_selected_keys(state: &mut State) -> Vec<Effect> {
    let Some(user) = state.selected_user().map(|r| r.user.name.clone()) else {
        return Vec::new();
    };
    state.account.prioritize(&user)
}

/// An answer of the current load (older generations never get here).
pub fn on_loaded(state: &mut State, result: Loaded) -> Vec<Effect> {
    let keys_of = match &result {
        Loaded::Keys {
            user,
            result: Ok(_),
        } => Some(user.clone()),
        _ => None,
    };
    let view = &mut state.view;
    let step = state.account.on_loaded(result, state.now, &mut |account| {
        view.table.sync(account);
        view.table
            .selected(account.users())
            .map(|r| r.user.name.clone())
    });
    state.sync_view();
    let mut effects = step.effects;
    if let Some(Event::NewKeyInUse(rotation)) = &step.event {
        effects.extend(super::mutations::record_first_use(state, rotation));
    }
    if let Some(Event::Failed(err)) = &step.event
        && state.view.modal.is_none()
        && let Some(command) = err.sign_in_command(&state.session.profile)
    {
        // An SSO or `aws login` session to renew: offer to run the AWS
        // CLI's command right here.
        state.view.modal = Some(crate::state::Modal::SignInAgain {
            command,
            unavailable: None,
        });
    }
    if let Some(event) = step.event {
        state.view.notice = Some(say(state, event));
    }
    if let Some(user) = keys_of
        && state.selected_user().is_some_and(|r| r.user.name == user)
    {
        let count = state.selected_row_keys().map_or(0, <[_]>::len);
        state.view.key_cursor = state.view.key_cursor.min(count.saturating_sub(1));
        super::whois::place_key(state);
    }
    effects
}

/// An event of the load in the status bar's words.
fn say(state: &State, event: Event) -> String {
    match event {
        Event::Failed(err) => err.operator_message(&state.session.profile),
        Event::ReportDenied { action } => {
            format!("Credential report denied ({action}): using per-user calls instead (slower)")
        }
        Event::UserGone(user) => {
            format!("User {user} no longer exists (deleted meanwhile?): press r to refresh")
        }
        Event::NewKeyInUse(rotation) => format!(
            "{}: the new key {} is in use (seen {}): make the old key {} inactive next ({}).",
            rotation.user,
            rotation.new,
            rotation
                .first_used
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
            rotation.old,
            state.view.keymap.label(crate::keymap::Command::Deactivate)
        ),
    }
}
