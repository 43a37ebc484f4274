//! An in-memory IAM account that behaves like IAM where iamkeys can tell:
//! the two-key limit (`LimitExceeded`), `NoSuchEntity`, pagination with
//! markers, a credential report built from the account. Used by `--demo` and
//! by UI tests that need no server; the SDK path is tested against moto.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{AuthPage, ErrorKind, IamClient, IamError};
use crate::model::credential::{Credential, CredentialKind};
use crate::model::{
    AccessKey, CredentialReport, Identity, KeyStatus, LastUsed, LoginProfile, NewAccessKey, Page,
    ReportKeySlot, ReportRow, ReportState, User,
};
use crate::secret::Secret;

/// One user of the in-memory account.
#[derive(Debug, Clone)]
pub struct MemoryUser {
    pub user: User,
    pub password: bool,
    /// When the console password was set (`None`: not said).
    pub password_set: Option<DateTime<Utc>>,
    pub mfa: bool,
    pub keys: Vec<(AccessKey, LastUsed)>,
    pub groups: Vec<String>,
    pub tags: Vec<(String, String)>,
    /// AWS managed policies attached to the user, by name (see
    /// [`managed_document`]); the user's groups' are in [`group_policies`].
    pub attached: Vec<String>,
    /// Inline policies: name and document.
    pub inline: Vec<(String, String)>,
}

impl MemoryUser {
    /// `user` with no password, MFA, keys, groups, tags or policies.
    #[must_use]
    pub fn new(user: User) -> Self {
        Self {
            user,
            password: false,
            password_set: None,
            mfa: false,
            keys: Vec::new(),
            groups: Vec::new(),
            tags: Vec::new(),
            attached: Vec::new(),
            inline: Vec::new(),
        }
    }
}

/// The few AWS managed policies the in-memory account knows, with
/// documents that grant what the real ones grant as far as the risk levels
/// tell (`ReadOnlyAccess` shortened).
#[must_use]
pub fn managed_document(name: &str) -> Option<&'static str> {
    Some(match name {
        "AdministratorAccess" => {
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        }
        "IAMFullAccess" => {
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount"],"Resource":"*"}]}"#
        }
        "ReadOnlyAccess" => {
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*:Get*","*:List*","*:Describe*"],"Resource":"*"}]}"#
        }
        "AWSCompromisedKeyQuarantineV2" => {
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:AttachUserPolicy","iam:CreateAccessKey","iam:CreateUser","ec2:RunInstances","lambda:CreateFunction"],"Resource":"*"}]}"#
        }
        _ => return None,
    })
}

/// The AWS managed policies attached to the in-memory account's groups.
#[must_use]
pub fn group_policies(group: &str) -> &'static [&'static str] {
    match group {
        "developers" => &["ReadOnlyAccess"],
        _ => &[],
    }
}

#[derive(Debug, Default)]
struct Account {
    users: BTreeMap<String, MemoryUser>,
    calls: Vec<&'static str>,
    denied: BTreeSet<&'static str>,
    running: BTreeMap<&'static str, usize>,
    peak: BTreeMap<&'static str, usize>,
    generated: Option<DateTime<Utc>>,
    serial: u64,
    /// The root user's row of the credential report, if the account shows one.
    root: Option<ReportRow>,
    alias: Option<String>,
    /// CloudTrail's event history, by region, newest first.
    trail: BTreeMap<String, Vec<crate::model::trail::TrailEvent>>,
    /// The users' other long-term credentials, in the order added.
    credentials: Vec<Credential>,
}

impl Account {
    /// The user, or IAM's `NoSuchEntity` for `action`.
    fn user(&self, action: &'static str, user: &str) -> Result<&MemoryUser, IamError> {
        self.users
            .get(user)
            .ok_or_else(|| no_such_entity(action, &format!("user with name {user}")))
    }

    /// The user, or IAM's `NoSuchEntity` for `action`.
    fn user_mut(&mut self, action: &'static str, user: &str) -> Result<&mut MemoryUser, IamError> {
        self.users
            .get_mut(user)
            .ok_or_else(|| no_such_entity(action, &format!("user with name {user}")))
    }
}

