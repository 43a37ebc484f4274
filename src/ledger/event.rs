//! One ledger event: what was decided, about which account, user and key,
//! when, and by whom (`by`: the writer's STS caller ARN, asked of STS, never
//! typed). One JSON object per line, schema `iamkeys.ledger/v1`:
//!
//! ```json
//! {"schema":"iamkeys.ledger/v1","id":"…","at":"2026-12-06T10:00:00Z",
//!  "account_id":"123456789012","user":"alice","key_id":"AKIA…",
//!  "by":"arn:aws:sts::123456789012:assumed-role/SecurityAudit/bob",
//!  "event":"waiver.granted","data":{"finding":"unused_key","until":"2027-01-31","reason":"…"}}
//! ```
//!
//! Read strictly: an unknown schema, event or field, a missing field, an ID
//! that is not an ID is an error naming the line, never a guess (it could
//! have been a revocation).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::FindingId;

/// The schema every line carries.
pub const SCHEMA: &str = "iamkeys.ledger/v1";

/// The longest line read (a reason is bounded well below it).
pub const MAX_LINE: usize = 16 * 1024;

/// The longest free text (a reason, an owner) an event holds.
pub const MAX_TEXT: usize = 1024;

/// Where a key's inactive date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InactiveSource {
    /// CloudTrail's successful `UpdateAccessKey` to Inactive, in the audited
    /// account, for that key.
    Cloudtrail,
    /// The first time iamkeys saw the key Inactive (never earlier than the truth).
    Seen,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A finding waived until a date (a key-level finding only by naming its key).
    WaiverGranted {
        finding: FindingId,
        until: NaiveDate,
        reason: String,
        /// The `iamkeys:waive:…` tag this was imported from, if any.
        from_tag: Option<String>,
    },
    /// The waiver with this event id no longer holds.
    WaiverRevoked { waiver: String, reason: String },
    /// `R`: the key (`key_id`) is being replaced by `new_key_id`.
    RotationStarted { new_key_id: String },
    /// The new key of a rotation was first seen used.
    RotationFirstUse {
        new_key_id: String,
        used_at: DateTime<Utc>,
    },
    /// The rotation is over (its old or new key deleted).
    RotationFinished { new_key_id: String },
    /// Where the user's rotated keys are handed off: a full Secrets Manager
    /// or SSM parameter ARN.
    HandoffSet {
        target: String,
        from_tag: Option<String>,
    },
    /// iamkeys made the key inactive (the event's `at` is when).
    KeyMadeInactive,
    /// The key was made inactive outside iamkeys: dated by CloudTrail, or by
    /// when iamkeys first saw it inactive.
    KeySeenInactive {
        since: DateTime<Utc>,
        source: InactiveSource,
    },
    /// `plan --record`: the key's action is due on this date.
    DueRecorded {
        due: NaiveDate,
        action: String,
        finding: FindingId,
    },
    /// `notify`: the owner was told of the key's due action.
    NoticeSent {
        due: NaiveDate,
        owner: String,
        channel: String,
    },
    /// Who answers for the user's keys.
    OwnerSet {
        owner: String,
        from_tag: Option<String>,
    },
}

