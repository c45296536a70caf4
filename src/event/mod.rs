//! The normalized CloudTrail event: one row of the lake.
//!
//! A record is decoded once into [`Event`], whose fields are the lake's
//! columns (see `docs/SCHEMA.md`). Every top-level key of the original record
//! is either modelled faithfully by a column or kept verbatim in `extra`, so
//! that [`schema::reconstruct`] gives back a record equal, as a JSON value,
//! to the original.

pub mod canonical;
pub mod derive;
pub mod scan;
pub mod schema;
pub mod time;

use canonical::Node;
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fmt;

/// One `resources[]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub resource_type: Option<String>,
}

/// A normalized event. Field names are the lake's column names. Text
/// borrows from the record where it can (`Event<'static>` owns all of it).
#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub event_id: Cow<'a, str>,
    pub event_id_synthetic: bool,
    pub event_time: i64,
    pub event_version: Option<Cow<'a, str>>,
    pub event_source: Cow<'a, str>,
    pub event_name: Cow<'a, str>,
    pub aws_region: Option<Cow<'a, str>>,
    pub source_ip_address: Option<Cow<'a, str>>,
    pub user_agent: Option<Cow<'a, str>>,
    pub error_code: Option<Cow<'a, str>>,
    pub error_message: Option<Cow<'a, str>>,
    pub request_id: Option<Cow<'a, str>>,
    pub event_type: Option<Cow<'a, str>>,
    pub api_version: Option<Cow<'a, str>>,
    pub read_only: Option<bool>,
    pub management_event: Option<bool>,
    pub recipient_account_id: Option<Cow<'a, str>>,
    pub shared_event_id: Option<Cow<'a, str>>,
    pub vpc_endpoint_id: Option<Cow<'a, str>>,
    pub vpc_endpoint_account_id: Option<Cow<'a, str>>,
    pub event_category: Option<Cow<'a, str>>,
    pub session_credential_from_console: Option<bool>,
    pub tls_version: Option<Cow<'a, str>>,
    pub tls_cipher_suite: Option<Cow<'a, str>>,
    pub tls_client_provided_host_header: Option<Cow<'a, str>>,
    pub addendum: Option<Cow<'a, str>>,
    pub addendum_reason: Option<Cow<'a, str>>,
    pub addendum_original_event_id: Option<Cow<'a, str>>,
    pub edge_device_details: Option<Cow<'a, str>>,
    pub insight_details: Option<Cow<'a, str>>,
    // userIdentity, flattened
    pub user_identity: Option<Cow<'a, str>>,
    pub identity_type: Option<Cow<'a, str>>,
    pub principal_id: Option<Cow<'a, str>>,
    pub arn: Option<Cow<'a, str>>,
    pub account_id: Option<Cow<'a, str>>,
    pub access_key_id: Option<Cow<'a, str>>,
    pub user_name: Option<Cow<'a, str>>,
    pub invoked_by: Option<Cow<'a, str>>,
    pub identity_provider: Option<Cow<'a, str>>,
    pub session_issuer_type: Option<Cow<'a, str>>,
    pub session_issuer_principal_id: Option<Cow<'a, str>>,
    pub session_issuer_arn: Option<Cow<'a, str>>,
    pub session_issuer_user_name: Option<Cow<'a, str>>,
    pub session_issuer_account_id: Option<Cow<'a, str>>,
    pub web_id_federation_provider: Option<Cow<'a, str>>,
    pub mfa_authenticated: Option<bool>,
    pub session_creation_time: Option<i64>,
    pub source_identity: Option<Cow<'a, str>>,
    pub on_behalf_of_user_id: Option<Cow<'a, str>>,
    pub on_behalf_of_identity_store_arn: Option<Cow<'a, str>>,
    pub in_scope_of: Option<Cow<'a, str>>,
    pub credential_id: Option<Cow<'a, str>>,
    pub resources: Option<Vec<Resource>>,
    pub request_parameters: Option<Cow<'a, str>>,
    pub response_elements: Option<Cow<'a, str>>,
    pub additional_event_data: Option<Cow<'a, str>>,
    pub service_event_details: Option<Cow<'a, str>>,
    pub extra: Option<Cow<'a, str>>,
    // derived facts
    pub partition: Cow<'a, str>,
    pub iam_action: Cow<'a, str>,
    pub is_dry_run: bool,
    pub record_hash: Cow<'a, str>,
    // provenance
    pub source_file: Cow<'a, str>,
    pub source_index: i64,
    pub source_format: Cow<'a, str>,
}

