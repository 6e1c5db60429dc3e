//! One reading of a card: identity, certificate expiry, and every key's
//! retry counter, through one [`Exchange`] (one transaction).
//!
//! Owns: the order of commands and how answers become a [`CardReport`].
//! Each key stands alone: an odd status word on one key becomes that row's
//! `unexpected` state and the reading goes on (protocol.md §3). Only a
//! transport failure (card removed, reader gone, short answer) stops the
//! reading, and then *no* report is returned, so nothing partial can look
//! complete.
//!
//! Must not: send anything but SELECT, the 4-byte status VERIFY and READ
//! BINARY of the public files (token label, certificate availability, the
//! authentication certificate). The signature certificate (EF 00 01) is never
//! read (protocol.md §2). Must not read more of the authentication
//! certificate than its expiry needs: one 256-byte chunk holds it on a real
//! card ([`der`] walks to `notAfter`), so a full reading is 20 APDUs.

use crate::apdu::{spaced_hex, Command, FileId, Offset, Response, ShortLe, StatusWord};
use crate::card::{
    Applet, CardKind, KeySpec, EF_AUTH_CERTIFICATE, EF_CERT_AVAILABILITY, EF_TOKEN_LABEL, KEYS,
};
use crate::report::{
    CardInfo, CardReport, CertificateStatus, Gap, GapRead, KeyReport, Reading,
    SignatureCertificate, Step, SCHEMA_VERSION,
};
use crate::transport::{Exchange, TransportError};
use time::OffsetDateTime;

/// Japan Standard Time (defined once, in `japan_time`).
#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use crate::japan_time::JST;

/// What to read besides the holder's PINs.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProbeOptions {
    /// Also read the diagnostic 照合番号A/B keys.
    pub diagnostics: bool,
}

/// The largest certificate the reader accepts (a JPKI authentication
/// certificate is about 1.1-1.7 KB); a bigger length is a malformed file.
const MAX_CERTIFICATE: usize = 8 * 1024;

struct ProbeRun<'a> {
    x: &'a mut dyn Exchange,
    selected: Option<Applet>,
    apdus: u32,
}

impl ProbeRun<'_> {
    fn send(&mut self, cmd: Command) -> Result<Response, TransportError> {
        self.apdus += 1;
        self.x.transmit(&cmd)
    }

    /// Selects `applet` unless it is already the current one in this reading.
    /// The first SELECT is always sent: the card may still hold another run's
    /// selection (virtual-reader.md: runs closer than 0.5 s apart).
    fn select_applet(&mut self, applet: Applet) -> Result<StatusWord, TransportError> {
        if self.selected == Some(applet) {
            return Ok(StatusWord::SUCCESS);
        }
        let sw = self.send(Command::SelectApplet(applet.aid()))?.sw();
        self.selected = (sw == StatusWord::SUCCESS).then_some(applet);
        Ok(sw)
    }

    /// Reads `len` bytes of the selected EF from `offset`, in chunks of at
    /// most 256 (short Le, protocol.md §2). Stops early, without error, when
    /// the card signals the end of the file.
    fn read(
        &mut self,
        offset: usize,
        len: usize,
    ) -> Result<Result<Vec<u8>, StatusWord>, TransportError> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let pos = offset + out.len();
            let (Some(off), Some(le)) = (
                u16::try_from(pos).ok().and_then(Offset::new),
                ShortLe::new((len - out.len()).min(ShortLe::MAX)),
            ) else {
                return Ok(Err(StatusWord::WRONG_P1P2));
            };
            let r = self.send(Command::ReadBinary { offset: off, le })?;
            match r.sw() {
                StatusWord::SUCCESS | StatusWord::END_OF_FILE => {
                    out.extend_from_slice(r.data());
                    // A real card ends a file with a short chunk and `90 00`
                    // and answers `6B 00` to a read past the end
                    // (real-card-evidence.md §1.4): a short chunk is the end.
                    if r.sw() == StatusWord::END_OF_FILE || r.data().len() < le.get() {
                        break;
                    }
                }
                // Past the end of a file whose length was a multiple of the
                // chunk: the end, not a refusal, once something was read.
                StatusWord::WRONG_P1P2 if !out.is_empty() => break,
                sw => return Ok(Err(sw)),
            }
        }
        Ok(Ok(out))
    }

    /// SELECT EF then read; an SW other than success is returned as `Err`.
    fn read_file(
        &mut self,
        ef: FileId,
        len: usize,
    ) -> Result<Result<Vec<u8>, StatusWord>, TransportError> {
        let sw = self.send(Command::SelectFile(ef))?.sw();
        if sw != StatusWord::SUCCESS {
            return Ok(Err(sw));
        }
        self.read(0, len)
    }

    fn read_key(&mut self, spec: &KeySpec) -> Result<KeyReport, TransportError> {
        let mut readings = Vec::with_capacity(spec.refs.len());
        for r in spec.refs {
            let sw = self.select_applet(r.applet)?;
            if sw != StatusWord::SUCCESS {
                readings.push(Reading::from_select(
                    r.applet,
                    r.ef.0,
                    Step::SelectApplet,
                    sw,
                ));
                continue;
            }
            let sw = self.send(Command::SelectFile(r.ef))?.sw();
            if sw != StatusWord::SUCCESS {
                readings.push(Reading::from_select(r.applet, r.ef.0, Step::SelectFile, sw));
                continue;
            }
            let sw = self.send(Command::VerifyStatus)?.sw();
            readings.push(Reading::from_verify(r.applet, r.ef.0, sw));
        }
        Ok(KeyReport::from_readings(spec.id, readings))
    }
}

