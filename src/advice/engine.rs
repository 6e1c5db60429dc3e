//! The decision engine: rules R0-R14, the combining rules and the time rules
//! of docs/decision-rules.md, as one pure function.
//!
//! Owns: [`advise`] and the reasoning behind every route. Must not: read a
//! card, the clock, the terminal or the environment; print; or panic on
//! any input. Text lives in `msg`; the caller passes `now`.
//!
//! How unknowns are handled (decision-rules.md, "How the advice is
//! presented"): facts imply facts first ([`with_implied`]); every exception
//! (a fact with a usual answer) still unknown takes its usual answer; then
//! the rules are evaluated for every combination of answers to the open
//! decisive questions (`candidates`). When all combinations give one route,
//! that is the route; otherwise the route is `conditional` and each decisive
//! question whose answer changes the route is listed with the route for each
//! answer. Each exception answer that would change the route is listed in
//! `exceptions` with its route. So nothing is invented and nothing hidden.

use super::facts::{AdviceInput, AgeBand, Answer, Facts, KeyInput, PerKey, Who};
use super::model::{
    Advice, Branch, Choice, Condition, Exception, KeyAdvice, Question, Route, RuleId, SourceKey,
    SourceRef, Statement, TimeWindow, RULES_CHECKED,
};
use super::msg::{Assumed, Msg, Why};
use super::vocab::{KIOSK_HOURS, RESERVATION_VALID_HOURS};
use crate::card::{CardKind, KeyId};
use crate::report::{CertificateStatus, SignatureCertificate};
use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

/// Japan Standard Time: UTC+9, no daylight saving (decision-rules.md,
/// Inputs).
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Kiosk hours (R5, R7; decision-rules.md, Time): the values of
/// `vocab::KIOSK_HOURS`, as times (a unit test keeps the two equal).
const KIOSK_OPENS: Time = time::macros::time!(06:30);
const KIOSK_CLOSES: Time = time::macros::time!(23:00);
/// From this time a kiosk visit cannot be finished today (Corrections,
/// "time"; `vocab::KIOSK_LAST_START`).
const KIOSK_LAST_START: Time = time::macros::time!(22:30);

/// R9: renewal is possible from 3 months before expiry; 92 days covers any
/// three calendar months.
const RENEWAL_WINDOW_DAYS: i64 = 92;

const JPKI: [KeyId; 2] = [KeyId::Auth, KeyId::Sign];

/// The other JPKI key: the one the kiosk asks for (R5, R7).
const fn other(key: KeyId) -> KeyId {
    match key {
        KeyId::Sign => KeyId::Auth,
        _ => KeyId::Sign,
    }
}

/// Computes the advice. Total: any input and any time give an advice.
/// The statements' `text` is empty; call [`Advice::localize`].
///
/// Facts imply facts first ([`with_implied`]); then every exception
/// (a fact with a usual answer: not moved, a smartphone at hand, the holder
/// goes...) still unknown takes its usual answer, and the route is
/// computed from that. Only decisive facts (does the holder remember a PIN)
/// may leave it open. Each exception answer that would change the route is
/// listed with the route it gives (decision-rules.md, "How the advice is
/// presented").
pub fn advise(input: &AdviceInput, now: OffsetDateTime) -> Advice {
    let implied = with_implied(input);
    let exception_qs: Vec<Question> = candidates(&Cx::new(&implied, now))
        .into_iter()
        .filter(|q| !q.is_decisive())
        .collect();
    let mut usual = implied;
    for q in &exception_qs {
        usual.facts = super::interactive::answer(&usual.facts, *q, q.usual());
    }
    let cx = Cx::new(&usual, now);
    let mut advice = assemble(&cx);
    advice.exceptions = exceptions(&cx, &exception_qs);
    advice
}

/// What the input implies: a holder who knows the 署名用 password, or a
/// card that carries a 署名用 certificate, has one, so is 15 or older and
/// not an adult ward (R12; D). 15-17 and 18+ are alike for every rule, so
/// "15 or older" is recorded as adult.
pub fn with_implied(input: &AdviceInput) -> AdviceInput {
    let mut out = input.clone();
    let has_sign_certificate = input.facts.knows.sign == Answer::Yes
        || input.keys.sign == KeyInput::Verified
        || input
            .card
            .as_ref()
            .is_some_and(|c| c.signature_certificate == SignatureCertificate::Present);
    if has_sign_certificate {
        if out.facts.age == AgeBand::Unknown {
            out.facts.age = AgeBand::Adult;
        }
        if out.facts.adult_ward == Answer::Unknown {
            out.facts.adult_ward = Answer::No;
        }
    }
    out
}

/// The exceptions of the usual-answer input `cx`: for each exception
/// question in `qs`, each unusual answer that changes the route (decisive
/// facts at their usual answer too), with its route.
fn exceptions(cx: &Cx, qs: &[Question]) -> Vec<Exception> {
    let mut base = cx.input.facts.clone();
    for q in candidates(cx) {
        base = super::interactive::answer(&base, q, q.usual());
    }
    let base_route = decide(cx, &base).route;
    let mut out = Vec::new();
    // By how often they change the outcome: moved, smartphone, then the
    // rarer ones (decision-rules.md, "Route order of questions").
    let rank = |q: &Question| match q {
        Question::Moved => 0,
        Question::Smartphone => 1,
        Question::Who => 2,
        Question::CardExpired => 3,
        Question::Age => 4,
        Question::AdultWard => 5,
        _ => 6,
    };
    let mut qs = qs.to_vec();
    qs.sort_by_key(rank);
    for &q in &qs {
        for &c in q.choices() {
            if c == q.usual() {
                continue;
            }
            let route = decide(cx, &super::interactive::answer(&base, q, c)).route;
            // A PIN reset and a certificate reissue at the counter are one
            // visit: not worth an exception line (nor a question).
            let same_visit = matches!(
                (route, base_route),
                (
                    Route::Counter | Route::CertificateRenewal,
                    Route::Counter | Route::CertificateRenewal
                )
            );
            // An exception names a definite route; an odd card answer keeps
            // the route open whatever the exception says.
            let open = route == Route::Conditional || base_route == Route::Conditional;
            if route != base_route && !same_visit && !open {
                out.push(Exception {
                    question: q,
                    answer: c,
                    route,
                    text: String::new(),
                });
            }
        }
    }
    out
}

