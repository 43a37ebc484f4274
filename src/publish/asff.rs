//! The report's findings as AWS Security Finding Format, and which findings
//! of an earlier run to archive. Pure: no SDK types here (the adapter
//! builds them), so the mapping is tested as plain data.

use chrono::{DateTime, Utc};

use crate::audit::Severity;
use crate::report::{FindingEntry, Report};

/// Every iamkeys finding's `GeneratorId` starts so.
pub const GENERATOR_PREFIX: &str = "iamkeys/";

/// The finding type Security Hub files them under.
pub const TYPE: &str = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark";

/// One resource of a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// `AwsIamUser` or `AwsIamAccessKey`.
    pub kind: &'static str,
    pub id: String,
}

/// One finding, as `BatchImportFindings` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asff {
    /// The same across runs (OCSF's `finding_info.uid`).
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub account_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL`.
    pub severity: &'static str,
    pub title: String,
    pub description: String,
    pub remediation: String,
    pub resources: Vec<Resource>,
    /// `FAILED` for a finding of this run, `PASSED` for one archived.
    pub compliance: &'static str,
    /// `Compliance.SecurityControlId`: the Security Hub control that judges
    /// the same thing, where there is one.
    pub security_control: Option<&'static str>,
    /// `Compliance.RelatedRequirements`: every control it answers to, as
    /// `<framework>/<id>` (`CIS AWS Foundations v7.0.0/2.11`, `AWS Security
    /// Hub CSPM/IAM.8`).
    pub related_requirements: Vec<String>,
    /// `NEW`, or `SUPPRESSED` for an honoured waiver.
    pub workflow: &'static str,
    /// `ACTIVE`, or `ARCHIVED` for a finding gone since.
    pub record_state: &'static str,
}

/// The product ARN of findings an account sends itself.
#[must_use]
pub fn product_arn(partition: &str, region: &str, account: &str) -> String {
    format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default")
}

/// ASFF's severity label of a risk (or severity).
#[must_use]
pub fn label(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "CRITICAL",
        Severity::High => "HIGH",
        Severity::Medium => "MEDIUM",
        Severity::Low => "LOW",
        Severity::Info => "INFORMATIONAL",
    }
}

/// The findings of `report` in `account`, for that account's own hub in
/// `region` (under its default product ARN). Findings with no account are
/// left out.
#[must_use]
pub fn findings(report: &Report, account: &str, region: &str, partition: &str) -> Vec<Asff> {
    let product = product_arn(partition, region, account);
    let now = report.generated_at;
    report
        .findings
        .iter()
        .filter(|f| f.account_id.as_deref() == Some(account))
        .map(|f| one(f, report, &product, account, partition, now))
        .collect()
}

fn one(
    f: &FindingEntry,
    report: &Report,
    product: &str,
    account: &str,
    partition: &str,
    now: DateTime<Utc>,
) -> Asff {
    let user_arn = report
        .users
        .iter()
        .find(|u| u.user_name == f.user_name && u.account_id == f.account_id)
        .map_or_else(
            || format!("arn:{partition}:iam::{account}:user/{}", f.user_name),
            |u| u.arn.clone(),
        );
    let mut resources = vec![Resource {
        kind: "AwsIamUser",
        id: user_arn,
    }];
    if let Some(key) = &f.access_key_id {
        resources.push(Resource {
            kind: crate::report::credentials::resource_types(f.id, key).0,
            id: key.clone(),
        });
    }
    Asff {
        id: crate::report::ocsf::finding_uid(f),
        product_arn: product.to_owned(),
        generator_id: format!("{GENERATOR_PREFIX}{}", f.id.as_str()),
        account_id: account.to_owned(),
        created_at: now,
        updated_at: now,
        severity: label(f.risk.unwrap_or(f.severity)),
        title: crate::text::clean(f.id.control()).into_owned(),
        description: crate::text::clean(&f.message).chars().take(1024).collect(),
        remediation: crate::report::remedy_in(report, f),
        resources,
        compliance: "FAILED",
        security_control: f.security_hub,
        related_requirements: f
            .controls
            .iter()
            .filter_map(|c| Some(format!("{}/{}", c.framework.name(), c.id?)))
            .collect(),
        workflow: if f.waived.is_some() {
            "SUPPRESSED"
        } else {
            "NEW"
        },
        record_state: "ACTIVE",
    }
}

