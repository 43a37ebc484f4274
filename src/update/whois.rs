//! `:whois KEY_ID`: whose key it is. The caller's own worker asks STS for
//! the account and searches it (the caller's, or a member it has a session
//! in); the answer opens that account (`--org`) and selects the user, then
//! the key once its user's keys are listed.

use crate::action::Holder;
use crate::effect::Effect;
use crate::iam::IamError;
use crate::state::{Focus, State};

/// Ask.
pub(super) fn ask(state: &mut State, key_id: String) -> Vec<Effect> {
    state.view.notice = Some(format!("Whose is {key_id}? Asking STS…"));
    vec![Effect::Whois { key_id }]
}

/// The answer: the holder selected, or why not.
pub(super) fn answered(
    state: &mut State,
    key_id: &str,
    result: Result<Holder, IamError>,
) -> Vec<Effect> {
    let holder = match result {
        Ok(holder) => holder,
        Err(err) => {
            state.view.notice = Some(format!(
                "{key_id}: whose it is cannot be told ({} {}).",
                err.action,
                err.in_a_word()
            ));
            return Vec::new();
        }
    };
    let Some(user) = holder.user else {
        state.view.notice = Some(if holder.searched {
            format!(
                "{key_id} belongs to account {} (STS), where no user holds it now.",
                holder.account
            )
        } else {
            format!(
                "{key_id} belongs to account {} (STS): not in any account reachable here.",
                holder.account
            )
        });
        return Vec::new();
    };
    let mut effects = Vec::new();
    let here = state
        .account
        .known_identity()
        .is_some_and(|i| i.account_id == holder.account);
    if !here {
        if state.org.is_none() {
            state.view.notice = Some(format!(
                "{key_id} is {user}'s in account {}, not this one.",
                holder.account
            ));
            return Vec::new();
        }
        effects.extend(super::command_line::account(state, &holder.account));
        if state
            .open_member()
            .is_none_or(|m| m.info.id != holder.account)
        {
            return effects;
        }
    }
    // Shown whatever the filter hid.
    state.view.table.filter.clear();
    state.view.table.filter_error = None;
    state.resort();
    let height = state.list_height();
    state.view.table.want(&user, state.account.users(), height);
    state.view.focus = Focus::Keys;
    state.view.key_cursor = 0;
    state.view.wanted_key = Some(key_id.to_owned());
    state.view.notice = Some(format!(
        "{key_id} is {user}'s, in account {}.",
        holder.account
    ));
    place_key(state);
    effects.extend(super::load::request_selected_keys(state));
    effects
}

/// Put the key pane's cursor on the key `:whois` found, once its user is
/// selected and its keys are listed.
pub(super) fn place_key(state: &mut State) {
    let Some(wanted) = state.view.wanted_key.clone() else {
        return;
    };
    if let Some(position) = state
        .selected_row_keys()
        .and_then(|keys| keys.iter().position(|k| k.id == wanted))
    {
        state.view.key_cursor = position;
        state.view.wanted_key = None;
    }
}
