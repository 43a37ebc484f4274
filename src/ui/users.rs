//! The user table (left or top pane).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState, Wrap};

use super::Theme;
use super::format;
use crate::state::table::SortKey;
use crate::state::{Focus, ListStatus, State, UserRow};

fn key_summary(row: &UserRow) -> String {
    if let (None, crate::state::KeysState::Failed(err)) = (row.key_counts(), &row.keys) {
        return err.in_a_word().to_owned();
    }
    match row.key_counts() {
        None => "…".to_owned(),
        Some((0, 0)) => "none".to_owned(),
        Some((active, 0)) => format!("{active}A"),
        Some((0, inactive)) => format!("{inactive}I"),
        Some((active, inactive)) => format!("{active}A {inactive}I"),
    }
}

fn title(state: &State) -> String {
    let users = &state.view.table;
    let total = state.account.users().total();
    let progress = match &state.account.list {
        ListStatus::Loading { pages } => format!(", loading page {}", pages + 1),
        ListStatus::Done { .. } => String::new(),
        ListStatus::Failed(_) => ", listing failed".to_owned(),
    };
    let in_view = users.users_in_view();
    let shown = if in_view == total {
        total.to_string()
    } else {
        format!("{in_view} of {total}")
    };
    let filter = if users.filter.is_empty() {
        String::new()
    } else {
        format!(" · filter \"{}\"", users.filter)
    };
    format!(
        " Users ({shown}{progress}) · sorted by {} {}{filter} ",
        users.sort.label(),
        crate::state::table::arrow(users.descending)
    )
}

/// The root user's row: its MFA and keys as far as known, its findings.
fn root_row(
    state: &State,
    theme: &Theme,
    (name_width, badges_width): (usize, usize),
) -> Row<'static> {
    use crate::account::RootKeys;
    let Some(root) = state.account.root_row() else {
        return Row::new(vec![
            Cell::from(""),
            Cell::from(crate::account::ROOT_ROW_NAME),
        ]);
    };
    let keys = match root.keys {
        RootKeys::Counted {
            active: 0,
            inactive: 0,
        }
        | RootKeys::Has(false) => "none".to_owned(),
        RootKeys::Counted {
            active,
            inactive: 0,
        } => format!("{active}A"),
        RootKeys::Counted {
            active: 0,
            inactive,
        } => format!("{inactive}I"),
        RootKeys::Counted { active, inactive } => format!("{active}A {inactive}I"),
        RootKeys::Has(true) => "yes".to_owned(),
        RootKeys::Unknown(why) => why.to_owned(),
    };
    let badges = Line::from(super::findings::badges(theme, root.findings));
    Row::new(vec![
        Cell::from(" "),
        Cell::from(Span::styled(
            format::fit_str(crate::account::ROOT_ROW_NAME, name_width),
            theme.title,
        )),
        Cell::from("n/a"),
        Cell::from(format::yes_no(root.mfa)),
        Cell::from(keys),
        Cell::from(""),
        risk_cell(
            theme,
            state
                .account
                .worst_risk(crate::model::ROOT_ROW, root.findings),
        ),
        Cell::from(format::fit(badges, badges_width)),
    ])
}

/// The worst risk of a row's open findings, in a word of at most four
/// letters (`crit`, `high`, `med`, `low`, `info`), `…` while the user's
/// level is not known yet, empty without findings.
fn risk_cell(theme: &Theme, risk: Option<crate::account::Risk>) -> Cell<'static> {
    use crate::account::Risk;
    use crate::audit::Severity;
    match risk {
        Some(Risk::Known(severity)) => Cell::from(Span::styled(
            match severity {
                Severity::Critical => "crit",
                Severity::High => "high",
                Severity::Medium => "med",
                Severity::Low => "low",
                Severity::Info => "info",
            },
            super::findings::severity_style(theme, severity),
        )),
        Some(Risk::Pending(_)) => Cell::from(Span::styled("…", theme.dim)),
        None => Cell::from(""),
    }
}

/// The fifth column: the user's creation date, or what the sort reads
/// when it sorts by the oldest Active key or the last use.
fn sort_cell(state: &State, row: &UserRow) -> String {
    let keys = || row.audit_keys();
    match state.view.table.sort {
        SortKey::OldestKey => keys()
            .iter()
            .filter(|k| k.status == crate::model::KeyStatus::Active)
            .filter_map(|k| k.created)
            .min()
            .map_or_else(|| "no active".to_owned(), |t| format::age(state.now, t)),
        SortKey::LastUsed => {
            let keys = keys();
            if keys.is_empty() {
                return "no keys".to_owned();
            }
            keys.iter()
                .filter_map(|k| k.last_used.as_ref().and_then(|u| u.date))
                .max()
                .map_or_else(|| "never".to_owned(), format::date)
        }
        _ => format::date(row.user.created),
    }
}

/// The fewest columns the findings column keeps (a longer list ends in
/// `…`; the key pane lists them all).
const BADGES_MIN: usize = 9;
/// The fewest columns the user column keeps.
const NAME_MIN: usize = 12;
/// Mark, console, MFA, keys, created, risk: the columns of fixed width.
const FIXED: [u16; 6] = [1, 7, 3, 6, 11, 5];

