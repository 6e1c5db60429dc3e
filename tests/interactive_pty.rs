//! The interactive session, driven through a pseudo-terminal: the real
//! `jpki-status` binary reads a simulated card, sees a terminal on stdin,
//! asks its questions, and the answers are typed as a person would type
//! them (issue 4: "answers typed, final advice checked").
//!
//! Each session runs under [`TIMEOUT`]: a prompt that never shows (say, a
//! question printed without a flush) fails the test instead of hanging it.
//! Questions are answered from a script keyed by the question's text; a
//! question the script does not expect fails the test, and so does a
//! scripted answer that was never asked for, so the tests also check that
//! only the questions that change the route are asked.
//!
//! The strings asserted are the ones in src/advice/msg.rs and
//! src/present/questions.rs; the exit codes are those of src/exit.rs
//! (3 depends on an answer, 4 self-service, 5 counter).
#![cfg(unix)]

mod common;

use common::Program;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Any, ControlCode, Eof, Expect, Needle, Regex, Session};
use std::time::Duration;

/// The longest any single wait for output may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A prompt at the end of a question: `[y/n/?] `, or the numbered choices
/// of the age and who questions (`[1=... / ?] `).
const PROMPT: &str = r"\[(?:y/n/\?|はい/いいえ/\?|1=[^\]]*/ \?)\] ";

/// Morning, Japan time: the kiosks are open.
const MORNING: &str = "2026-11-22T10:00:00+09:00";

/// 23:10 Japan time: the kiosks are closed.
const LATE: &str = "2026-11-22T23:10:00+09:00";

/// What one session printed and how it ended.
struct Outcome {
    /// The questions asked, in order (the text before each prompt).
    asked: Vec<String>,
    /// Everything printed, prompts included.
    transcript: String,
    /// Everything printed after the last answer: the final advice.
    advice: String,
    /// The exit code.
    code: i32,
}

/// The output with wrapped lines joined again and colour codes removed:
/// English continuation lines rejoin with a space, Japanese ones directly.
fn unwrapped(text: &str) -> String {
    let plain = text
        .replace("\x1b[1m", "")
        .replace("\x1b[31m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[0m", "");
    let mut out = String::new();
    for (i, line) in plain.lines().enumerate() {
        if i > 0 {
            if line.starts_with("  ") {
                let prev_ascii = out.chars().last().is_some_and(|c| c.is_ascii());
                let next_ascii = line
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii());
                if prev_ascii && next_ascii {
                    out.push(' ');
                }
            } else {
                out.push('\n');
            }
        }
        out.push_str(if i > 0 && line.starts_with("  ") {
            line.trim_start()
        } else {
            line
        });
    }
    out
}

impl Outcome {
    fn assert_has(&self, needle: &str) {
        assert!(
            unwrapped(&self.advice).contains(needle),
            "final advice lacks {needle:?}\n--- transcript ---\n{}",
            self.transcript
        );
    }

    fn assert_lacks(&self, needle: &str) {
        assert!(
            !unwrapped(&self.advice).contains(needle),
            "final advice has {needle:?}\n--- transcript ---\n{}",
            self.transcript
        );
    }

    fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code, code,
            "exit code\n--- transcript ---\n{}",
            self.transcript
        );
    }
}

/// Starts the binary on a fresh pseudo-terminal (stdin, stdout and stderr).
fn spawn(args: &[&str]) -> OsSession {
    // A pseudo-terminal session bounds itself (the expect timeout), so it
    // takes the command from the one helper but not its `run`.
    let cmd = Program::jpki_status()
        .args(args)
        .env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .command();
    let mut session = Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(TIMEOUT));
    session
}

fn text(bytes: &[u8]) -> String {
    // The terminal turns "\n" into "\r\n".
    String::from_utf8_lossy(bytes).replace("\r\n", "\n")
}

/// Whether a match is a prompt (and not the rest of the output at Eof).
fn is_prompt(m: &[u8]) -> bool {
    m.starts_with(b"[") && m.ends_with(b"] ") && !m.contains(&b'\n')
}

