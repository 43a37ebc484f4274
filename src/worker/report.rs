//! Fetching the credential report: ask IAM to generate it, then fetch it,
//! polling with a growing wait while it is being generated (and backing off
//! on throttling) instead of spinning.

use std::time::Duration;

use crate::iam::{ErrorKind, IamClient, IamError};
use crate::model::{CredentialReport, ReportState};

/// How many times to ask for a credential report that is still being generated.
const REPORT_POLLS: u32 = 30;

fn not_ready(err: &IamError) -> bool {
    matches!(
        err.kind,
        ErrorKind::ReportInProgress | ErrorKind::ReportNotPresent | ErrorKind::Throttling
    )
}

/// `GenerateCredentialReport` once; then `GetCredentialReport` — at once
/// when IAM says the report is complete, else after `backoff`, growing by
/// half each poll up to 5 s. A report still unready after every poll is an
/// error.
pub(super) async fn fetch(
    client: &dyn IamClient,
    backoff: Duration,
) -> Result<CredentialReport, IamError> {
    let started = chrono::Utc::now();
    let mut wait = backoff;
    let mut complete = false;
    for _ in 0..REPORT_POLLS {
        match client.generate_credential_report().await {
            Ok(state) => {
                complete = state == ReportState::Complete;
                break;
            }
            // Throttled: back off and ask again.
            Err(err) if err.kind == ErrorKind::Throttling => {
                tokio::time::sleep(wait).await;
                wait = grow(wait);
            }
            Err(err) => return Err(err),
        }
    }
    if !complete {
        tokio::time::sleep(wait).await;
        wait = grow(wait);
    }
    for _ in 0..REPORT_POLLS {
        match client.get_credential_report().await {
            Err(err) if not_ready(&err) => {
                tokio::time::sleep(wait).await;
                wait = grow(wait);
            }
            Ok(mut report) => {
                // A report IAM already had may be hours old; one it started
                // for this run is current — if its date agrees.
                let started_here = !complete;
                let plausible = report.generated_at >= started - chrono::TimeDelta::minutes(5)
                    && report.generated_at <= chrono::Utc::now() + chrono::TimeDelta::minutes(5);
                report.fresh = started_here && plausible;
                report.odd_date = started_here && !plausible;
                return Ok(report);
            }
            Err(err) => return Err(err),
        }
    }
    Err(IamError::new(
        ErrorKind::ReportInProgress,
        "iam:GetCredentialReport",
        "the credential report was still being generated after many polls",
    ))
}

fn grow(wait: Duration) -> Duration {
    (wait * 3 / 2).min(Duration::from_secs(5))
}
