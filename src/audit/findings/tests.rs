use super::*;
use crate::audit::KeyInput;
use crate::model::credential::{Credential, CredentialKind, CredentialStatus};
use crate::model::{LastUsed, ReportKeySlot};
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

fn ago(days: i64) -> DateTime<Utc> {
    now() - TimeDelta::days(days)
}

#[allow(clippy::unnecessary_wraps)] // reads as "known: never used" at call sites
fn never() -> Option<LastUsed> {
    Some(LastUsed::default())
}

#[allow(clippy::unnecessary_wraps)]
fn used(at: DateTime<Utc>) -> Option<LastUsed> {
    Some(LastUsed {
        date: Some(at),
        service: Some("s3".into()),
        region: Some("us-east-1".into()),
    })
}

fn key(
    id: &str,
    status: KeyStatus,
    created: DateTime<Utc>,
    last_used: Option<LastUsed>,
) -> KeyInput {
    KeyInput {
        id: Some(id.into()),
        status,
        created: Some(created),
        last_used,
    }
}

fn user(password: Option<bool>, created: DateTime<Utc>, keys: Vec<KeyInput>) -> UserInput {
    UserInput {
        account_id: None,
        name: "u".into(),
        created,
        password,
        password_last_used: None,
        password_set: None,
        keys,
        credentials: Vec::new(),
        report_certificates: Vec::new(),
        waivers: Vec::new(),
        inactive_since: Vec::new(),
        quarantine: None,
    }
}

fn ids(user: &UserInput, thresholds: &Thresholds) -> Vec<(FindingId, Option<String>)> {
    user_findings(user, now(), thresholds)
        .into_iter()
        .map(|f| (f.id, f.access_key_id))
        .collect()
}

fn t() -> Thresholds {
    Thresholds::default()
}

const SETUP: FindingId = FindingId::InitialSetupKey;

#[test]
fn initial_setup_key_needs_password_active_and_never_used() {
    let fresh = |password, status, last_used| {
        user(password, ago(3), vec![key("K", status, ago(3), last_used)])
    };
    assert_eq!(
        ids(&fresh(Some(true), KeyStatus::Active, never()), &t()),
        [(SETUP, Some("K".into()))]
    );
    assert!(
        ids(&fresh(Some(false), KeyStatus::Active, never()), &t()).is_empty(),
        "no password"
    );
    assert!(
        ids(&fresh(None, KeyStatus::Active, never()), &t()).is_empty(),
        "password unknown"
    );
    assert!(
        ids(&fresh(Some(true), KeyStatus::Inactive, never()), &t()).is_empty(),
        "inactive key"
    );
    assert!(
        ids(&fresh(Some(true), KeyStatus::Active, used(ago(2))), &t()).is_empty(),
        "used once"
    );
    assert!(
        ids(&fresh(Some(true), KeyStatus::Active, None), &t()).is_empty(),
        "last use unknown"
    );
}

#[test]
fn created_with_user_follows_the_window_edge() {
    let at = |offset| {
        let u = user(
            Some(true),
            ago(3),
            vec![key("K", KeyStatus::Active, ago(3) + offset, never())],
        );
        user_findings(&u, now(), &t())[0].created_with_user
    };
    assert_eq!(at(TimeDelta::zero()), Some(true));
    assert_eq!(
        at(TimeDelta::minutes(10)),
        Some(true),
        "exactly at the window"
    );
    assert_eq!(
        at(TimeDelta::minutes(10) + TimeDelta::seconds(1)),
        Some(false)
    );
    assert_eq!(at(TimeDelta::days(1)), Some(false));
}

#[test]
fn grace_hours_spare_brand_new_keys() {
    let u = user(
        Some(true),
        ago(0),
        vec![key(
            "K",
            KeyStatus::Active,
            now() - TimeDelta::hours(5),
            never(),
        )],
    );
    let grace = Thresholds {
        grace_hours: 6,
        ..t()
    };
    assert!(ids(&u, &grace).is_empty());
    let exactly = Thresholds {
        grace_hours: 5,
        ..t()
    };
    assert_eq!(
        ids(&u, &exactly),
        [(SETUP, Some("K".into()))],
        "at the edge the grace is over"
    );
    assert_eq!(
        ids(&u, &t()),
        [(SETUP, Some("K".into()))],
        "0 is CIS-strict"
    );
}

