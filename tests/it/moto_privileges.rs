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
            user("r-self-put", true, vec![true]),
        ],
    )
    .await;
    // Issue 34 item 1: PutUserPolicy and AttachUserPolicy on oneself are
    // one call from AdministratorAccess (Rhino Security Labs' methods 5
    // and 7): escalation, not self-service.
    iam.put_user_policy()
        .user_name("r-self-put")
        .policy_name("self-service")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PutUserPolicy","iam:AttachUserPolicy"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#,
        )
        .send()
        .await
        .unwrap();
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
    let own = level("r-self-put");
    assert_eq!(own.level, Level::Escalation, "{own:?}");
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

/// `iamkeys report` of this moto as JSON (its exit code beside it).
async fn report(home: &crate::common::home::Home, args: &[&str]) -> (Option<i32>, String) {
    let out = tokio::process::Command::new(crate::common::home::BIN)
        .arg("report")
        .args(["--profile", "e2e"])
        .args(args)
        .envs(home.env())
        .output()
        .await
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn attach(iam: &aws_sdk_iam::Client, user: &str, policy: &str) {
    iam.attach_user_policy()
        .user_name(user)
        .policy_arn(format!("arn:aws:iam::aws:policy/{policy}"))
        .send()
        .await
        .unwrap();
}

async fn inline(iam: &aws_sdk_iam::Client, user: &str, name: &str, statement: &str) {
    iam.put_user_policy()
        .user_name(user)
        .policy_name(name)
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#
        ))
        .send()
        .await
        .unwrap();
}

