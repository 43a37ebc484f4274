//! The notices `iamkeys notify` sends: one per owner, listing their keys,
//! the finding, what will happen and when, and how to keep the key. Pure:
//! the plan in, messages out ([`super::deliver`] sends them).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::rules::RuleAction;
use crate::audit::FindingId;

/// `[notify]`: where notices go.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NotifySettings {
    /// An SNS topic: one `Publish` per owner (subject and text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sns_topic_arn: Option<String>,
    /// An HTTP(S) URL: one POST per owner of `{owner, text, actions}` (the
    /// `text` field is what Slack's incoming webhooks show).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    /// Who is told about keys whose user names no owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_owner: Option<String>,
}

impl NotifySettings {
    /// The settings, checked.
    ///
    /// # Errors
    /// A topic that is not an SNS ARN, or a webhook that is not http(s).
    pub fn check(&self) -> Result<(), String> {
        if let Some(arn) = &self.sns_topic_arn
            && topic_region(arn).is_none()
        {
            return Err(format!(
                "[notify] sns_topic_arn = \"{}\" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)",
                crate::text::clean(arn)
            ));
        }
        if let Some(url) = &self.webhook_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            // The URL is a secret (its path): never said.
            return Err("[notify] webhook_url must start with https:// (or http://)".to_owned());
        }
        Ok(())
    }
}

/// The region of an SNS topic ARN.
#[must_use]
pub fn topic_region(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", partition, "sns", region, account, name]
            if partition.starts_with("aws")
                && !region.is_empty()
                && crate::model::is_account_id(account)
                && !name.is_empty() =>
        {
            Some(region)
        }
        _ => None,
    }
}

/// One key in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeAction {
    pub account_id: String,
    pub account_name: Option<String>,
    pub user_name: String,
    pub access_key_id: String,
    pub finding: FindingId,
    pub action: RuleAction,
    pub due: NaiveDate,
}

/// One owner's notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub owner: String,
    /// One line, ASCII, at most 100 characters (SNS's limit for a subject).
    #[serde(skip)]
    pub subject: String,
    pub text: String,
    pub actions: Vec<NoticeAction>,
}

/// What a finding means to an owner, in a few words.
fn why(finding: FindingId) -> &'static str {
    match finding {
        FindingId::InitialSetupKey => {
            "made with a console user's login and never used (CIS: no keys at initial setup)"
        }
        FindingId::UnusedKey => "not used for a long time",
        FindingId::UnusedPassword => "a console password not used for a long time",
        FindingId::KeyNotRotated => "older than the rotation limit",
        FindingId::InactiveKeyReadyToDelete => "inactive, and nothing has needed it since",
        FindingId::ExposedKeyQuarantined => "found exposed by AWS",
        FindingId::ServiceCredentialNoExpiry => "a Bedrock API key that never expires",
        FindingId::ServiceCredentialNotRotated => {
            "a service credential older than the rotation limit"
        }
        FindingId::LongTermCredentialOld => {
            "an SSH key or certificate older than the rotation limit"
        }
        FindingId::MultipleActiveKeys
        | FindingId::RootAccessKey
        | FindingId::LongTermCredentialOnBedrockUser
        | FindingId::RootCredentialsNotCentralized => "a finding of its user",
    }
}

/// The notices of a plan, one per owner (keys without one go to
/// `fallback`, else to `unowned`), owners in order.
#[must_use]
pub fn notices(plan: &Plan, fallback: Option<&str>, today: NaiveDate) -> Vec<Notice> {
    // Per owner: the keys they own, and those nobody owns that come to
    // them as the fallback owner (never called theirs).
    let mut by_owner: BTreeMap<String, (Vec<NoticeAction>, Vec<NoticeAction>)> = BTreeMap::new();
    for a in &plan.actions {
        let unowned = a.owner == "unowned";
        let owner = if unowned {
            fallback.unwrap_or("unowned").to_owned()
        } else {
            a.owner.clone()
        };
        let action = NoticeAction {
            account_id: a.account_id.clone(),
            account_name: a.account_name.clone(),
            user_name: crate::text::clean(&a.user_name).into_owned(),
            access_key_id: a.access_key_id.clone(),
            finding: a.finding,
            action: a.action,
            due: a.due,
        };
        let entry = by_owner.entry(owner).or_default();
        if unowned {
            entry.1.push(action);
        } else {
            entry.0.push(action);
        }
    }
    by_owner
        .into_iter()
        .map(|(owner, (owned, unowned))| {
            let count = owned.len() + unowned.len();
            let first = owned
                .iter()
                .chain(&unowned)
                .map(|a| a.due)
                .min()
                .unwrap_or(today);
            let keys = |n: usize| crate::text::count(n, "access key");
            let subject = format!("iamkeys: {} to be changed from {first}", keys(count));
            let mut text = format!("To {}:\n", crate::text::clean(&owner));
            if !owned.is_empty() {
                let _ = writeln!(
                    text,
                    "\n{} you own will be changed by iamkeys:\n",
                    keys(owned.len())
                );
                list(&mut text, &owned, today);
            }
            if !unowned.is_empty() {
                let why = if fallback.is_some() {
                    ", sent to you as [notify] fallback_owner"
                } else {
                    ""
                };
                let _ = writeln!(
                    text,
                    "\n{} with no owner recorded{why} will be changed by iamkeys:\n",
                    keys(unowned.len())
                );
                list(&mut text, &unowned, today);
            }
            text.push_str(
                "\nTo keep a key, ask your security team for a waiver of its finding (they record it in iamkeys' ledger); until it is granted, the date above stands.\n",
            );
            Notice {
                owner: crate::text::clean(&owner).into_owned(),
                subject: ascii_subject(&subject),
                text,
                actions: owned.into_iter().chain(unowned).collect(),
            }
        })
        .collect()
}

