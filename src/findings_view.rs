//! What the findings dialog says, line by line, and how much of it a
//! screen shows. Neutral (below `ui` and `update`): `update` scrolls it by
//! the same rows that `ui` draws; `ui` gives the colours ([`Tones`]).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::audit::{Finding, FindingId, Severity};
use crate::state::State;

/// The dialog's width at most (a narrower screen narrows it).
pub const WIDTH: u16 = 100;

/// The styles the dialog's text is drawn in; [`Plain`] where only the
/// count of rows matters.
pub trait Tones {
    fn severity(&self, severity: Severity) -> Style;
    fn title(&self) -> Style;
    fn dim(&self) -> Style;
    fn warn(&self) -> Style;
}

/// No styles: the rows are the same, only uncoloured.
#[derive(Debug, Clone, Copy)]
pub struct Plain;

impl Tones for Plain {
    fn severity(&self, _: Severity) -> Style {
        Style::default()
    }
    fn title(&self) -> Style {
        Style::default()
    }
    fn dim(&self) -> Style {
        Style::default()
    }
    fn warn(&self) -> Style {
        Style::default()
    }
}

/// The dialog wrapped for a screen: `body` scrolls, `closing` (the keys
/// that act from it) always shows below it, `visible` rows of the body fit.
#[derive(Debug)]
pub struct Fitted {
    pub title: String,
    pub body: Vec<Line<'static>>,
    pub closing: Vec<Line<'static>>,
    pub visible: usize,
    pub width: u16,
}

impl Fitted {
    /// The furthest the body scrolls: its last row at the bottom.
    #[must_use]
    pub fn max_scroll(&self) -> usize {
        self.body.len().saturating_sub(self.visible)
    }

    /// Rows the box takes: the body shown, the closing lines, two borders.
    #[must_use]
    pub fn height(&self) -> usize {
        self.visible + self.closing.len() + 2
    }
}

/// The dialog for `user` (and `key_id`) on a screen of `width`×`height`
/// (the rows above the status bar), or `None` when the user is gone.
#[must_use]
pub fn fitted(
    state: &State,
    tones: &dyn Tones,
    user: &str,
    key_id: Option<&str>,
    (width, height): (u16, u16),
) -> Option<Fitted> {
    let (title, body) = lines(state, tones, user, key_id)?;
    let width = WIDTH.min(width);
    // One blank column before the right border: text never touches it.
    let inner = usize::from(width.saturating_sub(3)).max(1);
    let wrap = |lines: Vec<Line<'static>>| -> Vec<Line<'static>> {
        lines
            .into_iter()
            .flat_map(|line| crate::lines::wrap_with(line, inner, 0))
            .collect()
    };
    let body = wrap(body);
    let closing = wrap(vec![Line::styled(
        closing(state, user, key_id),
        tones.dim(),
    )]);
    let room = usize::from(height).saturating_sub(closing.len() + 2).max(1);
    Some(Fitted {
        title,
        visible: body.len().min(room),
        body,
        closing,
        width,
    })
}

/// The rows the findings scroll by a page, and the furthest they scroll,
/// on the screen the state last saw (its status bar row left out).
#[must_use]
pub fn page_and_last(state: &State, user: &str, key_id: Option<&str>) -> (usize, usize) {
    let (width, height) = state.view.screen;
    fitted(
        state,
        &Plain,
        user,
        key_id,
        (width, height.saturating_sub(1)),
    )
    .map_or((1, 0), |f| {
        (f.visible.saturating_sub(1).max(1), f.max_scroll())
    })
}

/// The dialog's title and its findings, unwrapped.
fn lines(
    state: &State,
    tones: &dyn Tones,
    user: &str,
    key_id: Option<&str>,
) -> Option<(String, Vec<Line<'static>>)> {
    let findings = if user == crate::account::ROOT_ROW_NAME {
        state.account.root_findings()
    } else {
        &state.account.users().get(user)?.findings
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
                tones.severity(id.severity()).patch(tones.title()),
            ),
            Span::raw(format!("  ({})", id.severity().as_str())),
        ]));
        lines.push(risk_line(state, tones, finding));
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
                tones.dim()
            } else {
                tones.warn()
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
            tones.dim(),
        ));
        lines.push(Line::raw(""));
    }
    Some((format!(" Findings: {subject} "), lines))
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
fn risk_line(state: &State, tones: &dyn Tones, finding: &Finding) -> Line<'static> {
    use crate::risk::Level;
    let severity = finding.id.severity();
    let Some(risk) = state.account.risk_of(finding) else {
        return Line::styled(
            format!(
                "   Risk: not known yet ({}: the user's policies are still being read)",
                severity.as_str()
            ),
            tones.dim(),
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
        Span::styled(risk.as_str(), tones.severity(risk).patch(tones.title())),
        Span::raw(format!(
            " — a {} finding {moved} by what the user can do: {can}",
            severity.as_str()
        )),
    ])
}

/// Every control a finding answers to, in a line: `CIS v1.4-v4.0 1.11 ·
/// v5.0 1.10 · v6.0 2.10 · not in v7.0 · Security Hub IAM.22, IAM.8`.
fn controls_text(id: FindingId) -> String {
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
