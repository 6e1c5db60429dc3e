//! The engine's input: what the card said ([`CardFacts`], [`KeyInput`]) and
//! what only the holder knows ([`Facts`]).
//!
//! Owns: the input data model and its conversions from a
//! [`CardReport`]. Must not: decide anything
//! (that is `engine`) or hold human text (that is `wording`). Every fact can be
//! unknown: the engine never assumes an answer (decision-rules.md, intro).

use crate::apdu::StatusWord;
use crate::card::{CardKind, KeyId};
use crate::report::{CardReport, CertificateStatus, KeyReport, KeyStatus, SignatureCertificate};
use serde::{Deserialize, Serialize};

/// A yes/no fact that may be unknown. "Unsure" counts as no only where the
/// spec says so (knowing a PIN); everywhere else it stays unknown.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not asked, or the holder does not know.
    #[default]
    Unknown,
}

impl Answer {
    /// Yes for `true`, no for `false`.
    pub const fn from_bool(b: bool) -> Answer {
        if b {
            Answer::Yes
        } else {
            Answer::No
        }
    }
}

/// The holder's age band (R12: under 15 needs the legal representative;
/// 15-17 may hold a 署名用 certificate).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, Hash)]
pub enum AgeBand {
    /// Under 15.
    #[serde(rename = "under15")]
    Under15,
    /// 15 to 17.
    #[serde(rename = "15-17")]
    From15To17,
    /// 18 or over.
    #[serde(rename = "adult")]
    Adult,
    /// Not known.
    #[serde(rename = "unknown")]
    #[default]
    Unknown,
}

/// Who will go to the counter (R11-R13), and so whether the holder can do
/// the app's face match (R7).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// The holder in person.
    Holder,
    /// A legal representative (法定代理人).
    LegalRep,
    /// An appointed proxy (任意代理人).
    Proxy,
    /// Not known.
    #[default]
    Unknown,
}

/// A service the holder was using (decision-rules.md, "Which service asks
/// for which PIN").
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Health insurance use at a hospital (マイナ保険証): `auth`, or face
    /// authentication, or a staff visual check.
    HealthInsurance,
    /// e-Tax: `auth`, `sign`, and maybe `kenhojo`.
    ETax,
    /// Mynaportal login: `auth`.
    Mynaportal,
    /// Convenience-store certificate printing (コンビニ交付): `auth`.
    ConvenienceStoreCertificate,
    /// 公金受取口座 registration: `kenhojo`.
    KokinAccount,
    /// Adding the card to an iPhone: `kenhojo` and `sign`.
    Iphone,
    /// Municipal counter terminals (moving in, address change): `juki`.
    MunicipalTerminal,
    /// Something else, or several things: every PIN may be needed.
    Other,
}

impl Purpose {
    /// Every purpose.
    pub const ALL: [Purpose; 8] = [
        Purpose::HealthInsurance,
        Purpose::ETax,
        Purpose::Mynaportal,
        Purpose::ConvenienceStoreCertificate,
        Purpose::KokinAccount,
        Purpose::Iphone,
        Purpose::MunicipalTerminal,
        Purpose::Other,
    ];

    /// Whether this service asks for `key` (decision-rules.md service table).
    pub fn uses(self, key: KeyId) -> bool {
        use KeyId::*;
        match self {
            Purpose::HealthInsurance
            | Purpose::Mynaportal
            | Purpose::ConvenienceStoreCertificate => key == Auth,
            Purpose::ETax => matches!(key, Auth | Sign | Kenhojo),
            Purpose::KokinAccount => key == Kenhojo,
            Purpose::Iphone => matches!(key, Kenhojo | Sign),
            Purpose::MunicipalTerminal => key == Juki,
            Purpose::Other => true,
        }
    }
}

/// One value per holder key.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize, Hash)]
pub struct PerKey<T> {
    /// 利用者証明用.
    pub auth: T,
    /// 署名用.
    pub sign: T,
    /// 券面事項入力補助用.
    pub kenhojo: T,
    /// 住民基本台帳用.
    pub juki: T,
}

