//! IAM policy documents and their evaluation against a snapshot's principals.
//!
//! What a principal may do, judged from its identity policies and permissions
//! boundary in an IAM snapshot ([`crate::iam::snapshot`]); which grants it
//! never used; a least-privilege policy for what it did use; how broad its
//! grants are; whom its trust policy lets in; and how grants drifted between
//! two snapshots.
//!
//! # What [`evaluate`] answers, and what it leaves out
//!
//! A snapshot holds no request context, so the evaluation is an upper bound:
//! "could this principal be allowed?"
//! - **Conditions may apply.** A statement with a `Condition` is treated as
//!   possibly in effect. A conditional Allow counts as allowing; a conditional
//!   Deny does not count as an explicit deny, since it may not apply to a
//!   given request. An MFA-gated Deny therefore does not hide what the
//!   principal can do once it has MFA. Only unconditional Deny statements
//!   produce [`Decision::ExplicitDeny`].
//! - **Unknown resource.** Pass `""` as the resource when it is not known
//!   (many CloudTrail events name none): resource-scoped statements are then
//!   treated like conditional ones. Pass `"*"` to ask about every resource:
//!   only statements scoped to `*` apply then.
//! - **Policy variables** such as `${aws:username}` in resource patterns
//!   match anything (`${*}`, `${?}` and `${$}` are the literal characters).
//! - Resource ARNs match case-sensitively, actions case-insensitively.
//! - Not evaluated: resource-based policies, service control policies,
//!   session policies and the cross-account step, none of which is in a
//!   snapshot.
//! - Managed policies missing from the snapshot come from a short built-in
//!   list (see [`crate::iam::snapshot`]); the rest are listed in
//!   [`Principal::unevaluated`] and grant nothing here.

use crate::iam::snapshot::{Principal, Snapshot};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement of an identity policy, with its fields normalised to lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub effect: Effect,
    /// `Action` patterns, as written.
    pub actions: Vec<String>,
    /// `NotAction` patterns: the statement covers every action but these.
    pub not_actions: Vec<String>,
    /// `Resource` patterns. With `not_resources` also empty (no resource
    /// element at all) the statement is taken to cover every resource.
    pub resources: Vec<String>,
    /// `NotResource` patterns: the statement covers every resource but these.
    pub not_resources: Vec<String>,
    /// The statement has a non-empty `Condition`; see the module docs.
    pub has_condition: bool,
    /// Where the statement comes from, e.g. `managed:AdministratorAccess`,
    /// `inline:deploy` or `group:admins/managed:AdministratorAccess`.
    pub source: String,
}

impl Statement {
    /// Does the statement's Action / NotAction cover `action`?
    pub fn covers_action(&self, action: &str) -> bool {
        if self.actions.is_empty() && self.not_actions.is_empty() {
            return false;
        }
        (self.actions.is_empty() || self.actions.iter().any(|p| action_matches(p, action)))
            && !self.not_actions.iter().any(|p| action_matches(p, action))
    }

    /// Does the statement apply to every resource (`Resource: "*"` or none)?
    pub fn covers_all_resources(&self) -> bool {
        self.not_resources.is_empty()
            && (self.resources.is_empty() || self.resources.iter().any(|r| is_all(r)))
    }
}

/// Why a policy document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy text is neither JSON nor URL-encoded JSON ({0})")]
    NotJson(String),
    #[error("policy document is not a JSON object")]
    NotObject,
    #[error("policy document has no Statement")]
    NoStatement,
    #[error("Statement[{index}]: {what}")]
    BadStatement { index: usize, what: String },
}

/// The result of evaluating one action on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Some Allow may apply, no unconditional Deny applies, and the
    /// permissions boundary (if any) may allow it too.
    Allowed,
    /// An unconditional Deny in the identity policies or the boundary applies.
    ExplicitDeny,
    /// Nothing allows it (or the boundary does not).
    ImplicitDeny,
}

/// Per principal, the grants that appeared and disappeared between two
/// snapshots; see [`diff`] and [`grant_lines`] for the line format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantDiff {
    /// The principal's ARN.
    pub principal: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// A policy document as JSON: documents arrive as objects, as JSON text, or
