//! Waivers (issue 16), as issue 32 rebuilt them: a waiver is honoured only
//! from the ledger (`iamkeys ledger waive`, `W`) or the reviewed waivers
//! file. A user tag `iamkeys:waive:…` is a claim, whoever wrote it (the
//! user itself, an approver's role session, a user whose path looks like a
//! role): shown, never honoured, and CloudTrail is never asked. Neither
//! source runs past `max_waiver_days`, and a key-level finding is waived
//! only by a waiver naming its key. A waiver that is not honoured is a
//! claim, and its finding counts (exit 1). A ledger that cannot be read is
//! a gap (exit 2).

use std::process::Output;

use chrono::{TimeDelta, Utc};
use futures::StreamExt;

use crate::cli_audit_truth::report;
use crate::common::home::Home;
use crate::common::moto::{Moto, sdk_config_at, seed, user};
use crate::common::proxy::Proxy;

/// A security team's role session (the proxy tells CloudTrail it signs
/// with [`APPROVER_KEY`]; nothing here asks CloudTrail any more).
pub const APPROVER_ROLE: &str = "arn:aws:iam::123456789012:role/SecurityAudit";
const APPROVER_SESSION: &str = "arn:aws:sts::123456789012:assumed-role/SecurityAudit/secops";
const APPROVER_KEY: &str = "ASIASECOPSSECOPS0001";
/// Who STS says the e2e profile is (moto's answer for a key it did not issue).
pub const E2E_CALLER: &str = "arn:aws:sts::123456789012:user/moto";

pub async fn tag(iam: &aws_sdk_iam::Client, user: &str, key: &str, value: &str) {
    iam.tag_user()
        .user_name(user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

fn finding<'a>(json: &'a serde_json::Value, user: &str) -> &'a serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["user_name"] == user)
        .unwrap_or_else(|| panic!("no finding for {user}: {}", json["findings"]))
}

/// moto behind the proxy, a home with a config, and a client signing as a
/// security team's role session (its tags are claims all the same).
pub struct World {
    pub moto: Moto,
    pub iam: aws_sdk_iam::Client,
    pub proxy: Proxy,
    pub home: Home,
    pub approver: aws_sdk_iam::Client,
}

