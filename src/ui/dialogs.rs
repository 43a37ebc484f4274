//! Confirmation, delete, new-secret and progress dialogs.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Theme;
use super::format;
use crate::keymap::DialogCommand;
use crate::model::KeyStatus;
use crate::state::{
    Button, Confirm, DeleteDialog, KeyTarget, Operation, Outcome, Progress, SaveState,
    SecretDialog, State,
};

const WIDTH: u16 = 100;

pub(super) fn show(
    frame: &mut Frame,
    area: Rect,
    title: String,
    border: Style,
    lines: Vec<Line<'static>>,
) {
    super::popup::show(frame, area, WIDTH, title, border, lines);
}

fn facts(state: &State, target: &KeyTarget) -> Vec<Line<'static>> {
    let used = match &target.last_used {
        None if target.credential.is_some() => "IAM gives no last use".to_owned(),
        None => "last use unknown".to_owned(),
        Some(used) => match used.date {
            None => "never used".to_owned(),
            Some(date) => {
                let mut text = format!(
                    "last used {} ({})",
                    format::date(date),
                    format::ago(state.now, date)
                );
                if let Some(service) = &used.service {
                    text.push_str(" via ");
                    text.push_str(service);
                }
                if let Some(region) = &used.region {
                    text.push_str(" in ");
                    text.push_str(region);
                }
                text
            }
        },
    };
    let mut lines = vec![
        Line::raw(format!(
            " {}  {}  {}",
            target.user, target.key_id, target.status
        )),
        Line::raw(format!(
            "    created {} · {used}",
            format::created(state.now, target.created),
        )),
    ];
    // What CloudTrail said of it, once `u` asked.
    if let Some(summary) = state
        .account
        .key_usage(&target.key_id)
        .and_then(|u| u.summary(state.now))
    {
        lines.push(Line::raw(format!("    CloudTrail: {summary}")));
    }
    lines
}

/// The hint that `u` shows who uses the key (single-key dialogs).
fn usage_hint(state: &State, theme: &Theme) -> Line<'static> {
    Line::styled(
        format!(
            " {} shows who uses this key (CloudTrail)",
            key(state, DialogCommand::Usage)
        ),
        theme.dim,
    )
}

fn lockout(theme: &Theme, target: &KeyTarget, verb: &str) -> Option<Line<'static>> {
    target.is_session_key.then(|| {
        Line::styled(
            format!(" This is the key iamkeys is signed with: {verb} locks this session out."),
            theme.error,
        )
    })
}

pub(super) fn read_only_line(state: &State, theme: &Theme) -> Option<Line<'static>> {
    state.session.read_only.then(|| {
        Line::styled(
            " READ-ONLY mode: nothing will be changed, whatever you answer.",
            theme.warn,
        )
    })
}

/// " In account … · profile …": where the dialog's change goes.
pub(super) fn account_line(theme: &Theme, account: &crate::state::AccountRef) -> Line<'static> {
    Line::styled(format!(" In {}", account.label()), theme.title)
}

fn key(state: &State, command: DialogCommand) -> String {
    state.view.keymap.dialog_key(command)
}

fn key_named(state: &State, command: DialogCommand) -> String {
    state.view.keymap.dialog_named_key(command)
}

fn keys(state: &State, command: DialogCommand) -> String {
    state.view.keymap.dialog_label(command)
}

fn buttons(state: &State, theme: &Theme, focus: Button, confirm: &str) -> Line<'static> {
    let style = |b: Button| {
        if b == focus {
            theme.selected
        } else {
            Style::new()
        }
    };
    Line::from(vec![
        Span::raw(" "),
        Span::styled(" Cancel ", style(Button::Cancel)),
        Span::raw("   "),
        Span::styled(format!(" {confirm} "), style(Button::Confirm)),
        Span::styled(
            format!(
                "    {} confirms · {} cancels · {}/{}",
                keys(state, DialogCommand::Confirm),
                keys(state, DialogCommand::Cancel),
                key(state, DialogCommand::SwitchButton),
                key(state, DialogCommand::Press)
            ),
            theme.dim,
        ),
    ])
}

