//! The `:` command line: typing, Tab completion, history, and running a
//! line by the same steps its key takes (see [`crate::command_line`]).

use crossterm::event::{KeyCode, KeyEvent};

use crate::command_line::{SORT_COLUMNS, Typed, complete, parse};
use crate::effect::Effect;
use crate::keymap::Command;
use crate::state::{CommandLine, SortKey, State};

/// What every path to AWS says in `--demo`.
pub(super) const DEMO_HAS_NO_PROFILES: &str = "The demo has no AWS profiles.";

/// `:` opens the line (and lists the profiles, for `:profile`'s Tab; the
/// demo has none).
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    state.view.command = Some(CommandLine::default());
    if state.session.demo {
        return Vec::new();
    }
    vec![Effect::ListProfiles]
}

/// What Tab may complete the argument of `word` to.
fn choices(state: &State, word: &str) -> Vec<String> {
    match word {
        "profile" | "account" if state.session.demo => Vec::new(),
        "profile" => {
            let mut names: Vec<String> = state.view.known_profiles.clone();
            if !names.contains(&state.session.profile) {
                names.push(state.session.profile.clone());
            }
            names.sort();
            names
        }
        "account" => state
            .org
            .as_ref()
            .map(|org| {
                org.members
                    .iter()
                    .flat_map(|m| [m.info.name.clone(), m.info.id.clone()])
                    .collect()
            })
            .unwrap_or_default(),
        "sort" => SORT_COLUMNS.iter().map(|s| (*s).to_owned()).collect(),
        _ => Vec::new(),
    }
}

/// Whether Tab on `text` would complete a profile's or an account's name.
fn names_a_profile(text: &str) -> bool {
    let mut words = text.trim_start().splitn(2, ' ');
    matches!(words.next(), Some("profile" | "account")) && words.next().is_some()
}

/// A key while the line is open.
pub(super) fn on_key(state: &mut State, key: &KeyEvent) -> Vec<Effect> {
    let Some(mut line) = state.view.command.take() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Enter => {
            let text = line.text.as_str().trim().to_owned();
            if text.is_empty() {
                return Vec::new();
            }
            if state.view.command_history.last() != Some(&text) {
                state.view.command_history.push(text.clone());
            }
            return match parse(&text) {
                Ok(typed) => run(state, typed),
                Err(why) => {
                    line.error = Some(why);
                    state.view.command = Some(line);
                    Vec::new()
                }
            };
        }
        KeyCode::Tab if state.session.demo && names_a_profile(line.text.as_str()) => {
            // The demo never leaves the demo: nothing to complete, and
            // Tab says why.
            line.error = Some(DEMO_HAS_NO_PROFILES.to_owned());
        }
        KeyCode::Tab => {
            let (text, shown) = complete(line.text.as_str(), &|word| choices(state, word));
            line.text.set(&text);
            line.choices = shown;
        }
        KeyCode::Up => {
            let history = &state.view.command_history;
            if !history.is_empty() {
                let at = line
                    .history_at
                    .map_or(history.len() - 1, |i| i.saturating_sub(1));
                line.history_at = Some(at);
                line.text.set(&history[at]);
            }
        }
        KeyCode::Down => {
            let history = &state.view.command_history;
            match line.history_at {
                Some(i) if i + 1 < history.len() => {
                    line.history_at = Some(i + 1);
                    line.text.set(&history[i + 1]);
                }
                Some(_) => {
                    line.history_at = None;
                    line.text.clear();
                }
                None => {}
            }
        }
        // Every other key is the text field's (Backspace on an empty line
        // leaves it open: the keys typed next are text, never commands).
        _ => {
            if line.text.handle(key) == crate::state::text_input::Handled::Edited {
                line.choices.clear();
                line.error = None;
            }
        }
    }
    state.view.command = Some(line);
    Vec::new()
}

