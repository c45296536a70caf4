//! Hostile input, case by case, through the binary: each case checks the
//! exit code, the summary, that every good record went in (counted) and that
//! every bad one is in `<lake>/_backtrail/rejects/` with a reason naming the
//! file and the position. Cases that show a bug in the pipeline are marked
//! `
mod common;

use common::{gz, write};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn record(id: &str) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333"},
        "eventTime": "2024-05-01T10:00:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "StopInstances",
        "awsRegion": "eu-west-1",
        "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-0abc"}]}},
        "eventID": id,
        "eventType": "AwsApiCall"
    })
}

fn line(id: &str) -> String {
    format!("{}\n", record(id))
}

/// A reject row, without its (possibly huge) original bytes.
#[derive(Debug, Deserialize)]
struct Reject {
    source_file: String,
    location: String,
    reason: String,
    #[serde(default)]
    original: Option<String>,
    #[serde(default)]
    original_hex: Option<String>,
}

/// Every reject of the lake. Rows bigger than 8 MiB keep only their
/// position and reason (the test's memory stays small).
fn rejects(lake: &Path) -> Vec<Reject> {
    #[derive(Deserialize)]
    struct Slim {
        source_file: String,
        location: String,
        reason: String,
    }
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(lake.join("_backtrail/rejects")) else {
        return out;
    };
    for e in rd {
        let f = std::io::BufReader::new(std::fs::File::open(e.unwrap().path()).unwrap());
        for l in f.lines() {
            let l = l.unwrap();
            if l.len() > 8 << 20 {
                let s: Slim = serde_json::from_str(&l).unwrap();
                out.push(Reject {
                    source_file: s.source_file,
                    location: s.location,
                    reason: s.reason,
                    original: None,
                    original_hex: None,
                });
            } else {
                out.push(serde_json::from_str(&l).unwrap());
            }
        }
    }
    out
}

/// Assert a reject for `file` at `location` whose reason contains `needle`.
fn rejected(rej: &[Reject], file: &str, location: &str, needle: &str) {
    assert!(
        rej.iter().any(|r| r.source_file == file
            && (r.location == location || location.is_empty())
            && r.reason.contains(needle)),
        "no reject {file} {location} {needle:?} in {rej:#?}"
    );
}

/// Assert a file-level problem for `file` whose message contains `needle`.
fn file_error(s: &Value, file: &str, needle: &str) {
    let all: Vec<&Value> = s["file_errors"]
        .as_array()
        .unwrap()
        .iter()
        .chain(s["unrecognized"].as_array().unwrap())
        .collect();
    assert!(
        all.iter().any(|p| p["path"].as_str() == Some(file)
            && p["message"].as_str().is_some_and(|m| m.contains(needle))),
        "no problem for {file} containing {needle:?}: {s:#}"
    );
}

fn exported_ids(lake: &Path) -> Vec<String> {
    let mut v: Vec<String> = common::export_with_source(lake)
        .iter()
        .map(|r| r["record"]["eventID"].as_str().unwrap_or("").to_string())
        .collect();
    v.sort();
    v
}

