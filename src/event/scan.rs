//! One pass over a record's text that gives both its top-level members (as
//! the slices of their values) and its canonical form, for the usual record.
//!
//! Ingest needs the two for every record. Through serde_json they take two
//! parses: one for the members (`RawValue`s) and one writing the canonical
//! form ([`super::canonical::write_canonical_text`]); perf put the pair at
//! a fifth of ingest's CPU. This scanner does both in one pass and copies
//! what needs no decoding (strings without escapes, short integers)
//! verbatim. It is strict JSON, and where anything is unusual (an escape in
//! a string, a number that is not a short integer, deep nesting) it asks
//! serde_json for that token, so its output is the serde path's byte for
//! byte; where it does not accept a text it returns `None` and the caller
//! takes the serde path, which then gives the same result or the same
//! error. A property test holds the two paths equal.

use super::canonical::{Node, write_str};
use serde_json::Number;
use std::borrow::Cow;

/// A record's members in input order (duplicates included): the key,
/// decoded, and the exact text of the value (as `RawValue::get` gives it).
pub type Members<'a> = Vec<(Cow<'a, str>, &'a str)>;

/// What one pass over a record gives besides its canonical form.
#[derive(Debug, Default)]
pub struct Scanned<'a> {
    pub members: Members<'a>,
    /// The trees of the members whose keys were asked for, as
    /// [`super::canonical::parse`] of their text gives them: (index in
    /// `members`, tree).
    pub trees: Vec<(usize, Node<'a>)>,
}

impl<'a> Scanned<'a> {
    /// The tree of member `index`, if it was built.
    pub fn tree(&self, index: usize) -> Option<&Node<'a>> {
        self.trees.iter().find(|(i, _)| *i == index).map(|(_, t)| t)
    }
}

/// Deeper than this, the scanner gives up and serde_json (whose limit is
/// 128) decides.
const MAX_DEPTH: usize = 64;

/// The members of the object `text` and its canonical form, appended to
/// `out`, with the tree of each member whose key is in `trees_of` (built
/// in the same pass: no second parse of those members); `scratch` is
/// working room. `None` when `text` is not a JSON object this scanner
/// accepts; `out` then holds garbage.
pub fn scan_object<'a>(
    text: &'a str,
    out: &mut String,
    scratch: &mut String,
    trees_of: &[&str],
) -> Option<Scanned<'a>> {
    let mut s = Scanner {
        text,
        b: text.as_bytes(),
        pos: 0,
        out,
        scratch,
        depth: 0,
        stack: Vec::with_capacity(64),
    };
    s.ws();
    if s.peek()? != b'{' {
        return None;
    }
    let mut top = Top {
        scanned: Scanned {
            members: Vec::with_capacity(32),
            trees: Vec::new(),
        },
        trees_of,
    };
    s.object::<false>(Some(&mut top))?;
    s.ws();
    (s.pos == s.b.len()).then_some(top.scanned)
}

/// The record's own object: its members are collected.
struct Top<'a, 'k> {
    scanned: Scanned<'a>,
    trees_of: &'k [&'k str],
}

struct Scanner<'a, 'o> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    out: &'o mut String,
    scratch: &'o mut String,
    depth: usize,
    /// The members of the objects being read, innermost last: (key, where
    /// the member starts and ends in `out`). One vector for all of them.
    stack: Vec<(Cow<'a, str>, usize, usize)>,
}

