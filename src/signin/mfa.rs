//! The credentials provider for profiles that need an MFA code, plugged into
//! aws-config's chain in place of its own for them: a session from the
//! cache (the AWS CLI's), or a code — from `--mfa-code`, the terminal, or
//! the UI's dialog — then `sts:AssumeRole` / `sts:GetSessionToken` with
//! `SerialNumber` and `TokenCode`. A wrong code is said with IAM's answer and
//! asked again; three in a row stop with the reason. A new code is asked
//! five minutes before the session expires. The code and the session's
//! secrets are [`Secret`]s: never logged, never in an error.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError, future};
use chrono::{DateTime, TimeDelta, Utc};

use super::cache::{self, Cached};
use super::plan::{Plan, Session};
use crate::iam::IamError;
use crate::iam::sdk_error::from_sdk;
use crate::secret::Secret;

/// A session is renewed (a new code asked) this long before it expires.
pub const RENEW_BEFORE: TimeDelta = TimeDelta::minutes(5);

/// Codes in a row that may be refused before signing in stops.
pub const ATTEMPTS: usize = 3;

/// IAM's words for a wrong code.
const REFUSED: &str = "MultiFactorAuthentication failed";

/// Where MFA codes come from.
#[async_trait]
pub trait Codes: Send + Sync + std::fmt::Debug {
    /// A code for `plan`'s device. `refused` is IAM's answer to the previous
    /// code, when it was refused.
    ///
    /// # Errors
    /// No code can be had (none given, no terminal, the operator cancelled).
    async fn code(&self, plan: &Plan, refused: Option<&str>) -> Result<Secret, String>;
}

/// A code given up front (`--mfa-code`, `IAMKEYS_MFA_CODE`): one try.
#[derive(Debug)]
pub struct Given(pub Secret);

#[async_trait]
impl Codes for Given {
    async fn code(&self, plan: &Plan, refused: Option<&str>) -> Result<Secret, String> {
        match refused {
            None => Ok(self.0.clone()),
            Some(why) => Err(format!(
                "the MFA code given for {} was refused: {why}",
                plan.device()
            )),
        }
    }
}

/// Asks on the terminal: the prompt on stderr, the code from `/dev/tty`.
#[derive(Debug)]
pub struct Prompt;

#[async_trait]
impl Codes for Prompt {
    async fn code(&self, plan: &Plan, refused: Option<&str>) -> Result<Secret, String> {
        let prompt = match refused {
            Some(why) => format!("{why}\n{}: ", plan.prompt()),
            None => format!("{}: ", plan.prompt()),
        };
        tokio::task::spawn_blocking(move || {
            use std::io::{BufRead, Write};
            let mut err = std::io::stderr();
            let _ = write!(err, "{}", crate::text::clean(&prompt));
            let _ = err.flush();
            let tty = std::fs::File::open("/dev/tty")
                .map_err(|e| format!("no terminal to ask on: {e}"))?;
            let mut line = String::new();
            // Not echoed, as a password prompt.
            let echo = Echo::off(&tty);
            let read = std::io::BufReader::new(&tty).read_line(&mut line);
            drop(echo);
            let _ = writeln!(err);
            read.map_err(|e| format!("the code could not be read: {e}"))?;
            let code = Secret::new(line.trim());
            zeroize::Zeroize::zeroize(&mut line);
            Ok(code)
        })
        .await
        .map_err(|e| format!("the code could not be read: {e}"))?
    }
}

/// Codes from one source until told to take them from another (the
/// terminal before the UI has the screen, then the UI).
#[derive(Debug)]
pub struct Swappable(std::sync::Mutex<Arc<dyn Codes>>);

impl Swappable {
    #[must_use]
    pub fn new(first: Arc<dyn Codes>) -> Self {
        Self(std::sync::Mutex::new(first))
    }

    /// Take codes from `next` from now on.
    pub fn set(&self, next: Arc<dyn Codes>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
    }
}

#[async_trait]
impl Codes for Swappable {
    async fn code(&self, plan: &Plan, refused: Option<&str>) -> Result<Secret, String> {
        let current = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        current.code(plan, refused).await
    }
}

/// The terminal's echo turned off while a code is typed, and back on when
/// dropped.
struct Echo {
    fd: std::os::fd::RawFd,
    before: Option<libc::termios>,
}

