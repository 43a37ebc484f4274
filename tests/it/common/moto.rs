//! moto's standalone server on a free loopback port, one per test, so tests
//! never share IAM state. The test command (scripts/test.sh) installs moto;
//! `IAMKEYS_TEST_PYTHON` names the interpreter (default `python3`).

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_iam::types::StatusType;

pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Self {
        Self::start_with_account(None)
    }

    pub fn start_with_account(account: Option<&str>) -> Self {
        let env: Vec<(&str, &str)> = account
            .map(|a| ("MOTO_ACCOUNT_ID", a))
            .into_iter()
            .collect();
        Self::start_with_env(&env)
    }

    /// moto with these environment variables (e.g. `MOTO_IAM_LOAD_MANAGED_POLICIES`).
    pub fn start_with_env(env: &[(&str, &str)]) -> Self {
        let python = std::env::var("IAMKEYS_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        for _ in 0..5 {
            let port = free_port();
            let mut command = Command::new(&python);
            command
                .args([
                    // moto's server with IAM's documented `GeneratedTime`.
                    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/moto_server.py"),
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            command.envs(env.iter().copied());
            let mut child = command.spawn().unwrap_or_else(|e| {
                panic!(
                    "cannot start moto with {python} (run scripts/test.sh, which installs it): {e}"
                )
            });
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("moto exited at start-up ({status}); is moto[server] installed?");
                }
                let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
                if TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
                    return Self { child, port };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("moto did not start on loopback after five tries");
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        sdk_config_at(self.endpoint(), "AKIDTESTTESTTESTTEST", "test-secret").await
    }

    /// A raw IAM client, for seeding and for reading server state back.
    pub async fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.sdk_config().await)
    }

    /// iamkeys' own client.
    pub async fn client(&self) -> iamkeys::iam::sdk::SdkIam {
        iamkeys::iam::sdk::SdkIam::new(&self.sdk_config().await)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An SDK config for `endpoint` signed with these static keys.
pub async fn sdk_config_at(
    endpoint: impl Into<String>,
    key_id: &str,
    secret: &str,
) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint.into())
        .credentials_provider(Credentials::new(key_id, secret, None, None, "test"))
        .load()
        .await
}

/// An SDK config for `endpoint` with iamkeys' own retry and timeout policy
/// (standard retries, `max_attempts` attempts, `attempt_timeout` each).
pub async fn policy_config_at(
    endpoint: impl Into<String>,
    max_attempts: u32,
    attempt_timeout: Duration,
) -> aws_config::SdkConfig {
    let mut options = iamkeys::connect::ConnectOptions::new(None, None);
    options.max_attempts = max_attempts;
    options.attempt_timeout = attempt_timeout;
    let loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint.into())
        .credentials_provider(Credentials::new("AKIDTEST", "s", None, None, "test"));
    iamkeys::connect::with_policy(loader, &options).load().await
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A user without MFA: `keys` holds `true` for each Active key, `false`
/// for each Inactive one.
pub fn user(name: &'static str, password: bool, keys: Vec<bool>) -> SeedUser {
    SeedUser {
        name,
        password,
        mfa: false,
        keys,
    }
}

/// What to create for one seeded user.
#[derive(Debug, Clone, Default)]
pub struct SeedUser {
    pub name: &'static str,
    pub password: bool,
    pub mfa: bool,
    /// One entry per key: `true` for Active, `false` for Inactive.
    pub keys: Vec<bool>,
}

/// Create the users and return each created key's ID, per user, in order.
pub async fn seed(iam: &aws_sdk_iam::Client, users: &[SeedUser]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for spec in users {
        iam.create_user().user_name(spec.name).send().await.unwrap();
        if spec.password {
            iam.create_login_profile()
                .user_name(spec.name)
                .password("Correct-Horse-1!")
                .send()
                .await
                .unwrap();
        }
        if spec.mfa {
            let device = iam
                .create_virtual_mfa_device()
                .virtual_mfa_device_name(format!("{}-mfa", spec.name))
                .send()
                .await
                .unwrap();
            let serial = device
                .virtual_mfa_device()
                .unwrap()
                .serial_number()
                .to_owned();
            iam.enable_mfa_device()
                .user_name(spec.name)
                .serial_number(serial)
                .authentication_code1("123456")
                .authentication_code2("654321")
                .send()
                .await
                .unwrap();
        }
        let mut ids = Vec::new();
        for &active in &spec.keys {
            let key = iam
                .create_access_key()
                .user_name(spec.name)
                .send()
                .await
                .unwrap();
            let id = key.access_key().unwrap().access_key_id().to_owned();
            if !active {
                iam.update_access_key()
                    .user_name(spec.name)
                    .access_key_id(&id)
                    .status(StatusType::Inactive)
                    .send()
                    .await
                    .unwrap();
            }
            ids.push(id);
        }
        out.push((spec.name.to_owned(), ids));
    }
    out
}

