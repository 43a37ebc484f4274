//! Integration tests, in one binary to keep link time down on small machines.
//! Each module by the layer it drives (most by name; the rest listed):
//!
//! - pure transitions: `update_*`; `layers` (a scan of the sources).
//! - rendering: `render` (`TestBackend` snapshots, insta).
//! - the worker and update loop: `headless`, `faults`, `slot_match`.
//! - the SDK against scripted replies: `sdk_mock`, `error_mapping`,
//!   `org_sdk`, `paging`.
//! - the SDK against moto (through the suite's proxy where moto lacks an
//!   API or a rule): `moto_*`, `faults_load`, `privileges`, `handoff`,
//!   `usage_view`, `profiles_multi`.
//! - the real binary against moto (`report`, `plan`, `apply`, `notify`,
//!   `ledger`): `report_cli`, `report_formats`, `audit_truth`, `org_report`,
//!   `security_hub`, `enforce`, `ledger`, `retirement`, `waivers`,
//!   `signin`, `bad_input`, `files_and_logs`.
//! - the real binary in a pseudo-terminal (tmux): `e2e_*`.
//!
//! `common/` is the suite's own house: `home` (a home per run, `BIN`, one
//! `report` runner), `moto`, `proxy` and `hub` (what moto does not do),
//! `states`, `flows`, `screen`, `tmux`, `org`, `mocks`.

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
