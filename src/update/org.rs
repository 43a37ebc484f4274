//! The organization (`--org`): listing its accounts, reaching each in
//! turn, folding in answers for accounts not on screen, and going in and
//! out of one account from the overview.

use crate::account::Account;
use crate::account::org::{MemberStatus, Organization};
use crate::action::Action;
use crate::effect::Effect;
use crate::iam::IamError;
use crate::model::{OrgAccount, Page};
use crate::state::{Focus, Modal, State};

/// List the organization from the first page (at start, and `r` on the overview).
pub fn start(state: &mut State) -> Vec<Effect> {
    let Some(org) = &mut state.org else {
        return Vec::new();
    };
    org.restart();
    let generation = org.generation;
    state.account = Account::new(state.account.thresholds.clone(), true, state.now);
    state.view.overview.cursor = 0;
    state.view.overview.offset = 0;
    state.view.overview.selected = None;
    state.view.notice = None;
    vec![
        Effect::ListAccounts {
            generation,
            next: None,
        },
        Effect::OrgFeatures { generation },
    ]
}

/// Effects of the account on screen go to its member's worker.
pub fn route(state: &State, effects: Vec<Effect>) -> Vec<Effect> {
    let Some(member) = state.open_member() else {
        return effects;
    };
    let id = member.info.id.clone();
    effects
        .into_iter()
        .map(|effect| match effect {
            // Made from the management account (the caller's own worker).
            Effect::Mutate {
                change: crate::effect::Change::DeleteRootKeys { .. },
                ..
            } => effect,
            Effect::Iam { .. }
            | Effect::Mutate { .. }
            | Effect::Usage { .. }
            | Effect::StopUsage => Effect::Member {
                account: id.clone(),
                effect: Box::new(effect),
            },
            other => other,
        })
        .collect()
}

fn for_member(id: &str, effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .map(|effect| Effect::Member {
            account: id.to_owned(),
            effect: Box::new(effect),
        })
        .collect()
}

/// Start the accounts whose turn has come.
fn start_next(org: &mut Organization) -> Vec<Effect> {
    org.next_to_start()
        .into_iter()
        .map(|account| Effect::ConnectMember { account })
        .collect()
}

pub fn on_page(
    state: &mut State,
    generation: u64,
    result: Result<Page<OrgAccount>, IamError>,
) -> Vec<Effect> {
    let thresholds = state.account.thresholds.clone();
    let now = state.now;
    let settings = state.session.org_settings.clone();
    let profile = state.session.profile.clone();
    let Some(org) = &mut state.org else {
        return Vec::new();
    };
    if generation != org.generation {
        return Vec::new();
    }
    let mut effects = Vec::new();
    match result {
        Ok(page) => {
            let next = org.add_page(
                page,
                |a| settings.excluded(&a.id, &a.name).map(ToOwned::to_owned),
                |a| settings.read_only_for(&a.id, &a.name),
                &thresholds,
                now,
            );
            let whole = next.is_none();
            if next.is_some() {
                effects.push(Effect::ListAccounts { generation, next });
            }
            let listed: Vec<OrgAccount> = org.members.iter().map(|m| m.info.clone()).collect();
            // Only the whole listing can tell that a name matches nothing.
            let checked = settings.name_matches(&listed).and_then(|warnings| {
                if whole {
                    settings.unmatched_names(&listed)?;
                }
                Ok(warnings)
            });
            match checked {
                Ok(warnings) => {
                    if let Some(first) = warnings.first() {
                        state.view.notice = Some(first.short());
                    }
                }
                Err(err) => {
                    // Which account an override meant cannot be told: no
                    // account may be changed until the config says.
                    for member in &mut org.members {
                        member.read_only = true;
                    }
                    state.view.modal = Some(crate::state::Modal::Error {
                        title: "An [org] name cannot be matched".to_owned(),
                        message: format!("{err}. Every account is read-only until then."),
                    });
                }
            }
            effects.extend(start_next(org));
        }
        Err(err) => {
            state.view.notice = Some(err.operator_message(&profile));
            org.listing = crate::account::org::Listing::Failed(err);
        }
    }
    let height = state.view.overview_height();
    if let Some(org) = &state.org {
        state.view.overview.follow(org, height);
    }
    effects
}

