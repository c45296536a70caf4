//! Finding the outage window from the errors in the lake.
//!
//! The signal is failed calls whose error class means a dependency is broken
//! (not-found, unavailable), per minute, in one series per (account, event
//! source) and one per account, each against its own baseline (median plus
//! four scaled MADs of its 5-minute sums, at least 3 errors, and a Poisson
//! bound on its background rate): the background errors of unrelated
//! accounts never add up to an outage. Anomalous minutes less than 15
//! minutes apart form an episode, extended while the series' errors stay
//! above its baseline rate. The outage is the episode with the most errors
//! above its baseline, joined by the overlapping episodes of the same
//! account's other services; it starts at their first failing minute and
//! ends after their last. When no breakage errors are anomalous, other error
//! classes except access-denied are tried.

use super::classify::{ErrorClass, error_class};
use super::load::ErrorMinute;
use std::collections::BTreeMap;

const MIN: i64 = 60_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    pub start: i64,
    pub end: i64,
    pub errors: u64,
    pub baseline_per_5min: f64,
    pub threshold_per_5min: f64,
    pub signal: &'static str,
    /// The account whose failures make up the outage (None when the errors
    /// carry no account).
    pub account: Option<String>,
    /// The account's services (event sources) whose errors rose above their
    /// baselines.
    pub series: Vec<String>,
}

/// The median of `vals` together with `zeros` further values of `fill`.
fn median_with(vals: &mut [f64], fill: f64, zeros: usize) -> f64 {
    let n = vals.len() + zeros;
    if n == 0 {
        return 0.0;
    }
    vals.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    // The k-th smallest of the combined multiset.
    let kth = |k: usize| -> f64 {
        let below = vals.iter().take_while(|&&v| v < fill).count();
        if k < below {
            vals[k]
        } else if k < below + zeros {
            fill
        } else {
            vals[k - zeros]
        }
    };
    if n % 2 == 1 {
        kth(n / 2)
    } else {
        (kth(n / 2 - 1) + kth(n / 2)) / 2.0
    }
}

/// Detect the outage; `near` (µs) prefers the episode closest to a time.
pub fn detect(
    minutes: &[ErrorMinute],
    lake_range: (i64, i64),
    near: Option<i64>,
) -> Option<Detected> {
    let try_signal = |accept: &dyn Fn(ErrorClass) -> bool, signal: &'static str| {
        let picked: Vec<&ErrorMinute> = minutes
            .iter()
            .filter(|m| accept(error_class(&m.error_code)))
            .collect();
        detect_in(&picked, lake_range, near, signal)
    };
    try_signal(
        &|c| c.is_breakage(),
        "breakage errors (not-found, unavailable)",
    )
    .or_else(|| {
        try_signal(
            &|c| c != ErrorClass::AccessDenied,
            "errors other than access-denied",
        )
    })
    .or_else(|| sustained_breakage(minutes))
}

/// When the lake holds no quiet period to learn a baseline from (it starts
/// during the outage), sustained breakage errors (at least 10 in 5 or more
/// distinct minutes) are the window.
fn sustained_breakage(minutes: &[ErrorMinute]) -> Option<Detected> {
    let mut per: BTreeMap<i64, u64> = BTreeMap::new();
    for m in minutes {
        if error_class(&m.error_code).is_breakage() {
            *per.entry(m.minute / MIN).or_default() += m.count as u64;
        }
    }
    let total: u64 = per.values().sum();
    if total < 10 || per.len() < 5 {
        return None;
    }
    let (first, last) = (*per.keys().next()?, *per.keys().next_back()?);
    Some(Detected {
        start: first * MIN,
        end: (last + 1) * MIN,
        errors: total,
        baseline_per_5min: 0.0,
        threshold_per_5min: 0.0,
        signal: "sustained breakage errors (the lake has no quiet period to learn a baseline from)",
        account: None,
        series: Vec::new(),
    })
}

/// One series' anomalous episode.
#[derive(Debug, Clone)]
struct Episode {
    account: String,
    /// The event source; empty for the account's series as a whole.
    source: String,
    /// First and last failing minute (absolute minutes).
    lo: i64,
    hi: i64,
    errors: u64,
    /// Errors above what the series' baseline rate explains.
    excess: f64,
    median: f64,
    threshold: f64,
}

