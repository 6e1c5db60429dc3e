//! The desk page in a real browser (issue 17, item 9): headless Chromium,
//! driven through Debian's `chromedriver` (WebDriver, the `fantoccini`
//! client), shows what `jpki-status desk` serves while virtual cards are
//! placed and removed on the real private pcscd + vpcd stack
//! (tests/support/mod.rs).
//!
//! Owns the claims: a card placed shows its panel's decision, the same
//! sentence the command line prints for that card; 「いいえ」 clicked, or a
//! key pressed, changes the decision to the answered one (again the command
//! line's sentence for those answers); the printed slip (WebDriver's Print
//! Page, read back with `pdftotext`) holds the decision with the answers
//! given; a removed card's panel goes `removed`, then `empty`, and nothing of
//! the holder stays in the page; two tabs show the same state and an answer
//! in one shows in the other; each reader has its own panel; pcscd stopped
//! shows the service banner and the readers go, pcscd back hides it, the
//! readers return and the next card is read; the server stopped by SIGTERM
//! exits 130 within seconds, the page says it lost the server, and finds it
//! again by itself when it restarts on the same port with the same secret.
//! And (ignored, run by scripts/desk-screenshots.sh) the screenshots in
//! docs/images.
//!
//! How the browser reaches the server: the server runs inside the stack's
//! namespace (its loopback is not the test's), so Chromium must too.
//! chromedriver runs here, on a free port of this loopback, and starts
//! Chromium through a two-line wrapper that `nsenter`s the stack's
//! namespace; `--remote-debugging-pipe` makes chromedriver talk to it over
//! inherited pipes instead of a TCP port, so no socket crosses namespaces.
//!
//! Must not: wait without a deadline (every wait polls the page until a
//! bound and fails with what the page showed), leave chromedriver, Chromium
//! or the server behind (Drop ends their process group), or word anything
//! itself (every expected sentence comes from the built `jpki-status`).
//!
//! Without chromedriver or Chromium the tests print a `SKIP` line and pass,
//! unless `JPKI_REQUIRE_BROWSER=1` (scripts/test.sh) or `CI` is set: then they
//! fail. Without the PC/SC stack they follow tests/support's rule
//! (`JPKI_E2E=1`: fail). Details: docs/testing.md, "The desk page in a
//! browser".
#![cfg(target_os = "linux")]

mod common;
mod support;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Program;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::wd::PrintConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use serde::Deserialize;
use serde_json::{json, Value};
use support::{serial, sim_run, Card, CardOptions, Stack, PORT1, READER0, READER1};

/// One step the page must take: the panel of a placed card, a removal, a
/// banner. vpcd polls every ~400 ms and a reading takes tens of ms; the
/// browser adds little. Generous for a loaded 2-core machine.
const STEP: Duration = Duration::from_secs(15);

/// How long the server may take to stop after SIGTERM.
const STOP_LIMIT: Duration = Duration::from_secs(5);

/// The browser window: a desk monitor's page, the same in every run.
const WINDOW: (u32, u32) = (1280, 1000);

/// The secret for the restart test (`JPKI_STATUS_DESK_SECRET`): fixed, so
/// the page's URL stays valid across the restart.
const FIXED_SECRET: &str = "desk-browser-test-secret-0123456789abcdef";

/// The port inside the stack's own namespace for the restart test: nothing
/// else listens there.
const FIXED_PORT: u16 = 47321;

// ---------------------------------------------------------------------
// Tools: chromedriver, Chromium, pdftotext; skip or fail.

struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
    pdftotext: PathBuf,
}

/// Whether a missing browser must fail the test instead of skipping it.
fn browser_required() -> bool {
    std::env::var("JPKI_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0")
        || std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// chromedriver (`JPKI_CHROMEDRIVER`, else Debian's `/usr/bin/chromedriver`),
/// Chromium (`JPKI_CHROMIUM`, else `chromium` on PATH) and `pdftotext`; or
/// `None` after a SKIP line, or a failure when they are required.
fn tools() -> Option<Tools> {
    let from_env = |var: &str| std::env::var_os(var).map(PathBuf::from);
    let chromedriver = from_env("JPKI_CHROMEDRIVER")
        .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")))
        .filter(|p| p.is_file());
    let chromium = from_env("JPKI_CHROMIUM")
        .or_else(|| on_path("chromium"))
        .filter(|p| p.is_file());
    let pdftotext = on_path("pdftotext");
    if let (Some(chromedriver), Some(chromium), Some(pdftotext)) =
        (chromedriver.clone(), chromium.clone(), pdftotext.clone())
    {
        return Some(Tools {
            chromedriver,
            chromium,
            pdftotext,
        });
    }
    let missing: Vec<&str> = [
        (chromedriver.is_none(), "chromedriver (chromium-driver)"),
        (chromium.is_none(), "chromium"),
        (pdftotext.is_none(), "pdftotext (poppler-utils)"),
    ]
    .iter()
    .filter_map(|(gone, name)| gone.then_some(*name))
    .collect();
    let test = std::thread::current()
        .name()
        .unwrap_or("desk_browser")
        .to_string();
    let msg = format!(
        "desk_browser::{test}: missing {} (scripts/setup.sh --test installs them)",
        missing.join(", ")
    );
    if browser_required() {
        panic!("{msg}; JPKI_REQUIRE_BROWSER or CI is set, so this is a failure, not a skip");
    }
    // Straight to the stream, not through eprintln!: libtest captures
    // that for a passing test, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "SKIP {msg}; set JPKI_REQUIRE_BROWSER=1 to make this a failure"
    );
    None
}

