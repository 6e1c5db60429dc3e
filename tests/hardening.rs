//! Input hardening (issue 10), through the real binary wherever a person
//! would meet it: `--now` outside the supported range, dates at its edges,
//! input files that are devices, FIFOs, folders or too large, `--wait`
//! values, exit codes with a closed pipe and a full disk, `advise --from`
//! agreeing with the reading, and slips that never replace anything but a
//! regular file. Every run has a time limit: a regression here is a hang or
//! a memory blow-up, and the test must fail rather than take the machine.

mod common;

use jpki_status::advice::{advise, AdviceInput, Facts};
use jpki_status::lang::Lang;
use jpki_status::present::report_text as text;
use jpki_status::probe::ProbeOptions;
use jpki_status::site::Site;
use jpki_status::slip;
use proptest::prelude::*;

use std::path::Path;
#[cfg(unix)]
use std::process::Command;
use std::time::Duration;
use time::OffsetDateTime;

#[cfg(unix)]
const BIN: &str = env!("CARGO_BIN_EXE_jpki-status");
const LIMIT: Duration = Duration::from_secs(20);

/// The binary in English, no questions, no default site file, with a time
/// limit (tests/common/program.rs).
fn program(args: &[&str]) -> common::Program {
    common::Program::jpki_status()
        .args(args)
        .env("XDG_CONFIG_HOME", "/nonexistent-jpki-status-test")
        .timeout(LIMIT)
}

/// Exit code, stdout and stderr of one run.
fn run(args: &[&str]) -> (i32, String, String) {
    program(args).run().parts()
}

const NOW: &str = "--now=2026-11-22T10:00:00+09:00";

// ---------------------------------------------------------------- --now

#[test]
fn now_outside_the_supported_range_is_a_usage_error_not_a_panic() {
    for now in [
        "9999-12-31T20:00:00Z",
        "9999-12-31T15:00:00Z",
        "9999-12-31T00:00:00+09:00",
        "1899-12-31T23:59:59+09:00",
        "-0001-01-01T00:00:00Z",
    ] {
        for args in [
            vec!["--sim", "fresh", "--no-input"],
            vec!["--sim", "fresh", "--json"],
            vec!["advise", "--locked", "auth"],
        ] {
            let mut a = args.clone();
            let flag = format!("--now={now}");
            a.push(&flag);
            let (code, _, err) = run(&a);
            assert_eq!(code, 2, "{a:?}: {err}");
            assert!(
                err.contains("outside the supported range") || err.contains("RFC 3339"),
                "{a:?}: {err}"
            );
        }
    }
}

#[test]
fn now_at_either_edge_of_the_range_reads_advises_and_writes_a_slip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slip = dir.path().join("slip.html");
    let slip = slip.to_str().expect("utf-8 path");
    let site = common::repo().join("apdu/site.example.toml");
    let site = site.to_str().expect("utf-8 path");
    for now in [
        "--now=9999-12-30T23:59:59+09:00",
        "--now=1900-01-01T00:00:00+09:00",
    ] {
        for profile in ["fresh", "both-jpki-locked", "certificate-expired"] {
            for mode in ["--json", "--lang=ja", "--lang=en"] {
                let args = [
                    "--sim",
                    profile,
                    now,
                    mode,
                    "--no-input",
                    "--slip",
                    slip,
                    "--site",
                    site,
                ];
                let (code, out, err) = run(&args);
                assert!(
                    [0, 3, 4, 5].contains(&code),
                    "{args:?} exited {code}: {err}"
                );
                assert!(!out.is_empty(), "{args:?}");
            }
        }
        let (code, _, err) = run(&["advise", "--locked", "sign", now]);
        assert_eq!(code, 3, "{err}");
    }
}

