//! The tool's own words follow the language: with `--lang ja` (or a
//! Japanese locale or `JPKI_STATUS_LANG=ja`), `--help`, argument errors and
//! `profiles` carry no English sentence; with `--lang en`, no Japanese
//! sentence. Japanese help fits an 80-column terminal. Runs the real binary.

use std::process::Command;
use unicode_width::UnicodeWidthStr;

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jpki-status"));
    cmd.args(args)
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("JPKI_STATUS_LANG")
        .env("COLUMNS", "80");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An English sentence: three lowercase English words in a row, once
/// option names (`--no-input`), `backticked` spans and command examples
/// are set aside; or one of clap's own English labels.
fn english_sentence(text: &str) -> Option<String> {
    for label in [
        "Usage",
        "Options",
        "Commands",
        "Arguments",
        "Print help",
        "Print version",
        "possible values",
        "Possible values",
        "[default",
        "error:",
        "For more information",
        "tip:",
        "Exit codes",
    ] {
        if text.contains(label) {
            return Some(label.to_string());
        }
    }
    for line in text.lines() {
        let mut run = Vec::new();
        for word in line.split(|c: char| c.is_whitespace() || "（）「」。:：,".contains(c)) {
            let plain = !word.is_empty()
                && word.len() >= 2
                && !word.starts_with('-')
                && word.chars().all(|c| c.is_ascii_lowercase() || c == '\'');
            if plain && !matches!(word, "jpki" | "status") {
                run.push(word);
                if run.len() >= 3 {
                    return Some(format!("{:?} in {line:?}", run));
                }
            } else {
                run.clear();
            }
        }
    }
    None
}

/// A Japanese sentence: Japanese punctuation or our Japanese labels.
fn japanese_sentence(text: &str) -> Option<String> {
    for mark in [
        "。",
        "、",
        "エラー",
        "使い方",
        "オプション",
        "コマンド:",
        "してください",
        "ます",
    ] {
        if text.contains(mark) {
            return Some(mark.to_string());
        }
    }
    None
}

const HELPS: &[&[&str]] = &[
    &["--help"],
    &["-h"],
    &["advise", "--help"],
    &["advise", "-h"],
    &["readers", "--help"],
    &["profiles", "--help"],
    &["help"],
    &["help", "advise"],
];

#[test]
fn japanese_help_has_no_english_sentence_and_fits_80_columns() {
    for args in HELPS {
        let mut a = vec!["--lang", "ja"];
        a.extend_from_slice(args);
        let (code, out, err) = run(&a, &[]);
        assert_eq!(code, 0, "{a:?}: {err}");
        assert!(out.contains("使い方: jpki-status"), "{a:?}:\n{out}");
        if let Some(leak) = english_sentence(&out) {
            panic!("{a:?}: English in Japanese help: {leak}\n{out}");
        }
        for line in out.lines() {
            assert!(
                line.width() <= 80,
                "{a:?}: {} columns: {line}",
                line.width()
            );
        }
    }
}

#[test]
fn english_help_has_no_japanese_sentence() {
    for args in HELPS {
        let mut a = vec!["--lang", "en"];
        a.extend_from_slice(args);
        let (code, out, err) = run(&a, &[]);
        assert_eq!(code, 0, "{a:?}: {err}");
        assert!(out.contains("Usage: jpki-status"), "{a:?}:\n{out}");
        if let Some(leak) = japanese_sentence(&out) {
            panic!("{a:?}: Japanese in English help: {leak}\n{out}");
        }
    }
}

const BAD: &[&[&str]] = &[
    &["--bogus"],
    &["--rea", "x"],
    &["--wait", "abc"],
    &["--who", "nobody"],
    &["--moved", "--not-moved"],
    &["advise", "--tries", "sign=x"],
    &["advise", "--now", "yesterday"],
    &["advise", "--locked", "pin9"],
    &["frobnicate"],
    &["--json", "--json"],
    &["--reading-timeout", "soon"],
];

