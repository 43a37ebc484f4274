//! Whether a plan may be applied, and whether each of its actions may be
//! acted on now: the key must still be as the plan saw it. Pure: the
//! command reads IAM and hands the answers in.

use crate::model::credential::{CredentialKind, is_credential_id};
use chrono::{DateTime, NaiveDate, Utc};

use super::plan::{Plan, PlannedAction, SCHEMA};
use crate::model::KeyStatus;

/// Read a plan file's text: the schema is checked before anything else,
/// so a plan of another version is named as such.
///
/// # Errors
/// Not JSON, another schema, or a field that does not read.
pub fn read(text: &str) -> Result<Plan, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("the plan is not JSON ({e})"))?;
    match value.get("schema").and_then(serde_json::Value::as_str) {
        Some(SCHEMA) => {}
        Some(other) => {
            return Err(format!(
                "the plan's schema is {:?}, not {SCHEMA}: make a new plan with this iamkeys",
                crate::text::clean(other)
            ));
        }
        None => {
            return Err(format!(
                "the file has no \"schema\": it is not an {SCHEMA} plan"
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| format!("the plan does not read ({e})"))
}

/// A plan dated in the future (beyond 5 minutes of clock skew) is refused
/// by every command that reads one.
///
/// # Errors
/// It is dated in the future.
pub fn check_not_future(plan: &Plan, now: DateTime<Utc>) -> Result<(), String> {
    if plan.created - now > SKEW {
        return Err(format!(
            "the plan is dated {}, in the future",
            plan.created
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ));
    }
    Ok(())
}

/// Whether the plan is fresh enough to act on.
///
/// # Errors
/// It is older than `max_age_hours`, or dated in the future.
pub fn check_age(plan: &Plan, now: DateTime<Utc>, max_age_hours: u32) -> Result<(), String> {
    check_not_future(plan, now)?;
    let age = now - plan.created;
    if age > chrono::TimeDelta::hours(i64::from(max_age_hours)) {
        return Err(format!(
            "the plan was made {} hours ago, more than [enforce] max_plan_age_hours ({max_age_hours}): what it saw may have changed; make a new plan",
            age.num_hours()
        ));
    }
    Ok(())
}

/// How far a date in a plan may run ahead of another for clock skew.
const SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// Whether `id` reads as an IAM user's long-term access key ID: an access
/// key ID as the ledger reads one, `AKIA` and 16 more (a plan acts on
/// nothing else).
fn is_user_key_id(id: &str) -> bool {
    crate::model::is_key_shaped(id) && id.starts_with("AKIA")
}

/// Refuse a plan whose content cannot be true: IDs that are not IDs, a key
/// listed twice, evidence that contradicts IAM (a last use before the key
/// was made, a date after the plan was). The plan is a file anyone with
/// write access to it could have edited; `apply` re-derives every action
/// anyway, but a plan that lies is refused whole.
///
/// # Errors
/// The first contradiction, naming the action.
pub fn check_content(plan: &Plan) -> Result<(), String> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for (i, action) in plan.actions.iter().enumerate() {
        let at = |why: String| format!("the plan's action {} {why}", i + 1);
        if !crate::model::is_account_id(&action.account_id) {
            return Err(at(format!(
                "has {:?} for an account ID",
                crate::text::clean(&action.account_id)
            )));
        }
        match action.credential.as_deref() {
            None if !is_user_key_id(&action.access_key_id) => {
                return Err(at(format!(
                    "has {:?} for an access key ID",
                    crate::text::clean(&action.access_key_id)
                )));
            }
            Some(kind) if CredentialKind::from_plan_name(kind).is_none() => {
                return Err(at(format!(
                    "has {:?} for a credential's kind",
                    crate::text::clean(kind)
                )));
            }
            Some(_) if !is_credential_id(&action.access_key_id) => {
                return Err(at(format!(
                    "has {:?} for a credential ID",
                    crate::text::clean(&action.access_key_id)
                )));
            }
            _ => {}
        }
        if !crate::ledger::event::is_user_name(&action.user_name) {
            return Err(at(format!(
                "has {:?} for a user name",
                crate::text::clean(&action.user_name)
            )));
        }
        let key = (action.account_id.as_str(), action.access_key_id.as_str());
        if seen.contains(&key) {
            return Err(at(format!(
                "lists {} a second time (a plan has one action per key)",
                action.access_key_id
            )));
        }
        seen.push(key);
        let evidence = &action.evidence;
        let after_plan = |t: DateTime<Utc>| t > plan.created + SKEW;
        if evidence.created.is_some_and(after_plan) {
            return Err(at(format!(
                "says {} was created after the plan was made",
                action.access_key_id
            )));
        }
        if evidence.last_used.is_some_and(after_plan) {
            return Err(at(format!(
                "says {} was last used after the plan was made",
                action.access_key_id
            )));
        }
        if let (Some(created), Some(used)) = (evidence.created, evidence.last_used)
            && used + SKEW < created
        {
            return Err(at(format!(
                "says {} was last used before it was created",
                action.access_key_id
            )));
        }
    }
    Ok(())
}

/// Whether today's audit (`report`), rules and ledger (folded into
/// `today`, the plan they make now) still call for `action` on `date`:
/// the same finding open and unwaived, a rule covering it with the same
/// action, the key as IAM shows it, and the recorded due date come.
///
/// # Errors
/// Why the action no longer holds (it is skipped with that reason).
pub fn still_called_for(
    action: &PlannedAction,
    today: &Plan,
    report: &crate::report::Report,
    date: NaiveDate,
) -> Result<(), String> {
    let Some(now) = today
        .actions
        .iter()
        .find(|a| a.account_id == action.account_id && a.access_key_id == action.access_key_id)
    else {
        let open = report.findings.iter().find(|f| {
            f.id == action.finding
                && f.account_id.as_deref() == Some(action.account_id.as_str())
                && f.access_key_id.as_deref() == Some(action.access_key_id.as_str())
        });
        return Err(match open {
            None => format!("{} is no longer found on this key", action.finding),
            Some(f) if f.waived.is_some() => format!("{} is waived now", action.finding),
            Some(_) => format!(
                "no [enforce] rule calls for it now ({} is open, but no rule covers it)",
                action.finding
            ),
        });
    };
    if now.credential != action.credential {
        return Err(format!(
            "the plan's evidence contradicts IAM ({} is {}, not {})",
            action.access_key_id,
            now.credential.as_deref().unwrap_or("an access key"),
            action
                .credential
                .as_deref()
                .map_or_else(|| "an access key".into(), crate::text::clean)
        ));
    }
    if now.action != action.action || now.finding != action.finding {
        return Err(format!(
            "today's rules call for {} ({}, rule {}), not {} ({})",
            now.action.words(),
            now.finding,
            now.rule,
            action.action.words(),
            action.finding
        ));
    }
    if now.evidence.created != action.evidence.created {
        return Err(format!(
            "the plan's evidence contradicts IAM (created {}; IAM says {})",
            stamp(action.evidence.created, "unknown"),
            stamp(now.evidence.created, "unknown")
        ));
    }
    if now.due > date {
        return Err(if now.due_recorded {
            format!("not due until {} (the ledger's due date)", now.due)
        } else {
            format!(
                "not due until {}: its due date was never recorded in the ledger (plan --record)",
                now.due
            )
        });
    }
    Ok(())
}

/// What IAM says of the action's key now, read right before acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fresh {
    /// The account the session's credentials are in.
    pub session_account: String,
    /// The access key the session signs with, when known.
    pub session_key: Option<String>,
    /// The key's status now; `None`: it is no longer the user's.
    pub status: Option<KeyStatus>,
    /// Its last use now (`None`: never used).
    pub last_used: Option<DateTime<Utc>>,
    /// A waiver honoured now covers the action's finding.
    pub waived: bool,
}

