//! What `GetAccountAuthorizationDetails` says of users, groups and managed
//! policies, and each user's [`UserPolicies`] assembled from it: its own
//! attached and inline policies, its groups', and its permissions
//! boundary. A policy or group the answer does not carry is an unreadable
//! source (the user's level is then `unknown`), never left out.

use std::collections::{BTreeMap, HashMap};

use super::level::{Source, UserPolicies};

/// A managed policy attached to a user or group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub name: String,
    pub arn: String,
}

/// A user's part of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserAuth {
    pub name: String,
    pub attached: Vec<Attached>,
    /// Inline policies: name and document.
    pub inline: Vec<(String, String)>,
    pub groups: Vec<String>,
    /// The permissions boundary's policy ARN.
    pub boundary: Option<String>,
}

/// A group's part of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupAuth {
    pub name: String,
    pub attached: Vec<Attached>,
    pub inline: Vec<(String, String)>,
}

/// A managed policy and its default version's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    /// `None`: the answer has no default version document for it.
    pub document: Option<String>,
}

/// Every page of the answer, gathered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthDetails {
    pub users: Vec<UserAuth>,
    pub groups: Vec<GroupAuth>,
    pub policies: Vec<ManagedPolicy>,
}

impl AuthDetails {
    /// Add a page's users, groups and policies.
    pub fn extend(&mut self, page: Self) {
        self.users.extend(page.users);
        self.groups.extend(page.groups);
        self.policies.extend(page.policies);
    }
}

/// The policies AWS attaches to a user whose access key it found exposed
/// (it opens a support case too; which key leaked is said there, not in
/// IAM): the managed quarantine policies, and the inline policy of older
/// cases.
pub const QUARANTINE_MANAGED: [&str; 3] = [
    "AWSCompromisedKeyQuarantine",
    "AWSCompromisedKeyQuarantineV2",
    "AWSCompromisedKeyQuarantineV3",
];
pub const QUARANTINE_INLINE: &str = "AWSExposedCredentialPolicy_DO_NOT_REMOVE";

impl UserAuth {
    /// Whether AWS has quarantined this user's keys: the source of the
    /// `exposed_key_quarantined` finding.
    #[must_use]
    pub fn quarantined(&self) -> bool {
        self.quarantine().is_some()
    }

    /// The quarantine policy AWS attached to this user, if any (by name: a
    /// customer policy of the same name counts too, erring towards a
    /// finding).
    #[must_use]
    pub fn quarantine(&self) -> Option<&str> {
        self.attached
            .iter()
            .map(|a| a.name.as_str())
            .find(|name| QUARANTINE_MANAGED.contains(name))
            .or_else(|| {
                self.inline
                    .iter()
                    .map(|(name, _)| name.as_str())
                    .find(|name| *name == QUARANTINE_INLINE)
            })
    }
}

impl Attached {
    /// How a reason names it: an AWS managed policy by its name
    /// (`AdministratorAccess`); a customer policy by its ARN, so that one
    /// named like an AWS policy (`/custom/ReadOnlyAccess` granting `*`)
    /// never reads as AWS's.
    #[must_use]
    pub fn label(&self) -> String {
        let aws_managed = self
            .arn
            .split(':')
            .nth(4)
            .is_some_and(|account| account == "aws")
            && self.arn.split(':').nth(2) == Some("iam");
        if aws_managed {
            self.name.clone()
        } else {
            self.arn.clone()
        }
    }
}

