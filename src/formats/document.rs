//! Parsing one top-level JSON value while keeping what was read before an
//! error: a truncated `{"Records":[...]}` still yields its complete records.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Keys whose array elements are collected one by one (so a parse error
/// part-way keeps the elements before it).
const STREAMED_KEYS: &[&str] = &["Records", "Events", "logEvents"];

/// What was read of one top-level value.
#[derive(Default, Debug)]
pub struct TopValue<'a> {
    /// For an object: its keys with raw values (streamed keys excluded).
    pub keys: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// For an object: the elements of a streamed key such as `Records`.
    pub streamed: Vec<(Cow<'a, str>, Vec<&'a RawValue>)>,
    /// For an array: its elements.
    pub elements: Vec<&'a RawValue>,
    pub is_object: bool,
    pub is_array: bool,
    /// The value's own JSON text (for a single record, the record).
    pub text: &'a str,
}

impl<'a> TopValue<'a> {
    pub fn key(&self, k: &str) -> Option<&'a RawValue> {
        self.keys
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| *v)
    }
    pub fn has(&self, k: &str) -> bool {
        self.key(k).is_some() || self.streamed.iter().any(|(n, _)| n == k)
    }
    pub fn stream(&self, k: &str) -> Option<&[&'a RawValue]> {
        self.streamed
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_slice())
    }
    /// The elements of every array under streamed key `k`, in order: a key
    /// repeated in one object gives each of its arrays, so none is lost.
    pub fn stream_all<'s>(&'s self, k: &'s str) -> impl Iterator<Item = &'a RawValue> + 's {
        self.streamed
            .iter()
            .filter(move |(n, _)| n == k)
            .flat_map(|(_, v)| v.iter().copied())
    }
}

pub struct TopSeed<'v, 'a>(pub &'v mut TopValue<'a>);

impl<'de: 'a, 'v, 'a> DeserializeSeed<'de> for TopSeed<'v, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'v, 'a> Visitor<'de> for TopSeed<'v, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<(), M::Error> {
        self.0.is_object = true;
        while let Some(k) = m.next_key::<Cow<'de, str>>()? {
            if STREAMED_KEYS.contains(&k.as_ref()) {
                // Only arrays are streamed; anything else is kept raw.
                self.0.streamed.push((k, Vec::new()));
                let slot = &mut self.0.streamed.last_mut().expect("just pushed").1;
                let mut raw: Option<&'a RawValue> = None;
                m.next_value_seed(ElementsSeed {
                    out: slot,
                    raw: &mut raw,
                })?;
                if let Some(raw) = raw {
                    let (k, _) = self.0.streamed.pop().expect("just pushed");
                    self.0.keys.push((k, raw));
                }
            } else {
                let v: &'de RawValue = m.next_value()?;
                self.0.keys.push((k, v));
            }
        }
        Ok(())
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<(), S::Error> {
        self.0.is_array = true;
        while let Some(x) = s.next_element::<&'de RawValue>()? {
            self.0.elements.push(x);
        }
        Ok(())
    }
}

struct ElementsSeed<'v, 'a> {
    out: &'v mut Vec<&'a RawValue>,
    raw: &'v mut Option<&'a RawValue>,
}