fn ids(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// `backtrail ingest --json`, sampling the process's peak resident memory
/// (VmHWM) while it runs. Returns (exit code, summary, peak MiB).
fn ingest_measured(paths: &[&Path], lake: &Path, extra: &[&str]) -> (i32, Value, u64) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_backtrail"));
    cmd.arg("ingest").args(paths).arg("--lake").arg(lake);
    cmd.arg("--json").args(extra);
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let reader = drain(Box::new(child.stdout.take().unwrap()));
    let errors = drain(Box::new(child.stderr.take().unwrap()));
    let mut peak_kb = 0u64;
    let status = loop {
        if let Ok(st) = std::fs::read_to_string(&status_path) {
            for l in st.lines() {
                if let Some(v) = l.strip_prefix("VmHWM:") {
                    let kb: u64 = v.trim().trim_end_matches("kB").trim().parse().unwrap_or(0);
                    peak_kb = peak_kb.max(kb);
                }
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = reader.join().unwrap();
    let err = errors.join().unwrap();
    let summary = serde_json::from_str(out.trim())
        .unwrap_or_else(|e| panic!("summary is JSON ({e}): {out}\nstderr: {err}"));
    (status.code().unwrap_or(-1), summary, peak_kb / 1024)
}

// ---------------------------------------------------------------- gzip bombs

/// Gzip of `head` followed by `n` MiB of `fill`, compressed as it goes.
fn bomb(head: &[u8], fill: u8, mib: usize) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(head).unwrap();
    let chunk = vec![fill; 1 << 20];
    for _ in 0..mib {
        e.write_all(&chunk).unwrap();
    }
    e.finish().unwrap()
}

#[test]
fn gzip_bomb_is_stopped_with_bounded_memory() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    // A Records document padded with 512 MiB of spaces.
    let doc = json!({"Records": [record("b1"), record("b2")]}).to_string();
    let records_bomb = bomb(doc.as_bytes(), b' ', 512);
    assert!(records_bomb.len() < 2 << 20, "{}", records_bomb.len());
    write(&inp.join("records-bomb.json.gz"), &records_bomb);
    // NDJSON whose third line is 512 MiB of NUL bytes.
    let lines = format!("{}{}", line("n1"), line("n2"));
    write(
        &inp.join("lines-bomb.ndjson.gz"),
        &bomb(lines.as_bytes(), 0, 512),
    );
    let lake = t.path().join("lake");
    let (code, s, peak) = ingest_measured(&[&inp], &lake, &["--max-decompressed-bytes", "1048576"]);
    assert_eq!(code, 3, "{s:#}");
    // The records before the limit are kept.
    assert_eq!(s["events_written"], 4, "{s:#}");
    file_error(
        &s,
        "records-bomb.json.gz",
        "exceeds the limit of 1048576 bytes",
    );
    file_error(
        &s,
        "lines-bomb.ndjson.gz",
        "exceeds the limit of 1048576 bytes",
    );
    file_error(&s, "lines-bomb.ndjson.gz", "at line 3");
    let rej = rejects(&lake);
    rejected(
        &rej,
        "lines-bomb.ndjson.gz",
        "line 3",
        "incomplete last line",
    );
    assert_eq!(rej.len(), 1, "{rej:#?}");
    assert_eq!(exported_ids(&lake), ids(&["b1", "b2", "n1", "n2"]));
    // 1 GiB of expansion, never held: memory stays near the binary's own.
    assert!(peak < 300, "peak resident memory {peak} MiB");
}

// ------------------------------------------------------ deeply nested JSON

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    let depth = 100_000;
    let open = "[".repeat(depth);
    let balanced = format!("{}{}", open, "]".repeat(depth));
    // Whole documents.
    write(&inp.join("open.json"), open.as_bytes());
    write(&inp.join("balanced.json"), balanced.as_bytes());
    let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    write(&inp.join("objects.json"), objects.as_bytes());
    // A record with a deep payload, among good ones, in each container.
    let mut deep = record("deep");
    deep["requestParameters"] = json!("PLACEHOLDER");
    let deep = deep.to_string().replace("\"PLACEHOLDER\"", &balanced);
    let doc = format!(
        "{{\"Records\":[{},{},{}]}}",
        record("r1"),
        deep,
        record("r2")
    );
    write(&inp.join("records.json"), doc.as_bytes());
    write(
        &inp.join("lines.ndjson"),
        format!("{}{deep}\n{open}\n{}", line("l1"), line("l2")).as_bytes(),
    );

    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 4, "{s:#}");
    assert_eq!(exported_ids(&lake), ids(&["l1", "l2", "r1", "r2"]));
    for f in ["balanced.json", "objects.json"] {
        assert!(
            s["unrecognized"].to_string().contains(f),
            "{f} unrecognized: {s:#}"
        );
    }
    // An unclosed array is a truncated document: a file error with its position.
    file_error(&s, "open.json", "invalid JSON at line");
    let rej = rejects(&lake);
    rejected(&rej, "records.json", "", "recursion limit exceeded");
    assert!(
        rej.iter()
            .any(|r| r.source_file == "records.json" && r.location.starts_with("byte ")),
        "{rej:#?}"
    );
    rejected(&rej, "lines.ndjson", "line 2", "recursion limit exceeded");
    rejected(&rej, "lines.ndjson", "line 3", "invalid JSON");
    // The unclosed array's bytes are kept as the unreadable remainder.
    rejected(
        &rej,
        "open.json",
        "byte 0",
        "unreadable remainder of the file",
    );
    assert_eq!(s["rejected"], 4, "{rej:#?}");
}

