//! Watch mode (`--watch`): one line or JSON Lines event per card event,
//! one slip per reading, until Ctrl-C.
//!
//! Owns: running watch mode and the desk page (`run_desk`: the same loop
//! and signals, the page is `desk`), and the events' text form. The JSON
//! Lines line and watch mode's next steps are `present::watch_events`,
//! shared with the desk page. Must not: talk to a card or wait on one (the
//! loop is src/watch.rs).

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
use crate::present::watch_events::{in_watch, service_waiting, write_event_json, EventLine};
use crate::transport::Terminal;
use crate::watch::{Watch, WatchEnd, WatchEvent, WatchOptions};
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
            // With `--wait`, a service missing when the watch starts is
            // waited for too (Windows starts its Smart Card service only
            // once a reader is plugged in); without it, that is exit 7 at
            // once, so a script learns at once that nothing can be read.
            wait_at_start: args.wait.is_some(),
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

/// `jpki-status desk`: the desk page over the same watch loop, with the
/// same Ctrl-C and SIGTERM handling.
#[cfg(feature = "desk")]
pub(super) fn run_desk(args: &super::DeskArgs, lang: Lang, io: &mut Io<'_>) -> Exit {
    let watch = Watch::new();
    let ready = open_terminal(args.sim.as_deref()).and_then(|t| {
        let site = load_site(args.site.as_deref())?;
        Ok((t, site))
    });
    let (terminal, site) = match ready {
        Ok(r) => r,
        Err(e) => return report_error(&e, false, lang, io),
    };
    let stop = watch.stopper();
    let _ = ctrlc::set_handler(move || {
        stop();
        std::thread::sleep(Duration::from_secs(1));
        std::process::exit(i32::from(Exit::Cancelled.code()));
    });
    let options = crate::desk::DeskOptions {
        listen: args.listen,
        port: args.port,
        open: !args.no_open,
        clear_after: args.clear_after,
        limits: args.limits(),
        diagnostics: args.diagnostics,
        site,
        lang,
    };
    let Io { out, err } = io;
    match crate::desk::run(options, terminal, watch, &mut **out, &mut **err) {
        Ok(exit) => exit,
        Err(e) => report_error(&RunError::Desk(e), false, lang, io),
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
