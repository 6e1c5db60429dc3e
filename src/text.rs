//! Human output for a reading: the PIN table, the card line, and every error
//! a person can meet with what to do next, in Japanese or English.
//!
//! Owns: wording. Labels are separate from the stable JSON names (`auth`,
//! `locked`, ...). Must not: decide anything (states come from `report`,
//! advice from `advice`).

use crate::card::{CardKind, KeyId};
use crate::lang::Lang;
use crate::report::{CardReport, CertificateStatus, KeyReport, KeyState, SignatureCertificate};
use crate::transport::TransportError;
use std::fmt::Write as _;

/// What the holder calls each key.
pub fn key_label(id: KeyId, lang: Lang) -> &'static str {
    match (id, lang) {
        (KeyId::Auth, Lang::Ja) => "利用者証明用電子証明書の暗証番号（数字4桁）",
        (KeyId::Auth, Lang::En) => "User authentication PIN (利用者証明用, 4 digits)",
        (KeyId::Sign, Lang::Ja) => "署名用電子証明書の暗証番号（英大文字と数字 6〜16桁）",
        (KeyId::Sign, Lang::En) => "Signature password (署名用, 6-16 letters A-Z and digits)",
        (KeyId::Kenhojo, Lang::Ja) => "券面事項入力補助用暗証番号（数字4桁）",
        (KeyId::Kenhojo, Lang::En) => "Card-info input-support PIN (券面事項入力補助用, 4 digits)",
        (KeyId::Juki, Lang::Ja) => "住民基本台帳用暗証番号（数字4桁）",
        (KeyId::Juki, Lang::En) => "Basic Resident Register PIN (住民基本台帳用, 4 digits)",
        (KeyId::KenhojoA, Lang::Ja) => "［診断］照合番号A（券面事項入力補助AP）",
        (KeyId::KenhojoA, Lang::En) => "[diagnostic] check code A (input-support applet)",
        (KeyId::KenhojoB, Lang::Ja) => "［診断］照合番号B（券面事項入力補助AP）",
        (KeyId::KenhojoB, Lang::En) => "[diagnostic] check code B (input-support applet)",
        (KeyId::KenmenA, Lang::Ja) => "［診断］照合番号A（券面事項確認AP）",
        (KeyId::KenmenA, Lang::En) => "[diagnostic] check code A (card-face applet)",
        (KeyId::KenmenB, Lang::Ja) => "［診断］照合番号B（券面事項確認AP）",
        (KeyId::KenmenB, Lang::En) => "[diagnostic] check code B (card-face applet)",
    }
}

/// The card kind in words.
pub fn kind_label(kind: CardKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (CardKind::MyNumberCard, Lang::Ja) => "マイナンバーカード",
        (CardKind::MyNumberCard, Lang::En) => "My Number Card",
        (CardKind::JukiCard, Lang::Ja) => "住民基本台帳カード（旧 住基カード）",
        (CardKind::JukiCard, Lang::En) => "old Basic Resident Register card (住基カード)",
        (CardKind::PhoneJpki, Lang::Ja) => "スマートフォンの電子証明書（スマホ用電子証明書）",
        (CardKind::PhoneJpki, Lang::En) => "smartphone electronic certificate (スマホ用電子証明書)",
        (CardKind::Unknown, Lang::Ja) => "マイナンバーカードではないカード（または未知の種類）",
        (CardKind::Unknown, Lang::En) => "not a My Number Card (or an unknown kind)",
    }
}

/// The status column of one row: a fraction, tries as dots, and a word.
fn row_status(k: &KeyReport, lang: Lang) -> (String, String, String) {
    match k.state {
        KeyState::Remaining => {
            let n = k.remaining.unwrap_or(0);
            match k.max {
                Some(max) => {
                    let used = max.saturating_sub(n);
                    let dots = "●".repeat(usize::from(n.min(15))) + &"○".repeat(usize::from(used));
                    let note = if k.above_max {
                        lang.pick(
                            "最大回数より多い値をカードが返しました",
                            "more than the documented maximum",
                        )
                    } else if n == 1 {
                        lang.pick("あと1回の誤りでロック", "one more mistake locks it")
                    } else if n < max {
                        lang.pick(
                            "誤りあり（正しく入力すると最大に戻ります）",
                            "mistakes made (a correct entry restores the maximum)",
                        )
                    } else {
                        ""
                    };
                    (format!("{n}/{max}"), dots, note.to_string())
                }
                None => (format!("{n}"), String::new(), String::new()),
            }
        }
        KeyState::Locked => {
            let max = k
                .max
                .map(|m| format!("0/{m}"))
                .unwrap_or_else(|| "0".into());
            let dots = "✕".repeat(usize::from(k.max.unwrap_or(1)));
            (max, dots, lang.pick("ロック中", "LOCKED").to_string())
        }
        KeyState::Verified => (
            "-".into(),
            String::new(),
            lang.pick(
                "認証済み（回数は表示されません）",
                "verified in this session (count not reported)",
            )
            .to_string(),
        ),
        KeyState::Absent => (
            "-".into(),
            String::new(),
            lang.pick("このカードにはありません", "not on this card")
                .to_string(),
        ),
        KeyState::Unexpected => (
            "?".into(),
            String::new(),
            format!(
                "{} {}",
                lang.pick("想定外の応答", "unexpected answer"),
                k.sw.map(|s| s.to_string()).unwrap_or_default()
            ),
        ),
    }
}

