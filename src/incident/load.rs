//! Reading what an incident analysis needs from the lake, through polars:
//! the window's events via the `incident-window-events` query (partition
//! pruning on `event_date`, the time predicate pushed into the scan), and
//! per-minute error counts as a lazy aggregation.

use crate::actors::provenance::CallView;
use crate::lake::Lake;
use crate::query::{self, RunError};
use polars::prelude::*;

/// A string many events share (a service, an action, a principal, a user
/// agent): stored once per load, not once per event. One pointer wide
/// (`Option<Sym>` too), where an `Arc<str>` is two: an event holds two
/// dozen of them, and the analyses pass over hundreds of thousands of
/// events many times.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(std::sync::Arc<Box<str>>);

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Sym {
    fn as_ref(&self) -> &str {
        self
    }
}

impl std::borrow::Borrow<str> for Sym {
    fn borrow(&self) -> &str {
        self
    }
}

impl From<&str> for Sym {
    fn from(s: &str) -> Self {
        Sym(std::sync::Arc::new(s.into()))
    }
}

impl Sym {
    /// Where its text is: two `Sym`s at one address have one text (two
    /// with one text need not share an address: the load interns strings
    /// per run of rows), so keys of them can hash and compare addresses
    /// before texts.
    pub fn addr(&self) -> usize {
        std::sync::Arc::as_ptr(&self.0) as usize
    }
}

/// [`Sym::addr`] of an optional one, 0 for none.
pub fn addr(s: &Option<Sym>) -> usize {
    s.as_ref().map_or(0, Sym::addr)
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// One event, as the analyses use it. The strings many events repeat are
/// [`Sym`]s: a window of hundreds of thousands of events held a separate
/// copy of each in every event, most of the analysis' memory.
#[derive(Debug, Clone, Default)]
pub struct Ev {
    pub id: String,
    pub time: i64,
    pub source: Sym,
    pub name: Sym,
    pub action: Sym,
    pub region: Option<Sym>,
    pub recipient_account: Option<Sym>,
    pub error_code: Option<Sym>,
    pub read_only: Option<bool>,
    pub dry_run: bool,
    pub event_type: Option<Sym>,
    /// `Data` for data-plane calls (S3 objects, Lambda invokes, DynamoDB items).
    pub event_category: Option<Sym>,
    pub management_event: Option<bool>,
    pub identity_type: Option<Sym>,
    pub arn: Option<Sym>,
    pub principal_id: Option<Sym>,
    pub account_id: Option<Sym>,
    pub access_key_id: Option<Sym>,
    pub user_name: Option<Sym>,
    pub invoked_by: Option<Sym>,
    pub issuer_arn: Option<Sym>,
    pub issuer_name: Option<Sym>,
    pub mfa: Option<bool>,
    pub source_identity: Option<Sym>,
    pub user_agent: Option<Sym>,
    pub source_ip: Option<Sym>,
    pub console: Option<bool>,
    pub web_id_provider: Option<Sym>,
    pub identity_provider: Option<Sym>,
    /// The event's own texts; none for a read a group stands for.
    pub payloads: Option<Box<Payloads>>,
    pub source_file: Sym,
    pub source_index: i64,
    /// How many events this one stands for: 1, or for a successful read,
    /// all the successful reads of its identity and access key in the
    /// range (it is the earliest of them).
    pub weight: u64,
}

/// The texts of an event that are its own: in a box of their own, which
/// most events (reads) do not have, out of the way of the fields every
/// pass over the events reads.
#[derive(Debug, Clone, Default)]
pub struct Payloads {
    pub error_message: Option<String>,
    pub request_parameters: Option<String>,
    pub response_elements: Option<String>,
    pub additional_event_data: Option<String>,
}

impl Ev {
    pub fn error_message(&self) -> Option<&str> {
        self.payloads.as_ref()?.error_message.as_deref()
    }
    pub fn request_parameters(&self) -> Option<&str> {
        self.payloads.as_ref()?.request_parameters.as_deref()
    }
    pub fn response_elements(&self) -> Option<&str> {
        self.payloads.as_ref()?.response_elements.as_deref()
    }
    pub fn additional_event_data(&self) -> Option<&str> {
        self.payloads.as_ref()?.additional_event_data.as_deref()
    }
    /// See [`plain_read`].
    pub fn plain_read(&self) -> bool {
        plain_read(self.read_only, self.failed(), &self.action)
    }
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
        Ev::response_elements(self)
    }
    fn request_parameters(&self) -> Option<&str> {
        Ev::request_parameters(self)
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
/// so it is part of the key for those alone.
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
    "access_key_id",
];

/// What a read of the window query takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    /// Every row, every column.
    Events,
    /// Every column of the rows that can mint or carry credentials or grant
    /// permissions: STS and sign-in calls, console sign-ins, IAM changes
    /// (what credential provenance and permission grants follow).
    Credentials,
    /// Every row, the columns the coverage is counted from ([`crate::coverage::Tally`]).
    Coverage,
}

/// The rows [`Take::Credentials`] keeps.
fn credential_rows() -> Expr {
    let action = || col("iam_action").str();
    let not_read = col("read_only").eq(lit(true)).fill_null(lit(false)).not();
    action()
        .starts_with(lit("sts:"))
        .or(action().starts_with(lit("signin:")))
        .or(col("event_name").eq(lit("ConsoleLogin")))
        .or(action().starts_with(lit("iam:")).and(not_read))
        .fill_null(lit(false))
}

/// The `incident-window-events` query over `[from, to)` of `events` (the
/// lake's scan), what `take` takes of it, collected, with `event_time` in
/// microseconds.
fn window_frame(
    events: LazyFrame,
    queries: Option<&std::path::Path>,
    from: i64,
    to: i64,
    order: Order,
    take: Take,
) -> Result<(DataFrame, String, String), RunError> {
    let (name, sql) = query::library_sql(
        queries,
        "incident-window-events",
        &query::window_params(from, to),
    )?;
    let mut rows = query::run_sql_on(events, &name, &sql)?;
    if order == Order::Mine {
        rows = without_final_sort(rows);
    }
    rows = match take {
        Take::Events => rows,
        Take::Credentials => rows.filter(credential_rows()),
        Take::Coverage => rows.select(
            crate::coverage::Tally::COLUMNS
                .iter()
                .map(|c| col(*c))
                .collect::<Vec<_>>(),
        ),
    };
    let t0 = std::time::Instant::now();
    let df = rows
        .with_column(col("event_time").cast(DataType::Int64))
        .collect()
        .map_err(|e| query::polars_error(&name, &sql, e))?;
    tracing::debug!(
        "{name} ({take:?}): {} rows read in {:?}",
        df.height(),
        t0.elapsed()
    );
    Ok((df, name, sql))
}

