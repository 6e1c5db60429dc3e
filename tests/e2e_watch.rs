//! End to end for watch mode through the real PC/SC stack (issue 5, parts 1
//! and 4): the built `jpki-status --watch --json --no-input` follows the two
//! vpcd readers of a private pcscd while `jpki-virtual-card`s are placed and
//! removed, and its JSON Lines are read as they come.
//!
//! Owns: the claims "each card placed gives `card_inserted` then exactly one
//! `report` that reads as `--sim` does; each removal a `card_removed`", "a
//! card pulled out mid-read gives an `error` event and never a report",
//! "another program can read the card while the watcher runs (no transaction
//! held) and that does not make the watcher read it again", "SIGINT and
//! SIGTERM end it with 130 within seconds, leaving no process behind", and
//! the soak: 200 insert/remove cycles on two readers with nothing missed,
//! nothing read twice and flat memory (figures in docs/performance.md).
//!
//! Must not: run a client of the stack outside its namespace, overlap with
//! the other test here (every test holds [`support::serial`]: the soak's
//! timings assume one stack at a time), place a card on a reader before the
//! watcher has reported the previous card's removal there (vpcd only sees a
//! change at its ~400 ms poll; a card returning within one poll is never
//! announced: docs/virtual-reader.md), wait without a timeout, or
//! leave a process behind (the stack, cards and watcher are reaped on drop).
//!
//! Each test prints `E2E ran through pcscd: <test> (...)`; without the
//! stack it fails under scripts/test.sh, CI and `JPKI_E2E=1`, and is
//! skipped loudly in plain `cargo test` (see tests/support/mod.rs). `JPKI_SOAK_CYCLES=N` runs a
//! longer (or shorter, at least 20) soak by hand. Details: docs/testing.md.

mod common;
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::profile_files;
use serde_json::Value;
use support::{
    comparable, live_children, open_fds, proc_status_kb, serial, sim_run, Card, CardOptions, Stack,
    WatchLine, Watcher, PORT0, PORT1, READER0, READER1,
};

/// Waiting for one event (insertion seen, card read, removal seen). vpcd
/// polls every ~400 ms, a reading takes tens of ms: 10 s is generous.
const STEP: Duration = Duration::from_secs(10);

/// The error codes a card pulled out mid-read may give (docs/json.md).
const PULLED_OUT: [&str; 3] = ["card_removed", "communication", "short_response"];

/// One clock for the watcher and `--sim`, so date-dependent fields
/// (`certificate_days_left`) agree even across midnight.
const NOW: &str = "2026-11-22T10:00:00+09:00";

fn sim_json(profile: &str) -> Value {
    let run = sim_run(&["--sim", profile, "--json", "--no-input", "--now", NOW]);
    let v = run.json();
    common::schema::assert_valid(common::schema::Doc::Reading, &v, "--sim --json");
    v
}

fn port_of(reader: &str) -> u16 {
    if reader == READER1 {
        PORT1
    } else {
        PORT0
    }
}

fn on(reader: &str) -> CardOptions {
    CardOptions {
        port: Some(port_of(reader)),
        ..CardOptions::default()
    }
}

