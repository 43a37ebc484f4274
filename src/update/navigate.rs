//! Commands from the keymap: movement, focus, sort, help, refresh, quit.

use super::key_actions;
use super::load::{request_selected_keys, start_load};
use crate::effect::Effect;
use crate::keymap::Command;
use crate::model::KeyStatus;
use crate::state::{Focus, Modal, State};

/// `Enter`: a user's keys; on a key (or a user without one), its findings;
/// on the root user's row, root's findings.
fn open(state: &mut State) -> Vec<Effect> {
    match state.view.focus {
        Focus::Users if state.view.table.root_selected() => {
            // Root's keys cannot be acted on: Enter explains its findings.
            state.view.modal = Some(Modal::Findings {
                user: crate::account::ROOT_ROW_NAME.to_owned(),
                key_id: None,
                scroll: 0,
            });
        }
        Focus::Users if state.selected_user().is_some() => {
            state.view.focus = Focus::Keys;
            state.view.key_cursor = 0;
        }
        Focus::Keys => {
            if let Some((row, credential)) = state.selected_credential() {
                // Another credential: its findings, waived as a key's are.
                state.view.modal = Some(Modal::Findings {
                    user: row.user.name.clone(),
                    key_id: Some(credential.id.clone()),
                    scroll: 0,
                });
            } else if let Some((row, key)) = state.selected_key() {
                state.view.modal = Some(Modal::Findings {
                    user: row.user.name.clone(),
                    key_id: Some(key.id.clone()),
                    scroll: 0,
                });
            } else if let Some(row) = state.selected_user() {
                state.view.modal = Some(Modal::Findings {
                    user: row.user.name.clone(),
                    key_id: None,
                    scroll: 0,
                });
            }
        }
        Focus::Users => {}
    }
    Vec::new()
}

/// The help overlay, from its top.
fn open_help(state: &mut State) -> Vec<Effect> {
    state.view.modal = Some(Modal::Help);
    state.view.help_scroll = 0;
    Vec::new()
}

pub(super) fn on_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => super::quit::request(state, false),
        Command::Help => open_help(state),
        Command::Refresh => start_load(state),
        Command::FocusNext | Command::FocusPrev => {
            state.view.focus = match state.view.focus {
                Focus::Users => Focus::Keys,
                Focus::Keys => Focus::Users,
            };
            Vec::new()
        }
        Command::Open => open(state),
        Command::Filter => {
            state.view.filtering = true;
            state.view.focus = Focus::Users;
            Vec::new()
        }
        Command::FindingsOnly => {
            state.view.table.toggle_findings_only();
            state.resort();
            let height = state.list_height();
            state.view.table.scroll_into_view(height);
            state.view.key_cursor = 0;
            state.view.notice = Some(if state.view.table.findings_only {
                format!(
                    "Showing the {} users with findings, worst risk first (F shows all)",
                    state.view.table.users_in_view()
                )
            } else {
                format!(
                    "Showing every user, sorted by {}",
                    state.view.table.sort.label()
                )
            });
            request_selected_keys(state)
        }
        Command::Sort => {
            state.view.table.sort = state.view.table.sort.next();
            state.resort();
            let height = state.list_height();
            state.view.table.scroll_into_view(height);
            state.view.notice = Some(format!("sorted by {}", state.view.table.sort.label()));
            Vec::new()
        }
        Command::SortReverse => {
            state.view.table.descending = !state.view.table.descending;
            state.resort();
            let height = state.list_height();
            state.view.table.scroll_into_view(height);
            state.view.notice = Some(format!(
                "sorted by {} {}",
                state.view.table.sort.label(),
                crate::state::table::arrow(state.view.table.descending)
            ));
            Vec::new()
        }
        Command::Create => key_actions::create(state),
        Command::Rotate => key_actions::rotate(state),
        Command::Deactivate => key_actions::set_status(state, KeyStatus::Inactive),
        Command::Activate => key_actions::set_status(state, KeyStatus::Active),
        Command::Delete if state.view.table.root_selected() && state.view.marks.is_empty() => {
            super::root::open(state)
        }
        Command::Delete => key_actions::delete(state, key_actions::Which::Selected),
        Command::RemovePassword => super::password::open(state),
        Command::Mark => key_actions::toggle_mark(state),
        Command::CopyId => key_actions::copy_id(state),
        Command::ConsoleOpen => key_actions::console(state, true),
        Command::CommandLine => super::command_line::open(state),
        Command::ConsoleCopy => key_actions::console(state, false),
        Command::Usage => super::usage::on_command(state),
        Command::Profiles => super::profiles::open(state),
        Command::Back if state.org.is_some() => super::org::close(state),
        Command::Back => Vec::new(),
        Command::Down => step(state, 1),
        Command::Up => step(state, -1),
        Command::PageDown => step(state, page(state)),
        Command::PageUp => step(state, -page(state)),
        Command::Top => jump(state, 0),
        Command::Bottom => jump(state, usize::MAX),
    }
}

