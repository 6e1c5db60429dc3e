//! The in-process adapter: the simulated card behind the same `Terminal`
//! seam as PC/SC, so `--sim` and the tests run the production probe code.
//!
//! Owns: one simulated reader holding one [`SimCard`], and the option to
//! "pull the card out" after N exchanges. Must not: send anything but
//! encoded [`Command`]s to the card (it sees exactly what PC/SC would carry).

use super::SimCard;
use crate::apdu::{Command, Response};
use crate::transport::{Connection, Exchange, ReaderInfo, Terminal, TransportError};
use std::time::Duration;

/// A simulated reader with the simulated card on it.
pub struct SimTerminal {
    card: SimCard,
    reader: String,
    remove_after: Option<usize>,
    sent: usize,
}

impl SimTerminal {
    /// A reader named after the profile, holding `card`.
    pub fn new(card: SimCard) -> SimTerminal {
        let reader = format!("jpki-status simulator ({})", card.name());
        SimTerminal {
            card,
            reader,
            remove_after: None,
            sent: 0,
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
        }])
    }

    fn wait_for_change(
        &mut self,
        _seen: &[ReaderInfo],
        timeout: Duration,
    ) -> Result<bool, TransportError> {
        // The simulated card is always present: nothing ever changes.
        std::thread::sleep(timeout.min(Duration::from_millis(10)));
        Ok(false)
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
        let raw = t.card.process(command.encode().as_bytes());
        Response::parse(&raw).map_err(|_| TransportError::ShortResponse(raw.len()))
    }
}
