//! Issue 13, end to end in tmux: the real binary against two moto servers
//! (alpha, and beta behind the suite's proxy answering STS slowly), pressing
//! keys as an operator would, then reading both servers back.

use std::path::Path;
use std::time::Duration;

use crate::common::home::{BIN, WAIT};
use crate::common::moto::{Moto, SeedUser, seed, server_keys};
use crate::common::proxy::{Fault, Proxy};
use crate::common::tmux::Tmux;

const ALPHA: &str = "111111111111";
const BETA: &str = "222222222222";

fn bin() -> String {
    std::env::var("IAMKEYS_TEST_BIN").unwrap_or_else(|_| BIN.to_owned())
}

/// Item 1: `p`, beta, `Enter`, `Esc` — the switch goes on; `c` on a user
/// both accounts have must not open a create dialog meanwhile, and no key
/// is made in either account. Once the switch is done, the dialog names
/// beta, and the key lands there.
#[tokio::test(flavor = "multi_thread")]
async fn no_change_dialog_while_a_switch_is_in_progress() {
    let alpha = Moto::start_with_account(Some(ALPHA));
    let beta = Moto::start_with_account(Some(BETA));
    let shared = || {
        [SeedUser {
            name: "shared",
            ..SeedUser::default()
        }]
    };
    seed(&alpha.iam().await, &shared()).await;
    seed(&beta.iam().await, &shared()).await;
    let slow = Proxy::start(beta.port).await;
    // Beta's STS answers 4 s late: the switch takes that long.
    slow.inject(Fault::Stall(4000), 1, &["GetCallerIdentity"]);
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("aws-config"),
        format!(
            "[profile alpha]\nregion = us-east-1\nendpoint_url = {}\n\n[profile beta]\nregion = us-east-1\nendpoint_url = {}\n",
            alpha.endpoint(),
            slow.endpoint()
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("aws-credentials"),
        "[alpha]\naws_access_key_id = AKIDALPHA\naws_secret_access_key = a\n\n[beta]\naws_access_key_id = AKIDBETA\naws_secret_access_key = b\n",
    )
    .unwrap();
    let env = crate::common::home::aws_env(home.path());
    let tui = Tmux::start(Path::new(&bin()), &["--profile", "alpha"], &env, 140, 40);
    tui.wait_for("alpha", WAIT, |s| s.contains(ALPHA) && s.contains("shared"));
    tui.send(&["p"]);
    tui.wait_for("the picker", WAIT, |s| s.contains("AWS profiles"));
    tui.send(&["-l", "beta"]);
    tui.send(&["Enter"]);
    tui.send(&["Escape"]);
    tui.wait_for("the picker closed", WAIT, |s| !s.contains("AWS profiles"));
    tui.send(&["c"]);
    let screen = tui.wait_for("the refusal", WAIT, |s| {
        s.contains("Switching to profile beta")
    });
    assert!(
        !screen.contains("Create a new access key"),
        "no create dialog during the switch: {screen}"
    );
    // Even a `y` typed now creates nothing anywhere.
    tui.send(&["y"]);
    tui.wait_for("beta", Duration::from_secs(30), |s| {
        s.contains(BETA) && s.contains("profile beta") && s.contains("shared")
    });
    assert!(server_keys(&alpha.iam().await, "shared").await.is_empty());
    assert!(server_keys(&beta.iam().await, "shared").await.is_empty());
    // Now the create is bound to beta, and the dialog says so.
    slow.heal();
    tui.send(&["c"]);
    tui.wait_for("the dialog naming beta", WAIT, |s| {
        s.contains("Create a new access key for shared")
            && s.contains(&format!("In account {BETA}"))
            && s.contains("profile beta")
    });
    tui.send(&["y"]);
    tui.wait_for("the secret", WAIT, |s| s.contains("shown once"));
    assert!(server_keys(&alpha.iam().await, "shared").await.is_empty());
    assert_eq!(server_keys(&beta.iam().await, "shared").await.len(), 1);
    tui.send(&["Escape"]);
    tui.wait_for("the acknowledgement", WAIT, |s| {
        s.contains("cannot be shown again")
    });
    tui.send(&["y"]);
    tui.wait_for("the dialog closed", WAIT, |s| !s.contains("shown once"));
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Item 2, in the UI: make a key inactive, someone makes it active again,
/// `d`, type the ID, Enter: nothing is deleted, and the screen says why.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_made_active_again_is_not_deleted() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[SeedUser {
            name: "svc",
            keys: vec![true],
            ..SeedUser::default()
        }],
    )
    .await;
    let key = keys[0].1[0].clone();
    let home = crate::common::home::Home::new(&moto.endpoint());
    let tui = svc_on_screen(&home);
    tui.send(&["Enter"]);
    tui.wait_for("the key", WAIT, |s| s.contains(&key));
    tui.send(&["i"]);
    tui.wait_for("the dialog", WAIT, |s| s.contains("Make key inactive"));
    tui.send(&["y"]);
    tui.wait_for("inactive", WAIT, |s| {
        s.contains(&format!("{key} is now Inactive"))
    });
    // From outside: active again.
    iam.update_access_key()
        .user_name("svc")
        .access_key_id(&key)
        .status(aws_sdk_iam::types::StatusType::Active)
        .send()
        .await
        .unwrap();
    tui.send(&["d"]);
    tui.wait_for("the delete dialog", WAIT, |s| s.contains("Type (or paste)"));
    tui.send(&["-l", &key]);
    tui.send(&["Enter"]);
    tui.wait_for("the refusal", WAIT, |s| s.contains("nothing was deleted"));
    let left = server_keys(&iam, "svc").await;
    assert_eq!(
        left,
        [(key.clone(), aws_sdk_iam::types::StatusType::Active)],
        "the key is still there, active"
    );
    tui.send(&["Escape"]);
    tui.wait_for("closed", WAIT, |s| !s.contains("nothing was deleted"));
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// The binary on profile `e2e` in `home`, once user svc and the account
/// are on screen (changes wait for the account: it binds them).
fn svc_on_screen(home: &crate::common::home::Home) -> Tmux {
    let tui = Tmux::start(
        Path::new(&bin()),
        &["--profile", "e2e"],
        &home.env(),
        140,
        40,
    );
    tui.wait_for("svc and the account", WAIT, |s| {
        s.contains("svc") && s.contains("account 123456789012")
    });
    tui
}

