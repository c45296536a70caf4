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
use std::ops::Range;
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

/// Some rows of a batch, to be written: ingest's batches are decoders'
/// chunks, each shared by the files it holds (and by those files' rows
/// buffered for one day), so rows are picked out by range, not copied or
/// sliced per file (a trail of tiny delivery files made a slice of 67
/// arrays for every file of about 5 records).
#[derive(Clone)]
pub struct Selection {
    pub batch: RecordBatch,
    /// In increasing order, not overlapping.
    pub ranges: Vec<Range<usize>>,
}

impl Selection {
    /// All the rows of `batch`.
    pub fn all(batch: RecordBatch) -> Self {
        let ranges = vec![0..batch.num_rows()];
        Selection { batch, ranges }
    }

    pub fn rows(&self) -> usize {
        self.ranges.iter().map(ExactSizeIterator::len).sum()
    }
}

/// Add `r` to increasing, non-overlapping `ranges`, joined to the last when
/// it follows it.
pub fn push_range(ranges: &mut Vec<Range<usize>>, r: Range<usize>) {
    match ranges.last_mut() {
        Some(last) if last.end == r.start => last.end = r.end,
        _ if r.is_empty() => {}
        _ => ranges.push(r),
    }
}

/// Bytes of data in rows `ranges` of a batch: of those rows only, where
/// Arrow's `get_array_memory_size` counts the whole buffers they share.
/// It depends on the rows alone, not on how they were batched.
pub fn rows_bytes(batch: &RecordBatch, ranges: &[Range<usize>]) -> usize {
    ranges
        .iter()
        .map(|r| {
            batch
                .columns()
                .iter()
                .map(|c| array_bytes(c.as_ref(), r.clone()))
                .sum::<usize>()
        })
        .sum()
}

/// Memory one file's rows hold in ingest's buffer: their [`rows_bytes`]
/// and, as when each file's rows were a batch of their own, the arrays'
/// structures (for a file of a few rows, as big as the data), so the
/// buffer is flushed at the same rows as then.
pub fn buffered_bytes(batch: &RecordBatch, data: usize) -> usize {
    /// An array's `Arc`, `ArrayData`-like fields and buffer handles.
    const PER_ARRAY: usize = 160;
    data + PER_ARRAY * batch.num_columns()
}

