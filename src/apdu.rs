//! The command APDUs this tool can send, and how card answers are parsed.
//!
//! Owns: the *closed* set of commands (`Command`), their byte encoding, the
//! response parser and the status-word type.
//!
//! Must not: offer any way to build a command from raw bytes, or any command
//! that carries PIN data. This is the heart of the safety promise
//! (docs/safety.md): the only VERIFY the tool can express is the 4-byte
//! status query `00 20 00 80` (ISO/IEC 7816-4 §11.5.6, case 1, no Lc, no
//! data, no Le), which makes the card report its retry counter without
//! comparing anything. A 5-byte `00 20 00 80 00` is deliberately not
//! expressible: some cards read it as "VERIFY with an empty PIN"
//! (docs/protocol.md §2).
//!
//! Both of these fail to compile, and that is the point (docs/safety.md):
//!
//! ```compile_fail
//! // There is no VERIFY that carries a PIN.
//! let spend = jpki_status::apdu::Command::Verify(b"1234".to_vec());
//! ```
//!
//! ```compile_fail
//! // The transport seam takes a `Command`, never raw bytes.
//! fn send(x: &mut dyn jpki_status::transport::Exchange) {
//!     let _ = x.transmit(&[0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34]);
//! }
//! ```
//!
//! The one VERIFY that exists encodes to exactly four bytes:
//!
//! ```
//! use jpki_status::apdu::Command;
//! assert_eq!(Command::VerifyStatus.encode().as_bytes(), &[0x00, 0x20, 0x00, 0x80]);
//! ```

use std::fmt;

/// An application identifier (AID) of a card applet, always 10 bytes on this
/// card (docs/protocol.md §1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Aid([u8; 10]);

impl Aid {
    /// Wraps the 10 AID bytes.
    pub const fn new(bytes: [u8; 10]) -> Self {
        Aid(bytes)
    }
    /// The AID bytes.
    pub const fn bytes(&self) -> &[u8; 10] {
        &self.0
    }
}

/// A 2-byte elementary-file identifier, e.g. `0x0018`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct FileId(pub u16);

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} {:02X}", self.0 >> 8, self.0 & 0xFF)
    }
}

/// A READ BINARY offset: 15 bits (P1 bit 8 must be 0, ISO/IEC 7816-4 §11.3.3),
/// so at most 32767. Unrepresentable values cannot be built.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Offset(u16);

impl Offset {
    /// The largest offset a short READ BINARY can address.
    pub const MAX: u16 = 0x7FFF;
    /// Returns `None` when `value` does not fit in 15 bits.
    pub const fn new(value: u16) -> Option<Self> {
        if value <= Self::MAX {
            Some(Offset(value))
        } else {
            None
        }
    }
    /// The offset as a number.
    pub const fn get(self) -> u16 {
        self.0
    }
}

/// A short Le: how many bytes to read, 1 to 256 (encoded as `00` for 256).
/// Extended length is never used: some NFC readers lack it (protocol.md §2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ShortLe(u16);

impl ShortLe {
    /// The most a short Le can ask for.
    pub const MAX: usize = 256;
    /// Returns `None` unless `1 <= len <= 256`.
    pub const fn new(len: usize) -> Option<Self> {
        if len >= 1 && len <= Self::MAX {
            Some(ShortLe(len as u16))
        } else {
            None
        }
    }
    /// The number of bytes asked for.
    pub const fn get(self) -> usize {
        self.0 as usize
    }
    const fn byte(self) -> u8 {
        // 256 is encoded as 00 (ISO/IEC 7816-4 §5.1).
        (self.0 & 0xFF) as u8
    }
}

/// Every command this tool can send to a card. The set is closed: there is no
/// variant that carries caller-supplied bytes besides the typed AID, file id
/// and READ BINARY range, and none that carries a PIN.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Command {
    /// SELECT a DF by name, no response data: `00 A4 04 0C 0A` + AID
    /// (protocol.md §2).
    SelectApplet(Aid),
    /// SELECT an EF by file id under the current DF, no response data:
    /// `00 A4 02 0C 02` + EF (protocol.md §2).
    SelectFile(FileId),
    /// The status-only VERIFY `00 20 00 80`, exactly four bytes. The card
    /// answers `63 Cx` with the tries left for the selected PIN EF and
    /// compares nothing, so no try is spent (protocol.md §2, §3).
    VerifyStatus,
    /// READ BINARY of the selected EF: `00 B0 P1 P2 Le`, 15-bit offset,
    /// short Le (protocol.md §2).
    ReadBinary {
        /// Where to start reading.
        offset: Offset,
        /// How many bytes to read.
        le: ShortLe,
    },
}

/// The most a card answer may hold: 256 data bytes (the largest short Le,
/// protocol.md §2) and the status word. Any longer answer is a card fault
/// (`TransportError::Overlong`), whichever backend received it.
pub(crate) const MAX_ANSWER: usize = 258;

