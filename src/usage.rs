//! Who uses an access key, and who made it, from CloudTrail management
//! events (`LookupEvents`): events read strictly from their JSON, then
//! gathered per source IP, user agent, service and API. Pure: no IO.

pub mod cloudtrail;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::IpAddr;

use chrono::{DateTime, Utc};

pub use crate::model::trail::{Lookup, TrailEvent};

/// When the key was made inactive, as CloudTrail recorded it: the latest
/// `UpdateAccessKey` to `Inactive` of that very key, that succeeded (no
/// `errorCode`), in the audited account (`recipientAccountId`), sent to
/// IAM, and not dated after `now` (5 minutes' slack). Anything less is no
/// evidence.
#[must_use]
pub fn made_inactive_at(
    events: &[TrailEvent],
    account: &str,
    key_id: &str,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let latest = now + chrono::TimeDelta::minutes(5);
    events
        .iter()
        .filter(|e| e.name == "UpdateAccessKey" && e.source == "iam.amazonaws.com")
        .filter(|e| e.error_code.is_none())
        .filter(|e| e.recipient_account.as_deref() == Some(account))
        .filter(|e| e.request_key.as_deref() == Some(key_id))
        .filter(|e| e.request_status.as_deref() == Some("Inactive"))
        .filter_map(|e| e.time)
        .filter(|t| *t <= latest)
        .max()
}

/// Where a page of events about a key comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stream {
    /// Events signed with the key, in this region.
    Region(String),
    /// Events naming the key, in `us-east-1`: its `CreateAccessKey`.
    Creation,
}

/// The region where IAM's management events (`CreateAccessKey`) land.
pub const IAM_REGION: &str = "us-east-1";

/// The most regions one look reads (`cloudtrail_regions = "all"`): AWS has
/// fewer than 40; a longer answer is cut here and said.
pub const MAX_REGIONS: usize = 64;

/// How far back CloudTrail's event history goes.
pub const HISTORY_DAYS: i64 = 90;

/// What a source IP is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpKind {
    Public,
    /// RFC 1918, loopback, link-local, unique-local.
    Private,
    /// An AWS service acting for the caller (`lambda.amazonaws.com`, …).
    AwsService,
    /// Not an address CloudTrail usually writes.
    Other,
}

/// The kind of a `sourceIPAddress`.
#[must_use]
pub fn ip_kind(source: &str) -> IpKind {
    match source.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            if v4.is_private() || v4.is_loopback() || v4.is_link_local() {
                IpKind::Private
            } else {
                IpKind::Public
            }
        }
        Ok(IpAddr::V6(v6)) => {
            let first = v6.segments()[0];
            if v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 {
                IpKind::Private
            } else {
                IpKind::Public
            }
        }
        Err(_) if source.ends_with(".amazonaws.com") || source == "AWS Internal" => {
            IpKind::AwsService
        }
        Err(_) => IpKind::Other,
    }
}

/// A user agent grouped as people name it: `aws-cli/2.15`, `terraform/1.9`,
/// `Boto3/1.34`, `aws-sdk-go-v2/1.24`, `console (browser)`, `AWS internal`.
#[must_use]
pub fn agent_group(agent: &str) -> String {
    let group = agent_group_whole(agent);
    // The caller writes this field: it is cut for display, so a 1,000- or
    // 10,000,000-character agent takes one short line like any other.
    if group.chars().count() > AGENT_SHOWN {
        let mut cut: String = group.chars().take(AGENT_SHOWN - 1).collect();
        cut.push('…');
        cut
    } else {
        group
    }
}

/// The most characters of a user agent shown (its group's name).
pub const AGENT_SHOWN: usize = 48;

