//! `export`: the lake's records written back as CloudTrail JSON.

use super::{Lake, read};
use crate::event::schema;
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// Output shapes for export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One record per line.
    Ndjson,
    /// An S3 delivery document, `{"Records":[...]}`.
    Records,
}

#[derive(Serialize)]
struct WithSource<'a> {
    source_file: &'a str,
    source_index: i64,
    record: Value,
}

/// Write every record of the lake to `out`. With `with_source`, each line is
/// `{"source_file", "source_index", "record"}` so records can be matched to
/// their originals. Returns the number of records.
pub fn export(
    lake: &Lake,
    format: ExportFormat,
    with_source: bool,
    out: &mut dyn Write,
) -> io::Result<u64> {
    let mut n = 0u64;
    if format == ExportFormat::Records {
        out.write_all(b"{\"Records\":[")?;
    }
    read::for_each_event_batch(lake, |_, events| {
        for ev in events {
            let rec = Value::Object(schema::reconstruct(&ev));
            match format {
                ExportFormat::Ndjson => {
                    if with_source {
                        serde_json::to_writer(
                            &mut *out,
                            &WithSource {
                                source_file: &ev.source_file,
                                source_index: ev.source_index,
                                record: rec,
                            },
                        )?;
                    } else {
                        serde_json::to_writer(&mut *out, &rec)?;
                    }
                    out.write_all(b"\n")?;
                }
                ExportFormat::Records => {
                    if n > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut *out, &rec)?;
                }
            }
            n += 1;
        }
        Ok(())
    })?;
    if format == ExportFormat::Records {
        out.write_all(b"]}\n")?;
    }
    out.flush()?;
    Ok(n)
}
