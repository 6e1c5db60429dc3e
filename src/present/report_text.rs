//! Human output for a reading: the PIN table, the card line, and every error
//! a person can meet with what to do next, in Japanese or English.
//!
//! Owns: wording. Labels are separate from the stable JSON names (`auth`,
//! `locked`, ...). Must not: decide anything (states come from `report`,
//! advice from `advice`).

use crate::advice::vocab;
use crate::card::CardKind;
use crate::lang::Lang;
use crate::report::{
    CardReport, CertificateStatus, GapRead, KeyReport, KeyStatus, SignatureCertificate,
};
use crate::transport::TransportError;
use std::fmt::Write as _;

/// How a table row stands out on a terminal.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Emphasis {
    /// Nothing special.
    Plain,
    /// One try left, or tries spent: yellow.
    Warn,
    /// Locked: red.
    Locked,
}

/// One row of the PIN table, ready to lay out.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TableRow {
    /// `2/3`, `0/3`, `-`, `?`.
    pub frac: String,
    /// Tries as dots: ● left, ○ used, ✕ locked.
    pub dots: String,
    /// The PIN's name with its format.
    pub label: String,
    /// A short note (「ロック中」, 「あと1回の誤りでロックされます」).
    pub note: String,
    /// How it stands out.
    pub emphasis: Emphasis,
}

/// The rows of a reading. On a card without a 署名用 certificate the
/// password's row says so instead of its tries (issue 18: its counter
/// means nothing there, and "5/5" read as usable).
pub fn rows_from_report(report: &CardReport, lang: Lang) -> Vec<TableRow> {
    let no_sign = report.card.signature_certificate == SignatureCertificate::Absent;
    report
        .keys
        .iter()
        .map(|k| {
            if no_sign && k.id == crate::card::KeyId::Sign {
                TableRow {
                    frac: "-".to_string(),
                    dots: String::new(),
                    label: vocab::pin_name_with_format(k.id, lang),
                    note: lang
                        .pick(
                            "署名用電子証明書がないため使いません",
                            "not used: no signature certificate on the card",
                        )
                        .to_string(),
                    emphasis: Emphasis::Plain,
                }
            } else {
                row_from_report(k, lang)
            }
        })
        .collect()
}

/// The row of one reading.
pub fn row_from_report(k: &KeyReport, lang: Lang) -> TableRow {
    let mut emphasis = Emphasis::Plain;
    let (frac, dots, note) = match k.status {
        KeyStatus::Remaining { left: n } => match k.max {
            Some(max) => {
                let used = max.saturating_sub(n);
                let dots = "●".repeat(usize::from(n.min(15))) + &"○".repeat(usize::from(used));
                let note = if k.above_max {
                    lang.pick(
                        "上限を超える回数をカードが返しました",
                        "more than the documented maximum",
                    )
                } else if n == 1 {
                    emphasis = Emphasis::Warn;
                    lang.pick(
                        "あと1回の誤りでロックされます",
                        "1 try left: one more mistake locks it",
                    )
                } else if n < max {
                    emphasis = Emphasis::Warn;
                    lang.pick("入力の誤りがあります", "some tries used")
                } else {
                    ""
                };
                (format!("{n}/{max}"), dots, note.to_string())
            }
            None => (format!("{n}"), String::new(), String::new()),
        },
        KeyStatus::Locked => {
            emphasis = Emphasis::Locked;
            let max = k
                .max
                .map(|m| format!("0/{m}"))
                .unwrap_or_else(|| "0".into());
            let dots = "✕".repeat(usize::from(k.max.unwrap_or(1)));
            (max, dots, lang.pick("ロック中", "LOCKED").to_string())
        }
        KeyStatus::Verified => (
            "-".into(),
            String::new(),
            lang.pick(
                "照合済み（回数は表示されません）",
                "verified in this session (count not reported)",
            )
            .to_string(),
        ),
        KeyStatus::Absent => (
            "-".into(),
            String::new(),
            lang.pick("このカードにはありません", "not on this card")
                .to_string(),
        ),
        KeyStatus::Unexpected => (
            "?".into(),
            String::new(),
            format!(
                "{} {}",
                lang.pick("想定外の応答", "unexpected answer"),
                k.sw.map(|s| s.to_string()).unwrap_or_default()
            ),
        ),
    };
    TableRow {
        frac,
        dots,
        label: vocab::pin_name_with_format(k.id, lang),
        note,
        emphasis,
    }
}

