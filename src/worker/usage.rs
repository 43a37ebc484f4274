//! CloudTrail `LookupEvents` for the usage view (`u`): one paced stream
//! per region (CloudTrail allows 2 requests a second per region and
//! account), plus the key's `CreateAccessKey` in `us-east-1`. Each page is
//! sent to the UI as it arrives.

use std::sync::Arc;
use std::time::Duration;

use crate::action::{Action, UsagePage};
use crate::iam::{ErrorKind, IamError};
use crate::usage::cloudtrail::Trail;
use crate::usage::{Lookup, Stream, TrailEvent};

/// Between two requests of one region: 2 a second.
pub const PACE: Duration = Duration::from_millis(500);

/// One pace per region for every CloudTrail read of an account (the usage
/// streams, the creation lookup, the tag writers): CloudTrail's 2 requests
/// a second per account and region is shared, so the turns are too.
#[derive(Debug)]
pub struct Pacer {
    every: Duration,
    next: std::sync::Mutex<std::collections::HashMap<String, tokio::time::Instant>>,
}

impl Pacer {
    #[must_use]
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            next: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Wait for this region's next turn (and take it).
    pub async fn turn(&self, region: &str) {
        let at = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = tokio::time::Instant::now();
            let slot = next.entry(region.to_owned()).or_insert(now);
            let at = (*slot).max(now);
            *slot = at + self.every;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// Throttled past the SDK's own retries: wait this long, doubling, this
/// many times before giving up on the region.
const THROTTLE_WAIT: Duration = Duration::from_secs(1);
const THROTTLE_ROUNDS: u32 = 4;

/// One page, asked again after throttling (the SDK retried already).
async fn page(
    client: &dyn Trail,
    region: &str,
    lookup: &Lookup,
    next: Option<String>,
    throttle_wait: Duration,
) -> Result<crate::model::Page<TrailEvent>, IamError> {
    let mut wait = throttle_wait;
    let mut rounds = 0;
    loop {
        match client.lookup_events(region, lookup, next.clone()).await {
            Err(err) if err.kind == ErrorKind::Throttling && rounds < THROTTLE_ROUNDS => {
                rounds += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            other => return other,
        }
    }
}

/// How a page of a paced read ends it, or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ending {
    /// Another page follows.
    More(String),
    /// The history's end.
    End,
    /// `max_events` read; older events were not (CloudTrail answers
    /// newest first).
    Capped,
    /// The page failed, or its token came back a second time.
    Failed(IamError),
}

/// One CloudTrail read's count and tokens: each page is cut to what is
/// left of `max_events` (within the page, not only between pages), and a
/// repeated token ends the read with an error.
#[derive(Debug)]
pub(super) struct Reader {
    pages: crate::iam::pages::Pages,
    seen: usize,
    max_events: usize,
}

impl Reader {
    pub(super) fn new(max_events: usize) -> Self {
        Self {
            pages: crate::iam::pages::Pages::new(),
            seen: 0,
            max_events,
        }
    }

    /// Take a page's events (cut to the cap) and say what comes next.
    pub(super) fn take(
        &mut self,
        page: crate::model::Page<TrailEvent>,
    ) -> (Vec<TrailEvent>, Ending) {
        let mut events = page.items;
        let room = self.max_events.saturating_sub(self.seen);
        let over = events.len() > room || (events.len() == room && page.next_marker.is_some());
        events.truncate(room);
        self.seen += events.len();
        if over {
            return (events, Ending::Capped);
        }
        let ending = match self.pages.next("cloudtrail:LookupEvents", page.next_marker) {
            Ok(Some(next)) => Ending::More(next),
            Ok(None) => Ending::End,
            Err(err) => Ending::Failed(err),
        };
        (events, ending)
    }
}

/// Read `lookup` in `region` page by page, `pace` apart, handing each
/// page's events and how it ends to `each` (which returns whether to go
/// on): the one loop behind the usage streams and the tag writers.
async fn read_paced(
    client: &dyn Trail,
    region: &str,
    lookup: &Lookup,
    max_events: usize,
    pacer: &Pacer,
    mut each: impl FnMut(Vec<TrailEvent>, Ending) -> bool,
) {
    let mut reader = Reader::new(max_events);
    let mut next: Option<String> = None;
    loop {
        // Every request waits its region's turn, across all reads.
        pacer.turn(region).await;
        let (events, ending) = match page(client, region, lookup, next.take(), THROTTLE_WAIT).await
        {
            Ok(answer) => reader.take(answer),
            Err(err) => (Vec::new(), Ending::Failed(err)),
        };
        if let Ending::More(token) = &ending {
            next = Some(token.clone());
        }
        let more = matches!(ending, Ending::More(_));
        if !each(events, ending) || !more {
            return;
        }
    }
}

/// Read one stream to its end (or `max_events`, or for `Creation` until
/// the key's `CreateAccessKey` is found), sending each page.
pub(super) async fn stream(
    client: Arc<dyn Trail>,
    key_id: String,
    (stream, generation): (Stream, u64),
    max_events: usize,
    pacer: Arc<Pacer>,
    send: impl Fn(Action) -> bool,
) {
    let (region, lookup) = match &stream {
        Stream::Region(region) => (region.clone(), Lookup::AccessKey(key_id.clone())),
        Stream::Creation => (
            crate::usage::IAM_REGION.to_owned(),
            Lookup::Resource(key_id.clone()),
        ),
    };
    let page_of = |result, done, capped| {
        Action::Usage(UsagePage {
            key_id: key_id.clone(),
            stream: stream.clone(),
            generation,
            result,
            done,
            capped,
        })
    };
    read_paced(
        client.as_ref(),
        &region,
        &lookup,
        max_events,
        &pacer,
        |events, ending| {
            let found =
                stream == Stream::Creation && crate::usage::creation(&events, &key_id).is_some();
            match ending {
                Ending::Failed(err) => {
                    // The events of a page whose token came back still count.
                    if !events.is_empty() && !send(page_of(Ok(events), false, false)) {
                        return false;
                    }
                    send(page_of(Err(err), true, false));
                    false
                }
                Ending::Capped => {
                    send(page_of(Ok(events), true, true));
                    false
                }
                Ending::End => {
                    send(page_of(Ok(events), true, false));
                    false
                }
                Ending::More(_) => send(page_of(Ok(events), found, false)) && !found,
            }
        },
    )
    .await;
}

/// When CloudTrail says the key was made inactive in `account` (its
/// events naming the key, in `us-east-1` where IAM's are recorded, newest
/// first, up to `max_events`, paced): `None` when no event says so.
pub(super) async fn made_inactive_at(
    client: &dyn Trail,
    account: &str,
    key_id: &str,
    max_events: usize,
    pacer: &Pacer,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, IamError> {
    let read = read_events(
        client,
        &Lookup::Resource(key_id.to_owned()),
        max_events,
        pacer,
    )
    .await?;
    Ok(crate::usage::made_inactive_at(
        &read.events,
        account,
        key_id,
        chrono::Utc::now(),
    ))
}

/// The most `UpdateAccessKey` events one read of the account takes (20
/// pages of 50, 10 s at CloudTrail's pace); keys it does not reach are
/// looked up one by one.
pub const UPDATES_MAX_EVENTS: usize = 1000;

/// CloudTrail's events as one read found them.
#[derive(Debug)]
pub(super) struct Read {
    pub(super) events: Vec<TrailEvent>,
    /// The history was read to its end: what it does not hold (a key made
    /// inactive, say) did not happen within it.
    pub(super) whole: bool,
}

/// Every `UpdateAccessKey` CloudTrail holds for the account (by
/// `EventName`, in `us-east-1` where IAM's events are recorded, newest
/// first, up to `max_events`, paced): one read dates every Inactive key a
/// load finds undated, where a lookup per key would take half a second each.
pub(super) async fn account_updates(
    client: &dyn Trail,
    max_events: usize,
    pacer: &Pacer,
) -> Result<Read, IamError> {
    read_events(
        client,
        &Lookup::EventName("UpdateAccessKey".to_owned()),
        max_events,
        pacer,
    )
    .await
}

/// Every event of `lookup` in `us-east-1` (where IAM's are recorded),
/// newest first, up to `max_events`, paced; whether the history was read
/// to its end.
async fn read_events(
    client: &dyn Trail,
    lookup: &Lookup,
    max_events: usize,
    pacer: &Pacer,
) -> Result<Read, IamError> {
    let mut events = Vec::new();
    let mut outcome = Ok(false);
    read_paced(
        client,
        crate::usage::IAM_REGION,
        lookup,
        max_events,
        pacer,
        |page, ending| {
            events.extend(page);
            match ending {
                Ending::Failed(err) => outcome = Err(err),
                Ending::End => outcome = Ok(true),
                Ending::Capped | Ending::More(_) => {}
            }
            true
        },
    )
    .await;
    outcome.map(|whole| Read { events, whole })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Page;

    fn events(n: usize) -> Vec<TrailEvent> {
        (0..n)
            .map(|i| TrailEvent {
                id: format!("e{i}"),
                time: None,
                name: "GetCallerIdentity".into(),
                source: "sts.amazonaws.com".into(),
                region: None,
                source_ip: None,
                user_agent: None,
                caller_arn: None,
                account_id: None,
                created_key: None,
                issuer_arn: None,
                request_user: None,
                request_tags: Vec::new(),
                read_only: Some(true),
                error_code: None,
                recipient_account: None,
                request_key: None,
                request_status: None,
            })
            .collect()
    }

    fn page(n: usize, next: Option<&str>) -> Page<TrailEvent> {
        Page {
            items: events(n),
            next_marker: next.map(ToOwned::to_owned),
        }
    }

    /// Issue 24 item 2: the cap holds within a page, and says it cut.
    #[test]
    fn the_cap_holds_within_a_page() {
        let mut reader = Reader::new(5);
        let (got, ending) = reader.take(page(3, Some("a")));
        assert_eq!((got.len(), ending), (3, Ending::More("a".into())));
        let (got, ending) = reader.take(page(50, Some("b")));
        assert_eq!((got.len(), ending), (2, Ending::Capped));
        // Exactly the cap at the history's end is the end, not a cut.
        let mut reader = Reader::new(5);
        assert_eq!(reader.take(page(5, None)).1, Ending::End);
        assert_eq!(Reader::new(5).take(page(5, Some("c"))).1, Ending::Capped);
    }

    /// Pages of `UpdateAccessKey` events, `pages` of them, two each; the
    /// lookups it was asked.
    #[derive(Debug)]
    struct Updating {
        pages: usize,
        asked: std::sync::Mutex<Vec<Lookup>>,
    }

    #[async_trait::async_trait]
    impl Trail for Updating {
        async fn lookup_events(
            &self,
            _region: &str,
            lookup: &Lookup,
            next: Option<String>,
        ) -> Result<Page<TrailEvent>, IamError> {
            self.asked.lock().unwrap().push(lookup.clone());
            let at: usize = next.map_or(0, |n| n.parse().unwrap());
            Ok(page(
                2,
                (at + 1 < self.pages)
                    .then(|| (at + 1).to_string())
                    .as_deref(),
            ))
        }
    }

    /// Issue 39 item 1: one read of the account's updates, by `EventName`;
    /// whole only when it reached the history's end.
    #[tokio::test]
    async fn the_accounts_updates_are_read_once_whole_or_said_cut() {
        let pacer = Pacer::new(Duration::ZERO);
        let trail = Updating {
            pages: 3,
            asked: std::sync::Mutex::new(Vec::new()),
        };
        let updates = account_updates(&trail, 100, &pacer).await.unwrap();
        assert_eq!((updates.events.len(), updates.whole), (6, true));
        assert!(
            trail
                .asked
                .lock()
                .unwrap()
                .iter()
                .all(|l| *l == Lookup::EventName("UpdateAccessKey".into()))
        );
        let cut = account_updates(&trail, 3, &pacer).await.unwrap();
        assert_eq!(
            (cut.events.len(), cut.whole),
            (3, false),
            "capped: not whole"
        );
        let none = account_updates(&NoTrail, 100, &pacer).await.unwrap_err();
        assert_eq!(none.action, "cloudtrail:LookupEvents");
    }

    #[derive(Debug)]
    struct NoTrail;

    #[async_trait::async_trait]
    impl Trail for NoTrail {}

    /// Issue 24 items 1 and 2: a token that comes back ends the read.
    #[test]
    fn a_repeated_token_ends_the_read() {
        let mut reader = Reader::new(500);
        assert_eq!(reader.take(page(2, Some("t"))).1, Ending::More("t".into()));
        let (got, ending) = reader.take(page(2, Some("t")));
        assert_eq!(got.len(), 2, "the page's events still count");
        let Ending::Failed(err) = ending else {
            panic!("{ending:?}")
        };
        assert_eq!(err.kind, ErrorKind::Malformed);
        assert_eq!(err.action, "cloudtrail:LookupEvents");
    }
}