impl<'de: 'a, 'v, 'a> DeserializeSeed<'de> for ElementsSeed<'v, 'a> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'v, 'a> Visitor<'de> for ElementsSeed<'v, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut s: S) -> Result<(), S::Error> {
        while let Some(x) = s.next_element::<&'de RawValue>()? {
            self.out.push(x);
        }
        Ok(())
    }
    // A streamed key that is not an array: keep its JSON text as-is.
    fn visit_str<E: serde::de::Error>(self, _v: &str) -> Result<(), E> {
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<(), E> {
        self.visit_str(v)
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<(), E> {
        self.visit_str(&v)
    }
    fn visit_bool<E: serde::de::Error>(self, _v: bool) -> Result<(), E> {
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, _v: i64) -> Result<(), E> {
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, _v: u64) -> Result<(), E> {
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, _v: f64) -> Result<(), E> {
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<(), M::Error> {
        while m
            .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
            .is_some()
        {}
        *self.raw = Some(RawValue::NULL);
        Ok(())
    }
}

/// A parse error with the byte offset where it happened.
#[derive(Debug)]
pub struct ParseFailure {
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

fn failure(text: &str, base: usize, e: &serde_json::Error) -> ParseFailure {
    let local = offset_from_line_col(&text[base..], e.line(), e.column());
    ParseFailure {
        message: e.to_string(),
        line: text[..base].matches('\n').count() + e.line(),
        column: e.column(),
        offset: base + local,
    }
}

/// Byte offset of a 1-based line and column as serde_json reports them.
fn offset_from_line_col(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (off + column.saturating_sub(1)).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

/// Parse the values in `text`: usually one document; concatenated documents
/// (paginated CLI output) give several. On a parse error, what was read
/// before it is returned with the failure.
pub fn parse_values(text: &str) -> (Vec<TopValue<'_>>, Option<ParseFailure>) {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut tv = TopValue::default();
    match TopSeed(&mut tv).deserialize(&mut de) {
        Ok(()) => {
            if de.end().is_ok() {
                tv.text = text.trim();
                return (vec![tv], None);
            }
        }
        Err(e) => {
            let f = failure(text, 0, &e);
            tv.text = text.trim();
            let got = if tv.is_object || tv.is_array {
                vec![tv]
            } else {
                vec![]
            };
            return (got, Some(f));
        }
    }
    // Several values, one after another.
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    loop {
        let start = stream.byte_offset();
        match stream.next() {
            None => return (out, None),
            Some(Ok(raw)) => {
                let mut tv = TopValue {
                    text: raw.get(),
                    ..TopValue::default()
                };
                let mut de = serde_json::Deserializer::from_str(raw.get());
                if TopSeed(&mut tv).deserialize(&mut de).is_ok() {
                    out.push(tv);
                } else {
                    // A scalar at top level: keep it as an unrecognised value.
                    out.push(TopValue {
                        text: raw.get(),
                        ..TopValue::default()
                    });
                }
            }
            Some(Err(_)) => {
                let rest = &text[start..];
                let mut tv = TopValue {
                    text: rest.trim(),
                    ..TopValue::default()
                };
                let mut de = serde_json::Deserializer::from_str(rest);
                let e = match TopSeed(&mut tv).deserialize(&mut de) {
                    Err(e) => e,
                    Ok(()) => return (out, None),
                };
                let f = failure(text, start, &e);
                if tv.is_object || tv.is_array {
                    out.push(tv);
                }
                return (out, Some(f));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_records_keep_complete_elements() {
        let text = r#"{"Records":[{"a":1},{"b":2},{"c":"#;
        let (vals, err) = parse_values(text);
        let err = err.expect("truncated");
        assert_eq!(vals.len(), 1);
        assert_eq!(vals[0].stream("Records").unwrap().len(), 2);
        assert!(err.offset <= text.len());
    }

    #[test]
    fn concatenated_pages() {
        let text = "{\"Events\":[{\"x\":1}]}\n  {\"Events\":[{\"y\":2},{\"z\":3}]}";
        let (vals, err) = parse_values(text);
        assert!(err.is_none());
        assert_eq!(vals.len(), 2);
        assert_eq!(vals[1].stream("Events").unwrap().len(), 2);
    }

    #[test]
    fn a_repeated_streamed_key_keeps_both_arrays() {
        let (vals, err) =
            parse_values(r#"{"Records":[{"a":1}],"x":0,"Records":[{"b":2},{"c":3}]}"#);
        assert!(err.is_none());
        let all: Vec<&str> = vals[0].stream_all("Records").map(|r| r.get()).collect();
        assert_eq!(all, [r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":3}"#]);
    }

    #[test]
    fn streamed_key_that_is_not_an_array() {
        let (vals, err) = parse_values(r#"{"Records":"nope","x":1}"#);
        assert!(err.is_none());
        assert!(vals[0].stream("Records").is_none());
        assert!(vals[0].has("x"));
    }
}
