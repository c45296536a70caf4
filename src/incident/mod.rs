//! Incident analysis: from the lake and (optionally) when an outage was
//! noticed, the causal chain that led to it. Heavy filtering runs in polars
//! ([`load`]); the chain walk runs here, on the window's events.
//!
//! The rules are documented in docs/RULES.md; nothing here knows any
//! fixture's names.

pub mod classify;
pub mod load;
pub mod model;
pub mod window;

use crate::actors::provenance;
use crate::actors::{self, Actor, Kind, Minted, config::Config};
use crate::event::canonical::Node;
use crate::event::time;
use crate::lake::Lake;
use classify::{ErrorClass, Risk, error_class, identifiers, identifiers_in_text};
use load::Ev;
use model::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

const SECOND: i64 = 1_000_000;
const MIN: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MIN;

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct IncidentOptions {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub around: Option<i64>,
    /// An ARN, name or ID the analysis should center on.
    pub focus: Option<String>,
    /// How far before the window to look for causes (µs).
    pub lookback: i64,
    pub iam_snapshot: Option<PathBuf>,
    pub config: Config,
    pub config_path: Option<String>,
    pub queries: Option<PathBuf>,
    /// The digest check of the exports, when digests were supplied.
    pub verification: Option<crate::coverage::Verification>,
    /// The process ends soon after the analysis (the CLI): what it holds
    /// per event is left to the operating system to reclaim at exit, not
    /// freed (about a core's tenth of a second per million events, beside
    /// the report's rendering on a machine of two cores).
    pub exiting: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error(transparent)]
    Run(#[from] crate::query::RunError),
    #[error("{0}")]
    NoOutage(String),
    #[error("IAM snapshot {path}: {why}")]
    Snapshot { path: String, why: String },
}

pub fn iso(us: i64) -> String {
    time::from_micros(us)
        .map(|t| time::format_event_time(&t))
        .unwrap_or_default()
}

/// Per-event facts computed once.
struct Facts {
    /// Shared by the events of one actor key: no copy of its strings each.
    actor: std::sync::Arc<Actor>,
    /// The request's parameters, kept for permission changes only (what
    /// they granted, and to whom, is read again later); [`params_of`]
    /// parses any other event's again, for the few that need them.
    params: Value,
    /// The name the call is about ([`primary_name`] of its parameters),
    /// found the first time it is asked for.
    primary: std::sync::OnceLock<Option<String>>,
    /// The identifiers the event names ([`identifiers_of`]), found the
    /// first time they are asked for: most events' never are.
    ids: std::sync::OnceLock<BTreeSet<String>>,
    risk: Risk,
}

impl Facts {
    /// The name `e` (this fact's event) is about.
    fn primary(&self, e: &Ev) -> Option<&str> {
        self.primary
            .get_or_init(|| primary_name(&request_of(e)?))
            .as_deref()
    }

    /// The identifiers `e` (this fact's event) names.
    fn ids(&self, e: &Ev) -> &BTreeSet<String> {
        self.ids.get_or_init(|| identifiers_of(e))
    }
}

/// The identifiers (ARNs, names, IDs) an event names: in its request, its
/// response when it succeeded, and its error message. A successful read
/// (credentials and sign-ins aside) names nothing the analysis follows.
fn identifiers_of(e: &Ev) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    if let Some(params) = request_of(e) {
        classify::identifiers_in_node(&params, &mut ids);
    }
    if !e.plain_read() && !e.failed() {
        identifiers(e.response_elements(), &mut ids);
    }
    if let Some(m) = e.error_message() {
        identifiers_in_text(m, &mut ids);
    }
    ids
}

/// The fields of an event that decide its actor (see [`actors::classify`]).
type ActorKey<'a> = ([Option<&'a str>; 12], Option<bool>, bool, Minted);

fn actor_key(e: &Ev, minted: Minted) -> ActorKey<'_> {
    (
        [
            e.identity_type.as_deref(),
            e.arn.as_deref(),
            e.principal_id.as_deref(),
            e.account_id.as_deref(),
            e.user_name.as_deref(),
            e.invoked_by.as_deref(),
            e.issuer_arn.as_deref(),
            e.issuer_name.as_deref(),
            e.user_agent.as_deref(),
            e.web_id_provider.as_deref(),
            e.identity_provider.as_deref(),
            Some(&e.source),
        ],
        e.console,
        &*e.name == "ConsoleLogin",
        minted,
    )
}

/// [`ActorKey`] by the strings' addresses ([`load::Sym::addr`]): one
/// address is one text, so events with one address key have one actor key.
type AddrKey = ([usize; 12], Option<bool>, bool, Minted);

fn addr_key(e: &Ev, minted: Minted) -> AddrKey {
    use load::addr;
    (
        [
            addr(&e.identity_type),
            addr(&e.arn),
            addr(&e.principal_id),
            addr(&e.account_id),
            addr(&e.user_name),
            addr(&e.invoked_by),
            addr(&e.issuer_arn),
            addr(&e.issuer_name),
            addr(&e.user_agent),
            addr(&e.web_id_provider),
            addr(&e.identity_provider),
            e.source.addr(),
        ],
        e.console,
        &*e.name == "ConsoleLogin",
        minted,
    )
}

/// Each event's actor, with credential provenance taken into account
/// ([`actors::classify`]), shared by the events of one actor key. Each
/// distinct key is classified once, on every core; events are matched to
/// keys by the addresses of their strings first (a dozen words hashed
/// where the texts are hundreds of bytes), then each distinct address key
/// by its texts (the load interns strings per run of rows, so one text
/// can be at several addresses).
fn classify_all(evs: &[Ev], mints: &provenance::Mints, cfg: &Config) -> Vec<std::sync::Arc<Actor>> {
    use polars::prelude::PlHashMap;
    use rayon::prelude::*;
    let minted: Vec<Minted> = evs
        .par_iter()
        .map(|e| {
            provenance::minted_by(e, mints)
                .map(|m| Minted {
                    via_web_identity: m.via_web_identity,
                    via_saml: m.via_saml,
                    cross_account: m.cross_account,
                })
                .unwrap_or_default()
        })
        .collect();
    // In event order: the first event of a key stands for it.
    let mut by_addr: PlHashMap<AddrKey, u32> = PlHashMap::default();
    let mut by_text: PlHashMap<ActorKey<'_>, u32> = PlHashMap::default();
    let mut firsts: Vec<usize> = Vec::new();
    let of: Vec<u32> = evs
        .iter()
        .zip(&minted)
        .enumerate()
        .map(|(i, (e, &m))| {
            *by_addr.entry(addr_key(e, m)).or_insert_with(|| {
                *by_text.entry(actor_key(e, m)).or_insert_with(|| {
                    firsts.push(i);
                    (firsts.len() - 1) as u32
                })
            })
        })
        .collect();
    let actors: Vec<std::sync::Arc<Actor>> = firsts
        .par_iter()
        .map(|&i| std::sync::Arc::new(actors::classify(&evs[i].identity(), minted[i], cfg)))
        .collect();
    of.into_iter().map(|k| actors[k as usize].clone()).collect()
}

/// The request parameters of an event, parsed, except a plain read's: a
/// successful read changes nothing and names nothing the analysis follows
/// (credentials and sign-ins aside).
fn request_of(e: &Ev) -> Option<Node<'_>> {
    if e.plain_read() {
        return None;
    }
    e.request_parameters()
        .and_then(|t| crate::event::canonical::parse(t).ok())
}

fn facts(e: &Ev, actor: std::sync::Arc<Actor>) -> Facts {
    let (risk, parsed) = classify::risk_of(&e.action, || request_of(e));
    // A permission change's parameters are kept (what it granted, and to
    // whom, is read again later).
    let params = if risk == Risk::Permission {
        parsed
            .or_else(|| request_of(e))
            .map_or(Value::Null, |p| p.to_value())
    } else {
        Value::Null
    };
    Facts {
        actor,
        params,
        primary: Default::default(),
        ids: Default::default(),
        risk,
    }
}

