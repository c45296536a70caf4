//! The weekly permission drift review: what changed in who may do what, and
//! what principals (agents first) started doing, in a review period against
//! a baseline. Aggregations run in polars ([`activity`]) and through the
//! `drift-iam-changes` query; findings are made here, by the rules in
//! docs/DRIFT.md.

pub mod activity;
pub mod grants;
pub mod state;

use crate::actors::{self, Kind, Minted, config::Config};
use crate::incident::classify::{self, Risk};
use crate::lake::Lake;
use crate::query::{self, RunError};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable fingerprint: the same finding in two reviews has the same id.
    pub id: String,
    pub category: String,
    pub severity: Severity,
    pub principal: String,
    pub principal_kind: String,
    pub statement: String,
    pub rule: String,
    pub evidence: Vec<String>,
    /// False when `--state` shows the last review already reported it.
    pub new: bool,
    pub actor: Option<String>,
    pub actor_kind: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PrincipalReview {
    pub principal: String,
    pub kind: String,
    pub rule: String,
    pub events: u32,
    pub used_actions: Vec<String>,
    pub granted: Vec<String>,
    pub unused_grants: Vec<String>,
    pub least_privilege_policy: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub backtrail_version: String,
    pub period: Period,
    pub findings: Vec<Finding>,
    pub counts: BTreeMap<String, u32>,
    pub principals: Vec<PrincipalReview>,
    pub weekly_iam_changes: Vec<WeekCount>,
    /// The evidence behind the review period.
    pub coverage: crate::coverage::Coverage,
    pub method: Method,
}

#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub start: String,
    pub end: String,
    pub baseline_start: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeekCount {
    pub week_start: String,
    pub changes: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub iam_snapshot: Option<String>,
    pub previous_iam_snapshot: Option<String>,
    pub state: Option<String>,
    pub rules: String,
}

#[derive(Debug, Clone, Default)]
pub struct DriftOptions {
    pub from: i64,
    pub to: i64,
    pub baseline: i64,
    pub label: String,
    pub iam_snapshot: Option<PathBuf>,
    pub previous_iam_snapshot: Option<PathBuf>,
    pub config: Config,
    pub queries: Option<PathBuf>,
    pub seen_before: BTreeSet<String>,
    pub state_path: Option<String>,
    /// The digest check of the exports, when digests were supplied.
    pub verification: Option<crate::coverage::Verification>,
}

fn iso(us: i64) -> String {
    crate::incident::iso(us)
}

