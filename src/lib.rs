//! iamkeys: a terminal UI to audit and manage the access keys of AWS IAM users.
//!
//! The rooms by floor, top to bottom: each names only rooms on floors
//! below it, so no import climbs back up and no circle forms
//! (`tests/it/layers.rs` checks it; `python3 scripts/rooms.py` prints it).
//!
//! - commands: `run`, `cmd/` (one file per subcommand), `org`
//!   (`--org`'s reach), `headless/` (the drivers without a terminal), `app`
//!   (the UI's loop);
//! - the UI: `ui` (render only reads), `update` (pure transitions),
//!   `timings`, `state`;
//! - the work: `config`, `publish`, `cli`, `enforce` (pure), `report`,
//!   `worker` (every call), `account`, `audit_log`;
//! - words of the loop: `action`, `effect`;
//! - AWS: `connect`, `ledger`, `profiles`, `handoff`, `signin`, `usage`,
//!   `iam`;
//! - rules and words: `risk`, `help`, `audit`, `credentials_file`,
//!   `bounded`, `clipboard`, `error_chain`, `logging`, `model`,
//!   `command_line`, `console`, `defaults`, `keymap`, `layout`, `paths`,
//!   `secret`, `text`.

pub mod account;
pub mod action;
pub mod analyzer;
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
pub mod findings_view;
pub mod handoff;
pub mod headless;
pub mod help;
pub mod iam;
pub mod keymap;
pub mod layout;
pub mod ledger;
pub mod lines;
pub mod logging;
pub mod model;
pub mod org;
pub mod paths;
pub mod plain;
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
