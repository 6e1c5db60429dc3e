//! The JSON documents of a run (the reading with its advice, the error
//! document) and writing output that may meet a closed pipe ([`emit`]).
//!
//! Owns: the error document's shape (docs/json.md,
//! docs/schema/error.schema.json). Must not:
//! decide anything about the card; the reading's fields are report.rs's and
//! cli/advise/mod.rs's.

use super::{Io, RunError};
use crate::failure::Failure;
pub(crate) use crate::present::documents::{JsonError, JsonErrorBody};
use crate::cli::advise::AdviceDocument;
use crate::advice::Advice;
use crate::lang::Lang;
use crate::report::{CardReport, SCHEMA_VERSION};
use std::io::Write;


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
