//! Overlays: the help listing every binding, and error dialogs.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::popup::centered;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Theme;
use crate::keymap::{Command, DialogCommand};
use crate::state::State;

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line> = Command::ALL
        .iter()
        .map(|&command| {
            let keys = state
                .view
                .keymap
                .keys_for(command)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            Line::from(vec![
                Span::styled(format!(" {keys:<24}"), theme.title),
                Span::raw(command.description()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " In dialogs ([keybindings.dialog]):",
        theme.dim,
    ));
    for command in DialogCommand::ALL {
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    " {:<24}",
                    state.view.keymap.dialog_label(command).replace('/', ", ")
                ),
                theme.title,
            ),
            Span::raw(command.description()),
        ]));
    }
    // The closing words sit on the bottom border: every row is a binding.
    let closing = Line::styled(
        format!(
            " {}, {} or {} closes this help",
            state
                .view
                .keymap
                .dialog_label(DialogCommand::Cancel)
                .replace('/', ", "),
            state.view.keymap.label(Command::Help),
            state.view.keymap.label(Command::Quit)
        ),
        theme.dim,
    );
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let popup = centered(area, 92, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.accent)
                .title(" Keys ")
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
        vec![
            Line::raw(message.to_owned()),
            Line::raw(""),
            Line::styled(
                format!(
                    "{} or {} closes",
                    state.view.keymap.dialog_named_key(DialogCommand::Cancel),
                    state.view.keymap.dialog_label(DialogCommand::Press)
                ),
                theme.dim,
            ),
        ],
    );
}
