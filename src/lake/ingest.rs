//! Ingest: export files in, lake rows out.
//!
//! Worker threads (one per core) each take the next input file, decode and
//! normalize its records, and stream them in chunks to the writer (a
//! chunk holds the records of as many files as fill it: see `Outbox`). The
//! writer consumes files in delivery order (the time in an S3 delivery
//! file's name, then sorted path; so which copy of a conflicting duplicate
//! is kept never depends on thread timing), drops
//! duplicates, buffers rows per day and hands full buffers to encoder
//! threads, which append each, sorted, as row groups to one of its day's
//! open Parquet files in staging (`encode.rs`). Memory is bounded by
//! the buffer size and the channels, not by the input.

use super::commit::{self, Move, RunRecord, SourceEntry};
use super::dedup::{self, Dedup, IdKeys, Verdict};
use super::encode::{Files, Job, Plan};
use super::write::{self, Selection};
use super::{Lake, read};
use crate::event::{self, Origin};
use crate::formats::{self, Content, FileReport, Limits, Location, Sink};
use arrow::array::{Int64Array, RecordBatch, StringArray};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::io::{self, BufWriter, Write};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::time::Instant;

/// The content hashes of the files the lake already holds.
type Known = std::collections::HashSet<formats::source::ContentHash>;

/// The default of `--buffer-mib`: memory for rows waiting to be written,
/// counted as the rows' data (`write::buffered_bytes`). The Arrow buffers
/// holding them take more (builders grow by doubling, and a chunk cut at
/// a day's end leaves room unused): 30 MiB of data flushes as many rows at
/// a time as the 48 MiB of buffers counted before (1M events: 77 flushes
/// of 13.0k rows against 76 of 13.2k; peak 317 to 331 MiB against 312;
/// 1M events in 218k tiny files: 428 to 438 MiB against 427; with
/// 36 MiB of data: 331 and 469 to 525 MiB).
pub const DEFAULT_BUFFER_MIB: usize = 30;
/// The default of `index_keys_in_memory`: 32 MiB of the event-ID index.
pub const DEFAULT_INDEX_KEYS: usize = dedup::DEFAULT_CAP;

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub inputs: Vec<PathBuf>,
    pub limits: Limits,
    /// Any rejected record or unreadable file fails the run, lake unchanged.
    pub strict: bool,
    /// Decoding threads (0: one per core).
    pub threads: usize,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Rows buffered before a Parquet file is written, in approximate bytes.
    pub buffer_bytes: usize,
    /// Event IDs the duplicate index holds in memory; past that, on disk.
    pub index_keys_in_memory: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            inputs: Vec::new(),
            limits: Limits::default(),
            strict: false,
            threads: 0,
            progress: false,
            buffer_bytes: DEFAULT_BUFFER_MIB << 20,
            index_keys_in_memory: DEFAULT_INDEX_KEYS,
        }
    }
}

/// A file that could not be read, or was read only in part.
#[derive(Debug, Clone, Serialize)]
pub struct FileProblem {
    pub path: String,
    pub message: String,
}

/// What an ingest did. Serialized as the `--json` summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestSummary {
    pub run_id: String,
    pub lake: String,
    /// Files by recognised format (`unrecognized` included).
    pub files: BTreeMap<String, u64>,
    pub files_seen: u64,
    /// Files whose content an earlier run already ingested.
    pub files_already_ingested: u64,
    pub valid_records: u64,
    pub events_written: u64,
    pub duplicates_exact: u64,
    pub duplicates_conflicting: u64,
    pub rejected: u64,
    pub unrecognized_files: u64,
    pub unreadable_files: u64,
    pub iam_snapshots: Vec<String>,
    pub digest_files: u64,
    pub unrecognized: Vec<FileProblem>,
    pub file_errors: Vec<FileProblem>,
    pub bytes_read: u64,
    pub bytes_decompressed: u64,
    pub partitions: Vec<String>,
    pub parquet_files_written: u64,
    pub seconds: f64,
    pub events_per_second: f64,
    /// Runs an earlier, interrupted ingest left, completed by this one.
    pub recovered_runs: Vec<String>,
    /// `--strict` and something was rejected: nothing was committed.
    pub aborted_strict: bool,
    pub rejects_file: Option<String>,
    pub conflicts_file: Option<String>,
}

impl IngestSummary {
    /// Anything rejected, unreadable or unrecognised.
    pub fn has_problems(&self) -> bool {
        self.rejected > 0
            || self.unreadable_files > 0
            || self.unrecognized_files > 0
            || !self.file_errors.is_empty()
    }
}

/// Errors that stop an ingest.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("input {0} does not exist")]
    MissingInput(PathBuf),
    #[error("lake {path}: {source}")]
    Lake { path: PathBuf, source: io::Error },
}

fn lake_err(lake: &Lake) -> impl Fn(io::Error) -> IngestError + '_ {
    move |source| IngestError::Lake {
        path: lake.root.clone(),
        source,
    }
}

/// One input file to read.
#[derive(Debug, Clone)]
struct Input {
    path: PathBuf,
    /// Leading components of `path` that are the PATH argument it came
    /// from. Its relative path is made when needed, not kept: a trail of a
    /// million delivery files would hold a second copy of every path.
    skip: usize,
}

impl Input {
    /// Relative to the PATH argument it came from, `/`-separated.
    fn rel(&self) -> String {
        let mut rel = String::new();
        for c in self.path.components().skip(self.skip) {
            if !rel.is_empty() {
                rel.push('/');
            }
            rel.push_str(&c.as_os_str().to_string_lossy());
        }
        rel
    }
}

/// A record that could not be ingested, as written to the rejects file.
#[derive(Debug, Serialize)]
struct RejectRow {
    source_file: String,
    source_index: Option<u64>,
    location: String,
    reason: String,
    /// The original bytes, when they are UTF-8.
    original: Option<String>,
    /// The original bytes in hex, when they are not.
    original_hex: Option<String>,
}

#[derive(Debug, Serialize)]
struct ConflictRow<'a> {
    event_id: &'a str,
    kept: Reference,
    set_aside: Reference,
    record: serde_json::Value,
}

#[derive(Debug, Serialize, Clone)]
struct Reference {
    source_file: Option<String>,
    source_index: Option<u64>,
    in_lake_before_this_run: bool,
}

enum Msg {
    /// Decoded events: a file's rows of a chunk its decoder shares between
    /// files.
    Events(Rows),
    Reject(RejectRow),
    Done(Box<FileDone>),
}

