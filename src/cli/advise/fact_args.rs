//! The fact flags (`--knows`, `--forgot`, `--moved`, `--age`, `--who`,
//! `--now`...) shared by the card reading and `advise`, and how they become
//! [`Facts`]. Must not: print, or read a card.

use super::AdviseError;
use crate::advice::facts::{AgeBand, Answer, Facts, Purpose, Who};
use crate::advice::vocab;
use crate::card::KeyId;
use crate::japan_time::in_japan;
use crate::lang::Lang;
use clap::{Args, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `--lost`'s help, with the hotline from `vocab::HOTLINE` (issue 16: the
/// number is written in one place).
static LOST_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "The card is lost or stolen: suspend it first ({}, 24 h)",
        vocab::HOTLINE
    )
});

/// A PIN, as named on the command line. Its help is the vocabulary's name
/// (src/advice/vocab.rs) and where the PIN is asked for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum PinArg {
    /// The 利用者証明用 PIN.
    #[value(help = pin_help(KeyId::Auth, "Mynaportal login, convenience-store certificates, e-Tax login, health insurance"))]
    Auth,
    /// The 署名用 password.
    #[value(help = pin_help(KeyId::Sign, "e-Tax signing, adding the card to an iPhone"))]
    Sign,
    /// The 券面事項入力補助用 PIN.
    #[value(help = pin_help(KeyId::Kenhojo, "公金受取口座, auto-fill, adding the card to a phone"))]
    Kenhojo,
    /// The 住民基本台帳用 PIN.
    #[value(help = pin_help(KeyId::Juki, "municipal counter terminals"))]
    Juki,
}

/// A PIN's help line in English: its one name and format from the
/// vocabulary, then where it is asked for.
fn pin_help(key: KeyId, used_for: &str) -> String {
    format!(
        "{} ({}): {used_for}",
        vocab::pin_name(key, Lang::En),
        vocab::pin_format(key, Lang::En)
    )
}

impl PinArg {
    /// The key it names.
    pub const fn key(self) -> KeyId {
        match self {
            PinArg::Auth => KeyId::Auth,
            PinArg::Sign => KeyId::Sign,
            PinArg::Kenhojo => KeyId::Kenhojo,
            PinArg::Juki => KeyId::Juki,
        }
    }
}

/// The holder's age band.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum AgeArg {
    /// Under 15: the legal representative goes; no kiosk.
    Under15,
    /// 15 to 17: may hold a 署名用 certificate.
    #[value(name = "15-17")]
    From15To17,
    /// 18 or over.
    Adult,
}

/// Who will go to the counter.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum WhoArg {
    /// The holder in person.
    Holder,
    /// A legal representative (法定代理人).
    LegalRep,
    /// An appointed proxy (任意代理人): two visits.
    Proxy,
}

/// The service the holder was using.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum PurposeArg {
    /// Health insurance use at a hospital (マイナ保険証).
    HealthInsurance,
    /// e-Tax.
    ETax,
    /// Mynaportal login.
    Mynaportal,
    /// Convenience-store certificate printing (コンビニ交付).
    ConvenienceStoreCertificate,
    /// 公金受取口座 registration.
    KokinAccount,
    /// Adding the card to an iPhone.
    Iphone,
    /// Municipal counter terminals (moving in, address change).
    MunicipalTerminal,
    /// Something else.
    Other,
}

impl PurposeArg {
    const fn purpose(self) -> Purpose {
        match self {
            PurposeArg::HealthInsurance => Purpose::HealthInsurance,
            PurposeArg::ETax => Purpose::ETax,
            PurposeArg::Mynaportal => Purpose::Mynaportal,
            PurposeArg::ConvenienceStoreCertificate => Purpose::ConvenienceStoreCertificate,
            PurposeArg::KokinAccount => Purpose::KokinAccount,
            PurposeArg::Iphone => Purpose::Iphone,
            PurposeArg::MunicipalTerminal => Purpose::MunicipalTerminal,
            PurposeArg::Other => Purpose::Other,
        }
    }
}

