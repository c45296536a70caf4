//! backtrail: an offline postmortem analyzer for AWS CloudTrail logs.
//!
//! The pipeline, in module order: [`formats`] decodes export files into
//! records; [`event`] normalizes a record into the lake's schema; [`lake`]
//! writes, reads and exports the Parquet lake; [`cli`] is the command line.

pub mod actors;
pub mod cli;
pub mod coverage;
pub mod drift;
pub mod event;
pub mod exit;
pub mod formats;
pub mod iam;
pub mod incident;
pub mod lake;
pub mod progress;
pub mod query;
pub mod report;
pub mod scratch;
pub mod synth;
pub mod verify;
