//! `u`: who uses a key, and who made it. The view opens at once; CloudTrail
//! is asked the first time (or again after a failure, or with `r` in the
//! view), and its pages fill the view as they arrive.

use crate::effect::Effect;
use crate::keymap::{Command, DialogCommand};
use crate::state::{Modal, State};

/// Open the usage view of `user`'s `key_id`, over `back` (the dialog it
/// was opened from), asking CloudTrail unless it answered already.
pub(super) fn open(
    state: &mut State,
    user: &str,
    key_id: &str,
    back: Option<Box<Modal>>,
) -> Vec<Effect> {
    // Known: read to the end without a failure. Streams stopped part-way
    // (the view was closed) are asked again.
    let known = state
        .account
        .key_usage(key_id)
        .is_some_and(|u| !u.loading() && u.failures().next().is_none());
    state.view.modal = Some(Modal::Usage {
        user: user.to_owned(),
        key_id: key_id.to_owned(),
        back,
    });
    if known {
        Vec::new()
    } else {
        ask(state, user, key_id)
    }
}

fn ask(state: &mut State, user: &str, key_id: &str) -> Vec<Effect> {
    // The configured regions, else the profile's and us-east-1: known here
    // so each region has its progress line from the start.
    let region = state
        .account
        .known_identity()
        .and_then(|i| i.region.clone());
    let last_used = state.account.users().get(user).and_then(|row| {
        let key = row.listed_keys()?.iter().find(|k| k.id == key_id)?;
        row.key_last_used(key)?.region
    });
    let configured = if state.session.regions == crate::state::RegionChoice::AllEnabled {
        match &state.account.enabled_regions {
            Some(Ok(all)) if all.len() > crate::usage::MAX_REGIONS => {
                state.view.notice = Some(format!(
                    "cloudtrail_regions = \"all\": the account answered {} regions; iamkeys looks in the first {} (AWS has fewer)",
                    all.len(),
                    crate::usage::MAX_REGIONS
                ));
                all[..crate::usage::MAX_REGIONS].to_vec()
            }
            Some(Ok(all)) => all.clone(),
            Some(Err(err)) => {
                state.view.notice = Some(format!(
                    "cloudtrail_regions = \"all\": the enabled regions could not be read ({} {}): asking the profile's region and us-east-1",
                    err.action,
                    err.in_a_word()
                ));
                Vec::new()
            }
            None => {
                state.view.notice = Some(
                    "cloudtrail_regions = \"all\": the enabled regions are not read yet: asking the profile's region and us-east-1 (r asks again)".to_owned(),
                );
                Vec::new()
            }
        }
    } else {
        state.session.cloudtrail_regions.clone()
    };
    let regions = crate::usage::regions(&configured, region.as_deref(), last_used.as_deref());
    let generation = state.account.start_usage(user, key_id, &regions);
    vec![Effect::Usage {
        key_id: key_id.to_owned(),
        regions,
        max_events: state.session.cloudtrail_max_events,
        generation,
    }]
}

/// `u` on the key pane.
pub(super) fn on_command(state: &mut State) -> Vec<Effect> {
    let Some((row, key)) = state.selected_key() else {
        state.view.notice = Some("No key selected: Enter or Tab moves to the key pane.".to_owned());
        return Vec::new();
    };
    let (user, key_id) = (row.user.name.clone(), key.id.clone());
    open(state, &user, &key_id, None)
}

/// Keys in the view: `r` asks again, the cancel keys (and `q`, `?`) close
/// it, back to the dialog it came from.
pub(super) fn on_key(
    state: &mut State,
    modal: Modal,
    answer: Option<DialogCommand>,
    command: Option<Command>,
) -> Vec<Effect> {
    let Modal::Usage { user, key_id, back } = modal else {
        return Vec::new();
    };
    if command == Some(Command::Refresh) {
        let effects = ask(state, &user, &key_id);
        state.view.modal = Some(Modal::Usage { user, key_id, back });
        return effects;
    }
    let closes = matches!(
        answer,
        Some(DialogCommand::Cancel | DialogCommand::Press | DialogCommand::Usage)
    ) || matches!(command, Some(Command::Quit | Command::Help));
    if closes {
        state.view.modal = back.map(|b| *b);
        // No stream polls for a view no one sees.
        return vec![Effect::StopUsage];
    }
    state.view.modal = Some(Modal::Usage { user, key_id, back });
    Vec::new()
}
