//! Several accounts: two moto servers with their own account IDs, reached as
//! two profiles of a test AWS config file (per-profile `endpoint_url`), and a
//! third profile pointing at a closed port.

use std::path::Path;
use std::time::Duration;

use crate::common::home::{BIN, WAIT};
use crate::common::moto::{Moto, SeedUser, seed};
use crate::common::tmux::Tmux;

const ACCOUNT_A: &str = "111111111111";
const ACCOUNT_B: &str = "222222222222";

struct Accounts {
    _a: Moto,
    _b: Moto,
    home: tempfile::TempDir,
}

async fn accounts() -> Accounts {
    let a = Moto::start_with_account(Some(ACCOUNT_A));
    let b = Moto::start_with_account(Some(ACCOUNT_B));
    let user = |name: &'static str, keys: Vec<bool>| SeedUser {
        name,
        keys,
        ..SeedUser::default()
    };
    seed(
        &a.iam().await,
        &[user("ann", vec![true]), user("art", vec![])],
    )
    .await;
    seed(
        &b.iam().await,
        &[user("bea", vec![true, true]), user("bob", vec![false])],
    )
    .await;
    let closed = Moto::start().endpoint();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("aws-config"),
        format!(
            "[profile acct-a]\nregion = us-east-1\nendpoint_url = {}\n\n\
             [profile acct-b]\nregion = eu-west-1\nendpoint_url = {}\n\n\
             [profile broken]\nregion = us-east-1\nendpoint_url = {closed}\nmax_attempts = 1\n\n\
             [profile sso-dev]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 333333333333\nsso_role_name = Admin\n\n\
             [profile ops-role]\nrole_arn = arn:aws:iam::444444444444:role/ops\nsource_profile = acct-a\n",
            a.endpoint(),
            b.endpoint()
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("aws-credentials"),
        "[acct-a]\naws_access_key_id = AKIDA\naws_secret_access_key = a\n\n\
         [acct-b]\naws_access_key_id = AKIDB\naws_secret_access_key = b\n\n\
         [broken]\naws_access_key_id = AKIDC\naws_secret_access_key = c\n",
    )
    .unwrap();
    Accounts { _a: a, _b: b, home }
}

impl Accounts {
    fn env(&self) -> Vec<(&'static str, String)> {
        crate::common::home::aws_env(self.home.path())
    }

