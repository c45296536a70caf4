//! A whole export file (gzip or not, any format): every record candidate
//! delivered once, as a record or a reject.
#![no_main]

mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oracles::decode_file(data);
});
