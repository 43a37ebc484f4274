//! Issue 36: a member's root access keys deleted from the management
//! account through the real SDK. moto has no root keys and no
//! `sts:AssumeRoot`; the suite's launcher serves them as IAM and STS
//! document them (see `tests/data/moto_server.py`), and its
//! `ListAccessKeys`/`DeleteAccessKey` with no user name reach moto with
//! the member's root session. The server is read back after each step.

use std::sync::Arc;
use std::time::Duration;

use iamkeys::action::{Action, Mutated};
use iamkeys::audit_log::AuditLog;
use iamkeys::effect::{Actor, Change, Effect};
use iamkeys::iam::sdk::SdkIam;
use iamkeys::iam::{ErrorKind, IamClient, IamError};
use iamkeys::worker::{Settings, Worker};

use crate::common::moto::{Moto, sdk_config_at};
use crate::common::org::{
    enable_central_root, organization, organization_without_central_root, root_key,
    root_keys_present,
};
use crate::common::proxy::{Proxy, scp_message};

/// Send `change` confirmed for `confirmed` through a worker signing as the
/// management account (through `endpoint`); its answer, and which account
/// it came back for.
async fn delete(
    endpoint: &str,
    audit: &std::path::Path,
    change: Change,
    confirmed: &str,
) -> (String, Result<Mutated, IamError>) {
    let config = sdk_config_at(endpoint, "AKIDTESTTESTTESTTEST", "test-secret").await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let settings = Settings {
        audit: Some(AuditLog::new(audit.to_path_buf())),
        ..Settings::default()
    };
    let worker = Worker::new(Arc::new(SdkIam::new(&config)), tx, &settings);
    let effect = Effect::Mutate {
        id: 7,
        change,
        actor: Actor {
            profile: String::new(),
            account_id: Some(confirmed.to_owned()),
            caller_arn: Some("arn:aws:iam::123456789012:user/moto".into()),
        },
    };
    assert!(worker.run_effect(effect).is_none());
    loop {
        let action = tokio::time::timeout(Duration::from_secs(20), rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let Action::Member { account, action } = action
            && let Action::Mutated { id: 7, result } = *action
        {
            return (account, result);
        }
    }
}

fn root_change(account: &str, from: &str) -> Change {
    Change::DeleteRootKeys {
        account: account.into(),
        from: from.into(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_root_session_deletes_the_members_root_keys_and_nothing_else() {
    let moto = Moto::start();
    let org = organization(&moto, &["alpha", "beta"]).await;
    let (alpha, beta) = (org.id("alpha"), org.id("beta"));
    let mut alpha_keys = vec![root_key(&moto, &alpha).await, root_key(&moto, &alpha).await];
    let beta_key = root_key(&moto, &beta).await;
    assert!(root_keys_present(&moto, &alpha).await);
    let proxy = Proxy::start(moto.port).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");

    // Confirmed for beta, sent for alpha; or from an account that is not
    // the one signing: refused before anything is sent.
    for (change, confirmed) in [
        (root_change(&alpha, &org.management), beta.as_str()),
        (root_change(&alpha, &beta), alpha.as_str()),
    ] {
        let (_, result) = delete(&proxy.endpoint(), &audit, change, confirmed).await;
        let err = result.unwrap_err();
        assert_eq!(err.kind, ErrorKind::Refused, "{err}");
        assert!(err.detail.contains("Nothing was sent"), "{err}");
    }
    assert_eq!(proxy.count("AssumeRoot"), 0);
    assert!(root_keys_present(&moto, &alpha).await);

    // Confirmed for alpha, from the management account: both keys gone.
    let (account, result) = delete(
        &proxy.endpoint(),
        &audit,
        root_change(&alpha, &org.management),
        &alpha,
    )
    .await;
    assert_eq!(account, alpha, "answered for the member's account");
    let Ok(Mutated::RootKeysDeleted(mut deleted)) = result else {
        panic!("{result:?}");
    };
    deleted.sort();
    alpha_keys.sort();
    assert_eq!(deleted, alpha_keys);
    assert_eq!(proxy.count("AssumeRoot"), 1);
    assert_eq!(proxy.count("DeleteAccessKey"), 2);
    assert!(
        !root_keys_present(&moto, &alpha).await,
        "read back: none left"
    );
    assert!(
        root_keys_present(&moto, &beta).await,
        "beta's {beta_key} untouched"
    );
    let report = {
        let iam = crate::common::org::member_iam(&moto, &alpha).await;
        iam.generate_credential_report().send().await.unwrap();
        let out = iam.get_credential_report().send().await.unwrap();
        String::from_utf8(out.content().unwrap().as_ref().to_vec()).unwrap()
    };
    let root_row = report.lines().nth(1).unwrap();
    assert!(
        root_row.starts_with("<root_account>,")
            && root_row.contains(",false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"),
        "{root_row}"
    );

    // The audit log: the refusals, then the attempt before the outcome,
    // each naming the member.
    let log = std::fs::read_to_string(&audit).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert!(
        lines[2].contains("\"attempt\"") || lines[2].contains("attempt"),
        "{log}"
    );
    assert!(lines[3].contains("AssumeRoot:DeleteAccessKey"), "{log}");
    assert!(lines[3].contains(&alpha), "{log}");

    // Again: the root session lists none now, so nothing is deleted.
    let (_, result) = delete(
        &proxy.endpoint(),
        &audit,
        root_change(&alpha, &org.management),
        &alpha,
    )
    .await;
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict, "{err}");
    assert!(err.detail.contains("no access key now"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_assume_root_says_why_and_deletes_nothing() {
    let moto = Moto::start();
    let org = organization_without_central_root(&moto, &["alpha"]).await;
    let alpha = org.id("alpha");
    let key = root_key(&moto, &alpha).await;
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");

    // Root sessions not enabled: STS refuses (the launcher, as AWS does).
    let (_, result) = delete(
        &moto.endpoint(),
        &audit,
        root_change(&alpha, &org.management),
        &alpha,
    )
    .await;
    let err = result.unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err}");
    let said = iamkeys::iam::root::refusal(&err, &alpha, "e2e");
    assert!(
        said.contains("enable-organizations-root-sessions"),
        "{said}"
    );

    // Enabled, but an SCP denies AssumeRoot.
    enable_central_root(&moto).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.refuse("AssumeRoot", &scp_message("sts:AssumeRoot"));
    let (_, result) = delete(
        &proxy.endpoint(),
        &audit,
        root_change(&alpha, &org.management),
        &alpha,
    )
    .await;
    let err = result.unwrap_err();
    let said = iamkeys::iam::root::refusal(&err, &alpha, "e2e");
    assert!(
        said.contains("service control policy denies sts:AssumeRoot"),
        "{said}"
    );
    assert!(
        root_keys_present(&moto, &alpha).await,
        "{key} is still there"
    );

    // The launcher holds AWS's limits: no longer than 900 s, only a
    // root-task policy, members only — parsed by the real SDK.
    let sts = aws_sdk_sts::Client::new(&moto.sdk_config().await);
    let task = |arn: &str| {
        aws_sdk_sts::types::PolicyDescriptorType::builder()
            .arn(arn)
            .build()
    };
    let too_long = sts
        .assume_root()
        .target_principal(&alpha)
        .task_policy_arn(task(iamkeys::iam::root::DELETE_ROOT_CREDENTIALS))
        .duration_seconds(901)
        .send()
        .await
        .unwrap_err();
    assert!(format!("{too_long:?}").contains("900"), "{too_long:?}");
    let not_a_task = sts
        .assume_root()
        .target_principal(&alpha)
        .task_policy_arn(task("arn:aws:iam::aws:policy/AdministratorAccess"))
        .send()
        .await
        .unwrap_err();
    assert!(
        format!("{not_a_task:?}").contains("ValidationError"),
        "{not_a_task:?}"
    );
    let own = sts
        .assume_root()
        .target_principal(&org.management)
        .task_policy_arn(task(iamkeys::iam::root::DELETE_ROOT_CREDENTIALS))
        .send()
        .await
        .unwrap_err();
    assert!(format!("{own:?}").contains("AccessDenied"), "{own:?}");

    // A root session may do only what its task policy allows.
    let client = SdkIam::new(&moto.sdk_config().await);
    let root = client.assume_root(&alpha).await.unwrap();
    let who = root.identity().await.unwrap();
    assert_eq!(who.arn, format!("arn:aws:iam::{alpha}:root"));
    assert!(iamkeys::iam::root::is_root_of(&who, &alpha));
    let keys = root.access_keys().await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, key);
}
