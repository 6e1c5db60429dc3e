//! The simulated My Number Card: one card core behind two adapters, the
//! in-process [`SimTerminal`] and the vpcd virtual card (`jpki-virtual-card`),
//! so the in-process tests and the real PC/SC stack exercise the same card.
//!
//! Owns: the card side of the protocol on raw bytes (the card receives bytes;
//! only the *host* side is restricted to the closed `Command` set), retry
//! counters that behave like a real card's (consecutive failures, restored by
//! a correct entry, never by time, kept across power cycles), and the record
//! of every exchange and every violation.
//!
//! Must not: be used by the real path. A VERIFY that carries data (or the
//! 5-byte `00 20 00 80 00`) is a violation of the safety promise: the card
//! records it and spends a try, exactly as a real card would, so a test that
//! checks counters before and after catches it twice.

internal! { mod cert; }
internal! { mod profile; }
mod terminal;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub(crate) use profile::Profile;
pub use profile::ProfileError;
pub use terminal::SimTerminal;
#[cfg(feature = "cli")]
pub(crate) use terminal::Witness;

use crate::apdu::{spaced_hex, StatusWord, INS_READ_BINARY, INS_SELECT, INS_VERIFY};
use std::collections::BTreeMap;
use std::fmt;

/// One PIN key reference on the simulated card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimPin {
    /// Name for counters and violations (`auth`, `juki_common`, ...).
    pub name: String,
    /// Tries left (non-volatile).
    pub tries: u8,
    /// The maximum a correct entry restores.
    pub max: u8,
    /// The status word a locked key answers to a status VERIFY (`63 C0` on
    /// this card; a profile can choose `69 84`, protocol.md §3).
    pub locked_sw: StatusWord,
    /// A fixed answer to the status VERIFY, overriding the counter (used for
    /// odd cards: `90 00` already verified, `6A 86`, ...).
    pub status_answer: Option<StatusWord>,
    /// The correct PIN, when a profile sets one (only the violation path
    /// compares it).
    pub pin: Option<Vec<u8>>,
    /// Verified in this session (volatile).
    pub verified: bool,
}

/// A file of the simulated card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimFile {
    /// A transparent EF readable with READ BINARY.
    Data(Vec<u8>),
    /// A transparent EF whose reading needs a PIN (the signature certificate):
    /// READ BINARY answers `69 82` (protocol.md §6).
    Protected,
    /// A PIN EF.
    Pin(SimPin),
}

/// An applet (DF) of the simulated card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimApplet {
    /// Its AID.
    pub aid: Vec<u8>,
    /// Its files by EF id.
    pub files: BTreeMap<u16, SimFile>,
}

/// A forbidden command that reached the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Index of the exchange (0-based) since the card was created.
    pub index: usize,
    /// The command bytes.
    pub command: Vec<u8>,
    /// Which PIN it hit, if any was selected.
    pub pin: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "VERIFY with a body at exchange {} ({}) spent a try of {}",
            self.index,
            spaced_hex(&self.command),
            self.pin.as_deref().unwrap_or("no selected PIN")
        )
    }
}

/// The simulated card.
#[derive(Clone, Debug)]
pub struct SimCard {
    name: String,
    atr: Vec<u8>,
    contactless: bool,
    applets: Vec<SimApplet>,
    selected_applet: Option<usize>,
    selected_file: Option<u16>,
    exchanges: usize,
    violations: Vec<Violation>,
    /// The answer to the first command after each power-up, when the card
    /// has that quirk (`6F 00`, real-card-evidence.md §3).
    power_up_answer: Option<StatusWord>,
    /// No command has been answered since the last power-up.
    just_powered: bool,
}

impl SimCard {
    /// Builds a card from its parts (profiles do this; see `profile::Profile`).
    pub fn new(name: &str, atr: Vec<u8>, contactless: bool, applets: Vec<SimApplet>) -> SimCard {
        SimCard {
            name: name.to_string(),
            atr,
            contactless,
            applets,
            selected_applet: None,
            selected_file: None,
            exchanges: 0,
            violations: Vec::new(),
            power_up_answer: None,
            just_powered: false,
        }
    }

