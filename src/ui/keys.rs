//! The key pane: the selected user's access keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Theme;
use super::format;
use crate::account::users::{ExtrasState, Since};
use crate::layout::{Details, KeyForm, KeyPane};
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
                    format!("   last used unknown: {} {}", err.action, err.in_a_word()),
                    theme.error,
                ),
                (None, ReportStatus::Loading) => Line::styled("   last used …", theme.dim),
                (None, _) => Line::styled("   last used unknown", theme.dim),
            },
        ],
    }
}

/// A key's first spans: the cursor (`›`, also seen without colour), the
/// mark (`●`), the ID and the status.
fn head(
    state: &State,
    row: &UserRow,
    key: &AccessKey,
    theme: &Theme,
    cursor: bool,
) -> Vec<Span<'static>> {
    let status_style = match key.status {
        KeyStatus::Active => theme.active,
        KeyStatus::Inactive => theme.inactive,
        KeyStatus::Unknown => theme.warn,
    };
    let marked = state
        .view
        .marks
        .contains(&(row.user.name.clone(), key.id.clone()));
    vec![
        Span::styled(if cursor { "›" } else { " " }, theme.accent),
        Span::styled(if marked { "●" } else { " " }, theme.warn),
        Span::styled(key.id.clone(), theme.title),
        Span::raw("  "),
        Span::styled(key.status.as_str(), status_style),
    ]
}

fn key_lines(
    state: &State,
    row: &UserRow,
    key: &AccessKey,
    theme: &Theme,
    cursor: bool,
) -> Vec<Line<'static>> {
    let mut first = head(state, row, key, theme, cursor);
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
            .filter(|by| crate::usage::made_by_other(by, &row.user.arn))
    {
        // The whole ARN: a same-named user of another account is not this
        // account's (issue 34 item 5).
        lines.push(Line::styled("   made by".to_owned(), theme.warn));
        lines.push(Line::styled(
            format!("     {}", crate::text::clean(by)),
            theme.warn,
        ));
    }
    lines.extend(rotation_lines(state, row, key, theme));
    if key.status == KeyStatus::Inactive {
        lines.extend(inactive_since_lines(state, row, key, theme));
    }
    lines.extend(last_used_lines(state, row, key, theme));
    // IAM Access Analyzer's verdict beside it, when an analyzer covers
    // the account.
    if key.status == KeyStatus::Active
        && let Some(aws) = state.account.aws_verdict(&row.user.name, Some(&key.id))
    {
        lines.push(Line::styled(format!("   AWS: {aws}"), theme.dim));
    }
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
    if let Some(due) = state.key_due(row, &key.id) {
        use crate::enforce::due::KeyDue;
        let style = match &due {
            KeyDue::Due { now: true, .. } => theme.error,
            KeyDue::Due { .. } => theme.warn,
            KeyDue::Uncovered { .. } => theme.dim,
        };
        lines.push(Line::styled(format!("   {}", due.describe()), style));
    }
    lines
}

/// One line for a key when the pane has no room for all of it:
/// `›●AKIA…  Active  19 days  used 2 days ago  ⚑ setup rotate`.
fn key_line(
    state: &State,
    row: &UserRow,
    key: &AccessKey,
    theme: &Theme,
    cursor: bool,
) -> Line<'static> {
    let age = key
        .created
        .map_or_else(|| "age ?".to_owned(), |t| format::age(state.now, t));
    let used = match row.key_last_used(key) {
        Some(used) => used.date.map_or_else(
            || "never used".to_owned(),
            |date| format!("used {}", format::ago(state.now, date)),
        ),
        None => "use unknown".to_owned(),
    };
    let mut spans = head(state, row, key, theme, cursor);
    spans.push(Span::raw(format!("  {age}  {used}")));
    let found: Vec<_> = row.key_findings(&key.id).cloned().collect();
    let badges = super::findings::badges(theme, &found);
    if !badges.is_empty() {
        spans.push(Span::raw("  ⚑ "));
        spans.extend(badges);
    }
    Line::from(spans)
}

