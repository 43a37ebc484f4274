//! Issue 27: a rotated key handed off through the real SDK against moto —
//! into a JSON secret (its other fields kept), into an SSM `SecureString`,
//! and refused for a secret that is not a JSON object (left as it was).
//! Issue 33 item 12: the write goes to the region the target's ARN pins,
//! not the operator's, and a bare name is never written.

use iamkeys::handoff::Target;
use iamkeys::handoff::write::Writer as _;
use iamkeys::iam::sdk::SdkIam;
use iamkeys::secret::Secret;

use crate::common::moto::Moto;

#[tokio::test(flavor = "multi_thread")]
async fn the_new_key_is_written_where_the_workload_reads_it() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let sm = aws_sdk_secretsmanager::Client::new(&config);
    let app = sm
        .create_secret()
        .name("prod/app")
        .secret_string(r#"{"AccessKeyId":"AKIAOLD","SecretAccessKey":"old","region":"eu-west-1"}"#)
        .send()
        .await
        .unwrap();
    let plain = sm
        .create_secret()
        .name("plain")
        .secret_string("not json")
        .send()
        .await
        .unwrap();
    let client = SdkIam::new(&config);
    let secret = Secret::new("NEWSECRETNEWSECRETNEWSECRETNEWSECRET0001");
    let target = Target::parse_arn(app.arn().unwrap()).unwrap();
    client
        .hand_off(&target, "AKIANEWKEY0000000001", &secret)
        .await
        .unwrap();
    let value = sm
        .get_secret_value()
        .secret_id("prod/app")
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(value.secret_string().unwrap()).unwrap();
    assert_eq!(json["AccessKeyId"], "AKIANEWKEY0000000001");
    assert_eq!(json["SecretAccessKey"], secret.expose());
    assert_eq!(json["region"], "eu-west-1", "the other fields are kept");

    // SSM: a SecureString of the pair, overwritten — in the region the
    // ARN pins (eu-west-1), not the operator's (us-east-1).
    let home = aws_sdk_ssm::Client::new(&config);
    home.put_parameter()
        .name("/app/key")
        .value("home")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let ssm = aws_sdk_ssm::Client::new(
        &config
            .to_builder()
            .region(aws_config::Region::new("eu-west-1"))
            .build(),
    );
    ssm.put_parameter()
        .name("/app/key")
        .value("old")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    client
        .hand_off(
            &Target::parse_arn("arn:aws:ssm:eu-west-1:123456789012:parameter/app/key").unwrap(),
            "AKIANEWKEY0000000001",
            &secret,
        )
        .await
        .unwrap();
    let untouched = home
        .get_parameter()
        .name("/app/key")
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        untouched.parameter().unwrap().value(),
        Some("home"),
        "the operator's region is not written"
    );
    let parameter = ssm
        .get_parameter()
        .name("/app/key")
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    let parameter = parameter.parameter().unwrap();
    assert_eq!(
        parameter.r#type(),
        Some(&aws_sdk_ssm::types::ParameterType::SecureString)
    );
    let json: serde_json::Value = serde_json::from_str(parameter.value().unwrap()).unwrap();
    assert_eq!(json["AccessKeyId"], "AKIANEWKEY0000000001");

    // A secret that is not a JSON object is refused and left as it was.
    let err = client
        .hand_off(
            &Target::parse_arn(plain.arn().unwrap()).unwrap(),
            "AKIANEWKEY0000000001",
            &secret,
        )
        .await
        .unwrap_err();
    assert_eq!(err.action, "secretsmanager:PutSecretValue");
    assert!(
        !format!("{err:?}").contains(secret.expose()),
        "never in an error"
    );
    let plain = sm
        .get_secret_value()
        .secret_id("plain")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.secret_string(), Some("not json"));

    // A secret that is not there: Secrets Manager's own words, one line.
    let gone = format!("{}-gone", plain.arn().unwrap().rsplit_once('-').unwrap().0);
    let err = client
        .hand_off(
            &Target::parse_arn(&gone).unwrap(),
            "AKIANEWKEY0000000001",
            &secret,
        )
        .await
        .unwrap_err();
    let said = err.to_string();
    assert!(said.contains("ResourceNotFoundException"), "{said}");
    crate::common::assert_no_debug_dump(&said);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bare_name_is_never_written() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ssm = aws_sdk_ssm::Client::new(&config);
    ssm.put_parameter()
        .name("/app/key")
        .value("old")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .unwrap();
    let client = SdkIam::new(&config);
    let secret = Secret::new("NEWSECRETNEWSECRETNEWSECRETNEWSECRET0001");
    let err = client
        .hand_off(
            &Target::parse("ssm:/app/key").unwrap(),
            "AKIANEWKEY0000000001",
            &secret,
        )
        .await
        .unwrap_err();
    assert_eq!(err.action, "ssm:PutParameter");
    assert!(err.detail.contains("not a full ARN"), "{}", err.detail);
    let kept = ssm
        .get_parameter()
        .name("/app/key")
        .with_decryption(true)
        .send()
        .await
        .unwrap();
    assert_eq!(kept.parameter().unwrap().value(), Some("old"));
}

