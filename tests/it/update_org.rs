//! Issue 15, the pure steps of `--org`: listing pages start accounts a few
//! at a time, a member's answers land in its own account (on screen or
//! not), `Enter` and `Esc` go in and out, and what cannot be audited says
//! why.

use crossterm::event::KeyCode;
use iamkeys::account::org::{MemberStatus, Organization};
use iamkeys::action::{Action, Loaded};
use iamkeys::effect::{Call, Effect};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::{Identity, OrgAccount, Page, User};
use iamkeys::state::{Modal, State};
use iamkeys::update::update;

use crate::common::flows::{ch, key};
use crate::common::states::{fresh, now};

const OWN: &str = "111111111111";

fn account(id: &str, name: &str, status: &str) -> OrgAccount {
    OrgAccount {
        id: id.into(),
        name: name.into(),
        status: status.into(),
    }
}

fn org_state(at_once: usize) -> State {
    let mut state = fresh();
    state.org = Some(Organization::new(
        "OrganizationAccountAccessRole".into(),
        "iamkeys-alice".into(),
        OWN.into(),
        at_once,
    ));
    state
        .session
        .org_settings
        .read_only_accounts
        .insert("sandbox".into(), true);
    state
}

fn page(items: Vec<OrgAccount>, next: Option<&str>) -> Action {
    Action::AccountsPage {
        generation: 1,
        result: Ok(Page {
            items,
            next_marker: next.map(ToOwned::to_owned),
        }),
    }
}

/// The management account, dev, a suspended account and sandbox (read-only
/// by the config), in one page.
fn four_accounts(next: Option<&str>) -> Action {
    page(
        vec![
            account(OWN, "management", "ACTIVE"),
            account("222222222222", "dev", "ACTIVE"),
            account("333333333333", "closed", "SUSPENDED"),
            account("444444444444", "sandbox", "ACTIVE"),
        ],
        next,
    )
}

fn member(id: &str, action: Action) -> Action {
    Action::Member {
        account: id.into(),
        action: Box::new(action),
    }
}

fn connected(id: &str) -> Action {
    Action::MemberConnected {
        account: id.into(),
        result: Ok(()),
    }
}

fn status(state: &State, id: &str) -> MemberStatus {
    let org = state.org.as_ref().unwrap();
    org.members[org.index_of(id).unwrap()].status.clone()
}

