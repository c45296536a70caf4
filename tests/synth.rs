//! The shipped sample data is exactly what the generator produces, and its
//! records have the fields real CloudTrail records have.
//!
//! After changing the generator on purpose, regenerate the sample with
//! `cargo test --test synth -- --ignored regenerate_sample_data` and update
//! the event IDs in sample-data/README.md from its output.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use backtrail::synth::{self, DEFAULT_SEED, SynthOptions};
use flate2::read::GzDecoder;
use serde_json::Value;

const SCENARIO: &str = "agent-env-rebuild";

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(SCENARIO)
}

/// Every file under `dir`, keyed by `/`-separated relative path.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("readable directory tree");
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(key, std::fs::read(entry.path()).unwrap());
        }
    }
    files
}

/// All records of the committed sample, with the file each came from.
fn sample_records() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, bytes) in read_tree(&sample_dir()) {
        if !path.ends_with(".json.gz") {
            continue;
        }
        let mut json = String::new();
        GzDecoder::new(&bytes[..])
            .read_to_string(&mut json)
            .unwrap_or_else(|e| panic!("{path}: not gzip: {e}"));
        let doc: Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{path}: not JSON: {e}"));
        for rec in doc["Records"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: no Records array"))
        {
            out.push((path.clone(), rec.clone()));
        }
    }
    out
}

#[test]
fn sample_data_is_byte_identical_to_the_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = synth::write_scenario(SCENARIO, tmp.path(), DEFAULT_SEED).unwrap();
    let fresh = read_tree(tmp.path());
    let committed = read_tree(&sample_dir());
    let fresh_names: BTreeSet<&String> = fresh.keys().collect();
    let committed_names: BTreeSet<&String> = committed.keys().collect();
    assert_eq!(
        fresh_names.difference(&committed_names).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "files the generator makes but sample-data lacks; regenerate the sample"
    );
    assert_eq!(
        committed_names.difference(&fresh_names).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "files in sample-data the generator no longer makes; regenerate the sample"
    );
    for (name, bytes) in &fresh {
        assert!(
            committed[name] == *bytes,
            "{name} differs from the generator's output; regenerate the sample"
        );
    }
    assert_eq!(
        summary.files + 1,
        fresh.len(),
        "log files plus the IAM snapshot"
    );
}