impl<T> PerKey<T> {
    /// The value for `key`; diagnostic keys map to `juki`'s slot never: they
    /// return `None`.
    pub fn get(&self, key: KeyId) -> Option<&T> {
        match key {
            KeyId::Auth => Some(&self.auth),
            KeyId::Sign => Some(&self.sign),
            KeyId::Kenhojo => Some(&self.kenhojo),
            KeyId::Juki => Some(&self.juki),
            KeyId::KenhojoA | KeyId::KenhojoB | KeyId::KenmenA | KeyId::KenmenB => None,
        }
    }

    /// Mutable access; `None` for diagnostic keys.
    pub fn get_mut(&mut self, key: KeyId) -> Option<&mut T> {
        match key {
            KeyId::Auth => Some(&mut self.auth),
            KeyId::Sign => Some(&mut self.sign),
            KeyId::Kenhojo => Some(&mut self.kenhojo),
            KeyId::Juki => Some(&mut self.juki),
            KeyId::KenhojoA | KeyId::KenhojoB | KeyId::KenmenA | KeyId::KenmenB => None,
        }
    }

    /// Builds one from a function of the key.
    pub fn from_fn(mut f: impl FnMut(KeyId) -> T) -> PerKey<T> {
        PerKey {
            auth: f(KeyId::Auth),
            sign: f(KeyId::Sign),
            kenhojo: f(KeyId::Kenhojo),
            juki: f(KeyId::Juki),
        }
    }

    /// `(key, value)` in report order.
    pub fn iter(&self) -> impl Iterator<Item = (KeyId, &T)> {
        [
            (KeyId::Auth, &self.auth),
            (KeyId::Sign, &self.sign),
            (KeyId::Kenhojo, &self.kenhojo),
            (KeyId::Juki, &self.juki),
        ]
        .into_iter()
    }
}

/// Everything only the holder knows. Each field starts unknown.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize, Hash)]
pub struct Facts {
    /// Whether the holder remembers each PIN ("unsure" is no).
    pub knows: PerKey<Answer>,
    /// Moved house or changed name since the certificates were issued
    /// (revokes the 署名用 certificate, R6).
    pub moved: Answer,
    /// Age band.
    pub age: AgeBand,
    /// An adult ward (成年被後見人 etc., R12).
    pub adult_ward: Answer,
    /// 「顔認証」 is written in the card's 追記欄 (R2).
    pub face_auth_card: Answer,
    /// Has a smartphone with NFC, a camera and internet (R5, R7).
    pub smartphone: Answer,
    /// Who will go.
    pub who: Who,
    /// The card's printed expiry date has passed (R0).
    pub card_expired: Answer,
    /// The electronic certificates have expired, as the holder was told
    /// (R9); a card reading tells this by itself.
    pub certificate_expired: Answer,
    /// The card is lost or stolen (R1).
    pub lost: Answer,
    /// The card is damaged or its chip unreadable (R1b).
    pub damaged: Answer,
    /// What the holder was trying to do; empty when unknown.
    pub purposes: Vec<Purpose>,
    /// R4's question asked directly: is health insurance use the only
    /// need? Used only while `purposes` is empty.
    pub only_health_insurance: Answer,
    /// The trouble is the smartphone's own certificate (R14).
    pub phone_certificate: Answer,
}

impl Facts {
    /// `Some(true)` when some stated purpose asks for `key`, `Some(false)`
    /// when purposes were stated and none does, `None` when unknown.
    pub fn uses(&self, key: KeyId) -> Option<bool> {
        if self.purposes.is_empty() {
            // "Only health insurance" answered directly says as much as
            // `--purpose health-insurance` would.
            match self.only_health_insurance {
                Answer::Yes => Some(Purpose::HealthInsurance.uses(key)),
                _ => None,
            }
        } else {
            Some(self.purposes.iter().any(|p| p.uses(key)))
        }
    }

    /// R4's question: is health insurance use the only need? From the
    /// stated purposes, else from the direct answer.
    pub fn health_insurance_only(&self) -> Answer {
        if self.purposes.is_empty() {
            self.only_health_insurance
        } else {
            Answer::from_bool(self.purposes.iter().all(|p| *p == Purpose::HealthInsurance))
        }
    }
}

