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
    // Double-clicked in Explorer: a console window of its own that would
    // flash and close. Open the desk page instead (issue 17).
    #[cfg(all(windows, feature = "desk"))]
    let double_clicked = args.len() == 1 && console::is_own();
    #[cfg(all(windows, feature = "desk"))]
    let args = if double_clicked {
        [args, vec!["desk".into()]].concat()
    } else {
        args
    };
    let lang = help::lang_before_parsing(&args);
    let exit = match help::parse(lang, &args) {
        Ok(cli) => run(cli, &mut io),
        Err(Refused::Clap(e)) => report_usage_error(e, lang, &args, &mut io),
        Err(Refused::Done(exit)) => exit,
    };
    // A failed flush here (closed pipe) changes nothing: the run's code stands.
    let _ = out.flush();
    #[cfg(all(windows, feature = "desk"))]
    if double_clicked && exit != jpki_status::exit::Exit::Cancelled {
        // The window closes with the process: leave the message readable.
        console::wait_for_enter(lang);
    }
    ExitCode::from(exit.code())
}

/// The console window, on Windows.
#[cfg(all(windows, feature = "desk"))]
mod console {
    /// Whether this process is the only one attached to its console: it
    /// was started by a double-click (Explorer made the console for it),
    /// not from a command prompt or PowerShell, which share theirs.
    #[allow(unsafe_code)]
    pub(super) fn is_own() -> bool {
        let mut ids = [0u32; 2];
        // SAFETY: `ids` is a valid, writable buffer of `ids.len()` u32s, as
        // GetConsoleProcessList requires; it writes at most that many and
        // returns how many processes share the console (0 on failure).
        let n = unsafe {
            windows_sys::Win32::System::Console::GetConsoleProcessList(
                ids.as_mut_ptr(),
                ids.len() as u32,
            )
        };
        n == 1
    }

    /// Waits for Enter, so that an error stays on screen.
    pub(super) fn wait_for_enter(lang: jpki_status::Lang) {
        eprintln!(
            "{}",
            lang.pick(
                "Enter キーを押すと閉じます。",
                "Press Enter to close this window."
            )
        );
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    }
}