/// Instruction byte of SELECT.
pub const INS_SELECT: u8 = 0xA4;
/// Instruction byte of VERIFY.
pub const INS_VERIFY: u8 = 0x20;
/// Instruction byte of READ BINARY.
pub const INS_READ_BINARY: u8 = 0xB0;

/// The encoded bytes of one command: at most 15 bytes, kept on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncodedCommand {
    buf: [u8; 15],
    len: usize,
}

impl EncodedCommand {
    fn from_parts(parts: &[&[u8]]) -> Self {
        let mut buf = [0u8; 15];
        let mut len = 0;
        for part in parts {
            buf[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        EncodedCommand { buf, len }
    }
    /// The bytes to put on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Debug for EncodedCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&spaced_hex(self.as_bytes()))
    }
}

impl Command {
    /// The instruction byte.
    pub const fn ins(&self) -> u8 {
        match self {
            Command::SelectApplet(_) | Command::SelectFile(_) => INS_SELECT,
            Command::VerifyStatus => INS_VERIFY,
            Command::ReadBinary { .. } => INS_READ_BINARY,
        }
    }

    /// The exact bytes sent to the card.
    pub fn encode(&self) -> EncodedCommand {
        match self {
            Command::SelectApplet(aid) => {
                EncodedCommand::from_parts(&[&[0x00, INS_SELECT, 0x04, 0x0C, 0x0A], aid.bytes()])
            }
            Command::SelectFile(FileId(ef)) => EncodedCommand::from_parts(&[
                &[0x00, INS_SELECT, 0x02, 0x0C, 0x02],
                &ef.to_be_bytes(),
            ]),
            Command::VerifyStatus => EncodedCommand::from_parts(&[&[0x00, INS_VERIFY, 0x00, 0x80]]),
            Command::ReadBinary { offset, le } => {
                let [p1, p2] = offset.get().to_be_bytes();
                EncodedCommand::from_parts(&[&[0x00, INS_READ_BINARY, p1, p2, le.byte()]])
            }
        }
    }

    /// How many response data bytes this command can bring back at most (the
    /// receive buffer is sized for this plus the status word; pcsc's
    /// `transmit` warns that a too-small buffer loses an answer whose command
    /// already ran).
    pub const fn max_response_data(&self) -> usize {
        match self {
            Command::ReadBinary { le, .. } => le.get(),
            _ => 0,
        }
    }
}

/// A status word (SW1 SW2) returned by the card.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusWord(pub u16);

impl StatusWord {
    /// `90 00`: success. After a status VERIFY: already verified in this
    /// session, count not reported (protocol.md §3).
    pub const SUCCESS: StatusWord = StatusWord(0x9000);
    /// `63 C0`: the key is blocked (what a locked key answers to a status
    /// VERIFY, protocol.md §3).
    pub const BLOCKED_COUNTER_ZERO: StatusWord = StatusWord(0x63C0);
    /// `63 00`: verification failed, no counter given (ISO/IEC 7816-4 §5.6).
    pub const NO_COUNTER: StatusWord = StatusWord(0x6300);
    /// `69 83`: authentication method blocked (ISO/IEC 7816-4; never observed
    /// on this card, protocol.md §3).
    pub const AUTH_METHOD_BLOCKED: StatusWord = StatusWord(0x6983);
    /// `69 84`: reference data not usable; blocked (protocol.md §3).
    pub const REFERENCE_DATA_UNUSABLE: StatusWord = StatusWord(0x6984);
    /// `69 82`: security status not satisfied (e.g. reading the signature
    /// certificate without its password, protocol.md §6).
    pub const SECURITY_NOT_SATISFIED: StatusWord = StatusWord(0x6982);
    /// `69 86`: command not allowed (no current EF).
    pub const NOT_ALLOWED: StatusWord = StatusWord(0x6986);
    /// `6A 82`: file or application not found (protocol.md §2).
    pub const NOT_FOUND: StatusWord = StatusWord(0x6A82);
    /// `62 82`: end of file reached before Le bytes.
    pub const END_OF_FILE: StatusWord = StatusWord(0x6282);
    /// `6B 00`: wrong parameters (offset beyond the file).
    pub const WRONG_P1P2: StatusWord = StatusWord(0x6B00);
    /// `6F 00`: no precise diagnosis. A real card answers it to the first
    /// command after it comes back from a power cycle (real-card-evidence.md
    /// §3, myna-card `src/transport/pcsc.rs` @4c210ac1); the probe retries
    /// that first SELECT once.
    pub const NO_DIAGNOSIS: StatusWord = StatusWord(0x6F00);
    /// `6D 00`: instruction not supported.
    pub const INS_NOT_SUPPORTED: StatusWord = StatusWord(0x6D00);
    /// `6E 00`: class not supported.
    pub const CLA_NOT_SUPPORTED: StatusWord = StatusWord(0x6E00);
    /// `67 00`: wrong length.
    pub const WRONG_LENGTH: StatusWord = StatusWord(0x6700);

