//! The organization overview (`--org`): one row per account — name, ID,
//! where its audit stands or why it failed, users, keys and findings by
//! id — filling in as accounts finish.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::Theme;
use super::format::SPINNER;
use crate::account::org::{Listing, Member, MemberStatus, Organization, Summary};
use crate::audit::FindingId;
use crate::keymap::Command;
use crate::layout::Areas;
use crate::state::State;

/// The short column title of a finding id.
fn short(id: FindingId) -> &'static str {
    match id {
        FindingId::InitialSetupKey => "SETUP",
        FindingId::UnusedKey => "UNUSED",
        FindingId::UnusedPassword => "PWD",
        FindingId::MultipleActiveKeys => "2 KEYS",
        FindingId::KeyNotRotated => "OLD",
        FindingId::RootAccessKey | FindingId::RootCredentialsNotCentralized => "ROOT",
        FindingId::InactiveKeyReadyToDelete => "RETIRE",
        FindingId::ExposedKeyQuarantined => "EXPOSED",
        // Every other long-term credential's findings share one column.
        FindingId::ServiceCredentialNoExpiry
        | FindingId::ServiceCredentialNotRotated
        | FindingId::LongTermCredentialOnBedrockUser
        | FindingId::LongTermCredentialOld => "CREDS",
    }
}

/// The finding columns: each title once, in `FindingId::ALL`'s order.
fn columns() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for id in FindingId::ALL {
        if !out.contains(&short(id)) {
            out.push(short(id));
        }
    }
    out
}

fn status(member: &Member, spinner: &str) -> String {
    match &member.status {
        MemberStatus::Waiting => "waiting".to_owned(),
        MemberStatus::Connecting => format!("{spinner} assuming role"),
        MemberStatus::Loading if member.account.audit_incomplete() => {
            format!("{spinner} loading (incomplete)")
        }
        MemberStatus::Loading => format!("{spinner} loading"),
        MemberStatus::Done if member.account.audit_incomplete() => "INCOMPLETE".to_owned(),
        MemberStatus::Done => "audited".to_owned(),
        MemberStatus::Failed(failure) => failure.label().to_owned(),
        MemberStatus::Skipped(why) => why.clone(),
    }
}

fn header(state: &State, org: &Organization, theme: &Theme) -> Vec<Line<'static>> {
    let tally = org.tally();
    let mut first = vec![Span::styled(" iamkeys ", theme.accent)];
    first.extend(super::header::profile(state, theme));
    first.extend([
        Span::raw("  organization of "),
        Span::styled(org.own_account.clone(), theme.title),
        Span::raw(format!(
            "  role {} · session {}",
            org.role, org.session_name
        )),
    ]);
    super::header::badges(state, theme, &mut first);
    let listing = match &org.listing {
        Listing::Loading { pages } => format!(" · listing page {}…", pages + 1),
        Listing::Done { .. } => String::new(),
        Listing::Failed(err) => format!(
            " · LISTING FAILED ({}): accounts may be missing",
            err.kind_label()
        ),
    };
    let mut second = vec![Span::raw(format!(
        " {} accounts: {} audited · {} failed · {} skipped · {} to go{listing}",
        org.members.len(),
        tally.done,
        tally.failed,
        tally.skipped,
        tally.todo
    ))];
    second.extend(root_access(org, theme));
    let second = Line::from(second);
    let incomplete = org
        .members
        .iter()
        .filter(|m| matches!(m.status, MemberStatus::Failed(_)) || m.account.audit_incomplete())
        .count();
    let third = if incomplete > 0 || matches!(org.listing, Listing::Failed(_)) {
        Line::styled(
            format!(
                " INCOMPLETE AUDIT: {incomplete} account{} could not be audited in full",
                if incomplete == 1 { "" } else { "s" }
            ),
            theme.error,
        )
    } else {
        Line::raw("")
    };
    vec![Line::from(first), second, third]
}

/// Whether the organization manages root credentials centrally, as
/// `ListOrganizationsFeatures` said: the finding when it does not.
fn root_access(org: &Organization, theme: &Theme) -> Vec<Span<'static>> {
    match &org.root_access {
        None => Vec::new(),
        Some(Ok(features)) if features.iter().any(|f| f == "RootCredentialsManagement") => {
            vec![Span::styled(" · central root access on", theme.dim)]
        }
        Some(Ok(_)) => vec![Span::styled(
            " · ROOT NOT CENTRAL: root_credentials_not_centralized",
            theme.warn,
        )],
        Some(Err(err)) => vec![Span::styled(
            format!(
                " · central root access unknown ({} {})",
                err.action,
                crate::account::gaps::cause(err)
            ),
            theme.error,
        )],
    }
}

