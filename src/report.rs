//! What one reading of a card found: the card's identity and one row per key.
//!
//! Owns: the report data model, its JSON form (docs/json.md; integrators
//! depend on the names) and the status-word classification of a status
//! VERIFY. Must not: talk to a card, or give advice.

use crate::apdu::StatusWord;
use crate::card::{Applet, CardKind, KeyId};
use serde::{Deserialize, Serialize};

/// Version of the JSON document. Rules for changing it: docs/json.md.
pub const SCHEMA_VERSION: u32 = 2;

/// The state of one key reference or one report row. JSON names are fixed by
/// the contract with integrators.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// `63 Cx`, x >= 1: x tries remain.
    Remaining,
    /// `63 C0`, `69 84` or `69 83`: blocked.
    Locked,
    /// `90 00`: already verified in this session; the count is not reported
    /// (never to be shown as 0, protocol.md §3).
    Verified,
    /// The applet or the PIN file is not on this card (`6A 82` at SELECT).
    Absent,
    /// Any other answer; the raw status word is kept.
    Unexpected,
}

/// The step of a reading where an answer was taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// SELECT of the applet.
    SelectApplet,
    /// SELECT of the PIN EF.
    SelectFile,
    /// The status VERIFY.
    Verify,
}

/// One key reference as read: the building block of a row.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Reading {
    /// The applet.
    pub applet: Applet,
    /// The PIN EF, 4 hex digits.
    pub ef: String,
    /// What the answer means.
    pub state: KeyState,
    /// Tries left, when `state` is `remaining`.
    pub remaining: Option<u8>,
    /// The status word that decided the state, 4 hex digits.
    #[serde(with = "sw_hex")]
    pub sw: Option<StatusWord>,
    /// The step whose answer decided the state.
    pub step: Step,
}

impl Reading {
    /// Classifies the answer to a status VERIFY (protocol.md §3).
    pub fn from_verify(applet: Applet, ef: u16, sw: StatusWord) -> Reading {
        let (state, remaining) = match sw {
            StatusWord::BLOCKED_COUNTER_ZERO
            | StatusWord::REFERENCE_DATA_UNUSABLE
            | StatusWord::AUTH_METHOD_BLOCKED => (KeyState::Locked, None),
            StatusWord::SUCCESS => (KeyState::Verified, None),
            // 63 Cx with x >= 1 (x = 0 is handled above). 63 00, "no retry
            // limit", falls through to unexpected: it is hypothetical on this
            // card and the JSON states are a closed set (docs/json.md).
            sw if sw.retries().is_some() => (KeyState::Remaining, sw.retries()),
            _ => (KeyState::Unexpected, None),
        };
        Reading {
            applet,
            ef: format!("{ef:04X}"),
            state,
            remaining,
            sw: Some(sw),
            step: Step::Verify,
        }
    }

    /// The reading when a SELECT did not answer `90 00`: `6A 82` means
    /// absent, anything else is unexpected.
    pub fn from_select(applet: Applet, ef: u16, step: Step, sw: StatusWord) -> Reading {
        let state = if sw == StatusWord::NOT_FOUND {
            KeyState::Absent
        } else {
            KeyState::Unexpected
        };
        Reading {
            applet,
            ef: format!("{ef:04X}"),
            state,
            remaining: None,
            sw: Some(sw),
            step,
        }
    }
}

/// One row of the report.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KeyReport {
    /// Which key.
    pub id: KeyId,
    /// Its state (for `juki`, the combination of both key references).
    pub state: KeyState,
    /// Tries left, when `state` is `remaining`.
    pub remaining: Option<u8>,
    /// The documented maximum; `null` for diagnostic keys.
    pub max: Option<u8>,
    /// The status word behind `state`, 4 hex digits.
    #[serde(with = "sw_hex")]
    pub sw: Option<StatusWord>,
    /// A diagnostic key (照合番号), shown only on request.
    pub diagnostic: bool,
    /// The card reported more tries than the documented maximum: a finding,
    /// not clamped (protocol.md §3).
    pub above_max: bool,
    /// `juki` only: the two key references disagree.
    pub mismatch: bool,
    /// Every key reference read for this row (two for `juki`).
    pub readings: Vec<Reading>,
}

