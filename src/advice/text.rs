//! The advice as plain text for the terminal: the decision first.
//!
//! Owns: the layout of the human advice. The default view is what a holder
//! or a clerk reads in 20 seconds: line 1 the decision (after a one-line
//! card header where a card was read), the PIN table, numbered steps, what
//! to bring, where, until when, then the exceptions. The details view adds
//! every statement with its rule id and source keys, the assumptions and the
//! sources, so a help desk can check any sentence against decision-rules.md.
//! Must not: decide, or hold the statements' wording (that is `wording` and
//! `vocab`); no command-line flag ever appears in this text.

use super::facts::KeyInput;
use super::model::{Choice, Question, Route};
use super::msg::Msg;
use super::output::{Advice, Condition, Statement};
use super::vocab;
use super::wording::input_label;
use crate::card::KeyId;
use crate::lang::Lang;
use crate::report::CardReport;
use crate::text::{Emphasis, TableRow};
use std::fmt::Write as _;

/// How the text is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    /// The language.
    pub lang: Lang,
    /// Wrap width in terminal columns.
    pub width: usize,
    /// ANSI colour for a locked PIN and a last try.
    pub color: bool,
    /// Add the details (rule ids, sources, assumptions).
    pub details: bool,
    /// A site file describes the office (printed after the advice): its
    /// hours replace the generic counter hours (Corrections, "counter
    /// hours").
    pub site: bool,
}

impl View {
    /// 80 columns, no colour, no details: logs, pipes, tests.
    pub const fn plain(lang: Lang) -> View {
        View {
            lang,
            width: 80,
            color: false,
            details: false,
            site: false,
        }
    }

    /// For standard output: the terminal's width (80 when not a terminal)
    /// and colour only on a terminal without NO_COLOR (anstream's rules).
    pub fn for_stdout(lang: Lang, details: bool) -> View {
        use std::io::IsTerminal as _;
        let stdout = std::io::stdout();
        let tty = stdout.is_terminal();
        let width = if tty {
            terminal_size::terminal_size()
                .map(|(w, _)| usize::from(w.0))
                .filter(|w| *w >= 40)
                .unwrap_or(80)
        } else {
            80
        };
        let color = tty && anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
        View {
            lang,
            width,
            color,
            details,
            site: false,
        }
    }
}

/// Renders `advice` in `lang` with the plain view (no card header).
pub fn render(advice: &Advice, lang: Lang) -> String {
    render_with(advice, None, View::plain(lang))
}

/// The whole output: card header (with `report`), decision, PIN table,
/// steps, bring, where, when, exceptions; details when asked.
pub fn render_with(advice: &Advice, report: Option<&CardReport>, view: View) -> String {
    let a = localized(advice, view.lang);
    let mut out = String::new();
    if let Some(r) = report {
        out.push_str(&wrap(&crate::text::card_header(r, view.lang), view, ""));
    }
    out.push_str(&wrap(&headline(&a, view.lang), view, "  "));
    out.push_str(&table(&a, report, view));
    out.push_str(&body(&a, view));
    out
}

/// After the questions: the decision and the rest, without the header and
/// the table already shown above the questions.
pub fn render_after_questions(advice: &Advice, view: View) -> String {
    let a = localized(advice, view.lang);
    let mut out = wrap(&headline(&a, view.lang), view, "  ");
    out.push_str(&body(&a, view));
    out
}

/// The card header and the PIN table, shown above the questions.
pub fn render_reading(report: &CardReport, view: View) -> String {
    let mut out = wrap(&crate::text::card_header(report, view.lang), view, "");
    let rows: Vec<TableRow> = report
        .keys
        .iter()
        .map(|k| crate::text::row_from_report(k, view.lang))
        .collect();
    out.push_str(&crate::text::render_table(&rows, view.color));
    out.push_str(&crate::text::mismatch_notes(report, view.lang));
    out
}

fn localized(advice: &Advice, lang: Lang) -> Advice {
    if advice.lang == Some(lang) {
        advice.clone()
    } else {
        advice.clone().localized(lang)
    }
}

