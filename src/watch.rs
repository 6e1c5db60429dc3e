//! Watch mode: follow every reader until stopped, and read each card placed.
//!
//! Owns: turning successive reader snapshots into typed events (`reader_added`,
//! `reader_removed`, `card_inserted`, `report`, `card_removed`, `error`) and
//! reading each inserted card once. Waiting is event-driven: the loop blocks
//! in [`Terminal::wait_for_change`] (`SCardGetStatusChange` on every reader
//! plus the PnP notification reader), with no timeout and no polling of its
//! own; Ctrl-C interrupts the wait through [`Terminal::canceller`]
//! (`SCardCancel`).
//!
//! Must not: hold a PC/SC connection or transaction between events (each
//! reading connects, reads in one transaction, and lets go), or render
//! anything (the CLI turns events into text or JSON Lines).
//!
//! A card swapped between two looks is still seen: the reader's event count
//! (PC/SC `dwEventState` high word) changes, and that counts as a removal and
//! an insertion.

use crate::probe::ProbeOptions;
use crate::report::CardReport;
use crate::session::read_reader;
use crate::transport::{ReaderInfo, Terminal, TransportError};
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;

/// What happened.
#[derive(Debug)]
pub enum WatchEvent {
    /// A reader appeared (or was there at start).
    ReaderAdded {
        /// Its name.
        reader: String,
    },
    /// A reader disappeared.
    ReaderRemoved {
        /// Its name.
        reader: String,
    },
    /// A card was placed (or was there at start).
    CardInserted {
        /// The reader.
        reader: String,
        /// Its ATR, when the reader reported one.
        atr: Option<Vec<u8>>,
    },
    /// A card was read completely.
    Report {
        /// The reader.
        reader: String,
        /// The reading.
        report: Box<CardReport>,
    },
    /// A card left its reader.
    CardRemoved {
        /// The reader.
        reader: String,
    },
    /// Reading a card failed (nothing partial is reported), or the PC/SC
    /// service went away.
    Error {
        /// The reader, when the error belongs to one.
        reader: Option<String>,
        /// What failed.
        error: TransportError,
    },
}

/// How watch mode reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct WatchOptions {
    /// Passed to every reading.
    pub probe: ProbeOptions,
}

/// Why the watch ended.
#[derive(Debug, PartialEq, Eq)]
pub enum WatchEnd {
    /// Stopped on request (Ctrl-C or the sink said stop).
    Stopped,
    /// The PC/SC service failed; the error was also sent as an event.
    Failed(TransportError),
}

/// Watches `terminal` until `stop` is set or the canceller fires. `sink`
/// receives every event in order and returns `false` to stop (e.g. stdout
/// closed). `clock` dates each reading.
pub fn watch(
    terminal: &mut dyn Terminal,
    options: WatchOptions,
    stop: &AtomicBool,
    clock: &dyn Fn() -> OffsetDateTime,
    sink: &mut dyn FnMut(WatchEvent) -> bool,
) -> WatchEnd {
    let mut known: Vec<ReaderInfo> = Vec::new();
    loop {
        if stop.load(Ordering::SeqCst) {
            return WatchEnd::Stopped;
        }
        let now = match terminal.readers() {
            Ok(r) => r,
            Err(e) => return fail(e, sink),
        };
        let mut now = now;
        for event in diff(&known, &now) {
            let inserted = match &event {
                WatchEvent::CardInserted { reader, .. } => Some(reader.clone()),
                _ => None,
            };
            if !sink(event) {
                return WatchEnd::Stopped;
            }
            if let Some(reader) = inserted {
                let event = match read_reader(terminal, &reader, options.probe, clock(), None) {
                    Ok(report) => {
                        // Our own connect/disconnect may move the reader's
                        // event count; the card just read is the card we
                        // know, so its current count is the new baseline.
                        adopt_event_count(terminal, &mut now, &reader);
                        WatchEvent::Report {
                            reader,
                            report: Box::new(report),
                        }
                    }
                    Err(TransportError::NoService) => return fail(TransportError::NoService, sink),
                    Err(error) => WatchEvent::Error {
                        reader: Some(reader),
                        error,
                    },
                };
                if !sink(event) {
                    return WatchEnd::Stopped;
                }
            }
        }
        known = now;
        match terminal.wait_for_change(&known, None) {
            Ok(_) => {}
            Err(TransportError::Cancelled) => return WatchEnd::Stopped,
            Err(e) => return fail(e, sink),
        }
    }
}

/// After a successful reading of `reader`, takes its current event count as
/// known, if the card is still present (a card removed meanwhile keeps the old
/// count, so its removal is still reported).
fn adopt_event_count(terminal: &mut dyn Terminal, snapshot: &mut [ReaderInfo], reader: &str) {
    let Ok(fresh) = terminal.readers() else {
        return;
    };
    let current = fresh.iter().find(|r| r.name == reader && r.card_present);
    if let (Some(cur), Some(known)) = (current, snapshot.iter_mut().find(|r| r.name == reader)) {
        known.events = cur.events;
    }
}

fn fail(e: TransportError, sink: &mut dyn FnMut(WatchEvent) -> bool) -> WatchEnd {
    if e == TransportError::Cancelled {
        return WatchEnd::Stopped;
    }
    sink(WatchEvent::Error {
        reader: None,
        error: e.clone(),
    });
    WatchEnd::Failed(e)
}

