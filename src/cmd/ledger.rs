//! `iamkeys ledger`: show the events and what they fold to, grant and
//! revoke waivers from a ticket or a pipeline (the same rules as `W`), set
//! hand-off targets and owners, check who can write the ledger, and move
//! `iamkeys:*` tags into it one by one. Every record's writer is the caller
//! STS names for the profile's own credentials (never typed).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta, Utc};
use color_eyre::eyre::Result;
use serde_json::json;

use crate::audit::FindingId;
use crate::cli::{
    LedgerCommand, LedgerHandoffArgs, LedgerOwnerArgs, LedgerRevokeArgs, LedgerShowArgs,
    LedgerWaiveArgs, PlanFormat,
};
use crate::config::Config;
use crate::iam::{ErrorKind, IamClient};
use crate::ledger::event::{MAX_TEXT, is_key_id, is_user_name};
use crate::ledger::{Draft, Event, Folded, Kind, Ledger, Location};
use crate::text::clean;

mod import;

/// Exit codes.
const DONE: u8 = 0;
const WARN: u8 = 1;
const REFUSED: u8 = 2;

fn refused(message: &str) -> ExitCode {
    let _ = writeln!(
        std::io::stderr(),
        "iamkeys ledger: {}",
        clean(message).replace('\n', " ")
    );
    ExitCode::from(REFUSED)
}

/// Run one `iamkeys ledger` command.
///
/// # Errors
/// The async runtime cannot start, or the ledger's location does not read.
pub fn run(start: &super::start::Start<'_>, command: &LedgerCommand) -> Result<ExitCode> {
    let config = &start.config;
    super::start::runtime()?.block_on(async {
        let clients = start.clients(start.profile.clone()).await;
        let client = clients.iam.clone();
        let ledger = start.ledger_for(&client)?;
        Ok(match command {
            LedgerCommand::Show(args) => show(&ledger, args).await,
            LedgerCommand::Waive(args) => record(&ledger, waive(&client, config, args).await).await,
            LedgerCommand::Revoke(args) => {
                record(&ledger, revoke(&client, &ledger, args).await).await
            }
            LedgerCommand::Handoff(args) => record(&ledger, handoff(&client, args).await).await,
            LedgerCommand::Owner(args) => record(&ledger, owner(&client, args).await).await,
            LedgerCommand::Check => check(&ledger).await,
            LedgerCommand::ImportTags(args) => {
                import::import_tags(&client, &ledger, config, args).await
            }
        })
    })
}

/// The account to act on: `--account`, else the profile's own.
async fn account(client: &Arc<dyn IamClient>, flag: Option<&str>) -> Result<String, String> {
    match flag {
        Some(id) if crate::model::is_account_id(id) => Ok(id.to_owned()),
        Some(id) => Err(format!("--account {id} is not an account ID (12 digits)")),
        None => client
            .caller_identity()
            .await
            .map(|i| i.account_id)
            .map_err(|e| format!("the profile's account cannot be told: {e}")),
    }
}

/// Append the drafted event, saying what was recorded (or why not).
async fn record(ledger: &Ledger, draft: Result<Draft, String>) -> ExitCode {
    let draft = match draft {
        Ok(draft) => draft,
        Err(why) => return refused(&why),
    };
    match ledger.append(vec![draft], Utc::now()).await {
        Ok(events) => {
            let mut out = std::io::stdout();
            for event in events {
                let _ = writeln!(
                    out,
                    "recorded {} {} in {} by {}: {}",
                    event.kind.name(),
                    event.id,
                    ledger.place(&event.account_id),
                    event.by,
                    event.kind.summary()
                );
            }
            ExitCode::from(DONE)
        }
        Err(err) => refused(&format!("{err}: nothing was recorded")),
    }
}

