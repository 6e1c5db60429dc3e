//! Choosing the reader to read and waiting for a card (`--reader`,
//! `--wait`), and opening the source of cards (PC/SC or `--sim`).
//!
//! Owns: [`SelectError`] and the wait loop's bound. Must not: talk to a
//! card (that is `probe` through `session`), or print anything but the one
//! "place the card" prompt on stderr.

use super::{Io, RunError, Wait};
use crate::lang::Lang;
use crate::pcsc_backend::PcscTerminal;
use crate::session::PcscWorker;
use crate::sim::{SimCard, SimTerminal, Witness};
use crate::transport::{ReaderInfo, Terminal};
use std::time::{Duration, Instant};

/// Why no reader could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// No reader at all.
    #[error("no card reader found")]
    NoReaders,
    /// `--reader` matched nothing.
    #[error("no reader matches {wanted:?}; readers: {}", candidates.join(", "))]
    NoMatch {
        /// What was asked for.
        wanted: String,
        /// The readers there are.
        candidates: Vec<String>,
    },
    /// `--reader` matched several.
    #[error("{wanted:?} matches several readers: {}; give more of the name", candidates.join(", "))]
    Ambiguous {
        /// What was asked for.
        wanted: String,
        /// The matching readers.
        candidates: Vec<String>,
    },
    /// The chosen reader, or every reader, holds no card.
    #[error("no card on {}", if readers.is_empty() { "any reader".to_string() } else { readers.join(", ") })]
    NoCard {
        /// The readers looked at.
        readers: Vec<String>,
    },
    /// Several readers hold a card and none was named.
    #[error("cards are on several readers: {}; choose one with --reader", readers.join(", "))]
    SeveralCards {
        /// The readers holding a card.
        readers: Vec<String>,
    },
}

impl SelectError {
    /// Waiting can fix it (a card or reader may appear).
    fn waitable(&self) -> bool {
        matches!(
            self,
            SelectError::NoReaders | SelectError::NoCard { .. } | SelectError::NoMatch { .. }
        )
    }
}

/// Chooses the reader to read: `wanted` by exact name or unique
/// case-insensitive substring; otherwise the single reader holding a card.
pub fn choose_reader(readers: &[ReaderInfo], wanted: Option<&str>) -> Result<String, SelectError> {
    if readers.is_empty() {
        return Err(SelectError::NoReaders);
    }
    let names = || readers.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    let chosen: &ReaderInfo = match wanted {
        Some(w) => {
            if let Some(r) = readers.iter().find(|r| r.name == w) {
                r
            } else {
                let lw = w.to_lowercase();
                let matches: Vec<&ReaderInfo> = readers
                    .iter()
                    .filter(|r| r.name.to_lowercase().contains(&lw))
                    .collect();
                match matches.as_slice() {
                    [one] => one,
                    [] => {
                        return Err(SelectError::NoMatch {
                            wanted: w.into(),
                            candidates: names(),
                        })
                    }
                    many => {
                        return Err(SelectError::Ambiguous {
                            wanted: w.into(),
                            candidates: many.iter().map(|r| r.name.clone()).collect(),
                        })
                    }
                }
            }
        }
        None => {
            let with_card: Vec<&ReaderInfo> = readers.iter().filter(|r| r.card_present).collect();
            match with_card.as_slice() {
                [one] => one,
                [] => return Err(SelectError::NoCard { readers: names() }),
                many => {
                    return Err(SelectError::SeveralCards {
                        readers: many.iter().map(|r| r.name.clone()).collect(),
                    })
                }
            }
        }
    };
    if !chosen.card_present {
        return Err(SelectError::NoCard {
            readers: vec![chosen.name.clone()],
        });
    }
    Ok(chosen.name.clone())
}

/// The source of cards: PC/SC or the simulator.
pub fn open_terminal(sim: Option<&str>) -> Result<Box<dyn Terminal + Send>, RunError> {
    Ok(open_witnessed(sim)?.0)
}

