//! What principals did, aggregated in polars over a lazy scan of the lake
//! (partition pruning on `event_date`): per principal and dimension (action,
//! service, region, source IP, user agent), whether it was seen in the
//! baseline and in the review period.

use crate::lake::Lake;
use crate::query::{self, RunError};
use polars::prelude::*;

/// A principal as drift sees it: the role (not the session), the user, the
/// root user, or the AWS service acting.
pub fn principal_expr() -> Expr {
    when(col("invoked_by").is_not_null())
        .then(concat_str([lit("service:"), col("invoked_by")], "", true))
        .otherwise(coalesce(&[
            col("session_issuer_arn"),
            col("arn"),
            col("principal_id"),
        ]))
        .alias("principal")
}

/// The scan limited to `[from, to)`, with `principal`, `t` (µs) and `in_period`.
fn scan(lake: &Lake, from: i64, to: i64, period_start: i64) -> Result<LazyFrame, RunError> {
    Ok(window(query::scan_events(lake)?, from, to, period_start))
}

/// [`scan`] of `events`, the lake's scan.
fn window(events: LazyFrame, from: i64, to: i64, period_start: i64) -> LazyFrame {
    events
        .filter(query::dates_between(from, to - 1))
        .with_columns([
            principal_expr(),
            col("event_time").cast(DataType::Int64).alias("t"),
        ])
        .filter(col("t").gt_eq(lit(from)).and(col("t").lt(lit(to))))
        .with_column(col("t").gt_eq(lit(period_start)).alias("in_period"))
}

/// One (principal, dimension value) pair.
#[derive(Debug, Clone)]
pub struct Seen {
    pub principal: String,
    pub value: String,
    pub in_baseline: bool,
    pub in_period: bool,
    /// First event in the period with this value.
    pub first_event: Option<String>,
    pub first_time: Option<i64>,
    pub count_period: u32,
}

fn strs(df: &DataFrame, c: &str) -> PolarsResult<Vec<Option<String>>> {
    let col = df.column(c)?.cast(&DataType::String)?;
    let ca = col.str()?;
    Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
}
fn bools(df: &DataFrame, c: &str) -> PolarsResult<Vec<bool>> {
    let ca = df.column(c)?.bool()?;
    Ok(ca.iter().map(|v| v.unwrap_or(false)).collect())
}
fn ints(df: &DataFrame, c: &str) -> PolarsResult<Vec<Option<i64>>> {
    let col = df.column(c)?.cast(&DataType::Int64)?;
    let ca = col.i64()?;
    Ok(ca.iter().collect())
}

/// The identity columns a [`PrincipalSample`] takes.
const IDENTITY: [&str; 8] = [
    "identity_type",
    "arn",
    "user_name",
    "invoked_by",
    "session_issuer_arn",
    "session_issuer_user_name",
    "web_id_federation_provider",
    "session_credential_from_console",
];

/// What principals did in `[from, to)`: each principal's identity sample,
/// and per dimension of `dims`, where each (principal, value) was seen.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub principals: Vec<PrincipalSample>,
    /// One list per dimension, in the order of `dims`.
    pub seen: Vec<Vec<Seen>>,
}

