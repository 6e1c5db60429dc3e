//! Watch mode's events as people and programs see them: the JSON Lines
//! line of `--watch --json` (docs/json.md, watch-event.schema.json), which
//! the desk page's event stream carries too, and the words watch mode adds
//! to an error (place the card again; waiting for the service).
//!
//! Owns: [`EventLine`] and its writer, the watch-mode next steps. Must not:
//! talk to a card or wait on one (the loop is `watch`), or decide.

use crate::advice::Advice;
use crate::failure::Failure;
use crate::lang::Lang;
use crate::present::documents::JsonErrorBody;
use crate::report::{CardReport, SCHEMA_VERSION};
use crate::watch::WatchEvent;
use serde::Serialize;
use std::io::Write;

/// One line of `--watch --json` output (docs/json.md).
#[derive(Serialize)]
pub(crate) struct EventLine<'a> {
    pub(crate) schema_version: u32,
    pub(crate) seq: u64,
    pub(crate) time: String,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) reader: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) atr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) report: Option<&'a CardReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) advice: Option<Advice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<JsonErrorBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) slip: Option<String>,
}

/// An event's `type` in JSON Lines (docs/json.md), one arm per event.
pub(crate) fn event_kind(event: &WatchEvent) -> &'static str {
    match event {
        WatchEvent::ReaderAdded { .. } => "reader_added",
        WatchEvent::ReaderRemoved { .. } => "reader_removed",
        WatchEvent::CardInserted { .. } => "card_inserted",
        WatchEvent::Report { .. } => "report",
        WatchEvent::CardRemoved { .. } => "card_removed",
        WatchEvent::Error { .. } => "error",
        WatchEvent::ServiceLost { .. } => "service_lost",
        WatchEvent::ServiceBack => "service_back",
    }
}

/// One event as a JSON Lines line on `out` (docs/json.md).
pub(crate) fn write_event_json(
    out: &mut dyn Write,
    event: &WatchEvent,
    seq: u64,
    time: String,
    advice: Option<&Advice>,
    slip_path: Option<String>,
    lang: Lang,
) -> std::io::Result<()> {
    let mut line = EventLine {
        schema_version: SCHEMA_VERSION,
        seq,
        time,
        kind: event_kind(event),
        reader: None,
        atr: None,
        report: None,
        advice: advice.cloned(),
        error: None,
        slip: slip_path,
    };
    match event {
        WatchEvent::ReaderAdded { reader }
        | WatchEvent::ReaderRemoved { reader }
        | WatchEvent::CardRemoved { reader } => line.reader = Some(reader),
        WatchEvent::CardInserted { reader, atr } => {
            line.reader = Some(reader);
            line.atr = atr.as_deref().map(crate::apdu::spaced_hex);
        }
        WatchEvent::Report { reader, report } => {
            line.reader = Some(reader);
            line.report = Some(report);
        }
        WatchEvent::Error { reader, error } => {
            let (_, next_step) = error.describe(lang);
            line.reader = reader.as_deref();
            line.error =
                Some(JsonErrorBody::of(error, lang).next_step(in_watch(error, next_step, lang)));
        }
        WatchEvent::ServiceLost { error } => {
            line.error =
                Some(JsonErrorBody::of(error, lang).next_step(service_waiting(lang).to_string()));
        }
        WatchEvent::ServiceBack => {}
    }
    serde_json::to_writer(&mut *out, &line)
        .map_err(std::io::Error::from)
        .and_then(|_| writeln!(out))
}

/// A next step that fits watch mode: the card left before it could be
/// read, so place it again; `--wait` is for a single reading (issue 19).
pub(crate) fn in_watch(
    error: &crate::transport::TransportError,
    next: String,
    lang: Lang,
) -> String {
    match error {
        crate::transport::TransportError::NoCard(_) => lang
            .pick(
                "カードをもう一度置いてください。",
                "Place the card on the reader again.",
            )
            .to_string(),
        crate::transport::TransportError::NoReader => lang
            .pick(
                "リーダーを接続してください。監視はそのまま続きます。",
                "Connect a reader; watching goes on.",
            )
            .to_string(),
        _ => next,
    }
}

/// What watch mode does while the service is away (issue 19).
pub(crate) fn service_waiting(lang: Lang) -> &'static str {
    lang.pick(
        "サービスが戻るのを待っています。戻れば自動で監視を続けます（再起動は不要）。",
        "Waiting for the service to come back; watching goes on by itself (no restart needed).",
    )
}
