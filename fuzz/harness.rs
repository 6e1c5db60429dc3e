//! The fuzz harness, shared by the cargo-fuzz targets in `fuzz/fuzz_targets/`
//! (nightly, libFuzzer) and by their stable proptest equivalents in
//! `tests/fuzz_equivalents.rs` (which include this file with `#[path]`).
//!
//! Owns: turning arbitrary bytes into the four inputs a person or a card can
//! hand the tool (a card's answers, a saved `--json` report, a site file, a
//! profile file) and driving each through the same library calls the binary
//! makes, up to the advice, the text in both languages and the slip. Must
//! not: pass anything but a clean return for a well-behaved tool; every
//! `assert!` here is a property the tool promises (no try spent, `advise
//! --from` agrees with the reading).

#![allow(dead_code)]

use jpki_status::advice::{
    advise, AdviceInput, AgeBand, Answer, Facts, KeyInput, PerKey, Purpose, Who,
};
use jpki_status::apdu::{Command, Response};
use jpki_status::card::KeyId;
use jpki_status::cli::advise::parse_report;
use jpki_status::cli::report_json;
use jpki_status::lang::Lang;
use jpki_status::present::report_text as text;
use jpki_status::probe::{read_card, ProbeOptions};
use jpki_status::report::CardReport;
use jpki_status::sim::profile::builtin_names;
use jpki_status::sim::profile::Profile;
use jpki_status::sim::SimCard;
use jpki_status::site::Site;
use jpki_status::slip;
use jpki_status::transport::{Exchange, TransportError};
use std::path::Path;
use time::{Duration, OffsetDateTime};

/// The example site file, for slips with an office box.
pub const SITE_EXAMPLE: &str = include_str!("../apdu/site.example.toml");

/// A built-in profile's card, built once per process (parsing the profile
/// and building its certificate would otherwise dominate each run).
fn builtin_card(name: &str) -> SimCard {
    static CARDS: std::sync::OnceLock<Vec<(&'static str, SimCard)>> = std::sync::OnceLock::new();
    let cards = CARDS.get_or_init(|| {
        builtin_names()
            .into_iter()
            .map(|n| (n, Profile::load(n).expect("built-in profiles load").card()))
            .collect()
    });
    cards
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.clone())
        .expect("a built-in name")
}

/// The example site, parsed once per process.
fn example_site() -> &'static Site {
    static SITE: std::sync::OnceLock<Site> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        Site::parse(SITE_EXAMPLE, Path::new("site.example.toml")).expect("example site")
    })
}

/// The fixed clock of the seeds: the tests' `NOW`.
pub fn base_now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-22 10:00:00 +09:00)
}

/// A cursor over the fuzz bytes; exhausted reads give `None`.
pub struct Bytes<'a>(pub &'a [u8]);

impl<'a> Bytes<'a> {
    pub fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
}

/// A clock from 4 bytes: minutes from [`base_now`] (±4,000 years), kept
/// inside the range `--now` accepts, as the command line does.
pub fn now_from(b: &mut Bytes) -> OffsetDateTime {
    let raw = b.take(4);
    let mut word = [0u8; 4];
    word[..raw.len()].copy_from_slice(raw);
    let minutes = i32::from_le_bytes(word);
    let (lo, hi) = jpki_status::cli::advise::NOW_RANGE;
    base_now()
        .checked_add(Duration::minutes(i64::from(minutes)))
        .filter(|t| *t >= lo && *t <= hi)
        .map(jpki_status::japan_time::in_japan)
        .unwrap_or_else(base_now)
}

fn answer(b: u8) -> Answer {
    [Answer::Unknown, Answer::Yes, Answer::No][usize::from(b % 3)]
}

/// What the holder said, from 4 bytes (all unknown when exhausted).
pub fn facts_from(b: &mut Bytes) -> Facts {
    let raw = b.take(4);
    let mut w = [0u8; 4];
    w[..raw.len()].copy_from_slice(raw);
    let mut f = Facts::default();
    for (i, key) in [KeyId::Auth, KeyId::Sign, KeyId::Kenhojo, KeyId::Juki]
        .into_iter()
        .enumerate()
    {
        if let Some(slot) = f.knows.get_mut(key) {
            *slot = answer(w[0] >> (2 * i));
        }
    }
    f.moved = answer(w[1]);
    f.age = [
        AgeBand::Unknown,
        AgeBand::Under15,
        AgeBand::From15To17,
        AgeBand::Adult,
    ][usize::from((w[1] >> 2) % 4)];
    f.adult_ward = answer(w[1] >> 4);
    f.smartphone = answer(w[1] >> 6);
    f.who = [Who::Unknown, Who::Holder, Who::LegalRep, Who::Proxy][usize::from(w[2] % 4)];
    f.card_expired = answer(w[2] >> 2);
    f.certificate_expired = answer(w[2] >> 4);
    f.face_auth_card = answer(w[2] >> 6);
    f.lost = answer(w[3]);
    f.damaged = answer(w[3] >> 2);
    f.phone_certificate = answer(w[3] >> 4);
    f.only_health_insurance = answer(w[3] >> 6);
    f.purposes = Purpose::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| (w[0] ^ w[3]) >> i & 1 == 1)
        .map(|(_, p)| p)
        .collect();
    f
}

