//! Tests of the parent module.

use super::*;
use chrono::TimeZone;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, h, 0, 0).unwrap()
}

fn event(id: &str, h: u32, ip: &str, agent: &str) -> TrailEvent {
    TrailEvent::parse(
        id,
        Some(at(h)),
        "ListBuckets",
        "s3.amazonaws.com",
        Some(&format!(
            r#"{{"sourceIPAddress": "{ip}", "userAgent": "{agent}", "awsRegion": "eu-west-1"}}"#
        )),
    )
}

#[test]
fn agents_group_as_people_name_them() {
    for (agent, group) in [
        (
            "aws-cli/2.15.3 Python/3.11.6 Linux/6.1 exe/x86_64.amzn.2",
            "aws-cli/2.15",
        ),
        (
            "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.40.0",
            "terraform/1.9",
        ),
        (
            "Boto3/1.34.2 md/Botocore#1.34.2 ua/2.0 os/linux",
            "Boto3/1.34",
        ),
        (
            "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21",
            "aws-sdk-go-v2/1.24",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64)", "console (browser)"),
        ("AWS Internal", "AWS internal"),
        ("lambda.amazonaws.com", "AWS service lambda.amazonaws.com"),
        ("curl", "curl"),
        ("", "unknown"),
    ] {
        assert_eq!(agent_group(agent), group, "{agent}");
    }
}

#[test]
fn ips_are_labelled() {
    assert_eq!(ip_kind("10.1.2.3"), IpKind::Private);
    assert_eq!(ip_kind("192.168.0.9"), IpKind::Private);
    assert_eq!(ip_kind("172.20.0.1"), IpKind::Private);
    assert_eq!(ip_kind("fd00::1"), IpKind::Private);
    assert_eq!(ip_kind("203.0.113.7"), IpKind::Public);
    assert_eq!(ip_kind("2001:db8::1"), IpKind::Public);
    assert_eq!(ip_kind("ec2.amazonaws.com"), IpKind::AwsService);
    assert_eq!(ip_kind("not an ip"), IpKind::Other);
}

/// Issue 24 item 2: events outside the window asked, or of another
/// account, are left out of the counts and named.
#[test]
fn events_not_the_keys_are_left_out_and_named() {
    let mut usage = Usage::default();
    let mut old = event("old", 1, "203.0.113.7", "aws-cli/2.15");
    old.time = Some(at(1) - chrono::TimeDelta::days(200));
    let mut foreign = event("x", 2, "198.51.100.1", "aws-cli/2.15");
    foreign.account_id = Some("999999999999".into());
    let mut own = event("own", 3, "203.0.113.7", "aws-cli/2.15");
    own.account_id = Some("123456789012".into());
    // Issue 34 item 4: an event from the year 81191 did not happen yet.
    let mut future = event("later", 4, "203.0.113.9", "aws-cli/2.15");
    future.time = chrono::DateTime::from_timestamp(2_500_000_000_000, 0);
    usage.add(
        &[old, foreign, own, future],
        &Scope::history(at(6), Some("123456789012".into())),
    );
    assert_eq!(usage.events, 1);
    assert_eq!(
        (
            usage.left_out.outside,
            usage.left_out.foreign,
            usage.left_out.future
        ),
        (1, 1, 1)
    );
    assert_eq!(
        usage.left_out.line().as_deref(),
        Some(
            "events left out: 1 outside the 90 days asked, 1 of another account, 1 dated in the future (event later dated +81191-11-06)"
        )
    );
    assert!(!usage.ips.contains_key("203.0.113.9"));
    assert_eq!(usage.last, Some(at(3)), "never the future event's date");
    assert!(!usage.ips.contains_key("198.51.100.1"));
}

#[test]
fn events_count_once_and_summarise() {
    let mut usage = Usage::default();
    let events = [
        event("a", 1, "203.0.113.7", "aws-cli/2.15.3 Python/3.11"),
        event("b", 3, "203.0.113.7", "aws-cli/2.15.9 Python/3.11"),
        event("c", 2, "10.0.0.5", "APN/1.0 HashiCorp/1.0 Terraform/1.9.8"),
    ];
    let scope = Scope::history(at(6), Some("123456789012".into()));
    usage.add(&events, &scope);
    // The same events again from another region: counted once.
    usage.add(&events[..2], &scope);
    assert_eq!(usage.events, 3);
    assert_eq!(usage.ips["203.0.113.7"].count, 2);
    assert_eq!(usage.ips["203.0.113.7"].last, Some(at(3)));
    assert_eq!((usage.first, usage.last), (Some(at(1)), Some(at(3))));
    assert_eq!(
        usage.summary(at(6)),
        "used from 2 IPs by aws-cli/2.15, terraform/1.9; last 3 h ago"
    );
    assert_eq!(
        Usage::top(&usage.names, 10),
        [("ListBuckets".to_owned(), 3)]
    );
    assert_eq!(
        Usage::default().summary(at(6)),
        "no CloudTrail management events in 90 days"
    );
}

