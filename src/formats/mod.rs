//! Decoding export files into CloudTrail records.
//!
//! A file's format is recognised by its content, never its name: gzip by
//! magic bytes, then the shape of its JSON (see [`envelope::ENVELOPES`]).
//! Files with one JSON value per line are read line by line, so memory is
//! bounded by the longest line; other documents are read whole, up to
//! [`Limits::max_document_bytes`].

pub mod document;
pub mod envelope;
pub mod source;

pub use envelope::Content;
pub use source::Limits;

use document::{TopValue, parse_values};
use envelope::{Envelope, Found, classify, looks_like_record};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::path::Path;

/// Where in a file something is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based line, for line-delimited files.
    pub line: Option<u64>,
    /// Byte offset in the decompressed content.
    pub byte: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match (self.line, self.byte) {
            (Some(l), _) => write!(f, "line {l}"),
            (None, Some(b)) => write!(f, "byte {b}"),
            _ => write!(f, "start of file"),
        }
    }
}

/// Receives what a file holds.
pub trait Sink {
    /// The file's format, known before its first record.
    fn begin(&mut self, _format: &str) {}
    /// A record candidate; `index` is its position among the file's records.
    fn record(&mut self, text: &str, index: u64, at: Location);
    /// Bytes that could not be read as a record at all.
    fn reject(&mut self, bytes: &[u8], index: Option<u64>, at: Location, reason: String);
}

/// What decoding one file found.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    /// Format name (see `docs/FORMATS.md`), or `unrecognized`.
    pub format: String,
    pub content: Option<Content>,
    /// Why the file was not recognised, when it was not.
    pub unrecognized: Option<String>,
    /// Problems with the file as a whole (truncation, limits, bad JSON).
    pub errors: Vec<String>,
    pub gzip: bool,
    pub decompressed_bytes: u64,
    /// Record candidates seen (valid or not).
    pub records: u64,
    /// SHA-256 and size of the stored bytes as read while decoding (set when
    /// the whole file was read), to notice a file changing under us.
    pub stored_sha256: Option<String>,
    pub stored_bytes: Option<u64>,
}

const UNRECOGNIZED: &str = "unrecognized";

struct Emitter<'s> {
    sink: &'s mut dyn Sink,
    next_index: u64,
    base: usize,
    base_len: usize,
    /// End (in the document) of the last record borrowed from it.
    last_end: usize,
    line: Option<u64>,
}

impl Emitter<'_> {
    fn offset_of(&self, s: &str) -> Option<usize> {
        let p = s.as_ptr() as usize;
        (p >= self.base && p <= self.base + self.base_len).then(|| p - self.base)
    }

    fn found(&mut self, f: Found<'_>, fallback_at: Location) {
        let idx = self.next_index;
        self.next_index += 1;
        let at = match self.offset_of(&f.text) {
            Some(off) if matches!(f.text, Cow::Borrowed(_)) => {
                self.last_end = self.last_end.max(off + f.text.len());
                Location {
                    line: self.line,
                    byte: if self.line.is_some() {
                        None
                    } else {
                        Some(off as u64)
                    },
                }
            }
            _ => fallback_at,
        };
        match f.problem {
            Some(p) => self.sink.reject(f.text.as_bytes(), Some(idx), at, p),
            None => self.sink.record(&f.text, idx, at),
        }
    }

    fn not_a_record(&mut self, text: &str, at: Location, why: &str) {
        let idx = self.next_index;
        self.next_index += 1;
        self.sink
            .reject(text.as_bytes(), Some(idx), at, why.to_string());
    }
}

/// How one top-level value was understood.
enum Understood {
    Envelope(&'static dyn Envelope),
    Array,
    Nothing(String),
}

fn describe_keys(v: &TopValue<'_>) -> String {
    let mut keys: Vec<&str> = v.keys.iter().map(|(k, _)| k.as_ref()).collect();
    keys.extend(v.streamed.iter().map(|(k, _)| k.as_ref()));
    keys.truncate(6);
    format!("a JSON object with keys {keys:?}")
}

fn array_has_records(v: &TopValue<'_>) -> bool {
    v.elements.iter().any(|e| {
        let t = top(e.get());
        looks_like_record(&t) || classify(&t).is_some()
    })
}

fn top(text: &str) -> TopValue<'_> {
    let mut tv = TopValue::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = serde::de::DeserializeSeed::deserialize(document::TopSeed(&mut tv), &mut de);
    tv
}

