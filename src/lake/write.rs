//! Writing Parquet files of the lake: one place for the writer's options.

use crate::event::{Event, schema};
use arrow::array::{Array, AsArray, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::compute::interleave_record_batch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use std::fs::File;
use std::io;
use std::path::Path;

/// Rows per row group: large enough for good compression, small enough that
/// a time-window scan skips most of a busy day.
pub const ROW_GROUP_ROWS: usize = 64 * 1024;

/// Rows converted to Arrow at a time while writing.
const BATCH_ROWS: usize = 8 * 1024;

/// Columns written without dictionary encoding.
const UNIQUE_COLUMNS: &[&str] = &[
    "event_id",
    "event_time",
    "request_id",
    "shared_event_id",
    "record_hash",
    "source_index",
    "request_parameters",
    "response_elements",
    "additional_event_data",
    "service_event_details",
];

/// Columns written without min/max statistics: identifiers drawn at random
/// and free text or JSON, whose minimum and maximum span nearly all values
/// in every page, so they prune nothing; computing them compared every
/// value (perf: 2 % of ingest's CPU). Lookups of `event_id` use its bloom
/// filter, not statistics.
const NO_STATISTICS_COLUMNS: &[&str] = &[
    "event_id",
    "request_id",
    "shared_event_id",
    "record_hash",
    "user_agent",
    "error_message",
    "user_identity",
    "request_parameters",
    "response_elements",
    "additional_event_data",
    "service_event_details",
    "edge_device_details",
    "insight_details",
    "addendum",
    "extra",
];

/// zstd's level for the lake. Level 1 against 3 on the lake's own files
/// (160k rows, pyarrow, the same libzstd): files 0.7 % larger, writing 23 %
/// faster, reading no slower; zstd was 8 % of ingest's CPU at level 3.
const ZSTD_LEVEL: i32 = 1;

/// The lake's Parquet writer options: zstd, page statistics on the columns
/// worth pruning by, bloom filters on `event_id` and `access_key_id`, rows
/// sorted by time.
pub fn writer_properties() -> WriterProperties {
    let event_time_idx = schema::schema()
        .index_of("event_time")
        .expect("event_time is in the schema") as i32;
    let mut b = WriterProperties::builder();
    // Columns whose values are (nearly) all distinct: a dictionary would be
    // built up to its page limit per column, then abandoned.
    for col in UNIQUE_COLUMNS {
        b = b.set_column_dictionary_enabled(ColumnPath::from(*col), false);
    }
    for col in NO_STATISTICS_COLUMNS {
        b = b.set_column_statistics_enabled(ColumnPath::from(*col), EnabledStatistics::None);
    }
    b.set_compression(Compression::ZSTD(
        ZstdLevel::try_new(ZSTD_LEVEL).expect("valid level"),
    ))
    .set_statistics_enabled(EnabledStatistics::Page)
    .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
    .set_column_bloom_filter_enabled(ColumnPath::from("event_id"), true)
    .set_column_bloom_filter_enabled(ColumnPath::from("access_key_id"), true)
    .set_sorting_columns(Some(vec![SortingColumn {
        column_idx: event_time_idx,
        descending: false,
        nulls_first: false,
    }]))
    .set_created_by(format!("backtrail {}", env!("CARGO_PKG_VERSION")))
    .build()
}

/// Sort events by time (then ID, for determinism) and write them to `path`,
/// fsynced. Returns the number of rows.
pub fn write_events(path: &Path, events: &mut [Event<'_>]) -> io::Result<usize> {
    let batch = schema::to_batch(events).map_err(io::Error::other)?;
    write_batches(path, &[batch])
}

/// Largest slice of rows converted at once, in bytes: under the 2 GiB that
/// an Arrow string column's 32-bit offsets can address.
const SLICE_BYTES: usize = 256 << 20;

/// Bytes of data in a batch's rows: of its own rows only when it is a
/// slice of a bigger batch (as ingest's are: a decoder's chunk is shared
/// by the files it holds), where Arrow's `get_array_memory_size` counts
/// the whole buffers the slice shares. It depends on the rows alone, not
/// on how they were batched.
fn rows_bytes(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|c| array_bytes(c.as_ref()))
        .sum()
}

/// Memory a batch of rows holds, for ingest's buffer: its [`rows_bytes`]
/// and the arrays' own structures (for a slice of a few rows, these are
/// as big as the data).
pub fn batch_bytes(batch: &RecordBatch) -> usize {
    /// An array's `Arc`, `ArrayData`-like fields and buffer handles.
    const PER_ARRAY: usize = 160;
    rows_bytes(batch) + PER_ARRAY * batch.num_columns()
}

fn array_bytes(a: &dyn Array) -> usize {
    if let Some(s) = a.as_string_opt::<i32>() {
        let o = s.value_offsets();
        let text = o.last().zip(o.first()).map_or(0, |(l, f)| (l - f) as usize);
        text + 4 * s.len()
    } else if let Some(l) = a.as_list_opt::<i32>() {
        let o = l.value_offsets();
        let (f, n) = o
            .first()
            .zip(o.last())
            .map_or((0, 0), |(f, l)| (*f as usize, (l - f) as usize));
        4 * l.len() + array_bytes(l.values().slice(f, n).as_ref())
    } else if let Some(st) = a.as_struct_opt() {
        st.columns().iter().map(|c| array_bytes(c.as_ref())).sum()
    } else {
        a.data_type().primitive_width().unwrap_or(1) * a.len()
    }
}

/// [`write_events`] for rows buffered as batches of the lake's schema: one
/// [`EventsFile`] of one sorted run.
pub fn write_batches(path: &Path, batches: &[RecordBatch]) -> io::Result<usize> {
    let mut file = EventsFile::create(path)?;
    file.append(batches)?;
    file.finish()
}

/// A lake file being written, a sorted run of rows at a time: each
/// [`append`](Self::append) sorts its rows by time (then ID) and writes
/// them as row groups of their own, so every row group is sorted (the
/// sorting columns Parquet records are a row group's) and its time
/// statistics are tight. Memory between appends is the file's metadata.
/// Its errors name the file.
pub struct EventsFile {
    writer: ArrowWriter<File>,
    rows: usize,
    path: std::path::PathBuf,
}

impl EventsFile {
    pub fn create(path: &Path) -> io::Result<Self> {
        let named = |e| named(path, e);
        let file = File::create(path).map_err(named)?;
        let writer = ArrowWriter::try_new(file, schema::schema(), Some(writer_properties()))
            .map_err(|e| named(io::Error::other(e)))?;
        Ok(EventsFile {
            writer,
            rows: 0,
            path: path.to_path_buf(),
        })
    }

    /// Append the rows of `batches`, sorted by reference and gathered a
    /// slice at a time, so appending needs little more memory than the
    /// batches themselves. Returns the number of rows appended.
    pub fn append(&mut self, batches: &[RecordBatch]) -> io::Result<usize> {
        self.append_run(batches).map_err(|e| named(&self.path, e))
    }

    fn append_run(&mut self, batches: &[RecordBatch]) -> io::Result<usize> {
        let mut times = Vec::with_capacity(batches.len());
        let mut ids = Vec::with_capacity(batches.len());
        for b in batches {
            times.push(schema::required_column::<TimestampMicrosecondArray>(
                b,
                "event_time",
            )?);
            ids.push(schema::required_column::<StringArray>(b, "event_id")?);
        }
        let mut order: Vec<(usize, usize)> = batches
            .iter()
            .enumerate()
            .flat_map(|(b, batch)| (0..batch.num_rows()).map(move |r| (b, r)))
            .collect();
        if order.is_empty() {
            return Ok(0);
        }
        order.sort_by(|&(ba, ra), &(bb, rb)| {
            times[ba]
                .value(ra)
                .cmp(&times[bb].value(rb))
                .then_with(|| ids[ba].value(ra).cmp(ids[bb].value(rb)))
        });
        // Rows per slice: bounded by count and, for batches of big records,
        // by the largest average row size among the batches.
        let widest = batches
            .iter()
            .map(|b| rows_bytes(b) / b.num_rows().max(1))
            .max()
            .unwrap_or(1)
            .max(1);
        let per_slice = BATCH_ROWS.min(SLICE_BYTES / widest).max(1);
        let refs: Vec<&RecordBatch> = batches.iter().collect();
        for slice in order.chunks(per_slice) {
            let batch = interleave_record_batch(&refs, slice).map_err(io::Error::other)?;
            self.writer.write(&batch).map_err(io::Error::other)?;
        }
        // The run ends its row group: the next run's rows are not in order
        // with these.
        self.writer.flush().map_err(io::Error::other)?;
        // Written back now, by the thread that encoded it: left to the end,
        // a run's data was written back all at once after the last row
        // (5M events: 45.7 s against 40.9 s).
        self.writer.sync()?;
        self.writer.inner().sync_data()?;
        self.rows += order.len();
        Ok(order.len())
    }

    /// Write the footer and fsync. Returns the number of rows.
    pub fn finish(self) -> io::Result<usize> {
        let (path, rows) = (self.path, self.rows);
        let file = self
            .writer
            .into_inner()
            .map_err(|e| named(&path, io::Error::other(e)))?;
        file.sync_all().map_err(|e| named(&path, e))?;
        Ok(rows)
    }
}

/// `e` as an error writing `path`.
fn named(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("writing {}: {e}", path.display()))
}
