//! The key pane: the selected user's access keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::Theme;
use super::format;
use crate::account::users::{ExtrasState, Since};
use crate::model::{AccessKey, KeyStatus};
use crate::state::{Focus, KeysState, ReportStatus, State, UserRow};

fn last_used_lines(
    state: &State,
    row: &UserRow,
    key: &AccessKey,
    theme: &Theme,
) -> Vec<Line<'static>> {
    match row.key_last_used(key) {
        Some(used) => match used.date {
            Some(date) => {
                let mut lines = vec![Line::raw(format!(
                    "   last used {} ({})",
                    format::date(date),
                    format::ago(state.now, date)
                ))];
                let place = match (used.service, used.region) {
                    (Some(service), Some(region)) => Some(format!("   via {service} in {region}")),
                    (Some(service), None) => Some(format!("   via {service}")),
                    (None, Some(region)) => Some(format!("   in {region}")),
                    (None, None) => None,
                };
                lines.extend(place.map(Line::raw));
                lines
            }
            None => vec![Line::styled("   last used never", theme.warn)],
        },
        None => vec![
            match (row.last_used_errors.get(&key.id), &state.account.report) {
                (Some(err), _) => Line::styled(
                    format!(
                        "   last used unknown: {} {}",
                        err.action,
                        format::failed(err)
                    ),
                    theme.error,
                ),
                (None, ReportStatus::Loading) => Line::styled("   last used …", theme.dim),
                (None, _) => Line::styled("   last used unknown", theme.dim),
            },
        ],
    }
}

fn key_item(state: &State, row: &UserRow, key: &AccessKey, theme: &Theme) -> ListItem<'static> {
    let status_style = match key.status {
        KeyStatus::Active => theme.active,
        KeyStatus::Inactive => theme.inactive,
        KeyStatus::Unknown => theme.warn,
    };
    let marked = state
        .view
        .marks
        .contains(&(row.user.name.clone(), key.id.clone()));
    let mut first = vec![
        Span::styled(if marked { "●" } else { " " }, theme.warn),
        Span::styled(key.id.clone(), theme.title),
        Span::raw("  "),
        Span::styled(key.status.as_str(), status_style),
    ];
    if state.account.key_busy(&key.id) {
        first.push(Span::styled("  change pending…", theme.warn));
    }
    if state
        .account
        .known_identity()
        .and_then(|i| i.access_key_id.as_deref())
        == Some(key.id.as_str())
    {
        first.push(Span::styled("  (this session's key)", theme.dim));
    }
    let mut lines = vec![Line::from(first)];
    if let ExtrasState::Loaded(extras) = &row.extras
        && let Some(description) = extras.description(&key.id)
    {
        lines.push(Line::styled(format!("   \"{description}\""), theme.title));
    }
    lines.extend([Line::raw(format!(
        "   created {}",
        format::created(state.now, key.created)
    ))]);
    // Known once `u` asked CloudTrail: a key made by someone else.
    if let Some(crate::account::usage::Made::By(made)) =
        state.account.key_usage(&key.id).map(|u| &u.made)
        && let Some(by) = made
            .by
            .as_deref()
            .filter(|by| crate::usage::made_by_other(by, &row.user.name))
    {
        let who = by.rsplit_once(':').map_or(by, |(_, tail)| tail);
        lines.push(Line::styled(format!("   made by {who}"), theme.warn));
    }
    lines.extend(rotation_lines(state, row, key, theme));
    if key.status == KeyStatus::Inactive {
        lines.extend(inactive_since_lines(state, row, key, theme));
    }
    lines.extend(last_used_lines(state, row, key, theme));
    let found: Vec<_> = row.key_findings(&key.id).cloned().collect();
    if !found.is_empty() {
        let mut spans = vec![Span::raw("   ⚑ ")];
        for (i, finding) in found.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(" · "));
            }
            let style = if finding.open() {
                super::findings::severity_style(theme, finding.id.severity())
            } else {
                theme.dim
            };
            let waived = match &finding.waiver {
                Some(w) if w.honoured() => format!(", waived until {}", w.until),
                Some(w) if w.expired => format!(", waiver expired {}", w.until),
                Some(_) => ", waiver not honoured".to_owned(),
                None => String::new(),
            };
            spans.push(Span::styled(
                format!(
                    "{} (CIS {}{waived})",
                    finding.id,
                    finding.id.cis().v1_4_to_v4_0
                ),
                style,
            ));
        }
        lines.push(Line::from(spans));
    }
    ListItem::new(lines)
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let border = if state.view.focus == Focus::Keys {
        theme.accent
    } else {
        theme.dim
    };
    let Some(row) = state.selected_user() else {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(border)
            .title(" Access keys ");
        frame.render_widget(block, area);
        return;
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(
            format!(" Access keys of {} ", row.user.name),
            theme.title,
        ));
    let message = match &row.keys {
        KeysState::NotRequested | KeysState::Queued | KeysState::Priority => {
            Some(Line::styled("Listing access keys…", theme.dim))
        }
        KeysState::Failed(err) => Some(Line::styled(
            err.operator_message(&state.session.profile),
            theme.error,
        )),
        KeysState::Loaded(keys) if keys.is_empty() => Some(Line::raw("No access keys.")),
        KeysState::Loaded(_) => None,
    };
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let details = details_lines(row, theme, frame.area().height);
    let details_height = u16::try_from(details.len())
        .unwrap_or(0)
        .min(inner.height / 2);
    let [top, body] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(details_height),
        ratatui::layout::Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(details), top);
    if let Some(message) = message {
        frame.render_widget(Paragraph::new(message).wrap(Wrap { trim: true }), body);
        return;
    }
    let keys = row.listed_keys().unwrap_or_default();
    let items: Vec<ListItem> = keys
        .iter()
        .map(|key| key_item(state, row, key, theme))
        .collect();
    let list = List::new(items).highlight_style(if state.view.focus == Focus::Keys {
        theme.selected
    } else {
        ratatui::style::Style::new()
    });
    let mut list_state = ListState::default().with_selected(Some(
        state.view.key_cursor.min(keys.len().saturating_sub(1)),
    ));
    frame.render_stateful_widget(list, body, &mut list_state);
}

