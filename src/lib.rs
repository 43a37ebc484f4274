//! iamkeys: a terminal UI to audit and manage the access keys of AWS IAM users.
//!
//! The rooms, top to bottom (imports only go down; `tests/it/layers.rs`
//! keeps it so):
//! - **commands**: `run` (dispatch), `cmd/` (one file per subcommand,
//!   `start` for what they share), `app` (the UI's loop), `headless` (the
//!   drivers without a terminal, `plan`/`apply`/`notify` runs included).
//! - **the UI**: `ui` (render only reads), `update` (pure transitions),
//!   `state`, `keymap`, `command_line`, `layout`, `help`.
//! - **the work**: `account` (one AWS account as loaded), `audit` (the
//!   rules), `risk`, `report`, `enforce` (plan, apply, notify: pure), `publish`
//!   (Security Hub), `usage` (CloudTrail, pure), `ledger`, `handoff`, `org`.
//! - **IO**: `worker` (every call, paced and bound to its account), `iam`
//!   (the SDK), `signin`, `profiles`, `credentials_file`, `audit_log`,
//!   `config`, `bounded` (files read with a cap), `paths`, `logging`.
//! - **words**: `model`, `action`, `effect`, `text`, `secret`, `defaults`.

pub mod account;
pub mod action;
pub mod app;
pub mod audit;
pub mod audit_log;
pub mod bounded;
pub mod cli;
pub mod clipboard;
pub mod cmd;
pub mod command_line;
pub mod config;
pub mod connect;
pub mod console;
pub mod credentials_file;
pub mod defaults;
pub mod effect;
pub mod enforce;
pub mod error_chain;
pub mod handoff;
pub mod headless;
pub mod help;
pub mod iam;
pub mod keymap;
pub mod layout;
pub mod ledger;
pub mod logging;
pub mod model;
pub mod org;
pub mod paths;
pub mod profiles;
pub mod publish;
pub mod report;
pub mod risk;
pub mod run;
pub mod secret;
pub mod signin;
pub mod state;
pub mod text;
pub mod timings;
pub mod ui;
pub mod update;
pub mod usage;
pub mod worker;