fn fingerprint(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

/// Classify a drift principal from a sample of its identity and its user agents.
fn classify_principal(s: &activity::PrincipalSample, cfg: &Config) -> actors::Actor {
    let uas: Vec<Option<&str>> = if s.user_agents.is_empty() {
        vec![None]
    } else {
        s.user_agents.iter().map(|u| Some(u.as_str())).collect()
    };
    let mut best: Option<actors::Actor> = None;
    for ua in uas {
        let id = actors::Identity {
            identity_type: s.identity_type.as_deref(),
            arn: s.arn.as_deref(),
            principal_id: None,
            account_id: None,
            user_name: s.user_name.as_deref(),
            invoked_by: s.invoked_by.as_deref(),
            issuer_arn: s.issuer_arn.as_deref(),
            issuer_name: s.issuer_name.as_deref(),
            user_agent: ua,
            console: s.console,
            web_id_provider: s.web_id_provider.as_deref(),
            identity_provider: None,
            event_source: "",
            event_name: "",
        };
        let mut a = actors::classify(
            &id,
            Minted {
                via_web_identity: s.web_id_provider.is_some(),
                ..Default::default()
            },
            cfg,
        );
        a.id = s.principal.clone();
        // Agents first: a principal any of whose user agents is an agent's.
        let rank = |k: Kind| match k {
            Kind::Agent => 0,
            Kind::Human => 1,
            Kind::Automation => 2,
            Kind::Service => 3,
            Kind::Unknown => 4,
        };
        if best.as_ref().is_none_or(|b| rank(a.kind) < rank(b.kind)) {
            best = Some(a);
        }
    }
    best.unwrap_or(actors::Actor {
        id: s.principal.clone(),
        kind: Kind::Unknown,
        rule: "unknown".into(),
        role: None,
        session: None,
    })
}

fn name_has_agent_marker(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    actors::AGENT_NAME_MARKERS.iter().any(|m| l.contains(m))
}

/// Run the review.
pub fn review(lake: &Lake, o: &DriftOptions) -> Result<Review, DriftError> {
    let t0 = std::time::Instant::now();
    let base_from = o.from - o.baseline;
    // Every dimension of behaviour drift, and the principals, from one scan.
    const DIMS: [&str; 5] = [
        "iam_action",
        "aws_region",
        "event_source",
        "source_ip_address",
        "user_agent",
    ];
    let activity::Activity {
        principals: samples,
        seen,
    } = activity::activity(lake, base_from, o.to, o.from, &DIMS)?;
    tracing::debug!("drift: activity by {:?}", t0.elapsed());
    let kinds: BTreeMap<String, actors::Actor> = samples
        .iter()
        .map(|s| (s.principal.clone(), classify_principal(s, &o.config)))
        .collect();
    let kind_of = |p: &str| kinds.get(p).map(|a| a.kind).unwrap_or(Kind::Unknown);
    let mut findings: Vec<Finding> = Vec::new();

    // 1. IAM changes in the period.
    findings.extend(iam_changes(lake, o, &kinds)?);

    tracing::debug!("drift: IAM changes by {:?}", t0.elapsed());
    // 2. Behaviour drift.
    let mut seen_dims: BTreeMap<&str, Vec<activity::Seen>> =
        DIMS.iter().copied().zip(seen).collect();
    let actions = seen_dims.remove("iam_action").unwrap_or_default();
    let active_in_baseline: BTreeSet<&str> = actions
        .iter()
        .filter(|s| s.in_baseline)
        .map(|s| s.principal.as_str())
        .collect();
    let mut new_actions: BTreeMap<String, Vec<&activity::Seen>> = BTreeMap::new();
    for s in &actions {
        if s.in_period && !s.in_baseline && !s.principal.starts_with("service:") {
            new_actions.entry(s.principal.clone()).or_default().push(s);
        }
    }
    for (p, list) in &new_actions {
        let k = kind_of(p);
        if !active_in_baseline.contains(p.as_str()) {
            findings.push(Finding {
                id: fingerprint(&["new-principal", p]),
                category: "behaviour".into(),
                severity: if k == Kind::Agent { Severity::Medium } else { Severity::Low },
                principal: p.clone(),
                principal_kind: k.as_str().into(),
                statement: format!("{} ({}) was active in the period and not in the baseline, with {} distinct actions.", p, k.as_str(), list.len()),
                rule: "new-principal: no activity in the baseline".into(),
                evidence: list.iter().filter_map(|s| s.first_event.clone()).take(5).collect(),
                new: true,
                actor: None,
                actor_kind: None,
            });
            continue;
        }
        let mut others: Vec<&activity::Seen> = Vec::new();
        for s in list {
            let risk = classify::risk(&s.value, &Value::Null);
            let name = s.value.split(':').nth(1).unwrap_or(&s.value);
            if matches!(risk, Risk::Destructive | Risk::Permission | Risk::Guardrail) {
                let severity = if k == Kind::Agent {
                    Severity::High
                } else {
                    Severity::Medium
                };
                findings.push(Finding {
                    id: fingerprint(&["first-time-risky", p, &s.value]),
                    category: "behaviour".into(),
                    severity,
                    principal: p.clone(),
                    principal_kind: k.as_str().into(),
                    statement: format!("{} ({}) called {} for the first time ({} calls in the period; none in the baseline).", p, k.as_str(), s.value, s.count_period),
                    rule: "first-time-risky-call: a destructive, permission or guardrail call not seen in the baseline".into(),
                    evidence: s.first_event.iter().cloned().collect(),
                    new: true,
                    actor: None,
                    actor_kind: None,
                });
            } else if !classify::looks_read_only(name) || k == Kind::Agent {
                others.push(s);
            }
        }
        if !others.is_empty() {
            let severity = if k == Kind::Agent {
                Severity::Medium
            } else {
                Severity::Low
            };
            let names: Vec<&str> = others.iter().map(|s| s.value.as_str()).collect();
            findings.push(Finding {
                id: fingerprint(&["new-actions", p, &names.join(",")]),
                category: "behaviour".into(),
                severity,
                principal: p.clone(),
                principal_kind: k.as_str().into(),
                statement: format!("{} ({}) used {} action(s) never seen in the baseline: {}.", p, k.as_str(), names.len(), names.iter().take(12).copied().collect::<Vec<_>>().join(", ")),
                rule: "new-actions: actions in the period not in the baseline (mutating ones, or any for agents)".into(),
                evidence: others.iter().filter_map(|s| s.first_event.clone()).take(10).collect(),
                new: true,
                actor: None,
                actor_kind: None,
            });
        }
    }
    for (dim, label, agent_sev, other_sev) in [
        ("aws_region", "region", Severity::Medium, Severity::Low),
        ("event_source", "service", Severity::Medium, Severity::Low),
        (
            "source_ip_address",
            "source IP",
            Severity::Low,
            Severity::Low,
        ),
        ("user_agent", "user agent", Severity::Low, Severity::Low),
    ] {
        let seen = seen_dims.remove(dim).unwrap_or_default();
        let mut per: BTreeMap<&str, Vec<&activity::Seen>> = BTreeMap::new();
        for s in &seen {
            if s.in_period
                && !s.in_baseline
                && active_in_baseline.contains(s.principal.as_str())
                && !s.principal.starts_with("service:")
            {
                per.entry(s.principal.as_str()).or_default().push(s);
            }
        }
        for (p, list) in per {
            let k = kind_of(p);
            if dim != "aws_region" && dim != "event_source" && k != Kind::Agent && k != Kind::Human
            {
                continue;
            }
            let values: Vec<String> = list
                .iter()
                .map(|s| s.value.chars().take(80).collect())
                .collect();
            findings.push(Finding {
                id: fingerprint(&["new", dim, p, &values.join(",")]),
                category: "behaviour".into(),
                severity: if k == Kind::Agent {
                    agent_sev
                } else {
                    other_sev
                },
                principal: p.to_string(),
                principal_kind: k.as_str().into(),
                statement: format!(
                    "{} ({}) used a new {label}: {}.",
                    p,
                    k.as_str(),
                    values
                        .iter()
                        .take(6)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                rule: format!(
                    "new-{}: a {label} in the period not seen in the baseline",
                    label.replace(' ', "-")
                ),
                evidence: list
                    .iter()
                    .filter_map(|s| s.first_event.clone())
                    .take(5)
                    .collect(),
                new: true,
                actor: None,
                actor_kind: None,
            });
        }
    }
    tracing::debug!("drift: behaviour by {:?}", t0.elapsed());
    for d in activity::denied_bursts(lake, o.from, o.to)? {
        if d.count >= 10 && d.actions >= 3 {
            let k = kind_of(&d.principal);
            findings.push(Finding {
                id: fingerprint(&["access-denied-burst", &d.principal, &d.bucket.to_string()]),
                category: "behaviour".into(),
                severity: if k == Kind::Agent { Severity::High } else { Severity::Medium },
                principal: d.principal.clone(),
                principal_kind: k.as_str().into(),
                statement: format!("{} ({}) was denied {} times across {} actions within 10 minutes from {} (probing).", d.principal, k.as_str(), d.count, d.actions, iso(d.bucket)),
                rule: "access-denied-burst: 10 or more AccessDenied across 3 or more actions in 10 minutes".into(),
                evidence: vec![d.first_event.clone()],
                new: true,
                actor: None,
                actor_kind: None,
            });
        }
    }

    // 3 and 4. Granted versus used, and the snapshot diff.
    let used: BTreeMap<String, Vec<String>> = {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &actions {
            m.entry(s.principal.clone())
                .or_default()
                .push(s.value.clone());
        }
        m
    };
    tracing::debug!("drift: denied bursts by {:?}", t0.elapsed());
    let principals = grants::review(o, &kinds, &used, &mut findings)?;
    tracing::debug!("drift: grants by {:?}", t0.elapsed());

    // Week-over-week IAM change counts.
    let weekly = activity::weekly_change_counts(lake, base_from, o.to)?
        .into_iter()
        .map(|(w, n)| WeekCount {
            week_start: iso(w),
            changes: n,
        })
        .collect();

    // The evidence itself: coverage of the period, and the digest check.
    tracing::debug!("drift: weekly changes by {:?}", t0.elapsed());
    let mut coverage = crate::coverage::from_lake(lake, o.queries.as_deref(), o.from, o.to)?;
    tracing::debug!("drift: coverage by {:?}", t0.elapsed());
    coverage.verification = o.verification.clone();
    if let Some(v) = o.verification.as_ref().filter(|v| !v.verified) {
        findings.push(Finding {
            id: fingerprint(&["evidence-integrity", &v.problems.join("\n")]),
            category: "integrity".into(),
            severity: Severity::High,
            principal: "CloudTrail log files".into(),
            principal_kind: "unknown".into(),
            statement: v.sentence(),
            rule: "evidence-integrity: a log file differs from or is missing from its digest, or the digest chain is broken".into(),
            evidence: v.problems.clone(),
            new: true,
            actor: None,
            actor_kind: None,
        });
    }
    for f in findings.iter_mut() {
        f.new = !o.seen_before.contains(&f.id);
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then((a.principal_kind != "agent").cmp(&(b.principal_kind != "agent")))
            .then(a.category.cmp(&b.category))
            .then(a.principal.cmp(&b.principal))
            .then(a.id.cmp(&b.id))
    });
    let mut counts = BTreeMap::new();
    for f in &findings {
        *counts.entry(f.severity.as_str().to_string()).or_insert(0) += 1;
    }
    Ok(Review {
        backtrail_version: env!("CARGO_PKG_VERSION").into(),
        period: Period {
            start: iso(o.from),
            end: iso(o.to),
            baseline_start: iso(base_from),
            label: o.label.clone(),
        },
        findings,
        counts,
        principals,
        weekly_iam_changes: weekly,
        coverage,
        method: Method {
            iam_snapshot: o.iam_snapshot.as_ref().map(|p| p.display().to_string()),
            previous_iam_snapshot: o
                .previous_iam_snapshot
                .as_ref()
                .map(|p| p.display().to_string()),
            state: o.state_path.clone(),
            rules: "docs/DRIFT.md".into(),
        },
    })
}

#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("IAM snapshot {0}")]
    Snapshot(String),
}

