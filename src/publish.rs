//! Sending the audit where security teams read it (issue 27): AWS Security
//! Hub in ASFF. [`asff`] is pure (the report's findings as ASFF, and which
//! earlier findings to archive); [`security_hub`] does the IO.

pub mod asff;
pub mod security_hub;

/// How the hub of an account is reached: its SDK configuration (the
/// caller's own, or a role session checked to be that account), or why not.
pub type HubFor<'a> = &'a (
        dyn Fn(&str) -> futures::future::BoxFuture<'static, Result<aws_config::SdkConfig, String>>
            + Sync
    );

/// Send every account's findings of `report` to Security Hub in `region`
/// (else the base configuration's): each account's findings into the hub
/// `hub_for` reaches for it, under that hub's product ARN, or all into
/// `aggregate_into`'s hub. Earlier findings gone from a completely audited
/// account are archived. One line per account on stderr; the failures are
/// returned.
pub async fn to_security_hub(
    report: &crate::report::Report,
    base: &aws_config::SdkConfig,
    hub_for: HubFor<'_>,
    region: Option<&str>,
    aggregate_into: Option<&str>,
) -> Vec<String> {
    use std::io::Write as _;
    let region = region
        .map(ToOwned::to_owned)
        .or_else(|| base.region().map(ToString::to_string))
        .unwrap_or_else(|| "us-east-1".to_owned());
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
    let aggregated = aggregate_into.map(|_| security_hub::Hub::new(base, Some(&region)));
    let mut failures = Vec::new();
    for account in accounts {
        let hub_account = aggregate_into.unwrap_or(&account);
        let findings = asff::findings(report, &account, hub_account, &region, &partition);
        let whole = complete.contains(&account);
        let own;
        let hub = if let Some(hub) = &aggregated {
            hub
        } else {
            match hub_for(&account).await {
                Ok(config) => {
                    own = security_hub::Hub::new(&config, Some(&region));
                    &own
                }
                Err(why) => {
                    let line = format!("security hub ({region}): account {account}: {why}");
                    let _ = writeln!(std::io::stderr(), "iamkeys: {line}");
                    failures.push(line);
                    continue;
                }
            }
        };
        let product = asff::product_arn(&partition, &region, hub_account);
        let line = match Box::pin(hub.publish(
            &findings,
            &account,
            &product,
            whole,
            report.generated_at,
        ))
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
