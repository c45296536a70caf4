//! `CREATE TABLE` statements that let other engines read the lake in place.

use crate::event::schema::schema;
use arrow::datatypes::{DataType, Field};

/// Engines backtrail writes DDL for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Athena,
    Spark,
    Trino,
    Duckdb,
}

fn hive_type(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 => "string".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Timestamp(..) => "timestamp".into(),
        DataType::List(f) => format!("array<{}>", hive_type(f.data_type())),
        DataType::Struct(fs) => format!(
            "struct<{}>",
            fs.iter()
                .map(|f| format!("{}:{}", f.name(), hive_type(f.data_type())))
                .collect::<Vec<_>>()
                .join(",")
        ),
        other => format!("{other}"),
    }
}

fn trino_type(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 => "varchar".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Timestamp(..) => "timestamp(6)".into(),
        DataType::List(f) => format!("array({})", trino_type(f.data_type())),
        DataType::Struct(fs) => format!(
            "row({})",
            fs.iter()
                .map(|f| format!("\"{}\" {}", f.name(), trino_type(f.data_type())))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => format!("{other}"),
    }
}

fn columns(f: impl Fn(&Field) -> String) -> String {
    schema()
        .fields()
        .iter()
        .map(|x| format!("  {}", f(x)))
        .collect::<Vec<_>>()
        .join(",\n")
}

/// The DDL for `engine`, with the lake at `location` (the directory that
/// holds `events/`, e.g. `s3://bucket/lake`).
pub fn ddl(engine: Engine, location: &str) -> String {
    let loc = location.trim_end_matches('/');
    let q = |s: &str| s.replace('\'', "''");
    match engine {
        Engine::Athena => format!(
            "-- Athena: the lake as an external table, partitions found by projection\n\
             -- (no MSCK REPAIR needed). Adjust the date range to your data.\n\
             CREATE EXTERNAL TABLE IF NOT EXISTS events (\n{}\n)\n\
             PARTITIONED BY (event_date string)\n\
             STORED AS PARQUET\n\
             LOCATION '{loc}/events/'\n\
             TBLPROPERTIES (\n\
             \x20 'parquet.compression' = 'ZSTD',\n\
             \x20 'projection.enabled' = 'true',\n\
             \x20 'projection.event_date.type' = 'date',\n\
             \x20 'projection.event_date.format' = 'yyyy-MM-dd',\n\
             \x20 'projection.event_date.range' = '2013-01-01,NOW',\n\
             \x20 'projection.event_date.interval' = '1',\n\
             \x20 'projection.event_date.interval.unit' = 'DAYS',\n\
             \x20 'storage.location.template' = '{loc}/events/event_date=${{event_date}}/'\n\
             );\n",
            columns(|f| format!("`{}` {}", f.name(), hive_type(f.data_type()))),
            loc = q(loc)
        ),
        Engine::Spark => format!(
            "-- Spark SQL: the lake as a partitioned Parquet table.\n\
             CREATE TABLE IF NOT EXISTS events (\n{},\n  `event_date` date\n)\n\
             USING parquet\n\
             PARTITIONED BY (event_date)\n\
             LOCATION '{loc}/events';\n\
             MSCK REPAIR TABLE events;\n",
            columns(|f| format!("`{}` {}", f.name(), hive_type(f.data_type()))),
            loc = q(loc)
        ),
        Engine::Trino => format!(
            "-- Trino (Hive connector): the lake as an external table.\n\
             CREATE TABLE IF NOT EXISTS hive.default.events (\n{},\n  \"event_date\" varchar\n)\n\
             WITH (\n\
             \x20 format = 'PARQUET',\n\
             \x20 external_location = '{loc}/events',\n\
             \x20 partitioned_by = ARRAY['event_date']\n\
             );\n\
             CALL hive.system.sync_partition_metadata('default', 'events', 'ADD');\n",
            columns(|f| format!("\"{}\" {}", f.name(), trino_type(f.data_type()))),
            loc = q(loc)
        ),
        Engine::Duckdb => format!(
            "-- DuckDB: a view over the lake's files (hive partitioning gives event_date).\n\
             CREATE OR REPLACE VIEW events AS\n\
             SELECT * FROM read_parquet('{loc}/events/*/*.parquet', hive_partitioning = true);\n",
            loc = q(loc)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ddl_names_every_column_and_the_partition() {
        for e in [Engine::Athena, Engine::Spark, Engine::Trino] {
            let d = ddl(e, "s3://bucket/lake/");
            for f in schema().fields() {
                assert!(d.contains(f.name().as_str()), "{e:?} {}", f.name());
            }
            assert!(d.contains("event_date"));
            assert!(d.contains("s3://bucket/lake/events"), "{d}");
        }
        let a = ddl(Engine::Athena, "s3://b/l");
        assert!(a.contains("'projection.event_date.type' = 'date'"));
        assert!(a.contains("`resources` array<struct<arn:string,account_id:string,type:string>>"));
        assert!(ddl(Engine::Duckdb, "/x/it's").contains("/x/it''s/events"));
    }
}
