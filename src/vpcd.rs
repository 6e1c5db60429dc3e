//! The card side of the `vsmartcard-vpcd` wire protocol: a virtual card is a
//! TCP *client* of pcscd's vpcd reader driver (docs/virtual-reader.md,
//! "The vpcd wire protocol").
//!
//! Owns: framing (2-byte big-endian length, then the payload, both ways),
//! the meaning of vpcd's frames (1-byte control frames `00` power off, `01`
//! power on, `02` reset, `04` get ATR; longer frames are command APDUs), the
//! rule "answer the ATR only to `04`, answer an APDU with one frame", the
//! "card pulled out after N APDUs" behaviour used by the end-to-end tests, and
//! the Linux socket tweak that keeps an APDU at microseconds instead of 44 ms.
//!
//! Must not: know what a My Number Card is (that is [`crate::sim`]; this
//! module drives any [`VirtualCard`]), open or retry connections, sleep, or
//! print (the `jpki-virtual-card` binary does all of that). It is generic over
//! [`Link`] so unit tests drive it with an in-memory stream.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use thiserror::Error;

use crate::sim::SimCard;

/// vpcd's default port: `CHANNELID 0x8C7B` in the reader configuration, the
/// first slot (`Virtual PCD 00 00`); the second slot listens on the next port.
pub const DEFAULT_PORT: u16 = 0x8C7B;

/// The longest ATR vpcd accepts (ISO 7816-3: at most 33 bytes).
pub const MAX_ATR_LEN: usize = 33;

/// The largest payload a 2-byte length can announce.
pub const MAX_FRAME_LEN: usize = 0xFFFF;

/// What vpcd needs from a card. [`SimCard`] implements it; the unit tests use
/// a scripted card.
pub trait VirtualCard {
    /// The answer to reset sent for control frame `04`.
    fn atr(&self) -> Vec<u8>;
    /// Control frame `01`.
    fn power_on(&mut self);
    /// Control frame `00`.
    fn power_off(&mut self);
    /// Control frame `02`.
    fn reset(&mut self);
    /// One command APDU in, data + SW1 SW2 out.
    fn process(&mut self, command: &[u8]) -> Vec<u8>;
}

impl VirtualCard for SimCard {
    fn atr(&self) -> Vec<u8> {
        SimCard::atr(self)
    }
    fn power_on(&mut self) {
        SimCard::power_on(self)
    }
    fn power_off(&mut self) {
        SimCard::power_off(self)
    }
    fn reset(&mut self) {
        SimCard::reset(self)
    }
    fn process(&mut self, command: &[u8]) -> Vec<u8> {
        SimCard::process(self, command)
    }
}

/// A byte stream to vpcd, with a hook run before every read.
pub trait Link: Read + Write {
    /// Called before each frame is read. The TCP link re-arms `TCP_QUICKACK`
    /// here; in-memory links do nothing.
    fn before_read(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Link for TcpStream {
    /// vpcd 0.8 writes a frame's length and payload with two separate
    /// writes; with delayed ACK on the card's socket every APDU stalls about
    /// 44 ms. Linux clears `TCP_QUICKACK` on its own after a while, so it is
    /// re-armed before every read (virtual-reader.md, "Speed"). `TCP_NODELAY`
    /// alone does not help, which is why it is not the fix here. Elsewhere
    /// (the crate must still build on Windows and macOS) the stall is
    /// accepted.
    fn before_read(&mut self) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            use std::os::linux::net::TcpStreamExt;
            self.set_quickack(true)?;
        }
        Ok(())
    }
}

