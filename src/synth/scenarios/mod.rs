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
pub(crate) const SCENARIOS: &[Scenario] = &[Scenario {
    name: "agent-env-rebuild",
    summary: "An AI agent with over-broad permissions deletes and re-creates a production stack; dependents fail for ~13h (aws-cn)",
    generate: agent_env_rebuild::generate,
}];
