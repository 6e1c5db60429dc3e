//! Command-line pieces of the advice: the fact flags shared by the card
//! reading and `advise`, the `advise` subcommand's arguments, and
//! [`run_advise`].
//!
//! Owns: flag names and help text for facts, turning flags into [`Facts`],
//! reading `--from` documents, and the typed errors of both ([`AdviseError`],
//! each with a code, an exit code, and what happened and what to do in both
//! languages). Must not: read a card, print an error itself (src/cli.rs
//! `report_error` is the one place errors become text or JSON), or define
//! the top-level command line (src/cli.rs wires these in).

use super::engine::advise;
use super::facts::{AdviceInput, AgeBand, Answer, Facts, KeyInput, PerKey, Purpose, Who};
use super::output::Advice;
use super::text::{render_with, View};
use crate::card::KeyId;
use crate::exit::Exit;
use crate::japan_time::in_japan;
use crate::lang::Lang;
use crate::report::{CardReport, SCHEMA_VERSION};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A PIN, as named on the command line.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum PinArg {
    /// 利用者証明用電子証明書の暗証番号 (4 digits): Mynaportal login,
    /// convenience-store certificates, e-Tax login, health insurance.
    Auth,
    /// 署名用電子証明書のパスワード (6-16 characters): e-Tax signing,
    /// adding the card to an iPhone.
    Sign,
    /// 券面事項入力補助用暗証番号 (4 digits): 公金受取口座, auto-fill,
    /// adding the card to a phone.
    Kenhojo,
    /// 住民基本台帳用暗証番号 (4 digits): municipal counter terminals.
    Juki,
}

impl PinArg {
    /// The key it names.
    pub const fn key(self) -> KeyId {
        match self {
            PinArg::Auth => KeyId::Auth,
            PinArg::Sign => KeyId::Sign,
            PinArg::Kenhojo => KeyId::Kenhojo,
            PinArg::Juki => KeyId::Juki,
        }
    }
}

/// The holder's age band.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum AgeArg {
    /// Under 15: the legal representative goes; no kiosk.
    Under15,
    /// 15 to 17: may hold a 署名用 certificate.
    #[value(name = "15-17")]
    From15To17,
    /// 18 or over.
    Adult,
}

/// Who will go to the counter.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum WhoArg {
    /// The holder in person.
    Holder,
    /// A legal representative (法定代理人).
    LegalRep,
    /// An appointed proxy (任意代理人): two visits.
    Proxy,
}

/// The service the holder was using.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum PurposeArg {
    /// Health insurance use at a hospital (マイナ保険証).
    HealthInsurance,
    /// e-Tax.
    ETax,
    /// Mynaportal login.
    Mynaportal,
    /// Convenience-store certificate printing (コンビニ交付).
    ConvenienceStoreCertificate,
    /// 公金受取口座 registration.
    KokinAccount,
    /// Adding the card to an iPhone.
    Iphone,
    /// Municipal counter terminals (moving in, address change).
    MunicipalTerminal,
    /// Something else.
    Other,
}

impl PurposeArg {
    const fn purpose(self) -> Purpose {
        match self {
            PurposeArg::HealthInsurance => Purpose::HealthInsurance,
            PurposeArg::ETax => Purpose::ETax,
            PurposeArg::Mynaportal => Purpose::Mynaportal,
            PurposeArg::ConvenienceStoreCertificate => Purpose::ConvenienceStoreCertificate,
            PurposeArg::KokinAccount => Purpose::KokinAccount,
            PurposeArg::Iphone => Purpose::Iphone,
            PurposeArg::MunicipalTerminal => Purpose::MunicipalTerminal,
            PurposeArg::Other => Purpose::Other,
        }
    }
}

