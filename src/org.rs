//! Starting `--org`: the session of the profile the organization is reached
//! from, the Organizations client, and how each member account is reached
//! (its own credentials for the caller's account, an assumed role for the
//! others). Start-up glue, like `run`.

use std::process::ExitCode;
use std::sync::Arc;

use aws_config::SdkConfig;
use chrono::Utc;
use color_eyre::eyre::{Result, eyre};
use futures::future::BoxFuture;

use crate::cli::ReportArgs;
use crate::config::Config;
use crate::connect::{ConnectOptions, sdk_config};
use crate::headless::org::{Plan, audit_org};
use crate::iam::org::{OrgClient, RoleSpec, SdkOrg, member_client, session_name};
use crate::iam::sdk::SdkIam;
use crate::iam::{IamClient, IamError};
use crate::model::{Identity, OrgAccount};
use crate::report::command::finish_accounts;
use crate::worker::Clients;
use crate::worker::Settings;
use crate::worker::limiter::Limiter;

/// How every account of the organization is reached.
#[derive(Clone)]
pub struct OrgAccess {
    base: SdkConfig,
    /// The caller's own account's client (never a role into it).
    own_client: Arc<SdkIam>,
    /// Who the caller is.
    pub caller: Identity,
    /// The role assumed in the members, and the session's name.
    pub spec: RoleSpec,
    pub org: Arc<dyn OrgClient>,
}

impl OrgAccess {
    /// Connect as the profile, learn who it is, and prepare the role.
    ///
    /// # Errors
    /// `sts:GetCallerIdentity` failed for the profile.
    pub async fn open(
        options: &ConnectOptions,
        config: &Config,
        role_flag: Option<&str>,
    ) -> Result<Self, IamError> {
        let base = sdk_config(options).await;
        let own = SdkIam::new(&base);
        let caller = own.caller_identity().await?;
        let spec = RoleSpec {
            role: config.org.role(role_flag),
            external_id: config.org.external_id.clone(),
            session_name: config
                .org
                .session_name
                .clone()
                .unwrap_or_else(|| session_name(&caller.arn)),
        };
        Ok(Self {
            org: Arc::new(SdkOrg::new(&base)),
            own_client: Arc::new(own),
            base,
            caller,
            spec,
        })
    }

    /// The caller's own account's client (what the ledger is read and
    /// written with).
    #[must_use]
    pub fn own_client(&self) -> Arc<dyn IamClient> {
        self.own_client.clone()
    }

    /// The caller's own account's clients (IAM, CloudTrail, the hand-off).
    #[must_use]
    pub fn own_clients(&self) -> Clients {
        Clients::from(self.own_client.clone())
    }

