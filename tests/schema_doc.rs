//! docs/SCHEMA.md documents the lake's schema; the Parquet files backtrail
//! writes have exactly that schema.

use backtrail::event::schema::{schema, type_name};

fn documented() -> Vec<(String, String, bool)> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCHEMA.md")).unwrap();
    doc.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (
                cells[1].trim_matches('`').to_string(),
                cells[2].to_string(),
                cells[3] == "yes",
            )
        })
        .collect()
}

#[test]
fn written_parquet_schema_equals_the_documented_one() {
    let t = tempfile::tempdir().unwrap();
    let rec = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-01-01T00:00:00Z","eventID":"x"}"#;
    let ev = backtrail::event::normalize(
        rec,
        backtrail::event::Origin {
            source_file: "f",
            source_index: 0,
            source_format: "single",
        },
        1 << 20,
    )
    .unwrap();
    let path = t.path().join("x.parquet");
    backtrail::lake::write::write_events(&path, &mut [ev]).unwrap();
    let written = backtrail::lake::read::file_schema(&path).unwrap();

    let doc = documented();
    let got: Vec<(String, String, bool)> = written
        .fields()
        .iter()
        .map(|f| (f.name().clone(), type_name(f.data_type()), f.is_nullable()))
        .collect();
    assert_eq!(
        got, doc,
        "docs/SCHEMA.md and the written Parquet schema differ"
    );
    assert_eq!(written.fields().len(), schema().fields().len());
}
