//! `jpki-status advise`: one case per rule R0-R14, the combining rules and
//! the time rules, run twice: through the library's `run_advise` (the same
//! arguments parsed by clap) and through the real binary.
//!
//! The binary cases need `advise` wired into src/main.rs; the library cases
//! check the same table without it.

mod common;

use clap::Parser;
use jpki_status::cli::advise::{run_advise, AdviseArgs};
use jpki_status::exit::Exit;
use jpki_status::lang::Lang;
use serde_json::Value;

/// Kiosk-friendly facts: other PIN known is added per case.
const KIOSK: &[&str] = &[
    "--not-moved",
    "--smartphone",
    "--age",
    "adult",
    "--not-adult-ward",
    "--who",
    "holder",
    "--purpose",
    "mynaportal",
];

struct Case {
    name: &'static str,
    args: Vec<&'static str>,
    exit: u8,
    route: &'static str,
    text: &'static [&'static str],
}

fn with(base: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
    base.iter().chain(more).copied().collect()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "R0",
            args: vec!["--card-expired"],
            exit: 5,
            route: "card_renewal",
            text: &["apply for a new card"],
        },
        Case {
            name: "R1",
            args: vec!["--lost"],
            exit: 5,
            route: "suspend_and_reissue",
            // Corrections (2026-11-26): the police 受理番号 for a loss outside
            // the home, and the reissue fee.
            text: &["0120-95-0178", "受理番号", "1,000 yen"],
        },
        Case {
            name: "R1b",
            args: vec!["--damaged"],
            exit: 5,
            route: "card_renewal",
            text: &["reissue"],
        },
        Case {
            name: "R2",
            args: vec!["--face-auth-card", "--locked", "auth"],
            exit: 5,
            route: "no_pin_route",
            text: &["face-authentication card"],
        },
        Case {
            name: "R3",
            args: vec!["--tries", "auth=2", "--knows", "auth"],
            exit: 0,
            route: "none",
            text: &["do not come back with time"],
        },
        Case {
            name: "R4",
            args: vec!["--locked", "auth", "--purpose", "health-insurance"],
            exit: 0,
            route: "none",
            text: &["visual check by staff"],
        },
        Case {
            name: "R5",
            args: with(
                KIOSK,
                &["--locked", "auth", "--knows", "sign", "--tries", "sign=2"],
            ),
            exit: 4,
            route: "kiosk",
            text: &["JPKI暗証番号リセット", "Seven-Eleven", "only 2 tries left"],
        },
        Case {
            name: "R6",
            args: vec!["--moved", "--purpose", "e-tax"],
            exit: 5,
            route: "certificate_renewal",
            text: &["revokes the signature certificate"],
        },
        Case {
            name: "R7",
            args: with(KIOSK, &["--locked", "sign", "--knows", "auth"]),
            exit: 4,
            route: "kiosk",
            text: &["face match", "Lawson", "uppercase letters (A-Z)"],
        },
        Case {
            name: "R8",
            args: vec!["--locked", "auth", "--locked", "sign"],
            exit: 5,
            route: "counter",
            text: &["the signature password at the municipal counter"],
        },
        Case {
            name: "R9",
            args: vec!["--certificate-expired"],
            // The card's own expiry is an exception with a usual answer
            // (issue 9): was "conditional", exit 3.
            exit: 5,
            route: "certificate_renewal",
            text: &["if the card itself is past its expiry, apply for a new card"],
        },
        Case {
            name: "R10",
            args: vec!["--locked", "juki"],
            exit: 5,
            route: "counter",
            text: &["reset the resident-register PIN at the municipal counter"],
        },
        Case {
            name: "R11",
            args: vec!["--locked", "kenhojo", "--who", "holder"],
            exit: 5,
            route: "counter",
            // Corrections (2026-11-26): free, and "the card and a photo ID to
            // be safe" (was "no fee found", lists A/B).
            text: &["free", "photo ID", "where your 住民票 is"],
        },
        Case {
            name: "R12",
            args: vec![
                "--locked",
                "auth",
                "--age",
                "under15",
                "--purpose",
                "mynaportal",
            ],
            exit: 5,
            route: "counter",
            text: &["legal representative"],
        },
        Case {
            name: "R13",
            args: vec!["--locked", "juki", "--who", "proxy"],
            exit: 5,
            route: "counter",
            text: &["letter of delegation"],
        },
        Case {
            name: "R14",
            args: vec!["--phone-certificate"],
            exit: 4,
            route: "phone_app",
            text: &["Mynaportal app"],
        },
        Case {
            name: "combining: one visit",
            args: with(
                KIOSK,
                &["--locked", "auth", "--knows", "sign", "--locked", "juki"],
            ),
            exit: 5,
            route: "counter",
            text: &["One counter visit"],
        },
        Case {
            name: "combining: both JPKI forgotten",
            args: vec!["--forgot", "auth", "--forgot", "sign", "--purpose", "e-tax"],
            exit: 5,
            route: "counter",
            text: &["the signature password at the municipal counter"],
        },
        Case {
            name: "conditional: unknown memory",
            args: vec!["--locked", "auth"],
            exit: 3,
            route: "conditional",
            text: &["Advice: if you remember the signature password, a store kiosk; if not, the municipal counter."],
        },
        Case {
            name: "issue 9: auth locked, sign known, adult",
            args: vec!["--locked", "auth", "--knows", "sign", "--age", "adult"],
            exit: 4,
            route: "kiosk",
            text: &[
                "Advice: reset the user-authentication PIN at a store kiosk",
                "if you moved or changed your name",
                "an appointed proxy goes, go to the municipal counter",
            ],
        },
        Case {
            name: "time: 23:10",
            args: with(
                KIOSK,
                &[
                    "--locked",
                    "auth",
                    "--knows",
                    "sign",
                    "--now",
                    "2026-11-22T23:10:00+09:00",
                ],
            ),
            exit: 4,
            route: "kiosk",
            text: &["from 6:30 on Mon 23 Nov", "Too late for a store kiosk today"],
        },
        Case {
            name: "time: 14:10 UTC is 23:10 JST",
            args: with(
                KIOSK,
                &[
                    "--locked",
                    "auth",
                    "--knows",
                    "sign",
                    "--now",
                    "2026-11-22T14:10:00Z",
                ],
            ),
            exit: 4,
            route: "kiosk",
            text: &["from 6:30 on Mon 23 Nov"],
        },
        Case {
            name: "time: open",
            args: with(
                KIOSK,
                &[
                    "--locked",
                    "auth",
                    "--knows",
                    "sign",
                    "--now",
                    "2026-11-22T10:00:00+09:00",
                ],
            ),
            exit: 4,
            route: "kiosk",
            text: &["by 22:30", "valid until Mon 23 Nov 10:00"],
        },
    ]
}

