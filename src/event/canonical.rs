//! The canonical form of a JSON text (the record hash's input), and a
//! borrowed tree for reading nested fields.
//!
//! [`write_canonical_text`] writes the canonical form while serde_json reads
//! the text, without building a tree; [`Node`] is the tree, for the members
//! whose structure is read. In both, strings without escapes borrow from
//! the input and objects are plain vectors: no map is built, no key is
//! hashed. The canonical form is the one `serde_json::Value` would give with
//! its keys sorted: keys in bytewise order, the last of duplicated keys
//! wins, numbers as `serde_json::Number` prints them, strings escaped as
//! `serde_json` escapes them, no whitespace. It is parsed by `serde_json`
//! itself, so what it accepts and its nesting limit are those of `Value`.

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// A JSON value borrowing its strings where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Num(Number),
    Str(Cow<'a, str>),
    Arr(Vec<Node<'a>>),
    /// Members in input order, duplicates included.
    Obj(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Node<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Node<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E>(self) -> Result<Node<'a>, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node<'a>, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Node<'a>, E> {
                Ok(Node::Bool(b))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Node<'a>, E> {
                Ok(Node::Num(n.into()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Node<'a>, E> {
                Ok(Node::Num(n.into()))
            }
            fn visit_f64<E>(self, f: f64) -> Result<Node<'a>, E> {
                // As `Value` does: a float JSON cannot hold becomes null.
                Ok(Number::from_f64(f).map_or(Node::Null, Node::Num))
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'a>, E> {
                Ok(Node::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Node<'a>, E> {
                Ok(Node::Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Node<'a>, E> {
                Ok(Node::Str(Cow::Owned(s)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node<'a>, A::Error> {
                let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
                while let Some(x) = a.next_element::<Node<'a>>()? {
                    out.push(x);
                }
                Ok(Node::Arr(out))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Node<'a>, M::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(0).min(64));
                while let Some(k) = m.next_key_seed(Key)? {
                    let v = m.next_value::<Node<'a>>()?;
                    out.push((k, v));
                }
                Ok(Node::Obj(out))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// An object key, borrowed from the input unless it holds escapes.
/// (`Cow<str>`'s own `Deserialize` always allocates.)
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Borrowed(s))
            }
            fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(s))
            }
        }
        d.deserialize_str(V)
    }
}

/// Writes the canonical form of the value it reads, as it reads it: no tree
/// is built. Each object's members are written in input order, each as
/// `"key":value`, then put in key order in place (through `scratch`) when
/// they are not in order already.
struct Canon<'o> {
    out: &'o mut String,
    scratch: &'o mut String,
}

impl Canon<'_> {
    fn reborrow(&mut self) -> Canon<'_> {
        Canon {
            out: self.out,
            scratch: self.scratch,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Canon<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Canon<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }
    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.out.push_str(if b { "true" } else { "false" });
        Ok(())
    }
    fn visit_u64<E>(self, n: u64) -> Result<(), E> {
        Node::Num(n.into()).write_canonical(self.out);
        Ok(())
    }
    fn visit_i64<E>(self, n: i64) -> Result<(), E> {
        Node::Num(n.into()).write_canonical(self.out);
        Ok(())
    }
    fn visit_f64<E>(self, f: f64) -> Result<(), E> {
        Number::from_f64(f)
            .map_or(Node::Null, Node::Num)
            .write_canonical(self.out);
        Ok(())
    }
    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        write_str(s, self.out);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut a: A) -> Result<(), A::Error> {
        self.out.push('[');
        let mut n = 0usize;
        loop {
            let mark = self.out.len();
            if n > 0 {
                self.out.push(',');
            }
            if a.next_element_seed(self.reborrow())?.is_none() {
                self.out.truncate(mark);
                break;
            }
            n += 1;
        }
        self.out.push(']');
        Ok(())
    }
    fn visit_map<M: MapAccess<'de>>(mut self, mut m: M) -> Result<(), M::Error> {
        self.out.push('{');
        let body = self.out.len();
        // (key, where its member starts and ends in `out`).
        let mut members: Vec<(Cow<'de, str>, usize, usize)> = Vec::new();
        while let Some(k) = m.next_key_seed(Key)? {
            if !members.is_empty() {
                self.out.push(',');
            }
            let start = self.out.len();
            write_str(&k, self.out);
            self.out.push(':');
            m.next_value_seed(self.reborrow())?;
            members.push((k, start, self.out.len()));
        }
        put_in_key_order(self.out, self.scratch, body, &mut members);
        self.out.push('}');
        Ok(())
    }
}