/// The questions worth asking, in asking order: the decisive ones first,
/// then the exceptions that most often change the outcome (moved, then the
/// smartphone). Rarer exceptions (who goes, age, adult ward, health
/// insurance only) are not asked: the advice names them in one line each.
/// Empty when nothing asked would change the route.
pub fn open_questions(input: &AdviceInput, now: OffsetDateTime) -> Vec<Question> {
    let a = advise(input, now);
    let mut out: Vec<Question> = a
        .conditions
        .iter()
        .map(|c| c.question)
        .filter(|q| !matches!(q, Question::OddAnswerRepeats | Question::IsMyNumberCard))
        .collect();
    for asked in [Question::Moved, Question::Smartphone] {
        if a.exceptions.iter().any(|e| e.question == asked) && !out.contains(&asked) {
            out.push(asked);
        }
    }
    out
}

/// What the engine derives once from the input and the time.
struct Cx<'a> {
    input: &'a AdviceInput,
    now: OffsetDateTime,
    /// The card says the certificates have expired (at reading, or by date
    /// at `now`).
    card_cert_expired: bool,
    /// Days from today (JST) to the certificates' expiry.
    days_to_expiry: Option<i64>,
}

impl<'a> Cx<'a> {
    fn new(input: &'a AdviceInput, now: OffsetDateTime) -> Cx<'a> {
        let now = in_japan(now);
        let today = now.date();
        let expiry = input
            .card
            .as_ref()
            .and_then(|c| c.certificate_expiry.as_deref())
            .and_then(parse_date);
        let days_to_expiry = expiry.map(|d| (d - today).whole_days());
        let card_cert_expired = input
            .card
            .as_ref()
            .is_some_and(|c| c.certificate_status == CertificateStatus::Expired)
            || days_to_expiry.is_some_and(|d| d < 0);
        Cx {
            input,
            now,
            card_cert_expired,
            days_to_expiry,
        }
    }

    fn key(&self, k: KeyId) -> &KeyInput {
        static UNKNOWN: KeyInput = KeyInput::Unknown;
        self.input.keys.get(k).unwrap_or(&UNKNOWN)
    }

    fn kind(&self) -> Option<CardKind> {
        self.input.card.as_ref().map(|c| c.kind)
    }

    fn sign_cert_on_card(&self) -> SignatureCertificate {
        self.input
            .card
            .as_ref()
            .map_or(SignatureCertificate::Unknown, |c| c.signature_certificate)
    }

    /// The whole object is decided by what it is (Combining: phone JPKI,
    /// 住基カード, unknown card).
    fn object_route(&self) -> Option<(Route, RuleId, Msg)> {
        let card = self.input.card.as_ref()?;
        match card.kind {
            CardKind::PhoneJpki => Some((Route::PhoneApp, RuleId::R14, Msg::PhoneToken)),
            // Every 住基カード had expired by 2025-12-28 (Corrections): a new
            // card, never a PIN reset.
            CardKind::JukiCard => Some((Route::CardRenewal, RuleId::Combining, Msg::JukiCardToken)),
            CardKind::Unknown if card.foreign => {
                Some((Route::Conditional, RuleId::Combining, Msg::UnknownCard))
            }
            _ => None,
        }
    }

    fn cert_expired(&self, f: &Facts) -> bool {
        self.card_cert_expired || f.certificate_expired == Answer::Yes
    }
}

/// `now` in Japan time; unchanged at the very edge of the representable
/// range, where the conversion would overflow (the engine is total).
pub fn in_japan(now: OffsetDateTime) -> OffsetDateTime {
    now.checked_to_offset(JST).unwrap_or(now)
}

fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10)?, &fmt).ok()
}

/// The R0/R1/R1b/R2 card-level rules, in the spec's priority order.
fn card_route(f: &Facts) -> Option<(Route, RuleId, Msg)> {
    if f.card_expired == Answer::Yes {
        Some((Route::CardRenewal, RuleId::R0, Msg::CardRenewal))
    } else if f.lost == Answer::Yes {
        Some((Route::SuspendAndReissue, RuleId::R1, Msg::SuspendAndReissue))
    } else if f.damaged == Answer::Yes {
        // R1b says "reissue at the municipality": a new card, so the
        // nearest route of the closed set is card_renewal.
        Some((Route::CardRenewal, RuleId::R1b, Msg::DamagedReissue))
    } else if f.face_auth_card == Answer::Yes {
        Some((Route::NoPinRoute, RuleId::R2, Msg::FaceAuthCard))
    } else {
        None
    }
}

/// A key as the rules see it in one world of answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// Nothing to do; `verified` when known-good from the card.
    Fine { verified: bool, asked: bool },
    /// Locked, or forgotten and needed (Combining: "Needs").
    Need,
    /// Forgotten but not needed for the stated purposes.
    NotNeeded,
    /// `sign` on a card without a 署名用 certificate.
    NoCert,
    /// The card answered oddly.
    Odd,
    /// Not on this object.
    Absent,
}

fn knows(cx: &Cx, f: &Facts, k: KeyId) -> Answer {
    // Combining: a key verified in this session is known-good.
    if *cx.key(k) == KeyInput::Verified {
        return Answer::Yes;
    }
    f.knows.get(k).copied().unwrap_or_default()
}

fn classify(cx: &Cx, f: &Facts, k: KeyId) -> Class {
    let input = cx.key(k);
    if k == KeyId::Sign
        && cx.sign_cert_on_card() == SignatureCertificate::Absent
        && !matches!(input, KeyInput::Unexpected { .. })
    {
        return Class::NoCert;
    }
    match input {
        KeyInput::Locked => Class::Need,
        KeyInput::Unexpected { .. } => Class::Odd,
        KeyInput::Absent => {
            // On a My Number Card every holder key exists; absence there is
            // an odd answer, never "nothing to do" (D).
            if cx.kind() == Some(CardKind::MyNumberCard) {
                Class::Odd
            } else {
                Class::Absent
            }
        }
        KeyInput::Verified => Class::Fine {
            verified: true,
            asked: true,
        },
        KeyInput::Remaining { .. } | KeyInput::Unknown => match knows(cx, f, k) {
            // R10 "(and needed)": a forgotten key counts unless the stated
            // purposes do not use it.
            Answer::No if f.uses(k) == Some(false) => Class::NotNeeded,
            Answer::No => Class::Need,
            Answer::Yes => Class::Fine {
                verified: false,
                asked: true,
            },
            Answer::Unknown => Class::Fine {
                verified: false,
                asked: false,
            },
        },
    }
}