/// The next event for `reader` after index `after`, waiting if needed.
fn next_for(w: &mut Watcher, reader: &str, after: usize) -> WatchLine {
    let deadline = Instant::now() + STEP;
    let mut i = after + 1;
    loop {
        while i < w.lines.len() {
            if w.lines[i].reader() == reader {
                return w.lines[i].clone();
            }
            i += 1;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || w.next_line(left).is_none() {
            panic!("no event for {reader:?} within {STEP:?}\n{}", w.context());
        }
    }
}

/// Places `profile` on `reader` and checks `card_inserted`, then a report
/// equal to `--sim`'s (keys, card, APDU count) as the next event there.
fn place_and_expect_report(
    w: &mut Watcher,
    stack: &Stack,
    reader: &str,
    profile: &str,
    sim: &Value,
) -> Card {
    let card = Card::place(stack, profile, on(reader));
    let inserted = w.wait_for("card_inserted", reader, STEP);
    let report = next_for(w, reader, inserted);
    assert_eq!(
        report.kind(),
        "report",
        "{profile} on {reader}: the event after card_inserted\n{}",
        w.context()
    );
    let v = &report.value;
    assert_eq!(v["report"]["reader"], Value::from(reader), "{profile}");
    assert_eq!(
        comparable(&v["report"]),
        comparable(sim),
        "{profile} on {reader}: watch report vs --sim"
    );
    assert!(v["advice"].is_object(), "{profile}: report without advice");
    assert_eq!(
        w.lines[inserted].value["atr"], v["report"]["card"]["atr"],
        "{profile}: card_inserted's ATR vs the report's"
    );
    card.assert_no_violation();
    card
}

/// Every line is a typed event with schema_version 2 and `seq` 1, 2, 3, ...
fn assert_well_formed(lines: &[WatchLine]) {
    let kinds = [
        "reader_added",
        "reader_removed",
        "card_inserted",
        "report",
        "card_removed",
        "error",
        "service_lost",
        "service_back",
    ];
    for (i, l) in lines.iter().enumerate() {
        let v = &l.value;
        assert!(v.get("unparsable").is_none(), "line {i} is not JSON: {v}");
        assert_eq!(v["schema_version"], Value::from(2), "line {i}: {v}");
        assert_eq!(v["seq"], Value::from(i as u64 + 1), "line {i}: seq");
        assert!(v["time"].is_string(), "line {i}: time");
        assert!(kinds.contains(&l.kind()), "line {i}: type {:?}", l.kind());
        common::schema::assert_valid(
            common::schema::Doc::WatchEvent,
            v,
            &format!("watch line {i}"),
        );
    }
    eprintln!(
        "validated {} JSON documents against docs/schema so far",
        common::schema::validated()
    );
}

/// The session a help desk sees: two readers, cards placed and removed on
/// both, cards pulled out mid-read, another program reading the card in
/// between, then Ctrl-C; and SIGTERM on a second watcher.
#[test]
fn watch_follows_cards_on_two_readers_and_stops_on_signals() {
    let _turn = serial();
    let Some(stack) = Stack::start() else { return };
    let fresh = sim_json("fresh");
    let sign = sim_json("sign-1-left");
    let mut w = Watcher::start(&stack, &["--now", NOW]);
    let a = w.wait_for("reader_added", READER0, STEP);
    let b = w.wait_for("reader_added", READER1, STEP);
    assert!(
        w.lines[..=a.max(b)]
            .iter()
            .all(|l| l.kind() == "reader_added"),
        "only reader_added before any card:\n{}",
        w.context()
    );

    // A card on 00 00: inserted, then exactly one report.
    let mut card = place_and_expect_report(&mut w, &stack, READER0, "fresh", &fresh);
    // No transaction is held between events: another program reads the same
    // card meanwhile, and that makes the watcher neither read it again nor
    // report anything (its own reading powered the card; pcscd powers it off
    // 0.4-0.8 s after last use, which must not look like an event either).
    let other = stack.jpki_status(&["--json", "--no-input", "--now", NOW, "--reader", READER0]);
    assert_eq!(
        other.code,
        Some(0),
        "a second program reading while watching: {other:?}"
    );
    assert_eq!(comparable(&other.json()), comparable(&fresh));
    let before = w.lines.len();
    while w.next_line(Duration::from_millis(1500)).is_some() {}
    assert_eq!(
        w.lines.len(),
        before,
        "events without any card change:\n{}",
        w.context()
    );
    assert_eq!(
        card.commands().len() as u64,
        2 * fresh["apdus"].as_u64().unwrap()
    );
    card.remove();
    let removed = w.wait_for("card_removed", READER0, STEP);
    // The session so far, pinned whole: two readers, a card, its report, its
    // removal (`--now` fixes every time; update: SNAPSHOTS=overwrite,
    // docs/testing.md).
    let session: String = w.lines[..=removed]
        .iter()
        .map(|l| format!("{}\n", l.value))
        .collect();
    snapbox::assert_data_eq!(
        session,
        snapbox::file!["golden/e2e-watch-session.jsonl"].raw()
    );

    // A different profile on 00 01.
    let mut card = place_and_expect_report(&mut w, &stack, READER1, "sign-1-left", &sign);
    card.remove();
    w.wait_for("card_removed", READER1, STEP);

    // Pulled out after n APDUs (first, middle, last of a full reading): an
    // error event, never a report for that insertion, then card_removed.
    let full = fresh["apdus"].as_u64().unwrap() as usize;
    let removed_needle = format!("Card Removed From {READER0}");
    for n in [0, full / 2, full - 1] {
        let removed_before = stack.log_count(&removed_needle);
        let mut card = Card::place(
            &stack,
            "fresh",
            CardOptions {
                leave_after: Some(n),
                ..on(READER0)
            },
        );
        let inserted = w.wait_for("card_inserted", READER0, STEP);
        let next = next_for(&mut w, READER0, inserted);
        assert_eq!(
            next.kind(),
            "error",
            "pulled out after {n} APDUs: want an error event\n{}",
            w.context()
        );
        let code = next.value["error"]["code"].as_str().unwrap_or("");
        assert!(
            PULLED_OUT.contains(&code),
            "pulled out after {n}: error code {code:?}: {}",
            next.value
        );
        assert!(next.value["error"]["message"].is_string());
        assert_eq!(card.wait_exit(STEP), Some(0), "{}", card.stderr());
        let removed = w.wait_for("card_removed", READER0, STEP);
        let between: Vec<&str> = w.lines[inserted + 1..removed]
            .iter()
            .filter(|l| l.reader() == READER0)
            .map(WatchLine::kind)
            .collect();
        assert_eq!(between, ["error"], "pulled out after {n}");
        card.assert_no_violation();
        // Here the watcher's card_removed can come before pcscd's event
        // handler noticed: the failed reset at disconnect already marks the
        // slot empty. A card placed now would be taken by vpcd at its next
        // poll and never announced (virtual-reader.md), so wait for pcscd.
        stack.wait_log_count(&removed_needle, removed_before, STEP);
    }

    // It still reads the next card after those errors.
    let mut card = place_and_expect_report(&mut w, &stack, READER0, "fresh", &fresh);
    card.remove();
    w.wait_for("card_removed", READER0, STEP);

    // Ctrl-C while blocked in SCardGetStatusChange: 130, promptly.
    let pid = w.pid().unwrap();
    let (code, took) = w.signal_and_wait("INT", Duration::from_secs(5));
    eprintln!("watch: SIGINT -> exit {code:?} after {took:?}");
    assert_eq!(code, Some(130), "{}", w.context());
    assert!(took < Duration::from_secs(3), "SIGINT took {took:?}");
    assert!(w.closed, "stdout not closed after exit");
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    assert_well_formed(&w.lines);
    let errors: Vec<&WatchLine> = w.lines.iter().filter(|l| l.kind() == "error").collect();
    assert_eq!(
        errors.len(),
        3,
        "only the three pulled-out cards give errors"
    );
    drop(w);

    // SIGTERM, with a card present (read at start: inserted + report).
    let card = Card::place_ready(&stack, "sign-1-left", on(READER1));
    let mut w = Watcher::start(&stack, &["--now", NOW]);
    let inserted = w.wait_for("card_inserted", READER1, STEP);
    assert_eq!(next_for(&mut w, READER1, inserted).kind(), "report");
    let (code, took) = w.signal_and_wait("TERM", Duration::from_secs(5));
    eprintln!("watch: SIGTERM -> exit {code:?} after {took:?}");
    assert_eq!(code, Some(130), "{}", w.context());
    assert_well_formed(&w.lines);
    drop(w);
    drop(card);

    stack.assert_no_verify_with_data();
    drop(stack);
    assert_eq!(
        live_children(),
        Vec::<String>::new(),
        "processes left behind"
    );
}

/// What the soak driver did in one cycle.
struct Cycle {
    reader: &'static str,
    profile: String,
    placed: Instant,
    /// The card's APDU count when it was removed.
    apdus: Option<usize>,
}

/// How many APDUs a card of `sim`'s profile logged (one reading is
/// `sim["apdus"]`), allowing its log a second to catch up.
fn logged_apdus(card: &Card, sim: &Value) -> usize {
    let one_reading = sim["apdus"].as_u64().unwrap_or(0) as usize;
    card.commands_at_least(one_reading, Duration::from_secs(1))
        .len()
}

fn median(v: &mut [Duration]) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[v.len() / 2]
}

