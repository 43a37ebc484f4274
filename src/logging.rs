//! Logs go to `<data dir>/iamkeys.log`, never to the terminal the UI draws
//! on. The file is created 0600 in a 0700 directory (a looser existing mode
//! is tightened), and the AWS SDK's own events are capped whatever
//! `IAMKEYS_LOG` asks: its trace level prints whole signed requests, so its
//! crates log at debug at most, and request signing at info at most.

use std::path::{Path, PathBuf};

use tracing::{Level, Metadata};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{FilterExt, filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The log file's name inside the data dir.
pub const LOG_FILE: &str = "iamkeys.log";

/// Crates of the AWS SDK and its HTTP stack, and the most they may log.
const CAPS: [(&str, Level); 10] = [
    ("aws_sigv4", Level::INFO),
    ("aws_smithy", Level::DEBUG),
    ("aws_runtime", Level::DEBUG),
    ("aws_config", Level::DEBUG),
    ("aws_credential_types", Level::DEBUG),
    ("aws_sdk_", Level::DEBUG),
    ("hyper", Level::INFO),
    ("h2", Level::INFO),
    ("rustls", Level::INFO),
    ("mio", Level::INFO),
];

/// Whether an event or span passes the caps (iamkeys' own always do).
#[must_use]
pub fn within_caps(meta: &Metadata<'_>) -> bool {
    CAPS.iter()
        .find(|(prefix, _)| meta.target().starts_with(prefix))
        // `Level` orders TRACE as the greatest (most verbose).
        .is_none_or(|(_, cap)| meta.level() <= cap)
}

/// Create (or tighten) the log file 0600 in a 0700 directory.
fn prepare(dir: &Path) -> std::io::Result<PathBuf> {
    crate::paths::private_dir(dir)?;
    let path = dir.join(LOG_FILE);
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        let file = options.open(&path)?;
        let mode = file.metadata()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    options.open(&path)?;
    Ok(path)
}

/// The log file's writer: each event (one write of one line) as every sink
/// shows AWS's text ([`crate::text::clean`]); a line break inside an event
/// (a user name with `\n`) becomes a space, so no event forges another.
struct CleanWriter<W>(W);

impl<W: std::io::Write> std::io::Write for CleanWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, end) = match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (text.as_ref(), ""),
        };
        let spaced = body.replace(['\n', '\r'], " ");
        let line = format!("{}{end}", crate::text::clean(&spaced));
        self.0.write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Start logging to `dir/iamkeys.log` at `level` (or `IAMKEYS_LOG`). Keep
/// the guard alive for the program's life: dropping it flushes the log.
///
/// # Errors
/// The directory or the file cannot be created.
pub fn init(dir: &Path, level: &str) -> std::io::Result<(WorkerGuard, PathBuf)> {
    let path = prepare(dir)?;
    let appender = tracing_appender::rolling::never(dir, LOG_FILE);
    let (writer, guard) = tracing_appender::non_blocking(CleanWriter(appender));
    let filter = EnvFilter::try_from_env("IAMKEYS_LOG").unwrap_or_else(|_| {
        // The AWS SDK logs every request at debug; keep it at warn unless asked.
        EnvFilter::new(format!("warn,iamkeys={level}"))
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_filter(filter.and(filter_fn(within_caps)));
    // A second init (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::registry().with(layer).try_init();
    Ok((guard, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 24 item 4: what reaches the log is cleaned, one event a line.
    #[test]
    fn the_log_holds_no_escape_and_no_forged_line() {
        use std::io::Write as _;
        let mut out = CleanWriter(Vec::new());
        out.write_all(b"WARN user=x\x1b[2J\nINFO forged e\xe2\x80\xae\n")
            .unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(text, "WARN user=x[2J INFO forged e\u{FFFD}\n");
    }
}
