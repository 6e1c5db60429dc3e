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

/// The status of one key reference or one report row: what the answer means,
/// with the count where there is one. A count exists only for `Remaining`,
/// so "remaining without a count" cannot be built.
///
/// JSON: the two fields `state` (a closed set of names, fixed by the
/// contract with integrators, docs/json.md) and `remaining` (the count or
/// `null`), written through [`KeyJson`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(into = "KeyJson", from = "KeyJson")]
pub enum KeyStatus {
    /// `63 Cx`, x >= 1: `left` tries remain.
    Remaining {
        /// Tries left, as the card reported it (not clamped to the maximum).
        left: u8,
    },
    /// `63 C0`, `69 84` or `69 83`: blocked.
    Locked,
    /// `90 00`: already verified in this session; the count is not reported
    /// (never to be shown as 0, protocol.md §3).
    Verified,
    /// The applet or the PIN file is not on this card (`6A 82` at SELECT).
    Absent,
    /// Any other answer; the raw status word is kept beside it (`sw`).
    Unexpected,
}

impl KeyStatus {
    /// Tries left, for `Remaining` only.
    pub fn left(self) -> Option<u8> {
        match self {
            KeyStatus::Remaining { left } => Some(left),
            _ => None,
        }
    }

    /// The JSON `state` name (`"remaining"`, `"locked"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            KeyStatus::Remaining { .. } => "remaining",
            KeyStatus::Locked => "locked",
            KeyStatus::Verified => "verified",
            KeyStatus::Absent => "absent",
            KeyStatus::Unexpected => "unexpected",
        }
    }
}

/// Serde mirror of [`KeyStatus`]: the `state` + `remaining` fields of the
/// JSON document, flattened into a row or a reading.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct KeyJson {
    state: StateName,
    remaining: Option<u8>,
}

/// The JSON names of the states (docs/json.md).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StateName {
    Remaining,
    Locked,
    Verified,
    Absent,
    Unexpected,
}

impl From<KeyStatus> for KeyJson {
    fn from(k: KeyStatus) -> KeyJson {
        let state = match k {
            KeyStatus::Remaining { .. } => StateName::Remaining,
            KeyStatus::Locked => StateName::Locked,
            KeyStatus::Verified => StateName::Verified,
            KeyStatus::Absent => StateName::Absent,
            KeyStatus::Unexpected => StateName::Unexpected,
        };
        KeyJson {
            state,
            remaining: k.left(),
        }
    }
}

impl From<KeyJson> for KeyStatus {
    /// Reads a saved document. A count beside any other state is ignored; a
    /// `remaining` state without a count is malformed and read as
    /// `Unexpected` (the advice then says so rather than guess a number),
    /// as `advise --from` always did.
    fn from(j: KeyJson) -> KeyStatus {
        match (j.state, j.remaining) {
            (StateName::Remaining, Some(left)) => KeyStatus::Remaining { left },
            (StateName::Remaining, None) | (StateName::Unexpected, _) => KeyStatus::Unexpected,
            (StateName::Locked, _) => KeyStatus::Locked,
            (StateName::Verified, _) => KeyStatus::Verified,
            (StateName::Absent, _) => KeyStatus::Absent,
        }
    }
}

/// The step of a reading where an answer was taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    /// What the answer means, with the count (JSON: `state`, `remaining`).
    #[serde(flatten)]
    pub status: KeyStatus,
    /// The status word that decided the state, 4 hex digits.
    #[serde(with = "sw_hex")]
    pub sw: Option<StatusWord>,
    /// The step whose answer decided the state.
    pub step: Step,
}

impl Reading {
    /// Classifies the answer to a status VERIFY (protocol.md §3).
    pub fn from_verify(applet: Applet, ef: u16, sw: StatusWord) -> Reading {
        let status = match sw {
            StatusWord::BLOCKED_COUNTER_ZERO
            | StatusWord::REFERENCE_DATA_UNUSABLE
            | StatusWord::AUTH_METHOD_BLOCKED => KeyStatus::Locked,
            StatusWord::SUCCESS => KeyStatus::Verified,
            // 63 Cx with x >= 1 (x = 0 is handled above). 63 00, "no retry
            // limit", falls through to unexpected: it is hypothetical on this
            // card and the JSON states are a closed set (docs/json.md).
            sw => match sw.retries() {
                Some(left) => KeyStatus::Remaining { left },
                None => KeyStatus::Unexpected,
            },
        };
        Reading {
            applet,
            ef: format!("{ef:04X}"),
            status,
            sw: Some(sw),
            step: Step::Verify,
        }
    }