fn p90(v: &mut [Duration]) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[(v.len() * 9 / 10).min(v.len() - 1)]
}

/// Issue 5 part 4: two readers, at least 200 insert/remove cycles while
/// `--watch --json` runs. Cycle i places profile i (all of apdu/profiles in
/// turn) on reader i mod 2, and removes the other reader's card at the same
/// moment, so insertions on one reader and removals on the other overlap.
/// A reader gets its next card only after the watcher reported the previous
/// card's removal there. Checks, from the event stream after the fact:
/// every placement gave one `card_inserted`, exactly one `report` equal to
/// `--sim`'s, and one `card_removed`, in that order per reader; each card
/// saw exactly one reading (its own log); pcscd announced each card once;
/// the watcher's VmRSS grew less than 2 MiB after warm-up and its open file
/// descriptors did not grow.
#[test]
fn soak_two_readers_200_cycles() {
    let _turn = serial();
    let Some(stack) = Stack::start() else { return };
    let cycles: usize = std::env::var("JPKI_SOAK_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
        .max(20);
    const WARMUP: usize = 10;
    let names = profile_files();
    let sims: HashMap<String, Value> = names.iter().map(|p| (p.clone(), sim_json(p))).collect();

    let mut w = Watcher::start(&stack, &["--now", NOW]);
    let pid = w.pid().unwrap();
    w.wait_for("reader_added", READER0, STEP);
    w.wait_for("reader_added", READER1, STEP);

    let started = Instant::now();
    let mut done: Vec<Cycle> = Vec::new();
    // The card on each reader: (cycle index, card).
    let mut present: [Option<(usize, Card)>; 2] = [None, None];
    let mut removals_seen = [0usize; 2];
    let mut removals_done = [0usize; 2];
    let mut reports_seen = [0usize; 2];
    let mut rss_start = None;
    let mut fds_start = None;
    let mut rss_trace = Vec::new();
    let mut aborted = None;
    let readers = [READER0, READER1];
    // Events of `kinds` on reader r so far.
    let count = |w: &Watcher, kinds: &[&str], r: usize| {
        w.lines
            .iter()
            .filter(|l| l.reader() == readers[r] && kinds.contains(&l.kind()))
            .count()
    };
    'soak: for i in 0..cycles {
        let r = i % 2;
        let o = 1 - r;
        // This reader's previous card must have been seen leaving.
        let deadline = Instant::now() + STEP;
        while removals_seen[r] < removals_done[r] {
            if Instant::now() > deadline
                || (w.next_line(Duration::from_millis(50)).is_none() && w.closed)
            {
                aborted = Some(format!("cycle {i}: no card_removed on {}", readers[r]));
                break 'soak;
            }
            removals_seen[r] = count(&w, &["card_removed"], r);
        }
        let profile = names[i % names.len()].clone();
        let placed = Instant::now();
        let card = Card::place(&stack, &profile, on(readers[r]));
        present[r] = Some((i, card));
        done.push(Cycle {
            reader: readers[r],
            profile,
            placed,
            apdus: None,
        });
        // The other reader's card (read in the previous cycle) leaves now.
        if let Some((j, mut card)) = present[o].take() {
            done[j].apdus = Some(logged_apdus(&card, &sims[&done[j].profile]));
            card.assert_no_violation();
            card.remove();
            removals_done[o] += 1;
        }
        // Wait for this card's reading (report, or an error: counted below).
        let want = reports_seen[r] + 1;
        let deadline = Instant::now() + STEP;
        while reports_seen[r] < want {
            if Instant::now() > deadline
                || (w.next_line(Duration::from_millis(50)).is_none() && w.closed)
            {
                aborted = Some(format!(
                    "cycle {i}: no reading on {} within {STEP:?}",
                    readers[r]
                ));
                break 'soak;
            }
            reports_seen[r] = count(&w, &["report", "error"], r);
            removals_seen[o] = count(&w, &["card_removed"], o);
        }
        if i + 1 == WARMUP {
            rss_start = proc_status_kb(pid, "VmRSS");
            fds_start = open_fds(pid);
        }
        if (i + 1) % 25 == 0 {
            rss_trace.push(proc_status_kb(pid, "VmRSS").unwrap_or(0));
        }
    }
    // The last cards leave; wait until the watcher saw every removal.
    for r in 0..2 {
        if let Some((j, mut card)) = present[r].take() {
            done[j].apdus = Some(logged_apdus(&card, &sims[&done[j].profile]));
            card.remove();
            removals_done[r] += 1;
        }
    }
    let deadline = Instant::now() + STEP;
    while (0..2).any(|r| count(&w, &["card_removed"], r) < removals_done[r])
        && Instant::now() < deadline
    {
        w.next_line(Duration::from_millis(50));
    }
    // Anything late (a second reading would show up here).
    while w.next_line(Duration::from_millis(1000)).is_some() {}
    let wall = started.elapsed();
    let rss_end = proc_status_kb(pid, "VmRSS");
    let fds_end = open_fds(pid);
    let hwm = proc_status_kb(pid, "VmHWM");
    let (code, _) = w.signal_and_wait("INT", Duration::from_secs(5));

    // Account, per reader, from the event stream alone.
    let mut missed = 0usize; // placements without exactly one reading
    let mut duplicates = 0usize; // readings beyond one per insertion
    let mut wrong = Vec::new(); // reports unlike --sim, errors, bad order
    let mut latency = Vec::new(); // card placed -> report line received
    let mut reading = Vec::new(); // card_inserted -> report line received
    let mut removed_events = 0usize;
    for reader in readers {
        let placed: Vec<&Cycle> = done.iter().filter(|c| c.reader == reader).collect();
        let events: Vec<&WatchLine> = w.lines.iter().filter(|l| l.reader() == reader).collect();
        // Slots: one per card_inserted, holding the events until the next.
        let mut slots: Vec<Vec<&WatchLine>> = Vec::new();
        for e in events {
            match e.kind() {
                "reader_added" => {}
                "card_inserted" => slots.push(vec![e]),
                _ => match slots.last_mut() {
                    Some(s) => s.push(e),
                    None => wrong.push(format!("{reader}: {} before any card", e.kind())),
                },
            }
        }
        if slots.len() != placed.len() {
            wrong.push(format!(
                "{reader}: {} cards placed, {} card_inserted events",
                placed.len(),
                slots.len()
            ));
        }
        missed += placed.len().saturating_sub(slots.len());
        duplicates += slots.len().saturating_sub(placed.len());
        for (k, slot) in slots.iter().enumerate() {
            let kinds: Vec<&str> = slot.iter().map(|e| e.kind()).collect();
            let reports = kinds.iter().filter(|k| **k == "report").count();
            if reports == 0 {
                missed += 1;
            }
            duplicates += reports.saturating_sub(1);
            removed_events += kinds.iter().filter(|k| **k == "card_removed").count();
            if kinds != ["card_inserted", "report", "card_removed"] {
                wrong.push(format!("{reader} card {k}: events {kinds:?}"));
            }
            let Some(cycle) = placed.get(k) else { continue };
            if let Some(rep) = slot.iter().find(|e| e.kind() == "report") {
                if comparable(&rep.value["report"]) != comparable(&sims[&cycle.profile]) {
                    wrong.push(format!(
                        "{reader} card {k} ({}): report differs from --sim",
                        cycle.profile
                    ));
                }
                latency.push(rep.at.duration_since(cycle.placed));
                reading.push(rep.at.duration_since(slot[0].at));
            }
            let expected = sims[&cycle.profile]["apdus"].as_u64().unwrap() as usize;
            if cycle.apdus != Some(expected) {
                wrong.push(format!(
                    "{reader} card {k} ({}): the card saw {:?} APDUs, one reading is {expected}",
                    cycle.profile, cycle.apdus
                ));
            }
        }
        let announced = stack.log_count(&format!("Card inserted into {reader}"));
        if announced != placed.len() {
            wrong.push(format!(
                "{reader}: pcscd announced {announced} cards, {} placed",
                placed.len()
            ));
        }
    }
    let rss_growth = match (rss_start, rss_end) {
        (Some(s), Some(e)) => e as i64 - s as i64,
        _ => i64::MAX,
    };
    let figures = format!(
        "SOAK figures: cycles {} of {cycles} ({} on {READER0}, {} on {READER1}), \
         card_inserted {}, reports {}, card_removed {removed_events}, errors {}, missed {missed}, \
         duplicates {duplicates}, wrong {}\n\
         SOAK memory: VmRSS after {WARMUP} cycles {rss_start:?} kB, at end {rss_end:?} kB \
         (growth {rss_growth} kB), VmHWM {hwm:?} kB, every 25 cycles {rss_trace:?} kB; \
         open fds {fds_start:?} -> {fds_end:?}\n\
         SOAK time: wall {:.1} s ({:.0} ms per cycle); placed -> report median {:?}, p90 {:?}; \
         card_inserted -> report median {:?}, p90 {:?}; exit on SIGINT {code:?}",
        done.len(),
        done.iter().filter(|c| c.reader == READER0).count(),
        done.iter().filter(|c| c.reader == READER1).count(),
        w.lines
            .iter()
            .filter(|l| l.kind() == "card_inserted")
            .count(),
        w.lines.iter().filter(|l| l.kind() == "report").count(),
        w.lines.iter().filter(|l| l.kind() == "error").count(),
        wrong.len(),
        wall.as_secs_f64(),
        wall.as_secs_f64() * 1000.0 / done.len().max(1) as f64,
        median(&mut latency.clone()),
        p90(&mut latency),
        median(&mut reading.clone()),
        p90(&mut reading),
    );
    eprintln!("{figures}");
    assert!(
        aborted.is_none(),
        "soak aborted: {aborted:?}\n{figures}\n{}",
        w.context()
    );
    assert_eq!(done.len(), cycles);
    assert!(wrong.is_empty(), "{figures}\n{wrong:#?}");
    assert_eq!((missed, duplicates), (0, 0), "{figures}");
    assert_eq!(removed_events, cycles, "{figures}");
    assert!(
        rss_growth < 2048,
        "VmRSS grew {rss_growth} kB over the soak\n{figures}"
    );
    assert!(
        fds_end <= fds_start,
        "open file descriptors grew {fds_start:?} -> {fds_end:?}\n{figures}"
    );
    assert_eq!(code, Some(130));
    assert_well_formed(&w.lines);
    drop(w);
    stack.assert_no_verify_with_data();
    drop(stack);
    assert_eq!(
        live_children(),
        Vec::<String>::new(),
        "processes left behind"
    );
}