pub fn write_config(home: &Home, text: &str) {
    let dir = home.path().join("config/iamkeys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

pub async fn world(config: &str) -> World {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let proxy = Proxy::start(moto.port).await;
    proxy.identify(APPROVER_KEY, APPROVER_SESSION, Some(APPROVER_ROLE));
    let home = Home::new(&proxy.endpoint());
    write_config(&home, config);
    let approver =
        aws_sdk_iam::Client::new(&sdk_config_at(proxy.endpoint(), APPROVER_KEY, "s").await);
    World {
        moto,
        iam,
        proxy,
        home,
        approver,
    }
}

/// The home's local ledger (the default location: the data dir's `ledger`).
pub fn ledger_of(home: &Home) -> iamkeys::ledger::local::Local {
    iamkeys::ledger::local::Local {
        dir: home.path().join("data/iamkeys/ledger"),
    }
}

/// Events an earlier run wrote into the home's ledger (as the security
/// team's writer): what iamkeys never lets a tag say.
pub fn record(home: &Home, events: &[iamkeys::ledger::Event]) {
    let lines: String = events.iter().map(|e| e.to_line() + "\n").collect();
    ledger_of(home).append("123456789012", &lines).unwrap();
}

/// The home's ledger of `account`, folded.
pub fn folded(home: &Home, account: &str) -> iamkeys::ledger::Folded {
    let (text, place) = ledger_of(home).read(account).unwrap();
    iamkeys::ledger::Folded::new(account, &iamkeys::ledger::parse(&text, &place).unwrap()).unwrap()
}

/// One event of the demo-free account 123456789012, by the security team.
pub fn event(
    at: chrono::DateTime<Utc>,
    user: &str,
    key: Option<&str>,
    kind: iamkeys::ledger::Kind,
) -> iamkeys::ledger::Event {
    iamkeys::ledger::Event::new(at, "123456789012", Some(user), key, APPROVER_SESSION, kind)
}

/// `iamkeys ledger ARGS` as the e2e profile, through `endpoint`.
pub async fn ledger_cli(home: &Home, endpoint: &str, args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_iamkeys"))
        .arg("ledger")
        .args(args)
        .args(["--profile", "e2e", "--endpoint-url", endpoint])
        .envs(home.env())
        .output()
        .await
        .unwrap()
}

/// `ledger waive` a key-level finding until `until`; asserts it recorded.
pub async fn grant(home: &Home, endpoint: &str, user: &str, key: &str, finding: &str, until: &str) {
    let out = ledger_cli(
        home,
        endpoint,
        &[
            "waive",
            "--user",
            user,
            "--key",
            key,
            "--finding",
            finding,
            "--until",
            until,
            "--reason",
            "SEC-42 moves to a role",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("recorded waiver.granted") && said.contains(E2E_CALLER),
        "{said}"
    );
}

/// The report's one `initial_setup_key` finding.
fn setup_finding(json: &serde_json::Value) -> serde_json::Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "initial_setup_key")
        .unwrap_or_else(|| panic!("no initial_setup_key in {}", json["findings"]))
        .clone()
}

pub fn in_days(days: i64) -> String {
    (Utc::now() + TimeDelta::days(days))
        .date_naive()
        .to_string()
}

pub fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}), exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn live_lapsed_and_malformed_waivers() {
    let w = world("").await;
    let keys = seed(
        &w.iam,
        &[
            // initial_setup_key on its one key.
            user("legacy", true, vec![true]),
            // multiple_active_keys.
            user("two", false, vec![true, true]),
            // initial_setup_key, with a waiver tag that does not read.
            user("odd", true, vec![true]),
        ],
    )
    .await;
    let legacy_key = keys[0].1[0].clone();
    let odd_key = keys[2].1[0].clone();
    let until = in_days(10);
    grant(
        &w.home,
        &w.proxy.endpoint(),
        "legacy",
        &legacy_key,
        "initial_setup_key",
        &until,
    )
    .await;
    // A waiver granted long ago, lapsed since.
    record(
        &w.home,
        &[event(
            Utc::now() - TimeDelta::days(400),
            "two",
            None,
            iamkeys::ledger::Kind::WaiverGranted {
                finding: iamkeys::audit::FindingId::MultipleActiveKeys,
                until: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                reason: "rotation window".into(),
                from_tag: None,
            },
        )],
    );
    tag(
        &w.approver,
        "odd",
        "iamkeys:waive:initial_setup_key",
        "soon bob later",
    )
    .await;

    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "the lapsed and the malformed count: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = json_of(&out);
    let legacy = finding(&json, "legacy");
    assert_eq!(legacy["access_key_id"], legacy_key.as_str());
    assert_eq!(legacy["waived"]["until"], until.as_str());
    assert_eq!(legacy["waived"]["by"], E2E_CALLER);
    assert_eq!(legacy["waived"]["reason"], "SEC-42 moves to a role");
    assert_eq!(legacy["waived"]["source"], "ledger");
    assert_eq!(
        legacy["waived"]["writer"], E2E_CALLER,
        "the writer STS named when it was recorded"
    );
    let two = finding(&json, "two");
    assert!(two["waived"].is_null(), "{two}");
    assert_eq!(two["waiver_expired"], "2020-01-01");
    let odd = finding(&json, "odd");
    assert!(
        odd["waived"].is_null(),
        "a malformed waiver is not honoured"
    );
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("iamkeys:waive:initial_setup_key")
            && notes.contains("odd")
            && notes.contains("not a date"),
        "{notes}"
    );
    assert_eq!(json["complete"], true, "a waiver is no gap");
    assert_eq!(
        w.proxy.count("LookupEvents"),
        0,
        "CloudTrail is never asked"
    );

    // The table marks both.
    let table = report(&w.home, &w.proxy.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(&format!(
            "[waived until {until} by {E2E_CALLER}: SEC-42 moves to a role (ledger, by {E2E_CALLER})]"
        )),
        "{text}"
    );
    assert!(text.contains("[waiver expired 2020-01-01]"), "{text}");
    assert!(text.contains("· 1 waived"), "{text}");

    // Every finding waived in the ledger: listed, exit 0.
    let out = ledger_cli(
        &w.home,
        &w.proxy.endpoint(),
        &[
            "waive",
            "--user",
            "two",
            "--finding",
            "2active",
            "--until",
            &until,
            "--reason",
            "rotation window",
        ],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    grant(
        &w.home,
        &w.proxy.endpoint(),
        "odd",
        &odd_key,
        "setup",
        &until,
    )
    .await;
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    let json = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{:#}", json["findings"]);
    assert_eq!(
        json["findings"].as_array().unwrap().len(),
        3,
        "still listed"
    );
    // odd's malformed whole-user tag is still there: a note, not silent.
    assert!(json["notes"].to_string().contains("not a date"));
}

/// Every user's tags come in one `GetAccountAuthorizationDetails` page;
/// when that is refused, the tags of users with findings are read one by
/// one (their claims shown), and the ledger's waivers still hold.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_bulk_read_falls_back_to_each_users_tags() {
    let w = world("").await;
    let keys = seed(
        &w.iam,
        &[
            user("legacy", true, vec![true]),
            user("clean", false, vec![]),
        ],
    )
    .await;
    grant(
        &w.home,
        &w.proxy.endpoint(),
        "legacy",
        &keys[0].1[0],
        "initial_setup_key",
        &in_days(10),
    )
    .await;

    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(w.proxy.count("GetAccountAuthorizationDetails"), 1);
    assert_eq!(w.proxy.count("ListUserTags"), 0, "one read for every user");

    w.proxy.deny("GetAccountAuthorizationDetails");
    let before = w.proxy.count("ListUserTags");
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    // Issue 25: without the details no one can tell which keys AWS
    // quarantined: the audit is incomplete (exit 2) and says why.
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = json_of(&out);
    assert!(!finding(&json, "legacy")["waived"].is_null());
    assert_eq!(
        w.proxy.count("ListUserTags") - before,
        1,
        "only the user with findings"
    );
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("iam:GetAccountAuthorizationDetails denied") && notes.contains("one by one"),
        "{notes}"
    );
}

