//! Commands from the keymap: movement, focus, sort, help, refresh, quit.

use super::key_actions;
use super::load::{request_selected_keys, start_load};
use crate::effect::Effect;
use crate::keymap::Command;
use crate::model::KeyStatus;
use crate::state::{Focus, Modal, State};

pub(super) fn on_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => super::quit::request(state, false),
        Command::Help => {
            state.modal = Some(Modal::Help);
            Vec::new()
        }
        Command::Refresh => start_load(state),
        Command::FocusNext | Command::FocusPrev => {
            state.focus = match state.focus {
                Focus::Users => Focus::Keys,
                Focus::Keys => Focus::Users,
            };
            Vec::new()
        }
        Command::Open => {
            match state.focus {
                Focus::Users if state.users.selected().is_some() => {
                    state.focus = Focus::Keys;
                    state.key_cursor = 0;
                }
                Focus::Keys => {
                    if let Some((row, key)) = state.selected_key() {
                        state.modal = Some(Modal::Findings {
                            user: row.user.name.clone(),
                            key_id: Some(key.id.clone()),
                        });
                    } else if let Some(row) = state.users.selected() {
                        state.modal = Some(Modal::Findings {
                            user: row.user.name.clone(),
                            key_id: None,
                        });
                    }
                }
                Focus::Users => {}
            }
            Vec::new()
        }
        Command::Filter => {
            state.filtering = true;
            state.focus = Focus::Users;
            Vec::new()
        }
        Command::FindingsOnly => {
            state.users.findings_only = !state.users.findings_only;
            state.users.resort();
            let height = state.list_height();
            state.users.scroll_into_view(height);
            state.key_cursor = 0;
            state.notice = Some(if state.users.findings_only {
                format!(
                    "Showing the {} users with findings (F shows all)",
                    state.users.len()
                )
            } else {
                "Showing every user".to_owned()
            });
            request_selected_keys(state)
        }
        Command::Sort => {
            state.users.sort = state.users.sort.next();
            state.users.resort();
            let height = state.list_height();
            state.users.scroll_into_view(height);
            state.notice = Some(format!("sorted by {}", state.users.sort.label()));
            Vec::new()
        }
        Command::Create => key_actions::create(state),
        Command::Deactivate => key_actions::set_status(state, KeyStatus::Inactive),
        Command::Activate => key_actions::set_status(state, KeyStatus::Active),
        Command::Delete => key_actions::delete(state, key_actions::Which::Selected),
        Command::Mark => key_actions::toggle_mark(state),
        Command::CopyId => key_actions::copy_id(state),
        Command::Profiles => super::profiles::open(state),
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

fn key_count(state: &State) -> usize {
    state
        .users
        .selected()
        .and_then(|r| r.listed_keys())
        .map_or(0, <[_]>::len)
}

fn step(state: &mut State, delta: isize) -> Vec<Effect> {
    match state.focus {
        Focus::Users => {
            let before = state.users.cursor;
            let height = state.list_height();
            state.users.move_cursor(delta, height);
            selection_changed(state, before)
        }
        Focus::Keys => {
            let last = key_count(state).saturating_sub(1);
            state.key_cursor = state.key_cursor.saturating_add_signed(delta).min(last);
            Vec::new()
        }
    }
}

fn jump(state: &mut State, position: usize) -> Vec<Effect> {
    match state.focus {
        Focus::Users => {
            let before = state.users.cursor;
            let height = state.list_height();
            state.users.set_cursor(position, height);
            selection_changed(state, before)
        }
        Focus::Keys => {
            state.key_cursor = position.min(key_count(state).saturating_sub(1));
            Vec::new()
        }
    }
}

fn selection_changed(state: &mut State, before: usize) -> Vec<Effect> {
    if state.users.cursor == before {
        return Vec::new();
    }
    state.key_cursor = 0;
    request_selected_keys(state)
}

/// Keys while typing the `/` filter: text narrows the table as it is typed,
/// `Enter` keeps the filter, `Esc` clears it. A filter that is an access key
/// ID lands on its user.
pub(super) fn on_filter_key(state: &mut State, key: &crossterm::event::KeyEvent) -> Vec<Effect> {
    use crossterm::event::{KeyCode, KeyModifiers};
    match key.code {
        KeyCode::Esc => {
            state.filtering = false;
            state.users.filter.clear();
        }
        KeyCode::Enter => state.filtering = false,
        KeyCode::Backspace => {
            state.users.filter.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
            state.users.filter.push(c);
        }
        _ => return Vec::new(),
    }
    apply_filter(state)
}

/// Re-filter the table, keep the selection visible, fetch what is now selected.
pub(super) fn apply_filter(state: &mut State) -> Vec<Effect> {
    let before = state.users.selected().map(|r| r.user.name.clone());
    state.users.resort();
    let height = state.list_height();
    state.users.scroll_into_view(height);
    if state.users.selected().map(|r| r.user.name.clone()) != before {
        state.key_cursor = 0;
    }
    // A key ID typed in full: select that key in its user's pane.
    let typed = state.users.filter.to_uppercase();
    if let Some(position) = state
        .selected_row_keys()
        .and_then(|keys| keys.iter().position(|k| k.id == typed))
    {
        state.key_cursor = position;
    }
    request_selected_keys(state)
}

/// Mouse: a click selects the row under it (and focuses its pane), the
/// wheel scrolls the pane under the pointer. Ignored while a dialog is open.
pub(super) fn on_mouse(state: &mut State, event: crossterm::event::MouseEvent) -> Vec<Effect> {
    use crossterm::event::{MouseButton, MouseEventKind};
    use ratatui::layout::{Position, Rect};
    if state.modal.is_some() || state.filtering {
        return Vec::new();
    }
    let (width, height) = state.screen;
    let areas = crate::layout::Areas::new(Rect::new(0, 0, width, height));
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
            let focus = std::mem::replace(&mut state.focus, pane);
            let effects = step(state, delta);
            state.focus = focus;
            effects
        }
        MouseEventKind::Down(MouseButton::Left) => {
            state.focus = pane;
            if pane == Focus::Users {
                // Below the top border and the column header.
                let first_row = areas.users.y + 2;
                if event.row >= first_row && event.row < areas.users.bottom().saturating_sub(1) {
                    let position = state.users.offset + usize::from(event.row - first_row);
                    if position < state.users.len() {
                        return jump(state, position);
                    }
                }
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}