    /// Builds from the two bytes.
    pub const fn from_bytes(sw1: u8, sw2: u8) -> Self {
        StatusWord(((sw1 as u16) << 8) | sw2 as u16)
    }
    /// SW1.
    pub const fn sw1(self) -> u8 {
        (self.0 >> 8) as u8
    }
    /// SW2.
    pub const fn sw2(self) -> u8 {
        (self.0 & 0xFF) as u8
    }
    /// Tries left, from a status VERIFY's `63 Cx` (x = 0 to 15); `None`
    /// for any other word (ISO 7816-4; protocol.md §3).
    pub const fn retries(self) -> Option<u8> {
        if self.sw1() == 0x63 && self.sw2() & 0xF0 == 0xC0 {
            Some(self.sw2() & 0x0F)
        } else {
            None
        }
    }

    /// Four uppercase hex digits without a space, as used in JSON (`"63C2"`).
    pub fn to_hex(self) -> String {
        format!("{:04X}", self.0)
    }
    /// Parses four hex digits, spaces allowed (`"63 C2"`, `"63c2"`).
    pub fn parse_hex(text: &str) -> Option<Self> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() != 4 {
            return None;
        }
        u16::from_str_radix(&compact, 16).ok().map(StatusWord)
    }
}

impl fmt::Display for StatusWord {
    /// Spaced hex for people: `63 C2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} {:02X}", self.sw1(), self.sw2())
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X})", self.0)
    }
}

/// A parsed card answer: data bytes and the trailing status word.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Response {
    data: Vec<u8>,
    sw: StatusWord,
}

/// Why raw answer bytes are not a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// Fewer than two bytes came back, so there is no status word. This is a
    /// communication failure (e.g. a card pulled out mid-transmit returns 0
    /// bytes, docs/virtual-reader.md), never a status to interpret.
    #[error("the card answered {0} byte(s), too short to hold a status word")]
    TooShort(usize),
}

impl Response {
    /// Splits raw answer bytes into data and status word.
    pub fn parse(raw: &[u8]) -> Result<Self, ResponseError> {
        if raw.len() < 2 {
            return Err(ResponseError::TooShort(raw.len()));
        }
        let (data, sw) = raw.split_at(raw.len() - 2);
        Ok(Response {
            data: data.to_vec(),
            sw: StatusWord::from_bytes(sw[0], sw[1]),
        })
    }
    /// Builds a response (used by simulated cards and tests).
    pub fn new(data: Vec<u8>, sw: StatusWord) -> Self {
        Response { data, sw }
    }
    /// The data bytes (without the status word).
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    /// The status word.
    pub fn sw(&self) -> StatusWord {
        self.sw
    }
    /// Data followed by SW1 SW2, as on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.data.clone();
        out.extend_from_slice(&self.sw.0.to_be_bytes());
        out
    }
}

/// Spaced uppercase hex, `00 A4 04 0C`, the format of traces and transcripts.
pub fn spaced_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Parses spaced or compact hex (`"3B 88 80"`, `"3b8880"`).
pub fn parse_hex(text: &str) -> Result<Vec<u8>, hex::FromHexError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_verify_is_exactly_four_bytes() {
        assert_eq!(
            Command::VerifyStatus.encode().as_bytes(),
            &[0x00, 0x20, 0x00, 0x80]
        );
    }

    #[test]
    fn select_applet_encoding() {
        let aid = Aid::new([0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
        assert_eq!(
            spaced_hex(Command::SelectApplet(aid).encode().as_bytes()),
            "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
        );
        assert_eq!(
            spaced_hex(Command::SelectFile(FileId(0x001B)).encode().as_bytes()),
            "00 A4 02 0C 02 00 1B"
        );
    }

    #[test]
    fn read_binary_encodes_256_as_00() {
        let cmd = Command::ReadBinary {
            offset: Offset::new(0x0104).unwrap(),
            le: ShortLe::new(256).unwrap(),
        };
        assert_eq!(cmd.encode().as_bytes(), &[0x00, 0xB0, 0x01, 0x04, 0x00]);
        assert_eq!(cmd.max_response_data(), 256);
    }

    #[test]
    fn out_of_range_values_cannot_be_built() {
        assert!(Offset::new(0x8000).is_none());
        assert!(ShortLe::new(0).is_none());
        assert!(ShortLe::new(257).is_none());
    }

    #[test]
    fn short_answers_are_errors_not_status_words() {
        assert_eq!(Response::parse(&[]), Err(ResponseError::TooShort(0)));
        assert_eq!(Response::parse(&[0x90]), Err(ResponseError::TooShort(1)));
        let r = Response::parse(&[0x01, 0x63, 0xC2]).unwrap();
        assert_eq!(r.data(), &[0x01]);
        assert_eq!(r.sw(), StatusWord(0x63C2));
    }

    #[test]
    fn status_word_text_forms() {
        let sw = StatusWord(0x63C2);
        assert_eq!(sw.to_string(), "63 C2");
        assert_eq!(sw.to_hex(), "63C2");
        assert_eq!(StatusWord::parse_hex("63 c2"), Some(sw));
        assert_eq!(StatusWord::parse_hex("63C"), None);
    }
}
