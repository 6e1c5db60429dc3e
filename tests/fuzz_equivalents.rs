//! Stable equivalents of the cargo-fuzz targets (fuzz/, docs/fuzzing.md):
//! the same harness (`fuzz/harness.rs`), driven by proptest instead of
//! libFuzzer, so every `cargo test` throws a few hundred hostile inputs at
//! each target even where the nightly toolchain is missing; and the seed and
//! regression corpora replayed input by input, so a crash once found stays
//! fixed.

#[path = "../fuzz/harness.rs"]
mod harness;

use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn corpus(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    if kind == "regressions" && !dir.exists() {
        return Vec::new();
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("corpus file");
            (p, bytes)
        })
        .collect()
}

/// A target's name and its harness entry point.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 4] = [
    ("probe", harness::probe),
    ("report_json", harness::report_json_text),
    ("site_toml", harness::site_toml),
    ("profile_toml", harness::profile_toml),
];

/// Every committed seed and regression input of every target runs clean.
#[test]
fn every_seed_and_regression_input_runs_clean() {
    for (name, run) in TARGETS {
        let seeds = corpus("seeds", name);
        assert!(seeds.len() >= 3, "{name}: seed corpus too small");
        let regressions = corpus("regressions", name);
        for (path, bytes) in seeds.iter().chain(regressions.iter()) {
            eprintln!("{}", path.display());
            run(bytes);
        }
    }
}

/// A card whose authentication certificate says notAfter 99991231235959Z
/// (RFC 5280's "no expiry", 10000-01-01 in Japan time), read by the probe
/// up to the advice, text and slip: before the certificate-path clamp
/// (issue 10) `to_offset(JST)` panicked in probe::read_certificate. Built
/// by code, so it follows the probe's command sequence; the committed copy
/// in fuzz/regressions/probe/ is checked above.
#[test]
fn far_date_certificate_through_the_probe() {
    harness::probe(&harness::far_date_probe_input());
}

/// Mutations of a seed: flips, cuts and splices, as libFuzzer makes them,
/// so proptest gets past the first byte checks the way the fuzzer does.
fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    let n = seeds.len();
    (
        0..n,
        prop::collection::vec((any::<u16>(), any::<u8>(), 0u8..4), 0..12),
    )
        .prop_map(move |(i, edits)| {
            let mut v = seeds[i].clone();
            for (at, byte, op) in edits {
                let at = usize::from(at) % (v.len() + 1);
                match op {
                    0 if at < v.len() => v[at] ^= byte.max(1),
                    1 => v.insert(at, byte),
                    2 if at < v.len() => {
                        v.remove(at);
                    }
                    _ => v.truncate(at.max(1)),
                }
            }
            v
        })
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    corpus("seeds", target)
        .into_iter()
        .map(|(_, b)| b)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn probe_behind_a_hostile_card_never_panics(data in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        mutated(seeds("probe")),
    ]) {
        harness::probe(&data);
    }

    #[test]
    fn saved_report_json_never_panics(data in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        mutated(seeds("report_json")),
    ]) {
        harness::report_json_text(&data);
    }

    #[test]
    fn site_toml_never_panics(data in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        mutated(seeds("site_toml")),
    ]) {
        harness::site_toml(&data);
    }

    #[test]
    fn profile_toml_never_panics(data in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        mutated(seeds("profile_toml")),
    ]) {
        harness::profile_toml(&data);
    }
}

/// The committed regression inputs that are built by code (the far-date
/// certificate) match what the code builds now; `JPKI_UPDATE_FUZZ_SEEDS=1`
/// rewrites them (after a change to the probe's command sequence).
#[test]
fn built_regression_inputs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let files = [
        (
            root.join("probe/far-date-certificate-99991231235959Z.bin"),
            harness::far_date_probe_input(),
        ),
        (
            root.join("profile_toml/far-date-certificate.toml"),
            harness::far_date_profile().into_bytes(),
        ),
    ];
    for (path, bytes) in files {
        if std::env::var_os("JPKI_UPDATE_FUZZ_SEEDS").is_some() {
            std::fs::write(&path, &bytes).expect("write regression input");
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (JPKI_UPDATE_FUZZ_SEEDS=1 writes it)",
                path.display()
            )
        });
        assert!(
            committed == bytes,
            "{} is stale: run JPKI_UPDATE_FUZZ_SEEDS=1 cargo test --test fuzz_equivalents",
            path.display()
        );
    }
}