/// Put an object's members, written into `out` from `body` on in input
/// order (each `"key":value`, at the given start and end in `out`, joined
/// by commas), in bytewise key order in place, through `scratch`. Among
/// duplicated keys only the last member is kept, as `serde_json::Value`
/// keeps it.
pub(super) fn put_in_key_order(
    out: &mut String,
    scratch: &mut String,
    body: usize,
    members: &mut [(Cow<'_, str>, usize, usize)],
) {
    let in_order = members
        .windows(2)
        .all(|w| w[0].0.as_bytes() < w[1].0.as_bytes());
    if in_order {
        return;
    }
    // Stable: among equal keys the later member sorts last, and only that
    // one is written.
    members.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let at = scratch.len();
    scratch.push_str(&out[body..]);
    out.truncate(body);
    let mut first = true;
    for (pos, (key, start, end)) in members.iter().enumerate() {
        if members.get(pos + 1).is_some_and(|next| next.0 == *key) {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&scratch[at + start - body..at + end - body]);
    }
    scratch.truncate(at);
}

/// The canonical form of a JSON text, written into `out`, without building
/// a tree: the same text as [`Node::canonical`] of [`parse`], and the same
/// errors (it is parsed by the same parser, with the same nesting limit).
pub fn write_canonical_text(text: &str, out: &mut String) -> Result<(), serde_json::Error> {
    let mut scratch = crate::scratch::take(&SCRATCH);
    let r = write_with(text, out, &mut scratch);
    crate::scratch::keep(&SCRATCH, scratch, KEEP_BYTES);
    r
}

fn write_with(text: &str, out: &mut String, scratch: &mut String) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    Canon { out, scratch }.deserialize(&mut de)?;
    de.end()
}

thread_local! {
    /// Where objects' members are put in order.
    static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    /// A record's canonical text, for its hash.
    static TEXT: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

/// Largest buffer kept for the next record: a huge record's is dropped.
const KEEP_BYTES: usize = 1 << 20;

/// The record hash ([`crate::event::record_hash`]) of a JSON text's
/// canonical form, written into a buffer kept per thread.
pub fn hash_text(text: &str) -> Result<String, serde_json::Error> {
    let mut buf = crate::scratch::take(&TEXT);
    let r = write_canonical_text(text, &mut buf).map(|()| crate::event::record_hash(&buf));
    crate::scratch::keep(&TEXT, buf, KEEP_BYTES);
    r
}

/// The record hash of an object's canonical form, its members and the
/// trees of the members whose keys are in `trees_of`, in one pass
/// ([`super::scan`]); `None` where the scanner leaves the text to the
/// serde path ([`hash_text`] and a `RawValue` parse), which gives the same.
pub fn hash_and_members<'a>(
    text: &'a str,
    trees_of: &[&str],
) -> Option<(String, super::scan::Scanned<'a>)> {
    let mut buf = crate::scratch::take(&TEXT);
    let mut scratch = crate::scratch::take(&SCRATCH);
    let r = super::scan::scan_object(text, &mut buf, &mut scratch, trees_of)
        .map(|scanned| (crate::event::record_hash(&buf), scanned));
    crate::scratch::keep(&SCRATCH, scratch, KEEP_BYTES);
    crate::scratch::keep(&TEXT, buf, KEEP_BYTES);
    r
}

/// Parse a JSON text.
pub fn parse(text: &str) -> Result<Node<'_>, serde_json::Error> {
    serde_json::from_str(text)
}

/// Parse a JSON text from a log into a `Value`, exactly. With serde_json's
/// `raw_value` feature (which the decoders use), `Value`'s own parser
/// treats an object whose first key is `$serde_json::private::RawValue` as
/// a raw value: it fails, or reads the string after it as JSON. Any text
/// from a log can start that way; this goes through [`Node`], which has no
/// such key.
pub fn parse_value(text: &str) -> Result<Value, serde_json::Error> {
    parse(text).map(|n| n.to_value())
}

