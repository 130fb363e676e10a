//! libFuzzer target: `nps_fuzz::config` on every input.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| nps_fuzz::config(data));