/// One scan for everything [`Activity`] holds. The events are first reduced,
/// a day at a time, to one row per distinct combination of principal,
/// dimension values and side of the period start (thousands of rows for
/// millions of events: principals repeat their calls), with the group's
/// count, first row, earliest event, and each identity field's first value
/// and its row; the principals and each dimension are aggregated from those
/// rows. Row numbers keep the scan's order, so that "first" means what it
/// would on the events themselves.
pub fn activity(
    lake: &Lake,
    from: i64,
    to: i64,
    period_start: i64,
    dims: &[&str],
) -> Result<Activity, RunError> {
    let err = |e| query::polars_error("drift activity", "", e);
    let mut keys: Vec<Expr> = vec![col("principal"), col("in_period")];
    keys.extend(dims.iter().map(|d| col(*d)));
    let earliest = col("t").arg_min();
    let mut aggs = vec![
        col("row").min().alias("first_row"),
        col("row").max().alias("last_row"),
        col("t").min().alias("ft"),
        col("row").get(earliest.clone(), true).alias("fr"),
        col("event_id").get(earliest, true).alias("fe"),
        len().cast(DataType::UInt64).alias("n"),
    ];
    // The same, combining reductions: the earliest event of the earliest
    // reduction, each identity field from the reduction that saw it first.
    let at_earliest = |c: &str| {
        col(c)
            .sort_by([col("ft"), col("fr")], SortMultipleOptions::default())
            .first()
    };
    let mut combine = vec![
        col("first_row").min(),
        col("last_row").max(),
        col("ft").min(),
        at_earliest("fr"),
        at_earliest("fe"),
        col("n").sum(),
    ];
    // Each identity field's first value in the group, and its row.
    for c in IDENTITY {
        let row = format!("{c}_row");
        if !dims.contains(&c) {
            aggs.push(col(c).drop_nulls().first());
            combine.push(
                col(c)
                    .sort_by([col(row.as_str())], SortMultipleOptions::default())
                    .drop_nulls()
                    .first(),
            );
        }
        aggs.push(
            col("row")
                .filter(col(c).is_not_null())
                .first()
                .alias(row.as_str()),
        );
        combine.push(col(row.as_str()).min());
    }

    // Day by day, so that memory holds one day's events, not the range's:
    // each day is reduced, then the days' reductions are combined. Row
    // numbers go on from one day to the next, in the scan's order.
    let events = query::scan_events(lake)?;
    let mut days: Vec<LazyFrame> = Vec::new();
    let mut next_row: IdxSize = 0;
    let mut lo = from;
    while lo < to {
        let hi = (lo.div_euclid(DAY) * DAY + DAY).min(to);
        let day = window(events.clone(), lo, hi, period_start)
            .with_row_index("row", Some(next_row))
            .filter(col("principal").is_not_null())
            .group_by(keys.clone())
            .agg(aggs.clone())
            .collect()
            .map_err(err)?;
        if let Some(last) = df_max_row(&day).map_err(err)? {
            next_row = last + 1;
        }
        days.push(day.lazy());
        lo = hi;
    }
    let reduced = match days.len() {
        0 => return Ok(Activity::default()),
        1 => days.remove(0),
        _ => concat(days, UnionArgs::default())
            .map_err(err)?
            .group_by(keys)
            .agg(combine)
            .collect()
            .map_err(err)?
            .lazy(),
    };

    // Aggregations see a group's rows in frame order: sorted by first row,
    // "first" is the first in the scan; sorted by earliest event, the
    // earliest (ties: the first scanned).
    let by_row = reduced.clone().sort(["first_row"], Default::default());
    let by_time = reduced.sort(["ft", "fr"], Default::default());
    let mut samples = IDENTITY
        .iter()
        .map(|c| {
            col(*c)
                .sort_by([col(format!("{c}_row"))], SortMultipleOptions::default())
                .drop_nulls()
                .first()
        })
        .collect::<Vec<_>>();
    samples.push(
        col("user_agent")
            .drop_nulls()
            .unique_stable()
            .head(Some(12))
            .alias("uas"),
    );
    samples.push(col("n").sum().alias("n"));
    let mut plans = vec![
        by_row
            .group_by([col("principal")])
            .agg(samples)
            .sort(["principal"], Default::default())
            .logical_plan,
    ];
    let in_period = col("in_period");
    plans.extend(dims.iter().map(|dim| {
        by_time
            .clone()
            .filter(col(*dim).is_not_null())
            .group_by([col("principal"), col(*dim).alias("value")])
            .agg([
                in_period.clone().not().any(true).alias("in_baseline"),
                in_period.clone().any(true).alias("in_period"),
                col("ft")
                    .filter(in_period.clone())
                    .min()
                    .alias("first_time"),
                col("fe")
                    .filter(in_period.clone())
                    .first()
                    .alias("first_event"),
                col("n")
                    .filter(in_period.clone())
                    .sum()
                    .alias("count_period"),
            ])
            .sort(["principal", "value"], Default::default())
            .logical_plan
    }));
    let frames = LazyFrame::collect_all_with_engine(plans, Engine::Auto, OptFlags::default())
        .map_err(err)?;
    let mut frames = frames.into_iter();
    let principals = match frames.next() {
        Some(df) => samples_of(&df).map_err(err)?,
        None => Vec::new(),
    };
    let seen = frames
        .map(|df| seen_of(&df).map_err(err))
        .collect::<Result<_, _>>()?;
    Ok(Activity { principals, seen })
}

const DAY: i64 = 86_400_000_000;

/// The last row number a day's reduction saw.
fn df_max_row(df: &DataFrame) -> PolarsResult<Option<IdxSize>> {
    let c = df.column("last_row")?.cast(&IDX_DTYPE)?;
    Ok(c.idx()?.max())
}

fn seen_of(df: &DataFrame) -> PolarsResult<Vec<Seen>> {
    let p = strs(df, "principal")?;
    let v = strs(df, "value")?;
    let b = bools(df, "in_baseline")?;
    let q = bools(df, "in_period")?;
    let ft = ints(df, "first_time")?;
    let fe = strs(df, "first_event")?;
    let cp = ints(df, "count_period")?;
    Ok((0..df.height())
        .map(|i| Seen {
            principal: p[i].clone().unwrap_or_default(),
            value: v[i].clone().unwrap_or_default(),
            in_baseline: b[i],
            in_period: q[i],
            first_event: fe[i].clone(),
            first_time: ft[i],
            count_period: cp[i].unwrap_or(0) as u32,
        })
        .collect())
}

