//! Pure `update` tests for the audit in the UI: findings kept current, the
//! findings-only filter, the details dialog with its remedy one key away.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamkeys::action::{Action, Loaded};
use iamkeys::audit::FindingId;
use iamkeys::model::{KeyStatus, LastUsed};
use iamkeys::state::{Modal, Operation};
use iamkeys::update::update;

use crate::common::flows::{ch, key, key_with_status, select_key, select_user};
use crate::common::states::{demo_loaded, loaded};

fn shift_f() -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char('F'), KeyModifiers::SHIFT))
}

#[tokio::test]
async fn the_demo_has_every_finding_and_the_summary_counts_them() {
    let state = demo_loaded().await;
    let counts = state.account.finding_counts();
    for (id, count) in &counts {
        // A `BedrockAPIKey-*` user would sort before every demo user, and
        // the demo is no organization: the CLI tests (cli_credentials,
        // cli_org_report) cover those findings instead.
        if matches!(
            id,
            FindingId::LongTermCredentialOnBedrockUser | FindingId::RootCredentialsNotCentralized
        ) {
            continue;
        }
        assert!(*count > 0, "{id} missing from the demo");
    }
    let root = counts
        .iter()
        .find(|(id, _)| *id == FindingId::RootAccessKey)
        .unwrap()
        .1;
    assert_eq!(root, 1);
    // Console users whose key was made with them and never used.
    let setup: usize = state
        .account
        .users()
        .rows()
        .filter(|r| {
            r.findings
                .iter()
                .any(|f| f.id == FindingId::InitialSetupKey)
        })
        .inspect(|r| assert_eq!(r.password, Some(true)))
        .count();
    assert_eq!(setup, 6);
}

#[tokio::test]
async fn f_shows_only_users_with_findings_and_back() {
    let mut state = demo_loaded().await;
    let all = state.view.table.len();
    update(&mut state, shift_f());
    assert!(state.view.table.findings_only);
    let flagged = state.view.table.len();
    assert!(flagged > 0 && flagged < all, "{flagged} of {all}");
    assert!(
        state
            .view
            .table
            .visible(state.account.users(), 0, usize::MAX)
            .flatten()
            .all(|r| !r.findings.is_empty())
    );
    update(&mut state, shift_f());
    assert_eq!(state.view.table.len(), all);
}

/// Issue 25: the findings-only view puts the worst risk first (an
/// administrator's or a quarantined user's before a read-only user's), and
/// closing it gives back the sort the operator had.
#[tokio::test]
async fn the_findings_view_sorts_by_risk_worst_first_and_gives_the_sort_back() {
    use iamkeys::audit::Severity;
    use iamkeys::state::SortKey;
    let mut state = demo_loaded().await;
    update(&mut state, ch('s'));
    assert_eq!(state.view.table.sort, SortKey::Created);
    update(&mut state, shift_f());
    assert_eq!(state.view.table.sort, SortKey::Risk);
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("worst risk first"),
        "{:?}",
        state.view.notice
    );
    let risks: Vec<(String, Severity)> = state
        .view
        .table
        .visible(state.account.users(), 0, usize::MAX)
        .flatten()
        .map(|r| {
            let risk = match state.account.worst_risk(&r.user.name, &r.findings) {
                Some(iamkeys::account::Risk::Known(risk)) => risk,
                other => panic!("{}: {other:?}", r.user.name),
            };
            (r.user.name.clone(), risk)
        })
        .collect();
    assert!(risks.windows(2).all(|w| w[0].1 >= w[1].1), "{risks:?}");
    let place = |name: &str| risks.iter().position(|(n, _)| n == name).unwrap();
    // An administrator's never-used setup key, and the quarantined user,
    // come before a read-only user's same finding.
    assert_eq!(risks[place("alice.00")].1, Severity::Critical);
    assert_eq!(risks[place("heidi.07")].1, Severity::Critical);
    assert_eq!(risks[place("grace.06")].1, Severity::High);
    assert!(place("alice.00") < place("grace.06"));
    update(&mut state, shift_f());
    assert_eq!(state.view.table.sort, SortKey::Created);
}