/// The in-memory account.
#[derive(Debug)]
pub struct MemoryIam {
    identity: Identity,
    account: Mutex<Account>,
    page_size: usize,
    latency: Duration,
    retries: Option<super::retries::RetrySignal>,
}

impl MemoryIam {
    #[must_use]
    pub fn new(account_id: &str) -> Self {
        Self {
            identity: Identity {
                account_id: account_id.to_owned(),
                arn: format!("arn:aws:iam::{account_id}:user/iamkeys-admin"),
                access_key_id: None,
                alias: None,
                region: None,
            },
            account: Mutex::new(Account::default()),
            page_size: 1000,
            latency: Duration::ZERO,
            retries: None,
        }
    }

    /// Report retries on `signal`, as the SDK client does (tests record
    /// them by hand: this account never fails by itself).
    #[must_use]
    pub fn with_retry_signal(mut self, signal: super::retries::RetrySignal) -> Self {
        self.retries = Some(signal);
        self
    }

    /// Serve listings in pages of `size` items (IAM's `MaxItems`).
    #[must_use]
    pub fn with_page_size(mut self, size: usize) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Wait this long before answering each call, like a real round trip.
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answer `AccessDenied` to every call of this IAM action (e.g. `iam:GetCredentialReport`).
    pub fn deny(&self, action: &'static str) {
        self.lock().denied.insert(action);
    }

    /// Add a user (replacing one of the same name).
    pub fn add_user(&self, user: MemoryUser) {
        self.lock().users.insert(user.user.name.clone(), user);
    }

    /// Give a user a long-term credential beyond its access keys.
    pub fn add_credential(&self, credential: Credential) {
        self.lock().credentials.push(credential);
    }

    /// The user's credentials of kinds `of` picks, one page of them.
    async fn credentials_of(
        &self,
        action: &'static str,
        user: Option<&str>,
        marker: Option<&str>,
        of: impl Fn(&CredentialKind) -> bool,
    ) -> Result<Page<Credential>, IamError> {
        let account = self.call(action).await?;
        if let Some(user) = user {
            account.user(action, user)?;
        }
        let found: Vec<Credential> = account
            .credentials
            .iter()
            .filter(|c| of(&c.kind) && user.is_none_or(|u| c.user == u))
            .cloned()
            .collect();
        Ok(page(&found, marker, self.page_size))
    }

    /// One call of `action` that does `act` to the user's credential (by
    /// its index), or IAM's `NoSuchEntity` when there is none.
    async fn with_credential(
        &self,
        action: &'static str,
        user: &str,
        kind: &CredentialKind,
        id: &str,
        act: impl FnOnce(&mut Vec<Credential>, usize),
    ) -> Result<(), IamError> {
        let mut account = self.call(action).await?;
        account.user(action, user)?;
        let at = account
            .credentials
            .iter()
            .position(|c| c.user == user && c.kind == *kind && c.id == id)
            .ok_or_else(|| no_such_entity(action, &format!("credential {id}")))?;
        act(&mut account.credentials, at);
        Ok(())
    }

    /// Give the account an alias.
    pub fn set_alias(&self, alias: &str) {
        self.lock().alias = Some(alias.to_owned());
    }

    /// Add an event to a region's CloudTrail history (kept newest first).
    pub fn add_trail_event(&self, region: &str, event: crate::model::trail::TrailEvent) {
        let mut account = self.lock();
        let events = account.trail.entry(region.to_owned()).or_default();
        events.push(event);
        events.sort_by_key(|e| std::cmp::Reverse(e.time));
    }

    /// Give the credential report a `<root_account>` row.
    pub fn set_root(&self, row: ReportRow) {
        self.lock().root = Some(row);
    }

