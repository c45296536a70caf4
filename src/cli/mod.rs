//! The command line: clap definitions, one module per subcommand. Each
//! subcommand turns its arguments into the library's options, runs, and
//! returns an exit code (see [`crate::exit`]).

pub mod drift;
pub mod export;
pub mod incident;
pub mod ingest;
pub mod lake;
pub mod query;
pub mod synth;
pub mod timeline;
pub mod verify;

use clap::{Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  error (the command could not run)
  2  usage error
  3  finished, but needs attention (ingest: records rejected or files
     unrecognised/unreadable; drift: a new finding reached --fail-on)
  4  --strict: something was rejected, nothing was written";

/// Offline postmortem analyzer for AWS CloudTrail logs.
///
/// backtrail ingests CloudTrail exports into a partitioned Parquet lake,
/// losing nothing, for incident analysis, reports and SQL queries. It needs
/// no AWS credentials and no network.
#[derive(Debug, Parser)]
#[command(name = "backtrail", version, about, long_about, after_help = EXIT_CODES)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Ingest(ingest::IngestArgs),
    Export(export::ExportArgs),
    Drift(drift::DriftArgs),
    Incident(incident::IncidentArgs),
    Postmortem(incident::PostmortemArgs),
    Query(query::QueryArgs),
    Lake(lake::LakeArgs),
    Synth(synth::SynthArgs),
    Timeline(timeline::TimelineArgs),
    Verify(verify::VerifyArgs),
}

/// Set up `tracing` on stderr. `RUST_LOG` overrides the flags.
pub fn init_logging(verbose: u8, quiet: bool) {
    let level = if quiet {
        "error"
    } else {
        match verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// A program's whole `main` once its allocator is set up: parse the
/// command line, set up logging, run, and map an error to its exit code.
/// (The binary and `examples/sysalloc.rs`, the same program on another
/// allocator, share it.)
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    match run(cli) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(crate::exit::ERROR)
        }
    }
}

/// Run a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Ingest(a) => ingest::run(a, cli.quiet),
        Command::Export(a) => export::run(a),
        Command::Drift(a) => drift::run(a),
        Command::Incident(a) => incident::run(a),
        Command::Postmortem(a) => incident::run_postmortem(a, cli.quiet),
        Command::Query(a) => query::run(a),
        Command::Lake(a) => lake::run(a),
        Command::Synth(a) => synth::run(a),
        Command::Timeline(a) => timeline::run(a),
        Command::Verify(a) => verify::run(a),
    }
}

/// Where results go: a file given with `--out`, or stdout.
pub fn output(path: Option<&std::path::Path>) -> anyhow::Result<Box<dyn std::io::Write>> {
    use anyhow::Context;
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}