fn agent_group_whole(agent: &str) -> String {
    let agent = agent.trim();
    if agent.is_empty() {
        return "unknown".to_owned();
    }
    if agent == "AWS Internal" {
        return "AWS internal".to_owned();
    }
    if agent.ends_with(".amazonaws.com") {
        return format!("AWS service {agent}");
    }
    if agent.starts_with("Mozilla/") {
        return "console (browser)".to_owned();
    }
    // Terraform puts its own name later: "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) …".
    let words: Vec<&str> = agent.split_whitespace().collect();
    let pick = words
        .iter()
        .find(|w| w.to_ascii_lowercase().starts_with("terraform/"))
        .or_else(|| words.first())
        .copied()
        .unwrap_or(agent);
    match pick.split_once('/') {
        Some((product, version)) => {
            let mut parts = version.split(['.', '-']);
            let major = parts.next().unwrap_or("");
            let minor = parts.next();
            let product = if product.eq_ignore_ascii_case("terraform") {
                "terraform"
            } else {
                product
            };
            match minor {
                Some(minor) if minor.chars().all(|c| c.is_ascii_digit()) && !minor.is_empty() => {
                    format!("{product}/{major}.{minor}")
                }
                _ => format!("{product}/{major}"),
            }
        }
        None => pick.to_owned(),
    }
}

/// Calls that change who can do what, or start compute that can act with a
/// role: the ones an attacker with a leaked key makes first. Event names as
/// CloudTrail records them (IAM, STS, EC2, Lambda, `CloudFormation`, Glue);
/// the same calls the privilege-escalation table in
/// [`crate::risk::escalation`] and its sources name.
pub const IDENTITY_CHANGING: [&str; 30] = [
    "AddUserToGroup",
    "AttachGroupPolicy",
    "AttachRolePolicy",
    "AttachUserPolicy",
    "CreateAccessKey",
    "CreateDevEndpoint",
    "CreateFunction",
    "CreateLoginProfile",
    "CreatePolicy",
    "CreatePolicyVersion",
    "CreateRole",
    "CreateStack",
    "CreateUser",
    "CreateVirtualMFADevice",
    "DeactivateMFADevice",
    "DeleteRolePermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "EnableMFADevice",
    "PutGroupPolicy",
    "PutRolePolicy",
    "PutUserPolicy",
    "RunInstances",
    "SetDefaultPolicyVersion",
    "UpdateAccessKey",
    "UpdateAssumeRolePolicy",
    "UpdateDevEndpoint",
    "UpdateFunctionCode",
    "UpdateFunctionConfiguration",
    "UpdateLoginProfile",
    "UpdateStack",
];

/// Whether an event's name is one of [`IDENTITY_CHANGING`] (CloudTrail
/// names some versions of an API with a date suffix, `UpdateFunctionCode20150331v2`).
#[must_use]
pub fn identity_changing(name: &str) -> bool {
    IDENTITY_CHANGING.iter().any(|known| {
        name.strip_prefix(known)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The write events kept per key, newest first (the count of all is kept).
pub const WRITES_KEPT: usize = 200;

/// One event that was not read-only (or did not say), as the usage view
/// lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteEvent {
    pub time: Option<DateTime<Utc>>,
    pub name: String,
    pub source: String,
    pub region: Option<String>,
    pub source_ip: Option<String>,
    /// One of [`IDENTITY_CHANGING`].
    pub identity: bool,
    /// The event did not say whether it only read.
    pub unsure: bool,
}

/// A count and the latest time seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen {
    pub count: usize,
    pub last: Option<DateTime<Utc>>,
}

impl Seen {
    fn add(&mut self, time: Option<DateTime<Utc>>) {
        self.count += 1;
        self.last = self.last.max(time);
    }
}

/// Who made the key: the `CreateAccessKey` event that returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creation {
    pub by: Option<String>,
    pub time: Option<DateTime<Utc>>,
    pub source_ip: Option<String>,
}

/// A key's events, gathered. Events are counted once each, by `EventId`:
/// global-service events can be returned by more than one region.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Usage {
    seen: HashSet<String>,
    /// Events not counted: outside the window asked, or of another account.
    pub left_out: LeftOut,
    pub ips: BTreeMap<String, Seen>,
    pub agents: BTreeMap<String, Seen>,
    pub sources: BTreeMap<String, usize>,
    pub names: BTreeMap<String, usize>,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    /// Events with no time (counted, not placed).
    pub events: usize,
    /// The newest [`WRITES_KEPT`] events that were not read-only, newest
    /// first (an event without a time last).
    pub writes: Vec<WriteEvent>,
    /// Every write event counted, kept or not.
    pub writes_total: usize,
    /// Identity-changing calls among them.
    pub identity_total: usize,
}