/// A decoder's chunk of rows, in the lake's schema: the records of its
/// next files, of one UTC day. The files' messages share it, and so do
/// their rows in the day's buffer, which keep it whole in memory until
/// the day is flushed.
struct Chunk {
    batch: RecordBatch,
    /// The event IDs' [`IdKeys::key`]s, computed by the decoder.
    keys: Vec<u128>,
    /// The UTC day of every row (days since the epoch).
    day: i64,
}

/// One file's rows in a message to the writer: rows `start..start + len`
/// of a chunk.
struct Rows {
    chunk: Arc<Chunk>,
    start: usize,
    len: usize,
    /// Their [`write::rows_bytes`], counted by the decoder.
    data: usize,
    /// Bytes of the records' text (see [`AHEAD_BYTES`]).
    text: usize,
}

#[derive(Default)]
struct FileDone {
    /// The file's [`Input::rel`], made once by its decoder.
    rel: String,
    report: Option<FileReport>,
    error: Option<String>,
    /// An earlier run ingested the same content.
    already: bool,
    sha256: formats::source::ContentHash,
    size: u64,
}

/// A decoder sends its events in batches of at most this many rows...
const CHUNK: usize = 1024;
/// ...or of records of at most this many bytes in all.
const CHUNK_BYTES: usize = 64 << 20;

/// A decoder starts a file at least this many files ahead of the writer
/// per decoder...
const AHEAD_FILES_PER_DECODER: usize = 2;
/// ...and further ahead, up to this many files, while the records sent and
/// not yet taken by the writer are under [`AHEAD_BYTES`]: a trail of tiny
/// delivery files needs many files in flight to fill a chunk, a slow big
/// file must not make finished ones pile up in memory behind it.
const AHEAD_FILES_MAX: usize = 4096;
const AHEAD_BYTES: usize = 8 << 20;

/// A decoder's rows and messages not yet sent. Its files' records are
/// gathered into one chunk across files (a trail of tiny delivery files
/// built, sent, buffered and freed a 67-column batch per file of about 5
/// records), and each file's rejects and end wait with its rows. A chunk
/// holds one UTC day's rows: its files' slices go to one day's buffer and
/// are freed together (a slice keeps its whole chunk in memory, and a
/// slice of late events left in a small day's buffer kept its chunk until
/// the end of the run). `flush` sends them file by file in input order,
/// so a decoder waits on a file's channel only once everything of its
/// earlier files is sent: the writer, which takes files in input order, is
/// then at that file or before it, never waiting on a file held back here.
struct Outbox<'a> {
    chunk: event::schema::BatchBuilder,
    /// `chunk` has room for a chunk of rows: sized at a chunk's first
    /// row, not by each flush (the last flush needs none).
    sized: bool,
    /// The shape of the last chunk, to size the next.
    room: event::schema::Room,
    /// The chunk's [`IdKeys::key`]s.
    keys: Vec<u128>,
    /// Bytes of the records in the chunk and of the waiting rejects.
    bytes: usize,
    /// The UTC day of the chunk's rows (days since the epoch).
    day: i64,
    /// Files whose rows or messages are not all sent, in input order; all
    /// but the last have been read to their end.
    files: Vec<Pending>,
    /// Bytes of records sent to the writer and not yet taken (all decoders).
    ahead: &'a AtomicUsize,
}

/// What one file has waiting in its decoder's [`Outbox`].
struct Pending {
    tx: SyncSender<Msg>,
    /// The file's rows in the chunk, after those of the files before it.
    rows: usize,
    /// Bytes of their records.
    text: usize,
    rejects: Vec<RejectRow>,
    /// Set once the file has been read to its end.
    done: Option<Box<FileDone>>,
    /// Records that could not be made into a batch, and why (never
    /// expected: the builders are the schema's own); the file is then
    /// reported as failed.
    unstored: usize,
    store_error: Option<String>,
    /// Receiver gone: nothing more is sent.
    closed: bool,
}

impl Pending {
    fn new(tx: SyncSender<Msg>) -> Self {
        Pending {
            tx,
            rows: 0,
            text: 0,
            rejects: Vec::new(),
            done: None,
            unstored: 0,
            store_error: None,
            closed: false,
        }
    }

    fn send(&mut self, m: Msg) {
        if !self.closed && self.tx.send(m).is_err() {
            self.closed = true;
        }
    }
}

impl<'a> Outbox<'a> {
    fn new(ahead: &'a AtomicUsize) -> Self {
        Outbox {
            chunk: event::schema::BatchBuilder::with_rows(0),
            sized: false,
            room: event::schema::Room::default(),
            keys: Vec::new(),
            bytes: 0,
            day: 0,
            files: Vec::new(),
            ahead,
        }
    }

    /// The file being read.
    fn current(&mut self) -> &mut Pending {
        self.files
            .last_mut()
            .expect("a file is begun before its records")
    }

    /// A record's event, into the chunk; a new chunk when the day changes.
    fn push(&mut self, ev: &event::Event<'_>, key: u128, text: usize) {
        let day = day_of(ev.event_time);
        if day != self.day && !self.chunk.is_empty() {
            self.flush();
        }
        self.day = day;
        if !self.sized {
            // Builders shaped like the last chunk, not grown from nothing.
            let room = &self.room;
            self.chunk = event::schema::BatchBuilder::sized_like(
                room,
                room.rows_to_bytes(CHUNK, CHUNK_BYTES),
            );
            self.keys.reserve(CHUNK);
            self.sized = true;
        }
        self.chunk.push(ev);
        self.keys.push(key);
        self.bytes += text;
        let p = self.current();
        p.rows += 1;
        p.text += text;
        self.flush_if_full();
    }

    /// A record that could not be stored, of `bytes` bytes.
    fn reject(&mut self, row: RejectRow, bytes: usize) {
        self.bytes += bytes;
        self.current().rejects.push(row);
        self.flush_if_full();
    }

    fn flush_if_full(&mut self) {
        if self.chunk.len() >= CHUNK
            || self.bytes >= CHUNK_BYTES
            || self.current().rejects.len() >= CHUNK
        {
            self.flush();
        }
    }

