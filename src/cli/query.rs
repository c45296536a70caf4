//! `backtrail query`.

use crate::lake::Lake;
use crate::query::{self, OutputFormat, library};
use anyhow::{Context, bail};
use clap::Args;
use std::path::PathBuf;

/// Run SQL over the lake: a query of the library by name, a .sql file, or
/// inline SQL. The lake is the table `events` (partition column
/// `event_date`); filters on `event_date` and `event_time` prune files and
/// row groups.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail query --list
  backtrail query --lake lake destructive-calls --param from=2026-03-10T00:00:00Z
  backtrail query --lake lake my-question.sql --format csv --out result.csv
  backtrail query --lake lake \"SELECT iam_action, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC\" --limit 10")]
pub struct QueryArgs {
    /// The lake directory.
    #[arg(long, required_unless_present = "list")]
    pub lake: Option<PathBuf>,
    /// A library query name, a .sql file, or SQL text.
    #[arg(required_unless_present = "list")]
    pub query: Option<String>,
    /// A parameter, `name=value` (repeatable); see the query's header.
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// Write here instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// At most this many rows.
    #[arg(long)]
    pub limit: Option<u32>,
    /// List the library's queries with their descriptions and parameters.
    #[arg(long)]
    pub list: bool,
    /// Read the library from this directory instead of the built-in copy.
    #[arg(long, env = "BACKTRAIL_QUERIES")]
    pub queries: Option<PathBuf>,
}

pub fn run(a: QueryArgs) -> anyhow::Result<u8> {
    let dir = a.queries.as_deref();
    if a.list {
        let lib = library::library(dir)?;
        let mut out = super::output(a.out.as_deref())?;
        for q in lib.values() {
            writeln!(out, "{:<32} {}", q.name, q.description)?;
            for p in &q.params {
                writeln!(
                    out,
                    "{:<32}   --param {}=  (default {})",
                    "", p.name, p.default
                )?;
            }
        }
        return Ok(crate::exit::OK);
    }
    let (Some(lake), Some(text)) = (a.lake, a.query) else {
        bail!("--lake and a query are required");
    };
    let params: Vec<(String, String)> = a
        .params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .with_context(|| format!("--param {p:?} is not NAME=VALUE"))
        })
        .collect::<anyhow::Result<_>>()?;
    let q = if text.ends_with(".sql") && std::path::Path::new(&text).is_file() {
        let body = std::fs::read_to_string(&text).with_context(|| format!("reading {text}"))?;
        let stem = std::path::Path::new(&text)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("query");
        library::parse(stem, &body)?
    } else if text.split_whitespace().count() == 1 {
        library::get(dir, &text)?
    } else {
        library::parse("inline", &text)?
    };
    let sql = library::bind(&q, &params)?;
    if a.format == OutputFormat::Parquet && a.out.is_none() {
        bail!("--format parquet needs --out FILE");
    }
    let mut df = query::run_sql(&Lake::new(&lake), &q.name, &sql, a.limit)?;
    let mut out = super::output(a.out.as_deref())?;
    query::write_frame(&mut df, a.format, &mut out)
        .with_context(|| format!("writing the result of {}", q.name))?;
    out.flush()?;
    Ok(crate::exit::OK)
}
