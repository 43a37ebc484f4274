//! Issue 37 item 2: IAM Access Analyzer's unused-access findings through
//! the real SDK, from the suite's fake (moto has no Access Analyzer):
//! the account's analyzer and its tracking period, `ListFindingsV2`
//! (never V1) paged, `GetFindingV2` per finding, another account's left
//! out; and `report --with-access-analyzer` with users made today (AWS has
//! not evaluated them), with no analyzer, and with one refused: a note,
//! never a gap.

use iamkeys::analyzer::{Analyzer, SdkAnalyzer};
use iamkeys::audit::aws_verdict::Subject;
use serde_json::Value;

use crate::common::analyzer::{AnalyzerFake, analyzer, finding};
use crate::common::home::{Home, report};
use crate::common::moto::{Moto, sdk_config_at, seed, user};
use crate::common::proxy::Proxy;

const ACCOUNT: &str = "123456789012";

fn fake(keys: &[String]) -> AnalyzerFake {
    AnalyzerFake {
        analyzers: vec![analyzer(ACCOUNT, 90)],
        findings: vec![
            finding(ACCOUNT, "f1", "alice", Some(&keys[0]), None),
            finding(ACCOUNT, "f2", "alice", None, Some("2026-06-01T00:00:00Z")),
            finding(
                ACCOUNT,
                "f3",
                "carol",
                Some(&keys[1]),
                Some("2026-05-01T10:00:00Z"),
            ),
            // Another account's (an organization's analyzer sees them).
            finding(
                "210987654321",
                "f4",
                "mallory",
                Some("AKIAOTHER00000000001"),
                None,
            ),
        ],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_analyzers_findings_are_read_through_the_sdk() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port).await;
    let keys = vec![
        "AKIAALICE00000000001".to_owned(),
        "AKIACAROL00000000001".to_owned(),
    ];
    proxy.access_analyzer(fake(&keys));
    let config = sdk_config_at(proxy.endpoint(), "AKIDTESTTESTTESTTEST", "test-secret").await;
    let sdk = SdkAnalyzer::new(&config);
    let found = sdk.unused_access().await.unwrap().unwrap();
    assert_eq!(found.tracking_days, 90);
    assert!(found.arn.ends_with(":analyzer/unused"), "{}", found.arn);
    let mut findings = sdk.user_findings(&found, ACCOUNT).await.unwrap();
    findings.sort_by(|a, b| (&a.user, &a.subject).cmp(&(&b.user, &b.subject)));
    let read: Vec<(&str, &Subject, Option<String>)> = findings
        .iter()
        .map(|f| {
            (
                f.user.as_str(),
                &f.subject,
                f.last_accessed.map(|t| t.to_rfc3339()),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("alice", &Subject::AccessKey(keys[0].clone()), None),
            (
                "alice",
                &Subject::Password,
                Some("2026-06-01T00:00:00+00:00".to_owned())
            ),
            (
                "carol",
                &Subject::AccessKey(keys[1].clone()),
                Some("2026-05-01T10:00:00+00:00".to_owned())
            ),
        ]
    );
    assert!(findings.iter().all(|f| f.active && f.analyzed_at.is_some()));
    // V2 only, paged two a page; one GetFindingV2 per finding of the account.
    assert_eq!(proxy.count("ListFindingsV2"), 2);
    assert_eq!(proxy.count("GetFindingV2"), 3);
    assert_eq!(proxy.count("ListFindings"), 0, "never V1");
}

fn verdicts(out: &std::process::Output) -> (Value, Vec<Value>) {
    let text = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let verdicts = json["aws_verdicts"].as_array().cloned().unwrap_or_default();
    (json, verdicts)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_puts_aws_beside_iam_and_a_missing_analyzer_is_a_note() {
    let moto = Moto::start();
    let seeded = seed(
        &moto.iam().await,
        &[
            user("alice", true, vec![true]),
            user("carol", false, vec![true]),
        ],
    )
    .await;
    let keys: Vec<String> = seeded.iter().map(|(_, ids)| ids[0].clone()).collect();
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    let args = ["--format", "json", "--with-access-analyzer"];

    // No analyzer: a note; the report is whole and its findings as always.
    proxy.access_analyzer(AnalyzerFake::default());
    let out = report(&home, &proxy.endpoint(), &args).await;
    let (json, found) = verdicts(&out);
    assert_eq!(out.status.code(), Some(1), "alice's setup key");
    assert_eq!(json["complete"], true);
    assert!(found.is_empty());
    assert!(
        json["notes"]
            .to_string()
            .contains("no IAM Access Analyzer unused-access analyzer covers the account"),
        "{}",
        json["notes"]
    );

    // An analyzer: every active key and alice's password judged. The
    // users were made today: AWS has not evaluated them (the
    // initial-setup case AWS cannot see), whatever it says.
    proxy.access_analyzer(fake(&keys));
    let out = report(&home, &proxy.endpoint(), &args).await;
    let (json, found) = verdicts(&out);
    assert_eq!(found.len(), 3, "{found:#?}");
    for v in &found {
        assert_eq!(v["verdict"], "not_evaluated", "{v}");
        assert_eq!(
            v["words"],
            "AWS has not evaluated this user (younger than its tracking period)"
        );
    }
    assert!(
        found
            .iter()
            .any(|v| v["user_name"] == "alice" && v["access_key_id"].is_null())
    );
    assert!(
        json["notes"].to_string().contains("90-day tracking"),
        "{}",
        json["notes"]
    );
    let table = report(&home, &proxy.endpoint(), &["--with-access-analyzer"]).await;
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.contains("AWS's verdicts (IAM Access Analyzer"),
        "{table}"
    );
    assert!(table.contains("console password"), "{table}");

    let page = report(
        &home,
        &proxy.endpoint(),
        &["--format", "html", "--with-access-analyzer"],
    )
    .await;
    let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&page.stdout));
    let rows = scraper::Selector::parse("#aws-verdicts tbody tr").unwrap();
    assert_eq!(doc.select(&rows).count(), 3, "one row per key and password");

    // Refused: a note naming the call, never a gap (exit as before).
    proxy.deny("ListAnalyzers");
    let out = report(&home, &proxy.endpoint(), &args).await;
    let (json, found) = verdicts(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json["complete"], true);
    assert!(found.is_empty());
    assert!(
        json["notes"].to_string().contains(
            "IAM Access Analyzer could not be read (access-analyzer:ListAnalyzers denied)"
        ),
        "{}",
        json["notes"]
    );
}

