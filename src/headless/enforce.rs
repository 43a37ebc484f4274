//! `iamkeys plan` and `iamkeys apply`: the IO around [`crate::enforce::plan`] and
//! [`crate::enforce::apply`]. The audit is the report's (the same `Account` and
//! worker); every change goes through the worker as the UI's do (bound to
//! the account the plan names, the attempt in the audit log first).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use serde::Serialize;

use crate::effect::{Actor, Change};
use crate::enforce::apply::{Decision, Fresh, decide};
use crate::enforce::plan::{Inputs, Plan, PlannedAction, build};
use crate::enforce::rules::{EnforceSettings, RuleAction};
use crate::headless::changer::Changer;
use crate::iam::{IamClient, IamError, list_all_access_keys};
use crate::model::KeyStatus;
use crate::model::credential::{CredentialKind, CredentialStatus};
use crate::report::Report;
use crate::worker::Settings;

/// Exit codes: done (or skipped safely), a change failed, refused.
pub const EXIT_DONE: u8 = 0;
pub const EXIT_FAILED: u8 = 1;
pub const EXIT_REFUSED: u8 = 2;

pub(crate) fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "iamkeys: {}", crate::text::clean(line));
}

/// What `plan` needs beyond the report.
pub struct PlanRun<'a> {
    pub enforce: &'a EnforceSettings,
    pub record: bool,
    pub out: Option<&'a std::path::Path>,
    pub table: bool,
    pub profile: &'a str,
    pub settings: &'a Settings,
}

/// `iamkeys plan`: the plan of a complete report, written where asked;
/// with `--record`, each new due date tagged on its user.
pub async fn plan(
    reach: Reach<'_>,
    caller: Option<crate::model::Identity>,
    report: Result<Report, String>,
    run: &PlanRun<'_>,
) -> ExitCode {
    let rules = match run.enforce.rules() {
        Ok(rules) if rules.is_empty() => {
            say(
                "no [[enforce.rule]] in the config: nothing would be planned (see docs/enforcing.md)",
            );
            return ExitCode::from(EXIT_REFUSED);
        }
        Ok(rules) => rules,
        Err(err) => {
            say(&err);
            return ExitCode::from(EXIT_REFUSED);
        }
    };
    let report = match report {
        Ok(report) => report,
        Err(err) => {
            say(&err);
            return ExitCode::from(EXIT_REFUSED);
        }
    };
    for gap in &report.gaps {
        say(&format!("gap: {gap}"));
    }
    let identity = caller;
    let now = Utc::now();
    let mut plan = match build(&Inputs {
        report: &report,
        rules: &rules,
        owner_tag: &run.enforce.owner_tag,
        notice_days: run.enforce.notice_days,
        caller: identity.as_ref().map(|i| i.arn.clone()),
        now,
    }) {
        Ok(plan) => plan,
        Err(err) => {
            say(&err);
            return ExitCode::from(EXIT_REFUSED);
        }
    };
    let failed = run.record && !record(reach, &mut plan, identity.as_ref(), run).await;
    if let Err(err) = write_plan(&plan, run, now) {
        say(&err);
        return ExitCode::from(EXIT_REFUSED);
    }
    ExitCode::from(if failed { EXIT_FAILED } else { EXIT_DONE })
}

