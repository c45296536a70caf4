//! Writing Parquet files of the lake: one place for the writer's options.

use crate::event::{Event, schema};
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

/// The lake's Parquet writer options: zstd, statistics on every column,
/// bloom filters on `event_id` and `access_key_id`, rows sorted by time.
pub fn writer_properties() -> WriterProperties {
    let event_time_idx = schema::schema()
        .index_of("event_time")
        .expect("event_time is in the schema") as i32;
    WriterProperties::builder()
        .set_compression(Compression::ZSTD(
            ZstdLevel::try_new(3).expect("valid level"),
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
pub fn write_events(path: &Path, events: &mut [Event]) -> io::Result<usize> {
    let mut refs: Vec<&Event> = events.iter().collect();
    write_sorted(path, &mut refs)
}

/// [`write_events`] for events buffered in chunks: they are sorted by
/// reference, never moved.
pub fn write_chunks(path: &Path, chunks: &[Vec<Event>]) -> io::Result<usize> {
    let mut refs: Vec<&Event> = chunks.iter().flatten().collect();
    write_sorted(path, &mut refs)
}

fn write_sorted(path: &Path, events: &mut [&Event]) -> io::Result<usize> {
    events.sort_by(|a, b| {
        a.event_time
            .cmp(&b.event_time)
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    let file = File::create(path)?;
    let mut w = ArrowWriter::try_new(file, schema::schema(), Some(writer_properties()))
        .map_err(io::Error::other)?;
    for chunk in events.chunks(ROW_GROUP_ROWS) {
        let batch = schema::to_batch(chunk).map_err(io::Error::other)?;
        w.write(&batch).map_err(io::Error::other)?;
    }
    let file = w.into_inner().map_err(io::Error::other)?;
    file.sync_all()?;
    Ok(events.len())
}
