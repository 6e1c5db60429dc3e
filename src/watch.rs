//! Watch mode: follow every reader until stopped, and read each card placed.
//!
//! Owns: turning successive reader snapshots into typed events (`reader_added`,
//! `reader_removed`, `card_inserted`, `report`, `card_removed`, `error`,
//! `service_lost`, `service_back`: a PC/SC service that went away is waited
//! for, issue 19) and
//! reading each inserted card once, **in parallel**: one monitor thread
//! blocks in [`Terminal::wait_for_change`] (`SCardGetStatusChange` on every
//! reader plus the PnP notification reader, no timeout, no polling) and
//! sends snapshots; each reading runs on its own worker with its own PC/SC
//! context and time limits (`session::read_bounded`); the calling thread
//! only waits for those messages and for [`Watch::stopper`] (Ctrl-C,
//! SIGTERM), so it stops at once whatever a card is doing.
//!
//! Must not: hold a PC/SC connection or transaction between events (each
//! reading connects, reads in one transaction, and lets go), let one
//! reader's card delay another's events, or render anything (the CLI turns
//! events into text or JSON Lines).
//!
//! A card swapped between two looks is still seen: the reader's event count
//! (PC/SC `dwEventState` high word) changes, and that counts as a removal and
//! an insertion.

use crate::probe::ProbeOptions;
use crate::report::CardReport;
use crate::session::{read_bounded, Finished, Limits};
use crate::transport::{ReaderInfo, Terminal, TransportError};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Mutex;
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
    /// The PC/SC service went away (stopped, restarted, upgraded) or stopped
    /// answering: every reader is reported removed, and the watch waits for
    /// the service to come back by itself (issue 19).
    ServiceLost {
        /// What failed.
        error: TransportError,
    },
    /// The service answers again: the watch goes on (readers and cards
    /// follow as `reader_added` / `card_inserted`).
    ServiceBack,
    /// Reading a card failed (nothing partial is reported), or the PC/SC
    /// service went away for good.
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
    /// Time limits of every reading (a hung card gives an `error` event
    /// after these, and never delays another reader).
    pub limits: Limits,
    /// How long to wait for a PC/SC service that went away to come back
    /// before the watch ends with its error; `None`: until stopped.
    pub service_wait: Option<std::time::Duration>,
    /// Wait also for a service missing at the start (the desk page: Windows
    /// starts its Smart Card service only once a reader is plugged in);
    /// otherwise that ends the watch at once with its error (start pcscd).
    pub wait_at_start: bool,
}

/// How often a watch whose service went away looks whether it is back.
const SERVICE_RETRY: std::time::Duration = std::time::Duration::from_millis(500);

/// The service went away or does not answer: the watch waits for it.
fn service_gone(e: &TransportError) -> bool {
    matches!(
        e,
        TransportError::NoService | TransportError::ServiceNotAnswering { .. }
    )
}

/// Why the watch ended.
#[derive(Debug, PartialEq, Eq)]
pub enum WatchEnd {
    /// Stopped on request (Ctrl-C or the sink said stop).
    Stopped,
    /// The PC/SC service failed; the error was also sent as an event.
    Failed(TransportError),
}

enum Update {
    /// The monitor's look at every reader.
    Snapshot(Vec<ReaderInfo>),
    /// The monitor failed (PC/SC service gone for good) or was cancelled.
    MonitorEnded(TransportError),
    /// The service went away; the monitor waits for it.
    ServiceLost(TransportError),
    /// The service answers again.
    ServiceBack,
    /// The monitor is still waiting for the service (also tells it the
    /// watch is still there).
    StillWaiting,
    /// A reading finished (or was given up).
    Done(String, Box<Finished>),
    /// Ctrl-C, SIGTERM, or the caller asked to stop.
    Stop,
}

/// Watch mode's wiring: create it, hand [`Watch::stopper`] to a signal
/// handler, then [`Watch::run`].
pub struct Watch {
    tx: Sender<Update>,
    rx: Receiver<Update>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch::new()
    }
}

impl Watch {
    /// A new, not yet running, watch.
    pub fn new() -> Self {
        let (tx, rx) = mpsc::channel();
        Watch { tx, rx }
    }

