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

/// How long one error line may grow.
const MAX: usize = 300;

/// An AWS SDK error on one line: the service's own code and message
/// (`AccessDeniedException: User … is not authorized …`), else the error
/// chain in its own words ([`text`]), cleaned of control characters and cut
/// at 300 characters — never the SDK's `Debug` dump.
#[must_use]
pub fn sdk<E>(
    err: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + Error + 'static,
{
    use aws_smithy_types::error::metadata::ProvideErrorMetadata as _;
    let line = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => {
            let status = err
                .raw_response()
                .map(|r| format!(" (HTTP {})", r.status().as_u16()))
                .unwrap_or_default();
            format!("{}{status}", text(err))
        }
    };
    let line = crate::text::clean(&line).replace(['\n', '\r'], " ");
    if line.chars().count() > MAX {
        let mut cut: String = line.chars().take(MAX).collect();
        cut.push('…');
        cut
    } else {
        line
    }
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