pub fn render(state: &State, org: &Organization, theme: &Theme, frame: &mut Frame, area: Rect) {
    let areas = Areas::new(area);
    frame.render_widget(Paragraph::new(header(state, org, theme)), areas.header);
    let overview = &state.view.overview;
    let order = overview.order(org);
    let height = usize::from(areas.body.height.saturating_sub(3)).max(1);
    let mut offset = overview.offset.min(order.len().saturating_sub(height));
    if overview.cursor < offset {
        offset = overview.cursor;
    } else if overview.cursor >= offset + height {
        offset = overview.cursor + 1 - height;
    }
    let spinner = SPINNER[state.view.spinner % SPINNER.len()];
    let rows = order.iter().skip(offset).take(height).map(|&i| {
        let member = &org.members[i];
        let style = match member.status {
            MemberStatus::Failed(_) => theme.error,
            MemberStatus::Skipped(_) | MemberStatus::Waiting => theme.dim,
            _ => ratatui::style::Style::default(),
        };
        let reached = matches!(member.status, MemberStatus::Loading | MemberStatus::Done);
        let summary = Summary::of(&member.account);
        let count = |n: usize| {
            if reached {
                n.to_string()
            } else {
                "·".to_owned()
            }
        };
        let mut cells = vec![
            Cell::from(crate::text::clean(&member.info.name).into_owned()),
            Cell::from(member.info.id.clone()),
            Cell::from(status(member, spinner)),
            Cell::from(count(summary.users)),
            Cell::from(count(summary.keys)),
        ];
        cells.extend(columns().into_iter().map(|title| {
            let n = summary
                .findings
                .iter()
                .filter(|(id, _)| short(*id) == title)
                .map(|(_, n)| n)
                .sum();
            Cell::from(count(n))
        }));
        cells.push(Cell::from(count(summary.total)));
        Row::new(cells).style(style)
    });
    let mut titles = vec!["ACCOUNT", "ID", "STATUS", "USERS", "KEYS"];
    titles.extend(columns());
    titles.push("TOTAL");
    let mut widths = vec![
        Constraint::Min(12),
        Constraint::Length(12),
        Constraint::Length(18),
        Constraint::Length(5),
        Constraint::Length(5),
    ];
    // Each finding's column as wide as its title (counts fit in four),
    // so that every column fits in 120 with a status of 18 characters.
    widths.extend(
        columns()
            .into_iter()
            .map(|title| Constraint::Length(u16::try_from(title.len()).unwrap_or(7).max(4))),
    );
    widths.push(Constraint::Length(5));
    let filter = if overview.filter.is_empty() {
        String::new()
    } else {
        format!(" · filter \"{}\"", overview.filter)
    };
    let title = format!(
        " Accounts ({} of {}) · sorted by {}{filter} ",
        order.len(),
        org.members.len(),
        overview.sort.label()
    );
    let mut table_state = ratatui::widgets::TableState::default()
        .with_offset(offset)
        .with_selected((!order.is_empty()).then_some(overview.cursor));
    let table = Table::new(rows, widths)
        .header(Row::new(titles).style(theme.title))
        .row_highlight_style(theme.accent.add_modifier(Modifier::REVERSED))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.accent)
                .title(Span::styled(title, theme.title)),
        );
    frame.render_stateful_widget(table, areas.body, &mut table_state);
    status_bar(state, theme, frame, areas.status);
}

/// The overview's status bar: the filter being typed or the notice, and its keys.
fn status_bar(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let overview = &state.view.overview;
    let map = &state.view.keymap;
    let hints = format!(
        "{}/{} move · {} open · {} sort · {} filter · {} list again · {} help · {} quit",
        map.label(Command::Down),
        map.label(Command::Up),
        map.label(Command::Open),
        map.label(Command::Sort),
        map.label(Command::Filter),
        map.label(Command::Refresh),
        map.label(Command::Help),
        map.label(Command::Quit)
    );
    let mut left = Vec::new();
    if state.view.filtering {
        left.push(Span::styled(
            format!(" /{} ", overview.filter.with_cursor()),
            theme.title,
        ));
        left.push(Span::styled("Enter keeps · Esc clears", theme.dim));
    } else if let Some(notice) = &state.view.notice {
        left.push(Span::styled(format!(" {notice}"), theme.warn));
    }
    let hint_width = u16::try_from(hints.chars().count() + 1).unwrap_or(u16::MAX);
    let [l, r] =
        ratatui::layout::Layout::horizontal([Constraint::Min(10), Constraint::Length(hint_width)])
            .areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(Paragraph::new(Span::styled(hints, theme.dim)), r);
}
