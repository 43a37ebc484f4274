//! The users' long-term credentials beyond access keys and the console
//! password, as a load gathers them: service-specific credentials for
//! every user in one walk (`ListServiceSpecificCredentials` with
//! `AllUsers`), SSH public keys user by user, and signing certificates user
//! by user where keys are listed (else the credential report's columns).
//! A listing that fails is a gap of the users it leaves unseen.

use chrono::{DateTime, Utc};

use super::Account;
use crate::effect::{Call, Effect};
use crate::iam::IamError;
use crate::model::credential::Credential;

/// What is known of one user's other credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserCredentials {
    /// `ListSSHPublicKeys` and `ListSigningCertificates` are asked (or
    /// answered) for this user.
    pub requested: bool,
    pub ssh: Option<Result<Vec<Credential>, IamError>>,
    pub certificates: Option<Result<Vec<Credential>, IamError>>,
    /// The user's service-specific credentials, from the account's walk.
    pub service: Option<Result<Vec<Credential>, IamError>>,
}

impl UserCredentials {
    /// Every credential listed so far: service-specific ones, then SSH
    /// public keys, then signing certificates.
    #[must_use]
    pub fn known(&self) -> Vec<&Credential> {
        [&self.service, &self.ssh, &self.certificates]
            .into_iter()
            .filter_map(|listing| listing.as_ref()?.as_ref().ok())
            .flatten()
            .collect()
    }

    /// The listings that failed, with what each leaves unseen.
    #[must_use]
    pub fn errors(&self) -> Vec<(&IamError, &'static str)> {
        [
            (&self.service, "service-specific credentials not listed"),
            (&self.ssh, "SSH public keys not listed"),
            (&self.certificates, "signing certificates not listed"),
        ]
        .into_iter()
        .filter_map(|(listing, what)| match listing {
            Some(Err(err)) => Some((err, what)),
            _ => None,
        })
        .collect()
    }
}

/// The account's walk of every user's service-specific credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ServiceWalk {
    #[default]
    NotAsked,
    Asked,
    Done(Vec<Credential>),
    Failed(IamError),
}

impl ServiceWalk {
    /// What the walk says of `user`, once it is over.
    fn of(&self, user: &str) -> Option<Result<Vec<Credential>, IamError>> {
        match self {
            Self::Done(all) => Some(Ok(all.iter().filter(|c| c.user == user).cloned().collect())),
            Self::Failed(err) => Some(Err(err.clone())),
            Self::NotAsked | Self::Asked => None,
        }
    }
}

impl Account {
    /// Start the walk of every user's service-specific credentials.
    pub(super) fn ask_service_credentials(&mut self) -> Effect {
        self.service = ServiceWalk::Asked;
        self.call(Call::ServiceCredentials)
    }

    /// List these users' SSH public keys and signing certificates (those
    /// not asked yet), and give them what the service walk found.
    pub(super) fn ask_credentials(&mut self, users: &[String]) -> Vec<Effect> {
        let mut effects = Vec::new();
        for user in users {
            let service = self.service.of(user);
            let Some(row) = self.users.get_mut(user) else {
                continue;
            };
            if row.credentials.service.is_none() {
                row.credentials.service = service;
            }
            if !row.credentials.requested {
                row.credentials.requested = true;
                let certificates = self.certificates_wanted();
                effects.push(self.call(Call::Credentials {
                    user: user.clone(),
                    certificates,
                    service: false,
                }));
            }
        }
        effects
    }

    /// The walk is over: each listed user is given theirs.
    pub(super) fn on_service_credentials(
        &mut self,
        result: Result<Vec<Credential>, IamError>,
        now: DateTime<Utc>,
    ) {
        self.service = match result {
            Ok(all) => ServiceWalk::Done(all),
            Err(err) => ServiceWalk::Failed(err),
        };
        let names: Vec<String> = self.users.rows().map(|r| r.user.name.clone()).collect();
        for user in &names {
            let service = self.service.of(user);
            if let Some(row) = self.users.get_mut(user) {
                row.credentials.service = service;
            }
        }
        self.refresh_all(now);
    }

    /// A user's SSH public keys and signing certificates.
    pub(super) fn on_credentials(
        &mut self,
        user: &str,
        ssh: Result<Vec<Credential>, IamError>,
        certificates: Option<Result<Vec<Credential>, IamError>>,
        service: Option<Result<Vec<Credential>, IamError>>,
        now: DateTime<Utc>,
    ) {
        if let Some(row) = self.users.get_mut(user) {
            row.credentials.ssh = Some(ssh);
            if certificates.is_some() {
                row.credentials.certificates = certificates;
            }
            if service.is_some() {
                row.credentials.service = service;
            }
            self.refresh_user(user, now);
        }
    }

    /// Whether signing certificates are listed: for their IDs (the UI,
    /// `--key-ids`), or where no credential report speaks for them. A
    /// report, even one IAM already had, does: a certificate uploaded
    /// since cannot be old enough for a finding.
    fn certificates_wanted(&self) -> bool {
        self.every_id || self.report_unavailable().is_some()
    }

    /// The credential report failed: users asked for their SSH keys
    /// before it did have their signing certificates listed too.
    pub(super) fn certificates_without_report(&mut self) -> Vec<Effect> {
        if self.every_id {
            return Vec::new();
        }
        let users: Vec<String> = self
            .users
            .rows()
            .filter(|r| r.credentials.requested && r.credentials.certificates.is_none())
            .map(|r| r.user.name.clone())
            .collect();
        users
            .into_iter()
            .map(|user| {
                self.call(Call::Credentials {
                    user,
                    certificates: true,
                    service: false,
                })
            })
            .collect()
    }

    /// List a user's credentials again, every kind (after a change).
    pub fn relist_credentials(&mut self, user: &str) -> Vec<Effect> {
        let Some(row) = self.users.get_mut(user) else {
            return Vec::new();
        };
        row.credentials.requested = true;
        vec![self.call(Call::Credentials {
            user: user.to_owned(),
            certificates: true,
            service: true,
        })]
    }

    /// A call the driver did not carry out may be asked again.
    pub(super) fn withdraw_credentials(&mut self, call: &Call) {
        match call {
            Call::ServiceCredentials if self.service == ServiceWalk::Asked => {
                self.service = ServiceWalk::NotAsked;
            }
            Call::Credentials { user, .. } => {
                if let Some(row) = self.users.get_mut(user)
                    && row.credentials.ssh.is_none()
                {
                    row.credentials.requested = false;
                }
            }
            _ => {}
        }
    }
}
