//! The `jpki-status` binary: parse arguments, run, exit with a typed code
//! (docs/exit-codes.md). All logic lives in the library (`jpki_status::cli`).

use clap::Parser;
use jpki_status::cli::{report_usage_error, run, Cli, Io};
use std::process::ExitCode;

fn main() -> ExitCode {
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr());
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let exit = match Cli::try_parse_from(&args) {
        Ok(cli) => run(cli, &mut io),
        Err(e) => report_usage_error(e, &args, &mut io),
    };
    ExitCode::from(exit.code())
}
