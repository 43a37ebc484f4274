//! The command line (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::FailOn;
use crate::report::format::Format;

/// Audit and manage the access keys of AWS IAM users, from the terminal.
#[derive(Debug, Parser)]
#[command(name = "iamkeys", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How the UI is shown.
#[derive(Debug, Clone, Copy, Args, Default)]
pub struct DisplayArgs {
    /// Plain mode, for screen readers and logs: no alternate screen, a
    /// numbered line per user and a command prompt (also when TERM=dumb).
    #[arg(long, global = true)]
    pub plain: bool,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Clone, Args, Default)]
pub struct GlobalArgs {
    /// AWS profile to use (else `AWS_PROFILE`, else `default_profile` from the config).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Send IAM and STS requests to this URL instead of AWS (also `AWS_ENDPOINT_URL`).
    #[arg(long, global = true, value_name = "URL", value_parser = endpoint_url)]
    pub endpoint_url: Option<String>,
    /// Config file (default: the platform config dir's iamkeys/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// How the UI is shown.
    #[command(flatten)]
    pub display: DisplayArgs,
    /// Send no change to AWS (keys, passwords, credentials, hand-offs):
    /// read and report only.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Run on a built-in demo account instead of AWS.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Every account of the AWS Organization: listed from this profile's
    /// account (management or delegated administrator), each member reached
    /// by assuming a role in it.
    #[arg(long, global = true)]
    pub org: bool,
    /// The role assumed in each member account (default
    /// `OrganizationAccountAccessRole`, or `[org] role`).
    #[arg(long, global = true, value_name = "NAME", requires = "org")]
    pub org_role: Option<String>,
    /// A reviewed waivers file (TOML `[[waiver]]` entries), honoured as
    /// written; replaces `[audit] waivers_file`.
    #[arg(long, global = true, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
}

/// An endpoint URL the SDK can send to: `http://` or `https://` and a host.
fn endpoint_url(text: &str) -> Result<String, String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or("it must start with http:// or https://, e.g. http://127.0.0.1:5000")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || host.contains(char::is_whitespace) {
        return Err("it names no host, e.g. http://127.0.0.1:5000".to_owned());
    }
    Ok(text.to_owned())
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Open the terminal UI (the default).
    Tui,
    /// Print a shell completion script: `iamkeys completions bash > /etc/bash_completion.d/iamkeys`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `iamkeys man > /usr/local/share/man/man1/iamkeys.1`.
    Man,
    /// The AWS config's profile names, one a line (what the completion
    /// scripts offer after `--profile`).
    #[command(name = "profile-names", hide = true)]
    ProfileNames,
    /// Print the CIS audit without a UI, for scripts and CI.
    ///
    /// Exit code 0: nothing at or above --fail-on; 1: findings; 2: error.
    Report(ReportArgs),
    /// Audit as `report` does and write what the `[enforce]` rules would
    /// do to which key, and when (changes nothing unless --record).
    ///
    /// Exit code 0: planned; 1: a due date could not be recorded; 2: the
    /// audit is incomplete (no plan), or an error.
    Plan(PlanArgs),
    /// Act on a plan's due actions, each key re-checked at IAM first.
    ///
    /// Exit code 0: every due action done or skipped for a safe reason;
    /// 1: a change failed; 2: the plan was refused.
    Apply(ApplyArgs),
    /// Tell each owner what a plan will do to their keys, and when
    /// (`[notify]`: SNS and/or a webhook).
    ///
    /// Exit code 0: every owner told; 1: a delivery failed; 2: refused.
    Notify(NotifyArgs),
    /// The ledger: what iamkeys and its operators decided (waivers,
    /// rotations, hand-off targets, inactive and due dates, notices,
    /// owners), kept where only the security team can write.
    ///
    /// Exit code 0: done; 1: `check` found something to fix; 2: refused or
    /// failed (nothing half-written).
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Whose key is this? The account (`sts:GetAccessKeyInfo`), then the
    /// user holding it, its status, age and last use (in the caller's
    /// account, or with --org a member's).
    ///
    /// Exit code 0: every key found; 1: a key is in no account reachable;
    /// 2: a key ID not shaped like one (nothing asked), or something could
    /// not be read.
    Whois(WhoisArgs),
}

/// `iamkeys whois` options.
#[derive(Debug, Clone, Args)]
pub struct WhoisArgs {
    /// Access key IDs (`AKIA…`, `ASIA…`).
    #[arg(value_name = "KEY_ID", required = true)]
    pub keys: Vec<String>,
    /// `table` for people, `json` for a line of JSON per key.
    #[arg(long, value_enum, default_value = "table", value_name = "table|json")]
    pub format: PlanFormat,
}

