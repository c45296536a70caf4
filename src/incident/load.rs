//! Reading what an incident analysis needs from the lake, through polars:
//! the window's events via the `incident-window-events` query (partition
//! pruning on `event_date`, the time predicate pushed into the scan), and
//! per-minute error counts as a lazy aggregation.

use crate::actors::provenance::CallView;
use crate::lake::Lake;
use crate::query::{self, RunError};
use polars::prelude::*;

/// One event, as the analyses use it.
#[derive(Debug, Clone, Default)]
pub struct Ev {
    pub id: String,
    pub time: i64,
    pub source: String,
    pub name: String,
    pub action: String,
    pub region: Option<String>,
    pub recipient_account: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub read_only: Option<bool>,
    pub dry_run: bool,
    pub event_type: Option<String>,
    /// `Data` for data-plane calls (S3 objects, Lambda invokes, DynamoDB items).
    pub event_category: Option<String>,
    pub management_event: Option<bool>,
    pub identity_type: Option<String>,
    pub arn: Option<String>,
    pub principal_id: Option<String>,
    pub account_id: Option<String>,
    pub access_key_id: Option<String>,
    pub user_name: Option<String>,
    pub invoked_by: Option<String>,
    pub issuer_arn: Option<String>,
    pub issuer_name: Option<String>,
    pub mfa: Option<bool>,
    pub source_identity: Option<String>,
    pub user_agent: Option<String>,
    pub source_ip: Option<String>,
    pub console: Option<bool>,
    pub web_id_provider: Option<String>,
    pub identity_provider: Option<String>,
    pub request_parameters: Option<String>,
    pub response_elements: Option<String>,
    pub additional_event_data: Option<String>,
    pub source_file: String,
    pub source_index: i64,
    /// How many events this one stands for: 1, or for a successful read,
    /// all the successful reads of its identity and access key in the
    /// range (it is the earliest of them).
    pub weight: u64,
}

impl Ev {
    pub fn identity(&self) -> crate::actors::Identity<'_> {
        crate::actors::Identity {
            identity_type: self.identity_type.as_deref(),
            arn: self.arn.as_deref(),
            principal_id: self.principal_id.as_deref(),
            account_id: self.account_id.as_deref(),
            user_name: self.user_name.as_deref(),
            invoked_by: self.invoked_by.as_deref(),
            issuer_arn: self.issuer_arn.as_deref(),
            issuer_name: self.issuer_name.as_deref(),
            user_agent: self.user_agent.as_deref(),
            console: self.console,
            web_id_provider: self.web_id_provider.as_deref(),
            identity_provider: self.identity_provider.as_deref(),
            event_source: &self.source,
            event_name: &self.name,
        }
    }
    pub fn failed(&self) -> bool {
        self.error_code.is_some()
    }
    /// A call that changed something: not read-only, not a dry run, not failed.
    pub fn mutating(&self) -> bool {
        self.read_only != Some(true)
            && !self.dry_run
            && !self.failed()
            && self.event_type.as_deref() != Some("AwsServiceEvent")
            && !crate::incident::classify::looks_read_only(&self.name)
    }
    /// A control-plane call: data events (object, item, invoke) change data,
    /// not the infrastructure an outage is about.
    pub fn management(&self) -> bool {
        self.management_event != Some(false) && self.event_category.as_deref() != Some("Data")
    }
}

impl CallView for Ev {
    fn time(&self) -> i64 {
        self.time
    }
    fn action(&self) -> &str {
        &self.action
    }
    fn access_key_id(&self) -> Option<&str> {
        self.access_key_id.as_deref()
    }
    fn response_elements(&self) -> Option<&str> {
        self.response_elements.as_deref()
    }
    fn request_parameters(&self) -> Option<&str> {
        self.request_parameters.as_deref()
    }
    fn failed(&self) -> bool {
        self.error_code.is_some()
    }
    fn caller_account(&self) -> Option<&str> {
        self.account_id.as_deref()
    }
}

/// The columns that decide an actor (see [`crate::actors::classify`]) and
/// the credentials it used: a read stands for the reads sharing them.
/// `event_source` only names an AWS service acting without `invokedBy`,
/// so it is part of the key for those alone (`read_source`).
const READ_GROUP: &[&str] = &[
    "identity_type",
    "arn",
    "principal_id",
    "account_id",
    "user_name",
    "invoked_by",
    "session_issuer_arn",
    "session_issuer_user_name",
    "user_agent",
    "web_id_federation_provider",
    "identity_provider",
    "session_credential_from_console",
    "access_key_id",
];