/// What the pane says in place of keys: listing, failed, none.
fn keys_message(state: &State, row: &UserRow, theme: &Theme) -> Option<Line<'static>> {
    match &row.keys {
        KeysState::NotRequested | KeysState::Queued | KeysState::Priority => {
            Some(Line::styled(" Listing access keys…", theme.dim))
        }
        KeysState::Failed(err) => Some(Line::styled(
            format!(" {}", err.operator_message(&state.session.profile)),
            theme.error,
        )),
        KeysState::Loaded(keys) if keys.is_empty() => Some(Line::raw(" No access keys.")),
        KeysState::Loaded(_) => None,
    }
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let border = if state.view.focus == Focus::Keys {
        theme.accent
    } else {
        theme.dim
    };
    if state.view.table.root_selected() {
        root(state, theme, frame, area, border);
        return;
    }
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
    let message = keys_message(state, row, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    // Text wraps one column short of the border, as it starts one column
    // in: a row that reaches the border is one cut (and marked `…`).
    let wrap_at = width.saturating_sub(1).max(1);
    let aws = password_aws(state, row, theme);
    let details: Vec<Line<'static>> = details_lines(row, theme, can_line(state, row, theme), aws)
        .into_iter()
        .flat_map(|line| format::wrap(line, wrap_at))
        .collect();
    let keys = match message {
        Some(message) => {
            let lines = message_pane(state, row, theme, details, message, wrap_at, height);
            let text: Vec<Line> = lines.into_iter().map(|l| format::fit(l, width)).collect();
            frame.render_widget(Paragraph::new(text), inner);
            return;
        }
        None => row.listed_keys().unwrap_or_default(),
    };
    // The cursor may be past the keys, on another credential.
    let on_credential = state.view.key_cursor.checked_sub(keys.len());
    let selected = state.view.key_cursor.min(keys.len().saturating_sub(1));
    let focused = state.view.focus == Focus::Keys;
    // The cursor's `›` is on a key only while the cursor is among the keys.
    let on_key = focused && on_credential.is_none();
    let full: Vec<Vec<Line<'static>>> = keys
        .iter()
        .enumerate()
        .map(|(i, key)| {
            key_lines(state, row, key, theme, on_key && i == selected)
                .into_iter()
                .flat_map(|line| format::wrap(line, wrap_at))
                .collect()
        })
        .collect();
    let plan = KeyPane::plan(
        height,
        details.len(),
        &full.iter().map(Vec::len).collect::<Vec<_>>(),
        selected,
        focused,
    );
    let mut lines: Vec<Line<'static>> = match plan.details {
        Details::Full => details,
        Details::Line => vec![details_line(row, theme)],
        Details::Hidden => Vec::new(),
    };
    let mut chosen = (0, 0);
    for (i, ((key, form), key_lines)) in keys.iter().zip(&plan.forms).zip(full).enumerate() {
        let mut item = match form {
            KeyForm::Full => key_lines,
            KeyForm::Compact => vec![key_line(state, row, key, theme, on_key && i == selected)],
        };
        if i == selected && on_credential.is_none() {
            chosen = (lines.len(), item.len());
            if on_key {
                item = item
                    .into_iter()
                    .map(|l| l.patch_style(theme.selected))
                    .collect();
            }
        }
        lines.extend(item);
    }
    let (credentials, credential_chosen) =
        super::credentials::wrapped(state, row, theme, wrap_at, on_credential, focused);
    if let Some((start, len)) = credential_chosen {
        chosen = (lines.len() + start, len);
    }
    lines.extend(credentials);
    let lines = window(lines, chosen, height);
    let text: Vec<Line> = lines.into_iter().map(|l| format::fit(l, width)).collect();
    frame.render_widget(Paragraph::new(text), inner);
}