impl<'a> Node<'a> {
    /// The value of an object's key; the last occurrence wins.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Obj(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// An object's members as a `Value` holds them: each key once, with
    /// the value given last (a hostile object may repeat a key many times,
    /// so past 16 members the last positions are found through a map).
    /// Nothing for a non-object.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        let m: &[(Cow<'a, str>, Node<'a>)] = match self {
            Node::Obj(m) => m,
            _ => &[],
        };
        let last: Option<std::collections::HashMap<&str, usize>> = (m.len() > 16).then(|| {
            m.iter()
                .enumerate()
                .map(|(i, (k, _))| (k.as_ref(), i))
                .collect()
        });
        m.iter()
            .enumerate()
            .filter(move |(i, (k, _))| match &last {
                Some(last) => last.get(k.as_ref()) == Some(i),
                None => !m[i + 1..].iter().any(|(later, _)| later == k),
            })
            .map(|(_, (k, v))| (k.as_ref(), v))
    }

    /// The value at a path of object keys.
    pub fn at(&self, path: &[&str]) -> Option<&Node<'a>> {
        path.iter().try_fold(self, |cur, k| cur.get(k))
    }

    /// A scalar as text: strings as they are, numbers and booleans printed.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Str(s) => Some(s.to_string()),
            Node::Num(n) => Some(n.to_string()),
            Node::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The `serde_json::Value` this parses to.
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Num(n) => Value::Number(n.clone()),
            Node::Str(s) => Value::String(s.to_string()),
            Node::Arr(a) => Value::Array(a.iter().map(Node::to_value).collect()),
            Node::Obj(m) => {
                let mut out = Map::new();
                for (k, v) in m {
                    out.insert(k.to_string(), v.to_value());
                }
                Value::Object(out)
            }
        }
    }

    /// Append the canonical form to `out`.
    pub fn write_canonical(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(true) => out.push_str("true"),
            Node::Bool(false) => out.push_str("false"),
            Node::Num(n) => {
                use std::fmt::Write;
                let _ = write!(out, "{n}");
            }
            Node::Str(s) => write_str(s, out),
            Node::Arr(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    x.write_canonical(out);
                }
                out.push(']');
            }
            Node::Obj(m) => {
                // Sort member indices by key; among equal keys the later
                // member sorts last, and only that one is written.
                let mut order: Vec<usize> = (0..m.len()).collect();
                order.sort_by(|&a, &b| m[a].0.as_bytes().cmp(m[b].0.as_bytes()).then(a.cmp(&b)));
                out.push('{');
                let mut first = true;
                for (pos, &i) in order.iter().enumerate() {
                    let key = &m[i].0;
                    if order.get(pos + 1).is_some_and(|&j| m[j].0 == *key) {
                        continue;
                    }
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    write_str(key, out);
                    out.push(':');
                    m[i].1.write_canonical(out);
                }
                out.push('}');
            }
        }
    }

    /// The canonical form.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.write_canonical(&mut out);
        out
    }
}