#[tokio::test]
async fn fresh_last_use_clears_an_initial_setup_finding() {
    let mut state = demo_loaded().await;
    let (user, key_id) = setup_key(&state);
    let fresh = LastUsed {
        date: Some(state.now),
        service: Some("s3".into()),
        region: Some("us-east-1".into()),
    };
    let action = loaded(
        &state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id,
            result: Ok(fresh),
        },
    );
    update(&mut state, action);
    let row = state.account.users().get(&user).unwrap();
    assert!(
        row.findings
            .iter()
            .all(|f| f.id != FindingId::InitialSetupKey),
        "{:?}",
        row.findings
    );
}

#[tokio::test]
async fn enter_on_a_key_explains_its_findings_and_i_acts_on_it() {
    let mut state = demo_loaded().await;
    let (user, key_id) = setup_key(&state);
    // Some other key is marked: the remedy still acts on this key alone.
    let other = state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let k = r
                .listed_keys()?
                .iter()
                .find(|k| k.status == KeyStatus::Active && k.id != key_id)?;
            Some((r.user.name.clone(), k.id.clone()))
        })
        .unwrap();
    select_key(&mut state, &other.0, &other.1);
    update(&mut state, ch(' '));
    select_key(&mut state, &user, &key_id);
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(
        state.view.modal,
        Some(Modal::Findings {
            user: user.clone(),
            key_id: Some(key_id.clone()),
            scroll: 0,
        })
    );
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(confirm)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let Operation::SetStatus { targets, status } = &confirm.operation else {
        panic!()
    };
    assert_eq!(*status, KeyStatus::Inactive);
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].key_id, key_id);
}

#[tokio::test]
async fn sorting_by_findings_puts_the_worst_first() {
    let mut state = demo_loaded().await;
    select_user(&mut state, "bob.01");
    for _ in 0..4 {
        update(&mut state, ch('s'));
    }
    assert_eq!(state.view.table.sort.label(), "Findings");
    let first = state
        .view
        .table
        .visible(state.account.users(), 0, usize::MAX)
        .flatten()
        .next()
        .unwrap();
    // The most severe finding of any user (the quarantined user's
    // critical exposed key), whatever the users' risks.
    let worst = |r: &iamkeys::state::UserRow| r.findings.iter().map(|f| f.id.severity()).max();
    let all_worst = state.account.users().rows().filter_map(worst).max();
    assert_eq!(worst(first), all_worst, "{}", first.user.name);
    assert!(
        first
            .findings
            .iter()
            .any(|f| f.id == FindingId::ExposedKeyQuarantined),
        "{}",
        first.user.name
    );
    assert_eq!(
        state.selected_user().unwrap().user.name,
        "bob.01",
        "the selection stays"
    );
}

/// Issue 13, item 6: with `F` on, a background result re-sorts the list
/// under the open findings dialog; `i` and `d` still act on the dialog's
/// own user and key, never on whatever is selected now.
#[tokio::test]
async fn the_findings_dialog_acts_on_its_own_key_after_a_re_sort() {
    let mut state = demo_loaded().await;
    update(&mut state, ch('F'));
    let (user, key_id) = setup_key(&state);
    select_key(&mut state, &user, &key_id);
    update(&mut state, key(KeyCode::Enter));
    // A fresh last use arrives: the key has been used, the user's finding
    // goes away, and with `F` on the user leaves the list under the dialog.
    let action = loaded(
        &state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id: key_id.clone(),
            result: Ok(LastUsed {
                date: Some(crate::common::states::now()),
                service: Some("s3".into()),
                region: Some("us-east-1".into()),
            }),
        },
    );
    update(&mut state, action);
    let now_selected = state.selected_user().map(|r| r.user.name.clone());
    assert_ne!(
        now_selected.as_deref(),
        Some(user.as_str()),
        "re-sorted away"
    );
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(confirm)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let Operation::SetStatus { targets, .. } = &confirm.operation else {
        panic!()
    };
    assert_eq!(
        (targets[0].user.as_str(), targets[0].key_id.as_str()),
        (user.as_str(), key_id.as_str())
    );
}

