//! End to end through the real PC/SC stack (pcscd + vsmartcard-vpcd +
//! `jpki-virtual-card --fault`) for cards and programs that misbehave
//! (issue 10): every wait is bounded and says so, Ctrl-C ends the process
//! whatever the card does, one hung reader never delays another in watch
//! mode, and no answer (none, slow, empty, too long, garbage) or certificate
//! date makes the tool panic or report an internal failure.
//!
//! Owns: those claims, each against the built binaries. Must not: run in
//! parallel with another e2e test (every test holds [`support::serial`]),
//! wait without a timeout, or leave a process behind (the stack, cards and
//! watchers are reaped on drop). Another program's transaction is held
//! through the library's own PC/SC backend (`PcscTerminal`), so `pcsc` stays
//! imported only in src/pcsc_backend.rs (tests/safety.rs).
//!
//! Every client of the stack runs inside its namespace (`Stack::jpki_status`,
//! `Stack::program`); the in-process holder reaches it through
//! `Stack::use_in_this_process`. Each test prints `E2E ran through pcscd`;
//! without the stack it fails under scripts/test.sh, CI and `JPKI_E2E=1` and
//! is skipped loudly otherwise (tests/support/mod.rs).

mod common;
mod support;

use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Program, Run};
use jpki_status::pcsc_backend::PcscTerminal;
use jpki_status::transport::Terminal;
use support::{
    comparable, serial, sim_run, Card, CardOptions, Stack, Watcher, PORT0, PORT1, READER0, READER1,
};

const NOW: &str = "2026-11-22T10:00:00+09:00";
const STEP: Duration = Duration::from_secs(10);

fn faulty(fault: &str) -> CardOptions {
    CardOptions {
        fault: Some(fault.to_string()),
        ..CardOptions::default()
    }
}

/// A `jpki-status --json` run on reader 0 and how long it took.
fn read(stack: &Stack, extra: &[&str]) -> (Run, Duration) {
    let mut args = vec!["--json", "--no-input", "--now", NOW, "--reader", READER0];
    args.extend_from_slice(extra);
    let start = Instant::now();
    let run = stack.jpki_status(&args);
    (run, start.elapsed())
}

fn error_code(run: &Run) -> String {
    run.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn hung_card_gives_exit_8_within_the_command_limit() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let card = Card::place_ready(&stack, "fresh", faulty("mute@7"));
    let (run, took) = read(&stack, &["--command-timeout", "1"]);
    eprintln!("hung card: exit {:?} after {took:?}", run.code);
    assert_eq!(run.code, Some(8), "{}", run.stderr);
    assert_eq!(error_code(&run), "card_not_answering");
    assert!(run.json().get("keys").is_none(), "nothing partial");
    assert!(
        run.stderr
            .contains("Take the card off the reader and place it again"),
        "{}",
        run.stderr
    );
    assert!(took < Duration::from_secs(4), "took {took:?}");
    card.assert_no_violation();
}

#[test]
fn zero_byte_answer_is_a_card_error_within_bounds() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let _card = Card::place_ready(&stack, "fresh", faulty("empty@5"));
    let (run, took) = read(&stack, &["--command-timeout", "1"]);
    eprintln!(
        "0-byte answer: exit {:?} ({}) after {took:?}",
        run.code,
        error_code(&run)
    );
    assert_eq!(run.code, Some(8), "{}", run.stderr);
    assert!(
        ["short_response", "card_not_answering", "communication"]
            .contains(&error_code(&run).as_str()),
        "{}",
        run.stdout
    );
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn over_long_answer_is_a_card_error_not_a_failure() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let _card = Card::place_ready(&stack, "fresh", faulty("long@5"));
    let (run, _) = read(&stack, &[]);
    eprintln!(
        "over-long answer: exit {:?} ({})",
        run.code,
        error_code(&run)
    );
    assert_eq!(run.code, Some(8), "{}", run.stderr);
    assert_eq!(error_code(&run), "overlong_response");
}

#[test]
fn garbage_answers_never_panic_or_fail_internally() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    for n in [0, 2, 6, 9, 12, 19] {
        let card = Card::place_ready(
            &stack,
            "fresh",
            CardOptions {
                fault: Some(format!("garbage@{n}")),
                port: Some(PORT0),
                ..CardOptions::default()
            },
        );
        let (run, _) = read(&stack, &[]);
        eprintln!("garbage from APDU {n}: exit {:?}", run.code);
        assert!(
            matches!(run.code, Some(0 | 3 | 4 | 5 | 6 | 8)),
            "garbage from APDU {n}: exit {:?}\n{}",
            run.code,
            run.stderr
        );
        let removed = stack.log_count(&format!("Card Removed From {READER0}"));
        card.remove_and_wait(&stack, Some(PORT0), removed);
    }
}

