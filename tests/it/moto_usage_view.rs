//! Issue 17, who uses a key (`u`): CloudTrail `LookupEvents` through the
//! real SDK against the suite's fake CloudTrail (moto has none) behind the
//! same endpoint as moto, with pages, random throttling and a refusal; the
//! view and the dialogs as pure `update` transitions; the real binary in tmux.

use iamkeys::usage::cloudtrail::Trail as _;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use iamkeys::account::usage::Made;
use iamkeys::action::Action;
use iamkeys::effect::Effect;
use iamkeys::headless::settle;
use iamkeys::iam::sdk::SdkIam;
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::state::Modal;
use iamkeys::update::update;
use iamkeys::usage::{Lookup, Stream, TrailEvent};

use crate::common::flows::{ch, key, select_key};
use crate::common::moto::{Moto, seed, user};
use crate::common::proxy::{self, Fault, Proxy};
use crate::common::states::{demo_loaded, fresh, now};

const T: Duration = Duration::from_mins(1);

/// When the fake history starts: midnight two days ago (inside the 90 days
/// a lookup asks for; the same all day long).
/// Two days before the states' fixed now: in the past for the states and
/// for the real binary alike (an event after the state's now is in the
/// future, and left out).
fn history_base() -> i64 {
    (crate::common::states::now().timestamp() / 86_400 - 2) * 86_400
}

/// A history for `key`: `n` events from two IPs and two tools, and its
/// creation by an administrator.
fn history(key: &str, user: &str, n: usize) -> Vec<proxy::TrailEvent> {
    let base = history_base();
    let mut events: Vec<proxy::TrailEvent> = (0..n)
        .map(|i| {
            let laptop = i % 3 == 0;
            proxy::TrailEvent {
                id: format!("ev-{key}-{i:03}"),
                time: base + i64::try_from(i).unwrap() * 600,
                name: if laptop {
                    "GetCallerIdentity"
                } else {
                    "ListBuckets"
                }
                .into(),
                source: if laptop {
                    "sts.amazonaws.com"
                } else {
                    "s3.amazonaws.com"
                }
                .into(),
                key: key.into(),
                ip: if laptop { "10.1.2.3" } else { "203.0.113.50" }.into(),
                agent: if laptop {
                    "aws-cli/2.15.3 Python/3.11.6 Linux/6.1".into()
                } else {
                    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io)".into()
                },
                caller: format!("arn:aws:iam::123456789012:user/{user}"),
                created: None,
                read_only: Some(true),
                ..proxy::TrailEvent::default()
            }
        })
        .collect();
    events.push(proxy::TrailEvent {
        id: format!("create-{key}"),
        time: base - 86_400,
        name: "CreateAccessKey".into(),
        source: "iam.amazonaws.com".into(),
        key: "AKIAADMINADMINADMIN0".into(),
        ip: "198.51.100.9".into(),
        agent: "Mozilla/5.0".into(),
        caller: "arn:aws:iam::123456789012:user/admin".into(),
        created: Some(key.into()),
        read_only: Some(false),
        ..proxy::TrailEvent::default()
    });
    events
}

async fn sdk(endpoint: String) -> SdkIam {
    let config = crate::common::moto::sdk_config_at(endpoint, "AKIDTEST", "s").await;
    SdkIam::new(&config)
}

