//! Issue 21 §1: credential-report slots are matched to listed keys by
//! creation time, to the second. Two keys made in the same second must never
//! swap their last use: a match is used only when it is one-to-one, and an
//! ambiguous key's last use is asked of IAM.
//!
//! A property test against a model that knows every key's true last use:
//! random creation seconds with collisions (same second, both slots, slot 2
//! only, a key deleted since the report), a fresh or a cached report.

use chrono::{DateTime, TimeDelta, Utc};
use iamkeys::action::Loaded;
use iamkeys::audit::FindingId;
use iamkeys::effect::{Call, Effect};
use iamkeys::model::{
    AccessKey, CredentialReport, Identity, KeyStatus, LastUsed, Page, ReportKeySlot, ReportRow,
};
use iamkeys::update::update;
use proptest::prelude::*;

use crate::common::states::{iam_user, loaded, loading, now};

/// One key as it truly is.
#[derive(Debug, Clone)]
struct TrueKey {
    id: String,
    /// Seconds after the base time (few values, so collisions are common).
    second: i64,
    /// Milliseconds within the second (IAM's `CreateDate` has them; the
    /// report's `last_rotated` does not).
    millis: u32,
    used: Option<i64>,
    /// Deleted after the report was made (in the report, not listed).
    deleted: bool,
}

#[derive(Debug, Clone)]
struct Case {
    keys: Vec<TrueKey>,
    /// The report's slot order: key `slots[0]` in slot 1, and so on; `None`
    /// leaves a slot empty (N/A).
    slots: [Option<usize>; 2],
    fresh: bool,
}

fn base() -> DateTime<Utc> {
    now() - TimeDelta::days(10)
}

fn at(second: i64, millis: u32) -> DateTime<Utc> {
    base() + TimeDelta::seconds(second) + TimeDelta::milliseconds(i64::from(millis))
}

fn used_at(day: i64) -> LastUsed {
    LastUsed {
        date: Some(now() - TimeDelta::days(day)),
        service: Some("s3".into()),
        region: Some("us-east-1".into()),
    }
}

fn truth(key: &TrueKey) -> Option<DateTime<Utc>> {
    key.used.map(|d| now() - TimeDelta::days(d))
}

fn case() -> impl Strategy<Value = Case> {
    let key = (
        0..2i64,
        0..1000u32,
        prop::option::of(1..5i64),
        any::<bool>(),
    );
    (
        prop::collection::vec(key, 1..=2),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(keys, swap, empty_first, fresh)| {
            let n = keys.len();
            let keys: Vec<TrueKey> = keys
                .into_iter()
                .enumerate()
                .map(|(i, (second, millis, used, deleted))| TrueKey {
                    id: format!("AKIAKEY{i}00000000000"),
                    second,
                    millis,
                    used,
                    // At most one key deleted, and never all of them.
                    deleted: deleted && n == 2 && i == 0,
                })
                .collect();
            let slots = match (n, swap, empty_first) {
                (1, _, true) => [None, Some(0)],
                (1, _, false) => [Some(0), None],
                (_, false, _) => [Some(0), Some(1)],
                (_, true, _) => [Some(1), Some(0)],
            };
            Case { keys, slots, fresh }
        })
}

fn report(case: &Case) -> CredentialReport {
    let slot = |i: Option<usize>| match i {
        None => ReportKeySlot::default(),
        Some(i) => {
            let key = &case.keys[i];
            ReportKeySlot {
                active: true,
                // The report has whole seconds.
                last_rotated: Some(at(key.second, 0)),
                last_used: key.used.map(used_at).unwrap_or_default(),
            }
        }
    };
    CredentialReport {
        generated_at: now() - TimeDelta::minutes(5),
        rows: vec![ReportRow {
            user: "u".into(),
            arn: iam_user("u").arn,
            user_created: Some(iam_user("u").created),
            password_enabled: true,
            password_last_used: None,
            password_last_changed: None,
            mfa_active: false,
            keys: [slot(case.slots[0]), slot(case.slots[1])],
            certificates: None,
        }],
        rejected: Vec::new(),
        fresh: case.fresh,
        odd_date: false,
    }
}

fn last_used_calls(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Iam {
                call: Call::LastUsed { key_id, .. },
                ..
            } => Some(key_id.clone()),
            _ => None,
        })
        .collect()
}