#[test]
fn slow_card_within_the_limits_is_read_and_beyond_them_is_not() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let sim = sim_run(&["--sim", "fresh", "--json", "--no-input", "--now", NOW]).json();
    // 100 ms per answer: 2 s for 20 APDUs, well inside the default limits.
    let card = Card::place_ready(&stack, "fresh", faulty("slow:100"));
    let (run, took) = read(&stack, &[]);
    eprintln!(
        "slow card (100 ms/APDU): exit {:?} after {took:?}",
        run.code
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(comparable(&run.json()), comparable(&sim));
    let removed = stack.log_count(&format!("Card Removed From {READER0}"));
    card.remove_and_wait(&stack, Some(PORT0), removed);
    // 1.5 s per answer with a 1 s limit per command: given up, exit 8.
    let _card = Card::place_ready(&stack, "fresh", faulty("slow:1500@4"));
    let (run, took) = read(&stack, &["--command-timeout", "1"]);
    eprintln!(
        "slow card (1.5 s/APDU, 1 s limit): exit {:?} after {took:?}",
        run.code
    );
    assert_eq!(run.code, Some(8), "{}", run.stderr);
    assert_eq!(error_code(&run), "card_not_answering");
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn another_program_holding_a_transaction_gives_exit_7_within_the_wait() {
    let _g = serial();
    #[cfg_attr(not(unix), allow(unused_mut))]
    let Some(mut stack) = Stack::start() else {
        return;
    };
    // This process cannot join the stack's namespace: it reaches pcscd by
    // the socket path.
    #[cfg(unix)]
    stack.use_in_this_process();
    let _card = Card::place_ready(&stack, "fresh", CardOptions::default());
    // "Another program": a PC/SC client in this test process holding a
    // transaction on the card (SCardBeginTransaction) for 6 s.
    let (held_tx, held_rx) = mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut terminal = PcscTerminal::new();
        let mut conn = terminal.connect(READER0).expect("connect");
        let tx = conn.transaction().expect("begin transaction");
        held_tx.send(()).expect("tell");
        std::thread::sleep(Duration::from_secs(6));
        drop(tx);
    });
    held_rx.recv_timeout(STEP).expect("transaction held");
    let (run, took) = read(&stack, &["--in-use-wait", "1"]);
    eprintln!("card in use: exit {:?} after {took:?}", run.code);
    assert_eq!(run.code, Some(7), "{}", run.stderr);
    assert_eq!(error_code(&run), "card_in_use");
    assert!(
        run.stderr.contains("in use by another program"),
        "{}",
        run.stderr
    );
    assert!(took < Duration::from_secs(4), "took {took:?}");
    holder.join().expect("holder");
    // Released: the card reads again.
    let (run, _) = read(&stack, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn ctrl_c_during_a_hung_reading_ends_the_process_promptly() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let card = Card::place_ready(&stack, "fresh", faulty("mute@7"));
    let mut child = stack
        .program(Program::jpki_status().args(["--json", "--no-input", "--reader", READER0]))
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start jpki-status");
    card.wait_for_log("# muted", STEP);
    let sent = Instant::now();
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break Some(s);
        }
        if sent.elapsed() > Duration::from_secs(3) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = sent.elapsed();
    eprintln!("SIGINT during a hung reading: {status:?} after {took:?}");
    assert!(status.is_some(), "still running 3 s after SIGINT");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn watch_ctrl_c_during_a_hung_reading_exits_130_promptly() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let mut w = Watcher::start(&stack, &["--now", NOW]);
    w.wait_for("reader_added", READER0, STEP);
    let card = Card::place_ready(&stack, "fresh", faulty("mute@7"));
    w.wait_for("card_inserted", READER0, STEP);
    card.wait_for_log("# muted", STEP);
    let (code, took) = w.signal_and_wait("INT", Duration::from_secs(5));
    eprintln!("watch: SIGINT during a hung reading -> {code:?} after {took:?}");
    assert_eq!(code, Some(130), "{}", w.context());
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn watch_hung_card_on_one_reader_never_delays_another() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let sim = sim_run(&["--sim", "fresh", "--json", "--no-input", "--now", NOW]).json();
    let mut w = Watcher::start(&stack, &["--now", NOW, "--command-timeout", "4"]);
    w.wait_for("reader_added", READER1, STEP);
    let hung = Card::place_ready(&stack, "fresh", faulty("mute@7"));
    let hung_inserted = w.wait_for("card_inserted", READER0, STEP);
    hung.wait_for_log("# muted", STEP);
    let _good = Card::place(
        &stack,
        "fresh",
        CardOptions {
            port: Some(PORT1),
            ..CardOptions::default()
        },
    );
    let inserted = w.wait_for("card_inserted", READER1, STEP);
    let report = w.wait_for("report", READER1, STEP);
    let delay = w.lines[report].at - w.lines[inserted].at;
    eprintln!("watch: reader 1 reported {delay:?} after its card_inserted, reader 0 hung");
    assert!(delay < Duration::from_secs(1), "reader 1 waited {delay:?}");
    assert_eq!(
        comparable(&w.lines[report].value["report"]),
        comparable(&sim)
    );
    // The hung reader gives its error after the limit, with no report.
    let error = w.wait_for("error", READER0, STEP);
    let after = w.lines[error].at - w.lines[hung_inserted].at;
    eprintln!("watch: hung reader 0 gave up after {after:?}");
    assert_eq!(
        w.lines[error].value["error"]["code"],
        "card_not_answering",
        "{}",
        w.context()
    );
    assert!(after >= Duration::from_secs(3) && after < Duration::from_secs(7));
    assert!(w.lines[hung_inserted..error]
        .iter()
        .all(|l| !(l.kind() == "report" && l.reader() == READER0)));
    // Taken off and placed again: the abandoned reading ends, the reader
    // recovers, and the next card there is read.
    let removed = stack.log_count(&format!("Card Removed From {READER0}"));
    hung.remove_and_wait(&stack, Some(PORT0), removed);
    w.wait_for("card_removed", READER0, STEP);
    let _again = Card::place_ready(&stack, "fresh", CardOptions::default());
    w.wait_for("card_inserted", READER0, STEP);
    let report = w.wait_for("report", READER0, STEP);
    assert_eq!(
        comparable(&w.lines[report].value["report"]),
        comparable(&sim)
    );
    let (code, _) = w.signal_and_wait("TERM", Duration::from_secs(5));
    assert_eq!(code, Some(130));
}

