//! One reading of the card in one reader: connect, one transaction, the
//! probe, let go. Shared by the single-reading command line and watch mode.
//!
//! Owns: attaching reader facts (name, ATR, contactless) to the report,
//! marking interruptions as contactless when they are, so the message can say
//! "keep the card still", and **bounding every wait of a reading**
//! ([`Limits`]): the reading runs on a worker thread that records each step
//! (connect, waiting for the transaction, each command) where a supervisor
//! looks when a deadline passes, and gives up when a step or the whole
//! reading took too long.
//! pcsc-lite's `SCardTransmit` has no timeout and `SCardCancel` does not
//! abort it, so a worker stuck on a card that never answers is *abandoned*:
//! the supervisor returns the error at once and the worker ends when its call
//! returns (card removed) or with the process. Its late result is dropped.
//!
//! The calls before a reading (the PC/SC context, the reader list, a
//! `--wait` slice) run on the same worker ([`PcscWorker`]) and are bounded
//! the same way: a frozen service is "not answering" (exit 7) after the
//! limit, never a hang.
//!
//! The command line's one reading is bounded the other way round
//! ([`PcscWorker::watched`]): the calls run on its own thread and a
//! watchdog thread, which sleeps until a deadline, writes the same error
//! and ends the process when one passes. Same limits, same errors, and no
//! handoff between threads on the way (issue 19's speed item).
//!
//! Must not: keep the connection or transaction past the reading, or let a
//! card that never answers, answers slowly or is held by another program,
//! or a PC/SC service that does not answer, hold up the caller longer than
//! the limits say.

use crate::apdu::{Command, Response};
use crate::probe::{read_card, ProbeOptions};
use crate::report::CardReport;
use crate::transport::{looks_contactless, Exchange, Terminal, Traced, TransportError};
use crate::apdu::MAX_ANSWER;
use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// How long a reading may wait, at most (docs/exit-codes.md).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// One command without an answer: "the card is not answering" (exit 8).
    pub command: Duration,
    /// The whole reading, connect to release (exit 8).
    pub reading: Duration,
    /// Waiting to connect or for another program's transaction to end: "the
    /// card is in use by another program" (exit 7).
    pub in_use: Duration,
}

impl Limits {
    /// Default per-command limit. A status VERIFY or a 256-byte READ BINARY
    /// takes 2-20 ms on contact and NFC readers; a card silent for 5 s will
    /// not answer.
    pub const COMMAND: Duration = Duration::from_secs(5);
    /// Default limit for the whole reading (20 commands).
    pub const READING: Duration = Duration::from_secs(20);
    /// Default wait for another program's transaction.
    pub const IN_USE: Duration = Duration::from_secs(5);

    /// How long one call to the PC/SC service itself (context, reader
    /// list) may take: the per-command limit (such a call takes about a
    /// millisecond when pcscd answers at all).
    pub fn service(&self) -> Duration {
        self.command
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            command: Limits::COMMAND,
            reading: Limits::READING,
            in_use: Limits::IN_USE,
        }
    }
}

/// Reads the card in `reader`, in the calling thread, with no time limit.
/// With `trace`, every command and answer is written to it (`-v`). Answers
/// longer than [`MAX_ANSWER`] are a card fault ([`TransportError::Overlong`]).
pub fn read_reader(
    terminal: &mut dyn Terminal,
    reader: &str,
    options: ProbeOptions,
    now: OffsetDateTime,
    trace: Option<&mut dyn Write>,
) -> Result<CardReport, TransportError> {
    read_reporting(terminal, reader, options, now, trace, &mut |_| {})
}

/// A unit of work for the PC/SC worker thread, on its terminal (`None` once
/// a reading took it).
type Job = Box<dyn FnOnce(&mut Option<Box<dyn Terminal + Send>>) + Send>;

/// The one thread of a run that talks to PC/SC, with the terminal. Every
/// call before the reading (the context, the reader list, a `--wait`
/// slice) is sent to it and waited for at most a limit, because the PC/SC
/// service itself may not answer: a frozen pcscd blocks
/// `SCardEstablishContext`, `SCardListReaders` and `SCardGetStatusChange`
/// with no timeout of their own (issue 19). The reading then runs on the
/// same thread ([`PcscWorker::read`]), so bounding the calls costs no thread
/// and no PC/SC round trip over an unbounded run. A call that ran out of
/// time leaves the worker stuck in it: it is abandoned (like a stuck
/// reading, see the module doc) and every later call fails at once.
pub struct PcscWorker {
    how: How,
    /// A call ran out of time: the thread is still in it.
    stuck: Option<TransportError>,
}