#[derive(Parser)]
struct Harness {
    #[command(flatten)]
    args: AdviseArgs,
    /// The binary's global `--lang`, which `advise` inherits.
    #[arg(long)]
    lang: Option<Lang>,
}

/// Runs through the library: exit code and output.
fn lib(args: &[&str]) -> (u8, String) {
    let h = Harness::try_parse_from(std::iter::once("advise").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let mut out = Vec::new();
    let exit = run_advise(&h.args, h.lang.unwrap_or(Lang::En), &mut out).expect("advice runs");
    (exit.code(), String::from_utf8(out).expect("utf8"))
}

/// Runs the real binary: exit code, stdout, stderr.
fn bin(args: &[&str]) -> (i32, String, String) {
    common::Program::jpki_status()
        .arg("advise")
        .args(args)
        .env("JPKI_STATUS_LANG", "en")
        .run()
        .parts()
}

/// The text with wrapped lines joined again (English wraps at spaces).
fn unwrapped(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push(if line.starts_with("  ") { ' ' } else { '\n' });
        }
        out.push_str(line.trim_start());
    }
    out
}

fn fixed(args: &[&'static str]) -> Vec<&'static str> {
    let mut v = args.to_vec();
    if !v.contains(&"--now") {
        v.extend(["--now", "2026-11-22T14:00:00+09:00"]);
    }
    v.extend(["--lang", "en"]);
    v
}

#[test]
fn every_rule_through_the_library() {
    for c in cases() {
        let args = fixed(&c.args);
        let (exit, text) = lib(&args);
        let text = unwrapped(&text);
        assert_eq!(exit, c.exit, "{}: {text}", c.name);
        for t in c.text {
            assert!(text.contains(t), "{}: missing {t:?} in\n{text}", c.name);
        }
        let mut json_args = args.clone();
        json_args.push("--json");
        let (exit, json) = lib(&json_args);
        assert_eq!(exit, c.exit, "{}", c.name);
        let v: Value = serde_json::from_str(&json).expect("json");
        assert_eq!(v["schema_version"], 2, "{}", c.name);
        assert_eq!(v["advice"]["route"], c.route, "{}: {json}", c.name);
        assert_eq!(v["advice"]["rules_checked"], "2026-11-26");
        // The holder's text never names a flag, a rule id or a source key.
        assert!(
            !text.contains(" --") && !text.contains("[R"),
            "{}: {text}",
            c.name
        );
    }
}

#[test]
fn every_rule_through_the_binary() {
    for c in cases() {
        let args = fixed(&c.args);
        let (code, stdout, stderr) = bin(&args);
        let stdout = unwrapped(&stdout);
        assert_eq!(code, i32::from(c.exit), "{}: {stdout}{stderr}", c.name);
        for t in c.text {
            assert!(stdout.contains(t), "{}: missing {t:?} in\n{stdout}", c.name);
        }
        let mut json_args = args.clone();
        json_args.push("--json");
        let (code, stdout, stderr) = bin(&json_args);
        assert_eq!(code, i32::from(c.exit), "{}: {stderr}", c.name);
        let v: Value = serde_json::from_str(&stdout).expect("json");
        assert_eq!(v["advice"]["route"], c.route, "{}", c.name);
    }
}

/// A saved reading with auth locked, with a stale `advice` field.
fn saved_report() -> String {
    let keys: Vec<Value> = [
        ("auth", "locked", None, 3),
        ("sign", "remaining", Some(4), 5),
        ("kenhojo", "remaining", Some(3), 3),
        ("juki", "remaining", Some(3), 3),
    ]
    .iter()
    .map(|(id, state, n, max)| {
        serde_json::json!({
            "id": id, "state": state, "remaining": n, "max": max, "sw": null,
            "diagnostic": false, "above_max": false, "mismatch": false, "readings": []
        })
    })
    .collect();
    serde_json::json!({
        "schema_version": 1,
        "reader": "test",
        "read_at": "2026-11-22T14:00:00+09:00",
        "card": {
            "kind": "my_number_card", "token_label": "JPKIAPICCTOKEN2", "atr": null,
            "contactless": false, "signature_certificate": "present",
            "certificate_availability": "8F8F00", "certificate_expiry": "2029-05-01",
            "certificate_not_after": null, "certificate_days_left": 891,
            "certificate_status": "valid", "certificate_error": null
        },
        "keys": keys,
        "apdus": 12,
        "advice": { "route": "stale" }
    })
    .to_string()
}

#[test]
fn from_a_saved_reading_reruns_the_engine() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.json");
    std::fs::write(&path, saved_report()).expect("write");
    let p = path.to_str().expect("utf8 path");
    let base = [
        "--from",
        p,
        "--lang",
        "en",
        "--now",
        "2026-11-22T14:00:00+09:00",
        "--json",
    ];
    // Card says sign 4/5 (spent): whether it is remembered is asked.
    let (h, _) = {
        let h = Harness::try_parse_from(std::iter::once("advise").chain(base)).expect("parses");
        (h, ())
    };
    let mut out = Vec::new();
    let exit = run_advise(&h.args, h.lang.unwrap_or(Lang::En), &mut out).expect("runs");
    assert_eq!(exit, Exit::AttentionConditional);
    let v: Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["card"]["kind"], "my_number_card", "report fields kept");
    assert_eq!(v["advice"]["route"], "conditional");
    let qs: Vec<&str> = v["advice"]["conditions"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["question"].as_str())
        .collect();
    assert!(qs.contains(&"knows_sign"), "{qs:?}");
    // With the answers given, the kiosk.
    let mut more: Vec<&str> = base.to_vec();
    more.extend(["--knows", "sign"]);
    more.extend(KIOSK);
    let (exit, json) = lib(&more);
    assert_eq!(exit, 4, "{json}");
    // --locked cannot be combined with --from.
    let mut bad = base.to_vec();
    bad.extend(["--locked", "auth"]);
    assert!(Harness::try_parse_from(std::iter::once("advise").chain(bad)).is_err());
}

