//! `backtrail ingest`.

use crate::exit;
use crate::formats::Limits;
use crate::lake::Lake;
use crate::lake::ingest::{IngestOptions, IngestSummary, ingest};
use clap::Args;
use std::path::PathBuf;

/// Ingest CloudTrail exports into a Parquet lake.
///
/// PATH is a file or a directory (walked recursively). Formats are recognised
/// by content: S3 delivery files ({"Records":[...]}, gzip or plain), NDJSON,
/// JSON arrays, single records, `aws cloudtrail lookup-events` output,
/// EventBridge envelopes and CloudWatch Logs subscription messages. IAM
/// authorization-details snapshots and digest files are recognised and
/// counted, not ingested. Each eventID is kept once; records that cannot be
/// ingested go to <LAKE>/_backtrail/rejects/ with the reason and original bytes.
/// Running the same ingest again adds nothing.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail ingest sample-data/agent-env-rebuild --lake lake
  backtrail ingest AWSLogs/ lookup-events.json --lake lake --json
  backtrail ingest exports/ --lake lake --strict

Exit codes: 0 all ingested; 1 error; 3 some records rejected or files
unrecognised/unreadable (see the summary); 4 --strict and something was
rejected (the lake is unchanged).")]
pub struct IngestArgs {
    /// Files or directories to ingest.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The lake directory (created if missing).
    #[arg(long)]
    pub lake: PathBuf,
    /// Fail, leaving the lake unchanged, if any record is rejected or any file is unreadable.
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Decoding threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Largest record or NDJSON line accepted, in bytes.
    #[arg(long, default_value_t = crate::event::DEFAULT_MAX_RECORD_BYTES)]
    pub max_record_bytes: usize,
    /// Largest non-line-delimited JSON document, decompressed, in bytes.
    #[arg(long, default_value_t = 1 << 30)]
    pub max_document_bytes: usize,
    /// Largest decompressed size of one file, in bytes (gzip bomb guard).
    #[arg(long, default_value_t = 64 << 30)]
    pub max_decompressed_bytes: u64,
    /// Memory for rows waiting to be written, in MiB, as Arrow arrays: a
    /// day's rows are written to a Parquet file when the buffer is full.
    /// Peak memory is about three times this plus the event-ID index
    /// (at most 32 MiB in memory, the rest on disk while the run lasts).
    #[arg(long, default_value_t = crate::lake::ingest::DEFAULT_BUFFER_MIB)]
    pub buffer_mib: usize,
    /// Event IDs the duplicate index keeps in memory before it writes them
    /// to disk (for tests: a small number spills and merges constantly).
    #[arg(long, default_value_t = crate::lake::ingest::DEFAULT_INDEX_KEYS, hide = true)]
    pub index_keys_in_memory: usize,
}

pub fn run(a: IngestArgs, quiet: bool) -> anyhow::Result<u8> {
    let lake = Lake::new(&a.lake);
    let opts = IngestOptions {
        inputs: a.paths.clone(),
        limits: Limits {
            max_record_bytes: a.max_record_bytes,
            max_document_bytes: a.max_document_bytes,
            max_decompressed_bytes: a.max_decompressed_bytes,
        },
        strict: a.strict,
        threads: a.threads,
        progress: !quiet && !a.json,
        buffer_bytes: a.buffer_mib << 20,
        index_keys_in_memory: a.index_keys_in_memory,
    };
    let s = ingest(&lake, &opts)?;
    if a.json {
        println!("{}", serde_json::to_string(&s)?);
    } else if !quiet {
        print_summary(&s);
    }
    Ok(if s.aborted_strict {
        exit::STRICT_ABORT
    } else if s.has_problems() {
        exit::ATTENTION
    } else {
        exit::OK
    })
}

fn print_summary(s: &IngestSummary) {
    let mut o = String::new();
    use std::fmt::Write;
    let _ = writeln!(o, "backtrail ingest into {} (run {})", s.lake, s.run_id);
    let _ = writeln!(
        o,
        "  files: {} seen, {} already ingested",
        s.files_seen, s.files_already_ingested
    );
    for (f, n) in &s.files {
        let _ = writeln!(o, "    {n:>8}  {f}");
    }
    let _ = writeln!(o, "  valid records:          {}", s.valid_records);
    let _ = writeln!(o, "  events written:         {}", s.events_written);
    let _ = writeln!(o, "  exact duplicates:       {}", s.duplicates_exact);
    let _ = writeln!(o, "  conflicting duplicates: {}", s.duplicates_conflicting);
    let _ = writeln!(o, "  rejected:               {}", s.rejected);
    let _ = writeln!(
        o,
        "  read {:.1} MB ({:.1} MB decompressed) in {:.2} s, {:.0} records/s",
        s.bytes_read as f64 / 1e6,
        s.bytes_decompressed as f64 / 1e6,
        s.seconds,
        s.events_per_second
    );
    if s.files_seen > 0 && s.files_seen == s.files_already_ingested {
        let _ = writeln!(o, "  nothing new: every file was already ingested");
    }
    for p in &s.unrecognized {
        let _ = writeln!(o, "  unrecognized: {}: {}", p.path, p.message);
    }
    for p in &s.file_errors {
        let _ = writeln!(o, "  problem: {}: {}", p.path, p.message);
    }
    if let Some(r) = &s.rejects_file {
        let _ = writeln!(o, "  rejected records with reasons: {r}");
    }
    if let Some(c) = &s.conflicts_file {
        let _ = writeln!(o, "  conflicting duplicates set aside: {c}");
    }
    if !s.recovered_runs.is_empty() {
        let _ = writeln!(
            o,
            "  completed interrupted runs: {}",
            s.recovered_runs.join(", ")
        );
    }
    if s.aborted_strict {
        let _ = writeln!(
            o,
            "  --strict: records were rejected, so nothing was written"
        );
    }
    print!("{o}");
}
