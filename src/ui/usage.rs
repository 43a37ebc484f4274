//! The usage view (`u`): who uses a key and who made it, from CloudTrail,
//! with what the numbers cannot say stated on screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Theme;
use super::format;
use crate::account::usage::{KeyUsage, Made, StreamState};
use crate::iam::ErrorKind;
use crate::keymap::{Command, DialogCommand};
use crate::state::State;
use crate::usage::{IpKind, Stream, Usage, ip_kind};

const WIDTH: u16 = 100;
/// Rows of each list (IPs, agents) shown.
const LIST_ROWS: usize = 8;

fn progress_lines(entry: &KeyUsage, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (stream, progress) in &entry.streams {
        let name = match stream {
            Stream::Region(region) => region.clone(),
            Stream::Creation => format!("{} (who made it)", crate::usage::IAM_REGION),
        };
        lines.push(match &progress.state {
            StreamState::Loading => Line::styled(
                format!(
                    " {name}: reading… {}, {} (2 requests a second)",
                    crate::text::count(progress.events, "event"),
                    crate::text::count(progress.pages, "page")
                ),
                theme.dim,
            ),
            StreamState::Done => Line::raw(format!(
                " {name}: {} in {}",
                crate::text::count(progress.events, "event"),
                crate::text::count(progress.pages, "page")
            )),
            StreamState::Capped => Line::styled(
                format!(
                    " {name}: the {} newest events; older ones not read (cloudtrail_max_events)",
                    progress.events
                ),
                theme.warn,
            ),
            StreamState::Failed(err) if err.kind == ErrorKind::AccessDenied => Line::styled(
                format!(
                    " {name}: access denied — add cloudtrail:LookupEvents to this identity's policy to see who uses a key"
                ),
                theme.error,
            ),
            // The cause, so a failure never passes for a quiet key.
            StreamState::Failed(err) => Line::styled(
                format!(
                    " {name}: {} failed: {} ({})",
                    err.action,
                    err.kind_label(),
                    format::fit_str(&err.detail, 80)
                ),
                theme.error,
            ),
        });
    }
    lines
}

fn made_line(state: &State, entry: &KeyUsage, key_id: &str, theme: &Theme) -> Vec<Line<'static>> {
    match &entry.made {
        Made::Loading => vec![Line::styled(" Made by: looking…", theme.dim)],
        Made::NotFound => {
            // "Made earlier" only when it was: CloudTrail's history is 90
            // days, and a younger key's CreateAccessKey should be in it.
            let created = state
                .account
                .users()
                .get(&entry.user)
                .and_then(|row| row.listed_keys()?.iter().find(|k| k.id == key_id)?.created);
            let history = chrono::TimeDelta::days(crate::usage::HISTORY_DAYS);
            let text = match created {
                Some(made) if state.now - made > history => {
                    " Made by: no CreateAccessKey for it in the last 90 days (made earlier)"
                        .to_owned()
                }
                Some(made) => format!(
                    " Made by: unknown: no CreateAccessKey for it among the events read, though it was made {} (within CloudTrail's 90 days)",
                    format::date_time(made)
                ),
                None => {
                    " Made by: unknown: no CreateAccessKey for it in the last 90 days".to_owned()
                }
            };
            vec![Line::styled(text, theme.dim)]
        }
        Made::Failed(err) => vec![Line::styled(
            format!(" Made by: unknown ({} {})", err.action, err.in_a_word()),
            theme.warn,
        )],
        Made::By(made) => {
            let by = made.by.clone().unwrap_or_else(|| "unknown caller".into());
            // Unknown ARN (the user is gone from the list): said as other.
            let arn = state
                .account
                .users()
                .get(&entry.user)
                .map(|r| r.user.arn.clone());
            let other = made.by.as_deref().is_some_and(|b| {
                arn.as_deref()
                    .is_none_or(|arn| crate::usage::made_by_other(b, arn))
            });
            let when = made
                .time
                .map(|t| format!(" on {}", format::date_time(t)))
                .unwrap_or_default();
            let from = made
                .source_ip
                .as_ref()
                .map(|ip| format!(" from {ip}"))
                .unwrap_or_default();
            vec![
                Line::styled(
                    format!(" Made by: {by}"),
                    if other { theme.warn } else { theme.title },
                ),
                Line::styled(
                    format!(
                        "   {}{}{}",
                        when.trim_start(),
                        from,
                        if other { " — not its user" } else { "" }
                    ),
                    if other { theme.warn } else { theme.dim },
                ),
            ]
        }
    }
}

fn ip_label(ip: &str) -> &'static str {
    match ip_kind(ip) {
        IpKind::Public => "",
        IpKind::Private => "private",
        IpKind::AwsService => "AWS service",
        IpKind::Other => "?",
    }
}

