//! The rules. Each key of each user is checked against the CIS key controls;
//! the root row of the credential report against the root-key control.

use chrono::{DateTime, TimeDelta, Utc};

use super::input::{UserInput, report_keys};
use super::{Finding, FindingId, Thresholds};
use crate::model::{KeyStatus, ROOT_ROW, ReportRow};

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn key_name(id: Option<&str>) -> String {
    id.map_or_else(|| "an access key".to_owned(), |id| format!("key {id}"))
}

/// Every finding for these users (and the root row, when the report has one), in
/// user order, then key order, then rule order.
#[must_use]
pub fn evaluate(
    users: &[UserInput],
    root: Option<&ReportRow>,
    now: DateTime<Utc>,
    thresholds: &Thresholds,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(root) = root.filter(|r| r.user == ROOT_ROW) {
        out.extend(root_findings(root));
    }
    for user in users {
        out.extend(user_findings(user, now, thresholds));
    }
    out
}

/// The root finding from `GetAccountSummary` (no credential report): it
/// says whether root has access keys, not whether they are active. CIS
/// 1.4 asks that none exist, so one present is the finding.
#[must_use]
pub fn root_summary_finding() -> Finding {
    Finding {
        id: FindingId::RootAccessKey,
        user_name: ROOT_ROW.to_owned(),
        access_key_id: None,
        created_with_user: None,
        waiver: None,
        message: "the root user has an access key (GetAccountSummary: AccountAccessKeysPresent; whether it is active is in the credential report, which could not be had)".to_owned(),
    }
}

/// One finding per root access key that exists, active or not: CIS ("no
/// 'root' user account access key exists") and Security Hub IAM.4 fail a
/// key that is merely inactive, and so does the summary path.
fn root_findings(root: &ReportRow) -> Vec<Finding> {
    report_keys(root)
        .into_iter()
        .map(|k| Finding {
            id: FindingId::RootAccessKey,
            user_name: ROOT_ROW.to_owned(),
            access_key_id: None,
            created_with_user: None,
            waiver: None,
            message: format!(
                "the root user has an {} access key (last rotated {})",
                k.status.as_str().to_lowercase(),
                k.created.map_or_else(|| "unknown".to_owned(), day)
            ),
        })
        .collect()
}

/// The findings of one user.
#[must_use]
pub fn user_findings(
    user: &UserInput,
    now: DateTime<Utc>,
    thresholds: &Thresholds,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let unused_after = TimeDelta::days(i64::from(thresholds.unused_days));
    let rotate_after = TimeDelta::days(i64::from(thresholds.rotation_days));
    let grace = TimeDelta::hours(i64::from(thresholds.grace_hours));
    let finding = |id, key: Option<&str>, created_with_user, message: String| Finding {
        id,
        user_name: user.name.clone(),
        access_key_id: key.map(ToOwned::to_owned),
        created_with_user,
        message,
        waiver: None,
    };
    out.extend(exposed(user));
    for key in user.keys.iter().filter(|k| k.status == KeyStatus::Active) {
        let id = key.id.as_deref();
        let name = key_name(id);
        // A key without a creation date is not judged by the age rules (the
        // audit names it as a gap instead of counting from 1970).
        let age = key.created.map(|created| now - created);
        // CIS audit: console password AND Active key AND never used.
        if let (Some(true), Some(used)) = (user.password, &key.last_used)
            && used.date.is_none()
            && (grace == TimeDelta::zero() || age.is_some_and(|age| age >= grace))
        {
            let with_user = key
                .created
                .map(|created| (created - user.created).abs() <= thresholds.initial_setup_window());
            let when = match with_user {
                Some(true) => "with the user",
                Some(false) => "after the user",
                None => "at an unknown time",
            };
            out.push(finding(
                    FindingId::InitialSetupKey,
                    id,
                    with_user,
                    format!(
                        "{} has a console password and {name}, created {} {when} (user created {}), has never been used",
                        user.name,
                        key.created.map_or_else(|| "on an unknown date".to_owned(), day),
                        day(user.created)
                    ),
                ));
        }
        if let Some(used) = &key.last_used
            // A never-used key counts from its creation.
            && let Some(since) = used.date.or(key.created)
            && now - since >= unused_after
        {
            let what = match (used.date, key.created) {
                (Some(date), _) => format!("last used {}", day(date)),
                (None, Some(created)) => {
                    format!("never used since it was created {}", day(created))
                }
                (None, None) => "never used".to_owned(),
            };
            out.push(finding(
                FindingId::UnusedKey,
                id,
                None,
                format!(
                    "{name} is active but {what}: {} days, the limit is {}",
                    (now - since).num_days(),
                    thresholds.unused_days
                ),
            ));
        }
        if let (Some(age), Some(created)) = (age, key.created)
            && age > rotate_after
        {
            out.push(finding(
                FindingId::KeyNotRotated,
                id,
                None,
                format!(
                    "{name} is active and was created {}: {} days old, the limit is {}",
                    day(created),
                    age.num_days(),
                    thresholds.rotation_days
                ),
            ));
        }
    }
    let active = user
        .keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .count();
    if active > 1 {
        out.push(finding(
            FindingId::MultipleActiveKeys,
            None,
            None,
            format!("{} has {active} active access keys", user.name),
        ));
    }
    out.extend(unused_password(user, now, thresholds));
    out.extend(super::credentials::findings(user, now, thresholds));
    out.extend(retirement(user, now, thresholds));
    waive(&mut out, user, now, thresholds);
    out
}