/// The keys of `user` in the profile's own account, or why they cannot be
/// listed (`None`: another account, not checked here).
async fn own_keys(
    client: &Arc<dyn IamClient>,
    account: &str,
    user: &str,
) -> Result<Option<Vec<String>>, String> {
    let own = client
        .caller_identity()
        .await
        .map_err(|e| format!("the profile's account cannot be told: {e}"))?;
    if own.account_id != account {
        return Ok(None);
    }
    let listed = async {
        let client = client.as_ref();
        let mut ids: Vec<String> = crate::iam::list_all_access_keys(client, user)
            .await?
            .into_iter()
            .map(|k| k.id)
            .collect();
        // Its other long-term credentials' findings are waived by their IDs.
        for listing in crate::model::credential::Listing::ALL {
            let credentials = crate::iam::list_all_credentials(client, user, listing).await?;
            ids.extend(credentials.into_iter().map(|c| c.id));
        }
        Ok::<_, crate::iam::IamError>(ids)
    };
    match listed.await {
        Ok(ids) => Ok(Some(ids)),
        Err(err) if err.kind == ErrorKind::NoSuchEntity => {
            Err(format!("user {user} does not exist in account {account}"))
        }
        Err(err) => Err(format!("{user}'s keys cannot be listed: {err}")),
    }
}

/// The waiver as `W` would grant it, or why not.
fn waiver_draft(
    args: &LedgerWaiveArgs,
    account: &str,
    today: NaiveDate,
    max_days: u32,
) -> Result<Draft, String> {
    let finding = FindingId::parse_word(&args.finding).ok_or_else(|| {
        format!(
            "--finding {} is not a finding id ({})",
            args.finding,
            FindingId::ALL.map(FindingId::as_str).join(", ")
        )
    })?;
    if !is_user_name(&args.user) {
        return Err(format!("--user {} is not an IAM user name", args.user));
    }
    match (&args.key, finding.is_key_level()) {
        (None, true) => {
            return Err(format!(
                "{finding} is about one key: name it with --key ({})",
                crate::audit::waivers::WHOLE_USER
            ));
        }
        (Some(key), false) => {
            return Err(format!(
                "{finding} is about the whole user: --key {key} does not apply"
            ));
        }
        (Some(key), true) if !is_key_id(key) => {
            return Err(format!("--key {key} is not an access key ID"));
        }
        _ => {}
    }
    let until = NaiveDate::parse_from_str(args.until.trim(), "%Y-%m-%d")
        .map_err(|_| format!("--until {} is not a date (YYYY-MM-DD)", args.until))?;
    if until < today {
        return Err(format!("--until {until} has passed"));
    }
    if until > today + TimeDelta::days(i64::from(max_days)) {
        return Err(format!(
            "--until {until} is more than {max_days} days away (max_waiver_days)"
        ));
    }
    let reason = args.reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() || reason.chars().count() > MAX_TEXT {
        return Err(format!("--reason must be 1 to {MAX_TEXT} characters"));
    }
    Ok(Draft {
        account_id: account.to_owned(),
        user: Some(args.user.clone()),
        key_id: args.key.clone(),
        kind: Kind::WaiverGranted {
            finding,
            until,
            reason: clean(&reason).into_owned(),
            from_tag: None,
        },
    })
}

/// The user named by `--user`, if it is an IAM user name.
fn user_arg(user: &str) -> Result<String, String> {
    if is_user_name(user) {
        Ok(user.to_owned())
    } else {
        Err(format!("--user {user} is not an IAM user name"))
    }
}

async fn waive(
    client: &Arc<dyn IamClient>,
    config: &Config,
    args: &LedgerWaiveArgs,
) -> Result<Draft, String> {
    let account = account(client, args.account.account.as_deref()).await?;
    let draft = waiver_draft(
        args,
        &account,
        Utc::now().date_naive(),
        config.audit.max_waiver_days,
    )?;
    match own_keys(client, &account, &args.user).await? {
        Some(keys) => {
            if let Some(key) = &args.key
                && !keys.contains(key)
            {
                return Err(format!(
                    "{key} is not among {}'s keys in account {account}",
                    args.user
                ));
            }
        }
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "iamkeys ledger: account {account} is not this profile's: the user and key are not checked against IAM here (the audit will)"
            );
        }
    }
    Ok(draft)
}

