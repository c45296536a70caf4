//! The ingest's duplicate check: which event IDs the lake holds, and what
//! each looked like (the first 64 bits of its record hash, and where it came
//! from).
//!
//! Recent keys live in memory: sharded sorted arrays, each with a small hash
//! table in front. Past `cap` keys, memory is written out as one sorted run
//! on disk, found again through a blocked Bloom filter and the first key of
//! every block, both in memory: about 1.6 bytes a key instead of 32, so the
//! index no longer grows the ingest's memory with its input. A lookup reads
//! one 4 KiB block of a run only when the filter says the key may be there
//! (about 1 % of new keys). Runs of similar size are merged, so a lookup
//! checks at most a logarithmic number of filters.

use std::collections::HashMap;
use std::fs::{self, File};
use std::hash::{BuildHasher, RandomState};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// 128-bit keys of event IDs: two independently seeded SipHashes, so that
/// IDs chosen by an attacker cannot be made to collide. Computed by the
/// decoder threads; the writer only looks them up.
pub(super) struct IdKeys {
    a: RandomState,
    b: RandomState,
}

impl IdKeys {
    pub(super) fn new() -> Self {
        IdKeys {
            a: RandomState::new(),
            b: RandomState::new(),
        }
    }
    pub(super) fn key(&self, id: &str) -> u128 {
        let x = self.a.hash_one(id) as u128;
        let y = self.b.hash_one(id) as u128;
        (x << 64) | y
    }
}

/// The keys are already uniformly random: hash a key by its low 64 bits.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, k: u128) {
        self.0 = k as u64;
    }
}

type KeyMap<V> = HashMap<u128, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Shards of the in-memory index, by the key's top byte (so that the shards
/// in order are the keys in order).
const SHARDS: usize = 256;
/// Keys a shard takes in its hash table before they are merged into its
/// sorted array.
const DELTA_MAX: usize = 1024;
/// Keys held in memory before they are written out as a run: 32 MiB.
pub(super) const DEFAULT_CAP: usize = 1 << 20;

/// One shard: a sorted array of exactly the size it needs (32 bytes an
/// entry) and a small hash table of recent keys. A hash table alone holds
/// 1.5 to 2.3 times the bytes (its load factor) and doubles as it grows.
#[derive(Default)]
struct Shard {
    sorted: Vec<(u128, Seen)>,
    delta: KeyMap<Seen>,
}

impl Shard {
    fn get(&self, k: u128) -> Option<&Seen> {
        self.delta.get(&k).or_else(|| {
            self.sorted
                .binary_search_by_key(&k, |e| e.0)
                .ok()
                .map(|i| &self.sorted[i].1)
        })
    }
    fn insert(&mut self, k: u128, s: Seen) {
        self.delta.insert(k, s);
        if self.delta.len() >= DELTA_MAX {
            self.merge_delta();
        }
    }
    fn merge_delta(&mut self) {
        let mut new: Vec<(u128, Seen)> = self.delta.drain().collect();
        new.sort_unstable_by_key(|e| e.0);
        let old = std::mem::take(&mut self.sorted);
        let mut out = Vec::with_capacity(old.len() + new.len());
        let (mut a, mut b) = (old.into_iter().peekable(), new.into_iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            if x.0 <= y.0 {
                out.extend(a.next());
            } else {
                out.extend(b.next());
            }
        }
        out.extend(a);
        out.extend(b);
        self.sorted = out;
    }
}

/// What the index records of a key. 16 bytes, so an entry with its key is 32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Seen {
    pub(super) hash: u64,
    /// Input file number, or `u32::MAX` for rows from earlier runs.
    pub(super) file: u32,
    /// Record number in the file, or `u32::MAX` past that.
    pub(super) index: u32,
}

#[derive(Debug)]
pub(super) enum Verdict {
    New,
    Exact,
    Conflict(Seen),
}

fn hash_prefix(record_hash: &str) -> u64 {
    u64::from_str_radix(record_hash.get(..16).unwrap_or("0"), 16).unwrap_or(0)
}

/// Bytes of an entry on disk: key, hash, file, index, little-endian.
const ENTRY: usize = 32;
/// Entries in a block: what a lookup reads from disk (4 KiB).
const BLOCK: usize = 128;
/// Filter bits per key: with 7 probes in one 512-bit block, about 1 % false
/// positives.
const BLOOM_BITS_PER_KEY: usize = 12;
const BLOOM_PROBES: usize = 7;

fn encode(k: u128, s: Seen) -> [u8; ENTRY] {
    let mut b = [0u8; ENTRY];
    b[..16].copy_from_slice(&k.to_le_bytes());
    b[16..24].copy_from_slice(&s.hash.to_le_bytes());
    b[24..28].copy_from_slice(&s.file.to_le_bytes());
    b[28..].copy_from_slice(&s.index.to_le_bytes());
    b
}

