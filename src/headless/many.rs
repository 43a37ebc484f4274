//! `iamkeys report --profiles A,B` / `--all-profiles`: each profile audited
//! on its own, a few at a time; one that fails is reported with its error
//! and the others complete. How a profile is connected is the caller's
//! (the program's entry point builds the clients).

use futures::StreamExt;
use futures::future::BoxFuture;

use crate::profiles::ProfileInfo;
use crate::report::{Part, Report};

/// Accounts audited at once.
pub const ACCOUNTS_AT_ONCE: usize = 4;

/// Run `audit` on `names` (each checked against the `known` profiles), a
/// few at a time, the results in profile order.
pub async fn audit_profiles<'a, T: Send + 'a>(
    names: Vec<String>,
    known: &'a [ProfileInfo],
    audit: impl Fn(String) -> BoxFuture<'a, Result<T, String>> + 'a,
) -> Vec<(String, Result<T, String>)> {
    let audit = &audit;
    in_profile_order(names.into_iter().map(|name| async move {
        if !known.iter().any(|p| p.name == name) {
            let error = crate::profiles::unknown(&name, known);
            return (name, Err(error));
        }
        let result = audit(name.clone()).await;
        (name, result)
    }))
    .await
}

/// Run `jobs` (each answering for a profile), [`ACCOUNTS_AT_ONCE`] at a
/// time; the answers in profile order.
pub async fn in_profile_order<T>(
    jobs: impl Iterator<Item = impl std::future::Future<Output = (String, T)>>,
) -> Vec<(String, T)> {
    let mut parts: Vec<(String, T)> = futures::stream::iter(jobs)
        .buffer_unordered(ACCOUNTS_AT_ONCE)
        .collect()
        .await;
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    parts
}

/// The profiles that reach one account, the first (in profile order) of
/// each standing for it: `(profile, Some(first))` for the others. A profile
/// whose account is not known (`None`) stands for itself.
#[must_use]
pub fn same_accounts(accounts: &[(String, Option<String>)]) -> Vec<(String, Option<String>)> {
    let mut first: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    accounts
        .iter()
        .map(|(profile, account)| {
            let same = account.as_deref().and_then(|id| {
                let by = *first.entry(id).or_insert(profile.as_str());
                (by != profile).then(|| by.to_owned())
            });
            (profile.clone(), same)
        })
        .collect()
}

/// A profile's part of the report: audited, failed, or the same account
/// as an earlier profile's (audited once, through that one).
#[must_use]
pub fn part(result: Result<Report, String>) -> Part {
    match result {
        Ok(report) => Part::Audited(Box::new(report)),
        Err(error) => Part::Failed(error),
    }
}

#[cfg(test)]
mod tests {
    use super::same_accounts;

    #[test]
    fn the_first_profile_of_an_account_stands_for_it() {
        let s = |v: &str| v.to_owned();
        let got = same_accounts(&[
            (s("a"), Some(s("1"))),
            (s("b"), Some(s("2"))),
            (s("c"), Some(s("1"))),
            (s("d"), None),
            (s("e"), None),
        ]);
        assert_eq!(
            got,
            [
                (s("a"), None),
                (s("b"), None),
                (s("c"), Some(s("a"))),
                (s("d"), None),
                (s("e"), None),
            ]
        );
    }
}
