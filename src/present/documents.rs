//! The JSON documents (docs/json.md, docs/schema/), as serde types, and
//! the one function that writes them (issue 16: typed documents, one
//! presentation layer).
//!
//! Owns: the reading and `advise` document ([`AdviceDocument`]), the error
//! document and its body ([`JsonError`], [`JsonErrorBody`], the one JSON
//! writer of a `Failure`), the `readers` document ([`ReadersDocument`]),
//! and [`document_bytes`]. Watch mode's event lines are
//! `cli::watch_mode::EventLine` (they borrow its events). Must not: decide,
//! read a card, or write to a stream (the caller does).

use crate::advice::Advice;
use crate::failure::Failure;
use crate::lang::Lang;
use crate::report::{CardReport, SCHEMA_VERSION};
use serde::Serialize;

/// The reading document (`jpki-status --json`) and the `advise --json`
/// document, as one type (docs/json.md, docs/schema/): the report's fields
/// when there is a reading, this version's `schema_version`, the `advice`,
/// and the `slip` written, if any.
#[derive(Debug, Serialize)]
pub struct AdviceDocument<'a> {
    /// The reading, its `schema_version` this version's: a reading saved by
    /// an older version keeps its fields, but the document written now is
    /// of this version (its advice is).
    #[serde(flatten)]
    report: Option<CardReport>,
    /// Without a reading, the version stands alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    schema_version: Option<u32>,
    advice: &'a Advice,
    /// Where the slip was written (`--slip`).
    #[serde(skip_serializing_if = "Option::is_none")]
    slip: Option<String>,
}

impl<'a> AdviceDocument<'a> {
    /// The document of `advice`, after `report` when there is one.
    pub fn new(report: Option<&CardReport>, advice: &'a Advice) -> Self {
        let report = report.map(|r| CardReport {
            schema_version: SCHEMA_VERSION,
            ..r.clone()
        });
        AdviceDocument {
            schema_version: report.is_none().then_some(SCHEMA_VERSION),
            report,
            advice,
            slip: None,
        }
    }

    /// The same, naming the slip written.
    pub fn with_slip(self, slip: String) -> Self {
        AdviceDocument {
            slip: Some(slip),
            ..self
        }
    }
}

/// A JSON document as printed: pretty, one newline at the end, and every
/// object's keys in alphabetical order, at every level (serde_json's map
/// orders them; docs/json.md and the golden files pin that order, so the
/// typed documents go through it instead of their declaration order).
pub(crate) fn document_bytes(doc: &impl serde::Serialize) -> serde_json::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(&serde_json::to_value(doc)?)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The error document (docs/schema/error.schema.json).
#[derive(Serialize)]
pub(crate) struct JsonError<'a> {
    /// `report::SCHEMA_VERSION`.
    pub(crate) schema_version: u32,
    /// The failure.
    pub(crate) error: JsonErrorBody<'a>,
}


/// The `error` object of the error document and of watch mode's `error`
/// and `service_lost` events: the one JSON writer of a [`Failure`].
#[derive(Serialize)]
pub(crate) struct JsonErrorBody<'a> {
    code: &'a str,
    exit_code: u8,
    message: String,
    next_step: String,
}

impl JsonErrorBody<'static> {
    /// Any failure, in `lang`.
    pub(crate) fn of(f: &dyn Failure, lang: Lang) -> Self {
        let (message, next_step) = f.describe(lang);
        JsonErrorBody {
            code: f.code(),
            exit_code: f.exit().code(),
            message,
            next_step,
        }
    }

    /// The same with another next step (watch mode's own).
    pub(crate) fn next_step(self, next_step: String) -> Self {
        JsonErrorBody { next_step, ..self }
    }
}

/// One reader in the `readers --json` document (docs/json.md).
#[derive(Serialize)]
pub(crate) struct ReaderJson {
    /// The reader's name, decoded for display.
    pub(crate) name: String,
    /// A card is on it.
    pub(crate) card_present: bool,
    /// The card's ATR, spaced hex.
    pub(crate) atr: Option<String>,
    /// The reader looks contactless (NFC).
    pub(crate) contactless: bool,
    /// Another program holds the card exclusively.
    pub(crate) in_use_exclusively: bool,
}

/// The `readers --json` document (docs/json.md).
#[derive(Serialize)]
pub(crate) struct ReadersDocument<'a> {
    /// `report::SCHEMA_VERSION`.
    pub(crate) schema_version: u32,
    /// One row per reader.
    pub(crate) readers: &'a [ReaderJson],
}