/// What a read of a key's events counts: events in the window asked, of
/// the key's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The window's start.
    pub since: DateTime<Utc>,
    /// Its end: this clock's now and 5 minutes' slack. An event dated
    /// later did not happen yet: it is left out and named, never counted
    /// (a "last use" in the year 81191 would read as "0 min ago").
    pub until: DateTime<Utc>,
    /// The key's account; `None`: not known, nothing left out for it.
    pub account: Option<String>,
}

impl Scope {
    /// The last [`HISTORY_DAYS`] as of `now` (a day's slack for clocks),
    /// in `account`.
    #[must_use]
    pub fn history(now: DateTime<Utc>, account: Option<String>) -> Self {
        Self {
            since: now - chrono::TimeDelta::days(HISTORY_DAYS + 1),
            until: now + chrono::TimeDelta::minutes(5),
            account,
        }
    }
}

/// Events a read brought that are not the key's: never counted, named in
/// one line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeftOut {
    /// Dated outside the window asked.
    pub outside: usize,
    /// Of a caller in another account than the key's.
    pub foreign: usize,
    /// Dated in the future (more than 5 minutes ahead of this clock).
    pub future: usize,
    /// The first of those: its event ID and date, to name it.
    pub future_first: Option<String>,
}

impl LeftOut {
    /// "2 outside the 90 days asked, 1 of another account", if any.
    #[must_use]
    pub fn line(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.outside > 0 {
            parts.push(format!(
                "{} outside the {HISTORY_DAYS} days asked",
                self.outside
            ));
        }
        if self.foreign > 0 {
            parts.push(format!("{} of another account", self.foreign));
        }
        if self.future > 0 {
            parts.push(format!(
                "{} dated in the future{}",
                self.future,
                self.future_first
                    .as_deref()
                    .map(|first| format!(" ({first})"))
                    .unwrap_or_default()
            ));
        }
        (!parts.is_empty()).then(|| format!("events left out: {}", parts.join(", ")))
    }
}

impl Usage {
    /// Take in events, each once; those outside `scope` are left out and
    /// counted as such.
    pub fn add(&mut self, events: &[TrailEvent], scope: &Scope) {
        for event in events {
            // An event without an ID cannot be matched: counted each time.
            if !event.id.is_empty() && !self.seen.insert(event.id.clone()) {
                continue;
            }
            if event.time.is_some_and(|t| t < scope.since) {
                self.left_out.outside += 1;
                continue;
            }
            if let Some(t) = event.time.filter(|t| *t > scope.until) {
                self.left_out.future += 1;
                if self.left_out.future_first.is_none() {
                    self.left_out.future_first = Some(format!(
                        "event {} dated {}",
                        crate::text::clean(&event.id),
                        t.format("%Y-%m-%d")
                    ));
                }
                continue;
            }
            if let (Some(theirs), Some(ours)) = (&event.account_id, &scope.account)
                && theirs != ours
            {
                self.left_out.foreign += 1;
                continue;
            }
            self.events += 1;
            let ip = event.source_ip.clone().unwrap_or_else(|| "unknown".into());
            self.ips.entry(ip).or_default().add(event.time);
            let agent = event
                .user_agent
                .as_deref()
                .map_or_else(|| "unknown".to_owned(), agent_group);
            self.agents.entry(agent).or_default().add(event.time);
            *self.sources.entry(event.source.clone()).or_default() += 1;
            *self.names.entry(event.name.clone()).or_default() += 1;
            if event.read_only != Some(true) {
                self.add_write(event);
            }
            if let Some(t) = event.time {
                self.first = Some(self.first.map_or(t, |f| f.min(t)));
                self.last = self.last.max(Some(t));
            }
        }
    }

    fn add_write(&mut self, event: &TrailEvent) {
        let write = WriteEvent {
            time: event.time,
            name: event.name.clone(),
            source: event.source.clone(),
            region: event.region.clone(),
            source_ip: event.source_ip.clone(),
            identity: identity_changing(&event.name),
            unsure: event.read_only.is_none(),
        };
        self.writes_total += 1;
        if write.identity {
            self.identity_total += 1;
        }
        // Newest first; `None` (no time) sorts last.
        let at = self.writes.partition_point(|w| match (w.time, write.time) {
            (Some(kept), Some(new)) => kept >= new,
            (Some(_), None) => true,
            (None, _) => false,
        });
        if at < WRITES_KEPT {
            self.writes.insert(at, write);
            self.writes.truncate(WRITES_KEPT);
        }
    }

