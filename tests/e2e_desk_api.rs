//! The desk API's event stream through the real PC/SC stack (issue 17,
//! part 7): `jpki-status desk` follows the two vpcd readers of a private
//! pcscd while virtual cards are placed, answered, pulled out mid-read and
//! removed, and pcscd is stopped and started again; every event of
//! `/api/events` is checked against its schema, the `watch` events against
//! watch-event.schema.json (the exact `--watch --json` line).
//!
//! Owns the claims: the stream carries a `watch` line for each watch-mode
//! event (reader_added, card_inserted, report, card_removed, error,
//! service_lost, service_back) with the `panel` it changes, and the panel
//! goes through `empty`, `report`, `removed` (then `empty` after
//! `--clear-after`), `error` and `gone`; the `service` document is `lost`
//! with its message and next step while pcscd is away. With `--sim` alone
//! (tests/desk_api.rs) the card is read before any stream can subscribe, so
//! only this test sees these events for certain.
//!
//! How the test reaches the server: the server runs in the stack's
//! namespace (its loopback is not the test's), so every HTTP exchange is a
//! `bash` there using `/dev/tcp` (no client program to install; bash runs
//! the stack's own script anyway).
//!
//! Must not: wait without a bound, leave a process behind (the stack, the
//! cards, the server and the stream's bash are reaped on drop), overlap
//! another stack test of this binary ([`support::serial`]).
//!
//! Without the stack: skipped loudly, or a failure under `JPKI_E2E=1`/CI
//! (tests/support/mod.rs).

mod common;
mod support;

use common::schema::{self, Doc};
use common::Program;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{serial, Card, CardOptions, Stack, PORT0, PORT1, READER0, READER1};

/// One step's bound: vpcd polls every ~400 ms, a reading takes tens of ms.
const STEP: Duration = Duration::from_secs(15);

/// `bash -c` inside the stack: sends `request` to 127.0.0.1:`port` and
/// prints the whole response.
fn http_in(stack: &Stack, port: u16, request: &str) -> Program {
    stack.program(Program::new("bash").args([
        "-c",
        "exec 3<>/dev/tcp/127.0.0.1/\"$1\" && printf '%s' \"$2\" >&3 && cat <&3",
        "bash",
        &port.to_string(),
        request,
    ]))
}

/// A running desk inside the stack, with one event stream open.
struct Desk {
    server: Child,
    stream: Child,
    port: u16,
    secret: String,
    events: mpsc::Receiver<(String, String)>,
    seen: Vec<(Doc, Value)>,
}

