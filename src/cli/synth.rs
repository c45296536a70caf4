//! `backtrail synth`.

use crate::synth::{self, SynthOptions};
use clap::Args;
use std::path::PathBuf;

/// Write a generated CloudTrail scenario in S3 delivery layout.
///
/// Deterministic for a seed: the same command writes the same bytes. The
/// scenarios are the ones tests and sample-data/ use.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail synth --list
  backtrail synth --scenario agent-env-rebuild --out /tmp/scenario
  backtrail synth --scenario agent-env-rebuild --noise-percent 0 --out /tmp/quiet")]
pub struct SynthArgs {
    /// The scenario to write.
    #[arg(long, default_value = synth::DEFAULT_SCENARIO)]
    pub scenario: String,
    /// Output directory (must not already hold an AWSLogs/ tree).
    #[arg(long, required_unless_present = "list")]
    pub out: Option<PathBuf>,
    /// Seed of the generator.
    #[arg(long, default_value_t = synth::DEFAULT_SEED)]
    pub seed: u64,
    /// Background activity, in percent of the scenario's normal level.
    #[arg(long, default_value_t = 100)]
    pub noise_percent: u32,
    /// List the scenarios.
    #[arg(long)]
    pub list: bool,
}

pub fn run(a: SynthArgs) -> anyhow::Result<u8> {
    if a.list {
        for name in synth::scenario_names() {
            println!("{name:<28} {}", synth::scenario_summary(name).unwrap_or(""));
        }
        return Ok(crate::exit::OK);
    }
    let out = a.out.expect("clap requires --out without --list");
    let s = synth::write(
        &SynthOptions {
            seed: a.seed,
            scenario: Some(a.scenario.clone()),
            noise_percent: a.noise_percent,
        },
        &out,
    )?;
    println!(
        "wrote {} events in {} files under {}",
        s.events,
        s.files,
        out.display()
    );
    for k in &s.key_events {
        println!(
            "  {:<22} {}  {}  {}",
            k.label, k.event_time, k.event_name, k.event_id
        );
    }
    Ok(crate::exit::OK)
}