#[test]
fn unused_key_fires_at_45_days_and_counts_never_used_from_creation() {
    let last_used_at = |days| {
        user(
            Some(false),
            ago(400),
            vec![key("K", KeyStatus::Active, ago(60), used(ago(days)))],
        )
    };
    assert!(ids(&last_used_at(44), &t()).is_empty());
    assert_eq!(
        ids(&last_used_at(45), &t()),
        [(FindingId::UnusedKey, Some("K".into()))],
        "45 days or greater"
    );
    let never_used = |days| {
        user(
            Some(false),
            ago(400),
            vec![key("K", KeyStatus::Active, ago(days), never())],
        )
    };
    assert!(ids(&never_used(44), &t()).is_empty());
    assert_eq!(
        ids(&never_used(45), &t()),
        [(FindingId::UnusedKey, Some("K".into()))]
    );
    let inactive = user(
        Some(false),
        ago(400),
        vec![key("K", KeyStatus::Inactive, ago(80), used(ago(70)))],
    );
    assert!(
        ids(&inactive, &t()).is_empty(),
        "inactive keys are already disabled"
    );
}

#[test]
fn key_not_rotated_fires_after_90_days() {
    let aged = |days| {
        user(
            Some(false),
            ago(400),
            vec![key("K", KeyStatus::Active, ago(days), used(ago(0)))],
        )
    };
    assert!(ids(&aged(90), &t()).is_empty(), "90 days or less is fine");
    assert_eq!(
        ids(&aged(91), &t()),
        [(FindingId::KeyNotRotated, Some("K".into()))]
    );
    let custom = Thresholds {
        rotation_days: 30,
        ..t()
    };
    assert_eq!(ids(&aged(31), &custom).len(), 1);
}

#[test]
fn multiple_active_keys_is_one_finding_for_the_user() {
    let two = user(
        Some(false),
        ago(10),
        vec![
            key("A", KeyStatus::Active, ago(5), used(ago(0))),
            key("B", KeyStatus::Active, ago(2), used(ago(0))),
        ],
    );
    assert_eq!(ids(&two, &t()), [(FindingId::MultipleActiveKeys, None)]);
    let rotating = user(
        Some(false),
        ago(10),
        vec![
            key("A", KeyStatus::Inactive, ago(5), used(ago(3))),
            key("B", KeyStatus::Active, ago(2), used(ago(0))),
        ],
    );
    assert!(ids(&rotating, &t()).is_empty());
}

#[test]
fn keys_in_slot_2_only_are_checked_like_any_other() {
    let row = ReportRow {
        user: "svc".into(),
        arn: "arn".into(),
        user_created: Some(ago(10)),
        password_enabled: true,
        password_last_used: None,
        password_last_changed: None,
        mfa_active: false,
        certificates: None,
        keys: [
            ReportKeySlot::default(),
            ReportKeySlot {
                active: true,
                last_rotated: Some(ago(10)),
                last_used: LastUsed::default(),
            },
        ],
    };
    let u = UserInput {
        account_id: None,
        name: "svc".into(),
        created: ago(10),
        password: Some(true),
        password_last_used: None,
        password_set: None,
        keys: report_keys(&row),
        credentials: Vec::new(),
        report_certificates: Vec::new(),
        waivers: Vec::new(),
        inactive_since: Vec::new(),
        quarantine: None,
    };
    let found = user_findings(&u, now(), &t());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, SETUP);
    assert_eq!(found[0].access_key_id, None, "the report holds no key IDs");
    assert_eq!(found[0].created_with_user, Some(true));
}