    /// Send what is waiting: the chunk, cut into each file's rows, and
    /// each file's rejects and, once read, its end.
    fn flush(&mut self) {
        let batch = (!self.chunk.is_empty()).then(|| {
            self.room = self.chunk.room(self.files.iter().map(|p| p.text).sum());
            self.chunk.finish().map(|batch| {
                Arc::new(Chunk {
                    batch,
                    keys: std::mem::take(&mut self.keys),
                    day: self.day,
                })
            })
        });
        self.sized = false;
        self.bytes = 0;
        self.keys.clear();
        let mut at = 0;
        let mut reading = None;
        for mut p in self.files.drain(..) {
            if p.rows > 0 {
                match &batch {
                    Some(Ok(chunk)) => {
                        let text = p.text;
                        self.ahead.fetch_add(text, Ordering::Relaxed);
                        p.send(Msg::Events(Rows {
                            chunk: Arc::clone(chunk),
                            start: at,
                            len: p.rows,
                            data: write::rows_bytes(&chunk.batch, &[at..at + p.rows]),
                            text,
                        }));
                    }
                    Some(Err(e)) => {
                        p.unstored += p.rows;
                        p.store_error.get_or_insert_with(|| e.to_string());
                    }
                    None => {}
                }
                at += p.rows;
                p.rows = 0;
                p.text = 0;
            }
            for r in std::mem::take(&mut p.rejects) {
                p.send(Msg::Reject(r));
            }
            match p.done.take() {
                Some(mut done) => {
                    if let Some(e) = p.store_error.take() {
                        let stored = format!("{} records could not be stored: {e}", p.unstored);
                        done.error = Some(match done.error.take() {
                            Some(read) => format!("{read}; {stored}"),
                            None => stored,
                        });
                    }
                    p.send(Msg::Done(done));
                }
                None => reading = Some(p),
            }
        }
        self.files.extend(reading);
    }
}

/// A file's records into its decoder's [`Outbox`].
struct WorkerSink<'a, 'o> {
    rel: &'a str,
    keys: &'a IdKeys,
    format: String,
    limits: &'a Limits,
    out: &'a mut Outbox<'o>,
}

fn reject_row(
    rel: &str,
    bytes: &[u8],
    index: Option<u64>,
    at: Location,
    reason: String,
) -> RejectRow {
    let (original, original_hex) = match std::str::from_utf8(bytes) {
        Ok(s) => (Some(s.to_string()), None),
        Err(_) => (None, Some(hex::encode(bytes))),
    };
    RejectRow {
        source_file: rel.to_string(),
        source_index: index,
        location: at.to_string(),
        reason,
        original,
        original_hex,
    }
}

impl Sink for WorkerSink<'_, '_> {
    fn begin(&mut self, format: &str) {
        self.format = format.to_string();
    }
    fn record(&mut self, text: &str, index: u64, at: Location) {
        let origin = Origin {
            source_file: self.rel,
            source_index: index as i64,
            source_format: &self.format,
        };
        match event::normalize(text, origin, self.limits.max_record_bytes) {
            Ok(ev) => self.out.push(&ev, self.keys.key(&ev.event_id), text.len()),
            Err(e) => {
                let row = reject_row(self.rel, text.as_bytes(), Some(index), at, e.to_string());
                self.out.reject(row, text.len());
            }
        }
    }
    fn reject(&mut self, bytes: &[u8], index: Option<u64>, at: Location, reason: String) {
        let row = reject_row(self.rel, bytes, index, at, reason);
        self.out.reject(row, bytes.len());
    }
}

/// Files up to this size are read into memory once, hashed and decoded
/// from there; larger ones are streamed twice (hash, then decode).
const READ_WHOLE_BYTES: u64 = 64 << 20;
/// Largest file buffer kept for a decoder thread's next file.
const KEEP_FILE_BUF: usize = 16 << 20;