// --------------------------------------------------- a 100 MB single record

/// NDJSON: a good record, a 100 MiB record, a good record; written in
/// pieces so the test never holds the big line.
fn write_big_ndjson(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    f.write_all(line("small-1").as_bytes()).unwrap();
    f.write_all(
        br#"{"eventVersion":"1.08","eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"PutObject","eventID":"huge","requestParameters":{"blob":""#,
    )
    .unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}}\n").unwrap();
    f.write_all(line("small-2").as_bytes()).unwrap();
    f.flush().unwrap();
}

#[test]
fn a_100_mb_record_is_rejected_with_the_reason_and_bounded_memory() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write_big_ndjson(&inp.join("big.ndjson"));

    // Default limits: over the 64 MiB record limit, rejected cleanly.
    let lake = t.path().join("lake-default");
    let (code, s, peak) = ingest_measured(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 2, "{s:#}");
    assert_eq!(s["rejected"], 1, "{s:#}");
    rejected(
        &rejects(&lake),
        "big.ndjson",
        "line 2",
        "longer than the record limit of 67108864 bytes",
    );
    assert!(peak < 1024, "peak resident memory {peak} MiB");

    // --max-record-bytes 1 MiB: rejected with that limit, little memory.
    let lake = t.path().join("lake-1mib");
    let (code, s, peak) = ingest_measured(&[&inp], &lake, &["--max-record-bytes", "1048576"]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 2, "{s:#}");
    let rej = rejects(&lake);
    rejected(
        &rej,
        "big.ndjson",
        "line 2",
        "record limit of 1048576 bytes",
    );
    // Only the start of the line is kept.
    let kept = rej[0].original.as_deref().unwrap_or_default();
    assert!(kept.len() <= (1 << 20) + 4096 && kept.starts_with("{\"eventVersion\""));
    assert!(peak < 300, "peak resident memory {peak} MiB");
    assert_eq!(exported_ids(&lake), ids(&["small-1", "small-2"]));
}

#[test]
fn a_large_record_inside_a_records_document_is_rejected_by_size() {
    let t = tempfile::tempdir().unwrap();
    let mut big = record("big");
    big["requestParameters"] = json!({"blob": "y".repeat(3 << 20)});
    let head = format!("{{\"Records\":[{},", record("a"));
    let doc = format!("{head}{big},{}]}}", record("b"));
    let f = t.path().join("in/records.json");
    write(&f, doc.as_bytes());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &["--max-record-bytes", "1048576"]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 2, "{s:#}");
    let at = head.len();
    let rej = rejects(&lake);
    rejected(
        &rej,
        "records.json",
        &format!("byte {at}"),
        "over the limit of 1048576 bytes",
    );
    assert_eq!(exported_ids(&lake), ids(&["a", "b"]));
}

// --------------------------------------------------------------- NUL bytes

#[test]
fn nul_bytes() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write(&inp.join("zeros.json"), &[0u8; 4096]);
    let mut escaped = record("escaped-nul");
    escaped["requestParameters"] = json!({"key": "a\u{0}b"});
    let mut b = Vec::new();
    b.extend_from_slice(line("n1").as_bytes());
    b.extend_from_slice(b"\0\0\0\0\0\0\0\0\n");
    b.extend_from_slice(format!("{escaped}\n").as_bytes());
    b.extend_from_slice(
        b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"Get\0Object\",\"eventTime\":\"2024-05-01T10:00:00Z\"}\n",
    );
    b.extend_from_slice(line("n2").as_bytes());
    write(&inp.join("nul.ndjson"), &b);
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 3, "{s:#}");
    file_error(&s, "zeros.json", "not JSON");
    let rej = rejects(&lake);
    rejected(&rej, "nul.ndjson", "line 2", "invalid JSON");
    rejected(&rej, "nul.ndjson", "line 4", "control character");
    assert_eq!(rej.len(), 2, "{rej:#?}");
    // The escaped NUL survives the lake byte for byte.
    let rows = common::export_with_source(&lake);
    let row = rows
        .iter()
        .find(|r| r["record"]["eventID"] == "escaped-nul")
        .unwrap();
    assert_eq!(row["record"], escaped);
}

