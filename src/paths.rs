//! Where iamkeys keeps its files (the `directories` crate's platform dirs).

use std::path::{Path, PathBuf};

use directories::ProjectDirs;

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "iamkeys")
}

/// `…/iamkeys/config.toml` in the platform config dir
/// (`$XDG_CONFIG_HOME/iamkeys/config.toml` or `~/.config/iamkeys/config.toml` on Linux).
#[must_use]
pub fn config_file() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The platform data dir (`$XDG_DATA_HOME/iamkeys` or `~/.local/share/iamkeys` on Linux),
/// where the log file lives.
#[must_use]
pub fn data_dir() -> Option<PathBuf> {
    dirs().map(|d| d.data_dir().to_owned())
}

/// `path` with a leading `~` (alone or before `/`) read as the home
/// directory, as a shell would; anything else as it is.
#[must_use]
pub fn expand_home(path: &Path) -> PathBuf {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_owned());
    expand_with(path, home.as_deref())
}

fn expand_with(path: &Path, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~"), home) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_owned(),
    }
}

/// An AWS shared file where aws-config looks for it: the path in `variable`
/// when set (a leading `~` is the home directory), else `~/.aws/<name>`.
#[must_use]
pub fn aws_file(variable: &str, name: &str) -> Option<PathBuf> {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().to_owned());
    match std::env::var_os(variable).filter(|v| !v.is_empty()) {
        Some(value) => Some(expand_with(Path::new(&value), home.as_deref())),
        None => home.map(|home| home.join(".aws").join(name)),
    }
}

/// Create a directory (and its parents) as only its owner may enter it
/// (0700); an existing one is left as it is.
///
/// # Errors
/// It cannot be created.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The directory a file lives in (`.` for a bare file name).
#[must_use]
pub fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Write `bytes` to `path` whole ([`replace_file`]): an existing file keeps
/// its mode, a new one is 0600 (an audit names users and keys).
///
/// # Errors
/// The file cannot be written.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    let mode = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map_or(0o600, |m| {
            std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o7777
        });
    #[cfg(not(unix))]
    let mode = 0o600;
    replace_file(path, bytes, Some(mode))
}

/// Replace `path` whole or not at all: the bytes go to a new file of a
/// random name beside it (`mode` on Unix, else the default), are synced,
/// and the file is renamed over `path`. On any failure the temporary file
/// is removed and `path` is as it was.
///
/// # Errors
/// The temporary file cannot be made, written or renamed.
pub fn replace_file(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = dir_of(path);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let random: String = std::iter::repeat_with(fastrand::alphanumeric)
        .take(12)
        .collect();
    let temp = dir.join(format!(".{name}.iamkeys-{random}"));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(mode) = mode {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut file = options.open(&temp)?;
        // The mode asked, whatever the umask would have made of it.
        #[cfg(unix)]
        if let Some(mode) = mode {
            file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let home = Some(Path::new("/home/op"));
        let at = |p: &str| expand_with(Path::new(p), home);
        assert_eq!(at("~/x.json"), Path::new("/home/op/x.json"));
        assert_eq!(at("~"), Path::new("/home/op"));
        assert_eq!(
            at("~bob/x"),
            Path::new("~bob/x"),
            "another user's: as it is"
        );
        assert_eq!(at("/tmp/~/x"), Path::new("/tmp/~/x"));
        assert_eq!(expand_with(Path::new("~/x"), None), Path::new("~/x"));
    }
}
