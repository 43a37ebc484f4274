//! Bad input, each tried on the real binary: a clear message naming the fix,
//! exit code 2 where the program stops, and nothing lost. Each case prints
//! what it got (`--no-capture` shows them).

use std::path::Path;
use std::process::{Command, Output};

use crate::common::home::{BIN, Home, WAIT};
use crate::common::tmux::Tmux;

/// One bad start-up: what is wrong, how to cause it, what stderr must say.
struct Case {
    what: &'static str,
    args: Vec<String>,
    /// Files to write under the home first: (name, bytes).
    files: Vec<(&'static str, Vec<u8>)>,
    /// Directories to make under the home first.
    dirs: Vec<&'static str>,
    /// Environment to set, `{home}` replaced by the home's path.
    env: Vec<(&'static str, &'static str)>,
    said: Vec<&'static str>,
}

fn case(what: &'static str, args: &[&str], said: &[&'static str]) -> Case {
    Case {
        what,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        files: Vec::new(),
        dirs: Vec::new(),
        env: Vec::new(),
        said: said.to_vec(),
    }
}

impl Case {
    fn file(mut self, name: &'static str, bytes: &[u8]) -> Self {
        self.files.push((name, bytes.to_vec()));
        self
    }

    fn dir(mut self, name: &'static str) -> Self {
        self.dirs.push(name);
        self
    }

    fn env(mut self, key: &'static str, value: &'static str) -> Self {
        self.env.push((key, value));
        self
    }

    fn run(&self, home: &Home) -> Output {
        let root = home.path().display().to_string();
        for (name, bytes) in &self.files {
            std::fs::write(home.path().join(name), bytes).unwrap();
        }
        for name in &self.dirs {
            std::fs::create_dir_all(home.path().join(name)).unwrap();
        }
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| a.replace("{home}", &root))
            .collect();
        Command::new(BIN)
            .args(&args)
            .envs(home.env())
            .envs(
                self.env
                    .iter()
                    .map(|(k, v)| (*k, v.replace("{home}", &root))),
            )
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }
}