/// A principal's identity fields, from one of its events, and its user agents.
#[derive(Debug, Clone, Default)]
pub struct PrincipalSample {
    pub principal: String,
    pub identity_type: Option<String>,
    pub arn: Option<String>,
    pub user_name: Option<String>,
    pub invoked_by: Option<String>,
    pub issuer_arn: Option<String>,
    pub issuer_name: Option<String>,
    pub web_id_provider: Option<String>,
    pub console: Option<bool>,
    pub user_agents: Vec<String>,
    pub events: u32,
}

fn samples_of(df: &DataFrame) -> PolarsResult<Vec<PrincipalSample>> {
    let (p, it, arn, un, ib, ia, iname, wid) = (
        strs(df, "principal")?,
        strs(df, "identity_type")?,
        strs(df, "arn")?,
        strs(df, "user_name")?,
        strs(df, "invoked_by")?,
        strs(df, "session_issuer_arn")?,
        strs(df, "session_issuer_user_name")?,
        strs(df, "web_id_federation_provider")?,
    );
    let console: Vec<Option<bool>> = df
        .column("session_credential_from_console")?
        .bool()?
        .iter()
        .collect();
    let n = ints(df, "n")?;
    let uas = df.column("uas")?.list()?.clone();
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let mut agents = Vec::new();
        if let Some(s) = uas.get_as_series(i) {
            if let Ok(ca) = s.str() {
                agents = ca.iter().flatten().map(str::to_string).collect();
            }
        }
        out.push(PrincipalSample {
            principal: p[i].clone().unwrap_or_default(),
            identity_type: it[i].clone(),
            arn: arn[i].clone(),
            user_name: un[i].clone(),
            invoked_by: ib[i].clone(),
            issuer_arn: ia[i].clone(),
            issuer_name: iname[i].clone(),
            web_id_provider: wid[i].clone(),
            console: console[i],
            user_agents: agents,
            events: n[i].unwrap_or(0) as u32,
        });
    }
    Ok(out)
}

/// AccessDenied per principal and 10-minute bucket in the period.
#[derive(Debug, Clone)]
pub struct Denied {
    pub principal: String,
    pub bucket: i64,
    pub count: u32,
    pub actions: u32,
    pub first_event: String,
}

pub fn denied_bursts(lake: &Lake, from: i64, to: i64) -> Result<Vec<Denied>, RunError> {
    let err = |e| query::polars_error("drift access-denied", "", e);
    let df = scan(lake, from, to, from)?
        .filter(
            col("error_code").is_not_null().and(
                col("error_code")
                    .str()
                    .to_lowercase()
                    .str()
                    .contains(lit("accessdenied|unauthorized|forbidden"), false),
            ),
        )
        .with_column((col("t") / lit(600_000_000i64) * lit(600_000_000i64)).alias("bucket"))
        .group_by([col("principal"), col("bucket")])
        .agg([
            len().alias("n"),
            col("iam_action").n_unique().alias("actions"),
            col("event_id")
                .sort_by([col("t")], SortMultipleOptions::default())
                .first()
                .alias("first"),
        ])
        .sort(["principal", "bucket"], Default::default())
        .collect()
        .map_err(err)?;
    let p = strs(&df, "principal").map_err(err)?;
    let b = ints(&df, "bucket").map_err(err)?;
    let n = ints(&df, "n").map_err(err)?;
    let a = ints(&df, "actions").map_err(err)?;
    let f = strs(&df, "first").map_err(err)?;
    Ok((0..df.height())
        .map(|i| Denied {
            principal: p[i].clone().unwrap_or_default(),
            bucket: b[i].unwrap_or(0),
            count: n[i].unwrap_or(0) as u32,
            actions: a[i].unwrap_or(0) as u32,
            first_event: f[i].clone().unwrap_or_default(),
        })
        .collect())
}

/// Resource ARNs each principal's actions named (from `resources`), for
/// least-privilege suggestions.
pub fn weekly_change_counts(lake: &Lake, from: i64, to: i64) -> Result<Vec<(i64, u32)>, RunError> {
    let err = |e| query::polars_error("drift weekly changes", "", e);
    let week = 7 * 86_400_000_000i64;
    let df = scan(lake, from, to, from)?
        .filter(
            col("event_source")
                .eq(lit("iam.amazonaws.com"))
                .and(col("read_only").eq(lit(false)))
                .and(col("error_code").is_null()),
        )
        .with_column(((col("t") - lit(from)) / lit(week)).alias("w"))
        .group_by([col("w")])
        .agg([len().alias("n")])
        .sort(["w"], Default::default())
        .collect()
        .map_err(err)?;
    let w = ints(&df, "w").map_err(err)?;
    let n = ints(&df, "n").map_err(err)?;
    Ok((0..df.height())
        .map(|i| (from + w[i].unwrap_or(0) * week, n[i].unwrap_or(0) as u32))
        .collect())
}