fn decode(b: &[u8; ENTRY]) -> (u128, Seen) {
    let (mut k, mut h, mut f, mut i) = ([0u8; 16], [0u8; 8], [0u8; 4], [0u8; 4]);
    k.copy_from_slice(&b[..16]);
    h.copy_from_slice(&b[16..24]);
    f.copy_from_slice(&b[24..28]);
    i.copy_from_slice(&b[28..]);
    (
        u128::from_le_bytes(k),
        Seen {
            hash: u64::from_le_bytes(h),
            file: u32::from_le_bytes(f),
            index: u32::from_le_bytes(i),
        },
    )
}

/// A blocked Bloom filter: every probe of a key falls in one 64-byte block,
/// so a lookup costs one cache miss. The keys are uniformly random: the
/// block comes from their low 64 bits, the probes from the high.
struct Bloom {
    blocks: Vec<[u64; 8]>,
}

impl Bloom {
    fn with_keys(n: usize) -> Self {
        let blocks = (n * BLOOM_BITS_PER_KEY).div_ceil(512).max(1);
        Bloom {
            blocks: vec![[0; 8]; blocks],
        }
    }
    /// The block of `k`, and which bit of which word each probe sets.
    fn probes(&self, k: u128) -> (usize, [(usize, u64); BLOOM_PROBES]) {
        let block = ((u128::from(k as u64) * self.blocks.len() as u128) >> 64) as usize;
        let high = (k >> 64) as u64;
        let mut bits = [(0, 0); BLOOM_PROBES];
        for (i, p) in bits.iter_mut().enumerate() {
            let bit = (high >> (i * 9)) & 511;
            *p = ((bit / 64) as usize, 1u64 << (bit % 64));
        }
        (block, bits)
    }
    fn insert(&mut self, k: u128) {
        let (b, bits) = self.probes(k);
        for (w, m) in bits {
            self.blocks[b][w] |= m;
        }
    }
    fn clear(&mut self) {
        self.blocks.fill([0; 8]);
    }
    fn may_contain(&self, k: u128) -> bool {
        let (b, bits) = self.probes(k);
        bits.iter().all(|&(w, m)| self.blocks[b][w] & m != 0)
    }
}

/// A sorted run of entries on disk.
struct Run {
    path: PathBuf,
    file: File,
    len: usize,
    /// The first key of each block.
    fences: Vec<u128>,
    bloom: Bloom,
}

/// Writes a run's entries in key order, building its filter and fences.
struct RunWriter {
    path: PathBuf,
    out: BufWriter<File>,
    len: usize,
    fences: Vec<u128>,
    bloom: Bloom,
}

impl RunWriter {
    fn create(path: PathBuf, keys: usize) -> io::Result<Self> {
        let out = BufWriter::with_capacity(1 << 16, File::create(&path)?);
        Ok(RunWriter {
            path,
            out,
            len: 0,
            fences: Vec::with_capacity(keys.div_ceil(BLOCK)),
            bloom: Bloom::with_keys(keys),
        })
    }
    fn push(&mut self, k: u128, s: Seen) -> io::Result<()> {
        if self.len.is_multiple_of(BLOCK) {
            self.fences.push(k);
        }
        self.bloom.insert(k);
        self.out.write_all(&encode(k, s))?;
        self.len += 1;
        Ok(())
    }
    fn finish(self) -> io::Result<Run> {
        // Flushed, not synced: a run lives only as long as the ingest.
        drop(self.out.into_inner().map_err(|e| e.into_error())?);
        Ok(Run {
            file: File::open(&self.path)?,
            path: self.path,
            len: self.len,
            fences: self.fences,
            bloom: self.bloom,
        })
    }
}

impl Run {
    fn get(&mut self, k: u128, buf: &mut Vec<u8>) -> io::Result<Option<Seen>> {
        if !self.bloom.may_contain(k) {
            return Ok(None);
        }
        let Some(block) = self.fences.partition_point(|&f| f <= k).checked_sub(1) else {
            return Ok(None);
        };
        let start = block * BLOCK;
        let n = BLOCK.min(self.len - start);
        buf.resize(n * ENTRY, 0);
        self.file.seek(SeekFrom::Start((start * ENTRY) as u64))?;
        self.file.read_exact(buf)?;
        let (entries, _) = buf.as_chunks::<ENTRY>();
        let (mut lo, mut hi) = (0, entries.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            let (key, s) = decode(&entries[mid]);
            match key.cmp(&k) {
                std::cmp::Ordering::Equal => return Ok(Some(s)),
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        Ok(None)
    }
    /// Every entry, in key order.
    fn entries(&self) -> io::Result<impl Iterator<Item = io::Result<(u128, Seen)>>> {
        let mut r = BufReader::with_capacity(1 << 16, File::open(&self.path)?);
        let mut left = self.len;
        Ok(std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            left -= 1;
            let mut b = [0u8; ENTRY];
            Some(r.read_exact(&mut b).map(|()| decode(&b)))
        }))
    }
}

