//! Data coverage: how complete the evidence behind an analysis is.
//!
//! The incident report and the drift review both carry it: the time range,
//! accounts and regions present, hours with no events from an account and
//! region that normally logs, changes to trail logging, and the result of
//! checking the log files against their CloudTrail digests when they were
//! supplied. The rules live here once; each analysis feeds in its events.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::Serialize;

use crate::lake::Lake;
use crate::query::{self, RunError};
use crate::verify::VerifyReport;

const HOUR: i64 = 3_600_000_000;

/// CloudTrail calls that stop or narrow what a trail records.
pub const LOGGING_CHANGES: [&str; 4] = [
    "StopLogging",
    "DeleteTrail",
    "UpdateTrail",
    "PutEventSelectors",
];

/// Does a successful call with this name change what the trail logs?
pub fn is_logging_change(event_name: &str) -> bool {
    LOGGING_CHANGES.contains(&event_name)
}

#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub lake_start: String,
    pub lake_end: String,
    pub events_in_analysis: u64,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub source_files: u64,
    pub gaps: Vec<Gap>,
    pub logging_changes: Vec<String>,
    /// The digest check of the log files, when they were supplied.
    pub verification: Option<Verification>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub account: String,
    pub region: String,
    pub hour: String,
}

/// The most gap hours listed; the count beyond is still visible as a
/// factor in the analysis.
pub const MAX_GAPS: usize = 200;

/// Hours in `[from, to]` (microseconds) with no events from an account and
/// region that logged in at least 80 % of that range's hours, for ranges
/// of six hours or more. `hours` holds, per (account, region), the hours
/// (`time / 1 h`) that have events.
pub fn gaps(hours: &BTreeMap<(String, String), BTreeSet<i64>>, from: i64, to: i64) -> Vec<Gap> {
    let (h0, h1) = (from.div_euclid(HOUR), to.div_euclid(HOUR));
    let total = (h1 - h0 + 1).max(1);
    let mut out = Vec::new();
    for ((a, r), hs) in hours {
        let present = hs.range(h0..=h1).count() as i64;
        if present * 10 < total * 8 || total < 6 {
            continue;
        }
        for h in h0..=h1 {
            if !hs.contains(&h) {
                out.push(Gap {
                    account: a.clone(),
                    region: r.clone(),
                    hour: crate::incident::iso(h * HOUR),
                });
            }
        }
    }
    out.truncate(MAX_GAPS);
    out
}

/// The digest check, as the reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// True when every check passed.
    pub verified: bool,
    /// The result in one sentence, as the reports print it.
    pub summary: String,
    pub inputs: Vec<String>,
    pub digest_files: u64,
    pub log_files_checked: u64,
    pub log_files_ok: u64,
    pub modified: u64,
    pub missing: u64,
    pub unlisted: u64,
    pub unreadable: u64,
    pub chain_breaks: u64,
    pub chain_gaps: u64,
    pub signatures_verified: u64,
    pub signatures_failed: u64,
    pub signatures_unavailable: u64,
    /// The first problems, one line each.
    pub problems: Vec<String>,
    pub problems_total: usize,
}

impl Verification {
    /// Check `paths` against the digests among them (as `backtrail verify`).
    pub fn run(paths: &[PathBuf], public_keys: Option<&Path>) -> anyhow::Result<Self> {
        let r = crate::verify::verify(paths, public_keys)?;
        Ok(Self::from_report(&r, paths))
    }

    pub fn from_report(r: &VerifyReport, paths: &[PathBuf]) -> Self {
        let mut v = Verification {
            verified: r.verified(),
            summary: String::new(),
            inputs: paths.iter().map(|p| p.display().to_string()).collect(),
            digest_files: r.digest_files,
            log_files_checked: r.files_checked,
            log_files_ok: r.ok,
            modified: r.mismatched,
            missing: r.missing,
            unlisted: r.unlisted,
            unreadable: r.unreadable,
            chain_breaks: r.chain_breaks,
            chain_gaps: r.gaps,
            signatures_verified: r.signatures_verified,
            signatures_failed: r.signatures_failed,
            signatures_unavailable: r.signatures_unavailable,
            problems: r
                .problems
                .iter()
                .take(20)
                .map(|p| format!("{}: {} ({})", p.kind.label(), p.path, p.message))
                .collect(),
            problems_total: r.problems.len(),
        };
        v.summary = v.sentence();
        v
    }

