//! `backtrail verify` through the binary: a CloudTrail export with log
//! files, three hourly digests chained together and signed with a key made
//! here, then each kind of tampering.

mod common;

use common::{gz, write};

use base64::Engine;
use flate2::Compression;
use flate2::write::GzEncoder;
use rsa::RsaPrivateKey;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "eu-west-1";
const BUCKET: &str = "trail-bucket";
const FINGERPRINT: &str = "3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e";

fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key generation")
    })
}

fn other_key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key generation")
    })
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn record(id: &str, time: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCOUNT}:user/alice"), "accountId": ACCOUNT},
        "eventTime": time,
        "eventSource": "ec2.amazonaws.com",
        "eventName": "StopInstances",
        "awsRegion": REGION,
        "eventID": id,
        "recipientAccountId": ACCOUNT
    })
}

/// An exported trail: `<dir>/AWSLogs/<account>/CloudTrail{,-Digest}/...`.
struct Trail {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    keys: PathBuf,
    /// Log file name (as in S3) -> local path.
    logs: Vec<(String, PathBuf)>,
    /// Digest local paths, oldest first.
    digests: Vec<PathBuf>,
}

fn log_key(name: &str) -> String {
    format!("AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/2024/05/01/{name}")
}

fn digest_key(end: &str) -> String {
    let compact = end.replace(['-', ':'], "");
    format!(
        "AWSLogs/{ACCOUNT}/CloudTrail-Digest/{REGION}/2024/05/01/{ACCOUNT}_CloudTrail-Digest_{REGION}_main_{REGION}_{compact}.json.gz"
    )
}

fn log_name(hhmm: &str, id: &str) -> String {
    format!("{ACCOUNT}_CloudTrail_{REGION}_20240501T{hhmm}Z_{id}.json.gz")
}

/// The string CloudTrail signs, per the AWS documentation.
fn signing_string(d: &Value, uncompressed: &[u8]) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        d["digestEndTime"].as_str().unwrap(),
        d["digestS3Bucket"].as_str().unwrap(),
        d["digestS3Object"].as_str().unwrap(),
        sha256_hex(uncompressed),
        d["previousDigestSignature"].as_str().unwrap_or("null")
    )
}

fn sign(k: &RsaPrivateKey, message: &str) -> String {
    let sk = SigningKey::<Sha256>::new(k.clone());
    hex::encode(sk.sign(message.as_bytes()).to_bytes())
}

/// Hours 10, 11 and 12 of 2024-05-01: four log files in the first two hours
/// (one exported decompressed), none in the third; each digest signed.
/// `hours` gives each digest's (start, end).
fn trail_with(hours: &[(&str, &str)]) -> Trail {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("export");
    let logs_per_hour: Vec<Vec<(&str, &str)>> = vec![
        vec![("1005", "aaaa"), ("1035", "bbbb")],
        vec![("1110", "cccc"), ("1140", "dddd")],
        vec![],
    ];
    let mut logs = Vec::new();
    let mut digests = Vec::new();
    let mut previous: Option<(String, String, String)> = None; // key, sha, signature
    for (h, &(start, end)) in hours.iter().enumerate() {
        let mut entries = Vec::new();
        for (i, (hhmm, id)) in logs_per_hour[h].iter().enumerate() {
            let name = log_name(hhmm, id);
            let content = json!({"Records": [record(&format!("{id}-1"), &format!("2024-05-01T{}:{}:00Z", &hhmm[..2], &hhmm[2..]))]})
                .to_string();
            // The second log file of hour 11 was exported decompressed.
            let (local, bytes) = if h == 1 && i == 1 {
                (
                    dir.join(log_key(name.strip_suffix(".gz").unwrap())),
                    content.clone().into_bytes(),
                )
            } else {
                (dir.join(log_key(&name)), gz(content.as_bytes()))
            };
            write(&local, &bytes);
            entries.push(json!({
                "s3Bucket": BUCKET, "s3Object": log_key(&name),
                "hashValue": sha256_hex(content.as_bytes()), "hashAlgorithm": "SHA-256",
                "newestEventTime": start, "oldestEventTime": start
            }));
            logs.push((name, local));
        }
        let dkey = digest_key(end);
        let mut d = json!({
            "awsAccountId": ACCOUNT,
            "digestStartTime": start,
            "digestEndTime": end,
            "digestS3Bucket": BUCKET,
            "digestS3Object": dkey,
            "digestPublicKeyFingerprint": FINGERPRINT,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": end,
            "oldestEventTime": start,
            "previousDigestS3Bucket": null,
            "previousDigestS3Object": null,
            "previousDigestHashValue": null,
            "previousDigestHashAlgorithm": null,
            "previousDigestSignature": null,
            "logFiles": entries
        });
        if let Some((pk, psha, psig)) = &previous {
            d["previousDigestS3Bucket"] = json!(BUCKET);
            d["previousDigestS3Object"] = json!(pk);
            d["previousDigestHashValue"] = json!(psha);
            d["previousDigestHashAlgorithm"] = json!("SHA-256");
            d["previousDigestSignature"] = json!(psig);
        }
        let text = serde_json::to_string(&d).unwrap();
        let sig = sign(key(), &signing_string(&d, text.as_bytes()));
        let local = dir.join(&dkey);
        write(&local, &gz(text.as_bytes()));
        write(&sidecar(&local), sig.as_bytes());
        previous = Some((dkey, sha256_hex(text.as_bytes()), sig));
        digests.push(local);
    }
    let keys = tmp.path().join("public-keys.json");
    write(&keys, public_keys(key()).to_string().as_bytes());
    Trail {
        _tmp: tmp,
        dir,
        keys,
        logs,
        digests,
    }
}