/// [`open_terminal`], with the simulated card's record of forbidden
/// commands when it is the simulator.
pub(crate) fn open_witnessed(
    sim: Option<&str>,
) -> Result<(Box<dyn Terminal + Send>, Option<Witness>), RunError> {
    Ok(match sim {
        Some(p) => {
            let terminal = SimTerminal::new(SimCard::load(p)?);
            let witness = terminal.witness();
            (Box::new(terminal), Some(witness))
        }
        None => (Box::new(PcscTerminal::new()), None),
    })
}

/// Waits (if asked) until a reader can be chosen, and returns its name.
/// Every call to the PC/SC service runs under `service` (plus the slice it
/// waits for, `session::PcscWorker`): a frozen service ends the run with
/// "not answering" (exit 7), never a hang (issue 19).
pub fn wait_and_choose(
    terminal: &mut PcscWorker,
    wanted: Option<&str>,
    wait: Option<Wait>,
    service: Duration,
    io: &mut Io<'_>,
    lang: Lang,
) -> Result<String, RunError> {
    // `--wait=0` looks once, exactly as without --wait.
    let wait = wait.filter(|w| *w != Wait::AtMost(Duration::ZERO));
    let deadline = match wait {
        Some(Wait::AtMost(d)) => Instant::now().checked_add(d),
        _ => None,
    };
    let mut told = false;
    loop {
        let readers = terminal.call(service, |t| t.readers())?;
        match choose_reader(&readers, wanted) {
            Ok(r) => return Ok(r),
            Err(e) if wait.is_some() && e.waitable() => {
                if !told {
                    let _ = writeln!(
                        io.err,
                        "{}",
                        lang.pick(
                            "カードを置いてください…（Ctrl-C で中止）",
                            "Place the card on the reader... (Ctrl-C to stop)"
                        )
                    );
                    told = true;
                }
                let slice = match deadline {
                    Some(d) => {
                        let left = d.saturating_duration_since(Instant::now());
                        if left.is_zero() {
                            let secs = match wait {
                                Some(Wait::AtMost(d)) => d.as_secs_f64(),
                                _ => 0.0,
                            };
                            return Err(RunError::WaitTimeout(secs));
                        }
                        left.min(Duration::from_secs(5))
                    }
                    None => Duration::from_secs(5),
                };
                let seen = readers.clone();
                terminal.call(slice + service, move |t| {
                    t.wait_for_change(&seen, Some(slice))
                })?;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str, card: bool) -> ReaderInfo {
        ReaderInfo {
            name: name.into(),
            card_present: card,
            atr: None,
            in_use_exclusively: false,
            events: 0,
        }
    }

    #[test]
    fn the_single_reader_with_a_card_is_chosen() {
        let rs = [r("A Reader 00", false), r("B Reader 01", true)];
        assert_eq!(choose_reader(&rs, None), Ok("B Reader 01".into()));
    }

    #[test]
    fn several_cards_need_a_name() {
        let rs = [r("A", true), r("B", true)];
        assert!(matches!(
            choose_reader(&rs, None),
            Err(SelectError::SeveralCards { .. })
        ));
        assert_eq!(choose_reader(&rs, Some("b")), Ok("B".into()));
    }

    #[test]
    fn exact_name_wins_over_substring_and_ambiguity_lists_candidates() {
        let rs = [r("Virtual PCD 00 00", true), r("Virtual PCD 00 01", true)];
        assert_eq!(
            choose_reader(&rs, Some("Virtual PCD 00 01")),
            Ok("Virtual PCD 00 01".into())
        );
        match choose_reader(&rs, Some("virtual")) {
            Err(SelectError::Ambiguous { candidates, .. }) => assert_eq!(candidates.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            choose_reader(&rs, Some("nfc")),
            Err(SelectError::NoMatch { .. })
        ));
        assert_eq!(choose_reader(&[], None), Err(SelectError::NoReaders));
        assert!(matches!(
            choose_reader(&[r("A", false)], Some("A")),
            Err(SelectError::NoCard { .. })
        ));
    }
}
