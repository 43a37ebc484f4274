//! The ledger: where iamkeys keeps what it and its operators decided about
//! keys — waivers, rotations and their hand-off targets, inactive dates, due
//! dates, notices, owners — as append-only events ([`event`]), never as IAM
//! tags (whoever holds `iam:TagUser` on a user can write those, often the
//! user itself). Its authority is the access control of where it is kept:
//! a local directory ([`local`], the default) or an S3 prefix ([`s3`], for
//! a team), one ledger per account, read and written with the caller's own
//! credentials (never a member's role session). What is believed is the
//! fold of the events ([`fold`]), checked against IAM's facts by the audit.
//!
//! Failing closed: a read that fails or an event that does not read makes
//! that account's ledger a gap (it could have been a revocation); a write
//! that fails refuses the change it belongs to.

pub mod check;
pub mod demo;
pub mod event;
pub mod fold;
pub mod local;
pub mod open;
pub mod s3;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

pub use event::{Event, Kind};
pub use fold::Folded;

/// The largest ledger read for one account (64 MiB: about 200,000 events).
pub const MAX_BYTES: u64 = 64 << 20;

/// Why the ledger could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Refused (`AccessDenied`, a permission).
    Denied,
    /// Throttled past the SDK's retries.
    Throttled,
    /// An event or the file does not read (named where).
    Malformed,
    /// Other writers kept winning the conditional write.
    Conflict,
    /// Anything else (IO, network).
    Failed,
}

/// A ledger error, one line: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerError {
    pub why: Why,
    /// The file or `s3://` object.
    pub place: String,
    pub message: String,
}

impl LedgerError {
    #[must_use]
    pub fn failed(place: String, message: String) -> Self {
        Self {
            why: Why::Failed,
            place,
            message,
        }
    }

    #[must_use]
    pub fn malformed(place: String, message: String) -> Self {
        Self {
            why: Why::Malformed,
            place,
            message,
        }
    }
}

impl LedgerError {
    /// Where and what, on one line: `<place> does not read: <why>`.
    #[must_use]
    pub fn cause(&self) -> String {
        let what = match self.why {
            Why::Denied => "refused",
            Why::Throttled => "throttled",
            Why::Malformed => "does not read",
            Why::Conflict => "kept changing under the write",
            Why::Failed => "failed",
        };
        format!(
            "{} {what}: {}",
            crate::text::clean(&self.place),
            crate::text::clean(&self.message).replace('\n', " ")
        )
    }
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ledger {}", self.cause())
    }
}

impl std::error::Error for LedgerError {}

/// Where the ledger is (`[ledger] location`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A directory (default: `<data dir>/ledger`).
    Local(std::path::PathBuf),
    /// `s3://bucket/prefix`.
    S3 { bucket: String, prefix: String },
    /// The demo's: in memory, gone when the program ends.
    Memory,
}

impl Location {
    /// Read `[ledger] location`: `s3://bucket[/prefix]` or a directory.
    ///
    /// # Errors
    /// An `s3://` location with no bucket, or a bucket name S3 does not allow.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let ok = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                });
            if !ok {
                return Err(format!(
                    "[ledger] location `{}`: `{}` is not an S3 bucket name",
                    crate::text::clean(text),
                    crate::text::clean(bucket)
                ));
            }
            return Ok(Self::S3 {
                bucket: bucket.to_owned(),
                prefix: prefix.trim_matches('/').to_owned(),
            });
        }
        if text.contains("://") {
            return Err(format!(
                "[ledger] location `{}` is neither s3://bucket/prefix nor a directory",
                crate::text::clean(text)
            ));
        }
        if text.is_empty() {
            return Err("[ledger] location is empty".to_owned());
        }
        Ok(Self::Local(text.into()))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(dir) => write!(f, "{}", dir.display()),
            Self::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Self::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
            Self::Memory => f.write_str("the demo's ledger (in memory)"),
        }
    }
}

enum Store {
    Local(local::Local),
    S3(s3::S3),
    Memory(Mutex<HashMap<String, String>>),
}

/// An event to append: the ledger dates it, gives it an id and its writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub account_id: String,
    pub user: Option<String>,
    pub key_id: Option<String>,
    pub kind: Kind,
}

/// Who writes: the caller's ARN as STS answers it, asked once.
pub type Writer =
    Arc<dyn Fn() -> futures::future::BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// A ledger, read and written with the caller's own credentials.
