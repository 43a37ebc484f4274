//! The `--demo` account: a few dozen users covering every key situation the
//! audit distinguishes, so iamkeys can be tried without an AWS account.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::memory::{MemoryIam, MemoryUser};
use crate::model::{AccessKey, KeyStatus, LastUsed, ROOT_ROW, ReportKeySlot, ReportRow, User};

/// The demo's account ID.
pub const DEMO_ACCOUNT: &str = "123456789012";

const TEAMS: [&str; 9] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
];
const SERVICES: [&str; 4] = ["s3", "ec2", "sts", "lambda"];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

fn days(n: i64) -> TimeDelta {
    TimeDelta::days(n)
}

/// The kinds of user the demo seeds, one per row.
#[derive(Clone, Copy)]
enum Situation {
    /// Console user whose key, made with the user, was never used (CIS 1.11).
    InitialSetupKey,
    /// Console user with an old key in daily use.
    ConsoleOldKey,
    /// Service user with two active keys.
    TwoActive,
    /// Service user with one inactive and one active key.
    Rotating,
    /// Console user without keys.
    NoKeys,
    /// Service user whose key has not been used for months.
    Unused,
}

const SITUATIONS: [Situation; 6] = [
    Situation::InitialSetupKey,
    Situation::ConsoleOldKey,
    Situation::TwoActive,
    Situation::Rotating,
    Situation::NoKeys,
    Situation::Unused,
];

fn key_id(n: usize) -> String {
    format!("AKIADEMO{n:012}")
}

fn used(now: DateTime<Utc>, ago: i64, n: usize) -> LastUsed {
    LastUsed {
        date: Some(now - days(ago)),
        service: Some(SERVICES[n % SERVICES.len()].to_owned()),
        region: Some(REGIONS[n % REGIONS.len()].to_owned()),
    }
}

/// The demo's users, as [`account`] seeds them (the demo's ledger is made
/// from them too: [`crate::ledger::demo`]).
pub const USERS: usize = 36;

/// The `n`th demo user as of `now`.
#[must_use]
pub fn seed_user(n: usize, now: DateTime<Utc>) -> MemoryUser {
    let situation = SITUATIONS[n % SITUATIONS.len()];
    let base = TEAMS[n % TEAMS.len()];
    let name = match situation {
        Situation::TwoActive | Situation::Rotating | Situation::Unused => {
            format!("svc-{base}-{n:02}")
        }
        _ => format!("{base}.{n:02}"),
    };
    let age = 20 + i64::try_from(n).unwrap_or(0) * 9;
    let created = now - days(age);
    let key = |i: usize, status: KeyStatus, at: DateTime<Utc>| AccessKey {
        id: key_id(n * 2 + i),
        user_name: name.clone(),
        status,
        created: Some(at),
    };
    let (password, keys) = match situation {
        Situation::InitialSetupKey => (
            true,
            vec![(
                key(0, KeyStatus::Active, created + TimeDelta::minutes(2)),
                LastUsed::default(),
            )],
        ),
        Situation::ConsoleOldKey => (
            true,
            vec![(
                key(0, KeyStatus::Active, created + days(1)),
                used(now, 1, n),
            )],
        ),
        Situation::TwoActive => (
            false,
            vec![
                (
                    key(0, KeyStatus::Active, created + days(3)),
                    used(now, 2, n),
                ),
                (
                    key(1, KeyStatus::Active, now - days(10)),
                    used(now, 0, n + 1),
                ),
            ],
        ),
        Situation::Rotating => (
            false,
            vec![
                (
                    key(0, KeyStatus::Inactive, created + days(1)),
                    used(now, 30, n),
                ),
                (key(1, KeyStatus::Active, now - days(5)), used(now, 0, n)),
            ],
        ),
        Situation::NoKeys => (true, Vec::new()),
        Situation::Unused => (
            false,
            vec![(
                key(0, KeyStatus::Active, created + days(1)),
                used(now, 70, n),
            )],
        ),
    };
    let (attached, inline) = demo_policies(n);
    MemoryUser {
        attached,
        inline,
        user: User {
            arn: format!("arn:aws:iam::{DEMO_ACCOUNT}:user/{name}"),
            name,
            created,
            // Every other console-only user has not signed in for 60 days
            // (`unused_password`).
            password_last_used: password.then(|| {
                if matches!(situation, Situation::NoKeys) && n % 12 == 10 {
                    now - days(60)
                } else {
                    now - days(1)
                }
            }),
        },
        password,
        password_set: password.then_some(created),
        mfa: password && !n.is_multiple_of(4),
        tags: demo_tags(n, &keys),
        keys,
        groups: vec![if password { "developers" } else { "services" }.to_owned()],
    }
}

