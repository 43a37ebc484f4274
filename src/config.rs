//! The config file: `<config dir>/iamkeys/config.toml` or `--config PATH`.
//! Every setting is optional; `config.example.toml` documents each one.
//! Unknown keys are errors, so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::keymap::Keymap;

/// Settings for one named AWS profile (`[profiles.NAME]`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileSettings {
    /// Never send a mutating call while this profile is in use.
    #[serde(default)]
    pub read_only: bool,
    /// The UI's accent colour while this profile is in use: a colour name
    /// ("red", "lightblue") or "#rrggbb".
    #[serde(default)]
    pub accent: Option<String>,
}

/// Colours of the UI (`[theme]`): a colour name ("red", "lightblue",
/// "darkgray") or "#rrggbb" each. `NO_COLOR` turns every colour off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeColors {
    /// Focused borders, the title, the spinner.
    pub accent: Option<String>,
    /// Hints and secondary text.
    pub dim: Option<String>,
    /// Active keys.
    pub active: Option<String>,
    /// Inactive keys.
    pub inactive: Option<String>,
    /// Warnings and medium findings.
    pub warn: Option<String>,
    /// Errors, high and critical findings.
    pub error: Option<String>,
    /// The background of badges (DEMO, READ-ONLY, marks).
    pub badge: Option<String>,
}

impl ThemeColors {
    /// Each colour setting by name, as the file spells it.
    #[must_use]
    pub fn entries(&self) -> [(&'static str, Option<&String>); 7] {
        [
            ("accent", self.accent.as_ref()),
            ("dim", self.dim.as_ref()),
            ("active", self.active.as_ref()),
            ("inactive", self.inactive.as_ref()),
            ("warn", self.warn.as_ref()),
            ("error", self.error.as_ref()),
            ("badge", self.badge.as_ref()),
        ]
    }
}

/// `[keybindings]`: the main screen's commands, and `[keybindings.dialog]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Keybindings {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dialog: BTreeMap<String, Vec<String>>,
    #[serde(flatten)]
    pub commands: BTreeMap<String, Vec<String>>,
}

/// `[org]`: how `--org` reaches the organization's member accounts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrgSettings {
    /// The role assumed in each member (default `OrganizationAccountAccessRole`;
    /// `--org-role` overrides it).
    pub role: Option<String>,
    /// The `sts:ExternalId` the role's trust policy asks for, if any.
    pub external_id: Option<String>,
    /// The role session name (default `iamkeys-<caller name>`).
    pub session_name: Option<String>,
    /// Only these accounts (IDs or names); empty for all.
    pub accounts: Vec<String>,
    /// Never these accounts (IDs or names).
    pub exclude: Vec<String>,
    /// Make no change in any member account.
    pub read_only: bool,
    /// Per-account read-only overrides, by ID or name: `{ "111111111111" = false }`.
    pub read_only_accounts: BTreeMap<String, bool>,
    /// Accounts audited at once (1 to 64).
    pub accounts_at_once: Option<usize>,
}

impl OrgSettings {
    /// The role to assume, `--org-role` first.
    #[must_use]
    pub fn role(&self, flag: Option<&str>) -> String {
        flag.map(ToOwned::to_owned)
            .or_else(|| self.role.clone())
            .unwrap_or_else(|| crate::defaults::ORG_ROLE.to_owned())
    }

    /// Whether an account (by ID or name) is in the audited set.
    #[must_use]
    pub fn includes(&self, id: &str, name: &str) -> bool {
        self.excluded(id, name).is_none()
    }

