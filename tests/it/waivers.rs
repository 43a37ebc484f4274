//! Waivers (issue 16), and issue 21 §3: honoured only as far as their
//! writer is trusted. A tag waiver counts only when CloudTrail shows its
//! `TagUser` was made by a principal matching `[audit] waiver_approvers`
//! (the suite's proxy records every `TagUser` that goes through it as a
//! CloudTrail event, with the caller it was told signs with that key); a
//! waivers-file entry counts as written. Neither runs past
//! `max_waiver_days`, and a key-level finding is waived only by a waiver
//! naming its key. A waiver that is not honoured is a claim, and its
//! finding counts (exit 1).

use chrono::{TimeDelta, Utc};

use crate::audit_truth::report;
use crate::common::moto::{Moto, sdk_config_at, seed, user};
use crate::common::proxy::Proxy;
use crate::e2e_tui::Home;

pub const APPROVER_ROLE: &str = "arn:aws:iam::123456789012:role/SecurityAudit";
const APPROVER_SESSION: &str = "arn:aws:sts::123456789012:assumed-role/SecurityAudit/secops";
const APPROVER_KEY: &str = "ASIASECOPSSECOPS0001";

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

/// moto behind the proxy (whose fake CloudTrail records `TagUser`), a home
/// whose config names the approvers, and the approver's IAM client (a
/// `SecurityAudit` role session, through the proxy).
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

pub const APPROVERS: &str = "[audit]\nwaiver_approvers = [\"arn:aws:iam::*:role/SecurityAudit\"]\n";

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

fn in_days(days: i64) -> String {
    (Utc::now() + TimeDelta::days(days))
        .date_naive()
        .to_string()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
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
    let w = world(APPROVERS).await;
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
    tag(
        &w.approver,
        "legacy",
        &format!("iamkeys:waive:initial_setup_key:{legacy_key}"),
        &format!("{until} alice@example.com moves to a role in Q1"),
    )
    .await;
    tag(
        &w.approver,
        "two",
        "iamkeys:waive:multiple_active_keys",
        "2020-01-01 bob rotation window",
    )
    .await;
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
    assert_eq!(legacy["waived"]["by"], "alice@example.com");
    assert_eq!(legacy["waived"]["reason"], "moves to a role in Q1");
    assert_eq!(legacy["waived"]["source"], "tag");
    assert_eq!(
        legacy["waived"]["writer"], APPROVER_SESSION,
        "the verified writer, from CloudTrail"
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
        2,
        "two pages of TagUser events"
    );

    // The table marks both.
    let table = report(&w.home, &w.proxy.endpoint(), &[]).await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains(&format!(
            "[waived until {until} by alice@example.com: moves to a role in Q1 (tag written by {APPROVER_SESSION})]"
        )),
        "{text}"
    );
    assert!(text.contains("[waiver expired 2020-01-01]"), "{text}");
    assert!(text.contains("· 1 waived"), "{text}");

    // Every finding waived (odd's by a waiver naming its key): listed, exit 0.
    tag(
        &w.approver,
        "two",
        "iamkeys:waive:multiple_active_keys",
        &format!("{until} bob rotation window"),
    )
    .await;
    tag(
        &w.approver,
        "odd",
        &format!("iamkeys:waive:initial_setup_key:{odd_key}"),
        &format!("{until} bob later"),
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
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f["waived"].is_null())
    );
    // odd's malformed whole-user tag is still there: a note, not silent.
    assert!(json["notes"].to_string().contains("not a date"));
}