/// A rotation this key is part of: the old key says what replaces it and
/// whether the new key is in use yet; the new key says whether it is used.
fn rotation_lines(
    state: &State,
    row: &UserRow,
    key: &AccessKey,
    theme: &Theme,
) -> Vec<Line<'static>> {
    use crate::account::rotation::Kept;
    let account = &state.account;
    let user = &row.user.name;
    if let Some(rotation) = account.rotation_of(user, &key.id) {
        // The pane is narrow: short lines, one fact each.
        let mut lines = vec![Line::styled(
            format!("   rotating → {}", rotation.new),
            theme.warn,
        )];
        let started = format!("   started {}", format::ago(state.now, rotation.started));
        if account.new_key_gone(&rotation) {
            lines.push(Line::styled(
                format!("{started} · the new key is gone"),
                theme.error,
            ));
            return lines;
        }
        match (
            account.new_key_used(&rotation),
            account.old_key_still_used(&rotation),
        ) {
            (Some(at), Some(old_used)) => lines.extend([
                Line::raw(started),
                Line::styled(
                    format!("   new key in use since {}", format::date_time(at)),
                    theme.active,
                ),
                Line::styled(
                    format!("   this key still used {}:", format::date_time(old_used)),
                    theme.warn,
                ),
                Line::styled("   after the new key's first use: wait", theme.warn),
            ]),
            (Some(at), None) => lines.extend([
                Line::raw(started),
                Line::styled(
                    format!("   new key in use since {}", format::date_time(at)),
                    theme.active,
                ),
                Line::styled(
                    format!(
                        "   make this key inactive next ({})",
                        state.view.keymap.label(crate::keymap::Command::Deactivate)
                    ),
                    theme.active,
                ),
            ]),
            (None, _) => lines.push(Line::styled(
                format!("{started} · new key not used yet"),
                theme.warn,
            )),
        }
        match &rotation.kept {
            Kept::Tag => {}
            Kept::Writing => lines.push(Line::styled("   recording the rotation…", theme.dim)),
            Kept::SessionOnly(why) => lines.extend([
                Line::styled(format!("   not remembered: {why}"), theme.error),
                Line::styled("   (watched in this session only)", theme.error),
            ]),
        }
        return lines;
    }
    if let Some((rotation, why)) = account.stale_rotation_of(user, &key.id) {
        return vec![
            Line::styled(format!("   stale rotation tag: {why}"), theme.error),
            Line::styled(
                format!(
                    "   → {}: {} removes the tag",
                    rotation.new,
                    state.view.keymap.label(crate::keymap::Command::Rotate)
                ),
                theme.dim,
            ),
        ];
    }
    if let Some(rotation) = account.rotation_to(user, &key.id) {
        return vec![match account.new_key_used(&rotation) {
            Some(_) => Line::styled(
                format!("   replaces {} · in use", rotation.old),
                theme.active,
            ),
            None => Line::styled(
                format!("   not used yet (replaces {})", rotation.old),
                theme.warn,
            ),
        }];
    }
    Vec::new()
}