/// Any instant the date type holds, in any offset, with half the cases in
/// the two days at either end of the range (where a conversion to Japan
/// time, or a day added, overflows).
fn any_instant() -> impl Strategy<Value = OffsetDateTime> {
    let lo = time::macros::datetime!(-9999-01-01 00:00:00 UTC).unix_timestamp();
    let hi = time::macros::datetime!(9999-12-31 23:59:59 UTC).unix_timestamp();
    let secs = prop_oneof![lo..=hi, lo..=lo + 2 * 86_400, hi - 2 * 86_400..=hi,];
    (secs, -86_399i32..=86_399, 0u32..1_000_000_000).prop_map(|(secs, off, nanos)| {
        let offset = time::UtcOffset::from_whole_seconds(off).expect("offset");
        let t = OffsetDateTime::from_unix_timestamp(secs).expect("in range");
        let t = t.replace_nanosecond(nanos).expect("nanos");
        t.checked_to_offset(offset).unwrap_or(t)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// The advice, the text, the site box and the slip are total over every
    /// instant the date type can hold, in any offset: the library does not
    /// rely on the command line's range check.
    #[test]
    fn advice_text_and_slip_are_total_over_every_instant(now in any_instant(), which in 0usize..4) {
        let profile = ["fresh", "both-jpki-locked", "certificate-expired", "not-my-number-card"][which];
        let (report, _) = common::read_profile(profile, ProbeOptions::default());
        let site = Site::load(&common::repo().join("apdu/site.example.toml")).expect("site");
        for lang in [Lang::Ja, Lang::En] {
            let advice = advise(&AdviceInput::from_report(&report, Facts::default()), now).localized(lang);
            let _ = text::render_report(&report, lang);
            let _ = jpki_status::present::advice_page::render(&advice, lang);
            let _ = site.render_text(lang, now);
            let _ = slip::render_slip(Some(&report), &advice, Some(&site), lang, now);
            let _ = slip::slip_file_name(now);
        }
    }
}

// ---------------------------------------------------------------- files

/// `advise --from`, `--site` and `--sim` given a path that is not a file
/// the tool could mean: each ends at once with exit 2 and says why.
fn refused_everywhere(path: &str, why: &str) {
    let cases: [Vec<&str>; 3] = [
        vec!["advise", "--from", path],
        vec!["--sim", "fresh", "--no-input", "--site", path],
        vec!["--sim", path, "--no-input"],
    ];
    for args in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
        assert!(!out.contains("Sources:"), "{args:?} printed advice: {out}");
    }
}

#[cfg(unix)]
#[test]
fn input_files_that_are_devices_fifos_or_folders_are_refused_without_reading() {
    refused_everywhere("/dev/zero", "is a device, not a regular file");
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    // Opening a FIFO with no writer blocks: the check must come first.
    refused_everywhere(fifo.to_str().expect("utf-8"), "is a FIFO (named pipe)");
    refused_everywhere(dir.path().to_str().expect("utf-8"), "is a folder");
}

#[test]
fn input_files_over_one_mebibyte_are_refused_with_the_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.json");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(jpki_status::input::MAX_INPUT_BYTES + 1)
        .expect("sparse file");
    refused_everywhere(big.to_str().expect("utf-8"), "larger than 1024 KiB");
}

// ---------------------------------------------------------------- --wait

#[test]
fn wait_values_that_are_not_seconds_are_usage_errors() {
    for w in ["-1", "nan", "NaN", "inf", "-inf", "1e9", "abc", ""] {
        let flag = format!("--wait={w}");
        let (code, _, err) = run(&["--sim", "fresh", "--no-input", &flag]);
        assert_eq!(code, 2, "{flag}: {err}");
        assert!(err.contains("seconds"), "{flag}: {err}");
    }
}

#[test]
fn wait_zero_looks_once_and_wait_alone_waits_until_a_card_is_there() {
    for flag in ["--wait=0", "--wait", "--wait=2.5", "--wait=1000000"] {
        let (code, out, err) = run(&["--sim", "fresh", "--json", flag]);
        assert_eq!(code, 0, "{flag}: {err}");
        assert!(out.contains("\"keys\""), "{flag}: {out}");
    }
}

// ---------------------------------------------------------------- exit codes

fn exit_of(args: &[&str]) -> i32 {
    run(args).0
}

/// With stdout a pipe nobody reads any more (a reader that went away), the
/// run still ends with the reading's own code, in text
/// and JSON, for every profile; nothing about a pipe is printed.
#[test]
fn a_closed_pipe_ends_with_the_readings_own_code_in_every_mode() {
    for profile in common::profile_files() {
        for mode in ["--json", "--lang=en"] {
            let args = ["--sim", &profile, mode, "--no-input", NOW];
            let expected = exit_of(&args);
            let (code, _, err) = program(&args).stdout_closed().run().parts();
            assert_eq!(code, expected, "{args:?}: {err}");
            assert!(err.is_empty(), "{args:?}: {err:?}");
        }
    }
}

