//! Criterion micro-benchmarks of the UI's per-frame and per-keystroke work
//! with a large account: one frame of the main screen at 200×50 with 5,000
//! users loaded, and one filter keystroke over 5,000 users.
//!
//!     cargo bench --bench ui
//!     IAMKEYS_BENCH_USERS=10000 cargo bench --bench ui     # a bigger account

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent};
use iamkeys::action::{Action, Loaded};
use iamkeys::keymap::Keymap;
use iamkeys::model::{
    AccessKey, CredentialReport, Identity, KeyStatus, LastUsed, Page, ReportKeySlot, ReportRow,
    User,
};
use iamkeys::state::{Posture, Session, State};
use iamkeys::ui::{Theme, render};
use iamkeys::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Users loaded: `IAMKEYS_BENCH_USERS`, else 5,000.
fn user_count() -> usize {
    std::env::var("IAMKEYS_BENCH_USERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000)
}

fn loaded(state: &State, result: Loaded) -> Action {
    Action::Loaded {
        generation: state.account.generation,
        result,
    }
}

/// 5,000 users (70% with a console password, 0-2 keys, some inactive),
/// loaded through `update` as the UI would.
/// A credential report generated for this load.
fn fresh_report(generated_at: DateTime<Utc>, rows: Vec<ReportRow>) -> CredentialReport {
    CredentialReport {
        generated_at,
        rows,
        rejected: Vec::new(),
        fresh: true,
        odd_date: false,
    }
}

fn session() -> Session {
    Session {
        profile: "bench".into(),
        demo: false,
        read_only: false,
        credentials_file: None,
        ledger: "the test's ledger".to_owned(),
        posture: Posture::default(),
        insecure_endpoint: None,
        switching: None,
        signing_in: false,
        org_settings: iamkeys::config::OrgSettings::default(),
        cloudtrail_regions: Vec::new(),
        regions: iamkeys::state::RegionChoice::Listed,
        cloudtrail_max_events: 500,
        enforce_rules: Vec::new(),
        notice_days: 7,
        opener: None,
    }
}

fn big_state() -> State {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    let session = session();
    let mut state = State::new(session, Keymap::default(), now);
    update(&mut state, Action::Resize(200, 50));
    update(&mut state, Action::Load);
    let users: Vec<User> = (0..user_count())
        .map(|i| User {
            name: format!("user-{i:05}"),
            arn: format!("arn:aws:iam::123456789012:user/user-{i:05}"),
            created: now - TimeDelta::days(i64::try_from(i % 900).unwrap_or(0)),
            password_last_used: None,
        })
        .collect();
    let keys_of = |i: usize, user: &User| -> Vec<AccessKey> {
        (0..i % 3)
            .map(|k| AccessKey {
                id: format!("AKIA{i:011}{k:05}"),
                user_name: user.name.clone(),
                status: if (i + k).is_multiple_of(5) {
                    KeyStatus::Inactive
                } else {
                    KeyStatus::Active
                },
                created: Some(user.created + TimeDelta::minutes(2)),
            })
            .collect()
    };
    let rows = users
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let keys = keys_of(i, user);
            let slot = |k: usize| {
                keys.get(k)
                    .map(|key| ReportKeySlot {
                        active: key.status == KeyStatus::Active,
                        last_rotated: key.created,
                        last_used: LastUsed {
                            date: (i % 4 != 0).then(|| now - TimeDelta::days(3)),
                            service: Some("s3".into()),
                            region: Some("us-east-1".into()),
                        },
                    })
                    .unwrap_or_default()
            };
            ReportRow {
                user: user.name.clone(),
                arn: user.arn.clone(),
                user_created: Some(user.created),
                password_enabled: i % 10 < 7,
                password_last_used: None,
                password_last_changed: None,
                mfa_active: i % 2 == 0,
                keys: [slot(0), slot(1)],
                certificates: None,
            }
        })
        .collect();
    let identity = Identity {
        account_id: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/bench".into(),
        access_key_id: None,
        alias: None,
        region: None,
    };
    let action = loaded(&state, Loaded::Identity(Ok(identity)));
    update(&mut state, action);
    for chunk in users.chunks(1000) {
        let action = loaded(
            &state,
            Loaded::UsersPage(Ok(Page {
                items: chunk.to_vec(),
                next_marker: None,
            })),
        );
        update(&mut state, action);
    }
    let action = loaded(
        &state,
        Loaded::CredentialReport(Ok(fresh_report(now, rows))),
    );
    update(&mut state, action);
    for (i, user) in users.iter().enumerate() {
        let action = loaded(
            &state,
            Loaded::Keys {
                user: user.name.clone(),
                result: Ok(keys_of(i, user)),
            },
        );
        update(&mut state, action);
    }
    assert_eq!(state.account.users().total(), user_count());
    state
}

fn benches(c: &mut Criterion) {
    let state = big_state();
    let theme = Theme::default();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|e| panic!("{e}"));
    let n = user_count();
    c.bench_function(&format!("render main screen 200x50, {n} users"), |b| {
        b.iter(|| {
            terminal
                .draw(|frame| render(black_box(&state), &theme, frame))
                .unwrap_or_else(|e| panic!("{e}"));
        });
    });

    let mut filtering = state.clone();
    update(
        &mut filtering,
        Action::Key(KeyEvent::from(KeyCode::Char('/'))),
    );
    update(
        &mut filtering,
        Action::Key(KeyEvent::from(KeyCode::Char('4'))),
    );
    // Two keystrokes per iteration: type a character, erase it.
    c.bench_function(
        &format!("filter: 2 keystrokes (type + erase) over {n} users"),
        |b| {
            b.iter(|| {
                update(
                    &mut filtering,
                    Action::Key(KeyEvent::from(KeyCode::Char('2'))),
                );
                update(
                    &mut filtering,
                    Action::Key(KeyEvent::from(KeyCode::Backspace)),
                );
            });
        },
    );
}

criterion_group!(ui, benches);
criterion_main!(ui);