/// Where a [`PcscWorker`]'s calls run.
enum How {
    /// On the worker thread, each waited for within its limit.
    Thread(mpsc::Sender<Job>),
    /// On the calling thread, watched by a watchdog thread that, when a
    /// limit runs out, hands the error to the run's `on_expiry` (which ends
    /// the process: the caller is stuck in the call).
    Watched {
        terminal: Box<dyn Terminal + Send>,
        watch: WatchHandle,
    },
}

impl PcscWorker {
    /// Starts the worker thread with `terminal`.
    pub fn spawn(terminal: Box<dyn Terminal + Send>) -> Result<PcscWorker, TransportError> {
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("pc/sc".into())
            .spawn(move || {
                let mut slot = Some(terminal);
                for job in rx {
                    job(&mut slot);
                }
            })
            .map_err(|e| TransportError::Other {
                operation: "starting the PC/SC thread",
                detail: e.to_string(),
            })?;
        Ok(PcscWorker {
            how: How::Thread(jobs),
            stuck: None,
        })
    }

    /// The command line's one reading: every call runs on the calling
    /// thread, and a watchdog thread watches the same limits as
    /// [`PcscWorker::spawn`]'s supervisor. When one runs out, the watchdog
    /// calls `on_expiry` with the same error the supervisor would return,
    /// and the calling thread, stuck in PC/SC, never goes on: `on_expiry`
    /// must end the process (the command line writes the error and exits).
    /// Nothing is handed between threads on the way: a reading costs no
    /// wake-up of another thread, which the worker's handoffs did (issue 19:
    /// about 0.35 ms of a 6 ms reading; docs/performance.md). A caller that
    /// must survive a stuck call (the library, watch mode, the desk) uses
    /// [`PcscWorker::spawn`].
    pub fn watched(
        terminal: Box<dyn Terminal + Send>,
        limits: Limits,
        on_expiry: Box<dyn FnOnce(TransportError) + Send>,
    ) -> Result<PcscWorker, TransportError> {
        let watch = Arc::new(Watch {
            state: Mutex::new((Watched::Free, Instant::now())),
        });
        let shared = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("watchdog".into())
            .stack_size(256 * 1024)
            .spawn(move || shared.guard(limits, on_expiry))
            .map_err(|e| TransportError::Other {
                operation: "starting the watchdog thread",
                detail: e.to_string(),
            })?;
        Ok(PcscWorker {
            how: How::Watched {
                terminal,
                watch: WatchHandle(watch),
            },
            stuck: None,
        })
    }

