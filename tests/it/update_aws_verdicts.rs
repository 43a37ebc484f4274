//! Issue 37 item 2 in the UI: when an unused-access analyzer covers the
//! account, the key pane puts AWS's verdict beside each active key and the
//! console password; when it cannot be read, one line says so (never a
//! gap, never a line per key).

use iamkeys::action::{Action, Loaded};
use iamkeys::analyzer::UnusedAnalyzer;
use iamkeys::audit::aws_verdict::{AwsFinding, Subject};
use iamkeys::iam::{ErrorKind, IamError};
use iamkeys::model::KeyStatus;
use iamkeys::update::update;

use crate::common::flows::select_user;
use crate::common::screen::text;
use crate::common::states::{demo_loaded, now};

fn loaded(state: &iamkeys::state::State, result: iamkeys::action::AwsFindings) -> Action {
    Action::Loaded {
        generation: state.account.generation,
        result: Loaded::AwsFindings(result),
    }
}

#[tokio::test]
async fn the_key_pane_says_aws_verdict_beside_each_active_key() {
    let mut state = demo_loaded().await;
    // A user older than AWS's tracking period with an active key unused
    // for more than it: AWS calls it unused, and agrees.
    let (user, key) = state
        .account
        .users()
        .rows()
        .filter(|r| now() - r.user.created > chrono::TimeDelta::days(120))
        .find_map(|r| {
            r.audit_keys().into_iter().find_map(|k| {
                let used = k.last_used.clone()?;
                let idle = now() - used.date.or(k.created)?;
                (k.status == KeyStatus::Active && idle > chrono::TimeDelta::days(95))
                    .then(|| (r.user.name.clone(), k.id.clone().unwrap()))
            })
        })
        .expect("the demo has an old user's long-unused key");
    let found = vec![AwsFinding {
        user: user.clone(),
        subject: Subject::AccessKey(key.clone()),
        active: true,
        last_accessed: None,
        analyzed_at: Some(now()),
    }];
    let analyzer = UnusedAnalyzer {
        arn: "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused".into(),
        tracking_days: 90,
        organization: false,
    };
    let action = loaded(&state, Ok(Some((analyzer, found))));
    update(&mut state, action);
    select_user(&mut state, &user);
    let screen = text(&state, 120, 60);
    let at = screen.find(&key).expect("the key is on screen");
    assert!(
        screen[at..].contains("AWS: agrees (AWS: unused)"),
        "{screen}"
    );

    // Refused: one line in the user's details, no line under a key.
    let action = loaded(
        &state,
        Err(IamError::new(
            ErrorKind::AccessDenied,
            "access-analyzer:ListAnalyzers",
            "not authorized",
        )),
    );
    update(&mut state, action);
    let screen = text(&state, 120, 60);
    assert!(
        screen.contains("IAM Access Analyzer not read")
            && screen.contains("(access-analyzer:ListAnalyzers denied)"),
        "{screen}"
    );
    assert!(!screen.contains("AWS: "), "{screen}");
}