/// Line 1: the decision in plain words.
pub fn headline(a: &Advice, lang: Lang) -> String {
    let lead = lang.pick("判定: ", "Advice: ");
    let counter_keys: Vec<KeyId> = a
        .keys
        .iter()
        .filter(|k| k.route.involves_counter())
        .map(|k| k.key)
        .collect();
    let body = match a.route {
        Route::Conditional => match a.conditions.first() {
            Some(c) => conditional_sentence(c, lang),
            None => vocab::route_name(a.route, lang).to_string(),
        },
        Route::Kiosk => {
            let k = a.keys.iter().find(|k| k.route == Route::Kiosk);
            kiosk_sentence(k.map_or(KeyId::Auth, |k| k.key), lang)
        }
        Route::Counter if !counter_keys.is_empty() => counter_sentence(&counter_keys, lang),
        Route::Counter => vocab::route_name(a.route, lang).to_string(),
        Route::None
        | Route::CertificateRenewal
        | Route::CardRenewal
        | Route::SuspendAndReissue
        | Route::NoPinRoute
        | Route::PhoneApp => route_sentence(a.route, a.rule, lang).to_string(),
    };
    format!("{lead}{body}")
}

/// Line 1 for the kiosk: which PIN, and the other one it uses.
fn kiosk_sentence(k: KeyId, lang: Lang) -> String {
    let o = super::engine::other(k);
    match lang {
        Lang::Ja => format!(
            "コンビニ等の端末で再設定できます（{}を使います）。",
            vocab::pin_name(o, lang)
        ),
        Lang::En => format!(
            "reset the {} at a store kiosk (it uses the {}).",
            vocab::pin_name(k, lang),
            vocab::pin_name(o, lang)
        ),
    }
}

/// Line 1 for the counter: the PINs reset there.
fn counter_sentence(keys: &[KeyId], lang: Lang) -> String {
    let names: Vec<&str> = keys.iter().map(|k| vocab::pin_name(*k, lang)).collect();
    match lang {
        Lang::Ja => format!("{}は、市区町村の窓口で再設定します。", names.join("・")),
        Lang::En => format!(
            "reset the {} at the municipal counter.",
            names.join(" and the ")
        ),
    }
}

/// Line 1 for the routes that need no PIN named.
fn route_sentence(route: Route, rule: super::model::RuleId, lang: Lang) -> &'static str {
    match route {
        Route::None if rule == super::model::RuleId::R4 => lang.pick(
            "健康保険証としての利用だけなら、急ぎの対応は不要です。",
            "for health insurance use only, nothing is urgent.",
        ),
        Route::None => lang.pick("対応は不要です。", "nothing to do."),
        Route::CertificateRenewal => lang.pick(
            "市区町村の窓口で電子証明書の再発行・更新をします。",
            "certificate reissue or renewal at the municipal counter.",
        ),
        Route::CardRenewal => {
            lang.pick("新しいカードを申請してください。", "apply for a new card.")
        }
        Route::SuspendAndReissue => lang.pick(
            "カードを一時停止してから、再発行を申請してください。",
            "suspend the card, then apply for a reissue.",
        ),
        Route::NoPinRoute => lang.pick(
            "このカードには暗証番号の手続きがありません。",
            "this card has no PIN route.",
        ),
        Route::PhoneApp => lang.pick(
            "マイナポータルアプリで手続きします。",
            "use the Mynaportal app.",
        ),
        Route::Kiosk | Route::Counter | Route::Conditional => vocab::route_name(route, lang),
    }
}

/// 「署名用パスワードを覚えていれば コンビニ等の端末で再設定、覚えていなければ
/// 市区町村の窓口で再設定です。」
fn conditional_sentence(c: &Condition, lang: Lang) -> String {
    let parts: Vec<String> = c
        .branches
        .iter()
        .map(|b| {
            format!(
                "{}{}",
                if_phrase(c.question, b.answer, lang),
                vocab::route_place(b.route, lang)
            )
        })
        .collect();
    match lang {
        Lang::Ja => format!("{}です。", parts.join("、")),
        Lang::En => format!("{}.", parts.join("; ")),
    }
}

