//! `W` in the findings dialog: accept a finding until a date, for a reason —
//! a `waiver.granted` event appended to the ledger after `y` (its writer the
//! caller STS names), or a `waiver.revoked` (an empty reason on a finding
//! that has a ledger waiver). iamkeys writes no tag. Refused in read-only;
//! bound to the account and audit-logged as every change is.

use chrono::{NaiveDate, TimeDelta};
use crossterm::event::KeyEvent;

use super::dialogs::{Typed, typed};
use crate::audit::waivers::Source;
use crate::effect::{Change, Effect};
use crate::keymap::DialogCommand;
use crate::ledger::{Draft, Kind};
use crate::state::{Modal, State, WaiveChoice, WaiveDialog, WaiveField};

/// Days a new waiver runs unless the operator types another date.
const DEFAULT_DAYS: i64 = 30;

/// Open the dialog for the findings the findings dialog shows.
pub(super) fn open(state: &mut State, user: &str, key_id: Option<&str>) -> Vec<Effect> {
    let Some(account) = super::target_or_error(state, "No waiver can be written now") else {
        return Vec::new();
    };
    let Some(row) = state.account.users().get(user) else {
        return Vec::new();
    };
    let choices: Vec<WaiveChoice> = row
        .findings
        .iter()
        .filter(|f| f.access_key_id.is_none() || f.access_key_id.as_deref() == key_id)
        .map(|f| WaiveChoice {
            finding: f.id,
            key_id: f.access_key_id.clone(),
            existing: f.waiver.clone(),
        })
        .collect();
    if choices.is_empty() {
        state.view.notice = Some(format!("{user} has no finding here to waive."));
        return Vec::new();
    }
    let by = if state.open_member().is_some() {
        "you (the caller STS names for your own credentials, not the member's role session)"
            .to_owned()
    } else {
        account.caller_arn.clone()
    };
    let until = (state.now + TimeDelta::days(DEFAULT_DAYS))
        .date_naive()
        .to_string();
    state.view.modal = Some(Modal::Waive(WaiveDialog {
        user: user.to_owned(),
        choices,
        choice: 0,
        until,
        reason: String::new(),
        field: WaiveField::Reason,
        by,
        ledger: state.session.ledger.clone(),
        error: None,
        pending: None,
        account,
    }));
    Vec::new()
}

/// The event to append, or what is wrong.
fn check(state: &State, dialog: &WaiveDialog) -> Result<Draft, String> {
    let choice = dialog
        .choices
        .get(dialog.choice)
        .ok_or("no finding is chosen")?;
    let reason = dialog
        .reason
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let draft = |kind: Kind| Draft {
        account_id: dialog.account.account_id.clone(),
        user: Some(dialog.user.clone()),
        key_id: choice.key_id.clone(),
        kind,
    };
    if reason.is_empty() {
        return match &choice.existing {
            Some(w) if w.source == Source::Ledger => match &w.ledger_id {
                Some(id) => Ok(draft(Kind::WaiverRevoked {
                    waiver: id.clone(),
                    reason: "revoked with W".to_owned(),
                })),
                None => Err("This waiver's ledger event is not known.".to_owned()),
            },
            Some(w) if w.source == Source::File => Err(
                "This waiver is in the reviewed waivers file: remove it there (iamkeys never writes that file).".to_owned(),
            ),
            Some(_) => Err(
                "This waiver is a tag (a claim, never honoured): remove the tag in IAM, or import it with iamkeys ledger import-tags.".to_owned(),
            ),
            None => Err("Give a reason (Tab moves between date and reason).".to_owned()),
        };
    }
    if reason.chars().count() > crate::ledger::event::MAX_TEXT {
        return Err(format!(
            "The reason is over {} characters.",
            crate::ledger::event::MAX_TEXT
        ));
    }
    let until = NaiveDate::parse_from_str(dialog.until.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{}` is not a date (YYYY-MM-DD).", dialog.until.trim()))?;
    let today = state.now.date_naive();
    let max = i64::from(state.account.thresholds.max_waiver_days);
    if until < today {
        return Err(format!("{until} has passed."));
    }
    if until > today + TimeDelta::days(max) {
        return Err(format!(
            "{until} is more than {max} days away (max_waiver_days)."
        ));
    }
    Ok(draft(Kind::WaiverGranted {
        finding: choice.finding,
        until,
        reason: crate::text::clean(&reason).into_owned(),
        from_tag: None,
    }))
}

pub(super) fn on_key(state: &mut State, mut dialog: WaiveDialog, key: &KeyEvent) -> Vec<Effect> {
    use crossterm::event::KeyCode;
    if let Some(draft) = dialog.pending.clone() {
        // The event is on screen: `y` appends it, anything that cancels goes back.
        match state.view.keymap.resolve_dialog(key) {
            Some(DialogCommand::Confirm) => {
                if super::dialogs::read_only(state) {
                    return Vec::new();
                }
                state.view.notice = Some(format!("Recording {} in the ledger…", draft.kind.name()));
                let change = Change::Record(draft);
                return vec![super::mutations::start(state, change, &dialog.account)];
            }
            Some(DialogCommand::Cancel) => dialog.pending = None,
            _ => {}
        }
        state.view.modal = Some(Modal::Waive(dialog));
        return Vec::new();
    }
    match key.code {
        KeyCode::Up => dialog.choice = dialog.choice.saturating_sub(1),
        KeyCode::Down => dialog.choice = (dialog.choice + 1).min(dialog.choices.len() - 1),
        _ => match typed(state, key) {
            Typed::Answer(DialogCommand::Cancel) => return Vec::new(),
            Typed::Answer(DialogCommand::SwitchButton) => {
                dialog.field = match dialog.field {
                    WaiveField::Until => WaiveField::Reason,
                    WaiveField::Reason => WaiveField::Until,
                };
            }
            Typed::Answer(DialogCommand::Press) => match check(state, &dialog) {
                Ok(pending) => {
                    dialog.error = None;
                    dialog.pending = Some(pending);
                }
                Err(error) => dialog.error = Some(error),
            },
            Typed::Edit(edit) => {
                edit.apply(field(&mut dialog));
                dialog.error = None;
            }
            Typed::Text(c) => {
                field(&mut dialog).push(c);
                dialog.error = None;
            }
            Typed::Answer(_) | Typed::Other => {}
        },
    }
    state.view.modal = Some(Modal::Waive(dialog));
    Vec::new()
}

fn field(dialog: &mut WaiveDialog) -> &mut String {
    match dialog.field {
        WaiveField::Until => &mut dialog.until,
        WaiveField::Reason => &mut dialog.reason,
    }
}
