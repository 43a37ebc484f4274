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