// ------------------------------------------------------------ invalid UTF-8

#[test]
fn invalid_utf8_in_ndjson_rejects_only_that_line() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    let bad = b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"Caf\xe9\",\"eventTime\":\"2024-05-01T10:00:00Z\",\"eventID\":\"latin1\"}\n";
    // In the middle, and as the first line.
    let mut mid = Vec::new();
    mid.extend_from_slice(line("m1").as_bytes());
    mid.extend_from_slice(bad);
    mid.extend_from_slice(line("m2").as_bytes());
    write(&inp.join("middle.ndjson"), &mid);
    let mut first = Vec::new();
    first.extend_from_slice(bad);
    first.extend_from_slice(line("f1").as_bytes());
    first.extend_from_slice(line("f2").as_bytes());
    write(&inp.join("first.ndjson"), &first);
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(exported_ids(&lake), ids(&["f1", "f2", "m1", "m2"]), "{s:#}");
    let rej = rejects(&lake);
    rejected(
        &rej,
        "middle.ndjson",
        "line 2",
        "invalid UTF-8 at byte 50 of the line",
    );
    rejected(
        &rej,
        "first.ndjson",
        "line 1",
        "invalid UTF-8 at byte 50 of the line",
    );
    assert_eq!(rej.len(), 2, "{rej:#?}");
    // Kept as bytes.
    assert!(
        rej.iter()
            .all(|r| r.original_hex.as_deref().is_some_and(|h| h.contains("e9"))),
        "{rej:#?}"
    );
}

/// A Records document with one non-UTF-8 byte in its second record: the
/// records before it go in; the rest is rejected with the byte offset.
#[test]
fn invalid_utf8_in_a_records_document() {
    let t = tempfile::tempdir().unwrap();
    let (doc, bad_at) = records_with_latin1();
    write(&t.path().join("in/records.json"), &doc);
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&t.path().join("in")], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert!(exported_ids(&lake).contains(&"u1".to_string()), "{s:#}");
    file_error(
        &s,
        "records.json",
        &format!("invalid UTF-8 at byte {bad_at}"),
    );
    let rej = rejects(&lake);
    rejected(&rej, "records.json", "", "invalid UTF-8");
    assert!(
        rej[0]
            .original_hex
            .as_deref()
            .is_some_and(|h| h.contains("e9")),
        "the rejected bytes are kept: {rej:#?}"
    );
}

fn records_with_latin1() -> (Vec<u8>, usize) {
    let mut doc = Vec::new();
    doc.extend_from_slice(format!("{{\"Records\":[{},", record("u1")).as_bytes());
    let bad_rec = b"{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"Caf\xe9\",\"eventTime\":\"2024-05-01T10:00:00Z\",\"eventID\":\"latin1\"},";
    let bad_at = doc.len() + bad_rec.iter().position(|&c| c == 0xe9).unwrap();
    doc.extend_from_slice(bad_rec);
    doc.extend_from_slice(format!("{}]}}", record("u3")).as_bytes());
    (doc, bad_at)
}

#[test]
fn invalid_utf8_in_a_records_document_keeps_the_later_records() {
    let t = tempfile::tempdir().unwrap();
    let (doc, _) = records_with_latin1();
    write(&t.path().join("in/records.json"), &doc);
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&t.path().join("in")], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(exported_ids(&lake), ids(&["u1", "u3"]), "{s:#}");
    let rej = rejects(&lake);
    assert_eq!(rej.len(), 1, "{rej:#?}");
    assert!(rej[0].reason.contains("invalid UTF-8"), "{rej:#?}");
}

