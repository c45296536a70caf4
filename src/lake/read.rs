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

/// A row group of a lake file, as its footer describes it: its rows, and
/// its `event_time`s' range from the statistics the writer keeps for every
/// row group (`None` when they are missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupTimes {
    pub rows: u64,
    /// Every `event_time` of the group is null.
    pub all_null: bool,
    pub range: Option<(i64, i64)>,
}

/// The row groups of the lake file at `path`, in order, from its footer.
pub fn row_group_times(path: &Path) -> io::Result<Vec<GroupTimes>> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::file::statistics::Statistics;
    let reader = SerializedFileReader::new(File::open(path)?)
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
    let groups = reader.metadata().row_groups().iter().map(|rg| {
        let rows = rg.num_rows().max(0) as u64;
        let stats = rg
            .columns()
            .iter()
            .find(|c| c.column_path().string() == "event_time")
            .and_then(|c| c.statistics());
        let Some(Statistics::Int64(s)) = stats else {
            return GroupTimes {
                rows,
                all_null: false,
                range: None,
            };
        };
        GroupTimes {
            rows,
            all_null: s.null_count_opt() == Some(rows),
            range: s.min_opt().zip(s.max_opt()).map(|(lo, hi)| (*lo, *hi)),
        }
    });
    Ok(groups.collect())
}

/// The Arrow schema of a lake file, as written.
pub fn file_schema(path: &Path) -> io::Result<arrow::datatypes::SchemaRef> {
    Ok(builder(path)?.schema().clone())
}