    /// A handle that ends [`Watch::run`] at once, whatever a card is doing
    /// (for Ctrl-C/SIGTERM). Callable from any thread, any number of times.
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let tx = Mutex::new(self.tx.clone());
        move || {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(Update::Stop);
            }
        }
    }

    /// Watches every reader of `terminal` until stopped. `sink` receives
    /// every event in order (per reader: `card_inserted`, then its `report`
    /// or `error`, then `card_removed`) and returns `false` to stop (e.g.
    /// stdout closed). `clock` dates each reading.
    ///
    /// One thread follows the readers (`SCardGetStatusChange`, own
    /// context); each reading runs on its own worker with its own context
    /// and limits ([`read_bounded`]), so a hung or slow card on one reader
    /// never delays another. This thread only waits for messages.
    pub fn run(
        self,
        terminal: &mut dyn Terminal,
        options: WatchOptions,
        clock: &dyn Fn() -> OffsetDateTime,
        sink: &mut dyn FnMut(WatchEvent) -> bool,
    ) -> WatchEnd {
        let Some(monitor) = terminal.independent() else {
            return fail(
                TransportError::Other {
                    operation: "watch mode",
                    detail: format!("{} cannot be watched", terminal.describe()),
                },
                sink,
            );
        };
        let spawned = spawn_monitor(
            monitor,
            self.tx.clone(),
            options.service_wait,
            options.wait_at_start,
        );
        if let Err(e) = spawned {
            return fail(
                TransportError::Other {
                    operation: "starting the watch thread",
                    detail: e.to_string(),
                },
                sink,
            );
        }
        let mut state = State::default();
        while let Ok(msg) = self.rx.recv() {
            let go_on = match msg {
                Update::Stop => return WatchEnd::Stopped,
                Update::MonitorEnded(e) => return fail(e, sink),
                Update::StillWaiting => true,
                Update::ServiceLost(error) => {
                    // Every reader is gone with the service; readings in
                    // flight end by their own limits.
                    state.latest = Vec::new();
                    sink(WatchEvent::ServiceLost { error })
                        && state.settle(terminal, options, clock, &self.tx, sink)
                }
                Update::ServiceBack => sink(WatchEvent::ServiceBack),
                Update::Snapshot(now) => {
                    state.latest = now;
                    state.settle(terminal, options, clock, &self.tx, sink)
                }
                Update::Done(reader, finished) => {
                    let event = state.finished(reader, *finished);
                    sink(event) && state.settle(terminal, options, clock, &self.tx, sink)
                }
            };
            if !go_on {
                return WatchEnd::Stopped;
            }
        }
        WatchEnd::Stopped
    }
}

/// The monitor thread: follows every reader on its own PC/SC context and
/// sends each snapshot, until the service ends or the watch is gone.
/// When the service goes away (pcscd stopped, restarted or upgraded) after
/// it was seen, it says so once and looks again every [`SERVICE_RETRY`] until the service
/// answers (then says so) or `service_wait` runs out (then the watch ends).
fn spawn_monitor(
    mut monitor: Box<dyn Terminal + Send>,
    tx: Sender<Update>,
    service_wait: Option<std::time::Duration>,
    wait_at_start: bool,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("watch monitor".into())
        .spawn(move || {
            // Since when the service is gone, while it is.
            let mut lost: Option<std::time::Instant> = None;
            // A service missing at the start is an error at once (start
            // pcscd), as before, unless asked to wait; one that went away
            // is always waited for.
            let mut seen = wait_at_start;
            loop {
                let result = monitor.readers().and_then(|now| {
                    if lost.take().is_some() && tx.send(Update::ServiceBack).is_err() {
                        return Err(TransportError::Cancelled);
                    }
                    seen = true;
                    if tx.send(Update::Snapshot(now.clone())).is_err() {
                        return Err(TransportError::Cancelled);
                    }
                    monitor.wait_for_change(&now, None)
                });
                match result {
                    Ok(_) => {}
                    Err(e) if seen && service_gone(&e) => {
                        let since = *lost.get_or_insert_with(|| {
                            let _ = tx.send(Update::ServiceLost(e.clone()));
                            std::time::Instant::now()
                        });
                        if service_wait.is_some_and(|w| since.elapsed() >= w) {
                            let _ = tx.send(Update::MonitorEnded(e));
                            return;
                        }
                        std::thread::sleep(SERVICE_RETRY);
                        if tx.send(Update::StillWaiting).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Update::MonitorEnded(e));
                        return;
                    }
                }
            }
        })
}

/// What the watch has told so far, and which readers are being read.
#[derive(Default)]
struct State {
    /// The readers as last reported through events.
    known: Vec<ReaderInfo>,
    /// The monitor's latest snapshot.
    latest: Vec<ReaderInfo>,
    /// Readers with a reading in flight: their changes wait until it ends,
    /// so each reader's events stay in order (inserted, report, removed).
    busy: Vec<String>,
}

impl State {
    /// The event of a finished reading.
    fn finished(&mut self, reader: String, finished: Finished) -> WatchEvent {
        self.busy.retain(|r| *r != reader);
        let Finished {
            result,
            events_after,
            ..
        } = finished;
        match result {
            Ok(report) => {
                // Our own connect/disconnect may move the reader's event
                // count; the card just read is the card we know, so that
                // count is the baseline.
                if let (Some(count), Some(known)) = (
                    events_after,
                    self.known.iter_mut().find(|r| r.name == reader),
                ) {
                    if is_newer(count, known.events) {
                        known.events = count;
                    }
                }
                WatchEvent::Report {
                    reader,
                    report: Box::new(report),
                }
            }
            // The service going away is the monitor's to tell (it waits
            // for the service to come back); for this reader it is an
            // error event like any other.
            Err(error) => WatchEvent::Error {
                reader: Some(reader),
                error,
            },
        }
    }