/// The `incident-window-events` query over `[from, to)` of `events`, as
/// [`Ev`]s in `order`.
fn window_events(
    events: LazyFrame,
    queries: Option<&std::path::Path>,
    from: i64,
    to: i64,
    order: Order,
) -> Result<Vec<Ev>, RunError> {
    let (df, name, sql) = window_frame(events, queries, from, to, order, Take::Events)?;
    frame_rows(&df, BLOCK_ROWS).map_err(|e| query::polars_error(&name, &sql, e))
}

/// Every event in `[from, to)`, sorted by time.
pub fn events(
    lake: &Lake,
    queries: Option<&std::path::Path>,
    from: i64,
    to: i64,
) -> Result<Vec<Ev>, RunError> {
    window_events(query::scan_events(lake)?, queries, from, to, Order::Query)
}

/// Whose order the rows of a query come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// The query's own `ORDER BY`.
    Query,
    /// The caller sorts them: a final `ORDER BY` is not run.
    Mine,
}

/// `rows` without its final sort, when that is the plan's last step (or
/// under a projection of plain columns, which does not depend on order).
/// Sorting hundreds of thousands of rows of payloads moves all of them; a
/// caller that merges and sorts the rows itself does not need it.
fn without_final_sort(mut rows: LazyFrame) -> LazyFrame {
    fn strip(plan: DslPlan) -> DslPlan {
        match plan {
            DslPlan::Sort { input, .. } => std::sync::Arc::unwrap_or_clone(input),
            DslPlan::Select {
                expr,
                input,
                options,
            } if expr.iter().all(|e| matches!(e, Expr::Column(_)))
                && matches!(*input, DslPlan::Sort { .. }) =>
            {
                DslPlan::Select {
                    expr,
                    input: std::sync::Arc::new(strip(std::sync::Arc::unwrap_or_clone(input))),
                    options,
                }
            }
            other => other,
        }
    }
    rows.logical_plan = strip(rows.logical_plan);
    rows
}

/// `evs` sorted by time, then ID (then load order), as the window query
/// sorts them.
#[cfg(test)]
fn sort_events(mut evs: Vec<Ev>) -> Vec<Ev> {
    evs.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    evs
}

/// The events in `[from, to)` as the incident analysis reads them, sorted by
/// time, from the `incident-window-events` query. Successful reads (other
/// than STS and sign-in calls) change nothing and name nothing the analysis
/// follows: each group of them with one identity and access key is one
/// event, the group's earliest (ties: the first scanned), without payloads,
/// with the group's size as its `weight`. Before them, from
/// `credentials_from` (when earlier than `from`), the calls that mint or
/// carry credentials and the IAM changes ([`Take::Credentials`]): where the
/// keys used in the range came from, and what they were granted. With
/// `tally`, every row of `[credentials_from, to)` (reads included) is
/// counted in it.
pub fn analysis_events(
    events: LazyFrame,
    queries: Option<&std::path::Path>,
    credentials_from: i64,
    from: i64,
    to: i64,
    tally: Option<&mut crate::coverage::Tally>,
) -> Result<Vec<Ev>, RunError> {
    analysis_events_in(
        events,
        queries,
        credentials_from,
        from,
        to,
        SLICE_ROWS,
        BLOCK_ROWS,
        tally,
    )
}

/// About how many rows one run of the window query reads: the range is
/// read in consecutive time slices of about this many rows (the next
/// slice's length follows the last one's density). A frame of every
/// column of a day and a half of a busy trail was gigabytes, and most of
/// it (the reads' payloads) was dropped right after; a slice's frame is
/// freed before the next is read.
const SLICE_ROWS: usize = 200_000;

/// [`analysis_events`] over `events`, reading slices of about
/// `slice_rows` rows, converted in blocks of `block_rows`.
#[allow(clippy::too_many_arguments)]
fn analysis_events_in(
    events: LazyFrame,
    queries: Option<&std::path::Path>,
    credentials_from: i64,
    from: i64,
    to: i64,
    slice_rows: usize,
    block_rows: usize,
    mut tally: Option<&mut crate::coverage::Tally>,
) -> Result<Vec<Ev>, RunError> {
    use super::{HOUR, SECOND};
    // The credentials' horizon: its credential calls, and the coverage of
    // all its rows (a gap there can hide where a key came from); beside
    // them, the rows of the range, for room: three reads side by side.
    let in_horizon = credentials_from < from.min(to);
    let read_horizon = |take| {
        in_horizon
            .then(|| {
                window_frame(
                    events.clone(),
                    queries,
                    credentials_from,
                    from,
                    Order::Mine,
                    take,
                )
            })
            .transpose()
    };
    let count = tally.is_some();
    let ((horizon, coverage), rows) = rayon::join(
        || {
            rayon::join(
                || read_horizon(Take::Credentials),
                || {
                    if count {
                        read_horizon(Take::Coverage)
                    } else {
                        Ok(None)
                    }
                },
            )
        },
        // Only room: a count that fails costs a growing vector's copies,
        // and the reads report their own errors.
        || range_rows(events.clone(), from, to).unwrap_or(0),
    );
    let horizon = horizon?;
    if let (Some(tally), Some((rows, name, sql))) = (tally.as_deref_mut(), coverage?) {
        tally
            .add(&rows)
            .map_err(|e| query::polars_error(&name, &sql, e))?;
    }
    // Room for every row of the range: the events are written straight
    // into their places, never moved again.
    let rows = rows + horizon.as_ref().map_or(0, |h| h.0.height());
    let mut taken = Taken::new(block_rows, rows);
    if let Some((cred, name, sql)) = horizon {
        taken
            .take(cred, None, false)
            .map_err(|e| query::polars_error(&name, &sql, e))?;
    }
    // Whole seconds, except the range's own end.
    let slice_end = |at: i64, span: i64| {
        (at.saturating_add(span) / SECOND * SECOND)
            .max(at.saturating_add(SECOND))
            .min(to)
    };
    let read = |at: i64, end: i64| {
        window_frame(events.clone(), queries, at, end, Order::Mine, Take::Events)
    };
    let (mut span, mut at) = (HOUR, from);
    let mut current = None;
    if at < to {
        let end = slice_end(at, span);
        current = Some(read(at, end)?);
        at = end;
    }
    while let Some((df, name, sql)) = current.take() {
        // The next slice's length follows this one's density.
        let rows = df.height();
        span = if rows == 0 {
            span.saturating_mul(4)
        } else {
            (span as f64 * slice_rows as f64 / rows as f64) as i64
        }
        .clamp(SECOND, 7 * 24 * HOUR);
        let next = (at < to).then(|| (at, slice_end(at, span)));
        // This slice is grouped and converted while polars reads the next:
        // grouping runs on one core, and the two overlap.
        let (done, following) = rayon::join(
            || {
                taken
                    .take(df, tally.as_deref_mut(), true)
                    .map_err(|e| query::polars_error(&name, &sql, e))
            },
            || next.map(|(at, end)| read(at, end)).transpose(),
        );
        done?;
        current = following?;
        if let Some((_, end)) = next {
            at = end;
        }
    }
    Ok(taken.finish())
}