impl Kind {
    /// The event's name as written (`waiver.granted`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.names().0
    }

    /// The audit log's name for appending it (`ledger:waiver.granted`).
    #[must_use]
    pub fn audit_name(&self) -> &'static str {
        self.names().1
    }

    /// The event's name, and the audit log's for appending it.
    fn names(&self) -> (&'static str, &'static str) {
        macro_rules! named {
            ($name:literal) => {
                ($name, concat!("ledger:", $name))
            };
        }
        match self {
            Self::WaiverGranted { .. } => named!("waiver.granted"),
            Self::WaiverRevoked { .. } => named!("waiver.revoked"),
            Self::RotationStarted { .. } => named!("rotation.started"),
            Self::RotationFirstUse { .. } => named!("rotation.first_use"),
            Self::RotationFinished { .. } => named!("rotation.finished"),
            Self::HandoffSet { .. } => named!("handoff.set"),
            Self::KeyMadeInactive => named!("key.made_inactive"),
            Self::KeySeenInactive { .. } => named!("key.seen_inactive"),
            Self::DueRecorded { .. } => named!("due.recorded"),
            Self::NoticeSent { .. } => named!("notice.sent"),
            Self::OwnerSet { .. } => named!("owner.set"),
        }
    }

    /// What the event says, in a line (for the audit log and `ledger show`).
    #[must_use]
    pub fn summary(&self) -> String {
        let clean = |t: &str| crate::text::clean(t).into_owned();
        match self {
            Self::WaiverGranted {
                finding,
                until,
                reason,
                from_tag,
            } => format!(
                "{finding} waived until {until}: {}{}",
                clean(reason),
                from_tag
                    .as_deref()
                    .map(|t| format!(" (imported from tag {})", clean(t)))
                    .unwrap_or_default()
            ),
            Self::WaiverRevoked { waiver, reason } => {
                format!("waiver {waiver} revoked: {}", clean(reason))
            }
            Self::RotationStarted { new_key_id } => format!("rotating to {new_key_id}"),
            Self::RotationFirstUse {
                new_key_id,
                used_at,
            } => format!(
                "{new_key_id} first used {}",
                used_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
            Self::RotationFinished { new_key_id } => format!("rotation to {new_key_id} over"),
            Self::HandoffSet { target, .. } => format!("hand-off target {}", clean(target)),
            Self::KeyMadeInactive => "made inactive by iamkeys".to_owned(),
            Self::KeySeenInactive { since, source } => format!(
                "inactive since {} ({})",
                since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                match source {
                    InactiveSource::Cloudtrail => "CloudTrail UpdateAccessKey",
                    InactiveSource::Seen => "first seen inactive",
                }
            ),
            Self::DueRecorded {
                due,
                action,
                finding,
            } => format!("{action} due {due} ({finding})"),
            Self::NoticeSent {
                due,
                owner,
                channel,
            } => format!("{} told by {} of {due}", clean(owner), clean(channel)),
            Self::OwnerSet { owner, .. } => format!("owner {}", clean(owner)),
        }
    }

    /// Whether the event is about one key (it must name it).
    fn needs_key(&self) -> bool {
        matches!(
            self,
            Self::RotationStarted { .. }
                | Self::RotationFirstUse { .. }
                | Self::RotationFinished { .. }
                | Self::KeyMadeInactive
                | Self::KeySeenInactive { .. }
                | Self::DueRecorded { .. }
                | Self::NoticeSent { .. }
        )
    }

    /// Whether the event is about a user (every one is but a revocation,
    /// which names the waiver).
    fn needs_user(&self) -> bool {
        !matches!(self, Self::WaiverRevoked { .. })
    }
}

/// One event of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub at: DateTime<Utc>,
    pub account_id: String,
    pub user: Option<String>,
    pub key_id: Option<String>,
    /// The writer's STS caller ARN.
    pub by: String,
    pub kind: Kind,
}

