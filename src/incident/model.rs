//! The incident analysis as data: the stable JSON contract (docs/INCIDENT_JSON.md).
//! Fields are added, never renamed.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub backtrail_version: String,
    pub window: Window,
    pub root_causes: Vec<RootCause>,
    pub chain: Vec<ChainNode>,
    pub edges: Vec<Edge>,
    pub impact: Impact,
    pub recovery: Option<Recovery>,
    pub contributing_factors: Vec<Factor>,
    pub actors: Vec<ActorOut>,
    pub candidates: Vec<Candidate>,
    pub summary: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub coverage: Coverage,
    pub method: Method,
    /// Changes and failures around the window, for the swimlane timeline
    /// (reads are left out; at most 20,000 entries).
    pub timeline: Vec<TimelineEvent>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub time: String,
    pub actor: String,
    pub actor_kind: String,
    /// read, change, destructive, error, recovery.
    pub class: String,
    pub iam_action: String,
    pub event_id: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Window {
    pub start: String,
    pub end: String,
    /// True when backtrail found the window from the errors.
    pub detected: bool,
    pub how: String,
    pub duration_minutes: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RootCause {
    pub event_id: String,
    pub event_time: String,
    pub event_name: String,
    pub iam_action: String,
    pub actor: String,
    pub actor_kind: String,
    pub resources: Vec<String>,
    pub on_behalf_of: Option<String>,
    pub score: f64,
    pub why: Vec<String>,
    /// Set when the cause was a delete followed by a create of the same name.
    pub recreated_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChainNode {
    pub event_id: String,
    pub role: String,
    pub event_time: String,
    pub iam_action: String,
    pub actor: String,
    pub actor_kind: String,
    pub summary: String,
    /// For timelines: change, destructive, error, recovery or read.
    pub class: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub first_error: Option<String>,
    pub last_error: Option<String>,
    pub error_count: u64,
    pub affected_principals: Vec<String>,
    pub affected_services: Vec<String>,
    pub error_codes: Vec<CodeCount>,
    pub impacted_resources: Vec<String>,
    pub per_minute: Vec<MinuteCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CodeCount {
    pub error_code: String,
    pub class: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MinuteCount {
    pub minute: String,
    pub service: String,
    pub errors: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recovery {
    pub event_id: String,
    pub time: String,
    pub iam_action: String,
    pub actor: String,
    pub actor_kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Factor {
    pub id: String,
    pub summary: String,
    pub rule: String,
    pub why_it_mattered: String,
    pub evidence: Vec<String>,
    pub suggestions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActorOut {
    pub id: String,
    pub kind: String,
    pub rule: String,
    pub on_behalf_of: Option<String>,
    pub events: u64,
    pub credential_source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub event_id: String,
    pub event_time: String,
    pub iam_action: String,
    pub actor: String,
    pub actor_kind: String,
    pub score: f64,
    pub matched_failures: u64,
    pub risk: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub event_id: String,
    pub event_time: String,
    pub iam_action: String,
    pub actor: String,
    pub source_file: String,
    pub source_index: i64,
    pub error_code: Option<String>,
}

pub use crate::coverage::{Coverage, Gap};

#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub window: String,
    pub lookback_hours: f64,
    pub config: Option<String>,
    pub iam_snapshot: Option<String>,
    pub rules: Vec<String>,
}
