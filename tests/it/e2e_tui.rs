//! End to end: the real `iamkeys` binary in a pseudo-terminal (tmux), talking
//! to moto through a profile of a test AWS config file.

use std::path::Path;

use crate::common::moto::{Moto, seed, standard_users};
use crate::common::tmux::Tmux;

use crate::common::home::{BIN, Home, WAIT, key_ids};

#[tokio::test(flavor = "multi_thread")]
async fn browse_to_a_user_and_read_their_keys_off_the_screen() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let home = Home::new(&moto.endpoint());
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 120, 40);
    let screen = tui.wait_for("all users listed", WAIT, |s| {
        s.contains("Users (5)") && s.contains("erin") && s.contains("account 123456789012")
    });
    assert!(screen.contains("profile e2e"), "{screen}");
    assert!(
        screen.contains("123456789012"),
        "account ID from sts: {screen}"
    );
    // alice, bob, carol...: two steps down is carol, who has two keys.
    tui.send(&["j", "Down"]);
    let screen = tui.wait_for("carol's two keys", WAIT, |s| {
        s.contains("Access keys of carol") && key_ids(s).len() == 2
    });
    let server = iam
        .list_access_keys()
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let mut expected: Vec<String> = server
        .access_key_metadata()
        .iter()
        .filter_map(|k| k.access_key_id().map(ToOwned::to_owned))
        .collect();
    expected.sort();
    assert_eq!(key_ids(&screen), expected);
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    assert!(home.log_file().exists(), "the log goes to the data dir");
}

#[tokio::test(flavor = "multi_thread")]
async fn help_overlay_and_focus_in_the_real_terminal() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let home = Home::new(&moto.endpoint());
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &home.env(), 120, 40);
    tui.wait_for("users", WAIT, |s| s.contains("Users (5)"));
    tui.send(&["?"]);
    tui.wait_for("help", WAIT, |s| s.contains("cycle the sort column"));
    tui.send(&["Escape"]);
    tui.wait_for("help closed", WAIT, |s| {
        !s.contains("cycle the sort column")
    });
    tui.send(&["C-c"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

#[test]
fn an_unreachable_endpoint_is_explained_and_the_ui_stays_up() {
    // An endpoint that accepts each connection and drops it at once,
    // counting them: the only way to tell that `r` really tried again.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    let home = Home::new(&endpoint);
    std::fs::write(home.path().join("fast.toml"), "max_attempts = 1\n").unwrap();
    let config = home.path().join("fast.toml").display().to_string();
    let tui = Tmux::start(
        Path::new(BIN),
        &["--profile", "e2e", "--config", &config],
        &home.env(),
        120,
        30,
    );
    tui.wait_for("the network error", WAIT, |s| {
        s.contains("Cannot reach the IAM endpoint")
    });
    let before = connections.load(std::sync::atomic::Ordering::SeqCst);
    assert!(before > 0);
    tui.send(&["r"]);
    tui.wait_for("the retry to fail the same way", WAIT, |s| {
        connections.load(std::sync::atomic::Ordering::SeqCst) > before
            && s.contains("Cannot reach the IAM endpoint")
    });
    tui.send(&["j"]);
    tui.send(&["q"]);
    let status = tui.exit_status(WAIT);
    assert_eq!(
        status,
        Some(0),
        "still running until q; screen:\n{}",
        tui.screen()
    );
}

#[test]
fn the_demo_runs_without_any_aws_setup() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 120, 40);
    // The selected user's keys come a moment after the users (the demo
    // answers with latency): wait for both, then read the screen.
    let screen = tui.wait_for("the demo account and a key", WAIT, |s| {
        s.contains("DEMO") && s.contains("Users (36)") && s.contains("AKIADEMO")
    });
    assert!(screen.contains("account 123456789012"), "{screen}");
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

#[test]
fn a_panic_restores_the_terminal_before_the_report() {
    let home = Home::new("http://127.0.0.1:9");
    let mut env = home.env();
    env.push(("IAMKEYS_TEST_PANIC", "1".into()));
    env.push(("RUST_BACKTRACE", "0".into()));
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &env, 120, 40);
    tui.wait_for("the demo", WAIT, |s| s.contains("Users (36)"));
    assert_eq!(
        tui.alternate_and_cursor(),
        (true, false),
        "the UI is drawing"
    );
    tui.send(&["P"]);
    assert_eq!(tui.exit_status(WAIT), Some(101), "a panic exits 101");
    let screen = tui.screen();
    assert!(screen.contains("The application panicked"), "{screen}");
    assert!(screen.contains("test panic requested"), "{screen}");
    assert!(!screen.contains("Users (36)"), "the UI is gone: {screen}");
    assert_eq!(
        tui.alternate_and_cursor(),
        (false, true),
        "alternate screen left, cursor shown"
    );
    assert_eq!(tui.tty_mode().as_deref(), Some("cooked"), "raw mode off");
}