/// What a person types: `jpki-status --sim auth-locked --json | head -c1`.
#[cfg(unix)]
#[test]
fn piping_into_head_keeps_the_readings_code() {
    for (cmd, expected) in [
        ("--sim auth-locked --json", "3"),
        ("--sim auth-locked --lang=en --no-input", "3"),
        ("--sim both-jpki-locked --json", "5"),
        ("--sim not-my-number-card --no-input", "6"),
        ("advise --locked auth --locked sign --json", "5"),
    ] {
        let script =
            format!("'{BIN}' {cmd} {NOW} | head -c1 >/dev/null; echo \"${{PIPESTATUS[0]}}\"");
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .output()
            .expect("bash");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            expected,
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `/dev/full` as stdout (a full disk): exit 1 and a message saying the
/// output could not be written, in every mode.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_exit_1_with_a_message() {
    for args in [
        vec!["--sim", "fresh", "--json"],
        vec!["--sim", "auth-locked", "--no-input", "--lang=en"],
        vec!["advise", "--locked", "auth"],
        vec!["advise", "--locked", "auth", "--json"],
        vec!["profiles"],
    ] {
        let (code, _, err) = program(&args).stdout_to("/dev/full").run().parts();
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains("Cannot write the output"), "{args:?}: {err}");
        assert!(err.contains("disk space"), "{args:?}: {err}");
    }
}

/// `advise --from` on the `--json` output of a reading exits with the same
/// code as that reading, for every profile.
#[test]
fn advise_from_a_saved_reading_exits_as_the_reading_did() {
    let dir = tempfile::tempdir().expect("tempdir");
    for profile in common::profile_files() {
        let (code, out, err) = run(&["--sim", &profile, "--json", NOW]);
        assert!(!out.is_empty(), "{profile}: {err}");
        let saved = dir.path().join(format!("{profile}.json"));
        std::fs::write(&saved, out).expect("save");
        let saved = saved.to_str().expect("utf-8");
        for mode in [&["--json"][..], &[][..]] {
            let mut args = vec!["advise", "--from", saved, NOW];
            args.extend_from_slice(mode);
            let (again, _, err) = run(&args);
            assert_eq!(again, code, "{profile} {mode:?}: {err}");
        }
    }
}

// ---------------------------------------------------------------- slips

fn slip_refused(path: &Path, why: &str, next: &str) {
    let p = path.to_str().expect("utf-8");
    for mode in ["--json", "--lang=en"] {
        let (code, out, err) = run(&["--sim", "fresh", "--no-input", mode, "--slip", p]);
        assert_eq!(code, 2, "{p} {mode}: {err}");
        assert!(err.contains(why), "{p}: {err}");
        assert!(err.contains(next), "{p}: {err}");
        if mode == "--json" {
            let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON error document");
            assert_eq!(doc["error"]["exit_code"], 2, "{out}");
            assert!(doc["error"]["code"]
                .as_str()
                .unwrap_or("")
                .starts_with("slip_"));
        }
    }
}

#[cfg(unix)]
#[test]
fn a_slip_never_replaces_a_device() {
    use std::os::unix::fs::FileTypeExt;
    slip_refused(Path::new("/dev/null"), "is a device", "new file name");
    let meta = std::fs::symlink_metadata("/dev/null").expect("/dev/null");
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
}

#[cfg(unix)]
#[test]
fn a_slip_never_replaces_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("slip.html");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    slip_refused(&fifo, "is a FIFO", "new file name");
    let meta = std::fs::symlink_metadata(&fifo).expect("fifo");
    assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
}

#[cfg(unix)]
#[test]
fn a_slip_never_replaces_a_symlink_nor_writes_through_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("real.html");
    std::fs::write(&target, "untouched").expect("write");
    let link = dir.path().join("slip.html");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    slip_refused(&link, "is a symbolic link", "the file the link points to");
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "untouched");
}

#[test]
fn a_slip_is_refused_for_a_folder_or_a_missing_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    slip_refused(dir.path(), "is a folder", "--watch");
    slip_refused(
        &dir.path().join("no-such-folder/slip.html"),
        "does not exist",
        "Create the folder",
    );
    assert!(!dir.path().join("no-such-folder").exists());
}

