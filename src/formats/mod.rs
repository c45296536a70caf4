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
    pub stored_sha256: Option<source::ContentHash>,
    pub stored_bytes: Option<u64>,
}

const UNRECOGNIZED: &str = "unrecognized";

struct Emitter<'s> {
    sink: &'s mut dyn Sink,
    next_index: u64,
    base: usize,
    base_len: usize,
    /// End (in the document) of the last value delivered from it.
    last_end: usize,
    line: Option<u64>,
    /// Bytes of the document that are not UTF-8, as (offset, original byte),
    /// sorted; the text holds `?` in their place.
    invalid: &'s [(usize, u8)],
}

impl Emitter<'_> {
    fn offset_of(&self, s: &str) -> Option<usize> {
        let p = s.as_ptr() as usize;
        (p >= self.base && p <= self.base + self.base_len).then(|| p - self.base)
    }

    /// The invalid bytes among the `len` bytes of the text at `off`.
    fn invalid_in(&self, off: usize, len: usize) -> &[(usize, u8)] {
        invalid_in(self.invalid, off, len)
    }

    fn found(&mut self, f: Found<'_>, fallback_at: Location) {
        let idx = self.next_index;
        self.next_index += 1;
        // The record's bytes in the document: its text, or the envelope
        // item it was decoded from.
        let src = match &f.text {
            Cow::Borrowed(t) => Some(*t),
            Cow::Owned(_) => f.raw,
        }
        .and_then(|s| Some((self.offset_of(s)?, s)));
        let at = match src {
            Some((off, _)) => Location {
                line: self.line,
                byte: if self.line.is_some() {
                    None
                } else {
                    Some(off as u64)
                },
            },
            None => fallback_at,
        };
        if let Some((off, s)) = src {
            self.last_end = self.last_end.max(off + s.len());
            let bad = self.invalid_in(off, s.len());
            if let Some(&(first, _)) = bad.first() {
                let bytes = restore(s.as_bytes(), off, bad);
                let why = format!("invalid UTF-8 at byte {first} of the file");
                self.sink.reject(&bytes, Some(idx), at, why);
                return;
            }
        }
        match f.problem {
            Some(p) => self.sink.reject(f.text.as_bytes(), Some(idx), at, p),
            None => self.sink.record(&f.text, idx, at),
        }
    }

    /// A value that is no record: its bytes, as in the file, are rejected
    /// (and, being delivered, are not part of an unreadable remainder).
    fn not_a_record(&mut self, text: &str, at: Location, why: &str) {
        let idx = self.next_index;
        self.next_index += 1;
        let bytes = match self.offset_of(text) {
            Some(off) => {
                self.last_end = self.last_end.max(off + text.len());
                restore(text.as_bytes(), off, self.invalid_in(off, text.len()))
            }
            None => Cow::Borrowed(text.as_bytes()),
        };
        self.sink.reject(&bytes, Some(idx), at, why.to_string());
    }
}

/// The entries of `invalid` (sorted by offset) among `len` bytes at `off`.
fn invalid_in(invalid: &[(usize, u8)], off: usize, len: usize) -> &[(usize, u8)] {
    let lo = invalid.partition_point(|&(o, _)| o < off);
    let hi = invalid.partition_point(|&(o, _)| o < off.saturating_add(len));
    &invalid[lo..hi.max(lo)]
}

/// `bytes`, found at offset `off` of a document, with its invalid bytes put
/// back as they were in the file.
fn restore<'b>(bytes: &'b [u8], off: usize, invalid: &[(usize, u8)]) -> Cow<'b, [u8]> {
    if invalid.is_empty() {
        return Cow::Borrowed(bytes);
    }
    let mut v = bytes.to_vec();
    for &(o, b) in invalid {
        if let Some(slot) = o.checked_sub(off).and_then(|i| v.get_mut(i)) {
            *slot = b;
        }
    }
    Cow::Owned(v)
}

/// Most bytes that are not UTF-8 a document is read around; past them, the
/// rest of it is one unreadable remainder.
const MAX_INVALID_BYTES: usize = 1 << 16;

