//! `[enforce]` and its `[[enforce.rule]]`s: which findings lead to which
//! action, narrowed by user and risk.

use serde::{Deserialize, Serialize};

use crate::audit::{FindingId, Severity};

/// What a rule does to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleAction {
    /// `iam:UpdateAccessKey` to Inactive (and the `inactive-since` tag).
    MakeInactive,
    /// `iam:DeleteAccessKey`, for keys that are already Inactive.
    Delete,
}

impl RuleAction {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MakeInactive => "make_inactive",
            Self::Delete => "delete",
        }
    }

    /// As people say it: `make inactive`, `delete`.
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Self::MakeInactive => "make inactive",
            Self::Delete => "delete",
        }
    }
}

/// One `[[enforce.rule]]`, as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A finding id (or its badge word).
    pub finding: String,
    pub action: RuleAction,
    /// Only users whose name matches this pattern (`*` and `?`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<String>,
    /// Only findings of this risk or worse (`low` … `critical`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_risk: Option<String>,
}

/// A rule read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRule {
    /// Its place in the config (1-based), to name it.
    pub number: usize,
    pub finding: FindingId,
    pub action: RuleAction,
    pub users: Option<String>,
    pub min_risk: Option<Severity>,
}

impl CheckedRule {
    /// Whether the rule speaks to this finding of this user at this risk
    /// (`None`: not known; a `min_risk` rule then applies, failing
    /// closed, as a risk not known ranks with the worst).
    #[must_use]
    pub fn covers(&self, finding: FindingId, user: &str, risk: Option<Severity>) -> bool {
        finding == self.finding
            && self
                .users
                .as_deref()
                .is_none_or(|pattern| crate::risk::policy::glob(pattern, user))
            && self
                .min_risk
                .is_none_or(|floor| risk.unwrap_or(Severity::Critical) >= floor)
    }

    /// `rule 2 (unused_key)`.
    #[must_use]
    pub fn name(&self) -> String {
        format!("rule {} ({})", self.number, self.finding)
    }
}

/// The rule the enforce tests share: `unused_key` keys made inactive, for
/// everyone, at any risk.
#[cfg(test)]
pub(crate) fn unused_keys_made_inactive() -> Vec<CheckedRule> {
    vec![CheckedRule {
        number: 1,
        finding: FindingId::UnusedKey,
        action: RuleAction::MakeInactive,
        users: None,
        min_risk: None,
    }]
}

/// `[enforce]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnforceSettings {
    /// Owners are told this long before an action is due.
    pub notice_days: u32,
    /// The user tag naming the owner; without it a key is `unowned`.
    pub owner_tag: String,
    /// `apply` stops after this many changes unless `--max-changes` says more.
    pub max_changes: usize,
    /// `apply` refuses a plan older than this.
    pub max_plan_age_hours: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rule: Vec<Rule>,
}

impl Default for EnforceSettings {
    fn default() -> Self {
        Self {
            notice_days: 7,
            owner_tag: "owner".to_owned(),
            max_changes: 10,
            max_plan_age_hours: 24,
            rule: Vec::new(),
        }
    }
}

