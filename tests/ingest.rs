//! `backtrail ingest` through the binary: every input format, dedup across
//! runs, the manifest, `--strict`, and each kind of bad input.

mod common;

use common::{gz, write};

use serde_json::{Value, json};
use std::path::Path;

fn record(id: &str, name: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/alice",
                         "accountId": "111122223333", "accessKeyId": "AKIAEXAMPLE", "userName": "alice"},
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "192.0.2.1",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-0abc"}]}},
        "responseElements": null,
        "requestID": format!("req-{id}"),
        "eventID": id,
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management"
    })
}

fn rejects(lake: &Path) -> Vec<Value> {
    let dir = lake.join("_backtrail/rejects");
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            for l in std::fs::read_to_string(e.unwrap().path()).unwrap().lines() {
                out.push(serde_json::from_str(l).unwrap());
            }
        }
    }
    out
}

fn parquet_count(lake: &Path) -> usize {
    walk(&lake.join("events"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .count()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn every_input_format_is_recognised_by_content() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    let r = |i: u32| record(&format!("id-{i}"), "StopInstances");
    let records_doc = json!({"Records": [r(1), r(2)]}).to_string();
    // S3 layout, gzip, named without .gz to show names do not matter.
    write(
        &inp.join("AWSLogs/111122223333/CloudTrail/eu-west-1/2024/05/01/a.json"),
        &gz(records_doc.as_bytes()),
    );
    write(
        &inp.join("AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2024/05/01/b.json.gz"),
        json!({"Records": [r(3)]}).to_string().as_bytes(),
    );
    write(
        &inp.join("lines.ndjson"),
        format!("{}\n{}\n", r(4), r(5)).as_bytes(),
    );
    write(
        &inp.join("lines-gz.bin"),
        &gz(format!("{}\r\n{}\r\n", r(6), r(7)).as_bytes()),
    );
    write(
        &inp.join("array.json"),
        json!([r(8), r(9)]).to_string().as_bytes(),
    );
    write(
        &inp.join("single.json"),
        serde_json::to_string_pretty(&r(10)).unwrap().as_bytes(),
    );
    let item = |i: u32| json!({"EventId": format!("id-{i}"), "EventName": "StopInstances", "CloudTrailEvent": r(i).to_string()});
    write(
        &inp.join("lookup-pages.json"),
        format!(
            "{}\n{}",
            serde_json::to_string_pretty(&json!({"Events": [item(11)], "NextToken": "x"})).unwrap(),
            serde_json::to_string_pretty(&json!({"Events": [item(12)]})).unwrap()
        )
        .as_bytes(),
    );
    write(
        &inp.join("lookup-lines.jsonl"),
        format!("{}\n{}\n", item(13), item(14)).as_bytes(),
    );
    write(
        &inp.join("eventbridge.json"),
        json!({"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
               "account": "111122223333", "time": "2024-05-01T10:00:00Z", "region": "eu-west-1", "resources": [],
               "detail": r(15)}).to_string().as_bytes(),
    );
    write(
        &inp.join("cwl.json"),
        &gz(json!({"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "g", "logStream": "s",
                  "subscriptionFilters": ["f"], "logEvents": [
                      {"id": "1", "timestamp": 1714557600000u64, "message": r(16).to_string()},
                      {"id": "2", "timestamp": 1714557600000u64, "message": r(17).to_string()}]})
            .to_string()
            .as_bytes()),
    );
    write(
        &inp.join("iam.json"),
        json!({"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []})
            .to_string()
            .as_bytes(),
    );
    write(
        &inp.join("digest.json"),
        json!({"awsAccountId": "111122223333", "digestStartTime": "2024-05-01T10:00:00Z", "digestEndTime": "2024-05-01T11:00:00Z",
               "digestS3Bucket": "b", "logFiles": []}).to_string().as_bytes(),
    );
    write(&inp.join("notes.csv"), b"a,b\n1,2\n");

    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "the CSV is unrecognised: {s}");
    assert_eq!(s["events_written"], 17, "{s}");
    assert_eq!(s["rejected"], 0, "{s}");
    let files = &s["files"];
    assert_eq!(files["records"], 2);
    assert_eq!(files["ndjson"], 2);
    assert_eq!(files["array"], 1);
    assert_eq!(files["single"], 1);
    assert_eq!(files["lookup-events"], 1);
    assert_eq!(files["lookup-events-ndjson"], 1);
    assert_eq!(files["eventbridge"], 1);
    assert_eq!(files["cloudwatch-logs"], 1);
    assert_eq!(files["iam-authorization-details"], 1);
    assert_eq!(files["digest"], 1);
    assert_eq!(files["unrecognized"], 1);
    assert_eq!(s["iam_snapshots"], json!(["iam.json"]));
    assert_eq!(s["unrecognized"][0]["path"], "notes.csv");
    // Every record comes back equal to what went in.
    let rows = common::export_with_source(&lake);
    assert_eq!(rows.len(), 17);
    for row in rows {
        let id = row["record"]["eventID"].as_str().unwrap();
        let i: u32 = id.trim_start_matches("id-").parse().unwrap();
        assert_eq!(row["record"], r(i), "{id}");
    }
    // The partition layout is Hive style.
    assert!(lake.join("events/event_date=2024-05-01").is_dir());
}

#[test]
fn duplicates_across_runs_and_the_manifest() {
    duplicates_across_runs(&[]);
}

/// The same verdicts when the ID index lives on disk: with one key in
/// memory, every new ID spills a run and runs merge (the lake's IDs, loaded
/// at the start of each run, too).
#[test]
fn duplicates_are_found_in_an_index_spilled_to_disk() {
    duplicates_across_runs(&["--index-keys-in-memory", "1"]);
}

fn duplicates_across_runs(args: &[&str]) {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("a.json");
    write(
        &a,
        json!({"Records": [record("e1", "StopInstances"), record("e2", "StartInstances")]})
            .to_string()
            .as_bytes(),
    );
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&a], &lake, args);
    assert_eq!((code, s["events_written"].as_u64()), (0, Some(2)), "{s}");

    // Same file again: nothing new, and it says so.
    let (code, s) = common::ingest(&[&a], &lake, args);
    assert_eq!(code, 0);
    assert_eq!(s["events_written"], 0);
    assert_eq!(s["files_already_ingested"], 1);

    // Another file: an exact copy of e1 in another format, a conflicting e2, a new e3.
    let b = t.path().join("b.ndjson");
    let mut e2 = record("e2", "StartInstances");
    e2["sourceIPAddress"] = json!("198.51.100.7");
    write(
        &b,
        format!(
            "{}\n{}\n{}\n",
            record("e1", "StopInstances"),
            e2,
            record("e3", "RebootInstances")
        )
        .as_bytes(),
    );
    let (code, s) = common::ingest(&[&b], &lake, args);
    assert_eq!(code, 0, "{s}");
    assert_eq!(s["events_written"], 1);
    assert_eq!(s["duplicates_exact"], 1);
    assert_eq!(s["duplicates_conflicting"], 1);
    let conflicts = std::fs::read_to_string(s["conflicts_file"].as_str().unwrap()).unwrap();
    let c: Value = serde_json::from_str(conflicts.lines().next().unwrap()).unwrap();
    assert_eq!(c["event_id"], "e2");
    assert_eq!(c["kept"]["in_lake_before_this_run"], true);
    assert_eq!(c["set_aside"]["source_file"], "b.ndjson");
    assert_eq!(c["set_aside"]["source_index"], 1);
    assert_eq!(c["record"], e2);
    // The lake holds e1 and e2 from the first file and e3 from the second:
    // the row kept of that file is the one after its duplicates.
    let mut held: Vec<(String, String, u64)> = common::export_with_source(&lake)
        .iter()
        .map(|r| {
            (
                r["record"]["eventID"].as_str().unwrap().to_string(),
                r["source_file"].as_str().unwrap().to_string(),
                r["source_index"].as_u64().unwrap(),
            )
        })
        .collect();
    held.sort();
    let held: Vec<(&str, &str, u64)> = held
        .iter()
        .map(|(id, f, i)| (id.as_str(), f.as_str(), *i))
        .collect();
    assert_eq!(
        held,
        [
            ("e1", "a.json", 0),
            ("e2", "a.json", 1),
            ("e3", "b.ndjson", 2)
        ]
    );

    // Two manifest entries (the no-op run adds none).
    let runs = std::fs::read_dir(lake.join("_backtrail/manifest"))
        .unwrap()
        .count();
    assert_eq!(runs, 2);
}

#[test]
fn strict_leaves_the_lake_unchanged() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("mixed.ndjson");
    write(
        &f,
        format!(
            "{}\n{{\"eventName\":\"x\"}}\n",
            record("e1", "StopInstances")
        )
        .as_bytes(),
    );
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &["--strict"]);
    assert_eq!(code, 4, "{s}");
    assert_eq!(s["aborted_strict"], true);
    assert_eq!(parquet_count(&lake), 0);
    assert!(rejects(&lake).is_empty());
    // Without --strict the good record goes in and the bad one is kept aside.
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 3);
    assert_eq!(s["events_written"], 1);
    assert_eq!(s["rejected"], 1);
}