/// A failure of the vpcd conversation (not of the card, which always answers).
#[derive(Debug, Error)]
pub enum VpcdError {
    /// The socket failed, or vpcd closed it in the middle of a frame.
    #[error("vpcd connection failed: {0}")]
    Io(#[from] io::Error),
    /// vpcd sent a frame of length 0, which the protocol never uses.
    #[error("vpcd sent an empty frame")]
    EmptyFrame,
    /// The card produced a payload that does not fit a frame.
    #[error("a {0}-byte payload does not fit a vpcd frame (at most 65535)")]
    TooLong(usize),
    /// The card's ATR is empty or longer than 33 bytes; vpcd would take an
    /// empty one as "card removed".
    #[error("the card's ATR has {0} bytes; vpcd needs 1 to 33")]
    BadAtr(usize),
}

/// One frame from vpcd, decoded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Frame {
    /// `00`: power the card off (not answered).
    PowerOff,
    /// `01`: power the card on (not answered).
    PowerOn,
    /// `02`: reset the card (not answered).
    Reset,
    /// `04`: send the ATR (answered with one frame).
    GetAtr,
    /// Another 1-byte frame: not in vpcd 0.8; ignored, not answered.
    UnknownControl(u8),
    /// Two bytes or more: a command APDU (answered with one frame).
    Apdu(Vec<u8>),
}

impl Frame {
    /// Decodes a frame payload.
    pub fn decode(payload: Vec<u8>) -> Result<Frame, VpcdError> {
        match payload.as_slice() {
            [] => Err(VpcdError::EmptyFrame),
            [0x00] => Ok(Frame::PowerOff),
            [0x01] => Ok(Frame::PowerOn),
            [0x02] => Ok(Frame::Reset),
            [0x04] => Ok(Frame::GetAtr),
            [other] => Ok(Frame::UnknownControl(*other)),
            _ => Ok(Frame::Apdu(payload)),
        }
    }
}

/// Reads one frame payload. `Ok(None)` is a clean end of stream at a frame
/// boundary (vpcd closed the connection: pcscd stopped); an end of stream
/// inside a frame is an error.
pub fn read_frame<R: Read + ?Sized>(r: &mut R) -> Result<Option<Vec<u8>>, VpcdError> {
    let mut len = [0u8; 2];
    let mut got = 0;
    while got < len.len() {
        match r.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof).into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut payload = vec![0u8; usize::from(u16::from_be_bytes(len))];
    r.read_exact(&mut payload)?;
    Ok(Some(payload))
}

/// Frames a payload: length and payload in one buffer.
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, VpcdError> {
    let len = u16::try_from(payload.len()).map_err(|_| VpcdError::TooLong(payload.len()))?;
    let mut frame = Vec::with_capacity(payload.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    Ok(frame)
}

/// Writes one frame with a single `write_all` of one buffer, so length and
/// payload leave in one TCP segment (virtual-reader.md: "The card should
/// write length and payload in one write").
pub fn write_frame<W: Write + ?Sized>(w: &mut W, payload: &[u8]) -> Result<(), VpcdError> {
    let frame = encode_frame(payload)?;
    w.write_all(&frame)?;
    w.flush()?;
    Ok(())
}

/// A way the card misbehaves on purpose, from APDU number `from` (0-based)
/// on, so the end-to-end tests can prove the reader copes
/// (`jpki-virtual-card --fault`, apdu/README.md).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    /// Never answer: the command is read and nothing is sent back. vpcd has
    /// no timeout, so the reader hangs in `SCardTransmit` until the card
    /// leaves.
    Mute,
    /// Answer correctly, after this many milliseconds.
    Slow(u64),
    /// Answer with a 0-byte frame.
    Empty,
    /// Answer with 300 data bytes and `90 00` (more than any short-Le
    /// command can ask for).
    Long,
    /// Answer with 7 bytes of nonsense ending in the status word `12 34`.
    Garbage,
}

/// A [`Fault`] and the APDU it starts at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Misbehaviour {
    /// What goes wrong.
    pub fault: Fault,
    /// From which APDU of the session (0-based) on.
    pub from: usize,
}

impl std::str::FromStr for Misbehaviour {
    type Err = String;
    /// `KIND[@N]`: `mute`, `slow:MS`, `empty`, `long`, `garbage`, optionally
    /// from APDU `N` on (default 0): `mute@7`, `slow:300`, `empty@3`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (kind, from) = match text.split_once('@') {
            Some((k, n)) => (
                k,
                n.parse()
                    .map_err(|_| format!("{n:?} after @ is not an APDU number"))?,
            ),
            None => (text, 0),
        };
        let fault = match kind.split_once(':') {
            Some(("slow", ms)) => Fault::Slow(
                ms.parse()
                    .map_err(|_| format!("slow:{ms}: want milliseconds"))?,
            ),
            None if kind == "mute" => Fault::Mute,
            None if kind == "empty" => Fault::Empty,
            None if kind == "long" => Fault::Long,
            None if kind == "garbage" => Fault::Garbage,
            _ => {
                return Err(format!(
                "unknown fault {kind:?}; want mute, slow:MS, empty, long or garbage, optionally @N"
            ))
            }
        };
        Ok(Misbehaviour { fault, from })
    }
}