/// The name a create or delete is about (stack, function, bucket, ...).
/// Keys match in any ASCII case (`name` covers `Name`).
fn primary_name<P: classify::Json>(params: &P) -> Option<String> {
    const KEYS: &[&str] = &[
        "stackName",
        "functionName",
        "bucketName",
        "tableName",
        "dBInstanceIdentifier",
        "dBClusterIdentifier",
        "clusterName",
        "serviceName",
        "name",
        "secretId",
        "roleName",
        "userName",
        "loadBalancerName",
        "autoScalingGroupName",
        "environmentName",
        "applicationName",
        "repositoryName",
        "topicName",
        "queueName",
        "ruleName",
        "logGroupName",
    ];
    for k in KEYS {
        // Of keys differing only in case, the first in byte order: the
        // same answer whichever order a `Value` or a `Node` keeps them in.
        let found = params
            .members()
            .filter(|(key, _)| key.eq_ignore_ascii_case(k))
            .filter_map(|(key, v)| Some((key, v.text()?)))
            .min_by_key(|&(key, _)| key);
        if let Some((_, s)) = found {
            // A stack ARN or secret ARN names the same thing as its name.
            let name = if s.starts_with("arn:") {
                s.splitn(6, ':')
                    .nth(5)
                    .unwrap_or(s)
                    .split('/')
                    .nth(1)
                    .unwrap_or(s)
            } else {
                s
            };
            return Some(name.to_string());
        }
    }
    None
}

fn service_of(action: &str) -> &str {
    action.split(':').next().unwrap_or("")
}

fn invoked_service(e: &Ev) -> Option<String> {
    e.invoked_by
        .as_deref()
        .map(|h| crate::event::derive::service_prefix(h).to_string())
}

fn kind_weight(k: Kind) -> f64 {
    match k {
        Kind::Agent => 1.0,
        Kind::Human | Kind::Automation => 0.5,
        Kind::Unknown => 0.3,
        Kind::Service => 0.0,
    }
}

fn risk_weight(r: Risk) -> f64 {
    match r {
        Risk::Destructive => 6.0,
        Risk::Guardrail => 4.0,
        Risk::Permission => 3.0,
        Risk::Change => 1.0,
    }
}

fn risk_str(r: Risk) -> &'static str {
    match r {
        Risk::Destructive => "destructive",
        Risk::Guardrail => "guardrail",
        Risk::Permission => "permission",
        Risk::Change => "change",
    }
}

/// Each event's actor, with credential provenance taken into account.
pub fn actors_of(evs: &[Ev], cfg: &Config) -> Vec<Actor> {
    let mints = provenance::mints(evs);
    classify_all(evs, &mints, cfg)
        .into_iter()
        .map(std::sync::Arc::unwrap_or_clone)
        .collect()
}

/// The class of an event on a timeline: read, change, destructive, error.
pub fn event_class(e: &Ev) -> &'static str {
    if e.failed() {
        return "error";
    }
    if !e.mutating() {
        return "read";
    }
    let (risk, _) = classify::risk_of(&e.action, || request_of(e));
    match risk {
        Risk::Destructive | Risk::Guardrail => "destructive",
        _ => "change",
    }
}

/// Owns what the analysis holds per event (hundreds of thousands of events
/// of dozens of strings each) and frees it on another thread (freeing took
/// as long as rendering the report), or, when the process is about to
/// exit ([`IncidentOptions::exiting`]), not at all.
struct DropLater<T: Send + 'static> {
    held: Option<T>,
    exiting: bool,
}

impl<T: Send + 'static> DropLater<T> {
    fn new(held: T, exiting: bool) -> Self {
        DropLater {
            held: Some(held),
            exiting,
        }
    }
}

impl<T: Send + 'static> std::ops::Deref for DropLater<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.held.as_ref().expect("taken only on drop")
    }
}

impl<T: Send + 'static> Drop for DropLater<T> {
    fn drop(&mut self) {
        let Some(x) = self.held.take() else {
            return;
        };
        if self.exiting {
            // Reclaimed with the process: no destructor of it has effects
            // beyond memory.
            std::mem::forget(x);
            return;
        }
        // When no thread can be started, the closure (and `x`) is freed here.
        let _ = std::thread::Builder::new()
            .name("backtrail-free".into())
            .spawn(move || drop(x));
    }
}

