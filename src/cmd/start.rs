//! What every command starts from: the config, the profile and how the run
//! is named, where MFA codes come from, how to connect, the runtime, the
//! data directory and the audit log; and the `--timeout` watchdog.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::audit_log::AuditLog;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::Config;
use crate::connect::{CodeSource, ConnectOptions, connect};
use crate::iam::{IamClient, demo};
use crate::worker::{Clients, Settings};

/// Load the config named by `--config`, or the default file if it exists.
///
/// # Errors
/// A named file that is missing, or any file that is invalid.
pub fn load_config(args: &GlobalArgs) -> Result<Config> {
    let (mut config, dir) = match &args.config {
        Some(path) => (Config::load(path, true)?, path.parent().map(Path::to_owned)),
        None => match crate::paths::config_file() {
            Some(path) => (
                Config::load(&path, false)?,
                path.parent().map(Path::to_owned),
            ),
            None => (Config::default(), None),
        },
    };
    // The waivers file: `--waivers` as given; `[audit] waivers_file`
    // relative to the config file. Read before any AWS call: a malformed
    // entry stops the run, naming the file, line and field.
    let file = match (&args.waivers, &config.audit.waivers_file) {
        (Some(flag), _) => Some(flag.clone()),
        (None, Some(path)) if path.is_relative() => {
            Some(dir.map_or_else(|| path.clone(), |d| d.join(path)))
        }
        (None, other) => other.clone(),
    };
    if let Some(path) = file {
        config.audit.file_waivers =
            crate::audit::waivers::file::load(&path).map_err(|e| eyre!(e))?;
        config.audit.waivers_file = Some(path);
    }
    Ok(config)
}

/// The profile to use: `--profile`, then `AWS_PROFILE`, then the config's `default_profile`.
#[must_use]
pub fn resolve_profile(args: &GlobalArgs, config: &Config) -> Option<String> {
    args.profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .or_else(|| config.default_profile.clone())
}

/// Whether `profile` was named by the operator (`--profile`, or the
/// config's `default_profile`) rather than taken from `AWS_PROFILE`: see
/// [`ConnectOptions::explicit`].
fn named_explicitly(args: &GlobalArgs, profile: Option<&str>) -> bool {
    let Some(profile) = profile else {
        return false;
    };
    args.profile.is_some()
        || std::env::var("AWS_PROFILE")
            .ok()
            .filter(|p| !p.is_empty())
            .is_none_or(|from_env| from_env != profile)
}

/// Where this run takes MFA codes from, decided once at start-up and
/// passed down: `report` from `--mfa-code` / `IAMKEYS_MFA_CODE`, else the
/// terminal, else nowhere; the UI from its code dialog (on the terminal
/// until the screen opens: `--org` signs in first).
#[derive(Clone, Default)]
pub struct Mfa {
    pub codes: CodeSource,
    /// The UI's dialog, once the screen is open.
    pub ui: Option<Arc<crate::signin::mfa::Swappable>>,
    /// Several profiles in one run (`report --profiles`): one code per
    /// device (see [`ConnectOptions::share_mfa`]).
    pub share: bool,
}

impl Mfa {
    /// Where `command` takes its codes from.
    #[must_use]
    pub fn for_command(command: Option<&Command>) -> Self {
        use crate::signin::mfa::{Codes, Given, NoCode, Prompt, Swappable};
        if let Some(Command::Report(args)) = command {
            let codes: Arc<dyn Codes> = match &args.mfa_code {
                Some(code) => Arc::new(Given(code.clone())),
                None if std::io::stdin().is_terminal() => Arc::new(Prompt),
                None => Arc::new(NoCode),
            };
            return Self {
                codes: CodeSource(Some(codes)),
                ui: None,
                share: args.all_profiles || !args.profiles.is_empty(),
            };
        }
        let swappable = Arc::new(Swappable::new(Arc::new(Prompt)));
        Self {
            codes: CodeSource(Some(swappable.clone())),
            ui: Some(swappable),
            share: false,
        }
    }
}

/// What every command starts from.
pub struct Start<'a> {
    pub cli: &'a Cli,
    pub config: Config,
    /// `--profile`, else `AWS_PROFILE`, else `default_profile`.
    pub profile: Option<String>,
    /// How the run is named in messages and reports: the profile, `default`,
    /// `demo`, or `credentials: environment` when the environment's keys
    /// sign (see [`crate::profiles::ENVIRONMENT`]).
    pub label: String,
    pub data_dir: PathBuf,
    pub mfa: Mfa,
}

