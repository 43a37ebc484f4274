//! `--format ocsf`: the findings as OCSF Detection Findings (class 2004,
//! category 2 "Findings", OCSF 1.1), the schema Security Lake and Prowler
//! use, one object per finding in a JSON array.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::{FindingEntry, Report};
use crate::audit::Severity;

/// The OCSF version the objects follow.
pub const OCSF_VERSION: &str = "1.1.0";
const CLASS_UID: u32 = 2004;
const CATEGORY_UID: u32 = 2;
/// Activity 1, "Create": a finding reported.
const ACTIVITY_ID: u32 = 1;

/// OCSF `severity_id`: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical.
fn severity_id(severity: Severity) -> u32 {
    match severity {
        Severity::Info => 1,
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

/// The same finding in every run: account, finding id, user, key.
#[must_use]
pub fn finding_uid(f: &FindingEntry) -> String {
    format!(
        "iamkeys:{}:{}:{}:{}",
        f.account_id.as_deref().unwrap_or("unknown"),
        f.id.as_str(),
        f.user_name,
        f.access_key_id.as_deref().unwrap_or("-")
    )
}

/// The users' ARNs by account and name, looked up once per finding.
type Arns<'a> = HashMap<(Option<&'a str>, &'a str), &'a str>;

/// The user's ARN as the report's users give it, or one built from the
/// account and name (the root user's is the account's root ARN).
fn user_arn(arns: &Arns<'_>, f: &FindingEntry) -> String {
    arns.get(&(f.account_id.as_deref(), f.user_name.as_str()))
        .map_or_else(
            || {
                let account = f.account_id.as_deref().unwrap_or("unknown");
                if f.user_name == crate::model::ROOT_ROW {
                    format!("arn:aws:iam::{account}:root")
                } else {
                    format!("arn:aws:iam::{account}:user/{}", f.user_name)
                }
            },
            |arn| (*arn).to_owned(),
        )
}

fn detection_finding(report: &Report, arns: &Arns<'_>, f: &FindingEntry) -> Value {
    let time = report.generated_at.timestamp_millis();
    let mut resources = vec![json!({
        "type": "AWS::IAM::User",
        "uid": user_arn(arns, f),
        "name": f.user_name,
    })];
    if let Some(key) = &f.access_key_id {
        let kind = super::credentials::resource_types(f.id, key).1;
        resources.push(json!({ "type": kind, "uid": key }));
    }
    // A waived finding is accepted for a while: OCSF's "Suppressed".
    let (status_id, status) = if f.waived.is_some() {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    json!({
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": "Detection Finding: Create",
        // The risk orders the work (the severity raised by what the
        // user can do); the control's own severity stays in `unmapped`.
        // Risk not known (the details were not read): the severity.
        "severity_id": severity_id(f.risk.unwrap_or(f.severity)),
        "severity": ocsf_severity(f.risk.unwrap_or(f.severity)),
        "status_id": status_id,
        "status": status,
        "time": time,
        "message": f.message,
        "metadata": {
            "version": OCSF_VERSION,
            // The `cloud` attributes are filled in: OCSF's Cloud profile.
            "profiles": ["cloud"],
            "product": {
                "name": "iamkeys",
                "vendor_name": "iamkeys",
                "version": env!("CARGO_PKG_VERSION"),
            },
        },
        "finding_info": {
            "uid": finding_uid(f),
            "title": f.id.control(),
            "desc": f.message,
            "types": types(f),
        },
        "cloud": {
            "provider": "AWS",
            "account": {
                "uid": f.account_id,
                // Never null (other tools refuse it): the organization's
                // name for the account, else its ID.
                "name": f.account_name.as_deref().filter(|n| !n.is_empty()).or(f.account_id.as_deref()),
                "type": "AWS Account",
                "type_id": 10,
            },
        },
        "resources": resources,
        "remediation": {
            "desc": crate::report::remedy_in(report, f),
        },
        "unmapped": unmapped(f),
    })
}

/// What kind of check found it: the CIS benchmark, AWS Foundational
/// Security Best Practices (a Security Hub control), or iamkeys' own.
fn types(f: &FindingEntry) -> Vec<&'static str> {
    use crate::audit::controls::Framework;
    let mut types = Vec::new();
    if f.controls
        .iter()
        .any(|c| c.framework != Framework::SecurityHub && c.id.is_some())
    {
        types.push("CIS AWS Foundations Benchmark");
    }
    if f.security_hub.is_some() {
        types.push("AWS Foundational Security Best Practices");
    }
    if types.is_empty() {
        types.push("iamkeys: access key hygiene");
    }
    types
}

/// iamkeys' own attributes: only what is known (OCSF consumers read a
/// missing attribute as unknown; a `null` or a `-` they may not).
fn unmapped(f: &FindingEntry) -> Value {
    let mut map = serde_json::Map::new();
    let mut put = |key: &str, value: Value| {
        if !value.is_null() {
            map.insert(key.to_owned(), value);
        }
    };
    put("iamkeys_finding_id", json!(f.id.as_str()));
    put("iamkeys_severity", json!(f.severity.as_str()));
    put("iamkeys_risk", json!(f.risk.map(Severity::as_str)));
    let cis: serde_json::Map<String, Value> = match serde_json::to_value(f.cis) {
        Ok(Value::Object(versions)) => versions
            .into_iter()
            .filter(|(_, number)| number.as_str().is_some_and(|n| n != "-"))
            .collect(),
        _ => serde_json::Map::new(),
    };
    if !cis.is_empty() {
        put("cis", Value::Object(cis));
    }
    // OCSF's Compliance object (a Detection Finding has no `compliance` of
    // its own): the Security Hub control, and every control's reference.
    let requirements: Vec<String> = f
        .controls
        .iter()
        .filter_map(crate::audit::controls::Control::reference)
        .collect();
    if !requirements.is_empty() {
        let mut compliance = json!({
            "requirements": requirements,
            "standards": f
                .controls
                .iter()
                .filter(|c| c.id.is_some())
                .map(|c| c.framework.name())
                .collect::<std::collections::BTreeSet<_>>(),
        });
        if let Some(control) = f.security_hub {
            compliance["control"] = json!(control);
        }
        put("compliance", compliance);
    }
    if !f.controls.is_empty() {
        put("controls", json!(f.controls));
    }
    put("profile", json!(f.profile));
    put("created_with_user", json!(f.created_with_user));
    put("waived", json!(f.waived));
    put("waiver_expired", json!(f.waiver_expired));
    put("waiver_claim", json!(f.waiver_claim));
    put("new", json!(f.new));
    Value::Object(map)
}

/// OCSF's severity captions.
fn ocsf_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Informational",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// Every finding of the report as an OCSF Detection Finding.
///
/// # Errors
/// Serialization failed (never expected).
pub fn render(report: &Report) -> Result<String, String> {
    let arns: Arns<'_> = report
        .users
        .iter()
        .map(|u| {
            (
                (u.account_id.as_deref(), u.user_name.as_str()),
                u.arn.as_str(),
            )
        })
        .collect();
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| detection_finding(report, &arns, f))
        .collect();
    super::format::pretty_json(&findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::FindingId;
    use crate::report::tests_support::{empty_report, finding};

    /// Every string and null in `value`, with its path.
    fn leaves(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    leaves(v, &format!("{path}.{k}"), out);
                }
            }
            Value::Array(items) => {
                for v in items {
                    leaves(v, &format!("{path}[]"), out);
                }
            }
            other => out.push((path.to_owned(), other.clone())),
        }
    }

    /// Issue 38 item 5: OCSF carries no `"-"` placeholder, no `null` and no
    /// CIS type on a finding that is not a CIS control.
    #[test]
    fn no_placeholder_no_null_and_no_cis_type_on_a_non_cis_finding() {
        let mut report = empty_report();
        report.findings = vec![
            finding(
                FindingId::ExposedKeyQuarantined,
                "heidi",
                Some("AKIAEXAMPLE"),
            ),
            finding(FindingId::InitialSetupKey, "alice", Some("AKIAEXAMPLE2")),
        ];
        let out: Value = serde_json::from_str(&render(&report).unwrap()).unwrap();
        let mut found = Vec::new();
        leaves(&out, "", &mut found);
        let bad: Vec<_> = found
            .iter()
            .filter(|(_, v)| v.is_null() || v.as_str() == Some("-"))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        let types = |i: usize| out[i]["finding_info"]["types"].clone();
        assert!(
            !types(0).to_string().contains("CIS"),
            "exposed_key_quarantined is no CIS control: {}",
            types(0)
        );
        assert_eq!(types(1), json!(["CIS AWS Foundations Benchmark"]));
        let cis = &out[1]["unmapped"]["cis"];
        assert_eq!(cis["v1.4-v4.0"], "1.11");
        assert!(cis.get("v7.0").is_none(), "v7.0 has no such item: {cis}");
        assert!(out[0]["unmapped"].get("cis").is_none(), "{}", out[0]);
    }
}
