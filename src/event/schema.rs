//! The lake's Arrow schema, and the two directions between [`Event`] and
//! Arrow record batches. `docs/SCHEMA.md` documents every column; a test
//! checks that document against [`schema`].

use super::{Event, Resource, time};
use arrow::array::{
    Array, ArrayRef, BooleanArray, BooleanBuilder, Int64Array, Int64Builder, ListArray,
    ListBuilder, StringArray, StringBuilder, StructArray, StructBuilder, TimestampMicrosecondArray,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// Calls `$m!` with the list of scalar columns: (column name, Event field, kind).
/// Kinds: `str`/`req_str` (Utf8), `bool`/`req_bool`, `ts`/`req_ts`
/// (timestamp, µs, UTC), `i64`.
macro_rules! scalar_columns {
    ($m:ident) => {
        $m! {
            (event_id, event_id, req_str),
            (event_id_synthetic, event_id_synthetic, req_bool),
            (event_time, event_time, req_ts),
            (event_version, event_version, str),
            (event_source, event_source, req_str),
            (event_name, event_name, req_str),
            (aws_region, aws_region, str),
            (source_ip_address, source_ip_address, str),
            (user_agent, user_agent, str),
            (error_code, error_code, str),
            (error_message, error_message, str),
            (request_id, request_id, str),
            (event_type, event_type, str),
            (api_version, api_version, str),
            (read_only, read_only, bool),
            (management_event, management_event, bool),
            (recipient_account_id, recipient_account_id, str),
            (shared_event_id, shared_event_id, str),
            (vpc_endpoint_id, vpc_endpoint_id, str),
            (vpc_endpoint_account_id, vpc_endpoint_account_id, str),
            (event_category, event_category, str),
            (session_credential_from_console, session_credential_from_console, bool),
            (tls_version, tls_version, str),
            (tls_cipher_suite, tls_cipher_suite, str),
            (tls_client_provided_host_header, tls_client_provided_host_header, str),
            (addendum, addendum, str),
            (addendum_reason, addendum_reason, str),
            (addendum_original_event_id, addendum_original_event_id, str),
            (edge_device_details, edge_device_details, str),
            (insight_details, insight_details, str),
            (user_identity, user_identity, str),
            (identity_type, identity_type, str),
            (principal_id, principal_id, str),
            (arn, arn, str),
            (account_id, account_id, str),
            (access_key_id, access_key_id, str),
            (user_name, user_name, str),
            (invoked_by, invoked_by, str),
            (identity_provider, identity_provider, str),
            (session_issuer_type, session_issuer_type, str),
            (session_issuer_principal_id, session_issuer_principal_id, str),
            (session_issuer_arn, session_issuer_arn, str),
            (session_issuer_user_name, session_issuer_user_name, str),
            (session_issuer_account_id, session_issuer_account_id, str),
            (web_id_federation_provider, web_id_federation_provider, str),
            (mfa_authenticated, mfa_authenticated, bool),
            (session_creation_time, session_creation_time, ts),
            (source_identity, source_identity, str),
            (on_behalf_of_user_id, on_behalf_of_user_id, str),
            (on_behalf_of_identity_store_arn, on_behalf_of_identity_store_arn, str),
            (in_scope_of, in_scope_of, str),
            (credential_id, credential_id, str),
            (request_parameters, request_parameters, str),
            (response_elements, response_elements, str),
            (additional_event_data, additional_event_data, str),
            (service_event_details, service_event_details, str),
            (extra, extra, str),
            (partition, partition, req_str),
            (iam_action, iam_action, req_str),
            (is_dry_run, is_dry_run, req_bool),
            (record_hash, record_hash, req_str),
            (source_file, source_file, req_str),
            (source_index, source_index, i64),
            (source_format, source_format, req_str),
        }
    };
}

/// Times are UTC, stored without a zone: every engine then shows and
/// compares the same wall-clock value whatever its session time zone.
fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, None)
}

fn resource_fields() -> Fields {
    Fields::from(vec![
        Field::new("arn", DataType::Utf8, true),
        Field::new("account_id", DataType::Utf8, true),
        Field::new("type", DataType::Utf8, true),
    ])
}

