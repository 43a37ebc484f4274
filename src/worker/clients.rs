//! The clients a worker calls through, and the one in use with the profile
//! and account it belongs to.

use std::sync::Arc;

use crate::handoff::write::{NoWriter, Writer};
use crate::iam::IamClient;
use crate::usage::cloudtrail::{NoTrail, Trail};

/// The clients a worker calls through, each a trait of its capability's
/// room: IAM and STS ([`IamClient`]), CloudTrail and the region list
/// ([`Trail`]), the hand-off's write ([`Writer`]).
#[derive(Clone)]
pub struct Clients {
    pub iam: Arc<dyn IamClient>,
    pub trail: Arc<dyn Trail>,
    pub writer: Arc<dyn Writer>,
    /// IAM Access Analyzer's unused-access findings (AWS's verdicts).
    pub analyzer: Arc<dyn crate::analyzer::Analyzer>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clients")
    }
}

impl Clients {
    /// IAM and STS only: no CloudTrail to ask, nowhere to hand a key off.
    #[must_use]
    pub fn iam_only(iam: Arc<dyn IamClient>) -> Self {
        Self {
            iam,
            trail: Arc::new(NoTrail),
            writer: Arc::new(NoWriter),
            analyzer: Arc::new(crate::analyzer::NoAnalyzer),
        }
    }
}

impl From<Arc<dyn IamClient>> for Clients {
    fn from(iam: Arc<dyn IamClient>) -> Self {
        Self::iam_only(iam)
    }
}

impl From<Arc<crate::iam::sdk::SdkIam>> for Clients {
    /// The SDK's: each service over the same profile's configuration.
    fn from(sdk: Arc<crate::iam::sdk::SdkIam>) -> Self {
        Self {
            iam: sdk.clone(),
            trail: sdk.clone(),
            analyzer: sdk.clone(),
            writer: sdk,
        }
    }
}

impl From<crate::iam::sdk::SdkIam> for Clients {
    fn from(sdk: crate::iam::sdk::SdkIam) -> Self {
        Arc::new(sdk).into()
    }
}

impl From<Arc<crate::iam::memory::MemoryIam>> for Clients {
    /// The memory account's (tests and the demo): its CloudTrail, nowhere
    /// to hand a key off.
    fn from(memory: Arc<crate::iam::memory::MemoryIam>) -> Self {
        Self {
            iam: memory.clone(),
            trail: memory,
            writer: Arc::new(NoWriter),
            analyzer: Arc::new(crate::analyzer::NoAnalyzer),
        }
    }
}

impl From<crate::iam::memory::MemoryIam> for Clients {
    fn from(memory: crate::iam::memory::MemoryIam) -> Self {
        Arc::new(memory).into()
    }
}

/// Builds the clients for a named profile (the real one connects with
/// aws-config; tests hand in their own).
#[derive(Clone)]
pub struct Connector(
    pub Arc<dyn Fn(String) -> futures::future::BoxFuture<'static, Clients> + Send + Sync>,
);

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Connector")
    }
}

/// The client in use, with the profile and account it belongs to: a change
/// is sent only through the client of the account it was confirmed for.
#[derive(Clone)]
pub(super) struct Slot {
    pub(super) client: Arc<dyn IamClient>,
    pub(super) trail: Arc<dyn Trail>,
    pub(super) writer: Arc<dyn Writer>,
    pub(super) analyzer: Arc<dyn crate::analyzer::Analyzer>,
    /// `None` for the client the worker was started with when the caller
    /// gave no profile (tests); its account is still checked.
    pub(super) profile: Option<String>,
    /// Learnt from `GetCallerIdentity` (the load's, the switch's, or asked
    /// before the first change).
    pub(super) account: Arc<std::sync::Mutex<Option<String>>>,
}

impl Slot {
    pub(super) fn new(clients: Clients, profile: Option<String>, account: Option<String>) -> Self {
        Self {
            client: clients.iam,
            trail: clients.trail,
            writer: clients.writer,
            analyzer: clients.analyzer,
            profile,
            account: Arc::new(std::sync::Mutex::new(account)),
        }
    }

    pub(super) fn known_account(&self) -> Option<String> {
        self.account
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(super) fn learn_account(&self, account: &str) {
        *self
            .account
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(account.to_owned());
    }

    /// The account this client signs into: known, or asked of STS once.
    pub(super) async fn account(&self) -> Result<String, crate::iam::IamError> {
        if let Some(account) = self.known_account() {
            return Ok(account);
        }
        let identity = self.client.caller_identity().await?;
        self.learn_account(&identity.account_id);
        Ok(identity.account_id)
    }
}
