//! Start-up: config, logging, the AWS connection, then the UI.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::audit_log::AuditLog;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::Config;
use crate::iam::connect::{ConnectOptions, connect};
use crate::iam::{IamClient, demo};
use crate::report::command::{finish, produce};
use crate::state::{Session, State};
use crate::ui::Theme;
use crate::worker::Settings;
use crate::{app, logging, paths};

/// Load the config named by `--config`, or the default file if it exists.
///
/// # Errors
/// A named file that is missing, or any file that is invalid.
pub fn load_config(args: &GlobalArgs) -> Result<Config> {
    match &args.config {
        Some(path) => Ok(Config::load(path, true)?),
        None => match paths::config_file() {
            Some(path) => Ok(Config::load(&path, false)?),
            None => Ok(Config::default()),
        },
    }
}

/// The profile to use: `--profile`, then `AWS_PROFILE`, then the config's `default_profile`.
#[must_use]
pub fn resolve_profile(args: &GlobalArgs, config: &Config) -> Option<String> {
    args.profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .or_else(|| config.default_profile.clone())
}

fn theme() -> Theme {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        Theme::monochrome()
    } else {
        Theme::default()
    }
}

/// What the session is, from the command line and the config.
fn session(args: &GlobalArgs, config: &Config, profile: Option<&String>) -> Session {
    let label = profile.cloned().unwrap_or_else(|| "default".to_owned());
    Session {
        posture: config.posture(args.read_only),
        read_only: args.read_only || config.read_only_for(&label),
        demo: args.demo,
        credentials_file: if args.demo {
            None
        } else {
            crate::credentials_file::default_path()
        },
        profile: if args.demo { "demo".to_owned() } else { label },
    }
}

async fn client(args: &GlobalArgs, config: &Config, profile: Option<String>) -> Arc<dyn IamClient> {
    if args.demo {
        Arc::new(demo::account(Utc::now(), Duration::from_millis(40)))
    } else {
        let mut options = ConnectOptions::new(profile, args.endpoint_url.clone());
        options.max_attempts = config.max_attempts;
        options.attempt_timeout = Duration::from_secs(config.request_timeout_secs);
        Arc::new(connect(&options).await)
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// The program, after argument parsing. Errors end with exit code 2.
///
/// # Errors
/// Bad config, no terminal, or a terminal failure.
pub fn main(cli: &Cli) -> Result<ExitCode> {
    let config = load_config(&cli.global)?;
    let keymap = config.keymap().map_err(|e| eyre!(e))?;
    let data_dir =
        paths::data_dir().ok_or_else(|| eyre!("cannot find a home directory for the log file"))?;
    let (_guard, log_path) = logging::init(&data_dir, &config.log_level)
        .wrap_err_with(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let profile = resolve_profile(&cli.global, &config);
    let session = session(&cli.global, &config, profile.as_ref());
    if let Some(Command::Report(args)) = &cli.command {
        tracing::info!(profile = %session.profile, "report");
        return runtime()?.block_on(async {
            let client = client(&cli.global, &config, profile).await;
            let settings = Settings {
                concurrency: config.concurrency,
                ..Settings::default()
            };
            match produce(client, session, config.audit.clone(), &settings).await {
                Ok(report) => Ok(finish(
                    &report,
                    args.format,
                    &args.fail_on,
                    args.output.as_deref(),
                )),
                Err(reason) => Err(eyre!(reason)),
            }
        });
    }
    if !std::io::stdout().is_terminal() {
        return Err(eyre!(
            "stdout is not a terminal: the UI needs one (for scripts and CI, use `iamkeys report`)"
        ));
    }
    let audit_path = config
        .audit_log
        .clone()
        .unwrap_or_else(|| data_dir.join(crate::audit_log::FILE_NAME));
    tracing::info!(log = %log_path.display(), audit = %audit_path.display(), profile = %session.profile, "starting");
    runtime()?.block_on(async {
        let client = client(&cli.global, &config, profile).await;
        let mut state = State::new(session, keymap, Utc::now());
        state.thresholds = config.audit.clone();
        let settings = Settings {
            concurrency: config.concurrency,
            audit: Some(AuditLog::new(audit_path.clone())),
            ..Settings::default()
        };
        app::run(client, state, theme(), settings).await
    })?;
    Ok(ExitCode::SUCCESS)
}