/// The IAM calls of `effects` for member `id`, unwrapped.
fn calls_for(effects: &[Effect], id: &str) -> Vec<(u64, Call)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Member { account, effect } if account == id => match effect.as_ref() {
                Effect::Iam { generation, call } => Some((*generation, call.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Answer a member's first three calls: identity, one page of users, a
/// credential report IAM made for the run (so no key listing is needed).
fn load_member(state: &mut State, id: &str, users: &[&str]) -> Vec<Effect> {
    let identity = Identity {
        account_id: id.into(),
        arn: format!("arn:aws:sts::{id}:assumed-role/OrganizationAccountAccessRole/iamkeys-alice"),
        access_key_id: None,
        alias: None,
        region: None,
    };
    let mut effects = update(
        state,
        member(
            id,
            Action::Loaded {
                generation: 1,
                result: Loaded::Identity(Ok(identity)),
            },
        ),
    );
    let users: Vec<User> = users
        .iter()
        .map(|name| User {
            name: (*name).into(),
            arn: format!("arn:aws:iam::{id}:user/{name}"),
            created: now(),
            password_last_used: None,
        })
        .collect();
    effects.extend(update(
        state,
        member(
            id,
            Action::Loaded {
                generation: 1,
                result: Loaded::UsersPage(Ok(Page {
                    items: users,
                    next_marker: None,
                })),
            },
        ),
    ));
    effects
}

#[test]
fn pages_start_accounts_a_few_at_a_time_and_skip_the_suspended() {
    let mut state = org_state(2);
    let effects = update(&mut state, Action::Load);
    assert_eq!(
        effects,
        [
            Effect::ListAccounts {
                generation: 1,
                next: None
            },
            // Issue 36: whether root credentials are managed centrally.
            Effect::OrgFeatures { generation: 1 }
        ]
    );
    let effects = update(&mut state, four_accounts(Some("p2")));
    assert_eq!(
        effects,
        [
            Effect::ListAccounts {
                generation: 1,
                next: Some("p2".into())
            },
            Effect::ConnectMember {
                account: account(OWN, "management", "ACTIVE")
            },
            Effect::ConnectMember {
                account: account("222222222222", "dev", "ACTIVE")
            },
        ],
        "two at once; the listing goes on meanwhile"
    );
    assert_eq!(
        status(&state, "333333333333"),
        MemberStatus::Skipped("suspended: skipped".into())
    );
    assert_eq!(status(&state, "444444444444"), MemberStatus::Waiting);

    // dev's role is refused: classified, and sandbox's turn comes.
    let effects = update(
        &mut state,
        Action::MemberConnected {
            account: "222222222222".into(),
            result: Err(IamError::new(
                ErrorKind::AccessDenied,
                "sts:AssumeRole",
                "not authorized to perform sts:AssumeRole",
            )),
        },
    );
    assert!(
        matches!(status(&state, "222222222222"), MemberStatus::Failed(f) if f.class() == "role_denied")
    );
    assert_eq!(
        effects,
        [Effect::ConnectMember {
            account: account("444444444444", "sandbox", "ACTIVE")
        }]
    );

    // The management account is reached: its load starts on its own worker.
    let effects = update(&mut state, connected(OWN));
    let calls: Vec<Call> = calls_for(&effects, OWN)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(
        calls,
        [
            Call::Identity,
            Call::ListUsers { marker: None },
            Call::CredentialReport,
            Call::AllTags { marker: None },
            Call::Ledger,
            Call::ServiceCredentials,
            Call::AwsFindings,
        ]
    );
    assert_eq!(status(&state, OWN), MemberStatus::Loading);

    // Its answers land in its own account, off screen.
    load_member(&mut state, OWN, &["alice", "bob"]);
    let org = state.org.as_ref().unwrap();
    let own = &org.members[org.index_of(OWN).unwrap()];
    assert_eq!(own.account.users().total(), 2);
    assert_eq!(
        state.account.users().total(),
        0,
        "the screen's account is untouched"
    );
    assert_eq!(
        status(&state, OWN),
        MemberStatus::Loading,
        "the report is still out"
    );

    // An old listing's page is dropped after `r`.
    update(&mut state, ch('r'));
    assert!(state.org.as_ref().unwrap().members.is_empty());
    let old_page = Action::AccountsPage {
        generation: 1,
        result: Ok(Page {
            items: vec![account("555555555555", "late", "ACTIVE")],
            next_marker: None,
        }),
    };
    assert!(update(&mut state, old_page).is_empty());
    assert!(state.org.as_ref().unwrap().members.is_empty());
}

#[test]
fn enter_opens_an_account_and_esc_comes_back_to_the_same_row() {
    let mut state = org_state(4);
    update(&mut state, Action::Load);
    update(&mut state, four_accounts(None));
    update(&mut state, connected("222222222222"));
    load_member(&mut state, "222222222222", &["carol"]);

    // Not reached yet: said, nothing opens.
    update(&mut state, key(KeyCode::Enter));
    assert!(state.at_overview());
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("not reached yet")
    );

    // Suspended: skipped, nothing opens.
    update(&mut state, ch('j'));
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    assert!(state.at_overview());
    assert!(state.view.notice.as_deref().unwrap().contains("skipped"));

    // Into dev: its users on screen; calls go to dev's worker.
    update(&mut state, ch('k'));
    let effects = update(&mut state, key(KeyCode::Enter));
    assert!(!state.at_overview());
    assert_eq!(state.open_member().unwrap().info.name, "dev");
    assert_eq!(state.selected_user().unwrap().user.name, "carol");
    assert!(
        effects
            .iter()
            .all(|e| matches!(e, Effect::Member { account, .. } if account == "222222222222")),
        "{effects:?}"
    );
    assert!(!state.session.read_only);
    let target = state.change_target().unwrap();
    assert_eq!(target.account_id, "222222222222");
    assert_eq!(target.alias.as_deref(), Some("dev"));
    assert_eq!(
        target.role_session.as_deref(),
        Some("OrganizationAccountAccessRole/iamkeys-alice")
    );
    assert!(
        target
            .label()
            .contains("role session OrganizationAccountAccessRole/iamkeys-alice")
    );

    // An answer for dev while it is open lands on screen.
    let effects = update(
        &mut state,
        member(
            "222222222222",
            Action::Loaded {
                generation: 1,
                result: Loaded::Keys {
                    user: "carol".into(),
                    result: Ok(Vec::new()),
                },
            },
        ),
    );
    assert!(effects.iter().all(|e| matches!(e, Effect::Member { .. })));
    assert_eq!(
        state.selected_user().unwrap().listed_keys().map(<[_]>::len),
        Some(0)
    );

    // Esc: back to the overview, on dev's row, with dev's data kept.
    update(&mut state, key(KeyCode::Esc));
    assert!(state.at_overview());
    let org = state.org.as_ref().unwrap();
    assert_eq!(
        state.view.overview.selected_member(org).unwrap().info.name,
        "dev"
    );
    assert_eq!(org.members[1].account.users().total(), 1);
    assert_eq!(state.account.users().total(), 0);
}

#[test]
fn a_failed_account_says_why_and_read_only_is_per_account() {
    let mut state = org_state(4);
    update(&mut state, Action::Load);
    update(
        &mut state,
        page(
            vec![
                account("222222222222", "dev", "ACTIVE"),
                account("444444444444", "sandbox", "ACTIVE"),
            ],
            None,
        ),
    );
    update(
        &mut state,
        Action::MemberConnected {
            account: "222222222222".into(),
            result: Err(IamError::new(
                ErrorKind::AccessDenied,
                "sts:AssumeRole",
                "explicit deny in a service control policy",
            )),
        },
    );
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Error { title, message }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(title.contains("dev (222222222222)"), "{title}");
    assert!(message.starts_with("SCP denied"), "{message}");
    update(&mut state, key(KeyCode::Esc));

    // sandbox is read-only by the config ([org.read_only_accounts]).
    update(&mut state, connected("444444444444"));
    load_member(&mut state, "444444444444", &["dave"]);
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.open_member().unwrap().info.name, "sandbox");
    assert!(state.session.read_only);
    update(&mut state, key(KeyCode::Esc));
    assert!(state.at_overview());
    assert!(!state.session.read_only, "read-only was sandbox's");
}

#[test]
fn leaving_an_account_waits_for_its_change_and_a_profile_switch_leaves_the_organization() {
    let mut state = org_state(4);
    // No `sandbox` in this listing: the fixture's [org] entry would match
    // nothing (an error that makes every account read-only).
    state.session.org_settings.read_only_accounts.clear();
    update(&mut state, Action::Load);
    update(
        &mut state,
        page(vec![account("222222222222", "dev", "ACTIVE")], None),
    );
    update(&mut state, connected("222222222222"));
    load_member(&mut state, "222222222222", &["carol"]);
    update(&mut state, key(KeyCode::Enter));
    state.account.send(
        iamkeys::effect::Change::Create {
            user: "carol".into(),
            rotating: None,
        },
        iamkeys::effect::Actor::default(),
    );
    update(&mut state, key(KeyCode::Esc));
    assert!(!state.at_overview(), "a change is in flight");
    assert!(state.view.notice.as_deref().unwrap().contains("in flight"));

    let mut state = org_state(4);
    update(&mut state, Action::Load);
    update(
        &mut state,
        Action::ProfileSwitched {
            profile: "prod".into(),
            identity: Identity {
                account_id: "999999999999".into(),
                arn: "arn:aws:iam::999999999999:user/x".into(),
                access_key_id: None,
                alias: None,
                region: None,
            },
            insecure_endpoint: None,
        },
    );
    assert!(state.org.is_none());
    assert!(!state.at_overview());
    assert!(state.view.notice.as_deref().unwrap().contains("--org"));
}

#[test]
fn the_overview_filters_and_sorts() {
    let mut state = org_state(1);
    // No `sandbox` in this listing: the fixture's [org] entry would match
    // nothing (an error that makes every account read-only).
    state.session.org_settings.read_only_accounts.clear();
    update(&mut state, Action::Load);
    update(
        &mut state,
        page(
            vec![
                account("222222222222", "dev", "ACTIVE"),
                account("444444444444", "Sandbox", "ACTIVE"),
                account("555555555555", "prod", "ACTIVE"),
            ],
            None,
        ),
    );
    let names = |state: &State| -> Vec<String> {
        let org = state.org.as_ref().unwrap();
        state
            .view
            .overview
            .order(org)
            .into_iter()
            .map(|i| org.members[i].info.name.clone())
            .collect()
    };
    update(&mut state, ch('s'));
    assert_eq!(names(&state), ["dev", "prod", "Sandbox"], "by name");
    update(&mut state, ch('/'));
    for c in "sand".chars() {
        update(&mut state, ch(c));
    }
    assert_eq!(names(&state), ["Sandbox"], "by name, any case");
    update(&mut state, key(KeyCode::Enter));
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(names(&state).len(), 3, "Esc clears the filter");
    update(&mut state, ch('/'));
    for c in "5555".chars() {
        update(&mut state, ch(c));
    }
    assert_eq!(names(&state), ["prod"], "by ID");
}

/// The overview as drawn: one row per account, each with where it stands.
#[test]
fn the_overview_is_drawn_with_each_accounts_standing() {
    let mut state = org_state(2);
    update(&mut state, Action::Load);
    update(&mut state, four_accounts(None));
    update(
        &mut state,
        Action::MemberConnected {
            account: "222222222222".into(),
            result: Err(IamError::new(
                ErrorKind::AccessDenied,
                "sts:AssumeRole",
                "not authorized",
            )),
        },
    );
    update(&mut state, connected(OWN));
    load_member(&mut state, OWN, &["alice", "bob"]);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 16)).unwrap();
    terminal
        .draw(|frame| iamkeys::ui::render(&state, &iamkeys::ui::Theme::default(), frame))
        .unwrap();
    let text = terminal.backend().to_string();
    assert!(text.contains("role denied"), "{text}");
    assert!(text.contains("suspended: skipped"), "{text}");
    insta::assert_snapshot!(text);
}