#[test]
fn a_slip_replaces_an_existing_regular_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("slip.html");
    std::fs::write(&path, "old slip").expect("write");
    let p = path.to_str().expect("utf-8");
    let (code, out, err) = run(&["--sim", "fresh", "--json", "--slip", p, NOW]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&path).expect("slip");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html:.80}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["slip"], p);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary file left: {leftovers:?}");
}

/// Watch mode's `--slip FOLDER`: a path that is a file or a device is not
/// a folder, and is refused before watching starts.
#[test]
fn a_watch_slip_folder_that_is_not_a_folder_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("write");
    let mut paths = vec![file.to_str().expect("utf-8").to_string()];
    if cfg!(unix) {
        paths.push("/dev/null".into());
    }
    for p in paths {
        let (code, _, err) = run(&["--watch", "--sim", "fresh", "--lang=en", "--slip", &p]);
        assert_eq!(code, 2, "{p}: {err}");
        assert!(err.contains("not a folder for slips"), "{p}: {err}");
        assert!(err.contains("names a folder"), "{p}: {err}");
    }
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "x");
}

/// In a watch folder, a name already taken by anything (a symbolic link
/// planted where the next slip would go, even a dangling one) is skipped,
/// never written through.
#[cfg(unix)]
#[test]
fn a_watch_slip_never_writes_through_a_planted_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let now = common::now();
    let name = slip::slip_file_name(now);
    let victim = dir.path().join("victim");
    std::os::unix::fs::symlink(&victim, dir.path().join(&name)).expect("symlink");
    let written = slip::write_slip_in_dir(dir.path(), now, "<p>slip</p>").expect("writes");
    assert_ne!(written, dir.path().join(&name));
    assert!(!victim.exists(), "wrote through the link");
    assert_eq!(
        std::fs::read_to_string(&written).expect("read"),
        "<p>slip</p>"
    );
}

/// Watch mode: when whoever reads the events goes away, the watch ends with
/// exit 0 (nothing failed; the next write notices, so the pipe is closed
/// here before the first event); a full disk ends it with exit 1 and a message.
#[test]
fn watch_mode_ends_cleanly_on_a_closed_pipe_and_fails_on_a_full_disk() {
    for mode in ["--json", "--lang=en"] {
        let watch = ["--watch", "--sim", "fresh", mode, NOW];
        // The time limit fails the test if the watch keeps running with its
        // output closed.
        let (code, _, err) = program(&watch).stdout_closed().run().parts();
        assert_eq!(code, 0, "{mode}: {err}");
        #[cfg(target_os = "linux")]
        {
            let (code, _, err) = program(&watch).stdout_to("/dev/full").run().parts();
            assert_eq!(code, 1, "{mode}: {err}");
            assert!(err.contains("Cannot write the output"), "{err}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// `--wait` accepts exactly the finite numbers of seconds from 0 to
    /// 1,000,000, whatever the number, and never panics.
    #[test]
    fn wait_accepts_exactly_finite_seconds_in_range(x in any::<f64>()) {
        use jpki_status::cli::{parse_wait, Wait, MAX_WAIT_SECS};
        let parsed = parse_wait(&x.to_string());
        let valid = x.is_finite() && (0.0..=MAX_WAIT_SECS).contains(&x);
        prop_assert_eq!(parsed.is_ok(), valid, "{}", x);
        if let Ok(Wait::AtMost(d)) = parsed {
            prop_assert!((d.as_secs_f64() - x.abs()).abs() < 1e-6);
        }
    }

    /// `--now` never panics on any text, and what it accepts is inside the
    /// documented range, in Japan time.
    #[test]
    fn now_parsing_is_total_and_stays_in_range(s in "\\PC{0,40}", t in any_instant()) {
        use jpki_status::cli::advise::{parse_now, NOW_RANGE};
        let _ = parse_now(&s);
        let text = t.format(&time::format_description::well_known::Rfc3339);
        if let Ok(text) = text {
            if let Ok(now) = parse_now(&text) {
                prop_assert!(now >= NOW_RANGE.0 && now <= NOW_RANGE.1);
                prop_assert_eq!(now.offset().whole_hours(), 9);
            }
        }
    }
}