/// Issue 36 item 2: a console password unused for `unused_days`, or
/// never used and set longer ago than that, is `unused_password`
/// (user-level); a recent one, none, or one of unknown age is not.
#[test]
fn an_unused_console_password_is_a_finding() {
    let judged = |password: Option<bool>, used: Option<i64>, set: Option<i64>| {
        let u = UserInput {
            password_last_used: used.map(ago),
            password_set: set.map(ago),
            ..user(password, ago(400), Vec::new())
        };
        user_findings(&u, now(), &t())
    };
    let never_used = judged(Some(true), None, Some(100));
    assert_eq!(never_used.len(), 1);
    assert_eq!(never_used[0].id, FindingId::UnusedPassword);
    assert_eq!(never_used[0].access_key_id, None);
    assert!(
        never_used[0].message.contains("never used"),
        "{}",
        never_used[0].message
    );
    let old_use = judged(Some(true), Some(50), Some(300));
    assert_eq!(old_use.len(), 1);
    assert!(
        old_use[0].message.contains("50 days"),
        "{}",
        old_use[0].message
    );
    for (password, used, set) in [
        (Some(true), Some(10), Some(300)),
        (Some(true), None, Some(10)),
        (Some(true), None, None),
        (Some(false), Some(300), Some(300)),
        (None, Some(300), Some(300)),
    ] {
        assert!(
            judged(password, used, set).is_empty(),
            "{password:?} {used:?} {set:?}"
        );
    }
    assert!(!FindingId::UnusedPassword.is_key_level());
    assert_eq!(FindingId::UnusedPassword.cis(), FindingId::UnusedKey.cis());
    assert_eq!(FindingId::UnusedPassword.security_hub(), Some("IAM.22"));
}

fn credential(kind: CredentialKind, id: &str, active: bool, made: i64) -> Credential {
    Credential {
        user: "u".into(),
        kind,
        id: id.into(),
        status: if active {
            CredentialStatus::Active
        } else {
            CredentialStatus::Inactive
        },
        created: Some(ago(made)),
        expires: None,
        alias: None,
    }
}

fn bedrock() -> CredentialKind {
    CredentialKind::Service {
        service: crate::model::credential::BEDROCK.into(),
    }
}

fn found(u: &UserInput) -> Vec<(FindingId, Option<String>)> {
    ids(u, &t())
}

/// Issue 36 item 3: an Active Bedrock API key that never expires is
/// `service_credential_no_expiry` (high); one that expires, or is not
/// Active, is not. An Active service credential past `rotation_days`
/// is `service_credential_not_rotated`.
#[test]
fn service_credentials_are_judged() {
    let never = credential(bedrock(), "ACCANEVER", true, 10);
    let mut expiring = credential(bedrock(), "ACCASOON", true, 10);
    expiring.expires = Some(now() + TimeDelta::days(30));
    let idle = credential(bedrock(), "ACCAIDLE", false, 10);
    let old = credential(
        CredentialKind::Service {
            service: "codecommit.amazonaws.com".into(),
        },
        "ACCAOLD",
        true,
        200,
    );
    let u = UserInput {
        credentials: vec![never, expiring, idle, old],
        ..user(Some(false), ago(400), Vec::new())
    };
    assert_eq!(
        found(&u),
        [
            (
                FindingId::ServiceCredentialNoExpiry,
                Some("ACCANEVER".into())
            ),
            (
                FindingId::ServiceCredentialNotRotated,
                Some("ACCAOLD".into())
            ),
        ]
    );
    assert_eq!(
        FindingId::ServiceCredentialNoExpiry.severity(),
        crate::audit::Severity::High
    );
}

/// Issue 36 item 3: an access key or console password on a
/// `BedrockAPIKey-*` user (the console makes it for Bedrock API keys
/// alone) is critical.
#[test]
fn an_access_key_on_a_bedrock_user_is_critical() {
    let key = key("AKIAONBEDROCK", KeyStatus::Active, ago(1), used(ago(0)));
    let u = UserInput {
        name: "BedrockAPIKey-x".into(),
        ..user(Some(false), ago(10), vec![key.clone()])
    };
    let found = user_findings(&u, now(), &t());
    let hit = found
        .iter()
        .find(|f| f.id == FindingId::LongTermCredentialOnBedrockUser)
        .expect("an access key on a Bedrock API key user");
    assert!(hit.message.contains("AKIAONBEDROCK"), "{}", hit.message);
    assert_eq!(hit.id.severity(), crate::audit::Severity::Critical);
    let console = UserInput {
        name: "BedrockAPIKey-y".into(),
        ..user(Some(true), ago(10), Vec::new())
    };
    assert!(
        user_findings(&console, now(), &t())
            .iter()
            .any(|f| f.id == FindingId::LongTermCredentialOnBedrockUser)
    );
    let plain = UserInput {
        name: "bedrock-x".into(),
        ..user(Some(true), ago(10), vec![key])
    };
    assert!(
        !user_findings(&plain, now(), &t())
            .iter()
            .any(|f| f.id == FindingId::LongTermCredentialOnBedrockUser)
    );
}

