//! The `jpki-status` command line: arguments, choosing a reader, waiting for
//! a card, running one reading, printing it, and the exit code.
//!
//! Owns: everything between `main` and the library layers, and the one
//! error path: every failure is a [`RunError`] (code, exit code, what
//! happened and what to do, in ja/en) printed by [`report_error`] as text
//! or as the JSON error document. Must not: talk
//! to a card except through `probe::read_card`, or print a reading that did
//! not complete (a transport error yields an error message and exit 7 or 8,
//! never a table).

use crate::advice::cli::{run_advise, AdviseArgs, AdviseError, FactArgs};
use crate::advice::{advise, Advice, AdviceInput, Route};
use crate::exit::Exit;
use crate::lang::Lang;
use crate::pcsc_backend::PcscTerminal;
use crate::probe::{self, ProbeOptions};
use crate::report::{CardReport, SCHEMA_VERSION};
use crate::session::{read_bounded, Limits};
use crate::sim::{profile::builtin_names, Profile, SimCard, SimTerminal};
use crate::site::{Site, SiteError};
use crate::slip;
use crate::text;
use crate::transport::{looks_contactless, ReaderInfo, Terminal, TransportError};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

const EXIT_CODES: &str = "\
Exit codes:
  0  card read, nothing needs doing
  3  needs attention; what to do depends on an answer only the holder knows
  4  needs attention; a self-service route is possible (kiosk reset, app)
  5  needs attention; go to the municipal counter (reset, renewal, reissue)
  6  not a My Number Card
  7  nothing to read: no PC/SC service, no reader, no card, card in use
  8  reading interrupted (card moved or removed) or card not answering;
     nothing partial is shown
  1  unexpected failure     2  usage error     130  watch mode stopped by Ctrl-C
See docs/exit-codes.md.";

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "jpki-status",
    version,
    about = "Show how many PIN tries remain on a My Number Card (マイナンバーカード), without spending one, and what to do next.",
    long_about = "Show how many PIN tries remain on a My Number Card (マイナンバーカード), without spending one, and what to do next.\n\n\
Place the card on a contact or NFC reader and run `jpki-status`. It reads the retry counters of the four PINs a holder \
can lock (利用者証明用, 署名用, 券面事項入力補助用, 住民基本台帳用) with the status-only VERIFY:\n\n\
    00 20 00 80\n\n\
which makes the card report its counter without comparing anything: no try is ever spent.\n\n\
Try it without a reader:   jpki-status --sim auth-locked\n\
List the simulated cards:  jpki-status profiles\n\
Advice without a card:     jpki-status advise --help",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// What to do; without a subcommand, read the card.
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// Options for reading a card.
    #[command(flatten)]
    pub read: ReadArgs,
    /// Language of human output (default: Japanese for a Japanese locale,
    /// or JPKI_STATUS_LANG=ja|en; otherwise English). JSON never changes.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Sub {
    /// List card readers, whether a card is present, and its ATR (with
    /// --sim: the simulated reader).
    Readers {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in simulated cards for --sim.
    Profiles,
    /// Advice without a card: from what the holder says (`--locked auth`,
    /// `--tries sign=2`, `--forgot kenhojo`...) or from a saved `--json`
    /// reading (`--from report.json`). The same engine as after a reading.
    Advise(AdviseArgs),
}

/// Options for reading a card.
#[derive(Args, Debug, Default, Clone)]
pub struct ReadArgs {
    /// Use this reader: its exact name or a unique part of it
    /// (case-insensitive). Without it, the one reader holding a card is used.
    #[arg(long, value_name = "NAME")]
    pub reader: Option<String>,
    /// Wait for a card (or reader) to appear: `--wait` alone waits until
    /// one does (Ctrl-C stops it); `--wait=SECS` at most SECS seconds
    /// (decimals allowed, up to 1000000); `--wait=0` looks once, as without
    /// --wait.
    #[arg(long, value_name = "SECS", num_args = 0..=1, default_missing_value = "forever", value_parser = parse_wait)]
    pub wait: Option<Wait>,
    /// Read a simulated card instead of a real one: a built-in profile name
    /// (see `jpki-status profiles`) or a profile file (apdu/README.md).
    #[arg(long, value_name = "PROFILE")]
    pub sim: Option<String>,
    /// Print one JSON document on stdout (docs/json.md) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Trace every command and answer to stderr (`> 00 A4 ...`, `< 90 00`).
    #[arg(short, long)]
    pub verbose: bool,
    /// Also read the diagnostic 照合番号A/B keys (raw counts, no maximum).
    #[arg(long)]
    pub diagnostics: bool,
    /// Never ask questions, even on a terminal.
    #[arg(long)]
    pub no_input: bool,
    /// Also show the details under the advice: every statement with its
    /// rule and sources, the assumptions, the reader.
    #[arg(long)]
    pub details: bool,
    /// Write a printable slip for the holder (one self-contained HTML page:
    /// PINs, route, what to bring, stores, your office). In watch mode: a
    /// folder, one slip per card. An existing regular file is replaced; a
    /// device, FIFO, folder or symbolic link never is. docs/slip-and-site.md.
    #[arg(long, value_name = "PATH")]
    pub slip: Option<std::path::PathBuf>,
    /// Site settings: your office's name, address, hours, phone... (TOML).
    /// Default: the file in the documented location, if it exists.
    #[arg(long, value_name = "FILE")]
    pub site: Option<std::path::PathBuf>,
    /// Give up on a card that does not answer one command within SECS
    /// seconds: "the card is not answering" (exit 8).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub command_timeout: Duration,
    /// Give up on a reading that takes longer than SECS seconds in all
    /// (exit 8).
    #[arg(long, value_name = "SECS", default_value = "20", value_parser = parse_secs)]
    pub reading_timeout: Duration,
    /// Wait at most SECS seconds while another program holds the card in a
    /// transaction: "the card is in use by another program" (exit 7).
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_secs)]
    pub in_use_wait: Duration,
    /// Keep running: read every card placed on any reader, until Ctrl-C.
    /// With --json, prints JSON Lines, one event per line (docs/json.md).
    #[arg(long)]
    pub watch: bool,
    /// What only the holder knows, for the advice (asked on a terminal
    /// unless given here).
    #[command(flatten)]
    pub facts: FactArgs,
}

