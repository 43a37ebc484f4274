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

/// A key press on its way to the screen: when it was read, how long it
/// took to fold in, and the thread's wait for a CPU when it was read.
#[derive(Debug, Clone, Copy)]
pub struct KeyPress {
    pub at: Instant,
    pub handled: Duration,
    pub runnable: Option<Duration>,
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

    /// How long this thread has waited, runnable, for a CPU (Linux's
    /// `/proc/thread-self/schedstat`); `None` when not timing or unknown.
    #[must_use]
    pub fn runnable_wait(&self) -> Option<Duration> {
        self.file.as_ref()?;
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let nanos = text.split_whitespace().nth(1)?.parse().ok()?;
        Some(Duration::from_nanos(nanos))
    }

    /// `press` was answered by a frame whose layout took `rendered` (the
    /// rest went to folding it in and writing to the terminal). Every key
    /// is written (`key`, with how long the thread waited for a CPU
    /// meanwhile), and the slowest so far.
    pub fn key_answered(&mut self, press: &KeyPress, rendered: Duration) {
        let waited = press.at.elapsed();
        let preempted = press
            .runnable
            .zip(self.runnable_wait())
            .map(|(before, after)| after.saturating_sub(before));
        if let Some(file) = &mut self.file {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let _ = writeln!(
                file,
                "{{\"event\":\"key\",\"ms\":{:.3},\"handled_ms\":{:.3},\"render_ms\":{:.3},\"preempted_ms\":{:.3}}}",
                ms(waited),
                ms(press.handled),
                ms(rendered),
                preempted.map_or(-1.0, ms)
            );
        }
        if waited > self.slowest_key {
            self.slowest_key = waited;
            self.write("slowest_key_to_frame", waited);
        }
    }
}
