//! cargo-fuzz target `report_json`: see `harness::report_json_text` and docs/fuzzing.md.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::report_json_text(data));
