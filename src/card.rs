//! The layout of a My Number Card: its applets, the PIN key references a
//! holder can lock, the diagnostic keys, and the public files this tool reads.
//!
//! Owns: every AID and EF number, each with its source. Must not: talk to a
//! card (that is `probe`) or decide what to tell a person (that is `advice`).
//! Source for all facts here: docs/protocol.md §1, §2, §4.

use crate::apdu::{Aid, FileId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The applets (DFs) this tool selects.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Applet {
    /// 公的個人認証AP (JPKI AP): the two certificates and their PINs.
    Jpki,
    /// 券面事項入力補助AP: the card-info input-support PIN.
    Kenhojo,
    /// 住基AP: the Basic Resident Register PIN (first key reference).
    Juki,
    /// 共通AP: the Basic Resident Register PIN (second key reference).
    Common,
    /// 券面事項確認AP: only diagnostic keys.
    Kenmen,
}

impl Applet {
    /// Every applet, in the order a full read visits them.
    pub const ALL: [Applet; 5] = [
        Applet::Jpki,
        Applet::Kenhojo,
        Applet::Juki,
        Applet::Common,
        Applet::Kenmen,
    ];

    /// The applet's AID (protocol.md §1).
    pub const fn aid(self) -> Aid {
        Aid::new(match self {
            Applet::Jpki => [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01],
            Applet::Kenhojo => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08],
            Applet::Juki => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01],
            Applet::Common => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00],
            Applet::Kenmen => [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02],
        })
    }

    /// A short stable name, as used in profiles and JSON.
    pub const fn name(self) -> &'static str {
        match self {
            Applet::Jpki => "jpki",
            Applet::Kenhojo => "kenhojo",
            Applet::Juki => "juki",
            Applet::Common => "common",
            Applet::Kenmen => "kenmen",
        }
    }

    /// Parses [`Applet::name`].
    pub fn from_name(name: &str) -> Option<Applet> {
        Applet::ALL.into_iter().find(|a| a.name() == name)
    }
}

impl fmt::Display for Applet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One PIN key reference on the card: an applet and the PIN's EF.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct KeyRef {
    /// The applet holding the key.
    pub applet: Applet,
    /// The PIN EF inside it.
    pub ef: FileId,
}

/// The rows of the report: what a holder calls a PIN, or a diagnostic key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum KeyId {
    /// 利用者証明用電子証明書の暗証番号 (4 digits, 3 tries).
    Auth,
    /// 署名用電子証明書の暗証番号 / パスワード (6-16 chars, 5 tries).
    Sign,
    /// 券面事項入力補助用暗証番号 (4 digits, 3 tries).
    Kenhojo,
    /// 住民基本台帳用暗証番号 (4 digits, 3 tries), two key references.
    Juki,
    /// Diagnostic: 照合番号A in 券面事項入力補助AP (EF 00 14).
    KenhojoA,
    /// Diagnostic: 照合番号B in 券面事項入力補助AP (EF 00 15).
    KenhojoB,
    /// Diagnostic: 照合番号A in 券面事項確認AP (EF 00 13).
    KenmenA,
    /// Diagnostic: 照合番号B in 券面事項確認AP (EF 00 12).
    KenmenB,
}

/// What the tool knows about one row: where to read it and its maximum.
#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    /// The row.
    pub id: KeyId,
    /// The key references to read; more than one only for `juki`.
    pub refs: &'static [KeyRef],
    /// The documented maximum of tries; `None` for diagnostic keys, whose
    /// maximum is not reliably documented (protocol.md §1).
    pub max: Option<u8>,
    /// Shown only when diagnostics are asked for.
    pub diagnostic: bool,
}

const fn kr(applet: Applet, ef: u16) -> KeyRef {
    KeyRef {
        applet,
        ef: FileId(ef),
    }
}

/// Every row in report order (protocol.md §1). 入力補助AP EF 00 12 is absent
/// on purpose: it is issued blocked on every card surveyed and is not a user
/// key, so it must never be shown as a lock.
pub const KEYS: [KeySpec; 8] = [
    KeySpec {
        id: KeyId::Auth,
        refs: &[kr(Applet::Jpki, 0x0018)],
        max: Some(3),
        diagnostic: false,
    },
    KeySpec {
        id: KeyId::Sign,
        refs: &[kr(Applet::Jpki, 0x001B)],
        max: Some(5),
        diagnostic: false,
    },
    KeySpec {
        id: KeyId::Kenhojo,
        refs: &[kr(Applet::Kenhojo, 0x0011)],
        max: Some(3),
        diagnostic: false,
    },
    KeySpec {
        id: KeyId::Juki,
        refs: &[kr(Applet::Juki, 0x001C), kr(Applet::Common, 0x001C)],
        max: Some(3),
        diagnostic: false,
    },
    KeySpec {
        id: KeyId::KenhojoA,
        refs: &[kr(Applet::Kenhojo, 0x0014)],
        max: None,
        diagnostic: true,
    },
    KeySpec {
        id: KeyId::KenhojoB,
        refs: &[kr(Applet::Kenhojo, 0x0015)],
        max: None,
        diagnostic: true,
    },
    KeySpec {
        id: KeyId::KenmenA,
        refs: &[kr(Applet::Kenmen, 0x0013)],
        max: None,
        diagnostic: true,
    },
    KeySpec {
        id: KeyId::KenmenB,
        refs: &[kr(Applet::Kenmen, 0x0012)],
        max: None,
        diagnostic: true,
    },
];

