//! `jpki-status`: read how many PIN tries remain on a Japanese My Number Card
//! (マイナンバーカード) without spending one, and say what to do next.
//!
//! # The public API
//!
//! For a program that embeds the reading: [`read`] (the card on a PC/SC
//! reader: report and advice), [`read_within`] (other [`Limits`]),
//! [`read_with`] (any [`Terminal`], e.g. the simulated [`SimTerminal`]),
//! [`readers`] and [`readers_within`]. They return a [`CardReading`]: the
//! [`report`] (what the card said, key by key; the `--json` form) and the
//! [`advice`] (what to do next). [`transport`] is the seam a [`Terminal`]
//! implements, built on [`apdu`]'s closed set of commands (no command can
//! carry a PIN) and [`card`]'s layout; [`exit`] is the exit-code table an
//! advice maps to. [`run_command_line`] is the `jpki-status` binary (feature
//! `cli`). Everything else is crate-private; this crate's own tests reach
//! it through the non-default feature `internals` (hidden, no stability
//! promise).
//!
//! Built with `default-features = false`, the crate is only this library
//! (pcsc, serde, time, and the advice text's width and colour crates); the
//! features `cli`, `site`, `sim`, `transcript` and `virtual-card` add the
//! rest (README, "For integrators"). docs/architecture.md maps every module
//! by layer.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
// Without the command line (`default-features = false`), the parts only it
// uses (input files, questions, some views) are compiled but unused; they
// are not yet gated by feature one by one (issue 16, left for later).
#![cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]

/// A module of the crate's inside: `pub(crate)` for integrators (the public
/// API is the list of `pub use` below), public but hidden from the docs with
/// the non-default feature `internals`, which this crate's own tests,
/// examples and the `jpki-virtual-card` tool turn on (no stability promise).
macro_rules! internal {
    ($(#[$attr:meta])* mod $name:ident;) => {
        $(#[$attr])*
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        $(#[$attr])*
        #[cfg(not(feature = "internals"))]
        pub(crate) mod $name;
    };
}

pub mod advice;
pub mod apdu;
pub mod card;
internal! { #[cfg(feature = "cli")] mod cli; }
internal! { #[cfg(feature = "desk")] mod desk; }
internal! { mod embed; }
pub mod exit;
internal! { mod failure; }
internal! { mod holidays; }
internal! { mod input; }
internal! { mod japan_time; }
internal! { mod lang; }
internal! { mod pcsc_backend; }
internal! { mod present; }
internal! { mod probe; }
pub mod report;
internal! { mod session; }
#[cfg(feature = "sim")]
pub mod sim;
internal! { #[cfg(feature = "site")] mod site; }
internal! { #[cfg(feature = "site")] mod slip; }
internal! { #[cfg(feature = "site")] mod slip_file; }
internal! { #[cfg(feature = "transcript")] mod transcript; }
pub mod transport;
internal! { #[cfg(feature = "virtual-card")] mod vpcd; }
internal! { mod watch; }
#[cfg(test)]
mod name_tests;
#[cfg(all(feature = "cli", feature = "internals"))]
#[doc(hidden)]
pub use cli::help_ja as help;

// The integrator's API (README, "For integrators"): everything below, and
// nothing else, is public with default features.
pub use advice::Advice;
#[cfg(feature = "cli")]
pub use cli::main as run_command_line;
#[cfg(feature = "desk")]
#[doc(hidden)]
pub use cli::main_double_clicked as run_desk_from_explorer;
pub use embed::{read, read_with, read_within, readers, readers_within, CardReading, Limits};
pub use lang::Lang;
pub use report::{CardReport, KeyReport, KeyStatus};
#[cfg(feature = "sim")]
pub use sim::{SimCard, SimTerminal};
pub use transport::{ReaderInfo, Terminal, TransportError};