/// A JSON string as `serde_json` writes it.
pub(super) fn write_str(s: &str, out: &mut String) {
    // No early exit, so the loop vectorises: most strings are plain.
    let plain = !s.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The reference: `serde_json::Value` with its keys sorted.
    fn via_value(raw: &str) -> String {
        fn write(v: &Value, out: &mut String) {
            match v {
                Value::Object(m) => {
                    let mut keys: Vec<&String> = m.keys().collect();
                    keys.sort();
                    out.push('{');
                    for (i, k) in keys.into_iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push(':');
                        write(&m[k], out);
                    }
                    out.push('}');
                }
                Value::Array(a) => {
                    out.push('[');
                    for (i, x) in a.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        write(x, out);
                    }
                    out.push(']');
                }
                s => out.push_str(&serde_json::to_string(s).unwrap()),
            }
        }
        let v: Value = serde_json::from_str(raw).unwrap();
        let mut out = String::new();
        write(&v, &mut out);
        out
    }

    #[test]
    fn matches_value_on_awkward_inputs() {
        for raw in [
            r#"{"b":1,"a":2,"b":[3,{"z":null,"y":true}],"a":"x"}"#,
            r#"{"k\u0000":"\u001f\"\\\/\ud83d\ude00","k":-0,"e":1e300,"f":-1.5e-7,"g":18446744073709551615,"h":-9223372036854775808}"#,
            r#"{"é":"ü","e":"\u00e9","€":1.0,"z":12345678901234567890123}"#,
            r#"[]"#,
            r#"{}"#,
            r#""\t""#,
            r#"{"a":{"a":{"a":{}}},"A":0.1,"$serde":1}"#,
        ] {
            assert_eq!(parse(raw).unwrap().canonical(), via_value(raw), "{raw}");
            assert_eq!(streamed(raw).unwrap(), via_value(raw), "{raw}");
        }
        for bad in [r#"{"e":1e400}"#, r#"{"a":1,}"#, "[1", r#"{"\x":1}"#, "{} x"] {
            assert!(parse(bad).is_err() && serde_json::from_str::<Value>(bad).is_err());
            assert!(streamed(bad).is_err(), "{bad}");
        }
    }

    /// serde_json's raw-value token is an ordinary key in a log's JSON
    /// (`Value`'s parser fails on the first two and on the third reads
    /// `{"a":1}` as the object itself).
    #[test]
    fn the_raw_value_token_is_an_ordinary_key() {
        use serde_json::json;
        for (raw, want) in [
            (
                r#"{"$serde_json::private::RawValue":"maybe"}"#,
                json!({"$serde_json::private::RawValue": "maybe"}),
            ),
            (
                r#"{"$serde_json::private::RawValue":"{\"a\":1}","b":2}"#,
                json!({"$serde_json::private::RawValue": "{\"a\":1}", "b": 2}),
            ),
            (
                r#"{"x":{"$serde_json::private::RawValue":"{\"a\":1}"}}"#,
                json!({"x": {"$serde_json::private::RawValue": "{\"a\":1}"}}),
            ),
        ] {
            assert_eq!(parse_value(raw).unwrap(), want, "{raw}");
        }
    }

    fn streamed(raw: &str) -> Result<String, serde_json::Error> {
        let mut out = String::new();
        write_canonical_text(raw, &mut out)?;
        assert_eq!(hash_text(raw)?, crate::event::record_hash(&out));
        Ok(out)
    }

    #[test]
    fn nesting_limit_is_that_of_value() {
        for depth in [100, 126, 127, 128, 129, 200] {
            for raw in [
                format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
                format!("{}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)),
            ] {
                let value_ok = serde_json::from_str::<Value>(&raw).is_ok();
                assert_eq!(parse(&raw).is_ok(), value_ok, "depth {depth}");
                assert_eq!(streamed(&raw).is_ok(), value_ok, "depth {depth}");
            }
        }
    }

    /// Keys that share their first 8 bytes, end in zero bytes, are
    /// prefixes of one another or are escaped, as JSON text.
    const PREFIX_KEYS: &[&str] = &[
        r#""""#,
        r#""a""#,
        r#""a\u0000""#,
        r#""a\u0000b""#,
        r#""ab""#,
        r#""abcdefgg""#,
        r#""abcdefgh""#,
        r#""abcdefgh\u0000""#,
        r#""abcdefgh\u0000\u0000z""#,
        r#""abcdefghi""#,
        r#""eventTime""#,
        r#""eventTimf""#,
        r#""\u00e9""#,
        r#""é""#,
    ];

    proptest! {
        /// Members whose keys are prefixes of one another, end in zero
        /// bytes or differ only after their first 8 bytes, repeated or not:
        /// the reference's order and values, through both writers.
        #[test]
        fn keys_sharing_prefixes_sort_as_their_bytes(
            kv in prop::collection::vec((prop::sample::select(PREFIX_KEYS), any::<u8>()), 0..40)
        ) {
            let body: Vec<String> = kv.iter().map(|(k, v)| format!("{k}:{v}")).collect();
            let raw = format!("{{{}}}", body.join(","));
            prop_assert_eq!(streamed(&raw).unwrap(), via_value(&raw));
            let (mut out, mut scratch) = (String::new(), String::new());
            prop_assert!(crate::event::scan::scan_object(&raw, &mut out, &mut scratch, &[]).is_some());
            prop_assert_eq!(out, via_value(&raw));
        }
    }

    proptest! {
        /// Past 16 members and under, duplicates or not, an object's
        /// members are those its `Value` holds.
        #[test]
        fn members_are_those_of_a_value(
            kv in prop::collection::vec(("[a-d]{0,2}", any::<i32>()), 0..40)
        ) {
            let body: Vec<String> = kv.iter().map(|(k, v)| format!(r#""{k}":{v}"#)).collect();
            let raw = format!("{{{}}}", body.join(","));
            let mut from_node: Vec<(String, Value)> = parse(&raw)
                .unwrap()
                .members()
                .map(|(k, v)| (k.to_string(), v.to_value()))
                .collect();
            from_node.sort_by(|a, b| a.0.cmp(&b.0));
            let value: Value = serde_json::from_str(&raw).unwrap();
            let mut from_value: Vec<(String, Value)> = value
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            from_value.sort_by(|a, b| a.0.cmp(&b.0));
            prop_assert_eq!(from_node, from_value);
        }
    }

    /// Any JSON value, with awkward strings, keys and numbers.
    pub(in crate::event) fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1000i64..1000).prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,8}".prop_map(Value::String),
            "[\\x00-\\x7f]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-c\"\\\\é]{0,3}", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Same text as the reference, for any value, written compactly or
        /// pretty, and with a duplicated key prepended.
        #[test]
        fn canonical_equals_sorted_value(v in json_value()) {
            for raw in [v.to_string(), serde_json::to_string_pretty(&v).unwrap()] {
                prop_assert_eq!(parse(&raw).unwrap().canonical(), via_value(&raw));
                prop_assert_eq!(streamed(&raw).unwrap(), via_value(&raw));
                prop_assert_eq!(parse(&raw).unwrap().to_value(), v.clone());
            }
            if let Value::Object(m) = &v
                && let Some(k) = m.keys().next()
            {
                let raw = format!("{{{}:[1,\"dup\"],{}", serde_json::to_string(k).unwrap(), &v.to_string()[1..]);
                prop_assert_eq!(parse(&raw).unwrap().canonical(), via_value(&raw));
                prop_assert_eq!(streamed(&raw).unwrap(), via_value(&raw));
            }
        }
    }
}