/// What only the holder knows, as flags. Anything not given stays unknown:
/// the advice then says what it depends on.
#[derive(Args, Clone, Debug, Default, PartialEq, Eq)]
#[command(next_help_heading = "What only the holder knows (each unknown unless given)")]
pub struct FactArgs {
    /// The holder remembers this PIN (repeatable). The kiosk resets one
    /// JPKI PIN using the other, so knowing the other one matters.
    #[arg(long, value_name = "KEY")]
    pub knows: Vec<PinArg>,
    /// The holder does not remember this PIN, or is unsure (repeatable).
    /// With 1 try left and any doubt, treat it as forgotten.
    #[arg(long, value_name = "KEY")]
    pub forgot: Vec<PinArg>,
    /// Moved house or changed name since the certificates were issued: this
    /// revokes the 署名用 certificate (the kiosk then cannot be used).
    #[arg(long, conflicts_with = "not_moved")]
    pub moved: bool,
    /// No move or name change since the certificates were issued.
    #[arg(long)]
    pub not_moved: bool,
    /// The holder's age: under 15 goes with the legal representative and
    /// cannot use the kiosk.
    #[arg(long, value_name = "AGE")]
    pub age: Option<AgeArg>,
    /// The holder is an adult ward (成年被後見人 etc.): legal representative,
    /// no kiosk.
    #[arg(long, conflicts_with = "not_adult_ward")]
    pub adult_ward: bool,
    /// The holder is not an adult ward.
    #[arg(long)]
    pub not_adult_ward: bool,
    /// The card says 「顔認証」 in its 追記欄: it has no PIN route.
    #[arg(long)]
    pub face_auth_card: bool,
    /// The holder has a smartphone with NFC, a camera and internet (needed
    /// for the kiosk route's 「JPKI暗証番号リセット」 app).
    #[arg(long, conflicts_with = "no_smartphone")]
    pub smartphone: bool,
    /// No such smartphone: the kiosk route is closed, go to the counter.
    #[arg(long)]
    pub no_smartphone: bool,
    /// Who will go: the holder, a legal representative (法定代理人) or an
    /// appointed proxy (任意代理人, two visits).
    #[arg(long, value_name = "WHO")]
    pub who: Option<WhoArg>,
    /// The service the holder was using (repeatable); it tells which PINs
    /// are needed.
    #[arg(long = "purpose", value_name = "SERVICE")]
    pub purposes: Vec<PurposeArg>,
    /// Health insurance use is the only need (same as --purpose
    /// health-insurance alone).
    #[arg(long)]
    pub health_insurance_only: bool,
    /// The expiry date printed on the card has passed: a new card.
    #[arg(long)]
    pub card_expired: bool,
    /// The electronic certificates have expired (a card reading tells this
    /// by itself): renewal at the counter.
    #[arg(long)]
    pub certificate_expired: bool,
    /// The card is lost or stolen: suspend it first (the hotline, 24 h).
    #[arg(long, help = LOST_HELP.as_str())]
    pub lost: bool,
    /// The card is damaged or its chip unreadable: reissue.
    #[arg(long)]
    pub damaged: bool,
    /// The trouble is the smartphone's own certificate (Android
    /// スマホ用電子証明書 or iPhone): the Mynaportal app.
    #[arg(long)]
    pub phone_certificate: bool,
    /// Fix the clock, RFC 3339 (e.g. 2026-11-22T23:10:00+09:00); default:
    /// the system clock. Advice times are Japan time. Accepted from
    /// 1900-01-01 to 9999-12-30 (Japan time); outside is a usage error.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<OffsetDateTime>,
}

/// The range `--now` accepts, in Japan time: wide enough for any test of
/// past or future rules, and a day inside the limits of the date type, so
/// that every date computed from it (Japan time, "within 24 hours", days to
/// a certificate's expiry) stays representable. Outside it is a usage
/// error, never a clamp: a silently moved clock would give silently wrong
/// advice.
pub const NOW_RANGE: (OffsetDateTime, OffsetDateTime) = (
    time::macros::datetime!(1900-01-01 00:00:00 +09:00),
    time::macros::datetime!(9999-12-30 23:59:59 +09:00),
);

