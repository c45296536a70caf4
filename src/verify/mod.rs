//! Evidence integrity, offline: CloudTrail log files checked against the
//! digest files CloudTrail delivered beside them.
//!
//! With log file validation on, CloudTrail writes an hourly digest file
//! listing the SHA-256 of each log file it delivered (over the uncompressed
//! content) and the SHA-256 and signature of the previous digest, so the
//! digests form a chain. [`verify`] finds digests and log files among the
//! given paths by content and reports: log files whose content changed,
//! listed files that are missing, log files no digest lists, links of the
//! chain that do not hold, gaps in time between digests, and, given the
//! public keys, digests whose RSA signature does not verify.

pub mod digest;
pub mod scan;
pub mod signature;

use digest::DigestDoc;
use scan::{Kind, Scanned};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A log file's content differs from the hash its digest lists.
    Modified,
    /// A digest lists a log file that is not among the paths.
    Missing,
    /// A log file no digest lists.
    Unlisted,
    /// A file that could not be read.
    Unreadable,
    /// A digest's link to the previous one does not hold.
    ChainBreak,
    /// Time between two digests of one chain that no digest covers.
    Gap,
    /// A digest's signature does not verify.
    SignatureFailed,
    /// A digest file that cannot be used.
    InvalidDigest,
    /// No digest file at all: nothing to verify against.
    NoDigests,
}

impl ProblemKind {
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::Modified => "modified",
            ProblemKind::Missing => "missing",
            ProblemKind::Unlisted => "unlisted",
            ProblemKind::Unreadable => "unreadable",
            ProblemKind::ChainBreak => "chain break",
            ProblemKind::Gap => "gap",
            ProblemKind::SignatureFailed => "bad signature",
            ProblemKind::InvalidDigest => "invalid digest",
            ProblemKind::NoDigests => "no digests",
        }
    }
}

/// One thing that does not verify.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The file concerned: a local path, or `s3://bucket/key` for a file
    /// that is missing.
    pub path: String,
    pub message: String,
    /// The digest file that makes the claim, when there is one.
    pub digest: Option<String>,
}

/// Something worth knowing that is not a failure.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    pub path: String,
    pub message: String,
}

/// A digest's signature, as checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    Verified,
    Failed,
    /// `--public-keys` given, but no signature beside the digest.
    Unavailable,
    /// No `--public-keys`.
    NotChecked,
}

/// A digest's link to the previous digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainStatus {
    /// The previous digest is here and unchanged.
    Linked,
    /// The first digest here of its chain (its previous is not among the paths,
    /// or it has none).
    Start,
    /// See the problems.
    Broken,
    /// Backfill digests stand outside the hourly chain.
    Backfill,
}

/// One digest file and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct DigestSummary {
    pub path: String,
    pub s3_object: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub log_files_listed: u64,
    pub chain: ChainStatus,
    pub signature: SignatureStatus,
}

/// The result of [`verify`]; `backtrail verify --json` prints it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Files read under the paths (signature sidecars excluded).
    pub files_seen: u64,
    pub digest_files: u64,
    /// Log files compared with a digest's hash (`ok` + `mismatched`).
    pub files_checked: u64,
    pub ok: u64,
    pub mismatched: u64,
    /// Listed in a digest, not among the paths.
    pub missing: u64,
    pub unlisted: u64,
    pub unreadable: u64,
    pub chain_links_ok: u64,
    pub chain_breaks: u64,
    pub gaps: u64,
    pub signatures_verified: u64,
    pub signatures_failed: u64,
    pub signatures_unavailable: u64,
    pub signatures_not_checked: u64,
    pub digests: Vec<DigestSummary>,
    pub problems: Vec<Problem>,
    pub notes: Vec<Note>,
    /// Files that are neither digests nor CloudTrail log files.
    pub ignored: Vec<Note>,
}

impl VerifyReport {
    /// Everything verified: no problem of any kind.
    pub fn verified(&self) -> bool {
        self.problems.is_empty()
    }
}

struct DigestAt<'a> {
    file: &'a Scanned,
    doc: &'a DigestDoc,
}

