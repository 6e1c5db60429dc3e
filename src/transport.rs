//! The seam between the card protocol and whatever carries it: PC/SC
//! (`pcsc_backend`), the in-process simulated card (`sim`), a replayed
//! transcript (`transcript`), or a tracing/recording wrapper.
//!
//! Owns: the traits `Terminal` (readers and card presence), `Connection` (one
//! connected card) and `Exchange` (one command in, one response out, inside a
//! transaction), and the error type every backend maps its failures to.
//!
//! Must not: accept raw command bytes. `Exchange::transmit` takes a
//! [`Command`], the closed set in `apdu`, so no backend can be asked to send a
//! PIN (docs/safety.md). Must not import `pcsc` either: only `pcsc_backend`
//! does (checked by tests/safety.rs).

use crate::apdu::{spaced_hex, Command, Response};
use std::io::Write;
use std::time::Duration;

/// One command in, one response out. Implementations live inside a
/// transaction: every exchange of one reading goes through one value.
pub trait Exchange {
    /// Sends `command` and returns the card's answer. A reply shorter than two
    /// bytes must be returned as [`TransportError::ShortResponse`].
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError>;
}

/// A connected card.
pub trait Connection {
    /// The card's answer to reset, as the reader reports it.
    fn atr(&self) -> Vec<u8>;
    /// Whether the card sits on a contactless (NFC) interface, if known.
    fn contactless(&self) -> bool;
    /// Begins an exclusive transaction: no other program can interleave
    /// commands (e.g. re-select an applet between our SELECT and VERIFY,
    /// protocol.md §2) until the returned value is dropped.
    fn transaction(&mut self) -> Result<Box<dyn Exchange + '_>, TransportError>;
}

/// What a reader looks like from the outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's name as the platform reports it.
    pub name: String,
    /// Whether a card is present.
    pub card_present: bool,
    /// The card's ATR, when a card is present and powered.
    pub atr: Option<Vec<u8>>,
    /// Another program holds the card exclusively.
    pub in_use_exclusively: bool,
    /// Card insertions and removals counted by the reader (PC/SC event
    /// count), so a card swapped between two looks is still noticed.
    pub events: u32,
}

/// Interrupts a blocking [`Terminal::wait_for_change`] from another thread
/// (Ctrl-C); the wait then returns [`TransportError::Cancelled`].
pub type Canceller = std::sync::Arc<dyn Fn() + Send + Sync>;

/// A source of readers and cards: PC/SC, or the simulated card.
pub trait Terminal {
    /// A short description for traces and reports (`"PC/SC"`, `"simulated card (fresh)"`).
    fn describe(&self) -> String;
    /// Lists readers, with card presence and ATR.
    fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError>;
    /// Blocks until the set of readers, the card presence or the event count
    /// of one of them differs from `seen`, or `timeout` passes (`None`:
    /// forever). Returns `Ok(true)` on a change, `Ok(false)` on timeout.
    fn wait_for_change(
        &mut self,
        seen: &[ReaderInfo],
        timeout: Option<Duration>,
    ) -> Result<bool, TransportError>;
    /// A handle that makes a blocked `wait_for_change` return `Cancelled`.
    fn canceller(&mut self) -> Result<Canceller, TransportError>;
    /// Reaches the service the readers are behind (PC/SC: establishes the
    /// context, if there is none yet), so a reading can bound that call as a
    /// call to the service, apart from waiting for the card. Nothing to do
    /// by default.
    fn open(&mut self) -> Result<(), TransportError> {
        Ok(())
    }
    /// Connects to the card in `reader`, sharing it with other programs (the
    /// transaction gives exclusivity only while reading).
    fn connect(&mut self, reader: &str) -> Result<Box<dyn Connection + '_>, TransportError>;
    /// Another handle on the same readers, for another thread: a reading on
    /// one reader must never wait for a call on another (pcsc-lite
    /// serialises the calls of one context). `None` when this terminal
    /// cannot be shared; watch mode then reads in its own thread.
    fn independent(&self) -> Option<Box<dyn Terminal + Send>> {
        None
    }
}

