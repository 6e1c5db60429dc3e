//! The JSON contract: docs/schema/*.schema.json (hand-written, strict:
//! `additionalProperties: false` or `unevaluatedProperties: false` and
//! `required` on every object) against what the binary really prints.
//!
//! - every JSON document in the goldens (tests/cmd/*.stdout of `--json`
//!   cases) matches its schema;
//! - every property a schema declares is produced by at least one of those
//!   documents (a schema cannot describe fields that no longer exist);
//! - renaming any field of a real document breaks validation (the schemas
//!   are strict everywhere), so a renamed field in the output fails here
//!   naming the schema file, and in tests/cli_golden.rs naming the golden.
//!
//! The profile, advice and end-to-end suites validate their own documents
//! with the same helper (tests/common/schema.rs).

mod common;

use common::schema::{self, Doc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

/// Every `--json` golden case: (file stem, args, stdout).
fn golden_json_cases() -> Vec<(String, Vec<String>, String)> {
    let dir = common::repo().join("tests/cmd");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/cmd") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "toml") {
            continue;
        }
        let toml: toml::Value = std::fs::read_to_string(&path)
            .expect("toml")
            .parse()
            .expect("case parses");
        let args: Vec<String> = toml["args"]
            .as_str()
            .expect("args is a string")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if !args.iter().any(|a| a == "--json") {
            continue;
        }
        let stdout = std::fs::read_to_string(path.with_extension("stdout")).expect("stdout");
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        cases.push((stem, args, stdout));
    }
    cases.sort();
    cases
}

/// Every golden JSON document with its type, validated.
fn golden_documents() -> Vec<(Doc, Value, String)> {
    let mut docs = Vec::new();
    for (stem, args, stdout) in golden_json_cases() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let what = format!("tests/cmd/{stem}.stdout");
        assert!(
            !stdout.trim().is_empty(),
            "{what}: a --json run printed nothing on stdout"
        );
        for (doc, value) in schema::assert_stdout_valid(&args, &stdout, &what) {
            docs.push((doc, value, what.clone()));
        }
    }
    docs
}

/// A watch session with `--slip FOLDER` on a simulated card: the `report`
/// event carries `slip` (not in a golden: the file name must be new).
fn watch_with_slip_documents() -> Vec<(Doc, Value, String)> {
    let dir = tempfile::tempdir().expect("tmp");
    let args = [
        "--watch",
        "--json",
        "--sim",
        "sign-1-left",
        "--now",
        common::NOW,
        "--slip",
        dir.path().to_str().expect("utf-8 path"),
    ];
    // A watcher waits for Ctrl-C: the command from the one helper, the
    // process bounded here (killed after the report or 30 s).
    let mut child = common::Program::jpki_status()
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent/jpki-status-test")
        .env("HOME", "/nonexistent/jpki-status-test")
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    // Three events come at once (reader_added, card_inserted, report); the
    // watcher then waits for Ctrl-C, so it is killed after the report.
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let done = line.contains("\"type\":\"report\"");
            let _ = tx.send(line);
            if done {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(30)) {
        let done = line.contains("\"type\":\"report\"");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = reader.join();
    assert_eq!(
        lines.len(),
        3,
        "reader_added, card_inserted, report: {lines:?}"
    );
    let docs = schema::assert_stdout_valid(&args, &lines.join("\n"), "jpki-status --watch --slip");
    let report = &docs[2].1;
    let slip = report["slip"]
        .as_str()
        .expect("report event names its slip");
    assert!(std::path::Path::new(slip).is_file(), "{slip} written");
    docs.into_iter()
        .map(|(d, v)| (d, v, "watch --slip".to_string()))
        .collect()
}

#[test]
fn every_golden_json_document_matches_its_schema() {
    let docs = golden_documents();
    let per_type: BTreeMap<Doc, usize> = docs.iter().fold(BTreeMap::new(), |mut m, (d, _, _)| {
        *m.entry(*d).or_default() += 1;
        m
    });
    for doc in Doc::ALL {
        assert!(
            per_type.get(&doc).copied().unwrap_or(0) > 0,
            "no golden document of type {doc:?}"
        );
    }
    println!(
        "validated {} golden JSON documents against docs/schema: {per_type:?}",
        docs.len()
    );
}

#[test]
fn every_property_in_a_schema_is_produced_by_some_document() {
    let mut docs = golden_documents();
    docs.extend(watch_with_slip_documents());
    let values: Vec<(Doc, Value)> = docs.iter().map(|(d, v, _)| (*d, v.clone())).collect();
    let (declared, covered, missing) = schema::coverage(&Doc::ALL, &values, "");
    println!(
        "{} of {} declared properties produced by the {} test documents",
        covered,
        declared,
        docs.len()
    );
    assert!(
        missing.is_empty(),
        "declared in a schema but produced by no test document (remove it from the \
         schema and docs/json.md, or add a golden case that produces it):\n{}",
        missing.join("\n")
    );
}

/// The strictness that makes a renamed field fail: for one rich document
/// of each type, renaming any single key anywhere breaks validation.
#[test]
fn renaming_any_field_breaks_validation() {
    let docs = golden_documents();
    let mut mutations = 0;
    for doc in Doc::ALL {
        // The document of this type with the most keys.
        let (_, sample, what) = docs
            .iter()
            .filter(|(d, _, _)| *d == doc)
            .max_by_key(|(_, v, _)| schema::key_count(v))
            .expect("a document of every type");
        mutations += schema::every_rename_is_rejected(doc, sample, what);
    }
    println!("{mutations} single-field renames, each rejected by its schema");
}