    /// The `n` most frequent of a tally, most frequent first (ties by name).
    #[must_use]
    pub fn top(tally: &BTreeMap<String, usize>, n: usize) -> Vec<(String, usize)> {
        let mut all: Vec<(String, usize)> = tally.iter().map(|(k, v)| (k.clone(), *v)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }

    /// IPs or agents, most events first.
    #[must_use]
    pub fn ranked(tally: &BTreeMap<String, Seen>) -> Vec<(String, Seen)> {
        let mut all: Vec<(String, Seen)> = tally.iter().map(|(k, v)| (k.clone(), *v)).collect();
        all.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        all
    }

    /// One line for the dialogs: "used from 2 IPs by terraform/1.9,
    /// aws-cli/2.15; last 3 h ago", or "no management events in 90 days".
    #[must_use]
    pub fn summary(&self, now: DateTime<Utc>) -> String {
        if self.events == 0 {
            return "no CloudTrail management events in 90 days".to_owned();
        }
        let ips = self.ips.len();
        let agents: Vec<String> = Self::ranked(&self.agents)
            .into_iter()
            .take(3)
            .map(|(a, _)| a)
            .collect();
        let last = self
            .last
            .map(|t| format!("; last {}", ago(now, t)))
            .unwrap_or_default();
        format!(
            "used from {ips} IP{} by {}{}{last}",
            if ips == 1 { "" } else { "s" },
            agents.join(", "),
            if self.agents.len() > 3 { ", …" } else { "" }
        )
    }
}

/// "3 min ago", "5 h ago", "12 days ago".
#[must_use]
pub fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let d = now - then;
    if d.num_minutes() < 60 {
        format!("{} min ago", d.num_minutes().max(0))
    } else if d.num_hours() < 48 {
        format!("{} h ago", d.num_hours())
    } else {
        format!("{} days ago", d.num_days())
    }
}

/// The creation of `key_id` among events (looked up by resource name).
#[must_use]
pub fn creation(events: &[TrailEvent], key_id: &str) -> Option<Creation> {
    events
        .iter()
        .find(|e| e.name == "CreateAccessKey" && e.created_key.as_deref() == Some(key_id))
        .map(|e| Creation {
            by: e.caller_arn.clone(),
            time: e.time,
            source_ip: e.source_ip.clone(),
        })
}

/// Whether `creator` (an ARN, from CloudTrail) is someone other than the
/// user whose ARN is `user_arn`: an administrator's initial-setup key, or a
/// key planted by someone else. The full ARN decides (account and path
/// included): a user of the same name elsewhere is someone else.
#[must_use]
pub fn made_by_other(creator: &str, user_arn: &str) -> bool {
    creator != user_arn
}

/// The regions to look in: the configured ones, else the profile's region
/// and `us-east-1` (where IAM and STS management events land); then the
/// region IAM says the key was last used in, if not among them; each once.
#[must_use]
pub fn regions(
    configured: &[String],
    profile_region: Option<&str>,
    last_used_region: Option<&str>,
) -> Vec<String> {
    let mut wanted: Vec<String> = if configured.is_empty() {
        profile_region
            .into_iter()
            .map(ToOwned::to_owned)
            .chain(["us-east-1".to_owned()])
            .collect()
    } else {
        configured.to_vec()
    };
    // IAM writes `N/A` when there is no region; only a region-shaped name
    // (`ap-southeast-2`) is asked.
    wanted.extend(
        last_used_region
            .filter(|r| is_region(r))
            .map(ToOwned::to_owned),
    );
    let mut seen = BTreeSet::new();
    wanted
        .into_iter()
        .filter(|r| seen.insert(r.clone()))
        .collect()
}

/// `xx-name-N` (and `us-gov-west-1`, `cn-north-1`): letters, digits and
/// dashes, ending in a digit.
#[must_use]
pub fn is_region(text: &str) -> bool {
    text.len() <= 32
        && text.contains('-')
        && text.ends_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod dating_tests;
