//! Keys inside dialogs, as the keymap's dialog table names them (defaults:
//! `y` confirms and `n`/`Esc` cancels in every yes/no dialog; `Tab`/arrows
//! move between the buttons; `Enter` presses the focused one, and the focus
//! starts on Cancel). Where text is typed, letters are text: only named keys
//! (Enter, Esc, Backspace…) answer there.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::key_actions::Which;
use super::mutations::start;
use crate::effect::{Change, Effect};
use crate::keymap::{Command, DialogCommand};
use crate::model::KeyStatus;
use crate::state::{
    AccountRef, BulkDeleteDialog, Button, Confirm, DeleteDialog, Modal, Operation, Outcome,
    Progress, RemovePasswordDialog, RootKeysDialog, SaveState, SecretDialog, State,
};

/// `j`/`k`, `PgDn`/`PgUp`, `g`/`G` in the help: the help scrolls, never
/// past its last row.
fn scroll_help(state: &mut State, command: Option<Command>) {
    let height = state.view.screen.1;
    let page = crate::help::visible_rows(height).saturating_sub(1).max(1);
    let last = crate::help::max_scroll(&state.view.keymap, height);
    state.view.help_scroll = scrolled(state.view.help_scroll, (page, last), command);
}

/// Where a scrolled text is after `command`: a row, a page, the top or the
/// bottom, never past its `last` row.
fn scrolled(at: usize, (page, last): (usize, usize), command: Option<Command>) -> usize {
    let at = at.min(last);
    match command {
        Some(Command::Down) => at + 1,
        Some(Command::Up) => at.saturating_sub(1),
        Some(Command::PageDown) => at + page,
        Some(Command::PageUp) => at.saturating_sub(page),
        Some(Command::Top) => 0,
        Some(Command::Bottom) => last,
        _ => at,
    }
    .min(last)
}

/// `j`/`k`, `PgDn`/`PgUp`, `g`/`G` in the findings dialog: its findings
/// scroll by the rows the screen shows, never past the last.
fn scroll_findings(
    state: &State,
    (user, key_id): (&str, Option<&str>),
    at: usize,
    command: Option<Command>,
) -> usize {
    scrolled(
        at,
        crate::findings_view::page_and_last(state, user, key_id),
        command,
    )
}

pub(super) fn on_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(modal) = state.view.modal.take() else {
        return Vec::new();
    };
    let answer = state.view.keymap.resolve_dialog(key);
    let command = state.view.keymap.resolve(key);
    let closes = matches!(
        answer,
        Some(DialogCommand::Cancel | DialogCommand::Press | DialogCommand::Confirm)
    ) || matches!(command, Some(Command::Quit | Command::Help));
    match modal {
        Modal::Help if command.is_some_and(Command::repeats) => {
            scroll_help(state, command);
            state.view.modal = Some(modal);
            Vec::new()
        }
        Modal::Help | Modal::Error { .. } => {
            if !closes {
                state.view.modal = Some(modal);
            }
            Vec::new()
        }
        Modal::Findings { .. } => on_findings(state, modal, answer, command, closes),
        Modal::Usage { .. } => super::usage::on_key(state, modal, answer, command),
        Modal::Profiles(picker) => super::profiles::on_key(state, picker, key),
        Modal::Confirm(Confirm {
            operation: Operation::SetStatus { ref targets, .. },
            ..
        }) if targets.len() == 1 && answer == Some(DialogCommand::Usage) => {
            let (user, key_id) = (targets[0].user.clone(), targets[0].key_id.clone());
            super::usage::open(state, &user, &key_id, Some(Box::new(modal)))
        }
        Modal::Confirm(Confirm {
            operation: Operation::Rotate { ref target, .. },
            ..
        }) if answer == Some(DialogCommand::Handoff) => {
            let user = target.user.clone();
            super::handoff::open(state, &user)
        }
        Modal::Confirm(confirm) => on_confirm(state, confirm, key),
        // Key IDs are upper-case letters and digits: a lower-case key
        // bound to `usage` is never part of one.
        Modal::Delete(ref dialog)
            if answer == Some(DialogCommand::Usage)
                && matches!(key.code, KeyCode::Char(c) if c.is_ascii_lowercase()) =>
        {
            let (user, key_id) = (dialog.target.user.clone(), dialog.target.key_id.clone());
            super::usage::open(state, &user, &key_id, Some(Box::new(modal)))
        }
        Modal::Delete(dialog) => on_delete(state, dialog, key),
        Modal::RemovePassword(dialog) => super::password::on_key(state, dialog, key),
        Modal::DeleteRootKeys(dialog) => super::root::on_key(state, dialog, key),
        Modal::Waive(dialog) => super::waive::on_key(state, dialog, key),
        Modal::Handoff(dialog) => super::handoff::on_key(state, dialog, key),
        Modal::BulkDelete(dialog) => on_bulk_delete(state, dialog, key),
        Modal::Secret(dialog) => {
            let effects = on_secret(state, dialog, key);
            super::sign_in::show_waiting(state);
            effects
        }
        Modal::Code(dialog) => super::sign_in::on_key(state, dialog, key),
        Modal::SignInAgain {
            command,
            unavailable,
        } => super::sign_in::on_again(state, command, unavailable, key),
        Modal::Progress(progress) => {
            let closing = matches!(answer, Some(DialogCommand::Cancel | DialogCommand::Press));
            if !(closing && progress.finished()) {
                state.view.modal = Some(Modal::Progress(progress));
            }
            Vec::new()
        }
    }
}