fn resources_type() -> DataType {
    DataType::List(Arc::new(Field::new(
        "item",
        DataType::Struct(resource_fields()),
        true,
    )))
}

/// The lake's schema (the `event_date` partition column lives in the path).
pub fn schema() -> SchemaRef {
    static S: OnceLock<SchemaRef> = OnceLock::new();
    S.get_or_init(|| {
        macro_rules! fields {
            ($(($col:ident, $f:ident, $kind:ident)),* $(,)?) => {
                vec![$(field!(stringify!($col), $kind)),*]
            };
        }
        macro_rules! field {
            ($n:expr, str) => {
                Field::new($n, DataType::Utf8, true)
            };
            ($n:expr, req_str) => {
                Field::new($n, DataType::Utf8, false)
            };
            ($n:expr, bool) => {
                Field::new($n, DataType::Boolean, true)
            };
            ($n:expr, req_bool) => {
                Field::new($n, DataType::Boolean, false)
            };
            ($n:expr, ts) => {
                Field::new($n, ts_type(), true)
            };
            ($n:expr, req_ts) => {
                Field::new($n, ts_type(), false)
            };
            ($n:expr, i64) => {
                Field::new($n, DataType::Int64, false)
            };
        }
        let mut f: Vec<Field> = scalar_columns!(fields);
        // resources sits after the identity columns, before the JSON payloads
        let at = f
            .iter()
            .position(|x| x.name() == "request_parameters")
            .unwrap_or(f.len());
        f.insert(at, Field::new("resources", resources_type(), true));
        Arc::new(Schema::new(f))
    })
    .clone()
}

