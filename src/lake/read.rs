//! Reading the lake back: what the writer needs for deduplication, and whole
//! events for export. Analyses read through polars (see `crate::query`).

use super::{Lake, parquet_files};
use crate::event::{Event, schema};
use arrow::array::{Array, StringArray};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::io;
use std::path::Path;

fn builder(path: &Path) -> io::Result<ParquetRecordBatchReaderBuilder<File>> {
    let f = File::open(path)?;
    ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))
}

/// Calls `f(event_id, record_hash)` for every row of the lake; stops at the
/// first error `f` returns.
pub fn for_each_id(
    lake: &Lake,
    mut f: impl FnMut(&str, &str) -> io::Result<()>,
) -> io::Result<u64> {
    let mut n = 0;
    for path in parquet_files(lake)? {
        let b = builder(&path)?;
        let sd = b.parquet_schema();
        let idx: Vec<usize> = ["event_id", "record_hash"]
            .iter()
            .filter_map(|c| sd.columns().iter().position(|col| col.name() == *c))
            .collect();
        let mask = ProjectionMask::leaves(sd, idx);
        let reader = b.with_projection(mask).build().map_err(io::Error::other)?;
        for batch in reader {
            let batch = batch.map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
            let ids = batch
                .column_by_name("event_id")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>());
            let hashes = batch
                .column_by_name("record_hash")
                .and_then(|c| c.as_any().downcast_ref::<StringArray>());
            let (Some(ids), Some(hashes)) = (ids, hashes) else {
                return Err(io::Error::other(format!(
                    "{}: not a backtrail lake file (no event_id/record_hash)",
                    path.display()
                )));
            };
            for i in 0..ids.len() {
                f(ids.value(i), hashes.value(i))?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Calls `f` with the events of each lake file, file by file (bounded memory).
pub fn for_each_event_batch(
    lake: &Lake,
    mut f: impl FnMut(&Path, Vec<Event<'static>>) -> io::Result<()>,
) -> io::Result<()> {
    for path in parquet_files(lake)? {
        let reader = builder(&path)?
            .with_batch_size(8192)
            .build()
            .map_err(io::Error::other)?;
        for batch in reader {
            let batch = batch.map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
            let events = schema::from_batch(&batch).map_err(io::Error::other)?;
            f(&path, events)?;
        }
    }
    Ok(())
}

/// The Arrow schema of a lake file, as written.
pub fn file_schema(path: &Path) -> io::Result<arrow::datatypes::SchemaRef> {
    Ok(builder(path)?.schema().clone())
}
