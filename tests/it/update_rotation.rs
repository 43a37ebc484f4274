//! Issue 16, rotation (`R`), as pure `update` transitions: the dialog, the
//! replacing key and its ledger record (issue 32: never a tag), watching
//! the new key's first use, the warning before making the old key inactive
//! too early, a refused record (this session only), and the end of a
//! rotation when a key is deleted.

use chrono::TimeDelta;
use crossterm::event::KeyCode;
use iamkeys::account::rotation::Kept;
use iamkeys::action::{Action, Loaded, Mutated};
use iamkeys::effect::{Call, Change, Effect};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::{AccessKey, KeyStatus, LastUsed, NewAccessKey};
use iamkeys::secret::Secret;
use iamkeys::state::{Button, Modal, Operation, State};
use iamkeys::update::update;

use crate::common::flows::{assert_notice, ch, changes, key, key_with_status, select_key};
use crate::common::states::{demo_loaded, iam_user, ledger_event, ledger_loaded, loaded, now};
use iamkeys::ledger::{Draft, Kind};

/// The demo's ledger with these events after its own.
fn ledger_with(state: &mut State, events: &[iamkeys::ledger::Event]) -> Vec<Effect> {
    let mut all = iamkeys::ledger::demo::events(now());
    all.extend_from_slice(events);
    answer(state, ledger_loaded(&all))
}

const NEW: &str = "AKIAROTATEDNEW000001";

fn mutation(effects: &[Effect], pick: impl Fn(&Change) -> bool) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Mutate { id, change, .. } if pick(change) => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no such change in {effects:?}"))
}

fn last_used_asked(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Iam {
                call: Call::LastUsed { key_id, .. },
                ..
            } => Some(key_id.clone()),
            _ => None,
        })
        .collect()
}

/// A user of the demo with one key, Active, no findings about rotation.
fn one_active_key(state: &State) -> (String, AccessKey) {
    state
        .account
        .users()
        .rows()
        .find_map(|r| match r.listed_keys()? {
            [k] if k.status == KeyStatus::Active => Some((r.user.name.clone(), k.clone())),
            _ => None,
        })
        .expect("the demo has a user with one Active key")
}

/// The demo, with a user of one Active key given the rotation's new key
/// (made `days` ago) in its listing: (state, user, old key).
async fn with_new_key(days: i64) -> (State, String, AccessKey) {
    let mut state = demo_loaded().await;
    let (user, old) = one_active_key(&state);
    let new = AccessKey {
        id: NEW.into(),
        user_name: user.clone(),
        status: KeyStatus::Active,
        created: Some(now() - TimeDelta::days(days)),
    };
    answer(
        &mut state,
        Loaded::Keys {
            user: user.clone(),
            result: Ok(vec![old.clone(), new]),
        },
    );
    (state, user, old)
}

/// An answer of the current load.
fn answer(state: &mut State, result: Loaded) -> Vec<Effect> {
    let action = loaded(state, result);
    update(state, action)
}

fn screen(state: &State) -> String {
    crate::common::screen::text(state, 120, 40)
}

fn new_key(user: &str) -> NewAccessKey {
    NewAccessKey {
        key: AccessKey {
            id: NEW.into(),
            user_name: user.into(),
            status: KeyStatus::Active,
            created: Some(now()),
        },
        secret: Secret::new("ROTATEDSECRETROTATEDSECRETROTATEDSECRET1"),
    }
}

/// `R`, `y`, the new key made and recorded by the worker, its secret
/// closed, the keys re-listed: returns the effects of the create's answer.
fn rotate(state: &mut State, user: &str, old: &AccessKey) -> Vec<Effect> {
    rotate_answered(
        state,
        user,
        old,
        Ok(Mutated::Rotated {
            new: new_key(user),
            recorded: Ok(()),
        }),
    )
}

