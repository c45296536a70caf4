//! Deterministic generator of realistic CloudTrail data for incident
//! scenarios, written in CloudTrail's S3 delivery layout.
//!
//! One generator feeds the shipped sample data, the tests and the `synth`
//! command, so a scenario is written once. Output is a pure function of the
//! scenario name, the seed and the noise level: no wall clock, no hash-map
//! order, a fixed gzip header and compression level.
//!
//! ```no_run
//! let summary = backtrail::synth::write_scenario(
//!     "agent-env-rebuild",
//!     std::path::Path::new("out"),
//!     backtrail::synth::DEFAULT_SEED,
//! )?;
//! println!("{} events in {} files", summary.events, summary.files);
//! # Ok::<(), anyhow::Error>(())
//! ```

mod api;
mod authz;
mod delivery;
mod engine;
mod identity;
mod json;
mod records;
mod rng;
pub mod scale;
mod scenarios;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// The seed of the shipped sample data.
pub const DEFAULT_SEED: u64 = 7;

/// The scenario used when none is named.
pub const DEFAULT_SCENARIO: &str = "agent-env-rebuild";

/// Names of the scenarios, in listing order.
const NAMES: &[&str] = &[
    "agent-env-rebuild",
    "agent-table-restore",
    "agent-self-grant",
    "human-console-outage",
    "weekly-drift",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthOptions {
    /// Seed of every random choice; the same seed gives the same bytes.
    pub seed: u64,
    /// Scenario name; `None` means [`DEFAULT_SCENARIO`].
    pub scenario: Option<String>,
    /// Background activity as a percentage of the default amount (100).
    /// 0 leaves only the story and its symptoms.
    pub noise_percent: u32,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            seed: DEFAULT_SEED,
            scenario: None,
            noise_percent: 100,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynthSummary {
    /// CloudTrail log files written (not counting the IAM snapshot).
    pub files: usize,
    /// Records across those files.
    pub events: usize,
    /// The scenario's ground truth: the events an analysis should find.
    pub key_events: Vec<KeyEvent>,
}

/// A ground-truth event of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyEvent {
    /// Role in the story: `root_cause`, `permission_grant`, `credential_mint`,
    /// `guardrail_removal`, `recovery`, `decoy`, `outage_first_error`, ...
    pub label: String,
    /// The record's `eventID`.
    pub event_id: String,
    /// `2026-03-10T01:31:18Z`.
    pub event_time: String,
    /// The record's `eventName`.
    pub event_name: String,
    /// ARN (or service name) of the principal that made the call.
    pub actor: String,
}

/// A generated file: path relative to the output directory (`/`-separated)
/// and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthFile {
    /// Relative path, e.g. `AWSLogs/<account>/CloudTrail/<region>/2026/03/10/...json.gz`.
    pub path: String,
    /// Exact file contents (gzip for log files).
    pub bytes: Vec<u8>,
}

/// A generated scenario, in memory.
#[derive(Debug, Clone)]
pub struct SynthOutput {
    /// Log files in path order, then the scenario's other files (IAM snapshot).
    pub files: Vec<SynthFile>,
    /// Counts and ground truth.
    pub summary: SynthSummary,
}

/// Errors of the generator.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// No scenario has that name.
    #[error("unknown scenario {name:?}; known scenarios: {known}")]
    UnknownScenario { name: String, known: String },
    #[error(
        "{path} already holds CloudTrail files; hint: write into an empty directory so old and new files do not mix"
    )]
    /// The output directory already has an `AWSLogs` tree.
    NotEmpty { path: PathBuf },
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Names of the scenarios this build can generate.
pub fn scenario_names() -> &'static [&'static str] {
    NAMES
}

/// One-line description of a scenario, if it exists.
pub fn scenario_summary(name: &str) -> Option<&'static str> {
    scenarios::SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.summary)
}

/// Generates `name` with `seed` and default noise into `out_dir`, in
/// CloudTrail's S3 layout (`AWSLogs/<account>/CloudTrail/<region>/...`)
/// plus the scenario's IAM snapshot (`iam/authorization-details.json`).
pub fn write_scenario(name: &str, out_dir: &Path, seed: u64) -> anyhow::Result<SynthSummary> {
    let opts = SynthOptions {
        seed,
        scenario: Some(name.to_string()),
        ..SynthOptions::default()
    };
    write(&opts, out_dir)
}

/// Generates per `opts` into `out_dir` (see [`write_scenario`]). Refuses a
/// directory that already holds an `AWSLogs` tree.
pub fn write(opts: &SynthOptions, out_dir: &Path) -> anyhow::Result<SynthSummary> {
    let logs = out_dir.join("AWSLogs");
    if logs.exists() {
        return Err(SynthError::NotEmpty { path: logs }.into());
    }
    let output = generate(opts)?;
    for file in &output.files {
        let path = out_dir.join(&file.path);
        let write = || -> std::io::Result<()> {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &file.bytes)
        };
        write().map_err(|source| SynthError::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(output.summary)
}

/// Generates per `opts` in memory.
pub fn generate(opts: &SynthOptions) -> anyhow::Result<SynthOutput> {
    let name = opts.scenario.as_deref().unwrap_or(DEFAULT_SCENARIO);
    let scenario = scenarios::SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| SynthError::UnknownScenario {
            name: name.to_string(),
            known: NAMES.join(", "),
        })?;
    let generated = (scenario.generate)(opts.seed, opts.noise_percent);
    let logs = delivery::package(&generated.world, opts.seed, &generated.events)?;
    let summary = SynthSummary {
        files: logs.len(),
        events: logs.iter().map(|f| f.records).sum(),
        key_events: generated.key_events,
    };
    let mut files: Vec<SynthFile> = logs
        .into_iter()
        .map(|f| SynthFile {
            path: f.path,
            bytes: f.bytes,
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files.extend(
        generated
            .extra_files
            .into_iter()
            .map(|(path, bytes)| SynthFile { path, bytes }),
    );
    Ok(SynthOutput { files, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_registry() {
        let registry: Vec<&str> = scenarios::SCENARIOS.iter().map(|s| s.name).collect();
        assert_eq!(registry, NAMES);
    }

    #[test]
    fn unknown_scenario_names_the_known_ones() {
        let opts = SynthOptions {
            scenario: Some("nope".into()),
            ..SynthOptions::default()
        };
        let err = generate(&opts).unwrap_err().to_string();
        assert!(err.contains("agent-env-rebuild"), "{err}");
    }

    #[test]
    fn same_seed_same_bytes() {
        let a = generate(&SynthOptions::default()).unwrap();
        let b = generate(&SynthOptions::default()).unwrap();
        assert_eq!(a.files, b.files);
        let c = generate(&SynthOptions {
            seed: 8,
            ..SynthOptions::default()
        })
        .unwrap();
        assert_ne!(a.files, c.files);
    }
}
