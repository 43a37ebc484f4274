//! Filter and sort like k9s (issue 23 item 6): `/` takes `finding:`,
//! `status:`, `password:`, `mfa:` and plain text; `S` sorts the other way;
//! every sort names a column that is on screen.

use crossterm::event::KeyCode;
use iamkeys::audit::FindingId;
use iamkeys::model::KeyStatus;
use iamkeys::state::State;
use iamkeys::update::update;

use crate::common::flows::{ch, key, typed};
use crate::common::screen::text;
use crate::common::states::demo_loaded;

fn filter(state: &mut State, query: &str) {
    update(state, ch('/'));
    for action in typed(query) {
        update(state, action);
    }
    update(state, key(KeyCode::Enter));
}

fn shown(state: &State) -> Vec<String> {
    state
        .view
        .table
        .names_in_view(state.account.users())
        .map(ToOwned::to_owned)
        .collect()
}

#[tokio::test]
async fn finding_words_and_ids_filter_by_open_findings() {
    let mut state = demo_loaded().await;
    let with_setup: Vec<String> = {
        let mut names: Vec<String> = state
            .account
            .users()
            .rows()
            .filter(|r| {
                r.findings
                    .iter()
                    .any(|f| f.id == FindingId::InitialSetupKey && f.open())
            })
            .map(|r| r.user.name.clone())
            .collect();
        names.sort();
        names
    };
    assert!(!with_setup.is_empty());
    filter(&mut state, "finding:setup");
    assert_eq!(shown(&state), with_setup);
    update(&mut state, key(KeyCode::Esc));
    filter(&mut state, "finding:initial_setup_key");
    assert_eq!(shown(&state), with_setup);
}

#[tokio::test]
async fn status_password_and_mfa_terms_combine_with_text() {
    let mut state = demo_loaded().await;
    filter(&mut state, "status:inactive");
    let names = shown(&state);
    assert!(!names.is_empty());
    for name in &names {
        let row = state.account.users().get(name).unwrap();
        assert!(
            row.listed_keys()
                .unwrap()
                .iter()
                .any(|k| k.status == KeyStatus::Inactive),
            "{name}"
        );
    }
    update(&mut state, key(KeyCode::Esc));
    filter(&mut state, "password:yes mfa:no");
    let names = shown(&state);
    assert!(!names.is_empty());
    for name in &names {
        let row = state.account.users().get(name).unwrap();
        assert_eq!((row.password, row.mfa), (Some(true), Some(false)), "{name}");
    }
    let all_no_mfa = names.len();
    update(&mut state, key(KeyCode::Esc));
    filter(&mut state, "password:yes mfa:no alice");
    let names = shown(&state);
    assert!(!names.is_empty() && names.len() < all_no_mfa, "{names:?}");
    assert!(names.iter().all(|n| n.contains("alice")));
}

#[tokio::test]
async fn a_term_that_does_not_read_says_what_would() {
    let mut state = demo_loaded().await;
    filter(&mut state, "status:bogus");
    assert!(
        shown(&state).is_empty(),
        "nothing matches a filter that does not read"
    );
    let said = |state: &State| {
        let screen = text(state, 120, 30);
        assert!(screen.contains("The filter does not read"), "{screen}");
        state.view.table.filter_error.clone().unwrap()
    };
    assert!(said(&state).contains("status: active, inactive or unknown"));
    update(&mut state, key(KeyCode::Esc));
    filter(&mut state, "owner:me");
    assert!(said(&state).contains("finding:, status:, password:, mfa:"));
}

#[tokio::test]
async fn shift_s_sorts_the_other_way_and_every_sort_names_its_column() {
    let mut state = demo_loaded().await;
    let ascending = shown(&state);
    update(&mut state, ch('S'));
    let mut descending = shown(&state);
    descending.reverse();
    assert_eq!(descending, ascending);
    let screen = text(&state, 120, 30);
    assert!(screen.contains("sorted by User ↓"), "{screen}");
    update(&mut state, ch('S'));
    // Each sort's column is on screen, marked with the direction.
    for column in [
        "Created",
        "Oldest key",
        "Last used",
        "Findings",
        "Risk",
        "User",
    ] {
        update(&mut state, ch('s'));
        let screen = text(&state, 120, 30);
        assert!(
            screen.contains(&format!("sorted by {column} ↑")),
            "{screen}"
        );
        let header = screen
            .lines()
            .find(|l| l.contains("Console") && l.contains("MFA"))
            .unwrap();
        assert!(header.contains(&format!("{column}↑")), "{header}");
    }
}