/// Find the window, load its events and reconstruct the chain.
pub fn analyze(lake: &Lake, opts: &IncidentOptions) -> Result<Analysis, IncidentError> {
    let t0 = std::time::Instant::now();
    // One scan of the lake for every query of the analysis (each new scan
    // lists the files and checks for superseded events again).
    let scan = crate::query::scan_events(lake)?;
    // The lake's time range and, to detect the window, the errors per
    // minute: two scans side by side.
    let given = opts.from.zip(opts.to);
    let search = opts.around.map(|a| (a - 48 * HOUR, a + 48 * HOUR));
    let (range, minutes) = rayon::join(
        || load::time_range(lake, Some(scan.clone())),
        || {
            given
                .is_none()
                .then(|| load::error_minutes(scan.clone(), search))
                .transpose()
        },
    );
    let range = range?.ok_or_else(|| IncidentError::NoOutage("the lake holds no events".into()))?;
    let minutes = minutes?.unwrap_or_default();

    // 1. The window.
    let (start, end, detected, how, outage_account) = match given {
        Some((f, t)) => (f, t, false, "given with --from/--to".to_string(), None),
        None => match window::detect(&minutes, search.unwrap_or(range), opts.around) {
            Some(d) => (
                d.start,
                d.end,
                true,
                format!(
                    "detected from {} per minute{}, each account and service against its own baseline: {} errors; threshold {:.1} per 5 minutes over a baseline median of {:.1}{}",
                    d.signal,
                    d.account
                        .as_ref()
                        .map(|a| if d.series.is_empty() {
                            format!(" in account {a}")
                        } else {
                            format!(" in account {a} ({})", d.series.join(", "))
                        })
                        .unwrap_or_default(),
                    d.errors,
                    d.threshold_per_5min,
                    d.baseline_per_5min,
                    opts.around
                        .map(|a| format!("; the episode nearest --around {}", iso(a)))
                        .unwrap_or_default()
                ),
                d.account,
            ),
            None => {
                return Err(IncidentError::NoOutage(format!(
                    "no outage found: no minute's failed calls rose above the baseline between {} and {}; hint: give --from and --to (or --around) to analyse a window you know",
                    iso(range.0),
                    iso(range.1)
                )));
            }
        },
    };

    // 2. Events: the lookback before the window, and a little after it;
    // before the lookback, for 12 h, the calls that minted credentials
    // used later and the IAM changes (what provenance and grants follow).
    tracing::debug!("incident: window found in {:?}", t0.elapsed());
    let load_from = start - opts.lookback - 12 * HOUR;
    let events_from = start - opts.lookback;
    let load_to = end + 30 * MIN;
    // With the counts of everything in the range, reads included: those of
    // the built-in coverage queries are counted from the rows the load
    // reads anyway (a second scan of the range was a core's second of
    // work); a query library of the user's own is run as written.
    let (evs, seen) = match opts.queries.as_deref() {
        None => {
            let mut tally = crate::coverage::Tally::default();
            let evs = load::analysis_events(
                scan.clone(),
                None,
                load_from,
                events_from,
                load_to,
                Some(&mut tally),
            )?;
            (evs, tally.observed())
        }
        Some(q) => {
            let (evs, seen) = rayon::join(
                || {
                    load::analysis_events(
                        scan.clone(),
                        Some(q),
                        load_from,
                        events_from,
                        load_to,
                        None,
                    )
                },
                || crate::coverage::observe_on(scan.clone(), Some(q), load_from, load_to),
            );
            (evs?, seen?)
        }
    };
    let evs = DropLater::new(evs, opts.exiting);
    let evs: &Vec<Ev> = &evs;
    tracing::debug!(
        "incident: {} events loaded by {:?}",
        evs.len(),
        t0.elapsed()
    );
    let mints = provenance::mints(evs);
    // Each distinct actor key classified once (hashing eleven strings per
    // event, and classifying each key again on every piece of the work,
    // were a tenth of the analysis), then the events' facts on every core.
    let actors = classify_all(evs, &mints, &opts.config);
    let fx: DropLater<Vec<Facts>> = DropLater::new(
        {
            use rayon::prelude::*;
            evs.par_iter()
                .zip(actors)
                .map(|(e, actor)| facts(e, actor))
                .collect()
        },
        opts.exiting,
    );
    tracing::debug!("incident: facts by {:?}", t0.elapsed());

    // 3. The failures in the window (of the outage's account, when the
    // window was detected from one account's errors).
    let in_outage = |e: &Ev| outage_account.as_deref().is_none_or(|a| account_of(e) == a);
    let failing: Vec<usize> = (0..evs.len())
        .filter(|&i| {
            let e = &evs[i];
            e.time >= start
                && e.time < end
                && in_outage(e)
                && e.error_code.as_deref().map(error_class).is_some_and(|c| {
                    c.is_breakage() || (!detected && c != ErrorClass::AccessDenied)
                })
        })
        .collect();
    let failing = if failing.is_empty() {
        (0..evs.len())
            .filter(|&i| {
                evs[i].time >= start
                    && evs[i].time < end
                    && in_outage(&evs[i])
                    && evs[i].failed()
                    && error_class(evs[i].error_code.as_deref().unwrap_or(""))
                        != ErrorClass::AccessDenied
            })
            .collect()
    } else {
        failing
    };
    let focus_ids: BTreeSet<String> = opts.focus.iter().cloned().collect();
    // The identifiers the failures name are all needed (step 5): found on
    // every core.
    {
        use rayon::prelude::*;
        failing.par_iter().for_each(|&f| {
            fx[f].ids(&evs[f]);
        });
    }

    tracing::debug!("incident: step 4 at {:?}", t0.elapsed());
    // 4. Service actions, attributed to the user request that caused them.
    let requests: Vec<usize> = (0..evs.len())
        .filter(|&i| {
            evs[i].mutating()
                && fx[i].actor.kind != Kind::Service
                && !evs[i].action.starts_with("sts:")
                && !evs[i].action.starts_with("signin:")
        })
        .collect();
    // A service acts in the account of the request that caused it: the
    // requests are indexed by (account, service), in time order.
    let mut requests_by: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for &r in &requests {
        requests_by
            .entry((account_of(&evs[r]), service_of(&evs[r].action)))
            .or_default()
            .push(r);
    }
    for v in requests_by.values_mut() {
        v.sort_by_key(|&r| (evs[r].time, r));
    }
    let mut service_actions: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut on_behalf: HashMap<usize, usize> = HashMap::new();
    for (i, e) in evs.iter().enumerate() {
        // A service's reads, and the credentials it fetches for its own
        // workloads (EC2 instance profiles, Lambda execution roles), are not
        // work done on a request's behalf.
        if fx[i].actor.kind != Kind::Service || !e.mutating() || e.action.starts_with("sts:") {
            continue;
        }
        let Some(svc) = invoked_service(e) else {
            continue;
        };
        let Some(pool) = requests_by.get(&(account_of(e), svc.as_str())) else {
            continue;
        };
        let lo = pool.partition_point(|&r| evs[r].time < e.time - 2 * HOUR);
        let hi = pool.partition_point(|&r| evs[r].time <= e.time + MIN);
        let in_range = &pool[lo..hi];
        // The latest request of the same session or naming the same
        // resources, else the latest request of the service.
        let related = |r: usize| {
            let same_session = evs[r].access_key_id.is_some()
                && evs[r].access_key_id == e.access_key_id
                || (evs[r].arn.is_some() && evs[r].arn == e.arn);
            same_session || !fx[r].ids(&evs[r]).is_disjoint(fx[i].ids(e))
        };
        let best = in_range
            .iter()
            .rev()
            .copied()
            .find(|&r| related(r))
            .or_else(|| in_range.last().copied());
        if let Some(r) = best {
            service_actions.entry(r).or_default().push(i);
            on_behalf.insert(i, r);
        }
    }

    tracing::debug!("incident: step 5 at {:?}", t0.elapsed());
    // 5. Candidates, ranked. Each failure is credited to one candidate: of
    // those before it that touched what it names, the riskiest, then the
    // latest (an earlier backup or deploy of the same table does not share
    // the credit of the delete that followed it).
    let candidate = |e: &Ev| {
        // Data-plane calls (object, item, invoke) are not infrastructure changes.
        e.time >= start - opts.lookback && e.time <= start + 10 * MIN && e.management()
    };
    // What each candidate touched (its identifiers and its service
    // actions', found the first time here): on every core.
    let cand_ids: Vec<(usize, BTreeSet<&str>)> = {
        use rayon::prelude::*;
        let cands: Vec<usize> = requests
            .iter()
            .copied()
            .filter(|&i| candidate(&evs[i]))
            .collect();
        cands
            .par_iter()
            .map(|&i| (i, touched(evs, &fx, &service_actions, i)))
            .collect()
    };
    tracing::debug!(
        "incident: {} candidates' identifiers at {:?}",
        cand_ids.len(),
        t0.elapsed()
    );
    // A failure is credited only to a change it plausibly depends on: one
    // in its own account, or one whose shared identifier is an ARN in the
    // changed account (a resource shared across accounts). Names alone
    // repeat across accounts (`prod/db-credentials` in each).
    // Per identifier and the changed account: the candidates by time, each
    // with the best (riskiest, then latest) of those up to it, so that a
    // failure finds its best candidate by a binary search, not by going
    // through every change that named a common identifier.
    type Best = (Risk, i64, usize);
    let key = |c: usize| -> Best { (fx[c].risk, evs[c].time, c) };
    // Only the identifiers a failure names are ever looked up.
    let named: polars::prelude::PlHashSet<&str> = failing
        .iter()
        .flat_map(|&f| fx[f].ids(&evs[f]).iter().map(String::as_str))
        .collect();
    let mut by_id: polars::prelude::PlHashMap<(&str, &str), Vec<(i64, Best)>> = Default::default();
    for (c, ids) in &cand_ids {
        for id in ids.iter().filter(|id| named.contains(*id)) {
            by_id
                .entry((*id, account_of(&evs[*c])))
                .or_default()
                .push((evs[*c].time, key(*c)));
        }
    }
    for v in by_id.values_mut() {
        v.sort_unstable();
        for n in 1..v.len() {
            v[n].1 = v[n].1.max(v[n - 1].1);
        }
    }
    tracing::debug!("incident: candidates indexed at {:?}", t0.elapsed());
    let mut credit: HashMap<usize, u64> = HashMap::new();
    for &f in &failing {
        let (fa, ft) = (account_of(&evs[f]), evs[f].time);
        let mut best: Option<Best> = None;
        for id in fx[f].ids(&evs[f]) {
            // Changes in the failure's account, and in the account an ARN
            // names (a resource shared across accounts).
            let shared = arn_account(id).filter(|a| *a != fa);
            for account in std::iter::once(fa).chain(shared) {
                let Some(v) = by_id.get(&(id.as_str(), account)) else {
                    continue;
                };
                let upto = v.partition_point(|x| x.0 <= ft);
                if upto > 0 {
                    best = best.max(Some(v[upto - 1].1));
                }
            }
        }
        if let Some((_, _, c)) = best {
            *credit.entry(c).or_default() += 1;
        }
    }
    let mut cands: Vec<(f64, usize, u64, Vec<String>)> = Vec::new();
    for (i, ids) in &cand_ids {
        let (i, e) = (*i, &evs[*i]);
        let matched = credit.get(&i).copied().unwrap_or(0);
        let mut why = Vec::new();
        let mut score = 0.0;
        if matched > 0 {
            score += 10.0 + 5.0 * (matched as f64).log10();
            why.push(format!(
                "{matched} failed calls in the window name resources it touched"
            ));
        }
        score += risk_weight(fx[i].risk);
        why.push(format!("{} call", risk_str(fx[i].risk)));
        let before_h = ((start - e.time).max(0) as f64) / HOUR as f64;
        score += 3.0 * (-before_h / 6.0).exp();
        score += kind_weight(fx[i].actor.kind);
        if !focus_ids.is_empty()
            && focus_ids
                .iter()
                .any(|f| ids.contains(f.as_str()) || e.arn.as_deref() == Some(f) || e.id == *f)
        {
            score += 20.0;
            why.push("matches --focus".into());
        }
        cands.push((score, i, matched, why));
    }
    cands.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(evs[a.1].time.cmp(&evs[b.1].time))
    });

    tracing::debug!("incident: step 6 at {:?}", t0.elapsed());
    // 6. Root causes: the top candidate, and others nearly as strong that
    // also explain failures. A delete followed by a create of the same name
    // is one "delete and re-create" action.
    let recreate_of = |d: usize| -> Option<usize> {
        if fx[d].risk != Risk::Destructive {
            return None;
        }
        let name = fx[d].primary(&evs[d])?;
        requests.iter().copied().find(|&c| {
            evs[c].time > evs[d].time
                && evs[c].time <= end
                && service_of(&evs[c].action) == service_of(&evs[d].action)
                && (evs[c].name.starts_with("Create")
                    || evs[c].name.starts_with("Restore")
                    || evs[c].name.starts_with("Put"))
                && fx[c].primary(&evs[c]) == Some(name)
        })
    };
    let mut recreated: HashMap<usize, Option<usize>> = HashMap::new();
    let mut roots: Vec<usize> = Vec::new();
    let mut root_why: HashMap<usize, (f64, Vec<String>)> = HashMap::new();
    if let Some(top) = cands.first() {
        for c in &cands {
            if roots.len() >= 3 {
                break;
            }
            // A further root cause is an independent destructive or
            // permission change (another session) that also explains failures;
            // the first cause's own session's other calls are chain actions.
            let independent = roots.is_empty()
                || (matches!(fx[c.1].risk, Risk::Destructive | Risk::Permission)
                    && roots
                        .iter()
                        .all(|&r| session_key(&evs[r]) != session_key(&evs[c.1])));
            if c.0 >= 0.75 * top.0
                && (c.2 > 0 || roots.is_empty())
                && independent
                && !roots.iter().any(|r| recreated[r] == Some(c.1))
            {
                roots.push(c.1);
                recreated.insert(c.1, recreate_of(c.1));
                root_why.insert(c.1, (c.0, c.3.clone()));
            }
        }
    }

    tracing::debug!("incident: step 7 at {:?}", t0.elapsed());
    // 7. Impact.
    let first_error = failing.iter().map(|&i| evs[i].time).min();
    let last_error = failing.iter().map(|&i| evs[i].time).max();
    let affected: BTreeSet<String> = failing.iter().map(|&i| fx[i].actor.id.clone()).collect();
    let services: BTreeSet<String> = failing.iter().map(|&i| evs[i].source.to_string()).collect();
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for &i in &failing {
        *codes
            .entry(evs[i].error_code.as_deref().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    let mut impacted: BTreeSet<String> = BTreeSet::new();
    for &i in &failing {
        if let Some(m) = evs[i].error_message() {
            identifiers_in_text(m, &mut impacted);
        }
    }
    let mut per_minute: BTreeMap<(i64, String), u64> = BTreeMap::new();
    for &i in &failing {
        *per_minute
            .entry((evs[i].time / MIN * MIN, evs[i].source.to_string()))
            .or_default() += 1;
    }

    tracing::debug!("incident: step 8 at {:?}", t0.elapsed());
    // 8. Recovery: the last relevant change before the errors stop. A change
    // is relevant when it, or the service actions it caused, names what
    // failed, what the cause touched, or the failing workloads themselves.
    let root_ids: BTreeSet<String> = roots
        .iter()
        .flat_map(|&r| fx[r].ids(&evs[r]).iter().cloned())
        .collect();
    let mut workload_names: BTreeSet<String> = BTreeSet::new();
    for &f in &failing {
        if let Some((role, session)) = evs[f].arn.as_deref().and_then(actors::role_session) {
            workload_names.insert(role.to_string());
            workload_names.insert(session.to_string());
            if let Some(base) = role.strip_suffix("-role") {
                workload_names.insert(base.to_string());
            }
        }
    }
    let relevant = |i: usize| -> bool {
        let mut ids = touched(evs, &fx, &service_actions, i);
        // A workload naming itself (an instance's agent reporting its own
        // instance ID) does not change what failed.
        if let Some((role, session)) = evs[i].arn.as_deref().and_then(actors::role_session) {
            ids.remove(role);
            ids.remove(session);
        }
        shares(&ids, &impacted) || shares(&ids, &root_ids) || shares(&ids, &workload_names)
    };
    let recovery = last_error.and_then(|le| {
        requests
            .iter()
            .copied()
            .filter(|&i| {
                let e = &evs[i];
                e.time > start
                    && e.time >= le - HOUR
                    && e.time <= le + 2 * MIN
                    && !roots.contains(&i)
                    && fx[i].risk != Risk::Guardrail
                    && e.management()
                    && relevant(i)
            })
            .max_by_key(|&i| (evs[i].time, i))
    });

    tracing::debug!("incident: step 9 at {:?}", t0.elapsed());
    // 9. The chain.
    let mut nodes: BTreeMap<usize, &'static str> = BTreeMap::new();
    let mut edges: BTreeSet<(usize, usize, &'static str)> = BTreeSet::new();
    let mut factors: Vec<Factor> = Vec::new();
    for &r in &roots {
        nodes.insert(r, "trigger");
        // Credentials: the STS calls that minted the keys, role chains, console sign-in.
        let chain = provenance::chain(&evs, &evs[r], &mints);
        let mut consumer = r;
        for m in &chain {
            nodes.entry(m.event).or_insert("credential");
            edges.insert((m.event, consumer, "minted_credentials"));
            consumer = m.event;
        }
        if let Some(login) = console_login_for(&evs, &fx, consumer) {
            nodes.entry(login).or_insert("credential");
            edges.insert((login, consumer, "minted_credentials"));
        }
        // Permissions granted to the acting principal before it acted.
        for i in grants_to(&evs, &fx, r, load_from) {
            nodes.entry(i).or_insert("permission");
            edges.insert((i, r, "granted_permission"));
        }
        // Guardrails removed on the same resources before it.
        for i in 0..evs.len() {
            if fx[i].risk == Risk::Guardrail
                && evs[i].time <= evs[r].time
                && evs[i].time >= evs[r].time - opts.lookback
                && !evs[i].failed()
            {
                let same_resource = !fx[i].ids(&evs[i]).is_disjoint(fx[r].ids(&evs[r]));
                let logging = matches!(
                    evs[i].name.as_ref(),
                    "StopLogging" | "DeleteTrail" | "PutEventSelectors"
                );
                if same_resource || logging {
                    nodes.entry(i).or_insert("guardrail");
                    edges.insert((i, r, "removed_guardrail"));
                }
            }
        }
        // The session's other changes around it.
        let sess = session_key(&evs[r]);
        let mut seq: Vec<usize> = requests
            .iter()
            .copied()
            .filter(|&i| {
                i != r
                    && evs[i].time >= evs[r].time - HOUR
                    && evs[i].time <= end
                    && session_key(&evs[i]) == sess
            })
            .collect();
        seq.push(r);
        seq.sort_by_key(|&i| (evs[i].time, i));
        for w in seq.windows(2) {
            edges.insert((w[0], w[1], "session_sequence"));
        }
        for &i in &seq {
            nodes.entry(i).or_insert("action");
        }
        if let Some(c) = recreate_of(r) {
            nodes.entry(c).or_insert("action");
            edges.insert((r, c, "acted_on"));
        }
        for &s in service_actions
            .get(&r)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            nodes.entry(s).or_insert("service_action");
            edges.insert((r, s, "invoked_on_behalf"));
        }
        // Impact: the first failure of each affected principal that names
        // what this cause touched (or, failing that, of each principal).
        let ids = touched(evs, &fx, &service_actions, r);
        let mut firsts: BTreeMap<String, usize> = BTreeMap::new();
        for &f in &failing {
            if evs[f].time >= evs[r].time && shares(&ids, fx[f].ids(&evs[f])) {
                firsts.entry(fx[f].actor.id.clone()).or_insert(f);
            }
        }
        if firsts.is_empty() {
            for &f in &failing {
                firsts.entry(fx[f].actor.id.clone()).or_insert(f);
            }
        }
        for (_, f) in firsts.iter().take(8) {
            nodes.entry(*f).or_insert("impact");
            edges.insert((r, *f, "caused_errors"));
            if let Some(rc) = recovery {
                edges.insert((*f, rc, "recovered_by"));
            }
        }
    }
    if let Some(rc) = recovery {
        nodes.insert(rc, "recovery");
    }

    tracing::debug!("incident: step 10 at {:?}", t0.elapsed());
    // 10. Actors.
    // Per actor: its most telling classification, its events, on whose
    // behalf and with which credentials it acted. Hashed while counting
    // (one lookup per event), ordered once.
    type ActorRow = (Actor, u64, Option<String>, Option<String>);
    // First per actor key (the events of one share their `Actor`): one
    // pointer hashed per event. Each with its first event, and the first
    // of its events that tells on whose behalf it acted and with which
    // credentials.
    type KeyRow = ActorCount<usize>;
    // Each core takes a run of consecutive events (finding whose behalf
    // and which credentials is a lookup or two per event until found);
    // the runs' rows are merged in order, the earliest answers kept.
    let key_rows = |from: usize, to: usize| {
        let mut by_key: polars::prelude::PlHashMap<usize, KeyRow> = Default::default();
        for (i, e) in evs.iter().enumerate().take(to).skip(from) {
            let row = by_key
                .entry(std::sync::Arc::as_ptr(&fx[i].actor) as usize)
                .or_insert((i, 0, None, None));
            row.1 += e.weight;
            if row.2.is_none() {
                row.2 = on_behalf_of(evs, &fx, &mints, i).map(|s| (i, s));
            }
            if row.3.is_none() {
                row.3 = provenance::minted_by(e, &mints).map(|m| {
                    (
                        i,
                        format!("{} by {}", evs[m.event].action, fx[m.event].actor.id),
                    )
                });
            }
        }
        by_key
    };
    let runs: Vec<polars::prelude::PlHashMap<usize, KeyRow>> = {
        use rayon::prelude::*;
        let step = evs
            .len()
            .div_ceil(rayon::current_num_threads().max(1))
            .max(1);
        evs.par_chunks(step)
            .enumerate()
            .map(|(c, run)| key_rows(c * step, c * step + run.len()))
            .collect()
    };
    let mut by_key: polars::prelude::PlHashMap<usize, KeyRow> = Default::default();
    for (key, row) in runs.into_iter().flatten() {
        if let Some(into) = by_key.get_mut(&key) {
            merge_counts(into, row);
        } else {
            by_key.insert(key, row);
        }
    }
    // Then per actor: its most telling classification (the first event's
    // of the highest rank: a human's session used by an agent tool stays a
    // human actor; the event itself is the agent's), the first event's
    // answers.
    let rank = |k: Kind| match k {
        Kind::Human => 0,
        Kind::Agent => 1,
        Kind::Automation => 2,
        Kind::Service => 3,
        Kind::Unknown => 4,
    };
    let mut by_actor: polars::prelude::PlHashMap<&str, ActorCount<(u8, usize)>> =
        Default::default();
    for (first, weight, behalf, creds) in by_key.into_values() {
        let a = &fx[first].actor;
        let telling = (rank(a.kind), first);
        let row = by_actor
            .entry(a.id.as_str())
            .or_insert((telling, 0, None, None));
        merge_counts(row, (telling, weight, behalf, creds));
    }
    let actor_map: BTreeMap<String, ActorRow> = by_actor
        .into_iter()
        .map(|(id, ((_, first), weight, behalf, creds))| {
            (
                id.to_string(),
                (
                    (*fx[first].actor).clone(),
                    weight,
                    behalf.map(|b| b.1),
                    creds.map(|c| c.1),
                ),
            )
        })
        .collect();
    // In the chain, each event keeps its own classification.
    let actor_kind = |i: usize| -> Kind { fx[i].actor.kind };

    tracing::debug!("incident: step 11 at {:?}", t0.elapsed());
    // 11. Contributing factors.
    for &r in &roots {
        factors.extend(contributing(
            &evs,
            &fx,
            &mints,
            r,
            &nodes,
            &edges,
            opts,
            actor_kind(r),
            recreate_of(r),
            (start, end),
            &service_actions,
        ));
    }
    if let (Some(fe), Some(le)) = (first_error, last_error) {
        let dur = (le - fe) as f64 / HOUR as f64;
        if dur >= 1.0 {
            let mut ev: Vec<String> = failing
                .first()
                .map(|&i| evs[i].id.clone())
                .into_iter()
                .collect();
            ev.extend(failing.last().map(|&i| evs[i].id.clone()));
            if let Some(rc) = recovery {
                ev.push(evs[rc].id.clone());
            }
            factors.push(Factor {
                id: "long-time-to-recover".into(),
                summary: format!("Errors continued for {dur:.1} hours before the service recovered."),
                rule: "long-time-to-recover: the first and last failed call of the outage are an hour or more apart".into(),
                why_it_mattered: "Nothing restored the deleted or changed resources automatically; recovery waited for a manual change.".into(),
                evidence: ev,
                suggestions: vec![
                    "Keep a tested restore path (backups, stack templates with retained resources) and a runbook for re-creating dependencies.".into(),
                    "Alarm on the dependents' error rate so recovery starts within minutes.".into(),
                ],
            });
        }
    }
    // Logging changes anywhere in the loaded range.
    let logging: Vec<usize> = (0..evs.len())
        .filter(|&i| {
            &*evs[i].source == "cloudtrail.amazonaws.com"
                && crate::coverage::is_logging_change(&evs[i].name)
                && !evs[i].failed()
        })
        .collect();
    let gaps = crate::coverage::gaps(&seen.hours, load_from.max(range.0), end.min(range.1));
    if !logging.is_empty() || !gaps.is_empty() {
        factors.push(Factor {
            id: "logging-gap".into(),
            summary: if logging.is_empty() {
                format!("{} hour(s) with no events from an account and region that normally log.", gaps.len())
            } else {
                "Trail logging was stopped or changed in or before the window.".into()
            },
            rule: "logging-gap: StopLogging, DeleteTrail, UpdateTrail or PutEventSelectors in or before the window, or an hour without events from an account/region that logs in most hours".into(),
            why_it_mattered: "Gaps in the audit trail hide what happened and who or what acted.".into(),
            evidence: logging.iter().map(|&i| evs[i].id.clone()).collect(),
            suggestions: vec!["Protect trails with an SCP that denies StopLogging/DeleteTrail/PutEventSelectors, and alert on those calls.".into()],
        });
    }
    if let Some(v) = opts.verification.as_ref().filter(|v| !v.verified) {
        factors.push(Factor {
            id: "evidence-integrity".into(),
            summary: v.sentence(),
            rule: "evidence-integrity: a log file differs from, or is missing from, what its CloudTrail digest lists, or the digest chain is broken".into(),
            why_it_mattered: "The records this analysis rests on may be incomplete or altered; conclusions drawn from the affected hours need corroboration.".into(),
            evidence: v.problems.clone(),
            suggestions: vec![
                "Keep log file validation on, deliver trails to a bucket in a separate log-archive account with Object Lock, and verify digests before a review.".into(),
            ],
        });
    }
    dedup_factors(&mut factors);

    tracing::debug!("incident: step 12 at {:?}", t0.elapsed());
    // 12. Output.
    let ev_time = |i: usize| iso(evs[i].time);
    let mut chain_nodes: Vec<ChainNode> = nodes
        .iter()
        .map(|(&i, &role)| ChainNode {
            event_id: evs[i].id.clone(),
            role: role.into(),
            event_time: ev_time(i),
            iam_action: evs[i].action.to_string(),
            actor: fx[i].actor.id.clone(),
            actor_kind: actor_kind(i).as_str().into(),
            summary: describe(&evs[i], &fx[i]),
            class: match role {
                "impact" => "error".into(),
                "recovery" => "recovery".into(),
                _ => event_class(&evs[i]).into(),
            },
        })
        .collect();
    chain_nodes.sort_by(|a, b| {
        (a.event_time.as_str(), a.event_id.as_str())
            .cmp(&(b.event_time.as_str(), b.event_id.as_str()))
    });
    let edges_out: Vec<Edge> = edges
        .iter()
        .map(|&(a, b, k)| Edge {
            from: evs[a].id.clone(),
            to: evs[b].id.clone(),
            kind: k.into(),
        })
        .collect();
    let root_causes: Vec<RootCause> = roots
        .iter()
        .map(|&r| {
            let (score, why) = root_why.get(&r).cloned().unwrap_or_default();
            RootCause {
                event_id: evs[r].id.clone(),
                event_time: ev_time(r),
                event_name: evs[r].name.to_string(),
                iam_action: evs[r].action.to_string(),
                actor: fx[r].actor.id.clone(),
                actor_kind: actor_kind(r).as_str().into(),
                resources: fx[r].ids(&evs[r]).iter().cloned().collect(),
                on_behalf_of: on_behalf_of(&evs, &fx, &mints, r),
                score: (score * 100.0).round() / 100.0,
                why,
                recreated_by: recreate_of(r).map(|c| evs[c].id.clone()),
            }
        })
        .collect();
    let mut cited: BTreeSet<usize> = nodes.keys().copied().collect();
    // The factors' evidence, by event ID (the last event of an ID): the
    // few IDs are looked up in one pass, not every event's ID indexed.
    let mut wanted: HashMap<&str, Option<usize>> = factors
        .iter()
        .flat_map(|f| f.evidence.iter().map(|id| (id.as_str(), None)))
        .collect();
    if !wanted.is_empty() {
        for (i, e) in evs.iter().enumerate() {
            if let Some(at) = wanted.get_mut(e.id.as_str()) {
                *at = Some(i);
            }
        }
    }
    cited.extend(wanted.into_values().flatten());
    let mut evidence: Vec<Evidence> = cited
        .iter()
        .map(|&i| Evidence {
            event_id: evs[i].id.clone(),
            event_time: ev_time(i),
            iam_action: evs[i].action.to_string(),
            actor: fx[i].actor.id.clone(),
            source_file: evs[i].source_file.to_string(),
            source_index: evs[i].source_index,
            error_code: evs[i].error_code.as_deref().map(str::to_string),
        })
        .collect();
    evidence.sort_by(|a, b| {
        (a.event_time.as_str(), a.event_id.as_str())
            .cmp(&(b.event_time.as_str(), b.event_id.as_str()))
    });
    let actors_out: Vec<ActorOut> = actor_map
        .values()
        .map(|(a, n, behalf, cred)| ActorOut {
            id: a.id.clone(),
            kind: a.kind.as_str().into(),
            rule: a.rule.clone(),
            on_behalf_of: behalf.clone(),
            events: *n,
            credential_source: cred.clone(),
        })
        .collect();
    let candidates: Vec<Candidate> = cands
        .iter()
        .take(10)
        .map(|(s, i, m, _)| Candidate {
            event_id: evs[*i].id.clone(),
            event_time: ev_time(*i),
            iam_action: evs[*i].action.to_string(),
            actor: fx[*i].actor.id.clone(),
            actor_kind: actor_kind(*i).as_str().into(),
            score: (s * 100.0).round() / 100.0,
            matched_failures: *m,
            risk: risk_str(fx[*i].risk).into(),
        })
        .collect();
    let recovery_out = recovery.map(|i| Recovery {
        event_id: evs[i].id.clone(),
        time: ev_time(i),
        iam_action: evs[i].action.to_string(),
        actor: fx[i].actor.id.clone(),
        actor_kind: actor_kind(i).as_str().into(),
    });
    let impact = Impact {
        first_error: first_error.map(iso),
        last_error: last_error.map(iso),
        error_count: failing.len() as u64,
        affected_principals: affected.into_iter().collect(),
        affected_services: services.into_iter().collect(),
        error_codes: codes
            .into_iter()
            .map(|(c, n)| CodeCount {
                class: error_class(&c).as_str().into(),
                error_code: c,
                count: n,
            })
            .collect(),
        impacted_resources: impacted.into_iter().take(50).collect(),
        per_minute: per_minute
            .into_iter()
            .map(|((m, s), n)| MinuteCount {
                minute: iso(m),
                service: s,
                errors: n,
            })
            .collect(),
    };
    let mut analysis = Analysis {
        backtrail_version: env!("CARGO_PKG_VERSION").into(),
        window: Window {
            start: iso(start),
            end: iso(end),
            detected,
            how,
            duration_minutes: (end - start) / MIN,
        },
        root_causes,
        chain: chain_nodes,
        edges: edges_out,
        impact,
        recovery: recovery_out,
        contributing_factors: factors,
        actors: actors_out,
        candidates,
        summary: Vec::new(),
        evidence,
        coverage: Coverage {
            lake_start: iso(range.0),
            lake_end: iso(range.1),
            events_in_analysis: seen.events,
            accounts: seen.accounts.iter().cloned().collect(),
            regions: seen.regions.iter().cloned().collect(),
            source_files: seen.source_files,
            gaps,
            logging_changes: logging
                .iter()
                .map(|&i| format!("{} {} ({})", ev_time(i), evs[i].action, evs[i].id))
                .collect(),
            verification: opts.verification.clone(),
        },
        method: Method {
            window: if detected {
                "detected".into()
            } else {
                "given".into()
            },
            lookback_hours: opts.lookback as f64 / HOUR as f64,
            config: opts.config_path.clone(),
            iam_snapshot: opts.iam_snapshot.as_ref().map(|p| p.display().to_string()),
            rules: vec!["docs/RULES.md".into()],
        },
        timeline: Vec::new(),
    };
    analysis.timeline = evs
        .iter()
        .enumerate()
        .filter(|(_, e)| e.time >= start - 2 * HOUR && e.time <= end + 30 * MIN)
        .filter_map(|(i, e)| {
            let class = if Some(i) == recovery {
                "recovery"
            } else if e.failed() {
                "error"
            } else if !e.mutating() {
                "read"
            } else {
                match fx[i].risk {
                    Risk::Destructive | Risk::Guardrail => "destructive",
                    _ => "change",
                }
            };
            (class != "read").then(|| TimelineEvent {
                time: iso(e.time),
                actor: fx[i].actor.id.clone(),
                actor_kind: fx[i].actor.kind.as_str().into(),
                class: class.into(),
                iam_action: e.action.to_string(),
                event_id: e.id.clone(),
            })
        })
        .take(20_000)
        .collect();
    analysis.summary = summarize(&analysis);
    tracing::debug!("incident: analysis done by {:?}", t0.elapsed());
    Ok(analysis)
}

/// An actor's row while its events are counted: its first (or most
/// telling) event, its events' weight, and the earliest of its events that
/// tells on whose behalf it acted and with which credentials (the event's
/// index, the answer).
type ActorCount<T> = (T, u64, Option<(usize, String)>, Option<(usize, String)>);

/// `other` counted into `into`: the lesser first event, the weights
/// summed, each answer of the earlier event.
fn merge_counts<T: Ord>(into: &mut ActorCount<T>, other: ActorCount<T>) {
    let earliest = |a: &mut Option<(usize, String)>, b: Option<(usize, String)>| {
        if let Some(b) = b
            && a.as_ref().is_none_or(|a| b.0 < a.0)
        {
            *a = Some(b);
        }
    };
    let (first, weight, behalf, creds) = other;
    if first < into.0 {
        into.0 = first;
    }
    into.1 += weight;
    earliest(&mut into.2, behalf);
    earliest(&mut into.3, creds);
}

/// What an event touched, itself or through the service actions it caused.
fn touched<'a>(
    evs: &[Ev],
    fx: &'a [Facts],
    service_actions: &BTreeMap<usize, Vec<usize>>,
    i: usize,
) -> BTreeSet<&'a str> {
    let mut ids: BTreeSet<&str> = fx[i].ids(&evs[i]).iter().map(String::as_str).collect();
    for &s in service_actions
        .get(&i)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        ids.extend(fx[s].ids(&evs[s]).iter().map(String::as_str));
    }
    ids
}