/// Whether the 署名用 certificate is usable for the kiosk ("both
/// certificates valid", R5/R7; R12 for age).
fn sign_cert_blockers(cx: &Cx, f: &Facts, out: &mut Vec<Why>) {
    if f.age == AgeBand::Under15 || f.adult_ward == Answer::Yes {
        out.push(Why::UnderAgeOrWard);
    } else {
        match cx.sign_cert_on_card() {
            SignatureCertificate::Absent => out.push(Why::NoSignatureCertificate),
            SignatureCertificate::Present => {}
            SignatureCertificate::Unknown => {
                let age_ok = matches!(f.age, AgeBand::From15To17 | AgeBand::Adult);
                if !(age_ok && f.adult_ward == Answer::No) {
                    out.push(Why::AgeUnknown);
                }
            }
        }
    }
    match f.moved {
        Answer::Yes => out.push(Why::SignatureRevoked),
        Answer::Unknown => out.push(Why::MovedUnknown),
        Answer::No => {}
    }
}

/// What stands between `key` and the kiosk (R5, R7, R8). Empty: kiosk.
fn kiosk_blockers(cx: &Cx, f: &Facts, key: KeyId) -> Vec<Why> {
    let o = other(key);
    let mut why = Vec::new();
    match knows(cx, f, o) {
        Answer::No => why.push(Why::OtherPinForgotten),
        Answer::Unknown => why.push(Why::OtherPinUnknown),
        Answer::Yes => {}
    }
    match cx.key(o) {
        KeyInput::Locked => why.push(Why::OtherPinLocked),
        KeyInput::Unexpected { .. } | KeyInput::Absent => why.push(Why::OtherPinUnreadable),
        _ => {}
    }
    sign_cert_blockers(cx, f, &mut why);
    match f.smartphone {
        Answer::No => why.push(Why::NoSmartphone),
        Answer::Unknown => why.push(Why::SmartphoneUnknown),
        Answer::Yes => {}
    }
    // An appointed proxy never takes the kiosk: it needs the holder's PIN,
    // which must not be told to anyone (Corrections, R13). The app's face
    // match for `sign` needs the holder in person (R7).
    match (f.who, key) {
        (Who::Proxy, _) => why.push(Why::ProxyGoes),
        (Who::LegalRep, KeyId::Sign) => why.push(Why::NoFaceMatch),
        (Who::Unknown, KeyId::Sign) => why.push(Why::WhoUnknown),
        _ => {}
    }
    why
}

/// One key's decision in one world.
#[derive(Clone, PartialEq, Eq, Debug)]
struct KeyDec {
    route: Route,
    rule: RuleId,
    msg: Msg,
}

/// The decision in one world of answers.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Decision {
    route: Route,
    rule: RuleId,
    /// The statement of a card-level or object-level decision.
    card: Option<Msg>,
    keys: PerKey<KeyDec>,
    /// The key the kiosk resets.
    kiosk: Option<KeyId>,
    /// Keys in "needs" (Combining).
    needs: Vec<KeyId>,
    odd: bool,
}

