//! Property tests of the pipeline's two promises on arbitrary input:
//! a record goes through normalize -> Arrow -> Parquet -> back and is
//! rebuilt equal (as a JSON value) to the original; and any bytes at all go
//! through `formats::decode_file` without a panic, every record candidate
//! accounted for as a record or a reject.

use backtrail::event::{self, Origin, schema};
use backtrail::formats::{self, Limits, Location, Sink};
use backtrail::lake::{Lake, read, write};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Write;

// ------------------------------------------------------------ strategies

/// Strings with what trips encoders: quotes, backslashes, control
/// characters, NUL, non-BMP characters, bidi overrides.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 ._:/-]{0,24}",
        2 => any::<String>(),
        1 => prop::collection::vec(
            prop_oneof![
                Just('"'), Just('\\'), Just('\u{0}'), Just('\n'), Just('\t'), Just('\u{7f}'),
                Just('\u{202e}'), Just('\u{feff}'), Just('😀'), Just('é'), Just('\u{10ffff}'),
                Just('<'), Just('/'),
            ],
            0..12
        )
        .prop_map(|v| v.into_iter().collect()),
    ]
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Mostly the expected type, sometimes anything.
fn string_or_odd() -> impl Strategy<Value = Value> {
    prop_oneof![4 => text().prop_map(Value::String), 1 => json_value()]
}

fn bool_or_odd() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => any::<bool>().prop_map(Value::Bool),
        1 => prop::sample::select(vec!["true", "false", "True", "FALSE", "yes", " no ", "maybe", ""])
            .prop_map(|s| Value::String(s.into())),
        1 => json_value(),
    ]
}

/// eventTime spellings that parse: `T`/`t`/space, fractions of 0 to 9
/// digits, `Z`/`z`/no zone/numeric offsets, padding spaces.
fn event_time() -> impl Strategy<Value = String> {
    (
        2000i32..2035,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        prop::option::of("[0-9]{1,9}"),
        prop::sample::select(vec!["T", "t", " "]),
        prop::sample::select(vec![
            "Z", "z", "", "+00:00", "+11:00", "-05:30", "+0100", "-0800",
        ]),
        any::<bool>(),
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, sep, zone, pad)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            let t = format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{zone}");
            if pad { format!(" {t} ") } else { t }
        })
}

fn user_identity() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (
            prop::sample::select(vec!["IAMUser", "AssumedRole", "AWSService", "Root", "FederatedUser"]),
            string_or_odd(),
            string_or_odd(),
            prop::option::of(bool_or_odd()),
            prop::option::of(event_time()),
            prop::option::of(json_value()),
        )
            .prop_map(|(ty, arn, key, mfa, created, extra)| {
                let mut attrs = Map::new();
                if let Some(m) = mfa {
                    attrs.insert("mfaAuthenticated".into(), m);
                }
                if let Some(c) = created {
                    attrs.insert("creationDate".into(), Value::String(c));
                }
                let mut ui = json!({
                    "type": ty, "arn": arn, "accessKeyId": key, "accountId": "111122223333",
                    "sessionContext": {"attributes": attrs,
                                       "sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/r"}}
                });
                if let Some(e) = extra {
                    ui["onBehalfOf"] = e;
                }
                ui
            }),
        1 => json_value(),
    ]
}

fn resources() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::collection::vec(
            (prop::option::of(text()), prop::option::of(text()), prop::option::of(text())),
            0..4
        )
        .prop_map(|rs| {
            Value::Array(
                rs.into_iter()
                    .map(|(a, acct, ty)| {
                        let mut m = Map::new();
                        if let Some(a) = a { m.insert("ARN".into(), Value::String(a)); }
                        if let Some(x) = acct { m.insert("accountId".into(), Value::String(x)); }
                        if let Some(t) = ty { m.insert("type".into(), Value::String(t)); }
                        Value::Object(m)
                    })
                    .collect(),
            )
        }),
        1 => json_value(),
    ]
}