/// Issue 21 §2: an account the config leaves out is listed as skipped with
/// why (never dropped); a name match warns and recommends the ID; a name two
/// accounts bear stops every change; a member whose session answers as
/// another account fails as an identity mismatch.
#[test]
fn excluded_accounts_are_listed_and_names_are_checked() {
    let mut state = org_state(4);
    state.session.org_settings.exclude = vec!["dev".into()];
    update(&mut state, Action::Load);
    let effects = update(&mut state, four_accounts(None));
    assert_eq!(
        status(&state, "222222222222"),
        MemberStatus::Skipped("excluded by config".into())
    );
    assert!(
        !effects.iter().any(|e| matches!(
            e,
            Effect::ConnectMember { account } if account.id == "222222222222"
        )),
        "never reached: {effects:?}"
    );
    let notice = state.view.notice.clone().unwrap_or_default();
    assert!(notice.contains("use the ID 222222222222"), "{notice}");
    assert_eq!(state.org.as_ref().unwrap().tally().skipped, 2);

    // The management account's session answers as another account.
    update(&mut state, connected(OWN));
    load_member(&mut state, OWN, &[]);
    update(
        &mut state,
        member(
            OWN,
            Action::Loaded {
                generation: 1,
                result: Loaded::Identity(Ok(Identity {
                    account_id: "999999999999".into(),
                    ..Identity::default()
                })),
            },
        ),
    );
    let MemberStatus::Failed(failure) = status(&state, OWN) else {
        panic!("{:?}", status(&state, OWN))
    };
    assert_eq!(failure.class(), "identity_mismatch");
    assert!(
        failure.message().contains("999999999999"),
        "{}",
        failure.message()
    );
}