#[test]
fn contradictions_and_bad_values_are_refused() {
    let h =
        Harness::try_parse_from(["advise", "--knows", "auth", "--forgot", "auth"]).expect("parses");
    let mut out = Vec::new();
    assert!(run_advise(&h.args, Lang::En, &mut out).is_err());
    assert!(Harness::try_parse_from(["advise", "--tries", "sign=9"]).is_err());
    assert!(Harness::try_parse_from(["advise", "--tries", "pin=1"]).is_err());
    assert!(Harness::try_parse_from(["advise", "--now", "yesterday"]).is_err());
    assert!(Harness::try_parse_from(["advise", "--moved", "--not-moved"]).is_err());
    let h = Harness::try_parse_from(["advise", "--locked", "auth", "--tries", "auth=2"])
        .expect("parses");
    assert!(run_advise(&h.args, Lang::En, &mut out).is_err());
}

#[test]
fn japanese_text_by_lang() {
    let (_, text) = lib(&[
        "--locked",
        "auth",
        "--lang",
        "ja",
        "--now",
        "2026-11-22T14:00:00+09:00",
    ]);
    assert!(
        text.starts_with("判定: 署名用パスワードを覚えていればコンビニ等の端末、忘れていれば"),
        "{text}"
    );
    assert!(!text.contains("規則の確認日"), "details only: {text}");
    let (_, text) = lib(&[
        "--locked",
        "auth",
        "--lang",
        "ja",
        "--details",
        "--now",
        "2026-11-22T14:00:00+09:00",
    ]);
    assert!(text.contains("規則の確認日: 2026年11月26日"), "{text}");
    assert!(text.contains("[R5; N]"), "{text}");
}