/// The whole reading for a terminal or a log.
pub fn render_report(report: &CardReport, lang: Lang) -> String {
    let mut out = String::new();
    let c = &report.card;
    let _ = writeln!(out, "{}", kind_label(c.kind, lang));
    if let Some(reader) = &report.reader {
        let _ = writeln!(out, "  {}: {reader}", lang.pick("リーダー", "Reader"));
    }
    match (
        c.certificate_status,
        &c.certificate_expiry,
        c.certificate_days_left,
    ) {
        (CertificateStatus::Expired, Some(d), _) => {
            let _ = writeln!(
                out,
                "  {}: {d}  {}",
                lang.pick("電子証明書の有効期限", "Certificates expire"),
                lang.pick("（期限切れ）", "(EXPIRED)")
            );
        }
        (_, Some(d), Some(days)) => {
            let _ = writeln!(
                out,
                "  {}: {d}  ({} {days} {})",
                lang.pick("電子証明書の有効期限", "Certificates expire"),
                lang.pick("あと", "in"),
                lang.pick("日", "days")
            );
        }
        _ => {
            if c.kind != CardKind::Unknown {
                let _ = writeln!(
                    out,
                    "  {}",
                    lang.pick(
                        "電子証明書の有効期限: 読み取れませんでした",
                        "Certificate expiry: could not be read"
                    )
                );
            }
        }
    }
    match c.signature_certificate {
        SignatureCertificate::Present => {}
        SignatureCertificate::Absent => {
            let _ = writeln!(
                out,
                "  {}",
                lang.pick(
                    "署名用電子証明書: 発行されていません（15歳未満などは通常なし）",
                    "Signature certificate: not issued (usual under 15)"
                )
            );
        }
        SignatureCertificate::Unknown => {}
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<6} {:<6} {}",
        lang.pick("残り", "Left"),
        "",
        lang.pick("暗証番号", "PIN")
    );
    for k in &report.keys {
        let (frac, dots, note) = row_status(k, lang);
        let mut line = format!("  {frac:<6} {dots:<6} {}", key_label(k.id, lang));
        if !note.is_empty() {
            let _ = write!(line, "  … {note}");
        }
        let _ = writeln!(out, "{line}");
        if k.mismatch {
            let parts: Vec<String> = k
                .readings
                .iter()
                .map(|r| {
                    let v = match (r.state, r.remaining) {
                        (KeyState::Remaining, Some(n)) => n.to_string(),
                        (s, _) => format!("{s:?}").to_lowercase(),
                    };
                    format!("{}: {v}", r.applet)
                })
                .collect();
            let _ = writeln!(
                out,
                "         {} ({})",
                lang.pick(
                    "⚠ カード内の2か所の記録が一致しません。少ない方を表示しています",
                    "⚠ the card's two records of this PIN differ; the lower is shown"
                ),
                parts.join(", ")
            );
        }
    }
    out
}

