//! The real path: PC/SC through the `pcsc` crate (pcsc-lite on Linux and
//! macOS, WinSCard on Windows).
//!
//! Owns: the only `use pcsc` in the crate (tests/safety.rs fails if
//! another module imports it), mapping every PC/SC error to a
//! [`TransportError`], and waiting for readers and cards with
//! `SCardGetStatusChange` (including the PnP notification reader, so readers
//! plugged in later are seen), and reader names: shown decoded
//! ([`readable_name`]), connected with the bytes PC/SC gave (issue 19).
//! A failed call to the service itself is `NoService` and drops the
//! context, so a restarted service is found again.
//!
//! Must not: send anything but encoded [`Command`]s, or read outside a
//! transaction (`Connection::transaction` wraps `pcsc::Transaction`, which
//! borrows the card mutably, so exclusivity is a borrow, not a convention).

use crate::apdu::{Command, Response};
use crate::transport::{
    looks_contactless, Canceller, Connection, Exchange, ReaderInfo, Terminal, TransportError,
};
use pcsc::{
    Card, Context, Disposition, Error, Protocols, ReaderState, Scope, ShareMode, State,
    Transaction, MAX_ATR_SIZE, MAX_BUFFER_SIZE, PNP_NOTIFICATION,
};
use std::ffi::CString;
use std::time::Duration;

/// A PC/SC context, established on first use.
#[derive(Default)]
pub struct PcscTerminal {
    context: Option<Context>,
    /// ATRs from the last [`Terminal::readers`] look, so `connect` need not
    /// ask again (`SCardStatus`) for an answer already known.
    known_atrs: Vec<(String, Vec<u8>)>,
    /// Each reader's readable name with the bytes PC/SC gave (issue 19): a
    /// name that is not UTF-8 (CP932 from Windows' ANSI calls on a Japanese
    /// system, any bytes a USB device chose) is shown decoded, and
    /// `connect` gives PC/SC the original bytes back.
    raw_names: Vec<(String, CString)>,
}