// ---------------------------------------------- BOM and line endings

#[test]
fn bom_and_line_endings() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    let bom = "\u{feff}";
    write(
        &inp.join("bom-records.json"),
        format!("{bom}{}", json!({"Records": [record("b1")]})).as_bytes(),
    );
    write(
        &inp.join("bom-lines.ndjson"),
        format!("{bom}{}{}", line("b2"), line("b3")).as_bytes(),
    );
    write(
        &inp.join("crlf.ndjson"),
        format!("{}\r\n{}\r\n\r\n", record("c1"), record("c2")).as_bytes(),
    );
    let pretty = serde_json::to_string_pretty(&json!({"Records": [record("c3"), record("c4")]}))
        .unwrap()
        .replace('\n', "\r\n");
    write(&inp.join("crlf-pretty.json"), pretty.as_bytes());
    // Old Mac line endings: CR only.
    write(
        &inp.join("cr-only.json"),
        format!("{}\r{}\r", record("c5"), record("c6")).as_bytes(),
    );
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["rejected"], 0, "{s:#}");
    assert_eq!(
        exported_ids(&lake),
        ids(&["b1", "b2", "b3", "c1", "c2", "c3", "c4", "c5", "c6"])
    );
}

#[test]
fn utf16_is_unrecognised_with_a_reason() {
    let t = tempfile::tempdir().unwrap();
    // PowerShell's `>` writes UTF-16LE with a BOM.
    let text = json!({"Records": [record("w1")]}).to_string();
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    write(&t.path().join("in/utf16.json"), &b);
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&t.path().join("in")], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    file_error(&s, "utf16.json", "not UTF-8");
    assert_eq!(s["events_written"], 0);
}

#[test]
fn a_bom_inside_concatenated_ndjson_is_tolerated() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("in/cat.ndjson");
    write(
        &f,
        format!("\u{feff}{}\u{feff}{}", line("k1"), line("k2")).as_bytes(),
    );
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(exported_ids(&lake), ids(&["k1", "k2"]));
}

// ------------------------------------------- mixed formats, odd directories

#[test]
fn mixed_formats_in_one_directory() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write(
        &inp.join("a.json.gz"),
        &gz(json!({"Records": [record("x1"), record("x2")]})
            .to_string()
            .as_bytes()),
    );
    write(
        &inp.join("b.ndjson"),
        format!("{}{}", line("x3"), line("x4")).as_bytes(),
    );
    write(
        &inp.join("c.json"),
        json!([record("x5")]).to_string().as_bytes(),
    );
    write(
        &inp.join("d.json"),
        json!({"Events": [{"CloudTrailEvent": record("x6").to_string()}]})
            .to_string()
            .as_bytes(),
    );
    write(
        &inp.join("e.json"),
        json!({"digestStartTime": "2024-05-01T10:00:00Z", "digestEndTime": "2024-05-01T11:00:00Z", "logFiles": []})
            .to_string()
            .as_bytes(),
    );
    write(&inp.join("f.csv"), b"eventID,eventName\nx7,StopInstances\n");
    write(&inp.join("g.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(&inp.join("h.json"), b"");
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 6, "{s:#}");
    assert_eq!(s["files"]["records"], 1);
    assert_eq!(s["files"]["ndjson"], 1);
    assert_eq!(s["files"]["array"], 1);
    assert_eq!(s["files"]["lookup-events"], 1);
    assert_eq!(s["files"]["digest"], 1);
    assert_eq!(s["files"]["unrecognized"], 3);
    file_error(&s, "f.csv", "not JSON");
    file_error(&s, "g.png", "not UTF-8");
    file_error(&s, "h.json", "empty file");
    assert_eq!(s["rejected"], 0);
}

