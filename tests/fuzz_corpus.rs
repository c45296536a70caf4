//! The fuzz targets' inputs, replayed on every `cargo test` (stable, no
//! sanitizers, the targets themselves never built): each file of
//! `fuzz/corpus/<target>/` (the seeds, and crashes committed as
//! `regression-*`) and of `fuzz/artifacts/<target>/` (crashes a local fuzzing
//! run left) goes through the oracle the target runs,
//! `fuzz/fuzz_targets/oracles.rs`. See `fuzz/README.md`.

#[path = "../fuzz/fuzz_targets/oracles.rs"]
mod oracles;

use backtrail::formats::{self, Location, Sink};
use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

const TARGETS: &[&str] = &["detect", "decode_record", "decode_file"];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every input of `target`, sorted: its corpus, then its artifacts if any.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let corpus = fuzz_dir().join("corpus").join(target);
    let mut all = files(&corpus)
        .unwrap_or_else(|e| panic!("the corpus {} is committed: {e}", corpus.display()));
    assert!(
        all.len() >= 5,
        "{} holds {} inputs",
        corpus.display(),
        all.len()
    );
    all.extend(files(&fuzz_dir().join("artifacts").join(target)).unwrap_or_default());
    all
}

fn files(dir: &Path) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_file() {
            let b = std::fs::read(&p)?;
            v.push((p, b));
        }
    }
    v.sort();
    Ok(v)
}

/// Run `oracle` on each input of `target`; fail naming every input whose
/// check fails (not only the first).
fn replay(target: &str, oracle: impl Fn(&[u8])) -> usize {
    let inputs = inputs(target);
    let failed: Vec<String> = inputs
        .iter()
        .filter_map(|(p, b)| {
            let e = catch_unwind(AssertUnwindSafe(|| oracle(b))).err()?;
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Some(format!("{}: {why}", p.display()))
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} inputs of {target} fail its oracle:\n{}",
        failed.len(),
        inputs.len(),
        failed.join("\n")
    );
    inputs.len()
}

#[test]
fn detect_corpus() {
    replay("detect", oracles::detect);
}

#[test]
fn decode_record_corpus() {
    replay("decode_record", oracles::decode_record);
}

#[test]
fn decode_file_corpus() {
    let delivered = std::sync::atomic::AtomicU64::new(0);
    replay("decode_file", |b| {
        let n = oracles::decode_file(b);
        delivered.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    });
    assert!(delivered.into_inner() > 10);
}

/// The decode_file seeds hold every format (recognised by content) and the
/// hostile shapes of `tests/hostile.rs`, so the fuzzer starts from them all.
#[test]
fn the_decode_file_corpus_covers_every_format_and_hostile_shape() {
    struct Ignore;
    impl Sink for Ignore {
        fn record(&mut self, _: &str, _: u64, _: Location) {}
        fn reject(&mut self, _: &[u8], _: Option<u64>, _: Location, _: String) {}
    }
    let dir = tempfile::tempdir().unwrap();
    let mut seen = BTreeSet::new();
    let mut gzip_formats = BTreeSet::new();
    for (p, b) in inputs("decode_file") {
        let f = dir.path().join(p.file_name().unwrap());
        std::fs::write(&f, &b).unwrap();
        let r = formats::decode_file(&f, &oracles::limits(), &mut Ignore).unwrap();
        if r.gzip {
            gzip_formats.insert(r.format.clone());
        }
        seen.insert(r.format);
    }
    for format in [
        "records",
        "ndjson",
        "array",
        "array-ndjson",
        "single",
        "lookup-events",
        "lookup-events-ndjson",
        "eventbridge",
        "eventbridge-ndjson",
        "cloudwatch-logs",
        "iam-authorization-details",
        "digest",
        "unrecognized",
    ] {
        assert!(seen.contains(format), "no {format} seed: {seen:?}");
    }
    assert!(gzip_formats.len() >= 2, "gzip seeds: {gzip_formats:?}");

    let seeds: BTreeSet<String> = inputs("decode_file")
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for hostile in [
        "bomb.json.gz",
        "truncated.json.gz",
        "two-members.gz",
        "nested-open.json",
        "nested-record.ndjson",
        "nul.ndjson",
        "zeros.bin",
        "latin1.ndjson",
        "latin1-records.json",
        "latin1-lookup.json",
        "utf16.json",
        "records-bom.json",
        "bom-mid.ndjson",
        "bom-after-blank.ndjson",
        "lines-crlf.ndjson",
        "pretty-crlf.json",
        "cr-only.json",
        "leading-blank.ndjson",
        "whitespace-only.json",
        "empty.json",
        "dup-records-key.json",
        "dup-keys-types.ndjson",
        "times.ndjson",
        "year-zero.ndjson",
        "sub-microsecond.ndjson",
        "truncated-records.json",
        "truncated-lookup.json",
        "truncated-object.json",
        "cut-after-value.json",
        "no-final-newline.json",
    ] {
        assert!(seeds.contains(hostile), "the seed {hostile} is missing");
    }
}

/// Every target has a corpus directory, so a new target cannot go unchecked.
#[test]
fn every_target_is_replayed() {
    let mut dirs: Vec<String> = std::fs::read_dir(fuzz_dir().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut want: Vec<String> = TARGETS.iter().map(|t| t.to_string()).collect();
    want.sort();
    assert_eq!(dirs, want);
    let mut bins: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".rs").map(str::to_string))
        .filter(|n| n != "oracles")
        .collect();
    bins.sort();
    assert_eq!(bins, want);
}
