//! The incident report as one self-contained HTML page: inline CSS, no
//! external resources, a Content-Security-Policy that forbids remote loads
//! and scripts. Rendered by minijinja with HTML auto-escaping on.

use minijinja::{AutoEscape, Environment, context};
use serde_json::Value;

const INCIDENT: &str = include_str!("templates/incident.html");
const COVERAGE: &str = include_str!("templates/coverage.html");

/// The report's Content-Security-Policy.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("coverage.html", COVERAGE)
        .expect("the built-in coverage template parses");
    env.add_filter("clean", |s: String| -> String {
        s.chars()
            .filter(|c| {
                !c.is_control() && !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect()
    });
    env
}

pub fn incident(a: &Value) -> anyhow::Result<String> {
    let mut env = env();
    env.add_template("incident.html", INCIDENT)?;
    let t = env.get_template("incident.html")?;
    let charts = super::incident_charts(a);
    // The charts are built by our own SVG writer, which escapes every string.
    Ok(t.render(context! {
        a => a,
        csp => CSP,
        went_well => super::markdown::went_well(a),
        errors_chart => minijinja::Value::from_safe_string(charts.errors),
        timeline_chart => minijinja::Value::from_safe_string(charts.timeline),
        chain_chart => minijinja::Value::from_safe_string(charts.chain),
    })?)
}

const DRIFT: &str = include_str!("templates/drift.html");

/// Escape text for XML/SVG.
pub fn xml(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

/// A horizontal bar chart: one row per label with up to two values
/// (e.g. granted and used), as inline SVG.
pub fn bars(rows: &[(String, f64, Option<f64>)], class: &str, legend: (&str, &str)) -> String {
    let h = 22 * rows.len() as u32 + 40;
    let max = rows
        .iter()
        .map(|r| r.1.max(r.2.unwrap_or(0.0)))
        .fold(1.0, f64::max);
    let mut o = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="{class}" role="img" aria-label="{}" width="760" height="{h}" viewBox="0 0 760 {h}" font-family="sans-serif" font-size="11">"##,
        xml(legend.0)
    );
    o.push_str(&format!(r##"<rect x="300" y="6" width="10" height="10" fill="#2471a3"/><text x="314" y="15">{}</text>"##, xml(legend.0)));
    if !legend.1.is_empty() {
        o.push_str(&format!(r##"<rect x="420" y="6" width="10" height="10" fill="#d68910"/><text x="434" y="15">{}</text>"##, xml(legend.1)));
    }
    for (i, (label, a, b)) in rows.iter().enumerate() {
        let y = 30 + 22 * i as u32;
        let short: String = label.chars().take(45).collect();
        let wa = 420.0 * a / max;
        o.push_str(&format!(r##"<g class="row"><text x="4" y="{}">{}</text><rect x="300" y="{}" width="{wa:.1}" height="8" fill="#2471a3"/><text x="{:.1}" y="{}">{a}</text>"##, y + 12, xml(&short), y + 2, 304.0 + wa, y + 10));
        if let Some(b) = b {
            let wb = 420.0 * b / max;
            o.push_str(&format!(r##"<rect x="300" y="{}" width="{wb:.1}" height="8" fill="#d68910"/><text x="{:.1}" y="{}">{b}</text>"##, y + 11, 304.0 + wb, y + 19));
        }
        o.push_str("</g>");
    }
    o.push_str("</svg>");
    o
}

pub fn drift(r: &Value) -> anyhow::Result<String> {
    let mut env = env();
    env.add_template("drift.html", DRIFT)?;
    let t = env.get_template("drift.html")?;
    let granted: Vec<(String, f64, Option<f64>)> = r["principals"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let n = |k: &str| p[k].as_array().map_or(0, |a| a.len()) as f64;
            (
                p["principal"].as_str().unwrap_or("").to_string(),
                n("granted"),
                Some(n("used_actions")),
            )
        })
        .collect();
    let weekly: Vec<(String, f64, Option<f64>)> = r["weekly_iam_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|w| {
            (
                w["week_start"]
                    .as_str()
                    .unwrap_or("")
                    .chars()
                    .take(10)
                    .collect(),
                w["changes"].as_f64().unwrap_or(0.0),
                None,
            )
        })
        .collect();
    Ok(t.render(context! {
        r => r,
        csp => CSP,
        granted_chart => minijinja::Value::from_safe_string(bars(&granted, "bt-granted", ("granted patterns", "actions used"))),
        weekly_chart => minijinja::Value::from_safe_string(bars(&weekly, "bt-weekly", ("IAM changes", ""))),
    })?)
}
