//! Integration tests, in one binary to keep link time down on small machines.
//!
//! - `update_*`: pure `update` transitions.
//! - `render`: `TestBackend` snapshots (insta).
//! - `headless`: the real worker and update loop on the in-memory account.
//! - `sdk_mock`: aws-sdk-iam against scripted HTTP replies (pagination, faults).
//! - `moto_*`: aws-sdk-iam against moto's standalone server on 127.0.0.1.
//! - `e2e_*`: the real binary in a pseudo-terminal (tmux).

// Test helpers may panic (that is a failed test), and a flow test reads
// best as one long story.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

mod audit_truth;
mod bad_input;
mod common;
mod e2e_change_safety;
mod e2e_lifecycle;
mod e2e_org;
mod e2e_signals;
mod e2e_tui;
mod enforce;
mod error_mapping;
mod faults;
mod faults_load;
mod faults_moto;
mod files_and_logs;
mod handoff;
mod headless;
mod layers;
mod ledger;
mod moto_client;
mod moto_flows;
mod moto_load;
mod org_report;
mod org_sdk;
mod paging;
mod privileges;
mod profiles_multi;
mod render;
mod report_cli;
mod report_formats;
mod retirement;
mod sdk_mock;
mod security_hub;
mod signin;
mod slot_match;
mod update_dialogs;
mod update_filter;
mod update_findings;
mod update_keys;
mod update_load;
mod update_marks;
mod update_org;
mod update_profiles;
mod update_root;
mod update_rotation;
mod update_sign_in;
mod usage_view;
mod waivers;
