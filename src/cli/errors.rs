//! Every failure of a run as one [`RunError`], and the one place it becomes
//! output ([`report_error`], [`report_usage_error`]).
//!
//! Owns: each error's stable code, exit code, message and next step (ja/en).
//! Must not: print a reading; a new failure gets a variant here, never a
//! `writeln!` of its own elsewhere.

use super::output::write_json_error;
use super::{Io, SelectError};
use crate::advice::cli::AdviseError;
use crate::exit::Exit;
use crate::lang::Lang;
use crate::site::SiteError;
use crate::text;
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
    /// Standard output could not be written (not a closed pipe: that ends
    /// a run quietly).
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

/// A simulated card profile's failure in the output language (issue 18:
/// no English sentence under `--lang ja`; the file system's own English
/// detail is left out there).
fn profile_message(e: &crate::sim::ProfileError, lang: Lang) -> String {
    use crate::sim::ProfileError;
    match (e, lang) {
        (ProfileError::NotFound { name, .. }, Lang::Ja) => format!(
            "「{name}」という名前の組み込みの模擬カードはありません（同じ名前のファイルも読み取れませんでした）。組み込みの模擬カード: {}",
            crate::sim::profile::builtin_names().join("、")
        ),
        (ProfileError::Invalid { name, message }, Lang::Ja) => format!(
            "模擬カードのファイル {name} の書き方に誤りがあります（TOMLの解析: {message}）。"
        ),
        (_, Lang::En) => e.to_string(),
    }
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
            RunError::Transport(e) => transport_row(e, lang),
            RunError::Select(e) => select_row(e, lang),
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
            RunError::Profile(e) => row(
                "profile",
                Exit::Usage,
                (
                    profile_message(e, lang),
                    next(
                        "jpki-status profiles で一覧を表示できます。",
                        "See `jpki-status profiles` for the built-in cards.",
                    ),
                ),
            ),
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
            RunError::Advise(e) => row(e.code(), e.exit(), e.describe(lang)),
            RunError::Site(e) => row(
                "site_file",
                Exit::Usage,
                (site_message(e, lang), e.next_step(lang).into()),
            ),
            RunError::Slip(e) => row(
                e.code(),
                if e.is_usage() {
                    Exit::Usage
                } else {
                    Exit::Failure
                },
                e.describe(lang),
            ),
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
            RunError::Output(e) => row(
                "output",
                Exit::Failure,
                text::describe_output_error(e, lang),
            ),
        }
    }

    /// The exit code.
    pub fn exit(&self) -> Exit {
        self.row(Lang::En).exit
    }

    /// A stable snake_case code for JSON.
    pub fn code(&self) -> &'static str {
        self.row(Lang::En).code
    }

    /// What happened and what to do next, in `lang`.
    pub fn describe(&self, lang: Lang) -> (String, String) {
        let row = self.row(lang);
        (row.what, row.next)
    }
}

/// The table's rows for talking to the reader or card (the messages are
/// text.rs's, shared with watch mode).
fn transport_row(e: &TransportError, lang: Lang) -> ErrorRow {
    use TransportError as T;
    let (code, exit) = match e {
        T::NoService => ("no_service", Exit::NoCard),
        T::ServiceNotAnswering { .. } => ("service_not_answering", Exit::NoCard),
        T::NoReader => ("no_reader", Exit::NoCard),
        T::UnknownReader(_) => ("unknown_reader", Exit::NoCard),
        T::NoCard(_) => ("no_card", Exit::NoCard),
        T::CardRemoved { .. } => ("card_removed", Exit::Interrupted),
        T::Communication { .. } => ("communication", Exit::Interrupted),
        T::ShortResponse(_) => ("short_response", Exit::Interrupted),
        T::Busy => ("card_busy", Exit::NoCard),
        T::InUse { .. } => ("card_in_use", Exit::NoCard),
        T::NotAnswering { .. } => ("card_not_answering", Exit::Interrupted),
        T::Overlong { .. } => ("overlong_response", Exit::Interrupted),
        T::Unresponsive => ("card_unresponsive", Exit::NoCard),
        T::Cancelled => ("cancelled", Exit::Cancelled),
        T::Other { .. } => ("pcsc_error", Exit::Failure),
    };
    ErrorRow::new(code, exit, text::describe_transport_error(e, lang))
}

/// The table's rows for choosing a reader.
fn select_row(e: &SelectError, lang: Lang) -> ErrorRow {
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

/// The TOML parser's message in Japanese for the usual mistakes (an
/// unknown or missing key); any other is marked as the parser's own words
/// (issue 18: no bare English sentence in Japanese output).
fn toml_message_ja(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let (key, expected) = rest.split_once(", expected one of ").unwrap_or((rest, ""));
        return if expected.is_empty() {
            format!("{key} というキーは使えません")
        } else {
            format!("{key} というキーは使えません（使えるキー: {expected}）")
        };
    }
    if let Some(key) = message.strip_prefix("missing field ") {
        return format!("必要なキー {key} がありません");
    }
    format!("書き方の誤り（TOMLの解析: {message}）")
}

/// What is wrong with the site file, in `lang`.
fn site_message(e: &SiteError, lang: Lang) -> String {
    match (lang, e) {
        (
            Lang::Ja,
            SiteError::Read {
                path,
                source: crate::input::InputError::Io { source, .. },
            },
        ) => format!(
            "サイト設定ファイル {} を読み込めません（{}）。",
            path.display(),
            crate::input::io_reason_ja(source)
        ),
        (
            Lang::En,
            SiteError::Read {
                path,
                source: crate::input::InputError::Io { source, .. },
            },
        ) => format!("Cannot read the site file {} ({source}).", path.display()),
        (Lang::Ja, SiteError::Read { source, .. }) => {
            format!("サイト設定ファイル: {}", source.describe(lang).0)
        }
        (Lang::En, SiteError::Read { source, .. }) => {
            format!("Site file: {}", source.describe(lang).0)
        }
        (
            Lang::Ja,
            SiteError::Invalid {
                path,
                location,
                message,
            },
        ) => {
            let at = location
                .map(|(l, c)| format!("{l}行{c}文字目"))
                .unwrap_or_default();
            format!(
                "サイト設定ファイル {} の{at}に誤りがあります: {}",
                path.display(),
                toml_message_ja(message)
            )
        }
        (Lang::En, SiteError::Invalid { .. }) => format!("Error in the site file: {e}"),
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

/// `jpki-status: WHAT` and `  → NEXT STEP` on stderr.
pub(crate) fn write_text_error(e: &RunError, lang: Lang, io: &mut Io<'_>) {
    let (what, next) = e.describe(lang);
    let (what, next) = (crate::text::printable(&what), crate::text::printable(&next));
    let _ = writeln!(io.err, "jpki-status: {what}\n  → {next}");
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