impl<'a> Start<'a> {
    /// The run of `cli` with `config`.
    ///
    /// # Errors
    /// No home directory for the data directory.
    pub fn new(cli: &'a Cli, config: Config, mfa: Mfa) -> Result<Self> {
        let data_dir = crate::paths::data_dir()
            .ok_or_else(|| eyre!("cannot find a home directory for the log file"))?;
        let profile = resolve_profile(&cli.global, &config);
        let mut start = Self {
            cli,
            config,
            profile,
            label: String::new(),
            data_dir,
            mfa,
        };
        start.label = start.label_of(start.profile.as_deref());
        Ok(start)
    }

    #[must_use]
    pub fn global(&self) -> &GlobalArgs {
        &self.cli.global
    }

    /// How a run of `profile` is named (see [`Start::label`]).
    #[must_use]
    pub fn label_of(&self, profile: Option<&str>) -> String {
        if self.global().demo {
            "demo".to_owned()
        } else {
            self.name_of(profile)
        }
    }

    /// `profile`'s name as the config's postures know it (the demo's too).
    fn name_of(&self, profile: Option<&str>) -> String {
        if self
            .connect_options(profile.map(ToOwned::to_owned))
            .environment_credentials()
        {
            // The SDK's order signs with the environment's keys, not the
            // profile's: say so rather than a profile's name.
            crate::profiles::ENVIRONMENT.to_owned()
        } else {
            profile.unwrap_or("default").to_owned()
        }
    }

    /// Whether this run may change nothing (`--read-only`, `[profiles.X]`).
    #[must_use]
    pub fn read_only(&self) -> bool {
        self.config
            .posture(self.global().read_only)
            .read_only(&self.name_of(self.profile.as_deref()))
    }

    /// How to connect to a profile: the command line's endpoint and the
    /// config's retry and timeout settings (the one place they are
    /// combined), and this run's MFA codes.
    #[must_use]
    pub fn connect_options(&self, profile: Option<String>) -> ConnectOptions {
        let explicit = named_explicitly(self.global(), profile.as_deref());
        let mut options = ConnectOptions::new(profile, self.global().endpoint_url.clone());
        options.explicit = explicit;
        options.max_attempts = self.config.max_attempts;
        options.attempt_timeout = Duration::from_secs(self.config.request_timeout_secs);
        options.session_cache = self.config.aws.session_cache;
        options.codes = self.mfa.codes.clone();
        options.share_mfa = self.mfa.share;
        options
    }

    /// The run's clients of `profile`: the demo's own account, or AWS's
    /// (IAM and STS, CloudTrail, the hand-off's write).
    pub async fn clients(&self, profile: Option<String>) -> Clients {
        if self.global().demo {
            Clients::from(demo::account(Utc::now(), Duration::from_millis(40)))
        } else {
            Clients::from(connect(&self.connect_options(profile)).await)
        }
    }

    /// The profile's clients (a plain-HTTP endpoint said on stderr), and
    /// `settings` with the ledger they read and write.
    ///
    /// # Errors
    /// The ledger's location does not read.
    pub async fn connected(&self, settings: &Settings) -> Result<(Clients, Settings)> {
        let clients = self.clients(self.profile.clone()).await;
        warn_if_insecure(clients.iam.as_ref());
        let settings = self.with_ledger(settings, &clients.iam)?;
        Ok((clients, settings))
    }

    /// `settings` with the ledger read and written with `own`'s credentials
    /// (the profile's, or the management account's with `--org`).
    ///
    /// # Errors
    /// The ledger's location does not read.
    pub fn with_ledger(&self, settings: &Settings, own: &Arc<dyn IamClient>) -> Result<Settings> {
        Ok(Settings {
            ledger: Some(self.ledger_for(own)?),
            ..settings.clone()
        })
    }

    /// This run's ledger, read and written with `own`'s credentials.
    ///
    /// # Errors
    /// The ledger's location does not read.
    pub fn ledger_for(&self, own: &Arc<dyn IamClient>) -> Result<Arc<crate::ledger::Ledger>> {
        crate::ledger::open::for_run(&self.config.ledger, self.global().demo, own)
            .map_err(|e| eyre!(e))
    }

