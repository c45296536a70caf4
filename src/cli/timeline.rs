//! `backtrail timeline`: the swimlane timeline alone, for any window.

use super::incident::parse_time;
use crate::actors::{
    Kind,
    config::{Config, glob},
};
use crate::incident;
use crate::lake::Lake;
use crate::report::charts::{LaneEvent, swimlane};
use crate::report::{Identities, html::CSP};
use anyhow::bail;
use clap::Args;
use std::path::PathBuf;

/// Draw who or what acted when, one lane per actor, for any window.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  backtrail timeline --lake lake --from 2026-03-10T00:00:00Z --to 2026-03-10T04:00:00Z --out timeline.html
  backtrail timeline --lake lake --from 2026-03-10T00:00:00Z --to 2026-03-11T00:00:00Z --actor-kind agent,human --out lanes.svg
  backtrail timeline --lake lake --from 2026-03-10T01:00:00Z --to 2026-03-10T02:00:00Z --actor '*ops-agent*' --out agent.svg")]
pub struct TimelineArgs {
    /// The lake directory.
    #[arg(long)]
    pub lake: PathBuf,
    /// Start (RFC 3339).
    #[arg(long)]
    pub from: String,
    /// End (RFC 3339).
    #[arg(long)]
    pub to: String,
    /// Only these actor kinds (comma-separated: human, agent, automation, service, unknown).
    #[arg(long, value_delimiter = ',')]
    pub actor_kind: Vec<String>,
    /// Only actors matching this glob (`*` any characters).
    #[arg(long)]
    pub actor: Option<String>,
    /// backtrail.toml: actor kinds for named principals and patterns.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Show human identities instead of pseudonyms.
    #[arg(long, value_enum, default_value = "pseudonymise")]
    pub identities: Identities,
    /// Output: .svg for the chart alone, .html for a page.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Read the query library from this directory instead of the built-in copy.
    #[arg(long, env = "BACKTRAIL_QUERIES")]
    pub queries: Option<PathBuf>,
}

pub fn run(a: TimelineArgs) -> anyhow::Result<u8> {
    let from = parse_time(&a.from, "--from")?;
    let to = parse_time(&a.to, "--to")?;
    if to <= from {
        bail!("--to must be after --from");
    }
    let kinds: Vec<Kind> = a
        .actor_kind
        .iter()
        .map(|k| {
            Kind::parse(k).ok_or_else(|| {
                anyhow::anyhow!(
                    "--actor-kind {k:?}: use human, agent, automation, service or unknown"
                )
            })
        })
        .collect::<anyhow::Result<_>>()?;
    let cfg = match &a.config {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let lake = Lake::new(&a.lake);
    let evs = incident::load::events(&lake, a.queries.as_deref(), from, to)?;
    let actors = incident::actors_of(&evs, &cfg);
    let mut lanes: Vec<LaneEvent> = Vec::new();
    for (e, actor) in evs.iter().zip(&actors) {
        if !kinds.is_empty() && !kinds.contains(&actor.kind) {
            continue;
        }
        if let Some(p) = &a.actor {
            if !glob(p, &actor.id) {
                continue;
            }
        }
        lanes.push(LaneEvent {
            time_us: e.time,
            actor: actor.id.clone(),
            kind: actor.kind.as_str().into(),
            class: incident::event_class(e).into(),
            label: e.action.to_string(),
        });
    }
    if a.identities == Identities::Pseudonymise {
        // The same labels as the reports: through the JSON pass.
        let mut v = serde_json::json!({
            "actors": lanes.iter().map(|l| serde_json::json!({"id": l.actor, "kind": l.kind})).collect::<Vec<_>>(),
            "lanes": lanes.iter().map(|l| l.actor.clone()).collect::<Vec<_>>(),
        });
        crate::report::pseudonym::apply(&mut v);
        if let Some(names) = v["lanes"].as_array() {
            for (l, n) in lanes.iter_mut().zip(names) {
                if let Some(n) = n.as_str() {
                    l.actor = n.to_string();
                }
            }
        }
    }
    let svg = swimlane(&lanes, None, 1200);
    let is_svg = a.out.extension().is_some_and(|e| e == "svg");
    let text = if is_svg {
        svg
    } else {
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\"><title>backtrail timeline</title>\
             <style>body{{font:14px system-ui,sans-serif;margin:24px}}</style></head><body><h1>Timeline {} to {}</h1>\
             <p>{} events, {} shown.</p>{svg}</body></html>\n",
            crate::report::html::xml(&incident::iso(from)),
            crate::report::html::xml(&incident::iso(to)),
            evs.len(),
            lanes.len()
        )
    };
    std::fs::write(&a.out, text)?;
    Ok(crate::exit::OK)
}
