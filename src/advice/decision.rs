//! The engine's output: [`Advice`] and its parts (statements, conditions,
//! exceptions, per-key advice, the kiosk's time window), with a stable
//! snake_case JSON form (docs/json.md).
//!
//! Owns: the output data and the route's exit code through [`Advice::exit`].
//! Must not: decide (that is `engine`) or hold human text (that is
//! `wording`, which fills the `text` fields).

use super::facts::KeyInput;
use super::model::{Choice, Question, Route, RuleId, SourceKey, SourceRef};
use super::msg::Msg;
use crate::card::KeyId;
use crate::exit::Exit;
use crate::lang::Lang;
use crate::report::CardReport;
use serde::{Deserialize, Serialize};

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
    /// When this answer alone does not settle the route: the question that
    /// does, with the route for each of its answers (issue 18: no branch
    /// ends in "depends" without the question that decides it). Its
    /// `text` is empty; the parent condition's text says it all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<Box<Condition>>,
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

    /// The exit code after reading `report`: a card that is not a My Number
    /// Card is 6 whatever the advice says; otherwise the route decides.
    pub fn exit_after(&self, report: &CardReport) -> Exit {
        if report.is_foreign_card() {
            Exit::NotMyNumberCard
        } else {
            self.exit()
        }
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

    pub(super) fn statements_mut(&mut self) -> Vec<&mut Statement> {
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
}
