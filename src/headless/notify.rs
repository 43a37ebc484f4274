//! `iamkeys notify`, run: each owner told by SNS and/or a webhook, a few
//! at a time within the run's deadline, and each notice sent recorded in
//! the ledger (`notice.sent`). The notices themselves are
//! `enforce::notify`'s (pure); the deliveries `enforce::deliver`'s.

use std::io::Write as _;
use std::process::ExitCode;

use chrono::Utc;

use super::enforce::{EXIT_DONE, EXIT_FAILED, EXIT_REFUSED, say};
use crate::enforce::plan::Plan;

/// `notice.sent` for each key of a notice delivered, per account.
async fn record_notice(
    ledger: &crate::ledger::Ledger,
    notice: &crate::enforce::notify::Notice,
    channel: &str,
) -> Result<(), crate::ledger::LedgerError> {
    let mut by_account: std::collections::BTreeMap<&str, Vec<crate::ledger::Draft>> =
        std::collections::BTreeMap::new();
    for a in &notice.actions {
        by_account
            .entry(a.account_id.as_str())
            .or_default()
            .push(crate::ledger::Draft {
                account_id: a.account_id.clone(),
                user: Some(a.user_name.clone()),
                key_id: Some(a.access_key_id.clone()),
                kind: crate::ledger::Kind::NoticeSent {
                    due: a.due,
                    owner: notice.owner.clone(),
                    channel: channel.to_owned(),
                },
            });
    }
    for drafts in by_account.into_values() {
        ledger.append(drafts, Utc::now()).await?;
    }
    Ok(())
}

/// How many owners `notify` tells at once.
const NOTIFY_AT_ONCE: usize = 4;

/// Tell one owner by each way configured, and record it in the ledger:
/// the lines to print (`Ok`) and the failures (`Err`).
async fn deliver(
    notice: &crate::enforce::notify::Notice,
    sns: Option<&(crate::enforce::deliver::Sns, &String)>,
    http: Option<&(crate::enforce::deliver::Http, &str)>,
    ledger: Option<&crate::ledger::Ledger>,
) -> Vec<Result<String, String>> {
    let mut lines = Vec::new();
    let mut sent = Vec::new();
    if let Some((client, topic)) = sns {
        match crate::enforce::deliver::sns(client, topic, notice).await {
            Ok(()) => sent.push("SNS"),
            Err(err) => lines.push(Err(err)),
        }
    }
    if let Some((client, url)) = http {
        match crate::enforce::deliver::webhook(client, url, notice).await {
            Ok(()) => sent.push("webhook"),
            Err(err) => lines.push(Err(err)),
        }
    }
    if !sent.is_empty() {
        lines.push(Ok(format!(
            "told {} ({} key{}) by {}",
            notice.owner,
            notice.actions.len(),
            if notice.actions.len() == 1 { "" } else { "s" },
            sent.join(" and ")
        )));
        if let Some(ledger) = ledger
            && let Err(err) = record_notice(ledger, notice, &sent.join("+")).await
        {
            lines.push(Err(format!("told, but {err}")));
        }
    }
    lines
}

/// `iamkeys notify PLAN`: one notice per owner, sent where `[notify]`
/// says (or printed with `--dry-run`), each notice sent recorded in the
/// ledger (`notice.sent`, per key: a due date is never sooner than
/// `notice_days` after the owner was first told). Exit 1 when any delivery
/// or record failed.
pub async fn notify(
    plan: &Plan,
    settings: &crate::enforce::notify::NotifySettings,
    sdk: Option<&aws_config::SdkConfig>,
    ledger: Option<&crate::ledger::Ledger>,
    dry_run: bool,
    deadline: tokio::time::Instant,
) -> ExitCode {
    let notices = crate::enforce::notify::notices(
        plan,
        settings.fallback_owner.as_deref(),
        Utc::now().date_naive(),
    );
    let mut out = std::io::stdout();
    if notices.is_empty() {
        let _ = writeln!(out, "No action in the plan: nobody to tell.");
        return ExitCode::from(EXIT_DONE);
    }
    if dry_run {
        let via = crate::enforce::notify::channel(settings);
        let _ = writeln!(
            out,
            "Dry run: nothing is sent. A real run sends via {via}.\n"
        );
        for notice in &notices {
            let _ = writeln!(
                out,
                "To: {}\nVia: {via}\nSubject: {}\n\n{}",
                notice.owner, notice.subject, notice.text
            );
        }
        return ExitCode::from(EXIT_DONE);
    }
    if settings.sns_topic_arn.is_none() && settings.webhook_url.is_none() {
        say(
            "refused: [notify] names no sns_topic_arn and no webhook_url (use --dry-run to print the notices)",
        );
        return ExitCode::from(EXIT_REFUSED);
    }
    let sns = match (&settings.sns_topic_arn, sdk) {
        (Some(topic), Some(config)) => match crate::enforce::deliver::sns_client(config, topic) {
            Ok(client) => Some((client, topic)),
            Err(err) => {
                say(&err);
                return ExitCode::from(EXIT_REFUSED);
            }
        },
        _ => None,
    };
    let http = match settings
        .webhook_url
        .as_deref()
        .map(|url| crate::enforce::deliver::http_client().map(|client| (client, url)))
    {
        Some(Ok(pair)) => Some(pair),
        Some(Err(err)) => {
            say(&err);
            return ExitCode::from(EXIT_REFUSED);
        }
        None => None,
    };
    // A few owners at a time, all within the run's deadline: an owner
    // not told by then is named as failed.
    let sns = sns.as_ref();
    let http = http.as_ref();
    let deliveries = notices.iter().map(|notice| async move {
        let told = tokio::time::timeout_at(deadline, deliver(notice, sns, http, ledger)).await;
        (notice, told)
    });
    let mut outcomes =
        futures::StreamExt::buffered(futures::stream::iter(deliveries), NOTIFY_AT_ONCE);
    let mut failed = false;
    while let Some((notice, told)) = futures::StreamExt::next(&mut outcomes).await {
        let lines = told.unwrap_or_else(|_| {
            vec![Err(format!(
                "not told: the run's --timeout passed before {} answered",
                notice.owner
            ))]
        });
        for line in lines {
            match line {
                Ok(text) => {
                    let _ = writeln!(out, "{text}");
                }
                Err(err) => {
                    failed = true;
                    let _ = writeln!(out, "failed: {}: {err}", notice.owner);
                }
            }
        }
    }
    ExitCode::from(if failed { EXIT_FAILED } else { EXIT_DONE })
}
