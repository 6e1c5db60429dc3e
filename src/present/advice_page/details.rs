//! The details view: every statement with its rule id and source keys,
//! the open questions and exceptions, the assumptions and sources, so a
//! help desk can check any sentence against docs/decision-rules.md.

use super::*;

/// Everything, tagged with rule ids and sources: for a help desk that
/// checks a sentence against decision-rules.md.
pub fn details(a: &Advice, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", lang.pick("―― 詳細 ――", "-- Details --"));
    let _ = writeln!(out, "{}", tagged(&a.summary, lang));
    details_keys(&mut out, a, lang);
    details_questions(&mut out, a, lang);
    section(
        &mut out,
        lang,
        "持ち物・手順:",
        "What to bring and do:",
        &a.bring,
    );
    section(&mut out, lang, "店舗:", "Stores:", &a.stores);
    if let Some(t) = &a.time_window {
        section(
            &mut out,
            lang,
            "時間:",
            "Time:",
            std::slice::from_ref(&t.advice),
        );
    }
    section(&mut out, lang, "注意:", "Warnings:", &a.warnings);
    section(&mut out, lang, "補足:", "Notes:", &a.notes);
    section(&mut out, lang, "前提:", "Assumed:", &a.assumptions);
    details_sources(&mut out, a, lang);
    out
}

/// The details' per-PIN lines: input, reasons with rule and sources, route.
pub(super) fn details_keys(out: &mut String, a: &Advice, lang: Lang) {
    let _ = writeln!(out, "{}", lang.pick("暗証番号ごと:", "Per PIN:"));
    for k in &a.keys {
        let reason = k
            .reasons
            .iter()
            .map(|s| tagged(s, lang))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "  - [{}] {} → {}",
            input_label(&k.input, lang),
            reason,
            vocab::route_name(k.route, lang),
        );
    }
}

/// The details' open questions and exceptions, with their routes.
pub(super) fn details_questions(out: &mut String, a: &Advice, lang: Lang) {
    if !a.conditions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.pick("答えで判定が変わる質問:", "Open questions:")
        );
        for c in &a.conditions {
            let _ = writeln!(out, "  - {}", c.text.replace('\n', "\n      "));
        }
    }
    if !a.exceptions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "例外（ふつうの答えを前提にした判定が変わる場合）:",
                "Exceptions (the advice assumes the usual answer):"
            )
        );
        for e in &a.exceptions {
            let _ = writeln!(out, "  - {}", e.text);
        }
    }
}

/// The details' footer: sources, the dates rules and volatile facts were
/// checked.
pub(super) fn details_sources(out: &mut String, a: &Advice, lang: Lang) {
    let ja = lang == Lang::Ja;
    let sources = a
        .sources
        .iter()
        .map(|s| format!("{:?} = {}", s.key, s.key.describe(lang)))
        .collect::<Vec<_>>()
        .join(lang.pick("、", "; "));
    let (open, sep, close) = if ja {
        ("（", "、", "）")
    } else {
        (" (", "; ", ")")
    };
    let _ = writeln!(out, "{} {}", lang.pick("出典:", "Sources:"), sources);
    let rules_checked = if ja {
        crate::japan_time::long_date_text(&a.rules_checked, lang)
    } else {
        a.rules_checked.clone()
    };
    let _ = writeln!(
        out,
        "{} {rules_checked}",
        lang.pick("規則の確認日:", "Rules checked:"),
    );
    let _ = writeln!(
        out,
        "{} {}{open}{}{sep}{}{close}",
        lang.pick("店舗一覧:", "Store list:"),
        vocab::STORES_FACT.checked_text(lang),
        lang.pick(
            "J-LIS 暗証番号リセットサービスの店舗一覧（www2.jpki.go.jp/jpkiidreset）",
            vocab::STORES_FACT.source
        ),
        if ja { "順次拡大中" } else { "it grows" }
    );
    let _ = writeln!(
        out,
        "{} {}{open}{}{sep}{}{close}",
        lang.pick("マイナンバー総合フリーダイヤル:", "My Number help line:"),
        vocab::HOTLINE,
        vocab::hotline_hours(lang),
        if ja {
            format!("{}確認", vocab::HOTLINE_FACT.checked_text(lang))
        } else {
            format!("checked {}", vocab::HOTLINE_FACT.checked)
        }
    );
}

pub(super) fn section(out: &mut String, lang: Lang, ja: &str, en: &str, items: &[Statement]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", lang.pick(ja, en));
    for s in items {
        let prefix = match s.only_if {
            Some(route) => match lang {
                Lang::Ja => format!("［{}の場合］", vocab::route_name(route, lang)),
                Lang::En => format!("[if {}] ", vocab::route_name(route, lang)),
            },
            None => String::new(),
        };
        // A statement that repeats the heading (「前提: …」 under 「前提:」)
        // says it once.
        let text = tagged(s, lang).replace('\n', " ");
        let heading = format!("{} ", lang.pick(ja, en));
        let text = text.strip_prefix(&heading).unwrap_or(&text);
        let text = crate::lang::sentence_case(text);
        let _ = writeln!(out, "  - {prefix}{text}");
    }
}

/// The statement's text followed by `[rule; sources]`.
pub(super) fn tagged(s: &Statement, lang: Lang) -> String {
    let text = if s.text.is_empty() {
        s.msg.render(s.rule, lang)
    } else {
        s.text.clone()
    };
    let src: Vec<String> = s.sources.iter().map(|k| format!("{k:?}")).collect();
    format!("{text} [{}; {}]", s.rule.name(), src.join(","))
}