fn trail() -> Trail {
    trail_with(&[
        ("2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z"),
        ("2024-05-01T11:00:00Z", "2024-05-01T12:00:00Z"),
        ("2024-05-01T12:00:00Z", "2024-05-01T13:00:00Z"),
    ])
}

fn public_keys(k: &RsaPrivateKey) -> Value {
    let der = k.to_public_key().to_pkcs1_der().unwrap();
    json!({"PublicKeyList": [{
        "Value": base64::engine::general_purpose::STANDARD.encode(der.as_bytes()),
        "ValidityStartTime": "2024-01-01T00:00:00+00:00",
        "ValidityEndTime": "2025-01-01T00:00:00+00:00",
        "Fingerprint": FINGERPRINT
    }]})
}

fn sidecar(digest: &Path) -> PathBuf {
    let mut s = digest.as_os_str().to_owned();
    s.push(".signature");
    PathBuf::from(s)
}

/// Run `backtrail verify --json`; (exit code, report).
fn verify_json(paths: &[&Path], keys: Option<&Path>) -> (i32, Value) {
    let mut cmd = common::bin();
    cmd.arg("verify").args(paths).arg("--json");
    if let Some(k) = keys {
        cmd.arg("--public-keys").arg(k);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "report is JSON ({e}); stdout: {stdout}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The problems as (kind, path).
fn problems(r: &Value) -> Vec<(String, String)> {
    r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().to_string(),
                p["path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has_problem(r: &Value, kind: &str, path_ends_with: &str) {
    assert!(
        problems(r)
            .iter()
            .any(|(k, p)| k == kind && p.ends_with(path_ends_with)),
        "no {kind} problem for …{path_ends_with} in {:#}",
        r["problems"]
    );
}

fn counts(r: &Value, fields: &[(&str, u64)]) {
    for (f, n) in fields {
        assert_eq!(r[f], json!(n), "{f} in {r:#}");
    }
}

#[test]
fn an_untouched_export_verifies() {
    let t = trail();
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 0, "{r:#}");
    counts(
        &r,
        &[
            ("digest_files", 3),
            ("files_checked", 4),
            ("ok", 4),
            ("mismatched", 0),
            ("missing", 0),
            ("unlisted", 0),
            ("chain_links_ok", 2),
            ("chain_breaks", 0),
            ("gaps", 0),
            ("signatures_verified", 3),
            ("signatures_failed", 0),
            ("signatures_unavailable", 0),
        ],
    );
    assert!(r["problems"].as_array().unwrap().is_empty());
    let chain: Vec<&str> = r["digests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["chain"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["start", "linked", "linked"]);

    // The human table says so too.
    let out = common::bin()
        .arg("verify")
        .arg(&t.dir)
        .arg("--public-keys")
        .arg(&t.keys)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("4 ok, 0 modified"), "{text}");
    assert!(text.contains("3 verified, 0 failed"), "{text}");
    assert!(text.contains("result: OK"), "{text}");
}

#[test]
fn without_public_keys_signatures_are_not_checked() {
    let t = trail();
    let (code, r) = verify_json(&[&t.dir], None);
    assert_eq!(code, 0, "{r:#}");
    counts(
        &r,
        &[("signatures_not_checked", 3), ("signatures_verified", 0)],
    );
}

#[test]
fn a_modified_log_file_is_named() {
    let t = trail();
    let (name, path) = &t.logs[1];
    let forged = json!({"Records": [record("bbbb-1", "2024-05-01T10:35:00Z"), record("forged", "2024-05-01T10:36:00Z")]});
    write(path, &gz(forged.to_string().as_bytes()));
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    counts(&r, &[("ok", 3), ("mismatched", 1)]);
    has_problem(&r, "modified", name);
    assert_eq!(problems(&r).len(), 1, "{r:#}");
    let p = &r["problems"][0];
    assert!(
        p["digest"]
            .as_str()
            .unwrap()
            .ends_with("20240501T110000Z.json.gz"),
        "{p}"
    );
    // The decompressed copy is checked too: re-compressing is no change.
    let (name, path) = &t.logs[3];
    assert!(path.extension().is_some_and(|e| e == "json"), "{name}");
}

#[test]
fn a_recompressed_log_file_still_verifies_and_a_truncated_one_does_not() {
    let t = trail();
    // Hashes are over the uncompressed content: gzip at another level is fine.
    let (_, path) = &t.logs[0];
    let bytes = std::fs::read(path).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain).unwrap();
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(&plain).unwrap();
    write(path, &e.finish().unwrap());
    // A truncated one cannot be read to the end.
    let (name, path) = &t.logs[2];
    let bytes = std::fs::read(path).unwrap();
    write(path, &bytes[..bytes.len() / 2]);
    let (code, r) = verify_json(&[&t.dir], None);
    assert_eq!(code, 3, "{r:#}");
    has_problem(&r, "modified", name);
    assert_eq!(problems(&r).len(), 1, "{r:#}");
    assert!(
        r["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("truncated gzip"),
        "{r:#}"
    );
}

#[test]
fn a_missing_log_file_is_named_by_its_s3_key() {
    let t = trail();
    let (name, path) = &t.logs[0];
    std::fs::remove_file(path).unwrap();
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    counts(&r, &[("missing", 1), ("ok", 3)]);
    has_problem(&r, "missing", &format!("s3://{BUCKET}/{}", log_key(name)));
}

#[test]
fn an_unlisted_log_file_is_named() {
    let t = trail();
    let name = log_name("1050", "eeee");
    let extra = t.dir.join(log_key(&name));
    let content = json!({"Records": [record("planted", "2024-05-01T10:50:00Z")]}).to_string();
    write(&extra, &gz(content.as_bytes()));
    // Not a log file: reported as ignored, not as a problem.
    write(
        &t.dir.join("README.txt"),
        b"exported by the on-call engineer\n",
    );
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    counts(&r, &[("unlisted", 1), ("ok", 4)]);
    has_problem(&r, "unlisted", &name);
    assert_eq!(problems(&r).len(), 1, "{r:#}");
    assert!(r["ignored"].to_string().contains("README.txt"), "{r:#}");
}

#[test]
fn a_log_file_newer_than_every_digest_is_unlisted_with_a_hint() {
    let t = trail();
    let name = log_name("1315", "ffff");
    let content = json!({"Records": [record("late", "2024-05-01T13:15:00Z")]}).to_string();
    write(&t.dir.join(log_key(&name)), &gz(content.as_bytes()));
    let (code, r) = verify_json(&[&t.dir], None);
    assert_eq!(code, 3, "{r:#}");
    has_problem(&r, "unlisted", &name);
    assert!(
        r["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("delivered after the newest digest"),
        "{r:#}"
    );
}

#[test]
fn a_modified_digest_breaks_the_chain_and_its_signature() {
    let t = trail();
    // Rewrite the first digest so that it no longer lists the second log file.
    let first = &t.digests[0];
    let mut d: Value = read_gz_json(first);
    d["logFiles"].as_array_mut().unwrap().pop();
    write(first, &gz(serde_json::to_string(&d).unwrap().as_bytes()));
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    let first_name = first.file_name().unwrap().to_str().unwrap();
    has_problem(&r, "chain_break", first_name);
    has_problem(&r, "signature_failed", first_name);
    // The log file it no longer lists.
    has_problem(&r, "unlisted", &t.logs[1].0);
    counts(
        &r,
        &[
            ("chain_breaks", 1),
            ("chain_links_ok", 1),
            ("signatures_failed", 1),
            ("signatures_verified", 2),
        ],
    );
}

#[test]
fn a_deleted_digest_breaks_the_chain() {
    let t = trail();
    std::fs::remove_file(&t.digests[1]).unwrap();
    std::fs::remove_file(sidecar(&t.digests[1])).unwrap();
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    let third = t.digests[2].file_name().unwrap().to_str().unwrap();
    has_problem(&r, "chain_break", third);
    let msg = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "chain_break")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains("20240501T120000Z.json.gz") && msg.contains("missing"),
        "{msg}"
    );
    // The log files only the deleted digest listed.
    has_problem(&r, "unlisted", &t.logs[2].0);
    has_problem(&r, "unlisted", t.logs[3].0.strip_suffix(".gz").unwrap());
}

#[test]
fn the_oldest_digest_may_point_outside_the_export() {
    let t = trail();
    // Drop the first hour entirely: the chain starts at the second digest.
    std::fs::remove_file(&t.digests[0]).unwrap();
    std::fs::remove_file(&t.logs[0].1).unwrap();
    std::fs::remove_file(&t.logs[1].1).unwrap();
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 0, "{r:#}");
    assert!(
        r["notes"].to_string().contains("the chain starts here"),
        "{r:#}"
    );
}

