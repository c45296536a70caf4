//! Crash safety and concurrency of ingest: a run killed with SIGKILL at any
//! point leaves a lake that reads, without torn or duplicate events, and the
//! next run converges to exactly the events of an uninterrupted run; two
//! ingests at once lose and duplicate nothing.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

/// event ID -> record, from `backtrail export`; panics on a duplicate ID.
fn lake_records(lake: &Path) -> BTreeMap<String, serde_json::Value> {
    if !lake.join("events").exists() {
        return BTreeMap::new();
    }
    let mut out = BTreeMap::new();
    for row in common::export_with_source(lake) {
        let id = row["record"]["eventID"].as_str().unwrap().to_string();
        assert!(
            out.insert(id.clone(), row["record"].clone()).is_none(),
            "duplicate event {id}"
        );
    }
    out
}

#[test]
fn sigkill_at_random_points_then_rerun_converges() {
    let input = common::sample_data().join("agent-env-rebuild");
    let t = tempfile::tempdir().unwrap();

    let reference = t.path().join("reference");
    let started = std::time::Instant::now();
    let (code, _) = common::ingest(&[&input], &reference, &["--buffer-mib", "1"]);
    assert_eq!(code, 0);
    let mut run_ms = started.elapsed().as_millis().max(50) as u64;
    let want = lake_records(&reference);
    assert!(want.len() > 1000);

    let lake = t.path().join("lake");
    let bin = assert_cmd::cargo::cargo_bin("backtrail");
    // Deterministic "random" kill points, spread over a run's duration.
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let mut kills = 0;
    for _ in 0..32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay_ms = 5 + x % (run_ms * 4 / 5);
        let delay = Duration::from_millis(delay_ms);
        let mut child = std::process::Command::new(&bin)
            .args(["ingest", "-q", "--buffer-mib", "1"])
            .arg(&input)
            .arg("--lake")
            .arg(&lake)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
        // Whatever state it was left in, the lake reads, with no duplicates
        // and only records equal to the originals.
        let got = lake_records(&lake);
        for (id, rec) in &got {
            assert_eq!(Some(rec), want.get(id), "torn or foreign record {id}");
        }
        if finished {
            // A run can be faster than the reference (which ran while other
            // tests loaded the machine): aim the next kills earlier.
            run_ms = run_ms.min(delay_ms).max(50);
            // Start over so the next run has work to be killed in.
            assert_eq!(got, want, "a run that finished holds everything");
            std::fs::remove_dir_all(&lake).unwrap();
        }
    }
    assert!(
        kills >= 20,
        "only {kills} runs were killed mid-way; the input is too small"
    );
    // A clean run completes the work.
    let (code, s) = common::ingest(&[&input], &lake, &[]);
    assert_eq!(code, 0, "{s}");
    assert_eq!(lake_records(&lake), want);
    assert!(
        !lake
            .join("_backtrail/staging")
            .read_dir()
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    );
}

#[test]
fn two_ingests_at_once_lose_and_duplicate_nothing() {
    let input = common::sample_data().join("agent-env-rebuild/AWSLogs/210987654321/CloudTrail");
    let t = tempfile::tempdir().unwrap();
    let reference = t.path().join("reference");
    common::ingest(&[&input], &reference, &[]);
    let want = lake_records(&reference);

    let lake = t.path().join("lake");
    let bin = assert_cmd::cargo::cargo_bin("backtrail");
    // One process per region, plus a third that overlaps both.
    let spawn = |p: &Path| {
        std::process::Command::new(&bin)
            .args(["ingest", "-q"])
            .arg(p)
            .arg("--lake")
            .arg(&lake)
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut a = spawn(&input.join("cn-north-1"));
    let mut b = spawn(&input.join("cn-northwest-1"));
    let mut c = spawn(&input);
    for ch in [&mut a, &mut b, &mut c] {
        assert!(ch.wait().unwrap().success());
    }
    assert_eq!(lake_records(&lake), want);
}
