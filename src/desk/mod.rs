//! The desk page (`jpki-status desk`, issue 17): a local web server that
//! follows every reader as watch mode does and shows, in a browser, one
//! panel per reader: the decision, the PIN table, the steps, the deciding
//! question as buttons, and the slip one click away.
//!
//! Owns: starting the server and the watch loop that feeds it, the desk's
//! state (`state`), its HTTP API and security checks (`http`), and the page
//! itself (`page`, `assets/`). Must not: word anything (every sentence comes
//! from `advice`, `slip` and `text`, as on the command line and the slip),
//! talk to a card (that is `watch`), or keep anything about a holder after
//! the card leaves (no file, no log, no cache: the panel clears).
//!
//! Threads: the watch loop runs on its own thread (it blocks in PC/SC and
//! reads each card on a worker, `watch`); the HTTP server runs on a
//! one-thread tokio runtime. They meet in [`state::Desk`] behind a mutex
//! and a broadcast channel of [`state::Note`]s.

mod http;
mod page;
mod state;

use crate::exit::Exit;
use crate::lang::Lang;
use crate::probe::ProbeOptions;
use crate::session::Limits;
use crate::site::Site;
use crate::transport::Terminal;
use crate::watch::{Watch, WatchEnd, WatchOptions};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;


/// How long a removed card's panel stays before it clears, by default
/// (`--clear-after`): long enough to finish a sentence to the holder, short
/// enough that the next person does not see it.
pub const CLEAR_AFTER: Duration = Duration::from_secs(5);

/// What `jpki-status desk` was asked to do (the command line's
/// `cli::args::DeskArgs`, resolved).
pub struct DeskOptions {
    /// The address to listen on: loopback unless the user said otherwise.
    pub listen: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Open the default browser on the page.
    pub open: bool,
    /// How long a removed card's panel stays before it clears.
    pub clear_after: Duration,
    /// The time limits of each reading.
    pub limits: Limits,
    /// Read the diagnostic keys too.
    pub diagnostics: bool,
    /// The office's settings (the slip's office block).
    pub site: Option<Site>,
    /// The language the page starts in (the visitor can switch).
    pub lang: Lang,
}

/// Why the desk could not start.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The address and port could not be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// What was asked for.
        addr: SocketAddr,
        /// Why not.
        source: std::io::Error,
    },
    /// The async runtime or the random secret could not be made.
    #[error("cannot start the desk server: {0}")]
    Start(String),
}

impl crate::failure::Failure for DeskError {
    fn code(&self) -> &'static str {
        match self {
            DeskError::Listen { .. } => "desk_listen",
            DeskError::Start(_) => "desk_start",
        }
    }

    fn exit(&self) -> Exit {
        match self {
            DeskError::Listen { .. } => Exit::Usage,
            DeskError::Start(_) => Exit::Failure,
        }
    }

    fn describe(&self, lang: Lang) -> (String, String) {
        match self {
            DeskError::Listen { addr, source } => (
                match lang {
                    Lang::Ja => format!("{addr} で待ち受けできません: {source}"),
                    Lang::En => format!("Cannot listen on {addr}: {source}"),
                },
                lang.pick(
                    "--port を省くと空いているポートを使います。ほかのポートを指定することもできます。",
                    "Leave out --port to use a free port, or give another one.",
                )
                .to_string(),
            ),
            DeskError::Start(why) => (
                match lang {
                    Lang::Ja => format!("デスク画面のサーバーを開始できません: {why}"),
                    Lang::En => format!("Cannot start the desk server: {why}"),
                },
                lang.pick(
                    "もう一度実行してください。繰り返す場合は不具合として報告してください。",
                    "Run it again; if it repeats, report it as a bug.",
                )
                .to_string(),
            ),
        }
    }
}

/// Whether `addr` only reaches this computer.
pub fn is_loopback(addr: IpAddr) -> bool {
    addr.is_loopback()
}