fn tls_details() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (prop::option::of(text()), prop::option::of(text()), prop::option::of(text())).prop_map(
            |(v, c, h)| {
                let mut m = Map::new();
                if let Some(v) = v { m.insert("tlsVersion".into(), Value::String(v)); }
                if let Some(c) = c { m.insert("cipherSuite".into(), Value::String(c)); }
                if let Some(h) = h { m.insert("clientProvidedHostHeader".into(), Value::String(h)); }
                Value::Object(m)
            }
        ),
        1 => json_value(),
    ]
}

const STRING_FIELDS: &[&str] = &[
    "eventVersion",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestID",
    "eventType",
    "apiVersion",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
];
const BOOL_FIELDS: &[&str] = &[
    "readOnly",
    "managementEvent",
    "sessionCredentialFromConsole",
];
const PAYLOAD_FIELDS: &[&str] = &[
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "edgeDeviceDetails",
    "insightDetails",
    "addendum",
];
/// Keys a record needs to be valid; extra keys never replace them.
const REQUIRED: &[&str] = &["eventSource", "eventName", "eventTime", "@timestamp"];

/// A CloudTrail-like record: random subsets of the documented fields with
/// values of the expected and unexpected types, unknown keys, and an
/// eventID that may be missing or odd.
fn record() -> impl Strategy<Value = Value> {
    (
        text(),
        text(),
        prop_oneof![
            3 => event_time().prop_map(|t| ("eventTime", t)),
            1 => event_time().prop_map(|t| ("@timestamp", t)),
        ],
        prop::option::of(string_or_odd()),
        prop::collection::vec((prop::sample::select(STRING_FIELDS), string_or_odd()), 0..8),
        prop::collection::vec((prop::sample::select(BOOL_FIELDS), bool_or_odd()), 0..3),
        prop::collection::vec((prop::sample::select(PAYLOAD_FIELDS), json_value()), 0..4),
        prop::option::of(user_identity()),
        prop::option::of(resources()),
        prop::option::of(tls_details()),
        prop::collection::btree_map(text(), json_value(), 0..4),
    )
        .prop_map(
            |(
                source,
                name,
                (time_key, time),
                id,
                strings,
                bools,
                payloads,
                ui,
                res,
                tls,
                extra,
            )| {
                let mut m = Map::new();
                for (k, v) in extra {
                    if !REQUIRED.contains(&k.as_str()) {
                        m.insert(k, v);
                    }
                }
                m.insert("eventSource".into(), Value::String(source));
                m.insert("eventName".into(), Value::String(name));
                m.insert(time_key.into(), Value::String(time));
                if let Some(id) = id {
                    m.insert("eventID".into(), id);
                }
                for (k, v) in strings.into_iter().chain(bools).chain(payloads) {
                    m.insert(k.into(), v);
                }
                if let Some(v) = ui {
                    m.insert("userIdentity".into(), v);
                }
                if let Some(v) = res {
                    m.insert("resources".into(), v);
                }
                if let Some(v) = tls {
                    m.insert("tlsDetails".into(), v);
                }
                Value::Object(m)
            },
        )
}

/// 256 cases per property; `PROPTEST_CASES=N` runs more (or fewer).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

// ------------------------------------------------------------ round trip

fn origin(i: usize) -> Origin<'static> {
    Origin {
        source_file: "prop/records.json",
        source_index: i as i64,
        source_format: "records",
    }
}