/// "if you remember the signature password" / 「覚えていなければ」.
fn if_phrase(q: Question, c: Choice, lang: Lang) -> String {
    let knows = |k: KeyId| match (c, lang) {
        (Choice::Yes, Lang::Ja) => format!("{}を覚えていれば", vocab::pin_name(k, lang)),
        (_, Lang::Ja) => "忘れていれば".to_string(),
        (Choice::Yes, Lang::En) => format!("if you remember the {}: ", vocab::pin_name(k, lang)),
        (_, Lang::En) => "if not: ".to_string(),
    };
    match q {
        Question::KnowsAuth => knows(KeyId::Auth),
        Question::KnowsSign => knows(KeyId::Sign),
        Question::KnowsKenhojo => knows(KeyId::Kenhojo),
        Question::KnowsJuki => knows(KeyId::Juki),
        Question::OddAnswerRepeats => match (c, lang) {
            (Choice::Yes, Lang::Ja) => "もう一度読み取っても同じ応答なら".into(),
            (_, Lang::Ja) => "違う応答なら".into(),
            (Choice::Yes, Lang::En) => "if reading the card again gives the same answer: ".into(),
            (_, Lang::En) => "if not: ".into(),
        },
        Question::IsMyNumberCard => match (c, lang) {
            (Choice::Yes, Lang::Ja) => "マイナンバーカードなら".into(),
            (_, Lang::Ja) => "そうでなければ".into(),
            (Choice::Yes, Lang::En) => "if it is a My Number Card: ".into(),
            (_, Lang::En) => "if not: ".into(),
        },
        Question::CardExpired
        | Question::HealthInsuranceOnly
        | Question::Moved
        | Question::Smartphone
        | Question::Age
        | Question::AdultWard
        | Question::Who => match lang {
            Lang::Ja => format!("「{}」なら", super::wording::choice_label(c, lang)),
            Lang::En => format!("if {}: ", super::wording::choice_label(c, lang)),
        },
    }
}

/// The PIN table: the card's rows, or without a card the PINs the holder
/// told about.
fn table(a: &Advice, report: Option<&CardReport>, view: View) -> String {
    let lang = view.lang;
    let rows: Vec<TableRow> = match report {
        Some(r) => r
            .keys
            .iter()
            .map(|k| crate::text::row_from_report(k, lang))
            .collect(),
        None => a
            .keys
            .iter()
            .filter(|k| k.input != KeyInput::Unknown)
            .map(|k| TableRow {
                frac: String::new(),
                dots: String::new(),
                label: vocab::pin_name_with_format(k.key, lang),
                note: input_label(&k.input, lang),
                emphasis: match &k.input {
                    KeyInput::Locked => Emphasis::Locked,
                    KeyInput::Remaining { left: 1, .. } => Emphasis::Warn,
                    KeyInput::Remaining { .. }
                    | KeyInput::Unknown
                    | KeyInput::Verified
                    | KeyInput::Absent
                    | KeyInput::Unexpected { .. } => Emphasis::Plain,
                },
            })
            .collect(),
    };
    let mut out = crate::text::render_table(&rows, view.color);
    if let Some(r) = report {
        out.push_str(&crate::text::mismatch_notes(r, lang));
    }
    out
}

/// The route whose steps are shown: the route, or in a conditional advice
/// the first branch with something to do ("remember it → nothing to do;
/// forgot it → the kiosk" shows the kiosk's steps).
pub fn primary(a: &Advice) -> Route {
    match a.route {
        Route::Conditional => {
            let branches = a.conditions.first().map(|c| c.branches.as_slice());
            let branches = branches.unwrap_or_default();
            branches
                .iter()
                .find(|b| !matches!(b.route, Route::None | Route::Conditional))
                .or_else(|| branches.first())
                .map_or(Route::Conditional, |b| b.route)
        }
        r => r,
    }
}

fn applies(s: &Statement, route: Route) -> bool {
    s.only_if.is_none_or(|r| r == route)
}

