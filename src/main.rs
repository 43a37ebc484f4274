//! The `iamkeys` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

/// AWS variables that the SDK reads but cannot take empty: an empty
/// `AWS_ENDPOINT_URL` makes it panic, an empty `AWS_PROFILE` names no profile.
const MUST_NOT_BE_EMPTY: [&str; 4] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_PROFILE",
];

fn main() -> ExitCode {
    iamkeys::timings::process_started();
    // A closed stdout (`>&-`) is remembered before anything else runs: a
    // report with nowhere to go is an error, never silently lost.
    iamkeys::report::command::hold_closed_stdout();
    for name in MUST_NOT_BE_EMPTY {
        if std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
            // SAFETY: this is the first thing `main` does, before any thread
            // (runtime, log writer) exists, so nothing can read the
            // environment concurrently.
            unsafe { std::env::remove_var(name) };
        }
    }
    // Panic and error reports; installed before the terminal hook so the
    // terminal is restored first and the report printed after.
    if let Err(err) = color_eyre::install() {
        eprintln!("iamkeys: {err}");
    }
    let cli = iamkeys::cli::Cli::parse();
    match iamkeys::run::main(&cli) {
        Ok(code) => code,
        Err(err) => {
            // One line: scripts read the reason from stderr.
            let name = if matches!(cli.command, Some(iamkeys::cli::Command::Report(_))) {
                "iamkeys report"
            } else {
                "iamkeys"
            };
            eprintln!("{name}: {}", iamkeys::text::clean(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}
