//! The JSON documents of a run (the reading with its advice, the error
//! document) and writing output that may meet a closed pipe ([`emit`]).
//!
//! Owns: the error document's shape (docs/json.md,
//! docs/schema/error.schema.json). Must not:
//! decide anything about the card; the reading's fields are report.rs's and
//! cli/advise/mod.rs's.

use super::{Io, RunError};
use crate::cli::advise::AdviceDocument;
use crate::advice::Advice;
use crate::failure::Failure;
use crate::lang::Lang;
use crate::report::{CardReport, SCHEMA_VERSION};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct JsonError<'a> {
    schema_version: u32,
    error: JsonErrorBody<'a>,
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

/// Writes one piece of output and flushes it. A closed pipe comes back as
/// `RunError::Output` of kind `BrokenPipe`, which callers turn into the
/// run's own exit code (docs/exit-codes.md: a closed pipe is not a failure);
/// any other write error (a full disk) is exit 1 with a message on stderr.
pub fn emit(out: &mut dyn Write, bytes: &[u8]) -> Result<(), RunError> {
    put(out, bytes)?;
    out.flush().map_err(RunError::Output)
}

/// Writes one piece of output without flushing (errors as [`emit`]).
fn put(out: &mut dyn Write, bytes: &[u8]) -> Result<(), RunError> {
    out.write_all(bytes).map_err(RunError::Output)
}

/// Whether the advice may send the holder to the counter, so the office's
/// details are worth printing under it.
pub(super) fn mentions_counter(advice: &Advice) -> bool {
    advice.route.may_need_counter()
}

/// The `--json` document: the report's fields plus `advice`.
pub fn report_json<'a>(report: &CardReport, advice: &'a Advice) -> AdviceDocument<'a> {
    AdviceDocument::new(Some(report), advice)
}

/// The JSON error document of `e` on stdout.
pub(super) fn write_json_error(e: &dyn Failure, lang: Lang, io: &mut Io<'_>) {
    let doc = JsonError {
        schema_version: SCHEMA_VERSION,
        error: JsonErrorBody::of(e, lang),
    };
    let _ = serde_json::to_writer_pretty(&mut *io.out, &doc);
    let _ = writeln!(io.out);
}
