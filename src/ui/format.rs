//! Dates, ages and yes/no as the screen writes them.

use chrono::{DateTime, Utc};

pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// "2026-11-28 (3 days old)", or "date unknown" when IAM gave none.
pub fn created(now: DateTime<Utc>, created: Option<DateTime<Utc>>) -> String {
    created.map_or_else(
        || "on an unknown date (IAM sent none)".to_owned(),
        |t| {
            if (now - t).num_days() <= 0 {
                format!("{} (today)", date(t))
            } else {
                format!("{} ({} old)", date(t), age(now, t))
            }
        },
    )
}

pub fn date_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// "0 days", "1 day", "45 days".
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    match (now - then).num_days() {
        i64::MIN..=0 => "0 days".to_owned(),
        1 => "1 day".to_owned(),
        n => format!("{n} days"),
    }
}

/// "today", "yesterday", "12 days ago".
pub fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    match (now - then).num_days() {
        i64::MIN..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        n => format!("{n} days ago"),
    }
}

pub fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "…",
    }
}

/// A yes/no cell: `…` while loading, `denied`/`failed` when it could not be read.
pub fn known(value: Option<bool>, error: Option<&crate::iam::IamError>) -> &'static str {
    match (value, error) {
        (None, Some(err)) => err.in_a_word(),
        _ => yes_no(value),
    }
}

pub use crate::lines::{fit, fit_str, wrap, wrap_with};

pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ages_read_naturally() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        assert_eq!(age(now, now), "0 days");
        assert_eq!(age(now, now - chrono::TimeDelta::days(1)), "1 day");
        assert_eq!(age(now, now - chrono::TimeDelta::days(90)), "90 days");
        assert_eq!(age(now, now + chrono::TimeDelta::days(3)), "0 days");
        assert_eq!(yes_no(None), "…");
    }

    /// Issue 38 item 10: a key made today is "today", not "0 days old".
    #[test]
    fn a_date_made_today_says_today() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        assert_eq!(created(now, Some(now)), "2026-11-28 (today)");
        let day = chrono::TimeDelta::days(1);
        assert_eq!(created(now, Some(now - day)), "2026-11-27 (1 day old)");
        assert_eq!(
            created(now, Some(now - day * 45)),
            "2026-10-14 (45 days old)"
        );
    }
}