/// Issue 36 item 4: an Active SSH public key or signing certificate
/// older than `rotation_days` is `long_term_credential_old` (info);
/// the credential report's certificates count where none were listed.
#[test]
fn old_ssh_keys_and_certificates_are_info() {
    let u = UserInput {
        credentials: vec![
            credential(CredentialKind::SshKey, "APKAOLD", true, 200),
            credential(CredentialKind::SshKey, "APKANEW", true, 10),
            credential(CredentialKind::SigningCertificate, "CERTIDLE", false, 300),
        ],
        ..user(Some(false), ago(400), Vec::new())
    };
    assert_eq!(
        found(&u),
        [(FindingId::LongTermCredentialOld, Some("APKAOLD".into()))]
    );
    let from_report = UserInput {
        report_certificates: vec![crate::model::ReportCertificate {
            active: true,
            last_rotated: ago(120),
        }],
        ..user(Some(false), ago(400), Vec::new())
    };
    assert_eq!(
        found(&from_report),
        [(FindingId::LongTermCredentialOld, None)]
    );
    assert_eq!(
        FindingId::LongTermCredentialOld.severity(),
        crate::audit::Severity::Info
    );
}

#[test]
fn the_root_row_with_an_active_key_is_critical() {
    let mut root = ReportRow {
        user: ROOT_ROW.into(),
        arn: "arn:aws:iam::1:root".into(),
        user_created: Some(ago(1000)),
        password_enabled: false,
        password_last_used: None,
        password_last_changed: None,
        mfa_active: true,
        certificates: None,
        keys: [
            ReportKeySlot {
                active: true,
                last_rotated: Some(ago(500)),
                last_used: LastUsed::default(),
            },
            ReportKeySlot::default(),
        ],
    };
    let found = evaluate(&[], Some(&root), now(), &t());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, FindingId::RootAccessKey);
    assert_eq!(found[0].id.severity(), crate::audit::Severity::Critical);
    assert!(found[0].message.contains("an active access key"));
    // Issue 36 item 1: CIS and Security Hub IAM.4 fail a root key that
    // exists at all; an inactive one is a finding too, saying so.
    root.keys[0].active = false;
    let found = evaluate(&[], Some(&root), now(), &t());
    assert_eq!(found.len(), 1, "an inactive root key is a finding");
    assert_eq!(found[0].id, FindingId::RootAccessKey);
    assert!(
        found[0].message.contains("an inactive access key"),
        "{}",
        found[0].message
    );
    // No key in either slot: nothing.
    root.keys[0] = ReportKeySlot::default();
    assert!(evaluate(&[], Some(&root), now(), &t()).is_empty());
}

#[test]
fn a_report_older_than_the_keys_does_not_invent_findings() {
    // A key made after the report: no slot, last use not known yet.
    let u = user(
        Some(true),
        ago(1),
        vec![key("NEW", KeyStatus::Active, ago(0), None)],
    );
    assert!(
        ids(&u, &t()).is_empty(),
        "unknown last use is not 'never used'"
    );
    // Once GetAccessKeyLastUsed answers "never", the finding appears.
    let u = user(
        Some(true),
        ago(1),
        vec![key("NEW", KeyStatus::Active, ago(0), never())],
    );
    assert_eq!(ids(&u, &t()), [(SETUP, Some("NEW".into()))]);
}

#[test]
fn messages_carry_the_dates() {
    let u = user(
        Some(true),
        ago(100),
        vec![key("K", KeyStatus::Active, ago(100), never())],
    );
    let found = user_findings(&u, now(), &t());
    let all: Vec<FindingId> = found.iter().map(|f| f.id).collect();
    assert_eq!(all, [SETUP, FindingId::UnusedKey, FindingId::KeyNotRotated]);
    assert!(
        found[0].message.contains("2026-08-20"),
        "{}",
        found[0].message
    );
    assert!(
        found[2].message.contains("100 days old"),
        "{}",
        found[2].message
    );
}