/// The ID of `user`'s `index`-th key as [`seed`] returned them.
pub fn seeded_key(keys: &[(String, Vec<String>)], user: &str, index: usize) -> String {
    keys.iter().find(|(u, _)| u == user).unwrap().1[index].clone()
}

/// A user's keys as the server has them now: (ID, status), sorted by ID.
pub async fn server_keys(iam: &aws_sdk_iam::Client, user: &str) -> Vec<(String, StatusType)> {
    let out = iam.list_access_keys().user_name(user).send().await.unwrap();
    let mut keys: Vec<_> = out
        .access_key_metadata()
        .iter()
        .map(|k| {
            (
                k.access_key_id().unwrap().to_owned(),
                k.status().unwrap().clone(),
            )
        })
        .collect();
    keys.sort();
    keys
}

/// The standard small account: every key situation the UI distinguishes.
pub fn standard_users() -> Vec<SeedUser> {
    vec![
        SeedUser {
            name: "alice",
            password: true,
            mfa: true,
            keys: vec![true],
        },
        SeedUser {
            name: "bob",
            password: true,
            mfa: false,
            keys: vec![],
        },
        SeedUser {
            name: "carol",
            password: false,
            mfa: false,
            keys: vec![true, true],
        },
        SeedUser {
            name: "dave",
            password: false,
            mfa: false,
            keys: vec![false, true],
        },
        SeedUser {
            name: "erin",
            password: true,
            mfa: false,
            keys: vec![false],
        },
    ]
}

/// The standard account and four more users (passwords on every other one,
/// 0–2 active keys): enough requests for faults to land on every call kind.
pub fn more_users() -> Vec<SeedUser> {
    let mut users = standard_users();
    let names: &[&'static str] = &["u01", "u02", "u03", "u04"];
    for (i, name) in names.iter().enumerate() {
        users.push(SeedUser {
            name,
            password: i % 2 == 0,
            mfa: false,
            keys: vec![true; i % 3],
        });
    }
    users
}

/// Make an access key for `user`: (ID, secret, creation time in epoch seconds).
pub async fn new_key(iam: &aws_sdk_iam::Client, user: &str) -> (String, String, i64) {
    let out = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .unwrap();
    let key = out.access_key().unwrap();
    (
        key.access_key_id().to_owned(),
        key.secret_access_key().to_owned(),
        key.create_date().unwrap().secs(),
    )
}

/// Sign one request (`ListUsers`) with this key, as a workload would: IAM
/// (moto) then records the key's last use.
pub async fn use_key(endpoint: String, key_id: &str, secret: &str) {
    let config = sdk_config_at(endpoint, key_id, secret).await;
    aws_sdk_iam::Client::new(&config)
        .list_users()
        .send()
        .await
        .unwrap();
}

/// A service-specific credential made for `user` (expiring after `days`,
/// for a Bedrock API key, when given); its ID.
pub async fn service_credential(
    iam: &aws_sdk_iam::Client,
    user: &str,
    service: &str,
    days: Option<i32>,
) -> String {
    iam.create_service_specific_credential()
        .user_name(user)
        .service_name(service)
        .set_credential_age_days(days)
        .send()
        .await
        .unwrap()
        .service_specific_credential()
        .unwrap()
        .service_specific_credential_id()
        .to_owned()
}

/// An SSH public key uploaded for `user`; its ID.
pub async fn ssh_key(iam: &aws_sdk_iam::Client, user: &str) -> String {
    iam.upload_ssh_public_key()
        .user_name(user)
        .ssh_public_key_body(crate::moto_client::SSH_KEY)
        .send()
        .await
        .unwrap()
        .ssh_public_key()
        .unwrap()
        .ssh_public_key_id()
        .to_owned()
}
