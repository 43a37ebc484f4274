//! `iamkeys ledger import-tags`: each `iamkeys:*` tag an earlier iamkeys
//! wrote (or anyone could), shown with what importing it would record, and
//! moved into the ledger one by one (or all with `--yes --reason`).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta, Utc};
use color_eyre::eyre::Result;

use super::{DONE, REFUSED, account, refused};
use crate::cli::LedgerImportArgs;
use crate::config::Config;
use crate::iam::IamClient;
use crate::ledger::event::MAX_TEXT;
use crate::ledger::{Draft, Kind, Ledger};
use crate::text::clean;

/// One `iamkeys:*` tag, and what importing it would record (or why not).
struct Found {
    user: String,
    tag: String,
    value: String,
    draft: Result<Draft, String>,
}

/// What an `iamkeys:*` tag would become in the ledger.
pub(super) fn import_draft(
    account: &str,
    user: &str,
    tag: &str,
    value: &str,
    today: NaiveDate,
    max_days: u32,
    reason: &str,
) -> Result<Draft, String> {
    let draft = |key_id: Option<String>, kind| Draft {
        account_id: account.to_owned(),
        user: Some(user.to_owned()),
        key_id,
        kind,
    };
    let from = format!("{tag}={value}");
    if tag.starts_with(crate::audit::waivers::PREFIX) {
        let (read, bad) = crate::audit::waivers::parse(user, &[(tag.to_owned(), value.to_owned())]);
        if let Some(bad) = bad.first() {
            return Err(format!("it does not read: {}", bad.why));
        }
        let waiver = read.into_iter().next().ok_or("it does not read")?;
        if waiver.finding.is_key_level() && waiver.key_id.is_none() {
            return Err(crate::audit::waivers::WHOLE_USER.to_owned());
        }
        if waiver.until < today {
            return Err(format!("its date {} has passed", waiver.until));
        }
        if waiver.until > today + TimeDelta::days(i64::from(max_days)) {
            return Err(format!(
                "{} is more than {max_days} days away (max_waiver_days)",
                waiver.until
            ));
        }
        let text = format!(
            "{} (tag by {}; imported: {reason})",
            waiver.reason, waiver.by
        );
        let text: String = text.chars().take(MAX_TEXT).collect();
        return Ok(draft(
            waiver.key_id,
            Kind::WaiverGranted {
                finding: waiver.finding,
                until: waiver.until,
                reason: clean(&text).into_owned(),
                from_tag: Some(from),
            },
        ));
    }
    if tag == crate::handoff::TAG {
        let arn = value
            .trim()
            .strip_prefix("secretsmanager:")
            .filter(|rest| rest.starts_with("arn:"))
            .ok_or("not a full ARN (a bare name resolves in whatever region the operator is in): set it with iamkeys ledger handoff --target ARN")?;
        crate::handoff::Target::parse_arn(arn)?;
        return Ok(draft(
            None,
            Kind::HandoffSet {
                target: arn.to_owned(),
                from_tag: Some(from),
            },
        ));
    }
    if tag.starts_with(crate::effect::INACTIVE_SINCE)
        || tag.starts_with(crate::enforce::plan::DUE_TAG)
    {
        return Err("dates are never taken from a tag: the ledger dates a key from CloudTrail, from when iamkeys sees it, or from plan --record".to_owned());
    }
    if tag.starts_with(crate::effect::ROTATION) {
        return Err(
            "a rotation is recorded when it starts: press R on the key to begin one in the ledger"
                .to_owned(),
        );
    }
    Err("not a tag iamkeys ever wrote".to_owned())
}

/// Every `iamkeys:*` tag of the account's users (one walk of
/// `GetAccountAuthorizationDetails`), each with what it would become.
async fn gather(
    client: &Arc<dyn IamClient>,
    account: &str,
    max_days: u32,
    reason: &str,
) -> Result<Vec<Found>, String> {
    let today = Utc::now().date_naive();
    let mut found = Vec::new();
    let mut marker = None;
    let mut pages = crate::iam::pages::Pages::new();
    loop {
        let (page, _) = client
            .authorization_details(marker.clone())
            .await
            .map_err(|err| format!("the users' tags cannot be read: {err}"))?;
        for (user, tags) in page.items {
            for (tag, value) in tags.into_iter().filter(|(k, _)| k.starts_with("iamkeys:")) {
                let draft = import_draft(account, &user, &tag, &value, today, max_days, reason);
                found.push(Found {
                    user: user.clone(),
                    tag,
                    value,
                    draft,
                });
            }
        }
        match pages.next("iam:GetAccountAuthorizationDetails", page.next_marker) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => return Ok(found),
            Err(err) => return Err(format!("the tags were not all read: {err}")),
        }
    }
}

pub(super) async fn import_tags(
    client: &Arc<dyn IamClient>,
    ledger: &Ledger,
    config: &Config,
    args: &LedgerImportArgs,
) -> ExitCode {
    let account = match account(client, None).await {
        Ok(account) => account,
        Err(why) => return refused(&why),
    };
    if !args.yes && !std::io::stdin().is_terminal() {
        return refused(
            "no terminal to confirm each tag: pass --yes --reason TEXT to import all of them",
        );
    }
    let reason = args
        .reason
        .as_deref()
        .map(|r| r.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "confirmed one by one".to_owned());
    let found = match gather(client, &account, config.audit.max_waiver_days, &reason).await {
        Ok(found) => found,
        Err(why) => return refused(&why),
    };
    let mut out = std::io::stdout();
    if found.is_empty() {
        let _ = writeln!(out, "No iamkeys:* tag in account {account}.");
        return ExitCode::from(DONE);
    }
    let stdin = std::io::stdin();
    let mut failed = false;
    let (mut imported, mut skipped) = (0, 0);
    for item in found {
        let shown = format!(
            "{} {}={}",
            clean(&item.user),
            clean(&item.tag),
            clean(&item.value)
        );
        let draft = match item.draft {
            Ok(draft) => draft,
            Err(why) => {
                skipped += 1;
                let _ = writeln!(out, "not imported: {shown}: {why}");
                continue;
            }
        };
        if !args.yes {
            let _ = write!(
                out,
                "import {shown} as {} ({})? [y/N] ",
                draft.kind.name(),
                draft.kind.summary()
            );
            let _ = out.flush();
            let mut answer = String::new();
            if stdin.lock().read_line(&mut answer).is_err()
                || !matches!(answer.trim(), "y" | "Y" | "yes")
            {
                skipped += 1;
                let _ = writeln!(out, "left as a claim: {shown}");
                continue;
            }
        }
        match ledger.append(vec![draft], Utc::now()).await {
            Ok(events) => {
                imported += 1;
                for e in events {
                    let _ = writeln!(
                        out,
                        "imported {shown} as {} {} by {}",
                        e.kind.name(),
                        e.id,
                        e.by
                    );
                }
            }
            Err(err) => {
                failed = true;
                let _ = writeln!(
                    std::io::stderr(),
                    "iamkeys ledger: {shown}: {err}: not imported"
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{imported} imported, {skipped} left as claims (the tags themselves are left as they are: remove them in IAM once imported)."
    );
    ExitCode::from(if failed { REFUSED } else { DONE })
}