#[test]
fn an_event_reads_strictly() {
    let e = TrailEvent::parse(
        "x",
        None,
        "GetCallerIdentity",
        "sts.amazonaws.com",
        Some("{not json"),
    );
    assert_eq!(
        (e.source_ip, e.user_agent, e.caller_arn),
        (None, None, None)
    );
    let made = TrailEvent::parse(
        "y",
        Some(at(1)),
        "CreateAccessKey",
        "iam.amazonaws.com",
        Some(
            r#"{"userIdentity": {"arn": "arn:aws:iam::123456789012:user/admin"}, "sourceIPAddress": "198.51.100.4", "responseElements": {"accessKey": {"accessKeyId": "AKIANEW0000000000001", "userName": "alice"}}}"#,
        ),
    );
    let found = creation(&[made], "AKIANEW0000000000001").unwrap();
    assert_eq!(
        found.by.as_deref(),
        Some("arn:aws:iam::123456789012:user/admin")
    );
    let alice = "arn:aws:iam::123456789012:user/alice";
    assert!(made_by_other("arn:aws:iam::123456789012:user/admin", alice));
    assert!(!made_by_other(alice, alice));
    assert!(!made_by_other(
        "arn:aws:iam::123456789012:user/team/alice",
        "arn:aws:iam::123456789012:user/team/alice"
    ));
    // Issue 24 item 2: the full ARN decides — an alice of another
    // account, or of another path, is someone else.
    assert!(made_by_other("arn:aws:iam::999999999999:user/alice", alice));
    assert!(made_by_other(
        "arn:aws:iam::123456789012:user/team/alice",
        alice
    ));
    assert!(creation(&[], "AKIANEW0000000000001").is_none());
}

/// Issue 24 item 2: an agent the caller chose is cut for display.
#[test]
fn a_long_agent_is_cut_to_one_short_group() {
    let long = format!("evil/{}", "A".repeat(1_000));
    let group = agent_group(&long);
    assert_eq!(group.chars().count(), AGENT_SHOWN);
    assert!(
        group.ends_with('…') && group.starts_with("evil/"),
        "{group}"
    );
    let huge = "B".repeat(10_000_000);
    assert_eq!(agent_group(&huge).chars().count(), AGENT_SHOWN);
    assert_eq!(agent_group("aws-cli/2.15.3 Python/3"), "aws-cli/2.15");
}

#[test]
fn regions_default_to_the_profiles_and_us_east_1() {
    assert_eq!(
        regions(&[], Some("eu-west-1"), None),
        ["eu-west-1", "us-east-1"]
    );
    assert_eq!(regions(&[], Some("us-east-1"), None), ["us-east-1"]);
    assert_eq!(regions(&[], None, None), ["us-east-1"]);
    assert_eq!(
        regions(
            &["ap-south-1".into(), "ap-south-1".into()],
            Some("eu-west-1"),
            None
        ),
        ["ap-south-1"]
    );
    // The key's last-used region too, once; IAM's `N/A` is no region.
    assert_eq!(
        regions(&["ap-south-1".into()], None, Some("sa-east-1")),
        ["ap-south-1", "sa-east-1"]
    );
    assert_eq!(
        regions(&["ap-south-1".into()], None, Some("ap-south-1")),
        ["ap-south-1"]
    );
    assert_eq!(regions(&[], None, Some("N/A")), ["us-east-1"]);
    assert_eq!(
        regions(&[], None, Some("us-gov-west-1")),
        ["us-east-1", "us-gov-west-1"]
    );
}

/// Issue 25: what a leaked key did is its writes; the identity changes
/// among them are marked, newest first, and an event that does not say
/// whether it only read counts as a write.
#[test]
fn writes_are_kept_newest_first_with_identity_changes_marked() {
    let scope = Scope::history(at(23), None);
    let write = |id: &str, h: u32, name: &str, read_only: Option<bool>| {
        let flag = read_only.map_or(String::new(), |r| format!(r#", "readOnly": {r}"#));
        TrailEvent::parse(
            id,
            Some(at(h)),
            name,
            "iam.amazonaws.com",
            Some(&format!(r#"{{"sourceIPAddress": "203.0.113.9"{flag}}}"#)),
        )
    };
    let mut usage = Usage::default();
    usage.add(
        &[
            write("a", 3, "ListUsers", Some(true)),
            write("b", 5, "CreateUser", Some(false)),
            write("c", 9, "PutBucketPolicy", Some(false)),
            write("d", 7, "RunInstances", None),
            write("e", 8, "UpdateFunctionCode20150331v2", Some(false)),
        ],
        &scope,
    );
    let names: Vec<&str> = usage.writes.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "PutBucketPolicy",
            "UpdateFunctionCode20150331v2",
            "RunInstances",
            "CreateUser"
        ]
    );
    let identity: Vec<bool> = usage.writes.iter().map(|w| w.identity).collect();
    assert_eq!(identity, [false, true, true, true]);
    assert!(usage.writes[2].unsure, "readOnly missing: unsure");
    assert_eq!((usage.writes_total, usage.identity_total), (4, 3));
    assert_eq!(usage.events, 5);
    // Lookalikes are not identity changes.
    assert!(!identity_changing("CreateUserProfile"));
    assert!(!identity_changing("ListAttachedUserPolicies"));
}

#[test]
fn only_the_newest_writes_are_kept_and_all_are_counted() {
    let scope = Scope::history(at(23), None);
    let events: Vec<TrailEvent> = (0..WRITES_KEPT + 50)
        .map(|i| {
            TrailEvent::parse(
                &format!("w{i}"),
                Some(at(0) + chrono::TimeDelta::seconds(i64::try_from(i).unwrap())),
                "PutObjectAcl",
                "s3.amazonaws.com",
                Some(r#"{"readOnly": false}"#),
            )
        })
        .collect();
    let mut usage = Usage::default();
    usage.add(&events, &scope);
    assert_eq!(usage.writes.len(), WRITES_KEPT);
    assert_eq!(usage.writes_total, WRITES_KEPT + 50);
    assert_eq!(usage.writes[0].time, events.last().unwrap().time);
    assert!(usage.writes.windows(2).all(|w| w[0].time >= w[1].time));
}
