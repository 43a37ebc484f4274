//! The local ledger: one file of JSON lines per account in a directory of
//! the data dir (`ledger/<account>.jsonl`), 0700/0600, no symlink followed.
//! An append takes the account's lock file (`flock`, so a UI and a cron
//! `apply` on one machine queue), reads the file, writes the old lines and
//! the new ones to a new file and renames it over the old: a reader sees the
//! whole before or the whole after, never half a line.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::{LedgerError, MAX_BYTES};

/// A ledger directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    pub dir: PathBuf,
}

fn io(place: &Path, err: &std::io::Error) -> LedgerError {
    LedgerError::failed(place.display().to_string(), err.to_string())
}

/// Refuse a path that is a symlink (or whose directory is one).
fn no_symlink(path: &Path) -> Result<(), LedgerError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(LedgerError::failed(
            path.display().to_string(),
            "is a symbolic link; the ledger follows none".to_owned(),
        )),
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(io(path, &err)),
    }
}

#[cfg(unix)]
fn open_options(write: bool) -> std::fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    // Never through a symlink, and never waiting on a FIFO (the file is
    // checked to be a regular one once open).
    options
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    if write {
        options.write(true).create(true).mode(0o600);
    }
    options
}

#[cfg(not(unix))]
fn open_options(write: bool) -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if write {
        options.write(true).create(true);
    }
    options
}

/// The account's lock, held until dropped.
struct Lock(std::fs::File);

impl Lock {
    fn take(path: &Path) -> Result<Self, LedgerError> {
        no_symlink(path)?;
        let file = open_options(true).open(path).map_err(|e| io(path, &e))?;
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: flock on a descriptor this function owns; it blocks
            // until the other holder (a process on this machine) lets go.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc != 0 {
                return Err(io(path, &std::io::Error::last_os_error()));
            }
        }
        Ok(Self(file))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: as in `take`; closing the file would release it too.
            unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
        }
    }
}

impl Local {
    fn file(&self, account: &str) -> PathBuf {
        self.dir.join(format!("{account}.jsonl"))
    }

    fn prepare(&self) -> Result<(), LedgerError> {
        no_symlink(&self.dir)?;
        crate::paths::private_dir(&self.dir).map_err(|e| io(&self.dir, &e))
    }

    /// The account's ledger as written (empty when there is none yet), and
    /// where it is.
    ///
    /// # Errors
    /// It cannot be read, is a symlink, or is larger than the ledger allows.
    pub fn read(&self, account: &str) -> Result<(String, String), LedgerError> {
        let path = self.file(account);
        let place = path.display().to_string();
        no_symlink(&self.dir)?;
        no_symlink(&path)?;
        let file = match open_options(false).open(&path) {
            Ok(file) => file,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok((String::new(), place));
            }
            Err(err) => return Err(io(&path, &err)),
        };
        match file.metadata() {
            Ok(meta) if meta.is_file() => {}
            Ok(_) => {
                return Err(LedgerError::malformed(
                    place,
                    "not a regular file".to_owned(),
                ));
            }
            Err(err) => return Err(io(&path, &err)),
        }
        let mut text = String::new();
        file.take(MAX_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| io(&path, &e))?;
        if text.len() as u64 > MAX_BYTES {
            return Err(LedgerError::malformed(
                place,
                format!("larger than {} MiB", MAX_BYTES >> 20),
            ));
        }
        Ok((text, place))
    }

    /// The accounts with a ledger here.
    ///
    /// # Errors
    /// The directory cannot be read, or is a symlink.
    pub fn accounts(&self) -> Result<Vec<String>, LedgerError> {
        no_symlink(&self.dir)?;
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(io(&self.dir, &err)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io(&self.dir, &e))?;
            let name = entry.file_name();
            if let Some(account) = name
                .to_str()
                .and_then(|n| n.strip_suffix(".jsonl"))
                .filter(|a| crate::model::is_account_id(a))
            {
                out.push(account.to_owned());
            }
        }
        out.sort();
        Ok(out)
    }

    /// Add lines to the account's ledger: under its lock, the whole file
    /// written anew beside it and renamed over it.
    ///
    /// # Errors
    /// The directory or file cannot be made, locked, read or written; a
    /// symlink stands where a file would.
    pub fn append(&self, account: &str, lines: &str) -> Result<String, LedgerError> {
        self.prepare()?;
        let _lock = Lock::take(&self.dir.join(format!("{account}.lock")))?;
        let (mut text, place) = self.read(account)?;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(lines);
        let path = self.file(account);
        let tmp = self.dir.join(format!(
            ".{account}.jsonl.{}.{:016x}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let written = (|| {
            let mut options = open_options(true);
            options.create_new(true);
            let mut file = options.open(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            if let Ok(dir) = std::fs::File::open(&self.dir) {
                let _ = dir.sync_all();
            }
            Ok::<_, std::io::Error>(())
        })();
        if let Err(err) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(&path, &err));
        }
        Ok(place)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_keep_every_line_and_modes_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let local = Local {
            dir: dir.path().join("ledger"),
        };
        assert_eq!(local.read("111111111111").unwrap().0, "");
        local.append("111111111111", "a\n").unwrap();
        local.append("111111111111", "b\n").unwrap();
        assert_eq!(local.read("111111111111").unwrap().0, "a\nb\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&local.dir), 0o700);
            assert_eq!(mode(&local.file("111111111111")), 0o600);
        }
    }

    /// A ledger directory, made, in a temporary directory.
    fn made_ledger() -> (tempfile::TempDir, Local) {
        let dir = tempfile::tempdir().unwrap();
        let local = Local {
            dir: dir.path().join("ledger"),
        };
        std::fs::create_dir(&local.dir).unwrap();
        (dir, local)
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_never_followed() {
        let (dir, local) = made_ledger();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "x\n").unwrap();
        std::os::unix::fs::symlink(&elsewhere, local.file("111111111111")).unwrap();
        assert!(local.read("111111111111").is_err());
        assert!(local.append("111111111111", "y\n").is_err());
        assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "x\n");
    }

    /// Issue 34 item 3: a ledger file that is a FIFO is refused at once,
    /// never waited on.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_at_once() {
        let (_dir, local) = made_ledger();
        assert!(
            std::process::Command::new("mkfifo")
                .arg(local.file("111111111111"))
                .status()
                .unwrap()
                .success()
        );
        let err = local.read("111111111111").unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn threads_appending_at_once_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let local = Local {
            dir: dir.path().join("ledger"),
        };
        std::thread::scope(|s| {
            for t in 0..4 {
                let local = &local;
                s.spawn(move || {
                    for i in 0..25 {
                        local.append("111111111111", &format!("{t}-{i}\n")).unwrap();
                    }
                });
            }
        });
        let (text, _) = local.read("111111111111").unwrap();
        assert_eq!(text.lines().count(), 100);
    }
}
