//! Committing an ingest run atomically, and the manifest of what was ingested.
//!
//! A run writes everything under `_backtrail/staging/<run>/`. To commit, it
//! writes a journal naming every staged file and its final place, renames the
//! files into place, then moves the journal into `manifest/`. A run killed
//! before the journal exists leaves only staging, which the next run deletes;
//! a run killed after it is rolled forward by the next run. Readers of
//! `events/` therefore see a run's files either not at all or, once rolled
//! forward, all of them.

use super::Lake;
use fs2::FileExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One input file as the manifest remembers it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceEntry {
    /// Path relative to the PATH argument it was found under.
    pub path: String,
    pub sha256: String,
    pub size: u64,
    pub format: String,
    /// Record candidates in the file.
    pub records: u64,
    /// Records that passed validation.
    pub valid: u64,
    /// Valid records that were new to the lake.
    pub events_written: u64,
    pub rejected: u64,
}

/// A staged file and where it goes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Move {
    pub staged: String,
    pub target: String,
}

/// The journal of a run, which becomes its manifest entry once committed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord {
    pub run_id: String,
    pub backtrail_version: String,
    pub started: String,
    pub finished: String,
    pub sources: Vec<SourceEntry>,
    pub moves: Vec<Move>,
    pub summary: serde_json::Value,
}

/// Holds the lake's writer lock for as long as it lives.
pub struct LakeLock {
    file: File,
}

impl Drop for LakeLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

/// Take the lake's exclusive lock, waiting for another ingest if needed.
pub fn lock(lake: &Lake) -> io::Result<LakeLock> {
    fs::create_dir_all(lake.meta_dir())?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(lake.lock_path())?;
    if file.try_lock_exclusive().is_err() {
        tracing::info!(
            "another backtrail ingest is writing to {}; waiting for it to finish",
            lake.root.display()
        );
        file.lock_exclusive()?;
    }
    Ok(LakeLock { file })
}

/// Write `bytes` to `path` atomically: a temporary file, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Finish what an interrupted run left: roll journals forward, delete
/// staging that never reached a journal. Returns the runs rolled forward.
pub fn recover(lake: &Lake) -> io::Result<Vec<String>> {
    let mut rolled = Vec::new();
    if let Ok(rd) = fs::read_dir(lake.journal_dir()) {
        let mut journals: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        journals.sort();
        if let Ok(rd) = fs::read_dir(lake.journal_dir()) {
            for e in rd.flatten() {
                if e.path().extension().is_some_and(|x| x == "tmp") {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        for j in journals {
            let rec: RunRecord = match fs::read(&j)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
            {
                Some(r) => r,
                None => {
                    // A journal is written atomically, so an unreadable one was
                    // never complete: its run never committed.
                    fs::remove_file(&j)?;
                    continue;
                }
            };
            apply(lake, &rec)?;
            rolled.push(rec.run_id.clone());
        }
    }
    if let Ok(rd) = fs::read_dir(lake.staging_dir()) {
        for e in rd.flatten() {
            let _ = fs::remove_dir_all(e.path());
        }
    }
    Ok(rolled)
}

/// Move a run's staged files into place and record it in the manifest.
fn apply(lake: &Lake, rec: &RunRecord) -> io::Result<()> {
    for m in &rec.moves {
        let staged = lake.root.join(&m.staged);
        let target = lake.root.join(&m.target);
        if staged.exists() {
            if let Some(p) = target.parent() {
                fs::create_dir_all(p)?;
            }
            fs::rename(&staged, &target)?;
            sync_dir(target.parent().unwrap_or(&lake.root));
        }
    }
    fs::create_dir_all(lake.manifest_dir())?;
    let journal = lake.journal_dir().join(format!("{}.json", rec.run_id));
    let manifest = lake.manifest_dir().join(format!("{}.json", rec.run_id));
    fs::rename(&journal, &manifest)?;
    sync_dir(&lake.manifest_dir());
    let _ = fs::remove_dir_all(lake.staging_dir().join(&rec.run_id));
    Ok(())
}

/// Commit a run: journal, moves, manifest.
pub fn commit(lake: &Lake, rec: &RunRecord) -> io::Result<()> {
    fs::create_dir_all(lake.journal_dir())?;
    let journal = lake.journal_dir().join(format!("{}.json", rec.run_id));
    let bytes = serde_json::to_vec_pretty(rec).map_err(io::Error::other)?;
    write_atomic(&journal, &bytes)?;
    apply(lake, rec)
}

/// Every committed run, oldest first.
pub fn runs(lake: &Lake) -> io::Result<Vec<RunRecord>> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(lake.manifest_dir()) else {
        return Ok(out);
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for p in paths {
        let bytes = fs::read(&p)?;
        let rec: RunRecord = serde_json::from_slice(&bytes)
            .map_err(|e| io::Error::other(format!("corrupt manifest {}: {e}", p.display())))?;
        out.push(rec);
    }
    Ok(out)
}

/// Content hashes of every source file already ingested, with where.
pub fn ingested_sources(lake: &Lake) -> io::Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for r in runs(lake)? {
        for s in r.sources {
            m.entry(s.sha256).or_insert(s.path);
        }
    }
    Ok(m)
}