    /// The card answers `sw` (and nothing else) to the first command after
    /// each power-up or reset, as a real card answered `6F 00` after a power
    /// cycle (real-card-evidence.md §3, myna-card `src/transport/pcsc.rs`
    /// @4c210ac1).
    pub fn with_power_up_answer(mut self, sw: Option<StatusWord>) -> SimCard {
        self.power_up_answer = sw;
        self
    }

    /// Loads a built-in profile by name (`fresh`, `auth-locked`, ...) or a
    /// profile file by path.
    pub fn load(spec: &str) -> Result<SimCard, ProfileError> {
        Ok(Profile::load(spec)?.card())
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The ATR the card presents.
    pub fn atr(&self) -> Vec<u8> {
        self.atr.clone()
    }
    /// Whether the card pretends to sit on a contactless reader.
    pub fn contactless(&self) -> bool {
        self.contactless
    }
    /// How many command APDUs the card has processed.
    pub fn exchanges(&self) -> usize {
        self.exchanges
    }
    /// Every forbidden command received so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Every PIN's tries left, by name, for before/after comparisons.
    pub fn counters(&self) -> Vec<(String, u8)> {
        self.applets
            .iter()
            .flat_map(|a| a.files.values())
            .filter_map(|f| match f {
                SimFile::Pin(p) => Some((p.name.clone(), p.tries)),
                _ => None,
            })
            .collect()
    }

    /// Power on: volatile state starts empty.
    pub fn power_on(&mut self) {
        self.clear_volatile();
        self.just_powered = true;
    }
    /// Power off: volatile state is lost; counters stay.
    pub fn power_off(&mut self) {
        self.clear_volatile();
        self.just_powered = false;
    }
    /// Warm reset: as power off then on.
    pub fn reset(&mut self) {
        self.clear_volatile();
        self.just_powered = true;
    }

    fn clear_volatile(&mut self) {
        self.selected_applet = None;
        self.selected_file = None;
        for applet in &mut self.applets {
            for file in applet.files.values_mut() {
                if let SimFile::Pin(p) = file {
                    p.verified = false;
                }
            }
        }
    }

    /// Processes one command APDU and returns data + SW1 SW2.
    pub fn process(&mut self, command: &[u8]) -> Vec<u8> {
        let index = self.exchanges;
        self.exchanges += 1;
        let first = std::mem::take(&mut self.just_powered);
        let (data, sw) = match self.power_up_answer {
            // The quirk answers before the command is looked at: nothing
            // is selected, nothing is spent.
            Some(sw) if first => (Vec::new(), sw),
            _ => self.answer(index, command),
        };
        let mut out = data;
        out.extend_from_slice(&sw.0.to_be_bytes());
        out
    }

    fn answer(&mut self, index: usize, c: &[u8]) -> (Vec<u8>, StatusWord) {
        if c.len() < 4 {
            return (vec![], StatusWord::WRONG_LENGTH);
        }
        if c[0] != 0x00 {
            return (vec![], StatusWord::CLA_NOT_SUPPORTED);
        }
        let (ins, p1, p2) = (c[1], c[2], c[3]);
        // Case 3 body: Lc then Lc bytes.
        let body: Option<&[u8]> = if c.len() > 5 {
            let lc = c[4] as usize;
            c.get(5..5 + lc)
        } else {
            None
        };
        match ins {
            INS_SELECT => self.select(p1, body),
            INS_VERIFY => self.verify(index, c, p1, p2, body),
            INS_READ_BINARY => self.read_binary(c, p1, p2),
            _ => (vec![], StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, p1: u8, body: Option<&[u8]>) -> (Vec<u8>, StatusWord) {
        let Some(body) = body else {
            return (vec![], StatusWord::WRONG_LENGTH);
        };
        match p1 {
            0x04 => match self.applets.iter().position(|a| a.aid == body) {
                Some(i) => {
                    self.selected_applet = Some(i);
                    self.selected_file = None;
                    // Re-selecting an applet clears its verified state
                    // (protocol.md §3).
                    for f in self.applets[i].files.values_mut() {
                        if let SimFile::Pin(p) = f {
                            p.verified = false;
                        }
                    }
                    (vec![], StatusWord::SUCCESS)
                }
                // A failed SELECT leaves the current DF as it was (ISO/IEC
                // 7816-4 §11.2.2).
                None => (vec![], StatusWord::NOT_FOUND),
            },
            0x02 => {
                let (Some(a), [hi, lo]) = (self.selected_applet, body) else {
                    return (vec![], StatusWord::NOT_FOUND);
                };
                let ef = u16::from_be_bytes([*hi, *lo]);
                if self.applets[a].files.contains_key(&ef) {
                    self.selected_file = Some(ef);
                    (vec![], StatusWord::SUCCESS)
                } else {
                    (vec![], StatusWord::NOT_FOUND)
                }
            }
            _ => (vec![], StatusWord(0x6A86)),
        }
    }

    fn selected_pin(&mut self) -> Option<&mut SimPin> {
        let (a, f) = (self.selected_applet?, self.selected_file?);
        match self.applets[a].files.get_mut(&f)? {
            SimFile::Pin(p) => Some(p),
            _ => None,
        }
    }

    fn verify(
        &mut self,
        index: usize,
        c: &[u8],
        p1: u8,
        p2: u8,
        body: Option<&[u8]>,
    ) -> (Vec<u8>, StatusWord) {
        if (p1, p2) != (0x00, 0x80) {
            return (vec![], StatusWord(0x6A86));
        }
        if c.len() == 4 {
            return match self.selected_pin() {
                None => (vec![], StatusWord::NOT_ALLOWED),
                Some(p) => (vec![], status_of(p)),
            };
        }
        // Anything longer is a VERIFY the tool must never send: with data it
        // compares a PIN; `00 20 00 80 00` can be taken as an empty PIN
        // (protocol.md §2). Record it and behave like a real card: spend a try.
        let pin_name = self.selected_pin().map(|p| p.name.clone());
        self.violations.push(Violation {
            index,
            command: c.to_vec(),
            pin: pin_name,
        });
        let given = body.unwrap_or(&[]).to_vec();
        match self.selected_pin() {
            None => (vec![], StatusWord::NOT_ALLOWED),
            Some(p) if p.tries == 0 => (vec![], p.locked_sw),
            Some(p) => {
                if p.pin.as_deref() == Some(given.as_slice()) {
                    p.tries = p.max;
                    p.verified = true;
                    (vec![], StatusWord::SUCCESS)
                } else {
                    p.tries -= 1;
                    p.verified = false;
                    (vec![], StatusWord::from_bytes(0x63, 0xC0 | p.tries.min(15)))
                }
            }
        }
    }

    fn read_binary(&mut self, c: &[u8], p1: u8, p2: u8) -> (Vec<u8>, StatusWord) {
        if c.len() != 5 || p1 & 0x80 != 0 {
            return (vec![], StatusWord::WRONG_LENGTH);
        }
        let (Some(a), Some(f)) = (self.selected_applet, self.selected_file) else {
            return (vec![], StatusWord::NOT_ALLOWED);
        };
        let offset = usize::from(u16::from_be_bytes([p1, p2]));
        let le = if c[4] == 0 { 256 } else { usize::from(c[4]) };
        match self.applets[a].files.get(&f) {
            // As a real card ends a file (real-card-evidence.md §1 finding
            // 4, soltia48/myna-card src/card.rs @0c39784a, JICSAP 6.4.1 (4)
            // and 7.3.1): the last, short chunk with `90 00`, a read at or
            // past the end `6B 00`.
            Some(SimFile::Data(data)) => {
                if offset >= data.len() {
                    return (vec![], StatusWord::WRONG_P1P2);
                }
                let end = (offset + le).min(data.len());
                (data[offset..end].to_vec(), StatusWord::SUCCESS)
            }
            Some(SimFile::Protected) => (vec![], StatusWord::SECURITY_NOT_SATISFIED),
            _ => (vec![], StatusWord::NOT_ALLOWED),
        }
    }
}

fn status_of(p: &SimPin) -> StatusWord {
    if let Some(sw) = p.status_answer {
        sw
    } else if p.tries == 0 {
        p.locked_sw
    } else if p.verified {
        StatusWord::SUCCESS
    } else {
        StatusWord::from_bytes(0x63, 0xC0 | p.tries.min(15))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::parse_hex;

    fn send(card: &mut SimCard, hex: &str) -> String {
        spaced_hex(&card.process(&parse_hex(hex).expect("hex")))
    }

    #[test]
    fn status_verify_reports_without_spending() {
        let mut card = SimCard::load("fresh").expect("fresh");
        let before = card.counters();
        assert_eq!(
            send(&mut card, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"),
            "90 00"
        );
        assert_eq!(send(&mut card, "00 A4 02 0C 02 00 18"), "90 00");
        for _ in 0..5 {
            assert_eq!(send(&mut card, "00 20 00 80"), "63 C3");
        }
        assert_eq!(card.counters(), before);
        assert!(card.violations().is_empty());
    }

    #[test]
    fn a_verify_with_a_body_is_a_violation_and_spends_a_try() {
        let mut card = SimCard::load("fresh").expect("fresh");
        send(&mut card, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
        send(&mut card, "00 A4 02 0C 02 00 18");
        assert_eq!(send(&mut card, "00 20 00 80 04 31 32 33 30"), "63 C2");
        assert_eq!(send(&mut card, "00 20 00 80 00"), "63 C1");
        assert_eq!(card.violations().len(), 2);
        assert_eq!(send(&mut card, "00 20 00 80"), "63 C1");
    }

    #[test]
    fn counters_survive_power_cycles_but_selection_does_not() {
        let mut card = SimCard::load("fresh").expect("fresh");
        send(&mut card, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
        send(&mut card, "00 A4 02 0C 02 00 18");
        send(&mut card, "00 20 00 80 01 39");
        card.power_off();
        card.power_on();
        assert_eq!(
            send(&mut card, "00 20 00 80"),
            "69 86",
            "no EF selected after power cycle"
        );
        send(&mut card, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
        send(&mut card, "00 A4 02 0C 02 00 18");
        assert_eq!(send(&mut card, "00 20 00 80"), "63 C2");
    }

    #[test]
    fn a_power_up_answer_is_given_once_per_power_up() {
        let mut card = SimCard::load("first-command-6f00").expect("profile");
        card.power_on();
        let select = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01";
        assert_eq!(send(&mut card, select), "6F 00");
        assert_eq!(send(&mut card, select), "90 00");
        assert_eq!(send(&mut card, select), "90 00");
        card.reset();
        assert_eq!(send(&mut card, select), "6F 00");
    }

    #[test]
    fn a_file_ends_with_a_short_90_00_chunk_then_6b_00() {
        let mut card = SimCard::load("fresh").expect("fresh");
        send(&mut card, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
        send(&mut card, "00 A4 02 0C 02 00 08");
        assert_eq!(send(&mut card, "00 B0 00 00 00"), "8F 8F 00 90 00");
        assert_eq!(send(&mut card, "00 B0 00 03 00"), "6B 00");
    }

    #[test]
    fn signature_certificate_is_protected() {
        let mut card = SimCard::load("fresh").expect("fresh");
        send(&mut card, "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01");
        assert_eq!(send(&mut card, "00 A4 02 0C 02 00 01"), "90 00");
        assert_eq!(send(&mut card, "00 B0 00 00 04"), "69 82");
    }
}