impl KeyReport {
    /// Builds a row from its readings. For `juki` (two references) the row
    /// shows the more severe one: locked over unexpected over the lower count
    /// (issue 2; protocol.md §1 notes).
    pub fn from_readings(id: KeyId, readings: Vec<Reading>) -> KeyReport {
        let spec = id.spec();
        let present: Vec<&Reading> = readings
            .iter()
            .filter(|r| r.state != KeyState::Absent)
            .collect();
        let decisive: Option<&Reading> = present
            .iter()
            .copied()
            .min_by_key(|r| match r.state {
                KeyState::Locked => (0, 0),
                KeyState::Unexpected => (1, 0),
                KeyState::Remaining => (2, r.remaining.unwrap_or(0)),
                KeyState::Verified => (3, 0),
                KeyState::Absent => (4, 0),
            })
            .or_else(|| readings.first());
        let mismatch = present.len() > 1
            && present
                .windows(2)
                .any(|w| (w[0].state, w[0].remaining) != (w[1].state, w[1].remaining));
        let (state, remaining, sw) = match decisive {
            Some(r) => (r.state, r.remaining, r.sw),
            None => (KeyState::Absent, None, None),
        };
        let above_max = match (remaining, spec.max) {
            (Some(n), Some(max)) => n > max,
            _ => false,
        };
        KeyReport {
            id,
            state,
            remaining,
            max: spec.max,
            sw,
            diagnostic: spec.diagnostic,
            above_max,
            mismatch,
            readings,
        }
    }

    /// One more failure would lock this key (exactly one try left).
    pub fn is_last_try(&self) -> bool {
        self.state == KeyState::Remaining && self.remaining == Some(1)
    }
}

/// Whether the card holds a signature certificate (JPKI AP EF 00 08, first
/// byte `8F`, protocol.md §4).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SignatureCertificate {
    /// Issued.
    Present,
    /// Not issued (typical under 15).
    Absent,
    /// Could not be read.
    Unknown,
}

/// Whether the authentication certificate's validity has run out.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Within its validity.
    Valid,
    /// Past `notAfter`.
    Expired,
    /// Not readable or not parseable.
    Unknown,
}

/// What the card says about itself.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CardInfo {
    /// My Number Card, old 住基カード, phone JPKI, or unknown.
    pub kind: CardKind,
    /// The JPKI token label, trimmed.
    pub token_label: Option<String>,
    /// The ATR, spaced hex, for diagnostics only (protocol.md §4).
    pub atr: Option<String>,
    /// The card sits on a contactless reader.
    pub contactless: bool,
    /// Whether a signature certificate is issued.
    pub signature_certificate: SignatureCertificate,
    /// JPKI AP EF 00 08 as read, 6 hex digits.
    pub certificate_availability: Option<String>,
    /// The electronic certificates' expiry: the authentication certificate's
    /// `notAfter` as a date in Japan time, `YYYY-MM-DD`.
    pub certificate_expiry: Option<String>,
    /// `notAfter` exactly, RFC 3339 in UTC.
    pub certificate_not_after: Option<String>,
    /// Days from the reading's date (Japan time) to the expiry date;
    /// negative once expired.
    pub certificate_days_left: Option<i64>,
    /// Valid, expired, or unknown.
    pub certificate_status: CertificateStatus,
    /// Why the certificate could not be read, when it could not.
    pub certificate_error: Option<String>,
}

/// One whole reading.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CardReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The reader's name, or the simulator's.
    pub reader: Option<String>,
    /// When the card was read, RFC 3339 in Japan time.
    pub read_at: String,
    /// Identity and certificates.
    pub card: CardInfo,
    /// One row per key, in a fixed order (auth, sign, kenhojo, juki, then
    /// diagnostic keys when asked for).
    pub keys: Vec<KeyReport>,
    /// How many command APDUs the reading took.
    pub apdus: u32,
}

