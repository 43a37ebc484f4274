//! Issue 27: `iamkeys report --security-hub` against moto's Security Hub
//! through the real binary: findings imported in ASFF, imported again
//! without duplicates, archived once gone from a complete run, and never
//! archived by an incomplete one.

use std::process::Output;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, seed, user};

/// `iamkeys report --key-ids --format json --security-hub` against
/// `endpoint`, with `args`.
async fn report(home: &Home, endpoint: &str, args: &[&str]) -> Output {
    let mut all = vec!["--key-ids", "--format", "json", "--security-hub"];
    all.extend_from_slice(args);
    crate::cli_audit_truth::report(home, endpoint, &all).await
}

/// Every finding in the hub of `config`'s account, page by page.
async fn hub_findings(
    config: &aws_config::SdkConfig,
) -> Vec<aws_sdk_securityhub::types::AwsSecurityFinding> {
    let hub = aws_sdk_securityhub::Client::new(config);
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = hub
            .get_findings()
            .set_next_token(next.clone())
            .send()
            .await
            .unwrap();
        out.extend(page.findings().iter().cloned());
        match page.next_token().filter(|t| !t.is_empty()) {
            Some(token) if Some(token) != next.as_deref() => next = Some(token.to_owned()),
            _ => break,
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn findings_are_imported_once_and_archived_when_gone() {
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
    let out = report(&home, &moto.endpoint(), &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("2 finding(s) imported, 0 archived"),
        "{stderr}"
    );
    let found = Box::pin(hub_findings(&moto.sdk_config().await)).await;
    assert_eq!(found.len(), 2, "{found:#?}");
    let alice_id = format!(
        "iamkeys:123456789012:initial_setup_key:alice:{}",
        keys[0].1[0]
    );
    let alice = found
        .iter()
        .find(|f| f.id() == Some(alice_id.as_str()))
        .unwrap();
    assert_eq!(
        alice.product_arn(),
        Some("arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default")
    );
    assert_eq!(alice.generator_id(), Some("iamkeys/initial_setup_key"));
    assert_eq!(
        alice.types(),
        [
            "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
        ]
    );
    assert_eq!(
        alice
            .compliance()
            .and_then(|c| c.status())
            .map(aws_sdk_securityhub::types::ComplianceStatus::as_str),
        Some("FAILED")
    );
    // Issue 37: the controls it answers to, read back from the hub.
    let compliance = alice.compliance().unwrap();
    assert_eq!(
        compliance.related_requirements(),
        [
            "CIS AWS Foundations v1.4.0-v4.0.1/1.11",
            "CIS AWS Foundations v5.0.0/1.10",
            "CIS AWS Foundations v6.0.0/2.10"
        ]
    );
    assert_eq!(compliance.security_control_id(), None, "no such control");
    assert_eq!(
        alice
            .record_state()
            .map(aws_sdk_securityhub::types::RecordState::as_str),
        Some("ACTIVE")
    );
    assert_eq!(
        alice
            .workflow()
            .and_then(|w| w.status())
            .map(aws_sdk_securityhub::types::WorkflowStatus::as_str),
        Some("NEW")
    );
    let kinds: Vec<&str> = alice
        .resources()
        .iter()
        .filter_map(|r| r.r#type())
        .collect();
    assert_eq!(kinds, ["AwsIamUser", "AwsIamAccessKey"]);
    // Medium risk: alice has no policies (high lowered by one).
    assert_eq!(
        alice
            .severity()
            .and_then(|s| s.label())
            .map(aws_sdk_securityhub::types::SeverityLabel::as_str),
        Some("MEDIUM")
    );

    // Again: the same two, no duplicates.
    let out = report(&home, &moto.endpoint(), &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        Box::pin(hub_findings(&moto.sdk_config().await)).await.len(),
        2
    );

    // alice's key goes: her finding is archived, as passed.
    iam.delete_access_key()
        .user_name("alice")
        .access_key_id(&keys[0].1[0])
        .send()
        .await
        .unwrap();
    let out = report(&home, &moto.endpoint(), &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        stderr.contains("1 finding(s) imported, 1 archived"),
        "{stderr}"
    );
    let found = Box::pin(hub_findings(&moto.sdk_config().await)).await;
    let alice = found
        .iter()
        .find(|f| f.id() == Some(alice_id.as_str()))
        .unwrap();
    assert_eq!(
        alice
            .record_state()
            .map(aws_sdk_securityhub::types::RecordState::as_str),
        Some("ARCHIVED")
    );
    assert_eq!(
        alice
            .compliance()
            .and_then(|c| c.status())
            .map(aws_sdk_securityhub::types::ComplianceStatus::as_str),
        Some("PASSED")
    );
    let svc = found
        .iter()
        .find(|f| f.generator_id() == Some("iamkeys/multiple_active_keys"))
        .unwrap();
    assert_eq!(
        svc.record_state()
            .map(aws_sdk_securityhub::types::RecordState::as_str),
        Some("ACTIVE")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incomplete_run_archives_nothing() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("alice", true, vec![true])]).await;
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &moto.endpoint(), &[]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        Box::pin(hub_findings(&moto.sdk_config().await)).await.len(),
        1
    );
    // The finding goes, but the next run cannot see everything.
    iam.delete_access_key()
        .user_name("alice")
        .access_key_id(&keys[0].1[0])
        .send()
        .await
        .unwrap();
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    proxy.deny("GenerateCredentialReport");
    proxy.deny("GetLoginProfile");
    let home = Home::new(&proxy.endpoint());
    let out = report(&home, &proxy.endpoint(), &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("audit incomplete: nothing archived"),
        "{stderr}"
    );
    let found = Box::pin(hub_findings(&moto.sdk_config().await)).await;
    assert_eq!(
        found[0]
            .record_state()
            .map(aws_sdk_securityhub::types::RecordState::as_str),
        Some("ACTIVE")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_hub_is_said_and_exits_2() {
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("alice", true, vec![true])]).await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    proxy.deny("BatchImportFindings");
    let home = Home::new(&proxy.endpoint());
    let out = report(&home, &proxy.endpoint(), &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("securityhub:BatchImportFindings failed"),
        "{stderr}"
    );
    crate::common::assert_no_debug_dump(&stderr);
    // The report itself is still written.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
}

/// 130 findings go in two batches while Security Hub throttles 30 % of the
/// imports at random: every one arrives, once.
#[tokio::test(flavor = "multi_thread")]
async fn batches_go_through_random_throttling() {
    use crate::common::proxy::{Fault, Proxy};
    let moto = Moto::start();
    let iam = moto.iam().await;
    let users: Vec<_> = (0..130)
        .map(|i| {
            let name: &'static str = Box::leak(format!("user{i:03}").into_boxed_str());
            user(name, true, vec![true])
        })
        .collect();
    seed(&iam, &users).await;
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    let mut attempt = 0;
    loop {
        let seed_value = (0x5eed_u64 + attempt) ^ u64::from(std::process::id());
        eprintln!("throttling seed {seed_value}");
        proxy.inject_random(Fault::Throttle, 30, seed_value, &["BatchImportFindings"]);
        let out = report(&home, &proxy.endpoint(), &[]).await;
        let (_, throttled) = proxy.heal_random();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("130 finding(s) imported"), "{stderr}");
        attempt += 1;
        // Two batches at 30% each: a run throttles nothing about half the
        // time, so five seeds left about 3% of runs proving nothing (and
        // failing); twenty leave one in a million.
        if throttled > 0 || attempt == 20 {
            assert!(
                throttled > 0,
                "twenty seeds and no throttling: nothing was proved"
            );
            break;
        }
    }
    assert_eq!(
        Box::pin(hub_findings(&moto.sdk_config().await)).await.len(),
        130
    );
}

