//! Scripted SDK clients and plans shared by the tests that use
//! aws-smithy-mocks instead of moto.

use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::{mock, mock_client};
use iamkeys::headless::org::Plan;
use iamkeys::worker::Settings;

/// STS answering as `auditor` of account 123456789012.
pub fn sts() -> aws_sdk_sts::Client {
    let identity = mock!(aws_sdk_sts::Client::get_caller_identity).then_output(|| {
        GetCallerIdentityOutput::builder()
            .account("123456789012")
            .arn("arn:aws:iam::123456789012:user/auditor")
            .user_id("AIDAAUDITOR")
            .build()
    });
    mock_client!(aws_sdk_sts, [&identity])
}

/// An organization's audit plan: two accounts at once, every account
/// included.
pub fn org_plan() -> Plan<'static> {
    Plan {
        profile: "test".into(),
        thresholds: iamkeys::audit::Thresholds::default(),
        settings: Settings::default(),
        key_ids: false,
        accounts_at_once: 2,
        exclude: Box::new(|_| None),
    }
}
