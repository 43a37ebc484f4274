//! `GetAccountAuthorizationDetails` as the SDK gives it, read into
//! [`crate::risk::details::AuthDetails`]: users, groups and managed
//! policies with their documents, which IAM sends URL-encoded (RFC 3986).
//! A document that does not decode is kept as `None` (its users' level is
//! then `unknown`), never guessed.

use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::types::{AttachedPolicy, PolicyDetail};

use crate::risk::details::{Attached, AuthDetails, GroupAuth, ManagedPolicy, UserAuth};

/// A policy document as IAM sends it, decoded.
#[must_use]
pub fn decode(document: &str) -> Option<String> {
    percent_encoding::percent_decode_str(document)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

fn attached(list: &[AttachedPolicy]) -> Vec<Attached> {
    list.iter()
        .map(|a| Attached {
            name: a.policy_name().unwrap_or("?").to_owned(),
            arn: a.policy_arn().unwrap_or_default().to_owned(),
        })
        .collect()
}

fn inline(list: &[PolicyDetail]) -> Vec<(String, String)> {
    list.iter()
        .map(|p| {
            (
                p.policy_name().unwrap_or("?").to_owned(),
                // Undecodable or absent: an empty document, which does not
                // read as a policy, so the user's level is unknown.
                p.policy_document().and_then(decode).unwrap_or_default(),
            )
        })
        .collect()
}

/// One page of the answer: every user's tags, and the users, groups and
/// policies that decide their privileges, read in one pass over the users.
///
/// # Errors
/// A user without a name: nothing of the page is used.
pub fn page(
    out: &GetAccountAuthorizationDetailsOutput,
) -> Result<(Vec<crate::model::UserTags>, AuthDetails), &'static str> {
    let mut tags = Vec::new();
    let mut users = Vec::new();
    for u in out.user_detail_list() {
        let name = u.user_name().ok_or("a user without a name in the answer")?;
        tags.push((
            name.to_owned(),
            u.tags()
                .iter()
                .map(|t| (t.key().to_owned(), t.value().to_owned()))
                .collect(),
        ));
        users.push(UserAuth {
            name: name.to_owned(),
            attached: attached(u.attached_managed_policies()),
            inline: inline(u.user_policy_list()),
            groups: u.group_list().to_vec(),
            boundary: u
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn())
                .map(ToOwned::to_owned),
        });
    }
    let details = AuthDetails {
        users,
        groups: out
            .group_detail_list()
            .iter()
            .map(|g| GroupAuth {
                name: g.group_name().unwrap_or_default().to_owned(),
                attached: attached(g.attached_managed_policies()),
                inline: inline(g.group_policy_list()),
            })
            .collect(),
        policies: out
            .policies()
            .iter()
            .map(|p| ManagedPolicy {
                arn: p.arn().unwrap_or_default().to_owned(),
                name: p.policy_name().unwrap_or("?").to_owned(),
                // The default version's document only: other versions do
                // not apply.
                document: p
                    .policy_version_list()
                    .iter()
                    .find(|v| v.is_default_version())
                    .and_then(|v| v.document())
                    .and_then(decode),
            })
            .collect(),
    };
    Ok((tags, details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::types::{
        AttachedPermissionsBoundary, GroupDetail, ManagedPolicyDetail, PolicyVersion, UserDetail,
    };

    fn encoded(document: &str) -> String {
        percent_encoding::utf8_percent_encode(document, percent_encoding::NON_ALPHANUMERIC)
            .to_string()
    }

    #[test]
    fn a_page_reads_into_each_users_policies() {
        let admin = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        let out = GetAccountAuthorizationDetailsOutput::builder()
            .user_detail_list(
                UserDetail::builder()
                    .user_name("alice")
                    .group_list("Admins")
                    .user_policy_list(
                        PolicyDetail::builder()
                            .policy_name("deploy")
                            .policy_document(encoded(
                                r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
                            ))
                            .build(),
                    )
                    .permissions_boundary(
                        AttachedPermissionsBoundary::builder()
                            .permissions_boundary_arn("arn:aws:iam::aws:policy/AdministratorAccess")
                            .build(),
                    )
                    .build(),
            )
            .group_detail_list(
                GroupDetail::builder()
                    .group_name("Admins")
                    .attached_managed_policies(
                        AttachedPolicy::builder()
                            .policy_name("AdministratorAccess")
                            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
                            .build(),
                    )
                    .build(),
            )
            .policies(
                ManagedPolicyDetail::builder()
                    .policy_name("AdministratorAccess")
                    .arn("arn:aws:iam::aws:policy/AdministratorAccess")
                    .policy_version_list(
                        PolicyVersion::builder()
                            .version_id("v1")
                            .is_default_version(false)
                            .document(encoded(r#"{"Statement":[]}"#))
                            .build(),
                    )
                    .policy_version_list(
                        PolicyVersion::builder()
                            .version_id("v2")
                            .is_default_version(true)
                            .document(encoded(admin))
                            .build(),
                    )
                    .build(),
            )
            .is_truncated(false)
            .build();
        let (tags, details) = page(&out).unwrap();
        assert_eq!(tags, [("alice".to_owned(), Vec::new())]);
        assert_eq!(
            details.policies[0].document.as_deref(),
            Some(admin),
            "the default version"
        );
        let users = crate::risk::details::user_policies(&details);
        let alice = crate::risk::evaluate(&users["alice"]);
        assert_eq!(alice.level, crate::risk::Level::Admin);
        assert!(
            alice
                .via
                .contains(&"group Admins → AdministratorAccess".to_owned())
        );
        assert_eq!(decode("%7B%22a%22%3A1%7D").as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(decode("%FF"), None, "not UTF-8: no document");
    }
}