/// normalize -> to_batch -> Parquet (the lake's writer) -> read back ->
/// reconstruct, for a batch of records.
fn round_trip(records: &[Value], pretty: bool) -> Result<(), TestCaseError> {
    let mut events = Vec::new();
    let mut originals = BTreeMap::new();
    // Events borrow from their records' text.
    let texts: Vec<String> = records
        .iter()
        .map(|r| {
            if pretty {
                serde_json::to_string_pretty(r).unwrap()
            } else {
                serde_json::to_string(r).unwrap()
            }
        })
        .collect();
    for (i, text) in texts.iter().enumerate() {
        let ev = event::normalize(text, origin(i), 1 << 20)
            .map_err(|e| TestCaseError::fail(format!("normalize rejected {text}: {e}")))?;
        // The Arrow batch alone round-trips.
        let batch = schema::to_batch(std::slice::from_ref(&ev)).unwrap();
        let back = schema::from_batch(&batch).unwrap();
        prop_assert_eq!(
            Value::Object(schema::reconstruct(&back[0])),
            Value::Object(schema::reconstruct(&ev))
        );
        originals.insert(i as i64, serde_json::from_str::<Value>(text).unwrap());
        events.push(ev);
    }
    let dir = tempfile::tempdir().unwrap();
    let lake = Lake::new(dir.path());
    let part = lake.partition_dir("2024-01-01");
    std::fs::create_dir_all(&part).unwrap();
    write::write_events(&part.join("part-prop.parquet"), &mut events).unwrap();
    let mut seen = 0;
    read::for_each_event_batch(&lake, |_, evs| {
        for ev in evs {
            let want = &originals[&ev.source_index];
            let got = Value::Object(schema::reconstruct(&ev));
            if &got != want {
                return Err(std::io::Error::other(format!(
                    "record {} differs:\n got {got}\nwant {want}",
                    ev.source_index
                )));
            }
            seen += 1;
        }
        Ok(())
    })
    .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(seen, records.len());
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn records_round_trip_through_the_lake(
        records in prop::collection::vec(record(), 1..6),
        pretty in any::<bool>(),
    ) {
        round_trip(&records, pretty)?;
    }
}

#[test]
fn known_tricky_records_round_trip() {
    let cases = [
        json!({"eventSource": "s", "eventName": "n", "eventTime": "2022-02-07t22:23:37.123456789z",
               "readOnly": "true", "awsRegion": 5, "resources": [1, {"ARN": 2}], "tlsDetails": {}}),
        json!({"eventSource": "s", "eventName": "n", "@timestamp": "2022-02-07 22:23:37",
               "eventID": null, "requestParameters": {"k": "a\u{0}b\u{202e}"}, "extra": {"x": [1.5e300, -0.0]}}),
        json!({"eventSource": "", "eventName": "", "eventTime": " 2022-02-08T09:23:37+1100 ",
               "userIdentity": "not an object", "addendum": {"reason": 7}}),
    ];
    round_trip(&cases, false).unwrap();
}

// ------------------------------------------------------------ decode_file

#[derive(Default, Debug)]
struct Collect {
    /// index -> (is record, line, bytes)
    seen: BTreeMap<u64, (bool, Location, Vec<u8>)>,
    duplicates: Vec<u64>,
}

impl Sink for Collect {
    fn record(&mut self, text: &str, index: u64, at: Location) {
        if self
            .seen
            .insert(index, (true, at, text.as_bytes().to_vec()))
            .is_some()
        {
            self.duplicates.push(index);
        }
    }
    fn reject(&mut self, bytes: &[u8], index: Option<u64>, at: Location, _reason: String) {
        let i = index.unwrap_or(u64::MAX);
        if self.seen.insert(i, (false, at, bytes.to_vec())).is_some() {
            self.duplicates.push(i);
        }
    }
}

