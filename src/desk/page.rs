//! What the desk page shows: each panel's HTML and the page's few own
//! words (the placeholders, the buttons' frame, the removed-card notice).
//!
//! Owns: the panel's layout around the slip's content. Must not: word the
//! advice (the decision, the PIN table, the steps and everything under them
//! are the slip's content, `slip::render_content`, whose words are
//! `advice`'s; the questions and answers are `advice::wording`'s; errors are
//! `text`'s and watch mode's), or decide anything.

use super::state::{
    ChoiceDoc, Desk, Holder, PanelDoc, PanelKind, PanelState, QuestionDoc, ServiceDoc, ServiceKind,
    SCHEMA_VERSION,
};
use crate::advice::wording::{choice_label, question_text};
use crate::advice::Question;
use crate::lang::Lang;
use crate::site::Site;
use crate::slip::esc;
use std::fmt::Write as _;
use time::OffsetDateTime;

/// The page: `assets/index.html` in `lang`.
pub(super) fn index_html(lang: Lang) -> String {
    let title = lang.pick(
        "マイナンバーカード 暗証番号の状態（デスク画面）",
        "My Number Card PIN status (desk page)",
    );
    include_str!("assets/index.html")
        .replace("{{lang}}", lang.pick("ja", "en"))
        .replace("{{title}}", &esc(title))
        .replace(
            "{{waiting}}",
            &esc(lang.pick(
                "リーダーを探しています…",
                "Looking for readers…",
            )),
        )
        .replace("{{switch}}", lang.pick("English", "日本語"))
        .replace("{{switch_lang}}", lang.pick("en", "ja"))
        .replace(
            "{{offline}}",
            &esc(lang.pick(
                "デスク画面のサーバーに接続できません。再接続しています…（jpki-status desk が動いているか確認してください）",
                "Cannot reach the desk server; reconnecting… (check that jpki-status desk is running)",
            )),
        )
}

/// The panel of `reader` as the page and the API receive it; `gone` when
/// the reader is not there.
pub(super) fn panel_doc(
    desk: &Desk,
    reader: &str,
    site: Option<&Site>,
    now: OffsetDateTime,
    lang: Lang,
) -> PanelDoc {
    let Some(panel) = desk.panels.iter().find(|p| p.reader == reader) else {
        return PanelDoc {
            schema_version: SCHEMA_VERSION,
            reader: reader.to_string(),
            state: PanelKind::Gone,
            report: None,
            advice: None,
            question: None,
            html: String::new(),
        };
    };
    let mut doc = PanelDoc {
        schema_version: SCHEMA_VERSION,
        reader: reader.to_string(),
        state: state_name(&panel.state),
        report: None,
        advice: None,
        question: None,
        html: String::new(),
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<header class=\"panel-head\"><h2 class=\"reader\">{}</h2>",
        esc(&crate::present::report_text::printable(reader))
    );
    let holder = match &panel.state {
        PanelState::Report(holder) => Some(holder),
        PanelState::Removed(inner) => match inner.as_ref() {
            PanelState::Report(holder) => Some(holder),
            _ => None,
        },
        _ => None,
    };
    if holder.is_some() && matches!(panel.state, PanelState::Report(_)) {
        let _ = write!(
            h,
            "<button type=\"button\" class=\"print\" data-action=\"print\">{}</button>",
            esc(lang.pick("案内を印刷", "Print the slip"))
        );
    }
    h.push_str("</header>");
    match &panel.state {
        PanelState::Empty => placeholder(
            &mut h,
            lang.pick(
                "カードをリーダーに置いてください。",
                "Place a card on the reader.",
            ),
        ),
        PanelState::Reading => placeholder(
            &mut h,
            lang.pick("カードを読み取っています…", "Reading the card…"),
        ),
        PanelState::Error(e) => error_block(&mut h, e, lang),
        PanelState::Report(holder) => {
            let (question, html) = holder_block(holder, site, now, lang, true);
            doc.question = question;
            h.push_str(&html);
        }
        PanelState::Removed(inner) => {
            let _ = write!(
                h,
                "<p class=\"removed\">{}</p>",
                esc(lang.pick(
                    "カードが取り外されました。まもなく表示を消します。",
                    "The card was removed; this panel clears shortly.",
                ))
            );
            match inner.as_ref() {
                PanelState::Report(holder) => {
                    h.push_str(&holder_block(holder, site, now, lang, false).1)
                }
                PanelState::Error(e) => error_block(&mut h, e, lang),
                _ => {}
            }
        }
    }
    if let Some(holder) = holder {
        doc.report = Some(holder.report.clone());
        doc.advice = Some(holder.advice(now, lang));
    }
    doc.html = h;
    doc
}

