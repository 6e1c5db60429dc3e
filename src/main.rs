//! The `jpki-status` binary: parse arguments, run, exit with a typed code
//! (docs/exit-codes.md). All logic lives in the library (`jpki_status::cli`).

use clap::Parser;
use jpki_status::cli::{run, Cli, Io};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Buffered: a reading's table and advice leave in one write, not one per
    // line (stdout is line-buffered). Whoever waits for input or streams
    // events (questions, watch mode) flushes first.
    let (mut out, mut err) = (
        std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
        std::io::stderr(),
    );
    let exit = run(
        cli,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    // A failed flush (closed pipe) changes nothing: the reading's code stands.
    let _ = out.flush();
    ExitCode::from(exit.code())
}