fn decide(cx: &Cx, f: &Facts) -> Decision {
    if let Some((route, rule, msg)) = cx.object_route().or_else(|| card_route(f)) {
        let keys = PerKey::from_fn(|k| {
            let absent = matches!(cx.key(k), KeyInput::Absent);
            KeyDec {
                route: if absent { Route::None } else { route },
                rule,
                msg: if absent {
                    Msg::KeyAbsent { key: k }
                } else {
                    Msg::KeyCovered { key: k, route }
                },
            }
        });
        return Decision {
            route,
            rule,
            card: Some(msg),
            keys,
            kiosk: None,
            needs: Vec::new(),
            odd: false,
        };
    }

    let class = PerKey::from_fn(|k| classify(cx, f, k));
    let needs: Vec<KeyId> = class
        .iter()
        .filter(|(_, c)| **c == Class::Need)
        .map(|(k, _)| k)
        .collect();
    let odd = class.iter().any(|(_, c)| *c == Class::Odd);
    let mut keys = PerKey::from_fn(|k| {
        let c = class.get(k).copied().unwrap_or(Class::Odd);
        let (route, rule, msg) = match c {
            Class::Fine { verified: true, .. } => {
                (Route::None, RuleId::Combining, Msg::KeyVerified { key: k })
            }
            Class::Fine { asked: true, .. } => (
                Route::None,
                RuleId::R3,
                Msg::KeyFine {
                    key: k,
                    left: cx.key(k).left(),
                },
            ),
            // A PIN with tries spent is never "no sign of trouble": its
            // count is said (issue 9).
            Class::Fine { .. } if cx.key(k).spent(k) => (
                Route::None,
                RuleId::R3,
                Msg::KeyFine {
                    key: k,
                    left: cx.key(k).left(),
                },
            ),
            Class::Fine { .. } => (Route::None, RuleId::R3, Msg::KeyNoSign { key: k }),
            Class::NotNeeded => (Route::None, RuleId::Services, Msg::KeyNotNeeded { key: k }),
            Class::NoCert => (Route::None, RuleId::R6, Msg::KeyNoCertificate { key: k }),
            Class::Absent => (Route::None, RuleId::Combining, Msg::KeyAbsent { key: k }),
            Class::Odd => (
                Route::Conditional,
                RuleId::Combining,
                Msg::KeyOdd {
                    key: k,
                    sw: match cx.key(k) {
                        KeyInput::Unexpected { sw } => sw.clone(),
                        _ => None,
                    },
                },
            ),
            // Placeholder, decided below.
            Class::Need => (
                Route::Counter,
                RuleId::R8,
                Msg::KeyCounter {
                    key: k,
                    why: vec![],
                },
            ),
        };
        KeyDec { route, rule, msg }
    });
    let mut set = |k: KeyId, route: Route, rule: RuleId, msg: Msg| {
        if let Some(slot) = keys.get_mut(k) {
            *slot = KeyDec { route, rule, msg };
        }
    };

    let has = |k: KeyId| needs.contains(&k);
    let sign_wanted = has(KeyId::Sign) || f.uses(KeyId::Sign) == Some(true);
    let sign_cert_bad =
        f.moved == Answer::Yes || cx.sign_cert_on_card() == SignatureCertificate::Absent;
    let mut kiosk = None;

    let (mut route, mut rule) = if cx.cert_expired(f) {
        // R9 before R3: a PIN that works with an expired certificate still
        // fails the service (see docs/decision-table.md, "order").
        for &k in &needs {
            set(
                k,
                Route::CertificateRenewal,
                RuleId::R9,
                Msg::KeyWithRenewal { key: k },
            );
        }
        (Route::CertificateRenewal, RuleId::R9)
    } else if sign_wanted && sign_cert_bad {
        // R6 before R3, for the same reason as R9.
        for &k in &needs {
            set(
                k,
                Route::CertificateRenewal,
                RuleId::R6,
                Msg::KeyWithRenewal { key: k },
            );
        }
        set(
            KeyId::Sign,
            Route::CertificateRenewal,
            RuleId::R6,
            Msg::KeySignatureCertificate { key: KeyId::Sign },
        );
        (Route::CertificateRenewal, RuleId::R6)
    } else if needs.is_empty() {
        (Route::None, RuleId::R3)
    } else if needs == [KeyId::Auth] && f.health_insurance_only() == Answer::Yes {
        set(
            KeyId::Auth,
            Route::None,
            RuleId::R4,
            Msg::KeyHealthInsuranceOnly { key: KeyId::Auth },
        );
        (Route::None, RuleId::R4)
    } else if has(KeyId::Kenhojo) || has(KeyId::Juki) {
        // R10, and Combining: one counter visit for everything.
        for &k in &needs {
            let (rule, why) = if JPKI.contains(&k) {
                (RuleId::Combining, Why::OneVisit)
            } else {
                (RuleId::R10, Why::CounterOnlyKey)
            };
            set(
                k,
                Route::Counter,
                rule,
                Msg::KeyCounter {
                    key: k,
                    why: vec![why],
                },
            );
        }
        (Route::Counter, RuleId::R10)
    } else if has(KeyId::Auth) && has(KeyId::Sign) {
        for k in JPKI {
            set(
                k,
                Route::Counter,
                RuleId::R8,
                Msg::KeyCounter {
                    key: k,
                    why: vec![Why::BothJpki],
                },
            );
        }
        (Route::Counter, RuleId::R8)
    } else {
        // Exactly one JPKI key needs a reset.
        let k = if has(KeyId::Sign) {
            KeyId::Sign
        } else {
            KeyId::Auth
        };
        let rule = if k == KeyId::Sign {
            RuleId::R7
        } else {
            RuleId::R5
        };
        let why = kiosk_blockers(cx, f, k);
        if why.is_empty() {
            set(
                k,
                Route::Kiosk,
                rule,
                Msg::KeyKiosk {
                    key: k,
                    other: other(k),
                },
            );
            kiosk = Some(k);
            (Route::Kiosk, rule)
        } else {
            set(
                k,
                Route::Counter,
                RuleId::R8,
                Msg::KeyCounter { key: k, why },
            );
            (Route::Counter, RuleId::R8)
        }
    };

    // An odd answer never yields "none" or a self-service route: the key may
    // be locked, and a locked juki or kenhojo means the counter.
    if odd && matches!(route, Route::None | Route::Kiosk | Route::PhoneApp) {
        route = Route::Conditional;
        rule = RuleId::Combining;
    }
    if f.phone_certificate == Answer::Yes && route == Route::None {
        route = Route::PhoneApp;
        rule = RuleId::R14;
    }
    Decision {
        route,
        rule,
        card: None,
        keys,
        kiosk,
        needs,
        odd,
    }
}

/// The condition an odd answer raises: read again; the same answer means
/// the counter (the key may be locked, or the chip faulty: R1b), a clean
/// answer means the route of that reading.
fn odd_condition(cx: &Cx) -> (Condition, Advice) {
    let mut clean = cx.input.clone();
    for k in KeyId::HOLDER_KEYS {
        if let Some(slot) = clean.keys.get_mut(k) {
            let odd = match slot {
                KeyInput::Unexpected { .. } => true,
                KeyInput::Absent => cx.kind() == Some(CardKind::MyNumberCard),
                _ => false,
            };
            if odd {
                *slot = KeyInput::Unknown;
            }
        }
    }
    // The card is no longer "foreign" once its keys are unknown rather
    // than absent; keep what it said about itself otherwise.
    let clean_advice = assemble(&Cx::new(&clean, cx.now));
    let without = clean_advice.route;
    let condition = Condition {
        question: Question::OddAnswerRepeats,
        branches: vec![
            Branch {
                answer: Choice::Yes,
                route: Route::Counter,
                possible: vec![Route::Counter],
            },
            Branch {
                answer: Choice::No,
                route: without,
                possible: vec![without],
            },
        ],
        text: String::new(),
    };
    (condition, clean_advice)
}

/// A JPKI key that may need a reset in some world of answers.
fn potential_need(cx: &Cx, f: &Facts, k: KeyId) -> bool {
    if k == KeyId::Sign && cx.sign_cert_on_card() == SignatureCertificate::Absent {
        return false;
    }
    let input = cx.key(k);
    *input == KeyInput::Locked
        || match knows(cx, f, k) {
            Answer::No => true,
            Answer::Unknown => input.spent(k),
            Answer::Yes => false,
        }
}