    /// Why the config leaves an account out (`[org] exclude`, or not among
    /// `[org] accounts`), if it does. An account left out is still listed,
    /// as skipped with this reason: never dropped silently.
    #[must_use]
    pub fn excluded(&self, id: &str, name: &str) -> Option<&'static str> {
        let named = |list: &[String]| {
            list.iter()
                .any(|a| a == id || (!name.is_empty() && a == name))
        };
        if named(&self.exclude) {
            Some("excluded by config")
        } else if !self.accounts.is_empty() && !named(&self.accounts) {
            Some("not in [org] accounts")
        } else {
            None
        }
    }

    /// Every entry of `accounts`, `exclude` and `read_only_accounts`, with
    /// the list it is in.
    fn entries(&self) -> impl Iterator<Item = (&'static str, &String)> {
        self.accounts
            .iter()
            .map(|e| ("accounts", e))
            .chain(self.exclude.iter().map(|e| ("exclude", e)))
            .chain(
                self.read_only_accounts
                    .keys()
                    .map(|e| ("read_only_accounts", e)),
            )
    }

    /// The entries of `accounts`, `exclude` and `read_only_accounts` that
    /// matched a listed account by its name rather than its ID. A member's
    /// own admins can rename their account, so each is a warning that
    /// recommends the ID.
    ///
    /// # Errors
    /// A name that two listed accounts bear: which one is meant cannot be told.
    pub fn name_matches(
        &self,
        listed: &[crate::model::OrgAccount],
    ) -> Result<Vec<NameMatch>, String> {
        let mut warnings = Vec::new();
        for (list, entry) in self.entries() {
            if crate::model::is_account_id(entry) {
                continue;
            }
            let ids: Vec<&str> = listed
                .iter()
                .filter(|a| &a.name == entry)
                .map(|a| a.id.as_str())
                .collect();
            match ids.as_slice() {
                [] => {}
                [id] => warnings.push(NameMatch {
                    list,
                    name: entry.clone(),
                    id: (*id).to_owned(),
                }),
                many => {
                    return Err(format!(
                        "[org] {list} names `{entry}`, which is the name of {} accounts ({}): write the account ID instead",
                        many.len(),
                        many.join(", ")
                    ));
                }
            }
        }
        Ok(warnings)
    }

    /// The entries of `accounts`, `exclude` and `read_only_accounts` that
    /// are neither an account ID nor the name of a listed account: a typo
    /// that would silently protect nothing. `listed` must be the whole
    /// organization.
    ///
    /// # Errors
    /// The first such entry, in one line.
    pub fn unmatched_names(&self, listed: &[crate::model::OrgAccount]) -> Result<(), String> {
        for (list, entry) in self.entries() {
            if !crate::model::is_account_id(entry) && !listed.iter().any(|a| &a.name == entry) {
                return Err(format!(
                    "[org] {list} names `{}`, which is neither an account ID nor the name of an account of the organization: fix it (an ID is best) and run again",
                    crate::text::clean(entry)
                ));
            }
        }
        Ok(())
    }

    /// Whether changes in this account are refused (`read_only`, with
    /// per-account overrides by ID, then by name).
    #[must_use]
    pub fn read_only_for(&self, id: &str, name: &str) -> bool {
        self.read_only_accounts
            .get(id)
            .or_else(|| self.read_only_accounts.get(name))
            .copied()
            .unwrap_or(self.read_only)
    }
}

/// An `[org]` entry that matched an account by its name, not its ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// `accounts`, `exclude` or `read_only_accounts`.
    pub list: &'static str,
    pub name: String,
    pub id: String,
}

impl NameMatch {
    /// A status-bar line.
    #[must_use]
    pub fn short(&self) -> String {
        format!("[org] `{}`: use the ID {}", self.name, self.id)
    }
}

impl std::fmt::Display for NameMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[org] {} names `{}`, which matched account {} by its name: the account's own admins can rename it; write the ID {} instead",
            self.list, self.name, self.id, self.id
        )
    }
}

/// Per-profile rules: which profiles are read-only and their accent colours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Posture {
    /// Every profile is read-only (`--read-only` or `read_only = true`).
    pub all_read_only: bool,
    pub read_only: std::collections::BTreeSet<String>,
    /// Colour names or `#rrggbb`, by profile.
    pub accents: std::collections::BTreeMap<String, String>,
}

impl Posture {
    #[must_use]
    pub fn read_only(&self, profile: &str) -> bool {
        self.all_read_only || self.read_only.contains(profile)
    }
}

