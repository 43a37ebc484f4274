//! IAM Access Analyzer as AWS documents it (moto has none): `ListAnalyzers`
//! (`GET /analyzer?type=…`), `ListFindingsV2` (`POST /findingv2`, its
//! `filter` criteria applied with `eq`, `nextToken` paging two findings a
//! page) and `GetFindingV2` (`GET /findingv2/{id}?analyzerArn=…`), REST-JSON
//! with ISO 8601 timestamps, errors as `x-amzn-ErrorType`. The real SDK
//! parses every answer.

use serde_json::{Value, json};

/// What the fake analyzer holds.
#[derive(Debug, Default, Clone)]
pub struct AnalyzerFake {
    /// `AnalyzerSummary` objects.
    pub analyzers: Vec<Value>,
    /// `GetFindingV2` answers (the summaries are made from them).
    pub findings: Vec<Value>,
}

/// An active unused-access analyzer of the account.
pub fn analyzer(account: &str, tracking_days: u32) -> Value {
    json!({
        "arn": format!("arn:aws:access-analyzer:us-east-1:{account}:analyzer/unused"),
        "name": "unused",
        "type": "ACCOUNT_UNUSED_ACCESS",
        "createdAt": "2026-01-01T00:00:00Z",
        "status": "ACTIVE",
        "configuration": {"unusedAccess": {"unusedAccessAge": tracking_days}},
    })
}

/// An active finding about `user`'s key (`Some`) or password (`None`).
pub fn finding(
    account: &str,
    id: &str,
    user: &str,
    key: Option<&str>,
    last: Option<&str>,
) -> Value {
    let (kind, details) = match key {
        Some(key) => (
            "UnusedIAMUserAccessKey",
            json!({"unusedIamUserAccessKeyDetails": {"accessKeyId": key, "lastAccessed": last}}),
        ),
        None => (
            "UnusedIAMUserPassword",
            json!({"unusedIamUserPasswordDetails": {"lastAccessed": last}}),
        ),
    };
    json!({
        "id": id,
        "analyzedAt": "2026-12-05T00:00:00Z",
        "createdAt": "2026-11-01T00:00:00Z",
        "updatedAt": "2026-12-05T00:00:00Z",
        "resource": format!("arn:aws:iam::{account}:user/{user}"),
        "resourceType": "AWS::IAM::User",
        "resourceOwnerAccount": account,
        "status": "ACTIVE",
        "findingType": kind,
        "findingDetails": [details],
    })
}

/// The action of a request line, if it is one of Access Analyzer's.
pub fn action(request: &str) -> Option<&'static str> {
    if request.starts_with("GET /analyzer") {
        Some("ListAnalyzers")
    } else if request.starts_with("POST /findingv2 ") {
        Some("ListFindingsV2")
    } else if request.starts_with("GET /findingv2/") {
        Some("GetFindingV2")
    } else {
        None
    }
}

/// A REST-JSON answer as AWS's REST-JSON services send one: the error's
/// type in `x-amzn-ErrorType` (Access Analyzer's, the Account API's).
pub fn reply(status: u16, error: Option<&str>, body: &Value) -> Vec<u8> {
    let body = body.to_string();
    let error = error.map_or_else(String::new, |e| format!("x-amzn-ErrorType: {e}\r\n"));
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{error}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// 429 `ThrottlingException`, as Access Analyzer throttles.
pub fn throttled() -> Vec<u8> {
    reply(
        429,
        Some("ThrottlingException"),
        &json!({"message": "Rate exceeded"}),
    )
}

/// 403 `AccessDeniedException`.
pub fn denied(action: &str) -> Vec<u8> {
    reply(
        403,
        Some("AccessDeniedException"),
        &json!({"message": format!("User is not authorized to perform: access-analyzer:{action}")}),
    )
}

fn query<'a>(request: &'a str, name: &str) -> Option<&'a str> {
    request
        .split_whitespace()
        .nth(1)?
        .split_once('?')?
        .1
        .split('&')
        .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// The answer to one request.
pub fn answer(fake: &AnalyzerFake, action: &str, head: &str, body: &[u8]) -> Vec<u8> {
    let request = head.lines().next().unwrap_or_default();
    match action {
        "ListAnalyzers" => {
            let kind = query(request, "type");
            let analyzers: Vec<&Value> = fake
                .analyzers
                .iter()
                .filter(|a| kind.is_none_or(|k| a["type"] == k))
                .collect();
            reply(200, None, &json!({ "analyzers": analyzers }))
        }
        "ListFindingsV2" => {
            let Ok(asked) = serde_json::from_slice::<Value>(body) else {
                return reply(
                    400,
                    Some("ValidationException"),
                    &json!({"message": "body"}),
                );
            };
            if !fake
                .analyzers
                .iter()
                .any(|a| a["arn"] == asked["analyzerArn"])
            {
                return reply(
                    404,
                    Some("ResourceNotFoundException"),
                    &json!({"message": "analyzer not found", "resourceId": asked["analyzerArn"], "resourceType": "analyzer"}),
                );
            }
            let matches = |f: &Value| {
                f["resource"].as_str().is_some()
                    && asked["filter"].as_object().is_none_or(|filter| {
                        filter.iter().all(|(field, criterion)| {
                            criterion["eq"]
                                .as_array()
                                .is_none_or(|values| values.contains(&f[field.as_str()]))
                        })
                    })
            };
            let all: Vec<Value> = fake
                .findings
                .iter()
                .filter(|f| matches(f))
                .map(|f| {
                    let mut summary = f.clone();
                    summary.as_object_mut().unwrap().remove("findingDetails");
                    summary
                })
                .collect();
            let start: usize = asked["nextToken"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            let page: Vec<&Value> = all.iter().skip(start).take(2).collect();
            let mut out = json!({ "findings": page });
            if start + 2 < all.len() {
                out["nextToken"] = json!((start + 2).to_string());
            }
            reply(200, None, &out)
        }
        "GetFindingV2" => {
            let id = request
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.strip_prefix("/findingv2/"))
                .map(|p| decode(p.split('?').next().unwrap_or(p)))
                .unwrap_or_default();
            let analyzer = query(request, "analyzerArn").map(decode);
            match fake.findings.iter().find(|f| f["id"] == id.as_str()) {
                Some(f) if analyzer.is_some() => reply(200, None, f),
                _ => reply(
                    404,
                    Some("ResourceNotFoundException"),
                    &json!({"message": format!("Finding {id} not found"), "resourceId": id, "resourceType": "finding"}),
                ),
            }
        }
        _ => reply(
            400,
            Some("ValidationException"),
            &json!({"message": action}),
        ),
    }
}
