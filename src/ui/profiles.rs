//! The profile picker.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::state::{ProfilePicker, State};

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, picker: &ProfilePicker) {
    let mut lines = vec![Line::from(vec![
        Span::raw(" Filter: "),
        Span::styled(picker.filter.with_cursor(), theme.title),
    ])];
    lines.push(Line::raw(""));
    if picker.profiles.is_none() {
        lines.push(Line::styled(" Reading the AWS config files…", theme.dim));
    } else {
        let visible = picker.visible();
        if visible.is_empty() {
            lines.push(Line::styled(" No profile matches.", theme.dim));
        }
        for (i, profile) in visible.iter().enumerate() {
            let current = profile.name == state.session.profile;
            let text = format!(
                " {} {:<28} {:<14} {:<14} {}",
                if current { "●" } else { " " },
                profile.name,
                profile.kind.to_string(),
                profile.region.as_deref().unwrap_or("-"),
                profile.note.as_deref().unwrap_or(""),
            );
            let style = if i == picker.cursor {
                theme.selected
            } else {
                ratatui::style::Style::new()
            };
            lines.push(Line::styled(text, style));
        }
    }
    lines.push(Line::raw(""));
    if let Some(name) = &picker.switching {
        lines.push(Line::styled(
            format!(" Connecting to {name}…"),
            theme.accent,
        ));
    }
    if let Some(error) = &picker.error {
        lines.push(Line::styled(format!(" {error}"), theme.error));
    }
    lines.push(Line::styled(
        format!(
            " type to filter · ↑/↓ choose · {} switch · {} close",
            state
                .view
                .keymap
                .dialog_key(crate::keymap::DialogCommand::Press),
            state
                .view
                .keymap
                .dialog_named_key(crate::keymap::DialogCommand::Cancel)
        ),
        theme.dim,
    ));
    super::popup::show(
        frame,
        area,
        90,
        " AWS profiles ".to_owned(),
        theme.accent,
        lines,
    );
}
