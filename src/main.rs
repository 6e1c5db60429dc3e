//! The `jpki-status` binary. All logic lives in the library
//! (`jpki_status::run_command_line`: language, arguments, run, exit code;
//! docs/exit-codes.md).

fn main() -> std::process::ExitCode {
    // Double-clicked in Explorer: a console window of its own that would
    // flash and close. Open the desk page instead (issue 17).
    #[cfg(all(windows, feature = "desk"))]
    if std::env::args_os().len() == 1 && console::is_own() {
        return jpki_status::run_desk_from_explorer();
    }
    jpki_status::run_command_line()
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
}
