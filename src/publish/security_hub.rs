//! Security Hub's API (IO): `BatchImportFindings` in batches of 100,
//! backing off while throttled, and `GetFindings` of iamkeys's own earlier
//! findings, to archive those gone from a complete run.

use std::time::Duration;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, AwsSecurityFindingIdentifier, Compliance,
    ComplianceStatus, Recommendation, RecordState, Remediation, Resource, Severity, SeverityLabel,
    StringFilter, StringFilterComparison, Workflow, WorkflowStatus, WorkflowUpdate,
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
                .set_security_control_id(a.security_control.map(ToOwned::to_owned))
                .set_related_requirements(
                    (!a.related_requirements.is_empty()).then(|| a.related_requirements.clone()),
                )
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
                .set_security_control_id(
                    old.compliance()
                        .and_then(|c| c.security_control_id())
                        .map(ToOwned::to_owned),
                )
                .set_related_requirements(
                    old.compliance()
                        .map(|c| c.related_requirements().to_vec())
                        .filter(|r| !r.is_empty()),
                )
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
    /// tried again after a doubling wait. A finding the hub refuses is
    /// named (`Id: message`) and every other batch still goes.
    ///
    /// # Errors
    /// A whole batch refused (access denied, not found), or throttled past
    /// the tries: the hub cannot be written, so no further batch is sent.
    pub async fn import(&self, findings: Vec<AwsSecurityFinding>) -> Result<Imported, String> {
        let mut sent = Imported::default();
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
                        let (code, message) = service_error(&err);
                        let throttled = code.contains("Throttl")
                            || code.contains("TooManyRequests")
                            || code.contains("LimitExceeded");
                        if throttled && tries < THROTTLED_TRIES {
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(Duration::from_secs(20));
                            continue;
                        }
                        return Err(format!("securityhub:BatchImportFindings failed: {message}"));
                    }
                }
            };
            sent.refused
                .extend(answer.failed_findings().iter().map(|f| {
                    (
                        f.id().unwrap_or("?").to_owned(),
                        f.error_message().unwrap_or("failed").to_owned(),
                    )
                }));
            sent.count += usize::try_from(answer.success_count().unwrap_or(0)).unwrap_or(0);
        }
        Ok(sent)
    }

    /// Set the `Workflow.Status` of these findings (`BatchUpdateFindings`,
    /// 100 identifiers a call). How many were updated; the ones not, named.
    ///
    /// # Errors
    /// The call failed.
    pub async fn set_workflow(
        &self,
        product: &str,
        changes: &[(String, &'static str)],
    ) -> Result<(usize, Vec<String>), String> {
        let mut updated = 0;
        let mut not = Vec::new();
        for status in ["NEW", "SUPPRESSED"] {
            let ids: Vec<&String> = changes
                .iter()
                .filter(|(_, s)| *s == status)
                .map(|(id, _)| id)
                .collect();
            for chunk in ids.chunks(BATCH) {
                let identifiers: Vec<AwsSecurityFindingIdentifier> = chunk
                    .iter()
                    .map(|id| {
                        AwsSecurityFindingIdentifier::builder()
                            .id(*id)
                            .product_arn(product)
                            .build()
                    })
                    .collect();
                let answer = self
                    .client
                    .batch_update_findings()
                    .set_finding_identifiers(Some(identifiers))
                    .workflow(
                        WorkflowUpdate::builder()
                            .status(WorkflowStatus::from(status))
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(|err| {
                        format!(
                            "securityhub:BatchUpdateFindings failed: {}",
                            service_error(&err).1
                        )
                    })?;
                updated += answer.processed_findings().len();
                not.extend(answer.unprocessed_findings().iter().map(|u| {
                    format!(
                        "{}: {}",
                        crate::text::clean(
                            u.finding_identifier()
                                .and_then(AwsSecurityFindingIdentifier::id)
                                .unwrap_or("?")
                        ),
                        crate::text::clean(u.error_message().unwrap_or("not updated"))
                    )
                }));
            }
        }
        Ok((updated, not))
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
                    format!("securityhub:GetFindings failed: {}", service_error(&err).1)
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
                        created_at: f
                            .created_at()
                            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                            .map(|t| t.with_timezone(&Utc)),
                        workflow: f
                            .workflow()
                            .and_then(|w| w.status())
                            .map(|s| s.as_str().to_owned()),
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

    /// Publish one account's findings: those already in the hub keep
    /// their first `CreatedAt`; `Workflow` changes go through
    /// `BatchUpdateFindings`; earlier ones that are gone are archived (only
    /// when `complete`).
    ///
    /// # Errors
    /// What Security Hub refused as a whole.
    pub async fn publish(
        &self,
        findings: &[Asff],
        account: &str,
        product: &str,
        complete: bool,
        now: DateTime<Utc>,
    ) -> Result<Published, String> {
        let existing = Box::pin(self.existing(account, product)).await?;
        let known: Vec<Existing> = existing.iter().map(|(e, _)| e.clone()).collect();
        let mut current = findings.to_vec();
        super::asff::keep_created(&mut current, &known);
        let sent = self.import(current.iter().map(to_sdk).collect()).await?;
        let changes: Vec<(String, &'static str)> = super::asff::workflow_changes(&current, &known)
            .into_iter()
            .filter(|(id, _)| !sent.refused.iter().any(|(refused, _)| refused == id))
            .collect();
        let (workflow, not_updated) = if changes.is_empty() {
            (0, Vec::new())
        } else {
            self.set_workflow(product, &changes).await?
        };
        let mut refused = Imported::lines(&sent.refused);
        refused.extend(not_updated.into_iter().map(|n| format!("workflow of {n}")));
        if !complete {
            return Ok(Published {
                imported: sent.count,
                archived: 0,
                workflow,
                refused,
            });
        }
        let gone: Vec<String> =
            super::asff::to_archive(&known, &current, &[account.to_owned()], product)
                .into_iter()
                .map(|e| e.id.clone())
                .collect();
        let archive: Vec<AwsSecurityFinding> = existing
            .iter()
            .filter(|(e, _)| gone.contains(&e.id))
            .map(|(_, f)| archived(f, now))
            .collect();
        let archived = if archive.is_empty() {
            0
        } else {
            let done = self.import(archive).await?;
            refused.extend(Imported::lines(&done.refused));
            done.count
        };
        Ok(Published {
            imported: sent.count,
            archived,
            workflow,
            refused,
        })
    }
}

/// What one import sent: how many the hub took, and each it refused.
#[derive(Debug, Default)]
pub struct Imported {
    pub count: usize,
    /// Each finding refused: its Id and the hub's message, as sent.
    pub refused: Vec<(String, String)>,
}

impl Imported {
    /// `Id: message` of each finding refused, cleaned for a terminal.
    fn lines(refused: &[(String, String)]) -> Vec<String> {
        refused
            .iter()
            .map(|(id, message)| {
                format!(
                    "{}: {}",
                    crate::text::clean(id),
                    crate::text::clean(message)
                )
            })
            .collect()
    }
}

/// What publishing one account did.
#[derive(Debug, Default)]
pub struct Published {
    pub imported: usize,
    pub archived: usize,
    /// Findings whose `Workflow` was changed (`BatchUpdateFindings`).
    pub workflow: usize,
    /// `Id: message` of each finding refused.
    pub refused: Vec<String>,
}

/// A Security Hub error as the service says it (see
/// [`crate::error_chain::sdk`]): (code, message); `throttled` when the
/// service said so.
fn service_error<E>(
    err: &aws_sdk_securityhub::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> (String, String)
where
    E: aws_sdk_securityhub::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    let code = aws_sdk_securityhub::error::ProvideErrorMetadata::code(err)
        .map(|c| crate::text::clean(c).into_owned());
    let status_429 = err
        .raw_response()
        .is_some_and(|r| r.status().as_u16() == 429);
    match code {
        Some(code) => (code, crate::error_chain::sdk(err)),
        None if status_429 => (
            "TooManyRequestsException".to_owned(),
            crate::error_chain::sdk(err),
        ),
        None => ("no service answer".to_owned(), crate::error_chain::sdk(err)),
    }
}
