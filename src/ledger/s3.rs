//! The shared ledger: one object of JSON lines per account,
//! `s3://<bucket>/<prefix>/<account>/ledger.jsonl`, read and written with
//! the caller's own credentials. An append reads the object and its `ETag`,
//! adds its lines and puts it back only if nothing changed meanwhile
//! (`If-Match`, or `If-None-Match: *` for a new object); a writer that lost
//! the race (412 `PreconditionFailed`, 409 `ConditionalRequestConflict`)
//! reads again and retries, so two writers appending at once lose nothing.
//! `ledger check` reads the bucket's posture ([`S3::posture`]).

use std::time::Duration;

use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::client::result::SdkError;

use super::{LedgerError, MAX_BYTES, Why};

/// How many times a lost conditional write is tried again.
const TRIES: u32 = 25;

/// An S3 ledger.
#[derive(Debug, Clone)]
pub struct S3 {
    pub client: aws_sdk_s3::Client,
    pub bucket: String,
    pub prefix: String,
}

/// An S3 error, classified: refused, throttled, or failed.
fn classify<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug + 'static>(
    err: &SdkError<E, R>,
    place: String,
) -> LedgerError {
    let code = err.code().unwrap_or("");
    let message = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => crate::error_chain::text(err),
    };
    let why = match code {
        "AccessDenied"
        | "AllAccessDisabled"
        | "AccountProblem"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken" => Why::Denied,
        "SlowDown"
        | "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "ServiceUnavailable" => Why::Throttled,
        _ => Why::Failed,
    };
    LedgerError {
        why,
        place,
        message,
    }
}

/// The other writer won: read again and retry.
fn lost_race<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    matches!(
        err.code(),
        Some("PreconditionFailed" | "ConditionalRequestConflict")
    )
}

impl S3 {
    /// The account's object key.
    #[must_use]
    pub fn key(&self, account: &str) -> String {
        if self.prefix.is_empty() {
            format!("{account}/ledger.jsonl")
        } else {
            format!("{}/{account}/ledger.jsonl", self.prefix)
        }
    }

