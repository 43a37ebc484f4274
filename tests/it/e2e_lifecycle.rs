//! End to end: key changes in the real binary, in a pseudo-terminal, against
//! moto; every change checked on the server.

use std::path::Path;

use aws_sdk_iam::types::StatusType;

use crate::common::home::{BIN, Home, WAIT};
use crate::common::moto::{Moto, seed, standard_users};
use crate::common::tmux::Tmux;

async fn status(iam: &aws_sdk_iam::Client, user: &str, key_id: &str) -> Option<StatusType> {
    let out = iam.list_access_keys().user_name(user).send().await.unwrap();
    out.access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key_id))
        .and_then(|k| k.status().cloned())
}

fn start(home: &Home, extra_env: &[(&'static str, String)]) -> Tmux {
    let mut env = home.env();
    env.extend(extra_env.iter().cloned());
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &env, 140, 40);
    tui.wait_for("the account", WAIT, |s| {
        s.contains("Users (5)") && s.contains("account 123456789012")
    });
    tui.wait_for("every key summary", WAIT, |s| !Tmux::still_loading(s));
    tui
}

#[tokio::test(flavor = "multi_thread")]
async fn make_a_key_inactive_from_the_keyboard() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &standard_users()).await;
    let alice_key = keys[0].1[0].clone();
    let home = Home::new(&moto.endpoint());
    let tui = start(&home, &[]);
    // alice is first; Enter focuses her key, i asks, y confirms.
    tui.send(&["Enter", "i"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Make key inactive") && s.contains(&alice_key)
    });
    tui.send(&["y"]);
    tui.wait_for("the change", WAIT, |s| s.contains("is now Inactive"));
    assert_eq!(
        status(&iam, "alice", &alice_key).await,
        Some(StatusType::Inactive)
    );
    tui.wait_for("the refreshed pane", WAIT, |s| {
        s.lines()
            .any(|l| l.contains(&alice_key) && l.contains("Inactive"))
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    assert!(
        audit.contains("\"UpdateAccessKey:Inactive\"") && audit.contains(&alice_key),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_an_inactive_key_by_typing_its_id() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &standard_users()).await;
    // dave: key 0 Inactive (older, listed first), key 1 Active.
    let (inactive, active) = (keys[3].1[0].clone(), keys[3].1[1].clone());
    let home = Home::new(&moto.endpoint());
    let tui = start(&home, &[]);
    tui.send(&["j", "j", "j", "Enter"]);
    tui.wait_for("dave's keys", WAIT, |s| s.contains("Access keys of dave"));
    tui.send(&["j", "d"]);
    tui.wait_for("the refusal of an active key", WAIT, |s| {
        s.contains("make it inactive first (i)")
    });
    tui.send(&["Escape", "k", "d"]);
    tui.wait_for("the delete dialog", WAIT, |s| {
        s.contains("Type (or paste) the access key ID")
    });
    tui.send(&["-l", "AKIA", "Enter"]);
    tui.wait_for("the mismatch", WAIT, |s| s.contains("nothing was deleted"));
    assert_eq!(
        status(&iam, "dave", &inactive).await,
        Some(StatusType::Inactive),
        "still there"
    );
    tui.send(&["BSpace", "BSpace", "BSpace", "BSpace"]);
    tui.send(&["-l", &inactive]);
    tui.send(&["Enter"]);
    // Not just "was deleted": the mismatch said "nothing was deleted".
    tui.wait_for("the deletion", WAIT, |s| {
        s.contains(&format!("{inactive} was deleted"))
    });
    let left = iam
        .list_access_keys()
        .user_name("dave")
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = left
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id())
        .collect();
    assert_eq!(ids, [active.as_str()]);
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_create_the_secret_is_nowhere_but_its_dialog() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let home = Home::new(&moto.endpoint());
    // Even the most verbose log level must not record the secret.
    let tui = start(&home, &[("IAMKEYS_LOG", "trace".into())]);
    tui.send(&["j", "c"]);
    tui.wait_for("the create dialog", WAIT, |s| {
        s.contains("Create a new access key for bob")
    });
    tui.send(&["y"]);
    let screen = tui.wait_for("the secret", WAIT, |s| s.contains("shown once"));
    let secret = screen
        .lines()
        .find_map(|l| l.split("Secret access key").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .map(ToOwned::to_owned)
        .unwrap();
    assert_eq!(
        secret.len(),
        40,
        "read the secret off the screen: {secret:?}"
    );
    let server = iam
        .list_access_keys()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(server.access_key_metadata().len(), 1, "one key created");
    tui.send(&["Escape"]);
    tui.wait_for("the acknowledgement", WAIT, |s| {
        s.contains("cannot be shown again")
    });
    tui.send(&["y"]);
    let after = tui.wait_for("the dialog to close", WAIT, |s| !s.contains("shown once"));
    assert!(!after.contains(&secret), "the screen no longer shows it");
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    let log = std::fs::read_to_string(home.log_file()).unwrap();
    assert!(log.len() > 1000, "the trace log was written");
    assert!(!log.contains(&secret), "the secret is not in the log file");
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    assert!(audit.contains("CreateAccessKey"));
    assert!(
        !audit.contains(&secret),
        "the secret is not in the audit log"
    );
    assert!(!tui.screen().contains(&secret));
}

/// The `[name]` section of an INI credentials file, as (key ID, secret).
fn profile_keys(path: &Path, name: &str) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let section = text
        .split(&format!("[{name}]"))
        .nth(1)
        .unwrap_or_else(|| panic!("no [{name}] in {text}"));
    let value = |key: &str| {
        section
            .lines()
            .find_map(|l| {
                l.strip_prefix(key)?
                    .trim()
                    .strip_prefix('=')
                    .map(|v| v.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no {key} in [{name}]"))
    };
    (value("aws_access_key_id"), value("aws_secret_access_key"))
}

/// Issue 16, a whole rotation in the real binary: `R` names the account,
/// `y` makes the new key, `w` saves it as profile `iamkeys-svc`; the test
/// signs a request with it (as the workload would), `r` shows `new key in
/// use`, and the old key goes inactive without a warning. The server then
/// has the old key Inactive, the new Active, and the rotation's tag.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_from_r_to_the_old_key_inactive() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[crate::common::moto::user("svc", false, vec![true])]).await;
    let old = keys[0].1[0].clone();
    let home = Home::new(&moto.endpoint());
    let mut env = home.env();
    env.push(("IAMKEYS_LOG", "debug".into()));
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &env, 140, 40);
    // The header's account (the user's ARN has the number too): until the
    // caller is known, no change may start.
    tui.wait_for("the account", WAIT, |s| {
        s.contains("Users (1)") && s.contains("account 123456789012")
    });
    tui.send(&["Enter"]);
    tui.wait_for("svc's key", WAIT, |s| s.contains(&format!("{old}  Active")));
    tui.send(&["R"]);
    tui.wait_for("the rotation dialog", WAIT, |s| {
        s.contains(&format!("Rotate access key {old} of svc?"))
            && s.contains("In account 123456789012 · profile e2e")
    });
    tui.send(&["y"]);
    tui.wait_for("the secret", WAIT, |s| s.contains("shown once"));
    tui.send(&["w"]);
    tui.wait_for("the profile name", WAIT, |s| s.contains("iamkeys-svc"));
    tui.send(&["Enter"]);
    tui.wait_for("the save", WAIT, |s| {
        s.contains("Saved as profile [iamkeys-svc]")
    });
    // Saved: closing loses nothing, so nothing more is asked (issue 38).
    tui.send(&["Escape"]);
    let (new, secret) = profile_keys(&home.path().join("aws-credentials"), "iamkeys-svc");
    let screen = tui.wait_for("the rotation in progress", WAIT, |s| {
        !s.contains("shown once")
            && s.contains(&format!("rotating → {new}"))
            && s.contains("new key not used yet")
    });
    assert!(
        screen.contains(&format!("replaces {old}")) && screen.contains("   not used yet "),
        "{screen}"
    );

    // The workload signs with the new key.
    crate::common::moto::use_key(moto.endpoint(), &new, &secret).await;
    tui.send(&["r"]);
    tui.wait_for("the new key in use", WAIT, |s| {
        s.contains("new key in use since") && s.contains("make this key inactive next (i)")
    });
    tui.send(&["g", "i"]);
    let dialog = tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Make key inactive") && s.contains(&old)
    });
    assert!(!dialog.contains("has not been used yet"), "{dialog}");
    tui.send(&["y"]);
    tui.wait_for("the change", WAIT, |s| s.contains("is now Inactive"));
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));

    assert_eq!(status(&iam, "svc", &old).await, Some(StatusType::Inactive));
    assert_eq!(status(&iam, "svc", &new).await, Some(StatusType::Active));
    let tags = iam.list_user_tags().user_name("svc").send().await.unwrap();
    assert!(tags.tags().is_empty(), "issue 32: iamkeys writes no tag");
    let ledger = crate::cli_waivers::folded(&home, "123456789012");
    let rotation = ledger
        .rotation("svc", &old)
        .expect("the rotation stays recorded until the old key is deleted");
    assert_eq!(rotation.new, new);
    assert!(rotation.first_used.is_some(), "its first use recorded");
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    for action in [
        "CreateAccessKey:rotation",
        "ledger:rotation.started",
        "ledger:rotation.first_use",
        "UpdateAccessKey:Inactive",
    ] {
        assert!(
            audit.contains(&format!("\"{action}\"")),
            "{action}: {audit}"
        );
    }

    // A restart (or another operator) sees the rotation from the ledger.
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 140, 40);
    tui.wait_for("the account", WAIT, |s| s.contains("Users (1)"));
    tui.send(&["Enter"]);
    tui.wait_for("the rotation, read back", WAIT, |s| {
        s.contains(&format!("rotating → {new}")) && s.contains("new key in use since")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 27, the handoff end to end — issue 32: its target is the ledger's
/// (`iamkeys ledger handoff`, a full ARN); an `iamkeys:handoff` tag is a
/// claim whoever wrote it. `R`, `y` writes the new key to the ledger's
/// secret (the dialog says so, the secret's other fields kept); the
/// workload reads the key from the secret and signs with it, and the watch
/// shows the new key in use.
#[cfg(feature = "handoff")]
#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_key_goes_into_the_workloads_secret_and_is_seen_used() {
    use crate::cli_waivers::world;
    let w = world("").await;
    let (moto, iam, home) = (&w.moto, &w.iam, &w.home);
    let keys = seed(iam, &[crate::common::moto::user("svc", false, vec![true])]).await;
    let old = keys[0].1[0].clone();
    let config = moto.sdk_config().await;
    let sm = aws_sdk_secretsmanager::Client::new(&config);
    let arn = sm
        .create_secret()
        .name("svc/aws")
        .secret_string(format!(
            r#"{{"AccessKeyId":"{old}","SecretAccessKey":"old","bucket":"reports"}}"#
        ))
        .send()
        .await
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    let tag = |client: &aws_sdk_iam::Client| {
        client.tag_user().user_name("svc").tags(
            aws_sdk_iam::types::Tag::builder()
                .key("iamkeys:handoff")
                .value("secretsmanager:svc/aws")
                .build()
                .unwrap(),
        )
    };
    // A tag, written by the security team's own role session or anyone:
    // a claim, nothing is handed off.
    tag(&w.approver).send().await.unwrap();
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 160, 45);
    tui.wait_for("the account", WAIT, |s| {
        s.contains("Users (1)") && s.contains("account 123456789012")
    });
    tui.send(&["Enter"]);
    tui.wait_for("svc's key", WAIT, |s| s.contains(&format!("{old}  Active")));
    tui.send(&["R"]);
    tui.wait_for("the rotation dialog refusing the tag", WAIT, |s| {
        s.contains("iamkeys:handoff tag is a claim,")
            && !s.contains("iamkeys writes the new key to")
    });
    tui.send(&["Escape", "q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    assert!(
        iam.list_user_tags()
            .user_name("svc")
            .send()
            .await
            .unwrap()
            .tags()
            .iter()
            .all(|t| !t.key().starts_with("iamkeys:") || t.key() == "iamkeys:handoff"),
        "iamkeys wrote no tag"
    );

    // The security team sets the target in the ledger: honoured.
    let out = crate::cli_waivers::ledger_cli(
        home,
        &w.proxy.endpoint(),
        &["handoff", "--user", "svc", "--target", &arn],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 160, 45);
    tui.wait_for("the account", WAIT, |s| {
        s.contains("Users (1)") && s.contains("account 123456789012")
    });
    tui.send(&["Enter"]);
    tui.wait_for("svc's key", WAIT, |s| s.contains(&format!("{old}  Active")));
    tui.send(&["R"]);
    tui.wait_for("the rotation dialog naming the secret", WAIT, |s| {
        s.contains("iamkeys writes the new key to Secrets Manager secret")
            && s.contains("arn:aws:secretsmanager:us-east-1:123456789012:secret:svc/aws")
    });
    tui.send(&["y"]);
    tui.wait_for("the handoff", WAIT, |s| {
        s.contains("shown once") && s.contains("Written to Secrets Manager secret")
    });
    tui.send(&["Escape"]);
    tui.wait_for("the acknowledgement", WAIT, |s| {
        s.contains("cannot be shown again")
    });
    tui.send(&["y"]);
    // The workload reads its key from the secret, as it would.
    let value = sm
        .get_secret_value()
        .secret_id("svc/aws")
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(value.secret_string().unwrap()).unwrap();
    assert_eq!(json["bucket"], "reports", "the other fields kept");
    let new = json["AccessKeyId"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    tui.wait_for("the rotation in progress", WAIT, |s| {
        s.contains(&format!("rotating → {new}")) && s.contains("new key not used yet")
    });
    crate::common::moto::use_key(
        w.proxy.endpoint(),
        &new,
        json["SecretAccessKey"].as_str().unwrap(),
    )
    .await;
    tui.send(&["r"]);
    tui.wait_for("the new key in use", WAIT, |s| {
        s.contains("new key in use since")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    // Never in the log.
    let log = std::fs::read_to_string(home.log_file()).unwrap_or_default();
    assert!(!log.contains(json["SecretAccessKey"].as_str().unwrap()));
    // Issue 33 item 12: the write is in the audit log, an attempt line
    // before and an outcome line after, naming the full ARN — never the
    // secret.
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    assert!(!audit.contains(json["SecretAccessKey"].as_str().unwrap()));
    let lines: Vec<serde_json::Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let handoff: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["action"] == "secretsmanager:PutSecretValue")
        .collect();
    assert_eq!(handoff.len(), 2, "{audit}");
    for (line, outcome) in handoff.iter().zip(["attempt", "ok"]) {
        assert_eq!(line["outcome"], outcome, "{audit}");
        assert_eq!(line["target"], arn.as_str(), "{audit}");
        assert_eq!(line["user"], "svc");
        assert_eq!(line["access_key_id"], new.as_str());
        assert_eq!(line["account_id"], "123456789012");
    }
    let created = lines
        .iter()
        .position(|l| {
            l["action"].as_str().unwrap().starts_with("CreateAccessKey") && l["outcome"] == "ok"
        })
        .unwrap();
    let attempt = lines
        .iter()
        .position(|l| l["action"] == "secretsmanager:PutSecretValue")
        .unwrap();
    assert!(created < attempt, "the key is made before it is handed off");
}

/// Issue 36, in the real binary against moto: `P` removes bob's console
/// password once his name is typed; a Bedrock API key of his is made
/// inactive from the key pane. The server is read back after each, and the
/// audit log names both changes.
#[tokio::test(flavor = "multi_thread")]
async fn a_password_removed_and_a_bedrock_key_made_inactive() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let bedrock = crate::common::moto::service_credential(
        &iam,
        "bob",
        iamkeys::model::credential::BEDROCK,
        None,
    )
    .await;
    let home = Home::new(&moto.endpoint());
    let tui = start(&home, &[]);
    // bob is second; he has no access keys.
    tui.send(&["j", "P"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Remove console password") && s.contains("Remove bob's console password?")
    });
    tui.send(&["-l", "bob"]);
    tui.send(&["Enter"]);
    tui.wait_for("the removal", WAIT, |s| {
        s.contains("bob: the console password was removed")
    });
    assert!(
        iam.get_login_profile()
            .user_name("bob")
            .send()
            .await
            .is_err(),
        "no login profile on the server"
    );
    // His pane lists the Bedrock key once it is loaded; into the key pane
    // (no access keys: the Bedrock key is the first row) and `i`, in one go.
    tui.wait_for("bob's Bedrock key", WAIT, |s| {
        s.contains("Access keys of bob") && s.contains(&format!("Bedrock API key {bedrock}"))
    });
    tui.send(&["Enter", "i"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Make Bedrock API key inactive")
    });
    tui.send(&["y"]);
    tui.wait_for("the change", WAIT, |s| {
        s.contains(&format!("{bedrock} is now Inactive"))
    });
    let listed = iam
        .list_service_specific_credentials()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.service_specific_credentials()[0].status(),
        &StatusType::Inactive
    );
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    assert!(audit.contains("\"DeleteLoginProfile\""), "{audit}");
    assert!(
        audit.contains("\"UpdateServiceSpecificCredential:Inactive\"") && audit.contains(&bedrock),
        "{audit}"
    );
}

/// Issue 37 item 3: `:whois` on a key of another user, typed in the real
/// terminal while alice is selected: the key pane opens on that user with
/// that very key selected (its keys listed only then), and `i` names it.
#[tokio::test(flavor = "multi_thread")]
async fn whois_opens_on_the_user_with_the_key_selected() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &standard_users()).await;
    let (user, theirs) = keys
        .iter()
        .find(|(_, ids)| ids.len() == 2)
        .map(|(user, ids)| (user.clone(), ids[1].clone()))
        .unwrap();
    let home = Home::new(&moto.endpoint());
    let tui = start(&home, &[]);
    tui.send(&[":"]);
    tui.wait_for("the command line", WAIT, |s| {
        s.contains("Enter runs · Esc closes")
    });
    tui.send(&["-l", &format!("whois {}", theirs.to_lowercase())]);
    tui.send(&["Enter"]);
    let screen = tui.wait_for("the key selected", WAIT, |s| {
        s.lines().any(|l| l.contains(&format!("› {theirs}")))
    });
    assert!(
        screen.contains(&format!("{theirs} is {user}'s")),
        "{screen}"
    );
    tui.send(&["i"]);
    let dialog = tui.wait_for("the make-inactive dialog", WAIT, |s| {
        s.contains("Make this key inactive?")
    });
    assert!(dialog.contains(&theirs), "{dialog}");
    tui.send(&["Escape"]);
    tui.wait_for("the dialog closed", WAIT, |s| {
        !s.contains("Make this key inactive?")
    });
    assert_eq!(status(&iam, &user, &theirs).await, Some(StatusType::Active));
}
