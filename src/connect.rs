//! Building the AWS SDK configuration for a profile, through aws-config's own
//! provider chain: `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`,
//! `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, SSO, assume-role and
//! `credential_process` profiles all work as in every AWS tool.
//!
//! One room above both `iam` (the clients) and `signin` (MFA): it builds the
//! configuration, plugs `signin`'s provider into it ([`provider`]), and
//! hands `iam` a session it knows only by its own trait
//! ([`crate::iam::sdk::RenewableSession`]).

use std::sync::Arc;
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};

use crate::iam::sdk::SdkIam;

pub mod provider;

/// IAM is a global service; its signing region is us-east-1 in the aws partition.
const DEFAULT_REGION: &str = "us-east-1";

/// Where MFA codes come from when a profile needs one (see
/// [`crate::signin`]); `None`: nowhere (signing in says what is needed).
#[derive(Clone, Default)]
pub struct CodeSource(pub Option<Arc<dyn crate::signin::mfa::Codes>>);

impl std::fmt::Debug for CodeSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "CodeSource(..)"
        } else {
            "CodeSource(none)"
        })
    }
}

impl PartialEq for CodeSource {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Eq for CodeSource {}

/// What to connect with.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectOptions {
    /// Named profile; `None` uses `AWS_PROFILE` or `default`.
    pub profile: Option<String>,
    /// Send every request here instead of AWS (e.g. a local test server).
    pub endpoint_url: Option<String>,
    /// Attempts per request, including the first (SDK standard retry).
    pub max_attempts: u32,
    /// Give up on one attempt after this long.
    pub attempt_timeout: Duration,
    /// MFA codes for profiles that need one.
    pub codes: CodeSource,
    /// Keep MFA sessions in the AWS CLI's cache (`[aws] session_cache`).
    pub session_cache: bool,
    /// Several profiles in one run (`report --profiles`): one MFA code per
    /// device, each role assumed from that device's session token.
    pub share_mfa: bool,
    /// The profile was named (`--profile`, the picker, `:profile`, the
    /// config's `default_profile`, `report --profiles`): its credentials
    /// come from the profile alone, never from environment keys, as
    /// botocore does for an explicit profile. `AWS_PROFILE` is not
    /// explicit: the SDK's order (environment keys first) holds.
    pub explicit: bool,
}

impl ConnectOptions {
    #[must_use]
    pub fn new(profile: Option<String>, endpoint_url: Option<String>) -> Self {
        Self {
            profile,
            endpoint_url,
            max_attempts: crate::defaults::MAX_ATTEMPTS,
            attempt_timeout: Duration::from_secs(crate::defaults::REQUEST_TIMEOUT_SECS),
            codes: CodeSource::default(),
            session_cache: true,
            share_mfa: false,
            explicit: false,
        }
    }

    /// The same options for a profile named explicitly (see
    /// [`Self::explicit`]).
    #[must_use]
    pub fn named(mut self) -> Self {
        self.explicit = self.profile.is_some();
        self
    }

    /// Whether the run's credentials are the environment's keys: no
    /// explicit profile, and `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY` set (the SDK's chain tries them first).
    #[must_use]
    pub fn environment_credentials(&self) -> bool {
        !self.explicit && environment_keys()
    }
}

