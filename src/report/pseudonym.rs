//! Pseudonymising human identities: every human actor, every e-mail address
//! and every identity a session was launched on behalf of becomes a stable
//! label ("engineer 1", "engineer 2", ...) everywhere in the output.

use serde_json::Value;
use std::collections::BTreeMap;

fn is_email(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
}

/// E-mail addresses inside a string.
fn emails(s: &str) -> Vec<String> {
    s.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '/' | ':' | ',' | ';' | '"' | '\'' | '<' | '>' | '(' | ')' | '[' | ']'
            )
    })
    .filter(|t| is_email(t))
    .map(|t| t.trim_end_matches('.').to_string())
    .collect()
}

/// Name tokens of a human principal: the ID itself, the user or session
/// name, and the name inside provider prefixes.
fn tokens(id: &str) -> Vec<String> {
    let mut out = vec![id.to_string()];
    if let Some(rest) = id.split_once(":user/").map(|x| x.1) {
        out.push(rest.rsplit('/').next().unwrap_or(rest).to_string());
    }
    if let Some((_, session)) = crate::actors::role_session(id) {
        out.push(session.to_string());
    }
    if let Some((_, name)) = id.split_once(':') {
        if !id.starts_with("arn:") && !id.starts_with("root:") {
            out.push(name.to_string());
        }
    }
    out.retain(|t| t.len() >= 3);
    out
}

/// The e-mail addresses in the strings of `v`. Only strings with an `@`
/// are split: a large incident's output holds hundreds of thousands of
/// strings, and copying each of them to look was most of the time
/// pseudonymising took.
fn emails_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.contains('@') => out.extend(emails(s)),
        Value::Array(a) => a.iter().for_each(|x| emails_in(x, out)),
        Value::Object(m) => m.values().for_each(|x| emails_in(x, out)),
        _ => {}
    }
}

/// Replace each pair's identity in every string of `v`, in `map`'s order.
/// `any`, when built, finds the strings holding one of them: testing
/// every string for every identity was 3 % of a large incident's CPU time.
fn replace_all(v: &mut Value, map: &[(String, String)], any: Option<&aho_corasick::AhoCorasick>) {
    match v {
        Value::String(s) => {
            if any.is_some_and(|a| !a.is_match(s.as_str())) {
                return;
            }
            for (from, to) in map {
                if s.contains(from.as_str()) {
                    *s = s.replace(from.as_str(), to);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| replace_all(x, map, any)),
        Value::Object(m) => m.values_mut().for_each(|x| replace_all(x, map, any)),
        _ => {}
    }
}

/// (identity, kind) pairs anywhere in the output: actors (`id`/`kind`),
/// chain and evidence (`actor`/`actor_kind`), findings
/// (`principal`/`principal_kind`), principals (`principal`/`kind`).
fn identities(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (id_key, kind_key) in [
                ("id", "kind"),
                ("actor", "actor_kind"),
                ("principal", "principal_kind"),
                ("principal", "kind"),
            ] {
                if let (Some(Value::String(id)), Some(Value::String(kind))) =
                    (m.get(id_key), m.get(kind_key))
                {
                    out.push((id.clone(), kind.clone()));
                }
            }
            m.values().for_each(|x| identities(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| identities(x, out)),
        _ => {}
    }
}

/// The label map: human identity → "engineer N", numbered in the order
/// humans first appear in the output (evidence and chain first).
pub fn labels(v: &Value) -> BTreeMap<String, String> {
    let mut humans: Vec<String> = Vec::new();
    let mut push = |h: &str| {
        if !h.is_empty() && !humans.iter().any(|x| x == h) {
            humans.push(h.to_string());
        }
    };
    let mut pairs = Vec::new();
    for key in ["evidence", "chain"] {
        identities(&v[key], &mut pairs);
    }
    identities(v, &mut pairs);
    let human_ids: Vec<String> = pairs
        .iter()
        .filter(|(_, k)| k == "human")
        .map(|(i, _)| i.clone())
        .collect();
    for h in &human_ids {
        push(h);
    }
    let behalf: Vec<String> = v["actors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["on_behalf_of"].as_str().map(str::to_string))
        .filter(|b| !b.starts_with("arn:") || b.contains(":user/") || b.contains("AWSReservedSSO"))
        .collect();
    let mut rest: Vec<String> = behalf;
    emails_in(v, &mut rest);
    rest.sort();
    rest.dedup();
    for h in rest {
        push(&h);
    }
    // Identities that are the same person (an ARN and its session e-mail)
    // share the first label that claims a token.
    let mut out = BTreeMap::new();
    let mut n = 0;
    let mut token_owner: BTreeMap<String, String> = BTreeMap::new();
    for h in humans {
        let toks = tokens(&h);
        let existing = toks.iter().find_map(|t| token_owner.get(t).cloned());
        let label = existing.unwrap_or_else(|| {
            n += 1;
            format!("engineer {n}")
        });
        for t in toks {
            token_owner.entry(t).or_insert_with(|| label.clone());
        }
        out.insert(h, label);
    }
    for (t, l) in token_owner {
        out.entry(t).or_insert(l);
    }
    out
}

/// Replace human identities in `v`, in place.
pub fn apply(v: &mut Value) {
    let map = labels(v);
    let mut pairs: Vec<(String, String)> = map.into_iter().collect();
    // Longest first, so an ARN is replaced before the name inside it.
    pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    // Built unless there are too many identities for an automaton.
    let any = aho_corasick::AhoCorasick::new(pairs.iter().map(|p| p.0.as_str())).ok();
    replace_all(v, &pairs, any.as_ref());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn humans_become_stable_labels_and_agents_stay() {
        let mut v = json!({
            "actors": [
                {"id": "arn:aws:iam::1:user/alice", "kind": "human", "on_behalf_of": null},
                {"id": "arn:aws:sts::1:assumed-role/ops-agent/kiro-1", "kind": "agent", "on_behalf_of": "bob@example.com"},
            ],
            "evidence": [{"actor": "arn:aws:iam::1:user/alice"}],
            "summary": ["alice signed in; the agent arn:aws:sts::1:assumed-role/ops-agent/kiro-1 acted for bob@example.com"]
        });
        apply(&mut v);
        let s = v["summary"][0].as_str().unwrap();
        assert!(
            !s.contains("alice") && !s.contains("bob@example.com"),
            "{s}"
        );
        assert!(s.contains("engineer 1") && s.contains("engineer 2"), "{s}");
        assert!(s.contains("assumed-role/ops-agent/kiro-1"));
        assert_eq!(v["actors"][0]["id"], "engineer 1");
    }
}
