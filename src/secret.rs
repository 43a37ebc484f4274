//! A secret access key in memory: never in `Debug` output, compared without
//! exposing it, zeroized when the last copy is dropped (secrecy).

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A secret value. `Debug` prints `[REDACTED]`; the text is reachable only
/// through [`Secret::expose`], which the few places that must show, copy or
/// save it call by name.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret text. Call only to show it in its dialog, copy it to the
    /// clipboard, or write it to the credentials file.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose().as_bytes(), other.expose().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        let shown = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!shown.contains("wJalr"), "{shown}");
        assert_eq!(secret, secret.clone());
        assert_ne!(secret, Secret::new("other"));
    }
}