impl Drop for Desk {
    fn drop(&mut self) {
        for c in [&mut self.stream, &mut self.server] {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Desk {
    fn start(stack: &Stack) -> Desk {
        let mut server = stack
            .program(Program::jpki_status().args([
                "desk",
                "--no-open",
                "--clear-after",
                "1",
                "--lang",
                "en",
            ]))
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(stack.dir().join("desk.err")).expect("desk.err"))
            .spawn()
            .expect("jpki-status desk starts");
        let out = server.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(out).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let url = rx.recv_timeout(STEP).unwrap_or_else(|_| {
            let _ = server.kill();
            panic!(
                "no URL from jpki-status desk: {}",
                std::fs::read_to_string(stack.dir().join("desk.err")).unwrap_or_default()
            )
        });
        let rest = url
            .strip_prefix("http://127.0.0.1:")
            .expect("a loopback URL");
        let (port, secret) = rest.split_once("/?k=").expect("the secret");
        let port: u16 = port.parse().expect("port");
        let secret = secret.to_string();

        let request = format!(
            "GET /api/events?k={secret}&lang=en HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        );
        let mut stream = http_in(stack, port, &request)
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the event stream's bash");
        let out = stream.stdout.take().expect("stdout");
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            let mut head = true;
            let (mut name, mut data) = (String::from("message"), Vec::<String>::new());
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                let line = line.trim_end_matches('\r');
                if head {
                    head = !line.is_empty();
                    continue;
                }
                if line.is_empty() {
                    if !data.is_empty() && tx.send((name.clone(), data.join("\n"))).is_err() {
                        break;
                    }
                    name = "message".into();
                    data.clear();
                } else if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim_start().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                }
            }
        });
        Desk {
            server,
            stream,
            port,
            secret,
            events,
            seen: Vec::new(),
        }
    }

    /// Events until one matches `want` (validating each); fails after STEP.
    fn until(&mut self, what: &str, want: impl Fn(Doc, &Value) -> bool) -> Value {
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (name, data) = self.events.recv_timeout(left).unwrap_or_else(|_| {
                panic!(
                    "{what}: not in the event stream within {STEP:?}; seen:\n{}",
                    self.seen
                        .iter()
                        .map(|(d, v)| format!("{d:?} {}", brief(v)))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
            let doc = match name.as_str() {
                "reset" => Doc::DeskReset,
                "service" => Doc::DeskService,
                "panel" => Doc::DeskPanel,
                "watch" => Doc::WatchEvent,
                other => panic!("an event the API does not document: {other}"),
            };
            let v: Value = serde_json::from_str(&data)
                .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {data}"));
            schema::assert_valid(doc, &v, &format!("event {name}"));
            self.seen.push((doc, v.clone()));
            if want(doc, &v) {
                return v;
            }
        }
    }

    fn watch(&mut self, kind: &str, reader: Option<&str>) -> Value {
        self.until(&format!("watch {kind} {reader:?}"), |d, v| {
            d == Doc::WatchEvent && v["type"] == kind && reader.is_none_or(|r| v["reader"] == r)
        })
    }

    fn panel(&mut self, reader: &str, state: &str) -> Value {
        self.until(&format!("panel {reader} {state}"), |d, v| {
            d == Doc::DeskPanel && v["reader"] == reader && v["state"] == state
        })
    }

    /// POST /api/answer inside the stack; the status line and the body.
    fn answer(&self, stack: &Stack, body: &Value) -> (String, Value) {
        let body = body.to_string();
        let request = format!(
            "POST /api/answer?lang=en HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nx-jpki-desk-key: {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            self.secret,
            body.len()
        );
        let run = http_in(stack, self.port, &request).timeout(STEP).run();
        let (head, body) = run.stdout.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head.lines().next().unwrap_or_default().to_string();
        (status, serde_json::from_str(body).expect("a JSON body"))
    }
}

fn brief(v: &Value) -> String {
    format!(
        "{} {} {}",
        v["type"].as_str().or(v["state"].as_str()).unwrap_or(""),
        v["reader"].as_str().unwrap_or(""),
        v["readers"]
    )
}

#[test]
fn the_event_stream_carries_every_watch_event_and_panel_state() {
    let _serial = serial();
    let Some(mut stack) = Stack::start() else {
        return;
    };
    let mut desk = Desk::start(&stack);
    desk.until("reset", |d, _| d == Doc::DeskReset);
    // The readers were there before the stream: in the reset, not as
    // `watch` lines (those come after the restart below).
    desk.panel(READER0, "empty");
    desk.panel(READER1, "empty");

    // A card with an open question: read, answered, removed, cleared.
    let mut card = Card::place(
        &stack,
        "sign-1-left",
        CardOptions {
            port: Some(PORT0),
            ..CardOptions::default()
        },
    );
    desk.watch("card_inserted", Some(READER0));
    let report = desk.watch("report", Some(READER0));
    assert_eq!(report["advice"]["route"], "conditional");
    let panel = desk.panel(READER0, "report");
    assert_eq!(panel["question"]["id"], "knows_sign");
    let body = json!({"reader": READER0, "question": "knows_sign", "answer": "no"});
    schema::assert_valid(Doc::DeskAnswerRequest, &body, "the test's answer");
    let (status, answered) = desk.answer(&stack, &body);
    assert!(status.contains(" 200 "), "{status}: {answered}");
    schema::assert_valid(Doc::DeskPanel, &answered, "POST /api/answer");
    let pushed = desk.until("the answered panel", |d, v| {
        d == Doc::DeskPanel && v["question"]["id"] == "knows_auth"
    });
    assert_eq!(
        pushed["advice"]["conditions"],
        answered["advice"]["conditions"]
    );
    card.remove();
    desk.watch("card_removed", Some(READER0));
    desk.panel(READER0, "removed");
    desk.panel(READER0, "empty"); // --clear-after 1
    let (status, refused) = desk.answer(&stack, &body);
    assert!(status.contains(" 409 "), "{status}");
    schema::assert_valid(Doc::DeskError, &refused, "answer after removal");
    assert_eq!(refused["error"]["code"], "no_card");

    // A card pulled out mid-read on the other reader: an error.
    let _pulled = Card::place(
        &stack,
        "fresh",
        CardOptions {
            port: Some(PORT1),
            leave_after: Some(3),
            ..CardOptions::default()
        },
    );
    desk.watch("card_inserted", Some(READER1));
    desk.watch("error", Some(READER1));
    desk.until("the error panel", |d, v| {
        d == Doc::DeskPanel
            && v["reader"] == READER1
            && (v["state"] == "error" || v["state"] == "removed")
    });
    desk.watch("card_removed", Some(READER1));

    // pcscd stops and comes back: the service banner, the readers gone and back.
    stack.stop();
    desk.watch("service_lost", None);
    let lost = desk.until("service lost", |d, v| {
        d == Doc::DeskService && v["state"] == "lost"
    });
    assert!(
        lost["message"].is_string() && lost["next_step"].is_string(),
        "{lost}"
    );
    stack.restart();
    desk.watch("service_back", None);
    desk.until("service running", |d, v| {
        d == Doc::DeskService && v["state"] == "running"
    });
    desk.watch("reader_added", Some(READER0));

    let kinds: BTreeSet<String> = desk
        .seen
        .iter()
        .filter(|(d, _)| *d == Doc::WatchEvent)
        .map(|(_, v)| v["type"].as_str().unwrap_or("").to_string())
        .collect();
    let states: BTreeSet<String> = desk
        .seen
        .iter()
        .filter(|(d, _)| *d == Doc::DeskPanel)
        .map(|(_, v)| v["state"].as_str().unwrap_or("").to_string())
        .collect();
    for k in [
        "reader_added",
        "card_inserted",
        "report",
        "card_removed",
        "error",
        "service_lost",
        "service_back",
    ] {
        assert!(kinds.contains(k), "no `watch` {k} in the stream: {kinds:?}");
    }
    // `reading` is not required: the panel sent after `card_inserted` shows
    // the state when it is sent, often already `report`.
    for s in ["empty", "report", "removed", "error", "gone"] {
        assert!(states.contains(s), "no panel {s}: {states:?}");
    }
    let docs: Vec<(Doc, Value)> = desk.seen.clone();
    println!(
        "E2E desk stream: {} events validated (watch types {kinds:?}, panel states {states:?}); \
         desk schema properties produced here: {} of {}",
        docs.len(),
        schema::coverage(&Doc::DESK, &docs, "desk-").1,
        schema::coverage(&Doc::DESK, &docs, "desk-").0
    );

    // SIGTERM with the stream open: 130, promptly.
    let pid = desk.server.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let deadline = Instant::now() + Duration::from_secs(5);
    let code = loop {
        if let Some(s) = desk.server.try_wait().expect("try_wait") {
            break s.code();
        }
        assert!(
            Instant::now() < deadline,
            "the desk did not stop within 5 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(code, Some(130));
}