// ---------------------------------------------------------------------
// The server under test.

/// A running `jpki-status desk --no-open ...`, its first stdout line (the
/// URL) read; stopped and reaped on drop.
struct DeskServer {
    child: Option<Child>,
    url: String,
    err: PathBuf,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl DeskServer {
    /// Starts it inside `stack`'s namespace (or here, for `--sim`), with
    /// stderr to a file in `dir`, and waits for the URL line.
    fn start(stack: Option<&Stack>, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> DeskServer {
        let mut program = Program::jpki_status()
            .arg("desk")
            .arg("--no-open")
            .args(args);
        for (k, v) in env {
            program = program.env(k, v);
        }
        if let Some(s) = stack {
            program = s.program(program);
        }
        let n = fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
        let err = dir.join(format!("desk-{n:02}.err"));
        let mut child = program
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&err).expect("desk stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.describe()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        // Reads every line to the end, so the server never blocks on a
        // full pipe; only the first matters.
        let drain = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let mut server = DeskServer {
            child: Some(child),
            url: String::new(),
            err,
            drain: Some(drain),
        };
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(first) => {
                assert!(
                    first.starts_with("http://127.0.0.1:") && first.contains("/?k="),
                    "the first line is the page's URL: {first:?}"
                );
                server.url = first;
            }
            Err(e) => panic!(
                "jpki-status desk printed no URL within 30 s ({e}); stderr:\n{}",
                server.stderr()
            ),
        }
        server
    }

    fn stderr(&self) -> String {
        fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT` (the page's origin).
    fn origin(&self) -> &str {
        let rest = self.url.strip_prefix("http://").expect("http URL");
        let end = rest.find('/').unwrap_or(rest.len());
        &self.url[.."http://".len() + end]
    }

    /// Sends SIGTERM and waits up to `limit`; the exit code and how long
    /// it took. Still running after `limit` fails the test.
    fn terminate(&mut self, limit: Duration) -> (Option<i32>, Duration) {
        let child = self.child.as_mut().expect("server runs");
        let sent = Instant::now();
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -TERM {}", child.id());
        loop {
            if let Some(s) = child.try_wait().expect("try_wait") {
                self.child = None;
                return (s.code(), sent.elapsed());
            }
            assert!(
                sent.elapsed() < limit,
                "jpki-status desk still running {limit:?} after SIGTERM; stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for DeskServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            support::terminate(&mut child, Duration::from_secs(3));
        }
        if let Some(t) = self.drain.take() {
            let _ = t.join();
        }
        if std::thread::panicking() {
            eprintln!("desk server stderr:\n{}", self.stderr());
        }
    }
}

// ---------------------------------------------------------------------
// The browser.

/// chromedriver (its own process group, with every Chromium it starts) and
/// one WebDriver session. [`Browser::close`] ends the session; Drop ends
/// the whole group in any case.
struct Browser {
    client: Option<Client>,
    driver: Child,
    dir: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session,
    /// inside `stack`'s namespace when there is one.
    async fn start(tools: &Tools, stack: Option<&Stack>) -> Browser {
        let dir = tempfile::Builder::new()
            .prefix("jpki-desk-browser-")
            .tempdir()
            .expect("temp dir");
        let binary = match stack {
            None => tools.chromium.clone(),
            Some(s) => namespace_wrapper(s, &tools.chromium, dir.path()),
        };
        let (driver, port) = start_chromedriver(&tools.chromedriver, dir.path());
        let mut browser = Browser {
            client: None,
            driver,
            dir,
        };
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": binary,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--remote-debugging-pipe",
                    format!("--window-size={},{}", WINDOW.0, WINDOW.1),
                    "--hide-scrollbars",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-extensions",
                    "--disable-dev-shm-usage",
                ],
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no WebDriver session from chromedriver: {e}\nchromedriver log:\n{}",
                    browser.log_tail()
                )
            });
        client
            .set_window_size(WINDOW.0, WINDOW.1)
            .await
            .expect("window size");
        browser.client = Some(client);
        browser
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("session open")
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Ends the session (Chromium quits) and chromedriver.
    async fn close(mut self) {
        if let Some(c) = self.client.take() {
            c.close().await.expect("end the WebDriver session");
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session, if still open, goes with chromedriver's group.
        drop(self.client.take());
        let group = format!("-{}", self.driver.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill")
                .args([signal, "--", &group])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline {
                if self.driver.try_wait().ok().flatten().is_some() && !group_alive(self.driver.id())
                {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.driver.wait();
    }
}

/// Whether any process is left in process group `pgid`.
fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-0", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A script that runs Chromium inside the stack's namespace (the prefix
/// [`Stack::program`] gives), with chromedriver's arguments.
fn namespace_wrapper(stack: &Stack, chromium: &Path, dir: &Path) -> PathBuf {
    let cmd = stack.program(Program::new(chromium)).command();
    let words: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|w| shell_quote(&w.to_string_lossy()))
        .collect();
    let path = dir.join("chromium-in-stack");
    let mut f = fs::File::create(&path).expect("wrapper");
    writeln!(f, "#!/bin/sh\nexec {} \"$@\"", words.join(" ")).expect("write wrapper");
    drop(f);
    let status = Command::new("chmod")
        .arg("755")
        .arg(&path)
        .status()
        .expect("chmod");
    assert!(status.success());
    path
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// chromedriver on a free port of this loopback, in a process group of its
/// own; waits until it accepts connections. A port taken between choosing
/// and binding (chromedriver exits) is retried with another.
fn start_chromedriver(chromedriver: &Path, dir: &Path) -> (Child, u16) {
    use std::os::unix::process::CommandExt;
    for _ in 0..3 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                dir.join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", chromedriver.display()));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if child.try_wait().ok().flatten().is_some() {
                break; // exited: the port was taken; another one
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return (child, port);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromedriver did not listen on port {port} within 20 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("chromedriver exited at start three times (ports taken?)");
}

// ---------------------------------------------------------------------
// What the page shows.

/// One panel as the DOM shows it.
#[derive(Debug, Deserialize, Clone)]
struct PanelView {
    reader: String,
    state: String,
    /// The decision's section class (`route route-conditional`...).
    route: Option<String>,
    kicker: Option<String>,
    label: Option<String>,
    question: Option<String>,
    question_text: Option<String>,
    /// `answer:key` of each answer button.
    answers: Vec<String>,
    /// The PIN table's row classes (`locked`, `last`, `ok`).
    rows: Vec<String>,
    print_button: bool,
    /// Whether the panel's content fits its width (nothing runs past the
    /// edge, such as a PIN table wider than a half-screen panel).
    fits: bool,
}

/// The page as the DOM shows it.
#[derive(Debug, Deserialize, Clone)]
struct PageView {
    panels: Vec<PanelView>,
    waiting_hidden: bool,
    service_state: String,
    service_hidden: bool,
    service_text: String,
    conn_state: String,
    conn_hidden: bool,
    /// `reader=state` for every panel state change since [`watch_states`].
    states: Option<Vec<String>>,
    /// The whole page's visible text.
    text: String,
}

impl PageView {
    fn panel(&self, reader: &str) -> Option<&PanelView> {
        self.panels.iter().find(|p| p.reader == reader)
    }

    /// The panel of `reader` once it shows a reading with a decision.
    fn decided(&self, reader: &str) -> Option<&PanelView> {
        self.panel(reader)
            .filter(|p| p.state == "report" && p.label.as_deref().is_some_and(|l| !l.is_empty()))
    }
}

const VIEW_JS: &str = r#"
const text = (el) => el ? el.textContent.trim() : null;
const panels = [];
for (const p of document.querySelectorAll('#panels > section.panel')) {
  const ask = p.querySelector('.ask');
  panels.push({
    reader: p.dataset.reader,
    state: p.dataset.state,
    route: p.querySelector('section.route') ? p.querySelector('section.route').className : null,
    kicker: text(p.querySelector('.route-kicker')),
    label: text(p.querySelector('.route-label')),
    question: ask ? ask.dataset.question : null,
    question_text: ask ? text(ask.querySelector('.question')) : null,
    answers: Array.from(p.querySelectorAll('button.answer')).map((b) => b.dataset.answer + ':' + b.dataset.key),
    rows: Array.from(p.querySelectorAll('section.pins table tr.locked, section.pins table tr.last, section.pins table tr.ok')).map((r) => r.className),
    print_button: p.querySelector('button.print[data-action="print"]') !== null,
    fits: p.scrollWidth <= p.clientWidth,
  });
}
const service = document.getElementById('service');
const conn = document.getElementById('conn');
return {
  panels: panels,
  waiting_hidden: document.getElementById('waiting').hidden,
  service_state: service.dataset.state,
  service_hidden: service.hidden,
  service_text: service.textContent.trim(),
  conn_state: conn.dataset.state,
  conn_hidden: conn.hidden,
  states: window.__deskStates || null,
  text: document.body.innerText,
};
"#;

async fn view(c: &Client) -> PageView {
    let v = c.execute(VIEW_JS, vec![]).await.expect("read the page");
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("page view {v}: {e}"))
}

/// Polls the page until `f` finds what it waits for, at most `limit`; on
/// timeout fails with `what` and the page as it was last seen.
async fn wait_page<T>(
    c: &Client,
    what: &str,
    limit: Duration,
    mut f: impl FnMut(&PageView) -> Option<T>,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        let v = view(c).await;
        if let Some(t) = f(&v) {
            return t;
        }
        if Instant::now() > deadline {
            panic!("{what}: not seen within {limit:?}; the page showed:\n{v:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Records every panel's `data-state` change from now on (a state held
/// for less than a poll, as `removed` is with `--clear-after 1`, is still
/// seen).
async fn watch_states(c: &Client) {
    c.execute(
        r#"
window.__deskStates = [];
new MutationObserver((changes) => {
  for (const m of changes) {
    if (m.type === 'attributes' && m.target.matches('section.panel')) {
      window.__deskStates.push(m.target.dataset.reader + '=' + m.target.getAttribute('data-state'));
    }
  }
}).observe(document.getElementById('panels'), { subtree: true, attributes: true, attributeFilter: ['data-state'] });
"#,
        vec![],
    )
    .await
    .expect("install the state recorder");
}

/// Opens the page and waits until it is connected (the stream's `open`)
/// and shows `readers` as panels.
async fn open_page(c: &Client, url: &str, readers: &[&str]) -> PageView {
    c.goto(url).await.expect("open the desk page");
    wait_page(c, "the page connected with a panel per reader", STEP, |v| {
        (v.conn_state == "open"
            && v.conn_hidden
            && readers.iter().all(|r| v.panel(r).is_some())
            && v.waiting_hidden)
            .then(|| v.clone())
    })
    .await
}

/// The CSS selector of `reader`'s panel.
fn panel_css(reader: &str) -> String {
    format!("#panels > section.panel[data-reader=\"{reader}\"]")
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Presses and releases one key, as a person at the keyboard.
async fn press(c: &Client, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(keys).await.expect("press a key");
}

// ---------------------------------------------------------------------
// What the command line says.

/// What the built `jpki-status --sim PROFILE` says for one holder (the
/// answers as `--forgot`/`--knows`), the words the page must show.
struct Cli {
    /// What the terminal prints (its line 1 is the decision, wrapped).
    human: String,
    /// The `--json` document's `advice`.
    advice: Value,
    /// The `--slip` page's decision: the route section's class, kicker and
    /// sentence (text, entities decoded).
    route: String,
    kicker: String,
    label: String,
}

impl Cli {
    fn summary(&self) -> &str {
        self.advice["summary"]["text"].as_str().unwrap_or("")
    }
}

fn cli(profile: &str, lang: &str, answers: &[&str]) -> Cli {
    let dir = tempfile::tempdir().expect("temp dir");
    let slip = dir.path().join("slip.html");
    let mut args = vec!["--sim", profile, "--lang", lang, "--no-input"];
    args.extend_from_slice(answers);
    let json = sim_run(&[&args[..], &["--json"]].concat()).json();
    let slip_arg = slip.to_string_lossy().into_owned();
    let human = sim_run(&[&args[..], &["--slip", slip_arg.as_str()]].concat());
    let html = fs::read_to_string(&slip).unwrap_or_else(|e| {
        panic!(
            "{args:?} --slip wrote no slip ({e}); stderr:\n{}",
            human.stderr
        )
    });
    let section = between(&html, "<section class=\"route ", "</section>")
        .unwrap_or_else(|| panic!("no route section in the slip of {args:?}"));
    let route = format!("route {}", section.split('"').next().unwrap_or(""));
    let kicker = between(section, "<p class=\"route-kicker\">", "</p>").expect("kicker");
    let label = between(section, "<p class=\"route-label\">", "</p>").expect("label");
    Cli {
        human: human.stdout,
        advice: json["advice"].clone(),
        route,
        kicker: unescape(kicker),
        label: unescape(label),
    }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// The five entities the slip's `esc` writes.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Asserts the panel shows the command line's decision for this card and
/// these answers: the slip's route section word for word (one function
/// renders both), which is the terminal's line 1 (wrapped there), and, for
/// an open decision, the JSON summary too (`advice.summary.text` is line
/// 1 itself only then: a decided route's summary is a short route name).
fn assert_decision(p: &PanelView, cli: &Cli, context: &str) {
    let shown = (p.route.as_deref(), p.kicker.as_deref(), p.label.as_deref());
    assert_eq!(
        shown,
        (
            Some(cli.route.as_str()),
            Some(cli.kicker.as_str()),
            Some(cli.label.as_str())
        ),
        "{context}: the panel's decision is not the slip's for the same card and answers"
    );
    let label = &cli.label;
    // The slip starts the sentence with a capital; the terminal after
    // "Advice: " does not.
    let fold = |s: &str| squeeze(s).to_lowercase();
    assert!(
        fold(&cli.human).contains(&fold(label)),
        "{context}: the terminal's line 1 is not the panel's {label:?}:\n{}",
        cli.human
    );
    if cli.advice["route"] == "conditional" {
        assert!(
            fold(cli.summary()).ends_with(&fold(label)) && cli.summary().len() > label.len(),
            "{context}: advice.summary.text {:?} is not the panel's {label:?}",
            cli.summary()
        );
    }
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

/// Runs a test body on a one-thread runtime (WebDriver calls are async;
/// the stack's helpers block, which is fine between them).
fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(f)
}

// ---------------------------------------------------------------------
// The tests.

/// A holder's visit: card placed → the decision (conditional, as the
/// command line says it) and the question; 「いいえ」 clicked → the decision
/// for "forgot the signature password"; the next question answered with
/// the `y` key → the decision for both answers; the slip printed → a PDF
/// with that decision; card removed → `removed`, then `empty`, nothing of
/// the holder left in the page.
#[test]
fn a_card_answered_printed_and_removed() {
    let _turn = serial();
    let Some(tools) = tools() else { return };
    let Some(stack) = Stack::start() else { return };
    let conditional = cli("sign-1-left", "ja", &[]);
    let forgot_sign = cli("sign-1-left", "ja", &["--forgot", "sign"]);
    let forgot_sign_knows_auth = cli(
        "sign-1-left",
        "ja",
        &["--forgot", "sign", "--knows", "auth"],
    );
    assert!(
        conditional.label != forgot_sign.label && forgot_sign.label != forgot_sign_knows_auth.label,
        "each answer must change the decision, or this test proves nothing:\n{}\n{}\n{}",
        conditional.label,
        forgot_sign.label,
        forgot_sign_knows_auth.label
    );
    let server = DeskServer::start(
        Some(&stack),
        stack.dir(),
        &["--lang", "ja", "--clear-after", "1"],
        &[],
    );
    run(async {
        let browser = Browser::start(&tools, Some(&stack)).await;
        let c = browser.client();
        let first = open_page(c, &server.url, &[READER0, READER1]).await;
        for r in [READER0, READER1] {
            assert_eq!(
                first.panel(r).map(|p| p.state.as_str()),
                Some("empty"),
                "{first:#?}"
            );
        }
        watch_states(c).await;

        let placed = Instant::now();
        let mut card = Card::place_ready(&stack, "sign-1-left", CardOptions::default());
        let p = wait_page(c, "the decision after the card was placed", STEP, |v| {
            v.decided(READER0).cloned()
        })
        .await;
        eprintln!("card placed → decision on the page: {:?}", placed.elapsed());
        assert_decision(&p, &conditional, "card placed");
        assert_eq!(p.question.as_deref(), Some("knows_sign"), "{p:#?}");
        assert!(
            p.question_text.as_deref().is_some_and(|t| !t.is_empty()),
            "{p:#?}"
        );
        // Remembering a PIN has no "don't know" (docs/decision-rules.md).
        assert_eq!(p.answers, ["yes:y", "no:n"], "{p:#?}");
        // sign-1-left: the signature password on its last try, the rest fine.
        let mut rows = p.rows.clone();
        rows.sort();
        assert_eq!(rows, ["last", "ok", "ok", "ok"], "{p:#?}");
        assert!(p.print_button, "{p:#?}");
        assert_eq!(
            view(c)
                .await
                .panel(READER1)
                .map(|p| p.state.clone())
                .as_deref(),
            Some("empty"),
            "the other reader's panel stays empty"
        );

        // 「いいえ」: the holder forgot the signature password.
        let no = format!(
            "{} .ask[data-question=\"knows_sign\"] button.answer[data-answer=\"no\"]",
            panel_css(READER0)
        );
        click(c, &no).await;
        let p = wait_page(c, "the decision after 「いいえ」", STEP, |v| {
            v.decided(READER0)
                .filter(|p| p.label.as_deref() != Some(conditional.label.as_str()))
                .cloned()
        })
        .await;
        assert_decision(&p, &forgot_sign, "after 「いいえ」");
        assert_eq!(
            p.question.as_deref(),
            Some("knows_auth"),
            "the next question: {p:#?}"
        );
        assert!(p.answers.iter().any(|a| a == "yes:y"), "{p:#?}");

        // The keyboard: `y` answers the panel that asked last.
        press(c, 'y').await;
        let p = wait_page(c, "the decision after the `y` key", STEP, |v| {
            v.decided(READER0)
                .filter(|p| p.label.as_deref() != Some(forgot_sign.label.as_str()))
                .cloned()
        })
        .await;
        assert_decision(&p, &forgot_sign_knows_auth, "after the `y` key");
        let answered = p.label.clone().expect("label");

        // Print: the button loads the slip into the hidden frame and prints
        // it; the same page printed through WebDriver holds the decision.
        let frame = c
            .find(Locator::Css("iframe#print-frame"))
            .await
            .expect("print frame");
        assert_eq!(
            frame.attr("src").await.expect("src"),
            None,
            "no slip before the button"
        );
        click(
            c,
            &format!("{} button.print[data-action=\"print\"]", panel_css(READER0)),
        )
        .await;
        let deadline = Instant::now() + STEP;
        let src = loop {
            if let Some(src) = frame.attr("src").await.expect("src") {
                break src;
            }
            assert!(Instant::now() < deadline, "the print button loaded no slip");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(
            src.starts_with("/slip?") && src.contains("reader=Virtual%20PCD%2000%2000"),
            "the print frame's target: {src}"
        );
        let page = c.window().await.expect("window");
        let tab = c.new_window(true).await.expect("a tab for the slip");
        c.switch_to_window(tab.handle)
            .await
            .expect("to the slip's tab");
        c.goto(&format!("{}{src}", server.origin()))
            .await
            .expect("open the slip");
        let pdf = c
            .print(PrintConfiguration::default())
            .await
            .expect("WebDriver Print Page");
        assert!(
            pdf.starts_with(b"%PDF-"),
            "not a PDF: {:?}",
            &pdf[..pdf.len().min(16)]
        );
        let pdf_path = stack.dir().join("desk-slip.pdf");
        fs::write(&pdf_path, &pdf).expect("write the PDF");
        let text = Program::new(&tools.pdftotext).arg(&pdf_path).arg("-").run();
        assert_eq!(text.code, Some(0), "pdftotext: {}", text.stderr);
        // pdftotext keeps the layout's line breaks, which may fall inside
        // the sentence.
        let flat = squeeze(&text.stdout);
        assert!(
            flat.contains(&squeeze(&answered)),
            "the printed slip lacks the decision {answered:?}:\n{}",
            text.stdout
        );
        assert!(
            !flat.contains(&squeeze(conditional.label.as_str())),
            "the printed slip still has the unanswered decision:\n{}",
            text.stdout
        );
        c.close_window().await.expect("close the slip's tab");
        c.switch_to_window(page).await.expect("back to the page");

        // Removal: the panel says so, then clears (--clear-after 1).
        let before = view(c).await.states.expect("recorder").len();
        let removed_at = Instant::now();
        card.remove();
        let v = wait_page(c, "the panel cleared after the card left", STEP, |v| {
            v.panel(READER0)
                .is_some_and(|p| p.state == "empty" && p.label.is_none() && p.rows.is_empty())
                .then(|| v.clone())
        })
        .await;
        eprintln!("card removed → panel empty: {:?}", removed_at.elapsed());
        let changes: Vec<&String> = v.states.as_ref().expect("recorder")[before..]
            .iter()
            .filter(|s| s.starts_with(READER0))
            .collect();
        let removed = format!("{READER0}=removed");
        let empty = format!("{READER0}=empty");
        assert_eq!(
            changes.first().map(|s| s.as_str()),
            Some(removed.as_str()),
            "the panel first says the card left: {changes:?}"
        );
        assert_eq!(
            changes.last().map(|s| s.as_str()),
            Some(empty.as_str()),
            "{changes:?}"
        );
        assert!(
            !v.text.contains(&answered) && !v.text.contains(conditional.label.as_str()),
            "the previous holder's decision is still on the page:\n{}",
            v.text
        );
        // Nothing of the holder stays in the print frame either.
        let src = frame.attr("src").await.expect("src");
        assert!(
            src.as_deref().is_none_or(|s| !s.contains("/slip")),
            "the print frame still holds the previous holder's slip: {src:?}"
        );
        browser.close().await;
    });
}

/// Two tabs on one desk show the same panels; an answer given in one
/// shows in the other, both ways.
#[test]
fn two_tabs_show_the_same_state_and_answers() {
    let _turn = serial();
    let Some(tools) = tools() else { return };
    let Some(stack) = Stack::start() else { return };
    let conditional = cli("sign-1-left", "ja", &[]);
    let forgot_sign = cli("sign-1-left", "ja", &["--forgot", "sign"]);
    let forgot_sign_knows_auth = cli(
        "sign-1-left",
        "ja",
        &["--forgot", "sign", "--knows", "auth"],
    );
    let server = DeskServer::start(Some(&stack), stack.dir(), &["--lang", "ja"], &[]);
    run(async {
        let browser = Browser::start(&tools, Some(&stack)).await;
        let c = browser.client();
        let one = c.window().await.expect("window");
        open_page(c, &server.url, &[READER0, READER1]).await;
        let two = c.new_window(true).await.expect("second tab").handle;
        c.switch_to_window(two.clone()).await.expect("to tab 2");
        open_page(c, &server.url, &[READER0, READER1]).await;

        let _card = Card::place_ready(&stack, "sign-1-left", CardOptions::default());
        for (name, tab) in [("tab 1", &one), ("tab 2", &two)] {
            c.switch_to_window(tab.clone()).await.expect("switch tab");
            let p = wait_page(c, &format!("{name}: the decision"), STEP, |v| {
                v.decided(READER0).cloned()
            })
            .await;
            assert_decision(&p, &conditional, name);
        }

        // Answered in tab 1, seen in tab 2.
        c.switch_to_window(one.clone()).await.expect("to tab 1");
        click(
            c,
            &format!("{} button.answer[data-answer=\"no\"]", panel_css(READER0)),
        )
        .await;
        c.switch_to_window(two.clone()).await.expect("to tab 2");
        let p = wait_page(c, "tab 2: tab 1's answer", STEP, |v| {
            v.decided(READER0)
                .filter(|p| p.question.as_deref() == Some("knows_auth"))
                .cloned()
        })
        .await;
        assert_decision(&p, &forgot_sign, "tab 2 after tab 1's 「いいえ」");

        // Answered in tab 2, seen in tab 1.
        click(
            c,
            &format!("{} button.answer[data-answer=\"yes\"]", panel_css(READER0)),
        )
        .await;
        c.switch_to_window(one.clone()).await.expect("to tab 1");
        let p = wait_page(c, "tab 1: tab 2's answer", STEP, |v| {
            v.decided(READER0)
                .filter(|p| p.label.as_deref() == Some(forgot_sign_knows_auth.label.as_str()))
                .cloned()
        })
        .await;
        assert_decision(&p, &forgot_sign_knows_auth, "tab 1 after tab 2's 「はい」");
        browser.close().await;
    });
}

/// Each reader has its own panel: a card on the second reader shows there
/// only; a locked card on the first shows its own decision and red row, and
/// both panels fit side by side; the second card's removal clears only its
/// panel; the language switch shows the same card in English.
#[test]
fn two_readers_have_their_own_panels() {
    let _turn = serial();
    let Some(tools) = tools() else { return };
    let Some(stack) = Stack::start() else { return };
    let conditional = cli("sign-1-left", "ja", &[]);
    let locked = cli("auth-locked", "ja", &[]);
    let locked_en = cli("auth-locked", "en", &[]);
    let server = DeskServer::start(
        Some(&stack),
        stack.dir(),
        &["--lang", "ja", "--clear-after", "0"],
        &[],
    );
    run(async {
        let browser = Browser::start(&tools, Some(&stack)).await;
        let c = browser.client();
        open_page(c, &server.url, &[READER0, READER1]).await;

        let mut second = Card::place_ready(
            &stack,
            "sign-1-left",
            CardOptions {
                port: Some(PORT1),
                ..CardOptions::default()
            },
        );
        let v = wait_page(c, "the second reader's decision", STEP, |v| {
            v.decided(READER1).map(|_| v.clone())
        })
        .await;
        assert_decision(v.panel(READER1).expect("panel"), &conditional, READER1);
        assert_eq!(
            v.panel(READER0).map(|p| p.state.as_str()),
            Some("empty"),
            "{v:#?}"
        );

        let _first = Card::place_ready(&stack, "auth-locked", CardOptions::default());
        let p = wait_page(c, "the first reader's decision", STEP, |v| {
            v.decided(READER0).cloned()
        })
        .await;
        assert_decision(&p, &locked, READER0);
        assert!(
            p.rows.iter().any(|r| r == "locked"),
            "a locked row in red: {p:#?}"
        );
        // Two panels side by side in a 1280-pixel window: each one's PIN
        // table stays inside it.
        let v = view(c).await;
        for r in [READER0, READER1] {
            let p = v.panel(r).expect("panel");
            assert!(
                p.fits,
                "{r}: the panel's content runs past its edge: {p:#?}"
            );
        }

        second.remove();
        let v = wait_page(c, "the second reader's panel cleared", STEP, |v| {
            v.panel(READER1)
                .is_some_and(|p| p.state == "empty" && p.label.is_none())
                .then(|| v.clone())
        })
        .await;
        assert_decision(
            v.decided(READER0).expect("the first card's panel stays"),
            &locked,
            "after the other reader's card left",
        );

        // The language switch: the same page in English, the card still there.
        click(c, "#lang-switch").await;
        let p = wait_page(c, "the page in English", STEP, |v| {
            (v.conn_state == "open")
                .then(|| {
                    v.decided(READER0)
                        .filter(|p| p.kicker.as_deref() != Some(locked.kicker.as_str()))
                        .cloned()
                })
                .flatten()
        })
        .await;
        assert_decision(&p, &locked_en, "after the language switch");
        let url = c.current_url().await.expect("url");
        assert!(url.as_str().contains("lang=en"), "{url}");
        browser.close().await;
    });
}

/// pcscd stopped: the service banner shows and the readers' panels go (the
/// readers went with the service); pcscd back: the banner hides, the
/// readers return, and the next card placed is read.
#[test]
fn service_lost_and_back_then_the_next_card_is_read() {
    let _turn = serial();
    let Some(tools) = tools() else { return };
    let Some(mut stack) = Stack::start() else {
        return;
    };
    let conditional = cli("sign-1-left", "ja", &[]);
    let server = DeskServer::start(Some(&stack), stack.dir(), &["--lang", "ja"], &[]);
    run(async {
        let browser = Browser::start(&tools, Some(&stack)).await;
        let c = browser.client();
        let v = open_page(c, &server.url, &[READER0, READER1]).await;
        assert!(v.service_hidden && v.service_state == "running", "{v:#?}");

        stack.stop();
        let v = wait_page(c, "the service banner and no readers", STEP, |v| {
            (v.service_state == "lost"
                && !v.service_hidden
                && v.panels.is_empty()
                && !v.waiting_hidden)
                .then(|| v.clone())
        })
        .await;
        assert!(
            !v.service_text.is_empty(),
            "the banner says what happened: {v:#?}"
        );

        stack.restart();
        wait_page(c, "the banner hidden and the readers back", STEP, |v| {
            (v.service_state == "running"
                && v.service_hidden
                && v.panel(READER0).is_some()
                && v.panel(READER1).is_some())
            .then_some(())
        })
        .await;
        let _card = Card::place_ready(&stack, "sign-1-left", CardOptions::default());
        let p = wait_page(
            c,
            "the decision for the card placed after the restart",
            STEP,
            |v| v.decided(READER0).cloned(),
        )
        .await;
        assert_decision(&p, &conditional, "after pcscd came back");
        browser.close().await;
    });
}

/// The server stopped (SIGTERM: exit 130 within seconds) and started again
/// on the same port with the same secret: the page says it lost the
/// server and clears the panels, then finds the server again by itself
/// and shows the card still on the reader (its answers forgotten).
#[test]
fn the_page_reconnects_after_the_server_restarts() {
    let _turn = serial();
    let Some(tools) = tools() else { return };
    let Some(stack) = Stack::start() else { return };
    let conditional = cli("sign-1-left", "ja", &[]);
    let port = FIXED_PORT.to_string();
    let args = ["--lang", "ja", "--port", port.as_str()];
    let env = [("JPKI_STATUS_DESK_SECRET", FIXED_SECRET)];
    let mut server = DeskServer::start(Some(&stack), stack.dir(), &args, &env);
    assert_eq!(
        server.url,
        format!("http://127.0.0.1:{FIXED_PORT}/?k={FIXED_SECRET}"),
        "the fixed port and secret make the URL"
    );
    run(async {
        let browser = Browser::start(&tools, Some(&stack)).await;
        let c = browser.client();
        open_page(c, &server.url, &[READER0, READER1]).await;
        let _card = Card::place_ready(&stack, "sign-1-left", CardOptions::default());
        wait_page(c, "the decision", STEP, |v| v.decided(READER0).cloned()).await;
        click(
            c,
            &format!("{} button.answer[data-answer=\"no\"]", panel_css(READER0)),
        )
        .await;
        wait_page(c, "the answer taken", STEP, |v| {
            v.decided(READER0)
                .filter(|p| p.question.as_deref() == Some("knows_auth"))
                .cloned()
        })
        .await;

        let (code, took) = server.terminate(STOP_LIMIT);
        assert_eq!(
            code,
            Some(130),
            "SIGTERM ends the desk with 130; stderr:\n{}",
            server.stderr()
        );
        eprintln!("SIGTERM → desk server ended: {took:?}");
        let v = wait_page(c, "the page says the server is gone", STEP, |v| {
            (v.conn_state == "closed" && !v.conn_hidden).then(|| v.clone())
        })
        .await;
        assert!(
            v.panels.is_empty() && !v.waiting_hidden,
            "without the server no panel stays on screen: {v:#?}"
        );

        let again = DeskServer::start(Some(&stack), stack.dir(), &args, &env);
        assert_eq!(again.url, server.url);
        let restarted = Instant::now();
        let p = wait_page(
            c,
            "the page back with the card's panel",
            Duration::from_secs(30),
            |v| {
                (v.conn_state == "open" && v.conn_hidden)
                    .then(|| v.decided(READER0).cloned())
                    .flatten()
            },
        )
        .await;
        eprintln!(
            "server restarted → page showing the card again: {:?}",
            restarted.elapsed()
        );
        // A new server knows nothing of the answers given to the old one.
        assert_decision(&p, &conditional, "after the server restarted");
        assert_eq!(p.question.as_deref(), Some("knows_sign"), "{p:#?}");
        browser.close().await;
        drop(again);
    });
}

/// The screenshots in docs/images (scripts/desk-screenshots.sh runs this
/// with `--ignored` and `JPKI_SCREENSHOT_DIR=docs/images`): the simulated
/// card's page in Japanese and English with the question open, and a
/// locked card in Japanese. Without `JPKI_SCREENSHOT_DIR` they go to the
/// target's temporary folder.
#[test]
#[ignore = "writes the docs' screenshots: scripts/desk-screenshots.sh"]
fn desk_screenshots() {
    let Some(tools) = tools() else { return };
    let out = std::env::var_os("JPKI_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("desk-screenshots"));
    fs::create_dir_all(&out).expect("screenshot folder");
    let work = tempfile::tempdir().expect("temp dir");
    let shots = [
        ("sign-1-left", "ja", "desk-ja-open-question.png", true),
        ("sign-1-left", "en", "desk-en-open-question.png", true),
        ("both-jpki-locked", "ja", "desk-ja-locked.png", false),
    ];
    run(async {
        let browser = Browser::start(&tools, None).await;
        let c = browser.client();
        for (profile, lang, file, question) in shots {
            let expected = cli(profile, lang, &[]);
            let server =
                DeskServer::start(None, work.path(), &["--sim", profile, "--lang", lang], &[]);
            let reader = format!("jpki-status simulator ({profile})");
            c.goto(&server.url).await.expect("open the page");
            let p = wait_page(c, "the simulated card's decision", STEP, |v| {
                (v.conn_state == "open")
                    .then(|| v.decided(&reader).cloned())
                    .flatten()
            })
            .await;
            assert_decision(&p, &expected, file);
            assert_eq!(p.question.is_some(), question, "{file}: {p:#?}");
            // Focus nowhere: no button drawn as hovered or focused.
            c.execute(
                "document.activeElement && document.activeElement.blur()",
                vec![],
            )
            .await
            .expect("blur");
            let png = c.screenshot().await.expect("screenshot");
            assert!(png.starts_with(b"\x89PNG"), "{file}: not a PNG");
            let path = out.join(file);
            fs::write(&path, &png).expect("write the screenshot");
            eprintln!("wrote {} ({} bytes)", path.display(), png.len());
            drop(server);
        }
        browser.close().await;
    });
}