/// How long a key iamkeys made inactive has been so, and whether it is
/// ready to delete (`retire_after_days`).
fn inactive_since_lines(
    state: &State,
    row: &UserRow,
    key: &crate::model::AccessKey,
    theme: &Theme,
) -> Vec<Line<'static>> {
    match row.inactive_since(&key.id, state.now) {
        None => Vec::new(),
        Some(Since::Honoured { at, by }) => {
            let days = (state.now - at).num_days().max(0);
            let mut lines = vec![Line::raw(format!(
                "   inactive since {} ({}) by {by}",
                format::date(at),
                crate::audit::findings::days(days)
            ))];
            if days >= i64::from(state.account.thresholds.retire_after_days) {
                lines.push(Line::styled(
                    format!(
                        "   ready to delete ({})",
                        state.view.keymap.label(crate::keymap::Command::Delete)
                    ),
                    theme.warn,
                ));
            }
            lines
        }
        Some(Since::Stale { why, .. }) => vec![Line::styled(
            format!("   inactive-since tag stale: {why}"),
            theme.warn,
        )],
        Some(Since::Unreadable(why)) => vec![Line::styled(
            format!("   inactive-since tag unreadable: {why}"),
            theme.warn,
        )],
    }
}

/// The user details area: ARN, created, password last used, MFA, groups.
/// `rows`: the height of the terminal the frame is drawn on (the details
/// only fit on 20 rows or more).
fn details_lines(row: &UserRow, theme: &Theme, rows: u16) -> Vec<Line<'static>> {
    let password = match (row.password, row.user.password_last_used) {
        (Some(false), _) => "no console password".to_owned(),
        (_, Some(t)) => format!("password last used {}", format::date(t)),
        (Some(true), None) => "password never used".to_owned(),
        (None, None) => match &row.password_error {
            Some(err) => format!("password unknown ({} {})", err.action, format::failed(err)),
            None => "password …".to_owned(),
        },
    };
    let mfa = match (row.mfa, &row.mfa_error) {
        (Some(true), _) => "MFA on",
        (Some(false), _) => "no MFA",
        (None, Some(err)) if format::failed(err) == "denied" => "MFA denied",
        (None, Some(_)) => "MFA failed",
        (None, None) => "MFA …",
    };
    let groups = match &row.extras {
        ExtrasState::Loaded(extras) => match &extras.groups {
            Ok(groups) if groups.is_empty() => "groups: none".to_owned(),
            Ok(groups) => format!("groups: {}", groups.join(", ")),
            Err(err) => format!("groups: {}", err.kind_label()),
        },
        _ => "groups: …".to_owned(),
    };
    let mut lines: Vec<Line<'static>> = vec![
        Line::styled(format!(" {}", row.user.arn), theme.dim),
        Line::styled(
            format!(" created {} · {mfa}", format::date(row.user.created)),
            theme.dim,
        ),
        Line::styled(format!(" {password}"), theme.dim),
        Line::styled(format!(" {groups}"), theme.dim),
    ];
    // A waiver tag that does not read is said, never silently ignored.
    for bad in row.waivers().1 {
        lines.push(Line::styled(
            format!(
                " malformed waiver tag {}: {} (not honoured)",
                crate::text::clean(&bad.tag),
                bad.why
            ),
            theme.warn,
        ));
    }
    for bad in row.rotation_tags().into_iter().filter_map(Result::err) {
        lines.push(Line::styled(
            format!(
                " unreadable rotation tag {}{}: {} (not honoured)",
                crate::effect::ROTATION,
                crate::text::clean(&bad.old),
                crate::text::clean(&bad.why)
            ),
            theme.warn,
        ));
    }
    lines.push(Line::raw(""));
    lines.into_iter().filter(|_| rows >= 20).collect()
}
