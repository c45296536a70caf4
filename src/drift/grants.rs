//! Granted versus used, with an IAM snapshot; and the granted-permission
//! diff between two snapshots.

use super::{DriftError, DriftOptions, Finding, PrincipalReview, Severity, fingerprint};
use crate::actors::{self, Kind};
use crate::iam::policy;
use crate::iam::snapshot::{PrincipalKind, Snapshot};
use std::collections::BTreeMap;

fn load(path: &std::path::Path) -> Result<Snapshot, DriftError> {
    Snapshot::load(path).map_err(|e| DriftError::Snapshot(format!("{}: {e:#}", path.display())))
}

/// Per principal of the current snapshot: what it may do, what it did, and
/// a least-privilege policy from what it did. Adds findings for broad grants
/// and, with a previous snapshot, for granted-permission changes.
pub fn review(
    o: &DriftOptions,
    kinds: &BTreeMap<String, actors::Actor>,
    used: &BTreeMap<String, Vec<String>>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<PrincipalReview>, DriftError> {
    let Some(path) = &o.iam_snapshot else {
        return Ok(Vec::new());
    };
    let cur = load(path)?;
    let evidence = path.display().to_string();
    let mut out = Vec::new();
    for p in cur.principals() {
        if p.kind == PrincipalKind::Group {
            continue;
        }
        let actions: Vec<String> = used.get(&p.arn).cloned().unwrap_or_default();
        let actor = kinds.get(&p.arn);
        let kind = actor.map(|a| a.kind).unwrap_or_else(|| {
            if super::name_has_agent_marker(&p.name) {
                Kind::Agent
            } else {
                Kind::Unknown
            }
        });
        let granted = policy::granted_patterns(&p);
        let unused = policy::unused_grants(&p, &actions);
        let suggestion = (!actions.is_empty()).then(|| {
            let pairs: Vec<(String, Vec<String>)> =
                actions.iter().map(|a| (a.clone(), Vec::new())).collect();
            policy::least_privilege(&pairs)
        });
        if let Some(why) = policy::is_broad(&p) {
            let severity = if kind == Kind::Agent {
                Severity::High
            } else {
                Severity::Medium
            };
            findings.push(Finding {
                id: fingerprint(&["broad-grant", &p.arn, &why]),
                category: "granted-vs-used".into(),
                severity,
                principal: p.arn.clone(),
                principal_kind: kind.as_str().into(),
                statement: format!(
                    "{} ({}) holds a broad grant ({why}) and used {} distinct action(s) over the review and baseline; a least-privilege policy from those actions is suggested.",
                    p.arn,
                    kind.as_str(),
                    actions.len()
                ),
                rule: "broad-grant: administrator, power-user, iam:*, iam:PassRole on *, or service:* per the snapshot".into(),
                evidence: vec![evidence.clone()],
                new: true,
                actor: None,
                actor_kind: None,
            });
        }
        if granted.is_empty() && actions.is_empty() {
            continue;
        }
        out.push(PrincipalReview {
            principal: p.arn.clone(),
            kind: kind.as_str().into(),
            rule: actor
                .map(|a| a.rule.clone())
                .unwrap_or_else(|| "not active in the lake".into()),
            events: 0,
            used_actions: actions,
            granted,
            unused_grants: unused,
            least_privilege_policy: suggestion,
        });
    }
    if let Some(prev_path) = &o.previous_iam_snapshot {
        let prev = load(prev_path)?;
        for d in policy::diff(&prev, &cur) {
            let kind = kinds.get(&d.principal).map(|a| a.kind).unwrap_or_else(|| {
                if super::name_has_agent_marker(&d.principal) {
                    Kind::Agent
                } else {
                    Kind::Unknown
                }
            });
            let broad = |l: &String| {
                l.starts_with('*')
                    || l.contains(":*")
                    || l.starts_with("trust:")
                    || l.contains("iam:PassRole")
            };
            let severity =
                if d.added.iter().any(broad) || (kind == Kind::Agent && !d.added.is_empty()) {
                    Severity::High
                } else if !d.added.is_empty() {
                    Severity::Medium
                } else {
                    Severity::Low
                };
            let show = |v: &Vec<String>| v.iter().take(10).cloned().collect::<Vec<_>>().join("; ");
            findings.push(Finding {
                id: fingerprint(&["grant-diff", &d.principal, &d.added.join(","), &d.removed.join(",")]),
                category: "snapshot-diff".into(),
                severity,
                principal: d.principal.clone(),
                principal_kind: kind.as_str().into(),
                statement: format!(
                    "Granted permissions of {} changed between the snapshots: {} added{}, {} removed{}.",
                    d.principal,
                    d.added.len(),
                    if d.added.is_empty() { String::new() } else { format!(" ({})", show(&d.added)) },
                    d.removed.len(),
                    if d.removed.is_empty() { String::new() } else { format!(" ({})", show(&d.removed)) },
                ),
                rule: "snapshot-diff: added wildcard, iam:PassRole or trust grants are high (any addition for agents), other additions medium, removals low".into(),
                evidence: vec![prev_path.display().to_string(), evidence.clone()],
                new: true,
                actor: None,
                actor_kind: None,
            });
        }
    }
    Ok(out)
}
