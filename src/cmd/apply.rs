//! `iamkeys apply PLAN`: each account of the plan audited afresh, each due
//! action re-derived and re-checked, then acted on (see `headless::enforce`).

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

use super::start::{Start, runtime};
use crate::cli::ApplyArgs;
use crate::headless::account::produce;
use crate::worker::Settings;

/// `iamkeys apply`.
///
/// # Errors
/// The plan is refused, the run is read-only, the audit log cannot be
/// written, or the organization, ledger or runtime (exit 2).
pub fn run(start: &Start<'_>, args: &ApplyArgs) -> Result<ExitCode> {
    let (global, config) = (start.global(), &start.config);
    tracing::info!(profile = %start.label, plan = %args.plan.display(), "apply");
    let plan = match crate::headless::enforce::load_plan(
        &args.plan,
        Utc::now(),
        config.enforce.max_plan_age_hours,
    ) {
        Ok(plan) => plan,
        Err(err) => return Err(eyre!("refused: {err}")),
    };
    if start.read_only() && !args.dry_run {
        return Err(eyre!(
            "refused: profile {} is read-only here (--read-only or the config): use --dry-run",
            start.label
        ));
    }
    let audit_path = start.writable_audit_log()?;
    let settings = start.change_settings(audit_path, args.timeout);
    let runtime = runtime()?;
    let protected = runtime.block_on(crate::connect::provider::long_term_keys(
        &start.connect_options(start.profile.clone()),
    ));
    let base = crate::headless::enforce::ApplyRun {
        plan_path: &args.plan,
        max_changes: args.max_changes.unwrap_or(config.enforce.max_changes),
        max_plan_age_hours: config.enforce.max_plan_age_hours,
        dry_run: args.dry_run,
        yes: args.yes,
        json: args.format == crate::cli::ApplyFormat::Json,
        profile: &start.label,
        settings: &settings,
        protected: &protected,
        enforce: &config.enforce,
    };
    runtime.block_on(async {
        if global.org {
            let options = start.connect_options(start.profile.clone());
            let access =
                crate::org::OrgAccess::open(&options, config, global.org_role.as_deref())
                    .await
                    .map_err(|e| eyre!(e.cli_message(&start.label)))?;
            let settings = start.with_ledger(&settings, &access.own_client())?;
            let run = crate::headless::enforce::ApplyRun {
                settings: &settings,
                ..base
            };
            // A dry run is refused where the real run would be (a
            // read-only account), and says so.
            let reach = access
                .reach(config.org.clone(), true)
                .await
                .map_err(|e| eyre!(e))?;
            return Ok(
                crate::headless::enforce::apply(&plan, &reach, &audit_of(start, &settings), &run).await,
            );
        }
        let (clients, settings) = start.connected(&settings).await?;
        let client = clients.iam.clone();
        let run = crate::headless::enforce::ApplyRun {
            settings: &settings,
            ..base
        };
        let session_account = client
            .caller_identity()
            .await
            .map_err(|e| eyre!(e.cli_message(&start.label)))?
            .account_id;
        let reach = move |id: &str| -> futures::future::BoxFuture<
            'static,
            Result<crate::worker::Clients, String>,
        > {
            let answer = if id == session_account {
                Ok(clients.clone())
            } else {
                Err(format!(
                    "in account {id}, and this session is in {session_account} (apply --org reaches an organization's accounts)"
                ))
            };
            Box::pin(async move { answer })
        };
        Ok(crate::headless::enforce::apply(&plan, &reach, &audit_of(start, &settings), &run).await)
    })
}

/// The audit before acting: read as `report` does, with no audit log (it
/// changes nothing) and the same ledger.
fn audit_of(
    start: &Start<'_>,
    settings: &Settings,
) -> impl Fn(
    crate::worker::Clients,
) -> futures::future::BoxFuture<'static, Result<crate::report::Report, String>>
+ Sync
+ use<> {
    let audit_settings = Settings {
        audit: None,
        ..settings.clone()
    };
    let profile = start.label.clone();
    let thresholds = start.config.audit.clone();
    move |client: crate::worker::Clients| {
        let (settings, profile, thresholds) =
            (audit_settings.clone(), profile.clone(), thresholds.clone());
        Box::pin(async move { produce(client, profile, thresholds, &settings, true).await })
            as futures::future::BoxFuture<'static, Result<crate::report::Report, String>>
    }
}