/// Which event IDs the lake holds, and what each looked like.
pub(super) struct Dedup {
    mem: Vec<Shard>,
    /// The keys in `mem`: most keys are new, and the filter answers for
    /// them with one cache miss where the shard's table and sorted array
    /// took several (perf: `check` was 3.5 % of ingest's CPU).
    mem_filter: Bloom,
    in_mem: usize,
    cap: usize,
    /// Where runs are written.
    dir: PathBuf,
    /// Oldest (and largest) first.
    runs: Vec<Run>,
    next_run: u64,
    buf: Vec<u8>,
    /// Other versions (record hashes) of IDs with conflicting duplicates.
    set_aside: KeyMap<Vec<u64>>,
}

impl Dedup {
    /// An index that writes runs to `dir` (created when first needed) once
    /// it holds `cap` keys in memory.
    pub(super) fn new(dir: PathBuf, cap: usize) -> Self {
        Dedup {
            mem: (0..SHARDS).map(|_| Shard::default()).collect(),
            // Sized for the default cap at most: past the keys it was
            // sized for it only answers "maybe" more often.
            mem_filter: Bloom::with_keys(cap.clamp(1, DEFAULT_CAP)),
            in_mem: 0,
            cap: cap.max(1),
            dir,
            runs: Vec::new(),
            next_run: 0,
            buf: Vec::new(),
            set_aside: KeyMap::default(),
        }
    }