/// A user with an `initial_setup_key` finding, and its key.
fn setup_key(state: &iamkeys::state::State) -> (String, String) {
    state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let f = r
                .findings
                .iter()
                .find(|f| f.id == FindingId::InitialSetupKey)?;
            Some((r.user.name.clone(), f.access_key_id.clone()?))
        })
        .unwrap()
}

/// Issue 32: a waiver tag is a claim, whoever wrote it (the user itself can
/// tag itself): shown, never honoured, the finding counts. The ledger's
/// waiver marks the finding and leaves the counts, its writer said.
#[tokio::test]
async fn a_waiver_tag_is_a_claim_and_the_ledger_s_waiver_is_honoured() {
    use crate::common::states::{LEDGER_WRITER, ledger_event, ledger_loaded};
    let mut state = demo_loaded().await;
    let (user, key_id) = setup_key(&state);
    let open_before = state
        .account
        .finding_counts()
        .iter()
        .find(|(id, _)| *id == FindingId::InitialSetupKey)
        .unwrap()
        .1;
    let tags = vec![
        (
            format!("iamkeys:waive:initial_setup_key:{key_id}"),
            "2027-03-01 alice moves to a role".to_owned(),
        ),
        (
            "iamkeys:waive:unused_key".to_owned(),
            "tomorrow bob x".to_owned(),
        ),
    ];
    let action = loaded(
        &state,
        Loaded::Tags {
            user: user.clone(),
            result: Ok(tags),
        },
    );
    let effects = update(&mut state, action);
    assert!(
        !effects.iter().any(|e| matches!(
            e,
            iamkeys::effect::Effect::Usage { .. }
                | iamkeys::effect::Effect::Iam {
                    call: iamkeys::effect::Call::Ledger,
                    ..
                }
        )),
        "no CloudTrail lookup, no extra ledger read for a tag: {effects:?}"
    );
    let finding = |state: &iamkeys::state::State| {
        state
            .account
            .users()
            .get(&user)
            .unwrap()
            .findings
            .iter()
            .find(|f| f.id == FindingId::InitialSetupKey)
            .unwrap()
            .clone()
    };
    let claimed = finding(&state);
    assert!(claimed.open(), "a tag is a claim");
    assert_eq!(
        claimed.waiver.unwrap().describe(),
        format!(
            "waiver claimed by alice until 2027-03-01, not honoured: {}",
            iamkeys::audit::waivers::TAG_CLAIM
        )
    );
    // The security team's waiver in the ledger: honoured.
    let granted = ledger_event(
        state.now,
        &user,
        Some(&key_id),
        iamkeys::ledger::Kind::WaiverGranted {
            finding: FindingId::InitialSetupKey,
            until: chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
            reason: "moves to a role".into(),
            from_tag: None,
        },
    );
    let action = loaded(&state, ledger_loaded(&[granted]));
    update(&mut state, action);
    let finding = finding(&state);
    assert!(!finding.open());
    assert_eq!(
        finding.waiver.as_ref().unwrap().describe(),
        format!(
            "waived until 2027-01-15 by {LEDGER_WRITER}: moves to a role (ledger, by {LEDGER_WRITER})"
        )
    );
    let open_after = state
        .account
        .finding_counts()
        .iter()
        .find(|(id, _)| *id == FindingId::InitialSetupKey)
        .unwrap()
        .1;
    assert_eq!(open_after, open_before - 1);
    assert_eq!(state.account.finding_totals().waived(), 1);

    select_key(&mut state, &user, &key_id);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
    terminal
        .draw(|frame| iamkeys::ui::render(&state, &iamkeys::ui::Theme::default(), frame))
        .unwrap();
    let text = terminal.backend().to_string();
    assert!(text.contains("waived until 2027-01-15"), "{text}");
    assert!(text.contains("1 waived"), "{text}");
    assert!(
        text.contains("malformed waiver tag iamkeys:waive:unused_key"),
        "{text}"
    );
}

