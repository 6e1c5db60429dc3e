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

impl RunError {
    /// The exit code.
    pub fn exit(&self) -> Exit {
        match self {
            RunError::Transport(e) if e.is_interruption() => Exit::Interrupted,
            RunError::Transport(TransportError::Cancelled) => Exit::Cancelled,
            RunError::Transport(
                TransportError::Other { .. } | TransportError::TranscriptMismatch(_),
            ) => Exit::Failure,
            RunError::Transport(_) => Exit::NoCard,
            RunError::Select(SelectError::NoMatch { .. } | SelectError::Ambiguous { .. }) => {
                Exit::Usage
            }
            RunError::Select(_) | RunError::WaitTimeout(_) => Exit::NoCard,
            RunError::Profile(_) => Exit::Usage,
            RunError::Violation(_) => Exit::Failure,
            RunError::Advise(e) => e.exit(),
            RunError::Site(_) | RunError::Usage(_) => Exit::Usage,
            RunError::Slip(e) if e.is_usage() => Exit::Usage,
            RunError::Slip(_) | RunError::Output(_) => Exit::Failure,
        }
    }

    /// A stable snake_case code for JSON.
    pub fn code(&self) -> &'static str {
        match self {
            RunError::Transport(e) => match e {
                TransportError::NoService => "no_service",
                TransportError::NoReader => "no_reader",
                TransportError::UnknownReader(_) => "unknown_reader",
                TransportError::NoCard(_) => "no_card",
                TransportError::CardRemoved { .. } => "card_removed",
                TransportError::Communication { .. } => "communication",
                TransportError::ShortResponse(_) => "short_response",
                TransportError::Busy => "card_busy",
                TransportError::InUse { .. } => "card_in_use",
                TransportError::NotAnswering { .. } => "card_not_answering",
                TransportError::Overlong { .. } => "overlong_response",
                TransportError::Unresponsive => "card_unresponsive",
                TransportError::TranscriptMismatch(_) => "transcript_mismatch",
                TransportError::Cancelled => "cancelled",
                TransportError::Other { .. } => "pcsc_error",
            },
            RunError::Select(e) => match e {
                SelectError::NoReaders => "no_reader",
                SelectError::NoMatch { .. } => "unknown_reader",
                SelectError::Ambiguous { .. } => "ambiguous_reader",
                SelectError::NoCard { .. } => "no_card",
                SelectError::SeveralCards { .. } => "several_cards",
            },
            RunError::WaitTimeout(_) => "wait_timeout",
            RunError::Profile(_) => "profile",
            RunError::Violation(_) => "safety_violation",
            RunError::Advise(e) => e.code(),
            RunError::Site(_) => "site_file",
            RunError::Slip(e) => e.code(),
            RunError::Usage(_) => "usage",
            RunError::Output(_) => "output",
        }
    }

    /// What happened and what to do next, in `lang`.
    pub fn describe(&self, lang: Lang) -> (String, String) {
        match self {
            RunError::Transport(e) => text::describe_transport_error(e, lang),
            RunError::Select(SelectError::NoReaders) => text::describe_transport_error(&TransportError::NoReader, lang),
            RunError::Select(SelectError::NoCard { readers }) => (
                match (lang, readers.is_empty()) {
                    (Lang::Ja, true) => "どのリーダーにもカードが置かれていません。".to_string(),
                    (Lang::Ja, false) => format!("カードが置かれていません（{}）。", readers.join("、")),
                    (Lang::En, true) => "No card on any reader.".to_string(),
                    (Lang::En, false) => format!("No card on {}.", readers.join(", ")),
                },
                lang.pick(
                    "カードをリーダーに置いてください。置かれるまで待つには --wait を付けます。",
                    "Place the card on the reader, or add --wait to wait for it.",
                )
                .into(),
            ),
            RunError::Select(SelectError::SeveralCards { readers }) => (
                match lang {
                    Lang::Ja => format!("複数のリーダーにカードがあります: {}", readers.join("、")),
                    Lang::En => format!("Cards are on several readers: {}.", readers.join(", ")),
                },
                lang.pick(
                    "読み取るリーダーを --reader 名前 で指定するか、カードを1枚だけにしてください。",
                    "Name the reader with --reader NAME, or leave only one card on the readers.",
                )
                .into(),
            ),
            RunError::Select(e) => (
                e.to_string(),
                lang.pick("jpki-status readers でリーダー名を確認してください。", "List the readers with `jpki-status readers`.").into(),
            ),
            RunError::WaitTimeout(s) => (
                match lang {
                    Lang::Ja => format!("{s:.0} 秒待ちましたがカードが置かれませんでした。"),
                    Lang::En => format!("No card appeared within {s:.0} s."),
                },
                lang.pick("カードを置いてから、もう一度実行してください。", "Place the card and run again.").into(),
            ),
            RunError::Profile(e) => (
                e.to_string(),
                lang.pick("jpki-status profiles で一覧を表示できます。", "See `jpki-status profiles` for the built-in cards.").into(),
            ),
            RunError::Violation(v) => (
                v.clone(),
                lang.pick("-v の出力を添えて不具合として報告してください。", "Report this as a bug, with the output of -v.").into(),
            ),
            RunError::Advise(e) => e.describe(lang),
            RunError::Output(e) => describe_output_error(e, lang),
            RunError::Site(e) => (
                match (lang, e) {
                    (
                        Lang::Ja,
                        SiteError::Read {
                            path,
                            source: crate::input::InputError::Io { source, .. },
                        },
                    ) => format!(
                        "サイト設定ファイル {} を読み込めません（{source}）。",
                        path.display()
                    ),
                    (
                        Lang::En,
                        SiteError::Read {
                            path,
                            source: crate::input::InputError::Io { source, .. },
                        },
                    ) => {
                        format!("Cannot read the site file {} ({source}).", path.display())
                    }
                    (Lang::Ja, SiteError::Read { source, .. }) => {
                        format!("サイト設定ファイル: {}", source.describe(lang).0)
                    }
                    (Lang::En, SiteError::Read { source, .. }) => {
                        format!("Site file: {}", source.describe(lang).0)
                    }
                    (Lang::Ja, SiteError::Invalid { .. }) => {
                        format!("サイト設定ファイルに誤りがあります: {e}")
                    }
                    (Lang::En, SiteError::Invalid { .. }) => {
                        format!("Error in the site file: {e}")
                    }
                },
                e.next_step(lang).into(),
            ),
            RunError::Slip(e) => e.describe(lang),
            RunError::Usage(message) => (
                message.clone(),
                lang.pick(
                    "使い方は jpki-status --help で確認できます。",
                    "See jpki-status --help for the options.",
                )
                .into(),
            ),
        }
    }
}

/// What happened and what to do when standard output cannot be written
/// (a full disk, a closed file; a closed pipe is not reported).
pub(crate) fn describe_output_error(e: &std::io::Error, lang: Lang) -> (String, String) {
    (
        match lang {
            Lang::Ja => format!("出力を書き込めません（{e}）。"),
            Lang::En => format!("Cannot write the output ({e})."),
        },
        lang.pick(
            "出力先（リダイレクト先のファイルやディスクの空き）を確認してください。",
            "Check where the output goes (the redirected file, free disk space).",
        )
        .into(),
    )
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
    let _ = writeln!(io.err, "jpki-status: {what}\n  → {next}");
}

/// A command line clap refused (or `--help`/`--version`, which clap also
/// reports as an "error"): the error on stderr in `lang` (clap's own text in
/// English, `help::error_ja` in Japanese; it names the option), plus, when `--json` is among the arguments, the JSON
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
        Lang::Ja => crate::help::error_ja(&e),
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