/// The episodes of one series (errors per absolute minute) over the
/// minutes `first..=last`.
fn episodes_of(
    account: &str,
    source: &str,
    series: &BTreeMap<i64, u64>,
    first: i64,
    last: i64,
    out: &mut Vec<Episode>,
) {
    let n = (last - first + 1).max(1);
    let window = |a: i64, b: i64| -> u64 { series.range(a..=b).map(|(_, c)| *c).sum() };
    // 5-minute sums starting at each minute; only those within 4 minutes
    // before an error can be non-zero.
    let mut sums: BTreeMap<i64, u64> = BTreeMap::new();
    for &m in series.keys() {
        for p in (m - 4).max(first)..=m {
            sums.entry(p)
                .or_insert_with(|| window(p, (p + 4).min(last)));
        }
    }
    let zeros = (n as usize).saturating_sub(sums.len());
    let mut vals: Vec<f64> = sums.values().map(|&v| v as f64).collect();
    let med = median_with(&mut vals, 0.0, zeros);
    let mut dev: Vec<f64> = vals.iter().map(|x| (x - med).abs()).collect();
    let mad = median_with(&mut dev, med, zeros) * 1.4826;
    let robust = (med + 4.0 * mad).max(med + 3.0).max(3.0);
    // The baseline rate: errors per minute outside the 5-minute spans that
    // rise above the robust threshold (the outage itself is no baseline).
    let mut loud: BTreeMap<i64, ()> = BTreeMap::new();
    for (&p, &s) in &sums {
        if s as f64 > robust {
            for m in p..=(p + 4).min(last) {
                loud.insert(m, ());
            }
        }
    }
    let quiet_errors: u64 = series
        .iter()
        .filter(|(m, _)| !loud.contains_key(m))
        .map(|(_, c)| *c)
        .sum();
    let per_min = quiet_errors as f64 / (n - loud.len() as i64).max(1) as f64;
    // A Poisson bound on that rate keeps sparse but steady series (a
    // median of zero) from flagging every few errors.
    let base5 = per_min * 5.0;
    let threshold = robust.max(base5 + 4.0 * base5.sqrt());
    let mut eps: Vec<(i64, i64)> = Vec::new();
    for (&p, &s) in &sums {
        if s as f64 <= threshold {
            continue;
        }
        let (lo_i, hi_i) = {
            let mut r = series.range(p..=(p + 4).min(last));
            let lo = r.next().map(|(m, _)| *m).unwrap_or(p);
            let hi = r.next_back().map(|(m, _)| *m).unwrap_or(lo);
            (lo, hi)
        };
        match eps.last_mut() {
            Some(e) if lo_i <= e.1 + 15 => e.1 = e.1.max(hi_i),
            _ => eps.push((lo_i, hi_i)),
        }
    }
    // Extend each episode while the series' errors continue above its
    // baseline: the errors within 15 minutes after the episode's last one
    // must be more than the baseline rate explains for that gap.
    for e in eps.iter_mut() {
        let mut j = e.1;
        while j < e.1 + 15 {
            let Some((&next, _)) = series.range(j + 1..=e.1 + 15).next() else {
                break;
            };
            j = next;
            let expected = per_min * (j - e.1) as f64;
            if window(e.1 + 1, j) as f64 > expected + 2.0 * expected.sqrt() {
                e.1 = j;
            }
        }
    }
    // Extensions can make neighbours overlap.
    eps.dedup_by(|b, a| {
        if b.0 <= a.1 + 15 {
            a.1 = a.1.max(b.1);
            true
        } else {
            false
        }
    });
    for (lo, hi) in eps {
        let errors = window(lo, hi);
        out.push(Episode {
            account: account.to_string(),
            source: source.to_string(),
            lo,
            hi,
            errors,
            excess: errors as f64 - per_min * (hi - lo + 1) as f64,
            median: med,
            threshold,
        });
    }
}