pub fn confirm(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, dialog: &Confirm) {
    let mut lines = Vec::new();
    let (title, verb) = match &dialog.operation {
        Operation::Create { user, has_password } => {
            lines.push(Line::raw(format!(" Create a new access key for {user}?")));
            if *has_password {
                lines.push(Line::raw(""));
                lines.push(Line::styled(
                    format!(" {user} has a console password. CIS AWS Foundations 1.11 (v1.4–v4.0; 1.10 in v5.0, 2.10 in v6.0) says: do not set up access keys during initial user setup for IAM users that have a console password. Prefer roles or IAM Identity Center for programmatic access. The new key is flagged setup (initial_setup_key) at once, until a program first signs with it."),
                    theme.warn,
                ));
            }
            (" Create an access key ".to_owned(), "Create")
        }
        Operation::Rotate { target, .. } => {
            lines.extend(rotation_steps(state, target));
            (" Rotate an access key ".to_owned(), "Rotate")
        }
        Operation::EndRotation {
            user,
            old,
            new,
            why,
        } => {
            lines.push(Line::raw(format!(
                " Record in the ledger that the rotation of {old} ({user}) is over?"
            )));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(" The ledger says {new} replaces {old}, but IAM disagrees: {why}. It is not honoured; ending it changes no key. R then starts a new rotation."),
                theme.warn,
            ));
            (" End a stale rotation ".to_owned(), "End it")
        }
        Operation::SetStatus { targets, status } => {
            let (word, verb, doing) = match status {
                KeyStatus::Inactive => ("inactive", "Make inactive", "making"),
                KeyStatus::Active | KeyStatus::Unknown => ("active", "Make active", "making"),
            };
            let noun = targets.first().map_or_else(String::new, KeyTarget::noun);
            let title = if targets.len() == 1 && targets[0].credential.is_some() {
                format!(" Make {noun} {word} ")
            } else if targets.len() == 1 {
                format!(" Make key {word} ")
            } else {
                format!(" Make {} keys {word} ", targets.len())
            };
            lines.push(Line::raw(if dialog.from_marks {
                format!(
                    " Make {} {word}{}? (Esc on the list clears marks)",
                    crate::state::marked_keys(targets.len()),
                    selected_among(state, targets.iter().map(|t| t.key_id.as_str()))
                )
            } else if targets.len() == 1 && targets[0].credential.is_some() {
                format!(" Make this {noun} {word}?")
            } else if targets.len() == 1 {
                format!(" Make this key {word}?")
            } else {
                format!(" Make these keys {word}?")
            }));
            for target in targets {
                lines.extend(facts(state, target));
                if *status == KeyStatus::Inactive {
                    lines.extend(lockout(theme, target, &format!("{doing} it {word}")));
                }
            }
            if targets.len() == 1 {
                lines.push(usage_hint(state, theme));
            }
            (title, verb)
        }
    };
    for warning in &dialog.warnings {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!(" ⚠ {warning}"), theme.error));
    }
    lines.extend(read_only_line(state, theme));
    lines.push(Line::raw(""));
    lines.push(account_line(theme, &dialog.account));
    lines.push(buttons(state, theme, dialog.focus, verb));
    show(frame, area, title, theme.accent, lines);
}

/// What `R` will do, step by step.
fn rotation_steps(state: &State, target: &KeyTarget) -> Vec<Line<'static>> {
    let map = &state.view.keymap;
    let (old, user) = (&target.key_id, &target.user);
    let mut lines = vec![Line::raw(format!(" Rotate access key {old} of {user}?"))];
    lines.extend(facts(state, target));
    lines.push(Line::raw(""));
    // Saving is offered only where there is a credentials file to save
    // to (never in the demo).
    let save = if state.session.credentials_file.is_some() && !state.session.demo {
        format!(
            ", {} saves it as profile iamkeys-{user}",
            key(state, DialogCommand::SaveSecret)
        )
    } else {
        String::new()
    };
    for step in [
        format!(
            " 1. {} creates a new key for {user} and shows its secret once ({} copies it{save}).",
            keys(state, DialogCommand::Confirm),
            key(state, DialogCommand::CopySecret),
        ),
        match state.handoff(user) {
            Some(Ok(target)) => format!(
                " 2. iamkeys writes the new key to {} (the ledger's hand-off target for {user}), then watches its last use (every {} s, and on {}) and shows when the workload uses it.",
                {
                    // The target in full: the ARN, region and account pinned.
                    let described = target.describe();
                    let arn = state
                        .account
                        .ledger()
                        .and_then(|l| l.handoff.get(user))
                        .map_or(String::new(), |set| {
                            crate::text::clean(&set.value).into_owned()
                        });
                    if described.contains(arn.split('#').next().unwrap_or_default()) {
                        described
                    } else {
                        format!("{described} — {arn}")
                    }
                },
                crate::account::rotation::WATCH_EVERY.num_seconds(),
                map.label(crate::keymap::Command::Refresh),
            ),
            Some(Err(why)) => format!(
                " 2. The hand-off target is not used ({}): nothing is written for you. Put the new key where {old} is used; iamkeys watches its last use.",
                crate::text::clean(&why)
            ),
            None => format!(
                " 2. Put the new key where {old} is used. iamkeys watches the new key's last use (every {} s, and on {}) and shows when it is in use.{}",
                crate::account::rotation::WATCH_EVERY.num_seconds(),
                map.label(crate::keymap::Command::Refresh),
                if state.handoff_claim(user).is_some() {
                    format!(
                        " (The user's {} tag is a claim, not honoured: anyone with TagUser on {user} can write it; set a target with iamkeys ledger handoff.)",
                        crate::handoff::TAG
                    )
                } else {
                    String::new()
                }
            ),
        },
        format!(
            " 3. Then make {old} inactive ({}), check that nothing breaks, and delete it later ({}).",
            map.label(crate::keymap::Command::Deactivate),
            map.label(crate::keymap::Command::Delete),
        ),
        format!(
            " The rotation is recorded in the ledger ({}), so a restart and other operators see it. {} sets where the new key is handed off.",
            crate::text::clean(&state.session.ledger),
            state.view.keymap.dialog_label(DialogCommand::Handoff)
        ),
    ] {
        lines.push(Line::raw(step));
    }
    lines
}