async fn revoke(
    client: &Arc<dyn IamClient>,
    ledger: &Ledger,
    args: &LedgerRevokeArgs,
) -> Result<Draft, String> {
    let account = account(client, args.account.account.as_deref()).await?;
    let folded = ledger
        .fold(&account)
        .await
        .map_err(|err| format!("{err}: nothing was recorded"))?;
    let Some(waiver) = folded.waivers.iter().find(|w| w.id == args.id) else {
        return Err(format!(
            "{} is not a live waiver in account {account}'s ledger (ledger show lists them)",
            args.id
        ));
    };
    let reason = args.reason.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(Draft {
        account_id: account,
        user: Some(waiver.user.clone()),
        key_id: waiver.key_id.clone(),
        kind: Kind::WaiverRevoked {
            waiver: waiver.id.clone(),
            reason: if reason.is_empty() {
                "revoked".to_owned()
            } else {
                reason
            },
        },
    })
}

async fn handoff(client: &Arc<dyn IamClient>, args: &LedgerHandoffArgs) -> Result<Draft, String> {
    let account = account(client, args.account.account.as_deref()).await?;
    let user = user_arg(&args.user)?;
    crate::handoff::Target::parse_arn(&args.target).map_err(|why| format!("--target: {why}"))?;
    Ok(Draft {
        account_id: account,
        user: Some(user),
        key_id: None,
        kind: Kind::HandoffSet {
            target: args.target.clone(),
            from_tag: None,
        },
    })
}

async fn owner(client: &Arc<dyn IamClient>, args: &LedgerOwnerArgs) -> Result<Draft, String> {
    let account = account(client, args.account.account.as_deref()).await?;
    let user = user_arg(&args.user)?;
    Ok(Draft {
        account_id: account,
        user: Some(user),
        key_id: None,
        kind: Kind::OwnerSet {
            owner: args.owner.trim().to_owned(),
            from_tag: None,
        },
    })
}

fn event_json(event: &Event) -> serde_json::Value {
    serde_json::from_str(&event.to_line()).unwrap_or_default()
}

/// What an account's ledger folds to, as JSON.
fn state_json(folded: &Folded, user: Option<&str>) -> serde_json::Value {
    let mine = |u: &str| user.is_none_or(|want| want == u);
    json!({
        "waivers": folded.waivers.iter().filter(|w| mine(&w.user)).map(|w| json!({
            "id": w.id, "user": w.user, "access_key_id": w.key_id, "finding": w.finding,
            "until": w.until, "reason": w.reason, "by": w.by, "at": w.at, "from_tag": w.from_tag,
        })).collect::<Vec<_>>(),
        "revoked": folded.revoked.keys().collect::<Vec<_>>(),
        "rotations": folded.rotations.iter().filter(|r| mine(&r.user)).map(|r| json!({
            "user": r.user, "old_access_key_id": r.old, "new_access_key_id": r.new,
            "started": r.started, "first_used": r.first_used, "by": r.by,
        })).collect::<Vec<_>>(),
        "handoff": folded.handoff.iter().filter(|(u, _)| mine(u)).map(|(u, s)| json!({
            "user": u, "target": s.value, "by": s.by, "at": s.at,
        })).collect::<Vec<_>>(),
        "inactive": folded.inactive.iter().filter(|(_, d)| mine(&d.user)).map(|(k, d)| json!({
            "user": d.user, "access_key_id": k, "since": d.at,
            "source": match d.source {
                None => "iamkeys",
                Some(crate::ledger::event::InactiveSource::Cloudtrail) => "cloudtrail",
                Some(crate::ledger::event::InactiveSource::Seen) => "seen",
            },
            "by": d.by,
        })).collect::<Vec<_>>(),
        "due": folded.due.iter().filter(|(_, d)| mine(&d.user)).map(|(k, d)| json!({
            "user": d.user, "access_key_id": k, "due": d.due, "action": d.action,
            "finding": d.finding, "recorded": d.recorded, "first_notice": d.first_notice, "by": d.by,
        })).collect::<Vec<_>>(),
        "owners": folded.owners.iter().filter(|(u, _)| mine(u)).map(|(u, s)| json!({
            "user": u, "owner": s.value, "by": s.by, "at": s.at,
        })).collect::<Vec<_>>(),
    })
}