/// What to do with one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Act,
    /// Not acted on, for a reason that is safe (the key changed, is not
    /// due, …): said, never a failure.
    Skip(String),
}

/// Whether the action is due `today`.
#[must_use]
pub fn due(action: &PlannedAction, today: NaiveDate) -> bool {
    action.due <= today
}

/// Act only on a key that is still as the plan saw it.
#[must_use]
pub fn decide(action: &PlannedAction, fresh: &Fresh) -> Decision {
    let skip = |why: String| Decision::Skip(why);
    if fresh.session_account != action.account_id {
        return skip(format!(
            "in account {}, and this session is in {}",
            action.account_id, fresh.session_account
        ));
    }
    if fresh.session_key.as_deref() == Some(action.access_key_id.as_str()) {
        return skip("the key this session signs with".to_owned());
    }
    let Some(status) = fresh.status else {
        return skip("gone: the key no longer exists".to_owned());
    };
    if status != action.evidence.status {
        return skip(format!(
            "now {status}; the plan saw it {}",
            action.evidence.status
        ));
    }
    if fresh.last_used > action.evidence.last_used {
        return skip(format!(
            "used since the plan (last used {}; the plan saw {})",
            stamp(fresh.last_used, "never"),
            stamp(action.evidence.last_used, "never")
        ));
    }
    if fresh.waived {
        return skip(format!("{} is waived now", action.finding));
    }
    Decision::Act
}