    /// The client of one account: the caller's own, or a session of the
    /// role in a member (assumed now, so a refusal is known at once).
    #[must_use]
    pub fn connect(&self, account: &OrgAccount) -> BoxFuture<'static, Result<Clients, IamError>> {
        let this = self.clone();
        let id = account.id.clone();
        Box::pin(async move {
            if id == this.caller.account_id {
                return Ok(this.own_clients());
            }
            member_client(&this.base, &this.spec, &id)
                .await
                .map(Clients::from)
        })
    }

    /// How `plan --org --record` and `apply --org` reach an account of a
    /// plan: refused where `[org]` leaves it out or, when `changes` are to
    /// be made, keeps it read-only; else its client (its own for the
    /// caller's account, a role session for a member). `[org]` entries
    /// written as account names are matched against `ListAccounts` first,
    /// as the UI and `report` do.
    ///
    /// # Errors
    /// The organization cannot be listed, or an `[org]` name matches no
    /// account or several: one line, before anything is reached.
    pub async fn reach(
        &self,
        org: crate::config::OrgSettings,
        changes: bool,
    ) -> Result<impl Fn(&str) -> BoxFuture<'static, Result<Clients, String>> + Sync + use<>, String>
    {
        let listed = self.listed().await?;
        org.name_matches(&listed)?;
        org.unmatched_names(&listed)?;
        let names: std::collections::HashMap<String, String> =
            listed.into_iter().map(|a| (a.id, a.name)).collect();
        let access = self.clone();
        Ok(move |id: &str| {
            let name = names.get(id).map_or("", String::as_str);
            if let Some(why) = org.excluded(id, name) {
                let why = format!("account {id} is left out by [org] ({why})");
                return Box::pin(async move { Err(why) }) as BoxFuture<'static, _>;
            }
            if changes && org.read_only_for(id, name) {
                let why = format!("account {id} is read-only ([org]): nothing changed there");
                return Box::pin(async move { Err(why) });
            }
            let account = OrgAccount {
                id: id.to_owned(),
                name: name.to_owned(),
                status: "ACTIVE".to_owned(),
            };
            let connecting = access.connect(&account);
            let id = id.to_owned();
            Box::pin(async move {
                connecting
                    .await
                    .map_err(|e| format!("account {id} cannot be reached ({})", e.in_a_word()))
            })
        })
    }

    /// Every account of the organization, every page (a repeated marker
    /// or a listing past the page limit is an error, as in the audit).
    async fn listed(&self) -> Result<Vec<OrgAccount>, String> {
        let why = |e: &IamError| {
            format!(
                "the organization's accounts cannot be listed to match [org] names ({})",
                e.in_a_word()
            )
        };
        let mut accounts = Vec::new();
        let mut next = None;
        let mut pages = crate::iam::pages::Pages::new();
        loop {
            let page = self.org.list_accounts(next).await.map_err(|e| why(&e))?;
            accounts.extend(page.items);
            match pages
                .next("organizations:ListAccounts", page.next_marker)
                .map_err(|e| why(&e))?
            {
                Some(marker) => next = Some(marker),
                None => return Ok(accounts),
            }
        }
    }

    /// The SDK configuration of an account's own Security Hub: the
    /// caller's for its own account, else a session of the role checked to
    /// answer as that member.
    pub fn hub_for(
        &self,
    ) -> impl Fn(&str) -> BoxFuture<'static, Result<SdkConfig, String>> + Sync + use<> {
        let access = self.clone();
        move |id: &str| {
            let access = access.clone();
            let id = id.to_owned();
            Box::pin(async move {
                if id == access.caller.account_id {
                    return Ok(access.base.clone());
                }
                let config = crate::iam::org::assume(&access.base, &access.spec, &id)
                    .await
                    .map_err(|e| format!("its role cannot be assumed ({})", e.in_a_word()))?;
                crate::iam::org::check_identity(&SdkIam::new(&config), &id)
                    .await
                    .map_err(|e| format!("its session is not that account ({})", e.in_a_word()))?;
                Ok(config)
            })
        }
    }

    /// The worker's way to list the organization and reach its members.
    #[must_use]
    pub fn connector(&self) -> crate::worker::fleet::OrgConnector {
        let access = self.clone();
        crate::worker::fleet::OrgConnector {
            org: self.org.clone(),
            connect: Arc::new(move |account: OrgAccount| access.connect(&account)),
        }
    }
}

/// `iamkeys report --org`.
///
/// # Errors
/// The profile cannot be used, or the organization cannot be listed at all.
pub async fn report(
    options: &ConnectOptions,
    profile: &str,
    args: &ReportArgs,
    config: &Config,
    role_flag: Option<&str>,
) -> Result<ExitCode> {
    let finishing = args.finish().map_err(|e| eyre!(e))?;
    let (mut report, access) = audit_report(
        options,
        profile,
        config,
        role_flag,
        args.key_ids || args.with_access_analyzer,
        args.deadline(),
    )
    .await?;
    if args.with_access_analyzer {
        aws_verdicts(&mut report, &access).await;
    }
    let failures =
        crate::publish::when_asked(&args.hub, &report, &access.base, &access.hub_for()).await;
    Ok(crate::publish::with_hub(
        finish_accounts(report, &finishing),
        &failures,
    ))
}

