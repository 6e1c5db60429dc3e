//! The `jpki-status` binary: decide the language, parse arguments (help and
//! errors in that language), run, exit with a typed code
//! (docs/exit-codes.md). All logic lives in the library (`jpki_status::cli`).

use jpki_status::cli::{report_usage_error, run, Io};
use jpki_status::help::{self, Refused};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Buffered: a reading's table and advice leave in one write, not one per
    // line (stdout is line-buffered). Whoever waits for input or streams
    // events (questions, watch mode) flushes first, and a reading flushes
    // before it returns, so a failed write (full disk) is still reported.
    let (mut out, mut err) = (
        std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
        std::io::stderr(),
    );
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = help::lang_before_parsing(&args);
    let exit = match help::parse(lang, &args) {
        Ok(cli) => run(cli, &mut io),
        Err(Refused::Clap(e)) => report_usage_error(e, lang, &args, &mut io),
        Err(Refused::Done(exit)) => exit,
    };
    // A failed flush here (closed pipe) changes nothing: the run's code stands.
    let _ = out.flush();
    ExitCode::from(exit.code())
}