/// The whole config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Profile used when neither `--profile` nor `AWS_PROFILE` is given.
    pub default_profile: Option<String>,
    /// Never send a mutating call, whatever the profile.
    pub read_only: bool,
    /// Per-user IAM calls running at once in the background.
    pub concurrency: usize,
    /// Attempts per IAM request, the first included (SDK standard retry).
    pub max_attempts: u32,
    /// Seconds before one attempt of a request is abandoned.
    pub request_timeout_secs: u64,
    /// Log level for the log file: error, warn, info, debug or trace.
    pub log_level: String,
    /// The audit log of changes (JSON lines); default `<data dir>/audit.jsonl`.
    pub audit_log: Option<PathBuf>,
    /// Audit thresholds (`[audit]`).
    pub audit: crate::audit::Thresholds,
    /// UI colours.
    pub theme: ThemeColors,
    /// Key bindings: command name = list of keys; `[keybindings.dialog]`
    /// for the keys that answer dialogs.
    pub keybindings: Keybindings,
    /// Per-profile settings.
    pub profiles: BTreeMap<String, ProfileSettings>,
    /// AWS Organizations (`--org`).
    pub org: OrgSettings,
    /// Where `u` looks for a key's CloudTrail events; empty: the profile's
    /// region and `us-east-1`; `"all"`: the account's enabled regions.
    pub cloudtrail_regions: CloudTrailRegions,
    /// At most this many events per region for one key.
    pub cloudtrail_max_events: usize,
    /// Signing in (`[aws]`).
    pub aws: AwsSettings,
    /// Plan and apply (`[enforce]`, `[[enforce.rule]]`).
    pub enforce: crate::enforce::EnforceSettings,
    /// Where `iamkeys notify` sends owners' notices (`[notify]`).
    pub notify: crate::enforce::notify::NotifySettings,
    /// Where the ledger is (`[ledger]`).
    pub ledger: LedgerSettings,
}

pub use crate::ledger::Settings as LedgerSettings;

/// `cloudtrail_regions`: a list of regions, or `"all"` (the account's
/// enabled regions, `account:ListRegions`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(try_from = "RegionsText", into = "RegionsText")]
pub enum CloudTrailRegions {
    /// These regions.
    List(Vec<String>),
    /// None named (`[]`, the default): the profile's region and `us-east-1`.
    #[default]
    Profile,
    /// `"all"`: every region enabled for the account.
    All,
}

/// How `cloudtrail_regions` is written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RegionsText {
    List(Vec<String>),
    Word(String),
}

impl TryFrom<RegionsText> for CloudTrailRegions {
    type Error = String;
    fn try_from(text: RegionsText) -> Result<Self, String> {
        match text {
            RegionsText::List(list) if list.is_empty() => Ok(Self::Profile),
            RegionsText::List(list) => Ok(Self::List(list)),
            RegionsText::Word(word) if word == "all" => Ok(Self::All),
            RegionsText::Word(word) => Err(format!(
                "cloudtrail_regions = {word:?}: give a list of regions, or \"all\""
            )),
        }
    }
}

impl From<CloudTrailRegions> for RegionsText {
    fn from(regions: CloudTrailRegions) -> Self {
        match regions {
            CloudTrailRegions::List(list) => Self::List(list),
            CloudTrailRegions::Profile => Self::List(Vec::new()),
            CloudTrailRegions::All => Self::Word("all".to_owned()),
        }
    }
}

/// `[aws]`: how iamkeys signs in where aws-config does not (MFA).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AwsSettings {
    /// Keep sessions got with an MFA code in the AWS CLI's cache
    /// (`~/.aws/cli/cache`), so a code typed in either serves both.
    pub session_cache: bool,
}

