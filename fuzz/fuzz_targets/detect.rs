//! Format detection: top-level values parsed and matched against every
//! export envelope.
#![no_main]

mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::detect(data));