/// Why a record cannot enter the lake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("not a JSON object")]
    NotAnObject,
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error("missing or non-string eventSource")]
    MissingEventSource,
    #[error("missing or non-string eventName")]
    MissingEventName,
    #[error("missing eventTime (and no @timestamp)")]
    MissingTime,
    #[error("eventTime {0:?} is not an ISO 8601 time")]
    BadTime(String),
    #[error(
        "eventTime {0:?} is outside the years 2000 to 9999 (a placeholder, not when something happened)"
    )]
    TimeOutOfRange(String),
    #[error("record of {0} bytes is over the limit of {1} bytes")]
    TooLarge(usize, usize),
}

/// Top-level keys of a record, in order, with their raw JSON text.
struct RawObject<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = RawObject<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(24));
                while let Some(k) = m.next_key::<Cow<'de, str>>()? {
                    let v: &'de RawValue = m.next_value()?;
                    out.push((k, v));
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A record's string field, tolerating nothing: `None` when absent, null or
/// not a string.
fn as_str(t: &str) -> Option<Cow<'_, str>> {
    if !t.starts_with('"') {
        return None;
    }
    // A raw value is exactly its token, already checked: a string token
    // without escapes is its own value.
    match t.get(1..t.len() - 1) {
        Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
        _ => serde_json::from_str::<String>(t).ok().map(Cow::Owned),
    }
}

/// A boolean, tolerating the string forms CloudTrail and exports use.
fn tolerant_bool(v: &Node<'_>) -> Option<bool> {
    match v {
        Node::Bool(b) => Some(*b),
        Node::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `node` reads as the JSON object of exactly the given string
/// members (a `None` one absent), duplicated keys read as JSON parsers do:
/// whether the columns rebuild a member, without building either side as
/// a `Value`.
fn is_string_object(node: &Node<'_>, fields: &[(&str, Option<&str>)]) -> bool {
    let Node::Obj(members) = node else {
        return false;
    };
    members
        .iter()
        .all(|(k, _)| fields.iter().any(|(f, v)| f == k && v.is_some()))
        && fields.iter().all(|(f, v)| {
            v.is_none_or(|want| matches!(node.get(f), Some(Node::Str(s)) if s == want))
        })
}

/// A scalar at `path` as text, borrowed from the record where it is a
/// string.
fn value_str<'a>(v: &Node<'a>, path: &[&str]) -> Option<Cow<'a, str>> {
    match v.at(path)? {
        Node::Str(s) => Some(s.clone()),
        other => other.scalar_text().map(Cow::Owned),
    }
}

/// The canonical form of a JSON value: keys sorted, no whitespace. Two
/// records are "equal as JSON values" exactly when their canonical forms are.
pub fn canonical_json(raw: &str) -> Result<String, serde_json::Error> {
    let mut out = String::new();
    canonical::write_canonical_text(raw, &mut out)?;
    Ok(out)
}

/// Hash of the canonical form, hex (128 bits).
pub fn record_hash(canonical: &str) -> String {
    let d = Sha256::digest(canonical.as_bytes());
    hex::encode(&d[..16])
}

/// Where a record came from, for provenance columns.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub source_file: &'a str,
    pub source_index: i64,
    pub source_format: &'a str,
}