/// CIS "credentials unused for 45 days" and Security Hub IAM.22 for the
/// console password: last used `unused_days` ago or more, or never used
/// and set that long ago. A password whose age is not known, never used,
/// is not judged (nothing says it is old).
fn unused_password(
    user: &UserInput,
    now: DateTime<Utc>,
    thresholds: &Thresholds,
) -> Option<Finding> {
    if user.password != Some(true) {
        return None;
    }
    let unused_after = TimeDelta::days(i64::from(thresholds.unused_days));
    let message = match (user.password_last_used, user.password_set) {
        (Some(last), _) if now - last >= unused_after => format!(
            "the console password was last used {}: {} days ago, the limit is {}",
            day(last),
            (now - last).num_days(),
            thresholds.unused_days
        ),
        (None, Some(set)) if now - set >= unused_after => format!(
            "the console password was never used; it was set {}, {} days ago (the limit is {})",
            day(set),
            (now - set).num_days(),
            thresholds.unused_days
        ),
        _ => return None,
    };
    Some(Finding {
        id: FindingId::UnusedPassword,
        user_name: user.name.clone(),
        access_key_id: None,
        created_with_user: None,
        message,
        waiver: None,
    })
}

/// A user AWS quarantined: each Active key is named exposed (AWS's
/// support case, not IAM, says which one leaked).
fn exposed(user: &UserInput) -> Vec<Finding> {
    let Some(policy) = &user.quarantine else {
        return Vec::new();
    };
    user.keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .map(|key| Finding {
            id: FindingId::ExposedKeyQuarantined,
            user_name: user.name.clone(),
            access_key_id: key.id.clone(),
            created_with_user: None,
            message: format!(
                "AWS attached {policy} to {}: one of its access keys was found exposed, and {} is still active (which key leaked is in AWS's support case, not in IAM)",
                user.name,
                key_name(key.id.as_deref())
            ),
            waiver: None,
        })
        .collect()
}

/// Mark the findings the user's waivers (the ledger's, the waivers file's,
/// and tag claims) speak to.
fn waive(out: &mut [Finding], user: &UserInput, now: DateTime<Utc>, thresholds: &Thresholds) {
    let mut waivers = user.waivers.clone();
    waivers.extend(
        thresholds
            .file_waivers
            .for_user(user.account_id.as_deref(), &user.name),
    );
    let policy = super::waivers::Policy {
        max_days: thresholds.max_waiver_days,
        today: now.date_naive(),
    };
    super::waivers::apply(out, &waivers, &policy);
}

/// A count of days as said: `today`, `1 day`, `N days`.
#[must_use]
pub fn days(n: i64) -> String {
    match n {
        ..=0 => "today".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// Retiring a key: made inactive by iamkeys long enough ago, and still so
/// (informational, `inactive_key_ready_to_delete`).
fn retirement(user: &UserInput, now: DateTime<Utc>, thresholds: &Thresholds) -> Vec<Finding> {
    let retire_after = TimeDelta::days(i64::from(thresholds.retire_after_days));
    let mut out = Vec::new();
    for key in user.keys.iter().filter(|k| k.status == KeyStatus::Inactive) {
        let Some(id) = key.id.as_deref() else {
            continue;
        };
        if let Some((_, since)) = user.inactive_since.iter().find(|(k, _)| k == id)
            && now - *since >= retire_after
        {
            out.push(Finding {
                id: FindingId::InactiveKeyReadyToDelete,
                user_name: user.name.clone(),
                access_key_id: Some(id.to_owned()),
                created_with_user: None,
                message: format!(
                    "{id} of {} has been inactive since {} ({}): nothing has needed it since",
                    user.name,
                    day(*since),
                    days((now - *since).num_days())
                ),
                waiver: None,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests;
