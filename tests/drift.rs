//! `backtrail drift` on the weekly-drift sample scenario: the findings its
//! README lists, nothing from the decoys, exit codes for schedulers, and the
//! state file.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn lake() -> PathBuf {
    common::sample_lake("weekly-drift")
}

fn iam(name: &str) -> String {
    common::sample_data()
        .join("weekly-drift/iam")
        .join(name)
        .display()
        .to_string()
}

fn drift(lake: &Path, extra: &[&str]) -> (i32, Value) {
    let out = common::bin()
        .args(["drift", "--format", "json", "--lake"])
        .arg(lake)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (code, v)
}

fn has(v: &Value, severity: &str, evidence: &str) -> bool {
    v["findings"].as_array().unwrap().iter().any(|f| {
        f["severity"] == severity
            && f["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == evidence)
    })
}

#[test]
fn weekly_review_finds_what_the_readme_lists() {
    let cur = iam("current-2026-03-09.json");
    let prev = iam("previous-2026-03-02.json");
    let (code, v) = drift(
        &lake(),
        &[
            "--week",
            "2026-W10",
            "--iam-snapshot",
            &cur,
            "--previous-iam-snapshot",
            &prev,
        ],
    );
    assert_eq!(code, 3, "high findings make exit 3");
    assert_eq!(v["period"]["start"], "2026-03-02T00:00:00Z");
    assert_eq!(v["period"]["baseline_start"], "2026-02-02T00:00:00Z");
    // The agent role gains PowerUserAccess: a high IAM change.
    assert!(has(&v, "high", "db0a2334-044e-4e71-a115-2b996ff9de78"));
    // The agent's first destructive calls are high.
    for id in [
        "886ec77f-a240-46a9-815e-dffd464da289",
        "a7c697fc-3115-44b6-b713-13c893af8032",
        "265bc12f-fd0d-4ebf-800a-a66690ff5a8f",
    ] {
        assert!(has(&v, "high", id), "agent destructive {id}");
    }
    // A new region for the agent.
    assert!(has(&v, "medium", "3f4598d3-0b84-44f8-88bc-d7281a91f0e0"));
    // Trust opened to another account: high.
    assert!(has(&v, "high", "b9e68070-46e8-4bb3-b213-55ecdd4b62c9"));
    // New access key and login profile.
    assert!(has(&v, "medium", "ab5e8957-400a-4793-8ffb-cd2a7d503dc2"));
    assert!(has(&v, "medium", "74e38116-15bc-491e-a913-65ce19518ea8"));
    // The AccessDenied burst (probing).
    assert!(v["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"]
            .as_str()
            .unwrap()
            .starts_with("access-denied-burst")
            && f["evidence"][0] == "d5c8441e-587e-461f-bfe6-253ec066de46"
    }));
    // Agents first among the high findings.
    assert_eq!(v["findings"][0]["principal_kind"], "agent");
    // Decoys are not flagged: the weekly CI release, the monthly review, a W07 change.
    let text = v["findings"].to_string();
    for decoy in ["296874ae", "ddd37510", "510e2e34", "6d0aedfa"] {
        assert!(!text.contains(decoy), "decoy {decoy} flagged");
    }
    // Granted versus used: the agent role's unused grants and a least-privilege policy.
    let agent = v["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["principal"]
                .as_str()
                .unwrap()
                .ends_with("role/dev-assistant-agent-role")
        })
        .expect("agent role reviewed");
    assert!(!agent["unused_grants"].as_array().unwrap().is_empty());
    let policy = &agent["least_privilege_policy"];
    assert_eq!(policy["Version"], "2012-10-17");
    assert!(policy.to_string().contains("ec2:TerminateInstances"));
    // The snapshot diff shows the agent's new grant and the trust change.
    let diffs: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["category"] == "snapshot-diff")
        .collect();
    assert!(diffs.iter().any(|f| {
        f["principal"]
            .as_str()
            .unwrap()
            .ends_with("dev-assistant-agent-role")
    }));
    assert!(diffs.iter().any(|f| {
        f["statement"]
            .as_str()
            .unwrap()
            .contains("trust: arn:aws:iam::999988887777:root")
    }));

    // The golden file pins every finding (ids, severities, statements).
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/weekly-drift.w10.findings.json");
    let mut pinned = v["findings"].clone();
    for f in pinned.as_array_mut().unwrap() {
        for e in f["evidence"].as_array_mut().unwrap() {
            let name = e.as_str().filter(|s| s.ends_with(".json")).map(|s| {
                Path::new(s)
                    .file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string()
            });
            if let Some(n) = name {
                *e = Value::from(n);
            }
        }
    }
    let got = serde_json::to_string_pretty(&pinned).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).expect("golden; UPDATE_GOLDEN=1 creates it");
    assert!(
        got == want,
        "findings differ from {}; diff it, and run with UPDATE_GOLDEN=1 if intended",
        golden.display()
    );
}

#[test]
fn humans_are_pseudonymised_and_reports_render() {
    let t = tempfile::tempdir().unwrap();
    for fmt in ["md", "html"] {
        let out = t.path().join(format!("drift.{fmt}"));
        let o = common::bin()
            .args(["drift", "--week", "2026-W10", "--format", fmt, "--lake"])
            .arg(lake())
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(3),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        for human in ["maria.lopez", "tom.becker", "priya", "dana"] {
            assert!(!text.contains(human), "{fmt} names {human}");
        }
        assert!(
            text.contains("dev-assistant-agent-role"),
            "agents are shown as they are"
        );
    }
}

#[test]
fn fail_on_and_state_drive_the_exit_code() {
    // Nothing reaches --fail-on when it is above every finding... there is no
    // level above high, so check the other direction: low fails too.
    let (code, _) = drift(&lake(), &["--week", "2026-W10", "--fail-on", "low"]);
    assert_eq!(code, 3);
    // A quiet baseline week has no high finding.
    let (code, v) = drift(&lake(), &["--week", "2026-W08"]);
    assert_eq!(code, 0, "{}", v["counts"]);

    let t = tempfile::tempdir().unwrap();
    let state = t.path().join("state.json");
    let s = state.to_str().unwrap();
    let (code, first) = drift(&lake(), &["--week", "2026-W10", "--state", s]);
    assert_eq!(code, 3);
    assert!(
        first["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["new"] == true)
    );
    // The same week again: everything was reported before, nothing pages.
    let (code, again) = drift(&lake(), &["--week", "2026-W10", "--state", s]);
    assert_eq!(code, 0);
    assert!(
        again["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["new"] == false)
    );
    // Without --week, the state continues with the following week.
    let (_, next) = drift(&lake(), &["--state", s]);
    assert_eq!(next["period"]["start"], "2026-03-09T00:00:00Z");
}