/// Through the SDK: every page followed, events read from their JSON, the
/// creation found by resource name, a refusal named as such.
#[tokio::test(flavor = "multi_thread")]
async fn lookup_events_pages_parses_and_names_a_refusal() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port).await;
    let key_id = "AKIAUSEDUSEDUSED0001";
    proxy.trail(history(key_id, "alice", 5));
    let client = sdk(proxy.endpoint()).await;
    let mut events: Vec<TrailEvent> = Vec::new();
    let mut next = None;
    loop {
        let page = client
            .lookup_events("eu-west-1", &Lookup::AccessKey(key_id.into()), next)
            .await
            .unwrap();
        events.extend(page.items);
        match page.next_marker {
            Some(token) => next = Some(token),
            None => break,
        }
    }
    assert_eq!(events.len(), 5);
    assert_eq!(events[0].id, format!("ev-{key_id}-004"), "newest first");
    // Event 4 is the pipeline's (every third is the laptop's).
    assert_eq!(events[0].source_ip.as_deref(), Some("203.0.113.50"));
    assert!(
        events[0]
            .user_agent
            .as_deref()
            .unwrap()
            .contains("Terraform/1.9.8")
    );
    assert_eq!(
        events[0].time.map(|t| t.timestamp()),
        Some(history_base() + 4 * 600)
    );
    let lookups = proxy.lookups();
    assert_eq!(lookups.len(), 3, "three pages of two: {lookups:?}");
    assert_eq!(lookups[0].0, "eu-west-1", "signed for the region asked");
    assert_eq!(
        (lookups[0].1.as_str(), lookups[0].2.as_str()),
        ("AccessKeyId", key_id)
    );
    assert_eq!(lookups[1].3.as_deref(), Some("2"), "NextToken followed");

    let made = client
        .lookup_events("us-east-1", &Lookup::Resource(key_id.into()), None)
        .await
        .unwrap();
    let creation = iamkeys::usage::creation(&made.items, key_id).unwrap();
    assert_eq!(
        creation.by.as_deref(),
        Some("arn:aws:iam::123456789012:user/admin")
    );
    // `readOnly` is read from the event's JSON through the SDK (issue 25).
    assert!(events.iter().all(|e| e.read_only == Some(true)));
    assert_eq!(made.items[0].read_only, Some(false));

    proxy.deny("LookupEvents");
    let err: IamError = client
        .lookup_events("us-east-1", &Lookup::AccessKey(key_id.into()), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AccessDenied);
    assert_eq!(err.action, "cloudtrail:LookupEvents");
}

/// The worker reads every region to its end, paced, and backs off when
/// CloudTrail throttles 30 % of the requests at random: the view ends with
/// every event counted once, whatever region returned it.
#[tokio::test(flavor = "multi_thread")]
async fn u_reads_every_region_through_random_throttling_and_counts_each_event_once() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("alice", true, vec![true])]).await;
    let key_id = keys[0].1[0].clone();
    let proxy = Proxy::start(moto.port).await;
    proxy.trail(history(&key_id, "alice", 9));
    let client = Arc::new(sdk(proxy.endpoint()).await);
    // Eleven requests at 30 % go unthrottled 2 % of the time: then the run
    // proved nothing about retries, and another seed is tried (a new
    // session each time), up to five.
    let mut attempt = 0;
    let (state, started, seen, throttled) = loop {
        let mut state = fresh();
        settle(&mut state, client.clone(), 4, vec![Action::Load], T)
            .await
            .unwrap();
        let seed_value = (0x5eed_u64 + attempt) ^ u64::from(std::process::id());
        eprintln!("throttling seed {seed_value}");
        proxy.inject_random(Fault::Throttle, 30, seed_value, &["LookupEvents"]);
        select_key(&mut state, "alice", &key_id);
        let started = std::time::Instant::now();
        settle(&mut state, client.clone(), 4, vec![ch('u')], T)
            .await
            .unwrap();
        let (seen, throttled) = proxy.heal_random();
        attempt += 1;
        if throttled > 0 || attempt == 5 {
            break (state, started, seen, throttled);
        }
    };
    let usage = state.account.key_usage(&key_id).unwrap();
    // The fake answers every region with the same events (IAM's are global):
    // counted once each.
    assert_eq!(usage.usage.events, 9, "{usage:?}");
    assert_eq!(usage.usage.ips["203.0.113.50"].count, 6);
    assert_eq!(usage.usage.agents["terraform/1.9"].count, 6);
    assert_eq!(usage.usage.agents["aws-cli/2.15"].count, 3);
    for region in ["eu-west-1", "us-east-1"] {
        let progress = &usage.streams[&Stream::Region(region.into())];
        assert_eq!(progress.pages, 5, "{region}: pages of two");
    }
    assert!(
        matches!(&usage.made, Made::By(c) if c.by.as_deref() == Some("arn:aws:iam::123456789012:user/admin"))
    );
    assert!(throttled > 0, "{throttled} of {seen} throttled");
    // Two regions of five pages each, paced at 2 a second: at least 2 s.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let text = crate::common::screen::text(&state, 120, 40);
    for shown in [
        "203.0.113.50",
        "10.1.2.3",
        "private",
        "terraform/1.9",
        "aws-cli/2.15",
        "Made by: arn:aws:iam::123456789012:user/admin",
        "not its user",
        "Management events only, last 90 days",
    ] {
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
    assert!(matches!(state.view.modal, Some(Modal::Usage { .. })));
}

