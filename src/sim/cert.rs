//! A synthetic authentication certificate for the simulated card.
//!
//! Owns: building a structurally valid X.509 v3 certificate (DER) with a
//! given validity, with an RSA-2048-sized key and signature and the
//! extensions a JPKI authentication certificate carries (key usage, policies,
//! key identifiers, CRL distribution points, authority information access):
//! about 1.3 KB, the size of a real one (1.1-1.7 KB), so a reader that reads
//! the whole file pays what it would on a real card.
//! Must not: pretend to be a real certificate. The key and signature bytes
//! are a fixed pattern; nothing verifies them, and the
//! subject holds no personal data (a real one holds none either,
//! protocol.md §5).

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, (len & 0xFF) as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(bytes: &[u8]) -> Vec<u8> {
    tlv(0x06, bytes)
}

/// UTCTime for years 1950-2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5).
fn x509_time(t: OffsetDateTime) -> Vec<u8> {
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    let (hh, mm, ss) = (t.hour(), t.minute(), t.second());
    if (1950..2050).contains(&y) {
        let s = format!("{:02}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z", y % 100);
        tlv(0x17, s.as_bytes())
    } else {
        let s = format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z");
        tlv(0x18, s.as_bytes())
    }
}

fn name(cn: &str) -> Vec<u8> {
    // Name ::= SEQUENCE OF RDN; one RDN: C=JP, O=JPKI, CN=...
    let attr = |oid_bytes: &[u8], tag: u8, value: &str| {
        tlv(0x31, &seq(&[oid(oid_bytes), tlv(tag, value.as_bytes())]))
    };
    seq(&[
        attr(&[0x55, 0x04, 0x06], 0x13, "JP"),
        attr(&[0x55, 0x04, 0x0A], 0x0C, "JPKI"),
        attr(&[0x55, 0x04, 0x03], 0x0C, cn),
    ])
}

/// The instant an expiry *date* stands for: 14:59:59 UTC, i.e. 23:59:59 in
/// Japan on that date, which is how an expiry date is usually meant.
pub fn end_of_japan_day(d: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(d, Time::from_hms(14, 59, 59).unwrap_or(Time::MIDNIGHT)).assume_utc()
}

/// One extension: `SEQUENCE { extnID, [critical], extnValue OCTET STRING }`.
fn extension(id: &[u8], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(tlv(0x01, &[0xFF]));
    }
    parts.push(tlv(0x04, &value));
    seq(&parts)
}

/// A fixed byte pattern of `len` bytes (key identifiers, padding of URLs).
fn pattern(len: usize, mul: u32) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(mul).wrapping_add(7) & 0xFF) as u8)
        .collect()
}

/// The extensions block `[3] EXPLICIT Extensions`, shaped like a JPKI
/// authentication certificate's (sizes, not contents: no real URL or policy).
fn extensions() -> Vec<u8> {
    let uri = |u: &str| tlv(0x86, u.as_bytes());
    let key_usage = extension(&[0x55, 0x1D, 0x0F], true, tlv(0x03, &[0x07, 0x80]));
    let policies = extension(
        &[0x55, 0x1D, 0x20],
        true,
        seq(&[seq(&[
            oid(&[
                0x2A, 0x83, 0x08, 0x8C, 0x9B, 0x55, 0x08, 0x05, 0x01, 0x03, 0x1E,
            ]),
            seq(&[seq(&[
                oid(&[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x02, 0x01]),
                tlv(0x16, b"http://jpki-status.invalid/simulated/cps/index.html"),
            ])]),
        ])]),
    );
    let subject_alt = extension(
        &[0x55, 0x1D, 0x11],
        false,
        seq(&[tlv(0xA4, &name("jpki-status simulated holder"))]),
    );
    let issuer_alt = extension(
        &[0x55, 0x1D, 0x12],
        false,
        seq(&[tlv(0xA4, &name("JPKI simulated issuer"))]),
    );
    let crl = extension(
        &[0x55, 0x1D, 0x1F],
        false,
        seq(&[
            seq(&[tlv(0xA0, &tlv(0xA0, &uri("http://jpki-status.invalid/simulated/crl/auth-crl-0001.crl")))]),
            seq(&[tlv(0xA0, &tlv(0xA0, &uri("ldap://jpki-status.invalid/cn=simulated-crl-distribution-point,ou=auth,o=JPKI,c=JP?certificateRevocationList")))]),
        ]),
    );
    let aia = extension(
        &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01],
        false,
        seq(&[seq(&[
            oid(&[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01]),
            uri("http://jpki-status.invalid/simulated/ocsp/auth"),
        ])]),
    );
    let authority_key_id = extension(
        &[0x55, 0x1D, 0x23],
        false,
        seq(&[tlv(0x80, &pattern(20, 31))]),
    );
    let subject_key_id = extension(&[0x55, 0x1D, 0x0E], false, tlv(0x04, &pattern(20, 53)));
    tlv(
        0xA3,
        &seq(&[
            key_usage,
            policies,
            subject_alt,
            issuer_alt,
            crl,
            aia,
            authority_key_id,
            subject_key_id,
        ]),
    )
}