/// Run a line: each command by the steps its key takes.
fn run(state: &mut State, typed: Typed) -> Vec<Effect> {
    if state.session.demo && matches!(typed, Typed::Profile(_) | Typed::Org | Typed::Account(_)) {
        // The demo never leaves the demo.
        state.view.notice = Some(DEMO_HAS_NO_PROFILES.to_owned());
        return Vec::new();
    }
    match typed {
        Typed::Help => super::navigate::on_command(state, Command::Help),
        Typed::Quit => super::navigate::on_command(state, Command::Quit),
        Typed::Findings => super::navigate::on_command(state, Command::FindingsOnly),
        Typed::Filter(text) => {
            state.view.table.filter.set(&text);
            super::navigate::apply_filter(state)
        }
        Typed::Sort(column) => {
            state.view.table.sort = match column.as_str() {
                "created" => SortKey::Created,
                "oldest" => SortKey::OldestKey,
                "last_used" => SortKey::LastUsed,
                "findings" => SortKey::Findings,
                "risk" => SortKey::Risk,
                _ => SortKey::Name,
            };
            state.view.table.descending = false;
            state.resort();
            let height = state.list_height();
            state.view.table.scroll_into_view(height);
            state.view.notice = Some(format!("sorted by {}", state.view.table.sort.label()));
            Vec::new()
        }
        Typed::Profile(name) => switch_profile(state, name),
        Typed::Org => {
            if state.org.is_none() {
                state.view.notice =
                    Some("Not an organization's run: start iamkeys with --org.".to_owned());
                Vec::new()
            } else if state.at_overview() {
                Vec::new()
            } else {
                super::org::close(state)
            }
        }
        Typed::Account(wanted) => account(state, &wanted),
        Typed::Export { file, replace } => export(state, &file, replace),
        Typed::Whois(key) => super::whois::ask(state, key),
    }
}

fn switch_profile(state: &mut State, name: String) -> Vec<Effect> {
    if name == state.session.profile {
        state.view.notice = Some(format!("Already on profile {name}."));
        return Vec::new();
    }
    if state.session.switching.is_some() || state.account.changing() {
        state.view.notice = Some(
            "A switch or a change is in flight: the profile can change once it is answered."
                .to_owned(),
        );
        return Vec::new();
    }
    state.session.switching = Some(name.clone());
    state.view.notice = Some(format!("switching to profile {name}…"));
    vec![Effect::SwitchProfile { profile: name }]
}

/// `:account ID|NAME`: into that account of the organization.
pub(super) fn account(state: &mut State, wanted: &str) -> Vec<Effect> {
    let Some(org) = &state.org else {
        state.view.notice = Some("Not an organization's run: start iamkeys with --org.".to_owned());
        return Vec::new();
    };
    let matches: Vec<String> = org
        .members
        .iter()
        .filter(|m| m.info.id == wanted || m.info.name == wanted)
        .map(|m| m.info.id.clone())
        .collect();
    let id = match matches.as_slice() {
        [id] => id.clone(),
        [] => {
            state.view.notice = Some(format!("No account {wanted} in the organization."));
            return Vec::new();
        }
        _ => {
            state.view.notice = Some(format!("{wanted} names more than one account: use its ID."));
            return Vec::new();
        }
    };
    let mut effects = Vec::new();
    if !state.at_overview() {
        effects.extend(super::org::close(state));
        if !state.at_overview() {
            return effects;
        }
    }
    state.view.overview.filter.clear();
    state.view.overview.selected = Some(id);
    effects.extend(super::org::open(state));
    effects
}

/// `:export FILE`: the rows on screen, filtered and sorted, written as
/// `iamkeys report` writes them (CSV or JSON by the file's extension).
fn export(state: &mut State, file: &str, replace: bool) -> Vec<Effect> {
    let format = if crate::command_line::export_format(file) == Some(true) {
        crate::report::format::Format::Json
    } else {
        crate::report::format::Format::Csv
    };
    let names: Vec<String> = state
        .view
        .table
        .names_in_view(state.account.users())
        .map(ToOwned::to_owned)
        .collect();
    let root = state.view.table.len() > names.len();
    let report = crate::report::Report::rows(
        &state.account,
        &state.session.profile,
        state.now,
        &names,
        root,
    );
    match crate::report::format::render(&report, format) {
        Ok(text) => {
            // The words count what the file holds: CSV has a row a finding
            // (of the users in view), JSON an entry a user.
            let mut users = crate::text::count(names.len(), "user");
            if root {
                users.push_str(" and the root account");
            }
            let what = if format == crate::report::format::Format::Csv {
                let rows = text.lines().count().saturating_sub(1);
                format!("{} of {users}", crate::text::count(rows, "finding row"))
            } else {
                users
            };
            state.view.notice = Some(format!("exporting {what} to {file}…"));
            vec![Effect::Export {
                path: std::path::PathBuf::from(file),
                text,
                what,
                replace,
            }]
        }
        Err(why) => {
            state.view.notice = Some(format!("Cannot export: {why}"));
            Vec::new()
        }
    }
}

/// The file `:export` wrote, or why not.
pub(super) fn on_exported(
    state: &mut State,
    path: &std::path::Path,
    result: Result<String, String>,
) -> Vec<Effect> {
    let file = crate::text::clean(&path.display().to_string()).into_owned();
    state.view.notice = Some(match result {
        Ok(what) => format!("Exported {what} to {file}"),
        Err(why) => format!("Cannot write {file} ({why}): nothing was written"),
    });
    Vec::new()
}
