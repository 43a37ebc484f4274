//! Back-pressure for background IAM calls: how many run at once, found
//! rather than guessed (IAM's rate limits are per API and unpublished).
//!
//! The limit starts at [`START`] (or the configured ceiling, if lower) and,
//! until IAM first throttles, grows by one with each success (slow start),
//! so an account that does not push back is soon asked at the ceiling. A
//! throttle (seen by the SDK's retry interceptor or as a call's final
//! error) halves it — at most once per cool-down, so one burst of throttles
//! is one cut — and from then on each success raises it by `1/limit`
//! (additive increase), back up to the configured `concurrency`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How long after a cut further throttles are taken as the same burst.
const COOL_DOWN: Duration = Duration::from_millis(500);
/// What a cut keeps of the limit.
const CUT: f64 = 0.5;
/// Calls at once before anything is known of the server.
pub const START: usize = 16;

/// The arithmetic of the limit, without the waiting (pure, for tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Aimd {
    limit: f64,
    max: f64,
    last_cut: Option<Instant>,
}

impl Aimd {
    /// A limit that starts at [`START`] and may grow to `max` calls at once.
    #[must_use]
    pub fn new(max: usize) -> Self {
        let whole = |n: usize| f64::from(u32::try_from(n.max(1)).unwrap_or(u32::MAX));
        let max = whole(max);
        Self {
            limit: whole(START).min(max),
            max,
            last_cut: None,
        }
    }

    /// Calls allowed at once now (at least one).
    #[must_use]
    pub fn allowed(&self) -> usize {
        // The limit is within 1..=max (a usize), so the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = self.limit.floor() as usize;
        whole.max(1)
    }

    /// A request was throttled at `now`: halve the limit, unless it was cut
    /// within the cool-down.
    pub fn throttled(&mut self, now: Instant) {
        if self
            .last_cut
            .is_some_and(|cut| now.saturating_duration_since(cut) < COOL_DOWN)
        {
            return;
        }
        self.limit = (self.limit * CUT).max(1.0);
        self.last_cut = Some(now);
    }

    /// A call succeeded: one more call at once per success until the first
    /// throttle, then one more per `limit` successes.
    pub fn succeeded(&mut self) {
        let step = if self.last_cut.is_none() {
            1.0
        } else {
            1.0 / self.limit
        };
        self.limit = (self.limit + step).min(self.max);
    }
}

#[derive(Debug)]
struct Inner {
    aimd: Aimd,
    running: usize,
    /// First-class callers waiting: second-class ones let them go first.
    waiting_first: usize,
}

/// Which calls go first when places are scarce: listing keys (what the
/// screen and the audit need) before the last-use and login-profile
/// look-ups that refine it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    First,
    Second,
}

/// The limit shared by the worker's tasks.
#[derive(Debug)]
pub struct Limiter {
    inner: Mutex<Inner>,
    freed: Notify,
}

/// A place among the calls running at once; given back when dropped.
#[derive(Debug)]
pub struct Permit {
    limiter: Arc<Limiter>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.limiter.lock().running -= 1;
        self.limiter.freed.notify_waiters();
    }
}