/// Limits applied to single records.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// Decode and validate one record.
pub fn normalize<'a>(
    raw: &'a str,
    origin: Origin<'a>,
    max_bytes: usize,
) -> Result<Event<'a>, RecordError> {
    if raw.len() > max_bytes {
        return Err(RecordError::TooLarge(raw.len(), max_bytes));
    }
    let trimmed = raw.trim_start();
    if !trimmed.starts_with('{') {
        return Err(RecordError::NotAnObject);
    }
    // Members, the hash's canonical form and the trees of TREE_MEMBERS in
    // one pass where the scanner takes the record; otherwise serde_json
    // reads it twice (members, then the canonical form) and each tree is
    // parsed when read. No tree of the whole record is built.
    let (record_hash, scanned) = match canonical::hash_and_members(raw, TREE_MEMBERS) {
        Some(scanned) => scanned,
        None => {
            let invalid = |e: serde_json::Error| RecordError::InvalidJson(e.to_string());
            let obj: RawObject<'_> = serde_json::from_str(raw).map_err(invalid)?;
            let hash = canonical::hash_text(raw).map_err(invalid)?;
            let members = obj.0.into_iter().map(|(k, v)| (k, v.get())).collect();
            (
                hash,
                scan::Scanned {
                    members,
                    ..Default::default()
                },
            )
        }
    };

    let mut ev = Event {
        record_hash: Cow::Owned(record_hash),
        source_file: Cow::Borrowed(origin.source_file),
        source_index: origin.source_index,
        source_format: Cow::Borrowed(origin.source_format),
        ..Event::default()
    };
    // Keys kept verbatim because no column holds them faithfully.
    let mut extra: Vec<(&str, &str)> = Vec::new();
    let mut event_time_raw: Option<&str> = None;
    let mut timestamp_raw: Option<&str> = None;
    let mut have_source = false;
    let mut have_name = false;
    let mut event_id: Option<Cow<'a, str>> = None;

    // The last occurrence of a duplicated key wins, as in serde_json's Value
    // and the record hash: earlier ones are dropped before anything reads
    // them, so no column or `extra` entry can hold a value the record lost.
    // A member is parsed into a tree only where its structure is read.
    for (index, key, raw) in last_occurrences(&scanned.members) {
        let key: &str = key.as_ref();
        let tree = || match scanned.tree(index) {
            Some(built) => Ok(Cow::Borrowed(built)),
            None => canonical::parse(raw)
                .map(Cow::Owned)
                .map_err(|e| RecordError::InvalidJson(e.to_string())),
        };
        macro_rules! string_col {
            ($field:ident) => {{
                match as_str(raw) {
                    Some(s) => ev.$field = Some(s),
                    None => {
                        ev.$field = tolerant_string(&*tree()?);
                        extra.push((key, raw));
                    }
                }
            }};
        }
        macro_rules! bool_col {
            ($field:ident) => {{
                match raw {
                    "true" => ev.$field = Some(true),
                    "false" => ev.$field = Some(false),
                    _ => {
                        ev.$field = tolerant_bool(&*tree()?);
                        extra.push((key, raw));
                    }
                }
            }};
        }
        macro_rules! json_col {
            ($field:ident) => {{
                ev.$field = Some(Cow::Borrowed(raw));
            }};
        }
        match key {
            "eventVersion" => string_col!(event_version),
            "eventSource" => match as_str(raw) {
                Some(s) => {
                    ev.event_source = s;
                    have_source = true;
                }
                None => extra.push((key, raw)),
            },
            "eventName" => match as_str(raw) {
                Some(s) => {
                    ev.event_name = s;
                    have_name = true;
                }
                None => extra.push((key, raw)),
            },
            "eventTime" => event_time_raw = Some(raw),
            "@timestamp" => {
                timestamp_raw = Some(raw);
                extra.push((key, raw));
            }
            "eventID" => match as_str(raw) {
                Some(s) => event_id = Some(s),
                None => extra.push((key, raw)),
            },
            "awsRegion" => string_col!(aws_region),
            "sourceIPAddress" => string_col!(source_ip_address),
            "userAgent" => string_col!(user_agent),
            "errorCode" => string_col!(error_code),
            "errorMessage" => string_col!(error_message),
            "requestID" => string_col!(request_id),
            "eventType" => string_col!(event_type),
            "apiVersion" => string_col!(api_version),
            "recipientAccountId" => string_col!(recipient_account_id),
            "sharedEventID" => string_col!(shared_event_id),
            "vpcEndpointId" => string_col!(vpc_endpoint_id),
            "vpcEndpointAccountId" => string_col!(vpc_endpoint_account_id),
            "eventCategory" => string_col!(event_category),
            "readOnly" => bool_col!(read_only),
            "managementEvent" => bool_col!(management_event),
            "sessionCredentialFromConsole" => bool_col!(session_credential_from_console),
            "requestParameters" => json_col!(request_parameters),
            "responseElements" => json_col!(response_elements),
            "additionalEventData" => json_col!(additional_event_data),
            "serviceEventDetails" => json_col!(service_event_details),
            "edgeDeviceDetails" => json_col!(edge_device_details),
            "insightDetails" => json_col!(insight_details),
            "addendum" => {
                json_col!(addendum);
                let node = &*tree()?;
                ev.addendum_reason = value_str(node, &["reason"]);
                ev.addendum_original_event_id = value_str(node, &["originalEventID"]);
            }
            "userIdentity" => {
                json_col!(user_identity);
                flatten_identity(&mut ev, &*tree()?);
            }
            "tlsDetails" => {
                let node = &*tree()?;
                ev.tls_version = value_str(node, &["tlsVersion"]);
                ev.tls_cipher_suite = value_str(node, &["cipherSuite"]);
                ev.tls_client_provided_host_header = value_str(node, &["clientProvidedHostHeader"]);
                let columns = schema::tls_members(&ev);
                // As `schema::tls_value` rebuilds it: no columns, no object.
                let rebuilds =
                    columns.iter().any(|(_, v)| v.is_some()) && is_string_object(node, &columns);
                if !rebuilds {
                    extra.push((key, raw));
                }
            }
            "resources" => {
                let node = &*tree()?;
                ev.resources = resources_of(node);
                // As `schema::resources_value` rebuilds it.
                let rebuilds = match (node, &ev.resources) {
                    (Node::Arr(items), Some(rs)) => {
                        items.len() == rs.len()
                            && items.iter().zip(rs).all(|(item, r)| {
                                is_string_object(item, &schema::resource_members(r))
                            })
                    }
                    _ => false,
                };
                if !rebuilds {
                    extra.push((key, raw));
                }
            }
            _ => extra.push((key, raw)),
        }
    }

    if !have_source {
        return Err(RecordError::MissingEventSource);
    }
    if !have_name {
        return Err(RecordError::MissingEventName);
    }
    let time_raw = event_time_raw
        .or(timestamp_raw)
        .ok_or(RecordError::MissingTime)?;
    let time_text = as_str(time_raw)
        .ok_or_else(|| RecordError::BadTime(time_raw.chars().take(64).collect()))?;
    let t = match time::parse_record_time(&time_text) {
        Some(t) => t,
        None if time::parse_event_time(&time_text).is_some() => {
            return Err(RecordError::TimeOutOfRange(
                time_text.chars().take(64).collect(),
            ));
        }
        None => return Err(RecordError::BadTime(time_text.chars().take(64).collect())),
    };
    ev.event_time = time::to_micros(&t);
    if let Some(raw) = event_time_raw {
        // Keep the original spelling when CloudTrail's form of the time as
        // stored (in microseconds: a finer fraction is cut) would differ.
        let stored = time::from_micros(ev.event_time).map(|s| time::format_event_time(&s));
        if stored.as_deref() != Some(time_text.as_ref()) {
            extra.push(("eventTime", raw));
        }
    } else {
        // Marks that the record had no eventTime of its own.
        extra.push(("eventTime", "null"));
    }

    match event_id {
        Some(id) => ev.event_id = id,
        None => {
            ev.event_id = Cow::Owned(format!("synthetic-{}", ev.record_hash));
            ev.event_id_synthetic = true;
        }
    }

    ev.iam_action = Cow::Owned(derive::iam_action(&ev.event_source, &ev.event_name));
    ev.is_dry_run = derive::is_dry_run(ev.error_code.as_deref());
    ev.partition = Cow::Owned(
        [ev.arn.as_deref(), ev.session_issuer_arn.as_deref()]
            .into_iter()
            .flatten()
            .find_map(derive::arn_partition)
            .map(str::to_string)
            .unwrap_or_else(|| {
                derive::region_partition(ev.aws_region.as_deref().unwrap_or("")).to_string()
            }),
    );

    if !extra.is_empty() {
        ev.extra = Some(Cow::Owned(extra_json(&extra)));
    }
    Ok(ev)
}

