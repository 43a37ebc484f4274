//! Per-user requests while loading: a user's console password and MFA, its
//! keys, and when each key's last use (or a check of the report's word)
//! must be asked of IAM.

use chrono::{DateTime, Utc};

use super::super::Account;
use super::super::users::KeysState;
use super::Event;
use crate::audit::FindingId;
use crate::effect::{Call, Effect};
use crate::iam::{ErrorKind, IamError};
use crate::model::KeyStatus;

impl Account {
    /// Ask `GetLoginProfile` and `ListMFADevices` for a user, once.
    pub(super) fn details(&mut self, user: &str) -> Vec<Effect> {
        self.ask_details(user, true)
    }

    /// Ask `GetLoginProfile` (and, with `mfa`, `ListMFADevices`) once.
    pub(super) fn ask_details(&mut self, user: &str, mfa: bool) -> Vec<Effect> {
        let Some(row) = self.users.get_mut(user) else {
            return Vec::new();
        };
        if row.details_requested {
            return Vec::new();
        }
        row.details_requested = true;
        vec![self.call(Call::UserDetails {
            user: user.to_owned(),
            mfa,
        })]
    }

    /// Console password and MFA arrived, each on its own: a denied
    /// `ListMFADevices` does not lose the password, and a denied
    /// `GetLoginProfile` is kept, so the audit can say what it could not judge.
    pub(super) fn on_details(
        &mut self,
        user: &str,
        password: Result<Option<crate::model::LoginProfile>, IamError>,
        mfa: Option<Result<bool, IamError>>,
        now: DateTime<Utc>,
        event: &mut Option<Event>,
    ) {
        let Some(row) = self.users.get_mut(user) else {
            return;
        };
        match password {
            Ok(password) => {
                if row.password.is_none() {
                    self.users_with_password += 1;
                }
                row.password = Some(password.is_some());
                row.password_set = password.and_then(|p| p.created);
                row.password_error = None;
            }
            Err(err) => {
                // A password the report already gave stays; the error is kept
                // only where nothing is known.
                if row.password.is_none() {
                    if err.kind == ErrorKind::NoSuchEntity {
                        *event = Some(Event::UserGone(user.to_owned()));
                    }
                    row.password_error = Some(err);
                }
            }
        }
        match mfa {
            Some(Ok(mfa)) => {
                row.mfa = Some(mfa);
                row.mfa_error = None;
            }
            Some(Err(err)) if row.mfa.is_none() => row.mfa_error = Some(err),
            Some(Err(_)) | None => {}
        }
        self.refresh_user(user, now);
    }

    pub(super) fn on_keys(
        &mut self,
        user: &str,
        result: Result<Vec<crate::model::AccessKey>, IamError>,
        now: DateTime<Utc>,
        event: &mut Option<Event>,
    ) -> Vec<Effect> {
        if self.users.get(user).is_none() {
            return Vec::new();
        }
        match result {
            Ok(mut keys) => {
                // Oldest first; a key without a date (unknown) last.
                keys.sort_by(|a, b| {
                    (a.created.is_none(), a.created)
                        .cmp(&(b.created.is_none(), b.created))
                        .then_with(|| a.id.cmp(&b.id))
                });
                let newest = keys.iter().filter_map(|k| k.created).max();
                self.set_keys(user, KeysState::Loaded(keys));
                self.newest_key = self.newest_key.max(newest);
                self.revisions.keys += 1;
                self.refresh_user(user, now);
                let mut effects = self.last_used_requests(user);
                effects.extend(self.verify_password(user));
                let rotations = self.rotation_last_used(user, &effects);
                effects.extend(rotations);
                effects
            }
            Err(err) => {
                *event = Some(if err.kind == ErrorKind::NoSuchEntity {
                    Event::UserGone(user.to_owned())
                } else {
                    Event::Failed(err.clone())
                });
                self.set_keys(user, KeysState::Failed(err));
                self.refresh_user(user, now);
                Vec::new()
            }
        }
    }

    /// Ask `GetAccessKeyLastUsed` for the user's keys the credential report
    /// cannot speak for: every key without a report, keys made after the report
    /// or sharing a report slot (no one-to-one match), and — when the report is
    /// one IAM already had — Active keys it shows as never used, where a use
    /// since could change a finding ([`Account::use_decides`]), or as last
    /// used long enough ago for `unused_key`: a finding must not be invented
    /// from an old report, nor a request sent that cannot change one (a key
    /// the report shows used recently enough is not asked).
    pub(super) fn last_used_requests(&mut self, user: &str) -> Vec<Effect> {
        let unavailable = self.report_unavailable().is_some();
        let cached = self.credential_report().map(|r| !r.fresh);
        if !unavailable && cached.is_none() {
            return Vec::new();
        }
        self.ask_last_used_where(user, |account, row, k| {
            !row.last_used.contains_key(&k.id)
                && (unavailable
                    || match row.report_slot(k) {
                        None => true,
                        Some(slot) => {
                            cached == Some(true)
                                && k.status != KeyStatus::Inactive
                                && match slot.last_used.date {
                                    None => account.use_decides(row, k),
                                    // A use since could clear `unused_key`;
                                    // a use recent enough decides nothing.
                                    Some(last) => account.unused_since(last),
                                }
                        }
                    })
        })
    }

    /// Whether a use since an old report of an Active key it shows as never
    /// used could change a finding. `initial_setup_key` hangs on it only for
    /// a user with a console password (or one not known); `unused_key` only
    /// for a key old enough to be unused (a use since the report, at most
    /// hours ago, would clear it). `key_not_rotated` and
    /// `multiple_active_keys` never do.
    pub(super) fn use_decides(
        &self,
        row: &super::super::UserRow,
        key: &crate::model::AccessKey,
    ) -> bool {
        self.old_enough_to_be_unused(key) || row.password != Some(false)
    }

