//! The desk API over real HTTP (issue 17, parts 6 and 7): the built
//! `jpki-status desk --sim PROFILE --no-open` is started as a child
//! process, its URL read from the first stdout line, and every claim is
//! checked with plain HTTP/1.0 over `std::net::TcpStream` (no client crate:
//! what goes on the wire is exactly what the test writes).
//!
//! Owns the claims: each security refusal (foreign Host, foreign Origin,
//! cross-site `Sec-Fetch-Site`, missing and wrong secret) has its status and
//! code on every route that needs the secret, and the right secret works;
//! every response carries the strict headers and never CORS; the page names
//! only same-origin resources; an answer recomputes the advice exactly as
//! the command line's `--forgot`/`--knows` do; wrong answers and unknown
//! readers are refused; SIGTERM ends the server with 130 promptly, also
//! with an event stream open; `--listen 0.0.0.0` warns; a port in use is
//! exit 2 naming --port; and every desk document (GET /api/panels, each
//! SSE event, POST /api/answer, the errors) matches its schema in
//! docs/schema/desk-*.schema.json, every property those schemas declare
//! being produced by some real document, and renaming any field of one is
//! rejected. The `watch` events of the stream and the panel states other
//! than `report` need cards that come and go: tests/e2e_desk_api.rs.
//!
//! Must not: wait without a bound (every read has a timeout, every server
//! is killed on drop), need pcscd or a reader (`--sim` only), or depend on
//! the wording of a message (codes and statuses, not sentences).

mod common;

use common::schema::{self, Doc};
use common::Program;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the server may take to print its URL (a debug build on a busy
/// two-core machine).
const START: Duration = Duration::from_secs(30);
/// How long one HTTP exchange may take.
const EXCHANGE: Duration = Duration::from_secs(10);

/// A running `jpki-status desk`, killed on drop.
struct Desk {
    child: Child,
    /// The first stdout line, whole.
    url: String,
    port: u16,
    secret: String,
    stderr: tempfile::NamedTempFile,
}

impl Desk {
    /// `jpki-status desk --no-open --sim PROFILE` plus `extra`.
    fn start(profile: &str, extra: &[&str]) -> Desk {
        Desk::start_with(Program::jpki_status(), profile, extra)
    }

    fn start_with(program: Program, profile: &str, extra: &[&str]) -> Desk {
        let stderr = tempfile::NamedTempFile::new().expect("stderr file");
        let mut child = program
            .args(["desk", "--no-open", "--sim", profile])
            .args(extra)
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().expect("stderr"))
            .spawn()
            .expect("jpki-status desk starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        // Reads the first line, then keeps draining stdout so the server
        // never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let url = match rx.recv_timeout(START) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "jpki-status desk printed no URL within {START:?}; stderr:\n{}",
                    std::fs::read_to_string(stderr.path()).unwrap_or_default()
                );
            }
        };
        let (port, secret) = parse_url(&url)
            .unwrap_or_else(|| panic!("the first stdout line is not the page's URL: {url:?}"));
        Desk {
            child,
            url,
            port,
            secret,
            stderr,
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// One request with `Host: 127.0.0.1:PORT` and the given extra header
    /// lines; the whole response.
    fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Response {
        let host = self.host();
        let mut all: Vec<(&str, &str)> = vec![("Host", host.as_str())];
        all.extend_from_slice(headers);
        exchange(self.port, method, target, &all, body)
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target, &[], None)
    }

    /// `?k=SECRET` (or `&k=`) added to `path`.
    fn with_key(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}k={}", self.secret)
    }

    /// POST /api/answer with the secret header.
    fn answer(&self, body: &Value, lang: &str) -> Response {
        let text = body.to_string();
        self.request(
            "POST",
            &format!("/api/answer?lang={lang}"),
            &[
                ("Content-Type", "application/json"),
                ("x-jpki-desk-key", &self.secret),
            ],
            Some(&text),
        )
    }

    /// The event stream's events until `until` says stop or `limit` passes.
    fn events(
        &self,
        lang: &str,
        limit: Duration,
        until: impl Fn(&[(String, String)]) -> bool,
    ) -> Vec<(String, String)> {
        let target = self.with_key(&format!("/api/events?lang={lang}"));
        self.stream(&target).until(limit, until)
    }

    /// The event stream at `target`, with our Host.
    fn stream(&self, target: &str) -> Stream {
        Stream::open(
            self.port,
            target,
            &[("Host", &self.host()), ("Accept", "text/event-stream")],
        )
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }

    /// The server's process id (the SIGTERM tests are Unix only).
    #[cfg(unix)]
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the exit code up to `limit`.
    #[cfg(unix)]
    fn wait_exit(&mut self, limit: Duration) -> Option<Option<i32>> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status.code());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `http://ADDRESS:PORT/?k=SECRET` → (PORT, SECRET).
fn parse_url(url: &str) -> Option<(u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (host, rest) = rest.split_once('/')?;
    let port = host.rsplit_once(':')?.1.parse().ok()?;
    let secret = rest.strip_prefix("?k=")?;
    let fine = secret.len() >= 32
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    fine.then(|| (port, secret.to_string()))
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connects to the desk server");
    s.set_read_timeout(Some(EXCHANGE)).expect("timeout");
    s.set_write_timeout(Some(EXCHANGE)).expect("timeout");
    s
}