/// The pane when there are no keys to list (listing, failed, none): the
/// details, what it says instead, then the other credentials.
fn message_pane(
    state: &State,
    row: &UserRow,
    theme: &Theme,
    details: Vec<Line<'static>>,
    message: Line<'static>,
    wrap_at: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let mut lines = if details.len() < height {
        details
    } else {
        vec![details_line(row, theme)]
    };
    lines.extend(format::wrap(message, wrap_at));
    let focused = state.view.focus == Focus::Keys;
    let (credentials, _) = super::credentials::wrapped(
        state,
        row,
        theme,
        wrap_at,
        Some(state.view.key_cursor),
        focused,
    );
    lines.extend(credentials);
    lines
}

/// The rows that fit in `height`, keeping the selected key's first line on
/// screen; a key cut short ends in a line that says how much is hidden.
fn window(
    lines: Vec<Line<'static>>,
    (start, len): (usize, usize),
    height: usize,
) -> Vec<Line<'static>> {
    if lines.len() <= height || height == 0 {
        return lines;
    }
    let from = if start + len <= height { 0 } else { start };
    let total = lines.len();
    let mut shown: Vec<Line<'static>> = lines.into_iter().skip(from).take(height).collect();
    let hidden = total - from - shown.len();
    let selected_cut = start + len > from + height;
    if selected_cut && let Some(last) = shown.last_mut() {
        // The last row says what the pane could not show.
        let more = start + len - (from + height) + 1;
        *last = Line::raw(format!(
            "   … {more} more line{} (a taller terminal shows them)",
            if more == 1 { "" } else { "s" }
        ));
    } else if hidden > 0
        && let Some(last) = shown.last_mut()
    {
        *last = Line::raw(format!("   … {} more below", hidden + 1));
    }
    shown
}

/// The pane for the root user's row: what is known of its MFA and keys,
/// its findings, and that iamkeys cannot act on them.
fn root(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    border: ratatui::style::Style,
) {
    use crate::account::RootKeys;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(" The root user ", theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(root) = state.account.root_row() else {
        return;
    };
    let mfa = match root.mfa {
        Some(true) => "MFA on",
        Some(false) => "no MFA",
        None => "MFA unknown (no credential report)",
    };
    let keys = match root.keys {
        RootKeys::Counted { active, inactive } => {
            format!("access keys: {active} active, {inactive} inactive")
        }
        RootKeys::Has(true) => "access keys: yes (GetAccountSummary)".to_owned(),
        RootKeys::Has(false) => "access keys: none (GetAccountSummary)".to_owned(),
        RootKeys::Unknown(why) => format!("access keys: unknown ({why})"),
    };
    let mut lines = vec![
        Line::styled(
            " The root user of the account: it signs in with the account's email.",
            theme.dim,
        ),
        Line::raw(format!(" {mfa} · {keys}")),
        Line::raw(""),
    ];
    let open: Vec<_> = root.findings.iter().filter(|f| f.open()).collect();
    if open.is_empty() {
        lines.push(Line::raw(" No findings."));
    }
    for finding in open {
        lines.push(Line::styled(
            format!(
                "   ⚑ {} (CIS {})",
                finding.id,
                finding.id.cis().v1_4_to_v4_0
            ),
            super::findings::severity_style(theme, finding.id.severity()),
        ));
    }
    lines.extend([
        Line::raw(""),
        Line::styled(
            format!(
                " {} explains · {}",
                state.view.keymap.label(crate::keymap::Command::Open),
                match &state.org {
                    Some(org)
                        if state
                            .open_member()
                            .is_some_and(|m| m.info.id != org.own_account) =>
                    {
                        format!(
                            "{} deletes the root keys from the management account (AssumeRoot)",
                            state.view.keymap.label(crate::keymap::Command::Delete)
                        )
                    }
                    _ => "root keys are deleted by the root user (Security credentials), or from the management account with --org".to_owned(),
                }
            ),
            theme.dim,
        ),
    ]);
    let width = usize::from(inner.width);
    let text: Vec<Line> = lines
        .into_iter()
        .flat_map(|line| format::wrap(line, width))
        .collect();
    frame.render_widget(Paragraph::new(text), inner);
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
            Kept::Ledger => {}
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
            Line::styled(
                format!("   stale rotation in the ledger: {why}"),
                theme.error,
            ),
            Line::styled(
                format!(
                    "   → {}: {} records its end",
                    rotation.new,
                    state.view.keymap.label(crate::keymap::Command::Rotate)
                ),
                theme.dim,
            ),
        ];
    }
    if let Some(rotation) = account.rotation_to(user, &key.id) {
        // One fact a line: the pane is narrow.
        return match account.new_key_used(&rotation) {
            Some(_) => vec![Line::styled(
                format!("   replaces {} · in use", rotation.old),
                theme.active,
            )],
            None => vec![
                Line::styled(format!("   replaces {}", rotation.old), theme.warn),
                Line::styled("   not used yet", theme.warn),
            ],
        };
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
    let claim = row.inactive_claim(&key.id).map(|value| {
        Line::styled(
            format!(
                "   claim: tag inactive-since {} — not honoured (a tag anyone with TagUser can write)",
                crate::text::clean(value)
            ),
            theme.dim,
        )
    });
    let mut lines = match row.inactive_since(&key.id, state.now, state.account.ledger()) {
        None => Vec::new(),
        Some(Since::Honoured { at, by }) => {
            let days = (state.now - at).num_days().max(0);
            // The writer's name (the full ARN is in `iamkeys ledger show`).
            let by = by.rsplit(['/', ':']).next().unwrap_or(&by).to_owned();
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
            format!("   ledger's inactive date not believed: {why}"),
            theme.warn,
        )],
    };
    lines.extend(claim);
    lines
}