#[test]
fn quitting_leaves_the_terminal_as_it_was() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 120, 40);
    tui.wait_for("the demo", WAIT, |s| s.contains("Users (36)"));
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    assert_eq!(tui.alternate_and_cursor(), (false, true));
    assert_eq!(tui.tty_mode().as_deref(), Some("cooked"));
}

#[test]
fn help_and_version_flags() {
    let out = std::process::Command::new(BIN)
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("iamkeys "));
    let out = std::process::Command::new(BIN)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--profile",
        "--endpoint-url",
        "--config",
        "--read-only",
        "--demo",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help");
    }
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let out = std::process::Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("iamkeys") && text.contains("profile") && text.contains("report"),
            "{shell}"
        );
    }
    let out = std::process::Command::new(BIN).arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH iamkeys"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("read\\-only") || page.contains("read-only"));
}

#[test]
fn filter_by_an_access_key_id_lands_on_its_user() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 140, 40);
    tui.wait_for("the demo", WAIT, |s| {
        s.contains("Users (36)") && !Tmux::still_loading(s)
    });
    // svc-dave-03's second key in the demo.
    tui.send(&["/"]);
    tui.send(&["-l", "akiademo000000000007"]);
    let screen = tui.wait_for("one user", WAIT, |s| s.contains("Users (1 of 36)"));
    assert!(screen.contains("Access keys of svc-dave-03"), "{screen}");
    tui.send(&["Enter", "Tab"]);
    tui.send(&["d"]);
    tui.wait_for("the delete dialog for that very key", WAIT, |s| {
        s.contains("Delete access key AKIADEMO000000000007")
            || s.contains("AKIADEMO000000000007 is Active")
    });
    tui.send(&["Escape", "q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 23 items 1 and 4, as the walk-through found them at 100×30:
/// `/svc-ivan-08`, `Enter`, `Tab` shows the user's keys with the selected
/// one marked `›`; the old key of the rotation, still used after the new
/// key's first use, is advised to wait, and `i` warns with the focus on
/// Cancel, so `Enter` changes nothing.
#[test]
fn a_narrow_terminal_shows_the_keys_and_the_rotation_says_wait() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 100, 30);
    tui.wait_for("the demo", WAIT, |s| s.contains("Users (36)"));
    tui.send(&["/"]);
    tui.send(&["-l", "svc-ivan-08"]);
    tui.wait_for("one user", WAIT, |s| s.contains("Users (1 of 36)"));
    tui.send(&["Enter", "Tab"]);
    let screen = tui.wait_for("the keys, the first selected", WAIT, |s| {
        s.contains("› AKIADEMO")
    });
    println!("{screen}");
    let ids = key_ids(&screen);
    assert_eq!(ids.len(), 2, "both keys on screen: {ids:?}\n{screen}");
    assert!(screen.contains("still used"), "{screen}");
    assert!(screen.contains("wait"), "{screen}");
    assert!(!screen.contains("make this key inactive next"), "{screen}");
    // The old key is the selected one (the first); `i` warns.
    let old = screen
        .lines()
        .find(|l| l.contains("› AKIADEMO"))
        .and_then(|l| key_ids(l).into_iter().next())
        .unwrap();
    assert!(screen.contains(&format!("replaces {old}")), "{screen}");
    tui.send(&["i"]);
    let dialog = tui.wait_for("the make-inactive dialog", WAIT, |s| {
        s.contains("Make this key inactive?")
    });
    println!("{dialog}");
    assert!(dialog.contains("still used"), "the dialog warns: {dialog}");
    tui.send(&["Enter"]);
    let after = tui.wait_for("the dialog closed", WAIT, |s| {
        !s.contains("Make this key inactive?")
    });
    let line = after
        .lines()
        .find(|l| l.contains(&old) && !l.contains("replaces"))
        .unwrap_or_default();
    assert!(
        line.contains("Active") && !line.contains("Inactive"),
        "Enter pressed Cancel: {after}"
    );
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 23 item 8: the demo's changes are recorded in a demo audit log
/// of its own, never in the real audit log (even one set in the config).
#[test]
fn the_demo_records_its_changes_in_a_log_of_its_own() {
    let home = Home::new("http://127.0.0.1:9");
    let real = home.path().join("real-audit.jsonl");
    std::fs::create_dir_all(home.path().join("config/iamkeys")).unwrap();
    std::fs::write(
        home.path().join("config/iamkeys/config.toml"),
        format!("audit_log = \"{}\"\n", real.display()),
    )
    .unwrap();
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 120, 40);
    tui.wait_for("the demo", WAIT, |s| s.contains("Users (36)"));
    tui.send(&["/"]);
    tui.send(&["-l", "alice.00"]);
    tui.send(&["Enter", "Tab", "i"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Make this key inactive?")
    });
    tui.send(&["y"]);
    tui.wait_for("the key inactive", WAIT, |s| {
        s.contains("Inactive") && !s.contains("Make this key inactive?")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    let demo = std::fs::read_to_string(home.path().join("data/iamkeys/demo-audit.jsonl"))
        .expect("the demo's own audit log");
    assert!(
        demo.contains("UpdateAccessKey") || demo.contains("update_access_key"),
        "{demo}"
    );
    for path in [real, home.path().join("data/iamkeys/audit.jsonl")] {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(text.is_empty(), "{} has demo lines: {text}", path.display());
    }
}

/// Issue 33 item 1: the demo never leaves the demo. With a real profile
/// (`e2e`) configured, `:profile ` + Tab completes no profile, `:profile
/// e2e` and `p` say the demo has none, and nothing ever connects to the
/// profile's endpoint (a listener counts every connection); the `DEMO`
/// badge stays and the real audit log gets no line.
#[test]
fn the_demo_never_reaches_a_real_profile() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(stream);
        }
    });
    let home = Home::new(&endpoint);
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 120, 40);
    tui.wait_for("the demo", WAIT, |s| s.contains("Users (36)"));
    tui.send(&[":"]);
    tui.send(&["-l", "profile "]);
    tui.send(&["Tab"]);
    let answer = tui.wait_for("the demo's answer to completion", WAIT, |s| {
        s.contains("The demo has no AWS profiles")
    });
    assert!(!answer.contains("e2e"), "{answer}");
    tui.send(&["Escape", ":"]);
    tui.send(&["-l", "profile e2e"]);
    tui.send(&["Enter"]);
    let screen = tui.wait_for("the switch refused", WAIT, |s| {
        s.contains("The demo has no AWS profiles") && !s.contains(":profile e2e")
    });
    assert!(screen.contains("DEMO"), "{screen}");
    tui.send(&["Escape"]);
    tui.wait_for("the notice gone", WAIT, |s| {
        !s.contains("The demo has no AWS profiles")
    });
    tui.send(&["p"]);
    tui.wait_for("p refused", WAIT, |s| {
        s.contains("The demo has no AWS profiles")
    });
    // A change after all that is the demo's, recorded in the demo's log.
    tui.send(&["Escape", "/"]);
    tui.send(&["-l", "alice.00"]);
    tui.send(&["Enter", "Tab", "i"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Make this key inactive?")
    });
    tui.send(&["y"]);
    let screen = tui.wait_for("the key inactive", WAIT, |s| {
        s.contains("Inactive") && !s.contains("Make this key inactive?")
    });
    assert!(screen.contains("DEMO"), "{screen}");
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the demo connected to the real profile's endpoint"
    );
    let real =
        std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap_or_default();
    assert!(real.is_empty(), "the real audit log has demo lines: {real}");
    let demo = std::fs::read_to_string(home.path().join("data/iamkeys/demo-audit.jsonl"))
        .expect("the demo's own audit log");
    assert!(demo.contains("alice.00"), "{demo}");
}

