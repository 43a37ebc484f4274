//! Issue 36, a member's root keys deleted from the management account:
//! `d` on a member's root row opens a dialog confirmed by typing the
//! account ID; the change goes to the caller's own worker (never the
//! member's role session), bound to the member; its answer clears root's
//! finding; what cannot be done from here is said, and why.

use crossterm::event::KeyCode;
use iamkeys::account::RootKeys;
use iamkeys::account::org::Organization;
use iamkeys::action::{Action, Loaded, Mutated};
use iamkeys::audit::FindingId;
use iamkeys::effect::{Change, Effect};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::{
    CredentialReport, Identity, OrgAccount, Page, ROOT_ROW, ReportKeySlot, ReportRow, User,
};
use iamkeys::state::{Modal, State};
use iamkeys::update::update;

use crate::common::flows::{ch, key, typed};
use crate::common::screen::text;
use crate::common::states::{fresh, now};

pub(crate) const OWN: &str = "111111111111";
pub(crate) const DEV: &str = "222222222222";
const ROOT_KEY: &str = "AKIAROOTROOTROOT0001";

fn member(id: &str, action: Action) -> Action {
    Action::Member {
        account: id.into(),
        action: Box::new(action),
    }
}

fn loaded(id: &str, result: Loaded) -> Action {
    member(
        id,
        Action::Loaded {
            generation: 1,
            result,
        },
    )
}

fn report(id: &str) -> CredentialReport {
    let root_key = ReportKeySlot {
        active: true,
        last_rotated: Some(now() - chrono::TimeDelta::days(400)),
        ..ReportKeySlot::default()
    };
    CredentialReport {
        generated_at: now() - chrono::TimeDelta::minutes(5),
        rows: vec![ReportRow {
            user: ROOT_ROW.into(),
            arn: format!("arn:aws:iam::{id}:root"),
            user_created: Some(now() - chrono::TimeDelta::days(900)),
            password_enabled: false,
            password_last_used: None,
            password_last_changed: None,
            mfa_active: true,
            keys: [root_key, ReportKeySlot::default()],
            certificates: None,
        }],
        rejected: Vec::new(),
        fresh: true,
        odd_date: false,
    }
}

/// The organization (the caller's own account and dev), both loaded with a
/// root key each, root sessions as `features` says, and `open` entered.
pub(crate) fn in_account(features: &[&str], open: &str) -> State {
    let mut state = fresh();
    state.org = Some(Organization::new(
        "OrganizationAccountAccessRole".into(),
        "iamkeys-alice".into(),
        OWN.into(),
        4,
    ));
    update(&mut state, Action::Load);
    update(
        &mut state,
        Action::AccountsPage {
            generation: 1,
            result: Ok(Page {
                items: [(OWN, "management"), (DEV, "dev")]
                    .into_iter()
                    .map(|(id, name)| OrgAccount {
                        id: id.into(),
                        name: name.into(),
                        status: "ACTIVE".into(),
                    })
                    .collect(),
                next_marker: None,
            }),
        },
    );
    update(
        &mut state,
        Action::OrgFeatures {
            generation: 1,
            result: Ok(features.iter().map(|f| (*f).to_owned()).collect()),
        },
    );
    for id in [OWN, DEV] {
        update(
            &mut state,
            Action::MemberConnected {
                account: id.into(),
                result: Ok(()),
            },
        );
        let arn = if id == OWN {
            format!("arn:aws:iam::{id}:user/alice")
        } else {
            format!("arn:aws:sts::{id}:assumed-role/OrganizationAccountAccessRole/iamkeys-alice")
        };
        update(
            &mut state,
            loaded(
                id,
                Loaded::Identity(Ok(Identity {
                    account_id: id.into(),
                    arn,
                    access_key_id: None,
                    alias: None,
                    region: None,
                })),
            ),
        );
        update(
            &mut state,
            loaded(
                id,
                Loaded::UsersPage(Ok(Page {
                    items: vec![User {
                        name: "carol".into(),
                        arn: format!("arn:aws:iam::{id}:user/carol"),
                        created: now(),
                        password_last_used: None,
                    }],
                    next_marker: None,
                })),
            ),
        );
        update(
            &mut state,
            loaded(id, Loaded::CredentialReport(Ok(report(id)))),
        );
    }
    if open == DEV {
        update(&mut state, ch('j'));
    }
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.open_member().unwrap().info.id, open);
    update(&mut state, ch('g'));
    assert!(state.view.table.root_selected());
    assert!(
        state
            .account
            .root_findings()
            .iter()
            .any(|f| f.id == FindingId::RootAccessKey),
        "{:?}",
        state.account.root_findings()
    );
    state
}

fn type_in(state: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for action in typed(text) {
        effects.extend(update(state, action));
    }
    effects
}