/// The user's details on one line, for a pane without room for more.
fn details_line(row: &UserRow, theme: &Theme) -> Line<'static> {
    Line::styled(
        format!(
            " created {} · {} · {}",
            format::date(row.user.created),
            mfa(row),
            password(row)
        ),
        theme.dim,
    )
}

fn password(row: &UserRow) -> String {
    match (row.password, row.user.password_last_used) {
        (Some(false), _) => "no console password".to_owned(),
        (_, Some(t)) => format!("password last used {}", format::date(t)),
        (Some(true), None) => "password never used".to_owned(),
        (None, None) => match &row.password_error {
            Some(err) => format!("password unknown ({} {})", err.action, err.in_a_word()),
            None => "password …".to_owned(),
        },
    }
}

fn mfa(row: &UserRow) -> &'static str {
    match (row.mfa, &row.mfa_error) {
        (Some(true), _) => "MFA on",
        (Some(false), _) => "no MFA",
        (None, Some(err)) if err.in_a_word() == "denied" => "MFA denied",
        (None, Some(_)) => "MFA failed",
        (None, None) => "MFA …",
    }
}

/// The user details area: ARN, created, password last used, MFA, groups.
/// `can: admin via group Admins → AdministratorAccess · SCPs not
/// evaluated`: what the user's policies let it do.
fn can_line(state: &State, row: &UserRow, theme: &Theme) -> Line<'static> {
    use crate::risk::Level;
    let Some(p) = state.account.privileges(&row.user.name) else {
        return Line::styled(" can: …", theme.dim);
    };
    let text = format!(" can: {}", p.describe());
    let style = match p.level {
        Level::Admin | Level::Unknown => theme.error,
        Level::IamWrite | Level::Escalation => theme.warn,
        Level::Limited | Level::None => theme.dim,
    };
    Line::styled(text, style)
}

/// AWS's verdict on the console password, or why there is none to give.
fn password_aws(state: &State, row: &UserRow, theme: &Theme) -> Option<Line<'static>> {
    state
        .account
        .aws_verdict(&row.user.name, None)
        .map(|aws| format!(" password, AWS: {aws}"))
        .or_else(|| state.account.aws_unread().map(|why| format!(" {why}")))
        .map(|line| Line::styled(line, theme.dim))
}

fn details_lines(
    row: &UserRow,
    theme: &Theme,
    can: Line<'static>,
    password_aws: Option<Line<'static>>,
) -> Vec<Line<'static>> {
    let password = password(row);
    let mfa = mfa(row);
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
    ];
    lines.extend(password_aws);
    lines.extend([Line::styled(format!(" {groups}"), theme.dim), can]);
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
    lines.push(Line::raw(""));
    lines
}