/// The line's shape, before each field is checked.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    schema: String,
    id: String,
    at: String,
    account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    by: String,
    event: String,
    data: serde_json::Value,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverData {
    finding: FindingId,
    until: NaiveDate,
    reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_tag: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeData {
    waiver: String,
    reason: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RotationData {
    new_key_id: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FirstUseData {
    new_key_id: String,
    used_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HandoffData {
    target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_tag: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeenData {
    since: DateTime<Utc>,
    source: InactiveSource,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DueData {
    due: NaiveDate,
    action: String,
    finding: FindingId,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeData {
    due: NaiveDate,
    owner: String,
    channel: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerData {
    owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from_tag: Option<String>,
}

/// An event id: 32 lower-case hex digits (12 of milliseconds, 20 random).
#[must_use]
pub fn is_event_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A new event id, ordered by time to the millisecond.
#[must_use]
pub fn new_id(at: DateTime<Utc>) -> String {
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0) & 0xffff_ffff_ffff;
    let random = fastrand::u128(..) & ((1u128 << 80) - 1);
    format!("{ms:012x}{random:020x}")
}

/// An access key ID as IAM makes them (`AKIA…`, `ASIA…`): 16-128 upper-case
/// letters and digits.
#[must_use]
pub fn is_key_id(id: &str) -> bool {
    (16..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// An IAM user name: 1-64 of letters, digits and `+=,.@_-`.
#[must_use]
pub fn is_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// A caller ARN as STS answers it: `arn:<partition>:<iam|sts>::<account>:<resource>`.
#[must_use]
pub fn is_caller_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam" | "sts", "", account, resource]
            if partition.starts_with("aws")
                && crate::model::is_account_id(account)
                && !resource.is_empty()
                && arn.len() <= 2048
                && !arn.chars().any(crate::text::is_unsafe)
    )
}

fn text(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("{what} is empty"));
    }
    if value.chars().count() > MAX_TEXT {
        return Err(format!("{what} is over {MAX_TEXT} characters"));
    }
    Ok(())
}

fn key(what: &str, value: &str) -> Result<(), String> {
    if is_key_id(value) {
        Ok(())
    } else {
        Err(format!(
            "{what} `{}` is not an access key ID",
            crate::text::clean(value)
        ))
    }
}

impl Event {
    /// A new event, now, by this writer.
    #[must_use]
    pub fn new(
        at: DateTime<Utc>,
        account_id: &str,
        user: Option<&str>,
        key_id: Option<&str>,
        by: &str,
        kind: Kind,
    ) -> Self {
        Self {
            id: new_id(at),
            at,
            account_id: account_id.to_owned(),
            user: user.map(ToOwned::to_owned),
            key_id: key_id.map(ToOwned::to_owned),
            by: by.to_owned(),
            kind,
        }
    }

    /// Every field as the ledger requires it; what is wrong, else.
    ///
    /// # Errors
    /// The first field that is not as the schema says.
    pub fn check(&self) -> Result<(), String> {
        if !is_event_id(&self.id) {
            return Err(format!(
                "id `{}` is not an event id",
                crate::text::clean(&self.id)
            ));
        }
        if !crate::model::is_account_id(&self.account_id) {
            return Err(format!(
                "account_id `{}` is not an account ID",
                crate::text::clean(&self.account_id)
            ));
        }
        if !is_caller_arn(&self.by) {
            return Err(format!(
                "by `{}` is not a caller ARN",
                crate::text::clean(&self.by)
            ));
        }
        match (&self.user, self.kind.needs_user()) {
            (Some(user), _) if !is_user_name(user) => {
                return Err(format!(
                    "user `{}` is not an IAM user name",
                    crate::text::clean(user)
                ));
            }
            (None, true) => return Err(format!("{} names no user", self.kind.name())),
            _ => {}
        }
        match (&self.key_id, self.kind.needs_key()) {
            (Some(id), _) => key("key_id", id)?,
            (None, true) => return Err(format!("{} names no key", self.kind.name())),
            (None, false) => {}
        }
        match &self.kind {
            Kind::WaiverGranted { reason, .. } => text("reason", reason),
            Kind::WaiverRevoked { waiver, reason } => {
                if !is_event_id(waiver) {
                    return Err("waiver is not an event id".to_owned());
                }
                text("reason", reason)
            }
            Kind::RotationStarted { new_key_id }
            | Kind::RotationFirstUse { new_key_id, .. }
            | Kind::RotationFinished { new_key_id } => key("new_key_id", new_key_id),
            Kind::HandoffSet { target, .. } => crate::handoff::Target::parse_arn(target)
                .map(|_| ())
                .map_err(|why| format!("target: {why}")),
            Kind::KeyMadeInactive | Kind::KeySeenInactive { .. } => Ok(()),
            Kind::DueRecorded { action, .. } => match action.as_str() {
                "make_inactive" | "delete" => Ok(()),
                other => Err(format!(
                    "action `{}` is not make_inactive or delete",
                    crate::text::clean(other)
                )),
            },
            Kind::NoticeSent { owner, channel, .. } => {
                text("owner", owner)?;
                text("channel", channel)
            }
            Kind::OwnerSet { owner, .. } => text("owner", owner),
        }
    }

    /// The event as one JSON line (no newline).
    #[must_use]
    pub fn to_line(&self) -> String {
        let to = |v: Result<serde_json::Value, serde_json::Error>| v.unwrap_or_default();
        let data = match &self.kind {
            Kind::WaiverGranted {
                finding,
                until,
                reason,
                from_tag,
            } => to(serde_json::to_value(WaiverData {
                finding: *finding,
                until: *until,
                reason: reason.clone(),
                from_tag: from_tag.clone(),
            })),
            Kind::WaiverRevoked { waiver, reason } => to(serde_json::to_value(RevokeData {
                waiver: waiver.clone(),
                reason: reason.clone(),
            })),
            Kind::RotationStarted { new_key_id } | Kind::RotationFinished { new_key_id } => {
                to(serde_json::to_value(RotationData {
                    new_key_id: new_key_id.clone(),
                }))
            }
            Kind::RotationFirstUse {
                new_key_id,
                used_at,
            } => to(serde_json::to_value(FirstUseData {
                new_key_id: new_key_id.clone(),
                used_at: *used_at,
            })),
            Kind::HandoffSet { target, from_tag } => to(serde_json::to_value(HandoffData {
                target: target.clone(),
                from_tag: from_tag.clone(),
            })),
            Kind::KeyMadeInactive => to(serde_json::to_value(Empty {})),
            Kind::KeySeenInactive { since, source } => to(serde_json::to_value(SeenData {
                since: *since,
                source: *source,
            })),
            Kind::DueRecorded {
                due,
                action,
                finding,
            } => to(serde_json::to_value(DueData {
                due: *due,
                action: action.clone(),
                finding: *finding,
            })),
            Kind::NoticeSent {
                due,
                owner,
                channel,
            } => to(serde_json::to_value(NoticeData {
                due: *due,
                owner: owner.clone(),
                channel: channel.clone(),
            })),
            Kind::OwnerSet { owner, from_tag } => to(serde_json::to_value(OwnerData {
                owner: owner.clone(),
                from_tag: from_tag.clone(),
            })),
        };
        let line = Line {
            schema: SCHEMA.to_owned(),
            id: self.id.clone(),
            at: self.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            account_id: self.account_id.clone(),
            user: self.user.clone(),
            key_id: self.key_id.clone(),
            by: self.by.clone(),
            event: self.kind.name().to_owned(),
            data,
        };
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Read one line strictly.
    ///
    /// # Errors
    /// What is wrong with it (the caller names where it stands).
    pub fn parse(line: &str) -> Result<Self, String> {
        if line.len() > MAX_LINE {
            return Err(format!("over {MAX_LINE} bytes"));
        }
        let raw: Line = serde_json::from_str(line).map_err(|e| e.to_string())?;
        if raw.schema != SCHEMA {
            return Err(format!(
                "schema `{}` is not {SCHEMA} (written by a newer iamkeys?)",
                crate::text::clean(&raw.schema)
            ));
        }
        let at = DateTime::parse_from_rfc3339(&raw.at)
            .map_err(|_| {
                format!(
                    "at `{}` is not an RFC 3339 time",
                    crate::text::clean(&raw.at)
                )
            })?
            .with_timezone(&Utc);
        let kind = kind(&raw.event, raw.data)?;
        let event = Self {
            id: raw.id,
            at,
            account_id: raw.account_id,
            user: raw.user,
            key_id: raw.key_id,
            by: raw.by,
            kind,
        };
        event.check()?;
        Ok(event)
    }
}

fn data<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("data: {e}"))
}

/// The event's kind from its name and data, strictly.
fn kind(event: &str, data_value: serde_json::Value) -> Result<Kind, String> {
    Ok(match event {
        "waiver.granted" => {
            let d: WaiverData = data(data_value)?;
            Kind::WaiverGranted {
                finding: d.finding,
                until: d.until,
                reason: d.reason,
                from_tag: d.from_tag,
            }
        }
        "waiver.revoked" => {
            let d: RevokeData = data(data_value)?;
            Kind::WaiverRevoked {
                waiver: d.waiver,
                reason: d.reason,
            }
        }
        "rotation.started" => Kind::RotationStarted {
            new_key_id: data::<RotationData>(data_value)?.new_key_id,
        },
        "rotation.first_use" => {
            let d: FirstUseData = data(data_value)?;
            Kind::RotationFirstUse {
                new_key_id: d.new_key_id,
                used_at: d.used_at,
            }
        }
        "rotation.finished" => Kind::RotationFinished {
            new_key_id: data::<RotationData>(data_value)?.new_key_id,
        },
        "handoff.set" => {
            let d: HandoffData = data(data_value)?;
            Kind::HandoffSet {
                target: d.target,
                from_tag: d.from_tag,
            }
        }
        "key.made_inactive" => {
            data::<Empty>(data_value)?;
            Kind::KeyMadeInactive
        }
        "key.seen_inactive" => {
            let d: SeenData = data(data_value)?;
            Kind::KeySeenInactive {
                since: d.since,
                source: d.source,
            }
        }
        "due.recorded" => {
            let d: DueData = data(data_value)?;
            Kind::DueRecorded {
                due: d.due,
                action: d.action,
                finding: d.finding,
            }
        }
        "notice.sent" => {
            let d: NoticeData = data(data_value)?;
            Kind::NoticeSent {
                due: d.due,
                owner: d.owner,
                channel: d.channel,
            }
        }
        "owner.set" => {
            let d: OwnerData = data(data_value)?;
            Kind::OwnerSet {
                owner: d.owner,
                from_tag: d.from_tag,
            }
        }
        other => {
            return Err(format!(
                "event `{}` is not one this iamkeys knows",
                crate::text::clean(other)
            ));
        }
    })
}

#[cfg(test)]
mod tests;