impl<'a> Scanner<'a, '_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skip JSON whitespace (exactly the four bytes the grammar allows).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, lit: &str) -> Option<()> {
        let end = self.pos + lit.len();
        (self.b.get(self.pos..end)? == lit.as_bytes()).then(|| {
            self.pos = end;
            self.out.push_str(lit);
        })
    }

    /// The value at `pos`, written in canonical form; with `TREE`, its
    /// tree is built too (without, the tree is `Null` and nothing is
    /// allocated for it).
    fn value<const TREE: bool>(&mut self) -> Option<Node<'a>> {
        match self.peek()? {
            b'{' => self.object::<TREE>(None),
            b'[' => self.array::<TREE>(),
            b'"' => {
                let s = self.string()?;
                self.put_string(&s);
                Some(tree::<TREE>(|| Node::Str(s)))
            }
            b't' => self
                .expect("true")
                .map(|()| tree::<TREE>(|| Node::Bool(true))),
            b'f' => self
                .expect("false")
                .map(|()| tree::<TREE>(|| Node::Bool(false))),
            b'n' => self.expect("null").map(|()| Node::Null),
            b'-' | b'0'..=b'9' => self.number::<TREE>(),
            _ => None,
        }
    }

    /// A string token, decoded: borrowed when it has no escapes.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.pos + 1;
        let mut i = start;
        let mut escaped = false;
        loop {
            i += memchr::memchr2(b'"', b'\\', self.b.get(i..)?)?;
            if self.b[i] == b'"' {
                break;
            }
            escaped = true;
            // Skip the escaped byte: whether the escape is valid is for
            // serde_json to say, below.
            i += 2;
        }
        self.pos = i + 1;
        if escaped {
            // serde_json decodes (and checks) the escapes, as the serde path
            // would; it also rejects control characters.
            return serde_json::from_str::<String>(&self.text[start - 1..=i])
                .ok()
                .map(Cow::Owned);
        }
        let inner = &self.text[start..i];
        // JSON forbids raw control characters in strings. No early exit, so
        // the loop vectorises.
        let control = inner.bytes().fold(false, |any, b| any | (b < 0x20));
        (!control).then_some(Cow::Borrowed(inner))
    }

    /// A string from [`Self::string`], in canonical form. A borrowed one
    /// holds no quote, backslash or control character (`string` stopped at
    /// the first quote, saw no escape and checked for controls), so it is
    /// its own escaped form: `write_str` would scan it for them again.
    // The variant is what is read (borrowed: checked plain), so `&Cow`.
    #[allow(clippy::ptr_arg)]
    fn put_string(&mut self, s: &Cow<'a, str>) {
        match s {
            Cow::Borrowed(plain) => {
                self.out.push('"');
                self.out.push_str(plain);
                self.out.push('"');
            }
            Cow::Owned(decoded) => write_str(decoded, self.out),
        }
    }

    /// A number token: a short integer is its own canonical form; any other
    /// goes through serde_json's `Number`, as the serde path does.
    fn number<const TREE: bool>(&mut self) -> Option<Node<'a>> {
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        // One or more digits from `i`: where they end, `None` if none.
        let digits = |i: usize| {
            let end = i + b[i.min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            (end > i).then_some(end)
        };
        let int_start = i;
        i = match b.get(i)? {
            b'0' => i + 1,
            b'1'..=b'9' => digits(i)?,
            _ => return None,
        };
        let int_digits = i - int_start;
        let mut plain = true;
        if b.get(i) == Some(&b'.') {
            plain = false;
            i = digits(i + 1)?;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            plain = false;
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            i = digits(i)?;
        }
        self.pos = i;
        let token = &self.text[start..i];
        // Up to 18 digits fits both i64 and u64; "-0" is a float to serde.
        if plain && int_digits <= 18 && token != "-0" {
            self.out.push_str(token);
            if !TREE {
                return Some(Node::Null);
            }
            // As serde_json visits it: u64 unless negative.
            let n = match token.strip_prefix('-') {
                Some(_) => Number::from(token.parse::<i64>().ok()?),
                None => Number::from(token.parse::<u64>().ok()?),
            };
            Some(Node::Num(n))
        } else {
            let n: Number = serde_json::from_str(token).ok()?;
            use std::fmt::Write;
            write!(self.out, "{n}").ok()?;
            Some(tree::<TREE>(|| Node::Num(n)))
        }
    }

    fn array<const TREE: bool>(&mut self) -> Option<Node<'a>> {
        let mut items = Vec::new();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        self.out.push('[');
        self.ws();
        if self.peek()? == b']' {
            self.pos += 1;
        } else {
            loop {
                let item = self.value::<TREE>()?;
                if TREE {
                    items.push(item);
                }
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.out.push(',');
                        self.ws();
                    }
                    b']' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.out.push(']');
        self.depth -= 1;
        Some(tree::<TREE>(|| Node::Arr(items)))
    }

    /// An object, written with its members in key order (the last of
    /// duplicated keys wins); with `top`, its members are collected too.
    fn object<const TREE: bool>(&mut self, mut top: Option<&mut Top<'a, '_>>) -> Option<Node<'a>> {
        let mut members = Vec::new();
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        self.out.push('{');
        let body = self.out.len();
        let base = self.stack.len();
        self.ws();
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            loop {
                if self.peek()? != b'"' {
                    return None;
                }
                let key = self.string()?;
                self.ws();
                if self.peek()? != b':' {
                    return None;
                }
                self.pos += 1;
                self.ws();
                if self.stack.len() > base {
                    self.out.push(',');
                }
                let start = self.out.len();
                self.put_string(&key);
                self.out.push(':');
                let value_start = self.pos;
                match top.as_deref_mut() {
                    Some(top) => {
                        let index = top.scanned.members.len();
                        if top.trees_of.contains(&key.as_ref()) {
                            let node = self.value::<true>()?;
                            top.scanned.trees.push((index, node));
                        } else {
                            self.value::<false>()?;
                        }
                        let text = &self.text[value_start..self.pos];
                        top.scanned.members.push((key.clone(), text));
                    }
                    None => {
                        let node = self.value::<TREE>()?;
                        if TREE {
                            members.push((key.clone(), node));
                        }
                    }
                }
                let end = self.out.len();
                self.stack.push((key, start, end));
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.ws();
                    }
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.sort_members(body, base);
        self.stack.truncate(base);
        self.out.push('}');
        self.depth -= 1;
        Some(tree::<TREE>(|| Node::Obj(members)))
    }

    /// Put the members written from `body` on in key order, in place,
    /// keeping only the last of duplicated keys.
    fn sort_members(&mut self, body: usize, base: usize) {
        super::canonical::put_in_key_order(self.out, self.scratch, body, &mut self.stack[base..]);
    }
}

