//! The presentation layer (issue 16): everything a person reads on the
//! terminal that the core decided, in Japanese or English. The terminal
//! (`cli`), the slip (`slip`) and the library's `CardReading::text` use it;
//! a new front end (the desk page) stands here too.
//!
//! Owns: the PIN table, the card line and the transport and output error
//! texts ([`report_text`]), the advice page (decision first, the pieces the
//! slip shares, the `--details` view: [`advice_page`]), and the questions
//! asked on a terminal ([`questions`]), and the JSON documents
//! (`documents` and watch mode's `watch_events`, feature `cli`). Must not: decide (the engine in
//! `advice` does), read a card, or parse arguments (`cli`). The words
//! themselves (every sentence, label and name) are the engine's
//! (`advice::wording`, `advice::vocab`).

pub mod advice_page;
#[cfg(feature = "cli")]
pub mod documents;
pub mod questions;
pub mod report_text;
#[cfg(feature = "cli")]
pub mod watch_events;
