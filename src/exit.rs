//! The process exit codes: one typed enum, documented in docs/exit-codes.md,
//! README and `--help`. Findings (codes 3-6) never share a code with failures
//! (1, 2, 7, 8), so a script can tell "the card needs attention" from "the
//! tool could not look".
//!
//! Owns: [`Exit`] and [`Exit::TABLE`] (name and one-line meaning of each
//! code, en/ja), and the `--help` footers generated from it. Must not:
//! decide which code a run ends with (src/cli/, the advice route).

use crate::lang::Lang;

/// Every exit code `jpki-status` uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
#[non_exhaustive]
pub enum Exit {
    /// The card was read (or the advice computed) and nothing needs doing.
    Healthy = 0,
    /// An unexpected failure (a bug, an I/O error writing output).
    Failure = 1,
    /// The command line was wrong (clap's convention).
    Usage = 2,
    /// Needs attention; what to do depends on something only the holder
    /// knows (advice route `conditional`), or a key answered oddly.
    AttentionConditional = 3,
    /// Needs attention; a self-service route is possible (kiosk reset with the
    /// 「JPKI暗証番号リセット」 app, or the Mynaportal app for phone JPKI).
    AttentionSelfService = 4,
    /// Needs attention; a visit to the municipal counter is needed (PIN reset,
    /// certificate or card renewal, reissue).
    AttentionCounter = 5,
    /// The card is not a My Number Card (no JPKI applet or unknown layout).
    NotMyNumberCard = 6,
    /// Nothing to read: no PC/SC service, no reader, no card, or the card
    /// is in use by another program. Fix the set-up and run again.
    NoCard = 7,
    /// The reading was interrupted (card removed or moved, communication
    /// failure). Nothing partial is reported. Run again, holding the card
    /// still.
    Interrupted = 8,
    /// Watch mode ended by Ctrl-C (128 + SIGINT, the shell convention).
    Cancelled = 130,
}

/// One row of the exit-code table: the code, its name in docs/exit-codes.md
/// and its one-line meaning for the `--help` footer, in English and
/// Japanese.
#[derive(Clone, Copy, Debug)]
pub struct ExitRow {
    /// The code.
    pub exit: Exit,
    /// Its name, as in docs/exit-codes.md (the variant's name).
    pub name: &'static str,
    /// Its meaning in one line, in English.
    pub en: &'static str,
    /// Its meaning in one line, in Japanese.
    pub ja: &'static str,
    /// Listed on the footer's last line, beside the other failures of the
    /// tool itself, rather than on a line of its own.
    pub minor: bool,
}

impl Exit {
    /// The numeric code.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Every code with its name and meaning, in the order of the `--help`
    /// footer. The one table: the binary's codes are the enum, the footers
    /// are generated from it ([`help_footer`]), and a test checks that
    /// docs/exit-codes.md lists exactly these codes.
    pub const TABLE: [ExitRow; 10] = [
        row(Exit::Healthy, "Healthy", "card read, nothing needs doing", "カードを読めた。何もする必要はない", false),
        row(Exit::AttentionConditional, "AttentionConditional", "needs attention; what to do depends on an answer only the holder knows", "対応が必要。本人にしか分からない答えによって手続きが変わる", false),
        row(Exit::AttentionSelfService, "AttentionSelfService", "needs attention; a self-service route is possible (kiosk reset, app)", "対応が必要。自分でできる手続きがある（コンビニでのリセット、アプリ）", false),
        row(Exit::AttentionCounter, "AttentionCounter", "needs attention; go to the municipal counter (reset, renewal, reissue)", "対応が必要。市区町村の窓口へ（リセット、更新、再交付）", false),
        row(Exit::NotMyNumberCard, "NotMyNumberCard", "not a My Number Card", "マイナンバーカードではない", false),
        row(Exit::NoCard, "NoCard", "nothing to read: no PC/SC service, no reader, no card, card in use", "読むものがない: PC/SCサービス・リーダー・カードがない、カードが使用中", false),
        row(Exit::Interrupted, "Interrupted", "reading interrupted (card moved or removed) or card not answering; nothing partial is shown", "読み取りが中断された（カードが動いた・外れた）。途中までの結果は出さない", false),
        row(Exit::Failure, "Failure", "unexpected failure", "想定外の失敗", true),
        row(Exit::Usage, "Usage", "usage error", "使い方の誤り", true),
        row(Exit::Cancelled, "Cancelled", "watch mode stopped by Ctrl-C", "常駐モードを Ctrl-C で終了", true),
    ];
}

const fn row(
    exit: Exit,
    name: &'static str,
    en: &'static str,
    ja: &'static str,
    minor: bool,
) -> ExitRow {
    ExitRow {
        exit,
        name,
        en,
        ja,
        minor,
    }
}

/// The `Exit codes:` footer of `--help`, generated from [`Exit::TABLE`]:
/// one line per code (English wrapped at 76 columns), then the tool's own
/// failures on one line, then the pointer to docs/exit-codes.md.
pub fn help_footer(lang: Lang) -> String {
    let mut text = String::from(lang.pick("終了コード:\n", "Exit codes:\n"));
    for r in Exit::TABLE.iter().filter(|r| !r.minor) {
        let line = format!("  {}  {}", r.exit.code(), lang.pick(r.ja, r.en));
        match lang {
            Lang::Ja => text.push_str(&line),
            // Only a line too long is given to textwrap (its Unicode line
            // breaking is most of the cost of parsing the command line, and
            // this footer is built on every run).
            Lang::En if unicode_width::UnicodeWidthStr::width(line.as_str()) <= 76 => {
                text.push_str(&line)
            }
            Lang::En => {
                let options = textwrap::Options::new(76).subsequent_indent("     ");
                text.push_str(&textwrap::wrap(&line, options).join("\n"));
            }
        }
        text.push('\n');
    }
    let minor: Vec<String> = Exit::TABLE
        .iter()
        .filter(|r| r.minor)
        .map(|r| format!("{}  {}", r.exit.code(), lang.pick(r.ja, r.en)))
        .collect();
    text.push_str(&format!("  {}\n", minor.join("     ")));
    text.push_str(lang.pick(
        "詳しくは docs/exit-codes.md をご覧ください。",
        "See docs/exit-codes.md.",
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The footer the goldens pin, generated from the table (the golden
    /// tests compare the whole `--help` page byte for byte).
    #[test]
    fn every_code_has_one_row_and_the_footer_lists_it() {
        for r in &Exit::TABLE {
            assert_eq!(Exit::TABLE.iter().filter(|o| o.exit == r.exit).count(), 1);
            assert_eq!(format!("{:?}", r.exit), r.name);
            for lang in [Lang::En, Lang::Ja] {
                assert!(help_footer(lang).contains(&format!("{}  ", r.exit.code())));
            }
        }
    }

    /// docs/exit-codes.md's table lists every code of the table, with its
    /// name, and no other.
    #[test]
    fn docs_exit_codes_lists_exactly_the_table() {
        let doc = include_str!("../docs/exit-codes.md");
        let mut listed: Vec<(u8, String)> = doc
            .lines()
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                let code = cells.get(1)?.parse::<u8>().ok()?;
                Some((code, cells.get(2)?.trim_matches('`').to_string()))
            })
            .collect();
        let mut table: Vec<(u8, String)> = Exit::TABLE
            .iter()
            .map(|r| (r.exit.code(), r.name.to_string()))
            .collect();
        listed.sort();
        table.sort();
        assert_eq!(listed, table);
    }
}