/// A refused `cloudtrail:LookupEvents` says which permission to add, and
/// nothing else in the UI is touched.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_lookup_says_which_permission_to_add() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("alice", true, vec![true])]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.deny("LookupEvents");
    let client = Arc::new(sdk(proxy.endpoint()).await);
    let mut state = fresh();
    settle(&mut state, client.clone(), 4, vec![Action::Load], T)
        .await
        .unwrap();
    let findings = state.account.open_findings();
    select_key(&mut state, "alice", &keys[0].1[0]);
    settle(&mut state, client, 4, vec![ch('u')], T)
        .await
        .unwrap();
    let text = crate::common::screen::text(&state, 120, 40);
    assert!(
        text.contains("add cloudtrail:LookupEvents to this identity's policy"),
        "{text}"
    );
    assert_eq!(state.account.open_findings(), findings);
    update(&mut state, key(KeyCode::Esc));
    assert_eq!(state.view.modal, None);
    assert!(state.account.audit_complete());
}

/// Pure transitions: `u` asks once, pages fill the view, the dialogs show
/// the summary and open the view over themselves, and "made by" appears in
/// the key pane.
#[tokio::test]
async fn the_view_the_summary_and_made_by_from_the_dialogs() {
    let mut state = demo_loaded().await;
    let (user, key_id) =
        crate::common::flows::key_with_status(&state, iamkeys::model::KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    let effects = update(&mut state, ch('u'));
    assert_eq!(
        effects,
        [Effect::Usage {
            key_id: key_id.clone(),
            regions: vec!["eu-west-1".into(), "us-east-1".into()],
            max_events: 500,
            generation: 1,
        }]
    );
    let event = |id: &str, ip: &str, agent: &str| {
        TrailEvent::parse(
            id,
            Some(now() - chrono::TimeDelta::hours(3)),
            "ListBuckets",
            "s3.amazonaws.com",
            Some(&format!(
                r#"{{"sourceIPAddress": "{ip}", "userAgent": "{agent}"}}"#
            )),
        )
    };
    let page = |stream: Stream, events: Vec<TrailEvent>| {
        Action::Usage(iamkeys::action::UsagePage {
            key_id: key_id.clone(),
            stream,
            generation: 1,
            result: Ok(events),
            done: true,
            capped: false,
        })
    };
    update(
        &mut state,
        page(
            Stream::Region("us-east-1".into()),
            vec![
                event("e1", "203.0.113.9", "aws-cli/2.15.3 Python/3"),
                event(
                    "e2",
                    "198.51.100.7",
                    "APN/1.0 HashiCorp/1.0 Terraform/1.9.8",
                ),
            ],
        ),
    );
    update(
        &mut state,
        page(
            Stream::Region("eu-west-1".into()),
            vec![event("e1", "203.0.113.9", "aws-cli/2.15.3 Python/3")],
        ),
    );
    let made = TrailEvent::parse(
        "c1",
        Some(now() - chrono::TimeDelta::days(2)),
        "CreateAccessKey",
        "iam.amazonaws.com",
        Some(&format!(
            r#"{{"userIdentity": {{"arn": "arn:aws:iam::123456789012:user/mallory"}}, "sourceIPAddress": "192.0.2.1", "responseElements": {{"accessKey": {{"accessKeyId": "{key_id}"}}}}}}"#
        )),
    );
    update(&mut state, page(Stream::Creation, vec![made]));
    insta::assert_snapshot!("usage_view", crate::common::screen::text(&state, 120, 40));
    assert_eq!(
        update(&mut state, ch('u')),
        [Effect::StopUsage],
        "u closes it, and nothing polls for it any more"
    );
    assert_eq!(state.view.modal, None);
    let key_pane = crate::common::screen::text(&state, 120, 40);
    assert!(
        key_pane.contains("made by") && key_pane.contains("arn:aws:iam::123456789012:user/mallory"),
        "{key_pane}"
    );

    // Again: the answer is kept, nothing is asked.
    assert!(update(&mut state, ch('u')).is_empty());
    update(&mut state, key(KeyCode::Esc));

    // The make-inactive dialog shows the summary, and u opens the view over it.
    update(&mut state, ch('i'));
    let text = crate::common::screen::text(&state, 120, 40);
    assert!(
        text.contains("CloudTrail: used from 2 IPs by aws-cli/2.15, terraform/1.9; last 3 h ago"),
        "{text}"
    );
    update(&mut state, ch('u'));
    assert!(matches!(
        &state.view.modal,
        Some(Modal::Usage { back: Some(_), .. })
    ));
    update(&mut state, key(KeyCode::Esc));
    assert!(
        matches!(state.view.modal, Some(Modal::Confirm(_))),
        "back to the dialog"
    );
    // r in the view asks again; with no regions configured and none in the
    // profile (the demo's), us-east-1 alone.
    state.session.cloudtrail_regions.clear();
    update(&mut state, ch('u'));
    let again = update(&mut state, ch('r'));
    assert!(
        matches!(&again[..], [Effect::Usage { regions, .. }] if regions == &["us-east-1".to_owned()]),
        "{again:?}"
    );
}

/// End to end: the real binary with `--endpoint-url` the proxy in front of
/// moto (its profile names moto itself: the flag must win for CloudTrail as
/// for IAM), whose fake CloudTrail answers `LookupEvents`. `u` on alice's
/// key shows the fake events' IPs and user agents, and who made the key;
/// the key pane then marks it made by someone else.
#[tokio::test(flavor = "multi_thread")]
async fn u_in_the_real_binary_shows_who_uses_the_key() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("alice", true, vec![true])]).await;
    let key_id = keys[0].1[0].clone();
    let proxy = Proxy::start(moto.port).await;
    proxy.trail(history(&key_id, "alice", 4));
    let home = crate::common::home::Home::new(&moto.endpoint());
    let tui = crate::common::tmux::Tmux::start(
        std::path::Path::new(crate::common::home::BIN),
        &["--profile", "e2e", "--endpoint-url", &proxy.endpoint()],
        &home.env(),
        130,
        40,
    );
    tui.wait_for("the account", crate::common::home::WAIT, |s| {
        s.contains("Users (1)") && s.contains("account 123456789012")
    });
    tui.send(&["Enter"]);
    tui.wait_for("alice's key", crate::common::home::WAIT, |s| {
        s.contains(&format!("{key_id}  Active"))
    });
    tui.send(&["u"]);
    let screen = tui.wait_for("the usage", crate::common::home::WAIT, |s| {
        s.contains("us-east-1: 4 events")
            && s.contains("Made by: arn:aws:iam::123456789012:user/admin")
    });
    for shown in [
        "203.0.113.50",
        "10.1.2.3",
        "terraform/1.9",
        "aws-cli/2.15",
        "not its user",
    ] {
        assert!(screen.contains(shown), "{shown}:\n{screen}");
    }
    tui.send(&["Escape"]);
    tui.wait_for("made by in the key pane", crate::common::home::WAIT, |s| {
        s.contains("made by") && s.contains("     arn:aws:iam::123456789012:user/admin")
    });
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(crate::common::home::WAIT), Some(0));
    let regions: Vec<String> = proxy.lookups().into_iter().map(|l| l.0).collect();
    assert!(
        regions.iter().all(|r| r == "us-east-1"),
        "the profile's region is us-east-1, and IAM's events land there: {regions:?}"
    );
}