#[test]
fn a_name_two_accounts_bear_stops_every_change() {
    let mut state = org_state(4);
    update(&mut state, Action::Load);
    update(
        &mut state,
        page(
            vec![
                account("444444444444", "sandbox", "ACTIVE"),
                account("555555555555", "sandbox", "ACTIVE"),
            ],
            None,
        ),
    );
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains("444444444444") && message.contains("555555555555"),
        "{message}"
    );
    assert!(
        state
            .org
            .as_ref()
            .unwrap()
            .members
            .iter()
            .all(|m| m.read_only),
        "no account may be changed"
    );
}

/// Issue 21 §5: the overview listed again (`r`) while the previous
/// sessions' answers are still on their way: those answers are dropped by
/// generation, never folded into the new account of the same ID.
#[test]
fn answers_of_the_previous_listing_are_dropped_after_a_refresh() {
    let mut state = org_state(4);
    update(&mut state, Action::Load);
    update(&mut state, four_accounts(None));
    update(&mut state, connected("222222222222"));
    load_member(&mut state, "222222222222", &["carol"]);
    // The overview again: listed anew, dev reached anew.
    update(&mut state, ch('r'));
    let effects = update(
        &mut state,
        Action::AccountsPage {
            generation: 2,
            result: Ok(Page {
                items: vec![account("222222222222", "dev", "ACTIVE")],
                next_marker: None,
            }),
        },
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::ConnectMember { .. }))
    );
    let effects = update(&mut state, connected("222222222222"));
    let new_generation = calls_for(&effects, "222222222222")[0].0;
    assert_ne!(new_generation, 1, "numbered apart from the first listing's");
    // The first listing's session answers its (generation 1) user page late.
    update(
        &mut state,
        member(
            "222222222222",
            Action::Loaded {
                generation: 1,
                result: Loaded::UsersPage(Ok(Page {
                    items: vec![User {
                        name: "stale-user".into(),
                        arn: "arn:aws:iam::222222222222:user/stale-user".into(),
                        created: now(),
                        password_last_used: None,
                    }],
                    next_marker: None,
                })),
            },
        ),
    );
    let org = state.org.as_ref().unwrap();
    let dev = &org.members[org.index_of("222222222222").unwrap()];
    assert_eq!(dev.account.users().total(), 0, "the old answer was dropped");
}

