//! `backtrail incident` and `backtrail postmortem`.

use crate::actors::config::Config;
use crate::coverage::Verification;
use crate::incident::{IncidentOptions, analyze};
use crate::lake::Lake;
use crate::report::{self, Format, Identities};
use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};

/// Parse `24h`, `90m`, `2d`, `3600s` into microseconds.
pub fn parse_duration(s: &str) -> anyhow::Result<i64> {
    let s = s.trim();
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let n: f64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a duration like 24h, 90m, 2d, 1w"))?;
    let secs = match unit {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" | "" => 3600.0,
        "d" => 86400.0,
        "w" => 604800.0,
        _ => bail!("{s:?}: unknown unit {unit:?} (use s, m, h, d or w)"),
    };
    Ok((n * secs * 1e6) as i64)
}

/// Parse an RFC 3339 time into microseconds.
pub fn parse_time(s: &str, flag: &str) -> anyhow::Result<i64> {
    crate::event::time::parse_event_time(s)
        .map(|t| crate::event::time::to_micros(&t))
        .with_context(|| {
            format!("{flag} {s:?} is not an RFC 3339 time such as 2026-03-10T01:30:00Z")
        })
}

/// What the incident analysis reads, shared by `incident` and `postmortem`.
#[derive(Debug, Args, Clone)]
pub struct AnalysisArgs {
    /// Start of the outage window (RFC 3339); needs --to.
    #[arg(long, requires = "to", conflicts_with = "around")]
    pub from: Option<String>,
    /// End of the outage window (RFC 3339); needs --from.
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// When the outage was noticed: the detected episode nearest this time is used.
    #[arg(long)]
    pub around: Option<String>,
    /// An ARN, name or ID to center the analysis on.
    #[arg(long)]
    pub focus: Option<String>,
    /// How far before the window to look for causes.
    #[arg(long, default_value = "24h")]
    pub lookback: String,
    /// `aws iam get-account-authorization-details` output, for permission facts.
    #[arg(long)]
    pub iam_snapshot: Option<PathBuf>,
    /// backtrail.toml: actor kinds for named principals and patterns.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Show human identities instead of pseudonyms.
    #[arg(long, value_enum, default_value = "pseudonymise")]
    pub identities: Identities,
    /// Read the query library from this directory instead of the built-in copy.
    #[arg(long, env = "BACKTRAIL_QUERIES")]
    pub queries: Option<PathBuf>,
    /// CloudTrail log and digest files to check (as `backtrail verify`); the
    /// result goes in the report's data coverage. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub digests: Vec<PathBuf>,
    /// `aws cloudtrail list-public-keys` output, to check digest signatures too.
    #[arg(long, value_name = "FILE", requires = "digests")]
    pub public_keys: Option<PathBuf>,
}

impl AnalysisArgs {
    pub fn options(&self) -> anyhow::Result<IncidentOptions> {
        let config = match &self.config {
            Some(p) => Config::load(p)?,
            None => Config::default(),
        };
        if let Some(p) = &self.iam_snapshot {
            if crate::iam::load(p).is_none() {
                bail!(
                    "{} is not an `aws iam get-account-authorization-details` snapshot",
                    p.display()
                );
            }
        }
        Ok(IncidentOptions {
            from: self
                .from
                .as_deref()
                .map(|s| parse_time(s, "--from"))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .map(|s| parse_time(s, "--to"))
                .transpose()?,
            around: self
                .around
                .as_deref()
                .map(|s| parse_time(s, "--around"))
                .transpose()?,
            focus: self.focus.clone(),
            lookback: parse_duration(&self.lookback)?,
            iam_snapshot: self.iam_snapshot.clone(),
            config,
            config_path: self.config.as_ref().map(|p| p.display().to_string()),
            queries: self.queries.clone(),
            verification: if self.digests.is_empty() {
                None
            } else {
                Some(Verification::run(
                    &self.digests,
                    self.public_keys.as_deref(),
                )?)
            },
            // A command runs one analysis and exits.
            exiting: true,
        })
    }
}

/// Reconstruct the causal chain of an outage from the lake.
///
/// Without --from/--to or --around, the outage window is found from the
/// error rate. Writes the analysis as JSON (the documented contract in
/// docs/INCIDENT_JSON.md), Markdown or a self-contained HTML report.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail incident --lake lake --format html --out report.html
  backtrail incident --lake lake --around 2026-03-10T02:00:00Z --format json
  backtrail incident --lake lake --from 2026-03-10T01:00:00Z --to 2026-03-10T15:00:00Z --lookback 48h --format md --out report.md")]
