//! Findings on screen: badges, the summary line and the details dialog.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Theme;
use crate::audit::{Finding, FindingId, Severity};
use crate::state::State;

pub fn severity_style(theme: &Theme, severity: Severity) -> Style {
    match severity {
        Severity::Critical | Severity::High => theme.error,
        Severity::Medium => theme.warn,
        Severity::Low | Severity::Info => theme.dim,
    }
}

/// One badge per finding id, most severe first (waived findings left out).
pub fn badges(theme: &Theme, findings: &[Finding]) -> Vec<Span<'static>> {
    let mut ids: Vec<FindingId> = findings.iter().filter(|f| f.open()).map(|f| f.id).collect();
    ids.sort_by_key(|id| std::cmp::Reverse(id.severity()));
    ids.dedup();
    let mut spans = Vec::new();
    for id in ids {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            id.badge(),
            severity_style(theme, id.severity()),
        ));
    }
    spans
}

/// "Findings: 1 root · 6 setup · 3 unused · +2 more" (by badge, most
/// severe first; ids with none are left out; those that do not fit in
/// `width` are counted at the end, the least severe first to go).
pub fn summary(state: &State, theme: &Theme, width: usize) -> Line<'static> {
    // An account that was not read has no count of findings: never "0".
    if matches!(state.account.list, crate::account::ListStatus::Failed(_))
        && state.account.users().total() == 0
    {
        return Line::from(vec![
            Span::raw(" Findings: "),
            Span::styled("— (the account could not be read)", theme.warn),
        ]);
    }
    // Most severe first: where the line is cut on a narrow terminal, what
    // is lost is the least severe.
    let mut counts = state.account.finding_counts();
    counts.sort_by_key(|(id, _)| std::cmp::Reverse(id.severity()));
    let head = format!(" Findings: {}", state.account.open_findings());
    let waived = state.account.finding_totals().waived();
    let tail = if waived > 0 {
        format!(" · {waived} waived")
    } else {
        String::new()
    };
    let entries: Vec<(String, ratatui::style::Style)> = counts
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(id, count)| {
            (
                format!("{count} {}", id.badge()),
                severity_style(theme, id.severity()),
            )
        })
        .collect();
    // The badge names the table uses; as many as fit, with room for
    // " · +N more" when any does not.
    let room = width.saturating_sub(head.chars().count() + tail.chars().count());
    let full: usize = entries.iter().map(|(t, _)| t.chars().count() + 3).sum();
    let shown = if full <= room {
        entries.len()
    } else {
        let mut used = " · +99 more".len();
        entries
            .iter()
            .take_while(|(t, _)| {
                used += t.chars().count() + 3;
                used <= room
            })
            .count()
    };
    let mut spans = vec![Span::raw(head)];
    for (text, style) in &entries[..shown] {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(text.clone(), *style));
    }
    if shown < entries.len() {
        spans.push(Span::raw(format!(" · +{} more", entries.len() - shown)));
    }
    if waived > 0 {
        spans.push(Span::styled(tail, theme.dim));
    }
    if state.view.table.findings_only {
        spans.push(Span::styled(
            "   (showing only users with findings: F)",
            theme.dim,
        ));
    }
    Line::from(spans)
}

/// The findings dialog's last line: the keys that act from it.
fn closing(state: &State, user: &str, key_id: Option<&str>) -> String {
    use crate::keymap::{Command, DialogCommand};
    let map = &state.view.keymap;
    let close = map.dialog_label(DialogCommand::Cancel);
    if user == crate::account::ROOT_ROW_NAME {
        format!(
            " {close} close · iamkeys cannot act on the root user's keys or tags: sign in as root"
        )
    } else if key_id.is_some() {
        format!(
            " {} make this key inactive · {} delete it · {} waive a finding · {close} close",
            map.label(Command::Deactivate),
            map.label(Command::Delete),
            map.dialog_label(DialogCommand::Waive),
        )
    } else {
        format!(
            " {} waive a finding · {close} close (choose a key in the key pane to act on it)",
            map.dialog_label(DialogCommand::Waive),
        )
    }
}

