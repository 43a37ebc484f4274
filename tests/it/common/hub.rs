//! Security Hub as AWS documents it, where moto does not enforce it (the
//! `BatchImportFindings` and `BatchUpdateFindings` references):
//!
//! - with the default product ARN, only the account a finding is in may
//!   import it: `AwsAccountId` and the product ARN's account must be the
//!   caller's, else the finding is in `FailedFindings`;
//! - after a finding is created, `BatchImportFindings` cannot change its
//!   `Workflow`: the hub keeps the first one, and only `BatchUpdateFindings`
//!   (`PATCH /findings/batchupdate`, which moto lacks) changes it;
//!   `GetFindings` answers with the hub's `Workflow`;
//! - chosen findings can be refused one by one (`InvalidInput`), as a
//!   finding over 240 KB would be.

use std::collections::HashMap;

use serde_json::{Value, json};

/// What the hub keeps beyond moto.
#[derive(Debug, Default)]
pub struct HubRules {
    /// Each finding's `Workflow.Status`, by (account, Id), from its first
    /// import or a `BatchUpdateFindings`.
    workflows: HashMap<(String, String), String>,
    /// Ids whose import is refused.
    pub refuse: Vec<String>,
    /// `BatchUpdateFindings` requests seen: (Id, status).
    pub updates: Vec<(String, String)>,
}

/// The account in a product ARN (`arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default`):
/// both places, or `None` when they differ or it is not a default ARN.
fn default_product_account(product: &str) -> Option<&str> {
    let mut parts = product.split(':');
    let (Some("arn"), Some(_), Some("securityhub"), Some(_), Some(account), Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (rest == format!("product/{account}/default")).then_some(account)
}

fn body_of(reply: &[u8]) -> Option<Value> {
    let at = reply.windows(4).position(|w| w == b"\r\n\r\n")?;
    serde_json::from_slice(&reply[at + 4..]).ok()
}

fn json_reply(value: &Value) -> Vec<u8> {
    let body = value.to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The head with its `Content-Length` set to `length`.
pub fn with_length(head: &str, length: usize) -> String {
    head.split("\r\n")
        .map(|line| {
            if line.to_ascii_lowercase().starts_with("content-length:") {
                format!("Content-Length: {length}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// What to send moto for a `BatchImportFindings` of `caller`, and the
/// findings refused here (AWS's `FailedFindings` entries).
pub fn import(rules: &mut HubRules, caller: &str, body: &[u8]) -> (Vec<u8>, Vec<Value>) {
    let Ok(mut request) = serde_json::from_slice::<Value>(body) else {
        return (body.to_vec(), Vec::new());
    };
    let mut failed = Vec::new();
    let mut kept = Vec::new();
    for finding in request["Findings"].as_array().cloned().unwrap_or_default() {
        let id = finding["Id"].as_str().unwrap_or_default().to_owned();
        let account = finding["AwsAccountId"].as_str().unwrap_or_default();
        let product = finding["ProductArn"].as_str().unwrap_or_default();
        if account != caller || default_product_account(product) != Some(caller) {
            failed.push(json!({
                "Id": id,
                "ErrorCode": "AccessDeniedException",
                "ErrorMessage": format!(
                    "Account {caller} is not authorized to import findings for account {account} with product {product}"
                ),
            }));
            continue;
        }
        if rules.refuse.contains(&id) {
            failed.push(json!({
                "Id": id,
                "ErrorCode": "InvalidInput",
                "ErrorMessage": "Finding size exceeded 240 KB",
            }));
            continue;
        }
        let status = finding["Workflow"]["Status"]
            .as_str()
            .unwrap_or("NEW")
            .to_owned();
        rules
            .workflows
            .entry((caller.to_owned(), id))
            .or_insert(status);
        kept.push(finding);
    }
    request["Findings"] = Value::Array(kept);
    (request.to_string().into_bytes(), failed)
}

/// moto's `BatchImportFindings` answer with the findings refused here added.
pub fn import_reply(moto: Option<&[u8]>, failed: Vec<Value>) -> Vec<u8> {
    let mut answer = moto
        .and_then(body_of)
        .unwrap_or_else(|| json!({"FailedCount": 0, "SuccessCount": 0, "FailedFindings": []}));
    let count = failed.len() as u64 + answer["FailedCount"].as_u64().unwrap_or(0);
    let mut list = answer["FailedFindings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.extend(failed);
    answer["FailedFindings"] = Value::Array(list);
    answer["FailedCount"] = json!(count);
    json_reply(&answer)
}

/// moto's `GetFindings` answer with each finding's `Workflow` the hub's.
pub fn findings_reply(rules: &HubRules, caller: &str, moto: &[u8]) -> Vec<u8> {
    let Some(mut answer) = body_of(moto) else {
        return moto.to_vec();
    };
    if let Some(findings) = answer["Findings"].as_array_mut() {
        for finding in findings {
            let id = finding["Id"].as_str().unwrap_or_default().to_owned();
            if let Some(status) = rules.workflows.get(&(caller.to_owned(), id)) {
                finding["Workflow"] = json!({ "Status": status });
            }
        }
    }
    json_reply(&answer)
}

/// `BatchUpdateFindings`, answered here (moto has none).
pub fn update(rules: &mut HubRules, caller: &str, body: &[u8]) -> Vec<u8> {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let status = request["Workflow"]["Status"]
        .as_str()
        .map(ToOwned::to_owned);
    let mut processed = Vec::new();
    let mut unprocessed = Vec::new();
    for identifier in request["FindingIdentifiers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let id = identifier["Id"].as_str().unwrap_or_default().to_owned();
        let key = (caller.to_owned(), id.clone());
        match (&status, rules.workflows.get_mut(&key)) {
            (Some(status), Some(kept)) => {
                kept.clone_from(status);
                rules.updates.push((id, status.clone()));
                processed.push(identifier);
            }
            _ => unprocessed.push(json!({
                "FindingIdentifier": identifier,
                "ErrorCode": "FindingNotFound",
                "ErrorMessage": "Finding Not Found",
            })),
        }
    }
    json_reply(&json!({
        "ProcessedFindings": processed,
        "UnprocessedFindings": unprocessed,
    }))
}