/// [`rotate`], the worker answering the create with `result`.
fn rotate_answered(
    state: &mut State,
    user: &str,
    old: &AccessKey,
    result: Result<Mutated, IamError>,
) -> Vec<Effect> {
    select_key(state, user, &old.id);
    assert!(update(state, ch('R')).is_empty());
    let effects = update(state, ch('y'));
    assert_eq!(
        changes(&effects),
        [Change::Create {
            user: user.to_owned(),
            rotating: Some(old.id.clone()),
        }]
    );
    let id = mutation(&effects, |_| true);
    let answered = update(state, Action::Mutated { id, result });
    assert!(matches!(state.view.modal, Some(Modal::Secret(_))));
    assert_notice(
        state,
        &format!("Created {NEW} for {user} to replace {}", old.id),
    );
    update(state, key(KeyCode::Esc));
    update(state, ch('y'));
    assert_eq!(state.view.modal, None);
    let relisted = update(
        state,
        loaded(
            state,
            Loaded::Keys {
                user: user.to_owned(),
                result: Ok(vec![old.clone(), new_key(user).key]),
            },
        ),
    );
    assert_eq!(
        last_used_asked(&relisted),
        [NEW],
        "the new key's last use is asked at once"
    );
    answered
}

#[tokio::test]
async fn r_rotates_watches_the_new_key_and_warns_before_the_old_goes_inactive() {
    let mut state = demo_loaded().await;
    let (user, old) = one_active_key(&state);
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        matches!(&dialog.operation, Operation::Rotate { target, .. } if target.key_id == old.id)
    );
    assert_eq!(dialog.focus, Button::Cancel);
    let text = screen(&state);
    assert!(text.contains("account 123456789012"), "{text}");
    insta::assert_snapshot!("rotate_dialog", text);
    update(&mut state, key(KeyCode::Esc));

    let answered = rotate(&mut state, &user, &old);
    assert!(
        changes(&answered).is_empty(),
        "the worker recorded rotation.started before the secret was shown; no tag, no other change: {answered:?}"
    );
    let rotation = state.account.rotation_of(&user, &old.id).unwrap();
    assert_eq!(
        (rotation.new.as_str(), &rotation.kept),
        (NEW, &Kept::Ledger)
    );
    let reread = answered;
    assert!(
        reread.iter().any(|e| matches!(
            e,
            Effect::Iam {
                call: Call::Ledger,
                ..
            }
        )),
        "the ledger is read back: {reread:?}"
    );
    let started = ledger_event(
        now(),
        &user,
        Some(&old.id),
        Kind::RotationStarted {
            new_key_id: NEW.into(),
        },
    );
    ledger_with(&mut state, std::slice::from_ref(&started));
    assert_eq!(
        state.account.rotation_of(&user, &old.id).unwrap().kept,
        Kept::Ledger
    );
    select_key(&mut state, &user, &old.id);
    let text = screen(&state);
    assert!(text.contains(&format!("rotating → {NEW}")), "{text}");
    assert!(text.contains("new key not used yet"), "{text}");
    assert!(
        text.contains(&format!("replaces {}  ", old.id)) && text.contains("   not used yet "),
        "{text}"
    );
    insta::assert_snapshot!("rotation_in_progress", text);

    // Too early: the dialog warns, focus on Cancel.
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.focus, Button::Cancel);
    assert_eq!(
        dialog.warnings,
        [format!(
            "the new key {NEW} has not been used yet: whatever uses {} will break",
            old.id
        )]
    );
    insta::assert_snapshot!("inactive_before_the_new_key_is_used", screen(&state));
    update(&mut state, key(KeyCode::Esc));

    // The watch: every 30 s while the new key is unused.
    let tick =
        |state: &mut State, secs| update(state, Action::Tick(now() + TimeDelta::seconds(secs)));
    // (The demo's own rotation, whose new key is in use, has its old key
    // watched too: issue 23 item 4.)
    let ours = |asked: Vec<String>| -> Vec<String> {
        asked
            .into_iter()
            .filter(|k| k == NEW || *k == old.id)
            .collect()
    };
    assert_eq!(ours(last_used_asked(&tick(&mut state, 1))), [NEW]);
    assert!(last_used_asked(&tick(&mut state, 20)).is_empty());
    assert_eq!(ours(last_used_asked(&tick(&mut state, 31))), [NEW]);

    // Then the new key is used.
    let used_at = now() + TimeDelta::seconds(25);
    let effects = answer(
        &mut state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id: NEW.into(),
            result: Ok(LastUsed {
                date: Some(used_at),
                service: Some("sts".into()),
                region: Some("us-east-1".into()),
            }),
        },
    );
    let notice = state.view.notice.clone().unwrap();
    assert!(
        notice.contains(&format!("the new key {NEW} is in use"))
            && notice.contains("inactive next (i)"),
        "{notice}"
    );
    assert_eq!(
        changes(&effects),
        [Change::Record(Draft {
            account_id: "123456789012".into(),
            user: Some(user.clone()),
            key_id: Some(old.id.clone()),
            kind: Kind::RotationFirstUse {
                new_key_id: NEW.into(),
                used_at,
            },
        })],
        "the first use is recorded for other operators and the report"
    );
    let text = screen(&state);
    assert!(
        text.contains("new key in use since 2026-11-28 12:00 UTC"),
        "{text}"
    );
    let asked = last_used_asked(&tick(&mut state, 120));
    assert!(
        !asked.contains(&NEW.to_owned()),
        "a used key is not watched"
    );
    assert!(
        asked.contains(&old.id),
        "the old key is, to see whether the workload has switched"
    );
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.warnings.is_empty(), "{:?}", dialog.warnings);
}