/// What only the holder knows, as flags. Anything not given stays unknown:
/// the advice then says what it depends on.
#[derive(Args, Clone, Debug, Default, PartialEq, Eq)]
#[command(next_help_heading = "What only the holder knows (each unknown unless given)")]
pub struct FactArgs {
    /// The holder remembers this PIN (repeatable). The kiosk resets one
    /// JPKI PIN using the other, so knowing the other one matters.
    #[arg(long, value_name = "KEY")]
    pub knows: Vec<PinArg>,
    /// The holder does not remember this PIN, or is unsure (repeatable).
    /// With 1 try left and any doubt, treat it as forgotten.
    #[arg(long, value_name = "KEY")]
    pub forgot: Vec<PinArg>,
    /// Moved house or changed name since the certificates were issued: this
    /// revokes the 署名用 certificate (the kiosk then cannot be used).
    #[arg(long, conflicts_with = "not_moved")]
    pub moved: bool,
    /// No move or name change since the certificates were issued.
    #[arg(long)]
    pub not_moved: bool,
    /// The holder's age: under 15 goes with the legal representative and
    /// cannot use the kiosk.
    #[arg(long, value_name = "AGE")]
    pub age: Option<AgeArg>,
    /// The holder is an adult ward (成年被後見人 etc.): legal representative,
    /// no kiosk.
    #[arg(long, conflicts_with = "not_adult_ward")]
    pub adult_ward: bool,
    /// The holder is not an adult ward.
    #[arg(long)]
    pub not_adult_ward: bool,
    /// The card says 「顔認証」 in its 追記欄: it has no PIN route.
    #[arg(long)]
    pub face_auth_card: bool,
    /// The holder has a smartphone with NFC, a camera and internet (needed
    /// for the kiosk route's 「JPKI暗証番号リセット」 app).
    #[arg(long, conflicts_with = "no_smartphone")]
    pub smartphone: bool,
    /// No such smartphone: the kiosk route is closed, go to the counter.
    #[arg(long)]
    pub no_smartphone: bool,
    /// Who will go: the holder, a legal representative (法定代理人) or an
    /// appointed proxy (任意代理人, two visits).
    #[arg(long, value_name = "WHO")]
    pub who: Option<WhoArg>,
    /// The service the holder was using (repeatable); it tells which PINs
    /// are needed.
    #[arg(long = "purpose", value_name = "SERVICE")]
    pub purposes: Vec<PurposeArg>,
    /// Health insurance use is the only need (same as --purpose
    /// health-insurance alone).
    #[arg(long)]
    pub health_insurance_only: bool,
    /// The expiry date printed on the card has passed: a new card.
    #[arg(long)]
    pub card_expired: bool,
    /// The electronic certificates have expired (a card reading tells this
    /// by itself): renewal at the counter.
    #[arg(long)]
    pub certificate_expired: bool,
    /// The card is lost or stolen: suspend it first (0120-95-0178, 24 h).
    #[arg(long)]
    pub lost: bool,
    /// The card is damaged or its chip unreadable: reissue.
    #[arg(long)]
    pub damaged: bool,
    /// The trouble is the smartphone's own certificate (Android
    /// スマホ用電子証明書 or iPhone): the Mynaportal app.
    #[arg(long)]
    pub phone_certificate: bool,
    /// Fix the clock, RFC 3339 (e.g. 2026-11-22T23:10:00+09:00); default:
    /// the system clock. Advice times are Japan time. Accepted from
    /// 1900-01-01 to 9999-12-30 (Japan time); outside is a usage error.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<OffsetDateTime>,
}

/// The range `--now` accepts, in Japan time: wide enough for any test of
/// past or future rules, and a day inside the limits of the date type, so
/// that every date computed from it (Japan time, "within 24 hours", days to
/// a certificate's expiry) stays representable. Outside it is a usage
/// error, never a clamp: a silently moved clock would give silently wrong
/// advice.
pub const NOW_RANGE: (OffsetDateTime, OffsetDateTime) = (
    time::macros::datetime!(1900-01-01 00:00:00 +09:00),
    time::macros::datetime!(9999-12-30 23:59:59 +09:00),
);

/// Parses `--now`: RFC 3339, inside [`NOW_RANGE`].
pub fn parse_now(s: &str) -> Result<OffsetDateTime, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time like 2026-11-22T23:10:00+09:00: {e}"))?;
    if t < NOW_RANGE.0 || t > NOW_RANGE.1 {
        return Err(format!(
            "{s} is outside the supported range 1900-01-01T00:00:00+09:00 to \
             9999-12-30T23:59:59+09:00: give a time inside it"
        ));
    }
    Ok(in_japan(t))
}

