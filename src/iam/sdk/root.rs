//! `sts:AssumeRoot` through the AWS SDK, and the root session's IAM calls
//! (a client of its own, signed with the session's credentials).

use async_trait::async_trait;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_sts::types::PolicyDescriptorType;

use super::SdkIam;
use crate::iam::root::{DELETE_ROOT_CREDENTIALS, MAX_SESSION_SECONDS, RootUser};
use crate::iam::{ErrorKind, IamClient, IamError, list_all};
use crate::model::{AccessKey, Identity};

const ACTION: &str = "sts:AssumeRoot";

/// A Region STS can be asked `AssumeRoot` in: AWS answers it only on a
/// Regional endpoint, never the global `sts.amazonaws.com` (which the
/// SDK picks for `aws-global`).
///
/// # Errors
/// No Region, or `aws-global`.
pub(super) fn regional(region: Option<&str>) -> Result<&str, IamError> {
    match region {
        Some(region) if !region.is_empty() && region != "aws-global" => Ok(region),
        other => Err(IamError::new(
            ErrorKind::Refused,
            ACTION,
            format!(
                "AssumeRoot is answered only on a Regional STS endpoint, and the profile names {}: set `region` in the profile (e.g. us-east-1). Nothing was sent",
                other.map_or_else(|| "no Region".to_owned(), |r| format!("`{r}`"))
            ),
        )),
    }
}

/// Assume the root user of `account` for deleting its credentials.
pub(super) async fn assume(client: &SdkIam, account: &str) -> Result<Box<dyn RootUser>, IamError> {
    let Some(config) = client.config.as_deref() else {
        return Err(IamError::new(
            ErrorKind::Refused,
            ACTION,
            "this client was not built from an SDK configuration",
        ));
    };
    regional(config.region().map(aws_types::region::Region::as_ref))?;
    let out = client
        .sent(
            ACTION,
            client
                .sts
                .assume_root()
                .target_principal(account)
                .task_policy_arn(
                    PolicyDescriptorType::builder()
                        .arn(DELETE_ROOT_CREDENTIALS)
                        .build(),
                )
                .duration_seconds(MAX_SESSION_SECONDS)
                .send(),
        )
        .await?;
    let Some(c) = out.credentials() else {
        return Err(IamError::other(ACTION, "STS answered without credentials"));
    };
    let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
    let credentials = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        expiry,
        "iamkeys-root-session",
    );
    let session = config
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build();
    Ok(Box::new(SdkRoot(SdkIam::new(&session))))
}

/// The root session's client.
struct SdkRoot(SdkIam);

#[async_trait]
impl RootUser for SdkRoot {
    async fn identity(&self) -> Result<Identity, IamError> {
        self.0.caller_identity().await
    }

    async fn access_keys(&self) -> Result<Vec<AccessKey>, IamError> {
        list_all("iam:ListAccessKeys", |marker| {
            self.0.access_keys_of(None, marker)
        })
        .await
    }

    async fn delete_access_key(&self, key_id: &str) -> Result<(), IamError> {
        self.0.delete_key_of(None, key_id).await
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sts::config::endpoint::{Params, ResolveEndpoint};

    use super::*;

    #[test]
    fn assume_root_needs_a_region_that_is_not_global() {
        for region in [None, Some(""), Some("aws-global")] {
            let err = regional(region).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Refused);
            assert!(err.detail.contains("Regional STS endpoint"), "{err}");
        }
        assert_eq!(regional(Some("eu-west-1")).unwrap(), "eu-west-1");
    }

    /// The SDK's own endpoint rules (as it resolves them for every request
    /// of this client: `UseGlobalEndpoint` is never set) put a Region we
    /// accept on its Regional endpoint, us-east-1 included.
    #[tokio::test]
    async fn the_regions_we_accept_resolve_to_regional_sts_endpoints() {
        let resolver = aws_sdk_sts::config::endpoint::DefaultResolver::new();
        for region in ["us-east-1", "eu-west-1", "ap-southeast-2"] {
            let params = Params::builder()
                .region(regional(Some(region)).unwrap())
                .use_dual_stack(false)
                .use_fips(false)
                .use_global_endpoint(false)
                .build()
                .unwrap();
            let endpoint = resolver.resolve_endpoint(&params).await.unwrap();
            assert_eq!(
                endpoint.url(),
                format!("https://sts.{region}.amazonaws.com"),
                "{region}"
            );
        }
    }
}