/// Issue 19, item 7: `advise --from` reads strictly. A member given twice
/// (the last would win silently), `"remaining": 0` (that is `locked`), an
/// empty key list, a key given twice: each refused, exit 2, with what is
/// wrong in English and Japanese; before, each gave advice (a duplicate
/// `keys` or `keys: []` even "nothing to do", exit 0). A UTF-8 BOM, which
/// Windows editors write, is accepted (it was "not JSON").
#[test]
fn from_refuses_impossible_readings_and_accepts_a_bom() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = saved_report();
    let doc: Value = serde_json::from_str(&good).expect("json");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p.to_str().expect("utf8").to_string()
    };
    let dup_keys = format!(
        "{},\n\"keys\": []\n}}",
        good.trim_end().trim_end_matches('}')
    );
    let mut zero = doc.clone();
    zero["keys"][0]["state"] = "remaining".into();
    zero["keys"][0]["remaining"] = 0.into();
    let mut empty = doc.clone();
    empty["keys"] = serde_json::json!([]);
    let mut twice = doc.clone();
    let first = twice["keys"][0].clone();
    twice["keys"].as_array_mut().expect("keys").push(first);
    let cases = [
        (
            "dup.json",
            dup_keys,
            "\"keys\" is given twice",
            "given twice",
        ),
        ("zero.json", zero.to_string(), "\"remaining\": 0", "0 です"),
        (
            "empty.json",
            empty.to_string(),
            "key list is empty",
            "空です",
        ),
        (
            "twice.json",
            twice.to_string(),
            "is given twice",
            "2回あります",
        ),
    ];
    for (name, text, en, ja) in cases {
        let p = write(name, &text);
        let (code, out, err) = bin(&["--from", &p, "--no-input"]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(out.is_empty(), "{name}: no advice: {out}");
        assert!(err.contains(en), "{name}: {err}");
        let ja_run = common::Program::jpki_status()
            .args(["--lang", "ja", "advise", "--from", &p, "--no-input"])
            .run();
        assert_eq!(ja_run.code, Some(2), "{name}");
        assert!(ja_run.stderr.contains(ja), "{name}: {}", ja_run.stderr);
        let (code, out, _) = bin(&["--from", &p, "--json"]);
        assert_eq!(code, 2, "{name}");
        let v: Value = serde_json::from_str(&out).expect("error document");
        assert_eq!(v["error"]["code"], "from_not_a_reading", "{name}");
    }
    let bom = write("bom.json", &format!("\u{FEFF}{good}"));
    let (code, out, err) = bin(&[
        "--from",
        &bom,
        "--no-input",
        "--now",
        "2026-11-22T14:00:00+09:00",
    ]);
    assert_ne!(code, 2, "a BOM is accepted: {err}");
    assert!(out.contains("My Number Card"), "{out}{err}");
}
