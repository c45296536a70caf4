//! The CloudTrail digest file: what it says about the hour it covers, and
//! the S3 naming rules that tie digests and log files together offline.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

/// One `logFiles[]` entry of a digest.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub s3_bucket: Option<String>,
    pub s3_object: String,
    pub hash_value: String,
    pub hash_algorithm: Option<String>,
}

/// The fields of a digest file that verification uses.
#[derive(Debug, Clone, Default)]
pub struct DigestDoc {
    pub aws_account_id: Option<String>,
    pub digest_start_time: Option<String>,
    pub digest_end_time: Option<String>,
    pub digest_s3_bucket: Option<String>,
    pub digest_s3_object: Option<String>,
    pub digest_public_key_fingerprint: Option<String>,
    pub digest_signature_algorithm: Option<String>,
    pub previous_digest_s3_bucket: Option<String>,
    pub previous_digest_s3_object: Option<String>,
    pub previous_digest_hash_value: Option<String>,
    pub previous_digest_hash_algorithm: Option<String>,
    /// `None` when the field is JSON `null` (the first digest of a chain).
    pub previous_digest_signature: Option<String>,
    /// Not written by CloudTrail (the signature lives in S3 metadata); some
    /// export tools add it.
    pub digest_signature: Option<String>,
    pub log_files: Vec<LogEntry>,
    /// `logFiles[]` entries that could not be read, with the reason.
    pub bad_entries: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RawDigest {
    aws_account_id: Option<Value>,
    digest_start_time: Option<Value>,
    digest_end_time: Option<Value>,
    digest_s3_bucket: Option<Value>,
    digest_s3_object: Option<Value>,
    digest_public_key_fingerprint: Option<Value>,
    digest_signature_algorithm: Option<Value>,
    previous_digest_s3_bucket: Option<Value>,
    previous_digest_s3_object: Option<Value>,
    previous_digest_hash_value: Option<Value>,
    previous_digest_hash_algorithm: Option<Value>,
    previous_digest_signature: Option<Value>,
    digest_signature: Option<Value>,
    log_files: Option<Value>,
}

fn text(v: &Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Parse a digest file's JSON. `Ok(None)`: valid JSON, but not a digest
/// (the same rule as ingest's format detection: a digest time and either
/// `logFiles` or `digestS3Bucket`).
pub fn parse(content: &[u8]) -> Result<Option<DigestDoc>, serde_json::Error> {
    let content = content.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(content);
    let raw: RawDigest = serde_json::from_slice(content)?;
    let is_digest = (raw.digest_start_time.is_some() || raw.digest_end_time.is_some())
        && (raw.log_files.is_some() || raw.digest_s3_bucket.is_some());
    if !is_digest {
        return Ok(None);
    }
    let mut d = DigestDoc {
        aws_account_id: text(&raw.aws_account_id),
        digest_start_time: text(&raw.digest_start_time),
        digest_end_time: text(&raw.digest_end_time),
        digest_s3_bucket: text(&raw.digest_s3_bucket),
        digest_s3_object: text(&raw.digest_s3_object),
        digest_public_key_fingerprint: text(&raw.digest_public_key_fingerprint),
        digest_signature_algorithm: text(&raw.digest_signature_algorithm),
        previous_digest_s3_bucket: text(&raw.previous_digest_s3_bucket),
        previous_digest_s3_object: text(&raw.previous_digest_s3_object),
        previous_digest_hash_value: text(&raw.previous_digest_hash_value),
        previous_digest_hash_algorithm: text(&raw.previous_digest_hash_algorithm),
        previous_digest_signature: text(&raw.previous_digest_signature),
        digest_signature: text(&raw.digest_signature),
        ..DigestDoc::default()
    };
    match raw.log_files {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let s = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_string);
                match (s("s3Object"), s("hashValue")) {
                    (Some(s3_object), Some(hash_value)) => d.log_files.push(LogEntry {
                        s3_bucket: s("s3Bucket"),
                        s3_object,
                        hash_value,
                        hash_algorithm: s("hashAlgorithm"),
                    }),
                    _ => d
                        .bad_entries
                        .push(format!("logFiles[{i}] has no s3Object or hashValue string")),
                }
            }
        }
        Some(_) => d.bad_entries.push("logFiles is not an array".into()),
    }
    Ok(Some(d))
}

/// Is this a backfill digest (`..._backfill.json.gz`)? Backfill digests
/// list late log files and stand outside the hourly chain.
pub fn is_backfill(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    strip_json_gz(name).ends_with("_backfill")
}

fn strip_json_gz(name: &str) -> &str {
    let n = name.strip_suffix(".gz").unwrap_or(name);
    n.strip_suffix(".json").unwrap_or(n)
}