/// The numbered steps of the primary route (shared by the terminal and the
/// slip).
///
/// With `site`, the generic counter hours are left out: the office's own
/// hours (and whether it is open today) are shown instead.
pub fn steps(a: &Advice, site: bool) -> Vec<String> {
    let route = primary(a);
    a.bring
        .iter()
        .filter(|s| applies(s, route) && !detail_only(s))
        .filter(|s| !(site && s.msg == Msg::CounterHours))
        .flat_map(|s| s.text.split('\n').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// The key the kiosk resets, when the primary route is the kiosk.
pub fn kiosk_key(a: &Advice) -> Option<KeyId> {
    if primary(a) != Route::Kiosk {
        return None;
    }
    a.keys
        .iter()
        .find(|k| k.route == Route::Kiosk)
        .map(|k| k.key)
        .or_else(|| {
            a.stores.iter().find_map(|s| match s.msg {
                Msg::Stores { key } => Some(key),
                _ => None,
            })
        })
        .or(Some(KeyId::Auth))
}

/// What to bring for `route` (a checklist; shared by the terminal and the
/// slip). Empty when the steps say it themselves.
pub fn checklist(a: &Advice, route: Route, lang: Lang) -> Vec<&'static str> {
    let has = |m: &Msg| a.bring.iter().any(|s| &s.msg == m);
    match route {
        Route::Kiosk => {
            let sign = a
                .stores
                .iter()
                .any(|s| s.msg == Msg::Stores { key: KeyId::Sign });
            vec![
                lang.pick("マイナンバーカード", "the card"),
                if sign {
                    lang.pick(
                        "カメラ付きのNFC対応スマートフォン",
                        "an NFC smartphone with a camera",
                    )
                } else {
                    lang.pick("NFC対応のスマートフォン", "an NFC smartphone")
                },
            ]
        }
        Route::Counter | Route::CertificateRenewal if has(&Msg::CounterHolder) => vec![
            lang.pick("マイナンバーカード", "the card"),
            lang.pick(
                "念のため顔写真付きの本人確認書類",
                "to be safe, a photo ID (driving licence, passport...)",
            ),
        ],
        Route::Counter
        | Route::CertificateRenewal
        | Route::None
        | Route::PhoneApp
        | Route::Conditional
        | Route::NoPinRoute
        | Route::CardRenewal
        | Route::SuspendAndReissue => Vec::new(),
    }
}

/// The exceptions, one line per route they give (shared by the terminal
/// and the slip).
pub fn exception_lines(a: &Advice, lang: Lang) -> Vec<String> {
    let mut routes: Vec<Route> = Vec::new();
    for e in &a.exceptions {
        if !routes.contains(&e.route) {
            routes.push(e.route);
        }
    }
    routes
        .into_iter()
        .map(|r| {
            let labels: Vec<String> = a
                .exceptions
                .iter()
                .filter(|e| e.route == r)
                .map(|e| super::wording::exception_label(e.question, e.answer, lang))
                .collect();
            match lang {
                Lang::Ja => format!(
                    "ただし、{}場合は{}です。",
                    labels.join("、"),
                    vocab::route_place(r, lang)
                ),
                Lang::En => format!(
                    "Except: if {}: {}.",
                    labels.join(", or "),
                    vocab::route_place(r, lang)
                ),
            }
        })
        .collect()
}

/// The warnings and notes for the default view (shared by the terminal and
/// the slip).
pub fn warnings(a: &Advice) -> Vec<&Statement> {
    let route = primary(a);
    // "Counters never recover" matters when nothing else is to be done;
    // under a reset it is a detail.
    a.warnings
        .iter()
        .chain(a.notes.iter())
        .filter(|s| applies(s, route) && !detail_only(s))
        .filter(|s| s.msg != Msg::NoRecovery || route == Route::None)
        .collect()
}

/// The other branches of an open decision, one line each: the route's
/// first statement and what to bring.
pub fn other_branches(a: &Advice, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if a.route != Route::Conditional {
        return out;
    }
    let mut seen = vec![primary(a)];
    for b in a.conditions.iter().flat_map(|c| c.branches.iter()) {
        if seen.contains(&b.route) {
            continue;
        }
        seen.push(b.route);
        if let Some(s) = a
            .bring
            .iter()
            .find(|s| s.only_if == Some(b.route) && !detail_only(s))
        {
            let bring = checklist(a, b.route, lang);
            let bring = match (bring.is_empty(), lang) {
                (true, _) => String::new(),
                (false, Lang::Ja) => format!("持ち物: {}。", bring.join("、")),
                (false, Lang::En) => format!(" Bring: {}.", bring.join(", ")),
            };
            let text = s.text.replace('\n', " ");
            out.push(match lang {
                Lang::Ja => format!("{}の場合: {text}{bring}", vocab::route_place(b.route, lang)),
                Lang::En => format!("At {}: {text}{bring}", vocab::route_place(b.route, lang)),
            });
        }
    }
    out
}

/// Statements kept for the details view only.
fn detail_only(s: &Statement) -> bool {
    matches!(
        s.msg,
        Msg::FaceAuthLocks | Msg::CardValidity | Msg::TriesNotCounted { .. }
    )
}

fn body(a: &Advice, view: View) -> String {
    let lang = view.lang;
    let mut out = String::new();
    let route = primary(a);
    let heading = |ja_s: &str, en_s: &str| lang.pick(ja_s, en_s).to_string();

    // Numbered steps for the route (a conditional advice: its usual branch).
    let steps = steps(a, view.site);
    if !steps.is_empty() && a.route == Route::Conditional {
        let title = match lang {
            Lang::Ja => format!("{}の場合:", vocab::route_place(route, lang)),
            Lang::En => format!("At {}:", vocab::route_place(route, lang)),
        };
        out.push_str(&wrap(&title, view, ""));
    }
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&wrap(&format!("{}. {s}", i + 1), view, "   "));
    }
    let bring = checklist(a, route, lang);
    if !bring.is_empty() {
        let line = match lang {
            Lang::Ja => format!("持ち物: {}", bring.join("、")),
            Lang::En => format!("Bring: {}", bring.join(", ")),
        };
        out.push_str(&wrap(&line, view, "  "));
    }
    if let Some(k) = kiosk_key(a) {
        if a.stores.iter().any(|s| applies(s, route)) {
            let line = match lang {
                Lang::Ja => format!(
                    "場所: {}（J-LISの一覧、{}確認）。",
                    vocab::stores_short(k, lang),
                    vocab::STORES_FACT.checked
                ),
                Lang::En => format!(
                    "Where: {} (J-LIS list as checked on {}).",
                    vocab::stores_short(k, lang),
                    vocab::STORES_FACT.checked
                ),
            };
            out.push_str(&wrap(&line, view, "  "));
        }
        if let Some(t) = &a.time_window {
            out.push_str(&wrap(
                &format!("{}{}", heading("期限: ", "When: "), t.advice.text),
                view,
                "  ",
            ));
        }
    }
    for line in other_branches(a, lang) {
        out.push_str(&wrap(&line, view, "  "));
    }
    for c in a.conditions.iter().skip(1) {
        out.push_str(&wrap(
            &format!("{}{}", heading("ほかに: ", "Also: "), c.text),
            view,
            "  ",
        ));
    }
    for s in warnings(a) {
        out.push_str(&wrap(
            &format!("{}{}", heading("注意: ", "Note: "), s.text),
            view,
            "  ",
        ));
    }
    for line in exception_lines(a, lang) {
        out.push_str(&wrap(&line, view, "  "));
    }
    if view.details {
        out.push_str(&details(a, lang));
    }
    out
}

