//! Start-up: config, logging, the AWS connection, then the UI.

use std::io::IsTerminal;
use std::path::Path;
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
use crate::report::command::{finish, finish_accounts, produce};
use crate::state::{Session, State};
use crate::ui::Theme;
use crate::worker::{Connector, Settings};
use crate::{app, logging, paths};

/// Load the config named by `--config`, or the default file if it exists.
///
/// # Errors
/// A named file that is missing, or any file that is invalid.
pub fn load_config(args: &GlobalArgs) -> Result<Config> {
    let (mut config, dir) = match &args.config {
        Some(path) => (Config::load(path, true)?, path.parent().map(Path::to_owned)),
        None => match paths::config_file() {
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

fn theme() -> Theme {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        Theme::monochrome()
    } else {
        Theme::default()
    }
}

/// What the session is, from the command line and the config.
fn session(args: &GlobalArgs, config: &Config, profile: Option<&String>) -> Session {
    let label = if connect_options(args, config, profile.cloned()).environment_credentials() {
        // The SDK's order signs with the environment's keys, not the
        // profile's: say so rather than a profile's name.
        crate::profiles::ENVIRONMENT.to_owned()
    } else {
        profile.cloned().unwrap_or_else(|| "default".to_owned())
    };
    let posture = config.posture(args.read_only);
    Session {
        read_only: posture.read_only(&label),
        posture,
        demo: args.demo,
        credentials_file: if args.demo {
            None
        } else {
            crate::credentials_file::default_path()
        },
        ledger: if args.demo {
            crate::ledger::Location::Memory.to_string()
        } else {
            config
                .ledger
                .location()
                .map_or_else(|e| e, |l| l.to_string())
        },
        profile: if args.demo { "demo".to_owned() } else { label },
        insecure_endpoint: None,
        switching: None,
        signing_in: false,
        org_settings: config.org.clone(),
        cloudtrail_regions: match &config.cloudtrail_regions {
            crate::config::CloudTrailRegions::List(list) => list.clone(),
            _ => Vec::new(),
        },
        regions: if config.cloudtrail_regions == crate::config::CloudTrailRegions::All {
            crate::state::RegionChoice::AllEnabled
        } else {
            crate::state::RegionChoice::Listed
        },
        cloudtrail_max_events: config.cloudtrail_max_events,
        // Checked when the config was read.
        enforce_rules: config.enforce.rules().unwrap_or_default(),
        notice_days: config.enforce.notice_days,
        opener: crate::console::opener(
            std::env::var("BROWSER").ok().as_deref(),
            crate::console::on_path,
        ),
    }
}

/// How to connect to a profile: the command line's endpoint and the
/// config's retry and timeout settings (the one place they are combined).
#[must_use]
pub fn connect_options(
    args: &GlobalArgs,
    config: &Config,
    profile: Option<String>,
) -> ConnectOptions {
    let explicit = named_explicitly(args, profile.as_deref());
    let mut options = ConnectOptions::new(profile, args.endpoint_url.clone());
    options.explicit = explicit;
    options.max_attempts = config.max_attempts;
    options.attempt_timeout = Duration::from_secs(config.request_timeout_secs);
    options.session_cache = config.aws.session_cache;
    options.codes = CODES.get().cloned().unwrap_or_default();
    options.share_mfa = SHARE_MFA.load(std::sync::atomic::Ordering::Relaxed);
    options
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

/// Several profiles in one run: one MFA code per device (see
/// [`ConnectOptions::share_mfa`]).
static SHARE_MFA: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Where this run takes MFA codes from, decided once at start-up: `report`
/// from `--mfa-code` / `IAMKEYS_MFA_CODE`, else the terminal, else nowhere;
/// the UI from its code dialog.
static CODES: std::sync::OnceLock<crate::iam::connect::CodeSource> = std::sync::OnceLock::new();

/// For the UI: codes from its dialog once the screen is open.
static UI_CODES: std::sync::OnceLock<Arc<crate::signin::mfa::Swappable>> =
    std::sync::OnceLock::new();

fn set_codes(command: Option<&Command>) {
    use crate::signin::mfa::{Codes, Given, NoCode, Prompt, Swappable};
    let codes: Arc<dyn Codes> = if let Some(Command::Report(args)) = command {
        match &args.mfa_code {
            Some(code) => Arc::new(Given(code.clone())),
            None if std::io::stdin().is_terminal() => Arc::new(Prompt),
            None => Arc::new(NoCode),
        }
    } else {
        // On the terminal until the screen opens (`--org` signs in first);
        // then the UI's dialog takes over (see `app`).
        let swappable = Arc::new(Swappable::new(Arc::new(Prompt)));
        let _ = UI_CODES.set(swappable.clone());
        swappable
    };
    let _ = CODES.set(crate::iam::connect::CodeSource(Some(codes)));
}

pub(crate) async fn client(
    args: &GlobalArgs,
    config: &Config,
    profile: Option<String>,
) -> Arc<dyn IamClient> {
    if args.demo {
        Arc::new(demo::account(Utc::now(), Duration::from_millis(40)))
    } else {
        Arc::new(connect(&connect_options(args, config, profile)).await)
    }
}

/// `report` to a plain-HTTP endpoint on another host: said on stderr (the
/// report itself goes on; test servers and `LocalStack` use such endpoints).
fn warn_if_insecure(client: &dyn IamClient) {
    if let Some(url) = client
        .endpoint()
        .filter(|url| crate::iam::connect::insecure(url))
    {
        eprintln!(
            "iamkeys report: warning: INSECURE ENDPOINT {url}: plain HTTP to another host, so signed requests and the audit cross the network unencrypted"
        );
    }
}

/// `iamkeys report` over several profiles (see `report::many`).
fn many_accounts(cli: &Cli, args: &crate::cli::ReportArgs, config: &Config) -> Result<ExitCode> {
    let finishing = args.finish().map_err(|e| eyre!(e))?;
    SHARE_MFA.store(true, std::sync::atomic::Ordering::Relaxed);
    runtime()?.block_on(async {
        let known = crate::profiles::list().await.map_err(|e| eyre!(e))?;
        let names: Vec<String> = if args.all_profiles {
            known.iter().map(|p| p.name.clone()).collect()
        } else {
            args.profiles.clone()
        };
        if names.is_empty() {
            return Err(eyre!(crate::profiles::unknown("(any)", &known)));
        }
        let settings = Settings {
            concurrency: config.concurrency,
            deadline: Some(args.deadline()),
            ..Settings::default()
        };
        let settings = &settings;
        let parts = crate::report::many::audit_profiles(names, &known, |name: String| {
            Box::pin(async move {
                // Each profile of the list is named: its own credentials.
                let options = connect_options(&cli.global, config, Some(name.clone())).named();
                let client: Arc<dyn IamClient> = Arc::new(connect(&options).await);
                warn_if_insecure(client.as_ref());
                let profile = session(&cli.global, config, Some(&name)).profile;
                // Each profile reads the ledger with its own credentials.
                let ledger = crate::ledger::open::for_run(&config.ledger, false, &client)?;
                let settings = Settings {
                    ledger: Some(ledger),
                    ..settings.clone()
                };
                produce(
                    client,
                    profile,
                    config.audit.clone(),
                    &settings,
                    args.key_ids,
                )
                .await
            })
        })
        .await;
        let report = crate::report::Report::merge(parts, config.audit.clone(), Utc::now());
        Ok(finish_accounts(report, &finishing))
    })
}

/// How the UI connects to another profile (`p`): the same options as at start-up.
fn connector(args: &GlobalArgs, config: &Config) -> Connector {
    let (args, config) = (args.clone(), config.clone());
    Connector(Arc::new(move |profile: String| {
        // A profile picked in the UI is named: its own credentials only.
        let options = connect_options(&args, &config, Some(profile)).named();
        Box::pin(async move { Arc::new(connect(&options).await) as Arc<dyn IamClient> })
    }))
}

/// At start-up, the AWS config files must be readable, and a profile named
/// on the command line, in `AWS_PROFILE` or in the config must exist; the
/// error lists those that do.
fn check_profile(args: &GlobalArgs, profile: Option<&String>) -> Result<()> {
    let profiles = runtime()?
        .block_on(crate::profiles::list())
        .map_err(|e| eyre!(e))?;
    match profile {
        Some(name) if !profiles.iter().any(|p| &p.name == name) => {
            // Say where the name came from when it was not typed.
            let shown = if args.profile.is_none()
                && std::env::var("AWS_PROFILE").ok().as_deref() == Some(name.as_str())
            {
                format!("{name}' (from AWS_PROFILE)")
            } else {
                format!("{name}'")
            };
            let message =
                crate::profiles::unknown(name, &profiles).replacen(&format!("{name}'"), &shown, 1);
            Err(eyre!(message))
        }
        _ => Ok(()),
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")
}

/// `iamkeys report` for one profile's account, or its organization (`--org`).
fn report(
    cli: &Cli,
    args: &crate::cli::ReportArgs,
    config: &Config,
    profile: Option<String>,
    session: &Session,
) -> Result<ExitCode> {
    if args.hub.security_hub_aggregate {
        return Err(eyre!(crate::publish::NO_AGGREGATE));
    }
    if cli.global.org {
        tracing::info!(profile = %session.profile, "report --org");
        let options = connect_options(&cli.global, config, profile);
        return runtime()?.block_on(crate::org::report(
            &options,
            &session.profile,
            args,
            config,
            cli.global.org_role.as_deref(),
        ));
    }
    tracing::info!(profile = %session.profile, "report");
    let finishing = args.finish().map_err(|e| eyre!(e))?;
    if args.hub.security_hub && cli.global.demo {
        return Err(eyre!(
            "--security-hub sends to AWS: it cannot be used with --demo"
        ));
    }
    runtime()?.block_on(async {
        let options = connect_options(&cli.global, config, profile.clone());
        let client = client(&cli.global, config, profile).await;
        warn_if_insecure(client.as_ref());
        let settings = Settings {
            concurrency: config.concurrency,
            deadline: Some(args.deadline()),
            ledger: Some(ledger_for(&cli.global, config, &client)?),
            ..Settings::default()
        };
        match produce(
            client,
            session.profile.clone(),
            config.audit.clone(),
            &settings,
            args.key_ids,
        )
        .await
        {
            Ok(report) => {
                let failures = if args.hub.security_hub {
                    let sdk = crate::iam::connect::sdk_config(&options).await;
                    let own = sdk.clone();
                    let hub_for = move |_: &str| -> futures::future::BoxFuture<
                        'static,
                        Result<aws_config::SdkConfig, String>,
                    > {
                        let config = own.clone();
                        Box::pin(async move { Ok(config) })
                    };
                    Box::pin(crate::publish::to_security_hub(
                        &report,
                        &sdk,
                        &hub_for,
                        args.hub.security_hub_region.as_deref(),
                    ))
                    .await
                } else {
                    Vec::new()
                };
                let code = finish(report, &finishing);
                Ok(if failures.is_empty() {
                    code
                } else {
                    ExitCode::from(crate::report::command::EXIT_ERROR)
                })
            }
            Err(reason) => Err(eyre!(reason)),
        }
    })
}

/// `iamkeys plan`: the report's audit, every key listed, then the plan.
fn plan(
    cli: &Cli,
    args: &crate::cli::PlanArgs,
    config: &Config,
    profile: Option<String>,
    session: &Session,
    data_dir: &std::path::Path,
) -> Result<ExitCode> {
    tracing::info!(profile = %session.profile, org = cli.global.org, "plan");
    config.enforce.rules().map_err(|e| eyre!(e))?;
    let table = match args.format {
        Some(crate::cli::PlanFormat::Table) => true,
        Some(crate::cli::PlanFormat::Json) => false,
        None => args.out.is_none() && std::io::stdout().is_terminal(),
    };
    let settings = change_settings(
        config,
        session,
        audit_log_path(cli, config, data_dir),
        args.timeout,
    );
    let base = crate::enforce::command::PlanRun {
        enforce: &config.enforce,
        record: args.record,
        out: args.out.as_deref(),
        table,
        profile: &session.profile,
        settings: &settings,
    };
    runtime()?.block_on(async {
        if cli.global.org {
            let options = connect_options(&cli.global, config, profile);
            let (report, access) = crate::org::audit_report(
                &options,
                &session.profile,
                config,
                cli.global.org_role.as_deref(),
                true,
                tokio::time::Instant::now() + args.timeout,
            )
            .await?;
            let settings = Settings {
                ledger: Some(ledger_for(&cli.global, config, &access.own_client())?),
                ..settings.clone()
            };
            let run = crate::enforce::command::PlanRun {
                settings: &settings,
                ..base
            };
            let caller = Some(access.caller.clone());
            let reach = access
                .reach(config.org.clone(), args.record)
                .await
                .map_err(|e| eyre!(e))?;
            return Ok(crate::enforce::command::plan(&reach, caller, Ok(report), &run).await);
        }
        let client = client(&cli.global, config, profile).await;
        warn_if_insecure(client.as_ref());
        let settings = Settings {
            ledger: Some(ledger_for(&cli.global, config, &client)?),
            ..settings.clone()
        };
        let run = crate::enforce::command::PlanRun {
            settings: &settings,
            ..base
        };
        let report = produce(
            client.clone(),
            session.profile.clone(),
            config.audit.clone(),
            &settings,
            true,
        )
        .await;
        let caller = client.caller_identity().await.ok();
        let reach = move |_: &str| -> futures::future::BoxFuture<
            'static,
            Result<Arc<dyn IamClient>, String>,
        > {
            // The worker's binding refuses a record for another account.
            let client = client.clone();
            Box::pin(async move { Ok(client) })
        };
        Ok(crate::enforce::command::plan(&reach, caller, report, &run).await)
    })
}

/// This run's ledger, read and written with `own`'s credentials.
fn ledger_for(
    args: &GlobalArgs,
    config: &Config,
    own: &Arc<dyn IamClient>,
) -> Result<Arc<crate::ledger::Ledger>> {
    crate::ledger::open::for_run(&config.ledger, args.demo, own).map_err(|e| eyre!(e))
}

/// The worker's settings for `plan --record` and `apply`: changes bound
/// to the session's profile, each recorded in the audit log, the whole run
/// within `timeout`.
fn change_settings(
    config: &Config,
    session: &Session,
    audit_path: std::path::PathBuf,
    timeout: std::time::Duration,
) -> Settings {
    Settings {
        concurrency: config.concurrency,
        deadline: Some(tokio::time::Instant::now() + timeout),
        audit: Some(AuditLog::new(audit_path)),
        profile: Some(session.profile.clone()),
        ..Settings::default()
    }
}

/// Where changes are recorded: the demo's changes are not real, so they go
/// to a log of their own, never into the audit log of real changes; else
/// the config's or the data directory's.
fn audit_log_path(cli: &Cli, config: &Config, data_dir: &std::path::Path) -> std::path::PathBuf {
    if cli.global.demo {
        data_dir.join(crate::audit_log::DEMO_FILE_NAME)
    } else {
        config
            .audit_log
            .clone()
            .unwrap_or_else(|| data_dir.join(crate::audit_log::FILE_NAME))
    }
}

/// `iamkeys notify PLAN`: the plan's schema is checked (not its age:
/// notices are about dates to come).
fn notify(
    cli: &Cli,
    args: &crate::cli::NotifyArgs,
    config: &Config,
    profile: Option<String>,
) -> Result<ExitCode> {
    let text = crate::bounded::read_required(&args.plan, "the plan", crate::bounded::PLAN)
        .map_err(|e| eyre!(e))?;
    let plan = crate::enforce::apply::read(&text)
        .and_then(|plan| crate::enforce::apply::check_not_future(&plan, Utc::now()).map(|()| plan))
        .and_then(|plan| crate::enforce::apply::check_content(&plan).map(|()| plan))
        .map_err(|e| eyre!("refused: {e}"))?;
    let deadline = tokio::time::Instant::now() + args.timeout;
    runtime()?.block_on(async {
        if args.dry_run {
            return Ok(crate::enforce::command::notify(
                &plan,
                &config.notify,
                None,
                None,
                true,
                deadline,
            )
            .await);
        }
        // Each notice sent is recorded in the ledger, as the caller.
        let client = client(&cli.global, config, profile).await;
        let ledger = ledger_for(&cli.global, config, &client)?;
        let sdk = if config.notify.sns_topic_arn.is_some() {
            client.sdk_config()
        } else {
            None
        };
        Ok(crate::enforce::command::notify(
            &plan,
            &config.notify,
            sdk.as_ref(),
            Some(&ledger),
            false,
            deadline,
        )
        .await)
    })
}

/// The audit log's path, checked writable: every change is recorded there
/// before it is sent.
///
/// # Errors
/// It cannot be written.
fn writable_audit_log(
    cli: &Cli,
    config: &Config,
    data_dir: &std::path::Path,
) -> Result<std::path::PathBuf> {
    let audit_path = audit_log_path(cli, config, data_dir);
    AuditLog::new(audit_path.clone()).check().map_err(|err| {
        eyre!(
            "refused: the audit log {} cannot be written ({err}): every change is recorded there before it is sent",
            audit_path.display()
        )
    })?;
    Ok(audit_path)
}

/// `iamkeys apply PLAN`.
fn apply(
    cli: &Cli,
    args: &crate::cli::ApplyArgs,
    config: &Config,
    profile: Option<String>,
    session: &Session,
    data_dir: &std::path::Path,
) -> Result<ExitCode> {
    tracing::info!(profile = %session.profile, plan = %args.plan.display(), "apply");
    let plan = match crate::enforce::command::load_plan(
        &args.plan,
        Utc::now(),
        config.enforce.max_plan_age_hours,
    ) {
        Ok(plan) => plan,
        Err(err) => return Err(eyre!("refused: {err}")),
    };
    if session.read_only && !args.dry_run {
        return Err(eyre!(
            "refused: profile {} is read-only here (--read-only or the config): use --dry-run",
            session.profile
        ));
    }
    let audit_path = writable_audit_log(cli, config, data_dir)?;
    let settings = change_settings(config, session, audit_path, args.timeout);
    let runtime = runtime()?;
    let protected = runtime.block_on(crate::signin::provider::long_term_keys(&connect_options(
        &cli.global,
        config,
        profile.clone(),
    )));
    let base = crate::enforce::command::ApplyRun {
        plan_path: &args.plan,
        max_changes: args.max_changes.unwrap_or(config.enforce.max_changes),
        max_plan_age_hours: config.enforce.max_plan_age_hours,
        dry_run: args.dry_run,
        yes: args.yes,
        json: args.format == crate::cli::ApplyFormat::Json,
        profile: &session.profile,
        settings: &settings,
        protected: &protected,
        enforce: &config.enforce,
    };
    // The audit before acting reads as `report` does: no audit log (it
    // changes nothing), the same ledger.
    let audit_of = |settings: &Settings| {
        let audit_settings = Settings {
            audit: None,
            ..settings.clone()
        };
        let profile = session.profile.clone();
        let thresholds = config.audit.clone();
        move |client: Arc<dyn IamClient>| -> futures::future::BoxFuture<
            'static,
            Result<crate::report::Report, String>,
        > {
            let (settings, profile, thresholds) =
                (audit_settings.clone(), profile.clone(), thresholds.clone());
            Box::pin(async move { produce(client, profile, thresholds, &settings, true).await })
        }
    };
    runtime.block_on(async {
        if cli.global.org {
            let options = connect_options(&cli.global, config, profile);
            let access = crate::org::OrgAccess::open(&options, config, cli.global.org_role.as_deref())
                .await
                .map_err(|e| eyre!(e.cli_message(&session.profile)))?;
            let settings = Settings {
                ledger: Some(ledger_for(&cli.global, config, &access.own_client())?),
                ..settings.clone()
            };
            let run = crate::enforce::command::ApplyRun {
                settings: &settings,
                ..base
            };
            // A dry run is refused where the real run would be (a
            // read-only account), and says so.
            let reach = access
                .reach(config.org.clone(), true)
                .await
                .map_err(|e| eyre!(e))?;
            return Ok(crate::enforce::command::apply(&plan, &reach, &audit_of(&settings), &run).await);
        }
        let client = client(&cli.global, config, profile).await;
        warn_if_insecure(client.as_ref());
        let settings = Settings {
            ledger: Some(ledger_for(&cli.global, config, &client)?),
            ..settings.clone()
        };
        let run = crate::enforce::command::ApplyRun {
            settings: &settings,
            ..base
        };
        let session_account = client
            .caller_identity()
            .await
            .map_err(|e| eyre!(e.cli_message(&session.profile)))?
            .account_id;
        let reach = move |id: &str| -> futures::future::BoxFuture<'static, Result<Arc<dyn IamClient>, String>> {
            let answer = if id == session_account {
                Ok(client.clone())
            } else {
                Err(format!(
                    "in account {id}, and this session is in {session_account} (apply --org reaches an organization's accounts)"
                ))
            };
            Box::pin(async move { answer })
        };
        Ok(crate::enforce::command::apply(&plan, &reach, &audit_of(&settings), &run).await)
    })
}

/// How long past `--timeout` a run may take to print what it has done
/// before the watchdog stops it.
const TIMEOUT_GRACE: Duration = Duration::from_secs(2);

/// `--timeout` covers the whole run of `report`, `plan` and `notify`:
/// whatever is still going a moment after it (a file, a credential
/// process, a call the run's own deadline does not reach) is stopped with
/// one line and exit 2. `apply` is left out: a change in flight is never
/// cut (its `--timeout` bounds the audit before acting).
fn watchdog(command: Option<&Command>) {
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

/// The program, after argument parsing. Errors end with exit code 2.
///
/// # Errors
/// Bad config, no terminal, or a terminal failure.
pub fn main(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Some(Command::Completions { shell }) => {
            crate::cli::completions(*shell, &mut std::io::stdout())
                .wrap_err("cannot write the completion script")?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            crate::cli::man(&mut std::io::stdout()).wrap_err("cannot write the man page")?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    watchdog(cli.command.as_ref());
    let config = load_config(&cli.global)?;
    set_codes(cli.command.as_ref());
    let keymap = config.keymap().map_err(|e| eyre!(e))?;
    let data_dir =
        paths::data_dir().ok_or_else(|| eyre!("cannot find a home directory for the log file"))?;
    let (_guard, log_path) = logging::init(&data_dir, &config.log_level)
        .wrap_err_with(|| format!("cannot create the data directory {}", data_dir.display()))?;
    if let Some(Command::Report(args)) = &cli.command
        && (args.all_profiles || !args.profiles.is_empty())
    {
        if cli.global.org {
            return Err(eyre!(
                "--org audits the accounts of one profile's organization: use it without --profiles or --all-profiles"
            ));
        }
        if args.hub.security_hub {
            return Err(eyre!(
                "--security-hub sends one profile's or one organization's findings: use it without --profiles or --all-profiles"
            ));
        }
        return many_accounts(cli, args, &config);
    }
    let profile = resolve_profile(&cli.global, &config);
    if !cli.global.demo {
        check_profile(&cli.global, profile.as_ref())?;
    }
    let session = session(&cli.global, &config, profile.as_ref());
    if cli.global.org && cli.global.demo {
        return Err(eyre!(
            "--org lists a real AWS Organization: it cannot be used with --demo"
        ));
    }
    if let Some(Command::Report(args)) = &cli.command {
        return report(cli, args, &config, profile, &session);
    }
    if let Some(Command::Plan(args)) = &cli.command {
        return plan(cli, args, &config, profile, &session, &data_dir);
    }
    if let Some(Command::Apply(args)) = &cli.command {
        return apply(cli, args, &config, profile, &session, &data_dir);
    }
    if let Some(Command::Notify(args)) = &cli.command {
        return notify(cli, args, &config, profile);
    }
    if let Some(Command::Ledger(command)) = &cli.command {
        return crate::cmd::ledger::run(cli, command, &config, profile);
    }
    tui(cli, &config, keymap, profile, session, &data_dir, &log_path)
}

/// The terminal UI, after the checks every command shares.
fn tui(
    cli: &Cli,
    config: &Config,
    keymap: crate::keymap::Keymap,
    profile: Option<String>,
    session: Session,
    data_dir: &std::path::Path,
    log_path: &std::path::Path,
) -> Result<ExitCode> {
    let audit_path = audit_log_path(cli, config, data_dir);
    if !std::io::stdout().is_terminal() {
        return Err(eyre!(
            "stdout is not a terminal: the UI needs one (for scripts and CI, use `iamkeys report`)"
        ));
    }
    // Every change is recorded before it is sent: a log that cannot be
    // written would refuse them all, so say so now.
    let audit_warning = AuditLog::new(audit_path.clone()).check().map_err(|err| {
        eyre!(
            "the audit log {} cannot be written ({err}): every change is recorded there before it is sent. Fix the file (a symlink is not followed) or set `audit_log` in the config",
            audit_path.display()
        )
    })?;
    tracing::info!(log = %log_path.display(), audit = %audit_path.display(), profile = %session.profile, "starting");
    runtime()?.block_on(async {
        let org = if cli.global.org {
            let options = connect_options(&cli.global, config, profile.clone());
            let access =
                crate::org::OrgAccess::open(&options, config, cli.global.org_role.as_deref())
                    .await
                    .map_err(|e| eyre!(e.cli_message(&session.profile)))?;
            Some(access)
        } else {
            None
        };
        let client = client(&cli.global, config, profile).await;
        let ledger = ledger_for(&cli.global, config, &client)?;
        let mut session = session;
        session.ledger = ledger.location().to_string();
        session.insecure_endpoint = client
            .endpoint()
            .filter(|url| crate::iam::connect::insecure(url));
        let mut state = State::new(session, keymap, Utc::now());
        state.account.thresholds = config.audit.clone();
        if let Some(warning) = audit_warning {
            tracing::warn!(%warning, "audit log");
            state.view.notice = Some(warning);
        }
        let mut settings = Settings {
            concurrency: config.concurrency,
            audit: Some(AuditLog::new(audit_path.clone())),
            // The demo never leaves the demo: its worker cannot connect
            // to a profile, whatever asks it to.
            connector: (!cli.global.demo).then(|| connector(&cli.global, config)),
            // Changes are checked against this profile (and its account)
            // from the start, not only after a switch.
            profile: Some(state.session.profile.clone()),
            // MFA codes are asked in the UI's dialog.
            codes: UI_CODES.get().cloned(),
            ledger: Some(ledger),
            ..Settings::default()
        };
        if let Some(access) = org {
            tracing::info!(caller = %access.caller.arn, role = %access.spec.role, "--org");
            state.org = Some(crate::account::org::Organization::new(
                access.spec.role.clone(),
                access.spec.session_name.clone(),
                access.caller.account_id.clone(),
                config
                    .org
                    .accounts_at_once
                    .unwrap_or(crate::defaults::ACCOUNTS_AT_ONCE),
            ));
            settings.org = Some(access.connector());
        }
        app::run(client, state, theme().with(&config.theme), settings).await
    })?;
    Ok(ExitCode::SUCCESS)
}
