//! The `jpki-status` binary. All logic lives in the library
//! (`jpki_status::run_command_line`: language, arguments, run, exit code;
//! docs/exit-codes.md).

fn main() -> std::process::ExitCode {
    jpki_status::run_command_line()
}