    /// Reports every change from `known` to `latest`, except on busy
    /// readers, and starts a reading for each card inserted. Returns `false`
    /// when the sink says stop.
    fn settle(
        &mut self,
        terminal: &mut dyn Terminal,
        options: WatchOptions,
        clock: &dyn Fn() -> OffsetDateTime,
        tx: &Sender<Update>,
        sink: &mut dyn FnMut(WatchEvent) -> bool,
    ) -> bool {
        let mut target: Vec<ReaderInfo> = Vec::new();
        for new in &self.latest {
            let old = self.known.iter().find(|r| r.name == new.name);
            match old {
                Some(old) if self.busy.contains(&new.name) => target.push(old.clone()),
                // A count older than the one we adopted after our own
                // reading is a stale look, not a swapped card.
                Some(old)
                    if old.card_present
                        && new.card_present
                        && !is_newer(new.events, old.events) =>
                {
                    target.push(ReaderInfo {
                        events: old.events,
                        ..new.clone()
                    })
                }
                _ => target.push(new.clone()),
            }
        }
        // A busy reader that vanished stays until its reading ends.
        for old in &self.known {
            if self.busy.contains(&old.name) && !target.iter().any(|r| r.name == old.name) {
                target.push(old.clone());
            }
        }
        let events = diff(&self.known, &target);
        self.known = target;
        for event in events {
            let inserted = match &event {
                WatchEvent::CardInserted { reader, .. } => Some(reader.clone()),
                _ => None,
            };
            if !sink(event) {
                return false;
            }
            if let Some(reader) = inserted {
                self.start_reading(terminal, reader, options, clock(), tx, sink);
            }
        }
        true
    }

    fn start_reading(
        &mut self,
        terminal: &mut dyn Terminal,
        reader: String,
        options: WatchOptions,
        now: OffsetDateTime,
        tx: &Sender<Update>,
        sink: &mut dyn FnMut(WatchEvent) -> bool,
    ) {
        let Some(worker) = terminal.independent() else {
            sink(WatchEvent::Error {
                reader: Some(reader),
                error: TransportError::Other {
                    operation: "watch mode",
                    detail: "no terminal for a reading".into(),
                },
            });
            return;
        };
        self.busy.push(reader.clone());
        let tx = tx.clone();
        let name = reader.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("watch {reader}"))
            .spawn(move || {
                let finished = read_bounded(
                    worker,
                    &name,
                    options.probe,
                    now,
                    false,
                    options.limits,
                    true,
                );
                let _ = tx.send(Update::Done(name, Box::new(finished)));
            });
        if let Err(e) = spawned {
            self.busy.retain(|r| *r != reader);
            sink(WatchEvent::Error {
                reader: Some(reader),
                error: TransportError::Other {
                    operation: "starting a reading thread",
                    detail: e.to_string(),
                },
            });
        }
    }
}

/// Whether PC/SC event count `a` comes after `b` (the count is 16 bits in
/// pcsc-lite's `dwEventState` and wraps).
fn is_newer(a: u32, b: u32) -> bool {
    let d = a.wrapping_sub(b) & 0xFFFF;
    d != 0 && d < 0x8000
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
                WatchEvent::ServiceLost { .. } => "service lost".into(),
                WatchEvent::ServiceBack => "service back".into(),
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
        events: std::sync::Arc<std::sync::atomic::AtomicU32>,
        wakes: u32,
    }

    impl Terminal for BumpingTerminal {
        fn describe(&self) -> String {
            "bumping".into()
        }
        fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError> {
            let mut rs = self.inner.readers()?;
            rs[0].events = self.events.load(std::sync::atomic::Ordering::SeqCst);
            Ok(rs)
        }
        fn wait_for_change(
            &mut self,
            _seen: &[ReaderInfo],
            _timeout: Option<std::time::Duration>,
        ) -> Result<bool, TransportError> {
            // Wakes twice (seeing our own reading's bump), then ends the
            // watch once the reading has long finished.
            self.wakes += 1;
            if self.wakes > 2 {
                std::thread::sleep(std::time::Duration::from_millis(300));
                Err(TransportError::Cancelled)
            } else {
                std::thread::sleep(std::time::Duration::from_millis(20));
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
            self.events
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.inner.connect(reader)
        }
        fn independent(&self) -> Option<Box<dyn Terminal + Send>> {
            let card = crate::sim::SimCard::load("fresh").ok()?;
            Some(Box::new(BumpingTerminal {
                inner: crate::sim::SimTerminal::new(card),
                events: std::sync::Arc::clone(&self.events),
                wakes: 0,
            }))
        }
    }

    #[test]
    fn our_own_reading_moving_the_event_count_is_not_a_new_card() {
        let card = crate::sim::SimCard::load("fresh").expect("fresh");
        let mut t = BumpingTerminal {
            inner: crate::sim::SimTerminal::new(card),
            events: std::sync::Arc::new(std::sync::atomic::AtomicU32::new(7)),
            wakes: 0,
        };
        let mut seen = Vec::new();
        let clock = || OffsetDateTime::UNIX_EPOCH;
        let end = Watch::new().run(&mut t, WatchOptions::default(), &clock, &mut |e| {
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