/// Parses `--now`: RFC 3339, inside [`NOW_RANGE`].
pub fn parse_now(s: &str) -> Result<OffsetDateTime, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time like 2026-11-22T23:10:00+09:00: {e}"))?;
    if t < NOW_RANGE.0 || t > NOW_RANGE.1 {
        return Err(format!(
            "{s} is outside the supported range 1900-01-01T00:00:00+09:00 to \
             9999-12-30T23:59:59+09:00: give a time inside it"
        ));
    }
    Ok(in_japan(t))
}

impl FactArgs {
    /// The facts these flags state. Fails when a PIN is both known and
    /// forgotten.
    pub fn to_facts(&self) -> Result<Facts, AdviseError> {
        let mut f = Facts::default();
        for p in &self.knows {
            if let Some(slot) = f.knows.get_mut(p.key()) {
                *slot = Answer::Yes;
            }
        }
        for p in &self.forgot {
            if self.knows.contains(p) {
                return Err(AdviseError::KnowsAndForgot(p.key()));
            }
            if let Some(slot) = f.knows.get_mut(p.key()) {
                *slot = Answer::No;
            }
        }
        f.moved = flag(self.moved, self.not_moved);
        f.age = match self.age {
            Some(AgeArg::Under15) => AgeBand::Under15,
            Some(AgeArg::From15To17) => AgeBand::From15To17,
            Some(AgeArg::Adult) => AgeBand::Adult,
            None => AgeBand::Unknown,
        };
        f.adult_ward = flag(self.adult_ward, self.not_adult_ward);
        f.face_auth_card = flag(self.face_auth_card, false);
        f.smartphone = flag(self.smartphone, self.no_smartphone);
        f.who = match self.who {
            Some(WhoArg::Holder) => Who::Holder,
            Some(WhoArg::LegalRep) => Who::LegalRep,
            Some(WhoArg::Proxy) => Who::Proxy,
            None => Who::Unknown,
        };
        f.purposes = self.purposes.iter().map(|p| p.purpose()).collect();
        f.only_health_insurance = flag(self.health_insurance_only, false);
        f.card_expired = flag(self.card_expired, false);
        f.certificate_expired = flag(self.certificate_expired, false);
        f.lost = flag(self.lost, false);
        f.damaged = flag(self.damaged, false);
        f.phone_certificate = flag(self.phone_certificate, false);
        Ok(f)
    }

    /// `--now`, or the system clock; in Japan time.
    pub fn now(&self) -> OffsetDateTime {
        in_japan(self.now.unwrap_or_else(OffsetDateTime::now_utc))
    }
}

/// A flag pair: yes, no, or (neither) unknown. A lone positive flag cannot
/// say "no": absence of `--lost` is not a statement that the card is not
/// lost.
fn flag(yes: bool, no: bool) -> Answer {
    match (yes, no) {
        (true, _) => Answer::Yes,
        (false, true) => Answer::No,
        (false, false) => Answer::Unknown,
    }
}

/// `KEY=N` for `--tries`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TriesArg {
    /// The key.
    pub key: KeyId,
    /// Tries left (0 = locked).
    pub tries: u8,
}

pub(super) fn parse_tries(s: &str) -> Result<TriesArg, String> {
    let (k, n) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=N, like sign=2, got {s:?}"))?;
    let key = match k.trim() {
        "auth" => KeyId::Auth,
        "sign" => KeyId::Sign,
        "kenhojo" => KeyId::Kenhojo,
        "juki" => KeyId::Juki,
        other => {
            return Err(format!(
                "unknown PIN {other:?}: use auth, sign, kenhojo or juki"
            ))
        }
    };
    let tries: u8 = n
        .trim()
        .parse()
        .map_err(|_| format!("not a number of tries: {n:?}"))?;
    let max = key.spec().max.unwrap_or(u8::MAX);
    if tries > max {
        return Err(format!("{key} has at most {max} tries"));
    }
    Ok(TriesArg { key, tries })
}
