//! Loading the account: which calls to make, and folding their results in.

use chrono::{DateTime, Utc};

use super::users::{ExtrasState, TagsState};
use super::{Account, IdentityStatus, KeysState, ListStatus, ReportStatus, UserTable};
use crate::action::Loaded;
use crate::effect::{Call, Effect};
use crate::iam::{ErrorKind, IamError};
use crate::model::{Page, User};

/// Something the operator should hear of, in whatever words the place
/// they are in uses (a status line, a CLI message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A call failed in a way worth saying at once.
    Failed(IamError),
    /// The credential report was refused: per-user calls fill in.
    ReportDenied { action: &'static str },
    /// A user listed a moment ago no longer exists.
    UserGone(String),
    /// The new key of a rotation was seen used for the first time.
    NewKeyInUse(super::rotation::Rotation),
}

/// What folding in one answer asks for next.
#[derive(Debug, Default)]
pub struct Step {
    /// Further IAM calls (already counted as pending).
    pub effects: Vec<Effect>,
    /// The latest thing worth saying, if any.
    pub event: Option<Event>,
}

/// Which user a view has on screen, asked after new users are in (their
/// keys are then listed ahead of the queue); `None` for no view.
pub type OnScreen<'a> = &'a mut dyn FnMut(&Account) -> Option<String>;

impl Account {
    /// Start (or restart) loading: a new generation, an empty table, the
    /// first calls.
    pub fn start_load(&mut self) -> Vec<Effect> {
        self.generation += 1;
        self.pending = 0;
        self.identity = IdentityStatus::Loading;
        self.list = ListStatus::Loading { pages: 0 };
        self.report = ReportStatus::Loading;
        self.users = UserTable::default();
        self.backoff = None;
        self.totals = crate::audit::FindingCounts::default();
        self.root_findings.clear();
        self.root_keys = None;
        self.newest_key = None;
        self.users_with_keys = 0;
        self.users_with_password = 0;
        self.gap_users.clear();
        self.tag_queue.clear();
        self.bulk_tags = super::BulkTags::Loading;
        self.user_pages = crate::iam::pages::Pages::new();
        self.tag_pages = crate::iam::pages::Pages::new();
        self.auth = crate::risk::details::AuthDetails::default();
        self.quarantine.clear();
        self.privileges = None;
        self.early_tags.clear();
        self.dating.clear();
        self.trail_refused = None;
        self.revisions.rows += 1;
        vec![
            self.call(Call::Identity),
            self.call(Call::ListUsers { marker: None }),
            self.call(Call::CredentialReport),
            self.call(Call::AllTags { marker: None }),
            self.ask_ledger(),
            self.ask_service_credentials(),
        ]
    }

    /// Ask for a user's groups, tags and keys ahead of the background queue
    /// (the user is on screen).
    pub fn prioritize(&mut self, user: &str) -> Vec<Effect> {
        if !self.list_keys {
            return Vec::new();
        }
        let Some(row) = self.users.get_mut(user) else {
            return Vec::new();
        };
        let mut effects = Vec::new();
        if row.extras == ExtrasState::NotRequested {
            row.extras = ExtrasState::Requested;
            effects.push(self.call(Call::UserExtras {
                user: user.to_owned(),
            }));
        }
        let Some(row) = self.users.get(user) else {
            return effects;
        };
        if !matches!(row.keys, KeysState::NotRequested | KeysState::Queued) {
            return effects;
        }
        self.set_keys(user, KeysState::Priority);
        effects.push(self.call(Call::ListKeys {
            user: user.to_owned(),
            priority: true,
        }));
        effects
    }

    /// An effect of this account that its driver did not carry out: it is
    /// no longer pending, and what it asked for may be asked again.
    pub fn withdraw(&mut self, effect: &Effect) {
        let Effect::Iam { generation, call } = effect else {
            return;
        };
        if *generation != self.generation {
            return;
        }
        self.pending = self.pending.saturating_sub(1);
        match call {
            Call::UserExtras { user } => {
                if let Some(row) = self.users.get_mut(user)
                    && row.extras == ExtrasState::Requested
                {
                    row.extras = ExtrasState::NotRequested;
                }
            }
            Call::ListKeys { user, .. }
                if self
                    .users
                    .get(user)
                    .is_some_and(|r| matches!(r.keys, KeysState::Queued | KeysState::Priority)) =>
            {
                self.set_keys(user, KeysState::NotRequested);
            }
            Call::UserDetails { user, .. } => {
                if let Some(row) = self.users.get_mut(user) {
                    row.details_requested = false;
                }
            }
            Call::Tags { user } => {
                if let Some(row) = self.users.get_mut(user)
                    && row.tags == TagsState::Queued
                {
                    row.tags = TagsState::NotRequested;
                }
            }
            Call::Ledger if self.ledger == super::ledger::LedgerStatus::Asked => {
                self.ledger = super::ledger::LedgerStatus::NotAsked;
            }
            Call::DateInactive { key_id, .. } => {
                self.dating.remove(key_id);
            }
            Call::ServiceCredentials | Call::Credentials { .. } => self.withdraw_credentials(call),
            _ => {}
        }
    }

