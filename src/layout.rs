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
    /// The screen with the user list focused.
    #[must_use]
    pub fn new(area: Rect) -> Self {
        Self::with_focus(area, false)
    }

    /// Below [`NARROW`] the panes stack; with the keys focused there, the
    /// user list keeps one row (the selected user) and the key pane takes
    /// the rest, so a user's keys are never hidden by the list.
    #[must_use]
    pub fn with_focus(area: Rect, keys_focused: bool) -> Self {
        let [header, body, status] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let (direction, split) = if area.width < NARROW && keys_focused {
            (
                Direction::Vertical,
                [Constraint::Length(4), Constraint::Min(3)],
            )
        } else if area.width < NARROW {
            (
                Direction::Vertical,
                [Constraint::Percentage(60), Constraint::Percentage(40)],
            )
        } else {
            (
                Direction::Horizontal,
                [Constraint::Percentage(60), Constraint::Percentage(40)],
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

/// How the user's details are shown above the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Details {
    /// Every line (ARN, created and MFA, password, groups, tag notes).
    Full,
    /// One line: created, MFA, password.
    Line,
    Hidden,
}

/// How one key is shown in the key pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyForm {
    /// Every line the key has.
    Full,
    /// One line: ID, status, age, last use, badges.
    Compact,
}

/// What the key pane shows in `height` rows: the first arrangement that
/// fits, in the order an operator needs them. With the keys focused, the
/// selected key is shown whole before anything else; with the users
/// focused, every key on one line beats one key in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPane {
    pub details: Details,
    pub forms: Vec<KeyForm>,
}

impl KeyPane {
    /// `details`: lines of the full details; `full`: lines of each key in
    /// full; `selected`: the key under the cursor.
    #[must_use]
    pub fn plan(
        height: usize,
        details: usize,
        full: &[usize],
        selected: usize,
        keys_focused: bool,
    ) -> Self {
        let all = |form| vec![form; full.len()];
        let expanded: Vec<KeyForm> = (0..full.len())
            .map(|i| {
                if i == selected {
                    KeyForm::Full
                } else {
                    KeyForm::Compact
                }
            })
            .collect();
        let mut candidates = vec![
            (Details::Full, all(KeyForm::Full)),
            (Details::Line, all(KeyForm::Full)),
        ];
        if keys_focused {
            candidates.extend([
                (Details::Hidden, all(KeyForm::Full)),
                (Details::Line, expanded.clone()),
                (Details::Hidden, expanded.clone()),
            ]);
        } else {
            candidates.extend([
                (Details::Full, all(KeyForm::Compact)),
                (Details::Line, all(KeyForm::Compact)),
                (Details::Hidden, all(KeyForm::Compact)),
            ]);
        }
        let lines = |d: Details, forms: &[KeyForm]| {
            let top = match d {
                Details::Full => details,
                Details::Line => 1,
                Details::Hidden => 0,
            };
            top + forms
                .iter()
                .zip(full)
                .map(|(form, n)| match form {
                    KeyForm::Full => *n,
                    KeyForm::Compact => 1,
                })
                .sum::<usize>()
        };
        let (details, forms) = candidates
            .into_iter()
            .find(|(d, forms)| lines(*d, forms) <= height)
            .unwrap_or((
                Details::Hidden,
                if keys_focused {
                    expanded
                } else {
                    all(KeyForm::Compact)
                },
            ));
        Self { details, forms }
    }
}