/// One line a key: which, whose, why, what and when.
fn list(text: &mut String, actions: &[NoticeAction], today: NaiveDate) {
    for a in actions {
        let when = if a.due <= today {
            format!("on the next run (due {})", a.due)
        } else {
            format!("on or after {}", a.due)
        };
        let account = a.account_name.as_deref().map_or_else(
            || a.account_id.clone(),
            |n| format!("{} ({n})", a.account_id),
        );
        let _ = writeln!(
            text,
            "- {} of user {} in account {account}: {} ({}), will be {} {when}.",
            a.access_key_id,
            a.user_name,
            why(a.finding),
            a.finding,
            match a.action {
                RuleAction::MakeInactive => "made inactive",
                RuleAction::Delete => "deleted",
            },
        );
    }
}

/// Where a real run sends the notices, in words (`--dry-run` says it).
#[must_use]
pub fn channel(settings: &NotifySettings) -> String {
    match (&settings.sns_topic_arn, &settings.webhook_url) {
        (Some(topic), Some(url)) => format!("SNS topic {topic} and webhook {url}"),
        (Some(topic), None) => format!("SNS topic {topic}"),
        (None, Some(url)) => format!("webhook {url}"),
        (None, None) => {
            "nowhere: [notify] names no sns_topic_arn and no webhook_url, so a real run refuses"
                .to_owned()
        }
    }
}

/// A subject SNS takes: printable ASCII, one line, at most 100 characters.
fn ascii_subject(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enforce::plan::{Evidence, PlannedAction, SCHEMA};
    use crate::model::KeyStatus;

    fn action(user: &str, owner: &str, due: NaiveDate) -> PlannedAction {
        PlannedAction {
            account_id: "123456789012".into(),
            account_name: Some("prod".into()),
            user_name: user.into(),
            access_key_id: format!("AKIA{user:0>16}"),
            credential: None,
            action: RuleAction::MakeInactive,
            finding: FindingId::UnusedKey,
            rule: 1,
            risk: None,
            owner: owner.into(),
            due,
            due_recorded: true,
            evidence: Evidence {
                status: KeyStatus::Active,
                created: None,
                last_used: None,
            },
        }
    }

    #[test]
    fn one_notice_per_owner_with_what_when_and_how_to_keep_it() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let plan = Plan {
            schema: SCHEMA.into(),
            created: chrono::DateTime::UNIX_EPOCH,
            caller: None,
            notice_days: 7,
            actions: vec![
                action("svc-a", "team-a@example.com", day(9)),
                action("svc-b", "team-a@example.com", day(2)),
                action("svc-c", "unowned", day(9)),
            ],
            notes: Vec::new(),
        };
        let notices = notices(&plan, Some("security@example.com"), day(2));
        let owners: Vec<&str> = notices.iter().map(|n| n.owner.as_str()).collect();
        assert_eq!(owners, ["security@example.com", "team-a@example.com"]);
        let team = &notices[1];
        assert_eq!(team.actions.len(), 2);
        assert!(
            team.text
                .contains("AKIA00000000000svc-a of user svc-a in account 123456789012 (prod)"),
            "{}",
            team.text
        );
        assert!(
            team.text.contains("made inactive on or after 2026-12-09"),
            "{}",
            team.text
        );
        assert!(
            team.text.contains("on the next run (due 2026-12-02)"),
            "{}",
            team.text
        );
        assert!(team.text.contains("ask your security team for a waiver"));
        assert!(team.subject.len() <= 100 && team.subject.is_ascii());
        assert!(team.subject.contains("from 2026-12-02"), "{}", team.subject);
        // Without a fallback, unowned keys go to "unowned".
        assert_eq!(super::notices(&plan, None, day(2))[1].owner, "unowned");
        // Issue 38 item 12: the fallback owner is not told they own a key
        // nobody owns.
        let fallback = &notices[0];
        assert!(!fallback.text.contains("you own"), "{}", fallback.text);
        assert!(
            fallback.text.contains("no owner recorded") && fallback.text.contains("fallback_owner"),
            "{}",
            fallback.text
        );
    }

    /// Issue 38 item 12: `--dry-run` names where a real run would send.
    #[test]
    fn the_channel_is_named() {
        let topic = "arn:aws:sns:eu-west-1:123456789012:key-notices";
        let sns = NotifySettings {
            sns_topic_arn: Some(topic.into()),
            ..NotifySettings::default()
        };
        assert_eq!(channel(&sns), format!("SNS topic {topic}"));
        let hook = NotifySettings {
            webhook_url: Some("https://hooks.example.com/x".into()),
            ..NotifySettings::default()
        };
        assert_eq!(channel(&hook), "webhook https://hooks.example.com/x");
        assert!(channel(&NotifySettings::default()).contains("nowhere"));
    }

    #[test]
    fn topics_and_webhooks_are_checked() {
        assert_eq!(
            topic_region("arn:aws:sns:eu-west-1:123456789012:key-notices"),
            Some("eu-west-1")
        );
        assert_eq!(topic_region("arn:aws:sqs:eu-west-1:123456789012:q"), None);
        assert_eq!(topic_region("key-notices"), None);
        let bad = NotifySettings {
            webhook_url: Some("ftp://x".into()),
            ..NotifySettings::default()
        };
        assert!(bad.check().unwrap_err().contains("https://"));
    }
}