fn run_line(state: &mut State, text: &str) -> Vec<iamkeys::effect::Effect> {
    let mut effects = update(state, ch(':'));
    for c in text.chars() {
        effects.extend(update(state, ch(c)));
    }
    effects.extend(update(state, key(KeyCode::Enter)));
    effects
}

/// Issue 27: the `:` command line runs what the keys run, completes with
/// Tab, recalls with ↑, and says why a line does not run (staying open).
#[tokio::test]
async fn the_command_line_sorts_filters_and_remembers() {
    let mut state = demo_loaded().await;
    let effects = update(&mut state, ch(':'));
    assert_eq!(effects, [iamkeys::effect::Effect::ListProfiles]);
    assert!(state.view.command.is_some());
    update(&mut state, key(KeyCode::Esc));
    assert!(state.view.command.is_none());

    run_line(&mut state, "sort risk");
    assert_eq!(state.view.table.sort, iamkeys::state::SortKey::Risk);
    run_line(&mut state, "filter svc-carol");
    assert_eq!(state.view.table.filter, "svc-carol");
    assert!(shown(&state).iter().all(|n| n.starts_with("svc-carol")));
    run_line(&mut state, "findings");
    assert!(state.view.table.findings_only);

    // Tab completes the command, then its argument.
    update(&mut state, ch(':'));
    update(&mut state, ch('s'));
    update(&mut state, ch('o'));
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.view.command.as_ref().unwrap().text, "sort ");
    update(&mut state, ch('c'));
    update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.view.command.as_ref().unwrap().text, "sort created");
    update(&mut state, key(KeyCode::Esc));

    // ↑ recalls the last lines, newest first.
    update(&mut state, ch(':'));
    update(&mut state, key(KeyCode::Up));
    assert_eq!(state.view.command.as_ref().unwrap().text, "findings");
    update(&mut state, key(KeyCode::Up));
    assert_eq!(
        state.view.command.as_ref().unwrap().text,
        "filter svc-carol"
    );
    update(&mut state, key(KeyCode::Down));
    assert_eq!(state.view.command.as_ref().unwrap().text, "findings");
    update(&mut state, key(KeyCode::Esc));

    // A line that does not read stays open and says why.
    run_line(&mut state, "sort size");
    let line = state.view.command.clone().unwrap();
    assert!(line.error.unwrap().contains("use one of"));
    let screen = text(&state, 160, 30);
    assert!(screen.contains(":sort size"), "{screen}");
    update(&mut state, key(KeyCode::Esc));

    // :q asks to quit as q does.
    let effects = run_line(&mut state, "q");
    assert!(
        effects.contains(&iamkeys::effect::Effect::Quit),
        "{effects:?}"
    );
}

/// `:export` writes exactly the rows on screen, in their order, as the
/// report writes them (CSV here; JSON for a .json file).
#[tokio::test]
async fn export_writes_the_rows_on_screen() {
    let mut state = demo_loaded().await;
    run_line(&mut state, "filter svc-");
    run_line(&mut state, "sort oldest");
    let effects = run_line(&mut state, "export /tmp/rows.csv");
    let Some(iamkeys::effect::Effect::Export {
        path,
        text,
        what,
        replace,
    }) = effects
        .iter()
        .find(|e| matches!(e, iamkeys::effect::Effect::Export { .. }))
    else {
        panic!("{effects:?}")
    };
    assert_eq!(path.to_str(), Some("/tmp/rows.csv"));
    assert!(!replace, "an existing file is never replaced without !");
    let on_screen = shown(&state);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    // Issue 38 item 10: the words count the file's rows and the users.
    let records = csv::Reader::from_reader(text.as_bytes()).records().count();
    assert_eq!(
        *what,
        format!("{records} finding rows of {} users", on_screen.len()),
        "{text}"
    );
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        iamkeys::report::format::CSV_HEADER
    );
    let user = headers.iter().position(|h| h == "user_name").unwrap();
    let mut users: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[user].to_owned())
        .collect();
    users.dedup();
    // Users with findings, in the screen's order.
    let with_findings: Vec<&String> = on_screen.iter().filter(|n| users.contains(n)).collect();
    assert_eq!(users.iter().collect::<Vec<_>>(), with_findings);
    assert!(users.iter().all(|u| u.starts_with("svc-")));
    let effects = run_line(&mut state, "export /tmp/rows.json");
    let Some(iamkeys::effect::Effect::Export { text, .. }) = effects
        .iter()
        .find(|e| matches!(e, iamkeys::effect::Effect::Export { .. }))
    else {
        panic!("{effects:?}")
    };
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    let names: Vec<&str> = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        on_screen.iter().map(String::as_str).collect::<Vec<_>>()
    );
}