#[test]
fn argument_errors_are_japanese_with_lang_ja_env_or_locale() {
    type Way<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let ways: &[Way] = &[
        (&["--lang", "ja"], &[]),
        (&[], &[("JPKI_STATUS_LANG", "ja")]),
        (&[], &[("LANG", "ja_JP.UTF-8")]),
    ];
    for (prefix, env) in ways {
        for bad in BAD {
            let mut a = prefix.to_vec();
            a.extend_from_slice(bad);
            let (code, out, err) = run(&a, env);
            assert_eq!(code, 2, "{a:?} {env:?}: {err}");
            // With --json, stdout carries the JSON error document (docs/json.md).
            if a.contains(&"--json") {
                assert!(out.contains("\"code\": \"usage\""), "{a:?}: stdout {out}");
                if let Some(leak) = english_sentence(&out) {
                    panic!("{a:?}: English in the JSON error: {leak}\n{out}");
                }
            } else {
                assert!(out.is_empty(), "{a:?}: stdout {out}");
            }
            assert!(
                err.starts_with("jpki-status: エラー: "),
                "{a:?} {env:?}:\n{err}"
            );
            assert!(
                err.contains("jpki-status --help"),
                "{a:?}: no pointer to help:\n{err}"
            );
            if let Some(leak) = english_sentence(&err) {
                panic!("{a:?} {env:?}: English in a Japanese error: {leak}\n{err}");
            }
        }
    }
}

#[test]
fn argument_errors_are_english_with_lang_en_even_on_a_japanese_locale() {
    for bad in BAD {
        let mut a = vec!["--lang", "en"];
        a.extend_from_slice(bad);
        let (code, _, err) = run(&a, &[("LANG", "ja_JP.UTF-8")]);
        assert_eq!(code, 2, "{a:?}: {err}");
        assert!(err.starts_with("error: "), "{a:?}:\n{err}");
        if let Some(leak) = japanese_sentence(&err) {
            panic!("{a:?}: Japanese in an English error: {leak}\n{err}");
        }
    }
}

#[test]
fn unknown_option_suggests_the_near_one_in_japanese() {
    let (code, _, err) = run(&["--lang", "ja", "--wiat"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("もしかして: --wait"), "{err}");
}

#[test]
fn profiles_follow_the_language() {
    let (code, ja, _) = run(&["--lang", "ja", "profiles"], &[]);
    assert_eq!(code, 0);
    let (_, en, _) = run(&["--lang", "en", "profiles"], &[]);
    assert_eq!(ja.lines().count(), en.lines().count());
    assert!(ja.lines().count() >= 17, "{ja}");
    for line in ja.lines() {
        assert!(
            line.contains(['の', 'が', 'に', 'を', 'で', 'は']),
            "not Japanese: {line}"
        );
    }
    if let Some(leak) = english_sentence(&ja) {
        panic!("English in Japanese profiles: {leak}\n{ja}");
    }
    if let Some(leak) = japanese_sentence(&en) {
        panic!("Japanese in English profiles: {leak}\n{en}");
    }
}

#[test]
fn version_is_the_same_in_both_languages() {
    let (_, ja, _) = run(&["--lang", "ja", "--version"], &[]);
    let (_, en, _) = run(&["--version"], &[]);
    assert_eq!(ja, en);
    assert!(en.starts_with("jpki-status "), "{en}");
}

/// The details view says each assumption once under its heading (not
/// 「前提: 前提: …」 / "Assumed: Assumed: …"), and an English one starts
/// with a capital.
#[test]
fn details_say_each_assumption_once() {
    let (_, ja, _) = run(&["--sim", "fresh", "--details", "--lang", "ja"], &[]);
    assert!(
        ja.contains("前提:\n  - カードの有効期限は切れていません"),
        "{ja}"
    );
    assert!(!ja.contains("- 前提: "), "{ja}");
    let (_, en, _) = run(&["--sim", "fresh", "--details", "--lang", "en"], &[]);
    assert!(
        en.contains("Assumed:\n  - The card is not past its printed expiry"),
        "{en}"
    );
    assert!(!en.contains("- Assumed: "), "{en}");
}
