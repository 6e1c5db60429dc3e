//! The listing subcommands: `readers` (text or JSON) and `profiles`.
//!
//! Owns: the readers document's shape (docs/json.md). Must not: read a card.

use super::{emit, open_terminal, report_error, Io, RunError};
use crate::exit::Exit;
use crate::lang::Lang;
use crate::report::SCHEMA_VERSION;
use crate::sim::{profile::builtin_names, Profile};
use crate::transport::looks_contactless;
use crate::present::documents::{ReaderJson, ReadersDocument};

pub(super) fn list_profiles(lang: Lang, io: &mut Io<'_>) -> Exit {
    let mut page = String::new();
    for name in builtin_names() {
        let description = Profile::load(name)
            .map(|p| match (lang, p.description_ja) {
                (Lang::Ja, Some(ja)) => ja,
                _ => p.description,
            })
            .unwrap_or_default();
        page.push_str(&format!("{name:<26} {description}\n"));
    }
    match emit(io.out, page.as_bytes()) {
        Err(RunError::Output(e)) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            report_error(&RunError::Output(e), false, lang, io)
        }
        _ => Exit::Healthy,
    }
}


/// `readers`: the PC/SC readers, or with `--sim` the simulated one.
/// The service is asked within `service` (a frozen pcscd: exit 7 after it).
pub(super) fn list_readers(
    sim: Option<&str>,
    json: bool,
    service: std::time::Duration,
    lang: Lang,
    io: &mut Io<'_>,
) -> Exit {
    let worker = open_terminal(sim).and_then(|t| Ok(crate::session::PcscWorker::spawn(t)?));
    let mut worker = match worker {
        Ok(w) => w,
        Err(e) => return report_error(&e, json, lang, io),
    };
    let readers = match worker.call(service, |t| t.readers()) {
        Ok(r) => r,
        Err(e) => return report_error(&RunError::Transport(e), json, lang, io),
    };
    let rows: Vec<ReaderJson> = readers
        .iter()
        .map(|r| ReaderJson {
            name: r.name.clone(),
            card_present: r.card_present,
            atr: r.atr.as_deref().map(crate::apdu::spaced_hex),
            contactless: looks_contactless(&r.name, r.atr.as_deref().unwrap_or(&[])),
            in_use_exclusively: r.in_use_exclusively,
        })
        .collect();
    let result = if json {
        crate::cli::advise::document_bytes(&ReadersDocument {
            schema_version: SCHEMA_VERSION,
            readers: &rows,
        })
        .map_err(std::io::Error::from)
        .and_then(|bytes| io.out.write_all(&bytes))
    } else if rows.is_empty() {
        writeln!(
            io.out,
            "{}",
            lang.pick("カードリーダーが見つかりません。", "No card reader found.")
        )
    } else {
        rows.iter().try_for_each(|r| {
            let card = match (&r.atr, r.card_present) {
                (Some(atr), _) => format!("{} {atr}", lang.pick("カードあり ATR", "card, ATR")),
                (None, true) => lang.pick("カードあり", "card").to_string(),
                (None, false) => lang.pick("カードなし", "no card").to_string(),
            };
            writeln!(io.out, "{}\n    {card}", crate::present::report_text::printable(&r.name))
        })
    };
    match result.and_then(|()| io.out.flush()) {
        Ok(()) => Exit::Healthy,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Healthy,
        Err(e) => report_error(&RunError::Output(e), false, lang, io),
    }
}