/// A response: status, headers (names lowercased, in order), body.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e}): {}", self.body))
    }

    /// The error code of a refusal, its body validated.
    fn error_code(&self, what: &str) -> String {
        let v = self.json();
        schema::assert_valid(Doc::DeskError, &v, what);
        v["error"]["code"].as_str().expect("code").to_string()
    }
}

/// One HTTP/1.0 exchange (the server closes the connection after the
/// response, so the body is whatever comes before the close).
fn exchange(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Response {
    let mut s = connect(port);
    let mut req = format!("{method} {target} HTTP/1.0\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes()).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap_or_else(|e| {
        panic!("{method} {target}: no whole response within {EXCHANGE:?}: {e}")
    });
    parse_response(&raw).unwrap_or_else(|| {
        panic!(
            "{method} {target}: not an HTTP response: {:?}",
            String::from_utf8_lossy(&raw)
        )
    })
}

fn parse_response(raw: &[u8]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(Response {
        status,
        headers,
        body: String::from_utf8_lossy(&raw[end + 4..]).into_owned(),
    })
}

/// An event stream being read: the response head once it came, and the
/// bytes not yet parsed into events.
struct Stream {
    s: TcpStream,
    head: Option<Response>,
    raw: Vec<u8>,
    ended: bool,
}

