//! States for pure tests, built only through `update` from fixed data.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use iamkeys::action::{Action, Loaded};
use iamkeys::effect::{Call, Effect};
use iamkeys::iam::{IamClient, demo, list_all_access_keys};
use iamkeys::keymap::Keymap;
use iamkeys::state::{Session, State};
use iamkeys::update::update;

/// The fixed "now" of every pure test.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

pub fn session() -> Session {
    Session {
        profile: "test".to_owned(),
        demo: false,
        read_only: false,
        credentials_file: None,
        ledger: "the test's ledger".to_owned(),
        posture: iamkeys::state::Posture::default(),
        insecure_endpoint: None,
        switching: None,
        signing_in: false,
        org_settings: iamkeys::config::OrgSettings::default(),
        cloudtrail_regions: vec!["eu-west-1".to_owned(), "us-east-1".to_owned()],
        regions: iamkeys::state::RegionChoice::Listed,
        cloudtrail_max_events: 500,
        enforce_rules: Vec::new(),
        notice_days: 7,
        opener: None,
    }
}

/// An IAM user as `ListUsers` gives it, made 100 days before [`now`].
pub fn iam_user(name: &str) -> iamkeys::model::User {
    iamkeys::model::User {
        name: name.to_owned(),
        arn: format!("arn:aws:iam::123456789012:user/{name}"),
        created: now() - chrono::TimeDelta::days(100),
        password_last_used: None,
    }
}

/// A fresh state on a 120×40 screen, nothing asked yet: hand it to
/// `settle` with `Action::Load`, and the worker runs the load.
pub fn fresh() -> State {
    let mut state = State::new(session(), Keymap::default(), now());
    update(&mut state, Action::Resize(120, 40));
    state
}

/// A fresh state on a 120×40 screen, loading started (generation 1).
pub fn loading() -> State {
    let mut state = State::new(session(), Keymap::default(), now());
    update(&mut state, Action::Resize(120, 40));
    update(&mut state, Action::Load);
    state
}

pub fn loaded(state: &State, result: Loaded) -> Action {
    Action::Loaded {
        generation: state.account.generation,
        result,
    }
}

/// The demo account fully loaded through `update`, with a fixed report time.
pub async fn demo_loaded() -> State {
    demo_loaded_with(|_| {}).await
}

