//! The integrator's entry point: read the card on a reader and get the
//! report and the advice in one call ([`read`], [`read_with`], [`readers`]).
//!
//! Every call to PC/SC from [`read`] and [`readers`] is bounded as on the
//! command line ([`Limits`], docs/exit-codes.md): the calls run on a worker
//! thread, and a card or a PC/SC service that does not answer is an error
//! after the limit, never a hang ([`read_within`], [`readers_within`] take
//! other limits).
//!
//! Owns: the small surface a program embeds, in terms of `std` types (a
//! reader name, [`SystemTime`]), so callers need neither `time` nor the
//! transport layers. Must not: print, prompt, choose a language from the
//! environment, or reach the card other than through
//! [`session`](crate::session) (`read_reader`, `read_bounded`: the one read
//! path the command line uses too, so the status-only VERIFY guarantee
//! holds).

use crate::advice::{advise, Advice, AdviceInput, Facts};
use crate::lang::Lang;
use crate::pcsc_backend::PcscTerminal;
use crate::probe::ProbeOptions;
use crate::report::CardReport;
pub use crate::session::Limits;
use crate::session::{read_bounded, read_reader, PcscWorker};
use crate::transport::{ReaderInfo, Terminal, TransportError};
use std::time::{Duration, SystemTime};

/// One reading of a card and the advice for it.
#[derive(Clone, Debug)]
pub struct CardReading {
    /// What the card said, key by key (the `--json` report, docs/json.md).
    pub report: CardReport,
    /// What to do next, decided from the reading alone (no answers from the
    /// holder yet: the questions that would change it are in
    /// [`Advice::conditions`]).
    pub advice: Advice,
}

impl CardReading {
    /// The card, the decision, the PIN table and the steps, as the command
    /// line prints them for a reading (plain: 80 columns, no colour).
    ///
    /// ```
    /// # #[cfg(feature = "sim")] {
    /// use jpki_status::{read_with, Lang, SimCard, SimTerminal, Terminal};
    /// let mut terminal = SimTerminal::new(SimCard::load("sign-1-left").unwrap());
    /// let reader = terminal.readers().unwrap().remove(0).name;
    /// let reading = read_with(&mut terminal, &reader, std::time::SystemTime::now()).unwrap();
    /// assert!(reading.text(Lang::En).contains("signature password"));
    /// assert!(reading.text(Lang::Ja).contains("署名用"));
    /// # }
    /// ```
    pub fn text(&self, lang: Lang) -> String {
        crate::present::advice_page::render_with(
            &self.advice,
            Some(&self.report),
            crate::present::advice_page::View::plain(lang),
        )
    }
}

/// The PC/SC readers the system knows, with whether each holds a card
/// (pcsc-lite on Linux, WinSCard on Windows, PCSC.framework on macOS).
///
/// Bounded: the PC/SC service has [`Limits::service`] of the default
/// limits (5 s) to answer, as for `jpki-status readers`; a frozen service
/// is [`TransportError::ServiceNotAnswering`], a stopped one
/// [`TransportError::NoService`]. See [`readers_within`].
///
/// ```no_run
/// for r in jpki_status::readers()? {
///     println!("{} card={}", r.name, r.card_present);
/// }
/// # Ok::<(), jpki_status::TransportError>(())
/// ```
pub fn readers() -> Result<Vec<ReaderInfo>, TransportError> {
    readers_within(Limits::default().service())
}

/// [`readers`], with `limit` for the PC/SC service to answer. The calls run
/// on a thread of their own; when the limit runs out, that thread is left
/// in its call (it ends when the service answers, or with the process) and
/// the error comes back at once.
pub fn readers_within(limit: Duration) -> Result<Vec<ReaderInfo>, TransportError> {
    PcscWorker::spawn(Box::new(PcscTerminal::new()))?.call(limit, |t| t.readers())
}

/// Reads the card on the PC/SC reader named `reader` (an exact name from
/// [`readers`]) and advises, as of now. Sends only the closed command set:
/// the PINs are read with the status-only VERIFY `00 20 00 80`, which
/// never spends a try (docs/safety.md).
///
/// Bounded with the command line's default [`Limits`]: the PC/SC service
/// answers within 5 s ([`TransportError::ServiceNotAnswering`]), a card
/// held by another program is waited for at most 5 s
/// ([`TransportError::InUse`]), each command within 5 s and the whole
/// reading within 20 s ([`TransportError::NotAnswering`]). See
/// [`read_within`].
///
/// ```no_run
/// let reading = jpki_status::read("SONY FeliCa Port/PaSoRi 4.0 00 00")?;
/// print!("{}", reading.text(jpki_status::Lang::Ja));
/// std::process::exit(reading.advice.exit().code().into());
/// # Ok::<(), jpki_status::TransportError>(())
/// ```
pub fn read(reader: &str) -> Result<CardReading, TransportError> {
    read_within(reader, Limits::default())
}

/// [`read`] within `limits` (the command line's `--command-timeout`,
/// `--reading-timeout`, `--in-use-wait`). The reading runs on a thread of
/// its own; when a limit runs out, that thread is left in its PC/SC call
/// (pcsc-lite's `SCardTransmit` cannot be interrupted: it ends when the
/// call returns, or with the process) and the error comes back at once.
///
/// ```no_run
/// use jpki_status::{read_within, Limits};
/// use std::time::Duration;
/// let limits = Limits { command: Duration::from_secs(2), ..Limits::default() };
/// let reading = read_within("SONY FeliCa Port/PaSoRi 4.0 00 00", limits)?;
/// # Ok::<(), jpki_status::TransportError>(())
/// ```
pub fn read_within(reader: &str, limits: Limits) -> Result<CardReading, TransportError> {
    let at = SystemTime::now();
    let now = time::OffsetDateTime::from(at);
    let finished = read_bounded(
        Box::new(PcscTerminal::new()),
        reader,
        ProbeOptions::default(),
        now,
        false,
        limits,
        false,
    );
    let report = finished.result?;
    let advice = advise(&AdviceInput::from_report(&report, Facts::default()), now);
    Ok(CardReading { report, advice })
}

/// Reads the card on `reader` of any [`Terminal`] (the real PC/SC one, the
/// simulated card, or your own test double) and advises as of `at` (dates
/// such as "certificate expires in N days" and the kiosk hours count from
/// it). It runs in the calling thread with no time limit of its own (the
/// terminal is yours to bound); [`read`] and [`read_within`] are bounded.
///
/// ```
/// # #[cfg(feature = "sim")] {
/// use jpki_status::{read_with, SimCard, SimTerminal};
/// use jpki_status::{KeyStatus, Terminal};
/// let mut terminal = SimTerminal::new(SimCard::load("auth-locked").unwrap());
/// // The simulator's one reader is named after the profile.
/// let reader = terminal.readers().unwrap().remove(0).name;
/// let reading = read_with(&mut terminal, &reader, std::time::SystemTime::now()).unwrap();
/// let auth = &reading.report.keys[0];
/// assert_eq!(auth.status, KeyStatus::Locked);
/// assert_eq!(reading.advice.exit().code(), 3);
/// # }
/// ```
pub fn read_with(
    terminal: &mut dyn Terminal,
    reader: &str,
    at: SystemTime,
) -> Result<CardReading, TransportError> {
    let now = time::OffsetDateTime::from(at);
    let report = read_reader(terminal, reader, ProbeOptions::default(), now, None)?;
    let advice = advise(&AdviceInput::from_report(&report, Facts::default()), now);
    Ok(CardReading { report, advice })
}