    /// Read a user's tags again (after a waiver was written or removed).
    pub fn reread_tags(&mut self, user: &str) -> Vec<Effect> {
        let Some(row) = self.users.get_mut(user) else {
            return Vec::new();
        };
        row.tags = TagsState::Queued;
        vec![self.call(Call::Tags {
            user: user.to_owned(),
        })]
    }

    /// List a user's keys again, ahead of the queue (after a change).
    pub fn relist_keys(&mut self, user: &str) -> Vec<Effect> {
        if self.users.get(user).is_none() {
            return Vec::new();
        }
        self.set_keys(user, KeysState::Priority);
        vec![self.call(Call::ListKeys {
            user: user.to_owned(),
            priority: true,
        })]
    }

    /// Ask a user's console password of IAM again (after a change to it):
    /// what IAM answers replaces what the report or an earlier answer said.
    pub fn reask_password(&mut self, user: &str) -> Vec<Effect> {
        let Some(row) = self.users.get_mut(user) else {
            return Vec::new();
        };
        row.details_requested = false;
        self.ask_details(user, false)
    }

    /// Fold in one answer of the current load (see [`Account::answered`]).
    /// `on_screen` names the user a view shows, once new users are in.
    pub fn on_loaded(
        &mut self,
        result: Loaded,
        now: DateTime<Utc>,
        on_screen: OnScreen<'_>,
    ) -> Step {
        self.clock = self.clock.max(now);
        let dates_of = dates_of(&result);
        let mut step = Step::default();
        step.effects = match result {
            Loaded::Identity(Ok(identity)) => {
                self.identity = IdentityStatus::Known(identity);
                Vec::new()
            }
            Loaded::Identity(Err(err)) => {
                step.event = Some(Event::Failed(err.clone()));
                self.identity = IdentityStatus::Failed(err);
                Vec::new()
            }
            Loaded::UsersPage(Ok(page)) => self.on_users_page(page, now, on_screen),
            Loaded::UsersPage(Err(err)) => {
                step.event = Some(Event::Failed(err.clone()));
                self.list = ListStatus::Failed(err);
                Vec::new()
            }
            Loaded::CredentialReport(Ok(report)) => self.on_report(report, now),
            Loaded::CredentialReport(Err(err)) => self.on_report_failed(err, &mut step.event),
            Loaded::Keys { user, result } => self.on_keys(&user, result, now, &mut step.event),
            Loaded::LastUsed {
                user,
                key_id,
                result,
            } => {
                step.event = self.on_last_used(&user, key_id, result, now);
                Vec::new()
            }
            Loaded::RootKeys(result) => {
                self.root_keys = Some(result);
                self.refresh_all(now);
                Vec::new()
            }
            Loaded::UserExtras { user, extras } => {
                self.on_extras(&user, extras, now);
                Vec::new()
            }
            Loaded::AllTags(result) => self.on_all_tags(result, now),
            Loaded::Tags { user, result } => {
                if let Some(row) = self.users.get_mut(&user) {
                    row.tags = match result {
                        Ok(tags) => TagsState::Loaded(tags),
                        Err(err) => TagsState::Failed(err),
                    };
                    self.refresh_user(&user, now);
                    let mut effects = self.keys_for_retirement(std::slice::from_ref(&user));
                    let rotations = self.rotation_last_used(&user, &effects);
                    effects.extend(rotations);
                    effects
                } else {
                    Vec::new()
                }
            }
            Loaded::UserDetails {
                user,
                password,
                mfa,
            } => {
                let before = self.users.get(&user).and_then(|r| r.password);
                self.on_details(&user, password, mfa, now, &mut step.event);
                let after = self.users.get(&user).and_then(|r| r.password);
                if before == Some(false) && after == Some(true) {
                    self.password_now_decides(&user)
                } else {
                    Vec::new()
                }
            }
            Loaded::Ledger(result) => self.on_ledger(result, now),
            Loaded::InactiveDated {
                key_id,
                recorded,
                cloudtrail,
                ..
            } => self.on_dated(&key_id, recorded, cloudtrail),
            Loaded::ServiceCredentials(result) => {
                self.on_service_credentials(result, now);
                Vec::new()
            }
            Loaded::Credentials {
                user,
                ssh,
                certificates,
                service,
            } => {
                self.on_credentials(&user, ssh, certificates, service, now);
                Vec::new()
            }
            aside @ (Loaded::EnabledRegions(_) | Loaded::AwsFindings(_)) => {
                self.keep_aside(aside);
                Vec::new()
            }
        };
        for user in std::mem::take(&mut self.tag_queue) {
            let call = self.call(Call::Tags { user });
            step.effects.push(call);
        }
        step.effects.extend(self.date_undated(&dates_of, now));
        step
    }