    /// Runs `call` on the worker's terminal and waits at most `limit` for
    /// it; then [`TransportError::ServiceNotAnswering`].
    pub fn call<T: Send + 'static>(
        &mut self,
        limit: Duration,
        call: impl FnOnce(&mut dyn Terminal) -> Result<T, TransportError> + Send + 'static,
    ) -> Result<T, TransportError> {
        if let Some(e) = &self.stuck {
            return Err(e.clone());
        }
        let jobs = match &mut self.how {
            How::Thread(jobs) => jobs,
            How::Watched { terminal, watch } => {
                watch.set(Watched::Call(limit));
                let result = call(&mut **terminal);
                watch.set(Watched::Free);
                return result;
            }
        };
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |slot| {
            let result = match slot.as_deref_mut() {
                Some(t) => call(t),
                None => Err(gone()),
            };
            let _ = tx.try_send(result);
        });
        jobs.send(job).map_err(|_| gone())?;
        match rx.recv_timeout(limit) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                let e = TransportError::ServiceNotAnswering {
                    waited_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
                };
                self.stuck = Some(e.clone());
                Err(e)
            }
            Err(RecvTimeoutError::Disconnected) => Err(gone()),
        }
    }

    /// The reading of [`read_bounded`], on this worker's thread and
    /// terminal (handed back in [`Finished`]).
    #[allow(clippy::too_many_arguments)]
    pub fn read(
        self,
        reader: &str,
        options: ProbeOptions,
        now: OffsetDateTime,
        trace: bool,
        limits: Limits,
        events_after: bool,
    ) -> Finished {
        if let Some(e) = self.stuck {
            return Finished::failed(e);
        }
        let jobs = match self.how {
            How::Thread(jobs) => jobs,
            How::Watched {
                mut terminal,
                watch,
            } => {
                let start = Instant::now();
                let contactless_name = looks_contactless(reader, &[]);
                let mut connected = false;
                let mut step = |s: Phase| {
                    connected |= s == Phase::Transaction;
                    watch.set(Watched::Reading {
                        step: s,
                        start,
                        limits,
                        contactless_name,
                    });
                };
                let mut stderr = std::io::stderr();
                let out: Option<&mut dyn Write> = if trace { Some(&mut stderr) } else { None };
                let result = read_reporting(&mut *terminal, reader, options, now, out, &mut step);
                let events_after = match &result {
                    Ok(_) if events_after => after_reading(&mut *terminal, reader),
                    _ => None,
                };
                watch.set(Watched::Free);
                return Finished {
                    result,
                    terminal: Some(terminal),
                    events_after,
                    connected,
                };
            }
        };
        let (tx, rx) = mpsc::sync_channel::<Box<Finished>>(1);
        let start = Instant::now();
        let progress = Arc::new(Progress(Mutex::new((Phase::Idle, start))));
        let name = reader.to_string();
        let contactless_name = looks_contactless(reader, &[]);
        let shared = Arc::clone(&progress);
        let job: Job = Box::new(move |slot| {
            let Some(mut terminal) = slot.take() else {
                let _ = tx.try_send(Box::new(Finished::failed(gone())));
                return;
            };
            let mut connected = false;
            let mut step = |s: Phase| {
                // The transaction is asked for only once connected.
                connected |= s == Phase::Transaction;
                shared.set(s);
            };
            let mut stderr = std::io::stderr();
            let out: Option<&mut dyn Write> = if trace { Some(&mut stderr) } else { None };
            let result = read_reporting(&mut *terminal, &name, options, now, out, &mut step);
            let events_after = match &result {
                Ok(_) if events_after => after_reading(&mut *terminal, &name),
                _ => None,
            };
            // Never blocks: the channel holds one result, and a supervisor
            // that gave up has dropped its end (the send then fails).
            let _ = tx.try_send(Box::new(Finished {
                result,
                terminal: Some(terminal),
                events_after,
                connected,
            }));
        });
        if jobs.send(job).is_err() {
            return Finished::failed(gone());
        }
        // The worker ends after this job (its sender goes with it).
        drop(jobs);
        supervise(&rx, &progress, start, limits, contactless_name)
    }
}

/// The worker thread is gone (it cannot be, short of a panic in a backend).
fn gone() -> TransportError {
    TransportError::Other {
        operation: "the PC/SC thread",
        detail: "ended without a result".into(),
    }
}

/// The reader's event count right after a reading, if the card is still
/// there (watch mode's baseline).
fn after_reading(terminal: &mut dyn Terminal, reader: &str) -> Option<u32> {
    terminal.readers().ok().and_then(|rs| {
        rs.into_iter()
            .find(|r| r.name == reader && r.card_present)
            .map(|r| r.events)
    })
}

/// The caller's hold on its watchdog: when it goes (the worker is dropped
/// or its reading is over), the watchdog ends at its next look.
struct WatchHandle(Arc<Watch>);

impl std::ops::Deref for WatchHandle {
    type Target = Watch;
    fn deref(&self) -> &Watch {
        &self.0
    }
}

impl Drop for WatchHandle {
    fn drop(&mut self) {
        self.0.set(Watched::Done);
    }
}

/// What a watched caller is at ([`PcscWorker::watched`]).
#[derive(Clone, Copy)]
enum Watched {
    /// Its own work: nothing to watch.
    Free,
    /// A call to the service with its own limit.
    Call(Duration),
    /// A step of a reading.
    Reading {
        step: Phase,
        start: Instant,
        limits: Limits,
        contactless_name: bool,
    },
    /// No more calls: the watchdog ends.
    Done,
    /// A limit ran out: the watchdog ends the process.
    Expired,
}