pub fn delete(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, dialog: &DeleteDialog) {
    let target = &dialog.target;
    let mut lines = vec![Line::raw(format!(
        " Delete {} {} of {}? This cannot be undone.",
        target.noun(),
        target.key_id,
        target.user
    ))];
    lines.extend(facts(state, target));
    lines.extend(lockout(theme, target, "deleting it"));
    lines.push(usage_hint(state, theme));
    lines.extend(typed_confirmation(
        state,
        theme,
        &dialog.account,
        &format!(" Type (or paste) the {} ID to confirm:", target.noun()),
        &dialog.input,
        dialog
            .mismatch
            .then(|| format!(" That is not {}: nothing was deleted.", target.key_id)),
        "deletes when the text matches exactly",
    ));
    show(
        frame,
        area,
        format!(" Delete {} ", target.noun()),
        theme.error,
        lines,
    );
}

/// The typed confirmation of a delete: what to type, the field, a
/// mismatch, and the keys.
pub(super) fn typed_confirmation(
    state: &State,
    theme: &Theme,
    account: &crate::state::AccountRef,
    ask: &str,
    input: &str,
    mismatch: Option<String>,
    press: &str,
) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = read_only_line(state, theme).into_iter().collect();
    lines.extend([
        account_line(theme, account),
        Line::raw(""),
        Line::raw(ask.to_owned()),
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(format!("{input}▏"), theme.title),
        ]),
    ]);
    if let Some(mismatch) = mismatch {
        lines.push(Line::styled(mismatch, theme.error));
    }
    lines.push(Line::styled(
        format!(
            " {} {press} · {} cancels",
            key(state, DialogCommand::Press),
            key_named(state, DialogCommand::Cancel)
        ),
        theme.dim,
    ));
    lines
}

/// How marked keys stand to the selected one: `, the selected one among
/// them`, or `, not the selected one`.
fn selected_among<'a>(state: &State, mut marked: impl Iterator<Item = &'a str>) -> &'static str {
    match state.selected_key() {
        Some((_, key)) if marked.any(|id| id == key.id) => ", the selected one among them",
        _ => ", not the selected one",
    }
}

pub fn bulk_delete(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    dialog: &crate::state::BulkDeleteDialog,
) {
    let count = dialog.targets.len();
    let mut lines = vec![Line::raw(format!(
        " Delete {}{}? Each is ready to delete: made inactive by iamkeys {} days ago or more, and still inactive. This cannot be undone.",
        crate::state::marked_keys(count),
        selected_among(state, dialog.targets.iter().map(|t| t.key_id.as_str())),
        state.account.thresholds.retire_after_days
    ))];
    for target in &dialog.targets {
        lines.push(Line::styled(
            format!("   {}  {}", target.user, target.key_id),
            theme.title,
        ));
    }
    lines.extend(typed_confirmation(
        state,
        theme,
        &dialog.account,
        &format!(" Type the number of keys ({count}) to confirm:"),
        &dialog.input,
        dialog
            .mismatch
            .then(|| format!(" That is not {count}: nothing was deleted.")),
        "deletes when the number matches",
    ));
    show(
        frame,
        area,
        format!(" Delete {count} keys "),
        theme.error,
        lines,
    );
}

