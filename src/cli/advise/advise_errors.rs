//! [`AdviseError`]: why `advise` (or the facts of a reading) cannot give
//! advice, each with a code, an exit code, and what happened and what to do
//! in both languages. Must not: print (src/cli/errors.rs does).

use crate::card::KeyId;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::lang::Lang;
use crate::report::SCHEMA_VERSION;
use std::path::PathBuf;

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
    /// The `--from` reading holds what no reading of this tool can (issue
    /// 19): it is refused rather than read as something else.
    #[error("{} cannot be a jpki-status reading: {problem}", path.display())]
    FromImpossible {
        /// The file.
        path: PathBuf,
        /// What is impossible.
        problem: FromProblem,
    },
    /// Writing the advice failed (not a closed pipe: the caller handles it).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
}

/// What makes a saved reading impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FromProblem {
    /// `"keys": []`: a reading always has the holder's four keys.
    #[error("its key list is empty")]
    NoKeys,
    /// The same key id in two rows.
    #[error("the key {0} is given twice")]
    KeyTwice(String),
    /// A `remaining` count of 0 (that is `locked`) or above 15 (what `63 Cx`
    /// can say).
    #[error("the key {key} has \"remaining\": {remaining} (a count is 1 to 15; 0 tries left is \"locked\")")]
    ImpossibleCount {
        /// The key.
        key: String,
        /// The count given.
        remaining: u64,
    },
}

impl FromProblem {
    /// The problem in Japanese.
    fn ja(&self) -> String {
        match self {
            FromProblem::NoKeys => "暗証番号の一覧（keys）が空です".into(),
            FromProblem::KeyTwice(k) => format!("{k} が2回あります"),
            FromProblem::ImpossibleCount { key, remaining } => format!(
                "{key} の \"remaining\" が {remaining} です（残り回数は1〜15。0回はロック \"locked\" と書かれます）"
            ),
        }
    }
}

impl Failure for AdviseError {
    /// A stable snake_case code for JSON (docs/json.md, error codes).
    fn code(&self) -> &'static str {
        match self {
            AdviseError::KnowsAndForgot(_) | AdviseError::GivenTwice(_) => "contradiction",
            AdviseError::FromRead { .. } => "from_unreadable",
            AdviseError::FromNotJson { .. }
            | AdviseError::FromNotAReading { .. }
            | AdviseError::FromImpossible { .. } => "from_not_a_reading",
            AdviseError::Output(_) => "output",
        }
    }

    /// The exit code: what the person typed is wrong (2), except output
    /// failures (1).
    fn exit(&self) -> Exit {
        match self {
            AdviseError::Output(_) => Exit::Failure,
            _ => Exit::Usage,
        }
    }

    /// What happened and what to do next, in `lang`.
    fn describe(&self, lang: Lang) -> (String, String) {
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
                    Lang::Ja => format!(
                        "{} を読み込めません（{}）。",
                        path.display(),
                        crate::input::io_reason_ja(source)
                    ),
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
            AdviseError::FromImpossible { path, problem } => (
                match lang {
                    Lang::Ja => format!(
                        "{} は jpki-status の読み取り結果ではありえません: {}。",
                        path.display(),
                        problem.ja()
                    ),
                    Lang::En => format!(
                        "{} cannot be a jpki-status reading: {problem}.",
                        path.display()
                    ),
                },
                lang.pick(
                    "カードを読み直して保存し直すか（jpki-status --json > reading.json）、手で直した箇所を元に戻してください。",
                    "Read the card again and save it again (jpki-status --json > reading.json), or undo the hand edit.",
                )
                .into(),
            ),
            AdviseError::Output(e) => crate::present::report_text::describe_output_error(e, lang),
        }
    }
}
