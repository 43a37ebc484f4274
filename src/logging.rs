//! Logs go to `<data dir>/iamkeys.log`, never to the terminal the UI draws on.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log file's name inside the data dir.
pub const LOG_FILE: &str = "iamkeys.log";

/// Start logging to `dir/iamkeys.log` at `level` (or `IAMKEYS_LOG`). Keep
/// the guard alive for the program's life: dropping it flushes the log.
///
/// # Errors
/// The directory cannot be created.
pub fn init(dir: &Path, level: &str) -> std::io::Result<(WorkerGuard, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let appender = tracing_appender::rolling::never(dir, LOG_FILE);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("IAMKEYS_LOG").unwrap_or_else(|_| {
        // The AWS SDK logs every request at debug; keep it at warn unless asked.
        EnvFilter::new(format!("warn,iamkeys={level}"))
    });
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    Ok((guard, dir.join(LOG_FILE)))
}
