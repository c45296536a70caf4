//! The SQL query library in `queries/`: named files with a machine-readable
//! header (see queries/README.md), shared by `backtrail query` and the
//! analyses.

use std::collections::BTreeMap;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/queries.rs"));

/// A parameter's type, which decides how its value is written into SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    Timestamp,
    String,
    Int,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: ParamType,
    pub default: String,
}

/// One query of the library (or a file or inline SQL given by the user).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub name: String,
    pub description: String,
    pub params: Vec<Param>,
    pub returns: String,
    pub sql: String,
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("query {query}: bad header line {line:?}: {why}")]
    Header {
        query: String,
        line: String,
        why: String,
    },
    #[error("query {query}: unknown parameter {param:?} (it takes: {known})")]
    UnknownParam {
        query: String,
        param: String,
        known: String,
    },
    #[error("query {query}: parameter {param} = {value:?} is not {expected}")]
    BadValue {
        query: String,
        param: String,
        value: String,
        expected: &'static str,
    },
    #[error("no query named {0:?} in the library; `backtrail query --list` lists them")]
    NotFound(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Parse a query file's text.
pub fn parse(name: &str, text: &str) -> Result<Query, QueryError> {
    let mut q = Query {
        name: name.to_string(),
        description: String::new(),
        params: Vec::new(),
        returns: String::new(),
        sql: text.to_string(),
    };
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("--") else {
            if line.trim().is_empty() {
                continue;
            }
            break;
        };
        let rest = rest.trim();
        let bad = |why: &str| QueryError::Header {
            query: name.to_string(),
            line: line.to_string(),
            why: why.to_string(),
        };
        if let Some(v) = rest.strip_prefix("name:") {
            q.name = v.trim().to_string();
        } else if let Some(v) = rest.strip_prefix("description:") {
            q.description = v.trim().to_string();
        } else if let Some(v) = rest.strip_prefix("returns:") {
            q.returns = v.trim().to_string();
        } else if let Some(v) = rest.strip_prefix("param:") {
            let (decl, default) = v
                .split_once('=')
                .ok_or_else(|| bad("expected `param: NAME TYPE = DEFAULT`"))?;
            let mut it = decl.split_whitespace();
            let pname = it.next().ok_or_else(|| bad("missing parameter name"))?;
            let ty = match it.next() {
                Some("timestamp") => ParamType::Timestamp,
                Some("string") => ParamType::String,
                Some("int") => ParamType::Int,
                _ => return Err(bad("type must be timestamp, string or int")),
            };
            q.params.push(Param {
                name: pname.to_string(),
                ty,
                default: default.trim().to_string(),
            });
        }
    }
    Ok(q)
}

/// The library: embedded at build time, or read from `dir` when given (so
/// users can adjust the queries the analyses run).
pub fn library(dir: Option<&Path>) -> Result<BTreeMap<String, Query>, QueryError> {
    let mut out = BTreeMap::new();
    match dir {
        None => {
            for (stem, text) in EMBEDDED {
                let q = parse(stem, text)?;
                out.insert(q.name.clone(), q);
            }
        }
        Some(d) => {
            let rd = std::fs::read_dir(d).map_err(|source| QueryError::Io {
                path: d.display().to_string(),
                source,
            })?;
            let mut paths: Vec<_> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).map_err(|source| QueryError::Io {
                    path: p.display().to_string(),
                    source,
                })?;
                let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                let q = parse(stem, &text)?;
                out.insert(q.name.clone(), q);
            }
        }
    }
    Ok(out)
}

/// A library query by name.
pub fn get(dir: Option<&Path>, name: &str) -> Result<Query, QueryError> {
    // The file named like the query first, so one broken file elsewhere in
    // the library does not stop the others.
    if dir.is_none() {
        if let Some((stem, text)) = EMBEDDED.iter().find(|(stem, _)| *stem == name) {
            return parse(stem, text);
        }
    }
    library(dir)?
        .remove(name)
        .ok_or_else(|| QueryError::NotFound(name.to_string()))
}

/// Write a value as a SQL literal of the parameter's type.
fn literal(q: &Query, p: &Param, value: &str) -> Result<String, QueryError> {
    let bad = |expected| QueryError::BadValue {
        query: q.name.clone(),
        param: p.name.clone(),
        value: value.to_string(),
        expected,
    };
    Ok(match p.ty {
        ParamType::Int => {
            let n: i64 = value.trim().parse().map_err(|_| bad("an integer"))?;
            n.to_string()
        }
        ParamType::String => format!("'{}'", value.replace('\'', "''")),
        ParamType::Timestamp => {
            let t = crate::event::time::parse_event_time(value)
                .ok_or_else(|| bad("an ISO 8601 time such as 2026-03-10T01:30:00Z"))?;
            // The one form every engine casts: UTC, a space, no zone.
            format!("'{}'", t.format("%Y-%m-%d %H:%M:%S%.6f"))
        }
    })
}

/// The query's SQL with `:name` parameters replaced by literals: the given
/// values, else the header's defaults.
pub fn bind(q: &Query, values: &[(String, String)]) -> Result<String, QueryError> {
    for (k, _) in values {
        if !q.params.iter().any(|p| &p.name == k) {
            return Err(QueryError::UnknownParam {
                query: q.name.clone(),
                param: k.clone(),
                known: q
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }
    let mut lits: BTreeMap<&str, String> = BTreeMap::new();
    for p in &q.params {
        let v = values
            .iter()
            .rev()
            .find(|(k, _)| k == &p.name)
            .map(|(_, v)| v.as_str())
            .unwrap_or(&p.default);
        lits.insert(&p.name, literal(q, p, v)?);
    }
    Ok(substitute(&q.sql, &lits))
}

/// Replace `:name` outside string literals and comments; `::` casts stay.
fn substitute(sql: &str, lits: &BTreeMap<&str, String>) -> String {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b':' if b.get(i + 1) == Some(&b':') => i += 2,
            b':' if i == 0 || b[i - 1] != b':' => {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                match lits.get(&sql[start..end]) {
                    Some(lit) if end > start => {
                        out.push_str(&sql[last..i]);
                        out.push_str(lit);
                        last = end;
                        i = end;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[last.min(sql.len())..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: &str = "-- name: demo\n-- description: Demo.\n-- param: from timestamp = 2020-01-01T00:00:00Z\n-- param: who string = %\n-- param: n int = 5\n-- returns: a\nSELECT ':from' AS lit, x::int FROM events -- :who\nWHERE t >= CAST(:from AS TIMESTAMP) AND p LIKE :who LIMIT :n";

    #[test]
    fn header_and_binding() {
        let q = parse("demo", Q).unwrap();
        assert_eq!(q.params.len(), 3);
        let sql = bind(&q, &[("who".into(), "o'brien".into())]).unwrap();
        assert!(
            sql.contains("CAST('2020-01-01 00:00:00.000000' AS TIMESTAMP)"),
            "{sql}"
        );
        assert!(sql.contains("LIKE 'o''brien'"), "{sql}");
        assert!(sql.contains("LIMIT 5"));
        assert!(sql.contains("SELECT ':from' AS lit, x::int"), "{sql}");
        assert!(sql.contains("-- :who"), "{sql}");
    }

    #[test]
    fn bad_parameters_are_named() {
        let q = parse("demo", Q).unwrap();
        let e = bind(&q, &[("nope".into(), "1".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("nope") && e.contains("from, who, n"), "{e}");
        let e = bind(&q, &[("n".into(), "1; DROP".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("integer"), "{e}");
        let e = bind(&q, &[("from".into(), "yesterday".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("ISO 8601"), "{e}");
    }
}
