//! Rendering analyses for people: JSON (the contract), Markdown, and one
//! self-contained HTML page. Human identities are pseudonymised here, once,
//! for every format.

pub mod charts;
pub mod html;
pub mod markdown;
pub mod pseudonym;

use serde_json::Value;

/// How identities appear in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Identities {
    /// Humans as stable labels ("engineer 1"); agents, automation and
    /// services as they are.
    #[default]
    Pseudonymise,
    /// Everyone as they appear in the logs.
    Show,
}

/// Output formats for analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Md,
    Html,
}

/// The analysis as a JSON value, pseudonymised unless asked not to.
pub fn prepare(analysis: &impl serde::Serialize, identities: Identities) -> Value {
    let mut v = serde_json::to_value(analysis).unwrap_or(Value::Null);
    if identities == Identities::Pseudonymise {
        pseudonym::apply(&mut v);
    }
    v
}

/// Render an incident analysis.
pub fn render_incident(v: &Value, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(v)? + "\n",
        Format::Md => markdown::incident(v),
        Format::Html => html::incident(v)?,
    })
}

/// Render a drift review.
pub fn render_drift(v: &Value, format: Format) -> anyhow::Result<String> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(v)? + "\n",
        Format::Md => markdown::drift(v),
        Format::Html => html::drift(v)?,
    })
}

/// The incident report's three charts, as inline SVG.
pub struct IncidentCharts {
    pub errors: String,
    pub timeline: String,
    pub chain: String,
}

/// Draw the charts of an (already pseudonymised) incident analysis.
pub fn incident_charts(v: &Value) -> IncidentCharts {
    let window = charts::window_us(v);
    let mut lanes: Vec<charts::LaneEvent> = v["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let time = crate::event::time::parse_event_time(t["time"].as_str()?)?;
            Some(charts::LaneEvent {
                time_us: crate::event::time::to_micros(&time),
                actor: t["actor"].as_str()?.to_string(),
                kind: t["actor_kind"].as_str()?.to_string(),
                class: t["class"].as_str()?.to_string(),
                label: t["iam_action"].as_str().unwrap_or("").to_string(),
            })
        })
        .collect();
    if lanes.is_empty() {
        lanes = charts::lane_events(v);
    }
    IncidentCharts {
        errors: charts::errors_per_minute(v),
        timeline: charts::swimlane(&lanes, window, 1060),
        chain: charts::chain_graph(v),
    }
}
