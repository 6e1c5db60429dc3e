//! cargo-fuzz target `profile_toml`: see `harness::profile_toml` and docs/fuzzing.md.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::profile_toml(data));
