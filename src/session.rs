//! One reading of the card in one reader: connect, one transaction, the
//! probe, let go. Shared by the single-reading command line and watch mode.
//!
//! Owns: attaching reader facts (name, ATR, contactless) to the report and
//! marking interruptions as contactless when they are, so the message can say
//! "keep the card still". Must not: keep the connection or transaction past
//! the reading.

use crate::probe::{read_card, ProbeOptions};
use crate::report::CardReport;
use crate::transport::{looks_contactless, Terminal, Traced, TransportError};
use std::io::Write;
use time::OffsetDateTime;

/// Reads the card in `reader`. With `trace`, every command and answer is
/// written to it (`-v`).
pub fn read_reader(
    terminal: &mut dyn Terminal,
    reader: &str,
    options: ProbeOptions,
    now: OffsetDateTime,
    trace: Option<&mut dyn Write>,
) -> Result<CardReport, TransportError> {
    let mut conn = terminal.connect(reader)?;
    let atr = conn.atr();
    let contactless = conn.contactless() || looks_contactless(reader, &atr);
    let result = {
        let mut tx = conn.transaction()?;
        match trace {
            Some(out) => read_card(&mut Traced::new(&mut *tx, out), options, now),
            None => read_card(&mut *tx, options, now),
        }
    };
    let mut report = result.map_err(|e| match e {
        TransportError::CardRemoved { .. } => TransportError::CardRemoved { contactless },
        TransportError::Communication { detail, .. } => TransportError::Communication {
            detail,
            contactless,
        },
        other => other,
    })?;
    report.reader = Some(reader.to_string());
    report.card.atr = Some(crate::apdu::spaced_hex(&atr));
    report.card.contactless = contactless;
    Ok(report)
}