/// A card that answers each command as the fuzz bytes say: one control byte
/// per command picks the real simulated card's answer, that answer with a
/// status word, length or byte changed, an answer made of fuzz bytes (up to
/// 4 KB, beyond any short APDU), or a transport failure. Exhausted bytes
/// answer as the real card.
pub struct HostileCard<'a> {
    pub card: SimCard,
    pub script: Bytes<'a>,
}

impl Exchange for HostileCard<'_> {
    fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
        let mut raw = self.card.process(command.encode().as_bytes());
        let s = &mut self.script;
        match s.byte().map(|c| c % 8) {
            None | Some(0) | Some(1) => {}
            Some(2) => {
                let len = raw.len();
                let sw = s.take(2);
                raw.truncate(len.saturating_sub(2));
                raw.extend_from_slice(sw);
            }
            Some(3) => {
                let n = usize::from(s.byte().unwrap_or(0));
                raw = s.take(n).to_vec();
            }
            Some(4) => {
                let hi = usize::from(s.byte().unwrap_or(0));
                let lo = usize::from(s.byte().unwrap_or(0));
                raw = s.take((hi << 8 | lo) % 4096).to_vec();
            }
            Some(5) => {
                let keep = usize::from(s.byte().unwrap_or(0)) % (raw.len() + 1);
                raw.truncate(keep);
            }
            Some(6) => {
                return Err(match s.byte().unwrap_or(0) % 5 {
                    0 => TransportError::CardRemoved { contactless: true },
                    1 => TransportError::Communication {
                        detail: "fuzz".into(),
                        contactless: false,
                    },
                    2 => TransportError::Unresponsive,
                    3 => TransportError::Busy,
                    _ => TransportError::ShortResponse(0),
                })
            }
            Some(_) => {
                if !raw.is_empty() {
                    let at = usize::from(s.byte().unwrap_or(0)) % raw.len();
                    raw[at] ^= s.byte().unwrap_or(0xff);
                }
            }
        }
        Response::parse(&raw).map_err(|_| TransportError::ShortResponse(raw.len()))
    }
}

/// Everything the binary prints or writes after a reading, in both
/// languages, with and without a site; and the JSON a `--json` run prints
/// fed back through `advise --from`'s parser, which must give the same
/// exit code (the reading and its re-run agree).
pub fn after_reading(report: &CardReport, facts: &Facts, now: OffsetDateTime, site: Option<&Site>) {
    for lang in [Lang::Ja, Lang::En] {
        let advice = advise(&AdviceInput::from_report(report, facts.clone()), now).localized(lang);
        let _ = text::render_report(report, lang);
        let _ = jpki_status::present::advice_page::render(&advice, lang);
        let _ = slip::render_slip(Some(report), &advice, site, lang, now);
        if let Some(site) = site {
            let _ = site.render_text(lang, now);
        }
        if lang == Lang::En {
            continue;
        }
        let exit = advice.exit_after(report);
        let doc = report_json(report, &advice);
        let saved = serde_json::to_string_pretty(&doc).expect("JSON prints");
        let again = parse_report(&saved, Path::new("saved.json"))
            .expect("advise --from reads what --json printed");
        // One key status type: every row and reading comes back as it was
        // (state and count together, src/report.rs `KeyStatus`).
        assert_eq!(
            again.keys, report.keys,
            "the key rows change on a save and read back:\n{saved}"
        );
        let advice_again = advise(&AdviceInput::from_report(&again, facts.clone()), now);
        assert_eq!(
            advice_again.exit_after(&again),
            exit,
            "advise --from disagrees with the reading:\n{saved}"
        );
    }
}