    /// Where changes are recorded: the demo's changes are not real, so they
    /// go to a log of their own, never into the audit log of real changes;
    /// else the config's or the data directory's.
    #[must_use]
    pub fn audit_log_path(&self) -> PathBuf {
        if self.global().demo {
            self.data_dir.join(crate::audit_log::DEMO_FILE_NAME)
        } else {
            self.config
                .audit_log
                .clone()
                .unwrap_or_else(|| self.data_dir.join(crate::audit_log::FILE_NAME))
        }
    }

    /// The audit log's path, checked writable: every change is recorded
    /// there before it is sent.
    ///
    /// # Errors
    /// It cannot be written.
    pub fn writable_audit_log(&self) -> Result<PathBuf> {
        let audit_path = self.audit_log_path();
        AuditLog::new(audit_path.clone()).check().map_err(|err| {
            eyre!(
                "refused: the audit log {} cannot be written ({err}): every change is recorded there before it is sent",
                audit_path.display()
            )
        })?;
        Ok(audit_path)
    }

    /// The worker's settings for `plan --record` and `apply`: changes bound
    /// to the run's profile, each recorded in the audit log, the whole run
    /// within `timeout`.
    #[must_use]
    pub fn change_settings(&self, audit_path: PathBuf, timeout: Duration) -> Settings {
        Settings {
            concurrency: self.config.concurrency,
            deadline: Some(tokio::time::Instant::now() + timeout),
            audit: Some(AuditLog::new(audit_path)),
            profile: Some(self.label.clone()),
            ..Settings::default()
        }
    }

    /// At start-up, the AWS config files must be readable, and a profile
    /// named on the command line, in `AWS_PROFILE` or in the config must
    /// exist; the error lists those that do.
    ///
    /// # Errors
    /// The files do not read, or the profile is not among them.
    pub fn check_profile(&self) -> Result<()> {
        let profiles = runtime()?
            .block_on(crate::profiles::list())
            .map_err(|e| eyre!(e))?;
        match &self.profile {
            Some(name) if !profiles.iter().any(|p| &p.name == name) => {
                // Say where the name came from when it was not typed.
                let shown = if self.global().profile.is_none()
                    && std::env::var("AWS_PROFILE").ok().as_deref() == Some(name.as_str())
                {
                    format!("{name}' (from AWS_PROFILE)")
                } else {
                    format!("{name}'")
                };
                let message = crate::profiles::unknown(name, &profiles).replacen(
                    &format!("{name}'"),
                    &shown,
                    1,
                );
                Err(eyre!(message))
            }
            _ => Ok(()),
        }
    }
}

/// The async runtime of a command.
///
/// # Errors
/// It cannot start.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// A plain-HTTP endpoint on another host: said on stderr (the command
/// goes on; test servers and `LocalStack` use such endpoints).
pub fn warn_if_insecure(client: &dyn IamClient) {
    if let Some(url) = client
        .endpoint()
        .filter(|url| crate::connect::insecure(url))
    {
        eprintln!(
            "iamkeys report: warning: INSECURE ENDPOINT {url}: plain HTTP to another host, so signed requests and the audit cross the network unencrypted"
        );
    }
}

/// How long past `--timeout` a run may take to print what it has done
/// before the watchdog stops it.
const TIMEOUT_GRACE: Duration = Duration::from_secs(2);

/// `--timeout` covers the whole run of `report`, `plan` and `notify`:
/// whatever is still going a moment after it (a file, a credential
/// process, a call the run's own deadline does not reach) is stopped with
/// one line and exit 2. `apply` is left out: a change in flight is never
/// cut (its `--timeout` bounds the audit before acting).
pub fn watchdog(command: Option<&Command>) {
    let timeout = match command {
        Some(Command::Report(args)) => args.timeout,
        Some(Command::Plan(args)) => args.timeout,
        Some(Command::Notify(args)) => args.timeout,
        _ => return,
    };
    let spawned = std::thread::Builder::new()
        .name("timeout".to_owned())
        .spawn(move || {
            std::thread::sleep(timeout + TIMEOUT_GRACE);
            tracing::warn!(?timeout, "the run passed --timeout: stopped");
            eprintln!(
                "iamkeys: stopped: the run passed --timeout {}",
                humantime::format_duration(timeout)
            );
            std::process::exit(2);
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "no --timeout watchdog");
    }
}
