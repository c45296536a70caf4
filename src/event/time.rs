//! Event times as they appear in the wild.
//!
//! CloudTrail writes `2024-01-02T03:04:05Z`, but exports and hand-saved files
//! also carry a space instead of `T`, fractional seconds, numeric offsets, or
//! no offset at all (which means UTC).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, SecondsFormat, Utc};
use std::ops::RangeInclusive;

/// The years, as written, a record's time may have. CloudTrail began in
/// 2013; an earlier year (`0000-01-01`, `0001-01-01`, the Unix epoch) is a
/// placeholder or a corrupted value, not a time something happened. 2000
/// leaves slack for hand-made and test data; the bound is on the year as
/// written so that a time zone offset never moves a time across it.
pub const RECORD_YEARS: RangeInclusive<i32> = 2000..=9999;

/// Parse an ISO 8601 time: `T` or a space between date and time, optional
/// fractional seconds, `Z` or an offset (`+11:00`, `+1100`); no offset is UTC.
pub fn parse_event_time(s: &str) -> Option<DateTime<Utc>> {
    parse_with_offset(s).map(|t| t.with_timezone(&Utc))
}

/// A record's `eventTime` (or `@timestamp`): [`parse_event_time`], and a
/// year as written in [`RECORD_YEARS`].
pub fn parse_record_time(s: &str) -> Option<DateTime<Utc>> {
    parse_with_offset(s)
        .filter(|t| RECORD_YEARS.contains(&t.year()))
        .map(|t| t.with_timezone(&Utc))
}

/// The time with the offset it was written in (UTC when it has none).
fn parse_with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.len() < 19 || s.len() > 40 {
        return None;
    }
    let b = s.as_bytes();
    if b[10] != b'T' && b[10] != b' ' && b[10] != b't' {
        return None;
    }
    let mut norm = String::with_capacity(s.len());
    norm.push_str(&s[..10]);
    norm.push('T');
    norm.push_str(&s[11..]);
    if let Ok(t) = DateTime::parse_from_rfc3339(&norm) {
        return Some(t);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(&norm, fmt) {
            return Some(t);
        }
    }
    NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc().fixed_offset())
}

/// The form CloudTrail itself writes: seconds precision unless the time has
/// a fraction, always `Z`.
pub fn format_event_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The UTC date (`YYYY-MM-DD`, the lake's `event_date`) of a time in µs.
pub fn date_string(us: i64) -> String {
    from_micros(us)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "1970-01-01".into())
}

/// Microseconds since the Unix epoch, the lake's timestamp unit.
pub fn to_micros(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The inverse of [`to_micros`].
pub fn from_micros(us: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_seen_in_the_wild() {
        let want = "2022-02-07T22:23:37Z";
        for s in [
            "2022-02-07T22:23:37Z",
            "2022-02-08 09:23:37+11:00",
            "2022-02-08T09:23:37+1100",
            "2022-02-07T22:23:37",
            "2022-02-07 22:23:37",
            "2022-02-07t22:23:37z",
        ] {
            let t = parse_event_time(s).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(format_event_time(&t), want, "{s}");
        }
        let t = parse_event_time("2022-02-07T22:23:37.125Z").unwrap();
        assert_eq!(format_event_time(&t), "2022-02-07T22:23:37.125Z");
    }

    #[test]
    fn impossible_and_placeholder_times_are_rejected() {
        for s in [
            "redacted",
            "",
            "2022-02-30T00:00:00Z",
            "2022-13-01T00:00:00Z",
            "2022-02-07T25:00:00Z",
            "2022-02-07",
            "2025-10-21TT00:52:27Z",
            "eventTime",
        ] {
            assert!(parse_event_time(s).is_none(), "{s}");
        }
    }

    #[test]
    fn record_times_before_2000_are_placeholders() {
        for s in [
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "1970-01-01T00:00:00Z",
            "1999-12-31T23:59:59Z",
            "1999-12-31T23:00:00-05:00",
        ] {
            assert!(parse_event_time(s).is_some(), "{s} parses");
            assert!(parse_record_time(s).is_none(), "{s} is no record time");
        }
        // The year as written counts, whatever the offset.
        for s in [
            "2000-01-01T00:00:00Z",
            "2000-01-01T00:00:00+11:00",
            "9999-12-31T23:59:59Z",
            "2022-02-07 22:23:37",
        ] {
            assert_eq!(parse_record_time(s), parse_event_time(s), "{s}");
            assert!(parse_record_time(s).is_some(), "{s}");
        }
    }
}
