//! Shared helpers for the integration tests: the fixed clock, reading a
//! profile through the production probe, describing a row the way
//! profiles' `[expect]` tables do, and (program.rs) the one way to run the
//! built binary or any other program, with a timeout.
#![allow(dead_code)]

mod program;
pub mod schema;
#[allow(unused_imports)] // each test binary uses its own part
pub use program::{Program, Run};

use jpki_status::probe::{read_card, ProbeOptions};
use jpki_status::report::{CardReport, KeyReport, KeyStatus};
use jpki_status::sim::{SimCard, SimTerminal};
use jpki_status::transport::Terminal;
use std::path::PathBuf;
use time::OffsetDateTime;

/// Every test reads "now" from here, so certificate days never drift.
pub const NOW: &str = "2026-11-22T10:00:00+09:00";

pub fn now() -> OffsetDateTime {
    OffsetDateTime::parse(NOW, &time::format_description::well_known::Rfc3339).expect("NOW parses")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The profile names found in apdu/profiles/, sorted.
pub fn profile_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("apdu/profiles"))
        .expect("apdu/profiles")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Reads a profile with the production probe through the in-process
/// terminal; returns the report and the terminal (to inspect the card).
pub fn read_profile(name: &str, options: ProbeOptions) -> (CardReport, SimTerminal) {
    let mut terminal = SimTerminal::new(SimCard::load(name).expect("profile loads"));
    let reader = terminal.readers().expect("readers")[0].name.clone();
    let report = {
        let mut conn = terminal.connect(&reader).expect("connect");
        let mut tx = conn.transaction().expect("transaction");
        read_card(&mut *tx, options, now()).expect("reading completes")
    };
    (report, terminal)
}

/// `remaining 3`, `locked`, `verified`, `absent`, `unexpected 6A86`.
pub fn describe(k: &KeyReport) -> String {
    match k.status {
        KeyStatus::Remaining { left } => format!("remaining {left}"),
        KeyStatus::Locked => "locked".into(),
        KeyStatus::Verified => "verified".into(),
        KeyStatus::Absent => "absent".into(),
        KeyStatus::Unexpected => format!(
            "unexpected {}",
            k.sw.map(|s| s.to_hex()).unwrap_or_default()
        ),
    }
}

/// Runs the real `jpki-status` binary with the locale cleared (so output is
/// English unless `--lang` says otherwise): exit code, stdout, stderr.
/// Shorthand for [`Program::jpki_status`]`.args(args).run()`.
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    Program::jpki_status().args(args).run().parts()
}