/// Each account's errors, and each (account, service) series within it, are
/// compared with their own baselines: the background error rate of other
/// accounts and services does not add up to an outage.
fn detect_in(
    minutes: &[&ErrorMinute],
    (lo, hi): (i64, i64),
    near: Option<i64>,
    signal: &'static str,
) -> Option<Detected> {
    if minutes.is_empty() {
        return None;
    }
    let first = lo / MIN;
    let last = hi / MIN;
    if last - first > 60 * 24 * 400 {
        return None;
    }
    let mut per: BTreeMap<(&str, &str), BTreeMap<i64, u64>> = BTreeMap::new();
    for m in minutes {
        let t = m.minute / MIN;
        if t < first || t > last {
            continue;
        }
        for key in [
            (m.account.as_str(), m.source.as_str()),
            (m.account.as_str(), ""),
        ] {
            *per.entry(key).or_default().entry(t).or_default() += m.count as u64;
        }
    }
    let mut eps: Vec<Episode> = Vec::new();
    for ((account, source), series) in &per {
        episodes_of(account, source, series, first, last, &mut eps);
    }
    let by_excess = |a: &&Episode, b: &&Episode| {
        a.excess
            .partial_cmp(&b.excess)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.lo.cmp(&a.lo))
    };
    let pick = match near {
        Some(t) => {
            let tm = t / MIN;
            let dist = |e: &Episode| {
                if tm >= e.lo && tm <= e.hi {
                    0
                } else {
                    (e.lo - tm).abs().min((e.hi - tm).abs())
                }
            };
            let best = eps.iter().map(dist).min()?;
            eps.iter().filter(|e| dist(e) == best).max_by(by_excess)
        }
        None => eps.iter().max_by(by_excess),
    }?
    .clone();
    // The outage: the overlapping episodes of the picked account's services
    // (dependents fail in several). The account's series as a whole only
    // bounds the window when no single service rose above its baseline (it
    // mixes in the other services' background errors).
    let overlapping: Vec<&Episode> = eps
        .iter()
        .filter(|x| x.account == pick.account && x.lo <= pick.hi && x.hi >= pick.lo)
        .collect();
    let services: Vec<&Episode> = overlapping
        .iter()
        .copied()
        .filter(|x| !x.source.is_empty())
        .collect();
    let bounds = if services.is_empty() {
        vec![&pick]
    } else {
        services.clone()
    };
    let s = bounds.iter().map(|x| x.lo).min().unwrap_or(pick.lo);
    let e = bounds.iter().map(|x| x.hi).max().unwrap_or(pick.hi);
    let mut series: Vec<String> = Vec::new();
    for x in services {
        if !series.contains(&x.source) {
            series.push(x.source.clone());
        }
    }
    let errors = per
        .get(&(pick.account.as_str(), ""))
        .map(|m| m.range(s..=e).map(|(_, c)| *c).sum())
        .unwrap_or(pick.errors);
    Some(Detected {
        start: s * MIN,
        end: (e + 1) * MIN,
        errors,
        baseline_per_5min: pick.median,
        threshold_per_5min: pick.threshold,
        signal,
        account: (!pick.account.is_empty()).then(|| pick.account.clone()),
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn em(minute: i64, code: &str, count: u32) -> ErrorMinute {
        em_in("111122223333", "x", minute, code, count)
    }

    fn em_in(account: &str, source: &str, minute: i64, code: &str, count: u32) -> ErrorMinute {
        ErrorMinute {
            minute: minute * MIN,
            account: account.into(),
            source: source.into(),
            error_code: code.into(),
            count,
        }
    }

    #[test]
    fn other_accounts_background_errors_do_not_start_the_outage() {
        let mut v = Vec::new();
        // Another account's steady background of not-found errors, with a
        // short burst before the outage.
        for m in (0..3000).step_by(3) {
            v.push(em_in("444455556666", "s3.amazonaws.com", m, "NoSuchKey", 1));
        }
        v.push(em_in(
            "444455556666",
            "s3.amazonaws.com",
            901,
            "NoSuchKey",
            10,
        ));
        // The outage in the first account: two services failing.
        for m in 1000..1780 {
            v.push(em_in(
                "111122223333",
                "secretsmanager.amazonaws.com",
                m,
                "ResourceNotFoundException",
                2,
            ));
            if m % 4 == 0 {
                v.push(em_in(
                    "111122223333",
                    "elasticloadbalancing.amazonaws.com",
                    m,
                    "TargetGroupNotFound",
                    1,
                ));
            }
        }
        let d = detect(&v, (0, 3000 * MIN), None).unwrap();
        assert_eq!(d.start, 1000 * MIN);
        assert_eq!(d.end, 1780 * MIN);
        assert_eq!(d.account.as_deref(), Some("111122223333"));
        assert_eq!(d.errors, 780 * 2 + 195);
    }

    #[test]
    fn finds_the_long_outage_not_the_short_burst() {
        let mut v = Vec::new();
        // background noise
        for m in (0..3000).step_by(97) {
            v.push(em(m, "ResourceNotFoundException", 1));
        }
        // a 10-minute throttling-like burst of not-found at 500
        for m in 500..505 {
            v.push(em(m, "NoSuchKey", 6));
        }
        // the outage: 1000..1780, 4 per minute
        for m in 1000..1780 {
            v.push(em(m, "ResourceNotFoundException", 4));
        }
        let d = detect(&v, (0, 3000 * MIN), None).unwrap();
        assert_eq!(d.start, 1000 * MIN);
        assert_eq!(d.end, 1780 * MIN);
        // --around near the burst picks the burst
        let b = detect(&v, (0, 3000 * MIN), Some(502 * MIN)).unwrap();
        assert_eq!(b.start, 500 * MIN);
    }

    #[test]
    fn access_denied_alone_is_no_outage() {
        let v: Vec<_> = (0..100).map(|m| em(m, "AccessDenied", 10)).collect();
        assert!(detect(&v, (0, 1000 * MIN), None).is_none());
    }
}