    /// One sentence for the reports.
    pub fn sentence(&self) -> String {
        if self.digest_files == 0 {
            return "No CloudTrail digest files were among the inputs, so log file integrity could not be checked.".into();
        }
        let signatures = if self.signatures_verified + self.signatures_failed > 0 {
            format!(
                ", {} digest signature(s) verified and {} failed",
                self.signatures_verified, self.signatures_failed
            )
        } else {
            ", digest signatures not checked".to_string()
        };
        if self.verified {
            format!(
                "All {} log file(s) listed by {} digest file(s) are present and unmodified, and the digest chain is unbroken{signatures}.",
                self.log_files_ok, self.digest_files
            )
        } else {
            format!(
                "Log file integrity does NOT verify: {} modified, {} missing, {} not listed by any digest, {} unreadable, {} break(s) and {} gap(s) in the digest chain{signatures}.",
                self.modified,
                self.missing,
                self.unlisted,
                self.unreadable,
                self.chain_breaks,
                self.chain_gaps
            )
        }
    }
}

/// What the lake holds in a window, by the query library's
/// `coverage-hours` and `coverage-files`: the facts behind a data-coverage
/// section, shared by the drift review and the incident analysis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub events: u64,
    pub accounts: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    pub source_files: u64,
    /// Hours (`time / 1 h`) with events, per (account, region): the input of
    /// [`gaps`].
    pub hours: BTreeMap<(String, String), BTreeSet<i64>>,
    /// The first and last hour with events (µs).
    pub first: Option<i64>,
    pub last: Option<i64>,
}

impl Observed {
    /// Count `events` events of `account` and `region` (either may be
    /// empty) in the hour starting at `hour` (µs): one row of
    /// `coverage-hours`.
    fn count(&mut self, account: &str, region: &str, hour: i64, events: u64) {
        self.events += events;
        self.first = Some(self.first.map_or(hour, |f| f.min(hour)));
        self.last = Some(self.last.map_or(hour, |l| l.max(hour)));
        if !account.is_empty() && !self.accounts.contains(account) {
            self.accounts.insert(account.to_string());
        }
        if !region.is_empty() && !self.regions.contains(region) {
            self.regions.insert(region.to_string());
        }
        if !account.is_empty() && !region.is_empty() {
            self.hours
                .entry((account.to_string(), region.to_string()))
                .or_default()
                .insert(hour / HOUR);
        }
    }
}

/// [`Observed`] counted from the rows of frames already read (a reader
/// that has every event of the window in hand, such as the incident
/// analysis), as the built-in `coverage-hours` and `coverage-files`
/// queries count them, without a second scan of the window.
#[derive(Debug, Default)]
pub struct Tally {
    /// Events per (account, region, hour).
    hours: BTreeMap<(String, String, i64), u64>,
    files: BTreeSet<String>,
}

impl Tally {
    /// The columns [`Tally::add`] reads.
    pub const COLUMNS: [&str; 5] = [
        "recipient_account_id",
        "account_id",
        "aws_region",
        "source_file",
        "event_time",
    ];

