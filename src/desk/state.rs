//! The desk's state: one panel per reader, what is on it, the holder's
//! answers given on the page, and whether the PC/SC service is there.
//!
//! Owns: turning watch events and answers into panel states, the clearing
//! of a panel after its card left (a generation number per card, so a late
//! timer never clears the next holder's panel), and the documents the API
//! and the page receive ([`PanelDoc`], [`AnswerDoc`], [`ServiceDoc`]).
//! Must not: word anything (the panel's words are `page`'s, which takes them
//! from `slip`, `advice` and `text`), block, or keep anything about a holder
//! once the panel is cleared: the report and the answers live only in
//! [`PanelState`], dropped on removal.

use crate::advice::{advise, open_questions, Advice, AdviceInput, Choice, Facts, Question};
use crate::lang::Lang;
use crate::report::CardReport;
use crate::transport::TransportError;
use crate::watch::WatchEvent;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// The version of the desk API's documents (docs/json.md); it moves with
/// the reading document's.
pub const SCHEMA_VERSION: u32 = crate::report::SCHEMA_VERSION;

/// The environment variable that fixes the secret instead of a random
/// one, for a desk whose page must reconnect after the server restarts
/// (with a fixed `--port`). At least 32 characters of `[0-9A-Za-z_-]`.
pub const SECRET_ENV: &str = "JPKI_STATUS_DESK_SECRET";

