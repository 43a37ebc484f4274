//! Who uses each key the operator asked about (`u`), as CloudTrail's pages
//! arrive: per stream (region, or the key's creation) where it stands, and
//! the events gathered. Kept across reloads, like rotations: the history
//! does not change with a refresh.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Account;
use crate::iam::IamError;
use crate::usage::{Creation, Stream, Usage};

/// Where one stream of a key's events stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamState {
    Loading,
    Done,
    /// Done at `cloudtrail_max_events`: the newest events only.
    Capped,
    Failed(IamError),
}

/// One stream's progress: its state, pages and events read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub state: StreamState,
    pub pages: usize,
    pub events: usize,
}

impl Progress {
    /// Asked, nothing answered yet.
    const LOADING: Self = Self {
        state: StreamState::Loading,
        pages: 0,
        events: 0,
    };
}

/// What the key's creation event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Made {
    Loading,
    By(Creation),
    /// No `CreateAccessKey` for it within the 90 days.
    NotFound,
    Failed(IamError),
}

/// Everything gathered about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUsage {
    pub user: String,
    /// The `u` these streams answer (pages of another are dropped).
    pub generation: u64,
    pub streams: BTreeMap<Stream, Progress>,
    pub usage: Usage,
    pub made: Made,
}

impl KeyUsage {
    /// Every region answered (well or not); at least one did.
    #[must_use]
    pub fn settled(&self) -> bool {
        let mut regions = self
            .streams
            .iter()
            .filter(|(s, _)| matches!(s, Stream::Region(_)))
            .peekable();
        regions.peek().is_some() && regions.all(|(_, p)| p.state != StreamState::Loading)
    }

    /// Pages are still to come (a region or the creation lookup not done,
    /// or no region heard from yet).
    #[must_use]
    pub fn loading(&self) -> bool {
        !self.settled()
            || self
                .streams
                .values()
                .any(|p| p.state == StreamState::Loading)
    }

    /// The regions that failed, with why.
    pub fn failures(&self) -> impl Iterator<Item = (&Stream, &IamError)> {
        self.streams.iter().filter_map(|(s, p)| match &p.state {
            StreamState::Failed(err) => Some((s, err)),
            _ => None,
        })
    }

    /// The one-line summary, once every region answered and none failed.
    #[must_use]
    pub fn summary(&self, now: DateTime<Utc>) -> Option<String> {
        (self.settled() && self.failures().next().is_none()).then(|| self.usage.summary(now))
    }
}

impl Account {
    /// What is known of who uses this key, if it was asked.
    #[must_use]
    pub fn key_usage(&self, key_id: &str) -> Option<&KeyUsage> {
        self.usage.get(key_id)
    }

    /// Whether any key's usage is still being read.
    #[must_use]
    pub fn usage_loading(&self) -> bool {
        self.usage.values().any(KeyUsage::loading)
    }

    /// Start (or restart) a key's usage; returns the generation its pages
    /// must carry.
    pub fn start_usage(&mut self, user: &str, key_id: &str, regions: &[String]) -> u64 {
        self.usage_generation += 1;
        let generation = self.usage_generation;
        let streams = regions
            .iter()
            .cloned()
            .map(Stream::Region)
            .chain([Stream::Creation])
            .map(|s| (s, Progress::LOADING))
            .collect();
        self.usage.insert(
            key_id.to_owned(),
            KeyUsage {
                user: user.to_owned(),
                generation,
                streams,
                usage: Usage::default(),
                made: Made::Loading,
            },
        );
        generation
    }

    /// A page of a key's events arrived.
    pub fn on_usage(&mut self, page: crate::action::UsagePage) {
        let crate::action::UsagePage {
            key_id,
            stream,
            generation,
            result,
            done,
            capped,
        } = page;
        let scope = crate::usage::Scope::history(
            self.clock,
            self.known_identity().map(|i| i.account_id.clone()),
        );
        let Some(entry) = self
            .usage
            .get_mut(&key_id)
            .filter(|e| e.generation == generation)
        else {
            // A page of an earlier `u` (asked again, or closed): dropped.
            return;
        };
        // A stream not started here (none should be) gets a line anyway.
        let progress = entry
            .streams
            .entry(stream.clone())
            .or_insert(Progress::LOADING);
        match result {
            Ok(events) => {
                progress.pages += 1;
                progress.events += events.len();
                if capped {
                    progress.state = StreamState::Capped;
                } else if done {
                    progress.state = StreamState::Done;
                }
                match stream {
                    Stream::Region(_) => entry.usage.add(&events, &scope),
                    Stream::Creation => {
                        if let Some(made) = crate::usage::creation(&events, &key_id) {
                            entry.made = Made::By(made);
                        } else if done {
                            entry.made = Made::NotFound;
                        }
                    }
                }
            }
            Err(err) => {
                if stream == Stream::Creation {
                    entry.made = Made::Failed(err.clone());
                }
                progress.state = StreamState::Failed(err);
            }
        }
    }
}