/// Whether `ids` and `set` share an identifier.
fn shares(ids: &BTreeSet<&str>, set: &BTreeSet<String>) -> bool {
    ids.iter().any(|id| set.contains(*id))
}

/// An event's request parameters (parsed again when its facts skipped them).
fn params_of(e: &Ev, f: &Facts) -> Option<Value> {
    if !f.params.is_null() {
        return Some(f.params.clone());
    }
    e.request_parameters()
        .and_then(|t| crate::event::canonical::parse_value(t).ok())
}

/// The account a call was made to.
fn account_of(e: &Ev) -> &str {
    e.recipient_account
        .as_deref()
        .or(e.account_id.as_deref())
        .unwrap_or("")
}

/// The account field of an ARN.
fn arn_account(id: &str) -> Option<&str> {
    id.starts_with("arn:")
        .then(|| id.split(':').nth(4))
        .flatten()
        .filter(|a| !a.is_empty())
}

fn session_key(e: &Ev) -> String {
    e.access_key_id
        .as_deref()
        .or(e.arn.as_deref())
        .unwrap_or_default()
        .to_string()
}

/// The ConsoleLogin a console session came from: the latest successful
/// sign-in of the same principal within 12 hours before.
fn console_login_for(evs: &[Ev], fx: &[Facts], i: usize) -> Option<usize> {
    let e = &evs[i];
    if e.console != Some(true)
        && &*e.name != "ConsoleLogin"
        && !e
            .user_agent
            .as_deref()
            .is_some_and(|u| u.starts_with("Mozilla/"))
    {
        return None;
    }
    let me = &fx[i].actor.id;
    (0..evs.len())
        .filter(|&j| {
            j != i
                && &*evs[j].name == "ConsoleLogin"
                && evs[j].time <= e.time
                && e.time - evs[j].time <= 12 * HOUR
        })
        .filter(|&j| {
            &fx[j].actor.id == me
                || (evs[j].principal_id.is_some() && evs[j].principal_id == e.principal_id)
        })
        .filter(|&j| {
            evs[j]
                .response_elements()
                .is_none_or(|r| !r.contains("Failure"))
        })
        .max_by_key(|&j| evs[j].time)
}