/// Keys on the findings dialog: its remedies one key away (make inactive,
/// delete, waive), or closing it.
fn on_findings(
    state: &mut State,
    modal: Modal,
    answer: Option<DialogCommand>,
    command: Option<Command>,
    closes: bool,
) -> Vec<Effect> {
    match modal {
        Modal::Findings {
            ref user,
            key_id: Some(ref key_id),
            ..
        } if matches!(command, Some(Command::Deactivate | Command::Delete)) => {
            // The remedy is one key away, on the dialog's own key.
            let which = Which::Named { user, key_id };
            if command == Some(Command::Deactivate) {
                super::key_actions::set_key_status(state, which, KeyStatus::Inactive)
            } else {
                super::key_actions::delete(state, which)
            }
        }
        Modal::Findings { ref user, .. }
            if answer == Some(DialogCommand::Waive) && user == crate::account::ROOT_ROW_NAME =>
        {
            state.view.notice = Some(
            "The root user has no tags: its findings are waived in the waivers file ([audit] waivers_file), not here.".to_owned(),
        );
            state.view.modal = Some(modal);
            Vec::new()
        }
        Modal::Findings {
            ref user,
            ref key_id,
            ..
        } if answer == Some(DialogCommand::Waive) => {
            let (user, key_id) = (user.clone(), key_id.clone());
            super::waive::open(state, &user, key_id.as_deref())
        }
        Modal::Findings {
            user,
            key_id,
            scroll,
        } if command.is_some_and(Command::repeats) => {
            let scroll = scroll_findings(state, (&user, key_id.as_deref()), scroll, command);
            state.view.modal = Some(Modal::Findings {
                user,
                key_id,
                scroll,
            });
            Vec::new()
        }
        Modal::Findings { .. } => {
            if !(closes && command != Some(Command::Help)) {
                state.view.modal = Some(modal);
            }
            Vec::new()
        }
        _ => {
            state.view.modal = Some(modal);
            Vec::new()
        }
    }
}

/// Text pasted while a dialog with a text field is open.
pub(super) fn on_paste(state: &mut State, text: &str) {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    match &mut state.view.modal {
        Some(Modal::Delete(dialog)) => {
            dialog.input.push_str(text.trim());
            dialog.mismatch = false;
        }
        Some(
            Modal::RemovePassword(RemovePasswordDialog {
                input, mismatch, ..
            })
            | Modal::DeleteRootKeys(RootKeysDialog {
                input, mismatch, ..
            }),
        ) => {
            input.push_str(text.trim());
            *mismatch = false;
        }
        Some(Modal::Secret(SecretDialog {
            save: SaveState::Naming { name },
            ..
        })) => name.push_str(text.trim()),
        Some(Modal::Code(dialog)) => super::sign_in::on_paste(dialog, &text),
        _ => {}
    }
}