/// The question in front of a prompt: the last line of the output before it.
fn question_before(before: &str) -> String {
    before.lines().last().unwrap_or_default().trim().to_string()
}

/// Runs a session, answering each question with the first entry of
/// `script` whose key is part of the question; `stop_after` ends the input
/// (Ctrl-D) instead of answering once that many questions were answered.
fn converse(args: &[&str], script: &[(&str, &str)], stop_after: Option<usize>) -> Outcome {
    let mut p = spawn(args);
    let mut asked = Vec::new();
    let mut transcript = String::new();
    let mut used = vec![false; script.len()];
    loop {
        let needle = Any::boxed(vec![
            Box::new(Regex(PROMPT)) as Box<dyn Needle>,
            Box::new(Eof),
        ]);
        let found = match p.expect(needle) {
            Ok(c) => c,
            Err(e) => panic!("waiting for a prompt: {e}\n--- so far ---\n{transcript}"),
        };
        transcript.push_str(&text(found.as_bytes()));
        if !is_prompt(&found[0]) {
            // Eof: the match is the whole rest of the output.
            let advice = text(&found[0]);
            let status = p.get_process().wait().unwrap();
            let code = match status {
                WaitStatus::Exited(_, code) => code,
                other => panic!("not a normal exit: {other:?}\n--- transcript ---\n{transcript}"),
            };
            for (i, (key, _)) in script.iter().enumerate() {
                assert!(
                    used[i] || stop_after.is_some(),
                    "never asked about {key:?}; asked: {asked:#?}\n--- transcript ---\n{transcript}"
                );
            }
            assert!(
                !transcript.contains("panicked"),
                "panic\n--- transcript ---\n{transcript}"
            );
            return Outcome {
                asked,
                transcript,
                advice,
                code,
            };
        }
        let question = question_before(&text(found.before()));
        asked.push(question.clone());
        if stop_after == Some(asked.len() - 1) {
            p.send(ControlCode::EndOfTransmission).unwrap();
            continue;
        }
        let Some(i) = script.iter().position(|(key, _)| question.contains(key)) else {
            panic!("unexpected question {question:?}\n--- transcript ---\n{transcript}");
        };
        used[i] = true;
        p.send_line(script[i].1).unwrap();
    }
}

/// The English questions, by a distinctive part of their text.
const KNOWS_SIGN: &str = "remember the signature password";
const MOVED: &str = "moved house";
const SMARTPHONE: &str = "smartphone that can read the card";

/// The auth-locked card, in English, at `now`, with `answers`.
fn auth_locked_en(now: &str, answers: &[(&str, &str)]) -> Outcome {
    converse(
        &["--sim", "auth-locked", "--lang", "en", "--now", now],
        answers,
        None,
    )
}

/// Every answer pointing to the kiosk: the kiosk resets the locked 利用者証明用
/// PIN using the 署名用 password. The decisive question comes first, then
/// the two exceptions that most often change the route; nothing else is
/// asked (issue 9: at most 3 questions).
const KIOSK_ANSWERS: &[(&str, &str)] = &[(KNOWS_SIGN, "y"), (MOVED, "n"), (SMARTPHONE, "yes")];

#[test]
fn auth_locked_answers_leading_to_the_kiosk_give_kiosk_advice_and_exit_4() {
    let o = auth_locked_en(MORNING, KIOSK_ANSWERS);
    // Only the questions that change the route: nothing about the
    // untouched 券面事項入力補助用 and 住民基本台帳用 PINs.
    assert_eq!(o.asked.len(), 3, "asked: {:#?}", o.asked);
    assert!(o.transcript.contains(
        "(1/3) Do you remember the signature password (6-16 characters, A-Z and digits)? [y/n/?] "
    ));
    // The decision is the first line after the answers.
    assert!(
        o.advice
            .trim_start()
            .starts_with("Advice: reset the user-authentication PIN at a store kiosk"),
        "{}",
        o.transcript
    );
    // A kiosk advice names the other PIN and its tries.
    o.assert_has("The app and the kiosk ask for the signature password (5 tries left).");
    o.assert_has("be at the store by 22:30");
    // The exceptions not asked are named with their route.
    o.assert_has("an appointed proxy goes, go to the municipal counter");
    o.assert_lacks("[y/n/?]");
    o.assert_lacks("[R5");
    o.assert_code(4);
}

