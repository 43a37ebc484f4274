//! The level of a user's policies: the highest of admin, IAM writes,
//! escalation, limited and none that applies; `unknown` when a document
//! could not be had or read (fail closed: it ranks like admin).

use super::escalation::{COMBINATIONS, IAM_WRITES, SELF_ESCALATIONS};
use super::policy::{Effect, Statement, parse};

/// What a user can do, from least to most (`Unknown` ranks with `Admin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    None,
    Limited,
    Escalation,
    IamWrite,
    Admin,
    /// The details were refused or a document did not read.
    Unknown,
}

impl Level {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Limited => "limited",
            Self::Escalation => "escalation",
            Self::IamWrite => "iam_write",
            Self::Admin => "admin",
            Self::Unknown => "unknown",
        }
    }
}

/// One policy a user has, named as the reason reads (`group Admins →
/// AdministratorAccess`, `inline policy deploy`), with its document or why
/// there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub via: String,
    pub document: Result<String, String>,
}

/// Every policy that applies to a user, and its permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserPolicies {
    pub sources: Vec<Source>,
    pub boundary: Option<Source>,
}

/// The result, as the report and the UI show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Privileges {
    pub level: Level,
    /// The policies that give it.
    pub via: Vec<String>,
    /// A grant behind the level has a `Condition`: it may not apply.
    pub conditional: bool,
    /// The permissions boundary, when it lowered the level.
    pub boundary: Option<String>,
}

impl Privileges {
    /// In words, as the UI shows it: `admin via AdministratorAccess
    /// (conditional) (capped by boundary …) · SCPs not evaluated`.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut text = self.level.as_str().to_owned();
        if !self.via.is_empty() {
            text.push_str(" via ");
            text.push_str(&self.via.join(", "));
        }
        if self.conditional {
            text.push_str(" (conditional)");
        }
        if let Some(boundary) = &self.boundary {
            text.push_str(" (");
            text.push_str(boundary);
            text.push(')');
        }
        text.push_str(" · SCPs not evaluated");
        text
    }
}

/// Documents read once per account: a managed policy attached to a
/// thousand users is parsed once.
#[derive(Debug, Default)]
pub struct Parsed {
    documents: std::collections::HashMap<String, Result<std::sync::Arc<Vec<Statement>>, String>>,
}

impl Parsed {
    fn get(&mut self, document: &str) -> Result<std::sync::Arc<Vec<Statement>>, String> {
        if let Some(known) = self.documents.get(document) {
            return known.clone();
        }
        let read = parse(document).map(std::sync::Arc::new);
        self.documents.insert(document.to_owned(), read.clone());
        read
    }
}

type Read<'a> = (&'a str, std::sync::Arc<Vec<Statement>>);

/// The statements of each source, or the first that did not read.
fn read<'a>(sources: &'a [Source], parsed: &mut Parsed) -> Result<Vec<Read<'a>>, String> {
    sources
        .iter()
        .map(|s| match &s.document {
            Ok(doc) => parsed
                .get(doc)
                .map(|st| (s.via.as_str(), st))
                .map_err(|e| format!("{}: {e}", s.via)),
            Err(why) => Err(format!("{}: {why}", s.via)),
        })
        .collect()
}

/// A source and the pattern in it that grants what the level rests on.
type Reason = (String, String);

/// How a reason reads: an inline policy's name says nothing of what it
/// grants, so the pattern follows it (`inline policy deploy: iam:*`); a
/// managed policy's name does (`AdministratorAccess`).
fn shown(reasons: Vec<Reason>) -> Vec<String> {
    // Each source once, in order, with the distinct patterns it grants by
    // (an escalation's every part: `iam:PassRole + lambda:CreateFunction`).
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (name, pattern) in reasons {
        match grouped.iter_mut().find(|(n, _)| *n == name) {
            Some((_, patterns)) if !patterns.contains(&pattern) => patterns.push(pattern),
            Some(_) => {}
            None => grouped.push((name, vec![pattern])),
        }
    }
    grouped
        .into_iter()
        .map(|(name, patterns)| {
            if name.contains("inline policy") {
                format!("{name}: {}", patterns.join(" + "))
            } else {
                name
            }
        })
        .collect()
}

