//! The physical floor of ingest, for `benches/compare.sh`: gunzip every
//! `{"Records":[...]}` file under a directory and parse it into typed,
//! borrowed structs with serde, on N threads, and nothing else (no
//! normalization, no dedup, no output). An ingest that also keeps every
//! byte, dedups and writes Parquet cannot beat this loop.
//!
//! Top-level fields and the identity are parsed; nested payloads
//! (requestParameters, responseElements, ...) are borrowed as raw JSON, the
//! way a lake that keeps them byte for byte needs them.
//!
//! ```sh
//! cargo run --release --example parse_floor -- DIR [--threads 2]
//! ```

use std::borrow::Cow;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Document<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<Record<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Record<'a> {
    #[serde(borrow)]
    event_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_identity: Option<Identity<'a>>,
    #[serde(borrow)]
    event_time: Cow<'a, str>,
    #[serde(borrow)]
    event_source: Cow<'a, str>,
    #[serde(borrow)]
    event_name: Cow<'a, str>,
    #[serde(borrow)]
    aws_region: Option<Cow<'a, str>>,
    #[serde(rename = "sourceIPAddress", borrow)]
    source_ip_address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_agent: Option<Cow<'a, str>>,
    #[serde(borrow)]
    error_code: Option<Cow<'a, str>>,
    #[serde(borrow)]
    error_message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    additional_event_data: Option<&'a RawValue>,
    #[serde(rename = "requestID", borrow)]
    request_id: Option<Cow<'a, str>>,
    #[serde(rename = "eventID", borrow)]
    event_id: Option<Cow<'a, str>>,
    read_only: Option<bool>,
    #[serde(borrow)]
    resources: Option<&'a RawValue>,
    #[serde(borrow)]
    event_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    api_version: Option<Cow<'a, str>>,
    management_event: Option<bool>,
    #[serde(borrow)]
    recipient_account_id: Option<Cow<'a, str>>,
    #[serde(rename = "sharedEventID", borrow)]
    shared_event_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    vpc_endpoint_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event_category: Option<Cow<'a, str>>,
    #[serde(borrow)]
    tls_details: Option<&'a RawValue>,
    #[serde(borrow)]
    session_credential_from_console: Option<Cow<'a, str>>,
    #[serde(borrow)]
    service_event_details: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Identity<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    principal_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    arn: Option<Cow<'a, str>>,
    #[serde(borrow)]
    account_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    access_key_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    user_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow)]
    session_context: Option<&'a RawValue>,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut threads = 2usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().unwrap_or_default().parse()?,
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.ok_or_else(|| anyhow::anyhow!("usage: parse_floor DIR [--threads N]"))?;
    let started = Instant::now();
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(".json.gz")
        })
        .map(|e| e.into_path())
        .collect();
    files.sort();

    let next = AtomicUsize::new(0);
    let records = AtomicU64::new(0);
    let compressed = AtomicU64::new(0);
    let decompressed = AtomicU64::new(0);
    let checksum = AtomicU64::new(0);
    std::thread::scope(|s| -> anyhow::Result<()> {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| -> anyhow::Result<()> {
                    let mut raw = Vec::new();
                    let mut text = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else {
                            return Ok(());
                        };
                        raw.clear();
                        text.clear();
                        std::fs::File::open(path)?.read_to_end(&mut raw)?;
                        flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut text)?;
                        let doc: Document = serde_json::from_slice(&text)?;
                        // Touch the parsed data so the work cannot be optimised away.
                        let sum: u64 = doc
                            .records
                            .iter()
                            .map(|r| r.event_name.len() as u64 + r.event_time.len() as u64)
                            .sum();
                        checksum.fetch_add(sum, Ordering::Relaxed);
                        records.fetch_add(doc.records.len() as u64, Ordering::Relaxed);
                        compressed.fetch_add(raw.len() as u64, Ordering::Relaxed);
                        decompressed.fetch_add(text.len() as u64, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().expect("worker panicked")?;
        }
        Ok(())
    })?;
    let seconds = started.elapsed().as_secs_f64();
    let records = records.into_inner();
    let decompressed = decompressed.into_inner();
    println!(
        "{}",
        serde_json::json!({
            "files": files.len(),
            "records": records,
            "bytes_compressed": compressed.into_inner(),
            "bytes_decompressed": decompressed,
            "threads": threads,
            "seconds": seconds,
            "events_per_second": records as f64 / seconds,
            "mb_per_second": decompressed as f64 / 1e6 / seconds,
            "checksum": checksum.into_inner(),
        })
    );
    Ok(())
}