/// The audit log's lines, parsed.
fn audit_lines(home: &crate::common::home::Home) -> Vec<serde_json::Value> {
    let path = home.path().join("data/iamkeys/audit.jsonl");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Wait for a process to end (it is not our child: poll `/proc`).
fn wait_gone(pid: u32, timeout: Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Issue 21 §5: the terminal goes away (an SSH drop: the tmux server is
/// killed) while `UpdateAccessKey` is stalled at the proxy. iamkeys still
/// waits for it, records its outcome and its inactive-since tag (with what
/// the tag says) in the audit log, then leaves; the server shows the key
/// Inactive. A secret on screen when the terminal goes is recorded as lost.
#[tokio::test(flavor = "multi_thread")]
async fn a_terminal_that_goes_away_still_records_what_was_in_flight() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[SeedUser {
            name: "svc",
            keys: vec![true],
            ..SeedUser::default()
        }],
    )
    .await;
    let key = keys[0].1[0].clone();
    let proxy = Proxy::start(moto.port).await;
    let home = crate::common::home::Home::new(&proxy.endpoint());
    let tui = svc_on_screen(&home);
    tui.send(&["Enter"]);
    tui.wait_for("the key", WAIT, |s| s.contains(&key));
    tui.send(&["i"]);
    tui.wait_for("the dialog", WAIT, |s| s.contains("Make key inactive"));
    proxy.inject_first(Fault::Stall(3000), &["UpdateAccessKey"]);
    tui.send(&["y"]);
    tui.wait_for("in flight", WAIT, |s| s.contains("Making"));
    let pid = tui.program_pid();
    tui.kill_server();
    assert!(
        wait_gone(pid, Duration::from_secs(40)),
        "iamkeys leaves once the change answered"
    );
    assert_eq!(
        server_keys(&iam, "svc").await,
        [(key.clone(), aws_sdk_iam::types::StatusType::Inactive)]
    );
    let lines = audit_lines(&home);
    let outcomes: Vec<(String, String)> = lines
        .iter()
        .map(|l| {
            (
                l["action"].as_str().unwrap().to_owned(),
                l["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("UpdateAccessKey:Inactive".into(), "attempt".into()),
            ("UpdateAccessKey:Inactive".into(), "ok".into()),
            ("ledger:key.made_inactive".into(), "attempt".into()),
            ("ledger:key.made_inactive".into(), "ok".into()),
        ],
        "{lines:#?}"
    );
    assert_eq!(lines[3]["access_key_id"], key.as_str());
    assert_eq!(
        lines[3]["ledger"], "made inactive by iamkeys",
        "{}",
        lines[3]
    );

    // A new key's secret on screen when the terminal goes: recorded as lost.
    // (`c` waits for svc's keys to be listed: until then it says "Still
    // listing svc's keys".)
    let tui = svc_on_screen(&home);
    tui.wait_for("svc's keys listed", WAIT, |s| s.contains(&key));
    tui.send(&["c"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Create a new access key")
    });
    tui.send(&["y"]);
    tui.wait_for("the secret", WAIT, |s| s.contains("shown once"));
    let pid = tui.program_pid();
    tui.kill_server();
    assert!(wait_gone(pid, Duration::from_secs(40)));
    let made: Vec<String> = server_keys(&iam, "svc")
        .await
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| *id != key)
        .collect();
    let lost: Vec<serde_json::Value> = audit_lines(&home)
        .into_iter()
        .filter(|l| l["outcome"] == "secret_lost")
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(lost[0]["access_key_id"], made[0].as_str());
    assert_eq!(lost[0]["account_id"], "123456789012");
}
