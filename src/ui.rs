//! Drawing: `render(&State, &Theme, &mut Frame)` reads the state and never
//! changes it. Only the visible rows are built, so a frame costs the same for
//! 50 users as for 5,000.

mod credentials;
mod dialogs;
mod findings;
mod format;
mod handoff;
mod header;
mod help;
mod keys;
mod overview;
mod password;
mod popup;
mod profiles;
mod root;
mod status;
pub mod theme;
mod usage;
mod users;
mod waive;

use ratatui::Frame;
use ratatui::layout::Alignment;
use ratatui::widgets::{Paragraph, Wrap};

pub use theme::Theme;

use crate::layout;
use crate::state::{Modal, State};

/// Draw the dialog on screen, if one is open, over `area` (plain mode
/// draws it alone, to print it as text).
pub fn modal(state: &State, theme: &Theme, frame: &mut Frame, area: ratatui::layout::Rect) {
    match &state.view.modal {
        Some(Modal::Help) => help::render(state, theme, frame, area),
        Some(Modal::Error { title, message }) => {
            help::render_error(state, theme, frame, area, title, message);
        }
        Some(Modal::Confirm(dialog)) => dialogs::confirm(state, theme, frame, area, dialog),
        Some(Modal::Delete(dialog)) => dialogs::delete(state, theme, frame, area, dialog),
        Some(Modal::RemovePassword(dialog)) => password::render(state, theme, frame, area, dialog),
        Some(Modal::DeleteRootKeys(dialog)) => root::render(state, theme, frame, area, dialog),
        Some(Modal::Secret(dialog)) => dialogs::secret(state, theme, frame, area, dialog),
        Some(Modal::Code(dialog)) => dialogs::code(theme, frame, area, dialog),
        Some(Modal::SignInAgain {
            command,
            unavailable,
        }) => dialogs::sign_in_again(state, theme, frame, area, command, unavailable.as_deref()),
        Some(Modal::Progress(progress)) => dialogs::progress(state, theme, frame, area, progress),
        Some(Modal::Profiles(picker)) => profiles::render(state, theme, frame, area, picker),
        Some(Modal::Waive(dialog)) => waive::render(state, theme, frame, area, dialog),
        Some(Modal::Handoff(dialog)) => handoff::render(state, theme, frame, area, dialog),
        Some(Modal::BulkDelete(dialog)) => dialogs::bulk_delete(state, theme, frame, area, dialog),
        Some(Modal::Findings {
            user,
            key_id,
            scroll,
        }) => {
            findings::details(
                state,
                theme,
                frame,
                area,
                (user, key_id.as_deref(), *scroll),
            );
        }
        Some(Modal::Usage { user, key_id, .. }) => {
            usage::render(state, theme, frame, area, user, key_id);
        }
        None => {}
    }
}

/// Draw the whole screen.
pub fn render(state: &State, theme: &Theme, frame: &mut Frame) {
    let area = frame.area();
    if area.width < layout::MIN_WIDTH || area.height < layout::MIN_HEIGHT {
        let text = format!(
            "Terminal too small ({}×{}): iamkeys needs at least {}×{}.",
            area.width,
            area.height,
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT
        );
        frame.render_widget(
            Paragraph::new(text)
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    // A profile's accent colour (e.g. red for production) tints the frame.
    let themed;
    let theme = match state.session.accent() {
        Some(accent) => {
            themed = theme.with_accent(accent);
            &themed
        }
        None => theme,
    };
    let areas = layout::Areas::with_focus(area, state.view.focus == crate::state::Focus::Keys);
    if let Some(org) = state.org.as_ref().filter(|o| o.open.is_none()) {
        overview::render(state, org, theme, frame, area);
    } else {
        header::render(state, theme, frame, areas.header);
        users::render(state, theme, frame, areas.users);
        keys::render(state, theme, frame, areas.keys);
        status::render(state, theme, frame, areas.status);
    }
    modal(state, theme, frame, area);
    clean_buffer(frame);
}

/// The last word on what reaches the terminal: whatever text a pane drew
/// without [`crate::text::clean`], no cell holds a control, bidi or
/// invisible character. (A zero-width one rides on the cell before it:
/// that cell keeps its visible character; a cell of nothing else shows `�`.)
fn clean_buffer(frame: &mut Frame) {
    for cell in &mut frame.buffer_mut().content {
        if cell.symbol().chars().any(crate::text::is_unsafe) {
            let kept: String = cell
                .symbol()
                .chars()
                .filter(|c| !crate::text::is_unsafe(*c))
                .collect();
            if kept.is_empty() {
                cell.set_symbol("\u{FFFD}");
            } else {
                cell.set_symbol(&kept);
            }
        }
    }
}