pub struct Ledger {
    location: Location,
    store: Store,
    writer: Writer,
    by: tokio::sync::OnceCell<String>,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ledger({})", self.location)
    }
}

impl Ledger {
    /// A ledger at a local directory.
    #[must_use]
    pub fn local(dir: std::path::PathBuf, writer: Writer) -> Self {
        Self {
            location: Location::Local(dir.clone()),
            store: Store::Local(local::Local { dir }),
            writer,
            by: tokio::sync::OnceCell::new(),
        }
    }

    /// A ledger in memory (the demo's, tests').
    #[must_use]
    pub fn memory(writer: Writer) -> Self {
        Self {
            location: Location::Memory,
            store: Store::Memory(Mutex::new(HashMap::new())),
            writer,
            by: tokio::sync::OnceCell::new(),
        }
    }

    /// A ledger in memory holding these events of `account` (the demo's).
    #[must_use]
    pub fn memory_with(writer: Writer, account: &str, events: &[Event]) -> Self {
        let text: String = events.iter().map(|e| e.to_line() + "\n").collect();
        Self {
            location: Location::Memory,
            store: Store::Memory(Mutex::new(HashMap::from([(account.to_owned(), text)]))),
            writer,
            by: tokio::sync::OnceCell::new(),
        }
    }

    /// A ledger under an S3 prefix, through this client.
    #[must_use]
    pub fn s3(client: aws_sdk_s3::Client, bucket: String, prefix: String, writer: Writer) -> Self {
        Self {
            location: Location::S3 {
                bucket: bucket.clone(),
                prefix: prefix.clone(),
            },
            store: Store::S3(s3::S3 {
                client,
                bucket,
                prefix,
            }),
            writer,
            by: tokio::sync::OnceCell::new(),
        }
    }

    /// A writer that is always this ARN (the demo, tests).
    #[must_use]
    pub fn fixed_writer(arn: &str) -> Writer {
        let arn = arn.to_owned();
        Arc::new(move || {
            let arn = arn.clone();
            Box::pin(async move { Ok(arn) })
        })
    }

    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The S3 store, if the ledger is one (for `ledger check`).
    #[must_use]
    pub fn s3_store(&self) -> Option<&s3::S3> {
        match &self.store {
            Store::S3(s3) => Some(s3),
            _ => None,
        }
    }

    /// Who this session writes as (asked of STS once).
    ///
    /// # Errors
    /// STS could not say, or said something that is not a caller ARN.
    pub async fn writer(&self) -> Result<String, LedgerError> {
        let place = self.location.to_string();
        self.by
            .get_or_try_init(|| async {
                let arn = (self.writer)().await.map_err(|why| {
                    LedgerError::failed(
                        place.clone(),
                        format!("who writes cannot be told (sts:GetCallerIdentity: {why})"),
                    )
                })?;
                if event::is_caller_arn(&arn) {
                    Ok(arn)
                } else {
                    Err(LedgerError::failed(
                        place.clone(),
                        format!(
                            "STS answered `{}`, which is not a caller ARN",
                            crate::text::clean(&arn)
                        ),
                    ))
                }
            })
            .await
            .cloned()
    }

    async fn raw(&self, account: &str) -> Result<(String, String), LedgerError> {
        match &self.store {
            Store::Local(local) => {
                let local = local.clone();
                let account = account.to_owned();
                tokio::task::spawn_blocking(move || local.read(&account))
                    .await
                    .map_err(|e| LedgerError::failed(self.location.to_string(), e.to_string()))?
            }
            Store::S3(s3) => s3.read(account).await.map(|(text, _, place)| (text, place)),
            Store::Memory(map) => Ok((
                map.lock()
                    .map_err(|_| LedgerError::failed("memory".to_owned(), "poisoned".to_owned()))?
                    .get(account)
                    .cloned()
                    .unwrap_or_default(),
                "memory".to_owned(),
            )),
        }
    }

    /// The accounts this ledger holds a ledger for.
    ///
    /// # Errors
    /// The directory or the bucket cannot be listed.
    pub async fn accounts(&self) -> Result<Vec<String>, LedgerError> {
        match &self.store {
            Store::Local(local) => {
                let local = local.clone();
                tokio::task::spawn_blocking(move || local.accounts())
                    .await
                    .map_err(|e| LedgerError::failed(self.location.to_string(), e.to_string()))?
            }
            Store::S3(s3) => s3.accounts().await,
            Store::Memory(map) => {
                let mut out: Vec<String> = map
                    .lock()
                    .map_err(|_| LedgerError::failed("memory".to_owned(), "poisoned".to_owned()))?
                    .keys()
                    .cloned()
                    .collect();
                out.sort();
                Ok(out)
            }
        }
    }

