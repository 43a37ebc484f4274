//! Issue 38 item 14: plain mode (`--plain`, or `TERM=dumb`), driven through
//! a pipe as a screen reader or a log would: numbered lines, a command
//! prompt, every change confirmed by typing; the server read back after.

use std::io::Write;
use std::process::{Command, Stdio};

use aws_sdk_iam::types::StatusType;

use crate::common::home::{BIN, Home};
use crate::common::moto::{Moto, SeedUser, seed, server_keys};

/// Run iamkeys in plain mode with `lines` on its standard input.
fn plain(home: &Home, args: &[&str], term: Option<&str>, lines: &str) -> (String, i32) {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .envs(home.env())
        .env_remove("TERM")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(term) = term {
        command.env("TERM", term);
    }
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !stdout.contains('\u{1b}'),
        "no escape sequence in plain mode: {stdout:?}"
    );
    (stdout, out.status.code().unwrap_or(-1))
}

/// The number plain mode gives `user` in its list.
fn number_of(list: &str, user: &str) -> usize {
    list.lines()
        .find_map(|l| {
            let l = l.trim_start_matches("iamkeys> ");
            let (n, rest) = l.split_once(". ")?;
            rest.starts_with(&format!("{user}:"))
                .then(|| n.parse().ok())?
        })
        .unwrap_or_else(|| panic!("{user} not listed:\n{list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_mode_lists_shows_and_changes_keys_confirmed_by_typing() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    let keys = seed(
        &iam,
        &[SeedUser {
            name: "carol",
            password: true,
            keys: vec![true],
            ..SeedUser::default()
        }],
    )
    .await;
    let key = keys[0].1[0].clone();
    let home = Home::new(&moto.endpoint());
    let args = ["--profile", "e2e", "--plain"];

    // TERM=dumb chooses plain mode without the flag.
    let (list, code) = plain(&home, &["--profile", "e2e"], Some("dumb"), "list\nquit\n");
    assert_eq!(code, 0, "{list}");
    assert!(list.starts_with("iamkeys (plain)"), "{list}");
    let n = number_of(&list, "carol");
    assert!(list.contains("findings: initial_setup_key"), "{list}");

    // show, then make the key inactive: "yes" typed.
    let (out, _) = plain(
        &home,
        &args,
        None,
        &format!("show {n}\ninactive {n}.1\nyes\nquit\n"),
    );
    assert!(out.contains(&format!("{n}.1: {key} Active")), "{out}");
    assert!(
        out.contains("Make this key inactive?"),
        "the dialog's words: {out}"
    );
    assert!(out.contains("is now Inactive"), "{out}");
    assert_eq!(
        server_keys(&iam, "carol").await,
        [(key.clone(), StatusType::Inactive)]
    );
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    assert!(
        audit.contains("UpdateAccessKey") && audit.contains(&key),
        "{audit}"
    );

    // Anything but "yes" cancels; a wrong ID deletes nothing; the right
    // one deletes.
    let (out, _) = plain(
        &home,
        &args,
        None,
        &format!("active {n}.1\nno\ndelete {n}.1\nAKIAWRONG\ndelete {n}.1\n{key}\nquit\n"),
    );
    assert!(out.contains("Cancelled: nothing was sent."), "{out}");
    assert!(
        out.contains("The ID did not match: nothing was deleted."),
        "{out}"
    );
    assert!(out.contains("was deleted"), "{out}");
    assert!(server_keys(&iam, "carol").await.is_empty());

    // Creating is not offered: a secret would be written to the output.
    let (out, _) = plain(&home, &args, None, &format!("create {n}\nhelp\nquit\n"));
    assert!(out.contains("unknown command `create`"), "{out}");
    assert!(out.contains("not offered here"), "{out}");
}

/// An audit that could not see everything says so in plain mode too, with
/// each gap, before its list (as the UI's header does).
#[tokio::test(flavor = "multi_thread")]
async fn plain_mode_says_when_the_audit_is_incomplete() {
    let moto = Moto::start();
    let iam = moto.iam().await;
    seed(
        &iam,
        &[SeedUser {
            name: "carol",
            password: true,
            keys: vec![true],
            ..SeedUser::default()
        }],
    )
    .await;
    let proxy = crate::common::proxy::Proxy::start(moto.port).await;
    proxy.deny("ListAccessKeys");
    let home = Home::new(&proxy.endpoint());
    let (out, code) = plain(&home, &["--profile", "e2e", "--plain"], None, "quit\n");
    assert_eq!(code, 0, "{out}");
    let gap = out
        .lines()
        .position(|l| l.starts_with("INCOMPLETE AUDIT"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        out.lines().nth(gap).unwrap().contains("ListAccessKeys"),
        "{out}"
    );
    let list = out.lines().position(|l| l.contains("carol:")).unwrap();
    assert!(gap < list, "said before the list: {out}");
}