#[test]
fn auth_locked_with_the_signature_password_forgotten_goes_to_the_counter_exit_5() {
    let o = auth_locked_en(MORNING, &[(KNOWS_SIGN, "n")]);
    // Once the password is forgotten the route is settled: moving and the
    // smartphone no longer matter and are not asked.
    assert_eq!(o.asked.len(), 1, "asked: {:#?}", o.asked);
    o.assert_has(
        "Advice: reset the user-authentication PIN and the signature password at the municipal counter.",
    );
    o.assert_has(
        "One counter visit covers them all: the user-authentication PIN and the signature password",
    );
    o.assert_has("where your 住民票 is");
    o.assert_lacks("store kiosk");
    o.assert_lacks("JPKI暗証番号リセット");
    o.assert_code(5);
}

#[test]
fn japanese_session_with_japanese_answers_gives_the_kiosk_for_the_signature_password() {
    // 署名用 has one try left and is forgotten; 利用者証明用 is remembered:
    // the kiosk resets 署名用 using 利用者証明用 (R7), after the app's face
    // match by the holder.
    let o = converse(
        &["--sim", "sign-1-left", "--lang", "ja", "--now", MORNING],
        &[
            ("利用者証明用暗証番号（数字4桁）を覚えていますか？", "はい"),
            (
                "署名用パスワード（英大文字と数字6〜16文字）を覚えていますか？",
                "いいえ",
            ),
            ("引っ越しや氏名の変更", "いいえ"),
            ("スマートフォンをお持ちですか", "はい"),
        ],
        None,
    );
    assert!(
        o.transcript
            .contains("利用者証明用暗証番号（数字4桁）を覚えていますか？ [はい/いいえ/?] "),
        "{}",
        o.transcript
    );
    assert!(
        o.advice.trim_start().starts_with(
            "判定: コンビニ等の端末で再設定できます（利用者証明用暗証番号を使います）。"
        ),
        "{}",
        o.transcript
    );
    o.assert_has("アプリと端末で利用者証明用暗証番号を入力します（残り3回）。");
    o.assert_has("今日行く場合は、22:30までに店舗に");
    o.assert_has("署名用パスワードは残り1回です。");
    // Who goes is not asked: it is an exception line.
    o.assert_has("法定代理人が行く");
    o.assert_lacks("Advice:");
    o.assert_code(4);
}

#[test]
fn no_input_on_a_terminal_asks_nothing_and_exits_3() {
    let o = converse(
        &[
            "--sim",
            "auth-locked",
            "--lang",
            "en",
            "--now",
            MORNING,
            "--no-input",
        ],
        &[],
        None,
    );
    assert!(o.asked.is_empty(), "asked: {:#?}", o.asked);
    // Line 2, under the card header: the decision with its two branches.
    let second = o.advice.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("Advice: if you remember the signature password, a store kiosk;"),
        "{}",
        o.transcript
    );
    o.assert_code(3);
}

#[test]
fn a_kiosk_outcome_at_23_10_says_to_reserve_in_the_morning_not_to_go_now() {
    let o = auth_locked_en(LATE, KIOSK_ANSWERS);
    o.assert_has("Advice: reset the user-authentication PIN at a store kiosk");
    o.assert_has("Too late for a store kiosk today");
    o.assert_has("Reserve in the app from 6:30 on Mon 23 Nov");
    o.assert_lacks("be at the store by");
    o.assert_code(4);
}