/// A time as a skip or refusal names it (RFC 3339, to the second), else
/// `none`.
fn stamp(t: Option<DateTime<Utc>>, none: &str) -> String {
    t.map_or_else(
        || none.to_owned(),
        |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::FindingId;
    use crate::enforce::plan::Evidence;
    use crate::enforce::rules::RuleAction;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap()
    }

    fn action() -> PlannedAction {
        PlannedAction {
            account_id: "123456789012".into(),
            account_name: None,
            user_name: "svc".into(),
            access_key_id: "AKIAPLANNED000000001".into(),
            credential: None,
            action: RuleAction::MakeInactive,
            finding: FindingId::UnusedKey,
            rule: 1,
            risk: None,
            owner: "unowned".into(),
            due: at(20).date_naive(),
            due_recorded: false,
            evidence: Evidence {
                status: KeyStatus::Active,
                created: Some(at(1)),
                last_used: Some(at(2)),
            },
        }
    }

    fn fresh() -> Fresh {
        Fresh {
            session_account: "123456789012".into(),
            session_key: Some("AKIASESSION000000001".into()),
            status: Some(KeyStatus::Active),
            last_used: Some(at(2)),
            waived: false,
        }
    }

    #[test]
    fn acts_only_on_a_key_as_the_plan_saw_it() {
        let a = action();
        assert_eq!(decide(&a, &fresh()), Decision::Act);
        let skipped = |f: Fresh| match decide(&a, &f) {
            Decision::Skip(why) => why,
            Decision::Act => panic!("acted on {f:?}"),
        };
        assert!(
            skipped(Fresh {
                last_used: Some(at(3)),
                ..fresh()
            })
            .starts_with("used since the plan")
        );
        assert!(
            skipped(Fresh {
                status: Some(KeyStatus::Inactive),
                ..fresh()
            })
            .contains("now Inactive")
        );
        assert_eq!(
            skipped(Fresh {
                status: None,
                ..fresh()
            }),
            "gone: the key no longer exists"
        );
        assert!(
            skipped(Fresh {
                session_account: "210987654321".into(),
                ..fresh()
            })
            .contains("this session is in 210987654321")
        );
        assert_eq!(
            skipped(Fresh {
                session_key: Some(a.access_key_id.clone()),
                ..fresh()
            }),
            "the key this session signs with"
        );
        assert!(
            skipped(Fresh {
                waived: true,
                ..fresh()
            })
            .contains("waived now")
        );
        // A never-used key used since.
        let mut never = action();
        never.evidence.last_used = None;
        assert!(matches!(
            decide(
                &never,
                &Fresh {
                    last_used: Some(at(3)),
                    ..fresh()
                }
            ),
            Decision::Skip(_)
        ));
        assert!(due(&a, at(20).date_naive()) && !due(&a, at(19).date_naive()));
    }

    #[test]
    fn a_plan_of_another_schema_or_too_old_is_refused() {
        let plan = Plan {
            schema: SCHEMA.into(),
            created: at(20),
            caller: None,
            notice_days: 7,
            actions: vec![action()],
            notes: Vec::new(),
        };
        let text = serde_json::to_string(&plan).unwrap();
        assert_eq!(read(&text).unwrap(), plan);
        let other = text.replace(SCHEMA, "iamkeys.plan/v0");
        assert!(read(&other).unwrap_err().contains("iamkeys.plan/v0"));
        assert!(read("{}").unwrap_err().contains("no \"schema\""));
        assert!(read("not json").unwrap_err().contains("not JSON"));
        let unknown = text.replace("\"make_inactive\"", "\"disable\"");
        assert!(read(&unknown).unwrap_err().contains("does not read"));
        assert!(check_age(&plan, at(20) + chrono::TimeDelta::hours(23), 24).is_ok());
        let old = check_age(&plan, at(21) + chrono::TimeDelta::hours(1), 24).unwrap_err();
        assert!(old.contains("25 hours ago"), "{old}");
        assert!(check_age(&plan, at(19), 24).is_err(), "from the future");
    }

    /// Issue 36: a plan that calls a credential another kind than today's
    /// audit does is not acted on, nor one that calls an access key a
    /// credential.
    #[test]
    fn a_credential_called_another_kind_is_not_called_for() {
        let plan = |actions| Plan {
            schema: SCHEMA.into(),
            created: at(20),
            caller: None,
            notice_days: 0,
            actions,
            notes: Vec::new(),
        };
        let mut bedrock = action();
        bedrock.access_key_id = "ACCAPLANNED0000000001".into();
        bedrock.credential = Some("service:bedrock.amazonaws.com".into());
        bedrock.finding = FindingId::ServiceCredentialNoExpiry;
        let today = plan(vec![bedrock.clone()]);
        let report = crate::report::tests_support::empty_report();
        assert!(still_called_for(&bedrock, &today, &report, at(20).date_naive()).is_ok());
        let mut ssh = bedrock.clone();
        ssh.credential = Some("ssh_public_key".into());
        let why = still_called_for(&ssh, &today, &report, at(20).date_naive()).unwrap_err();
        assert!(
            why.contains("contradicts IAM") && why.contains("ssh_public_key"),
            "{why}"
        );
        let mut key = bedrock.clone();
        key.credential = None;
        let why = still_called_for(&key, &today, &report, at(20).date_naive()).unwrap_err();
        assert!(why.contains("not an access key"), "{why}");
        // And the plan's own content: a kind that is none, an ID that is none.
        let mut odd = bedrock.clone();
        odd.credential = Some("service:".into());
        assert!(
            check_content(&plan(vec![odd]))
                .unwrap_err()
                .contains("credential's kind")
        );
        let mut odd = bedrock;
        odd.access_key_id = "ACCA-NOT-AN-ID".into();
        assert!(
            check_content(&plan(vec![odd]))
                .unwrap_err()
                .contains("credential ID")
        );
    }
}
