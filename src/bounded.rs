//! Reading a file someone named (a flag, a variable, the config), bounded:
//! it must be a regular file, checked before it is opened and again on the
//! open file (a FIFO would block the open, `/dev/zero` would read without
//! end), opened without blocking, and read to at most a cap that fits the
//! real thing. Each error is one line naming the file, and the cap.

use std::io::Read as _;
use std::path::Path;

const MIB: u64 = 1024 * 1024;

/// The iamkeys config file: a few KB; an `[org]` list of thousands of
/// accounts stays far below.
pub const CONFIG: u64 = 4 * MIB;
/// The waivers file: 10,000 entries are about 3 MB.
pub const WAIVERS: u64 = 16 * MIB;
/// A plan: 100,000 actions are about 60 MB.
pub const PLAN: u64 = 256 * MIB;
/// A `--format json` report used as a baseline: 100,000 users with their
/// keys, other credentials and findings (each with its controls) are about
/// 210 MB (the demo's report is 2.1 KB a user; measured by
/// `cli_report_formats::a_report_of_100000_users_fits…`, which keeps a
/// quarter of the cap spare).
pub const REPORT: u64 = 320 * MIB;
/// An AWS config or credentials file: hundreds of profiles are well
/// under 1 MB.
pub const AWS_FILE: u64 = 16 * MIB;
/// A cached session or SSO token: under 4 KB.
pub const CACHE_ENTRY: u64 = MIB;

fn size(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{} MB", bytes / MIB)
    } else {
        format!("{} KB", bytes / 1024)
    }
}

/// Whether `path` names something other than a regular file (following
/// symlinks), as one line; `Ok(None)` when it is not there.
///
/// # Errors
/// It is not a regular file, cannot be examined, or is over `cap`.
pub fn check(path: &Path, what: &str, cap: u64) -> Result<Option<u64>, String> {
    let shown = crate::text::clean(&path.display().to_string()).into_owned();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {what} {shown}: {e}")),
    };
    if !meta.is_file() {
        return Err(format!("{what} {shown} is not a regular file"));
    }
    if meta.len() > cap {
        return Err(format!(
            "{what} {shown} is larger than {} (the most iamkeys reads of it)",
            size(cap)
        ));
    }
    Ok(Some(meta.len()))
}

/// Read `path` as UTF-8 text, bounded (see the module). `Ok(None)` when it
/// is not there.
///
/// # Errors
/// It is not a regular file, is over `cap`, cannot be read, or is not
/// UTF-8: one line naming `what` and the file.
pub fn read(path: &Path, what: &str, cap: u64) -> Result<Option<String>, String> {
    let shown = crate::text::clean(&path.display().to_string()).into_owned();
    if check(path, what, cap)?.is_none() {
        return Ok(None);
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Swapped for a FIFO since it was checked: the open does not wait.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {what} {shown}: {e}")),
    };
    // And checked again on what was opened.
    match file.metadata() {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(format!("{what} {shown} is not a regular file")),
        Err(e) => return Err(format!("cannot read {what} {shown}: {e}")),
    }
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what} {shown}: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(format!(
            "{what} {shown} is larger than {} (the most iamkeys reads of it)",
            size(cap)
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{what} {shown} is not UTF-8 text"))
}

/// [`read`] of a file that must be there.
///
/// # Errors
/// As [`read`], or it is not there.
pub fn read_required(path: &Path, what: &str, cap: u64) -> Result<String, String> {
    read(path, what, cap)?.ok_or_else(|| {
        format!(
            "cannot read {what} {}: no such file",
            crate::text::clean(&path.display().to_string())
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_fifos_and_big_files_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        for path in [fifo.as_path(), Path::new("/dev/zero"), dir.path()] {
            let err = read(path, "the plan", PLAN).unwrap_err();
            assert!(err.contains("is not a regular file"), "{err}");
            assert!(err.starts_with("the plan "), "{err}");
        }
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2048]).unwrap();
        let err = read(&big, "the config file", 1024).unwrap_err();
        assert!(err.contains("larger than 1 KB"), "{err}");
        std::fs::write(&big, b"\xff\xfe").unwrap();
        assert!(read(&big, "x", 1024).unwrap_err().contains("not UTF-8"));
        std::fs::write(&big, "ok").unwrap();
        assert_eq!(read(&big, "x", 1024).unwrap().as_deref(), Some("ok"));
        assert_eq!(read(&dir.path().join("none"), "x", 1024).unwrap(), None);
    }
}