#[cfg(unix)]
#[test]
fn symlink_loop_is_reported_and_not_followed() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write(
        &inp.join("a.json"),
        json!({"Records": [record("s1")]}).to_string().as_bytes(),
    );
    std::os::unix::fs::symlink(".", inp.join("loop")).unwrap();
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 1, "{s:#}");
    assert_eq!(s["unreadable_files"], 1, "{s:#}");
    file_error(&s, "loop", "symbolic link loop");
}

#[cfg(unix)]
#[test]
fn unreadable_entries_dangling_links_directories_named_json_and_fifos() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write(
        &inp.join("a.json"),
        json!({"Records": [record("d1")]}).to_string().as_bytes(),
    );
    std::os::unix::fs::symlink(t.path().join("gone"), inp.join("gone.json")).unwrap();
    // A directory named like a file is walked, not read.
    write(
        &inp.join("dir.json/inner.json"),
        json!({"Records": [record("d2")]}).to_string().as_bytes(),
    );
    // A FIFO is not a regular file: skipped, never opened (opening would block).
    let fifo = inp.join("pipe.json");
    let st = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(st.success());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], 2, "{s:#}");
    assert_eq!(s["unreadable_files"], 1, "{s:#}");
    file_error(&s, "gone.json", "cannot read");
    // A dangling link given as the PATH itself is an error that names it.
    let out = common::bin()
        .arg("ingest")
        .arg(inp.join("gone.json"))
        .arg("--lake")
        .arg(&lake)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gone.json"));
}

#[cfg(unix)]
#[test]
fn hostile_file_names() {
    use std::os::unix::ffi::OsStrExt;
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write(
        &inp.join("new\nline \u{202e}nosj.json"),
        json!({"Records": [record("h1")]}).to_string().as_bytes(),
    );
    let raw = std::ffi::OsStr::from_bytes(b"latin1-\xe9.json");
    write(
        &inp.join(raw),
        json!({"Records": [record("h2")]}).to_string().as_bytes(),
    );
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    let rows = common::export_with_source(&lake);
    let mut files: Vec<String> = rows
        .iter()
        .map(|r| r["source_file"].as_str().unwrap().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["latin1-\u{fffd}.json", "new\nline \u{202e}nosj.json"]
    );
}

// ------------------------------------------- a file changing while read

