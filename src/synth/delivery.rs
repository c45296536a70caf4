//! Packs records into CloudTrail's S3 delivery layout: one gzip file of
//! `{"Records":[...]}` per region and 5-minute delivery window, under
//! `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::{Compression, GzBuilder};

use super::engine::Event;
use super::identity::{Secs, World, at};
use super::json::write_record;
use super::rng::Rng;

/// CloudTrail delivers a file roughly every five minutes per region.
const WINDOW: Secs = 300;

/// One delivered log file.
#[derive(Debug, Clone)]
pub(crate) struct LogFile {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
    pub records: usize,
}

/// Groups events into delivery files, deterministically for `seed`.
pub(crate) fn package(world: &World, seed: u64, events: &[Event]) -> anyhow::Result<Vec<LogFile>> {
    let mut groups: BTreeMap<(&str, i64), Vec<&Event>> = BTreeMap::new();
    for e in events {
        let window = e.time.div_euclid(WINDOW) + i64::from(e.late);
        groups.entry((&e.region, window)).or_default().push(e);
    }
    let mut files = Vec::with_capacity(groups.len());
    for ((region, window), mut members) in groups {
        let mut rng = Rng::derive(seed, &format!("delivery/{region}/{window}"));
        // Real files are only roughly in time order: records from several
        // API front ends are concatenated.
        let mut jitter: BTreeMap<u64, i64> = BTreeMap::new();
        for e in &members {
            jitter.insert(e.seq, rng.range(0, 40));
        }
        members.sort_by_key(|e| (e.time + jitter[&e.seq], e.seq));

        let delivered = at((window + 1) * WINDOW);
        let stamp = delivered.format("%Y%m%dT%H%MZ");
        let name = format!(
            "{acct}_CloudTrail_{region}_{stamp}_{suffix}.json.gz",
            acct = world.account,
            suffix = rng.alnum(16)
        );
        let path = format!(
            "AWSLogs/{}/CloudTrail/{region}/{}/{name}",
            world.account,
            delivered.format("%Y/%m/%d")
        );

        let mut json = String::from("{\"Records\":[");
        for (i, e) in members.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            write_record(&mut json, &e.record);
        }
        json.push_str("]}");

        files.push(LogFile {
            path,
            bytes: gzip(json.as_bytes())?,
            records: members.len(),
        });
    }
    Ok(files)
}

/// Gzip with a fixed header (no name, mtime 0, OS unknown) and level, so
/// the bytes depend only on the input.
pub(crate) fn gzip(data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut enc = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::new(6));
    enc.write_all(data)?;
    enc.finish()
}