impl Default for AwsSettings {
    fn default() -> Self {
        Self {
            session_cache: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            default_profile: None,
            read_only: false,
            concurrency: crate::defaults::CONCURRENCY,
            max_attempts: crate::defaults::MAX_ATTEMPTS,
            request_timeout_secs: crate::defaults::REQUEST_TIMEOUT_SECS,
            log_level: "info".to_owned(),
            audit_log: None,
            audit: crate::audit::Thresholds::default(),
            theme: ThemeColors::default(),
            keybindings: Keybindings::default(),
            profiles: BTreeMap::new(),
            org: OrgSettings::default(),
            cloudtrail_regions: CloudTrailRegions::default(),
            cloudtrail_max_events: crate::defaults::CLOUDTRAIL_MAX_EVENTS,
            aws: AwsSettings::default(),
            enforce: crate::enforce::EnforceSettings::default(),
            notify: crate::enforce::notify::NotifySettings::default(),
            ledger: LedgerSettings::default(),
        }
    }
}

/// A config file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The io error is the source: the one-line report prints it after the path.
    #[error("cannot read config file {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is invalid: {message}")]
    Invalid { path: PathBuf, message: String },
    /// Not a regular file, too big, not UTF-8 (see [`crate::bounded`]).
    #[error("{0}")]
    Unreadable(String),
}

/// A TOML error on one line: "line 3, column 16: invalid type: …" (the
/// toml crate's own text spans five lines with a source excerpt).
fn one_line(text: &str, err: &toml::de::Error) -> String {
    let message = err
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match err.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            // The line itself names the key a type error is about.
            let source: String = text
                .lines()
                .nth(line - 1)
                .unwrap_or("")
                .trim()
                .chars()
                .filter(|c| !c.is_control())
                .take(60)
                .collect();
            if source.is_empty() {
                format!("line {line}, column {column}: {message}")
            } else {
                format!("line {line}, column {column} (`{source}`): {message}")
            }
        }
        None => message,
    }
}

const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