/// Issue 24 item 1: the overview's listing ends when `ListAccounts`
/// repeats its token, and says why; no page is asked again.
#[test]
fn a_repeated_accounts_token_ends_the_overviews_listing() {
    let mut state = org_state(2);
    update(&mut state, Action::Load);
    let asks = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::ListAccounts { .. }))
            .count()
    };
    assert_eq!(asks(&update(&mut state, four_accounts(Some("same")))), 1);
    let again = page(
        vec![account("555555555555", "five", "ACTIVE")],
        Some("same"),
    );
    assert_eq!(
        asks(&update(&mut state, again)),
        0,
        "the token is not followed round"
    );
    let org = state.org.as_ref().unwrap();
    match &org.listing {
        iamkeys::account::org::Listing::Failed(err) => {
            assert_eq!(err.kind, iamkeys::iam::ErrorKind::Malformed);
        }
        listing => panic!("{listing:?}"),
    }
    assert_eq!(org.members.len(), 5, "what was listed stays");
}

/// Issue 27: in a member, `O` copies the console's switch-role link into it
/// with the organization's role, landing on the user's page; `o` opens it
/// with the opener found at start.
#[test]
fn console_links_in_a_member_switch_role_first() {
    let mut state = org_state(4);
    state.session.opener = Some(vec!["/usr/bin/true".into()]);
    update(&mut state, Action::Load);
    update(&mut state, four_accounts(None));
    update(&mut state, connected("222222222222"));
    load_member(&mut state, "222222222222", &["carol"]);
    update(&mut state, ch('j'));
    update(&mut state, key(KeyCode::Enter));
    assert_eq!(state.open_member().unwrap().info.name, "dev");
    let effects = update(&mut state, ch('O'));
    let [Effect::Copy(link)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    let link = link.expose().to_owned();
    assert!(
        link.starts_with("https://signin.aws.amazon.com/switchrole?account=222222222222&roleName=OrganizationAccountAccessRole&displayName=dev&redirect_uri=https%3A%2F%2Fconsole.aws.amazon.com%2Fiam%2Fhome%23%2Fusers%2Fdetails%2Fcarol"),
        "{link}"
    );
    let effects = update(&mut state, ch('o'));
    assert_eq!(
        effects,
        [Effect::OpenUrl(vec!["/usr/bin/true".into(), link])]
    );
}

/// Issue 33 item 4: an `[org]` name that matches no account of the whole
/// listing is a typo that would protect nothing: every account is read-only
/// and an error says which entry; a listing still going on says nothing yet.
#[test]
fn an_org_name_that_matches_no_account_makes_every_account_read_only() {
    let mut state = org_state(8);
    state.session.org_settings.exclude.push("sandbx".into());
    update(&mut state, Action::Load);
    update(&mut state, four_accounts(Some("p2")));
    assert!(state.view.modal.is_none(), "the listing is not whole yet");
    assert_eq!(state.org.as_ref().unwrap().members.len(), 4);
    update(
        &mut state,
        page(vec![account("555555555555", "prod", "ACTIVE")], None),
    );
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal);
    };
    assert!(message.contains("`sandbx`"), "{message}");
    let org = state.org.as_ref().unwrap();
    assert!(org.members.iter().all(|m| m.read_only));
}