/// What happened and what to do next, for an error a person can meet.
pub fn describe_transport_error(e: &TransportError, lang: Lang) -> (String, String) {
    let service_hint = if cfg!(target_os = "windows") {
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
    };
    let keep_still = |contactless: bool| {
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
    };
    let (what, next): (String, String) = match e {
        TransportError::NoService => (
            lang.pick("スマートカードのサービス (PC/SC) が動いていません。", "The smart-card service (PC/SC) is not running.").into(),
            service_hint.into(),
        ),
        TransportError::NoReader => (
            lang.pick("カードリーダーが見つかりません。", "No card reader found.").into(),
            lang.pick(
                "リーダーを接続して、もう一度実行してください。接続後に待つには --wait を付けます。",
                "Connect a reader and run again, or add --wait to wait for one.",
            )
            .into(),
        ),
        TransportError::UnknownReader(r) => (
            format!("{} {r}", lang.pick("リーダーが見つかりません:", "Reader not available:")),
            lang.pick(
                "jpki-status readers で名前を確認してください。",
                "List the readers with `jpki-status readers`.",
            )
            .into(),
        ),
        TransportError::NoCard(r) => (
            format!("{} {r}", lang.pick("カードが置かれていません:", "No card on reader")),
            lang.pick(
                "カードを置いてください。置かれるまで待つには --wait を付けます。",
                "Place the card on the reader, or add --wait to wait for it.",
            )
            .into(),
        ),
        TransportError::CardRemoved { contactless } => (
            lang.pick(
                "読み取りの途中でカードが離れました。途中までの結果は表示しません。",
                "The card left the reader during the reading. No partial result is shown.",
            )
            .into(),
            keep_still(*contactless).into(),
        ),
        TransportError::Communication { detail, contactless } => (
            format!("{} ({detail})", lang.pick("カードとの通信に失敗しました。途中までの結果は表示しません。", "Communication with the card failed. No partial result is shown.")),
            keep_still(*contactless).into(),
        ),
        TransportError::ShortResponse(_) => (
            lang.pick(
                "カードの応答が途切れました。途中までの結果は表示しません。",
                "The card's answer was cut off. No partial result is shown.",
            )
            .into(),
            keep_still(true).into(),
        ),
        TransportError::Busy => (
            lang.pick("別のプログラムがカードを使用中です。", "Another program is using the card.").into(),
            lang.pick(
                "e-Tax や JPKI利用者ソフトなど、カードを使うプログラムを閉じてから実行してください。",
                "Close programs that use the card (e-Tax, JPKI client software...) and run again.",
            )
            .into(),
        ),
        TransportError::InUse { waited_ms } => (
            match lang {
                Lang::Ja => format!("別のプログラムがカードを使用中です（{:.0} 秒待ちました）。", *waited_ms as f64 / 1000.0),
                Lang::En => format!("The card is in use by another program (waited {:.0} s).", *waited_ms as f64 / 1000.0),
            },
            lang.pick(
                "e-Tax や JPKI利用者ソフトなど、カードを使うプログラムを閉じてから実行してください（待つ時間は --in-use-wait 秒で変えられます）。開いているプログラムがなければ、カードをリーダーから外し、もう一度置いてください（前の読み取りでカードが応答しなくなっている場合）。",
                "Close programs that use the card (e-Tax, JPKI client software...) and run again (--in-use-wait SECS waits longer). If none is open, take the card off the reader and place it again (an earlier reading may have left it not answering).",
            )
            .into(),
        ),
        TransportError::NotAnswering { waited_ms, .. } => (
            match lang {
                Lang::Ja => format!("カードが応答しません（{:.1} 秒待ちました）。途中までの結果は表示しません。", *waited_ms as f64 / 1000.0),
                Lang::En => format!("The card is not answering (waited {:.1} s). No partial result is shown.", *waited_ms as f64 / 1000.0),
            },
            lang.pick(
                "カードをリーダーから外し、もう一度置いてください。",
                "Take the card off the reader and place it again.",
            )
            .into(),
        ),
        TransportError::Overlong { max } => (
            match lang {
                Lang::Ja => format!("カードの応答が長すぎます（{max} バイト超）。カードまたはリーダーの不調です。途中までの結果は表示しません。"),
                Lang::En => format!("The card answered with more than {max} bytes: a card or reader fault. No partial result is shown."),
            },
            lang.pick(
                "カードをリーダーから外し、もう一度置いてください。続く場合は別のリーダーで試してください。",
                "Take the card off the reader and place it again; if it persists, try another reader.",
            )
            .into(),
        ),
        TransportError::Unresponsive => (
            lang.pick("カードが応答しません。", "The card does not respond.").into(),
            lang.pick(
                "IC チップの向きを確認し、差し込み直してください。汚れていれば乾いた布で拭いてください。",
                "Check the chip faces the right way and re-insert it; wipe the contacts with a dry cloth.",
            )
            .into(),
        ),
        TransportError::Cancelled => (
            lang.pick("中止しました。", "Stopped.").into(),
            String::new(),
        ),
        TransportError::TranscriptMismatch(d) => (
            format!("transcript: {d}"),
            lang.pick("トランスクリプトと送信内容が一致しません。", "The transcript does not match what was sent.").into(),
        ),
        TransportError::Other { operation, detail } => (
            format!("{operation}: {detail}"),
            lang.pick(
                "もう一度実行してください。続く場合は -v を付けた出力を添えて報告してください。",
                "Run again; if it persists, report it with the output of -v.",
            )
            .into(),
        ),
    };
    (what, next)
}

#[cfg(test)]
mod tests {
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
