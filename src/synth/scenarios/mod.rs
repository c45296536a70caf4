//! The scenario registry. Each scenario is one module that computes its
//! environment from the seed and describes its story as engine tables
//! (dated steps and routines); adding one means a new module and one line
//! in [`SCENARIOS`].
//!
//! Planned next (same vocabulary, new tables): `agent-deletes-table`
//! (a DynamoDB table deleted by an agent through a chained role),
//! `agent-grants-itself` (an agent attaching a policy to its own role) and
//! `human-console-outage` (a person breaking production from the console).

use super::KeyEvent;
use super::engine::Event;
use super::identity::World;

mod agent_env_rebuild;
mod agent_self_grant;
mod agent_table_restore;
mod human_console_outage;
pub(crate) mod kit;
mod weekly_drift;

/// Everything a scenario produces before packaging.
pub(crate) struct Generated {
    pub world: World,
    pub events: Vec<Event>,
    pub key_events: Vec<KeyEvent>,
    /// Files beside the logs (path relative to the output directory, bytes),
    /// such as the IAM snapshot.
    pub extra_files: Vec<(String, Vec<u8>)>,
}

/// A named scenario.
pub(crate) struct Scenario {
    pub name: &'static str,
    /// One line for `--help` and listings.
    pub summary: &'static str,
    /// Generates the scenario for a seed and a noise level (percent).
    pub generate: fn(u64, u32) -> Generated,
}

/// Every scenario, in listing order.
pub(crate) const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "agent-env-rebuild",
        summary: "An AI agent with over-broad permissions deletes and re-creates a production stack; dependents fail for ~13h (aws-cn)",
        generate: agent_env_rebuild::generate,
    },
    Scenario {
        name: "agent-table-restore",
        summary: "An AI assistant reaches a data role through role chaining and deletes a DynamoDB table; a human restores it from backup ~3h later (aws)",
        generate: agent_table_restore::generate,
    },
    Scenario {
        name: "agent-self-grant",
        summary: "An autonomous agent denied a delete writes itself an inline policy on its own role and deletes a Lambda function in use; CI re-creates it ~2.5h later (aws-us-gov)",
        generate: agent_self_grant::generate,
    },
    Scenario {
        name: "human-console-outage",
        summary: "An engineer in the console (with MFA) deletes two live Parameter Store entries with retired ones; checkout fails ~40 min until on-call puts them back; no agent involved (aws)",
        generate: human_console_outage::generate,
    },
    Scenario {
        name: "weekly-drift",
        summary: "Five calm weeks for the weekly drift review; in the last, an agent's role is broadened and it deletes in a new region, a key probes the account (aws)",
        generate: weekly_drift::generate,
    },
];
