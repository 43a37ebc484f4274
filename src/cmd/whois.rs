//! `iamkeys whois KEY_ID...`: the account each key belongs to, and the
//! user holding it (see `headless::whois`). Key IDs are checked before
//! anything is asked.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

use color_eyre::eyre::{Result, eyre};
use futures::future::BoxFuture;

use super::start::{Start, runtime};
use crate::cli::{PlanFormat, WhoisArgs};
use crate::headless::whois::{Answer, whois};
use crate::iam::IamClient;
use crate::model::is_key_shaped;

/// `iamkeys whois`.
///
/// # Errors
/// A key ID not shaped like one, the profile, the organization or the
/// runtime (exit 2).
pub fn run(start: &Start<'_>, args: &WhoisArgs) -> Result<ExitCode> {
    if let Some(bad) = args.keys.iter().find(|k| !is_key_shaped(k)) {
        return Err(eyre!(
            "refused: `{}` is not shaped like an access key ID (AKIA or ASIA, then 16 capital letters and digits): nothing was asked",
            crate::text::clean(bad)
        ));
    }
    let answers = runtime()?.block_on(async {
        let own: Arc<dyn IamClient> = start.clients(start.profile.clone()).await.iam;
        let caller = own
            .caller_identity()
            .await
            .map_err(|e| eyre!(e.cli_message(&start.label)))?;
        let members = if start.global().org && !start.global().demo {
            let options = start.connect_options(start.profile.clone());
            let access = crate::org::OrgAccess::open(
                &options,
                &start.config,
                start.global().org_role.as_deref(),
            )
            .await
            .map_err(|e| eyre!(e.cli_message(&start.label)))?;
            Some(
                access
                    .reach(start.config.org.clone(), false)
                    .await
                    .map_err(|e| eyre!(e))?,
            )
        } else {
            None
        };
        let reach = |account: &str| -> BoxFuture<'static, Result<Arc<dyn IamClient>, String>> {
            if account == caller.account_id {
                let own = own.clone();
                return Box::pin(async move { Ok(own) });
            }
            if let Some(reach) = &members {
                let reaching = reach(account);
                Box::pin(async move { reaching.await.map(|clients| clients.iam) })
            } else {
                let why = format!(
                    "account {account} is not the caller's; --org reaches an organization's members"
                );
                Box::pin(async move { Err(why) })
            }
        };
        let mut answers = Vec::new();
        for key in &args.keys {
            answers.push(whois(own.as_ref(), &reach, key).await);
        }
        Ok::<_, color_eyre::eyre::Report>(answers)
    })?;
    print(&answers, args.format)?;
    let code = if answers.iter().any(|a| a.failed) {
        2
    } else {
        u8::from(!answers.iter().all(|a| a.found))
    };
    Ok(ExitCode::from(code))
}

fn print(answers: &[Answer], format: PlanFormat) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for answer in answers {
        let line = match format {
            PlanFormat::Table => answer.line(),
            PlanFormat::Json => serde_json::to_string(answer).map_err(|e| eyre!(e))?,
        };
        writeln!(out, "{line}").map_err(|e| eyre!("cannot write the answer: {e}"))?;
    }
    Ok(())
}
