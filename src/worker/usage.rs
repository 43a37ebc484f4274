//! CloudTrail `LookupEvents` for the usage view (`u`): one paced stream
//! per region (CloudTrail allows 2 requests a second per region and
//! account), plus the key's `CreateAccessKey` in `us-east-1`. Each page is
//! sent to the UI as it arrives.

use std::sync::Arc;
use std::time::Duration;

use crate::action::{Action, UsagePage};
use crate::iam::{ErrorKind, IamClient, IamError};
use crate::usage::{Lookup, Stream, TrailEvent};

/// Between two requests of one region: 2 a second.
pub const PACE: Duration = Duration::from_millis(500);

/// Throttled past the SDK's own retries: wait this long, doubling, this
/// many times before giving up on the region.
const THROTTLE_WAIT: Duration = Duration::from_secs(1);
const THROTTLE_ROUNDS: u32 = 4;

/// One page, asked again after throttling (the SDK retried already).
async fn page(
    client: &dyn IamClient,
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

/// The most `TagUser` events read for the writers of waiver tags.
pub const TAG_WRITER_EVENTS: usize = 2_000;

/// Every `TagUser` CloudTrail's history holds (us-east-1, where IAM's
/// events are recorded), newest first, up to `max_events`, paced.
pub(super) async fn tag_writers(
    client: &dyn IamClient,
    max_events: usize,
    pace: Duration,
) -> Result<crate::action::TagWriters, IamError> {
    let lookup = Lookup::EventName("TagUser".to_owned());
    let mut writes = Vec::new();
    let mut next: Option<String> = None;
    let mut seen = 0;
    loop {
        if next.is_some() {
            tokio::time::sleep(pace).await;
        }
        let answer = page(
            client,
            crate::usage::IAM_REGION,
            &lookup,
            next,
            THROTTLE_WAIT,
        )
        .await?;
        seen += answer.items.len();
        writes.extend(
            answer
                .items
                .iter()
                .flat_map(crate::audit::waivers::writers::tag_writes),
        );
        match answer.next_marker {
            Some(more) if seen < max_events => next = Some(more),
            Some(_) => {
                return Ok(crate::action::TagWriters {
                    writes,
                    cut_short: true,
                });
            }
            None => {
                return Ok(crate::action::TagWriters {
                    writes,
                    cut_short: false,
                });
            }
        }
    }
}

/// Read one stream to its end (or `max_events`, or for `Creation` until
/// the key's `CreateAccessKey` is found), sending each page.
pub(super) async fn stream(
    client: Arc<dyn IamClient>,
    key_id: String,
    stream: Stream,
    max_events: usize,
    pace: Duration,
    send: impl Fn(Action) -> bool,
) {
    let (region, lookup) = match &stream {
        Stream::Region(region) => (region.clone(), Lookup::AccessKey(key_id.clone())),
        Stream::Creation => (
            crate::usage::IAM_REGION.to_owned(),
            Lookup::Resource(key_id.clone()),
        ),
    };
    let mut next: Option<String> = None;
    let mut seen = 0;
    loop {
        // Every page after the first waits its turn.
        if next.is_some() {
            tokio::time::sleep(pace).await;
        }
        let result = page(client.as_ref(), &region, &lookup, next, THROTTLE_WAIT).await;
        let (events, more) = match result {
            Ok(answer) => (answer.items, answer.next_marker),
            Err(err) => {
                send(Action::Usage(UsagePage {
                    key_id,
                    stream,
                    result: Err(err),
                    done: true,
                }));
                return;
            }
        };
        seen += events.len();
        let found =
            stream == Stream::Creation && crate::usage::creation(&events, &key_id).is_some();
        let done = more.is_none() || seen >= max_events || found;
        let alive = send(Action::Usage(UsagePage {
            key_id: key_id.clone(),
            stream: stream.clone(),
            result: Ok(events),
            done,
        }));
        if done || !alive {
            return;
        }
        next = more;
    }
}
