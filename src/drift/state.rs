//! `--state FILE`: what the last review saw, so a weekly run continues from
//! where the last one ended and marks findings it already reported.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// End of the last reviewed period (µs since the epoch).
    pub last_period_end: Option<i64>,
    /// Fingerprints of the findings reported so far.
    pub reported: BTreeSet<String>,
}

impl State {
    pub fn load(path: &Path) -> anyhow::Result<State> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b)
                .map_err(|e| anyhow::anyhow!("state file {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(anyhow::anyhow!("state file {}: {e}", path.display())),
        }
    }
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec_pretty(self)?;
        crate::lake::commit::write_atomic(path, &bytes)?;
        Ok(())
    }
}
