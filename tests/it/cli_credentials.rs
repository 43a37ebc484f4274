//! Issue 36 items 3-5, through the real binary against moto: every
//! long-term credential of a user is listed in the report and judged.
//! Service-specific credentials come from the suite's moto launcher
//! (as the IAM reference documents them), SSH public keys and signing
//! certificates from moto itself.

use serde_json::Value;

use crate::common::home::{Home, report};
use crate::common::moto::{Moto, seed, service_credential, ssh_key, user};

const BEDROCK: &str = "bedrock.amazonaws.com";

fn findings_of<'a>(report: &'a Value, id: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect()
}

fn user_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user_name"] == name)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_long_term_credential_is_listed_and_judged() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[
            user("dev", false, vec![]),
            user("BedrockAPIKey-x", false, vec![true]),
            user("git", false, vec![]),
        ],
    )
    .await;
    // A Bedrock API key that never expires, and one that does in 30 days.
    let forever = service_credential(&iam, "dev", BEDROCK, None).await;
    service_credential(&iam, "dev", BEDROCK, Some(30)).await;
    service_credential(&iam, "git", "codecommit.amazonaws.com", None).await;
    let ssh = ssh_key(&iam, "git").await;

    let home = Home::new(&moto.endpoint());
    for args in [
        &["--format", "json"][..],
        &["--format", "json", "--key-ids"][..],
    ] {
        let out = report(&home, &moto.endpoint(), args).await;
        let text = String::from_utf8_lossy(&out.stdout);
        let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        // A critical finding: exit 1, and the audit is whole.
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(report["complete"], true, "{args:?}: {}", report["notes"]);

        let no_expiry = findings_of(&report, "service_credential_no_expiry");
        assert_eq!(
            no_expiry.len(),
            1,
            "{args:?}: only the key that never expires"
        );
        assert_eq!(no_expiry[0]["access_key_id"], forever.as_str());
        assert_eq!(no_expiry[0]["severity"], "high");
        let bedrock_user = findings_of(&report, "long_term_credential_on_bedrock_user");
        assert_eq!(bedrock_user.len(), 1, "{args:?}");
        assert_eq!(bedrock_user[0]["user_name"], "BedrockAPIKey-x");
        assert_eq!(bedrock_user[0]["severity"], "critical");

        let dev = user_of(&report, "dev");
        let listed = dev["service_credentials"].as_array().unwrap();
        assert_eq!(listed.len(), 2, "{args:?}: {dev}");
        assert!(listed.iter().all(|c| c["service"] == BEDROCK));
        assert_eq!(
            listed.iter().filter(|c| c.get("expires").is_some()).count(),
            1,
            "{dev}"
        );
        let git = user_of(&report, "git");
        assert_eq!(git["ssh_public_keys"][0]["id"], ssh.as_str(), "{git}");
        assert_eq!(git["ssh_public_keys"][0]["status"], "Active");
        assert_eq!(
            git["service_credentials"][0]["service"],
            "codecommit.amazonaws.com"
        );
        assert!(
            report["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n.as_str().unwrap().contains("no last use")),
            "{}",
            report["notes"]
        );
    }
    // The HTML report lists them too, and CSV and OCSF carry the findings.
    let html = report(&home, &moto.endpoint(), &["--format", "html"]).await;
    let html = String::from_utf8_lossy(&html.stdout);
    let section = html
        .split("Other long-term credentials")
        .nth(1)
        .expect("the section");
    assert!(section.contains(&forever), "{section}");
    assert!(section.contains(&ssh), "{section}");
    assert!(section.contains("never"), "{section}");
    let csv = report(&home, &moto.endpoint(), &["--format", "csv"]).await;
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(
        csv.lines()
            .any(|l| l.contains("service_credential_no_expiry") && l.contains(&forever)),
        "{csv}"
    );
    let ocsf = report(&home, &moto.endpoint(), &["--format", "ocsf"]).await;
    let ocsf = String::from_utf8_lossy(&ocsf.stdout);
    assert!(
        ocsf.contains("AWS::IAM::ServiceSpecificCredential"),
        "{ocsf}"
    );
}

/// Bad input: a listing refused is a gap naming the call; the rest is
/// still reported, and the run exits 2 (an audit that could not see).
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_listing_is_a_gap_and_exit_2() {
    use crate::common::proxy::Proxy;
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &[user("dev", true, vec![true])]).await;
    let home = Home::new(&moto.endpoint());
    for action in ["ListServiceSpecificCredentials", "ListSSHPublicKeys"] {
        let proxy = Proxy::start(moto.port).await;
        proxy.deny(action);
        let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
        assert_eq!(out.status.code(), Some(2), "{action}");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["complete"], false);
        let gaps = report["gaps"].to_string();
        assert!(gaps.contains(&format!("iam:{action} denied")), "{gaps}");
        assert_eq!(
            report["users"].as_array().unwrap().len(),
            1,
            "the rest is reported"
        );
    }
}

