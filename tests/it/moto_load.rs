//! The whole load (update + worker + aws-sdk-iam) against moto.

use std::sync::Arc;
use std::time::Duration;

use iamkeys::action::Action;
use iamkeys::connect::{ConnectOptions, sdk_config};
use iamkeys::headless::settle;
use iamkeys::state::{IdentityStatus, ListStatus, ReportStatus};

use crate::common::moto::{Moto, seed, standard_users};
use crate::common::states::fresh;

#[tokio::test]
async fn the_ui_state_matches_the_server_after_a_load() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let seeded = seed(&iam, &standard_users()).await;
    let mut state = fresh();
    let client = Arc::new(moto.client().await);
    settle(
        &mut state,
        client,
        4,
        vec![Action::Load],
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    assert!(matches!(state.account.identity, IdentityStatus::Known(_)));
    assert_eq!(state.account.list, ListStatus::Done { pages: 1 });
    assert!(
        matches!(state.account.report, ReportStatus::Loaded(_)),
        "{:?}",
        state.account.report
    );
    for (user, ids) in seeded {
        let row = state.account.users().get(&user).unwrap();
        let mut listed: Vec<_> = row
            .listed_keys()
            .unwrap()
            .iter()
            .map(|k| k.id.clone())
            .collect();
        listed.sort();
        let server = iam
            .list_access_keys()
            .user_name(&user)
            .send()
            .await
            .unwrap();
        let mut on_server: Vec<_> = server
            .access_key_metadata()
            .iter()
            .filter_map(|k| k.access_key_id().map(ToOwned::to_owned))
            .collect();
        on_server.sort();
        assert_eq!(listed, on_server, "{user}");
        assert_eq!(listed.len(), ids.len());
        let password = iam
            .get_login_profile()
            .user_name(&user)
            .send()
            .await
            .is_ok();
        assert_eq!(row.password, Some(password), "{user}");
    }
}

#[tokio::test]
async fn connect_options_reach_the_endpoint_given_on_the_command_line() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    // No profile and an explicit endpoint: the SDK's chain supplies the rest.
    let mut options = ConnectOptions::new(None, Some(moto.endpoint()));
    options.max_attempts = 1;
    let config = sdk_config(&options).await;
    assert_eq!(config.endpoint_url(), Some(moto.endpoint().as_str()));
    assert!(
        config.region().is_some(),
        "IAM always gets a signing region"
    );
}

#[tokio::test]
async fn a_refused_credential_report_falls_back_to_per_user_calls() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    proxy.deny("GenerateCredentialReport");
    let config = crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDTEST", "s").await;
    let mut state = fresh();
    let client = Arc::new(iamkeys::iam::sdk::SdkIam::new(&config));
    settle(
        &mut state,
        client,
        4,
        vec![Action::Load],
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    assert!(
        matches!(state.account.report, ReportStatus::Denied(_)),
        "{:?}",
        state.account.report
    );
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap()
            .contains("per-user calls")
    );
    assert_eq!(proxy.count("GetCredentialReport"), 0);
    assert_eq!(proxy.count("GetLoginProfile"), 5);
    assert_eq!(proxy.count("ListMFADevices"), 5);
    assert_eq!(proxy.count("GetAccessKeyLastUsed"), 6, "one per key");
    let expect = [
        ("alice", true, true),
        ("bob", true, false),
        ("carol", false, false),
    ];
    for (user, password, mfa) in expect {
        let row = state.account.users().get(user).unwrap();
        assert_eq!(
            (row.password, row.mfa),
            (Some(password), Some(mfa)),
            "{user}"
        );
    }
    let carol = state.account.users().get("carol").unwrap();
    for key in carol.listed_keys().unwrap() {
        let used = carol.key_last_used(key).expect("fresh last use");
        assert_eq!(used.date, None, "never used");
    }
}