/// `iamkeys report --org … --security-hub` in `home`, with `extra` flags.
async fn report_org(home: &Home, extra: &[&str]) -> Output {
    tokio::process::Command::new(BIN)
        .args(["report", "--org", "--profile", "e2e", "--key-ids"])
        .args(["--format", "json", "--security-hub"])
        .args(extra)
        .envs(home.env())
        .output()
        .await
        .unwrap()
}

/// With `--org`, each member's findings go to its own hub through its role
/// session (the caller's own account with its own credentials), through a
/// proxy that refuses what AWS refuses; `--security-hub-aggregate` is
/// refused before anything is sent.
#[tokio::test(flavor = "multi_thread")]
async fn an_organizations_findings_go_to_each_members_hub_or_the_callers() {
    use crate::common::org::{member_config, member_iam, organization};
    let moto = Moto::start();
    let org = organization(&moto, &["alpha"]).await;
    let alpha = org.id("alpha");
    seed(&moto.iam().await, &[user("boss", true, vec![true])]).await;
    seed(
        &member_iam(&moto, &alpha).await,
        &[user("ops", true, vec![true])],
    )
    .await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    // Issue 34 item 2: only the account a finding is in may import it
    // under the default product ARN (the BatchImportFindings reference).
    proxy.security_hub_as_documented();
    let home = Home::new(&proxy.endpoint());
    let out = report_org(&home, &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let alpha_hub = Box::pin(hub_findings(&member_config(&moto, &alpha).await)).await;
    assert_eq!(alpha_hub.len(), 1, "{alpha_hub:#?}");
    assert_eq!(
        alpha_hub[0].product_arn(),
        Some(format!("arn:aws:securityhub:us-east-1:{alpha}:product/{alpha}/default").as_str())
    );
    let own_hub = Box::pin(hub_findings(&moto.sdk_config().await)).await;
    assert_eq!(own_hub.len(), 1, "{own_hub:#?}");
    assert_eq!(own_hub[0].aws_account_id(), Some(org.management.as_str()));

    // Aggregated into the caller's hub under its own product ARN: AWS
    // refuses every member finding of such an import, and documents no
    // other way for a customer account, so the flag is refused (exit 2)
    // before anything is sent, saying why and what does work.
    let imports = proxy.count("BatchImportFindings");
    let out = report_org(&home, &["--security-hub-aggregate"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--security-hub-aggregate"), "{stderr}");
    assert!(stderr.contains("AwsAccountId"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(proxy.count("BatchImportFindings"), imports, "nothing sent");
}

/// Issue 33 item 9: the archive step touches only iamkeys' own findings —
/// its `ProductArn` in that region and account. Another product's finding
/// whose `GeneratorId` happens to start with `iamkeys/` is left as it is.
#[test]
fn another_products_finding_is_never_archived() {
    // Security Hub's finding type is large: its builder needs more stack
    // than a test thread has in a debug build.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_stack_size(64 << 20)
                .build()
                .unwrap()
                .block_on(Box::pin(another_products_finding()));
        })
        .unwrap()
        .join()
        .unwrap();
}

async fn another_products_finding() {
    use aws_sdk_securityhub::types::{
        AwsSecurityFinding, RecordState, Resource, Severity, SeverityLabel,
    };
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &[user("alice", true, vec![true])]).await;
    let home = Home::new(&moto.endpoint());
    let out = report(&home, &moto.endpoint(), &[]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = moto.sdk_config().await;
    let now = "2026-12-06T00:00:00Z";
    let foreign = AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id("othervendor-finding-1")
        .product_arn("arn:aws:securityhub:us-east-1::product/othervendor/scanner")
        .generator_id("iamkeys/initial_setup_key")
        .aws_account_id("123456789012")
        .types("Software and Configuration Checks")
        .created_at(now)
        .updated_at(now)
        .severity(Severity::builder().label(SeverityLabel::Low).build())
        .title("not iamkeys'")
        .description("another product's finding")
        .resources(
            Resource::builder()
                .r#type("AwsIamUser")
                .id("arn:aws:iam::123456789012:user/alice")
                .build(),
        )
        .record_state(RecordState::Active)
        .build();
    let hub = aws_sdk_securityhub::Client::new(&config);
    let imported = Box::pin(hub.batch_import_findings().findings(foreign).send())
        .await
        .unwrap();
    assert_eq!(imported.failed_count(), Some(0), "{imported:?}");
    let out = report(&home, &moto.endpoint(), &[]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = Box::pin(hub_findings(&config)).await;
    let theirs = found
        .iter()
        .find(|f| f.id() == Some("othervendor-finding-1"))
        .unwrap();
    assert_eq!(
        theirs.record_state().map(RecordState::as_str),
        Some("ACTIVE"),
        "{theirs:#?}"
    );
}

/// `report --security-hub` through `proxy` (as documented) with `args`.
async fn report_via(proxy: &crate::common::proxy::Proxy, home: &Home, args: &[&str]) -> Output {
    report(home, &proxy.endpoint(), args).await
}

/// Issue 34 item 2: a waived finding is imported `SUPPRESSED`; when the
/// waiver is gone, its `Workflow` goes back to `NEW` through
/// `BatchUpdateFindings` (`BatchImportFindings` cannot change it after
/// creation), and `CreatedAt` stays the first import's.
#[tokio::test(flavor = "multi_thread")]
async fn a_lapsed_waiver_is_unsuppressed_and_created_at_is_kept() {
    let moto = Moto::start();
    let keys = seed(&moto.iam().await, &[user("alice", true, vec![true])]).await;
    let key = keys[0].1[0].clone();
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    proxy.security_hub_as_documented();
    let home = Home::new(&proxy.endpoint());
    let waivers = home.path().join("waivers.toml");
    let until = chrono::Utc::now().date_naive() + chrono::TimeDelta::days(20);
    std::fs::write(
        &waivers,
        format!(
            "[[waiver]]\nfinding = \"initial_setup_key\"\nuser = \"alice\"\naccess_key_id = \"{key}\"\naccount_id = \"123456789012\"\nuntil = {until}\nby = \"secops\"\nreason = \"reviewed\"\n"
        ),
    )
    .unwrap();
    let flag = waivers.display().to_string();
    let out = report_via(&proxy, &home, &["--waivers", &flag]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config =
        crate::common::moto::sdk_config_at(proxy.endpoint(), "AKIDE2ETESTE2ETEST00", "e2e-secret")
            .await;
    let id = format!("iamkeys:123456789012:initial_setup_key:alice:{key}");
    let read = |found: &[aws_sdk_securityhub::types::AwsSecurityFinding]| {
        let f = found.iter().find(|f| f.id() == Some(id.as_str())).unwrap();
        (
            f.workflow()
                .and_then(|w| w.status())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            f.created_at().unwrap_or_default().to_owned(),
        )
    };
    let (first, created) = read(&Box::pin(hub_findings(&config)).await);
    assert_eq!(first, "SUPPRESSED");
    std::thread::sleep(std::time::Duration::from_millis(1100));

    // The waiver is gone: the finding is NEW again, made so by
    // BatchUpdateFindings, and still created when it was first imported.
    let out = report_via(&proxy, &home, &[]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (now, created_again) = read(&Box::pin(hub_findings(&config)).await);
    assert_eq!(now, "NEW");
    assert_eq!(proxy.workflow_updates(), [(id.clone(), "NEW".to_owned())]);
    assert_eq!(created_again, created, "CreatedAt is the first import's");

    // Waived again: SUPPRESSED through BatchUpdateFindings too.
    let out = report_via(&proxy, &home, &["--waivers", &flag]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(read(&Box::pin(hub_findings(&config)).await).0, "SUPPRESSED");
}

/// Issue 34 item 2: a finding the hub refuses is named by Id, every other
/// batch still goes, and the run exits 2 naming the count.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_finding_is_named_and_the_other_batches_still_go() {
    let moto = Moto::start();
    let users: Vec<_> = (0..130)
        .map(|i| {
            let name: &'static str = Box::leak(format!("user{i:03}").into_boxed_str());
            user(name, true, vec![true])
        })
        .collect();
    let keys = seed(&moto.iam().await, &users).await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    proxy.security_hub_as_documented();
    let (name, ids) = &keys[0];
    let refused = format!("iamkeys:123456789012:initial_setup_key:{name}:{}", ids[0]);
    proxy.refuse_finding(&refused);
    let home = Home::new(&proxy.endpoint());
    let out = report_via(&proxy, &home, &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("129 finding(s) imported"), "{stderr}");
    assert!(stderr.contains("1 refused"), "{stderr}");
    assert!(stderr.contains(&refused), "{stderr}");
    assert_eq!(proxy.count("BatchImportFindings"), 2, "both batches went");
    assert_eq!(
        Box::pin(hub_findings(&moto.sdk_config().await)).await.len(),
        129
    );
}