/// A waiver of another credential's finding from the command line names
/// the credential's ID, checked against IAM as a key's is; the report then
/// shows the finding waived.
#[tokio::test(flavor = "multi_thread")]
async fn ledger_waive_takes_another_credentials_id() {
    use crate::cli_waivers::{in_days, ledger_cli};
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &[user("dev", false, vec![])]).await;
    let forever = service_credential(&iam, "dev", BEDROCK, None).await;
    let home = Home::new(&moto.endpoint());
    let waive = |key: String| {
        let home = &home;
        let endpoint = moto.endpoint();
        async move {
            ledger_cli(
                home,
                &endpoint,
                &[
                    "waive",
                    "--user",
                    "dev",
                    "--finding",
                    "service_credential_no_expiry",
                    "--key",
                    &key,
                    "--until",
                    &in_days(10),
                    "--reason",
                    "the lab's key, until it moves",
                ],
            )
            .await
        }
    };
    let refused = waive("ACCANOTTHEREATALL0001".to_owned()).await;
    assert_eq!(refused.status.code(), Some(2));
    let out = waive(forever.clone()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = findings_of(&json, "service_credential_no_expiry");
    assert_eq!(found.len(), 1);
    assert!(found[0]["waived"].is_object(), "{}", found[0]);
}

async fn run(home: &Home, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(crate::common::home::BIN)
        .args(args)
        .args(["--profile", "e2e"])
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn service_status(iam: &aws_sdk_iam::Client, user: &str, id: &str) -> String {
    iam.list_service_specific_credentials()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .service_specific_credentials()
        .iter()
        .find(|c| c.service_specific_credential_id() == id)
        .map(|c| c.status().as_str().to_owned())
        .unwrap_or_default()
}

/// Item 5: a rule makes a Bedrock key with no expiry inactive as it makes
/// an access key inactive: planned with its kind, re-checked at IAM by
/// `apply`, changed through `UpdateServiceSpecificCredential`. A plan
/// edited to call it another kind is skipped, one naming a kind that is
/// none is refused whole, and a rule that would delete one is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_plan_makes_a_bedrock_key_inactive_as_it_does_a_key() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[user("dev", false, vec![]), user("ops", false, vec![])],
    )
    .await;
    let forever = service_credential(&iam, "dev", BEDROCK, None).await;
    let expiring = service_credential(&iam, "ops", BEDROCK, Some(30)).await;
    let home = Home::new(&moto.endpoint());
    let dir = home.path().join("config/iamkeys");
    std::fs::create_dir_all(&dir).unwrap();
    let rule = |action: &str| {
        format!(
            "[enforce]\nnotice_days = 0\nmax_changes = 10\n[[enforce.rule]]\nfinding = \"service_credential_no_expiry\"\naction = \"{action}\"\n"
        )
    };
    std::fs::write(dir.join("config.toml"), rule("delete")).unwrap();
    let plan = home.path().join("plan.json");
    let path = plan.to_str().unwrap();
    let out = run(&home, &["plan", "--out", path]).await;
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(
        said(&out).contains("delete acts on Inactive keys only"),
        "{}",
        said(&out)
    );

    std::fs::write(dir.join("config.toml"), rule("make_inactive")).unwrap();
    let out = run(&home, &["plan", "--out", path]).await;
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let actions = json["actions"].as_array().unwrap();
    assert_eq!(
        actions.len(),
        1,
        "only the key that never expires: {json:#}"
    );
    assert_eq!(actions[0]["access_key_id"], forever.as_str());
    assert_eq!(actions[0]["credential"], format!("service:{BEDROCK}"));
    assert_eq!(actions[0]["user_name"], "dev");
    assert_eq!(actions[0]["evidence"]["status"], "Active");

    // Edited to another kind: IAM lists no SSH key of that ID (and today's
    // audit calls it a Bedrock key); skipped, nothing changed.
    let mut other_kind = json.clone();
    other_kind["actions"][0]["credential"] = "ssh_public_key".into();
    let edited = home.path().join("kind.json");
    std::fs::write(&edited, other_kind.to_string()).unwrap();
    let out = run(&home, &["apply", edited.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(said(&out).contains("skipped: gone"), "{}", said(&out));
    assert!(said(&out).contains("0 changes made"), "{}", said(&out));
    // Edited to a kind that is none: refused whole.
    let mut no_kind = json.clone();
    no_kind["actions"][0]["credential"] = "service:\u{1b}[31m".into();
    std::fs::write(&edited, no_kind.to_string()).unwrap();
    let out = run(&home, &["apply", edited.to_str().unwrap(), "--yes"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(
        said(&out).contains("for a credential's kind"),
        "{}",
        said(&out)
    );
    assert!(!said(&out).contains('\u{1b}'), "{:?}", said(&out));
    assert_eq!(service_status(&iam, "dev", &forever).await, "Active");

    let out = run(&home, &["apply", path, "--yes", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["changes"], 1, "{summary:#}");
    assert_eq!(summary["actions"][0]["outcome"], "done", "{summary:#}");
    // Read back: dev's key inactive, ops's untouched.
    assert_eq!(service_status(&iam, "dev", &forever).await, "Inactive");
    assert_eq!(service_status(&iam, "ops", &expiring).await, "Active");
    let log = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    assert!(
        log.lines()
            .any(|l| l.contains("UpdateServiceSpecificCredential:Inactive") && l.contains(&forever)),
        "{log}"
    );
    // Applied again: the credential is Inactive now; skipped, not failed.
    let out = run(&home, &["apply", path, "--yes"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(said(&out).contains("skipped"), "{}", said(&out));
}
