//! Command-line pieces of the advice: the fact flags shared by the card
//! reading and `advise`, the `advise` subcommand's arguments, and
//! [`run_advise`].
//!
//! Owns: flag names and help text for facts, turning flags into [`Facts`](crate::advice::Facts),
//! reading `--from` documents, and the typed errors of both ([`AdviseError`],
//! each with a code, an exit code, and what happened and what to do in both
//! languages). Must not: read a card, print an error itself (src/cli/errors.rs
//! `report_error` is the one place errors become text or JSON), or define
//! the top-level command line (src/cli/ wires these in).
//!
//! Files: `fact_args.rs` (the fact flags and their parsing, shared with the
//! card reading), `errors.rs` ([`AdviseError`]), this file (`advise`'s own
//! arguments, `--from`, [`run_advise`]).

mod advise_errors;
mod fact_args;

pub use advise_errors::{AdviseError, FromProblem};
pub(crate) use crate::present::documents::document_bytes;
pub use crate::present::documents::AdviceDocument;
use fact_args::parse_tries;
#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use fact_args::{parse_now, AgeArg, FactArgs, PinArg, PurposeArg, TriesArg, WhoArg, NOW_RANGE};

use crate::advice::engine::advise;
use crate::advice::facts::{AdviceInput, KeyInput, PerKey};
use crate::present::advice_page::{render_with, View};
use crate::card::KeyId;
use crate::exit::Exit;
use crate::lang::Lang;
use crate::report::{CardReport, SCHEMA_VERSION};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// `jpki-status advise`: the advice without a card, from what the holder
/// says (or from a saved `--json` reading with `--from`).
#[derive(Args, Clone, Debug, Default)]
pub struct AdviseArgs {
    /// The facts.
    #[command(flatten)]
    pub facts: FactArgs,
    /// This PIN is locked, as the holder was told (repeatable).
    #[arg(
        long,
        value_name = "KEY",
        conflicts_with = "from",
        help_heading = "What the holder says about each PIN"
    )]
    pub locked: Vec<PinArg>,
    /// Tries left for a PIN, as shown somewhere (repeatable; 0 = locked).
    #[arg(long, value_name = "KEY=N", value_parser = parse_tries, conflicts_with = "from", help_heading = "What the holder says about each PIN")]
    pub tries: Vec<TriesArg>,
    /// Re-run the advice on a saved `jpki-status --json` reading (its
    /// `advice` field, if any, is ignored).
    #[arg(long, value_name = "REPORT.json")]
    pub from: Option<PathBuf>,
    /// JSON output: `{"schema_version": N, "advice": {...}}` (with --from,
    /// the report's fields too).
    #[arg(long, help = JSON_HELP.as_str())]
    pub json: bool,
    /// Never ask questions, even on a terminal.
    #[arg(long)]
    pub no_input: bool,
    /// Also show the details: every statement with its rule and sources,
    /// the assumptions.
    #[arg(long)]
    pub details: bool,
}

impl AdviseArgs {
    /// The per-key input from `--locked` and `--tries`.
    pub fn key_inputs(&self) -> Result<PerKey<KeyInput>, AdviseError> {
        let mut keys: PerKey<KeyInput> = PerKey::default();
        let mut said: Vec<KeyId> = Vec::new();
        let locked = self.locked.iter().map(|p| (p.key(), 0u8));
        let tries = self.tries.iter().map(|t| (t.key, t.tries));
        for (key, n) in locked.chain(tries) {
            if said.contains(&key) {
                return Err(AdviseError::GivenTwice(key));
            }
            said.push(key);
            if let Some(slot) = keys.get_mut(key) {
                *slot = KeyInput::from_tries(key, n);
            }
        }
        Ok(keys)
    }
}

/// Reads a saved `--json` reading (a regular file of at most
/// [`crate::input::MAX_INPUT_BYTES`]), ignoring an `advice` field in it.
pub fn read_report(path: &std::path::Path) -> Result<CardReport, AdviseError> {
    let text = crate::input::read_text_file(path).map_err(|source| AdviseError::FromRead {
        path: path.into(),
        source,
    })?;
    parse_report(&text, path)
}

