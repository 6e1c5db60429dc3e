//! The `jpki-status` command line: arguments, choosing a reader, waiting for
//! a card, running one reading, printing it, and the exit code.
//!
//! Files by role (src/cli/): `args.rs` (clap definitions), `readers.rs`
//! (reader choice, waiting), `errors.rs` (every failure and how it is
//! printed: the error table), `output.rs` (JSON documents, writing),
//! `watch_mode.rs` (watch mode), `listing.rs` (`readers`, `profiles`),
//! `help_ja.rs` (the command line in Japanese); this file
//! runs one reading and dispatches.
//!
//! Owns: everything between `main` and the library layers, and the one
//! error path: every failure is a [`RunError`] (code, exit code, what
//! happened and what to do, in ja/en) printed by [`report_error`] as text
//! or as the JSON error document. Must not: talk
//! to a card except through `probe::read_card`, or print a reading that did
//! not complete (a transport error yields an error message and exit 7 or 8,
//! never a table).

pub mod advise;
mod args;
mod errors;
pub mod help_ja;
mod listing;
mod output;
mod readers;
mod watch_mode;

#[cfg(feature = "desk")]
pub use args::DeskArgs;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use args::{parse_wait, Cli, ReadArgs, Sub, Wait, MAX_WAIT_SECS};
pub(crate) use errors::{write_failure, write_text_error};
pub use errors::{report_error, report_usage_error, RunError};
pub use output::{emit, report_json};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use readers::{choose_reader, open_terminal, wait_and_choose, SelectError};
#[cfg(feature = "desk")]
use watch_mode::run_desk;

use crate::cli::advise::{run_advise, AdviseError};
use crate::advice::{advise, Advice, AdviceInput};
use crate::exit::Exit;
use crate::lang::Lang;
use crate::probe::ProbeOptions;
use crate::report::CardReport;
use crate::site::Site;
use crate::slip;
use crate::transport::TransportError;
use listing::{list_profiles, list_readers};
use output::mentions_counter;
use std::io::{IsTerminal, Write};
use watch_mode::run_watch;

/// The `jpki-status` binary's whole work, what its `main` calls: decide the
/// language, parse the arguments (help and errors in that language), run,
/// and return the typed exit code (docs/exit-codes.md).
pub fn main() -> std::process::ExitCode {
    main_with(std::env::args_os().collect(), false)
}

/// What the binary runs when it was double-clicked in Explorer (Windows: a
/// console of its own, which would flash and close): the desk page, and on
/// a failure the message stays until Enter is pressed.
#[cfg(feature = "desk")]
pub fn main_double_clicked() -> std::process::ExitCode {
    let exe = std::env::args_os()
        .next()
        .unwrap_or_else(|| "jpki-status".into());
    main_with(vec![exe, "desk".into()], true)
}

fn main_with(args: Vec<std::ffi::OsString>, hold_on_failure: bool) -> std::process::ExitCode {
    use help_ja::Refused;
    // Buffered: a reading's table and advice leave in one write, not one per
    // line (stdout is line-buffered). Whoever waits for input or streams
    // events (questions, watch mode) flushes first, and a reading flushes
    // before it returns, so a failed write (full disk) is still reported.
    // Not locked for the whole run: a reading's watchdog (`watched`) may
    // have to write its error while this thread is stuck in PC/SC.
    let (mut out, mut err) = (
        std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        std::io::stderr(),
    );
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    let lang = help_ja::lang_before_parsing(&args);
    let exit = match help_ja::parse(lang, &args) {
        Ok(cli) => run(cli, &mut io),
        Err(Refused::Clap(e)) => report_usage_error(e, lang, &args, &mut io),
        Err(Refused::Done(exit)) => exit,
    };
    // A failed flush here (closed pipe) changes nothing: the run's code stands.
    let _ = out.flush();
    if hold_on_failure && exit != Exit::Cancelled {
        // The window closes with the process: leave the message readable.
        eprintln!(
            "{}",
            lang.pick("Enter キーを押すと閉じます。", "Press Enter to close this window.")
        );
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
    std::process::ExitCode::from(exit.code())
}

/// Where output goes; kept apart from the process so tests can capture it.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
}

/// The language of human output, in this order (stated once; the help and
/// argument errors use it too, `help_ja::lang_before_parsing`): `--lang`, then
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
        Some(Sub::Profiles) => list_profiles(lang, io),
        Some(Sub::Readers { json }) => list_readers(
            cli.read.sim.as_deref(),
            *json,
            cli.read.limits().service(),
            lang,
            io,
        ),
        Some(Sub::Advise(a)) => match run_advise(a, lang, &mut *io.out) {
            Ok(exit) => exit,
            Err(AdviseError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                Exit::Healthy
            }
            Err(e) => report_error(&e.into(), a.json, lang, io),
        },
        #[cfg(feature = "desk")]
        Some(Sub::Desk(d)) => {
            let lang = language(cli.lang, d.site.as_deref());
            run_desk(d, lang, io)
        }
        None if cli.read.watch => run_watch(&cli.read, lang, io),
        None => run_reading(&cli.read, lang, io),
    }
}

