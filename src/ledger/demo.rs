//! The demo's own ledger: in memory, seeded with what iamkeys "decided"
//! about the demo's keys — when it made each inactive key inactive (20 or 3
//! days ago: some ready to delete, some not yet) and one rotation in
//! progress (svc-ivan-08: its newer key replaces the older, in use since
//! the day it was made). Never the real ledger.

use chrono::{DateTime, TimeDelta, Utc};

use super::{Event, Kind, Ledger};
use crate::iam::demo::{DEMO_ACCOUNT, USERS, seed_user};
use crate::model::KeyStatus;

/// Who the demo's events are by.
#[must_use]
pub fn writer() -> String {
    format!("arn:aws:iam::{DEMO_ACCOUNT}:user/demo-operator")
}

/// The demo's events as of `now`.
#[must_use]
pub fn events(now: DateTime<Utc>) -> Vec<Event> {
    let by = writer();
    let mut events = Vec::new();
    for n in 0..USERS {
        let seeded = seed_user(n, now);
        let user = seeded.user.name.as_str();
        for (key, _) in seeded
            .keys
            .iter()
            .filter(|(k, _)| k.status == KeyStatus::Inactive)
        {
            let ago = if (n / 6).is_multiple_of(2) { 20 } else { 3 };
            events.push(Event::new(
                now - TimeDelta::days(ago),
                DEMO_ACCOUNT,
                Some(user),
                Some(&key.id),
                &by,
                Kind::KeyMadeInactive,
            ));
        }
        if n == 8
            && let [(old, _), (new, _)] = seeded.keys.as_slice()
            && let Some(started) = new.created
        {
            events.push(Event::new(
                started,
                DEMO_ACCOUNT,
                Some(user),
                Some(&old.id),
                &by,
                Kind::RotationStarted {
                    new_key_id: new.id.clone(),
                },
            ));
            events.push(Event::new(
                started + TimeDelta::hours(2),
                DEMO_ACCOUNT,
                Some(user),
                Some(&old.id),
                &by,
                Kind::RotationFirstUse {
                    new_key_id: new.id.clone(),
                    used_at: started + TimeDelta::hours(2),
                },
            ));
        }
    }
    events
}

/// The demo's ledger, seeded as of `now`.
#[must_use]
pub fn ledger(now: DateTime<Utc>) -> Ledger {
    Ledger::memory_with(Ledger::fixed_writer(&writer()), DEMO_ACCOUNT, &events(now))
}