#[test]
fn end_of_input_mid_questions_still_prints_the_advice() {
    // One answer ("yes, I remember the 署名用 password"), then Ctrl-D at the
    // second question: the session ends with the answers so far; the
    // unanswered exceptions keep their usual answer and are named.
    let o = converse(
        &["--sim", "auth-locked", "--lang", "en", "--now", MORNING],
        &[(KNOWS_SIGN, "y")],
        Some(1),
    );
    assert_eq!(o.asked.len(), 2, "asked: {:#?}", o.asked);
    o.assert_has("Advice: reset the user-authentication PIN at a store kiosk");
    o.assert_has("Except: if you moved or changed your name");
    o.assert_code(4);
}

#[test]
fn end_of_input_at_the_first_question_still_prints_the_advice() {
    let o = converse(
        &["--sim", "auth-locked", "--lang", "en", "--now", MORNING],
        &[],
        Some(0),
    );
    assert_eq!(o.asked.len(), 1, "asked: {:#?}", o.asked);
    o.assert_has("Advice: if you remember the signature password, a store kiosk;");
    o.assert_lacks("Rules checked: ");
    o.assert_code(3);
}

#[test]
fn an_answer_that_is_not_a_choice_is_asked_again() {
    let mut p = spawn(&["--sim", "auth-locked", "--lang", "en", "--now", MORNING]);
    p.expect(Regex(PROMPT)).unwrap();
    p.send_line("maybe").unwrap();
    p.expect("Please answer: yes / no or ? (don't know)")
        .unwrap();
    let again = p.expect(Regex(PROMPT)).unwrap();
    assert!(
        text(again.before()).contains("Do you remember the signature password"),
        "{}",
        text(again.before())
    );
    // "no" settles the route: nothing more is asked.
    p.send_line("n").unwrap();
    p.expect("Advice: reset the user-authentication PIN and the signature password")
        .unwrap();
    p.expect(Eof).unwrap();
    match p.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 5),
        other => panic!("{other:?}"),
    }
}

#[test]
fn with_stdout_redirected_nothing_is_asked_on_the_terminal() {
    // stdin is the terminal, stdout a file: questions written to the file
    // would be invisible and the run would wait for an answer to a question
    // nobody sees. The run must not ask, and must finish by itself.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let cmd = Program::jpki_status()
        .args(["--sim", "auth-locked", "--lang", "en", "--now", MORNING])
        .env("JPKI_PTY_OUT", &out)
        .within(&[
            "sh".into(),
            "-c".into(),
            r#"exec "$0" "$@" > "$JPKI_PTY_OUT""#.into(),
        ])
        .command();
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(TIMEOUT));
    let on_terminal = match p.expect(Eof) {
        Ok(c) => text(c.as_bytes()),
        Err(e) => panic!(
            "the run did not finish by itself: {e}\n--- file so far ---\n{}",
            std::fs::read_to_string(&out).unwrap_or_default()
        ),
    };
    let code = match p.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    };
    let file = std::fs::read_to_string(&out).unwrap();
    assert!(!file.contains("[y/n/?]"), "{file}");
    assert!(!on_terminal.contains("[y/n/?]"), "{on_terminal}");
    assert!(
        file.contains("Advice: if you remember the signature password"),
        "{file}"
    );
    assert_eq!(code, 3, "{file}");
}

/// `advise` asks too on a terminal (issue 9), and `--no-input` stops it.
#[test]
fn advise_asks_on_a_terminal_and_not_with_no_input() {
    let o = converse(
        &[
            "advise", "--locked", "auth", "--lang", "en", "--now", MORNING,
        ],
        KIOSK_ANSWERS,
        None,
    );
    assert_eq!(o.asked.len(), 3, "asked: {:#?}", o.asked);
    assert!(o
        .transcript
        .contains("(1/3) Do you remember the signature password"));
    o.assert_has("Advice: reset the user-authentication PIN at a store kiosk");
    o.assert_code(4);
    let o = converse(
        &[
            "advise",
            "--locked",
            "auth",
            "--lang",
            "en",
            "--now",
            MORNING,
            "--no-input",
        ],
        &[],
        None,
    );
    assert!(o.asked.is_empty(), "asked: {:#?}", o.asked);
    o.assert_has("Advice: if you remember the signature password, a store kiosk;");
    o.assert_code(3);
}