/// One reading: check what can be checked before the card, read it, load
/// the site file, then print the reading with its advice (and the slip).
fn run_reading(args: &ReadArgs, lang: Lang, io: &mut Io<'_>) -> Exit {
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
    let report = match read_card(args, now, lang, io) {
        Ok(r) => r,
        Err(e) => return report_error(&e, args.json, lang, io),
    };
    let site = match load_site(args.site.as_deref()) {
        Ok(s) => s,
        Err(e) => return report_error(&e, args.json, lang, io),
    };
    let reading = ReadingOutput {
        args,
        report: &report,
        site: site.as_ref(),
        facts,
        now,
        lang,
    };
    // The advice without questions (what `--json` and a non-interactive run
    // print), computed once; its code is the one this run ends with when
    // stdout closes early (`| head`).
    let advice = reading.advice(reading.facts.clone());
    let mut exit = advice.exit_after(&report);
    let written = if args.json {
        reading.write_json(advice, &mut exit, io)
    } else {
        reading.write_text(advice, &mut exit, io)
    };
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

/// Opens the source of cards, waits for and chooses the reader, and reads
/// the card within the limits (watched: [`watched`]): a card that never
/// answers ends the run with exit 8 after --command-timeout, not never.
fn read_card(
    args: &ReadArgs,
    now: time::OffsetDateTime,
    lang: Lang,
    io: &mut Io<'_>,
) -> Result<CardReport, RunError> {
    use crate::session::Finished;
    let limits = args.limits();
    let options = ProbeOptions {
        diagnostics: args.diagnostics,
    };
    let (mut terminal, witness) = readers::open_witnessed(args.sim.as_deref())?;
    let witness = witness.as_ref();
    // A reader named exactly is connected to at once: the reader list and
    // the look at every reader's state (four calls to pcscd) are skipped.
    // Should that fail before the card was connected to (a part of a name,
    // no card, no such reader), the readers are looked at as below, so the
    // outcome (the choice, its message, `--wait`) is the same as ever.
    if let Some(name) = args.reader.as_deref() {
        let worker = watched(terminal, args, lang)?;
        let finished = worker.read(name, options, now, args.verbose, limits, false);
        let look_first = !finished.connected
            && matches!(
                finished.result,
                Err(TransportError::UnknownReader(_)
                    | TransportError::NoCard(_)
                    | TransportError::NoReader
                    | TransportError::Unresponsive)
            );
        match finished {
            Finished {
                terminal: Some(t), ..
            } if look_first => terminal = t,
            finished => return finished_reading(finished, witness),
        }
    }
    let mut worker = watched(terminal, args, lang)?;
    let reader = wait_and_choose(
        &mut worker,
        args.reader.as_deref(),
        args.wait,
        limits.service(),
        io,
        lang,
    )?;
    finished_reading(
        worker.read(&reader, options, now, args.verbose, limits, false),
        witness,
    )
}

/// The PC/SC calls of this run, on this thread, watched within `args`'
/// limits: when one runs out, the watchdog writes the error as this run
/// would have (JSON document and/or message, in `lang`) and ends the
/// process with its exit code, since this thread is stuck in the call.
fn watched(
    terminal: Box<dyn crate::transport::Terminal + Send>,
    args: &ReadArgs,
    lang: Lang,
) -> Result<crate::session::PcscWorker, RunError> {
    let json = args.json;
    let on_expiry = Box::new(move |e: TransportError| {
        // stdout is not held by the stuck thread (main_with buffers it
        // without locking it for the run), and nothing of this run was
        // written to it yet: the reading comes first.
        let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
        let exit = report_error(
            &RunError::from(e),
            json,
            lang,
            &mut Io {
                out: &mut out,
                err: &mut err,
            },
        );
        let _ = out.flush();
        std::process::exit(i32::from(exit.code()));
    });
    Ok(crate::session::PcscWorker::watched(terminal, args.limits(), on_expiry)?)
}

/// The reading's result, unless a simulated card saw a forbidden command:
/// a run that caused one is a bug in this tool and must never look like a
/// good reading.
fn finished_reading(
    finished: crate::session::Finished,
    witness: Option<&crate::sim::Witness>,
) -> Result<CardReport, RunError> {
    if let Some(v) = witness.and_then(|w| w.violations().into_iter().next()) {
        return Err(RunError::Violation(v.to_string()));
    }
    Ok(finished.result?)
}

/// A completed reading and what its output needs.
struct ReadingOutput<'a> {
    args: &'a ReadArgs,
    report: &'a CardReport,
    site: Option<&'a Site>,
    facts: crate::advice::Facts,
    now: time::OffsetDateTime,
    lang: Lang,
}