/// Every file under `dir`, with its bytes, to prove nothing was changed.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.ends_with("iamkeys.log") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_bad_start_up_input_exits_2_and_names_the_fix() {
    let cases = vec![
        case(
            "config: TOML syntax error",
            &["--config", "{home}/bad.toml", "report"],
            &["{home}/bad.toml", "line 2"],
        )
        .file("bad.toml", b"concurrency = 4\nlog_level = \n"),
        case(
            "config: unknown key",
            &["--config", "{home}/bad.toml", "report"],
            &["{home}/bad.toml", "line 2", "concurency"],
        )
        .file("bad.toml", b"concurrency = 4\nconcurency = 8\n"),
        case(
            "config: wrong type",
            &["--config", "{home}/bad.toml", "report"],
            &["{home}/bad.toml", "line 1", "concurrency"],
        )
        .file("bad.toml", b"concurrency = \"many\"\n"),
        case(
            "config: value out of range",
            &["--config", "{home}/bad.toml", "report"],
            &["{home}/bad.toml", "concurrency", "1 to 64"],
        )
        .file("bad.toml", b"concurrency = 1000\n"),
        case(
            "config: a dialog's answer bound to a change",
            &["--config", "{home}/bad.toml", "report"],
            &["`y` cannot open `delete`", "double tap"],
        )
        .file("bad.toml", b"[keybindings]\ndelete = [\"y\"]\n"),
        case(
            "config: unknown command in [keybindings]",
            &["--config", "{home}/bad.toml", "report"],
            &["{home}/bad.toml", "explode"],
        )
        .file("bad.toml", b"[keybindings]\nexplode = [\"x\"]\n"),
        case(
            "config: file named with --config does not exist",
            &["--config", "{home}/missing.toml", "report"],
            &[
                "cannot read config file {home}/missing.toml",
                "No such file",
            ],
        ),
        case(
            "unknown profile",
            &["--profile", "nope", "report"],
            &["unknown profile 'nope'", "profiles that exist: e2e"],
        ),
        case(
            "unknown profile in AWS_PROFILE, for the UI",
            &[],
            &["unknown profile 'ghost' (from AWS_PROFILE)", "e2e"],
        )
        .env("AWS_PROFILE", "ghost"),
        case(
            "AWS config file is a directory (unreadable)",
            &["--profile", "e2e", "report"],
            &[
                "the AWS config file {home}/aws-dir is not a regular file",
                "AWS_CONFIG_FILE",
            ],
        )
        .dir("aws-dir")
        .env("AWS_CONFIG_FILE", "{home}/aws-dir"),
        case(
            "AWS config file is not text",
            &["report"],
            &["AWS config file {home}/aws-binary is not UTF-8 text"],
        )
        .file("aws-binary", b"\xff\xfe[profile e2e]\n")
        .env("AWS_CONFIG_FILE", "{home}/aws-binary"),
        case(
            "AWS config file with a syntax error",
            &["--profile", "e2e", "report"],
            &[
                "{home}/aws-broken on line 1",
                "Profile definition must end with ']'",
            ],
        )
        .file("aws-broken", b"[profile e2e\nregion = us-east-1\n")
        .env("AWS_CONFIG_FILE", "{home}/aws-broken"),
        case(
            "AWS credentials file unreadable",
            &["--profile", "e2e", "report"],
            &["the AWS credentials file {home}/creds-dir is not a regular file"],
        )
        .dir("creds-dir")
        .env("AWS_SHARED_CREDENTIALS_FILE", "{home}/creds-dir"),
        case(
            "unknown flag",
            &["--no-such-flag"],
            &["unexpected argument '--no-such-flag'"],
        ),
        case(
            "report format that does not exist",
            &["report", "--format", "xml"],
            &["invalid value 'xml'", "table, json, csv"],
        ),
        case(
            "--fail-on that is no severity or finding id",
            &["report", "--fail-on", "sometimes"],
            &["`sometimes` is not a finding id", "initial_setup_key"],
        ),
        case(
            "endpoint URL without a scheme",
            &["--endpoint-url", "127.0.0.1:5000", "report"],
            &["must start with http:// or https://"],
        ),
        case(
            "completions for an unknown shell",
            &["completions", "tcsh"],
            &["invalid value 'tcsh'", "bash"],
        ),
        case(
            "the UI with stdout not a terminal",
            &["--profile", "e2e"],
            &["stdout is not a terminal", "iamkeys report"],
        ),
    ];
    for case in &cases {
        let home = Home::new("http://127.0.0.1:9");
        let before = snapshot(home.path());
        let out = case.run(&home);
        let stderr = String::from_utf8_lossy(&out.stderr);
        println!("{}:\n  {}", case.what, stderr.trim().replace('\n', "\n  "));
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", case.what);
        assert!(out.stdout.is_empty(), "{}", case.what);
        let root = home.path().display().to_string();
        for said in &case.said {
            let said = said.replace("{home}", &root);
            assert!(
                stderr.contains(&said),
                "{}: {said:?} not in {stderr}",
                case.what
            );
        }
        // Nothing written, nothing changed (the log file aside).
        let after: Vec<_> = snapshot(home.path())
            .into_iter()
            .filter(|(p, _)| !case.files.iter().any(|(n, _)| p.ends_with(n)))
            .collect();
        let before: Vec<_> = before
            .into_iter()
            .filter(|(p, _)| !case.files.iter().any(|(n, _)| p.ends_with(n)))
            .collect();
        assert_eq!(after, before, "{}", case.what);
    }
}