/// Issue 33 item 1: in `--demo` no path of the command line reaches AWS:
/// `:` lists no profiles, Tab completes none (even from a late answer),
/// and `:profile`, `:org`, `:account` say the demo has none.
#[tokio::test]
async fn the_demo_command_line_has_no_aws_profiles() {
    use iamkeys::action::Action;
    use iamkeys::profiles::{ProfileInfo, ProfileKind};
    let mut state = demo_loaded().await;
    state.session.demo = true;
    assert!(update(&mut state, ch(':')).is_empty(), "no ListProfiles");
    update(
        &mut state,
        Action::Profiles(Ok(vec![ProfileInfo {
            name: "prod".into(),
            kind: ProfileKind::StaticKeys,
            region: None,
            note: None,
        }])),
    );
    for c in "profile p".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Tab));
    let line = state.view.command.as_ref().unwrap();
    assert_eq!(line.text, "profile p");
    assert_eq!(line.error.as_deref(), Some("The demo has no AWS profiles."));
    update(&mut state, key(KeyCode::Esc));
    for line in ["profile prod", "org", "account 123456789012"] {
        let effects = run_line(&mut state, line);
        assert!(effects.is_empty(), "{line}: {effects:?}");
        assert_eq!(
            state.view.notice.as_deref(),
            Some("The demo has no AWS profiles."),
            "{line}"
        );
        assert!(state.session.switching.is_none(), "{line}");
    }
}

/// Issue 35 item 5: one text field. Backspace on an empty `:` line leaves
/// it open, so what is typed next is text, never a command (`q` does not
/// quit); Ctrl-W, Ctrl-U, Left and Home edit the `:` line, the `/` filter
/// and the profile picker alike.
#[tokio::test]
async fn every_prompt_is_the_same_text_field() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let ctrl = |c: char| {
        iamkeys::action::Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    };
    let mut state = demo_loaded().await;
    update(&mut state, ch(':'));
    update(&mut state, key(KeyCode::Backspace));
    assert!(
        state.view.command.is_some(),
        "Backspace on an empty line leaves it open"
    );
    let effects = update(&mut state, ch('q'));
    assert!(
        !effects.contains(&iamkeys::effect::Effect::Quit),
        "{effects:?}"
    );
    assert_eq!(state.view.command.as_ref().unwrap().text, "q");
    for c in "uit now".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, ctrl('w'));
    assert_eq!(state.view.command.as_ref().unwrap().text, "quit ");
    update(&mut state, key(KeyCode::Home));
    update(&mut state, ch('x'));
    assert_eq!(state.view.command.as_ref().unwrap().text, "xquit ");
    update(&mut state, key(KeyCode::End));
    update(&mut state, ctrl('u'));
    assert_eq!(state.view.command.as_ref().unwrap().text, "");
    update(&mut state, key(KeyCode::Esc));

    update(&mut state, ch('/'));
    for c in "svc bob".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, ctrl('w'));
    assert_eq!(state.view.table.filter, "svc ");
    update(&mut state, key(KeyCode::Left));
    update(&mut state, key(KeyCode::Backspace));
    assert_eq!(state.view.table.filter, "sv ");
    update(&mut state, ctrl('u'));
    assert_eq!(state.view.table.filter, " ");
}

/// Issue 38 item 10: `F`'s message counts the users the title counts (the
/// root row is the account's, not a user).
#[tokio::test]
async fn findings_only_counts_users_as_the_title_does() {
    let mut state = demo_loaded().await;
    update(&mut state, ch('F'));
    let notice = state.view.notice.clone().unwrap();
    let screen = crate::common::screen::text(&state, 160, 48);
    let title = screen
        .lines()
        .find(|l| l.contains(" Users ("))
        .unwrap()
        .to_owned();
    let shown = state.view.table.users_in_view();
    assert!(title.contains(&format!("Users ({shown} of ")), "{title}");
    assert!(
        notice.contains(&format!("the {shown} users with findings")),
        "{notice} vs {title}"
    );
}