/// What a grouped read does not need: payloads (reads name nothing the
/// analysis follows) are left out of the scan.
const READ_SKIPPED: &[&str] = &[
    "request_parameters",
    "response_elements",
    "additional_event_data",
    "error_message",
];

/// A successful read other than an STS or sign-in call.
fn plain_read() -> Expr {
    col("read_only")
        .eq_missing(lit(true))
        .and(col("error_code").is_null())
        .and(col("iam_action").str().starts_with(lit("sts:")).not())
        .and(col("iam_action").str().starts_with(lit("signin:")).not())
}

/// The `incident-window-events` query over `[from, to)` of `events` (the
/// lake's scan, or a filtered one), as [`Ev`]s in the query's order.
fn window_events(
    events: LazyFrame,
    queries: Option<&std::path::Path>,
    from: i64,
    to: i64,
) -> Result<Vec<Ev>, RunError> {
    let (name, sql) = query::library_sql(
        queries,
        "incident-window-events",
        &query::window_params(from, to),
    )?;
    let df = query::run_sql_on(events, &name, &sql)?
        .with_column(col("event_time").cast(DataType::Int64))
        .collect()
        .map_err(|e| query::polars_error(&name, &sql, e))?;
    frame_to_events(&df).map_err(|e| query::polars_error(&name, &sql, e))
}

/// Every event in `[from, to)`, sorted by time.
pub fn events(
    lake: &Lake,
    queries: Option<&std::path::Path>,
    from: i64,
    to: i64,
) -> Result<Vec<Ev>, RunError> {
    window_events(query::scan_events(lake)?, queries, from, to)
}

/// The events in `[from, to)` as the incident analysis reads them, sorted by
/// time: everything but plain reads through the `incident-window-events`
/// query. Successful reads (other than STS and sign-in calls) change nothing
/// and name nothing the analysis follows: each group of them with one
/// identity and access key is one event, the earliest, without payloads,
/// with the group's size as its `weight`.
pub fn analysis_events(
    lake: &Lake,
    queries: Option<&std::path::Path>,
    from: i64,
    to: i64,
) -> Result<Vec<Ev>, RunError> {
    // The query runs over the scan without plain reads: it sorts and
    // projects only the rows the analysis reads one by one. The reads are
    // grouped at the same time, on the other core.
    let focus = query::scan_events(lake)?.filter(plain_read().not());
    let (evs, grouped) = rayon::join(
        || window_events(focus, queries, from, to),
        || grouped_reads(lake, from, to),
    );
    let (mut evs, mut grouped) = (evs?, grouped?);
    evs.append(&mut grouped);
    evs.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id)));
    Ok(evs)
}

/// The plain reads in `[from, to)`, one event per group of identity and
/// access key: the group's earliest (ties: the first scanned), without
/// payloads, with the group's size as its `weight`.
fn grouped_reads(lake: &Lake, from: i64, to: i64) -> Result<Vec<Ev>, RunError> {
    // The range, straight from the scan (partition pruning on event_date).
    let err = |e| query::polars_error("incident-reads", "", e);
    let range = query::scan_events(lake)?
        .filter(query::dates_between(from, to))
        .with_column(col("event_time").cast(DataType::Int64))
        .filter(
            col("event_time")
                .gt_eq(lit(from))
                .and(col("event_time").lt(lit(to))),
        );
    let first = col("event_time").arg_min();
    let mut aggs: Vec<Expr> = EV_COLUMNS
        .iter()
        .filter(|c| !READ_GROUP.contains(c) && !READ_SKIPPED.contains(c))
        .map(|c| col(*c).get(first.clone(), true))
        .collect();
    aggs.push(len().cast(DataType::UInt64).alias("weight"));
    let mut keys: Vec<Expr> = READ_GROUP.iter().map(|c| col(*c)).collect();
    keys.push(
        when(
            col("identity_type")
                .eq(lit("AWSService"))
                .and(col("invoked_by").is_null()),
        )
        .then(col("event_source"))
        .otherwise(lit(NULL).cast(DataType::String))
        .alias("read_source"),
    );
    let reads = range
        .filter(plain_read())
        .group_by(keys)
        .agg(aggs)
        .with_columns(
            READ_SKIPPED
                .iter()
                .map(|c| lit(NULL).cast(DataType::String).alias(*c))
                .collect::<Vec<_>>(),
        )
        .collect()
        .map_err(err)?;
    let weights: Vec<u64> = reads
        .column("weight")
        .and_then(|c| c.u64().map(|a| a.iter().map(|w| w.unwrap_or(1)).collect()))
        .map_err(err)?;
    let mut grouped = frame_to_events(&reads).map_err(err)?;
    for (e, w) in grouped.iter_mut().zip(weights) {
        e.weight = w;
    }
    Ok(grouped)
}