/// What happened in one step of a [`Session`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Event {
    /// vpcd powered the card off.
    PowerOff,
    /// vpcd powered the card on.
    PowerOn,
    /// vpcd reset the card.
    Reset,
    /// vpcd asked for the ATR; this was sent.
    Atr(Vec<u8>),
    /// An unknown control byte, ignored.
    UnknownControl(u8),
    /// One command APDU and the card's answer.
    Apdu {
        /// The command as received.
        command: Vec<u8>,
        /// Data + SW1 SW2 as sent back.
        response: Vec<u8>,
    },
    /// The card left the reader on purpose (`leave_after`): this command
    /// arrived and was never answered. The session is over; drop the link.
    Left {
        /// The unanswered command.
        command: Vec<u8>,
    },
    /// The card left the reader on purpose (`leave_at_power_on`) when the
    /// reader powered it up, before giving its ATR: a card pulled out while
    /// a program connects to it (pcscd powers an idle card up in
    /// `SCardConnect`). The session is over; drop the link.
    LeftAtPowerOn,
    /// vpcd closed the connection (pcscd stopped). The session is over.
    Closed,
    /// The card received this command and, on purpose ([`Fault::Mute`]),
    /// will never answer: the caller keeps the link open and idle.
    Muted {
        /// The unanswered command.
        command: Vec<u8>,
    },
}

impl Event {
    /// Whether the session has ended.
    pub fn is_end(&self) -> bool {
        matches!(
            self,
            Event::Left { .. } | Event::LeftAtPowerOn | Event::Closed
        )
    }
}

/// One stay of a card on a reader: from connect to close.
pub struct Session<'a, L: Link + ?Sized, C: VirtualCard + ?Sized> {
    link: &'a mut L,
    card: &'a mut C,
    answered: usize,
    leave_after: Option<usize>,
    fault: Option<Misbehaviour>,
    powered_on: usize,
    leave_at_power_on: Option<usize>,
}

impl<'a, L: Link + ?Sized, C: VirtualCard + ?Sized> Session<'a, L, C> {
    /// Makes the card misbehave as `fault` says.
    pub fn with_fault(mut self, fault: Option<Misbehaviour>) -> Self {
        self.fault = fault;
        self
    }

    /// Makes the card leave when it is powered up the `n`-th time in this
    /// session (1: the power-up when it is placed), before it gives its ATR.
    pub fn with_leave_at_power_on(mut self, n: Option<usize>) -> Self {
        self.leave_at_power_on = n;
        self
    }

    /// A session on a connected link. With `leave_after = Some(n)` the card
    /// answers `n` APDUs, and when the next one arrives it leaves without
    /// answering it: the reader sees the card pulled out in the middle of
    /// that exchange, which is the failure the end-to-end tests need (a card
    /// that left *between* exchanges is only noticed by pcscd's next poll).
    pub fn new(link: &'a mut L, card: &'a mut C, leave_after: Option<usize>) -> Self {
        Session {
            link,
            card,
            answered: 0,
            leave_after,
            fault: None,
            powered_on: 0,
            leave_at_power_on: None,
        }
    }

    /// The card, to inspect between steps.
    pub fn card(&self) -> &C {
        self.card
    }

    /// APDUs answered so far in this session.
    pub fn answered(&self) -> usize {
        self.answered
    }

