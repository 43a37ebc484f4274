//! A loopback HTTP proxy in front of moto that records the IAM action of
//! every request reaching the server, can refuse chosen actions, and injects
//! faults (throttling, 5xx, resets, stalls, expired credentials, lost
//! answers), so tests can count calls and prove what survives them.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A fault the proxy injects instead of (or before) forwarding a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `400 Throttling: Rate exceeded`.
    Throttle,
    /// `503 Service Unavailable`.
    Unavailable,
    /// The connection is closed without an answer.
    Reset,
    /// The answer comes this many milliseconds late.
    Stall(u64),
    /// `403 ExpiredToken`: the session's credentials expired.
    Expired,
    /// The request reaches the server and is carried out, but the answer is
    /// lost: the connection closes before it is sent back.
    LoseAnswer,
    /// An HTML page with this status, as a corporate proxy or load balancer
    /// answers (not IAM's XML).
    Html(u16),
    /// `200 OK` whose body is not XML at all.
    BadXml,
    /// `200 OK` whose `ListUsers` XML stops mid-element (the SDK reads
    /// `<UserName>al` as a user named `al`).
    CutXml,
}

/// Which requests get a fault: at random, `percent` in 100, from a seeded
/// generator (the seed is printed, so a failing run can be replayed).
#[derive(Debug, Clone)]
struct RandomPlan {
    fault: Fault,
    percent: u64,
    actions: Vec<String>,
    state: u64,
}

