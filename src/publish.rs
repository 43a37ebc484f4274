//! Sending the audit where security teams read it (issue 27): AWS Security
//! Hub in ASFF. [`asff`] is pure (the report's findings as ASFF, and which
//! earlier findings to archive); [`security_hub`] does the IO.

pub mod asff;
pub mod security_hub;

/// Send every account's findings of `report` to Security Hub (the hub of
/// `config`'s account in `region`, or the config's region): each account's
/// findings under its own product ARN, or all under `aggregate_into`'s.
/// Earlier findings gone from a completely audited account are archived.
/// One line per account on stderr; the failures are returned.
pub async fn to_security_hub(
    report: &crate::report::Report,
    config: &aws_config::SdkConfig,
    region: Option<&str>,
    aggregate_into: Option<&str>,
) -> Vec<String> {
    use std::io::Write as _;
    let region = region
        .map(ToOwned::to_owned)
        .or_else(|| config.region().map(ToString::to_string))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let hub = security_hub::Hub::new(config, Some(&region));
    let complete = asff::complete_accounts(report);
    let mut accounts: Vec<String> = report
        .accounts
        .iter()
        .filter(|a| a.error.is_none() && !a.skipped)
        .filter_map(|a| a.account_id.clone())
        .collect();
    if accounts.is_empty() {
        accounts.extend(report.account_id.clone());
    }
    let partition = report
        .users
        .first()
        .and_then(|u| u.arn.split(':').nth(1))
        .unwrap_or("aws")
        .to_owned();
    let mut failures = Vec::new();
    for account in accounts {
        let hub_account = aggregate_into.unwrap_or(&account);
        let findings = asff::findings(report, &account, hub_account, &region, &partition);
        let whole = complete.contains(&account);
        let line = match Box::pin(hub.publish(&findings, &account, whole, report.generated_at))
            .await
        {
            Ok((imported, archived)) => format!(
                "security hub ({region}): account {account}: {imported} finding(s) imported, {archived} archived{}",
                if whole {
                    ""
                } else {
                    " (audit incomplete: nothing archived)"
                }
            ),
            Err(why) => {
                let line = format!("security hub ({region}): account {account}: {why}");
                failures.push(line.clone());
                line
            }
        };
        let _ = writeln!(std::io::stderr(), "iamkeys: {line}");
    }
    failures
}