/// Load the case through `update`, answering every `GetAccessKeyLastUsed`
/// with the truth; then check what the account believes.
fn check(case: &Case) -> Result<(), TestCaseError> {
    let mut state = loading();
    let identity = Identity {
        account_id: "123456789012".into(),
        arn: "arn:aws:iam::123456789012:user/admin".into(),
        ..Identity::default()
    };
    let action = loaded(&state, Loaded::Identity(Ok(identity)));
    update(&mut state, action);
    let action = loaded(
        &state,
        Loaded::UsersPage(Ok(Page {
            items: vec![iam_user("u")],
            next_marker: None,
        })),
    );
    update(&mut state, action);
    let action = loaded(&state, Loaded::CredentialReport(Ok(report(case))));
    update(&mut state, action);
    let listed: Vec<AccessKey> = case
        .keys
        .iter()
        .filter(|k| !k.deleted)
        .map(|k| AccessKey {
            id: k.id.clone(),
            user_name: "u".into(),
            status: KeyStatus::Active,
            created: Some(at(k.second, k.millis)),
        })
        .collect();
    let action = loaded(
        &state,
        Loaded::Keys {
            user: "u".into(),
            result: Ok(listed),
        },
    );
    let asked = last_used_calls(&update(&mut state, action));
    for key_id in asked {
        let key = case.keys.iter().find(|k| k.id == key_id).unwrap();
        let action = loaded(
            &state,
            Loaded::LastUsed {
                user: "u".into(),
                key_id,
                result: Ok(key.used.map(used_at).unwrap_or_default()),
            },
        );
        update(&mut state, action);
    }
    let row = state.account.users().get("u").unwrap();
    for key in case.keys.iter().filter(|k| !k.deleted) {
        let listed = row
            .listed_keys()
            .unwrap()
            .iter()
            .find(|k| k.id == key.id)
            .unwrap();
        let believed = row.key_last_used(listed).and_then(|u| u.date);
        prop_assert_eq!(believed, truth(key), "last use of {}", key.id);
        let flagged = row.findings.iter().any(|f| {
            f.id == FindingId::InitialSetupKey && f.access_key_id.as_deref() == Some(&key.id)
        });
        prop_assert_eq!(
            flagged,
            key.used.is_none(),
            "initial_setup_key on {}",
            key.id
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn slots_never_lend_a_key_another_keys_last_use(case in case()) {
        check(&case)?;
    }
}

/// The case that broke it, spelled out: two keys made in the same second, one
/// used yesterday and one never.
#[test]
fn two_keys_of_one_second_each_keep_their_own_last_use() {
    let case = Case {
        keys: vec![
            TrueKey {
                id: "AKIAUSED000000000000".into(),
                second: 0,
                millis: 100,
                used: Some(1),
                deleted: false,
            },
            TrueKey {
                id: "AKIANEVER00000000000".into(),
                second: 0,
                millis: 600,
                used: None,
                deleted: false,
            },
        ],
        slots: [Some(0), Some(1)],
        fresh: true,
    };
    check(&case).unwrap();
}

/// Against moto through the real binary: two keys of one user made back to
/// back in the same second (made again until they are), one used, one never.
/// `report` names exactly the never-used one.
#[tokio::test(flavor = "multi_thread")]
async fn report_names_the_never_used_key_of_two_made_in_one_second() {
    use crate::common::moto::{Moto, seed, use_key, user};
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(&iam, &[user("twins", true, vec![])]).await;
    let mut made = None;
    for _ in 0..50 {
        let mut keys = Vec::new();
        for _ in 0..2 {
            keys.push(crate::common::moto::new_key(&iam, "twins").await);
        }
        if keys[0].2 == keys[1].2 {
            made = Some(keys);
            break;
        }
        for (id, _, _) in keys {
            iam.delete_access_key()
                .user_name("twins")
                .access_key_id(id)
                .send()
                .await
                .unwrap();
        }
    }
    let keys = made.expect("two keys made in one second within 50 tries");
    // The second key is used, the first never: with slots matched by the
    // second alone, the first would borrow the second's use (or the other
    // way round, depending on slot order).
    let (used, never) = (1, 0);
    use_key(moto.endpoint(), &keys[used].0, &keys[used].1).await;
    let home = crate::common::home::Home::new(&moto.endpoint());
    let out = crate::cli_audit_truth::report(&home, &moto.endpoint(), &["--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let initial: Vec<_> = crate::cli_report::findings(&json)
        .into_iter()
        .filter(|(id, _, _)| id == "initial_setup_key")
        .collect();
    assert_eq!(
        initial,
        [(
            "initial_setup_key".to_owned(),
            "twins".to_owned(),
            Some(keys[never].0.clone())
        )],
        "{json:#}"
    );
}