/// On which resources a grant counts.
#[derive(Clone, Copy)]
enum Scope {
    /// Every resource (`*`).
    Everything,
    /// More than the caller's own user.
    BeyondSelf,
    /// Any resource at all, the caller itself included.
    Anywhere,
}

/// Whether `action` is granted on `scope`: some Allow covers it, and no
/// unconditional Deny on every resource does. Returns whether the grant is
/// conditional.
fn granted(all: &[Read<'_>], action: &str, scope: Scope) -> Option<(bool, Vec<Reason>)> {
    let denied = all.iter().flat_map(|(_, s)| s.iter()).any(|s| {
        s.effect == Effect::Deny
            && !s.conditional
            && s.resources.everything()
            && s.actions.covers(action)
    });
    if denied {
        return None;
    }
    let mut conditional = true;
    let mut via = Vec::new();
    for (name, statements) in all {
        for s in statements.iter() {
            let broad = match scope {
                Scope::Everything => s.resources.everything(),
                Scope::BeyondSelf => !s.only_self(),
                Scope::Anywhere => true,
            };
            if s.effect == Effect::Allow && broad && s.actions.covers(action) {
                conditional &= s.conditional;
                via.push(((*name).to_owned(), s.actions.shown_for(action).to_owned()));
            }
        }
    }
    (!via.is_empty()).then_some((conditional, via))
}

/// The level of a set of statements, with the sources behind it.
fn level_of(all: &[Read<'_>]) -> (Level, bool, Vec<String>) {
    // Admin: every action on every resource. A Deny lowers that only for
    // what it really denies: an admin stays admin unless an unconditional
    // Deny on every resource takes back every IAM write (with any one
    // left, the user can grant itself the rest). A Deny with a
    // `NotResource`, a condition, or that names nothing (`NotAction: *`)
    // takes back nothing here.
    let denied = |action: &str| {
        all.iter().flat_map(|(_, s)| s.iter()).any(|s| {
            s.effect == Effect::Deny
                && !s.conditional
                && s.resources.everything()
                && s.actions.covers(action)
        })
    };
    let iam_taken_back = IAM_WRITES.iter().all(|a| denied(a));
    let admin: Vec<(Reason, bool)> = all
        .iter()
        .flat_map(|(name, s)| s.iter().map(move |s| (*name, s)))
        .filter(|(_, s)| {
            s.effect == Effect::Allow && s.actions.everything() && s.resources.everything()
        })
        .map(|(name, s)| {
            (
                (name.to_owned(), s.actions.shown_for("*").to_owned()),
                s.conditional,
            )
        })
        .collect();
    if !admin.is_empty() && !iam_taken_back {
        let conditional = admin.iter().all(|(_, c)| *c);
        let via = shown(admin.into_iter().map(|(r, _)| r).collect());
        return (Level::Admin, conditional, via);
    }
    // IAM writes on others, then writes on oneself that grant oneself more
    // (escalation, whatever the `${aws:username}`).
    for (level, actions, scope) in [
        (Level::IamWrite, IAM_WRITES, Scope::BeyondSelf),
        (Level::Escalation, SELF_ESCALATIONS, Scope::Anywhere),
    ] {
        let found: Vec<(bool, Vec<Reason>)> = actions
            .iter()
            .filter_map(|a| granted(all, a, scope))
            .collect();
        if !found.is_empty() {
            return collect(level, found);
        }
    }
    for combination in COMBINATIONS {
        let scope = if combination.on_everything {
            Scope::Everything
        } else {
            Scope::BeyondSelf
        };
        let parts: Option<Vec<(bool, Vec<Reason>)>> = combination
            .actions
            .iter()
            .map(|a| granted(all, a, scope))
            .collect();
        if let Some(parts) = parts {
            return collect(Level::Escalation, parts);
        }
    }
    let allows: Vec<String> = all
        .iter()
        .filter(|(_, s)| s.iter().any(|s| s.effect == Effect::Allow))
        .map(|(n, _)| (*n).to_owned())
        .collect();
    if allows.is_empty() {
        (Level::None, false, Vec::new())
    } else {
        (Level::Limited, false, allows)
    }
}

fn collect(level: Level, parts: Vec<(bool, Vec<Reason>)>) -> (Level, bool, Vec<String>) {
    let conditional = parts.iter().all(|(c, _)| *c);
    let via = shown(parts.into_iter().flat_map(|(_, v)| v).collect());
    (level, conditional, via)
}

/// The level of a user's policies, capped by its permissions boundary.
#[must_use]
pub fn evaluate(user: &UserPolicies) -> Privileges {
    evaluate_with(user, &mut Parsed::default())
}

/// Every user's level, each document read once.
#[must_use]
pub fn evaluate_all(users: &[UserPolicies]) -> Vec<Privileges> {
    let mut parsed = Parsed::default();
    users
        .iter()
        .map(|u| evaluate_with(u, &mut parsed))
        .collect()
}

/// [`evaluate`] with documents already read.
pub fn evaluate_with(user: &UserPolicies, parsed: &mut Parsed) -> Privileges {
    let all = match read(&user.sources, parsed) {
        Ok(all) => all,
        Err(why) => {
            return Privileges {
                level: Level::Unknown,
                via: vec![format!("unreadable {why}")],
                conditional: false,
                boundary: None,
            };
        }
    };
    let (level, conditional, via) = level_of(&all);
    let Some(boundary) = &user.boundary else {
        return Privileges {
            level,
            via,
            conditional,
            boundary: None,
        };
    };
    let capped = match read(std::slice::from_ref(boundary), parsed) {
        Ok(bound) => level_of(&bound).0,
        Err(why) => {
            return Privileges {
                level: Level::Unknown,
                via: vec![format!("unreadable boundary {why}")],
                conditional,
                boundary: None,
            };
        }
    };
    if capped < level {
        Privileges {
            level: capped,
            via,
            conditional,
            boundary: Some(format!("capped by boundary {}", boundary.via)),
        }
    } else {
        Privileges {
            level,
            via,
            conditional,
            boundary: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(via: &str, document: &str) -> Source {
        Source {
            via: via.to_owned(),
            document: Ok(document.to_owned()),
        }
    }

    fn allow(action: &str, resource: &str) -> String {
        format!(r#"{{"Statement":[{{"Effect":"Allow","Action":{action},"Resource":{resource}}}]}}"#)
    }

    fn level(sources: Vec<Source>) -> Privileges {
        evaluate(&UserPolicies {
            sources,
            boundary: None,
        })
    }

    #[test]
    fn admin_directly_through_a_group_or_inline() {
        let p = level(vec![source(
            "AdministratorAccess",
            &allow(r#""*""#, r#""*""#),
        )]);
        assert_eq!(
            (p.level, p.via.as_slice(), p.conditional),
            (Level::Admin, &["AdministratorAccess".to_owned()][..], false)
        );
        let p = level(vec![source(
            "inline policy all",
            &allow(r#""*:*""#, r#"["*"]"#),
        )]);
        assert_eq!(p.level, Level::Admin);
    }

    #[test]
    fn iam_writes_but_not_self_service() {
        let p = level(vec![source(
            "group Admins → IAMFullAccess",
            &allow(r#""iam:*""#, r#""*""#),
        )]);
        assert_eq!(p.level, Level::IamWrite);
        assert_eq!(p.via, ["group Admins → IAMFullAccess"]);
        let own = level(vec![source(
            "inline policy self-service",
            &allow(
                r#""iam:CreateAccessKey""#,
                r#""arn:aws:iam::*:user/${aws:username}""#,
            ),
        )]);
        assert_eq!(own.level, Level::Limited, "{own:?}");
        let put = level(vec![source("p", &allow(r#"["iam:Put*Policy"]"#, r#""*""#))]);
        assert_eq!(put.level, Level::IamWrite);
        let not_resource = level(vec![source(
            "p",
            r#"{"Statement":{"Effect":"Allow","Action":"iam:CreateUser","NotResource":"arn:aws:iam::*:user/admin"}}"#,
        )]);
        assert_eq!(not_resource.level, Level::IamWrite);
    }

    #[test]
    fn read_only_is_limited_and_nothing_is_none() {
        let p = level(vec![source(
            "ReadOnlyAccess",
            &allow(r#"["iam:Get*","iam:List*","s3:Get*"]"#, r#""*""#),
        )]);
        assert_eq!(p.level, Level::Limited);
        assert_eq!(level(Vec::new()).level, Level::None);
        let deny_only = level(vec![source(
            "p",
            r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#,
        )]);
        assert_eq!(deny_only.level, Level::None);
    }

    #[test]
    fn escalation_across_policies_and_assume_role_on_everything() {
        let p = level(vec![
            source("inline policy pass", &allow(r#""iam:PassRole""#, r#""*""#)),
            source(
                "inline policy ec2",
                &allow(r#""ec2:RunInstances""#, r#""*""#),
            ),
        ]);
        assert_eq!(p.level, Level::Escalation);
        assert_eq!(
            p.via,
            [
                "inline policy pass: iam:PassRole",
                "inline policy ec2: ec2:RunInstances"
            ]
        );
        // One inline policy granting a whole combination names each part.
        let deploy = level(vec![source(
            "inline policy deploy",
            &allow(
                r#"["lambda:CreateFunction", "lambda:InvokeFunction", "iam:PassRole"]"#,
                r#""*""#,
            ),
        )]);
        assert_eq!(deploy.level, Level::Escalation);
        assert_eq!(deploy.via.len(), 1, "{:?}", deploy.via);
        for part in [
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ] {
            assert!(deploy.via[0].contains(part), "{:?}", deploy.via);
        }
        assert!(deploy.via[0].starts_with("inline policy deploy: "));
        let one_role = level(vec![source(
            "p",
            &allow(
                r#""sts:AssumeRole""#,
                r#""arn:aws:iam::123456789012:role/ops""#,
            ),
        )]);
        assert_eq!(one_role.level, Level::Limited);
        let any_role = level(vec![source("p", &allow(r#""sts:AssumeRole""#, r#""*""#))]);
        assert_eq!(any_role.level, Level::Escalation);
    }

    #[test]
    fn deny_lowers_only_what_it_clearly_covers() {
        let admin = allow(r#""*""#, r#""*""#);
        let deny_iam = r#"{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}"#;
        let p = level(vec![source("a", &admin), source("d", deny_iam)]);
        // No IAM at all, but Lambda's code can still be replaced.
        assert_eq!(p.level, Level::Escalation, "{p:?}");
        let conditional_deny = r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}}"#;
        let p = level(vec![source("a", &admin), source("d", conditional_deny)]);
        assert_eq!(p.level, Level::Admin, "a conditional Deny does not lower");
        let deny_one = r#"{"Statement":{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:user/root"}}"#;
        let p = level(vec![source("a", &admin), source("d", deny_one)]);
        assert_eq!(
            p.level,
            Level::Admin,
            "a Deny on one resource does not lower"
        );
    }

    #[test]
    fn not_action_and_conditions() {
        let power = level(vec![source(
            "PowerUserAccess",
            r#"{"Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}"#,
        )]);
        assert_eq!(power.level, Level::Escalation, "{power:?}");
        let conditional = level(vec![source(
            "p",
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}}"#,
        )]);
        assert_eq!(
            (conditional.level, conditional.conditional),
            (Level::Admin, true)
        );
    }

    #[test]
    fn a_boundary_caps_the_level() {
        let p = evaluate(&UserPolicies {
            sources: vec![source("AdministratorAccess", &allow(r#""*""#, r#""*""#))],
            boundary: Some(source("S3Only", &allow(r#""s3:*""#, r#""*""#))),
        });
        assert_eq!(p.level, Level::Limited);
        assert_eq!(p.boundary.as_deref(), Some("capped by boundary S3Only"));
        let wide = evaluate(&UserPolicies {
            sources: vec![source("p", &allow(r#""s3:*""#, r#""*""#))],
            boundary: Some(source("All", &allow(r#""*""#, r#""*""#))),
        });
        assert_eq!((wide.level, wide.boundary), (Level::Limited, None));
    }

    /// Issue 34 item 1: each way a level was talked down, with where the
    /// path is documented. Each failed before the fix.
    #[test]
    fn risk_cannot_be_talked_down() {
        let admin = allow(r#""*""#, r#""*""#);
        // Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
        // Mitigation", methods 5 and 7 (AttachUserPolicy, PutUserPolicy on
        // oneself): one call attaches AdministratorAccess to oneself.
        let self_put = level(vec![source(
            "inline policy self-service",
            &allow(
                r#"["iam:PutUserPolicy", "iam:AttachUserPolicy"]"#,
                r#""arn:aws:iam::*:user/${aws:username}""#,
            ),
        )]);
        assert_eq!(self_put.level, Level::Escalation, "{self_put:?}");
        assert!(
            self_put.via[0].contains("iam:PutUserPolicy"),
            "{self_put:?}"
        );
        // Rhino methods 1 and 2 (CreatePolicyVersion, SetDefaultPolicyVersion
        // on a policy attached to oneself); method 11 (AddUserToGroup).
        for action in [
            "iam:CreatePolicyVersion",
            "iam:SetDefaultPolicyVersion",
            "iam:AddUserToGroup",
        ] {
            let p = level(vec![source(
                "p",
                &allow(
                    &format!("\"{action}\""),
                    r#""arn:aws:iam::123456789012:user/${aws:username}""#,
                ),
            )]);
            assert!(p.level >= Level::Escalation, "{action}: {p:?}");
        }
        // `*${aws:username}*` reaches every user (and role) whose name holds
        // one's own: IAM writes on others.
        let around = level(vec![source(
            "p",
            &allow(r#""iam:*""#, r#""arn:aws:iam::*:user/*${aws:username}*""#),
        )]);
        assert_eq!(around.level, Level::IamWrite, "{around:?}");
        // AWS IAM User Guide, "Policy evaluation logic": a Deny removes only
        // what it matches. None of these takes back the IAM writes.
        for deny in [
            r#"{"Statement":{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Deny","Action":"iam:*","NotResource":"arn:aws:iam::*:user/x"}}"#,
            r#"{"Statement":{"Effect":"Deny","NotAction":"*","Resource":"*"}}"#,
            r#"{"Statement":{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}}"#,
        ] {
            let p = level(vec![
                source("AdministratorAccess", &admin),
                source("d", deny),
            ]);
            assert_eq!(p.level, Level::Admin, "{deny}: {p:?}");
        }
    }

    /// Issue 34 item 1: a reason names a customer policy by its ARN, and the
    /// level comes from its document, never its name.
    #[test]
    fn a_customer_policy_named_like_aws_reads_by_its_arn() {
        use crate::risk::details::{Attached, AuthDetails, ManagedPolicy, UserAuth, user_policies};
        let custom = "arn:aws:iam::123456789012:policy/custom/ReadOnlyAccess";
        let fake_admin = "arn:aws:iam::123456789012:policy/AdministratorAccess";
        let details = AuthDetails {
            users: vec![
                UserAuth {
                    name: "wide".into(),
                    attached: vec![Attached {
                        name: "ReadOnlyAccess".into(),
                        arn: custom.into(),
                    }],
                    ..UserAuth::default()
                },
                UserAuth {
                    name: "narrow".into(),
                    attached: vec![Attached {
                        name: "AdministratorAccess".into(),
                        arn: fake_admin.into(),
                    }],
                    ..UserAuth::default()
                },
            ],
            groups: Vec::new(),
            policies: vec![
                ManagedPolicy {
                    arn: custom.into(),
                    name: "ReadOnlyAccess".into(),
                    document: Some(allow(r#""*""#, r#""*""#)),
                },
                ManagedPolicy {
                    arn: fake_admin.into(),
                    name: "AdministratorAccess".into(),
                    document: Some(allow(r#""s3:GetObject""#, r#""*""#)),
                },
            ],
        };
        let users = user_policies(&details);
        let wide = evaluate(&users["wide"]);
        assert_eq!(
            (wide.level, wide.via.as_slice()),
            (Level::Admin, &[custom.to_owned()][..])
        );
        let narrow = evaluate(&users["narrow"]);
        assert_eq!(
            (narrow.level, narrow.via.as_slice()),
            (Level::Limited, &[fake_admin.to_owned()][..])
        );
    }

    #[test]
    fn what_cannot_be_read_is_unknown() {
        let p = level(vec![source("inline policy broken", "{not json")]);
        assert_eq!(p.level, Level::Unknown);
        assert!(p.via[0].contains("inline policy broken"), "{p:?}");
        let refused = level(vec![Source {
            via: "managed X".into(),
            document: Err("iam:GetPolicyVersion denied".into()),
        }]);
        assert_eq!(refused.level, Level::Unknown);
        assert!(
            Level::Unknown > Level::Admin,
            "unknown ranks with admin, first"
        );
    }
}