#[test]
fn bad_input_is_reported_with_file_and_position() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    let good = |i: u32| record(&format!("g{i}"), "StopInstances");

    // Truncated gzip of a Records file: the complete records before the cut survive.
    let many: Vec<Value> = (1..=300).map(good).collect();
    let full = gz(json!({ "Records": many }).to_string().as_bytes());
    write(&inp.join("truncated.json.gz"), &full[..full.len() * 2 / 3]);
    // NDJSON with invalid JSON, invalid UTF-8, missing fields, a bad time, a huge line.
    let mut lines = Vec::new();
    lines.extend_from_slice(format!("{}\n", good(10)).as_bytes());
    lines.extend_from_slice(b"{\"eventSource\": \"s3.amazonaws.com\", \n");
    lines.extend_from_slice(b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"Get\xff\",\"eventTime\":\"2024-05-01T00:00:00Z\"}\n");
    lines.extend_from_slice(
        b"{\"eventName\":\"GetObject\",\"eventTime\":\"2024-05-01T00:00:00Z\"}\n",
    );
    lines.extend_from_slice(
        b"{\"eventSource\":\"s3.amazonaws.com\",\"eventTime\":\"2024-05-01T00:00:00Z\"}\n",
    );
    lines.extend_from_slice(b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventTime\":\"redacted\"}\n");
    lines
        .extend_from_slice(b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}\n");
    let big = format!(
        "{{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventTime\":\"2024-05-01T00:00:00Z\",\"pad\":\"{}\"}}\n",
        "x".repeat(5000)
    );
    lines.extend_from_slice(big.as_bytes());
    // Tolerated: odd types keep their original in `extra`.
    lines.extend_from_slice(
        b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventTime\":\"2024-05-01 02:00:00+02:00\",\"readOnly\":\"True\",\"requestParameters\":\"bucket=x\",\"eventID\":\"odd\"}\n",
    );
    lines.extend_from_slice(format!("{}\n", good(11)).as_bytes());
    write(&inp.join("mixed.ndjson"), &lines);
    write(&inp.join("empty.json"), b"");
    write(&inp.join("broken.json"), b"{\"Records\": [");
    #[cfg(unix)]
    std::os::unix::fs::symlink(t.path().join("nowhere"), inp.join("dangling.json")).unwrap();

    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &["--max-record-bytes", "4096"]);
    assert_eq!(code, 3, "{s}");
    // Some of the truncated file's records, g10, g11 and the tolerated one.
    let salvaged = s["events_written"].as_u64().unwrap() - 3;
    assert!(salvaged > 10 && salvaged < 300, "{s}");
    let rej = rejects(&lake);
    let reasons: Vec<(String, String, String)> = rej
        .iter()
        .map(|r| {
            (
                r["source_file"].as_str().unwrap().to_string(),
                r["location"].as_str().unwrap().to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let find = |file: &str, loc: &str, needle: &str| {
        assert!(
            reasons.iter().any(|(f, l, r)| f == file
                && (l == loc || l.starts_with(&format!("{loc} ")))
                && r.contains(needle)),
            "no reject {file} {loc} {needle:?} in {reasons:#?}"
        )
    };
    find("mixed.ndjson", "line 2", "invalid JSON");
    find("mixed.ndjson", "line 3", "invalid UTF-8");
    find("mixed.ndjson", "line 4", "eventSource");
    find("mixed.ndjson", "line 5", "eventName");
    find("mixed.ndjson", "line 6", "not an ISO 8601 time");
    find("mixed.ndjson", "line 7", "missing eventTime");
    find("mixed.ndjson", "line 8", "record limit");
    find("truncated.json.gz", "byte", "unreadable remainder");
    // The invalid UTF-8 line is kept as bytes.
    let utf8 = rej.iter().find(|r| r["location"] == "line 3").unwrap();
    assert!(utf8["original_hex"].as_str().unwrap().contains("ff"));
    // The original bytes of a rejected record are kept.
    let l7 = rej.iter().find(|r| r["location"] == "line 7").unwrap();
    assert_eq!(
        l7["original"],
        "{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}"
    );
    // File-level problems name the file.
    let problems = s["file_errors"].to_string();
    assert!(
        problems.contains("truncated.json.gz") && problems.contains("truncated gzip"),
        "{problems}"
    );
    assert!(
        problems.contains("broken.json") && problems.contains("invalid JSON"),
        "{problems}"
    );
    assert!(problems.contains("dangling.json"), "{problems}");
    let unrec = s["unrecognized"].to_string();
    assert!(
        unrec.contains("empty.json") && unrec.contains("empty file"),
        "{unrec}"
    );

    // The tolerated record: columns read leniently, the original kept.
    let rows = common::export_with_source(&lake);
    let odd = rows
        .iter()
        .find(|r| r["record"]["eventID"] == "odd")
        .unwrap();
    assert_eq!(odd["record"]["readOnly"], "True");
    assert_eq!(odd["record"]["requestParameters"], "bucket=x");
    assert_eq!(odd["record"]["eventTime"], "2024-05-01 02:00:00+02:00");
}

#[test]
fn gzip_bomb_is_stopped() {
    let t = tempfile::tempdir().unwrap();
    let zeros = vec![b' '; 8 << 20];
    let mut body = json!({"Records": [record("b1", "StopInstances")]})
        .to_string()
        .into_bytes();
    body.extend_from_slice(&zeros);
    write(&t.path().join("bomb.json.gz"), &gz(&body));
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[t.path()], &lake, &["--max-decompressed-bytes", "1048576"]);
    assert_eq!(code, 3, "{s}");
    assert!(
        s["file_errors"].to_string().contains("exceeds the limit"),
        "{s}"
    );
}

#[test]
fn help_has_examples_and_version_works() {
    for sub in ["ingest", "export"] {
        let out = common::bin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Examples:"),
            "{sub}"
        );
    }
    let out = common::bin().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("backtrail "));
    // A missing input is an error (exit 1) that names it.
    let out = common::bin()
        .args(["ingest", "/nonexistent/x", "--lake", "/tmp/never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x"));
}