/// URL-encoded JSON text (the raw IAM API's form).
pub fn decode_document(doc: &Value) -> Result<Cow<'_, Value>, PolicyError> {
    match doc {
        Value::Object(_) => Ok(Cow::Borrowed(doc)),
        Value::String(text) => {
            let v = decode_text(text)?;
            // Some tools encode twice; one more round covers them.
            let v = match v {
                Value::String(inner) => decode_text(&inner)?,
                v => v,
            };
            if v.is_object() {
                Ok(Cow::Owned(v))
            } else {
                Err(PolicyError::NotObject)
            }
        }
        _ => Err(PolicyError::NotObject),
    }
}

fn decode_text(text: &str) -> Result<Value, PolicyError> {
    use crate::event::canonical::parse_value;
    let t = text.trim();
    if t.starts_with('{')
        && let Ok(v) = parse_value(t)
    {
        return Ok(v);
    }
    match parse_value(&percent_decode(t)) {
        Ok(v) => Ok(v),
        // Form encoding writes spaces as '+'.
        Err(e) => parse_value(&percent_decode(&t.replace('+', " ")))
            .map_err(|_| PolicyError::NotJson(e.to_string())),
    }
}

/// Decode `%XX` escapes (URL-encoded policy documents); invalid escapes stay.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parse a policy document into statements, each tagged with `source`.
/// An unreadable document is an error naming the statement at fault.
pub fn try_parse_document(doc: &Value, source: &str) -> Result<Vec<Statement>, PolicyError> {
    let doc = decode_document(doc)?;
    let stmts: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        Some(_) => {
            return Err(PolicyError::BadStatement {
                index: 0,
                what: "Statement is neither an object nor an array".into(),
            });
        }
        None => return Err(PolicyError::NoStatement),
    };
    stmts
        .into_iter()
        .enumerate()
        .map(|(index, s)| {
            parse_statement(s, source).map_err(|what| PolicyError::BadStatement { index, what })
        })
        .collect()
}

/// Parse a policy document (object, JSON text or URL-encoded JSON text);
/// an unreadable document yields no statements. Use [`try_parse_document`]
/// to learn why.
pub fn parse_document(doc: &Value, source: &str) -> Vec<Statement> {
    try_parse_document(doc, source).unwrap_or_default()
}

fn parse_statement(s: &Value, source: &str) -> Result<Statement, String> {
    let obj = s.as_object().ok_or("not an object")?;
    let effect = match obj.get("Effect").and_then(Value::as_str) {
        Some(e) if e.eq_ignore_ascii_case("allow") => Effect::Allow,
        Some(e) if e.eq_ignore_ascii_case("deny") => Effect::Deny,
        other => return Err(format!("Effect is {other:?}, expected Allow or Deny")),
    };
    Ok(Statement {
        effect,
        actions: strings(obj, "Action")?,
        not_actions: strings(obj, "NotAction")?,
        resources: strings(obj, "Resource")?,
        not_resources: strings(obj, "NotResource")?,
        has_condition: match obj.get("Condition") {
            None | Some(Value::Null) => false,
            Some(Value::Object(m)) => !m.is_empty(),
            Some(_) => true,
        },
        source: source.to_string(),
    })
}

/// A string-or-array-of-strings field; absent or null is empty.
fn strings(obj: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{key} holds a non-string: {v}"))
            })
            .collect(),
        Some(v) => Err(format!("{key} is neither a string nor a list: {v}")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Star,
    One,
}

/// Pattern tokens; with `variables`, `${...}` policy variables become `*`.
fn tokens(pattern: &str, variables: bool) -> Vec<Tok> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => out.push(Tok::Star),
            '?' => out.push(Tok::One),
            '$' if variables && chars.get(i + 1) == Some(&'{') => {
                if let Some(len) = chars[i + 2..].iter().position(|&c| c == '}') {
                    let name: String = chars[i + 2..i + 2 + len].iter().collect();
                    out.push(match name.as_str() {
                        "*" => Tok::Lit('*'),
                        "?" => Tok::Lit('?'),
                        "$" => Tok::Lit('$'),
                        _ => Tok::Star,
                    });
                    i += len + 3;
                    continue;
                }
                out.push(Tok::Lit('$'));
            }
            c => out.push(Tok::Lit(c)),
        }
        i += 1;
    }
    out
}

