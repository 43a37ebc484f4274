//! What the help overlay says, row by row: every binding, the dialogs'
//! keys and a legend of what the screen shows. Neutral, so `update` can
//! scroll it by the same count of rows that `ui` draws.

use crate::audit::FindingId;
use crate::keymap::{Command, DialogCommand, Keymap};

/// One row of the help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// A heading, e.g. "In dialogs".
    Heading(String),
    /// Keys (or a symbol) and what they do (or mean).
    Entry(String, String),
    Blank,
}

/// Every row, in order.
#[must_use]
pub fn rows(keymap: &Keymap) -> Vec<Row> {
    let mut rows: Vec<Row> = Command::ALL
        .iter()
        .map(|&command| {
            let keys = keymap
                .keys_for(command)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            Row::Entry(keys, command.description().to_owned())
        })
        .collect();
    rows.push(Row::Blank);
    rows.push(Row::Heading(
        "In dialogs ([keybindings.dialog]):".to_owned(),
    ));
    for command in DialogCommand::ALL {
        rows.push(Row::Entry(
            keymap.dialog_label(command).replace('/', ", "),
            command.description().to_owned(),
        ));
    }
    rows.push(Row::Blank);
    rows.push(Row::Heading(format!(
        "The command line ({}; Tab completes, ↑/↓ history):",
        keymap.label(Command::CommandLine)
    )));
    for (name, argument, what) in crate::command_line::COMMANDS {
        let line = if argument.is_empty() {
            format!(":{name}")
        } else {
            format!(":{name} {argument}")
        };
        rows.push(Row::Entry(line, what.to_owned()));
    }
    rows.push(Row::Blank);
    rows.push(Row::Heading("What the screen shows:".to_owned()));
    for id in FindingId::ALL {
        let cis = id.cis().v1_4_to_v4_0;
        let control = if cis == "-" {
            String::new()
        } else {
            format!(" (CIS {cis})")
        };
        rows.push(Row::Entry(
            id.badge().to_owned(),
            format!("{}{control}", id.as_str()),
        ));
    }
    for (symbol, meaning) in [
        ("1A 1I", "one Active key and one Inactive key (Keys column)"),
        ("● (mark)", "a marked key, or a user with one (Space marks)"),
        ("› (cursor)", "the selected key in the key pane"),
        ("…", "cut to fit: a wider or taller terminal shows the rest"),
        (
            "—",
            "not read (e.g. Findings: — when the account was not read)",
        ),
        ("denied", "IAM refused to say: the audit is incomplete"),
        (
            "!! / !",
            "without colour (NO_COLOR): !! critical, ! high before a badge",
        ),
    ] {
        rows.push(Row::Entry(symbol.to_owned(), meaning.to_owned()));
    }
    rows
}

/// The help's rows that fit on a screen `height` rows tall: its border
/// takes two, and it leaves the top row and the status bar uncovered.
#[must_use]
pub fn visible_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(4)).max(1)
}

/// The furthest the help scrolls on a screen `height` rows tall.
#[must_use]
pub fn max_scroll(keymap: &Keymap, height: u16) -> usize {
    rows(keymap).len().saturating_sub(visible_rows(height))
}