/// `report --org --with-access-analyzer`: the organization's analyzer in
/// the management account covers the member; each audited account's
/// active keys and passwords get a verdict, marked with their account.
#[tokio::test(flavor = "multi_thread")]
async fn an_organizations_analyzer_covers_its_members() {
    let moto = Moto::start();
    let org = crate::common::org::organization(&moto, &["alpha"]).await;
    let alpha = org.id("alpha");
    let member = crate::common::org::member_iam(&moto, &alpha).await;
    let theirs = seed(&member, &[user("svc", false, vec![true])]).await;
    let their_key = theirs[0].1[0].clone();
    seed(&moto.iam().await, &[user("ops", true, vec![])]).await;
    let proxy = Proxy::start(moto.port).await;
    let mut org_analyzer = analyzer(&org.management, 90);
    org_analyzer["type"] = "ORGANIZATION_UNUSED_ACCESS".into();
    proxy.access_analyzer(AnalyzerFake {
        analyzers: vec![org_analyzer],
        findings: vec![finding(&alpha, "m1", "svc", Some(&their_key), None)],
    });
    let home = Home::new(&proxy.endpoint());
    let out = report(
        &home,
        &proxy.endpoint(),
        &["--org", "--format", "json", "--with-access-analyzer"],
    )
    .await;
    let (json, found) = verdicts(&out);
    let of = |account: &str| -> Vec<&Value> {
        found
            .iter()
            .filter(|v| v["account_id"] == account)
            .collect()
    };
    let alphas = of(&alpha);
    assert_eq!(alphas.len(), 1, "{found:#?}");
    assert_eq!(alphas[0]["access_key_id"], their_key.as_str());
    assert_eq!(alphas[0]["verdict"], "not_evaluated", "made today");
    // The management account: ops's password (no key).
    let own = of(&org.management);
    assert_eq!(own.len(), 1, "{found:#?}");
    assert!(own[0]["access_key_id"].is_null());
    assert!(
        json["notes"]
            .to_string()
            .contains(&format!("account {alpha}: AWS's verdicts")),
        "{}",
        json["notes"]
    );
    assert_eq!(
        proxy.count("ListFindingsV2"),
        2,
        "one per account, none for V1"
    );

    // No organization's analyzer: each member's own, through its role.
    let assumed = proxy.assumed(&alpha);
    proxy.access_analyzer(AnalyzerFake {
        analyzers: vec![analyzer(&alpha, 90)],
        findings: vec![finding(&alpha, "m1", "svc", Some(&their_key), None)],
    });
    let out = report(
        &home,
        &proxy.endpoint(),
        &["--org", "--format", "json", "--with-access-analyzer"],
    )
    .await;
    let (_, found) = verdicts(&out);
    assert!(
        found
            .iter()
            .any(|v| v["account_id"] == alpha.as_str() && v["access_key_id"] == their_key.as_str()),
        "{found:#?}"
    );
    assert!(
        proxy.assumed(&alpha) >= assumed + 2,
        "the audit's session and the analyzer's"
    );
}
