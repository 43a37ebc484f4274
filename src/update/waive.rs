//! `W` in the findings dialog: accept a finding until a date, by the
//! caller, for a reason — a user tag (`iamkeys:waive:…`) written with
//! `TagUser` after `y`, or removed with `UntagUser` (an empty reason on a
//! finding that has a waiver). Refused in read-only; audit-logged as every
//! change is.

use chrono::{NaiveDate, TimeDelta};
use crossterm::event::KeyEvent;

use super::dialogs::{Typed, typed};
use crate::audit::waivers::PREFIX;
use crate::effect::{Change, Effect};
use crate::keymap::DialogCommand;
use crate::state::{Modal, State, WaiveChoice, WaiveDialog, WaiveField};

/// Days a new waiver runs unless the operator types another date.
const DEFAULT_DAYS: i64 = 30;

/// Open the dialog for the findings the findings dialog shows.
pub(super) fn open(state: &mut State, user: &str, key_id: Option<&str>) -> Vec<Effect> {
    let account = match state.change_target() {
        Ok(account) => account,
        Err(message) => {
            state.view.modal = Some(Modal::Error {
                title: "No waiver can be written now".to_owned(),
                message,
            });
            return Vec::new();
        }
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
    let by = account.caller_name();
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
        error: None,
        pending: None,
        account,
    }));
    Vec::new()
}

/// The tag key of a choice.
fn tag_key(choice: &WaiveChoice) -> String {
    match &choice.key_id {
        Some(key) => format!("{PREFIX}{}:{key}", choice.finding.as_str()),
        None => format!("{PREFIX}{}", choice.finding.as_str()),
    }
}

/// The tag to write (or `None` to remove the existing one), or what is wrong.
fn check(state: &State, dialog: &WaiveDialog) -> Result<(String, Option<String>), String> {
    let choice = dialog
        .choices
        .get(dialog.choice)
        .ok_or("no finding is chosen")?;
    let key = tag_key(choice);
    let reason = dialog
        .reason
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(c) = reason.chars().find(|&c| !crate::audit::waivers::allowed(c)) {
        return Err(format!(
            "`{}` cannot be stored in an IAM tag value: use letters, digits, spaces and _ . : / = + - @.",
            c.escape_default()
        ));
    }
    if reason.is_empty() {
        return if choice.existing.is_some() {
            Ok((key, None))
        } else {
            Err("Give a reason (Tab moves between date and reason).".to_owned())
        };
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
    let value = format!("{until} {} {reason}", dialog.by);
    // Written exactly as the audit reads it: a waiver that would not read
    // back is refused here.
    let (read, bad) = crate::audit::waivers::parse(&dialog.user, &[(key.clone(), value.clone())]);
    if let Some(bad) = bad.first() {
        return Err(format!("The reason cannot be stored: {}.", bad.why));
    }
    if read.is_empty() {
        return Err("The waiver would not read back.".to_owned());
    }
    Ok((key, Some(value)))
}

pub(super) fn on_key(state: &mut State, mut dialog: WaiveDialog, key: &KeyEvent) -> Vec<Effect> {
    use crossterm::event::KeyCode;
    if let Some((tag, value)) = dialog.pending.clone() {
        // The tag is on screen: `y` writes it, anything that cancels goes back.
        match state.view.keymap.resolve_dialog(key) {
            Some(DialogCommand::Confirm) => {
                if super::dialogs::read_only(state) {
                    return Vec::new();
                }
                let key_id = dialog
                    .choices
                    .get(dialog.choice)
                    .and_then(|c| c.key_id.clone());
                if let (Some(path), Some(value)) =
                    (state.account.thresholds.waivers_file.clone(), &value)
                {
                    return to_file(state, &dialog, path, &tag, value);
                }
                state.view.notice = Some(format!("Writing {tag}…"));
                let change = Change::Tag {
                    user: dialog.user.clone(),
                    tag,
                    value,
                    key_id,
                };
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

/// With a waivers file configured, `W` adds the waiver there (for the
/// repository's review) instead of tagging the user.
fn to_file(
    state: &mut State,
    dialog: &WaiveDialog,
    path: std::path::PathBuf,
    tag: &str,
    value: &str,
) -> Vec<Effect> {
    let (read, _) =
        crate::audit::waivers::parse(&dialog.user, &[(tag.to_owned(), value.to_owned())]);
    let Some(waiver) = read.into_iter().next() else {
        return Vec::new();
    };
    state.view.notice = Some(format!("Adding the waiver to {}…", path.display()));
    vec![Effect::AppendWaiver {
        path,
        entry: crate::audit::waivers::file::FileWaiver {
            finding: waiver.finding,
            user: dialog.user.clone(),
            key_id: waiver.key_id,
            account_id: Some(dialog.account.account_id.clone()),
            until: waiver.until,
            by: waiver.by,
            reason: waiver.reason,
        },
    }]
}

/// The waivers file came back after `W` added to it: its entries count now.
pub(super) fn on_filed(
    state: &mut State,
    result: Result<crate::audit::waivers::file::FileWaivers, String>,
) {
    match result {
        Ok(file) => {
            let path = file
                .path
                .as_ref()
                .map_or_else(String::new, |p| p.display().to_string());
            state.account.thresholds.file_waivers = file.clone();
            if let Some(org) = &mut state.org {
                for member in &mut org.members {
                    member.account.thresholds.file_waivers = file.clone();
                }
            }
            let now = state.now;
            state.account.refresh_all(now);
            state.sync_view();
            state.view.notice = Some(format!("Waiver added to {path}: commit it for review."));
        }
        Err(message) => {
            state.view.modal = Some(Modal::Error {
                title: "The waiver was not added".to_owned(),
                message,
            });
        }
    }
}

fn field(dialog: &mut WaiveDialog) -> &mut String {
    match dialog.field {
        WaiveField::Until => &mut dialog.until,
        WaiveField::Reason => &mut dialog.reason,
    }
}
