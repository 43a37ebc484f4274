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