fn on_confirm(state: &mut State, mut confirm: Confirm, key: &KeyEvent) -> Vec<Effect> {
    let press = match state.view.keymap.resolve_dialog(key) {
        Some(DialogCommand::Confirm) => Some(Button::Confirm),
        Some(DialogCommand::Cancel) => Some(Button::Cancel),
        Some(DialogCommand::Press) => Some(confirm.focus),
        Some(DialogCommand::SwitchButton) => {
            confirm.focus = confirm.focus.other();
            None
        }
        _ => None,
    };
    match press {
        None => {
            state.view.modal = Some(Modal::Confirm(confirm));
            Vec::new()
        }
        Some(Button::Cancel) => Vec::new(),
        Some(Button::Confirm) => confirmed(state, confirm.operation, &confirm.account),
    }
}

pub(super) fn read_only(state: &mut State) -> bool {
    if state.session.read_only {
        state.view.notice = Some("Read-only mode: nothing was changed.".to_owned());
    }
    state.session.read_only
}

fn confirmed(state: &mut State, operation: Operation, account: &AccountRef) -> Vec<Effect> {
    if read_only(state) {
        return Vec::new();
    }
    match operation {
        Operation::Create { user, .. } => {
            state.view.notice = Some(format!("Creating an access key for {user}…"));
            vec![start(
                state,
                Change::Create {
                    user,
                    rotating: None,
                },
                account,
            )]
        }
        Operation::EndRotation { user, old, new, .. } => {
            state.view.notice = Some(format!("Recording the end of the rotation of {old}…"));
            vec![start(
                state,
                Change::Record(crate::ledger::Draft {
                    account_id: account.account_id.clone(),
                    user: Some(user),
                    key_id: Some(old),
                    kind: crate::ledger::Kind::RotationFinished { new_key_id: new },
                }),
                account,
            )]
        }
        Operation::Rotate { target, .. } => {
            state.view.notice = Some(format!("Creating the key that replaces {}…", target.key_id));
            vec![start(
                state,
                Change::Create {
                    user: target.user,
                    rotating: Some(target.key_id),
                },
                account,
            )]
        }
        Operation::SetStatus { targets, status } if targets.len() == 1 => {
            let target = &targets[0];
            state.view.notice = Some(format!("Making {} {status}…", target.key_id));
            let change = status_change(target, status);
            vec![start(state, change, account)]
        }
        Operation::SetStatus { targets, status } => bulk(state, targets, status, account),
    }
}

/// The change that sets a target's status: an access key's, or another
/// credential's by its kind.
fn status_change(target: &crate::state::KeyTarget, status: KeyStatus) -> Change {
    match &target.credential {
        None => Change::SetStatus {
            user: target.user.clone(),
            key_id: target.key_id.clone(),
            status,
        },
        Some(kind) => Change::SetCredentialStatus {
            user: target.user.clone(),
            kind: kind.clone(),
            id: target.key_id.clone(),
            status,
        },
    }
}

fn bulk(
    state: &mut State,
    targets: Vec<crate::state::KeyTarget>,
    status: KeyStatus,
    account: &AccountRef,
) -> Vec<Effect> {
    let title = |n| format!("Making {n} keys {status}");
    start_each(state, targets, account, title, |_, target| {
        if target.status == status {
            Err(format!("already {status}"))
        } else {
            Ok(status_change(target, status))
        }
    })
}

/// Start `change` of each target (a key with a change in flight, or one
/// `change` refuses, is skipped saying why) and show their progress.
fn start_each(
    state: &mut State,
    targets: Vec<crate::state::KeyTarget>,
    account: &AccountRef,
    title: impl FnOnce(usize) -> String,
    change: impl Fn(&State, &crate::state::KeyTarget) -> Result<Change, String>,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    let mut items = Vec::new();
    for target in targets {
        let outcome = if state.account.key_busy(&target.key_id) {
            Outcome::Skipped("a change is already in flight".to_owned())
        } else {
            match change(state, &target) {
                Ok(change) => {
                    effects.push(start(state, change, account));
                    Outcome::Pending
                }
                Err(why) => Outcome::Skipped(why),
            }
        };
        items.push((target, outcome));
    }
    state.view.marks.clear();
    state.view.modal = Some(Modal::Progress(Progress {
        title: title(items.len()),
        items,
    }));
    effects
}