impl CardReport {
    /// The row for `id`, if it was read.
    pub fn key(&self, id: KeyId) -> Option<&KeyReport> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// True when nothing on the card looked like a My Number Card applet:
    /// unknown kind and every holder key absent.
    pub fn is_foreign_card(&self) -> bool {
        self.card.kind == CardKind::Unknown
            && self
                .keys
                .iter()
                .filter(|k| !k.diagnostic)
                .all(|k| k.state == KeyState::Absent)
    }

    /// True when some holder key is locked, unreadable, or one failure from
    /// locking: the reading needs a person's attention.
    pub fn needs_attention(&self) -> bool {
        self.keys.iter().filter(|k| !k.diagnostic).any(|k| {
            matches!(k.state, KeyState::Locked | KeyState::Unexpected)
                || k.is_last_try()
                || k.mismatch
        }) || self.card.certificate_status == CertificateStatus::Expired
    }
}

/// Serde helper: an optional status word as 4 hex digits (`"63C2"`).
pub mod sw_hex {
    use crate::apdu::StatusWord;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `"63C2"` or `null`.
    pub fn serialize<S: Serializer>(sw: &Option<StatusWord>, s: S) -> Result<S::Ok, S::Error> {
        match sw {
            Some(sw) => s.serialize_str(&sw.to_hex()),
            None => s.serialize_none(),
        }
    }

    /// Reads `"63C2"` (spaces allowed) or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<StatusWord>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => StatusWord::parse_hex(&t)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("not a status word: {t:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(sw: u16) -> Reading {
        Reading::from_verify(Applet::Jpki, 0x18, StatusWord(sw))
    }

    #[test]
    fn verify_answers_are_classified_per_protocol_table() {
        assert_eq!(
            (v(0x63C3).state, v(0x63C3).remaining),
            (KeyState::Remaining, Some(3))
        );
        assert_eq!(v(0x63C0).state, KeyState::Locked);
        assert_eq!(v(0x6984).state, KeyState::Locked);
        assert_eq!(v(0x6983).state, KeyState::Locked);
        assert_eq!(
            (v(0x9000).state, v(0x9000).remaining),
            (KeyState::Verified, None)
        );
        assert_eq!(v(0x6300).state, KeyState::Unexpected);
        assert_eq!(v(0x6A86).state, KeyState::Unexpected);
        assert_eq!(v(0x63CF).remaining, Some(15));
    }

    #[test]
    fn juki_row_takes_the_lower_count_and_flags_the_mismatch() {
        let a = Reading::from_verify(Applet::Juki, 0x1C, StatusWord(0x63C3));
        let b = Reading::from_verify(Applet::Common, 0x1C, StatusWord(0x63C1));
        let row = KeyReport::from_readings(KeyId::Juki, vec![a.clone(), b]);
        assert_eq!(
            (row.state, row.remaining, row.mismatch),
            (KeyState::Remaining, Some(1), true)
        );
        let same = KeyReport::from_readings(KeyId::Juki, vec![a.clone(), a.clone()]);
        assert!(!same.mismatch);
        let absent = Reading::from_select(
            Applet::Common,
            0x1C,
            Step::SelectApplet,
            StatusWord::NOT_FOUND,
        );
        let one = KeyReport::from_readings(KeyId::Juki, vec![a, absent]);
        assert_eq!(
            (one.state, one.remaining, one.mismatch),
            (KeyState::Remaining, Some(3), false)
        );
    }

    #[test]
    fn above_max_is_reported_not_clamped() {
        let row = KeyReport::from_readings(KeyId::Auth, vec![v(0x63C7)]);
        assert_eq!((row.remaining, row.above_max), (Some(7), true));
    }
}