/// The open questions the rules consult for this input, in asking order.
/// Facts outside this list that are unknown are taken as "no" and listed in
/// `assumptions` (lost, damaged, face-auth card, phone certificate, and the
/// card's expiry when nothing points to it).
fn candidates(cx: &Cx) -> Vec<Question> {
    let f = &cx.input.facts;
    let mut qs: BTreeSet<Question> = BTreeSet::new();
    if cx.object_route().is_some() || card_route(f).is_some() {
        return Vec::new();
    }
    if cx.cert_expired(f) && f.card_expired == Answer::Unknown {
        qs.insert(Question::CardExpired);
    }
    for k in KeyId::HOLDER_KEYS {
        let input = cx.key(k);
        if knows(cx, f, k) == Answer::Unknown
            && input.spent(k)
            && *input != KeyInput::Locked
            && !(k == KeyId::Sign && cx.sign_cert_on_card() == SignatureCertificate::Absent)
        {
            qs.insert(Question::knows(k));
        }
    }
    let pot: Vec<KeyId> = JPKI
        .into_iter()
        .filter(|k| potential_need(cx, f, *k))
        .collect();
    for &k in &pot {
        let o = other(k);
        if knows(cx, f, o) == Answer::Unknown
            && !matches!(cx.key(o), KeyInput::Locked | KeyInput::Unexpected { .. })
        {
            qs.insert(Question::knows(o));
        }
    }
    if !pot.is_empty() {
        if f.moved == Answer::Unknown {
            qs.insert(Question::Moved);
        }
        if f.smartphone == Answer::Unknown {
            qs.insert(Question::Smartphone);
        }
        if cx.sign_cert_on_card() != SignatureCertificate::Present {
            if f.age == AgeBand::Unknown {
                qs.insert(Question::Age);
            }
            if f.adult_ward == Answer::Unknown {
                qs.insert(Question::AdultWard);
            }
        }
    }
    if !pot.is_empty() && f.who == Who::Unknown {
        qs.insert(Question::Who);
    }
    if pot.contains(&KeyId::Auth) && f.health_insurance_only() == Answer::Unknown {
        qs.insert(Question::HealthInsuranceOnly);
    }
    if f.uses(KeyId::Sign) == Some(true) && f.moved == Answer::Unknown {
        qs.insert(Question::Moved);
    }
    qs.into_iter().collect()
}

