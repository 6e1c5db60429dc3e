//! Every failure of a run as one [`RunError`], and the one place it becomes
//! output ([`report_error`], [`report_usage_error`]).
//!
//! Owns: each error's stable code, exit code, message and next step (ja/en).
//! Must not: print a reading; a new failure gets a variant here, never a
//! `writeln!` of its own elsewhere.

use super::output::write_json_error;
use super::{Io, SelectError};
use crate::cli::advise::AdviseError;
use crate::site::SiteError;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::lang::Lang;
use crate::present::report_text as text;
use crate::transport::TransportError;

/// Every failure a person can meet, each mapped to a stable code, an exit
/// code, and what happened and what to do in the output language.
/// [`report_error`] is the one place where one becomes text (stderr) or a
/// JSON error document (stdout, under `--json`); a new failure gets a
/// variant here, never a `writeln!` of its own.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Talking to the reader or card failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// No reader could be chosen.
    #[error(transparent)]
    Select(#[from] SelectError),
    /// `--wait` ran out.
    #[error("gave up waiting after {0:.0} s")]
    WaitTimeout(f64),
    /// The simulated card profile is unusable.
    #[error(transparent)]
    Profile(#[from] crate::sim::ProfileError),
    /// The simulated card saw a forbidden command: a bug in this tool.
    #[error("SAFETY VIOLATION, please report this bug: {0}")]
    Violation(String),
    /// The facts given, or `advise --from`, cannot give advice.
    #[error(transparent)]
    Advise(#[from] AdviseError),
    /// The site file (`--site` or the default location) is unusable.
    #[error(transparent)]
    Site(#[from] SiteError),
    /// `--slip` names something that must not be replaced (a device, a
    /// FIFO, a symbolic link, a folder), a missing folder, or the slip
    /// could not be written; in watch mode, a slip folder that is not one.
    #[error(transparent)]
    Slip(#[from] crate::slip_file::SlipWriteError),
    /// The command line itself is wrong (clap's message, in English).
    #[error("{0}")]
    Usage(String),
    /// The desk page's server could not start.
    #[cfg(feature = "desk")]
    #[error(transparent)]
    Desk(#[from] crate::desk::DeskError),
    /// Standard output could not be written (not a closed pipe: that ends
    /// a run quietly).
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

/// One row of the error table: everything a failure shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// A stable snake_case code for JSON (docs/json.md).
    pub code: &'static str,
    /// The exit code (docs/exit-codes.md).
    pub exit: Exit,
    /// What happened, in the output language.
    pub what: String,
    /// What to do next, in the output language.
    pub next: String,
}

impl ErrorRow {
    /// Any failure's row.
    fn of(f: &dyn Failure, lang: Lang) -> ErrorRow {
        ErrorRow::new(f.code(), f.exit(), f.describe(lang))
    }

    fn new(code: &'static str, exit: Exit, (what, next): (String, String)) -> ErrorRow {
        ErrorRow {
            code,
            exit,
            what,
            next,
        }
    }
}

impl RunError {
    /// The error table: for each failure its code, exit code, message and
    /// next step, in one place (a new variant gets one arm here).
    pub fn row(&self, lang: Lang) -> ErrorRow {
        let row = ErrorRow::new;
        let next = |ja: &str, en: &str| lang.pick(ja, en).to_string();
        match self {
            RunError::Transport(e) => ErrorRow::of(e, lang),
            RunError::Select(e) => ErrorRow::of(e, lang),
            RunError::WaitTimeout(s) => row(
                "wait_timeout",
                Exit::NoCard,
                (
                    match lang {
                        Lang::Ja => format!("{s:.0} 秒待ちましたがカードが置かれませんでした。"),
                        Lang::En => format!("No card appeared within {s:.0} s."),
                    },
                    next(
                        "カードを置いてから、もう一度実行してください。",
                        "Place the card and run again.",
                    ),
                ),
            ),
            RunError::Profile(e) => ErrorRow::of(e, lang),
            RunError::Violation(v) => row(
                "safety_violation",
                Exit::Failure,
                (
                    v.clone(),
                    next(
                        "-v の出力を添えて不具合として報告してください。",
                        "Report this as a bug, with the output of -v.",
                    ),
                ),
            ),
            RunError::Advise(e) => ErrorRow::of(e, lang),
            RunError::Site(e) => ErrorRow::of(e, lang),
            RunError::Slip(e) => ErrorRow::of(e, lang),
            RunError::Usage(message) => row(
                "usage",
                Exit::Usage,
                (
                    message.clone(),
                    next(
                        "使い方は jpki-status --help で確認できます。",
                        "See jpki-status --help for the options.",
                    ),
                ),
            ),
            #[cfg(feature = "desk")]
            RunError::Desk(e) => ErrorRow::of(e, lang),
            RunError::Output(e) => row(
                "output",
                Exit::Failure,
                text::describe_output_error(e, lang),
            ),
        }
    }

}

impl Failure for RunError {
    fn exit(&self) -> Exit {
        self.row(Lang::En).exit
    }

    fn code(&self) -> &'static str {
        self.row(Lang::En).code
    }

    fn describe(&self, lang: Lang) -> (String, String) {
        let row = self.row(lang);
        (row.what, row.next)
    }
}

/// The table's rows for choosing a reader.
impl Failure for SelectError {
    fn code(&self) -> &'static str {
        self.row(Lang::En).code
    }
    fn exit(&self) -> Exit {
        self.row(Lang::En).exit
    }
    fn describe(&self, lang: Lang) -> (String, String) {
        let row = self.row(lang);
        (row.what, row.next)
    }
}

impl SelectError {
    fn row(&self, lang: Lang) -> ErrorRow {
    let e = self;
    let next = |ja: &str, en: &str| lang.pick(ja, en).to_string();
    let list_readers = || {
        next(
            "jpki-status readers でリーダー名を確認してください。",
            "List the readers with `jpki-status readers`.",
        )
    };
    match e {
        SelectError::NoReaders => ErrorRow::new(
            "no_reader",
            Exit::NoCard,
            text::describe_transport_error(&TransportError::NoReader, lang),
        ),
        SelectError::NoMatch { wanted, candidates } => ErrorRow::new(
            "unknown_reader",
            Exit::Usage,
            (
                match lang {
                    Lang::Ja => format!(
                        "「{wanted}」に当てはまるリーダーがありません。リーダー: {}",
                        candidates.join("、")
                    ),
                    Lang::En => e.to_string(),
                },
                list_readers(),
            ),
        ),
        SelectError::Ambiguous { wanted, candidates } => ErrorRow::new(
            "ambiguous_reader",
            Exit::Usage,
            (
                match lang {
                    Lang::Ja => format!(
                        "「{wanted}」に当てはまるリーダーが複数あります: {}。名前をもっと詳しく指定してください",
                        candidates.join("、")
                    ),
                    Lang::En => e.to_string(),
                },
                list_readers(),
            ),
        ),
        SelectError::NoCard { readers } => ErrorRow::new(
            "no_card",
            Exit::NoCard,
            (
                match (lang, readers.is_empty()) {
                    (Lang::Ja, true) => "どのリーダーにもカードが置かれていません。".to_string(),
                    (Lang::Ja, false) => format!("カードが置かれていません（{}）。", readers.join("、")),
                    (Lang::En, true) => "No card on any reader.".to_string(),
                    (Lang::En, false) => format!("No card on {}.", readers.join(", ")),
                },
                next(
                    "カードをリーダーに置いてください。置かれるまで待つには --wait を付けます。",
                    "Place the card on the reader, or add --wait to wait for it.",
                ),
            ),
        ),
        SelectError::SeveralCards { readers } => ErrorRow::new(
            "several_cards",
            Exit::NoCard,
            (
                match lang {
                    Lang::Ja => format!("複数のリーダーにカードがあります: {}", readers.join("、")),
                    Lang::En => format!("Cards are on several readers: {}.", readers.join(", ")),
                },
                next(
                    "読み取るリーダーを --reader 名前 で指定するか、カードを1枚だけにしてください。",
                    "Name the reader with --reader NAME, or leave only one card on the readers.",
                ),
            ),
        ),
    }
}
}

/// The one place a failure becomes output: with `--json` an error document
/// on stdout (docs/json.md, docs/schema/error.schema.json), and always
/// `jpki-status: WHAT` and `  → NEXT STEP` on stderr, in `lang`. Returns
/// the exit code.
pub fn report_error(e: &RunError, json: bool, lang: Lang, io: &mut Io<'_>) -> Exit {
    if json {
        write_json_error(e, lang, io);
    }
    write_text_error(e, lang, io);
    e.exit()
}

/// `jpki-status: WHAT` and `  → NEXT STEP` on stderr: the one terminal
/// writer of a [`Failure`] (watch mode's too).
pub(crate) fn write_text_error(e: &dyn Failure, lang: Lang, io: &mut Io<'_>) {
    write_failure(e, lang, io.err);
}

/// [`write_text_error`] on any writer (watch mode's stderr).
pub(crate) fn write_failure(e: &dyn Failure, lang: Lang, err: &mut dyn std::io::Write) {
    let (what, next) = e.describe(lang);
    let (what, next) = (crate::present::report_text::printable(&what), crate::present::report_text::printable(&next));
    let _ = writeln!(err, "jpki-status: {what}\n  → {next}");
}

/// A command line clap refused (or `--help`/`--version`, which clap also
/// reports as an "error"): the error on stderr in `lang` (clap's own text in
/// English, `help_ja::error_ja` in Japanese; it names the option), plus, when `--json` is among the arguments, the JSON
/// error document (`code: usage`) on stdout, so a program never reads an
/// empty stdout. Returns the exit code (0 for help and version, else 2).
pub fn report_usage_error(
    e: clap::Error,
    lang: Lang,
    args: &[std::ffi::OsString],
    io: &mut Io<'_>,
) -> Exit {
    if !e.use_stderr() {
        let _ = write!(io.out, "{}", e.render());
        return Exit::Healthy;
    }
    // In Japanese, clap's error kinds in our own words (crate::help).
    let rendered = match lang {
        Lang::Ja => super::help_ja::error_ja(&e),
        Lang::En => e.render().to_string(),
    };
    let json = args.iter().any(|a| a == "--json");
    if json {
        // The first paragraph without its "error: " tag and usage line.
        let message = rendered
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .trim_start_matches("jpki-status: エラー: ")
            .lines()
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ");
        write_json_error(&RunError::Usage(message), lang, io);
    }
    let _ = write!(io.err, "{rendered}");
    Exit::Usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_errors_name_the_readers_in_both_languages() {
        let no_card = RunError::Select(SelectError::NoCard {
            readers: vec!["A".into(), "B".into()],
        });
        assert_eq!(
            no_card.describe(Lang::Ja).0,
            "カードが置かれていません（A、B）。"
        );
        assert_eq!(no_card.describe(Lang::En).0, "No card on A, B.");
        let none = RunError::Select(SelectError::NoCard { readers: vec![] });
        assert_eq!(
            none.describe(Lang::Ja).0,
            "どのリーダーにもカードが置かれていません。"
        );
        let several = RunError::Select(SelectError::SeveralCards {
            readers: vec!["A".into(), "B".into()],
        });
        assert_eq!(
            several.describe(Lang::Ja).0,
            "複数のリーダーにカードがあります: A、B"
        );
        assert!(several.describe(Lang::En).1.contains("--reader"));
    }
}