impl KeyId {
    /// The stable snake_case name used in JSON and on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            KeyId::Auth => "auth",
            KeyId::Sign => "sign",
            KeyId::Kenhojo => "kenhojo",
            KeyId::Juki => "juki",
            KeyId::KenhojoA => "kenhojo_a",
            KeyId::KenhojoB => "kenhojo_b",
            KeyId::KenmenA => "kenmen_a",
            KeyId::KenmenB => "kenmen_b",
        }
    }

    /// Parses [`KeyId::name`].
    pub fn from_name(name: &str) -> Option<KeyId> {
        KEYS.iter().map(|k| k.id).find(|id| id.name() == name)
    }

    /// The spec row for this key.
    pub fn spec(self) -> &'static KeySpec {
        KEYS.iter()
            .find(|k| k.id == self)
            .expect("every KeyId has a row in KEYS")
    }

    /// The holder-facing keys (not diagnostic), in report order.
    pub const HOLDER_KEYS: [KeyId; 4] = [KeyId::Auth, KeyId::Sign, KeyId::Kenhojo, KeyId::Juki];
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// JPKI AP EF 00 06: the token label, 32 bytes ASCII, space padded
/// (protocol.md §4).
pub const EF_TOKEN_LABEL: FileId = FileId(0x0006);
/// JPKI AP EF 00 08: certificate availability, 3 bytes (protocol.md §4).
pub const EF_CERT_AVAILABILITY: FileId = FileId(0x0008);
/// JPKI AP EF 00 0A: the authentication certificate, DER, public
/// (protocol.md §2, §5). The signature certificate (EF 00 01) needs the
/// signature password and is never read.
pub const EF_AUTH_CERTIFICATE: FileId = FileId(0x000A);

/// The kinds of card (or token) a JPKI token label names (protocol.md §4).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CardKind {
    /// `JPKIAPICCTOKEN2`: a My Number Card.
    MyNumberCard,
    /// `JPKIAPICCTOKEN`: the old 住基カード.
    JukiCard,
    /// `JPKIAPGPSETOKEN` or `JPKIAPIOSTOKEN`: smartphone JPKI.
    PhoneJpki,
    /// Anything else, including a card without the JPKI applet.
    Unknown,
}

impl CardKind {
    /// Classifies a token label; trailing spaces and NULs are ignored and the
    /// match is exact (`JPKIAPICCTOKEN` is a prefix of `JPKIAPICCTOKEN2`).
    pub fn from_token_label(label: &str) -> CardKind {
        match label.trim_end_matches([' ', '\0']) {
            "JPKIAPICCTOKEN2" => CardKind::MyNumberCard,
            "JPKIAPICCTOKEN" => CardKind::JukiCard,
            "JPKIAPGPSETOKEN" | "JPKIAPIOSTOKEN" => CardKind::PhoneJpki,
            _ => CardKind::Unknown,
        }
    }
    /// The stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            CardKind::MyNumberCard => "my_number_card",
            CardKind::JukiCard => "juki_card",
            CardKind::PhoneJpki => "phone_jpki",
            CardKind::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_labels() {
        assert_eq!(
            CardKind::from_token_label("JPKIAPICCTOKEN2                 "),
            CardKind::MyNumberCard
        );
        assert_eq!(
            CardKind::from_token_label("JPKIAPICCTOKEN                  "),
            CardKind::JukiCard
        );
        assert_eq!(
            CardKind::from_token_label("JPKIAPGPSETOKEN"),
            CardKind::PhoneJpki
        );
        assert_eq!(
            CardKind::from_token_label("JPKIAPIOSTOKEN\0\0"),
            CardKind::PhoneJpki
        );
        assert_eq!(
            CardKind::from_token_label("JPKIAPICCTOKEN3"),
            CardKind::Unknown
        );
    }

    #[test]
    fn names_round_trip() {
        for spec in KEYS {
            assert_eq!(KeyId::from_name(spec.id.name()), Some(spec.id));
        }
        for a in Applet::ALL {
            assert_eq!(Applet::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn the_issued_blocked_ef_0012_of_kenhojo_is_never_read() {
        assert!(!KEYS
            .iter()
            .flat_map(|k| k.refs)
            .any(|r| r.applet == Applet::Kenhojo && r.ef == FileId(0x0012)));
    }
}