    /// Ask to date the undated Inactive keys of `whose`.
    fn date_undated(&mut self, whose: &Undated, now: DateTime<Utc>) -> Vec<Effect> {
        match whose {
            Undated::Nobody => Vec::new(),
            Undated::Of(user) => self.ask_dates(now, Some(user)),
            Undated::Everyone => self.ask_dates(now, None),
        }
    }

    fn on_last_used(
        &mut self,
        user: &str,
        key_id: String,
        result: Result<crate::model::LastUsed, IamError>,
        now: DateTime<Utc>,
    ) -> Option<Event> {
        let row = self.users.get_mut(user)?;
        let mut event = None;
        match result {
            Ok(answer) => {
                row.last_used_errors.remove(&key_id);
                // Recorded first, so that the rotation's first use is
                // believed (IAM shows the key used).
                let date = answer.date;
                row.last_used.insert(key_id.clone(), answer);
                if let Some(at) = date
                    && let Some(rotation) = self.first_use_seen(user, &key_id, at)
                {
                    event = Some(Event::NewKeyInUse(rotation));
                }
            }
            Err(err) => {
                row.last_used_errors.insert(key_id, err);
            }
        }
        self.refresh_user(user, now);
        event
    }

    fn on_report(
        &mut self,
        report: crate::model::CredentialReport,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let fresh = report.fresh;
        self.report = ReportStatus::Loaded(report);
        self.apply_report(None);
        self.refresh_all(now);
        let mut effects = self.missing_from_report(None);
        if !fresh && !self.list_keys {
            // A report IAM already had may be hours old: keys made
            // since are not in it. See every key that exists now.
            self.list_keys = true;
            let users: Vec<String> = self.users.rows().map(|r| r.user.name.clone()).collect();
            effects.extend(self.queue_keys(&users));
        }
        let listed: Vec<String> = self
            .users
            .rows()
            .filter(|r| r.listed_keys().is_some())
            .map(|r| r.user.name.clone())
            .collect();
        for user in &listed {
            effects.extend(self.last_used_requests(user));
            effects.extend(self.verify_password(user));
        }
        effects.extend(self.keys_for_findings(None));
        effects.extend(self.keys_for_dating());
        effects
    }

    fn on_users_page(
        &mut self,
        page: Page<User>,
        now: DateTime<Utc>,
        on_screen: OnScreen<'_>,
    ) -> Vec<Effect> {
        let pages = match self.list {
            ListStatus::Loading { pages } | ListStatus::Done { pages } => pages + 1,
            ListStatus::Failed(_) => 1,
        };
        let names: Vec<String> = page.items.iter().map(|u| u.name.clone()).collect();
        self.users.upsert(page.items);
        for user in &names {
            if let Some(tags) = self.early_tags.remove(user)
                && let Some(row) = self.users.get_mut(user)
            {
                row.tags = TagsState::Loaded(tags);
            }
        }
        self.revisions.rows += 1;
        let mut effects = Vec::new();
        match self.user_pages.next("iam:ListUsers", page.next_marker) {
            Ok(Some(marker)) => {
                self.list = ListStatus::Loading { pages };
                effects.push(self.call(Call::ListUsers {
                    marker: Some(marker),
                }));
            }
            Ok(None) => self.list = ListStatus::Done { pages },
            // What was listed stays; the audit says it is incomplete.
            Err(err) => self.list = ListStatus::Failed(err),
        }
        let loaded = matches!(self.report, ReportStatus::Loaded(_));
        if loaded {
            self.apply_report(Some(&names));
            effects.extend(self.missing_from_report(Some(&names)));
        }
        for user in &names {
            self.refresh_user(user, now);
        }
        if self.list_keys {
            if let Some(user) = on_screen(self) {
                effects.extend(self.prioritize(&user));
            }
            effects.extend(self.queue_keys(&names));
        } else {
            effects.extend(self.keys_for_retirement(&names));
        }
        if loaded {
            effects.extend(self.keys_for_findings(Some(&names)));
            effects.extend(self.keys_for_dating());
        }
        if self.report_unavailable().is_some() {
            for user in &names {
                effects.extend(self.details(user));
            }
        }
        // Their other long-term credentials, behind what is on screen.
        effects.extend(self.ask_credentials(&names));
        effects
    }

