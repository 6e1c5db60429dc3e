//! The safety promise, tested: the only VERIFY the tool can build is the
//! 4-byte status query; nothing panics on arbitrary answers; one odd key never
//! hides the others; a reading cut off at any point reports nothing; only
//! `pcsc_backend` imports `pcsc`.

mod common;
use common::*;
use jpki_status::apdu::{Aid, Command, FileId, Offset, Response, ShortLe, INS_VERIFY};
use jpki_status::probe::{read_card, ProbeOptions};
use jpki_status::sim::{SimCard, SimTerminal};
use jpki_status::transport::{Exchange, Terminal, TransportError};
use proptest::prelude::*;

fn any_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        any::<[u8; 10]>().prop_map(|a| Command::SelectApplet(Aid::new(a))),
        any::<u16>().prop_map(|f| Command::SelectFile(FileId(f))),
        Just(Command::VerifyStatus),
        (0u16..=Offset::MAX, 1usize..=256).prop_map(|(o, l)| Command::ReadBinary {
            offset: Offset::new(o).expect("in range"),
            le: ShortLe::new(l).expect("in range"),
        }),
    ]
}

proptest! {
    /// Whatever command can be built, a VERIFY is exactly `00 20 00 80`:
    /// no command with INS 20 and a body exists.
    #[test]
    fn no_buildable_command_is_a_verify_with_a_body(cmd in any_command()) {
        let bytes = cmd.encode();
        let bytes = bytes.as_bytes();
        if bytes[1] == INS_VERIFY {
            prop_assert_eq!(bytes, &[0x00, 0x20, 0x00, 0x80][..]);
        }
        prop_assert!(bytes.len() <= 15);
        prop_assert_eq!(bytes[0], 0x00);
    }

    /// Parsing arbitrary answer bytes never panics; fewer than 2 is an error.
    #[test]
    fn parsing_arbitrary_answers_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..300)) {
        match Response::parse(&raw) {
            Ok(r) => prop_assert_eq!(r.to_bytes(), raw),
            Err(_) => prop_assert!(raw.len() < 2),
        }
    }

    /// The simulated card never panics on arbitrary commands either.
    #[test]
    fn the_simulated_card_survives_arbitrary_commands(cmds in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..30)) {
        let mut card = SimCard::load("fresh").expect("fresh");
        for c in cmds {
            prop_assert!(card.process(&c).len() >= 2);
        }
    }

    /// The probe is total over arbitrary card answers: it returns a report
    /// with all four holder rows, or a transport error, and never panics.
    #[test]
    fn the_probe_is_total_over_arbitrary_answers(answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..60)) {
        let mut x = Scripted { answers: answers.into_iter(), sent: Vec::new() };
        match read_card(&mut x, ProbeOptions { diagnostics: true }, now()) {
            Ok(report) => prop_assert_eq!(report.keys.len(), 8),
            Err(e) => {
                let expected = matches!(e, TransportError::ShortResponse(_) | TransportError::CardRemoved { .. });
                prop_assert!(expected, "unexpected error {:?}", e);
            }
        }
        for c in &x.sent {
            if c[1] == INS_VERIFY { prop_assert_eq!(c.as_slice(), &[0x00, 0x20, 0x00, 0x80][..]); }
        }
    }
}

/// A real-size simulated certificate, for the DER walk's property tests.
fn certificate() -> Vec<u8> {
    use jpki_status::sim::cert::{authentication_certificate, end_of_japan_day};
    authentication_certificate(
        time::macros::datetime!(2021-04-01 0:00 UTC),
        end_of_japan_day(time::macros::date!(2026 - 03 - 31)),
    )
}

proptest! {
    /// The DER walk to `notAfter` never panics, on arbitrary bytes and on a
    /// real certificate with bytes changed or cut off anywhere, and any date
    /// it returns is turned into Japan time without panicking (far dates
    /// are clamped).
    #[test]
    fn the_certificate_date_walk_is_total(
        noise in proptest::collection::vec(any::<u8>(), 0..600),
        edits in proptest::collection::vec((0usize..1400, any::<u8>()), 0..6),
        cut in 0usize..1400,
    ) {
        let _ = jpki_status::probe::der::not_after(&noise);
        let mut cert = certificate();
        for (at, byte) in edits {
            let at = at % cert.len();
            cert[at] = byte;
        }
        cert.truncate(cut.max(1));
        if let Ok(t) = jpki_status::probe::der::not_after(&cert) {
            let _ = jpki_status::probe::to_jst(t).date();
        }
    }
}

/// Answers from a list; when the list runs out the card "leaves".
struct Scripted {
    answers: std::vec::IntoIter<Vec<u8>>,
    sent: Vec<Vec<u8>>,
}

impl Exchange for Scripted {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        self.sent.push(command.encode().as_bytes().to_vec());
        let raw = self
            .answers
            .next()
            .ok_or(TransportError::CardRemoved { contactless: true })?;
        Response::parse(&raw).map_err(|_| TransportError::ShortResponse(raw.len()))
    }
}

#[test]
fn a_card_pulled_out_at_any_apdu_yields_no_report() {
    for name in ["fresh", "juki-mismatch", "phone-jpki"] {
        let (full, _) = read_profile(name, ProbeOptions::default());
        for n in 0..full.apdus as usize {
            let mut terminal =
                SimTerminal::new(SimCard::load(name).expect("loads")).remove_after(n);
            let reader = terminal.readers().expect("readers")[0].name.clone();
            let result = {
                let mut conn = terminal.connect(&reader).expect("connect");
                let mut tx = conn.transaction().expect("tx");
                read_card(&mut *tx, ProbeOptions::default(), now())
            };
            assert!(
                matches!(result, Err(TransportError::CardRemoved { .. })),
                "{name} cut at {n}: {result:?}"
            );
            assert_eq!(terminal.sent(), n);
        }
    }
}

#[test]
fn one_odd_key_does_not_hide_the_others() {
    // Every answer to VERIFY on the kenhojo key is odd; every other row must
    // still carry its own reading.
    let (report, _) = read_profile("odd-sw", ProbeOptions { diagnostics: true });
    let states: Vec<String> = report.keys.iter().map(describe).collect();
    assert_eq!(
        states[..4],
        [
            "remaining 3",
            "remaining 5",
            "unexpected 6A86",
            "remaining 2"
        ]
    );
    assert!(
        states[4..].iter().all(|s| s.starts_with("remaining")),
        "{states:?}"
    );
}

#[test]
fn only_the_pcsc_backend_imports_pcsc() {
    let mut offenders = Vec::new();
    // Tests too: a test that needs another PC/SC client (e.g. one holding a
    // transaction, tests/e2e_faults.rs) goes through the library's backend.
    let mut stack = vec![repo().join("src"), repo().join("tests")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("src/pcsc_backend.rs")
                && !path.ends_with("tests/safety.rs")
            {
                let text = std::fs::read_to_string(&path).expect("read");
                for (i, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or("");
                    if code.contains("pcsc::")
                        || code.trim_start().starts_with("use pcsc")
                        || code.contains("extern crate pcsc")
                    {
                        offenders.push(format!("{}:{}: {line}", path.display(), i + 1));
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "pcsc used outside src/pcsc_backend.rs:\n{}",
        offenders.join("\n")
    );
}
