//! Appending a new key as a named profile to the AWS shared credentials file
//! (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`), mode 0600. An
//! existing profile of the same name is replaced only when asked twice.
//! Everything else in the file is kept byte for byte.
//!
//! Section headers are recognised as aws-config reads them (`[name]` at the
//! start of a line, spaces and a trailing `#`/`;` comment allowed), the key
//! ID and secret are checked before a byte is written (a newline in a
//! hostile answer could otherwise add `credential_process`), a symlinked
//! file is written at its target (the link stays), under a lock, through a
//! temporary file with a random name.

use std::path::{Path, PathBuf};

use crate::secret::Secret;

/// What saving to the credentials file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved {
        path: String,
    },
    /// A profile of that name is there already; nothing was written.
    Exists,
}

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

/// The profile a line opens, as aws-config's parser reads it: a line that
/// starts with `[` (no indent: an indented line continues a value), with
/// any `#`/`;` comment and surrounding spaces or tabs removed.
fn header_name(line: &str) -> Option<&str> {
    if !line.starts_with('[') {
        return None;
    }
    let line = line.trim_end_matches(['\n', '\r']);
    let line = line.find(['#', ';']).map_or(line, |i| &line[..i]);
    let inner = line
        .trim_matches([' ', '\t'])
        .strip_prefix('[')?
        .strip_suffix(']')?;
    Some(inner.trim_matches([' ', '\t']))
}

/// An access key ID as IAM makes them.
fn check_key_id(key_id: &str) -> Result<(), String> {
    let ok = (16..=128).contains(&key_id.len())
        && key_id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err("The access key ID IAM sent is not one (16-128 capital letters and digits): nothing was written.".to_owned())
    }
}

/// A secret access key as IAM makes them (base64 characters only).
fn check_secret(secret: &Secret) -> Result<(), String> {
    let value = secret.expose();
    let ok = (16..=128).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '+' | '='));
    if ok {
        Ok(())
    } else {
        Err("The secret access key IAM sent has characters no secret has: nothing was written. Copy it from the dialog instead.".to_owned())
    }
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
    check_key_id(key_id)?;
    check_secret(secret)?;
    let shown = path.display();
    // A symlinked file (dotfiles managers) is written where it points.
    let target = resolve(path).map_err(|e| format!("Cannot follow {shown}: {e}"))?;
    let _lock = lock_dir(&target).map_err(|e| format!("Cannot lock {shown}: {e}"))?;
    let existing = crate::bounded::read(&target, "the credentials file", crate::bounded::AWS_FILE)
        .map_err(|e| format!("Cannot write the new key there: {e}"))?
        .unwrap_or_default();
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
    write_private(&target, text.as_bytes()).map_err(|e| format!("Cannot write {shown}: {e}"))?;
    // The text held the secret: clear it before it is freed.
    zeroize::Zeroize::zeroize(&mut text);
    Ok(SaveOutcome::Saved {
        path: shown.to_string(),
    })
}

/// Where a path points when it is a symlink (relative links resolved from
/// its directory, chains followed); the path itself otherwise.
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..16 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other("too many symlinks"))
}

/// Hold an exclusive lock on the file's directory while reading and
/// rewriting it, so two iamkeys never lose each other's profile.
fn lock_dir(target: &Path) -> std::io::Result<Option<std::fs::File>> {
    let dir = crate::paths::dir_of(target);
    crate::paths::private_dir(dir)?;
    #[cfg(unix)]
    {
        let handle = std::fs::File::open(dir)?;
        handle.lock()?;
        Ok(Some(handle))
    }
    #[cfg(not(unix))]
    Ok(None)
}

