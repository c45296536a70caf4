//! Charts for the incident report, each a standalone `<svg>` that can be
//! inlined in the HTML page or written beside the Markdown: failed calls per
//! minute by service (plotters), an actor swimlane, and the causal chain as a
//! layered graph (both written by hand, because they need per-lane and
//! per-node structure that plotters cannot express).
//!
//! Every string drawn comes from the logs and is attacker-controlled. Text is
//! cleaned (control characters, bidi overrides and zero-width characters
//! removed; length capped) and XML-escaped; charts reference nothing outside
//! themselves (no links, images, fonts or `url(#id)` references).

use chrono::{DateTime, Utc};
use plotters::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Display, Write};

/// Longest label drawn, in characters; longer ones end in "…".
const MAX_LABEL: usize = 40;
/// Services drawn as their own series before the rest become "other services".
const MAX_SERVICES: usize = 8;
/// Most time buckets in the errors chart.
const MAX_BUCKETS: i64 = 180;
/// Most chain nodes and edges drawn.
const MAX_NODES: usize = 60;
const MAX_EDGES: usize = 300;

const KIND_AGENT: &str = "#8e44ad";
const KIND_HUMAN: &str = "#2471a3";
const KIND_AUTOMATION: &str = "#d68910";
const KIND_SERVICE: &str = "#707b7c";
const KIND_UNKNOWN: &str = "#aab7b8";
const KIND_OTHER: &str = "#d5d8dc";
const WINDOW_FILL: &str = "#e74c3c";
const INK: &str = "#1b2631";
const MUTED: &str = "#5d6d7e";
const GRID: &str = "#e5e8e8";

// ---------------------------------------------------------------------------
// Text safety

/// Characters that can hide, reorder or break text: controls (C0, DEL, C1),
/// bidi embeddings, overrides and isolates, marks, zero-width characters, and
/// the XML non-characters.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200b}'..='\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// `s` without unsafe characters (line breaks and tabs become spaces), at
/// most `max` characters, the last replaced by "…" when cut.
fn clean(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max.saturating_mul(4)));
    let mut n = 0;
    for c in s.chars() {
        let c = match c {
            '\n' | '\r' | '\t' => ' ',
            c if unsafe_char(c) => continue,
            c => c,
        };
        if n == max {
            out.push('…');
            return out;
        }
        out.push(c);
        n += 1;
    }
    out
}

/// XML-escape text or an attribute value (both quote styles).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A pixel coordinate, written with at most one decimal.
#[derive(Clone, Copy)]
struct Px(f64);

impl Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() {
            (self.0 * 10.0).round() / 10.0
        } else {
            0.0
        };
        if v.fract() == 0.0 {
            write!(f, "{}", v as i64)
        } else {
            write!(f, "{v:.1}")
        }
    }
}

/// A small SVG writer. Attribute values and text only enter the document
/// through `attr` and `text`, which clean and escape them.
struct Svg {
    buf: String,
}

impl Svg {
    /// The root element with the accessibility and styling hooks every chart has.
    fn new(class: &str, label: &str, w: f64, h: f64) -> Svg {
        let mut s = Svg::begin(class, label, w, h);
        s.start();
        s
    }

    /// Like `new`, with the root's start tag left open for more attributes.
    fn begin(class: &str, label: &str, w: f64, h: f64) -> Svg {
        let mut s = Svg {
            buf: String::with_capacity(16 * 1024),
        };
        s.open("svg");
        s.root_attrs(class, label, w, h);
        s.attr("font-family", "sans-serif").attr("font-size", 11);
        s
    }

    fn root_attrs(&mut self, class: &str, label: &str, w: f64, h: f64) -> &mut Self {
        self.attr("xmlns", "http://www.w3.org/2000/svg")
            .attr("width", Px(w))
            .attr("height", Px(h))
            .attr("viewBox", format_args!("0 0 {} {}", Px(w), Px(h)))
            .attr("role", "img")
            .attr("aria-label", clean(label, 300))
            .attr("class", class)
    }

    fn open(&mut self, tag: &str) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        self
    }

    fn attr(&mut self, key: &str, value: impl Display) -> &mut Self {
        debug_assert!(
            key.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':')
        );
        let v = value.to_string();
        self.buf.push(' ');
        self.buf.push_str(key);
        self.buf.push_str("=\"");
        // Attribute values are never cut, only cleaned: paths can be long.
        self.buf.push_str(&esc(&clean(&v, usize::MAX)));
        self.buf.push('"');
        self
    }

    /// Ends a start tag whose element has content.
    fn start(&mut self) -> &mut Self {
        self.buf.push('>');
        self
    }

    /// Ends a start tag as an empty element.
    fn empty(&mut self) -> &mut Self {
        self.buf.push_str("/>");
        self
    }

    fn text(&mut self, s: &str, max: usize) -> &mut Self {
        self.buf.push_str(&esc(&clean(s, max)));
        self
    }

    fn close(&mut self, tag: &str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// A `<title>` child: the tooltip and accessible name of its parent.
    fn title(&mut self, s: &str) -> &mut Self {
        self.open("title").start().text(s, 300).close("title")
    }

    /// A text element at (x, y).
    fn label(&mut self, x: f64, y: f64, s: &str, max: usize, extra: &[(&str, &str)]) {
        self.open("text").attr("x", Px(x)).attr("y", Px(y));
        for (k, v) in extra {
            self.attr(k, v);
        }
        self.start().text(s, max).close("text");
    }

    fn finish(mut self) -> String {
        self.close("svg");
        self.buf.push('\n');
        self.buf
    }
}

/// A chart with only a message, for analyses with nothing to draw.
fn placeholder(class: &str, label: &str, message: &str, w: f64, h: f64) -> String {
    let mut s = Svg::new(class, label, w, h);
    s.open("rect")
        .attr("width", Px(w))
        .attr("height", Px(h))
        .attr("fill", "#fbfcfc")
        .attr("stroke", GRID)
        .empty();
    s.label(
        w / 2.0,
        h / 2.0,
        message,
        120,
        &[
            ("text-anchor", "middle"),
            ("fill", MUTED),
            ("class", "empty"),
        ],
    );
    s.finish()
}

// ---------------------------------------------------------------------------
// Time

fn parse_us(v: &Value) -> Option<i64> {
    let s = v.as_str()?;
    Some(DateTime::parse_from_rfc3339(s).ok()?.timestamp_micros())
}

fn fmt_secs(secs: i64, f: &str) -> String {
    DateTime::<Utc>::from_timestamp(secs, 0)
        .map(|d| d.format(f).to_string())
        .unwrap_or_default()
}

fn fmt_us(us: i64, f: &str) -> String {
    fmt_secs(us.div_euclid(1_000_000), f)
}

/// Axis ticks at round UTC times.
struct Ticks {
    /// Seconds since the epoch.
    at: Vec<i64>,
    format: &'static str,
    /// The axis title, naming the day when the range is within one.
    title: String,
}

/// At most `max` ticks between `t0` and `t1` (seconds), on a step of at least `min_step`.
fn ticks(t0: i64, t1: i64, max: i64, min_step: i64) -> Ticks {
    const STEPS: [i64; 21] = [
        1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200,
        86_400, 172_800, 604_800, 1_209_600,
    ];
    let max = max.max(1);
    let span = (t1 - t0).max(1);
    let step = STEPS
        .iter()
        .copied()
        .filter(|s| *s >= min_step)
        .find(|s| span / s <= max)
        .unwrap_or_else(|| (span / max / 86_400 + 1) * 86_400);
    let first = t0.div_euclid(step) * step + if t0.rem_euclid(step) == 0 { 0 } else { step };
    let at: Vec<i64> = (0..=max)
        .map(|i| first + i * step)
        .take_while(|t| *t <= t1)
        .collect();
    let same_day = fmt_secs(t0, "%F") == fmt_secs(t1 - 1, "%F");
    let format = if step < 60 {
        "%H:%M:%S"
    } else if same_day {
        "%H:%M"
    } else if step < 86_400 {
        "%m-%d %H:%M"
    } else {
        "%F"
    };
    let title = if same_day {
        format!("time (UTC), {}", fmt_secs(t0, "%F"))
    } else {
        "time (UTC)".to_string()
    };
    Ticks { at, format, title }
}