#[test]
fn readme_names_every_key_event() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/README.md"),
    )
    .unwrap();
    let out = synth::generate(&SynthOptions::default()).unwrap();
    for key in &out.summary.key_events {
        assert!(
            readme.contains(&key.event_id),
            "sample-data/README.md does not mention {} ({} {} at {})",
            key.event_id,
            key.label,
            key.event_name,
            key.event_time
        );
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[test]
fn records_have_the_fields_real_records_have() {
    let records = sample_records();
    assert!(
        (3_000..=8_000).contains(&records.len()),
        "{} records",
        records.len()
    );
    let mut ids = BTreeSet::new();
    for (path, r) in &records {
        let ctx = || format!("{path}: {}", r["eventID"]);
        for field in [
            "eventVersion",
            "userIdentity",
            "eventTime",
            "eventSource",
            "eventName",
            "awsRegion",
            "sourceIPAddress",
            "userAgent",
            "requestParameters",
            "responseElements",
            "eventID",
            "readOnly",
            "eventType",
            "managementEvent",
            "recipientAccountId",
            "eventCategory",
        ] {
            assert!(r.get(field).is_some(), "{} lacks {field}", ctx());
        }
        let version = r["eventVersion"].as_str().unwrap();
        assert!(
            ["1.08", "1.09", "1.10", "1.11"].contains(&version),
            "{}",
            ctx()
        );
        assert!(is_uuid(r["eventID"].as_str().unwrap()), "{}", ctx());
        assert!(
            ids.insert(r["eventID"].as_str().unwrap().to_string()),
            "duplicate eventID {}",
            ctx()
        );
        assert!(
            chrono::DateTime::parse_from_rfc3339(r["eventTime"].as_str().unwrap()).is_ok(),
            "{}",
            ctx()
        );
        assert!(r["readOnly"].is_boolean() && r["managementEvent"].is_boolean());
        assert_eq!(r["recipientAccountId"], "210987654321");
        assert!(
            ["cn-north-1", "cn-northwest-1"].contains(&r["awsRegion"].as_str().unwrap()),
            "{}",
            ctx()
        );
        let event_type = r["eventType"].as_str().unwrap();
        if event_type == "AwsConsoleSignIn" {
            assert_eq!(r["responseElements"]["ConsoleLogin"], "Success");
        } else {
            assert_eq!(event_type, "AwsApiCall");
            assert!(r["requestID"].is_string(), "{} lacks requestID", ctx());
        }
        if r.get("errorCode").is_some() {
            assert!(r["errorMessage"].is_string(), "{}", ctx());
            assert!(r["responseElements"].is_null(), "{}", ctx());
        }
        let category = r["eventCategory"].as_str().unwrap();
        assert_eq!(category == "Management", r["managementEvent"] == true);

        let ui = &r["userIdentity"];
        match ui["type"].as_str().unwrap() {
            "AssumedRole" => {
                let issuer = &ui["sessionContext"]["sessionIssuer"];
                assert_eq!(issuer["type"], "Role", "{}", ctx());
                let attrs = &ui["sessionContext"]["attributes"];
                assert!(attrs["creationDate"].is_string(), "{}", ctx());
                assert!(attrs["mfaAuthenticated"].is_string(), "{}", ctx());
                let arn = ui["arn"].as_str().unwrap();
                assert!(arn.starts_with("arn:aws-cn:sts::210987654321:assumed-role/"));
                let role = issuer["userName"].as_str().unwrap();
                assert!(
                    ui["principalId"]
                        .as_str()
                        .unwrap()
                        .starts_with(issuer["principalId"].as_str().unwrap()),
                    "{}",
                    ctx()
                );
                assert!(arn.contains(&format!("/{role}/")), "{}", ctx());
            }
            "IAMUser" => {
                assert!(
                    ui["arn"]
                        .as_str()
                        .unwrap()
                        .starts_with("arn:aws-cn:iam::210987654321:user/")
                );
                assert!(ui["userName"].is_string());
            }
            "Root" => assert_eq!(ui["arn"], "arn:aws-cn:iam::210987654321:root"),
            "AWSService" => {
                assert!(
                    ui["invokedBy"]
                        .as_str()
                        .unwrap()
                        .ends_with(".amazonaws.com")
                )
            }
            "WebIdentityUser" => {
                assert_eq!(r["eventName"], "AssumeRoleWithWebIdentity");
                assert!(
                    ui["identityProvider"]
                        .as_str()
                        .unwrap()
                        .contains("token.actions.githubusercontent.com")
                );
            }
            "SAMLUser" => assert_eq!(r["eventName"], "AssumeRoleWithSAML"),
            "AWSAccount" => assert_eq!(r["eventName"], "AssumeRole"),
            other => panic!("{}: unexpected identity type {other}", ctx()),
        }
        // Calls a service makes with a caller's credentials come from the service.
        if let Some(svc) = ui.get("invokedBy").and_then(Value::as_str) {
            assert_eq!(r["sourceIPAddress"], svc, "{}", ctx());
            assert!(r.get("tlsDetails").is_none(), "{}", ctx());
        } else {
            let host = r["tlsDetails"]["clientProvidedHostHeader"].as_str();
            assert!(
                host.is_some_and(
                    |h| h.ends_with(".amazonaws.com.cn") || h.ends_with(".amazonaws.cn")
                ),
                "{}",
                ctx()
            );
        }
        // ARNs in the record name the aws-cn partition only.
        let text = r.to_string();
        assert!(!text.contains("arn:aws:"), "{}", ctx());
        if r["eventSource"] == "sts.amazonaws.com" && r["eventName"] != "GetCallerIdentity" {
            assert!(r["resources"].is_array(), "{}", ctx());
            let key = r["responseElements"]["credentials"]["accessKeyId"]
                .as_str()
                .unwrap();
            assert!(key.starts_with("ASIA") && key.len() == 20, "{}", ctx());
        }
    }
}

/// Every temporary key used by a session minted inside the window was
/// minted by an STS call in the data (credential provenance is complete).
#[test]
fn session_keys_trace_back_to_their_mint() {
    let records = sample_records();
    let minted: BTreeSet<String> = records
        .iter()
        .filter_map(|(_, r)| {
            r["responseElements"]["credentials"]["accessKeyId"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    let mut checked = 0;
    for (path, r) in &records {
        let ui = &r["userIdentity"];
        if ui["type"] != "AssumedRole" {
            continue;
        }
        let created = ui["sessionContext"]["attributes"]["creationDate"]
            .as_str()
            .unwrap();
        let Some(key) = ui["accessKeyId"].as_str() else {
            continue;
        };
        if created >= "2026-03-09T00:00:00Z" {
            assert!(
                minted.contains(key),
                "{path}: {} uses {key}, minted nowhere",
                r["eventID"]
            );
            checked += 1;
        }
    }
    assert!(checked > 1_000, "only {checked} session calls checked");
}

#[test]
fn files_follow_the_s3_delivery_layout() {
    let tree = read_tree(&sample_dir());
    let logs: Vec<&String> = tree.keys().filter(|k| k.ends_with(".json.gz")).collect();
    assert!(!logs.is_empty());
    for path in logs {
        let parts: Vec<&str> = path.split('/').collect();
        assert_eq!(parts.len(), 8, "{path}");
        assert_eq!(&parts[..3], ["AWSLogs", "210987654321", "CloudTrail"]);
        let region = parts[3];
        let name = parts[7];
        let prefix = format!(
            "210987654321_CloudTrail_{region}_{}{}{}T",
            parts[4], parts[5], parts[6]
        );
        assert!(name.starts_with(&prefix), "{path}");
        let suffix = &name[prefix.len() + 4..];
        assert!(suffix.starts_with("Z_"), "{path}");
        let random = suffix.trim_start_matches("Z_").trim_end_matches(".json.gz");
        assert!(
            random.len() == 16 && random.chars().all(|c| c.is_ascii_alphanumeric()),
            "{path}"
        );
        let bytes = &tree[path];
        // gzip with no timestamp, so the bytes do not depend on when they were made.
        assert_eq!(&bytes[..2], [0x1f, 0x8b]);
        assert_eq!(&bytes[4..8], [0, 0, 0, 0], "{path}: gzip mtime set");
    }
    let total: usize = tree.values().map(Vec::len).sum();
    assert!(total < 2_500_000, "sample is {total} bytes");
}

#[test]
fn iam_snapshot_shows_the_broadened_agent_role() {
    let text =
        std::fs::read_to_string(sample_dir().join("iam/authorization-details.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    for list in [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ] {
        assert!(doc[list].is_array(), "{list}");
    }
    let role = doc["RoleDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["RoleName"] == "ops-agent-role")
        .expect("ops-agent-role");
    assert!(role["AssumeRolePolicyDocument"]["Statement"].is_array());
    let attached: Vec<&str> = role["AttachedManagedPolicies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["PolicyArn"].as_str().unwrap())
        .collect();
    assert!(attached.contains(&"arn:aws-cn:iam::aws:policy/AdministratorAccess"));
    let admin = doc["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["PolicyName"] == "AdministratorAccess")
        .expect("AdministratorAccess listed");
    assert_eq!(
        admin["PolicyVersionList"][0]["Document"]["Statement"][0]["Action"],
        "*"
    );
}

#[test]
fn noise_knob_keeps_the_story() {
    let quiet = synth::generate(&SynthOptions {
        noise_percent: 0,
        ..SynthOptions::default()
    })
    .unwrap();
    let full = synth::generate(&SynthOptions::default()).unwrap();
    assert!(quiet.summary.events < full.summary.events);
    let labels = |s: &synth::SynthSummary| -> BTreeSet<String> {
        s.key_events.iter().map(|k| k.label.clone()).collect()
    };
    assert_eq!(labels(&quiet.summary), labels(&full.summary));
}

/// Rewrites sample-data/agent-env-rebuild from the generator and prints
/// the ground truth for the README.
#[test]
#[ignore = "rewrites the committed sample data"]
fn regenerate_sample_data() {
    let dir = sample_dir();
    for sub in ["AWSLogs", "iam"] {
        let p = dir.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p).unwrap();
        }
    }
    let summary = synth::write_scenario(SCENARIO, &dir, DEFAULT_SEED).unwrap();
    println!("{} events in {} files", summary.events, summary.files);
    for k in &summary.key_events {
        println!(
            "{:<24} {} {:<28} {} {}",
            k.label, k.event_time, k.event_name, k.event_id, k.actor
        );
    }
}

// weekly-drift: five calm weeks and a review week (sample-data/README.md,
// section "weekly-drift"). Regenerate with
// `cargo test --test synth -- --ignored regenerate_weekly_drift_sample --nocapture`.

const WEEKLY_DRIFT: &str = "weekly-drift";
/// Monday of the review week, 2026-W10; earlier records are the baseline.
const WEEKLY_DRIFT_REVIEW: &str = "2026-03-02T00:00:00Z";

fn weekly_drift_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(WEEKLY_DRIFT)
}

fn weekly_drift_options() -> SynthOptions {
    SynthOptions {
        scenario: Some(WEEKLY_DRIFT.to_string()),
        ..SynthOptions::default()
    }
}

/// The records of the generated weekly-drift scenario.
fn weekly_drift_records() -> Vec<Value> {
    let out = synth::generate(&weekly_drift_options()).unwrap();
    let mut records = Vec::new();
    for file in out.files.iter().filter(|f| f.path.ends_with(".json.gz")) {
        let mut json = String::new();
        GzDecoder::new(&file.bytes[..])
            .read_to_string(&mut json)
            .unwrap();
        let doc: Value = serde_json::from_str(&json).unwrap();
        records.extend(doc["Records"].as_array().unwrap().iter().cloned());
    }
    records
}

/// Who made a call, the way the drift review groups principals: a role
/// (every session of it), a person behind an Identity Center role, an IAM
/// user, a service or another account.
fn drift_principal(r: &Value) -> String {
    let ui = &r["userIdentity"];
    match ui["type"].as_str().unwrap() {
        "AssumedRole" => {
            let role = ui["sessionContext"]["sessionIssuer"]["userName"]
                .as_str()
                .unwrap();
            let arn = ui["arn"].as_str().unwrap();
            if role.starts_with("AWSReservedSSO_") {
                format!("sso/{}", arn.rsplit('/').next().unwrap())
            } else {
                format!("role/{role}")
            }
        }
        "IAMUser" => format!("user/{}", ui["userName"].as_str().unwrap()),
        "AWSService" => format!("service/{}", ui["invokedBy"].as_str().unwrap()),
        "AWSAccount" => format!("account/{}", ui["accountId"].as_str().unwrap()),
        other => format!("{other}/{}", ui["userName"].as_str().unwrap_or("")),
    }
}

/// `ec2:TerminateInstances`, from eventSource and eventName.
fn drift_action(r: &Value) -> String {
    let source = r["eventSource"].as_str().unwrap();
    format!(
        "{}:{}",
        source.trim_end_matches(".amazonaws.com"),
        r["eventName"].as_str().unwrap()
    )
}

fn is_access_denied(r: &Value) -> bool {
    r["errorCode"]
        .as_str()
        .is_some_and(|c| c.contains("AccessDenied") || c.contains("UnauthorizedOperation"))
}

#[test]
fn weekly_drift_sample_is_byte_identical_to_the_generator() {
    let tmp = tempfile::tempdir().unwrap();
    let summary = synth::write_scenario(WEEKLY_DRIFT, tmp.path(), DEFAULT_SEED).unwrap();
    let fresh = read_tree(tmp.path());
    let committed = read_tree(&weekly_drift_dir());
    let fresh_names: BTreeSet<&String> = fresh.keys().collect();
    let committed_names: BTreeSet<&String> = committed.keys().collect();
    assert_eq!(
        fresh_names.difference(&committed_names).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "files the generator makes but sample-data/weekly-drift lacks; regenerate the sample"
    );
    assert_eq!(
        committed_names.difference(&fresh_names).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "files in sample-data/weekly-drift the generator no longer makes; regenerate the sample"
    );
    for (name, bytes) in &fresh {
        assert!(
            committed[name] == *bytes,
            "{name} differs from the generator's output; regenerate the sample"
        );
    }
    assert_eq!(
        summary.files + 2,
        fresh.len(),
        "log files plus the two IAM snapshots"
    );
    assert!(
        (8_000..=15_000).contains(&summary.events),
        "{} events",
        summary.events
    );
}

#[test]
fn readme_names_every_weekly_drift_key_event() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/README.md"),
    )
    .unwrap();
    assert!(
        readme.contains("## weekly-drift"),
        "no weekly-drift section"
    );
    let out = synth::generate(&weekly_drift_options()).unwrap();
    assert!(out.summary.key_events.len() >= 20);
    for key in &out.summary.key_events {
        assert!(
            readme.contains(&key.event_id),
            "sample-data/README.md does not mention {} ({} {} at {})",
            key.event_id,
            key.label,
            key.event_name,
            key.event_time
        );
    }
}

/// What is new in the review week against the four baseline weeks is
/// exactly what the README's expected findings list, and nothing else:
/// the decoys (weekly CI release, monthly review, Sunday retention,
/// ordinary AccessDenied) are all in the baseline.
#[test]
fn weekly_drift_review_week_is_new_exactly_where_the_readme_says() {
    let records = weekly_drift_records();
    let mut baseline: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut baseline_regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut review: Vec<&Value> = Vec::new();
    for r in &records {
        let p = drift_principal(r);
        if r["eventTime"].as_str().unwrap() < WEEKLY_DRIFT_REVIEW {
            baseline
                .entry(p.clone())
                .or_default()
                .insert(drift_action(r));
            baseline_regions
                .entry(p)
                .or_default()
                .insert(r["awsRegion"].as_str().unwrap().to_string());
        } else {
            review.push(r);
        }
    }
    let mut new_allowed = BTreeSet::new();
    let mut new_denied = BTreeSet::new();
    let mut new_regions = BTreeSet::new();
    for r in &review {
        let p = drift_principal(r);
        assert!(
            baseline.contains_key(&p),
            "{p} first appears in the review week"
        );
        let a = drift_action(r);
        if !baseline[&p].contains(&a) {
            if is_access_denied(r) {
                new_denied.insert((p.clone(), a));
            } else {
                new_allowed.insert((p.clone(), a));
            }
        }
        let region = r["awsRegion"].as_str().unwrap();
        if !baseline_regions[&p].contains(region) {
            new_regions.insert((p, region.to_string()));
        }
    }
    let pairs = |v: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        v.iter()
            .map(|(p, a)| (p.to_string(), a.to_string()))
            .collect()
    };
    assert_eq!(
        new_allowed,
        pairs(&[
            ("role/dev-assistant-agent-role", "ec2:TerminateInstances"),
            ("role/dev-assistant-agent-role", "rds:DeleteDBSnapshot"),
            ("role/dev-assistant-agent-role", "s3:DeleteBucket"),
            ("sso/priya.natarajan@example.com", "iam:AttachRolePolicy"),
            ("sso/priya.natarajan@example.com", "iam:CreateLoginProfile"),
            ("user/maria.lopez", "iam:CreateAccessKey"),
            ("user/maria.lopez", "iam:UpdateAssumeRolePolicy"),
            ("user/svc-backup", "sts:GetCallerIdentity"),
        ])
    );
    assert_eq!(
        new_regions,
        pairs(&[("role/dev-assistant-agent-role", "eu-west-1")])
    );
    assert!(new_denied.iter().all(|(p, _)| p == "user/svc-backup"));
    assert_eq!(new_denied.len(), 26, "{new_denied:?}");

    // The burst: 26 refusals of svc-backup's new key within four minutes;
    // no other principal is refused more than three times in any hour.
    let denied: Vec<&&Value> = review.iter().filter(|r| is_access_denied(r)).collect();
    let burst: Vec<&str> = denied
        .iter()
        .filter(|r| drift_principal(r) == "user/svc-backup")
        .map(|r| r["eventTime"].as_str().unwrap())
        .collect();
    assert_eq!(burst.len(), 26);
    assert_eq!(burst.iter().min(), Some(&"2026-03-06T03:12:20Z"));
    assert_eq!(burst.iter().max(), Some(&"2026-03-06T03:16:00Z"));
    let mut per_hour: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in records.iter().filter(|r| is_access_denied(r)) {
        let p = drift_principal(r);
        if p != "user/svc-backup" {
            let hour = r["eventTime"].as_str().unwrap()[..13].to_string();
            *per_hour.entry((p, hour)).or_default() += 1;
        }
    }
    assert!(!per_hour.is_empty(), "ordinary AccessDenied exist");
    assert!(per_hour.values().all(|n| *n <= 3), "{per_hour:?}");
}

/// The records look like the `aws` partition's, and every session key
/// traces back to the call that minted it.
#[test]
fn weekly_drift_records_are_consistent() {
    let records = weekly_drift_records();
    let minted: BTreeSet<String> = records
        .iter()
        .filter_map(|r| {
            r["responseElements"]["credentials"]["accessKeyId"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    let mut ids = BTreeSet::new();
    for r in &records {
        let id = r["eventID"].as_str().unwrap();
        assert!(is_uuid(id) && ids.insert(id.to_string()), "{id}");
        assert_eq!(r["recipientAccountId"], "444455556666", "{id}");
        assert!(
            ["us-east-1", "eu-west-1"].contains(&r["awsRegion"].as_str().unwrap()),
            "{id}"
        );
        let text = r.to_string();
        assert!(!text.contains("arn:aws-cn:"), "{id}");
        if let Some(host) = r["tlsDetails"]["clientProvidedHostHeader"].as_str() {
            assert!(
                host.ends_with(".amazonaws.com") || host.ends_with(".aws.amazon.com"),
                "{id}: {host}"
            );
        }
        if r["eventSource"] == "iam.amazonaws.com" {
            assert_eq!(r["awsRegion"], "us-east-1", "{id}");
            assert_eq!(
                r["tlsDetails"]["clientProvidedHostHeader"],
                "iam.amazonaws.com"
            );
        }
        let ui = &r["userIdentity"];
        if ui["type"] == "AssumedRole"
            && let Some(key) = ui["accessKeyId"].as_str()
            && ui["sessionContext"]["attributes"]["creationDate"]
                .as_str()
                .unwrap()
                >= "2026-02-02T00:00:00Z"
        {
            assert!(minted.contains(key), "{id}: {key} minted nowhere");
        }
    }
}

#[test]
fn weekly_drift_snapshots_differ_by_the_review_weeks_changes_only() {
    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(weekly_drift_dir().join("iam").join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let previous = read("previous-2026-03-02.json");
    let current = read("current-2026-03-09.json");
    let role = |doc: &Value, name: &str| -> Value {
        doc["RoleDetailList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["RoleName"] == name)
            .unwrap_or_else(|| panic!("{name}"))
            .clone()
    };
    let attached = |r: &Value| -> Vec<String> {
        r["AttachedManagedPolicies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["PolicyName"].as_str().unwrap().to_string())
            .collect()
    };
    let agent = "dev-assistant-agent-role";
    assert!(attached(&role(&previous, agent)).is_empty());
    assert_eq!(attached(&role(&current, agent)), ["PowerUserAccess"]);
    let trust = |doc: &Value| role(doc, "data-export-role")["AssumeRolePolicyDocument"].to_string();
    assert!(!trust(&previous).contains("999988887777"));
    assert!(trust(&current).contains("arn:aws:iam::999988887777:root"));
    for doc in [&previous, &current] {
        let ci = role(doc, "github-actions-deploy");
        assert_eq!(
            ci["PermissionsBoundary"]["PermissionsBoundaryArn"],
            "arn:aws:iam::444455556666:policy/ci-permissions-boundary"
        );
        let policy = doc["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["PolicyName"] == "ci-deploy-storefront")
            .unwrap();
        assert_eq!(policy["DefaultVersionId"], "v2");
        assert_eq!(policy["PolicyVersionList"].as_array().unwrap().len(), 2);
        let users = doc["UserDetailList"].as_array().unwrap();
        let backup = users
            .iter()
            .find(|u| u["UserName"] == "svc-backup")
            .unwrap();
        assert_eq!(backup["GroupList"][0], "service-accounts");
    }
    // Apart from last use and attachment counts, only those two roles differ.
    let strip = |doc: &Value| -> Value {
        let mut doc = doc.clone();
        for r in doc["RoleDetailList"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("RoleLastUsed");
        }
        for p in doc["Policies"].as_array_mut().unwrap() {
            p.as_object_mut().unwrap().remove("AttachmentCount");
        }
        doc
    };
    let (previous, current) = (strip(&previous), strip(&current));
    for list in ["UserDetailList", "GroupDetailList", "Policies"] {
        assert_eq!(previous[list], current[list], "{list}");
    }
    let changed: Vec<&str> = previous["RoleDetailList"]
        .as_array()
        .unwrap()
        .iter()
        .zip(current["RoleDetailList"].as_array().unwrap())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a["RoleName"].as_str().unwrap())
        .collect();
    assert_eq!(changed, [agent, "data-export-role"]);
}

/// Rewrites sample-data/weekly-drift from the generator and prints the
/// ground truth for the README.
#[test]
#[ignore = "rewrites the committed sample data"]
fn regenerate_weekly_drift_sample() {
    let dir = weekly_drift_dir();
    for sub in ["AWSLogs", "iam"] {
        let p = dir.join(sub);
        if p.exists() {
            std::fs::remove_dir_all(&p).unwrap();
        }
    }
    let summary = synth::write_scenario(WEEKLY_DRIFT, &dir, DEFAULT_SEED).unwrap();
    println!("{} events in {} files", summary.events, summary.files);
    for k in &summary.key_events {
        println!(
            "{:<26} {} {:<24} {} {}",
            k.label, k.event_time, k.event_name, k.event_id, k.actor
        );
    }
}