/// Pads `s` with spaces to `width` terminal columns (East-Asian wide
/// characters count two).
pub fn pad(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// The PIN table: columns aligned by display width; with `color`, a locked
/// PIN in red and a last try in yellow.
pub fn render_table(rows: &[TableRow], color: bool) -> String {
    use unicode_width::UnicodeWidthStr as _;
    let fw = rows.iter().map(|r| r.frac.width()).max().unwrap_or(0);
    let dw = rows.iter().map(|r| r.dots.width()).max().unwrap_or(0);
    let lw = rows.iter().map(|r| r.label.width()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rows {
        let mut line = if fw > 0 {
            format!("  {} ", pad(&r.frac, fw))
        } else {
            "  ".to_string()
        };
        if dw > 0 {
            line.push_str(&pad(&r.dots, dw));
            line.push(' ');
        }
        if r.note.is_empty() {
            line.push_str(&r.label);
        } else {
            line.push_str(&pad(&r.label, lw));
            line.push_str("  ");
            line.push_str(&r.note);
        }
        let line = line.trim_end().to_string();
        let style = match (color, r.emphasis) {
            (false, _) | (true, Emphasis::Plain) => None,
            (true, Emphasis::Warn) => {
                Some(anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Yellow.into())))
            }
            (true, Emphasis::Locked) => Some(
                anstyle::Style::new()
                    .fg_color(Some(anstyle::AnsiColor::Red.into()))
                    .bold(),
            ),
        };
        match style {
            Some(st) => {
                let _ = writeln!(out, "{}{line}{}", st.render(), st.render_reset());
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// The card in one line: kind, certificate expiry, no 署名用 certificate.
pub fn card_header(report: &CardReport, lang: Lang) -> String {
    let c = &report.card;
    let mut parts: Vec<String> = Vec::new();
    match (c.certificate_status, &c.certificate_expiry) {
        (CertificateStatus::Expired, Some(d)) => parts.push(match lang {
            Lang::Ja => format!(
                "電子証明書は{}で期限切れ",
                crate::japan_time::long_date_text(d, lang)
            ),
            Lang::En => format!(
                "certificates EXPIRED on {}",
                crate::japan_time::long_date_text(d, lang)
            ),
        }),
        (_, Some(d)) => parts.push(format!(
            "{}{}",
            lang.pick("電子証明書の有効期限: ", "certificates valid until "),
            crate::japan_time::long_date_text(d, lang)
        )),
        _ => {}
    }
    if c.signature_certificate == SignatureCertificate::Absent {
        parts.push(
            lang.pick("署名用電子証明書なし", "no signature certificate")
                .to_string(),
        );
    }
    // A refused read is said with what was refused and its answer
    // (issue 19); what to do is the advice's `reading_gap` note.
    for g in &c.gaps {
        let what = match g.read {
            GapRead::JpkiApplet => lang.pick("JPKIのアプリ", "the JPKI applet"),
            GapRead::TokenLabel => lang.pick("カードの種類の情報", "what kind of card it is"),
            GapRead::CertificateAvailability => {
                lang.pick("電子証明書の有無", "which certificates it holds")
            }
            GapRead::Certificate => lang.pick("電子証明書の有効期限", "the certificate's expiry"),
        };
        parts.push(match (g.sw, lang) {
            (Some(sw), Lang::Ja) => format!("{what}を読めず: 応答 {sw}"),
            (Some(sw), Lang::En) => format!("{what} NOT READ: the card answered {sw}"),
            (None, Lang::Ja) => format!("{what}を読めず: 内容が読み取れない"),
            (None, Lang::En) => format!("{what} NOT READ: its content made no sense"),
        });
    }
    let identity_refused = c
        .gaps
        .iter()
        .any(|g| matches!(g.read, GapRead::JpkiApplet | GapRead::TokenLabel));
    let kind = if c.kind == CardKind::Unknown && identity_refused {
        lang.pick(
            "種類を確かめられなかったカード",
            "A card whose kind could not be read",
        )
    } else if c.kind == CardKind::Unknown && !report.is_foreign_card() {
        // It answered My Number Card applets but its token label is not a
        // known one: a next-generation card (about 2028) is one such
        // (real-card-evidence.md §1 finding 6).
        lang.pick(
            "このバージョンが知らない種類・世代のカード",
            "A card of a kind or generation this version does not know",
        )
    } else {
        vocab::card_kind_name(c.kind, lang)
    };
    match (parts.is_empty(), lang) {
        (true, _) => kind.to_string(),
        (false, Lang::Ja) => format!("{kind}（{}）", parts.join("、")),
        (false, Lang::En) => format!("{kind} ({})", parts.join(", ")),
    }
}

/// Notes under the table for rows whose two records differ.
pub fn mismatch_notes(report: &CardReport, lang: Lang) -> String {
    let mut out = String::new();
    for k in report.keys.iter().filter(|k| k.mismatch) {
        let parts: Vec<String> = k
            .readings
            .iter()
            .map(|r| {
                // Japanese text says it in Japanese (issue 18: no English
                // fragment); the JSON keeps the snake_case names.
                let v = match (r.status.left(), lang) {
                    (Some(n), _) => vocab::tries_left(n, lang),
                    (None, Lang::Ja) => "読み取れず".to_string(),
                    (None, Lang::En) => r.status.name().to_string(),
                };
                format!("{}: {v}", applet_label(r.applet, lang))
            })
            .collect();
        let (open, sep, close) = match lang {
            Lang::Ja => ("（", "、", "）"),
            Lang::En => (" (", ", ", ")"),
        };
        let _ = writeln!(
            out,
            "  ⚠ {}: {}{open}{}{close}",
            crate::lang::sentence_case(vocab::pin_name(k.id, lang)),
            lang.pick(
                "カード内の2か所の記録が一致しません。少ない方を表示しています",
                "the card's two records of this PIN differ; the lower count is shown"
            ),
            parts.join(sep)
        );
    }
    out
}

/// An applet's name for people.
fn applet_label(a: crate::card::Applet, lang: Lang) -> &'static str {
    use crate::card::Applet;
    match (a, lang) {
        (Applet::Jpki, Lang::Ja) => "公的個人認証アプリ",
        (Applet::Kenhojo, Lang::Ja) => "券面事項入力補助アプリ",
        (Applet::Juki, Lang::Ja) => "住基アプリ",
        (Applet::Common, Lang::Ja) => "共通アプリ",
        (Applet::Kenmen, Lang::Ja) => "券面事項確認アプリ",
        (Applet::Jpki, Lang::En) => "JPKI applet",
        (Applet::Kenhojo, Lang::En) => "input-support applet",
        (Applet::Juki, Lang::En) => "resident-register applet",
        (Applet::Common, Lang::En) => "common applet",
        (Applet::Kenmen, Lang::En) => "card-face applet",
    }
}

/// The whole reading for a log: the card line, the reader, the table.
pub fn render_report(report: &CardReport, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", card_header(report, lang));
    if let Some(reader) = &report.reader {
        let _ = writeln!(out, "  {}: {reader}", lang.pick("リーダー", "Reader"));
    }
    let rows = rows_from_report(report, lang);
    out.push_str(&render_table(&rows, false));
    out.push_str(&mismatch_notes(report, lang));
    out
}

/// A fixed message: what happened and what to do next, each as (ja, en).
struct Said {
    what: (&'static str, &'static str),
    next: (&'static str, &'static str),
}

impl Said {
    fn text(&self, lang: Lang) -> (String, String) {
        (
            lang.pick(self.what.0, self.what.1).into(),
            lang.pick(self.next.0, self.next.1).into(),
        )
    }
}

/// The transport errors whose words never change, one row each.
const NO_READER: Said = Said {
    what: ("カードリーダーが見つかりません。", "No card reader found."),
    next: (
        "リーダーを接続して、もう一度実行してください。接続後に待つには --wait を付けます。",
        "Connect a reader and run again, or add --wait to wait for one.",
    ),
};
const BUSY: Said = Said {
    what: (
        "別のプログラムがカードを使用中です。",
        "Another program is using the card.",
    ),
    next: (
        "e-Tax や JPKI利用者ソフトなど、カードを使うプログラムを閉じてから実行してください。",
        "Close programs that use the card (e-Tax, JPKI client software...) and run again.",
    ),
};
const UNRESPONSIVE: Said = Said {
    what: ("カードが応答しません。", "The card does not respond."),
    next: (
        "IC チップの向きを確認し、差し込み直してください。汚れていれば乾いた布で拭いてください。",
        "Check the chip faces the right way and re-insert it; wipe the contacts with a dry cloth.",
    ),
};
const IN_USE_NEXT: (&str, &str) = (
    "e-Tax や JPKI利用者ソフトなど、カードを使うプログラムを閉じてから実行してください（待つ時間は --in-use-wait 秒で変えられます）。開いているプログラムがなければ、カードをリーダーから外し、もう一度置いてください（前の読み取りでカードが応答しなくなっている場合）。",
    "Close programs that use the card (e-Tax, JPKI client software...) and run again (--in-use-wait SECS waits longer). If none is open, take the card off the reader and place it again (an earlier reading may have left it not answering).",
);
const PLACE_AGAIN: (&str, &str) = (
    "カードをリーダーから外し、もう一度置いてください。",
    "Take the card off the reader and place it again.",
);
const PLACE_AGAIN_OR_OTHER_READER: (&str, &str) = (
    "カードをリーダーから外し、もう一度置いてください。続く場合は別のリーダーで試してください。",
    "Take the card off the reader and place it again; if it persists, try another reader.",
);
const RUN_AGAIN_OR_REPORT: (&str, &str) = (
    "もう一度実行してください。続く場合は -v を付けた出力を添えて報告してください。",
    "Run again; if it persists, report it with the output of -v.",
);

/// `s` for a terminal: control characters (a reader's name is whatever its
/// USB device chose, ESC sequences included) written as `\x1B` / `\u{9B}`
/// instead of being sent to the terminal (issue 19). Everything else, CJK
/// included, as is. JSON output needs none of this (serde escapes them).
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match u32::from(c) {
            n if c.is_control() && n < 0x80 => {
                let _ = write!(out, "\\x{n:02X}");
            }
            n if c.is_control() => {
                let _ = write!(out, "\\u{{{n:X}}}");
            }
            _ => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What happened and what to do next, for an error a person can meet.
pub fn describe_transport_error(e: &TransportError, lang: Lang) -> (String, String) {
    let pick = |(ja, en): (&str, &str)| lang.pick(ja, en).to_string();
    match e {
        TransportError::NoService => (
            pick((
                "スマートカードのサービス（PC/SC）が動いていません。",
                "The smart-card service (PC/SC) is not running.",
            )),
            service_hint(lang).into(),
        ),
        TransportError::ServiceNotAnswering { waited_ms } => (
            match lang {
                Lang::Ja => format!(
                    "スマートカードのサービス (PC/SC) が {} 秒以内に応答しませんでした。カードは読んでいません。",
                    secs(*waited_ms)
                ),
                Lang::En => format!(
                    "The smart-card service (PC/SC) did not answer within {} s. The card was not read.",
                    secs(*waited_ms)
                ),
            },
            service_restart_hint(lang).into(),
        ),
        TransportError::NoReader => NO_READER.text(lang),
        TransportError::UnknownReader(r) => (
            format!(
                "{} {r}",
                lang.pick("リーダーが見つかりません:", "Reader not available:")
            ),
            pick((
                "jpki-status readers で名前を確認してください。",
                "List the readers with `jpki-status readers`.",
            )),
        ),
        TransportError::NoCard(r) => (
            format!(
                "{} {r}",
                lang.pick("カードが置かれていません:", "No card on reader")
            ),
            pick((
                "カードを置いてください。置かれるまで待つには --wait を付けます。",
                "Place the card on the reader, or add --wait to wait for it.",
            )),
        ),
        TransportError::CardRemoved { contactless } => (
            pick((
                "読み取りの途中でカードが離れました。途中までの結果は表示しません。",
                "The card left the reader during the reading. No partial result is shown.",
            )),
            keep_still(*contactless, lang).into(),
        ),
        TransportError::Communication {
            detail,
            contactless,
        } => (
            format!(
                "{} ({detail})",
                lang.pick(
                    "カードとの通信に失敗しました。途中までの結果は表示しません。",
                    "Communication with the card failed. No partial result is shown."
                )
            ),
            keep_still(*contactless, lang).into(),
        ),
        TransportError::ShortResponse(_) => (
            pick((
                "カードの応答が途切れました。途中までの結果は表示しません。",
                "The card's answer was cut off. No partial result is shown.",
            )),
            keep_still(true, lang).into(),
        ),
        TransportError::Busy => BUSY.text(lang),
        TransportError::InUse { waited_ms } => (in_use(*waited_ms, lang), pick(IN_USE_NEXT)),
        TransportError::NotAnswering { waited_ms, .. } => {
            (not_answering(*waited_ms, lang), pick(PLACE_AGAIN))
        }
        TransportError::Overlong { max } => {
            (overlong(*max, lang), pick(PLACE_AGAIN_OR_OTHER_READER))
        }
        TransportError::Unresponsive => UNRESPONSIVE.text(lang),
        TransportError::Cancelled => (pick(("中止しました。", "Stopped.")), String::new()),
        TransportError::Other { operation, detail } => {
            (format!("{operation}: {detail}"), pick(RUN_AGAIN_OR_REPORT))
        }
    }
}

/// How to start the smart-card service on this operating system.
fn service_hint(lang: Lang) -> &'static str {
    if cfg!(target_os = "windows") {
        lang.pick(
            "Windows の「Smart Card」サービスを開始してください（サービス管理ツールで「自動」に）。",
            "Start the Windows \"Smart Card\" service (set it to Automatic in Services).",
        )
    } else if cfg!(target_os = "macos") {
        lang.pick(
            "macOS ではリーダーを接続し直すとサービスが起動します。",
            "On macOS the service starts when a reader is plugged in; reconnect the reader.",
        )
    } else {
        lang.pick(
            "pcscd を起動してください（例: sudo systemctl start pcscd.socket）。",
            "Start pcscd (e.g. sudo systemctl start pcscd.socket).",
        )
    }
}

/// What to do when the smart-card service stopped answering.
fn service_restart_hint(lang: Lang) -> &'static str {
    if cfg!(target_os = "windows") {
        lang.pick(
            "Windows の「Smart Card」サービスを再起動してから、もう一度実行してください。",
            "Restart the Windows \"Smart Card\" service, then run again.",
        )
    } else if cfg!(target_os = "macos") {
        lang.pick(
            "リーダーを接続し直してから、もう一度実行してください。",
            "Reconnect the reader, then run again.",
        )
    } else {
        lang.pick(
            "pcscd を再起動してから、もう一度実行してください（例: sudo systemctl restart pcscd）。",
            "Restart pcscd, then run again (e.g. sudo systemctl restart pcscd).",
        )
    }
}

/// Seconds for a message: whole seconds, one decimal below 10 s.
fn secs(waited_ms: u64) -> String {
    if waited_ms.is_multiple_of(1000) || waited_ms >= 10_000 {
        format!("{}", (waited_ms + 500) / 1000)
    } else {
        format!("{:.1}", waited_ms as f64 / 1000.0)
    }
}

/// After the card left or the line dropped: keep it still (contactless) or
/// fully inserted (contact).
fn keep_still(contactless: bool, lang: Lang) -> &'static str {
    if contactless {
        lang.pick(
            "カードをリーダーの上に置いたまま動かさず、もう一度実行してください（NFC は少し動くだけで切れます）。",
            "Keep the card still on the reader and run again (NFC drops a card that moves even slightly).",
        )
    } else {
        lang.pick(
            "カードを奥まで差し込んだまま、もう一度実行してください。",
            "Insert the card fully, leave it in, and run again.",
        )
    }
}

/// Another program held the card for the whole in-use wait.
fn in_use(waited_ms: u64, lang: Lang) -> String {
    let secs = waited_ms as f64 / 1000.0;
    match lang {
        Lang::Ja => format!("別のプログラムがカードを使用中です（{secs:.0} 秒待ちました）。"),
        Lang::En => format!("The card is in use by another program (waited {secs:.0} s)."),
    }
}

/// The card stopped answering within the reading's bound.
fn not_answering(waited_ms: u64, lang: Lang) -> String {
    let secs = waited_ms as f64 / 1000.0;
    match lang {
        Lang::Ja => format!(
            "カードが応答しません（{secs:.1} 秒待ちました）。途中までの結果は表示しません。"
        ),
        Lang::En => {
            format!("The card is not answering (waited {secs:.1} s). No partial result is shown.")
        }
    }
}

/// The card answered with more bytes than any answer may have.
fn overlong(max: usize, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("カードの応答が長すぎます（{max} バイト超）。カードまたはリーダーの不調です。途中までの結果は表示しません。"),
        Lang::En => format!("The card answered with more than {max} bytes: a card or reader fault. No partial result is shown."),
    }
}