/// Reads the card through `exchange`. `now` dates the report and decides the
/// certificate's days left. Returns an error, and no report, when the
/// transport fails at any point.
pub fn read_card(
    exchange: &mut dyn Exchange,
    options: ProbeOptions,
    now: OffsetDateTime,
) -> Result<CardReport, TransportError> {
    let mut s = ProbeRun {
        x: exchange,
        selected: None,
        apdus: 0,
    };
    let now = to_jst(now);
    let mut card = CardInfo {
        kind: CardKind::Unknown,
        token_label: None,
        atr: None,
        contactless: false,
        signature_certificate: SignatureCertificate::Unknown,
        certificate_availability: None,
        certificate_expiry: None,
        certificate_not_after: None,
        certificate_days_left: None,
        certificate_status: CertificateStatus::Unknown,
        certificate_error: None,
        gaps: Vec::new(),
    };

    let mut jpki = s.select_applet(Applet::Jpki)?;
    if jpki == StatusWord::NO_DIAGNOSIS {
        // The first command after a power cycle may be answered `6F 00`
        // (real-card-evidence.md §3): one more SELECT, never more.
        jpki = s.select_applet(Applet::Jpki)?;
    }
    if jpki != StatusWord::SUCCESS && jpki != StatusWord::NOT_FOUND {
        card.gaps.push(Gap {
            read: GapRead::JpkiApplet,
            sw: Some(jpki),
        });
    }
    if jpki == StatusWord::SUCCESS {
        let label = s.read_file(EF_TOKEN_LABEL, 32)?;
        if let Err(sw) = label {
            card.gaps.push(Gap {
                read: GapRead::TokenLabel,
                sw: Some(sw),
            });
        }
        if let Ok(label) = label {
            let text: String = label
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        ' '
                    }
                })
                .collect();
            let text = text.trim_end().to_string();
            card.kind = CardKind::from_token_label(&text);
            card.token_label = Some(text);
        }
        let avail = s.read_file(EF_CERT_AVAILABILITY, 3)?;
        if let Err(sw) = avail {
            card.gaps.push(Gap {
                read: GapRead::CertificateAvailability,
                sw: Some(sw),
            });
        }
        if let Ok(avail) = avail {
            card.signature_certificate = match avail.first() {
                Some(0x8F) => SignatureCertificate::Present,
                Some(_) => SignatureCertificate::Absent,
                None => SignatureCertificate::Unknown,
            };
            card.certificate_availability = Some(hex::encode_upper(&avail));
        }
        read_certificate(&mut s, &mut card, now)?;
    }

    let mut keys = Vec::new();
    for spec in KEYS.iter().filter(|k| options.diagnostics || !k.diagnostic) {
        keys.push(s.read_key(spec)?);
    }

    Ok(CardReport {
        schema_version: SCHEMA_VERSION,
        reader: None,
        read_at: format_rfc3339(now),
        card,
        keys,
        apdus: s.apdus,
    })
}