/// Issue 33 item 2: a profile picked in the UI is the profile used. With
/// the environment's keys exported, picking `nocreds` (a profile with no
/// credentials) fails naming it; it never says "Switched" on the
/// environment's keys, and the header keeps the profile in use.
#[tokio::test(flavor = "multi_thread")]
async fn a_picked_profile_ignores_the_environments_keys() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let home = Home::new(&moto.endpoint());
    std::fs::write(
        home.path().join("aws-config"),
        format!(
            "[profile e2e]\nregion = us-east-1\nendpoint_url = {0}\n\n[profile nocreds]\nregion = us-east-1\nendpoint_url = {0}\n",
            moto.endpoint()
        ),
    )
    .unwrap();
    let mut env = home.env();
    env.push(("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001".into()));
    env.push(("AWS_SECRET_ACCESS_KEY", "environment-secret".into()));
    let tui = Tmux::start(Path::new(BIN), &["--profile", "e2e"], &env, 120, 40);
    tui.wait_for("users", WAIT, |s| {
        s.contains("Users (5)") && s.contains("profile e2e")
    });
    tui.send(&["p"]);
    tui.wait_for("the picker", WAIT, |s| {
        s.contains("AWS profiles") && s.contains("nocreds")
    });
    tui.send(&["-l", "nocreds"]);
    tui.send(&["Enter"]);
    let screen = tui.wait_for("the switch to fail", WAIT, |s| {
        s.contains("No credentials found for profile 'nocreds'")
    });
    assert!(!screen.contains("Switched to profile nocreds"), "{screen}");
    assert!(screen.contains("profile e2e"), "{screen}");
    tui.send(&["Escape", "Escape", "q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0), "{}", tui.screen());
}

/// Issue 27: `o` in the real binary runs `$BROWSER` (here a script that
/// records its argument) with the selected user's console page; `O` puts
/// the same link on the clipboard (said on screen).
#[test]
fn o_runs_the_browser_with_the_users_console_page() {
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new("http://127.0.0.1:9");
    let opened = home.path().join("opened.txt");
    let script = home.path().join("browser.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}.part' && mv '{0}.part' '{0}'\n",
            opened.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut env = home.env();
    env.push(("BROWSER", script.display().to_string()));
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &env, 140, 40);
    tui.wait_for("the demo", WAIT, |s| {
        s.contains("Users (36)") && !Tmux::still_loading(s)
    });
    tui.send(&["/"]);
    tui.send(&["-l", "alice.18"]);
    tui.send(&["Enter"]);
    tui.wait_for("one user", WAIT, |s| s.contains("Users (1 of 36)"));
    tui.send(&["o"]);
    let deadline = std::time::Instant::now() + WAIT;
    while !opened.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the browser never ran"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap(),
        "https://console.aws.amazon.com/iam/home#/users/details/alice.18\n"
    );
    tui.send(&["O"]);
    tui.wait_for("the copy said", WAIT, |s| {
        s.contains("Copied the console link")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 27: in the real binary, `:filter` then `:export FILE.csv` writes
/// the rows on screen exactly as `iamkeys report --format csv` writes them,
/// filtered the same way.
#[test]
fn colon_export_equals_the_report_filtered_the_same_way() {
    let home = Home::new("http://127.0.0.1:9");
    let file = home.path().join("carol.csv");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 140, 40);
    tui.wait_for("the demo", WAIT, |s| {
        s.contains("Users (36)") && !Tmux::still_loading(s)
    });
    tui.send(&[":"]);
    tui.send(&["-l", "filter svc-carol"]);
    tui.send(&["Enter"]);
    tui.wait_for("the filter", WAIT, |s| s.contains("Users (4 of 36)"));
    tui.send(&[":"]);
    tui.send(&["-l", &format!("export {}", file.display())]);
    tui.send(&["Enter"]);
    tui.wait_for("the export", WAIT, |s| {
        s.contains("Exported ") && s.contains(" of 4 users to")
    });
    // Issue 38 item 12: `~` is the home directory.
    tui.send(&[":"]);
    tui.send(&["-l", "export ~/tilde.csv"]);
    tui.send(&["Enter"]);
    tui.wait_for("the export to ~", WAIT, |s| s.contains("tilde.csv"));
    tui.wait_for("written", WAIT, |_| home.path().join("tilde.csv").exists());
    // Issue 33 item 10: a new file is 0600 (it names users and keys).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // An existing file is not replaced without `!`, and keeps its mode with it.
    let kept = home.path().join("kept.csv");
    std::fs::write(&kept, "precious\n").unwrap();
    #[cfg(unix)]
    std::fs::set_permissions(&kept, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    tui.send(&[":"]);
    tui.send(&["-l", &format!("export {}", kept.display())]);
    tui.send(&["Enter"]);
    tui.wait_for("the refusal", WAIT, |s| s.contains("it exists; :export!"));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "precious\n");
    tui.send(&[":"]);
    tui.send(&["-l", &format!("export! {}", kept.display())]);
    tui.send(&["Enter"]);
    tui.wait_for("the replacement", WAIT, |s| {
        s.contains("Exported 8 finding rows of 4 users to") && s.contains("kept.csv")
    });
    assert_ne!(std::fs::read_to_string(&kept).unwrap(), "precious\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the file keeps its mode");
    }
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
    let exported = std::fs::read_to_string(&file).unwrap();
    let report = std::process::Command::new(BIN)
        .args(["report", "--demo", "--format", "csv"])
        .envs(home.env())
        .output()
        .unwrap();
    let report = String::from_utf8(report.stdout).unwrap();
    let mut lines = report.lines();
    let mut expected = vec![lines.next().unwrap().to_owned()];
    expected.extend(
        lines
            .filter(|l| {
                l.split(',')
                    .nth(7)
                    .is_some_and(|u| u.starts_with("svc-carol"))
            })
            .map(ToOwned::to_owned),
    );
    let mut got: Vec<&str> = exported.lines().collect();
    let mut want: Vec<&str> = expected.iter().map(String::as_str).collect();
    // The same header first; the same rows (the export in the screen's
    // order, the report in its own).
    assert_eq!(got.first(), want.first());
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "{exported}\n---\n{report}");
}