fn save_line(state: &State, theme: &Theme, save: &SaveState) -> Vec<Line<'static>> {
    let path = state.session.credentials_file.as_ref().map_or_else(
        || "the credentials file".to_owned(),
        |p| p.display().to_string(),
    );
    match save {
        SaveState::Idle => Vec::new(),
        SaveState::Naming { name } => vec![
            Line::raw(format!(" Profile name to add to {path}:")),
            Line::from(vec![
                Span::raw(" > "),
                Span::styled(format!("{name}▏"), theme.title),
            ]),
            Line::styled(
                format!(
                    " {} saves · {} cancels",
                    key(state, DialogCommand::Press),
                    key_named(state, DialogCommand::Cancel)
                ),
                theme.dim,
            ),
        ],
        SaveState::ConfirmOverwrite { name } => vec![Line::styled(
            format!(
                " Profile [{name}] already exists in {path}. Overwrite it? {} overwrites · {} keeps it",
                keys(state, DialogCommand::Confirm),
                key(state, DialogCommand::Cancel)
            ),
            theme.warn,
        )],
        SaveState::Saving { name } => vec![Line::raw(format!(" Saving as [{name}]…"))],
        SaveState::Saved { name, path } => vec![Line::styled(
            format!(" Saved as profile [{name}] in {path} (mode 0600)."),
            theme.active,
        )],
        SaveState::Failed { message } => vec![
            Line::styled(format!(" {message}"), theme.error),
            Line::raw(" The secret stays here until it is saved or you close this dialog."),
        ],
    }
}

pub fn secret(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, dialog: &SecretDialog) {
    let mut lines = vec![
        Line::raw(format!(" New access key for {}:", dialog.user)),
        Line::from(vec![
            Span::raw(" Access key ID      "),
            Span::styled(dialog.key_id.clone(), theme.title),
        ]),
        Line::from(vec![
            Span::raw(" Secret access key  "),
            Span::styled(dialog.secret.expose().to_owned(), theme.title),
        ]),
        Line::raw(""),
        Line::styled(
            " This is the only time the secret access key is shown. Store it now.",
            theme.warn,
        ),
    ];
    if dialog.copied {
        lines.push(Line::raw(" The secret was copied to the clipboard."));
    }
    match &dialog.handoff {
        crate::state::HandOff::None => {}
        crate::state::HandOff::Sending(place) => {
            lines.push(Line::styled(format!(" Writing it to {place}…"), theme.dim));
        }
        crate::state::HandOff::Done(place) => lines.push(Line::styled(
            format!(" Written to {place}: the workload's next read gets it; iamkeys watches for its first use."),
            theme.title,
        )),
        crate::state::HandOff::Failed(why) => lines.push(Line::styled(
            format!(
                " Not written where the workload reads it ({}): store it yourself now.",
                crate::text::clean(why)
            ),
            theme.error,
        )),
    }
    lines.extend(save_line(state, theme, &dialog.save));
    lines.push(Line::raw(""));
    if dialog.acknowledging {
        lines.push(Line::styled(
            format!(
                " The secret cannot be shown again once this closes. Close it? {} closes · {} goes back",
                keys(state, DialogCommand::Confirm),
                key(state, DialogCommand::Cancel)
            ),
            theme.error,
        ));
    } else {
        let mut hint = format!(
            " {} copy the secret",
            keys(state, DialogCommand::CopySecret)
        );
        if state.session.credentials_file.is_some() {
            let _ = write!(
                hint,
                " · {} add to the credentials file",
                key(state, DialogCommand::SaveSecret)
            );
        }
        let _ = write!(
            hint,
            " · {}/{} close",
            key_named(state, DialogCommand::Cancel),
            key(state, DialogCommand::Press)
        );
        lines.push(Line::styled(hint, theme.dim));
    }
    if !state.view.secrets_waiting.is_empty() {
        let n = state.view.secrets_waiting.len();
        lines.push(Line::styled(
            format!(
                " {n} more new key{} waiting: {} shown next.",
                if n == 1 { "" } else { "s" },
                if n == 1 {
                    "its secret is"
                } else {
                    "their secrets are"
                }
            ),
            theme.warn,
        ));
    }
    show(
        frame,
        area,
        " New access key: shown once ".to_owned(),
        theme.accent,
        lines,
    );
}

