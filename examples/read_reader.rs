//! Reads the card on a real PC/SC reader and prints the report and advice:
//! `cargo run --example read_reader -- [READER] [--json]`. Without a name it
//! takes the first reader holding a card. Needs only the library
//! (`default-features = false`): this is the smallest embedding.

use jpki_status::{read, readers, Lang};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    let wanted = args.iter().find(|a| !a.starts_with("--"));
    let name = match wanted {
        Some(n) => n.clone(),
        None => match readers() {
            Ok(list) => match list.into_iter().find(|r| r.card_present) {
                Some(r) => r.name,
                None => {
                    eprintln!("read_reader: no reader holds a card; place one and try again");
                    return ExitCode::from(7);
                }
            },
            Err(e) => {
                eprintln!("read_reader: {e}");
                return ExitCode::from(7);
            }
        },
    };
    match read(&name) {
        Ok(reading) => {
            if json {
                // CardReport and Advice are serde types (docs/json.md).
                match serde_json::to_string_pretty(&reading.report) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("read_reader: {e}"),
                }
            } else {
                print!("{}", reading.text(Lang::Ja));
            }
            ExitCode::from(reading.advice.exit().code())
        }
        Err(e) => {
            eprintln!("read_reader: {e}");
            ExitCode::from(7)
        }
    }
}
