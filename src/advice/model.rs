//! The words of a decision as data: routes (with their exit codes), rule
//! ids, source keys, questions and their choices, each with a stable
//! snake_case JSON form (docs/json.md). The advice built from them is in
//! `output`.
//!
//! Owns: these closed sets and the route-to-exit-code mapping. Must not:
//! decide (that is `engine`) or hold the human text of a statement (that is
//! `wording`; only the source keys' labels live here).

use super::facts::{AgeBand, Who};
use crate::card::KeyId;
use crate::exit::Exit;
use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// The date the rules in docs/decision-rules.md were last checked
/// against their sources. Every advice carries it.
pub const RULES_CHECKED: &str = "2026-11-26";

/// What to do, overall or for one key.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Route {
    /// Nothing needs doing.
    None,
    /// The Mynaportal app (a smartphone certificate, R14).
    PhoneApp,
    /// The 「JPKI暗証番号リセット」 app and a store kiosk (R5, R7).
    Kiosk,
    /// Depends on a decisive fact not yet known (does the holder remember
    /// the other JPKI PIN, or a PIN with tries left): see `conditions`.
    Conditional,
    /// The municipal counter (R8, R10-R13).
    Counter,
    /// Certificate renewal or reissue at the counter (R6, R9).
    CertificateRenewal,
    /// No PIN services on this card (face-auth card, R2).
    NoPinRoute,
    /// A new card (R0; R1b reissue).
    CardRenewal,
    /// Suspend by phone, then reissue (R1).
    SuspendAndReissue,
}

impl Route {
    /// The stable snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            Route::None => "none",
            Route::PhoneApp => "phone_app",
            Route::Kiosk => "kiosk",
            Route::Conditional => "conditional",
            Route::Counter => "counter",
            Route::CertificateRenewal => "certificate_renewal",
            Route::NoPinRoute => "no_pin_route",
            Route::CardRenewal => "card_renewal",
            Route::SuspendAndReissue => "suspend_and_reissue",
        }
    }

    /// The route's bucket: the one exhaustive classification (issue 16);
    /// the exit code, the slip's colour, "involves the counter" and "print
    /// the office's details" all follow from it.
    pub const fn kind(self) -> RouteKind {
        match self {
            Route::None => RouteKind::Nothing,
            Route::Conditional => RouteKind::Undecided,
            Route::Kiosk | Route::PhoneApp => RouteKind::SelfService,
            Route::Counter
            | Route::CertificateRenewal
            | Route::CardRenewal
            | Route::SuspendAndReissue
            | Route::NoPinRoute => RouteKind::Counter,
        }
    }

    /// A visit to the municipality is part of this route.
    pub const fn involves_counter(self) -> bool {
        matches!(self.kind(), RouteKind::Counter)
    }

    /// The advice may send the holder to the counter (this route, or one
    /// of the branches of an undecided one), so the office's details are
    /// worth printing under it.
    pub const fn may_need_counter(self) -> bool {
        matches!(self.kind(), RouteKind::Counter | RouteKind::Undecided)
    }

    /// The exit code for this route (docs/exit-codes.md).
    pub const fn exit(self) -> Exit {
        match self.kind() {
            RouteKind::Nothing => Exit::Healthy,
            RouteKind::Undecided => Exit::AttentionConditional,
            RouteKind::SelfService => Exit::AttentionSelfService,
            RouteKind::Counter => Exit::AttentionCounter,
        }
    }
}

/// The buckets routes are sorted into ([`Route::kind`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RouteKind {
    /// Nothing needs doing.
    Nothing,
    /// The holder does it alone (kiosk, phone app).
    SelfService,
    /// At the municipal counter.
    Counter,
    /// Depends on an answer not yet known.
    Undecided,
}