/// Issue 16, the waiver dialog as drawn with its ledger event on screen
/// (issue 32: where it is written, by whom); read-only sends nothing.
#[tokio::test]
async fn the_waiver_dialog_shows_the_event_and_read_only_writes_nothing() {
    let mut state = demo_loaded().await;
    let (user, key_id) = setup_key(&state);
    select_key(&mut state, &user, &key_id);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('W'));
    for c in "vendor rotates in March".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    let draft = dialog.pending.clone().unwrap();
    // Issue 38 item 9: the confirmation's own keys, not the form's.
    let bar = crate::common::screen::text(&state, 160, 40)
        .lines()
        .last()
        .unwrap()
        .to_owned();
    assert!(bar.contains("record") && bar.contains("back"), "{bar}");
    assert!(!bar.contains("next field"), "{bar}");
    assert_eq!(draft.key_id.as_deref(), Some(key_id.as_str()));
    assert_eq!(draft.account_id, "123456789012");
    assert_eq!(
        draft.kind,
        iamkeys::ledger::Kind::WaiverGranted {
            finding: FindingId::InitialSetupKey,
            until: chrono::NaiveDate::from_ymd_opt(2026, 12, 28).unwrap(),
            reason: "vendor rotates in March".into(),
            from_tag: None,
        }
    );
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    terminal
        .draw(|frame| iamkeys::ui::render(&state, &iamkeys::ui::Theme::default(), frame))
        .unwrap();
    insta::assert_snapshot!(terminal.backend().to_string());

    state.session.read_only = true;
    assert!(update(&mut state, ch('y')).is_empty());
    assert!(state.view.notice.as_deref().unwrap().contains("Read-only"));
}

/// Issue 16, staged retirement: an inactive key shows since when (the
/// ledger's date), and after `retire_after_days` that it is ready to
/// delete. Issue 32: a backdated `inactive-since` tag is a claim: shown,
/// never counted from.
#[tokio::test]
async fn an_inactive_key_shows_since_when_and_when_it_is_ready_to_delete() {
    use crate::common::states::{ledger_event, ledger_loaded};
    let mut state = demo_loaded().await;
    let (user, key_id) = key_with_status(&state, KeyStatus::Inactive);
    let draw = |state: &iamkeys::state::State| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).unwrap();
        terminal
            .draw(|frame| iamkeys::ui::render(state, &iamkeys::ui::Theme::default(), frame))
            .unwrap();
        terminal.backend().to_string()
    };
    // A tag backdated a year: not honoured, nothing is ready to delete.
    let year_ago = (state.now - chrono::TimeDelta::days(365))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let action = loaded(
        &state,
        Loaded::Tags {
            user: user.clone(),
            result: Ok(vec![(
                format!("iamkeys:inactive-since:{key_id}"),
                format!("{year_ago} alice"),
            )]),
        },
    );
    update(&mut state, action);
    select_key(&mut state, &user, &key_id);
    let text = draw(&state);
    assert!(!text.contains("ready to delete"), "{text}");
    assert!(text.contains("claim: tag inactive-since"), "{text}");
    for (days, ready) in [(3, false), (20, true)] {
        let made = ledger_event(
            state.now - chrono::TimeDelta::days(days),
            &user,
            Some(&key_id),
            iamkeys::ledger::Kind::KeyMadeInactive,
        );
        let action = loaded(&state, ledger_loaded(&[made]));
        update(&mut state, action);
        select_key(&mut state, &user, &key_id);
        let text = draw(&state);
        assert!(
            text.contains("inactive since") && text.contains(&format!("({days} days) by")),
            "{text}"
        );
        assert_eq!(text.contains("ready to delete"), ready, "{text}");
    }
}