    /// A user's groups and tags for the details area; the same tags hold
    /// the waivers, so one read serves both.
    fn on_extras(&mut self, user: &str, extras: crate::action::Extras, now: DateTime<Utc>) {
        let Some(row) = self.users.get_mut(user) else {
            return;
        };
        if let Ok(tags) = &extras.tags
            && !matches!(row.tags, TagsState::Loaded(_))
        {
            row.tags = TagsState::Loaded(tags.clone());
            row.extras = ExtrasState::Loaded(extras);
            self.refresh_user(user, now);
        } else {
            row.extras = ExtrasState::Loaded(extras);
        }
    }

    /// A page of every user's tags: set them (or keep them for users not
    /// listed yet); when the read is over or refused, users with findings
    /// whose tags it did not bring have theirs read one by one.
    fn on_all_tags(
        &mut self,
        result: Result<
            (
                crate::model::Page<crate::model::UserTags>,
                crate::risk::details::AuthDetails,
            ),
            IamError,
        >,
        now: DateTime<Utc>,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        match result {
            Ok((page, details)) => {
                self.auth.extend(details);
                let names: Vec<String> = page.items.iter().map(|(u, _)| u.clone()).collect();
                for (user, tags) in page.items {
                    match self.users.get_mut(&user) {
                        Some(row) if !matches!(row.tags, TagsState::Loaded(_)) => {
                            row.tags = TagsState::Loaded(tags);
                            self.refresh_user(&user, now);
                        }
                        Some(_) => {}
                        None => {
                            self.early_tags.insert(user, tags);
                        }
                    }
                }
                effects = self.keys_for_retirement(&names);
                for user in &names {
                    let rotations = self.rotation_last_used(user, &effects);
                    effects.extend(rotations);
                }
                match self
                    .tag_pages
                    .next("iam:GetAccountAuthorizationDetails", page.next_marker)
                {
                    Ok(Some(marker)) => {
                        effects.push(self.call(Call::AllTags {
                            marker: Some(marker),
                        }));
                        return effects;
                    }
                    Ok(None) => {
                        self.bulk_tags = super::BulkTags::Done;
                        // The walk is whole: every user's level, each
                        // document read once, and the users AWS
                        // quarantined.
                        self.quarantine = self
                            .auth
                            .users
                            .iter()
                            .filter_map(|u| Some((u.name.clone(), u.quarantine()?.to_owned())))
                            .collect();
                        let users = crate::risk::details::user_policies(&self.auth);
                        let names: Vec<String> = users.keys().cloned().collect();
                        let policies: Vec<_> = users.into_values().collect();
                        self.privileges = Some(Ok(names
                            .into_iter()
                            .zip(crate::risk::evaluate_all(&policies))
                            .collect()));
                        self.auth = crate::risk::details::AuthDetails::default();
                        // Risks are known now: a table sorted by them re-sorts.
                        self.revisions.findings += 1;
                        let quarantined: Vec<String> = self.quarantine.keys().cloned().collect();
                        for user in quarantined {
                            self.refresh_user(&user, now);
                        }
                    }
                    Err(err) => {
                        self.privileges = Some(Err(err.clone()));
                        self.revisions.findings += 1;
                        self.bulk_tags = super::BulkTags::Failed(err);
                    }
                }
            }
            Err(err) => {
                self.privileges = Some(Err(err.clone()));
                self.revisions.findings += 1;
                self.bulk_tags = super::BulkTags::Failed(err);
            }
        }
        self.queue_tags_one_by_one();
        effects
    }

    /// Users with findings whose tags the read of every user's tags did not
    /// bring are read one by one (with the next answer).
    fn queue_tags_one_by_one(&mut self) {
        for row in self.users.rows_mut() {
            super::findings::queue_tags(row, true, &mut self.tag_queue);
        }
    }

