//! Reading what is under the PATHs: every file's SHA-256 over its
//! uncompressed content (gzip recognised by its magic bytes, as CloudTrail
//! hashes it) and what the file is: a digest file, a log file, a signature
//! sidecar, or something else.

use super::digest::{self, DigestDoc};
use flate2::read::MultiGzDecoder;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Content larger than this is hashed, never kept: no digest file is this
/// big (one lists an hour of log files of one account and region).
const KEEP_BYTES: usize = 16 << 20;

/// Suffix of a sidecar file holding a digest's signature.
pub const SIGNATURE_SUFFIX: &str = ".signature";

/// What a file is.
#[derive(Debug)]
pub enum Kind {
    Digest(Box<DigestDoc>),
    /// Under a `CloudTrail-Digest/` directory, but not a readable digest.
    BadDigest(String),
    /// A CloudTrail log file: a `{"Records": ...}` document, or a file in a
    /// `CloudTrail/` directory or named like one.
    Log,
    /// `<digest>.signature`.
    Sidecar,
    Other,
}

/// One file under the PATHs.
#[derive(Debug)]
pub struct Scanned {
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    /// SHA-256 (hex) of the uncompressed content, when it could be read whole.
    pub sha256: Option<String>,
    /// Why the file could not be read (to the end).
    pub error: Option<String>,
    pub kind: Kind,
}

/// Walk the PATHs (directories recursively, symbolic links followed, loops
/// reported) and read every file. Sorted by path.
pub fn scan(paths: &[PathBuf]) -> anyhow::Result<Vec<Scanned>> {
    let mut found: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for root in paths {
        let meta = fs::metadata(root).map_err(|e| anyhow::anyhow!("{}: {e}", root.display()))?;
        if !meta.is_dir() {
            // A FIFO or device would block or never end: not evidence files.
            let why = (!meta.is_file()).then(|| "not a regular file; not read".to_string());
            if seen.insert(fs::canonicalize(root).unwrap_or(root.clone())) {
                found.push((root.clone(), why));
            }
            continue;
        }
        for entry in walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Err(e) => {
                    let path = e.path().map_or(root.clone(), Path::to_path_buf);
                    let why = if e.loop_ancestor().is_some() {
                        "symbolic link loop; not followed".to_string()
                    } else {
                        format!("cannot read: {e}")
                    };
                    found.push((path, Some(why)));
                }
                Ok(e) if e.file_type().is_file() => {
                    let p = e.path().to_path_buf();
                    if seen.insert(fs::canonicalize(&p).unwrap_or(p.clone())) {
                        found.push((p, None));
                    }
                }
                Ok(_) => {}
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found
        .into_par_iter()
        .map(|(path, walk_error)| read_one(path, walk_error))
        .collect())
}

fn read_one(path: PathBuf, walk_error: Option<String>) -> Scanned {
    let display = path.display().to_string();
    let mut s = Scanned {
        path,
        display,
        sha256: None,
        error: walk_error,
        kind: Kind::Other,
    };
    if s.error.is_some() {
        return s;
    }
    if s.display.ends_with(SIGNATURE_SUFFIX) {
        s.kind = Kind::Sidecar;
        return s;
    }
    match hash_uncompressed(&s.path) {
        Err(e) => s.error = Some(e),
        Ok((sha, kept)) => {
            s.sha256 = Some(sha);
            s.kind = classify(&s.path, kept.as_deref());
        }
    }
    if matches!(s.kind, Kind::Other) && looks_like_log_path(&s.path) {
        s.kind = Kind::Log;
    }
    s
}

/// SHA-256 of the uncompressed content, and the content itself when small.
fn hash_uncompressed(path: &Path) -> Result<(String, Option<Vec<u8>>), String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut raw = BufReader::with_capacity(256 * 1024, file);
    let head = raw.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
    let gzip = crate::formats::source::is_gzip(head);
    let mut reader: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let mut hasher = Sha256::new();
    let mut kept: Option<Vec<u8>> = Some(Vec::new());
    let mut buf = vec![0u8; 256 * 1024];
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let what = if gzip && e.kind() == io::ErrorKind::UnexpectedEof {
                    "truncated gzip stream".to_string()
                } else if gzip {
                    format!("corrupt gzip stream ({e})")
                } else {
                    e.to_string()
                };
                return Err(format!(
                    "cannot read to the end: {what} after {total} uncompressed bytes"
                ));
            }
        };
        total += n as u64;
        hasher.update(&buf[..n]);
        if let Some(k) = kept.as_mut() {
            if k.len() + n > KEEP_BYTES {
                kept = None;
            } else {
                k.extend_from_slice(&buf[..n]);
            }
        }
    }
    Ok((hex::encode(hasher.finalize()), kept))
}

fn skip_space(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// `{"Records": ...` as CloudTrail writes it (Records is the first key).
fn records_first(content: &[u8]) -> bool {
    skip_space(content)
        .strip_prefix(b"{")
        .map(skip_space)
        .is_some_and(|rest| rest.starts_with(b"\"Records\""))
}

fn classify(path: &Path, content: Option<&[u8]>) -> Kind {
    let in_digest_dir = has_component(path, "CloudTrail-Digest");
    let Some(content) = content else {
        return if in_digest_dir {
            Kind::BadDigest("larger than any digest file".into())
        } else {
            Kind::Other
        };
    };
    if records_first(content) {
        return Kind::Log;
    }
    if !skip_space(content).starts_with(b"{") {
        return if in_digest_dir {
            Kind::BadDigest("not a JSON object".into())
        } else {
            Kind::Other
        };
    }
    match digest::parse(content) {
        Ok(Some(d)) => Kind::Digest(Box::new(d)),
        Ok(None) if in_digest_dir => {
            Kind::BadDigest("a JSON object without the fields of a digest file".into())
        }
        Err(e) if in_digest_dir => Kind::BadDigest(format!("invalid JSON: {e}")),
        _ => Kind::Other,
    }
}

fn has_component(path: &Path, name: &str) -> bool {
    path.components().any(|c| c.as_os_str() == name)
}

/// In a `CloudTrail/` directory, or named `<account>_CloudTrail_<region>_...`.
fn looks_like_log_path(path: &Path) -> bool {
    has_component(path, "CloudTrail")
        || path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains("_CloudTrail_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_first_tolerates_bom_and_space() {
        assert!(records_first(b"\xEF\xBB\xBF \n{ \"Records\" : []}"));
        assert!(!records_first(b"{\"digestStartTime\":1}"));
        assert!(!records_first(b"[]"));
    }

    #[test]
    fn log_paths() {
        assert!(looks_like_log_path(Path::new(
            "x/AWSLogs/1/CloudTrail/us-east-1/2024/01/01/a.json.gz"
        )));
        assert!(looks_like_log_path(Path::new(
            "1_CloudTrail_us-east-1_20240101T0000Z_abc.json.gz"
        )));
        assert!(!looks_like_log_path(Path::new(
            "x/AWSLogs/1/CloudTrail-Digest/us-east-1/a.json.gz"
        )));
    }
}
