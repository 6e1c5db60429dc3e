//! `jpki-status`: read how many PIN tries remain on a Japanese My Number Card
//! (マイナンバーカード) without spending one, and say what to do next.
//!
//! Layers, bottom up (docs/architecture.md):
//! - [`apdu`]: the closed set of commands and response parsing.
//! - [`card`]: the card's layout (applets, keys, files), with sources.
//! - [`transport`]: the seam (`Terminal`, `Connection`, `Exchange`); only
//!   [`pcsc_backend`] imports `pcsc`.
//! - [`probe`]: one reading of a card, inside one transaction.
//! - [`report`]: what a reading found, and its JSON form.
//! - `sim`: the simulated My Number Card, driven by `apdu/profiles`
//!   (feature `sim`).
//! - `transcript`: golden APDU transcripts: recording and replay (feature
//!   `transcript`).
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
pub mod embed;
pub mod exit;
#[cfg(feature = "cli")]
pub mod help;
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

pub use embed::{read, read_with, readers, CardReading};
pub use lang::Lang;
