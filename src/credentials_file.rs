//! Appending a new key as a named profile to the AWS shared credentials file
//! (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`), mode 0600. An
//! existing profile of the same name is replaced only when asked twice.
//! Everything else in the file is kept byte for byte.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::action::SaveOutcome;
use crate::secret::Secret;

/// The credentials file the AWS CLI and SDKs read.
#[must_use]
pub fn default_path() -> Option<PathBuf> {
    crate::paths::aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

/// A profile name the file can hold.
///
/// # Errors
/// Empty, or with whitespace, brackets or `#`/`;`.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("The profile name is empty.".to_owned());
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '[' | ']' | '#' | ';' | '='))
    {
        return Err(format!(
            "`{name}` cannot be a profile name: no spaces, brackets, `#`, `;` or `=`."
        ));
    }
    Ok(())
}

fn header_name(line: &str) -> Option<&str> {
    let line = line.trim();
    line.strip_prefix('[')?.strip_suffix(']').map(str::trim)
}

/// The file's text without the named section (header to the next header).
fn without_section(text: &str, profile: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    let mut found = false;
    for line in text.split_inclusive('\n') {
        if let Some(name) = header_name(line) {
            skipping = name == profile;
            found |= skipping;
        }
        if !skipping {
            out.push_str(line);
        }
    }
    (out, found)
}

/// Add `[profile]` with the key to the file at `path`.
///
/// # Errors
/// The file or its directory cannot be read or written; the message names the path.
pub fn save(
    path: &Path,
    profile: &str,
    key_id: &str,
    secret: &Secret,
    overwrite: bool,
) -> Result<SaveOutcome, String> {
    check_profile_name(profile)?;
    let shown = path.display();
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("Cannot read {shown}: {e}")),
    };
    let (mut text, found) = without_section(&existing, profile);
    if found && !overwrite {
        return Ok(SaveOutcome::Exists);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push('\n');
    }
    for part in [
        "[",
        profile,
        "]\naws_access_key_id = ",
        key_id,
        "\naws_secret_access_key = ",
        secret.expose(),
        "\n",
    ] {
        text.push_str(part);
    }
    write_private(path, text.as_bytes()).map_err(|e| format!("Cannot write {shown}: {e}"))?;
    // The text held the secret: clear it before it is freed.
    zeroize::Zeroize::zeroize(&mut text);
    Ok(SaveOutcome::Saved {
        path: shown.to_string(),
    })
}

/// Write through a temporary file in the same directory (mode 0600), then
/// rename it over the target, so a failure never leaves half a file.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let name = path.file_name().map_or_else(
        || "credentials".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let temp = dir.join(format!(".{name}.iamkeys-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut file = options.open(&temp)?;
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

    fn secret() -> Secret {
        Secret::new("s3cr3t/EXAMPLE")
    }

    #[test]
    fn appends_keeps_the_rest_and_uses_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "# mine\n[default]\naws_access_key_id = AKIAOLD\n").unwrap();
        let out = save(&path, "new", "AKIANEW", &secret(), false).unwrap();
        assert!(matches!(out, SaveOutcome::Saved { .. }));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "# mine\n[default]\naws_access_key_id = AKIAOLD\n\n[new]\naws_access_key_id = AKIANEW\naws_secret_access_key = s3cr3t/EXAMPLE\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn an_existing_profile_is_kept_unless_overwrite_is_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let before = "[a]\nx = 1\n\n[b]\naws_access_key_id = AKIAB\n\n[c]\ny = 2\n";
        std::fs::write(&path, before).unwrap();
        assert_eq!(
            save(&path, "b", "AKIANEW", &secret(), false),
            Ok(SaveOutcome::Exists)
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            before,
            "nothing written"
        );
        save(&path, "b", "AKIANEW", &secret(), true).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("AKIAB"));
        assert!(text.contains("[a]\nx = 1\n") && text.contains("[c]\ny = 2\n"));
        assert!(text.ends_with(
            "[b]\naws_access_key_id = AKIANEW\naws_secret_access_key = s3cr3t/EXAMPLE\n"
        ));
    }

    #[test]
    fn missing_directories_are_created_and_bad_paths_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/.aws/credentials");
        save(&path, "p", "AKIA", &secret(), false).unwrap();
        assert!(path.exists());
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "").unwrap();
        let err = save(&blocked.join("credentials"), "p", "AKIA", &secret(), false).unwrap_err();
        assert!(err.contains("Cannot"), "{err}");
        assert!(check_profile_name("has space").is_err());
        assert!(check_profile_name("").is_err());
    }
}
