//! The advice as plain text for the terminal, printed under the PIN table.
//!
//! Owns: the layout of the human advice. Must not: decide, or hold the
//! statements' wording (that is `msg`). Each line ends with its rule id and
//! source keys, so a help desk can check any sentence against
//! decision-rules.md.

use super::model::{Advice, Route, Statement};
use super::msg::{input_label, route_label};
use crate::lang::Lang;
use std::fmt::Write as _;

/// Renders `advice` in `lang` (it is localized on a copy if needed).
pub fn render(advice: &Advice, lang: Lang) -> String {
    let owned;
    let a = if advice.lang == Some(lang) {
        advice
    } else {
        owned = advice.clone().localized(lang);
        &owned
    };
    let ja = lang == Lang::Ja;
    let mut out = String::new();
    let _ = writeln!(out, "{}", tagged(&a.summary, lang));

    let _ = writeln!(
        out,
        "{}",
        if ja {
            "暗証番号ごと:"
        } else {
            "Per PIN:"
        }
    );
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
            route_label(k.route, lang),
        );
    }

    if !a.conditions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            if ja {
                "条件（答えによって判定が変わります。各行はほかの質問がふつうの答えの場合）:"
            } else {
                "Conditions (the answer changes the advice; each line assumes the usual answer to the others):"
            }
        );
        for c in &a.conditions {
            let _ = writeln!(out, "  - {}", c.text);
        }
    }
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

    let sources = a
        .sources
        .iter()
        .map(|s| format!("{:?} = {}", s.key, s.key.describe(lang)))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(out, "{} {}", if ja { "出典:" } else { "Sources:" }, sources);
    let _ = writeln!(
        out,
        "{} {}",
        if ja {
            "規則の確認日:"
        } else {
            "Rules checked:"
        },
        a.rules_checked
    );
    out
}

fn section(out: &mut String, lang: Lang, ja: &str, en: &str, items: &[Statement]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", lang.pick(ja, en));
    for s in items {
        let prefix = match s.only_if {
            Some(route) => match lang {
                Lang::Ja => format!("［{}の場合］", short_route(route, lang)),
                Lang::En => format!("[if {}] ", short_route(route, lang)),
            },
            None => String::new(),
        };
        let _ = writeln!(out, "  - {prefix}{}", tagged(s, lang));
    }
}

fn short_route(route: Route, lang: Lang) -> &'static str {
    match (route, lang) {
        (Route::Kiosk, Lang::Ja) => "キオスク",
        (Route::Kiosk, Lang::En) => "kiosk",
        (Route::Counter, Lang::Ja) => "窓口",
        (Route::Counter, Lang::En) => "counter",
        (r, l) => route_label(r, l),
    }
}

/// The statement's text followed by `[rule; sources]`.
fn tagged(s: &Statement, lang: Lang) -> String {
    let text = if s.text.is_empty() {
        s.msg.render(s.rule, lang)
    } else {
        s.text.clone()
    };
    let src: Vec<String> = s.sources.iter().map(|k| format!("{k:?}")).collect();
    format!("{text} [{}; {}]", s.rule.name(), src.join(","))
}