/// The slices of a window taken so far, in time order.
struct Taken {
    /// The events of the slices so far, each slice's sorted; slices are
    /// disjoint and in time order.
    out: Vec<Ev>,
    /// Per read group: its event (its place in `out`: the earliest, from
    /// the first slice it appears in) and size.
    groups: PlHashMap<OwnedGroupKey, (usize, u64)>,
    /// Rows per piece of a slice converted on one core (see [`BLOCK_ROWS`]).
    block_rows: usize,
    t_group: std::time::Duration,
    t_convert: std::time::Duration,
}

impl Taken {
    /// With room for `capacity` events (more are room made for).
    fn new(block_rows: usize, capacity: usize) -> Self {
        let mut out = Vec::new();
        // Room that is never written is never backed by memory; a bound too
        // large to reserve only costs the copies of a growing vector.
        let _ = out.try_reserve_exact(capacity);
        Taken {
            out,
            groups: PlHashMap::default(),
            block_rows,
            t_group: Default::default(),
            t_convert: Default::default(),
        }
    }

    /// Take the next slice's rows: counted in `tally`, its plain reads
    /// grouped with those of the slices before (with `group`; else every
    /// row is kept whole), its events kept.
    fn take(
        &mut self,
        df: DataFrame,
        tally: Option<&mut crate::coverage::Tally>,
        group: bool,
    ) -> PolarsResult<()> {
        let t = std::time::Instant::now();
        if let Some(tally) = tally {
            tally.add(&df)?;
        }
        let (weights, reps) = if group {
            read_groups(&df)?
        } else {
            (vec![READ_ONE_BY_ONE; df.height()], Vec::new())
        };
        self.t_group += t.elapsed();
        let mut keep: Vec<Keep> = weights
            .iter()
            .map(|w| match *w {
                READ_ONE_BY_ONE => Keep::Whole,
                _ => Keep::No,
            })
            .collect();
        // The slice's groups seen before add to the earlier event's count;
        // a new group's event is kept, without payloads.
        let mut new = Vec::new();
        for (row, key) in reps {
            match self.groups.get_mut(&key) {
                Some(g) => g.1 += weights[row],
                None => {
                    keep[row] = Keep::Light;
                    new.push((row, key));
                }
            }
        }
        let t = std::time::Instant::now();
        let place = sorted_places(&df, &keep)?;
        let base = self.out.len();
        for (row, key) in new {
            self.groups
                .insert(key, (base + place[row] as usize, weights[row]));
        }
        append_rows(&df, &keep, &place, self.block_rows, &mut self.out)?;
        drop(df);
        self.t_convert += t.elapsed();
        Ok(())
    }

    /// Every slice's events with the groups' weights, sorted by time.
    fn finish(self) -> Vec<Ev> {
        let Taken {
            mut out,
            groups,
            t_group,
            t_convert,
            ..
        } = self;
        for (at, count) in groups.into_values() {
            out[at].weight = count;
        }
        tracing::debug!(
            "incident load: grouping reads {t_group:?}, sorting and converting rows {t_convert:?}"
        );
        out
    }
}

/// Not a place: the row is not kept.
const NO_PLACE: u32 = u32::MAX;

/// For each row of `df`, its place among the rows `keep` keeps sorted by
/// time, then ID, then row (the window query's order); [`NO_PLACE`] for
/// the others. The keys are read side by side, in row order.
fn sorted_places(df: &DataFrame, keep: &[Keep]) -> PolarsResult<Vec<u32>> {
    let time = df.column("event_time")?.i64()?;
    let id = df.column("event_id")?.str()?;
    let mut keys: Vec<(i64, &str, u32)> = time
        .iter()
        .zip(id.iter())
        .zip(keep)
        .enumerate()
        .filter(|(_, (_, k))| **k != Keep::No)
        .map(|(row, ((t, id), _))| (t.unwrap_or(0), id.unwrap_or(""), row as u32))
        .collect();
    keys.sort_unstable();
    let mut place = vec![NO_PLACE; keep.len()];
    for (p, &(_, _, row)) in keys.iter().enumerate() {
        place[row as usize] = p as u32;
    }
    Ok(place)
}

/// A plain read: a successful read-only call other than an STS or sign-in
/// call. It changes nothing and names nothing the analysis follows, so
/// plain reads are grouped ([`read_groups`]) and their payloads not parsed.
pub fn plain_read(read_only: Option<bool>, failed: bool, action: &str) -> bool {
    read_only == Some(true)
        && !failed
        && !action.starts_with("sts:")
        && !action.starts_with("signin:")
}

/// A row read one by one: not a plain read.
const READ_ONE_BY_ONE: u64 = u64::MAX;

/// The key of a group of plain reads: [`READ_GROUP`]'s columns, whether
/// the session came from the console, and the event source for an AWS
/// service acting without `invokedBy`.
type GroupKey<'a> = ([Option<&'a str>; 12], Option<bool>, Option<&'a str>);
type OwnedGroupKey = ([Option<Box<str>>; 12], Option<bool>, Option<Box<str>>);