pub struct IncidentArgs {
    /// The lake directory.
    #[arg(long)]
    pub lake: PathBuf,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Write here instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(a: IncidentArgs) -> anyhow::Result<u8> {
    let opts = a.analysis.options()?;
    let status = write_report(
        &Lake::new(&a.lake),
        &opts,
        a.analysis.identities,
        a.format,
        a.out.as_deref(),
    )?;
    Ok(match status {
        EvidenceStatus::Fine => crate::exit::OK,
        EvidenceStatus::DoesNotVerify => crate::exit::ATTENTION,
    })
}

fn write_report(
    lake: &Lake,
    opts: &IncidentOptions,
    ids: Identities,
    format: Format,
    out: Option<&Path>,
) -> anyhow::Result<EvidenceStatus> {
    let analysis = analyze(lake, opts)?;
    let status = match &analysis.coverage.verification {
        Some(v) if !v.verified => EvidenceStatus::DoesNotVerify,
        _ => EvidenceStatus::Fine,
    };
    let t0 = std::time::Instant::now();
    let v = report::prepare(&analysis, ids);
    tracing::debug!("incident: report prepared in {:?}", t0.elapsed());
    let text = match (format, out) {
        // Markdown gets its charts as SVG files beside it.
        (Format::Md, Some(p)) => {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("report");
            let dir_name = format!("{stem}-charts");
            let dir = p.parent().unwrap_or(Path::new(".")).join(&dir_name);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let charts = report::incident_charts(&v);
            for (name, svg) in [
                ("errors", &charts.errors),
                ("timeline", &charts.timeline),
                ("chain", &charts.chain),
            ] {
                std::fs::write(dir.join(format!("{name}.svg")), svg)?;
            }
            report::markdown::incident_with_charts(&v, Some(&dir_name))
        }
        _ => report::render_incident(&v, format)?,
    };
    tracing::debug!("incident: report rendered by {:?}", t0.elapsed());
    let mut w = super::output(out)?;
    w.write_all(text.as_bytes())?;
    w.flush()?;
    Ok(status)
}

/// Whether the supplied digests vouch for the exports (exit status 3 when not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EvidenceStatus {
    Fine,
    DoesNotVerify,
}

/// Ingest exports and write the postmortem report in one step.
///
/// The lake goes beside the output (`<report>.lake/`) unless --lake is given.
/// The format follows the output's extension (.html, .md, .json).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail postmortem sample-data/agent-env-rebuild --out report.html
  backtrail postmortem AWSLogs/ --around 2026-03-10T02:00:00Z --out report.md")]
pub struct PostmortemArgs {
    /// Export files or directories.
    #[arg(required = true, value_name = "EXPORT-PATH")]
    pub paths: Vec<PathBuf>,
    /// The report to write (.html, .md or .json).
    #[arg(long, short)]
    pub out: PathBuf,
    /// The lake to ingest into (default: beside the report).
    #[arg(long)]
    pub lake: Option<PathBuf>,
    #[command(flatten)]
    pub analysis: AnalysisArgs,
}

pub fn run_postmortem(a: PostmortemArgs, quiet: bool) -> anyhow::Result<u8> {
    let lake_dir = a.lake.clone().unwrap_or_else(|| {
        let mut p = a.out.clone().into_os_string();
        p.push(".lake");
        PathBuf::from(p)
    });
    let lake = Lake::new(&lake_dir);
    // The IAM snapshots found among the exports feed the analysis.
    let summary = crate::lake::ingest::ingest(
        &lake,
        &crate::lake::ingest::IngestOptions {
            inputs: a.paths.clone(),
            progress: !quiet,
            ..Default::default()
        },
    )?;
    if !quiet {
        eprintln!(
            "ingested {} new events into {} ({} rejected, {} files already there)",
            summary.events_written,
            lake_dir.display(),
            summary.rejected,
            summary.files_already_ingested
        );
    }
    let mut analysis = a.analysis.clone();
    if analysis.iam_snapshot.is_none() {
        analysis.iam_snapshot = find_snapshot(&a.paths);
    }
    // Digests among the exports: check the exports against them.
    if analysis.digests.is_empty() && summary.digest_files > 0 {
        analysis.digests = a.paths.clone();
    }
    let opts = analysis.options()?;
    let format = match a.out.extension().and_then(|e| e.to_str()) {
        Some("md") => Format::Md,
        Some("json") => Format::Json,
        _ => Format::Html,
    };
    let status = write_report(&lake, &opts, analysis.identities, format, Some(&a.out))?;
    if !quiet {
        eprintln!("wrote {}", a.out.display());
    }
    Ok(
        if summary.rejected > 0 || status == EvidenceStatus::DoesNotVerify {
            crate::exit::ATTENTION
        } else {
            crate::exit::OK
        },
    )
}

/// The newest IAM snapshot among the inputs (by name), if any.
fn find_snapshot(paths: &[PathBuf]) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for p in paths {
        for e in walkdir::WalkDir::new(p).into_iter().flatten() {
            if e.file_type().is_file()
                && e.path().extension().is_some_and(|x| x == "json")
                && crate::iam::load(e.path()).is_some()
            {
                found.push(e.path().to_path_buf());
            }
        }
    }
    found.sort();
    found.pop()
}
