//! Pure `update` tests for loading: which calls are asked for, how results
//! fold in, and that stale results are dropped.

use chrono::TimeDelta;
use iamkeys::action::{Action, Loaded};
use iamkeys::effect::{Call, Effect};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::{AccessKey, Identity, KeyStatus, Page, User};
use iamkeys::state::{IdentityStatus, KeysState, ListStatus, ReportStatus};
use iamkeys::update::update;

use crate::common::states::{fresh, iam_user as user, loaded, loading, now};

fn calls(effects: &[Effect]) -> Vec<Call> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Iam { call, .. } => Some(call.clone()),
            _ => None,
        })
        .collect()
}

fn page(names: &[&str], next: Option<&str>) -> Loaded {
    Loaded::UsersPage(Ok(Page {
        items: names.iter().map(|n| user(n)).collect(),
        next_marker: next.map(ToOwned::to_owned),
    }))
}

#[test]
fn load_asks_for_identity_users_and_report_at_once() {
    let mut state = iamkeys::state::State::new(
        crate::common::states::session(),
        iamkeys::keymap::Keymap::default(),
        now(),
    );
    let effects = update(&mut state, Action::Load);
    assert_eq!(state.account.generation, 1);
    assert_eq!(
        calls(&effects),
        [
            Call::Identity,
            Call::ListUsers { marker: None },
            Call::CredentialReport,
            Call::AllTags { marker: None },
            Call::Ledger,
            // Every user's service-specific credentials, in one walk.
            Call::ServiceCredentials,
            // IAM Access Analyzer's verdicts (issue 37).
            Call::AwsFindings,
        ]
    );
    assert!(
        effects
            .iter()
            .all(|e| matches!(e, Effect::Iam { generation: 1, .. }))
    );
    assert_eq!(state.account.pending(), 7);
}

#[test]
fn a_truncated_page_asks_for_the_next_and_queues_keys_selected_first() {
    let mut state = loading();
    let action = loaded(&state, page(&["bob", "alice"], Some("m1")));
    let effects = calls(&update(&mut state, action));
    assert_eq!(
        effects[0],
        Call::ListUsers {
            marker: Some("m1".into())
        }
    );
    // The selected user (alice, first by name) skips the queue, details included.
    assert_eq!(
        effects[1],
        Call::UserExtras {
            user: "alice".into()
        }
    );
    assert_eq!(
        effects[2],
        Call::ListKeys {
            user: "alice".into(),
            priority: true
        }
    );
    assert_eq!(
        effects[3],
        Call::ListKeys {
            user: "bob".into(),
            priority: false
        }
    );
    // Then each listed user's SSH keys and signing certificates (issue 36).
    assert_eq!(
        effects[4..],
        [
            Call::Credentials {
                user: "bob".into(),
                certificates: true,
                service: false
            },
            Call::Credentials {
                user: "alice".into(),
                certificates: true,
                service: false
            }
        ]
    );
    assert_eq!(effects.len(), 6);
    assert_eq!(state.account.list, ListStatus::Loading { pages: 1 });

    let action = loaded(&state, page(&["carol"], None));
    let effects = calls(&update(&mut state, action));
    assert_eq!(
        effects,
        [
            Call::ListKeys {
                user: "carol".into(),
                priority: false
            },
            Call::Credentials {
                user: "carol".into(),
                certificates: true,
                service: false
            }
        ]
    );
    assert_eq!(state.account.list, ListStatus::Done { pages: 2 });
    assert_eq!(
        state
            .view
            .table
            .names_in_view(state.account.users())
            .collect::<Vec<_>>(),
        ["alice", "bob", "carol"]
    );
}

#[test]
fn results_of_an_earlier_generation_are_dropped() {
    let mut state = loading();
    let old = state.account.generation;
    update(
        &mut state,
        Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('r'),
        )),
    );
    assert_eq!(state.account.generation, old + 1);
    let pending = state.account.pending();
    let effects = update(
        &mut state,
        Action::Loaded {
            generation: old,
            result: page(&["ghost"], None),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(
        state.account.users().total(),
        0,
        "a stale page never reaches the table"
    );
    assert_eq!(state.account.pending(), pending);
}

#[test]
fn identity_failure_is_shown_with_the_fix() {
    let mut state = loading();
    let err = IamError::new(
        ErrorKind::NoCredentials,
        "sts:GetCallerIdentity",
        "no providers",
    );
    let action = loaded(&state, Loaded::Identity(Err(err)));
    update(&mut state, action);
    assert!(matches!(state.account.identity, IdentityStatus::Failed(_)));
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains("No credentials found for profile 'test'")
            && notice.contains("aws configure --profile test")
            && notice.contains("pick another profile with p"),
        "issue 23 item 3: one line, what is missing and the fixes: {notice}"
    );
    let ok = Identity {
        account_id: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/me".into(),
        access_key_id: None,
        alias: None,
        region: None,
    };
    update(&mut state, Action::Load);
    let action = loaded(&state, Loaded::Identity(Ok(ok.clone())));
    update(&mut state, action);
    assert_eq!(state.account.identity, IdentityStatus::Known(ok));
}

