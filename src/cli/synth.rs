//! `backtrail synth`: a sample scenario, or realistic noise at scale.

use std::path::PathBuf;

use clap::Args;

use crate::synth::{self, SynthOptions, SynthSummary, scale};

/// Write generated CloudTrail in S3 delivery layout.
///
/// Without `--events`: one of the incident scenarios that tests and
/// sample-data/ use, with its background activity. With `--events N`: N
/// realistic records across 20+ services, every userIdentity type, STS
/// sessions whose later calls use the minted keys, service-invoked calls and
/// a 1-3 % error rate, in 5-minute delivery files; `--scenario` then plants
/// that scenario inside the noise (at `--plant-at`). Deterministic for a
/// seed: the same flags write the same bytes, whatever the number of
/// threads. Scale mode's range ends at 2026-03-09T00:00Z, so its last seven
/// days are ISO week 2026-W10.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail synth --list
  backtrail synth --scenario agent-env-rebuild --out /tmp/scenario
  backtrail synth --scenario agent-env-rebuild --noise-percent 0 --out /tmp/quiet
  backtrail synth --events 1000000 --out /tmp/big
  backtrail synth --events 5000000 --days 35 --out /tmp/drift-bench
  backtrail synth --events 5000000 --scenario agent-env-rebuild --plant-at 2026-03-05T12:00:00Z --out /tmp/needle")]
pub struct SynthArgs {
    /// The scenario to write (default: agent-env-rebuild); with --events,
    /// the scenario to plant inside the noise (default: none).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Output directory (must not already hold an AWSLogs/ tree).
    #[arg(long, required_unless_present = "list")]
    pub out: Option<PathBuf>,
    /// Seed of the generator.
    #[arg(long, default_value_t = synth::DEFAULT_SEED)]
    pub seed: u64,
    /// Scenario mode: background activity, in percent of the scenario's normal level.
    #[arg(long, default_value_t = 100, conflicts_with = "events")]
    pub noise_percent: u32,
    /// List the scenarios.
    #[arg(long)]
    pub list: bool,
    /// Scale mode: background records to write (a planted scenario's come on top).
    #[arg(long)]
    pub events: Option<u64>,
    /// Scale mode: accounts; the first is the busiest (and takes a planted scenario's account).
    #[arg(long, default_value_t = scale::DEFAULT_ACCOUNTS, requires = "events")]
    pub accounts: u32,
    /// Scale mode: regions per account; the first is the account's home region.
    #[arg(long, default_value_t = scale::DEFAULT_REGIONS, requires = "events")]
    pub regions: u32,
    /// Scale mode: days of activity, ending 2026-03-09T00:00Z.
    #[arg(long, default_value_t = scale::DEFAULT_DAYS, requires = "events")]
    pub days: u32,
    /// Scale mode: where the planted scenario's first record goes (RFC 3339);
    /// default: the middle of the range, on the hour.
    #[arg(long, value_name = "RFC3339", requires_all = ["scenario", "events"], value_parser = parse_time)]
    pub plant_at: Option<i64>,
    /// Print the summary as one JSON object (with the seconds it took).
    #[arg(long)]
    pub json: bool,
}

fn parse_time(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .map_err(|e| format!("{s:?} is not an RFC 3339 time ({e}); e.g. 2026-03-05T12:00:00Z"))
}

pub fn run(a: SynthArgs) -> anyhow::Result<u8> {
    if a.list {
        for name in synth::scenario_names() {
            println!("{name:<28} {}", synth::scenario_summary(name).unwrap_or(""));
        }
        return Ok(crate::exit::OK);
    }
    let out = a.out.clone().expect("clap requires --out without --list");
    let started = std::time::Instant::now();
    let s = match a.events {
        Some(events) => scale::write_scale(
            &scale::ScaleOptions {
                events,
                seed: a.seed,
                accounts: a.accounts,
                regions: a.regions,
                days: a.days,
                scenario: a.scenario.clone(),
                plant_at: a.plant_at,
            },
            &out,
        )?,
        None => synth::write(
            &SynthOptions {
                seed: a.seed,
                scenario: Some(
                    a.scenario
                        .clone()
                        .unwrap_or_else(|| synth::DEFAULT_SCENARIO.to_string()),
                ),
                noise_percent: a.noise_percent,
            },
            &out,
        )?,
    };
    print_summary(&s, &out, started.elapsed().as_secs_f64(), a.json)?;
    Ok(crate::exit::OK)
}

fn print_summary(
    s: &SynthSummary,
    out: &std::path::Path,
    seconds: f64,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        let mut v = serde_json::to_value(s)?;
        v["seconds"] = serde_json::json!((seconds * 1000.0).round() / 1000.0);
        println!("{v}");
        return Ok(());
    }
    println!(
        "wrote {} events in {} files under {} in {seconds:.1}s",
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
    Ok(())
}