fn usage_lines(entry: &KeyUsage, theme: &Theme) -> Vec<Line<'static>> {
    let usage = &entry.usage;
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(|| "-".to_owned(), format::date_time)
    };
    // Regions CloudTrail could not be read in: their use is not known, and
    // none read is never "0 events".
    let regions = entry
        .streams
        .iter()
        .filter(|(s, _)| matches!(s, Stream::Region(_)));
    let (read, failed) = regions.fold((0, 0), |(read, failed), (_, p)| match p.state {
        StreamState::Failed(_) => (read, failed + 1),
        _ => (read + 1, failed),
    });
    if failed > 0 && read == 0 {
        return vec![Line::styled(
            " Use not known: CloudTrail could not be read in any region (above). This is not \"unused\".",
            theme.error,
        )];
    }
    let mut lines = vec![Line::raw(format!(
        " {} · first {} · last {}",
        crate::text::count(usage.events, "event"),
        when(usage.first),
        when(usage.last)
    ))];
    if failed > 0 {
        lines.push(Line::styled(
            format!(
                " … in the regions read: {} could not be read (above), so the key may be used more",
                crate::text::count(failed, "region")
            ),
            theme.warn,
        ));
    }
    if let Some(left_out) = usage.left_out.line() {
        lines.push(Line::styled(format!(" {left_out}"), theme.warn));
    }
    if usage.events == 0 {
        return lines;
    }
    lines.push(Line::styled(
        format!(" {:<40} {:<12} {:>7}  last", "Source IP", "", "events"),
        theme.title,
    ));
    let ips = Usage::ranked(&usage.ips);
    for (ip, seen) in ips.iter().take(LIST_ROWS) {
        lines.push(Line::raw(format!(
            " {:<40} {:<12} {:>7}  {}",
            crate::text::clean(ip),
            ip_label(ip),
            seen.count,
            when(seen.last)
        )));
    }
    if ips.len() > LIST_ROWS {
        lines.push(Line::styled(
            format!(" … and {} more", ips.len() - LIST_ROWS),
            theme.dim,
        ));
    }
    lines.push(Line::styled(
        format!(
            " {:<53} {:>7}  last",
            "User agent (as the caller claims)", "events"
        ),
        theme.title,
    ));
    let agents = Usage::ranked(&usage.agents);
    for (agent, seen) in agents.iter().take(LIST_ROWS) {
        lines.push(Line::raw(format!(
            " {:<53} {:>7}  {}",
            crate::text::clean(agent),
            seen.count,
            when(seen.last)
        )));
    }
    let join = |top: Vec<(String, usize)>| {
        top.into_iter()
            .map(|(k, n)| format!("{} {n}", crate::text::clean(&k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    lines.push(Line::raw(format!(
        " Services: {}",
        join(Usage::top(&usage.sources, 10))
    )));
    lines.push(Line::raw(format!(
        " APIs: {}",
        join(Usage::top(&usage.names, 10))
    )));
    lines
}

/// Rows of write events shown: more when the key is one AWS caught.
const WRITE_ROWS: usize = 8;
const WRITE_ROWS_EXPOSED: usize = 16;

/// The key's write events (`ReadOnly=false`), newest first, identity
/// changes marked `⚠`.
fn write_lines(usage: &Usage, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!(
            " Write events, newest first: {} (⚠ {} change identities or start compute; ? not said read-only)",
            usage.writes_total, usage.identity_total
        ),
        theme.title,
    )];
    if usage.writes.is_empty() {
        lines.push(Line::styled(" none read", theme.dim));
        return lines;
    }
    for write in usage.writes.iter().take(rows) {
        let when = write
            .time
            .map_or_else(|| "time unknown".to_owned(), format::date_time);
        let service = write
            .source
            .strip_suffix(".amazonaws.com")
            .unwrap_or(&write.source);
        let text = format!(
            " {when:<20} {} {:<30} {:<12} {:<14} {}",
            if write.identity {
                "⚠"
            } else if write.unsure {
                "?"
            } else {
                " "
            },
            crate::text::clean(&write.name),
            crate::text::clean(service),
            crate::text::clean(write.region.as_deref().unwrap_or("-")),
            crate::text::clean(write.source_ip.as_deref().unwrap_or("-")),
        );
        lines.push(if write.identity {
            Line::styled(text, theme.error)
        } else {
            Line::raw(text)
        });
    }
    let shown = usage.writes.len().min(rows);
    if usage.writes_total > shown {
        lines.push(Line::styled(
            format!(" … and {} more", usage.writes_total - shown),
            theme.dim,
        ));
    }
    lines
}

pub fn render(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    user: &str,
    key_id: &str,
) {
    let account = state.account.known_identity().map_or_else(
        || "account unknown".to_owned(),
        |i| match &i.alias {
            Some(alias) => format!("account {} ({alias})", i.account_id),
            None => format!("account {}", i.account_id),
        },
    );
    let mut lines = vec![
        Line::styled(
            " Management events only, last 90 days: not data events (S3 objects, Lambda invokes).",
            theme.dim,
        ),
        Line::raw(""),
    ];
    match state.account.key_usage(key_id) {
        None => lines.push(Line::styled(" Asking CloudTrail…", theme.dim)),
        Some(entry) => {
            lines.extend(progress_lines(entry, theme));
            // A key AWS caught: what it did comes first.
            if let Some(policy) = state.account.quarantine_of(user) {
                lines.push(Line::styled(
                    format!(
                        " AWS found a key of {user} exposed ({policy}): which one is in AWS's support case, not in IAM. What this key wrote:"
                    ),
                    theme.error,
                ));
                lines.extend(write_lines(&entry.usage, WRITE_ROWS_EXPOSED, theme));
                lines.push(Line::raw(""));
            }
            lines.extend(made_line(state, entry, key_id, theme));
            lines.push(Line::raw(""));
            lines.extend(usage_lines(entry, theme));
            if state.account.quarantine_of(user).is_none() && entry.usage.events > 0 {
                lines.extend(write_lines(&entry.usage, WRITE_ROWS, theme));
            }
        }
    }
    lines.push(Line::raw(""));
    let map = &state.view.keymap;
    lines.push(Line::styled(
        format!(
            " {} asks again · {} closes",
            map.label(Command::Refresh),
            map.dialog_label(DialogCommand::Cancel)
        ),
        theme.dim,
    ));
    super::popup::show(
        frame,
        area,
        WIDTH,
        format!(" Usage of {key_id} · {user} · {account} "),
        theme.accent,
        lines,
    );
}