/// Issue 23 item 8: `u` also looks in the region the key was last used in
/// (IAM says which), not only in the configured ones.
#[tokio::test]
async fn u_also_reads_the_region_the_key_was_last_used_in() {
    let mut state = demo_loaded().await;
    // svc-ivan-08's old key was last used in ap-southeast-2 (the demo).
    let row = state.account.users().get("svc-ivan-08").unwrap();
    let (key_id, region) = row
        .listed_keys()
        .unwrap()
        .iter()
        .find_map(|k| {
            let used = row.key_last_used(k)?;
            Some((k.id.clone(), used.region?))
        })
        .unwrap();
    assert!(
        !state.session.cloudtrail_regions.contains(&region),
        "{region}"
    );
    select_key(&mut state, "svc-ivan-08", &key_id);
    let effects = update(&mut state, ch('u'));
    let regions = effects
        .iter()
        .find_map(|e| match e {
            Effect::Usage { regions, .. } => Some(regions.clone()),
            _ => None,
        })
        .expect("CloudTrail is asked");
    assert!(regions.contains(&region), "{regions:?}");
    for configured in &state.session.cloudtrail_regions {
        assert!(regions.contains(configured), "{regions:?}");
    }
}

/// Issue 24 item 2: a stream stopped at `cloudtrail_max_events` says the
/// view holds the newest events only.
#[tokio::test]
async fn a_capped_stream_says_older_events_were_not_read() {
    let mut state = demo_loaded().await;
    let (user, key_id) =
        crate::common::flows::key_with_status(&state, iamkeys::model::KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    update(&mut state, ch('u'));
    update(
        &mut state,
        Action::Usage(iamkeys::action::UsagePage {
            key_id: key_id.clone(),
            stream: Stream::Region("eu-west-1".into()),
            generation: 1,
            result: Ok(Vec::new()),
            done: true,
            capped: true,
        }),
    );
    let screen = crate::common::screen::text(&state, 120, 40);
    assert!(
        screen.contains("newest events; older ones not read"),
        "{screen}"
    );
}

/// Issue 24 item 2: closing the view stops its streams; `r` in the view
/// asks again under a new generation, and a late page of the earlier one
/// is dropped.
#[tokio::test]
async fn closing_the_view_stops_its_streams_and_late_pages_are_dropped() {
    let mut state = demo_loaded().await;
    let (user, key_id) =
        crate::common::flows::key_with_status(&state, iamkeys::model::KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    let generation = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::Usage { generation, .. } => Some(*generation),
            _ => None,
        })
    };
    let first = generation(&update(&mut state, ch('u'))).unwrap();
    let second = generation(&update(&mut state, ch('r'))).expect("r asks again");
    assert!(second > first);
    let late = iamkeys::action::UsagePage {
        key_id: key_id.clone(),
        stream: Stream::Region("eu-west-1".into()),
        generation: first,
        result: Ok(vec![TrailEvent::parse(
            "late",
            Some(now()),
            "ListBuckets",
            "s3.amazonaws.com",
            Some(r#"{"sourceIPAddress": "198.51.100.9"}"#),
        )]),
        done: true,
        capped: false,
    };
    update(&mut state, Action::Usage(late));
    let usage = state.account.key_usage(&key_id).unwrap();
    assert_eq!(usage.usage.events, 0, "the earlier u's page is dropped");
    let effects = update(&mut state, key(KeyCode::Esc));
    assert!(effects.contains(&Effect::StopUsage), "{effects:?}");
    assert!(state.view.modal.is_none());
    // Opened again, streams stopped part-way are asked again.
    assert!(generation(&update(&mut state, ch('u'))).is_some());
}