fn understand(v: &TopValue<'_>) -> Understood {
    if v.is_array {
        if v.elements.is_empty() || array_has_records(v) {
            return Understood::Array;
        }
        return Understood::Nothing(
            "a JSON array whose elements are not CloudTrail records or envelopes".into(),
        );
    }
    if !v.is_object {
        return Understood::Nothing("not a JSON object or array".into());
    }
    match classify(v) {
        Some(e) => Understood::Envelope(e),
        None => Understood::Nothing(format!(
            "{} (not a CloudTrail record or a known export envelope)",
            describe_keys(v)
        )),
    }
}

/// Emit the records of one top-level value whose kind is known.
fn emit_value(em: &mut Emitter<'_>, v: &TopValue<'_>, text: &str, how: &Understood, at: Location) {
    match how {
        Understood::Envelope(e) if e.name() == "single" => em.found(
            Found {
                text: Cow::Borrowed(text),
                problem: None,
            },
            at,
        ),
        Understood::Envelope(e) => e.records(v, &mut |f| em.found(f, at)),
        Understood::Array => {
            for el in &v.elements {
                let t = top(el.get());
                match classify(&t) {
                    Some(e) if e.name() != "single" => e.records(&t, &mut |f| em.found(f, at)),
                    _ if t.is_object => em.found(
                        Found {
                            text: Cow::Borrowed(el.get()),
                            problem: None,
                        },
                        at,
                    ),
                    _ => {
                        let loc = em
                            .offset_of(el.get())
                            .map(|o| Location {
                                line: em.line,
                                byte: Some(o as u64),
                            })
                            .unwrap_or(at);
                        em.not_a_record(el.get(), loc, "array element is not a JSON object")
                    }
                }
            }
        }
        Understood::Nothing(_) => {}
    }
}

/// Read one line of at most `limit` bytes into `buf` (without the newline).
/// Returns `None` at end of input, or `Some(too_long)`.
fn read_line_limited<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(if any { Some(too_long) } else { None });
        }
        any = true;
        let (chunk, done) = match memchr(b'\n', avail) {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        if !too_long {
            if buf.len() + chunk.len() > limit {
                too_long = true;
                let keep = limit.saturating_sub(buf.len()).min(chunk.len()).min(4096);
                buf.extend_from_slice(&chunk[..keep]);
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let n = done.unwrap_or(avail.len());
        r.consume(n);
        if done.is_some() {
            return Ok(Some(too_long));
        }
    }
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |i| i + 1);
    &b[s..e.max(s)]
}

/// Does this line hold one complete JSON value?
fn is_complete_value(line: &[u8]) -> bool {
    let t = trim_ascii(line);
    (t.starts_with(b"{") || t.starts_with(b"["))
        && serde_json::from_slice::<serde::de::IgnoredAny>(t).is_ok()
}

/// Decode one file, sending its records to `sink`.
pub fn decode_file(path: &Path, limits: &Limits, sink: &mut dyn Sink) -> io::Result<FileReport> {
    let opened = source::open(path, limits)?;
    let mut report = FileReport {
        gzip: opened.gzip,
        ..FileReport::default()
    };
    let mut reader = opened.reader;
    let mut first = Vec::new();
    let first_read = read_line_limited(&mut *reader, &mut first, limits.max_document_bytes);
    // A read error on the first line (truncated gzip, a limit) still leaves
    // what was read, to salvage as a document.
    let mut read_failed = false;
    let first_state = match first_read {
        Ok(s) => s,
        Err(e) => {
            report.errors.push(format!(
                "{} after {} decompressed bytes; records after this point are lost",
                io_reason(&e, opened.gzip),
                first.len()
            ));
            read_failed = true;
            if first.is_empty() { None } else { Some(false) }
        }
    };
    let Some(first_too_long) = first_state else {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some(if read_failed {
            report.errors.join("; ")
        } else {
            "empty file".into()
        });
        return Ok(report);
    };
    let first_line = strip_bom(&first).to_vec();
    report.decompressed_bytes = first.len() as u64 + 1;

    // Line mode: the first line is a whole value, and more follows.
    let mut line_mode = false;
    if !first_too_long && !read_failed && is_complete_value(&first_line) {
        let more = reader.fill_buf().map(|b| !trim_ascii(b).is_empty());
        line_mode = matches!(more, Ok(true));
    }
    if line_mode {
        decode_lines(first_line, reader, limits, sink, &mut report);
    } else {
        let mut doc = first_line;
        if !first_too_long && !read_failed {
            doc.push(b'\n');
            let cap = limits.max_document_bytes as u64 + 1
                - (doc.len() as u64).min(limits.max_document_bytes as u64);
            if let Err(e) = (&mut reader).take(cap).read_to_end(&mut doc) {
                report.errors.push(format!(
                    "{} after {} decompressed bytes; records after this point are lost",
                    io_reason(&e, opened.gzip),
                    doc.len()
                ));
            }
        }
        report.decompressed_bytes = doc.len() as u64;
        if first_too_long || doc.len() > limits.max_document_bytes {
            report.format = UNRECOGNIZED.into();
            let msg = format!(
                "a single JSON document larger than {} bytes; split it or convert it to one record per line (or raise --max-document-bytes)",
                limits.max_document_bytes
            );
            report.errors.push(msg.clone());
            report.unrecognized = Some(msg);
            return Ok(report);
        }
        decode_document(&doc, sink, &mut report);
    }
    if report.errors.is_empty() {
        if let Ok(st) = opened.stored.lock() {
            use sha2::Digest;
            report.stored_sha256 = Some(hex::encode(st.hasher.clone().finalize()));
            report.stored_bytes = Some(st.bytes);
        }
    }
    Ok(report)
}