#[test]
fn a_key_without_a_creation_date_is_not_aged_from_1970() {
    let mut k = key("K", KeyStatus::Active, ago(3), used(ago(1)));
    k.created = None;
    let u = user(Some(false), ago(400), vec![k]);
    assert!(
        ids(&u, &t()).is_empty(),
        "neither key_not_rotated nor unused_key from an unknown date"
    );
    // Never used, with a console password: still initial_setup_key
    // (that rule needs no date), with created_with_user unknown.
    let mut k = key("K", KeyStatus::Active, ago(3), never());
    k.created = None;
    let u = user(Some(true), ago(400), vec![k]);
    let found = user_findings(&u, now(), &t());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, SETUP);
    assert_eq!(found[0].created_with_user, None);
}

#[test]
fn a_key_of_unknown_status_neither_fires_nor_counts_as_inactive() {
    let u = user(
        Some(true),
        ago(400),
        vec![
            key("K1", KeyStatus::Unknown, ago(300), never()),
            key("K2", KeyStatus::Active, ago(1), used(ago(1))),
        ],
    );
    assert!(ids(&u, &t()).is_empty());
}

#[test]
fn a_quarantined_user_has_each_active_key_named_exposed() {
    let mut u = user(
        Some(false),
        ago(400),
        vec![
            key("AKIAOLD", KeyStatus::Active, ago(30), used(ago(1))),
            key("AKIANEW", KeyStatus::Active, ago(2), used(ago(1))),
            key("AKIAOFF", KeyStatus::Inactive, ago(50), used(ago(40))),
        ],
    );
    // Not quarantined: only the two active keys.
    assert_eq!(ids(&u, &t()), vec![(FindingId::MultipleActiveKeys, None)]);
    u.quarantine = Some("AWSCompromisedKeyQuarantineV2".into());
    let found = user_findings(&u, now(), &t());
    let exposed: Vec<_> = found
        .iter()
        .filter(|f| f.id == FindingId::ExposedKeyQuarantined)
        .collect();
    assert_eq!(exposed.len(), 2, "{found:?}");
    assert_eq!(exposed[0].access_key_id.as_deref(), Some("AKIAOLD"));
    assert_eq!(exposed[1].access_key_id.as_deref(), Some("AKIANEW"));
    assert!(exposed[0].message.contains("AWSCompromisedKeyQuarantineV2"));
    assert!(exposed[0].message.contains("support case"));
    assert_eq!(
        FindingId::ExposedKeyQuarantined.severity(),
        crate::audit::Severity::Critical
    );
    let remedy = FindingId::ExposedKeyQuarantined.remedy_with(|n| format!("<{n}>"));
    assert!(
        remedy.contains("<rotate>") && remedy.contains("<delete>") && remedy.contains("<usage>")
    );
}

/// Issue 38 item 11: each remedy names the command that does it: a
/// rotation is `R` (not `c`), a password is removed with `P` (not `d`).
#[test]
fn each_remedy_names_the_command_that_does_it() {
    let named = |id: FindingId| id.remedy_with(|n| format!("<{n}>"));
    let rotate = named(FindingId::KeyNotRotated);
    assert!(rotate.contains("<rotate>"), "{rotate}");
    assert!(!rotate.contains("<create>"), "{rotate}");
    let password = named(FindingId::UnusedPassword);
    assert!(password.contains("<remove_password>"), "{password}");
    assert!(!password.contains("<delete>"), "{password}");
    // Every command a remedy names is one the keymap knows.
    for id in FindingId::ALL {
        let text = named(id);
        for name in text
            .split('<')
            .skip(1)
            .filter_map(|s| s.split_once('>'))
            .map(|(n, _)| n)
        {
            assert!(
                crate::keymap::Command::from_name(name).is_some(),
                "{id}: <{name}> is no command"
            );
        }
    }
    // The reports name iamkeys' own keys.
    assert!(crate::report::remedy(FindingId::UnusedPassword).contains("iamkeys: P"));
    assert!(crate::report::remedy(FindingId::KeyNotRotated).contains("iamkeys: R"));
}