impl ReadingOutput<'_> {
    /// The advice for this reading with `facts`, in the output language.
    fn advice(&self, facts: crate::advice::Facts) -> Advice {
        advise(&AdviceInput::from_report(self.report, facts), self.now).localized(self.lang)
    }

    /// Writes the slip when `--slip` asks for one. A slip that cannot be
    /// written is a failure of its own (exit 1, or 2 when --slip names
    /// something never replaced), reported after whatever was already
    /// printed; under --json the one document is the error.
    fn write_slip(&self, advice: &Advice) -> Result<Option<std::path::PathBuf>, RunError> {
        let Some(path) = &self.args.slip else {
            return Ok(None);
        };
        let html = slip::render_slip(Some(self.report), advice, self.site, self.lang, self.now);
        slip::write_slip(path, &html)?;
        Ok(Some(path.clone()))
    }

    /// The `--json` document on stdout, with `advice` (from the reading
    /// and the facts given on the command line).
    fn write_json(self, advice: Advice, exit: &mut Exit, io: &mut Io<'_>) -> Result<(), RunError> {
        *exit = advice.exit_after(self.report);
        let mut doc = report_json(self.report, &advice);
        if let Some(path) = self.write_slip(&advice)? {
            doc = doc.with_slip(path.display().to_string());
        }
        let bytes = crate::cli::advise::document_bytes(&doc)
            .map_err(|e| RunError::Output(std::io::Error::other(e)))?;
        emit(io.out, &bytes)
    }

    /// The text output. The decision comes first (issue 9): without
    /// questions it is line 1 under the card header; with questions, the
    /// reading is shown above them and the decision right after the
    /// answers. Everything goes to the buffered stdout and is flushed once,
    /// or before a question. `advice` is the one without questions; after
    /// questions it is decided again with the answers.
    fn write_text(self, advice: Advice, exit: &mut Exit, io: &mut Io<'_>) -> Result<(), RunError> {
        let (args, lang) = (self.args, self.lang);
        let out_err = RunError::Output;
        let view = crate::present::advice_page::View {
            site: self.site.is_some(),
            ..crate::present::advice_page::View::for_stdout(lang, args.details)
        };
        // The questions are printed on stdout: with stdout redirected (`> file`,
        // `| less`) nobody would see them and the run would seem to hang.
        let interactive =
            !args.no_input && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
        let advice = if interactive {
            let reading = crate::present::advice_page::render_reading(self.report, view);
            write!(io.out, "{reading}").map_err(out_err)?;
            io.out.flush().map_err(out_err)?;
            let input = AdviceInput::from_report(self.report, self.facts.clone());
            let stdin = std::io::stdin();
            let facts = crate::present::questions::ask(
                &input,
                self.now,
                lang,
                &mut stdin.lock(),
                &mut *io.out,
            );
            let advice = self.advice(facts);
            writeln!(io.out).map_err(out_err)?;
            let after = crate::present::advice_page::render_after_questions(&advice, view);
            write!(io.out, "{after}").map_err(out_err)?;
            advice
        } else {
            let page = crate::present::advice_page::render_with(&advice, Some(self.report), view);
            write!(io.out, "{page}").map_err(out_err)?;
            advice
        };
        *exit = advice.exit_after(self.report);
        self.write_text_footer(&advice, io)
    }

    /// Under the advice: the reader (`--details`), the office when the
    /// advice may send the holder there, and where the slip went.
    fn write_text_footer(&self, advice: &Advice, io: &mut Io<'_>) -> Result<(), RunError> {
        let lang = self.lang;
        let out_err = RunError::Output;
        if self.args.details {
            if let Some(reader) = &self.report.reader {
                let reader = crate::present::report_text::printable(reader);
                writeln!(io.out, "{}: {reader}", lang.pick("リーダー", "Reader"))
                    .map_err(out_err)?;
            }
        }
        if let Some(site) = self.site.filter(|_| mentions_counter(advice)) {
            writeln!(io.out).map_err(out_err)?;
            write!(io.out, "{}", site.render_text(lang, self.now)).map_err(out_err)?;
        }
        if let Some(path) = self.write_slip(advice)? {
            writeln!(
                io.out,
                "{} {}",
                lang.pick("印刷用の案内票:", "Slip for the holder:"),
                path.display()
            )
            .map_err(out_err)?;
        }
        io.out.flush().map_err(RunError::Output)
    }
}

/// Loads `--site FILE`, or the default site file when it exists. A broken
/// file is an error with its line and what to do, and stops the run (exit
/// 2): a help desk should fix its settings rather than print slips without
/// them.
pub(super) fn load_site(path: Option<&std::path::Path>) -> Result<Option<Site>, RunError> {
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
