//! The rotation hand-off's write: the new key where the workload reads it
//! (Secrets Manager, keeping the secret's other fields, or an SSM
//! `SecureString`), by a trait of the hand-off's own — the SDK's over the
//! profile's configuration ([`SdkIam`]'s), [`NoWriter`] where a run has
//! nowhere to write (the demo, tests of other things).

use std::fmt::Debug;

use async_trait::async_trait;

use super::Target;
use crate::iam::IamError;
use crate::iam::sdk::SdkIam;
use crate::secret::Secret;

/// Writes a rotated key to its hand-off target. Never logged.
#[async_trait]
pub trait Writer: Send + Sync + Debug {
    /// Secrets Manager `PutSecretValue` keeping the secret's other
    /// fields, or SSM `PutParameter` (`SecureString`, overwrite), in the
    /// region the target's ARN names.
    /// Unless implemented, says there is nowhere to write ([`NoWriter`]).
    async fn hand_off(
        &self,
        target: &Target,
        key_id: &str,
        secret: &Secret,
    ) -> Result<(), IamError> {
        let _ = (key_id, secret);
        Err(IamError::other(
            target.action(),
            "this account has nowhere to hand a key off to",
        ))
    }
}

/// Nowhere to write: every hand-off says so.
#[derive(Debug, Clone, Copy)]
pub struct NoWriter;

impl Writer for NoWriter {}

/// Why a build without the `handoff` cargo feature writes no hand-off.
pub const NOT_BUILT: &str = "this iamkeys was built without the rotation hand-off (cargo feature `handoff`): use a default build";

/// A lean build (`--no-default-features`): nowhere to write, and it says why.
#[cfg(not(feature = "handoff"))]
#[async_trait]
impl Writer for SdkIam {
    async fn hand_off(
        &self,
        target: &Target,
        _key_id: &str,
        _secret: &Secret,
    ) -> Result<(), IamError> {
        Err(IamError::other(target.action(), NOT_BUILT))
    }
}

/// Through the SDK, over the profile's configuration.
#[cfg(feature = "handoff")]
#[async_trait]
impl Writer for SdkIam {
    async fn hand_off(
        &self,
        target: &Target,
        key_id: &str,
        secret: &Secret,
    ) -> Result<(), IamError> {
        let refused = |action: &'static str, why: String| {
            IamError::new(
                crate::iam::ErrorKind::Other,
                action,
                crate::text::clean(&why).into_owned(),
            )
        };
        let Some(config) = self.config() else {
            return Err(refused(
                "iamkeys",
                "no configuration to reach it with".to_owned(),
            ));
        };
        // The write goes to the region the target's ARN names, never the
        // operator's; a bare name (which would resolve wherever the
        // operator is) is never written.
        let Some((region, _)) = target.pinned() else {
            return Err(refused(
                target.action(),
                format!(
                    "{} is not a full ARN (region and account pinned): record the hand-off target as one",
                    target.arn()
                ),
            ));
        };
        let config = &config
            .to_builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build();
        match target {
            Target::SecretsManager {
                secret: id,
                id_field,
                secret_field,
            } => {
                const GET: &str = "secretsmanager:GetSecretValue";
                const PUT: &str = "secretsmanager:PutSecretValue";
                let client = aws_sdk_secretsmanager::Client::new(config);
                let current = match client.get_secret_value().secret_id(id).send().await {
                    Ok(answer) => answer.secret_string().map(crate::secret::Secret::new),
                    Err(err) => {
                        let text = crate::error_chain::sdk(&err);
                        // A secret with no value yet is written whole.
                        if text.contains("ResourceNotFoundException") && text.contains("version") {
                            None
                        } else {
                            return Err(refused(GET, text));
                        }
                    }
                };
                let value = super::merged(
                    current.as_ref().map(crate::secret::Secret::expose),
                    id_field,
                    secret_field,
                    key_id,
                    secret,
                )
                .map_err(|why| refused(PUT, why))?;
                client
                    .put_secret_value()
                    .secret_id(id)
                    .secret_string(value.expose())
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|err| refused(PUT, crate::error_chain::sdk(&err)))
            }
            Target::Ssm { name, .. } => {
                const PUT: &str = "ssm:PutParameter";
                let value = super::merged(None, "AccessKeyId", "SecretAccessKey", key_id, secret)
                    .map_err(|why| refused(PUT, why))?;
                aws_sdk_ssm::Client::new(config)
                    .put_parameter()
                    .name(name)
                    .value(value.expose())
                    .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                    .overwrite(true)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|err| refused(PUT, crate::error_chain::sdk(&err)))
            }
        }
    }
}