/// Whether `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are both set
/// (and not empty), as aws-config's environment provider asks.
#[must_use]
pub fn environment_keys() -> bool {
    ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
        .iter()
        .all(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// Credentials from `profile` in the AWS config files alone (static keys,
/// a role, SSO, `aws login`, `credential_process`), never the
/// environment's keys: an explicitly named profile, or a `source_profile`.
#[must_use]
pub fn profile_credentials(
    profile: &str,
    region: Option<Region>,
) -> aws_config::profile::ProfileFileCredentialsProvider {
    aws_config::profile::ProfileFileCredentialsProvider::builder()
        .configure(
            &aws_config::provider_config::ProviderConfig::without_region().with_region(region),
        )
        .profile_name(profile)
        .build()
}

/// The retry and timeout policy of every client iamkeys makes (tests build
/// their clients with it too, so faults meet the same retries as in use).
#[must_use]
pub fn with_policy(loader: ConfigLoader, options: &ConnectOptions) -> ConfigLoader {
    loader
        .retry_config(
            // Standard mode: jittered exponential backoff per request, and a
            // retry quota that stops retry storms. Adaptive mode's client-side
            // limiter fell to its floor (0.5 requests/s) after the first
            // throttles: a 23-request load at 1 in 3 throttled took 33 s
            // instead of 2.4-4.4 s (tests/it/moto_faults_load.rs).
            RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(options.attempt_timeout)
                .build(),
        )
}

/// A plain-HTTP endpoint on another host: requests (signed, but readable)
/// and answers (the whole audit) cross the network unencrypted. Loopback
/// test servers are fine; anything else is said on screen and on stderr.
#[must_use]
pub fn insecure(endpoint: &str) -> bool {
    let Some(rest) = endpoint
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
        .map(|_| &endpoint[7..])
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") {
        return false;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => true,
    }
}

/// Load the SDK configuration. This reads the AWS config files but makes no
/// network call; credentials are resolved lazily by the first request. A
/// profile that needs an MFA code gets iamkeys' own provider
/// ([`crate::signin::mfa::MfaProvider`]) in place of aws-config's.
pub async fn sdk_config(options: &ConnectOptions) -> SdkConfig {
    sdk_config_and_session(options).await.0
}

/// [`sdk_config`], and the MFA session its credentials come from, if any.
pub async fn sdk_config_and_session(
    options: &ConnectOptions,
) -> (SdkConfig, Option<crate::signin::mfa::MfaProvider>) {
    let config = plain_config(options).await;
    let session = crate::connect::provider::for_profile(options, &config).await;
    let held = session.as_ref().ok().and_then(Clone::clone);
    let config = match session {
        Ok(None) => config,
        // The provider holds the session and renews it before it expires
        // (a new code): no cache of the SDK's in front of it.
        Ok(Some(provider)) => config
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .identity_cache(aws_config::identity::IdentityCache::no_cache())
            .build(),
        Err(why) => config
            .to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(
                    crate::connect::provider::Refuse(why),
                ),
            )
            .build(),
    };
    (config, held)
}

/// The SDK configuration as aws-config makes it for these options.
pub async fn plain_config(options: &ConnectOptions) -> SdkConfig {
    let region = RegionProviderChain::default_provider().or_else(Region::new(DEFAULT_REGION));
    let mut loader = with_policy(aws_config::defaults(BehaviorVersion::latest()), options);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
        let region = RegionProviderChain::first_try(
            aws_config::profile::ProfileFileRegionProvider::builder()
                .profile_name(profile)
                .build(),
        )
        .or_else(Region::new(DEFAULT_REGION));
        if options.explicit {
            let region = aws_config::meta::region::ProvideRegion::region(&region).await;
            loader = loader
                .credentials_provider(profile_credentials(profile, region.clone()))
                .region(region);
        } else {
            loader = loader.region(region);
        }
    } else {
        loader = loader.region(region);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Connect to IAM for these options.
pub async fn connect(options: &ConnectOptions) -> SdkIam {
    let (config, session) = sdk_config_and_session(options).await;
    SdkIam::new(&config).with_session(
        session.map(|s| {
            std::sync::Arc::new(s) as std::sync::Arc<dyn crate::iam::sdk::RenewableSession>
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::insecure;

    #[test]
    fn plain_http_to_another_host_is_insecure() {
        for url in [
            "http://10.0.0.5:4566",
            "http://localstack:4566",
            "http://0.0.0.0:9",
            "http://[2001:db8::1]:80/",
            // The scheme is case-insensitive (issue 24 item 6).
            "HTTP://10.0.0.5:4566",
            "Http://localstack:4566",
        ] {
            assert!(insecure(url), "{url}");
        }
        for url in [
            "https://iam.example.com",
            "http://127.0.0.1:5000",
            "http://localhost:4566",
            "http://[::1]:80",
            "http://127.8.9.1",
        ] {
            assert!(!insecure(url), "{url}");
        }
    }
}
