//! The incident analysis on the generator's scenarios other than the
//! shipped sample: each is generated into a temporary directory, ingested
//! with the binary and analysed with `backtrail incident`, and the analysis
//! must find what tests/scenarios/README.md says a correct analysis finds.
//! The scenarios differ in kind (who acted, how they got the permission,
//! what broke, who recovered, which decoys surround it), so a rule that
//! only fits one fixture fails here.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;

use backtrail::synth::{self, DEFAULT_SEED, KeyEvent, SynthSummary};
use serde_json::Value;

/// A generated, ingested and analysed scenario.
struct Run {
    /// Removed when the run is dropped.
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    summary: SynthSummary,
    analysis: Value,
}

impl Run {
    fn new(name: &str) -> Run {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let data = dir.join("data");
        let summary = synth::write_scenario(name, &data, DEFAULT_SEED).unwrap();
        let lake = dir.join("lake");
        let (code, s) = common::ingest(&[&data], &lake, &[]);
        assert_eq!(code, 0, "{s}");
        assert_eq!(s["events_written"], summary.events as u64, "{s}");
        assert_eq!(s["rejected"], 0, "{s}");
        let snapshot = data.join("iam/authorization-details.json");
        let out = common::bin()
            .args(["incident", "--format", "json", "--identities", "show"])
            .arg("--lake")
            .arg(&lake)
            .arg("--iam-snapshot")
            .arg(&snapshot)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let analysis = serde_json::from_slice(&out.stdout).unwrap();
        Run {
            _tmp: tmp,
            dir,
            summary,
            analysis,
        }
    }

    /// The ground-truth event labelled `label` (the first, if several).
    fn key(&self, label: &str) -> &KeyEvent {
        self.summary
            .key_events
            .iter()
            .find(|k| k.label == label)
            .unwrap_or_else(|| panic!("no key event {label}"))
    }

    fn keys(&self, label: &str) -> Vec<&KeyEvent> {
        self.summary
            .key_events
            .iter()
            .filter(|k| k.label == label)
            .collect()
    }

    /// The analysis, shortened for assertion messages: what it ranked and why.
    fn explain(&self) -> String {
        let a = &self.analysis;
        let mut s = String::new();
        for r in a["root_causes"].as_array().unwrap() {
            s += &format!(
                "\n  root cause {} {} {} ({}) score {} why {}",
                r["event_id"],
                r["event_time"],
                r["iam_action"],
                r["actor_kind"],
                r["score"],
                r["why"]
            );
        }
        for c in a["candidates"].as_array().unwrap() {
            s += &format!(
                "\n  candidate {} {} {} {} ({}) score {} matched {} risk {}",
                c["event_id"],
                c["event_time"],
                c["iam_action"],
                c["actor"],
                c["actor_kind"],
                c["score"],
                c["matched_failures"],
                c["risk"]
            );
        }
        s += &format!("\n  recovery {}", a["recovery"]);
        s
    }