impl EnforceSettings {
    /// The rules, checked.
    ///
    /// # Errors
    /// A rule names no finding iamkeys knows, or a risk that is not one, or
    /// deletes on a finding only Active keys have; or a limit is zero.
    pub fn rules(&self) -> Result<Vec<CheckedRule>, String> {
        if self.max_changes == 0 {
            return Err("[enforce] max_changes = 0: use 1 or more (default 10)".to_owned());
        }
        if self.max_plan_age_hours == 0 {
            return Err("[enforce] max_plan_age_hours = 0: use 1 or more (default 24)".to_owned());
        }
        if self.owner_tag.trim().is_empty() {
            return Err(
                "[enforce] owner_tag is empty: name the user tag that holds the owner".to_owned(),
            );
        }
        self.rule
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let number = i + 1;
                let finding = FindingId::parse_word(&rule.finding).ok_or_else(|| {
                    format!(
                        "[[enforce.rule]] {number}: finding = \"{}\" is not a finding id; use one of {}",
                        crate::text::clean(&rule.finding),
                        FindingId::ALL.map(FindingId::as_str).join(", ")
                    )
                })?;
                if !finding.is_key_level() {
                    return Err(format!(
                        "[[enforce.rule]] {number}: {finding} is about a user, not one key: no key to act on"
                    ));
                }
                let active_only = !matches!(finding, FindingId::InactiveKeyReadyToDelete);
                if rule.action == RuleAction::Delete && active_only {
                    return Err(format!(
                        "[[enforce.rule]] {number}: action = \"delete\" on {finding}, a finding of Active keys: delete acts on Inactive keys only (make them inactive first, then delete them as inactive_key_ready_to_delete)"
                    ));
                }
                if rule.action == RuleAction::MakeInactive && !active_only {
                    return Err(format!(
                        "[[enforce.rule]] {number}: action = \"make_inactive\" on {finding}: its keys are Inactive already"
                    ));
                }
                let min_risk = rule
                    .min_risk
                    .as_deref()
                    .map(|r| {
                        Severity::parse(r).filter(|s| *s > Severity::Info).ok_or_else(|| {
                            format!(
                                "[[enforce.rule]] {number}: min_risk = \"{}\" is not low, medium, high or critical",
                                crate::text::clean(r)
                            )
                        })
                    })
                    .transpose()?;
                Ok(CheckedRule {
                    number,
                    finding,
                    action: rule.action,
                    users: rule.users.clone(),
                    min_risk,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(rules: &str) -> EnforceSettings {
        #[derive(Deserialize)]
        struct Wrap {
            enforce: EnforceSettings,
        }
        toml::from_str::<Wrap>(&format!("[enforce]\n{rules}"))
            .unwrap()
            .enforce
    }

    #[test]
    fn rules_read_and_check() {
        let s = settings(
            r#"notice_days = 3
[[enforce.rule]]
finding = "unused"
action = "make_inactive"
users = "svc-*"
min_risk = "high"
[[enforce.rule]]
finding = "inactive_key_ready_to_delete"
action = "delete"
"#,
        );
        assert_eq!(s.notice_days, 3);
        assert_eq!(s.max_changes, 10);
        let rules = s.rules().unwrap();
        assert_eq!(rules[0].finding, FindingId::UnusedKey);
        assert_eq!(rules[0].min_risk, Some(Severity::High));
        assert!(rules[0].covers(FindingId::UnusedKey, "svc-ci", Some(Severity::High)));
        assert!(!rules[0].covers(FindingId::UnusedKey, "alice", Some(Severity::Critical)));
        assert!(!rules[0].covers(FindingId::UnusedKey, "svc-ci", Some(Severity::Medium)));
        assert!(
            rules[0].covers(FindingId::UnusedKey, "svc-ci", None),
            "a risk not known fails closed"
        );
        assert!(!rules[0].covers(FindingId::KeyNotRotated, "svc-ci", Some(Severity::High)));
        assert_eq!(rules[1].name(), "rule 2 (inactive_key_ready_to_delete)");
    }

    #[test]
    fn a_rule_that_cannot_be_kept_is_refused() {
        for (rule, says) in [
            (
                "finding = \"bogus\"\naction = \"delete\"",
                "not a finding id",
            ),
            (
                "finding = \"unused_key\"\naction = \"delete\"",
                "Inactive keys only",
            ),
            (
                "finding = \"retire\"\naction = \"make_inactive\"",
                "Inactive already",
            ),
            (
                "finding = \"multiple_active_keys\"\naction = \"make_inactive\"",
                "about a user",
            ),
            (
                "finding = \"unused_key\"\naction = \"make_inactive\"\nmin_risk = \"info\"",
                "min_risk",
            ),
        ] {
            let err = settings(&format!("[[enforce.rule]]\n{rule}\n"))
                .rules()
                .unwrap_err();
            assert!(err.contains(says), "{rule}: {err}");
        }
        let err = settings("max_changes = 0\n").rules().unwrap_err();
        assert!(err.contains("max_changes"), "{err}");
        assert!(
            toml::from_str::<toml::Value>("[enforce]\nbogus = 1").is_ok()
                && settings_err("bogus = 1").contains("unknown field")
        );
    }

    fn settings_err(text: &str) -> String {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Wrap {
            enforce: EnforceSettings,
        }
        toml::from_str::<Wrap>(&format!("[enforce]\n{text}"))
            .unwrap_err()
            .to_string()
    }

    /// Issue 36: a rule makes another credential inactive as it does an
    /// access key; none deletes one (no finding is of inactive ones).
    #[test]
    fn a_rule_makes_another_credential_inactive_and_never_deletes_one() {
        for finding in [
            "service_credential_no_expiry",
            "service_credential_not_rotated",
            "long_term_credential_old",
        ] {
            let s = settings(&format!(
                "[[enforce.rule]]\nfinding = \"{finding}\"\naction = \"make_inactive\"\n"
            ));
            assert_eq!(s.rules().unwrap().len(), 1, "{finding}");
            let s = settings(&format!(
                "[[enforce.rule]]\nfinding = \"{finding}\"\naction = \"delete\"\n"
            ));
            let err = s.rules().unwrap_err();
            assert!(err.contains("delete acts on Inactive keys only"), "{err}");
        }
    }
}