#[tokio::test]
async fn r_is_refused_at_two_keys_on_an_inactive_key_and_twice() {
    let mut state = demo_loaded().await;
    let (two, keys) = state
        .account
        .users()
        .rows()
        .find_map(|r| match r.listed_keys()? {
            keys @ [a, _] if a.status == KeyStatus::Active => {
                Some((r.user.name.clone(), keys.to_vec()))
            }
            _ => None,
        })
        .unwrap();
    select_key(&mut state, &two, &keys[0].id);
    assert!(update(&mut state, ch('R')).is_empty());
    let Some(Modal::Error { title, message }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(title, "Cannot rotate: two keys already");
    assert!(
        message.contains("Retire the one used least recently first"),
        "{message}"
    );
    update(&mut state, key(KeyCode::Esc));

    let (user, inactive) = key_with_status(&state, KeyStatus::Inactive);
    select_key(&mut state, &user, &inactive);
    update(&mut state, ch('R'));
    assert_eq!(state.view.modal, None);
    assert_notice(&state, "only an Active key is rotated");

    let (user, old) = one_active_key(&state);
    rotate(&mut state, &user, &old);
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    assert_eq!(state.view.modal, None);
    assert_notice(&state, &format!("already being rotated → {NEW}"));
}

/// Issue 32: nothing half-written. The ledger refusing `rotation.started`
/// makes the worker delete the new key again and fail the change: no
/// secret, no rotation, said. Only when that delete fails too is the key
/// handed back, its rotation kept in this session only.
#[tokio::test]
async fn a_refused_record_begins_no_rotation_or_keeps_it_in_this_session_only() {
    let mut state = demo_loaded().await;
    let (user, old) = one_active_key(&state);
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    let effects = update(&mut state, ch('y'));
    let id = mutation(&effects, |_| true);
    update(
        &mut state,
        Action::Mutated {
            id,
            result: Err(IamError::new(
                ErrorKind::Refused,
                "ledger:append",
                "ledger s3://b/p refused: s3:PutObject denied: the rotation could not be recorded, so the new key AKIAROTATEDNEW000001 was deleted again (never shown, never used). Nothing changed",
            )),
        },
    );
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(message.contains("was deleted again"), "{message}");
    assert!(
        state.account.rotation_of(&user, &old.id).is_none(),
        "not begun"
    );
    update(&mut state, key(KeyCode::Esc));
    answer(
        &mut state,
        Loaded::Keys {
            user: user.clone(),
            result: Ok(vec![old.clone()]),
        },
    );

    rotate_answered(
        &mut state,
        &user,
        &old,
        Ok(Mutated::Rotated {
            new: new_key(&user),
            recorded: Err("s3:PutObject denied; and the new key could not be deleted again".into()),
        }),
    );
    assert!(matches!(
        state.account.rotation_of(&user, &old.id).unwrap().kept,
        Kept::SessionOnly(ref why) if why.contains("could not be deleted again")
    ));
    select_key(&mut state, &user, &old.id);
    let text = screen(&state);
    assert!(text.contains("watched in this session only"), "{text}");

    // A refresh keeps it (honoured again once the keys show its new key);
    // its first use is not written anywhere.
    update(&mut state, ch('r'));
    answer(
        &mut state,
        Loaded::UsersPage(Ok(iamkeys::model::Page {
            items: vec![iam_user(&user)],
            next_marker: None,
        })),
    );
    answer(
        &mut state,
        Loaded::Keys {
            user: user.clone(),
            result: Ok(vec![old.clone(), new_key(&user).key]),
        },
    );
    assert!(state.account.rotation_of(&user, &old.id).is_some());
    let effects = answer(
        &mut state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id: NEW.into(),
            result: Ok(LastUsed {
                date: Some(now()),
                service: None,
                region: None,
            }),
        },
    );
    assert!(changes(&effects).is_empty(), "{effects:?}");
    assert!(
        state.view.notice.as_deref().unwrap().contains("is in use"),
        "{:?}",
        state.view.notice
    );
}

