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
use crate::formats::source::ContentHash;
use fs2::FileExt;
use serde::{Deserialize, Serialize};
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
/// A run being committed writes its sources from a [`SourceLog`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRecord<S = Vec<SourceEntry>> {
    pub run_id: String,
    pub backtrail_version: String,
    pub started: String,
    pub finished: String,
    pub sources: S,
    pub moves: Vec<Move>,
    pub summary: serde_json::Value,
}

/// A run's source entries, kept in a file in its staging directory (a JSON
/// line each) as they come and streamed into its journal: a run of a
/// million delivery files would otherwise hold a million entries until it
/// commits (at 218,371 files, 67 MB of the run's 306 MB heap).
pub struct SourceLog {
    path: PathBuf,
    out: Option<io::BufWriter<File>>,
    len: usize,
}

impl SourceLog {
    /// A log that will be written to `path` (created at the first entry).
    pub fn new(path: PathBuf) -> Self {
        SourceLog {
            path,
            out: None,
            len: 0,
        }
    }

    pub fn push(&mut self, entry: &SourceEntry) -> io::Result<()> {
        let out = match &mut self.out {
            Some(out) => out,
            None => self
                .out
                .insert(io::BufWriter::new(File::create(&self.path)?)),
        };
        serde_json::to_writer(&mut *out, entry)?;
        out.write_all(b"\n")?;
        self.len += 1;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Written out, for a [`RunRecord`]'s `sources`.
    pub fn finish(mut self) -> io::Result<Self> {
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        Ok(self)
    }
}

/// The entries, read back from the file in the order they were pushed.
/// Only after [`SourceLog::finish`]; a file that does not hold every entry
/// pushed (not flushed, or changed since) fails, so a journal never lists
/// fewer files than its run ingested.
impl Serialize for SourceLog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use io::BufRead;
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(Some(self.len))?;
        let mut read = 0;
        if self.len > 0 {
            let file = File::open(&self.path).map_err(Error::custom)?;
            for line in io::BufReader::new(file).lines() {
                let line = line.map_err(Error::custom)?;
                let entry: SourceEntry = serde_json::from_str(&line).map_err(Error::custom)?;
                seq.serialize_element(&entry)?;
                read += 1;
            }
        }
        if read != self.len {
            return Err(Error::custom(format!(
                "{} holds {read} source entries of {}",
                self.path.display(),
                self.len
            )));
        }
        seq.end()
    }
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
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Write what `fill` writes to `path` atomically (a temporary file, fsync,
/// rename), streamed: a run's journal lists every source file, and built
/// in memory first it was the ingest's peak (218,371 files: an 82 MB
/// journal in a 134 MB string, beside everything else the run still held).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut w = io::BufWriter::new(File::create(&tmp)?);
        fill(&mut w)?;
        let f = w.into_inner().map_err(io::IntoInnerError::into_error)?;
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
fn apply<S>(lake: &Lake, rec: &RunRecord<S>) -> io::Result<()> {
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
pub fn commit<S: Serialize>(lake: &Lake, rec: &RunRecord<S>) -> io::Result<()> {
    fs::create_dir_all(lake.journal_dir())?;
    let journal = lake.journal_dir().join(format!("{}.json", rec.run_id));
    write_atomic_with(&journal, |w| {
        serde_json::to_writer_pretty(w, rec).map_err(io::Error::from)
    })?;
    apply(lake, rec)
}

/// The committed runs' manifests, oldest first.
fn manifests(lake: &Lake) -> Vec<PathBuf> {
    let Ok(rd) = fs::read_dir(lake.manifest_dir()) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
}

/// Every committed run, oldest first.
pub fn runs(lake: &Lake) -> io::Result<Vec<RunRecord>> {
    let mut out = Vec::new();
    for p in manifests(lake) {
        let bytes = fs::read(&p)?;
        let rec: RunRecord = serde_json::from_slice(&bytes)
            .map_err(|e| io::Error::other(format!("corrupt manifest {}: {e}", p.display())))?;
        out.push(rec);
    }
    Ok(out)
}

/// `sha256` (64 hex digits, as the manifest writes it) as bytes.
pub fn digest(sha256: &str) -> Option<ContentHash> {
    let mut d = [0; 32];
    hex::decode_to_slice(sha256, &mut d).ok()?;
    Some(d)
}

/// The content hashes of every source file already ingested. Only the
/// hashes are read, a manifest at a time, and kept as bytes: an ingest
/// holds them all while it runs, and the entries with their paths took
/// about 250 bytes a file (a lake of a million files: 250 MB), the hashes
/// take 32.
pub fn ingested_hashes(lake: &Lake) -> io::Result<std::collections::HashSet<ContentHash>> {
    #[derive(Deserialize)]
    struct Hashes {
        sources: Vec<Hash>,
    }
    #[derive(Deserialize)]
    struct Hash {
        sha256: String,
    }
    let mut known = std::collections::HashSet::new();
    for p in manifests(lake) {
        let file = File::open(&p)?;
        let run: Hashes = serde_json::from_reader(io::BufReader::with_capacity(1 << 20, file))
            .map_err(|e| io::Error::other(format!("corrupt manifest {}: {e}", p.display())))?;
        // A hash that is not 64 hex digits matches no file.
        known.extend(run.sources.iter().filter_map(|s| digest(&s.sha256)));
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_log_is_committed_as_the_entries_pushed() {
        let tmp = tempfile::tempdir().unwrap();
        let entry = |i: u64| SourceEntry {
            path: format!("AWSLogs/{i}\n\"quoted\".json.gz"),
            sha256: format!("{i:064x}"),
            size: i,
            format: "cloudtrail-s3".into(),
            records: i,
            valid: i,
            events_written: i,
            rejected: 0,
        };
        fn record<S>(sources: S) -> RunRecord<S> {
            RunRecord {
                run_id: "r".into(),
                backtrail_version: "0".into(),
                started: "s".into(),
                finished: "f".into(),
                sources,
                moves: Vec::new(),
                summary: serde_json::Value::Null,
            }
        }
        let log = SourceLog::new(tmp.path().join("sources.ndjson"));
        assert!(log.is_empty());
        let empty = serde_json::to_string(&record(log.finish().unwrap())).unwrap();
        let back: RunRecord = serde_json::from_str(&empty).unwrap();
        assert!(back.sources.is_empty());

        let mut log = SourceLog::new(tmp.path().join("sources.ndjson"));
        let want: Vec<SourceEntry> = (0..3).map(entry).collect();
        for e in &want {
            log.push(e).unwrap();
        }
        // Not flushed: the file lacks entries, and the journal is not written.
        assert!(serde_json::to_vec_pretty(&record(&log)).is_err());
        let journal = serde_json::to_vec_pretty(&record(log.finish().unwrap())).unwrap();
        let back: RunRecord = serde_json::from_slice(&journal).unwrap();
        assert_eq!(back.sources, want);
        // The same document as the entries held in memory would give.
        assert_eq!(journal, serde_json::to_vec_pretty(&record(want)).unwrap());
    }

    #[test]
    fn the_hashes_of_every_committed_run_are_known() {
        let tmp = tempfile::tempdir().unwrap();
        let lake = Lake::new(tmp.path().to_path_buf());
        let source = |sha256: &str| SourceEntry {
            path: "f".into(),
            sha256: sha256.into(),
            size: 1,
            format: "ndjson".into(),
            records: 1,
            valid: 1,
            events_written: 1,
            rejected: 0,
        };
        let (a, b) = ("ab".repeat(32), "0f".repeat(32));
        for (run, shas) in [("r1", vec![a.as_str()]), ("r2", vec![&b, "not hex"])] {
            let rec = RunRecord {
                run_id: run.into(),
                backtrail_version: "0".into(),
                started: "s".into(),
                finished: "f".into(),
                sources: shas.into_iter().map(source).collect::<Vec<_>>(),
                moves: Vec::new(),
                summary: serde_json::Value::Null,
            };
            commit(&lake, &rec).unwrap();
        }
        let known = ingested_hashes(&lake).unwrap();
        assert_eq!(known.len(), 2);
        assert!(known.contains(&[0xab; 32]) && known.contains(&[0x0f; 32]));
        assert_eq!(digest("not hex"), None);
    }
}
