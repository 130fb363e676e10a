//! libFuzzer target: `nps_fuzz::json_keys` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nps_fuzz::json_keys(data));
