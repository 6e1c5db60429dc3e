//! The slip's content by section: the answer as a headline, the PIN table,
//! what to bring, steps, where and when, other answers, the other
//! questions with their answers, warnings and exceptions, the office; and how much text they carry (the slip's
//! density is chosen from it). Must not: decide or word anything (the words
//! are `present::advice_page`'s and `advice::wording`'s).

use super::*;

/// The slip's content and how much text it carries.
#[derive(Default)]
pub(super) struct Body {
    pub(super) html: String,
    pub(super) weight: f64,
}

/// How the items of a block are set.
#[derive(Clone, Copy)]
enum List {
    /// `<ul class="check">`: things to bring.
    Checks,
    /// `<ol>`: steps.
    Numbered,
    /// `<ul>`.
    Bullets,
    /// One `<p>` each, no list.
    Paragraphs,
}

impl Body {
    /// A titled block: `<section class="block {class}"><h2>{title}</h2>`,
    /// then the items (already escaped HTML) each weighing its text plus
    /// `extra`. Nothing when there are no items.
    fn block(
        &mut self,
        class: &str,
        title: &str,
        list: List,
        extra: f64,
        items: &[(String, String)],
    ) {
        if items.is_empty() {
            return;
        }
        let (open, close, item) = match list {
            List::Checks => ("<ul class=\"check\">", "</ul>", "li"),
            List::Numbered => ("<ol>", "</ol>", "li"),
            List::Bullets => ("<ul>", "</ul>", "li"),
            List::Paragraphs => ("", "", "p"),
        };
        let _ = write!(
            self.html,
            "<section class=\"block {class}\"><h2>{}</h2>{open}",
            esc(title)
        );
        for (text, html) in items {
            // A line break leaves the rest of its line empty: about half a
            // column's line (a condition's answers are one a line).
            let breaks = text.matches('\n').count() as f64;
            self.weight += weigh(text) + extra + 15.0 * breaks;
            let _ = write!(self.html, "<{item}>{html}</{item}>");
        }
        let _ = writeln!(self.html, "{close}</section>");
    }
}

/// Texts with their escaped HTML.
fn escaped<S: AsRef<str>>(texts: &[S]) -> Vec<(String, String)> {
    texts
        .iter()
        .map(|t| (t.as_ref().to_string(), esc(t.as_ref())))
        .collect()
}

/// How much room a text takes, in width-weighted characters: a CJK
/// character is a full em, Latin text about half of one.
fn weigh(t: &str) -> f64 {
    t.chars()
        .map(|c| if u32::from(c) >= 0x2E80 { 1.0 } else { 0.55 })
        .sum()
}