/// Each user's policies, by user name.
#[must_use]
pub fn user_policies(details: &AuthDetails) -> BTreeMap<String, UserPolicies> {
    let policies: HashMap<&str, &ManagedPolicy> = details
        .policies
        .iter()
        .map(|p| (p.arn.as_str(), p))
        .collect();
    let groups: HashMap<&str, &GroupAuth> = details
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g))
        .collect();
    let managed = |via: String, arn: &str| Source {
        via,
        document: policies
            .get(arn)
            .and_then(|p| p.document.clone())
            .ok_or_else(|| format!("no document for {arn} in the answer")),
    };
    details
        .users
        .iter()
        .map(|user| {
            let mut sources: Vec<Source> = user
                .attached
                .iter()
                .map(|a| managed(a.label(), &a.arn))
                .collect();
            sources.extend(user.inline.iter().map(|(name, doc)| Source {
                via: format!("inline policy {name}"),
                document: Ok(doc.clone()),
            }));
            for group in &user.groups {
                match groups.get(group.as_str()) {
                    Some(g) => {
                        sources.extend(
                            g.attached
                                .iter()
                                .map(|a| managed(format!("group {group} → {}", a.label()), &a.arn)),
                        );
                        sources.extend(g.inline.iter().map(|(name, doc)| Source {
                            via: format!("group {group} → inline policy {name}"),
                            document: Ok(doc.clone()),
                        }));
                    }
                    None => sources.push(Source {
                        via: format!("group {group}"),
                        document: Err("the group is not in the answer".to_owned()),
                    }),
                }
            }
            let boundary = user.boundary.as_deref().map(|arn| {
                let name = arn.rsplit('/').next().unwrap_or(arn).to_owned();
                managed(name, arn)
            });
            (user.name.clone(), UserPolicies { sources, boundary })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::{Level, evaluate};

    const ADMIN: &str = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    const IAM: &str = r#"{"Statement":{"Effect":"Allow","Action":"iam:*","Resource":"*"}}"#;

    fn policy(name: &str, document: Option<&str>) -> ManagedPolicy {
        ManagedPolicy {
            arn: format!("arn:aws:iam::aws:policy/{name}"),
            name: name.to_owned(),
            document: document.map(ToOwned::to_owned),
        }
    }

    fn attached(name: &str) -> Attached {
        Attached {
            name: name.to_owned(),
            arn: format!("arn:aws:iam::aws:policy/{name}"),
        }
    }

    #[test]
    fn keys_aws_caught_are_seen_by_their_policies() {
        let mut user = UserAuth {
            name: "leaky".into(),
            ..UserAuth::default()
        };
        assert!(!user.quarantined());
        user.attached
            .push(attached("AWSCompromisedKeyQuarantineV2"));
        assert!(user.quarantined());
        let old = UserAuth {
            name: "older".into(),
            inline: vec![(QUARANTINE_INLINE.into(), "{}".into())],
            ..UserAuth::default()
        };
        assert!(old.quarantined());
        let lookalike = UserAuth {
            name: "x".into(),
            attached: vec![attached("AWSCompromisedKeyQuarantineV9")],
            ..UserAuth::default()
        };
        assert!(!lookalike.quarantined());
    }

    #[test]
    fn users_get_their_own_and_their_groups_policies() {
        let details = AuthDetails {
            users: vec![
                UserAuth {
                    name: "alice".into(),
                    attached: vec![attached("AdministratorAccess")],
                    ..UserAuth::default()
                },
                UserAuth {
                    name: "bob".into(),
                    groups: vec!["Admins".into()],
                    ..UserAuth::default()
                },
                UserAuth {
                    name: "carol".into(),
                    attached: vec![attached("AdministratorAccess")],
                    boundary: Some("arn:aws:iam::aws:policy/S3Only".into()),
                    ..UserAuth::default()
                },
                UserAuth {
                    name: "dave".into(),
                    groups: vec!["Gone".into()],
                    ..UserAuth::default()
                },
                UserAuth {
                    name: "erin".into(),
                    attached: vec![attached("Missing")],
                    ..UserAuth::default()
                },
            ],
            groups: vec![GroupAuth {
                name: "Admins".into(),
                attached: vec![attached("IAMFullAccess")],
                inline: Vec::new(),
            }],
            policies: vec![
                policy("AdministratorAccess", Some(ADMIN)),
                policy("IAMFullAccess", Some(IAM)),
                policy(
                    "S3Only",
                    Some(r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#),
                ),
                policy("Missing", None),
            ],
        };
        let users = user_policies(&details);
        let level = |name: &str| evaluate(&users[name]);
        assert_eq!(level("alice").level, Level::Admin);
        assert_eq!(level("alice").via, ["AdministratorAccess"]);
        let bob = level("bob");
        assert_eq!(
            (bob.level, bob.via.as_slice()),
            (
                Level::IamWrite,
                &["group Admins → IAMFullAccess".to_owned()][..]
            )
        );
        let carol = level("carol");
        assert_eq!(carol.level, Level::Limited);
        assert_eq!(carol.boundary.as_deref(), Some("capped by boundary S3Only"));
        assert_eq!(
            level("dave").level,
            Level::Unknown,
            "a group not in the answer"
        );
        assert_eq!(
            level("erin").level,
            Level::Unknown,
            "a policy without its document"
        );
    }
}
