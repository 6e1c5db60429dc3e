//! Card profiles: readable TOML files in `apdu/profiles/` that describe one
//! simulated card state, and optionally what a correct reader must conclude
//! from it (`[expect]`, checked by tests/profiles.rs). The format is
//! documented in apdu/README.md.
//!
//! Owns: parsing profiles, the built-in profile list (compiled into the
//! binary, so `--sim fresh` works from any directory) and turning a profile
//! into a [`SimCard`] with the standard My Number Card layout
//! (protocol.md §1). Must not: hold card logic (that is `sim`).

use super::{cert, SimApplet, SimCard, SimFile, SimPin};
use crate::apdu::{parse_hex, StatusWord};
use crate::card::Applet;
use crate::lang::Lang;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Every profile shipped in `apdu/profiles/`, by name. tests/profiles.rs
/// checks this list matches the folder, so none is forgotten.
pub const BUILTIN_PROFILES: &[(&str, &str)] = &[
    ("fresh", include_str!("../../apdu/profiles/fresh.toml")),
    (
        "fresh-contactless",
        include_str!("../../apdu/profiles/fresh-contactless.toml"),
    ),
    (
        "auth-locked",
        include_str!("../../apdu/profiles/auth-locked.toml"),
    ),
    (
        "auth-verified",
        include_str!("../../apdu/profiles/auth-verified.toml"),
    ),
    (
        "sign-1-left",
        include_str!("../../apdu/profiles/sign-1-left.toml"),
    ),
    (
        "sign-locked-6984",
        include_str!("../../apdu/profiles/sign-locked-6984.toml"),
    ),
    (
        "both-jpki-locked",
        include_str!("../../apdu/profiles/both-jpki-locked.toml"),
    ),
    (
        "kenhojo-locked",
        include_str!("../../apdu/profiles/kenhojo-locked.toml"),
    ),
    (
        "juki-mismatch",
        include_str!("../../apdu/profiles/juki-mismatch.toml"),
    ),
    (
        "juki-applet-absent",
        include_str!("../../apdu/profiles/juki-applet-absent.toml"),
    ),
    (
        "phone-jpki",
        include_str!("../../apdu/profiles/phone-jpki.toml"),
    ),
    (
        "juki-card",
        include_str!("../../apdu/profiles/juki-card.toml"),
    ),
    (
        "not-my-number-card",
        include_str!("../../apdu/profiles/not-my-number-card.toml"),
    ),
    (
        "certificate-expired",
        include_str!("../../apdu/profiles/certificate-expired.toml"),
    ),
    (
        "certificate-no-expiry",
        include_str!("../../apdu/profiles/certificate-no-expiry.toml"),
    ),
    (
        "no-signature-certificate",
        include_str!("../../apdu/profiles/no-signature-certificate.toml"),
    ),
    ("odd-sw", include_str!("../../apdu/profiles/odd-sw.toml")),
    (
        "above-max",
        include_str!("../../apdu/profiles/above-max.toml"),
    ),
    (
        "first-command-6f00",
        include_str!("../../apdu/profiles/first-command-6f00.toml"),
    ),
    (
        "certificate-refused",
        include_str!("../../apdu/profiles/certificate-refused.toml"),
    ),
    (
        "contactless-type-b-atr",
        include_str!("../../apdu/profiles/contactless-type-b-atr.toml"),
    ),
    (
        "unknown-token-label",
        include_str!("../../apdu/profiles/unknown-token-label.toml"),
    ),
];

/// Why a profile could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// Neither a built-in name nor a readable file.
    #[error("no built-in profile {name:?} and no readable profile file ({io}); built-in profiles: {}", builtin_names().join(", "))]
    NotFound {
        /// What was asked for.
        name: String,
        /// The file error.
        io: String,
    },
    /// The TOML is malformed or has unknown fields.
    #[error("profile {name}: {message}")]
    Invalid {
        /// The profile.
        name: String,
        /// What is wrong, with the line when TOML knows it.
        message: String,
    },
}

/// The names of the built-in profiles.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN_PROFILES.iter().map(|(n, _)| *n).collect()
}

