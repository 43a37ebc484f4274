//! Every IAM/STS call iamkeys makes, through aws-sdk-iam, against moto's
//! server; results are checked against the server's own state.

use aws_sdk_iam::types::StatusType;
use iamkeys::iam::{ErrorKind, IamClient, list_all_access_keys};
use iamkeys::model::credential::Listing;
use iamkeys::model::{KeyStatus, ReportState};

use crate::common::moto::{Moto, SeedUser, seed, standard_users};

#[tokio::test]
async fn reads_identity_users_keys_login_profiles_and_mfa() {
    let moto = Moto::start();
    let seeded = seed(&moto.iam().await, &standard_users()).await;
    let client = moto.client().await;

    let identity = client.caller_identity().await.unwrap();
    assert_eq!(identity.account_id, "123456789012");
    assert!(identity.arn.starts_with("arn:aws:"), "{}", identity.arn);
    assert_eq!(
        identity.access_key_id.as_deref(),
        Some("AKIDTESTTESTTESTTEST")
    );

    let page = client.list_users(None).await.unwrap();
    let mut names: Vec<_> = page.items.iter().map(|u| u.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["alice", "bob", "carol", "dave", "erin"]);
    assert_eq!(page.next_marker, None);

    for (user, ids) in &seeded {
        let keys = list_all_access_keys(&client, user).await.unwrap();
        let mut listed: Vec<_> = keys.iter().map(|k| k.id.clone()).collect();
        listed.sort();
        let mut expected = ids.clone();
        expected.sort();
        assert_eq!(listed, expected, "{user}");
    }
    let dave = list_all_access_keys(&client, "dave").await.unwrap();
    let statuses: Vec<_> = seeded[3]
        .1
        .iter()
        .map(|id| dave.iter().find(|k| &k.id == id).unwrap().status)
        .collect();
    assert_eq!(statuses, [KeyStatus::Inactive, KeyStatus::Active]);

    // The password's CreateDate comes through (moto dates it now).
    let alice = client.login_profile("alice").await.unwrap();
    let set = alice
        .and_then(|p| p.created)
        .expect("alice's password is dated");
    assert!((chrono::Utc::now() - set).num_minutes().abs() < 60, "{set}");
    assert_eq!(client.login_profile("carol").await.unwrap(), None);
    let gone = client.login_profile("nobody").await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NoSuchEntity);
    assert!(client.has_mfa("alice").await.unwrap());
    assert!(!client.has_mfa("bob").await.unwrap());
}

#[tokio::test]
async fn credential_report_is_generated_fetched_and_parsed() {
    let moto = Moto::start();
    seed(&moto.iam().await, &standard_users()).await;
    let client = moto.client().await;
    let state = client.generate_credential_report().await.unwrap();
    assert!(matches!(
        state,
        ReportState::Started | ReportState::Complete | ReportState::InProgress
    ));
    let report = client.get_credential_report().await.unwrap();
    let row = |name: &str| report.rows.iter().find(|r| r.user == name).unwrap();
    assert!(row("alice").password_enabled);
    assert!(!row("carol").password_enabled);
    assert!(row("carol").keys[0].active && row("carol").keys[1].active);
    assert!(!row("dave").keys[0].active && row("dave").keys[1].active);
    assert!(!row("bob").keys[0].present());
}

#[tokio::test]
async fn last_used_is_never_for_a_new_key_and_set_once_used() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let seeded = seed(
        &iam,
        &[SeedUser {
            name: "svc",
            keys: vec![true],
            ..SeedUser::default()
        }],
    )
    .await;
    let client = moto.client().await;
    let key_id = &seeded[0].1[0];
    let before = client.access_key_last_used(key_id).await.unwrap();
    assert_eq!(before.date, None);
    // Sign one request with the key: moto marks it used.
    let secret = iam
        .create_access_key()
        .user_name("svc")
        .send()
        .await
        .unwrap();
    let new_key = secret.access_key().unwrap();
    let config = crate::common::moto::sdk_config_at(
        moto.endpoint(),
        new_key.access_key_id(),
        new_key.secret_access_key(),
    )
    .await;
    aws_sdk_iam::Client::new(&config)
        .list_users()
        .send()
        .await
        .unwrap();
    let after = client
        .access_key_last_used(new_key.access_key_id())
        .await
        .unwrap();
    assert!(after.date.is_some(), "{after:?}");
    let missing = client.access_key_last_used("AKIADOESNOTEXIST0000").await;
    assert!(missing.is_err());
}

#[tokio::test]
async fn create_update_and_delete_change_the_server_state() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[SeedUser {
            name: "ops",
            ..SeedUser::default()
        }],
    )
    .await;
    let client = moto.client().await;

    let created = client.create_access_key("ops").await.unwrap();
    assert!(created.key.id.starts_with("AKIA"));
    assert_eq!(created.secret.expose().len(), 40);
    assert!(
        !format!("{created:?}").contains(created.secret.expose()),
        "Debug redacts the secret"
    );
    client.create_access_key("ops").await.unwrap();
    let third = client.create_access_key("ops").await.unwrap_err();
    assert_eq!(third.kind, ErrorKind::LimitExceeded, "{third}");

    client
        .update_access_key("ops", &created.key.id, KeyStatus::Inactive)
        .await
        .unwrap();
    let server = iam
        .list_access_keys()
        .user_name("ops")
        .send()
        .await
        .unwrap();
    let status = server
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(created.key.id.as_str()))
        .and_then(|k| k.status().cloned());
    assert_eq!(status, Some(StatusType::Inactive));
    client
        .update_access_key("ops", &created.key.id, KeyStatus::Active)
        .await
        .unwrap();

    client
        .delete_access_key("ops", &created.key.id)
        .await
        .unwrap();
    let server = iam
        .list_access_keys()
        .user_name("ops")
        .send()
        .await
        .unwrap();
    assert_eq!(server.access_key_metadata().len(), 1);
    let again = client
        .delete_access_key("ops", &created.key.id)
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::NoSuchEntity);
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_network_error() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    drop(moto);
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .credentials_provider(aws_credential_types::Credentials::new(
            "AKID", "s", None, None, "t",
        ))
        .load()
        .await;
    let client = iamkeys::iam::sdk::SdkIam::new(&config);
    let err = client.list_users(None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Network, "{err}");
    assert!(
        err.operator_message("p")
            .contains("Cannot reach the IAM endpoint")
    );
}