impl Echo {
    fn off(tty: &std::fs::File) -> Self {
        use std::os::fd::AsRawFd;
        let fd = tty.as_raw_fd();
        // SAFETY: `termios` is plain data; tcgetattr fills it for an open fd.
        let mut term: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is open for the life of `tty`, which outlives this guard.
        let before = (unsafe { libc::tcgetattr(fd, &raw mut term) } == 0).then_some(term);
        if let Some(mut quiet) = before {
            quiet.c_lflag &= !libc::ECHO;
            // SAFETY: as above; a failure leaves echo on, which is harmless.
            unsafe {
                libc::tcsetattr(fd, libc::TCSANOW, &raw const quiet);
            }
        }
        Self { fd, before }
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        if let Some(before) = self.before {
            // SAFETY: restores the settings read in `off` on the same fd.
            unsafe {
                libc::tcsetattr(self.fd, libc::TCSANOW, &raw const before);
            }
        }
    }
}

/// No way to ask: the error names the profile and the device.
#[derive(Debug)]
pub struct NoCode;

#[async_trait]
impl Codes for NoCode {
    async fn code(&self, plan: &Plan, _refused: Option<&str>) -> Result<Secret, String> {
        Err(needs_code(plan))
    }
}

/// `profile <name> needs an MFA code (<mfa_serial>): set IAMKEYS_MFA_CODE or run it in a terminal`.
#[must_use]
pub fn needs_code(plan: &Plan) -> String {
    format!(
        "profile {} needs an MFA code ({}): set IAMKEYS_MFA_CODE (or pass --mfa-code) or run it in a terminal",
        plan.profile,
        plan.device()
    )
}

pub use crate::iam::SignInError;

fn six_digits(code: &Secret) -> bool {
    let text = code.expose();
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

/// A sign-in under way, shared by every request that waits on it: a
/// request given up (the SDK's attempt timeout while the operator types)
/// leaves it running for the next.
type Pending =
    futures::future::Shared<futures::future::BoxFuture<'static, Result<Credentials, SignInError>>>;

/// How long a failed sign-in answers for itself (the SDK's retries of the
/// requests that waited on it), before a new request asks again.
const FAILURE_HOLDS: std::time::Duration = std::time::Duration::from_secs(10);

struct Inner {
    plan: Plan,
    sts: aws_sdk_sts::Client,
    endpoint: String,
    codes: Arc<dyn Codes>,
    cache_dir: Option<PathBuf>,
    held: std::sync::Mutex<Option<Credentials>>,
    pending: std::sync::Mutex<Option<Pending>>,
    failed: std::sync::Mutex<Option<(std::time::Instant, SignInError)>>,
    /// The access key of a session IAM called expired: the cache's copy of
    /// it is not used again, nor held.
    expired: std::sync::Mutex<Option<String>>,
    /// The access key of the latest session got (signed in or cached).
    latest: std::sync::Mutex<Option<String>>,
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The provider aws-config's chain gets for a profile that needs a code.
#[derive(Clone)]
pub struct MfaProvider(Arc<Inner>);

impl std::fmt::Debug for MfaProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaProvider")
            .field("profile", &self.0.plan.profile)
            .field("serial", &self.0.plan.serial)
            .finish_non_exhaustive()
    }
}

impl MfaProvider {
    /// `sts` signs with the plan's source credentials (and goes to the
    /// endpoint in use). `cache_dir`: the AWS CLI's cache, `None` to keep
    /// sessions in memory only (`[aws] session_cache = false`).
    #[must_use]
    pub fn new(
        plan: Plan,
        sts: aws_sdk_sts::Client,
        endpoint: String,
        codes: Arc<dyn Codes>,
        cache_dir: Option<PathBuf>,
    ) -> Self {
        Self(Arc::new(Inner {
            plan,
            sts,
            endpoint,
            codes,
            cache_dir,
            held: std::sync::Mutex::new(None),
            pending: std::sync::Mutex::new(None),
            failed: std::sync::Mutex::new(None),
            expired: std::sync::Mutex::new(None),
            latest: std::sync::Mutex::new(None),
        }))
    }

    /// The plan this provider signs in.
    #[must_use]
    pub fn plan(&self) -> &Plan {
        &self.0.plan
    }

