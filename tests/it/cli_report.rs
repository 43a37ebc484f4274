//! `iamkeys report` end to end: the real binary against moto, its JSON
//! checked finding by finding against what the seed implies; CSV, table,
//! exit codes, `--fail-on`, and the fallback when the report is refused.

use std::collections::BTreeSet;
use std::process::Output;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, SeedUser, seed};
use crate::common::proxy::Proxy;

/// Every situation the rules tell apart, as fresh keys allow.
fn seed_users() -> Vec<SeedUser> {
    vec![
        // Console password, one active key never used: initial_setup_key.
        SeedUser {
            name: "console-new-key",
            password: true,
            mfa: false,
            keys: vec![true],
        },
        // Console password, the key is inactive: nothing.
        SeedUser {
            name: "console-inactive",
            password: true,
            mfa: true,
            keys: vec![false],
        },
        // Console password, key used once (below): nothing.
        SeedUser {
            name: "console-used",
            password: true,
            mfa: true,
            keys: vec![true],
        },
        // No console password, never-used key: nothing (not initial setup).
        SeedUser {
            name: "svc-new",
            password: false,
            mfa: false,
            keys: vec![true],
        },
        // Two active keys: multiple_active_keys.
        SeedUser {
            name: "svc-two",
            password: false,
            mfa: false,
            keys: vec![true, true],
        },
        // Console password and two active keys, the second only: both rules.
        SeedUser {
            name: "console-slot2",
            password: true,
            mfa: false,
            keys: vec![false, true],
        },
        // No keys at all.
        SeedUser {
            name: "nobody",
            password: true,
            mfa: false,
            keys: vec![],
        },
    ]
}

struct Setup {
    moto: Moto,
    home: Home,
    keys: Vec<(String, Vec<String>)>,
}

async fn setup() -> Setup {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &seed_users()).await;
    // Use console-used's key once: moto marks it used.
    let used_user_key = iam
        .create_access_key()
        .user_name("console-used")
        .send()
        .await
        .unwrap();
    let used = used_user_key.access_key().unwrap();
    iam.delete_access_key()
        .user_name("console-used")
        .access_key_id(&keys[2].1[0])
        .send()
        .await
        .unwrap();
    let config = crate::common::moto::sdk_config_at(
        moto.endpoint(),
        used.access_key_id(),
        used.secret_access_key(),
    )
    .await;
    aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let mut keys = keys;
    keys[2].1 = vec![used.access_key_id().to_owned()];
    let home = Home::new(&moto.endpoint());
    Setup { moto, home, keys }
}

impl Setup {
    fn key(&self, user: &str, index: usize) -> String {
        self.keys.iter().find(|(u, _)| u == user).unwrap().1[index].clone()
    }

    async fn report(&self, args: &[&str]) -> Output {
        self.report_at(&self.moto.endpoint(), args).await
    }

    /// `iamkeys report --key-ids` against `endpoint`.
    async fn report_at(&self, endpoint: &str, args: &[&str]) -> Output {
        let mut with_ids = vec!["--key-ids"];
        with_ids.extend_from_slice(args);
        self.report_without_ids(endpoint, &with_ids).await
    }

    /// `iamkeys report` against `endpoint`, keys listed only if `args` asks.
    async fn report_without_ids(&self, endpoint: &str, args: &[&str]) -> Output {
        tokio::process::Command::new(BIN)
            .arg("report")
            .args(["--profile", "e2e", "--endpoint-url", endpoint])
            .args(args)
            .envs(self.home.env())
            .output()
            .await
            .unwrap()
    }
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.code() == Some(1) || out.status.code() == Some(0),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The JSON of a run that could not see everything: exit 2, the report
/// still printed, `complete` false.
fn incomplete_json(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    report
}

pub fn findings(report: &serde_json::Value) -> BTreeSet<(String, String, Option<String>)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["user_name"].as_str().unwrap().to_owned(),
                f["access_key_id"].as_str().map(ToOwned::to_owned),
            )
        })
        .collect()
}