/// The members [`normalize`] reads as trees: the scanner builds them in its
/// one pass over the record.
const TREE_MEMBERS: &[&str] = &["userIdentity", "tlsDetails", "resources", "addendum"];

/// The members of an object with only the last occurrence of each key, in
/// order, with their indices.
fn last_occurrences<'o, 'a>(
    pairs: &'o [(Cow<'a, str>, &'a str)],
) -> impl Iterator<Item = (usize, &'o Cow<'a, str>, &'a str)> {
    let keep: Vec<bool> = if pairs.len() <= 48 {
        // A record has a few dozen keys: comparing them beats hashing them.
        (0..pairs.len())
            .map(|i| !pairs[i + 1..].iter().any(|(k, _)| *k == pairs[i].0))
            .collect()
    } else {
        let mut seen = std::collections::HashSet::with_capacity(pairs.len());
        let mut keep: Vec<bool> = pairs
            .iter()
            .rev()
            .map(|(k, _)| seen.insert(k.as_ref()))
            .collect();
        keep.reverse();
        keep
    };
    pairs
        .iter()
        .zip(keep)
        .enumerate()
        .filter(|(_, (_, k))| *k)
        .map(|(i, ((k, v), _))| (i, k, *v))
}

/// A string column's best reading of a non-string value (numbers, bools);
/// the original stays in `extra`.
fn tolerant_string<'a>(v: &Node<'_>) -> Option<Cow<'a, str>> {
    match v {
        Node::Num(_) | Node::Bool(_) => v.scalar_text().map(Cow::Owned),
        _ => None,
    }
}