/// What the demo's users may do, beside their group's (`developers` read
/// everything): alice's users are administrators, dave's write IAM,
/// ivan's can escalate through Lambda, and heidi.07's key was found exposed
/// (AWS attached its quarantine policy).
fn demo_policies(n: usize) -> (Vec<String>, Vec<(String, String)>) {
    let mut attached = Vec::new();
    let mut inline = Vec::new();
    match TEAMS[n % TEAMS.len()] {
        "alice" => attached.push("AdministratorAccess".to_owned()),
        "dave" => attached.push("IAMFullAccess".to_owned()),
        "ivan" => inline.push((
            "deploy".to_owned(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction","iam:PassRole"],"Resource":"*"}]}"#
                .to_owned(),
        )),
        _ => inline.push((
            "own-bucket".to_owned(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::demo-bucket/*"}]}"#
                .to_owned(),
        )),
    }
    if n == 7 {
        attached.push("AWSCompromisedKeyQuarantineV2".to_owned());
    }
    (attached, inline)
}

/// The demo user's tags: a key description the console keeps (what iamkeys
/// decided about the demo's keys is in the demo's own ledger:
/// [`crate::ledger::demo`]).
fn demo_tags(n: usize, keys: &[(AccessKey, LastUsed)]) -> Vec<(String, String)> {
    // The console keeps a key's description as a tag keyed by its ID.
    keys.iter()
        .take(1)
        .filter(|_| n.is_multiple_of(3))
        .map(|(k, _)| {
            (
                k.id.clone(),
                format!("{} deploy pipeline", TEAMS[n % TEAMS.len()]),
            )
        })
        .collect()
}

/// Build the demo account as of `now`. `latency` slows every call so the
/// streaming load can be watched.
#[must_use]
pub fn account(now: DateTime<Utc>, latency: Duration) -> MemoryIam {
    let iam = MemoryIam::new(DEMO_ACCOUNT)
        .with_page_size(20)
        .with_latency(latency);
    for n in 0..USERS {
        iam.add_user(seed_user(n, now));
    }
    iam.set_alias("example-demo");
    add_trail(&iam, now);
    add_credentials(&iam, now);
    // The root user still has an old access key: CIS 1.4.
    iam.set_root(ReportRow {
        user: ROOT_ROW.to_owned(),
        arn: format!("arn:aws:iam::{DEMO_ACCOUNT}:root"),
        user_created: Some(now - days(2000)),
        password_enabled: false,
        password_last_used: Some(now - days(40)),
        password_last_changed: None,
        mfa_active: true,
        certificates: None,
        keys: [
            ReportKeySlot {
                active: true,
                last_rotated: Some(now - days(1500)),
                last_used: used(now, 200, 0),
            },
            ReportKeySlot::default(),
        ],
    });
    iam
}

/// The demo's other long-term credentials: a Bedrock API key that never
/// expires and one that does, an old `CodeCommit` credential, an old SSH
/// public key, an inactive certificate. (No `BedrockAPIKey-*` user: its
/// name would sort before every other; the CLI tests cover that finding.)
fn add_credentials(iam: &MemoryIam, now: DateTime<Utc>) {
    use crate::model::credential::{BEDROCK, Credential, CredentialKind, CredentialStatus};
    let credential = |user: String, kind: CredentialKind, n: usize, made: i64| Credential {
        user,
        kind,
        id: format!("ACCADEMO{n:013}"),
        status: CredentialStatus::Active,
        created: Some(now - days(made)),
        expires: None,
        alias: None,
    };
    let bedrock = || CredentialKind::Service {
        service: BEDROCK.to_owned(),
    };
    let user = |n: usize| seed_user(n, now).user.name;
    iam.add_credential(Credential {
        expires: Some(now + days(25)),
        alias: Some(format!("{}-at-{DEMO_ACCOUNT}", user(4))),
        ..credential(user(4), bedrock(), 1, 30)
    });
    iam.add_credential(credential(user(4), bedrock(), 2, 12));
    iam.add_credential(credential(
        user(11),
        CredentialKind::Service {
            service: "codecommit.amazonaws.com".to_owned(),
        },
        3,
        200,
    ));
    iam.add_credential(Credential {
        id: "APKADEMO0000000000001".to_owned(),
        ..credential(user(6), CredentialKind::SshKey, 4, 300)
    });
    iam.add_credential(Credential {
        id: "DEMOCERT000000000000000001".to_owned(),
        status: CredentialStatus::Inactive,
        ..credential(user(6), CredentialKind::SigningCertificate, 5, 400)
    });
}

/// CloudTrail's history for `u` in the demo: svc-ivan-08's older key, used
/// by a deploy pipeline and a laptop, and alice.00's key, made for her by
/// an administrator.
fn add_trail(iam: &MemoryIam, now: DateTime<Utc>) {
    let old = key_id(16);
    let sources = [
        (
            "203.0.113.10",
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io)",
            "ec2.amazonaws.com",
            "DescribeInstances",
        ),
        (
            "10.0.4.7",
            "aws-cli/2.15.3 Python/3.11.6 Linux/6.1",
            "s3.amazonaws.com",
            "ListBuckets",
        ),
        (
            "10.0.4.7",
            "aws-cli/2.15.3 Python/3.11.6 Linux/6.1",
            "sts.amazonaws.com",
            "GetCallerIdentity",
        ),
        (
            "198.51.100.23",
            "Boto3/1.34.2 md/Botocore#1.34.2",
            "ssm.amazonaws.com",
            "GetParameter",
        ),
    ];
    for i in 0..40_usize {
        let (ip, agent, source, name) = sources[i % sources.len()];
        let hours = i64::try_from(i * 7).unwrap_or(0);
        let time = now - TimeDelta::hours(hours + 3);
        let json = format!(
            r#"{{"sourceIPAddress": "{ip}", "userAgent": "{agent}", "awsRegion": "us-east-1", "readOnly": true, "userIdentity": {{"arn": "arn:aws:iam::{DEMO_ACCOUNT}:user/svc-ivan-08"}}}}"#
        );
        iam.add_trail_event(
            "us-east-1",
            crate::model::trail::TrailEvent::parse(
                &format!("{old}-{i:04}"),
                Some(time),
                name,
                source,
                Some(&json),
            ),
        );
    }
    let alice = key_id(0);
    let json = format!(
        r#"{{"sourceIPAddress": "192.0.2.44", "userAgent": "Mozilla/5.0", "readOnly": false, "userIdentity": {{"arn": "arn:aws:iam::{DEMO_ACCOUNT}:user/iamkeys-admin"}}, "responseElements": {{"accessKey": {{"accessKeyId": "{alice}", "userName": "alice.00"}}}}}}"#
    );
    iam.add_trail_event(
        "us-east-1",
        crate::model::trail::TrailEvent::parse(
            "demo-create-alice",
            // When her key was made: with her user (20 days ago), two
            // minutes after it (the initial-setup case).
            Some(now - days(20) + TimeDelta::minutes(2)),
            "CreateAccessKey",
            "iam.amazonaws.com",
            Some(&json),
        ),
    );
    add_leak(iam, now);
}

/// What heidi.07's exposed key did once it leaked: a look around, then a
/// new user with a key and administrator rights, and instances.
fn add_leak(iam: &MemoryIam, now: DateTime<Utc>) {
    let leaked = key_id(14);
    let calls = [
        ("sts.amazonaws.com", "GetCallerIdentity", true, 30),
        ("iam.amazonaws.com", "ListUsers", true, 29),
        ("iam.amazonaws.com", "CreateUser", false, 28),
        ("iam.amazonaws.com", "CreateAccessKey", false, 27),
        ("iam.amazonaws.com", "AttachUserPolicy", false, 26),
        ("ec2.amazonaws.com", "RunInstances", false, 20),
        ("s3.amazonaws.com", "PutBucketPolicy", false, 12),
    ];
    for (i, (source, name, read_only, hours)) in calls.into_iter().enumerate() {
        let json = format!(
            r#"{{"sourceIPAddress": "185.220.101.4", "userAgent": "python-requests/2.31.0", "awsRegion": "us-east-1", "readOnly": {read_only}, "userIdentity": {{"arn": "arn:aws:iam::{DEMO_ACCOUNT}:user/heidi.07"}}}}"#
        );
        iam.add_trail_event(
            "us-east-1",
            crate::model::trail::TrailEvent::parse(
                &format!("{leaked}-leak-{i}"),
                Some(now - TimeDelta::hours(hours)),
                name,
                source,
                Some(&json),
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::IamClient;

    /// Issue 38 item 2: "made by" is dated the day the key was made.
    #[tokio::test]
    async fn alices_key_was_made_when_the_trail_says() {
        use crate::model::trail::Lookup;
        let now = Utc::now();
        let iam = account(now, Duration::ZERO);
        let keys = iam.list_access_keys("alice.00", None).await.unwrap().items;
        let made = iam
            .lookup_events("us-east-1", &Lookup::Resource(keys[0].id.clone()), None)
            .await
            .unwrap();
        assert_eq!(made.items.len(), 1);
        assert_eq!(made.items[0].time, keys[0].created);
    }

    #[tokio::test]
    async fn demo_has_every_situation() {
        let iam = account(Utc::now(), Duration::ZERO);
        let report = {
            iam.generate_credential_report().await.unwrap();
            iam.get_credential_report().await.unwrap()
        };
        assert_eq!(report.rows.len(), 37);
        assert!(
            report.root().is_some_and(|r| r.keys[0].active),
            "a root key for CIS 1.4"
        );
        let console_never_used = report
            .rows
            .iter()
            .any(|r| r.password_enabled && r.keys[0].active && r.keys[0].last_used.date.is_none());
        let two_active = report
            .rows
            .iter()
            .any(|r| r.keys[0].active && r.keys[1].active);
        let inactive = report
            .rows
            .iter()
            .any(|r| r.keys.iter().any(|k| k.present() && !k.active));
        let no_keys = report
            .rows
            .iter()
            .any(|r| r.keys.iter().all(|k| !k.present()));
        assert!(console_never_used && two_active && inactive && no_keys);
    }
}