/// Which standard layout a profile starts from.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// All five applets (protocol.md §1).
    #[default]
    MyNumberCard,
    /// Old 住基カード: JPKI AP (label `JPKIAPICCTOKEN`) and 住基AP only. An
    /// assumed layout: no public trace of one was found.
    JukiCard,
    /// Smartphone JPKI: JPKI AP only (protocol.md §1 notes, §4).
    PhoneJpki,
    /// A card with none of these applets (a transit or bank card).
    None,
}

/// One PIN's state in a profile.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PinSpec {
    /// Tries left (default: the maximum).
    pub tries: Option<u8>,
    /// Maximum (default: the documented one).
    pub max: Option<u8>,
    /// What a locked key answers to the status VERIFY (default `63C0`).
    pub locked_sw: Option<String>,
    /// A fixed answer to the status VERIFY (e.g. `9000`, `6A86`).
    pub answer: Option<String>,
    /// The key reference is not on the card (SELECT EF answers `6A82`).
    #[serde(default)]
    pub absent: bool,
    /// The correct PIN (ASCII), for tests of the violation path only.
    pub pin: Option<String>,
}

/// The authentication certificate's validity.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateSpec {
    /// `YYYY-MM-DD`.
    pub not_before: String,
    /// `YYYY-MM-DD` (stored as 23:59:59 Japan time on that date), or an
    /// exact RFC 3339 instant (`9999-12-31T23:59:59Z`, RFC 5280's "no
    /// well-defined expiration").
    pub not_after: String,
}

/// What a correct reader must conclude (all optional).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(not(feature = "internals"), allow(dead_code))] // read by tests/profiles.rs
pub struct Expect {
    /// `card.kind` in JSON.
    pub kind: Option<String>,
    /// `card.signature_certificate`.
    pub signature_certificate: Option<String>,
    /// `card.certificate_expiry`.
    pub certificate_expiry: Option<String>,
    /// `card.certificate_status`.
    pub certificate_status: Option<String>,
    /// Per key: `remaining N`, `locked`, `verified`, `absent`, `unexpected XXXX`.
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// The `juki` row's mismatch flag.
    pub juki_mismatch: Option<bool>,
    /// The exit code of `jpki-status --sim NAME --no-input --now <expect.now>`.
    pub exit: Option<u8>,
    /// The advice route of the same run.
    pub route: Option<String>,
    /// `card.contactless`: what the reading says of the interface (from
    /// the reader's name or the ATR).
    pub contactless: Option<bool>,
}

/// A parsed profile.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Its name (file stem or built-in name); not in the file.
    #[serde(skip)]
    pub name: String,
    /// One sentence: what card state this is and why it is interesting.
    pub description: String,
    /// The same sentence in Japanese, for `jpki-status --lang ja profiles`
    /// (built-in profiles have one; a test checks it).
    #[serde(default)]
    pub description_ja: Option<String>,
    /// Where the facts come from: `synthetic` or `recorded <date> <reader>`.
    #[cfg_attr(not(feature = "internals"), allow(dead_code))] // read by tests
    #[serde(default = "synthetic")]
    pub source: String,
    /// The starting layout.
    #[serde(default)]
    pub layout: Layout,
    /// The ATR, hex (default: a known contact My Number Card ATR, or a
    /// contactless one when `contactless`).
    pub atr: Option<String>,
    /// Present the card as contactless (NFC).
    #[serde(default)]
    pub contactless: bool,
    /// JPKI AP EF 00 06 content, ASCII (padded to 32 bytes with spaces).
    pub token_label: Option<String>,
    /// JPKI AP EF 00 08 content, hex (default `8F8F00`).
    pub certificate_availability: Option<String>,
    /// The authentication certificate (EF 00 0A).
    pub certificate: Option<CertificateSpec>,
    /// Applets that answer `6A 82` (`jpki`, `kenhojo`, `juki`, `common`, `kenmen`).
    #[serde(default)]
    pub absent_applets: Vec<String>,
    /// Files to remove, as `applet:EFID` (e.g. `jpki:000A`).
    #[serde(default)]
    pub absent_files: Vec<String>,
    /// Files that need a PIN to read (READ BINARY answers `69 82`), as
    /// `applet:EFID`: the smartphone token's authentication certificate
    /// (real-card-evidence.md §1.1).
    #[serde(default)]
    pub protected_files: Vec<String>,
    /// The answer to the first command after each power-up (e.g. `6F00`,
    /// real-card-evidence.md §3).
    pub power_up_answer: Option<String>,
    /// PIN states by name: `auth`, `sign`, `kenhojo`, `juki`, `juki_common`,
    /// `kenhojo_a`, `kenhojo_b`, `kenhojo_0012`, `kenmen_a`, `kenmen_b`.
    #[serde(default)]
    pub pins: BTreeMap<String, PinSpec>,
    /// Expected conclusions.
    #[cfg_attr(not(feature = "internals"), allow(dead_code))] // read by tests
    pub expect: Option<Expect>,
}