thread_local! {
    /// A decoder thread's buffer for a file's stored bytes.
    static FILE_BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Decode a file into its decoder's outbox, which sends its rows and
/// messages to `tx` (see [`Outbox`]).
fn process_file(
    input: &Input,
    keys: &IdKeys,
    limits: &Limits,
    known: &Known,
    tx: SyncSender<Msg>,
    out: &mut Outbox<'_>,
) {
    out.files.push(Pending::new(tx));
    let mut done = FileDone::default();
    let rel = input.rel();
    let mut sink = WorkerSink {
        rel: &rel,
        keys,
        format: String::new(),
        limits,
        out,
    };
    let mut buf = crate::scratch::take(&FILE_BUF);
    if let Err(e) = hash_and_decode(&input.path, &mut buf, limits, known, &mut sink, &mut done) {
        done.error = Some(format!("cannot read: {e}"));
    }
    crate::scratch::keep(&FILE_BUF, buf, KEEP_FILE_BUF);
    done.rel = rel;
    out.current().done = Some(Box::new(done));
}

/// Hash a file and, unless the lake already has it, decode it into `sink`:
/// from memory (read once into `buf`) when it is small, streamed twice
/// when not. A file that changed before its records were all read is
/// reported: what was read is consistent but may be incomplete.
fn hash_and_decode(
    path: &std::path::Path,
    buf: &mut Vec<u8>,
    limits: &Limits,
    known: &Known,
    sink: &mut WorkerSink<'_, '_>,
    done: &mut FileDone,
) -> io::Result<()> {
    let whole = formats::source::read_small(path, READ_WHOLE_BYTES, buf)?;
    let (sha, size) = match whole {
        Some(_) => (formats::source::sha256(buf), buf.len() as u64),
        None => formats::source::hash_file(path)?,
    };
    done.sha256 = sha;
    done.size = size;
    if known.contains(&sha) {
        done.already = true;
        return Ok(());
    }
    let (mut report, changed) = match whole {
        Some(stamp) => {
            let report = formats::decode_bytes(buf, limits, sink);
            (report, stamp.changed(path))
        }
        None => {
            let report = formats::decode_file(path, limits, sink)?;
            let changed = report.stored_sha256.is_some_and(|s| s != sha)
                || report.stored_bytes.is_some_and(|b| b != size);
            (report, changed)
        }
    };
    if changed {
        report.errors.push(
            "the file changed while it was being read; run the ingest again once it is complete"
                .into(),
        );
    }
    done.report = Some(report);
    Ok(())
}

/// Walk the inputs: files as given, directories recursively, sorted.
fn collect_inputs(
    opts: &IngestOptions,
    lake: &Lake,
    problems: &mut Vec<FileProblem>,
) -> Result<Vec<Input>, IngestError> {
    let lake_canon = fs::canonicalize(&lake.root).ok();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for root in &opts.inputs {
        let meta = fs::metadata(root).map_err(|_| IngestError::MissingInput(root.clone()))?;
        // A file given by name is known by its name.
        let skip = root.components().count();
        if meta.is_file() {
            if seen.insert(fs::canonicalize(root).unwrap_or(root.clone())) {
                out.push(Input {
                    path: root.clone(),
                    skip: skip.saturating_sub(1),
                });
            }
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name();
        // Each directory's canonical path, found once: canonicalising every
        // file asked the kernel for each component of its path again (11
        // `readlink` calls a file for S3 delivery's layout, 88,786 for the
        // 8,071 files of 1M events).
        let mut canonical_dirs: std::collections::HashMap<PathBuf, Option<PathBuf>> =
            std::collections::HashMap::new();
        for entry in walker {
            match entry {
                Err(e) => problems.push(FileProblem {
                    path: e
                        .path()
                        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
                        .unwrap_or_else(|| root.display().to_string()),
                    message: if e.loop_ancestor().is_some() {
                        "symbolic link loop; not followed".into()
                    } else {
                        format!("cannot read: {e}")
                    },
                }),
                Ok(e) => {
                    if !e.file_type().is_file() {
                        continue;
                    }
                    let p = e.path().to_path_buf();
                    let canon = canonical_file(&p, e.path_is_symlink(), &mut canonical_dirs);
                    if lake_canon.as_ref().is_some_and(|l| canon.starts_with(l)) {
                        continue;
                    }
                    if !seen.insert(canon) {
                        continue;
                    }
                    out.push(Input { path: p, skip });
                }
            }
        }
    }
    // Delivery files in the order they were delivered, across accounts and
    // regions (files without a delivery time first, as found): a day's
    // rows then come together and are written in a few large row groups.
    // In path order an organisation's trail brings each day once per
    // account and region, and each time as a few hundred rows (1M events
    // over 200 days in 4 account-regions: 794 row groups of 1,260 rows).
    out.sort_by_cached_key(|i| delivery_time(&i.path));
    Ok(out)
}

/// The delivery time in the name of an S3 delivery file
/// (`<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<unique>.json.gz`),
/// as its 14 bytes, which sort as the times do.
fn delivery_time(path: &std::path::Path) -> Option<[u8; 14]> {
    const MARK: &[u8] = b"_CloudTrail_";
    let name = path.file_name()?.as_encoded_bytes();
    let after = memchr::memmem::find(name, MARK)? + MARK.len();
    let rest = name.get(after..)?;
    rest.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'_')
        .find_map(|(i, _)| {
            let t: [u8; 14] = rest.get(i + 1..i + 15)?.try_into().ok()?;
            let shape = t.iter().enumerate().all(|(j, b)| match j {
                8 => *b == b'T',
                13 => *b == b'Z',
                _ => b.is_ascii_digit(),
            });
            (shape && rest.get(i + 15) == Some(&b'_')).then_some(t)
        })
}

/// `fs::canonicalize(path)` (or `path` when that fails), for a file that
/// is not itself a symbolic link: its directory's canonical path (cached in
/// `dirs`) and its name. A link is canonicalised whole.
fn canonical_file(
    path: &std::path::Path,
    is_link: bool,
    dirs: &mut std::collections::HashMap<PathBuf, Option<PathBuf>>,
) -> PathBuf {
    let whole = || fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let (false, Some(dir), Some(name)) = (is_link, path.parent(), path.file_name()) else {
        return whole();
    };
    if !dirs.contains_key(dir) {
        dirs.insert(dir.to_path_buf(), fs::canonicalize(dir).ok());
    }
    match dirs.get(dir).and_then(Option::as_ref) {
        Some(d) => d.join(name),
        None => whole(),
    }
}

fn new_run_id() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    let now = chrono::Utc::now();
    h.write_i64(now.timestamp_nanos_opt().unwrap_or(0));
    format!(
        "{}-{:08x}",
        now.format("%Y%m%dT%H%M%S%.3fZ")
            .to_string()
            .replace('.', ""),
        h.finish() as u32
    )
}

struct Staged {
    rel_staged: String,
    rel_target: String,
}

/// The writer's state for one run.
struct Writer<'l> {
    lake: &'l Lake,
    run_id: String,
    /// Per UTC day (days since the epoch).
    buffers: BTreeMap<i64, DayBuffer>,
    buffered_bytes: usize,
    limit: usize,
    /// The day the latest batch went to.
    last_day: Option<i64>,
    /// Which file each flushed buffer is appended to.
    plan: Plan,
    staged: Vec<Staged>,
    encode_tx: Option<SyncSender<Job>>,
    partitions: std::collections::BTreeSet<String>,
}

/// The columns of a decoded batch the writer reads.
struct BatchColumns<'b> {
    record_hash: &'b StringArray,
    source_index: &'b Int64Array,
}

impl<'b> BatchColumns<'b> {
    fn of(batch: &'b RecordBatch) -> io::Result<Self> {
        Ok(BatchColumns {
            record_hash: event::schema::required_column(batch, "record_hash")?,
            source_index: event::schema::required_column(batch, "source_index")?,
        })
    }
}

const DAY_US: i64 = 86_400_000_000;

/// One day's buffered events: rows of the chunks the decoders sent, each
/// chunk's rows gathered as ranges of it (files' rows are not copied:
/// copying small batches into bigger ones cost 3 % of ingest's CPU and
/// raised the peak; 1M events: 9.66 s to 9.38 s, 375 to 348 MiB peak).
#[derive(Default)]
struct DayBuffer {
    pieces: Vec<Piece>,
    events: usize,
    /// Memory the rows hold ([`write::buffered_bytes`]).
    bytes: usize,
}

/// Rows of one chunk in a day's buffer.
struct Piece {
    chunk: Arc<Chunk>,
    ranges: Vec<Range<usize>>,
}

/// How many of a day's latest pieces are searched for the chunk of a
/// file's rows: the decoders take files in turn, so the chunk the next file
/// of a decoder adds to is a few pieces back.
const PIECES_SEARCHED: usize = 8;

impl DayBuffer {
    fn add(&mut self, chunk: &Arc<Chunk>, ranges: Vec<Range<usize>>) {
        let recent = self.pieces.iter_mut().rev().take(PIECES_SEARCHED);
        match recent.into_iter().find(|p| Arc::ptr_eq(&p.chunk, chunk)) {
            Some(p) => {
                for r in ranges {
                    write::push_range(&mut p.ranges, r);
                }
            }
            None => self.pieces.push(Piece {
                chunk: Arc::clone(chunk),
                ranges,
            }),
        }
    }
}

fn day_of(micros: i64) -> i64 {
    micros.div_euclid(DAY_US)
}