/// A time limit in seconds: a positive, finite number (fractions allowed),
/// at most a day.
fn parse_secs(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!(
            "{text:?}: give a number of seconds above 0 and at most 86400"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

impl ReadArgs {
    /// The time limits of one reading.
    pub fn limits(&self) -> Limits {
        Limits {
            command: self.command_timeout,
            reading: self.reading_timeout,
            in_use: self.in_use_wait,
        }
    }
}

/// How long to wait for a card or reader (`--wait`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wait {
    /// Until one appears (`--wait` without a value).
    Forever,
    /// At most this long; zero looks once.
    AtMost(Duration),
}

/// The longest `--wait=SECS` accepted: 1,000,000 s (about 11.5 days).
/// Longer is almost certainly a typo; `--wait` alone waits without end.
pub const MAX_WAIT_SECS: f64 = 1_000_000.0;

/// Parses `--wait`'s value: `forever` (what `--wait` alone means), or a
/// number of seconds from 0 to [`MAX_WAIT_SECS`]. Negative, not-a-number and
/// infinite values are usage errors rather than an endless wait.
pub fn parse_wait(s: &str) -> Result<Wait, String> {
    if s == "forever" {
        return Ok(Wait::Forever);
    }
    let secs: f64 = s.trim().parse().map_err(|_| {
        format!("not a number of seconds: {s:?} (use --wait alone to wait until a card is placed)")
    })?;
    if !secs.is_finite() || !(0.0..=MAX_WAIT_SECS).contains(&secs) {
        return Err(format!(
            "{s} is not a number of seconds from 0 to {MAX_WAIT_SECS:.0} \
             (use --wait alone to wait until a card is placed)"
        ));
    }
    Duration::try_from_secs_f64(secs.abs())
        .map(Wait::AtMost)
        .map_err(|e| format!("{s}: {e}"))
}

/// Why no reader could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// No reader at all.
    #[error("no card reader found")]
    NoReaders,
    /// `--reader` matched nothing.
    #[error("no reader matches {wanted:?}; readers: {}", candidates.join(", "))]
    NoMatch {
        /// What was asked for.
        wanted: String,
        /// The readers there are.
        candidates: Vec<String>,
    },
    /// `--reader` matched several.
    #[error("{wanted:?} matches several readers: {}; give more of the name", candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        wanted: String,
        /// The matching readers.
        candidates: Vec<String>,
    },
    /// The chosen reader, or every reader, holds no card.
    #[error("no card on {}", if readers.is_empty() { "any reader".to_string() } else { readers.join(", ") })]
    NoCard {
        /// The readers looked at.
        readers: Vec<String>,
    },
    /// Several readers hold a card and none was named.
    #[error("cards are on several readers: {}; choose one with --reader", readers.join(", "))]
    SeveralCards {
        /// The readers holding a card.
        readers: Vec<String>,
    },
}

impl SelectError {
    /// Waiting can fix it (a card or reader may appear).
    fn waitable(&self) -> bool {
        matches!(
            self,
            SelectError::NoReaders | SelectError::NoCard { .. } | SelectError::NoMatch { .. }
        )
    }
}

/// Chooses the reader to read: `wanted` by exact name or unique
/// case-insensitive substring; otherwise the single reader holding a card.
pub fn choose_reader(readers: &[ReaderInfo], wanted: Option<&str>) -> Result<String, SelectError> {
    if readers.is_empty() {
        return Err(SelectError::NoReaders);
    }
    let names = || readers.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    let chosen: &ReaderInfo = match wanted {
        Some(w) => {
            if let Some(r) = readers.iter().find(|r| r.name == w) {
                r
            } else {
                let lw = w.to_lowercase();
                let matches: Vec<&ReaderInfo> = readers
                    .iter()
                    .filter(|r| r.name.to_lowercase().contains(&lw))
                    .collect();
                match matches.as_slice() {
                    [one] => one,
                    [] => {
                        return Err(SelectError::NoMatch {
                            wanted: w.into(),
                            candidates: names(),
                        })
                    }
                    many => {
                        return Err(SelectError::Ambiguous {
                            wanted: w.into(),
                            candidates: many.iter().map(|r| r.name.clone()).collect(),
                        })
                    }
                }
            }
        }
        None => {
            let with_card: Vec<&ReaderInfo> = readers.iter().filter(|r| r.card_present).collect();
            match with_card.as_slice() {
                [one] => one,
                [] => return Err(SelectError::NoCard { readers: names() }),
                many => {
                    return Err(SelectError::SeveralCards {
                        readers: many.iter().map(|r| r.name.clone()).collect(),
                    })
                }
            }
        }
    };
    if !chosen.card_present {
        return Err(SelectError::NoCard {
            readers: vec![chosen.name.clone()],
        });
    }
    Ok(chosen.name.clone())
}