    /// The IAM actions called so far, in order.
    #[must_use]
    pub fn calls(&self) -> Vec<&'static str> {
        self.lock().calls.clone()
    }

    /// A user's keys as the account holds them now.
    #[must_use]
    pub fn keys_of(&self, user: &str) -> Vec<AccessKey> {
        self.lock()
            .users
            .get(user)
            .map(|u| u.keys.iter().map(|(k, _)| k.clone()).collect())
            .unwrap_or_default()
    }

    fn lock(&self) -> MutexGuard<'_, Account> {
        // A poisoned lock only means another test thread panicked; the data is
        // still consistent because every mutation below is a single step.
        self.account
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The most calls of one IAM action that were ever running at once.
    #[must_use]
    pub fn peak_concurrency(&self, action: &str) -> usize {
        self.lock().peak.get(action).copied().unwrap_or(0)
    }

    /// One call of `action` that reads what `read` takes from `user`.
    async fn of_user<T>(
        &self,
        action: &'static str,
        user: &str,
        read: impl FnOnce(&MemoryUser) -> T,
    ) -> Result<T, IamError> {
        let account = self.call(action).await?;
        account.user(action, user).map(read)
    }

    async fn call(&self, action: &'static str) -> Result<MutexGuard<'_, Account>, IamError> {
        if !self.latency.is_zero() {
            {
                let mut account = self.lock();
                let running = account.running.entry(action).or_default();
                *running += 1;
                let now = *running;
                let peak = account.peak.entry(action).or_default();
                *peak = (*peak).max(now);
            }
            tokio::time::sleep(self.latency).await;
            if let Some(running) = self.lock().running.get_mut(action) {
                *running -= 1;
            }
        }
        let mut account = self.lock();
        account.calls.push(action);
        if account.denied.contains(action) {
            return Err(IamError::new(
                ErrorKind::AccessDenied,
                action,
                format!(
                    "User: {} is not authorized to perform: {action}",
                    self.identity.arn
                ),
            )
            .with_code("AccessDenied"));
        }
        Ok(account)
    }
}

fn no_such_entity(action: &'static str, what: &str) -> IamError {
    IamError::new(
        ErrorKind::NoSuchEntity,
        action,
        format!("The {what} cannot be found."),
    )
    .with_code("NoSuchEntity")
}

fn page<T: Clone>(items: &[T], marker: Option<&str>, size: usize) -> Page<T> {
    let start = marker.and_then(|m| m.parse::<usize>().ok()).unwrap_or(0);
    let end = (start + size).min(items.len());
    Page {
        items: items.get(start..end).unwrap_or_default().to_vec(),
        next_marker: (end < items.len()).then(|| end.to_string()),
    }
}

fn random_text(alphabet: &[u8], len: usize, seed: u64) -> String {
    let mut out = String::with_capacity(len);
    let mut state = std::collections::hash_map::RandomState::new().build_hasher();
    state.write_u64(seed);
    let mut bits = state.finish();
    for i in 0..len {
        if i % 8 == 0 {
            state.write_usize(i);
            bits = state.finish();
        }
        let index = usize::try_from(bits % alphabet.len() as u64).unwrap_or(0);
        out.push(char::from(alphabet[index]));
        bits /= alphabet.len() as u64;
    }
    out
}

#[async_trait]
impl IamClient for MemoryIam {
    fn retries(&self) -> Option<tokio::sync::watch::Receiver<super::retries::Retries>> {
        self.retries
            .as_ref()
            .map(super::retries::RetrySignal::subscribe)
    }

    async fn caller_identity(&self) -> Result<Identity, IamError> {
        drop(self.call("sts:GetCallerIdentity").await?);
        Ok(self.identity.clone())
    }

    /// This account's, as STS would say for a key of it (and, as moto does,
    /// for a key of no account it knows).
    async fn access_key_account(&self, _key_id: &str) -> Result<String, IamError> {
        drop(self.call("sts:GetAccessKeyInfo").await?);
        Ok(self.identity.account_id.clone())
    }

    async fn account_alias(&self) -> Result<Option<String>, IamError> {
        let account = self.call("iam:ListAccountAliases").await?;
        Ok(account.alias.clone())
    }

