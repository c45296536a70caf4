//! SQL over the lake with polars: a lazy scan of the Hive-partitioned Parquet
//! (partition pruning on `event_date`, predicates pushed into the scan),
//! registered as the table `events`.

pub mod library;

use crate::lake::{Lake, parquet_files};
use polars::prelude::*;
use polars::sql::SQLContext;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the lake at {0} holds no events yet; run `backtrail ingest` first")]
    EmptyLake(String),
    #[error("query {name}: {message}\n  in: {snippet}")]
    Polars {
        name: String,
        message: String,
        snippet: String,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The lake's `events` table as a lazy frame.
pub fn scan_events(lake: &Lake) -> Result<LazyFrame, RunError> {
    if parquet_files(lake)?.is_empty() {
        return Err(RunError::EmptyLake(lake.root.display().to_string()));
    }
    let glob = format!("{}/*/*.parquet", lake.events_dir().display());
    let args = ScanArgsParquet {
        hive_options: HiveOptions {
            enabled: Some(true),
            hive_start_idx: 0,
            schema: None,
            try_parse_dates: true,
        },
        glob: true,
        ..Default::default()
    };
    let lf = LazyFrame::scan_parquet(PlRefPath::from(glob.as_str()), args).map_err(|e| {
        RunError::Polars {
            name: "scan".into(),
            message: e.to_string(),
            snippet: glob.clone(),
        }
    })?;
    without_superseded(lf).map_err(|e| polars_error("scan", &glob, e))
}

/// Leave out events that a later record supersedes (`addendum.reason =
/// UPDATED_DATA` naming another event's ID). Usually there are none, and
/// the check reads one mostly-null column.
fn without_superseded(lf: LazyFrame) -> PolarsResult<LazyFrame> {
    let superseded = lf
        .clone()
        .filter(
            col("addendum_original_event_id")
                .is_not_null()
                .and(col("addendum_original_event_id").neq(col("event_id"))),
        )
        .select([col("addendum_original_event_id")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()?;
    if superseded.height() == 0 {
        return Ok(lf);
    }
    let ids = superseded
        .column("addendum_original_event_id")?
        .as_materialized_series()
        .clone();
    Ok(lf.filter(col("event_id").is_in(lit(ids), false).not()))
}

/// A polars error, with the query's name and the offending text.
pub fn polars_error(name: &str, sql: &str, e: PolarsError) -> RunError {
    RunError::Polars {
        name: name.to_string(),
        message: e.to_string(),
        snippet: snippet(sql, &e.to_string()),
    }
}

/// The partitions (`event_date`) that can hold events of `[from, to)`: a
/// predicate the scan prunes files by.
pub fn dates_between(from: i64, to: i64) -> Expr {
    let date = || col("event_date").cast(DataType::String);
    date()
        .gt_eq(lit(crate::event::time::date_string(from)))
        .and(date().lt_eq(lit(crate::event::time::date_string(to))))
}

/// The values of a library query's window parameters for `[from, to)`:
/// `from` and `to`, and the partition dates `from_date` and `to_date` that
/// prune the lake's files to the window's.
pub fn window_params(from: i64, to: i64) -> Vec<(String, String)> {
    let time = |us| {
        crate::event::time::from_micros(us)
            .map(|t| crate::event::time::format_event_time(&t))
            .unwrap_or_default()
    };
    vec![
        ("from".to_string(), time(from)),
        ("to".to_string(), time(to)),
        (
            "from_date".to_string(),
            crate::event::time::date_string(from),
        ),
        ("to_date".to_string(), crate::event::time::date_string(to)),
    ]
}

/// A query of the library (`queries` overrides the built-in one) with its
/// parameters bound: its name and SQL, or an error naming it.
pub fn library_sql(
    queries: Option<&std::path::Path>,
    name: &str,
    params: &[(String, String)],
) -> Result<(String, String), RunError> {
    let failed = |name: &str, e: library::QueryError| RunError::Polars {
        name: name.into(),
        message: e.to_string(),
        snippet: String::new(),
    };
    let q = library::get(queries, name).map_err(|e| failed(name, e))?;
    let sql = library::bind(&q, params).map_err(|e| failed(&q.name, e))?;
    Ok((q.name, sql))
}

/// Plan SQL over the lake, lazily.
pub fn run_sql_lazy(lake: &Lake, name: &str, sql: &str) -> Result<LazyFrame, RunError> {
    run_sql_on(scan_events(lake)?, name, sql)
}

/// Plan SQL over `events` given as a lazy frame (the lake's scan, perhaps
/// filtered first so the query sorts and projects fewer rows).
pub fn run_sql_on(events: LazyFrame, name: &str, sql: &str) -> Result<LazyFrame, RunError> {
    let mut ctx = SQLContext::new();
    ctx.register("events", events);
    ctx.execute(sql).map_err(|e| polars_error(name, sql, e))
}

/// Run SQL over the lake and collect the result.
pub fn run_sql(
    lake: &Lake,
    name: &str,
    sql: &str,
    limit: Option<u32>,
) -> Result<DataFrame, RunError> {
    let mut out = run_sql_lazy(lake, name, sql)?;
    if let Some(n) = limit {
        out = out.limit(n);
    }
    out.collect().map_err(|e| polars_error(name, sql, e))
}

/// The part of the SQL the error is about: a quoted identifier in the
/// message if it occurs in the SQL, else the statement's first line.
fn snippet(sql: &str, message: &str) -> String {
    let body: Vec<&str> = sql
        .lines()
        .filter(|l| !l.trim_start().starts_with("--") && !l.trim().is_empty())
        .collect();
    for quoted in message.split(['"', '\'', '`']).skip(1).step_by(2) {
        if quoted.len() > 1 {
            if let Some(l) = body.iter().find(|l| l.contains(quoted)) {
                return l.trim().to_string();
            }
        }
    }
    body.first()
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// Output formats for query results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned text table.
    Table,
    Csv,
    /// One JSON array of row objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Parquet file (needs --out).
    Parquet,
}

/// Write a result in the chosen format.
pub fn write_frame(
    df: &mut DataFrame,
    format: OutputFormat,
    out: &mut dyn std::io::Write,
) -> PolarsResult<()> {
    match format {
        OutputFormat::Table => {
            writeln!(out, "{df}").map_err(|e| PolarsError::IO {
                error: e.into(),
                msg: None,
            })?;
        }
        OutputFormat::Csv => {
            CsvWriter::new(out)
                .include_header(true)
                .with_datetime_format(Some("%Y-%m-%dT%H:%M:%S%.6fZ".into()))
                .finish(df)?;
        }
        OutputFormat::Json => {
            JsonWriter::new(out)
                .with_json_format(JsonFormat::Json)
                .finish(df)?;
        }
        OutputFormat::Ndjson => {
            JsonWriter::new(out)
                .with_json_format(JsonFormat::JsonLines)
                .finish(df)?;
        }
        OutputFormat::Parquet => {
            ParquetWriter::new(out)
                .with_compression(ParquetCompression::Zstd(None))
                .finish(df)?;
        }
    }
    Ok(())
}
