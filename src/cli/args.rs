//! The command line's definition (clap): [`Cli`], its subcommands and the
//! reading options, with the value parsers for `--wait` and the time limits.
//!
//! Owns: option names, their English help and defaults (the Japanese help is
//! src/cli/help_ja.rs). Must not: run anything; what an option does lives in the
//! other `cli` files.

use crate::cli::advise::{AdviseArgs, FactArgs};
use crate::exit::Exit;
use crate::lang::Lang;
use crate::session::Limits;
use clap::{Args, Parser, Subcommand};
use std::sync::LazyLock;
use std::time::Duration;

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
Advice without a card:     jpki-status advise --help\n\
The desk page (browser):   jpki-status desk"
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

/// The same command line without its subcommands: what most runs are (a
/// reading with options). Parsing with it first skips building the four
/// subcommands' definitions (`help_ja::parse`: about a tenth of a
/// reading's own instructions); any line it refuses, help and `--version`
/// included, is parsed again with [`Cli`], so what parses and every message
/// are [`Cli`]'s (a test compares both on many lines).
#[derive(Parser, Debug)]
#[command(name = "jpki-status", version)]
pub struct ReadingCli {
    /// [`Cli::read`].
    #[command(flatten)]
    pub read: ReadArgs,
    /// [`Cli::lang`].
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
}

impl From<ReadingCli> for Cli {
    fn from(r: ReadingCli) -> Cli {
        Cli {
            command: None,
            read: r.read,
            lang: r.lang,
        }
    }
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
    /// The desk page: the decision the moment a card is placed, the
    /// deciding question as buttons, the slip one click away, in a browser.
    ///
    /// Serves a page on this computer only (127.0.0.1) and opens it in the
    /// default browser. One panel per reader; a removed card's panel clears
    /// after a few seconds. The first line printed is the page's URL (with
    /// its per-launch secret). Ctrl-C stops it.
    ///
    /// Try it without a reader:  jpki-status desk --sim sign-1-left
    #[cfg(feature = "desk")]
    Desk(DeskArgs),
}

/// Options of `jpki-status desk`.
#[cfg(feature = "desk")]
#[derive(Args, Debug, Clone)]
pub struct DeskArgs {
    /// Serve a simulated card instead of real readers (see `jpki-status
    /// profiles`): try the page without a reader.
    #[arg(long, value_name = "PROFILE")]
    pub sim: Option<String>,
    /// The port to listen on; 0 (the default) picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub port: u16,
    /// The address to listen on. Default 127.0.0.1: only this computer can
    /// reach the page. Another address lets the network try (the secret in
    /// the URL is still required, but the traffic is not encrypted).
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub listen: std::net::IpAddr,
    /// Do not open the browser; only print the page's URL (first line).
    #[arg(long)]
    pub no_open: bool,
    /// Seconds a panel keeps showing after its card was removed (0: clear
    /// at once). The next card clears it at once anyway.
    #[arg(long, value_name = "SECS", default_value = secs_text(&CLEAR_AFTER_DEFAULT), value_parser = parse_secs_or_zero)]
    pub clear_after: Duration,
    /// Site settings: your office's name, address, hours, phone... (TOML),
    /// shown on the printed slip.
    #[arg(long, value_name = "FILE")]
    pub site: Option<std::path::PathBuf>,
    /// Also read the diagnostic 照合番号A/B keys.
    #[arg(long)]
    pub diagnostics: bool,
    /// Give up on a card that does not answer one command within SECS
    /// seconds (the panel says so).
    #[arg(long, value_name = "SECS", help = COMMAND_HELP.as_str(), default_value = secs_text(&COMMAND_DEFAULT), value_parser = parse_secs)]
    pub command_timeout: Duration,
    /// Give up on a reading that takes longer than SECS seconds in all.
    #[arg(long, value_name = "SECS", help = READING_HELP.as_str(), default_value = secs_text(&READING_DEFAULT), value_parser = parse_secs)]
    pub reading_timeout: Duration,
    /// Wait at most SECS seconds while another program holds the card.
    #[arg(long, value_name = "SECS", help = IN_USE_HELP.as_str(), default_value = secs_text(&IN_USE_DEFAULT), value_parser = parse_secs)]
    pub in_use_wait: Duration,
}

#[cfg(feature = "desk")]
impl DeskArgs {
    /// The time limits of each reading.
    pub fn limits(&self) -> Limits {
        Limits {
            command: self.command_timeout,
            reading: self.reading_timeout,
            in_use: self.in_use_wait,
        }
    }
}

/// `--clear-after`'s default, from the desk's constant.
#[cfg(feature = "desk")]
static CLEAR_AFTER_DEFAULT: LazyLock<String> =
    LazyLock::new(|| secs(crate::desk::CLEAR_AFTER));