    /// Count the rows of `df`: its `recipient_account_id`, `account_id`,
    /// `aws_region`, `source_file` and `event_time` (microseconds, Int64).
    pub fn add(&mut self, df: &DataFrame) -> PolarsResult<()> {
        let strs = |c: &str| df.column(c).and_then(|c| c.str().cloned());
        let [recipient, caller, region, file, time] = Self::COLUMNS;
        let (recipient, caller) = (strs(recipient)?, strs(caller)?);
        let (region, file) = (strs(region)?, strs(file)?);
        let time = df.column(time)?.i64()?.clone();
        let mut hours: PlHashMap<(&str, &str, i64), u64> = PlHashMap::default();
        let mut files: PlHashSet<&str> = PlHashSet::default();
        let rows = recipient
            .iter()
            .zip(caller.iter())
            .zip(region.iter())
            .zip(file.iter())
            .zip(time.iter());
        for ((((recipient, caller), region), file), time) in rows {
            // A row without a time is outside every window the query reads.
            let Some(time) = time else { continue };
            let account = recipient.or(caller).unwrap_or("");
            let hour = time.div_euclid(HOUR) * HOUR;
            *hours
                .entry((account, region.unwrap_or(""), hour))
                .or_default() += 1;
            if let Some(f) = file {
                files.insert(f);
            }
        }
        for ((a, r, h), n) in hours {
            *self
                .hours
                .entry((a.to_string(), r.to_string(), h))
                .or_default() += n;
        }
        for f in files {
            if !self.files.contains(f) {
                self.files.insert(f.to_string());
            }
        }
        Ok(())
    }

    pub fn observed(self) -> Observed {
        let mut o = Observed {
            source_files: self.files.len() as u64,
            ..Observed::default()
        };
        for ((a, r, h), n) in &self.hours {
            o.count(a, r, *h, *n);
        }
        o
    }
}

/// The bound parameters of the coverage queries for `[from, to)`, plus `extra`.
fn window_params(from: i64, to: i64, extra: &[(&str, String)]) -> Vec<(String, String)> {
    let mut p = query::window_params(from, to);
    p.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    p
}

/// [`Observed`] for `[from, to)` (microseconds).
pub fn observe(
    lake: &Lake,
    queries: Option<&Path>,
    from: i64,
    to: i64,
) -> Result<Observed, RunError> {
    observe_on(query::scan_events(lake)?, queries, from, to)
}

/// [`observe`] over `scan` (the lake's events).
pub fn observe_on(
    scan: LazyFrame,
    queries: Option<&Path>,
    from: i64,
    to: i64,
) -> Result<Observed, RunError> {
    let params = |extra: &[(&str, String)]| window_params(from, to, extra);
    let t0 = std::time::Instant::now();
    let hours = run_on(scan.clone(), queries, "coverage-hours", &params(&[]))?;
    tracing::debug!("coverage-hours in {:?}", t0.elapsed());
    let mut seen = Observed::default();
    {
        let err = |e: PolarsError| query::polars_error("coverage-hours", "", e);
        let acc = hours.column("account").map_err(err)?.str().map_err(err)?;
        let reg = hours.column("region").map_err(err)?.str().map_err(err)?;
        let hour = hours.column("hour").map_err(err)?.str().map_err(err)?;
        let n = hours
            .column("events")
            .map_err(err)?
            .cast(&DataType::Int64)
            .map_err(err)?;
        let n = n.i64().map_err(err)?;
        for i in 0..hours.height() {
            let (a, r) = (acc.get(i).unwrap_or(""), reg.get(i).unwrap_or(""));
            let Some(h) = hour.get(i).and_then(parse_hour) else {
                continue;
            };
            seen.count(a, r, h, n.get(i).unwrap_or(0).max(0) as u64);
        }
    }
    let files = run_on(scan, queries, "coverage-files", &params(&[]))?;
    tracing::debug!("coverage-hours and -files in {:?}", t0.elapsed());
    seen.source_files = files
        .column("files")
        .ok()
        .and_then(|c| c.cast(&DataType::Int64).ok())
        .and_then(|c| c.i64().ok().and_then(|c| c.get(0)))
        .unwrap_or(0)
        .max(0) as u64;
    Ok(seen)
}

