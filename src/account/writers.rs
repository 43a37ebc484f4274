//! Who wrote the account's waiver tags: CloudTrail's `TagUser` events, asked
//! once per load when a waiver tag is seen and `[audit] waiver_approvers`
//! names anyone (with no approvers no tag waiver is honoured, so nothing is
//! asked). Each tag waiver gets its [`Trust`] from them before the audit.

use chrono::{DateTime, Utc};

use super::Account;
use crate::action::TagWriters;
use crate::audit::waivers::{Source, Trust, writers::writer_of};
use crate::audit::{Thresholds, UserInput};
use crate::effect::{Call, Effect};
use crate::iam::IamError;

/// Where reading the waiver tags' writers stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WriterStatus {
    #[default]
    NotAsked,
    Asked,
    Known(TagWriters),
    /// `cloudtrail:LookupEvents` refused or failed: no tag waiver is honoured.
    Failed(IamError),
}

/// The user's audit input with each tag waiver's writer as far as it is known.
#[must_use]
pub fn attest(mut input: UserInput, status: &WriterStatus, thresholds: &Thresholds) -> UserInput {
    for waiver in input.waivers.iter_mut().filter(|w| w.source == Source::Tag) {
        let Some((key, value)) = &waiver.tag else {
            continue;
        };
        waiver.trust = if thresholds.waiver_approvers.is_empty() {
            Trust::Unverified("no [audit] waiver_approvers are configured".to_owned())
        } else {
            match status {
                WriterStatus::NotAsked | WriterStatus::Asked => {
                    Trust::Unverified("its writer is being looked up in CloudTrail".to_owned())
                }
                WriterStatus::Failed(err) => Trust::Unverified(format!(
                    "{} {}: who wrote it cannot be told",
                    err.action,
                    super::gaps::cause(err)
                )),
                WriterStatus::Known(found) => match writer_of(&found.writes, &input.name, key, value) {
                    Some(writer) => Trust::Writer(writer.clone()),
                    None if found.cut_short => Trust::Unverified(
                        "no TagUser event for it among the newest CloudTrail events read".to_owned(),
                    ),
                    None => Trust::Unverified(
                        "no TagUser event for it in CloudTrail's 90 days of history (re-approve it)"
                            .to_owned(),
                    ),
                },
            }
        };
    }
    input
}

impl Account {
    /// Where the waiver tags' writers stand.
    #[must_use]
    pub fn tag_writers(&self) -> &WriterStatus {
        &self.writers
    }

    /// Ask CloudTrail who wrote the waiver tags, once a waiver tag is seen
    /// and approvers are configured (once per load).
    pub(super) fn ask_tag_writers(&mut self) -> Option<Effect> {
        if self.writers != WriterStatus::NotAsked || self.thresholds.waiver_approvers.is_empty() {
            return None;
        }
        // Waiver tags, and handoff tags (honoured on the same terms).
        let seen = self.users.rows().any(|row| {
            row.waivers().0.iter().any(|w| w.source == Source::Tag)
                || row.has_tag(crate::handoff::TAG)
        });
        if !seen {
            return None;
        }
        self.writers = WriterStatus::Asked;
        Some(self.call(Call::TagWriters))
    }

    /// A waiver tag was written or removed here: who wrote the tags is asked
    /// again with the next answer (CloudTrail shows the new `TagUser`
    /// within minutes; until then the waiver is a claim).
    pub fn recheck_tag_writers(&mut self) {
        if self.writers != WriterStatus::Asked {
            self.writers = WriterStatus::NotAsked;
        }
    }

    pub(super) fn on_tag_writers(
        &mut self,
        result: Result<TagWriters, IamError>,
        now: DateTime<Utc>,
    ) {
        self.writers = match result {
            Ok(found) => WriterStatus::Known(found),
            Err(err) => WriterStatus::Failed(err),
        };
        self.refresh_all(now);
    }
}
