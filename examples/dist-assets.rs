//! Writes the man page and shell completions, generated from the command
//! line's own definition, into a folder (packaging; never installed by
//! `cargo install`):
//!
//! ```sh
//! cargo run --example dist-assets -- target/assets
//! ```
//!
//! gives `jpki-status.1`, a page per subcommand (`jpki-status-advise.1`...) and `completions/` (`jpki-status.bash`,
//! `_jpki-status` for zsh, `jpki-status.fish`, `_jpki-status.ps1`).

use clap_complete::Shell;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: cargo run --example dist-assets -- DIR");
        return ExitCode::from(2);
    };
    match write_all(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dist-assets: {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}

fn write_all(dir: &std::path::Path) -> std::io::Result<()> {
    let completions = dir.join("completions");
    std::fs::create_dir_all(&completions)?;
    // The English definition as `--help` shows it (with the exit-code
    // footer, which a reading's parse leaves out): man pages are read in a
    // terminal whose language the package cannot know; `--help` follows
    // the user's.
    let cmd = jpki_status::cli::help_ja::command(jpki_status::lang::Lang::En);
    // jpki-status.1 and one page per subcommand (jpki-status-advise.1...).
    clap_mangen::generate_to(cmd.clone(), dir)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell] {
        let path =
            clap_complete::generate_to(shell, &mut cmd.clone(), "jpki-status", &completions)?;
        println!("{}", path.display());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "1") {
            println!("{}", path.display());
        }
    }
    Ok(())
}
