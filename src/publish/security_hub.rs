//! Security Hub's API (IO): `BatchImportFindings` in batches of 100,
//! backing off while throttled, and `GetFindings` of iamkeys's own earlier
//! findings, to archive those gone from a complete run.

use std::time::Duration;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, Compliance, ComplianceStatus, Recommendation,
    RecordState, Remediation, Resource, Severity, SeverityLabel, StringFilter,
    StringFilterComparison, Workflow, WorkflowStatus,
};
use chrono::{DateTime, SecondsFormat, Utc};

use super::asff::{Asff, Existing, GENERATOR_PREFIX, TYPE};

/// At most this many findings per `BatchImportFindings`.
const BATCH: usize = 100;
/// Tries of one batch while Security Hub throttles it.
const THROTTLED_TRIES: u32 = 6;

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn to_sdk(a: &Asff) -> AwsSecurityFinding {
    let mut finding = AwsSecurityFinding::builder()
        .schema_version("2018-10-08")
        .id(&a.id)
        .product_arn(&a.product_arn)
        .generator_id(&a.generator_id)
        .aws_account_id(&a.account_id)
        .types(TYPE)
        .created_at(time(a.created_at))
        .updated_at(time(a.updated_at))
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(a.severity))
                .build(),
        )
        .title(&a.title)
        .description(&a.description)
        .remediation(
            Remediation::builder()
                .recommendation(Recommendation::builder().text(&a.remediation).build())
                .build(),
        )
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::from(a.compliance))
                .build(),
        )
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(a.workflow))
                .build(),
        )
        .record_state(RecordState::from(a.record_state));
    for r in &a.resources {
        finding = finding.resources(Resource::builder().r#type(r.kind).id(&r.id).build());
    }
    finding.build()
}

/// An earlier finding sent again, archived: it passed in this run.
fn archived(old: &AwsSecurityFinding, now: DateTime<Utc>) -> AwsSecurityFinding {
    let mut finding = AwsSecurityFinding::builder()
        .schema_version(old.schema_version().unwrap_or("2018-10-08"))
        .set_id(old.id().map(ToOwned::to_owned))
        .set_product_arn(old.product_arn().map(ToOwned::to_owned))
        .set_generator_id(old.generator_id().map(ToOwned::to_owned))
        .set_aws_account_id(old.aws_account_id().map(ToOwned::to_owned))
        .set_types(Some(old.types().to_vec()))
        .set_created_at(old.created_at().map(ToOwned::to_owned))
        .updated_at(time(now))
        .set_severity(old.severity().cloned())
        .set_title(old.title().map(ToOwned::to_owned))
        .set_description(old.description().map(ToOwned::to_owned))
        .set_remediation(old.remediation().cloned())
        .set_resources(Some(old.resources().to_vec()))
        .compliance(
            Compliance::builder()
                .status(ComplianceStatus::Passed)
                .build(),
        )
        .record_state(RecordState::Archived);
    if let Some(workflow) = old.workflow() {
        finding = finding.workflow(workflow.clone());
    }
    finding.build()
}

/// A Security Hub in one region.
pub struct Hub {
    client: Client,
}

impl Hub {
    /// The hub of `config`'s account, in `region` (else the config's).
    #[must_use]
    pub fn new(config: &aws_config::SdkConfig, region: Option<&str>) -> Self {
        let mut builder = aws_sdk_securityhub::config::Builder::from(config);
        if let Some(region) = region {
            builder = builder.region(aws_config::Region::new(region.to_owned()));
        }
        Self {
            client: Client::from_conf(builder.build()),
        }
    }