/// Write through a temporary file in the same directory (mode 0600), then
/// rename it over the target, so a failure never leaves half a file.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::paths::private_dir(crate::paths::dir_of(path))?;
    crate::paths::replace_file(path, bytes, Some(0o600))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> Secret {
        Secret::new("s3cr3t/EXAMPLEKEY+0123456789abcdefghijkl")
    }

    const KEY: &str = "AKIANEW000000000";

    #[test]
    fn appends_keeps_the_rest_and_uses_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "# mine\n[default]\naws_access_key_id = AKIAOLD\n").unwrap();
        let out = save(&path, "new", KEY, &secret(), false).unwrap();
        assert!(matches!(out, SaveOutcome::Saved { .. }));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "# mine\n[default]\naws_access_key_id = AKIAOLD\n\n[new]\naws_access_key_id = AKIANEW000000000\naws_secret_access_key = s3cr3t/EXAMPLEKEY+0123456789abcdefghijkl\n"
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
            save(&path, "b", KEY, &secret(), false),
            Ok(SaveOutcome::Exists)
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            before,
            "nothing written"
        );
        save(&path, "b", KEY, &secret(), true).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("AKIAB"));
        assert!(text.contains("[a]\nx = 1\n") && text.contains("[c]\ny = 2\n"));
        assert!(text.ends_with(
            "[b]\naws_access_key_id = AKIANEW000000000\naws_secret_access_key = s3cr3t/EXAMPLEKEY+0123456789abcdefghijkl\n"
        ));
    }

    #[test]
    fn missing_directories_are_created_and_bad_paths_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new/.aws/credentials");
        save(&path, "p", KEY, &secret(), false).unwrap();
        assert!(path.exists());
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "").unwrap();
        let err = save(&blocked.join("credentials"), "p", KEY, &secret(), false).unwrap_err();
        assert!(err.contains("Cannot"), "{err}");
        assert!(check_profile_name("has space").is_err());
        assert!(check_profile_name("").is_err());
    }

    /// Issue 13, item 8: headers as aws-config reads them.
    #[test]
    fn headers_with_comments_and_spaces_are_headers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let before =
            "[a]\nx = 1\n[b] ; old\naws_access_key_id = AKIAB\n[c] # prod\ny = 2\n[ d ]\nz = 3\n";
        std::fs::write(&path, before).unwrap();
        assert_eq!(
            save(&path, "b", KEY, &secret(), false),
            Ok(SaveOutcome::Exists),
            "`[b] ; old` is profile b"
        );
        assert_eq!(
            save(&path, "d", KEY, &secret(), false),
            Ok(SaveOutcome::Exists),
            "`[ d ]` is profile d"
        );
        save(&path, "b", KEY, &secret(), true).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[c] # prod\ny = 2\n"), "c survives: {text}");
        assert!(!text.contains("AKIAB"), "{text}");
    }

    /// Issue 13, item 8: what IAM sent is checked before it is written.
    #[test]
    fn a_hostile_key_id_or_secret_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let injected = "AKIANEW000000000\ncredential_process = /tmp/evil";
        assert!(save(&path, "p", injected, &secret(), false).is_err());
        let bad_secret = Secret::new("abcdefghijklmnop\ncredential_process = /tmp/evil");
        assert!(save(&path, "p", KEY, &bad_secret, false).is_err());
        assert!(!path.exists(), "nothing written");
    }

    /// Issue 13, item 8: a symlinked file stays a symlink; its target is
    /// written, and no temporary file is left behind.
    #[cfg(unix)]
    #[test]
    fn a_symlinked_file_is_written_at_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/aws-credentials");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "[default]\nx = 1\n").unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        let link = aws.join("credentials");
        std::os::unix::fs::symlink("../dotfiles/aws-credentials", &link).unwrap();
        save(&link, "p", KEY, &secret(), false).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link stays"
        );
        assert!(std::fs::read_to_string(&real).unwrap().contains("[p]"));
        let left: Vec<_> = std::fs::read_dir(real.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    /// Issue 13, item 8: writers at once (two iamkeys, or one saving twice)
    /// never lose each other's profile, and never collide on a temp file.
    #[test]
    fn concurrent_saves_keep_every_profile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "[default]\nx = 1\n").unwrap();
        std::thread::scope(|scope| {
            for i in 0..16 {
                let path = &path;
                scope.spawn(move || save(path, &format!("p{i}"), KEY, &secret(), false).unwrap());
            }
        });
        let text = std::fs::read_to_string(&path).unwrap();
        for i in 0..16 {
            assert!(text.contains(&format!("[p{i}]")), "p{i} lost: {text}");
        }
        assert!(text.starts_with("[default]\nx = 1\n"));
    }
}