#[tokio::test]
async fn groups_and_key_descriptions_come_from_iam() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let seeded = seed(
        &iam,
        &[SeedUser {
            name: "dev",
            keys: vec![true],
            ..SeedUser::default()
        }],
    )
    .await;
    let key_id = seeded[0].1[0].clone();
    iam.create_group()
        .group_name("developers")
        .send()
        .await
        .unwrap();
    iam.add_user_to_group()
        .group_name("developers")
        .user_name("dev")
        .send()
        .await
        .unwrap();
    // The console stores a key's description as a user tag keyed by the key ID.
    iam.tag_user()
        .user_name("dev")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key(&key_id)
                .value("CI deploy")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let client = moto.client().await;
    assert_eq!(client.user_groups("dev").await.unwrap(), ["developers"]);
    assert_eq!(
        client.user_tags("dev").await.unwrap(),
        [(key_id, "CI deploy".to_owned())]
    );
    assert_eq!(client.account_alias().await.unwrap(), None);
    iam.create_account_alias()
        .account_alias("acme-sandbox")
        .send()
        .await
        .unwrap();
    assert_eq!(
        client.account_alias().await.unwrap().as_deref(),
        Some("acme-sandbox")
    );
}

/// Issue 36 item 3: service-specific credentials (the suite's launcher
/// answers them as the IAM API reference documents, serialized from
/// botocore's model), SSH public keys and signing certificates (moto's
/// own), each listed through aws-sdk-iam and read strictly.
#[tokio::test]
async fn other_long_term_credentials_are_listed() {
    use iamkeys::model::credential::{BEDROCK, CredentialKind, CredentialStatus};
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &standard_users()).await;
    let client = moto.client().await;
    let made = |user: &str, service: &str, days: Option<i32>| {
        iam.create_service_specific_credential()
            .user_name(user)
            .service_name(service)
            .set_credential_age_days(days)
            .send()
    };
    let bedrock = made("alice", BEDROCK, None).await.unwrap();
    let bedrock_id = bedrock
        .service_specific_credential()
        .unwrap()
        .service_specific_credential_id()
        .to_owned();
    made("alice", BEDROCK, Some(30)).await.unwrap();
    made("bob", "codecommit.amazonaws.com", None).await.unwrap();
    // IAM's limit: two per user and service.
    let third = made("alice", BEDROCK, None).await.unwrap_err();
    assert!(format!("{third:?}").contains("LimitExceeded"), "{third:?}");

    let all = iamkeys::iam::list_all("iam:ListServiceSpecificCredentials", |m| {
        client.service_credentials(m)
    })
    .await
    .unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    let first = all.iter().find(|c| c.id == bedrock_id).unwrap();
    assert_eq!(first.user, "alice");
    assert_eq!(
        first.kind,
        CredentialKind::Service {
            service: BEDROCK.to_owned()
        }
    );
    assert_eq!(first.status, CredentialStatus::Active);
    assert_eq!(first.expires, None, "no CredentialAgeDays: never expires");
    assert!(first.created.is_some());
    let expiring = all
        .iter()
        .find(|c| c.user == "alice" && c.id != bedrock_id)
        .unwrap();
    let days = (expiring.expires.unwrap() - chrono::Utc::now()).num_days();
    assert!((29..=30).contains(&days), "{days}");
    assert!(all.iter().any(|c| c.user == "bob"
        && c.kind
            == CredentialKind::Service {
                service: "codecommit.amazonaws.com".to_owned()
            }));

    // SSH public keys and signing certificates: moto's own.
    let ssh_id = crate::common::moto::ssh_key(&iam, "carol").await;
    let listed = client
        .user_credentials(Listing::SshKeys, "carol", None)
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].id, ssh_id);
    assert_eq!(listed.items[0].kind, CredentialKind::SshKey);
    assert_eq!(listed.items[0].status, CredentialStatus::Active);
    let certs = client
        .user_credentials(Listing::Certificates, "carol", None)
        .await
        .unwrap();
    assert!(certs.items.is_empty());
    let gone = client
        .user_credentials(Listing::SshKeys, "nobody", None)
        .await
        .unwrap_err();
    assert_eq!(gone.kind, ErrorKind::NoSuchEntity);
}

/// An RSA public key, as `UploadSSHPublicKey` wants one.
pub const SSH_KEY: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDVNStVdP+h4v38K6z9N0nFVf2cCXqVw0iNd4uHw1R2X4k0XkBqFh7E2Gp9Lh0uJ3tq2tK3t8D7U0b8b5Zq5s1fKQ0w2y9YJ9m5y3ZyZ8Vh0eK9e0yQn7G6Q2bF2M3oU1n7vVYl7aFzM6l5c2v8bG5H0mW3G8QpH1t6p8G1n0Y3w9T4dV6N2s3x9M8Kx5bR1dE2fY7hQ6sN1vK3cJ8uB0mW4tX9pA7lZ1qC5rD2eF6gH3iJ4kL8mN0oP1qR2sT3uV4wX5yZ6aB7cD8eF9gH0iJ1kL2mN3oP4qR5sT6uV7wX8yZ9 test@example.com";
