//! `report --with-access-analyzer`: IAM Access Analyzer asked for an
//! account's unused-access findings, and AWS's verdicts put in the report
//! beside IAM's facts. What could not be read is a note: the report's own
//! audit never depends on it.

use crate::analyzer::{Analyzer, UnusedAnalyzer};
use crate::report::Report;

/// Ask `analyzer` (or use `known`, an organization's analyzer already
/// found) for `account`'s findings and add its verdicts to `report`.
pub async fn attach(
    report: &mut Report,
    account: &str,
    analyzer: &dyn Analyzer,
    known: Option<&UnusedAnalyzer>,
) {
    let whose = if report.accounts.len() > 1 {
        format!("account {account}: ")
    } else {
        String::new()
    };
    let note = |err: &crate::iam::IamError| {
        format!(
            "{whose}IAM Access Analyzer could not be read ({} {}): AWS's verdicts are not shown",
            err.action,
            err.in_a_word()
        )
    };
    let found = match known {
        Some(found) => Ok(Some(found.clone())),
        None => analyzer.unused_access().await,
    };
    match found {
        Err(err) => report.notes.push(note(&err)),
        Ok(None) => report.notes.push(format!(
            "{whose}no IAM Access Analyzer unused-access analyzer covers the account: AWS's verdicts are not shown"
        )),
        Ok(Some(found)) => match analyzer.user_findings(&found, account).await {
            Err(err) => report.notes.push(note(&err)),
            Ok(findings) => {
                report.notes.push(format!(
                    "{whose}AWS's verdicts: IAM Access Analyzer {} ({}-day tracking; it evaluates users older than that, once a day)",
                    found.arn, found.tracking_days
                ));
                let verdicts = crate::report::aws_verdicts::of(
                    report,
                    account,
                    &findings,
                    found.tracking_days,
                    report.generated_at,
                );
                report
                    .aws_verdicts
                    .get_or_insert_with(Vec::new)
                    .extend(verdicts);
            }
        },
    }
    report.aws_verdicts.get_or_insert_with(Vec::new);
}
