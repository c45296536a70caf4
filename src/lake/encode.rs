//! The files an ingest run writes, and the encoders that write them.
//!
//! A run keeps each day's files open while it goes, and every buffer of a
//! day the writer flushes becomes row groups appended to one of them: a
//! day is a few files of many row groups, not a file per buffer. (One file
//! per 48 MiB buffer gave a 5M-event lake 299 files of 17k rows; readers
//! paid per file, and an incident analysis of the same rows in one file a
//! day took 2.4 s against 3.0 s.)
//!
//! Which file a buffer goes to, and in which turn, is decided by the writer
//! ([`Plan`]), so a file's contents never depend on thread timing; the
//! encoders ([`Files::run`]) take jobs as they come and append each to its
//! file in its turn.

use super::write::{EventsFile, ROW_GROUP_ROWS, Selection};
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// Rows after which a file is complete and its day's next buffer begins
/// another: big enough that readers pay little per file, small enough
/// that Spark or Athena can split a day across workers.
pub const FILE_ROWS: usize = 1 << 20;

/// Files a run keeps open at once; past that, the least recently used is
/// completed (a backfill of a year of days need not hold a year of files;
/// two months of days, each with two lanes, stay open).
pub const OPEN_FILES: usize = 128;

/// Row groups the open files may hold in all before the least recently
/// used is completed: a file keeps its row groups' metadata (about 8 KB
/// each in the footer, several times that in memory) until it is
/// complete, and 128 files of a thousand row groups would not fit the
/// ingest's memory bound.
pub const OPEN_GROUPS: usize = 512;

/// Files open side by side per day, at most: one per encoder up to this,
/// so that encoders can append to one day at once. A fixed bound keeps a
/// many-core machine from writing a file per buffer again; the layout
/// depends on `--threads` up to it (never on thread timing).
pub const MAX_LANES: usize = 4;

/// One buffer of rows for one file, or the file's completion.
pub struct Job {
    file: u64,
    path: PathBuf,
    /// The job's place among its file's jobs.
    turn: u32,
    /// The buffer's rows (none for a completion).
    rows: Vec<Selection>,
    /// The file is complete after this job.
    last: bool,
}

/// The writer's side: which file each flushed buffer goes to. Each day has
/// `lanes` files open side by side (one per encoder, at most
/// [`MAX_LANES`]), and its buffers go to them in turn, so that encoders
/// can append to one day at once.
pub struct Plan {
    lanes: usize,
    open: BTreeMap<(i64, usize), Planned>,
    /// Buffers flushed per day so far.
    flushed: BTreeMap<i64, usize>,
    files: u64,
    /// Row groups written to the open files: each holds its metadata in
    /// memory until its file is complete.
    groups: usize,
    clock: u64,
}

struct Planned {
    file: u64,
    path: PathBuf,
    rows: usize,
    turns: u32,
    /// Row groups written to it (a buffer of more than a row group's
    /// rows is several).
    groups: usize,
    used: u64,
}

impl Plan {
    pub fn new(lanes: usize) -> Self {
        Plan {
            lanes: lanes.clamp(1, MAX_LANES),
            open: BTreeMap::new(),
            flushed: BTreeMap::new(),
            files: 0,
            groups: 0,
            clock: 0,
        }
    }

    /// The jobs for a buffer of `rows` rows of `day`: the buffer's, and
    /// the completions of the least recently used files when there would
    /// be too many files or row groups open. `new_file` is called with a
    /// new file's number and returns its path.
    pub fn jobs(
        &mut self,
        day: i64,
        selections: Vec<Selection>,
        rows: usize,
        mut new_file: impl FnMut(u64) -> PathBuf,
    ) -> Vec<Job> {
        self.clock += 1;
        let flushed = self.flushed.entry(day).or_default();
        let lane = *flushed % self.lanes;
        *flushed += 1;
        let mut jobs = Vec::new();
        let key = (day, lane);
        if !self.open.contains_key(&key) {
            if self.open.len() >= OPEN_FILES {
                jobs.extend(self.complete_oldest());
            }
            self.files += 1;
            let path = new_file(self.files);
            self.open.insert(
                key,
                Planned {
                    file: self.files,
                    path,
                    rows: 0,
                    turns: 0,
                    groups: 0,
                    used: 0,
                },
            );
        }
        if let Some(p) = self.open.get_mut(&key) {
            p.rows += rows;
            p.used = self.clock;
            let last = p.rows >= FILE_ROWS;
            jobs.push(Job {
                file: p.file,
                path: p.path.clone(),
                turn: p.turns,
                rows: selections,
                last,
            });
            p.turns += 1;
            let groups = rows.div_ceil(ROW_GROUP_ROWS).max(1);
            p.groups += groups;
            self.groups += groups;
            if last {
                self.complete(key);
            }
        }
        while self.groups > OPEN_GROUPS {
            let Some(job) = self.complete_oldest() else {
                break;
            };
            jobs.push(job);
        }
        jobs
    }