/// A per-launch secret: 32 random bytes as hex, or [`SECRET_ENV`].
pub(super) fn new_secret() -> Result<String, String> {
    if let Some(given) = std::env::var_os(SECRET_ENV) {
        let given = given.to_string_lossy().into_owned();
        let fine = given.len() >= 32
            && given
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        return if fine {
            Ok(given)
        } else {
            Err(format!(
                "{SECRET_ENV} must be at least 32 characters of letters, digits, - and _"
            ))
        };
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(hex::encode(bytes))
}

/// What one reader's panel shows.
#[derive(Clone)]
pub(super) enum PanelState {
    /// No card on the reader.
    Empty,
    /// A card was placed and is being read.
    Reading,
    /// A card was read: the reading, and the answers given so far.
    Report(Box<Holder>),
    /// The card could not be read.
    Error(TransportError),
    /// The card left; the previous state stays until the clear timer.
    Removed(Box<PanelState>),
}

/// One holder's reading and answers: exists only while their card is on
/// the reader (and the short clearing delay after).
#[derive(Clone)]
pub(super) struct Holder {
    pub(super) report: CardReport,
    pub(super) facts: Facts,
    /// Questions answered "don't know": not asked again for this card.
    pub(super) skipped: Vec<Question>,
    /// Questions answered: they may be answered again (a correction, or
    /// the same answer from a second tab).
    pub(super) answered: Vec<Question>,
}

impl Holder {
    /// The advice for this reading with the answers given, in `lang`.
    pub(super) fn advice(&self, now: OffsetDateTime, lang: Lang) -> Advice {
        advise(&self.input(), now).localized(lang)
    }

    fn input(&self) -> AdviceInput {
        AdviceInput::from_report(&self.report, self.facts.clone())
    }

    /// The question to ask now: the first open one not skipped.
    pub(super) fn question(&self, now: OffsetDateTime) -> Option<Question> {
        open_questions(&self.input(), now)
            .into_iter()
            .find(|q| !self.skipped.contains(q))
    }
}

/// One reader's panel.
pub(super) struct Panel {
    pub(super) reader: String,
    pub(super) state: PanelState,
    /// Counts cards placed on this reader: a clear timer names the card it
    /// was started for.
    pub(super) generation: u64,
}

/// Something changed: announced to every open page.
#[derive(Clone)]
pub(super) struct Note {
    /// The watch event, for the API's `watch` events (none for an answer or
    /// a clear).
    pub(super) event: Option<Arc<WatchEvent>>,
    /// The event's number and time, as in watch mode's JSON Lines.
    pub(super) seq: u64,
    pub(super) time: OffsetDateTime,
    /// The reader whose panel changed (none: the service banner).
    pub(super) reader: Option<String>,
}

/// The whole desk.
pub(super) struct Desk {
    pub(super) panels: Vec<Panel>,
    /// The PC/SC service went away (and has not come back).
    pub(super) service_lost: Option<TransportError>,
    pub(super) clear_after: Duration,
    seq: u64,
}

/// A clear to schedule: this reader's panel, for this card, after this long.
pub(super) type Clear = (String, u64, Duration);

impl Desk {
    pub(super) fn new(clear_after: Duration) -> Desk {
        Desk {
            panels: Vec::new(),
            service_lost: None,
            clear_after,
            seq: 0,
        }
    }

    fn panel(&mut self, reader: &str) -> &mut Panel {
        let i = match self.panels.iter().position(|p| p.reader == reader) {
            Some(i) => i,
            None => {
                self.panels.push(Panel {
                    reader: reader.to_string(),
                    state: PanelState::Empty,
                    generation: 0,
                });
                self.panels.len() - 1
            }
        };
        &mut self.panels[i]
    }

    fn note(
        &mut self,
        event: Option<Arc<WatchEvent>>,
        reader: Option<String>,
        now: OffsetDateTime,
    ) -> Note {
        self.seq += 1;
        Note {
            event,
            seq: self.seq,
            time: now,
            reader,
        }
    }

    /// Applies one watch event; returns the note to announce and, when a
    /// card left, the clear to schedule.
    pub(super) fn apply(
        &mut self,
        event: WatchEvent,
        now: OffsetDateTime,
    ) -> (Note, Option<Clear>) {
        let mut clear = None;
        let reader = match &event {
            WatchEvent::ReaderAdded { reader } => {
                self.panel(reader);
                Some(reader.clone())
            }
            WatchEvent::ReaderRemoved { reader } => {
                self.panels.retain(|p| &p.reader != reader);
                Some(reader.clone())
            }
            WatchEvent::CardInserted { reader, .. } => {
                let p = self.panel(reader);
                // The next card: the previous holder's state goes at once.
                p.generation += 1;
                p.state = PanelState::Reading;
                Some(reader.clone())
            }
            WatchEvent::Report { reader, report } => {
                let p = self.panel(reader);
                p.state = PanelState::Report(Box::new(Holder {
                    report: (**report).clone(),
                    facts: Facts::default(),
                    skipped: Vec::new(),
                    answered: Vec::new(),
                }));
                Some(reader.clone())
            }
            WatchEvent::CardRemoved { reader } => {
                let after = self.clear_after;
                let p = self.panel(reader);
                let previous = std::mem::replace(&mut p.state, PanelState::Empty);
                p.state = match previous {
                    PanelState::Empty | PanelState::Reading => PanelState::Empty,
                    _ if after.is_zero() => PanelState::Empty,
                    PanelState::Removed(inner) => PanelState::Removed(inner),
                    other => {
                        clear = Some((reader.clone(), p.generation, after));
                        PanelState::Removed(Box::new(other))
                    }
                };
                Some(reader.clone())
            }
            WatchEvent::Error { reader, error } => match reader {
                Some(r) => {
                    self.panel(r).state = PanelState::Error(error.clone());
                    Some(r.clone())
                }
                None => None,
            },
            WatchEvent::ServiceLost { error } => {
                self.service_lost = Some(error.clone());
                None
            }
            WatchEvent::ServiceBack => {
                self.service_lost = None;
                None
            }
        };
        (self.note(Some(Arc::new(event)), reader, now), clear)
    }

    /// Clears a removed card's panel, if it still shows that card.
    pub(super) fn clear_if(&mut self, reader: &str, generation: u64) -> Option<Note> {
        let p = self.panels.iter_mut().find(|p| p.reader == reader)?;
        if p.generation != generation || !matches!(p.state, PanelState::Removed(_)) {
            return None;
        }
        p.state = PanelState::Empty;
        let reader = reader.to_string();
        Some(self.note(None, Some(reader), OffsetDateTime::now_utc()))
    }

    /// Records an answer for the card on `reader` (`None`: "don't know",
    /// the question is not asked again for this card). Returns the holder
    /// after the answer, or why not.
    pub(super) fn answer(
        &mut self,
        reader: &str,
        question: Question,
        choice: Option<Choice>,
        now: OffsetDateTime,
    ) -> Result<(Holder, Note), AnswerRefused> {
        let p = self
            .panels
            .iter_mut()
            .find(|p| p.reader == reader)
            .ok_or(AnswerRefused::NoCard)?;
        let PanelState::Report(holder) = &mut p.state else {
            return Err(AnswerRefused::NoCard);
        };
        let taken = match choice {
            Some(c) => question.choices().contains(&c),
            None => unknown_allowed(question),
        };
        if !taken {
            return Err(AnswerRefused::NotAChoice);
        }
        // Only a question whose answer would change this card's advice,
        // or one answered before (a correction).
        if !holder.answered.contains(&question)
            && !open_questions(&holder.input(), now).contains(&question)
        {
            return Err(AnswerRefused::NotOpen);
        }
        if !holder.answered.contains(&question) {
            holder.answered.push(question);
        }
        match choice {
            Some(c) => {
                holder.skipped.retain(|q| *q != question);
                holder.facts = crate::advice::engine::answer(&holder.facts, question, c);
            }
            None if !holder.skipped.contains(&question) => holder.skipped.push(question),
            None => {}
        }
        let holder = (**holder).clone();
        let note = self.note(None, Some(reader.to_string()), now);
        Ok((holder, note))
    }
}

/// Whether "don't know" is an answer to `q`. Whether the holder remembers
/// a PIN has none: unsure counts as forgotten (docs/decision-rules.md),
/// which "no" says.
pub(super) fn unknown_allowed(q: Question) -> bool {
    !matches!(
        q,
        Question::KnowsAuth | Question::KnowsSign | Question::KnowsKenhojo | Question::KnowsJuki
    )
}

/// Why an answer was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AnswerRefused {
    /// No card (or no reading yet) on that reader.
    NoCard,
    /// The question is not one whose answer changes this card's advice.
    NotOpen,
    /// The answer is not one the question takes.
    NotAChoice,
}

