//! `backtrail lake ...`: facts about the lake for other tools.

use crate::lake::ddl::{Engine, ddl};
use clap::{Args, Subcommand};

/// Work with the lake from other engines.
#[derive(Debug, Args)]
pub struct LakeArgs {
    #[command(subcommand)]
    pub command: LakeCommand,
}

#[derive(Debug, Subcommand)]
pub enum LakeCommand {
    /// Print the CREATE TABLE that reads the lake in place from another engine.
    #[command(after_help = "Examples:
  backtrail lake ddl --engine athena --location s3://my-bucket/backtrail-lake
  backtrail lake ddl --engine duckdb --location ./lake | duckdb
  backtrail lake ddl --engine spark --location hdfs:///data/lake")]
    Ddl {
        /// The engine.
        #[arg(long, value_enum)]
        engine: Engine,
        /// Where the lake is (the directory that holds events/).
        #[arg(long)]
        location: String,
    },
}

pub fn run(a: LakeArgs) -> anyhow::Result<u8> {
    match a.command {
        LakeCommand::Ddl { engine, location } => {
            print!("{}", ddl(engine, &location));
            Ok(crate::exit::OK)
        }
    }
}