#[test]
fn far_date_certificate_is_clamped_not_a_panic() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let _card = Card::place_ready(&stack, "certificate-no-expiry", CardOptions::default());
    let (run, _) = read(&stack, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["card"]["certificate_expiry"], "9999-12-31");
    assert_eq!(v["card"]["certificate_status"], "valid");
    let _ = (PORT1, READER1);
}

/// Issue 19, item 1: a card that answers `6F 00` to the first command after
/// power-up (seen on a real card after a power cycle, real-card-evidence.md
/// §3) is read whole through pcscd after one more SELECT. Before the retry
/// it was "not a My Number Card (or unknown kind)", advice "nothing to do",
/// exit 0.
#[test]
fn first_command_6f00_after_power_up_is_retried_once_and_read_whole() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let card = Card::place_ready(&stack, "first-command-6f00", CardOptions::default());
    let (run, _) = read(&stack, &[]);
    eprintln!("6F 00 card: exit {:?}", run.code);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(doc["card"]["kind"], "my_number_card", "{}", run.stdout);
    assert_eq!(doc["card"]["certificate_expiry"], "2030-06-01");
    assert_eq!(doc["card"]["gaps"], serde_json::json!([]));
    assert_eq!(doc["apdus"], 21, "one SELECT more than a plain reading");
    card.assert_no_violation();
}

/// Issue 19, item 1: a refused certificate read through pcscd is in the
/// JSON and the text, and the exit code says attention (3), never "nothing
/// to do" (it was exit 0, not a word about the refusal).
#[test]
fn a_refused_certificate_read_is_shown_and_is_never_nothing_to_do() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let card = Card::place_ready(&stack, "certificate-refused", CardOptions::default());
    let (run, _) = read(&stack, &[]);
    assert_eq!(run.code, Some(3), "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    assert_eq!(
        doc["card"]["gaps"],
        serde_json::json!([{"read": "certificate", "sw": "6982"}])
    );
    assert_eq!(doc["advice"]["route"], "conditional");
    let text = stack.jpki_status(&[
        "--no-input",
        "--now",
        NOW,
        "--reader",
        READER0,
        "--lang",
        "en",
    ]);
    assert_eq!(text.code, Some(3), "{}", text.stderr);
    assert!(
        text.stdout.contains("NOT READ: the card answered 69 82")
            && text.stdout.contains("read it again")
            && !text.stdout.contains("Advice: nothing to do"),
        "{}",
        text.stdout
    );
    card.assert_no_violation();
}