/// Issue 24 item 2, against the worker: closing the view stops its
/// streams at CloudTrail (no request after), and every read of one region
/// shares one pace of 2 requests a second (the us-east-1 stream and the
/// creation lookup together).
#[tokio::test(flavor = "multi_thread")]
async fn a_closed_view_asks_cloudtrail_nothing_more_and_a_region_keeps_one_pace() {
    use iamkeys::app::dispatch;
    use iamkeys::worker::{Settings, Worker};
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("alice", true, vec![true])]).await;
    let key_id = keys[0].1[0].clone();
    let proxy = Proxy::start(moto.port).await;
    proxy.trail(history(&key_id, "alice", 40));
    let client = Arc::new(sdk(proxy.endpoint()).await);
    let mut state = fresh();
    settle(&mut state, client.clone(), 4, vec![Action::Load], T)
        .await
        .unwrap();
    select_key(&mut state, "alice", &key_id);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = Worker::new(client, tx, &Settings::default());
    let before = proxy.count("LookupEvents");
    dispatch(&mut state, ch('u'), &worker);
    // Read for a while: about 1.5 s, three streams.
    let until = tokio::time::Instant::now() + Duration::from_millis(1500);
    while let Ok(Some(action)) = tokio::time::timeout_at(until, rx.recv()).await {
        dispatch(&mut state, action, &worker);
    }
    let asked = proxy.count("LookupEvents") - before;
    // Two regions and the creation lookup (us-east-1): us-east-1 is asked
    // by two reads that share its pace, so at most 4 + 4 (+ 1 in flight)
    // requests in 1.5 s, where each stream at its own pace would make 12.
    assert!(asked <= 9, "{asked} requests in 1.5 s");
    assert!(asked >= 3, "{asked}");
    dispatch(&mut state, key(KeyCode::Esc), &worker);
    assert!(state.view.modal.is_none());
    // A request already on the wire when the view closed may still land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let closed = proxy.count("LookupEvents");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        proxy.count("LookupEvents"),
        closed,
        "no request after the view closed"
    );
}

