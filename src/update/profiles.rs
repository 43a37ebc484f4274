//! The profile picker and switching profiles in place. The new profile is
//! connected and checked on the worker; only when it answers does it replace
//! the current one, with a new generation so nothing of the old account is
//! mixed in. A profile that fails leaves the current one in use.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::load::start_load;
use crate::effect::Effect;
use crate::keymap::{Command, DialogCommand};
use crate::model::Identity;
use crate::profiles::ProfileInfo;
use crate::state::{IdentityStatus, Modal, ProfilePicker, State};

pub(super) fn open(state: &mut State) -> Vec<Effect> {
    if state.session.demo {
        state.view.notice = Some(super::command_line::DEMO_HAS_NO_PROFILES.to_owned());
        return Vec::new();
    }
    if state.account.changing() {
        state.view.notice =
            Some("A change is in flight: switch profiles when it is done.".to_owned());
        return Vec::new();
    }
    if let Some(profile) = &state.session.switching {
        // One switch at a time: two could finish in either order.
        state.view.notice = Some(format!(
            "Switching to profile {profile}…: wait for it before choosing another."
        ));
        return Vec::new();
    }
    state.view.modal = Some(Modal::Profiles(ProfilePicker::default()));
    vec![Effect::ListProfiles]
}

pub(super) fn on_list(state: &mut State, result: Result<Vec<ProfileInfo>, String>) {
    let current = state.session.profile.clone();
    if state.session.demo {
        // A late answer: the demo completes no real profile.
        return;
    }
    if let Ok(profiles) = &result {
        // What `:profile` completes from.
        state.view.known_profiles = profiles.iter().map(|p| p.name.clone()).collect();
    }
    let Some(Modal::Profiles(picker)) = &mut state.view.modal else {
        return;
    };
    match result {
        Ok(profiles) => {
            picker.cursor = profiles.iter().position(|p| p.name == current).unwrap_or(0);
            picker.profiles = Some(profiles);
        }
        Err(message) => {
            picker.profiles = Some(Vec::new());
            picker.error = Some(message);
        }
    }
}

pub(super) fn on_key(state: &mut State, mut picker: ProfilePicker, key: &KeyEvent) -> Vec<Effect> {
    let mut effects = Vec::new();
    // Letters filter the list; named keys move and answer, as the keymap
    // says (the main table's down/up, the dialog table's cancel/press).
    let typing =
        matches!(key.code, KeyCode::Char(_)) && !key.modifiers.contains(KeyModifiers::CONTROL);
    let command = if typing {
        None
    } else {
        state.view.keymap.resolve(key)
    };
    let answer = if typing {
        None
    } else {
        state.view.keymap.resolve_dialog(key)
    };
    match (key.code, command, answer) {
        // Cancel closes the picker; a switch already asked for goes on, and
        // the status bar keeps saying so until it is done.
        (_, _, Some(DialogCommand::Cancel)) => return effects,
        (_, Some(Command::Down), _) => {
            let last = picker.visible().len().saturating_sub(1);
            picker.cursor = (picker.cursor + 1).min(last);
        }
        (_, Some(Command::Up), _) => picker.cursor = picker.cursor.saturating_sub(1),
        (KeyCode::Backspace | KeyCode::Char(_), _, _)
            if typing || key.code == KeyCode::Backspace =>
        {
            let edited = picker.filter.handle(key) == crate::state::text_input::Handled::Edited;
            picker.cursor = if edited { 0 } else { picker.cursor };
        }
        (_, _, Some(DialogCommand::Press)) if picker.switching.is_none() => {
            let chosen = picker.visible().get(picker.cursor).map(|p| p.name.clone());
            match chosen {
                Some(name) if name == state.session.profile => return effects,
                Some(name) => {
                    picker.error = None;
                    picker.switching = Some(name.clone());
                    state.session.switching = Some(name.clone());
                    effects.push(Effect::SwitchProfile { profile: name });
                }
                None => picker.error = Some("No profile matches.".to_owned()),
            }
        }
        _ => {}
    }
    state.view.modal = Some(Modal::Profiles(picker));
    effects
}

pub(super) fn on_switched(state: &mut State, profile: String, identity: Identity) -> Vec<Effect> {
    state.session.switching = None;
    // Nothing shown of the old account stays open over the new one; a
    // secret still being handed over is the exception (it is never lost).
    if !matches!(state.view.modal, Some(Modal::Secret(_))) {
        state.view.modal = None;
    }
    state.session.switch_to(profile);
    // Another profile is another caller: the organization view (and its
    // role sessions) was the old profile's. The new one is one account.
    let left_org = state.org.take().is_some();
    // Another account: no user of the old one is looked for in it.
    state.view.table.clear();
    state.view.key_cursor = 0;
    let effects = start_load(state);
    let alias = identity
        .alias
        .as_ref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    state.view.notice = Some(format!(
        "Switched to profile {}: account {}{alias}{}",
        state.session.profile,
        identity.account_id,
        if left_org {
            " (the organization view was the previous profile's; run with --org for this one's)"
        } else {
            ""
        }
    ));
    state.account.identity = IdentityStatus::Known(identity);
    effects
}

pub(super) fn on_failed(state: &mut State, profile: &str, message: &str) {
    state.session.switching = None;
    let text = format!(
        "Profile {profile} failed; still using {}. {message}",
        state.session.profile
    );
    match &mut state.view.modal {
        Some(Modal::Profiles(picker)) => {
            picker.switching = None;
            picker.error = Some(text);
        }
        _ => {
            state.view.modal = Some(Modal::Error {
                title: "Cannot switch profiles".to_owned(),
                message: text,
            });
        }
    }
}