#[test]
fn d_on_a_members_root_row_deletes_its_root_keys_from_the_management_account() {
    let mut state = in_account(&["RootCredentialsManagement", "RootSessions"], DEV);
    let screen = text(&state, 120, 30);
    assert!(screen.contains("d deletes the root keys from"), "{screen}");
    assert!(update(&mut state, ch('d')).is_empty());
    let Some(Modal::DeleteRootKeys(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal);
    };
    assert_eq!(dialog.account.account_id, DEV);
    assert_eq!(dialog.from, OWN);
    let screen = text(&state, 120, 30);
    assert!(screen.contains("Delete root access keys"), "{screen}");
    assert!(
        screen.contains("Root access keys: 1 active, 0 inactive"),
        "{screen}"
    );
    assert!(screen.contains("IAMDeleteRootUserCredentials"), "{screen}");

    // The management account's ID is not the member's: refused, kept open.
    assert!(type_in(&mut state, OWN).is_empty());
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    let Some(Modal::DeleteRootKeys(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal);
    };
    assert!(dialog.mismatch);
    assert!(text(&state, 120, 30).contains(&format!("That is not {DEV}")));
    for _ in 0..OWN.len() {
        update(&mut state, key(KeyCode::Backspace));
    }
    type_in(&mut state, DEV);
    let effects = update(&mut state, key(KeyCode::Enter));
    // Not wrapped for dev's worker: the caller's own worker assumes root.
    let [Effect::Mutate { id, change, actor }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(
        change,
        &Change::DeleteRootKeys {
            account: DEV.into(),
            from: OWN.into()
        }
    );
    assert_eq!(actor.account_id.as_deref(), Some(DEV));
    assert!(state.view.modal.is_none());
    // A second `d` while it is in flight is refused.
    update(&mut state, ch('d'));
    assert!(state.view.modal.is_none());
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("already being deleted")
    );
    // Esc waits for the answer.
    update(&mut state, key(KeyCode::Esc));
    assert!(!state.at_overview());

    update(
        &mut state,
        member(
            DEV,
            Action::Mutated {
                id: *id,
                result: Ok(Mutated::RootKeysDeleted(vec![ROOT_KEY.into()])),
            },
        ),
    );
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains(&format!(
            "Account {DEV}'s root access keys were deleted ({ROOT_KEY})"
        )),
        "{notice}"
    );
    assert!(state.account.root_findings().is_empty());
    assert_eq!(state.account.root_row().unwrap().keys, RootKeys::Has(false));
    // The report made before the deletion no longer speaks for root, even
    // when the account is loaded again and IAM hands back the same report.
    update(&mut state, ch('r'));
    update(
        &mut state,
        loaded(DEV, Loaded::CredentialReport(Ok(report(DEV)))),
    );
    assert!(
        !state
            .account
            .root_findings()
            .iter()
            .any(|f| f.id == FindingId::RootAccessKey)
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(state.at_overview());
}

#[test]
fn what_cannot_be_deleted_from_here_is_said_and_nothing_is_sent() {
    // The caller's own account: AssumeRoot reaches members only.
    let mut state = in_account(&["RootCredentialsManagement", "RootSessions"], OWN);
    assert!(update(&mut state, ch('d')).is_empty());
    assert!(state.view.modal.is_none());
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("only by its root user"),
        "{:?}",
        state.view.notice
    );

    // Root sessions not on: how to turn them on.
    let mut state = in_account(&["RootCredentialsManagement"], DEV);
    assert!(update(&mut state, ch('d')).is_empty());
    assert!(state.view.modal.is_none());
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("enable-organizations-root-sessions"),
        "{:?}",
        state.view.notice
    );

    // Read-only: the dialog says so and sends nothing.
    let mut state = in_account(&["RootSessions"], DEV);
    state.session.read_only = true;
    update(&mut state, ch('d'));
    type_in(&mut state, DEV);
    assert!(update(&mut state, key(KeyCode::Enter)).is_empty());
    assert!(state.view.notice.as_deref().unwrap().contains("Read-only"));
}

#[test]
fn a_refusal_says_whether_an_scp_or_the_feature_stopped_it() {
    for (detail, says) in [
        (
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRoot with an explicit deny in a service control policy",
            "service control policy denies sts:AssumeRoot",
        ),
        (
            "not authorized to perform: sts:AssumeRoot because root sessions are not enabled for the organization",
            "enable-organizations-root-sessions",
        ),
    ] {
        let mut state = in_account(&["RootSessions"], DEV);
        update(&mut state, ch('d'));
        type_in(&mut state, DEV);
        let effects = update(&mut state, key(KeyCode::Enter));
        let [Effect::Mutate { id, .. }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        update(
            &mut state,
            member(
                DEV,
                Action::Mutated {
                    id: *id,
                    result: Err(IamError::new(
                        ErrorKind::AccessDenied,
                        "sts:AssumeRoot",
                        detail,
                    )),
                },
            ),
        );
        let Some(Modal::Error { message, .. }) = &state.view.modal else {
            panic!("{:?}", state.view.modal);
        };
        assert!(message.contains(says), "{message}");
        // Nothing was deleted: root's finding stays.
        assert!(
            state
                .account
                .root_findings()
                .iter()
                .any(|f| f.id == FindingId::RootAccessKey)
        );
    }
}