#[test]
fn a_file_growing_while_it_is_ingested() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("in/growing.ndjson");
    let mut initial = String::new();
    for i in 0..20_000 {
        initial.push_str(&line(&format!("g{i}")));
    }
    write(&f, initial.as_bytes());
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(20_000));
    let writer = {
        let (stop, written, f) = (stop.clone(), written.clone(), f.clone());
        std::thread::spawn(move || {
            let mut out = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
            while !stop.load(Ordering::SeqCst) {
                let n = written.load(Ordering::SeqCst);
                out.write_all(line(&format!("g{n}")).as_bytes()).unwrap();
                written.store(n + 1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert_eq!(code, 3, "{s:#}");
    file_error(&s, "growing.ndjson", "changed while it was being read");
    assert!(s["events_written"].as_u64().unwrap() >= 20_000, "{s:#}");
    // Once the file is complete, ingesting again adds what was missing and
    // nothing twice.
    let (code, s2) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 0, "{s2:#}");
    let total = written.load(Ordering::SeqCst) as usize;
    assert_eq!(common::export_with_source(&lake).len(), total, "{s2:#}");
}

// ---------------------------------------------------------------- times

#[test]
fn timestamps_seen_in_the_wild_and_impossible_ones() {
    let t = tempfile::tempdir().unwrap();
    let accepted = [
        ("2022-02-08 09:23:37+11:00", "2022-02-07T22:23:37Z"),
        ("2022-02-07T22:23:37.123Z", "2022-02-07T22:23:37.123Z"),
        ("2022-02-07T22:23:37.123456Z", "2022-02-07T22:23:37.123456Z"),
        ("2022-02-07T22:23:37", "2022-02-07T22:23:37Z"),
        ("2022-02-07 22:23:37", "2022-02-07T22:23:37Z"),
        ("2022-02-07t22:23:37z", "2022-02-07T22:23:37Z"),
        ("2022-02-08T09:23:37+1100", "2022-02-07T22:23:37Z"),
        (" 2022-02-07T22:23:37Z ", "2022-02-07T22:23:37Z"),
    ];
    let rejected_times = [
        "2022-02-30T00:00:00Z",
        "2022-02-07T25:00:00Z",
        "2022-13-01T00:00:00Z",
        "2022-02-07T22:61:00Z",
        "redacted",
        "",
        "2022-02-07",
        "1644272617",
        "2025-10-21TT00:52:27Z",
    ];
    let mut b = String::new();
    for (i, (s, _)) in accepted.iter().enumerate() {
        let mut r = record(&format!("ok{i}"));
        r["eventTime"] = json!(s);
        b.push_str(&format!("{r}\n"));
    }
    for (i, s) in rejected_times.iter().enumerate() {
        let mut r = record(&format!("bad{i}"));
        r["eventTime"] = json!(s);
        b.push_str(&format!("{r}\n"));
    }
    // A number is no time either.
    let mut r = record("number");
    r["eventTime"] = json!(1644272617);
    b.push_str(&format!("{r}\n"));
    let f = t.path().join("in/times.ndjson");
    write(&f, b.as_bytes());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["events_written"], accepted.len() as u64, "{s:#}");
    assert_eq!(s["rejected"], rejected_times.len() as u64 + 1, "{s:#}");
    let rej = rejects(&lake);
    for i in 0..rejected_times.len() + 1 {
        rejected(
            &rej,
            "times.ndjson",
            &format!("line {}", accepted.len() + i + 1),
            "eventTime",
        );
    }
    // The original spelling comes back out; the time is read as UTC.
    let rows = common::export_with_source(&lake);
    for (i, (orig, _)) in accepted.iter().enumerate() {
        let row = rows
            .iter()
            .find(|r| r["record"]["eventID"] == format!("ok{i}"))
            .unwrap();
        assert_eq!(row["record"]["eventTime"], *orig);
    }
    // The time itself is read as UTC.
    let mut times = std::collections::BTreeMap::new();
    backtrail::lake::read::for_each_event_batch(&backtrail::lake::Lake::new(&lake), |_, evs| {
        for e in evs {
            times.insert(e.event_id.to_string(), e.event_time);
        }
        Ok(())
    })
    .unwrap();
    for (i, (_, utc)) in accepted.iter().enumerate() {
        let want = chrono::DateTime::parse_from_rfc3339(utc)
            .unwrap()
            .timestamp_micros();
        assert_eq!(times[&format!("ok{i}")], want, "ok{i} {utc}");
    }
}

#[test]
fn year_zero_is_rejected() {
    let t = tempfile::tempdir().unwrap();
    let mut r = record("y0");
    r["eventTime"] = json!("0000-01-01T00:00:00Z");
    let f = t.path().join("in/y0.ndjson");
    write(&f, format!("{}{r}\n", line("ok")).as_bytes());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    rejected(&rejects(&lake), "y0.ndjson", "line 2", "eventTime");
}

// ------------------------------------------------ other findings

#[test]
fn a_duplicated_records_key_loses_nothing() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("in/dup.json");
    write(
        &f,
        format!(
            "{{\"Records\":[{}],\"Records\":[{}]}}",
            record("first"),
            record("second")
        )
        .as_bytes(),
    );
    let lake = t.path().join("lake");
    let (_, s) = common::ingest(&[&f], &lake, &[]);
    let written = s["events_written"].as_u64().unwrap();
    let rejected = s["rejected"].as_u64().unwrap();
    assert_eq!(written + rejected, 2, "every record accounted for: {s:#}");
}

#[test]
fn duplicate_keys_export_what_the_record_hash_covers() {
    let t = tempfile::tempdir().unwrap();
    let text = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-05-01T10:00:00Z","eventID":"dup","readOnly":"maybe","readOnly":true,"awsRegion":7,"awsRegion":"eu-west-1"}"#;
    let f = t.path().join("in/dup.ndjson");
    write(&f, format!("{text}\n{}", line("other")).as_bytes());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 0, "{s:#}");
    let rows = common::export_with_source(&lake);
    let row = rows
        .iter()
        .find(|r| r["record"]["eventID"] == "dup")
        .unwrap();
    // JSON parsers (and the record hash) keep the last of duplicated keys.
    let want: Value = serde_json::from_str(text).unwrap();
    assert_eq!(row["record"], want);
}