/// Issue 19, item 9: a card pulled out while `SCardConnect` powers it up
/// (pcscd powers an idle card down, and up again when a program connects)
/// is an interrupted reading: exit 8 `communication`, "insert the card
/// fully ... run again", not `pcsc_error` exit 1 "report it" (what the
/// flapping readers gave before the mapping; pcsc-lite 1.9.9 answers
/// `SCARD_E_PROTO_MISMATCH` here). No command reached the card.
#[test]
fn a_card_pulled_out_during_connect_is_an_interrupted_reading() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let card = Card::place_ready(
        &stack,
        "fresh",
        CardOptions {
            leave_at_power_on: Some(2),
            ..CardOptions::default()
        },
    );
    // pcscd powers the idle card down within a few seconds of placing it.
    card.wait_for_log("# power off", Duration::from_secs(15));
    let (run, took) = read(&stack, &["--lang", "en"]);
    assert_eq!(run.code, Some(8), "{}\n{}", run.stdout, run.stderr);
    assert_eq!(error_code(&run), "communication", "{}", run.stdout);
    assert!(
        run.stderr.contains("SCardConnect") && run.stderr.contains("run again"),
        "{}",
        run.stderr
    );
    assert!(took < STEP, "took {took:?}");
    card.wait_for_log("# removed while being powered up", STEP);
    assert!(card.commands().is_empty(), "{:?}", card.commands());
    card.assert_no_violation();
}

/// Issue 19, item 3: a frozen pcscd (SIGSTOP) never hangs a command. The
/// context and the reader list used to run unbounded: a reading, `--wait=3`
/// and `readers` were all still running at 30-40 s with every limit at 2 s.
/// Now each ends within its limit with `service_not_answering`, exit 7.
#[test]
fn a_frozen_pcscd_ends_every_command_within_its_bound() {
    let _g = serial();
    let Some(stack) = Stack::start() else { return };
    let _card = Card::place_ready(&stack, "fresh", CardOptions::default());
    let limits = [
        "--command-timeout",
        "2",
        "--reading-timeout",
        "2",
        "--in-use-wait",
        "2",
    ];
    stack.signal_pcscd("STOP");
    let runs: [(&str, Vec<&str>); 3] = [
        ("reading", vec!["--json", "--no-input", "--reader", READER0]),
        ("--wait=3", vec!["--json", "--no-input", "--wait=3"]),
        ("readers", vec!["readers", "--json"]),
    ];
    let mut results = Vec::new();
    for (what, args) in runs {
        // The limits go before a subcommand (they are the main command's).
        let mut args: Vec<&str> = limits.iter().copied().chain(args).collect();
        if what != "readers" {
            args.rotate_left(limits.len());
        }
        let start = Instant::now();
        let run = stack.jpki_status(&args);
        results.push((what, run, start.elapsed()));
    }
    stack.signal_pcscd("CONT");
    for (what, run, took) in &results {
        eprintln!("frozen pcscd, {what}: exit {:?} after {took:?}", run.code);
        assert_eq!(run.code, Some(7), "{what}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(error_code(run), "service_not_answering", "{what}");
        assert!(*took < Duration::from_secs(5), "{what} took {took:?}");
        assert!(
            run.stderr.contains("did not answer within 2 s"),
            "{what}: {}",
            run.stderr
        );
    }
    // Thawed, the same stack reads again.
    let (run, _) = read(&stack, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

/// Issue 19, item 2: pcscd stopped while `--wait` waits for a card is
/// `no_service`, exit 7, with the service's own message; it was exit 8 with
/// a card message ("insert the card fully") although no card was involved.
#[test]
fn pcscd_stopped_under_wait_is_no_service_not_a_card_error() {
    let _g = serial();
    let Some(mut stack) = Stack::start() else {
        return;
    };
    let out = stack.dir().join("wait.out");
    let err = stack.dir().join("wait.err");
    let mut child = stack
        .program(Program::jpki_status().args(["--json", "--no-input", "--wait", "--lang", "en"]))
        .command()
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("out"))
        .stderr(std::fs::File::create(&err).expect("err"))
        .spawn()
        .expect("start --wait");
    // Let it reach its wait for a card.
    std::thread::sleep(Duration::from_millis(700));
    stack.stop();
    let deadline = Instant::now() + STEP;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("--wait still running 10 s after pcscd stopped");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    assert_eq!(status.code(), Some(7), "{stdout}\n{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("error document");
    assert_eq!(doc["error"]["code"], "no_service", "{stdout}");
    assert!(
        stderr.contains("smart-card service") && !stderr.contains("card fully"),
        "{stderr}"
    );
}