/// Issue 24 item 2: a 1,000-character user agent (the caller chooses it)
/// does not push the make-inactive dialog's account line and buttons off
/// the screen.
#[tokio::test]
async fn a_long_agent_leaves_the_dialogs_buttons_on_screen() {
    let mut state = demo_loaded().await;
    let (user, key_id) =
        crate::common::flows::key_with_status(&state, iamkeys::model::KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    update(&mut state, ch('u'));
    let agent = format!("evil/{}", "A".repeat(1_000));
    for stream in [
        Stream::Region("eu-west-1".into()),
        Stream::Region("us-east-1".into()),
        Stream::Creation,
    ] {
        update(
            &mut state,
            Action::Usage(iamkeys::action::UsagePage {
                key_id: key_id.clone(),
                stream,
                generation: 1,
                result: Ok(vec![TrailEvent::parse(
                    "e1",
                    Some(now() - chrono::TimeDelta::hours(1)),
                    "ListBuckets",
                    "s3.amazonaws.com",
                    Some(&format!(
                        r#"{{"sourceIPAddress": "203.0.113.9", "userAgent": "{agent}"}}"#
                    )),
                )]),
                done: true,
                capped: false,
            }),
        );
    }
    update(&mut state, key(KeyCode::Esc));
    update(&mut state, ch('i'));
    let screen = crate::common::screen::text(&state, 120, 30);
    assert!(screen.contains("CloudTrail: "), "{screen}");
    assert!(screen.contains("In account"), "{screen}");
    assert!(screen.contains("Make inactive"), "{screen}");
    assert!(!screen.contains(&"A".repeat(60)), "{screen}");
    insta::assert_snapshot!("dialog_under_a_long_agent", screen);
}

/// Issue 25: `u` on a key of a user AWS quarantined opens on what the key
/// wrote — CloudTrail's `readOnly: false` events, newest first, identity
/// changes marked `⚠` — before who made it and where it is used from; the
/// reads are not among them.
#[tokio::test]
async fn a_quarantined_users_key_opens_on_its_write_events() {
    let mut state = demo_loaded().await;
    let leaked = "AKIADEMO000000000014";
    assert_eq!(
        state.account.quarantine_of("heidi.07"),
        Some("AWSCompromisedKeyQuarantineV2")
    );
    select_key(&mut state, "heidi.07", leaked);
    let effects = update(&mut state, ch('u'));
    let Some(Effect::Usage {
        regions,
        generation,
        ..
    }) = effects.first()
    else {
        panic!("{effects:?}")
    };
    // The demo's own CloudTrail answers, as the worker would ask it.
    let iam = iamkeys::iam::demo::account(now(), Duration::ZERO);
    for region in regions {
        let events = iam
            .lookup_events(region, &Lookup::AccessKey(leaked.into()), None)
            .await
            .unwrap();
        update(
            &mut state,
            Action::Usage(iamkeys::action::UsagePage {
                key_id: leaked.into(),
                stream: Stream::Region(region.clone()),
                generation: *generation,
                result: Ok(events.items),
                done: true,
                capped: false,
            }),
        );
    }
    let text = crate::common::screen::text(&state, 120, 45);
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} not on screen:\n{text}"))
    };
    let caught = line_of("AWS found a key of heidi.07 exposed (AWSCompromisedKeyQuarantineV2)");
    let writes = line_of("Write events");
    assert!(
        text.contains("newest first: 5 (⚠ 4 change identities"),
        "{text}"
    );
    let order: Vec<usize> = [
        "  PutBucketPolicy",
        "⚠ RunInstances",
        "⚠ AttachUserPolicy",
        "⚠ CreateAccessKey",
        "⚠ CreateUser",
    ]
    .iter()
    .map(|name| line_of(name))
    .collect();
    assert!(caught < writes && writes < order[0], "{text}");
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "newest first:\n{text}"
    );
    // What it did comes before who made it and the tallies.
    assert!(order[4] < line_of("Made by"), "{text}");
    assert!(order[4] < line_of("Source IP"), "{text}");
    // Reads are counted, never listed as writes.
    assert!(!text.contains("ListUsers            "), "{text}");
    assert!(text.contains("7 events"), "{text}");
}

