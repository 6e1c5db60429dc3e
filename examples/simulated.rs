//! Reads the built-in simulated card whose 署名用 password has one try left,
//! through the same entry point a program uses with a real reader, and
//! prints what the command line would: `cargo run --example simulated`
//! (optionally a profile name from `jpki-status profiles`).
//!
//! Checks what it prints, so CI running it is a test of the entry point.

use jpki_status::{read_with, KeyStatus, Lang, SimCard, SimTerminal, Terminal};
use std::process::ExitCode;
use std::time::SystemTime;

fn main() -> ExitCode {
    let profile = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "sign-1-left".into());
    let card = match SimCard::load(&profile) {
        Ok(card) => card,
        Err(e) => {
            eprintln!("simulated: {e}");
            return ExitCode::from(2);
        }
    };
    let mut terminal = SimTerminal::new(card);
    // The simulator has one reader, named after the profile.
    let reader = match terminal.readers() {
        Ok(list) => list.into_iter().next().map(|r| r.name).unwrap_or_default(),
        Err(e) => {
            eprintln!("simulated: {e}");
            return ExitCode::from(7);
        }
    };
    let reading = match read_with(&mut terminal, &reader, SystemTime::now()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("simulated: {e}");
            return ExitCode::from(7);
        }
    };
    print!("{}", reading.text(Lang::En));
    for key in &reading.report.keys {
        let left = match key.status {
            KeyStatus::Remaining { left } => left.to_string(),
            other => format!("{other:?}"),
        };
        println!("{:?}: {left}", key.id);
    }
    // The simulated card records every command; anything but the closed set
    // (above all a VERIFY with a PIN) is a violation.
    let violations = terminal.card().violations();
    if !violations.is_empty() {
        eprintln!("simulated: the card saw forbidden commands: {violations:?}");
        return ExitCode::from(1);
    }
    ExitCode::from(reading.advice.exit().code())
}