/// `iamkeys ledger` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum LedgerCommand {
    /// The events and the state they fold to.
    Show(LedgerShowArgs),
    /// Grant a waiver (the same rules as `W`): `waiver.granted`.
    Waive(LedgerWaiveArgs),
    /// Revoke a waiver by its event id: `waiver.revoked`.
    Revoke(LedgerRevokeArgs),
    /// Where a user's rotated keys are handed off (a full Secrets Manager
    /// secret or SSM parameter ARN): `handoff.set`.
    Handoff(LedgerHandoffArgs),
    /// Who answers for a user's keys: `owner.set`.
    Owner(LedgerOwnerArgs),
    /// Where the ledger is and who can write it.
    Check,
    /// Move the `iamkeys:*` tags of the account's users into the ledger,
    /// each confirmed (or all with --yes and a --reason).
    ImportTags(LedgerImportArgs),
}

/// Which account's ledger (default: the profile's own account).
#[derive(Debug, Clone, Args, Default)]
pub struct LedgerAccount {
    /// The account whose ledger to read or write (12 digits).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
}

/// `iamkeys ledger show` options.
#[derive(Debug, Clone, Args)]
pub struct LedgerShowArgs {
    /// Only this account (default: every account in the ledger).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Only this user's events.
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "table", value_name = "table|json")]
    pub format: PlanFormat,
}

/// `iamkeys ledger waive` options.
#[derive(Debug, Clone, Args)]
pub struct LedgerWaiveArgs {
    #[command(flatten)]
    pub account: LedgerAccount,
    /// The IAM user.
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// The access key (required for a finding about one key).
    #[arg(long, value_name = "KEY_ID")]
    pub key: Option<String>,
    /// The finding id (or badge word: setup, unused, 2active, rotate, root, retire, exposed).
    #[arg(long, value_name = "FINDING")]
    pub finding: String,
    /// The last day waived (YYYY-MM-DD), at most `max_waiver_days` away.
    #[arg(long, value_name = "DATE")]
    pub until: String,
    /// Why (a ticket, a decision).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

/// `iamkeys ledger revoke` options.
#[derive(Debug, Clone, Args)]
pub struct LedgerRevokeArgs {
    #[command(flatten)]
    pub account: LedgerAccount,
    /// The waiver's event id (`ledger show` lists them).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Why.
    #[arg(long, value_name = "TEXT", default_value = "revoked")]
    pub reason: String,
}

/// `iamkeys ledger handoff` options.
#[derive(Debug, Clone, Args)]
pub struct LedgerHandoffArgs {
    #[command(flatten)]
    pub account: LedgerAccount,
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// A full ARN: `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME` (with
    /// `#ID_FIELD,SECRET_FIELD` for other fields), or
    /// `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`.
    #[arg(long, value_name = "ARN")]
    pub target: String,
}

/// `iamkeys ledger owner` options.
#[derive(Debug, Clone, Args)]
pub struct LedgerOwnerArgs {
    #[command(flatten)]
    pub account: LedgerAccount,
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// Who is told (an address, a team).
    #[arg(long, value_name = "WHO")]
    pub owner: String,
}

/// `iamkeys ledger import-tags` options.
#[derive(Debug, Clone, Args)]
pub struct LedgerImportArgs {
    /// Import every importable tag without asking (needs --reason).
    #[arg(long, requires = "reason")]
    pub yes: bool,
    /// Why these tags are taken into the ledger (recorded with each).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// `iamkeys notify` options.
#[derive(Debug, Clone, Args)]
pub struct NotifyArgs {
    /// The plan `iamkeys plan --out` wrote.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Print the notices instead of sending them.
    #[arg(long)]
    pub dry_run: bool,
    /// Bound the whole run (e.g. 2m, 90s): owners not told by then are
    /// named as failed, and the exit code is 1.
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

/// `iamkeys plan` options.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Write the plan (JSON) to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// `table` for people (the default on a terminal), `json` otherwise.
    #[arg(long, value_enum, value_name = "table|json")]
    pub format: Option<PlanFormat>,
    /// Tag each newly planned key's due date on its user
    /// (`iamkeys:due:<key ID>`), so planning again keeps it.
    #[arg(long)]
    pub record: bool,
    /// Bound the audit (e.g. 20m, 1h).
    #[arg(long, default_value = "20m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

/// How a plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Table,
    Json,
}

/// `iamkeys apply` options.
#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    /// The plan `iamkeys plan --out` wrote.
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,
    /// Stop after this many changes (default `[enforce] max_changes`).
    #[arg(long, value_name = "N")]
    pub max_changes: Option<usize>,
    /// Re-check every due action and say what would be done; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed without a terminal).
    #[arg(long)]
    pub yes: bool,
    /// `text` (a line per action) or `json` (a summary).
    #[arg(long, value_enum, default_value = "text", value_name = "text|json")]
    pub format: ApplyFormat,
    /// Bound the audit before acting (e.g. 20m, 1h).
    #[arg(long, default_value = "20m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
}

/// How `apply` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ApplyFormat {
    Text,
    Json,
}