impl RandomPlan {
    /// xorshift64*: small, seeded, good enough to pick requests.
    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Which requests get a fault: every `every`-th request (counting from 1)
/// whose action is in `actions` (all actions when empty).
#[derive(Debug, Clone, Default)]
struct FaultPlan {
    fault: Option<Fault>,
    every: usize,
    actions: Vec<String>,
    seen: usize,
    injected: usize,
    /// Stop after this many faults (`None`: never stop).
    limit: Option<usize>,
}

#[derive(Default)]
struct Shared {
    actions: Vec<String>,
    /// Actions answered with a 403 `AccessDenied` instead of being forwarded.
    denied: BTreeSet<String>,
    plan: FaultPlan,
    random: Option<RandomPlan>,
    /// Requests seen and faulted by the random plan.
    random_seen: usize,
    random_injected: usize,
    /// Freeze the credential report as IAM keeps one for hours:
    /// `GenerateCredentialReport` answers COMPLETE, and
    /// `GetCredentialReport` replays the first answer it got (kept here).
    frozen: bool,
    frozen_report: Option<Vec<u8>>,
    /// `sts:AssumeRole` into a role of this account gets this answer.
    role_rules: Vec<(String, Reply)>,
    /// Every request of this action gets `AccessDenied` with this message.
    refusals: std::collections::HashMap<String, String>,
    /// Requests signed by a role session in this account (and of this
    /// action, when given) get this answer.
    account_rules: Vec<(String, Option<String>, Reply)>,
    /// The account of each role session's access key, learnt from the
    /// `AssumeRole` answers that went through.
    sessions: std::collections::HashMap<String, String>,
    /// Every `AssumeRole` request: (role ARN, session name).
    assume_requests: Vec<(String, String)>,
    /// A fake CloudTrail (moto has no `LookupEvents`): its history.
    trail: Vec<TrailEvent>,
    /// `LookupEvents` requests: (region from the signature, attribute key, value, next token).
    lookups: Vec<(String, String, String, Option<String>)>,
    /// Who signs with an access key, as CloudTrail would record it: (ARN,
    /// the role behind a session). `TagUser` calls that go through are
    /// recorded in the trail with it.
    identities: std::collections::HashMap<String, (String, Option<String>)>,
    /// When set, `AssumeRole` and `GetSessionToken` are refused as IAM
    /// refuses them unless they carry a `SerialNumber` and this `TokenCode`
    /// (moto checks neither).
    mfa_code: Option<String>,
    /// When not empty, only `AssumeRole` into these role ARNs needs the code
    /// (others trust the caller without MFA).
    mfa_roles: Vec<String>,
    /// Access keys of session tokens got with a code: requests signed with
    /// them carry `aws:MultiFactorAuthPresent`, as IAM evaluates it.
    mfa_sessions: BTreeSet<String>,
    /// `AssumeRole` / `GetSessionToken` requests: (action, `SerialNumber`,
    /// `TokenCode`, `DurationSeconds`).
    mfa_requests: Vec<(String, String, String, String)>,
    /// Security Hub's documented rules, when enforced (see `hub`).
    hub: Option<super::hub::HubRules>,
    /// IAM Access Analyzer, as AWS documents it (moto has none).
    analyzer: Option<super::analyzer::AnalyzerFake>,
    /// `GetCredentialReport` answers carry this `GeneratedTime`.
    report_date: Option<String>,
    /// Every request waits this long before it is handled (the round trip
    /// to AWS).
    latency: Option<std::time::Duration>,
    /// Requests being handled now, and the most at once (of the actions
    /// named by `watch_in_flight`).
    in_flight: usize,
    peak_in_flight: usize,
    watched: Vec<String>,
}

/// A request being handled, of the watched actions: counted while it lives.
struct InFlight(Option<Arc<Mutex<Shared>>>);

impl InFlight {
    fn begin(shared: &Arc<Mutex<Shared>>, action: &str) -> Self {
        let mut inner = shared.lock().unwrap();
        if !inner.watched.iter().any(|a| a == action) {
            return Self(None);
        }
        inner.in_flight += 1;
        inner.peak_in_flight = inner.peak_in_flight.max(inner.in_flight);
        Self(Some(shared.clone()))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(shared) = &self.0 {
            shared.lock().unwrap().in_flight -= 1;
        }
    }
}

/// One event of the fake CloudTrail's history.
#[derive(Debug, Clone, Default)]
pub struct TrailEvent {
    pub id: String,
    /// Epoch seconds.
    pub time: i64,
    pub name: String,
    pub source: String,
    /// The key that signed it.
    pub key: String,
    pub ip: String,
    pub agent: String,
    pub caller: String,
    /// For `CreateAccessKey`: the key it made.
    pub created: Option<String>,
    /// The role behind an assumed-role caller (`sessionContext.sessionIssuer.arn`).
    pub issuer: Option<String>,
    /// `requestParameters` (for `TagUser`: `userName` and `tags`).
    pub request: Option<serde_json::Value>,
    /// `readOnly`, when the event says.
    pub read_only: Option<bool>,
    /// A resource it names (found by a `ResourceName` lookup): for
    /// `UpdateAccessKey`, the key.
    pub resource: Option<String>,
    /// `errorCode`: the call failed.
    pub error_code: Option<String>,
    /// `recipientAccountId`: the account it acted in.
    pub recipient: Option<String>,
}

/// Events per page of the fake CloudTrail (small, so paging is exercised).
const TRAIL_PAGE: usize = 2;

/// The fake `LookupEvents` (JSON 1.1): events found by `AccessKeyId` (the
/// signing key) or `ResourceName` (the key made), newest first, in pages.
fn lookup_events(shared: &Arc<Mutex<Shared>>, head: &str, body: &[u8]) -> Vec<u8> {
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let attribute = &request["LookupAttributes"][0];
    let key = attribute["AttributeKey"].as_str().unwrap_or("").to_owned();
    let value = attribute["AttributeValue"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let next = request["NextToken"].as_str().map(ToOwned::to_owned);
    let region = head
        .find("Credential=")
        .and_then(|at| head[at..].split('/').nth(2))
        .unwrap_or("?")
        .to_owned();
    let mut shared = shared.lock().unwrap();
    shared
        .lookups
        .push((region, key.clone(), value.clone(), next.clone()));
    let mut found: Vec<&TrailEvent> = shared
        .trail
        .iter()
        .filter(|e| match key.as_str() {
            "AccessKeyId" => e.key == value,
            "ResourceName" => {
                e.created.as_deref() == Some(value.as_str())
                    || e.resource.as_deref() == Some(value.as_str())
            }
            "EventName" => e.name == value,
            _ => false,
        })
        .collect();
    found.sort_by_key(|e| std::cmp::Reverse(e.time));
    let start: usize = next.and_then(|n| n.parse().ok()).unwrap_or(0);
    let end = (start + TRAIL_PAGE).min(found.len());
    let events: Vec<serde_json::Value> = found[start.min(end)..end]
        .iter()
        .map(|e| {
            let mut detail = serde_json::json!({
                "eventID": e.id,
                "eventName": e.name,
                "eventSource": e.source,
                "sourceIPAddress": e.ip,
                "userAgent": e.agent,
                "awsRegion": "us-east-1",
                "userIdentity": { "arn": e.caller, "accessKeyId": e.key },
            });
            if let Some(issuer) = &e.issuer {
                detail["userIdentity"]["type"] = "AssumedRole".into();
                detail["userIdentity"]["sessionContext"] =
                    serde_json::json!({ "sessionIssuer": { "type": "Role", "arn": issuer } });
            }
            if let Some(request) = &e.request {
                detail["requestParameters"] = request.clone();
            }
            if let Some(read_only) = e.read_only {
                detail["readOnly"] = read_only.into();
            }
            if let Some(code) = &e.error_code {
                detail["errorCode"] = code.clone().into();
            }
            if let Some(account) = &e.recipient {
                detail["recipientAccountId"] = account.clone().into();
            }
            if let Some(created) = &e.created {
                detail["responseElements"] =
                    serde_json::json!({ "accessKey": { "accessKeyId": created } });
            }
            serde_json::json!({
                "EventId": e.id,
                "EventName": e.name,
                "EventTime": e.time,
                "EventSource": e.source,
                "AccessKeyId": e.key,
                "CloudTrailEvent": detail.to_string(),
            })
        })
        .collect();
    let mut answer = serde_json::json!({ "Events": events });
    if end < found.len() {
        answer["NextToken"] = end.to_string().into();
    }
    let body = answer.to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What a rule of one account answers.
#[derive(Debug, Clone)]
pub enum Reply {
    Fault(Fault),
    /// 403 `AccessDenied` with this message.
    Denied(String),
}

/// The message AWS gives when a service control policy denies a call.
pub fn scp_message(action: &str) -> String {
    format!(
        "User: arn:aws:sts::000000000000:assumed-role/OrganizationAccountAccessRole/iamkeys is not authorized to perform: {action} with an explicit deny in a service control policy"
    )
}

pub struct Proxy {
    pub port: u16,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

/// IAM's mutating actions.
pub const MUTATING: [&str; 3] = ["CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey"];

impl Proxy {
    pub async fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, upstream, state.clone()));
            }
        });
        Self { port, shared, task }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request waits `ms` before it is handled, as a round trip to
    /// AWS would: what concurrency buys shows only behind latency.
    pub fn latency(&self, ms: u64) {
        self.shared.lock().unwrap().latency = Some(std::time::Duration::from_millis(ms));
    }

    /// Count the requests of these actions being handled at once (see
    /// [`Proxy::peak_in_flight`]).
    pub fn watch_in_flight(&self, actions: &[&str]) {
        let mut shared = self.shared.lock().unwrap();
        shared.watched = actions.iter().map(|a| (*a).to_owned()).collect();
        shared.peak_in_flight = 0;
    }

    /// The most requests of the watched actions handled at once so far.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.lock().unwrap().peak_in_flight
    }

    /// The actions that reached the proxy, in order.
    pub fn actions(&self) -> Vec<String> {
        self.shared.lock().unwrap().actions.clone()
    }

    pub fn count(&self, action: &str) -> usize {
        self.actions().iter().filter(|a| *a == action).count()
    }

    pub fn mutating_calls(&self) -> usize {
        MUTATING.iter().map(|a| self.count(a)).sum()
    }

    /// Serve `LookupEvents` from this history (a fake CloudTrail).
    pub fn trail(&self, events: Vec<TrailEvent>) {
        self.shared.lock().unwrap().trail = events;
    }

    /// Refuse `AssumeRole` and `GetSessionToken` without a `SerialNumber`
    /// and this `TokenCode`, with IAM's own words.
    pub fn require_mfa(&self, code: &str) {
        self.shared.lock().unwrap().mfa_code = Some(code.to_owned());
    }

    /// As [`Proxy::require_mfa`], but only `AssumeRole` into these roles
    /// (and `GetSessionToken`) needs the code.
    pub fn require_mfa_for(&self, code: &str, roles: &[&str]) {
        let mut shared = self.shared.lock().unwrap();
        shared.mfa_code = Some(code.to_owned());
        shared.mfa_roles = roles.iter().map(|r| (*r).to_owned()).collect();
    }

    /// The `AssumeRole` / `GetSessionToken` requests seen: (action,
    /// `SerialNumber`, `TokenCode`, `DurationSeconds`).
    pub fn mfa_requests(&self) -> Vec<(String, String, String, String)> {
        self.shared.lock().unwrap().mfa_requests.clone()
    }

    /// Who signs with `key`, as CloudTrail records the caller: `arn`, and
    /// for a role session the role behind it. Each `TagUser` that goes
    /// through the proxy is then added to the fake CloudTrail's history.
    pub fn identify(&self, key: &str, arn: &str, issuer: Option<&str>) {
        self.shared.lock().unwrap().identities.insert(
            key.to_owned(),
            (arn.to_owned(), issuer.map(ToOwned::to_owned)),
        );
    }

    /// The `LookupEvents` requests seen: (region, attribute, value, next token).
    pub fn lookups(&self) -> Vec<(String, String, String, Option<String>)> {
        self.shared.lock().unwrap().lookups.clone()
    }

    /// Date every credential report so (a hostile or broken endpoint).
    pub fn date_report(&self, time: &str) {
        self.shared.lock().unwrap().report_date = Some(time.to_owned());
    }

    /// Enforce Security Hub's rules as AWS documents them (see `hub`).
    pub fn security_hub_as_documented(&self) {
        self.shared.lock().unwrap().hub = Some(super::hub::HubRules::default());
    }

    /// Refuse the import of the finding with this Id (as a finding over
    /// 240 KB is).
    pub fn refuse_finding(&self, id: &str) {
        if let Some(hub) = &mut self.shared.lock().unwrap().hub {
            hub.refuse.push(id.to_owned());
        }
    }

    /// `BatchUpdateFindings` changes made: (Id, workflow status).
    pub fn workflow_updates(&self) -> Vec<(String, String)> {
        self.shared
            .lock()
            .unwrap()
            .hub
            .as_ref()
            .map(|h| h.updates.clone())
            .unwrap_or_default()
    }

    /// Answer every request of `action` with 403 `AccessDenied` saying
    /// `message` (an SCP's words, a feature's).
    pub fn refuse(&self, action: &str, message: &str) {
        self.shared
            .lock()
            .unwrap()
            .refusals
            .insert(action.to_owned(), message.to_owned());
    }

    /// Serve IAM Access Analyzer with these analyzers and findings.
    pub fn access_analyzer(&self, fake: super::analyzer::AnalyzerFake) {
        self.shared.lock().unwrap().analyzer = Some(fake);
    }

    pub fn deny(&self, action: &str) {
        self.shared.lock().unwrap().denied.insert(action.to_owned());
    }

    /// Inject `fault` into every `every`-th request of `actions` (all when empty).
    pub fn inject(&self, fault: Fault, every: usize, actions: &[&str]) {
        self.shared.lock().unwrap().plan = FaultPlan {
            fault: Some(fault),
            every: every.max(1),
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            seen: 0,
            injected: 0,
            limit: None,
        };
    }

    /// Inject `fault` into the first request of `actions` only.
    pub fn inject_first(&self, fault: Fault, actions: &[&str]) {
        self.inject(fault, 1, actions);
        self.shared.lock().unwrap().plan.limit = Some(1);
    }

    /// Inject `fault` into `percent` % of the requests of `actions` (all
    /// when empty), chosen at random from `seed`.
    pub fn inject_random(&self, fault: Fault, percent: u64, seed: u64, actions: &[&str]) {
        let mut shared = self.shared.lock().unwrap();
        shared.random = Some(RandomPlan {
            fault,
            percent,
            actions: actions.iter().map(|a| (*a).to_owned()).collect(),
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        });
        shared.random_seen = 0;
        shared.random_injected = 0;
    }

    /// Stop the random plan; returns (requests it saw, requests faulted).
    pub fn heal_random(&self) -> (usize, usize) {
        let mut shared = self.shared.lock().unwrap();
        shared.random = None;
        (shared.random_seen, shared.random_injected)
    }

    /// From now on the credential report is the one IAM has now, however
    /// IAM changes: as IAM hands back the same report for up to 4 hours.
    /// Answer `sts:AssumeRole` into any role of `account` with `reply`.
    pub fn on_role(&self, account: &str, reply: Reply) {
        self.shared
            .lock()
            .unwrap()
            .role_rules
            .push((account.to_owned(), reply));
    }

    /// Answer requests made with a role session in `account` (only `action`
    /// ones, when given) with `reply`.
    pub fn in_account(&self, account: &str, action: Option<&str>, reply: Reply) {
        self.shared.lock().unwrap().account_rules.push((
            account.to_owned(),
            action.map(ToOwned::to_owned),
            reply,
        ));
    }

    /// Every `AssumeRole` request seen: (role ARN, session name).
    pub fn assume_requests(&self) -> Vec<(String, String)> {
        self.shared.lock().unwrap().assume_requests.clone()
    }

    /// Role sessions made (answered) in `account`.
    pub fn assumed(&self, account: &str) -> usize {
        self.shared
            .lock()
            .unwrap()
            .sessions
            .values()
            .filter(|a| *a == account)
            .count()
    }

    pub fn freeze_report(&self) {
        self.shared.lock().unwrap().frozen = true;
    }

    /// How many requests got the fault so far.
    pub fn injected(&self) -> usize {
        self.shared.lock().unwrap().plan.injected
    }

    /// Stop injecting; returns how many requests got the fault.
    pub fn heal(&self) -> usize {
        let mut shared = self.shared.lock().unwrap();
        let injected = shared.plan.injected;
        shared.plan = FaultPlan::default();
        injected
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &str) -> usize {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The account of the role an `AssumeRole` request names.
fn role_account(body: &[u8]) -> Option<String> {
    let text = decode(body);
    let arn = text.split('&').find_map(|p| p.strip_prefix("RoleArn="))?;
    arn.strip_prefix("arn:aws:iam::")?
        .split(':')
        .next()
        .map(ToOwned::to_owned)
}

/// A form body with the escapes of ARNs undone.
fn decode(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .replace("%3A", ":")
        .replace("%2F", "/")
        .replace("%40", "@")
}

/// A form value as the query protocol sends it (`+` for space, `%XX`).
fn form_decode(text: &str) -> String {
    let bytes = text.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// CloudTrail's record of a `TagUser` that IAM (moto) accepted: the caller
/// as [`Proxy::identify`] named it, the user and the tags set.
fn record_tag_user(shared: &Arc<Mutex<Shared>>, head: &str, body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    let fields: Vec<(String, String)> = text
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (form_decode(k), form_decode(v)))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let user = field("UserName").unwrap_or_default();
    let mut tags = Vec::new();
    for n in 1.. {
        let (Some(key), Some(value)) = (
            field(&format!("Tags.member.{n}.Key")),
            field(&format!("Tags.member.{n}.Value")),
        ) else {
            break;
        };
        tags.push(serde_json::json!({ "key": key, "value": value }));
    }
    let key = access_key(head).unwrap_or_default();
    let mut shared = shared.lock().unwrap();
    let (caller, issuer) = shared
        .identities
        .get(&key)
        .cloned()
        .unwrap_or_else(|| ("arn:aws:iam::123456789012:user/unknown".to_owned(), None));
    let n = shared.trail.len();
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    shared.trail.push(TrailEvent {
        id: format!("tag-user-{n}"),
        time,
        name: "TagUser".into(),
        source: "iam.amazonaws.com".into(),
        key,
        ip: "127.0.0.1".into(),
        agent: "aws-sdk-rust".into(),
        caller,
        created: None,
        issuer,
        request: Some(serde_json::json!({ "userName": user, "tags": tags })),
        read_only: Some(false),
        ..TrailEvent::default()
    });
}

/// An `UpdateAccessKey` through the proxy, as CloudTrail records it: the
/// key as its resource, the status asked, the account it acted in (the
/// role session's, else moto's default), and `errorCode` when it failed.
fn record_update_access_key(shared: &Arc<Mutex<Shared>>, head: &str, body: &[u8], ok: bool) {
    let text = String::from_utf8_lossy(body);
    let field = |name: &str| {
        text.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| form_decode(k) == name)
            .map(|(_, v)| form_decode(v))
            .unwrap_or_default()
    };
    let (user, key_id, status) = (field("UserName"), field("AccessKeyId"), field("Status"));
    let signer = access_key(head).unwrap_or_default();
    let mut shared = shared.lock().unwrap();
    let recipient = shared
        .sessions
        .get(&signer)
        .cloned()
        .unwrap_or_else(|| "123456789012".to_owned());
    let n = shared.trail.len();
    let time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    shared.trail.push(TrailEvent {
        id: format!("update-access-key-{n}"),
        time,
        name: "UpdateAccessKey".into(),
        source: "iam.amazonaws.com".into(),
        key: signer,
        ip: "127.0.0.1".into(),
        agent: "aws-sdk-rust".into(),
        caller: "arn:aws:iam::123456789012:user/operator".into(),
        request: Some(
            serde_json::json!({ "userName": user, "accessKeyId": key_id, "status": status }),
        ),
        read_only: Some(false),
        resource: Some(key_id),
        error_code: (!ok).then(|| "AccessDenied".to_owned()),
        recipient: Some(recipient),
        ..TrailEvent::default()
    });
}