/// `Risk: critical — a high finding raised by what the user can do: admin
/// via AdministratorAccess · SCPs not evaluated`.
fn risk_line(state: &State, theme: &Theme, finding: &Finding) -> Line<'static> {
    use crate::risk::Level;
    let severity = finding.id.severity();
    let Some(risk) = state.account.risk_of(finding) else {
        return Line::styled(
            format!(
                "   Risk: not known yet ({}: the user's policies are still being read)",
                severity.as_str()
            ),
            theme.dim,
        );
    };
    let can = if finding.user_name == crate::model::ROOT_ROW {
        "the root user can do everything".to_owned()
    } else {
        state
            .account
            .privileges(&finding.user_name)
            .map_or_else(String::new, |p| p.describe())
    };
    let moved = match state.account.level(&finding.user_name) {
        _ if risk == severity => "kept",
        Some(Level::None) => "lowered",
        _ => "raised",
    };
    Line::from(vec![
        Span::raw("   Risk: "),
        Span::styled(
            risk.as_str(),
            severity_style(theme, risk).patch(theme.title),
        ),
        Span::raw(format!(
            " — a {} finding {moved} by what the user can do: {can}",
            severity.as_str()
        )),
    ])
}

pub fn details(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    user: &str,
    key_id: Option<&str>,
) {
    let findings = if user == crate::account::ROOT_ROW_NAME {
        state.account.root_findings()
    } else {
        match state.account.users().get(user) {
            Some(row) => &row.findings,
            None => return,
        }
    };
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.access_key_id.is_none() || f.access_key_id.as_deref() == key_id)
        .collect();
    let subject = key_id.map_or_else(|| user.to_owned(), |k| format!("{k} of {user}"));
    let mut lines = Vec::new();
    if shown.is_empty() {
        lines.push(Line::raw(format!(" No findings for {subject}.")));
    }
    for finding in shown {
        let id = finding.id;
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {id}"),
                severity_style(theme, id.severity()).patch(theme.title),
            ),
            Span::raw(format!("  ({})", id.severity().as_str())),
        ]));
        lines.push(risk_line(state, theme, finding));
        lines.push(Line::raw(format!("   Controls: {}", controls_text(id))));
        lines.push(Line::raw(format!("   {}", id.control())));
        let mut why = format!("   Why: {}", finding.message);
        if let Some(with_user) = finding.created_with_user {
            why.push_str(if with_user {
                " (created with the user: the case the control targets)"
            } else {
                " (created later than the user)"
            });
        }
        lines.push(Line::raw(why));
        if let Some(waiver) = &finding.waiver {
            let style = if waiver.honoured() {
                theme.dim
            } else {
                theme.warn
            };
            lines.push(Line::styled(format!("   {}", waiver.describe()), style));
        }
        lines.push(Line::styled(
            format!(
                "   Remedy: {}",
                id.remedy_with(|name| {
                    crate::keymap::Command::from_name(name)
                        .map_or_else(|| name.to_owned(), |c| state.view.keymap.label(c))
                })
            ),
            theme.dim,
        ));
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(closing(state, user, key_id), theme.dim));
    super::popup::show(
        frame,
        area,
        100,
        format!(" Findings: {subject} "),
        theme.accent,
        lines,
    );
}

/// Every control a finding answers to, in a line: `CIS v1.4-v4.0 1.11 ·
/// v5.0 1.10 · v6.0 2.10 · not in v7.0 · Security Hub IAM.22, IAM.8`.
fn controls_text(id: crate::audit::FindingId) -> String {
    use crate::audit::controls::Framework;
    let controls = id.controls().list();
    let cis: Vec<String> = controls
        .iter()
        .filter(|c| c.framework != Framework::SecurityHub)
        .map(crate::audit::controls::Control::label)
        .collect();
    let hub: Vec<&str> = controls
        .iter()
        .filter(|c| c.framework == Framework::SecurityHub)
        .filter_map(|c| c.id)
        .collect();
    let mut parts = Vec::new();
    if !cis.is_empty() {
        parts.push(format!("CIS {}", cis.join(" · ")));
    }
    if !hub.is_empty() {
        parts.push(format!("Security Hub {}", hub.join(", ")));
    }
    if parts.is_empty() {
        "none (not a CIS or Security Hub control)".to_owned()
    } else {
        parts.join(" · ")
    }
}
