//! A home of the suite's own for each run of the real binary: AWS config
//! and credentials files, config and data dirs under it, and one runner of
//! `iamkeys report` against an endpoint (`IAMKEYS_TEST_BIN` runs another
//! build, e.g. one from before a fix, to see a test fail).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_iamkeys");
pub const WAIT: Duration = Duration::from_secs(30);

/// A home of its own: AWS config and credentials files with an `e2e` profile
/// pointing at `endpoint`, and the data and config dirs under it.
pub struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    pub fn new(endpoint: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("aws-config"),
            format!("[profile e2e]\nregion = us-east-1\nendpoint_url = {endpoint}\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("aws-credentials"),
            "[e2e]\naws_access_key_id = AKIDE2ETESTE2ETEST00\naws_secret_access_key = e2e-secret\n",
        )
        .unwrap();
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn env(&self) -> Vec<(&'static str, String)> {
        aws_env(self.path())
    }

    pub fn log_file(&self) -> PathBuf {
        self.path().join("data/iamkeys/iamkeys.log")
    }
}

/// The environment of a run of the binary in `home`: its AWS config and
/// credentials files, config and data dirs under it, and no AWS variable of
/// the test process leaking in.
pub fn aws_env(home: &Path) -> Vec<(&'static str, String)> {
    let home = home.display().to_string();
    vec![
        ("HOME", home.clone()),
        ("XDG_CONFIG_HOME", format!("{home}/config")),
        ("XDG_DATA_HOME", format!("{home}/data")),
        ("AWS_CONFIG_FILE", format!("{home}/aws-config")),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            format!("{home}/aws-credentials"),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ("AWS_PROFILE", String::new()),
        ("AWS_ENDPOINT_URL", String::new()),
        ("TERM", "xterm-256color".into()),
    ]
}

pub fn key_ids(screen: &str) -> Vec<String> {
    let mut ids: Vec<String> = screen
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() == 20 && w.starts_with("AKIA"))
        .map(ToOwned::to_owned)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The binary under test: `IAMKEYS_TEST_BIN`, else this build's.
pub fn bin() -> String {
    std::env::var("IAMKEYS_TEST_BIN").unwrap_or_else(|_| BIN.to_owned())
}

/// `iamkeys report --profile e2e --endpoint-url <endpoint> <args>` in `home`.
pub async fn report(home: &Home, endpoint: &str, args: &[&str]) -> Output {
    tokio::process::Command::new(bin())
        .arg("report")
        .args(["--profile", "e2e", "--endpoint-url", endpoint])
        .args(args)
        .envs(home.env())
        .output()
        .await
        .unwrap()
}
