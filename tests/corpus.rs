//! The real-world corpus in ../shared/real-cloudtrail: ingesting it at once
//! yields exactly the figures of its EXPECTED.md / expected.json, and every
//! lake row exports back equal to its original record.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;

#[test]
fn corpus_ingest_matches_expected_and_round_trips() {
    let corpus = common::corpus();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(corpus.join("expected.json")).expect("expected.json"),
    )
    .expect("json");
    let tmp = tempfile::tempdir().unwrap();
    let lake = tmp.path().join("lake");
    let (code, s) = common::ingest(&[&corpus], &lake, &[]);

    let t = &expected["totals"];
    assert_eq!(s["events_written"], t["lake_rows"], "lake rows");
    assert_eq!(s["rejected"], t["invalid_records"], "rejected");
    assert_eq!(
        s["duplicates_exact"], t["exact_duplicates"],
        "exact duplicates"
    );
    assert_eq!(
        s["duplicates_conflicting"], t["conflicting_duplicates"],
        "conflicting duplicates"
    );
    assert_eq!(s["valid_records"], t["valid_records"], "valid records");
    // Unrecognised files and rejects make the run ask for attention.
    assert_eq!(code, 3);

    // Files by format.
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for f in expected["files"].as_array().unwrap() {
        *want
            .entry(f["format"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    // The corpus's own notes (EXPECTED.md, SOURCES.md, expected.json) are
    // not exports: backtrail reports them as unrecognised too.
    *want.entry("unrecognized".into()).or_default() += 3;
    let got: BTreeMap<String, u64> = s["files"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    assert_eq!(got, want, "files by format");
    assert_eq!(s["unrecognized_files"], want["unrecognized"]);

    // Per file: format, records, valid and invalid, from the manifest.
    let manifest_dir = lake.join("_backtrail/manifest");
    let mut sources: BTreeMap<String, Value> = BTreeMap::new();
    for e in std::fs::read_dir(&manifest_dir).unwrap() {
        let run: Value =
            serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
        for src in run["sources"].as_array().unwrap() {
            sources.insert(src["path"].as_str().unwrap().to_string(), src.clone());
        }
    }
    for f in expected["files"].as_array().unwrap() {
        let name = f["file"].as_str().unwrap();
        let got = sources
            .get(name)
            .unwrap_or_else(|| panic!("{name} in the manifest"));
        assert_eq!(got["format"], f["format"], "{name}: format");
        assert_eq!(got["valid"], f["valid"], "{name}: valid");
        assert_eq!(got["rejected"], f["invalid"], "{name}: invalid");
        assert_eq!(got["records"], f["records"], "{name}: records");
    }

    // Round trip: each lake row equals its original record as a JSON value.
    let rows = common::export_with_source(&lake);
    assert_eq!(rows.len() as u64, t["lake_rows"].as_u64().unwrap());
    let mut originals: BTreeMap<String, BTreeMap<u64, String>> = BTreeMap::new();
    for row in &rows {
        let file = row["source_file"].as_str().unwrap().to_string();
        let recs = originals
            .entry(file.clone())
            .or_insert_with(|| common::decoded_records(&corpus.join(&file)));
        let idx = row["source_index"].as_u64().unwrap();
        let original: Value = serde_json::from_str(&recs[&idx]).unwrap();
        assert_eq!(row["record"], original, "{file} record {idx}");
    }

    // Running it again adds nothing and says so.
    let (code2, s2) = common::ingest(&[&corpus], &lake, &[]);
    assert_eq!(code2, 0, "{s2}");
    assert_eq!(s2["events_written"], 0);
    assert_eq!(s2["files_already_ingested"], s2["files_seen"]);
    assert_eq!(common::export_with_source(&lake).len(), rows.len());
}
