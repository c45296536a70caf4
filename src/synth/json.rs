//! A JSON writer with a fixed key order, so output bytes do not depend on
//! whether serde_json preserves insertion order (a feature other crates in the
//! build may switch on).
//!
//! Record fields come in the order CloudTrail itself writes them; nested
//! objects with a well-known layout (userIdentity, sessionContext, ...) follow
//! that layout too; everything else is sorted by key.

use serde_json::Value;

/// Top-level order of a CloudTrail record, as AWS delivers it.
const RECORD_ORDER: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "tlsDetails",
    "sessionCredentialFromConsole",
];

const USER_IDENTITY_ORDER: &[&str] = &[
    "type",
    "principalId",
    "arn",
    "accountId",
    "accessKeyId",
    "userName",
    "sessionContext",
    "invokedBy",
    "identityProvider",
];

const SESSION_CONTEXT_ORDER: &[&str] = &[
    "sessionIssuer",
    "webIdFederationData",
    "attributes",
    "sourceIdentity",
    "ec2RoleDelivery",
];

const SESSION_ISSUER_ORDER: &[&str] = &["type", "principalId", "arn", "accountId", "userName"];
const ATTRIBUTES_ORDER: &[&str] = &["creationDate", "mfaAuthenticated"];
const TLS_ORDER: &[&str] = &["tlsVersion", "cipherSuite", "clientProvidedHostHeader"];

fn order_for(parent: &str) -> Option<&'static [&'static str]> {
    match parent {
        "" => Some(RECORD_ORDER),
        "userIdentity" => Some(USER_IDENTITY_ORDER),
        "sessionContext" => Some(SESSION_CONTEXT_ORDER),
        "sessionIssuer" => Some(SESSION_ISSUER_ORDER),
        "attributes" => Some(ATTRIBUTES_ORDER),
        "tlsDetails" => Some(TLS_ORDER),
        _ => None,
    }
}

/// Keys of `map` in output order: the known layout first, the rest sorted.
fn ordered_keys<'a>(parent: &str, map: &'a serde_json::Map<String, Value>) -> Vec<&'a String> {
    let mut keys: Vec<&String> = map.keys().collect();
    let layout = order_for(parent);
    keys.sort_by(|a, b| {
        let rank = |k: &str| {
            layout
                .and_then(|l| l.iter().position(|x| *x == k))
                .unwrap_or(usize::MAX)
        };
        rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
    });
    keys
}

fn write_str(out: &mut String, s: &str) {
    // serde_json's string escaping is stable and exactly what we want.
    out.push_str(&serde_json::to_string(s).expect("strings always serialize"));
}

/// Compact JSON of one CloudTrail record (the top level uses CloudTrail's order).
pub(crate) fn write_record(out: &mut String, value: &Value) {
    write_compact(out, "", value);
}

fn write_compact(out: &mut String, parent: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (i, key) in ordered_keys(parent, map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_compact(out, key, &map[key.as_str()]);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, parent, item);
            }
            out.push(']');
        }
        Value::String(s) => write_str(out, s),
        other => out.push_str(&other.to_string()),
    }
}

/// Pretty JSON with 4-space indentation and sorted keys, the way
/// `aws ... --output json | jq -S --indent 4` prints it.
pub(crate) fn to_pretty_sorted(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(&mut out, value, 0);
    out.push('\n');
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

fn write_pretty(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                indent(out, level + 1);
                write_str(out, key);
                out.push_str(": ");
                write_pretty(out, &map[key.as_str()], level + 1);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, level + 1);
                write_pretty(out, item, level + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        Value::String(s) => write_str(out, s),
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_keys_follow_cloudtrail_order() {
        let v = json!({"eventID": "x", "eventVersion": "1.08", "zzz": 1, "awsRegion": "r"});
        let mut s = String::new();
        write_record(&mut s, &v);
        assert_eq!(
            s,
            r#"{"eventVersion":"1.08","awsRegion":"r","eventID":"x","zzz":1}"#
        );
    }

    #[test]
    fn nested_unknown_objects_are_sorted() {
        let v = json!({"requestParameters": {"b": 1, "a": [{"d": 1, "c": 2}]}});
        let mut s = String::new();
        write_record(&mut s, &v);
        assert_eq!(s, r#"{"requestParameters":{"a":[{"c":2,"d":1}],"b":1}}"#);
    }
}
