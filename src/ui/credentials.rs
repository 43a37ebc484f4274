//! The key pane's last part: the user's other long-term credentials
//! (Bedrock API keys, `CodeCommit` and Keyspaces credentials, SSH public
//! keys, signing certificates), each on a line with its status, age,
//! expiry and findings; a listing still under way or refused says so.

use ratatui::text::{Line, Span};

use super::Theme;
use super::format;
use crate::account::users::UserRow;
use crate::model::credential::CredentialStatus;
use crate::state::State;

/// [`lines`], each wrapped at `width`, with where the selected
/// credential's lines start and how many there are (`selected`: its index
/// among the user's credentials; highlighted when `focused`).
pub fn wrapped(
    state: &State,
    row: &UserRow,
    theme: &Theme,
    width: usize,
    selected: Option<usize>,
    focused: bool,
) -> (Vec<Line<'static>>, Option<(usize, usize)>) {
    let mut out = Vec::new();
    let mut chosen = None;
    for (index, line) in lines(state, row, theme, selected.filter(|_| focused)) {
        let wrapped = format::wrap(line, width);
        if index.is_some() && index == selected {
            chosen = Some((out.len(), wrapped.len()));
            if focused {
                out.extend(wrapped.into_iter().map(|l| l.patch_style(theme.selected)));
                continue;
            }
        }
        out.extend(wrapped);
    }
    (out, chosen)
}

/// Each line, with the index of the credential it shows (`None` for the
/// section's own lines); the credential at `cursor` starts with `›`.
pub fn lines(
    state: &State,
    row: &UserRow,
    theme: &Theme,
    cursor: Option<usize>,
) -> Vec<(Option<usize>, Line<'static>)> {
    let credentials = &row.credentials;
    let known = credentials.known();
    let errors = credentials.errors();
    let waiting = credentials.service.is_none()
        || credentials.ssh.is_none()
        || (credentials.certificates.is_none() && row.report.is_none());
    if known.is_empty() && errors.is_empty() && !waiting {
        return Vec::new();
    }
    let mut lines = vec![
        (None, Line::raw("")),
        (
            None,
            Line::styled(" Other long-term credentials", theme.title),
        ),
    ];
    for (index, credential) in known.into_iter().enumerate() {
        let status_style = match credential.status {
            CredentialStatus::Active => theme.active,
            CredentialStatus::Inactive | CredentialStatus::Expired => theme.inactive,
            CredentialStatus::Other(_) => theme.warn,
        };
        let mut spans = vec![
            Span::styled(
                if cursor == Some(index) {
                    " › "
                } else {
                    "   "
                },
                theme.accent,
            ),
            Span::raw(format!("{} {}  ", credential.kind.label(), credential.id)),
            Span::styled(
                crate::text::clean(credential.status.as_str()).into_owned(),
                status_style,
            ),
            Span::raw(format!(
                "  created {}",
                format::created(state.now, credential.created)
            )),
        ];
        if matches!(
            credential.kind,
            crate::model::credential::CredentialKind::Service { .. }
        ) {
            spans.push(Span::raw(match credential.expires {
                Some(at) => format!(" · expires {}", format::date(at)),
                None => " · never expires".to_owned(),
            }));
        }
        let found: Vec<_> = row.key_findings(&credential.id).cloned().collect();
        let badges = super::findings::badges(theme, &found);
        if !badges.is_empty() {
            spans.push(Span::raw("  ⚑ "));
            spans.extend(badges);
        }
        lines.push((Some(index), Line::from(spans)));
    }
    if let Some(certificates) = row.report_certificates() {
        for c in certificates {
            lines.push((
                None,
                Line::raw(format!(
                    "   signing certificate (credential report, no ID)  {}  last rotated {}",
                    if c.active { "Active" } else { "Inactive" },
                    format::date(c.last_rotated)
                )),
            ));
        }
    }
    for (err, what) in errors {
        let text = format!(
            "   {what}: {} {}",
            err.action,
            crate::account::gaps::cause(err)
        );
        lines.push((None, Line::styled(text, theme.error)));
    }
    if waiting {
        lines.push((None, Line::styled("   listing…", theme.dim)));
    }
    lines
}