/// The access key ID a request is signed with.
fn access_key(head: &str) -> Option<String> {
    let at = head.find("Credential=")? + "Credential=".len();
    head[at..].split('/').next().map(ToOwned::to_owned)
}

fn between(bytes: &[u8], open: &str, close: &str) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].to_owned())
}

fn action_of(head: &str, body: &[u8]) -> String {
    // REST protocols name it by method and path (Security Hub's, Access
    // Analyzer's).
    let request = head.lines().next().unwrap_or_default();
    if let Some(action) = super::analyzer::action(request) {
        return action.to_owned();
    }
    if super::regions::is_list_regions(request) {
        return "ListRegions".to_owned();
    }
    for (line, action) in [
        ("POST /findings/import ", "BatchImportFindings"),
        ("PATCH /findings/batchupdate ", "BatchUpdateFindings"),
        ("POST /findings ", "GetFindings"),
    ] {
        if request.starts_with(line) {
            return action.to_owned();
        }
    }
    // S3's REST requests through the SDK name it in the query (`x-id=PutObject`).
    let query = request
        .split_whitespace()
        .nth(1)
        .and_then(|path| path.split_once('?'))
        .map_or("", |(_, q)| q);
    if request.starts_with("GET ") && query.split('&').any(|p| p == "versioning") {
        return "GetBucketVersioning".to_owned();
    }
    if let Some(id) = request
        .split_whitespace()
        .nth(1)
        .and_then(|path| path.split_once('?'))
        .and_then(|(_, query)| query.split('&').find_map(|p| p.strip_prefix("x-id=")))
    {
        return id.to_owned();
    }
    // JSON protocols name the action in `X-Amz-Target: <service>.<Action>`.
    if let Some(target) = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("x-amz-target")
            .then(|| v.trim().to_owned())
    }) {
        return target.rsplit('.').next().unwrap_or("?").to_owned();
    }
    String::from_utf8_lossy(body)
        .split('&')
        .find_map(|p| p.strip_prefix("Action="))
        .unwrap_or("?")
        .to_owned()
}

