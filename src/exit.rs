//! Exit codes, documented in the README and `backtrail --help`.

/// Everything went as asked.
pub const OK: u8 = 0;
/// An error stopped the command (bad lake, unreadable output, ...).
pub const ERROR: u8 = 1;
/// The command line was wrong (clap's own code).
pub const USAGE: u8 = 2;
/// The command finished, but something needs attention: records were
/// rejected or files were unrecognised/unreadable (ingest), a log file or
/// digest does not verify (verify; incident, postmortem and drift given
/// digests), or a finding reached `--fail-on` (drift).
pub const ATTENTION: u8 = 3;
/// `--strict` and something was rejected: nothing was written.
pub const STRICT_ABORT: u8 = 4;
