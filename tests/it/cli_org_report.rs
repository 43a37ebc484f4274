//! Issue 15: `iamkeys report --org` over an AWS Organization in moto. The
//! management account is audited with its own credentials; each member
//! through a session of `OrganizationAccountAccessRole`. What moto does not
//! do (refuse a role, deny by SCP, throttle, time out) comes from the
//! proxy, per account.

use std::collections::BTreeSet;
use std::process::Output;
use std::sync::Arc;
use std::time::Duration;

use iamkeys::headless::org::{Outcome, Plan, audit_org};
use iamkeys::iam::org::{RoleSpec, SdkOrg, assume};
use iamkeys::iam::sdk::SdkIam;
use iamkeys::model::OrgAccount;
use iamkeys::worker::Settings;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, policy_config_at, seed, user};
use crate::common::org::{close, member_iam, organization};
use crate::common::proxy::{Fault, Proxy, Reply, scp_message};

async fn report(home: &Home, endpoint: &str, args: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args([
            "report",
            "--org",
            "--profile",
            "e2e",
            "--endpoint-url",
            endpoint,
        ])
        .args(args)
        .envs(home.env())
        .output()
        .await
        .unwrap()
}

/// (account ID, user, finding id) of every finding.
fn findings(report: &serde_json::Value) -> BTreeSet<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["account_id"].as_str().unwrap().to_owned(),
                f["user_name"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn account<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == id)
        .unwrap_or_else(|| panic!("no account {id} in {}", report["accounts"]))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_account_is_audited_or_fails_alone_or_is_skipped() {
    let moto = Moto::start();
    let org = organization(&moto, &["alpha", "beta", "gamma", "delta", "epsilon"]).await;
    seed(&moto.iam().await, &[user("mgmt-admin", true, vec![true])]).await;
    seed(
        &member_iam(&moto, &org.id("alpha")).await,
        &[
            user("alice", true, vec![true]),
            user("quiet", false, vec![]),
        ],
    )
    .await;
    seed(
        &member_iam(&moto, &org.id("beta")).await,
        &[user("bob", false, vec![true, true])],
    )
    .await;
    close(&moto, &org.id("epsilon")).await;
    let proxy = Proxy::start(moto.port).await;
    // gamma's role refuses the caller (trust policy); an SCP denies
    // ListUsers in delta.
    proxy.on_role(
        &org.id("gamma"),
        Reply::Denied(
            "User: arn:aws:iam::123456789012:user/e2e is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::x:role/OrganizationAccountAccessRole".into(),
        ),
    );
    proxy.in_account(
        &org.id("delta"),
        Some("ListUsers"),
        Reply::Denied(scp_message("iam:ListUsers")),
    );
    let home = Home::new(&proxy.endpoint());
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a member failed: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["complete"], false);

    // Everything that succeeded is there, each user and finding with its account.
    let (alpha, beta) = (org.id("alpha"), org.id("beta"));
    assert_eq!(
        findings(&json),
        BTreeSet::from([
            (
                org.management.clone(),
                "mgmt-admin".into(),
                "initial_setup_key".into()
            ),
            (alpha.clone(), "alice".into(), "initial_setup_key".into()),
            (beta.clone(), "bob".into(), "multiple_active_keys".into()),
        ])
    );
    let users: BTreeSet<(String, String, String)> = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["account_id"].as_str().unwrap().to_owned(),
                u["account_name"].as_str().unwrap().to_owned(),
                u["user_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(users.contains(&(alpha.clone(), "alpha".into(), "quiet".into())));
    assert!(users.contains(&(beta.clone(), "beta".into(), "bob".into())));
    assert_eq!(users.len(), 4, "{users:?}");

    // Each account, classified.
    for (id, class) in [
        (&org.management, None),
        (&alpha, None),
        (&beta, None),
        (&org.id("gamma"), Some("role_denied")),
        (&org.id("delta"), Some("scp_denied")),
    ] {
        let entry = account(&json, id);
        assert_eq!(entry["error_class"].as_str(), class, "{entry}");
        assert_eq!(entry["skipped"], false);
        assert_eq!(entry["status"], "ACTIVE");
    }
    let gamma = account(&json, &org.id("gamma"));
    assert!(
        gamma["error"].as_str().unwrap().contains("trust policy"),
        "{gamma}"
    );
    let delta = account(&json, &org.id("delta"));
    assert!(
        delta["error"]
            .as_str()
            .unwrap()
            .contains("service control policy"),
        "{delta}"
    );
    let epsilon = account(&json, &org.id("epsilon"));
    assert_eq!(epsilon["skipped"], true);
    assert_eq!(epsilon["status"], "SUSPENDED");
    assert!(
        epsilon["error"].is_null(),
        "skipped is no failure: {epsilon}"
    );
    assert_eq!(account(&json, &alpha)["account_name"], "alpha");

    // The caller's own account is never reached through a role; the
    // suspended one is never touched.
    assert_eq!(proxy.assumed(&org.management), 0);
    assert_eq!(proxy.assumed(&org.id("epsilon")), 0);
    assert_eq!(proxy.assumed(&alpha), 1);
    assert!(
        stderr.contains("gamma") && stderr.contains("role denied"),
        "{stderr}"
    );
    assert!(
        stderr.contains("delta") && stderr.contains("SCP denied"),
        "{stderr}"
    );
    assert!(!stderr.contains("epsilon"), "{stderr}");

    // Table and CSV name the account.
    let table = report(&home, &proxy.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("ACCOUNT"), "{text}");
    assert!(text.contains("skipped (SUSPENDED)"), "{text}");
    let bob = text.lines().find(|l| l.contains("bob")).unwrap();
    assert!(bob.starts_with("beta"), "{bob}");
    let csv = report(&home, &proxy.endpoint(), &["--format", "csv"]).await;
    let csv = String::from_utf8_lossy(&csv.stdout);
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(
        ",account_name,waived_until,new,waiver_not_honoured,risk,security_hub,cis_v7.0,controls"
    ));
    assert!(
        // No policies: the high initial-setup finding is a medium risk.
        lines.any(|l| l.contains(&alpha)
            && l.ends_with(",alpha,,,,medium,,-,cis-v4:1.11 cis-v5:1.10 cis-v6:2.10 cis-v7:-")),
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn config_narrows_the_accounts_and_names_the_role() {
    let moto = Moto::start();
    let org = organization(&moto, &["alpha", "beta", "gamma"]).await;
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    let dir = home.path().join("config/iamkeys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[org]\nexclude = [\"beta\"]\nsession_name = \"audit-run\"\n",
    )
    .unwrap();
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: BTreeSet<&str> = json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    // Issue 21 §2: the excluded account is listed, as skipped and why,
    // never dropped silently; matched by its name, with a warning.
    assert_eq!(
        ids,
        BTreeSet::from([
            org.management.as_str(),
            &org.id("alpha"),
            &org.id("beta"),
            &org.id("gamma")
        ])
    );
    let beta = account(&json, &org.id("beta"));
    assert_eq!(beta["skipped"], true, "{beta}");
    assert_eq!(beta["skipped_reason"], "excluded by config", "{beta}");
    let notes = json["notes"].to_string();
    assert!(
        notes.contains(&format!("write the ID {}", org.id("beta"))),
        "a name match recommends the ID: {notes}"
    );
    assert_eq!(proxy.assumed(&org.id("beta")), 0, "excluded: never reached");
    let alpha_role = format!(
        "arn:aws:iam::{}:role/OrganizationAccountAccessRole",
        org.id("alpha")
    );
    assert!(
        proxy
            .assume_requests()
            .contains(&(alpha_role, "audit-run".to_owned())),
        "{:?}",
        proxy.assume_requests()
    );

    // --org-role names another role (moto assumes any role name).
    let before = proxy.assume_requests().len();
    let out = report(
        &home,
        &proxy.endpoint(),
        &["--format", "json", "--org-role", "AuditRole"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let asked = &proxy.assume_requests()[before..];
    assert_eq!(asked.len(), 2, "alpha and gamma: {asked:?}");
    assert!(
        asked
            .iter()
            .all(|(arn, _)| arn.ends_with(":role/AuditRole")),
        "{asked:?}"
    );
}

/// Throttled past the retries, unreachable, other access denied: each
/// account's failure has its class, and the others are audited. In-process
/// (`audit_org` with the SDK clients iamkeys makes) so retries and timeouts
/// can be short.
#[tokio::test(flavor = "multi_thread")]
async fn each_failure_class_is_told_apart() {
    let moto = Moto::start();
    let org = organization(&moto, &["fine", "throttled", "silent", "denied"]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.in_account(&org.id("throttled"), None, Reply::Fault(Fault::Throttle));
    proxy.on_role(&org.id("silent"), Reply::Fault(Fault::Stall(3_000)));
    proxy.in_account(
        &org.id("denied"),
        Some("ListUsers"),
        Reply::Denied("User is not authorized to perform: iam:ListUsers".into()),
    );
    let base = policy_config_at(proxy.endpoint(), 1, Duration::from_millis(800)).await;
    let spec = RoleSpec {
        role: "OrganizationAccountAccessRole".into(),
        external_id: None,
        session_name: "iamkeys-test".into(),
    };
    let own = org.management.clone();
    let connect = |account: OrgAccount| {
        let (base, spec, own) = (base.clone(), spec.clone(), own.clone());
        Box::pin(async move {
            let config = if account.id == own {
                base
            } else {
                assume(&base, &spec, &account.id).await?
            };
            Ok(iamkeys::worker::Clients::from(SdkIam::new(&config)))
        }) as futures::future::BoxFuture<'static, _>
    };
    let plan = Plan {
        profile: "test".into(),
        thresholds: iamkeys::audit::Thresholds::default(),
        settings: Settings {
            throttle_rounds: 1,
            throttle_backoff: Duration::from_millis(10),
            shared: Some(iamkeys::worker::limiter::Limiter::new(4)),
            ..Settings::default()
        },
        key_ids: false,
        accounts_at_once: 8,
        exclude: Box::new(|_| None),
    };
    let audit = audit_org(Arc::new(SdkOrg::new(&base)), &connect, &plan).await;
    assert!(audit.listing_error.is_none());
    let class = |name: &str| {
        let id = org.id(name);
        match &audit.members.iter().find(|(a, _)| a.id == id).unwrap().1 {
            Outcome::Failed(failure) => failure.class(),
            Outcome::Audited(_) => "audited",
            Outcome::Skipped(_) => "skipped",
        }
    };
    assert_eq!(class("fine"), "audited");
    assert_eq!(class("throttled"), "throttled");
    assert_eq!(class("silent"), "unreachable");
    assert_eq!(class("denied"), "access_denied");
    assert_eq!(audit.members.len(), 5, "the management account too");
}

/// Issue 21 §2: a server that pins one account answers every member's role
/// session as that account. Each member must end `identity_mismatch`,
/// naming both IDs, with nothing of it reported as the member's.
#[tokio::test(flavor = "multi_thread")]
async fn a_member_session_that_answers_as_another_account_is_a_mismatch() {
    let pinned = "123456789012";
    let moto = Moto::start_with_account(Some(pinned));
    let org = organization(&moto, &["alpha", "beta"]).await;
    // Every request lands in the pinned account: this user would be
    // reported under each member's name if the sessions were believed.
    seed(&moto.iam().await, &[user("pinned-user", true, vec![true])]).await;
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "members failed: {stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["complete"], false);
    for name in ["alpha", "beta"] {
        let id = org.id(name);
        let entry = account(&json, &id);
        assert_eq!(entry["error_class"], "identity_mismatch", "{entry}");
        let error = entry["error"].as_str().unwrap();
        assert!(
            error.contains(&id) && error.contains(pinned),
            "both IDs named: {error}"
        );
    }
    // The pinned account's user appears once, under the management account only.
    let accounts: Vec<&str> = json["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(accounts, [org.management.as_str()], "{json:#}");
}

/// Issue 21 §2: a name in `[org] exclude` that two accounts bear is an
/// error (which one was meant cannot be told), naming both IDs.
#[tokio::test(flavor = "multi_thread")]
async fn a_config_name_of_two_accounts_is_an_error() {
    let moto = Moto::start();
    let org = organization(&moto, &["twin", "twin", "other"]).await;
    let home = Home::new(&moto.endpoint());
    let dir = home.path().join("config/iamkeys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "[org]\nexclude = [\"twin\"]\n").unwrap();
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for member in org.members.iter().filter(|m| m.name == "twin") {
        assert!(stderr.contains(&member.id), "{stderr}");
    }
    assert!(stderr.contains("write the account ID"), "{stderr}");
}

/// Issue 33 item 4: a name in `[org]` that no account of the whole listing
/// bears is a typo that would protect nothing: a one-line error naming it.
#[tokio::test(flavor = "multi_thread")]
async fn a_config_name_of_no_account_is_an_error() {
    let moto = Moto::start();
    let _org = organization(&moto, &["alpha"]).await;
    let home = Home::new(&moto.endpoint());
    let dir = home.path().join("config/iamkeys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        "[org]\nexclude = [\"alpha\"]\n[org.read_only_accounts]\nalfa = true\n",
    )
    .unwrap();
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`alfa`"), "{stderr}");
    assert!(!stderr.contains("`alpha`"), "alpha is a name: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(out.stdout.is_empty(), "no report");
}

/// Issue 36 item 1: an organization that does not manage its members' root
/// credentials centrally is `root_credentials_not_centralized` (from
/// `ListOrganizationsFeatures`, answered by the suite's moto launcher as
/// the IAM reference documents it); once turned on, no finding; the call
/// refused is a gap naming it, exit 2.
#[tokio::test(flavor = "multi_thread")]
async fn an_organization_without_central_root_access_is_a_finding() {
    let moto = Moto::start();
    let org = crate::common::org::organization_without_central_root(&moto, &["alpha"]).await;
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "root_credentials_not_centralized")
        .collect();
    assert_eq!(found.len(), 1, "{}", json["findings"]);
    assert_eq!(found[0]["user_name"], "<organization>");
    assert_eq!(found[0]["account_id"], org.management.as_str());
    assert_eq!(json["complete"], true);

    // Refused: a gap naming the call, exit 2.
    proxy.deny("ListOrganizationsFeatures");
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["gaps"]
            .to_string()
            .contains("iam:ListOrganizationsFeatures denied"),
        "{}",
        json["gaps"]
    );

    // Turned on from the management account: no finding.
    let proxy = Proxy::start(moto.port).await;
    crate::common::org::enable_central_root(&moto).await;
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !json["findings"]
            .to_string()
            .contains("root_credentials_not_centralized"),
        "{}",
        json["findings"]
    );
}