/// A rule of decision-rules.md, or one of its non-numbered sections.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[non_exhaustive]
pub enum RuleId {
    /// Card past its printed expiry.
    R0,
    /// Card lost or stolen.
    R1,
    /// Card damaged or chip unreadable.
    #[serde(rename = "R1b")]
    R1b,
    /// Face-auth card.
    R2,
    /// Every needed PIN has tries and is known.
    R3,
    /// Health insurance only, `auth` locked or forgotten.
    R4,
    /// Kiosk for `auth`.
    R5,
    /// 署名用 certificate revoked, expired or never issued.
    R6,
    /// Kiosk for `sign`.
    R7,
    /// Counter for JPKI PINs.
    R8,
    /// Certificate expired.
    R9,
    /// `juki` or `kenhojo`.
    R10,
    /// Counter, holder goes.
    R11,
    /// Counter, under 15 or adult ward.
    R12,
    /// Counter, appointed proxy.
    R13,
    /// The smartphone's own certificate.
    R14,
    /// The "Combining" section.
    #[serde(rename = "combining")]
    Combining,
    /// The "Time" section.
    #[serde(rename = "time")]
    Time,
    /// The "Which service asks for which PIN" section.
    #[serde(rename = "services")]
    Services,
}

impl RuleId {
    /// The id as written in the spec.
    pub const fn name(self) -> &'static str {
        match self {
            RuleId::R0 => "R0",
            RuleId::R1 => "R1",
            RuleId::R1b => "R1b",
            RuleId::R2 => "R2",
            RuleId::R3 => "R3",
            RuleId::R4 => "R4",
            RuleId::R5 => "R5",
            RuleId::R6 => "R6",
            RuleId::R7 => "R7",
            RuleId::R8 => "R8",
            RuleId::R9 => "R9",
            RuleId::R10 => "R10",
            RuleId::R11 => "R11",
            RuleId::R12 => "R12",
            RuleId::R13 => "R13",
            RuleId::R14 => "R14",
            RuleId::Combining => "combining",
            RuleId::Time => "time",
            RuleId::Services => "services",
        }
    }
}

/// Where a statement comes from (decision-rules.md, Sources).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash, PartialOrd, Ord)]
pub enum SourceKey {
    /// National official: J-LIS, デジタル庁, 総務省.
    N,
    /// Municipal official pages.
    M,
    /// Secondary sources.
    S,
    /// Derived by reasoning from N/M facts.
    D,
}

impl SourceKey {
    /// Every key, in the spec's order.
    pub const ALL: [SourceKey; 4] = [SourceKey::N, SourceKey::M, SourceKey::S, SourceKey::D];

    /// What the key stands for (decision-rules.md, Sources).
    pub const fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (SourceKey::N, Lang::Ja) => "国の公式情報（J-LIS、デジタル庁、総務省）",
            (SourceKey::N, Lang::En) => "national official (J-LIS, Digital Agency, MIC)",
            (SourceKey::M, Lang::Ja) => "市区町村の公式ページ",
            (SourceKey::M, Lang::En) => "municipal official pages",
            (SourceKey::S, Lang::Ja) => "二次情報（報道、事業者のサポートページ）",
            (SourceKey::S, Lang::En) => "secondary (news, vendor support pages)",
            (SourceKey::D, Lang::Ja) => "上記の公式情報からの推論（公式の明記なし）",
            (SourceKey::D, Lang::En) => {
                "derived by reasoning from official facts (not stated by them)"
            }
        }
    }
}

/// A source key with its meaning, listed once per advice.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SourceRef {
    /// The key used by statements.
    pub key: SourceKey,
    /// What it stands for, in the advice's language.
    pub label: String,
}

/// A question whose answer can change the route.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Question {
    /// Is the card past its printed expiry date? (R0 vs R9)
    CardExpired,
    /// Is health insurance use the only need? (R4)
    HealthInsuranceOnly,
    /// Does the holder remember the 利用者証明用 PIN?
    KnowsAuth,
    /// Does the holder remember the 署名用 password?
    KnowsSign,
    /// Does the holder remember the 券面事項入力補助用 PIN?
    KnowsKenhojo,
    /// Does the holder remember the 住民基本台帳用 PIN?
    KnowsJuki,
    /// Moved or changed name since the certificates were issued? (R6)
    Moved,
    /// An NFC smartphone with camera and internet? (R5, R7)
    Smartphone,
    /// Age band. (R12)
    Age,
    /// An adult ward? (R12)
    AdultWard,
    /// Who will go (the holder can do the face match)? (R7, R11-R13)
    Who,
    /// Does reading the card again give the same unexpected answer? Not
    /// asked interactively: it needs another reading.
    OddAnswerRepeats,
    /// Is the object on the reader a My Number Card? Raised when nothing
    /// on it answered like one; not asked interactively.
    IsMyNumberCard,
}

