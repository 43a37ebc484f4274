//! The user's other long-term credentials through aws-sdk-iam: one page of
//! each listing, read strictly (an item without its ID fails the page:
//! dropping it would hide it from the audit).

use super::{MAX_ITEMS, SdkIam, next_marker, time};
use crate::iam::IamError;
use crate::model::Page;
use crate::model::credential::{Credential, CredentialKind, CredentialStatus};

/// An item of `action`'s answer without a field IAM always sends.
fn missing(action: &'static str, field: &str) -> IamError {
    IamError::other(
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

/// One page of credentials, each item read by `read`: the page fails with
/// the first item that does not read.
fn page_of<T>(
    items: &[T],
    read: impl Fn(&T) -> Result<Credential, IamError>,
    truncated: bool,
    marker: Option<&str>,
) -> Result<Page<Credential>, IamError> {
    Ok(Page {
        items: items
            .iter()
            .map(read)
            .collect::<Result<Vec<_>, IamError>>()?,
        next_marker: next_marker(truncated, marker),
    })
}

/// A credential of `user` that has no expiry and no alias (an SSH key, a
/// signing certificate), its status read strictly.
fn of_user(
    user: &str,
    kind: CredentialKind,
    id: String,
    status: &str,
    created: Option<chrono::DateTime<chrono::Utc>>,
) -> Credential {
    Credential {
        user: user.to_owned(),
        kind,
        id,
        status: CredentialStatus::parse(status),
        created,
        expires: None,
        alias: None,
    }
}

/// One page of a listing: the request `$request` built on the IAM client,
/// at most [`MAX_ITEMS`] from `$marker`, its error mapped once by `sent`.
macro_rules! listed {
    ($self:ident, $action:expr, $op:ident() $(.$more:ident($value:expr))*, $marker:expr) => {
        $self
            .sent(
                $action,
                $self.iam.$op()$(.$more($value))*.max_items(MAX_ITEMS).set_marker($marker).send(),
            )
            .await?
    };
}

/// One request about credential `id` of `user`, by its kind: the
/// operation the kind names (service-specific, SSH key, certificate), the
/// ID in that kind's field, anything more (`status(s)`), its error mapped
/// once by `sent`.
macro_rules! per_kind {
    ($self:ident, $kind:expr, $user:expr, $id:expr, $action:expr,
     [$service:ident, $ssh:ident, $cert:ident] $(, $more:ident($value:expr))*) => {{
        let iam = &$self.iam;
        match $kind {
            CredentialKind::Service { .. } => $self
                .sent($action, iam.$service().user_name($user).service_specific_credential_id($id)$(.$more($value))*.send())
                .await
                .map(|_| ()),
            CredentialKind::SshKey => $self
                .sent($action, iam.$ssh().user_name($user).ssh_public_key_id($id)$(.$more($value))*.send())
                .await
                .map(|_| ()),
            CredentialKind::SigningCertificate => $self
                .sent($action, iam.$cert().user_name($user).certificate_id($id)$(.$more($value))*.send())
                .await
                .map(|_| ()),
        }
    }};
}

impl SdkIam {
    /// One page of `ListServiceSpecificCredentials` of `user`, else of
    /// every user (`AllUsers`).
    pub(super) async fn list_service_credentials(
        &self,
        user: Option<&str>,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        const ACTION: &str = "iam:ListServiceSpecificCredentials";
        let out = listed!(
            self,
            ACTION,
            list_service_specific_credentials()
                .set_user_name(user.map(ToOwned::to_owned))
                .set_all_users(user.is_none().then_some(true)),
            marker
        );
        page_of(
            out.service_specific_credentials(),
            |c| {
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
            },
            out.is_truncated(),
            out.marker(),
        )
    }

    /// One page of `ListSSHPublicKeys` for `user`.
    pub(super) async fn list_ssh_keys(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        const ACTION: &str = "iam:ListSSHPublicKeys";
        let out = listed!(self, ACTION, list_ssh_public_keys().user_name(user), marker);
        page_of(
            out.ssh_public_keys(),
            |k| {
                let id = required(k.ssh_public_key_id(), ACTION, "SSHPublicKeyId")?;
                let created = Some(time(k.upload_date()));
                Ok(of_user(
                    user,
                    CredentialKind::SshKey,
                    id,
                    k.status().as_str(),
                    created,
                ))
            },
            out.is_truncated(),
            out.marker(),
        )
    }

    /// One page of `ListSigningCertificates` for `user`.
    pub(super) async fn list_certificates(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        const ACTION: &str = "iam:ListSigningCertificates";
        let out = listed!(
            self,
            ACTION,
            list_signing_certificates().user_name(user),
            marker
        );
        page_of(
            out.certificates(),
            |c| {
                let id = required(c.certificate_id(), ACTION, "CertificateId")?;
                let kind = CredentialKind::SigningCertificate;
                Ok(of_user(
                    user,
                    kind,
                    id,
                    c.status().as_str(),
                    c.upload_date().map(time),
                ))
            },
            out.is_truncated(),
            out.marker(),
        )
    }

    /// The credential's status set, by its kind.
    pub(super) async fn update_credential(
        &self,
        user: &str,
        kind: &CredentialKind,
        id: &str,
        status: aws_sdk_iam::types::StatusType,
    ) -> Result<(), IamError> {
        per_kind!(
            self,
            kind,
            user,
            id,
            kind.update_action(),
            [
                update_service_specific_credential,
                update_ssh_public_key,
                update_signing_certificate
            ],
            status(status)
        )
    }

    /// The credential deleted, by its kind.
    pub(super) async fn remove_credential(
        &self,
        user: &str,
        kind: &CredentialKind,
        id: &str,
    ) -> Result<(), IamError> {
        per_kind!(
            self,
            kind,
            user,
            id,
            kind.delete_action(),
            [
                delete_service_specific_credential,
                delete_ssh_public_key,
                delete_signing_certificate
            ]
        )
    }
}