#[test]
fn a_denied_report_falls_back_to_per_user_calls() {
    let mut state = loading();
    let action = loaded(&state, page(&["alice", "bob"], None));
    update(&mut state, action);
    let key = AccessKey {
        id: "AKIAALICE".into(),
        user_name: "alice".into(),
        status: KeyStatus::Active,
        created: Some(now()),
    };
    let action = loaded(
        &state,
        Loaded::Keys {
            user: "alice".into(),
            result: Ok(vec![key]),
        },
    );
    update(&mut state, action);
    let denied = IamError::new(
        ErrorKind::AccessDenied,
        "iam:GenerateCredentialReport",
        "denied",
    );
    let action = loaded(&state, Loaded::CredentialReport(Err(denied)));
    let effects = calls(&update(&mut state, action));
    assert!(matches!(state.account.report, ReportStatus::Denied(_)));
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("per-user calls")
    );
    assert!(effects.contains(&Call::UserDetails {
        user: "alice".into(),
        mfa: true
    }));
    assert!(effects.contains(&Call::UserDetails {
        user: "bob".into(),
        mfa: true
    }));
    assert!(effects.contains(&Call::LastUsed {
        user: "alice".into(),
        key_id: "AKIAALICE".into()
    }));
    // Keys listed after the denial ask for their last use too.
    let key = AccessKey {
        id: "AKIABOB".into(),
        user_name: "bob".into(),
        status: KeyStatus::Inactive,
        created: Some(now()),
    };
    let action = loaded(
        &state,
        Loaded::Keys {
            user: "bob".into(),
            result: Ok(vec![key]),
        },
    );
    let effects = calls(&update(&mut state, action));
    assert_eq!(
        effects,
        [Call::LastUsed {
            user: "bob".into(),
            key_id: "AKIABOB".into()
        }]
    );
    let action = loaded(
        &state,
        Loaded::UserDetails {
            user: "bob".into(),
            password: Ok(Some(iamkeys::model::LoginProfile { created: None })),
            mfa: Some(Ok(false)),
        },
    );
    update(&mut state, action);
    let bob = state.account.users().get("bob").unwrap();
    assert_eq!((bob.password, bob.mfa), (Some(true), Some(false)));
}

#[test]
fn a_failed_listing_is_shown_and_r_retries() {
    let mut state = loading();
    let err = IamError::new(ErrorKind::Network, "iam:ListUsers", "connection refused");
    let action = loaded(&state, Loaded::UsersPage(Err(err)));
    update(&mut state, action);
    assert!(matches!(state.account.list, ListStatus::Failed(_)));
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("Cannot reach the IAM endpoint")
    );
    let effects = update(
        &mut state,
        Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('r'),
        )),
    );
    assert_eq!(calls(&effects)[1], Call::ListUsers { marker: None });
    assert_eq!(state.account.list, ListStatus::Loading { pages: 0 });
}

#[test]
fn a_user_deleted_meanwhile_is_said_plainly() {
    let mut state = loading();
    let action = loaded(&state, page(&["alice"], None));
    update(&mut state, action);
    let gone = IamError::new(
        ErrorKind::NoSuchEntity,
        "iam:ListAccessKeys",
        "The user with name alice cannot be found.",
    );
    let action = loaded(
        &state,
        Loaded::Keys {
            user: "alice".into(),
            result: Err(gone),
        },
    );
    update(&mut state, action);
    assert!(matches!(
        state.account.users().get("alice").unwrap().keys,
        KeysState::Failed(_)
    ));
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("no longer exists")
    );
}

#[test]
fn ticks_move_the_clock_and_the_spinner_only_while_loading() {
    let mut state = fresh();
    let asked = update(&mut state, Action::Load);
    let later = now() + TimeDelta::seconds(5);
    update(&mut state, Action::Tick(later));
    assert_eq!(state.now, later);
    assert_eq!(state.view.spinner, 1);
    for effect in &asked {
        state.account.withdraw(effect);
    }
    assert_eq!(state.account.pending(), 0);
    update(&mut state, Action::Tick(later));
    assert_eq!(state.view.spinner, 1);
}

