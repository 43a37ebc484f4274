//! A lean build (`--no-default-features`): no SNS, no HTTP client; every
//! way to send a notice says it was not built in.

use super::{NOT_BUILT, Notice};

/// No SNS in this build.
#[derive(Debug)]
pub struct Sns;

/// No HTTP client in this build.
#[derive(Debug)]
pub struct Http;

/// # Errors
/// Always: this build sends no notice.
pub fn sns_client(_config: &aws_config::SdkConfig, _topic: &str) -> Result<Sns, String> {
    Err(NOT_BUILT.to_owned())
}

/// # Errors
/// Always: this build sends no notice.
pub fn http_client() -> Result<Http, String> {
    Err(NOT_BUILT.to_owned())
}

/// # Errors
/// Always: this build sends no notice.
#[allow(clippy::unused_async)]
pub async fn sns(_client: &Sns, _topic: &str, _notice: &Notice) -> Result<(), String> {
    Err(NOT_BUILT.to_owned())
}

/// # Errors
/// Always: this build sends no notice.
#[allow(clippy::unused_async)]
pub async fn webhook(_client: &Http, _url: &str, _notice: &Notice) -> Result<(), String> {
    Err(NOT_BUILT.to_owned())
}
