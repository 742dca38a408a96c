//! The command line: arguments in, exit code out. Everything it does is a library call.

mod args;
mod commands;
mod test_cmd;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// Entry point of the `opsgate` binary.
pub fn main() -> ExitCode {
    crate::report::summary::mark_start();
    let cli = Cli::parse();
    let code = commands::run(cli);
    let _ = std::io::stdout().flush();
    commands::finish();
    ExitCode::from(code)
}

/// Writes to stdout; a closed pipe (`opsgate rules | head`) ends quietly instead of panicking.
pub(crate) fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}
