//! What each fuzz target checks. Plain functions that panic when a check
//! fails, free of libfuzzer: `tests/fuzz_corpus.rs` includes this file and
//! replays the committed corpus through them on every `cargo test`.
#![allow(dead_code)]

use backtrail::event::{self, Origin, schema};
use backtrail::formats::{self, Limits, Location, Sink};
use serde_json::Value;
use std::collections::BTreeMap;

/// Small limits, so that the fuzzer explores them rather than memory.
pub fn limits() -> Limits {
    Limits {
        max_record_bytes: 64 * 1024,
        max_document_bytes: 1 << 20,
        max_decompressed_bytes: 4 << 20,
    }
}

/// Format detection never panics, and a parse failure points inside the text.
pub fn detect(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (values, failure) = formats::document::parse_values(text);
    if let Some(f) = &failure {
        assert!(
            f.offset <= text.len(),
            "failure offset {} past the end",
            f.offset
        );
    }
    for v in &values {
        let _ = formats::envelope::looks_like_record(v);
        if let Some(e) = formats::envelope::classify(v) {
            e.records(v, &mut |_found| {});
        }
    }
}

/// One record: if normalize accepts it, the Arrow round trip and the
/// rebuilt record equal the original as a JSON value (for a key given
/// twice, its last value, as JSON parsers read it).
pub fn decode_record(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let origin = Origin {
        source_file: "fuzz",
        source_index: 0,
        source_format: "single",
    };
    let Ok(ev) = event::normalize(text, origin, 1 << 20) else {
        return;
    };
    let batch = schema::to_batch(std::slice::from_ref(&ev)).expect("a valid event makes a batch");
    let back = schema::from_batch(&batch).expect("a batch reads back");
    assert_eq!(back.len(), 1);
    let rebuilt = Value::Object(schema::reconstruct(&back[0]));
    assert_eq!(rebuilt, Value::Object(schema::reconstruct(&ev)));
    // Read as written: `Value`'s own parser, with serde_json's raw_value
    // feature, reinterprets objects keyed by its private raw-value token.
    let original: Value =
        event::canonical::parse_value(text).expect("normalize accepted valid JSON");
    assert_eq!(rebuilt, original, "the record does not round-trip: {text}");
}

#[derive(Default)]
struct Collect {
    seen: BTreeMap<u64, bool>,
    rejected: Vec<Vec<u8>>,
}

impl Sink for Collect {
    fn record(&mut self, _text: &str, index: u64, _at: Location) {
        assert!(
            self.seen.insert(index, true).is_none(),
            "index {index} twice"
        );
    }
    fn reject(&mut self, bytes: &[u8], index: Option<u64>, _at: Location, reason: String) {
        assert!(!reason.is_empty(), "a reject without a reason");
        let i = index.unwrap_or(u64::MAX);
        assert!(self.seen.insert(i, false).is_none(), "index {i} twice");
        self.rejected.push(bytes.to_vec());
    }
}

/// Does `needle` occur in `hay`?
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// A whole file, through a temporary file: no panic, the indices delivered
/// are exactly `0..report.records`, and (for a file that is not gzip) each
/// reject holds bytes of the file as they are, never altered or made up.
/// Returns the number delivered.
pub fn decode_file(data: &[u8]) -> u64 {
    let path = std::env::temp_dir().join(format!(
        "backtrail-fuzz-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&path, data).expect("temp file");
    let mut c = Collect::default();
    let report = formats::decode_file(&path, &limits(), &mut c).expect("a regular file opens");
    let _ = std::fs::remove_file(&path);
    let got: Vec<u64> = c.seen.keys().copied().collect();
    let want: Vec<u64> = (0..report.records).collect();
    assert_eq!(got, want, "indices delivered vs report.records");
    if !report.gzip && data.len() <= 1 << 20 {
        for r in &c.rejected {
            assert!(
                contains(data, r),
                "a reject's bytes are not in the file: {:?}",
                String::from_utf8_lossy(&r[..r.len().min(200)])
            );
        }
    }
    report.records
}