/// The events that lead from snapshot `before` to snapshot `after`, in
/// reader order: removals before additions, a card's removal before its
/// reader's.
pub fn diff(before: &[ReaderInfo], after: &[ReaderInfo]) -> Vec<WatchEvent> {
    let mut events = Vec::new();
    for old in before {
        if !after.iter().any(|r| r.name == old.name) {
            if old.card_present {
                events.push(WatchEvent::CardRemoved {
                    reader: old.name.clone(),
                });
            }
            events.push(WatchEvent::ReaderRemoved {
                reader: old.name.clone(),
            });
        }
    }
    for new in after {
        let inserted = || WatchEvent::CardInserted {
            reader: new.name.clone(),
            atr: new.atr.clone(),
        };
        match before.iter().find(|r| r.name == new.name) {
            None => {
                events.push(WatchEvent::ReaderAdded {
                    reader: new.name.clone(),
                });
                if new.card_present {
                    events.push(inserted());
                }
            }
            Some(old) => match (old.card_present, new.card_present) {
                (true, false) => events.push(WatchEvent::CardRemoved {
                    reader: new.name.clone(),
                }),
                (false, true) => events.push(inserted()),
                // Same presence but the reader counted events: the card was
                // swapped (or re-placed) between two looks.
                (true, true) if old.events != new.events => {
                    events.push(WatchEvent::CardRemoved {
                        reader: new.name.clone(),
                    });
                    events.push(inserted());
                }
                _ => {}
            },
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, card: bool, events: u32) -> ReaderInfo {
        ReaderInfo {
            name: name.into(),
            card_present: card,
            atr: None,
            in_use_exclusively: false,
            events,
        }
    }

    fn kinds(events: &[WatchEvent]) -> Vec<String> {
        events
            .iter()
            .map(|e| match e {
                WatchEvent::ReaderAdded { reader } => format!("+reader {reader}"),
                WatchEvent::ReaderRemoved { reader } => format!("-reader {reader}"),
                WatchEvent::CardInserted { reader, .. } => format!("+card {reader}"),
                WatchEvent::CardRemoved { reader } => format!("-card {reader}"),
                WatchEvent::Report { .. } => "report".into(),
                WatchEvent::Error { .. } => "error".into(),
            })
            .collect()
    }

    #[test]
    fn snapshots_become_events() {
        assert_eq!(
            kinds(&diff(&[], &[r("A", true, 1), r("B", false, 0)])),
            ["+reader A", "+card A", "+reader B"]
        );
        assert_eq!(
            kinds(&diff(&[r("A", true, 1)], &[r("A", false, 2)])),
            ["-card A"]
        );
        assert_eq!(
            kinds(&diff(&[r("A", false, 2)], &[r("A", true, 3)])),
            ["+card A"]
        );
        assert_eq!(
            kinds(&diff(&[r("A", true, 3)], &[r("A", true, 5)])),
            ["-card A", "+card A"]
        );
        assert_eq!(
            kinds(&diff(&[r("A", true, 3)], &[r("A", true, 3)])),
            Vec::<String>::new()
        );
        assert_eq!(
            kinds(&diff(&[r("A", true, 3)], &[])),
            ["-card A", "-reader A"]
        );
    }

    /// One reader whose event count moves whenever we connect (pcsc-lite
    /// can count our own reset as a card event), and which wakes the waiter
    /// once before being cancelled.
    struct BumpingTerminal {
        inner: crate::sim::SimTerminal,
        events: u32,
        wakes: u32,
    }

    impl Terminal for BumpingTerminal {
        fn describe(&self) -> String {
            "bumping".into()
        }
        fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError> {
            let mut rs = self.inner.readers()?;
            rs[0].events = self.events;
            Ok(rs)
        }
        fn wait_for_change(
            &mut self,
            _seen: &[ReaderInfo],
            _timeout: Option<std::time::Duration>,
        ) -> Result<bool, TransportError> {
            self.wakes += 1;
            if self.wakes > 2 {
                Err(TransportError::Cancelled)
            } else {
                Ok(true)
            }
        }
        fn canceller(&mut self) -> Result<crate::transport::Canceller, TransportError> {
            self.inner.canceller()
        }
        fn connect(
            &mut self,
            reader: &str,
        ) -> Result<Box<dyn crate::transport::Connection + '_>, TransportError> {
            self.events += 1;
            self.inner.connect(reader)
        }
    }

    #[test]
    fn our_own_reading_moving_the_event_count_is_not_a_new_card() {
        let card = crate::sim::SimCard::load("fresh").expect("fresh");
        let mut t = BumpingTerminal {
            inner: crate::sim::SimTerminal::new(card),
            events: 7,
            wakes: 0,
        };
        let mut seen = Vec::new();
        let stop = AtomicBool::new(false);
        let clock = || OffsetDateTime::UNIX_EPOCH;
        let end = watch(&mut t, WatchOptions::default(), &stop, &clock, &mut |e| {
            seen.push(e);
            true
        });
        assert_eq!(end, WatchEnd::Stopped);
        assert_eq!(
            kinds(&seen),
            [
                "+reader jpki-status simulator (fresh)",
                "+card jpki-status simulator (fresh)",
                "report"
            ]
        );
    }
}
