//! Golden files for the whole command-line output (the typos-cli pattern):
//! every `tests/cmd/*.toml` is one run of the real `jpki-status` binary
//! (its args, optional env), compared byte for byte with `NAME.stdout`,
//! `NAME.stderr` and the `status.code` in the toml (no `status` = exit 0).
//!
//! The environment is fixed here for every case: language variables,
//! colour and terminal, time zone, no site file from the default location,
//! and a PC/SC socket that does not exist (so a case without `--sim` meets
//! "no PC/SC service" even when a pcscd runs on this machine). The clock is
//! fixed by `--now` in each case's args.
//!
//! Update after an intended output change (then read the diff):
//!
//! ```sh
//! scripts/update-goldens.sh
//! ```
//!
//! Owns: running the cases and checking that the case set covers every
//! simulated profile. Must not: hold expected output in code (it lives in
//! tests/cmd/).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;

/// Every variable a run could read to change its output, fixed.
const FIXED_ENV: &[(&str, &str)] = &[
    // Language: English unless a case says `--lang ja` or sets one of
    // ENV_CASES_MAY_SET (LC_MESSAGES beats LANG).
    ("LANG", "C"),
    ("LC_ALL", ""),
    // Output styling and wrapping (clap reads COLUMNS when stdout is no
    // terminal).
    ("NO_COLOR", "1"),
    ("TERM", "dumb"),
    ("COLUMNS", "100"),
    ("TZ", "UTC"),
    // No site file from the default location (src/site/mod.rs default_path):
    // point every candidate at a folder that does not exist.
    ("XDG_CONFIG_HOME", "/nonexistent/jpki-status-golden/config"),
    ("HOME", "/nonexistent/jpki-status-golden/home"),
    ("APPDATA", "/nonexistent/jpki-status-golden/appdata"),
    // pcsc-lite's client takes its socket path from here: nothing listens.
    (
        "PCSCLITE_CSOCK_NAME",
        "/nonexistent/jpki-status-golden/pcscd.comm",
    ),
];

/// Variables some cases set in their own `[env.add]`. trycmd lets the
/// defaults above win over a case's own value, so these are not defaults:
/// they are removed from this process's environment instead (the cases
/// inherit it), which fixes them just the same for every other case.
const ENV_CASES_MAY_SET: &[&str] = &["LC_MESSAGES", "JPKI_STATUS_LANG"];

fn cmd_dir() -> PathBuf {
    common::repo().join("tests/cmd")
}

#[test]
fn cli_golden() {
    for var in ENV_CASES_MAY_SET {
        // Edition 2021: safe; nothing else in this test binary reads the
        // environment while the cases run.
        std::env::remove_var(var);
    }
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("jpki-status", Path::new(env!("CARGO_BIN_EXE_jpki-status")))
        .default_bin_name("jpki-status")
        .timeout(std::time::Duration::from_secs(60));
    for (k, v) in FIXED_ENV {
        cases.env(*k, *v);
    }
    cases.case("tests/cmd/*.toml");
}

fn case_names() -> BTreeSet<String> {
    std::fs::read_dir(cmd_dir())
        .expect("tests/cmd")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
        .collect()
}

/// A case without its `.stdout` or `.stderr` file would not check that
/// stream at all (trycmd skips a missing expectation): every case pins both.
#[test]
fn every_case_pins_stdout_and_stderr() {
    let names = case_names();
    assert!(names.len() > 100, "only {} golden cases", names.len());
    for name in &names {
        for ext in ["stdout", "stderr"] {
            let path = cmd_dir().join(format!("{name}.{ext}"));
            assert!(
                path.exists(),
                "{} is missing: create it empty and run scripts/update-goldens.sh",
                path.display()
            );
        }
    }
    println!("{} golden cases in tests/cmd", names.len());
}

/// Each simulated profile is pinned in Japanese, English and JSON: a new
/// profile without goldens fails here.
#[test]
fn every_profile_has_ja_en_and_json_goldens() {
    let names = case_names();
    for profile in common::profile_files() {
        for variant in ["ja", "en", "json"] {
            let case = format!("read-{profile}-{variant}");
            assert!(
                names.contains(&case),
                "tests/cmd/{case}.toml is missing: copy read-fresh-{variant}.toml, \
                 change the profile, run scripts/update-goldens.sh"
            );
        }
    }
}

/// trycmd lets the fixed defaults win over a case's own `[env.add]`: a case
/// setting one of them would silently run with the default instead.
#[test]
fn no_case_sets_a_fixed_variable() {
    for name in case_names() {
        let path = cmd_dir().join(format!("{name}.toml"));
        let case: toml::Value = std::fs::read_to_string(&path)
            .expect("case readable")
            .parse()
            .expect("case parses");
        let added = case
            .get("env")
            .and_then(|e| e.get("add"))
            .and_then(toml::Value::as_table);
        for var in added.into_iter().flat_map(|t| t.keys()) {
            assert!(
                !FIXED_ENV.iter().any(|(k, _)| k == var),
                "{}: {var} is fixed for every case in tests/cli_golden.rs and would be \
                 ignored; use one of {ENV_CASES_MAY_SET:?}",
                path.display()
            );
        }
    }
}
