//! Errors a person meets on the command line: each has a clear sentence, a
//! next step, the documented exit code, and with --json a JSON error document.

mod common;
use common::run_cli as run;
use common::Program;
use serde_json::Value;

#[test]
fn an_unknown_reader_name_is_a_usage_error_listing_the_readers() {
    let (code, stdout, stderr) = run(&["--sim", "fresh", "--reader", "no such reader", "--json"]);
    assert_eq!(code, 2, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("json");
    let doc = common::schema::Doc::of_stdout(&["--json"], &json);
    common::schema::assert_valid(doc, &json, "cli_errors");
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
fn without_a_pcsc_service_the_tool_says_what_to_do_and_exits_7() {
    // pcsc-lite's client library takes its socket path from
    // PCSCLITE_CSOCK_NAME: pointing it nowhere gives "no service" whatever
    // runs on this machine (other tests may have a pcscd up).
    let out = Program::jpki_status()
        .args(["--json", "--no-input"])
        .env("JPKI_STATUS_LANG", "en")
        .env(
            "PCSCLITE_CSOCK_NAME",
            "/nonexistent/jpki-status-test/pcscd.comm",
        )
        .run();
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    assert_eq!(out.code, Some(7), "{stderr}");
    let json: Value = serde_json::from_str(stdout).expect("json");
    let doc = common::schema::Doc::of_stdout(&["--json"], &json);
    common::schema::assert_valid(doc, &json, "cli_errors");
    assert_eq!(json["error"]["code"], "no_service", "{stdout}");
    assert!(
        stderr.contains("not running") && stderr.contains("→"),
        "what and next step: {stderr}"
    );
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

#[test]
fn a_broken_site_file_names_its_line_and_stops() {
    let dir = tempfile::tempdir().expect("tmp");
    let site = dir.path().join("site.toml");
    std::fs::write(&site, "[office]\nname = \"X\"\nphon = \"1\"\n").expect("write");
    let (code, stdout, stderr) = run(&[
        "--sim",
        "fresh",
        "--no-input",
        "--site",
        site.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.is_empty(),
        "no reading printed with a broken site file: {stdout}"
    );
    assert!(
        stderr.contains(":3:") && stderr.contains("phon"),
        "line and key named: {stderr}"
    );
}

#[test]
fn slip_is_written_with_the_route_and_the_office_and_no_personal_data() {
    let dir = tempfile::tempdir().expect("tmp");
    let slip = dir.path().join("slip.html");
    let site = concat!(env!("CARGO_MANIFEST_DIR"), "/apdu/site.example.toml");
    let (code, stdout, stderr) = run(&[
        "--sim",
        "both-jpki-locked",
        "--json",
        "--lang",
        "en",
        "--site",
        site,
        "--slip",
        slip.to_str().expect("utf8"),
        "--now",
        "2026-11-22T10:00:00+09:00",
    ]);
    assert_eq!(code, 5, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("json");
    let doc = common::schema::Doc::of_stdout(&["--json"], &json);
    common::schema::assert_valid(doc, &json, "cli_errors");
    assert_eq!(json["slip"].as_str(), slip.to_str());
    let html = std::fs::read_to_string(&slip).expect("slip written");
    assert!(html.contains("LOCKED"), "lock badge");
    assert!(html.contains("サンプル市役所"), "the site's office");
    for private in ["3B E0 00 FF", "JPKIAPICCTOKEN2", "2030-06-01", "simulator"] {
        assert!(!html.contains(private), "slip must not contain {private}");
    }
}

#[test]
fn language_order_is_flag_then_env_then_site_then_locale() {
    let site = concat!(env!("CARGO_MANIFEST_DIR"), "/apdu/site.example.toml"); // lang = "ja"
    let lang_of = |extra: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Program::jpki_status()
            .args(["--sim", "fresh", "--no-input"])
            .args(extra);
        for (key, value) in env {
            cmd = cmd.env(key, value);
        }
        let out = cmd.run().stdout;
        if out.starts_with("マイナンバーカード") {
            "ja"
        } else {
            assert!(out.starts_with("My Number Card"), "{out}");
            "en"
        }
    };
    assert_eq!(lang_of(&[], &[]), "en", "no locale: English");
    assert_eq!(lang_of(&[], &[("LANG", "ja_JP.UTF-8")]), "ja", "locale");
    assert_eq!(
        lang_of(&["--site", site], &[("LANG", "en_US.UTF-8")]),
        "ja",
        "site beats locale"
    );
    assert_eq!(
        lang_of(&["--site", site], &[("JPKI_STATUS_LANG", "en")]),
        "en",
        "env beats site"
    );
    assert_eq!(
        lang_of(
            &["--site", site, "--lang", "en"],
            &[("JPKI_STATUS_LANG", "ja")]
        ),
        "en",
        "flag beats all"
    );
}

/// A full disk (Linux's /dev/full) is a failure with a message and a next
/// step, for a reading and for `advise`, never a silent exit 1.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_stdout_says_so() {
    for args in [
        &["--sim", "fresh", "--no-input", "--lang", "en"][..],
        &["advise", "--lost", "--lang", "en"][..],
    ] {
        let out = Program::jpki_status()
            .args(args)
            .stdout_to("/dev/full")
            .run();
        let stderr = &out.stderr;
        assert_eq!(out.code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("Cannot write the output") && stderr.contains("→"),
            "{args:?}: {stderr}"
        );
    }
}