/// The watched caller's state and since when, written at every step (an
/// uncontended lock, no wake-up), read by the watchdog only when it wakes.
struct Watch {
    state: Mutex<(Watched, Instant)>,
}

impl Watch {
    /// The caller moves on to `to`; if the watchdog already gave up, the
    /// process is ending and the caller must not go on (it would write a
    /// second result), so it waits for the end.
    fn set(&self, to: Watched) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if matches!(st.0, Watched::Expired) {
            drop(st);
            loop {
                std::thread::park();
            }
        }
        *st = (to, Instant::now());
    }

    /// The watchdog: wakes at the next deadline, or at least every
    /// `shortest` (so a step that starts while it sleeps is never caught
    /// late), and gives up like [`supervise`] when one has passed.
    fn guard(&self, limits: Limits, on_expiry: Box<dyn FnOnce(TransportError) + Send>) {
        let shortest = limits.command.min(limits.in_use).min(limits.service());
        loop {
            let now = Instant::now();
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let (at, since) = *st;
            let due = match at {
                Watched::Free => None,
                Watched::Done | Watched::Expired => return,
                Watched::Call(limit) => Some((
                    since + limit,
                    TransportError::ServiceNotAnswering {
                        waited_ms: millis(limit),
                    },
                )),
                Watched::Reading {
                    step,
                    start,
                    limits,
                    contactless_name,
                } => Some(due(step, since, start, limits, contactless_name)),
            };
            match due {
                Some((deadline, error)) if now >= deadline => {
                    st.0 = Watched::Expired;
                    drop(st);
                    on_expiry(error);
                    return;
                }
                Some((deadline, _)) => {
                    drop(st);
                    std::thread::sleep(deadline.min(now + shortest) - now);
                }
                None => {
                    drop(st);
                    std::thread::sleep(shortest);
                }
            }
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// When the reading's step `step`, begun at `since` in a reading begun at
/// `start`, runs out of time, and the error it then is: its own limit, or
/// the whole reading's when that ends first ("not answering" for a service
/// call whichever ran out; "in use" while connecting or waiting for the
/// transaction; else "the card is not answering").
fn due(
    step: Phase,
    since: Instant,
    start: Instant,
    limits: Limits,
    contactless_name: bool,
) -> (Instant, TransportError) {
    let reading_deadline = start + limits.reading;
    let (step_limit, step_deadline) = match step {
        Phase::Service => (limits.service(), since + limits.service()),
        Phase::Command => (limits.command, since + limits.command),
        Phase::Connect | Phase::Transaction => (limits.in_use, since + limits.in_use),
        Phase::Idle => (limits.reading, reading_deadline),
    };
    let (limit, which_step) = if step_deadline <= reading_deadline {
        (step_limit, step)
    } else if step == Phase::Service {
        // A service that does not answer is the cause, whichever limit
        // ran out first (the reading's, when it is as short).
        (limits.reading.min(step_limit), step)
    } else {
        (limits.reading, Phase::Idle)
    };
    let waited_ms = millis(limit);
    let error = if which_step == Phase::Service {
        TransportError::ServiceNotAnswering { waited_ms }
    } else if matches!(which_step, Phase::Connect | Phase::Transaction) {
        TransportError::InUse { waited_ms }
    } else {
        TransportError::NotAnswering {
            waited_ms,
            contactless: contactless_name,
        }
    };
    (step_deadline.min(reading_deadline), error)
}

/// What the worker is doing, as the supervisor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// A call to the service itself before connecting (the PC/SC context,
    /// when the terminal has none yet): bounded like every other call to
    /// the service ([`Limits::service`]), so a frozen service is "not
    /// answering", not "in use".
    Service,
    /// Connecting to the card. pcsc-lite's `SCardConnect` waits while
    /// another program holds a transaction on the card (seen with pcsc-lite
    /// 1.9.9, tests/e2e_faults.rs), so it is bounded like the transaction.
    Connect,
    /// Waiting for `SCardBeginTransaction` (another program may hold one).
    Transaction,
    /// A command is on its way to the card.
    Command,
    /// Between commands (our own work).
    Idle,
}

fn read_reporting(
    terminal: &mut dyn Terminal,
    reader: &str,
    options: ProbeOptions,
    now: OffsetDateTime,
    trace: Option<&mut dyn Write>,
    step: &mut dyn FnMut(Phase),
) -> Result<CardReport, TransportError> {
    step(Phase::Service);
    terminal.open()?;
    step(Phase::Connect);
    let mut conn = terminal.connect(reader)?;
    let atr = conn.atr();
    let contactless = conn.contactless() || looks_contactless(reader, &atr);
    let result = {
        step(Phase::Transaction);
        let mut tx = conn.transaction()?;
        step(Phase::Idle);
        let mut checked = Checked {
            inner: &mut *tx,
            step,
        };
        match trace {
            Some(out) => read_card(&mut Traced::new(&mut checked, out), options, now),
            None => read_card(&mut checked, options, now),
        }
    };
    let mut report = result.map_err(|e| with_contactless(e, contactless))?;
    report.reader = Some(reader.to_string());
    report.card.atr = Some(crate::apdu::spaced_hex(&atr));
    report.card.contactless = contactless;
    Ok(report)
}

fn with_contactless(e: TransportError, contactless: bool) -> TransportError {
    match e {
        TransportError::CardRemoved { .. } => TransportError::CardRemoved { contactless },
        TransportError::Communication { detail, .. } => TransportError::Communication {
            detail,
            contactless,
        },
        TransportError::NotAnswering { waited_ms, .. } => TransportError::NotAnswering {
            waited_ms,
            contactless,
        },
        other => other,
    }
}

/// Reports each command to the supervisor and refuses over-long answers.
struct Checked<'a, 's> {
    inner: &'a mut dyn Exchange,
    step: &'s mut dyn FnMut(Phase),
}

impl Exchange for Checked<'_, '_> {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        (self.step)(Phase::Command);
        let r = self.inner.transmit(command);
        (self.step)(Phase::Idle);
        let r = r?;
        if r.data().len() + 2 > MAX_ANSWER {
            return Err(TransportError::Overlong { max: MAX_ANSWER });
        }
        Ok(r)
    }
}

