//! `backtrail query` and `lake ddl` through the binary: the library runs on
//! the sample lake with checked results; errors name the query and the
//! offending text; superseded events are left out.

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn sample_lake() -> PathBuf {
    common::sample_lake("agent-env-rebuild")
}

fn query(lake: &Path, args: &[&str]) -> (i32, String, String) {
    let out = common::bin()
        .args(["query", "--lake"])
        .arg(lake)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rows(lake: &Path, args: &[&str]) -> Vec<Value> {
    let mut a = args.to_vec();
    a.extend(["--format", "ndjson"]);
    let (code, out, err) = query(lake, &a);
    assert_eq!(code, 0, "{args:?}: {err}");
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_library_lists_at_least_15_documented_queries() {
    let out = common::bin().args(["query", "--list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert!(names.len() >= 15, "{text}");
    for n in names {
        assert!(n.split_whitespace().count() > 2, "no description: {n}");
    }
}

#[test]
fn every_library_query_runs_on_the_sample_lake_with_checked_results() {
    let lake = &sample_lake();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "sql") {
            let name = p.file_stem().unwrap().to_str().unwrap().to_string();
            counts.insert(name.clone(), rows(lake, &[&name]).len());
        }
    }
    // Facts of the scenario (sample-data/README.md).
    let destructive = rows(lake, &["destructive-calls"]);
    assert!(
        destructive
            .iter()
            .any(|r| r["event_id"] == "3623ea77-9952-45ff-b80a-69a94d02193c"),
        "the agent's DeleteStack"
    );
    let recreate = rows(lake, &["delete-recreate"]);
    assert!(
        recreate.iter().any(|r| r.to_string().contains("prod-web")),
        "prod-web deleted and re-created"
    );
    let tamper = rows(lake, &["logging-tampering"]);
    assert!(
        tamper
            .iter()
            .any(|r| r.to_string().contains("UpdateTerminationProtection"))
    );
    let nomfa = rows(lake, &["console-login-no-mfa"]);
    assert!(!nomfa.is_empty(), "chen.jie signs in without MFA");
    let prov = rows(lake, &["credential-provenance"]);
    assert!(
        prov.iter()
            .any(|r| r.to_string().contains("ASIAK4EITK6C6GJJ32MT")),
        "the agent's key traces to its AssumeRole"
    );
    // Coverage: the hourly counts add up to the lake, one row per file.
    let hours = rows(lake, &["coverage-hours"]);
    let total: u64 = hours.iter().map(|r| r["events"].as_u64().unwrap()).sum();
    assert_eq!(total, 5999, "coverage-hours covers every event");
    assert!(
        hours
            .iter()
            .all(|r| r["hour"].as_str().is_some_and(|h| h.len() == 13))
    );
    let files = rows(lake, &["coverage-files"]);
    assert_eq!(files[0]["events"], 5999);
    // And the whole library's row counts are pinned.
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/queries.agent-env-rebuild.json");
    let got = serde_json::to_string_pretty(&counts).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    assert_eq!(
        got,
        std::fs::read_to_string(&golden).expect("golden; UPDATE_GOLDEN=1 creates it")
    );
}

#[test]
fn parameters_windows_and_formats() {
    let lake = &sample_lake();
    let all = rows(lake, &["destructive-calls"]);
    let window = rows(
        lake,
        &[
            "destructive-calls",
            "--param",
            "from=2026-03-10T01:31:00Z",
            "--param",
            "to=2026-03-10T01:32:00Z",
        ],
    );
    assert!(!window.is_empty() && window.len() < all.len());
    let (code, csv, _) = query(
        lake,
        &["SELECT count(*) AS n FROM events", "--format", "csv"],
    );
    assert_eq!(code, 0);
    assert_eq!(csv.trim(), "n\n5999");
    let t = tempfile::tempdir().unwrap();
    let pq = t.path().join("r.parquet");
    let (code, _, err) = query(
        lake,
        &[
            "SELECT event_id FROM events",
            "--format",
            "parquet",
            "--out",
            pq.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(std::fs::metadata(&pq).unwrap().len() > 0);
}

#[test]
fn errors_name_the_query_and_the_offending_text() {
    let lake = &sample_lake();
    let (code, _, err) = query(lake, &["SELECT no_such_column FROM events"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("query inline") && err.contains("no_such_column"),
        "{err}"
    );
    let (code, _, err) = query(lake, &["SELEC oops FROM"]);
    assert_eq!(code, 1);
    assert!(err.contains("inline"), "{err}");
    let (code, _, err) = query(lake, &["no-such-query"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no-such-query") && err.contains("--list"),
        "{err}"
    );
    let (code, _, err) = query(lake, &["destructive-calls", "--param", "from=yesterday"]);
    assert_eq!(code, 1);
    assert!(err.contains("from") && err.contains("ISO 8601"), "{err}");
}

#[test]
fn superseded_events_are_left_out_of_queries_but_kept_for_export() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("updates.ndjson");
    std::fs::write(
        &f,
        concat!(
            r#"{"eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2024-01-01T00:00:00Z","eventID":"orig"}"#, "\n",
            r#"{"eventSource":"s3.amazonaws.com","eventName":"PutObject","eventTime":"2024-01-01T00:00:00Z","eventID":"upd","addendum":{"reason":"UPDATED_DATA","updatedFields":"requestParameters","originalEventID":"orig"}}"#, "\n",
        ),
    )
    .unwrap();
    let lake = t.path().join("lake");
    common::ingest(&[&f], &lake, &[]);
    let ids: Vec<Value> = rows(&lake, &["SELECT event_id FROM events ORDER BY event_id"])
        .into_iter()
        .map(|r| r["event_id"].clone())
        .collect();
    assert_eq!(ids, vec![Value::from("upd")]);
    assert_eq!(common::export_with_source(&lake).len(), 2);
}

#[test]
fn ddl_for_every_engine() {
    for engine in ["athena", "spark", "trino", "duckdb"] {
        let out = common::bin()
            .args([
                "lake",
                "ddl",
                "--engine",
                engine,
                "--location",
                "s3://bucket/lake",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        let ddl = String::from_utf8_lossy(&out.stdout);
        assert!(
            ddl.contains("event_date") && ddl.contains("s3://bucket/lake/events"),
            "{engine}: {ddl}"
        );
    }
}
