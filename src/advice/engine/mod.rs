//! The decision engine: rules R0-R14, the combining rules and the time rules
//! of docs/decision-rules.md, as one pure function.
//!
//! Owns: [`advise`] and the reasoning behind every route. Must not: read a
//! card, the clock, the terminal or the environment; print; or panic on
//! any input. Text lives in `wording`; the caller passes `now`.
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
use super::model::{Choice, Question, Route, RuleId, SourceKey, SourceRef, RULES_CHECKED};
use super::msg::{Assumed, DayOff, Msg, Why};
use super::decision::{Advice, Branch, Condition, Exception, KeyAdvice, Statement, TimeWindow};
use super::vocab::RESERVATION_VALID_HOURS;
use crate::card::{CardKind, KeyId};
use crate::japan_time::{date_text, in_japan, minute_text};
use crate::report::{CertificateStatus, SignatureCertificate};
use std::collections::BTreeSet;
use time::{Date, Duration, OffsetDateTime};

mod assemble;
mod explain;
mod rules;
mod sources;
mod time_window;
mod unknowns;

use assemble::assemble;
use explain::{assumptions, explain, general_warnings, Parts};
use rules::{card_route, decide, knows, Decision};
use sources::stmt;
use time_window::time_window;
pub use unknowns::answer;
use unknowns::{candidates, exceptions, matters, worlds};

pub(super) const JPKI: [KeyId; 2] = [KeyId::Auth, KeyId::Sign];

/// The other JPKI key: the one the kiosk asks for (R5, R7).
pub const fn other(key: KeyId) -> KeyId {
    match key {
        KeyId::Sign => KeyId::Auth,
        KeyId::Auth => KeyId::Sign,
        // Only the JPKI keys have a kiosk partner; the engine never asks
        // for the others' (listed so a new key must be decided here).
        KeyId::Kenhojo
        | KeyId::Juki
        | KeyId::KenhojoA
        | KeyId::KenhojoB
        | KeyId::KenmenA
        | KeyId::KenmenB => KeyId::Sign,
    }
}

/// Computes the advice. Total: any input and any time give an advice.
/// The statements' `text` is empty; call [`Advice::localize`].
///
/// Facts imply facts first (`with_implied`); then every exception
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
        usual.facts = answer(&usual.facts, *q, q.usual());
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
pub(super) struct Cx<'a> {
    pub(super) input: &'a AdviceInput,
    pub(super) now: OffsetDateTime,
    /// The card says the certificates have expired (at reading, or by date
    /// at `now`).
    pub(super) card_cert_expired: bool,
    /// Days from today (JST) to the certificates' expiry.
    pub(super) days_to_expiry: Option<i64>,
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

    /// The reading has a gap: a refused identity or certificate read.
    fn gap(&self) -> bool {
        self.input.card.as_ref().is_some_and(|c| c.gap)
    }

    fn kind(&self) -> Option<CardKind> {
        self.input.card.as_ref().map(|c| c.kind)
    }

    /// Whether the card carries a 署名用 certificate: what the card says;
    /// without that, none for a holder under 15 or an adult ward (R12: no
    /// 署名用 certificate in principle, D), so no 署名用 route is offered
    /// (issue 18).
    /// `f`: the facts of the world being decided (an exception's "under
    /// 15" world has no 署名用 certificate either).
    fn sign_cert_on_card(&self, f: &Facts) -> SignatureCertificate {
        match self.input.card.as_ref().map(|c| c.signature_certificate) {
            Some(known @ (SignatureCertificate::Present | SignatureCertificate::Absent)) => known,
            Some(SignatureCertificate::Unknown) | None
                if f.age == AgeBand::Under15 || f.adult_ward == Answer::Yes =>
            {
                SignatureCertificate::Absent
            }
            Some(SignatureCertificate::Unknown) | None => SignatureCertificate::Unknown,
        }
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
            // Decided key by key by the rules (an unknown card that answered
            // the JPKI applet is read as one, with a warning).
            CardKind::MyNumberCard | CardKind::Unknown => None,
        }
    }

    fn cert_expired(&self, f: &Facts) -> bool {
        self.card_cert_expired || f.certificate_expired == Answer::Yes
    }
}

pub(super) fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.get(..10)?, &fmt).ok()
}