/// As [`demo_loaded`], the demo account first changed by `change` (a user
/// added, say).
pub async fn demo_loaded_with(change: impl FnOnce(&iamkeys::iam::memory::MemoryIam)) -> State {
    let iam = demo::account(now(), Duration::ZERO);
    change(&iam);
    let mut state = loading();
    // Every user with findings has its tags asked for (waivers); the new
    // keys of rotations their last use (a recorded first use is believed
    // only once IAM shows the key used).
    let mut tags_asked: Vec<String> = Vec::new();
    let mut last_used_asked: Vec<(String, String)> = Vec::new();
    let step = |state: &mut State,
                action: Action,
                asked: &mut Vec<String>,
                used: &mut Vec<(String, String)>| {
        for effect in update(state, action) {
            match effect {
                Effect::Iam {
                    call: Call::Tags { user },
                    ..
                } => asked.push(user),
                Effect::Iam {
                    call: Call::LastUsed { user, key_id },
                    ..
                } => used.push((user, key_id)),
                _ => {}
            }
        }
    };
    let identity = iam.caller_identity().await;
    let action = loaded(&state, Loaded::Identity(identity));
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    // The demo's own ledger (what iamkeys decided about its keys).
    let action = loaded(&state, ledger_loaded(&iamkeys::ledger::demo::events(now())));
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    // Every user's tags at once, before the users are listed.
    let action = loaded(
        &state,
        Loaded::AllTags(iam.authorization_details(None).await),
    );
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    let mut marker = None;
    let mut names = Vec::new();
    loop {
        let page = iam.list_users(marker).await.unwrap();
        names.extend(page.items.iter().map(|u| u.name.clone()));
        marker = page.next_marker.as_ref().map(ToOwned::to_owned);
        let action = loaded(&state, Loaded::UsersPage(Ok(page)));
        step(&mut state, action, &mut tags_asked, &mut last_used_asked);
        if marker.is_none() {
            break;
        }
    }
    iam.generate_credential_report().await.unwrap();
    let mut report = iam.get_credential_report().await.unwrap();
    report.generated_at = now() - chrono::TimeDelta::hours(2);
    // Generated for this load (the worker sets this from IAM's STARTED).
    report.fresh = true;
    let action = loaded(&state, Loaded::CredentialReport(Ok(report)));
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    for user in &names {
        let result = list_all_access_keys(&iam, user).await;
        let action = loaded(
            &state,
            Loaded::Keys {
                user: user.clone(),
                result,
            },
        );
        step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    }
    // No IAM Access Analyzer covers the demo (issue 37).
    let action = loaded(&state, Loaded::AwsFindings(Ok(None)));
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    // Every user's other long-term credentials (issue 36).
    let all = iamkeys::iam::list_all("iam:ListServiceSpecificCredentials", |m| {
        iam.service_credentials(m)
    })
    .await;
    let action = loaded(&state, Loaded::ServiceCredentials(all));
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    for user in names {
        use iamkeys::iam::list_all_credentials;
        use iamkeys::model::credential::Listing;
        let ssh = list_all_credentials(&iam, &user, Listing::SshKeys).await;
        let certificates = Some(list_all_credentials(&iam, &user, Listing::Certificates).await);
        let action = loaded(
            &state,
            Loaded::Credentials {
                user,
                ssh,
                certificates,
                service: None,
            },
        );
        step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    }
    // The first user was selected on the first page: its groups and tags.
    let first = state.selected_user().unwrap().user.name.clone();
    let extras = iamkeys::account::users::Extras {
        groups: Ok(iam.user_groups(&first).await.unwrap()),
        tags: Ok(iam.user_tags(&first).await.unwrap()),
    };
    let action = loaded(
        &state,
        Loaded::UserExtras {
            user: first,
            extras,
        },
    );
    step(&mut state, action, &mut tags_asked, &mut last_used_asked);
    for user in tags_asked {
        let result = iam.user_tags(&user).await;
        let action = loaded(&state, Loaded::Tags { user, result });
        for effect in update(&mut state, action) {
            if let Effect::Iam {
                call: Call::LastUsed { user, key_id },
                ..
            } = effect
            {
                last_used_asked.push((user, key_id));
            }
        }
    }
    for (user, key_id) in last_used_asked {
        let result = iam.access_key_last_used(&key_id).await;
        let action = loaded(
            &state,
            Loaded::LastUsed {
                user,
                key_id,
                result,
            },
        );
        update(&mut state, action);
    }
    assert_eq!(
        state.account.pending(),
        0,
        "every requested call was answered"
    );
    state
}

/// Who writes the tests' ledger events: a security team's role session.
pub const LEDGER_WRITER: &str = "arn:aws:sts::123456789012:assumed-role/SecurityAudit/secops";

/// A ledger event of the demo's account, written by [`LEDGER_WRITER`].
pub fn ledger_event(
    at: DateTime<Utc>,
    user: &str,
    key_id: Option<&str>,
    kind: iamkeys::ledger::Kind,
) -> iamkeys::ledger::Event {
    iamkeys::ledger::Event::new(at, "123456789012", Some(user), key_id, LEDGER_WRITER, kind)
}

/// The worker's answer with the demo account's ledger holding these events.
pub fn ledger_loaded(events: &[iamkeys::ledger::Event]) -> iamkeys::action::Loaded {
    iamkeys::action::Loaded::Ledger(Ok(Some(std::sync::Arc::new(
        iamkeys::ledger::Folded::new("123456789012", events).unwrap(),
    ))))
}