    fn root_ids(&self) -> Vec<&str> {
        self.analysis["root_causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["event_id"].as_str().unwrap())
            .collect()
    }

    /// The analysis names exactly `id` as the root cause.
    fn assert_sole_root_cause(&self, id: &str) {
        assert_eq!(
            self.root_ids(),
            vec![id],
            "the root cause is {id} alone; the analysis ranked:{}",
            self.explain()
        );
    }

    fn assert_not_root_cause(&self, id: &str, what: &str) {
        assert!(
            !self.root_ids().contains(&id),
            "{what} ({id}) is not a root cause; the analysis ranked:{}",
            self.explain()
        );
    }

    fn assert_recovery(&self, id: &str, kind: &str) {
        let rc = &self.analysis["recovery"];
        assert_eq!(
            rc["event_id"],
            id,
            "the recovery is {id}; the analysis ranked:{}",
            self.explain()
        );
        assert_eq!(rc["actor_kind"], kind);
    }

    fn factors(&self) -> BTreeSet<String> {
        self.analysis["contributing_factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn factor(&self, id: &str) -> &Value {
        self.analysis["contributing_factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap_or_else(|| panic!("missing factor {id}: {:?}", self.factors()))
    }

    fn assert_factors(&self, present: &[&str], absent: &[&str]) {
        let got = self.factors();
        for f in present {
            assert!(got.contains(*f), "missing factor {f}: {got:?}");
        }
        for f in absent {
            assert!(!got.contains(*f), "factor {f} does not apply: {got:?}");
        }
    }

    /// The kind of the first actor whose ID contains `needle`.
    fn kind_of(&self, needle: &str) -> String {
        self.analysis["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"].as_str().unwrap().contains(needle))
            .map(|x| x["kind"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no actor {needle}"))
    }

    /// The role a chain node with this event ID plays, if it is in the chain.
    fn chain_role(&self, id: &str) -> Option<String> {
        self.analysis["chain"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["event_id"] == id)
            .map(|n| n["role"].as_str().unwrap().to_string())
    }

    /// The detected window spans the outage the ground truth records.
    fn assert_window(&self) {
        let a = &self.analysis;
        assert_eq!(a["window"]["detected"], true);
        assert_eq!(
            a["impact"]["first_error"],
            self.key("outage_first_error").event_time.as_str()
        );
        assert_eq!(
            a["impact"]["last_error"],
            self.key("outage_last_error").event_time.as_str(),
            "{}",
            self.explain()
        );
    }

    /// Every record of the generated logs.
    fn records(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for entry in walkdir::WalkDir::new(self.dir.join("data/AWSLogs")) {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let mut json = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(entry.path()).unwrap())
                .read_to_string(&mut json)
                .unwrap();
            let doc: Value = serde_json::from_str(&json).unwrap();
            out.extend(doc["Records"].as_array().unwrap().iter().cloned());
        }
        out
    }
}

/// Records have the fields real CloudTrail records have, name only the
/// scenario's partition, and every session minted in the window traces back
/// to its STS call.
fn assert_record_shapes(run: &Run, partition: &str, regions: &[&str]) {
    let records = run.records();
    assert!(
        (1_000..=3_000).contains(&records.len()),
        "{} records",
        records.len()
    );
    let mut ids = BTreeSet::new();
    let minted: BTreeSet<String> = records
        .iter()
        .filter_map(|r| r["responseElements"]["credentials"]["accessKeyId"].as_str())
        .map(str::to_string)
        .collect();
    let start = run
        .summary
        .key_events
        .iter()
        .map(|k| &k.event_time[..10])
        .min()
        .unwrap()
        .to_string();
    for r in &records {
        let ctx = || r["eventID"].to_string();
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
        assert!(ids.insert(r["eventID"].as_str().unwrap().to_string()));
        assert!(
            regions.contains(&r["awsRegion"].as_str().unwrap()),
            "{}",
            ctx()
        );
        assert_eq!(
            r["managementEvent"] == true,
            r["eventCategory"] == "Management",
            "{}",
            ctx()
        );
        if r.get("errorCode").is_some() {
            assert!(r["responseElements"].is_null(), "{}", ctx());
        }
        if r["eventType"] == "AwsApiCall" {
            assert!(r["requestID"].is_string(), "{}", ctx());
        }
        let text = r.to_string();
        for other in ["arn:aws:", "arn:aws-cn:", "arn:aws-us-gov:"] {
            if other != format!("arn:{partition}:") {
                assert!(!text.contains(other), "{}: {other}", ctx());
            }
        }
        let ui = &r["userIdentity"];
        if ui["type"] == "AssumedRole" {
            let issuer = ui["sessionContext"]["sessionIssuer"]["userName"]
                .as_str()
                .unwrap();
            assert!(ui["arn"].as_str().unwrap().contains(&format!("/{issuer}/")));
            let created = ui["sessionContext"]["attributes"]["creationDate"]
                .as_str()
                .unwrap();
            if let Some(key) = ui["accessKeyId"].as_str()
                && created[..10] >= start[..]
            {
                assert!(minted.contains(key), "{}: {key} minted nowhere", ctx());
            }
        }
        if let Some(svc) = ui.get("invokedBy").and_then(Value::as_str) {
            assert_eq!(r["sourceIPAddress"], svc, "{}", ctx());
        }
    }
}

#[test]
fn scenarios_are_registered() {
    let names = synth::scenario_names();
    for name in [
        "agent-table-restore",
        "agent-self-grant",
        "human-console-outage",
    ] {
        assert!(names.contains(&name), "{name} not in {names:?}");
        assert!(synth::scenario_summary(name).is_some());
    }
}

/// An AI assistant reaches data-admin-role through two hops of role
/// chaining, turns off deletion protection and deletes a DynamoDB table;
/// a human restores it from backup.
#[test]
fn agent_table_restore() {
    const ROOT: &str = "61e5b982-e75c-47f0-b134-a16a685b8769";
    const GUARDRAIL: &str = "9a5832d9-b55c-4820-9bcc-37de55e28994";
    const RECOVERY: &str = "a1302a09-dd99-49da-a52d-2047118af2a5";
    let run = Run::new("agent-table-restore");
    assert_eq!(
        run.key("root_cause").event_id,
        ROOT,
        "ground truth moved; update tests/scenarios/README.md"
    );
    assert_eq!(run.key("guardrail_removal").event_id, GUARDRAIL);
    assert_eq!(run.key("recovery").event_id, RECOVERY);
    assert_record_shapes(&run, "aws", &["eu-west-1"]);
    run.assert_window();
    let a = &run.analysis;

    // The root cause: the agent's DeleteTable, for the engineer whose
    // session started the chain.
    run.assert_sole_root_cause(ROOT);
    let rc = &a["root_causes"][0];
    assert_eq!(rc["iam_action"], "dynamodb:DeleteTable");
    assert_eq!(rc["actor_kind"], "agent");
    assert!(
        rc["actor"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/data-admin-role/amazon-q-agent-")
    );
    assert!(
        rc["on_behalf_of"]
            .as_str()
            .is_some_and(|b| b.contains("AWSReservedSSO_DataEngineer_")
                && b.ends_with("/maria.rossi@example.eu")),
        "the chain leads back to the engineer's Identity Center session: {}",
        rc["on_behalf_of"]
    );

    // Not causes: the guardrail removal before it (a contributing factor),
    // the stale table the agent also deleted, the nightly backup of the
    // table, CI deploys, and the dependents' own reads and writes.
    run.assert_not_root_cause(GUARDRAIL, "the deletion-protection removal");
    run.assert_not_root_cause(
        &run.key("stale_table_deleted").event_id,
        "the stale table's deletion",
    );
    run.assert_not_root_cause(&run.key("nightly_backup").event_id, "the nightly backup");
    for ci in run.keys("ci_deploy") {
        run.assert_not_root_cause(&ci.event_id, "a CI deploy");
    }
    for r in a["root_causes"].as_array().unwrap() {
        let action = r["iam_action"].as_str().unwrap();
        assert!(
            !["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"].contains(&action),
            "a data-plane call of a dependent is not a cause:{}",
            run.explain()
        );
    }
    // The throttling burst of an unrelated job is not part of the outage.
    let codes: Vec<&str> = a["impact"]["error_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["error_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["ResourceNotFoundException"]);

    // The chain: the guardrail removal, and both hops of the role chain
    // back to the Identity Center sign-in.
    assert_eq!(run.chain_role(GUARDRAIL).as_deref(), Some("guardrail"));
    for label in ["credential_mint", "role_chain", "engineer_session"] {
        assert_eq!(
            run.chain_role(&run.key(label).event_id).as_deref(),
            Some("credential"),
            "{label} is a credential node of the chain"
        );
    }

    // Recovery: the restore from backup under the same name.
    run.assert_recovery(RECOVERY, "human");
    assert_eq!(
        a["recovery"]["iam_action"],
        "dynamodb:RestoreTableFromBackup"
    );

    run.assert_factors(
        &[
            "agent-destructive-action",
            "deletion-protection-off",
            "broad-permissions",
            "no-dry-run",
            "long-time-to-recover",
        ],
        &["self-escalation", "delete-and-recreate"],
    );
    let guard = run.factor("deletion-protection-off");
    assert!(
        guard["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == GUARDRAIL)
    );

    assert_eq!(run.kind_of("data-admin-role/amazon-q-agent-"), "agent");
    assert_eq!(run.kind_of("AWSReservedSSO_DataEngineer_"), "human");
    assert_eq!(run.kind_of("AWSReservedSSO_AdministratorAccess_"), "human");
    assert_eq!(run.kind_of("billing-api-task-role"), "automation");
    assert_eq!(run.kind_of("entitlement-sync-role"), "automation");
    assert_eq!(run.kind_of("gha-invoice-renderer-deploy"), "automation");
}

/// An autonomous agent denied a delete edits its own role's policy, then
/// deletes a Lambda function in use; CI re-creates it.
#[test]
fn agent_self_grant() {
    const ROOT: &str = "7c6d664b-de0e-490b-a83e-f705f5c2205f";
    const GRANT: &str = "25fec80a-08b3-4d06-a583-d42b21dcb7dd";
    const RECOVERY: &str = "a58e4464-921e-43b6-99b0-2cb2cb20d380";
    let run = Run::new("agent-self-grant");
    assert_eq!(
        run.key("root_cause").event_id,
        ROOT,
        "ground truth moved; update tests/scenarios/README.md"
    );
    assert_eq!(run.key("self_grant").event_id, GRANT);
    assert_eq!(run.key("recovery").event_id, RECOVERY);
    assert_record_shapes(&run, "aws-us-gov", &["us-gov-west-1"]);
    run.assert_window();
    let a = &run.analysis;

    run.assert_sole_root_cause(ROOT);
    let rc = &a["root_causes"][0];
    assert_eq!(rc["iam_action"], "lambda:DeleteFunction");
    assert_eq!(rc["actor_kind"], "agent");
    assert!(
        rc["actor"].as_str().unwrap().starts_with(
            "arn:aws-us-gov:sts::508712346690:assumed-role/fleet-optimizer-task-role/"
        )
    );
    // ECS minted the task's credentials: no human launched this session.
    assert!(rc["on_behalf_of"].is_null(), "{}", rc["on_behalf_of"]);

    // Not causes: the self-grant (a contributing factor), the other
    // deletions of the same run, the callers' invocations, CI deploys.
    run.assert_not_root_cause(GRANT, "the self-grant");
    run.assert_not_root_cause(
        &run.key("stale_function_deleted").event_id,
        "the stale function's deletion",
    );
    for ci in run.keys("ci_deploy") {
        run.assert_not_root_cause(&ci.event_id, "a CI deploy of another function");
    }
    for r in a["root_causes"].as_array().unwrap() {
        assert_ne!(
            r["iam_action"],
            "lambda:Invoke",
            "an invocation by a dependent is not a cause:{}",
            run.explain()
        );
    }

    // The chain: the self-grant as the permission, ECS's mint as the credential.
    assert_eq!(run.chain_role(GRANT).as_deref(), Some("permission"));
    assert_eq!(
        run.chain_role(&run.key("credential_mint").event_id)
            .as_deref(),
        Some("credential")
    );

    // Recovery: CI's CreateFunction, not a dependent's first good call.
    run.assert_recovery(RECOVERY, "automation");
    assert_eq!(a["recovery"]["iam_action"], "lambda:CreateFunction");

    run.assert_factors(
        &[
            "self-escalation",
            "agent-destructive-action",
            "no-dry-run",
            "long-time-to-recover",
        ],
        &["broad-permissions", "deletion-protection-off"],
    );
    let own = run.factor("self-escalation");
    assert!(
        own["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == GRANT)
    );

    assert_eq!(run.kind_of("fleet-optimizer-task-role"), "agent");
    assert_eq!(run.kind_of("case-intake-task-role"), "automation");
    assert_eq!(run.kind_of("records-search-sync-role"), "automation");
    assert_eq!(run.kind_of("gha-case-services-deploy"), "automation");
    assert_eq!(run.kind_of("AWSReservedSSO_OnCallOperator_"), "human");
    assert_eq!(run.kind_of("account:771204958833"), "automation");
}

/// A person in the console deletes live parameters; no agent is involved.
#[test]
fn human_console_outage() {
    const ROOT: &str = "b8fddbd1-0960-4435-bfca-3404cb4796e7";
    const DECOY: &str = "b8b7b818-62ea-44d5-a20f-de594f5d5d3b";
    const RECOVERY: &str = "abeb7afe-1572-40c8-b078-24c788ffc67e";
    let run = Run::new("human-console-outage");
    assert_eq!(
        run.key("root_cause").event_id,
        ROOT,
        "ground truth moved; update tests/scenarios/README.md"
    );
    assert_eq!(run.key("decoy").event_id, DECOY);
    assert_eq!(run.key("recovery").event_id, RECOVERY);
    assert_record_shapes(&run, "aws", &["us-east-1"]);
    run.assert_window();
    let a = &run.analysis;

    run.assert_sole_root_cause(ROOT);
    let rc = &a["root_causes"][0];
    assert_eq!(rc["iam_action"], "ssm:DeleteParameters");
    assert_eq!(rc["actor_kind"], "human");
    assert_eq!(rc["actor"], "arn:aws:iam::729301846552:user/dana.whitfield");

    // Not causes: CI's bucket deletions and deploys; nothing the read-only
    // agent did.
    run.assert_not_root_cause(DECOY, "CI's preview-bucket deletion");
    for ci in run.keys("ci_deploy") {
        run.assert_not_root_cause(&ci.event_id, "a CI deploy");
    }
    for r in a["root_causes"].as_array().unwrap() {
        assert_ne!(r["actor_kind"], "agent", "{}", run.explain());
    }
    for c in a["candidates"].as_array().unwrap() {
        assert!(
            !c["actor"]
                .as_str()
                .unwrap()
                .contains("sre-agent-readonly-role"),
            "the agent only read:{}",
            run.explain()
        );
    }

    // The console sign-in (with MFA) is the credential of the chain.
    assert_eq!(
        run.chain_role(&run.key("console_login").event_id)
            .as_deref(),
        Some("credential")
    );

    // Recovery: the second PutParameter, after which no read fails.
    run.assert_recovery(RECOVERY, "human");
    assert_eq!(a["recovery"]["iam_action"], "ssm:PutParameter");

    // The engineer's group holds PowerUserAccess (per the snapshot); she
    // signed in with MFA; the outage lasted under an hour.
    run.assert_factors(
        &["no-dry-run", "broad-permissions"],
        &[
            "agent-destructive-action",
            "no-mfa",
            "self-escalation",
            "long-time-to-recover",
            "deletion-protection-off",
        ],
    );

    assert_eq!(run.kind_of("user/dana.whitfield"), "human");
    assert_eq!(run.kind_of("AWSReservedSSO_AdministratorAccess_"), "human");
    assert_eq!(run.kind_of("sre-agent-readonly-role"), "agent");
    assert_eq!(run.kind_of("checkout-api-task-role"), "automation");
    assert_eq!(run.kind_of("gha-storefront-deploy"), "automation");
    assert_eq!(run.kind_of("service:config.amazonaws.com"), "service");
}

#[test]
fn scenarios_are_deterministic() {
    for name in [
        "agent-table-restore",
        "agent-self-grant",
        "human-console-outage",
    ] {
        let opts = |seed| synth::SynthOptions {
            seed,
            scenario: Some(name.to_string()),
            ..synth::SynthOptions::default()
        };
        let a = synth::generate(&opts(DEFAULT_SEED)).unwrap();
        let b = synth::generate(&opts(DEFAULT_SEED)).unwrap();
        assert_eq!(a.files, b.files, "{name}");
        let quiet = synth::generate(&synth::SynthOptions {
            noise_percent: 0,
            ..opts(DEFAULT_SEED)
        })
        .unwrap();
        let labels = |s: &SynthSummary| -> BTreeSet<String> {
            s.key_events.iter().map(|k| k.label.clone()).collect()
        };
        assert_eq!(labels(&quiet.summary), labels(&a.summary), "{name}");
        assert!(quiet.summary.events < a.summary.events, "{name}");
    }
}

/// A scenario planted inside realistic background traffic (several
/// accounts, each with its own 1-3 % error rate) is found by window
/// detection alone: the outage is the planted account's sustained errors,
/// not the background summed over unrelated accounts, and only changes in
/// that account that touched what failed are credited.
#[test]
fn planted_scenario_is_found_in_scale_noise() {
    use backtrail::synth::scale::{ScaleOptions, write_scale};
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let plant_at = chrono::DateTime::parse_from_rfc3339("2026-03-07T01:00:00Z")
        .unwrap()
        .timestamp();
    let summary = write_scale(
        &ScaleOptions {
            events: 40_000,
            accounts: 3,
            regions: 2,
            days: 2,
            scenario: Some("agent-env-rebuild".into()),
            plant_at: Some(plant_at),
            ..ScaleOptions::default()
        },
        &data,
    )
    .unwrap();
    let lake = tmp.path().join("lake");
    let (code, s) = common::ingest(&[&data], &lake, &[]);
    assert_eq!(code, 0, "{s}");
    let out = common::stdout_of(
        common::bin()
            .args(["incident", "--format", "json", "--identities", "show"])
            .arg("--lake")
            .arg(&lake),
    );
    let a: Value = serde_json::from_slice(&out).unwrap();
    let key = |label: &str| {
        summary
            .key_events
            .iter()
            .find(|k| k.label == label)
            .unwrap_or_else(|| panic!("no key event {label}"))
    };
    let explain = || {
        format!(
            "window {} .. {} ({}); roots {:?}; candidates {}",
            a["window"]["start"],
            a["window"]["end"],
            a["window"]["how"],
            a["root_causes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| format!("{} {}", r["iam_action"], r["event_id"]))
                .collect::<Vec<_>>(),
            serde_json::to_string(&a["candidates"]).unwrap()
        )
    };
    assert_eq!(a["window"]["detected"], true);
    let roots: Vec<&str> = a["root_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        roots,
        [key("root_cause").event_id.as_str()],
        "{}",
        explain()
    );
    // The window spans the outage and starts with it.
    assert_eq!(
        a["impact"]["first_error"],
        key("outage_first_error").event_time.as_str(),
        "{}",
        explain()
    );
    let (start, end) = (
        a["window"]["start"].as_str().unwrap(),
        a["window"]["end"].as_str().unwrap(),
    );
    assert!(
        start <= key("root_cause").event_time.as_str(),
        "{}",
        explain()
    );
    assert!(
        end > key("outage_last_error").event_time.as_str(),
        "{}",
        explain()
    );
    assert_eq!(
        a["recovery"]["event_id"],
        key("recovery").event_id.as_str(),
        "{}",
        explain()
    );
    // Failures are credited only to changes in the failing account.
    let account = key("root_cause")
        .actor
        .split(':')
        .nth(4)
        .unwrap()
        .to_string();
    for c in a["candidates"].as_array().unwrap() {
        if c["matched_failures"].as_u64().unwrap() > 0 {
            let actor = c["actor"].as_str().unwrap();
            assert!(
                actor.contains(&account),
                "{actor} credited outside {account}: {}",
                explain()
            );
        }
    }
}
