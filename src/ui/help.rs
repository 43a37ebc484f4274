//! Overlays: the help listing every binding, and error dialogs.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::popup::centered;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Theme;
use crate::help::Row;
use crate::keymap::{Command, DialogCommand};
use crate::state::State;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = crate::help::rows(&state.view.keymap);
    let total = rows.len();
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|row| match row {
            Row::Heading(text) => Line::styled(format!(" {text}"), theme.dim),
            Row::Entry(keys, what) => Line::from(vec![
                Span::styled(format!(" {keys:<24}"), theme.title),
                Span::raw(what),
            ]),
            Row::Blank => Line::raw(""),
        })
        .collect();
    let shown = total.min(crate::help::visible_rows(area.height));
    let popup = centered(area, 92, u16::try_from(shown + 2).unwrap_or(u16::MAX));
    let scroll = state.view.help_scroll.min(total.saturating_sub(shown));
    let below = total.saturating_sub(scroll + shown);
    let map = &state.view.keymap;
    // The closing words sit on the bottom border: every row is a binding.
    let more = super::popup::scroll_hint(map, below, scroll)
        .map(|hint| format!("{hint} · "))
        .unwrap_or_default();
    let closing = Line::styled(
        format!(
            " {more}{}, {} or {} closes ",
            map.dialog_label(DialogCommand::Cancel).replace('/', ", "),
            map.label(Command::Help),
            map.label(Command::Quit)
        ),
        theme.dim,
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.accent)
                    .title(" Help: every key binding ")
                    .title_bottom(closing),
            ),
        popup,
    );
}

pub fn render_error(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    title: &str,
    message: &str,
) {
    super::popup::show(
        frame,
        area,
        70,
        format!(" {title} "),
        theme.error,
        // One column of padding inside the border, as every dialog has.
        vec![
            Line::raw(format!(" {message}")),
            Line::raw(""),
            Line::styled(
                format!(
                    " {} or {} closes",
                    state.view.keymap.dialog_named_key(DialogCommand::Cancel),
                    state.view.keymap.dialog_label(DialogCommand::Press)
                ),
                theme.dim,
            ),
        ],
    );
}