/// A finding already in the hub, as much as deciding to archive needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: String,
    /// Whose finding it is: iamkeys' own only with its product ARN.
    pub product_arn: String,
    pub generator_id: String,
    pub account_id: String,
    pub record_state: String,
    /// When it was first imported (`CreatedAt`), when it reads.
    pub created_at: Option<DateTime<Utc>>,
    /// Its `Workflow.Status` in the hub (`NEW`, `NOTIFIED`, `SUPPRESSED`,
    /// `RESOLVED`), when it has one.
    pub workflow: Option<String>,
}

/// Findings of this run already in the hub keep their first `CreatedAt`
/// (a re-import is the same finding, not a new one).
pub fn keep_created(current: &mut [Asff], existing: &[Existing]) {
    for finding in current {
        if let Some(first) = existing
            .iter()
            .filter(|e| e.id == finding.id && e.product_arn == finding.product_arn)
            .find_map(|e| e.created_at)
        {
            finding.created_at = first;
        }
    }
}

/// The `Workflow` changes `BatchUpdateFindings` must make (`BatchImportFindings`
/// cannot change a finding's `Workflow` after it is created): a finding
/// waived now that the hub shows `NEW` or `NOTIFIED` becomes `SUPPRESSED`;
/// one no longer waived that the hub shows `SUPPRESSED` becomes `NEW`. An
/// analyst's `NOTIFIED` or `RESOLVED` on an unwaived finding is left alone.
/// (Id, status), in order.
#[must_use]
pub fn workflow_changes(current: &[Asff], existing: &[Existing]) -> Vec<(String, &'static str)> {
    current
        .iter()
        .filter_map(|c| {
            let e = existing
                .iter()
                .find(|e| e.id == c.id && e.product_arn == c.product_arn)?;
            let now = e.workflow.as_deref()?;
            match (c.workflow, now) {
                ("SUPPRESSED", "NEW" | "NOTIFIED") => Some((c.id.clone(), "SUPPRESSED")),
                ("NEW", "SUPPRESSED") => Some((c.id.clone(), "NEW")),
                _ => None,
            }
        })
        .collect()
}

/// The findings of an earlier run to archive: iamkeys's own (its
/// `product` ARN in this region and account, and its generator), ACTIVE, in
/// an account this run audited completely, and not found again. An account
/// audited in part archives nothing: a finding missing there may only not
/// have been seen. Another product's finding is never touched, whatever its
/// generator says.
#[must_use]
pub fn to_archive<'a>(
    existing: &'a [Existing],
    current: &[Asff],
    complete_accounts: &[String],
    product: &str,
) -> Vec<&'a Existing> {
    existing
        .iter()
        .filter(|e| e.product_arn == product)
        .filter(|e| e.generator_id.starts_with(GENERATOR_PREFIX))
        .filter(|e| e.record_state == "ACTIVE")
        .filter(|e| complete_accounts.contains(&e.account_id))
        .filter(|e| !current.iter().any(|c| c.id == e.id))
        .collect()
}