/// Builds the certificate valid from `valid_from` to `valid_to` (exact
/// instants; [`end_of_japan_day`] turns an expiry date into one).
pub fn authentication_certificate(valid_from: OffsetDateTime, valid_to: OffsetDateTime) -> Vec<u8> {
    certificate_with_issuer(valid_from, valid_to, "JPKI simulated CA")
}

/// The same with another issuer common name: a long one pushes the
/// validity beyond the first 256-byte chunk (the reader must then read on).
pub fn certificate_with_issuer(
    valid_from: OffsetDateTime,
    valid_to: OffsetDateTime,
    issuer_cn: &str,
) -> Vec<u8> {
    let sha256_rsa = seq(&[
        oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B]),
        tlv(0x05, &[]),
    ]);
    let rsa = seq(&[
        oid(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]),
        tlv(0x05, &[]),
    ]);
    // A 2048-bit "modulus": leading 00 keeps the INTEGER positive.
    let mut modulus = vec![0x00];
    modulus
        .extend((0..256u32).map(|i| (i.wrapping_mul(151).wrapping_add(0xC3) & 0xFF) as u8 | 0x01));
    modulus[1] |= 0x80;
    let rsa_public_key = seq(&[tlv(0x02, &modulus), tlv(0x02, &[0x01, 0x00, 0x01])]);
    let mut bit_string = vec![0x00];
    bit_string.extend_from_slice(&rsa_public_key);
    let spki = seq(&[rsa, tlv(0x03, &bit_string)]);
    let tbs = seq(&[
        tlv(0xA0, &tlv(0x02, &[0x02])), // version v3
        tlv(0x02, &[0x01, 0x23, 0x45]), // serial: fixed, never shown
        sha256_rsa.clone(),
        name(issuer_cn),
        seq(&[x509_time(valid_from), x509_time(valid_to)]),
        name("jpki-status simulated card"),
        spki,
        extensions(),
    ]);
    let mut signature = vec![0x00];
    signature.extend((0..256u32).map(|i| (i.wrapping_mul(97) & 0xFF) as u8));
    seq(&[tbs, sha256_rsa, tlv(0x03, &signature)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn cert(from: Date, to: Date) -> Vec<u8> {
        authentication_certificate(
            PrimitiveDateTime::new(from, Time::MIDNIGHT).assume_utc(),
            end_of_japan_day(to),
        )
    }

    #[test]
    fn parses_as_x509_with_the_requested_validity() {
        let der = cert(date!(2024 - 04 - 01), date!(2029 - 03 - 31));
        assert!(
            (1100..=1700).contains(&der.len()),
            "a real JPKI authentication certificate is 1.1-1.7 KB; this one is {}",
            der.len()
        );
        let (rest, cert) = x509_parser::parse_x509_certificate(&der).expect("valid DER");
        assert!(rest.is_empty());
        let not_after = cert.validity().not_after.to_datetime();
        assert_eq!(not_after.date(), date!(2029 - 03 - 31));
        assert_eq!(not_after.hour(), 14);
    }

    #[test]
    fn far_dates_use_generalized_time() {
        let der = cert(date!(2040 - 01 - 01), date!(2051 - 01 - 01));
        let (_, cert) = x509_parser::parse_x509_certificate(&der).expect("valid DER");
        assert_eq!(cert.validity().not_after.to_datetime().year(), 2051);
    }
}