fn limits() -> Limits {
    Limits {
        max_record_bytes: 64 * 1024,
        max_document_bytes: 256 * 1024,
        max_decompressed_bytes: 1 << 20,
    }
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// Decode `bytes` (optionally gzipped) from a temp file; check the
/// invariants every input must keep.
fn decode(bytes: &[u8], gz: bool) -> Result<(formats::FileReport, Collect), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("input");
    std::fs::write(&p, if gz { gzip(bytes) } else { bytes.to_vec() }).unwrap();
    let mut c = Collect::default();
    let report = formats::decode_file(&p, &limits(), &mut c).unwrap();
    prop_assert!(
        c.duplicates.is_empty(),
        "indices delivered twice: {:?}",
        c.duplicates
    );
    // Indices are 0..records, each once.
    let want: Vec<u64> = (0..report.records).collect();
    let got: Vec<u64> = c.seen.keys().copied().collect();
    prop_assert_eq!(got, want, "report {:?}", report);
    // A reject holds bytes of the (decompressed) input as they are. (Bytes
    // that happen to start like gzip decompress to something else.)
    if gz || !report.gzip {
        for (is_record, at, b) in c.seen.values() {
            prop_assert!(
                *is_record || b.is_empty() || bytes.windows(b.len()).any(|w| w == b.as_slice()),
                "reject at {:?} is not bytes of the input: {:?}",
                at,
                String::from_utf8_lossy(b)
            );
        }
    }
    Ok((report, c))
}