/// Issue 27: `cloudtrail_regions = "all"` — each load asks EC2 for the
/// account's enabled regions (issue 39: the Account Management API's
/// `ListRegions`, served by the suite's proxy as AWS documents it, paged,
/// through 30% random throttling; parsed by the real SDK), and `u`
/// reads every one of them, the key's last-used region included; until
/// they are known (or when refused) it says so and asks the profile's
/// region and us-east-1.
#[tokio::test(flavor = "multi_thread")]
async fn all_regions_come_from_list_regions() {
    let moto = Moto::start();
    let proxy = Proxy::start(moto.port).await;
    proxy.inject_random(Fault::Throttle, 30, 39, &["ListRegions"]);
    let client = sdk(proxy.endpoint()).await;
    let enabled = client.enabled_regions().await.unwrap();
    let expected: Vec<String> = crate::common::regions::REGIONS
        .iter()
        .filter(|(_, status)| matches!(*status, "ENABLED" | "ENABLED_BY_DEFAULT"))
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert_eq!(enabled, expected, "every enabled region, over every page");
    assert!(proxy.count("ListRegions") >= 3, "three pages of eight");
    // Refused: said, with the permission.
    proxy.deny("ListRegions");
    let refused = client.enabled_regions().await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::AccessDenied, "{refused:?}");
    assert_eq!(refused.action, "account:ListRegions");

    let mut loading = demo_loaded().await;
    loading.session.regions = iamkeys::state::RegionChoice::AllEnabled;
    let effects = update(&mut loading, Action::Load);
    assert!(
        effects.iter().any(|e| matches!(
            e,
            Effect::Iam {
                call: iamkeys::effect::Call::EnabledRegions,
                ..
            }
        )),
        "{effects:?}"
    );
    let mut state = demo_loaded().await;
    state.session.regions = iamkeys::state::RegionChoice::AllEnabled;
    let (user, key_id) =
        crate::common::flows::key_with_status(&state, iamkeys::model::KeyStatus::Active);
    // Not known yet: said, and the fallback asked.
    state.account.enabled_regions = None;
    select_key(&mut state, &user, &key_id);
    let effects = update(&mut state, ch('u'));
    assert!(
        state
            .view
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("not read yet"),
        "{:?}",
        state.view.notice
    );
    let Some(Effect::Usage { regions, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert!(!regions.contains(&"ap-northeast-3".to_owned()));
    update(&mut state, key(KeyCode::Esc));
    // Known: every enabled region (and the last-used one) is read.
    let answer = crate::common::states::loaded(
        &state,
        iamkeys::action::Loaded::EnabledRegions(Ok(enabled.clone())),
    );
    update(&mut state, answer);
    assert_eq!(state.account.enabled_regions, Some(Ok(enabled.clone())));
    let effects = update(&mut state, ch('u'));
    let Some(Effect::Usage { regions, .. }) =
        effects.iter().find(|e| matches!(e, Effect::Usage { .. }))
    else {
        panic!("{effects:?}")
    };
    for region in &enabled {
        assert!(
            regions.contains(region),
            "{region} missing from {regions:?}"
        );
    }
}

/// Issue 34 item 4: a hostile `DescribeRegions` answering 1,000 region
/// names gets at most 64 looked in (AWS has under 40), and the view says
/// so: never a thousand lookups.
#[tokio::test]
async fn a_thousand_regions_are_capped_and_said() {
    let mut state = demo_loaded().await;
    state.session.regions = iamkeys::state::RegionChoice::AllEnabled;
    let many: Vec<String> = (0..1000).map(|i| format!("xx-test-{i}")).collect();
    let answer =
        crate::common::states::loaded(&state, iamkeys::action::Loaded::EnabledRegions(Ok(many)));
    update(&mut state, answer);
    let (user, key_id) =
        crate::common::flows::key_with_status(&state, iamkeys::model::KeyStatus::Active);
    select_key(&mut state, &user, &key_id);
    let effects = update(&mut state, ch('u'));
    let Some(Effect::Usage { regions, .. }) =
        effects.iter().find(|e| matches!(e, Effect::Usage { .. }))
    else {
        panic!("{effects:?}")
    };
    assert!(regions.len() <= 66, "{} regions", regions.len());
    let notice = state.view.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("1000 regions") && notice.contains("64"),
        "{notice}"
    );
}

