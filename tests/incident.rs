//! `backtrail incident` and `postmortem` on the sample scenario: the
//! analysis finds what sample-data/README.md says a correct analysis finds,
//! pinned by a golden file; reports are blame-free, pseudonymised and
//! self-contained.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn sample_lake() -> PathBuf {
    common::sample_lake("agent-env-rebuild")
}

fn snapshot() -> PathBuf {
    common::sample_data().join("agent-env-rebuild/iam/authorization-details.json")
}

fn incident_json(lake: &Path, extra: &[&str]) -> Value {
    let out = common::bin()
        .args(["incident", "--format", "json", "--lake"])
        .arg(lake)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Volatile values (version, local paths) are redacted before comparing.
fn redact(mut v: Value) -> Value {
    v["backtrail_version"] = Value::String("[version]".into());
    if v["method"]["iam_snapshot"].is_string() {
        v["method"]["iam_snapshot"] = Value::String("[snapshot]".into());
    }
    v
}

#[test]
fn sample_scenario_matches_its_readme_and_the_golden_file() {
    let snap = snapshot();
    let a = incident_json(&sample_lake(), &["--iam-snapshot", snap.to_str().unwrap()]);

    // The window was detected, and matches the errors' first and last times.
    assert_eq!(a["window"]["detected"], true);
    assert_eq!(a["impact"]["first_error"], "2026-03-10T01:31:34Z");
    assert_eq!(a["impact"]["last_error"], "2026-03-10T14:42:43Z");
    assert_eq!(a["window"]["start"], "2026-03-10T01:31:00Z");
    assert_eq!(a["window"]["end"], "2026-03-10T14:43:00Z");

    // The root cause: the agent's DeleteStack, acting for a (pseudonymised) human.
    let rc = &a["root_causes"][0];
    assert_eq!(rc["event_id"], "3623ea77-9952-45ff-b80a-69a94d02193c");
    assert_eq!(rc["iam_action"], "cloudformation:DeleteStack");
    assert_eq!(rc["actor_kind"], "agent");
    assert!(
        rc["actor"]
            .as_str()
            .unwrap()
            .contains("ops-agent-role/kiro-agent-session-")
    );
    assert!(
        rc["on_behalf_of"]
            .as_str()
            .unwrap()
            .starts_with("engineer ")
    );
    assert_eq!(
        a["root_causes"].as_array().unwrap().len(),
        1,
        "the decoys are not causes"
    );
    assert!(
        rc["recreated_by"].is_string(),
        "delete and re-create is one action"
    );

    // The recovery: the change set that repointed the dependents.
    assert_eq!(
        a["recovery"]["iam_action"],
        "cloudformation:ExecuteChangeSet"
    );
    assert_eq!(
        a["recovery"]["event_id"],
        "4e15aff1-f3fb-46c5-bd8b-64a807e80534"
    );

    // Every role of the chain is present, with typed edges.
    let roles: std::collections::BTreeSet<&str> = a["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["role"].as_str().unwrap())
        .collect();
    for r in [
        "permission",
        "credential",
        "guardrail",
        "trigger",
        "action",
        "service_action",
        "impact",
        "recovery",
    ] {
        assert!(roles.contains(r), "chain lacks {r}: {roles:?}");
    }
    let kinds: std::collections::BTreeSet<&str> = a["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "minted_credentials",
        "granted_permission",
        "removed_guardrail",
        "invoked_on_behalf",
        "caused_errors",
        "recovered_by",
        "acted_on",
        "session_sequence",
    ] {
        assert!(kinds.contains(k), "edges lack {k}: {kinds:?}");
    }
    // The credential chain reaches the key's AssumeRole and the SAML sign-in.
    let chain_actions: Vec<&str> = a["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["iam_action"].as_str().unwrap())
        .collect();
    assert!(
        chain_actions.contains(&"sts:AssumeRole")
            && chain_actions.contains(&"sts:AssumeRoleWithSAML")
    );
    assert!(chain_actions.contains(&"iam:AttachRolePolicy"));
    // The decoys (a test bucket and a dev snapshot deleted during the outage) are not in the chain.
    assert!(
        !chain_actions.contains(&"s3:DeleteBucket")
            && !chain_actions.contains(&"ec2:DeleteSnapshot")
    );

    let factors: std::collections::BTreeSet<&str> = a["contributing_factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for f in [
        "broad-permissions",
        "agent-destructive-action",
        "direct-change-without-change-set",
        "no-dry-run",
        "deletion-protection-off",
        "no-mfa",
        "delete-and-recreate",
        "long-time-to-recover",
    ] {
        assert!(factors.contains(f), "missing factor {f}: {factors:?}");
    }

    // Actor kinds.
    let kind_of = |needle: &str| -> String {
        a["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"].as_str().unwrap().contains(needle))
            .map(|x| x["kind"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(kind_of("kiro-agent-session-1773104311"), "agent");
    assert_eq!(kind_of("github-actions-deploy"), "automation");
    assert_eq!(kind_of("service:cloudformation.amazonaws.com"), "service");
    assert_eq!(kind_of("payments-worker-role"), "automation");

    // The golden file pins the whole analysis.
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/agent-env-rebuild.incident.json");
    let got = serde_json::to_string_pretty(&redact(a)).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden)
        .expect("golden file; run with UPDATE_GOLDEN=1 to create it");
    assert!(
        got == want,
        "analysis differs from {}; diff it, and run with UPDATE_GOLDEN=1 if the change is intended",
        golden.display()
    );
}

/// Phrases that attribute fault to a person (docs/RULES.md keeps the list).
const BLAMING: &[&str] = &[
    "at fault",
    "fault of",
    "to blame",
    "blamed",
    "careless",
    "negligen",
    "human error",
    "should have",
    "failed to notice",
    "mistake",
    "reckless",
    "incompeten",
    "forgot",
    "his error",
    "her error",
    "their error",
    "user error",
    "operator error",
];

const HUMANS: &[&str] = &[
    "chen.jie",
    "zhao.lei",
    "liu.yang",
    "wang.fang",
    "sun.hao",
    "@example.cn",
];

#[test]
fn postmortem_writes_a_blame_free_self_contained_report() {
    let t = tempfile::tempdir().unwrap();
    let html = t.path().join("report.html");
    let out = common::bin()
        .args(["postmortem"])
        .arg(common::sample_data().join("agent-env-rebuild"))
        .arg("--out")
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        t.path().join("report.html.lake/events").is_dir(),
        "the lake goes beside the report"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("http-equiv=\"Content-Security-Policy\""));
    assert!(page.contains("default-src 'none'"));
    for remote in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
        assert!(!page.contains(remote), "remote resource: {remote}");
    }
    let md_path = t.path().join("report.md");
    let out = common::bin()
        .args(["incident", "--format", "md", "--lake"])
        .arg(t.path().join("report.html.lake"))
        .arg("--out")
        .arg(&md_path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let md = std::fs::read_to_string(&md_path).unwrap();
    // Markdown links its charts, written as SVG files beside it.
    for chart in ["errors", "timeline", "chain"] {
        let svg =
            std::fs::read_to_string(t.path().join(format!("report-charts/{chart}.svg"))).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{chart}"
        );
        assert!(
            md.contains(&format!("(report-charts/{chart}.svg)")),
            "{chart} linked"
        );
    }
    // The HTML carries the same three charts inline.
    for class in ["bt-errors", "bt-swimlane", "bt-chain"] {
        assert!(page.contains(class), "html lacks {class}");
    }
    for (name, text) in [("html", &page), ("md", &md)] {
        let lower = text.to_lowercase();
        for b in BLAMING {
            // As a word or word start: "default-src" is not "fault".
            let hit = lower.match_indices(b).any(|(i, _)| {
                i == 0
                    || !lower[..i]
                        .chars()
                        .next_back()
                        .is_some_and(|c| c.is_alphanumeric() || c == '-')
            });
            assert!(!hit, "{name} report uses blaming phrasing {b:?}");
        }
        for h in HUMANS {
            assert!(!text.contains(h), "{name} report names a human: {h}");
        }
        for section in [
            "Summary",
            "Impact",
            "Timeline",
            "Causal chain",
            "Contributing factors",
            "What went well",
            "Suggested action items",
            "Appendix",
        ] {
            assert!(text.contains(section), "{name} report lacks {section}");
        }
    }
    // --identities show reveals them.
    let shown = common::bin()
        .args([
            "incident",
            "--format",
            "md",
            "--identities",
            "show",
            "--lake",
        ])
        .arg(t.path().join("report.html.lake"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("zhao.lei"));
}

#[test]
fn no_outage_gives_a_clear_hint() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("calm.ndjson");
    std::fs::write(
        &f,
        r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-01-01T00:00:00Z","eventID":"a","readOnly":true}
{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-01-01T00:01:00Z","eventID":"b","readOnly":true}
"#,
    )
    .unwrap();
    let lake = t.path().join("lake");
    common::ingest(&[&f], &lake, &[]);
    let out = common::bin()
        .args(["incident", "--lake"])
        .arg(&lake)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no outage found") && err.contains("--from"),
        "{err}"
    );
}

#[test]
fn markdown_report_text_is_pinned() {
    let snap = snapshot();
    let out = common::bin()
        .args(["incident", "--format", "md", "--lake"])
        .arg(sample_lake())
        .args(["--iam-snapshot", snap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = String::from_utf8(out.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
        .replace(snap.to_str().unwrap(), "[snapshot]");
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/agent-env-rebuild.report.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).expect("golden; UPDATE_GOLDEN=1 creates it");
    assert!(
        got == want,
        "the Markdown report differs from {}; diff it, and run with UPDATE_GOLDEN=1 if intended",
        golden.display()
    );
}

/// The lake's time range comes from its files' statistics (no scan of
/// `event_time`), and is the range its events give.
#[test]
fn the_lakes_time_range_from_file_statistics_is_its_events_range() {
    use polars::prelude::*;
    let root = common::sample_lake("agent-env-rebuild");
    let lake = backtrail::lake::Lake::new(&root);
    let scan = backtrail::query::scan_events(&lake).unwrap();
    let df = scan
        .clone()
        .select([
            col("event_time").cast(DataType::Int64).min().alias("lo"),
            col("event_time").cast(DataType::Int64).max().alias("hi"),
        ])
        .collect()
        .unwrap();
    let at = |c: &str| df.column(c).unwrap().i64().unwrap().get(0).unwrap();
    let want = (at("lo"), at("hi"));
    // A scan that yields no rows: only the statistics can give the range.
    let none = scan.filter(lit(false));
    let got = backtrail::incident::load::time_range(&lake, Some(none)).unwrap();
    assert_eq!(got, Some(want));
}
