//! A bordered box of wrapped lines, centred, as tall as its text needs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// A rectangle of at most `width`×`height`, centred in `area`.
#[must_use]
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}

/// Where a scrolled box stands, for its bottom border: `12 more below ·
/// ↓/↑ PgDn/PgUp scroll`, or `the end · ↑/PgUp/g back up` once scrolled to
/// the end; `None` when it all fits.
#[must_use]
pub fn scroll_hint(map: &crate::keymap::Keymap, below: usize, scroll: usize) -> Option<String> {
    use crate::keymap::Command;
    if below > 0 {
        Some(format!(
            "{below} more below · {}/{} PgDn/PgUp scroll",
            map.label(Command::Down),
            map.label(Command::Up)
        ))
    } else if scroll > 0 {
        Some(format!(
            "the end · {}/PgUp/{} back up",
            map.label(Command::Up),
            map.label(Command::Top)
        ))
    } else {
        None
    }
}

/// Draw `lines` in a box at most `width` wide, titled `title`, over whatever is below.
pub fn show(
    frame: &mut Frame,
    area: Rect,
    width: u16,
    title: String,
    border: Style,
    lines: Vec<Line<'static>>,
) {
    let width = width.min(area.width);
    // One blank column before the right border: text never touches it.
    let inner = usize::from(width.saturating_sub(3)).max(1);
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .flat_map(|line| super::format::wrap_with(line, inner, 0))
        .collect();
    let popup = centered(
        area,
        width,
        u16::try_from(lines.len() + 2).unwrap_or(u16::MAX),
    );
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(border)
                .title(Span::styled(title, border)),
        ),
        popup,
    );
}