fn page(state: &State) -> isize {
    isize::try_from(state.list_height().max(1)).unwrap_or(1)
}

/// The key pane's rows: the access keys, then the other credentials.
fn key_count(state: &State) -> usize {
    state.selected_user().map_or(0, |r| {
        r.listed_keys().map_or(0, <[_]>::len) + r.credentials.known().len()
    })
}

fn step(state: &mut State, delta: isize) -> Vec<Effect> {
    move_cursor(
        state,
        |table, height| table.move_cursor(delta, height),
        |key| key.saturating_add_signed(delta),
    )
}

fn jump(state: &mut State, position: usize) -> Vec<Effect> {
    move_cursor(
        state,
        |table, height| table.set_cursor(position, height),
        |_| position,
    )
}

/// Move the focused list's cursor: the users' table by `users`, the keys'
/// cursor to `keys(cursor)`, kept on the last key.
fn move_cursor(
    state: &mut State,
    users: impl FnOnce(&mut crate::state::TableView, usize),
    keys: impl FnOnce(usize) -> usize,
) -> Vec<Effect> {
    match state.view.focus {
        Focus::Users => {
            let before = state.view.table.cursor;
            let height = state.list_height();
            users(&mut state.view.table, height);
            selection_changed(state, before)
        }
        Focus::Keys => {
            let last = key_count(state).saturating_sub(1);
            state.view.key_cursor = keys(state.view.key_cursor).min(last);
            Vec::new()
        }
    }
}

fn selection_changed(state: &mut State, before: usize) -> Vec<Effect> {
    if state.view.table.cursor == before {
        return Vec::new();
    }
    state.view.key_cursor = 0;
    request_selected_keys(state)
}

/// Keys on the organization overview: movement, `Enter` into an account,
/// sort, `/` filter by name or ID, `r` lists the organization again; help,
/// profiles and quit as anywhere.
pub(super) fn on_overview_key(state: &mut State, key: &crossterm::event::KeyEvent) -> Vec<Effect> {
    use crossterm::event::{KeyCode, KeyEventKind};
    let height = state.view.overview_height();
    if state.view.filtering {
        if !filter_typed(
            &mut state.view.filtering,
            &mut state.view.overview.filter,
            key,
        ) {
            return Vec::new();
        }
        state.view.overview.cursor = 0;
        state.view.overview.selected = None;
        if let Some(org) = &state.org {
            state.view.overview.follow(org, height);
        }
        return Vec::new();
    }
    if key.code == KeyCode::Esc && !state.view.overview.filter.is_empty() {
        state.view.overview.filter.clear();
        if let Some(org) = &state.org {
            state.view.overview.follow(org, height);
        }
        return Vec::new();
    }
    let Some(command) = state.view.keymap.resolve(key) else {
        return Vec::new();
    };
    if key.kind == KeyEventKind::Repeat && !command.repeats() {
        return Vec::new();
    }
    let page = isize::try_from(height.max(1)).unwrap_or(1);
    let moved = |state: &mut State, delta: isize| {
        if let Some(org) = &state.org {
            state.view.overview.move_by(org, delta, height);
        }
        Vec::new()
    };
    match command {
        Command::Quit => super::quit::request(state, false),
        Command::Help => open_help(state),
        Command::Profiles => super::profiles::open(state),
        Command::Refresh => super::org::start(state),
        Command::Open => super::org::open(state),
        Command::Down => moved(state, 1),
        Command::Up => moved(state, -1),
        Command::PageDown => moved(state, page),
        Command::PageUp => moved(state, -page),
        Command::Top => moved(state, isize::MIN / 2),
        Command::Bottom => moved(state, isize::MAX / 2),
        Command::Sort => {
            state.view.overview.sort = state.view.overview.sort.next();
            if let Some(org) = &state.org {
                state.view.overview.follow(org, height);
            }
            state.view.notice = Some(format!(
                "accounts sorted by {}",
                state.view.overview.sort.label()
            ));
            Vec::new()
        }
        Command::SortReverse => {
            state.view.overview.descending = !state.view.overview.descending;
            if let Some(org) = &state.org {
                state.view.overview.follow(org, height);
            }
            state.view.notice = Some(format!(
                "accounts sorted by {} {}",
                state.view.overview.sort.label(),
                crate::state::table::arrow(state.view.overview.descending)
            ));
            Vec::new()
        }
        Command::Filter => {
            state.view.filtering = true;
            Vec::new()
        }
        _ => {
            state.view.notice = Some(format!(
                "Open an account first ({}): keys are changed inside an account.",
                state.view.keymap.label(Command::Open)
            ));
            Vec::new()
        }
    }
}

