//! Planting a scenario inside scale-mode noise: its records, moved in time.

use std::collections::BTreeMap;
use std::io::Read;

use anyhow::Context;
use chrono::{NaiveDateTime, SecondsFormat};
use serde_json::Value;

use super::super::identity::Secs;
use super::super::{KeyEvent, SynthOptions};
use super::{partition_of, to_json};

pub(super) struct PlantRecord {
    pub(super) time: Secs,
    pub(super) region: String,
    pub(super) json: String,
}

pub(super) struct Plant {
    pub(super) account: String,
    pub(super) partition: String,
    /// The scenario's regions, busiest first.
    pub(super) regions: Vec<String>,
    pub(super) records: Vec<PlantRecord>,
    pub(super) key_events: Vec<KeyEvent>,
    pub(super) extra_files: Vec<(String, Vec<u8>)>,
}

/// Generates scenario `name` and moves it so its first record is at
/// `plant_at` (default: the middle of the range, on the hour).
pub(super) fn load_plant(
    name: &str,
    seed: u64,
    plant_at: Option<i64>,
    start: Secs,
    end: Secs,
) -> anyhow::Result<Plant> {
    let generated = super::super::generate(&SynthOptions {
        seed,
        scenario: Some(name.to_string()),
        noise_percent: 100,
    })?;
    let mut records: Vec<Value> = Vec::new();
    let mut extra_files = Vec::new();
    for f in generated.files {
        if f.path.starts_with("AWSLogs/") && f.path.ends_with(".json.gz") {
            let mut text = String::new();
            flate2::read::GzDecoder::new(&f.bytes[..])
                .read_to_string(&mut text)
                .with_context(|| format!("reading generated {}", f.path))?;
            let mut doc: Value = serde_json::from_str(&text)
                .with_context(|| format!("parsing generated {}", f.path))?;
            if let Some(Value::Array(items)) = doc.get_mut("Records").map(Value::take) {
                records.extend(items);
            }
        } else {
            extra_files.push((f.path, f.bytes));
        }
    }
    let time_of = |r: &Value| -> Secs {
        r["eventTime"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.timestamp())
            .unwrap_or(0)
    };
    let first = records.iter().map(time_of).min().unwrap_or(start);
    let target = plant_at.unwrap_or_else(|| {
        let mid = start + (end - start) / 2;
        mid - mid.rem_euclid(3600)
    });
    let delta = target - first;

    let mut account = String::new();
    let mut by_region: BTreeMap<String, usize> = BTreeMap::new();
    let mut planted = Vec::with_capacity(records.len());
    for mut rec in records {
        shift_times(&mut rec, delta);
        if account.is_empty() {
            account = rec["recipientAccountId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
        }
        let region = rec["awsRegion"].as_str().unwrap_or("us-east-1").to_string();
        *by_region.entry(region.clone()).or_default() += 1;
        planted.push(PlantRecord {
            time: time_of(&rec),
            region,
            json: to_json(&rec),
        });
    }
    let mut regions: Vec<(String, usize)> = by_region.into_iter().collect();
    regions.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let regions: Vec<String> = regions.into_iter().map(|(r, _)| r).collect();
    let partition =
        partition_of(regions.first().map(String::as_str).unwrap_or("us-east-1")).to_string();

    let key_events = generated
        .summary
        .key_events
        .into_iter()
        .map(|mut k| {
            if let Some(s) = shift_str(&k.event_time, delta) {
                k.event_time = s;
            }
            k
        })
        .collect();
    let extra_files = extra_files
        .into_iter()
        .map(
            |(path, bytes)| match serde_json::from_slice::<Value>(&bytes) {
                Ok(mut v) => {
                    shift_times(&mut v, delta);
                    (path, super::super::json::to_pretty_sorted(&v).into_bytes())
                }
                Err(_) => (path, bytes),
            },
        )
        .collect();
    Ok(Plant {
        account,
        partition,
        regions,
        records: planted,
        key_events,
        extra_files,
    })
}

/// Moves every timestamp in `v` by `delta` seconds: RFC 3339 strings and
/// the Java-style dates STS and Secrets Manager write.
pub(super) fn shift_times(v: &mut Value, delta: i64) {
    match v {
        Value::String(s) => {
            if let Some(n) = shift_str(s, delta) {
                *s = n;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| shift_times(i, delta)),
        Value::Object(map) => map.values_mut().for_each(|i| shift_times(i, delta)),
        _ => {}
    }
}

pub(super) fn shift_str(s: &str, delta: i64) -> Option<String> {
    let b = s.as_bytes();
    if (20..=35).contains(&b.len())
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[10] == b'T'
    {
        let t = chrono::DateTime::parse_from_rfc3339(s).ok()?;
        let shifted = t + chrono::Duration::seconds(delta);
        return Some(if b.len() == 20 && s.ends_with('Z') {
            shifted.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else if s.ends_with('Z') {
            let digits = s.rsplit('.').next().map(|f| f.len() - 1).unwrap_or(0);
            let form = match digits {
                0 => SecondsFormat::Secs,
                1..=3 => SecondsFormat::Millis,
                4..=6 => SecondsFormat::Micros,
                _ => SecondsFormat::Nanos,
            };
            shifted.to_utc().to_rfc3339_opts(form, true)
        } else {
            shifted.to_rfc3339()
        });
    }
    if (19..=26).contains(&b.len())
        && (s.ends_with(" AM") || s.ends_with(" PM"))
        && s.contains(", ")
    {
        let t = NaiveDateTime::parse_from_str(s, "%b %d, %Y, %I:%M:%S %p").ok()?;
        let shifted = t + chrono::Duration::seconds(delta);
        return Some(shifted.format("%b %-d, %Y, %-I:%M:%S %p").to_string());
    }
    None
}