impl Config {
    /// Parse config text; `path` only names the file in errors.
    ///
    /// # Errors
    /// TOML syntax, unknown keys, wrong types (with line and key), bad values.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_owned(),
            message,
        };
        if let Ok(table) = text.parse::<toml::Table>()
            && table
                .get("audit")
                .and_then(toml::Value::as_table)
                .is_some_and(|audit| audit.contains_key("waiver_approvers"))
        {
            return Err(invalid(
                "[audit] waiver_approvers is gone: waivers are honoured only from the ledger (W, or iamkeys ledger waive; tags are claims, moved in with iamkeys ledger import-tags) — remove the line and see docs/ledger.md".to_owned(),
            ));
        }
        let config: Self = toml::from_str(text).map_err(|e| invalid(one_line(text, &e)))?;
        if let Some(location) = &config.ledger.location {
            crate::ledger::Location::parse(location).map_err(invalid)?;
        }
        if let Some(n) = config.org.accounts_at_once
            && !(1..=64).contains(&n)
        {
            return Err(invalid(format!(
                "[org] accounts_at_once = {n} is out of range: use 1 to 64"
            )));
        }
        if config.cloudtrail_max_events == 0 {
            return Err(invalid(
                "cloudtrail_max_events = 0: use 1 or more (default 500)".to_owned(),
            ));
        }
        if config.concurrency == 0 || config.concurrency > 64 {
            return Err(invalid(format!(
                "concurrency = {} is out of range: use 1 to 64",
                config.concurrency
            )));
        }
        if config.max_attempts == 0 || config.max_attempts > 20 {
            return Err(invalid(format!(
                "max_attempts = {} is out of range: use 1 to 20",
                config.max_attempts
            )));
        }
        if config.request_timeout_secs == 0 {
            return Err(invalid(
                "request_timeout_secs must be at least 1".to_owned(),
            ));
        }
        if !LOG_LEVELS.contains(&config.log_level.as_str()) {
            return Err(invalid(format!(
                "log_level = \"{}\" is not one of {}",
                config.log_level,
                LOG_LEVELS.join(", ")
            )));
        }
        config.keymap().map_err(invalid)?;
        config.enforce.rules().map_err(invalid)?;
        config.notify.check().map_err(invalid)?;
        for (name, value) in config.theme.entries() {
            if let Some(value) = value
                && value.parse::<ratatui::style::Color>().is_err()
            {
                return Err(invalid(format!(
                    "[theme] {name} = \"{value}\" is not a colour: use a name (red, lightblue, darkgray...) or \"#rrggbb\""
                )));
            }
        }
        for (name, profile) in &config.profiles {
            if let Some(accent) = &profile.accent
                && accent.parse::<ratatui::style::Color>().is_err()
            {
                return Err(invalid(format!(
                    "[profiles.{name}] accent = \"{accent}\" is not a colour: use a name (red, lightblue...) or \"#rrggbb\""
                )));
            }
        }
        Ok(config)
    }

    /// Load the file at `path`. A missing file is the default config only when
    /// `required` is false (the default location); a named file must exist.
    ///
    /// # Errors
    /// The file cannot be read or is invalid.
    pub fn load(path: &Path, required: bool) -> Result<Self, ConfigError> {
        match crate::bounded::read(path, "the config file", crate::bounded::CONFIG) {
            Ok(Some(text)) => Self::parse(&text, path),
            Ok(None) if !required => Ok(Self::default()),
            Ok(None) => Err(ConfigError::Read {
                path: path.to_owned(),
                source: std::io::Error::from_raw_os_error(libc::ENOENT),
            }),
            Err(why) => Err(ConfigError::Unreadable(why)),
        }
    }

    /// The keymap: the defaults with `[keybindings]` applied.
    ///
    /// # Errors
    /// An unknown command or a key that cannot be parsed.
    pub fn keymap(&self) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (command, keys) in &self.keybindings.commands {
            map.rebind(command, keys)
                .map_err(|e| format!("[keybindings] {command}: {e}"))?;
        }
        for (command, keys) in &self.keybindings.dialog {
            map.rebind_dialog(command, keys)
                .map_err(|e| format!("[keybindings.dialog] {command}: {e}"))?;
        }
        map.check().map_err(|e| format!("[keybindings]: {e}"))?;
        Ok(map)
    }

    /// The per-profile rules, with `forced` (`--read-only`) on top.
    #[must_use]
    pub fn posture(&self, forced_read_only: bool) -> Posture {
        Posture {
            all_read_only: forced_read_only || self.read_only,
            read_only: self
                .profiles
                .iter()
                .filter(|(_, p)| p.read_only)
                .map(|(n, _)| n.clone())
                .collect(),
            accents: self
                .profiles
                .iter()
                .filter_map(|(n, p)| Some((n.clone(), p.accent.clone()?)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/iamkeys.toml"))
    }

    #[test]
    fn empty_file_is_the_default() {
        assert_eq!(parse("").unwrap(), Config::default());
    }

    #[test]
    fn settings_and_profiles_parse() {
        let config = parse(
            "default_profile = \"prod\"\nconcurrency = 4\n[profiles.prod]\nread_only = true\n[keybindings]\ndown = [\"n\"]\n",
        )
        .unwrap();
        assert_eq!(config.default_profile.as_deref(), Some("prod"));
        assert_eq!(config.concurrency, 4);
        assert!(config.posture(false).read_only("prod"));
        assert!(!config.posture(false).read_only("dev"));
        assert!(
            config.posture(true).read_only("dev"),
            "--read-only covers every profile"
        );
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let err = parse("concurrency = 4\nconcurency = 5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("/etc/iamkeys.toml"), "{err}");
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("concurency"), "{err}");
        let err = parse("concurrency = \"many\"\n").unwrap_err().to_string();
        assert!(!err.contains('\n'), "one line: {err}");
        assert!(
            err.contains("line 1") && err.contains("concurrency"),
            "{err}"
        );
        let err = parse("read_only = yes\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
        let err = parse("concurrency = 0\n").unwrap_err().to_string();
        assert!(err.contains("out of range"), "{err}");
        let err = parse("[keybindings]\nfly = [\"x\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown command `fly`"), "{err}");
    }

    #[test]
    fn org_settings_narrow_accounts_and_set_read_only_per_account() {
        let config = parse(
            "[org]\nrole = \"Audit\"\nexclude = [\"sandbox\"]\nread_only = true\n[org.read_only_accounts]\n\"222222222222\" = false\n",
        )
        .unwrap();
        assert_eq!(config.org.role(None), "Audit");
        assert_eq!(config.org.role(Some("Other")), "Other", "--org-role wins");
        assert_eq!(
            Config::default().org.role(None),
            "OrganizationAccountAccessRole"
        );
        assert!(config.org.includes("111111111111", "prod"));
        assert!(!config.org.includes("333333333333", "sandbox"));
        assert!(config.org.read_only_for("111111111111", "prod"));
        assert!(!config.org.read_only_for("222222222222", "dev"));
        let only = parse("[org]\naccounts = [\"prod\", \"444444444444\"]\n").unwrap();
        assert!(only.org.includes("111111111111", "prod"));
        assert!(only.org.includes("444444444444", "x"));
        assert!(!only.org.includes("555555555555", "dev"));
        let err = parse("[org]\naccounts_at_once = 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("out of range"), "{err}");
        let err = parse("[org]\nrol = \"x\"\n").unwrap_err().to_string();
        assert!(err.contains("rol"), "{err}");
    }

    #[test]
    fn a_named_file_must_exist_but_the_default_may_not() {
        let missing = Path::new("/nonexistent/iamkeys/config.toml");
        assert_eq!(Config::load(missing, false).unwrap(), Config::default());
        let err = Config::load(missing, true).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/iamkeys/config.toml"), "{err}");
    }

    #[test]
    fn the_example_config_parses_and_documents_every_key() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let example = Config::parse(&text, &path).unwrap();
        assert!(
            example.default_profile.is_some(),
            "the example sets default_profile"
        );
        // Copied as it is, it works for anyone: nothing that needs root.
        assert_eq!(
            example.audit_log, None,
            "the example keeps the audit log in the data dir"
        );
        let every = Config {
            default_profile: Some("x".to_owned()),
            audit_log: Some(PathBuf::from("/x")),
            ..Config::default()
        };
        let table = toml::Table::try_from(&every).unwrap();
        for key in table.keys() {
            assert!(
                text.lines()
                    .any(|l| l.trim_start_matches("# ").starts_with(key.as_str())
                        || l.starts_with(&format!("[{key}"))),
                "config.example.toml does not document `{key}`"
            );
        }
    }

    /// Issue 32: the CloudTrail writer check is gone; a config that still
    /// names approvers is told, in one line, where waivers live now.
    #[test]
    fn waiver_approvers_is_refused_pointing_to_the_ledger() {
        let err = Config::parse(
            "[audit]\nwaiver_approvers = [\"arn:aws:iam::*:role/SecurityAudit\"]\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("waiver_approvers is gone"), "{err}");
        assert!(err.contains("iamkeys ledger"), "{err}");
        assert!(!err.contains('\n'), "one line: {err}");
        let example = Config::parse("", Path::new("c.toml")).unwrap();
        assert!(example.ledger.location.is_none());
        let err = Config::parse("[ledger]\nlocation = \"https://x\"\n", Path::new("c.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("neither s3://bucket/prefix nor a directory"),
            "{err}"
        );
    }

    #[test]
    fn cloudtrail_regions_are_a_list_or_all() {
        let parse = |text: &str| Config::parse(text, Path::new("c.toml"));
        assert_eq!(
            parse("cloudtrail_regions = \"all\"")
                .unwrap()
                .cloudtrail_regions,
            CloudTrailRegions::All
        );
        assert_eq!(
            parse("cloudtrail_regions = [\"eu-west-1\"]")
                .unwrap()
                .cloudtrail_regions,
            CloudTrailRegions::List(vec!["eu-west-1".into()])
        );
        assert_eq!(
            parse("cloudtrail_regions = []").unwrap().cloudtrail_regions,
            CloudTrailRegions::Profile
        );
        let err = parse("cloudtrail_regions = \"some\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"all\""), "{err}");
    }
}