    /// The reading when a SELECT did not answer `90 00`: `6A 82` means
    /// absent, anything else is unexpected.
    pub fn from_select(applet: Applet, ef: u16, step: Step, sw: StatusWord) -> Reading {
        let status = if sw == StatusWord::NOT_FOUND {
            KeyStatus::Absent
        } else {
            KeyStatus::Unexpected
        };
        Reading {
            applet,
            ef: format!("{ef:04X}"),
            status,
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
    /// Its status (for `juki`, the combination of both key references;
    /// JSON: `state`, `remaining`).
    #[serde(flatten)]
    pub status: KeyStatus,
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
            .filter(|r| r.status != KeyStatus::Absent)
            .collect();
        let decisive: Option<&Reading> = present
            .iter()
            .copied()
            .min_by_key(|r| match r.status {
                KeyStatus::Locked => (0, 0),
                KeyStatus::Unexpected => (1, 0),
                KeyStatus::Remaining { left } => (2, left),
                KeyStatus::Verified => (3, 0),
                KeyStatus::Absent => (4, 0),
            })
            .or_else(|| readings.first());
        let mismatch = present.len() > 1 && present.windows(2).any(|w| w[0].status != w[1].status);
        let (status, sw) = match decisive {
            Some(r) => (r.status, r.sw),
            None => (KeyStatus::Absent, None),
        };
        let above_max = match (status.left(), spec.max) {
            (Some(n), Some(max)) => n > max,
            _ => false,
        };
        KeyReport {
            id,
            status,
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
        self.status == KeyStatus::Remaining { left: 1 }
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
#[non_exhaustive]
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
    /// What the card refused or garbled while it was identified (issue 19):
    /// a reading with a gap never says "nothing to do". Empty when every
    /// identity and certificate read answered (older documents: empty).
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

/// Which read of the card's identity or certificates left a gap.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GapRead {
    /// SELECT of the JPKI applet (the card's identity: token label and
    /// certificates are read inside it).
    JpkiApplet,
    /// JPKI AP EF 00 06, the token label (what kind of card this is).
    TokenLabel,
    /// JPKI AP EF 00 08, which certificates are issued.
    CertificateAvailability,
    /// JPKI AP EF 00 0A, the authentication certificate (its expiry).
    Certificate,
}

/// One read the card refused (an answer other than `90 00`), or whose data
/// made no sense (then `sw` is `None`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Gap {
    /// What was being read.
    pub read: GapRead,
    /// The status word of the refusal, 4 hex digits; `null` when the card
    /// answered `90 00` with data that could not be used.
    #[serde(with = "sw_hex")]
    pub sw: Option<StatusWord>,
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
                .all(|k| k.status == KeyStatus::Absent)
    }

    /// True when the card refused (or garbled) a read of its identity or
    /// certificates: the reading has a gap (issue 19).
    pub fn has_gap(&self) -> bool {
        !self.card.gaps.is_empty()
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
        assert_eq!(v(0x63C3).status, KeyStatus::Remaining { left: 3 });
        assert_eq!(v(0x63C0).status, KeyStatus::Locked);
        assert_eq!(v(0x6984).status, KeyStatus::Locked);
        assert_eq!(v(0x6983).status, KeyStatus::Locked);
        assert_eq!(v(0x9000).status, KeyStatus::Verified);
        assert_eq!(v(0x6300).status, KeyStatus::Unexpected);
        assert_eq!(v(0x6A86).status, KeyStatus::Unexpected);
        assert_eq!(v(0x63CF).status.left(), Some(15));
    }

    #[test]
    fn juki_row_takes_the_lower_count_and_flags_the_mismatch() {
        let a = Reading::from_verify(Applet::Juki, 0x1C, StatusWord(0x63C3));
        let b = Reading::from_verify(Applet::Common, 0x1C, StatusWord(0x63C1));
        let row = KeyReport::from_readings(KeyId::Juki, vec![a.clone(), b]);
        assert_eq!(
            (row.status, row.mismatch),
            (KeyStatus::Remaining { left: 1 }, true)
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
            (one.status, one.mismatch),
            (KeyStatus::Remaining { left: 3 }, false)
        );
    }

    #[test]
    fn key_status_json_is_the_state_and_remaining_pair() {
        let row = KeyReport::from_readings(KeyId::Auth, vec![v(0x63C2)]);
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(
            (&json["state"], &json["remaining"]),
            (&serde_json::json!("remaining"), &serde_json::json!(2))
        );
        let locked =
            serde_json::to_value(KeyReport::from_readings(KeyId::Auth, vec![v(0x6983)])).unwrap();
        assert_eq!(
            (&locked["state"], &locked["remaining"]),
            (&serde_json::json!("locked"), &serde_json::Value::Null)
        );
        let back: KeyReport = serde_json::from_value(json).unwrap();
        assert_eq!(back, row);
    }

    #[test]
    fn a_saved_remaining_row_without_a_count_reads_as_unexpected() {
        let mut json =
            serde_json::to_value(KeyReport::from_readings(KeyId::Auth, vec![v(0x63C2)])).unwrap();
        json["remaining"] = serde_json::Value::Null;
        let row: KeyReport = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(row.status, KeyStatus::Unexpected);
        json.as_object_mut().unwrap().remove("remaining");
        let row: KeyReport = serde_json::from_value(json).unwrap();
        assert_eq!(row.status, KeyStatus::Unexpected);
    }

    #[test]
    fn above_max_is_reported_not_clamped() {
        let row = KeyReport::from_readings(KeyId::Auth, vec![v(0x63C7)]);
        assert_eq!((row.status.left(), row.above_max), (Some(7), true));
    }
}