/// A file name as matched across S3 and an export: the last path
/// component, without a `.gz` suffix (exports often hold the files
/// decompressed).
pub fn match_name(path_or_key: &str) -> &str {
    let name = path_or_key
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path_or_key);
    name.strip_suffix(".gz").unwrap_or(name)
}

/// How many trailing path components two paths share (the file name
/// compared without `.gz`).
pub fn common_suffix(a: &[&str], b: &[&str]) -> usize {
    let mut n = 0;
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        let same = if n == 0 {
            match_name(x) == match_name(y)
        } else {
            x == y
        };
        if !same {
            break;
        }
        n += 1;
    }
    n
}

/// `20240501T1005Z` or `20240501T100500Z`, as in S3 object names.
fn name_time(token: &str) -> Option<DateTime<Utc>> {
    let t = token.strip_suffix('Z')?;
    let full = match t.len() {
        13 => format!("{t}00"),
        15 => t.to_string(),
        _ => return None,
    };
    NaiveDateTime::parse_from_str(&full, "%Y%m%dT%H%M%S")
        .ok()
        .map(|n| n.and_utc())
}

/// The delivery time in a log or digest file name
/// (`<account>_CloudTrail_<region>_20240501T1005Z_<id>.json.gz`).
pub fn time_in_name(path_or_key: &str) -> Option<DateTime<Utc>> {
    let name = strip_json_gz(match_name(path_or_key));
    name.split('_').find_map(name_time)
}

/// Which hourly chain a digest belongs to: its bucket, the S3 prefix before
/// the date directories, and its file name without the end timestamp
/// (`<account>_CloudTrail-Digest_<region>_<trail>_<home region>`).
pub fn chain_key(doc: &DigestDoc, local: &str) -> String {
    let key = doc.digest_s3_object.as_deref().unwrap_or(local);
    let parts: Vec<&str> = key.split(['/', '\\']).collect();
    let (dirs, name) = parts.split_at(parts.len().saturating_sub(1));
    // Drop the YYYY/MM/DD directories.
    let dirs: Vec<&str> = dirs
        .iter()
        .copied()
        .filter(|p| !(p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit())))
        .collect();
    let name = strip_json_gz(name.first().copied().unwrap_or(""));
    let stem: Vec<&str> = name
        .split('_')
        .filter(|t| name_time(t).is_none() && *t != "backfill")
        .collect();
    format!(
        "{}|{}|{}|{}",
        doc.digest_s3_bucket.as_deref().unwrap_or(""),
        doc.aws_account_id.as_deref().unwrap_or(""),
        dirs.join("/"),
        stem.join("_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_times() {
        let k = "AWSLogs/1/CloudTrail/us-east-1/2024/05/01/1_CloudTrail_us-east-1_20240501T1005Z_abc.json.gz";
        assert_eq!(
            match_name(k),
            "1_CloudTrail_us-east-1_20240501T1005Z_abc.json"
        );
        assert_eq!(
            time_in_name(k).unwrap().to_rfc3339(),
            "2024-05-01T10:05:00+00:00"
        );
        let d = "AWSLogs/1/CloudTrail-Digest/us-east-1/2024/05/01/1_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T110000Z.json.gz";
        assert_eq!(
            time_in_name(d).unwrap().to_rfc3339(),
            "2024-05-01T11:00:00+00:00"
        );
        assert!(!is_backfill(d));
        assert!(is_backfill(
            "1_CloudTrail-Digest_us-east-1_t_us-east-1_20240501T110000Z_backfill.json.gz"
        ));
        assert_eq!(
            common_suffix(&["x", "a", "b.json"], &["y", "a", "b.json.gz"]),
            2
        );
    }

    #[test]
    fn digests_of_one_trail_share_a_chain_key() {
        let doc = |end: &str| DigestDoc {
            digest_s3_bucket: Some("b".into()),
            digest_s3_object: Some(format!(
                "AWSLogs/1/CloudTrail-Digest/us-east-1/2024/05/0{}/1_CloudTrail-Digest_us-east-1_t_us-east-1_{end}.json.gz",
                &end[7..8]
            )),
            ..DigestDoc::default()
        };
        assert_eq!(
            chain_key(&doc("20240501T110000Z"), ""),
            chain_key(&doc("20240502T000000Z"), "")
        );
    }

    #[test]
    fn parse_rules() {
        assert!(parse(b"{\"a\":1}").unwrap().is_none());
        assert!(parse(b"[1]").is_err());
        let d = parse(
            br#"{"digestStartTime":"s","digestEndTime":"e","logFiles":[{"s3Object":"k","hashValue":"h"},{"x":1}],"previousDigestSignature":null}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(d.log_files.len(), 1);
        assert_eq!(d.bad_entries.len(), 1);
        assert!(d.previous_digest_signature.is_none());
    }
}