#[test]
fn a_gap_between_digests_is_reported() {
    // Validation was off from 12:00 to 14:00: the third digest starts a new chain.
    let t = trail_with(&[
        ("2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z"),
        ("2024-05-01T11:00:00Z", "2024-05-01T12:00:00Z"),
        ("2024-05-01T14:00:00Z", "2024-05-01T15:00:00Z"),
    ]);
    let third = &t.digests[2];
    let mut d = read_gz_json(third);
    for k in [
        "previousDigestS3Bucket",
        "previousDigestS3Object",
        "previousDigestHashValue",
        "previousDigestHashAlgorithm",
        "previousDigestSignature",
    ] {
        d[k] = Value::Null;
    }
    let text = serde_json::to_string(&d).unwrap();
    write(third, &gz(text.as_bytes()));
    write(
        &sidecar(third),
        sign(key(), &signing_string(&d, text.as_bytes())).as_bytes(),
    );
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    counts(
        &r,
        &[("gaps", 1), ("chain_breaks", 0), ("signatures_verified", 3)],
    );
    has_problem(&r, "gap", third.file_name().unwrap().to_str().unwrap());
    let msg = r["problems"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("12:00:00") && msg.contains("14:00:00"),
        "{msg}"
    );
}

#[test]
fn a_bad_signature_is_named() {
    let t = trail();
    let second = &t.digests[1];
    let d = read_gz_json(second);
    let text = std::fs::read(second).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&text[..]), &mut plain).unwrap();
    // Signed with another key.
    write(
        &sidecar(second),
        sign(other_key(), &signing_string(&d, &plain)).as_bytes(),
    );
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    has_problem(
        &r,
        "signature_failed",
        second.file_name().unwrap().to_str().unwrap(),
    );
    // The third digest recorded the real signature of the second.
    has_problem(
        &r,
        "chain_break",
        second.file_name().unwrap().to_str().unwrap(),
    );
    counts(&r, &[("signatures_failed", 1), ("signatures_verified", 2)]);
}