/// `node()` where a tree is built, `Null` (nothing built) where not.
fn tree<'a, const TREE: bool>(node: impl FnOnce() -> Node<'a>) -> Node<'a> {
    if TREE { node() } else { Node::Null }
}

#[cfg(test)]
mod tests {
    use super::super::canonical::tests::json_value;
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;
    use serde::de::{MapAccess, Visitor};
    use serde_json::Value;
    use serde_json::value::RawValue;

    /// A JSON object's members: keys, and values' texts.
    struct Obj(Vec<(String, String)>);
    impl<'de> Deserialize<'de> for Obj {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Obj;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Obj, M::Error> {
                    let mut out = Vec::new();
                    while let Some(k) = m.next_key::<String>()? {
                        let v: &RawValue = m.next_value()?;
                        out.push((k, v.get().to_string()));
                    }
                    Ok(Obj(out))
                }
            }
            d.deserialize_map(V)
        }
    }

    /// The serde path: members through `RawValue`, canonical form through
    /// `write_canonical_text`.
    fn serde_path(text: &str) -> Result<(Vec<(String, String)>, String), serde_json::Error> {
        let members = serde_json::from_str::<Obj>(text)?.0;
        let mut canon = String::new();
        super::super::canonical::write_canonical_text(text, &mut canon)?;
        Ok((members, canon))
    }

    /// The scanner's members and canonical form. Every member's tree is
    /// built too, and must be what a parse of the member's text gives.
    fn fast_path(text: &str) -> Option<(Vec<(String, String)>, String)> {
        let (mut out, mut scratch) = (String::new(), String::new());
        let keys: Vec<String> = match serde_json::from_str::<Obj>(text) {
            Ok(obj) => obj.0.into_iter().map(|(k, _)| k).collect(),
            Err(_) => Vec::new(),
        };
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let scanned = scan_object(text, &mut out, &mut scratch, &keys)?;
        assert!(scratch.is_empty());
        for (i, (k, v)) in scanned.members.iter().enumerate() {
            let tree = scanned
                .tree(i)
                .unwrap_or_else(|| panic!("no tree of {k:?}"));
            let parsed = super::super::canonical::parse(v).expect("a member the scanner read");
            assert_eq!(*tree, parsed, "tree of {k:?} in {text:?}");
        }
        Some((
            scanned
                .members
                .into_iter()
                .map(|(k, v)| (k.into_owned(), v.to_string()))
                .collect(),
            out,
        ))
    }

    /// Where the scanner accepts a text, the serde path accepts it and
    /// agrees; the scanner must accept `must_accept`.
    fn agree(text: &str, must_accept: bool) {
        let fast = fast_path(text);
        let slow = serde_path(text);
        match (&fast, &slow) {
            (Some(f), Ok(s)) => assert_eq!(f, s, "{text:?}"),
            (Some(_), Err(e)) => panic!("scanner accepted what serde rejects ({e}): {text:?}"),
            (None, _) => assert!(!must_accept, "scanner declined {text:?}"),
        }
    }

    #[test]
    fn usual_records_take_the_fast_path() {
        for text in [
            r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","readOnly":true,"resources":[{"ARN":"arn:aws:s3:::b","type":"AWS::S3::Bucket"}],"x":null,"n":-12,"z":0}"#,
            " {\n  \"b\" : 1 ,\t\"a\":[ ],\"a\":{ }\r\n} \n",
            r#"{"k":"caf\u00e9 \"q\"","e":1.5e3,"big":123456789012345678901,"neg":-0,"f":0.1}"#,
            "{}",
        ] {
            agree(text, true);
        }
    }

    #[test]
    fn invalid_texts_are_declined() {
        for text in [
            "",
            "[]",
            "{",
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a" 1}"#,
            r#"{"a":tru}"#,
            r#"{"a":"x}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":"\x"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":1e400}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":1} x"#,
            r#"{"a":1}{}"#,
            "{\"a\":1}\u{a0}",
            r#"{1:2}"#,
        ] {
            assert!(fast_path(text).is_none(), "{text:?}");
            agree(text, false);
        }
    }

    #[test]
    fn deep_nesting_is_left_to_serde() {
        for depth in [10, 63, 64, 65, 127, 128, 200] {
            let text = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
            agree(&text, depth < MAX_DEPTH);
        }
    }

    /// `v` as JSON text with whitespace and escapes chosen by `rng`, and
    /// duplicated keys inserted.
    fn render(v: &Value, rng: &mut u64, out: &mut String) {
        fn next(rng: &mut u64) -> u64 {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            *rng
        }
        fn ws(rng: &mut u64, out: &mut String) {
            for _ in 0..next(rng) % 4 {
                out.push([' ', '\t', '\n', '\r'][(next(rng) % 4) as usize]);
            }
            if next(rng) % 3 != 0 {
                out.truncate(out.trim_end().len());
            }
        }
        fn string(s: &str, rng: &mut u64, out: &mut String) {
            out.push('"');
            for c in s.chars() {
                match (c, next(rng) % 4) {
                    ('"', _) => out.push_str("\\\""),
                    ('\\', _) => out.push_str("\\\\"),
                    (c, 0) | (c @ '\0'..='\u{1f}', _) => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{:04x}", u));
                        }
                    }
                    ('/', 1) => out.push_str("\\/"),
                    (c, _) => out.push(c),
                }
            }
            out.push('"');
        }
        ws(rng, out);
        match v {
            Value::String(s) => string(s, rng, out),
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    render(x, rng, out);
                }
                ws(rng, out);
                out.push(']');
            }
            Value::Object(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if next(rng) % 5 == 0 {
                        // A duplicate that the later member overrides.
                        ws(rng, out);
                        string(k, rng, out);
                        out.push_str(":[0.5,\"dup\"],");
                    }
                    ws(rng, out);
                    string(k, rng, out);
                    ws(rng, out);
                    out.push(':');
                    render(x, rng, out);
                }
                ws(rng, out);
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
        ws(rng, out);
    }

    proptest! {
        /// Any object, however written, the two paths agree on and the
        /// scanner accepts.
        #[test]
        fn scanner_equals_serde_path(
            m in prop::collection::vec(("[a-c\"\\\\é/]{0,3}", json_value()), 0..8),
            seed in 1u64..,
        ) {
            let v = Value::Object(m.into_iter().collect());
            let mut text = String::new();
            let mut rng = seed;
            render(&v, &mut rng, &mut text);
            agree(&text, true);
        }

        /// A valid text with one byte changed: where the scanner accepts
        /// it, serde accepts it and the two agree.
        #[test]
        fn scanner_never_accepts_more_than_serde(
            m in prop::collection::vec(("[a-c]{0,2}", json_value()), 1..6),
            seed in 1u64..,
            at in any::<prop::sample::Index>(),
            with in prop::sample::select(vec!["", " ", "\"", "\\", "{", "}", "[", "]", ",", ":", "0", "-", ".", "e", "x", "\u{1}", "é"]),
        ) {
            let v = Value::Object(m.into_iter().collect());
            let mut text = String::new();
            let mut rng = seed;
            render(&v, &mut rng, &mut text);
            let mut i = at.index(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let mut j = i + 1;
            while j < text.len() && !text.is_char_boundary(j) {
                j += 1;
            }
            text.replace_range(i..j.min(text.len()), with);
            agree(&text, false);
        }
    }
}