/// Issue 19, item 2: pcscd stopped and started again under a running watch
/// (an upgrade, a crash and its restart): the watch says the service went
/// away, waits, says it is back, and reports the next card placed, without
/// being restarted. Before: the watch ended with exit 8 and a card message
/// ("insert the card fully") and the desk had to start it again.
#[test]
fn watch_survives_pcscd_stopped_and_restarted_and_reads_the_next_card() {
    let _turn = serial();
    let Some(mut stack) = Stack::start() else {
        return;
    };
    let fresh = sim_json("fresh");
    let mut w = Watcher::start(&stack, &["--now", NOW]);
    w.wait_for("reader_added", READER0, STEP);
    stack.stop();
    let lost = w.wait_for("service_lost", "", STEP);
    assert_eq!(
        w.lines[lost].value["error"]["code"],
        "no_service",
        "{}",
        w.context()
    );
    assert_eq!(w.lines[lost].value["error"]["exit_code"], 7);
    w.wait_for("reader_removed", READER0, STEP);
    stack.restart();
    w.wait_for("service_back", "", STEP);
    w.wait_for("reader_added", READER0, STEP);
    let _card = place_and_expect_report(&mut w, &stack, READER0, "fresh", &fresh);
    assert!(
        w.pid()
            .is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists()),
        "the watch is still running"
    );
    assert_well_formed(&w.lines);
}

