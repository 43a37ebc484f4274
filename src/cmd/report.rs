//! `iamkeys report`: one profile's account, its organization (`--org`), or
//! several profiles (`--profiles`, `--all-profiles`); then Security Hub.

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

use super::start::{Start, runtime, warn_if_insecure};
use crate::cli::ReportArgs;
use crate::connect::connect;
use crate::headless::account::produce;
use crate::report::command::{finish, finish_accounts};
use crate::worker::Settings;

/// `iamkeys report`.
///
/// # Errors
/// A flag that cannot be used here, the profile, the organization or the
/// runtime (exit 2).
pub fn run(start: &Start<'_>, args: &ReportArgs) -> Result<ExitCode> {
    let global = start.global();
    if args.hub.security_hub_aggregate {
        return Err(eyre!(crate::publish::NO_AGGREGATE));
    }
    if args.all_profiles || !args.profiles.is_empty() {
        if global.org {
            return Err(eyre!(
                "--org audits the accounts of one profile's organization: use it without --profiles or --all-profiles"
            ));
        }
        if args.hub.security_hub {
            return Err(eyre!(
                "--security-hub sends one profile's or one organization's findings: use it without --profiles or --all-profiles"
            ));
        }
        return many(start, args);
    }
    if global.org {
        tracing::info!(profile = %start.label, "report --org");
        let options = start.connect_options(start.profile.clone());
        return runtime()?.block_on(crate::org::report(
            &options,
            &start.label,
            args,
            &start.config,
            global.org_role.as_deref(),
        ));
    }
    tracing::info!(profile = %start.label, "report");
    let finishing = args.finish().map_err(|e| eyre!(e))?;
    if args.hub.security_hub && global.demo {
        return Err(eyre!(
            "--security-hub sends to AWS: it cannot be used with --demo"
        ));
    }
    runtime()?.block_on(async {
        let (clients, settings) = start
            .connected(&Settings {
                concurrency: start.config.concurrency,
                deadline: Some(args.deadline()),
                ..Settings::default()
            })
            .await?;
        // The profile's own configuration (its MFA session included), for
        // Security Hub; the demo has none (and is refused it above).
        let base = clients
            .iam
            .sdk_config()
            .unwrap_or_else(|| aws_config::SdkConfig::builder().build());
        let mut report = produce(
            clients,
            start.label.clone(),
            start.config.audit.clone(),
            &settings,
            args.key_ids || args.with_access_analyzer,
        )
        .await
        .map_err(|reason| eyre!(reason))?;
        if args.with_access_analyzer {
            let analyzer: Box<dyn crate::analyzer::Analyzer> = if global.demo {
                Box::new(crate::analyzer::NoAnalyzer)
            } else {
                Box::new(crate::analyzer::SdkAnalyzer::new(&base))
            };
            if let Some(account) = report.account_id.clone() {
                crate::headless::aws_verdicts::attach(
                    &mut report,
                    &account,
                    analyzer.as_ref(),
                    None,
                )
                .await;
            }
        }
        let failures =
            crate::publish::when_asked(&args.hub, &report, &base, &crate::publish::own_hub(&base))
                .await;
        Ok(crate::publish::with_hub(
            finish(report, &finishing),
            &failures,
        ))
    })
}

/// One profile of several audited with its own clients and ledger.
async fn audit_one(
    start: &Start<'_>,
    args: &ReportArgs,
    settings: &Settings,
    clients: crate::worker::Clients,
    name: &str,
) -> Result<crate::report::Report, String> {
    let config = &start.config;
    let client = clients.iam.clone();
    warn_if_insecure(client.as_ref());
    let profile = start.label_of(Some(name));
    // Each profile reads the ledger with its own credentials.
    let ledger = crate::ledger::open::for_run(&config.ledger, false, &client)?;
    let settings = Settings {
        ledger: Some(ledger),
        ..settings.clone()
    };
    produce(
        clients,
        profile,
        config.audit.clone(),
        &settings,
        args.key_ids,
    )
    .await
}

/// `iamkeys report` over several profiles (see `report::many`).
fn many(start: &Start<'_>, args: &ReportArgs) -> Result<ExitCode> {
    let finishing = args.finish().map_err(|e| eyre!(e))?;
    let config = &start.config;
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
        // Who each profile is first (one sts:GetCallerIdentity each): two
        // profiles that reach one account audit it once.
        let connected = crate::headless::many::audit_profiles(names, &known, |name: String| {
            Box::pin(async move {
                // Each profile of the list is named: its own credentials.
                let options = start.connect_options(Some(name.clone())).named();
                let clients = crate::worker::Clients::from(connect(&options).await);
                // A profile that cannot say who it is cannot be audited:
                // its error, as the audit would give it.
                let identity = clients.iam.caller_identity().await;
                let account = identity
                    .map_err(|e| e.cli_message(&start.label_of(Some(&name))))?
                    .account_id;
                Ok((clients, account))
            })
        })
        .await;
        let accounts: Vec<(String, Option<String>)> = connected
            .iter()
            .map(|(name, c)| (name.clone(), c.as_ref().ok().map(|(_, a)| a.clone())))
            .collect();
        let same = crate::headless::many::same_accounts(&accounts);
        let audits =
            connected
                .into_iter()
                .zip(same)
                .map(|((name, connected), (_, same))| async move {
                    let part = match (connected, same) {
                        (Err(error), _) => crate::report::Part::Failed(error),
                        (Ok((_, account_id)), Some(as_profile)) => {
                            crate::report::Part::SameAccount {
                                account_id,
                                as_profile,
                            }
                        }
                        (Ok((clients, _)), None) => crate::headless::many::part(
                            audit_one(start, args, settings, clients, &name).await,
                        ),
                    };
                    (name, part)
                });
        let parts = crate::headless::many::in_profile_order(audits).await;
        let report = crate::report::Report::merge(parts, config.audit.clone(), Utc::now());
        Ok(finish_accounts(report, &finishing))
    })
}