/// Issue 32: a user who may tag itself writes a waiver onto itself with its
/// own key; a user at the path `x:role/SecurityAudit` does the same; and a
/// security team's role session tags it too. Each is a claim: the finding
/// counts in the JSON, in `--fail-on initial_setup_key` and in OCSF (New,
/// not Suppressed), and no CloudTrail request is made. The ledger's waiver
/// is honoured; one dated too far ahead is refused when granted.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiver_tag_is_a_claim_whoever_wrote_it() {
    let w = world("").await;
    seed(&w.iam, &[user("mallory", true, vec![])]).await;
    w.iam
        .create_user()
        .user_name("SecurityAudit")
        .path("/x:role/")
        .send()
        .await
        .unwrap();
    // Two keys: the first signs the self-service TagUser (and so is used),
    // the second is never used: initial_setup_key.
    let mut made = Vec::new();
    for _ in 0..2 {
        let (id, secret, _) = crate::common::moto::new_key(&w.iam, "mallory").await;
        made.push((id, secret));
    }
    let (own_key, own_secret) = made[0].clone();
    let never = made[1].0.clone();
    let (role_like, role_like_secret, _) =
        crate::common::moto::new_key(&w.iam, "SecurityAudit").await;
    w.proxy
        .identify(&own_key, "arn:aws:iam::123456789012:user/mallory", None);
    let own =
        aws_sdk_iam::Client::new(&sdk_config_at(w.proxy.endpoint(), &own_key, &own_secret).await);
    let insider = aws_sdk_iam::Client::new(
        &sdk_config_at(w.proxy.endpoint(), &role_like, &role_like_secret).await,
    );
    let waiver_key = format!("iamkeys:waive:initial_setup_key:{never}");
    for writer in [&own, &insider, &w.approver] {
        tag(
            writer,
            "mallory",
            &waiver_key,
            &format!("{} secops ok", in_days(30)),
        )
        .await;
        let out = report(
            &w.home,
            &w.proxy.endpoint(),
            &["--format", "json", "--fail-on", "initial_setup_key"],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "the finding counts");
        let json = json_of(&out);
        let f = &setup_finding(&json);
        assert_eq!(f["access_key_id"], never.as_str());
        assert!(f["waived"].is_null(), "{f}");
        assert_eq!(f["waiver_claim"]["by"], "secops");
        assert_eq!(f["waiver_claim"]["source"], "tag");
        assert_eq!(
            f["waiver_claim"]["not_honoured"],
            iamkeys::audit::waivers::TAG_CLAIM
        );
    }
    assert_eq!(
        w.proxy.count("LookupEvents"),
        0,
        "CloudTrail is never asked"
    );
    let ocsf = report(&w.home, &w.proxy.endpoint(), &["--format", "ocsf"]).await;
    let ocsf: serde_json::Value = serde_json::from_slice(&ocsf.stdout).unwrap();
    let statuses: Vec<&str> = ocsf
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["unmapped"]["iamkeys_finding_id"] == "initial_setup_key")
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["New"], "not Suppressed");
    let table = report(&w.home, &w.proxy.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("[waiver claimed by secops until")
            && text.contains("not honoured: a tag anyone with TagUser on this user can write"),
        "{text}"
    );

    // Dated past max_waiver_days (180): refused when granted, nothing written.
    let out = ledger_cli(
        &w.home,
        &w.proxy.endpoint(),
        &[
            "waive",
            "--user",
            "mallory",
            "--key",
            &never,
            "--finding",
            "initial_setup_key",
            "--until",
            "9999-12-31",
            "--reason",
            "x",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_waiver_days"));
    // A key the user does not have: refused.
    let out = ledger_cli(
        &w.home,
        &w.proxy.endpoint(),
        &[
            "waive",
            "--user",
            "mallory",
            "--key",
            "AKIAIOSFODNN7EXAMPLE",
            "--finding",
            "initial_setup_key",
            "--until",
            &in_days(10),
            "--reason",
            "x",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not among mallory's keys"));

    // The security team grants it in the ledger: honoured, exit 0.
    grant(
        &w.home,
        &w.proxy.endpoint(),
        "mallory",
        &never,
        "initial_setup_key",
        &in_days(30),
    )
    .await;
    let out = report(
        &w.home,
        &w.proxy.endpoint(),
        &["--format", "json", "--fail-on", "initial_setup_key"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let json = json_of(&out);
    assert_eq!(setup_finding(&json)["waived"]["source"], "ledger");
    assert_eq!(w.proxy.count("LookupEvents"), 0);
}

/// Issue 32: a ledger that does not read (a line hand-edited, an unknown
/// schema) is a gap: the report exits 2 naming the ledger and the line,
/// no waiver of it is guessed, and the findings still print.
#[tokio::test(flavor = "multi_thread")]
async fn a_ledger_that_does_not_read_is_a_gap_named_by_its_line() {
    let w = world("").await;
    let keys = seed(&w.iam, &[user("legacy", true, vec![true])]).await;
    grant(
        &w.home,
        &w.proxy.endpoint(),
        "legacy",
        &keys[0].1[0],
        "initial_setup_key",
        &in_days(10),
    )
    .await;
    let file = ledger_of(&w.home).dir.join("123456789012.jsonl");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"schema\":\"iamkeys.ledger/v9\"}\n");
    std::fs::write(&file, text).unwrap();
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let json = json_of(&out);
    let gaps = json["gaps"].to_string();
    assert!(
        gaps.contains("123456789012.jsonl line 2 does not read")
            && gaps.contains("no ledger waiver is honoured"),
        "{gaps}"
    );
    assert!(
        finding(&json, "legacy")["waived"].is_null(),
        "never guessed"
    );
    // `ledger show` names it too, and exits 2.
    let out = ledger_cli(&w.home, &w.proxy.endpoint(), &["show"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
}

/// A waiver of the whole user for a key-level finding (in the ledger, as a
/// hand-written or old event), on a user with no keys, pre-approves
/// nothing: the key made later has its `initial_setup_key` counted, and the
/// notes say why. A key ID on a user-level finding is a note too. The
/// command line refuses both when granting.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiver_never_covers_keys_made_after_it() {
    let w = world("").await;
    seed(&w.iam, &[user("newcomer", true, vec![])]).await;
    let until = chrono::NaiveDate::parse_from_str(&in_days(30), "%Y-%m-%d").unwrap();
    record(
        &w.home,
        &[
            event(
                Utc::now(),
                "newcomer",
                None,
                iamkeys::ledger::Kind::WaiverGranted {
                    finding: iamkeys::audit::FindingId::InitialSetupKey,
                    until,
                    reason: "onboarding".into(),
                    from_tag: None,
                },
            ),
            event(
                Utc::now(),
                "newcomer",
                Some("AKIAIOSFODNN7EXAMPLE"),
                iamkeys::ledger::Kind::WaiverGranted {
                    finding: iamkeys::audit::FindingId::MultipleActiveKeys,
                    until,
                    reason: "onboarding".into(),
                    from_tag: None,
                },
            ),
        ],
    );
    let out = ledger_cli(
        &w.home,
        &w.proxy.endpoint(),
        &[
            "waive",
            "--user",
            "newcomer",
            "--finding",
            "setup",
            "--until",
            &in_days(30),
            "--reason",
            "x",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name it with --key"));
    let made = w
        .iam
        .create_access_key()
        .user_name("newcomer")
        .send()
        .await
        .unwrap();
    let key = made.access_key().unwrap().access_key_id().to_owned();
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&out);
    let f = finding(&json, "newcomer");
    assert_eq!(f["access_key_id"], key.as_str());
    assert!(f["waived"].is_null());
    assert!(
        f["waiver_claim"]["not_honoured"]
            .as_str()
            .unwrap()
            .contains("does not cover its keys"),
        "{f}"
    );
    let notes = json["notes"].to_string();
    assert!(notes.contains("names no key"), "{notes}");
    assert!(notes.contains("about the whole user"), "{notes}");
}

/// The waivers file: honoured as written, per account and key; a malformed
/// entry stops the run before any AWS call, naming the file, line and field.
#[tokio::test(flavor = "multi_thread")]
async fn a_reviewed_waivers_file_is_honoured_and_a_bad_one_stops_the_run() {
    let w = world("").await;
    let keys = seed(&w.iam, &[user("legacy", true, vec![true])]).await;
    let key = keys[0].1[0].clone();
    let file = w.home.path().join("waivers.toml");
    std::fs::write(
        &file,
        format!(
            "[[waiver]]\nfinding = \"initial_setup_key\"\nuser = \"legacy\"\naccess_key_id = \"{key}\"\naccount_id = \"123456789012\"\nuntil = {}\nby = \"secops\"\nreason = \"reviewed in PR 42\"\n",
            in_days(20)
        ),
    )
    .unwrap();
    let flag = file.display().to_string();
    let out = report(
        &w.home,
        &w.proxy.endpoint(),
        &["--format", "json", "--waivers", &flag],
    )
    .await;
    let json = json_of(&out);
    assert_eq!(out.status.code(), Some(0), "{:#}", json["findings"]);
    let f = finding(&json, "legacy");
    assert_eq!(f["waived"]["source"], "file");
    assert!(f["waived"]["writer"].is_null());
    assert_eq!(
        w.proxy.count("LookupEvents"),
        0,
        "a file needs no CloudTrail"
    );

    // The same file named in the config, relative to it.
    std::fs::copy(&file, w.home.path().join("config/iamkeys/waivers.toml")).unwrap();
    write_config(&w.home, "[audit]\nwaivers_file = \"waivers.toml\"\n");
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(0));

    // A malformed entry: exit 2, nothing asked of AWS.
    std::fs::write(
        &file,
        "[[waiver]]\nfinding = \"initial_setup_key\"\nuser = \"legacy\"\nuntil = \"next week\"\nby = \"secops\"\nreason = \"x\"\n",
    )
    .unwrap();
    let before = w.proxy.actions().len();
    let out = report(
        &w.home,
        &w.proxy.endpoint(),
        &["--format", "json", "--waivers", &flag],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&flag) && stderr.contains("line 4, field `until`"),
        "{stderr}"
    );
    assert_eq!(w.proxy.actions().len(), before, "no AWS call");

    // A config that still names waiver_approvers: one line, pointing to the ledger.
    write_config(
        &w.home,
        "[audit]\nwaiver_approvers = [\"arn:aws:iam::*:role/SecurityAudit\"]\n",
    );
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("waiver_approvers is gone") && stderr.contains("ledger"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    drop(w.moto);
}

/// Issue 32: 2,000 `TagUser` calls by the audited user itself (the flood
/// that once filled the CloudTrail lookup cap and left an approver's
/// waiver unverified) change nothing: no CloudTrail request is made at
/// all, the ledger's waiver is honoured, and `plan` never plans the waived
/// key (so `apply` cannot disable it).
#[tokio::test(flavor = "multi_thread")]
async fn a_tag_flood_changes_nothing_and_asks_cloudtrail_nothing() {
    let w = world("[enforce]\nnotice_days = 0\n[[enforce.rule]]\nfinding = \"initial_setup_key\"\naction = \"make_inactive\"\n").await;
    seed(&w.iam, &[user("mallory", true, vec![])]).await;
    let (signer, signer_secret, _) = crate::common::moto::new_key(&w.iam, "mallory").await;
    let (never, _, _) = crate::common::moto::new_key(&w.iam, "mallory").await;
    let own =
        aws_sdk_iam::Client::new(&sdk_config_at(w.proxy.endpoint(), &signer, &signer_secret).await);
    grant(
        &w.home,
        &w.proxy.endpoint(),
        "mallory",
        &never,
        "initial_setup_key",
        &in_days(20),
    )
    .await;
    futures::stream::iter((0..2000).map(|i| {
        let own = own.clone();
        let never = never.clone();
        async move {
            tag(
                &own,
                "mallory",
                &format!("iamkeys:waive:unused_key:{never}"),
                &format!("{} mallory flood {i}", in_days(20)),
            )
            .await;
        }
    }))
    .buffer_unordered(16)
    .for_each(|()| async {})
    .await;
    assert!(w.proxy.count("TagUser") >= 2000);
    let out = report(
        &w.home,
        &w.proxy.endpoint(),
        &["--format", "json", "--fail-on", "initial_setup_key"],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "the ledger's waiver holds");
    let plan = w.home.path().join("plan.json");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_iamkeys"))
        .args(["plan", "--out", plan.to_str().unwrap()])
        .args(["--profile", "e2e", "--endpoint-url", &w.proxy.endpoint()])
        .envs(w.home.env())
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert!(
        plan["actions"].as_array().unwrap().is_empty(),
        "a waived key is never planned: {plan:#}"
    );
    assert_eq!(
        w.proxy.count("LookupEvents"),
        0,
        "no CloudTrail request at all"
    );
}
