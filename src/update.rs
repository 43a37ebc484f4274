//! The one pure step: `update(&mut State, Action) -> Vec<Effect>`. No IO, no
//! clock, no await: every transition is a plain unit test.

mod command_line;
mod dialogs;
mod handoff;
mod key_actions;
mod load;
mod mutations;
mod navigate;
mod org;
mod password;
mod profiles;
mod quit;
mod root;
mod sign_in;
mod usage;
mod waive;
mod whois;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::action::Action;
use crate::effect::Effect;
use crate::state::State;

pub use load::start_load;

/// Apply one action; return the IO it asks for.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let effects = step(state, action);
    // In an organization, the account on screen has its own worker.
    org::route(state, effects)
}

fn step(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Load if state.at_overview() => org::start(state),
        Action::Load => start_load(state),
        Action::AccountsPage { generation, result } => org::on_page(state, generation, result),
        Action::OrgFeatures { generation, result } => {
            if let Some(org) = &mut state.org
                && org.generation == generation
            {
                org.root_access = Some(result);
                org.revision += 1;
            }
            Vec::new()
        }
        Action::MemberConnected { account, result } => org::on_connected(state, &account, result),
        Action::Member { account, action } => org::on_member(state, &account, *action),
        Action::Terminate => quit::terminate(state),
        Action::Key(key) => on_key(state, &key),
        Action::Resize(width, height) => {
            state.view.screen = (width, height);
            let height = state.list_height();
            state.view.table.scroll_into_view(height);
            Vec::new()
        }
        Action::Tick(now) => {
            state.now = now;
            let org_loading = state.org.as_ref().is_some_and(|o| o.tally().todo > 0);
            if state.account.pending() > 0 || org_loading {
                state.view.spinner = state.view.spinner.wrapping_add(1);
            }
            state.account.on_tick(now);
            state.view.age_notice(now);
            state.sync_view();
            // The new keys of rotations in progress, until each is used.
            state.account.watch_rotations(now)
        }
        Action::Retrying(retries) => {
            state.account.retrying(retries, state.now);
            Vec::new()
        }
        Action::Mouse(event) => navigate::on_mouse(state, event),
        Action::Paste(text) => {
            dialogs::on_paste(state, &text);
            Vec::new()
        }
        Action::Mutated { id, result } => mutations::on_mutated(state, id, result),
        Action::SignInNotRun { command, why } => sign_in::not_run(state, command, why),
        Action::SignInRan { command } => sign_in::ran(state, &command),
        Action::CodeWanted {
            id,
            prompt,
            refused,
        } => {
            sign_in::wanted(state, id, prompt, refused);
            Vec::new()
        }
        Action::Usage(page) => {
            state.account.on_usage(page);
            Vec::new()
        }
        Action::Saved { profile, result } => {
            mutations::on_saved(state, profile, result);
            Vec::new()
        }
        Action::Exported { path, result } => command_line::on_exported(state, &path, result),
        Action::Whois { key_id, result } => whois::answered(state, &key_id, result),
        Action::HandedOff { key_id, result } => {
            mutations::on_handed_off(state, &key_id, result);
            Vec::new()
        }
        Action::Profiles(result) => {
            profiles::on_list(state, result);
            Vec::new()
        }
        Action::ProfileSwitched {
            profile,
            identity,
            insecure_endpoint,
        } => {
            state.session.insecure_endpoint = insecure_endpoint;
            profiles::on_switched(state, profile, identity)
        }
        Action::ProfileFailed { profile, message } => {
            profiles::on_failed(state, &profile, &message);
            Vec::new()
        }
        Action::Crashed(message) => {
            state.quit = crate::state::Quit::Leaving;
            state.crash = Some(message);
            vec![Effect::Quit]
        }
        Action::Loaded { generation, result } => {
            if !state.account.answered(generation) {
                // A reply to an earlier load (refresh): never mix it in.
                return Vec::new();
            }
            load::on_loaded(state, result)
        }
    }
}

/// The account a ledger dialog binds to, or the refusal shown in an error
/// dialog titled `title`.
fn target_or_error(state: &mut State, title: &str) -> Option<crate::state::AccountRef> {
    match state.change_target() {
        Ok(account) => Some(account),
        Err(message) => {
            state.view.modal = Some(crate::state::Modal::Error {
                title: title.to_owned(),
                message,
            });
            None
        }
    }
}

fn is_ctrl_c(key: &KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c')
}

fn on_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        return Vec::new();
    }
    // A message lasts until the next key press.
    state.view.notice = None;
    if is_ctrl_c(key) {
        return quit::request(state, true);
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('z') {
        return vec![Effect::Suspend];
    }
    if state.view.modal.is_some() {
        // An open modal has the first claim on every key.
        return dialogs::on_key(state, key);
    }
    if state.at_overview() {
        return navigate::on_overview_key(state, key);
    }
    if state.view.filtering {
        return navigate::on_filter_key(state, key);
    }
    if state.view.command.is_some() {
        return command_line::on_key(state, key);
    }
    if key.code == KeyCode::Esc && !state.view.table.filter.is_empty() {
        state.view.table.filter.clear();
        return navigate::apply_filter(state);
    }
    if std::mem::take(&mut state.view.clearing_marks) && !state.view.marks.is_empty() {
        // The answer to "clear N marks? y": any other key keeps them.
        let n = state.view.marks.len();
        let what = format!("{n} mark{}", if n == 1 { "" } else { "s" });
        state.view.notice = Some(
            if state.view.keymap.resolve_dialog(key) == Some(crate::keymap::DialogCommand::Confirm)
            {
                state.view.marks.clear();
                format!("Cleared {what}.")
            } else {
                format!("Kept {what}.")
            },
        );
        return Vec::new();
    }
    if key.code == KeyCode::Esc && !state.view.marks.is_empty() {
        state.view.clearing_marks = true;
        return Vec::new();
    }
    match state.view.keymap.resolve(key) {
        // A held key repeats movement only.
        Some(command) if key.kind == KeyEventKind::Repeat && !command.repeats() => Vec::new(),
        Some(command) => navigate::on_command(state, command),
        None => Vec::new(),
    }
}