/// "5 minutes", "hour", "2 days": the bucket in "failed calls per …".
fn bucket_name(minutes: i64) -> String {
    let (n, unit) = if minutes % 1440 == 0 {
        (minutes / 1440, "day")
    } else if minutes % 60 == 0 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    if n == 1 {
        unit.to_string()
    } else {
        format!("{n} {unit}s")
    }
}

/// "5 minutes", "1 hour", "2 days".
fn bucket_length(minutes: i64) -> String {
    let name = bucket_name(minutes);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name
    } else {
        format!("1 {name}")
    }
}

/// The outage window of an analysis in microseconds since the epoch.
pub fn window_us(a: &Value) -> Option<(i64, i64)> {
    let s = parse_us(&a["window"]["start"])?;
    let e = parse_us(&a["window"]["end"])?;
    Some((s.min(e), s.max(e)))
}

// ---------------------------------------------------------------------------
// Failed calls per minute

const SERIES_COLORS: [RGBColor; MAX_SERVICES] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0xbc, 0xbd, 0x22),
];
const OTHER_SERIES: RGBColor = RGBColor(0x9a, 0xa5, 0xb1);

/// The errors chart's data, bucketed.
struct ErrorBuckets {
    /// Series names (services, maybe "other services" last) and colours.
    series: Vec<(String, RGBColor)>,
    /// Bucket start (minutes since the epoch) → errors per series.
    buckets: BTreeMap<i64, Vec<u64>>,
    bucket_minutes: i64,
    /// Drawn range, in minutes since the epoch.
    lo: i64,
    hi: i64,
    /// Outage window, minutes since the epoch.
    window: Option<(i64, i64)>,
    total: u64,
}

impl ErrorBuckets {
    fn from_analysis(a: &Value) -> Option<ErrorBuckets> {
        let rows: Vec<(i64, &str, u64)> = a["impact"]["per_minute"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let m = parse_us(&r["minute"])?.div_euclid(60_000_000);
                let service = r["service"].as_str().unwrap_or("unknown");
                let errors = r["errors"].as_u64().unwrap_or(0);
                Some((m, service, errors))
            })
            .collect();
        let window = window_us(a).map(|(s, e)| {
            (
                s.div_euclid(60_000_000),
                e.div_euclid(60_000_000).max(s.div_euclid(60_000_000) + 1),
            )
        });

        // Services by errors, the tail folded into one series.
        let mut totals: HashMap<&str, u64> = HashMap::new();
        for (_, s, e) in &rows {
            let t = totals.entry(s).or_default();
            *t = t.saturating_add(*e);
        }
        let mut ranked: Vec<(&str, u64)> = totals.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let keep = if ranked.len() <= MAX_SERVICES {
            ranked.len()
        } else {
            MAX_SERVICES - 1
        };
        let index: HashMap<&str, usize> = ranked
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (*s, i.min(keep)))
            .collect();
        let mut series: Vec<(String, RGBColor)> = ranked[..keep]
            .iter()
            .enumerate()
            .map(|(i, (s, _))| (short_service(s), SERIES_COLORS[i]))
            .collect();
        if keep < ranked.len() {
            series.push((
                format!("other services ({})", ranked.len() - keep),
                OTHER_SERIES,
            ));
        }

        let data_lo = rows.iter().map(|r| r.0).min();
        let data_hi = rows.iter().map(|r| r.0 + 1).max();
        let lo = data_lo.into_iter().chain(window.map(|w| w.0)).min()?;
        let hi = data_hi.into_iter().chain(window.map(|w| w.1)).max()?;
        let pad = ((hi - lo) / 20).max(5);
        let (lo, hi) = (lo - pad, hi + pad);
        let span = hi - lo;
        let bucket_minutes = [1, 5, 15, 60, 360, 1440]
            .into_iter()
            .find(|b| span / b <= MAX_BUCKETS)
            .unwrap_or((span / MAX_BUCKETS / 1440 + 1) * 1440);
        let lo = lo.div_euclid(bucket_minutes) * bucket_minutes;
        let hi = (hi + bucket_minutes - 1).div_euclid(bucket_minutes) * bucket_minutes;

        let mut buckets: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
        let mut total = 0u64;
        for (m, s, e) in rows {
            let b = m.div_euclid(bucket_minutes) * bucket_minutes;
            let v = buckets.entry(b).or_insert_with(|| vec![0; series.len()]);
            let slot = &mut v[index[s]];
            *slot = slot.saturating_add(e);
            total = total.saturating_add(e);
        }
        Some(ErrorBuckets {
            series,
            buckets,
            bucket_minutes,
            lo,
            hi,
            window,
            total,
        })
    }
}

/// "secretsmanager.amazonaws.com" → "secretsmanager".
fn short_service(s: &str) -> String {
    let s = s.strip_suffix(".amazonaws.com").unwrap_or(s);
    clean(s, 24)
}

const ERRORS_W: u32 = 960;
const ERRORS_H: u32 = 380;
const LEGEND_W: u32 = 210;

/// Failed calls per minute by service over the analysed range, stacked, with
/// the outage window shaded. Minutes are summed into 5-, 15- or 60-minute
/// (or longer) buckets when the range would otherwise need more than 180
/// bars; the bucket size is in the caption and in `data-bucket-minutes`.
pub fn errors_per_minute(a: &Value) -> String {
    let label = "Failed calls per minute by service";
    let Some(d) = ErrorBuckets::from_analysis(a) else {
        return placeholder(
            "bt-errors",
            label,
            "no failed calls and no outage window to chart",
            ERRORS_W as f64,
            120.0,
        );
    };
    let aria = format!(
        "Failed calls per {} by service, {} to {} UTC: {} failed calls across {} series{}",
        bucket_name(d.bucket_minutes),
        fmt_secs(d.lo * 60, "%F %H:%M"),
        fmt_secs(d.hi * 60, "%F %H:%M"),
        d.total,
        d.series.len(),
        match d.window {
            Some((s, e)) => format!(
                "; outage window {} to {} shaded",
                fmt_secs(s * 60, "%F %H:%M"),
                fmt_secs(e * 60, "%F %H:%M")
            ),
            None => String::new(),
        }
    );
    match draw_errors(&d) {
        Ok(body) => {
            // plotters writes its own root element; replace it with one that
            // carries the accessibility and structure hooks.
            let Some(end) = body.find('>') else {
                return placeholder("bt-errors", &aria, "chart failed", ERRORS_W as f64, 120.0);
            };
            let mut root = Svg {
                buf: String::with_capacity(body.len() + 512),
            };
            root.open("svg")
                .root_attrs("bt-errors", &aria, ERRORS_W as f64, ERRORS_H as f64)
                .attr("data-bucket-minutes", d.bucket_minutes)
                .attr("data-series", d.series.len())
                .attr("data-total", d.total)
                .start();
            root.buf.push_str(&body[end + 1..]);
            root.buf
        }
        Err(e) => placeholder(
            "bt-errors",
            &aria,
            &format!("chart failed: {e}"),
            ERRORS_W as f64,
            120.0,
        ),
    }
}

