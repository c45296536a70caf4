//! The shapes a CloudTrail export takes, one [`Envelope`] each, registered
//! in [`ENVELOPES`]. Each recognises a top-level JSON value by its keys and
//! yields the CloudTrail records inside it.

use super::document::TopValue;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// CloudTrail records, to be ingested.
    Events,
    /// `aws iam get-account-authorization-details` output, for the analyses.
    IamSnapshot,
    /// A CloudTrail digest file, for `verify`.
    Digest,
}

/// A record found in an envelope: its JSON text (borrowed, or decoded from
/// a JSON string) and its position in the envelope.
pub struct Found<'a> {
    pub text: Cow<'a, str>,
    /// The envelope item (in the document) that `text` was decoded from,
    /// when `text` is not borrowed from the document itself.
    pub raw: Option<&'a str>,
    /// Set when the envelope item could not yield a record at all; `text`
    /// is then the item.
    pub problem: Option<String>,
}

pub trait Envelope: Sync {
    /// The format's name when the value is the whole document.
    fn name(&self) -> &'static str;
    /// The format's name when values come one per line.
    fn line_name(&self) -> &'static str;
    fn content(&self) -> Content {
        Content::Events
    }
    fn matches(&self, v: &TopValue<'_>) -> bool;
    /// The records inside `v`, in order.
    fn records<'a>(&self, v: &TopValue<'a>, emit: &mut dyn FnMut(Found<'a>));
}

const RECORD_KEYS: &[&str] = &[
    "eventVersion",
    "eventSource",
    "eventName",
    "eventTime",
    "eventID",
    "userIdentity",
    "eventType",
];

/// An object that looks like a CloudTrail record (valid or not).
pub fn looks_like_record(v: &TopValue<'_>) -> bool {
    v.is_object && RECORD_KEYS.iter().any(|k| v.has(k))
}

fn raw_found(r: &RawValue) -> Found<'_> {
    Found {
        text: Cow::Borrowed(r.get()),
        raw: None,
        problem: None,
    }
}

/// A JSON string holding a record (lookup-events, CloudWatch Logs), in
/// the envelope item `item`.
fn embedded<'a>(item: &'a str, raw: Option<&'a RawValue>, what: &str) -> Found<'a> {
    let problem = match raw.map(|r| serde_json::from_str::<String>(r.get())) {
        Some(Ok(s)) => {
            return Found {
                text: Cow::Owned(s),
                raw: Some(item),
                problem: None,
            };
        }
        Some(Err(_)) => format!("{what} is not a JSON string"),
        None => format!("{what} is missing"),
    };
    Found {
        text: Cow::Borrowed(item),
        raw: None,
        problem: Some(problem),
    }
}

fn top_of(raw: &RawValue) -> TopValue<'_> {
    let mut tv = TopValue::default();
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let _ = serde::de::DeserializeSeed::deserialize(super::document::TopSeed(&mut tv), &mut de);
    tv
}

/// `{"Records": [...]}`: S3 delivery files.
pub struct S3Records;
impl Envelope for S3Records {
    fn name(&self) -> &'static str {
        "records"
    }
    fn line_name(&self) -> &'static str {
        "records-ndjson"
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        v.stream("Records").is_some()
    }
    fn records<'a>(&self, v: &TopValue<'a>, emit: &mut dyn FnMut(Found<'a>)) {
        for r in v.stream_all("Records") {
            emit(raw_found(r));
        }
    }
}

/// `aws cloudtrail lookup-events` output: `{"Events": [{"CloudTrailEvent": "..."}]}`.
pub struct LookupEventsPage;
impl Envelope for LookupEventsPage {
    fn name(&self) -> &'static str {
        "lookup-events"
    }
    fn line_name(&self) -> &'static str {
        "lookup-events-ndjson"
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        v.stream("Events").is_some()
    }
    fn records<'a>(&self, v: &TopValue<'a>, emit: &mut dyn FnMut(Found<'a>)) {
        for item in v.stream_all("Events") {
            let tv = top_of(item);
            emit(embedded(
                item.get(),
                tv.key("CloudTrailEvent"),
                "CloudTrailEvent",
            ));
        }
    }
}

