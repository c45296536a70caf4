//! The lake: Hive-partitioned Parquet under `<DIR>/events/event_date=YYYY-MM-DD/`,
//! and backtrail's own bookkeeping under `<DIR>/_backtrail/`.
//!
//! ```text
//! <DIR>/events/event_date=2026-03-10/part-<run>-<n>.parquet   the events
//! <DIR>/_backtrail/manifest/<run>.json    one per committed ingest run
//! <DIR>/_backtrail/journal/<run>.json     a run being committed (rolled forward on restart)
//! <DIR>/_backtrail/staging/<run>/         files written aside before commit (and the
//!                                         ID index of a large ingest, in `ids/`)
//! <DIR>/_backtrail/rejects/<run>.ndjson   records that could not be ingested, with reasons
//! <DIR>/_backtrail/conflicts/<run>.ndjson same eventID, different content: the ones set aside
//! <DIR>/_backtrail/lock                   held by the one ingest writing at a time
//! ```

pub mod commit;
pub mod ddl;
mod dedup;
mod encode;
pub mod export;
pub mod ingest;
pub mod read;
pub mod write;

use std::path::{Path, PathBuf};

/// Paths inside a lake directory.
#[derive(Debug, Clone)]
pub struct Lake {
    pub root: PathBuf,
}

impl Lake {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Lake { root: root.into() }
    }
    pub fn events_dir(&self) -> PathBuf {
        self.root.join("events")
    }
    pub fn meta_dir(&self) -> PathBuf {
        self.root.join("_backtrail")
    }
    pub fn manifest_dir(&self) -> PathBuf {
        self.meta_dir().join("manifest")
    }
    pub fn journal_dir(&self) -> PathBuf {
        self.meta_dir().join("journal")
    }
    pub fn staging_dir(&self) -> PathBuf {
        self.meta_dir().join("staging")
    }
    pub fn rejects_dir(&self) -> PathBuf {
        self.meta_dir().join("rejects")
    }
    pub fn conflicts_dir(&self) -> PathBuf {
        self.meta_dir().join("conflicts")
    }
    pub fn lock_path(&self) -> PathBuf {
        self.meta_dir().join("lock")
    }
    /// The partition directory for a date.
    pub fn partition_dir(&self, date: &str) -> PathBuf {
        self.events_dir().join(format!("event_date={date}"))
    }
    pub fn exists(&self) -> bool {
        self.events_dir().is_dir() || self.meta_dir().is_dir()
    }
}

/// Every committed Parquet file of the lake, sorted by path.
pub fn parquet_files(lake: &Lake) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let dir = lake.events_dir();
    if !dir.is_dir() {
        return Ok(out);
    }
    for part in std::fs::read_dir(&dir)? {
        let part = part?.path();
        if !part.is_dir() || !is_partition_dir(&part) {
            continue;
        }
        for f in std::fs::read_dir(&part)? {
            let f = f?.path();
            if f.extension().is_some_and(|e| e == "parquet")
                && !f
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            {
                out.push(f);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_partition_dir(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("event_date="))
}