/// Why `advise` (or the facts of a reading) cannot give advice. Every
/// variant says what happened and what to do, in both languages
/// ([`AdviseError::describe`]).
#[derive(Debug, thiserror::Error)]
pub enum AdviseError {
    /// The same PIN is both known and forgotten.
    #[error("--knows {0} and --forgot {0} contradict each other: give one")]
    KnowsAndForgot(KeyId),
    /// The same PIN is given twice by `--locked`/`--tries`.
    #[error("{0} is given twice (--locked/--tries): give it once")]
    GivenTwice(KeyId),
    /// The `--from` file cannot be read (missing, not a regular file,
    /// larger than [`crate::input::MAX_INPUT_BYTES`], not UTF-8).
    #[error("{source}")]
    FromRead {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::input::InputError,
    },
    /// The `--from` file is not JSON.
    #[error("{} is not JSON: {source}", path.display())]
    FromNotJson {
        /// The file.
        path: PathBuf,
        /// The parser's complaint (line and column).
        #[source]
        source: serde_json::Error,
    },
    /// The `--from` file is JSON but not a reading of this schema.
    #[error("{} is not a jpki-status --json reading (schema {SCHEMA_VERSION}): {source}", path.display())]
    FromNotAReading {
        /// The file.
        path: PathBuf,
        /// What is missing or wrong.
        #[source]
        source: serde_json::Error,
    },
    /// Writing the advice failed (not a closed pipe: the caller handles it).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl AdviseError {
    /// A stable snake_case code for JSON (docs/json.md, error codes).
    pub fn code(&self) -> &'static str {
        match self {
            AdviseError::KnowsAndForgot(_) | AdviseError::GivenTwice(_) => "contradiction",
            AdviseError::FromRead { .. } => "from_unreadable",
            AdviseError::FromNotJson { .. } | AdviseError::FromNotAReading { .. } => {
                "from_not_a_reading"
            }
            AdviseError::Output(_) => "output",
        }
    }

    /// The exit code: what the person typed is wrong (2), except output
    /// failures (1).
    pub fn exit(&self) -> Exit {
        match self {
            AdviseError::Output(_) => Exit::Failure,
            _ => Exit::Usage,
        }
    }

    /// What happened and what to do next, in `lang`.
    pub fn describe(&self, lang: Lang) -> (String, String) {
        match self {
            AdviseError::KnowsAndForgot(k) => (
                match lang {
                    Lang::Ja => format!("--knows {k} と --forgot {k} が矛盾しています。"),
                    Lang::En => format!("--knows {k} and --forgot {k} contradict each other."),
                },
                match lang {
                    Lang::Ja => format!("{k} の暗証番号を覚えているなら --knows {k}、覚えていない・自信がないなら --forgot {k} の一方だけを指定してください。"),
                    Lang::En => format!("Give only one: --knows {k} if the holder remembers it, --forgot {k} if not or unsure."),
                },
            ),
            AdviseError::GivenTwice(k) => (
                match lang {
                    Lang::Ja => format!("{k} が --locked / --tries で2回指定されています。"),
                    Lang::En => format!("{k} is given twice (--locked/--tries)."),
                },
                match lang {
                    Lang::Ja => format!("{k} は1回だけ指定してください（ロック済みなら --locked {k}、残り回数が分かるなら --tries {k}=N）。"),
                    Lang::En => format!("Give {k} once: --locked {k} if it is locked, or --tries {k}=N."),
                },
            ),
            AdviseError::FromRead {
                path,
                source: crate::input::InputError::Io { source, .. },
            } => (
                match lang {
                    Lang::Ja => format!("{} を読み込めません（{source}）。", path.display()),
                    Lang::En => format!("Cannot read {} ({source}).", path.display()),
                },
                lang.pick(
                    "ファイル名を確認してください。読み取り結果は jpki-status --json > reading.json で保存できます。",
                    "Check the file name. Save a reading with: jpki-status --json > reading.json",
                )
                .into(),
            ),
            AdviseError::FromRead { source, .. } => source.describe(lang),
            AdviseError::FromNotJson { path, source } => (
                match lang {
                    Lang::Ja => format!("{} は JSON ではありません（{source}）。", path.display()),
                    Lang::En => format!("{} is not JSON ({source}).", path.display()),
                },
                lang.pick(
                    "jpki-status --json が出力したファイルを指定してください（jpki-status --json > reading.json）。",
                    "Give a file written by jpki-status --json (jpki-status --json > reading.json).",
                )
                .into(),
            ),
            AdviseError::FromNotAReading { path, source } => (
                match lang {
                    Lang::Ja => format!(
                        "{} は jpki-status --json の読み取り結果（schema_version {SCHEMA_VERSION}）ではありません（{source}）。",
                        path.display()
                    ),
                    Lang::En => format!(
                        "{} is not a jpki-status --json reading (schema_version {SCHEMA_VERSION}): {source}.",
                        path.display()
                    ),
                },
                lang.pick(
                    "jpki-status --json が出力した読み取り結果を指定してください。エラー文書や advise --json の出力は使えません。",
                    "Give a reading written by jpki-status --json; an error document or advise --json output is not a reading.",
                )
                .into(),
            ),
            AdviseError::Output(e) => crate::text::describe_output_error(e, lang),
        }
    }
}