fn state_lines(folded: &Folded, user: Option<&str>) -> Vec<String> {
    let mine = |u: &str| user.is_none_or(|want| want == u);
    let mut lines = Vec::new();
    for w in folded.waivers.iter().filter(|w| mine(&w.user)) {
        lines.push(format!(
            "  waiver {} {} {}{} until {} by {}: {}",
            w.id,
            clean(&w.user),
            w.finding,
            w.key_id
                .as_deref()
                .map(|k| format!(" {k}"))
                .unwrap_or_default(),
            w.until,
            clean(&w.by),
            clean(&w.reason)
        ));
    }
    for r in folded.rotations.iter().filter(|r| mine(&r.user)) {
        lines.push(format!(
            "  rotation {} {} → {} since {}{}",
            clean(&r.user),
            r.old,
            r.new,
            r.started.format("%Y-%m-%d %H:%M"),
            r.first_used
                .map(|t| format!(", new key first used {}", t.format("%Y-%m-%d %H:%M")))
                .unwrap_or_default()
        ));
    }
    for (u, s) in folded.handoff.iter().filter(|(u, _)| mine(u)) {
        lines.push(format!("  hand-off {} → {}", clean(u), clean(&s.value)));
    }
    for (k, d) in folded.inactive.iter().filter(|(_, d)| mine(&d.user)) {
        lines.push(format!(
            "  inactive {} {k} since {}",
            clean(&d.user),
            d.at.format("%Y-%m-%d %H:%M")
        ));
    }
    for (k, d) in folded.due.iter().filter(|(_, d)| mine(&d.user)) {
        lines.push(format!(
            "  due {} {k}: {} on {} ({})",
            clean(&d.user),
            d.action,
            d.due,
            d.finding
        ));
    }
    for (u, s) in folded.owners.iter().filter(|(u, _)| mine(u)) {
        lines.push(format!("  owner {} = {}", clean(u), clean(&s.value)));
    }
    lines
}

async fn show(ledger: &Ledger, args: &LedgerShowArgs) -> ExitCode {
    let accounts = match &args.account {
        Some(id) if crate::model::is_account_id(id) => vec![id.clone()],
        Some(id) => return refused(&format!("--account {id} is not an account ID (12 digits)")),
        None => match ledger.accounts().await {
            Ok(accounts) => accounts,
            Err(err) => return refused(&err.to_string()),
        },
    };
    let user = args.user.as_deref();
    let mut out = std::io::stdout();
    let mut failed = false;
    let mut shown = Vec::new();
    // Each account's ledger is one read: many at once (an organization's
    // hundreds of members), answered in the accounts' order.
    let read: Vec<_> = {
        use futures::StreamExt;
        futures::stream::iter(accounts.iter().map(|account| ledger.events(account)))
            .buffered(32)
            .collect()
            .await
    };
    for (account, events) in accounts.iter().zip(read) {
        let events = match events {
            Ok(events) => events,
            Err(err) => {
                failed = true;
                let _ = writeln!(std::io::stderr(), "iamkeys ledger: {err}");
                continue;
            }
        };
        let folded = match Folded::new(account, &events) {
            Ok(folded) => folded,
            Err(why) => {
                failed = true;
                let _ = writeln!(
                    std::io::stderr(),
                    "iamkeys ledger: {} does not read: {why}",
                    ledger.place(account)
                );
                continue;
            }
        };
        let events: Vec<&Event> = events
            .iter()
            .filter(|e| user.is_none() || e.user.as_deref() == user)
            .collect();
        shown.push((
            account.clone(),
            events.into_iter().cloned().collect::<Vec<_>>(),
            folded,
        ));
    }
    match args.format {
        PlanFormat::Json => {
            let value = json!({
                "schema": "iamkeys.ledger-show/v1",
                "location": ledger.location().to_string(),
                "accounts": shown.iter().map(|(account, events, folded)| json!({
                    "account_id": account,
                    "place": ledger.place(account),
                    "events": events.iter().map(event_json).collect::<Vec<_>>(),
                    "state": state_json(folded, user),
                })).collect::<Vec<_>>(),
            });
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        }
        PlanFormat::Table => print_table(&mut out, ledger, &shown, user, failed),
    }
    ExitCode::from(if failed { REFUSED } else { DONE })
}

