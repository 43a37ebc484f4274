//! iamkeys: a terminal UI to audit and manage the access keys of AWS IAM users.

pub mod action;
pub mod app;
pub mod audit;
pub mod audit_log;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod credentials_file;
pub mod effect;
pub mod error_chain;
pub mod headless;
pub mod iam;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod paths;
pub mod profiles;
pub mod report;
pub mod run;
pub mod secret;
pub mod state;
pub mod text;
pub mod timings;
pub mod ui;
pub mod update;
pub mod worker;
