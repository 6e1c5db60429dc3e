//! `jpki-virtual-card`: a simulated My Number Card placed on pcscd's
//! `vsmartcard-vpcd` virtual reader, so the real PC/SC path (the `pcsc` crate,
//! pcscd, a reader driver) can be exercised without hardware.
//!
//! Owns: the command line, connecting to vpcd (and the timed "card placed
//! later", "card pulled out", "card placed again" behaviour), the exchange log
//! and reporting violations. The card itself is `jpki_status::sim::SimCard`
//! (the same core and `apdu/profiles` as `jpki-status --sim`); the wire
//! protocol is `jpki_status::vpcd`.
//!
//! Must not: hold protocol logic (keep it in `vpcd.rs`, where it is unit
//! tested), or probe vpcd's port other than by connecting as the card.
//!
//! Exit codes: 0 vpcd closed the connection (pcscd stopped) or the card left
//! for good, with no violation; 1 an error (bad profile, no vpcd within
//! `--connect-timeout`, a broken conversation); 2 usage; 3 at least one
//! VERIFY carrying data (or the 5-byte `00 20 00 80 00`) reached the card.
//!
//! Signals: SIGTERM and SIGINT keep their default action (end the process).
//! Nothing is lost by that: each log line is written straight to the file
//! and each violation is printed the moment it happens, so there is no
//! buffered state to flush, and no signal handler (which would need a
//! dependency or `unsafe`) is needed.

use std::fs::File;
use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use jpki_status::apdu::spaced_hex;
use jpki_status::sim::SimCard;
use jpki_status::vpcd::{Event, Misbehaviour, Session, DEFAULT_PORT};

/// A simulated My Number Card on pcscd's vpcd virtual reader.
#[derive(Parser, Debug)]
#[command(
    version,
    about = "A simulated My Number Card on the vsmartcard-vpcd virtual reader: test equipment for jpki-status (Linux, pcscd)",
    long_about = None
)]
struct Args {
    /// Card profile: a built-in name (apdu/profiles/NAME.toml) or a path to a
    /// profile TOML file.
    #[arg(long, default_value = "fresh", value_name = "NAME|PATH")]
    profile: String,
    /// vpcd's host.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// vpcd's port: 35963 is reader `Virtual PCD 00 00`, 35964 is `00 01`.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Wait this long before the first connect (the card is placed later).
    #[arg(long, value_name = "MS")]
    insert_after: Option<u64>,
    /// Answer N APDUs, then leave the reader when the next one arrives,
    /// without answering it (the card is pulled out mid-read).
    #[arg(long, value_name = "N")]
    leave_after: Option<usize>,
    /// Leave the reader when it powers the card up the N-th time (1: when
    /// placed; pcscd powers an idle card down, and up again in
    /// SCardConnect), before giving the ATR: the card pulled out while a
    /// program connects to it.
    #[arg(long, value_name = "N")]
    leave_at_power_on: Option<usize>,
    /// After leaving (--leave-after, --leave-at-power-on), come back after MS
    /// milliseconds and stay.
    #[arg(long, value_name = "MS")]
    return_after: Option<u64>,
    /// Misbehave on purpose, for tests: `mute` (never answer), `slow:MS`
    /// (answer after MS ms), `empty` (0-byte answer), `long` (300 data bytes),
    /// `garbage` (nonsense bytes), each optionally `@N` (from APDU N on,
    /// 0-based; default 0). apdu/README.md.
    #[arg(long, value_name = "KIND[@N]")]
    fault: Option<Misbehaviour>,
    /// Keep trying to connect to vpcd for this long (pcscd may still be
    /// starting).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    connect_timeout: u64,
    /// Log every exchange to FILE: `> hex` (reader to card) and `< hex`
    /// (card to reader), as in apdu/transcripts; power events as `#` lines.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Print insertions, removals and power events to stderr.
    #[arg(short, long)]
    verbose: bool,
}

/// Where exchanges are written: one `write` per line, unbuffered.
struct Log(Option<File>);

impl Log {
    fn line(&mut self, text: &str) -> Result<()> {
        if let Some(f) = &mut self.0 {
            f.write_all(format!("{text}\n").as_bytes())
                .context("writing the exchange log")?;
        }
        Ok(())
    }
}

fn connect(args: &Args) -> Result<TcpStream> {
    let deadline = Instant::now() + Duration::from_millis(args.connect_timeout);
    loop {
        match TcpStream::connect((args.host.as_str(), args.port)) {
            Ok(stream) => {
                // Harmless with one write per frame; kept so a future
                // two-write path cannot reintroduce Nagle delays.
                stream.set_nodelay(true).context("setting TCP_NODELAY")?;
                return Ok(stream);
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(e).with_context(|| {
                    format!(
                        "no vpcd at {}:{} (is pcscd running with the vpcd reader? \
                         scripts/virtual-reader.sh start)",
                        args.host, args.port
                    )
                })
            }
            Err(_) => sleep(Duration::from_millis(20)),
        }
    }
}

