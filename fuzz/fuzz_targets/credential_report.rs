//! The credential report CSV parser must never panic, whatever IAM (or a
//! proxy in between) sends.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = iamkeys::iam::credential_report::parse(data) {
        // Whatever parsed must be usable by the audit.
        for row in &parsed.rows {
            let _ = iamkeys::audit::input::report_keys(row);
        }
    }
});
