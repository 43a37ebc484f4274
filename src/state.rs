//! Everything the UI shows, as plain data. `update` changes it; `ui` reads it.

pub mod users;

use chrono::{DateTime, Utc};

pub use users::{KeysState, UserRow, Users};

use crate::iam::IamError;
use crate::keymap::Keymap;
use crate::model::{CredentialReport, Identity};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Users,
    Keys,
}

/// An overlay that takes keys before the main screen does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modal {
    Help,
    Error { title: String, message: String },
}

/// Where the credential report stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportStatus {
    Loading,
    Loaded(CredentialReport),
    /// Refused (`AccessDenied`): per-user calls fill in instead.
    Denied(IamError),
    Failed(IamError),
}

/// The caller identity as the header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityStatus {
    Loading,
    Known(Identity),
    Failed(IamError),
}

/// Where listing the users stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListStatus {
    Loading { pages: usize },
    Done { pages: usize },
    Failed(IamError),
}

/// What the session is connected to, fixed for a run of the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The profile name as shown (`default` when none was given).
    pub profile: String,
    pub demo: bool,
    pub read_only: bool,
}

/// The whole UI state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub session: Session,
    pub keymap: Keymap,
    /// Bumped by every (re)load; results of older generations are dropped.
    pub generation: u64,
    pub now: DateTime<Utc>,
    /// Spinner frame, advanced by ticks while calls are pending.
    pub spinner: usize,
    /// IAM calls requested in this generation and not answered yet.
    pub pending: usize,
    pub identity: IdentityStatus,
    pub list: ListStatus,
    pub report: ReportStatus,
    pub users: Users,
    pub focus: Focus,
    /// Selected row of the key pane.
    pub key_cursor: usize,
    pub modal: Option<Modal>,
    /// A one-line message for the status bar.
    pub notice: Option<String>,
    /// Terminal size, for page movement and scrolling.
    pub screen: (u16, u16),
    pub quitting: bool,
    /// Set when a worker task panicked: the program stops with this message.
    pub crash: Option<String>,
}

impl State {
    #[must_use]
    pub fn new(session: Session, keymap: Keymap, now: DateTime<Utc>) -> Self {
        Self {
            session,
            keymap,
            generation: 0,
            now,
            spinner: 0,
            pending: 0,
            identity: IdentityStatus::Loading,
            list: ListStatus::Loading { pages: 0 },
            report: ReportStatus::Loading,
            users: Users::default(),
            focus: Focus::Users,
            key_cursor: 0,
            modal: None,
            notice: None,
            screen: (120, 40),
            quitting: false,
            crash: None,
        }
    }

    /// The credential report, once loaded.
    #[must_use]
    pub fn credential_report(&self) -> Option<&CredentialReport> {
        match &self.report {
            ReportStatus::Loaded(report) => Some(report),
            _ => None,
        }
    }

    /// Rows of the user table that fit on the screen.
    #[must_use]
    pub fn list_height(&self) -> usize {
        usize::from(crate::ui::layout::user_rows(self.screen.0, self.screen.1))
    }
}