/// Every way talking to a reader or card can fail, independent of backend.
/// Messages say what happened; `crate::present::report_text` adds what to do next in the
/// person's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The PC/SC service is not running (pcscd on Linux and macOS, the
    /// "Smart Card" service on Windows).
    #[error("the smart-card service (PC/SC) is not running")]
    NoService,
    /// The PC/SC service took longer than the limit to answer a call (a
    /// frozen or overloaded pcscd): nothing was read (issue 19).
    #[error("the smart-card service (PC/SC) did not answer within {waited_ms} ms")]
    ServiceNotAnswering {
        /// The limit that ran out.
        waited_ms: u64,
    },
    /// No reader is connected.
    #[error("no card reader found")]
    NoReader,
    /// The named reader does not exist (any more).
    #[error("reader {0:?} is not available")]
    UnknownReader(String),
    /// The reader holds no card.
    #[error("no card on reader {0:?}")]
    NoCard(String),
    /// The card left the reader during the reading.
    #[error("the card was removed or moved during the reading")]
    CardRemoved {
        /// On an NFC reader this usually means the card moved.
        contactless: bool,
    },
    /// The card or reader stopped answering properly.
    #[error("communication with the card failed: {detail}")]
    Communication {
        /// What the platform said.
        detail: String,
        /// On an NFC reader this usually means the card moved.
        contactless: bool,
    },
    /// A reply without a status word (fewer than two bytes).
    #[error("the card answered {0} byte(s), too short to hold a status word")]
    ShortResponse(usize),
    /// Another program holds the card exclusively.
    #[error("another program is using the card")]
    Busy,
    /// Another program held a PC/SC transaction on the card for longer than
    /// we wait for one (`--in-use-wait`).
    #[error("the card is in use by another program (waited {waited_ms} ms for it)")]
    InUse {
        /// How long we waited.
        waited_ms: u64,
    },
    /// A command got no answer within the per-command limit, or the whole
    /// reading took longer than its limit (`--command-timeout`,
    /// `--reading-timeout`): the card or the reader hangs.
    #[error("the card is not answering (no answer within {waited_ms} ms)")]
    NotAnswering {
        /// The limit that ran out.
        waited_ms: u64,
        /// On an NFC reader this usually means the card moved.
        contactless: bool,
    },
    /// An answer longer than any command here asks for (256 data bytes and
    /// the status word): a card problem, not ours.
    #[error("the card answered with more than {max} bytes")]
    Overlong {
        /// The most an answer may hold.
        max: usize,
    },
    /// The card does not answer to reset (not a smart card, upside down, dirty contacts).
    #[error("the card does not respond (is it inserted the right way?)")]
    Unresponsive,
    /// A wait was cancelled (Ctrl-C).
    #[error("cancelled")]
    Cancelled,
    /// Anything else the platform reported.
    #[error("{operation} failed: {detail}")]
    Other {
        /// Which call failed.
        operation: &'static str,
        /// What the platform said.
        detail: String,
    },
}

/// Guesses whether a card sits on a contactless interface: PC/SC readers
/// synthesise ATRs starting `3B 8x 80 01` for contactless cards (PC/SC part 3
/// §3.1.3.2.3; every contactless My Number Card ATR in protocol.md §4 has this
/// form), and reader names often say so. Readers that are not PC/SC part 3
/// make `3B F5 91 00 FF 91 81 71 FE 40 00 4x` ATRs for Type A/B cards
/// (pcsc-tools lists the prefix only for contactless objects; OpenSC calls
/// two such My Number Card ATRs "contact", which they are not:
/// real-card-evidence.md §1 finding 5, checked 2026-12-02).
pub fn looks_contactless(reader: &str, atr: &[u8]) -> bool {
    let part3 = atr.len() >= 4
        && atr[0] == 0x3B
        && (atr[1] & 0xF0) == 0x80
        && atr[2] == 0x80
        && atr[3] == 0x01;
    let type_ab = atr.len() >= 12
        && atr[..11]
            == [
                0x3B, 0xF5, 0x91, 0x00, 0xFF, 0x91, 0x81, 0x71, 0xFE, 0x40, 0x00,
            ]
        && matches!(atr[11], 0x41 | 0x42);
    let by_atr = part3 || type_ab;
    let lower = reader.to_ascii_lowercase();
    let by_name = ["contactless", "picc", "nfc", "felica", "pasori"]
        .iter()
        .any(|w| lower.contains(w));
    by_atr || by_name
}

/// Wraps an exchange and writes every command and answer, in transcript
/// format (`> 00 A4 ...`, `< 90 00`), to a writer (stderr for `-v`).
pub struct Traced<'a> {
    inner: &'a mut dyn Exchange,
    out: &'a mut dyn Write,
}

impl<'a> Traced<'a> {
    /// Wraps `inner`, tracing to `out`.
    pub fn new(inner: &'a mut dyn Exchange, out: &'a mut dyn Write) -> Self {
        Traced { inner, out }
    }
}

impl Exchange for Traced<'_> {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        // Trace write failures are ignored on purpose: a closed stderr must not
        // turn a good reading into a failure.
        let _ = writeln!(self.out, "> {}", spaced_hex(command.encode().as_bytes()));
        let result = self.inner.transmit(command);
        let _ = match &result {
            Ok(r) => writeln!(self.out, "< {}", spaced_hex(&r.to_bytes())),
            Err(e) => writeln!(self.out, "! {e}"),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_type_b_atrs_opensc_calls_contact_are_contactless() {
        let hex = |t: &str| crate::apdu::parse_hex(t).expect("hex");
        for atr in [
            "3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 00 D1 D6",
            "3B F5 91 00 FF 91 81 71 FE 40 00 42 00 01 B3 A1 15",
            "3B 88 80 01 00 4B 51 FF 00 81 D1 00 BC",
        ] {
            assert!(looks_contactless("Reader 0", &hex(atr)), "{atr}");
        }
        for atr in [
            "3B E0 00 FF 81 31 FE 45 14",
            "3B C5 FF 81 31 FB 45 80 73 C6 01 00 00",
        ] {
            assert!(!looks_contactless("Reader 0", &hex(atr)), "{atr}");
        }
    }

    use super::*;

    #[test]
    fn contactless_guess() {
        let cl = [0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x05, 0xE0];
        assert!(looks_contactless("ACS ACR1252 1S CL Reader PICC 0", &cl));
        assert!(looks_contactless("Generic Reader", &cl));
        assert!(!looks_contactless(
            "Generic Reader",
            &[0x3B, 0xE0, 0x00, 0xFF, 0x81]
        ));
        assert!(looks_contactless("SONY FeliCa RC-S300", &[0x3B, 0xE0]));
    }
}