/// For each row of `df`: [`READ_ONE_BY_ONE`]; for the first of a group of
/// plain reads (successful reads other than STS and sign-in calls) with
/// one identity and access key, the group's size; 0 for the other reads.
/// With the first row of each group and the group's key, in row order.
/// Grouped here rather than by polars: a group-by on a dozen string keys
/// encoded every row's keys into one buffer, three times the memory of
/// reading them.
///
/// Rows are looked up first by their keys' Arrow views, within one chunk
/// (see [`ViewKey`]), and by their texts only when those views are new:
/// hashing and comparing a dozen texts for every read was most of the
/// grouping's time (perf: 10 % of an incident's samples).
fn read_groups(df: &DataFrame) -> PolarsResult<(Vec<u64>, Vec<(usize, OwnedGroupKey)>)> {
    let n = df.height();
    let chunks = chunk_frames(df);
    let mut weights = vec![READ_ONE_BY_ONE; n];
    // Per group: the earliest time, its row, and the count.
    let mut groups: Vec<(i64, usize, u64)> = Vec::new();
    let mut by_text: PlHashMap<GroupKey<'_>, usize> = PlHashMap::default();
    let mut by_view: PlHashMap<ViewKey, usize> = PlHashMap::default();
    let mut first = 0;
    for chunk in &chunks {
        let height = chunk.height();
        if height == 0 {
            continue;
        }
        let array =
            |c: &str| {
                chunk.column(c)?.str()?.downcast_iter().next().ok_or_else(
                    || polars_err!(ComputeError: "column {c} of a chunk holds no array"),
                )
            };
        let keys = READ_GROUP
            .iter()
            .map(|c| array(c))
            .collect::<PolarsResult<Vec<_>>>()?;
        let (error, action, source) = (
            array("error_code")?,
            array("iam_action")?,
            array("event_source")?,
        );
        let read_only = chunk.column("read_only")?.bool()?;
        let console = chunk.column("session_credential_from_console")?.bool()?;
        let time = chunk.column("event_time")?.i64()?;
        let arrays = keys.iter().chain([&error, &action, &source]);
        if arrays
            .map(|a| a.len())
            .chain([read_only.len(), console.len(), time.len()])
            .any(|l| l != height)
        {
            polars_bail!(ComputeError: "a chunk's columns differ in length");
        }
        let (identity_type, invoked_by) = (keys[0], keys[5]);
        // Views are places in this chunk's buffers: equal views are equal
        // texts here, but may be other texts in another chunk.
        by_view.clear();
        for i in 0..height {
            let action_text = action.get(i).unwrap_or_default();
            if !plain_read(read_only.get(i), error.get(i).is_some(), action_text) {
                continue;
            }
            let console = console.get(i);
            let read_source = (identity_type.get(i) == Some("AWSService")
                && invoked_by.get(i).is_none())
            .then(|| source.get(i))
            .flatten();
            let mut view = ViewKey {
                views: [0; 13],
                nulls: 0,
                console,
            };
            // Only whether each key is null: its text is read on a miss.
            let present = keys.iter().map(|arr| (*arr, arr.get(i).is_some()));
            let present = present.chain([(source, read_source.is_some())]);
            for (b, (arr, valid)) in present.enumerate() {
                if valid {
                    view.views[b] = arr.views()[i].as_u128();
                } else {
                    view.nulls |= 1 << b;
                }
            }
            let (row, time) = (first + i, time.get(i).unwrap_or(0));
            let g = match by_view.get(&view) {
                Some(&g) => g,
                None => {
                    let mut key: [Option<&str>; 12] = [None; 12];
                    for (k, arr) in key.iter_mut().zip(&keys) {
                        *k = arr.get(i);
                    }
                    let g = *by_text
                        .entry((key, console, read_source))
                        .or_insert_with(|| {
                            groups.push((time, row, 0));
                            groups.len() - 1
                        });
                    by_view.insert(view, g);
                    g
                }
            };
            weights[row] = 0;
            let group = &mut groups[g];
            // Rows come in order: the earliest time's first row.
            if time < group.0 {
                (group.0, group.1) = (time, row);
            }
            group.2 += 1;
        }
        first += height;
    }
    let owned = |k: Option<&str>| k.map(Box::<str>::from);
    let mut reps = Vec::with_capacity(groups.len());
    for ((key, console, source), g) in by_text {
        let (_, row, count) = groups[g];
        weights[row] = count;
        reps.push((row, (key.map(owned), console, owned(source))));
    }
    reps.sort_unstable_by_key(|r| r.0);
    Ok((weights, reps))
}

/// `df` as one frame per chunk, each column of which is one array: a row
/// is read by its index, without a search for its chunk, and its strings'
/// views are compared within that array.
fn chunk_frames(df: &DataFrame) -> Vec<DataFrame> {
    df.clone()
        .split_chunks()
        .map(|mut c| {
            if c.columns().iter().any(|col| col.n_chunks() != 1) {
                c.rechunk_mut();
            }
            c
        })
        .collect()
}

/// A plain read's group key as the Arrow views of its texts in one chunk:
/// [`READ_GROUP`]'s columns and the event source (see [`GroupKey`]), a bit
/// per null among them, and whether the session came from the console.
#[derive(PartialEq, Eq, Hash)]
struct ViewKey {
    views: [u128; 13],
    nulls: u16,
    console: Option<bool>,
}

/// The columns [`Cols`] reads (the tests build frames of them).
#[cfg(test)]
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

/// What becomes of a row of a slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Not kept: a plain read its group's earlier event stands for.
    No,
    /// Kept, with its payloads.
    Whole,
    /// Kept without payloads: the event a group of plain reads stands as.
    Light,
}

/// About how many rows of a frame one core converts at least at a time
/// (with one interner): each event (hundreds of bytes) is written once,
/// from all its columns, straight into its place in the output. Converting
/// column by column wrote every event once per column, a pass over all of
/// them each time.
const BLOCK_ROWS: usize = 4096;

/// The rows of `df` that `keep` keeps as events (with their payloads
/// unless [`Keep::Light`]), appended to `out`, each at its `place` after
/// the events already there. Converted on every core in pieces of at least
/// `block_rows` rows, in row order (each column read front to back).
fn append_rows(
    df: &DataFrame,
    keep: &[Keep],
    place: &[u32],
    block_rows: usize,
    out: &mut Vec<Ev>,
) -> PolarsResult<()> {
    use rayon::prelude::*;
    let kept = place.iter().filter(|&&p| p != NO_PLACE).count();
    // The places must be 0..kept, each once: checked, since the events
    // are written into memory not yet initialised.
    let mut seen = vec![false; kept];
    for &p in place.iter().filter(|&&p| p != NO_PLACE) {
        let p = p as usize;
        assert!(p < kept && !seen[p], "event places are not a permutation");
        seen[p] = true;
    }
    drop(seen);
    let chunks = chunk_frames(df);
    let cols = chunks
        .iter()
        .map(Cols::of)
        .collect::<PolarsResult<Vec<_>>>()?;
    // (chunk, the frame's row at which it starts)
    let mut pieces = Vec::new();
    let mut first = 0;
    for (c, chunk) in chunks.iter().enumerate() {
        let n = chunk.height();
        for from in (0..n).step_by(block_rows.max(1)) {
            pieces.push((c, from, (from + block_rows).min(n), first));
        }
        first += n;
    }
    out.reserve(kept);
    let base = out.len();
    let dst = Dst(out.spare_capacity_mut().as_mut_ptr());
    pieces
        .into_par_iter()
        // An interner per run of pieces on a core: its keys borrow the
        // frame's strings.
        .for_each_init(Interner::default, |interned, (c, from, to, first)| {
            for i in from..to {
                let row = first + i;
                if place[row] == NO_PLACE {
                    continue;
                }
                let ev = cols[c].event(i, keep[row] == Keep::Whole, interned);
                // SAFETY: `place[row] < kept`, within the room reserved
                // above, and no two rows share a place (checked above), so
                // each place is written once, by one thread.
                unsafe { dst.at(place[row] as usize).cast::<Ev>().write(ev) };
            }
        });
    // SAFETY: the `kept` places after `base` were each written above.
    unsafe { out.set_len(base + kept) };
    Ok(())
}