    fn get(&mut self, k: u128) -> io::Result<Option<Seen>> {
        if self.mem_filter.may_contain(k)
            && let Some(s) = self.mem[(k >> 120) as usize % SHARDS].get(k)
        {
            return Ok(Some(*s));
        }
        for run in self.runs.iter_mut().rev() {
            if let Some(s) = run.get(k, &mut self.buf)? {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    /// `k` is the event ID's [`IdKeys::key`].
    pub(super) fn check(
        &mut self,
        k: u128,
        record_hash: &str,
        file: u32,
        index: u64,
    ) -> io::Result<Verdict> {
        let h = hash_prefix(record_hash);
        Ok(match self.get(k)? {
            None => {
                self.mem_filter.insert(k);
                self.mem[(k >> 120) as usize % SHARDS].insert(
                    k,
                    Seen {
                        hash: h,
                        file,
                        index: u32::try_from(index).unwrap_or(u32::MAX),
                    },
                );
                self.in_mem += 1;
                if self.in_mem >= self.cap {
                    self.spill()?;
                }
                Verdict::New
            }
            Some(s) if s.hash == h => Verdict::Exact,
            Some(s) => {
                // Equal to a version already set aside: an exact duplicate of it.
                let others = self.set_aside.entry(k).or_default();
                if others.contains(&h) {
                    Verdict::Exact
                } else {
                    others.push(h);
                    Verdict::Conflict(s)
                }
            }
        })
    }

    fn run_path(&mut self) -> io::Result<PathBuf> {
        fs::create_dir_all(&self.dir)?;
        self.next_run += 1;
        Ok(self.dir.join(format!("ids-{}.run", self.next_run)))
    }

    /// Memory out to a new run, then merge runs of similar size.
    fn spill(&mut self) -> io::Result<()> {
        let mut w = RunWriter::create(self.run_path()?, self.in_mem)?;
        for shard in &mut self.mem {
            shard.merge_delta();
            for &(k, s) in &shard.sorted {
                w.push(k, s)?;
            }
            *shard = Shard::default();
        }
        self.in_mem = 0;
        self.mem_filter.clear();
        self.runs.push(w.finish()?);
        while let [.., a, b] = self.runs.as_slice()
            && a.len <= 2 * b.len
        {
            let (Some(b), Some(a)) = (self.runs.pop(), self.runs.pop()) else {
                break;
            };
            let merged = self.merge(&a, &b)?;
            for old in [a, b] {
                let _ = fs::remove_file(&old.path);
            }
            self.runs.push(merged);
        }
        Ok(())
    }

    /// One run of the entries of `a` and `b` (no key is in both).
    fn merge(&mut self, a: &Run, b: &Run) -> io::Result<Run> {
        let mut w = RunWriter::create(self.run_path()?, a.len + b.len)?;
        let (mut x, mut y) = (a.entries()?.peekable(), b.entries()?.peekable());
        loop {
            let take_x = match (x.peek(), y.peek()) {
                (None, None) => break,
                (Some(Err(_)), _) | (Some(Ok(_)), None) => true,
                (None, Some(_)) | (_, Some(Err(_))) => false,
                (Some(Ok(p)), Some(Ok(q))) => p.0 <= q.0,
            };
            let next = if take_x { x.next() } else { y.next() };
            if let Some(e) = next {
                let (k, s) = e?;
                w.push(k, s)?;
            }
        }
        w.finish()
    }

    #[cfg(test)]
    fn runs(&self) -> Vec<usize> {
        self.runs.iter().map(|r| r.len).collect()
    }
}

impl Drop for Dedup {
    fn drop(&mut self) {
        for r in &self.runs {
            let _ = fs::remove_file(&r.path);
        }
        let _ = fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("backtrail-dedup-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn an_index_entry_is_32_bytes() {
        assert_eq!(std::mem::size_of::<(u128, Seen)>(), 32);
        let s = Seen {
            hash: u64::MAX - 3,
            file: 7,
            index: u32::MAX,
        };
        assert_eq!(decode(&encode(u128::MAX - 9, s)), (u128::MAX - 9, s));
    }

    #[test]
    fn dedup_tells_new_exact_and_conflicting_versions_apart() {
        let mut d = Dedup::new(scratch("verdicts"), DEFAULT_CAP);
        let k = IdKeys::new().key("e1");
        let (a, b) = ("a".repeat(32), "b".repeat(32));
        assert!(matches!(d.check(k, &a, 0, 5).unwrap(), Verdict::New));
        assert!(matches!(d.check(k, &a, 1, 0).unwrap(), Verdict::Exact));
        match d.check(k, &b, 2, 0).unwrap() {
            Verdict::Conflict(kept) => assert_eq!((kept.file, kept.index), (0, 5)),
            v => panic!("a different version is a conflict, not {v:?}"),
        }
        assert!(matches!(d.check(k, &b, 3, 0).unwrap(), Verdict::Exact));
        assert!(matches!(
            d.check(k ^ 1, &a, 3, 1 << 40).unwrap(),
            Verdict::New
        ));
    }

    /// Every key is found again with what was recorded for it, wherever it
    /// lives: a shard's hash table, its sorted array, or a run on disk
    /// (small `cap`s spill often, and merge runs).
    #[test]
    fn the_index_finds_every_key_in_memory_and_in_runs() {
        for cap in [usize::MAX, 5_000, 777] {
            let dir = scratch(&format!("runs-{cap}"));
            let mut d = Dedup::new(dir.clone(), cap);
            let keys = IdKeys::new();
            // Past the hash tables into the sorted arrays, or many spills.
            let n = if cap == usize::MAX {
                (SHARDS * DELTA_MAX * 3) as u32
            } else {
                60_000
            };
            let h = |i: u32| format!("{i:016x}{:016x}", 0);
            for i in 0..n {
                assert!(matches!(
                    d.check(keys.key(&i.to_string()), &h(i), i, 7).unwrap(),
                    Verdict::New
                ));
            }
            if cap == usize::MAX {
                assert!(d.runs().is_empty());
                assert!(
                    d.mem.iter().map(|s| s.sorted.len()).sum::<usize>() > 2 * SHARDS * DELTA_MAX
                );
            } else {
                let runs = d.runs();
                assert_eq!(runs.iter().sum::<usize>() + d.in_mem, n as usize);
                // Merged as they went: far fewer runs than spills.
                assert!(
                    runs.len() <= 2 + (n as usize / cap).ilog2() as usize,
                    "{runs:?}"
                );
                assert_eq!(fs::read_dir(&dir).unwrap().count(), runs.len());
            }
            for i in (0..n).step_by(97) {
                let k = keys.key(&i.to_string());
                assert!(matches!(d.check(k, &h(i), 0, 0).unwrap(), Verdict::Exact));
                match d.check(k, &h(i + 1), 0, 0).unwrap() {
                    Verdict::Conflict(s) => assert_eq!((s.file, s.index), (i, 7)),
                    v => panic!("{i}: a different version conflicts, not {v:?}"),
                }
            }
            // Keys never inserted are new.
            for i in n..n + 2000 {
                assert!(matches!(
                    d.check(keys.key(&i.to_string()), &h(i), i, 0).unwrap(),
                    Verdict::New
                ));
            }
            drop(d);
            assert!(!dir.exists(), "runs are removed with the index");
        }
    }

    #[test]
    fn the_filter_has_no_false_negatives_and_few_false_positives() {
        let keys = IdKeys::new();
        let mut b = Bloom::with_keys(50_000);
        for i in 0..50_000 {
            b.insert(keys.key(&format!("in{i}")));
        }
        assert!((0..50_000).all(|i| b.may_contain(keys.key(&format!("in{i}")))));
        let fp = (0..50_000)
            .filter(|i| b.may_contain(keys.key(&format!("out{i}"))))
            .count();
        assert!(fp < 1_500, "{fp} false positives in 50,000");
    }
}