/// Runs the desk until Ctrl-C or SIGTERM (`stop` is wired to them by the
/// caller): prints the page's URL as the first line of `out`, opens the
/// browser if asked, serves the page, and follows every reader of
/// `terminal`. Returns the exit code (130 when stopped, as watch mode).
pub fn run(
    options: DeskOptions,
    mut terminal: Box<dyn Terminal + Send>,
    watch: Watch,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Exit, DeskError> {
    let secret = state::new_secret().map_err(DeskError::Start)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DeskError::Start(e.to_string()))?;
    let addr = SocketAddr::new(options.listen, options.port);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .map_err(|source| DeskError::Listen { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| DeskError::Listen { addr, source })?;
    let url = page_url(bound, &secret);
    // The first line: scripts and tests read the URL from it.
    let _ = writeln!(out, "{url}");
    let lang = options.lang;
    let _ = writeln!(
        out,
        "{}",
        lang.pick(
            "デスク画面を開いています。終了するには Ctrl-C を押してください。",
            "The desk page is being served. Press Ctrl-C to stop."
        )
    );
    if !is_loopback(options.listen) {
        let _ = writeln!(
            err,
            "jpki-status: {}",
            lang.pick(
                "ループバック以外で待ち受けています。同じネットワークの誰でもこのページに接続を試みられます（URLの秘密の値がなければ拒否します）。通信は暗号化されません。",
                "listening beyond this computer: anyone on the network can try to reach the page (refused without the secret in the URL), and the traffic is not encrypted."
            )
        );
    }
    let _ = out.flush();

    let (notes, _) = tokio::sync::broadcast::channel(256);
    let desk = Arc::new(Mutex::new(state::Desk::new(options.clear_after)));
    let shared = http::Shared {
        desk: Arc::clone(&desk),
        notes: notes.clone(),
        secret,
        port: bound.port(),
        listen: options.listen,
        lang,
        site: options.site,
        clock: Arc::new(OffsetDateTime::now_utc),
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);

    // The watch loop, on its own thread: each event updates the desk and
    // is announced to every open page.
    let handle = runtime.handle().clone();
    let watch_desk = Arc::clone(&desk);
    let watch_notes = notes.clone();
    let stop_after_watch = stop_tx.clone();
    // Should the server end first (an error), the watch loop is told to
    // stop too, so that joining it below cannot hang.
    let stop_watch = watch.stopper();
    let watch_options = WatchOptions {
        probe: ProbeOptions {
            diagnostics: options.diagnostics,
        },
        limits: options.limits,
        service_wait: None,
        // A desk started before its reader is plugged in (Windows starts
        // the Smart Card service only then) shows the banner and waits.
        wait_at_start: true,
    };
    let watcher = std::thread::Builder::new()
        .name("desk-watch".into())
        .spawn(move || {
            let clock = OffsetDateTime::now_utc;
            let mut sink = |event: crate::watch::WatchEvent| -> bool {
                let now = clock();
                let (note, clear) = match watch_desk.lock() {
                    Ok(mut d) => d.apply(event, now),
                    Err(_) => return false,
                };
                let _ = watch_notes.send(note);
                if let Some((reader, generation, after)) = clear {
                    let desk = Arc::clone(&watch_desk);
                    let notes = watch_notes.clone();
                    handle.spawn(async move {
                        tokio::time::sleep(after).await;
                        let note = desk
                            .lock()
                            .ok()
                            .and_then(|mut d| d.clear_if(&reader, generation));
                        if let Some(n) = note {
                            let _ = notes.send(n);
                        }
                    });
                }
                true
            };
            let end = watch.run(&mut *terminal, watch_options, &clock, &mut sink);
            let _ = stop_after_watch.send(true);
            end
        })
        .map_err(|e| DeskError::Start(e.to_string()))?;

    if options.open {
        if let Err(e) = open::that_detached(&url) {
            let _ = writeln!(
                err,
                "jpki-status: {}: {e}\n  → {}",
                lang.pick("ブラウザーを開けませんでした", "could not open the browser"),
                lang.pick(
                    "1行目のURLをブラウザーに貼り付けてください。",
                    "Paste the URL on the first line into a browser."
                )
            );
        }
    }

    let served = runtime.block_on(http::serve(listener, shared, stop_rx));
    let _ = stop_tx.send(true);
    stop_watch();
    drop(runtime);
    let end = watcher.join().unwrap_or(WatchEnd::Stopped);
    if let Err(e) = served {
        return Err(DeskError::Start(e.to_string()));
    }
    Ok(match end {
        WatchEnd::Stopped => Exit::Cancelled,
        WatchEnd::Failed(e) => crate::failure::Failure::exit(&e),
    })
}

/// The page's URL with its secret: `http://127.0.0.1:PORT/?k=SECRET`
/// (listening on every address, the URL this computer's browser opens).
fn page_url(bound: SocketAddr, secret: &str) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        other => other,
    };
    let host = match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    format!("http://{host}:{}/?k={secret}", bound.port())
}