#[test]
fn a_leading_blank_line_does_not_stop_streaming() {
    let t = tempfile::tempdir().unwrap();
    let mut b = String::from("\n");
    for i in 0..50 {
        b.push_str(&line(&format!("bl{i}")));
    }
    let f = t.path().join("in/blank-first.ndjson");
    write(&f, b.as_bytes());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &["--max-document-bytes", "4096"]);
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["events_written"], 50, "{s:#}");
}

#[test]
fn an_unrecognised_large_ndjson_file_is_not_reported_as_changing() {
    let t = tempfile::tempdir().unwrap();
    let mut b = String::new();
    for i in 0..20_000 {
        b.push_str(&format!(
            "{{\"level\":\"info\",\"msg\":\"request {i} served\"}}\n"
        ));
    }
    assert!(b.len() > 512 * 1024);
    let f = t.path().join("in/app.log");
    write(&f, b.as_bytes());
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&f], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    file_error(&s, "app.log", "first line is");
    assert!(
        !s.to_string().contains("changed while it was being read"),
        "{s:#}"
    );
}

/// A file whose first value is a cut-short object that is no record nor
/// envelope is unrecognised, like any file not understood from its start,
/// with both reasons; after a recognised value, such an object is one
/// reject (not also part of an "unreadable remainder").
#[test]
fn a_truncated_unknown_object_is_reported_once() {
    let t = tempfile::tempdir().unwrap();
    let inp = t.path().join("in");
    write(&inp.join("cut.json"), b"{\"hello\": \"world\", \"more");
    let mut after = json!({"Records": [record("t1")]}).to_string().into_bytes();
    after.extend_from_slice(b" {\"hello\": \"world\", \"more");
    write(&inp.join("cut-after.json"), &after);
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(&[&inp], &lake, &[]);
    assert_eq!(code, 3, "{s:#}");
    assert_eq!(s["unrecognized_files"], 1, "{s:#}");
    file_error(&s, "cut.json", "not a CloudTrail record");
    file_error(&s, "cut.json", "invalid JSON at line 1");
    file_error(&s, "cut-after.json", "invalid JSON at line 1");
    assert_eq!(exported_ids(&lake), ids(&["t1"]));
    let rej = rejects(&lake);
    assert_eq!(rej.len(), 1, "{rej:#?}");
    rejected(&rej, "cut-after.json", "", "not a CloudTrail record");
    assert_eq!(
        rej[0].original.as_deref(),
        Some("{\"hello\": \"world\", \"more")
    );
}

#[test]
fn limits_at_their_extremes_do_not_panic() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("in/a.json");
    write(
        &f,
        json!({"Records": [record("e1")]}).to_string().as_bytes(),
    );
    for (flag, value) in [
        ("--max-record-bytes", "0"),
        ("--max-document-bytes", "0"),
        ("--max-decompressed-bytes", "0"),
        ("--max-record-bytes", "18446744073709551615"),
        ("--max-decompressed-bytes", "18446744073709551615"),
    ] {
        let lake = t.path().join(format!("lake{flag}{value}"));
        let out = common::bin()
            .arg("ingest")
            .arg(&f)
            .arg("--lake")
            .arg(&lake)
            .args(["--json", flag, value])
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0) | Some(3)),
            "{flag} {value}: {code:?} {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_largest_document_limit_does_not_overflow() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("in/a.json");
    write(
        &f,
        json!({"Records": [record("e1")]}).to_string().as_bytes(),
    );
    let lake = t.path().join("lake");
    let (code, s) = common::ingest(
        &[&f],
        &lake,
        &["--max-document-bytes", "18446744073709551615"],
    );
    assert_eq!(code, 0, "{s:#}");
    assert_eq!(s["events_written"], 1);
}