impl Writer<'_> {
    /// Buffer rows `ranges` of `chunk`, a file's new events; `data` is
    /// their [`write::rows_bytes`].
    fn push_rows(
        &mut self,
        chunk: &Arc<Chunk>,
        ranges: Vec<Range<usize>>,
        data: usize,
    ) -> io::Result<()> {
        let rows: usize = ranges.iter().map(ExactSizeIterator::len).sum();
        if rows == 0 {
            return Ok(());
        }
        let day = chunk.day;
        self.last_day = Some(day);
        // Counted from the rows, not the chunk they share with other
        // files' rows, so when a day is flushed depends on the input alone.
        let size = write::buffered_bytes(&chunk.batch, data);
        let b = self.buffers.entry(day).or_default();
        b.events += rows;
        b.bytes += size;
        b.add(chunk, ranges);
        self.buffered_bytes += size;
        while self.buffered_bytes > self.limit {
            // The largest day other than the one just added to, which is
            // likely to keep growing: a finished day's remainder must not sit
            // in the buffer while the current day is written in small files
            // (at 1M events that halved the files' size). The current day
            // when it is alone.
            let current = self.last_day;
            let Some(day) = self
                .buffers
                .iter()
                .max_by_key(|(d, b)| (Some(**d) != current, b.bytes))
                .map(|(k, _)| *k)
            else {
                break;
            };
            self.flush_day(day)?;
        }
        Ok(())
    }

    fn flush_day(&mut self, day: i64) -> io::Result<()> {
        let Some(DayBuffer {
            pieces,
            events,
            bytes,
        }) = self.buffers.remove(&day)
        else {
            return Ok(());
        };
        self.buffered_bytes = self.buffered_bytes.saturating_sub(bytes);
        tracing::debug!(
            "writing day {day}: {events} events in {} chunks, {} MiB buffered",
            pieces.len(),
            bytes >> 20
        );
        if events == 0 {
            return Ok(());
        }
        let date = event::time::date_string(day * DAY_US);
        let part = format!("event_date={date}");
        let (run_id, staged) = (&self.run_id, &mut self.staged);
        let dir = format!("_backtrail/staging/{run_id}/events/{part}");
        let dir = self.lake.root.join(dir);
        fs::create_dir_all(&dir)?;
        let rows = pieces
            .into_iter()
            .map(|p| Selection {
                batch: p.chunk.batch.clone(),
                ranges: p.ranges,
            })
            .collect();
        let jobs = self.plan.jobs(day, rows, events, |no| {
            let name = format!("part-{run_id}-{no:05}.parquet");
            staged.push(Staged {
                rel_staged: format!("_backtrail/staging/{run_id}/events/{part}/{name}"),
                rel_target: format!("events/{part}/{name}"),
            });
            dir.join(name)
        });
        self.partitions.insert(date);
        for job in jobs {
            if let Some(tx) = &self.encode_tx {
                tx.send(job)
                    .map_err(|_| io::Error::other("the Parquet encoder stopped"))?;
            }
        }
        Ok(())
    }

    fn flush_all(&mut self) -> io::Result<()> {
        let days: Vec<i64> = self.buffers.keys().copied().collect();
        for d in days {
            self.flush_day(d)?;
        }
        Ok(())
    }
}

