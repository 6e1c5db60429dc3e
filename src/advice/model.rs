//! The engine's output: [`Advice`] and its parts, with a stable snake_case
//! JSON form (docs/json.md).
//!
//! Owns: the output data model, the route-to-exit-code mapping and the
//! source keys. Must not: decide (that is `engine`) or hold the human text
//! of a statement (that is `msg`).

use super::facts::{AgeBand, KeyInput, Who};
use super::msg::Msg;
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

    /// A visit to the municipality is part of this route.
    pub const fn involves_counter(self) -> bool {
        matches!(
            self,
            Route::Counter
                | Route::CertificateRenewal
                | Route::NoPinRoute
                | Route::CardRenewal
                | Route::SuspendAndReissue
        )
    }

    /// The exit code for this route (docs/exit-codes.md).
    pub const fn exit(self) -> Exit {
        match self {
            Route::None => Exit::Healthy,
            Route::Conditional => Exit::AttentionConditional,
            Route::Kiosk | Route::PhoneApp => Exit::AttentionSelfService,
            Route::Counter
            | Route::CertificateRenewal
            | Route::CardRenewal
            | Route::SuspendAndReissue
            | Route::NoPinRoute => Exit::AttentionCounter,
        }
    }
}

/// A rule of decision-rules.md, or one of its non-numbered sections.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
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

/// One thing the advice says: a rule, a code with parameters, its sources,
/// and the text rendered from them.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Statement {
    /// The rule it comes from.
    pub rule: RuleId,
    /// The code and its parameters (`"code"`, `"params"` in JSON).
    #[serde(flatten)]
    pub msg: Msg,
    /// Source keys: N, M, S, D.
    pub sources: Vec<SourceKey>,
    /// In a conditional advice: the statement applies only if the route
    /// turns out to be this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_if: Option<Route>,
    /// The text, in the advice's language; empty until
    /// [`Advice::localize`] ran.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl Statement {
    /// A statement with its sources.
    pub fn new(rule: RuleId, msg: Msg, sources: &[SourceKey]) -> Statement {
        Statement {
            rule,
            msg,
            sources: sources.to_vec(),
            only_if: None,
            text: String::new(),
        }
    }

    /// Marks it as applying only to `route`.
    pub fn only_if(mut self, route: Option<Route>) -> Statement {
        self.only_if = route;
        self
    }
}

/// A question whose answer can change the route.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
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
    /// listed in [`Advice::exceptions`].
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
            _ => Question::KnowsJuki,
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
            _ => &[Choice::Yes, Choice::No],
        }
    }
}

/// An answer to a [`Question`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
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

/// The route for one answer to a condition.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Branch {
    /// The answer.
    pub answer: Choice,
    /// The route with this answer, when the other open questions get their
    /// usual answer ([`Question::usual`]).
    pub route: Route,
    /// Every route this answer can still lead to, whatever the other open
    /// questions' answers (one element: this answer settles it).
    pub possible: Vec<Route>,
}

/// An unknown fact that changes the route, with the route for each answer.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Condition {
    /// What to ask.
    pub question: Question,
    /// The route per answer.
    pub branches: Vec<Branch>,
    /// The question and its branches as text, in the advice's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// An exception: a fact with a usual answer whose other answer changes the
/// route (decision-rules.md, "How the advice is presented").
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Exception {
    /// The fact.
    pub question: Question,
    /// The unusual answer.
    pub answer: Choice,
    /// The route with that answer (the other facts at their usual answer).
    pub route: Route,
    /// The exception in one line, in the advice's language.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// The advice for one key.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct KeyAdvice {
    /// Which key.
    pub key: KeyId,
    /// What was known about it.
    pub input: KeyInput,
    /// Its route.
    pub route: Route,
    /// Why.
    pub reasons: Vec<Statement>,
}

/// When the kiosk step can be done (decision-rules.md, Time).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TimeWindow {
    /// The time the advice was computed for, RFC 3339 in Japan time.
    pub now: String,
    /// Kiosk hours, Japan time.
    pub kiosk_hours: String,
    /// How long a reservation in the app stays valid, in hours.
    pub reservation_valid_hours: u8,
    /// The kiosks are open now.
    pub kiosk_open_now: bool,
    /// What to do about the time: reserve now and go, or reserve in the
    /// morning.
    pub advice: Statement,
}

/// The whole advice.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Advice {
    /// The overall route.
    pub route: Route,
    /// The rule that decided the route.
    pub rule: RuleId,
    /// What the route means, in one statement.
    pub summary: Statement,
    /// The route per holder key.
    pub keys: Vec<KeyAdvice>,
    /// Decisive facts still open, with the route per answer (empty when
    /// the route is settled). Only these make the route `conditional`.
    pub conditions: Vec<Condition>,
    /// Facts taken at their usual answer whose other answer would change
    /// the route, each with that route.
    pub exceptions: Vec<Exception>,
    /// What to bring and do.
    pub bring: Vec<Statement>,
    /// Which stores reset which PIN.
    pub stores: Vec<Statement>,
    /// The kiosk's time window, when a kiosk is possible.
    pub time_window: Option<TimeWindow>,
    /// Warnings.
    pub warnings: Vec<Statement>,
    /// Other facts worth knowing (what the object is, related rules).
    pub notes: Vec<Statement>,
    /// Facts taken as "no" because nothing pointed to them, each with the
    /// rule that applies if it is "yes".
    pub assumptions: Vec<Statement>,
    /// The source keys used, with their meaning.
    pub sources: Vec<SourceRef>,
    /// The date the rules were checked.
    pub rules_checked: String,
    /// The language of the `text` fields, once localized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

impl Advice {
    /// The exit code: route none 0, conditional 3, kiosk or phone app 4,
    /// any counter visit 5 (docs/exit-codes.md).
    pub fn exit(&self) -> Exit {
        self.route.exit()
    }

    /// Every statement, in display order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        std::iter::once(&self.summary)
            .chain(self.keys.iter().flat_map(|k| k.reasons.iter()))
            .chain(self.bring.iter())
            .chain(self.stores.iter())
            .chain(self.time_window.iter().map(|t| &t.advice))
            .chain(self.warnings.iter())
            .chain(self.notes.iter())
            .chain(self.assumptions.iter())
    }

    fn statements_mut(&mut self) -> Vec<&mut Statement> {
        let mut out: Vec<&mut Statement> = vec![&mut self.summary];
        for k in &mut self.keys {
            out.extend(k.reasons.iter_mut());
        }
        out.extend(self.bring.iter_mut());
        out.extend(self.stores.iter_mut());
        out.extend(self.time_window.iter_mut().map(|t| &mut t.advice));
        out.extend(self.warnings.iter_mut());
        out.extend(self.notes.iter_mut());
        out.extend(self.assumptions.iter_mut());
        out
    }

    /// Fills every `text` field (statements, conditions, source labels) in
    /// `lang`.
    pub fn localize(&mut self, lang: Lang) {
        for s in self.statements_mut() {
            s.text = s.msg.render(s.rule, lang);
        }
        for c in &mut self.conditions {
            c.text = super::msg::render_condition(c, lang);
        }
        for e in &mut self.exceptions {
            e.text = super::msg::render_exception(e, lang);
        }
        for s in &mut self.sources {
            s.label = s.key.describe(lang).to_string();
        }
        self.lang = Some(lang);
    }

    /// This advice with its text in `lang`.
    pub fn localized(mut self, lang: Lang) -> Advice {
        self.localize(lang);
        self
    }
}
