//! An error and its sources, on one line in their own words.

use std::error::Error;

/// Each error of the source chain once, joined with `: ` (the AWS SDK's
/// `DisplayErrorContext` adds every error's `Debug` form, which can hold a
/// whole request).
#[must_use]
pub fn text(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = Some(err);
    while let Some(current) = source {
        let text = current.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = current.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    /// An error that repeats its source's words, as SDK errors often do.
    #[derive(Debug)]
    struct Repeats(std::io::Error);

    impl std::fmt::Display for Repeats {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "dispatch failure: {}", self.0)
        }
    }

    impl std::error::Error for Repeats {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn each_source_once_in_its_own_words() {
        let wrapped = crate::config::ConfigError::Read {
            path: "/x.toml".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert_eq!(
            super::text(&wrapped),
            "cannot read config file /x.toml: entity not found"
        );
        let repeated = Repeats(std::io::Error::other("connection refused"));
        assert_eq!(
            super::text(&repeated),
            "dispatch failure: connection refused"
        );
    }
}
