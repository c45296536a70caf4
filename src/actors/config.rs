//! `backtrail.toml`: naming principals and patterns as kinds, ahead of the
//! default rules.
//!
//! ```toml
//! [[actor]]
//! match = "arn:aws:iam::*:role/deploy-bot"   # glob on the principal, role or session
//! kind = "automation"
//! name = "deploy bot"                        # optional, shown as the rule
//! ```

use super::Kind;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Config {
    #[serde(default, rename = "actor")]
    pub actors: Vec<ActorRule>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActorRule {
    /// Glob (`*` any run of characters) matched against the principal ARN or
    /// ID, the role name, the session name and the user agent.
    #[serde(rename = "match")]
    pub pattern: String,
    pub kind: String,
    pub name: Option<String>,
}

/// `*` matches any run of characters; everything else literally, case-insensitively.
pub fn glob(pattern: &str, s: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    let s = s.to_ascii_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == s;
    }
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !s.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else if i == parts.len() - 1 {
            return s.len() >= pos + part.len() && s[pos..].ends_with(part);
        } else {
            match s[pos..].find(part) {
                Some(j) => pos += j + part.len(),
                None => return false,
            }
        }
    }
    true
}

impl Config {
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)?;
        let c: Config =
            toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for r in &c.actors {
            if Kind::parse(&r.kind).is_none() {
                anyhow::bail!(
                    "{}: actor {:?}: kind {:?} is not one of human, agent, automation, service, unknown",
                    path.display(),
                    r.pattern,
                    r.kind
                );
            }
        }
        Ok(c)
    }

    pub fn classify(
        &self,
        principal: &str,
        role: Option<&str>,
        session: Option<&str>,
        user_agent: Option<&str>,
    ) -> Option<(Kind, String)> {
        for r in &self.actors {
            let hit = [Some(principal), role, session, user_agent]
                .into_iter()
                .flatten()
                .any(|s| glob(&r.pattern, s));
            if hit {
                let kind = Kind::parse(&r.kind)?;
                let label = r.name.clone().unwrap_or_else(|| r.pattern.clone());
                return Some((kind, format!("config: {label}")));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob(
            "arn:aws:iam::*:role/deploy-*",
            "arn:aws:iam::123:role/deploy-bot"
        ));
        assert!(!glob(
            "arn:aws:iam::*:role/deploy-*",
            "arn:aws:iam::123:role/ops"
        ));
        assert!(glob("*agent*", "my-AGENT-role"));
        assert!(glob("exact", "EXACT"));
    }

    #[test]
    fn config_overrides() {
        let c: Config = toml::from_str(
            "[[actor]]\nmatch = \"*datadog*\"\nkind = \"service\"\nname = \"Datadog integration\"",
        )
        .unwrap();
        let (k, rule) = c
            .classify(
                "arn:aws:sts::1:assumed-role/DatadogAgent/x",
                None,
                None,
                None,
            )
            .unwrap();
        assert_eq!(k, Kind::Service);
        assert_eq!(rule, "config: Datadog integration");
    }
}