    /// Whether a use at `used` is long enough ago for `unused_key`.
    pub(super) fn unused_since(&self, used: DateTime<Utc>) -> bool {
        self.clock - used >= chrono::TimeDelta::days(i64::from(self.thresholds.unused_days))
    }

    /// Whether `key` is old enough (or of unknown age) for `unused_key`.
    pub(super) fn old_enough_to_be_unused(&self, key: &crate::model::AccessKey) -> bool {
        let unused_after = chrono::TimeDelta::days(i64::from(self.thresholds.unused_days));
        key.created
            .is_none_or(|made| self.clock - made >= unused_after)
    }

    /// A console password given since an old report: the last use of the
    /// Active keys it shows as never used now decides `initial_setup_key`.
    /// Those old enough for `unused_key` were asked already.
    pub(super) fn password_now_decides(&mut self, user: &str) -> Vec<Effect> {
        if self.credential_report().is_none_or(|r| r.fresh) {
            return Vec::new();
        }
        self.ask_last_used_where(user, |account, row, k| {
            k.status != KeyStatus::Inactive
                && !row.last_used.contains_key(&k.id)
                && row
                    .report_slot(k)
                    .is_some_and(|slot| slot.last_used.date.is_none())
                && !account.old_enough_to_be_unused(k)
        })
    }

    /// `GetAccessKeyLastUsed` for the listed keys of the user that `wanted`
    /// picks.
    fn ask_last_used_where(
        &mut self,
        user: &str,
        wanted: impl Fn(&Self, &super::super::UserRow, &crate::model::AccessKey) -> bool,
    ) -> Vec<Effect> {
        let Some(row) = self.users.get(user) else {
            return Vec::new();
        };
        let keys: Vec<String> = row
            .listed_keys()
            .unwrap_or_default()
            .iter()
            .filter(|k| wanted(self, row, k))
            .map(|k| k.id.clone())
            .collect();
        self.ask_last_used(user, keys)
    }

    /// `GetAccessKeyLastUsed` for each of these keys of the user.
    pub(in crate::account) fn ask_last_used(
        &mut self,
        user: &str,
        keys: Vec<String>,
    ) -> Vec<Effect> {
        keys.into_iter()
            .map(|key_id| {
                self.call(Call::LastUsed {
                    user: user.to_owned(),
                    key_id,
                })
            })
            .collect()
    }

    /// With a report IAM already had, a user it shows without a console
    /// password may have been given one since: when that would decide
    /// `initial_setup_key` (an Active key with no known use), ask
    /// `GetLoginProfile` rather than trust the old row.
    pub(super) fn verify_password(&mut self, user: &str) -> Vec<Effect> {
        if self.credential_report().is_none_or(|r| r.fresh) {
            return Vec::new();
        }
        let Some(row) = self.users.get(user) else {
            return Vec::new();
        };
        let decides = row.password == Some(false)
            && row.listed_keys().unwrap_or_default().iter().any(|k| {
                k.status != KeyStatus::Inactive
                    && row.key_last_used(k).is_none_or(|used| used.date.is_none())
            });
        if decides {
            // The report gave MFA; only the password may be out of date.
            self.ask_details(user, false)
        } else {
            Vec::new()
        }
    }

    /// Users without a (readable) row in the credential report — made after
    /// it, or whose row was rejected — get everything from per-user calls:
    /// console password and MFA, and their keys with each key's last use.
    /// `among` limits the check to these users.
    pub(super) fn missing_from_report(&mut self, among: Option<&[String]>) -> Vec<Effect> {
        let missing: Vec<String> = self
            .users
            .rows()
            .filter(|r| r.report.is_none() && r.password.is_none())
            .filter(|r| among.is_none_or(|names| names.contains(&r.user.name)))
            .map(|r| r.user.name.clone())
            .collect();
        let mut effects = Vec::new();
        for user in &missing {
            effects.extend(self.details(user));
        }
        effects.extend(self.queue_keys(&missing));
        effects
    }

    /// Audited from the credential report alone, a key-level finding has no
    /// key ID (the report holds none): list the keys of the users who have
    /// one, so that every finding names the key to act on.
    /// With the report and the ledger both in: users whose report shows
    /// more Inactive keys than the ledger dates for them have their keys
    /// listed, so each such key can be dated (once) by its ID.
    pub(in crate::account) fn keys_for_dating(&mut self) -> Vec<Effect> {
        let Some(ledger) = self.ledger() else {
            return Vec::new();
        };
        let users: Vec<String> = self
            .users
            .rows()
            .filter(|r| r.listed_keys().is_none())
            .filter(|r| {
                let inactive = r.report.as_ref().map_or(0, |report| {
                    report
                        .keys
                        .iter()
                        .filter(|s| s.present() && !s.active)
                        .count()
                });
                let dated = ledger
                    .inactive
                    .values()
                    .filter(|d| d.user == r.user.name)
                    .count();
                inactive > dated
            })
            .map(|r| r.user.name.clone())
            .collect();
        self.queue_keys(&users)
    }

    pub(super) fn keys_for_findings(&mut self, among: Option<&[String]>) -> Vec<Effect> {
        let users: Vec<String> = self
            .users
            .rows()
            .filter(|r| among.is_none_or(|names| names.contains(&r.user.name)))
            .filter(|r| {
                r.findings.iter().any(|f| {
                    f.access_key_id.is_none()
                        && !matches!(
                            f.id,
                            FindingId::MultipleActiveKeys | FindingId::RootAccessKey
                        )
                })
            })
            .map(|r| r.user.name.clone())
            .collect();
        self.queue_keys(&users)
    }
}