/// Where `report` sends its findings in AWS Security Hub.
#[derive(Debug, Clone, Args, Default)]
pub struct SecurityHubArgs {
    /// Also send every finding to AWS Security Hub (ASFF,
    /// `BatchImportFindings`); findings of an earlier run that are gone are
    /// archived when the account was audited completely. A failure makes
    /// the exit code 2.
    #[arg(long)]
    pub security_hub: bool,
    /// The Security Hub region (default: the profile's).
    #[arg(long, value_name = "REGION", requires = "security_hub")]
    pub security_hub_region: Option<String>,
    /// Refused: AWS imports a finding under the default product ARN only
    /// from the account it is in. Without it, each member's findings go to
    /// its own hub, and a delegated administrator sees them all through
    /// Security Hub's own cross-account aggregation.
    #[arg(long, requires = "security_hub", hide = true)]
    pub security_hub_aggregate: bool,
}

/// `iamkeys report` options.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Exit 1 when a finding matches: any (any control failure; not info),
    /// none, a severity (info, low, medium, high, critical: that or worse),
    /// a risk (risk:low … risk:critical: the severity raised by what the
    /// key's user can do, that or worse; not known counts as critical) or
    /// finding ids (or the UI's badge words: setup, unused, 2active,
    /// rotate, root, retire, exposed) separated by commas; with `new` among
    /// them (needs --baseline), only new findings count: `new,high`.
    #[arg(long, default_value = "any", value_parser = FailOn::parse, value_name = "any|none|new|SEVERITY|risk:SEVERITY|ID|CONTROL,...")]
    pub fail_on: FailOn,
    /// A previous `--format json` report: mark each finding new or not,
    /// list the baseline's findings now gone (`resolved`); with
    /// `--fail-on new`, fail only on new findings.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub hub: SecurityHubArgs,
    /// Bound the whole run (e.g. 20m, 1h, 90s): at the deadline what is
    /// done is printed, accounts not done are named as timed out, and the
    /// exit code is 2.
    #[arg(long, default_value = "20m", value_parser = humantime::parse_duration, value_name = "DURATION")]
    pub timeout: std::time::Duration,
    /// Audit several profiles (accounts) in one run, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "A,B,...",
        conflicts_with = "all_profiles"
    )]
    pub profiles: Vec<String>,
    /// Audit every profile of the AWS config files.
    #[arg(long)]
    pub all_profiles: bool,
    /// Also list every user's access keys (one `ListAccessKeys` per user), so
    /// keys and findings carry their access key IDs. Without it the audit
    /// needs only `ListUsers` and the credential report: a few round trips.
    #[arg(long)]
    pub key_ids: bool,
    /// Put IAM Access Analyzer's unused-access verdict on each active key
    /// and console password beside IAM's facts (`aws_verdicts`; implies
    /// --key-ids). No analyzer, or one refused, is a note, never a gap.
    #[arg(long)]
    pub with_access_analyzer: bool,
    /// The MFA code for a profile whose role (or user) needs one (its
    /// `mfa_serial`); without it, a terminal is asked, and with none the
    /// report exits 2 naming the device. On the command line the code is
    /// visible to every user of this machine (`ps`) while it is valid:
    /// prefer `IAMKEYS_MFA_CODE` or the prompt.
    #[arg(
        long,
        env = "IAMKEYS_MFA_CODE",
        hide_env_values = true,
        value_name = "CODE",
        value_parser = |s: &str| Ok::<_, String>(crate::secret::Secret::new(s))
    )]
    pub mfa_code: Option<crate::secret::Secret>,
}

impl ReportArgs {
    /// The run's deadline, from `--timeout`, counted from now.
    #[must_use]
    pub fn deadline(&self) -> tokio::time::Instant {
        tokio::time::Instant::now() + self.timeout
    }