    /// Users with a key iamkeys made inactive, or a rotation in progress,
    /// have their keys listed, so the audit can tell which key is ready to
    /// delete and whose new key is in use (the credential report has no key
    /// IDs).
    pub(super) fn keys_for_retirement(&mut self, users: &[String]) -> Vec<Effect> {
        let Some(ledger) = self.ledger() else {
            return Vec::new();
        };
        let wanted: Vec<String> = users
            .iter()
            .filter(|u| {
                ledger.inactive.values().any(|d| &d.user == *u)
                    || ledger.rotations.iter().any(|r| &r.user == *u)
            })
            .cloned()
            .collect();
        self.queue_keys(&wanted)
    }

    /// Keep the listed-keys count true whatever a user's keys become.
    fn set_keys(&mut self, user: &str, keys: KeysState) {
        let Some(row) = self.users.get_mut(user) else {
            return;
        };
        let was = matches!(row.keys, KeysState::Loaded(_));
        let is = matches!(keys, KeysState::Loaded(_));
        row.keys = keys;
        match (was, is) {
            (false, true) => self.users_with_keys += 1,
            (true, false) => self.users_with_keys -= 1,
            _ => {}
        }
    }

    /// Put the listing of these users' keys in the background queue (users
    /// whose keys are already asked for or known are left alone).
    fn queue_keys(&mut self, names: &[String]) -> Vec<Effect> {
        let mut effects = Vec::new();
        for user in names {
            let Some(row) = self.users.get_mut(user) else {
                continue;
            };
            if row.keys == KeysState::NotRequested {
                row.keys = KeysState::Queued;
                effects.push(self.call(Call::ListKeys {
                    user: user.clone(),
                    priority: false,
                }));
            }
        }
        effects
    }

    /// Copy password, MFA and key slots from the loaded credential report into
    /// the users (only those in `only`, when given: a new page of users).
    fn apply_report(&mut self, only: Option<&[String]>) {
        let ReportStatus::Loaded(report) = &self.report else {
            return;
        };
        for row in &report.rows {
            if only.is_some_and(|names| !names.contains(&row.user)) {
                continue;
            }
            if let Some(user) = self.users.get_mut(&row.user) {
                if user.password.is_none() {
                    self.users_with_password += 1;
                }
                user.password = Some(row.password_enabled);
                user.mfa = Some(row.mfa_active);
                user.report = Some(row.clone());
            }
        }
        self.revisions.rows += 1;
    }

    /// Answers kept beside the audit, judging nothing: the enabled regions
    /// (CloudTrail's), IAM Access Analyzer's findings (AWS's verdicts).
    fn keep_aside(&mut self, result: Loaded) {
        match result {
            Loaded::EnabledRegions(regions) => self.enabled_regions = Some(regions),
            Loaded::AwsFindings(findings) => self.aws_findings = Some(findings),
            _ => {}
        }
    }

    /// No credential report (refused, or failed past the retries): console
    /// password, MFA and last use come from per-user calls, every user's keys
    /// are listed, and root keys come from `GetAccountSummary` (if that fails
    /// too, the audit says root was not checked).
    fn on_report_failed(&mut self, err: IamError, event: &mut Option<Event>) -> Vec<Effect> {
        if err.kind == ErrorKind::AccessDenied {
            *event = Some(Event::ReportDenied { action: err.action });
            self.report = ReportStatus::Denied(err);
        } else {
            *event = Some(Event::Failed(err.clone()));
            self.report = ReportStatus::Failed(err);
        }
        let users: Vec<String> = self.users.rows().map(|r| r.user.name.clone()).collect();
        let mut effects = vec![self.call(Call::RootKeys)];
        effects.extend(self.certificates_without_report());
        for user in &users {
            effects.extend(self.details(user));
        }
        for user in &users {
            effects.extend(self.last_used_requests(user));
        }
        if !self.list_keys {
            // Without the report, keys (and their last use) can only come from listing them.
            self.list_keys = true;
            effects.extend(self.queue_keys(&users));
        }
        effects
    }
}

/// Whose Inactive keys an answer may leave undated: a user's own answers
/// speak for that user; the ledger, the report and the user list for
/// everyone; the rest (SSH keys, tags, dates recorded...) for no one. Looking at every user after every answer is
/// quadratic at 10,000 users.
fn dates_of(answer: &Loaded) -> Undated {
    match answer {
        Loaded::Keys { user, .. }
        | Loaded::LastUsed { user, .. }
        | Loaded::UserDetails { user, .. } => Undated::Of(user.clone()),
        Loaded::Ledger(_) | Loaded::CredentialReport(_) | Loaded::UsersPage(_) => Undated::Everyone,
        _ => Undated::Nobody,
    }
}

/// Whose keys to look for undated Inactive ones in.
enum Undated {
    Nobody,
    Of(String),
    Everyone,
}

mod per_user;
