//! Every card profile in apdu/profiles/, read through the library and
//! through the real `jpki-status` binary, checked against the profile's own
//! `[expect]` table. After every run the simulated card's counters must be
//! unchanged and no VERIFY with a body may have reached it.

mod common;
use common::*;
use jpki_status::probe::ProbeOptions;
use jpki_status::sim::profile::{Profile, BUILTIN_PROFILES};
use serde_json::Value;

#[test]
fn the_builtin_list_is_exactly_the_profile_folder() {
    let mut builtin: Vec<String> = BUILTIN_PROFILES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    builtin.sort();
    assert_eq!(
        builtin,
        profile_files(),
        "add new apdu/profiles files to BUILTIN_PROFILES"
    );
}

#[test]
fn every_profile_through_the_library_meets_its_expectations_and_spends_nothing() {
    for name in profile_files() {
        let profile = Profile::load(&name).expect("loads");
        let before = jpki_status::sim::SimCard::load(&name)
            .expect("loads")
            .counters();
        for diagnostics in [false, true] {
            let (report, terminal) = read_profile(&name, ProbeOptions { diagnostics });
            assert!(
                terminal.card().violations().is_empty(),
                "{name}: {:?}",
                terminal.card().violations()
            );
            assert_eq!(
                terminal.card().counters(),
                before,
                "{name}: a counter changed"
            );
            assert_eq!(
                report.apdus as usize,
                terminal.card().exchanges(),
                "{name}: APDU count"
            );
            let expect = profile.expect.clone().unwrap_or_default();
            if let Some(kind) = &expect.kind {
                assert_eq!(report.card.kind.name(), kind, "{name}: kind");
            }
            for (key, want) in &expect.keys {
                let row = report
                    .keys
                    .iter()
                    .find(|k| k.id.name() == key)
                    .unwrap_or_else(|| panic!("{name}: no row {key}"));
                assert_eq!(&describe(row), want, "{name}: key {key}");
            }
            if let Some(m) = expect.juki_mismatch {
                assert_eq!(
                    report
                        .key(jpki_status::card::KeyId::Juki)
                        .map(|k| k.mismatch),
                    Some(m),
                    "{name}: mismatch"
                );
            }
            let card = serde_json::to_value(&report.card).expect("json");
            for (field, want) in [
                ("signature_certificate", &expect.signature_certificate),
                ("certificate_expiry", &expect.certificate_expiry),
                ("certificate_status", &expect.certificate_status),
            ] {
                if let Some(want) = want {
                    assert_eq!(
                        card[field].as_str(),
                        Some(want.as_str()),
                        "{name}: card.{field}"
                    );
                }
            }
            if let Some(want) = expect.contactless {
                // The interface is the session's finding (reader name, ATR),
                // not the probe's: read once more through it.
                let mut terminal = jpki_status::sim::SimTerminal::new(
                    jpki_status::sim::SimCard::load(&name).expect("loads"),
                );
                let reader = jpki_status::transport::Terminal::readers(&mut terminal)
                    .expect("readers")[0]
                    .name
                    .clone();
                let through_session = jpki_status::session::read_reader(
                    &mut terminal,
                    &reader,
                    ProbeOptions { diagnostics },
                    now(),
                    None,
                )
                .expect("reads");
                assert_eq!(
                    through_session.card.contactless, want,
                    "{name}: card.contactless"
                );
            }
            let holder_rows = report.keys.iter().filter(|k| !k.diagnostic).count();
            assert_eq!(holder_rows, 4, "{name}: every holder row present");
            assert_eq!(report.keys.len(), if diagnostics { 8 } else { 4 }, "{name}");
        }
    }
}

#[test]
fn every_profile_through_the_cli_gives_the_library_reading_as_json_and_text() {
    for name in profile_files() {
        let (report, _) = read_profile(&name, ProbeOptions::default());
        let (code, stdout, stderr) =
            run_cli(&["--sim", &name, "--json", "--no-input", "--now", NOW]);
        let json: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{stdout}\n{stderr}"));
        assert_eq!(json["schema_version"], 2);
        common::schema::assert_valid(
            common::schema::Doc::Reading,
            &json,
            &format!("jpki-status --sim {name} --json"),
        );
        assert_eq!(
            json["keys"],
            serde_json::to_value(&report.keys).expect("json"),
            "{name}"
        );
        assert_eq!(json["card"]["kind"], report.card.kind.name(), "{name}");
        let profile = Profile::load(&name).expect("loads");
        if let Some(exit) = profile.expect.as_ref().and_then(|e| e.exit) {
            assert_eq!(code, i32::from(exit), "{name}: exit code\n{stderr}");
        }
        if let Some(want) = profile.expect.as_ref().and_then(|e| e.contactless) {
            assert_eq!(
                json["card"]["contactless"].as_bool(),
                Some(want),
                "{name}: card.contactless"
            );
        }
        if let Some(route) = profile.expect.as_ref().and_then(|e| e.route.clone()) {
            assert_eq!(
                json["advice"]["route"].as_str(),
                Some(route.as_str()),
                "{name}: route"
            );
        }
        assert!(
            matches!(code, 0 | 3 | 4 | 5 | 6),
            "{name}: a completed reading exits with a finding code, got {code}"
        );

        for (lang, locked_word) in [("en", "LOCKED"), ("ja", "ロック中")] {
            let (text_code, text, _) =
                run_cli(&["--sim", &name, "--no-input", "--lang", lang, "--now", NOW]);
            assert_eq!(
                text_code, code,
                "{name}: text and JSON runs agree on the exit code"
            );
            let locked_rows = report
                .keys
                .iter()
                .filter(|k| k.status == jpki_status::report::KeyStatus::Locked)
                .count();
            assert_eq!(
                text.matches(locked_word).count(),
                locked_rows,
                "{name} ({lang}):\n{text}"
            );
        }
        // With --diagnostics: the 照合番号 rows, same schema.
        let (_, stdout, _) = run_cli(&[
            "--sim",
            &name,
            "--json",
            "--diagnostics",
            "--no-input",
            "--now",
            NOW,
        ]);
        let json: Value = serde_json::from_str(&stdout).expect("json");
        let doc = common::schema::Doc::of_stdout(&["--json"], &json);
        common::schema::assert_valid(doc, &json, &format!("--sim {name} --json --diagnostics"));
    }
    println!(
        "validated {} JSON documents against docs/schema (a reading with and without --diagnostics per profile)",
        2 * profile_files().len()
    );
}

#[test]
fn a_bad_profile_is_a_usage_error_that_names_the_builtins() {
    let (code, stdout, stderr) = run_cli(&["--sim", "no-such-card", "--json"]);
    assert_eq!(code, 2);
    let json: Value = serde_json::from_str(&stdout).expect("json error document");
    common::schema::assert_valid(common::schema::Doc::Error, &json, "--sim no-such-card");
    assert_eq!(json["error"]["code"], "profile");
    assert!(stderr.contains("fresh"), "{stderr}");
}

#[test]
fn the_verbose_trace_shows_only_allowed_commands() {
    let (_, _, stderr) = run_cli(&["--sim", "fresh", "-v", "--no-input"]);
    let commands: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .collect();
    assert!(commands.len() > 10, "{stderr}");
    for c in commands {
        let ok = c.starts_with("00 A4 04 0C 0A ")
            || c.starts_with("00 A4 02 0C 02 ")
            || c == "00 20 00 80"
            || c.starts_with("00 B0 ");
        assert!(ok, "unexpected command {c}");
    }
}