/// The MFA code dialog: the device and profile, IAM's answer to a refused
/// code, the digits as dots.
pub fn code(theme: &Theme, frame: &mut Frame, area: Rect, dialog: &crate::state::CodeDialog) {
    let typed = dialog.input.expose().len();
    let boxes: String = (0..6)
        .map(|i| if i < typed { "● " } else { "_ " })
        .collect();
    let mut lines = vec![Line::raw(format!(" {}:", dialog.prompt)), Line::raw("")];
    if let Some(refused) = &dialog.refused {
        lines.push(Line::styled(format!(" {refused}"), theme.error));
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        format!("   {}", boxes.trim_end()),
        theme.title,
    ));
    if let Some(error) = &dialog.error {
        lines.push(Line::styled(format!(" {error}"), theme.warn));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(" Enter signs in · Esc cancels", theme.dim));
    show(frame, area, " Sign in ".to_owned(), theme.accent, lines);
}

/// An SSO or `aws login` session to renew: the command, run here on `Enter`.
pub fn sign_in_again(
    state: &State,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    command: &str,
    unavailable: Option<&str>,
) {
    let mut lines = vec![
        Line::raw(format!(
            " The sign-in session of profile {} is missing or has expired.",
            state.session.profile
        )),
        Line::raw(""),
        Line::styled(format!("   {command}"), theme.title),
        Line::raw(""),
    ];
    match unavailable {
        Some(why) => {
            lines.push(Line::styled(format!(" {why}"), theme.warn));
            lines.push(Line::styled(
                " Run the command in another terminal, then press r here. Esc closes.",
                theme.dim,
            ));
        }
        None => lines.push(Line::styled(
            " Enter runs it here (the screen comes back after) · Esc closes",
            theme.dim,
        )),
    }
    show(
        frame,
        area,
        " Sign in again ".to_owned(),
        theme.accent,
        lines,
    );
}

pub fn progress(state: &State, theme: &Theme, frame: &mut Frame, area: Rect, progress: &Progress) {
    let mut lines: Vec<Line> = progress
        .items
        .iter()
        .map(|(target, outcome)| {
            let (text, style) = match outcome {
                Outcome::Pending => ("in flight…".to_owned(), theme.dim),
                Outcome::Done => ("done".to_owned(), theme.active),
                Outcome::Skipped(why) => (format!("skipped: {why}"), theme.dim),
                Outcome::Failed(why) => (format!("failed: {why}"), theme.error),
            };
            Line::from(vec![
                Span::raw(format!(" {}  {}  ", target.user, target.key_id)),
                Span::styled(text, style),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(if progress.finished() {
        Line::styled(
            format!(
                " All done. {} or {} closes.",
                key(state, DialogCommand::Press),
                key_named(state, DialogCommand::Cancel)
            ),
            theme.dim,
        )
    } else {
        Line::styled(
            " Working… each key's outcome appears as it arrives.",
            theme.dim,
        )
    });
    show(
        frame,
        area,
        format!(" {} ", progress.title),
        theme.accent,
        lines,
    );
}

/// A ledger dialog's foot: the event about to be appended and its keys
/// once drafted, else one dim line of the keys that edit the dialog.
pub(super) fn record_or_keys(
    state: &State,
    theme: &Theme,
    pending: Option<&crate::ledger::Draft>,
    ledger: &str,
    keys: String,
) -> Vec<Line<'static>> {
    match pending {
        Some(draft) => ledger_record(state, theme, draft, ledger),
        None => vec![Line::styled(keys, theme.dim)],
    }
}

/// A ledger event about to be appended, as a dialog shows it before `y`:
/// what it records, where, and the keys that append it or go back.
pub(super) fn ledger_record(
    state: &State,
    theme: &Theme,
    draft: &crate::ledger::Draft,
    ledger: &str,
) -> Vec<Line<'static>> {
    let map = &state.view.keymap;
    vec![
        Line::raw(""),
        Line::styled(
            format!(" {}: {}", draft.kind.name(), draft.kind.summary()),
            theme.warn,
        ),
        Line::styled(
            format!(" appended to the ledger {}", crate::text::clean(ledger)),
            theme.warn,
        ),
        Line::styled(
            format!(
                " {} appends it · {} goes back",
                map.dialog_label(DialogCommand::Confirm),
                map.dialog_label(DialogCommand::Cancel)
            ),
            theme.dim,
        ),
    ]
}