impl FactArgs {
    /// The facts these flags state. Fails when a PIN is both known and
    /// forgotten.
    pub fn to_facts(&self) -> Result<Facts, AdviseError> {
        let mut f = Facts::default();
        for p in &self.knows {
            if let Some(slot) = f.knows.get_mut(p.key()) {
                *slot = Answer::Yes;
            }
        }
        for p in &self.forgot {
            if self.knows.contains(p) {
                return Err(AdviseError::KnowsAndForgot(p.key()));
            }
            if let Some(slot) = f.knows.get_mut(p.key()) {
                *slot = Answer::No;
            }
        }
        f.moved = flag(self.moved, self.not_moved);
        f.age = match self.age {
            Some(AgeArg::Under15) => AgeBand::Under15,
            Some(AgeArg::From15To17) => AgeBand::From15To17,
            Some(AgeArg::Adult) => AgeBand::Adult,
            None => AgeBand::Unknown,
        };
        f.adult_ward = flag(self.adult_ward, self.not_adult_ward);
        f.face_auth_card = flag(self.face_auth_card, false);
        f.smartphone = flag(self.smartphone, self.no_smartphone);
        f.who = match self.who {
            Some(WhoArg::Holder) => Who::Holder,
            Some(WhoArg::LegalRep) => Who::LegalRep,
            Some(WhoArg::Proxy) => Who::Proxy,
            None => Who::Unknown,
        };
        f.purposes = self.purposes.iter().map(|p| p.purpose()).collect();
        f.only_health_insurance = flag(self.health_insurance_only, false);
        f.card_expired = flag(self.card_expired, false);
        f.certificate_expired = flag(self.certificate_expired, false);
        f.lost = flag(self.lost, false);
        f.damaged = flag(self.damaged, false);
        f.phone_certificate = flag(self.phone_certificate, false);
        Ok(f)
    }

    /// `--now`, or the system clock; in Japan time.
    pub fn now(&self) -> OffsetDateTime {
        in_japan(self.now.unwrap_or_else(OffsetDateTime::now_utc))
    }
}

/// A flag pair: yes, no, or (neither) unknown. A lone positive flag cannot
/// say "no": absence of `--lost` is not a statement that the card is not
/// lost.
fn flag(yes: bool, no: bool) -> Answer {
    match (yes, no) {
        (true, _) => Answer::Yes,
        (false, true) => Answer::No,
        (false, false) => Answer::Unknown,
    }
}

/// `KEY=N` for `--tries`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TriesArg {
    /// The key.
    pub key: KeyId,
    /// Tries left (0 = locked).
    pub tries: u8,
}

fn parse_tries(s: &str) -> Result<TriesArg, String> {
    let (k, n) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=N, like sign=2, got {s:?}"))?;
    let key = match k.trim() {
        "auth" => KeyId::Auth,
        "sign" => KeyId::Sign,
        "kenhojo" => KeyId::Kenhojo,
        "juki" => KeyId::Juki,
        other => {
            return Err(format!(
                "unknown PIN {other:?}: use auth, sign, kenhojo or juki"
            ))
        }
    };
    let tries: u8 = n
        .trim()
        .parse()
        .map_err(|_| format!("not a number of tries: {n:?}"))?;
    let max = key.spec().max.unwrap_or(u8::MAX);
    if tries > max {
        return Err(format!("{key} has at most {max} tries"));
    }
    Ok(TriesArg { key, tries })
}

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
    /// JSON output: `{"schema_version": 2, "advice": {...}}` (with --from,
    /// the report's fields too).
    #[arg(long)]
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
pub fn parse_report(text: &str, origin: &std::path::Path) -> Result<CardReport, AdviseError> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|source| AdviseError::FromNotJson {
            path: origin.into(),
            source,
        })?;
    if let Some(obj) = value.as_object_mut() {
        obj.remove("advice");
    }
    serde_json::from_value(value).map_err(|source| AdviseError::FromNotAReading {
        path: origin.into(),
        source,
    })
}

/// The JSON document of `advise --json`.
pub fn advise_json(
    report: Option<&CardReport>,
    advice: &Advice,
) -> anyhow::Result<serde_json::Value> {
    let mut doc = match report {
        Some(r) => serde_json::to_value(r)?,
        None => serde_json::json!({ "schema_version": SCHEMA_VERSION }),
    };
    if let Some(obj) = doc.as_object_mut() {
        // A reading saved by an older version keeps its fields, but the
        // document written now is of this version (its advice is).
        obj.insert("schema_version".to_string(), SCHEMA_VERSION.into());
        obj.insert("advice".to_string(), serde_json::to_value(advice)?);
    }
    Ok(doc)
}

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
            super::interactive::ask(&advice_input, now, lang, &mut stdin.lock(), &mut *out);
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
        let doc = advise_json(report.as_ref(), &advice).map_err(std::io::Error::other)?;
        let mut b = serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?;
        b.push(b'\n');
        b
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
