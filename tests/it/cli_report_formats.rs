//! Issue 17, the report in the formats security pipelines ingest:
//! `--format ocsf` (checked against a JSON schema of the OCSF fields used)
//! and `--baseline` with `--fail-on new`, each against moto through the
//! real binary.

use std::process::Output;

use crate::cli_audit_truth::report;
use crate::common::home::Home;
use crate::common::moto::{Moto, seed, user};

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}); exit {:?}; stderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One line per finding: (id, user, key, new).
fn marks(report: &serde_json::Value) -> Vec<(String, String, String, Option<bool>)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_owned(),
                f["user_name"].as_str().unwrap().to_owned(),
                f["access_key_id"].as_str().unwrap_or("-").to_owned(),
                f["new"].as_bool(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_marks_new_findings_lists_resolved_ones_and_fail_on_new_fails_only_on_new() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    // alice and bob: console users whose keys were made with them, never
    // used (initial_setup_key); svc: one key, nothing to say.
    let keys = seed(
        &iam,
        &[
            user("alice", true, vec![true]),
            user("bob", true, vec![true]),
            user("svc", false, vec![true]),
        ],
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let base = home.path().join("baseline.json");
    let base_arg = base.to_str().unwrap();
    let first = report(
        &home,
        &moto.endpoint(),
        &["--format", "json", "--output", base_arg],
    )
    .await;
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));

    // Nothing changed: nothing is new, nothing resolved, and --fail-on new passes.
    let same = report(
        &home,
        &moto.endpoint(),
        &[
            "--format",
            "json",
            "--baseline",
            base_arg,
            "--fail-on",
            "new",
        ],
    )
    .await;
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let same = json(&same);
    let found = marks(&same);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|m| m.3 == Some(false)), "{found:?}");
    assert_eq!(same["resolved"], serde_json::json!([]));

    // carol appears with a finding; bob's key goes (his finding resolves).
    seed(&iam, &[user("carol", true, vec![true])]).await;
    iam.delete_access_key()
        .user_name("bob")
        .access_key_id(&keys[1].1[0])
        .send()
        .await
        .unwrap();
    let changed = report(
        &home,
        &moto.endpoint(),
        &[
            "--format",
            "json",
            "--baseline",
            base_arg,
            "--fail-on",
            "new",
        ],
    )
    .await;
    assert_eq!(changed.status.code(), Some(1), "{}", stderr(&changed));
    let changed = json(&changed);
    let found = marks(&changed);
    assert_eq!(
        found
            .iter()
            .map(|m| (m.1.as_str(), m.3))
            .collect::<Vec<_>>(),
        [("alice", Some(false)), ("carol", Some(true))],
        "{found:?}"
    );
    let resolved = changed["resolved"].as_array().unwrap();
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["user_name"], "bob");
    assert_eq!(resolved[0]["access_key_id"], keys[1].1[0].as_str());

    // new,critical: carol's finding is high, so nothing fails.
    let critical = report(
        &home,
        &moto.endpoint(),
        &["--baseline", base_arg, "--fail-on", "new,critical"],
    )
    .await;
    assert_eq!(critical.status.code(), Some(0), "{}", stderr(&critical));
    let table = String::from_utf8_lossy(&critical.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.contains("carol") && l.contains("[new]")),
        "{table}"
    );
    assert!(
        !table
            .lines()
            .any(|l| l.contains("alice") && l.contains("[new]"))
    );
    assert!(
        table.contains("Resolved since the baseline: 1") && table.contains("1 new"),
        "{table}"
    );
    let csv = report(
        &home,
        &moto.endpoint(),
        &["--format", "csv", "--baseline", base_arg],
    )
    .await;
    let csv = String::from_utf8_lossy(&csv.stdout);
    let header = csv.lines().next().unwrap();
    assert!(
        header
            .ends_with(",waived_until,new,waiver_not_honoured,risk,security_hub,cis_v7.0,controls"),
        "{header}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains("carol") && l.contains(",true,,"))
    );
    assert!(
        csv.lines()
            .any(|l| l.contains("alice") && l.contains(",false,,"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_baseline_of_another_schema_or_account_set_or_none_is_an_error() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &[user("alice", true, vec![true])]).await;
    let home = Home::new(&moto.endpoint());
    let path = home.path().join("baseline.json");
    let arg = path.to_str().unwrap();

    let out = report(&home, &moto.endpoint(), &["--fail-on", "new"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--fail-on new needs --baseline FILE"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&path, r#"{"schema": "iamkeys.report/v2", "findings": []}"#).unwrap();
    let out = report(&home, &moto.endpoint(), &["--baseline", arg]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("has schema iamkeys.report/v2; this iamkeys reads iamkeys.report/v1"),
        "{}",
        stderr(&out)
    );
    assert!(
        out.stdout.is_empty(),
        "nothing is printed for a bad baseline"
    );

    std::fs::write(
        &path,
        r#"{"schema": "iamkeys.report/v1", "accounts": [{"account_id": "210987654321"}], "findings": []}"#,
    )
    .unwrap();
    let out = report(&home, &moto.endpoint(), &["--baseline", arg]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("covers accounts 210987654321, this run covers 123456789012"),
        "{}",
        stderr(&out)
    );

    std::fs::write(&path, "not json").unwrap();
    let out = report(&home, &moto.endpoint(), &["--baseline", arg]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not JSON"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn ocsf_findings_follow_the_schema_and_keep_their_uid_across_runs() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[
            user("alice", true, vec![true]),
            user("svc", false, vec![true, true]),
        ],
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &moto.endpoint(), &["--format", "ocsf"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let ocsf = json(&out);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../data/ocsf_detection_finding.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&ocsf)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{ocsf:#}");
    // The schema bites: another class, or no account, is refused.
    let mut wrong = ocsf.clone();
    wrong[0]["class_uid"] = 2003.into();
    wrong[1]["cloud"]["account"]["uid"] = serde_json::Value::Null;
    assert_eq!(validator.iter_errors(&wrong).count(), 2);

    let items = ocsf.as_array().unwrap();
    assert_eq!(
        items.len(),
        2,
        "initial_setup_key and multiple_active_keys: {ocsf:#}"
    );
    let alice = items
        .iter()
        .find(|f| f["unmapped"]["iamkeys_finding_id"] == "initial_setup_key")
        .unwrap();
    // Issue 25: severity_id is the risk; alice has no policies, so her
    // high finding is a medium risk, the control's severity in unmapped.
    assert_eq!(alice["severity_id"], 3, "medium risk");
    assert_eq!(alice["severity"], "Medium");
    assert_eq!(alice["unmapped"]["iamkeys_severity"], "high");
    assert_eq!(alice["unmapped"]["iamkeys_risk"], "medium");
    assert_eq!(alice["cloud"]["account"]["uid"], "123456789012");
    assert_eq!(alice["unmapped"]["cis"]["v1.4-v4.0"], "1.11");
    // Issue 37: OCSF's Compliance object, the item gone from v7.0 said
    // (in `controls`); issue 38: no "-" placeholder in `cis`.
    assert!(alice["unmapped"]["cis"].get("v7.0").is_none(), "{alice:#}");
    assert_eq!(
        alice["unmapped"]["compliance"]["requirements"],
        serde_json::json!(["cis-v4:1.11", "cis-v5:1.10", "cis-v6:2.10"])
    );
    assert!(alice["unmapped"]["compliance"]["control"].is_null());
    assert_eq!(
        alice["unmapped"]["controls"],
        serde_json::json!(["cis-v4:1.11", "cis-v5:1.10", "cis-v6:2.10", "cis-v7:-"])
    );
    assert_eq!(
        alice["metadata"]["product"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    let resources: Vec<&str> = alice["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uid"].as_str().unwrap())
        .collect();
    assert_eq!(
        resources,
        [
            "arn:aws:iam::123456789012:user/alice",
            keys[0].1[0].as_str()
        ]
    );
    assert_eq!(
        alice["finding_info"]["uid"],
        format!(
            "iamkeys:123456789012:initial_setup_key:alice:{}",
            keys[0].1[0]
        )
    );
    let svc = items
        .iter()
        .find(|f| f["unmapped"]["iamkeys_finding_id"] == "multiple_active_keys")
        .unwrap();
    assert_eq!(svc["severity_id"], 2, "low");
    assert_eq!(
        svc["resources"].as_array().unwrap().len(),
        1,
        "the user only"
    );

    // Another run: the same uids (time differs, identity does not).
    let again = json(&report(&home, &moto.endpoint(), &["--format", "ocsf"]).await);
    let uids = |v: &serde_json::Value| {
        let mut u: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["finding_info"]["uid"].as_str().unwrap().to_owned())
            .collect();
        u.sort();
        u
    };
    assert_eq!(uids(&ocsf), uids(&again));
}

/// Issue 24 item 5: Prowler's own OCSF models (py-ocsf-models, pinned by
/// scripts/test.sh) accept every finding, of the demo and of a moto run.
#[tokio::test(flavor = "multi_thread")]
async fn prowlers_ocsf_models_accept_every_finding() {
    let validate = |ocsf: &[u8], what: &str| {
        use std::io::Write as _;
        let python = std::env::var("IAMKEYS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = std::process::Command::new(python)
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/validate_ocsf.py"
            ))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(ocsf).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{what}: py-ocsf-models refused:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let home = Home::new("http://127.0.0.1:9");
    let demo = std::process::Command::new(crate::common::home::BIN)
        .args(["report", "--demo", "--format", "ocsf"])
        .envs(home.env())
        .output()
        .unwrap();
    assert_eq!(demo.status.code(), Some(1));
    validate(&demo.stdout, "the demo");
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[
            user("alice", true, vec![true]),
            user("svc", false, vec![true, true]),
        ],
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &moto.endpoint(), &["--format", "ocsf"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    validate(&out.stdout, "a moto run");
}

/// Issue 27: `--format html` against moto through the real binary: parsed
/// with an HTML5 parser (html5ever), its findings are exactly the JSON's,
/// nothing in it is fetched, and it says its risk.
#[tokio::test(flavor = "multi_thread")]
async fn the_html_report_holds_the_jsons_findings_and_fetches_nothing() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[
            user("alice", true, vec![true]),
            user("svc", false, vec![true, true]),
            user("nobody", true, vec![]),
        ],
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let json = json(&report(&home, &moto.endpoint(), &["--format", "json", "--key-ids"]).await);
    let out = report(&home, &moto.endpoint(), &["--format", "html", "--key-ids"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let page = String::from_utf8(out.stdout).unwrap();
    let doc = scraper::Html::parse_document(&page);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    let mut from_html: Vec<(String, String, String, String)> = doc
        .select(&select("#findings tbody tr"))
        .map(|row| {
            let attr = |name: &str| row.value().attr(name).unwrap_or_default().to_owned();
            (
                attr("data-id"),
                attr("data-user"),
                attr("data-key"),
                attr("data-account"),
            )
        })
        .collect();
    let mut from_json: Vec<(String, String, String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let text = |name: &str| f[name].as_str().unwrap_or_default().to_owned();
            (
                text("id"),
                text("user_name"),
                text("access_key_id"),
                text("account_id"),
            )
        })
        .collect();
    from_html.sort();
    from_json.sort();
    assert_eq!(from_html, from_json);
    assert_eq!(from_json.len(), 2, "alice's setup key, svc's two keys");
    // Each row says its risk, as the JSON does.
    let risks: Vec<String> = doc
        .select(&select("#findings tbody td.risk"))
        .map(|c| c.text().collect())
        .collect();
    assert!(
        risks
            .iter()
            .all(|r| ["critical", "high", "medium", "low", "info"].contains(&r.as_str())),
        "{risks:?}"
    );
    // Issue 37: each row's controls, as the JSON's references (and the
    // version that dropped the item said).
    let controls: Vec<String> = doc
        .select(&select("#findings tbody td.controls"))
        .map(|c| c.text().collect::<String>().trim().to_owned())
        .collect();
    assert!(
        controls.contains(&"cis-v4:1.11 cis-v5:1.10 cis-v6:2.10 not in v7.0".to_owned()),
        "{controls:?}"
    );
    for element in doc.select(&select("*")) {
        for attr in ["src", "href", "srcset", "action"] {
            assert!(
                element.value().attr(attr).is_none(),
                "{attr} on {:?}",
                element.value()
            );
        }
    }
    assert_eq!(
        doc.select(&select("link, iframe, object, embed, img"))
            .count(),
        0
    );
    assert_eq!(doc.select(&select("script")).count(), 1);
    assert_eq!(doc.select(&select("svg")).count(), 2, "two charts");
}

/// Issue 34 item 3: the baseline cap fits the real thing. The demo's
/// report (keys, findings, privileges) written as `--format json` is
/// measured per user; 100,000 such users must fit under the cap, with room.
#[tokio::test]
async fn a_report_of_100000_users_fits_the_baseline_cap() {
    let state = crate::common::states::demo_loaded().await;
    let report = iamkeys::report::Report::from_account(&state.account, "demo", chrono::Utc::now());
    let json = iamkeys::report::format::pretty_json(&report).unwrap();
    let per_user = json.len() / report.users.len();
    let users = 100_000_u64;
    let cap = iamkeys::report::baseline::MAX_BYTES;
    assert!(
        per_user as u64 * users < cap * 3 / 4,
        "{per_user} bytes a user: {} MB for {users} users, cap {} MB",
        (per_user as u64 * users) >> 20,
        cap >> 20
    );
}