/// The accounts this report audited completely.
#[must_use]
pub fn complete_accounts(report: &Report) -> Vec<String> {
    if report.accounts.is_empty() {
        return report
            .account_id
            .iter()
            .filter(|_| report.complete)
            .cloned()
            .collect();
    }
    report
        .accounts
        .iter()
        .filter(|a| a.complete && a.error.is_none() && !a.skipped)
        .filter_map(|a| a.account_id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::FindingId;
    use crate::report::tests_support::{account, empty_report};

    fn finding(user: &str, key: Option<&str>, risk: Severity, waived: bool) -> FindingEntry {
        FindingEntry {
            waived: waived.then(|| {
                crate::report::tests_support::file_waiver(
                    chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                )
            }),
            risk: Some(risk),
            ..crate::report::tests_support::finding(FindingId::InitialSetupKey, user, key)
        }
    }

    /// Issue 36: another credential's finding names its resource as
    /// `Other`, never as an access key.
    #[test]
    fn another_credential_is_not_an_access_key() {
        let mut report = empty_report();
        for (id, key) in [
            (
                FindingId::ServiceCredentialNoExpiry,
                "ACCAEXAMPLE0000000001",
            ),
            (FindingId::LongTermCredentialOld, "APKAEXAMPLE0000000001"),
            (FindingId::UnusedKey, "AKIAEXAMPLE000000001"),
        ] {
            report
                .findings
                .push(crate::report::tests_support::finding(id, "dev", Some(key)));
        }
        let asff = findings(&report, "123456789012", "eu-west-1", "aws");
        let kinds: Vec<&str> = asff.iter().map(|a| a.resources[1].kind).collect();
        assert_eq!(kinds, ["Other", "Other", "AwsIamAccessKey"]);
        // Issue 37: Security Hub's own control and every requirement.
        assert_eq!(asff[0].security_control, None);
        assert!(asff[0].related_requirements.is_empty());
        assert_eq!(asff[2].security_control, Some("IAM.22"));
        assert_eq!(
            asff[2].related_requirements,
            [
                "CIS AWS Foundations v1.4.0-v4.0.1/1.12",
                "CIS AWS Foundations v5.0.0/1.11",
                "CIS AWS Foundations v6.0.0/2.11",
                "CIS AWS Foundations v7.0.0/2.11",
                "AWS Security Hub CSPM/IAM.22",
                "AWS Security Hub CSPM/IAM.8"
            ]
        );
        let ocsf =
            crate::report::format::render(&report, crate::report::format::Format::Ocsf).unwrap();
        for kind in [
            "AWS::IAM::ServiceSpecificCredential",
            "AWS::IAM::SSHPublicKey",
            "AWS::IAM::AccessKey",
        ] {
            assert!(ocsf.contains(kind), "{kind}: {ocsf}");
        }
    }

    #[test]
    fn findings_map_to_asff_with_stable_ids() {
        let mut report = empty_report();
        report.findings.push(finding(
            "alice",
            Some("AKIAALICE00000000001"),
            Severity::Critical,
            false,
        ));
        report
            .findings
            .push(finding("bob", None, Severity::Medium, true));
        let asff = findings(&report, "123456789012", "eu-west-1", "aws");
        assert_eq!(asff.len(), 2);
        let a = &asff[0];
        assert_eq!(
            a.id,
            "iamkeys:123456789012:initial_setup_key:alice:AKIAALICE00000000001"
        );
        assert_eq!(
            a.product_arn,
            "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
        );
        assert_eq!(a.generator_id, "iamkeys/initial_setup_key");
        assert_eq!(
            (a.severity, a.workflow, a.compliance, a.record_state),
            ("CRITICAL", "NEW", "FAILED", "ACTIVE")
        );
        assert_eq!(
            a.resources.iter().map(|r| r.kind).collect::<Vec<_>>(),
            ["AwsIamUser", "AwsIamAccessKey"]
        );
        assert_eq!(a.resources[0].id, "arn:aws:iam::123456789012:user/alice");
        assert_eq!(asff[1].workflow, "SUPPRESSED");
        assert_eq!(asff[1].resources.len(), 1);
    }

    #[test]
    fn only_complete_accounts_archive_what_is_gone() {
        let existing = |id: &str, account: &str, generator: &str, state: &str| Existing {
            id: id.into(),
            product_arn: product_arn("aws", "us-east-1", "123456789012"),
            generator_id: generator.into(),
            account_id: account.into(),
            record_state: state.into(),
            created_at: None,
            workflow: None,
        };
        let hub = vec![
            existing("gone", "111111111111", "iamkeys/unused_key", "ACTIVE"),
            existing("still", "111111111111", "iamkeys/unused_key", "ACTIVE"),
            existing("theirs", "111111111111", "prowler/iam_x", "ACTIVE"),
            existing("archived", "111111111111", "iamkeys/unused_key", "ARCHIVED"),
            existing("partial", "222222222222", "iamkeys/unused_key", "ACTIVE"),
        ];
        let mut report = empty_report();
        report
            .findings
            .push(finding("alice", None, Severity::Low, false));
        let mut current = findings(&report, "123456789012", "us-east-1", "aws");
        current[0].id = "still".into();
        let own = product_arn("aws", "us-east-1", "123456789012");
        let archived: Vec<&str> = to_archive(&hub, &current, &["111111111111".into()], &own)
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(archived, ["gone"]);
        let theirs = "arn:aws:securityhub:us-east-1::product/othervendor/scanner";
        assert!(to_archive(&hub, &current, &["111111111111".into()], theirs).is_empty());
        let mut report = empty_report();
        report.accounts = vec![account("111111111111"), account("222222222222")];
        report.accounts[1].complete = false;
        assert_eq!(complete_accounts(&report), ["111111111111"]);
    }
}