/// A lake's files, by partition and number within their run, each with
/// its row groups' row counts and time ranges.
fn layout(lake: &Path) -> Vec<(String, Vec<backtrail::lake::read::GroupTimes>)> {
    let mut out: Vec<_> = walk(&lake.join("events"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .map(|f| {
            let part = f.parent().unwrap().file_name().unwrap().to_string_lossy();
            let name = f.file_name().unwrap().to_string_lossy();
            let number = name.rsplit('-').next().unwrap().to_string();
            let groups = backtrail::lake::read::row_group_times(&f).unwrap();
            for g in &groups {
                assert!(g.range.is_some(), "{} has no time statistics", f.display());
            }
            (format!("{part}/{number}"), groups)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Many small files with events of several days, mixed within files, and
/// one big file, through a 1 MiB buffer: every event lands once, in its
/// day's partition, each Parquet file sorted by time, and exports back equal.
#[test]
fn small_batches_across_days_are_split_and_sorted() {
    use arrow::array::{Array, TimestampMicrosecondArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut want = std::collections::BTreeMap::new();
    let mut n = 0u32;
    let mut next = |day: u32| {
        n += 1;
        let mut r = record(&format!("ev-{n:05}"), "RunInstances");
        // Times out of order within a file, over three days.
        let secs = (n * 7919) % 86_400;
        r["eventTime"] = json!(format!(
            "2024-05-0{}T{:02}:{:02}:{:02}Z",
            day,
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        ));
        want.insert(r["eventID"].as_str().unwrap().to_string(), r.clone());
        r
    };
    for f in 0..200u32 {
        let recs: Vec<Value> = (0..3).map(|i| next(1 + (f + i) % 3)).collect();
        let body = json!({ "Records": recs }).to_string();
        write(
            &input.join(format!("small-{f:03}.json.gz")),
            &gz(body.as_bytes()),
        );
    }
    let big: Vec<Value> = (0..3000u32).map(|i| next(1 + i % 3)).collect();
    write(
        &input.join("big.json"),
        json!({ "Records": big }).to_string().as_bytes(),
    );

    // 1 MiB: several sorted runs (row groups) per day, appended to a few
    // open files of the day. 64 MiB: one file and row group per day,
    // gathered from its 200 small files' batches.
    for (buffer, groups_per_day) in [("1", None), ("64", Some(1))] {
        let lake = dir.path().join(format!("lake-{buffer}"));
        let args = ["--buffer-mib", buffer, "--threads", "2"];
        let (code, s) = common::ingest(&[&input], &lake, &args);
        assert_eq!(code, 0, "{s}");
        assert_eq!(s["events_written"], json!(want.len()));

        let files: Vec<_> = walk(&lake.join("events"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
            .collect();
        let mut rows = 0;
        let mut groups = 0;
        for f in &files {
            let day = f
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let open = || {
                ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(f).unwrap()).unwrap()
            };
            let in_file = open().metadata().num_row_groups();
            groups += in_file;
            // Each row group is a sorted run (what its sorting columns say).
            for g in 0..in_file {
                let reader = open().with_row_groups(vec![g]).build().unwrap();
                let mut last = i64::MIN;
                for b in reader {
                    let b = b.unwrap();
                    let t = b
                        .column_by_name("event_time")
                        .unwrap()
                        .as_any()
                        .downcast_ref::<TimestampMicrosecondArray>()
                        .unwrap()
                        .clone();
                    for i in 0..t.len() {
                        let v = t.value(i);
                        assert!(v >= last, "{} row group {g} is sorted by time", f.display());
                        last = v;
                        let date = chrono::DateTime::from_timestamp_micros(v)
                            .unwrap()
                            .format("%Y-%m-%d");
                        assert_eq!(day, format!("event_date={date}"));
                        rows += 1;
                    }
                }
            }
        }
        match groups_per_day {
            Some(k) => {
                assert_eq!(groups, 3 * k);
                assert_eq!(files.len(), 3);
            }
            None => {
                assert!(groups > 3, "a 1 MiB buffer writes several runs per day");
                assert!(
                    files.len() < groups,
                    "runs are appended to a day's open files, not a file each: {} files, {groups} runs",
                    files.len()
                );
            }
        }
        assert_eq!(rows, want.len());
        if groups_per_day.is_none() {
            // Which runs share a file is the writer's decision, not the
            // threads': the same input gives the same files again.
            let again = dir.path().join("lake-1-again");
            let (code, s) = common::ingest(&[&input], &again, &args);
            assert_eq!(code, 0, "{s}");
            assert_eq!(layout(&again), layout(&lake));
        }

        let back = common::export_with_source(&lake);
        assert_eq!(back.len(), want.len());
        for r in back {
            let rec = &r["record"];
            let id = rec["eventID"].as_str().unwrap();
            assert_eq!(rec, &want[id], "{id} exports back equal");
        }
    }
}

/// A file reached by several paths (a link to it, a linked directory, the
/// same directory given twice) is read once, and a lake inside the input
/// directory is not read as input.
#[cfg(unix)]
#[test]
fn a_file_reached_by_several_paths_is_read_once_and_the_lake_is_not_input() {
    use std::os::unix::fs::symlink;
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    let doc = |ids: &[&str]| {
        let recs: Vec<Value> = ids.iter().map(|id| record(id, "RunInstances")).collect();
        json!({ "Records": recs }).to_string().into_bytes()
    };
    write(&inp.join("a.json"), &doc(&["a1", "a2"]));
    write(&inp.join("sub").join("b.json.gz"), &gz(&doc(&["b1"])));
    symlink(inp.join("a.json"), inp.join("link-to-a.json")).unwrap();
    symlink(inp.join("sub"), inp.join("alias")).unwrap();

    let lake = inp.join("lake");
    let (code, s) = common::ingest(&[&inp, &inp.join("sub")], &lake, &[]);
    assert_eq!(code, 0, "{s}");
    assert_eq!(s["events_written"], json!(3), "{s}");
    assert_eq!(s["duplicates_exact"], json!(0), "each file read once: {s}");
    assert_eq!(s["files_already_ingested"], json!(0), "{s}");

    // Again, with the lake now holding Parquet files under the input.
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 0, "{s}");
    assert_eq!(
        s["unrecognized_files"],
        json!(0),
        "the lake is not input: {s}"
    );
    assert_eq!(s["events_written"], json!(0), "{s}");
    assert_eq!(s["files_already_ingested"], json!(2), "{s}");
}

/// Many tiny files, as a quiet region's trail delivers them: their records
/// share the decoders' batches, yet every row, reject and duplicate is
/// still counted against its own file, and the first file in path order
/// keeps a duplicated event ID, whichever thread read it.
#[test]
fn tiny_files_are_each_accounted_and_the_first_copy_wins() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let files = 300u32;
    let mut e_conflict = record("dup", "DeleteBucket");
    e_conflict["sourceIPAddress"] = json!("198.51.100.7");
    for f in 0..files {
        let mut lines: Vec<String> = (0..1 + f % 3)
            .map(|i| record(&format!("f{f:03}-{i}"), "PutObject").to_string())
            .collect();
        match f {
            7 => lines.push(record("dup", "DeleteBucket").to_string()),
            250 => lines.push(e_conflict.to_string()),
            100 | 101 => lines.push(record("same", "PutObject").to_string()),
            150 => lines.push("{\"eventID\": ".into()),
            _ => {}
        }
        write(
            &input.join(format!("f-{f:03}.ndjson")),
            (lines.join("\n") + "\n").as_bytes(),
        );
    }
    let unique = (0..files).map(|f| 1 + f % 3).sum::<u32>() as u64 + 2;
    let mut manifests = Vec::new();
    for run in 0..2 {
        let lake = dir.path().join(format!("lake-{run}"));
        let (code, s) = common::ingest(&[&input], &lake, &["--threads", "2"]);
        assert_eq!(code, 3, "one reject: {s}");
        assert_eq!(s["events_written"], json!(unique), "{s}");
        assert_eq!(s["duplicates_exact"], 1);
        assert_eq!(s["duplicates_conflicting"], 1);
        assert_eq!(s["rejected"], 1);
        let r = rejects(&lake);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0]["source_file"], "f-150.ndjson");
        let conflicts = std::fs::read_to_string(s["conflicts_file"].as_str().unwrap()).unwrap();
        let c: Value = serde_json::from_str(conflicts.lines().next().unwrap()).unwrap();
        assert_eq!(c["kept"]["source_file"], "f-007.ndjson");
        assert_eq!(c["set_aside"]["source_file"], "f-250.ndjson");
        assert_eq!(c["record"], e_conflict);
        for e in common::export_with_source(&lake) {
            let id = e["record"]["eventID"].as_str().unwrap();
            let want = match id {
                "dup" => "f-007.ndjson".to_string(),
                "same" => "f-100.ndjson".to_string(),
                _ => format!("f-{}.ndjson", &id[1..4]),
            };
            assert_eq!(e["source_file"], want.as_str(), "{id}");
        }
        // Each file's own counts in the manifest.
        let runs = backtrail::lake::commit::runs(&backtrail::lake::Lake::new(&lake)).unwrap();
        assert_eq!(runs.len(), 1);
        let sources = runs[0].sources.clone();
        assert_eq!(sources.len(), files as usize);
        for (f, src) in sources.iter().enumerate() {
            let f = f as u32;
            let own = u64::from(1 + f % 3);
            let (valid, written, rejected) = match f {
                7 | 100 => (own + 1, own + 1, 0),
                250 | 101 => (own + 1, own, 0),
                150 => (own, own, 1),
                _ => (own, own, 0),
            };
            assert_eq!(src.path, format!("f-{f:03}.ndjson"));
            assert_eq!(
                (src.valid, src.events_written, src.rejected),
                (valid, written, rejected),
                "{src:?}"
            );
        }
        manifests.push(sources);
    }
    assert_eq!(manifests[0], manifests[1]);
}
