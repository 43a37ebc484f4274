//! One guard for every paginated listing (IAM `Marker`, Organizations and
//! CloudTrail `NextToken`): a marker that comes back a second time, or more
//! pages than any real listing has, ends that listing with an error instead
//! of looping (re-listing and re-auditing for ever).

use std::collections::HashSet;

use super::{ErrorKind, IamError};

/// More pages than this is no real listing: 10,000 pages are 1,000,000 IAM
/// users (at 100 a page), 200,000 accounts, 500,000 CloudTrail events.
pub const MAX_PAGES: usize = 10_000;

/// The markers a listing has been given so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pages {
    seen: HashSet<String>,
    pages: usize,
}

impl Pages {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// After a page: the marker to ask the next page with, `None` at the
    /// end.
    ///
    /// # Errors
    /// The marker was given before, or the listing passed [`MAX_PAGES`]:
    /// a [`ErrorKind::Malformed`] error naming `action`.
    pub fn next(
        &mut self,
        action: &'static str,
        marker: Option<String>,
    ) -> Result<Option<String>, IamError> {
        self.pages += 1;
        let Some(marker) = marker else {
            return Ok(None);
        };
        if self.pages >= MAX_PAGES {
            return Err(IamError::new(
                ErrorKind::Malformed,
                action,
                format!("the listing went past {MAX_PAGES} pages: it is cut there"),
            ));
        }
        if !self.seen.insert(marker.clone()) {
            return Err(IamError::new(
                ErrorKind::Malformed,
                action,
                format!(
                    "the service repeated a page marker after {} pages: the listing is cut there, not followed round again",
                    self.pages
                ),
            ));
        }
        Ok(Some(marker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_marker_or_too_many_pages_end_the_listing() {
        let mut pages = Pages::new();
        assert_eq!(
            pages.next("iam:ListUsers", Some("a".into())),
            Ok(Some("a".into()))
        );
        assert_eq!(
            pages.next("iam:ListUsers", Some("b".into())),
            Ok(Some("b".into()))
        );
        let err = pages.next("iam:ListUsers", Some("a".into())).unwrap_err();
        assert_eq!(
            (err.kind, err.action),
            (ErrorKind::Malformed, "iam:ListUsers")
        );
        assert_eq!(Pages::new().next("x", None), Ok(None));
        let mut endless = Pages::new();
        let err = (0..)
            .map(|n| endless.next("x", Some(n.to_string())))
            .find_map(Result::err)
            .unwrap();
        assert!(err.detail.contains("10000 pages"), "{err:?}");
    }
}