    /// A session from the cache, valid for more than [`RENEW_BEFORE`], if any
    /// (no code needed).
    #[must_use]
    pub fn cached(&self, now: DateTime<Utc>) -> Option<Cached> {
        let dir = self.0.cache_dir.as_ref()?;
        let cached = cache::read(dir, &cache::key(&self.0.plan), now, RENEW_BEFORE)?;
        if cached.expiration - now > self.0.plan.longest() + TimeDelta::minutes(5) {
            // STS never gives such a session: not believed.
            tracing::warn!(profile = %self.0.plan.profile, expires = %cached.expiration, "the cached session outlives what STS can give: ignored");
            return None;
        }
        let dead = lock(&self.0.expired).clone();
        (dead.as_deref() != Some(cached.access_key_id.as_str())).then_some(cached)
    }

    /// IAM answered that the session has expired (`ExpiredToken`) before
    /// its time: it is dropped (and its copy in the cache not used), so the
    /// next request asks for a new code.
    pub fn expire(&self) {
        self.drop_session();
    }

    fn drop_session(&self) {
        lock(&self.0.held).take();
        // The latest session is the one IAM refused (a request waiting on a
        // sign-in may not have held it yet: it will not).
        let latest = lock(&self.0.latest).clone();
        if let Some(key) = latest {
            tracing::info!(profile = %self.0.plan.profile, "IAM says the MFA session expired: a new code is needed");
            *lock(&self.0.expired) = Some(key);
        }
        *lock(&self.0.failed) = None;
    }

    /// Credentials of a session valid for more than [`RENEW_BEFORE`]: held,
    /// cached, or got now with a code.
    ///
    /// # Errors
    /// No code could be had, [`ATTEMPTS`] codes in a row were refused, or STS failed.
    pub async fn session(&self) -> Result<Credentials, SignInError> {
        let inner = &self.0;
        let now = Utc::now();
        let fresh = |c: &Credentials| {
            c.expiry()
                .is_none_or(|t| DateTime::<Utc>::from(t) - now > RENEW_BEFORE)
        };
        if let Some(creds) = lock(&inner.held).as_ref().filter(|c| fresh(c)) {
            return Ok(creds.clone());
        }
        if let Some((at, err)) = lock(&inner.failed).clone()
            && at.elapsed() < FAILURE_HOLDS
        {
            return Err(err);
        }
        // A sign-in already under way is shared; one whose session IAM has
        // since called expired is not: a new one starts (once).
        for _ in 0..2 {
            let pending = lock(&inner.pending)
                .get_or_insert_with(|| {
                    use futures::FutureExt;
                    let this = self.clone();
                    async move { this.sign_in(Utc::now()).await }
                        .boxed()
                        .shared()
                })
                .clone();
            let result = pending.clone().await;
            {
                let mut slot = lock(&inner.pending);
                if slot.as_ref().is_some_and(|p| p.ptr_eq(&pending)) {
                    *slot = None;
                }
            }
            match result {
                Ok(creds) => {
                    let dead = lock(&inner.expired).clone();
                    if dead.as_deref() == Some(creds.access_key_id()) {
                        continue;
                    }
                    *lock(&inner.held) = Some(creds.clone());
                    return Ok(creds);
                }
                Err(err) => {
                    *lock(&inner.failed) = Some((std::time::Instant::now(), err.clone()));
                    return Err(err);
                }
            }
        }
        Err(SignInError(
            "the MFA session expired while it was being used: a new code is needed".to_owned(),
        ))
    }

    async fn sign_in(&self, now: DateTime<Utc>) -> Result<Credentials, SignInError> {
        let creds = self.get_session(now).await?;
        *lock(&self.0.latest) = Some(creds.access_key_id().to_owned());
        Ok(creds)
    }