/// Arrow type names as `docs/SCHEMA.md` writes them.
pub fn type_name(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 => "string".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int64 => "int64".into(),
        DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) => format!("timestamp[us, {tz}]"),
        DataType::Timestamp(TimeUnit::Microsecond, None) => "timestamp[us]".into(),
        DataType::List(f) => format!("list<{}>", type_name(f.data_type())),
        DataType::Struct(fs) => format!(
            "struct<{}>",
            fs.iter()
                .map(|f| format!("{}: {}", f.name(), type_name(f.data_type())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!("{other}"),
    }
}

/// Build one record batch from events (in the given order).
pub fn to_batch(events: &[Event<'_>]) -> Result<RecordBatch, ArrowError> {
    let mut b = BatchBuilder::for_events(events);
    for e in events {
        b.push(e);
    }
    b.finish()
}

/// The builder type of a column kind.
macro_rules! builder_type {
    (str) => {
        StringBuilder
    };
    (req_str) => {
        StringBuilder
    };
    (bool) => {
        BooleanBuilder
    };
    (req_bool) => {
        BooleanBuilder
    };
    (ts) => {
        TimestampMicrosecondBuilder
    };
    (req_ts) => {
        TimestampMicrosecondBuilder
    };
    (i64) => {
        Int64Builder
    };
}

/// A column's builder with room for `rows` rows of `bytes` bytes of text.
macro_rules! new_builder {
    (str, $rows:expr, $bytes:expr) => {
        StringBuilder::with_capacity($rows, $bytes)
    };
    (req_str, $rows:expr, $bytes:expr) => {
        StringBuilder::with_capacity($rows, $bytes)
    };
    (bool, $rows:expr, $bytes:expr) => {
        BooleanBuilder::with_capacity($rows)
    };
    (req_bool, $rows:expr, $bytes:expr) => {
        BooleanBuilder::with_capacity($rows)
    };
    (ts, $rows:expr, $bytes:expr) => {
        TimestampMicrosecondBuilder::with_capacity($rows)
    };
    (req_ts, $rows:expr, $bytes:expr) => {
        TimestampMicrosecondBuilder::with_capacity($rows)
    };
    (i64, $rows:expr, $bytes:expr) => {
        Int64Builder::with_capacity($rows)
    };
}

/// Append an event's field to its column's builder.
macro_rules! push_field {
    ($b:expr, $v:expr, str) => {
        $b.append_option($v.as_deref())
    };
    ($b:expr, $v:expr, req_str) => {
        $b.append_value(&$v)
    };
    ($b:expr, $v:expr, bool) => {
        $b.append_option($v)
    };
    ($b:expr, $v:expr, req_bool) => {
        $b.append_value($v)
    };
    ($b:expr, $v:expr, ts) => {
        $b.append_option($v)
    };
    ($b:expr, $v:expr, req_ts) => {
        $b.append_value($v)
    };
    ($b:expr, $v:expr, i64) => {
        $b.append_value($v)
    };
}

/// Bytes of text of a string column over `events` (0 for other kinds).
macro_rules! text_bytes {
    ($events:expr, $f:ident, str) => {
        $events
            .iter()
            .map(|e| e.$f.as_ref().map_or(0, |v| v.len()))
            .sum()
    };
    ($events:expr, $f:ident, req_str) => {
        $events.iter().map(|e| e.$f.len()).sum()
    };
    ($events:expr, $f:ident, $other:ident) => {
        0
    };
}

/// Bytes of text a column's builder holds (0 for other kinds).
macro_rules! held_bytes {
    ($b:expr, str) => {
        $b.values_slice().len()
    };
    ($b:expr, req_str) => {
        $b.values_slice().len()
    };
    ($b:expr, $other:ident) => {
        0
    };
}

/// The shape of a chunk of rows: how many, from how many bytes of records,
/// and the text each string column took. Sizes the builders of the next
/// chunk, so they are not grown from nothing by doubling (at 1M events,
/// growing them was a tenth of ingest's CPU, most of it copying and
/// zeroing fresh pages).
#[derive(Debug, Clone, Default)]
pub struct Room {
    rows: usize,
    record_bytes: usize,
    columns: Vec<(&'static str, usize)>,
}

impl Room {
    /// `bytes`, lowered to what `rows` rows of this shape take.
    pub fn rows_to_bytes(&self, rows: usize, bytes: usize) -> usize {
        if self.rows == 0 {
            return bytes;
        }
        let per_row = (self.record_bytes / self.rows).max(1);
        bytes.min(per_row.saturating_mul(rows))
    }

    /// `n` scaled from this chunk's record bytes to `record_bytes`.
    fn scaled(&self, n: usize, record_bytes: usize) -> usize {
        (n as u128 * record_bytes as u128 / self.record_bytes.max(1) as u128) as usize
    }
}

macro_rules! batch_builder {
    ($(($col:ident, $f:ident, $kind:ident)),* $(,)?) => {
        /// Rows of the lake's schema, appended an event at a time, so an
        /// event need not outlive its record's text: ingest appends each
        /// record as it is normalized.
        pub struct BatchBuilder {
            rows: usize,
            resources: ListBuilder<StructBuilder>,
            $( $col: builder_type!($kind), )*
        }

        impl BatchBuilder {
            /// A builder with room for `rows` rows of the text that
            /// `bytes(column)` gives.
            fn with_room(rows: usize, bytes: impl Fn(&str) -> usize) -> Self {
                BatchBuilder {
                    rows: 0,
                    resources: resources_builder(),
                    $( $col: new_builder!($kind, rows, bytes(stringify!($col))), )*
                }
            }

            /// A builder sized exactly for `events`.
            pub fn for_events(events: &[Event<'_>]) -> Self {
                Self::with_room(events.len(), |col| match col {
                    $( stringify!($col) => text_bytes!(events, $f, $kind), )*
                    _ => 0,
                })
            }

            /// A builder with room for `rows` rows and no text yet.
            pub fn with_rows(rows: usize) -> Self {
                Self::with_room(rows, |_| 0)
            }

            /// A builder sized for `record_bytes` of records shaped as
            /// those of `room` were. Nothing in `room`: no room.
            pub fn sized_like(room: &Room, record_bytes: usize) -> Self {
                if room.rows == 0 {
                    return Self::with_rows(0);
                }
                let bytes = |col: &str| {
                    room.columns
                        .iter()
                        .find(|(c, _)| *c == col)
                        .map_or(0, |&(_, n)| room.scaled(n, record_bytes))
                };
                Self::with_room(room.scaled(room.rows, record_bytes) + 1, bytes)
            }

            /// The shape of the rows appended so far, from `record_bytes`
            /// of records.
            pub fn room(&self, record_bytes: usize) -> Room {
                Room {
                    rows: self.rows,
                    record_bytes,
                    columns: vec![$( (stringify!($col), held_bytes!(self.$col, $kind)), )*],
                }
            }

            /// Rows appended since the last [`BatchBuilder::finish`].
            pub fn len(&self) -> usize {
                self.rows
            }

            pub fn is_empty(&self) -> bool {
                self.rows == 0
            }

            pub fn push(&mut self, e: &Event<'_>) {
                $( push_field!(self.$col, e.$f, $kind); )*
                push_resources(&mut self.resources, e.resources.as_deref());
                self.rows += 1;
            }

            /// The rows appended so far as a batch; the builder is left
            /// empty. (It is not sized again for a next chunk: most files
            /// are one chunk, and that room would be allocated for nothing.)
            pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
                self.rows = 0;
                let mut cols: Vec<ArrayRef> = Vec::with_capacity(schema().fields().len());
                $(
                    if stringify!($col) == "request_parameters" {
                        cols.push(Arc::new(self.resources.finish()));
                    }
                    cols.push(Arc::new(self.$col.finish()));
                )*
                RecordBatch::try_new(schema(), cols)
            }
        }
    };
}
scalar_columns!(batch_builder);

fn resources_builder() -> ListBuilder<StructBuilder> {
    let sb = StructBuilder::from_fields(resource_fields(), 0);
    ListBuilder::new(sb).with_field(Arc::new(Field::new(
        "item",
        DataType::Struct(resource_fields()),
        true,
    )))
}

fn push_resources(lb: &mut ListBuilder<StructBuilder>, resources: Option<&[Resource]>) {
    match resources {
        None => lb.append(false),
        Some(rs) => {
            let sb = lb.values();
            for r in rs {
                for (i, (_, v)) in resource_members(r).into_iter().enumerate() {
                    sb.field_builder::<StringBuilder>(i)
                        .expect("resource fields are strings")
                        .append_option(v);
                }
                sb.append(true);
            }
            lb.append(true);
        }
    }
}

/// A column of a batch by name, as its Arrow array type; None when it is
/// missing or of another type.
pub fn column_of<'b, T: 'static>(batch: &'b RecordBatch, name: &str) -> Option<&'b T> {
    batch.column_by_name(name)?.as_any().downcast_ref::<T>()
}

/// [`column_of`], for batches that must have the column: an error naming it.
pub fn required_column<'b, T: 'static>(
    batch: &'b RecordBatch,
    name: &str,
) -> std::io::Result<&'b T> {
    column_of(batch, name)
        .ok_or_else(|| std::io::Error::other(format!("a batch without a valid {name} column")))
}

/// Read a batch written with [`schema`] (by column name, so a projection or
/// a later schema with more columns still reads) back into events.
pub fn from_batch(batch: &RecordBatch) -> Result<Vec<Event<'static>>, ArrowError> {
    let n = batch.num_rows();
    let mut out = vec![Event::default(); n];
    use column_of as col;
    macro_rules! read {
        ($(($col:ident, $f:ident, $kind:ident)),* $(,)?) => { $( read_col!($col, $f, $kind); )* };
    }
    macro_rules! read_col {
        ($col:ident, $f:ident, str) => {
            if let Some(a) = col::<StringArray>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = Some(a.value(i).to_string().into());
                    }
                }
            }
        };
        ($col:ident, $f:ident, req_str) => {
            if let Some(a) = col::<StringArray>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = a.value(i).to_string().into();
                    }
                }
            }
        };
        ($col:ident, $f:ident, bool) => {
            if let Some(a) = col::<BooleanArray>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = Some(a.value(i));
                    }
                }
            }
        };
        ($col:ident, $f:ident, req_bool) => {
            if let Some(a) = col::<BooleanArray>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = a.value(i);
                    }
                }
            }
        };
        ($col:ident, $f:ident, ts) => {
            if let Some(a) = col::<TimestampMicrosecondArray>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = Some(a.value(i));
                    }
                }
            }
        };
        ($col:ident, $f:ident, req_ts) => {
            if let Some(a) = col::<TimestampMicrosecondArray>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = a.value(i);
                    }
                }
            }
        };
        ($col:ident, $f:ident, i64) => {
            if let Some(a) = col::<Int64Array>(batch, stringify!($col)) {
                for (i, e) in out.iter_mut().enumerate() {
                    if a.is_valid(i) {
                        e.$f = a.value(i);
                    }
                }
            }
        };
    }
    scalar_columns!(read);
    if let Some(list) = col::<ListArray>(batch, "resources") {
        for (i, e) in out.iter_mut().enumerate() {
            if !list.is_valid(i) {
                continue;
            }
            let items = list.value(i);
            let Some(st) = items.as_any().downcast_ref::<StructArray>() else {
                continue;
            };
            let get = |c: usize, j: usize| -> Option<String> {
                let a = st.column(c).as_any().downcast_ref::<StringArray>()?;
                a.is_valid(j).then(|| a.value(j).to_string())
            };
            e.resources = Some(
                (0..st.len())
                    .map(|j| Resource {
                        arn: get(0, j),
                        account_id: get(1, j),
                        resource_type: get(2, j),
                    })
                    .collect(),
            );
        }
    }
    let _ = n;
    Ok(out)
}