fn path_parts(p: &str) -> Vec<&str> {
    p.split(['/', '\\']).filter(|s| !s.is_empty()).collect()
}

/// Among `candidates` (indices into `files`), the ones whose path shares
/// the most trailing components with `key`.
fn best_matches(files: &[Scanned], candidates: &[usize], key: &str) -> Vec<usize> {
    let kp = path_parts(key);
    let scored: Vec<(usize, usize)> = candidates
        .iter()
        .map(|&i| {
            (
                i,
                digest::common_suffix(&path_parts(&files[i].display), &kp),
            )
        })
        .collect();
    let best = scored.iter().map(|s| s.1).max().unwrap_or(0);
    scored
        .into_iter()
        .filter(|s| s.1 == best)
        .map(|s| s.0)
        .collect()
}

/// Verify the CloudTrail log and digest files among `paths` (files or
/// directories, walked recursively). `public_keys` is the JSON output of
/// `aws cloudtrail list-public-keys`; without it signatures are not checked.
/// Errors only when a path or the key file cannot be used at all; every
/// problem with the evidence is in the report.
pub fn verify(paths: &[PathBuf], public_keys: Option<&Path>) -> anyhow::Result<VerifyReport> {
    let keys = public_keys.map(signature::load_public_keys).transpose()?;
    let files = scan::scan(paths)?;
    let mut r = VerifyReport::default();

    let mut digests: Vec<DigestAt<'_>> = Vec::new();
    // Every non-digest file by the name it would have in S3.
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, f) in files.iter().enumerate() {
        if matches!(f.kind, Kind::Sidecar) {
            continue;
        }
        r.files_seen += 1;
        match &f.kind {
            Kind::Digest(doc) => digests.push(DigestAt { file: f, doc }),
            Kind::BadDigest(why) => r.problems.push(Problem {
                kind: ProblemKind::InvalidDigest,
                path: f.display.clone(),
                message: format!("in a CloudTrail-Digest directory but not a digest file: {why}"),
                digest: None,
            }),
            _ => by_name
                .entry(digest::match_name(&f.display))
                .or_default()
                .push(i),
        }
    }
    r.digest_files = digests.len() as u64;

    // 1. Log files against the hashes their digests list.
    let mut verdicts: BTreeMap<usize, Option<String>> = BTreeMap::new();
    for d in &digests {
        for bad in &d.doc.bad_entries {
            r.problems.push(Problem {
                kind: ProblemKind::InvalidDigest,
                path: d.file.display.clone(),
                message: bad.clone(),
                digest: None,
            });
        }
        for e in &d.doc.log_files {
            let s3 = format!(
                "s3://{}/{}",
                e.s3_bucket.as_deref().unwrap_or("?"),
                e.s3_object
            );
            if let Some(a) = e
                .hash_algorithm
                .as_deref()
                .filter(|a| !a.eq_ignore_ascii_case("SHA-256"))
            {
                r.problems.push(Problem {
                    kind: ProblemKind::InvalidDigest,
                    path: d.file.display.clone(),
                    message: format!("{s3}: unsupported hash algorithm {a:?}"),
                    digest: None,
                });
                continue;
            }
            let candidates = by_name
                .get(digest::match_name(&e.s3_object))
                .map(|c| best_matches(&files, c, &e.s3_object))
                .unwrap_or_default();
            if candidates.is_empty() {
                r.missing += 1;
                r.problems.push(Problem {
                    kind: ProblemKind::Missing,
                    path: s3,
                    message: "listed in the digest, not among the paths: deleted, or not exported"
                        .into(),
                    digest: Some(d.file.display.clone()),
                });
                continue;
            }
            for i in candidates {
                let f = &files[i];
                let problem = match (&f.sha256, &f.error) {
                    (Some(h), _) if h.eq_ignore_ascii_case(e.hash_value.trim()) => None,
                    (Some(h), _) => Some(format!(
                        "content changed: SHA-256 of the uncompressed content is {h}, the digest lists {}",
                        e.hash_value
                    )),
                    (None, err) => Some(format!(
                        "{}; the digest lists SHA-256 {}",
                        err.as_deref().unwrap_or("cannot be read"),
                        e.hash_value
                    )),
                };
                let slot = verdicts.entry(i).or_insert(None);
                if let Some(p) = problem {
                    if slot.is_none() {
                        *slot = Some(p.clone());
                        r.problems.push(Problem {
                            kind: ProblemKind::Modified,
                            path: f.display.clone(),
                            message: p,
                            digest: Some(d.file.display.clone()),
                        });
                    }
                }
            }
        }
    }
    r.files_checked = verdicts.len() as u64;
    r.mismatched = verdicts.values().filter(|v| v.is_some()).count() as u64;
    r.ok = r.files_checked - r.mismatched;

    // 2. Files no digest lists.
    let newest_end = digests
        .iter()
        .filter_map(|d| d.doc.digest_end_time.as_deref())
        .filter_map(crate::event::time::parse_event_time)
        .max();
    for (i, f) in files.iter().enumerate() {
        if verdicts.contains_key(&i) {
            continue;
        }
        match (&f.kind, &f.error) {
            (Kind::Sidecar | Kind::Digest(_) | Kind::BadDigest(_), _) => {}
            (_, Some(err)) => {
                r.unreadable += 1;
                r.problems.push(Problem {
                    kind: ProblemKind::Unreadable,
                    path: f.display.clone(),
                    message: err.clone(),
                    digest: None,
                });
            }
            (Kind::Log, None) if !digests.is_empty() => {
                r.unlisted += 1;
                let late = digest::time_in_name(&f.display)
                    .zip(newest_end)
                    .is_some_and(|(t, end)| t >= end);
                let message = if late {
                    format!(
                        "no digest lists this log file; it was delivered after the newest digest here ends ({}), so add the digest files delivered after it",
                        newest_end.map(|t| t.to_rfc3339()).unwrap_or_default()
                    )
                } else {
                    "no digest lists this log file: it was added, renamed, or its digest is not among the paths".into()
                };
                r.problems.push(Problem {
                    kind: ProblemKind::Unlisted,
                    path: f.display.clone(),
                    message,
                    digest: None,
                });
            }
            (Kind::Log, None) => r.unlisted += 1,
            (Kind::Other, None) => r.ignored.push(Note {
                path: f.display.clone(),
                message: "neither a CloudTrail digest nor a CloudTrail log file".into(),
            }),
        }
    }
    if digests.is_empty() {
        r.problems.push(Problem {
            kind: ProblemKind::NoDigests,
            path: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            message: format!(
                "no CloudTrail digest file among the paths, so {} log file(s) cannot be verified; export the CloudTrail-Digest/ prefix of the trail's bucket too (log file validation must be on)",
                r.unlisted
            ),
            digest: None,
        });
    }

    // 3. The chain, and 4. signatures.
    let mut summaries: Vec<DigestSummary> = digests
        .iter()
        .map(|d| DigestSummary {
            path: d.file.display.clone(),
            s3_object: d.doc.digest_s3_object.clone(),
            start: d.doc.digest_start_time.clone(),
            end: d.doc.digest_end_time.clone(),
            log_files_listed: d.doc.log_files.len() as u64,
            chain: ChainStatus::Start,
            signature: SignatureStatus::NotChecked,
        })
        .collect();
    check_chain(&digests, &mut summaries, &mut r);
    let mut signatures: HashMap<usize, String> = HashMap::new();
    for (n, d) in digests.iter().enumerate() {
        let found = signature::find(&d.file.path, d.doc);
        if let Some(f) = &found {
            signatures.insert(n, f.hex.trim().to_ascii_lowercase());
        }
        let Some(keys) = &keys else {
            r.signatures_not_checked += 1;
            continue;
        };
        let Some(found) = found else {
            r.signatures_unavailable += 1;
            summaries[n].signature = SignatureStatus::Unavailable;
            r.notes.push(Note {
                path: d.file.display.clone(),
                message: format!(
                    "signature not available: CloudTrail keeps it in the S3 object's metadata (x-amz-meta-signature); save it as {}{}",
                    d.file.display,
                    scan::SIGNATURE_SUFFIX
                ),
            });
            continue;
        };
        let sha = d.file.sha256.as_deref().unwrap_or_default();
        match signature::check(d.doc, sha, &found, keys) {
            Ok(()) => {
                r.signatures_verified += 1;
                summaries[n].signature = SignatureStatus::Verified;
            }
            Err(why) => {
                r.signatures_failed += 1;
                summaries[n].signature = SignatureStatus::Failed;
                r.problems.push(Problem {
                    kind: ProblemKind::SignatureFailed,
                    path: d.file.display.clone(),
                    message: why,
                    digest: None,
                });
            }
        }
    }
    // A digest names the previous digest's signature: it must be the one found.
    for (n, d) in digests.iter().enumerate() {
        let (Some(prev), Some(want)) = (
            find_previous(&digests, n),
            d.doc.previous_digest_signature.as_deref(),
        ) else {
            continue;
        };
        if let Some(have) = signatures.get(&prev) {
            if !have.eq_ignore_ascii_case(want.trim()) {
                r.chain_breaks += 1;
                if summaries[n].chain == ChainStatus::Linked {
                    r.chain_links_ok -= 1;
                }
                summaries[n].chain = ChainStatus::Broken;
                r.problems.push(Problem {
                    kind: ProblemKind::ChainBreak,
                    path: digests[prev].file.display.clone(),
                    message: format!(
                        "its signature differs from the previousDigestSignature recorded in {}",
                        d.file.display
                    ),
                    digest: Some(d.file.display.clone()),
                });
            }
        }
    }
    r.digests = summaries;
    r.problems
        .sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
    Ok(r)
}

