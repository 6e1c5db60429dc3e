//! The one error contract (issue 16): every failure a person can meet, of
//! any layer, says the same four things through [`Failure`]: a stable
//! snake_case `code` (docs/json.md), the `exit` code (docs/exit-codes.md),
//! and what happened and what to do next in the output language.
//!
//! Owns: the trait only. Each error type implements it beside its own text
//! (`TransportError` in `present::report_text`, `SiteError` in `site`, `InputError` in
//! `input`, `SlipWriteError` in `slip_file`, `ProfileError` in `sim`,
//! `AdviseError` in `cli::advise`, `SelectError` and `RunError` in `cli`).
//! Must not: print. There is one writer for the terminal
//! (`cli::write_failure`) and one for JSON
//! (`present::documents::JsonErrorBody::of`),
//! and every failure, watch mode's included, goes through them.

use crate::exit::Exit;
use crate::lang::Lang;

/// A failure: its code, exit code, and what happened and what to do.
pub(crate) trait Failure {
    /// A stable snake_case code for JSON (docs/json.md, error codes); one
    /// code per case a person must tell apart.
    fn code(&self) -> &'static str;
    /// The exit code (docs/exit-codes.md).
    fn exit(&self) -> Exit;
    /// What happened and what to do next, in `lang`.
    fn describe(&self, lang: Lang) -> (String, String);
}