fn users(names: &[&str]) -> Vec<User> {
    names
        .iter()
        .map(|name| User {
            name: (*name).to_owned(),
            arn: format!("arn:aws:iam::1:user/{name}"),
            created: now() - TimeDelta::days(10),
            password_last_used: None,
        })
        .collect()
}

/// Issue 12, item 9: a key ID typed into `/` before that user's keys are
/// listed matches once they arrive (the filter is re-applied), and lands
/// on the user.
#[test]
fn a_key_id_typed_while_loading_matches_when_the_keys_arrive() {
    let mut state = loading();
    let page = Page {
        items: users(&["alice", "bob", "carol"]),
        next_marker: None,
    };
    let action = loaded(&state, Loaded::UsersPage(Ok(page)));
    update(&mut state, action);
    update(&mut state, crate::common::flows::ch('/'));
    for action in crate::common::flows::typed("AKIABOBKEY0001") {
        update(&mut state, action);
    }
    assert_eq!(
        state.view.table.len(),
        0,
        "no key listed yet: nothing matches"
    );
    let key = AccessKey {
        id: "AKIABOBKEY0001".into(),
        user_name: "bob".into(),
        status: KeyStatus::Active,
        created: Some(now()),
    };
    let action = loaded(
        &state,
        Loaded::Keys {
            user: "bob".into(),
            result: Ok(vec![key]),
        },
    );
    update(&mut state, action);
    assert_eq!(
        state
            .view
            .table
            .names_in_view(state.account.users())
            .collect::<Vec<_>>(),
        ["bob"]
    );
    assert_eq!(state.selected_user().unwrap().user.name, "bob");
}

/// Issue 12, item 8: groups and tags fail on their own; a denied
/// `ListUserTags` loses the key descriptions, not the groups.
#[test]
fn a_denied_list_user_tags_keeps_the_groups() {
    let mut state = loading();
    let page = Page {
        items: users(&["alice"]),
        next_marker: None,
    };
    let action = loaded(&state, Loaded::UsersPage(Ok(page)));
    update(&mut state, action);
    let action = loaded(
        &state,
        Loaded::UserExtras {
            user: "alice".into(),
            extras: iamkeys::account::users::Extras {
                groups: Ok(vec!["admins".into()]),
                tags: Err(IamError::new(
                    ErrorKind::AccessDenied,
                    "iam:ListUserTags",
                    "no",
                )),
            },
        },
    );
    update(&mut state, action);
    let screen = crate::common::screen::text(&state, 160, 30);
    assert!(screen.contains("groups: admins"), "{screen}");
}

/// Without a credential report, root's keys come from `GetAccountSummary`:
/// present is the `root_access_key` finding; unanswered, root is a gap.
#[test]
fn without_a_report_root_keys_come_from_the_account_summary() {
    let mut state = loading();
    let denied = IamError::new(ErrorKind::AccessDenied, "iam:GetCredentialReport", "no");
    let action = loaded(&state, Loaded::CredentialReport(Err(denied)));
    let effects = update(&mut state, action);
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Iam {
            call: Call::RootKeys,
            ..
        }
    )));
    assert!(state.account.audit_incomplete(), "root not checked yet");
    let action = loaded(&state, Loaded::RootKeys(Ok(true)));
    update(&mut state, action);
    assert_eq!(state.account.root_findings().len(), 1);
    assert_eq!(
        state.account.root_findings()[0].id,
        iamkeys::audit::FindingId::RootAccessKey
    );
    assert!(!state.account.audit_incomplete(), "root checked");
    let failed = IamError::new(ErrorKind::AccessDenied, "iam:GetAccountSummary", "no");
    let action = loaded(&state, Loaded::RootKeys(Err(failed)));
    update(&mut state, action);
    assert!(state.account.root_findings().is_empty());
    assert_eq!(
        iamkeys::account::gaps::lines(&state.account.gaps()),
        [
            "iam:GetAccountSummary denied: root access keys not checked for the root user; root_access_key cannot be judged"
        ]
    );
}