    /// Reads one frame from vpcd, lets the card act on it, answers if the
    /// protocol wants an answer, and says what happened. After an event for
    /// which [`Event::is_end`] holds, do not call again.
    pub fn step(&mut self) -> Result<Event, VpcdError> {
        self.link.before_read()?;
        let Some(payload) = read_frame(self.link)? else {
            return Ok(Event::Closed);
        };
        Ok(match Frame::decode(payload)? {
            Frame::PowerOff => {
                self.card.power_off();
                Event::PowerOff
            }
            Frame::PowerOn => {
                self.powered_on += 1;
                if self.leave_at_power_on == Some(self.powered_on) {
                    return Ok(Event::LeftAtPowerOn);
                }
                self.card.power_on();
                Event::PowerOn
            }
            Frame::Reset => {
                self.card.reset();
                Event::Reset
            }
            Frame::GetAtr => {
                let atr = self.card.atr();
                if atr.is_empty() || atr.len() > MAX_ATR_LEN {
                    return Err(VpcdError::BadAtr(atr.len()));
                }
                write_frame(self.link, &atr)?;
                Event::Atr(atr)
            }
            Frame::UnknownControl(byte) => Event::UnknownControl(byte),
            Frame::Apdu(command) => {
                if self.leave_after == Some(self.answered) {
                    return Ok(Event::Left { command });
                }
                let fault = self
                    .fault
                    .filter(|m| self.answered >= m.from)
                    .map(|m| m.fault);
                let mut response = self.card.process(&command);
                match fault {
                    None => {}
                    Some(Fault::Mute) => return Ok(Event::Muted { command }),
                    Some(Fault::Slow(ms)) => {
                        std::thread::sleep(std::time::Duration::from_millis(ms))
                    }
                    Some(Fault::Empty) => response.clear(),
                    Some(Fault::Long) => {
                        response = (0..300u32).map(|i| (i * 7) as u8).collect();
                        response.extend_from_slice(&[0x90, 0x00]);
                    }
                    Some(Fault::Garbage) => {
                        response = vec![0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x12, 0x34];
                    }
                }
                write_frame(self.link, &response)?;
                self.answered += 1;
                Event::Apdu { command, response }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// An in-memory link: reads come from `input`, writes are recorded, and
    /// each write call is kept apart to check the one-write rule.
    struct MemLink {
        input: Cursor<Vec<u8>>,
        writes: Vec<Vec<u8>>,
        arms: usize,
    }

    impl MemLink {
        fn new(frames: &[&[u8]]) -> Self {
            let mut input = Vec::new();
            for f in frames {
                input.extend(encode_frame(f).unwrap());
            }
            MemLink {
                input: Cursor::new(input),
                writes: Vec::new(),
                arms: 0,
            }
        }
    }

    impl Read for MemLink {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }
    impl Write for MemLink {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Link for MemLink {
        fn before_read(&mut self) -> io::Result<()> {
            self.arms += 1;
            Ok(())
        }
    }

    #[derive(Default)]
    struct Echo {
        log: Vec<&'static str>,
    }
    impl VirtualCard for Echo {
        fn atr(&self) -> Vec<u8> {
            vec![0x3B, 0x00]
        }
        fn power_on(&mut self) {
            self.log.push("on")
        }
        fn power_off(&mut self) {
            self.log.push("off")
        }
        fn reset(&mut self) {
            self.log.push("reset")
        }
        fn process(&mut self, command: &[u8]) -> Vec<u8> {
            let mut r = command.to_vec();
            r.extend([0x90, 0x00]);
            r
        }
    }

    fn run(link: &mut MemLink, card: &mut Echo, leave: Option<usize>) -> Vec<Event> {
        run_leaving_at_power_on(link, card, leave, None)
    }

    /// [`run`], the card also leaving at the `power_on`-th power-up.
    fn run_leaving_at_power_on(
        link: &mut MemLink,
        card: &mut Echo,
        leave: Option<usize>,
        power_on: Option<usize>,
    ) -> Vec<Event> {
        let mut s = Session::new(link, card, leave).with_leave_at_power_on(power_on);
        let mut events = Vec::new();
        loop {
            let e = s.step().unwrap();
            let end = e.is_end();
            events.push(e);
            if end {
                return events;
            }
        }
    }

    #[test]
    fn control_frames_are_not_answered_and_atr_is() {
        let mut link = MemLink::new(&[&[0x01], &[0x04], &[0x02], &[0x00], &[0x07]]);
        let mut card = Echo::default();
        let events = run(&mut link, &mut card, None);
        assert_eq!(
            events,
            vec![
                Event::PowerOn,
                Event::Atr(vec![0x3B, 0x00]),
                Event::Reset,
                Event::PowerOff,
                Event::UnknownControl(7),
                Event::Closed
            ]
        );
        assert_eq!(link.writes, vec![vec![0x00, 0x02, 0x3B, 0x00]]);
        assert_eq!(card.log, vec!["on", "reset", "off"]);
        assert_eq!(link.arms, 6, "quickack is re-armed before every read");
    }

    #[test]
    fn apdu_answered_in_one_write() {
        let mut link = MemLink::new(&[&[0x00, 0x20, 0x00, 0x80]]);
        let mut card = Echo::default();
        let events = run(&mut link, &mut card, None);
        assert_eq!(events.len(), 2);
        assert_eq!(
            link.writes,
            vec![vec![0x00, 0x06, 0x00, 0x20, 0x00, 0x80, 0x90, 0x00]]
        );
    }

    #[test]
    fn leave_after_n_leaves_on_the_next_apdu() {
        for n in 0..3 {
            let apdu: &[u8] = &[0x00, 0xA4, 0x04, 0x0C];
            let mut link = MemLink::new(&[&[0x01], apdu, &[0x04], apdu, apdu, apdu]);
            let mut card = Echo::default();
            let events = run(&mut link, &mut card, Some(n));
            let answered = events
                .iter()
                .filter(|e| matches!(e, Event::Apdu { .. }))
                .count();
            assert_eq!(answered, n);
            assert!(matches!(events.last(), Some(Event::Left { .. })));
        }
    }

    #[test]
    fn leave_at_power_on_n_leaves_before_giving_the_atr() {
        // Placed (power on, ATR), powered down, then up again for a connect.
        let mut link = MemLink::new(&[&[0x01], &[0x04], &[0x00], &[0x01], &[0x04]]);
        let mut card = Echo::default();
        let events = run_leaving_at_power_on(&mut link, &mut card, None, Some(2));
        assert!(matches!(
            events.as_slice(),
            [
                Event::PowerOn,
                Event::Atr(_),
                Event::PowerOff,
                Event::LeftAtPowerOn
            ]
        ));
    }

    #[test]
    fn eof_inside_a_frame_is_an_error() {
        let mut r = Cursor::new(vec![0x00, 0x05, 0x01]);
        assert!(read_frame(&mut r).is_err());
        let mut r = Cursor::new(vec![0x00]);
        assert!(read_frame(&mut r).is_err());
        let mut r = Cursor::new(Vec::new());
        assert!(read_frame(&mut r).unwrap().is_none());
    }

    #[test]
    fn empty_frame_and_bad_atr_are_errors() {
        assert!(matches!(
            Frame::decode(Vec::new()),
            Err(VpcdError::EmptyFrame)
        ));
        assert!(matches!(
            encode_frame(&vec![0; MAX_FRAME_LEN + 1]),
            Err(VpcdError::TooLong(_))
        ));
        struct NoAtr;
        impl VirtualCard for NoAtr {
            fn atr(&self) -> Vec<u8> {
                Vec::new()
            }
            fn power_on(&mut self) {}
            fn power_off(&mut self) {}
            fn reset(&mut self) {}
            fn process(&mut self, _: &[u8]) -> Vec<u8> {
                vec![0x90, 0x00]
            }
        }
        let mut link = MemLink::new(&[&[0x04]]);
        let mut card = NoAtr;
        let mut s = Session::new(&mut link, &mut card, None);
        assert!(matches!(s.step(), Err(VpcdError::BadAtr(0))));
    }

    #[test]
    fn sim_card_answers_through_vpcd() {
        let mut card = SimCard::load("fresh").expect("built-in profile");
        let mut link = MemLink::new(&[&[0x01], &[0x04]]);
        let mut s = Session::new(&mut link, &mut card, None);
        assert_eq!(s.step().unwrap(), Event::PowerOn);
        assert!(matches!(s.step().unwrap(), Event::Atr(a) if !a.is_empty()));
    }
}
