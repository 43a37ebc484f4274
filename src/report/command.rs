//! Running `iamkeys report`: load the account headlessly (the same
//! `Account` and worker as the UI, without a view), then write the report
//! and choose the exit code.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::format::{Format, render};
use super::load::load_account;
use super::{FailOn, Report};
use crate::account::{Account, IdentityStatus, ListStatus};
use crate::audit::Thresholds;
use crate::iam::IamClient;
use crate::worker::Settings;

/// How long a whole report may take before it is abandoned.
const TIMEOUT: Duration = Duration::from_mins(30);

/// Exit codes: nothing at or above `--fail-on`, findings, error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Load the account and build the report.
///
/// # Errors
/// One line saying what failed and how to fix it.
pub async fn produce(
    client: Arc<dyn IamClient>,
    profile: String,
    thresholds: Thresholds,
    settings: &Settings,
    key_ids: bool,
) -> Result<Report, String> {
    let mut account = Account::new(thresholds, key_ids, Utc::now());
    load_account(&mut account, client, settings, TIMEOUT).await?;
    let say = |err: &crate::iam::IamError| err.cli_message(&profile);
    if let IdentityStatus::Failed(err) = &account.identity {
        return Err(say(err));
    }
    if let ListStatus::Failed(err) = &account.list {
        return Err(say(err));
    }
    // A failed credential report, a user whose keys or password could not
    // be read: the report is still made, with each gap named in its notes,
    // and marked incomplete (exit 2). One user's failure never discards
    // the others.
    Ok(Report::from_account(&account, &profile, Utc::now()))
}

/// Write the report where asked and pick the exit code.
#[must_use]
pub fn finish(
    report: &Report,
    format: Format,
    fail_on: &FailOn,
    output: Option<&std::path::Path>,
) -> ExitCode {
    let text = match render(report, format) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("iamkeys report: cannot format the report: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let written = if let Some(path) = output {
        std::fs::write(path, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    } else {
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            // A reader that has seen enough (`| head`) closed the pipe: not
            // an error, and nothing to say; the exit code is the audit's.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| format!("cannot write the report to stdout: {e}")),
        }
    };
    if let Err(err) = written {
        eprintln!("iamkeys report: {err}");
        return ExitCode::from(EXIT_ERROR);
    }
    if !report.complete {
        eprintln!(
            "iamkeys report: the audit is incomplete ({} gaps, named in the notes); exit 2",
            report.gaps.len()
        );
        for gap in &report.gaps {
            eprintln!("iamkeys report: {gap}");
        }
        return ExitCode::from(EXIT_ERROR);
    }
    if report.fails(fail_on) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::from(EXIT_CLEAN)
    }
}

/// [`finish`] for a report of several accounts (several profiles, or an
/// organization): every account that failed is named on stderr, and any
/// failure makes the exit code 2, after everything else was written.
#[must_use]
pub fn finish_accounts(
    report: &Report,
    format: Format,
    fail_on: &FailOn,
    output: Option<&std::path::Path>,
) -> ExitCode {
    let code = finish(report, format, fail_on, output);
    let mut failed = false;
    for account in report.failed() {
        failed = true;
        let who = match &account.account_name {
            Some(name) => format!(
                "account {name} ({})",
                account.account_id.as_deref().unwrap_or("?")
            ),
            None => format!("profile {}", account.profile),
        };
        eprintln!(
            "iamkeys report: {who}: {}",
            account.error.as_deref().unwrap_or("failed")
        );
    }
    if failed {
        ExitCode::from(EXIT_ERROR)
    } else {
        code
    }
}