/// A reader name as people read it: UTF-8 as is; other bytes decoded as
/// CP932 (Shift_JIS as Windows has it) when they are valid CP932, else with
/// each stray byte as U+FFFD. Control characters are kept here (JSON
/// escapes them); text output escapes them (`text::printable`).
pub fn readable_name(raw: &std::ffi::CStr) -> String {
    let bytes = raw.to_bytes();
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    match encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(s) => s.into_owned(),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

impl PcscTerminal {
    /// A terminal that connects to the PC/SC service when first used.
    pub fn new() -> Self {
        PcscTerminal::default()
    }

    fn context(&mut self) -> Result<&Context, TransportError> {
        // A context from an earlier call may be stale (pcscd restarted).
        if let Some(ctx) = &self.context {
            if ctx.is_valid().is_err() {
                self.context = None;
            }
        }
        if self.context.is_none() {
            let ctx = Context::establish(Scope::User)
                .map_err(|e| service_error("SCardEstablishContext", e))?;
            self.context = Some(ctx);
        }
        self.context.as_ref().ok_or(TransportError::NoService)
    }

    fn reader_names(&mut self) -> Result<Vec<CString>, TransportError> {
        match self.context()?.list_readers_owned() {
            Ok(names) => {
                self.raw_names = names
                    .iter()
                    .map(|n| (readable_name(n), n.clone()))
                    .collect();
                Ok(names)
            }
            Err(Error::NoReadersAvailable) => Ok(Vec::new()),
            Err(e) => Err(self.lost("SCardListReaders", e)),
        }
    }

    /// A service-level call failed: a service that went away leaves this
    /// context useless (pcsc-lite keeps calling it valid), so the next call
    /// establishes a new one; a restarted pcscd is then found again.
    fn lost(&mut self, operation: &'static str, e: Error) -> TransportError {
        let error = service_error(operation, e);
        if error == TransportError::NoService {
            self.context = None;
        }
        error
    }
}

fn info_from_state(rs: &ReaderState) -> ReaderInfo {
    let state = rs.event_state();
    let present = state.contains(State::PRESENT) && !state.contains(State::MUTE);
    ReaderInfo {
        name: readable_name(rs.name()),
        card_present: present,
        atr: (present && !rs.atr().is_empty()).then(|| rs.atr().to_vec()),
        in_use_exclusively: state.contains(State::EXCLUSIVE),
        events: rs.event_count(),
    }
}

impl Terminal for PcscTerminal {
    fn describe(&self) -> String {
        "PC/SC".to_string()
    }

    fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError> {
        let names = self.reader_names()?;
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut states: Vec<ReaderState> = names
            .into_iter()
            .map(|n| ReaderState::new(n, State::UNAWARE))
            .collect();
        if let Err(e) = self
            .context()?
            .get_status_change(Duration::ZERO, &mut states)
        {
            return Err(self.lost("SCardGetStatusChange", e));
        }
        let infos: Vec<ReaderInfo> = states.iter().map(info_from_state).collect();
        self.known_atrs = infos
            .iter()
            .filter_map(|r| Some((r.name.clone(), r.atr.clone()?)))
            .collect();
        Ok(infos)
    }

    fn wait_for_change(
        &mut self,
        seen: &[ReaderInfo],
        timeout: Option<Duration>,
    ) -> Result<bool, TransportError> {
        let names = self.reader_names()?;
        let mut states: Vec<ReaderState> = names
            .into_iter()
            .map(|n| ReaderState::new(n, State::UNAWARE))
            .collect();
        // The PnP pseudo-reader reports readers being added or removed.
        states.push(ReaderState::new(PNP_NOTIFICATION(), State::UNAWARE));
        if let Err(e) = self
            .context()?
            .get_status_change(Duration::ZERO, &mut states)
        {
            return Err(self.lost("SCardGetStatusChange", e));
        }
        let now: Vec<ReaderInfo> = states[..states.len() - 1]
            .iter()
            .map(info_from_state)
            .collect();
        let differs = |a: &[ReaderInfo], b: &[ReaderInfo]| {
            a.len() != b.len()
                || a.iter().zip(b).any(|(x, y)| {
                    x.name != y.name || x.card_present != y.card_present || x.events != y.events
                })
        };
        if differs(&now, seen) {
            return Ok(true);
        }
        for rs in &mut states {
            rs.sync_current_state();
        }
        match self.context()?.get_status_change(timeout, &mut states) {
            Ok(()) => Ok(true),
            Err(Error::Timeout) => Ok(false),
            Err(e) => Err(self.lost("SCardGetStatusChange", e)),
        }
    }

    fn open(&mut self) -> Result<(), TransportError> {
        self.context().map(|_| ())
    }

    fn canceller(&mut self) -> Result<Canceller, TransportError> {
        // `Context` is Send + Sync and `SCardCancel` is meant to be called
        // from another thread while one blocks in SCardGetStatusChange.
        let ctx = self.context()?.clone();
        Ok(std::sync::Arc::new(move || {
            let _ = ctx.cancel();
        }))
    }

    /// A terminal with its own context: pcsc-lite serialises the calls made
    /// on one context, so a reading stuck in `SCardTransmit` on one reader
    /// would otherwise block every other reader's calls.
    fn independent(&self) -> Option<Box<dyn Terminal + Send>> {
        Some(Box::new(PcscTerminal::new()))
    }

    fn connect(&mut self, reader: &str) -> Result<Box<dyn Connection + '_>, TransportError> {
        // The bytes PC/SC named this reader with. A terminal that has not
        // listed the readers yet (a watch reading's own context) looks them
        // up only for a name that is not plain UTF-8 bytes of a reader.
        let known = |t: &Self| {
            t.raw_names
                .iter()
                .find(|(shown, _)| shown == reader)
                .map(|(_, raw)| raw.clone())
        };
        let name = match known(self) {
            Some(raw) => raw,
            None => {
                let plain = CString::new(reader)
                    .map_err(|_| TransportError::UnknownReader(reader.to_string()))?;
                let listed = self.raw_names.iter().any(|(_, r)| *r == plain);
                if listed || self.raw_names.is_empty() && reader.is_ascii() {
                    plain
                } else {
                    self.reader_names()?;
                    known(self).unwrap_or(plain)
                }
            }
        };
        let card = match self
            .context()?
            .connect(&name, ShareMode::Shared, Protocols::ANY)
        {
            Ok(card) => card,
            Err(Error::NoSmartcard | Error::RemovedCard) => {
                return Err(TransportError::NoCard(reader.to_string()))
            }
            Err(Error::UnknownReader | Error::ReaderUnavailable) => {
                return Err(TransportError::UnknownReader(reader.to_string()))
            }
            // A card swapped or moved while it was being connected (seen
            // with flapping readers, issue 19): the reading was
            // interrupted (exit 8, place it again), not a bug to report.
            Err(
                e @ (Error::ProtoMismatch
                | Error::NotReady
                | Error::UnknownCard
                | Error::InvalidAtr
                | Error::UnknownError
                | Error::InternalError),
            ) => {
                let atr = self
                    .known_atrs
                    .iter()
                    .find(|(n, _)| n == reader)
                    .map(|(_, a)| a.as_slice())
                    .unwrap_or(&[]);
                return Err(TransportError::Communication {
                    detail: format!("SCardConnect: {e}"),
                    contactless: looks_contactless(reader, atr),
                });
            }
            Err(e) => return Err(map_error("SCardConnect", e, false)),
        };
        // The ATR the last look saw (a card swapped in between would show
        // the old ATR: it is for display and the contactless guess only).
        // Without a look (a reader named exactly is connected to at once),
        // one `SCardStatus` into buffers of the largest size (two calls
        // when a size is asked first).
        let atr = match self.known_atrs.iter().find(|(n, _)| n == reader) {
            Some((_, atr)) => atr.clone(),
            None => {
                let (mut names, mut atr) = ([0u8; 1024], [0u8; MAX_ATR_SIZE]);
                match card.status2(&mut names, &mut atr) {
                    Ok(status) => status.atr().to_vec(),
                    Err(_) => card
                        .status2_owned()
                        .map(|s| s.atr().to_vec())
                        .unwrap_or_default(),
                }
            }
        };
        let contactless = looks_contactless(reader, &atr);
        Ok(Box::new(PcscConnection {
            card: Some(card),
            atr,
            contactless,
        }))
    }
}