/// A finished reading handed back by [`read_bounded`], with the terminal
/// (so a simulated card's violations can be checked) and the reader's event
/// count taken right after letting go (watch mode's baseline: our own
/// connect and disconnect may move it).
pub struct Finished {
    /// The reading, or why there is none.
    pub result: Result<CardReport, TransportError>,
    /// The terminal, back from the worker; `None` when the worker was
    /// abandoned (a limit ran out) or died.
    pub terminal: Option<Box<dyn Terminal + Send>>,
    /// The reader's PC/SC event count after the reading, if the card is
    /// still present.
    pub events_after: Option<u32>,
    /// The card was connected to: a failure came from the card or the
    /// reading, not from finding the reader or the card (the command line
    /// then knows that looking at the readers first would have changed
    /// nothing).
    pub connected: bool,
}

impl Finished {
    /// No reading: `error`, and no terminal back.
    fn failed(error: TransportError) -> Finished {
        Finished {
            result: Err(error),
            terminal: None,
            events_after: None,
            connected: false,
        }
    }
}

/// What the worker is at, and since when: written by the worker at every
/// step (an uncontended lock, no wake-up), read by the supervisor only when
/// a deadline passes. So a normal reading costs the supervisor no wake-up
/// per command.
struct Progress(Mutex<(Phase, Instant)>);