pub fn on_connected(state: &mut State, id: &str, result: Result<(), IamError>) -> Vec<Effect> {
    let Some(org) = &mut state.org else {
        return Vec::new();
    };
    let Some(index) = org.index_of(id) else {
        return Vec::new();
    };
    let member = &mut org.members[index];
    if member.status != MemberStatus::Connecting {
        return Vec::new();
    }
    org.revision += 1;
    match result {
        Ok(()) => {
            member.status = MemberStatus::Loading;
            let mut calls = member.account.start_load();
            calls.push(member.account.call(crate::effect::Call::AwsFindings));
            for_member(id, calls)
        }
        Err(err) => {
            member.status = MemberStatus::Failed(crate::iam::org::Failure::classify(err));
            start_next(org)
        }
    }
}

/// Something from a member's worker: for the account on screen, the
/// usual step; for another, folded into its own account.
pub fn on_member(state: &mut State, id: &str, action: Action) -> Vec<Effect> {
    let Some(org) = &mut state.org else {
        return Vec::new();
    };
    let Some(index) = org.index_of(id) else {
        return Vec::new();
    };
    let mut effects = if org.open == Some(index) {
        // The usual step on the state's account; `update` routes its
        // effects to this member's worker (`route`).
        super::update(state, action)
    } else {
        let now = state.now;
        let member = &mut org.members[index];
        match action {
            Action::Loaded { generation, result } if member.account.answered(generation) => {
                let step = member.account.on_loaded(result, now, &mut |_| None);
                for_member(id, step.effects)
            }
            Action::Retrying(retries) => {
                member.account.retrying(retries, now);
                Vec::new()
            }
            Action::Usage(page) => {
                member.account.on_usage(page);
                Vec::new()
            }
            Action::Crashed(message) => return super::update(state, Action::Crashed(message)),
            _ => Vec::new(),
        }
    };
    let Some(org) = &mut state.org else {
        return effects;
    };
    let before = org.members[index].status.clone();
    let on_screen = (org.open == Some(index)).then_some(&state.account);
    org.settle_status(index, on_screen);
    if org.members[index].status != before {
        effects.extend(start_next(org));
    }
    effects
}

/// `Enter` on the overview: into the selected account.
pub fn open(state: &mut State) -> Vec<Effect> {
    let Some(org) = &mut state.org else {
        return Vec::new();
    };
    let Some(index) = state.view.overview.selected_index(org) else {
        return Vec::new();
    };
    let member = &mut org.members[index];
    match &member.status {
        MemberStatus::Failed(failure) => {
            state.view.modal = Some(Modal::Error {
                title: format!("{} cannot be audited", member.label()),
                message: failure.message(),
            });
            return Vec::new();
        }
        MemberStatus::Skipped(why) => {
            state.view.notice = Some(format!(
                "{} is {}: skipped (not audited).",
                member.label(),
                if crate::iam::org::skipped(&member.info.status) {
                    member.info.status.as_str()
                } else {
                    why.as_str()
                }
            ));
            return Vec::new();
        }
        MemberStatus::Waiting | MemberStatus::Connecting => {
            state.view.notice = Some(format!(
                "{} is not reached yet: its turn comes as other accounts finish.",
                member.label()
            ));
            return Vec::new();
        }
        MemberStatus::Loading | MemberStatus::Done => {}
    }
    std::mem::swap(&mut state.account, &mut member.account);
    let read_only = member.read_only;
    org.open = Some(index);
    state.session.read_only = state.session.posture.read_only(&state.session.profile) || read_only;
    state.view.table.clear();
    state.view.focus = Focus::Users;
    state.view.key_cursor = 0;
    state.view.marks.clear();
    state.view.notice = None;
    state.sync_view();
    super::load::request_selected_keys(state)
}

/// `Esc` in an account: back to the overview, which keeps its place.
pub fn close(state: &mut State) -> Vec<Effect> {
    if state.account.changing() {
        state.view.notice = Some(
            "A change is in flight in this account: the overview opens when it is answered."
                .to_owned(),
        );
        return Vec::new();
    }
    let Some(org) = &mut state.org else {
        return Vec::new();
    };
    let Some(index) = org.open.take() else {
        return Vec::new();
    };
    std::mem::swap(&mut state.account, &mut org.members[index].account);
    org.revision += 1;
    state.session.read_only = state.session.posture.read_only(&state.session.profile);
    state.view.table.clear();
    state.view.filtering = false;
    state.view.marks.clear();
    state.view.notice = None;
    let height = state.view.overview_height();
    state.view.overview.follow(org, height);
    Vec::new()
}