/// `{"key": raw, ...}` keeping every value's original bytes. A later key
/// replaces an earlier one of the same name, as JSON parsers do.
fn extra_json(pairs: &[(&str, &str)]) -> String {
    let mut seen: std::collections::HashSet<&str> =
        std::collections::HashSet::with_capacity(pairs.len());
    let mut out = String::from("{");
    for (k, v) in pairs.iter().rev() {
        if !seen.insert(k) {
            continue;
        }
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(k).unwrap_or_default());
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    out
}

fn resources_of(v: &Node<'_>) -> Option<Vec<Resource>> {
    let Node::Arr(arr) = v else {
        return None;
    };
    Some(
        arr.iter()
            .map(|r| Resource {
                arn: value_str(r, &["ARN"])
                    .or_else(|| value_str(r, &["arn"]))
                    .map(Cow::into_owned),
                account_id: value_str(r, &["accountId"]).map(Cow::into_owned),
                resource_type: value_str(r, &["type"]).map(Cow::into_owned),
            })
            .collect(),
    )
}

fn flatten_identity<'a>(ev: &mut Event<'a>, ui: &Node<'a>) {
    ev.identity_type = value_str(ui, &["type"]);
    ev.principal_id = value_str(ui, &["principalId"]);
    ev.arn = value_str(ui, &["arn"]);
    ev.account_id = value_str(ui, &["accountId"]);
    ev.access_key_id = value_str(ui, &["accessKeyId"]);
    ev.user_name = value_str(ui, &["userName"]);
    ev.invoked_by = value_str(ui, &["invokedBy"]);
    ev.identity_provider = value_str(ui, &["identityProvider"]);
    ev.credential_id = value_str(ui, &["credentialId"]);
    let si = ["sessionContext", "sessionIssuer"];
    ev.session_issuer_type = value_str(ui, &[si[0], si[1], "type"]);
    ev.session_issuer_principal_id = value_str(ui, &[si[0], si[1], "principalId"]);
    ev.session_issuer_arn = value_str(ui, &[si[0], si[1], "arn"]);
    ev.session_issuer_user_name = value_str(ui, &[si[0], si[1], "userName"]);
    ev.session_issuer_account_id = value_str(ui, &[si[0], si[1], "accountId"]);
    ev.web_id_federation_provider = value_str(
        ui,
        &["sessionContext", "webIdFederationData", "federatedProvider"],
    );
    ev.mfa_authenticated = ui
        .at(&["sessionContext", "attributes", "mfaAuthenticated"])
        .and_then(tolerant_bool);
    ev.session_creation_time = value_str(ui, &["sessionContext", "attributes", "creationDate"])
        .and_then(|s| time::parse_record_time(&s))
        .map(|t| time::to_micros(&t));
    ev.source_identity = value_str(ui, &["sessionContext", "sourceIdentity"])
        .or_else(|| value_str(ui, &["sourceIdentity"]));
    ev.on_behalf_of_user_id = value_str(ui, &["onBehalfOf", "userId"]);
    ev.on_behalf_of_identity_store_arn = value_str(ui, &["onBehalfOf", "identityStoreArn"]);
    ev.in_scope_of = ui
        .get("inScopeOf")
        .map(|v| Cow::Owned(v.to_value().to_string()));
}

