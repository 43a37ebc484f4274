//! Issue 15 end to end: `iamkeys --org` in tmux against an organization in
//! moto. The overview fills in (a refused role and a suspended account
//! said as such), Enter goes into a member, a key is made inactive there
//! through the member's role session, and the server is read back: the
//! member's key changed, the management account's did not.

use std::path::Path;

use aws_sdk_iam::types::StatusType;

use crate::common::home::{BIN, Home, WAIT};
use crate::common::moto::{Moto, seed, server_keys, user};
use crate::common::org::{close, member_iam, organization, root_key, root_keys_present};
use crate::common::proxy::{Proxy, Reply};
use crate::common::tmux::Tmux;

#[tokio::test(flavor = "multi_thread")]
async fn into_a_member_make_a_key_inactive_and_back() {
    let moto = Moto::start();
    let org = organization(&moto, &["alpha", "beta", "gamma"]).await;
    let alpha = org.id("alpha");
    let mgmt_keys = seed(&moto.iam().await, &[user("ops", false, vec![true])]).await;
    let alpha_iam = member_iam(&moto, &alpha).await;
    let alpha_keys = seed(&alpha_iam, &[user("ops", true, vec![true])]).await;
    let key = alpha_keys[0].1[0].clone();
    close(&moto, &org.id("gamma")).await;
    let proxy = Proxy::start(moto.port).await;
    proxy.on_role(
        &org.id("beta"),
        Reply::Denied("not authorized to perform: sts:AssumeRole".into()),
    );
    let home = Home::new(&proxy.endpoint());
    let tui = Tmux::start(
        Path::new(BIN),
        &["--org", "--profile", "e2e"],
        &home.env(),
        140,
        40,
    );
    let screen = tui.wait_for("every account settled", WAIT, |s| {
        s.contains("4 accounts: 2 audited · 1 failed · 1 skipped · 0 to go")
    });
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!("│{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}: {screen}"))
            .to_owned()
    };
    assert!(row("beta").contains("role denied"), "{screen}");
    assert!(row("gamma").contains("suspended: skipped"), "{screen}");
    assert!(row("alpha").contains("audited"), "{screen}");
    assert!(screen.contains("INCOMPLETE AUDIT"), "{screen}");

    // Into alpha (listed after the management account); past the root
    // row (first, as IAM's credential report always has it) to ops.
    tui.send(&["j", "Enter"]);
    tui.wait_for("alpha's users", WAIT, |s| {
        s.contains(&format!("account {alpha} (alpha)")) && s.contains("│  ops ")
    });
    tui.send(&["j"]);
    tui.wait_for("ops's key", WAIT, |s| s.contains(&key));
    tui.send(&["Tab", "i"]);
    let dialog = tui.wait_for("the confirmation", WAIT, |s| {
        s.contains("Make key inactive")
    });
    assert!(
        dialog.contains(&format!("In account {alpha} (alpha)")),
        "{dialog}"
    );
    assert!(dialog.contains("role session"), "{dialog}");
    tui.send(&["y"]);
    tui.wait_for("done", WAIT, |s| s.contains("is now Inactive"));

    // Read back through alpha's role: inactive. The management account's
    // own ops key (another user of the same name) is untouched.
    assert_eq!(
        server_keys(&alpha_iam, "ops").await,
        [(key.clone(), StatusType::Inactive)]
    );
    assert_eq!(
        server_keys(&moto.iam().await, "ops").await,
        [(mgmt_keys[0].1[0].clone(), StatusType::Active)]
    );
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    let last = audit.lines().last().unwrap();
    assert!(
        last.contains(&format!("\"account_id\":\"{alpha}\"")),
        "{last}"
    );
    assert!(
        last.contains(&format!(
            "arn:aws:sts::{alpha}:assumed-role/OrganizationAccountAccessRole/"
        )),
        "the role session is recorded: {last}"
    );

    // Esc: back on alpha's row.
    tui.send(&["Escape"]);
    let screen = tui.wait_for("the overview again", WAIT, |s| {
        s.contains("Accounts (4 of 4)")
    });
    let selected = screen
        .lines()
        .find(|l| l.contains("│alpha "))
        .unwrap()
        .to_owned();
    assert!(selected.contains("audited"), "{screen}");
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}

/// Issue 36: a member's root key deleted from the management account in
/// the TUI — `d` on alpha's root row, its account ID typed — then the
/// server read back through alpha's role: no root key left.
#[tokio::test(flavor = "multi_thread")]
async fn a_members_root_keys_are_deleted_from_the_management_account() {
    let moto = Moto::start();
    let org = organization(&moto, &["alpha"]).await;
    let alpha = org.id("alpha");
    let key = root_key(&moto, &alpha).await;
    let home = Home::new(&moto.endpoint());
    let tui = Tmux::start(
        Path::new(BIN),
        &["--org", "--profile", "e2e"],
        &home.env(),
        140,
        40,
    );
    tui.wait_for("every account settled", WAIT, |s| {
        s.contains("2 accounts: 2 audited") && s.contains("central root access on")
    });
    tui.send(&["j", "Enter"]);
    tui.wait_for("alpha's root row with its finding", WAIT, |s| {
        s.contains(&format!("account {alpha} (alpha)"))
            && s.contains("<root account>")
            && s.contains("root_access_key")
    });
    tui.send(&["g", "d"]);
    let dialog = tui.wait_for("the dialog", WAIT, |s| {
        s.contains("Delete root access keys")
    });
    assert!(
        dialog.contains("Root access keys: 1 active, 0 inactive"),
        "{dialog}"
    );
    assert!(
        dialog.contains(&format!("From the management account {}", org.management)),
        "{dialog}"
    );
    tui.send(&[alpha.as_str(), "Enter"]);
    let done = tui.wait_for("the deletion", WAIT, |s| {
        s.contains("root access keys were deleted")
    });
    assert!(done.contains(&key), "{done}");
    assert!(!root_keys_present(&moto, &alpha).await, "read back: gone");
    let audit = std::fs::read_to_string(home.path().join("data/iamkeys/audit.jsonl")).unwrap();
    let last = audit.lines().last().unwrap();
    assert!(last.contains("AssumeRoot:DeleteAccessKey"), "{last}");
    assert!(
        last.contains(&format!("\"account_id\":\"{alpha}\"")),
        "{last}"
    );
    tui.send(&["q"]);
    assert_eq!(tui.exit_status(WAIT), Some(0));
}