/// Where a slice's events are written (see [`append_rows`]).
#[derive(Clone, Copy)]
struct Dst(*mut std::mem::MaybeUninit<Ev>);
// SAFETY: the threads write disjoint places (see [`append_rows`]).
unsafe impl Send for Dst {}
unsafe impl Sync for Dst {}
impl Dst {
    /// The place `i` after the start.
    ///
    /// # Safety
    /// `i` is within the room the pointer was taken from.
    unsafe fn at(self, i: usize) -> *mut std::mem::MaybeUninit<Ev> {
        unsafe { self.0.add(i) }
    }
}

/// Every row of `df`, in row order, as events with their payloads.
fn frame_rows(df: &DataFrame, block_rows: usize) -> PolarsResult<Vec<Ev>> {
    let keep = vec![Keep::Whole; df.height()];
    let place: Vec<u32> = (0..df.height() as u32).collect();
    let mut out = Vec::new();
    append_rows(df, &keep, &place, block_rows, &mut out)?;
    Ok(out)
}

/// How many rows of `events` are in `[from, to)`: room enough for the
/// window's events.
fn range_rows(events: LazyFrame, from: i64, to: i64) -> PolarsResult<usize> {
    let df = events
        .filter(query::dates_between(from, to))
        .filter(
            col("event_time")
                .cast(DataType::Int64)
                .gt_eq(lit(from))
                .and(col("event_time").cast(DataType::Int64).lt(lit(to))),
        )
        .select([len()])
        .collect()?;
    Ok(df
        .column("len")?
        .cast(&DataType::UInt64)?
        .u64()?
        .get(0)
        .unwrap_or(0) as usize)
}

/// The columns of one chunk of a window frame that an [`Ev`] is made of.
struct Cols<'a> {
    id: &'a StringChunked,
    time: &'a Int64Chunked,
    source: &'a StringChunked,
    name: &'a StringChunked,
    action: &'a StringChunked,
    region: &'a StringChunked,
    recipient_account: &'a StringChunked,
    error_code: &'a StringChunked,
    error_message: &'a StringChunked,
    read_only: &'a BooleanChunked,
    dry_run: &'a BooleanChunked,
    event_type: &'a StringChunked,
    event_category: &'a StringChunked,
    management_event: &'a BooleanChunked,
    identity_type: &'a StringChunked,
    arn: &'a StringChunked,
    principal_id: &'a StringChunked,
    account_id: &'a StringChunked,
    access_key_id: &'a StringChunked,
    user_name: &'a StringChunked,
    invoked_by: &'a StringChunked,
    issuer_arn: &'a StringChunked,
    issuer_name: &'a StringChunked,
    mfa: &'a BooleanChunked,
    source_identity: &'a StringChunked,
    user_agent: &'a StringChunked,
    source_ip: &'a StringChunked,
    console: &'a BooleanChunked,
    web_id_provider: &'a StringChunked,
    identity_provider: &'a StringChunked,
    request_parameters: &'a StringChunked,
    response_elements: &'a StringChunked,
    additional_event_data: &'a StringChunked,
    source_file: &'a StringChunked,
    source_index: &'a Int64Chunked,
}

impl<'a> Cols<'a> {
    fn of(df: &'a DataFrame) -> PolarsResult<Self> {
        let s = |c: &str| df.column(c)?.str();
        let b = |c: &str| df.column(c)?.bool();
        let i = |c: &str| df.column(c)?.i64();
        Ok(Cols {
            id: s("event_id")?,
            time: i("event_time")?,
            source: s("event_source")?,
            name: s("event_name")?,
            action: s("iam_action")?,
            region: s("aws_region")?,
            recipient_account: s("recipient_account_id")?,
            error_code: s("error_code")?,
            error_message: s("error_message")?,
            read_only: b("read_only")?,
            dry_run: b("is_dry_run")?,
            event_type: s("event_type")?,
            event_category: s("event_category")?,
            management_event: b("management_event")?,
            identity_type: s("identity_type")?,
            arn: s("arn")?,
            principal_id: s("principal_id")?,
            account_id: s("account_id")?,
            access_key_id: s("access_key_id")?,
            user_name: s("user_name")?,
            invoked_by: s("invoked_by")?,
            issuer_arn: s("session_issuer_arn")?,
            issuer_name: s("session_issuer_user_name")?,
            mfa: b("mfa_authenticated")?,
            source_identity: s("source_identity")?,
            user_agent: s("user_agent")?,
            source_ip: s("source_ip_address")?,
            console: b("session_credential_from_console")?,
            web_id_provider: s("web_id_federation_provider")?,
            identity_provider: s("identity_provider")?,
            request_parameters: s("request_parameters")?,
            response_elements: s("response_elements")?,
            additional_event_data: s("additional_event_data")?,
            source_file: s("source_file")?,
            source_index: i("source_index")?,
        })
    }

    /// Row `i`'s event, with its payloads or without; the strings many
    /// events share through `interned`.
    fn event(&self, i: usize, payloads: bool, interned: &mut Interner<'a>) -> Ev {
        let mut sym = |c: &'a StringChunked| interned.sym(c, i);
        let text = |c: &'a StringChunked| c.get(i).map(str::to_string);
        Ev {
            id: text(self.id).unwrap_or_default(),
            time: self.time.get(i).unwrap_or(0),
            source: sym(self.source).unwrap_or_default(),
            name: sym(self.name).unwrap_or_default(),
            action: sym(self.action).unwrap_or_default(),
            region: sym(self.region),
            recipient_account: sym(self.recipient_account),
            error_code: sym(self.error_code),
            read_only: self.read_only.get(i),
            dry_run: self.dry_run.get(i).unwrap_or(false),
            event_type: sym(self.event_type),
            event_category: sym(self.event_category),
            management_event: self.management_event.get(i),
            identity_type: sym(self.identity_type),
            arn: sym(self.arn),
            principal_id: sym(self.principal_id),
            account_id: sym(self.account_id),
            access_key_id: sym(self.access_key_id),
            user_name: sym(self.user_name),
            invoked_by: sym(self.invoked_by),
            issuer_arn: sym(self.issuer_arn),
            issuer_name: sym(self.issuer_name),
            mfa: self.mfa.get(i),
            source_identity: sym(self.source_identity),
            user_agent: sym(self.user_agent),
            source_ip: sym(self.source_ip),
            console: self.console.get(i),
            web_id_provider: sym(self.web_id_provider),
            identity_provider: sym(self.identity_provider),
            payloads: payloads
                .then(|| Payloads {
                    error_message: text(self.error_message),
                    request_parameters: text(self.request_parameters),
                    response_elements: text(self.response_elements),
                    additional_event_data: text(self.additional_event_data),
                })
                .filter(|p| {
                    p.error_message.is_some()
                        || p.request_parameters.is_some()
                        || p.response_elements.is_some()
                        || p.additional_event_data.is_some()
                })
                .map(Box::new),
            source_file: sym(self.source_file).unwrap_or_default(),
            source_index: self.source_index.get(i).unwrap_or(0),
            weight: 1,
        }
    }
}

