//! Advice: kiosk, counter or nothing, from a card reading plus what only
//! the holder knows (issue 4; docs/decision-rules.md).
//!
//! Owns: the pure decision engine ([`advise`]), its input ([`AdviceInput`],
//! [`Facts`], [`KeyInput`]) and output ([`Advice`]), the advice's text in
//! Japanese and English (words and volatile facts once, in `vocab`), the
//! fact flags and the `advise` subcommand's arguments, and the interactive
//! questions. Must not: read a card (that is
//! `probe`), or decide exit codes other than through [`Advice::exit`].
//!
//! One engine serves the card reading, the card-less `advise` subcommand
//! and `advise --from report.json`. Modules, lowest first (none uses one
//! above it; tests/layering.rs): `facts`, `model`, `vocab`, `msg`,
//! `output`, `engine` (pure), `wording`, then the UI: `text`, `interactive`,
//! `cli`. docs/architecture.md maps each and says where to change what.

internal! { mod engine; }
internal! { mod facts; }
internal! { mod model; }
internal! { mod msg; }
internal! { mod decision; }
internal! { mod vocab; }
internal! { mod wording; }

#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use decision::{Advice, Branch, Condition, Exception, KeyAdvice, Statement, TimeWindow};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use engine::{advise, open_questions};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use facts::{AdviceInput, AgeBand, Answer, CardFacts, Facts, KeyInput, PerKey, Purpose, Who};
#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use model::{Choice, Question, Route, RouteKind, RuleId, SourceKey, SourceRef, RULES_CHECKED};
pub use msg::{Assumed, DayOff, Msg, Why};