fn synthetic() -> String {
    "synthetic".to_string()
}

/// Where each named PIN lives, its default maximum and default tries
/// (protocol.md §1). The diagnostic 照合番号 keys have no documented maximum;
/// 10 is this simulator's assumption. 入力補助AP EF 00 12 is issued blocked on
/// every card surveyed, so it starts at 0.
const PIN_LOCATIONS: &[(&str, Applet, u16, u8, u8)] = &[
    ("auth", Applet::Jpki, 0x0018, 3, 3),
    ("sign", Applet::Jpki, 0x001B, 5, 5),
    ("kenhojo", Applet::Kenhojo, 0x0011, 3, 3),
    ("kenhojo_0012", Applet::Kenhojo, 0x0012, 10, 0),
    ("kenhojo_a", Applet::Kenhojo, 0x0014, 10, 10),
    ("kenhojo_b", Applet::Kenhojo, 0x0015, 10, 10),
    ("juki", Applet::Juki, 0x001C, 3, 3),
    ("juki_common", Applet::Common, 0x001C, 3, 3),
    ("kenmen_a", Applet::Kenmen, 0x0013, 10, 10),
    ("kenmen_b", Applet::Kenmen, 0x0012, 10, 10),
];

const CONTACT_ATR: &str = "3B E0 00 FF 81 31 FE 45 14";
const CONTACTLESS_ATR: &str = "3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F";
const FOREIGN_ATR: &str = "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A";