/// Every failure a person can meet, each mapped to a stable code, an exit
/// code, and what happened and what to do in the output language.
/// [`report_error`] is the one place where one becomes text (stderr) or a
/// JSON error document (stdout, under `--json`); a new failure gets a
/// variant here, never a `writeln!` of its own.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Talking to the reader or card failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// No reader could be chosen.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// `--wait` ran out.
    #[error("gave up waiting after {0:.0} s")]
    WaitTimeout(f64),
    /// The simulated card profile is unusable.
    #[error(transparent)]
    Profile(#[from] crate::sim::ProfileError),
    /// The simulated card saw a forbidden command: a bug in this tool.
    #[error("SAFETY VIOLATION, please report this bug: {0}")]
    Violation(String),
    /// The facts given, or `advise --from`, cannot give advice.
    #[error(transparent)]
    Advise(#[from] AdviseError),
    /// The site file (`--site` or the default location) is unusable.
    #[error(transparent)]
    Site(#[from] SiteError),
    /// `--slip` names something that must not be replaced (a device, a
    /// FIFO, a symbolic link, a folder), a missing folder, or the slip
    /// could not be written; in watch mode, a slip folder that is not one.
    #[error(transparent)]
    Slip(#[from] crate::slip_file::SlipWriteError),
    /// The command line itself is wrong (clap's message, in English).
    #[error("{0}")]
    Usage(String),
    /// Standard output could not be written (not a closed pipe: that ends
    /// a run quietly).
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

impl RunError {
    /// The exit code.
    pub fn exit(&self) -> Exit {
        match self {
            RunError::Transport(e) if e.is_interruption() => Exit::Interrupted,
            RunError::Transport(TransportError::Cancelled) => Exit::Cancelled,
            RunError::Transport(
                TransportError::Other { .. } | TransportError::TranscriptMismatch(_),
            ) => Exit::Failure,
            RunError::Transport(_) => Exit::NoCard,
            RunError::Select(SelectError::NoMatch { .. } | SelectError::Ambiguous { .. }) => {
                Exit::Usage
            }
            RunError::Select(_) | RunError::WaitTimeout(_) => Exit::NoCard,
            RunError::Profile(_) => Exit::Usage,
            RunError::Violation(_) => Exit::Failure,
            RunError::Advise(e) => e.exit(),
            RunError::Site(_) | RunError::Usage(_) => Exit::Usage,
            RunError::Slip(e) if e.is_usage() => Exit::Usage,
            RunError::Slip(_) | RunError::Output(_) => Exit::Failure,
        }
    }

    /// A stable snake_case code for JSON.
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Transport(e) => match e {
                TransportError::NoService => "no_service",
                TransportError::NoReader => "no_reader",
                TransportError::UnknownReader(_) => "unknown_reader",
                TransportError::NoCard(_) => "no_card",
                TransportError::CardRemoved { .. } => "card_removed",
                TransportError::Communication { .. } => "communication",
                TransportError::ShortResponse(_) => "short_response",
                TransportError::Busy => "card_busy",
                TransportError::InUse { .. } => "card_in_use",
                TransportError::NotAnswering { .. } => "card_not_answering",
                TransportError::Overlong { .. } => "overlong_response",
                TransportError::Unresponsive => "card_unresponsive",
                TransportError::TranscriptMismatch(_) => "transcript_mismatch",
                TransportError::Cancelled => "cancelled",
                TransportError::Other { .. } => "pcsc_error",
            },
            RunError::Select(e) => match e {
                SelectError::NoReaders => "no_reader",
                SelectError::NoMatch { .. } => "unknown_reader",
                SelectError::Ambiguous { .. } => "ambiguous_reader",
                SelectError::NoCard { .. } => "no_card",
                SelectError::SeveralCards { .. } => "several_cards",
            },
            RunError::WaitTimeout(_) => "wait_timeout",
            RunError::Profile(_) => "profile",
            RunError::Violation(_) => "safety_violation",
            RunError::Advise(e) => e.code(),
            RunError::Site(_) => "site_file",
            RunError::Slip(e) => e.code(),
            RunError::Usage(_) => "usage",
            RunError::Output(_) => "output",
        }
    }

    /// What happened and what to do next, in `lang`.
    pub fn describe(&self, lang: Lang) -> (String, String) {
        match self {
            RunError::Transport(e) => text::describe_transport_error(e, lang),
            RunError::Select(SelectError::NoReaders) => text::describe_transport_error(&TransportError::NoReader, lang),
            RunError::Select(SelectError::NoCard { readers }) => (
                match (lang, readers.is_empty()) {
                    (Lang::Ja, true) => "どのリーダーにもカードが置かれていません。".to_string(),
                    (Lang::Ja, false) => format!("カードが置かれていません（{}）。", readers.join("、")),
                    (Lang::En, true) => "No card on any reader.".to_string(),
                    (Lang::En, false) => format!("No card on {}.", readers.join(", ")),
                },
                lang.pick(
                    "カードをリーダーに置いてください。置かれるまで待つには --wait を付けます。",
                    "Place the card on the reader, or add --wait to wait for it.",
                )
                .into(),
            ),
            RunError::Select(SelectError::SeveralCards { readers }) => (
                match lang {
                    Lang::Ja => format!("複数のリーダーにカードがあります: {}", readers.join("、")),
                    Lang::En => format!("Cards are on several readers: {}.", readers.join(", ")),
                },
                lang.pick(
                    "読み取るリーダーを --reader 名前 で指定するか、カードを1枚だけにしてください。",
                    "Name the reader with --reader NAME, or leave only one card on the readers.",
                )
                .into(),
            ),
            RunError::Select(e) => (
                e.to_string(),
                lang.pick("jpki-status readers でリーダー名を確認してください。", "List the readers with `jpki-status readers`.").into(),
            ),
            RunError::WaitTimeout(s) => (
                match lang {
                    Lang::Ja => format!("{s:.0} 秒待ちましたがカードが置かれませんでした。"),
                    Lang::En => format!("No card appeared within {s:.0} s."),
                },
                lang.pick("カードを置いてから、もう一度実行してください。", "Place the card and run again.").into(),
            ),
            RunError::Profile(e) => (
                e.to_string(),
                lang.pick("jpki-status profiles で一覧を表示できます。", "See `jpki-status profiles` for the built-in cards.").into(),
            ),
            RunError::Violation(v) => (
                v.clone(),
                lang.pick("-v の出力を添えて不具合として報告してください。", "Report this as a bug, with the output of -v.").into(),
            ),
            RunError::Advise(e) => e.describe(lang),
            RunError::Output(e) => crate::text::describe_output_error(e, lang),
            RunError::Site(e) => (
                match (lang, e) {
                    (
                        Lang::Ja,
                        SiteError::Read {
                            path,
                            source: crate::input::InputError::Io { source, .. },
                        },
                    ) => format!(
                        "サイト設定ファイル {} を読み込めません（{source}）。",
                        path.display()
                    ),
                    (
                        Lang::En,
                        SiteError::Read {
                            path,
                            source: crate::input::InputError::Io { source, .. },
                        },
                    ) => {
                        format!("Cannot read the site file {} ({source}).", path.display())
                    }
                    (Lang::Ja, SiteError::Read { source, .. }) => {
                        format!("サイト設定ファイル: {}", source.describe(lang).0)
                    }
                    (Lang::En, SiteError::Read { source, .. }) => {
                        format!("Site file: {}", source.describe(lang).0)
                    }
                    (Lang::Ja, SiteError::Invalid { .. }) => {
                        format!("サイト設定ファイルに誤りがあります: {e}")
                    }
                    (Lang::En, SiteError::Invalid { .. }) => {
                        format!("Error in the site file: {e}")
                    }
                },
                e.next_step(lang).into(),
            ),
            RunError::Slip(e) => e.describe(lang),
            RunError::Usage(message) => (
                message.clone(),
                lang.pick(
                    "使い方は jpki-status --help で確認できます。",
                    "See jpki-status --help for the options.",
                )
                .into(),
            ),
        }
    }
}

#[derive(Serialize)]
struct JsonError<'a> {
    schema_version: u32,
    error: JsonErrorBody<'a>,
}

#[derive(Serialize)]
struct JsonErrorBody<'a> {
    code: &'a str,
    exit_code: u8,
    message: String,
    next_step: String,
}

