//! Fetching the credential report: generate until complete, backing off, then get.

use std::time::Duration;

use crate::iam::{ErrorKind, IamClient, IamError};
use crate::model::{CredentialReport, ReportState};

/// How many times to ask for a credential report that is still being generated.
const REPORT_POLLS: u32 = 30;

/// Generate the report until IAM says it is complete, backing off between
/// polls (also on throttling), then fetch it. A report still unready after
/// every poll is an error.
pub(super) async fn fetch(
    client: &dyn IamClient,
    backoff: Duration,
) -> Result<CredentialReport, IamError> {
    let mut wait = backoff;
    for _ in 0..REPORT_POLLS {
        let state = match client.generate_credential_report().await {
            Ok(state) => state,
            // Throttling: back off and poll again. A network failure has
            // already been retried by the SDK: report it.
            Err(err) if err.kind == ErrorKind::Throttling => ReportState::InProgress,
            Err(err) => return Err(err),
        };
        if state == ReportState::Complete {
            match client.get_credential_report().await {
                Err(err)
                    if matches!(
                        err.kind,
                        ErrorKind::ReportInProgress | ErrorKind::ReportNotPresent
                    ) || err.kind == ErrorKind::Throttling => {}
                other => return other,
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 3 / 2).min(Duration::from_secs(5));
    }
    Err(IamError::new(
        ErrorKind::ReportInProgress,
        "iam:GenerateCredentialReport",
        "the credential report was still being generated after many polls",
    ))
}
