//! `jpki-status`: read how many PIN tries remain on a Japanese My Number Card
//! (マイナンバーカード) without spending one, and say what to do next.
//!
//! Every module, by layer, bottom up (docs/architecture.md has the map):
//! - Card and protocol: [`apdu`] (the closed set of commands, response
//!   parsing), [`card`] (the card's layout, with sources).
//! - Reaching the card: [`transport`] (the seam: `Terminal`, `Connection`,
//!   `Exchange`); only [`pcsc_backend`] imports `pcsc`.
//! - Reading: [`probe`] (one reading inside one transaction), [`session`]
//!   (one reading within time limits, on a worker), [`watch`] (follow every
//!   reader), [`report`] (what a reading found, its JSON form).
//! - Deciding: [`advice`] (the pure engine and its text), [`japan_time`]
//!   (Japan time, once), [`exit`] (the exit-code table).
//! - Saying it: [`text`] (the PIN table, error messages), [`lang`] (ja/en),
//!   `slip` and `slip_file` (the printable slip, feature `site`), `site` (the
//!   office's settings, feature `site`), [`input`] (reading small files).
//! - Front ends: [`embed`] (the integrator's one call), `cli` and `help`
//!   (the command line, feature `cli`; `help` is `cli::help_ja`).
//! - Test equipment: `sim` (the simulated card, `apdu/profiles`, feature
//!   `sim`), `transcript` (golden APDU transcripts, feature `transcript`),
//!   `vpcd` (the virtual card's wire protocol, feature `virtual-card`).
//!
//! For a program that embeds the reading, start with [`read`] (the card on
//! a PC/SC reader: report and advice), [`read_with`] (any [`Terminal`],
//! e.g. the simulated card) and [`readers`]. Built with
//! `default-features = false`, the crate is only this library (pcsc, serde,
//! time, and the advice text's width and colour crates); the features `cli`,
//! `site`, `sim`, `transcript` and `virtual-card` add the rest (README, "For
//! integrators").
//!
//! [`Terminal`]: transport::Terminal
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod advice;
pub mod apdu;
pub mod card;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "desk")]
pub mod desk;
pub mod embed;
pub mod exit;
pub mod holidays;
#[cfg(feature = "cli")]
pub use cli::help_ja as help;
pub mod input;
pub mod japan_time;
pub mod lang;
pub mod pcsc_backend;
pub mod probe;
pub mod report;
pub mod session;
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(feature = "site")]
pub mod site;
#[cfg(feature = "site")]
pub mod slip;
#[cfg(feature = "site")]
pub mod slip_file;
pub mod text;
#[cfg(feature = "transcript")]
pub mod transcript;
pub mod transport;
#[cfg(feature = "virtual-card")]
pub mod vpcd;
pub mod watch;

pub use embed::{read, read_with, read_within, readers, readers_within, CardReading};
pub use lang::Lang;