    /// Forget a completed file.
    fn complete(&mut self, key: (i64, usize)) -> Option<Planned> {
        let p = self.open.remove(&key)?;
        self.groups -= p.groups;
        Some(p)
    }

    /// The completion of the least recently used open file.
    fn complete_oldest(&mut self) -> Option<Job> {
        let oldest = self
            .open
            .iter()
            .min_by_key(|(_, p)| p.used)
            .map(|(k, _)| *k)?;
        let p = self.complete(oldest)?;
        Some(Job {
            file: p.file,
            path: p.path,
            turn: p.turns,
            rows: Vec::new(),
            last: true,
        })
    }
}

/// The encoders' side: the run's open files, each appended to in its
/// jobs' turns whichever encoder takes them.
#[derive(Default)]
pub struct Files {
    slots: Mutex<HashMap<u64, Arc<Slot>>>,
    /// A job failed: the later ones only take their turns (so no encoder
    /// waits for a turn that never comes); the run fails.
    failed: AtomicBool,
}

#[derive(Default)]
struct Slot {
    state: Mutex<SlotState>,
    turned: Condvar,
}

#[derive(Default)]
struct SlotState {
    next: u32,
    file: Option<EventsFile>,
}

/// A file's turn, held: it passes to the next job when dropped, also when
/// the job failed or panicked.
struct Turn<'s> {
    slot: &'s Slot,
    state: MutexGuard<'s, SlotState>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.state.next += 1;
        // The waiters wake to the lock, released right after.
        self.slot.turned.notify_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking encoder fails the run when it is joined; the others must
    // still take their turns.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Files {
    /// Do `job`, after its file's earlier jobs.
    pub fn run(&self, job: Job) -> io::Result<()> {
        let slot = lock(&self.slots).entry(job.file).or_default().clone();
        let mut state = lock(&slot.state);
        while state.next != job.turn {
            state = slot
                .turned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let mut turn = Turn { slot: &slot, state };
        let result = if self.failed.load(Ordering::Acquire) {
            Ok(())
        } else {
            // A panic in the Parquet or Arrow code fails the run like an
            // error, and the encoder goes on draining jobs: the writer
            // never waits for an encoder that is gone.
            let state = &mut *turn.state;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| append(state, &job)))
                .unwrap_or_else(|_| {
                    Err(io::Error::other(format!(
                        "writing {}: the Parquet encoder panicked",
                        job.path.display()
                    )))
                })
        };
        // Before the turn passes: the file's next job must not append after
        // a failed one.
        if result.is_err() {
            self.failed.store(true, Ordering::Release);
        }
        drop(turn);
        if job.last {
            lock(&self.slots).remove(&job.file);
        }
        result
    }

    /// Complete the files still open, on every core. Only after the last
    /// job has run.
    pub fn finish(self) -> io::Result<()> {
        use rayon::prelude::*;
        let open: Vec<EventsFile> = self
            .slots
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_values()
            .filter_map(|slot| lock(&slot.state).file.take())
            .collect();
        open.into_par_iter().try_for_each(|f| f.finish().map(drop))
    }
}

