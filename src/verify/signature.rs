//! Digest signatures: the public keys of `aws cloudtrail list-public-keys`,
//! the string CloudTrail signs, and the SHA256withRSA check.
//!
//! CloudTrail signs, for each digest file,
//! `digestEndTime \n digestS3Bucket/digestS3Object \n hex(SHA-256(uncompressed
//! digest)) \n previousDigestSignature` (the literal `null` for the first
//! digest of a chain) and stores the hex signature in the S3 object's
//! metadata (`x-amz-meta-signature`). An offline export has no metadata, so
//! the signature is read from a sidecar file `<digest>.signature` (the hex,
//! or the JSON `aws s3api head-object` prints) or a `digestSignature` field.

use super::digest::DigestDoc;
use anyhow::{Context, bail};
use base64::Engine;
use chrono::{DateTime, Utc};
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use std::path::Path;

/// One public key CloudTrail signed digests with.
#[derive(Debug, Clone)]
pub struct PublicKey {
    pub fingerprint: Option<String>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    key: RsaPublicKey,
}

#[derive(Deserialize)]
struct KeysFile {
    #[serde(rename = "PublicKeyList")]
    list: Vec<RawKey>,
}

#[derive(Deserialize)]
struct RawKey {
    #[serde(rename = "Value")]
    value: String,
    #[serde(rename = "Fingerprint")]
    fingerprint: Option<String>,
    #[serde(rename = "ValidityStartTime")]
    start: Option<Value>,
    #[serde(rename = "ValidityEndTime")]
    end: Option<Value>,
}

/// An ISO 8601 time, or seconds since the epoch (the AWS CLI prints either,
/// depending on `cli_timestamp_format`).
fn time_of(v: &Option<Value>) -> Option<DateTime<Utc>> {
    match v.as_ref()? {
        Value::String(s) => crate::event::time::parse_event_time(s),
        Value::Number(n) => {
            let secs = n.as_f64()?;
            DateTime::from_timestamp_millis((secs * 1000.0) as i64)
        }
        _ => None,
    }
}

/// Decode a public key: DER, base64 (PKCS #1 `RSAPublicKey` as CloudTrail
/// gives it, or `SubjectPublicKeyInfo`).
pub fn decode_key(base64_der: &str) -> anyhow::Result<RsaPublicKey> {
    let compact: String = base64_der.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .context("Value is not base64")?;
    RsaPublicKey::from_pkcs1_der(&der)
        .or_else(|_| RsaPublicKey::from_public_key_der(&der))
        .map_err(|e| anyhow::anyhow!("Value is not a DER RSA public key ({e})"))
}

/// Read the JSON output of `aws cloudtrail list-public-keys`.
pub fn load_public_keys(path: &Path) -> anyhow::Result<Vec<PublicKey>> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file: KeysFile = serde_json::from_slice(&text).with_context(|| {
        format!(
            "{}: not the JSON output of `aws cloudtrail list-public-keys` (a PublicKeyList array)",
            path.display()
        )
    })?;
    if file.list.is_empty() {
        bail!("{}: PublicKeyList is empty", path.display());
    }
    file.list
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Ok(PublicKey {
                fingerprint: k.fingerprint.clone(),
                valid_from: time_of(&k.start),
                valid_to: time_of(&k.end),
                key: decode_key(&k.value)
                    .with_context(|| format!("{}: PublicKeyList[{i}]", path.display()))?,
            })
        })
        .collect()
}

/// A digest's signature as found beside it.
#[derive(Debug, Clone)]
pub struct Found {
    pub hex: String,
    pub algorithm: Option<String>,
    /// Where it came from, for messages.
    pub source: String,
}

/// Is `path` a signature sidecar (`<digest>.signature` holding the hex
/// signature or the `head-object` JSON with it)? Small files only.
pub fn is_sidecar(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(super::scan::SIGNATURE_SUFFIX));
    if !named || std::fs::metadata(path).map_or(true, |m| m.len() > 64 * 1024) {
        return false;
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| read_sidecar(&text, String::new()))
        .is_some_and(|f| f.hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What a sidecar holds: the hex signature as text, or the `aws s3api
/// head-object` output (or a bare metadata object) naming it.
fn read_sidecar(text: &str, source: String) -> Option<Found> {
    let t = text.trim();
    if !t.starts_with('{') {
        return (!t.is_empty()).then(|| Found {
            hex: t.to_string(),
            algorithm: None,
            source,
        });
    }
    let v: Value = crate::event::canonical::parse_value(t).ok()?;
    let meta = v.get("Metadata").unwrap_or(&v);
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| meta.get(*k).and_then(Value::as_str))
            .map(str::to_string)
    };
    Some(Found {
        hex: get(&["signature", "x-amz-meta-signature"])?,
        algorithm: get(&["signature-algorithm", "x-amz-meta-signature-algorithm"]),
        source,
    })
}

