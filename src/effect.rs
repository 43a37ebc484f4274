//! IO that `update` asks for, as data. The worker carries it out.

/// One IAM call (or a short, fixed sequence of them) to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `sts:GetCallerIdentity`.
    Identity,
    /// One page of `iam:ListUsers`.
    ListUsers { marker: Option<String> },
    /// `iam:GenerateCredentialReport` until complete (backing off), then `iam:GetCredentialReport`.
    CredentialReport,
    /// Every page of `iam:ListAccessKeys` for a user; `priority` skips the
    /// background queue (the user is on screen).
    ListKeys { user: String, priority: bool },
    /// `iam:GetAccessKeyLastUsed`.
    LastUsed { user: String, key_id: String },
    /// `iam:GetLoginProfile` and `iam:ListMFADevices` (credential report refused).
    UserDetails { user: String },
}

/// The output of `update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Run a call; its result comes back tagged with `generation`.
    Iam { generation: u64, call: Call },
    /// Leave the program.
    Quit,
}