/// `report --org --with-access-analyzer`: each audited account's AWS
/// verdicts. The organization's unused-access analyzer (in the caller's
/// account) covers every member; without one, each account's own analyzer
/// is asked through its session.
async fn aws_verdicts(report: &mut crate::report::Report, access: &OrgAccess) {
    let own = access.own_clients().analyzer;
    let org_wide = own
        .unused_access()
        .await
        .ok()
        .flatten()
        .filter(|a| a.organization);
    let audited: Vec<OrgAccount> = report
        .accounts
        .iter()
        .filter(|a| a.complete && a.error.is_none() && !a.skipped)
        .filter_map(|a| {
            Some(OrgAccount {
                id: a.account_id.clone()?,
                name: a.account_name.clone().unwrap_or_default(),
                status: "ACTIVE".to_owned(),
            })
        })
        .collect();
    for account in audited {
        if account.id == access.caller.account_id || org_wide.is_some() {
            crate::headless::aws_verdicts::attach(
                report,
                &account.id,
                own.as_ref(),
                org_wide.as_ref(),
            )
            .await;
            continue;
        }
        match access.connect(&account).await {
            Ok(clients) => {
                crate::headless::aws_verdicts::attach(
                    report,
                    &account.id,
                    clients.analyzer.as_ref(),
                    None,
                )
                .await;
            }
            Err(err) => report.notes.push(format!(
                "account {}: IAM Access Analyzer could not be asked ({}): AWS's verdicts are not shown",
                account.id,
                err.in_a_word()
            )),
        }
    }
}

/// The organization audited as `report --org` does it: the report, and how
/// each of its accounts is reached (for `plan --org` and `apply --org`).
///
/// # Errors
/// The profile cannot be used, or the organization cannot be listed at all.
pub async fn audit_report(
    options: &ConnectOptions,
    profile: &str,
    config: &Config,
    role_flag: Option<&str>,
    key_ids: bool,
    deadline: tokio::time::Instant,
) -> Result<(crate::report::Report, OrgAccess)> {
    let access = OrgAccess::open(options, config, role_flag)
        .await
        .map_err(|e| eyre!(e.cli_message(profile)))?;
    tracing::info!(caller = %access.caller.arn, role = %access.spec.role, "audit --org");
    let ledger = crate::ledger::open::for_run(&config.ledger, false, &access.own_client())
        .map_err(|e| eyre!(e))?;
    let settings = Settings {
        concurrency: config.concurrency,
        shared: Some(Limiter::new(config.concurrency)),
        deadline: Some(deadline),
        ledger: Some(ledger),
        ..Settings::default()
    };
    let org_settings = config.org.clone();
    let plan = Plan {
        profile: profile.to_owned(),
        thresholds: config.audit.clone(),
        settings,
        key_ids,
        accounts_at_once: config
            .org
            .accounts_at_once
            .unwrap_or(crate::defaults::ACCOUNTS_AT_ONCE),
        exclude: Box::new(move |a: &OrgAccount| {
            org_settings.excluded(&a.id, &a.name).map(ToOwned::to_owned)
        }),
    };
    let connect = |account: OrgAccount| access.connect(&account);
    let audit = audit_org(access.org.clone(), &connect, &plan).await;
    if audit.members.is_empty()
        && let Some(err) = &audit.listing_error
    {
        return Err(eyre!(err.cli_message(profile)));
    }
    let listed: Vec<OrgAccount> = audit.members.iter().map(|(a, _)| a.clone()).collect();
    let name_warnings = config.org.name_matches(&listed).map_err(|e| eyre!(e))?;
    if audit.listing_error.is_none() {
        // Only a whole listing can tell that a name matches nothing.
        config.org.unmatched_names(&listed).map_err(|e| eyre!(e))?;
    }
    let mut report =
        crate::report::Report::from_org(audit, profile, config.audit.clone(), Utc::now());
    // Centralized root access, as the management account's IAM says.
    let features = access.own_client().organizations_features().await;
    report.centralized_root(features, &access.caller.account_id, profile);
    for warning in name_warnings {
        tracing::warn!(%warning, "an account matched by name");
        report.notes.push(warning.to_string());
    }
    Ok((report, access))
}