impl Progress {
    fn set(&self, step: Phase) {
        if let Ok(mut p) = self.0.lock() {
            *p = (step, Instant::now());
        }
    }
    fn get(&self) -> (Phase, Instant) {
        match self.0.lock() {
            Ok(p) => *p,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// Reads the card in `reader` on a worker thread, within `limits`. With
/// `trace`, every command and answer goes to stderr (`-v`) as it happens, so
/// a hang shows the command that got no answer. With `events_after`, the
/// reader's event count is looked up after the reading (watch mode needs
/// it; a single reading does not, so it makes no such call).
pub fn read_bounded(
    terminal: Box<dyn Terminal + Send>,
    reader: &str,
    options: ProbeOptions,
    now: OffsetDateTime,
    trace: bool,
    limits: Limits,
    events_after: bool,
) -> Finished {
    match PcscWorker::spawn(terminal) {
        Ok(worker) => worker.read(reader, options, now, trace, limits, events_after),
        Err(e) => Finished::failed(e),
    }
}

/// Waits for the worker's result within the limits, waking often enough
/// to catch a step over its own limit on time; gives up (abandoning the
/// worker) with "in use" or "not answering" when one runs out.
fn supervise(
    rx: &Receiver<Box<Finished>>,
    progress: &Progress,
    start: Instant,
    limits: Limits,
    contactless_name: bool,
) -> Finished {
    // A step that starts while the supervisor sleeps is over its limit at
    // the earliest this long after: waking this often catches it on time.
    let shortest = limits.command.min(limits.in_use);
    loop {
        let (step, since) = progress.get();
        let (deadline, error) = due(step, since, start, limits, contactless_name);
        let now = Instant::now();
        if now < deadline {
            let wake = deadline.min(now + shortest);
            match rx.recv_timeout(wake - now) {
                Ok(finished) => return *finished,
                // Look again: the worker may have moved on meanwhile.
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    return Finished::failed(TransportError::Other {
                        operation: "the reading thread",
                        detail: "ended without a result".into(),
                    })
                }
            }
        }
        // A result may have arrived just as the deadline passed.
        if let Ok(finished) = rx.try_recv() {
            return *finished;
        }
        // The worker is abandoned here (see the module doc).
        return Finished::failed(error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{SimCard, SimTerminal};
    use crate::transport::{Canceller, Connection, ReaderInfo};

    /// A terminal whose card answers normally until command `hang_at`, then
    /// sleeps `delay` before answering it.
    struct SlowTerminal {
        inner: SimTerminal,
        hang_at: usize,
        delay: Duration,
        transaction_delay: Duration,
    }

    struct SlowConn<'a> {
        inner: Box<dyn Connection + 'a>,
        hang_at: usize,
        delay: Duration,
        transaction_delay: Duration,
    }

    struct SlowEx<'a> {
        inner: Box<dyn Exchange + 'a>,
        sent: usize,
        hang_at: usize,
        delay: Duration,
    }

    impl Exchange for SlowEx<'_> {
        fn transmit(&mut self, c: &Command) -> Result<Response, TransportError> {
            if self.sent == self.hang_at {
                std::thread::sleep(self.delay);
            }
            self.sent += 1;
            self.inner.transmit(c)
        }
    }

    impl Connection for SlowConn<'_> {
        fn atr(&self) -> Vec<u8> {
            self.inner.atr()
        }
        fn contactless(&self) -> bool {
            false
        }
        fn transaction(&mut self) -> Result<Box<dyn Exchange + '_>, TransportError> {
            std::thread::sleep(self.transaction_delay);
            Ok(Box::new(SlowEx {
                inner: self.inner.transaction()?,
                sent: 0,
                hang_at: self.hang_at,
                delay: self.delay,
            }))
        }
    }

    impl Terminal for SlowTerminal {
        fn describe(&self) -> String {
            "slow".into()
        }
        fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError> {
            self.inner.readers()
        }
        fn wait_for_change(
            &mut self,
            s: &[ReaderInfo],
            t: Option<Duration>,
        ) -> Result<bool, TransportError> {
            self.inner.wait_for_change(s, t)
        }
        fn canceller(&mut self) -> Result<Canceller, TransportError> {
            self.inner.canceller()
        }
        fn connect(&mut self, reader: &str) -> Result<Box<dyn Connection + '_>, TransportError> {
            Ok(Box::new(SlowConn {
                inner: self.inner.connect(reader)?,
                hang_at: self.hang_at,
                delay: self.delay,
                transaction_delay: self.transaction_delay,
            }))
        }
    }

    fn slow(
        hang_at: usize,
        delay_ms: u64,
        transaction_ms: u64,
    ) -> (Box<dyn Terminal + Send>, String) {
        let mut inner = SimTerminal::new(SimCard::load("fresh").expect("fresh"));
        let reader = inner.readers().expect("readers")[0].name.clone();
        (
            Box::new(SlowTerminal {
                inner,
                hang_at,
                delay: Duration::from_millis(delay_ms),
                transaction_delay: Duration::from_millis(transaction_ms),
            }),
            reader,
        )
    }

    fn limits(command: u64, reading: u64, in_use: u64) -> Limits {
        Limits {
            command: Duration::from_millis(command),
            reading: Duration::from_millis(reading),
            in_use: Duration::from_millis(in_use),
        }
    }

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-11-22 10:00 +9)
    }

    /// One reading of the slow card with default options, no trace.
    fn read(t: Box<dyn Terminal + Send>, reader: &str, limits: Limits) -> Finished {
        read_bounded(
            t,
            reader,
            ProbeOptions::default(),
            now(),
            false,
            limits,
            false,
        )
    }

    #[test]
    fn a_card_that_stops_answering_is_given_up_within_the_command_limit() {
        let (t, reader) = slow(7, 10_000, 0);
        let start = Instant::now();
        let f = read(t, &reader, limits(200, 5000, 5000));
        let took = start.elapsed();
        assert!(
            matches!(
                f.result,
                Err(TransportError::NotAnswering { waited_ms: 200, .. })
            ),
            "{:?}",
            f.result.err()
        );
        assert!(took < Duration::from_millis(1500), "took {took:?}");
        assert!(f.terminal.is_none());
    }

    #[test]
    fn a_hang_that_starts_while_the_supervisor_sleeps_is_caught_on_time() {
        // The supervisor first sees an early step (the transaction takes
        // 300 ms), then the card hangs: still caught 200 ms after the hang.
        let (t, reader) = slow(7, 10_000, 300);
        let start = Instant::now();
        let f = read(t, &reader, limits(200, 5000, 5000));
        let took = start.elapsed();
        assert!(
            matches!(
                f.result,
                Err(TransportError::NotAnswering { waited_ms: 200, .. })
            ),
            "{:?}",
            f.result.err()
        );
        assert!(took < Duration::from_millis(1500), "took {took:?}");
    }

    #[test]
    fn a_slow_card_within_the_limits_is_read() {
        let (t, reader) = slow(3, 150, 0);
        let f = read(t, &reader, limits(1000, 5000, 5000));
        let report = f.result.expect("read");
        assert_eq!(report.apdus, 20);
        assert!(f.terminal.is_some());
    }

    #[test]
    fn the_whole_reading_has_its_own_limit() {
        // Every step within the per-command limit, the reading over its own.
        let (t, reader) = slow(3, 400, 0);
        let f = read(t, &reader, limits(1000, 300, 5000));
        assert!(
            matches!(
                f.result,
                Err(TransportError::NotAnswering { waited_ms: 300, .. })
            ),
            "{:?}",
            f.result.err()
        );
    }

    /// A terminal whose service never answers (a frozen pcscd).
    struct FrozenService(SimTerminal);

    impl Terminal for FrozenService {
        fn describe(&self) -> String {
            "frozen".into()
        }
        fn readers(&mut self) -> Result<Vec<ReaderInfo>, TransportError> {
            self.0.readers()
        }
        fn wait_for_change(
            &mut self,
            s: &[ReaderInfo],
            t: Option<Duration>,
        ) -> Result<bool, TransportError> {
            self.0.wait_for_change(s, t)
        }
        fn canceller(&mut self) -> Result<Canceller, TransportError> {
            self.0.canceller()
        }
        fn open(&mut self) -> Result<(), TransportError> {
            std::thread::sleep(Duration::from_secs(10));
            Ok(())
        }
        fn connect(&mut self, reader: &str) -> Result<Box<dyn Connection + '_>, TransportError> {
            self.0.connect(reader)
        }
    }

    #[test]
    fn a_service_that_does_not_answer_is_named_whichever_limit_runs_out() {
        for (service, reading, waited) in [(200, 5000, 200), (300, 300, 300), (400, 250, 250)] {
            let inner = SimTerminal::new(SimCard::load("fresh").expect("fresh"));
            let start = Instant::now();
            let f = read(
                Box::new(FrozenService(inner)),
                "fresh",
                limits(service, reading, 5000),
            );
            assert_eq!(
                f.result.err(),
                Some(TransportError::ServiceNotAnswering { waited_ms: waited }),
                "service {service} ms, reading {reading} ms"
            );
            assert!(start.elapsed() < Duration::from_millis(1500));
            assert!(!f.connected);
        }
    }

    #[test]
    fn another_programs_transaction_is_waited_for_within_its_limit() {
        let (t, reader) = slow(usize::MAX, 0, 10_000);
        let start = Instant::now();
        let f = read(t, &reader, limits(5000, 20_000, 250));
        assert_eq!(
            f.result.err(),
            Some(TransportError::InUse { waited_ms: 250 })
        );
        assert!(start.elapsed() < Duration::from_millis(1500));
    }

    /// A watched reading of `t` on its own thread (it never returns when a
    /// limit runs out: the watchdog ends the process there), and what the
    /// watchdog handed `on_expiry`, if anything, with when.
    fn watched(
        t: Box<dyn Terminal + Send>,
        reader: &str,
        limits: Limits,
    ) -> (
        mpsc::Receiver<Finished>,
        mpsc::Receiver<(TransportError, Instant)>,
    ) {
        let (expired_tx, expired) = mpsc::channel();
        let on_expiry = Box::new(move |e| {
            let _ = expired_tx.send((e, Instant::now()));
        });
        let worker = PcscWorker::watched(t, limits, on_expiry).expect("watchdog");
        let (done_tx, done) = mpsc::channel();
        let reader = reader.to_string();
        std::thread::spawn(move || {
            let f = worker.read(&reader, ProbeOptions::default(), now(), false, limits, false);
            let _ = done_tx.send(f);
        });
        (done, expired)
    }

    #[test]
    fn a_watched_card_that_stops_answering_is_given_up_within_the_command_limit() {
        let (t, reader) = slow(7, 10_000, 0);
        let start = Instant::now();
        let (done, expired) = watched(t, &reader, limits(200, 5000, 5000));
        let (e, at) = expired
            .recv_timeout(Duration::from_secs(3))
            .expect("the watchdog gave up");
        assert!(
            matches!(e, TransportError::NotAnswering { waited_ms: 200, .. }),
            "{e:?}"
        );
        assert!(at - start < Duration::from_millis(1500), "took {:?}", at - start);
        // The reading never hands back a second result.
        assert!(done.recv_timeout(Duration::from_millis(300)).is_err());
    }

    #[test]
    fn a_watched_reading_within_its_limits_is_read_and_never_given_up() {
        let (t, reader) = slow(7, 50, 0);
        let (done, expired) = watched(t, &reader, limits(300, 2000, 300));
        let f = done.recv_timeout(Duration::from_secs(5)).expect("read");
        assert!(f.result.is_ok(), "{:?}", f.result.err());
        assert!(f.connected && f.terminal.is_some());
        // Our own work after the reading (the output) is not watched.
        assert!(expired.recv_timeout(Duration::from_millis(800)).is_err());
    }

    #[test]
    fn a_watched_service_call_is_bounded_like_a_worker_call() {
        let inner = SimTerminal::new(SimCard::load("fresh").expect("fresh"));
        let (expired_tx, expired) = mpsc::channel();
        let on_expiry = Box::new(move |e| {
            let _ = expired_tx.send(e);
        });
        let mut worker =
            PcscWorker::watched(Box::new(FrozenService(inner)), limits(200, 5000, 5000), on_expiry)
                .expect("watchdog");
        // A call that returns in time is its result; between calls, nothing
        // is watched.
        assert!(worker.call(Duration::from_millis(200), |t| t.readers()).is_ok());
        std::thread::sleep(Duration::from_millis(400));
        assert!(expired.try_recv().is_err());
        std::thread::spawn(move || {
            let _ = worker.call(Duration::from_millis(250), |t| t.open());
        });
        assert_eq!(
            expired.recv_timeout(Duration::from_secs(3)).ok(),
            Some(TransportError::ServiceNotAnswering { waited_ms: 250 })
        );
    }

    #[test]
    fn a_watched_wait_for_another_programs_transaction_is_in_use() {
        let (t, reader) = slow(99, 0, 10_000);
        let (_done, expired) = watched(t, &reader, limits(5000, 5000, 250));
        let (e, _) = expired.recv_timeout(Duration::from_secs(3)).expect("gave up");
        assert_eq!(e, TransportError::InUse { waited_ms: 250 });
    }
}