    async fn list_users(&self, marker: Option<String>) -> Result<Page<User>, IamError> {
        let account = self.call("iam:ListUsers").await?;
        let users: Vec<User> = account.users.values().map(|u| u.user.clone()).collect();
        Ok(page(&users, marker.as_deref(), self.page_size))
    }

    async fn list_access_keys(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<AccessKey>, IamError> {
        let keys: Vec<AccessKey> = self
            .of_user("iam:ListAccessKeys", user, |u| {
                u.keys.iter().map(|(k, _)| k.clone()).collect()
            })
            .await?;
        Ok(page(&keys, marker.as_deref(), self.page_size))
    }

    async fn generate_credential_report(&self) -> Result<ReportState, IamError> {
        let mut account = self.call("iam:GenerateCredentialReport").await?;
        // As IAM: STARTED the first time, COMPLETE while a report exists
        // (this one is built live on every get, so it is never stale).
        let state = if account.generated.is_some() {
            ReportState::Complete
        } else {
            ReportState::Started
        };
        account.generated = Some(Utc::now());
        Ok(state)
    }

    async fn get_credential_report(&self) -> Result<CredentialReport, IamError> {
        let account = self.call("iam:GetCredentialReport").await?;
        let generated_at = account.generated.ok_or_else(|| {
            IamError::new(
                ErrorKind::ReportNotPresent,
                "iam:GetCredentialReport",
                "Credential report not present.",
            )
        })?;
        let rows = account
            .root
            .iter()
            .cloned()
            .chain(account.users.values().map(|u| {
                let slot = |i: usize| {
                    u.keys
                        .get(i)
                        .map(|(k, used)| ReportKeySlot {
                            active: k.status == KeyStatus::Active,
                            last_rotated: k.created,
                            last_used: used.clone(),
                        })
                        .unwrap_or_default()
                };
                ReportRow {
                    user: u.user.name.clone(),
                    arn: u.user.arn.clone(),
                    user_created: Some(u.user.created),
                    password_enabled: u.password,
                    password_last_used: u.user.password_last_used,
                    password_last_changed: u.password_set,
                    mfa_active: u.mfa,
                    keys: [slot(0), slot(1)],
                    certificates: Some(
                        account
                            .credentials
                            .iter()
                            .filter(|c| {
                                c.user == u.user.name
                                    && c.kind == CredentialKind::SigningCertificate
                            })
                            .filter_map(|c| {
                                Some(crate::model::ReportCertificate {
                                    active: c.status
                                        == crate::model::credential::CredentialStatus::Active,
                                    last_rotated: c.created?,
                                })
                            })
                            .take(2)
                            .collect(),
                    ),
                }
            }))
            .collect();
        Ok(CredentialReport {
            generated_at,
            rows,
            rejected: Vec::new(),
            fresh: false,
            odd_date: false,
        })
    }

    async fn root_access_keys_present(&self) -> Result<bool, IamError> {
        let account = self.call("iam:GetAccountSummary").await?;
        Ok(account
            .root
            .as_ref()
            .is_some_and(|root| root.keys.iter().any(ReportKeySlot::present)))
    }

    async fn access_key_last_used(&self, key_id: &str) -> Result<LastUsed, IamError> {
        let account = self.call("iam:GetAccessKeyLastUsed").await?;
        account
            .users
            .values()
            .flat_map(|u| u.keys.iter())
            .find(|(k, _)| k.id == key_id)
            .map(|(_, used)| used.clone())
            .ok_or_else(|| {
                no_such_entity("iam:GetAccessKeyLastUsed", &format!("access key {key_id}"))
            })
    }

    async fn service_credentials(
        &self,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        self.credentials_of(
            "iam:ListServiceSpecificCredentials",
            None,
            marker.as_deref(),
            |k| matches!(k, CredentialKind::Service { .. }),
        )
        .await
    }

    async fn user_credentials(
        &self,
        listing: crate::model::credential::Listing,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        self.credentials_of(listing.action(), Some(user), marker.as_deref(), |k| {
            k.listing() == listing
        })
        .await
    }

    async fn set_credential_status(
        &self,
        user: &str,
        kind: &CredentialKind,
        id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError> {
        let status = crate::model::credential::CredentialStatus::parse(status.as_str());
        self.with_credential(kind.update_action(), user, kind, id, |all, at| {
            all[at].status = status;
        })
        .await
    }

    async fn delete_credential(
        &self,
        user: &str,
        kind: &CredentialKind,
        id: &str,
    ) -> Result<(), IamError> {
        self.with_credential(kind.delete_action(), user, kind, id, |all, at| {
            all.remove(at);
        })
        .await
    }

    /// The in-memory account is in no organization.
    async fn organizations_features(&self) -> Result<Vec<String>, IamError> {
        const ACTION: &str = "iam:ListOrganizationsFeatures";
        drop(self.call(ACTION).await?);
        Err(IamError::new(
            ErrorKind::NoSuchEntity,
            ACTION,
            "no organization is associated with this account",
        )
        .with_code("OrganizationNotFoundException"))
    }

    async fn delete_login_profile(&self, user: &str) -> Result<(), IamError> {
        const ACTION: &str = "iam:DeleteLoginProfile";
        let mut account = self.call(ACTION).await?;
        let found = account.user_mut(ACTION, user)?;
        if !found.password {
            return Err(no_such_entity(
                ACTION,
                &format!("login profile for user {user}"),
            ));
        }
        found.password = false;
        found.password_set = None;
        Ok(())
    }

    async fn login_profile(&self, user: &str) -> Result<Option<LoginProfile>, IamError> {
        self.of_user("iam:GetLoginProfile", user, |u| {
            u.password.then_some(LoginProfile {
                created: u.password_set,
            })
        })
        .await
    }

    async fn has_mfa(&self, user: &str) -> Result<bool, IamError> {
        self.of_user("iam:ListMFADevices", user, |u| u.mfa).await
    }

    async fn user_groups(&self, user: &str) -> Result<Vec<String>, IamError> {
        self.of_user("iam:ListGroupsForUser", user, |u| u.groups.clone())
            .await
    }

    async fn user_tags(&self, user: &str) -> Result<Vec<(String, String)>, IamError> {
        self.of_user("iam:ListUserTags", user, |u| u.tags.clone())
            .await
    }

    /// The tags, and users and groups with no policies (the demo's users
    /// can do nothing: `none`).
    async fn authorization_details(&self, _marker: Option<String>) -> Result<AuthPage, IamError> {
        use crate::risk::details::{Attached, AuthDetails, GroupAuth, ManagedPolicy, UserAuth};
        let account = self.call("iam:GetAccountAuthorizationDetails").await?;
        let mut groups: Vec<String> = account
            .users
            .values()
            .flat_map(|u| u.groups.iter().cloned())
            .collect();
        groups.sort();
        groups.dedup();
        let arn = |name: &str| format!("arn:aws:iam::aws:policy/{name}");
        let attached = |names: &mut dyn Iterator<Item = &str>| -> Vec<Attached> {
            names
                .map(|name| Attached {
                    name: name.to_owned(),
                    arn: arn(name),
                })
                .collect()
        };
        let mut used: Vec<&str> = account
            .users
            .values()
            .flat_map(|u| u.attached.iter().map(String::as_str))
            .chain(
                groups
                    .iter()
                    .flat_map(|g| group_policies(g).iter().copied()),
            )
            .collect();
        used.sort_unstable();
        used.dedup();
        let details = AuthDetails {
            users: account
                .users
                .iter()
                .map(|(name, u)| UserAuth {
                    name: name.clone(),
                    groups: u.groups.clone(),
                    attached: attached(&mut u.attached.iter().map(String::as_str)),
                    inline: u.inline.clone(),
                    boundary: None,
                })
                .collect(),
            groups: groups
                .iter()
                .map(|name| GroupAuth {
                    name: name.clone(),
                    attached: attached(&mut group_policies(name).iter().copied()),
                    inline: Vec::new(),
                })
                .collect(),
            policies: used
                .into_iter()
                .map(|name| ManagedPolicy {
                    arn: arn(name),
                    name: name.to_owned(),
                    document: managed_document(name).map(ToOwned::to_owned),
                })
                .collect(),
        };
        let tags = Page {
            items: account
                .users
                .iter()
                .map(|(name, u)| (name.clone(), u.tags.clone()))
                .collect(),
            next_marker: None,
        };
        Ok((tags, details))
    }

    async fn create_access_key(&self, user: &str) -> Result<NewAccessKey, IamError> {
        const ACTION: &str = "iam:CreateAccessKey";
        let mut account = self.call(ACTION).await?;
        account.serial += 1;
        let serial = account.serial;
        let found = account.user_mut(ACTION, user)?;
        if found.keys.len() >= 2 {
            return Err(IamError::new(
                ErrorKind::LimitExceeded,
                ACTION,
                "Cannot exceed quota for AccessKeysPerUser: 2",
            )
            .with_code("LimitExceeded"));
        }
        let key = AccessKey {
            id: format!(
                "AKIA{}",
                random_text(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, serial)
            ),
            user_name: user.to_owned(),
            status: KeyStatus::Active,
            created: Some(Utc::now()),
        };
        let secret = Secret::new(random_text(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            40,
            serial.wrapping_mul(31),
        ));
        found.keys.push((key.clone(), LastUsed::default()));
        Ok(NewAccessKey { key, secret })
    }

    async fn update_access_key(
        &self,
        user: &str,
        key_id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError> {
        const ACTION: &str = "iam:UpdateAccessKey";
        let mut account = self.call(ACTION).await?;
        let key = account
            .users
            .get_mut(user)
            .and_then(|u| u.keys.iter_mut().find(|(k, _)| k.id == key_id))
            .ok_or_else(|| no_such_entity(ACTION, &format!("Access Key with id {key_id}")))?;
        key.0.status = status;
        Ok(())
    }

    async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<(), IamError> {
        const ACTION: &str = "iam:DeleteAccessKey";
        let mut account = self.call(ACTION).await?;
        let found = account.user_mut(ACTION, user)?;
        let before = found.keys.len();
        found.keys.retain(|(k, _)| k.id != key_id);
        if found.keys.len() == before {
            return Err(no_such_entity(
                ACTION,
                &format!("Access Key with id {key_id}"),
            ));
        }
        Ok(())
    }
}

impl MemoryIam {
    /// `LookupEvents` against the memory account's own CloudTrail (the
    /// usage room's `Trail` for this account calls it).
    ///
    /// # Errors
    /// As the memory account fails a call.
    pub async fn lookup_events(
        &self,
        region: &str,
        lookup: &crate::model::trail::Lookup,
        next: Option<String>,
    ) -> Result<Page<crate::model::trail::TrailEvent>, IamError> {
        const ACTION: &str = "cloudtrail:LookupEvents";
        let account = self.call(ACTION).await?;
        let matching: Vec<crate::model::trail::TrailEvent> = account
            .trail
            .get(region)
            .map(|events| {
                events
                    .iter()
                    .filter(|e| match lookup {
                        // The memory account records which key signed an
                        // event as the event's access key.
                        crate::model::trail::Lookup::AccessKey(key) => {
                            e.created_key.is_none() && e.id.contains(key.as_str())
                        }
                        crate::model::trail::Lookup::Resource(key) => {
                            e.created_key.as_deref() == Some(key.as_str())
                        }
                        crate::model::trail::Lookup::EventName(name) => &e.name == name,
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let start: usize = next.and_then(|n| n.parse().ok()).unwrap_or(0);
        let end = (start + 50).min(matching.len());
        Ok(Page {
            items: matching.get(start..end).unwrap_or_default().to_vec(),
            next_marker: (end < matching.len()).then(|| end.to_string()),
        })
    }
}

#[cfg(test)]
mod tests;