/// Issue 36 item 1: the overview says whether the organization manages
/// root credentials centrally, as `ListOrganizationsFeatures` answered (an
/// answer of an earlier listing is dropped).
#[test]
fn the_overview_says_whether_root_access_is_central() {
    let mut state = org_state(2);
    update(&mut state, Action::Load);
    update(&mut state, four_accounts(None));
    let screen = |state: &iamkeys::state::State| {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 12)).unwrap();
        terminal
            .draw(|frame| iamkeys::ui::render(state, &iamkeys::ui::Theme::default(), frame))
            .unwrap();
        terminal.backend().to_string()
    };
    // An answer of another listing is not this one's.
    update(
        &mut state,
        Action::OrgFeatures {
            generation: 0,
            result: Ok(Vec::new()),
        },
    );
    assert!(!screen(&state).contains("ROOT NOT CENTRAL"));
    update(
        &mut state,
        Action::OrgFeatures {
            generation: 1,
            result: Ok(Vec::new()),
        },
    );
    let text = screen(&state);
    assert!(
        text.contains("ROOT NOT CENTRAL: root_credentials_not_centralized"),
        "{text}"
    );
    update(
        &mut state,
        Action::OrgFeatures {
            generation: 1,
            result: Ok(vec![
                "RootCredentialsManagement".into(),
                "RootSessions".into(),
            ]),
        },
    );
    assert!(screen(&state).contains("central root access on"));
    update(
        &mut state,
        Action::OrgFeatures {
            generation: 1,
            result: Err(IamError::new(
                ErrorKind::AccessDenied,
                "iam:ListOrganizationsFeatures",
                "not authorized",
            )),
        },
    );
    let text = screen(&state);
    assert!(
        text.contains("central root access unknown (iam:ListOrganizationsFeatures denied)"),
        "{text}"
    );
}