/// What happened and what to do when standard output cannot be written
/// (a full disk, a closed file; a closed pipe is not reported).
pub fn describe_output_error(e: &std::io::Error, lang: Lang) -> (String, String) {
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

/// Talking to the reader or card: each case's code and exit code
/// (docs/json.md, docs/exit-codes.md); the words are
/// [`describe_transport_error`]'s, shared with watch mode.
impl crate::failure::Failure for TransportError {
    fn code(&self) -> &'static str {
        code_and_exit(self).0
    }
    fn exit(&self) -> crate::exit::Exit {
        code_and_exit(self).1
    }
    fn describe(&self, lang: Lang) -> (String, String) {
        describe_transport_error(self, lang)
    }
}

/// The code and exit code of each transport failure, in one table.
fn code_and_exit(e: &TransportError) -> (&'static str, crate::exit::Exit) {
    {
        use crate::exit::Exit;
        use TransportError as T;
        match e {
            T::NoService => ("no_service", Exit::NoCard),
            T::ServiceNotAnswering { .. } => ("service_not_answering", Exit::NoCard),
            T::NoReader => ("no_reader", Exit::NoCard),
            // A reader that was there (chosen, listed, or named exactly)
            // could not be reached: not `unknown_reader`, which is a name
            // that matches no reader at all (exit 2, `SelectError`).
            T::UnknownReader(_) => ("reader_unavailable", Exit::NoCard),
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
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(printable("Reader 00 00"), "Reader 00 00");
        assert_eq!(printable("カード\u{1b}[31m 00"), "カード\\x1B[31m 00");
        assert_eq!(printable("a\u{9b}b\nc"), "a\\u{9B}b\\x0Ac");
    }

    use super::*;

    #[test]
    fn contactless_interruptions_say_keep_the_card_still() {
        let (_, next) =
            describe_transport_error(&TransportError::CardRemoved { contactless: true }, Lang::En);
        assert!(next.contains("Keep the card still"), "{next}");
        let (_, next) =
            describe_transport_error(&TransportError::CardRemoved { contactless: true }, Lang::Ja);
        assert!(next.contains("動かさず"), "{next}");
        let (_, next) = describe_transport_error(
            &TransportError::CardRemoved { contactless: false },
            Lang::En,
        );
        assert!(!next.contains("still"), "{next}");
    }
}
