//! `iamkeys report --profiles A,B` / `--all-profiles`: each profile audited
//! on its own, a few at a time; one that fails is reported with its error
//! and the others complete. How a profile is connected is the caller's
//! (the program's entry point builds the clients).

use futures::StreamExt;
use futures::future::BoxFuture;

use crate::profiles::ProfileInfo;
use crate::report::Report;

/// Accounts audited at once.
pub const ACCOUNTS_AT_ONCE: usize = 4;

/// Audit `names` (each checked against the `known` profiles) with `audit`,
/// a few at a time, and merge the parts in profile order.
pub async fn audit_profiles<'a>(
    names: Vec<String>,
    known: &'a [ProfileInfo],
    audit: impl Fn(String) -> BoxFuture<'a, Result<Report, String>> + 'a,
) -> Vec<(String, Result<Report, String>)> {
    let audit = &audit;
    let mut parts: Vec<(String, Result<Report, String>)> =
        futures::stream::iter(names.into_iter().map(|name| async move {
            if !known.iter().any(|p| p.name == name) {
                let error = crate::profiles::unknown(&name, known);
                return (name, Err(error));
            }
            let result = audit(name.clone()).await;
            (name, result)
        }))
        .buffer_unordered(ACCOUNTS_AT_ONCE)
        .collect()
        .await;
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts
}