    /// Send findings, 100 at a time; a batch Security Hub throttles is
    /// tried again after a doubling wait. How many were imported.
    ///
    /// # Errors
    /// A batch refused, throttled past the tries, or findings it failed.
    pub async fn import(&self, findings: Vec<AwsSecurityFinding>) -> Result<usize, String> {
        let mut imported = 0;
        for batch in findings.chunks(BATCH) {
            let mut wait = Duration::from_millis(500);
            let mut tries = 0;
            let answer = loop {
                tries += 1;
                match self
                    .client
                    .batch_import_findings()
                    .set_findings(Some(batch.to_vec()))
                    .send()
                    .await
                {
                    Ok(answer) => break answer,
                    Err(err) => {
                        let text =
                            aws_sdk_securityhub::error::DisplayErrorContext(&err).to_string();
                        let throttled = text.contains("Throttl")
                            || text.contains("TooManyRequests")
                            || text.contains("LimitExceeded");
                        if throttled && tries < THROTTLED_TRIES {
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(Duration::from_secs(20));
                            continue;
                        }
                        return Err(format!(
                            "securityhub:BatchImportFindings failed: {}",
                            crate::text::clean(&text)
                        ));
                    }
                }
            };
            if answer.failed_count().unwrap_or(0) > 0 {
                let why: Vec<String> = answer
                    .failed_findings()
                    .iter()
                    .take(3)
                    .map(|f| {
                        format!(
                            "{}: {}",
                            f.id().unwrap_or("?"),
                            f.error_message().unwrap_or("failed")
                        )
                    })
                    .collect();
                return Err(format!(
                    "securityhub:BatchImportFindings refused {} finding(s): {}",
                    answer.failed_count().unwrap_or(0),
                    crate::text::clean(&why.join("; "))
                ));
            }
            imported += usize::try_from(answer.success_count().unwrap_or(0)).unwrap_or(0);
        }
        Ok(imported)
    }

    /// iamkeys's ACTIVE findings of `account` in this hub (checked again
    /// here: the filter is the hub's, the decision ours).
    ///
    /// # Errors
    /// `GetFindings` failed, or repeated a page token.
    pub async fn existing(
        &self,
        account: &str,
        product: &str,
    ) -> Result<Vec<(Existing, AwsSecurityFinding)>, String> {
        let filter = |value: &str, comparison: StringFilterComparison| {
            StringFilter::builder()
                .value(value)
                .comparison(comparison)
                .build()
        };
        let filters = AwsSecurityFindingFilters::builder()
            .product_arn(filter(product, StringFilterComparison::Equals))
            .generator_id(filter(GENERATOR_PREFIX, StringFilterComparison::Prefix))
            .aws_account_id(filter(account, StringFilterComparison::Equals))
            .record_state(filter("ACTIVE", StringFilterComparison::Equals))
            .build();
        let mut out = Vec::new();
        let mut pages = crate::iam::pages::Pages::new();
        let mut next: Option<String> = None;
        loop {
            let answer = self
                .client
                .get_findings()
                .filters(filters.clone())
                .max_results(100)
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(|err| {
                    format!(
                        "securityhub:GetFindings failed: {}",
                        crate::text::clean(
                            &aws_sdk_securityhub::error::DisplayErrorContext(&err).to_string()
                        )
                    )
                })?;
            for f in answer.findings() {
                out.push((
                    Existing {
                        id: f.id().unwrap_or_default().to_owned(),
                        product_arn: f.product_arn().unwrap_or_default().to_owned(),
                        generator_id: f.generator_id().unwrap_or_default().to_owned(),
                        account_id: f.aws_account_id().unwrap_or_default().to_owned(),
                        record_state: f
                            .record_state()
                            .map_or_else(String::new, |s| s.as_str().to_owned()),
                    },
                    f.clone(),
                ));
            }
            match pages.next(
                "securityhub:GetFindings",
                answer
                    .next_token()
                    .filter(|t| !t.is_empty())
                    .map(ToOwned::to_owned),
            ) {
                Ok(Some(token)) => next = Some(token),
                Ok(None) => break,
                Err(err) => return Err(format!("{}: {}", err.action, err.detail)),
            }
        }
        Ok(out)
    }

    /// Publish one account's findings and archive its earlier ones that
    /// are gone (only when `complete`). (imported, archived).
    ///
    /// # Errors
    /// What Security Hub refused.
    pub async fn publish(
        &self,
        findings: &[Asff],
        account: &str,
        product: &str,
        complete: bool,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize), String> {
        let imported = self.import(findings.iter().map(to_sdk).collect()).await?;
        if !complete {
            return Ok((imported, 0));
        }
        let existing = Box::pin(self.existing(account, product)).await?;
        let known: Vec<Existing> = existing.iter().map(|(e, _)| e.clone()).collect();
        let gone: Vec<String> =
            super::asff::to_archive(&known, findings, &[account.to_owned()], product)
                .into_iter()
                .map(|e| e.id.clone())
                .collect();
        let archive: Vec<AwsSecurityFinding> = existing
            .iter()
            .filter(|(e, _)| gone.contains(&e.id))
            .map(|(_, f)| archived(f, now))
            .collect();
        let count = archive.len();
        if count > 0 {
            self.import(archive).await?;
        }
        Ok((imported, count))
    }
}