/// IAM changes that granted the acting principal's role or user more power.
fn grants_to(evs: &[Ev], fx: &[Facts], r: usize, since: i64) -> Vec<usize> {
    let e = &evs[r];
    let role = fx[r]
        .actor
        .role
        .as_deref()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string());
    let user = e
        .user_name
        .clone()
        .filter(|_| e.identity_type.as_deref() == Some("IAMUser"));
    (0..evs.len())
        .filter(|&i| {
            let g = &evs[i];
            g.time <= e.time
                && g.time >= since
                && !g.failed()
                && fx[i].risk == Risk::Permission
                && ["Attach", "Put", "Create", "Add", "Update", "Set"]
                    .iter()
                    .any(|p| g.name.starts_with(p))
                && {
                    let p = &fx[i].params;
                    let target_role = p["roleName"].as_str();
                    let target_user = p["userName"].as_str();
                    (role.is_some() && target_role == role.as_deref())
                        || (user.is_some() && target_user == user.as_deref())
                }
        })
        .collect()
}

/// On whose behalf an event's session acted: the sourceIdentity carried by
/// the session, else the human whose credentials minted it.
fn on_behalf_of(evs: &[Ev], fx: &[Facts], mints: &provenance::Mints, i: usize) -> Option<String> {
    if let Some(s) = &evs[i].source_identity {
        return Some(s.to_string());
    }
    let chain = provenance::chain(evs, &evs[i], mints);
    for m in &chain {
        if let Some(s) = &m.source_identity {
            return Some(s.clone());
        }
        let minter = &fx[m.event].actor;
        if minter.kind == Kind::Human {
            return Some(minter.id.clone());
        }
    }
    if fx[i].actor.kind == Kind::Service {
        return evs[i].arn.as_deref().map(str::to_string);
    }
    None
}