/// Target (a): the probe behind a hostile card, up to the advice, the text
/// and the slip. Layout: profile, option bits, 4 bytes of facts, 4 bytes of
/// clock, then one control byte (and its operands) per command.
pub fn probe(data: &[u8]) {
    let mut b = Bytes(data);
    let names = builtin_names();
    let name = names[usize::from(b.byte().unwrap_or(0)) % names.len()];
    let flags = b.byte().unwrap_or(0);
    let facts = facts_from(&mut b);
    let now = now_from(&mut b);
    let card = builtin_card(name);
    let mut hostile = HostileCard { card, script: b };
    let options = ProbeOptions {
        diagnostics: flags & 1 == 1,
    };
    let result = read_card(&mut hostile, options, now);
    assert!(
        hostile.card.violations().is_empty(),
        "a forbidden command reached the card: {:?}",
        hostile.card.violations()
    );
    match result {
        Ok(report) => {
            let site = (flags & 2 == 2).then(example_site);
            after_reading(&report, &facts, now, site);
        }
        Err(e) => {
            for lang in [Lang::Ja, Lang::En] {
                let _ = text::describe_transport_error(&e, lang);
            }
        }
    }
}

/// Target (b): a saved `--json` report through `advise --from`'s parser and
/// the advice.
pub fn report_json_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(report) = parse_report(text, Path::new("fuzz.json")) {
        after_reading(&report, &Facts::default(), base_now(), None);
    }
}

/// Target (c): a site file, rendered as text and on slips at the edges of
/// the clock's range.
pub fn site_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(site) = Site::parse(text, Path::new("fuzz-site.toml")) else {
        return;
    };
    let (lo, hi) = jpki_status::cli::advise::NOW_RANGE;
    for now in [base_now(), lo, hi] {
        for lang in [Lang::Ja, Lang::En] {
            let _ = site.render_text(lang, now);
            let input = AdviceInput::without_card(PerKey::<KeyInput>::default(), Facts::default());
            let advice = advise(&input, now).localized(lang);
            let _ = slip::render_slip(None, &advice, Some(&site), lang, now);
        }
    }
}

/// Target (d): a profile file, read by the probe through the simulated card
/// it describes, up to the advice.
pub fn profile_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(profile) = Profile::parse("fuzz", text) else {
        return;
    };
    let mut card = HostileCard {
        card: profile.card(),
        script: Bytes(&[]),
    };
    let result = read_card(&mut card, ProbeOptions { diagnostics: true }, base_now());
    assert!(card.card.violations().is_empty());
    if let Ok(report) = result {
        after_reading(&report, &Facts::default(), base_now(), None);
    }
}

/// A profile like `fresh` whose authentication certificate expires on
/// 9999-12-31 (the simulator stores 14:59:59 UTC, 23:59:59 in Japan).
pub fn far_date_profile() -> String {
    "description = \"fresh, with a certificate valid until 9999-12-31\"\n\
     source = \"synthetic\"\n\n\
     [certificate]\n\
     not_before = \"2025-06-01\"\n\
     not_after = \"9999-12-31\"\n"
        .to_string()
}

/// The probe target's far-date regression input: the card of
/// [`far_date_profile`], except that every certificate chunk carrying its
/// notAfter says `99991231235959Z` (RFC 5280's "no well-defined expiration
/// date", 10000-01-01 08:59:59 in Japan time), sent as fuzz-supplied answers
/// (control byte 4). Built by running the probe once against the real
/// simulated card and recording what to answer, so it follows the probe's
/// command sequence whatever it is.
pub fn far_date_probe_input() -> Vec<u8> {
    struct Recorder {
        card: SimCard,
        fresh: SimCard,
        script: Vec<u8>,
    }
    impl Exchange for Recorder {
        fn transmit(&mut self, command: &Command) -> Result<Response, TransportError> {
            let raw = self.card.process(command.encode().as_bytes());
            let as_fresh = self.fresh.process(command.encode().as_bytes());
            const FROM: &[u8] = b"99991231145959Z";
            const TO: &[u8] = b"99991231235959Z";
            let at = raw.windows(FROM.len()).position(|w| w == FROM);
            match at {
                _ if at.is_some() || raw != as_fresh => {
                    let mut patched = raw.clone();
                    if let Some(at) = at {
                        patched[at..at + TO.len()].copy_from_slice(TO);
                    }
                    let n = u16::try_from(patched.len()).expect("short answer");
                    self.script.push(4);
                    self.script.extend_from_slice(&n.to_be_bytes());
                    self.script.extend_from_slice(&patched);
                }
                _ => self.script.push(0),
            }
            Response::parse(&raw).map_err(|_| TransportError::ShortResponse(raw.len()))
        }
    }
    let card = Profile::parse("far-date", &far_date_profile())
        .expect("far-date profile")
        .card();
    let mut rec = Recorder {
        card,
        fresh: Profile::load("fresh").expect("fresh").card(),
        script: vec![0, 2, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    let report = read_card(&mut rec, ProbeOptions::default(), base_now()).expect("reading");
    assert!(
        rec.card.exchanges() > 0 && rec.script.contains(&4),
        "the far-date certificate was never read: {report:?}"
    );
    rec.script
}