/// The digest (index into `digests`) that `digests[n]` names as previous.
fn find_previous(digests: &[DigestAt<'_>], n: usize) -> Option<usize> {
    let key = digests[n].doc.previous_digest_s3_object.as_deref()?;
    if key.is_empty() {
        return None;
    }
    let bucket = digests[n].doc.previous_digest_s3_bucket.as_deref();
    // By the key the previous digest says it has...
    if let Some(i) = digests.iter().position(|d| {
        d.doc.digest_s3_object.as_deref() == Some(key)
            && (bucket.is_none() || d.doc.digest_s3_bucket.as_deref() == bucket)
    }) {
        return Some(i);
    }
    // ...or, if that was changed, by its file name.
    let kp = path_parts(key);
    digests
        .iter()
        .enumerate()
        .filter(|(_, d)| digest::match_name(&d.file.display) == digest::match_name(key))
        .max_by_key(|(_, d)| digest::common_suffix(&path_parts(&d.file.display), &kp))
        .map(|(i, _)| i)
}

fn check_chain(digests: &[DigestAt<'_>], summaries: &mut [DigestSummary], r: &mut VerifyReport) {
    use crate::event::time::parse_event_time;
    // Hourly chains, each sorted by start time.
    let mut chains: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, d) in digests.iter().enumerate() {
        let key = d.doc.digest_s3_object.as_deref().unwrap_or(&d.file.display);
        if digest::is_backfill(key) || digest::is_backfill(&d.file.display) {
            summaries[n].chain = ChainStatus::Backfill;
            continue;
        }
        let times = (
            d.doc
                .digest_start_time
                .as_deref()
                .and_then(parse_event_time),
            d.doc.digest_end_time.as_deref().and_then(parse_event_time),
        );
        if times.0.is_none() || times.1.is_none() {
            r.problems.push(Problem {
                kind: ProblemKind::InvalidDigest,
                path: d.file.display.clone(),
                message: "digestStartTime or digestEndTime is missing or not a time; left out of the chain".into(),
                digest: None,
            });
            summaries[n].chain = ChainStatus::Broken;
            continue;
        }
        chains
            .entry(digest::chain_key(d.doc, &d.file.display))
            .or_default()
            .push(n);
    }
    let start = |n: usize| {
        digests[n]
            .doc
            .digest_start_time
            .as_deref()
            .and_then(parse_event_time)
    };
    let end = |n: usize| {
        digests[n]
            .doc
            .digest_end_time
            .as_deref()
            .and_then(parse_event_time)
    };
    for chain in chains.values_mut() {
        chain.sort_by_key(|&n| (start(n), end(n)));
        for (pos, &n) in chain.iter().enumerate() {
            let d = &digests[n];
            let earlier = pos.checked_sub(1).map(|p| chain[p]);
            let prev_key = d
                .doc
                .previous_digest_s3_object
                .as_deref()
                .filter(|k| !k.is_empty());
            // A gap in time before this digest.
            let gap = earlier.and_then(|a| {
                let (ae, bs) = (end(a)?, start(n)?);
                (bs > ae).then_some((a, ae, bs))
            });
            match (prev_key, find_previous(digests, n)) {
                (None, _) => {
                    if let Some(a) = earlier.filter(|_| gap.is_none()) {
                        r.chain_breaks += 1;
                        summaries[n].chain = ChainStatus::Broken;
                        r.problems.push(Problem {
                            kind: ProblemKind::ChainBreak,
                            path: d.file.display.clone(),
                            message: format!(
                                "names no previous digest although {} precedes it: the chain was restarted",
                                digests[a].file.display
                            ),
                            digest: None,
                        });
                    }
                }
                (Some(key), None) => {
                    if earlier.is_some() {
                        r.chain_breaks += 1;
                        summaries[n].chain = ChainStatus::Broken;
                        let span = gap
                            .map(|(_, ae, bs)| {
                                format!(
                                    "; no digest here covers {} to {}",
                                    ae.to_rfc3339(),
                                    bs.to_rfc3339()
                                )
                            })
                            .unwrap_or_default();
                        r.problems.push(Problem {
                            kind: ProblemKind::ChainBreak,
                            path: d.file.display.clone(),
                            message: format!("its previous digest {key} is missing{span}"),
                            digest: None,
                        });
                        continue;
                    }
                    r.notes.push(Note {
                        path: d.file.display.clone(),
                        message: format!(
                            "the chain starts here: its previous digest {key} is not among the paths"
                        ),
                    });
                }
                (Some(_), Some(p)) => {
                    let prev = &digests[p];
                    let want = d.doc.previous_digest_hash_value.as_deref().map(str::trim);
                    let algo_ok = d
                        .doc
                        .previous_digest_hash_algorithm
                        .as_deref()
                        .is_none_or(|a| a.eq_ignore_ascii_case("SHA-256"));
                    let have = prev.file.sha256.as_deref();
                    let broken = match (want, have) {
                        _ if !algo_ok => Some(format!(
                            "previousDigestHashAlgorithm {:?} is not SHA-256",
                            d.doc
                                .previous_digest_hash_algorithm
                                .as_deref()
                                .unwrap_or("")
                        )),
                        (None, _) => {
                            Some("names a previous digest but no previousDigestHashValue".into())
                        }
                        (Some(w), Some(h)) if w.eq_ignore_ascii_case(h) => None,
                        (Some(w), h) => Some(format!(
                            "previous digest {} changed: its SHA-256 is {}, this digest recorded {w}",
                            prev.file.display,
                            h.unwrap_or("unreadable")
                        )),
                    };
                    match broken {
                        None => {
                            r.chain_links_ok += 1;
                            summaries[n].chain = ChainStatus::Linked;
                        }
                        Some(message) => {
                            r.chain_breaks += 1;
                            summaries[n].chain = ChainStatus::Broken;
                            r.problems.push(Problem {
                                kind: ProblemKind::ChainBreak,
                                path: prev.file.display.clone(),
                                message,
                                digest: Some(d.file.display.clone()),
                            });
                        }
                    }
                }
            }
            if let Some((a, ae, bs)) = gap {
                r.gaps += 1;
                r.problems.push(Problem {
                    kind: ProblemKind::Gap,
                    path: d.file.display.clone(),
                    message: format!(
                        "no digest covers {} to {} (after {}): log files delivered then cannot be verified",
                        ae.to_rfc3339(),
                        bs.to_rfc3339(),
                        digests[a].file.display
                    ),
                    digest: None,
                });
            }
        }
    }
}