/// How many bytes of the certificate the first READ BINARY asks for: one
/// short-Le chunk. A JPKI authentication certificate's validity sits well
/// inside it (version, serial, algorithm and issuer take about 130 bytes of
/// a 1.1-1.7 KB certificate), so one command usually gives the expiry.
const FIRST_CHUNK: usize = ShortLe::MAX;

fn read_certificate(
    s: &mut ProbeRun<'_>,
    card: &mut CardInfo,
    now: OffsetDateTime,
) -> Result<(), TransportError> {
    let sw = s.send(Command::SelectFile(EF_AUTH_CERTIFICATE))?.sw();
    if sw != StatusWord::SUCCESS {
        refused_certificate(card, sw);
        return Ok(());
    }
    // One chunk first; more only if the validity is not inside it (a card
    // with an unusually long issuer, or one that answers short chunks).
    let mut der: Vec<u8> = Vec::new();
    let mut want = FIRST_CHUNK;
    let validity = loop {
        let more = match s.read(der.len(), want - der.len())? {
            Ok(more) => more,
            Err(sw) => {
                refused_certificate(card, sw);
                return Ok(());
            }
        };
        let ended = more.len() < want - der.len();
        der.extend_from_slice(&more);
        match der::not_after(&der) {
            Ok(t) => break Ok(t),
            // Read on in whole chunks: a command costs the same for 1 byte
            // as for 256.
            Err(der::Error::Need(n)) if !ended && n <= MAX_CERTIFICATE => {
                want = n.max(der.len() + FIRST_CHUNK).min(MAX_CERTIFICATE);
            }
            Err(der::Error::Need(_)) => {
                break Err(format!(
                    "the certificate ends before its validity (read {} bytes)",
                    der.len()
                ))
            }
            Err(der::Error::Malformed(what)) => {
                break Err(format!(
                    "not a DER certificate ({what}; starts {})",
                    spaced_hex(&der[..der.len().min(8)])
                ))
            }
        }
    };
    match validity {
        Ok(not_after) => {
            // A far date is clamped (see `clamp_far`); the date shown is then
            // 9999-12-31, which reads as "no expiry" to a person.
            let not_after = clamp_far(not_after).0;
            let expiry = to_jst(not_after).date();
            card.certificate_expiry = Some(expiry.to_string());
            card.certificate_not_after = Some(format_rfc3339(not_after));
            card.certificate_days_left = Some((expiry - now.date()).whole_days());
            card.certificate_status = if now > not_after {
                CertificateStatus::Expired
            } else {
                CertificateStatus::Valid
            };
        }
        Err(e) => {
            card.certificate_error = Some(e);
            card.gaps.push(Gap {
                read: GapRead::Certificate,
                sw: None,
            });
        }
    }
    Ok(())
}

/// The card refused the certificate with `sw`. A smartphone token serves
/// its authentication certificate only after its PIN (real-card-evidence.md
/// §1.1, jpki/myna @f68cefd): `69 82` there is how it works, not a gap.
fn refused_certificate(card: &mut CardInfo, sw: StatusWord) {
    if card.kind == CardKind::PhoneJpki && sw == StatusWord::SECURITY_NOT_SATISFIED {
        card.certificate_error = Some(format!(
            "a smartphone token serves its certificate only after its PIN (answered {sw})"
        ));
        return;
    }
    card.certificate_error = Some(format!("reading the certificate answered {sw}"));
    card.gaps.push(Gap {
        read: GapRead::Certificate,
        sw: Some(sw),
    });
}