#[test]
fn a_terminal_too_small_gets_a_notice_and_the_ui_comes_back() {
    let home = Home::new("http://127.0.0.1:9");
    let tui = Tmux::start(Path::new(BIN), &["--demo"], &home.env(), 120, 40);
    tui.wait_for("the demo account", WAIT, |s| s.contains("Users (36)"));
    tui.resize(30, 6);
    let screen = tui.wait_for("the notice", WAIT, |s| s.contains("Terminal too"));
    println!("30×6:\n{screen}");
    tui.resize(120, 40);
    tui.wait_for("the UI again", WAIT, |s| s.contains("Users (36)"));
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0), "no panic, a clean exit");
}

/// A fake instance metadata service that refuses everything (as a host
/// without IMDS, or a proxy that denies it, does): counts the requests.
async fn refusing_imds() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0_u8; 4096];
                let _ = socket.read(&mut buf).await;
                let body = "resolve_deny: denied destination";
                let _ = socket
                    .write_all(
                        format!(
                            "HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .await;
            });
        }
    });
    (port, count)
}

/// Issue 23 item 3: a profile with only a region, on a host whose instance
/// metadata refuses: one line says no credentials were found and what to
/// do; no SDK or IMDS text, no "rejected", no count of findings, no root
/// row, and nothing asked again by itself.
#[tokio::test(flavor = "multi_thread")]
async fn no_credentials_at_all_is_said_in_one_line_and_not_retried() {
    let (port, imds) = refusing_imds().await;
    let home = Home::new("http://127.0.0.1:9");
    std::fs::write(
        home.path().join("aws-config"),
        "[profile bare]\nregion = eu-west-1\n",
    )
    .unwrap();
    std::fs::write(home.path().join("aws-credentials"), "").unwrap();
    let mut env: Vec<(&str, String)> = home
        .env()
        .into_iter()
        .filter(|(k, _)| *k != "AWS_EC2_METADATA_DISABLED")
        .collect();
    env.push((
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        format!("http://127.0.0.1:{port}"),
    ));
    let tui = Tmux::start(Path::new(BIN), &["--profile", "bare"], &env, 120, 30);
    let screen = tui.wait_for("the missing credentials", WAIT, |s| {
        s.contains("No credentials found for profile 'bare'")
    });
    println!("{screen}");
    for never in [
        "rejected",
        "IMDS",
        "imds",
        "403",
        "resolve_deny",
        "<root account>",
        "backing off",
    ] {
        assert!(!screen.contains(never), "{never:?} on screen:\n{screen}");
    }
    assert!(screen.contains("Findings: —"), "{screen}");
    let asked = imds.load(std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_secs(4));
    assert_eq!(
        imds.load(std::sync::atomic::Ordering::SeqCst),
        asked,
        "nothing is asked again by itself"
    );
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 34 item 3: every file read before a call — the config, the
/// waivers file, a plan (`apply`, `notify`), the baseline, the AWS config
/// and credentials files — pointed at `/dev/zero` or a FIFO ends at once
/// with exit 2 and one line naming it: never a hang, never memory without
/// end. (The local ledger: `ledger::local`'s own test.)
#[test]
fn every_input_file_is_bounded_and_never_blocks() {
    let home = Home::new("http://127.0.0.1:9");
    let fifo = home.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.display().to_string();
    for path in ["/dev/zero", fifo.as_str()] {
        let runs: [(&[&str], Option<&str>); 7] = [
            (&["report", "--demo", "--config", path], None),
            (&["report", "--demo", "--waivers", path], None),
            (&["apply", path, "--demo"], None),
            (&["notify", path, "--dry-run"], None),
            (&["report", "--demo", "--baseline", path], None),
            (&["report", "--profile", "e2e"], Some("AWS_CONFIG_FILE")),
            (
                &["report", "--profile", "e2e"],
                Some("AWS_SHARED_CREDENTIALS_FILE"),
            ),
        ];
        for (args, variable) in runs {
            let shown = format!("{args:?} {variable:?}={path}");
            let started = std::time::Instant::now();
            let mut command = std::process::Command::new(crate::common::home::BIN);
            command.args(args).envs(home.env());
            if let Some(variable) = variable {
                command.env(variable, path);
            }
            let mut child = command
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = started + std::time::Duration::from_secs(5);
            while child.try_wait().unwrap().is_none() {
                if std::time::Instant::now() > deadline {
                    child.kill().unwrap();
                    panic!("{shown}: still running after 5 s");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{shown}: {stderr}");
            assert!(stderr.contains("not a regular file"), "{shown}: {stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "{shown}: {stderr}");
        }
    }
}

/// Issue 34 item 3: `--timeout` covers the whole run. A profile whose
/// `credential_process` never answers holds `plan` past its audit's own
/// deadline; the run is stopped a moment after `--timeout` anyway (exit 2,
/// one line), never left hanging.
#[test]
fn timeout_covers_the_whole_run() {
    let home = Home::new("http://127.0.0.1:9");
    std::fs::write(
        home.path().join("aws-config"),
        "[profile slow]\nregion = us-east-1\ncredential_process = sleep 60\nendpoint_url = http://127.0.0.1:9\n",
    )
    .unwrap();
    std::fs::create_dir_all(home.path().join("config/iamkeys")).unwrap();
    std::fs::write(
        home.path().join("config/iamkeys/config.toml"),
        "[[enforce.rule]]\nfinding = \"unused_key\"\naction = \"make_inactive\"\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let out = std::process::Command::new(crate::common::home::BIN)
        .args(["plan", "--profile", "slow", "--timeout", "2s"])
        .envs(home.env())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        took < std::time::Duration::from_secs(6),
        "took {took:?}: {stderr}"
    );
    assert!(stderr.contains("--timeout"), "{stderr}");
}

/// Issue 38 item 10: `--read-only` is a global flag, so its help is shown
/// by every command; it speaks of what is sent, not of the UI's dialogs.
#[test]
fn read_only_is_described_for_every_command() {
    for args in [&["report", "--help"][..], &["--help"], &["apply", "--help"]] {
        let out = Command::new(BIN).args(args).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        let line = help
            .lines()
            .skip_while(|l| !l.contains("--read-only"))
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(line.contains("--read-only"), "{args:?}:\n{help}");
        assert!(!line.contains("dialog"), "{args:?}: {line}");
        assert!(line.contains("change"), "{args:?}: {line}");
    }
}

/// Issue 38 item 12: `--profile` completes the AWS config's profiles, not
/// file names (bash, through the script `iamkeys completions bash` prints).
#[test]
fn profile_completion_offers_profiles() {
    let home = Home::new("http://127.0.0.1:9");
    let config = home.path().join("aws-config-completion");
    std::fs::write(
        &config,
        "[profile prod]\nregion = us-east-1\n\n[profile preview]\nregion = us-east-1\n\n[profile dev]\nregion = us-east-1\n",
    )
    .unwrap();
    std::fs::write(home.path().join("prodfile.txt"), "a file").unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(
            "source <(iamkeys completions bash) && COMP_WORDS=(iamkeys --profile pr) && COMP_CWORD=2 && _iamkeys iamkeys pr --profile && printf '%s\\n' \"${COMPREPLY[@]}\"",
        )
        .current_dir(home.path())
        .env("PATH", path)
        .env("AWS_CONFIG_FILE", &config)
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("none"))
        .env("HOME", home.path())
        .output()
        .unwrap();
    let offered = String::from_utf8_lossy(&out.stdout);
    let mut names: Vec<&str> = offered.lines().collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["preview", "prod"],
        "{offered}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // zsh and fish ask iamkeys for the names too.
    for shell in ["zsh", "fish"] {
        let script = Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        let script = String::from_utf8_lossy(&script.stdout);
        assert!(script.contains("iamkeys profile-names"), "{shell}");
    }
}
