//! Opening an export file: gzip recognised by its magic bytes, limits on
//! what a file may expand to, and a content hash of the bytes as stored.

use flate2::read::MultiGzDecoder;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Limits that keep hostile files from exhausting memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest single record (or NDJSON line), in bytes.
    pub max_record_bytes: usize,
    /// Largest JSON document that is not line-delimited, decompressed.
    pub max_document_bytes: usize,
    /// Largest decompressed size of any file (gzip bomb guard).
    pub max_decompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: crate::event::DEFAULT_MAX_RECORD_BYTES,
            max_document_bytes: 1 << 30,
            max_decompressed_bytes: 64 << 30,
        }
    }
}

/// Counts and hashes the stored (possibly compressed) bytes as they are read.
#[derive(Default)]
pub struct StoredStats {
    pub bytes: u64,
    pub hasher: Sha256,
}

struct Hashing<R> {
    inner: R,
    stats: Arc<Mutex<StoredStats>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut s) = self.stats.lock() {
            s.bytes += n as u64;
            s.hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Stops with an error once more than `limit` bytes came out.
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(format!(
                "decompressed size exceeds the limit of {} bytes (a gzip bomb?); raise --max-decompressed-bytes if this file is genuine",
                self.limit
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// An opened export: decompressed bytes, and what was read of the stored file.
pub struct Opened<'a> {
    pub reader: Box<dyn BufRead + Send + 'a>,
    pub gzip: bool,
    /// The stored bytes as they were read, when they come from a file.
    pub stored: Option<Arc<Mutex<StoredStats>>>,
    /// What the decompressed bytes probably add up to (gzip's trailer), to
    /// size buffers: never trusted beyond that.
    pub size_hint: Option<usize>,
}

/// Whether bytes start as gzip does.
pub fn is_gzip(head: &[u8]) -> bool {
    head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b
}

/// The buffer of decompressed bytes: 128 KiB, or less for a file whose
/// gzip trailer says it is smaller. The buffer is allocated and zeroed per
/// file, and a trail of tiny delivery files (about 7 KB of JSON each) spent
/// more time zeroing 128 KiB buffers than inflating.
const DECODED_BUF: usize = 128 * 1024;
const DECODED_BUF_MIN: usize = 8 * 1024;

/// Decompressed bytes through the limit, buffered in `capacity` bytes.
fn limited<'a>(
    decoded: Box<dyn Read + Send + 'a>,
    limits: &Limits,
    capacity: usize,
) -> Box<dyn BufRead + Send + 'a> {
    Box::new(BufReader::with_capacity(
        capacity,
        Limited {
            inner: decoded,
            left: limits.max_decompressed_bytes,
            limit: limits.max_decompressed_bytes,
        },
    ))
}

/// Open `path`, decompressing gzip when the first bytes say so.
pub fn open(path: &Path, limits: &Limits) -> io::Result<Opened<'static>> {
    let file = File::open(path)?;
    let stored = Arc::new(Mutex::new(StoredStats::default()));
    let mut raw = BufReader::with_capacity(
        256 * 1024,
        Hashing {
            inner: file,
            stats: stored.clone(),
        },
    );
    let gzip = is_gzip(raw.fill_buf()?);
    let decoded: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    Ok(Opened {
        reader: limited(decoded, limits, DECODED_BUF),
        gzip,
        stored: Some(stored),
        size_hint: None,
    })
}

/// [`open`] for a file already read into memory.
pub fn open_bytes<'a>(bytes: &'a [u8], limits: &Limits) -> Opened<'a> {
    let gzip = is_gzip(bytes);
    let (reader, size_hint): (Box<dyn BufRead + Send + 'a>, _) = if gzip {
        // ISIZE, the last member's size modulo 2^32: right for the
        // single-member files CloudTrail writes.
        let isize = bytes
            .get(bytes.len().saturating_sub(4)..)
            .and_then(|t| <[u8; 4]>::try_from(t).ok())
            .map(|t| u32::from_le_bytes(t) as usize);
        // A hint only: the trailer is the file's word, and one read more
        // finds the end of a file that is bigger than it says.
        let capacity = isize.map_or(DECODED_BUF, |n| {
            n.saturating_add(1).clamp(DECODED_BUF_MIN, DECODED_BUF)
        });
        let decoded = Box::new(MultiGzDecoder::new(bytes));
        (limited(decoded, limits, capacity), isize)
    } else if bytes.len() as u64 <= limits.max_decompressed_bytes {
        (Box::new(bytes), Some(bytes.len()))
    } else {
        (limited(Box::new(bytes), limits, DECODED_BUF), None)
    };
    Opened {
        reader,
        gzip,
        stored: None,
        size_hint,
    }
}

/// A file's size and modification time, to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    fn of(m: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
        }
    }

    /// Whether the file at `path` no longer has this size and time.
    pub fn changed(&self, path: &Path) -> bool {
        std::fs::metadata(path).map_or(true, |m| Stamp::of(&m) != *self)
    }
}

/// Read a whole file into `buf` (cleared first) when it is at most `max`
/// bytes; `None` when it is larger. The stamp is the file's from before the
/// read: [`Stamp::changed`] once its bytes are used tells whether it moved.
pub fn read_small(path: &Path, max: u64, buf: &mut Vec<u8>) -> io::Result<Option<Stamp>> {
    let mut f = File::open(path)?;
    let before = Stamp::of(&f.metadata()?);
    if before.len > max {
        return Ok(None);
    }
    buf.clear();
    buf.reserve(before.len as usize + 1);
    // Bounded even if the file grows while it is read.
    (&mut f).take(max + 1).read_to_end(buf)?;
    Ok((buf.len() as u64 <= max).then_some(before))
}

/// A file's content hash: SHA-256 of its stored bytes.
pub type ContentHash = [u8; 32];

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> ContentHash {
    Sha256::digest(bytes).into()
}

/// SHA-256 of a file's stored bytes, streamed.
pub fn hash_file(path: &Path) -> io::Result<(ContentHash, u64)> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((h.finalize().into(), total))
}
