//! Faults on the paths that must not go wrong twice: a create whose answer
//! is lost, and a credential report that takes a while.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::get_credential_report::{
    GetCredentialReportError, GetCredentialReportOutput,
};
use aws_sdk_iam::types::ReportStateType;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::{Blob, DateTime};
use chrono::Utc;
use iamkeys::action::Action;
use iamkeys::headless::settle;
use iamkeys::iam::memory::{MemoryIam, MemoryUser};
use iamkeys::iam::sdk::SdkIam;
use iamkeys::iam::{ErrorKind, IamClient, IamError};
use iamkeys::model::credential::Credential;
use iamkeys::model::{
    AccessKey, CredentialReport, Identity, KeyStatus, LastUsed, NewAccessKey, Page, ReportState,
    User,
};
use iamkeys::state::{Modal, ReportStatus};

use crate::common::flows::{ch, select_user};
use crate::common::states::fresh;

/// The in-memory account, except that `CreateAccessKey` fails with a network
/// error `failures` times — after really creating the key when `applied`.
struct LostAnswers {
    inner: MemoryIam,
    failures: AtomicUsize,
    applied: bool,
    creates: AtomicUsize,
    /// How each failure reads: a timeout (unclear) or throttling (refused).
    kind: ErrorKind,
}

#[async_trait]
impl IamClient for LostAnswers {
    async fn caller_identity(&self) -> Result<Identity, IamError> {
        self.inner.caller_identity().await
    }
    async fn account_alias(&self) -> Result<Option<String>, IamError> {
        self.inner.account_alias().await
    }
    async fn list_users(&self, marker: Option<String>) -> Result<Page<User>, IamError> {
        self.inner.list_users(marker).await
    }
    async fn list_access_keys(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<AccessKey>, IamError> {
        self.inner.list_access_keys(user, marker).await
    }
    async fn generate_credential_report(&self) -> Result<ReportState, IamError> {
        self.inner.generate_credential_report().await
    }
    async fn get_credential_report(&self) -> Result<CredentialReport, IamError> {
        self.inner.get_credential_report().await
    }
    async fn access_key_last_used(&self, key_id: &str) -> Result<LastUsed, IamError> {
        self.inner.access_key_last_used(key_id).await
    }
    async fn root_access_keys_present(&self) -> Result<bool, IamError> {
        self.inner.root_access_keys_present().await
    }
    async fn service_credentials(
        &self,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        self.inner.service_credentials(marker).await
    }

    async fn set_credential_status(
        &self,
        user: &str,
        kind: &iamkeys::model::credential::CredentialKind,
        id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError> {
        self.inner
            .set_credential_status(user, kind, id, status)
            .await
    }

    async fn delete_credential(
        &self,
        user: &str,
        kind: &iamkeys::model::credential::CredentialKind,
        id: &str,
    ) -> Result<(), IamError> {
        self.inner.delete_credential(user, kind, id).await
    }

    async fn user_credentials(
        &self,
        listing: iamkeys::model::credential::Listing,
        user: &str,
        marker: Option<String>,
    ) -> Result<Page<Credential>, IamError> {
        self.inner.user_credentials(listing, user, marker).await
    }

    async fn organizations_features(&self) -> Result<Vec<String>, IamError> {
        self.inner.organizations_features().await
    }

    async fn delete_login_profile(&self, user: &str) -> Result<(), IamError> {
        self.inner.delete_login_profile(user).await
    }

    async fn login_profile(
        &self,
        user: &str,
    ) -> Result<Option<iamkeys::model::LoginProfile>, IamError> {
        self.inner.login_profile(user).await
    }
    async fn has_mfa(&self, user: &str) -> Result<bool, IamError> {
        self.inner.has_mfa(user).await
    }
    async fn user_groups(&self, user: &str) -> Result<Vec<String>, IamError> {
        self.inner.user_groups(user).await
    }
    async fn user_tags(&self, user: &str) -> Result<Vec<(String, String)>, IamError> {
        self.inner.user_tags(user).await
    }
    async fn create_access_key(&self, user: &str) -> Result<NewAccessKey, IamError> {
        self.creates.fetch_add(1, Ordering::Relaxed);
        let fail = self
            .failures
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .is_ok();
        if fail {
            if self.applied {
                self.inner.create_access_key(user).await?;
            }
            let err = IamError::new(self.kind, "iam:CreateAccessKey", "request timed out");
            return Err(if self.kind == ErrorKind::Throttling {
                err.with_code("Throttling")
            } else {
                err
            });
        }
        self.inner.create_access_key(user).await
    }
    async fn update_access_key(
        &self,
        user: &str,
        key_id: &str,
        status: KeyStatus,
    ) -> Result<(), IamError> {
        self.inner.update_access_key(user, key_id, status).await
    }
    async fn delete_access_key(&self, user: &str, key_id: &str) -> Result<(), IamError> {
        self.inner.delete_access_key(user, key_id).await
    }
    async fn authorization_details(
        &self,
        marker: Option<String>,
    ) -> Result<
        (
            Page<iamkeys::model::UserTags>,
            iamkeys::risk::details::AuthDetails,
        ),
        IamError,
    > {
        self.inner.authorization_details(marker).await
    }
}

fn account(failures: usize, applied: bool) -> Arc<LostAnswers> {
    account_failing_with(failures, applied, ErrorKind::Network)
}

fn account_failing_with(failures: usize, applied: bool, kind: ErrorKind) -> Arc<LostAnswers> {
    let inner = MemoryIam::new("123456789012");
    inner.add_user(MemoryUser::new(User {
        name: "ops".into(),
        arn: "arn:aws:iam::123456789012:user/ops".into(),
        created: Utc::now(),
        password_last_used: None,
    }));
    Arc::new(LostAnswers {
        inner,
        failures: AtomicUsize::new(failures),
        applied,
        creates: AtomicUsize::new(0),
        kind,
    })
}

async fn create(client: Arc<LostAnswers>) -> iamkeys::state::State {
    create_after(client, |_| {}).await
}

/// Load, select ops, `c`, let `meanwhile` change the state, then `y`.
async fn create_after(
    client: Arc<LostAnswers>,
    meanwhile: impl FnOnce(&mut iamkeys::state::State),
) -> iamkeys::state::State {
    let mut state = fresh();
    settle(
        &mut state,
        iamkeys::worker::Clients::iam_only(client.clone()),
        2,
        vec![Action::Load],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    select_user(&mut state, "ops");
    iamkeys::update::update(&mut state, ch('c'));
    meanwhile(&mut state);
    settle(
        &mut state,
        iamkeys::worker::Clients::iam_only(client),
        2,
        vec![ch('y')],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    state
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_sent_again() {
    let client = account(1, true);
    let state = create(client.clone()).await;
    assert_eq!(
        client.creates.load(Ordering::Relaxed),
        1,
        "never a second CreateAccessKey"
    );
    let keys = client.inner.keys_of("ops");
    assert_eq!(keys.len(), 1, "exactly the one key IAM made");
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains(&keys[0].id) && message.contains("cannot be recovered"),
        "{message}"
    );
}

/// Issue 13, item 7: after a timeout, IAM may still make the key, and its
/// lists lag: a create is never tried again after an unclear failure, even
/// when IAM shows no new key yet.
#[tokio::test]
async fn a_create_that_timed_out_is_never_tried_again() {
    let client = account(1, false);
    let state = create(client.clone()).await;
    assert_eq!(
        client.creates.load(Ordering::Relaxed),
        1,
        "no second attempt"
    );
    assert_eq!(client.inner.keys_of("ops").len(), 0);
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains("it was not tried again"), "{message}");
}

/// Throttling means IAM did not act: that create is tried again.
#[tokio::test]
async fn a_throttled_create_is_tried_again() {
    let client = account_failing_with(2, false, ErrorKind::Throttling);
    let state = create(client.clone()).await;
    assert_eq!(client.creates.load(Ordering::Relaxed), 3);
    assert_eq!(client.inner.keys_of("ops").len(), 1, "one key, not three");
    assert!(
        matches!(state.view.modal, Some(Modal::Secret(_))),
        "{:?}",
        state.view.modal
    );
}

#[tokio::test]
async fn the_credential_report_is_polled_with_backoff_until_ready() {
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
        .sequence()
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(ReportStateType::Started)
                .build()
        })
        .build();
    let get = mock!(aws_sdk_iam::Client::get_credential_report)
        .sequence()
        .error(|| GetCredentialReportError::generic(ErrorMetadata::builder().code("ReportInProgress").build()))
        .error(|| GetCredentialReportError::generic(ErrorMetadata::builder().code("ReportInProgress").build()))
        .output(|| {
            GetCredentialReportOutput::builder()
                .content(Blob::new("user,arn,user_creation_time,password_enabled,password_last_used,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service\n"))
                .generated_time(DateTime::from_secs(1_700_000_000))
                .build()
        })
        .build();
    let users = mock!(aws_sdk_iam::Client::list_users).then_output(|| {
        aws_sdk_iam::operation::list_users::ListUsersOutput::builder()
            .set_users(Some(vec![]))
            .build()
            .unwrap()
    });
    let alias = mock!(aws_sdk_iam::Client::list_account_aliases).then_output(|| {
        aws_sdk_iam::operation::list_account_aliases::ListAccountAliasesOutput::builder()
            .set_account_aliases(Some(vec![]))
            .build()
            .unwrap()
    });
    let all_tags = crate::mock_sdk::no_tags_at_once();
    let others = crate::mock_sdk::no_other_credentials();
    let iam = mock_client!(
        aws_sdk_iam,
        RuleMode::MatchAny,
        [
            &generate, &get, &users, &alias, &all_tags, &others[0], &others[1], &others[2]
        ]
    );
    let identity = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput::builder()
            .account("123456789012")
            .arn("arn:aws:iam::123456789012:user/x")
            .build()
    });
    let sts = mock_client!(aws_sdk_sts, [&identity]);
    let mut state = fresh();
    let started = std::time::Instant::now();
    settle(
        &mut state,
        Arc::new(SdkIam::from_clients(iam, sts)),
        2,
        vec![Action::Load],
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert!(
        matches!(state.account.report, ReportStatus::Loaded(_)),
        "{:?}",
        state.account.report
    );
    // Generate once (STARTED), then Get: not ready, not ready, the report.
    assert_eq!(generate.num_calls(), 1);
    assert_eq!(get.num_calls(), 3);
    // Waits of 20, 30 and 45 ms (the headless backoff): it backed off, it did not spin.
    assert!(
        started.elapsed() >= Duration::from_millis(95),
        "{:?}",
        started.elapsed()
    );
}

/// Issue 13, item 7: the user's keys were being re-listed when the create
/// was confirmed (the screen's list empty for a moment); a timeout that
/// made no key must not be blamed on the key the user already had.
#[tokio::test]
async fn an_existing_key_is_never_blamed_for_a_lost_create() {
    let client = account(1, false);
    let existing = client.inner.create_access_key("ops").await.unwrap().key.id;
    // A refresh of ops's keys is in flight as the operator confirms.
    let state = create_after(client.clone(), |state| {
        // (carried out later than the create; the screen's list is empty now)
        for effect in state.account.relist_keys("ops") {
            state.account.withdraw(&effect);
        }
        assert!(state.selected_row_keys().is_none());
    })
    .await;
    assert_eq!(client.creates.load(Ordering::Relaxed), 1);
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(!message.contains(&existing), "blames {existing}: {message}");
    assert!(message.contains("IAM shows no new key"), "{message}");
}