/// `200 OK` with this body (as IAM's XML, whatever it holds).
fn ok_reply(xml: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
        xml.len()
    )
    .into_bytes()
}

/// Whether an action is Security Hub's (REST-JSON errors).
fn hub_action(action: &str) -> bool {
    matches!(
        action,
        "BatchImportFindings" | "GetFindings" | "BatchUpdateFindings"
    )
}

/// Whether an action is S3's (its errors are S3's own XML, `<Error>` at the top).
fn s3_action(action: &str) -> bool {
    matches!(action, "GetObject" | "PutObject")
}

/// An error as S3 answers it: `<Error><Code>…` (S3 throttles with 503 `SlowDown`).
fn s3_error_reply(status: u16, reason: &str, code: &str, message: &str) -> Vec<u8> {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>x</RequestId></Error>"
    );
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{xml}",
        xml.len()
    )
    .into_bytes()
}

fn error_reply(status: u16, reason: &str, code: &str, message: &str) -> Vec<u8> {
    let xml = format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>x</RequestId></ErrorResponse>"
    );
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
        xml.len()
    )
    .into_bytes()
}

/// Read one request (head and body) from the client.
async fn read_request(client: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<(String, Vec<u8>)> {
    loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
            let total = end + 4 + content_length(&head);
            while buffer.len() < total {
                let mut chunk = [0u8; 8192];
                let n = client.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = buffer[end + 4..total].to_vec();
            buffer.drain(..total);
            return Some((head, body));
        }
        let mut chunk = [0u8; 8192];
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

async fn serve(mut client: TcpStream, upstream: u16, shared: Arc<Mutex<Shared>>) {
    let mut buffer = Vec::new();
    while let Some((head, body)) = read_request(&mut client, &mut buffer).await {
        let action = action_of(&head, &body);
        let _in_flight = InFlight::begin(&shared, &action);
        let latency = shared.lock().unwrap().latency;
        if let Some(latency) = latency {
            tokio::time::sleep(latency).await;
        }
        let role_account = (action == "AssumeRole")
            .then(|| role_account(&body))
            .flatten();
        let (denied, fault, refusal) = {
            let mut shared = shared.lock().unwrap();
            shared.actions.push(action.clone());
            if action == "AssumeRole" {
                let text = decode(&body);
                let field = |name: &str| {
                    text.split('&')
                        .find_map(|p| p.strip_prefix(name))
                        .unwrap_or("")
                        .to_owned()
                };
                let request = (field("RoleArn="), field("RoleSessionName="));
                shared.assume_requests.push(request);
            }
            let rule = match &role_account {
                Some(account) => shared
                    .role_rules
                    .iter()
                    .find(|(a, _)| a == account)
                    .map(|(_, r)| r.clone()),
                None => access_key(&head)
                    .and_then(|key| shared.sessions.get(&key).cloned())
                    .and_then(|account| {
                        shared
                            .account_rules
                            .iter()
                            .find(|(a, act, _)| {
                                *a == account && act.as_ref().is_none_or(|x| *x == action)
                            })
                            .map(|(_, _, r)| r.clone())
                    }),
            };
            let mfa = if action == "AssumeRole" || action == "GetSessionToken" {
                let text = String::from_utf8_lossy(&body).into_owned();
                let field = |name: &str| {
                    text.split('&')
                        .find_map(|p| p.strip_prefix(name))
                        .map(form_decode)
                        .unwrap_or_default()
                };
                let (serial, code, duration) = (
                    field("SerialNumber="),
                    field("TokenCode="),
                    field("DurationSeconds="),
                );
                let role_arn = field("RoleArn=");
                let signed_with_mfa =
                    access_key(&head).is_some_and(|key| shared.mfa_sessions.contains(&key));
                let exempt = action == "AssumeRole"
                    && (signed_with_mfa
                        || (!shared.mfa_roles.is_empty() && !shared.mfa_roles.contains(&role_arn)));
                shared
                    .mfa_requests
                    .push((action.clone(), serial.clone(), code.clone(), duration));
                shared
                    .mfa_code
                    .as_ref()
                    .filter(|_| !exempt)
                    .filter(|want| serial.is_empty() || code != **want)
                    .map(|_| {
                        "MultiFactorAuthentication failed with invalid MFA one time pass code. "
                            .trim_end()
                            .to_owned()
                    })
            } else {
                None
            };
            match rule {
                _ if mfa.is_some() => (false, None, mfa),
                Some(Reply::Denied(message)) => (false, None, Some(message)),
                Some(Reply::Fault(fault)) => (false, Some(fault), None),
                None if shared.refusals.contains_key(&action) => {
                    (false, None, shared.refusals.get(&action).cloned())
                }
                None => {
                    let plan = &mut shared.plan;
                    let mut fault = None;
                    if plan.fault.is_some()
                        && (plan.actions.is_empty() || plan.actions.contains(&action))
                    {
                        plan.seen += 1;
                        if plan.seen.is_multiple_of(plan.every)
                            && plan.limit.is_none_or(|limit| plan.injected < limit)
                        {
                            plan.injected += 1;
                            fault = plan.fault;
                        }
                    }
                    if fault.is_none()
                        && let Some(random) = &mut shared.random
                        && (random.actions.is_empty() || random.actions.contains(&action))
                    {
                        let hit = random.next() % 100 < random.percent;
                        let chosen = random.fault;
                        shared.random_seen += 1;
                        if hit {
                            shared.random_injected += 1;
                            fault = Some(chosen);
                        }
                    }
                    (shared.denied.contains(&action), fault, None)
                }
            }
        };
        if let Some(message) = refusal {
            let reply = if s3_action(&action) {
                s3_error_reply(403, "Forbidden", "AccessDenied", &message)
            } else {
                error_reply(403, "Forbidden", "AccessDenied", &message)
            };
            if client.write_all(&reply).await.is_err() {
                return;
            }
            continue;
        }

        let response = match fault {
            Some(Fault::Reset) => return,
            Some(Fault::Throttle) if action == "LookupEvents" => {
                let body = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
                Some(
                    format!(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .into_bytes(),
                )
            }
            Some(Fault::Throttle) if hub_action(&action) => {
                // Security Hub's REST-JSON answer (its API reference):
                // 429 TooManyRequestsException.
                let body = r#"{"Code":"TooManyRequestsException","Message":"Rate exceeded"}"#;
                Some(
                    format!(
                        "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nx-amzn-ErrorType: TooManyRequestsException\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .into_bytes(),
                )
            }
            Some(Fault::Throttle) if action == "ListRegions" => Some(super::regions::throttled()),
            Some(Fault::Throttle)
                if super::analyzer::action(head.lines().next().unwrap_or_default()).is_some() =>
            {
                // Access Analyzer's REST-JSON answer (its API reference):
                // 429 ThrottlingException.
                Some(super::analyzer::throttled())
            }
            Some(Fault::Throttle) if s3_action(&action) => Some(s3_error_reply(
                503,
                "Slow Down",
                "SlowDown",
                "Please reduce your request rate.",
            )),
            Some(Fault::Throttle) => Some(error_reply(
                400,
                "Bad Request",
                "Throttling",
                "Rate exceeded",
            )),
            Some(Fault::Unavailable) => Some(error_reply(
                503,
                "Service Unavailable",
                "ServiceUnavailable",
                "Service is unavailable",
            )),
            Some(Fault::Expired) => Some(error_reply(
                403,
                "Forbidden",
                "ExpiredToken",
                "The security token included in the request is expired",
            )),
            Some(Fault::LoseAnswer) => {
                let _ = forward(upstream, &head, &body).await;
                return;
            }
            Some(Fault::Stall(ms)) => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                None
            }
            Some(Fault::Html(status)) => {
                let html = "<html><head><title>Access Denied</title></head><body><h1>Blocked by the corporate proxy</h1></body></html>";
                Some(
                    format!(
                        "HTTP/1.1 {status} Blocked\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{html}",
                        html.len()
                    )
                    .into_bytes(),
                )
            }
            Some(Fault::CutXml) => {
                let xml = "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult><Users><member><UserName>al";
                Some(ok_reply(xml))
            }
            Some(Fault::BadXml) => {
                let xml = "Service temporarily overloaded, please retry";
                Some(ok_reply(xml))
            }
            None => None,
        };
        let response = if let Some(response) = response {
            response
        } else if denied && action == "LookupEvents" {
            let body = r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform: cloudtrail:LookupEvents"}"#;
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        } else if action == "LookupEvents" {
            lookup_events(&shared, &head, &body)
        } else if action == "ListRegions" {
            // The Account Management API (moto has none): always served.
            if denied {
                super::regions::denied()
            } else {
                super::regions::answer(&body)
            }
        } else if denied
            && super::analyzer::action(head.lines().next().unwrap_or_default()).is_some()
        {
            super::analyzer::denied(&action)
        } else if let Some(fake) = super::analyzer::action(head.lines().next().unwrap_or_default())
            .and_then(|_| shared.lock().unwrap().analyzer.clone())
        {
            super::analyzer::answer(&fake, &action, &head, &body)
        } else if denied && s3_action(&action) {
            s3_error_reply(
                403,
                "Forbidden",
                "AccessDenied",
                &format!("User is not authorized to perform: s3:{action}"),
            )
        } else if denied {
            let xml = format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: iam:{action}</Message></Error><RequestId>x</RequestId></ErrorResponse>"
            );
            format!(
                "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{xml}",
                xml.len()
            )
            .into_bytes()
        } else if let Some(reply) = hub(&shared, &action, upstream, &head, &body).await {
            reply
        } else if let Some(reply) = frozen(&shared, &action, upstream, &head, &body).await {
            reply
        } else {
            match forward(upstream, &head, &body).await {
                Some(bytes) => {
                    if let Some(account) = &role_account
                        && let Some(key) = between(&bytes, "<AccessKeyId>", "</AccessKeyId>")
                    {
                        shared.lock().unwrap().sessions.insert(key, account.clone());
                    }
                    let bytes = match shared.lock().unwrap().report_date.clone() {
                        Some(time) if action == "GetCredentialReport" => {
                            redate_report(&bytes, &time)
                        }
                        _ => bytes,
                    };
                    if action == "TagUser" && bytes.starts_with(b"HTTP/1.1 200") {
                        record_tag_user(&shared, &head, &body);
                    }
                    if action == "UpdateAccessKey" {
                        record_update_access_key(
                            &shared,
                            &head,
                            &body,
                            bytes.starts_with(b"HTTP/1.1 200"),
                        );
                    }
                    // moto answers `GetBucketVersioning` under a
                    // `<GetBucketVersioningResponse>` root; S3's is
                    // `<VersioningConfiguration>` (what the SDK parses).
                    if action == "GetBucketVersioning"
                        && bytes.starts_with(b"HTTP/1.1 200")
                        && String::from_utf8_lossy(&bytes).contains("<GetBucketVersioningResponse")
                    {
                        versioning_as_s3_answers(&mut client, &bytes).await;
                        continue;
                    }
                    if action == "GetSessionToken"
                        && bytes.starts_with(b"HTTP/1.1 200")
                        && let Some(key) = between(&bytes, "<AccessKeyId>", "</AccessKeyId>")
                    {
                        shared.lock().unwrap().mfa_sessions.insert(key);
                    }
                    bytes
                }
                None => return,
            }
        };
        if client.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// A `GetCredentialReport` answer with its `GeneratedTime` set to `time`.
fn redate_report(bytes: &[u8], time: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return bytes.to_vec();
    };
    let (Some(open), Some(close)) = (body.find("<GeneratedTime>"), body.find("</GeneratedTime>"))
    else {
        return bytes.to_vec();
    };
    let body = format!("{}<GeneratedTime>{time}{}", &body[..open], &body[close..]);
    format!(
        "{}\r\n\r\n{body}",
        super::hub::with_length(head, body.len())
    )
    .into_bytes()
}

/// moto's `GetBucketVersioning` answer with S3's root element.
async fn versioning_as_s3_answers(client: &mut TcpStream, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let xml = body.replace("GetBucketVersioningResponse", "VersioningConfiguration");
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{xml}",
        xml.len()
    );
    let _ = client.write_all(reply.as_bytes()).await;
}

/// Security Hub's answers where its documented rules are enforced.
async fn hub(
    shared: &Arc<Mutex<Shared>>,
    action: &str,
    upstream: u16,
    head: &str,
    body: &[u8],
) -> Option<Vec<u8>> {
    let caller = {
        let shared = shared.lock().unwrap();
        shared.hub.as_ref()?;
        access_key(head)
            .and_then(|key| shared.sessions.get(&key).cloned())
            .unwrap_or_else(|| "123456789012".to_owned())
    };
    match action {
        "BatchImportFindings" => {
            let (forwarded, failed) = {
                let mut shared = shared.lock().unwrap();
                super::hub::import(shared.hub.as_mut()?, &caller, body)
            };
            let empty = serde_json::from_slice::<serde_json::Value>(&forwarded)
                .ok()
                .and_then(|v| v["Findings"].as_array().map(Vec::is_empty))
                .unwrap_or(false);
            let moto = if empty {
                None
            } else {
                let head = super::hub::with_length(head, forwarded.len());
                Some(forward(upstream, &head, &forwarded).await?)
            };
            Some(super::hub::import_reply(moto.as_deref(), failed))
        }
        "GetFindings" => {
            let moto = forward(upstream, head, body).await?;
            let shared = shared.lock().unwrap();
            Some(super::hub::findings_reply(
                shared.hub.as_ref()?,
                &caller,
                &moto,
            ))
        }
        "BatchUpdateFindings" => {
            let mut shared = shared.lock().unwrap();
            Some(super::hub::update(shared.hub.as_mut()?, &caller, body))
        }
        _ => None,
    }
}

/// The frozen credential report's answers, when the report is frozen.
async fn frozen(
    shared: &Arc<Mutex<Shared>>,
    action: &str,
    upstream: u16,
    head: &str,
    body: &[u8],
) -> Option<Vec<u8>> {
    if !shared.lock().unwrap().frozen {
        return None;
    }
    match action {
        "GenerateCredentialReport" => {
            let xml = "<GenerateCredentialReportResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GenerateCredentialReportResult><State>COMPLETE</State><Description>No report generation was started: a report exists</Description></GenerateCredentialReportResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></GenerateCredentialReportResponse>";
            Some(ok_reply(xml))
        }
        "GetCredentialReport" => {
            let kept = shared.lock().unwrap().frozen_report.clone();
            if let Some(reply) = kept {
                return Some(reply);
            }
            let reply = forward(upstream, head, body).await?;
            shared.lock().unwrap().frozen_report = Some(reply.clone());
            Some(reply)
        }
        _ => None,
    }
}

/// An HTTP head without its `Connection` header, each line ending in CRLF.
fn without_connection(head: &str) -> String {
    let mut out = String::with_capacity(head.len() + 2);
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out
}

/// Send the request upstream on a fresh connection and read the whole reply.
async fn forward(upstream: u16, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).await.ok()?;
    server
        .write_all(without_connection(head).as_bytes())
        .await
        .ok()?;
    server.write_all(b"Connection: close\r\n\r\n").await.ok()?;
    server.write_all(body).await.ok()?;
    let mut reply = Vec::new();
    server.read_to_end(&mut reply).await.ok()?;
    // Keep the client's connection open: drop the upstream's `Connection: close`.
    let end = find(&reply, b"\r\n\r\n")?;
    let mut out = without_connection(&String::from_utf8_lossy(&reply[..end])).into_bytes();
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&reply[end + 4..]);
    Some(out)
}