/// The columns [`frame_to_events`] reads.
const EV_COLUMNS: &[&str] = &[
    "event_id",
    "event_time",
    "event_source",
    "event_name",
    "iam_action",
    "aws_region",
    "recipient_account_id",
    "error_code",
    "error_message",
    "read_only",
    "is_dry_run",
    "event_type",
    "event_category",
    "management_event",
    "identity_type",
    "arn",
    "principal_id",
    "account_id",
    "access_key_id",
    "user_name",
    "invoked_by",
    "session_issuer_arn",
    "session_issuer_user_name",
    "mfa_authenticated",
    "source_identity",
    "user_agent",
    "source_ip_address",
    "session_credential_from_console",
    "web_id_federation_provider",
    "identity_provider",
    "request_parameters",
    "response_elements",
    "additional_event_data",
    "source_file",
    "source_index",
];

/// [`frame_rows_to_events`] on every core: slices of the frame are
/// converted in parallel (a slice shares the frame's buffers).
fn frame_to_events(df: &DataFrame) -> PolarsResult<Vec<Ev>> {
    use rayon::prelude::*;
    const SLICE: usize = 32_768;
    if df.height() <= SLICE {
        return frame_rows_to_events(df);
    }
    let parts = (0..df.height())
        .step_by(SLICE)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|at| frame_rows_to_events(&df.slice(at as i64, SLICE)))
        .collect::<PolarsResult<Vec<Vec<Ev>>>>()?;
    let mut out = Vec::with_capacity(df.height());
    for mut p in parts {
        out.append(&mut p);
    }
    Ok(out)
}

fn frame_rows_to_events(df: &DataFrame) -> PolarsResult<Vec<Ev>> {
    let mut out = vec![
        Ev {
            weight: 1,
            ..Ev::default()
        };
        df.height()
    ];
    macro_rules! strs {
        ($col:expr, $field:ident, opt) => {{
            let c = df.column($col)?.str()?;
            for (e, v) in out.iter_mut().zip(c.iter()) {
                e.$field = v.map(str::to_string);
            }
        }};
        ($col:expr, $field:ident) => {{
            let c = df.column($col)?.str()?;
            for (e, v) in out.iter_mut().zip(c.iter()) {
                e.$field = v.unwrap_or_default().to_string();
            }
        }};
    }
    macro_rules! bools {
        ($col:expr, $field:ident) => {{
            let c = df.column($col)?.bool()?;
            for (e, v) in out.iter_mut().zip(c.iter()) {
                e.$field = v;
            }
        }};
    }
    strs!("event_id", id);
    strs!("event_source", source);
    strs!("event_name", name);
    strs!("iam_action", action);
    strs!("aws_region", region, opt);
    strs!("recipient_account_id", recipient_account, opt);
    strs!("error_code", error_code, opt);
    strs!("error_message", error_message, opt);
    bools!("read_only", read_only);
    strs!("event_type", event_type, opt);
    strs!("event_category", event_category, opt);
    bools!("management_event", management_event);
    strs!("identity_type", identity_type, opt);
    strs!("arn", arn, opt);
    strs!("principal_id", principal_id, opt);
    strs!("account_id", account_id, opt);
    strs!("access_key_id", access_key_id, opt);
    strs!("user_name", user_name, opt);
    strs!("invoked_by", invoked_by, opt);
    strs!("session_issuer_arn", issuer_arn, opt);
    strs!("session_issuer_user_name", issuer_name, opt);
    bools!("mfa_authenticated", mfa);
    strs!("source_identity", source_identity, opt);
    strs!("user_agent", user_agent, opt);
    strs!("source_ip_address", source_ip, opt);
    bools!("session_credential_from_console", console);
    strs!("web_id_federation_provider", web_id_provider, opt);
    strs!("identity_provider", identity_provider, opt);
    strs!("request_parameters", request_parameters, opt);
    strs!("response_elements", response_elements, opt);
    strs!("additional_event_data", additional_event_data, opt);
    strs!("source_file", source_file);
    {
        // Iterated, not indexed: `get(i)` searches the chunks every time.
        let c = df.column("is_dry_run")?.bool()?;
        for (e, v) in out.iter_mut().zip(c.iter()) {
            e.dry_run = v.unwrap_or(false);
        }
        let c = df.column("event_time")?.i64()?;
        for (e, v) in out.iter_mut().zip(c.iter()) {
            e.time = v.unwrap_or(0);
        }
        let c = df.column("source_index")?.i64()?;
        for (e, v) in out.iter_mut().zip(c.iter()) {
            e.source_index = v.unwrap_or(0);
        }
    }
    Ok(out)
}