/// One stay on the reader. Returns whether the card left on purpose
/// (`true`) or vpcd closed the connection (`false`).
fn stay(
    args: &Args,
    card: &mut SimCard,
    log: &mut Log,
    leave_after: Option<usize>,
    leave_at_power_on: Option<usize>,
    reported: &mut usize,
) -> Result<bool> {
    let mut stream = connect(args)?;
    log.line(&format!("# inserted on {}:{}", args.host, args.port))?;
    if args.verbose {
        eprintln!(
            "jpki-virtual-card: connected to {}:{}",
            args.host, args.port
        );
    }
    let mut session = Session::new(&mut stream, card, leave_after)
        .with_fault(args.fault)
        .with_leave_at_power_on(leave_at_power_on);
    loop {
        let event = session.step().context("talking to vpcd")?;
        match &event {
            Event::PowerOff => log.line("# power off")?,
            Event::PowerOn => log.line("# power on")?,
            Event::Reset => log.line("# reset")?,
            Event::Atr(atr) => log.line(&format!("# atr {}", spaced_hex(atr)))?,
            Event::UnknownControl(b) => log.line(&format!("# unknown control {b:02X}"))?,
            Event::Apdu { command, response } => {
                log.line(&format!("> {}", spaced_hex(command)))?;
                log.line(&format!("< {}", spaced_hex(response)))?;
            }
            Event::Left { command } => {
                log.line(&format!("> {}", spaced_hex(command)))?;
                log.line("# removed before answering")?;
            }
            Event::LeftAtPowerOn => log.line("# removed while being powered up")?,
            Event::Closed => log.line("# vpcd closed the connection")?,
            Event::Muted { command } => {
                log.line(&format!("> {}", spaced_hex(command)))?;
                log.line("# muted: never answering")?;
                // Hold the connection open and idle: vpcd waits for our
                // answer and sends nothing more, so this blocks until pcscd
                // drops the connection or the process is ended.
                let mut sink = [0u8; 64];
                while matches!(std::io::Read::read(&mut stream, &mut sink), Ok(n) if n > 0) {}
                log.line("# vpcd closed the connection")?;
                return Ok(false);
            }
        }
        let violations = session.card().violations();
        for v in violations.iter().skip(*reported) {
            eprintln!("jpki-virtual-card: VIOLATION: {v}");
            log.line(&format!("# VIOLATION: {v}"))?;
        }
        *reported = violations.len();
        if args.verbose && !matches!(event, Event::Apdu { .. } | Event::Atr(_)) {
            eprintln!("jpki-virtual-card: {event:?}");
        }
        if event.is_end() {
            return Ok(matches!(event, Event::Left { .. } | Event::LeftAtPowerOn));
        }
    }
    // The stream is dropped (closed) by the caller's scope end: that close
    // is what vpcd sees as the card being removed.
}

fn run(args: &Args) -> Result<bool> {
    let mut card = SimCard::load(&args.profile)
        .with_context(|| format!("loading card profile {:?}", args.profile))?;
    if card.atr().is_empty() {
        bail!("profile {:?} has an empty ATR", args.profile);
    }
    let mut log = Log(match &args.log {
        Some(p) => {
            Some(File::create(p).with_context(|| format!("creating log file {}", p.display()))?)
        }
        None => None,
    });
    log.line(&format!("# jpki-virtual-card, profile {}", args.profile))?;
    if let Some(ms) = args.insert_after {
        sleep(Duration::from_millis(ms));
    }
    let mut reported = 0;
    let left = stay(
        args,
        &mut card,
        &mut log,
        args.leave_after,
        args.leave_at_power_on,
        &mut reported,
    )?;
    if left {
        if args.verbose {
            eprintln!("jpki-virtual-card: left the reader");
        }
        if let Some(ms) = args.return_after {
            sleep(Duration::from_millis(ms));
            stay(args, &mut card, &mut log, None, None, &mut reported)?;
        }
    }
    for (key, left) in card.counters() {
        log.line(&format!("# counter {key} {left}"))?;
    }
    Ok(card.violations().is_empty())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("jpki-virtual-card: a VERIFY carrying data reached the card (see above)");
            ExitCode::from(3)
        }
        Err(e) => {
            eprintln!("jpki-virtual-card: {e:#}");
            ExitCode::from(1)
        }
    }
}