impl Limiter {
    #[must_use]
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(Inner {
                aimd: Aimd::new(max),
                running: 0,
                waiting_first: 0,
            }),
            freed: Notify::new(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means a panic elsewhere; the counts are whole.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wait for a place under the current limit; second-class callers
    /// wait while a first-class one does.
    pub async fn acquire(self: &Arc<Self>, class: Class) -> Permit {
        let mut counted = false;
        loop {
            let freed = self.freed.notified();
            {
                let mut inner = self.lock();
                let yields = class == Class::Second && inner.waiting_first > 0;
                if inner.running < inner.aimd.allowed() && !yields {
                    inner.running += 1;
                    if counted {
                        inner.waiting_first -= 1;
                    }
                    return Permit {
                        limiter: self.clone(),
                    };
                }
                if class == Class::First && !counted {
                    inner.waiting_first += 1;
                    counted = true;
                }
            }
            freed.await;
        }
    }

    pub fn throttled(&self) {
        self.lock().aimd.throttled(Instant::now());
    }

    pub fn succeeded(&self) {
        self.lock().aimd.succeeded();
        self.freed.notify_waiters();
    }

    /// Calls allowed at once now.
    #[must_use]
    pub fn allowed(&self) -> usize {
        self.lock().aimd.allowed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grown to `n` by slow start (no throttle yet).
    fn grown(max: usize) -> Aimd {
        let mut aimd = Aimd::new(max);
        for _ in 0..max {
            aimd.succeeded();
        }
        aimd
    }

    #[test]
    fn a_throttle_halves_the_limit_once_per_burst() {
        let start = Instant::now();
        let mut aimd = Aimd::new(16);
        assert_eq!(aimd.allowed(), 16);
        aimd.throttled(start);
        assert_eq!(aimd.allowed(), 8);
        // The same burst: no second cut.
        aimd.throttled(start + Duration::from_millis(100));
        assert_eq!(aimd.allowed(), 8);
        aimd.throttled(start + COOL_DOWN);
        assert_eq!(aimd.allowed(), 4);
        for i in 1..=10 {
            aimd.throttled(start + COOL_DOWN * (i + 1));
        }
        assert_eq!(aimd.allowed(), 1, "never below one");
    }

    #[test]
    fn it_starts_at_sixteen_and_grows_one_per_success_to_the_ceiling() {
        let mut aimd = Aimd::new(64);
        assert_eq!(aimd.allowed(), START);
        for _ in 0..10 {
            aimd.succeeded();
        }
        assert_eq!(aimd.allowed(), START + 10, "slow start: one per success");
        assert_eq!(grown(64).allowed(), 64, "up to the configured ceiling");
        let mut aimd = grown(64);
        aimd.succeeded();
        assert_eq!(aimd.allowed(), 64, "never above it");
        assert_eq!(Aimd::new(4).allowed(), 4, "a lower ceiling is the start");
    }

    #[test]
    fn after_a_throttle_it_grows_one_per_limit_successes() {
        let mut aimd = grown(64);
        aimd.throttled(Instant::now());
        assert_eq!(aimd.allowed(), 32);
        // About `limit` successes per step up, no more slow start.
        for _ in 0..32 {
            aimd.succeeded();
        }
        assert_eq!(aimd.allowed(), 32);
        for _ in 0..4 {
            aimd.succeeded();
        }
        assert_eq!(aimd.allowed(), 33);
        for _ in 0..100_000 {
            aimd.succeeded();
        }
        assert_eq!(aimd.allowed(), 64, "capped at the configured concurrency");
    }

    #[tokio::test]
    async fn waiters_run_when_a_place_frees_and_never_above_the_limit() {
        let limiter = Limiter::new(2);
        let a = limiter.acquire(Class::First).await;
        let _b = limiter.acquire(Class::First).await;
        let third = tokio::spawn({
            let limiter = limiter.clone();
            async move {
                let _c = limiter.acquire(Class::First).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!third.is_finished(), "two places, both taken");
        drop(a);
        tokio::time::timeout(Duration::from_secs(1), third)
            .await
            .expect("the freed place is taken")
            .unwrap();
    }

    #[tokio::test]
    async fn listing_keys_goes_before_the_look_ups() {
        let limiter = Limiter::new(1);
        let held = limiter.acquire(Class::First).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let second = tokio::spawn({
            let (limiter, order) = (limiter.clone(), order.clone());
            async move {
                let _p = limiter.acquire(Class::Second).await;
                order.lock().unwrap().push("second");
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        let first = tokio::spawn({
            let (limiter, order) = (limiter.clone(), order.clone());
            async move {
                let _p = limiter.acquire(Class::First).await;
                order.lock().unwrap().push("first");
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(held);
        first.await.unwrap();
        second.await.unwrap();
        assert_eq!(*order.lock().unwrap(), ["first", "second"]);
    }
}