/// Issue 38 item 2: after README step 4 (`i`, `y` on alice.00's never-used
/// key), `u` counts none of iamkeys' own writes as the key's use, "made by"
/// is dated the day the key was made, and the delete dialog never says
/// both "never used" and "used".
#[test]
fn the_usage_view_counts_no_write_of_iamkeys_as_the_keys_use() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 140, 45);
    tui.wait_for("the demo", WAIT, |s| {
        s.contains("Users (36)") && !Tmux::still_loading(s)
    });
    tui.send(&["/"]);
    tui.send(&["-l", "alice.00"]);
    tui.send(&["Enter", "Enter"]);
    let pane = tui.wait_for("her key", WAIT, |s| s.contains("› AKIADEMO"));
    let created = pane
        .lines()
        .find_map(|l| {
            let at = l.find("created 20")?;
            Some(l[at + 8..at + 18].to_owned())
        })
        .expect("the key's created date");
    tui.send(&["i"]);
    tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Make this key inactive?")
    });
    tui.send(&["y"]);
    tui.wait_for("the key inactive", WAIT, |s| {
        s.contains("Inactive") && !s.contains("Make this key inactive?")
    });
    tui.send(&["u"]);
    let view = tui.wait_for("the usage view", WAIT, |s| {
        s.contains("Made by:") && !s.contains("reading…") && !s.contains("looking…")
    });
    assert!(!view.contains("TagUser"), "{view}");
    assert!(!view.contains("UpdateAccessKey"), "{view}");
    assert!(view.contains("0 events"), "never used: {view}");
    let made = view
        .lines()
        .find_map(|l| {
            let at = l.find(" on 20")?;
            Some(l[at + 4..at + 14].to_owned())
        })
        .expect("made-by date");
    assert_eq!(made, created, "{view}");
    tui.send(&["Escape", "d"]);
    let dialog = tui.wait_for("the delete dialog", WAIT, |s| {
        s.contains("type its ID") || s.contains("Type")
    });
    assert!(
        !(dialog.contains("never used") && dialog.contains("CloudTrail: used")),
        "{dialog}"
    );
    tui.send(&["Escape", "q"]);
}
