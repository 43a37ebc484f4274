//! Issue 37 item 3: `iamkeys whois`, the real binary against moto (which
//! serves `sts:GetAccessKeyInfo`): a key of the caller's account, one of an
//! organization's member (through its role, with --org), one of no
//! account reachable, and key IDs refused before anything is asked.

use serde_json::Value;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, seed, user};
use crate::common::org::{member_iam, organization};
use crate::common::proxy::Proxy;

async fn whois(home: &Home, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(BIN)
        .args(["--profile", "e2e"])
        .args(args)
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_is_found_in_the_callers_account_or_a_member_or_nowhere() {
    let moto = Moto::start();
    let org = organization(&moto, &["alpha"]).await;
    let alpha = org.id("alpha");
    let own = seed(&moto.iam().await, &[user("ops", true, vec![true])]).await;
    let own_key = own[0].1[0].clone();
    let theirs = seed(
        &member_iam(&moto, &alpha).await,
        &[user("svc", false, vec![true, false])],
    )
    .await;
    let their_key = theirs[0].1[1].clone();
    let proxy = Proxy::start(moto.port).await;
    let home = Home::new(&proxy.endpoint());

    // Not shaped like a key: exit 2, and nothing was asked.
    for bad in [
        "akiaiosfodnn7example",
        "AKIA123",
        "AKIA\u{1b}[31mIOSFODNN7EX",
    ] {
        let out = whois(&home, &["whois", own_key.as_str(), bad]).await;
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{said}");
        assert!(said.contains("not shaped like an access key ID"), "{said}");
        assert!(!said.contains('\u{1b}'), "{said:?}");
    }
    assert!(proxy.actions().is_empty(), "{:?}", proxy.actions());

    // The caller's own key: found, with its user, status and use.
    let out = whois(&home, &["whois", "--format", "json", own_key.as_str()]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = &lines(&out)[0];
    assert_eq!(found["account_id"], org.management.as_str());
    assert_eq!(found["user_name"], "ops");
    assert_eq!(found["status"], "Active");
    assert_eq!(found["found"], true);
    assert!(found["last_used"].is_null(), "never used: {found}");
    assert_eq!(proxy.count("GetAccessKeyInfo"), 1);

    // A member's key, without --org: STS names alpha; not reachable.
    let made_up = "AKIAZZZZZZZZZZZZZZZZ";
    let out = whois(
        &home,
        &["whois", "--format", "json", their_key.as_str(), made_up],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let answers = lines(&out);
    assert_eq!(answers[0]["account_id"], alpha.as_str());
    assert_eq!(answers[0]["found"], false);
    assert!(
        answers[0]["note"]
            .as_str()
            .unwrap()
            .contains("--org reaches"),
        "{answers:?}"
    );
    // A key no account holds: not in any account reachable.
    assert_eq!(answers[1]["found"], false);
    assert!(
        answers[1]["note"]
            .as_str()
            .unwrap()
            .starts_with("not in any account reachable"),
        "{answers:?}"
    );

    // With --org: alpha reached through its role; svc holds it, inactive.
    let out = whois(&home, &["--org", "whois", their_key.as_str()]).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(&format!("account {alpha}  user svc  Inactive")),
        "{said}"
    );
    assert!(proxy.assumed(&alpha) >= 1, "through alpha's role");

    // STS refuses: the audit could not see; said, exit 2.
    proxy.deny("GetAccessKeyInfo");
    let out = whois(&home, &["whois", own_key.as_str()]).await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("cannot ask STS"), "{said}");
}
