//! Watch mode (`--watch`): one line or JSON Lines event per card event,
//! one slip per reading, until Ctrl-C.
//!
//! Owns: the event line's shape (docs/json.md) and its text form. Must not:
//! talk to a card or wait on one (the loop is src/watch.rs).

use super::output::JsonErrorBody;
use super::{load_site, open_terminal, report_error, write_failure, write_text_error, Io, ReadArgs, RunError};
use crate::failure::Failure;
use crate::advice::Facts;
use crate::advice::{advise, Advice, AdviceInput};
use crate::exit::Exit;
use crate::lang::Lang;
use crate::probe::{self, ProbeOptions};
use crate::report::{CardReport, SCHEMA_VERSION};
use crate::site::Site;
use crate::slip;
use crate::present::report_text as text;
use crate::transport::Terminal;
use crate::watch::{Watch, WatchEnd, WatchEvent, WatchOptions};
use serde::Serialize;
use std::io::Write;
use std::time::Duration;
use time::OffsetDateTime;

/// A failure of watch mode before its first event. Under `--json` it is one
/// `error` event line (`seq` 1, `reader` null), so the output stays JSON
/// Lines; otherwise as [`report_error`].
fn report_watch_error(
    e: &RunError,
    json: bool,
    now: OffsetDateTime,
    lang: Lang,
    io: &mut Io<'_>,
) -> Exit {
    if !json {
        return report_error(e, false, lang, io);
    }
    let line = EventLine {
        schema_version: SCHEMA_VERSION,
        seq: 1,
        time: probe::format_rfc3339(crate::japan_time::in_japan(now)),
        kind: "error",
        reader: None,
        atr: None,
        report: None,
        advice: None,
        error: Some(JsonErrorBody::of(e, lang)),
        slip: None,
    };
    let _ = serde_json::to_writer(&mut *io.out, &line);
    let _ = writeln!(io.out);
    write_text_error(e, lang, io);
    e.exit()
}

/// One line of `--watch --json` output (docs/json.md).
#[derive(Serialize)]
struct EventLine<'a> {
    schema_version: u32,
    seq: u64,
    time: String,
    #[serde(rename = "type")]
    kind: &'static str,
    reader: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    atr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a CardReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<Advice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<JsonErrorBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    slip: Option<String>,
}