/// `--record`: record each new due date in the ledger (`due.recorded`).
/// Whether all were written.
async fn record(
    reach: Reach<'_>,
    plan: &mut Plan,
    identity: Option<&crate::model::Identity>,
    run: &PlanRun<'_>,
) -> bool {
    let mut all = true;
    let mut accounts: Vec<String> = plan
        .actions
        .iter()
        .filter(|a| !a.due_recorded)
        .map(|a| a.account_id.clone())
        .collect();
    accounts.dedup();
    accounts.sort();
    accounts.dedup();
    for account in accounts {
        let client = match reach(&account).await {
            Ok(client) => client,
            Err(why) => {
                all = false;
                say(&format!(
                    "cannot record the due dates in account {account}: {why}"
                ));
                continue;
            }
        };
        let actor = Actor {
            profile: run.profile.to_owned(),
            account_id: Some(account.clone()),
            caller_arn: identity.map(|i| i.arn.clone()),
        };
        let mut changer = Changer::new(client, run.settings, actor);
        for action in plan
            .actions
            .iter_mut()
            .filter(|a| !a.due_recorded && a.account_id == account)
        {
            let change = Change::Record(crate::ledger::Draft {
                account_id: action.account_id.clone(),
                user: Some(action.user_name.clone()),
                key_id: Some(action.access_key_id.clone()),
                kind: crate::ledger::Kind::DueRecorded {
                    due: action.due,
                    action: action.action.as_str().to_owned(),
                    finding: action.finding,
                },
            });
            match changer.change(change, &action.account_id).await {
                Ok(_) => action.due_recorded = true,
                Err(err) => {
                    all = false;
                    say(&format!(
                        "cannot record the due date of {}: {}",
                        action.access_key_id,
                        err.cli_message(run.profile)
                    ));
                }
            }
        }
    }
    all
}

/// The plan as JSON to `--out` (whole or not at all), and to stdout as a
/// table or JSON.
fn write_plan(plan: &Plan, run: &PlanRun<'_>, now: DateTime<Utc>) -> Result<(), String> {
    let json = crate::report::format::pretty_json(plan)
        .map_err(|err| format!("cannot write the plan: {err}"))?;
    if let Some(path) = run.out {
        crate::paths::write_private(path, json.as_bytes()).map_err(|err| {
            format!(
                "cannot write {} ({err}): the previous file is as it was",
                path.display()
            )
        })?;
    }
    let shown = if run.table {
        plan.table(now.date_naive())
    } else if run.out.is_none() {
        json
    } else {
        return Ok(());
    };
    let _ = std::io::stdout().write_all(shown.as_bytes());
    Ok(())
}

/// One action's outcome, as `apply` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    Done,
    /// `dry_run`: it would have been done.
    WouldDo,
    Skipped {
        reason: String,
    },
    Failed {
        reason: String,
    },
}

