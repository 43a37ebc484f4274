//! The user's other long-term credentials through aws-sdk-iam: one page of
//! each listing, read strictly (an item without its ID fails the page:
//! dropping it would hide it from the audit).

use super::{MAX_ITEMS, SdkIam, next_marker, time};
use crate::iam::{ErrorKind, IamError};
use crate::model::Page;
use crate::model::credential::{Credential, CredentialKind, CredentialStatus};

/// An item of `action`'s answer without a field IAM always sends.
fn missing(action: &'static str, field: &str) -> IamError {
    IamError::new(
        ErrorKind::Other,
        action,
        format!("the answer held a credential without its {field}"),
    )
}

/// A value IAM always sends, or the page fails.
fn required(value: &str, action: &'static str, field: &str) -> Result<String, IamError> {
    if value.is_empty() {
        Err(missing(action, field))
    } else {
        Ok(value.to_owned())
    }
}

impl SdkIam {
    /// One page of `ListServiceSpecificCredentials` for every user
    /// (`AllUsers`).
    pub(super) async fn list_service_credentials(
        &self,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        const ACTION: &str = "iam:ListServiceSpecificCredentials";
        let out = self
            .sent(
                ACTION,
                self.iam
                    .list_service_specific_credentials()
                    .all_users(true)
                    .max_items(MAX_ITEMS)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        let items = out
            .service_specific_credentials()
            .iter()
            .map(|c| {
                Ok(Credential {
                    user: required(c.user_name(), ACTION, "UserName")?,
                    kind: CredentialKind::Service {
                        service: required(c.service_name(), ACTION, "ServiceName")?,
                    },
                    id: required(c.service_specific_credential_id(), ACTION, "ID")?,
                    status: CredentialStatus::parse(c.status().as_str()),
                    created: Some(time(c.create_date())),
                    expires: c.expiration_date().map(time),
                    alias: c
                        .service_credential_alias()
                        .filter(|a| !a.is_empty())
                        .or(Some(c.service_user_name()).filter(|a| !a.is_empty()))
                        .map(ToOwned::to_owned),
                })
            })
            .collect::<Result<Vec<_>, IamError>>()?;
        Ok(Page {
            items,
            next_marker: next_marker(out.is_truncated(), out.marker()),
        })
    }

    /// One page of `ListSSHPublicKeys` for `user`.
    pub(super) async fn list_ssh_keys(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        const ACTION: &str = "iam:ListSSHPublicKeys";
        let out = self
            .sent(
                ACTION,
                self.iam
                    .list_ssh_public_keys()
                    .user_name(user)
                    .max_items(MAX_ITEMS)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        let items = out
            .ssh_public_keys()
            .iter()
            .map(|k| {
                Ok(Credential {
                    user: user.to_owned(),
                    kind: CredentialKind::SshKey,
                    id: required(k.ssh_public_key_id(), ACTION, "SSHPublicKeyId")?,
                    status: CredentialStatus::parse(k.status().as_str()),
                    created: Some(time(k.upload_date())),
                    expires: None,
                    alias: None,
                })
            })
            .collect::<Result<Vec<_>, IamError>>()?;
        Ok(Page {
            items,
            next_marker: next_marker(out.is_truncated(), out.marker()),
        })
    }

    /// One page of `ListSigningCertificates` for `user`.
    pub(super) async fn list_certificates(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        const ACTION: &str = "iam:ListSigningCertificates";
        let out = self
            .sent(
                ACTION,
                self.iam
                    .list_signing_certificates()
                    .user_name(user)
                    .max_items(MAX_ITEMS)
                    .set_marker(marker)
                    .send(),
            )
            .await?;
        let items = out
            .certificates()
            .iter()
            .map(|c| {
                Ok(Credential {
                    user: user.to_owned(),
                    kind: CredentialKind::SigningCertificate,
                    id: required(c.certificate_id(), ACTION, "CertificateId")?,
                    status: CredentialStatus::parse(c.status().as_str()),
                    created: c.upload_date().map(time),
                    expires: None,
                    alias: None,
                })
            })
            .collect::<Result<Vec<_>, IamError>>()?;
        Ok(Page {
            items,
            next_marker: next_marker(out.is_truncated(), out.marker()),
        })
    }
}