/// The members of `tlsDetails` and the columns that hold them (`None`:
/// absent), in the record's order: what [`tls_value`] rebuilds, and what
/// ingest compares a record's `tlsDetails` with.
pub fn tls_members<'e>(ev: &'e Event<'_>) -> [(&'static str, Option<&'e str>); 3] {
    [
        ("tlsVersion", ev.tls_version.as_deref()),
        ("cipherSuite", ev.tls_cipher_suite.as_deref()),
        (
            "clientProvidedHostHeader",
            ev.tls_client_provided_host_header.as_deref(),
        ),
    ]
}

/// The members of one `resources[]` entry and the fields that hold them, in
/// the order of the column's struct fields.
pub fn resource_members(r: &Resource) -> [(&'static str, Option<&str>); 3] {
    [
        ("ARN", r.arn.as_deref()),
        ("accountId", r.account_id.as_deref()),
        ("type", r.resource_type.as_deref()),
    ]
}

/// A JSON object of the members that are present.
fn string_object(members: &[(&str, Option<&str>)]) -> Map<String, Value> {
    members
        .iter()
        .filter_map(|&(k, v)| Some((k.to_string(), Value::String(v?.to_string()))))
        .collect()
}

/// `tlsDetails` as the columns describe it: no columns, no object.
pub fn tls_value(ev: &Event<'_>) -> Option<Value> {
    let m = string_object(&tls_members(ev));
    (!m.is_empty()).then_some(Value::Object(m))
}

/// `resources` as the column describes it.
pub fn resources_value(rs: Option<&[Resource]>) -> Option<Value> {
    Some(Value::Array(
        rs?.iter()
            .map(|r| Value::Object(string_object(&resource_members(r))))
            .collect(),
    ))
}

fn json_text(s: &Option<Cow<'_, str>>) -> Option<Value> {
    s.as_deref()
        .and_then(|t| crate::event::canonical::parse_value(t).ok())
}

/// The original record, rebuilt from the columns and `extra`.
pub fn reconstruct(ev: &Event<'_>) -> Map<String, Value> {
    let mut m = Map::new();
    let s = |v: &Option<Cow<'_, str>>| v.as_deref().map(|t| Value::String(t.to_string()));
    let b = |v: Option<bool>| v.map(Value::Bool);
    let put = |m: &mut Map<String, Value>, k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    };
    put(&mut m, "eventVersion", s(&ev.event_version));
    put(&mut m, "userIdentity", json_text(&ev.user_identity));
    if let Some(t) = time::from_micros(ev.event_time) {
        m.insert(
            "eventTime".into(),
            Value::String(time::format_event_time(&t)),
        );
    }
    m.insert(
        "eventSource".into(),
        Value::String(ev.event_source.to_string()),
    );
    m.insert("eventName".into(), Value::String(ev.event_name.to_string()));
    put(&mut m, "awsRegion", s(&ev.aws_region));
    put(&mut m, "sourceIPAddress", s(&ev.source_ip_address));
    put(&mut m, "userAgent", s(&ev.user_agent));
    put(&mut m, "errorCode", s(&ev.error_code));
    put(&mut m, "errorMessage", s(&ev.error_message));
    put(
        &mut m,
        "requestParameters",
        json_text(&ev.request_parameters),
    );
    put(&mut m, "responseElements", json_text(&ev.response_elements));
    put(
        &mut m,
        "additionalEventData",
        json_text(&ev.additional_event_data),
    );
    put(&mut m, "requestID", s(&ev.request_id));
    if !ev.event_id_synthetic {
        m.insert("eventID".into(), Value::String(ev.event_id.to_string()));
    }
    put(&mut m, "readOnly", b(ev.read_only));
    put(
        &mut m,
        "resources",
        resources_value(ev.resources.as_deref()),
    );
    put(&mut m, "eventType", s(&ev.event_type));
    put(&mut m, "apiVersion", s(&ev.api_version));
    put(&mut m, "managementEvent", b(ev.management_event));
    put(&mut m, "recipientAccountId", s(&ev.recipient_account_id));
    put(
        &mut m,
        "serviceEventDetails",
        json_text(&ev.service_event_details),
    );
    put(&mut m, "sharedEventID", s(&ev.shared_event_id));
    put(&mut m, "vpcEndpointId", s(&ev.vpc_endpoint_id));
    put(
        &mut m,
        "vpcEndpointAccountId",
        s(&ev.vpc_endpoint_account_id),
    );
    put(&mut m, "eventCategory", s(&ev.event_category));
    put(&mut m, "addendum", json_text(&ev.addendum));
    put(
        &mut m,
        "sessionCredentialFromConsole",
        b(ev.session_credential_from_console),
    );
    put(
        &mut m,
        "edgeDeviceDetails",
        json_text(&ev.edge_device_details),
    );
    put(&mut m, "tlsDetails", tls_value(ev));
    put(&mut m, "insightDetails", json_text(&ev.insight_details));
    if let Some(Value::Object(extra)) = json_text(&ev.extra) {
        for (k, v) in extra {
            // `"eventTime": null` in extra marks a record that had none.
            if k == "eventTime" && v.is_null() {
                m.remove("eventTime");
            } else {
                m.insert(k, v);
            }
        }
    }
    m
}