/// One reader's panel as the page and the API receive it (docs/json.md,
/// `desk-panel.schema.json`).
#[derive(Serialize, Debug)]
pub struct PanelDoc {
    /// The document version.
    pub schema_version: u32,
    /// The reader.
    pub reader: String,
    /// What the panel shows.
    pub state: PanelKind,
    /// The reading (state `report`, or `removed` after one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<CardReport>,
    /// The advice with the answers given (state `report`/`removed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
    /// The question to ask now, with its choices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionDoc>,
    /// The panel's HTML, for the page.
    pub html: String,
}

/// What a panel shows (`PanelDoc::state`).
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PanelKind {
    /// No card on the reader.
    Empty,
    /// A card is being read.
    Reading,
    /// A reading with its advice.
    Report,
    /// The card could not be read.
    Error,
    /// The card left; the panel clears shortly.
    Removed,
    /// The reader was unplugged (the page drops the panel).
    Gone,
}

/// Whether the PC/SC service is there (`ServiceDoc::state`).
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// It answers.
    Running,
    /// It went away (or was not there at the start); the desk waits.
    Lost,
}

/// A question as the page shows it.
#[derive(Serialize, Debug)]
pub struct QuestionDoc {
    /// Its id (`knows_sign`...).
    pub id: Question,
    /// Its text, in the page's language.
    pub text: String,
    /// The answers it takes, with their labels.
    pub choices: Vec<ChoiceDoc>,
    /// Whether "don't know" is offered.
    pub unknown_allowed: bool,
}

/// One answer button.
#[derive(Serialize, Debug)]
pub struct ChoiceDoc {
    /// Its id (`yes`, `no`, `under15`...).
    pub id: Choice,
    /// Its label.
    pub label: String,
}