/// Issue 19, item 6: `--watch --slip FOLDER` on a full disk leaves no empty
/// or partial `slip-….html` behind (a folder-watching print queue would
/// print a blank page); the reading is still reported and the error said.
/// Before: one 0-byte slip per failed reading. The folder is a 4 KiB tmpfs
/// mounted in the stack's own namespace.
#[test]
fn watch_slips_on_a_full_disk_leave_no_empty_file() {
    let _turn = serial();
    let Some(stack) = Stack::start() else { return };
    let folder = stack.dir().join("full-slips");
    std::fs::create_dir_all(&folder).expect("slip folder");
    let folder_arg = folder.to_string_lossy().into_owned();
    let mount = stack
        .program(common::Program::new("mount").args([
            "-t",
            "tmpfs",
            "-o",
            "size=4k",
            "jpki-full",
            &folder_arg,
        ]))
        .run();
    assert_eq!(mount.code, Some(0), "mount a tiny tmpfs: {}", mount.stderr);
    let listing = || {
        let run = stack
            .program(common::Program::new("ls").args(["-A", &folder_arg]))
            .run();
        run.stdout
            .lines()
            .map(str::to_string)
            .collect::<Vec<String>>()
    };
    let mut w = Watcher::start(&stack, &["--now", NOW, "--slip", &folder_arg]);
    w.wait_for("reader_added", READER0, STEP);
    for round in 0..2 {
        let card = Card::place(&stack, "fresh", on(READER0));
        let inserted = w.wait_for("card_inserted", READER0, STEP);
        let report = next_for(&mut w, READER0, inserted);
        assert_eq!(report.kind(), "report", "round {round}\n{}", w.context());
        assert!(
            report.value.get("slip").is_none(),
            "no slip path for a slip not written: {}",
            report.value
        );
        drop(card);
        w.wait_for("card_removed", READER0, STEP);
    }
    let files = listing();
    assert!(
        files.is_empty(),
        "files left in the full slip folder: {files:?}"
    );
    assert!(
        w.stderr()
            .contains("Check that you may write there and that the disk has space"),
        "{}",
        w.stderr()
    );
    drop(w);
    // A single reading with --slip into the same full folder: the slip
    // error (exit 1), and still nothing left behind.
    let _card = Card::place_ready(&stack, "fresh", on(READER0));
    let slip = format!("{folder_arg}/slip.html");
    let run = stack.jpki_status(&[
        "--no-input",
        "--now",
        NOW,
        "--reader",
        READER0,
        "--slip",
        &slip,
    ]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("write the slip"), "{}", run.stderr);
    let files = listing();
    assert!(files.is_empty(), "single reading left {files:?}");
}