/// Glob match with backtracking to the last `*`; linear in practice.
fn glob(p: &[Tok], s: &[char]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if let Some(t) = p.get(pi) {
            match *t {
                Tok::Star => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                Tok::One => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                Tok::Lit(c) if c == s[si] => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                Tok::Lit(_) => {}
            }
        }
        match star {
            Some((sp, ss)) => {
                pi = sp + 1;
                si = ss + 1;
                star = Some((sp, ss + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|t| *t == Tok::Star)
}

fn is_all(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.chars().all(|c| c == '*')
}

/// Does an IAM action pattern (`s3:Get*`, `*`, `iam:?etUser`) match an
/// action (`s3:GetObject`)? Case-insensitive, as IAM is for actions.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let s: Vec<char> = action.to_lowercase().chars().collect();
    glob(&tokens(&pattern.to_lowercase(), false), &s)
}

/// Does a resource pattern match a resource ARN? Case-sensitive; `*` and
/// `?` wildcards; policy variables match anything.
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    let s: Vec<char> = resource.chars().collect();
    glob(&tokens(pattern, true), &s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applies {
    No,
    Maybe,
    Yes,
}

fn applies(s: &Statement, action: &str, resource: &str) -> Applies {
    if !s.covers_action(action) {
        return Applies::No;
    }
    let scope = if s.covers_all_resources() {
        Applies::Yes
    } else if resource.is_empty() {
        Applies::Maybe
    } else {
        let listed =
            s.resources.is_empty() || s.resources.iter().any(|r| resource_matches(r, resource));
        let excluded = s
            .not_resources
            .iter()
            .any(|r| resource_matches(r, resource));
        if listed && !excluded {
            Applies::Yes
        } else {
            Applies::No
        }
    };
    match scope {
        Applies::Yes if s.has_condition => Applies::Maybe,
        scope => scope,
    }
}

struct Verdict {
    deny: bool,
    allow: bool,
}

fn verdict(stmts: &[Statement], action: &str, resource: &str) -> Verdict {
    let mut v = Verdict {
        deny: false,
        allow: false,
    };
    for s in stmts {
        match (s.effect, applies(s, action, resource)) {
            (Effect::Deny, Applies::Yes) => v.deny = true,
            (Effect::Allow, Applies::Yes | Applies::Maybe) => v.allow = true,
            _ => {}
        }
    }
    v
}

/// Could `p` be allowed `action` on `resource` (an ARN, `"*"` for every
/// resource, `""` for unknown)? Deny beats Allow; with a permissions
/// boundary, both the identity policies and the boundary must allow, and a
/// Deny in either wins. Conditions "may apply"; see the module docs.
pub fn evaluate(p: &Principal, action: &str, resource: &str) -> Decision {
    let identity = verdict(&p.statements, action, resource);
    let boundary = p.boundary.as_deref().map(|b| verdict(b, action, resource));
    if identity.deny || boundary.as_ref().is_some_and(|b| b.deny) {
        Decision::ExplicitDeny
    } else if identity.allow && boundary.is_none_or(|b| b.allow) {
        Decision::Allowed
    } else {
        Decision::ImplicitDeny
    }
}

/// An action pattern of an Allow: a listed pattern, or everything but the
/// NotAction list.
enum Pattern<'a> {
    Action(&'a str),
    AllExcept(&'a [String]),
}

impl Pattern<'_> {
    fn render(&self) -> String {
        match self {
            Pattern::Action(a) => (*a).to_string(),
            Pattern::AllExcept(not) => format!("* except {}", sorted(not).join(", ")),
        }
    }

    fn matches(&self, action: &str) -> bool {
        match self {
            Pattern::Action(a) => action_matches(a, action),
            Pattern::AllExcept(not) => !not.iter().any(|n| action_matches(n, action)),
        }
    }
}

fn patterns(s: &Statement) -> Vec<Pattern<'_>> {
    let mut out: Vec<Pattern<'_>> = s.actions.iter().map(|a| Pattern::Action(a)).collect();
    if !s.not_actions.is_empty() {
        out.push(Pattern::AllExcept(&s.not_actions));
    }
    out
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v = v.to_vec();
    v.sort();
    v.dedup();
    v
}

fn allows(p: &Principal) -> impl Iterator<Item = &Statement> {
    p.statements.iter().filter(|s| s.effect == Effect::Allow)
}

/// The action patterns the principal's identity policies allow, sorted and
/// without duplicates; a NotAction Allow reads `* except a, b`. Resources,
/// conditions, Deny statements and the boundary are not reflected: see
/// [`grant_lines`] for the full picture.
pub fn granted_patterns(p: &Principal) -> Vec<String> {
    allows(p)
        .flat_map(patterns)
        .map(|pat| pat.render())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The patterns of [`granted_patterns`] that match none of `used_actions`
/// (e.g. the `eventSource`-derived IAM actions seen in CloudTrail).
pub fn unused_grants(p: &Principal, used_actions: &[String]) -> Vec<String> {
    let mut all = BTreeSet::new();
    let mut used = BTreeSet::new();
    for pat in allows(p).flat_map(patterns) {
        let r = pat.render();
        if used_actions.iter().any(|a| pat.matches(a)) {
            used.insert(r.clone());
        }
        all.insert(r);
    }
    all.difference(&used).cloned().collect()
}

/// A policy (Version 2012-10-17) allowing exactly the used actions: one
/// statement per service and distinct resource set, with the resources seen
/// for an action (the union over repeated entries), or `*` where none (or
/// `*` itself) was seen. Services, resource sets and actions are sorted, so
/// equal input gives equal output; an action's spelling is that of its first
/// entry. Sids name the service (`S3`), numbered (`S3Group1`, `S3Group2`)
/// when a service needs several statements.
pub fn least_privilege(used: &[(String, Vec<String>)]) -> Value {
    // lowercase action -> (spelling, resources)
    let mut by_action: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for (action, resources) in used {
        let action = action.trim();
        if action.is_empty() {
            continue;
        }
        let entry = by_action
            .entry(action.to_lowercase())
            .or_insert_with(|| (action.to_string(), BTreeSet::new()));
        entry
            .1
            .extend(resources.iter().filter(|r| !r.is_empty()).cloned());
    }
    // service -> resource set -> actions
    let mut by_service: BTreeMap<String, BTreeMap<Vec<String>, Vec<String>>> = BTreeMap::new();
    for (key, (spelling, resources)) in by_action {
        let service = key.split(':').next().unwrap_or(&key).to_string();
        let resources: Vec<String> = if resources.is_empty() || resources.iter().any(|r| is_all(r))
        {
            vec!["*".to_string()]
        } else {
            resources.into_iter().collect()
        };
        by_service
            .entry(service)
            .or_default()
            .entry(resources)
            .or_default()
            .push(spelling);
    }
    let mut statements = Vec::new();
    for (service, groups) in by_service {
        let base = sid_base(&service);
        let numbered = groups.len() > 1;
        for (i, (resources, actions)) in groups.into_iter().enumerate() {
            let sid = if numbered {
                format!("{base}Group{}", i + 1)
            } else {
                base.clone()
            };
            statements.push(json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions,
                "Resource": resources,
            }));
        }
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// A Sid from a service prefix: alphanumerics only, first letter capital.
fn sid_base(service: &str) -> String {
    let mut out: String = service
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if let Some(first) = out.get(..1) {
        out = first.to_ascii_uppercase() + &out[1..];
    }
    if out.is_empty() {
        out.push_str("Service");
    }
    out
}

/// Placeholder action names no real policy names: only wildcards reach them.
const PROBE_ANY: &str = "backtrailprobe:BacktrailProbe";
const PROBE_IAM: &str = "iam:BacktrailProbe";

fn allowing<'a>(p: &'a Principal, action: &str, resource: &str) -> Vec<&'a Statement> {
    allows(p)
        .filter(|s| applies(s, action, resource) != Applies::No)
        .collect()
}

/// "via a, b", and whether every grant is conditional.
fn via(stmts: &[&Statement]) -> String {
    let mut sources: Vec<&str> = Vec::new();
    for s in stmts {
        if !sources.contains(&s.source.as_str()) {
            sources.push(&s.source);
        }
    }
    let conditional = !stmts.is_empty() && stmts.iter().all(|s| s.has_condition);
    format!(
        "via {}{}",
        sources.join(", "),
        if conditional { "; conditional" } else { "" }
    )
}

/// Why the principal's effective grants are broad, if they are, in order of
/// severity: administrator (every action on every resource), power user
/// (every action on every resource but IAM), `iam:*`, `iam:PassRole` on `*`,
/// `service:*`, or `*` on some resources. Deny statements and the
/// permissions boundary are taken into account; conditions may apply.
pub fn is_broad(p: &Principal) -> Option<String> {
    let allowed = |action: &str, resource: &str| evaluate(p, action, resource) == Decision::Allowed;
    let any = allowed(PROBE_ANY, "*");
    let iam = allowed(PROBE_IAM, "*");
    if any && iam {
        let mut stmts = allowing(p, PROBE_ANY, "*");
        for s in allowing(p, PROBE_IAM, "*") {
            if !stmts.contains(&s) {
                stmts.push(s);
            }
        }
        return Some(format!(
            "administrator: allows every action on every resource ({})",
            via(&stmts)
        ));
    }
    if any {
        let stmts = allowing(p, PROBE_ANY, "*");
        let mut except: Vec<String> = stmts
            .iter()
            .flat_map(|s| s.not_actions.iter().cloned())
            .collect();
        except.sort();
        except.dedup();
        let except = if except.is_empty() {
            "iam:* (denied, or outside the permissions boundary)".to_string()
        } else {
            except.join(", ")
        };
        return Some(format!(
            "power user: allows every action on every resource except {except} ({})",
            via(&stmts)
        ));
    }
    if iam {
        return Some(format!(
            "iam:*: allows every IAM action on every resource ({})",
            via(&allowing(p, PROBE_IAM, "*"))
        ));
    }
    if allowed("iam:PassRole", "*") {
        return Some(format!(
            "iam:PassRole on *: can hand any role to a service ({})",
            via(&allowing(p, "iam:PassRole", "*"))
        ));
    }
    for s in allows(p) {
        for a in &s.actions {
            let Some(service) = a.strip_suffix(":*") else {
                continue;
            };
            if service.is_empty() || service.contains(['*', '?']) {
                continue;
            }
            let probe = format!("{service}:BacktrailProbe");
            if s.covers_all_resources() && allowed(&probe, "*") {
                return Some(format!(
                    "{service}:*: allows every {service} action on every resource ({})",
                    via(&allowing(p, &probe, "*"))
                ));
            }
            if !s.covers_all_resources() && allowed(&probe, "") {
                return Some(format!(
                    "{service}:*: allows every {service} action on {} ({})",
                    scope_text(s),
                    via(&[s])
                ));
            }
        }
    }
    for s in allows(p) {
        if s.actions.iter().any(|a| is_all(a)) && allowed(PROBE_ANY, "") {
            return Some(format!("all actions on {} ({})", scope_text(s), via(&[s])));
        }
    }
    None
}

/// The resources a statement covers, as text: `*`, `a, b`, `* except c`.
fn scope_text(s: &Statement) -> String {
    let mut out = if s.resources.is_empty() || s.resources.iter().any(|r| is_all(r)) {
        "*".to_string()
    } else {
        sorted(&s.resources).join(", ")
    };
    if !s.not_resources.is_empty() {
        out.push_str(" except ");
        out.push_str(&sorted(&s.not_resources).join(", "));
    }
    out
}

fn statement_lines(prefix: &str, s: &Statement, out: &mut BTreeSet<String>) {
    let scope = if s.covers_all_resources() {
        String::new()
    } else {
        format!(" on {}", scope_text(s))
    };
    let cond = if s.has_condition {
        " (conditional)"
    } else {
        ""
    };
    for pat in patterns(s) {
        out.insert(format!("{prefix}{}{scope}{cond}", pat.render()));
    }
}

/// Everything [`diff`] compares for one principal, one line per grant:
/// - `s3:Get*`, `* except iam:*`: an Allow pattern on every resource;
///   `s3:GetObject on arn:aws:s3:::b/*` when scoped; ` (conditional)` when
///   the statement has a Condition;
/// - `deny: iam:*`: a Deny, same form;
/// - `boundary: s3:*` / `boundary deny: ...`: permissions boundary statements;
/// - `trust: arn:aws:iam::999:root`, `trust: ec2.amazonaws.com`: a principal
///   the trust policy allows (`trust: * except X` for NotPrincipal,
///   `trust deny: X` for a Deny);
/// - `unevaluated: ...`: a policy that could not be evaluated.
pub fn grant_lines(p: &Principal) -> Vec<String> {
    let mut out = BTreeSet::new();
    for s in &p.statements {
        let prefix = match s.effect {
            Effect::Allow => "",
            Effect::Deny => "deny: ",
        };
        statement_lines(prefix, s, &mut out);
    }
    for s in p.boundary.iter().flatten() {
        let prefix = match s.effect {
            Effect::Allow => "boundary: ",
            Effect::Deny => "boundary deny: ",
        };
        statement_lines(prefix, s, &mut out);
    }
    if let Some(trust) = &p.trust {
        for e in trust_entries(trust) {
            let who = if e.not_principal {
                format!("* except {}", e.value)
            } else {
                e.value.clone()
            };
            let prefix = if e.allow { "trust: " } else { "trust deny: " };
            let cond = if e.condition_keys.is_empty() {
                ""
            } else {
                " (conditional)"
            };
            out.insert(format!("{prefix}{who}{cond}"));
        }
    }
    for note in &p.unevaluated {
        out.insert(format!("unevaluated: {note}"));
    }
    out.into_iter().collect()
}

/// Per principal (by ARN, sorted), the [`grant_lines`] added and removed
/// from `prev` to `cur`. A principal only in `cur` has `principal: added`
/// and all its lines under `added`; one only in `prev` has
/// `principal: removed` and all its lines under `removed`. Principals with
/// no change are left out.
pub fn diff(prev: &Snapshot, cur: &Snapshot) -> Vec<GrantDiff> {
    fn lines(s: &Snapshot) -> BTreeMap<String, BTreeSet<String>> {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in s.principals() {
            m.entry(p.arn.clone()).or_default().extend(grant_lines(&p));
        }
        m
    }
    let before = lines(prev);
    let after = lines(cur);
    let arns: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut out = Vec::new();
    for arn in arns {
        let (added, removed) = match (before.get(arn), after.get(arn)) {
            (Some(b), Some(a)) => (
                a.difference(b).cloned().collect(),
                b.difference(a).cloned().collect(),
            ),
            (None, Some(a)) => (
                std::iter::once("principal: added".to_string())
                    .chain(a.iter().cloned())
                    .collect(),
                Vec::new(),
            ),
            (Some(b), None) => (
                Vec::new(),
                std::iter::once("principal: removed".to_string())
                    .chain(b.iter().cloned())
                    .collect(),
            ),
            (None, None) => continue,
        };
        if !added.is_empty() || !removed.is_empty() {
            out.push(GrantDiff {
                principal: arn.clone(),
                added,
                removed,
            });
        }
    }
    out
}

/// One principal named by a trust-policy statement.
struct TrustEntry {
    allow: bool,
    not_principal: bool,
    /// `AWS`, `Service`, `Federated`, `CanonicalUser`, or `*` for a bare `"*"`.
    kind: String,
    value: String,
    /// Condition keys of the statement, sorted.
    condition_keys: Vec<String>,
}

fn trust_entries(doc: &Value) -> Vec<TrustEntry> {
    let Ok(doc) = decode_document(doc) else {
        return Vec::new();
    };
    let stmts: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(o @ Value::Object(_)) => vec![o],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for s in stmts {
        let allow = s["Effect"]
            .as_str()
            .is_some_and(|e| e.eq_ignore_ascii_case("allow"));
        let (who, not_principal) = match (s.get("Principal"), s.get("NotPrincipal")) {
            (Some(p), _) => (p, false),
            (None, Some(p)) => (p, true),
            (None, None) => continue,
        };
        let mut condition_keys: Vec<String> = s["Condition"]
            .as_object()
            .into_iter()
            .flat_map(|ops| ops.values())
            .filter_map(Value::as_object)
            .flat_map(|keys| keys.keys().cloned())
            .collect();
        condition_keys.sort();
        condition_keys.dedup();
        let mut push = |kind: &str, value: &str| {
            out.push(TrustEntry {
                allow,
                not_principal,
                kind: kind.to_string(),
                value: value.to_string(),
                condition_keys: condition_keys.clone(),
            })
        };
        match who {
            Value::String(v) => push("*", v),
            Value::Object(m) => {
                for (kind, v) in m {
                    match v {
                        Value::String(x) => push(kind, x),
                        Value::Array(a) => a
                            .iter()
                            .filter_map(Value::as_str)
                            .for_each(|x| push(kind, x)),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The account of an AWS principal: a bare 12-digit id or an ARN's account.
fn account_of(principal: &str) -> Option<&str> {
    if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
        return Some(principal);
    }
    if principal.starts_with("arn:") {
        return principal.split(':').nth(4).filter(|a| !a.is_empty());
    }
    None
}

/// Risky trust in the principal's trust policy (roles only): to any
/// principal (`*`), to everyone but some (NotPrincipal), to an account other
/// than `own_account` (pass [`Snapshot::account_id`]; an empty string makes
/// every account foreign), to a SAML provider, to a web identity (OIDC)
/// provider, and GitHub Actions OIDC trust without a `sub` condition.
/// Conditions are named, not judged: `(condition on sts:ExternalId)`.
pub fn trust_risks(p: &Principal, own_account: &str) -> Vec<String> {
    let Some(trust) = &p.trust else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut add = |risk: String| {
        if !out.contains(&risk) {
            out.push(risk);
        }
    };
    for e in trust_entries(trust).iter().filter(|e| e.allow) {
        let cond = if e.condition_keys.is_empty() {
            String::new()
        } else {
            format!(" (condition on {})", e.condition_keys.join(", "))
        };
        if e.not_principal {
            add(format!(
                "trust to every principal except {} (NotPrincipal){cond}",
                e.value
            ));
            continue;
        }
        match e.kind.as_str() {
            "*" | "AWS" if e.value == "*" => add(format!("trust to any principal (*){cond}")),
            "AWS" => {
                if let Some(account) = account_of(&e.value)
                    && account != own_account
                {
                    let shown = if account == e.value {
                        account.to_string()
                    } else {
                        format!("{account} ({})", e.value)
                    };
                    add(format!("trust to another account: {shown}{cond}"));
                }
            }
            "Federated" if e.value.contains(":saml-provider/") => {
                add(format!("trust to a SAML provider: {}{cond}", e.value))
            }
            "Federated" => {
                add(format!(
                    "trust to a web identity provider: {}{cond}",
                    e.value
                ));
                if e.value.ends_with("token.actions.githubusercontent.com")
                    && !e.condition_keys.iter().any(|k| k.ends_with(":sub"))
                {
                    add(
                        "trust to GitHub Actions without a sub condition: any repository's \
                         workflow can assume the role"
                            .to_string(),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_edges() {
        assert!(action_matches("*", ""));
        assert!(action_matches("s3:*Object*", "s3:PutObjectAcl"));
        assert!(!action_matches("s3:Get", "s3:GetObject"));
        assert!(action_matches("ec2:*Describe*", "ec2:DescribeInstances"));
        assert!(!action_matches("?", ""));
        assert!(resource_matches(
            "arn:aws:s3:::home/${aws:username}/*",
            "arn:aws:s3:::home/alice/notes.txt"
        ));
        assert!(resource_matches("arn:aws:s3:::a${*}b", "arn:aws:s3:::a*b"));
        assert!(!resource_matches("arn:aws:s3:::a${*}b", "arn:aws:s3:::axb"));
        assert!(!resource_matches(
            "arn:aws:s3:::Bucket",
            "arn:aws:s3:::bucket"
        ));
    }

    #[test]
    fn percent_decoding_keeps_bad_escapes() {
        assert_eq!(percent_decode("%7B%22a%22%3A1%7D"), r#"{"a":1}"#);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn sids_are_alphanumeric() {
        assert_eq!(sid_base("s3"), "S3");
        assert_eq!(sid_base("execute-api"), "Executeapi");
        assert_eq!(sid_base(""), "Service");
    }
}
