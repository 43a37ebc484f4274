//! The `iamkeys` binary: parse the command line and hand over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Panic and error reports; installed before the terminal hook so the
    // terminal is restored first and the report printed after.
    if let Err(err) = color_eyre::install() {
        eprintln!("iamkeys: {err}");
    }
    let cli = iamkeys::cli::Cli::parse();
    match iamkeys::run::main(&cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("iamkeys: {err:#}");
            ExitCode::from(2)
        }
    }
}