fn append(state: &mut SlotState, job: &Job) -> io::Result<()> {
    if state.file.is_none() && job.turn == 0 {
        state.file = Some(EventsFile::create(&job.path)?);
    }
    if let Some(file) = state.file.as_mut() {
        file.append_rows(&job.rows)?;
    }
    if job.last
        && let Some(file) = state.file.take()
    {
        file.finish()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::RecordBatch;
    use std::path::Path;

    fn plan_jobs(
        plan: &mut Plan,
        day: i64,
        rows: usize,
        named: &mut Vec<u64>,
    ) -> Vec<(u64, u32, bool, bool)> {
        // A buffer's job carries its rows; a completion carries none.
        let batch = RecordBatch::new_empty(crate::event::schema::schema());
        plan.jobs(day, vec![Selection::all(batch)], rows, |n| {
            named.push(n);
            Path::new("f").join(n.to_string())
        })
        .into_iter()
        .map(|j| (j.file, j.turn, j.rows.is_empty() && j.last, j.last))
        .collect()
    }

    #[test]
    fn a_days_buffers_alternate_between_its_lanes_in_turns() {
        let mut plan = Plan::new(2);
        let mut named = Vec::new();
        let got: Vec<_> = (0..5)
            .flat_map(|_| plan_jobs(&mut plan, 7, 10, &mut named))
            .map(|(f, t, _, last)| (f, t, last))
            .collect();
        assert_eq!(
            got,
            [
                (1, 0, false),
                (2, 0, false),
                (1, 1, false),
                (2, 1, false),
                (1, 2, false)
            ]
        );
        assert_eq!(named, [1, 2]);
    }

    #[test]
    fn a_full_file_is_completed_and_its_lane_starts_another() {
        let mut plan = Plan::new(1);
        let mut named = Vec::new();
        let a = plan_jobs(&mut plan, 1, FILE_ROWS - 1, &mut named);
        let b = plan_jobs(&mut plan, 1, 1, &mut named);
        let c = plan_jobs(&mut plan, 1, 1, &mut named);
        assert_eq!(a, [(1, 0, false, false)]);
        assert_eq!(b, [(1, 1, false, true)]);
        assert_eq!(c, [(2, 0, false, false)]);
    }

    #[test]
    fn past_the_row_groups_bound_the_least_recently_used_is_completed() {
        let mut plan = Plan::new(1);
        let mut named = Vec::new();
        // Day 0 first, then day 1, one row group each turn, until the
        // bound: day 0's file is the least recently used.
        for i in 0..OPEN_GROUPS {
            assert_eq!(plan_jobs(&mut plan, (i % 2) as i64, 1, &mut named).len(), 1);
        }
        let over = plan_jobs(&mut plan, 1, 1, &mut named);
        let half = (OPEN_GROUPS / 2) as u32;
        assert_eq!(over, [(2, half, false, false), (1, half, true, true)]);
        // Day 0 starts a new file.
        assert_eq!(
            plan_jobs(&mut plan, 0, 1, &mut named),
            [(3, 0, false, false)]
        );
    }

    #[test]
    fn past_the_open_files_bound_the_least_recently_used_is_completed() {
        let mut plan = Plan::new(1);
        let mut named = Vec::new();
        for day in 0..OPEN_FILES as i64 {
            plan_jobs(&mut plan, day, 1, &mut named);
        }
        // Day 0 used again: day 1 is now the least recently used.
        assert_eq!(
            plan_jobs(&mut plan, 0, 1, &mut named),
            [(1, 1, false, false)]
        );
        let next = plan_jobs(&mut plan, 1000, 1, &mut named);
        assert_eq!(
            next,
            [(2, 1, true, true), (OPEN_FILES as u64 + 1, 0, false, false)]
        );
    }

    fn batch_at(second: u32) -> RecordBatch {
        let rec = format!(
            r#"{{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-01-01T00:00:{second:02}Z","eventID":"e{second}"}}"#
        );
        let origin = crate::event::Origin {
            source_file: "f",
            source_index: 0,
            source_format: "single",
        };
        let ev = crate::event::normalize(&rec, origin, 1 << 20).unwrap();
        crate::event::schema::to_batch(&[ev]).unwrap()
    }

    fn job(path: &Path, turn: u32, second: u32, last: bool) -> Job {
        Job {
            file: 1,
            path: path.to_path_buf(),
            turn,
            rows: vec![Selection::all(batch_at(second))],
            last,
        }
    }

    #[test]
    fn a_files_jobs_are_appended_in_their_turns_whoever_takes_them() {
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("x.parquet");
        let files = Files::default();
        std::thread::scope(|s| {
            // Turns 2 and 1 are taken first, by other threads: they wait.
            let late = s.spawn(|| files.run(job(&path, 2, 30, true)));
            let middle = s.spawn(|| files.run(job(&path, 1, 20, false)));
            std::thread::sleep(std::time::Duration::from_millis(50));
            files.run(job(&path, 0, 10, false)).unwrap();
            middle.join().unwrap().unwrap();
            late.join().unwrap().unwrap();
        });
        files.finish().unwrap();
        assert_eq!(first_times(&path), [10, 20, 30]);
    }

    /// The first second of each row group of the file at `path`, after
    /// checking that each says it is sorted by time.
    fn first_times(path: &Path) -> Vec<i64> {
        use parquet::file::metadata::SortingColumn;
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
        let time_idx = crate::event::schema::schema()
            .index_of("event_time")
            .unwrap();
        let sorted = [SortingColumn {
            column_idx: time_idx as i32,
            descending: false,
            nulls_first: false,
        }];
        for rg in reader.metadata().row_groups() {
            assert_eq!(rg.sorting_columns().map(Vec::as_slice), Some(&sorted[..]));
        }
        let base = 1_704_067_200_000_000i64;
        super::super::read::row_group_times(path)
            .unwrap()
            .iter()
            .map(|g| (g.range.unwrap().0 - base) / 1_000_000)
            .collect()
    }

    #[test]
    fn a_file_that_cannot_be_created_passes_its_turns_on() {
        let t = tempfile::tempdir().unwrap();
        // Its directory does not exist.
        let path = t.path().join("missing").join("x.parquet");
        let files = Files::default();
        std::thread::scope(|s| {
            let later = s.spawn(|| files.run(job(&path, 1, 20, true)));
            std::thread::sleep(std::time::Duration::from_millis(50));
            let err = files.run(job(&path, 0, 10, false)).unwrap_err();
            assert!(err.to_string().contains("x.parquet"), "{err}");
            // Its turn came (no hang) and it did nothing.
            later.join().unwrap().unwrap();
        });
        files.finish().unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn after_a_failed_append_no_later_job_appends() {
        use arrow::array::{ArrayRef, Int32Array};
        let t = tempfile::tempdir().unwrap();
        let path = t.path().join("x.parquet");
        let files = Files::default();
        // Not the lake's schema: its append fails.
        let column: ArrayRef = std::sync::Arc::new(Int32Array::from(vec![1]));
        let bad = RecordBatch::try_from_iter([("x", column)]).unwrap();
        std::thread::scope(|s| {
            let late = s.spawn(|| files.run(job(&path, 2, 30, false)));
            let failing = s.spawn(|| {
                files.run(Job {
                    rows: vec![Selection::all(bad)],
                    ..job(&path, 1, 20, false)
                })
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            files.run(job(&path, 0, 10, false)).unwrap();
            assert!(failing.join().unwrap().is_err());
            late.join().unwrap().unwrap();
        });
        // Completed here only to look inside: the run would fail instead.
        files.finish().unwrap();
        assert_eq!(first_times(&path), [10]);
    }

    #[test]
    fn a_buffer_counts_as_the_row_groups_it_makes() {
        let mut plan = Plan::new(1);
        let mut named = Vec::new();
        // 15 row groups a buffer, under a file's rows: no file is full.
        let rows = 15 * ROW_GROUP_ROWS;
        assert!(rows < FILE_ROWS);
        let fit = OPEN_GROUPS / 15;
        for day in 0..fit as i64 {
            assert_eq!(plan_jobs(&mut plan, day, rows, &mut named).len(), 1);
        }
        let over = plan_jobs(&mut plan, fit as i64, rows, &mut named);
        assert_eq!(over.len(), 2, "{over:?}");
        assert_eq!(over[1], (1, 1, true, true));
    }
}