/// Wraps one paragraph to the view's width; continuation lines get
/// `indent`. Japanese breaks between characters (Unicode line breaking).
fn wrap(text: &str, view: View, indent: &str) -> String {
    // Never break at a hyphen: dates and phone numbers stay whole.
    let opts = textwrap::Options::new(view.width.max(20))
        .subsequent_indent(indent)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = String::new();
    for line in textwrap::wrap(text, opts) {
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

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
fn details_keys(out: &mut String, a: &Advice, lang: Lang) {
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
fn details_questions(out: &mut String, a: &Advice, lang: Lang) {
    if !a.conditions.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.pick("答えで判定が変わる質問:", "Open questions:")
        );
        for c in &a.conditions {
            let _ = writeln!(out, "  - {}", c.text);
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
fn details_sources(out: &mut String, a: &Advice, lang: Lang) {
    let ja = lang == Lang::Ja;
    let sources = a
        .sources
        .iter()
        .map(|s| format!("{:?} = {}", s.key, s.key.describe(lang)))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(out, "{} {}", lang.pick("出典:", "Sources:"), sources);
    let _ = writeln!(
        out,
        "{} {}",
        lang.pick("規則の確認日:", "Rules checked:"),
        a.rules_checked
    );
    let _ = writeln!(
        out,
        "{} {} ({}; {})",
        lang.pick("店舗一覧:", "Store list:"),
        vocab::STORES_FACT.checked,
        vocab::STORES_FACT.source,
        if ja { "順次拡大中" } else { "it grows" }
    );
    let _ = writeln!(
        out,
        "{} {} ({}: {})",
        lang.pick("マイナンバー総合フリーダイヤル:", "My Number help line:"),
        vocab::HOTLINE,
        vocab::hotline_hours(lang),
        vocab::HOTLINE_FACT.checked
    );
}

fn section(out: &mut String, lang: Lang, ja: &str, en: &str, items: &[Statement]) {
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
        let _ = writeln!(out, "  - {prefix}{}", tagged(s, lang).replace('\n', " "));
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
