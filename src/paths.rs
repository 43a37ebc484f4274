//! Where iamkeys keeps its files (the `directories` crate's platform dirs).

use std::path::PathBuf;

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