/// A key in a dialog where text is typed: letters (and shifted ones) are
/// text, Backspace, Ctrl-W and Ctrl-U edit, and other named keys answer
/// through the keymap.
pub(super) enum Typed {
    Text(char),
    Edit(Edit),
    Answer(DialogCommand),
    Other,
}

/// An edit of a dialog's field: the key, as the one text field
/// ([`crate::state::TextInput`]) takes it (Backspace, Ctrl-W, Ctrl-U…), at
/// the field's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Edit(KeyEvent);

impl Edit {
    pub(super) fn apply(self, input: &mut String) {
        crate::state::text_input::edit_at_end(input, &self.0);
    }
}

/// Typing into a confirmation field: edits and text change it and clear
/// an earlier mismatch; anything else leaves it.
pub(super) fn type_into(input: &mut String, mismatch: &mut bool, typed: &Typed) {
    match typed {
        Typed::Edit(edit) => {
            edit.apply(input);
            *mismatch = false;
        }
        Typed::Text(c) => {
            input.push(*c);
            *mismatch = false;
        }
        Typed::Answer(_) | Typed::Other => {}
    }
}

pub(super) fn typed(state: &State, key: &KeyEvent) -> Typed {
    match key.code {
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => Typed::Text(c),
        KeyCode::Backspace => Typed::Edit(Edit(*key)),
        KeyCode::Char('w' | 'u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            Typed::Edit(Edit(*key))
        }
        _ => state
            .view
            .keymap
            .resolve_dialog(key)
            .map_or(Typed::Other, Typed::Answer),
    }
}

fn on_delete(state: &mut State, mut dialog: DeleteDialog, key: &KeyEvent) -> Vec<Effect> {
    match typed(state, key) {
        Typed::Answer(DialogCommand::Cancel) => return Vec::new(),
        Typed::Answer(DialogCommand::Press) => {
            if dialog.input.trim() == dialog.target.key_id {
                if read_only(state) {
                    return Vec::new();
                }
                let target = dialog.target;
                state.view.notice = Some(format!("Deleting {}…", target.key_id));
                let change = match target.credential {
                    None => Change::Delete {
                        user: target.user,
                        key_id: target.key_id,
                        unused_since: None,
                    },
                    Some(kind) => Change::DeleteCredential {
                        user: target.user,
                        kind,
                        id: target.key_id,
                    },
                };
                return vec![start(state, change, &dialog.account)];
            }
            dialog.mismatch = true;
        }
        other => type_into(&mut dialog.input, &mut dialog.mismatch, &other),
    }
    state.view.modal = Some(Modal::Delete(dialog));
    Vec::new()
}

fn on_bulk_delete(state: &mut State, mut dialog: BulkDeleteDialog, key: &KeyEvent) -> Vec<Effect> {
    match typed(state, key) {
        Typed::Answer(DialogCommand::Cancel) => return Vec::new(),
        Typed::Answer(DialogCommand::Press) => {
            if dialog.input.trim() == dialog.targets.len().to_string() {
                if read_only(state) {
                    return Vec::new();
                }
                let title = |n| format!("Deleting {n} keys");
                return start_each(
                    state,
                    dialog.targets,
                    &dialog.account,
                    title,
                    |state, target| {
                        // Ready to delete: inactive and unused since this.
                        let unused_since =
                            state.account.users().get(&target.user).and_then(|row| {
                                match row.inactive_since(
                                    &target.key_id,
                                    state.now,
                                    state.account.ledger(),
                                ) {
                                    Some(crate::account::users::Since::Honoured { at, .. }) => {
                                        Some(at)
                                    }
                                    _ => None,
                                }
                            });
                        Ok(Change::Delete {
                            user: target.user.clone(),
                            key_id: target.key_id.clone(),
                            unused_since,
                        })
                    },
                );
            }
            dialog.mismatch = true;
        }
        other => type_into(&mut dialog.input, &mut dialog.mismatch, &other),
    }
    state.view.modal = Some(Modal::BulkDelete(dialog));
    Vec::new()
}