    async fn get_session(&self, now: DateTime<Utc>) -> Result<Credentials, SignInError> {
        let inner = &self.0;
        if let Some(cached) = self.cached(now) {
            tracing::info!(profile = %inner.plan.profile, "MFA session from the cache");
            return Ok(credentials(&cached));
        }
        if inner.plan.serial.is_none() {
            // A role without MFA, taken over for the endpoint: no code.
            return match self.call(None).await {
                Ok((cached, arn)) => Ok(self.keep(&cached, arn.as_deref())),
                Err(err) => Err(SignInError(format!("{err}"))),
            };
        }
        let mut refused: Option<String> = None;
        for _ in 0..ATTEMPTS {
            let code = inner
                .codes
                .code(&inner.plan, refused.as_deref())
                .await
                .map_err(SignInError)?;
            if !six_digits(&code) {
                refused = Some("an MFA code is 6 digits".to_owned());
                continue;
            }
            match self.call(Some(&code)).await {
                Ok((cached, arn)) => return Ok(self.keep(&cached, arn.as_deref())),
                Err(err) if err.detail.contains(REFUSED) => {
                    refused = Some(format!(
                        "{} refused the code: {}",
                        err.action,
                        crate::text::clean(&err.detail)
                    ));
                }
                Err(err) => return Err(SignInError(format!("{err}"))),
            }
        }
        Err(SignInError(format!(
            "{ATTEMPTS} MFA codes in a row were refused for {} (profile {}): {}",
            inner.plan.device(),
            inner.plan.profile,
            refused.unwrap_or_default()
        )))
    }

    /// A new session: into the cache (when kept), and its credentials.
    fn keep(&self, cached: &Cached, arn: Option<&str>) -> Credentials {
        let inner = &self.0;
        if let Some(dir) = &inner.cache_dir
            && let Err(err) = cache::write(dir, &cache::key(&inner.plan), cached, arn)
        {
            tracing::warn!(%err, "the session could not be cached");
        }
        tracing::info!(profile = %inner.plan.profile, expires = %cached.expiration, "signed in with MFA");
        credentials(cached)
    }

    async fn call(&self, code: Option<&Secret>) -> Result<(Cached, Option<String>), IamError> {
        let inner = &self.0;
        let plan = &inner.plan;
        let (creds, arn, action) = match &plan.session {
            Session::Role {
                role_arn,
                external_id,
                session_name,
            } => {
                const ACTION: &str = "sts:AssumeRole";
                let name = session_name
                    .clone()
                    .unwrap_or_else(|| format!("iamkeys-{}", Utc::now().timestamp()));
                let out = inner
                    .sts
                    .assume_role()
                    .role_arn(role_arn)
                    .role_session_name(name)
                    .set_serial_number(plan.serial.clone())
                    .set_token_code(code.map(|c| c.expose().to_owned()))
                    .set_duration_seconds(plan.duration_seconds)
                    .set_external_id(external_id.clone())
                    .send()
                    .await
                    .map_err(|e| from_sdk(ACTION, &e, &inner.endpoint))?;
                let arn = out.assumed_role_user().map(|u| u.arn().to_owned());
                (out.credentials().cloned(), arn, ACTION)
            }
            Session::Token => {
                const ACTION: &str = "sts:GetSessionToken";
                let out = inner
                    .sts
                    .get_session_token()
                    .set_serial_number(plan.serial.clone())
                    .set_token_code(code.map(|c| c.expose().to_owned()))
                    .set_duration_seconds(plan.duration_seconds)
                    .send()
                    .await
                    .map_err(|e| from_sdk(ACTION, &e, &inner.endpoint))?;
                (out.credentials().cloned(), None, ACTION)
            }
        };
        let Some(c) = creds else {
            return Err(IamError::other(action, "STS answered without credentials"));
        };
        let expiration = std::time::SystemTime::try_from(*c.expiration())
            .ok()
            .map(DateTime::<Utc>::from)
            .ok_or_else(|| IamError::other(action, "STS answered without an expiration"))?;
        // Never beyond what STS can give (a test endpoint may say 2099).
        let expiration = expiration.min(Utc::now() + plan.longest());
        Ok((
            Cached {
                access_key_id: c.access_key_id().to_owned(),
                secret_access_key: Secret::new(c.secret_access_key()),
                session_token: Secret::new(c.session_token()),
                expiration,
            },
            arn,
        ))
    }
}

fn credentials(cached: &Cached) -> Credentials {
    Credentials::new(
        &cached.access_key_id,
        cached.secret_access_key.expose(),
        Some(cached.session_token.expose().to_owned()),
        Some(cached.expiration.into()),
        "iamkeys-mfa",
    )
}

impl ProvideCredentials for MfaProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.session()
                .await
                .map_err(CredentialsError::provider_error)
        })
    }
}

impl crate::iam::sdk::RenewableSession for MfaProvider {
    fn expire(&self) {
        self.drop_session();
    }
}