#[tokio::test]
async fn deleting_the_old_or_the_new_key_ends_the_rotation_in_the_ledger() {
    for delete_new in [false, true] {
        let mut state = demo_loaded().await;
        let (user, old) = one_active_key(&state);
        rotate(&mut state, &user, &old);
        let started = ledger_event(
            now(),
            &user,
            Some(&old.id),
            Kind::RotationStarted {
                new_key_id: NEW.into(),
            },
        );
        ledger_with(&mut state, std::slice::from_ref(&started));
        let gone = if delete_new { NEW } else { old.id.as_str() };
        let delete = Change::Delete {
            user: user.clone(),
            key_id: gone.to_owned(),
            unused_since: None,
        };
        let id = state.account.send(
            delete,
            iamkeys::effect::Actor {
                account_id: Some("123456789012".into()),
                ..iamkeys::effect::Actor::default()
            },
        );
        let effects = update(
            &mut state,
            Action::Mutated {
                id,
                result: Ok(Mutated::Deleted),
            },
        );
        assert!(
            changes(&effects).contains(&Change::Record(Draft {
                account_id: "123456789012".into(),
                user: Some(user.clone()),
                key_id: Some(old.id.clone()),
                kind: Kind::RotationFinished {
                    new_key_id: NEW.into(),
                },
            })),
            "delete_new={delete_new}: {effects:?}"
        );
        let finished = ledger_event(
            now(),
            &user,
            Some(&old.id),
            Kind::RotationFinished {
                new_key_id: NEW.into(),
            },
        );
        ledger_with(&mut state, &[started, finished]);
        assert_eq!(state.account.rotation_of(&user, &old.id), None);
    }
}

