//! Errors a person meets on the command line: each has a clear sentence, a
//! next step, the documented exit code, and with --json a JSON error document.

use serde_json::Value;
use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jpki-status"))
        .args(args)
        .env("JPKI_STATUS_LANG", "en")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unknown_reader_name_is_a_usage_error_listing_the_readers() {
    let (code, stdout, stderr) = run(&["--sim", "fresh", "--reader", "no such reader", "--json"]);
    assert_eq!(code, 2, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(json["error"]["code"], "unknown_reader");
    assert_eq!(json["error"]["exit_code"], 2);
    assert!(
        stderr.contains("jpki-status simulator (fresh)"),
        "candidates listed: {stderr}"
    );
}

#[test]
fn a_unique_part_of_the_reader_name_is_enough() {
    let (code, _, stderr) = run(&["--sim", "fresh", "--reader", "SIMULATOR", "--no-input"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn without_a_pcsc_service_or_reader_the_tool_says_what_to_do_and_exits_7() {
    // On a machine without pcscd this is "no service"; where a pcscd runs
    // without a card it is "no reader" or "no card". Each must exit 7 with a
    // next step, never a table.
    let (code, stdout, stderr) = run(&["--json", "--no-input"]);
    if code == 0 || (3..=6).contains(&code) {
        eprintln!("a real card is present; skipping the negative check");
        return;
    }
    assert_eq!(code, 7, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("json");
    let c = json["error"]["code"].as_str().expect("code");
    assert!(["no_service", "no_reader", "no_card"].contains(&c), "{c}");
    assert!(stderr.contains("→"), "a next step is printed: {stderr}");
    assert!(json["keys"].is_null(), "no reading is printed");
}

#[test]
fn bad_options_exit_2() {
    let (code, _, _) = run(&["--no-such-option"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = run(&["--sim", "fresh", "--now", "yesterday"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("RFC 3339"), "{stderr}");
}

#[test]
fn help_teaches_the_exit_codes_and_the_simulator() {
    let (code, stdout, _) = run(&["--help"]);
    assert_eq!(code, 0);
    for needle in ["Exit codes", "--sim", "00 20 00 80", "--wait", "--reader"] {
        assert!(stdout.contains(needle), "--help lacks {needle}");
    }
    let (_, profiles, _) = run(&["profiles"]);
    assert!(profiles.lines().count() >= 14, "{profiles}");
}
