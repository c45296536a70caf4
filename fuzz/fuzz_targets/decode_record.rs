//! One record: normalize, Arrow and back, rebuilt equal to the original.
#![no_main]

mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::decode_record(data));