/// The strings of one frame's rows as [`Sym`]s, one per distinct text.
#[derive(Default)]
struct Interner<'a> {
    by_text: PlHashMap<&'a str, Sym>,
    /// By column and view: a column read from Parquet's dictionary pages
    /// repeats a value's view (its length, prefix and place in the
    /// column's buffers), so a row's value is found without hashing or
    /// comparing its text (perf: 8 % of an incident's samples in those).
    /// Within one array the same view is the same bytes.
    by_view: PlHashMap<(usize, u128), Sym>,
}

impl<'a> Interner<'a> {
    /// Row `i` of `c` (one chunk read by view; more, by text).
    fn sym(&mut self, c: &'a StringChunked, i: usize) -> Option<Sym> {
        if c.chunks().len() != 1 {
            return c.get(i).map(|v| self.text(v));
        }
        let arr = c.downcast_as_array();
        if i >= arr.len() {
            return None;
        }
        let value = arr.get(i)?;
        // The column's identity: frames are not moved while rows are read.
        let key = (c as *const StringChunked as usize, arr.views()[i].as_u128());
        if let Some(s) = self.by_view.get(&key) {
            return Some(s.clone());
        }
        let s = self.text(value);
        self.by_view.insert(key, s.clone());
        Some(s)
    }

    fn text(&mut self, v: &'a str) -> Sym {
        match self.by_text.get(v) {
            Some(s) => s.clone(),
            None => {
                let s = Sym::from(v);
                self.by_text.insert(v, s.clone());
                s
            }
        }
    }
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

/// Failed calls per minute of `events` (the lake's scan), as [`ErrorMinute`]s.
pub fn error_minutes(
    events: LazyFrame,
    range: Option<(i64, i64)>,
) -> Result<Vec<ErrorMinute>, RunError> {
    let mut lf = events;
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

/// The lake's time range (µs), or None when empty: from the statistics
/// its files carry for `event_time` (the lake writes them for every row
/// group), else from `events` (the lake's scan; made here when not given:
/// making one reads a column of the whole lake), which reads the column.
/// An event a later record supersedes counts in the statistics; its update
/// carries the same time.
pub fn time_range(lake: &Lake, events: Option<LazyFrame>) -> Result<Option<(i64, i64)>, RunError> {
    if let Some(range) = crate::lake::parquet_files(lake)
        .ok()
        .and_then(|files| time_range_from_statistics(&files))
    {
        return Ok(range);
    }
    let events = match events {
        Some(scan) => scan,
        None => query::scan_events(lake)?,
    };
    let df = events
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

/// The first and last `event_time` in `files`, from their row groups'
/// statistics: `Some(None)` when they hold no times, `None` when a file
/// cannot be read or a row group with times has no statistics for them.
fn time_range_from_statistics(files: &[std::path::PathBuf]) -> Option<Option<(i64, i64)>> {
    let mut range: Option<(i64, i64)> = None;
    for f in files {
        for g in crate::lake::read::row_group_times(f).ok()? {
            if g.rows == 0 || g.all_null {
                continue;
            }
            let (lo, hi) = g.range?;
            range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three events, latest first, with every column the window query reads.
    fn frame() -> LazyFrame {
        let n = 3;
        let mut cols: Vec<Column> = EV_COLUMNS
            .iter()
            .filter(|c| !matches!(**c, "event_time" | "source_index"))
            .map(|c| {
                let bools = [
                    "read_only",
                    "is_dry_run",
                    "management_event",
                    "mfa_authenticated",
                    "session_credential_from_console",
                ];
                if bools.contains(c) {
                    Column::new((*c).into(), vec![false; n])
                } else if *c == "event_id" {
                    Column::new((*c).into(), ["c", "b", "a"])
                } else {
                    Column::new((*c).into(), vec!["x"; n])
                }
            })
            .collect();
        let times = [3_000_000i64, 2_000_000, 1_000_000];
        cols.push(
            Column::new("event_time".into(), times)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                .unwrap(),
        );
        cols.push(Column::new("source_index".into(), [0i64, 1, 2]));
        cols.push(
            Column::new("event_date".into(), [0i32; 3])
                .cast(&DataType::Date)
                .unwrap(),
        );
        DataFrame::new(n, cols).unwrap().lazy()
    }

    #[test]
    fn the_analysis_skips_the_window_querys_sort_and_sorts_itself() {
        let (name, sql) = query::library_sql(
            None,
            "incident-window-events",
            &query::window_params(0, 10_000_000),
        )
        .unwrap();
        let rows = query::run_sql_on(frame(), &name, &sql).unwrap();
        assert!(rows.describe_plan().unwrap().contains("SORT"));
        let unsorted = without_final_sort(rows.clone());
        let plan = unsorted.describe_plan().unwrap();
        assert!(!plan.contains("SORT"), "{plan}");

        let ids = |evs: Vec<Ev>| evs.into_iter().map(|e| e.id).collect::<Vec<_>>();
        let mine = window_events(frame(), None, 0, 10_000_000, Order::Mine).unwrap();
        assert_eq!(
            ids(mine.clone()),
            ["c", "b", "a"],
            "unsorted: in scan order"
        );
        assert_eq!(ids(sort_events(mine)), ["a", "b", "c"]);
        let theirs = window_events(frame(), None, 0, 10_000_000, Order::Query).unwrap();
        assert_eq!(ids(theirs), ["a", "b", "c"]);
    }

    /// Rows of (id, time, read-only, error, action, access key), the other
    /// columns alike.
    fn reads(rows: &[(&str, i64, bool, Option<&str>, &str, &str)]) -> DataFrame {
        let mut df = frame().collect().unwrap().head(Some(1));
        let n = rows.len();
        let mut cols: Vec<Column> = Vec::new();
        for c in df.columns() {
            let name = c.name().as_str();
            let col = match name {
                "event_id" => {
                    Column::new(name.into(), rows.iter().map(|r| r.0).collect::<Vec<_>>())
                }
                "event_time" => {
                    Column::new(name.into(), rows.iter().map(|r| r.1).collect::<Vec<_>>())
                        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                        .unwrap()
                }
                "read_only" => {
                    Column::new(name.into(), rows.iter().map(|r| r.2).collect::<Vec<_>>())
                }
                "error_code" => {
                    Column::new(name.into(), rows.iter().map(|r| r.3).collect::<Vec<_>>())
                }
                "iam_action" => {
                    Column::new(name.into(), rows.iter().map(|r| r.4).collect::<Vec<_>>())
                }
                "access_key_id" => {
                    Column::new(name.into(), rows.iter().map(|r| r.5).collect::<Vec<_>>())
                }
                _ => c.new_from_index(0, n),
            };
            cols.push(col);
        }
        df = DataFrame::new(n, cols).unwrap();
        df
    }

    /// [`reads`] as the window query gives them: `event_time` in
    /// microseconds.
    fn reads_in_micros(rows: &[(&str, i64, bool, Option<&str>, &str, &str)]) -> DataFrame {
        let mut df = reads(rows);
        let time = df
            .column("event_time")
            .unwrap()
            .cast(&DataType::Int64)
            .unwrap();
        df.with_column(time).unwrap();
        df
    }

    #[test]
    fn plain_reads_group_alike_however_the_frame_is_chunked() {
        // Keys longer than an Arrow string view holds inline: equal texts
        // in different chunks are stored apart.
        let (k1, k2) = ("AKIAIOSFODNN7EXAMPLE1", "AKIAIOSFODNN7EXAMPLE2");
        let df = reads_in_micros(&[
            ("r1", 30, true, None, "s3:GetObject", k1),
            ("r2", 10, true, None, "s3:ListBuckets", k1),
            ("r3", 10, true, None, "s3:GetObject", k1),
            ("r4", 20, true, None, "s3:GetObject", k2),
            ("w1", 5, false, None, "s3:PutObject", k1),
            ("r5", 10, true, None, "s3:GetObject", k2),
            ("r6", 40, true, None, "s3:GetObject", k1),
        ]);
        let whole = read_groups(&df).unwrap();
        let one = READ_ONE_BY_ONE;
        assert_eq!(whole.0, [0, 4, 0, 0, one, 2, 0]);
        // The same rows in three chunks: r2 and r3 tie across a chunk's end.
        let mut chunked = df.slice(0, 2);
        chunked.vstack_mut(&df.slice(2, 3)).unwrap();
        chunked.vstack_mut(&df.slice(5, 2)).unwrap();
        assert_eq!(chunked.column("access_key_id").unwrap().n_chunks(), 3);
        let split = read_groups(&chunked).unwrap();
        assert_eq!(split.0, whole.0);
        assert_eq!(split.1, whole.1);
    }

    #[test]
    fn equal_views_in_different_chunks_are_not_one_group() {
        // Keys of one length with the same first four bytes: alone in a
        // chunk, each at the start of its buffer, their views are equal.
        let keys = ["AKIAIOSFODNN7EXAMPLE1", "AKIAIOSFODNN7EXAMPLE2"];
        let read = |id, time, key| (id, time, true, None, "s3:GetObject", key);
        let a = reads_in_micros(&[read("r1", 10, keys[0])]);
        let b = reads_in_micros(&[read("r2", 20, keys[1])]);
        let mut df = a.clone();
        df.vstack_mut(&b).unwrap();
        let views: Vec<u128> = df
            .column("access_key_id")
            .unwrap()
            .str()
            .unwrap()
            .downcast_iter()
            .map(|arr| arr.views()[0].as_u128())
            .collect();
        assert_eq!(views.len(), 2);
        assert_eq!(views[0], views[1]);
        let (w, reps) = read_groups(&df).unwrap();
        assert_eq!(w, [1, 1]);
        assert_eq!(reps.len(), 2);
        assert_eq!(reps[1].1.0[11].as_deref(), Some(keys[1]));
        // Within one chunk a repeated view is one group.
        let mut c = reads_in_micros(&[read("r1", 10, keys[0]), read("r2", 20, keys[1])]);
        let repeated = c.column("access_key_id").unwrap().new_from_index(0, 2);
        c.with_column(repeated).unwrap();
        let arr = c.column("access_key_id").unwrap().str().unwrap().clone();
        let arr = arr.downcast_as_array();
        assert_eq!(arr.views()[0].as_u128(), arr.views()[1].as_u128());
        assert_eq!(read_groups(&c).unwrap().0, [2, 0]);
    }

    #[test]
    fn plain_reads_of_one_identity_and_key_are_one_event_the_earliest() {
        let df = reads_in_micros(&[
            ("r1", 30, true, None, "s3:GetObject", "AKIA1"),
            ("r2", 10, true, None, "s3:ListBuckets", "AKIA1"),
            ("r3", 10, true, None, "s3:GetObject", "AKIA1"),
            ("r4", 20, true, None, "s3:GetObject", "AKIA2"),
            ("w1", 5, false, None, "s3:PutObject", "AKIA1"),
            ("f1", 6, true, Some("AccessDenied"), "s3:GetObject", "AKIA1"),
            ("s1", 7, true, None, "sts:GetCallerIdentity", "AKIA1"),
        ]);
        let (w, reps) = read_groups(&df).unwrap();
        let one = READ_ONE_BY_ONE;
        // r2 is the earliest of AKIA1's reads (r3 ties it, scanned later).
        assert_eq!(w, [0, 3, 0, 1, one, one, one]);
        let rows: Vec<usize> = reps.iter().map(|r| r.0).collect();
        assert_eq!(rows, [1, 3]);
        assert_eq!(reps[0].1.0[11].as_deref(), Some("AKIA1"));
        assert_eq!(reps[1].1.0[11].as_deref(), Some("AKIA2"));
    }

    /// [`analysis_events_in`] over all of `df`'s rows, in slices of about
    /// `slice_rows` rows converted in blocks of `block_rows`: (id, weight,
    /// has payload), in order.
    fn analysed(df: &DataFrame, slice_rows: usize, block_rows: usize) -> Vec<(String, u64, bool)> {
        analysis_events_in(
            df.clone().lazy(),
            None,
            0,
            0,
            100_000_000,
            slice_rows,
            block_rows,
            None,
        )
        .unwrap()
        .into_iter()
        .map(|e| (e.id.clone(), e.weight, e.request_parameters().is_some()))
        .collect()
    }

    #[test]
    fn analysis_events_keep_one_event_per_read_group_without_payloads() {
        let df = reads(&[
            ("r1", 30, true, None, "s3:GetObject", "AKIA1"),
            ("r2", 10, true, None, "s3:ListBuckets", "AKIA1"),
            ("w1", 5, false, None, "s3:PutObject", "AKIA1"),
        ]);
        let got = analysed(&df, SLICE_ROWS, BLOCK_ROWS);
        assert_eq!(
            got,
            [("w1".to_string(), 1, true), ("r2".to_string(), 2, false)]
        );
    }

    #[test]
    fn read_in_slices_the_window_gives_the_same_events_and_weights() {
        let s = 1_000_000;
        let df = reads(&[
            ("r1", 30 * s, true, None, "s3:GetObject", "AKIA1"),
            ("r2", 10 * s, true, None, "s3:ListBuckets", "AKIA1"),
            ("r3", 10 * s, true, None, "s3:GetObject", "AKIA1"),
            ("r4", 20 * s, true, None, "s3:GetObject", "AKIA2"),
            ("w1", 5 * s, false, None, "s3:PutObject", "AKIA1"),
            (
                "f1",
                6 * s,
                true,
                Some("AccessDenied"),
                "s3:GetObject",
                "AKIA1",
            ),
            ("s1", 7 * s, true, None, "sts:GetCallerIdentity", "AKIA1"),
            ("r5", 99 * s, true, None, "s3:GetObject", "AKIA2"),
            ("r6", 50 * s, true, None, "s3:GetObject", "AKIA1"),
        ]);
        let whole = analysed(&df, 1_000_000, BLOCK_ROWS);
        let row = |id: &str, w, p| (id.to_string(), w, p);
        assert_eq!(
            whole,
            [
                row("w1", 1, true),
                row("f1", 1, true),
                row("s1", 1, true),
                row("r2", 4, false),
                row("r4", 2, false),
            ]
        );
        // One row per slice, then slices of seconds: the same result.
        assert_eq!(analysed(&df, 1, BLOCK_ROWS), whole);
        assert_eq!(analysed(&df, 2, BLOCK_ROWS), whole);
        // Converted in blocks of one row, and of two: merged in order, each
        // group's weight on its event.
        assert_eq!(analysed(&df, 1_000_000, 1), whole);
        assert_eq!(analysed(&df, 1_000_000, 2), whole);
        assert_eq!(analysed(&df, 2, 2), whole);
    }

    /// The coverage counted from the slices the analysis reads is the one
    /// the built-in coverage queries give over the same rows.
    #[test]
    fn coverage_counted_from_the_slices_is_the_queries_coverage() {
        use crate::coverage::{Tally, observe_on};
        let (s, h) = (1_000_000i64, 3_600_000_000i64);
        let mut df = reads(&[
            ("a", 5 * s, true, None, "s3:GetObject", "AKIA1"),
            ("b", h + 5 * s, false, None, "s3:PutObject", "AKIA1"),
            (
                "c",
                h + 9 * s,
                true,
                Some("AccessDenied"),
                "s3:GetObject",
                "AKIA2",
            ),
            ("d", 3 * h, true, None, "s3:GetObject", "AKIA2"),
            ("e", 3 * h + s, true, None, "s3:GetObject", "AKIA2"),
            ("f", 5 * h, true, None, "s3:GetObject", "AKIA2"),
        ]);
        let set = |df: &mut DataFrame, name: &str, v: [Option<&str>; 6]| {
            df.with_column(Column::new(name.into(), v)).unwrap();
        };
        set(
            &mut df,
            "recipient_account_id",
            [Some("111"), None, None, Some("222"), Some("111"), None],
        );
        set(
            &mut df,
            "account_id",
            [Some("999"), Some("111"), None, Some("111"), None, None],
        );
        set(
            &mut df,
            "aws_region",
            [
                Some("eu-west-1"),
                Some("eu-west-1"),
                None,
                Some("us-east-1"),
                Some("eu-west-1"),
                Some("eu-west-1"),
            ],
        );
        set(
            &mut df,
            "source_file",
            [
                Some("f1"),
                Some("f1"),
                Some("f2"),
                Some("f3"),
                Some("f3"),
                Some("f4"),
            ],
        );
        let want = observe_on(df.clone().lazy(), None, 0, 6 * h).unwrap();
        assert_eq!(want.events, 6);
        assert_eq!(want.source_files, 4);
        // Slices of one row, and the whole range at once; with the first
        // two hours a credentials' horizon, of whose rows only the
        // credential calls are kept, and all are counted.
        for slice_rows in [1, 1_000_000] {
            for from in [0, 2 * h] {
                let mut tally = Tally::default();
                analysis_events_in(
                    df.clone().lazy(),
                    None,
                    0,
                    from,
                    6 * h,
                    slice_rows,
                    BLOCK_ROWS,
                    Some(&mut tally),
                )
                .unwrap();
                assert_eq!(
                    tally.observed(),
                    want,
                    "slices of {slice_rows}, events from {from}"
                );
            }
        }
    }

    /// Before the range proper, only the calls that mint or carry
    /// credentials and the IAM changes are kept, each one by one; from it,
    /// every event, reads grouped.
    #[test]
    fn the_credentials_horizon_keeps_credential_calls_and_iam_changes() {
        let s = 1_000_000i64;
        let df = reads(&[
            ("h-read", s, true, None, "s3:GetObject", "AKIA1"),
            ("h-put", 2 * s, false, None, "s3:PutObject", "AKIA1"),
            ("h-assume", 3 * s, true, None, "sts:AssumeRole", "AKIA1"),
            ("h-assume2", 3 * s, false, None, "sts:AssumeRole", "AKIA2"),
            ("h-iam-read", 4 * s, true, None, "iam:GetRole", "AKIA1"),
            (
                "h-iam-put",
                5 * s,
                false,
                None,
                "iam:PutRolePolicy",
                "AKIA1",
            ),
            (
                "h-login",
                6 * s,
                false,
                None,
                "signin:ConsoleLogin",
                "AKIA3",
            ),
            (
                "h-failed",
                7 * s,
                true,
                Some("AccessDenied"),
                "s3:GetObject",
                "AKIA1",
            ),
            ("read-1", 20 * s, true, None, "s3:GetObject", "AKIA1"),
            ("read-2", 21 * s, true, None, "s3:GetObject", "AKIA1"),
            ("put", 22 * s, false, None, "s3:PutObject", "AKIA1"),
        ]);
        let got: Vec<(String, u64)> =
            analysis_events_in(df.lazy(), None, 0, 10 * s, 100 * s, 1, 2, None)
                .unwrap()
                .into_iter()
                .map(|e| (e.id.clone(), e.weight))
                .collect();
        let row = |id: &str, w| (id.to_string(), w);
        assert_eq!(
            got,
            [
                row("h-assume", 1),
                row("h-assume2", 1),
                row("h-iam-put", 1),
                row("h-login", 1),
                row("read-1", 2),
                row("put", 1),
            ]
        );
    }

    #[test]
    fn events_sort_by_time_then_id() {
        let ev = |id: &str, time| Ev {
            id: id.into(),
            time,
            ..Ev::default()
        };
        let sorted = sort_events(vec![ev("b", 2), ev("a", 2), ev("z", 1), ev("a", 2)]);
        let got: Vec<(i64, &str)> = sorted.iter().map(|e| (e.time, e.id.as_str())).collect();
        assert_eq!(got, [(1, "z"), (2, "a"), (2, "a"), (2, "b")]);
    }
}
