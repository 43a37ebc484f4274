//! The program after argument parsing: the shared start-up, then each
//! command's own file in `cmd/` (see `cmd::start` for what they share).

use std::process::ExitCode;

use color_eyre::eyre::{Result, WrapErr, eyre};

use crate::cli::{Cli, Command};
use crate::cmd;
use crate::cmd::start::{Mfa, Start, load_config, watchdog};

/// The program, after argument parsing. Errors end with exit code 2.
///
/// # Errors
/// Bad config, no terminal, or a terminal failure.
pub fn main(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Some(Command::Completions { shell }) => {
            crate::cli::completions(*shell, &mut std::io::stdout())
                .wrap_err("cannot write the completion script")?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::ProfileNames) => {
            // Offline: the AWS config files only.
            let names = crate::cmd::start::runtime()?.block_on(crate::profiles::list());
            for profile in names.unwrap_or_default() {
                println!("{}", profile.name);
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            crate::cli::man(&mut std::io::stdout()).wrap_err("cannot write the man page")?;
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    watchdog(cli.command.as_ref());
    let config = load_config(&cli.global)?;
    let mfa = Mfa::for_command(cli.command.as_ref());
    // The UI checks its key bindings; no other command has keys.
    let keymap = if matches!(cli.command, None | Some(Command::Tui)) {
        Some(config.keymap().map_err(|e| eyre!(e))?)
    } else {
        None
    };
    let start = Start::new(cli, config, mfa)?;
    let (_guard, log_path) = crate::logging::init(&start.data_dir, &start.config.log_level)
        .wrap_err_with(|| {
            format!(
                "cannot create the data directory {}",
                start.data_dir.display()
            )
        })?;
    // Several profiles: each is checked as it is reached.
    if let Some(Command::Report(args)) = &cli.command
        && (args.all_profiles || !args.profiles.is_empty())
    {
        return cmd::report::run(&start, args);
    }
    if !cli.global.demo {
        start.check_profile()?;
    }
    if cli.global.org && cli.global.demo {
        return Err(eyre!(
            "--org lists a real AWS Organization: it cannot be used with --demo"
        ));
    }
    match &cli.command {
        Some(Command::Report(args)) => cmd::report::run(&start, args),
        Some(Command::Plan(args)) => cmd::plan::run(&start, args),
        Some(Command::Apply(args)) => cmd::apply::run(&start, args),
        Some(Command::Notify(args)) => cmd::notify::run(&start, args),
        Some(Command::Ledger(command)) => cmd::ledger::run(&start, command),
        Some(Command::Whois(args)) => cmd::whois::run(&start, args),
        Some(Command::Tui | Command::Completions { .. } | Command::Man | Command::ProfileNames)
        | None => {
            let keymap = keymap.unwrap_or_default();
            cmd::tui::run(&start, keymap, &log_path)
        }
    }
}