/// Issue 32: `W` appends `waiver.granted` to the ledger (bound to the
/// account, audit-logged as a change), even with a waivers file configured
/// (the file is reviewed in git: iamkeys never writes it); the ledger read
/// again honours it.
#[tokio::test]
async fn w_records_the_waiver_in_the_ledger_and_never_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waivers.toml");
    let mut state = demo_loaded().await;
    state.account.thresholds.waivers_file = Some(path.clone());
    let (user, key_id) = setup_key(&state);
    select_key(&mut state, &user, &key_id);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('W'));
    for c in "vendor rotates in March".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    let effects = update(&mut state, ch('y'));
    let [
        iamkeys::effect::Effect::Mutate {
            id,
            change: iamkeys::effect::Change::Record(draft),
            actor,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(draft.key_id.as_deref(), Some(key_id.as_str()));
    assert_eq!(actor.account_id.as_deref(), Some(draft.account_id.as_str()));
    assert!(!path.exists(), "the waivers file is never written");
    // The worker's answer: recorded; the ledger is read again.
    let id = *id;
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(iamkeys::action::Mutated::Recorded),
        },
    );
    assert!(
        effects.iter().any(|e| matches!(
            e,
            iamkeys::effect::Effect::Iam {
                call: iamkeys::effect::Call::Ledger,
                ..
            }
        )),
        "{effects:?}"
    );
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("recorded in the ledger"),
        "{:?}",
        state.view.notice
    );
}

/// Issue 21 §4, now of the ledger's date (issue 32): honoured only when
/// IAM agrees. The realistic path: iamkeys made the key inactive long ago,
/// someone made it active in the console, used it last week, and made it
/// inactive again yesterday. It is not "ready to delete"; the key pane says
/// the date is not believed. So is a date in the future, or before the key
/// was made.
#[tokio::test]
async fn a_ledger_inactive_date_that_iam_contradicts_is_not_believed() {
    let mut state = demo_loaded().await;
    let (user, key_id) = key_with_status(&state, KeyStatus::Inactive);
    let created = state
        .account
        .users()
        .get(&user)
        .unwrap()
        .listed_keys()
        .unwrap()
        .iter()
        .find(|k| k.id == key_id)
        .unwrap()
        .created
        .unwrap();
    let ready = |state: &iamkeys::state::State| {
        state
            .account
            .users()
            .get(&user)
            .unwrap()
            .findings
            .iter()
            .any(|f| {
                f.id == FindingId::InactiveKeyReadyToDelete
                    && f.access_key_id.as_deref() == Some(key_id.as_str())
            })
    };
    let set_tag = |state: &mut iamkeys::state::State, at: chrono::DateTime<chrono::Utc>| {
        let made = crate::common::states::ledger_event(
            at,
            &user,
            Some(&key_id),
            iamkeys::ledger::Kind::KeyMadeInactive,
        );
        let action = loaded(state, crate::common::states::ledger_loaded(&[made]));
        update(state, action);
    };
    let last_use = |state: &mut iamkeys::state::State, days: Option<i64>| {
        let action = loaded(
            state,
            Loaded::LastUsed {
                user: user.clone(),
                key_id: key_id.clone(),
                result: Ok(LastUsed {
                    date: days.map(|d| state.now - chrono::TimeDelta::days(d)),
                    service: Some("s3".into()),
                    region: Some("us-east-1".into()),
                }),
            },
        );
        update(state, action);
    };
    let long_ago = created + chrono::TimeDelta::days(1);
    assert!(
        state.now - long_ago > chrono::TimeDelta::days(20),
        "the demo key is old enough"
    );
    // Never used: honoured, ready to delete.
    last_use(&mut state, None);
    set_tag(&mut state, long_ago);
    assert!(ready(&state), "a true date is honoured");
    // Used last week, after the date: not believed.
    last_use(&mut state, Some(7));
    assert!(!ready(&state), "used after the date: not ready to delete");
    select_key(&mut state, &user, &key_id);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 40)).unwrap();
    terminal
        .draw(|frame| iamkeys::ui::render(&state, &iamkeys::ui::Theme::default(), frame))
        .unwrap();
    let text = terminal.backend().to_string();
    assert!(
        text.contains("ledger's inactive date not believed: used")
            && text.contains("2026-11-21, after it"),
        "{text}"
    );
    assert!(!text.contains("ready to delete"), "{text}");
    // A date in the future, or before the key was made: stale.
    last_use(&mut state, None);
    let future = state.now + chrono::TimeDelta::days(30);
    set_tag(&mut state, future);
    assert!(!ready(&state), "a future date");
    set_tag(&mut state, created - chrono::TimeDelta::days(30));
    assert!(!ready(&state), "before the key was made");
}