/// Every user's tags come in one `GetAccountAuthorizationDetails` page;
/// when that is refused, the tags of users with findings are read one by
/// one, the waivers still hold, and the notes say so.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_bulk_read_falls_back_to_each_users_tags() {
    let w = world(APPROVERS).await;
    let keys = seed(
        &w.iam,
        &[
            user("legacy", true, vec![true]),
            user("clean", false, vec![]),
        ],
    )
    .await;
    tag(
        &w.approver,
        "legacy",
        &format!("iamkeys:waive:initial_setup_key:{}", keys[0].1[0]),
        &format!("{} alice legacy box", in_days(10)),
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
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("iam:GetAccountAuthorizationDetails denied")
            && stderr.contains("exposed_key_quarantined cannot be judged"),
        "{stderr}"
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

/// Issue 21 §3: a user who may tag itself writes a waiver onto itself with
/// its own key. It is a claim: the finding counts in the JSON, in
/// `--fail-on initial_setup_key` and in OCSF (New, not Suppressed). The
/// same tag written by an approver is honoured; one dated too far ahead is
/// not; without approvers configured, none is.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiver_the_user_wrote_itself_is_a_claim_not_a_waiver() {
    let w = world(APPROVERS).await;
    seed(&w.iam, &[user("mallory", true, vec![])]).await;
    // Two keys: the first signs the self-service TagUser (and so is used),
    // the second is never used: initial_setup_key.
    let mut made = Vec::new();
    for _ in 0..2 {
        let (id, secret, _) = crate::common::moto::new_key(&w.iam, "mallory").await;
        made.push((id, secret));
    }
    let (own_key, own_secret) = made[0].clone();
    let never = made[1].0.clone();
    w.proxy
        .identify(&own_key, "arn:aws:iam::123456789012:user/mallory", None);
    let own =
        aws_sdk_iam::Client::new(&sdk_config_at(w.proxy.endpoint(), &own_key, &own_secret).await);
    let waiver_key = format!("iamkeys:waive:initial_setup_key:{never}");
    tag(
        &own,
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
    let why = f["waiver_claim"]["not_honoured"].as_str().unwrap();
    assert!(
        why.contains("arn:aws:iam::123456789012:user/mallory")
            && why.contains("not among waiver_approvers"),
        "{why}"
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
            && text.contains("not honoured: written by arn:aws:iam::123456789012:user/mallory"),
        "{text}"
    );

    // The approver writes the same tag: honoured, exit 0.
    tag(
        &w.approver,
        "mallory",
        &waiver_key,
        &format!("{} secops ok", in_days(30)),
    )
    .await;
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    let json = json_of(&out);
    let honoured = &setup_finding(&json);
    assert_eq!(honoured["waived"]["writer"], APPROVER_SESSION, "{honoured}");

    // Dated past max_waiver_days (180): not honoured, even from the approver.
    tag(&w.approver, "mallory", &waiver_key, "9999-12-31 secops ok").await;
    let out = report(
        &w.home,
        &w.proxy.endpoint(),
        &["--format", "json", "--fail-on", "initial_setup_key"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&out);
    let why = setup_finding(&json)["waiver_claim"]["not_honoured"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(why.contains("max_waiver_days"), "{why}");

    // No approvers configured: no tag waiver is honoured, and CloudTrail is not asked.
    tag(
        &w.approver,
        "mallory",
        &waiver_key,
        &format!("{} secops ok", in_days(30)),
    )
    .await;
    write_config(&w.home, "");
    let asked = w.proxy.count("LookupEvents");
    let out = report(
        &w.home,
        &w.proxy.endpoint(),
        &["--format", "json", "--fail-on", "initial_setup_key"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(w.proxy.count("LookupEvents"), asked);
    let json = json_of(&out);
    assert!(
        json["notes"]
            .to_string()
            .contains("no [audit] waiver_approvers are configured"),
        "{}",
        json["notes"]
    );
}

/// `cloudtrail:LookupEvents` refused: no tag waiver is honoured, and the
/// notes say so once (not once per waiver).
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_cloudtrail_honours_no_tag_waiver_and_says_so_once() {
    let w = world(APPROVERS).await;
    let keys = seed(
        &w.iam,
        &[user("a", true, vec![true]), user("b", true, vec![true])],
    )
    .await;
    for (user, ids) in &keys {
        tag(
            &w.approver,
            user,
            &format!("iamkeys:waive:initial_setup_key:{}", ids[0]),
            &format!("{} secops ok", in_days(10)),
        )
        .await;
    }
    w.proxy.deny("LookupEvents");
    let out = report(&w.home, &w.proxy.endpoint(), &["--format", "json"]).await;
    assert_eq!(out.status.code(), Some(1));
    let json = json_of(&out);
    for user in ["a", "b"] {
        let f = finding(&json, user);
        assert!(f["waived"].is_null());
        assert!(
            f["waiver_claim"]["not_honoured"]
                .as_str()
                .unwrap()
                .contains("cloudtrail:LookupEvents denied"),
            "{f}"
        );
    }
    let notes: Vec<&str> = json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .filter(|n| n.contains("LookupEvents"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
}

/// A waiver of the whole user for a key-level finding, written (by an
/// approver) on a user with no keys, pre-approves nothing: the key made
/// later has its `initial_setup_key` counted, and the notes say why. A key
/// ID on a user-level finding is a note too.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiver_never_covers_keys_made_after_it() {
    let w = world(APPROVERS).await;
    seed(&w.iam, &[user("newcomer", true, vec![])]).await;
    let until = in_days(30);
    tag(
        &w.approver,
        "newcomer",
        "iamkeys:waive:initial_setup_key",
        &format!("{until} secops onboarding"),
    )
    .await;
    tag(
        &w.approver,
        "newcomer",
        "iamkeys:waive:multiple_active_keys:AKIAIOSFODNN7EXAMPLE",
        &format!("{until} secops onboarding"),
    )
    .await;
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
    drop(w.moto);
}
