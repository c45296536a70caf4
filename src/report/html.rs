//! The incident report as one self-contained HTML page: inline CSS, no
//! external resources, a Content-Security-Policy that forbids remote loads
//! and scripts. Rendered by minijinja with HTML auto-escaping on.

use minijinja::{AutoEscape, Environment, context};
use serde_json::Value;

const INCIDENT: &str = include_str!("templates/incident.html");

/// The report's Content-Security-Policy.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
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
    Ok(t.render(context! {
        a => a,
        csp => CSP,
        went_well => super::markdown::went_well(a),
    })?)
}
