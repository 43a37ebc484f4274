//! The two header lines: who and where, and the credential report's age.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::format;
use crate::state::{IdentityStatus, ReportStatus, State};

/// The session's badges: DEMO, READ-ONLY, INSECURE ENDPOINT.
pub(super) fn badges(state: &State, theme: &Theme, first: &mut Vec<Span<'static>>) {
    if state.session.demo {
        first.push(Span::raw("  "));
        first.push(Span::styled(" DEMO ", theme.badge));
    }
    if state.session.read_only {
        first.push(Span::raw("  "));
        first.push(Span::styled(" READ-ONLY ", theme.badge));
    }
    if let Some(url) = &state.session.insecure_endpoint {
        first.push(Span::raw("  "));
        first.push(Span::styled(
            format!(" INSECURE ENDPOINT {url} "),
            theme.error,
        ));
    }
}

/// `profile NAME`, or `credentials: environment` when the environment's
/// keys sign (see [`crate::profiles::ENVIRONMENT`]).
pub(super) fn profile(state: &State, theme: &Theme) -> [Span<'static>; 2] {
    if state.session.profile == crate::profiles::ENVIRONMENT {
        [
            Span::raw(" "),
            Span::styled(crate::profiles::ENVIRONMENT, theme.title),
        ]
    } else {
        [
            Span::raw(" profile "),
            Span::styled(state.session.profile.clone(), theme.title),
        ]
    }
}

pub fn render(state: &State, theme: &Theme, frame: &mut Frame, area: Rect) {
    let mut first = vec![Span::styled(" iamkeys ", theme.accent)];
    first.extend(profile(state, theme));
    badges(state, theme, &mut first);
    if !state.view.marks.is_empty() {
        first.push(Span::raw("  "));
        first.push(Span::styled(
            format!(" {} marked ", state.view.marks.len()),
            theme.badge,
        ));
    }
    let due = state.due_now();
    if due > 0 {
        first.push(Span::raw("  "));
        first.push(Span::styled(format!(" {due} due "), theme.warn));
    }
    match &state.account.identity {
        IdentityStatus::Loading => first.push(Span::styled("  account …", theme.dim)),
        IdentityStatus::Known(identity) => {
            first.push(Span::raw("  account "));
            first.push(Span::styled(identity.account_id.clone(), theme.title));
            if let Some(member) = state.open_member() {
                first.push(Span::styled(
                    format!(" ({})", crate::text::clean(&member.info.name)),
                    theme.title,
                ));
            } else if let Some(alias) = &identity.alias {
                first.push(Span::styled(format!(" ({alias})"), theme.title));
            }
            first.push(Span::raw("  "));
            first.push(Span::styled(identity.arn.clone(), theme.dim));
        }
        IdentityStatus::Failed(_) => {
            first.push(Span::styled(
                "  identity unknown (sts:GetCallerIdentity failed)",
                theme.error,
            ));
        }
    }
    let report = match &state.account.report {
        ReportStatus::Loading => Span::styled(" credential report: generating…", theme.dim),
        ReportStatus::Loaded(report) => Span::raw(format!(
            " credential report: generated {} ({})",
            format::date_time(report.generated_at),
            format::ago(state.now, report.generated_at)
        )),
        ReportStatus::Denied(_) => Span::styled(
            " credential report: denied — using per-user calls",
            theme.warn,
        ),
        ReportStatus::Failed(err) => Span::styled(
            format!(" credential report: failed ({})", err.kind_label()),
            theme.error,
        ),
    };
    let mut second = vec![report];
    if state.account.report_may_be_stale() {
        second.push(Span::styled(
            " — keys changed since: it may be stale",
            theme.warn,
        ));
    }
    let lines = state.account.audit_gap_lines();
    if !lines.is_empty() {
        // Kept in the header, not only in a passing status line: the audit
        // on screen is incomplete until this goes away.
        let more = if lines.len() > 1 {
            format!(" (+{} more)", lines.len() - 1)
        } else {
            String::new()
        };
        second.push(Span::styled(
            format!("  INCOMPLETE AUDIT: {}{more}", lines[0]),
            theme.error,
        ));
    }
    let width = usize::from(area.width);
    frame.render_widget(
        Paragraph::new(vec![
            format::fit(Line::from(first), width),
            format::fit(Line::from(second), width),
            format::fit(super::findings::summary(state, theme, width), width),
        ]),
        area,
    );
}