#[test]
fn a_missing_signature_is_not_available_not_failed() {
    let t = trail();
    std::fs::remove_file(sidecar(&t.digests[2])).unwrap();
    // The `aws s3api head-object` JSON is accepted as a sidecar.
    let sig1 = std::fs::read_to_string(sidecar(&t.digests[1])).unwrap();
    write(
        &sidecar(&t.digests[1]),
        json!({"ContentType": "application/x-gzip", "Metadata": {"signature": sig1, "signature-algorithm": "SHA256withRSA"}})
            .to_string()
            .as_bytes(),
    );
    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 0, "{r:#}");
    counts(
        &r,
        &[("signatures_verified", 2), ("signatures_unavailable", 1)],
    );
    assert!(r["notes"].to_string().contains("signature not available"));
}

#[test]
fn every_kind_of_tampering_at_once() {
    let t = trail();
    // modified
    write(&t.logs[1].1, &gz(b"{\"Records\":[]}"));
    // missing
    std::fs::remove_file(&t.logs[2].1).unwrap();
    // unlisted
    let planted = log_name("1150", "9999");
    write(
        &t.dir.join(log_key(&planted)),
        &gz(
            json!({"Records": [record("planted", "2024-05-01T11:50:00Z")]})
                .to_string()
                .as_bytes(),
        ),
    );
    // broken chain: the first digest re-serialised (same JSON value, other bytes)
    let first = &t.digests[0];
    let d = read_gz_json(first);
    write(
        first,
        &gz(serde_json::to_string_pretty(&d).unwrap().as_bytes()),
    );
    // bad signature: a flipped byte in the third digest's signature
    let side = sidecar(&t.digests[2]);
    let mut sig = std::fs::read_to_string(&side).unwrap();
    let flipped = if sig.starts_with('0') { "1" } else { "0" };
    sig.replace_range(0..1, flipped);
    write(&side, sig.as_bytes());

    let (code, r) = verify_json(&[&t.dir], Some(&t.keys));
    assert_eq!(code, 3, "{r:#}");
    has_problem(&r, "modified", &t.logs[1].0);
    has_problem(&r, "missing", &log_key(&t.logs[2].0));
    has_problem(&r, "unlisted", &planted);
    let name = |p: &Path| p.file_name().unwrap().to_str().unwrap().to_string();
    has_problem(&r, "chain_break", &name(first));
    has_problem(&r, "signature_failed", &name(first));
    has_problem(&r, "signature_failed", &name(&t.digests[2]));
    counts(
        &r,
        &[
            ("mismatched", 1),
            ("missing", 1),
            ("unlisted", 1),
            ("chain_breaks", 1),
            ("signatures_failed", 2),
            ("signatures_verified", 1),
        ],
    );

    // The human table names every one by path.
    let out = common::bin()
        .arg("verify")
        .arg(&t.dir)
        .arg("--public-keys")
        .arg(&t.keys)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        format!("modified"),
        t.logs[1].0.clone(),
        format!("missing"),
        log_key(&t.logs[2].0),
        planted.clone(),
        format!("chain break"),
        format!("bad signature"),
        name(&t.digests[2]),
        "result: FAILED".into(),
    ] {
        assert!(text.contains(&needle), "{needle:?} not in\n{text}");
    }
}

