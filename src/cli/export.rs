//! `backtrail export`.

use crate::lake::Lake;
use crate::lake::export::{ExportFormat, export};
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// One CloudTrail record per line.
    Ndjson,
    /// One S3-delivery document, {"Records":[...]}.
    Records,
}

/// Write the lake's records back out as CloudTrail JSON.
///
/// Each record is rebuilt from the lake's columns and equals the original as
/// a JSON value.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail export --lake lake > all.ndjson
  backtrail export --lake lake --format records --out records.json
  backtrail export --lake lake --with-source | head -1")]
pub struct ExportArgs {
    /// The lake directory.
    #[arg(long)]
    pub lake: PathBuf,
    /// Output shape.
    #[arg(long, value_enum, default_value = "ndjson")]
    pub format: Format,
    /// Wrap each record with its source file and index (ndjson only).
    #[arg(long)]
    pub with_source: bool,
    /// Write here instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(a: ExportArgs) -> anyhow::Result<u8> {
    let lake = Lake::new(&a.lake);
    if !lake.exists() {
        bail!(
            "{} is not a backtrail lake (no events/ or _backtrail/ inside)",
            a.lake.display()
        );
    }
    let fmt = match a.format {
        Format::Ndjson => ExportFormat::Ndjson,
        Format::Records => ExportFormat::Records,
    };
    let mut out = super::output(a.out.as_deref())?;
    let n = export(&lake, fmt, a.with_source, &mut out)
        .with_context(|| format!("exporting {}", a.lake.display()))?;
    tracing::info!("exported {n} records");
    Ok(crate::exit::OK)
}