fn state_name(s: &PanelState) -> PanelKind {
    match s {
        PanelState::Empty => PanelKind::Empty,
        PanelState::Reading => PanelKind::Reading,
        PanelState::Report(_) => PanelKind::Report,
        PanelState::Error(_) => PanelKind::Error,
        PanelState::Removed(_) => PanelKind::Removed,
    }
}

fn placeholder(h: &mut String, text: &str) {
    let _ = write!(h, "<p class=\"placeholder\">{}</p>", esc(text));
}

/// A card that could not be read: what happened, what to do (watch mode's
/// words).
fn error_block(h: &mut String, e: &crate::transport::TransportError, lang: Lang) {
    let (what, next) = crate::failure::Failure::describe(e, lang);
    let next = crate::present::watch_events::in_watch(e, next, lang);
    let _ = write!(
        h,
        "<section class=\"error\"><p class=\"what\">{}</p><p class=\"next\">→ {}</p></section>",
        esc(&crate::present::report_text::printable(&what)),
        esc(&crate::present::report_text::printable(&next))
    );
}

/// The reading with its advice: the slip's content with the deciding
/// question (as buttons) right under the decision.
fn holder_block(
    holder: &Holder,
    site: Option<&Site>,
    now: OffsetDateTime,
    lang: Lang,
    ask: bool,
) -> (Option<QuestionDoc>, String) {
    let advice = holder.advice(now, lang);
    let content = crate::slip::render_content(Some(&holder.report), &advice, site, lang, now);
    let question = if ask { holder.question(now) } else { None };
    let Some(q) = question else {
        return (None, content);
    };
    let doc = question_doc(q, lang);
    let mut ask_html = String::new();
    let _ = write!(
        ask_html,
        "<section class=\"ask\" data-question=\"{}\"><p class=\"question\">{}</p><p class=\"choices\">",
        esc(&serde_name(&q)),
        esc(&doc.text)
    );
    for (i, c) in doc.choices.iter().enumerate() {
        let _ = write!(
            ask_html,
            "<button type=\"button\" class=\"answer\" data-answer=\"{}\" data-key=\"{}\">{}</button>",
            esc(&serde_name(&c.id)),
            key_for(&doc, i),
            esc(&c.label)
        );
    }
    if doc.unknown_allowed {
        let _ = write!(
            ask_html,
            "<button type=\"button\" class=\"answer unknown\" data-answer=\"unknown\" data-key=\"?\">{}</button>",
            esc(lang.pick("わからない", "Don't know"))
        );
    }
    ask_html.push_str("</p></section>\n");
    // The decision is the content's first section; the question goes
    // right under it (the answer first, then what would change it).
    let html = match content.find("</section>") {
        Some(i) => {
            let at = i + "</section>".len();
            format!("{}{}{}", &content[..at], ask_html, &content[at..])
        }
        None => format!("{ask_html}{content}"),
    };
    (Some(doc), html)
}

/// The keyboard key of a choice: y/n for yes and no, else 1, 2, 3.
fn key_for(doc: &QuestionDoc, i: usize) -> String {
    match serde_name(&doc.choices[i].id).as_str() {
        "yes" => "y".into(),
        "no" => "n".into(),
        _ => (i + 1).to_string(),
    }
}

fn question_doc(q: Question, lang: Lang) -> QuestionDoc {
    QuestionDoc {
        id: q,
        text: question_text(q, lang),
        choices: q
            .choices()
            .iter()
            .map(|c| ChoiceDoc {
                id: *c,
                label: choice_label(*c, lang).to_string(),
            })
            .collect(),
        unknown_allowed: super::state::unknown_allowed(q),
    }
}

/// A value's serde name (`knows_sign`, `yes`).
pub(super) fn serde_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The service banner's document.
pub(super) fn service_doc(desk: &Desk, lang: Lang) -> ServiceDoc {
    match &desk.service_lost {
        None => ServiceDoc {
            schema_version: SCHEMA_VERSION,
            state: ServiceKind::Running,
            message: None,
            next_step: None,
        },
        Some(e) => {
            let (what, _) = crate::failure::Failure::describe(e, lang);
            ServiceDoc {
                schema_version: SCHEMA_VERSION,
                state: ServiceKind::Lost,
                message: Some(what),
                next_step: Some(crate::present::watch_events::service_waiting(lang).to_string()),
            }
        }
    }
}
