//! Sending the audit where security teams read it (issue 27): AWS Security
//! Hub in ASFF. [`asff`] is pure (the report's findings as ASFF, and which
//! earlier findings to archive); [`security_hub`] does the IO.

pub mod asff;
#[cfg(feature = "security-hub")]
pub mod security_hub;

/// Why a build without the `security-hub` cargo feature sends nothing.
pub const NOT_BUILT: &str = "this iamkeys was built without Security Hub (cargo feature `security-hub`): use a default build";

/// How the hub of an account is reached: its SDK configuration (the
/// caller's own, or a role session checked to be that account), or why not.
pub type HubFor<'a> = &'a (
        dyn Fn(&str) -> futures::future::BoxFuture<'static, Result<aws_config::SdkConfig, String>>
            + Sync
    );

/// Every account's hub is the caller's own (a one-account run).
pub fn own_hub(
    base: &aws_config::SdkConfig,
) -> impl Fn(&str) -> futures::future::BoxFuture<'static, Result<aws_config::SdkConfig, String>>
+ Sync
+ use<> {
    let own = base.clone();
    move |_: &str| {
        let config = own.clone();
        Box::pin(async move { Ok(config) })
            as futures::future::BoxFuture<'static, Result<aws_config::SdkConfig, String>>
    }
}

/// `--security-hub`, when asked (the one place both `report` and `report
/// --org` send from): the failures, each said on stderr.
#[cfg_attr(not(feature = "security-hub"), allow(clippy::unused_async))]
pub async fn when_asked(
    hub: &crate::cli::SecurityHubArgs,
    report: &crate::report::Report,
    base: &aws_config::SdkConfig,
    hub_for: HubFor<'_>,
) -> Vec<String> {
    if !hub.security_hub {
        return Vec::new();
    }
    #[cfg(not(feature = "security-hub"))]
    {
        use std::io::Write as _;
        let _ = (report, base, hub_for);
        let line = format!("security hub: {NOT_BUILT}");
        let _ = writeln!(std::io::stderr(), "iamkeys: {line}");
        vec![line]
    }
    #[cfg(feature = "security-hub")]
    Box::pin(to_security_hub(
        report,
        base,
        hub_for,
        hub.security_hub_region.as_deref(),
    ))
    .await
}

/// A run's exit code once its findings went to Security Hub: a failure
/// there makes it 2 (the report itself was written).
#[must_use]
pub fn with_hub(code: std::process::ExitCode, failures: &[String]) -> std::process::ExitCode {
    if failures.is_empty() {
        code
    } else {
        std::process::ExitCode::from(crate::report::command::EXIT_ERROR)
    }
}

/// Why `--security-hub-aggregate` is refused (one line).
pub const NO_AGGREGATE: &str = "--security-hub-aggregate is refused: Security Hub's BatchImportFindings takes a finding under the default product ARN only from the account in its AwsAccountId, so members' findings cannot be imported into the caller's hub. Without the flag each member's findings go to its own hub with a session of that member, and a delegated administrator sees them all through Security Hub's cross-account aggregation";

/// Send every account's findings of `report` to Security Hub in `region`
/// (else the base configuration's): each account's findings into the hub
/// `hub_for` reaches for it (a session of that account: AWS imports a
/// finding under the default product ARN only from the account it is in),
/// under that account's product ARN. Earlier findings gone from a
/// completely audited account are archived. One line per account on
/// stderr; the failures are returned.
#[cfg(feature = "security-hub")]
pub async fn to_security_hub(
    report: &crate::report::Report,
    base: &aws_config::SdkConfig,
    hub_for: HubFor<'_>,
    region: Option<&str>,
) -> Vec<String> {
    use std::fmt::Write as _;
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
    let mut failures = Vec::new();
    for account in accounts {
        let findings = asff::findings(report, &account, &region, &partition);
        let whole = complete.contains(&account);
        let hub = match hub_for(&account).await {
            Ok(config) => security_hub::Hub::new(&config, Some(&region)),
            Err(why) => {
                let line = format!("security hub ({region}): account {account}: {why}");
                let _ = writeln!(std::io::stderr(), "iamkeys: {line}");
                failures.push(line);
                continue;
            }
        };
        let product = asff::product_arn(&partition, &region, &account);
        let line = match Box::pin(hub.publish(
            &findings,
            &account,
            &product,
            whole,
            report.generated_at,
        ))
        .await
        {
            Ok(sent) => {
                let mut line = format!(
                    "security hub ({region}): account {account}: {} finding(s) imported, {} archived{}",
                    sent.imported,
                    sent.archived,
                    if whole {
                        ""
                    } else {
                        " (audit incomplete: nothing archived)"
                    }
                );
                if sent.workflow > 0 {
                    let _ = write!(line, ", {} workflow(s) updated", sent.workflow);
                }
                if !sent.refused.is_empty() {
                    let _ = write!(
                        line,
                        ", {} refused: {}",
                        sent.refused.len(),
                        crate::text::clean(&sent.refused.join("; "))
                    );
                    failures.push(line.clone());
                }
                line
            }
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
