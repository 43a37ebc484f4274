//! Screen geometry: where each part of the main screen goes for a terminal
//! size. A neutral module below both `ui` (which draws there) and `update`
//! (which pages, scrolls and hit-tests clicks with it), so neither layer
//! reaches into the other.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;
/// Below this width the key pane goes under the user list.
pub const NARROW: u16 = 110;

/// Where each part of the main screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// Between header and status bar (the organization overview's table).
    pub body: Rect,
    pub users: Rect,
    pub keys: Rect,
    pub status: Rect,
}

impl Areas {
    #[must_use]
    pub fn new(area: Rect) -> Self {
        let [header, body, status] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let (direction, split) = if area.width < NARROW {
            (
                Direction::Vertical,
                [Constraint::Percentage(60), Constraint::Percentage(40)],
            )
        } else {
            (
                Direction::Horizontal,
                [Constraint::Percentage(58), Constraint::Percentage(42)],
            )
        };
        let parts = Layout::default()
            .direction(direction)
            .constraints(split)
            .split(body);
        Self {
            header,
            body,
            users: parts[0],
            keys: parts[1],
            status,
        }
    }
}

/// Data rows the organization overview shows on a screen of this size.
#[must_use]
pub fn overview_rows(width: u16, height: u16) -> u16 {
    Areas::new(Rect::new(0, 0, width, height))
        .body
        .height
        .saturating_sub(3)
        .max(1)
}

/// Data rows the user table shows on a screen of this size (borders and the
/// column header take three lines).
#[must_use]
pub fn user_rows(width: u16, height: u16) -> u16 {
    Areas::new(Rect::new(0, 0, width, height))
        .users
        .height
        .saturating_sub(3)
        .max(1)
}