/// The latest instant whose Japan-time date is still representable
/// (9999-12-31 23:59:59 JST). RFC 5280 §4.1.2.5 uses `99991231235959Z` for
/// "no well-defined expiration", which is already 10000-01-01 in Japan:
/// later instants are clamped to this one; the second value says whether
/// that happened.
pub fn clamp_far(t: OffsetDateTime) -> (OffsetDateTime, bool) {
    let last = time::macros::datetime!(9999-12-31 14:59:59 UTC);
    if t > last {
        (last, true)
    } else {
        (t, false)
    }
}

/// `t` in Japan time, never panicking: instants beyond 9999-12-31 23:59:59
/// JST are clamped first ([`clamp_far`]).
pub fn to_jst(t: OffsetDateTime) -> OffsetDateTime {
    crate::japan_time::in_japan(clamp_far(t).0)
}

/// A small, careful walk over the first bytes of an X.509 certificate to its
/// `notAfter`, so the whole certificate need not be read. RFC 5280 §4.1:
/// `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version
/// OPTIONAL, serialNumber INTEGER, signature AlgorithmIdentifier, issuer
/// Name, validity SEQUENCE { notBefore Time, notAfter Time }, ... }, ... }`
/// with `Time ::= UTCTime | GeneralizedTime` (§4.1.2.5). DER definite
/// lengths only. Checked against `x509-parser` on whole certificates, and
/// total on arbitrary bytes, in the tests.
pub mod der {
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

    /// Why no date came out.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Error {
        /// The date lies beyond the bytes given: at least this many bytes
        /// from the start are needed to go on.
        Need(usize),
        /// The bytes are not the start of a certificate.
        Malformed(&'static str),
    }

    /// One TLV header at `pos`: (tag, start of content, content length).
    fn header(buf: &[u8], pos: usize) -> Result<(u8, usize, usize), Error> {
        let tag = *buf.get(pos).ok_or(Error::Need(pos + 2))?;
        let first = *buf.get(pos + 1).ok_or(Error::Need(pos + 2))?;
        if first < 0x80 {
            return Ok((tag, pos + 2, usize::from(first)));
        }
        let n = usize::from(first & 0x7F);
        if n == 0 {
            return Err(Error::Malformed("indefinite length"));
        }
        if n > 3 {
            return Err(Error::Malformed("length too large"));
        }
        let bytes = buf
            .get(pos + 2..pos + 2 + n)
            .ok_or(Error::Need(pos + 2 + n))?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        Ok((tag, pos + 2 + n, len))
    }

    /// Expects `tag` at `pos`; returns (start of content, end of the TLV).
    fn expect(
        buf: &[u8],
        pos: usize,
        tag: u8,
        what: &'static str,
    ) -> Result<(usize, usize), Error> {
        let (t, start, len) = header(buf, pos)?;
        if t != tag {
            return Err(Error::Malformed(what));
        }
        Ok((start, start + len))
    }

    /// The certificate's `notAfter`, from its first bytes.
    pub fn not_after(buf: &[u8]) -> Result<OffsetDateTime, Error> {
        let (cert, cert_end) = expect(buf, 0, 0x30, "no Certificate SEQUENCE")?;
        let (tbs, tbs_end) = expect(buf, cert, 0x30, "no tbsCertificate SEQUENCE")?;
        if tbs_end > cert_end {
            return Err(Error::Malformed("tbsCertificate beyond Certificate"));
        }
        let mut pos = tbs;
        if *buf.get(pos).ok_or(Error::Need(pos + 2))? == 0xA0 {
            pos = expect(buf, pos, 0xA0, "version")?.1;
        }
        pos = expect(buf, pos, 0x02, "no serialNumber INTEGER")?.1;
        pos = expect(buf, pos, 0x30, "no signature AlgorithmIdentifier")?.1;
        pos = expect(buf, pos, 0x30, "no issuer Name")?.1;
        let (validity, validity_end) = expect(buf, pos, 0x30, "no validity SEQUENCE")?;
        if validity_end > tbs_end {
            return Err(Error::Malformed("validity beyond tbsCertificate"));
        }
        let (_, nb_start, nb_len) = header(buf, validity)?;
        let (tag, start, len) = header(buf, nb_start + nb_len)?;
        if start + len > validity_end {
            return Err(Error::Malformed("notAfter beyond validity"));
        }
        let text = buf
            .get(start..start + len)
            .ok_or(Error::Need(start + len))?;
        time(tag, text).ok_or(Error::Malformed(
            "notAfter is not a UTCTime or GeneralizedTime",
        ))
    }

