//! The `jpki-status` command line: arguments, choosing a reader, waiting for
//! a card, running one reading, printing it, and the exit code.
//!
//! Files by role: [`args`] (clap definitions), [`readers`] (reader choice,
//! waiting), [`errors`] (every failure and how it is printed), [`output`]
//! (JSON documents, writing), [`watch`] (watch mode), [`listing`]
//! (`readers`, `profiles`); this file runs one reading and dispatches.
//!
//! Owns: everything between `main` and the library layers, and the one
//! error path: every failure is a [`RunError`] (code, exit code, what
//! happened and what to do, in ja/en) printed by [`report_error`] as text
//! or as the JSON error document. Must not: talk
//! to a card except through `probe::read_card`, or print a reading that did
//! not complete (a transport error yields an error message and exit 7 or 8,
//! never a table).

mod args;
mod errors;
mod listing;
mod output;
mod readers;
mod watch;

pub use args::{parse_wait, Cli, ReadArgs, Sub, Wait, MAX_WAIT_SECS};
pub(crate) use errors::{describe_output_error, write_text_error};
pub use errors::{report_error, report_usage_error, RunError};
pub use output::{emit, final_exit, report_json};
pub use readers::{choose_reader, open_terminal, wait_and_choose, SelectError};

use crate::advice::cli::{run_advise, AdviseError};
use crate::advice::{advise, Advice, AdviceInput};
use crate::exit::Exit;
use crate::lang::Lang;
use crate::probe::ProbeOptions;
use crate::report::CardReport;
use crate::session::read_bounded;
use crate::site::Site;
use crate::slip;
use listing::{list_profiles, list_readers};
use output::mentions_counter;
use std::io::{IsTerminal, Write};
use watch::run_watch;

/// Where output goes; kept apart from the process so tests can capture it.
pub struct Io<'a> {
    /// Standard output.
    pub out: &'a mut dyn Write,
    /// Standard error.
    pub err: &'a mut dyn Write,
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
    let mut exit = final_exit(
        &report,
        &advise(&AdviceInput::from_report(&report, facts.clone()), now),
    );
    let written = (|| -> Result<(), RunError> {
        if args.json {
            let advice = advise(&AdviceInput::from_report(&report, facts), now).localized(lang);
            exit = final_exit(&report, &advice);
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
        exit = final_exit(&report, &advice);
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