/// A rotation whose new key was deleted outside iamkeys is abandoned: the
/// pane says so, and making the old key inactive warns that no key replaces it.
#[tokio::test]
async fn a_rotation_whose_new_key_is_gone_says_so() {
    let mut state = demo_loaded().await;
    let (user, old) = one_active_key(&state);
    rotate(&mut state, &user, &old);
    answer(
        &mut state,
        Loaded::Keys {
            user: user.clone(),
            result: Ok(vec![old.clone()]),
        },
    );
    select_key(&mut state, &user, &old.id);
    let text = screen(&state);
    assert!(
        text.contains("stale rotation in the ledger: new key gone")
            && text.contains("R records its end"),
        "{text}"
    );
    // Issue 21 §4: not in progress, so R is not blocked: it offers to
    // record the stale rotation's end (a change like the others).
    assert!(state.account.rotation_of(&user, &old.id).is_none());
    update(&mut state, ch('R'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(matches!(
        dialog.operation,
        iamkeys::state::Operation::EndRotation { .. }
    ));
    let effects = update(&mut state, ch('y'));
    assert_eq!(
        changes(&effects),
        [Change::Record(Draft {
            account_id: "123456789012".into(),
            user: Some(user.clone()),
            key_id: Some(old.id.clone()),
            kind: Kind::RotationFinished {
                new_key_id: NEW.into(),
            },
        })]
    );
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(
        dialog.warnings,
        [format!(
            "the new key {NEW} no longer exists: whatever uses {} will break",
            old.id
        )]
    );
}

/// Issue 21 §4, now of the ledger's records (issue 32): a rotation is
/// honoured only as far as IAM agrees. A recorded first use does not make
/// "new key in use" appear while IAM shows the new key unused: the
/// early-inactive warning stays. A rotation whose new key is another
/// user's is no rotation in progress (R is not blocked), and one dated in
/// the future neither. A rotation tag is a claim and starts nothing.
#[tokio::test]
async fn a_recorded_rotation_is_believed_only_as_far_as_iam_agrees() {
    let (mut state, user, old) = with_new_key(2).await;
    let tag = answer(
        &mut state,
        Loaded::Tags {
            user: user.clone(),
            result: Ok(vec![(
                format!("iamkeys:rotation:{}", old.id),
                format!("{NEW} 2026-11-25T00:00:00Z"),
            )]),
        },
    );
    assert!(last_used_asked(&tag).is_empty(), "a tag starts nothing");
    assert!(state.account.rotation_of(&user, &old.id).is_none());
    let set_tag =
        |state: &mut State, new: &str, started, first: Option<chrono::DateTime<chrono::Utc>>| {
            let mut events = vec![ledger_event(
                started,
                &user,
                Some(&old.id),
                Kind::RotationStarted {
                    new_key_id: new.into(),
                },
            )];
            if let Some(used_at) = first {
                events.push(ledger_event(
                    used_at,
                    &user,
                    Some(&old.id),
                    Kind::RotationFirstUse {
                        new_key_id: new.into(),
                        used_at,
                    },
                ));
            }
            ledger_with(state, &events)
        };
    let started = now() - TimeDelta::days(3);
    let effects = set_tag(&mut state, NEW, started, Some(now() - TimeDelta::days(1)));
    assert_eq!(
        last_used_asked(&effects),
        [NEW],
        "IAM is asked even though the ledger records a first use"
    );
    answer(
        &mut state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id: NEW.into(),
            result: Ok(LastUsed::default()),
        },
    );
    let rotation = state.account.rotation_of(&user, &old.id).unwrap();
    assert_eq!(state.account.new_key_used(&rotation), None, "IAM wins");
    select_key(&mut state, &user, &old.id);
    let text = screen(&state);
    assert!(!text.contains("new key in use"), "{text}");
    assert!(!text.contains("make this key inactive next"), "{text}");
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.warnings.len(), 1, "the early-inactive warning stays");
    update(&mut state, key(KeyCode::Esc));

    // Dated in the future: not in progress.
    set_tag(&mut state, NEW, now() + TimeDelta::days(30), None);
    assert!(state.account.rotation_of(&user, &old.id).is_none());
    let contradicted = state.account.stale_rotation_of(&user, &old.id).unwrap();
    assert_eq!(contradicted.1, "starts in the future");

    // Its new key is another user's: not in progress, R not blocked.
    let (other, other_key) = state
        .account
        .users()
        .rows()
        .find_map(|r| {
            let k = r.listed_keys()?.first()?;
            (r.user.name != user).then(|| (r.user.name.clone(), k.id.clone()))
        })
        .unwrap();
    set_tag(&mut state, &other_key, started, None);
    assert!(state.account.rotation_of(&user, &old.id).is_none());
    assert_eq!(
        state.account.stale_rotation_of(&user, &old.id).unwrap().1,
        format!("new key is {other}'s")
    );
    update(&mut state, ch('R'));
    assert!(matches!(
        &state.view.modal,
        Some(Modal::Confirm(c)) if matches!(c.operation, Operation::EndRotation { .. })
    ));
}