    async fn run(&self, args: &[&str]) -> std::process::Output {
        tokio::process::Command::new(BIN)
            .args(args)
            .envs(self.env())
            .output()
            .await
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_report_over_several_accounts_with_one_failing() {
    let accounts = accounts().await;
    let out = accounts
        .run(&[
            "report",
            "--profiles",
            "acct-a,acct-b,broken",
            "--format",
            "json",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2), "a profile failed");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("profile broken: Cannot reach the IAM endpoint"),
        "{stderr}"
    );
    // How many failed, not "0 gaps" (issue 23 item 8).
    assert!(
        stderr.contains("the audit is incomplete (1 of 3 accounts failed)"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["profile"], serde_json::Value::Null);
    let accounts_json = report["accounts"].as_array().unwrap();
    let summary: Vec<(String, serde_json::Value, bool)> = accounts_json
        .iter()
        .map(|a| {
            (
                a["profile"].as_str().unwrap().to_owned(),
                a["account_id"].clone(),
                a["error"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("acct-a".to_owned(), serde_json::json!(ACCOUNT_A), false),
            ("acct-b".to_owned(), serde_json::json!(ACCOUNT_B), false),
            ("broken".to_owned(), serde_json::Value::Null, true),
        ]
    );
    let users: Vec<(String, String, String)> = report["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["profile"].as_str().unwrap().to_owned(),
                u["account_id"].as_str().unwrap().to_owned(),
                u["user_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        users,
        [
            ("acct-a".into(), ACCOUNT_A.into(), "ann".into()),
            ("acct-a".into(), ACCOUNT_A.into(), "art".into()),
            ("acct-b".into(), ACCOUNT_B.into(), "bea".into()),
            ("acct-b".into(), ACCOUNT_B.into(), "bob".into()),
        ]
    );
    let finding = &report["findings"][0];
    assert_eq!(finding["id"], "multiple_active_keys");
    assert_eq!(finding["profile"], "acct-b");
    assert_eq!(finding["account_id"], ACCOUNT_B);

    let ok = accounts
        .run(&["report", "--profiles", "acct-a,acct-b", "--format", "csv"])
        .await;
    assert_eq!(ok.status.code(), Some(1), "findings, no failure");
    let csv = String::from_utf8_lossy(&ok.stdout);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("acct-b,{ACCOUNT_B},multiple_active_keys")),
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_profile_at_start_up_lists_the_real_ones() {
    let accounts = accounts().await;
    for args in [
        &["--profile", "nope"][..],
        &["report", "--profile", "nope"][..],
    ] {
        let out = accounts.run(args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("unknown profile 'nope'"), "{stderr}");
        assert!(
            stderr.contains("acct-a, acct-b, broken, ops-role, sso-dev"),
            "{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn switching_profiles_in_the_ui_shows_the_other_account_only() {
    let accounts = accounts().await;
    let tui = Tmux::start(
        Path::new(BIN),
        &["--profile", "acct-a"],
        &accounts.env(),
        140,
        40,
    );
    tui.wait_for("account A", WAIT, |s| {
        s.contains(ACCOUNT_A) && s.contains("ann") && s.contains("Users (2)")
    });
    tui.send(&["p"]);
    let picker = tui.wait_for("the picker", WAIT, |s| {
        s.contains("AWS profiles") && s.contains("ops-role")
    });
    for (name, kind) in [("acct-b", "keys"), ("sso-dev", "SSO"), ("ops-role", "role")] {
        assert!(
            picker.lines().any(|l| l.contains(name) && l.contains(kind)),
            "{name} as {kind}: {picker}"
        );
    }
    assert!(
        picker
            .lines()
            .any(|l| l.contains("acct-b") && l.contains("eu-west-1")),
        "region shown"
    );
    tui.send(&["-l", "acct-b"]);
    tui.send(&["Enter"]);
    let screen = tui.wait_for("account B", WAIT, |s| {
        s.contains(ACCOUNT_B)
            && s.contains("bea")
            && s.contains("bob")
            && s.contains("profile acct-b")
    });
    assert!(!screen.contains(ACCOUNT_A), "{screen}");
    assert!(!screen.contains("ann"), "no user of account A: {screen}");
    // A profile that fails leaves account B in use.
    tui.send(&["p"]);
    tui.wait_for("the picker", WAIT, |s| s.contains("AWS profiles"));
    tui.send(&["-l", "broken"]);
    tui.send(&["Enter"]);
    let failed = tui.wait_for("the failure", Duration::from_mins(1), |s| {
        s.contains("still using acct-b")
    });
    // In the picker `r` is text for the filter: the error names no key
    // to press (issue 23 item 3).
    assert!(!failed.contains("press r"), "{failed}");
    tui.send(&["Escape"]);
    let screen = tui.wait_for("account B still", WAIT, |s| !s.contains("AWS profiles"));
    assert!(
        screen.contains("profile acct-b") && screen.contains(ACCOUNT_B),
        "{screen}"
    );
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 38 item 6: two profiles that reach one account audit it once —
/// its users and findings are not counted twice — and the report says
/// which profile stood for it; a failed profile's gap is named as such,
/// not as "gaps below".
#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_on_one_account_audit_it_once() {
    let accounts = accounts().await;
    let config = accounts.home.path().join("aws-config");
    let text = std::fs::read_to_string(&config).unwrap();
    let b = text
        .split("[profile acct-b]\n")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap()
        .to_owned();
    std::fs::write(&config, format!("{text}\n[profile b-again]\n{b}\n")).unwrap();
    let creds = accounts.home.path().join("aws-credentials");
    let mut c = std::fs::read_to_string(&creds).unwrap();
    c.push_str("\n[b-again]\naws_access_key_id = AKIDB\naws_secret_access_key = b\n");
    std::fs::write(&creds, c).unwrap();

    let out = accounts
        .run(&[
            "report",
            "--profiles",
            "acct-a,acct-b,b-again",
            "--format",
            "json",
        ])
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "findings, no gap: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let users: Vec<&str> = report["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_name"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["ann", "art", "bea", "bob"], "B's users once");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["id"] == "multiple_active_keys")
            .count(),
        1,
        "{findings:#?}"
    );
    let again = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["profile"] == "b-again")
        .unwrap();
    assert_eq!(again["account_id"], ACCOUNT_B);
    assert_eq!(again["skipped"], true, "{again:#}");
    assert!(
        again["skipped_reason"].as_str().unwrap().contains("acct-b"),
        "{again:#}"
    );
    assert!(
        report["notes"].to_string().contains("b-again"),
        "{}",
        report["notes"]
    );
    // The same with --all-profiles (the others fail or need a login: exit
    // 2), B's users still once.
    let all = accounts
        .run(&["report", "--all-profiles", "--format", "json"])
        .await;
    let report: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    let bea = report["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["user_name"] == "bea")
        .count();
    assert_eq!(bea, 1, "{report:#}");

    // A failed profile is a failed profile in the table's words.
    let table = accounts
        .run(&["report", "--profiles", "acct-a,broken"])
        .await;
    let stdout = String::from_utf8_lossy(&table.stdout);
    assert_eq!(table.status.code(), Some(2));
    assert!(!stdout.contains("gaps below"), "{stdout}");
    assert!(
        stdout.contains("INCOMPLETE AUDIT: 1 of 2 accounts could not be audited"),
        "{stdout}"
    );
}
