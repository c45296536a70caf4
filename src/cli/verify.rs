//! `backtrail verify`.

use crate::exit;
use crate::verify::{ChainStatus, SignatureStatus, VerifyReport, verify};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Check CloudTrail log files against their digest files, offline.
///
/// With log file validation on, CloudTrail delivers an hourly digest file
/// (under CloudTrail-Digest/) listing the SHA-256 of every log file it
/// delivered and the hash and signature of the previous digest. verify finds
/// digests and log files among the PATHs by content and reports log files
/// that were modified, listed files that are missing, log files no digest
/// lists, breaks and gaps in the digest chain and, with --public-keys,
/// digests whose RSA signature does not verify. It needs no AWS credentials.
///
/// CloudTrail keeps each digest's signature in S3 object metadata
/// (x-amz-meta-signature), which an export does not carry: save it beside
/// the digest as `<digest file>.signature` (the hex, or the JSON of
/// `aws s3api head-object`), or signatures are reported as not available.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail verify exports/AWSLogs
  backtrail verify exports/ --public-keys keys.json --json
  aws cloudtrail list-public-keys --start-time 2026-03-01 > keys.json   # on a machine with credentials

Exit codes: 0 everything verifies; 1 error (a PATH or the key file cannot
be read); 3 something does not verify (see the problems).")]
pub struct VerifyArgs {
    /// Files or directories holding CloudTrail log and digest files (walked recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The JSON output of `aws cloudtrail list-public-keys`, to check digest signatures.
    #[arg(long, value_name = "FILE")]
    pub public_keys: Option<PathBuf>,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: VerifyArgs) -> anyhow::Result<u8> {
    let report = verify(&a.paths, a.public_keys.as_deref())?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(if report.verified() {
        exit::OK
    } else {
        exit::ATTENTION
    })
}

/// The human-readable report: counts, then one line per problem.
pub fn render(r: &VerifyReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "backtrail verify: {} files, {} digest files",
        r.files_seen, r.digest_files
    );
    let _ = writeln!(
        o,
        "  log files     {} ok, {} modified, {} missing, {} unlisted, {} unreadable",
        r.ok, r.mismatched, r.missing, r.unlisted, r.unreadable
    );
    let _ = writeln!(
        o,
        "  digest chain  {} links ok, {} breaks, {} gaps",
        r.chain_links_ok, r.chain_breaks, r.gaps
    );
    let _ = writeln!(
        o,
        "  signatures    {} verified, {} failed, {} not available, {} not checked{}",
        r.signatures_verified,
        r.signatures_failed,
        r.signatures_unavailable,
        r.signatures_not_checked,
        if r.signatures_not_checked > 0 {
            " (give --public-keys)"
        } else {
            ""
        }
    );
    if !r.digests.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "  {:<21} {:<21} {:>5}  {:<8} {:<13} DIGEST",
            "START", "END", "LOGS", "CHAIN", "SIGNATURE"
        );
        for d in &r.digests {
            let chain = match d.chain {
                ChainStatus::Linked => "linked",
                ChainStatus::Start => "start",
                ChainStatus::Broken => "BROKEN",
                ChainStatus::Backfill => "backfill",
            };
            let sig = match d.signature {
                SignatureStatus::Verified => "verified",
                SignatureStatus::Failed => "FAILED",
                SignatureStatus::Unavailable => "not available",
                SignatureStatus::NotChecked => "not checked",
            };
            let _ = writeln!(
                o,
                "  {:<21} {:<21} {:>5}  {:<8} {:<13} {}",
                d.start.as_deref().unwrap_or("?"),
                d.end.as_deref().unwrap_or("?"),
                d.log_files_listed,
                chain,
                sig,
                d.path
            );
        }
    }
    if !r.problems.is_empty() {
        let _ = writeln!(o);
        let width = r
            .problems
            .iter()
            .map(|p| p.kind.label().len())
            .max()
            .unwrap_or(0);
        for p in &r.problems {
            let _ = writeln!(o, "  {:<width$}  {}", p.kind.label(), p.path);
            let _ = writeln!(o, "  {:<width$}    {}", "", p.message);
            if let Some(d) = &p.digest {
                let _ = writeln!(o, "  {:<width$}    (digest: {d})", "");
            }
        }
    }
    for n in &r.notes {
        let _ = writeln!(o, "  note: {}: {}", n.path, n.message);
    }
    if !r.ignored.is_empty() {
        let _ = writeln!(
            o,
            "  ignored: {} file(s) that are neither digests nor log files (listed in --json)",
            r.ignored.len()
        );
    }
    let _ = writeln!(o);
    if r.verified() {
        let _ = writeln!(o, "result: OK, everything verifies");
    } else {
        let _ = writeln!(
            o,
            "result: FAILED, {} problem(s) (exit code 3)",
            r.problems.len()
        );
    }
    o
}