/// Failed calls per minute, by event source and error code, in `[from, to)`
/// (the whole lake when both are None).
#[derive(Debug, Clone)]
pub struct ErrorMinute {
    pub minute: i64,
    /// The account the call was made to (`recipientAccountId`, else the caller's).
    pub account: String,
    pub source: String,
    pub error_code: String,
    pub count: u32,
}

pub fn error_minutes(lake: &Lake, range: Option<(i64, i64)>) -> Result<Vec<ErrorMinute>, RunError> {
    let mut lf = query::scan_events(lake)?;
    if let Some((from, to)) = range {
        lf = lf.filter(query::dates_between(from, to));
    }
    let mut lf = lf.filter(col("error_code").is_not_null()).select([
        (col("event_time").cast(DataType::Int64) / lit(60_000_000i64)).alias("minute"),
        coalesce(&[col("recipient_account_id"), col("account_id"), lit("")]).alias("account"),
        col("event_source"),
        col("error_code"),
    ]);
    if let Some((from, to)) = range {
        lf = lf.filter(
            col("minute")
                .gt_eq(lit(from / 60_000_000))
                .and(col("minute").lt(lit(to / 60_000_000 + 1))),
        );
    }
    let df = lf
        .group_by([
            col("minute"),
            col("account"),
            col("event_source"),
            col("error_code"),
        ])
        .agg([len().alias("n")])
        .sort(
            ["minute", "account", "event_source", "error_code"],
            Default::default(),
        )
        .collect()
        .map_err(|e| query::polars_error("error-minutes", "", e))?;
    let m = df.column("minute").and_then(|c| c.i64().cloned());
    let a = df.column("account").and_then(|c| c.str().cloned());
    let s = df.column("event_source").and_then(|c| c.str().cloned());
    let c = df.column("error_code").and_then(|c| c.str().cloned());
    let n = df
        .column("n")
        .and_then(|c| c.cast(&DataType::UInt32))
        .and_then(|c| c.u32().cloned());
    let (Ok(m), Ok(a), Ok(s), Ok(c), Ok(n)) = (m, a, s, c, n) else {
        return Ok(Vec::new());
    };
    Ok((0..df.height())
        .map(|i| ErrorMinute {
            minute: m.get(i).unwrap_or(0) * 60_000_000,
            account: a.get(i).unwrap_or_default().to_string(),
            source: s.get(i).unwrap_or_default().to_string(),
            error_code: c.get(i).unwrap_or_default().to_string(),
            count: n.get(i).unwrap_or(0),
        })
        .collect())
}

/// The lake's time range (µs), or None when empty.
pub fn time_range(lake: &Lake) -> Result<Option<(i64, i64)>, RunError> {
    let df = query::scan_events(lake)?
        .select([
            col("event_time").cast(DataType::Int64).min().alias("lo"),
            col("event_time").cast(DataType::Int64).max().alias("hi"),
        ])
        .collect()
        .map_err(|e| query::polars_error("time-range", "", e))?;
    let lo = df
        .column("lo")
        .ok()
        .and_then(|c| c.i64().ok().and_then(|a| a.get(0)));
    let hi = df
        .column("hi")
        .ok()
        .and_then(|c| c.i64().ok().and_then(|a| a.get(0)));
    Ok(lo.zip(hi))
}