/// Coverage of the lake in `[from, to)` (microseconds): [`observe`], and the
/// logging changes by the query library's `logging-tampering`.
pub fn from_lake(
    lake: &Lake,
    queries: Option<&Path>,
    from: i64,
    to: i64,
) -> Result<Coverage, RunError> {
    let seen = observe(lake, queries, from, to)?;
    // The logging changes are CloudTrail's own successful calls: the query
    // runs over those alone, not over every payload in the window.
    let tamper = run_on(
        query::scan_events(lake)?.filter(
            col("iam_action")
                .str()
                .starts_with(lit("cloudtrail:"))
                .and(col("error_code").is_null()),
        ),
        queries,
        "logging-tampering",
        &window_params(from, to, &[("principal", "%".to_string())]),
    )?;
    let mut logging_changes = Vec::new();
    {
        let err = |e: PolarsError| query::polars_error("logging-tampering", "", e);
        let t = tamper
            .column("event_time")
            .map_err(err)?
            .cast(&DataType::String)
            .map_err(err)?;
        let t = t.str().map_err(err)?;
        let id = tamper.column("event_id").map_err(err)?.str().map_err(err)?;
        let act = tamper
            .column("iam_action")
            .map_err(err)?
            .str()
            .map_err(err)?;
        for i in 0..tamper.height() {
            let action = act.get(i).unwrap_or("");
            if !is_logging_change(action.split(':').nth(1).unwrap_or("")) {
                continue;
            }
            logging_changes.push(format!(
                "{} {} ({})",
                t.get(i).unwrap_or(""),
                action,
                id.get(i).unwrap_or("")
            ));
        }
    }
    Ok(Coverage {
        lake_start: seen.first.map(crate::incident::iso).unwrap_or_default(),
        lake_end: seen
            .last
            .map(|l| crate::incident::iso(l + HOUR - 1))
            .unwrap_or_default(),
        events_in_analysis: seen.events,
        accounts: seen.accounts.into_iter().collect(),
        regions: seen.regions.into_iter().collect(),
        source_files: seen.source_files,
        gaps: gaps(&seen.hours, from, to - 1),
        logging_changes,
        verification: None,
    })
}

/// `YYYY-MM-DD HH` (the query's hour bucket) as microseconds.
fn parse_hour(s: &str) -> Option<i64> {
    let t = chrono::NaiveDateTime::parse_from_str(&format!("{s}:00:00"), "%Y-%m-%d %H:%M:%S")
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(&format!("{s}:00:00"), "%Y-%m-%dT%H:%M:%S")
        })
        .ok()?;
    Some(t.and_utc().timestamp_micros())
}

/// A query of the library over `events` (the lake's scan, or a filtered one), collected.
fn run_on(
    events: LazyFrame,
    queries: Option<&Path>,
    name: &str,
    params: &[(String, String)],
) -> Result<DataFrame, RunError> {
    let (name, sql) = query::library_sql(queries, name, params)?;
    query::run_sql_on(events, &name, &sql)?
        .collect()
        .map_err(|e| query::polars_error(&name, &sql, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(list: &[(&str, &[i64])]) -> BTreeMap<(String, String), BTreeSet<i64>> {
        list.iter()
            .map(|(r, hs)| {
                (
                    ("111122223333".to_string(), r.to_string()),
                    hs.iter().copied().collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_gap_is_an_hour_missing_from_a_source_that_logs_most_hours() {
        let from = 1_000 * HOUR;
        let to = from + 9 * HOUR; // ten hours
        let all_but_one: Vec<i64> = (1_000..1_010).filter(|h| *h != 1_004).collect();
        let half: Vec<i64> = (1_000..1_005).collect();
        let g = gaps(
            &hours(&[("eu-west-1", &all_but_one), ("us-east-1", &half)]),
            from,
            to,
        );
        assert_eq!(g.len(), 1, "{g:?}");
        assert_eq!(
            (g[0].region.as_str(), g[0].hour.as_str()),
            ("eu-west-1", crate::incident::iso(1_004 * HOUR).as_str())
        );
        // Under six hours, nothing is called a gap.
        assert!(
            gaps(
                &hours(&[("eu-west-1", &[1_000, 1_001, 1_003, 1_004])]),
                from,
                from + 4 * HOUR
            )
            .is_empty()
        );
    }

    #[test]
    fn the_trail_changes_that_narrow_logging_are_named() {
        assert!(is_logging_change("StopLogging"));
        assert!(is_logging_change("PutEventSelectors"));
        assert!(!is_logging_change("StartLogging"));
        assert!(!is_logging_change("LookupEvents"));
    }
}