/// The service banner (docs/json.md).
#[derive(Serialize, Debug)]
pub struct ServiceDoc {
    /// The document version.
    pub schema_version: u32,
    /// Whether it is there.
    pub state: ServiceKind,
    /// What happened and what the desk does about it (state `lost`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// `POST /api/answer`'s body (docs/json.md).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The reader whose card the answer is about.
    pub reader: String,
    /// The question.
    pub question: Question,
    /// The answer; null for "don't know" (where the question offers it).
    /// Required: a body without it is refused, not taken as "don't know".
    #[serde(deserialize_with = "nullable")]
    pub answer: Option<Choice>,
}

/// A field that must be present and may be null (`deserialize_with`
/// takes away serde's "missing Option is None").
fn nullable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Choice>, D::Error> {
    Option::<Choice>::deserialize(d)
}

#[cfg(all(test, feature = "sim"))]
mod tests {
    use super::*;
    use crate::sim::{SimCard, SimTerminal};
    use crate::transport::Terminal;

    fn report(profile: &str) -> (String, CardReport) {
        let mut t = SimTerminal::new(SimCard::load(profile).expect("profile"));
        let reader = t.readers().expect("readers")[0].name.clone();
        let r = crate::embed::read_with(&mut t, &reader, std::time::SystemTime::now())
            .expect("reading");
        (reader, r.report)
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn placed(desk: &mut Desk, reader: &str, report: &CardReport) {
        desk.apply(
            WatchEvent::ReaderAdded {
                reader: reader.into(),
            },
            now(),
        );
        desk.apply(
            WatchEvent::CardInserted {
                reader: reader.into(),
                atr: None,
            },
            now(),
        );
        desk.apply(
            WatchEvent::Report {
                reader: reader.into(),
                report: Box::new(report.clone()),
            },
            now(),
        );
    }

    #[test]
    fn an_answer_changes_the_advice_and_leaves_with_the_card() {
        let (reader, r) = report("sign-1-left");
        let mut desk = Desk::new(Duration::from_secs(5));
        placed(&mut desk, &reader, &r);
        let PanelState::Report(h) = &desk.panels[0].state else {
            panic!("no report")
        };
        assert_eq!(h.question(now()), Some(Question::KnowsSign));
        let before = h.advice(now(), Lang::En).summary.text;
        let (h, _) = desk
            .answer(&reader, Question::KnowsSign, Some(Choice::No), now())
            .expect("answer taken");
        assert_ne!(h.advice(now(), Lang::En).summary.text, before);
        assert_ne!(h.question(now()), Some(Question::KnowsSign));
        // A correction (or the same answer from another tab) is taken.
        let (h, _) = desk
            .answer(&reader, Question::KnowsSign, Some(Choice::Yes), now())
            .expect("a correction is taken");
        let (h2, _) = desk
            .answer(&reader, Question::KnowsSign, Some(Choice::No), now())
            .expect("and corrected back");
        assert_ne!(
            h.advice(now(), Lang::En).summary.text,
            h2.advice(now(), Lang::En).summary.text
        );
        // The card leaves: the panel keeps showing until the timer, then
        // clears; a new card on the same reader starts with no answers.
        let (_, clear) = desk.apply(
            WatchEvent::CardRemoved {
                reader: reader.clone(),
            },
            now(),
        );
        let (r2, gen, after) = clear.expect("a clear is scheduled");
        assert_eq!(
            (r2.as_str(), after),
            (reader.as_str(), Duration::from_secs(5))
        );
        assert!(matches!(desk.panels[0].state, PanelState::Removed(_)));
        assert!(desk
            .answer(&reader, Question::KnowsSign, Some(Choice::Yes), now())
            .is_err());
        assert!(desk.clear_if(&reader, gen).is_some());
        assert!(matches!(desk.panels[0].state, PanelState::Empty));
        placed(&mut desk, &reader, &r);
        let PanelState::Report(h) = &desk.panels[0].state else {
            panic!("no report")
        };
        assert_eq!(
            h.facts,
            Facts::default(),
            "answers never outlive their card"
        );
    }

    #[test]
    fn a_late_timer_never_clears_the_next_holder() {
        let (reader, r) = report("auth-locked");
        let mut desk = Desk::new(Duration::from_secs(5));
        placed(&mut desk, &reader, &r);
        let (_, clear) = desk.apply(
            WatchEvent::CardRemoved {
                reader: reader.clone(),
            },
            now(),
        );
        let (_, gen, _) = clear.expect("scheduled");
        // The next card arrives before the timer: it clears at once...
        desk.apply(
            WatchEvent::CardInserted {
                reader: reader.clone(),
                atr: None,
            },
            now(),
        );
        assert!(matches!(desk.panels[0].state, PanelState::Reading));
        desk.apply(
            WatchEvent::Report {
                reader: reader.clone(),
                report: Box::new(r),
            },
            now(),
        );
        // ...and the old timer leaves the new reading alone.
        assert!(desk.clear_if(&reader, gen).is_none());
        assert!(matches!(desk.panels[0].state, PanelState::Report(_)));
    }

    #[test]
    fn clear_after_zero_clears_at_once_and_answers_are_checked() {
        let (reader, r) = report("sign-1-left");
        let mut desk = Desk::new(Duration::ZERO);
        placed(&mut desk, &reader, &r);
        assert_eq!(
            desk.answer(&reader, Question::KnowsSign, Some(Choice::Under15), now())
                .err(),
            Some(AnswerRefused::NotAChoice)
        );
        assert_eq!(
            desk.answer("other reader", Question::KnowsSign, Some(Choice::No), now())
                .err(),
            Some(AnswerRefused::NoCard)
        );
        // Remembering a PIN has no "don't know"; a question this card does
        // not ask is refused.
        assert_eq!(
            desk.answer(&reader, Question::KnowsSign, None, now()).err(),
            Some(AnswerRefused::NotAChoice)
        );
        assert_eq!(
            desk.answer(&reader, Question::Age, Some(Choice::Adult), now())
                .err(),
            Some(AnswerRefused::NotOpen)
        );
        // "Don't know" where it is an answer: not asked again for this card.
        let (h, _) = desk
            .answer(&reader, Question::KnowsSign, Some(Choice::No), now())
            .expect("taken");
        let q = h.question(now()).expect("a next question");
        let q = if unknown_allowed(q) {
            q
        } else {
            let (h, _) = desk
                .answer(&reader, q, Some(Choice::Yes), now())
                .expect("taken");
            h.question(now()).expect("a question that takes don't know")
        };
        assert!(unknown_allowed(q), "{q:?}");
        let (h, _) = desk.answer(&reader, q, None, now()).expect("taken");
        assert_ne!(h.question(now()), Some(q));
        let (_, clear) = desk.apply(
            WatchEvent::CardRemoved {
                reader: reader.clone(),
            },
            now(),
        );
        assert!(clear.is_none());
        assert!(matches!(desk.panels[0].state, PanelState::Empty));
        desk.apply(
            WatchEvent::ReaderRemoved {
                reader: reader.clone(),
            },
            now(),
        );
        assert!(desk.panels.is_empty());
    }

    #[test]
    fn an_answer_must_say_its_answer() {
        let req = |body: &str| serde_json::from_str::<AnswerRequest>(body);
        assert!(req(r#"{"reader":"r","question":"knows_sign","answer":null}"#).is_ok());
        assert!(req(r#"{"reader":"r","question":"knows_sign","answer":"no"}"#).is_ok());
        assert!(req(r#"{"reader":"r","question":"knows_sign"}"#).is_err());
        assert!(req(r#"{"reader":"r","question":"knows_sign","answer":"no","x":1}"#).is_err());
    }

    #[test]
    fn the_service_banner_follows_the_service() {
        let mut desk = Desk::new(Duration::ZERO);
        desk.apply(
            WatchEvent::ServiceLost {
                error: TransportError::NoService,
            },
            now(),
        );
        assert!(desk.service_lost.is_some());
        desk.apply(WatchEvent::ServiceBack, now());
        assert!(desk.service_lost.is_none());
    }
}