/// Where output goes; kept apart from the process so tests can capture it.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
}

/// The source of cards: PC/SC or the simulator.
pub fn open_terminal(sim: Option<&str>) -> Result<Box<dyn Terminal + Send>, RunError> {
    Ok(match sim {
        Some(p) => Box::new(SimTerminal::new(SimCard::load(p)?)),
        None => Box::new(PcscTerminal::new()),
    })
}

/// Waits (if asked) until a reader can be chosen, and returns its name.
pub fn wait_and_choose(
    terminal: &mut dyn Terminal,
    wanted: Option<&str>,
    wait: Option<Wait>,
    io: &mut Io<'_>,
    lang: Lang,
) -> Result<String, RunError> {
    // `--wait=0` looks once, exactly as without --wait.
    let wait = wait.filter(|w| *w != Wait::AtMost(Duration::ZERO));
    let deadline = match wait {
        Some(Wait::AtMost(d)) => Instant::now().checked_add(d),
        _ => None,
    };
    let mut told = false;
    loop {
        let readers = terminal.readers()?;
        match choose_reader(&readers, wanted) {
            Ok(r) => return Ok(r),
            Err(e) if wait.is_some() && e.waitable() => {
                if !told {
                    let _ = writeln!(
                        io.err,
                        "{}",
                        lang.pick(
                            "カードを置いてください…（Ctrl-C で中止）",
                            "Place the card on the reader... (Ctrl-C to stop)"
                        )
                    );
                    told = true;
                }
                let slice = match deadline {
                    Some(d) => {
                        let left = d.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            let secs = match wait {
                                Some(Wait::AtMost(d)) => d.as_secs_f64(),
                                _ => 0.0,
                            };
                            return Err(RunError::WaitTimeout(secs));
                        }
                        left.min(Duration::from_secs(5))
                    }
                    None => Duration::from_secs(5),
                };
                terminal.wait_for_change(&readers, Some(slice))?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The exit code of a completed reading (before advice refines it).
pub fn reading_exit(report: &CardReport) -> Exit {
    if report.is_foreign_card() {
        Exit::NotMyNumberCard
    } else if report.needs_attention() {
        Exit::AttentionConditional
    } else {
        Exit::Healthy
    }
}

/// The language of human output, in this order (stated once; the help and
/// argument errors use it too, `help::lang_before_parsing`): `--lang`, then
/// `JPKI_STATUS_LANG`, then the site file's `lang`, then the locale: the
/// POSIX variables, else the OS setting (docs/slip-and-site.md).
pub fn language(flag: Option<Lang>, site: Option<&std::path::Path>) -> Lang {
    flag.or_else(Lang::from_override_env)
        .or_else(|| site_lang(site))
        .unwrap_or_else(Lang::from_locale)
}

/// Runs the command line and returns the exit code. Output write errors
/// (a closed pipe) end the run quietly.
pub fn run(cli: Cli, io: &mut Io<'_>) -> Exit {
    let lang = language(cli.lang, cli.read.site.as_deref());
    match &cli.command {
        Some(Sub::Profiles) => return list_profiles(lang, io),
        Some(Sub::Readers { json }) => {
            return list_readers(cli.read.sim.as_deref(), *json, lang, io)
        }
        Some(Sub::Advise(a)) => {
            return match run_advise(a, lang, &mut *io.out) {
                Ok(exit) => exit,
                Err(AdviseError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    Exit::Healthy
                }
                Err(e) => report_error(&e.into(), a.json, lang, io),
            };
        }
        None => {}
    }
    let args = &cli.read;
    if args.watch {
        return run_watch(args, lang, io);
    }
    let facts = match args.facts.to_facts() {
        Ok(f) => f,
        Err(e) => return report_error(&e.into(), args.json, lang, io),
    };
    let now = args.facts.now();
    // A --slip that could never be written is found before the card is read.
    if let Some(path) = &args.slip {
        if let Err(e) = slip::check_slip_path(path) {
            return report_error(&e.into(), args.json, lang, io);
        }
    }
    let result = (|| -> Result<CardReport, RunError> {
        let mut terminal = open_terminal(args.sim.as_deref())?;
        let reader = wait_and_choose(&mut *terminal, args.reader.as_deref(), args.wait, io, lang)?;
        let options = ProbeOptions {
            diagnostics: args.diagnostics,
        };
        // On a worker thread, within the limits: a card that never answers
        // ends the run with exit 8 after --command-timeout, not never.
        let finished = read_bounded(
            terminal,
            &reader,
            options,
            now,
            args.verbose,
            args.limits(),
            false,
        );
        // A simulated card records any forbidden command: a run that caused
        // one is a bug in this tool and must never look like a good reading.
        if let Some(terminal) = &finished.terminal {
            if let Some(v) = terminal.violations().into_iter().next() {
                return Err(RunError::Violation(v));
            }
        }
        Ok(finished.result?)
    })();
    let report = match result {
        Ok(r) => r,
        Err(e) => return report_error(&e, args.json, lang, io),
    };
    let site = match load_site(args.site.as_deref()) {
        Ok(s) => s,
        Err(e) => return report_error(&e, args.json, lang, io),
    };
    // A slip that cannot be written is a failure of its own (exit 1, or 2
    // when --slip names something never replaced), reported after whatever
    // was already printed; under --json the one document is the error.
    let write_slip = |advice: &Advice| -> Result<Option<std::path::PathBuf>, RunError> {
        let Some(path) = &args.slip else {
            return Ok(None);
        };
        let html = slip::render_slip(Some(&report), advice, site.as_ref(), lang, now);
        slip::write_slip(path, &html)?;
        Ok(Some(path.clone()))
    };
    // The questions are printed on stdout: with stdout redirected (`> file`,
    // `| less`) nobody would see them and the run would seem to hang.
    let interactive = !args.json
        && !args.no_input
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    // The code this run ends with when stdout closes early (`| head`): the
    // advice without questions, as a non-interactive run computes it.
    let mut exit =
        advise(&AdviceInput::from_report(&report, facts.clone()), now).exit_after(&report);
    let written = (|| -> Result<(), RunError> {
        if args.json {
            let advice = advise(&AdviceInput::from_report(&report, facts), now).localized(lang);
            exit = advice.exit_after(&report);
            let mut doc = report_json(&report, &advice)
                .map_err(|e| RunError::Output(std::io::Error::other(e)))?;
            if let Some(path) = write_slip(&advice)? {
                doc["slip"] = serde_json::Value::String(path.display().to_string());
            }
            let mut bytes = serde_json::to_vec_pretty(&doc)
                .map_err(|e| RunError::Output(std::io::Error::other(e)))?;
            bytes.push(b'\n');
            return emit(io.out, &bytes);
        }
        // The decision comes first (issue 9): without questions it is line 1
        // under the card header; with questions, the reading is shown above
        // them and the decision right after the answers. Everything goes
        // to the buffered stdout and is flushed once, or before a question.
        let out_err = RunError::Output;
        let view = crate::advice::text::View {
            site: site.is_some(),
            ..crate::advice::text::View::for_stdout(lang, args.details)
        };
        let advice = if interactive {
            write!(
                io.out,
                "{}",
                crate::advice::text::render_reading(&report, view)
            )
            .map_err(out_err)?;
            io.out.flush().map_err(out_err)?;
            let input = AdviceInput::from_report(&report, facts);
            let stdin = std::io::stdin();
            let facts =
                crate::advice::interactive::ask(&input, now, lang, &mut stdin.lock(), &mut *io.out);
            let advice = advise(&AdviceInput::from_report(&report, facts), now).localized(lang);
            writeln!(io.out).map_err(out_err)?;
            write!(
                io.out,
                "{}",
                crate::advice::text::render_after_questions(&advice, view)
            )
            .map_err(out_err)?;
            advice
        } else {
            let advice = advise(&AdviceInput::from_report(&report, facts), now).localized(lang);
            write!(
                io.out,
                "{}",
                crate::advice::text::render_with(&advice, Some(&report), view)
            )
            .map_err(out_err)?;
            advice
        };
        exit = advice.exit_after(&report);
        if args.details {
            if let Some(reader) = &report.reader {
                writeln!(io.out, "{}: {reader}", lang.pick("リーダー", "Reader"))
                    .map_err(out_err)?;
            }
        }
        if let Some(site) = site.as_ref().filter(|_| mentions_counter(&advice)) {
            writeln!(io.out).map_err(out_err)?;
            write!(io.out, "{}", site.render_text(lang, now)).map_err(out_err)?;
        }
        if let Some(path) = write_slip(&advice)? {
            writeln!(
                io.out,
                "{} {}",
                lang.pick("印刷用の案内票:", "Slip for the holder:"),
                path.display()
            )
            .map_err(out_err)?;
        }
        io.out.flush().map_err(RunError::Output)
    })();
    match written {
        Ok(()) => exit,
        // A closed pipe (`| head`) is not a failure: the reading was fine,
        // and the run ends with its own code (docs/exit-codes.md).
        Err(RunError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => exit,
        // Stdout is what failed: no JSON document can be written there.
        Err(e @ RunError::Output(_)) => report_error(&e, false, lang, io),
        Err(e) => report_error(&e, args.json, lang, io),
    }
}

/// Writes one piece of output and flushes it. A closed pipe comes back as
/// `RunError::Output` of kind `BrokenPipe`, which callers turn into the
/// run's own exit code (docs/exit-codes.md: a closed pipe is not a failure);
/// any other write error (a full disk) is exit 1 with a message on stderr.
pub fn emit(out: &mut dyn Write, bytes: &[u8]) -> Result<(), RunError> {
    put(out, bytes)?;
    out.flush().map_err(RunError::Output)
}

/// Writes one piece of output without flushing (errors as [`emit`]).
fn put(out: &mut dyn Write, bytes: &[u8]) -> Result<(), RunError> {
    out.write_all(bytes).map_err(RunError::Output)
}

/// Loads `--site FILE`, or the default site file when it exists. A broken
/// file is an error with its line and what to do, and stops the run (exit
/// 2): a help desk should fix its settings rather than print slips without
/// them.
fn load_site(path: Option<&std::path::Path>) -> Result<Option<Site>, RunError> {
    let loaded = match path {
        Some(p) => Site::load(p).map(Some),
        None => Site::load_default(),
    };
    Ok(loaded?)
}

/// The site file's language, if it loads (errors are reported later, by
/// `load_site`, in the language chosen without it).
fn site_lang(path: Option<&std::path::Path>) -> Option<Lang> {
    let site = match path {
        Some(p) => Site::load(p).ok(),
        None => Site::load_default().ok().flatten(),
    };
    site.and_then(|s| s.lang)
}

/// Whether the advice may send the holder to the counter, so the office's
/// details are worth printing under it.
fn mentions_counter(advice: &Advice) -> bool {
    advice.route != Route::None && advice.route != Route::Kiosk && advice.route != Route::PhoneApp
}

/// The `--json` document: the report's fields plus `advice`.
pub fn report_json(report: &CardReport, advice: &Advice) -> anyhow::Result<serde_json::Value> {
    crate::advice::cli::advise_json(Some(report), advice)
}

/// The one place a failure becomes output: with `--json` an error document
/// on stdout (docs/json.md, docs/schema/error.schema.json), and always
/// `jpki-status: WHAT` and `  → NEXT STEP` on stderr, in `lang`. Returns
/// the exit code.
pub fn report_error(e: &RunError, json: bool, lang: Lang, io: &mut Io<'_>) -> Exit {
    if json {
        write_json_error(e, lang, io);
    }
    write_text_error(e, lang, io);
    e.exit()
}

/// `jpki-status: WHAT` and `  → NEXT STEP` on stderr.
fn write_text_error(e: &RunError, lang: Lang, io: &mut Io<'_>) {
    let (what, next) = e.describe(lang);
    let _ = writeln!(io.err, "jpki-status: {what}\n  → {next}");
}

/// A failure of watch mode before its first event. Under `--json` it is one
/// `error` event line (`seq` 1, `reader` null), so the output stays JSON
/// Lines; otherwise as [`report_error`].
fn report_watch_error(
    e: &RunError,
    json: bool,
    now: OffsetDateTime,
    lang: Lang,
    io: &mut Io<'_>,
) -> Exit {
    if !json {
        return report_error(e, false, lang, io);
    }
    let (message, next_step) = e.describe(lang);
    let line = EventLine {
        schema_version: SCHEMA_VERSION,
        seq: 1,
        time: probe::format_rfc3339(crate::japan_time::in_japan(now)),
        kind: "error",
        reader: None,
        atr: None,
        report: None,
        advice: None,
        error: Some(JsonErrorBody {
            code: e.code(),
            exit_code: e.exit().code(),
            message,
            next_step,
        }),
        slip: None,
    };
    let _ = serde_json::to_writer(&mut *io.out, &line);
    let _ = writeln!(io.out);
    write_text_error(e, lang, io);
    e.exit()
}

/// The JSON error document of `e` on stdout.
fn write_json_error(e: &RunError, lang: Lang, io: &mut Io<'_>) {
    let (message, next_step) = e.describe(lang);
    let doc = JsonError {
        schema_version: SCHEMA_VERSION,
        error: JsonErrorBody {
            code: e.code(),
            exit_code: e.exit().code(),
            message,
            next_step,
        },
    };
    let _ = serde_json::to_writer_pretty(&mut *io.out, &doc);
    let _ = writeln!(io.out);
}

/// A command line clap refused (or `--help`/`--version`, which clap also
/// reports as an "error"): the error on stderr in `lang` (clap's own text in
/// English, `help::error_ja` in Japanese; it names the option), plus, when `--json` is among the arguments, the JSON
/// error document (`code: usage`) on stdout, so a program never reads an
/// empty stdout. Returns the exit code (0 for help and version, else 2).
pub fn report_usage_error(
    e: clap::Error,
    lang: Lang,
    args: &[std::ffi::OsString],
    io: &mut Io<'_>,
) -> Exit {
    if !e.use_stderr() {
        let _ = write!(io.out, "{}", e.render());
        return Exit::Healthy;
    }
    // In Japanese, clap's error kinds in our own words (crate::help).
    let rendered = match lang {
        Lang::Ja => crate::help::error_ja(&e),
        Lang::En => e.render().to_string(),
    };
    let json = args.iter().any(|a| a == "--json");
    if json {
        // The first paragraph without its "error: " tag and usage line.
        let message = rendered
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .trim_start_matches("jpki-status: エラー: ")
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        write_json_error(&RunError::Usage(message), lang, io);
    }
    let _ = write!(io.err, "{rendered}");
    Exit::Usage
}

/// One line of `--watch --json` output (docs/json.md).
#[derive(Serialize)]
struct EventLine<'a> {
    schema_version: u32,
    seq: u64,
    time: String,
    #[serde(rename = "type")]
    kind: &'static str,
    reader: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    atr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a CardReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<Advice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<JsonErrorBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slip: Option<String>,
}

fn run_watch(args: &ReadArgs, lang: Lang, io: &mut Io<'_>) -> Exit {
    use crate::watch::{Watch, WatchEnd, WatchEvent, WatchOptions};

    let start = args.facts.now.unwrap_or_else(OffsetDateTime::now_utc);
    let mut terminal = match open_terminal(args.sim.as_deref()) {
        Ok(t) => t,
        Err(e) => return report_watch_error(&e, args.json, start, lang, io),
    };
    let watch = Watch::new();
    let stop = watch.stopper();
    // Ctrl-C / SIGTERM: the watch loop stops at once (it never waits on a
    // card itself). Should the output be stuck (a full pipe), the process
    // still ends within a second.
    let _ = ctrlc::set_handler(move || {
        stop();
        std::thread::sleep(Duration::from_secs(1));
        std::process::exit(i32::from(Exit::Cancelled.code()));
    });
    let facts = match args.facts.to_facts() {
        Ok(f) => f,
        Err(e) => return report_watch_error(&e.into(), args.json, start, lang, io),
    };
    let site = match load_site(args.site.as_deref()) {
        Ok(s) => s,
        Err(e) => return report_watch_error(&e, args.json, start, lang, io),
    };
    if let Some(dir) = &args.slip {
        if let Err(e) = crate::slip_file::prepare_slip_dir(dir) {
            return report_watch_error(&e.into(), args.json, start, lang, io);
        }
    }
    let fixed_now = args.facts.now;
    let clock = move || fixed_now.unwrap_or_else(OffsetDateTime::now_utc);
    let mut seq = 0u64;
    let mut write_error: Option<std::io::Error> = None;
    let json = args.json;
    let Io { out, err } = io;
    let mut sink = |event: WatchEvent| -> bool {
        seq += 1;
        let when = clock();
        let time = probe::format_rfc3339(crate::japan_time::in_japan(when));
        let advice = match &event {
            WatchEvent::Report { report, .. } => {
                Some(advise(&AdviceInput::from_report(report, facts.clone()), when).localized(lang))
            }
            _ => None,
        };
        // One slip per reading; a slip that cannot be written is reported
        // on stderr and the desk keeps running.
        let slip_path = match (&event, &advice, &args.slip) {
            (WatchEvent::Report { report, .. }, Some(a), Some(dir)) => {
                let html = slip::render_slip(Some(report), a, site.as_ref(), lang, when);
                match slip::write_slip_in_dir(dir, when, &html) {
                    Ok(p) => Some(p.display().to_string()),
                    Err(e) => {
                        let (what, next) = e.describe(lang);
                        let _ = writeln!(err, "jpki-status: {what}\n  → {next}");
                        None
                    }
                }
            }
            _ => None,
        };
        let written = if json {
            let (kind, reader, atr, report, error) = match &event {
                WatchEvent::ReaderAdded { reader } => {
                    ("reader_added", Some(reader.as_str()), None, None, None)
                }
                WatchEvent::ReaderRemoved { reader } => {
                    ("reader_removed", Some(reader.as_str()), None, None, None)
                }
                WatchEvent::CardInserted { reader, atr } => (
                    "card_inserted",
                    Some(reader.as_str()),
                    atr.as_deref().map(crate::apdu::spaced_hex),
                    None,
                    None,
                ),
                WatchEvent::Report { reader, report } => {
                    ("report", Some(reader.as_str()), None, Some(&**report), None)
                }
                WatchEvent::CardRemoved { reader } => {
                    ("card_removed", Some(reader.as_str()), None, None, None)
                }
                WatchEvent::Error { reader, error } => {
                    let e = RunError::Transport(error.clone());
                    let (message, next_step) = e.describe(lang);
                    let body = JsonErrorBody {
                        code: e.code(),
                        exit_code: e.exit().code(),
                        message,
                        next_step,
                    };
                    ("error", reader.as_deref(), None, None, Some(body))
                }
            };
            let line = EventLine {
                schema_version: SCHEMA_VERSION,
                seq,
                time,
                kind,
                reader,
                atr,
                report,
                advice: advice.clone(),
                error,
                slip: slip_path.clone(),
            };
            serde_json::to_writer(&mut **out, &line)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        } else {
            match &event {
                WatchEvent::ReaderAdded { reader } => {
                    writeln!(
                        out,
                        "[{time}] {} {reader}",
                        lang.pick("リーダー接続:", "reader connected:")
                    )
                }
                WatchEvent::ReaderRemoved { reader } => {
                    writeln!(
                        out,
                        "[{time}] {} {reader}",
                        lang.pick("リーダー取り外し:", "reader disconnected:")
                    )
                }
                WatchEvent::CardInserted { reader, .. } => {
                    writeln!(
                        out,
                        "[{time}] {} {reader}",
                        lang.pick("カードを検出:", "card placed on")
                    )
                }
                WatchEvent::Report { report, .. } => match advice.as_ref() {
                    Some(a) => writeln!(
                        out,
                        "{}",
                        crate::advice::text::render_with(
                            a,
                            Some(report),
                            crate::advice::text::View::plain(lang)
                        )
                    ),
                    None => writeln!(out, "{}", text::render_report(report, lang)),
                },
                WatchEvent::CardRemoved { reader } => writeln!(
                    out,
                    "[{time}] {} {reader}\n{}",
                    lang.pick("カードが取り外されました:", "card removed from"),
                    "-".repeat(60)
                ),
                WatchEvent::Error { reader, error } => {
                    let (what, next) = text::describe_transport_error(error, lang);
                    let _ = writeln!(
                        err,
                        "[{time}] {}: {what}\n  → {next}",
                        reader.as_deref().unwrap_or("PC/SC")
                    );
                    Ok(())
                }
            }
        };
        match written.and_then(|()| out.flush()) {
            Ok(()) => true,
            Err(e) => {
                write_error = Some(e);
                false
            }
        }
    };
    let end = watch.run(
        &mut *terminal,
        WatchOptions {
            probe: ProbeOptions {
                diagnostics: args.diagnostics,
            },
            limits: args.limits(),
        },
        &clock,
        &mut sink,
    );
    match (end, write_error) {
        // Whoever read the events went away (`| head`): nothing failed.
        (_, Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Healthy,
        (_, Some(e)) => {
            let (what, next) = RunError::Output(e).describe(lang);
            let _ = writeln!(err, "jpki-status: {what}\n  → {next}");
            Exit::Failure
        }
        (WatchEnd::Stopped, None) => Exit::Cancelled,
        (WatchEnd::Failed(e), None) => RunError::Transport(e).exit(),
    }
}

fn list_profiles(lang: Lang, io: &mut Io<'_>) -> Exit {
    let mut page = String::new();
    for name in builtin_names() {
        let description = Profile::load(name)
            .map(|p| match (lang, p.description_ja) {
                (Lang::Ja, Some(ja)) => ja,
                _ => p.description,
            })
            .unwrap_or_default();
        page.push_str(&format!("{name:<26} {description}\n"));
    }
    match emit(io.out, page.as_bytes()) {
        Err(RunError::Output(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            report_error(&RunError::Output(e), false, lang, io)
        }
        _ => Exit::Healthy,
    }
}

#[derive(Serialize)]
struct ReaderJson {
    name: String,
    card_present: bool,
    atr: Option<String>,
    contactless: bool,
    in_use_exclusively: bool,
}

/// `readers`: the PC/SC readers, or with `--sim` the simulated one.
fn list_readers(sim: Option<&str>, json: bool, lang: Lang, io: &mut Io<'_>) -> Exit {
    let mut terminal = match open_terminal(sim) {
        Ok(t) => t,
        Err(e) => return report_error(&e, json, lang, io),
    };
    let readers = match terminal.readers() {
        Ok(r) => r,
        Err(e) => return report_error(&RunError::Transport(e), json, lang, io),
    };
    let rows: Vec<ReaderJson> = readers
        .iter()
        .map(|r| ReaderJson {
            name: r.name.clone(),
            card_present: r.card_present,
            atr: r.atr.as_deref().map(crate::apdu::spaced_hex),
            contactless: looks_contactless(&r.name, r.atr.as_deref().unwrap_or(&[])),
            in_use_exclusively: r.in_use_exclusively,
        })
        .collect();
    let result = if json {
        serde_json::to_writer_pretty(
            &mut *io.out,
            &serde_json::json!({"schema_version": SCHEMA_VERSION, "readers": rows}),
        )
        .map_err(std::io::Error::from)
        .and_then(|_| writeln!(io.out))
    } else if rows.is_empty() {
        writeln!(
            io.out,
            "{}",
            lang.pick("カードリーダーが見つかりません。", "No card reader found.")
        )
    } else {
        rows.iter().try_for_each(|r| {
            let card = match (&r.atr, r.card_present) {
                (Some(atr), _) => format!("{} {atr}", lang.pick("カードあり ATR", "card, ATR")),
                (None, true) => lang.pick("カードあり", "card").to_string(),
                (None, false) => lang.pick("カードなし", "no card").to_string(),
            };
            writeln!(io.out, "{}\n    {card}", r.name)
        })
    };
    match result.and_then(|()| io.out.flush()) {
        Ok(()) => Exit::Healthy,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Healthy,
        Err(e) => report_error(&RunError::Output(e), false, lang, io),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, card: bool) -> ReaderInfo {
        ReaderInfo {
            name: name.into(),
            card_present: card,
            atr: None,
            in_use_exclusively: false,
            events: 0,
        }
    }

    #[test]
    fn the_single_reader_with_a_card_is_chosen() {
        let rs = [r("A Reader 00", false), r("B Reader 01", true)];
        assert_eq!(choose_reader(&rs, None), Ok("B Reader 01".into()));
    }

    #[test]
    fn several_cards_need_a_name() {
        let rs = [r("A", true), r("B", true)];
        assert!(matches!(
            choose_reader(&rs, None),
            Err(SelectError::SeveralCards { .. })
        ));
        assert_eq!(choose_reader(&rs, Some("b")), Ok("B".into()));
    }

    #[test]
    fn exact_name_wins_over_substring_and_ambiguity_lists_candidates() {
        let rs = [r("Virtual PCD 00 00", true), r("Virtual PCD 00 01", true)];
        assert_eq!(
            choose_reader(&rs, Some("Virtual PCD 00 01")),
            Ok("Virtual PCD 00 01".into())
        );
        match choose_reader(&rs, Some("virtual")) {
            Err(SelectError::Ambiguous { candidates, .. }) => assert_eq!(candidates.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            choose_reader(&rs, Some("nfc")),
            Err(SelectError::NoMatch { .. })
        ));
        assert_eq!(choose_reader(&[], None), Err(SelectError::NoReaders));
        assert!(matches!(
            choose_reader(&[r("A", false)], Some("A")),
            Err(SelectError::NoCard { .. })
        ));
    }

    #[test]
    fn selection_errors_name_the_readers_in_both_languages() {
        let no_card = RunError::Select(SelectError::NoCard {
            readers: vec!["A".into(), "B".into()],
        });
        assert_eq!(
            no_card.describe(Lang::Ja).0,
            "カードが置かれていません（A、B）。"
        );
        assert_eq!(no_card.describe(Lang::En).0, "No card on A, B.");
        let none = RunError::Select(SelectError::NoCard { readers: vec![] });
        assert_eq!(
            none.describe(Lang::Ja).0,
            "どのリーダーにもカードが置かれていません。"
        );
        let several = RunError::Select(SelectError::SeveralCards {
            readers: vec!["A".into(), "B".into()],
        });
        assert_eq!(
            several.describe(Lang::Ja).0,
            "複数のリーダーにカードがあります: A、B"
        );
        assert!(several.describe(Lang::En).1.contains("--reader"));
    }

    #[test]
    fn time_limits_are_positive_finite_seconds() {
        assert_eq!(parse_secs("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_secs("86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "-1", "nan", "inf", "86401", "", "5s"] {
            assert!(parse_secs(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