/// Issue 14, item 2: counters derived from the users live behind the
/// account's methods and cannot drift. A user's keys re-listed after a
/// change were counted a second time, so the account never again read as
/// "every key known".
#[tokio::test]
async fn a_re_list_after_a_change_keeps_the_counts_true() {
    let mut state = crate::common::states::demo_loaded().await;
    let total = state.account.users().total();
    assert_eq!(state.account.users_with_keys(), total);
    assert!(state.account.all_keys_known());
    let (user, key_id) = {
        let row = state
            .account
            .users()
            .rows()
            .find(|r| r.listed_keys().is_some_and(|k| !k.is_empty()))
            .unwrap();
        (
            row.user.name.clone(),
            row.listed_keys().unwrap()[0].id.clone(),
        )
    };
    let id = state.account.send(
        iamkeys::effect::Change::SetStatus {
            user: user.clone(),
            key_id,
            status: KeyStatus::Inactive,
        },
        iamkeys::effect::Actor::default(),
    );
    let effects = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(iamkeys::action::Mutated::StatusSet),
        },
    );
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Iam { call: Call::ListKeys { user: u, priority: true }, .. } if *u == user
    )));
    assert_eq!(
        state.account.users_with_keys(),
        total - 1,
        "being re-listed, not known"
    );
    let action = loaded(
        &state,
        Loaded::Keys {
            user,
            result: Ok(Vec::<AccessKey>::new()),
        },
    );
    update(&mut state, action);
    assert_eq!(state.account.users_with_keys(), total);
    assert!(state.account.all_keys_known());
}

/// Issue 23 item 3: an account that could not be read (no credentials)
/// never reads as clean: the header says `Findings: —`, not `0`.
#[test]
fn an_account_that_could_not_be_read_has_no_findings_count() {
    let mut state = loading();
    let none = IamError::new(
        ErrorKind::NoCredentials,
        "iam:ListUsers",
        "no credentials in the chain",
    );
    let action = loaded(&state, Loaded::Identity(Err(none.clone())));
    update(&mut state, action);
    let action = loaded(&state, Loaded::UsersPage(Err(none)));
    update(&mut state, action);
    let text = crate::common::screen::text(&state, 120, 30);
    assert!(text.contains("Findings: —"), "{text}");
    assert!(!text.contains("Findings: 0"), "{text}");
}

/// Issue 39 item 1: with a report IAM already had (up to 4 hours old), a
/// key it shows last used long enough ago for `unused_key` may have been
/// used since: its last use is asked. A key it shows used recently enough
/// is not (a use since cannot change a finding).
#[test]
fn an_old_report_use_that_makes_a_key_unused_is_checked_a_recent_one_is_not() {
    use iamkeys::model::{CredentialReport, LastUsed, ReportKeySlot, ReportRow};
    let mut state = loading();
    let action = loaded(&state, page(&["long-ago", "recent"], None));
    update(&mut state, action);
    let made = now() - TimeDelta::days(200);
    let row = |name: &str, used_days_ago: i64| ReportRow {
        user: name.into(),
        arn: user(name).arn,
        user_created: Some(made),
        password_enabled: false,
        password_last_used: None,
        password_last_changed: None,
        mfa_active: false,
        keys: [
            ReportKeySlot {
                active: true,
                last_rotated: Some(made),
                last_used: LastUsed {
                    date: Some(now() - TimeDelta::days(used_days_ago)),
                    service: Some("s3".into()),
                    region: Some("us-east-1".into()),
                },
            },
            ReportKeySlot::default(),
        ],
        certificates: None,
    };
    let report = CredentialReport {
        generated_at: now() - TimeDelta::hours(3),
        rows: vec![row("long-ago", 100), row("recent", 3)],
        rejected: Vec::new(),
        fresh: false,
        odd_date: false,
    };
    let action = loaded(&state, Loaded::CredentialReport(Ok(report)));
    update(&mut state, action);
    let mut asked = Vec::new();
    for name in ["long-ago", "recent"] {
        let key = AccessKey {
            id: format!("AKIA{}", name.to_uppercase().replace('-', "")),
            user_name: name.into(),
            status: KeyStatus::Active,
            created: Some(made),
        };
        let action = loaded(
            &state,
            Loaded::Keys {
                user: name.into(),
                result: Ok(vec![key]),
            },
        );
        asked.extend(
            calls(&update(&mut state, action))
                .into_iter()
                .filter(|c| matches!(c, Call::LastUsed { .. })),
        );
    }
    assert_eq!(
        asked,
        [Call::LastUsed {
            user: "long-ago".into(),
            key_id: "AKIALONGAGO".into()
        }],
        "only the key the old report shows unused"
    );
}