fn io_reason(e: &io::Error, gzip: bool) -> String {
    if gzip && e.kind() == io::ErrorKind::UnexpectedEof {
        "truncated gzip stream".into()
    } else if gzip && e.kind() == io::ErrorKind::InvalidInput {
        format!("corrupt gzip stream ({e})")
    } else {
        e.to_string()
    }
}

fn decode_document(doc: &[u8], sink: &mut dyn Sink, report: &mut FileReport) {
    let (text, utf8_error) = match std::str::from_utf8(doc) {
        Ok(s) => (s, None),
        Err(e) => {
            let ok = e.valid_up_to();
            // SAFETY-free: from_utf8 on the valid prefix cannot fail.
            let s = std::str::from_utf8(&doc[..ok]).unwrap_or("");
            (s, Some(ok))
        }
    };
    let start = text.len() - text.trim_start().len();
    if text.trim().is_empty() && utf8_error.is_none() {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some("empty file (only whitespace)".into());
        return;
    }
    let first = text.as_bytes().get(start).copied();
    if !matches!(first, Some(b'{') | Some(b'[')) {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some(match utf8_error {
            Some(o) if o <= start => format!("not UTF-8 text (invalid byte at offset {o})"),
            _ => "not JSON (does not start with '{' or '[')".into(),
        });
        return;
    }
    let (values, failure) = parse_values(text);
    let mut em = Emitter {
        sink,
        next_index: 0,
        base: text.as_ptr() as usize,
        base_len: text.len(),
        last_end: 0,
        line: None,
    };
    let mut format: Option<String> = None;
    for (i, v) in values.iter().enumerate() {
        let how = understand(v);
        let vtext = v.text;
        match (&how, i) {
            (Understood::Nothing(why), 0) if failure.is_none() || !v.is_object => {
                report.format = UNRECOGNIZED.into();
                report.unrecognized = Some(why.clone());
                return;
            }
            _ => {}
        }
        if format.is_none() {
            let name = match &how {
                Understood::Envelope(e) => {
                    report.content = Some(e.content());
                    e.name().to_string()
                }
                Understood::Array => {
                    report.content = Some(Content::Events);
                    "array".to_string()
                }
                Understood::Nothing(_) => UNRECOGNIZED.to_string(),
            };
            em.sink.begin(&name);
            format = Some(name);
        }
        let at = Location {
            line: None,
            byte: em.offset_of(vtext).map(|o| o as u64),
        };
        if let Understood::Nothing(why) = &how {
            em.not_a_record(vtext, at, why);
            continue;
        }
        emit_value(&mut em, v, vtext, &how, at);
    }
    report.records = em.next_index;
    report.format = format.unwrap_or_else(|| UNRECOGNIZED.into());
    if report.format == UNRECOGNIZED && report.unrecognized.is_none() {
        report.unrecognized = Some("invalid JSON before any record".into());
    }
    let bad_from = match (&failure, utf8_error) {
        (Some(_), _) | (None, Some(_)) => Some(em.last_end),
        _ => None,
    };
    if let Some(f) = &failure {
        report.errors.push(format!(
            "invalid JSON at line {} column {} (byte {}): {}",
            f.line, f.column, f.offset, f.message
        ));
    }
    if let Some(o) = utf8_error {
        report.errors.push(format!(
            "invalid UTF-8 at byte {o}; the rest of the file is rejected"
        ));
    }
    if let Some(from) = bad_from {
        let rest = &doc[from.min(doc.len())..];
        let rest_trim = trim_ascii(rest);
        if !rest_trim.is_empty() && rest_trim != b"]}" && rest_trim != b"]" {
            let reason = report.errors.join("; ");
            let idx = em.next_index;
            em.sink.reject(
                rest,
                Some(idx),
                Location {
                    line: None,
                    byte: Some(from as u64),
                },
                format!("unreadable remainder of the file: {reason}"),
            );
            report.records = idx + 1;
        }
    }
}