/// Issue 25 end to end, the real binary against moto with AWS's managed
/// policies: `--fail-on risk:high` reads the risk, not the severity; the
/// JSON's levels and risks; the key AWS caught (`AWSCompromisedKeyQuarantineV2`
/// attached) is `exposed_key_quarantined`, critical; OCSF's severity is the
/// risk; and the UI's findings view (`F`) puts the worst risk first.
#[tokio::test(flavor = "multi_thread")]
async fn risk_orders_the_report_the_exit_code_ocsf_and_the_screen() {
    let moto = Moto::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")]);
    let iam = moto.iam().await;
    let home = crate::common::home::Home::new(&moto.endpoint());
    // One user with no policies: its never-used key is a high finding, a
    // medium risk.
    seed(&iam, &[user("plain", true, vec![true])]).await;
    let (code, _) = report(&home, &["--fail-on", "high"]).await;
    assert_eq!(code, Some(1), "the severity is high");
    let (code, out) = report(&home, &["--fail-on", "risk:high"]).await;
    assert_eq!(code, Some(0), "the risk is medium: {out}");
    let (code, _) = report(&home, &["--fail-on", "risk:medium"]).await;
    assert_eq!(code, Some(1));

    seed(
        &iam,
        &[
            user("admin", true, vec![true]),
            user("iamgroup", true, vec![true]),
            user("star", true, vec![true]),
            user("selfsvc", true, vec![true]),
            user("reader", true, vec![true]),
            user("cond", true, vec![true]),
            user("leaky", true, vec![true]),
        ],
    )
    .await;
    attach(&iam, "admin", "AdministratorAccess").await;
    iam.create_group().group_name("Ops").send().await.unwrap();
    iam.attach_group_policy()
        .group_name("Ops")
        .policy_arn("arn:aws:iam::aws:policy/IAMFullAccess")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("Ops")
        .user_name("iamgroup")
        .send()
        .await
        .unwrap();
    inline(
        &iam,
        "star",
        "everything",
        r#"{"Effect":"Allow","Action":"*:*","Resource":"*"}"#,
    )
    .await;
    inline(
        &iam,
        "selfsvc",
        "own-keys",
        r#"{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::*:user/${aws:username}"}"#,
    )
    .await;
    attach(&iam, "reader", "ReadOnlyAccess").await;
    inline(
        &iam,
        "cond",
        "mfa-only",
        r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    )
    .await;
    attach(&iam, "leaky", "AWSCompromisedKeyQuarantineV2").await;

    let (code, out) = report(&home, &["--format", "json", "--key-ids"]).await;
    assert_eq!(code, Some(1), "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let privileges = |name: &str| {
        json["users"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["user_name"] == name)
            .unwrap_or_else(|| panic!("{name}: {json:#}"))["privileges"]
            .clone()
    };
    for (name, level) in [
        ("admin", "admin"),
        ("iamgroup", "iam_write"),
        ("star", "admin"),
        ("selfsvc", "limited"),
        ("reader", "limited"),
        ("cond", "admin"),
        ("plain", "none"),
    ] {
        assert_eq!(privileges(name)["level"], level, "{name}");
    }
    assert_eq!(
        privileges("iamgroup")["via"][0],
        "group Ops → IAMFullAccess"
    );
    assert_eq!(
        privileges("star")["via"][0],
        "inline policy everything: *:*"
    );
    assert_eq!(privileges("cond")["conditional"], true);
    let finding = |name: &str, id: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["user_name"] == name && f["id"] == id)
            .unwrap_or_else(|| panic!("no {id} of {name}: {json:#}"))
            .clone()
    };
    for (name, risk) in [
        ("admin", "critical"),
        ("iamgroup", "critical"),
        ("star", "critical"),
        ("selfsvc", "high"),
        ("reader", "high"),
        ("cond", "critical"),
        ("plain", "medium"),
    ] {
        assert_eq!(finding(name, "initial_setup_key")["risk"], risk, "{name}");
    }
    // The quarantine policy only denies: leaky's own level is none, and
    // its initial-setup key a medium risk; the exposed key stays critical.
    assert_eq!(privileges("leaky")["level"], "none");
    assert_eq!(finding("leaky", "initial_setup_key")["risk"], "medium");
    let leak = finding("leaky", "exposed_key_quarantined");
    assert_eq!(
        (leak["severity"].as_str(), leak["risk"].as_str()),
        (Some("critical"), Some("critical")),
        "never lowered"
    );
    assert!(leak["access_key_id"].as_str().unwrap().starts_with("AKIA"));
    assert!(
        leak["message"]
            .as_str()
            .unwrap()
            .contains("AWSCompromisedKeyQuarantineV2"),
        "{leak}"
    );

    // OCSF: severity_id is the risk; the control's severity is kept.
    let (_, out) = report(&home, &["--format", "ocsf"]).await;
    let ocsf: serde_json::Value = serde_json::from_str(&out).unwrap();
    let item = |name: &str, id: &str| {
        ocsf.as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["unmapped"]["iamkeys_finding_id"] == id
                    && f["resources"][0]["uid"]
                        .as_str()
                        .unwrap()
                        .ends_with(&format!("user/{name}"))
            })
            .unwrap_or_else(|| panic!("no {id} of {name}"))
            .clone()
    };
    let admin = item("admin", "initial_setup_key");
    assert_eq!(admin["severity_id"], 5);
    assert_eq!(admin["unmapped"]["iamkeys_severity"], "high");
    assert_eq!(item("plain", "initial_setup_key")["severity_id"], 3);
    assert_eq!(item("leaky", "exposed_key_quarantined")["severity_id"], 5);

    // The screen: F shows the users with findings, worst risk first.
    let tui = crate::common::tmux::Tmux::start(
        std::path::Path::new(crate::common::home::BIN),
        &["--profile", "e2e"],
        &home.env(),
        140,
        40,
    );
    tui.wait_for("every risk", crate::common::home::WAIT, |s| {
        s.contains("Users (8)") && !crate::common::tmux::Tmux::still_loading(s)
    });
    tui.send(&["F"]);
    let screen = tui.wait_for("the findings view", crate::common::home::WAIT, |s| {
        s.contains("sorted by Risk")
    });
    let row = |name: &str| {
        screen
            .lines()
            .position(|l| l.contains(&format!("│  {name} ")))
            .unwrap_or_else(|| panic!("{name} not listed:\n{screen}"))
    };
    for worst in ["admin", "iamgroup", "star", "cond", "leaky"] {
        assert!(row(worst) < row("reader"), "{worst} first:\n{screen}");
        let line = &screen.lines().nth(row(worst)).unwrap();
        assert!(line.contains(" crit "), "{line}");
    }
    assert!(row("reader") < row("plain"), "{screen}");
    assert!(screen.lines().nth(row("plain")).unwrap().contains(" med "));
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(crate::common::home::WAIT), Some(0));
}