    /// How the report is finished, checked before any AWS call.
    ///
    /// # Errors
    /// `--fail-on new` without `--baseline`, or a baseline that does not read.
    pub fn finish(&self) -> Result<crate::report::command::Finish<'_>, String> {
        crate::report::command::Finish::new(
            self.format,
            &self.fail_on,
            self.output.as_deref(),
            self.baseline.as_deref(),
        )
    }
}

/// Write the completion script for `shell` (generated from this definition).
///
/// # Errors
/// `out` cannot be written (a closed pipe is not an error).
pub fn completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use clap::CommandFactory;
    // Generate into memory first: clap_complete panics on write errors.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "iamkeys", &mut script);
    let script = profiles_completed(shell, &String::from_utf8_lossy(&script));
    match out.write_all(script.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// The script with `--profile` completing the AWS config's profile names
/// (`iamkeys profile-names`), where clap offers file names.
fn profiles_completed(shell: clap_complete::Shell, script: &str) -> String {
    use clap_complete::Shell;
    const NAMES: &str = "iamkeys profile-names 2>/dev/null";
    match shell {
        Shell::Bash => script.replace(
            "--profile)\n                    COMPREPLY=($(compgen -f \"${cur}\"))",
            &format!("--profile)\n                    COMPREPLY=($(compgen -W \"$({NAMES})\" -- \"${{cur}}\"))"),
        ),
        Shell::Zsh => per_line(script, |line| {
            line.starts_with("'--profile=[").then(|| {
                line.replace(
                    ":NAME:_default'",
                    &format!(":NAME:{{compadd -- ${{(f)\"$({NAMES})\"}}}}'"),
                )
            })
        }),
        Shell::Fish => per_line(script, |line| {
            (line.contains(" -l profile ") && line.ends_with(" -r"))
                .then(|| format!("{line} -f -a \"({NAMES})\""))
        }),
        _ => script.to_owned(),
    }
}

/// `script` with each line `change` answers for replaced.
fn per_line(script: &str, change: impl Fn(&str) -> Option<String>) -> String {
    script
        .lines()
        .map(|line| change(line).unwrap_or_else(|| line.to_owned()))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Write the man page (generated from this definition).
///
/// # Errors
/// `out` cannot be written (a closed pipe is not an error: `man | head`).
pub fn man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    match out.write_all(&page) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {

    /// Issue 33 item 13: `--mfa-code` puts the code in argv; the help says
    /// so and names the variable to prefer.
    #[test]
    fn the_mfa_code_flag_warns_that_argv_is_visible() {
        use clap::CommandFactory;
        let mut cli = super::Cli::command();
        let help = cli
            .find_subcommand_mut("report")
            .unwrap()
            .render_long_help()
            .to_string();
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("visible to every user of this machine (`ps`)")
                && flat.contains("prefer `IAMKEYS_MFA_CODE` or the prompt"),
            "{help}"
        );
    }

    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn endpoint_urls_need_a_scheme_and_a_host() {
        for good in [
            "http://127.0.0.1:5000",
            "https://iam.amazonaws.com",
            "http://localhost:4566/",
        ] {
            assert_eq!(endpoint_url(good).as_deref(), Ok(good));
        }
        for bad in [
            "127.0.0.1:5000",
            "ftp://x",
            "http://",
            "https://:443",
            "http:// x",
        ] {
            assert!(endpoint_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn global_flags_go_before_or_after_the_subcommand() {
        let before = Cli::parse_from(["iamkeys", "--profile", "prod", "--read-only", "tui"]);
        let after = Cli::parse_from(["iamkeys", "tui", "--profile", "prod", "--read-only"]);
        for cli in [before, after] {
            assert_eq!(cli.global.profile.as_deref(), Some("prod"));
            assert!(cli.global.read_only);
        }
    }

    #[test]
    fn report_takes_its_options_and_the_global_flags() {
        let cli = Cli::parse_from([
            "iamkeys",
            "report",
            "--format",
            "json",
            "--fail-on",
            "high",
            "--profile",
            "p",
        ]);
        let Some(Command::Report(args)) = cli.command else {
            panic!("not a report")
        };
        assert_eq!(args.format, Format::Json);
        assert_eq!(args.fail_on, FailOn::AtLeast(crate::audit::Severity::High));
        assert_eq!(cli.global.profile.as_deref(), Some("p"));
        assert!(Cli::try_parse_from(["iamkeys", "report", "--fail-on", "bogus"]).is_err());
        assert!(Cli::try_parse_from(["iamkeys", "report", "--format", "xml"]).is_err());
    }

    #[test]
    fn unknown_flags_are_errors() {
        assert!(Cli::try_parse_from(["iamkeys", "--profiel", "x"]).is_err());
    }
}