/// `ledger show` for people: each account's events, then what they fold to.
fn print_table(
    out: &mut impl Write,
    ledger: &Ledger,
    shown: &[(String, Vec<Event>, Folded)],
    user: Option<&str>,
    failed: bool,
) {
    let _ = writeln!(out, "Ledger: {}", ledger.location());
    if shown.is_empty() && !failed {
        let _ = writeln!(out, "No events.");
    }
    for (account, events, folded) in shown {
        let _ = writeln!(
            out,
            "\nAccount {account} ({} events) — {}",
            events.len(),
            ledger.place(account)
        );
        for e in events {
            let _ = writeln!(
                out,
                "  {} {} {} {} {}{} by {}: {}",
                e.at.format("%Y-%m-%d %H:%M"),
                e.id,
                e.kind.name(),
                clean(e.user.as_deref().unwrap_or("-")),
                e.key_id.as_deref().unwrap_or(""),
                if e.key_id.is_some() { "" } else { "-" },
                clean(&e.by),
                e.kind.summary()
            );
        }
        let state = state_lines(folded, user);
        if !state.is_empty() {
            let _ = writeln!(out, " State:");
            for line in state {
                let _ = writeln!(out, "{line}");
            }
        }
    }
}

async fn check(ledger: &Ledger) -> ExitCode {
    let mut out = std::io::stdout();
    let writer = ledger.writer().await;
    let _ = writeln!(out, "ledger: {}", ledger.location());
    match &writer {
        Ok(arn) => {
            let _ = writeln!(out, "this session writes as: {arn}");
        }
        Err(err) => {
            let _ = writeln!(out, "this session cannot write: {err}");
        }
    }
    let lines = match ledger.location() {
        Location::Memory => vec![crate::ledger::check::Line {
            warn: false,
            text: "the demo's ledger: in memory, gone when the program ends".to_owned(),
        }],
        Location::Local(dir) => local_lines(dir),
        Location::S3 { bucket, prefix } => match ledger.s3_store() {
            Some(s3) => crate::ledger::check::s3_lines(&s3.posture().await, bucket, prefix),
            None => Vec::new(),
        },
    };
    let mut warned = false;
    for line in lines {
        warned |= line.warn;
        let _ = writeln!(
            out,
            "{} {}",
            if line.warn { "WARN" } else { "ok  " },
            line.text
        );
    }
    ExitCode::from(if warned || writer.is_err() {
        WARN
    } else {
        DONE
    })
}