/// Keys while typing the `/` filter: text narrows the table as it is typed,
/// `Enter` keeps the filter, `Esc` clears it. A filter that is an access key
/// ID lands on its user.
pub(super) fn on_filter_key(state: &mut State, key: &crossterm::event::KeyEvent) -> Vec<Effect> {
    if !filter_typed(&mut state.view.filtering, &mut state.view.table.filter, key) {
        return Vec::new();
    }
    apply_filter(state)
}

/// One key typed into a `/` filter: `Esc` clears and closes it, `Enter`
/// closes it, the text field's keys edit it (Backspace on an empty filter
/// leaves it open: what is typed next is text, never a command). Whether
/// anything changed.
fn filter_typed(
    filtering: &mut bool,
    filter: &mut crate::state::TextInput,
    key: &crossterm::event::KeyEvent,
) -> bool {
    use crossterm::event::KeyCode;
    match key.code {
        KeyCode::Esc => {
            *filtering = false;
            filter.clear();
            true
        }
        KeyCode::Enter => {
            *filtering = false;
            true
        }
        _ => filter.handle(key) == crate::state::text_input::Handled::Edited,
    }
}

/// Re-filter the table, keep the selection visible, fetch what is now selected.
pub(super) fn apply_filter(state: &mut State) -> Vec<Effect> {
    let before = state.selected_user().map(|r| r.user.name.clone());
    state.resort();
    let height = state.list_height();
    state.view.table.scroll_into_view(height);
    if state.selected_user().map(|r| r.user.name.clone()) != before {
        state.view.key_cursor = 0;
    }
    // A key ID typed in full: select that key in its user's pane.
    let typed = state.view.table.filter.as_str().to_uppercase();
    if let Some(position) = state
        .selected_row_keys()
        .and_then(|keys| keys.iter().position(|k| k.id == typed))
    {
        state.view.key_cursor = position;
    }
    request_selected_keys(state)
}

/// Mouse: a click selects the row under it (and focuses its pane), the
/// wheel scrolls the pane under the pointer. Ignored while a dialog is open.
pub(super) fn on_mouse(state: &mut State, event: crossterm::event::MouseEvent) -> Vec<Effect> {
    use crossterm::event::{MouseButton, MouseEventKind};
    use ratatui::layout::{Position, Rect};
    if state.view.modal.is_some() || state.view.filtering {
        return Vec::new();
    }
    let (width, height) = state.view.screen;
    let keys_focused = state.view.focus == Focus::Keys;
    let areas = crate::layout::Areas::with_focus(Rect::new(0, 0, width, height), keys_focused);
    let at = Position::new(event.column, event.row);
    let pane = if areas.users.contains(at) {
        Focus::Users
    } else if areas.keys.contains(at) {
        Focus::Keys
    } else {
        return Vec::new();
    };
    match event.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if event.kind == MouseEventKind::ScrollDown {
                1
            } else {
                -1
            };
            let focus = std::mem::replace(&mut state.view.focus, pane);
            let effects = step(state, delta);
            state.view.focus = focus;
            effects
        }
        MouseEventKind::Down(MouseButton::Left) => {
            state.view.focus = pane;
            // A stacked screen with the keys focused shows one user row: a
            // click there gives the list its room back, and picks nothing.
            let one_row = keys_focused && width < crate::layout::NARROW;
            if pane == Focus::Users && !one_row {
                // Below the top border and the column header.
                let first_row = areas.users.y + 2;
                if event.row >= first_row && event.row < areas.users.bottom().saturating_sub(1) {
                    let position = state.view.table.offset + usize::from(event.row - first_row);
                    if position < state.view.table.len() {
                        return jump(state, position);
                    }
                }
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