/// Ingest `opts.inputs` into `lake`.
pub fn ingest(lake: &Lake, opts: &IngestOptions) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    let started_at = chrono::Utc::now();
    let le = lake_err(lake);
    fs::create_dir_all(lake.events_dir()).map_err(&le)?;
    let _lock = commit::lock(lake).map_err(&le)?;
    let recovered = commit::recover(lake).map_err(&le)?;
    for r in &recovered {
        tracing::warn!("completed the commit of an interrupted ingest run {r}");
    }
    let known = commit::ingested_hashes(lake).map_err(&le)?;

    let mut summary = IngestSummary {
        run_id: new_run_id(),
        lake: lake.root.display().to_string(),
        recovered_runs: recovered,
        ..IngestSummary::default()
    };
    let mut walk_problems = Vec::new();
    let inputs = collect_inputs(opts, lake, &mut walk_problems)?;
    summary.unreadable_files += walk_problems.len() as u64;
    summary.file_errors.extend(walk_problems);

    let staging = lake.staging_dir().join(&summary.run_id);
    fs::create_dir_all(&staging).map_err(&le)?;

    // What the lake already holds.
    let mut dedup = Dedup::new(staging.join("ids"), opts.index_keys_in_memory);
    let keys = IdKeys::new();
    read::for_each_id(lake, |id, h| {
        dedup.check(keys.key(id), h, u32::MAX, 0).map(drop)
    })
    .map_err(&le)?;
    let rejects_path = staging.join("rejects.ndjson");
    let conflicts_path = staging.join("conflicts.ndjson");
    let mut rejects: Option<BufWriter<File>> = None;
    let mut conflicts: Option<BufWriter<File>> = None;

    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        opts.threads
    };
    let progress = crate::progress::Progress::new(opts.progress, inputs.len() as u64);

    let next = AtomicUsize::new(0);
    // Files the writer has finished, the bytes of records sent to it and
    // not yet taken, and whether it has stopped: decoders keep within
    // reach of it (see `AHEAD_FILES_MAX`).
    let consumed = AtomicUsize::new(0);
    let ahead = AtomicUsize::new(0);
    let writer_stopped = std::sync::atomic::AtomicBool::new(false);
    let must_wait = |i: usize| {
        let c = consumed.load(Ordering::Acquire);
        i >= c + AHEAD_FILES_PER_DECODER * threads.max(1)
            && (i >= c + AHEAD_FILES_MAX || ahead.load(Ordering::Relaxed) > AHEAD_BYTES)
            && !writer_stopped.load(Ordering::Acquire)
    };
    let (announce_tx, announce_rx) = channel::<(usize, Receiver<Msg>)>();
    // A rendezvous: a day's rows are handed to an encoder, never queued.
    let (encode_tx, encode_rx) = sync_channel::<Job>(0);
    let files = Files::default();
    let mut sources = commit::SourceLog::new(staging.join("sources.ndjson"));

    let encode_rx = std::sync::Mutex::new(encode_rx);
    let result: io::Result<Vec<Staged>> = std::thread::scope(|scope| {
        // Decoders.
        for _ in 0..threads.max(1) {
            let announce_tx = announce_tx.clone();
            let inputs = &inputs;
            let next = &next;
            let must_wait = &must_wait;
            let ahead = &ahead;
            let known = &known;
            let keys = &keys;
            let limits = &opts.limits;
            scope.spawn(move || {
                let mut out = Outbox::new(ahead);
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= inputs.len() {
                        break;
                    }
                    if must_wait(i) {
                        // The writer may be waiting for what is held here.
                        out.flush();
                        while must_wait(i) {
                            std::thread::sleep(std::time::Duration::from_millis(1));
                        }
                    }
                    let (tx, rx) = sync_channel::<Msg>(4);
                    if announce_tx.send((i, rx)).is_err() {
                        break;
                    }
                    process_file(&inputs[i], keys, limits, known, tx, &mut out);
                }
                out.flush();
            });
        }
        drop(announce_tx);

        // Encoders: sorted row groups appended to the run's files in
        // staging, one encoder per core, so the last buffers of a run are
        // encoded in parallel too.
        let encode_rx = &encode_rx;
        let files = &files;
        let encoders: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(move || -> io::Result<()> {
                    let mut failed: Option<io::Error> = None;
                    loop {
                        let next = match encode_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return Err(io::Error::other("an encoder panicked")),
                        };
                        let Ok(job) = next else { break };
                        // After a failure (or a panic, which `run` turns
                        // into one) jobs still take their turns and are
                        // skipped, so neither the writer nor another
                        // encoder waits for ever; the run fails at the end.
                        if let Err(e) = files.run(job) {
                            failed.get_or_insert(e);
                        }
                    }
                    failed.map_or(Ok(()), Err)
                })
            })
            .collect();

        let mut writer = Writer {
            lake,
            run_id: summary.run_id.clone(),
            buffers: BTreeMap::new(),
            buffered_bytes: 0,
            limit: opts.buffer_bytes.max(1 << 20),
            last_day: None,
            plan: Plan::new(threads),
            staged: Vec::new(),
            encode_tx: Some(encode_tx),
            partitions: Default::default(),
        };

        let mut pending: BTreeMap<usize, Receiver<Msg>> = BTreeMap::new();
        let write_result = (|| -> io::Result<()> {
            for file_no in 0..inputs.len() {
                let rx = loop {
                    if let Some(rx) = pending.remove(&file_no) {
                        break rx;
                    }
                    match announce_rx.recv() {
                        Ok((i, rx)) => {
                            pending.insert(i, rx);
                        }
                        Err(_) => return Err(io::Error::other("decoder threads stopped")),
                    }
                };
                let input = &inputs[file_no];
                let mut written = 0u64;
                let mut valid = 0u64;
                let mut rejected = 0u64;
                for msg in rx.iter() {
                    match msg {
                        Msg::Events(Rows {
                            chunk,
                            start,
                            len,
                            data,
                            text,
                        }) => {
                            ahead.fetch_sub(text, Ordering::Relaxed);
                            let batch = &chunk.batch;
                            let cols = BatchColumns::of(batch)?;
                            // The rows that are new, as ranges of the chunk.
                            let mut new_rows: Vec<Range<usize>> = Vec::new();
                            let mut new = 0;
                            for i in start..start + len {
                                summary.valid_records += 1;
                                valid += 1;
                                let verdict = dedup.check(
                                    chunk.keys[i],
                                    cols.record_hash.value(i),
                                    file_no as u32,
                                    cols.source_index.value(i) as u64,
                                )?;
                                match verdict {
                                    Verdict::New => {
                                        new += 1;
                                        write::push_range(&mut new_rows, i..i + 1);
                                    }
                                    Verdict::Exact => summary.duplicates_exact += 1,
                                    Verdict::Conflict(kept) => {
                                        summary.duplicates_conflicting += 1;
                                        if conflicts.is_none() {
                                            conflicts = Some(BufWriter::new(File::create(
                                                &conflicts_path,
                                            )?));
                                        }
                                        let Some(w) = conflicts.as_mut() else {
                                            continue;
                                        };
                                        // Rare: the row back as an event, for its record.
                                        let ev = event::schema::from_batch(&batch.slice(i, 1))
                                            .map_err(io::Error::other)?
                                            .pop()
                                            .unwrap_or_default();
                                        let in_lake = kept.file == u32::MAX;
                                        let row = ConflictRow {
                                            event_id: &ev.event_id,
                                            kept: Reference {
                                                source_file: (!in_lake)
                                                    .then(|| inputs[kept.file as usize].rel()),
                                                source_index: (!in_lake && kept.index != u32::MAX)
                                                    .then_some(u64::from(kept.index)),
                                                in_lake_before_this_run: in_lake,
                                            },
                                            set_aside: Reference {
                                                source_file: Some(ev.source_file.to_string()),
                                                source_index: Some(ev.source_index as u64),
                                                in_lake_before_this_run: false,
                                            },
                                            record: serde_json::Value::Object(
                                                event::schema::reconstruct(&ev),
                                            ),
                                        };
                                        serde_json::to_writer(&mut *w, &row)?;
                                        w.write_all(b"\n")?;
                                    }
                                }
                            }
                            written += new as u64;
                            // The decoder counted all the file's rows.
                            let data = if new == len {
                                data
                            } else {
                                write::rows_bytes(batch, &new_rows)
                            };
                            writer.push_rows(&chunk, new_rows, data)?;
                        }
                        Msg::Reject(row) => {
                            rejected += 1;
                            summary.rejected += 1;
                            if rejects.is_none() {
                                rejects = Some(BufWriter::new(File::create(&rejects_path)?));
                            }
                            if let Some(w) = rejects.as_mut() {
                                serde_json::to_writer(&mut *w, &row)?;
                                w.write_all(b"\n")?;
                            }
                        }
                        Msg::Done(done) => {
                            summary.files_seen += 1;
                            account_file(&mut summary, input, &done);
                            if !done.already && done.error.is_none() {
                                let r = done.report.as_ref();
                                sources.push(&SourceEntry {
                                    path: done.rel.clone(),
                                    sha256: hex::encode(done.sha256),
                                    size: done.size,
                                    format: r.map_or("unrecognized".into(), |r| r.format.clone()),
                                    records: r.map_or(0, |r| r.records),
                                    valid,
                                    events_written: written,
                                    rejected,
                                })?;
                            }
                            progress.file_done(summary.valid_records);
                        }
                    }
                }
                consumed.store(file_no + 1, Ordering::Release);
            }
            writer.flush_all()
        })();
        writer_stopped.store(true, Ordering::Release);
        writer.encode_tx = None;
        summary.parquet_files_written = writer.staged.len() as u64;
        summary.partitions = writer.partitions.iter().cloned().collect();
        let staged = std::mem::take(&mut writer.staged);
        drop(writer);
        drop(announce_rx);
        drop(pending);
        let mut enc = Ok(());
        for e in encoders {
            let r = e
                .join()
                .map_err(|_| io::Error::other("the Parquet encoder panicked"))?;
            if r.is_err() {
                enc = r;
            }
        }
        write_result?;
        enc?;
        Ok(staged)
    });
    progress.finish();
    // The files still open are completed once every job has run.
    let staged = match result.and_then(|staged| files.finish().map(|()| staged)) {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(le(e));
        }
    };
    for w in [rejects.as_mut(), conflicts.as_mut()].into_iter().flatten() {
        w.flush().map_err(&le)?;
        w.get_ref().sync_all().map_err(&le)?;
    }
    summary.events_written =
        summary.valid_records - summary.duplicates_exact - summary.duplicates_conflicting;
    summary.seconds = started.elapsed().as_secs_f64();
    summary.events_per_second = if summary.seconds > 0.0 {
        summary.valid_records as f64 / summary.seconds
    } else {
        0.0
    };

    if opts.strict && (summary.rejected > 0 || summary.unreadable_files > 0) {
        summary.aborted_strict = true;
        let _ = fs::remove_dir_all(&staging);
        return Ok(summary);
    }

    let mut moves: Vec<Move> = staged
        .into_iter()
        .map(|s| Move {
            staged: s.rel_staged,
            target: s.rel_target,
        })
        .collect();
    let run = summary.run_id.clone();
    if rejects.is_some() {
        let target = format!("_backtrail/rejects/{run}.ndjson");
        summary.rejects_file = Some(lake.root.join(&target).display().to_string());
        moves.push(Move {
            staged: format!("_backtrail/staging/{run}/rejects.ndjson"),
            target,
        });
    }
    if conflicts.is_some() {
        let target = format!("_backtrail/conflicts/{run}.ndjson");
        summary.conflicts_file = Some(lake.root.join(&target).display().to_string());
        moves.push(Move {
            staged: format!("_backtrail/staging/{run}/conflicts.ndjson"),
            target,
        });
    }
    if sources.is_empty() && moves.is_empty() {
        let _ = fs::remove_dir_all(&staging);
        return Ok(summary);
    }
    let rec = RunRecord {
        run_id: run,
        backtrail_version: env!("CARGO_PKG_VERSION").into(),
        started: started_at.to_rfc3339(),
        finished: chrono::Utc::now().to_rfc3339(),
        sources: sources.finish().map_err(&le)?,
        moves,
        summary: serde_json::to_value(&summary).unwrap_or_default(),
    };
    commit::commit(lake, &rec).map_err(&le)?;
    Ok(summary)
}