#[test]
fn library_report_serializes_and_no_digest_is_a_problem() {
    let t = trail();
    for d in &t.digests {
        std::fs::remove_file(d).unwrap();
    }
    let r = backtrail::verify::verify(&[t.dir.clone()], None).unwrap();
    assert!(!r.verified());
    assert_eq!(r.digest_files, 0);
    assert_eq!(r.unlisted, 4);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["problems"][0]["kind"], "no_digests");
}

#[test]
fn errors_exit_1_and_help_has_examples() {
    let out = common::bin()
        .args(["verify", "/nonexistent/export"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/export"));
    let t = trail();
    let bad_keys = t.dir.join("../bad-keys.json");
    write(
        &bad_keys,
        b"{\"PublicKeyList\":[{\"Value\":\"bm90IGEga2V5\"}]}",
    );
    let out = common::bin()
        .arg("verify")
        .arg(&t.dir)
        .arg("--public-keys")
        .arg(&bad_keys)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("PublicKeyList[0]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::bin().args(["verify", "--help"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Examples:"));
}

fn read_gz_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap();
    serde_json::from_reader(flate2::read::GzDecoder::new(&bytes[..])).unwrap()
}

/// Run a report subcommand with `--format json` on stdout.
fn report_json(args: &[&str]) -> (i32, Value) {
    let out = common::bin().args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "{args:?} prints JSON ({e}); stdout: {stdout}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// The incident analysis and the drift review carry the digest check in
/// their data coverage; a forged log file makes both say so, with exit 3.
#[test]
fn the_reports_carry_the_verification_result() {
    let t = trail();
    let lake = t._tmp.path().join("lake");
    let out = common::bin()
        .args(["ingest", "--json", "-q", "--lake"])
        .arg(&lake)
        .arg(&t.dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let lake = lake.to_str().unwrap().to_string();
    let dir = t.dir.to_str().unwrap().to_string();
    let incident = |dir: &str| {
        report_json(&[
            "incident",
            "--lake",
            &lake,
            "--from",
            "2024-05-01T10:00:00Z",
            "--to",
            "2024-05-01T12:00:00Z",
            "--digests",
            dir,
            "--format",
            "json",
        ])
    };
    let drift = |dir: &str| {
        report_json(&[
            "drift",
            "--lake",
            &lake,
            "--from",
            "2024-05-01T00:00:00Z",
            "--to",
            "2024-05-02T00:00:00Z",
            "--digests",
            dir,
            "--format",
            "json",
            "--fail-on",
            "high",
        ])
    };

    let (code, a) = incident(&dir);
    assert_eq!(code, 0, "{a:#}");
    let v = &a["coverage"]["verification"];
    assert_eq!(v["verified"], true, "{v:#}");
    assert_eq!(v["log_files_ok"], 4, "{v:#}");
    assert!(
        v["summary"]
            .as_str()
            .unwrap()
            .starts_with("All 4 log file(s)"),
        "{v:#}"
    );
    let (code, r) = drift(&dir);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["coverage"]["verification"]["verified"], true);
    assert_eq!(
        r["coverage"]["accounts"],
        json!([ACCOUNT]),
        "{:#}",
        r["coverage"]
    );

    // Forge one log file (the lake is unchanged: the check is of the exports).
    let (name, path) = &t.logs[1];
    let forged = json!({"Records": [record("bbbb-1", "2024-05-01T10:35:00Z"), record("forged", "2024-05-01T10:36:00Z")]});
    write(path, &gz(forged.to_string().as_bytes()));
    let (code, a) = incident(&dir);
    assert_eq!(code, 3, "{a:#}");
    let v = &a["coverage"]["verification"];
    assert_eq!(v["verified"], false);
    assert_eq!(v["modified"], 1);
    assert!(
        v["problems"][0].as_str().unwrap().contains(name.as_str()),
        "{v:#}"
    );
    assert!(
        a["contributing_factors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == "evidence-integrity"),
        "{:#}",
        a["contributing_factors"]
    );
    let (code, r) = drift(&dir);
    assert_eq!(code, 3, "{r:#}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["category"] == "integrity" && f["severity"] == "high"),
        "{:#}",
        r["findings"]
    );

    // The Markdown and HTML reports say it in words.
    let md = common::bin()
        .args([
            "incident",
            "--lake",
            &lake,
            "--from",
            "2024-05-01T10:00:00Z",
            "--to",
        ])
        .args(["2024-05-01T12:00:00Z", "--digests", &dir, "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("- Log file integrity: Log file integrity does NOT verify: 1 modified"),
        "{md}"
    );
    let html = common::bin()
        .args([
            "drift",
            "--lake",
            &lake,
            "--from",
            "2024-05-01T00:00:00Z",
            "--to",
        ])
        .args([
            "2024-05-02T00:00:00Z",
            "--digests",
            &dir,
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&html.stdout);
    assert!(html.contains("verify-fail"), "{html}");
}
