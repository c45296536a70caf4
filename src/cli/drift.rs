//! `backtrail drift`.

use super::incident::{parse_duration, parse_time};
use crate::actors::config::Config;
use crate::drift::{self, DriftOptions, Severity, state::State};
use crate::lake::Lake;
use crate::report::{self, Format, Identities};
use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, Weekday};
use clap::Args;
use std::path::PathBuf;

const DAY: i64 = 86_400_000_000;

/// Review a week's permission drift: IAM changes, new behaviour (agents
/// first), granted versus used permissions, and least-privilege suggestions.
///
/// Exit status: 0 when no new finding reaches --fail-on, 3 when one does,
/// 1 on errors. With --state, the review continues from the last one and
/// only findings it has not reported before count.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail drift --lake lake --week 2026-W10 --format html --out drift.html
  backtrail drift --lake lake --iam-snapshot now.json --previous-iam-snapshot last-week.json --format json
  backtrail drift --lake lake --state drift-state.json --format md --out drift.md --fail-on medium

Cron (Mondays 07:00):
  0 7 * * 1  backtrail drift --lake /data/lake --state /data/drift.json --format html --out /data/drift.html || mail -s drift oncall@example.com < /dev/null")]
pub struct DriftArgs {
    /// The lake directory.
    #[arg(long)]
    pub lake: PathBuf,
    /// ISO week to review, e.g. 2026-W10 (default: the week of the lake's last event, or the week after --state's last review).
    #[arg(long, conflicts_with_all = ["from", "to"])]
    pub week: Option<String>,
    /// Start of the review period (RFC 3339); needs --to.
    #[arg(long, requires = "to")]
    pub from: Option<String>,
    /// End of the review period (RFC 3339).
    #[arg(long, requires = "from")]
    pub to: Option<String>,
    /// How far back before the period the baseline reaches.
    #[arg(long, default_value = "4w")]
    pub baseline: String,
    /// The current `aws iam get-account-authorization-details` snapshot.
    #[arg(long)]
    pub iam_snapshot: Option<PathBuf>,
    /// Last review's snapshot, for the granted-permission diff.
    #[arg(long)]
    pub previous_iam_snapshot: Option<PathBuf>,
    /// backtrail.toml: actor kinds for named principals and patterns.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Keeps what the last review saw (created if missing).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Write here instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Exit 3 when a new finding reaches this severity.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: Severity,
    /// Show human identities instead of pseudonyms.
    #[arg(long, value_enum, default_value = "pseudonymise")]
    pub identities: Identities,
    /// Read the query library from this directory instead of the built-in copy.
    #[arg(long, env = "BACKTRAIL_QUERIES")]
    pub queries: Option<PathBuf>,
    /// CloudTrail log and digest files to check (as `backtrail verify`); the
    /// result goes in the review's data coverage, and a failure is a high
    /// finding. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub digests: Vec<PathBuf>,
    /// `aws cloudtrail list-public-keys` output, to check digest signatures too.
    #[arg(long, value_name = "FILE", requires = "digests")]
    pub public_keys: Option<PathBuf>,
}

fn week_start(s: &str) -> anyhow::Result<i64> {
    let (y, w) = s
        .split_once("-W")
        .and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)))
        .with_context(|| format!("--week {s:?} is not an ISO week such as 2026-W10"))?;
    let d = NaiveDate::from_isoywd_opt(y, w, Weekday::Mon)
        .with_context(|| format!("--week {s:?} does not exist"))?;
    Ok(d.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_micros())
}

fn week_label(us: i64) -> String {
    let d = crate::event::time::from_micros(us)
        .map(|t| t.date_naive())
        .unwrap_or_default();
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

pub fn run(a: DriftArgs) -> anyhow::Result<u8> {
    let lake = Lake::new(&a.lake);
    let mut state = match &a.state {
        Some(p) => Some(State::load(p)?),
        None => None,
    };
    let (from, to) = match (&a.week, &a.from, &a.to) {
        (Some(w), _, _) => {
            let s = week_start(w)?;
            (s, s + 7 * DAY)
        }
        (None, Some(f), Some(t)) => (parse_time(f, "--from")?, parse_time(t, "--to")?),
        _ => match state.as_ref().and_then(|s| s.last_period_end) {
            Some(end) => (end, end + 7 * DAY),
            None => {
                let (_, hi) = crate::incident::load::time_range(&lake, None)?
                    .context("the lake holds no events")?;
                let d = crate::event::time::from_micros(hi)
                    .context("time")?
                    .date_naive();
                let monday = d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64);
                let s = monday
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight")
                    .and_utc()
                    .timestamp_micros();
                (s, s + 7 * DAY)
            }
        },
    };
    if to <= from {
        bail!("the review period is empty: --to must be after --from");
    }
    let config = match &a.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let opts = DriftOptions {
        from,
        to,
        baseline: parse_duration(&a.baseline)?,
        label: if to - from == 7 * DAY {
            week_label(from)
        } else {
            format!(
                "{} to {}",
                crate::incident::iso(from),
                crate::incident::iso(to)
            )
        },
        iam_snapshot: a.iam_snapshot.clone(),
        previous_iam_snapshot: a.previous_iam_snapshot.clone(),
        config,
        queries: a.queries.clone(),
        seen_before: state
            .as_ref()
            .map(|s| s.reported.clone())
            .unwrap_or_default(),
        state_path: a.state.as_ref().map(|p| p.display().to_string()),
        verification: if a.digests.is_empty() {
            None
        } else {
            Some(crate::coverage::Verification::run(
                &a.digests,
                a.public_keys.as_deref(),
            )?)
        },
    };
    let review = drift::review(&lake, &opts)?;
    let failing = review
        .findings
        .iter()
        .filter(|f| f.new && f.severity >= a.fail_on)
        .count();
    let v = report::prepare(&review, a.identities);
    let text = report::render_drift(&v, a.format)?;
    let mut w = super::output(a.out.as_deref())?;
    w.write_all(text.as_bytes())?;
    w.flush()?;
    if let (Some(s), Some(p)) = (state.as_mut(), &a.state) {
        s.last_period_end = Some(to);
        s.reported
            .extend(review.findings.iter().map(|f| f.id.clone()));
        s.save(p)?;
    }
    Ok(if failing > 0 {
        crate::exit::ATTENTION
    } else {
        crate::exit::OK
    })
}
