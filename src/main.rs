//! The `jpki-status` binary: parse arguments, run, exit with a typed code
//! (docs/exit-codes.md). All logic lives in the library (`jpki_status::cli`).

use clap::Parser;
use jpki_status::cli::{run, Cli, Io};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr());
    let exit = run(
        cli,
        &mut Io {
            out: &mut out,
            err: &mut err,
        },
    );
    ExitCode::from(exit.code())
}
