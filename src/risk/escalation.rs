//! Known ways to more privilege without writing IAM itself: each a set of
//! actions that, all granted, let a principal act as a more privileged
//! role. One table, each row with where it is documented.

/// One combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Combination {
    /// Every action it needs.
    pub actions: &'static [&'static str],
    /// The actions must be granted on every resource (`*`), not one.
    pub on_everything: bool,
    /// Where it is documented.
    pub source: &'static str,
}

const RHINO: &str = "Rhino Security Labs, AWS IAM Privilege Escalation – Methods and Mitigation";

/// A combination on any resource, from [`RHINO`].
const fn rhino(actions: &'static [&'static str]) -> Combination {
    Combination {
        actions,
        on_everything: false,
        source: RHINO,
    }
}

/// The combinations, checked in this order.
pub const COMBINATIONS: &[Combination] = &[
    rhino(&["iam:PassRole", "ec2:RunInstances"]),
    rhino(&[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
    ]),
    rhino(&[
        "iam:PassRole",
        "lambda:CreateFunction",
        "lambda:CreateEventSourceMapping",
    ]),
    rhino(&["lambda:UpdateFunctionCode"]),
    rhino(&["iam:PassRole", "cloudformation:CreateStack"]),
    rhino(&[
        "iam:PassRole",
        "datapipeline:CreatePipeline",
        "datapipeline:PutPipelineDefinition",
    ]),
    rhino(&["iam:PassRole", "glue:CreateDevEndpoint"]),
    rhino(&["glue:UpdateDevEndpoint"]),
    Combination {
        actions: &["sts:AssumeRole"],
        on_everything: true,
        source: "any role whose trust policy names the account: assume it (PMapper's sts edge)",
    },
];

/// IAM writes that give the writer more permissions even when granted on
/// nothing but the writer itself (`user/${aws:username}`) or on a policy
/// already attached to it: one call attaches `AdministratorAccess` to
/// oneself (`PutUserPolicy`, `AttachUserPolicy`), joins an admin group
/// (`AddUserToGroup`), or rewrites an attached policy
/// (`CreatePolicyVersion`, `SetDefaultPolicyVersion`). Any of them granted
/// anywhere is at least `escalation`.
pub const SELF_ESCALATIONS: &[&str] = &[
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:AddUserToGroup",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:DeleteUserPermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
];

/// Where [`SELF_ESCALATIONS`] are documented.
pub const SELF_ESCALATION_SOURCE: &str = RHINO;

/// The actions that change identities (of others): any of them granted on
/// more than the user itself is `iam_write`.
pub const IAM_WRITES: &[&str] = &[
    "iam:CreateUser",
    "iam:CreateRole",
    "iam:CreateGroup",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:AddUserToGroup",
];
