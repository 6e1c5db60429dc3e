//! Golden transcripts: the exact bytes of a full reading of each profile are
//! pinned in apdu/transcripts/<profile>.apdu. A change in what the tool sends
//! fails here and must be reviewed (regenerate with JPKI_BLESS=1 only after
//! reading the diff). Each transcript is also replayed as a card: the probe
//! must send exactly its commands and produce the same report.

mod common;
use common::*;
use jpki_status::probe::{read_card, ProbeOptions};
use jpki_status::sim::{SimCard, SimTerminal};
use jpki_status::transcript::{Recorder, Replay, Transcript};
use jpki_status::transport::Terminal;

fn record(name: &str) -> (Transcript, jpki_status::report::CardReport) {
    let mut terminal = SimTerminal::new(SimCard::load(name).expect("loads"));
    let reader = terminal.readers().expect("readers")[0].name.clone();
    let mut conn = terminal.connect(&reader).expect("connect");
    let mut tx = conn.transaction().expect("tx");
    let mut rec = Recorder::new(
        &mut *tx,
        vec![format!(
            "synthetic: profile {name}, recorded from the simulated card by tests/transcripts.rs"
        )],
    );
    let report = read_card(&mut rec, ProbeOptions::default(), now()).expect("reads");
    (rec.transcript, report)
}

#[test]
fn every_profile_matches_its_golden_transcript() {
    let bless = std::env::var_os("JPKI_BLESS").is_some();
    for name in profile_files() {
        let (recorded, _) = record(&name);
        let path = repo().join("apdu/transcripts").join(format!("{name}.apdu"));
        if bless {
            std::fs::write(&path, recorded.to_text()).expect("write");
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {} (run with JPKI_BLESS=1 once)", path.display()));
        let golden = Transcript::parse(&text).expect("golden parses");
        assert_eq!(
            recorded.steps, golden.steps,
            "{name}: the bytes exchanged changed"
        );
        assert!(
            golden
                .header
                .first()
                .is_some_and(|h| h.starts_with("synthetic") || h.starts_with("recorded")),
            "{name}: header names the source"
        );
    }
}

#[test]
fn replaying_a_transcript_gives_the_same_report() {
    for name in profile_files() {
        let (recorded, report) = record(&name);
        let mut replay = Replay::new(recorded);
        let replayed = read_card(&mut replay, ProbeOptions::default(), now()).expect("replays");
        assert_eq!(replayed, report, "{name}");
        assert!(replay.finished(), "{name}: commands left over");
    }
}

#[test]
fn the_status_verify_in_every_transcript_is_four_bytes() {
    for name in profile_files() {
        let (t, _) = record(&name);
        let verifies: Vec<_> = t
            .steps
            .iter()
            .filter(|s| s.command.get(1) == Some(&0x20))
            .collect();
        assert!(
            !verifies.is_empty() || name == "not-my-number-card",
            "{name}"
        );
        assert!(
            verifies
                .iter()
                .all(|s| s.command == [0x00, 0x20, 0x00, 0x80]),
            "{name}"
        );
    }
}

#[test]
fn a_hand_written_transcript_replays_to_the_states_the_spec_predicts() {
    let text = std::fs::read_to_string(repo().join("apdu/transcripts/handwritten-mixed.apdu"))
        .expect("file");
    let mut replay = Replay::new(Transcript::parse(&text).expect("parses"));
    let report = read_card(&mut replay, ProbeOptions::default(), now()).expect("replays");
    assert!(replay.finished());
    let states: Vec<String> = report.keys.iter().map(describe).collect();
    assert_eq!(states, ["remaining 2", "locked", "verified", "remaining 1"]);
    let juki = report.key(jpki_status::card::KeyId::Juki).expect("juki");
    assert!(!juki.mismatch, "an absent reference is not a mismatch");
    assert_eq!(juki.readings.len(), 2);
    assert_eq!(report.card.kind, jpki_status::card::CardKind::MyNumberCard);
    assert!(report.card.certificate_error.is_some());
    assert_eq!(
        report.card.certificate_status,
        jpki_status::report::CertificateStatus::Unknown
    );
}