fn account_file(summary: &mut IngestSummary, input: &Input, done: &FileDone) {
    if done.already {
        summary.files_already_ingested += 1;
        return;
    }
    summary.bytes_read += done.size;
    if let Some(e) = &done.error {
        summary.unreadable_files += 1;
        summary.file_errors.push(FileProblem {
            path: done.rel.clone(),
            message: e.clone(),
        });
        return;
    }
    let Some(r) = &done.report else { return };
    summary.bytes_decompressed += r.decompressed_bytes;
    // A digest's signature saved beside it (`<digest>.signature`, for
    // `backtrail verify`) is evidence, not an unrecognised file.
    if r.unrecognized.is_some() && crate::verify::signature::is_sidecar(&input.path) {
        *summary.files.entry("digest-signature".into()).or_default() += 1;
        return;
    }
    *summary.files.entry(r.format.clone()).or_default() += 1;
    match r.content {
        Some(Content::IamSnapshot) => summary.iam_snapshots.push(done.rel.clone()),
        Some(Content::Digest) => summary.digest_files += 1,
        _ => {}
    }
    if let Some(why) = &r.unrecognized {
        summary.unrecognized_files += 1;
        summary.unrecognized.push(FileProblem {
            path: done.rel.clone(),
            message: why.clone(),
        });
    }
    for e in &r.errors {
        if r.unrecognized.as_deref() == Some(e.as_str()) {
            continue;
        }
        summary.file_errors.push(FileProblem {
            path: done.rel.clone(),
            message: e.clone(),
        });
    }
}

