//! Issue 13, item 9: the log file and the audit log are kept as an
//! operator's secrets are: 0600 files in 0700 directories, no symlink
//! followed, and the AWS SDK's own trace (signed requests, session tokens)
//! never in the log, whatever `IAMKEYS_LOG` says.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, seed, standard_users};
use crate::common::tmux::Tmux;

const TOKEN: &str = "FwoGZXIvYXdzSESSIONTOKENFORTHETEST0123456789";
const SECRET: &str = "e2eSecretAccessKeyThatMustNeverBeLogged0";

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trace_log_is_0600_and_holds_no_token_or_secret() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let home = Home::new(&moto.endpoint());
    std::fs::write(
        home.path().join("aws-credentials"),
        format!(
            "[e2e]\naws_access_key_id = ASIAE2ETESTE2ETEST00\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n"
        ),
    )
    .unwrap();
    let out = tokio::process::Command::new(BIN)
        .args(["report", "--profile", "e2e", "--key-ids"])
        .envs(home.env())
        .env("IAMKEYS_LOG", "trace")
        .output()
        .await
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log_path = home.log_file();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.len() > 500, "the trace log was written: {log}");
    assert!(!log.contains(TOKEN), "the session token is in the log");
    assert!(!log.contains(SECRET), "the secret key is in the log");
    assert!(
        !log.to_ascii_lowercase().contains("x-amz-security-token"),
        "signed headers are in the log"
    );
    assert_eq!(mode(&log_path), 0o600, "iamkeys.log");
    assert_eq!(mode(log_path.parent().unwrap()), 0o700, "its directory");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_or_symlinked_audit_log_stops_start_up() {
    let home = Home::new("http://127.0.0.1:9");
    let blocked = home.path().join("blocked");
    std::fs::write(&blocked, "a file, not a directory").unwrap();
    let target = home.path().join("elsewhere.jsonl");
    std::fs::write(&target, "").unwrap();
    let link = home.path().join("link.jsonl");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    for (path, said) in [
        (blocked.join("audit.jsonl"), "cannot be written"),
        (link.clone(), "cannot be written"),
    ] {
        let config = home.path().join("audit.toml");
        std::fs::write(&config, format!("audit_log = \"{}\"\n", path.display())).unwrap();
        // In a terminal (tmux): the check comes before the UI starts.
        let tui = Tmux::start(
            std::path::Path::new(BIN),
            &["--profile", "e2e", "--config", config.to_str().unwrap()],
            &home.env(),
            200,
            20,
        );
        assert_eq!(tui.exit_status(Duration::from_secs(20)), Some(2));
        // The pane wraps long lines: read it as one.
        let screen = tui.screen().replace('\n', "");
        assert!(screen.contains(&path.display().to_string()), "{screen}");
        assert!(screen.contains(said), "{screen}");
    }
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "",
        "nothing written through the link"
    );
}

/// Issue 13, item 11: plain HTTP to another host is allowed (`LocalStack`,
/// test servers) but said: on stderr for `report`, in the header for the
/// UI. (0.0.0.0 is "this host" on Linux: nothing leaves the machine, and
/// nothing listens on port 9.)
#[tokio::test(flavor = "multi_thread")]
async fn a_plain_http_endpoint_on_another_host_is_said() {
    let home = Home::new("http://127.0.0.1:9");
    let config = home.path().join("once.toml");
    std::fs::write(&config, "max_attempts = 1\n").unwrap();
    let out = tokio::process::Command::new(BIN)
        .args([
            "report",
            "--profile",
            "e2e",
            "--endpoint-url",
            "http://0.0.0.0:9",
        ])
        .args(["--config", config.to_str().unwrap()])
        .envs(home.env())
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: INSECURE ENDPOINT http://0.0.0.0:9"),
        "{stderr}"
    );
    // A loopback test server is not flagged.
    let out = tokio::process::Command::new(BIN)
        .args([
            "report",
            "--profile",
            "e2e",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ])
        .args(["--config", config.to_str().unwrap()])
        .envs(home.env())
        .output()
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("INSECURE"));

    let mut state = crate::common::states::loading();
    state.session.insecure_endpoint = Some("http://10.1.2.3:4566".into());
    let screen = crate::common::screen::text(&state, 140, 20);
    assert!(
        screen.contains("INSECURE ENDPOINT http://10.1.2.3:4566"),
        "{screen}"
    );
}
