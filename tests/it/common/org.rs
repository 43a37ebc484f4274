//! An AWS Organization in moto: the management account (moto's default,
//! 123456789012) and members made with `CreateAccount`, each with the
//! `OrganizationAccountAccessRole` moto creates. Clients for a member are
//! role sessions in it, as iamkeys makes them.

use super::moto::Moto;

/// One account of the organization.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub name: String,
}

pub struct Org {
    pub management: String,
    pub members: Vec<Member>,
}

impl Org {
    pub fn id(&self, name: &str) -> String {
        self.members
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no member {name}"))
            .id
            .clone()
    }
}

async fn organizations(moto: &Moto) -> aws_sdk_organizations::Client {
    aws_sdk_organizations::Client::new(&moto.sdk_config().await)
}

/// Create the organization with members named `names`.
pub async fn organization(moto: &Moto, names: &[&str]) -> Org {
    let org = organization_without_central_root(moto, names).await;
    // Centralized root access on, as an organization should have it (one
    // without it is issue 36's `root_credentials_not_centralized`).
    enable_central_root(moto).await;
    org
}

/// Turn on centralized root credentials management, from the management
/// account.
pub async fn enable_central_root(moto: &Moto) {
    let iam = moto.iam().await;
    iam.enable_organizations_root_credentials_management()
        .send()
        .await
        .unwrap();
    iam.enable_organizations_root_sessions()
        .send()
        .await
        .unwrap();
}

/// A root access key in `account`, made as its root user would make it:
/// `CreateAccessKey` with no user name, signed by the account itself (the
/// launcher's stand-in for a root sign-in, which no API offers).
pub async fn root_key(moto: &Moto, account: &str) -> String {
    let account = account.to_owned();
    moto.iam()
        .await
        .create_access_key()
        .customize()
        .mutate_request(move |request| {
            request
                .headers_mut()
                .insert("x-moto-account-id", account.clone());
        })
        .send()
        .await
        .unwrap()
        .access_key()
        .unwrap()
        .access_key_id()
        .to_owned()
}

/// Whether `account`'s root user has access keys, read back through the
/// member's role (`GetAccountSummary`).
pub async fn root_keys_present(moto: &Moto, account: &str) -> bool {
    let summary = member_iam(moto, account)
        .await
        .get_account_summary()
        .send()
        .await
        .unwrap();
    summary
        .summary_map()
        .unwrap()
        .get(&aws_sdk_iam::types::SummaryKeyType::AccountAccessKeysPresent)
        .copied()
        .unwrap()
        > 0
}

/// An organization with these members that has not turned on centralized
/// root access.
pub async fn organization_without_central_root(moto: &Moto, names: &[&str]) -> Org {
    let org = organizations(moto).await;
    let made = org
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let management = made
        .organization()
        .unwrap()
        .master_account_id()
        .unwrap()
        .to_owned();
    let mut members = Vec::new();
    for name in names {
        let status = org
            .create_account()
            .email(format!("{name}@example.com"))
            .account_name(*name)
            .send()
            .await
            .unwrap();
        let id = status
            .create_account_status()
            .unwrap()
            .account_id()
            .unwrap()
            .to_owned();
        members.push(Member {
            id,
            name: (*name).to_owned(),
        });
    }
    Org {
        management,
        members,
    }
}

/// Close an account: moto shows it SUSPENDED.
pub async fn close(moto: &Moto, account: &str) {
    organizations(moto)
        .await
        .close_account()
        .account_id(account)
        .send()
        .await
        .unwrap();
}

/// An SDK config signed by a session of the member's
/// `OrganizationAccountAccessRole` (straight to moto, never the proxy).
pub async fn member_config(moto: &Moto, account: &str) -> aws_config::SdkConfig {
    let sts = aws_sdk_sts::Client::new(&moto.sdk_config().await);
    let out = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("test-seed")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(moto.endpoint())
        .credentials_provider(aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "test",
        ))
        .load()
        .await
}

/// A raw IAM client in a member account, for seeding and reading back.
pub async fn member_iam(moto: &Moto, account: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&member_config(moto, account).await)
}