impl Stream {
    /// Sends `GET target` (HTTP/1.0, so the stream is the rest of the
    /// connection, not chunked) with these header lines.
    fn open(port: u16, target: &str, headers: &[(&str, &str)]) -> Stream {
        let mut s = connect(port);
        let mut req = format!("GET {target} HTTP/1.0\r\n");
        for (n, v) in headers {
            req.push_str(&format!("{n}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).expect("send");
        s.set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        Stream {
            s,
            head: None,
            raw: Vec::new(),
            ended: false,
        }
    }

    /// One read (at most 50 ms); parses the head once it is whole.
    fn fill(&mut self) {
        let mut buf = [0u8; 16384];
        if !self.ended {
            match self.s.read(&mut buf) {
                Ok(0) => self.ended = true,
                Ok(n) => self.raw.extend_from_slice(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => self.ended = true,
            }
        }
        if self.head.is_none() {
            if let Some(end) = self.raw.windows(4).position(|w| w == b"\r\n\r\n") {
                self.head = parse_response(&self.raw[..end + 4]);
                self.raw.drain(..end + 4);
            }
        }
    }

    /// Reads (event name, data) pairs until `until` holds for the events
    /// read by this call, the stream ends or `limit` passes.
    fn until(
        &mut self,
        limit: Duration,
        until: impl Fn(&[(String, String)]) -> bool,
    ) -> Vec<(String, String)> {
        let deadline = Instant::now() + limit;
        let mut events = Vec::new();
        loop {
            if self.head.as_ref().is_some_and(|h| h.status == 200) {
                while let Some(end) = self.raw.windows(2).position(|w| w == b"\n\n") {
                    let block = String::from_utf8_lossy(&self.raw[..end]).into_owned();
                    self.raw.drain(..end + 2);
                    let mut name = String::from("message");
                    let mut data = Vec::new();
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event:") {
                            name = v.trim_start().to_string();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                        }
                    }
                    if !data.is_empty() {
                        events.push((name, data.join("\n")));
                    }
                }
                if until(&events) {
                    break;
                }
            }
            if self.ended || Instant::now() > deadline {
                break;
            }
            self.fill();
        }
        events
    }

    /// The head, reading until it comes (bounded).
    fn head(&mut self) -> Response {
        let deadline = Instant::now() + EXCHANGE;
        while self.head.is_none() && !self.ended && Instant::now() < deadline {
            self.fill();
        }
        let mut h = self.head.take().expect("a response head");
        if h.status != 200 {
            // A refusal: a JSON body, then the connection closes.
            while !self.ended && Instant::now() < deadline {
                self.fill();
            }
            h.body = String::from_utf8_lossy(&self.raw).into_owned();
        }
        self.head = Some(Response {
            status: h.status,
            headers: h.headers.clone(),
            body: String::new(),
        });
        h
    }
}

/// Validates each event's data against its schema: `reset`, `service`,
/// `panel` (the desk's own), `watch` (the watch-mode line, unchanged).
fn validate_events(events: &[(String, String)], what: &str) -> Vec<(Doc, Value)> {
    events
        .iter()
        .map(|(name, data)| {
            let doc = match name.as_str() {
                "reset" => Doc::DeskReset,
                "service" => Doc::DeskService,
                "panel" => Doc::DeskPanel,
                "watch" => Doc::WatchEvent,
                other => panic!("{what}: an event the API does not document: {other}"),
            };
            let v: Value = serde_json::from_str(data)
                .unwrap_or_else(|e| panic!("{what}: {name} event data is not JSON ({e}): {data}"));
            schema::assert_valid(doc, &v, &format!("{what}: event {name}"));
            (doc, v)
        })
        .collect()
}

fn has(events: &[(String, String)], name: &str) -> bool {
    events.iter().any(|(n, _)| n == name)
}

/// The one panel of a `--sim` desk, from GET /api/panels.
fn the_panel(desk: &Desk, lang: &str) -> Value {
    let r = desk.get(&desk.with_key(&format!("/api/panels?lang={lang}")));
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    schema::assert_valid(Doc::DeskPanels, &v, "GET /api/panels");
    let panels = v["panels"].as_array().expect("panels");
    assert!(panels.len() <= 1, "one simulated reader: {v}");
    panels.first().cloned().unwrap_or(Value::Null)
}

/// The panel once its card has been read (the reading runs on its own
/// thread after the URL is printed).
fn read_panel(desk: &Desk, lang: &str) -> Value {
    let deadline = Instant::now() + START;
    loop {
        let p = the_panel(desk, lang);
        if !p.is_null() && p["state"] != "reading" && p["state"] != "empty" {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "the simulated card was not read: {p}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An advice without its clock reading (`time_window.now`, which differs
/// between two runs by the time between them).
fn comparable(advice: &Value) -> Value {
    let mut a = advice.clone();
    if let Some(w) = a.get_mut("time_window").and_then(Value::as_object_mut) {
        w.remove("now");
    }
    a
}

/// The advice of `jpki-status --sim PROFILE --json` with `extra`.
fn cli_advice(profile: &str, extra: &[&str], lang: &str) -> Value {
    let run = Program::jpki_status()
        .args(["--sim", profile, "--json", "--no-input", "--lang", lang])
        .args(extra)
        .run();
    let v = run.json();
    schema::assert_valid(Doc::Reading, &v, "--sim --json");
    comparable(&v["advice"])
}

// ---------------------------------------------------------------------
// Start, URL, stop

#[test]
fn the_first_stdout_line_is_exactly_the_url() {
    let desk = Desk::start("fresh", &[]);
    assert_eq!(
        desk.url,
        format!("http://127.0.0.1:{}/?k={}", desk.port, desk.secret)
    );
    // The secret is per launch.
    let other = Desk::start("fresh", &[]);
    assert_ne!(desk.secret, other.secret);
    // JPKI_STATUS_DESK_SECRET fixes it.
    let fixed = "fixed-secret-for-the-desk-api-test_0123456789";
    let d = Desk::start_with(
        Program::jpki_status().env("JPKI_STATUS_DESK_SECRET", fixed),
        "fresh",
        &[],
    );
    assert_eq!(d.secret, fixed);
    assert_eq!(d.get(&d.with_key("/api/panels")).status, 200);
}

#[cfg(unix)]
fn sigterm(pid: u32) {
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -TERM {pid}");
}

#[cfg(unix)]
#[test]
fn sigterm_ends_the_server_with_130_promptly() {
    let mut desk = Desk::start("fresh", &[]);
    read_panel(&desk, "en");
    let started = Instant::now();
    sigterm(desk.pid());
    let code = desk.wait_exit(Duration::from_secs(5));
    assert_eq!(
        code,
        Some(Some(130)),
        "exit within 5 s; stderr:\n{}",
        desk.stderr()
    );
    println!("SIGTERM to exit: {:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn sigterm_ends_the_server_with_130_with_an_event_stream_open() {
    let mut desk = Desk::start("fresh", &[]);
    let mut s = desk.stream(&desk.with_key("/api/events"));
    assert_eq!(s.head().status, 200);
    let events = s.until(EXCHANGE, |e| has(e, "panel"));
    assert!(has(&events, "reset"), "{events:?}");
    let started = Instant::now();
    sigterm(desk.pid());
    let code = desk.wait_exit(Duration::from_secs(5));
    assert_eq!(
        code,
        Some(Some(130)),
        "exit within 5 s with a stream open; stderr:\n{}",
        desk.stderr()
    );
    println!(
        "SIGTERM to exit with a stream open: {:?}",
        started.elapsed()
    );
    // The stream ends with the server.
    s.until(Duration::from_secs(2), |_| false);
    assert!(s.ended, "the event stream ended with the server");
}

#[test]
fn listening_beyond_loopback_warns_on_stderr() {
    let desk = Desk::start("fresh", &["--listen", "0.0.0.0"]);
    let deadline = Instant::now() + EXCHANGE;
    while !desk.stderr().contains("--listen")
        && !desk.stderr().contains("network")
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let err = desk.stderr();
    assert!(err.starts_with("jpki-status: "), "{err}");
    assert!(
        err.contains("network"),
        "the warning says the network can reach it: {err}"
    );
    // On loopback, no warning.
    let quiet = Desk::start("fresh", &[]);
    read_panel(&quiet, "en");
    assert_eq!(quiet.stderr(), "");
}

/// With `--listen 0.0.0.0` the URL printed is this computer's loopback
/// one, and it opens the page (it once printed `http://0.0.0.0:PORT/`,
/// which the Host check refused).
#[test]
fn listening_on_every_address_prints_a_url_that_works() {
    let stderr = tempfile::NamedTempFile::new().expect("stderr file");
    let mut child = Program::jpki_status()
        .args(["desk", "--no-open", "--sim", "fresh", "--listen", "0.0.0.0"])
        .command()
        .stdout(Stdio::piped())
        .stderr(stderr.reopen().expect("stderr"))
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let line = line.trim_end();
    let rest = line.split_once("://").expect("a URL").1;
    let (hostport, path) = rest.split_once('/').expect("a path");
    let port: u16 = hostport
        .rsplit_once(':')
        .expect("port")
        .1
        .parse()
        .expect("port");
    let r = exchange(
        port,
        "GET",
        &format!("/{path}"),
        &[("Host", hostport)],
        None,
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(r.status, 200, "{line}: {}", r.body);
}

#[test]
fn a_port_in_use_is_exit_2_naming_the_port_option() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("addr").port().to_string();
    let run = Program::jpki_status()
        .args(["desk", "--no-open", "--sim", "fresh", "--port", &port])
        .timeout(START)
        .run();
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(run.stdout, "", "no URL when nothing listens");
    assert!(run.stderr.contains("--port"), "{}", run.stderr);
    assert!(run.stderr.contains(&port), "{}", run.stderr);
}

// ---------------------------------------------------------------------
// The guards

/// Every route that needs the secret, as a request: (method, path without
/// the secret, body).
fn secret_routes(reader: &str) -> Vec<(&'static str, String, Option<String>)> {
    vec![
        ("GET", "/".into(), None),
        ("GET", "/api/events".into(), None),
        ("GET", "/api/panels".into(), None),
        (
            "POST",
            "/api/answer".into(),
            Some(json!({"reader": reader, "question": "knows_sign", "answer": "yes"}).to_string()),
        ),
        ("GET", format!("/slip?reader={}", percent(reader)), None),
    ]
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Sends a request with `headers` and, when `key` is given, the secret in
/// the header for POST and in `?k=` otherwise. For the event stream, only
/// the head is read (the stream does not end).
fn send(
    desk: &Desk,
    route: &(&str, String, Option<String>),
    host: &str,
    headers: &[(&str, &str)],
    key: Option<&str>,
) -> Response {
    let (method, path, body) = route;
    let target = match (key, *method) {
        (Some(k), "GET") => {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{path}{sep}k={k}")
        }
        _ => path.clone(),
    };
    // An empty `host` sends none (HTTP/1.0 allows that).
    let mut all: Vec<(&str, &str)> = if host.is_empty() {
        vec![]
    } else {
        vec![("Host", host)]
    };
    all.extend_from_slice(headers);
    if let (Some(k), "POST") = (key, *method) {
        all.push(("x-jpki-desk-key", k));
    }
    if body.is_some() {
        all.push(("Content-Type", "application/json"));
    }
    if path == "/api/events" {
        let mut s = Stream::open(desk.port, &target, &all);
        let r = s.head();
        if r.status == 200 {
            let events = s.until(EXCHANGE, |e| has(e, "panel"));
            assert!(has(&events, "reset"), "{events:?}");
        }
        return r;
    }
    exchange(desk.port, method, &target, &all, body.as_deref())
}

/// The headers every response carries, and none that opens it to other
/// origins.
fn assert_strict_headers(r: &Response, what: &str) {
    let csp = r
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP: {r:?}"));
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors"), "{what}: {csp}");
    assert!(
        !csp.contains("unsafe-eval") && !csp.contains("http:") && !csp.contains('*'),
        "{what}: {csp}"
    );
    if !what.contains("/slip") || r.status != 200 {
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    }
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    for (name, _) in &r.headers {
        assert!(
            !name.starts_with("access-control-"),
            "{what}: a CORS header: {name}"
        );
    }
}

/// One request the guards must refuse, and how.
struct Refusal {
    case: String,
    host: String,
    headers: Vec<(&'static str, String)>,
    key: Option<String>,
    status: u16,
    code: &'static str,
}

impl Refusal {
    fn new(
        case: &str,
        host: &str,
        headers: &[(&'static str, &str)],
        key: Option<&str>,
        status: u16,
        code: &'static str,
    ) -> Refusal {
        Refusal {
            case: case.to_string(),
            host: host.to_string(),
            headers: headers.iter().map(|(n, v)| (*n, v.to_string())).collect(),
            key: key.map(str::to_string),
            status,
            code,
        }
    }
}

#[test]
fn every_refusal_has_its_status_and_code_on_every_route() {
    let desk = Desk::start("sign-1-left", &[]);
    let reader = read_panel(&desk, "en")["reader"]
        .as_str()
        .expect("reader")
        .to_string();
    let host = desk.host();
    let other_port = format!("127.0.0.1:{}", desk.port.wrapping_add(1).max(1));
    let own_origin = format!("http://{host}");
    let wrong = "0".repeat(desk.secret.len());
    let short_wrong = &desk.secret[..desk.secret.len() - 1];
    let key = desk.secret.clone();
    let mut refusals = 0;
    for route in secret_routes(&reader) {
        let what = |case: &str| format!("{} {}: {case}", route.0, route.1);
        let evil = format!("evil.example:{}", desk.port);
        let cases = [
            Refusal::new(
                "Host evil.example",
                &evil,
                &[],
                Some(&key),
                421,
                "foreign_host",
            ),
            Refusal::new(
                "Host 127.0.0.1:OTHERPORT",
                &other_port,
                &[],
                Some(&key),
                421,
                "foreign_host",
            ),
            Refusal::new(
                "Host 127.0.0.1 (no port)",
                "127.0.0.1",
                &[],
                Some(&key),
                421,
                "foreign_host",
            ),
            Refusal::new("no Host", "", &[], Some(&key), 421, "foreign_host"),
            Refusal::new(
                "Origin evil.example",
                &host,
                &[("Origin", "http://evil.example")],
                Some(&key),
                403,
                "foreign_origin",
            ),
            Refusal::new(
                "Origin null",
                &host,
                &[("Origin", "null")],
                Some(&key),
                403,
                "foreign_origin",
            ),
            Refusal::new(
                "Origin evil, our port",
                &host,
                &[("Origin", &format!("http://evil.example:{}", desk.port))],
                Some(&key),
                403,
                "foreign_origin",
            ),
            Refusal::new(
                "Sec-Fetch-Site cross-site",
                &host,
                &[("Sec-Fetch-Site", "cross-site")],
                Some(&key),
                403,
                "foreign_origin",
            ),
            Refusal::new("no secret", &host, &[], None, 401, "secret_missing"),
            Refusal::new(
                "wrong secret",
                &host,
                &[],
                Some(&wrong),
                403,
                "secret_wrong",
            ),
            Refusal::new(
                "secret one short",
                &host,
                &[],
                Some(short_wrong),
                403,
                "secret_wrong",
            ),
        ];
        for c in cases {
            let label = what(&c.case);
            let headers: Vec<(&str, &str)> =
                c.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let r = send(&desk, &route, &c.host, &headers, c.key.as_deref());
            assert_eq!(r.status, c.status, "{label}: {r:?}");
            assert_eq!(r.error_code(&label), c.code, "{label}");
            assert_strict_headers(&r, &label);
            refusals += 1;
        }
        // The right secret works, from the page's own origin too.
        for headers in [
            vec![],
            vec![
                ("Origin", own_origin.as_str()),
                ("Sec-Fetch-Site", "same-origin"),
            ],
        ] {
            let label = what(&format!("right secret, {headers:?}"));
            let r = send(&desk, &route, &host, &headers, Some(&key));
            assert_eq!(r.status, 200, "{label}: {r:?}");
            assert_strict_headers(&r, &label);
        }
        // localhost by name is this server too.
        let r = send(
            &desk,
            &route,
            &format!("localhost:{}", desk.port),
            &[],
            Some(&key),
        );
        assert_eq!(r.status, 200, "{}: Host localhost: {r:?}", route.1);
    }
    println!("{refusals} refusals, each with its status, code and headers");
}

#[test]
fn the_secret_is_not_needed_for_the_assets_but_the_host_check_is() {
    let desk = Desk::start("fresh", &[]);
    for (path, kind) in [
        ("/assets/desk.js", "text/javascript"),
        ("/assets/desk.css", "text/css"),
        ("/assets/slip.css", "text/css"),
    ] {
        let r = desk.get(path);
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert!(
            r.header("content-type")
                .is_some_and(|t| t.starts_with(kind)),
            "{path}: {r:?}"
        );
        assert!(!r.body.is_empty(), "{path}");
        assert_strict_headers(&r, path);
        let r = exchange(
            desk.port,
            "GET",
            path,
            &[("Host", &format!("evil.example:{}", desk.port))],
            None,
        );
        assert_eq!(
            (r.status, r.error_code(path).as_str()),
            (421, "foreign_host"),
            "{path}"
        );
        assert_strict_headers(&r, path);
    }
    // An unknown path with the secret is 404 not_found, with the headers.
    let r = desk.get(&desk.with_key("/nothing-here"));
    assert_eq!(
        (r.status, r.error_code("/nothing-here").as_str()),
        (404, "not_found")
    );
    assert_strict_headers(&r, "/nothing-here");
}

#[test]
fn no_cors_even_for_a_preflight() {
    let desk = Desk::start("fresh", &[]);
    let host = desk.host();
    let preflight = |origin: &str, key: Option<&str>| {
        let mut h: Vec<(&str, &str)> = vec![
            ("Host", host.as_str()),
            ("Origin", origin),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "content-type, x-jpki-desk-key",
            ),
        ];
        if let Some(k) = key {
            h.push(("x-jpki-desk-key", k));
        }
        exchange(desk.port, "OPTIONS", "/api/answer", &h, None)
    };
    for (origin, key) in [
        ("http://evil.example", None),
        ("http://evil.example", Some(desk.secret.as_str())),
        (&format!("http://{host}")[..], None),
        (&format!("http://{host}")[..], Some(desk.secret.as_str())),
    ] {
        let r = preflight(origin, key);
        let what = format!("OPTIONS /api/answer from {origin} key {}", key.is_some());
        assert!(
            r.status >= 400,
            "{what}: a preflight is never accepted: {r:?}"
        );
        assert_strict_headers(&r, &what);
    }
}

#[test]
fn the_page_names_only_same_origin_resources() {
    for lang in ["ja", "en"] {
        let desk = Desk::start("sign-1-left", &["--lang", lang]);
        let r = desk.get(&desk.url[desk.url.find("/?").expect("path")..]);
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")));
        assert_strict_headers(&r, "GET /");
        assert!(
            r.body.contains(&format!("<html lang=\"{lang}\"")),
            "{}",
            r.body
        );
        let mut urls = attribute_values(&r.body, &["src", "href", "action", "data", "poster"]);
        // The panels' HTML goes into the page too.
        let panel = read_panel(&desk, lang);
        urls.extend(attribute_values(
            panel["html"].as_str().expect("html"),
            &["src", "href", "action", "data", "poster"],
        ));
        assert!(!urls.is_empty(), "the page loads its own script and styles");
        for u in &urls {
            let same_origin =
                (u.starts_with('/') && !u.starts_with("//")) || u == "#" || u.starts_with("?");
            assert!(
                same_origin,
                "{lang}: an attribute names another origin: {u}"
            );
        }
        for needle in ["http://", "https://", "//fonts.", "@import", "url("] {
            assert!(!r.body.contains(needle), "{lang}: the page holds {needle}");
        }
        // The script and styles load nothing from elsewhere either.
        for asset in ["/assets/desk.js", "/assets/desk.css", "/assets/slip.css"] {
            let a = desk.get(asset);
            for needle in ["http://", "https://", "@import", "url(http", "url(//"] {
                assert!(!a.body.contains(needle), "{asset} holds {needle}");
            }
        }
        let asset_urls: Vec<&String> = urls.iter().filter(|u| u.starts_with("/assets/")).collect();
        for u in asset_urls {
            assert_eq!(desk.get(u).status, 200, "{u} is served");
        }
    }
}

/// Values of the named attributes in `html` (a tolerant scan: quoted or
/// not, any case).
fn attribute_values(html: &str, names: &[&str]) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut out = Vec::new();
    for name in names {
        let pat = format!("{name}=");
        let mut from = 0;
        while let Some(i) = lower[from..].find(&pat) {
            let at = from + i;
            from = at + pat.len();
            let before = lower[..at].chars().last().unwrap_or(' ');
            if !before.is_whitespace() {
                continue; // `data-src=`, `xhref=`
            }
            let rest = &html[from..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            out.push(value.to_string());
        }
    }
    out
}

// ---------------------------------------------------------------------
// Answers

#[test]
fn an_answer_recomputes_the_advice_as_the_command_line_does() {
    for lang in ["ja", "en"] {
        let desk = Desk::start("sign-1-left", &[]);
        let panel = read_panel(&desk, lang);
        let reader = panel["reader"].as_str().expect("reader").to_string();
        let before = panel["advice"].clone();
        assert_eq!(
            comparable(&before),
            cli_advice("sign-1-left", &[], lang),
            "{lang}: the desk's advice is the command line's"
        );
        assert_eq!(panel["question"]["id"], "knows_sign", "{panel}");

        // "No" to "do you remember the signature password?"
        let body = json!({"reader": reader, "question": "knows_sign", "answer": "no"});
        schema::assert_valid(Doc::DeskAnswerRequest, &body, "the test's answer");
        let r = desk.answer(&body, lang);
        assert_eq!(r.status, 200, "{r:?}");
        let after = r.json();
        schema::assert_valid(Doc::DeskPanel, &after, "POST /api/answer");
        let expected = cli_advice("sign-1-left", &["--forgot", "sign"], lang);
        assert_eq!(
            comparable(&after["advice"]),
            expected,
            "{lang}: knows_sign no = --forgot sign"
        );
        assert_ne!(
            after["advice"]["summary"], before["summary"],
            "{lang}: the decision line changed"
        );
        // The panel now shows the new decision and the next question.
        assert_eq!(comparable(&the_panel(&desk, lang)["advice"]), expected);
        assert_eq!(after["question"]["id"], "knows_auth", "{after}");

        // "Yes" to the next one settles the route.
        let body = json!({"reader": reader, "question": "knows_auth", "answer": "yes"});
        let settled = desk.answer(&body, lang).json();
        schema::assert_valid(Doc::DeskPanel, &settled, "POST /api/answer");
        let expected = cli_advice(
            "sign-1-left",
            &["--forgot", "sign", "--knows", "auth"],
            lang,
        );
        assert_eq!(comparable(&settled["advice"]), expected, "{lang}");
        assert_ne!(
            settled["advice"]["route"], before["route"],
            "{lang}: the route changed"
        );
        assert_ne!(settled["advice"]["route"], "conditional");
        // The slip follows the answers: its decision is the settled one.
        let slip =
            desk.get(&desk.with_key(&format!("/slip?lang={lang}&reader={}", percent(&reader))));
        assert_eq!(slip.status, 200);
        let label = settled["advice"]["summary"]["text"]
            .as_str()
            .expect("summary text");
        assert!(settled["html"]
            .as_str()
            .expect("html")
            .contains("route-label"));
        assert!(!slip.body.is_empty() && !label.is_empty());
    }
}

#[test]
fn wrong_answers_are_refused() {
    let desk = Desk::start("sign-1-left", &[]);
    let reader = read_panel(&desk, "en")["reader"]
        .as_str()
        .expect("reader")
        .to_string();
    let cases = [
        // Not among the question's choices.
        (
            json!({"reader": reader, "question": "knows_sign", "answer": "adult"}),
            400,
            "bad_answer",
        ),
        (
            json!({"reader": reader, "question": "age", "answer": "yes"}),
            400,
            "bad_answer",
        ),
        // Not an answer at all, not a question, an extra field.
        (
            json!({"reader": reader, "question": "knows_sign", "answer": "maybe"}),
            400,
            "bad_answer",
        ),
        (
            json!({"reader": reader, "question": "favourite_colour", "answer": "yes"}),
            400,
            "bad_answer",
        ),
        (
            json!({"reader": reader, "question": "knows_sign", "answer": "no", "pin": "1234"}),
            400,
            "bad_answer",
        ),
        // No answer field: refused, not taken as "don't know".
        (
            json!({"reader": reader, "question": "knows_sign"}),
            400,
            "bad_answer",
        ),
        // "Don't know" where the question does not offer it (remembering
        // a PIN: unsure is "no").
        (
            json!({"reader": reader, "question": "knows_sign", "answer": null}),
            400,
            "bad_answer",
        ),
        // A question this card's advice does not depend on.
        (
            json!({"reader": reader, "question": "age", "answer": "adult"}),
            409,
            "question_not_open",
        ),
        // A reader with no card, or none at all.
        (
            json!({"reader": "No Such Reader 00 00", "question": "knows_sign", "answer": "no"}),
            409,
            "no_card",
        ),
    ];
    for (body, status, code) in cases {
        let r = desk.answer(&body, "en");
        assert_eq!(r.status, status, "{body}: {r:?}");
        assert_eq!(r.error_code(&body.to_string()), code, "{body}");
        assert_strict_headers(&r, "POST /api/answer");
    }
    // Not JSON.
    let r = desk.request(
        "POST",
        "/api/answer",
        &[
            ("Content-Type", "application/json"),
            ("x-jpki-desk-key", &desk.secret),
        ],
        Some("reader=x"),
    );
    assert_eq!(
        (r.status, r.error_code("not JSON").as_str()),
        (400, "bad_answer")
    );
    // None of them changed the panel.
    assert_eq!(the_panel(&desk, "en")["question"]["id"], "knows_sign");
    // A slip for an unknown reader.
    let r = desk.get(&desk.with_key("/slip?reader=No%20Such%20Reader"));
    assert_eq!((r.status, r.error_code("slip").as_str()), (409, "no_card"));
}

#[test]
fn an_answer_goes_to_every_open_event_stream() {
    let desk = Desk::start("sign-1-left", &[]);
    let reader = read_panel(&desk, "en")["reader"]
        .as_str()
        .expect("reader")
        .to_string();
    let mut s = desk.stream(&desk.with_key("/api/events?lang=en"));
    let first = s.until(EXCHANGE, |e| has(e, "panel"));
    validate_events(&first, "the stream's start");
    let r = desk.answer(
        &json!({"reader": reader, "question": "knows_sign", "answer": "no"}),
        "en",
    );
    assert_eq!(r.status, 200);
    let next = s.until(EXCHANGE, |e| has(e, "panel"));
    let docs = validate_events(&next, "after an answer");
    let panel = &docs
        .iter()
        .find(|(d, _)| *d == Doc::DeskPanel)
        .expect("a panel event")
        .1;
    assert_eq!(
        comparable(&panel["advice"]),
        comparable(&r.json()["advice"]),
        "the stream shows what the answer returned"
    );
}

// ---------------------------------------------------------------------
// The documents against their schemas

/// Profiles whose documents the schema test fetches: an open question, a
/// lock, both JPKI locks, not a My Number Card, an odd status word, and a
/// few more shapes (a question with more than two choices, no question).
const PROFILES: [&str; 8] = [
    "sign-1-left",
    "auth-locked",
    "both-jpki-locked",
    "not-my-number-card",
    "odd-sw",
    "fresh",
    "certificate-expired",
    "juki-card",
];

/// Starts a desk and subscribes to its event stream as early as the server
/// accepts connections, so the stream may carry the startup's `watch`
/// events (reader_added, card_inserted, report): with `--sim` the card is
/// read at once, so whether the subscription comes first is a race; the
/// `watch` events seen are validated (tests/e2e_desk_api.rs sees them for
/// certain).
fn early_events(profile: &str, lang: &str) -> Vec<(String, String)> {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = probe.local_addr().expect("addr").port();
    drop(probe);
    let secret = "early-subscriber-secret-0123456789abcdef";
    let program = Program::jpki_status().env("JPKI_STATUS_DESK_SECRET", secret);
    let stderr = tempfile::NamedTempFile::new().expect("stderr");
    let mut child = program
        .args([
            "desk",
            "--no-open",
            "--sim",
            profile,
            "--port",
            &port.to_string(),
        ])
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.reopen().expect("stderr"))
        .spawn()
        .expect("starts");
    let deadline = Instant::now() + START;
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "desk on port {port} never listened: {}",
                std::fs::read_to_string(stderr.path()).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let host = format!("127.0.0.1:{port}");
    let mut s = Stream::open(
        port,
        &format!("/api/events?k={secret}&lang={lang}"),
        &[("Host", &host)],
    );
    let events = s.until(EXCHANGE, |e| {
        e.iter()
            .any(|(n, d)| n == "panel" && d.contains("\"state\":\"report\""))
            || e.iter()
                .any(|(n, d)| n == "watch" && d.contains("\"type\":\"report\""))
                && e.iter().filter(|(n, _)| n == "panel").count() >= 2
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(s.head.map(|h| h.status), Some(200), "{profile}");
    events
}

#[test]
fn every_desk_document_matches_its_schema() {
    let mut docs: Vec<(Doc, Value)> = Vec::new();
    let mut per_event: BTreeMap<String, usize> = BTreeMap::new();
    for profile in PROFILES {
        for lang in ["ja", "en"] {
            let what = format!("desk --sim {profile} --lang {lang}");
            let desk = Desk::start(profile, &["--lang", lang]);
            read_panel(&desk, lang);
            // GET /api/panels, in the page's language and in the other.
            for l in ["ja", "en"] {
                let r = desk.get(&desk.with_key(&format!("/api/panels?lang={l}")));
                let v = r.json();
                schema::assert_valid(Doc::DeskPanels, &v, &what);
                for p in v["panels"].as_array().expect("panels") {
                    assert_eq!(
                        p["advice"]["lang"].as_str().unwrap_or(l),
                        l,
                        "{what}: ?lang={l}"
                    );
                    docs.push((Doc::DeskPanel, p.clone()));
                }
                docs.push((Doc::DeskService, v["service"].clone()));
                docs.push((Doc::DeskPanels, v));
            }
            // The event stream's start.
            let events = desk.events(lang, EXCHANGE, |e| has(e, "panel"));
            for (name, _) in &events {
                *per_event.entry(name.clone()).or_default() += 1;
            }
            docs.extend(validate_events(&events, &what));
            // An answer to each question the panel asks, in turn, until none.
            let mut panel = the_panel(&desk, lang);
            let reader = panel["reader"].as_str().expect("reader").to_string();
            for _ in 0..6 {
                let Some(q) = panel.get("question").cloned() else {
                    break;
                };
                let unknown = q["unknown_allowed"] == true;
                let answer = if unknown {
                    Value::Null
                } else {
                    q["choices"][q["choices"].as_array().expect("choices").len() - 1]["id"].clone()
                };
                let body = json!({"reader": reader, "question": q["id"], "answer": answer});
                schema::assert_valid(Doc::DeskAnswerRequest, &body, &what);
                docs.push((Doc::DeskAnswerRequest, body.clone()));
                let r = desk.answer(&body, lang);
                assert_eq!(r.status, 200, "{what}: {body}: {r:?}");
                panel = r.json();
                schema::assert_valid(Doc::DeskPanel, &panel, &what);
                docs.push((Doc::DeskPanel, panel.clone()));
            }
            // The refusals' bodies.
            for target in [
                "/api/panels".to_string(),
                desk.with_key("/nothing"),
                format!("/api/panels?k={}", "0".repeat(64)),
            ] {
                let r = desk.get(&target);
                assert!(r.status >= 400);
                let v = r.json();
                schema::assert_valid(Doc::DeskError, &v, &what);
                docs.push((Doc::DeskError, v));
            }
        }
    }
    // The `watch` events: with `--sim` the card is read at once, so a
    // stream sees them only if it subscribes first, a race (a few launches
    // are tried; whatever is seen is validated). tests/e2e_desk_api.rs sees
    // every kind for certain, through the real PC/SC stack.
    let mut watch_lines = 0;
    let mut launches = 0;
    for attempt in 0..5 {
        let profile = PROFILES[attempt % PROFILES.len()];
        let lang = ["ja", "en"][attempt % 2];
        let events = early_events(profile, lang);
        for (name, _) in &events {
            *per_event.entry(format!("early {name}")).or_default() += 1;
        }
        let valid = validate_events(&events, &format!("early subscriber, {profile}"));
        watch_lines += valid.iter().filter(|(d, _)| *d == Doc::WatchEvent).count();
        docs.extend(valid);
        launches = attempt + 1;
        if watch_lines > 0 {
            break;
        }
    }
    println!(
        "SSE events seen: {per_event:?}; `watch` lines validated: {watch_lines} \
         (early subscriber: {launches} launch(es); a race, not asserted)"
    );

    let (declared, covered, missing) = schema::coverage(&Doc::DESK, &docs, "desk-");
    // A panel's service banner is `lost` only when the PC/SC service goes
    // away, which `--sim` never does: those two fields are produced (and
    // checked) by tests/e2e_desk_api.rs through the real stack.
    let only_real_stack = [
        "docs/schema/desk-service.schema.json#/properties/message",
        "docs/schema/desk-service.schema.json#/properties/next_step",
    ];
    let missing: Vec<&String> = missing
        .iter()
        .filter(|m| !only_real_stack.contains(&m.as_str()))
        .collect();
    println!(
        "{covered} of {declared} properties declared in docs/schema/desk-*.schema.json produced by {} desk documents ({} validated in all)",
        docs.len(),
        schema::validated()
    );
    assert!(
        missing.is_empty(),
        "declared in a desk schema but produced by no desk document:\n{missing:#?}"
    );
    for doc in Doc::DESK {
        assert!(docs.iter().any(|(d, _)| *d == doc), "no {doc:?} document");
    }
    renaming_any_field_breaks_validation(&docs);
}

/// The desk schemas are strict everywhere (as tests/json_schemas.rs checks
/// for the others): in the richest document of each desk type, renaming any
/// single key anywhere breaks validation.
fn renaming_any_field_breaks_validation(docs: &[(Doc, Value)]) {
    let mut mutations = 0;
    for doc in Doc::DESK {
        let (_, sample) = docs
            .iter()
            .filter(|(d, _)| *d == doc)
            .max_by_key(|(_, v)| schema::key_count(v))
            .expect("a document of every desk type");
        mutations += schema::every_rename_is_rejected(doc, sample, "a desk document");
    }
    println!("{mutations} single-field renames in desk documents, each rejected by its schema");
}