/// Issue 34 item 5: "made earlier" only for a key older than CloudTrail's
/// 90 days; a younger key whose `CreateAccessKey` was not among the events
/// is "unknown", with its date.
#[tokio::test]
async fn made_earlier_only_for_keys_older_than_the_history() {
    let state = demo_loaded().await;
    let now = state.now;
    let mut young = None;
    let mut old = None;
    for row in state.account.users().rows() {
        for key in row.listed_keys().unwrap_or_default() {
            let Some(made) = key.created else { continue };
            let age = now - made;
            if age < chrono::TimeDelta::days(30) && young.is_none() {
                young = Some((row.user.name.clone(), key.id.clone()));
            }
            if age > chrono::TimeDelta::days(120) && old.is_none() {
                old = Some((row.user.name.clone(), key.id.clone()));
            }
        }
    }
    for ((user, key_id), said, not) in [
        (
            young.unwrap(),
            "Made by: unknown: no CreateAccessKey",
            "made earlier",
        ),
        (old.unwrap(), "(made earlier)", "Made by: unknown"),
    ] {
        let mut state = demo_loaded().await;
        select_key(&mut state, &user, &key_id);
        update(&mut state, ch('u'));
        update(
            &mut state,
            Action::Usage(iamkeys::action::UsagePage {
                key_id: key_id.clone(),
                stream: Stream::Creation,
                generation: 1,
                result: Ok(Vec::new()),
                done: true,
                capped: false,
            }),
        );
        let screen = crate::common::screen::text(&state, 160, 40);
        assert!(screen.contains(said), "{key_id}: {screen}");
        assert!(!screen.contains(not), "{key_id}: {screen}");
    }
}

/// Issue 38 item 7: CloudTrail failing is not "unused": each failed region
/// says its cause, the summary says the use is not known (not `0 events`),
/// and the status bar names CloudTrail as the service backing off.
#[tokio::test(flavor = "multi_thread")]
async fn a_failing_cloudtrail_says_why_and_is_never_read_as_unused() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(&iam, &[user("alice", true, vec![true])]).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.inject(Fault::Unavailable, 1, &["LookupEvents"]);
    let client = Arc::new(sdk(proxy.endpoint()).await);
    let mut state = fresh();
    settle(&mut state, client.clone(), 4, vec![Action::Load], T)
        .await
        .unwrap();
    select_key(&mut state, "alice", &keys[0].1[0]);
    settle(&mut state, client, 4, vec![ch('u')], T)
        .await
        .unwrap();
    let text = crate::common::screen::text(&state, 140, 40);
    assert!(
        text.contains("LookupEvents failed: unavailable"),
        "the cause is named:\n{text}"
    );
    assert!(!text.contains("0 events"), "not read as unused:\n{text}");
    assert!(
        text.contains("Use not known: CloudTrail could not be read"),
        "{text}"
    );
    let backoff = state.account.backoff.expect("the SDK retried");
    assert_eq!(backoff.service, Some("CloudTrail"), "{backoff:?}");
}