#[cfg(test)]
mod room_tests {
    use super::*;

    fn event(id: &str) -> Event<'static> {
        Event {
            event_id: Cow::Owned(id.to_string()),
            ..Event::default()
        }
    }

    #[test]
    fn a_room_sizes_like_rows_and_keeps_them_intact() {
        let mut b = BatchBuilder::with_rows(0);
        for id in ["aaaa", "bbbbbb"] {
            b.push(&event(id));
        }
        let room = b.room(2_000);
        assert_eq!(room.rows, 2);
        assert_eq!(
            room.columns.iter().find(|(c, _)| *c == "event_id"),
            Some(&("event_id", 10))
        );
        // 1,000 record bytes a row: at most 3 rows' worth.
        assert_eq!(room.rows_to_bytes(3, 1 << 20), 3_000);
        assert_eq!(room.rows_to_bytes(3, 500), 500);
        assert_eq!(Room::default().rows_to_bytes(3, 500), 500);
        // Twice the record bytes: twice the room, and the same rows out.
        let mut sized = BatchBuilder::sized_like(&room, 4_000);
        for id in ["aaaa", "bbbbbb"] {
            sized.push(&event(id));
        }
        assert_eq!(sized.finish().unwrap(), b.finish().unwrap());
        let ids = BatchBuilder::sized_like(&Room::default(), 4_000)
            .finish()
            .unwrap();
        assert_eq!(ids.num_rows(), 0);
    }
}
