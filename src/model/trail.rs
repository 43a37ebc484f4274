//! A CloudTrail event as iamkeys reads it, and what `LookupEvents` looks
//! events up by: words shared by the usage room (which gathers them) and
//! the IAM room's memory account (which serves them in tests and the demo).

use chrono::{DateTime, Utc};

/// One CloudTrail event, as much of it as iamkeys reads. A field the event
/// does not carry (or carries malformed) is `None`: unknown, never guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailEvent {
    pub id: String,
    pub time: Option<DateTime<Utc>>,
    pub name: String,
    pub source: String,
    pub region: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The caller's ARN (`userIdentity.arn`).
    pub caller_arn: Option<String>,
    /// The caller's account (`userIdentity.accountId`).
    pub account_id: Option<String>,
    /// For `CreateAccessKey`: the key it made (`responseElements.accessKey.accessKeyId`).
    pub created_key: Option<String>,
    /// The role behind an assumed-role caller
    /// (`userIdentity.sessionContext.sessionIssuer.arn`).
    pub issuer_arn: Option<String>,
    /// For `TagUser`: the user tagged (`requestParameters.userName`).
    pub request_user: Option<String>,
    /// For `TagUser`: the tags set (`requestParameters.tags`), each with a
    /// string key and value; an entry without them is left out.
    pub request_tags: Vec<(String, String)>,
    /// `readOnly`: whether the call only read. `None`: the event does not
    /// say (counted among the writes: fail closed).
    pub read_only: Option<bool>,
    /// `errorCode`: the call failed (`None`: it did not say it failed).
    pub error_code: Option<String>,
    /// `recipientAccountId`: the account the call acted in.
    pub recipient_account: Option<String>,
    /// For `UpdateAccessKey`: `requestParameters.accessKeyId` and `.status`.
    pub request_key: Option<String>,
    pub request_status: Option<String>,
}

impl TrailEvent {
    /// An event from `LookupEvents`: its ID, name and source from the
    /// lookup's fields, the rest from the `CloudTrailEvent` JSON string.
    #[must_use]
    pub fn parse(
        id: &str,
        time: Option<DateTime<Utc>>,
        name: &str,
        source: &str,
        json: Option<&str>,
    ) -> Self {
        let body: serde_json::Value = json
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or(serde_json::Value::Null);
        let text = |pointer: &str| {
            body.pointer(pointer)
                .and_then(serde_json::Value::as_str)
                .filter(|s| !s.is_empty())
                .map(ToOwned::to_owned)
        };
        Self {
            id: id.to_owned(),
            time,
            name: name.to_owned(),
            source: source.to_owned(),
            region: text("/awsRegion"),
            source_ip: text("/sourceIPAddress"),
            user_agent: text("/userAgent"),
            caller_arn: text("/userIdentity/arn"),
            account_id: text("/userIdentity/accountId"),
            created_key: text("/responseElements/accessKey/accessKeyId"),
            issuer_arn: text("/userIdentity/sessionContext/sessionIssuer/arn"),
            request_user: text("/requestParameters/userName"),
            error_code: text("/errorCode"),
            recipient_account: text("/recipientAccountId"),
            request_key: text("/requestParameters/accessKeyId"),
            request_status: text("/requestParameters/status"),
            read_only: body
                .pointer("/readOnly")
                .and_then(serde_json::Value::as_bool),
            request_tags: body
                .pointer("/requestParameters/tags")
                .and_then(serde_json::Value::as_array)
                .map(|tags| {
                    tags.iter()
                        .filter_map(|t| {
                            Some((
                                t.get("key")?.as_str()?.to_owned(),
                                t.get("value")?.as_str()?.to_owned(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

/// What `LookupEvents` looks events up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Events signed with this access key (`AccessKeyId`): who uses it.
    AccessKey(String),
    /// Events naming this resource (`ResourceName`): its `CreateAccessKey`.
    Resource(String),
    /// Events of this API (`EventName`).
    EventName(String),
}