/// Issue 33 item 12 at the worker: an `attempt` line before the write and
/// its outcome after, both naming the full ARN; an SSM parameter of
/// another account refused (`PutParameter` takes a name: it would land in
/// the caller's account) with a `refused` line and no attempt; an audit
/// log that cannot be written stops the hand-off.
#[tokio::test]
async fn the_hand_off_is_in_the_audit_log() {
    use std::sync::Arc;
    use std::time::Duration;

    use iamkeys::action::Action;
    use iamkeys::audit_log::AuditLog;
    use iamkeys::effect::{Actor, Effect};
    use iamkeys::iam::memory::MemoryIam;
    use iamkeys::worker::{Settings, Worker};

    async fn handed_off(
        audit: &std::path::Path,
        arn: &str,
    ) -> (Result<String, String>, Vec<serde_json::Value>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let settings = Settings {
            audit: Some(AuditLog::new(audit.to_path_buf())),
            ..Settings::default()
        };
        let worker = Worker::new(Arc::new(MemoryIam::new("111111111111")), tx, &settings);
        assert!(
            worker
                .run_effect(Effect::HandOff {
                    target: Target::parse_arn(arn).unwrap(),
                    user: "svc".into(),
                    key_id: "AKIANEWKEY0000000001".into(),
                    secret: Secret::new("NEWSECRETNEWSECRETNEWSECRETNEWSECRET0001"),
                    actor: Actor {
                        profile: "prod".into(),
                        account_id: Some("111111111111".into()),
                        caller_arn: None,
                    },
                })
                .is_none()
        );
        let result = loop {
            if let Action::HandedOff { key_id, result } =
                tokio::time::timeout(Duration::from_secs(5), rx.recv())
                    .await
                    .unwrap()
                    .unwrap()
            {
                assert_eq!(key_id, "AKIANEWKEY0000000001");
                break result;
            }
        };
        let text = std::fs::read_to_string(audit).unwrap_or_default();
        assert!(!text.contains("NEWSECRETNEWSECRET"), "never the secret");
        let lines = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (result, lines)
    }

    let dir = tempfile::tempdir().unwrap();
    // Same account: attempt, then the outcome (this client has nowhere
    // to write, so it is an error).
    let arn = "arn:aws:ssm:eu-west-1:111111111111:parameter/app/key";
    let (result, lines) = handed_off(&dir.path().join("a.jsonl"), arn).await;
    assert!(result.is_err());
    let outcomes: Vec<&str> = lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["attempt", "error"]);
    for line in &lines {
        assert_eq!(line["action"], "ssm:PutParameter");
        assert_eq!(line["target"], arn);
        assert_eq!(line["access_key_id"], "AKIANEWKEY0000000001");
        assert_eq!(line["user"], "svc");
        assert_eq!(line["profile"], "prod");
    }

    // Another account's SSM parameter: refused, never attempted.
    let other = "arn:aws:ssm:eu-west-1:999999999999:parameter/app/key";
    let (result, lines) = handed_off(&dir.path().join("b.jsonl"), other).await;
    let why = result.unwrap_err();
    assert!(why.contains("another account"), "{why}");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "refused");
    assert_eq!(lines[0]["target"], other);

    // An audit log that cannot be written: nothing is handed off.
    let blocked = dir.path().join("file");
    std::fs::write(&blocked, "").unwrap();
    let (result, _) = handed_off(&blocked.join("audit.jsonl"), arn).await;
    let why = result.unwrap_err();
    assert!(why.contains("cannot be written"), "{why}");
}