/// Issue 39 item 4: keys dated in one load are recorded one by one, but the
/// ledger is read again once, when the last of them is recorded — not after
/// each (at 10,000 users that was a read and a whole re-audit per key).
#[test]
fn the_ledger_is_read_again_once_every_key_being_dated_is_recorded() {
    let mut state = loading();
    let action = loaded(&state, page(&["a", "b"], None));
    update(&mut state, action);
    let action = loaded(&state, crate::common::states::ledger_loaded(&[]));
    update(&mut state, action);
    let mut dating = Vec::new();
    for name in ["a", "b"] {
        let key = AccessKey {
            id: format!("AKIAINACTIVE{}", name.to_uppercase()),
            user_name: name.into(),
            status: KeyStatus::Inactive,
            created: Some(now() - TimeDelta::days(30)),
        };
        let action = loaded(
            &state,
            Loaded::Keys {
                user: name.into(),
                result: Ok(vec![key]),
            },
        );
        dating.extend(
            calls(&update(&mut state, action))
                .into_iter()
                .filter(|c| matches!(c, Call::DateInactive { .. })),
        );
    }
    assert_eq!(dating.len(), 2, "{dating:?}");
    let dated = |state: &iamkeys::state::State, call: &Call| {
        let Call::DateInactive { user, key_id } = call else {
            unreachable!()
        };
        loaded(
            state,
            Loaded::InactiveDated {
                user: user.clone(),
                key_id: key_id.clone(),
                recorded: Ok(()),
                cloudtrail: Ok(()),
            },
        )
    };
    let action = dated(&state, &dating[0]);
    let first = calls(&update(&mut state, action));
    assert!(
        !first.contains(&Call::Ledger),
        "another key is still being dated: {first:?}"
    );
    let action = dated(&state, &dating[1]);
    let last = calls(&update(&mut state, action));
    assert_eq!(
        last.iter().filter(|c| **c == Call::Ledger).count(),
        1,
        "{last:?}"
    );
}

/// `report`'s account (no `--key-ids`): users listed, then a credential
/// report whose `fresh` is given; the `Credentials` calls asked.
fn report_mode_credentials(report: Result<bool, IamError>, report_first: bool) -> Vec<Call> {
    use iamkeys::account::Account;
    let mut account = Account::new(iamkeys::audit::Thresholds::default(), false, now());
    let mut asked: Vec<Call> = Vec::new();
    let take = |effects: Vec<Effect>, asked: &mut Vec<Call>| {
        asked.extend(
            calls(&effects)
                .into_iter()
                .filter(|c| matches!(c, Call::Credentials { .. })),
        );
    };
    let effects = account.start_load();
    take(effects, &mut asked);
    let answer = match report {
        Ok(fresh) => Loaded::CredentialReport(Ok(iamkeys::model::CredentialReport {
            generated_at: now() - TimeDelta::hours(2),
            rows: Vec::new(),
            rejected: Vec::new(),
            fresh,
            odd_date: false,
        })),
        Err(err) => Loaded::CredentialReport(Err(err)),
    };
    let users = page(&["a", "b"], None);
    let answers = if report_first {
        [answer, users]
    } else {
        [users, answer]
    };
    for answer in answers {
        let step = account.on_loaded(answer, now(), &mut |_| None);
        take(step.effects, &mut asked);
    }
    asked
}

/// Issue 39 item 1: a credential report, even one IAM already had, speaks
/// for signing certificates (one made since cannot be old), so `report`
/// lists only SSH keys; without a report every user's certificates are
/// listed — also for users asked before the report failed.
#[test]
fn certificates_are_listed_only_where_no_report_speaks_for_them() {
    for (fresh, report_first) in [(true, false), (false, false), (true, true), (false, true)] {
        let asked = report_mode_credentials(Ok(fresh), report_first);
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert!(
            asked.iter().all(|c| matches!(
                c,
                Call::Credentials {
                    certificates: false,
                    ..
                }
            )),
            "fresh {fresh}, report first {report_first}: {asked:?}"
        );
    }
    let denied = IamError::new(
        ErrorKind::AccessDenied,
        "iam:GenerateCredentialReport",
        "denied",
    );
    for report_first in [false, true] {
        let asked = report_mode_credentials(Err(denied.clone()), report_first);
        for user in ["a", "b"] {
            assert!(
                asked.iter().any(|c| matches!(
                    c,
                    Call::Credentials { user: u, certificates: true, .. } if u == user
                )),
                "{user}: {asked:?}"
            );
        }
    }
}
