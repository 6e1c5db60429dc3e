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
//! read (protocol.md §2).

use crate::apdu::{spaced_hex, Command, FileId, Offset, Response, ShortLe, StatusWord};
use crate::card::{
    Applet, CardKind, KeySpec, EF_AUTH_CERTIFICATE, EF_CERT_AVAILABILITY, EF_TOKEN_LABEL, KEYS,
};
use crate::report::{
    CardInfo, CardReport, CertificateStatus, KeyReport, Reading, SignatureCertificate, Step,
    SCHEMA_VERSION,
};
use crate::transport::{Exchange, TransportError};
use time::{OffsetDateTime, UtcOffset};

/// Japan Standard Time: UTC+9, no daylight saving.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// What to read besides the holder's PINs.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProbeOptions {
    /// Also read the diagnostic 照合番号A/B keys.
    pub diagnostics: bool,
}

/// The largest certificate the reader accepts (a JPKI authentication
/// certificate is about 1.1-1.7 KB); a bigger length is a malformed file.
const MAX_CERTIFICATE: usize = 8 * 1024;

struct Session<'a> {
    x: &'a mut dyn Exchange,
    selected: Option<Applet>,
    apdus: u32,
}

impl Session<'_> {
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
                    if r.sw() == StatusWord::END_OF_FILE || r.data().is_empty() {
                        break;
                    }
                }
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
    let mut s = Session {
        x: exchange,
        selected: None,
        apdus: 0,
    };
    let now = now.to_offset(JST);
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
    };

    if s.select_applet(Applet::Jpki)? == StatusWord::SUCCESS {
        if let Ok(label) = s.read_file(EF_TOKEN_LABEL, 32)? {
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
        if let Ok(avail) = s.read_file(EF_CERT_AVAILABILITY, 3)? {
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

fn read_certificate(
    s: &mut Session<'_>,
    card: &mut CardInfo,
    now: OffsetDateTime,
) -> Result<(), TransportError> {
    // Read the DER header (tag + up to 3 length bytes), then exactly the rest
    // (protocol.md §2: never ask for more than is there).
    let header = match s.read_file(EF_AUTH_CERTIFICATE, 4)? {
        Ok(h) => h,
        Err(sw) => {
            card.certificate_error = Some(format!("reading the certificate answered {sw}"));
            return Ok(());
        }
    };
    let total = match der_total_length(&header) {
        Some(n) if n <= MAX_CERTIFICATE => n,
        _ => {
            card.certificate_error = Some(format!(
                "not a DER certificate (starts {})",
                spaced_hex(&header)
            ));
            return Ok(());
        }
    };
    let mut der = header.clone();
    match s.read(header.len(), total.saturating_sub(header.len()))? {
        Ok(rest) => der.extend_from_slice(&rest),
        Err(sw) => {
            card.certificate_error = Some(format!("reading the certificate answered {sw}"));
            return Ok(());
        }
    }
    match x509_parser::parse_x509_certificate(&der) {
        Ok((_, cert)) => {
            let not_after = cert.validity().not_after.to_datetime();
            let expiry = not_after.to_offset(JST).date();
            card.certificate_expiry = Some(expiry.to_string());
            card.certificate_not_after = Some(format_rfc3339(not_after.to_offset(UtcOffset::UTC)));
            card.certificate_days_left = Some((expiry - now.date()).whole_days());
            card.certificate_status = if now > not_after {
                CertificateStatus::Expired
            } else {
                CertificateStatus::Valid
            };
        }
        Err(e) => {
            card.certificate_error = Some(format!("the certificate could not be parsed: {e}"))
        }
    }
    Ok(())
}

/// Total length of a DER TLV from its first bytes: tag `30`, then a short or
/// long (1-2 byte) length.
fn der_total_length(h: &[u8]) -> Option<usize> {
    match h {
        [0x30, l, ..] if *l < 0x80 => Some(2 + usize::from(*l)),
        [0x30, 0x81, l, ..] => Some(3 + usize::from(*l)),
        [0x30, 0x82, a, b, ..] => Some(4 + (usize::from(*a) << 8 | usize::from(*b))),
        _ => None,
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

    #[test]
    fn der_lengths() {
        assert_eq!(der_total_length(&[0x30, 0x05, 0, 0]), Some(7));
        assert_eq!(der_total_length(&[0x30, 0x81, 0x90, 0]), Some(0x93));
        assert_eq!(der_total_length(&[0x30, 0x82, 0x04, 0x5A]), Some(0x45E));
        assert_eq!(der_total_length(&[0x31, 0x82, 0x04, 0x5A]), None);
        assert_eq!(der_total_length(&[0x30]), None);
        assert_eq!(der_total_length(&[0x30, 0x83, 1, 2]), None);
    }
}
