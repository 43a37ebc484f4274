//! The Account Management API's `ListRegions` as AWS documents it (moto has
//! none): `POST /listRegions`, REST-JSON; `RegionOptStatusContains` filters
//! by `ENABLED`, `ENABLED_BY_DEFAULT`, `DISABLED`, `ENABLING`, `DISABLING`;
//! `MaxResults` 1 to 50 (else `ValidationException`); `NextToken` pages.
//! This fake answers at most 8 a page, as a service may answer fewer than
//! asked. The real SDK parses every answer.

use serde_json::{Value, json};

/// The regions of an account and their opt status: those enabled by
/// default, two opted in, one disabled.
pub const REGIONS: [(&str, &str); 24] = [
    ("us-east-1", "ENABLED_BY_DEFAULT"),
    ("us-east-2", "ENABLED_BY_DEFAULT"),
    ("us-west-1", "ENABLED_BY_DEFAULT"),
    ("us-west-2", "ENABLED_BY_DEFAULT"),
    ("ca-central-1", "ENABLED_BY_DEFAULT"),
    ("eu-west-1", "ENABLED_BY_DEFAULT"),
    ("eu-west-2", "ENABLED_BY_DEFAULT"),
    ("eu-west-3", "ENABLED_BY_DEFAULT"),
    ("eu-central-1", "ENABLED_BY_DEFAULT"),
    ("eu-north-1", "ENABLED_BY_DEFAULT"),
    ("ap-northeast-1", "ENABLED_BY_DEFAULT"),
    ("ap-northeast-2", "ENABLED_BY_DEFAULT"),
    ("ap-northeast-3", "ENABLED_BY_DEFAULT"),
    ("ap-southeast-1", "ENABLED_BY_DEFAULT"),
    ("ap-southeast-2", "ENABLED_BY_DEFAULT"),
    ("ap-south-1", "ENABLED_BY_DEFAULT"),
    ("sa-east-1", "ENABLED_BY_DEFAULT"),
    ("af-south-1", "DISABLED"),
    ("ap-east-1", "ENABLED"),
    ("me-south-1", "ENABLED"),
    ("eu-south-1", "DISABLED"),
    ("ap-southeast-3", "DISABLING"),
    ("il-central-1", "ENABLING"),
    ("mx-central-1", "DISABLED"),
];

/// The most a page of this fake holds.
const PAGE: usize = 8;

/// Whether a request line is `ListRegions`.
pub fn is_list_regions(request: &str) -> bool {
    request.starts_with("POST /listRegions ")
}

use super::analyzer::reply;

/// 429 `TooManyRequestsException`, as the Account API throttles.
pub fn throttled() -> Vec<u8> {
    reply(
        429,
        Some("TooManyRequestsException"),
        &json!({"message": "Rate exceeded"}),
    )
}

/// 403 `AccessDeniedException`.
pub fn denied() -> Vec<u8> {
    reply(
        403,
        Some("AccessDeniedException"),
        &json!({"message": "User is not authorized to perform: account:ListRegions"}),
    )
}

/// The answer to one `ListRegions` body.
pub fn answer(body: &[u8]) -> Vec<u8> {
    let invalid = |why: &str| reply(400, Some("ValidationException"), &json!({"message": why}));
    let asked: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(_) => return invalid("the body is not JSON"),
        }
    };
    let max = match asked.get("MaxResults") {
        None => PAGE,
        Some(n) => match n.as_u64() {
            Some(n @ 1..=50) => usize::try_from(n).unwrap_or(PAGE),
            _ => return invalid("MaxResults must be from 1 to 50"),
        },
    };
    let wanted: Option<Vec<&str>> = asked
        .get("RegionOptStatusContains")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let start = match asked.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return invalid("the NextToken is not one this service gave"),
        },
    };
    let matching: Vec<&(&str, &str)> = REGIONS
        .iter()
        .filter(|(_, status)| wanted.as_ref().is_none_or(|w| w.contains(status)))
        .collect();
    let end = (start + max.min(PAGE)).min(matching.len());
    let regions: Vec<Value> = matching
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|(name, status)| json!({"RegionName": name, "RegionOptStatus": status}))
        .collect();
    let mut out = json!({ "Regions": regions });
    if end < matching.len() {
        out["NextToken"] = json!(format!("page-{end}"));
    }
    reply(200, None, &out)
}
