//! Plain mode (`--plain`, or `TERM=dumb`): the UI for screen readers and
//! logs. No alternate screen, no cursor addressing: a numbered line per
//! user, a command prompt (`show 3`, `inactive 3.1`, `help`), and every
//! change confirmed by typing. It drives the same `update` and worker as
//! the terminal UI, so the same rules, bindings and audit log apply: a
//! command presses the key the keymap binds, and the dialog that opens is
//! printed as the terminal UI draws it, then answered by what is typed.

use std::io::Write;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

use crate::action::Action;
use crate::headless::settle_with;
use crate::keymap::{Command, DialogCommand};
use crate::state::{Focus, Modal, State};
use crate::worker::{Clients, Settings};

/// How long one command may wait for IAM.
const WAIT: Duration = Duration::from_mins(2);

/// What a line typed at the prompt asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Help,
    List,
    Show(usize),
    /// A change to key `.1` (from 1) of user `.0`: the command whose key
    /// is pressed (make inactive, make active, delete).
    Change(Command, usize, usize),
    Quit,
    Empty,
    Unknown(String),
}

/// Read one line typed at the prompt.
#[must_use]
pub fn parse(line: &str) -> Line {
    let mut words = line.split_whitespace();
    let (Some(word), rest) = (words.next(), words.next()) else {
        return Line::Empty;
    };
    let user = |text: Option<&str>| text.and_then(|t| t.parse::<usize>().ok());
    let key = |text: Option<&str>| {
        let (u, k) = text?.split_once('.')?;
        Some((u.parse::<usize>().ok()?, k.parse::<usize>().ok()?))
    };
    let change = |command| match key(rest) {
        Some((u, k)) if k > 0 => Line::Change(command, u, k),
        _ => Line::Unknown(format!("{word} needs a key: USER.KEY, e.g. {word} 3.1")),
    };
    match word {
        "help" | "?" => Line::Help,
        "list" | "ls" => Line::List,
        "show" => user(rest).map_or_else(
            || Line::Unknown("show needs a user number, e.g. show 3".to_owned()),
            Line::Show,
        ),
        "inactive" => change(Command::Deactivate),
        "active" => change(Command::Activate),
        "delete" => change(Command::Delete),
        "quit" | "q" | "exit" => Line::Quit,
        other => Line::Unknown(format!("unknown command `{other}`: type help")),
    }
}

const HELP: &str = "\
Commands:
  list            the users, numbered (0 is the root account)
  show N          user N: details, keys (N.1, N.2, …) and findings
  inactive N.K    make key K of user N inactive (type yes to confirm)
  active N.K      make key K of user N active (type yes to confirm)
  delete N.K      delete key K of user N (type its ID to confirm)
  help            this list
  quit            leave
Creating and rotating keys are not offered here: a new key's secret would
be written to this output. Use the terminal UI for them.";

/// The rows in the table's order, numbered from 0 (the root account first
/// when it is listed).
fn rows(state: &State) -> Vec<(usize, Option<&crate::account::users::UserRow>)> {
    let table = &state.view.table;
    table
        .visible(state.account.users(), 0, table.len())
        .enumerate()
        .collect()
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// One line a user: number, name, console password, MFA, keys, findings;
/// first, each gap that keeps the audit from being complete (as the UI's
/// header says it).
fn list(state: &State) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for gap in state.account.audit_gap_lines() {
        let _ = writeln!(out, "INCOMPLETE AUDIT: {}", crate::text::clean(&gap));
    }
    for (n, row) in rows(state) {
        let Some(row) = row else {
            let findings = state.account.root_findings().len();
            let _ = writeln!(out, "{n}. <root account>: {findings} findings");
            continue;
        };
        let keys = row.listed_keys().map_or_else(
            || "keys not listed".to_owned(),
            |keys| crate::text::count(keys.len(), "key"),
        );
        let findings: Vec<&str> = row
            .findings
            .iter()
            .filter(|f| f.open())
            .map(|f| f.id.as_str())
            .collect();
        let _ = writeln!(
            out,
            "{n}. {}: console password {}, MFA {}, {keys}, findings: {}",
            crate::text::clean(&row.user.name),
            yes_no(row.password),
            yes_no(row.mfa),
            if findings.is_empty() {
                "none".to_owned()
            } else {
                findings.join(", ")
            }
        );
    }
    out
}