fn draw_errors(d: &ErrorBuckets) -> Result<String, Box<dyn std::error::Error>> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (ERRORS_W, ERRORS_H)).into_drawing_area();
        root.fill(&WHITE)?;
        let (plot, legend) = root.split_horizontally(ERRORS_W - LEGEND_W);

        let ymax = d
            .buckets
            .values()
            .map(|v| v.iter().fold(0u64, |a, b| a.saturating_add(*b)))
            .max()
            .unwrap_or(0)
            .max(1);
        let ytop = ymax.saturating_add(ymax / 10).saturating_add(1);
        let t = ticks(d.lo * 60, d.hi * 60, 10, 60);
        let key_points: Vec<i64> = t.at.iter().map(|s| s / 60).collect();
        let format = t.format;

        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!(
                    "Failed calls per {} by service",
                    bucket_name(d.bucket_minutes)
                ),
                ("sans-serif", 17),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(58)
            .build_cartesian_2d((d.lo..d.hi).with_key_points(key_points), 0u64..ytop)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_labels(6)
            .x_label_formatter(&|m: &i64| fmt_secs(m * 60, format))
            .y_label_formatter(&|v: &u64| v.to_string())
            .x_desc(t.title.as_str())
            .y_desc("failed calls")
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 13))
            .draw()?;

        let window_style = RGBColor(0xe7, 0x4c, 0x3c).mix(0.14).filled();
        if let Some((s, e)) = d.window {
            let (s, e) = (s.clamp(d.lo, d.hi), e.clamp(d.lo, d.hi));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(s, 0), (e, ytop)],
                window_style,
            )))?;
        }

        let mut bars = Vec::new();
        for (b, counts) in &d.buckets {
            let mut base = 0u64;
            for (i, c) in counts.iter().enumerate() {
                if *c == 0 {
                    continue;
                }
                let top = base.saturating_add(*c);
                bars.push(Rectangle::new(
                    [(*b, base), (b + d.bucket_minutes, top)],
                    d.series[i].1.filled(),
                ));
                base = top;
            }
        }
        chart.draw_series(bars)?;

        // The legend sits in its own column so it never hides bars.
        let font = ("sans-serif", 13).into_font().color(&BLACK);
        let mut y = 40;
        for (name, color) in &d.series {
            legend.draw(&Rectangle::new([(8, y), (22, y + 12)], color.filled()))?;
            legend.draw(&Text::new(name.as_str(), (28, y), font.clone()))?;
            y += 20;
        }
        if d.window.is_some() {
            y += 6;
            legend.draw(&Rectangle::new([(8, y), (22, y + 12)], window_style))?;
            legend.draw(&Text::new("outage window", (28, y), font.clone()))?;
            y += 20;
        }
        if d.bucket_minutes > 1 {
            legend.draw(&Text::new(
                format!("one bar = {}", bucket_length(d.bucket_minutes)),
                (8, y + 6),
                ("sans-serif", 12)
                    .into_font()
                    .color(&RGBColor(0x5d, 0x6d, 0x7e)),
            ))?;
        }
        root.present()?;
    }
    Ok(buf)
}

// ---------------------------------------------------------------------------
// Swimlane

/// Lanes drawn before the rest are folded into "other actors".
const MAX_LANES: usize = 25;
/// Characters of a lane label, so that it fits beside the lane.
const LANE_LABEL_CHARS: usize = 32;
/// Events drawn one by one, over all lanes; denser lanes are drawn as counts.
const MAX_MARKS: usize = 800;
/// Events in one lane drawn one by one at most.
const MAX_MARKS_PER_LANE: usize = 300;
/// Marks plus count buckets over all lanes: what bounds the output size.
const MAX_ITEMS: usize = 1300;
/// Width in pixels a single mark needs to stay distinguishable.
const MARK_PX: f64 = 6.0;
/// Most marks allowed to share one `MARK_PX` slot before a lane is drawn as counts.
const MAX_MARKS_PER_SLOT: usize = 3;
/// Narrowest count bucket, in pixels.
const AGG_PX: f64 = 12.0;
/// Fewest and most count buckets across the plot.
const MIN_AGG_BUCKETS: usize = 16;
const MAX_AGG_BUCKETS: usize = 80;
/// A counts lane with at most this many busy buckets shows the counts as numbers.
const MAX_CHIPS: usize = 24;

const LANE_LABEL_W: f64 = 250.0;
const LANE_H: f64 = 22.0;
const LANES_TOP: f64 = 44.0;

/// One event on the swimlane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneEvent {
    /// Event time, microseconds since the epoch.
    pub time_us: i64,
    /// The principal, as shown in the report (already pseudonymised).
    pub actor: String,
    /// Actor kind: human, agent, automation, service or unknown.
    pub kind: String,
    /// Event class: read, change, destructive, error or recovery.
    pub class: String,
    /// What happened, for the mark's tooltip.
    pub label: String,
}

/// Event classes, least to most severe: a count bucket takes the colour of
/// its most severe class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Class {
    Other,
    Read,
    Change,
    Recovery,
    Error,
    Destructive,
}

impl Class {
    const ALL: [Class; 6] = [
        Class::Other,
        Class::Read,
        Class::Change,
        Class::Recovery,
        Class::Error,
        Class::Destructive,
    ];

    fn parse(s: &str) -> Class {
        match s {
            "read" => Class::Read,
            "change" => Class::Change,
            "destructive" => Class::Destructive,
            "error" => Class::Error,
            "recovery" => Class::Recovery,
            _ => Class::Other,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Class::Other => "other",
            Class::Read => "read",
            Class::Change => "change",
            Class::Recovery => "recovery",
            Class::Error => "error",
            Class::Destructive => "destructive",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Class::Other => "#95a5a6",
            Class::Read => "#7f8c8d",
            Class::Change => "#2c3e50",
            Class::Recovery => "#1e8449",
            Class::Error => "#e67e22",
            Class::Destructive => "#c0392b",
        }
    }
}

fn kind_name(s: &str) -> &'static str {
    match s {
        "agent" => "agent",
        "human" => "human",
        "automation" => "automation",
        "service" => "service",
        _ => "unknown",
    }
}

fn kind_color(kind: &str) -> &'static str {
    match kind {
        "agent" => KIND_AGENT,
        "human" => KIND_HUMAN,
        "automation" => KIND_AUTOMATION,
        "service" => KIND_SERVICE,
        "other" => KIND_OTHER,
        _ => KIND_UNKNOWN,
    }
}

/// A readable actor name: the resource part of an ARN without its type
/// ("ops-agent-role/kiro-agent-session-1"), otherwise the name as is.
fn short_actor(actor: &str) -> &str {
    if !actor.starts_with("arn:") {
        return actor;
    }
    let resource = actor.splitn(6, ':').nth(5).unwrap_or(actor);
    for prefix in ["assumed-role/", "role/", "user/", "federated-user/"] {
        if let Some(rest) = resource.strip_prefix(prefix) {
            return rest;
        }
    }
    resource
}

struct Lane<'a> {
    actor: &'a str,
    kind: &'static str,
    label: String,
    events: Vec<&'a LaneEvent>,
    first: i64,
    /// Drawn as per-bucket counts rather than one mark per event.
    counts: bool,
}