/// A short, neutral description of what an event did.
fn describe(e: &Ev, f: &Facts) -> String {
    let what = f
        .primary(e)
        .map(str::to_string)
        .or_else(|| f.ids(e).iter().next().cloned())
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    match &e.error_code {
        Some(c) => format!("{}{} failed: {}", e.action, what, c),
        None => format!("{}{}", e.action, what),
    }
}

#[allow(clippy::too_many_arguments)]
fn contributing(
    evs: &[Ev],
    fx: &[Facts],
    mints: &provenance::Mints,
    r: usize,
    nodes: &BTreeMap<usize, &'static str>,
    edges: &BTreeSet<(usize, usize, &'static str)>,
    opts: &IncidentOptions,
    kind: Kind,
    recreate: Option<usize>,
    (start, _end): (i64, i64),
    service_actions: &BTreeMap<usize, Vec<usize>>,
) -> Vec<Factor> {
    let e = &evs[r];
    let mut out = Vec::new();
    let role_arn = fx[r].actor.role.clone();
    // broad-permissions
    let mut broad_ev: Vec<String> = Vec::new();
    for (&(a, b, k), _) in edges.iter().map(|x| (x, ())) {
        if b == r && k == "granted_permission" {
            let p = &fx[a].params;
            let broad = p["policyArn"]
                .as_str()
                .is_some_and(classify::is_broad_policy_arn)
                || p.get("policyDocument")
                    .is_some_and(classify::document_is_broad);
            if broad {
                broad_ev.push(evs[a].id.clone());
            }
        }
    }
    // The acting role (or IAM user) as the snapshot has it.
    let mut from_snapshot = None;
    if let Some(path) = &opts.iam_snapshot {
        let who = role_arn.clone().or_else(|| {
            (e.identity_type.as_deref() == Some("IAMUser"))
                .then(|| e.arn.as_deref().map(str::to_string))
                .flatten()
        });
        if let Some(who) = who {
            from_snapshot = crate::iam::snapshot::Snapshot::load(path)
                .ok()
                .and_then(|snap| {
                    let name = who.rsplit('/').next().unwrap_or(&who).to_string();
                    snap.principal(&who).or_else(|| snap.principal(&name))
                })
                .and_then(|p| crate::iam::policy::is_broad(&p))
                .map(|why| format!("{why}, per the IAM snapshot"));
        }
    }
    if !broad_ev.is_empty() || from_snapshot.is_some() {
        let mut evidence = broad_ev.clone();
        evidence.push(e.id.clone());
        out.push(Factor {
            id: "broad-permissions".into(),
            summary: format!(
                "The acting principal {} held an administrator, power-user or wildcard grant{}.",
                role_arn.as_deref().unwrap_or(&fx[r].actor.id),
                from_snapshot.as_ref().map(|w| format!(" ({w})")).unwrap_or_default()
            ),
            rule: "broad-permissions: an AdministratorAccess, PowerUserAccess or IAMFullAccess attachment, or a policy allowing * or service:* on *, to the acting role or user (IAM change events in the lake, or --iam-snapshot)".into(),
            why_it_mattered: format!("Nothing in IAM stopped {} from running {}.", fx[r].actor.id, e.action),
            evidence,
            suggestions: vec![
                "Scope the role to the actions its task needs (see `backtrail drift` for a least-privilege policy from observed use).".into(),
                "Add a permission boundary or SCP that denies destructive calls (Delete*, Terminate*) to agent and automation roles.".into(),
            ],
        });
    }
    if kind == Kind::Agent && fx[r].risk == Risk::Destructive {
        out.push(Factor {
            id: "agent-destructive-action".into(),
            summary: format!("A session classified as an AI agent ran the destructive call {}.", e.action),
            rule: "agent-destructive-action: the trigger's actor kind is agent and the call is in the destructive table".into(),
            why_it_mattered: "An agent could delete production resources without a human approving that specific action.".into(),
            evidence: vec![e.id.clone()],
            suggestions: vec![
                "Require human approval for destructive calls made by agents (a deny in the agent role's boundary, lifted through a reviewed change).".into(),
                "Require sourceIdentity on agent sessions so every action names the human who launched it.".into(),
            ],
        });
    }
    let svc = service_of(&e.action);
    if svc == "cloudformation"
        && matches!(
            e.name.as_ref(),
            "DeleteStack" | "UpdateStack" | "ExecuteChangeSet"
        )
    {
        let direct = &*e.name != "ExecuteChangeSet" || {
            let name = fx[r].primary(e);
            !evs.iter().enumerate().any(|(i, c)| {
                &*c.name == "CreateChangeSet"
                    && c.time < e.time
                    && fx[i].primary(c) == name
                    && fx[i].actor.id != fx[r].actor.id
            })
        };
        if direct {
            out.push(Factor {
                id: "direct-change-without-change-set".into(),
                summary: format!("The stack was changed with {} directly, not through a change set created by one principal and executed by another.", e.name),
                rule: "direct-change-without-change-set: DeleteStack or UpdateStack, or ExecuteChangeSet by the principal that created the change set".into(),
                why_it_mattered: "No second person or process reviewed what the change would delete.".into(),
                evidence: vec![e.id.clone()],
                suggestions: vec!["Deploy production stacks only through change sets, with a second approver executing them.".into()],
            });
        }
    }
    if matches!(fx[r].risk, Risk::Destructive) {
        let name = fx[r].primary(e).map(str::to_string);
        let previewed = evs.iter().enumerate().any(|(i, c)| {
            c.time <= e.time
                && e.time - c.time <= 24 * HOUR
                && ((c.dry_run && c.action == e.action)
                    || (matches!(c.name.as_ref(), "CreateChangeSet" | "DescribeChangeSet")
                        && params_of(c, &fx[i]).as_ref().and_then(primary_name) == name))
        });
        if !previewed {
            out.push(Factor {
                id: "no-dry-run".into(),
                summary: format!("No dry run or change-set preview of {} preceded it.", e.action),
                rule: "no-dry-run: no DryRun of the same call, and no change set for the same resource, in the 24 hours before a destructive call".into(),
                why_it_mattered: "The call's effect was not previewed before it ran against production.".into(),
                evidence: vec![e.id.clone()],
                suggestions: vec!["Make agents and scripts preview destructive calls (EC2 DryRun, CloudFormation change sets) and show the result before running them.".into()],
            });
        }
    }
    let guards: Vec<String> = edges
        .iter()
        .filter(|(_, b, k)| *b == r && *k == "removed_guardrail")
        .map(|(a, _, _)| evs[*a].id.clone())
        .collect();
    if !guards.is_empty() {
        let mut evidence = guards.clone();
        evidence.push(e.id.clone());
        out.push(Factor {
            id: "deletion-protection-off".into(),
            summary: "A protection on the resource (termination or deletion protection, or logging) was turned off shortly before the destructive call.".into(),
            rule: "deletion-protection-off: a guardrail removal (UpdateTerminationProtection false, deletionProtection false, disableApiTermination false, StopLogging, ...) on the same resource before the trigger".into(),
            why_it_mattered: "The protection existed, but the same permissions that could delete the resource could also turn the protection off.".into(),
            evidence,
            suggestions: vec!["Deny turning protections off (cloudformation:UpdateTerminationProtection, rds:ModifyDBInstance with deletionProtection=false) except to a break-glass role.".into()],
        });
    }
    // self-escalation: an actor changed its own permissions before acting.
    let selfs: Vec<String> = edges
        .iter()
        .filter(|(a, b, k)| {
            *b == r && *k == "granted_permission" && {
                let g = &fx[*a].actor;
                g.role.is_some() && g.role == fx[r].actor.role || g.id == fx[r].actor.id
            }
        })
        .map(|(a, _, _)| evs[*a].id.clone())
        .collect();
    if !selfs.is_empty() {
        out.push(Factor {
            id: "self-escalation".into(),
            summary: "The acting principal granted itself the permission it then used.".into(),
            rule: "self-escalation: an IAM change by a principal to its own role or user, before the trigger".into(),
            why_it_mattered: "A role able to edit its own policies has, in effect, every permission.".into(),
            evidence: selfs,
            suggestions: vec!["Deny iam:Put*Policy, iam:Attach*Policy and iam:CreatePolicyVersion on a role's own ARN (a permission boundary does this).".into()],
        });
    }
    // no-mfa: the humans in the chain signed in or acted without MFA.
    let mut no_mfa = Vec::new();
    for (&i, _) in nodes.iter() {
        if fx[i].actor.kind == Kind::Human || &*evs[i].name == "ConsoleLogin" {
            let login_without = &*evs[i].name == "ConsoleLogin"
                && evs[i]
                    .additional_event_data()
                    .is_some_and(|a| a.contains("\"MFAUsed\":\"No\""));
            let session_without = fx[i].actor.kind == Kind::Human
                && evs[i].mfa == Some(false)
                && evs[i].identity_type.as_deref() != Some("AssumedRole");
            if login_without || session_without {
                no_mfa.push(evs[i].id.clone());
            }
        }
    }
    for m in provenance::chain(evs, &evs[r], mints) {
        let c = &evs[m.event];
        // Federated and Identity Center sessions always say false (MFA
        // happens at the identity provider), so only users and root count.
        let direct = matches!(c.identity_type.as_deref(), Some("IAMUser") | Some("Root"));
        if fx[m.event].actor.kind == Kind::Human
            && direct
            && c.mfa == Some(false)
            && !no_mfa.contains(&c.id)
        {
            no_mfa.push(c.id.clone());
        }
    }
    if !no_mfa.is_empty() {
        out.push(Factor {
            id: "no-mfa".into(),
            summary: "A human session in the chain was established without MFA.".into(),
            rule: "no-mfa: a ConsoleLogin with MFAUsed No, or a human session with mfaAuthenticated false, among the chain's events".into(),
            why_it_mattered: "Credentials that reached production were protected by a password or key alone.".into(),
            evidence: no_mfa,
            suggestions: vec!["Require MFA (aws:MultiFactorAuthPresent) to assume operator roles, including roles handed to agents.".into()],
        });
    }
    if let Some(c) = recreate {
        out.push(Factor {
            id: "delete-and-recreate".into(),
            summary: format!("The resource was deleted and then re-created under the same name ({} then {}).", e.action, evs[c].action),
            rule: "delete-and-recreate: a destructive call followed, before the window ends, by a Create/Restore/Put of the same service and the same name".into(),
            why_it_mattered: "A re-created resource has new identifiers and lacks the state and data of the old one, so dependents kept failing.".into(),
            evidence: vec![e.id.clone(), evs[c].id.clone()],
            suggestions: vec!["Prefer in-place updates; when a rebuild is needed, build beside the old resource and switch over after verification.".into()],
        });
    }
    let _ = (start, service_actions);
    out
}

fn dedup_factors(f: &mut Vec<Factor>) {
    let mut seen = BTreeMap::<String, usize>::new();
    let mut out: Vec<Factor> = Vec::new();
    for x in f.drain(..) {
        match seen.get(&x.id) {
            Some(&i) => {
                for e in x.evidence {
                    if !out[i].evidence.contains(&e) {
                        out[i].evidence.push(e);
                    }
                }
            }
            None => {
                seen.insert(x.id.clone(), out.len());
                out.push(x);
            }
        }
    }
    *f = out;
}

/// Three to five neutral sentences: what happened, impact, detection,
/// recovery, and which property of the system allowed it.
fn summarize(a: &Analysis) -> Vec<String> {
    let mut s = Vec::new();
    match a.root_causes.first() {
        Some(rc) => {
            let who = match rc.actor_kind.as_str() {
                "agent" => "a session classified as an AI agent",
                "automation" => "an automation session",
                "human" => "a human session",
                "service" => "an AWS service",
                _ => "a principal",
            };
            let behalf = rc
                .on_behalf_of
                .as_ref()
                .map(|b| format!(" (launched on behalf of {b})"))
                .unwrap_or_default();
            let recreated = if rc.recreated_by.is_some() {
                ", and the resource was later re-created under the same name"
            } else {
                ""
            };
            s.push(format!(
                "At {}, {who}{behalf} using {} ran {}{recreated}.",
                rc.event_time, rc.actor, rc.iam_action
            ));
        }
        None => s.push(
            "No mutating call in the lookback explains the failures; the chain below is empty."
                .into(),
        ),
    }
    if let (Some(fe), Some(le)) = (&a.impact.first_error, &a.impact.last_error) {
        s.push(format!(
            "Dependents then failed {} times across {} service(s) and {} principal(s), from {fe} to {le}.",
            a.impact.error_count,
            a.impact.affected_services.len(),
            a.impact.affected_principals.len()
        ));
    }
    s.push(if a.window.detected {
        format!(
            "The outage window ({} to {}, {} minutes) was found from the error rate in the logs.",
            a.window.start, a.window.end, a.window.duration_minutes
        )
    } else {
        format!(
            "The window analysed ({} to {}) was given by the investigator.",
            a.window.start, a.window.end
        )
    });
    match &a.recovery {
        Some(r) => s.push(format!(
            "Errors stopped after {} ran {} at {}.",
            r.actor, r.iam_action, r.time
        )),
        None => s.push("The logs show no change after which the errors stopped.".into()),
    }
    if !a.contributing_factors.is_empty() {
        let ids: Vec<&str> = a
            .contributing_factors
            .iter()
            .map(|f| f.id.as_str())
            .collect();
        s.push(format!(
            "Properties of the system that allowed it: {}.",
            ids.join(", ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_actor_per_key_whatever_the_strings_addresses() {
        let ev = |arn: &str, agent: &str| Ev {
            source: "cloudformation.amazonaws.com".into(),
            name: "DeleteStack".into(),
            identity_type: Some("AssumedRole".into()),
            arn: Some(arn.into()),
            account_id: Some("111122223333".into()),
            user_agent: Some(agent.into()),
            ..Ev::default()
        };
        let agent = "arn:aws:sts::111122223333:assumed-role/agent-operator/session-1";
        let human = "arn:aws:sts::111122223333:assumed-role/Admin/jane@example.com";
        // Each `Sym` its own allocation: equal texts at different addresses.
        let evs = vec![
            ev(agent, "claude-code/1.0 aws-sdk-js/3"),
            ev(human, "aws-cli/2.15"),
            ev(agent, "claude-code/1.0 aws-sdk-js/3"),
            ev(agent, "aws-cli/2.15"),
        ];
        let cfg = Config::default();
        let actors = classify_all(&evs, &provenance::mints(&evs), &cfg);
        assert!(std::sync::Arc::ptr_eq(&actors[0], &actors[2]));
        assert!(!std::sync::Arc::ptr_eq(&actors[0], &actors[3]));
        for (e, a) in evs.iter().zip(&actors) {
            assert_eq!(
                **a,
                actors::classify(&e.identity(), Minted::default(), &cfg)
            );
        }
    }

    #[test]
    fn primary_name_reads_nodes_as_values() {
        let cases = [
            (
                r#"{"stackName":"arn:aws:cloudformation:us-east-1:1:stack/prod-web/abc"}"#,
                Some("prod-web"),
            ),
            (r#"{"stackName":"old","stackName":"new"}"#, Some("new")),
            // Keys differing only in case: the first in byte order.
            (r#"{"name":"lower","Name":"upper"}"#, Some("upper")),
            (r#"{"Name":"upper","name":"lower"}"#, Some("upper")),
            (r#"{"Name":7,"name":"lower"}"#, Some("lower")),
            (r#"{"functionName":{"nested":"x"}}"#, None),
        ];
        for (raw, want) in cases {
            let node = crate::event::canonical::parse(raw).unwrap();
            let value: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(primary_name(&node).as_deref(), want, "{raw}");
            assert_eq!(primary_name(&value).as_deref(), want, "{raw}");
        }
    }
}