    /// Every event of an account's ledger, in the order written.
    ///
    /// # Errors
    /// It cannot be read, or a line does not read (named by its number).
    pub async fn events(&self, account: &str) -> Result<Vec<Event>, LedgerError> {
        if !crate::model::is_account_id(account) {
            return Err(LedgerError::failed(
                self.location.to_string(),
                format!("`{}` is not an account ID", crate::text::clean(account)),
            ));
        }
        let (text, place) = self.raw(account).await?;
        parse(&text, &place)
    }

    /// An account's ledger, folded.
    ///
    /// # Errors
    /// As [`Ledger::events`], or events that do not add up (see [`Folded::new`]).
    pub async fn fold(&self, account: &str) -> Result<Folded, LedgerError> {
        let events = self.events(account).await?;
        let place = self.place(account);
        // A record dated in the future (beyond 5 minutes of clock skew) was
        // not written when it says: refused and named, never counted.
        let latest = Utc::now() + chrono::TimeDelta::minutes(5);
        if let Some((n, event)) = events.iter().enumerate().find(|(_, e)| e.at > latest) {
            return Err(LedgerError::malformed(
                place,
                format!(
                    "event {} (id {}) is dated {}, in the future",
                    n + 1,
                    event.id,
                    event.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            ));
        }
        Folded::new(account, &events).map_err(|why| LedgerError::malformed(place, why))
    }

    /// Where an account's ledger is, as errors name it.
    #[must_use]
    pub fn place(&self, account: &str) -> String {
        match &self.store {
            Store::Local(local) => local
                .dir
                .join(format!("{account}.jsonl"))
                .display()
                .to_string(),
            Store::S3(s3) => s3.place(account),
            Store::Memory(_) => "memory".to_owned(),
        }
    }

    /// Append events (one account's), dated `now` and written by this
    /// session's caller: all of them or none.
    ///
    /// # Errors
    /// Who writes cannot be told, an event is not as the schema says, or
    /// the write failed (nothing was written).
    pub async fn append(
        &self,
        drafts: Vec<Draft>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Event>, LedgerError> {
        let Some(account) = drafts.first().map(|d| d.account_id.clone()) else {
            return Ok(Vec::new());
        };
        let place = self.place(&account);
        if drafts.iter().any(|d| d.account_id != account) {
            return Err(LedgerError::failed(
                place,
                "one append is for one account".to_owned(),
            ));
        }
        let by = self.writer().await?;
        let events: Vec<Event> = drafts
            .into_iter()
            .map(|d| {
                Event::new(
                    now,
                    &d.account_id,
                    d.user.as_deref(),
                    d.key_id.as_deref(),
                    &by,
                    d.kind,
                )
            })
            .collect();
        let mut lines = String::new();
        for event in &events {
            event
                .check()
                .map_err(|why| LedgerError::failed(place.clone(), format!("not written: {why}")))?;
            lines.push_str(&event.to_line());
            lines.push('\n');
        }
        match &self.store {
            Store::Local(local) => {
                let local = local.clone();
                let account = account.clone();
                tokio::task::spawn_blocking(move || local.append(&account, &lines))
                    .await
                    .map_err(|e| LedgerError::failed(place.clone(), e.to_string()))??;
            }
            Store::S3(s3) => s3.append(&account, &lines).await?,
            Store::Memory(map) => {
                map.lock()
                    .map_err(|_| LedgerError::failed(place.clone(), "poisoned".to_owned()))?
                    .entry(account)
                    .or_default()
                    .push_str(&lines);
            }
        }
        Ok(events)
    }
}

/// Read a ledger's text strictly: every line an event, a blank line only at
/// the end.
///
/// # Errors
/// The first line that does not read, named with its number.
pub fn parse(text: &str, place: &str) -> Result<Vec<Event>, LedgerError> {
    let mut events = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let event = Event::parse(line)
            .map_err(|why| LedgerError::malformed(format!("{place} line {}", n + 1), why))?;
        events.push(event);
    }
    Ok(events)
}

/// `[ledger]`: where iamkeys keeps what it decided .
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// A directory, or `s3://bucket/prefix`; default `<data dir>/ledger`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The S3 bucket's region (default: the profile's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Settings {
    /// Where the ledger is: `location`, else `<data dir>/ledger`.
    ///
    /// # Errors
    /// A location that does not read, or no data dir to put it in.
    pub fn location(&self) -> Result<Location, String> {
        match &self.location {
            Some(text) => Location::parse(text),
            None => crate::paths::data_dir()
                .map(|dir| Location::Local(dir.join("ledger")))
                .ok_or_else(|| {
                    "no data directory for the ledger: set [ledger] location".to_owned()
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BY: &str = "arn:aws:sts::111111111111:assumed-role/SecurityAudit/bob";

    fn waiver(user: &str) -> Draft {
        Draft {
            account_id: "111111111111".into(),
            user: Some(user.into()),
            key_id: Some("AKIAIOSFODNN7EXAMPLE".into()),
            kind: Kind::WaiverGranted {
                finding: crate::audit::FindingId::UnusedKey,
                until: chrono::NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
                reason: "SEC-1".into(),
                from_tag: None,
            },
        }
    }

    #[tokio::test]
    async fn appended_events_fold_with_the_writer_sts_named() {
        let ledger = Ledger::memory(Ledger::fixed_writer(BY));
        let now = Utc::now();
        let written = ledger.append(vec![waiver("alice")], now).await.unwrap();
        assert_eq!(written[0].by, BY);
        let folded = ledger.fold("111111111111").await.unwrap();
        assert_eq!(folded.waivers_of("alice").len(), 1);
        assert_eq!(folded.waivers_of("alice")[0].by, BY);
        assert!(
            ledger
                .fold("222222222222")
                .await
                .unwrap()
                .waivers
                .is_empty()
        );
    }

    /// Issue 34 item 4: a record dated in the future is refused and named:
    /// the ledger cannot be read as it stands (a gap), never counted.
    #[tokio::test]
    async fn a_record_dated_in_the_future_is_refused() {
        let ledger = Ledger::memory(Ledger::fixed_writer(BY));
        let later = Utc::now() + chrono::TimeDelta::days(400);
        ledger.append(vec![waiver("alice")], later).await.unwrap();
        let err = ledger.fold("111111111111").await.unwrap_err().to_string();
        assert!(
            err.contains("event 1") && err.contains("in the future"),
            "{err}"
        );
        let ok = Ledger::memory(Ledger::fixed_writer(BY));
        ok.append(
            vec![waiver("alice")],
            Utc::now() + chrono::TimeDelta::minutes(2),
        )
        .await
        .unwrap();
        assert_eq!(
            ok.fold("111111111111").await.unwrap().events,
            1,
            "clock skew"
        );
    }

    #[tokio::test]
    async fn a_writer_sts_cannot_name_writes_nothing() {
        let ledger = Ledger::memory(Ledger::fixed_writer("bob"));
        let err = ledger
            .append(vec![waiver("alice")], Utc::now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not a caller ARN"), "{err}");
        assert_eq!(ledger.fold("111111111111").await.unwrap().events, 0);
    }

    #[tokio::test]
    async fn a_bad_event_is_refused_before_anything_is_written() {
        let ledger = Ledger::memory(Ledger::fixed_writer(BY));
        let mut bad = waiver("a/b");
        bad.user = Some("a/b".into());
        let err = ledger
            .append(vec![waiver("alice"), bad], Utc::now())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not an IAM user name"), "{err}");
        assert_eq!(ledger.fold("111111111111").await.unwrap().events, 0);
    }

    #[test]
    fn a_line_that_does_not_read_is_named() {
        let err = parse("\n{\"schema\":1}\n", "ledger.jsonl").unwrap_err();
        assert_eq!(err.why, Why::Malformed);
        assert!(err.to_string().contains("ledger.jsonl line 2"), "{err}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn locations_read_strictly() {
        assert_eq!(
            Location::parse("s3://sec-ledger/iamkeys/"),
            Ok(Location::S3 {
                bucket: "sec-ledger".into(),
                prefix: "iamkeys".into()
            })
        );
        assert_eq!(
            Location::parse("/var/lib/iamkeys/ledger"),
            Ok(Location::Local("/var/lib/iamkeys/ledger".into()))
        );
        for bad in ["s3://", "s3://Bad_Bucket/x", "https://x/y", ""] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
    }
}