/// Lanes for `MAX_LANES` (actor, kind) pairs in order of first activity,
/// then one "other actors" lane for the rest; and the number of (actor,
/// kind) pairs. The pairs kept are those with a destructive event, then a
/// recovery, then the busiest.
fn lanes(events: &[LaneEvent]) -> (Vec<Lane<'_>>, usize) {
    let mut by: HashMap<(&str, &'static str), Vec<&LaneEvent>> = HashMap::new();
    for e in events {
        by.entry((e.actor.as_str(), kind_name(&e.kind)))
            .or_default()
            .push(e);
    }
    let actors = by.len();
    let mut kinds_per_actor: HashMap<&str, usize> = HashMap::new();
    for (actor, _) in by.keys() {
        *kinds_per_actor.entry(actor).or_default() += 1;
    }
    let mut all: Vec<Lane> = by
        .into_iter()
        .map(|((actor, kind), mut evs)| {
            evs.sort_by_key(|e| e.time_us);
            let short = short_actor(actor);
            // An actor seen as two kinds gets two lanes, told apart by kind.
            let label = if kinds_per_actor[actor] > 1 {
                let room = LANE_LABEL_CHARS - kind.len() - 3;
                format!("{} ({kind})", clean(short, room))
            } else {
                clean(short, LANE_LABEL_CHARS)
            };
            Lane {
                actor,
                kind,
                label,
                first: evs[0].time_us,
                events: evs,
                counts: false,
            }
        })
        .collect();
    // Who destroyed or recovered something matters more than who was busy.
    let has = |l: &Lane, c: &str| l.events.iter().any(|e| e.class == c);
    let rank = |l: &Lane| (has(l, "destructive"), has(l, "recovery"), l.events.len());
    all.sort_by(|a, b| {
        rank(b)
            .cmp(&rank(a))
            .then(a.first.cmp(&b.first))
            .then(a.actor.cmp(b.actor))
            .then(a.kind.cmp(b.kind))
    });
    let rest: Vec<Lane> = if all.len() > MAX_LANES {
        all.split_off(MAX_LANES)
    } else {
        Vec::new()
    };
    all.sort_by(|a, b| {
        a.first
            .cmp(&b.first)
            .then(a.actor.cmp(b.actor))
            .then(a.kind.cmp(b.kind))
    });
    if !rest.is_empty() {
        let folded = rest.len();
        let mut evs: Vec<&LaneEvent> = rest.into_iter().flat_map(|l| l.events).collect();
        evs.sort_by_key(|e| e.time_us);
        all.push(Lane {
            actor: "",
            kind: "other",
            label: format!("other actors ({folded})"),
            first: evs[0].time_us,
            events: evs,
            counts: false,
        });
    }
    (all, actors)
}

/// The time axis of the swimlane: microseconds (as f64, so that hostile
/// timestamps cannot overflow) to pixels.
struct TimeAxis {
    t0: f64,
    t1: f64,
    x0: f64,
    w: f64,
}

impl TimeAxis {
    fn x(&self, t: f64) -> f64 {
        self.x0 + (t - self.t0) / (self.t1 - self.t0) * self.w
    }

    /// The bucket of `t` among `n` equal buckets.
    fn bucket(&self, t: f64, n: usize) -> usize {
        let f = (t - self.t0) / (self.t1 - self.t0) * n as f64;
        (f.max(0.0) as usize).min(n - 1)
    }
}

/// A swimlane of `events`: one lane per actor and kind (at most 25: those
/// with destructive events, then recoveries, then the busiest; the rest in
/// one "other actors" lane), coloured by actor kind, marks shaped by event
/// class (read dot, change square, destructive red triangle, error cross,
/// recovery green diamond), the outage `window` (microseconds) shaded.
/// `width` is in pixels; the height follows from the number of lanes.
///
/// A lane whose events would overplot (more than 3 in a 6-pixel slot, or
/// more than 300 in all) is drawn as counts instead: the time range is cut
/// into equal buckets (at least 12 pixels wide, the same for every lane) and
/// each busy bucket gets one bar coloured by its most severe class, its
/// count in `data-count` and the tooltip. A lane with few busy buckets shows
/// the counts as numbers on uniform bars; a busier one encodes the count in
/// the bar's height (log scale). At most 800 single marks and 1,300 marks
/// and bars in all are drawn, so the size of the SVG does not grow with the
/// number of events (about 250 KB at worst at 1,000 pixels wide).
pub fn swimlane(events: &[LaneEvent], window: Option<(i64, i64)>, width: u32) -> String {
    let width = f64::from(width.clamp(480, 4000));
    let window = window.map(|(a, b)| (a.min(b), a.max(b)));
    let times = || events.iter().map(|e| e.time_us);
    let t0 = times().chain(window.map(|w| w.0)).min();
    let t1 = times().chain(window.map(|w| w.1)).max();
    let (Some(t0), Some(t1)) = (t0, t1) else {
        return placeholder(
            "bt-swimlane",
            "Activity by actor",
            "no events to draw",
            width,
            LANES_TOP + 40.0,
        );
    };
    let (t0, t1) = (t0 as f64, t1 as f64);
    let pad = ((t1 - t0) / 40.0).max(60e6);
    let x0 = LANE_LABEL_W + 10.0;
    let axis = TimeAxis {
        t0: t0 - pad,
        t1: t1 + pad,
        x0,
        w: width - x0 - 16.0,
    };

    let (mut lanes, actors) = lanes(events);
    let marks = choose_counts(&mut lanes, &axis);
    let counts_lanes = lanes.iter().filter(|l| l.counts).count();
    let buckets = ((axis.w / AGG_PX) as usize)
        .min((MAX_ITEMS - marks) / counts_lanes.max(1))
        .clamp(MIN_AGG_BUCKETS, MAX_AGG_BUCKETS);

    let lanes_bottom = LANES_TOP + lanes.len() as f64 * LANE_H;
    let height = lanes_bottom + 62.0;
    let first_s = (axis.t0 / 1e6).floor() as i64;
    let last_s = (axis.t1 / 1e6).ceil() as i64;
    let aria = format!(
        "Swimlane of {} events by {} actors in {} lanes, {} to {} UTC{}",
        events.len(),
        actors,
        lanes.len(),
        fmt_secs(first_s, "%F %H:%M"),
        fmt_secs(last_s, "%F %H:%M"),
        if window.is_some() {
            "; outage window shaded"
        } else {
            ""
        }
    );
    let mut s = Svg::begin("bt-swimlane", &aria, width, height);
    s.attr("data-buckets", buckets).start();
    let t = ticks(first_s, last_s, (axis.w / 100.0) as i64, 1);
    s.label(
        8.0,
        16.0,
        &format!("Activity by actor — {}", t.title),
        120,
        &[("font-size", "13"), ("font-weight", "bold"), ("fill", INK)],
    );

    // Axis: gridlines through the lanes, labels above them.
    s.open("g").attr("class", "axis").start();
    for at in &t.at {
        let x = axis.x(*at as f64 * 1e6);
        s.open("line")
            .attr("x1", Px(x))
            .attr("x2", Px(x))
            .attr("y1", Px(LANES_TOP - 6.0))
            .attr("y2", Px(lanes_bottom))
            .attr("stroke", GRID)
            .empty();
        s.label(
            x,
            LANES_TOP - 10.0,
            &fmt_secs(*at, t.format),
            20,
            &[("text-anchor", "middle"), ("fill", MUTED)],
        );
    }
    s.close("g");

    if let Some((ws, we)) = window {
        let (a, b) = (axis.x(ws as f64), axis.x(we as f64));
        s.open("g").attr("class", "window").start();
        s.open("rect")
            .attr("x", Px(a))
            .attr("y", Px(LANES_TOP - 4.0))
            .attr("width", Px((b - a).max(1.0)))
            .attr("height", Px(lanes_bottom - LANES_TOP + 4.0))
            .attr("fill", WINDOW_FILL)
            .attr("fill-opacity", 0.12)
            .start();
        s.title(&format!(
            "outage window {} to {} UTC",
            fmt_us(ws, "%F %H:%M:%S"),
            fmt_us(we, "%F %H:%M:%S")
        ));
        s.close("rect");
        s.close("g");
    }

    // Tooltips name the day only when the chart spans more than one.
    let time_format = if fmt_secs(first_s, "%F") == fmt_secs(last_s, "%F") {
        "%H:%M:%S"
    } else {
        "%m-%d %H:%M:%S"
    };
    for (i, lane) in lanes.iter().enumerate() {
        let top = LANES_TOP + i as f64 * LANE_H;
        draw_lane(&mut s, lane, top, width, &axis, buckets, time_format);
    }

    swimlane_legend(&mut s, lanes_bottom + 18.0, window.is_some());
    s.finish()
}

/// Decide which lanes are drawn as counts: those that would overplot, then
/// the busiest until the mark budget holds. Returns the marks left to draw.
fn choose_counts(lanes: &mut [Lane], axis: &TimeAxis) -> usize {
    let slots = ((axis.w / MARK_PX) as usize).max(1);
    for lane in lanes.iter_mut() {
        let mut per_slot: HashMap<usize, usize> = HashMap::new();
        let mut crowded = false;
        for e in &lane.events {
            let n = per_slot
                .entry(axis.bucket(e.time_us as f64, slots))
                .or_default();
            *n += 1;
            crowded |= *n > MAX_MARKS_PER_SLOT;
        }
        lane.counts = crowded || lane.events.len() > MAX_MARKS_PER_LANE;
    }
    let mut order: Vec<usize> = (0..lanes.len()).filter(|i| !lanes[*i].counts).collect();
    order.sort_by_key(|i| lanes[*i].events.len());
    let mut marks = 0;
    for i in order {
        let n = lanes[i].events.len();
        if marks + n <= MAX_MARKS {
            marks += n;
        } else {
            lanes[i].counts = true;
        }
    }
    marks
}

fn draw_lane(
    s: &mut Svg,
    lane: &Lane,
    top: f64,
    width: f64,
    axis: &TimeAxis,
    buckets: usize,
    time_format: &str,
) {
    let color = kind_color(lane.kind);
    let mid = top + LANE_H / 2.0;
    s.open("g")
        .attr("class", "lane")
        .attr("data-kind", lane.kind)
        .attr("data-actor", clean(lane.actor, 120))
        .attr("data-events", lane.events.len())
        .attr("data-mode", if lane.counts { "counts" } else { "marks" })
        .start();
    s.open("rect")
        .attr("class", "lane-bg")
        .attr("x", 0)
        .attr("y", Px(top))
        .attr("width", Px(width))
        .attr("height", Px(LANE_H))
        .attr("fill", color)
        .attr("fill-opacity", 0.08)
        .empty();
    s.open("rect")
        .attr("x", 0)
        .attr("y", Px(top + 1.0))
        .attr("width", 5)
        .attr("height", Px(LANE_H - 2.0))
        .attr("fill", color)
        .empty();
    s.open("text")
        .attr("class", "lane-label")
        .attr("x", 10)
        .attr("y", Px(mid + 4.0))
        .attr("fill", INK)
        .start()
        .text(&lane.label, LANE_LABEL_CHARS + 12);
    s.title(&format!(
        "{} ({}), {} events",
        if lane.actor.is_empty() {
            lane.label.clone()
        } else {
            clean(lane.actor, 120)
        },
        lane.kind,
        lane.events.len()
    ));
    s.close("text");
    s.label(
        LANE_LABEL_W + 4.0,
        mid + 4.0,
        &lane.events.len().to_string(),
        12,
        &[("text-anchor", "end"), ("fill", MUTED), ("font-size", "10")],
    );

    if lane.counts {
        draw_counts(s, lane, top, axis, buckets);
    } else {
        // Severe classes last, so they are drawn on top.
        let mut evs = lane.events.clone();
        evs.sort_by_key(|e| (Class::parse(&e.class), e.time_us));
        for e in evs {
            let class = Class::parse(&e.class);
            let tag = mark(s, class, axis.x(e.time_us as f64), mid, "mark mark-");
            s.start();
            s.title(&format!(
                "{} UTC · {} · {}",
                fmt_us(e.time_us, time_format),
                class.name(),
                clean(&e.label, MAX_LABEL)
            ));
            s.close(tag);
        }
    }
    s.close("g");
}

/// Open the element of a mark of `class` centred on (x, y), its class
/// attribute `css` + the class name; returns the tag to close it with.
fn mark(s: &mut Svg, class: Class, x: f64, y: f64, css: &str) -> &'static str {
    let css = format!("{css}{}", class.name());
    match class {
        Class::Read | Class::Other => {
            s.open("circle")
                .attr("class", css)
                .attr("cx", Px(x))
                .attr("cy", Px(y))
                .attr("r", if class == Class::Read { 2.5 } else { 3.5 })
                .attr("fill", class.color());
            "circle"
        }
        Class::Change => {
            s.open("rect")
                .attr("class", css)
                .attr("x", Px(x - 3.5))
                .attr("y", Px(y - 3.5))
                .attr("width", 7)
                .attr("height", 7)
                .attr("fill", class.color());
            "rect"
        }
        Class::Destructive => {
            let d = format!("M{},{}l6,11h-12z", Px(x), Px(y - 6.0));
            s.open("path")
                .attr("class", css)
                .attr("d", d)
                .attr("fill", class.color());
            "path"
        }
        Class::Error => {
            let d = format!("M{},{}l8,8m0,-8l-8,8", Px(x - 4.0), Px(y - 4.0));
            s.open("path")
                .attr("class", css)
                .attr("d", d)
                .attr("stroke", class.color())
                .attr("stroke-width", 2)
                .attr("fill", "none");
            "path"
        }
        Class::Recovery => {
            let d = format!("M{},{}l6,6l-6,6l-6,-6z", Px(x), Px(y - 6.0));
            s.open("path")
                .attr("class", css)
                .attr("d", d)
                .attr("fill", class.color());
            "path"
        }
    }
}