/// Paths of a lake's reject files, oldest first.
pub fn reject_files(lake: &Lake) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(lake.rejects_dir())
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::TryRecvError;

    fn record(id: &str) -> String {
        record_at(id, "2024-05-01T10:00:00Z")
    }

    fn record_at(id: &str, time: &str) -> String {
        serde_json::json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AWSService", "invokedBy": "s3.amazonaws.com"},
            "eventTime": time,
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "awsRegion": "eu-west-1",
            "eventID": id,
            "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333"
        })
        .to_string()
    }

    /// Read `records` of file `rel` into `out`, then `bad` undecodable
    /// bytes; `end`: the file is read to its end.
    fn read(
        out: &mut Outbox<'_>,
        rel: &str,
        records: &[String],
        bad: usize,
        end: bool,
    ) -> Receiver<Msg> {
        let (tx, rx) = sync_channel(CHUNK + 16);
        out.files.push(Pending::new(tx));
        let (keys, limits) = (IdKeys::new(), Limits::default());
        let mut sink = WorkerSink {
            rel,
            keys: &keys,
            format: "test".into(),
            limits: &limits,
            out: &mut *out,
        };
        for (i, r) in records.iter().enumerate() {
            sink.record(r, i as u64, Location::default());
        }
        for _ in 0..bad {
            sink.reject(b"\xff{", None, Location::default(), "not JSON".into());
        }
        if end {
            out.current().done = Some(Box::default());
        }
        rx
    }

    /// What a file's channel holds: the rows' source files, rejects, and
    /// whether its end came last and the channel is closed after it.
    fn drain(rx: &Receiver<Msg>) -> (Vec<String>, usize, bool) {
        let (mut rows, mut rejects, mut ended) = (Vec::new(), 0, false);
        loop {
            match rx.try_recv() {
                Ok(Msg::Events(r)) => {
                    assert!(!ended);
                    assert_eq!(r.chunk.keys.len(), r.chunk.batch.num_rows());
                    let batch = r.chunk.batch.slice(r.start, r.len);
                    assert_eq!(r.data, write::rows_bytes(&batch, &[0..r.len]));
                    let files: &StringArray =
                        event::schema::required_column(&batch, "source_file").unwrap();
                    rows.extend(files.iter().map(|f| f.unwrap().to_string()));
                }
                Ok(Msg::Reject(_)) => {
                    assert!(!ended);
                    rejects += 1;
                }
                Ok(Msg::Done(_)) => ended = true,
                Err(TryRecvError::Empty) => {
                    assert!(!ended, "the channel closes after the file's end");
                    return (rows, rejects, false);
                }
                Err(TryRecvError::Disconnected) => return (rows, rejects, ended),
            }
        }
    }

    #[test]
    fn files_share_a_chunk_and_are_sent_in_order_once_it_is_flushed() {
        let ahead = AtomicUsize::new(0);
        let mut out = Outbox::new(&ahead);
        let recs = |f: &str| {
            (0..2)
                .map(|i| record(&format!("{f}-{i}")))
                .collect::<Vec<_>>()
        };
        let a = read(&mut out, "a", &recs("a"), 0, true);
        let b = read(&mut out, "b", &recs("b"), 1, true);
        let c = read(&mut out, "c", &recs("c"), 0, true);
        // Nothing is sent until the chunk is: each file's rows, rejects and
        // end wait together.
        for rx in [&a, &b, &c] {
            assert!(matches!(rx.try_recv(), Err(TryRecvError::Empty)));
        }
        assert_eq!(out.chunk.len(), 6);
        out.flush();
        assert!(out.files.is_empty());
        let text: usize = ["a", "b", "c"]
            .iter()
            .flat_map(|f| recs(f))
            .map(|r| r.len())
            .sum();
        assert_eq!(ahead.load(Ordering::Relaxed), text);
        assert_eq!(drain(&a), (vec!["a".to_string(); 2], 0, true));
        assert_eq!(drain(&b), (vec!["b".to_string(); 2], 1, true));
        assert_eq!(drain(&c), (vec!["c".to_string(); 2], 0, true));
    }

    #[test]
    fn a_full_chunk_is_sent_while_its_file_is_read() {
        let ahead = AtomicUsize::new(0);
        let mut out = Outbox::new(&ahead);
        let small = read(&mut out, "small", &[record("s-0")], 0, true);
        let recs: Vec<String> = (0..CHUNK + 2)
            .map(|i| record(&format!("big-{i}")))
            .collect();
        let big = read(&mut out, "big", &recs, 0, false);
        // The chunk filled: the small file is sent whole, the big one's
        // first rows are sent and the file stays, being read.
        assert_eq!(drain(&small), (vec!["small".to_string()], 0, true));
        let (rows, _, ended) = drain(&big);
        assert_eq!((rows.len(), ended), (CHUNK - 1, false));
        assert_eq!(out.files.len(), 1);
        assert_eq!(out.chunk.len(), 3);
        out.current().done = Some(Box::default());
        out.flush();
        let (rows, _, ended) = drain(&big);
        assert_eq!((rows.len(), ended), (3, true));
        assert!(out.files.is_empty());
    }

    #[test]
    fn a_chunk_holds_one_day() {
        let ahead = AtomicUsize::new(0);
        let mut out = Outbox::new(&ahead);
        let day1 = read(&mut out, "day1", &[record("a")], 0, true);
        let recs = [
            record_at("b", "2024-05-01T23:59:59Z"),
            record_at("c", "2024-05-02T00:00:00Z"),
            record_at("d", "2024-05-02T00:00:01Z"),
        ];
        let both = read(&mut out, "both", &recs, 0, true);
        // The first day's rows went as the next day's began.
        assert_eq!(drain(&day1), (vec!["day1".to_string()], 0, true));
        assert_eq!(drain(&both), (vec!["both".to_string()], 0, false));
        assert_eq!(out.chunk.len(), 2);
        out.flush();
        assert_eq!(drain(&both), (vec!["both".to_string(); 2], 0, true));
    }

    #[test]
    fn many_rejects_are_sent_without_waiting_for_rows() {
        let ahead = AtomicUsize::new(0);
        let mut out = Outbox::new(&ahead);
        let rx = read(&mut out, "junk", &[], CHUNK, false);
        assert_eq!(drain(&rx), (vec![], CHUNK, false));
        assert_eq!(ahead.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn inputs_are_named_relative_to_their_argument() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("trail");
        fs::create_dir_all(dir.join("AWSLogs/1/x")).unwrap();
        fs::write(dir.join("AWSLogs/1/x/a.json"), "{}").unwrap();
        fs::write(dir.join("b.json"), "{}").unwrap();
        fs::write(tmp.path().join("c.json"), "{}").unwrap();
        let lake = Lake::new(tmp.path().join("lake"));
        let opts = IngestOptions {
            inputs: vec![
                // Spelled with a `.` and a trailing `/`: its files are
                // still named from below it.
                tmp.path().join("./trail/"),
                tmp.path().join("c.json"),
            ],
            ..IngestOptions::default()
        };
        let mut problems = Vec::new();
        let got: Vec<String> = collect_inputs(&opts, &lake, &mut problems)
            .unwrap()
            .iter()
            .map(Input::rel)
            .collect();
        assert!(problems.is_empty());
        assert_eq!(got, ["AWSLogs/1/x/a.json", "b.json", "c.json"]);
    }

    #[test]
    fn delivery_files_are_taken_in_the_order_they_were_delivered() {
        let tmp = tempfile::tempdir().unwrap();
        let names = [
            "AWSLogs/111/CloudTrail/eu-west-1/2024/05/02/111_CloudTrail_eu-west-1_20240502T0005Z_b.json.gz",
            "AWSLogs/111/CloudTrail/us-east-1/2024/05/01/111_CloudTrail_us-east-1_20240501T2355Z_a.json.gz",
            "AWSLogs/222/CloudTrail/eu-west-1/2024/05/01/222_CloudTrail_eu-west-1_20240501T2355Z_0.json.gz",
            "AWSLogs/222/CloudTrail/eu-west-1/2024/05/01/222_CloudTrail_eu-west-1_20240501T1200Z_z.json.gz",
            // Not delivery times: taken first, as found.
            "lookup/222_CloudTrail_eu-west-1_2024050XT1200Z_z.json",
            "lookup/events.json",
        ];
        for n in names {
            let p = tmp.path().join("trail").join(n);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "{}").unwrap();
        }
        let lake = Lake::new(tmp.path().join("lake"));
        let opts = IngestOptions {
            inputs: vec![tmp.path().join("trail")],
            ..IngestOptions::default()
        };
        let got: Vec<String> = collect_inputs(&opts, &lake, &mut Vec::new())
            .unwrap()
            .iter()
            .map(Input::rel)
            .collect();
        let want: Vec<&str> = [4, 5, 3, 1, 2, 0].iter().map(|&i| names[i]).collect();
        assert_eq!(got, want);
    }
}