impl Question {
    /// A decisive question: it has no usual answer, so an open one leaves
    /// the route open (decision-rules.md, "How the advice is presented").
    /// Every other question is an exception: the route is computed with its
    /// usual answer ([`Question::usual`]) and the answers that change it are
    /// listed in [`Advice::exceptions`](super::decision::Advice::exceptions).
    pub const fn is_decisive(self) -> bool {
        match self {
            Question::KnowsAuth
            | Question::KnowsSign
            | Question::KnowsKenhojo
            | Question::KnowsJuki
            | Question::OddAnswerRepeats
            | Question::IsMyNumberCard => true,
            Question::CardExpired
            | Question::HealthInsuranceOnly
            | Question::Moved
            | Question::Smartphone
            | Question::Age
            | Question::AdultWard
            | Question::Who => false,
        }
    }

    /// The question about knowing `key`'s PIN.
    pub const fn knows(key: KeyId) -> Question {
        match key {
            KeyId::Auth => Question::KnowsAuth,
            KeyId::Sign => Question::KnowsSign,
            KeyId::Kenhojo => Question::KnowsKenhojo,
            // Diagnostic keys are never asked about (not holder keys); the
            // function stays total.
            KeyId::Juki | KeyId::KenhojoA | KeyId::KenhojoB | KeyId::KenmenA | KeyId::KenmenB => {
                Question::KnowsJuki
            }
        }
    }

    /// The answer most holders give, used to show each condition's routes
    /// one question at a time: the kiosk-friendly and ordinary case (knows
    /// the other PIN, not moved, has a smartphone, an adult going in
    /// person, more needs than health insurance, card not expired).
    pub const fn usual(self) -> Choice {
        match self {
            Question::Age => Choice::Adult,
            Question::Who => Choice::Holder,
            Question::KnowsAuth
            | Question::KnowsSign
            | Question::KnowsKenhojo
            | Question::KnowsJuki
            | Question::Smartphone => Choice::Yes,
            Question::CardExpired
            | Question::HealthInsuranceOnly
            | Question::Moved
            | Question::AdultWard
            | Question::OddAnswerRepeats => Choice::No,
            Question::IsMyNumberCard => Choice::Yes,
        }
    }

    /// The answers it takes (unknown aside).
    pub fn choices(self) -> &'static [Choice] {
        match self {
            Question::Age => &[Choice::Under15, Choice::From15To17, Choice::Adult],
            Question::Who => &[Choice::Holder, Choice::LegalRep, Choice::Proxy],
            Question::CardExpired
            | Question::HealthInsuranceOnly
            | Question::KnowsAuth
            | Question::KnowsSign
            | Question::KnowsKenhojo
            | Question::KnowsJuki
            | Question::Moved
            | Question::Smartphone
            | Question::AdultWard
            | Question::OddAnswerRepeats
            | Question::IsMyNumberCard => &[Choice::Yes, Choice::No],
        }
    }
}

/// An answer to a [`Question`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[non_exhaustive]
pub enum Choice {
    /// Yes.
    #[serde(rename = "yes")]
    Yes,
    /// No.
    #[serde(rename = "no")]
    No,
    /// Under 15.
    #[serde(rename = "under15")]
    Under15,
    /// 15-17.
    #[serde(rename = "15-17")]
    From15To17,
    /// 18 or over.
    #[serde(rename = "adult")]
    Adult,
    /// The holder goes.
    #[serde(rename = "holder")]
    Holder,
    /// The legal representative goes.
    #[serde(rename = "legal_rep")]
    LegalRep,
    /// An appointed proxy goes.
    #[serde(rename = "proxy")]
    Proxy,
}

impl Choice {
    /// The age band this choice names.
    pub const fn age(self) -> Option<AgeBand> {
        match self {
            Choice::Under15 => Some(AgeBand::Under15),
            Choice::From15To17 => Some(AgeBand::From15To17),
            Choice::Adult => Some(AgeBand::Adult),
            _ => None,
        }
    }

    /// The person this choice names.
    pub const fn who(self) -> Option<Who> {
        match self {
            Choice::Holder => Some(Who::Holder),
            Choice::LegalRep => Some(Who::LegalRep),
            Choice::Proxy => Some(Who::Proxy),
            _ => None,
        }
    }
}
