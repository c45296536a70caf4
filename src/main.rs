//! The backtrail binary: parse, dispatch, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = backtrail::cli::Cli::parse();
    backtrail::cli::init_logging(cli.verbose, cli.quiet);
    match backtrail::cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(backtrail::exit::ERROR)
        }
    }
}
