//! Load milestones for the benchmark: with `IAMKEYS_TIMINGS=FILE`, the UI
//! appends one JSON line per milestone (milliseconds since the process
//! started) — first frame, every user listed, the full audit shown, every
//! key ID known — and the slowest key-press-to-frame time. Off by default.

use std::io::Write;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::state::{ListStatus, State};

static STARTED: OnceLock<Instant> = OnceLock::new();

/// Call first thing in `main`: the origin of every milestone.
pub fn process_started() {
    let _ = STARTED.set(Instant::now());
}

fn since_start() -> Duration {
    STARTED.get_or_init(Instant::now).elapsed()
}

/// Milestones reached so far, written once each.
#[derive(Debug, Default)]
pub struct Timings {
    file: Option<std::fs::File>,
    seen: Vec<&'static str>,
    slowest_key: Duration,
}

impl Timings {
    /// From `IAMKEYS_TIMINGS`; inert when it is not set.
    #[must_use]
    pub fn from_env() -> Self {
        let file = std::env::var_os("IAMKEYS_TIMINGS").and_then(|path| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .ok()
        });
        Self {
            file,
            ..Self::default()
        }
    }

    fn write(&mut self, event: &str, value: Duration) {
        if let Some(file) = &mut self.file {
            let _ = writeln!(
                file,
                "{{\"event\":\"{event}\",\"ms\":{:.3}}}",
                value.as_secs_f64() * 1000.0
            );
        }
    }

    fn once(&mut self, event: &'static str) {
        if self.file.is_some() && !self.seen.contains(&event) {
            self.seen.push(event);
            self.write(event, since_start());
        }
    }

    /// After a frame is drawn: note the milestones this state has reached.
    pub fn frame(&mut self, state: &State) {
        if self.file.is_none() {
            return;
        }
        self.once("first_frame");
        if matches!(state.account.list, ListStatus::Done { .. }) {
            self.once("users_listed");
        }
        if state.account.audit_complete() {
            self.once("audit_complete");
        }
        if state.account.all_keys_known() {
            self.once("keys_complete");
        }
        // `--org`: every account listed and audited, failed or skipped.
        if let Some(org) = &state.org
            && matches!(org.listing, crate::account::org::Listing::Done { .. })
            && org.tally().todo == 0
        {
            self.once("org_complete");
        }
    }

    /// A key press was answered by a frame `waited` after it arrived.
    pub fn key_answered(&mut self, waited: Duration) {
        if waited > self.slowest_key {
            self.slowest_key = waited;
            self.write("slowest_key_to_frame", waited);
        }
    }
}