/// User `n`: its keys numbered `n.1`, `n.2`…, and its findings.
fn show(state: &State, n: usize) -> String {
    use std::fmt::Write as _;
    let Some((_, Some(row))) = rows(state).into_iter().find(|(i, _)| *i == n) else {
        return format!("No user {n} (0 is the root account: see list).\n");
    };
    let mut out = format!(
        "{n}. {} ({})\n",
        crate::text::clean(&row.user.name),
        row.user.arn
    );
    for (k, key) in row.listed_keys().unwrap_or_default().iter().enumerate() {
        let created = key.created.map_or_else(
            || "unknown".to_owned(),
            |t| t.format("%Y-%m-%d").to_string(),
        );
        let _ = writeln!(
            out,
            "  {n}.{}: {} {}, created {created}",
            k + 1,
            key.id,
            key.status.as_str()
        );
    }
    for f in row.findings.iter().filter(|f| f.open()) {
        let _ = writeln!(
            out,
            "  finding {} ({}): {}\n    remedy: {}",
            f.id.as_str(),
            f.id.severity().as_str(),
            crate::text::clean(&f.message),
            crate::report::remedy(f.id)
        );
    }
    out
}

/// The dialog on screen as lines of text, as the terminal UI draws it.
fn dialog_text(state: &State) -> String {
    let (width, height) = (100, 40);
    let Ok(mut terminal) =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height));
    let theme = crate::ui::Theme::monochrome();
    let _ = terminal.draw(|frame| crate::ui::modal(state, &theme, frame, frame.area()));
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for row in buffer.content.chunks(usize::from(width)) {
        let line: String = row.iter().map(ratatui::buffer::Cell::symbol).collect();
        let line = line.trim().trim_matches(|c| "│┌┐└┘─".contains(c)).trim();
        if !line.is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The plain UI: the account loaded, then commands read from `input` until
/// `quit` or its end; everything written to `out`.
///
/// # Errors
/// `out` cannot be written.
pub async fn run(
    clients: Clients,
    mut state: State,
    settings: &Settings,
    input: impl AsyncBufRead + Unpin,
    out: &mut impl Write,
) -> std::io::Result<()> {
    // A tall screen: every row is "on screen", so nothing waits for a scroll.
    let setup = vec![Action::Resize(200, 1000), Action::Load];
    let settled = settle_with(&mut state, clients.clone(), settings, setup, WAIT).await;
    writeln!(
        out,
        "iamkeys (plain) · profile {}{}",
        state.session.profile,
        if state.session.read_only {
            " · read-only"
        } else {
            ""
        }
    )?;
    if let Err(why) = settled {
        writeln!(out, "The account did not finish loading: {why}")?;
    }
    say_notice(&mut state, out)?;
    write!(out, "{}", list(&state))?;
    let mut lines = input.lines();
    loop {
        write!(out, "iamkeys> ")?;
        out.flush()?;
        let Ok(Some(line)) = lines.next_line().await else {
            writeln!(out)?;
            return Ok(());
        };
        match parse(&line) {
            Line::Empty => {}
            Line::Help => writeln!(out, "{HELP}")?,
            Line::List => write!(out, "{}", list(&state))?,
            Line::Show(n) => write!(out, "{}", show(&state, n))?,
            Line::Unknown(why) => writeln!(out, "{why}")?,
            Line::Quit => return Ok(()),
            Line::Change(command, n, k) => {
                change(
                    &mut state,
                    &clients,
                    settings,
                    (command, n, k),
                    &mut lines,
                    out,
                )
                .await?;
            }
        }
    }
}

/// The latest notice, said once.
fn say_notice(state: &mut State, out: &mut impl Write) -> std::io::Result<()> {
    if let Some(notice) = state.view.notice.take() {
        writeln!(out, "{}", crate::text::clean(&notice))?;
    }
    Ok(())
}

/// Select key `k` of user `n`, press `command`'s key, then answer each
/// dialog that opens with what the operator types.
async fn change<R: AsyncBufRead + Unpin>(
    state: &mut State,
    clients: &Clients,
    settings: &Settings,
    (command, n, k): (Command, usize, usize),
    lines: &mut tokio::io::Lines<R>,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let position = rows(state)
        .into_iter()
        .find(|(i, row)| *i == n && row.is_some())
        .map(|(i, _)| i);
    let Some(position) = position else {
        return writeln!(
            out,
            "No user {n}: see list (0, the root account, has no keys to act on here)."
        );
    };
    let height = state.list_height();
    state.view.table.set_cursor(position, height);
    let keys = state.selected_row_keys().map_or(0, <[_]>::len);
    if k > keys {
        return writeln!(out, "User {n} has no key {n}.{k}: see show {n}.");
    }
    state.view.focus = Focus::Keys;
    state.view.key_cursor = k - 1;
    let Some(press) = state
        .view
        .keymap
        .keys_for(command)
        .first()
        .map(|c| c.to_event())
    else {
        return writeln!(out, "No key is bound to {}.", command.name());
    };
    let mut actions = vec![Action::Key(press)];
    loop {
        let settled = settle_with(
            state,
            clients.clone(),
            settings,
            std::mem::take(&mut actions),
            WAIT,
        )
        .await;
        if let Err(why) = settled {
            writeln!(out, "{why}")?;
        }
        let Some(modal) = &state.view.modal else {
            say_notice(state, out)?;
            state.view.focus = Focus::Users;
            return Ok(());
        };
        write!(out, "{}", dialog_text(state))?;
        let map = &state.view.keymap;
        let key = |c: DialogCommand| {
            map.dialog_keys_for(c)
                .first()
                .map_or(KeyEvent::from(KeyCode::Esc), |chord| chord.to_event())
        };
        let (confirm, cancel) = (key(DialogCommand::Confirm), key(DialogCommand::Cancel));
        actions = match modal {
            // A delete typed wrong: its dialog says so; nothing was sent.
            Modal::Delete(dialog) if dialog.mismatch => {
                writeln!(out, "The ID did not match: nothing was deleted.")?;
                vec![Action::Key(KeyEvent::from(KeyCode::Esc))]
            }
            Modal::Confirm(_) => {
                write!(out, "Type yes to confirm (anything else cancels): ")?;
                out.flush()?;
                let typed = lines.next_line().await.ok().flatten().unwrap_or_default();
                if typed.trim() == "yes" {
                    vec![Action::Key(confirm)]
                } else {
                    writeln!(out, "Cancelled: nothing was sent.")?;
                    vec![Action::Key(cancel)]
                }
            }
            Modal::Delete(_) => {
                write!(
                    out,
                    "Type the key ID to delete it (anything else cancels): "
                )?;
                out.flush()?;
                let typed = lines.next_line().await.ok().flatten().unwrap_or_default();
                let mut typed_keys: Vec<Action> = typed
                    .trim()
                    .chars()
                    .map(|c| Action::Key(KeyEvent::from(KeyCode::Char(c))))
                    .collect();
                typed_keys.push(Action::Key(KeyEvent::from(KeyCode::Enter)));
                typed_keys
            }
            // Anything else (an error, a refusal, a result): said above,
            // then closed.
            _ => vec![Action::Key(KeyEvent::from(KeyCode::Esc))],
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_as_commands() {
        assert_eq!(parse("show 3"), Line::Show(3));
        assert_eq!(
            parse("  inactive 3.1 "),
            Line::Change(Command::Deactivate, 3, 1)
        );
        assert_eq!(parse("delete 12.2"), Line::Change(Command::Delete, 12, 2));
        assert_eq!(parse("active 2.1"), Line::Change(Command::Activate, 2, 1));
        assert_eq!(parse(""), Line::Empty);
        assert_eq!(parse("quit"), Line::Quit);
        assert!(matches!(parse("inactive 3"), Line::Unknown(w) if w.contains("USER.KEY")));
        assert!(matches!(parse("inactive 3.0"), Line::Unknown(_)));
        assert!(matches!(parse("create 3"), Line::Unknown(w) if w.contains("help")));
    }
}