fn draw_counts(s: &mut Svg, lane: &Lane, top: f64, axis: &TimeAxis, n: usize) {
    let bucket_w = axis.w / n as f64;
    let mut buckets: BTreeMap<usize, [usize; 6]> = BTreeMap::new();
    for e in &lane.events {
        buckets.entry(axis.bucket(e.time_us as f64, n)).or_default()
            [Class::parse(&e.class) as usize] += 1;
    }
    let chips = buckets.len() <= MAX_CHIPS;
    let max = buckets
        .values()
        .map(|c| c.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = (LANE_H - 8.0) / (1.0 + max as f64).ln();
    let bottom = top + LANE_H - 3.0;
    let span = axis.t1 - axis.t0;
    for (i, counts) in buckets {
        let total: usize = counts.iter().sum();
        let worst = Class::ALL
            .iter()
            .rev()
            .find(|c| counts[**c as usize] > 0)
            .copied()
            .unwrap_or(Class::Other);
        let h = if chips {
            LANE_H - 6.0
        } else {
            3.0 + (1.0 + total as f64).ln() * scale
        };
        let x = axis.x0 + i as f64 * bucket_w;
        let from = axis.t0 + span * i as f64 / n as f64;
        let to = axis.t0 + span * (i + 1) as f64 / n as f64;
        let breakdown: Vec<String> = Class::ALL
            .iter()
            .rev()
            .filter(|c| counts[**c as usize] > 0)
            .map(|c| format!("{} {}", counts[*c as usize], c.name()))
            .collect();
        s.open("rect")
            .attr("class", format_args!("agg agg-{}", worst.name()))
            .attr("x", Px((x + 1.0).round()))
            .attr("y", Px((bottom - h).round()))
            .attr("width", Px((bucket_w - 2.0).max(1.0).round()))
            .attr("height", Px(h.round()))
            .attr("rx", if chips { 2 } else { 0 })
            .attr("fill", worst.color())
            .attr("data-count", total)
            .start();
        s.title(&format!(
            "{}–{} UTC · {} events: {}",
            fmt_us(from as i64, "%H:%M"),
            fmt_us(to as i64, "%H:%M"),
            total,
            breakdown.join(", ")
        ));
        s.close("rect");
        if chips {
            s.label(
                x + bucket_w / 2.0,
                top + LANE_H / 2.0 + 3.5,
                &if total < 100 {
                    total.to_string()
                } else {
                    "99+".to_string()
                },
                4,
                &[
                    ("text-anchor", "middle"),
                    ("font-size", "9"),
                    ("font-weight", "bold"),
                    ("fill", "#ffffff"),
                    ("class", "agg-count"),
                ],
            );
        }
    }
}

fn swimlane_legend(s: &mut Svg, y: f64, window: bool) {
    s.open("g").attr("class", "legend").start();
    let mut x = 8.0;
    for kind in ["agent", "human", "automation", "service", "unknown"] {
        s.open("rect")
            .attr("x", Px(x))
            .attr("y", Px(y - 8.0))
            .attr("width", 10)
            .attr("height", 10)
            .attr("fill", kind_color(kind))
            .empty();
        s.label(x + 14.0, y + 1.0, kind, 20, &[("fill", INK)]);
        x += 24.0 + kind.len() as f64 * 6.5;
    }
    if window {
        s.open("rect")
            .attr("x", Px(x))
            .attr("y", Px(y - 8.0))
            .attr("width", 10)
            .attr("height", 10)
            .attr("fill", WINDOW_FILL)
            .attr("fill-opacity", 0.25)
            .empty();
        s.label(x + 14.0, y + 1.0, "outage window", 20, &[("fill", INK)]);
    }
    let y = y + 20.0;
    let mut x = 14.0;
    for class in [
        Class::Read,
        Class::Change,
        Class::Destructive,
        Class::Error,
        Class::Recovery,
    ] {
        mark(s, class, x, y - 3.0, "legend-mark legend-mark-");
        s.empty();
        s.label(x + 10.0, y + 1.0, class.name(), 20, &[("fill", INK)]);
        x += 28.0 + class.name().len() as f64 * 6.5;
    }
    s.open("rect")
        .attr("x", Px(x))
        .attr("y", Px(y - 10.0))
        .attr("width", 10)
        .attr("height", 14)
        .attr("rx", 2)
        .attr("fill", Class::Change.color())
        .empty();
    s.label(
        x + 14.0,
        y + 1.0,
        "bar: events in a time bucket, coloured by the most severe (busy lanes)",
        80,
        &[("fill", MUTED)],
    );
    s.close("g");
}

/// Action names that remove or disable something.
const DESTRUCTIVE_PREFIXES: [&str; 14] = [
    "Delete",
    "Terminate",
    "Remove",
    "Detach",
    "Disable",
    "Stop",
    "Revoke",
    "Deregister",
    "Purge",
    "Destroy",
    "Drop",
    "Deactivate",
    "Disassociate",
    "ScheduleKeyDeletion",
];

fn is_destructive(iam_action: &str) -> bool {
    let name = iam_action.rsplit(':').next().unwrap_or(iam_action);
    DESTRUCTIVE_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The swimlane events of an incident analysis: one per node of its causal
/// chain. Impact nodes are errors, the recovery is a recovery, service
/// actions are changes, and the other roles are changes or, when the action
/// deletes, terminates, detaches or disables something, destructive.
pub fn lane_events(a: &Value) -> Vec<LaneEvent> {
    a["chain"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| {
            let time_us = parse_us(&n["event_time"])?;
            let action = n["iam_action"].as_str().unwrap_or("");
            let class = match n["role"].as_str().unwrap_or("") {
                "impact" => "error",
                "recovery" => "recovery",
                "service_action" => "change",
                _ if is_destructive(action) => "destructive",
                _ => "change",
            };
            let label = n["summary"]
                .as_str()
                .filter(|s| !s.is_empty())
                .unwrap_or(action);
            Some(LaneEvent {
                time_us,
                actor: n["actor"].as_str().unwrap_or("unknown").to_string(),
                kind: n["actor_kind"].as_str().unwrap_or("unknown").to_string(),
                class: class.to_string(),
                label: label.to_string(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Causal chain

const NODE_W: f64 = 204.0;
const NODE_H: f64 = 38.0;
const COL_GAP: f64 = 140.0;
const ROW_GAP: f64 = 14.0;
/// Height of the slot a link takes when it passes through a column.
const PASS_H: f64 = 18.0;
/// Most pass-through slots; links beyond it are drawn straight.
const MAX_PASSES: usize = 400;
const CHAIN_TOP: f64 = 36.0;
const CHAIN_LEFT: f64 = 16.0;

/// Roles in causal order: the order of groups within a column and of the legend.
const ROLES: [&str; 8] = [
    "permission",
    "credential",
    "guardrail",
    "trigger",
    "action",
    "service_action",
    "impact",
    "recovery",
];

fn role_rank(role: &str) -> usize {
    ROLES.iter().position(|r| *r == role).unwrap_or(ROLES.len())
}

fn role_color(role: &str) -> &'static str {
    match role {
        "permission" => "#2874a6",
        "credential" => "#17a589",
        "guardrail" => "#b7950b",
        "trigger" => "#c0392b",
        "action" => "#7d3c98",
        "service_action" => "#707b7c",
        "impact" => "#d35400",
        "recovery" => "#1e8449",
        _ => "#566573",
    }
}

/// The leftmost column a role may take, so that nodes without links still
/// read as effects or causes.
fn role_floor(role: &str) -> usize {
    match role {
        "service_action" | "impact" => 1,
        "recovery" => 2,
        _ => 0,
    }
}

/// `#rrggbb` mixed with white: `f` = 0 keeps the colour, 1 is white.
fn tint(hex: &str, f: f64) -> String {
    let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * f).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(c(1)), mix(c(3)), mix(c(5)))
}

struct Node<'a> {
    id: &'a str,
    role: &'a str,
    time: Option<i64>,
    action: &'a str,
    actor: &'a str,
    kind: &'static str,
    summary: &'a str,
    col: usize,
    x: f64,
    y: f64,
}

/// A link between two drawn nodes; several kinds between one pair share it.
struct Link {
    from: usize,
    to: usize,
    kinds: Vec<String>,
    /// Heights (slot centres) at which it crosses the columns between its ends.
    passes: Vec<(usize, f64)>,
    /// The label drawn on it, if it carries its group's label.
    label: Option<String>,
}

/// What occupies a place in a column: a node, or a link passing through.
#[derive(Clone, Copy)]
enum Item {
    Node(usize),
    Pass { link: usize },
}

/// The causal chain as a left-to-right layered graph: each event of
/// `a["chain"]` a node coloured by its role (with a stripe for the actor
/// kind), each link of `a["edges"]` an arrow labelled with its kind.
///
/// Layout: a node's column is one more than the column of its latest cause
/// (links that go back in time do not count), so causes sit left of effects.
/// Links that skip columns take a slot in each column they cross, so they
/// run between nodes, not through them. Each column is ordered by the mean
/// height of what feeds it, then role, then time; identical labels on a
/// fan-out or fan-in are drawn once, as "kind ×n".
pub fn chain_graph(a: &Value) -> String {
    let raw = a["chain"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut seen = std::collections::HashSet::new();
    let mut nodes: Vec<Node> = raw
        .iter()
        .filter_map(|n| {
            let id = n["event_id"].as_str()?;
            if !seen.insert(id) {
                return None;
            }
            Some(Node {
                id,
                role: n["role"].as_str().unwrap_or(""),
                time: parse_us(&n["event_time"]),
                action: n["iam_action"].as_str().unwrap_or(""),
                actor: n["actor"].as_str().unwrap_or(""),
                kind: kind_name(n["actor_kind"].as_str().unwrap_or("")),
                summary: n["summary"].as_str().unwrap_or(""),
                col: 0,
                x: 0.0,
                y: 0.0,
            })
        })
        .collect();
    // Time order; events without a readable time go last, as listed.
    nodes.sort_by_key(|n| (n.time.is_none(), n.time));
    let hidden = nodes.len().saturating_sub(MAX_NODES);
    if hidden > 0 {
        // Keep the causes and the recovery; drop the latest effects first.
        let mut keep: Vec<usize> = (0..nodes.len()).collect();
        keep.sort_by_key(|i| {
            let effect = matches!(nodes[*i].role, "impact" | "service_action");
            (effect, *i)
        });
        keep.truncate(MAX_NODES);
        keep.sort_unstable();
        let mut i = 0;
        nodes.retain(|_| {
            let k = keep.binary_search(&i).is_ok();
            i += 1;
            k
        });
    }
    if nodes.is_empty() {
        return placeholder(
            "bt-chain",
            "Causal chain",
            "no causal chain found",
            640.0,
            80.0,
        );
    }
    let pos: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();

    let mut pairs: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for e in a["edges"].as_array().into_iter().flatten() {
        let (Some(f), Some(t)) = (
            e["from"].as_str().and_then(|s| pos.get(s)),
            e["to"].as_str().and_then(|s| pos.get(s)),
        ) else {
            continue;
        };
        if f == t || (pairs.len() >= MAX_EDGES && !pairs.contains_key(&(*f, *t))) {
            continue;
        }
        let kind = clean(e["kind"].as_str().unwrap_or("linked"), MAX_LABEL).replace('_', " ");
        let kinds = pairs.entry((*f, *t)).or_default();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let mut links: Vec<Link> = pairs
        .into_iter()
        .map(|((from, to), kinds)| Link {
            from,
            to,
            kinds,
            passes: Vec::new(),
            label: None,
        })
        .collect();

    // Columns: longest path over links that go forward in time.
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for l in &links {
        if l.from < l.to {
            preds[l.to].push(l.from);
        }
    }
    for i in 0..nodes.len() {
        let from_links = preds[i].iter().map(|p| nodes[*p].col + 1).max();
        nodes[i].col = from_links.unwrap_or(0).max(role_floor(nodes[i].role));
    }
    // Role floors can leave columns empty; squeeze them out.
    let mut used: Vec<usize> = nodes.iter().map(|n| n.col).collect();
    used.sort_unstable();
    used.dedup();
    for n in nodes.iter_mut() {
        n.col = used.binary_search(&n.col).unwrap_or(0);
    }
    let cols = used.len();

    let mut columns: Vec<Vec<Item>> = vec![Vec::new(); cols];
    for (i, n) in nodes.iter().enumerate() {
        columns[n.col].push(Item::Node(i));
    }
    let mut passes = 0;
    for (li, l) in links.iter().enumerate() {
        let (a, b) = (nodes[l.from].col, nodes[l.to].col);
        if b > a + 1 && passes + (b - a - 1) <= MAX_PASSES {
            passes += b - a - 1;
            for column in columns.iter_mut().take(b).skip(a + 1) {
                column.push(Item::Pass { link: li });
            }
        }
    }

    // Order and stack each column, left to right.
    let mut pass_y: HashMap<(usize, usize), f64> = HashMap::new();
    let mut heights = vec![0.0f64; cols];
    for c in 0..cols {
        let mut keyed: Vec<(f64, usize, usize, Item)> = columns[c]
            .iter()
            .map(|item| {
                let (feeders, rank, idx): (Vec<f64>, usize, usize) = match *item {
                    Item::Node(i) => (
                        links
                            .iter()
                            .enumerate()
                            .filter(|(_, l)| l.to == i)
                            .filter_map(|(li, l)| {
                                if c > 0 {
                                    pass_y.get(&(li, c - 1)).copied().or_else(|| {
                                        (nodes[l.from].col + 1 == c).then(|| nodes[l.from].y)
                                    })
                                } else {
                                    None
                                }
                            })
                            .collect(),
                        role_rank(nodes[i].role),
                        i,
                    ),
                    Item::Pass { link } => {
                        let l = &links[link];
                        let y = pass_y
                            .get(&(link, c - 1))
                            .copied()
                            .unwrap_or(nodes[l.from].y);
                        (vec![y], role_rank(nodes[l.to].role), l.to)
                    }
                };
                let bary = if feeders.is_empty() {
                    f64::MAX
                } else {
                    feeders.iter().sum::<f64>() / feeders.len() as f64
                };
                (bary, rank, idx, *item)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut y = 0.0;
        for (_, _, _, item) in &keyed {
            match *item {
                Item::Node(i) => {
                    nodes[i].y = y;
                    y += NODE_H + ROW_GAP;
                }
                Item::Pass { link } => {
                    pass_y.insert((link, c), y + PASS_H / 2.0 - NODE_H / 2.0);
                    y += PASS_H;
                }
            }
        }
        heights[c] = y;
        columns[c] = keyed.into_iter().map(|k| k.3).collect();
    }
    // Centre the columns on the tallest; pass heights are stored as the top
    // of a node at that height, so that `+ NODE_H / 2` is the line.
    let graph_h = heights.iter().copied().fold(0.0, f64::max) - ROW_GAP;
    for n in nodes.iter_mut() {
        let offset = (graph_h - (heights[n.col] - ROW_GAP)) / 2.0;
        n.x = CHAIN_LEFT + n.col as f64 * (NODE_W + COL_GAP);
        n.y += CHAIN_TOP + offset;
    }
    for ((li, c), y) in pass_y {
        let offset = (graph_h - (heights[c] - ROW_GAP)) / 2.0;
        links[li].passes.push((c, y + CHAIN_TOP + offset));
    }
    for l in links.iter_mut() {
        l.passes.sort_by_key(|p| p.0);
    }
    label_links(&mut links, &nodes);

    let width = (CHAIN_LEFT * 2.0 + cols as f64 * (NODE_W + COL_GAP) - COL_GAP + 50.0)
        .max(ROLES.len() as f64 * 110.0);
    let legend_y = CHAIN_TOP + graph_h + 30.0;
    let height = legend_y + 34.0 + if hidden > 0 { 18.0 } else { 0.0 };

    let times: Vec<i64> = nodes.iter().filter_map(|n| n.time).collect();
    let span = match (times.iter().min(), times.iter().max()) {
        (Some(f), Some(l)) => format!(
            ", {} to {} UTC",
            fmt_us(*f, "%F %H:%M"),
            fmt_us(*l, "%F %H:%M")
        ),
        _ => String::new(),
    };
    let aria = format!(
        "Causal chain: {} events and {} links{}",
        nodes.len(),
        links.len(),
        span
    );
    let mut s = Svg::new("bt-chain", &aria, width, height);
    s.label(
        8.0,
        18.0,
        "Causal chain (causes left, effects right; times UTC)",
        80,
        &[("font-size", "13"), ("font-weight", "bold"), ("fill", INK)],
    );

    // Edges under nodes, labels over both.
    s.open("g").attr("class", "edges").start();
    for l in &links {
        draw_edge(&mut s, l, &nodes);
    }
    s.close("g");
    s.open("g").attr("class", "nodes").start();
    for n in &nodes {
        draw_node(&mut s, n);
    }
    s.close("g");
    s.open("g").attr("class", "edge-labels").start();
    for l in &links {
        if let Some(label) = &l.label {
            let (x, y) = label_at(l, &nodes);
            s.label(
                x,
                y - 3.0,
                label,
                MAX_LABEL + 6,
                &[
                    ("text-anchor", "middle"),
                    ("font-size", "10"),
                    ("fill", MUTED),
                    ("stroke", "#ffffff"),
                    ("stroke-width", "3"),
                    ("paint-order", "stroke"),
                    ("class", "edge-label"),
                ],
            );
        }
    }
    s.close("g");

    s.open("g").attr("class", "legend").start();
    let mut x = 8.0;
    for role in ROLES {
        let name = role.replace('_', " ");
        s.open("rect")
            .attr("x", Px(x))
            .attr("y", Px(legend_y - 9.0))
            .attr("width", 12)
            .attr("height", 12)
            .attr("rx", 3)
            .attr("fill", tint(role_color(role), 0.8))
            .attr("stroke", role_color(role))
            .empty();
        s.label(x + 16.0, legend_y + 1.0, &name, 20, &[("fill", INK)]);
        x += 30.0 + name.len() as f64 * 6.5;
    }
    if hidden > 0 {
        s.label(
            8.0,
            legend_y + 22.0,
            &format!("{hidden} later effects not drawn; see the timeline table"),
            80,
            &[("fill", MUTED), ("class", "hidden-note")],
        );
    }
    s.close("g");
    s.finish()
}

/// Give each link its label, once per fan-out (same source, same label) or
/// fan-in (same target, same label): on the middle link of the group, with
/// the group's size.
fn label_links(links: &mut [Link], nodes: &[Node]) {
    let text: Vec<String> = links.iter().map(|l| l.kinds.join(", ")).collect();
    let mut by_source: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    for (i, l) in links.iter().enumerate() {
        by_source.entry((l.from, &text[i])).or_default().push(i);
    }
    let mut by_target: BTreeMap<(usize, &str), Vec<usize>> = BTreeMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (_, g) in by_source {
        if g.len() > 1 {
            groups.push(g);
        } else {
            let l = &links[g[0]];
            by_target.entry((l.to, &text[g[0]])).or_default().push(g[0]);
        }
    }
    groups.extend(by_target.into_values());
    for mut g in groups {
        g.sort_by(|a, b| {
            let y = |i: usize| nodes[links[i].to].y + nodes[links[i].from].y;
            y(*a).total_cmp(&y(*b))
        });
        let mid = g[g.len() / 2];
        links[mid].label = Some(if g.len() > 1 {
            format!("{} ×{}", text[mid], g.len())
        } else {
            text[mid].clone()
        });
    }
}

/// The points a forward link runs through: out of its source, across each
/// column it passes, into its target.
fn route(l: &Link, nodes: &[Node]) -> Vec<(f64, f64)> {
    let (f, t) = (&nodes[l.from], &nodes[l.to]);
    let mut pts = vec![(f.x + NODE_W, f.y + NODE_H / 2.0)];
    for (c, y) in &l.passes {
        let x = CHAIN_LEFT + *c as f64 * (NODE_W + COL_GAP);
        pts.push((x, y + NODE_H / 2.0));
        pts.push((x + NODE_W, y + NODE_H / 2.0));
    }
    pts.push((t.x - 2.0, t.y + NODE_H / 2.0));
    pts
}

fn forward(l: &Link, nodes: &[Node]) -> bool {
    nodes[l.to].x > nodes[l.from].x + NODE_W
}

/// Where a link's label goes: the middle of its first pass through a
/// column (a straight stretch as wide as a node), else of its stretch
/// between columns.
fn label_at(l: &Link, nodes: &[Node]) -> (f64, f64) {
    if let Some((c, y)) = l.passes.first() {
        let x = CHAIN_LEFT + *c as f64 * (NODE_W + COL_GAP) + NODE_W / 2.0;
        (x, y + NODE_H / 2.0)
    } else if forward(l, nodes) {
        let pts = route(l, nodes);
        ((pts[0].0 + pts[1].0) / 2.0, (pts[0].1 + pts[1].1) / 2.0)
    } else {
        let (f, t) = (&nodes[l.from], &nodes[l.to]);
        (
            f.x.max(t.x) + NODE_W + 36.0,
            (f.y + t.y) / 2.0 + NODE_H / 2.0,
        )
    }
}

/// A filled arrowhead with its tip at (x, y) and its base `dx` away.
fn arrow_head(x: f64, y: f64, dx: f64) -> String {
    format!(
        "M{},{}L{},{}L{},{}Z",
        Px(x),
        Px(y),
        Px(x + dx),
        Px(y - 4.0),
        Px(x + dx),
        Px(y + 4.0)
    )
}

fn draw_edge(s: &mut Svg, l: &Link, nodes: &[Node]) {
    let mut d = String::new();
    let head = if forward(l, nodes) {
        let pts = route(l, nodes);
        let _ = write!(d, "M{},{}", Px(pts[0].0), Px(pts[0].1));
        for (i, w) in pts.windows(2).enumerate() {
            let ((x1, y1), (mut x2, y2)) = (w[0], w[1]);
            if i == pts.len() - 2 {
                // Stop short of the tip so the arrowhead is not blunted.
                x2 -= 6.0;
            }
            if (y1 - y2).abs() < 0.5 {
                let _ = write!(d, "L{},{}", Px(x2), Px(y2));
            } else {
                let dx = (x2 - x1) / 2.0;
                let _ = write!(
                    d,
                    "C{},{} {},{} {},{}",
                    Px(x1 + dx),
                    Px(y1),
                    Px(x2 - dx),
                    Px(y2),
                    Px(x2),
                    Px(y2)
                );
            }
        }
        let (x2, y2) = pts[pts.len() - 1];
        arrow_head(x2, y2, -7.0)
    } else {
        // Same column or backwards: loop out of the right side and back in.
        let (f, t) = (&nodes[l.from], &nodes[l.to]);
        let (x1, y1) = (f.x + NODE_W, f.y + NODE_H / 2.0);
        let (x2, y2) = (t.x + NODE_W + 2.0, t.y + NODE_H / 2.0);
        let bulge = x1.max(x2) + 46.0;
        let _ = write!(
            d,
            "M{},{}C{},{} {},{} {},{}",
            Px(x1),
            Px(y1),
            Px(bulge),
            Px(y1),
            Px(bulge),
            Px(y2),
            Px(x2 + 6.0),
            Px(y2)
        );
        arrow_head(x2, y2, 7.0)
    };
    s.open("g")
        .attr("class", "edge")
        .attr("data-kind", clean(&l.kinds.join(","), 120))
        .attr("data-from", clean(nodes[l.from].id, 100))
        .attr("data-to", clean(nodes[l.to].id, 100))
        .start();
    s.title(&format!(
        "{}: {} → {}",
        l.kinds.join(", "),
        clean(nodes[l.from].summary, 60),
        clean(nodes[l.to].summary, 60)
    ));
    s.open("path")
        .attr("d", d)
        .attr("fill", "none")
        .attr("stroke", "#85929e")
        .attr("stroke-width", 1.3)
        .empty();
    s.open("path")
        .attr("d", head)
        .attr("fill", "#85929e")
        .empty();
    s.close("g");
}

fn draw_node(s: &mut Svg, n: &Node) {
    let color = role_color(n.role);
    let role_css: String = n
        .role
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(24)
        .collect();
    s.open("g")
        .attr("class", format_args!("node node-{role_css}"))
        .attr("data-role", clean(n.role, MAX_LABEL))
        .attr("data-kind", n.kind)
        .attr("data-event-id", clean(n.id, 100))
        .start();
    s.title(&format!(
        "{} · {} · {} ({}) · {} UTC",
        clean(n.role, MAX_LABEL),
        clean(n.summary, 120),
        clean(n.actor, 120),
        n.kind,
        n.time
            .map(|t| fmt_us(t, "%F %H:%M:%S"))
            .unwrap_or_else(|| "time unknown".into())
    ));
    s.open("rect")
        .attr("x", Px(n.x))
        .attr("y", Px(n.y))
        .attr("width", Px(NODE_W))
        .attr("height", Px(NODE_H))
        .attr("rx", 6)
        .attr("fill", tint(color, 0.85))
        .attr("stroke", color)
        .attr("stroke-width", if n.role == "trigger" { 2.5 } else { 1.2 })
        .empty();
    s.open("rect")
        .attr("x", Px(n.x))
        .attr("y", Px(n.y))
        .attr("width", 5)
        .attr("height", Px(NODE_H))
        .attr("fill", kind_color(n.kind))
        .empty();
    let short = n.action.rsplit(':').next().unwrap_or(n.action);
    let short = if short.is_empty() { n.summary } else { short };
    s.label(
        n.x + 11.0,
        n.y + 16.0,
        short,
        28,
        &[
            ("font-weight", "bold"),
            ("fill", INK),
            ("class", "node-action"),
        ],
    );
    let service = n.action.split(':').next().unwrap_or("");
    let second = format!(
        "{} · {}{}",
        n.kind,
        n.time
            .map(|t| fmt_us(t, "%H:%M:%S"))
            .unwrap_or_else(|| "?".into()),
        if service.is_empty() || service == n.action {
            String::new()
        } else {
            format!(" · {}", clean(service, 20))
        }
    );
    s.label(
        n.x + 11.0,
        n.y + 30.0,
        &second,
        36,
        &[("fill", MUTED), ("font-size", "10"), ("class", "node-meta")],
    );
    s.close("g");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_controls_and_bidi_and_cuts() {
        assert_eq!(clean("a\u{202e}b\u{0007}c\u{2066}", 40), "abc");
        assert_eq!(clean("abcdef", 3), "abc…");
        assert_eq!(clean("abc", 3), "abc");
        assert_eq!(clean("a\nb", 3), "a b");
    }

    #[test]
    fn esc_escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn ticks_are_round_and_bounded() {
        let t0 = 1_773_106_260; // 2026-03-10T01:31:00Z
        let t = ticks(t0, t0 + 792 * 60, 10, 60);
        assert!(t.at.len() <= 11 && t.at.len() >= 5, "{:?}", t.at);
        assert!(t.at.iter().all(|s| s % 3600 == 0));
        assert_eq!(t.format, "%H:%M");
        let t = ticks(i64::MIN / 4, i64::MAX / 4, 10, 1);
        assert!(t.at.len() <= 11);
    }

    #[test]
    fn destructive_by_prefix() {
        assert!(is_destructive("cloudformation:DeleteStack"));
        assert!(is_destructive("ec2:TerminateInstances"));
        assert!(!is_destructive("cloudformation:CreateStack"));
        assert!(!is_destructive(
            "cloudformation:UpdateTerminationProtection"
        ));
    }

    #[test]
    fn short_actor_of_arn() {
        assert_eq!(
            short_actor("arn:aws:sts::1:assumed-role/ops-agent-role/kiro-1"),
            "ops-agent-role/kiro-1"
        );
        assert_eq!(short_actor("engineer 1"), "engineer 1");
    }
}