/// A local ledger: the directory, its mode and owner.
fn local_lines(dir: &std::path::Path) -> Vec<crate::ledger::check::Line> {
    use crate::ledger::check::Line;
    let mut lines = Vec::new();
    match std::fs::symlink_metadata(dir) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => lines.push(Line {
            warn: false,
            text: "no event recorded yet (the directory is made, 0700, with the first)".to_owned(),
        }),
        Err(err) => lines.push(Line {
            warn: true,
            text: format!("the directory cannot be read: {err}"),
        }),
        Ok(meta) if meta.file_type().is_symlink() => lines.push(Line {
            warn: true,
            text: "the directory is a symbolic link: the ledger follows none".to_owned(),
        }),
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::{MetadataExt, PermissionsExt};
                let mode = meta.permissions().mode() & 0o777;
                let others = mode & 0o077;
                let open = others != 0;
                lines.push(Line {
                    warn: open,
                    text: format!(
                        "directory mode {mode:o}, owner uid {}{}",
                        meta.uid(),
                        if open {
                            ": others can read or write it (want 700)"
                        } else {
                            ""
                        }
                    ),
                });
            }
            #[cfg(not(unix))]
            let _ = meta;
        }
    }
    lines.push(Line {
        warn: false,
        text: "who can write it: this machine's user (and root); for a team, set [ledger] location = \"s3://bucket/prefix\"".to_owned(),
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::import::import_draft;
    use super::*;

    fn args(finding: &str, key: Option<&str>, until: &str) -> LedgerWaiveArgs {
        LedgerWaiveArgs {
            account: crate::cli::LedgerAccount::default(),
            user: "alice".into(),
            key: key.map(ToOwned::to_owned),
            finding: finding.into(),
            until: until.into(),
            reason: "SEC-1".into(),
        }
    }

    #[test]
    fn a_waiver_from_the_command_line_follows_w_s_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let key = Some("AKIAIOSFODNN7EXAMPLE");
        let ok = waiver_draft(
            &args("unused", key, "2026-12-31"),
            "111111111111",
            today,
            30,
        );
        assert!(ok.is_ok(), "{ok:?}");
        for (a, want) in [
            (args("unused", None, "2026-12-31"), "name it with --key"),
            (args("2active", key, "2026-12-31"), "whole user"),
            (args("unused", key, "2026-12-01"), "has passed"),
            (args("unused", key, "2027-03-01"), "max_waiver_days"),
            (args("nope", key, "2026-12-31"), "not a finding id"),
            (
                args("unused", Some("akia"), "2026-12-31"),
                "not an access key ID",
            ),
        ] {
            let err = waiver_draft(&a, "111111111111", today, 30).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn only_waivers_and_full_arn_handoffs_are_importable() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let import = |tag: &str, value: &str| {
            import_draft("111111111111", "alice", tag, value, today, 30, "moved")
        };
        let ok = import(
            "iamkeys:waive:unused_key:AKIAIOSFODNN7EXAMPLE",
            "2026-12-31 bob legacy box",
        )
        .unwrap();
        assert!(
            matches!(&ok.kind, Kind::WaiverGranted { reason, from_tag: Some(t), .. }
            if reason.contains("legacy box") && reason.contains("imported: moved") && t.starts_with("iamkeys:waive:"))
        );
        assert!(import("iamkeys:waive:unused_key", "2026-12-31 bob x").is_err());
        assert!(
            import(
                "iamkeys:waive:unused_key:AKIAIOSFODNN7EXAMPLE",
                "2027-12-31 bob x"
            )
            .is_err()
        );
        assert!(
            import(
                "iamkeys:handoff",
                "secretsmanager:arn:aws:secretsmanager:eu-west-1:111111111111:secret:app-AbC"
            )
            .is_ok()
        );
        assert!(import("iamkeys:handoff", "secretsmanager:app/key").is_err());
        assert!(
            import(
                "iamkeys:inactive-since:AKIAIOSFODNN7EXAMPLE",
                "2020-01-01T00:00:00Z x"
            )
            .unwrap_err()
            .contains("never taken from a tag")
        );
        assert!(import("iamkeys:due:AKIAIOSFODNN7EXAMPLE", "2026-12-07").is_err());
        assert!(import("iamkeys:rotation:AKIAIOSFODNN7EXAMPLE", "x").is_err());
    }
}