/// Issue 23 item 4: the advice compares the old key's last use with the new
/// key's first use. Used after it, the old key is still needed: the pane
/// says to wait (not "make this key inactive next"), and making it inactive
/// warns. At two keys, `R` names the key to retire by its last use.
#[tokio::test]
async fn an_old_key_used_after_the_new_keys_first_use_is_not_advised_inactive() {
    let (mut state, user, old) = with_new_key(3).await;
    let started = ledger_event(
        now() - TimeDelta::days(3),
        &user,
        Some(&old.id),
        Kind::RotationStarted {
            new_key_id: NEW.into(),
        },
    );
    ledger_with(&mut state, &[started]);
    let used_days_ago = |days: i64| {
        Ok(LastUsed {
            date: Some(now() - TimeDelta::days(days)),
            service: Some("s3".into()),
            region: Some("us-east-1".into()),
        })
    };
    answer(
        &mut state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id: NEW.into(),
            result: used_days_ago(2),
        },
    );
    answer(
        &mut state,
        Loaded::LastUsed {
            user: user.clone(),
            key_id: old.id.clone(),
            result: used_days_ago(1),
        },
    );
    select_key(&mut state, &user, &old.id);
    let text = screen(&state);
    assert!(text.contains("this key still used"), "{text}");
    assert!(text.contains("first use: wait"), "{text}");
    assert!(!text.contains("make this key inactive next"), "{text}");
    update(&mut state, ch('i'));
    let Some(Modal::Confirm(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert_eq!(dialog.focus, Button::Cancel);
    assert!(
        dialog
            .warnings
            .iter()
            .any(|w| w.contains("was still used") && w.contains("has not switched")),
        "{:?}",
        dialog.warnings
    );
    update(&mut state, key(KeyCode::Esc));

    // Two keys: R (on the new key) names the one used least recently.
    select_key(&mut state, &user, NEW);
    update(&mut state, ch('R'));
    let Some(Modal::Error { message, .. }) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(
        message.contains(&format!("{NEW} (last used")),
        "the new key was used least recently here: {message}"
    );
}

/// Issue 27, with the target in the ledger (issue 32): an `iamkeys:handoff`
/// tag is a claim, never written to; the ledger's `handoff.set` (a full
/// ARN, shown in full) is where the rotation dialog says the new key will
/// go; after the create it is handed off at once (the secret staying on
/// screen), and the dialog says whether it was written — a failure says
/// store it yourself, and the secret is still there.
#[tokio::test]
async fn a_rotated_key_is_handed_off_where_the_ledger_says() {
    let mut state = demo_loaded().await;
    let (user, old) = one_active_key(&state);
    let mut tags = match &state.account.users().get(&user).unwrap().tags {
        iamkeys::account::users::TagsState::Loaded(tags) => tags.clone(),
        other => panic!("{other:?}"),
    };
    tags.push((
        "iamkeys:handoff".into(),
        "secretsmanager:arn:aws:secretsmanager:us-east-1:999999999999:secret:attacker".into(),
    ));
    answer(
        &mut state,
        Loaded::Tags {
            user: user.clone(),
            result: Ok(tags),
        },
    );
    // The tag is a claim: nothing is written there.
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    let text = crate::common::screen::text(&state, 200, 50);
    assert!(
        text.contains("iamkeys:handoff tag is a claim,")
            && text.contains("not honoured: anyone with TagUser on"),
        "{text}"
    );
    assert!(!text.contains("iamkeys writes the new key to"), "{text}");
    update(&mut state, key(KeyCode::Esc));
    // The security team set the target in the ledger: honoured.
    let target = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbCdEf#id,key";
    let set = ledger_event(
        now(),
        &user,
        None,
        Kind::HandoffSet {
            target: target.into(),
            from_tag: None,
        },
    );
    ledger_with(&mut state, &[set]);
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    let text = crate::common::screen::text(&state, 200, 50);
    assert!(
        text.contains("iamkeys writes the new key to Secrets Manager secret"),
        "{text}"
    );
    let joined: String = text
        .lines()
        .map(|l| l.split('│').nth(2).unwrap_or("").trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains(
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbCdEf (fields id, key"
        ) && joined.contains(target.split('#').next().unwrap()),
        "the ARN in full: {joined}"
    );
    let effects = update(&mut state, ch('y'));
    let id = mutation(&effects, |_| true);
    let answered = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(Mutated::Rotated {
                new: new_key(&user),
                recorded: Ok(()),
            }),
        },
    );
    let handoff = answered
        .iter()
        .find_map(|e| match e {
            Effect::HandOff {
                target,
                key_id,
                secret,
                ..
            } => Some((target.clone(), key_id.clone(), secret.expose().to_owned())),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{answered:?}"));
    assert_eq!(
        handoff.0,
        iamkeys::handoff::Target::SecretsManager {
            secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/app-AbCdEf".into(),
            id_field: "id".into(),
            secret_field: "key".into()
        }
    );
    assert_eq!(handoff.1, NEW);
    assert_eq!(handoff.2, "ROTATEDSECRETROTATEDSECRETROTATEDSECRET1");
    assert!(screen(&state).contains("Writing it to Secrets Manager secret"));
    // Refused: said, and the secret is still on screen.
    update(
        &mut state,
        Action::HandedOff {
            key_id: NEW.into(),
            result: Err("secretsmanager:PutSecretValue denied: not authorized".into()),
        },
    );
    let text = screen(&state);
    assert!(
        text.contains("Not written where the workload reads it"),
        "{text}"
    );
    assert!(
        text.contains("ROTATEDSECRETROTATEDSECRETROTATEDSECRET1"),
        "{text}"
    );
    update(
        &mut state,
        Action::HandedOff {
            key_id: NEW.into(),
            result: Ok("Secrets Manager secret prod/app".into()),
        },
    );
    assert!(screen(&state).contains("Written to Secrets Manager secret prod/app"));
}

/// Issue 32: the rotation dialog sets the hand-off target itself: `t`
/// opens a field for the full ARN (a bare name or a wildcard is refused
/// with why), `Enter` shows the `handoff.set` record in full, `y` appends
/// it to the ledger (bound to the account, refused in read-only), and the
/// next `R` writes there. Drawn at 80×24.
#[tokio::test]
async fn the_rotation_dialog_sets_the_handoff_target_in_the_ledger() {
    let mut state = demo_loaded().await;
    let (user, old) = one_active_key(&state);
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    assert!(screen(&state).contains("t sets where the new key is handed off"));
    update(&mut state, ch('t'));
    assert!(matches!(state.view.modal, Some(Modal::Handoff(_))));
    let type_in = |state: &mut State, text: &str| {
        for c in text.chars() {
            update(state, ch(c));
        }
    };
    type_in(&mut state, "secretsmanager:prod/app");
    update(&mut state, key(KeyCode::Enter));
    let Some(Modal::Handoff(dialog)) = &state.view.modal else {
        panic!("{:?}", state.view.modal)
    };
    assert!(dialog.pending.is_none());
    assert!(
        dialog
            .error
            .as_deref()
            .unwrap()
            .contains("is not a full Secrets Manager secret ARN"),
        "{dialog:?}"
    );
    update(&mut state, crate::common::flows::ctrl('u'));
    let arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/app/aws-key";
    type_in(&mut state, arn);
    update(&mut state, key(KeyCode::Enter));
    let text = crate::common::screen::text(&state, 80, 24);
    insta::assert_snapshot!("handoff_dialog_80x24", text);
    assert!(text.contains("handoff.set"), "{text}");
    let effects = update(&mut state, ch('y'));
    assert_eq!(
        changes(&effects),
        [Change::Record(Draft {
            account_id: "123456789012".into(),
            user: Some(user.clone()),
            key_id: None,
            kind: Kind::HandoffSet {
                target: arn.into(),
                from_tag: None,
            },
        })]
    );
    let id = mutation(&effects, |_| true);
    let reread = update(
        &mut state,
        Action::Mutated {
            id,
            result: Ok(Mutated::Recorded),
        },
    );
    assert!(
        reread.iter().any(|e| matches!(
            e,
            Effect::Iam {
                call: Call::Ledger,
                ..
            }
        )),
        "{reread:?}"
    );
    let set = ledger_event(
        now(),
        &user,
        None,
        Kind::HandoffSet {
            target: arn.into(),
            from_tag: None,
        },
    );
    ledger_with(&mut state, &[set]);
    select_key(&mut state, &user, &old.id);
    update(&mut state, ch('R'));
    let text = crate::common::screen::text(&state, 200, 50);
    assert!(
        text.contains("iamkeys writes the new key to SSM parameter /app/aws-key"),
        "{text}"
    );
    assert!(text.contains(arn), "the ARN in full: {text}");
    // Read-only: the record is shown, and nothing is sent.
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('R'));
    update(&mut state, ch('t'));
    type_in(&mut state, arn);
    update(&mut state, key(KeyCode::Enter));
    state.session.read_only = true;
    assert!(
        update(&mut state, ch('y')).is_empty(),
        "read-only: nothing sent"
    );
    assert!(state.view.notice.as_deref().unwrap().contains("Read-only"));
}
