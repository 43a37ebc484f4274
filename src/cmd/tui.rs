//! The terminal UI: its session, its worker's settings, and the screen.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

use super::start::{Start, runtime};
use crate::audit_log::AuditLog;
use crate::config::Config;
use crate::connect::connect;
use crate::state::{Session, State};
use crate::ui::Theme;
use crate::worker::{Clients, Connector, Settings};

fn theme() -> Theme {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        Theme::monochrome()
    } else {
        Theme::default()
    }
}

/// What the UI's session is, from the command line and the config.
fn session(start: &Start<'_>) -> Session {
    let (global, config) = (start.global(), &start.config);
    let posture = config.posture(global.read_only);
    Session {
        read_only: start.read_only(),
        posture,
        demo: global.demo,
        credentials_file: if global.demo {
            None
        } else {
            crate::credentials_file::default_path()
        },
        ledger: if global.demo {
            crate::ledger::Location::Memory.to_string()
        } else {
            config
                .ledger
                .location()
                .map_or_else(|e| e, |l| l.to_string())
        },
        profile: start.label.clone(),
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

/// How the UI connects to another profile (`p`): the same options as at
/// start-up, the profile named (its own credentials only).
fn connector(start: &Start<'_>) -> Connector {
    let template = start.connect_options(None);
    Connector(Arc::new(move |profile: String| {
        let options = crate::connect::ConnectOptions {
            profile: Some(profile),
            ..template.clone()
        }
        .named();
        Box::pin(async move { Clients::from(connect(&options).await) })
    }))
}

/// The terminal UI, after the checks every command shares.
///
/// # Errors
/// No terminal, an audit log that cannot be written, the organization,
/// the ledger, or the terminal itself.
pub fn run(
    start: &Start<'_>,
    keymap: crate::keymap::Keymap,
    log_path: &std::path::Path,
) -> Result<ExitCode> {
    let (global, config): (_, &Config) = (start.global(), &start.config);
    let audit_path = start.audit_log_path();
    let plain = global.display.plain || std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if !plain && !std::io::stdout().is_terminal() {
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
    let session = session(start);
    tracing::info!(log = %log_path.display(), audit = %audit_path.display(), profile = %session.profile, "starting");
    runtime()?.block_on(async {
        let org = if global.org {
            let options = start.connect_options(start.profile.clone());
            let access = crate::org::OrgAccess::open(&options, config, global.org_role.as_deref())
                .await
                .map_err(|e| eyre!(e.cli_message(&session.profile)))?;
            Some(access)
        } else {
            None
        };
        let clients = start.clients(start.profile.clone()).await;
        let client = clients.iam.clone();
        let ledger = start.ledger_for(&client)?;
        let mut session = session;
        session.ledger = ledger.location().to_string();
        session.insecure_endpoint = client
            .endpoint()
            .filter(|url| crate::connect::insecure(url));
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
            connector: (!global.demo).then(|| connector(start)),
            // Changes are checked against this profile (and its account)
            // from the start, not only after a switch.
            profile: Some(state.session.profile.clone()),
            // MFA codes are asked in the UI's dialog.
            codes: start.mfa.ui.clone(),
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
        if plain {
            let input = tokio::io::BufReader::new(tokio::io::stdin());
            return crate::plain::run(clients, state, &settings, input, &mut std::io::stdout())
                .await
                .map_err(|e| eyre!("cannot write the output: {e}"));
        }
        crate::app::run(clients, state, theme().with(&config.theme), settings).await
    })?;
    Ok(ExitCode::SUCCESS)
}
