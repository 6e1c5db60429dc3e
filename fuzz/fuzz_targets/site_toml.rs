//! cargo-fuzz target `site_toml`: see `harness::site_toml` and docs/fuzzing.md.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::site_toml(data));