/// Issue 19, item 2: with `--wait=SECS`, a watch whose PC/SC service went
/// away waits at most SECS for it, then ends with exit 7 after an `error`
/// event (`no_service`, `reader: null`).
#[test]
fn watch_with_a_wait_bound_ends_when_the_service_stays_away() {
    let _turn = serial();
    let Some(mut stack) = Stack::start() else {
        return;
    };
    let mut w = Watcher::start(&stack, &["--now", NOW, "--wait=1"]);
    w.wait_for("reader_added", READER0, STEP);
    stack.stop();
    let lost = w.wait_for("service_lost", "", STEP);
    let at = w.lines[lost].at;
    let code = w.wait_exit(Duration::from_secs(6));
    assert_eq!(code, Some(7), "{}", w.context());
    let last = w.lines.last().expect("a last line");
    assert_eq!(last.kind(), "error", "{}", w.context());
    assert_eq!(last.value["error"]["code"], "no_service");
    assert!(last.value["reader"].is_null());
    let waited = last.at.duration_since(at);
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "waited {waited:?} for a 1 s bound"
    );
    assert_well_formed(&w.lines);
}

/// Issue 19, item 2 (left from the first pass): `--watch --wait` started
/// while the PC/SC service is down (a help desk PC whose Smart Card service
/// starts only when a reader is plugged in) says so (`service_lost`), waits,
/// and reads the next card once the service is up, with no restart; without
/// `--wait` the same start is exit 7 at once.
#[test]
fn watch_with_wait_started_before_the_service_reads_the_next_card() {
    let _turn = serial();
    let Some(mut stack) = Stack::start() else {
        return;
    };
    let fresh = sim_json("fresh");
    stack.stop();
    let run = stack.jpki_status(&["--watch", "--json", "--now", NOW]);
    assert_eq!(run.code, Some(7), "without --wait: {}", run.stderr);
    let mut w = Watcher::start(&stack, &["--now", NOW, "--wait"]);
    let lost = w.wait_for("service_lost", "", STEP);
    assert_eq!(
        w.lines[lost].value["error"]["code"],
        "no_service",
        "{}",
        w.context()
    );
    stack.restart();
    w.wait_for("service_back", "", STEP);
    w.wait_for("reader_added", READER0, STEP);
    let _card = place_and_expect_report(&mut w, &stack, READER0, "fresh", &fresh);
    assert_well_formed(&w.lines);
}
