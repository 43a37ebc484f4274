//! Integration tests, in one binary to keep link time down on small machines.
//! Each module is named by the layer it drives:
//!
//! - `update_*`: pure `update` transitions; `layers`: a scan of the sources;
//!   `docs`: a scan of the README and `docs/` (links that land).
//! - `render`: `TestBackend` snapshots (insta).
//! - `worker_*`: the real worker (and update loop) on in-memory accounts.
//! - `mock_*`: the SDK against scripted replies (pagination, faults, errors).
//! - `moto_*`: the SDK against moto's server on 127.0.0.1 (through the
//!   suite's proxy where moto lacks an API or a rule).
//! - `cli_*`: the real binary's commands (`report`, `plan`, `apply`,
//!   `notify`, `ledger`) against moto.
//! - `e2e_*`: the real binary in a pseudo-terminal (tmux).
//!
//! `common/` is the suite's own house: `home` (a home per run, `BIN`, one
//! `report` runner), `moto`, `proxy` and `hub` (what moto does not do),
//! `states`, `flows`, `screen`, `tmux`, `org`, `mocks`.

// Test helpers may panic (that is a failed test), and a flow test reads
// best as one long story.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]
// A lean build (`--no-default-features`) leaves out the tests of the
// integrations it lacks, and with them some helpers only they use.
#![cfg_attr(
    not(all(feature = "security-hub", feature = "handoff", feature = "notify")),
    allow(dead_code)
)]

mod cli_audit_truth;
mod cli_bad_input;
mod cli_credentials;
mod cli_enforce;
mod cli_files_and_logs;
mod cli_in_flight;
#[cfg(not(all(feature = "security-hub", feature = "handoff", feature = "notify")))]
mod cli_lean;
mod cli_ledger;
mod cli_org_report;
mod cli_plain;
mod cli_report;
mod cli_report_formats;
mod cli_retirement;
#[cfg(feature = "security-hub")]
mod cli_security_hub;
mod cli_signin;
mod cli_waivers;
mod cli_whois;
mod common;
mod docs;
mod e2e_change_safety;
mod e2e_lifecycle;
mod e2e_org;
mod e2e_signals;
mod e2e_tui;
mod layers;
mod mock_error_mapping;
mod mock_org_sdk;
mod mock_paging;
mod mock_sdk;
mod moto_analyzer;
mod moto_client;
mod moto_faults;
mod moto_faults_load;
mod moto_flows;
#[cfg(feature = "handoff")]
mod moto_handoff;
mod moto_load;
mod moto_privileges;
mod moto_profiles_multi;
mod moto_root_keys;
mod moto_usage_view;
mod render;
mod update_aws_verdicts;
mod update_credentials;
mod update_dialogs;
mod update_filter;
mod update_findings;
mod update_keys;
mod update_load;
mod update_marks;
mod update_org;
mod update_profiles;
mod update_root;
mod update_root_keys;
mod update_rotation;
mod update_sign_in;
mod update_whois;
mod worker_faults;
mod worker_headless;
mod worker_slot_match;