struct PcscConnection {
    /// `Some` until dropped; taken out to disconnect with our disposition.
    card: Option<Card>,
    atr: Vec<u8>,
    contactless: bool,
}

impl Connection for PcscConnection {
    fn atr(&self) -> Vec<u8> {
        self.atr.clone()
    }
    fn contactless(&self) -> bool {
        self.contactless
    }
    fn transaction(&mut self) -> Result<Box<dyn Exchange + '_>, TransportError> {
        let contactless = self.contactless;
        let card = self
            .card
            .as_mut()
            .ok_or(TransportError::CardRemoved { contactless })?;
        let tx = card
            .transaction()
            .map_err(|e| map_error("SCardBeginTransaction", e, contactless))?;
        Ok(Box::new(PcscExchange { tx, contactless }))
    }
}

impl Drop for PcscConnection {
    /// Lets go of the card *without* resetting it (`pcsc::Card`'s own drop
    /// resets). We never verify anything, so there is no state to clear; a
    /// reset would wipe another program's session and, on pcsc-lite, can be
    /// counted as a card event, which watch mode would take for a new card.
    fn drop(&mut self) {
        if let Some(card) = self.card.take() {
            // On failure pcsc hands the card back; dropping it then resets,
            // the library's default.
            let _ = card.disconnect(Disposition::LeaveCard);
        }
    }
}

struct PcscExchange<'tx> {
    tx: Transaction<'tx>,
    contactless: bool,
}

impl Exchange for PcscExchange<'_> {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        // Always receive into a maximum-size buffer: if it were too small the
        // command would already have run on the card and its answer be lost
        // (pcsc crate docs on `transmit`). Never re-send to learn a size.
        let mut buf = [0u8; MAX_BUFFER_SIZE];
        let raw = self
            .tx
            .transmit(command.encode().as_bytes(), &mut buf)
            .map_err(|e| map_error("SCardTransmit", e, self.contactless))?;
        // A card pulled out mid-transmit can give "success" with 0 bytes
        // (virtual-reader.md): that is a communication failure.
        Response::parse(raw).map_err(|_| TransportError::ShortResponse(raw.len()))
    }
}

/// A failure of a call to the service itself (context, reader list,
/// status change), where no card is involved: a broken line to the service
/// or a context it no longer knows means the service went away (stopped,
/// restarted, upgraded), never a card problem (issue 19).
fn service_error(operation: &'static str, e: Error) -> TransportError {
    match e {
        Error::CommError | Error::InvalidHandle | Error::NoService | Error::ServiceStopped => {
            TransportError::NoService
        }
        e => map_error(operation, e, false),
    }
}

fn map_error(operation: &'static str, e: Error, contactless: bool) -> TransportError {
    match e {
        Error::NoService | Error::ServiceStopped => TransportError::NoService,
        Error::Cancelled => TransportError::Cancelled,
        Error::NoReadersAvailable => TransportError::NoReader,
        Error::RemovedCard | Error::ResetCard | Error::NotTransacted | Error::NoSmartcard => {
            TransportError::CardRemoved { contactless }
        }
        Error::SharingViolation => TransportError::Busy,
        // Our receive buffer holds the largest answer PC/SC allows; a card
        // that sends more is faulty (the command ran, its answer is lost).
        Error::InsufficientBuffer => TransportError::Overlong {
            max: crate::apdu::MAX_ANSWER,
        },
        Error::UnresponsiveCard | Error::UnpoweredCard | Error::UnsupportedCard => {
            TransportError::Unresponsive
        }
        Error::CommError
        | Error::CommDataLost
        | Error::ReaderUnavailable
        | Error::UnknownReader => TransportError::Communication {
            detail: format!("{operation}: {e}"),
            contactless,
        },
        other => TransportError::Other {
            operation,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::readable_name;
    use std::ffi::CString;

    #[test]
    fn reader_names_are_shown_decoded_whatever_their_bytes() {
        let name = |b: &[u8]| readable_name(&CString::new(b).expect("no NUL"));
        assert_eq!(name(b"Virtual PCD 00 00"), "Virtual PCD 00 00");
        // UTF-8 stays UTF-8 (a Linux or macOS name).
        assert_eq!(name("カード 00 00".as_bytes()), "カード 00 00");
        // CP932, as Windows' ANSI calls give a Japanese name.
        assert_eq!(name(b"\x83J\x81[\x83h 00 00"), "カード 00 00");
        // Neither: each stray byte is U+FFFD, the rest kept.
        assert_eq!(name(b"A\xff\xfe 00 00"), "A\u{FFFD}\u{FFFD} 00 00");
    }
}