/// Parses the text of a saved `--json` reading; `origin` names it in errors.
/// Strictly (issue 19): a member given twice anywhere (the last one would
/// win silently), an empty key list, a count this tool never writes
/// (`"remaining": 0`, which is `locked`, or above 15), or a key given twice
/// is refused with what is wrong, never read as something else.
pub fn parse_report(text: &str, origin: &std::path::Path) -> Result<CardReport, AdviseError> {
    let mut value = match strict_json::parse(text) {
        Ok(v) => v,
        Err(strict) => {
            // Valid JSON except for a repeated member: not a reading.
            return Err(match serde_json::from_str::<serde_json::Value>(text) {
                Ok(_) => AdviseError::FromNotAReading {
                    path: origin.into(),
                    source: strict,
                },
                Err(source) => AdviseError::FromNotJson {
                    path: origin.into(),
                    source,
                },
            });
        }
    };
    if let Some(obj) = value.as_object_mut() {
        obj.remove("advice");
    }
    if let Some(problem) = impossible(&value) {
        return Err(AdviseError::FromImpossible {
            path: origin.into(),
            problem,
        });
    }
    serde_json::from_value(value).map_err(|source| AdviseError::FromNotAReading {
        path: origin.into(),
        source,
    })
}

/// What in a saved reading no reading of this tool can hold.
fn impossible(doc: &serde_json::Value) -> Option<FromProblem> {
    let keys = doc.get("keys")?.as_array()?;
    if keys.is_empty() {
        return Some(FromProblem::NoKeys);
    }
    let mut seen: Vec<&str> = Vec::new();
    for row in keys {
        let id = row.get("id").and_then(|v| v.as_str()).unwrap_or("?");
        if seen.contains(&id) {
            return Some(FromProblem::KeyTwice(id.to_string()));
        }
        seen.push(id);
        let rows = std::iter::once(row).chain(
            row.get("readings")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten(),
        );
        for r in rows {
            if r.get("state").and_then(|s| s.as_str()) != Some("remaining") {
                continue;
            }
            if let Some(n) = r.get("remaining").and_then(|n| n.as_u64()) {
                if n == 0 || n > 15 {
                    return Some(FromProblem::ImpossibleCount {
                        key: id.to_string(),
                        remaining: n,
                    });
                }
            }
        }
    }
    None
}

/// JSON parsing that refuses a member name given twice in one object
/// (serde_json keeps the last silently).
mod strict_json {
    use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};
    use std::fmt;

    /// Parses `text`, refusing duplicate member names at any depth.
    pub fn parse(text: &str) -> Result<Value, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Strict.deserialize(&mut de)?;
        de.end()?;
        Ok(value)
    }

    struct Strict;

    impl<'de> DeserializeSeed<'de> for Strict {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(Strict)
        }
    }

    impl<'de> Visitor<'de> for Strict {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Strict.deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(Strict)? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(A::Error::custom(format!(
                        "the member {key:?} is given twice"
                    )));
                }
                let v = map.next_value_seed(Strict)?;
                out.insert(key, v);
            }
            Ok(Value::Object(out))
        }
    }
}

/// `--json`'s help, with the schema version from `report::SCHEMA_VERSION`.
static JSON_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "JSON output: `{{\"schema_version\": {SCHEMA_VERSION}, \"advice\": {{...}}}}` (with --from, the report's fields too)"
    )
});


/// Runs `jpki-status advise`: prints the advice (text or JSON) to `out` and
/// returns the exit code of its route, in `lang` (the global `--lang`). On a
/// terminal (stdin and stdout), without `--json` or `--no-input`, it first
/// asks the questions that change the route, reading answers from stdin.
pub fn run_advise(args: &AdviseArgs, lang: Lang, out: &mut dyn Write) -> Result<Exit, AdviseError> {
    use std::io::IsTerminal as _;
    let facts = args.facts.to_facts()?;
    let now = args.facts.now();
    let report = match &args.from {
        Some(path) => Some(read_report(path)?),
        None => None,
    };
    let mut advice_input = match &report {
        Some(r) => AdviceInput::from_report(r, facts),
        None => AdviceInput::without_card(args.key_inputs()?, facts),
    };
    let interactive = !args.json
        && !args.no_input
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    if interactive {
        let stdin = std::io::stdin();
        advice_input.facts =
            crate::present::questions::ask(&advice_input, now, lang, &mut stdin.lock(), &mut *out);
        writeln!(out)?;
    }
    let advice = advise(&advice_input, now).localized(lang);
    // The same code as the reading it re-runs: a saved reading of a card
    // that is not a My Number Card stays 6 (docs/exit-codes.md).
    let exit = match &report {
        Some(r) => advice.exit_after(r),
        None => advice.exit(),
    };
    let bytes = if args.json {
        document_bytes(&AdviceDocument::new(report.as_ref(), &advice))
            .map_err(std::io::Error::other)?
    } else {
        let view = View::for_stdout(lang, args.details);
        render_with(&advice, report.as_ref(), view).into_bytes()
    };
    // A closed pipe still ends with the advice's code; any other write
    // error (a full disk) is `AdviseError::Output` for the caller.
    match out.write_all(&bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit),
        Err(e) => Err(AdviseError::Output(e)),
        Ok(()) => Ok(exit),
    }
}