/// Replace the bytes of `doc` that are not UTF-8 with `?`, so the JSON
/// around them still parses. Returns the replaced bytes as (offset,
/// original byte), and how much of `doc` is now UTF-8 (all of it, unless
/// more than [`MAX_INVALID_BYTES`] were invalid).
fn mark_invalid_utf8(doc: &mut [u8]) -> (Vec<(usize, u8)>, usize) {
    let mut invalid = Vec::new();
    let mut at = 0;
    while let Err(e) = std::str::from_utf8(&doc[at..]) {
        let bad = at + e.valid_up_to();
        let len = e.error_len().unwrap_or(doc.len() - bad);
        if invalid.len() + len > MAX_INVALID_BYTES {
            return (invalid, bad);
        }
        for (i, b) in doc.iter_mut().enumerate().skip(bad).take(len) {
            invalid.push((i, *b));
            *b = b'?';
        }
        at = bad + len;
    }
    (invalid, doc.len())
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
                raw: None,
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
                            raw: None,
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

/// How a line was read by [`read_line_limited`].
#[derive(Debug, Clone, Copy)]
struct LineRead {
    /// Longer than the limit: only its start is kept.
    too_long: bool,
    /// Ended with `\n` (otherwise with the end of the input).
    newline: bool,
    /// Bytes consumed, the newline included.
    consumed: u64,
}

/// Read one line of at most `limit` bytes into `buf` (without the newline).
/// Returns `None` at end of input.
fn read_line_limited<R: BufRead + ?Sized>(
    r: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> io::Result<Option<LineRead>> {
    buf.clear();
    let mut line = LineRead {
        too_long: false,
        newline: false,
        consumed: 0,
    };
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok((line.consumed > 0).then_some(line));
        }
        let (chunk, done) = match memchr(b'\n', avail) {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        if !line.too_long {
            if buf.len().saturating_add(chunk.len()) > limit {
                line.too_long = true;
                let keep = limit.saturating_sub(buf.len()).min(chunk.len()).min(4096);
                buf.extend_from_slice(&chunk[..keep]);
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let n = done.unwrap_or(avail.len());
        r.consume(n);
        line.consumed += n as u64;
        if done.is_some() {
            line.newline = true;
            return Ok(Some(line));
        }
    }
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    memchr::memchr(b, s)
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(BOM).unwrap_or(b)
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

const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Decode one file, sending its records to `sink`.
pub fn decode_file(path: &Path, limits: &Limits, sink: &mut dyn Sink) -> io::Result<FileReport> {
    Ok(decode_opened(source::open(path, limits)?, limits, sink))
}

/// [`decode_file`] for a file's bytes already in memory. The report has no
/// `stored_sha256`: the caller has the bytes.
pub fn decode_bytes(bytes: &[u8], limits: &Limits, sink: &mut dyn Sink) -> FileReport {
    decode_opened(source::open_bytes(bytes, limits), limits, sink)
}

thread_local! {
    /// A decoder thread's document buffer, kept from one file to the next.
    static DOC_BUF: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest document buffer kept for the next file.
const KEEP_DOC_BUF: usize = 32 << 20;

fn decode_opened(opened: source::Opened<'_>, limits: &Limits, sink: &mut dyn Sink) -> FileReport {
    let mut report = FileReport {
        gzip: opened.gzip,
        ..FileReport::default()
    };
    let mut reader = opened.reader;
    // Blank lines before the first value are skipped before deciding between
    // one value per line and one document; a document keeps them, so that
    // byte offsets are the file's.
    let mut lead: Vec<u8> = Vec::new();
    let mut first = crate::scratch::take(&DOC_BUF);
    if let Some(hint) = opened.size_hint {
        // One-line documents (S3 delivery) are read whole as the first line.
        first.reserve(hint.min(limits.max_document_bytes).min(KEEP_DOC_BUF) + 1);
    }
    let mut first_line_no: u64 = 1;
    let first_read = loop {
        let read = read_line_limited(&mut *reader, &mut first, limits.max_document_bytes);
        if first_line_no == 1 && first.starts_with(BOM) {
            first.drain(..BOM.len());
        }
        match &read {
            Ok(Some(l))
                if !l.too_long
                    && trim_ascii(strip_bom(&first)).is_empty()
                    && lead.len() + first.len() < limits.max_document_bytes =>
            {
                report.decompressed_bytes += l.consumed;
                lead.extend_from_slice(&first);
                if l.newline {
                    lead.push(b'\n');
                }
                first_line_no += 1;
            }
            _ => break read,
        }
    };
    // A read error on the first line (truncated gzip, a limit) still leaves
    // what was read, to salvage as a document.
    let mut read_failed = false;
    let first_state = match first_read {
        Ok(s) => s,
        Err(e) => {
            report.errors.push(format!(
                "{} after {} decompressed bytes; records after this point are lost",
                io_reason(&e, opened.gzip),
                report.decompressed_bytes + first.len() as u64
            ));
            read_failed = true;
            (!first.is_empty()).then_some(LineRead {
                too_long: false,
                newline: false,
                consumed: first.len() as u64,
            })
        }
    };
    let Some(first_state) = first_state else {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some(if read_failed {
            report.errors.join("; ")
        } else if lead.is_empty() {
            "empty file".into()
        } else {
            "empty file (only whitespace)".into()
        });
        return report;
    };
    report.decompressed_bytes += first_state.consumed;

    // Line mode: the first line is a whole value, and more follows.
    // Whether more follows is asked first: a one-line document (S3
    // delivery) is then not parsed an extra time just to be classified.
    let mut line_mode = false;
    if !first_state.too_long && !read_failed {
        let more = reader.fill_buf().map(|b| !trim_ascii(b).is_empty());
        line_mode = matches!(more, Ok(true)) && is_complete_value(strip_bom(&first));
    }
    if line_mode {
        decode_lines(
            &mut first,
            first_line_no,
            &mut *reader,
            limits,
            sink,
            &mut report,
        );
    } else {
        let mut doc = if lead.is_empty() {
            first
        } else {
            lead.extend_from_slice(&first);
            lead
        };
        if !first_state.too_long && !read_failed {
            if first_state.newline {
                doc.push(b'\n');
            }
            let cap = (limits.max_document_bytes as u64)
                .saturating_add(1)
                .saturating_sub(doc.len() as u64);
            let before = doc.len();
            let read = (&mut reader).take(cap).read_to_end(&mut doc);
            report.decompressed_bytes += (doc.len() - before) as u64;
            if let Err(e) = read {
                report.errors.push(format!(
                    "{} after {} decompressed bytes; records after this point are lost",
                    io_reason(&e, opened.gzip),
                    report.decompressed_bytes
                ));
            }
        }
        if first_state.too_long || doc.len() > limits.max_document_bytes {
            report.format = UNRECOGNIZED.into();
            let msg = format!(
                "a single JSON document larger than {} bytes; split it or convert it to one record per line (or raise --max-document-bytes)",
                limits.max_document_bytes
            );
            report.errors.push(msg.clone());
            report.unrecognized = Some(msg);
            return report;
        }
        decode_document(&mut doc, sink, &mut report);
        first = doc;
    }
    // The stored bytes' hash is only meaningful when all of them were read.
    let at_end = matches!(reader.fill_buf(), Ok(b) if b.is_empty());
    if report.errors.is_empty() && at_end {
        if let Some(Ok(st)) = opened.stored.as_ref().map(|s| s.lock()) {
            use sha2::Digest;
            report.stored_sha256 = Some(st.hasher.clone().finalize().into());
            report.stored_bytes = Some(st.bytes);
        }
    }
    crate::scratch::keep(&DOC_BUF, first, KEEP_DOC_BUF);
    report
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

fn decode_document(doc: &mut Vec<u8>, sink: &mut dyn Sink, report: &mut FileReport) {
    // Bytes that are not UTF-8 become `?` so that the JSON around them still
    // parses: a record holding one is rejected with its original bytes, and
    // the records after it are read.
    let (invalid, readable) = mark_invalid_utf8(doc);
    let first_invalid = invalid
        .first()
        .map(|&(o, _)| o)
        .or((readable < doc.len()).then_some(readable));
    let Ok(text) = std::str::from_utf8(&doc[..readable]) else {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some("not UTF-8 text".into());
        return;
    };
    let start = text.len() - text.trim_start().len();
    if text.trim().is_empty() && first_invalid.is_none() {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some("empty file (only whitespace)".into());
        return;
    }
    let first = text.as_bytes().get(start).copied();
    if first_invalid.is_some_and(|o| o <= start) || !matches!(first, Some(b'{') | Some(b'[')) {
        report.format = UNRECOGNIZED.into();
        report.unrecognized = Some(match first_invalid {
            Some(o) if o <= start => format!("not UTF-8 text (invalid byte at offset {o})"),
            _ => "not JSON (does not start with '{' or '[')".into(),
        });
        return;
    }
    let (values, failure) = parse_values(text);
    let invalid_json = failure.as_ref().map(|f| {
        format!(
            "invalid JSON at line {} column {} (byte {}): {}",
            f.line, f.column, f.offset, f.message
        )
    });
    let mut em = Emitter {
        sink,
        next_index: 0,
        base: text.as_ptr() as usize,
        base_len: text.len(),
        last_end: 0,
        line: None,
        invalid: &invalid,
    };
    let mut format: Option<String> = None;
    for (i, v) in values.iter().enumerate() {
        let how = understand(v);
        let vtext = v.text;
        if let (Understood::Nothing(why), 0) = (&how, i) {
            // Not understood from the start (even if cut short, its keys say
            // what it is not): the file is unrecognised, with every reason.
            let mut why = why.clone();
            if let Some(e) = &invalid_json {
                why = format!("{why}; {e}");
            }
            if let Some(o) = first_invalid {
                why = format!("{why}; invalid UTF-8 at byte {o}");
            }
            report.format = UNRECOGNIZED.into();
            report.unrecognized = Some(why);
            return;
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
    if let Some(e) = invalid_json.clone() {
        report.errors.push(e);
    }
    if let Some(o) = first_invalid {
        report.errors.push(if readable < doc.len() {
            format!(
                "invalid UTF-8 at byte {o}; more than {MAX_INVALID_BYTES} bytes are not UTF-8, so the file from byte {readable} on is rejected"
            )
        } else {
            format!(
                "invalid UTF-8 at byte {o} ({} bytes in all); the records holding them are rejected",
                invalid.len()
            )
        });
    }
    // What follows the last value delivered, when the JSON broke off or
    // could not be read to its end, is kept as one reject.
    if failure.is_some() || readable < doc.len() {
        let from = em.last_end.min(doc.len());
        let rest = restore(
            &doc[from..],
            from,
            invalid_in(&invalid, from, doc.len() - from),
        );
        let rest_trim = trim_ascii(&rest);
        if !rest_trim.is_empty() && rest_trim != b"]}" && rest_trim != b"]" {
            let reason = report.errors.join("; ");
            let idx = em.next_index;
            em.sink.reject(
                &rest,
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

/// Decode a file of one value per line, from its first value's line
/// (`first`, line `first_line_no`) on.
fn decode_lines(
    first: &mut Vec<u8>,
    first_line_no: u64,
    reader: &mut dyn BufRead,
    limits: &Limits,
    sink: &mut dyn Sink,
    report: &mut FileReport,
) {
    let mut line_no = first_line_no;
    let mut next_index: u64 = 0;
    let mut format: Option<&'static str> = None;
    let mut buf = first;
    let mut too_long = false;
    loop {
        let at = Location {
            line: Some(line_no),
            byte: None,
        };
        // Files joined with `cat` keep each one's byte order mark.
        let mut line: &[u8] = strip_bom(&buf);
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
                    let mut tv = TopValue {
                        text: text.trim(),
                        ..TopValue::default()
                    };
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
                                        // Lines that could not be read may
                                        // already be rejects: the end of
                                        // the file's reading counts them,
                                        // and the file is unrecognised.
                                        report.unrecognized = Some(if next_index == 0 {
                                            format!("first line is {why}")
                                        } else {
                                            format!(
                                                "line {line_no}, the first that parses, is {why}"
                                            )
                                        });
                                        break;
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
                                invalid: &[],
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
        match read_line_limited(&mut *reader, &mut buf, limits.max_record_bytes) {
            Ok(Some(l)) => {
                report.decompressed_bytes += l.consumed;
                too_long = l.too_long;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a file delivered, in order: (index, is a record, bytes, reason,
    /// where).
    #[derive(Default)]
    struct Collect(Vec<(u64, bool, Vec<u8>, String, Location)>);

    impl Sink for Collect {
        fn record(&mut self, text: &str, index: u64, at: Location) {
            let bytes = text.as_bytes().to_vec();
            self.0.push((index, true, bytes, String::new(), at));
        }
        fn reject(&mut self, bytes: &[u8], index: Option<u64>, at: Location, reason: String) {
            let index = index.unwrap_or(u64::MAX);
            self.0.push((index, false, bytes.to_vec(), reason, at));
        }
    }

    fn decode(bytes: &[u8]) -> (FileReport, Collect) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, bytes).unwrap();
        let mut c = Collect::default();
        let r = decode_file(&p, &Limits::default(), &mut c).unwrap();
        (r, c)
    }

    const REC: &str = r#"{"eventSource":"s","eventName":"n","eventTime":"2024-01-01T00:00:00Z"}"#;

    #[test]
    fn a_remainder_holds_exactly_the_bytes_of_the_file() {
        // A one-line document without a final newline: none is added.
        for tail in ["", "\n", "\r\n"] {
            let doc = format!("{{\"Records\":[{REC},{{\"even{tail}");
            let (r, c) = decode(doc.as_bytes());
            assert_eq!(r.format, "records");
            assert_eq!(c.0.len(), 2, "{tail:?}");
            assert!(c.0[0].1);
            let rest = &doc.as_bytes()[12 + REC.len()..];
            assert_eq!(c.0[1].2, rest, "{tail:?}");
            assert_eq!(r.decompressed_bytes, doc.len() as u64);
        }
    }

    #[test]
    fn a_truncated_lookup_page_rejects_only_what_follows_its_last_item() {
        let item = serde_json::json!({"CloudTrailEvent": REC}).to_string();
        let doc = format!("{{\"Events\":[{item},{item}");
        let cut = &doc[..doc.len() - 10];
        let (r, c) = decode(cut.as_bytes());
        assert_eq!(r.format, "lookup-events");
        assert_eq!(c.0.len(), 2);
        assert_eq!((c.0[0].1, c.0[0].2.as_slice()), (true, REC.as_bytes()));
        let rest = &cut[11 + item.len()..];
        assert_eq!((c.0[1].1, c.0[1].2.as_slice()), (false, rest.as_bytes()));
    }

    #[test]
    fn leading_blank_lines_count_in_lines_and_bytes() {
        let text = format!("\u{feff}\n \r\n{REC}\n\u{feff}{REC}\n\u{feff}\nnope\n");
        let (r, c) = decode(text.as_bytes());
        assert_eq!(r.format, "ndjson");
        assert_eq!(r.records, 3);
        let lines: Vec<(bool, Option<u64>)> = c.0.iter().map(|d| (d.1, d.4.line)).collect();
        assert_eq!(lines, [(true, Some(3)), (true, Some(4)), (false, Some(6))]);
        assert_eq!(r.decompressed_bytes, text.len() as u64);
        assert!(r.stored_sha256.is_some());
        // The same hash as ingest's of the whole file, to compare with it.
        assert_eq!(r.stored_sha256, Some(source::sha256(text.as_bytes())));
        assert_eq!(r.stored_bytes, Some(text.len() as u64));
    }

    #[test]
    fn bytes_that_are_not_utf8_become_question_marks_and_are_kept() {
        let mut doc = b"ok \xe9 ok \xf0\x9f\x98".to_vec();
        let (invalid, readable) = mark_invalid_utf8(&mut doc);
        assert_eq!(readable, doc.len());
        assert_eq!(doc, b"ok ? ok ???");
        assert_eq!(invalid, [(3, 0xe9), (8, 0xf0), (9, 0x9f), (10, 0x98)]);
        assert_eq!(&*restore(&doc[2..], 2, &invalid), b" \xe9 ok \xf0\x9f\x98");
        let mut many = vec![0xffu8; MAX_INVALID_BYTES + 10];
        let (invalid, readable) = mark_invalid_utf8(&mut many);
        assert_eq!(
            (invalid.len(), readable),
            (MAX_INVALID_BYTES, MAX_INVALID_BYTES)
        );
    }

    #[test]
    fn an_embedded_record_with_invalid_utf8_is_rejected_and_the_next_kept() {
        let item = |t: &str| serde_json::json!({"CloudTrailEvent": t}).to_string();
        let mut doc = format!("{{\"Events\":[{},", item(REC)).into_bytes();
        let bad_at = doc.len();
        // A Latin-1 byte inside the record's string, not in the item's keys.
        let bad = item(REC);
        let (a, b) = bad.split_at(bad.find("eventName").unwrap());
        doc.extend_from_slice(a.as_bytes());
        doc.push(0xe9);
        doc.extend_from_slice(b.as_bytes());
        doc.extend_from_slice(format!(",{}]}}", item(REC)).as_bytes());
        let (r, c) = decode(&doc);
        assert_eq!(r.format, "lookup-events");
        let kinds: Vec<bool> = c.0.iter().map(|d| d.1).collect();
        assert_eq!(kinds, [true, false, true]);
        assert!(c.0[1].3.contains("invalid UTF-8"), "{}", c.0[1].3);
        assert_eq!(c.0[1].2, &doc[bad_at..bad_at + c.0[1].2.len()]);
        assert!(c.0[1].2.contains(&0xe9));
    }

    /// Found by fuzzing: lines rejected before the first line that parses
    /// were delivered but not counted when that line made the file
    /// unrecognised.
    #[test]
    fn rejects_before_an_unrecognised_line_are_counted() {
        // serde_json skims strings without checking UTF-8, so the first line
        // passes as a complete value and the file is read line by line.
        let text = b"{\"a\":\"\xe9\"}\n{\"b\":\n[1]\n{\"c\":1}\n";
        let (r, c) = decode(text);
        assert_eq!(r.format, UNRECOGNIZED);
        let got: Vec<(u64, bool)> = c.0.iter().map(|d| (d.0, d.1)).collect();
        assert_eq!(got, [(0, false), (1, false)]);
        assert_eq!(r.records, 2);
        let why = r.unrecognized.unwrap();
        assert!(
            why.starts_with("line 3, the first that parses, is"),
            "{why}"
        );
    }
}
