//! Plugging the MFA provider into aws-config's chain: for the profile in use
//! (`--profile`, `AWS_PROFILE`, else `default`), read with aws-config's own
//! profile loader, a [`Plan`] decides; the source
//! credentials, region and endpoint (`--endpoint-url` reaches these STS
//! calls too) come from aws-config.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError, future};
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use super::{ConnectOptions, profile_credentials, with_policy};
use crate::signin::mfa::{MfaProvider, NoCode, SignInError};
use crate::signin::plan::{Plan, Session, Source, plan_with};

/// The profile in use (`--profile`, `AWS_PROFILE`, else `default`) and the
/// AWS config files as aws-config's own loader reads them; `None` when the
/// files do not load (aws-config reports that, as for any profile).
async fn profile_in_use(
    options: &ConnectOptions,
) -> Option<(String, aws_config::profile::ProfileSet)> {
    let name = options
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    let set =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await
            .ok()?;
    Some((name, set))
}

/// One setting of one profile in `set`, as the pure sign-in code asks.
fn setting_of(set: &aws_config::profile::ProfileSet) -> impl Fn(&str, &str) -> Option<String> + '_ {
    |profile, key| {
        set.get_profile(profile)
            .and_then(|p| p.get(key))
            .map(ToOwned::to_owned)
    }
}

/// The long-term access key IDs the profile's credentials are made from
/// (see [`crate::signin::plan::long_term_keys`]): what `apply` never
/// changes. Files that do not load give none (the sign-in reports them).
pub async fn long_term_keys(options: &ConnectOptions) -> Vec<String> {
    let env_key = std::env::var("AWS_ACCESS_KEY_ID").ok();
    if options.environment_credentials() {
        // The SDK's order: the environment's keys sign, whatever the
        // profile holds.
        return env_key.into_iter().map(|k| k.trim().to_owned()).collect();
    }
    let Some((name, set)) = profile_in_use(options).await else {
        return Vec::new();
    };
    let get = setting_of(&set);
    crate::signin::plan::long_term_keys(&name, &get, env_key.as_deref())
}

/// The MFA provider for the options' profile, if it needs a code.
///
/// # Errors
/// The profile's MFA settings cannot be used (the message says why).
pub async fn for_profile(
    options: &ConnectOptions,
    config: &SdkConfig,
) -> Result<Option<MfaProvider>, String> {
    if options.environment_credentials() {
        // `AWS_PROFILE` with environment keys: the SDK's order uses the
        // keys, and the profile's MFA settings do not apply.
        return Ok(None);
    }
    let Some((name, set)) = profile_in_use(options).await else {
        return Ok(None);
    };
    let get = setting_of(&set);
    let Some(plan) = plan_with(&name, &get, options.endpoint_url.is_some()).map_err(|e| e.0)?
    else {
        return Ok(None);
    };
    let mut loader = with_policy(aws_config::defaults(BehaviorVersion::latest()), options);
    if let Some(region) = config.region() {
        loader = loader.region(region.clone());
    }
    if let (true, Session::Role { .. }, Some(serial), Source::Profile(source)) =
        (options.share_mfa, &plan.session, &plan.serial, &plan.source)
    {
        // Several profiles, one code per device: the role is assumed (no
        // code) from the device's session token, got once for this run.
        let token = shared_token(options, config, source, serial).await;
        let role = Plan {
            serial: None,
            ..plan
        };
        return Ok(Some(
            build(options, config, loader.credentials_provider(token), role).await,
        ));
    }
    match &plan.source {
        // A source profile's own credentials, never the environment's
        // keys (botocore's rule).
        Source::Profile(source) => {
            loader = loader
                .profile_name(source)
                .credentials_provider(profile_credentials(source, config.region().cloned()));
        }
        Source::CredentialSource(kind) if kind == "Environment" => {
            loader = loader.credentials_provider(
                aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
            );
        }
        Source::CredentialSource(_) => {}
    }
    Ok(Some(build(options, config, loader, plan).await))
}

/// The provider for `plan`, asking STS with `loader`'s credentials.
async fn build(
    options: &ConnectOptions,
    config: &SdkConfig,
    mut loader: aws_config::ConfigLoader,
    plan: Plan,
) -> MfaProvider {
    // Where the profile in use sends its requests (`--endpoint-url`, or its
    // `endpoint_url`), STS included.
    if let Some(url) = options
        .endpoint_url
        .as_deref()
        .or_else(|| config.endpoint_url())
    {
        loader = loader.endpoint_url(url);
    }
    let base = loader.load().await;
    let endpoint = base.endpoint_url().unwrap_or("AWS STS").to_owned();
    let codes = options.codes.0.clone().unwrap_or_else(|| Arc::new(NoCode));
    // A session got from an endpoint override is that endpoint's: never in
    // the AWS CLI's cache (where the real profile's CLI would take it), but
    // in one of iamkeys' own for that endpoint.
    let custom = base
        .endpoint_url()
        .map(ToOwned::to_owned)
        .or_else(|| std::env::var("AWS_ENDPOINT_URL_STS").ok())
        .filter(|url| !url.trim().is_empty());
    let cache_dir = if options.session_cache {
        crate::signin::cache::dir_for(custom.as_deref())
    } else {
        None
    };
    tracing::info!(profile = %plan.profile, serial = %plan.device(), "the profile signs in with iamkeys' provider");
    MfaProvider::new(
        plan,
        aws_sdk_sts::Client::new(&base),
        endpoint,
        codes,
        cache_dir,
    )
}

/// The session tokens of this run, one per (source profile, device).
static TOKENS: std::sync::Mutex<Vec<((String, String), MfaProvider)>> =
    std::sync::Mutex::new(Vec::new());

/// The session token of `source` with device `serial`, made once per run
/// (`sts:GetSessionToken` with a code), shared by every role assumed from it.
async fn shared_token(
    options: &ConnectOptions,
    config: &SdkConfig,
    source: &str,
    serial: &str,
) -> MfaProvider {
    let key = (source.to_owned(), serial.to_owned());
    let known = TOKENS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, token)| token.clone());
    if let Some(token) = known {
        return token;
    }
    let mut loader = with_policy(aws_config::defaults(BehaviorVersion::latest()), options)
        .profile_name(source)
        .credentials_provider(profile_credentials(source, config.region().cloned()));
    if let Some(region) = config.region() {
        loader = loader.region(region.clone());
    }
    let plan = Plan {
        profile: source.to_owned(),
        serial: Some(serial.to_owned()),
        session: Session::Token,
        source: Source::Profile(source.to_owned()),
        duration_seconds: None,
    };
    let token = build(options, config, loader, plan).await;
    let mut tokens = TOKENS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, first)) = tokens.iter().find(|(k, _)| *k == key) {
        return first.clone();
    }
    tokens.push((key, token.clone()));
    token
}

/// A profile whose MFA settings cannot be used: every request says why.
#[derive(Debug)]
pub struct Refuse(pub String);

impl ProvideCredentials for Refuse {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::invalid_configuration(
            SignInError(self.0.clone()),
        )))
    }
}