proptest! {
    #![proptest_config(config())]

    /// Anything at all: no panic, indices accounted for.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), gz in any::<bool>()) {
        decode(&bytes, gz)?;
    }

    /// JSON-ish text: a valid export with bytes inserted, deleted or replaced.
    #[test]
    fn mutated_exports_never_panic(
        recs in prop::collection::vec(record(), 1..4),
        shape in 0usize..5,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<u8>()), 0..6),
        gz in any::<bool>(),
    ) {
        let body: Vec<String> = recs.iter().map(|r| r.to_string()).collect();
        let mut b = match shape {
            0 => format!("{{\"Records\":[{}]}}", body.join(",")),
            1 => body.join("\n"),
            2 => format!("[{}]", body.join(",")),
            3 => format!("{{\"Events\":[{}]}}", body.iter().map(|t| json!({"CloudTrailEvent": t}).to_string()).collect::<Vec<_>>().join(",")),
            _ => format!("{{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{}]}}", body.iter().map(|t| json!({"id": "1", "message": t}).to_string()).collect::<Vec<_>>().join(",")),
        }
        .into_bytes();
        for (at, op, byte) in edits {
            let i = at.index(b.len() + 1);
            match op {
                0 => b.insert(i, byte),
                1 if i < b.len() => { b.remove(i); }
                _ if i < b.len() => b[i] = byte,
                _ => {}
            }
        }
        decode(&b, gz)?;
    }

    /// NDJSON: every non-blank line ends up as a record or a reject at its
    /// own line number, and nothing is reported at a blank line.
    #[test]
    fn every_ndjson_line_is_accounted_for(
        first in record(),
        rest in prop::collection::vec(prop_oneof![
            3 => record().prop_map(|r| r.to_string()),
            1 => "[^\n]{0,80}",
            1 => record().prop_map(|r| {
                // Half a record, cut at a character boundary.
                let mut t = r.to_string();
                let mut half = t.len() / 2;
                while !t.is_char_boundary(half) {
                    half -= 1;
                }
                t.truncate(half);
                t
            }),
        ], 1..12),
        crlf in any::<bool>(),
        gz in any::<bool>(),
    ) {
        // A byte order mark starting a line (files joined with `cat`) is no
        // content.
        let content = |l: &str| {
            l.strip_prefix('\u{feff}').unwrap_or(l).trim_matches(|c: char| c.is_ascii_whitespace()).to_string()
        };
        // Lines that are complete JSON values without records (`[]`,
        // `{"Records":[]}`) legitimately yield nothing.
        let yields_nothing = |l: &str| match serde_json::from_str::<Value>(&content(l)) {
            Ok(Value::Array(a)) => a.is_empty(),
            Ok(Value::Object(m)) => ["Records", "Events", "logEvents"]
                .iter()
                .any(|k| m.get(*k).is_some_and(|v| v.as_array().is_some_and(|a| a.is_empty()))),
            _ => false,
        };
        // Something must follow the first line for it to be line-delimited.
        prop_assume!(rest.iter().any(|l| !l.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty()));
        let mut lines = vec![first.to_string()];
        lines.extend(rest);
        let eol = if crlf { "\r\n" } else { "\n" };
        let text = lines.join(eol) + eol;
        let (report, c) = decode(text.as_bytes(), gz)?;
        prop_assert_ne!(report.format.as_str(), "unrecognized", "{:?}", report);
        let mut by_line: BTreeMap<u64, usize> = BTreeMap::new();
        for (_, (_, at, _)) in c.seen.iter() {
            *by_line.entry(at.line.unwrap_or(0)).or_default() += 1;
        }
        for (i, l) in lines.iter().enumerate() {
            let n = (i + 1) as u64;
            let blank = content(l).is_empty();
            if blank {
                prop_assert!(!by_line.contains_key(&n), "blank line {} reported", n);
            } else if !yields_nothing(l) {
                prop_assert!(by_line.contains_key(&n), "line {} ({:?}) not accounted for: {:?}", n, l, c.seen);
            }
        }
        prop_assert!(by_line.keys().all(|&k| k >= 1 && k <= lines.len() as u64), "{:?}", by_line);
    }

    /// A document listing records (a Records file, an array, lookup-events
    /// pages, CloudWatch Logs messages) cut anywhere in its list: the
    /// records whose item is complete before the cut are delivered whole,
    /// and the rest of the bytes is one reject.
    #[test]
    fn a_truncated_records_document_keeps_complete_records_and_rejects_the_rest(
        recs in prop::collection::vec(record(), 1..6),
        shape in 0usize..4,
        cut in any::<prop::sample::Index>(),
    ) {
        let body: Vec<String> = recs.iter().map(|r| r.to_string()).collect();
        let (head, tail, format) = match shape {
            0 => ("{\"Records\":[", "]}", "records"),
            1 => ("[", "]", "array"),
            2 => ("{\"Events\":[", "]}", "lookup-events"),
            _ => ("{\"messageType\":\"DATA_MESSAGE\",\"logGroup\":\"g\",\"logEvents\":[", "]}", "cloudwatch-logs"),
        };
        let items: Vec<String> = body
            .iter()
            .map(|t| match shape {
                0 | 1 => t.clone(),
                2 => json!({"CloudTrailEvent": t}).to_string(),
                _ => json!({"id": "1", "message": t}).to_string(),
            })
            .collect();
        let doc = format!("{head}{}{tail}", items.join(","));
        // Cut inside the list, after the head.
        let at = head.len() + cut.index(doc.len() - head.len() - tail.len());
        let cut_doc = &doc.as_bytes()[..at];
        let mut ends = Vec::new();
        let mut pos = head.len();
        for t in &items {
            pos += t.len();
            ends.push(pos);
            pos += 1;
        }
        let complete = ends.iter().filter(|&&e| e <= at).count();
        let (report, c) = decode(cut_doc, false)?;
        prop_assert_eq!(report.format.as_str(), format);
        let records: Vec<&Vec<u8>> = c.seen.values().filter(|v| v.0).map(|v| &v.2).collect();
        prop_assert_eq!(records.len(), complete);
        for (i, r) in records.iter().enumerate() {
            prop_assert_eq!(r.as_slice(), body[i].as_bytes());
        }
        let rejects: Vec<&Vec<u8>> = c.seen.values().filter(|v| !v.0).map(|v| &v.2).collect();
        let from = if complete == 0 { 0 } else { ends[complete - 1] };
        let rest = &cut_doc[from..];
        if rest.iter().all(|b| b.is_ascii_whitespace()) {
            // Cut right after an item: nothing was lost.
            prop_assert!(rejects.is_empty(), "{:?}", report);
        } else {
            prop_assert_eq!(rejects.len(), 1, "{:?}", report);
            prop_assert_eq!(rejects[0].as_slice(), rest);
        }
    }
}
