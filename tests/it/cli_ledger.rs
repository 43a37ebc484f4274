//! Issue 32, the ledger through the real binary and the real SDK: two
//! writers at once lose nothing (the local store's lock, S3's conditional
//! writes against moto with versioning), `ledger check` says what a bucket
//! lets happen, `import-tags` moves a tag waiver in (honoured only after),
//! S3 refusing or throttling is a gap or a retry, never a guess, and the
//! demo never touches the real ledger.

use std::process::Output;

use crate::cli_audit_truth::report;
use crate::cli_waivers::{E2E_CALLER, folded, in_days, json_of, ledger_cli, tag, write_config};
use crate::common::home::Home;
use crate::common::moto::{Moto, seed, user};
use crate::common::proxy::{Fault, Proxy};

const BUCKET: &str = "security-ledger";

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

async fn s3(moto: &Moto) -> aws_sdk_s3::Client {
    let config = moto.sdk_config().await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}

async fn bucket(client: &aws_sdk_s3::Client, versioned: bool) {
    client.create_bucket().bucket(BUCKET).send().await.unwrap();
    if versioned {
        enable_versioning(client).await;
    }
}

async fn enable_versioning(client: &aws_sdk_s3::Client) {
    client
        .put_bucket_versioning()
        .bucket(BUCKET)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// Two writers, each running `iamkeys ledger waive` 50 times, at once.
async fn two_writers_fifty_each(home: &Home, endpoint: &str) {
    let writer = |n: usize| async move {
        for i in 0..50 {
            let reason = format!("writer {n} waiver {i}");
            let out = ledger_cli(
                home,
                endpoint,
                &[
                    "waive",
                    "--user",
                    "two",
                    "--finding",
                    "2active",
                    "--until",
                    &in_days(10),
                    "--reason",
                    &reason,
                ],
            )
            .await;
            assert_eq!(out.status.code(), Some(0), "{}", said(&out));
        }
    };
    tokio::join!(writer(1), writer(2));
}

fn reasons(ledger: &iamkeys::ledger::Folded) -> std::collections::BTreeSet<String> {
    ledger.waivers.iter().map(|w| w.reason.clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_writers_at_once_lose_nothing_in_the_local_ledger() {
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("two", false, vec![true, true])]).await;
    let home = Home::new(&moto.endpoint());
    two_writers_fifty_each(&home, &moto.endpoint()).await;
    let ledger = folded(&home, "123456789012");
    assert_eq!(ledger.events, 100);
    assert_eq!(reasons(&ledger).len(), 100, "every waiver, once");
    assert!(ledger.waivers.iter().all(|w| w.by == E2E_CALLER));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = crate::cli_waivers::ledger_of(&home).dir;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("123456789012.jsonl")), 0o600);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_writers_at_once_lose_nothing_in_s3() {
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("two", false, vec![true, true])]).await;
    let client = s3(&moto).await;
    bucket(&client, true).await;
    let home = Home::new(&moto.endpoint());
    write_config(
        &home,
        &format!("[ledger]\nlocation = \"s3://{BUCKET}/iamkeys\"\n"),
    );
    two_writers_fifty_each(&home, &moto.endpoint()).await;
    let object = client
        .get_object()
        .bucket(BUCKET)
        .key("iamkeys/123456789012/ledger.jsonl")
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(object.body.collect().await.unwrap().to_vec()).unwrap();
    let events = iamkeys::ledger::parse(&text, "s3").unwrap();
    let ledger = iamkeys::ledger::Folded::new("123456789012", &events).unwrap();
    assert_eq!(ledger.events, 100);
    assert_eq!(reasons(&ledger).len(), 100, "every waiver, once");
    let versions = client
        .list_object_versions()
        .bucket(BUCKET)
        .prefix("iamkeys/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        versions.versions().len(),
        100,
        "one version per append: every earlier ledger kept"
    );
    // Nothing local was written.
    assert!(!crate::cli_waivers::ledger_of(&home).dir.exists());
    // `ledger show` reads it back from S3.
    let out = ledger_cli(&home, &moto.endpoint(), &["show", "--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let json = json_of(&out);
    assert_eq!(json["accounts"][0]["account_id"], "123456789012");
    assert_eq!(json["accounts"][0]["events"].as_array().unwrap().len(), 100);
    assert_eq!(
        json["accounts"][0]["state"]["waivers"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

/// `ledger check` says plainly what the bucket lets happen: versioning off
/// means history can be overwritten (exit 1); versioning on, Block Public
/// Access and a policy naming who may put are said (exit 0).
#[tokio::test(flavor = "multi_thread")]
async fn ledger_check_says_when_history_can_be_overwritten() {
    let moto = Moto::start();
    let client = s3(&moto).await;
    bucket(&client, false).await;
    // Through the proxy: moto's answer for a never-versioned bucket is not
    // S3's, and the proxy answers it as S3 documents it.
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    write_config(
        &home,
        &format!("[ledger]\nlocation = \"s3://{BUCKET}/iamkeys\"\n"),
    );
    let out = ledger_cli(&home, &proxy.endpoint(), &["check"]).await;
    let text = said(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("ledger: s3://{BUCKET}/iamkeys"))
            && text.contains(&format!("this session writes as: {E2E_CALLER}"))
            && text.contains("WARN versioning: off: history can be overwritten"),
        "{text}"
    );

    enable_versioning(&client).await;
    client
        .put_public_access_block()
        .bucket(BUCKET)
        .public_access_block_configuration(
            aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"SecurityTeamWrites","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::123456789012:role/SecurityAudit"}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::{BUCKET}/iamkeys/*"}},{{"Sid":"NobodyElse","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::{BUCKET}/iamkeys/*","Condition":{{"ArnNotEquals":{{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/SecurityAudit"}}}}}}]}}"#
    );
    client
        .put_bucket_policy()
        .bucket(BUCKET)
        .policy(policy)
        .send()
        .await
        .unwrap();
    let out = ledger_cli(&home, &proxy.endpoint(), &["check"]).await;
    let text = said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("ok   versioning: Enabled")
            && text.contains("ok   Block Public Access: all four settings on")
            && text.contains("bucket policy (SecurityTeamWrites) allows s3:PutObject to AWS arn:aws:iam::123456789012:role/SecurityAudit")
            && text.contains("bucket policy (NobodyElse) denies s3:PutObject to * when aws:PrincipalArn"),
        "{text}"
    );
}

/// `import-tags` moves a waiver tag into the ledger: before, a claim (the
/// finding counts); after, honoured, recorded with the importer as `by` and
/// the tag it came from. A handoff tag without a full ARN and a backdated
/// inactive-since tag are not importable, and said why. Without a terminal
/// and without `--yes` nothing is imported.
#[tokio::test(flavor = "multi_thread")]
async fn import_tags_moves_a_tag_waiver_into_the_ledger() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("legacy", true, vec![true])]).await;
    let key = keys[0].1[0].clone();
    tag(
        &iam,
        "legacy",
        &format!("iamkeys:waive:initial_setup_key:{key}"),
        &format!("{} alice moves to a role", in_days(20)),
    )
    .await;
    tag(&iam, "legacy", "iamkeys:handoff", "secretsmanager:app/key").await;
    tag(
        &iam,
        "legacy",
        &format!("iamkeys:inactive-since:{key}"),
        "2020-01-01T00:00:00Z alice",
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let fails_on_setup = ["--format", "json", "--fail-on", "initial_setup_key"];
    let out = report(&home, &moto.endpoint(), &fails_on_setup).await;
    assert_eq!(out.status.code(), Some(1), "a claim: {}", said(&out));

    let out = ledger_cli(&home, &moto.endpoint(), &["import-tags"]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "no terminal, no --yes: {}",
        said(&out)
    );
    assert!(
        !crate::cli_waivers::ledger_of(&home).dir.exists(),
        "nothing written"
    );

    let out = ledger_cli(
        &home,
        &moto.endpoint(),
        &[
            "import-tags",
            "--yes",
            "--reason",
            "SEC-7 moving tags into the ledger",
        ],
    )
    .await;
    let text = said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!(
            "imported legacy iamkeys:waive:initial_setup_key:{key}="
        )) && text.contains("as waiver.granted")
            && text.contains(
                "not imported: legacy iamkeys:handoff=secretsmanager:app/key: not a full ARN"
            )
            && text.contains("dates are never taken from a tag")
            && text.contains("1 imported, 2 left as claims"),
        "{text}"
    );
    let ledger = folded(&home, "123456789012");
    let [waiver] = ledger.waivers.as_slice() else {
        panic!("{ledger:?}")
    };
    assert_eq!(waiver.by, E2E_CALLER, "the importer, as STS names it");
    assert!(
        waiver
            .from_tag
            .as_deref()
            .is_some_and(|t| t.starts_with("iamkeys:waive:initial_setup_key:")),
        "{waiver:?}"
    );
    assert!(waiver.reason.contains("SEC-7"), "{waiver:?}");
    assert!(ledger.inactive.is_empty() && ledger.handoff.is_empty());
    let out = report(&home, &moto.endpoint(), &fails_on_setup).await;
    assert_eq!(out.status.code(), Some(0), "honoured now: {}", said(&out));
    let json = json_of(&out);
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "initial_setup_key")
        .unwrap()
        .clone();
    assert_eq!(f["waived"]["source"], "ledger", "{f}");
}

/// The shared ledger refused or throttled. A refused read (`GetObject`
/// denied) is a gap: the report exits 2 naming the ledger. A refused write
/// (`PutObject` denied) grants nothing: exit 2, nothing recorded. 30 % of
/// S3's answers throttled (`SlowDown`, at random) is back-pressure: every
/// waiver lands, once.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_or_throttled_s3_ledger_is_a_gap_or_a_retry() {
    let moto = Moto::start();
    let keys = seed(&moto.iam().await, &[user("legacy", true, vec![true])]).await;
    let key = keys[0].1[0].clone();
    let client = s3(&moto).await;
    bucket(&client, true).await;
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    write_config(
        &home,
        &format!("[ledger]\nlocation = \"s3://{BUCKET}/iamkeys\"\n"),
    );
    let waive = |reason: String| {
        let home = &home;
        let endpoint = proxy.endpoint();
        let key = key.clone();
        async move {
            ledger_cli(
                home,
                &endpoint,
                &[
                    "waive",
                    "--user",
                    "legacy",
                    "--key",
                    &key,
                    "--finding",
                    "setup",
                    "--until",
                    &in_days(10),
                    "--reason",
                    &reason,
                ],
            )
            .await
        }
    };
    let out = waive("first".into()).await;
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));

    proxy.deny("PutObject");
    let out = waive("refused".into()).await;
    let text = said(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("refused") && text.contains("nothing was recorded"),
        "{text}"
    );

    proxy.deny("GetObject");
    let out = report(&home, &proxy.endpoint(), &["--format", "json"]).await;
    let text = said(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains(&format!(
            "ledger s3://{BUCKET}/iamkeys/123456789012/ledger.jsonl refused"
        )),
        "{text}"
    );
    let json = json_of(&out);
    assert_eq!(json["complete"], false);

    // Throttling: the SDK's retries (and the conditional write's) carry it.
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());
    write_config(
        &home,
        &format!("[ledger]\nlocation = \"s3://{BUCKET}/throttled\"\n"),
    );
    let mut seed_used = 0;
    for seed in 1..=5 {
        proxy.inject_random(Fault::Throttle, 30, seed, &["GetObject", "PutObject"]);
        for i in 0..10 {
            let out = ledger_cli(
                &home,
                &proxy.endpoint(),
                &[
                    "waive",
                    "--user",
                    "legacy",
                    "--key",
                    &key,
                    "--finding",
                    "setup",
                    "--until",
                    &in_days(10),
                    "--reason",
                    &format!("seed {seed} waiver {i}"),
                ],
            )
            .await;
            assert_eq!(out.status.code(), Some(0), "{}", said(&out));
        }
        let (_, injected) = proxy.heal_random();
        seed_used = seed;
        if injected > 0 {
            break;
        }
    }
    let object = client
        .get_object()
        .bucket(BUCKET)
        .key("throttled/123456789012/ledger.jsonl")
        .send()
        .await
        .unwrap();
    let text = String::from_utf8(object.body.collect().await.unwrap().to_vec()).unwrap();
    let ledger = iamkeys::ledger::Folded::new(
        "123456789012",
        &iamkeys::ledger::parse(&text, "s3").unwrap(),
    )
    .unwrap();
    assert_eq!(
        ledger.events,
        10 * usize::try_from(seed_used).unwrap(),
        "every waiver once, none lost or doubled"
    );
}

/// The demo keeps its own ledger, in memory: `report --demo` and `ledger
/// show --demo` read it, and the real ledger directory is never made.
#[tokio::test(flavor = "multi_thread")]
async fn the_demo_keeps_its_own_ledger_and_never_the_real_one() {
    let home = Home::new("http://127.0.0.1:9");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_iamkeys"))
            .args(args)
            .envs(home.env())
            .output()
            .unwrap()
    };
    let out = run(&["report", "--demo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", said(&out));
    let json = json_of(&out);
    assert_eq!(
        json["rotations"][0]["user_name"], "svc-ivan-08",
        "the demo's rotation, from its ledger"
    );
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "inactive_key_ready_to_delete"),
        "the demo's inactive dates, from its ledger"
    );
    let out = run(&["ledger", "show", "--demo"]);
    let text = said(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("the demo's ledger (in memory)") && text.contains("rotation.started"),
        "{text}"
    );
    assert!(
        !crate::cli_waivers::ledger_of(&home).dir.exists(),
        "the real ledger is never made by the demo"
    );
}

/// `ledger owner` names who answers for a user's keys (plan's owner, over
/// any owner tag), `ledger show` lists the events and what they fold to,
/// and `ledger revoke ID` ends a waiver: the finding counts again. A
/// revocation of what is not a live waiver is refused, nothing written.
#[tokio::test(flavor = "multi_thread")]
async fn owner_show_and_revoke_from_the_command_line() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("legacy", true, vec![true])]).await;
    let key = keys[0].1[0].clone();
    let home = Home::new(&moto.endpoint());
    write_config(
        &home,
        "[enforce]\nnotice_days = 7\n[[enforce.rule]]\nfinding = \"unused_key\"\naction = \"make_inactive\"\n[[enforce.rule]]\nfinding = \"initial_setup_key\"\naction = \"make_inactive\"\n",
    );
    tag(
        &iam,
        "legacy",
        "owner",
        "someone-the-user-chose@example.com",
    )
    .await;
    let endpoint = moto.endpoint();
    let ok = |out: &Output| assert_eq!(out.status.code(), Some(0), "{}", said(out));
    ok(&ledger_cli(
        &home,
        &endpoint,
        &[
            "owner",
            "--user",
            "legacy",
            "--owner",
            "payments@example.com",
        ],
    )
    .await);
    let plan = home.path().join("plan.json");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_iamkeys"))
        .args([
            "plan",
            "--out",
            plan.to_str().unwrap(),
            "--profile",
            "e2e",
            "--endpoint-url",
            &endpoint,
        ])
        .envs(home.env())
        .output()
        .await
        .unwrap();
    ok(&out);
    let planned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(
        planned["actions"][0]["owner"], "payments@example.com",
        "{planned:#}"
    );

    let waive = [
        "waive",
        "--user",
        "legacy",
        "--key",
        &key,
        "--finding",
        "setup",
        "--until",
        &in_days(10),
        "--reason",
        "SEC-9",
    ];
    ok(&ledger_cli(&home, &endpoint, &waive).await);
    let out = ledger_cli(&home, &endpoint, &["show", "--format", "json"]).await;
    ok(&out);
    let shown = json_of(&out);
    let state = &shown["accounts"][0]["state"];
    assert_eq!(state["owners"][0]["owner"], "payments@example.com");
    let id = state["waivers"][0]["id"].as_str().unwrap().to_owned();
    let fails_on_setup = ["--format", "json", "--fail-on", "initial_setup_key"];
    assert_eq!(
        report(&home, &endpoint, &fails_on_setup)
            .await
            .status
            .code(),
        Some(0)
    );

    let out = ledger_cli(
        &home,
        &endpoint,
        &["revoke", "0123456789abcdef0123456789abcdef"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", said(&out));
    assert!(
        said(&out).contains("is not a live waiver"),
        "{}",
        said(&out)
    );
    ok(&ledger_cli(
        &home,
        &endpoint,
        &["revoke", &id, "--reason", "closed SEC-9"],
    )
    .await);
    assert_eq!(
        report(&home, &endpoint, &fails_on_setup)
            .await
            .status
            .code(),
        Some(1),
        "revoked: the finding counts again"
    );
    let out = ledger_cli(&home, &endpoint, &["show", "--user", "legacy"]).await;
    ok(&out);
    let text = said(&out);
    assert!(
        text.contains("waiver.granted")
            && text.contains(&format!("waiver {id} revoked: closed SEC-9"))
            && text.contains("owner legacy = payments@example.com"),
        "{text}"
    );
}
