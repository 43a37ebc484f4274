//! What a state looks like on a terminal of a given size, as text.

use iamkeys::state::State;
use iamkeys::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The screen `render` draws for `state`, one line per row.
pub fn text(state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| render(state, &Theme::default(), frame))
        .unwrap();
    let buffer = terminal.backend().buffer().clone();
    buffer
        .content
        .chunks(usize::from(width))
        .map(|row| {
            row.iter()
                .map(ratatui::buffer::Cell::symbol)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
