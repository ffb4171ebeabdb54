use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    ExitCode::from(dockfix::cli::run(dockfix::cli::Cli::parse()))
}
