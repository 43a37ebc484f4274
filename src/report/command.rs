//! Finishing `iamkeys report`: write the report (loaded by
//! `headless::account::produce`) and choose the exit code.

use std::io::Write;
use std::process::ExitCode;

use super::baseline::Baseline;
use super::format::{Format, render};
use super::{FailOn, Report};

/// Exit codes: nothing at or above `--fail-on`, findings, error.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// How a report is finished: its format, the exit-code rule, where it goes
/// and the baseline it is compared with.
#[derive(Debug, Clone)]
pub struct Finish<'a> {
    pub format: Format,
    pub fail_on: &'a FailOn,
    pub output: Option<&'a std::path::Path>,
    pub baseline: Option<Baseline>,
}

impl<'a> Finish<'a> {
    /// Check the options before any AWS call: `--fail-on new` needs a
    /// baseline, and the baseline must read.
    ///
    /// # Errors
    /// One line saying what is wrong.
    pub fn new(
        format: Format,
        fail_on: &'a FailOn,
        output: Option<&'a std::path::Path>,
        baseline: Option<&std::path::Path>,
    ) -> Result<Self, String> {
        if fail_on.needs_baseline() && baseline.is_none() {
            return Err(
                "--fail-on new needs --baseline FILE (a report written earlier with --format json)"
                    .to_owned(),
            );
        }
        Ok(Self {
            format,
            fail_on,
            output,
            baseline: baseline.map(Baseline::read).transpose()?,
        })
    }
}

/// Compare with the baseline, write the report where asked and pick the
/// exit code.
#[must_use]
pub fn finish(mut report: Report, how: &Finish<'_>) -> ExitCode {
    if let Some(baseline) = &how.baseline
        && let Err(err) = baseline.compare(&mut report)
    {
        say(&err);
        return ExitCode::from(EXIT_ERROR);
    }
    let report = &report;
    let (format, fail_on, output) = (how.format, how.fail_on, how.output);
    let text = match render(report, format) {
        Ok(text) => text,
        Err(err) => {
            say(&format!("cannot format the report: {err}"));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let written = if let Some(path) = output {
        // Whole or not at all: a failure part-way (a full disk) leaves the
        // previous file (a baseline) as it was.
        crate::paths::write_private(path, text.as_bytes()).map_err(|e| {
            format!(
                "cannot write {} ({e}): the previous file is as it was",
                crate::text::clean(&path.display().to_string())
            )
        })
    } else if !stdout_open() {
        // Rust's stdout swallows writes to a closed descriptor: say it.
        Err(
            "stdout is closed: nothing could be written (give --output FILE, or open stdout)"
                .to_owned(),
        )
    } else {
        let mut out = std::io::stdout().lock();
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            // A reader that has seen enough (`| head`) closed the pipe: not
            // an error, and nothing to say; the exit code is the audit's.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.map_err(|e| format!("cannot write the report to stdout: {e}")),
        }
    };
    if let Err(err) = written {
        say(&err);
        return ExitCode::from(EXIT_ERROR);
    }
    if !report.complete {
        for line in incomplete_lines(report) {
            say(&line);
        }
        return ExitCode::from(EXIT_ERROR);
    }
    if report.fails(fail_on) {
        let n = report.failing(fail_on);
        say(&format!(
            "{n} finding{} --fail-on (exit 1)",
            if n == 1 { " fails" } else { "s fail" }
        ));
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::from(EXIT_CLEAN)
    }
}

/// What stderr says of an incomplete audit: why, then each gap.
fn incomplete_lines(report: &Report) -> Vec<String> {
    let failed = report.accounts.iter().filter(|a| a.error.is_some()).count();
    let mut why = Vec::new();
    if failed > 0 {
        why.push(format!(
            "{failed} of {} accounts failed",
            report.accounts.len()
        ));
    }
    if !report.gaps.is_empty() || failed == 0 {
        why.push(format!("{} gaps, named in the notes", report.gaps.len()));
    }
    let mut lines = vec![format!(
        "the audit is incomplete ({}); exit 2",
        why.join("; ")
    )];
    lines.extend(report.gaps.iter().cloned());
    lines
}

/// What stderr says of an account that failed.
fn failure_line(account: &super::AccountEntry) -> String {
    let who = match &account.account_name {
        Some(name) => format!(
            "account {name} ({})",
            account.account_id.as_deref().unwrap_or("?")
        ),
        None => crate::profiles::shown(&account.profile),
    };
    format!("{who}: {}", account.error.as_deref().unwrap_or("failed"))
}

/// One line on stderr, as every sink shows AWS's text: a name with an
/// escape sequence or a newline cannot act on the terminal or forge a line.
fn say(line: &str) {
    eprintln!("{}", said(line));
}

/// A stderr line as [`say`] writes it.
fn said(line: &str) -> String {
    format!("iamkeys report: {}", crate::text::clean(line))
}

/// Set when the program started with stdout closed.
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// At start-up: whether the program was started with stdout closed
/// (`>&-`). Rust's runtime holds a closed standard descriptor on
/// `/dev/null`, opened read-write, before `main` (so no file opened later
/// takes its number); a shell's `>/dev/null` opens it write-only. Only the
/// former is read as closed.
pub fn hold_closed_stdout() {
    #[cfg(unix)]
    {
        // SAFETY: fstat and stat write into zeroed, owned `stat` buffers;
        // fcntl(F_GETFL) only reads the descriptor's flags.
        let closed = unsafe {
            let mut out: libc::stat = std::mem::zeroed();
            let mut null: libc::stat = std::mem::zeroed();
            libc::fstat(1, &raw mut out) == 0
                && libc::stat(c"/dev/null".as_ptr(), &raw mut null) == 0
                && (out.st_mode & libc::S_IFMT) == libc::S_IFCHR
                && out.st_rdev == null.st_rdev
                && (libc::fcntl(1, libc::F_GETFL) & libc::O_ACCMODE) == libc::O_RDWR
        };
        STDOUT_CLOSED.store(closed, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Whether stdout was open when the program started.
fn stdout_open() -> bool {
    !STDOUT_CLOSED.load(std::sync::atomic::Ordering::SeqCst)
}

/// [`finish`] for a report of several accounts (several profiles, or an
/// organization): every account that failed is named on stderr, and any
/// failure makes the exit code 2, after everything else was written.
#[must_use]
pub fn finish_accounts(report: Report, how: &Finish<'_>) -> ExitCode {
    let failures: Vec<super::AccountEntry> = report.failed().cloned().collect();
    let code = finish(report, how);
    let mut failed = false;
    for account in &failures {
        failed = true;
        say(&failure_line(account));
    }
    if failed {
        ExitCode::from(EXIT_ERROR)
    } else {
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 24 item 4: gap lines and account failures carry names from
    /// AWS; on stderr they hold no escape and no line break.
    #[test]
    fn stderr_lines_hold_no_escape_or_line_break() {
        let mut report = crate::report::tests_support::empty_report();
        report.complete = false;
        report.gaps =
            vec!["iam:GetLoginProfile denied for 1 user (x\u{1b}[2J\ny\u{202E})".to_owned()];
        let mut account = crate::report::tests_support::account("111111111111");
        account.account_name = Some("evil\u{1b}]0;pwned\u{7}".into());
        account.error = Some("role denied\r\nforged line".into());
        let mut lines: Vec<String> = incomplete_lines(&report);
        lines.push(failure_line(&account));
        for line in lines {
            let line = said(&line);
            assert!(!line.chars().any(char::is_control), "{line:?}");
            assert!(!line.contains('\u{202E}'), "{line:?}");
        }
    }
}