fn decode_lines(
    first: Vec<u8>,
    mut reader: Box<dyn BufRead + Send>,
    limits: &Limits,
    sink: &mut dyn Sink,
    report: &mut FileReport,
) {
    let mut line_no: u64 = 1;
    let mut next_index: u64 = 0;
    let mut format: Option<&'static str> = None;
    let mut buf = first;
    let mut too_long = false;
    loop {
        let at = Location {
            line: Some(line_no),
            byte: None,
        };
        let mut line: &[u8] = &buf;
        if line.ends_with(b"\r") {
            line = &line[..line.len() - 1];
        }
        if too_long {
            sink.reject(
                line,
                Some(next_index),
                at,
                format!(
                    "line longer than the record limit of {} bytes (only its start is kept)",
                    limits.max_record_bytes
                ),
            );
            next_index += 1;
        } else if !trim_ascii(line).is_empty() {
            match std::str::from_utf8(line) {
                Err(e) => {
                    sink.reject(
                        line,
                        Some(next_index),
                        at,
                        format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
                    );
                    next_index += 1;
                }
                Ok(text) => {
                    let mut tv = TopValue::default();
                    let mut de = serde_json::Deserializer::from_str(text);
                    let parsed = serde::de::DeserializeSeed::deserialize(
                        document::TopSeed(&mut tv),
                        &mut de,
                    )
                    .and_then(|_| de.end());
                    match parsed {
                        Err(e) => {
                            sink.reject(
                                line,
                                Some(next_index),
                                at,
                                format!("invalid JSON at column {}: {e}", e.column()),
                            );
                            next_index += 1;
                        }
                        Ok(()) => {
                            let how = match understand(&tv) {
                                // In a line-delimited file, an object that is no
                                // envelope is a record candidate.
                                Understood::Nothing(_) if tv.is_object && format.is_some() => {
                                    Understood::Envelope(&envelope::Single)
                                }
                                h => h,
                            };
                            if format.is_none() {
                                match &how {
                                    Understood::Nothing(why) => {
                                        report.format = UNRECOGNIZED.into();
                                        report.unrecognized = Some(format!("first line is {why}"));
                                        return;
                                    }
                                    Understood::Envelope(e) => {
                                        report.content = Some(e.content());
                                        format = Some(e.line_name());
                                    }
                                    Understood::Array => {
                                        report.content = Some(envelope::Content::Events);
                                        format = Some("array-ndjson");
                                    }
                                }
                                sink.begin(format.unwrap_or(UNRECOGNIZED));
                            }
                            let mut em = Emitter {
                                sink: &mut *sink,
                                next_index,
                                base: text.as_ptr() as usize,
                                base_len: text.len(),
                                last_end: 0,
                                line: Some(line_no),
                            };
                            match &how {
                                Understood::Nothing(why) => em.not_a_record(text, at, why),
                                _ => emit_value(&mut em, &tv, text.trim(), &how, at),
                            }
                            next_index = em.next_index;
                        }
                    }
                }
            }
        }
        report.decompressed_bytes += buf.len() as u64 + 1;
        match read_line_limited(&mut *reader, &mut buf, limits.max_record_bytes) {
            Ok(Some(t)) => {
                too_long = t;
                line_no += 1;
            }
            Ok(None) => break,
            Err(e) => {
                report.errors.push(format!(
                    "{} at line {}; the rest of the file is lost",
                    io_reason(&e, report.gzip),
                    line_no + 1
                ));
                if !buf.is_empty() {
                    sink.reject(
                        &buf,
                        Some(next_index),
                        Location {
                            line: Some(line_no + 1),
                            byte: None,
                        },
                        "incomplete last line of a truncated file".into(),
                    );
                    next_index += 1;
                }
                break;
            }
        }
    }
    report.records = next_index;
    report.format = format.unwrap_or(UNRECOGNIZED).to_string();
}
