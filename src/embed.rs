//! The integrator's entry point: read the card on a reader and get the
//! report and the advice in one call ([`read`], [`read_with`], [`readers`]).
//!
//! Owns: the small surface a program embeds, in terms of `std` types (a
//! reader name, [`SystemTime`]), so callers need neither `time` nor the
//! transport layers. Must not: print, prompt, choose a language from the
//! environment, or reach the card other than through
//! [`session::read_reader`](crate::session::read_reader) (the one read path
//! the command line uses too, so the status-only VERIFY guarantee holds).

use crate::advice::{advise, Advice, AdviceInput, Facts};
use crate::lang::Lang;
use crate::pcsc_backend::PcscTerminal;
use crate::probe::ProbeOptions;
use crate::report::CardReport;
use crate::session::read_reader;
use crate::transport::{ReaderInfo, Terminal, TransportError};
use std::time::SystemTime;

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
    /// use jpki_status::{read_with, sim::{SimCard, SimTerminal}, transport::Terminal, Lang};
    /// let mut terminal = SimTerminal::new(SimCard::load("sign-1-left").unwrap());
    /// let reader = terminal.readers().unwrap().remove(0).name;
    /// let reading = read_with(&mut terminal, &reader, std::time::SystemTime::now()).unwrap();
    /// assert!(reading.text(Lang::En).contains("signature password"));
    /// assert!(reading.text(Lang::Ja).contains("署名用"));
    /// # }
    /// ```
    pub fn text(&self, lang: Lang) -> String {
        crate::advice::text::render_with(
            &self.advice,
            Some(&self.report),
            crate::advice::text::View::plain(lang),
        )
    }
}

/// The PC/SC readers the system knows, with whether each holds a card
/// (pcsc-lite on Linux, WinSCard on Windows, PCSC.framework on macOS).
///
/// ```no_run
/// for r in jpki_status::readers()? {
///     println!("{} card={}", r.name, r.card_present);
/// }
/// # Ok::<(), jpki_status::transport::TransportError>(())
/// ```
pub fn readers() -> Result<Vec<ReaderInfo>, TransportError> {
    PcscTerminal::new().readers()
}

/// Reads the card on the PC/SC reader named `reader` (an exact name from
/// [`readers`]) and advises, as of now. Sends only the closed command set:
/// the PINs are read with the status-only VERIFY `00 20 00 80`, which
/// never spends a try (docs/safety.md).
///
/// ```no_run
/// let reading = jpki_status::read("SONY FeliCa Port/PaSoRi 4.0 00 00")?;
/// print!("{}", reading.text(jpki_status::Lang::Ja));
/// std::process::exit(reading.advice.exit().code().into());
/// # Ok::<(), jpki_status::transport::TransportError>(())
/// ```
pub fn read(reader: &str) -> Result<CardReading, TransportError> {
    read_with(&mut PcscTerminal::new(), reader, SystemTime::now())
}

/// Reads the card on `reader` of any [`Terminal`] (the real PC/SC one, the
/// simulated card, or your own test double) and advises as of `at` (dates
/// such as "certificate expires in N days" and the kiosk hours count from
/// it).
///
/// ```
/// # #[cfg(feature = "sim")] {
/// use jpki_status::{read_with, sim::{SimCard, SimTerminal}};
/// use jpki_status::{report::KeyStatus, transport::Terminal};
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