/// The secret dialog closed (its secret dropped, which zeroizes it), said;
/// the next new key's secret, if one is waiting; a quit waiting on it goes on.
fn close_secret(state: &mut State, notice: String) -> Vec<Effect> {
    state.view.notice = Some(notice);
    state.view.modal = state.view.secrets_waiting.pop_front().map(Modal::Secret);
    super::quit::proceed(state)
}

fn on_secret(state: &mut State, mut dialog: SecretDialog, key: &KeyEvent) -> Vec<Effect> {
    let mut effects = Vec::new();
    let answer = state.view.keymap.resolve_dialog(key);
    // Saved as a profile: closing loses nothing, so nothing is asked.
    if let SaveState::Saved { name, path } = &dialog.save
        && matches!(answer, Some(DialogCommand::Cancel | DialogCommand::Press))
    {
        let notice = format!(
            "The secret of {} is saved as profile [{name}] in {path}; the dialog is closed.",
            dialog.key_id
        );
        return close_secret(state, notice);
    }
    if dialog.acknowledging {
        match answer {
            // Dropping the dialog drops the last copy of the secret, which zeroizes it.
            Some(DialogCommand::Confirm) => {
                let notice = format!("The secret of {} was closed for good.", dialog.key_id);
                return close_secret(state, notice);
            }
            Some(DialogCommand::Cancel) => {
                dialog.acknowledging = false;
                super::quit::cancel(state);
            }
            _ => {}
        }
        state.view.modal = Some(Modal::Secret(dialog));
        return effects;
    }
    match &mut dialog.save {
        SaveState::Naming { name } => match typed(state, key) {
            Typed::Answer(DialogCommand::Cancel) => dialog.save = SaveState::Idle,
            Typed::Edit(edit) => edit.apply(name),
            Typed::Text(c) => name.push(c),
            Typed::Answer(DialogCommand::Press) => {
                let name = name.trim().to_owned();
                effects.extend(save(state, &mut dialog, name, false));
            }
            Typed::Answer(_) | Typed::Other => {}
        },
        SaveState::ConfirmOverwrite { name } => match answer {
            Some(DialogCommand::Confirm) => {
                let name = name.clone();
                effects.extend(save(state, &mut dialog, name, true));
            }
            Some(DialogCommand::Cancel) => dialog.save = SaveState::Idle,
            _ => {}
        },
        _ => match answer {
            Some(DialogCommand::CopySecret) => {
                dialog.copied = true;
                effects.push(Effect::Copy(dialog.secret.clone()));
            }
            Some(DialogCommand::SaveSecret) if state.session.credentials_file.is_some() => {
                dialog.save = SaveState::Naming {
                    name: format!("iamkeys-{}", dialog.user),
                };
            }
            Some(DialogCommand::SaveSecret) => {
                // Nowhere to save: said, never silence.
                dialog.save = SaveState::Failed {
                    message: if state.session.demo {
                        "The demo saves nothing: its keys are not real, and no credentials file is written.".to_owned()
                    } else {
                        "No AWS credentials file is known here (no HOME, no AWS_SHARED_CREDENTIALS_FILE): nothing saved.".to_owned()
                    },
                };
            }
            Some(DialogCommand::Cancel | DialogCommand::Press) => dialog.acknowledging = true,
            _ => {}
        },
    }
    state.view.modal = Some(Modal::Secret(dialog));
    effects
}

fn save(state: &State, dialog: &mut SecretDialog, name: String, overwrite: bool) -> Vec<Effect> {
    let Some(path) = state.session.credentials_file.clone() else {
        return Vec::new();
    };
    if let Err(message) = crate::credentials_file::check_profile_name(&name) {
        dialog.save = SaveState::Failed { message };
        return Vec::new();
    }
    dialog.save = SaveState::Saving { name: name.clone() };
    vec![Effect::SaveCredentials {
        path,
        profile: name,
        key_id: dialog.key_id.clone(),
        secret: dialog.secret.clone(),
        overwrite,
    }]
}
