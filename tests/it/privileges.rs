//! Issue 25: what each user can do, read in the same walk of
//! `GetAccountAuthorizationDetails` as the tags, against moto with AWS's
//! managed policies loaded.

use std::sync::Arc;
use std::time::Duration;

use iamkeys::action::Action;
use iamkeys::headless::settle;
use iamkeys::iam::IamClient;
use iamkeys::risk::Level;

use crate::common::moto::{Moto, seed, user};
use crate::common::states::fresh;

#[tokio::test(flavor = "multi_thread")]
async fn levels_come_from_users_groups_and_inline_policies() {
    let moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let iam = moto.iam().await;
    seed(
        &iam,
        &[
            user("alice", true, vec![true]),
            user("bob", true, vec![true]),
            user("carol", true, vec![true]),
            user("dave", true, vec![true]),
            user("erin", true, vec![true]),
            user("grace", true, vec![true]),
        ],
    )
    .await;
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    iam.create_group()
        .group_name("Admins")
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("Admins")
        .policy_arn("arn:aws:iam::aws:policy/IAMFullAccess")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("Admins")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("self-service")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
        )
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("dave")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    // grace: everything, but only from one network.
    iam.put_user_policy()
        .user_name("grace")
        .policy_name("office-only")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#,
        )
        .send()
        .await
        .unwrap();
    let client: Arc<dyn IamClient> = Arc::new(moto.client().await);
    let mut state = fresh();
    settle(
        &mut state,
        client,
        4,
        vec![Action::Load],
        Duration::from_mins(1),
    )
    .await
    .unwrap();
    let level = |name: &str| {
        state
            .account
            .privileges(name)
            .unwrap_or_else(|| panic!("no privileges for {name}"))
    };
    let alice = level("alice");
    assert_eq!(
        (alice.level, alice.via.as_slice()),
        (Level::Admin, &["AdministratorAccess".to_owned()][..])
    );
    let bob = level("bob");
    assert_eq!(bob.level, Level::IamWrite, "{bob:?}");
    assert_eq!(bob.via, ["group Admins → IAMFullAccess"]);
    assert_eq!(level("carol").level, Level::Limited, "self-service only");
    assert_eq!(level("dave").level, Level::Limited, "read-only");
    assert_eq!(level("erin").level, Level::None);
    // (A permissions boundary is not in moto's answer, and its
    // PutUserPermissionsBoundary answers 500: the cap is tested on the
    // SDK's own types, iam::auth_details, and the evaluator's corpus.)
    let grace = level("grace");
    assert_eq!(
        (grace.level, grace.conditional),
        (Level::Admin, true),
        "{grace:?}"
    );
    // The report: users[].privileges and findings[].risk (each user has a
    // console password and a never-used key: initial_setup_key, high).
    let report = iamkeys::report::Report::from_account(&state.account, "test", chrono::Utc::now());
    let json = serde_json::to_value(&report).unwrap();
    let user_json = |name: &str| {
        json["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user_name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(user_json("alice")["privileges"]["level"], "admin");
    assert_eq!(
        user_json("alice")["privileges"]["via"][0],
        "AdministratorAccess"
    );
    assert_eq!(user_json("bob")["privileges"]["level"], "iam_write");
    assert_eq!(user_json("grace")["privileges"]["conditional"], true);
    let risk = |name: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["user_name"] == name && f["id"] == "initial_setup_key")
            .unwrap_or_else(|| panic!("no initial_setup_key of {name}: {json:#}"))["risk"]
            .clone()
    };
    assert_eq!(risk("alice"), "critical", "high, of an admin");
    assert_eq!(
        risk("bob"),
        "critical",
        "high, of an IAM writer: one step up"
    );
    assert_eq!(risk("carol"), "high", "limited keeps it");
    assert_eq!(risk("erin"), "medium", "none lowers it");

    // The key pane says it, and that SCPs are not evaluated.
    crate::common::flows::select_user(&mut state, "alice");
    let screen = crate::common::screen::text(&state, 160, 40);
    assert!(
        screen.contains("can: admin via AdministratorAccess · SCPs not evaluated"),
        "{screen}"
    );
}
