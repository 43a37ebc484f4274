//! Issue 14: layers run one way. `model`, `state`, `update`, `audit`, `iam`
//! and `worker` never reach the UI; `audit` does not depend on `state`; the
//! IO adapters (credentials file, audit log, config) return their own types
//! and do not reach into the UI's actions or state. A scan of the sources:
//! cheap, and it keeps the rule when the code moves.

use std::path::{Path, PathBuf};

/// Every `.rs` file of a module: `src/<name>.rs` and everything under `src/<name>/`.
fn module_files(name: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let file = src.join(format!("{name}.rs"));
    if file.exists() {
        files.push(file);
    }
    let mut dirs = vec![src.join(name)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "no sources for module {name}");
    files
}

/// Lines of code (comments left out) that name one of `forbidden`.
fn uses(files: &[PathBuf], forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in forbidden {
                if code.contains(name) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn lower_layers_never_import_the_ui() {
    for module in [
        "model",
        "account",
        "state",
        "update",
        "audit",
        "iam",
        "worker",
        "config",
        "layout",
        "report",
        "usage",
        "lines",
        "findings_view",
        "help",
    ] {
        let found = uses(
            &module_files(module),
            &["crate::ui", "super::ui", "super::super::ui", "use ui::"],
        );
        assert!(
            found.is_empty(),
            "{module} imports ui:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn the_audit_does_not_depend_on_the_state_or_the_account() {
    let found = uses(
        &module_files("audit"),
        &["crate::state", "super::super::state", "crate::account"],
    );
    assert!(
        found.is_empty(),
        "audit imports state:\n{}",
        found.join("\n")
    );
}

/// The account is one AWS account as loaded: no view, no dialog, no key
/// press in it, so a session can hold several and the report can run on one.
#[test]
fn the_account_knows_nothing_of_the_view() {
    let found = uses(
        &module_files("account"),
        &[
            "crate::state",
            "crate::update",
            "crate::ui",
            "crate::keymap",
        ],
    );
    assert!(
        found.is_empty(),
        "account reaches up:\n{}",
        found.join("\n")
    );
}

/// `iamkeys report` runs on an `Account` alone: no UI state, no `update`.
#[test]
fn the_report_runs_on_the_account_alone() {
    let found = uses(
        &module_files("report"),
        &[
            "crate::state",
            "crate::update",
            "crate::ui",
            "crate::keymap",
            "crate::headless",
            "crate::app",
            // The drivers live in `headless/` (issue 35 item 1): the
            // report is made of an account, never runs a worker.
            "crate::worker",
            "tokio::",
        ],
    );
    assert!(found.is_empty(), "report reaches up:\n{}", found.join("\n"));
}

#[test]
fn io_adapters_return_their_own_types() {
    for module in ["credentials_file", "audit_log", "config"] {
        let found = uses(
            &module_files(module),
            &["crate::action", "crate::state", "crate::update"],
        );
        assert!(
            found.is_empty(),
            "{module} reaches up:\n{}",
            found.join("\n")
        );
    }
}

/// The scan itself finds what it looks for (a rule that cannot fail is no rule).
#[test]
fn the_scan_sees_an_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        "// crate::ui in a comment is fine\nuse crate::ui::Theme;\n",
    )
    .unwrap();
    let found = uses(&[file], &["crate::ui"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].ends_with("use crate::ui::Theme;"));
}

/// Gathering CloudTrail events is pure: no IO, no state, no account —
/// except its own adapter, `usage/cloudtrail.rs` (the calls themselves).
#[test]
fn usage_is_pure() {
    let files: Vec<PathBuf> = module_files("usage")
        .into_iter()
        .filter(|f| !f.ends_with("usage/cloudtrail.rs"))
        .collect();
    let found = uses(
        &files,
        &[
            "crate::state",
            "crate::account",
            "crate::worker",
            "crate::iam",
            "tokio",
            "std::fs",
        ],
    );
    assert!(found.is_empty(), "usage reaches out:\n{}", found.join("\n"));
}

/// Issue 35 item 2: sign-in untangled. `signin` knows nothing of the UI's
/// words (its prompt lives with the driver that answers it, in `app`), and
/// `iam` nothing of `signin` (it holds a session by a trait it owns); the
/// two meet in `connect`, above both.
#[test]
fn signin_and_iam_meet_only_in_connect() {
    let found = uses(
        &module_files("signin"),
        &[
            "crate::action",
            "crate::state",
            "crate::update",
            "crate::connect",
        ],
    );
    assert!(found.is_empty(), "signin reaches up:\n{}", found.join("\n"));
    let found = uses(
        &module_files("iam"),
        &[
            "crate::signin",
            "crate::connect",
            "crate::action",
            "crate::state",
        ],
    );
    assert!(found.is_empty(), "iam reaches up:\n{}", found.join("\n"));
}

/// Issue 35 item 4: nothing in `report` reaches into `enforce`, and the
/// pure rooms stay pure: `risk` and `publish/asff` do no IO.
#[test]
fn pure_rooms_stay_pure() {
    let found = uses(&module_files("report"), &["crate::enforce"]);
    assert!(
        found.is_empty(),
        "report reaches enforce:\n{}",
        found.join("\n")
    );
    let io = [
        "crate::worker",
        "crate::iam",
        "crate::state",
        "crate::account",
        "tokio",
        "std::fs",
        "aws_sdk",
    ];
    let found = uses(&module_files("risk"), &io);
    assert!(found.is_empty(), "risk reaches out:\n{}", found.join("\n"));
    let asff = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/publish/asff.rs")];
    let found = uses(&asff, &io);
    assert!(
        found.is_empty(),
        "publish/asff reaches out:\n{}",
        found.join("\n")
    );
}

/// Issue 35 item 3: each AWS service in its capability's room. `IamClient`
/// is IAM and STS again; CloudTrail and EC2's region list are `usage`'s
/// (`usage/cloudtrail.rs`), Secrets Manager and SSM the hand-off's
/// (`handoff/write.rs`), S3 the ledger's.
#[test]
fn each_service_in_its_room() {
    let iam_trait = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src/iam.rs")];
    let found = uses(
        &iam_trait,
        &["fn lookup_events", "fn enabled_regions", "fn hand_off"],
    );
    assert!(
        found.is_empty(),
        "IamClient does more than IAM and STS:\n{}",
        found.join("\n")
    );
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    for module in [
        "iam", "worker", "account", "enforce", "cmd", "org", "publish",
    ] {
        all.extend(module_files(module));
    }
    for (service, room) in [
        ("aws_sdk_secretsmanager", "handoff/write.rs"),
        ("aws_sdk_ssm", "handoff/write.rs"),
        ("aws_sdk_ec2", "usage/cloudtrail.rs"),
    ] {
        let found = uses(&all, &[service]);
        assert!(
            found.is_empty(),
            "{service} outside {}:\n{}",
            src.join(room).display(),
            found.join("\n")
        );
    }
}

/// Issue 35: no circle across rooms. Every top-level room of `src/` and the
/// rooms it names (`crate::<room>`, comments and unit-test files left
/// out); no set of rooms may reach one another round (Tarjan's strongly
/// connected components, each of one room). `scripts/rooms.py` prints the
/// same map.
#[test]
fn no_circle_across_rooms() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut rooms = BTreeSet::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name != "lib" && name != "main" {
            rooms.insert(name);
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for room in &rooms {
        for file in module_files(room) {
            let name = file.to_string_lossy();
            if name.ends_with("tests.rs") || name.ends_with("tests_support.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let text = text.split("\n#[cfg(test)]\nmod tests {").next().unwrap();
            for line in text.lines() {
                let code = line.split("//").next().unwrap_or("");
                for (at, _) in code.match_indices("crate::") {
                    let target: String = code[at + 7..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if rooms.contains(&target) && &target != room {
                        edges.entry(room.clone()).or_default().insert(target);
                    }
                }
            }
        }
    }
    // Which rooms each room reaches, then: any two that reach each other?
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(at) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let mut circles = Vec::new();
    for a in &rooms {
        for b in reach(a) {
            if a < &b && reach(&b).contains(a) {
                circles.push(format!("{a} <-> {b}"));
            }
        }
    }
    assert!(
        circles.is_empty(),
        "circles across rooms:\n{}",
        circles.join("\n")
    );
    // The scan sees arrows at all.
    assert!(edges.values().map(BTreeSet::len).sum::<usize>() > 100);
}
