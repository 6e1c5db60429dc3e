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

use crate::advice::facts::KeyInput;
use crate::advice::model::Route;
use crate::advice::msg::Msg;
use crate::advice::decision::{Advice, Statement};
use crate::advice::vocab;
use crate::advice::wording::input_label;
use crate::card::KeyId;
use crate::lang::Lang;
use crate::report::CardReport;
use super::report_text::{Emphasis, TableRow};
use std::fmt::Write as _;

mod details;
mod line1;
mod pieces;

pub use details::details;
pub use line1::headline;
use pieces::applies;
pub use pieces::{
    checklist, exception_lines, kiosk_key, other_branches, primary, steps, steps_for, warnings,
};

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
#[cfg(any(test, feature = "internals"))] // for tests: the plain view
pub fn render(advice: &Advice, lang: Lang) -> String {
    render_with(advice, None, View::plain(lang))
}

/// The whole output: card header (with `report`), decision, PIN table,
/// steps, bring, where, when, exceptions; details when asked.
pub fn render_with(advice: &Advice, report: Option<&CardReport>, view: View) -> String {
    let a = localized(advice, view.lang);
    let mut out = String::new();
    if let Some(r) = report {
        out.push_str(&wrap(&crate::present::report_text::card_header(r, view.lang), view, ""));
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
    let mut out = wrap(&crate::present::report_text::card_header(report, view.lang), view, "");
    let rows = crate::present::report_text::rows_from_report(report, view.lang);
    out.push_str(&crate::present::report_text::render_table(&rows, view.color));
    out.push_str(&crate::present::report_text::mismatch_notes(report, view.lang));
    out
}

fn localized(advice: &Advice, lang: Lang) -> Advice {
    if advice.lang == Some(lang) {
        advice.clone()
    } else {
        advice.clone().localized(lang)
    }
}

/// The PIN table: the card's rows, or without a card the PINs the holder
/// told about.
fn table(a: &Advice, report: Option<&CardReport>, view: View) -> String {
    let lang = view.lang;
    let rows: Vec<TableRow> = match report {
        Some(r) => crate::present::report_text::rows_from_report(r, lang),
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
    let mut out = crate::present::report_text::render_table(&rows, view.color);
    if let Some(r) = report {
        out.push_str(&crate::present::report_text::mismatch_notes(r, lang));
    }
    out
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
            Lang::Ja => format!("{}:", steps_for(a, lang)),
            Lang::En => {
                let t = steps_for(a, lang);
                let mut c = t.chars();
                match c.next() {
                    Some(f) => format!("{}{}:", f.to_uppercase(), c.as_str()),
                    None => t,
                }
            }
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
                    vocab::STORES_FACT.checked_text(lang)
                ),
                Lang::En => format!(
                    "Where: {} (J-LIS list, checked {}).",
                    vocab::stores_short(k, lang),
                    vocab::STORES_FACT.checked_text(lang)
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
    for line in other_branches(a, lang, view.site) {
        out.push_str(&wrap(&line, view, "  "));
    }
    // The other questions: the question, then one line per answer.
    for c in a.conditions.iter().skip(1) {
        for (i, line) in c.text.split('\n').enumerate() {
            let line = if i == 0 {
                format!("{}{line}", heading("ほかに: ", "Also: "))
            } else {
                format!("  {line}")
            };
            out.push_str(&wrap(&line, view, "    "));
        }
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
