//! Issue 22, signing in as operators do: profiles whose role (or user)
//! needs an MFA code. moto checks no code, so the suite's proxy refuses
//! `AssumeRole` and `GetSessionToken` without a `SerialNumber` and the
//! right `TokenCode`, with IAM's own words. The session cache is checked
//! against botocore's (the AWS CLI's) own implementation.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, seed, user};
use crate::common::proxy::Proxy;

const CODE: &str = "123456";
const ALICE: &str = "arn:aws:iam::123456789012:mfa/alice";
const BOB: &str = "arn:aws:iam::123456789012:mfa/bob";
const ADMIN_ROLE: &str = "arn:aws:iam::123456789012:role/Admin";

/// A home whose AWS config has `admin` (role + MFA, source `base`),
/// `mfa-user` (static keys + MFA), `chained` (a role whose source profile
/// has the MFA device), all pointing at `endpoint`.
fn home(endpoint: &str) -> Home {
    let home = Home::new(endpoint);
    std::fs::write(
        home.path().join("aws-config"),
        format!(
            "[profile base]\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile admin]\nrole_arn = {ADMIN_ROLE}\nsource_profile = base\nmfa_serial = {ALICE}\nduration_seconds = 1800\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile mfa-user]\nmfa_serial = {BOB}\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile chained]\nrole_arn = arn:aws:iam::123456789012:role/Audit\nsource_profile = mfa-user\nregion = us-east-1\nendpoint_url = {endpoint}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        home.path().join("aws-credentials"),
        "[base]\naws_access_key_id = AKIDBASEBASEBASE0001\naws_secret_access_key = base\n\n[mfa-user]\naws_access_key_id = AKIDUSERUSERUSER0001\naws_secret_access_key = user\n",
    )
    .unwrap();
    home
}

/// moto with this user, behind a proxy that wants [`CODE`] for every
/// `AssumeRole` and `GetSessionToken`, and a [`home`] pointing at it.
async fn stage(seeded: crate::common::moto::SeedUser) -> (Moto, Proxy, Home) {
    let moto = Moto::start();
    seed(&moto.iam().await, &[seeded]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.require_mfa(CODE);
    let home = home(&proxy.endpoint());
    (moto, proxy, home)
}

/// The binary in tmux (140×40) with these arguments, in `home`.
fn ui(home: &Home, args: &[&str]) -> crate::common::tmux::Tmux {
    crate::common::tmux::Tmux::start(std::path::Path::new(BIN), args, &home.env(), 140, 40)
}

/// [`ui`] with this `PATH=…` (tmux gives a pane its own `PATH`: it is set
/// on the program's command line).
fn ui_with_path(home: &Home, path: &str, args: &[&str]) -> crate::common::tmux::Tmux {
    let mut all = vec![path, BIN];
    all.extend_from_slice(args);
    crate::common::tmux::Tmux::start(
        std::path::Path::new("/usr/bin/env"),
        &all,
        &home.env(),
        140,
        40,
    )
}

async fn report(home: &Home, profile: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec![
        "--profile",
        profile,
        "--format",
        "json",
        "--fail-on",
        "none",
    ];
    all.extend_from_slice(args);
    run_report(home, &all, env).await
}

/// `iamkeys report <args>` in `home`, no code in the environment unless
/// `env` gives one, and no terminal on stdin.
async fn run_report(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Output {
    tokio::process::Command::new(BIN)
        .arg("report")
        .args(args)
        .envs(home.env())
        .env_remove("IAMKEYS_MFA_CODE")
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap()
}

fn ok_json(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// botocore's cache file name for these `AssumeRole` arguments, as the AWS
/// CLI computes it (`json.dumps(args, sort_keys=True)`, SHA-1).
fn botocore_key(args: &str) -> String {
    let python = std::env::var("IAMKEYS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args([
            "-c",
            &format!(
                "import json, hashlib; print(hashlib.sha1(json.dumps({args}, sort_keys=True).encode('utf-8')).hexdigest())"
            ),
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mfa_role_profile_signs_in_with_a_code_and_caches_it_as_the_cli_does() {
    let (_moto, proxy, home) = stage(user("alice", true, vec![true])).await;

    // No code and no terminal: exit 2, naming the profile and the device.
    let out = report(&home, "admin", &[], &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "profile admin needs an MFA code ({ALICE}): set IAMKEYS_MFA_CODE (or pass --mfa-code) or run it in a terminal"
        )),
        "{stderr}"
    );
    assert!(
        proxy.mfa_requests().is_empty(),
        "nothing sent without a code"
    );

    // A wrong code: IAM's answer, exit 2.
    let out = report(&home, "admin", &["--mfa-code", "000000"], &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("MultiFactorAuthentication failed"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("000000"),
        "the code is never echoed: {stderr}"
    );

    // The right code: the role's session audits the account.
    let json = ok_json(&report(&home, "admin", &["--mfa-code", CODE], &[]).await);
    assert!(json["users"].to_string().contains("alice"));
    let asked = proxy.mfa_requests();
    let last = asked.last().unwrap();
    assert_eq!(
        (
            last.0.as_str(),
            last.1.as_str(),
            last.2.as_str(),
            last.3.as_str()
        ),
        ("AssumeRole", ALICE, CODE, "1800"),
        "SerialNumber, TokenCode and duration_seconds are sent"
    );

    // Cached where and as the AWS CLI caches it.
    let key = botocore_key(&format!(
        "{{'RoleArn': '{ADMIN_ROLE}', 'SerialNumber': '{ALICE}', 'DurationSeconds': 1800}}"
    ));
    // Issue 33 item 6: a session from an endpoint override is never in
    // the AWS CLI's cache (the real profile's `aws` would use it), but in
    // iamkeys' own for that endpoint, in the CLI's format.
    let file = sessions(&home, &proxy.endpoint()).join(format!("{key}.json"));
    let cached: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("the CLI's file name")).unwrap();
    assert!(cached["Credentials"]["SessionToken"].is_string());
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(file.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    assert!(
        !home.path().join(".aws/cli").exists(),
        "nothing in the AWS CLI's cache from a test endpoint"
    );
    // The next run needs no code: the cached session is used.
    let before = proxy.mfa_requests().len();
    ok_json(&report(&home, "admin", &[], &[]).await);
    assert_eq!(
        proxy.mfa_requests().len(),
        before,
        "no AssumeRole: the cache served"
    );

    // An expired session in the cache is not used.
    let mut expired = cached.clone();
    expired["Credentials"]["Expiration"] = "2020-01-01T00:00:00UTC".into();
    std::fs::write(&file, expired.to_string()).unwrap();
    let out = report(&home, "admin", &[], &[]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "expired: a code is needed again"
    );

    // Issue 33 item 6: a session that outlives what STS can give (2099,
    // as a test endpoint might say) is not believed: a code is needed.
    let mut forever = cached.clone();
    forever["Credentials"]["Expiration"] = "2099-01-01T00:00:00UTC".into();
    std::fs::write(&file, forever.to_string()).unwrap();
    let out = report(&home, "admin", &[], &[]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "2099: not believed, a code is needed again"
    );

    // IAMKEYS_MFA_CODE is the flag's environment variable.
    ok_json(&report(&home, "admin", &[], &[("IAMKEYS_MFA_CODE", CODE)]).await);
    // And what iamkeys writes is never beyond duration_seconds (1800).
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let written_expiry = chrono::NaiveDateTime::parse_from_str(
        written["Credentials"]["Expiration"].as_str().unwrap(),
        "%Y-%m-%dT%H:%M:%SUTC",
    )
    .unwrap()
    .and_utc();
    assert!(
        written_expiry <= chrono::Utc::now() + chrono::TimeDelta::seconds(1800),
        "{written_expiry}"
    );

    // [aws] session_cache = false: nothing is written.
    std::fs::remove_file(&file).unwrap();
    let dir = home.path().join("config/iamkeys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "[aws]\nsession_cache = false\n").unwrap();
    ok_json(&report(&home, "admin", &["--mfa-code", CODE], &[]).await);
    assert!(!file.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_profile_gets_a_session_token_and_a_source_profile_lends_its_device() {
    let (_moto, proxy, home) = stage(user("bob", false, vec![true])).await;
    ok_json(&report(&home, "mfa-user", &["--mfa-code", CODE], &[]).await);
    assert!(
        proxy
            .mfa_requests()
            .iter()
            .any(|(action, serial, code, _)| action == "GetSessionToken"
                && serial == BOB
                && code == CODE),
        "{:?}",
        proxy.mfa_requests()
    );
    // `chained` has no mfa_serial; its source profile does.
    ok_json(&report(&home, "chained", &["--mfa-code", CODE], &[]).await);
    assert!(
        proxy
            .mfa_requests()
            .iter()
            .any(|(action, serial, _, _)| action == "AssumeRole" && serial == BOB),
        "{:?}",
        proxy.mfa_requests()
    );
}

/// The AWS CLI's own code (botocore, which moto's server brings along)
/// caches a session got with a code; iamkeys then uses that file with no
/// code. And the other way: a session iamkeys cached serves botocore with no
/// prompt. (With a test endpoint the directory is iamkeys' own for that
/// endpoint, never `~/.aws/cli/cache`: the format is what is shared.)
#[tokio::test(flavor = "multi_thread")]
async fn the_session_cache_is_shared_with_the_aws_cli() {
    let (_moto, proxy, home) = stage(user("carol", false, vec![])).await;
    let cache = sessions(&home, &proxy.endpoint());
    let botocore = |prompted: &str| {
        let python = std::env::var("IAMKEYS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let script = format!(
            "import os, botocore.session\n\
             from botocore.utils import JSONFileCache\n\
             s = botocore.session.Session(profile='admin')\n\
             p = s.get_component('credential_provider').get_provider('assume-role')\n\
             p.cache = JSONFileCache('{}')\n\
             p._prompter = lambda prompt: (open('{prompted}', 'a').write(prompt), '{CODE}')[1]\n\
             c = s.get_credentials().get_frozen_credentials()\n\
             print(c.access_key)\n",
            cache.display()
        );
        let out = std::process::Command::new(python)
            .args(["-c", &script])
            .envs(home.env())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let prompted = home.path().join("prompted.txt");
    let prompted_path = prompted.display().to_string();
    botocore(&prompted_path);
    assert!(prompted.exists(), "botocore asked for a code");
    let before = proxy.mfa_requests().len();
    ok_json(&report(&home, "admin", &[], &[]).await);
    assert_eq!(
        proxy.mfa_requests().len(),
        before,
        "iamkeys used botocore's cache"
    );

    // The other way round.
    std::fs::remove_dir_all(&cache).unwrap();
    std::fs::remove_file(&prompted).unwrap();
    ok_json(&report(&home, "admin", &["--mfa-code", CODE], &[]).await);
    let before = proxy.mfa_requests().len();
    botocore(&prompted_path);
    assert!(
        !prompted.exists(),
        "botocore found iamkeys' session: no prompt"
    );
    assert_eq!(proxy.mfa_requests().len(), before);
}

/// Issue 22, "never kept": at trace level, the MFA code and the session's
/// secret key and token reach neither `iamkeys.log` nor stderr.
#[tokio::test(flavor = "multi_thread")]
async fn the_code_and_the_session_never_reach_the_log_or_stderr() {
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("dave", true, vec![true])]).await;
    let proxy = Proxy::start(moto.port).await;
    let code = "314159";
    proxy.require_mfa(code);
    let home = home(&proxy.endpoint());
    let out = tokio::process::Command::new(BIN)
        .args([
            "report",
            "--profile",
            "admin",
            "--fail-on",
            "none",
            "--mfa-code",
            code,
        ])
        .envs(home.env())
        .env("IAMKEYS_LOG", "trace")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let cache = sessions(&home, &proxy.endpoint());
    let file = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let cached: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let secret = cached["Credentials"]["SecretAccessKey"].as_str().unwrap();
    let token = cached["Credentials"]["SessionToken"].as_str().unwrap();
    let log = std::fs::read_to_string(home.log_file()).unwrap();
    assert!(log.len() > 500, "the trace log was written");
    assert!(log.contains("signed in with MFA"), "the sign-in is logged");
    for (what, text) in [
        ("the code", code),
        ("the secret", secret),
        ("the token", token),
    ] {
        assert!(!log.contains(text), "{what} is in the log");
        assert!(!stderr.contains(text), "{what} is on stderr");
    }
}

/// The UI with an MFA role profile: the code is asked in a dialog on the
/// UI's own screen (a wrong one says IAM's answer and asks again), then the
/// users load with the role's session.
#[tokio::test(flavor = "multi_thread")]
async fn the_ui_asks_for_the_code_then_loads_the_account() {
    use crate::common::home::WAIT;
    let (_moto, proxy, home) = stage(user("erin", true, vec![true])).await;
    let tui = ui(&home, &["--profile", "admin"]);
    tui.wait_for("the code dialog", WAIT, |s| {
        s.contains("Sign in") && s.contains(&format!("MFA code for {ALICE} (profile admin):"))
    });
    assert!(tui.alternate_and_cursor().0, "on the UI's own screen");
    tui.send(&["-l", "0000"]);
    tui.send(&["Enter"]);
    tui.wait_for("six digits", WAIT, |s| {
        s.contains("An MFA code is 6 digits")
    });
    tui.send(&["-l", "00"]);
    tui.send(&["Enter"]);
    tui.wait_for("the refusal, and the dialog again", WAIT, |s| {
        s.contains("MultiFactorAuthentication failed") && s.contains("Sign in")
    });
    tui.send(&["-l", CODE]);
    tui.send(&["Enter"]);
    tui.wait_for("the account's users", WAIT, |s| {
        s.contains("erin") && s.contains("account 123456789012")
    });
    let asked: Vec<String> = proxy.mfa_requests().into_iter().map(|r| r.2).collect();
    assert_eq!(asked, ["000000", CODE]);
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// `--endpoint-url` reaches the STS call of a profile that signs in with
/// MFA (the profiles here name no endpoint of their own).
#[tokio::test(flavor = "multi_thread")]
async fn the_endpoint_flag_reaches_the_sign_in() {
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("frank", false, vec![])]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.require_mfa_for(CODE, &[ADMIN_ROLE]);
    let home = home("http://127.0.0.1:9");
    let config = std::fs::read_to_string(home.path().join("aws-config")).unwrap();
    let without = config
        .lines()
        .filter(|l| !l.starts_with("endpoint_url"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(home.path().join("aws-config"), without).unwrap();
    let endpoint = proxy.endpoint();
    let json = ok_json(
        &report(
            &home,
            "admin",
            &["--mfa-code", CODE, "--endpoint-url", &endpoint],
            &[],
        )
        .await,
    );
    assert!(json["users"].to_string().contains("frank"));
    assert!(
        proxy.mfa_requests().iter().any(|r| r.0 == "AssumeRole"),
        "AssumeRole went to the flag's endpoint"
    );

    // A role profile without MFA: its AssumeRole goes there too (aws-config's
    // own role provider would ask AWS's STS: a DNS error here).
    let mut config = std::fs::read_to_string(home.path().join("aws-config")).unwrap();
    config.push_str("\n[profile plain-role]\nrole_arn = arn:aws:iam::123456789012:role/Reader\nsource_profile = base\nregion = us-east-1\n");
    std::fs::write(home.path().join("aws-config"), config).unwrap();
    let before = proxy.mfa_requests().len();
    let json = ok_json(&report(&home, "plain-role", &["--endpoint-url", &endpoint], &[]).await);
    assert!(json["users"].to_string().contains("frank"));
    let after = proxy.mfa_requests();
    assert!(
        after[before..]
            .iter()
            .any(|(action, serial, code, _)| action == "AssumeRole"
                && serial.is_empty()
                && code.is_empty()),
        "{after:?}"
    );
}

/// An `ExpiredToken` answer mid-load (the proxy's): the dialog asks for a
/// new code without leaving the screen, the read that failed is made
/// again, and the load completes.
#[tokio::test(flavor = "multi_thread")]
async fn an_expiry_mid_load_asks_again_and_the_load_completes() {
    use crate::common::home::WAIT;
    use crate::common::proxy::Fault;
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("grace", true, vec![true])]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.require_mfa(CODE);
    proxy.inject_first(Fault::Expired, &["ListUsers"]);
    let home = home(&proxy.endpoint());
    let tui = ui(&home, &["--profile", "admin"]);
    tui.wait_for("the code dialog", WAIT, |s| s.contains("Sign in"));
    tui.send(&["-l", CODE]);
    tui.send(&["Enter"]);
    tui.wait_for("the dialog again, after ExpiredToken", WAIT, |s| {
        // ListUsers is sent only once signed in; after its ExpiredToken
        // the dialog is the second one.
        s.contains("Sign in") && proxy.count("ListUsers") >= 1
    });
    tui.send(&["-l", CODE]);
    tui.send(&["Enter"]);
    tui.wait_for("the users", WAIT, |s| {
        s.contains("grace") && s.contains("account 123456789012")
    });
    assert_eq!(proxy.mfa_requests().len(), 2, "signed in twice");
    assert_eq!(proxy.count("ListUsers"), 2, "the read was made again");
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// The profile picker says each profile's kind (keys, role, role + MFA,
/// keys + MFA, SSO) and what stands between it and a session: a code
/// needed, an MFA session cached, an SSO token expired.
#[tokio::test(flavor = "multi_thread")]
async fn the_picker_shows_kinds_and_what_each_profile_needs() {
    use crate::common::home::WAIT;
    let (_moto, _proxy, home) = stage(user("heidi", false, vec![])).await;
    // An SSO profile whose cached token (SHA-1 of the session name) expired.
    let mut config = std::fs::read_to_string(home.path().join("aws-config")).unwrap();
    config.push_str(
        "\n[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    std::fs::write(home.path().join("aws-config"), config).unwrap();
    let sso = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&sso).unwrap();
    std::fs::write(
        sso.join(format!("{}.json", botocore_sha1("corp"))),
        r#"{"accessToken": "x", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    // mfa-user has a session cached; admin needs a code.
    ok_json(&report(&home, "mfa-user", &["--mfa-code", CODE], &[]).await);
    let tui = ui(&home, &["--profile", "base"]);
    tui.wait_for("the account", WAIT, |s| s.contains("heidi"));
    tui.send(&["p"]);
    let picker = tui.wait_for("the picker", WAIT, |s| {
        s.contains("AWS profiles") && s.contains("sso-dev")
    });
    for (name, words) in [
        ("admin", ["role + MFA", "code needed"]),
        ("mfa-user", ["keys + MFA", "MFA session cached"]),
        ("sso-dev", ["SSO", "SSO token expired"]),
        ("base", ["keys", "us-east-1"]),
    ] {
        assert!(
            picker
                .lines()
                .any(|l| l.contains(&format!(" {name} ")) && words.iter().all(|w| l.contains(w))),
            "{name}: {words:?} in {picker}"
        );
    }
}

/// Where iamkeys caches sessions got from `endpoint` (an override): its
/// data dir's `sessions/<SHA-1 of the URL, by Python's hashlib>`.
fn sessions(home: &Home, endpoint: &str) -> std::path::PathBuf {
    home.path()
        .join("data/iamkeys/sessions")
        .join(botocore_sha1(endpoint))
}

fn botocore_sha1(text: &str) -> String {
    let python = std::env::var("IAMKEYS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args([
            "-c",
            &format!("import hashlib; print(hashlib.sha1({text:?}.encode()).hexdigest())"),
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// An `aws login` profile (`login_session`), through aws-config's
/// `credentials-login`: a cached login token (a fixture in
/// `AWS_LOGIN_CACHE_DIRECTORY`, named by the SHA-256 of the session) signs
/// the audit in; an expired one (nothing to refresh it with here) ends with
/// the exact command: `aws login --profile <name>`.
#[tokio::test(flavor = "multi_thread")]
async fn a_login_profile_uses_its_cached_token_and_an_expired_one_says_aws_login() {
    let moto = Moto::start();
    seed(&moto.iam().await, &[user("ivan", false, vec![])]).await;
    let home = home(&moto.endpoint());
    let session = "arn:aws:iam::123456789012:user/ivan";
    let mut config = std::fs::read_to_string(home.path().join("aws-config")).unwrap();
    let console = format!(
        "\n[profile console]\nlogin_session = {session}\nregion = us-east-1\nendpoint_url = {}\n",
        moto.endpoint()
    );
    config.push_str(&console);
    std::fs::write(home.path().join("aws-config"), config).unwrap();
    let cache = home.path().join("login-cache");
    std::fs::create_dir_all(&cache).unwrap();
    let python = std::env::var("IAMKEYS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let name = std::process::Command::new(python)
        .args([
            "-c",
            &format!("import hashlib; print(hashlib.sha256({session:?}.encode()).hexdigest())"),
        ])
        .output()
        .unwrap();
    let file = cache.join(format!(
        "{}.json",
        String::from_utf8(name.stdout).unwrap().trim()
    ));
    let token = |expires: &str| {
        format!(
            r#"{{"accessToken": {{"accessKeyId": "ASIALOGINLOGIN000001", "secretAccessKey": "login-secret", "sessionToken": "login-token", "accountId": "123456789012", "expiresAt": "{expires}"}}, "tokenType": "aws_sigv4", "refreshToken": "opaque", "idToken": "x.y.z", "clientId": "arn:aws:signin:::devtools/same-device", "dpopKey": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIFDZHUzOG1Pzq+6F0mjMlOSp1syN9LRPBuHMoCFXTcXhoAoGCCqGSM49\nAwEHoUQDQgAE9qhj+KtcdHj1kVgwxWWWw++tqoh7H7UHs7oXh8jBbgF47rrYGC+t\ndjiIaHK3dBvvdE7MGj5HsepzLm3Kj91bqA==\n-----END EC PRIVATE KEY-----\n"}}"#
        )
    };
    let later = (chrono::Utc::now() + chrono::TimeDelta::hours(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    std::fs::write(&file, token(&later)).unwrap();
    let dir = cache.display().to_string();
    let env = [("AWS_LOGIN_CACHE_DIRECTORY", dir.as_str())];
    let json = ok_json(&report(&home, "console", &[], &env).await);
    assert!(json["users"].to_string().contains("ivan"), "{json}");

    // Expired, and its DPoP key unusable, so the refresh fails at once
    // (no call to a sign-in service, which moto does not have: its retries
    // could outlast the SDK's 5 s identity timeout on a busy machine).
    let expired = token("2020-01-01T00:00:00Z").replace(
        r#""dpopKey": "-----BEGIN"#,
        r#""dpopKey": "not a key", "unusedKey": "-----BEGIN"#,
    );
    std::fs::write(&file, expired).unwrap();
    let out = report(&home, "console", &[], &env).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`aws login --profile console`"), "{stderr}");
}

/// An SSO profile whose token has expired: the UI offers to run
/// `aws sso login --profile <name>` right here. `Enter` hands the terminal
/// to it (here a stand-in `aws` on `PATH` that records its arguments), then
/// the load is tried again. Without `aws` on `PATH` the dialog says so and
/// shows the command; `report` exits 2 with it.
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_sso_session_offers_aws_sso_login_here() {
    use crate::common::home::WAIT;
    let moto = Moto::start();
    let home = home(&moto.endpoint());
    let mut config = std::fs::read_to_string(home.path().join("aws-config")).unwrap();
    config.push_str(
        "\n[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\nregion = us-east-1\n\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    std::fs::write(home.path().join("aws-config"), config).unwrap();
    let sso = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&sso).unwrap();
    std::fs::write(
        sso.join(format!("{}.json", botocore_sha1("corp"))),
        r#"{"accessToken": "x", "expiresAt": "2020-01-01T00:00:00Z", "region": "us-east-1", "startUrl": "https://corp.awsapps.com/start"}"#,
    )
    .unwrap();

    let out = report(&home, "sso-dev", &[], &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`aws sso login --profile sso-dev`"),
        "{stderr}"
    );

    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = home.path().join("aws-args");
    std::fs::write(
        bin.join("aws"),
        format!(
            "#!/bin/sh\necho \"$@\" >> {}\necho fake aws ran\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(bin.join("aws"), std::fs::Permissions::from_mode(0o755)).unwrap();
    // tmux gives a pane its own PATH: set it on the program's command line.
    let path = format!("PATH={}:/usr/bin:/bin", bin.display());
    let tui = ui_with_path(&home, &path, &["--profile", "sso-dev"]);
    tui.wait_for("the sign-in dialog", WAIT, |s| {
        s.contains("Sign in again") && s.contains("aws sso login --profile sso-dev")
    });
    tui.send(&["Enter"]);
    let deadline = std::time::Instant::now() + WAIT;
    while !record.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    assert_eq!(
        std::fs::read_to_string(&record).unwrap().trim(),
        "sso login --profile sso-dev"
    );
    // Still expired (the stand-in signs nothing in): asked again, on the
    // UI's screen.
    let again = tui.wait_for("the dialog again", WAIT, |s| s.contains("Sign in again"));
    assert!(tui.alternate_and_cursor().0);
    // Issue 38 item 12: the status no longer says it is running.
    assert!(!again.contains("Running `aws"), "{again}");

    // A sign-in that fails: its own error stays readable until Enter.
    std::fs::write(
        bin.join("aws"),
        "#!/bin/sh
echo 'Error: the SSO authorization was denied' >&2
exit 1
",
    )
    .unwrap();
    tui.send(&["Enter"]);
    let failed = tui.wait_for("the CLI's own error", WAIT, |s| {
        s.contains("the SSO authorization was denied") && s.contains("Press Enter")
    });
    assert!(
        !tui.alternate_and_cursor().0,
        "the shell's screen: {failed}"
    );
    tui.send(&["Enter"]);
    let back = tui.wait_for("the dialog, after the failure", WAIT, |s| {
        s.contains("Sign in again") && s.contains("ended with")
    });
    assert!(!back.contains("Running `aws"), "{back}");
    tui.send(&["Escape"]);
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));

    // No `aws` on PATH: said, with the command.
    let tui = ui_with_path(&home, "PATH=/usr/bin:/bin", &["--profile", "sso-dev"]);
    tui.wait_for("the sign-in dialog", WAIT, |s| s.contains("Sign in again"));
    tui.send(&["Enter"]);
    tui.wait_for("not on PATH", WAIT, |s| {
        s.contains("is not on PATH") && s.contains("aws sso login --profile sso-dev")
    });
}

/// `--org` from an MFA role profile: the base session's code is asked once,
/// and every member's role session is assumed from it (no code each).
#[tokio::test(flavor = "multi_thread")]
async fn an_organization_from_an_mfa_profile_asks_one_code() {
    let moto = Moto::start();
    let org = crate::common::org::organization(&moto, &["alpha", "beta"]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.require_mfa_for(CODE, &[ADMIN_ROLE]);
    let home = home(&proxy.endpoint());
    // Member sessions carry no code: only the base session's call must.
    let out = run_report(
        &home,
        &[
            "--org",
            "--profile",
            "admin",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--mfa-code",
            CODE,
        ],
        &[],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let asked = proxy.mfa_requests();
    let with_code: Vec<_> = asked.iter().filter(|r| !r.2.is_empty()).collect();
    assert_eq!(
        with_code.len(),
        1,
        "one code for the whole organization: {asked:?}"
    );
    assert_eq!(with_code[0].1, ALICE);
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    for name in ["alpha", "beta"] {
        let id = org.id(name);
        let entry = json["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account_id"] == id.as_str())
            .unwrap();
        assert!(
            entry["error"].is_null(),
            "{name} audited from the base session: {entry}"
        );
    }
}

/// `report --profiles` over two roles behind one MFA device: one code for
/// the run (`GetSessionToken`), each role assumed from that session (whose
/// requests carry `aws:MultiFactorAuthPresent`, as the proxy models it).
#[tokio::test(flavor = "multi_thread")]
async fn several_profiles_on_one_device_ask_one_code() {
    let (_moto, proxy, home) = stage(user("judy", false, vec![])).await;
    let mut config = std::fs::read_to_string(home.path().join("aws-config")).unwrap();
    let admin2 = format!(
        "\n[profile admin2]\nrole_arn = arn:aws:iam::123456789012:role/Admin2\nsource_profile = base\nmfa_serial = {ALICE}\nregion = us-east-1\nendpoint_url = {}\n",
        proxy.endpoint()
    );
    config.push_str(&admin2);
    std::fs::write(home.path().join("aws-config"), config).unwrap();
    let out = run_report(
        &home,
        &[
            "--profiles",
            "admin,admin2",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--mfa-code",
            CODE,
        ],
        &[],
    )
    .await;
    let json = ok_json(&out);
    assert_eq!(json["accounts"].as_array().unwrap().len(), 2, "{json}");
    let asked = proxy.mfa_requests();
    let coded: Vec<&str> = asked
        .iter()
        .filter(|r| !r.2.is_empty())
        .map(|r| r.0.as_str())
        .collect();
    assert_eq!(
        coded,
        ["GetSessionToken"],
        "one code for one device: {asked:?}"
    );
    assert_eq!(
        asked.iter().filter(|r| r.0 == "AssumeRole").count(),
        2,
        "each role from the session: {asked:?}"
    );
}

/// Switching (`p`) to a profile that needs a code: the dialog asks for it
/// in place; `Esc` goes back to the picker (the previous profile stays);
/// the code then switches to the role's account.
#[tokio::test(flavor = "multi_thread")]
async fn switching_to_an_mfa_profile_asks_in_place() {
    use crate::common::home::WAIT;
    let (_moto, _proxy, home) = stage(user("ken", false, vec![])).await;
    let tui = ui(&home, &["--profile", "base"]);
    tui.wait_for("profile base", WAIT, |s| {
        s.contains("ken") && s.contains("profile base")
    });
    let choose_admin = || {
        tui.send(&["p"]);
        tui.wait_for("the picker", WAIT, |s| {
            s.contains("AWS profiles") && s.contains("role + MFA")
        });
        tui.send(&["-l", "admin"]);
        tui.send(&["Enter"]);
        tui.wait_for("the code dialog", WAIT, |s| {
            s.contains("Sign in") && s.contains("(profile admin)")
        });
    };
    choose_admin();
    tui.send(&["Escape"]);
    tui.wait_for("back to the picker, still on base", WAIT, |s| {
        s.contains("AWS profiles") && s.contains("still using base")
    });
    tui.send(&["Escape"]);
    tui.wait_for("the picker closed", WAIT, |s| !s.contains("AWS profiles"));
    choose_admin();
    tui.send(&["-l", CODE]);
    tui.send(&["Enter"]);
    tui.wait_for("the role's session", WAIT, |s| {
        s.contains("profile admin") && s.contains("assumed-role/Admin") && s.contains("ken")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// `report` on a terminal without `--mfa-code`: asked on stderr, the code
/// read from the terminal, then the report.
#[tokio::test(flavor = "multi_thread")]
async fn report_on_a_terminal_asks_for_the_code() {
    use crate::common::home::WAIT;
    let (_moto, _proxy, home) = stage(user("lena", false, vec![])).await;
    let tui = ui(
        &home,
        &["report", "--profile", "admin", "--fail-on", "none"],
    );
    tui.wait_for("the prompt", WAIT, |s| {
        s.contains(&format!("MFA code for {ALICE} (profile admin):"))
    });
    tui.send(&["-l", CODE]);
    tui.send(&["Enter"]);
    assert_eq!(tui.exit_status(WAIT), Some(0), "{}", tui.screen());
    let screen = tui.screen();
    assert!(screen.contains("1 users"), "{screen}");
    let prompt = screen
        .lines()
        .find(|l| l.starts_with("MFA code for"))
        .unwrap();
    assert!(
        prompt.trim_end().ends_with("(profile admin):"),
        "the code is not echoed: {prompt}"
    );
}
