//! Opening the ledger for a run: where `[ledger] location` says (default
//! `<data dir>/ledger`), written as the caller STS names for the run's own
//! credentials, S3 through a client made from the same configuration. The
//! demo keeps its own ledger in memory and never reaches the real one.

use std::sync::Arc;

use super::{Ledger, Location};
use crate::iam::IamClient;

/// The writer of a client's ledger events: its caller ARN, asked of STS
/// (a throttled answer asked again, waiting longer each time).
#[must_use]
pub fn writer_of(client: Arc<dyn IamClient>) -> super::Writer {
    Arc::new(move || {
        let client = client.clone();
        Box::pin(async move {
            let mut wait = std::time::Duration::from_millis(200);
            for _ in 0..6 {
                match client.caller_identity().await {
                    Ok(identity) => return Ok(identity.arn),
                    Err(err) if err.kind == crate::iam::ErrorKind::Throttling => {
                        tokio::time::sleep(wait).await;
                        wait *= 2;
                    }
                    Err(err) => return Err(err.to_string()),
                }
            }
            Err("sts:GetCallerIdentity stayed throttled".to_owned())
        })
    })
}

/// This run's ledger: the demo's own, else `[ledger]`'s, read and written
/// with `own`'s credentials (the profile the operator named: never a
/// member's role session).
///
/// # Errors
/// `[ledger]` does not read, or names S3 for a client without credentials.
pub fn for_run(
    settings: &super::Settings,
    demo: bool,
    own: &Arc<dyn IamClient>,
) -> Result<Arc<Ledger>, String> {
    if demo {
        return Ok(Arc::new(super::demo::ledger(chrono::Utc::now())));
    }
    open(&settings.location()?, settings.region.as_deref(), own)
}

/// The ledger at `location`, read and written with `own`'s credentials.
///
/// # Errors
/// An S3 location with a client that carries no SDK configuration.
pub fn open(
    location: &Location,
    region: Option<&str>,
    own: &Arc<dyn IamClient>,
) -> Result<Arc<Ledger>, String> {
    let writer = writer_of(own.clone());
    Ok(Arc::new(match location {
        Location::Local(dir) => Ledger::local(dir.clone(), writer),
        Location::Memory => Ledger::memory(writer),
        Location::S3 { bucket, prefix } => {
            let config = own.sdk_config().ok_or_else(|| {
                format!("the ledger {location} needs AWS credentials, and this run has none")
            })?;
            let mut builder = aws_sdk_s3::config::Builder::from(&config);
            // A test server (moto, LocalStack) answers at one host: path-style.
            if config.endpoint_url().is_some() {
                builder = builder.force_path_style(true);
            }
            if let Some(region) = region {
                builder = builder.region(aws_types::region::Region::new(region.to_owned()));
            }
            let client = aws_sdk_s3::Client::from_conf(builder.build());
            Ledger::s3(client, bucket.clone(), prefix.clone(), writer)
        }
    }))
}
