//! Shared test helpers: a moto server per test, SDK clients for it, seeding,
//! and states built from fixed data.

pub mod analyzer;
pub mod flows;
pub mod home;
pub mod hub;
pub mod mocks;
pub mod moto;
pub mod org;
pub mod proxy;
pub mod regions;
pub mod screen;
pub mod states;
pub mod tmux;

/// Issue 34 item 5: an error line says the service's code and message,
/// never the SDK's `Debug` dump, and stays short.
pub fn assert_no_debug_dump(text: &str) {
    for marker in [
        "ServiceError {",
        "Unhandled {",
        "source:",
        "raw: Response",
        "DispatchFailure",
        "ErrorMetadata {",
    ] {
        assert!(!text.contains(marker), "a Debug dump ({marker}): {text}");
    }
    for line in text.lines() {
        assert!(
            line.chars().count() <= 600,
            "{} characters: {line}",
            line.chars().count()
        );
    }
}