fn expected(setup: &Setup) -> BTreeSet<(String, String, Option<String>)> {
    let f = |id: &str, user: &str, key: Option<String>| (id.to_owned(), user.to_owned(), key);
    [
        f(
            "initial_setup_key",
            "console-new-key",
            Some(setup.key("console-new-key", 0)),
        ),
        f("multiple_active_keys", "svc-two", None),
        f(
            "initial_setup_key",
            "console-slot2",
            Some(setup.key("console-slot2", 1)),
        ),
    ]
    .into_iter()
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn json_has_every_finding_the_seed_implies_and_nothing_else() {
    let setup = setup().await;
    let out = setup.report(&["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(1), "findings: exit 1");
    let report = json(&out);
    assert_eq!(report["schema"], "iamkeys.report/v1");
    assert_eq!(report["profile"], "e2e");
    assert_eq!(report["accounts"][0]["profile"], "e2e");
    assert_eq!(report["accounts"][0]["error"], serde_json::Value::Null);
    assert!(
        report["users"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["account_id"] == "123456789012")
    );
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["profile"] == "e2e")
    );
    assert_eq!(report["account_id"], "123456789012");
    assert!(report["generated_at"].as_str().unwrap().contains('T'));
    // IAM's GeneratedTime: when this run's report was made (moto's fixed
    // 2015 is corrected by the suite's moto_server.py, as IAM documents).
    let generated: chrono::DateTime<chrono::Utc> = report["credential_report_generated_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (chrono::Utc::now() - generated).num_minutes().abs() < 5,
        "{generated}"
    );
    assert_eq!(report["thresholds"]["unused_days"], 45);
    assert_eq!(report["thresholds"]["initial_setup_window"], "10m");
    assert_eq!(findings(&report), expected(&setup));
    let setup_finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["user_name"] == "console-new-key")
        .unwrap();
    assert_eq!(setup_finding["created_with_user"], true);
    assert_eq!(setup_finding["severity"], "high");
    assert_eq!(setup_finding["cis"]["v1.4-v4.0"], "1.11");
    assert_eq!(setup_finding["cis"]["v5.0"], "1.10");
    assert_eq!(setup_finding["cis"]["v6.0"], "2.10");
    // Users carry their keys with the documented fields.
    let users = report["users"].as_array().unwrap();
    assert_eq!(users.len(), 7);
    let used = users
        .iter()
        .find(|u| u["user_name"] == "console-used")
        .unwrap();
    assert_eq!(used["password_enabled"], true);
    assert_eq!(used["mfa_active"], true);
    let key = &used["access_keys"][0];
    assert_eq!(key["access_key_id"], setup.key("console-used", 0));
    assert_eq!(key["status"], "Active");
    assert!(
        key["last_used"].as_str().is_some(),
        "moto marked it used: {key}"
    );
    for field in ["created", "last_used_service", "last_used_region"] {
        assert!(key.get(field).is_some(), "{field} missing");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn thresholds_from_the_config_file_change_the_findings() {
    let setup = setup().await;
    let config = setup.home.path().join("strict.toml");
    std::fs::write(
        &config,
        "[audit]\nunused_days = 0\nrotation_days = 0\ninitial_setup_window = \"0s\"\n",
    )
    .unwrap();
    let out = setup
        .report(&["--format", "json", "--config", config.to_str().unwrap()])
        .await;
    let report = json(&out);
    let all = findings(&report);
    // Every Active key is now "unused" (0 days) and "not rotated" (older than 0 days).
    let active_keys = [
        ("console-new-key", 0),
        ("console-used", 0),
        ("svc-new", 0),
        ("svc-two", 0),
        ("svc-two", 1),
        ("console-slot2", 1),
    ];
    for (user, index) in active_keys {
        let key = Some(setup.key(user, index));
        assert!(
            all.contains(&("key_not_rotated".into(), user.into(), key.clone())),
            "{user}"
        );
    }
    let setup_finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "initial_setup_key")
        .unwrap();
    assert_eq!(setup_finding["created_with_user"], false, "a 0s window");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_and_table_and_fail_on() {
    let setup = setup().await;
    let out = setup.report(&["--format", "csv"]).await;
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "profile,account_id,id,severity,cis_v1.4_v4.0,cis_v5.0,cis_v6.0,user_name,access_key_id,created_with_user,message,account_name,waived_until,new,waiver_not_honoured,risk,security_hub,cis_v7.0,controls"
    );
    assert_eq!(lines.clone().count(), 3, "one row per finding");
    assert!(lines.any(|l| {
        l.starts_with("e2e,123456789012,multiple_active_keys,low,1.13,1.12,2.12,svc-two,,,")
            // Issue 37: v7.0 dropped the item; no Security Hub control.
            && l.ends_with(",,-,cis-v4:1.13 cis-v5:1.12 cis-v6:2.12 cis-v7:-")
    }));

    let out = setup.report(&[]).await;
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("RISK      SEVERITY  FINDING"), "{table}");
    assert!(
        table.contains("7 users · 8 access keys · 3 findings"),
        "{table}"
    );

    assert_eq!(
        setup.report(&["--fail-on", "none"]).await.status.code(),
        Some(0)
    );
    assert_eq!(
        setup.report(&["--fail-on", "critical"]).await.status.code(),
        Some(0)
    );
    assert_eq!(
        setup.report(&["--fail-on", "high"]).await.status.code(),
        Some(1)
    );
    assert_eq!(
        setup
            .report(&["--fail-on", "unused_key,key_not_rotated"])
            .await
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        setup
            .report(&["--fail-on", "multiple_active_keys"])
            .await
            .status
            .code(),
        Some(1)
    );
    // Issue 37: a control stands for its findings. v6.0's 2.12 is
    // multiple_active_keys; IAM.3 (rotation) finds nothing here.
    for (control, code) in [("cis-v6:2.12", 1), ("IAM.3", 0), ("cis-v7:2.11,iam.4", 0)] {
        assert_eq!(
            setup.report(&["--fail-on", control]).await.status.code(),
            Some(code),
            "{control}"
        );
    }
    // Issue 38 item 12: exit 1 says why, in one line on stderr.
    let failing = setup.report(&["--fail-on", "multiple_active_keys"]).await;
    let said = String::from_utf8_lossy(&failing.stderr);
    assert_eq!(failing.status.code(), Some(1));
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert!(said.contains("1 finding fails --fail-on"), "{said}");
    let bad = setup.report(&["--fail-on", "everything"]).await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a finding id"));

    let file = setup.home.path().join("out.json");
    let out = setup
        .report(&["--format", "json", "--output", file.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(findings(&written), expected(&setup));
    // Issue 33 item 10: a new report file is 0600 (it names users and
    // keys); an existing one keeps its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        setup
            .report(&["--format", "json", "--output", file.to_str().unwrap()])
            .await;
        assert_eq!(mode(&file), 0o644, "the file keeps its mode");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_credential_report_gives_the_same_findings_and_says_so() {
    let setup = setup().await;
    let proxy = Proxy::start(setup.moto.port).await;
    proxy.deny("GenerateCredentialReport");
    let out = setup
        .report_at(&proxy.endpoint(), &["--format", "json"])
        .await;
    // Every user's findings from per-user calls, root's from
    // GetAccountSummary: the audit is whole.
    let report = json(&out);
    assert_eq!(report["complete"], true);
    assert_eq!(findings(&report), expected(&setup));
    assert_eq!(
        report["credential_report_generated_at"],
        serde_json::Value::Null
    );
    let notes = report["notes"].as_array().unwrap();
    assert!(
        notes[0]
            .as_str()
            .unwrap()
            .contains("credential report could not be had (iam:GenerateCredentialReport denied)"),
        "{notes:?}"
    );
    assert_eq!(report["gaps"], serde_json::json!([]));
    assert_eq!(proxy.count("GetAccountSummary"), 1);
    assert!(proxy.count("GetLoginProfile") >= 7);
    let table = setup.report_at(&proxy.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("note: The credential report could not be had"),
        "{text}"
    );
    // GetAccountSummary refused too: root keys are unchecked, and the
    // audit says so (exit 2) while printing every user's findings.
    proxy.deny("GetAccountSummary");
    let out = setup
        .report_at(&proxy.endpoint(), &["--format", "json"])
        .await;
    let report = incomplete_json(&out);
    assert_eq!(findings(&report), expected(&setup));
    assert_eq!(
        report["gaps"],
        serde_json::json!([
            "iam:GetAccountSummary denied: root access keys not checked for the root user; root_access_key cannot be judged"
        ])
    );
    let table = setup.report_at(&proxy.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("INCOMPLETE AUDIT"), "{text}");
    assert!(
        String::from_utf8_lossy(&table.stderr).contains("the audit is incomplete"),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_exit_2_with_one_line_on_stderr() {
    let setup = setup().await;
    let closed = {
        let moto = Moto::start();
        moto.endpoint()
    };
    let config = setup.home.path().join("fast.toml");
    std::fs::write(&config, "max_attempts = 1\n").unwrap();
    let out = setup
        .report_at(&closed, &["--config", config.to_str().unwrap()])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("iamkeys report: Cannot reach the IAM endpoint"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let proxy = Proxy::start(setup.moto.port).await;
    proxy.deny("ListUsers");
    let out = setup.report_at(&proxy.endpoint(), &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Access denied for iam:ListUsers"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_key_ids_the_audit_needs_only_a_few_requests() {
    let setup = setup().await;
    let proxy = Proxy::start(setup.moto.port).await;
    let out = setup
        .report_without_ids(&proxy.endpoint(), &["--format", "json"])
        .await;
    let report = json(&out);
    // A report generated for this run is current: the audit reads it, and
    // lists keys only for the users whose findings must name a key.
    assert_eq!(
        findings(&report),
        expected(&setup),
        "the same findings, each key-level one naming its key"
    );
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .contains("generated for this run"),
        "{}",
        report["notes"]
    );
    let keys = report["users"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["access_keys"].as_array().unwrap().clone())
        .count();
    assert_eq!(keys, 8, "every key is there, from the report's slots");
    // Issue 32 item 5: the first report also lists the one user whose
    // Inactive key the ledger has no date for, once, to date it (see the
    // second run below).
    assert_eq!(
        proxy.count("ListAccessKeys"),
        3,
        "console-new-key, console-slot2, and the key to date"
    );
    assert_eq!(proxy.count("GetLoginProfile"), 0);
    // Every user's tags (for waivers) in one request, not one per user.
    assert_eq!(proxy.count("GetAccountAuthorizationDetails"), 1);
    assert_eq!(proxy.count("ListUserTags"), 0, "{:?}", proxy.actions());
    // Keys made in the same second fit two report slots: their last use
    // is asked of IAM (issue 21 §1), never taken from the other key's slot.
    assert!(
        proxy.count("GetAccessKeyLastUsed") <= 2,
        "{:?}",
        proxy.actions()
    );
    // Issue 36: every user's service-specific credentials in one request;
    // SSH public keys one request per user (IAM lists them no other way);
    // signing certificates from the report's own columns, none asked.
    assert_eq!(proxy.count("ListServiceSpecificCredentials"), 1);
    let users = report["users"].as_array().unwrap().len();
    assert_eq!(proxy.count("ListSSHPublicKeys"), users);
    assert_eq!(proxy.count("ListSigningCertificates"), 0);
    let actions = proxy.actions();
    assert!(actions.len() <= 14 + users, "{actions:?}");
    // Dated and recorded: the next report (on the report IAM now has, so
    // every key is listed) asks CloudTrail nothing more.
    let looked_up = proxy.count("LookupEvents");
    assert!(looked_up >= 1, "{:?}", proxy.actions());
    let out = setup
        .report_without_ids(&proxy.endpoint(), &["--format", "json"])
        .await;
    assert_eq!(findings(&json(&out)), expected(&setup));
    assert_eq!(proxy.count("LookupEvents"), looked_up, "dated once");
}

/// Issue 34 item 4: a report IAM says it started for this run but dates
/// long before it (moto's fixed 2015, or a hostile endpoint's) is said to
/// be odd, not current, and every user's keys are listed.
#[tokio::test(flavor = "multi_thread")]
async fn a_report_dated_before_the_run_is_odd_not_current() {
    let setup = setup().await;
    let proxy = Proxy::start(setup.moto.port).await;
    proxy.date_report("2015-02-02T20:02:02Z");
    let out = setup
        .report_without_ids(&proxy.endpoint(), &["--format", "json"])
        .await;
    let report = json(&out);
    let notes = report["notes"].to_string();
    assert!(notes.contains("is dated 2015-02-02T20:02:02Z"), "{notes}");
    assert!(notes.contains("not taken as current"), "{notes}");
    assert!(!notes.contains("so it is current"), "{notes}");
    assert_eq!(
        proxy.count("ListAccessKeys"),
        7,
        "every user's keys listed: {:?}",
        proxy.actions()
    );
    assert_eq!(findings(&report), expected(&setup));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_report_without_key_ids_falls_back_to_listing_keys() {
    let setup = setup().await;
    let proxy = Proxy::start(setup.moto.port).await;
    proxy.deny("GetCredentialReport");
    let out = setup
        .report_without_ids(&proxy.endpoint(), &["--format", "json"])
        .await;
    let report = json(&out);
    assert_eq!(
        findings(&report),
        expected(&setup),
        "keys were listed, so findings carry IDs"
    );
    assert!(
        proxy.count("ListAccessKeys") >= 7,
        "per-user listing: {}",
        proxy.count("ListAccessKeys")
    );
    assert!(report["notes"][0].as_str().unwrap().contains("denied"));
}

/// Issue 24 item 1: `--timeout` bounds the run; reaching it is exit 2 with
/// one line that says so, never a report that reads complete.
#[test]
fn the_run_ends_at_its_timeout_with_exit_2() {
    let home = crate::common::home::Home::new("http://127.0.0.1:9");
    let out = std::process::Command::new(BIN)
        .args(["report", "--demo", "--timeout", "0s", "--format", "json"])
        .envs(home.env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--timeout reached"), "{stderr}");
    assert!(out.stdout.is_empty(), "no report that reads complete");
    let bad = std::process::Command::new(BIN)
        .args(["report", "--demo", "--timeout", "soon"])
        .envs(home.env())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// Issue 24 item 3: `--output` replaces the file whole or not at all: a
/// write that fails part-way (here the file-size limit, as a full disk
/// would) leaves the previous file as it was.
#[test]
fn a_failed_output_leaves_the_previous_file_whole() {
    let home = crate::common::home::Home::new("http://127.0.0.1:9");
    let out = home.path().join("baseline.json");
    std::fs::write(&out, "previous baseline\n").unwrap();
    // 1 KiB at most per file written; SIGXFSZ ignored, so the write fails
    // with EFBIG instead of killing the program.
    let run = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1; exec \"$0\" report --demo --format json --output \"$1\"")
        .arg(BIN)
        .arg(&out)
        .envs(home.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "previous baseline\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(home.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("baseline.json."))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );
}

/// Issue 24 item 3: `--baseline` is a regular file of at most 320 MB,
/// checked before it is read: a FIFO, `/dev/zero` or a huge file is one
/// line and exit 2 at once (never a hang, never memory without end).
#[test]
fn a_baseline_that_is_no_regular_file_or_too_big_is_refused_at_once() {
    let home = crate::common::home::Home::new("http://127.0.0.1:9");
    let fifo = home.path().join("fifo.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let huge = home.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(321 * 1024 * 1024)
        .unwrap();
    for (path, said) in [
        (fifo.as_path(), "not a regular file"),
        (std::path::Path::new("/dev/zero"), "not a regular file"),
        (huge.as_path(), "larger than 320 MB"),
    ] {
        let started = std::time::Instant::now();
        let mut child = std::process::Command::new(BIN)
            .args(["report", "--demo", "--baseline"])
            .arg(path)
            .envs(home.env())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = started + std::time::Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                child.kill().unwrap();
                panic!("{}: still running after 10 s", path.display());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
        assert!(stderr.contains(said), "{}: {stderr}", path.display());
    }
}

/// Issue 24 item 3: a closed stdout (`>&-`) is an error (exit 2, one line
/// on stderr), never a report silently lost.
#[test]
fn a_closed_stdout_is_an_error() {
    let home = crate::common::home::Home::new("http://127.0.0.1:9");
    let run = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" report --demo >&-")
        .arg(BIN)
        .envs(home.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("stdout is closed"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// `report` in `setup`'s home with the environment's keys exported (as
/// `granted` and `aws-vault exec` do) and `args` as given.
async fn with_env_keys(setup: &Setup, args: &[&str], aws_profile: &str) -> Output {
    std::fs::write(
        setup.home.path().join("aws-config"),
        format!(
            "[profile e2e]\nregion = us-east-1\nendpoint_url = {0}\n\n[profile nocreds]\nregion = us-east-1\nendpoint_url = {0}\n",
            setup.moto.endpoint()
        ),
    )
    .unwrap();
    tokio::process::Command::new(BIN)
        .arg("report")
        .args(args)
        .envs(setup.home.env())
        .env("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
        .env("AWS_SECRET_ACCESS_KEY", "environment-secret")
        .env("AWS_PROFILE", aws_profile)
        .output()
        .await
        .unwrap()
}

/// Issue 33 item 2: a profile named with `--profile` is the profile used,
/// as botocore does: environment keys do not stand in for a profile that
/// has none (exit 2, naming it), and one that has keys is labelled by
/// its name. `AWS_PROFILE` keeps the SDK's order: the environment's keys
/// are used, and the report says `credentials: environment`.
#[tokio::test(flavor = "multi_thread")]
async fn a_named_profile_ignores_the_environments_keys() {
    let setup = setup().await;
    let out = with_env_keys(&setup, &["--profile", "nocreds"], "").await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nocreds"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(out.stdout.is_empty());

    let out = with_env_keys(&setup, &["--profile", "e2e", "--fail-on", "none"], "").await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("profile e2e"), "{table}");
    assert!(!table.contains("credentials: environment"), "{table}");

    let out = with_env_keys(&setup, &["--fail-on", "none"], "nocreds").await;
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(table.contains("credentials: environment"), "{table}");
    assert!(!table.contains("profile nocreds"), "{table}");
}
