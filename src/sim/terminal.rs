//! The in-process adapter: the simulated card behind the same `Terminal`
//! seam as PC/SC, so `--sim` and the tests run the production probe code.
//!
//! Owns: one simulated reader holding one [`SimCard`], and the option to
//! "pull the card out" after N exchanges. Must not: send anything but
//! encoded [`Command`]s to the card (it sees exactly what PC/SC would carry).

use super::{SimCard, Violation};
use crate::apdu::{Command, Response};
use crate::transport::{Canceller, Connection, Exchange, ReaderInfo, Terminal, TransportError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every forbidden command the simulated card saw, shared by the terminal
/// and its copies on other threads, so the command line can look after a
/// reading without the production `Terminal` seam knowing of violations
/// (issue 16: test equipment stays out of the seam).
#[derive(Clone, Debug, Default)]
pub(crate) struct Witness(Arc<Mutex<Vec<Violation>>>);

impl Witness {
    /// The violations so far, oldest first.
    pub(crate) fn violations(&self) -> Vec<Violation> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    fn record(&self, seen: &[Violation]) {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(seen);
        }
    }
}

/// A simulated reader with the simulated card on it.
pub struct SimTerminal {
    card: SimCard,
    witness: Witness,
    reader: String,
    remove_after: Option<usize>,
    sent: usize,
    cancelled: Arc<AtomicBool>,
}

impl SimTerminal {
    /// A reader named after the profile, holding `card`.
    pub fn new(card: SimCard) -> SimTerminal {
        let reader = format!("jpki-status simulator ({})", card.name());
        SimTerminal {
            card,
            witness: Witness::default(),
            reader,
            remove_after: None,
            sent: 0,
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The card leaves the reader after `n` commands: the (n+1)-th fails
    /// with `CardRemoved`, as a card pulled out mid-read.
    pub fn remove_after(mut self, n: usize) -> SimTerminal {
        self.remove_after = Some(n);
        self
    }

    /// The card, for checking counters and violations after a run.
    pub fn card(&self) -> &SimCard {
        &self.card
    }

    /// The record of forbidden commands, shared with this terminal's
    /// copies (`independent`).
    pub(crate) fn witness(&self) -> Witness {
        self.witness.clone()
    }

    /// Commands sent through this terminal.
    pub fn sent(&self) -> usize {
        self.sent
    }
}

impl Terminal for SimTerminal {
    fn describe(&self) -> String {
        format!("simulated card ({})", self.card.name())
    }

    fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError> {
        Ok(vec![ReaderInfo {
            name: self.reader.clone(),
            card_present: true,
            atr: Some(self.card.atr()),
            in_use_exclusively: false,
            events: 0,
        }])
    }

    fn wait_for_change(
        &mut self,
        _seen: &[ReaderInfo],
        timeout: Option<Duration>,
    ) -> Result<bool, TransportError> {
        // The simulated card never leaves, so nothing changes: sleep until
        // the timeout or a cancel, in short steps (this terminal has no
        // platform call to block in).
        let start = std::time::Instant::now();
        loop {
            if self.cancelled.swap(false, Ordering::SeqCst) {
                return Err(TransportError::Cancelled);
            }
            if timeout.is_some_and(|t| start.elapsed() >= t) {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn canceller(&mut self) -> Result<Canceller, TransportError> {
        let flag = Arc::clone(&self.cancelled);
        Ok(Arc::new(move || flag.store(true, Ordering::SeqCst)))
    }

    /// A copy of the reader and its card (counters included) for a worker
    /// thread; commands sent there do not count here.
    fn independent(&self) -> Option<Box<dyn Terminal + Send>> {
        Some(Box::new(SimTerminal {
            card: self.card.clone(),
            witness: self.witness.clone(),
            reader: self.reader.clone(),
            remove_after: self.remove_after,
            sent: self.sent,
            cancelled: Arc::new(AtomicBool::new(false)),
        }))
    }

    fn connect(&mut self, reader: &str) -> Result<Box<dyn Connection + '_>, TransportError> {
        if reader != self.reader {
            return Err(TransportError::UnknownReader(reader.to_string()));
        }
        self.card.power_on();
        Ok(Box::new(SimConnection { terminal: self }))
    }
}

struct SimConnection<'a> {
    terminal: &'a mut SimTerminal,
}

impl Connection for SimConnection<'_> {
    fn atr(&self) -> Vec<u8> {
        self.terminal.card.atr()
    }
    fn contactless(&self) -> bool {
        self.terminal.card.contactless()
    }
    fn transaction(&mut self) -> Result<Box<dyn Exchange + '_>, TransportError> {
        Ok(Box::new(SimExchange {
            terminal: self.terminal,
        }))
    }
}

struct SimExchange<'a> {
    terminal: &'a mut SimTerminal,
}

impl Exchange for SimExchange<'_> {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        let t = &mut *self.terminal;
        if t.remove_after.is_some_and(|n| t.sent >= n) {
            return Err(TransportError::CardRemoved {
                contactless: t.card.contactless(),
            });
        }
        t.sent += 1;
        let before = t.card.violations().len();
        let raw = t.card.process(command.encode().as_bytes());
        t.witness.record(&t.card.violations()[before..]);
        Response::parse(&raw).map_err(|_| TransportError::ShortResponse(raw.len()))
    }
}