/// Issue 23 item 8: the waiver's reason takes Ctrl-W (a word back) and
/// Ctrl-U (the whole field); a reason the ledger would refuse is named.
#[tokio::test]
async fn the_reason_field_edits_like_a_shell_and_refuses_an_over_long_reason() {
    use crate::common::flows::ctrl;
    let mut state = demo_loaded().await;
    let (user, key_id) = setup_key(&state);
    select_key(&mut state, &user, &key_id);
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, ch('W'));
    let reason = |state: &iamkeys::state::State| match &state.view.modal {
        Some(Modal::Waive(dialog)) => dialog.reason.clone(),
        modal => panic!("{modal:?}"),
    };
    for c in "vendor rotates soon".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, ctrl('w'));
    assert_eq!(reason(&state), "vendor rotates ");
    update(&mut state, ctrl('w'));
    assert_eq!(reason(&state), "vendor ");
    update(&mut state, ctrl('u'));
    assert_eq!(reason(&state), "");
    // The ledger is no tag: a comma is fine; an over-long reason is not.
    for c in "x".repeat(1025).chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.pending.is_none(), "nothing to write");
    let error = dialog.error.clone().unwrap();
    assert!(error.contains("over 1024 characters"), "{error}");
    update(&mut state, ctrl('u'));
    for c in "vendor, rotates in March!".chars() {
        update(&mut state, ch(c));
    }
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Waive(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.pending.is_some(), "{:?}", dialog.error);
}

/// Issue 26: a key with a due date says when, and what the rules will do
/// then; the header counts the keys whose date has come. Issue 32: the date
/// is the ledger's; a due tag is a claim and moves nothing.
#[tokio::test]
async fn a_due_date_shows_when_and_what_and_the_header_counts_it() {
    let mut state = demo_loaded().await;
    state.session.enforce_rules = iamkeys::enforce::EnforceSettings {
        rule: vec![iamkeys::enforce::Rule {
            finding: "initial_setup_key".into(),
            action: iamkeys::enforce::RuleAction::MakeInactive,
            users: None,
            min_risk: None,
        }],
        ..iamkeys::enforce::EnforceSettings::default()
    }
    .rules()
    .unwrap();
    let (user, key_id) = setup_key(&state);
    let screen = |state: &iamkeys::state::State| crate::common::screen::text(state, 220, 40);
    assert!(!screen(&state).contains(" due "), "no due date yet");
    let today = state.now.date_naive();
    let mut tags = match &state.account.users().get(&user).unwrap().tags {
        iamkeys::account::users::TagsState::Loaded(tags) => tags.clone(),
        other => panic!("{other:?}"),
    };
    // An early due tag written by anyone: a claim, nothing is due.
    tags.push((format!("iamkeys:due:{key_id}"), today.to_string()));
    let action = loaded(
        &state,
        Loaded::Tags {
            user: user.clone(),
            result: Ok(tags),
        },
    );
    update(&mut state, action);
    assert_eq!(state.due_now(), 0, "a due tag is no record");
    let recorded = crate::common::states::ledger_event(
        state.now - chrono::TimeDelta::days(7),
        &user,
        Some(&key_id),
        iamkeys::ledger::Kind::DueRecorded {
            due: today,
            action: "make_inactive".into(),
            finding: FindingId::InitialSetupKey,
        },
    );
    let action = loaded(&state, crate::common::states::ledger_loaded(&[recorded]));
    update(&mut state, action);
    select_key(&mut state, &user, &key_id);
    let text = screen(&state);
    assert!(
        text.contains(&format!(
            "due now ({today}): make inactive (rule initial_setup_key)"
        )),
        "{text}"
    );
    assert!(text.contains(" 1 due "), "{text}");
    assert_eq!(state.due_now(), 1);
    // Without a rule covering it, the date is said and nothing is due.
    state.session.enforce_rules.clear();
    let text = screen(&state);
    assert!(!text.contains(" 1 due "), "{text}");
}
