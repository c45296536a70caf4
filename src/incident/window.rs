//! Finding the outage window from the errors in the lake.
//!
//! The signal is failed calls whose error class means a dependency is broken
//! (not-found, unavailable), per minute. A minute is anomalous when the
//! 5-minute sum starting at it exceeds a robust baseline (median plus four
//! scaled MADs of all 5-minute sums, at least 3 errors). Anomalous minutes
//! less than 15 minutes apart form one episode; the outage is the episode
//! with the most errors (a short burst elsewhere does not win). It starts at
//! the episode's first failing minute and ends after its last one, when the
//! rate is back to baseline. When no breakage errors are anomalous, other
//! error classes except access-denied are tried.

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
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Detect the outage; `near` (µs) prefers the episode closest to a time.
pub fn detect(
    minutes: &[ErrorMinute],
    lake_range: (i64, i64),
    near: Option<i64>,
) -> Option<Detected> {
    let try_signal = |accept: &dyn Fn(ErrorClass) -> bool, signal: &'static str| {
        let mut per: BTreeMap<i64, u64> = BTreeMap::new();
        for m in minutes {
            if accept(error_class(&m.error_code)) {
                *per.entry(m.minute / MIN).or_default() += m.count as u64;
            }
        }
        detect_in(&per, lake_range, near, signal)
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
    })
}

fn detect_in(
    per: &BTreeMap<i64, u64>,
    (lo, hi): (i64, i64),
    near: Option<i64>,
    signal: &'static str,
) -> Option<Detected> {
    if per.is_empty() {
        return None;
    }
    let first = lo / MIN;
    let last = hi / MIN;
    let n = (last - first + 1).max(1) as usize;
    if n > 60 * 24 * 400 {
        return None;
    }
    let mut series = vec![0u64; n];
    for (m, c) in per {
        if *m >= first && *m <= last {
            series[(*m - first) as usize] += c;
        }
    }
    let sums: Vec<f64> = (0..n)
        .map(|i| series[i..(i + 5).min(n)].iter().sum::<u64>() as f64)
        .collect();
    let mut s = sums.clone();
    let med = median(&mut s);
    let mut dev: Vec<f64> = sums.iter().map(|x| (x - med).abs()).collect();
    let mad = median(&mut dev) * 1.4826;
    let threshold = (med + 4.0 * mad).max(med + 3.0).max(3.0);
    // Episodes of anomalous minutes, gaps under 15 minutes merged.
    let mut episodes: Vec<(usize, usize, u64)> = Vec::new();
    for i in 0..n {
        if sums[i] > threshold {
            // The failing minutes behind this anomalous sum.
            let lo_i = (i..(i + 5).min(n)).find(|&j| series[j] > 0).unwrap_or(i);
            let hi_i = (i..(i + 5).min(n))
                .rev()
                .find(|&j| series[j] > 0)
                .unwrap_or(i);
            match episodes.last_mut() {
                Some(e) if lo_i <= e.1 + 15 => e.1 = e.1.max(hi_i),
                _ => episodes.push((lo_i, hi_i, 0)),
            }
        }
    }
    if episodes.is_empty() {
        return None;
    }
    // Extend each episode while errors continue above the baseline rate.
    let per_minute_base = med / 5.0;
    for e in episodes.iter_mut() {
        let mut j = e.1 + 1;
        let mut quiet = 0;
        while j < n && quiet < 15 {
            if series[j] as f64 > per_minute_base && series[j] > 0 {
                e.1 = j;
                quiet = 0;
            } else {
                quiet += 1;
            }
            j += 1;
        }
        e.2 = series[e.0..=e.1].iter().sum();
    }
    let pick = match near {
        Some(t) => {
            let tm = t / MIN - first;
            episodes.iter().min_by_key(|e| {
                let (a, b) = (e.0 as i64, e.1 as i64);
                if tm >= a && tm <= b {
                    0
                } else {
                    (a - tm).abs().min((b - tm).abs())
                }
            })
        }
        None => episodes
            .iter()
            .max_by_key(|e| (e.2, std::cmp::Reverse(e.0))),
    }?;
    Some(Detected {
        start: (first + pick.0 as i64) * MIN,
        end: (first + pick.1 as i64 + 1) * MIN,
        errors: pick.2,
        baseline_per_5min: med,
        threshold_per_5min: threshold,
        signal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn em(minute: i64, code: &str, count: u32) -> ErrorMinute {
        ErrorMinute {
            minute: minute * MIN,
            source: "x".into(),
            error_code: code.into(),
            count,
        }
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