/// The signature of the digest at `path`: the sidecar `<path>.signature`
/// first, then a `digestSignature` field.
pub fn find(path: &Path, doc: &DigestDoc) -> Option<Found> {
    let mut side = path.as_os_str().to_owned();
    side.push(super::scan::SIGNATURE_SUFFIX);
    let side = std::path::PathBuf::from(side);
    let from_sidecar = std::fs::read_to_string(&side)
        .ok()
        .and_then(|text| read_sidecar(&text, side.display().to_string()));
    from_sidecar.or_else(|| {
        doc.digest_signature.as_ref().map(|s| Found {
            hex: s.trim().to_string(),
            algorithm: None,
            source: "its digestSignature field".into(),
        })
    })
}

/// The string CloudTrail signs for a digest.
pub fn signing_string(doc: &DigestDoc, digest_sha256_hex: &str) -> Result<String, String> {
    let need = |v: &Option<String>, name: &str| {
        v.clone()
            .ok_or_else(|| format!("the digest has no {name}, which its signature covers"))
    };
    Ok(format!(
        "{}\n{}/{}\n{}\n{}",
        need(&doc.digest_end_time, "digestEndTime")?,
        need(&doc.digest_s3_bucket, "digestS3Bucket")?,
        need(&doc.digest_s3_object, "digestS3Object")?,
        digest_sha256_hex,
        doc.previous_digest_signature.as_deref().unwrap_or("null"),
    ))
}

/// Check one digest's signature. `Err` says why it does not verify.
pub fn check(
    doc: &DigestDoc,
    digest_sha256_hex: &str,
    sig: &Found,
    keys: &[PublicKey],
) -> Result<(), String> {
    let algo = sig
        .algorithm
        .as_deref()
        .or(doc.digest_signature_algorithm.as_deref())
        .unwrap_or("SHA256withRSA");
    if !algo.eq_ignore_ascii_case("SHA256withRSA") {
        return Err(format!("unsupported signature algorithm {algo:?}"));
    }
    let message = signing_string(doc, digest_sha256_hex)?;
    let bytes = hex::decode(sig.hex.trim())
        .map_err(|e| format!("the signature in {} is not hex ({e})", sig.source))?;
    let signature = Signature::try_from(bytes.as_slice())
        .map_err(|e| format!("the signature in {} is malformed ({e})", sig.source))?;
    let end = doc
        .digest_end_time
        .as_deref()
        .and_then(crate::event::time::parse_event_time);
    let candidates: Vec<&PublicKey> = match doc.digest_public_key_fingerprint.as_deref() {
        Some(fp) => keys
            .iter()
            .filter(|k| {
                k.fingerprint
                    .as_deref()
                    .is_some_and(|f| f.eq_ignore_ascii_case(fp))
            })
            .collect(),
        None => keys.iter().collect(),
    };
    if candidates.is_empty() {
        return Err(format!(
            "no public key with fingerprint {} in --public-keys",
            doc.digest_public_key_fingerprint.as_deref().unwrap_or("?")
        ));
    }
    let verifies = |k: &PublicKey| {
        VerifyingKey::<Sha256>::new(k.key.clone())
            .verify(message.as_bytes(), &signature)
            .is_ok()
    };
    let Some(key) = candidates.into_iter().find(|k| verifies(k)) else {
        return Err(format!(
            "the signature in {} does not match: the digest file, its S3 path or the signature changed",
            sig.source
        ));
    };
    if let Some(end) = end {
        let before = key.valid_from.is_some_and(|f| end < f);
        let after = key.valid_to.is_some_and(|t| end > t);
        if before || after {
            return Err(format!(
                "signed with public key {} outside its validity period",
                key.fingerprint.as_deref().unwrap_or("?")
            ));
        }
    }
    Ok(())
}
