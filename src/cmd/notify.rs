//! `iamkeys notify PLAN`: one notice per owner, by SNS and/or a webhook,
//! each recorded in the ledger. The plan's schema and content are checked
//! (not its age: notices are about dates to come; a plan dated in the
//! future is refused).

use std::process::ExitCode;

use chrono::Utc;
use color_eyre::eyre::{Result, eyre};

use super::start::{Start, runtime};
use crate::cli::NotifyArgs;

/// `iamkeys notify`.
///
/// # Errors
/// The plan does not read or is refused, or the ledger or runtime (exit 2).
pub fn run(start: &Start<'_>, args: &NotifyArgs) -> Result<ExitCode> {
    let config = &start.config;
    let text = crate::bounded::read_required(&args.plan, "the plan", crate::bounded::PLAN)
        .map_err(|e| eyre!(e))?;
    let plan = crate::enforce::apply::read(&text)
        .and_then(|plan| crate::enforce::apply::check_not_future(&plan, Utc::now()).map(|()| plan))
        .and_then(|plan| crate::enforce::apply::check_content(&plan).map(|()| plan))
        .map_err(|e| eyre!("refused: {e}"))?;
    let deadline = tokio::time::Instant::now() + args.timeout;
    runtime()?.block_on(async {
        if args.dry_run {
            return Ok(crate::headless::notify::notify(
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
        let clients = start.clients(start.profile.clone()).await;
        let client = clients.iam.clone();
        let ledger = start.ledger_for(&client)?;
        let sdk = if config.notify.sns_topic_arn.is_some() {
            client.sdk_config()
        } else {
            None
        };
        Ok(crate::headless::notify::notify(
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