/// Bytes of data of rows `r` of `a` (offsets counted as 4 bytes a row).
fn array_bytes(a: &dyn Array, r: Range<usize>) -> usize {
    let n = r.len();
    let span = |o: &[i32]| match (o.get(r.start), o.get(r.end)) {
        (Some(&f), Some(&l)) => (f.max(0) as usize, (l - f).max(0) as usize),
        _ => (0, 0),
    };
    if let Some(s) = a.as_string_opt::<i32>() {
        span(s.value_offsets()).1 + 4 * n
    } else if let Some(l) = a.as_list_opt::<i32>() {
        let (f, len) = span(l.value_offsets());
        4 * n + array_bytes(l.values().as_ref(), f..f + len)
    } else if let Some(st) = a.as_struct_opt() {
        st.columns()
            .iter()
            .map(|c| array_bytes(c.as_ref(), r.clone()))
            .sum()
    } else {
        a.data_type().primitive_width().unwrap_or(1) * n
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
        let all: Vec<Selection> = batches.iter().cloned().map(Selection::all).collect();
        self.append_rows(&all)
    }

    /// [`append`](Self::append) for some rows of each batch.
    pub fn append_rows(&mut self, rows: &[Selection]) -> io::Result<usize> {
        self.append_run(rows).map_err(|e| named(&self.path, e))
    }

    fn append_run(&mut self, sels: &[Selection]) -> io::Result<usize> {
        let mut times = Vec::with_capacity(sels.len());
        let mut ids = Vec::with_capacity(sels.len());
        for s in sels {
            times.push(schema::required_column::<TimestampMicrosecondArray>(
                &s.batch,
                "event_time",
            )?);
            ids.push(schema::required_column::<StringArray>(
                &s.batch, "event_id",
            )?);
        }
        let mut order: Vec<(usize, usize)> =
            Vec::with_capacity(sels.iter().map(Selection::rows).sum());
        for (b, s) in sels.iter().enumerate() {
            for r in &s.ranges {
                if r.end > s.batch.num_rows() {
                    return Err(io::Error::other(format!(
                        "rows {r:?} of a batch of {} rows",
                        s.batch.num_rows()
                    )));
                }
                order.extend(r.clone().map(|row| (b, row)));
            }
        }
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
        let widest = sels
            .iter()
            .map(|s| rows_bytes(&s.batch, &s.ranges) / s.rows().max(1))
            .max()
            .unwrap_or(1)
            .max(1);
        let per_slice = BATCH_ROWS.min(SLICE_BYTES / widest).max(1);
        let refs: Vec<&RecordBatch> = sels.iter().map(|s| &s.batch).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::BooleanArray;
    use arrow::compute::filter_record_batch;

    fn batch(n: usize) -> RecordBatch {
        let recs: Vec<String> = (0..n)
            .map(|i| {
                serde_json::json!({
                    "eventSource": "s3.amazonaws.com",
                    "eventName": "GetObject",
                    "eventTime": format!("2024-01-01T00:00:{:02}Z", 59 - i),
                    "eventID": format!("e{i}"),
                    "resources": (0..i).map(|r| serde_json::json!({"ARN": format!("arn:{r}")}))
                        .collect::<Vec<_>>(),
                    "requestParameters": {"key": "k".repeat(i * 10)},
                })
                .to_string()
            })
            .collect();
        let origin = crate::event::Origin {
            source_file: "f",
            source_index: 0,
            source_format: "single",
        };
        let events: Vec<Event<'_>> = recs
            .iter()
            .map(|r| crate::event::normalize(r, origin.clone(), 1 << 20).unwrap())
            .collect();
        schema::to_batch(&events).unwrap()
    }

    #[test]
    fn rows_are_counted_by_their_own_data_however_they_are_held() {
        let b = batch(6);
        let ranges = [1..2, 3..5];
        let mask: BooleanArray = (0..6)
            .map(|i| Some(ranges.iter().any(|r| r.contains(&i))))
            .collect();
        let copied = filter_record_batch(&b, &mask).unwrap();
        let own = rows_bytes(&b, &ranges);
        assert_eq!(own, rows_bytes(&copied, &[0..3]));
        // Slices count their rows, not the buffers they share.
        let (s1, s2) = (b.slice(1, 1), b.slice(3, 2));
        assert_eq!(own, rows_bytes(&s1, &[0..1]) + rows_bytes(&s2, &[0..2]));
        assert!(own < rows_bytes(&b, &[0..6]));
        assert_eq!(rows_bytes(&b, &[]), 0);
    }

    #[test]
    fn ranges_that_follow_are_joined() {
        let mut r = Vec::new();
        for x in [0..2, 2..3, 3..3, 5..6, 6..8] {
            push_range(&mut r, x);
        }
        assert_eq!(r, [0..3, 5..8]);
    }

    #[test]
    fn selected_rows_are_written_sorted_by_time() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("x.parquet");
        let b = batch(6);
        let mut file = EventsFile::create(&path).unwrap();
        let sel = Selection {
            batch: b.clone(),
            ranges: vec![0..2, 4..5],
        };
        assert_eq!(
            file.append_rows(&[sel, Selection::all(b.slice(5, 1))])
                .unwrap(),
            4
        );
        assert!(
            file.append_rows(&[Selection {
                batch: b,
                ranges: vec![5..7]
            }])
            .is_err()
        );
        file.finish().unwrap();
        let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            File::open(&path).unwrap(),
        )
        .unwrap()
        .build()
        .unwrap();
        let mut ids = Vec::new();
        for b in r {
            let b = b.unwrap();
            let col: &StringArray = schema::required_column(&b, "event_id").unwrap();
            ids.extend(col.iter().map(|v| v.unwrap().to_string()));
        }
        // Times fall as the index rises.
        assert_eq!(ids, ["e5", "e4", "e1", "e0"]);
    }
}