/// One line of `apply`'s summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub account_id: String,
    pub user_name: String,
    pub access_key_id: String,
    pub action: RuleAction,
    pub finding: crate::audit::FindingId,
    pub due: chrono::NaiveDate,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The JSON summary of `apply --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub schema: &'static str,
    pub plan_created: DateTime<Utc>,
    pub applied_at: DateTime<Utc>,
    pub dry_run: bool,
    pub max_changes: usize,
    pub changes: usize,
    pub actions: Vec<Applied>,
}

/// How `apply` runs.
pub struct ApplyRun<'a> {
    pub plan_path: &'a std::path::Path,
    pub max_changes: usize,
    pub max_plan_age_hours: u32,
    pub dry_run: bool,
    pub yes: bool,
    pub json: bool,
    pub profile: &'a str,
    pub settings: &'a Settings,
    /// The long-term keys the caller's credentials are made from (the
    /// profile's own, its `source_profile`'s): never changed by the run
    /// that needs them.
    pub protected: &'a [String],
    /// Today's `[enforce]`: each action must still be what these rules,
    /// the fresh audit and the ledger call for.
    pub enforce: &'a EnforceSettings,
}

/// Read and check the plan: refused (exit 2) when it does not read, is of
/// another schema or too old.
///
/// # Errors
/// Why it is refused.
pub fn load_plan(
    path: &std::path::Path,
    now: DateTime<Utc>,
    max_age_hours: u32,
) -> Result<Plan, String> {
    let text = crate::bounded::read_required(path, "the plan", crate::bounded::PLAN)?;
    let plan = crate::enforce::apply::read(&text)?;
    crate::enforce::apply::check_age(&plan, now, max_age_hours)?;
    crate::enforce::apply::check_content(&plan)?;
    Ok(plan)
}

/// Ask once on the terminal; anything but `y`/`yes` is no.
fn confirm(due: &[&PlannedAction], dry_run: bool) -> bool {
    let mut err = std::io::stderr();
    let _ = writeln!(err, "iamkeys apply: {} due action(s):", due.len());
    for action in due {
        let _ = writeln!(err, "  {}", action.describe());
    }
    let _ = write!(
        err,
        "{} [y/N] ",
        if dry_run {
            "Check them (nothing is changed)?"
        } else {
            "Apply them?"
        }
    );
    let _ = err.flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// The key's status and last use at IAM now.
async fn fresh(
    client: &dyn IamClient,
    action: &PlannedAction,
    session_account: &str,
    session_key: Option<&str>,
    waived: bool,
) -> Result<Fresh, IamError> {
    if let Some(kind) = action.kind() {
        return fresh_credential(client, action, &kind, session_account, session_key, waived).await;
    }
    let keys = list_all_access_keys(client, &action.user_name).await?;
    let status = keys
        .iter()
        .find(|k| k.id == action.access_key_id)
        .map(|k| k.status);
    let last_used = if status.is_some() {
        client
            .access_key_last_used(&action.access_key_id)
            .await?
            .date
    } else {
        None
    };
    Ok(Fresh {
        session_account: session_account.to_owned(),
        session_key: session_key.map(ToOwned::to_owned),
        status,
        last_used,
        waived,
    })
}

/// Another credential's status at IAM now (IAM gives no last use for it).
async fn fresh_credential(
    client: &dyn IamClient,
    action: &PlannedAction,
    kind: &CredentialKind,
    session_account: &str,
    session_key: Option<&str>,
    waived: bool,
) -> Result<Fresh, IamError> {
    let listed =
        crate::iam::list_all_credentials(client, &action.user_name, kind.listing()).await?;
    let status = match listed
        .iter()
        .find(|c| c.id == action.access_key_id && c.kind == *kind)
        .map(|c| &c.status)
    {
        None => None,
        Some(CredentialStatus::Active) => Some(KeyStatus::Active),
        Some(CredentialStatus::Inactive) => Some(KeyStatus::Inactive),
        // Expired, or a word iamkeys does not know: never acted on.
        Some(other) => {
            return Err(IamError::new(
                crate::iam::ErrorKind::Conflict,
                kind.list_action(),
                format!(
                    "{} is {} now (neither Active nor Inactive)",
                    action.access_key_id,
                    crate::text::clean(other.as_str())
                ),
            ));
        }
    };
    Ok(Fresh {
        session_account: session_account.to_owned(),
        session_key: session_key.map(ToOwned::to_owned),
        status,
        last_used: None,
        waived,
    })
}

/// Without `--yes`: asked once on a terminal; refused without one.
fn asked(due: &[&PlannedAction], dry_run: bool) -> bool {
    if !std::io::stdin().is_terminal() {
        say(
            "refused: apply changes keys; without a terminal to ask, pass --yes (or --dry-run first)",
        );
        return false;
    }
    if !confirm(due, dry_run) {
        say("nothing applied");
        return false;
    }
    true
}

/// The audit before acting, complete or refused.
async fn audited(
    audit: impl std::future::Future<Output = Result<Report, String>>,
) -> Result<Report, String> {
    let report = audit.await?;
    if report.complete {
        return Ok(report);
    }
    for gap in &report.gaps {
        say(&format!("gap: {gap}"));
    }
    Err("refused: the audit before apply is incomplete, so a waiver honoured now cannot be ruled out: nothing applied".to_owned())
}

/// How an account of a plan is reached: its client, or why not.
pub type Reach<'a> =
    &'a (dyn Fn(&str) -> BoxFuture<'static, Result<crate::worker::Clients, String>> + Sync);

/// The audit of one account through its client (for the waivers honoured
/// now).
pub type AuditOf<'a> =
    &'a (dyn Fn(crate::worker::Clients) -> BoxFuture<'static, Result<Report, String>> + Sync);

/// One account's part of an apply: reached, audited, then each due action
/// re-checked and acted on within the run's budget of changes.
struct AccountRun<'a> {
    reach: Reach<'a>,
    audit_of: AuditOf<'a>,
    run: &'a ApplyRun<'a>,
    made: usize,
    /// An account could not be reached or audited: its actions were
    /// skipped, and the run says it could not check everything (exit 2).
    unchecked: bool,
}

impl AccountRun<'_> {
    async fn account(&mut self, account: &str, actions: &[&PlannedAction]) -> Vec<Outcome> {
        let skip_all = |reason: String| {
            actions
                .iter()
                .map(|_| Outcome::Skipped {
                    reason: reason.clone(),
                })
                .collect::<Vec<_>>()
        };
        let clients = match (self.reach)(account).await {
            Ok(clients) => clients,
            Err(why) => {
                self.unchecked = true;
                return skip_all(why);
            }
        };
        let client = clients.iam.clone();
        let identity = match client.caller_identity().await {
            Ok(identity) if identity.account_id == account => identity,
            Ok(identity) => {
                self.unchecked = true;
                return skip_all(format!(
                    "in account {account}, and its session answers as {}",
                    identity.account_id
                ));
            }
            Err(err) => {
                self.unchecked = true;
                return skip_all(format!(
                    "account {account} cannot be reached ({})",
                    err.cli_message(self.run.profile)
                ));
            }
        };
        // Waivers honoured now, and every key as the audit sees it now.
        let report = match audited((self.audit_of)(clients.clone())).await {
            Ok(report) => report,
            Err(why) => {
                self.unchecked = true;
                return skip_all(format!("account {account}: {why}"));
            }
        };
        // What today's audit, rules and ledger call for: the plan file is a
        // proposal, never the reason to act.
        let now = Utc::now();
        let today = match self.run.enforce.rules().and_then(|rules| {
            crate::enforce::plan::build(&Inputs {
                report: &report,
                rules: &rules,
                owner_tag: &self.run.enforce.owner_tag,
                notice_days: self.run.enforce.notice_days,
                caller: None,
                now,
            })
        }) {
            Ok(plan) => plan,
            Err(why) => {
                self.unchecked = true;
                return skip_all(format!("account {account}: {why}"));
            }
        };
        let actor = Actor {
            profile: self.run.profile.to_owned(),
            account_id: Some(identity.account_id.clone()),
            caller_arn: Some(identity.arn.clone()),
        };
        let mut changer = Changer::new(clients.clone(), self.run.settings, actor);
        let mut out = Vec::new();
        for action in actions {
            if self.made >= self.run.max_changes {
                out.push(Outcome::Skipped {
                    reason: format!("--max-changes {} reached", self.run.max_changes),
                });
                continue;
            }
            let waived = report.findings.iter().any(|f| {
                f.id == action.finding
                    && f.user_name == action.user_name
                    && f.access_key_id.as_deref() == Some(action.access_key_id.as_str())
                    && f.waived.is_some()
            });
            let called =
                crate::enforce::apply::still_called_for(action, &today, &report, now.date_naive());
            let outcome = act(
                client.as_ref(),
                &mut changer,
                action,
                &identity,
                Checks { waived, called },
                self.run,
            )
            .await;
            if matches!(outcome, Outcome::Done | Outcome::WouldDo) {
                self.made += 1;
            }
            out.push(outcome);
        }
        out
    }
}

/// `iamkeys apply PLAN`: each account of the plan's due actions reached
/// (`reach`), audited (`audit_of`), and its actions acted on.
pub async fn apply(
    plan: &Plan,
    reach: Reach<'_>,
    audit_of: AuditOf<'_>,
    run: &ApplyRun<'_>,
) -> ExitCode {
    let now = Utc::now();
    let today = now.date_naive();
    // By place in the plan: each action's outcome is its own, whatever
    // else the plan lists.
    let due: Vec<(usize, &PlannedAction)> = plan
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| crate::enforce::apply::due(a, today))
        .collect();
    let listed: Vec<&PlannedAction> = due.iter().map(|(_, a)| *a).collect();
    // A dry run changes nothing: it never asks and needs no --yes.
    if !due.is_empty() && !run.yes && !run.dry_run && !asked(&listed, run.dry_run) {
        return ExitCode::from(EXIT_REFUSED);
    }
    let mut accounts: Vec<&str> = Vec::new();
    for (_, action) in &due {
        if !accounts.contains(&action.account_id.as_str()) {
            accounts.push(&action.account_id);
        }
    }
    let mut runner = AccountRun {
        reach,
        audit_of,
        run,
        made: 0,
        unchecked: false,
    };
    let mut outcomes: std::collections::HashMap<usize, Outcome> = std::collections::HashMap::new();
    for account in accounts {
        let (places, mine): (Vec<usize>, Vec<&PlannedAction>) = due
            .iter()
            .copied()
            .filter(|(_, a)| a.account_id == account)
            .unzip();
        let results = runner.account(account, &mine).await;
        outcomes.extend(places.into_iter().zip(results));
    }
    let applied: Vec<Applied> = plan
        .actions
        .iter()
        .enumerate()
        .map(|(place, action)| Applied {
            account_id: action.account_id.clone(),
            user_name: action.user_name.clone(),
            access_key_id: action.access_key_id.clone(),
            action: action.action,
            finding: action.finding,
            due: action.due,
            outcome: outcomes.remove(&place).unwrap_or_else(|| Outcome::Skipped {
                reason: format!("not due until {}", action.due),
            }),
        })
        .collect();
    let failed = applied
        .iter()
        .any(|a| matches!(a.outcome, Outcome::Failed { .. }));
    let summary = Summary {
        schema: "iamkeys.apply/v1",
        plan_created: plan.created,
        applied_at: now,
        dry_run: run.dry_run,
        max_changes: run.max_changes,
        changes: runner.made,
        actions: applied,
    };
    let text = if run.json {
        crate::report::format::pretty_json(&summary).unwrap_or_default()
    } else {
        lines(&summary, plan)
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    ExitCode::from(if runner.unchecked {
        EXIT_REFUSED
    } else if failed {
        EXIT_FAILED
    } else {
        EXIT_DONE
    })
}

/// One line per action: `done: …`, `skipped: reason: …`, `failed: reason: …`.
fn lines(summary: &Summary, plan: &Plan) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for (applied, action) in summary.actions.iter().zip(&plan.actions) {
        let what = action.describe();
        let _ = match &applied.outcome {
            Outcome::Done => writeln!(out, "done: {what}"),
            Outcome::WouldDo => writeln!(out, "would do (dry run): {what}"),
            Outcome::Skipped { reason } if summary.dry_run => {
                writeln!(out, "would skip: {}: {what}", crate::text::clean(reason))
            }
            Outcome::Skipped { reason } => {
                writeln!(out, "skipped: {}: {what}", crate::text::clean(reason))
            }
            Outcome::Failed { reason } => {
                writeln!(out, "failed: {}: {what}", crate::text::clean(reason))
            }
        };
    }
    let _ = writeln!(
        out,
        "{} change{}{} (at most {})",
        summary.changes,
        if summary.changes == 1 { "" } else { "s" },
        if summary.dry_run {
            " would be made"
        } else {
            " made"
        },
        summary.max_changes
    );
    out
}

/// What the fresh audit says of one action: a waiver honoured now, and
/// whether today's rules and ledger still call for it.
struct Checks {
    waived: bool,
    called: Result<(), String>,
}

/// Re-check one due action at IAM and act on it.
async fn act(
    client: &dyn IamClient,
    changer: &mut Changer,
    action: &PlannedAction,
    identity: &crate::model::Identity,
    checks: Checks,
    run: &ApplyRun<'_>,
) -> Outcome {
    // The caller's own credentials are never changed by it: the key this
    // session signs with (checked again in `decide`), the long-term key its
    // profile is made from (a role or MFA profile's source), and any key of
    // the caller's own user.
    if run.protected.contains(&action.access_key_id) {
        return Outcome::Skipped {
            reason:
                "the caller's own credentials (the long-term key this run's profile signs in with)"
                    .to_owned(),
        };
    }
    let own_user = identity
        .arn
        .split_once(":user/")
        .map(|(_, path)| path.rsplit('/').next().unwrap_or(path));
    if identity.account_id == action.account_id && own_user == Some(action.user_name.as_str()) {
        return Outcome::Skipped {
            reason: "the caller's own credentials (a key of the caller's own user)".to_owned(),
        };
    }
    // (The account was checked when it was reached, and `decide` checks it
    // again against the session's.)
    let fresh = match fresh(
        client,
        action,
        &identity.account_id,
        identity.access_key_id.as_deref(),
        checks.waived,
    )
    .await
    {
        Ok(fresh) => fresh,
        // Deleted since the plan: nothing left to act on.
        Err(err) if err.kind == crate::iam::ErrorKind::NoSuchEntity => {
            return Outcome::Skipped {
                reason: "gone: the user no longer exists".to_owned(),
            };
        }
        Err(err) => {
            return Outcome::Failed {
                reason: format!("cannot re-check the key ({})", err.cli_message(run.profile)),
            };
        }
    };
    if let Decision::Skip(reason) = decide(action, &fresh) {
        return Outcome::Skipped { reason };
    }
    if let Err(reason) = checks.called {
        return Outcome::Skipped { reason };
    }
    if run.dry_run {
        return Outcome::WouldDo;
    }
    let change = match (action.action, action.kind()) {
        (RuleAction::MakeInactive, Some(kind)) => Change::SetCredentialStatus {
            user: action.user_name.clone(),
            kind,
            id: action.access_key_id.clone(),
            status: KeyStatus::Inactive,
        },
        // A rule never deletes another credential (refused in the config).
        (RuleAction::Delete, Some(_)) => {
            return Outcome::Failed {
                reason: "a plan deletes access keys only".to_owned(),
            };
        }
        (RuleAction::MakeInactive, None) => Change::SetStatus {
            user: action.user_name.clone(),
            key_id: action.access_key_id.clone(),
            status: KeyStatus::Inactive,
        },
        (RuleAction::Delete, None) => Change::Delete {
            user: action.user_name.clone(),
            key_id: action.access_key_id.clone(),
            unused_since: None,
        },
    };
    match changer.change(change, &action.account_id).await {
        Ok(_) => {
            // The ledger dates inactive access keys (for deleting them later).
            if action.action == RuleAction::MakeInactive && action.credential.is_none() {
                // As the UI does: when, and by whom, in the ledger.
                let record = Change::Record(crate::ledger::Draft {
                    account_id: action.account_id.clone(),
                    user: Some(action.user_name.clone()),
                    key_id: Some(action.access_key_id.clone()),
                    kind: crate::ledger::Kind::KeyMadeInactive,
                });
                if let Err(err) = changer.change(record, &action.account_id).await {
                    say(&format!(
                        "{} is inactive; it was not recorded in the ledger ({})",
                        action.access_key_id,
                        err.cli_message(run.profile)
                    ));
                }
            }
            Outcome::Done
        }
        // Deleted between the re-check and the change.
        Err(err) if err.kind == crate::iam::ErrorKind::NoSuchEntity => Outcome::Skipped {
            reason: "gone: the key no longer exists".to_owned(),
        },
        Err(err) => Outcome::Failed {
            reason: err.cli_message(run.profile),
        },
    }
}

/// How long a plan's audit may take.
pub const AUDIT_TIMEOUT: Duration = Duration::from_mins(20);