/// Parse a JSON text into a `Map`, for callers that need an object.
pub fn object_of(text: &str) -> Option<Map<String, Value>> {
    match canonical::parse_value(text).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin<'static> {
        Origin {
            source_file: "f.json",
            source_index: 0,
            source_format: "single",
        }
    }

    #[test]
    fn valid_record_round_trips() {
        let raw = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws-cn:sts::1:assumed-role/r/s","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2024-01-01T00:00:00Z"},"sessionIssuer":{"type":"Role","arn":"arn:aws-cn:iam::1:role/r"}}},"eventTime":"2024-01-01T00:00:01Z","eventSource":"lambda.amazonaws.com","eventName":"DeleteFunction20150331","awsRegion":"cn-north-1","readOnly":"false","requestParameters":{"functionName":"f"},"responseElements":null,"eventID":"e1","resources":[{"ARN":"a","accountId":"1","type":"t"}],"odd":[1,2]}"#;
        let ev = normalize(raw, origin(), 1 << 20).unwrap();
        assert_eq!(ev.iam_action, "lambda:DeleteFunction");
        assert_eq!(ev.partition, "aws-cn");
        assert_eq!(ev.read_only, Some(false));
        assert_eq!(ev.mfa_authenticated, Some(false));
        assert_eq!(ev.response_elements.as_deref(), Some("null"));
        let back = schema::reconstruct(&ev);
        let orig: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(Value::Object(back), orig);
    }

    #[test]
    fn canonical_form_ignores_key_order_and_whitespace() {
        let a =
            canonical_json(r#"{"b": {"y": 1, "x": [2, {"q": 1, "p": 2}]}, "a": null}"#).unwrap();
        let b = canonical_json(r#"{"a":null,"b":{"x":[2,{"p":2,"q":1}],"y":1}}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":null,"b":{"x":[2,{"p":2,"q":1}],"y":1}}"#);
        assert_ne!(
            record_hash(&a),
            record_hash(&canonical_json(r#"{"a":1}"#).unwrap())
        );
    }

    #[test]
    fn invalid_records_say_why() {
        let o = origin();
        assert_eq!(
            normalize("[1]", o, 100).unwrap_err(),
            RecordError::NotAnObject
        );
        assert_eq!(
            normalize(
                r#"{"eventName":"x","eventTime":"2024-01-01T00:00:00Z"}"#,
                o,
                1000
            )
            .unwrap_err(),
            RecordError::MissingEventSource
        );
        assert!(matches!(
            normalize(
                r#"{"eventSource":"s","eventName":"x","eventTime":"redacted"}"#,
                o,
                1000
            )
            .unwrap_err(),
            RecordError::BadTime(_)
        ));
        assert!(matches!(
            normalize(r#"{"eventSource":"s","eventName":"x"}"#, o, 1000).unwrap_err(),
            RecordError::MissingTime
        ));
    }

    #[test]
    fn duplicated_keys_keep_the_last_value_whatever_its_type() {
        let raw = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"0000-01-01T00:00:00Z","eventTime":"2024-05-01T10:00:00Z","readOnly":"maybe","readOnly":true,"awsRegion":7,"awsRegion":"eu-west-1","x":1,"x":[2]}"#;
        let ev = normalize(raw, origin(), 1 << 20).unwrap();
        assert_eq!(ev.read_only, Some(true));
        assert_eq!(ev.aws_region.as_deref(), Some("eu-west-1"));
        let want: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(Value::Object(schema::reconstruct(&ev)), want);
        assert_eq!(ev.record_hash, record_hash(&canonical_json(raw).unwrap()));
    }

    /// Keys are matched in linear time: a record of 200k keys (hostile, but
    /// under the size limit) takes well under a second, not hours.
    #[test]
    fn a_record_with_many_keys_is_linear() {
        let mut raw = String::from(
            r#"{"eventSource":"s","eventName":"n","eventTime":"2024-01-01T00:00:00Z""#,
        );
        for i in 0..200_000 {
            raw.push_str(&format!(",\"k{i}\":{i}"));
        }
        raw.push_str(r#","k7":"last"}"#);
        let t = std::time::Instant::now();
        let ev = normalize(&raw, origin(), 1 << 26).unwrap();
        assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
        let extra: Value = serde_json::from_str(ev.extra.as_deref().unwrap()).unwrap();
        assert_eq!(extra.as_object().unwrap().len(), 200_000);
        assert_eq!(extra["k7"], "last");
    }

    #[test]
    fn a_time_finer_than_microseconds_keeps_its_spelling() {
        let raw =
            r#"{"eventSource":"s","eventName":"n","eventTime":"2000-01-01T00:00:00.000000001Z"}"#;
        let ev = normalize(raw, origin(), 1000).unwrap();
        let want: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(Value::Object(schema::reconstruct(&ev)), want);
    }

    #[test]
    fn a_record_time_before_2000_is_rejected() {
        let raw = r#"{"eventSource":"s","eventName":"n","eventTime":"0000-01-01T00:00:00Z"}"#;
        assert!(matches!(
            normalize(raw, origin(), 1000).unwrap_err(),
            RecordError::TimeOutOfRange(_)
        ));
    }

    #[test]
    fn synthetic_ids_are_deterministic_and_logstash_time_is_used() {
        let raw = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","@timestamp":"2020-09-14T01:19:40.123Z"}"#;
        let a = normalize(raw, origin(), 1000).unwrap();
        let b = normalize(raw, origin(), 1000).unwrap();
        assert!(a.event_id_synthetic);
        assert_eq!(a.event_id, b.event_id);
        let back = schema::reconstruct(&a);
        assert_eq!(
            Value::Object(back),
            serde_json::from_str::<Value>(raw).unwrap()
        );
    }
}