/// Every combination of answers to `qs`, with the decision in it.
fn worlds(cx: &Cx, qs: &[Question]) -> Vec<(Vec<Choice>, Decision)> {
    let mut out = Vec::new();
    let mut idx = vec![0usize; qs.len()];
    loop {
        let mut f = cx.input.facts.clone();
        let mut choices = Vec::with_capacity(qs.len());
        for (q, i) in qs.iter().zip(&idx) {
            let c = q.choices().get(*i).copied().unwrap_or(Choice::No);
            f = super::interactive::answer(&f, *q, c);
            choices.push(c);
        }
        out.push((choices, decide(cx, &f)));
        // Odometer increment; ends after the last combination.
        let mut pos = 0;
        loop {
            if pos == qs.len() {
                return out;
            }
            idx[pos] += 1;
            if idx[pos] < qs[pos].choices().len() {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

/// Whether changing only question `qi` can change `of(decision)`. Worlds
/// are in odometer order (question 0 turns fastest), so the world that
/// differs only in `qi` is found by arithmetic, not by search.
fn matters<T: PartialEq>(
    worlds: &[(Vec<Choice>, Decision)],
    qs: &[Question],
    qi: usize,
    of: impl Fn(&Decision) -> T,
) -> bool {
    let stride: usize = qs.iter().take(qi).map(|q| q.choices().len()).product();
    let n = qs.get(qi).map_or(0, |q| q.choices().len());
    worlds.iter().enumerate().any(|(pos, (_, d))| {
        let here = (pos / stride.max(1)) % n.max(1);
        let base = pos - here * stride;
        (0..n).any(|j| {
            worlds
                .get(base + j * stride)
                .is_some_and(|(_, other)| of(other) != of(d))
        })
    })
}

fn assemble(cx: &Cx) -> Advice {
    let f = &cx.input.facts;
    let qs = candidates(cx);
    let worlds = worlds(cx, &qs);
    let routes: BTreeSet<Route> = worlds.iter().map(|(_, d)| d.route).collect();
    let actual = decide(cx, f);

    let mut conditions = Vec::new();
    // Every answer leads to the same counter visit, some as a certificate
    // reissue (R6) and some as a PIN reset: the route is settled (counter),
    // and the move's effect is said as a warning rather than asked.
    let counter_either = routes.len() > 1
        && routes
            .iter()
            .all(|r| matches!(r, Route::Counter | Route::CertificateRenewal))
        && actual.route == Route::Counter;
    let settled = routes.len() <= 1 || counter_either;
    // The decision whose statements are shown when the route is settled:
    // the one with the actual (possibly unknown) facts, which never invents
    // a reason; a world's decision only if the two disagree.
    let shown = if settled {
        match worlds.first() {
            Some((_, d)) if d.route != actual.route && !counter_either => d.clone(),
            _ => actual.clone(),
        }
    } else {
        actual.clone()
    };
    let mut route = if settled {
        shown.route
    } else {
        Route::Conditional
    };
    let rule = if settled {
        shown.rule
    } else {
        RuleId::Combining
    };

    if !settled {
        for (qi, q) in qs.iter().enumerate() {
            if !matters(&worlds, &qs, qi, |d| d.route) {
                continue;
            }
            let branches = q
                .choices()
                .iter()
                .map(|c| {
                    let mine = worlds.iter().filter(|(cs, _)| cs.get(qi) == Some(c));
                    let possible: BTreeSet<Route> = mine.clone().map(|(_, d)| d.route).collect();
                    let usual = mine
                        .clone()
                        .find(|(cs, _)| {
                            cs.iter()
                                .zip(&qs)
                                .enumerate()
                                .all(|(i, (a, q))| i == qi || *a == q.usual())
                        })
                        .map(|(_, d)| d.route);
                    let possible: Vec<Route> = possible.into_iter().collect();
                    Branch {
                        answer: *c,
                        route: usual
                            .or_else(|| possible.first().copied())
                            .unwrap_or(Route::Conditional),
                        possible,
                    }
                })
                .collect();
            conditions.push(Condition {
                question: *q,
                branches,
                text: String::new(),
            });
        }
    }

    // The question about a PIN with tries spent comes first: it is the one
    // the holder was struggling with (line 1 is built from it).
    conditions.sort_by_key(|c| {
        let spent = KeyId::HOLDER_KEYS
            .iter()
            .any(|k| c.question == Question::knows(*k) && cx.key(*k).spent(*k));
        !spent
    });

    // Per key: settled keys keep the shown reason; the others depend on the
    // questions that move them.
    let keys: Vec<KeyAdvice> = KeyId::HOLDER_KEYS
        .iter()
        .map(|&k| {
            let key_route = |d: &Decision| d.keys.get(k).map(|kd| kd.route);
            let set: BTreeSet<Option<Route>> = worlds.iter().map(|(_, d)| key_route(d)).collect();
            let input = cx.key(k).clone();
            let shown_key = shown.keys.get(k).cloned();
            let key_counter_either = counter_either
                && set
                    .iter()
                    .all(|r| matches!(r, Some(Route::Counter | Route::CertificateRenewal)));
            match (set.len() <= 1 || key_counter_either, shown_key) {
                (true, Some(kd)) => KeyAdvice {
                    key: k,
                    input,
                    route: kd.route,
                    reasons: vec![stmt(kd.rule, kd.msg)],
                },
                _ => {
                    let questions: Vec<Question> = qs
                        .iter()
                        .enumerate()
                        .filter(|(qi, _)| matters(&worlds, &qs, *qi, key_route))
                        .map(|(_, q)| *q)
                        .collect();
                    KeyAdvice {
                        key: k,
                        input,
                        route: Route::Conditional,
                        reasons: vec![stmt(
                            RuleId::Combining,
                            Msg::KeyDependsOn { key: k, questions },
                        )],
                    }
                }
            }
        })
        .collect();

    let mut parts = Parts::default();
    if settled {
        explain(cx, &shown, None, &mut parts);
    } else {
        // One explanation per route still possible, each marked with it:
        // first the branches of the first (line-1) question, each with the
        // other questions at their usual answer, so the kiosk explained is
        // the one that branch means; then any other route.
        let mut ordered: Vec<&Decision> = Vec::new();
        if let Some(qi) = conditions
            .first()
            .and_then(|c| qs.iter().position(|q| *q == c.question))
        {
            let q = qs[qi];
            for c in q.choices() {
                let usual = worlds.iter().find(|(cs, _)| {
                    cs.get(qi) == Some(c)
                        && cs
                            .iter()
                            .zip(&qs)
                            .enumerate()
                            .all(|(i, (a, q))| i == qi || *a == q.usual())
                });
                if let Some((_, d)) = usual {
                    ordered.push(d);
                }
            }
        }
        ordered.extend(worlds.iter().map(|(_, d)| d));
        let mut seen = BTreeSet::new();
        for d in ordered {
            if seen.insert(d.route) {
                explain(cx, d, Some(d.route), &mut parts);
            }
        }
    }
    general_warnings(cx, &actual, &conditions, &mut parts);
    let mut odd_kiosk = false;
    if route == Route::Conditional && (actual.odd || shown.odd) {
        // Asked only if reading again can change the route; otherwise the
        // route is what both answers give.
        let (odd, clean) = odd_condition(cx);
        let routes: BTreeSet<Route> = odd.branches.iter().map(|b| b.route).collect();
        if routes.len() > 1 {
            conditions.push(odd);
            // The clean reading's route is a branch: say what it involves
            // (a kiosk branch names the other PIN and its tries).
            let mark = |list: &[Statement], to: &mut Vec<Statement>| {
                for st in list {
                    let st = st.clone().only_if(st.only_if.or(Some(clean.route)));
                    if !to.iter().any(|x| x.msg == st.msg && x.rule == st.rule) {
                        to.push(st);
                    }
                }
            };
            mark(&clean.bring, &mut parts.bring);
            mark(&clean.stores, &mut parts.stores);
            mark(&clean.warnings, &mut parts.warnings);
            odd_kiosk = clean.time_window.is_some();
        } else if conditions.is_empty() {
            if let Some(r) = routes.into_iter().next() {
                route = r;
            }
        }
    }
    if shown.card == Some(Msg::UnknownCard) {
        // Combining / Things that change: an unknown object is reported as
        // such, never as four locked PINs. If it is a My Number Card that
        // answers none of its applets, its chip is unreadable (R1b).
        conditions.push(Condition {
            question: Question::IsMyNumberCard,
            branches: vec![
                Branch {
                    answer: Choice::Yes,
                    route: Route::CardRenewal,
                    possible: vec![Route::CardRenewal],
                },
                Branch {
                    answer: Choice::No,
                    route: Route::None,
                    possible: vec![Route::None],
                },
            ],
            text: String::new(),
        });
    }
    if let Some(card) = &cx.input.card {
        if card.kind == CardKind::Unknown && !card.foreign {
            parts
                .warnings
                .push(stmt(RuleId::Combining, Msg::UnknownCard));
        }
    }
    let time_window = if routes.contains(&Route::Kiosk) || route == Route::Kiosk || odd_kiosk {
        Some(time_window(
            cx.now,
            if settled && !odd_kiosk {
                None
            } else {
                Some(Route::Kiosk)
            },
        ))
    } else {
        None
    };
    let assumptions = assumptions(cx, &qs, route);

    let summary = stmt(rule, Msg::Summary { route });
    let mut advice = Advice {
        route,
        rule,
        summary,
        keys,
        conditions,
        exceptions: Vec::new(),
        bring: parts.bring,
        stores: parts.stores,
        time_window,
        warnings: parts.warnings,
        notes: parts.notes,
        assumptions,
        sources: Vec::new(),
        rules_checked: RULES_CHECKED.to_string(),
        lang: None,
    };
    let used: BTreeSet<SourceKey> = advice
        .statements()
        .flat_map(|s| s.sources.iter().copied())
        .collect();
    advice.sources = used
        .into_iter()
        .map(|key| SourceRef {
            key,
            label: key.describe(crate::lang::Lang::En).to_string(),
        })
        .collect();
    advice
}

#[derive(Default)]
struct Parts {
    bring: Vec<Statement>,
    stores: Vec<Statement>,
    warnings: Vec<Statement>,
    notes: Vec<Statement>,
}

impl Parts {
    fn push_unique(list: &mut Vec<Statement>, s: Statement) {
        // The same statement for two branches is said once, unconditionally
        // only if every branch says it; keep the first marking otherwise.
        if !list.iter().any(|x| x.msg == s.msg && x.rule == s.rule) {
            list.push(s);
        }
    }
}

/// What to bring, stores, route-specific warnings and notes for one
/// decision; `only_if` marks them in a conditional advice.
fn explain(cx: &Cx, d: &Decision, only_if: Option<Route>, p: &mut Parts) {
    let f = &cx.input.facts;
    let mut bring = |rule, msg| Parts::push_unique(&mut p.bring, stmt(rule, msg).only_if(only_if));
    if let Some(msg) = &d.card {
        match d.rule {
            RuleId::R0 => {
                bring(RuleId::R0, msg.clone());
                bring(RuleId::R0, Msg::CardValidity);
            }
            _ if *msg == Msg::JukiCardToken => bring(d.rule, msg.clone()),
            RuleId::R14 | RuleId::Combining => {
                Parts::push_unique(&mut p.notes, stmt(d.rule, msg.clone()).only_if(only_if));
            }
            rule => bring(rule, msg.clone()),
        }
        return;
    }
    match d.route {
        Route::Kiosk => {
            let k = d.kiosk.unwrap_or(KeyId::Auth);
            let o = other(k);
            if k == KeyId::Sign {
                bring(RuleId::R7, Msg::KioskStepsSign);
                bring(RuleId::R7, Msg::NewPasswordFormat);
            } else {
                bring(RuleId::R5, Msg::KioskStepsAuth);
            }
            let rule = if k == KeyId::Sign {
                RuleId::R7
            } else {
                RuleId::R5
            };
            Parts::push_unique(
                &mut p.stores,
                stmt(rule, Msg::Stores { key: k }).only_if(only_if),
            );
            let left = cx.key(o).left();
            let mut warn =
                |msg| Parts::push_unique(&mut p.warnings, stmt(rule, msg).only_if(only_if));
            // A kiosk advice always names the other PIN and its tries.
            warn(Msg::KioskOtherPin { key: o, left });
            if let Some(n) = left {
                if n <= 2 {
                    warn(Msg::OtherPinTwice { key: o, left: n });
                }
            }
            if matches!(cx.key(o), KeyInput::Unknown) {
                warn(Msg::TriesNotCounted { key: o });
            }
        }
        Route::Counter | Route::CertificateRenewal => {
            match d.rule {
                RuleId::R9 => bring(RuleId::R9, Msg::CertificateRenewal),
                RuleId::R6 => bring(RuleId::R6, Msg::CertificateReissue),
                _ => {}
            }
            if f.age == AgeBand::Under15 || f.adult_ward == Answer::Yes || f.who == Who::LegalRep {
                bring(RuleId::R12, Msg::CounterLegalRep);
            } else if f.who == Who::Proxy {
                bring(RuleId::R13, Msg::CounterProxy);
            } else {
                bring(RuleId::R11, Msg::CounterHolder);
                if f.who == Who::Unknown {
                    bring(RuleId::R11, Msg::CounterSomeoneElse);
                }
            }
            let mut visit: Vec<KeyId> = d.needs.clone();
            for (k, kd) in d.keys.iter() {
                if kd.route.involves_counter() && !visit.contains(&k) {
                    visit.push(k);
                }
            }
            if visit.len() > 1 {
                bring(RuleId::Combining, Msg::OneVisit { keys: visit });
            }
            // Corrections, R10: when moving, the 住基 PIN is entered (and a
            // forgotten one reset) at the NEW municipality, within 90 days.
            if f.moved == Answer::Yes && d.needs.contains(&KeyId::Juki) {
                bring(RuleId::R10, Msg::JukiAtNewMunicipality);
            }
            bring(RuleId::R11, Msg::CounterHours);
        }
        Route::None if d.rule == RuleId::R4 => {
            bring(RuleId::R4, Msg::HealthInsuranceStillWorks);
            // Corrections, R4: the kiosk is named only where it is open to
            // this holder.
            let kiosk = f.age != AgeBand::Under15
                && f.adult_ward != Answer::Yes
                && f.moved != Answer::Yes
                && f.who != Who::Proxy
                && cx.sign_cert_on_card() != SignatureCertificate::Absent
                && !matches!(cx.key(KeyId::Sign), KeyInput::Locked);
            bring(RuleId::R4, Msg::FixLater { kiosk });
            Parts::push_unique(
                &mut p.warnings,
                stmt(RuleId::R4, Msg::FaceAuthLocks).only_if(only_if),
            );
        }
        Route::PhoneApp => {
            Parts::push_unique(
                &mut p.notes,
                stmt(RuleId::R14, Msg::PhoneCertificate).only_if(only_if),
            );
        }
        _ => {}
    }
    if f.phone_certificate == Answer::Yes && d.route != Route::PhoneApp {
        Parts::push_unique(
            &mut p.notes,
            stmt(RuleId::R14, Msg::PhoneCertificate).only_if(only_if),
        );
    }
}

/// Warnings that hold whatever the route: counters, certificates, moves.
fn general_warnings(cx: &Cx, d: &Decision, conditions: &[Condition], p: &mut Parts) {
    let f = &cx.input.facts;
    if d.card.is_some() && d.route != Route::PhoneApp {
        return;
    }
    let mut any_spent = false;
    for k in KeyId::HOLDER_KEYS {
        let input = cx.key(k);
        let no_cert = k == KeyId::Sign && cx.sign_cert_on_card() == SignatureCertificate::Absent;
        any_spent |= input.spent(k) && !no_cert;
        if let KeyInput::Remaining { left, max } = input {
            if *left == 1 && !no_cert {
                p.warnings.push(stmt(RuleId::R3, Msg::LastTry { key: k }));
            }
            if let Some(m) = max.or(k.spec().max) {
                if *left > m {
                    p.warnings.push(stmt(
                        RuleId::Combining,
                        Msg::AboveMax {
                            key: k,
                            left: *left,
                        },
                    ));
                }
            }
        }
    }
    if any_spent {
        p.warnings.push(stmt(RuleId::R3, Msg::NoRecovery));
    }
    let asks_moved = conditions.iter().any(|c| c.question == Question::Moved)
        || (f.moved == Answer::Unknown
            && d.route == Route::Counter
            && d.needs.contains(&KeyId::Sign));
    if f.moved == Answer::Yes || asks_moved || d.rule == RuleId::R6 {
        p.warnings.push(stmt(RuleId::R6, Msg::MoveRevokes));
    }
    if cx.cert_expired(f) {
        p.warnings
            .push(stmt(RuleId::R9, Msg::ExpiredHealthInsurance));
    } else if let (Some(days), Some(card)) = (cx.days_to_expiry, &cx.input.card) {
        if (0..=RENEWAL_WINDOW_DAYS).contains(&days) {
            if let Some(date) = &card.certificate_expiry {
                p.warnings.push(stmt(
                    RuleId::R9,
                    Msg::ExpiringSoon {
                        date: date.clone(),
                        days,
                    },
                ));
            }
        }
    }
}

/// Unknown card-level facts taken as "no", each with the rule that would
/// apply (nothing in the input points to them; asking every holder every
/// time would make every advice conditional).
fn assumptions(cx: &Cx, qs: &[Question], route: Route) -> Vec<Statement> {
    let f = &cx.input.facts;
    if cx.object_route().is_some() || card_route(f).is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut add = |a: Answer, rule, fact| {
        if a == Answer::Unknown {
            out.push(stmt(rule, Msg::Assumed { fact }));
        }
    };
    if !qs.contains(&Question::CardExpired) {
        add(f.card_expired, RuleId::R0, Assumed::CardExpired);
    }
    // A card on the reader is not lost (D); without a card it may be.
    if cx.input.card.is_none() {
        add(f.lost, RuleId::R1, Assumed::Lost);
    }
    // A card that answered is not unreadable, but may still be damaged.
    add(f.damaged, RuleId::R1b, Assumed::Damaged);
    add(f.face_auth_card, RuleId::R2, Assumed::FaceAuthCard);
    if route != Route::PhoneApp {
        add(f.phone_certificate, RuleId::R14, Assumed::PhoneCertificate);
    }
    out
}

/// The kiosk's time window at `now` (decision-rules.md, Time).
fn time_window(now: OffsetDateTime, only_if: Option<Route>) -> TimeWindow {
    let now = in_japan(now);
    let t = now.time();
    let open = t >= KIOSK_OPENS && t < KIOSK_CLOSES;
    // From 22:30 the kiosk step cannot be finished before 23:00: advise the
    // morning, not "go now" (Corrections, "time").
    let msg = if open && t < KIOSK_LAST_START {
        // The reservation's 24 h end inside tomorrow's opening hours, since
        // now is inside today's.
        let until = now.checked_add(Duration::hours(24)).unwrap_or(now);
        Msg::GoNow {
            until: fmt_minute(until),
        }
    } else {
        // From 22:30 the morning is tomorrow's; before 06:30 it is today's.
        let date = if t >= KIOSK_LAST_START {
            now.date().next_day().unwrap_or(now.date())
        } else {
            now.date()
        };
        Msg::ReserveInMorning {
            date: fmt_date(date),
        }
    };
    TimeWindow {
        now: now
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        kiosk_hours: format!("{}-{}", KIOSK_HOURS.0, KIOSK_HOURS.1),
        reservation_valid_hours: RESERVATION_VALID_HOURS,
        kiosk_open_now: open,
        advice: stmt(RuleId::Time, msg).only_if(only_if),
    }
}

fn fmt_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn fmt_minute(t: OffsetDateTime) -> String {
    format!("{} {:02}:{:02}", fmt_date(t.date()), t.hour(), t.minute())
}

/// A statement with the sources that back it (decision-rules.md, Sources;
/// D where the spec marks a fact as derived).
fn stmt(rule: RuleId, msg: Msg) -> Statement {
    use SourceKey::*;
    let sources: &[SourceKey] = match &msg {
        Msg::Summary { .. } => match rule {
            RuleId::R0 | RuleId::R1 | RuleId::R6 | RuleId::R9 => &[N, M],
            RuleId::R1b | RuleId::R10 | RuleId::R11 | RuleId::R13 => &[M],
            RuleId::R2 | RuleId::R14 => &[N, S],
            RuleId::R3 | RuleId::R5 | RuleId::R7 | RuleId::Time => &[N],
            RuleId::R4 => &[S],
            RuleId::R8 => &[N, D],
            RuleId::R12 => &[M, D],
            RuleId::Services => &[N, S],
            RuleId::Combining => &[D],
        },
        Msg::CardRenewal | Msg::CardValidity | Msg::SuspendAndReissue => &[N, M],
        Msg::DamagedReissue | Msg::CounterHolder | Msg::CounterProxy | Msg::CounterSomeoneElse => {
            &[M]
        }
        Msg::CounterHours => &[M],
        Msg::FaceAuthCard | Msg::PhoneCertificate => &[N, S],
        Msg::PhoneToken | Msg::UnknownCard => &[N, D],
        Msg::JukiCardToken => &[M],
        Msg::KeyFine { .. } | Msg::NoRecovery | Msg::KeyKiosk { .. } => &[N],
        Msg::KioskStepsAuth | Msg::KioskStepsSign | Msg::NewPasswordFormat => &[N],
        Msg::Stores { .. } | Msg::KioskOtherPin { .. } => &[N],
        Msg::KeyVerified { .. }
        | Msg::KeyNoSign { .. }
        | Msg::KeyNoCertificate { .. }
        | Msg::KeyAbsent { .. }
        | Msg::KeyOdd { .. }
        | Msg::KeyCovered { .. }
        | Msg::KeyDependsOn { .. }
        | Msg::OneVisit { .. }
        | Msg::FixLater { .. }
        | Msg::AboveMax { .. }
        | Msg::TriesNotCounted { .. }
        | Msg::Assumed { .. } => &[D],
        Msg::KeyNotNeeded { .. } => &[N, S, D],
        Msg::KeyCounter { .. } | Msg::OtherPinTwice { .. } | Msg::LastTry { .. } => &[N, D],
        Msg::KeyHealthInsuranceOnly { .. }
        | Msg::HealthInsuranceStillWorks
        | Msg::FaceAuthLocks => &[S],
        Msg::KeyWithRenewal { .. }
        | Msg::KeySignatureCertificate { .. }
        | Msg::CertificateRenewal
        | Msg::CertificateReissue
        | Msg::MoveRevokes
        | Msg::ExpiringSoon { .. } => &[N, M],
        Msg::CounterLegalRep => &[M, D],
        Msg::ExpiredHealthInsurance => &[N, S],
        Msg::GoNow { .. } => &[N],
        Msg::JukiAtNewMunicipality => &[M],
        Msg::ReserveInMorning { .. } => &[N, D],
    };
    Statement::new(rule, msg, sources)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kiosk hours the engine computes with are the ones the text says
    /// (`vocab`, the one place they are written with their source).
    #[test]
    fn kiosk_times_match_the_vocabulary() {
        let hm = |t: Time| format!("{}:{:02}", t.hour(), t.minute());
        assert_eq!(hm(KIOSK_OPENS), KIOSK_HOURS.0);
        assert_eq!(hm(KIOSK_CLOSES), KIOSK_HOURS.1);
        assert_eq!(hm(KIOSK_LAST_START), super::super::vocab::KIOSK_LAST_START);
    }
}