    /// `s3://bucket/key`, as errors name it.
    #[must_use]
    pub fn place(&self, account: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(account))
    }

    /// The account's ledger (empty when there is none yet), its `ETag`, and
    /// where it is.
    ///
    /// # Errors
    /// Refused, throttled, failed, larger than the ledger allows, or not UTF-8.
    pub async fn read(
        &self,
        account: &str,
    ) -> Result<(String, Option<String>, String), LedgerError> {
        let place = self.place(account);
        let answer = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.key(account))
            .send()
            .await;
        let out = match answer {
            Ok(out) => out,
            Err(err)
                if err.as_service_error().is_some_and(
                    aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key,
                ) =>
            {
                return Ok((String::new(), None, place));
            }
            Err(err) => return Err(classify(&err, place)),
        };
        let too_big = || {
            LedgerError::malformed(
                place.clone(),
                format!("larger than {} MiB", MAX_BYTES >> 20),
            )
        };
        if out
            .content_length()
            .is_some_and(|n| u64::try_from(n).unwrap_or(u64::MAX) > MAX_BYTES)
        {
            return Err(too_big());
        }
        let etag = out.e_tag().map(ToOwned::to_owned);
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| LedgerError::failed(place.clone(), e.to_string()))?
            .into_bytes();
        if bytes.len() as u64 > MAX_BYTES {
            return Err(too_big());
        }
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| LedgerError::malformed(place.clone(), "not UTF-8 text".to_owned()))?;
        Ok((text, etag, place))
    }

    /// Add lines to the account's ledger by a conditional replace, read
    /// again and retried when another writer got there first.
    ///
    /// # Errors
    /// Refused, throttled or failed; or other writers won every try.
    pub async fn append(&self, account: &str, lines: &str) -> Result<(), LedgerError> {
        for attempt in 0..TRIES {
            let (mut text, etag, place) = self.read(account).await?;
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(lines);
            let put = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(self.key(account))
                .content_type("application/x-ndjson")
                .body(ByteStream::from(text.into_bytes()));
            let put = match etag {
                Some(etag) => put.if_match(etag),
                None => put.if_none_match("*"),
            };
            match put.send().await {
                Ok(_) => return Ok(()),
                Err(err) if lost_race(&err) => {
                    tracing::debug!(attempt, %place, "ledger write lost a race; reading again");
                    let most = 20 * u64::from(attempt + 1);
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(5..=most))).await;
                }
                Err(err) => return Err(classify(&err, place)),
            }
        }
        Err(LedgerError {
            why: Why::Conflict,
            place: self.place(account),
            message: format!("other writers won {TRIES} tries in a row; nothing was written"),
        })
    }

    /// The accounts with a ledger under the prefix (`ListObjectsV2`, every
    /// page).
    ///
    /// # Errors
    /// Refused, throttled or failed; a page marker repeated.
    pub async fn accounts(&self) -> Result<Vec<String>, LedgerError> {
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let place = format!("s3://{}/{prefix}", self.bucket);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(&prefix)
                .set_continuation_token(token.clone())
                .send()
                .await
                .map_err(|e| classify(&e, place.clone()))?;
            for object in page.contents() {
                if let Some(account) = object
                    .key()
                    .and_then(|k| k.strip_prefix(&prefix))
                    .and_then(|k| k.strip_suffix("/ledger.jsonl"))
                    .filter(|a| crate::model::is_account_id(a))
                {
                    out.push(account.to_owned());
                }
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => {
                    if !seen.insert(next.to_owned()) {
                        return Err(LedgerError::malformed(
                            place,
                            "ListObjectsV2 repeated a continuation token".to_owned(),
                        ));
                    }
                    token = Some(next.to_owned());
                }
                _ => break,
            }
        }
        out.sort();
        Ok(out)
    }

    /// The bucket's posture: versioning, Block Public Access, Object Lock,
    /// and who its policy lets put objects under the prefix.
    pub async fn posture(&self) -> Posture {
        let place = format!("s3://{}", self.bucket);
        let versioning = self
            .client
            .get_bucket_versioning()
            .bucket(&self.bucket)
            .send()
            .await
            .map(|out| out.status().map(|s| s.as_str().to_owned()))
            .map_err(|e| classify(&e, place.clone()).to_string());
        let public_access = settled(
            self.client
                .get_public_access_block()
                .bucket(&self.bucket)
                .send()
                .await,
            "NoSuchPublicAccessBlockConfiguration",
            &place,
        )
        .map(|out| {
            out.and_then(|out| {
                out.public_access_block_configuration().map(|c| {
                    [
                        c.block_public_acls().unwrap_or(false),
                        c.ignore_public_acls().unwrap_or(false),
                        c.block_public_policy().unwrap_or(false),
                        c.restrict_public_buckets().unwrap_or(false),
                    ]
                })
            })
        });
        let object_lock = settled(
            self.client
                .get_object_lock_configuration()
                .bucket(&self.bucket)
                .send()
                .await,
            "ObjectLockConfigurationNotFoundError",
            &place,
        )
        .map(|out| out.and_then(|out| out.object_lock_configuration().map(lock_line)));
        let policy = settled(
            self.client
                .get_bucket_policy()
                .bucket(&self.bucket)
                .send()
                .await,
            "NoSuchBucketPolicy",
            &place,
        )
        .map(|out| out.and_then(|out| out.policy().map(ToOwned::to_owned)));
        Posture {
            versioning,
            public_access,
            object_lock,
            policy,
        }
    }
}

/// A bucket setting's answer: `Ok(None)` when the bucket has none (the
/// service's `missing` error code), a one-line error otherwise.
fn settled<
    T,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
>(
    answer: Result<T, SdkError<E, R>>,
    missing: &str,
    place: &str,
) -> Result<Option<T>, String> {
    match answer {
        Ok(out) => Ok(Some(out)),
        Err(err) if err.code() == Some(missing) => Ok(None),
        Err(err) => Err(classify(&err, place.to_owned()).to_string()),
    }
}

/// Object Lock as `ledger check` shows it: `Enabled, default retention
/// COMPLIANCE 400 days`.
fn lock_line(c: &aws_sdk_s3::types::ObjectLockConfiguration) -> String {
    let rule = c.rule().and_then(|r| r.default_retention()).map(|d| {
        format!(
            ", default retention {} {} {}",
            d.mode().map_or("?", |m| m.as_str()),
            d.days().or(d.years()).unwrap_or(0),
            if d.days().is_some() { "days" } else { "years" }
        )
    });
    format!(
        "{}{}",
        c.object_lock_enabled()
            .map_or("not enabled", |e| e.as_str()),
        rule.unwrap_or_default()
    )
}

/// What `ledger check` reads of an S3 ledger's bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posture {
    /// `Enabled`, `Suspended`, or `None` (never enabled).
    pub versioning: Result<Option<String>, String>,
    /// `BlockPublicAcls`, `IgnorePublicAcls`, `BlockPublicPolicy`,
    /// `RestrictPublicBuckets`; `None`: no configuration on the bucket.
    pub public_access: Result<Option<[bool; 4]>, String>,
    pub object_lock: Result<Option<String>, String>,
    /// The bucket policy's JSON.
    pub policy: Result<Option<String>, String>,
}