/// The slip is one decision (issue 9): the answer as a coloured headline,
/// the PINs, a checklist of what to bring, numbered steps, where and when,
/// the warnings and the exceptions. Its words are the terminal's
/// (`present::advice_page`), so the two never disagree.
pub(super) fn slip_body(
    report: Option<&CardReport>,
    a: &Advice,
    site: Option<&Site>,
    lang: Lang,
    now: OffsetDateTime,
) -> Body {
    let mut b = Body::default();
    let route = atext::primary(a);
    headline(&mut b, a, lang);
    pin_table(&mut b.html, report, a, lang);
    b.weight += 60.0;

    b.html.push_str("<div class=\"text\">\n");
    let bring: Vec<String> = atext::checklist(a, route, lang)
        .iter()
        .map(|s| sentence_case(s))
        .collect();
    b.block(
        "bring",
        lang.pick("持ち物", "Bring"),
        List::Checks,
        6.0,
        &escaped(&bring),
    );
    let title = if a.route == Route::Conditional {
        match lang {
            Lang::Ja => format!("手順（{}）", atext::steps_for(a, lang)),
            Lang::En => format!("Steps ({})", atext::steps_for(a, lang)),
        }
    } else {
        lang.pick("手順", "Steps").to_string()
    };
    let steps = atext::steps(a, site.is_some());
    b.block("steps", &title, List::Numbered, 8.0, &escaped(&steps));
    where_and_when(&mut b, a, route, lang);
    let others = atext::other_branches(a, lang, site.is_some());
    b.block(
        "others",
        lang.pick("答えが違う場合", "Otherwise"),
        List::Paragraphs,
        8.0,
        &escaped(&others),
    );
    // The other questions that change the answer (line 1 is the first),
    // each with the route per answer, one answer a line (issue 18: the
    // slip shows the question that decides, never "depends" alone).
    let questions: Vec<(String, String)> = a
        .conditions
        .iter()
        .skip(1)
        .map(|c| {
            // Each line starts a row: the question, then one answer a line.
            let t = c
                .text
                .lines()
                .map(|l| {
                    let body = l.trim_start();
                    format!("{}{}", &l[..l.len() - body.len()], sentence_case(body))
                })
                .collect::<Vec<_>>()
                .join("\n");
            let html = esc_lines(&t);
            (t, html)
        })
        .collect();
    b.block(
        "questions",
        lang.pick("ほかに確かめること", "Also ask"),
        List::Paragraphs,
        8.0,
        &questions,
    );
    let warnings: Vec<(String, String)> = atext::warnings(a)
        .into_iter()
        .map(|s| {
            let t = sentence_case(&statement_text(s, lang));
            let html = esc_lines(&t);
            (t, html)
        })
        .collect();
    b.block(
        "warn",
        lang.pick("注意", "Take care"),
        List::Bullets,
        8.0,
        &warnings,
    );
    let exceptions = atext::exception_lines(a, lang);
    b.block(
        "exceptions",
        lang.pick("次の場合は手続きが変わります", "When the route changes"),
        List::Bullets,
        8.0,
        &escaped(&exceptions),
    );
    b.html.push_str("</div>\n");

    // The office, where a counter visit is part of the answer.
    let counter = route.involves_counter()
        || a.conditions
            .iter()
            .any(|c| c.branches.iter().any(|b| b.route.involves_counter()));
    if let Some(site) = site.filter(|_| counter) {
        b.weight += weigh(&site.render_text(lang, now)) * 1.05;
        office(&mut b.html, site, lang, now);
    }
    b
}

/// The answer as a coloured headline.
fn headline(b: &mut Body, a: &Advice, lang: Lang) {
    let headline = atext::headline(a, lang);
    let headline = headline
        .strip_prefix(lang.pick("判定: ", "Advice: "))
        .unwrap_or(&headline);
    let headline = sentence_case(headline);
    b.weight += weigh(&headline) * 2.2 + 10.0;
    let _ = writeln!(
        b.html,
        "<section class=\"route route-{}\"><p class=\"route-kicker\">{}</p><p class=\"route-label\">{}</p></section>",
        route_class(a.route),
        esc(lang.pick("判定", "What to do")),
        esc(&headline),
    );
}

/// Where and when, for a kiosk: the stores and the time window.
fn where_and_when(b: &mut Body, a: &Advice, route: Route, lang: Lang) {
    if atext::kiosk_key(a).is_none() {
        return;
    }
    let _ = write!(
        b.html,
        "<section class=\"block where\"><h2>{}</h2>",
        esc(lang.pick("場所と期限", "Where and when"))
    );
    for s in a
        .stores
        .iter()
        .filter(|s| s.only_if.is_none_or(|r| r == route))
    {
        let t = sentence_case(&statement_text(s, lang));
        b.weight += weigh(&t) + 8.0;
        let _ = write!(b.html, "<p>{}</p>", esc(&t));
    }
    if let Some(t) = &a.time_window {
        let text = sentence_case(&statement_text(&t.advice, lang));
        b.weight += weigh(&text) + 8.0;
        let _ = write!(b.html, "<p class=\"when\">{}</p>", esc(&text));
    }
    b.html.push_str("</section>\n");
}