/// What is known about one key, from a card reading or from what the holder
/// said without a card.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize, Hash)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum KeyInput {
    /// Nothing known (no card, and the holder said nothing about it).
    #[default]
    Unknown,
    /// `left` tries remain (at least 1).
    Remaining {
        /// Tries left.
        left: u8,
        /// The maximum, when known.
        max: Option<u8>,
    },
    /// Locked (no try left).
    Locked,
    /// Verified in this session; count not reported: known-good
    /// (decision-rules.md, Combining).
    Verified,
    /// Not on this card or token.
    Absent,
    /// The card answered something unexpected.
    Unexpected {
        /// The status word (JSON: 4 hex digits), when there was one.
        #[serde(default, with = "crate::report::sw_hex")]
        sw: Option<StatusWord>,
    },
}

impl KeyInput {
    /// From one row of a reading.
    pub fn from_report(row: &KeyReport) -> KeyInput {
        match row.status {
            KeyStatus::Remaining { left: 0 } => KeyInput::Locked,
            KeyStatus::Remaining { left } => KeyInput::Remaining { left, max: row.max },
            KeyStatus::Locked => KeyInput::Locked,
            KeyStatus::Verified => KeyInput::Verified,
            KeyStatus::Absent => KeyInput::Absent,
            KeyStatus::Unexpected => KeyInput::Unexpected { sw: row.sw },
        }
    }

    /// What the holder said without a card: `tries` left (0 = locked).
    pub fn from_tries(key: KeyId, tries: u8) -> KeyInput {
        if tries == 0 {
            KeyInput::Locked
        } else {
            KeyInput::Remaining {
                left: tries,
                max: key.spec().max,
            }
        }
    }

    /// Tries left when counted.
    pub fn left(&self) -> Option<u8> {
        match self {
            KeyInput::Remaining { left, .. } => Some(*left),
            KeyInput::Locked => Some(0),
            KeyInput::Unknown
            | KeyInput::Verified
            | KeyInput::Absent
            | KeyInput::Unexpected { .. } => None,
        }
    }

    /// Tries have been spent: fewer than the maximum remain (a locked key
    /// counts). The holder has been failing: whether they remember it matters.
    pub fn spent(&self, key: KeyId) -> bool {
        match self {
            KeyInput::Remaining { left, max } => {
                let max = max.or(key.spec().max);
                match max {
                    Some(m) => *left < m,
                    None => true,
                }
            }
            KeyInput::Locked => true,
            KeyInput::Unknown
            | KeyInput::Verified
            | KeyInput::Absent
            | KeyInput::Unexpected { .. } => false,
        }
    }
}

/// What a card reading says about the card itself.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CardFacts {
    /// My Number Card, 住基カード, phone JPKI or unknown.
    pub kind: CardKind,
    /// Whether a 署名用 certificate is issued (JPKI AP EF 00 08).
    pub signature_certificate: SignatureCertificate,
    /// Whether the certificates have expired, at the time of reading.
    pub certificate_status: CertificateStatus,
    /// The certificates' expiry date, `YYYY-MM-DD` in Japan time.
    pub certificate_expiry: Option<String>,
    /// Nothing on the card looked like a My Number Card applet.
    pub foreign: bool,
    /// The card refused (or garbled) a read of its identity or certificate
    /// (`CardReport::has_gap`): never "nothing to do" (issue 19).
    #[serde(default)]
    pub gap: bool,
}

/// Everything the engine decides from.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub struct AdviceInput {
    /// What the card said about itself; `None` without a card.
    pub card: Option<CardFacts>,
    /// Per key state.
    pub keys: PerKey<KeyInput>,
    /// What only the holder knows.
    pub facts: Facts,
}

impl AdviceInput {
    /// From a card reading plus the holder's facts.
    pub fn from_report(report: &CardReport, facts: Facts) -> AdviceInput {
        let keys = PerKey::from_fn(|id| {
            report
                .key(id)
                .map(KeyInput::from_report)
                .unwrap_or_default()
        });
        AdviceInput {
            card: Some(CardFacts {
                kind: report.card.kind,
                signature_certificate: report.card.signature_certificate,
                certificate_status: report.card.certificate_status,
                certificate_expiry: report.card.certificate_expiry.clone(),
                foreign: report.is_foreign_card(),
                gap: report.has_gap(),
            }),
            keys,
            facts,
        }
    }

    /// Without a card: what the holder said about each key.
    pub fn without_card(keys: PerKey<KeyInput>, facts: Facts) -> AdviceInput {
        AdviceInput {
            card: None,
            keys,
            facts,
        }
    }
}
