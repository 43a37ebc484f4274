//! The config loader must answer any text with a config or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(config) = iamkeys::config::Config::parse(text, std::path::Path::new("fuzz.toml")) {
            let _ = config.keymap();
            let _ = config.posture(false);
            let _ = iamkeys::ui::Theme::default().with(&config.theme);
        }
    }
});