    fn digits(text: &[u8]) -> Option<u32> {
        text.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    }

    /// UTCTime `YYMMDDHHMMSSZ` (YY below 50 is 20YY, RFC 5280 §4.1.2.5.1)
    /// or GeneralizedTime `YYYYMMDDHHMMSSZ` (§4.1.2.5.2).
    fn time(tag: u8, text: &[u8]) -> Option<OffsetDateTime> {
        let (year, rest) = match (tag, text.len()) {
            (0x17, 13) => {
                let yy = digits(&text[..2])?;
                (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
            }
            (0x18, 15) => (digits(&text[..4])?, &text[4..]),
            _ => return None,
        };
        if rest[10] != b'Z' {
            return None;
        }
        let field = |i: usize| digits(&rest[i..i + 2]).and_then(|v| u8::try_from(v).ok());
        let date = Date::from_calendar_date(
            i32::try_from(year).ok()?,
            Month::try_from(field(0)?).ok()?,
            field(2)?,
        )
        .ok()?;
        let time = Time::from_hms(field(4)?, field(6)?, field(8)?).ok()?;
        Some(PrimitiveDateTime::new(date, time).assume_utc())
    }
}

/// RFC 3339 with the value's own offset (`2026-11-22T10:00:00+09:00`).
pub fn format_rfc3339(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cert::{authentication_certificate, end_of_japan_day};
    use time::macros::{date, datetime};

    #[test]
    fn der_walk_finds_not_after_in_the_first_chunk_and_agrees_with_x509_parser() {
        for (from, to) in [
            (
                datetime!(2021-04-01 0:00 UTC),
                end_of_japan_day(date!(2026 - 03 - 31)),
            ),
            (
                datetime!(1999-01-01 0:00 UTC),
                datetime!(2049-12-31 23:59:59 UTC),
            ),
            (
                datetime!(2040-01-01 0:00 UTC),
                datetime!(2051-01-01 0:00 UTC),
            ),
            (
                datetime!(2025-01-01 0:00 UTC),
                datetime!(9999-12-31 23:59:59 UTC),
            ),
        ] {
            let cert = authentication_certificate(from, to);
            assert!(cert.len() > 1100);
            let (_, parsed) = x509_parser::parse_x509_certificate(&cert).expect("x509");
            let theirs = parsed.validity().not_after.to_datetime();
            assert_eq!(der::not_after(&cert[..FIRST_CHUNK]), Ok(theirs));
            assert_eq!(theirs, to);
        }
    }

    #[test]
    fn der_walk_asks_for_more_when_the_date_is_beyond_the_bytes() {
        let cert = authentication_certificate(
            datetime!(2021-04-01 0:00 UTC),
            end_of_japan_day(date!(2026 - 03 - 31)),
        );
        let full = der::not_after(&cert).expect("date");
        for cut in 0..200 {
            match der::not_after(&cert[..cut]) {
                Err(der::Error::Need(n)) => assert!(n > cut, "cut {cut}: need {n}"),
                Ok(t) => assert_eq!(t, full),
                Err(e) => panic!("cut {cut}: {e:?}"),
            }
        }
        assert!(matches!(
            der::not_after(&[0x31, 0x03, 0, 0, 0]),
            Err(der::Error::Malformed(_))
        ));
        assert!(matches!(
            der::not_after(&[0x30, 0x80, 0x30, 0x80]),
            Err(der::Error::Malformed(_))
        ));
    }

    /// A card that serves files by EF id and answers `63 C3` to every
    /// status VERIFY; it counts READ BINARY commands.
    struct Files {
        files: Vec<(u16, Vec<u8>)>,
        selected: Option<usize>,
        reads: usize,
        /// End a file as a real card does: a short chunk with `90 00`, then
        /// `6B 00` past the end (real-card-evidence.md §1.4).
        real_end: bool,
    }

    impl Exchange for Files {
        fn transmit(&mut self, c: &Command) -> Result<Response, TransportError> {
            let raw: Vec<u8> = match *c {
                Command::SelectApplet(_) => vec![0x90, 0x00],
                Command::SelectFile(FileId(ef)) => {
                    self.selected = self.files.iter().position(|(id, _)| *id == ef);
                    vec![0x90, 0x00]
                }
                Command::VerifyStatus => vec![0x63, 0xC3],
                Command::ReadBinary { offset, le } => {
                    self.reads += 1;
                    let data = self.selected.map(|i| &self.files[i].1[..]).unwrap_or(&[]);
                    if self.real_end && usize::from(offset.get()) >= data.len() {
                        return Ok(Response::parse(&[0x6B, 0x00]).expect("sw"));
                    }
                    let start = usize::from(offset.get()).min(data.len());
                    let end = (start + le.get()).min(data.len());
                    let mut out = data[start..end].to_vec();
                    out.extend_from_slice(if end - start < le.get() && !self.real_end {
                        &[0x62, 0x82]
                    } else {
                        &[0x90, 0x00]
                    });
                    out
                }
            };
            Response::parse(&raw).map_err(|_| TransportError::ShortResponse(raw.len()))
        }
    }

    fn read_with_issuer(issuer: &str) -> (CardReport, usize) {
        read_files(issuer, b"JPKIAPICCTOKEN2", false)
    }

    fn read_files(issuer: &str, label: &[u8], real_end: bool) -> (CardReport, usize) {
        let cert = crate::sim::cert::certificate_with_issuer(
            datetime!(2021-04-01 0:00 UTC),
            end_of_japan_day(date!(2026 - 03 - 31)),
            issuer,
        );
        let mut card = Files {
            files: vec![
                (0x0006, label.to_vec()),
                (0x0008, vec![0x8F, 0x8F, 0x00]),
                (0x000A, cert),
            ],
            selected: None,
            reads: 0,
            real_end,
        };
        let report = read_card(
            &mut card,
            ProbeOptions::default(),
            datetime!(2026-01-01 0:00 UTC),
        )
        .expect("reading");
        (report, card.reads)
    }

    #[test]
    fn the_expiry_needs_one_chunk_and_more_only_when_the_issuer_is_long() {
        let (report, reads) = read_with_issuer("JPKI simulated CA");
        assert_eq!(
            report.card.certificate_expiry.as_deref(),
            Some("2026-03-31")
        );
        assert_eq!(reads, 3, "label, availability, one certificate chunk");
        let long = "A".repeat(300);
        let (report, reads) = read_with_issuer(&long);
        assert_eq!(
            report.card.certificate_expiry.as_deref(),
            Some("2026-03-31")
        );
        assert_eq!(reads, 4, "label, availability, two certificate chunks");
        assert!(report.card.certificate_error.is_none());
    }

    #[test]
    fn a_short_chunk_with_90_00_ends_the_file_as_on_a_real_card() {
        // A 15-byte label where 32 are asked: a real card answers the 15
        // bytes with `90 00` and would answer `6B 00` to a read past them.
        let (report, reads) = read_files("JPKI simulated CA", b"JPKIAPICCTOKEN2", true);
        assert_eq!(report.card.kind, CardKind::MyNumberCard);
        assert!(report.card.gaps.is_empty(), "{:?}", report.card.gaps);
        assert_eq!(
            report.card.certificate_expiry.as_deref(),
            Some("2026-03-31")
        );
        assert_eq!(reads, 3, "no read past the end");
    }

    #[test]
    fn far_dates_are_clamped_not_panicking() {
        let far = datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(clamp_far(far), (datetime!(9999-12-31 14:59:59 UTC), true));
        assert_eq!(to_jst(far).date(), date!(9999 - 12 - 31));
        let near = datetime!(2030-01-01 0:00 UTC);
        assert_eq!(clamp_far(near), (near, false));
    }
}
