//! `iamkeys plan`: the report's audit, every key listed, then the plan
//! (`--record`: each new due date in the ledger).

use std::io::IsTerminal;
use std::process::ExitCode;

use color_eyre::eyre::{Result, eyre};

use super::start::{Start, runtime};
use crate::cli::PlanArgs;
use crate::headless::account::produce;

/// `iamkeys plan`.
///
/// # Errors
/// The rules, the organization, the ledger or the runtime (exit 2).
pub fn run(start: &Start<'_>, args: &PlanArgs) -> Result<ExitCode> {
    let (global, config) = (start.global(), &start.config);
    tracing::info!(profile = %start.label, org = global.org, "plan");
    config.enforce.rules().map_err(|e| eyre!(e))?;
    let table = match args.format {
        Some(crate::cli::PlanFormat::Table) => true,
        Some(crate::cli::PlanFormat::Json) => false,
        None => args.out.is_none() && std::io::stdout().is_terminal(),
    };
    let settings = start.change_settings(start.audit_log_path(), args.timeout);
    let base = crate::headless::enforce::PlanRun {
        enforce: &config.enforce,
        record: args.record,
        out: args.out.as_deref(),
        table,
        profile: &start.label,
        settings: &settings,
    };
    runtime()?.block_on(async {
        if global.org {
            let options = start.connect_options(start.profile.clone());
            let (report, access) = crate::org::audit_report(
                &options,
                &start.label,
                config,
                global.org_role.as_deref(),
                true,
                tokio::time::Instant::now() + args.timeout,
            )
            .await?;
            let settings = start.with_ledger(&settings, &access.own_client())?;
            let run = crate::headless::enforce::PlanRun {
                settings: &settings,
                ..base
            };
            let caller = Some(access.caller.clone());
            let reach = access
                .reach(config.org.clone(), args.record)
                .await
                .map_err(|e| eyre!(e))?;
            return Ok(crate::headless::enforce::plan(&reach, caller, Ok(report), &run).await);
        }
        let (clients, settings) = start.connected(&settings).await?;
        let client = clients.iam.clone();
        let run = crate::headless::enforce::PlanRun {
            settings: &settings,
            ..base
        };
        let report = produce(
            clients.clone(),
            start.label.clone(),
            config.audit.clone(),
            &settings,
            true,
        )
        .await;
        let caller = client.caller_identity().await.ok();
        let reach = move |_: &str| -> futures::future::BoxFuture<
            'static,
            Result<crate::worker::Clients, String>,
        > {
            // The worker's binding refuses a record for another account.
            let clients = clients.clone();
            Box::pin(async move { Ok(clients) })
        };
        Ok(crate::headless::enforce::plan(&reach, caller, report, &run).await)
    })
}