pub(super) fn run_watch(args: &ReadArgs, lang: Lang, io: &mut Io<'_>) -> Exit {
    let start = args.facts.now.unwrap_or_else(OffsetDateTime::now_utc);
    let watch = Watch::new();
    let (mut terminal, facts, site) = match prepare(args, &watch) {
        Ok(ready) => ready,
        Err(e) => return report_watch_error(&e, args.json, start, lang, io),
    };
    let fixed_now = args.facts.now;
    let clock = move || fixed_now.unwrap_or_else(OffsetDateTime::now_utc);
    let mut seq = 0u64;
    let mut write_error: Option<std::io::Error> = None;
    let json = args.json;
    let Io { out, err } = io;
    let mut sink = |event: WatchEvent| -> bool {
        seq += 1;
        let when = clock();
        let time = probe::format_rfc3339(crate::japan_time::in_japan(when));
        let advice = match &event {
            WatchEvent::Report { report, .. } => {
                Some(advise(&AdviceInput::from_report(report, facts.clone()), when).localized(lang))
            }
            _ => None,
        };
        // One slip per reading; a slip that cannot be written is reported
        // on stderr and the desk keeps running.
        let slip_path = match (&event, &advice, &args.slip) {
            (WatchEvent::Report { report, .. }, Some(a), Some(dir)) => {
                write_slip_in(dir, report, a, site.as_ref(), when, lang, &mut **err)
            }
            _ => None,
        };
        let written = if json {
            write_event_json(
                &mut **out,
                &event,
                seq,
                time,
                advice.as_ref(),
                slip_path,
                lang,
            )
        } else {
            write_event_text(&mut **out, &mut **err, &event, &time, advice.as_ref(), lang)
        };
        match written.and_then(|()| out.flush()) {
            Ok(()) => true,
            Err(e) => {
                write_error = Some(e);
                false
            }
        }
    };
    let end = watch.run(
        &mut *terminal,
        WatchOptions {
            probe: ProbeOptions {
                diagnostics: args.diagnostics,
            },
            limits: args.limits(),
            // `--wait=SECS` in watch mode: how long a stopped service may
            // take to come back; otherwise until Ctrl-C.
            service_wait: match args.wait {
                Some(super::Wait::AtMost(d)) => Some(d),
                _ => None,
            },
        },
        &clock,
        &mut sink,
    );
    match (end, write_error) {
        // Whoever read the events went away (`| head`): nothing failed.
        (_, Some(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Healthy,
        (_, Some(e)) => {
            let e = RunError::Output(e);
            write_failure(&e, lang, err);
            e.exit()
        }
        (WatchEnd::Stopped, None) => Exit::Cancelled,
        (WatchEnd::Failed(e), None) => e.exit(),
    }
}

/// The source of cards, the holder's facts and the site file.
type Prepared = (Box<dyn Terminal + Send>, Facts, Option<Site>);

/// What watch mode needs before its first event: the source of cards (with
/// Ctrl-C wired to stop the watch), the holder's facts, the site file, and
/// a usable slip folder.
fn prepare(args: &ReadArgs, watch: &Watch) -> Result<Prepared, RunError> {
    let terminal = open_terminal(args.sim.as_deref())?;
    let stop = watch.stopper();
    // Ctrl-C / SIGTERM: the watch loop stops at once (it never waits on a
    // card itself). Should the output be stuck (a full pipe), the process
    // still ends within a second.
    let _ = ctrlc::set_handler(move || {
        stop();
        std::thread::sleep(Duration::from_secs(1));
        std::process::exit(i32::from(Exit::Cancelled.code()));
    });
    let facts = args.facts.to_facts()?;
    let site = load_site(args.site.as_deref())?;
    if let Some(dir) = &args.slip {
        crate::slip_file::prepare_slip_dir(dir)?;
    }
    Ok((terminal, facts, site))
}

/// Writes one reading's slip in the slip folder and returns its path; a
/// slip that cannot be written is reported on `err` (the desk keeps
/// running).
fn write_slip_in(
    dir: &std::path::Path,
    report: &CardReport,
    advice: &Advice,
    site: Option<&Site>,
    when: OffsetDateTime,
    lang: Lang,
    err: &mut dyn Write,
) -> Option<String> {
    let html = slip::render_slip(Some(report), advice, site, lang, when);
    match slip::write_slip_in_dir(dir, when, &html) {
        Ok(p) => Some(p.display().to_string()),
        Err(e) => {
            write_failure(&e, lang, err);
            None
        }
    }
}

/// An event's `type` in JSON Lines (docs/json.md), one arm per event.
fn event_kind(event: &WatchEvent) -> &'static str {
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
fn write_event_json(
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

/// One event as text: a time-stamped line, or the reading with its advice
/// on `out`; errors on `err`.
fn write_event_text(
    out: &mut dyn Write,
    err: &mut dyn Write,
    event: &WatchEvent,
    time: &str,
    advice: Option<&Advice>,
    lang: Lang,
) -> std::io::Result<()> {
    let shown = |r: &str| text::printable(r).into_owned();
    match event {
        WatchEvent::ReaderAdded { reader } => {
            writeln!(
                out,
                "[{time}] {} {}",
                lang.pick("リーダー接続:", "reader connected:"),
                shown(reader)
            )
        }
        WatchEvent::ReaderRemoved { reader } => {
            writeln!(
                out,
                "[{time}] {} {}",
                lang.pick("リーダー取り外し:", "reader disconnected:"),
                shown(reader)
            )
        }
        WatchEvent::CardInserted { reader, .. } => {
            writeln!(
                out,
                "[{time}] {} {}",
                lang.pick("カードを検出:", "card placed on"),
                shown(reader)
            )
        }
        WatchEvent::Report { report, .. } => match advice {
            Some(a) => writeln!(
                out,
                "{}",
                crate::present::advice_page::render_with(
                    a,
                    Some(report),
                    crate::present::advice_page::View::plain(lang)
                )
            ),
            None => writeln!(out, "{}", text::render_report(report, lang)),
        },
        WatchEvent::CardRemoved { reader } => writeln!(
            out,
            "[{time}] {} {}\n{}",
            lang.pick("カードが取り外されました:", "card removed from"),
            shown(reader),
            "-".repeat(60)
        ),
        WatchEvent::Error { reader, error } => {
            let (what, next) = error.describe(lang);
            let next = in_watch(error, next, lang);
            let _ = writeln!(
                err,
                "[{time}] {}: {}\n  → {}",
                shown(reader.as_deref().unwrap_or("PC/SC")),
                shown(&what),
                shown(&next)
            );
            Ok(())
        }
        WatchEvent::ServiceLost { error } => {
            let (what, _) = error.describe(lang);
            writeln!(out, "[{time}] PC/SC: {what}\n  → {}", service_waiting(lang))
        }
        WatchEvent::ServiceBack => writeln!(
            out,
            "[{time}] PC/SC: {}",
            lang.pick(
                "スマートカードのサービスが戻りました。監視を続けます。",
                "the smart-card service is back; watching again."
            )
        ),
    }
}

/// A next step that fits watch mode: the card left before it could be
/// read, so place it again; `--wait` is for a single reading (issue 19).
fn in_watch(error: &crate::transport::TransportError, next: String, lang: Lang) -> String {
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
fn service_waiting(lang: Lang) -> &'static str {
    lang.pick(
        "サービスが戻るのを待っています。戻れば自動で監視を続けます（再起動は不要）。",
        "Waiting for the service to come back; watching goes on by itself (no restart needed).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportError;

    #[test]
    fn watch_mode_errors_never_suggest_wait() {
        for lang in [Lang::En, Lang::Ja] {
            for e in [TransportError::NoCard("R".into()), TransportError::NoReader] {
                let (_, next) = text::describe_transport_error(&e, lang);
                assert!(next.contains("--wait"), "the single reading's step");
                let next = in_watch(&e, next, lang);
                assert!(!next.contains("--wait"), "{next}");
            }
        }
    }
}