/// Zero or a time limit.
#[cfg(feature = "desk")]
fn parse_secs_or_zero(text: &str) -> Result<Duration, String> {
    if text.trim().parse::<f64>() == Ok(0.0) {
        return Ok(Duration::ZERO);
    }
    parse_secs(text)
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
    /// --wait. With --watch: also waits for a PC/SC service that is not
    /// running yet or went away (SECS bounds that wait).
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
    #[arg(long, value_name = "SECS", help = COMMAND_HELP.as_str(), default_value = secs_text(&COMMAND_DEFAULT), value_parser = parse_secs)]
    pub command_timeout: Duration,
    /// Give up on a reading that takes longer than SECS seconds in all
    /// (exit 8).
    #[arg(long, value_name = "SECS", help = READING_HELP.as_str(), default_value = secs_text(&READING_DEFAULT), value_parser = parse_secs)]
    pub reading_timeout: Duration,
    /// Wait at most SECS seconds while another program holds the card in a
    /// transaction: "the card is in use by another program" (exit 7).
    #[arg(long, value_name = "SECS", help = IN_USE_HELP.as_str(), default_value = secs_text(&IN_USE_DEFAULT), value_parser = parse_secs)]
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
/// The time limits' defaults as clap shows them (`[default: 5]`), written
/// from `Limits`' constants (issue 16: one source per fact).
static COMMAND_DEFAULT: LazyLock<String> = LazyLock::new(|| secs(Limits::COMMAND));
static READING_DEFAULT: LazyLock<String> = LazyLock::new(|| secs(Limits::READING));
static IN_USE_DEFAULT: LazyLock<String> = LazyLock::new(|| secs(Limits::IN_USE));

/// The time limits' help, their exit codes written from `Exit` (the doc
/// comments above say the same for readers of the code).
static COMMAND_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "Give up on a card that does not answer one command within SECS seconds: \"the card is not answering\" (exit {})",
        Exit::Interrupted.code()
    )
});
static READING_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "Give up on a reading that takes longer than SECS seconds in all (exit {})",
        Exit::Interrupted.code()
    )
});
static IN_USE_HELP: LazyLock<String> = LazyLock::new(|| {
    format!(
        "Wait at most SECS seconds while another program holds the card in a transaction: \"the card is in use by another program\" (exit {})",
        Exit::NoCard.code()
    )
});

/// Whole seconds as typed (`5`), else with a fraction (`0.5`).
fn secs(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        d.as_secs().to_string()
    } else {
        d.as_secs_f64().to_string()
    }
}

fn secs_text(s: &'static LazyLock<String>) -> &'static str {
    s.as_str()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limit_defaults_are_the_limits_constants() {
        let cli = Cli::try_parse_from(["jpki-status"]).expect("parses");
        assert_eq!(cli.read.limits(), Limits::default());
        assert_eq!(secs(Duration::from_millis(500)), "0.5");
        #[cfg(feature = "desk")]
        {
            let cli = Cli::try_parse_from(["jpki-status", "desk"]).expect("parses");
            let Some(Sub::Desk(d)) = cli.command else {
                panic!("desk")
            };
            assert_eq!(d.limits(), Limits::default());
            assert_eq!(d.clear_after, crate::desk::CLEAR_AFTER);
        }
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
        ReadingCli::command().debug_assert();
    }

    /// Every line the reading-only definition accepts means the same as
    /// with the whole one; the lines it refuses are left to the whole one.
    #[test]
    fn the_reading_only_parse_agrees_with_the_whole_one() {
        use clap::Parser;
        let lines: &[&[&str]] = &[
            &[],
            &["--json"],
            &["--json", "--no-input", "--reader", "Virtual PCD 00 00"],
            &["--reader", "advise"],
            &["--lang", "ja", "--details", "-v"],
            &["--lang=en", "--wait"],
            &["--wait=3", "--watch", "--json"],
            &["--sim", "fresh", "--now", "2026-11-22T10:00:00+09:00", "--json"],
            &["--command-timeout", "2", "--reading-timeout", "3", "--in-use-wait", "1.5"],
            &["--slip", "out.html", "--site", "site.toml", "--diagnostics"],
            &["--locked", "auth", "--tries", "sign=2", "--age", "15"],
            &["--sim", "fresh", "--watch", "--slip", "dir"],
        ];
        let mut accepted = 0;
        for extra in lines {
            let argv: Vec<&str> = std::iter::once("jpki-status").chain(extra.iter().copied()).collect();
            let whole = Cli::try_parse_from(&argv);
            // Refused: the whole definition decides (safe either way).
            if let Ok(reading) = ReadingCli::try_parse_from(&argv) {
                accepted += 1;
                let whole = whole.unwrap_or_else(|e| panic!("{argv:?}: only the whole refuses: {e}"));
                assert_eq!(format!("{:?}", Cli::from(reading)), format!("{whole:?}"), "{argv:?}");
            }
        }
        assert!(accepted >= 10, "only {accepted} lines parsed");
        for refused in [
            &["readers"][..],
            &["advise", "--locked", "auth"],
            &["desk"],
            &["help"],
            &["--help"],
            &["-h"],
            &["--version"],
            &["--no-such-option"],
        ] {
            let argv: Vec<&str> = std::iter::once("jpki-status").chain(refused.iter().copied()).collect();
            assert!(ReadingCli::try_parse_from(&argv).is_err(), "{argv:?} is the whole's");
        }
    }
}