/// One lookup-events item on its own.
pub struct LookupEventsItem;
impl Envelope for LookupEventsItem {
    fn name(&self) -> &'static str {
        "lookup-events"
    }
    fn line_name(&self) -> &'static str {
        "lookup-events-ndjson"
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        v.is_object && v.has("CloudTrailEvent")
    }
    fn records<'a>(&self, v: &TopValue<'a>, emit: &mut dyn FnMut(Found<'a>)) {
        emit(embedded(
            v.text,
            v.key("CloudTrailEvent"),
            "CloudTrailEvent",
        ));
    }
}

/// EventBridge (CloudWatch Events): the record in `detail`.
pub struct EventBridge;
impl Envelope for EventBridge {
    fn name(&self) -> &'static str {
        "eventbridge"
    }
    fn line_name(&self) -> &'static str {
        "eventbridge-ndjson"
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        let via_cloudtrail = v
            .key("detail-type")
            .and_then(|r| serde_json::from_str::<String>(r.get()).ok())
            .is_some_and(|t| t.ends_with("via CloudTrail"));
        v.is_object && via_cloudtrail && v.has("detail")
    }
    fn records<'a>(&self, v: &TopValue<'a>, emit: &mut dyn FnMut(Found<'a>)) {
        if let Some(d) = v.key("detail") {
            emit(raw_found(d));
        }
    }
}

/// CloudWatch Logs subscription messages: records as JSON strings in
/// `logEvents[].message`.
pub struct CloudWatchLogs;
impl Envelope for CloudWatchLogs {
    fn name(&self) -> &'static str {
        "cloudwatch-logs"
    }
    fn line_name(&self) -> &'static str {
        "cloudwatch-logs-ndjson"
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        v.stream("logEvents").is_some() && (v.has("messageType") || v.has("logGroup"))
    }
    fn records<'a>(&self, v: &TopValue<'a>, emit: &mut dyn FnMut(Found<'a>)) {
        for item in v.stream_all("logEvents") {
            let tv = top_of(item);
            emit(embedded(
                item.get(),
                tv.key("message"),
                "logEvents[].message",
            ));
        }
    }
}

/// `aws iam get-account-authorization-details`.
pub struct IamAuthorizationDetails;
impl Envelope for IamAuthorizationDetails {
    fn name(&self) -> &'static str {
        "iam-authorization-details"
    }
    fn line_name(&self) -> &'static str {
        "iam-authorization-details"
    }
    fn content(&self) -> Content {
        Content::IamSnapshot
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        v.is_object
            && ["UserDetailList", "GroupDetailList", "RoleDetailList"]
                .iter()
                .any(|k| v.has(k))
    }
    fn records<'a>(&self, _v: &TopValue<'a>, _emit: &mut dyn FnMut(Found<'a>)) {}
}

/// CloudTrail digest files.
pub struct Digest;
impl Envelope for Digest {
    fn name(&self) -> &'static str {
        "digest"
    }
    fn line_name(&self) -> &'static str {
        "digest"
    }
    fn content(&self) -> Content {
        Content::Digest
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        v.is_object
            && (v.has("digestStartTime") || v.has("digestEndTime"))
            && (v.has("logFiles") || v.has("digestS3Bucket"))
    }
    fn records<'a>(&self, _v: &TopValue<'a>, _emit: &mut dyn FnMut(Found<'a>)) {}
}

/// A record by itself.
pub struct Single;
impl Envelope for Single {
    fn name(&self) -> &'static str {
        "single"
    }
    fn line_name(&self) -> &'static str {
        "ndjson"
    }
    fn matches(&self, v: &TopValue<'_>) -> bool {
        looks_like_record(v)
    }
    fn records<'a>(&self, _v: &TopValue<'a>, _emit: &mut dyn FnMut(Found<'a>)) {
        // The caller owns the value's text and emits it directly.
    }
}

/// Every envelope, most specific first. Adding a format is one new type and
/// one line here.
pub static ENVELOPES: &[&dyn Envelope] = &[
    &S3Records,
    &LookupEventsPage,
    &CloudWatchLogs,
    &IamAuthorizationDetails,
    &Digest,
    &EventBridge,
    &LookupEventsItem,
    &Single,
];

/// The envelope a value matches, if any.
pub fn classify(v: &TopValue<'_>) -> Option<&'static dyn Envelope> {
    ENVELOPES.iter().copied().find(|e| e.matches(v))
}