impl Profile {
    /// Loads a built-in profile by name, or a file by path.
    pub fn load(spec: &str) -> Result<Profile, ProfileError> {
        if let Some((name, text)) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == spec) {
            return Profile::parse(name, text);
        }
        let path = Path::new(spec);
        match crate::input::read_text_file(path) {
            Ok(text) => {
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| spec.to_string());
                Profile::parse(&name, &text)
            }
            Err(e) => Err(ProfileError::NotFound {
                name: spec.to_string(),
                io: e.to_string(),
            }),
        }
    }

    /// Parses profile text and checks it can build a card.
    pub fn parse(name: &str, text: &str) -> Result<Profile, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            name: name.to_string(),
            message,
        };
        let mut profile: Profile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        profile.name = name.to_string();
        profile.build().map_err(invalid)?;
        Ok(profile)
    }

    /// The simulated card this profile describes.
    pub fn card(&self) -> SimCard {
        // `parse` already ran `build` successfully on this same value.
        self.build()
            .unwrap_or_else(|_| SimCard::new(&self.name, vec![0x3B, 0x00], false, vec![]))
    }

    /// The PIN file `name` (built-in maximum `max`, default `tries`), with
    /// the profile's settings; `None` when the profile says it is absent.
    fn pin_file(&self, name: &str, max: u8, tries: u8) -> Result<Option<SimFile>, String> {
        let spec = self.pins.get(name).cloned().unwrap_or_default();
        if spec.absent {
            return Ok(None);
        }
        let sw = |field: &str, v: &Option<String>| -> Result<Option<StatusWord>, String> {
            v.as_deref()
                .map(|t| {
                    StatusWord::parse_hex(t)
                        .ok_or(format!("pins.{name}.{field}: {t:?} is not 4 hex digits"))
                })
                .transpose()
        };
        let max = spec.max.unwrap_or(max);
        let tries = spec.tries.unwrap_or(tries.min(max));
        if tries > 15 {
            return Err(format!(
                "pins.{name}.tries: {tries} does not fit in 63 Cx (at most 15)"
            ));
        }
        Ok(Some(SimFile::Pin(SimPin {
            name: name.to_string(),
            tries,
            max,
            locked_sw: sw("locked_sw", &spec.locked_sw)?
                .unwrap_or(StatusWord::BLOCKED_COUNTER_ZERO),
            status_answer: sw("answer", &spec.answer)?,
            pin: spec.pin.map(String::into_bytes),
            verified: false,
        })))
    }

    /// EF 0006's token label: the profile's or the layout's, space-padded
    /// to 32 bytes.
    fn token_label(&self) -> Result<Vec<u8>, String> {
        let default_label = match self.layout {
            Layout::JukiCard => "JPKIAPICCTOKEN",
            Layout::PhoneJpki => "JPKIAPGPSETOKEN",
            _ => "JPKIAPICCTOKEN2",
        };
        let mut label = self
            .token_label
            .clone()
            .unwrap_or_else(|| default_label.to_string())
            .into_bytes();
        if label.len() > 32 {
            return Err("token_label: longer than 32 bytes".into());
        }
        label.resize(32, b' ');
        Ok(label)
    }

    /// The ATR: the profile's, or the layout's and interface's default.
    fn atr(&self) -> Result<Vec<u8>, String> {
        let default_atr = match (self.layout, self.contactless) {
            (Layout::None, _) => FOREIGN_ATR,
            (_, true) => CONTACTLESS_ATR,
            (_, false) => CONTACT_ATR,
        };
        let atr = parse_hex(self.atr.as_deref().unwrap_or(default_atr))
            .map_err(|e| format!("atr: {e}"))?;
        if atr.is_empty() || atr.len() > 33 {
            return Err("atr: must be 1 to 33 bytes".into());
        }
        Ok(atr)
    }

    /// The applet names in `absent_applets` and the PIN names in `pins`
    /// are known ones.
    fn check_names(&self) -> Result<(), String> {
        for a in &self.absent_applets {
            Applet::from_name(a).ok_or_else(|| format!("absent_applets: unknown applet {a:?}"))?;
        }
        for key in self.pins.keys() {
            if !PIN_LOCATIONS.iter().any(|(n, ..)| n == key) {
                let names: Vec<&str> = PIN_LOCATIONS.iter().map(|(n, ..)| *n).collect();
                return Err(format!(
                    "pins.{key}: unknown PIN; known: {}",
                    names.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// Takes the files named in `absent_files` (`applet:EFID`) out of the
    /// built applets.
    fn remove_absent_files(
        &self,
        applets: &mut [(Applet, BTreeMap<u16, SimFile>)],
    ) -> Result<(), String> {
        for (field, list) in [
            ("absent_files", &self.absent_files),
            ("protected_files", &self.protected_files),
        ] {
            for f in list {
                let (a, ef) = f
                    .split_once(':')
                    .ok_or(format!("{field}: {f:?} is not applet:EFID"))?;
                let a = Applet::from_name(a).ok_or(format!("{field}: unknown applet in {f:?}"))?;
                let ef =
                    u16::from_str_radix(ef, 16).map_err(|_| format!("{field}: bad EF in {f:?}"))?;
                if let Some((_, files)) = applets.iter_mut().find(|(x, _)| *x == a) {
                    if field == "absent_files" {
                        files.remove(&ef);
                    } else if files.contains_key(&ef) {
                        files.insert(ef, SimFile::Protected);
                    }
                }
            }
        }
        Ok(())
    }

    fn build(&self) -> Result<SimCard, String> {
        let applets_in_layout: &[Applet] = match self.layout {
            Layout::MyNumberCard => &Applet::ALL,
            Layout::JukiCard => &[Applet::Jpki, Applet::Juki],
            Layout::PhoneJpki => &[Applet::Jpki],
            Layout::None => &[],
        };
        self.check_names()?;
        let label = self.token_label()?;
        let availability = parse_hex(self.certificate_availability.as_deref().unwrap_or("8F8F00"))
            .map_err(|e| format!("certificate_availability: {e}"))?;
        let (nb, na) = match &self.certificate {
            Some(c) => (parse_date(&c.not_before)?, parse_instant(&c.not_after)?),
            None => (
                parse_date("2025-06-01")?,
                cert::end_of_japan_day(parse_date("2030-06-01")?),
            ),
        };
        let nb = time::PrimitiveDateTime::new(nb, time::Time::MIDNIGHT).assume_utc();
        let certificate = cert::authentication_certificate(nb, na);

        let mut applets = Vec::new();
        for &applet in applets_in_layout {
            if self.absent_applets.iter().any(|a| a == applet.name()) {
                continue;
            }
            let mut files = BTreeMap::new();
            if applet == Applet::Jpki {
                files.insert(0x0006, SimFile::Data(label.clone()));
                files.insert(0x0008, SimFile::Data(availability.clone()));
                files.insert(0x000A, SimFile::Data(certificate.clone()));
                files.insert(0x0001, SimFile::Protected);
            }
            for &(name, at, ef, max, tries) in PIN_LOCATIONS {
                if at != applet {
                    continue;
                }
                // The old 住基カード's JPKI AP is assumed to hold only the
                // signature password (its one certificate was for signing).
                if self.layout == Layout::JukiCard && name == "auth" {
                    continue;
                }
                if let Some(pin) = self.pin_file(name, max, tries)? {
                    files.insert(ef, pin);
                }
            }
            applets.push((applet, files));
        }
        self.remove_absent_files(&mut applets)?;
        let atr = self.atr()?;
        let power_up_answer = self
            .power_up_answer
            .as_deref()
            .map(|t| {
                StatusWord::parse_hex(t)
                    .ok_or(format!("power_up_answer: {t:?} is not 4 hex digits"))
            })
            .transpose()?;
        Ok(SimCard::new(
            &self.name,
            atr,
            self.contactless,
            applets
                .into_iter()
                .map(|(a, files)| SimApplet {
                    aid: a.aid().bytes().to_vec(),
                    files,
                })
                .collect(),
        )
        .with_power_up_answer(power_up_answer))
    }
}

/// An expiry: a date (23:59:59 Japan time on it) or an exact RFC 3339 instant.
fn parse_instant(text: &str) -> Result<time::OffsetDateTime, String> {
    if text.len() > 10 {
        return time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("instant {text:?}: {e} (want YYYY-MM-DD or RFC 3339)"));
    }
    parse_date(text).map(cert::end_of_japan_day)
}

fn parse_date(text: &str) -> Result<time::Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text, format).map_err(|e| format!("date {text:?}: {e} (want YYYY-MM-DD)"))
}

/// A simulated card profile's failure in the output language (issue 18:
/// no English sentence under `--lang ja`; the file system's own English
/// detail is left out there).
fn profile_message(e: &ProfileError, lang: Lang) -> String {
    match (e, lang) {
        (ProfileError::NotFound { name, .. }, Lang::Ja) => format!(
            "「{name}」という名前の組み込みの模擬カードはありません（同じ名前のファイルも読み取れませんでした）。組み込みの模擬カード: {}",
            builtin_names().join("、")
        ),
        (ProfileError::Invalid { name, message }, Lang::Ja) => format!(
            "模擬カードのファイル {name} の書き方に誤りがあります（TOMLの解析: {message}）。"
        ),
        (_, Lang::En) => e.to_string(),
    }
}

impl crate::failure::Failure for ProfileError {
    fn code(&self) -> &'static str {
        "profile"
    }
    fn exit(&self) -> crate::exit::Exit {
        crate::exit::Exit::Usage
    }
    fn describe(&self, lang: Lang) -> (String, String) {
        (
            profile_message(self, lang),
            lang.pick(
                "jpki-status profiles で一覧を表示できます。",
                "See `jpki-status profiles` for the built-in cards.",
            )
            .to_string(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_parses() {
        for (name, _) in BUILTIN_PROFILES {
            Profile::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn unknown_fields_and_pins_are_rejected_with_a_reason() {
        let e =
            Profile::parse("x", "description = \"d\"\ncolour = 1\n").expect_err("unknown field");
        assert!(e.to_string().contains("colour"), "{e}");
        let e = Profile::parse("x", "description = \"d\"\n[pins.pinx]\ntries = 1\n")
            .expect_err("unknown pin");
        assert!(e.to_string().contains("pinx"), "{e}");
    }

    #[test]
    fn unknown_name_lists_the_builtins() {
        let e = Profile::load("no-such-profile").expect_err("missing");
        assert!(e.to_string().contains("fresh"), "{e}");
    }
}