/// The user and findings columns' widths in a pane `width` wide: the user
/// column as wide as the longest name (`longest`) where it fits beside
/// [`BADGES_MIN`], the findings column the rest.
fn name_and_badges(width: u16, longest: usize) -> (usize, usize) {
    // Borders, the fixed columns, one space between each two columns.
    let used = 2 + FIXED.iter().sum::<u16>() + 7;
    let left = usize::from(width.saturating_sub(used));
    let name = longest
        .max(NAME_MIN)
        .min(left.saturating_sub(BADGES_MIN))
        .max(1);
    (name, left.saturating_sub(name).max(1))
}

/// Mark, user, console, MFA, keys, created, risk, findings.
fn columns(name: usize, badges: usize) -> [Constraint; 8] {
    let len = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
    [
        Constraint::Length(FIXED[0]),
        len(name),
        Constraint::Length(FIXED[1]),
        Constraint::Length(FIXED[2]),
        Constraint::Length(FIXED[3]),
        Constraint::Length(FIXED[4]),
        Constraint::Length(FIXED[5]),
        len(badges),
    ]
}

/// What an empty table says: loading, a filter that does not read or
/// matches no one, no users, or why the listing failed.
fn empty_message(state: &State, theme: &Theme) -> Line<'static> {
    match &state.account.list {
        ListStatus::Loading { .. } => Line::styled("Loading users…", theme.dim),
        ListStatus::Done { .. } if state.view.table.filter_error.is_some() => Line::styled(
            format!(
                "The filter does not read: {} (Esc clears it).",
                state.view.table.filter_error.as_deref().unwrap_or_default()
            ),
            theme.warn,
        ),
        ListStatus::Done { .. } if !state.view.table.filter.is_empty() => {
            Line::raw("No user matches the filter (Esc clears it).")
        }
        ListStatus::Done { .. } => Line::raw("This account has no IAM users."),
        ListStatus::Failed(err) => Line::styled(
            format!(
                "{}  (press r to retry)",
                err.operator_message(&state.session.profile)
            ),
            theme.error,
        ),
    }
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let border = if state.view.focus == Focus::Users {
        theme.accent
    } else {
        theme.dim
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(title(state), theme.title));
    if state.view.table.is_empty() {
        let message = empty_message(state, theme);
        frame.render_widget(
            Paragraph::new(message)
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let height = usize::from(area.height.saturating_sub(3)).max(1);
    // The name column as wide as the names need (a longer name is cut with
    // `…`), the findings column the rest.
    let longest = state
        .account
        .users()
        .longest_name()
        .max(crate::account::ROOT_ROW_NAME.len());
    let (name_width, badges_width) = name_and_badges(area.width, longest);
    let offset = state.view.table.offset.min(state.view.table.cursor);
    let offset = if state.view.table.cursor >= offset + height {
        state.view.table.cursor + 1 - height
    } else {
        offset
    };
    let rows = state
        .view
        .table
        .visible(state.account.users(), offset, height)
        .map(|row| {
            let Some(row) = row else {
                return root_row(state, theme, (name_width, badges_width));
            };
            let password = format::known(row.password, row.password_error.as_ref());
            let mfa = format::known(row.mfa, row.mfa_error.as_ref());
            let mfa_style = if row.password == Some(true) && row.mfa == Some(false) {
                theme.warn
            } else {
                Style::new()
            };
            let marked = state
                .view
                .marks
                .iter()
                .any(|(user, _)| user == &row.user.name);
            let badges = Line::from(super::findings::badges(theme, &row.findings));
            Row::new(vec![
                Cell::from(Span::styled(if marked { "●" } else { " " }, theme.warn)),
                Cell::from(format::fit_str(&row.user.name, name_width)),
                Cell::from(password),
                Cell::from(Span::styled(mfa, mfa_style)),
                Cell::from(key_summary(row)),
                Cell::from(sort_cell(state, row)),
                risk_cell(
                    theme,
                    state.account.worst_risk(&row.user.name, &row.findings),
                ),
                Cell::from(format::fit(badges, badges_width)),
            ])
        });
    // The column the sort uses says so (`User↑`); the fifth column shows
    // what the sort reads (creation, oldest Active key, last use).
    let sort = &state.view.table;
    let fifth = match sort.sort {
        SortKey::OldestKey | SortKey::LastUsed => sort.sort.label(),
        _ => SortKey::Created.label(),
    };
    let header = Row::new(
        [
            "", "User", "Console", "MFA", "Keys", fifth, "Risk", "Findings",
        ]
        .map(|name| {
            if name == sort.sort.label() {
                format!("{name}{}", crate::state::table::arrow(sort.descending))
            } else {
                name.to_owned()
            }
        }),
    )
    .style(theme.header_row);
    let table = Table::new(rows, columns(name_width, badges_width))
        .header(header)
        .block(block)
        .row_highlight_style(theme.selected);
    let mut table_state =
        TableState::default().with_selected(Some(state.view.table.cursor - offset));
    frame.render_stateful_widget(table, area, &mut table_state);
}