fn target_of(p: &Value, account: &str, partition: &str) -> (String, String) {
    let arn = |kind: &str, name: &str| format!("arn:{partition}:iam::{account}:{kind}/{name}");
    if let Some(r) = p["roleName"].as_str() {
        return (arn("role", r), r.to_string());
    }
    if let Some(u) = p["userName"].as_str() {
        return (arn("user", u), u.to_string());
    }
    if let Some(g) = p["groupName"].as_str() {
        return (arn("group", g), g.to_string());
    }
    if let Some(pa) = p["policyArn"].as_str() {
        return (
            pa.to_string(),
            pa.rsplit('/').next().unwrap_or(pa).to_string(),
        );
    }
    if let Some(t) = p["targetId"].as_str().or(p["policyId"].as_str()) {
        return (t.to_string(), t.to_string());
    }
    ("(account)".into(), String::new())
}

fn doc_text(p: &Value) -> Option<String> {
    p.get("policyDocument")
        .or(p.get("assumeRolePolicyDocument"))
        .or(p.get("content"))
        .map(|d| match d {
            Value::String(s) => crate::iam::policy::percent_decode(s),
            v => v.to_string(),
        })
}

fn iam_changes(
    lake: &Lake,
    o: &DriftOptions,
    kinds: &BTreeMap<String, actors::Actor>,
) -> Result<Vec<Finding>, DriftError> {
    let (name, sql) = query::library_sql(
        o.queries.as_deref(),
        "drift-iam-changes",
        &query::window_params(o.from, o.to),
    )?;
    let df = query::run_sql(lake, &name, &sql, None)?;
    let col = |c: &str| -> Vec<Option<String>> {
        df.column(c)
            .ok()
            .and_then(|x| x.cast(&polars::prelude::DataType::String).ok())
            .map(|x| {
                let ca = x.str().expect("cast to string").clone();
                (0..ca.len())
                    .map(|i| ca.get(i).map(str::to_string))
                    .collect()
            })
            .unwrap_or_else(|| vec![None; df.height()])
    };
    let (ids, actions, names, arns, issuers, invoked, params_c) = (
        col("event_id"),
        col("iam_action"),
        col("event_name"),
        col("arn"),
        col("session_issuer_arn"),
        col("invoked_by"),
        col("request_parameters"),
    );
    let mut out = Vec::new();
    for i in 0..df.height() {
        let action = actions[i].clone().unwrap_or_default();
        let name = names[i].clone().unwrap_or_default();
        let p: Value = params_c[i]
            .as_deref()
            .and_then(|t| crate::event::canonical::parse_value(t).ok())
            .unwrap_or(Value::Null);
        let actor = match &invoked[i] {
            Some(s) => format!("service:{s}"),
            None => issuers[i]
                .clone()
                .or(arns[i].clone())
                .unwrap_or_else(|| "unknown".into()),
        };
        let actor_kind = kinds.get(&actor).map(|a| a.kind).unwrap_or(Kind::Unknown);
        let src_arn = arns[i].clone().unwrap_or_default();
        let mut parts = src_arn.split(':');
        let partition = parts.nth(1).unwrap_or("aws").to_string();
        let account = src_arn.split(':').nth(4).unwrap_or("").to_string();
        let (target, target_name) = target_of(&p, &account, &partition);
        let target_kind = kinds.get(&target).map(|a| a.kind).unwrap_or(Kind::Unknown);
        let doc = doc_text(&p).unwrap_or_default();
        let doc_v: Value = crate::event::canonical::parse_value(&doc).unwrap_or(Value::Null);
        let mut reasons: Vec<String> = Vec::new();
        let mut sev = Severity::Medium;
        let narrowing = name.starts_with("Detach")
            || (name.starts_with("Delete") && name != "DeletePermissionsBoundary")
            || name.starts_with("Remove");
        if narrowing {
            sev = Severity::Low;
        }
        if p["policyArn"]
            .as_str()
            .is_some_and(classify::is_broad_policy_arn)
            && !narrowing
        {
            reasons.push(format!(
                "grants {}",
                p["policyArn"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
            ));
            sev = Severity::High;
        }
        if !narrowing
            && !doc.is_empty()
            && name != "UpdateAssumeRolePolicy"
            && name != "CreateRole"
            && classify::document_is_broad(&doc_v)
        {
            reasons.push("a policy allowing * or service:*".into());
            sev = Severity::High;
        }
        if !narrowing && (doc.contains("iam:PassRole") || doc.contains("\"iam:*\"")) {
            reasons.push("grants iam:PassRole or iam:*".into());
            sev = Severity::High;
        }
        if name == "UpdateAssumeRolePolicy" || name == "CreateRole" {
            let trust = crate::incident::classify::list(
                &doc_v["Statement"]
                    .as_array()
                    .map(|a| {
                        Value::Array(
                            a.iter()
                                .flat_map(|s| {
                                    let pr = &s["Principal"];
                                    let mut v = Vec::new();
                                    for k in ["AWS", "Federated", "Service"] {
                                        v.extend(
                                            crate::incident::classify::list(&pr[k])
                                                .into_iter()
                                                .map(Value::String),
                                        );
                                    }
                                    if pr.as_str() == Some("*") {
                                        v.push(Value::String("*".into()));
                                    }
                                    v
                                })
                                .collect(),
                        )
                    })
                    .unwrap_or(Value::Null),
            );
            for t in trust {
                let other_account = t.starts_with("arn:")
                    && t.split(':')
                        .nth(4)
                        .is_some_and(|a| !a.is_empty() && a != account);
                let bare_account =
                    t.len() == 12 && t.bytes().all(|c| c.is_ascii_digit()) && t != account;
                if t == "*" || other_account || bare_account {
                    reasons.push(format!("trust to {t}"));
                    sev = Severity::High;
                } else if t.contains("oidc")
                    || t.contains("saml-provider")
                    || t.ends_with("githubusercontent.com")
                    || t.contains("cognito")
                {
                    reasons.push(format!("trust to the identity provider {t}"));
                    sev = Severity::High;
                }
            }
        }
        let self_change = !target_name.is_empty()
            && (actor.ends_with(&format!("/{target_name}")) || actor == target);
        if self_change && !narrowing {
            reasons.push("a principal changing its own permissions".into());
            sev = Severity::High;
        }
        if (target_kind == Kind::Agent || name_has_agent_marker(&target_name)) && !narrowing {
            reasons.push("a change to an agent's role".into());
            sev = Severity::High;
        }
        let id = ids[i].clone().unwrap_or_default();
        out.push(Finding {
            id: fingerprint(&["iam-change", &id]),
            category: "iam-change".into(),
            severity: sev,
            principal: target.clone(),
            principal_kind: if target_kind == Kind::Unknown && name_has_agent_marker(&target_name) { "agent".into() } else { target_kind.as_str().into() },
            statement: format!(
                "{} ({}) ran {} on {}{}.",
                actor,
                actor_kind.as_str(),
                action,
                target,
                if reasons.is_empty() { String::new() } else { format!(": {}", reasons.join("; ")) }
            ),
            rule: "iam-change: high for admin or wildcard grants, iam:PassRole or iam:*, trust to another account or an identity provider, self-changes, changes to agent roles; low for detach/delete; else medium".into(),
            evidence: vec![id],
            new: true,
            actor: Some(actor),
            actor_kind: Some(actor_kind.as_str().into()),
        });
    }
    Ok(out)
}
