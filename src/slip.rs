//! The printable slip a help desk hands to the card holder: one
//! self-contained HTML page (inline CSS, no script, no external resource)
//! laid out for one A4 or A5 sheet, in Japanese or English.
//!
//! Owns: the slip's layout and its few own words (headings, badges), and the
//! naming of slip files in watch mode. Must not: decide anything (the route
//! and every sentence of advice come from `advice`), talk to a card, or print
//! anything that identifies the holder. The slip is paper: it is left on
//! counters and in bags, so it carries no name, no My Number, no ATR, no
//! reader name, no certificate serial or subject, and no certificate expiry
//! date (the certificate expires on a birthday, so its date gives away the
//! holder's birthday; see `statement_text`). docs/slip-and-site.md lists
//! what is shown and why.

use crate::advice::text as atext;
use crate::advice::vocab;
use crate::advice::{Advice, KeyInput, Msg, Route, Statement};
use crate::card::{CardKind, KeyId};
use crate::japan_time::{in_japan, japan_date};
use crate::lang::Lang;
use crate::report::{CardReport, CertificateStatus};
use crate::site::{Paper, Site};
use std::borrow::Cow;
use std::fmt::Write as _;
use time::OffsetDateTime;

pub use crate::slip_file::{check_slip_path, write_slip, write_slip_in_dir, SlipWriteError};

/// Renders the slip for one card (or, without a card, for advice given from
/// the holder's answers alone). The paper is the site's `paper`, else A4.
/// `now` is the time printed on the slip; it is shown in Japan time.
pub fn render_slip(
    report: Option<&CardReport>,
    advice: &Advice,
    site: Option<&Site>,
    lang: Lang,
    now: OffsetDateTime,
) -> String {
    let paper = site.and_then(|s| s.paper).unwrap_or_default();
    render_slip_on(paper, report, advice, site, lang, now)
}

/// [`render_slip`] on a given paper size, whatever the site says. An
/// advice whose text cannot fit an A5 sheet at a legible size is laid out
/// on A4 instead.
pub fn render_slip_on(
    paper: Paper,
    report: Option<&CardReport>,
    advice: &Advice,
    site: Option<&Site>,
    lang: Lang,
    now: OffsetDateTime,
) -> String {
    let advice: Cow<'_, Advice> = if advice.lang == Some(lang) {
        Cow::Borrowed(advice)
    } else {
        Cow::Owned(advice.clone().localized(lang))
    };
    let a = advice.as_ref();
    let body = slip_body(report, a, site, lang, now);
    let weight = body.weight;
    // A5 holds half of A4; an advice too long for it at a legible size
    // goes on A4.
    let (paper, density) = match Density::of(weight, paper) {
        Some(d) => (paper, d),
        None => (
            Paper::A4,
            Density::of(weight, Paper::A4).unwrap_or(Density::Densest),
        ),
    };
    let title = esc(lang.pick(
        "マイナンバーカード 暗証番号の状態と手続きのご案内",
        "My Number Card: PIN status and what to do",
    ));
    let paper_class = match paper {
        Paper::A4 => "a4",
        Paper::A5 => "a5",
    };
    fill(
        PAGE,
        &[
            ("lang", lang.pick("ja", "en")),
            ("version", &esc(env!("CARGO_PKG_VERSION"))),
            ("title", &title),
            ("css", &css(paper, density)),
            ("paper", paper_class),
            ("density", &(density as u8).to_string()),
            ("weight", &weight.round().to_string()),
            ("printed", &esc(lang.pick("作成日時", "Printed"))),
            ("printed_iso", &esc(&iso_minute(now))),
            ("printed_human", &esc(&human_time(now, lang))),
            ("body", &body.html),
            ("privacy", &esc(lang.pick(
                "この用紙には氏名・個人番号・電子証明書の情報など、個人を特定する情報は記載していません。暗証番号は誰にも教えないでください。",
                "This slip carries no name, no My Number and no certificate details. Never tell anyone your PINs.",
            ))),
            ("rules_checked_label", &esc(lang.pick("案内の根拠の確認日", "Rules checked"))),
            ("rules_checked", &esc(&a.rules_checked)),
            ("help_line_label", &esc(lang.pick("マイナンバー総合フリーダイヤル", "My Number help line"))),
            ("help_line", &esc(&format!("{} ({})", vocab::HOTLINE, vocab::hotline_hours(lang)))),
        ],
    )
}

/// The page skeleton: src/slip.html, with `{{name}}` slots.
const PAGE: &str = include_str!("slip.html");

/// `template` with each `{{name}}` replaced by its value, in one pass (a
/// value is never scanned for slots); an unknown slot is left as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16 * 1024);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = &after[..end];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push_str("{{");
                        out.push_str(name);
                        out.push_str("}}");
                    }
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The slip's content and how much text it carries.
#[derive(Default)]
struct Body {
    html: String,
    weight: f64,
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
            self.weight += weigh(text) + extra;
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
/// (`advice::text`), so the two never disagree.
fn slip_body(
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
    let bring = atext::checklist(a, route, lang);
    b.block(
        "bring",
        lang.pick("持ち物", "Bring"),
        List::Checks,
        6.0,
        &escaped(&bring),
    );
    let title = if a.route == Route::Conditional {
        match lang {
            Lang::Ja => format!("手順（{}の場合）", vocab::route_place(route, lang)),
            Lang::En => format!("Steps (at {})", vocab::route_place(route, lang)),
        }
    } else {
        lang.pick("手順", "Steps").to_string()
    };
    let steps = atext::steps(a, site.is_some());
    b.block("steps", &title, List::Numbered, 8.0, &escaped(&steps));
    where_and_when(&mut b, a, route, lang);
    let others = atext::other_branches(a, lang);
    b.block(
        "others",
        lang.pick("答えが違う場合", "Otherwise"),
        List::Paragraphs,
        8.0,
        &escaped(&others),
    );
    let warnings: Vec<(String, String)> = atext::warnings(a)
        .into_iter()
        .map(|s| {
            let t = statement_text(s, lang);
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
        .unwrap_or(&headline)
        .to_string();
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
        let t = statement_text(s, lang);
        b.weight += weigh(&t) + 8.0;
        let _ = write!(b.html, "<p>{}</p>", esc(&t));
    }
    if let Some(t) = &a.time_window {
        let text = statement_text(&t.advice, lang);
        b.weight += weigh(&text) + 8.0;
        let _ = write!(b.html, "<p class=\"when\">{}</p>", esc(&text));
    }
    b.html.push_str("</section>\n");
}

/// How tightly the slip is set. HTML cannot measure itself without a
/// script, so the amount of text decides the type size in advance; the
/// tiers were fitted with Chromium's print to PDF (tests/slip.rs checks the
/// longest slips the engine writes still make one page).
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
enum Density {
    Normal = 0,
    Compact = 1,
    Dense = 2,
    Densest = 3,
}

impl Density {
    /// The density for `weight` (see [`text_weight`]) on `paper`, or
    /// `None` when the text does not fit that paper legibly. Limits fitted
    /// with Chromium over every profile x language x answers x time x site
    /// (content height at a reference size, scaled by size^1.8, 4% spare);
    /// tests/slip.rs prints the heaviest slip of each step.
    fn of(weight: f64, paper: Paper) -> Option<Density> {
        // Fitted with Chromium for the decision-first layout (issue 9):
        // tests/slip.rs prints the heaviest slip of each step on one page.
        let limits = match paper {
            Paper::A4 => [650.0, 780.0, 920.0, f64::INFINITY],
            Paper::A5 => [200.0, 240.0, 0.0, 0.0],
        };
        [
            Density::Normal,
            Density::Compact,
            Density::Dense,
            Density::Densest,
        ]
        .into_iter()
        .zip(limits)
        .find(|(_, limit)| weight <= *limit)
        .map(|(d, _)| d)
    }
}

/// A file name for a slip written at `now` in a watch-mode folder:
/// `slip-YYYYMMDD-HHMMSS-mmm.html`, Japan time, sorting by time. Two cards
/// read in the same millisecond get the same name: [`write_slip_in_dir`]
/// adds a suffix rather than overwrite.
pub fn slip_file_name(now: OffsetDateTime) -> String {
    let t = in_japan(now);
    format!(
        "slip-{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}.html",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// A statement's text for paper. The one statement that carries the
/// certificate's expiry date is reworded without it: that date is the
/// holder's birthday five years on (decision-rules.md R9), so it would put a
/// birthday on a sheet of paper.
fn statement_text(s: &Statement, lang: Lang) -> String {
    if let Msg::ExpiringSoon { .. } = s.msg {
        return lang
            .pick(
                "電子証明書の有効期限が近づいています（3か月以内）。期限の3か月前から市区町村の窓口で更新できます（無料）。",
                "The certificates expire within three months; renewal at the municipal counter is possible from 3 months before (free).",
            )
            .to_string();
    }
    if s.text.is_empty() {
        s.msg.render(s.rule, lang)
    } else {
        s.text.clone()
    }
}

/// One row of the PIN table, from a reading or, without one, from what the
/// advice was told: the advice's own model of a key ([`KeyInput`]), with
/// the maximum to draw.
struct Row {
    key: KeyId,
    input: KeyInput,
    max: Option<u8>,
    mismatch: bool,
}

fn rows(report: Option<&CardReport>, advice: &Advice) -> Vec<Row> {
    match report {
        Some(r) => r
            .keys
            .iter()
            .filter(|k| !k.diagnostic)
            .map(|k| Row {
                key: k.id,
                input: KeyInput::from_report(k),
                max: k.max,
                mismatch: k.mismatch,
            })
            .collect(),
        None => advice
            .keys
            .iter()
            .map(|k| Row {
                key: k.key,
                input: k.input.clone(),
                max: match &k.input {
                    KeyInput::Remaining { max, .. } => *max,
                    KeyInput::Unknown
                    | KeyInput::Locked
                    | KeyInput::Verified
                    | KeyInput::Absent
                    | KeyInput::Unexpected { .. } => k.key.spec().max,
                },
                mismatch: false,
            })
            .collect(),
    }
}

fn pin_table(h: &mut String, report: Option<&CardReport>, a: &Advice, lang: Lang) {
    let _ = writeln!(
        h,
        "<section class=\"pins\"><h2>{}</h2>",
        esc(lang.pick("暗証番号の状態", "Your PINs"))
    );
    match report {
        Some(r) => {
            let mut facts: Vec<String> = Vec::new();
            if r.card.kind != CardKind::MyNumberCard {
                facts.push(vocab::card_kind_name(r.card.kind, lang).to_string());
            }
            // Status only, never the date (see the module doc).
            match r.card.certificate_status {
                CertificateStatus::Expired => facts.push(
                    lang.pick("電子証明書: 有効期限切れ", "Certificates: EXPIRED")
                        .to_string(),
                ),
                CertificateStatus::Valid => facts.push(
                    lang.pick("電子証明書: 有効期限内", "Certificates: valid")
                        .to_string(),
                ),
                CertificateStatus::Unknown => {}
            }
            if !facts.is_empty() {
                let _ = writeln!(h, "<p class=\"card-facts\">{}</p>", esc(&facts.join(" · ")));
            }
        }
        None => {
            let _ = writeln!(
                h,
                "<p class=\"card-facts\">{}</p>",
                esc(lang.pick(
                    "カードは読み取っていません。お聞きした内容から案内しています。",
                    "The card was not read: this is from what you told us."
                ))
            );
        }
    }
    let _ = writeln!(
        h,
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(lang.pick("暗証番号", "PIN")),
        esc(lang.pick("残り回数（●＝残り ○＝使用済み）", "Tries (● left, ○ used)")),
        esc(lang.pick("手続き", "What to do")),
    );
    for row in rows(report, a) {
        let route = a.keys.iter().find(|k| k.key == row.key).map(|k| k.route);
        let _ = write!(
            h,
            "<tr class=\"{}\"><td class=\"key\">{}</td><td class=\"tries\">",
            row_class(&row.input),
            esc(&vocab::pin_name_with_format(row.key, lang)),
        );
        tries_cell(h, &row, lang);
        h.push_str("</td><td class=\"key-route\">");
        if let Some(route) = route {
            let _ = write!(
                h,
                "<span class=\"tag route-{}\">{}</span>",
                route_class(route),
                esc(vocab::route_short_name(route, lang))
            );
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn tries_cell(h: &mut String, row: &Row, lang: Lang) {
    let max = row.max;
    match &row.input {
        KeyInput::Remaining { left, .. } => {
            let left = *left;
            let used = max.map(|m| m.saturating_sub(left)).unwrap_or(0);
            let _ = write!(h, "{}", dots(left.min(15), used));
            let count = match (max, lang) {
                (Some(m), Lang::Ja) => format!("残り {left} / {m} 回"),
                (Some(m), Lang::En) => format!("{left} of {m} left"),
                (None, Lang::Ja) => format!("残り {left} 回"),
                (None, Lang::En) => format!("{left} left"),
            };
            let _ = write!(h, "<span class=\"count\">{}</span>", esc(&count));
            if left == 1 {
                let _ = write!(
                    h,
                    "<span class=\"badge warn\">{}</span>",
                    esc(lang.pick("あと1回でロック", "1 more mistake locks it"))
                );
            }
            if max.is_some_and(|m| left > m) {
                let _ = write!(
                    h,
                    "<span class=\"note\">{}</span>",
                    esc(lang.pick("最大回数より多い値", "more than the documented maximum"))
                );
            }
        }
        KeyInput::Locked => {
            let _ = write!(h, "{}", dots(0, max.unwrap_or(3)));
            let _ = write!(
                h,
                "<span class=\"badge locked\">{}</span>",
                esc(lang.pick("ロック中", "LOCKED"))
            );
        }
        KeyInput::Verified => {
            let _ = write!(
                h,
                "<span class=\"note\">{}</span>",
                esc(lang.pick(
                    "照合済み（回数は表示されません）",
                    "verified in this session (count not shown)"
                ))
            );
        }
        KeyInput::Absent => {
            let _ = write!(
                h,
                "<span class=\"note\">{}</span>",
                esc(lang.pick("このカードにはありません", "not on this card"))
            );
        }
        KeyInput::Unexpected { sw } => {
            let text = match sw {
                Some(sw) => format!(
                    "{} ({sw})",
                    lang.pick("読み取れませんでした", "could not be read")
                ),
                None => lang
                    .pick("読み取れませんでした", "could not be read")
                    .to_string(),
            };
            let _ = write!(
                h,
                "<span class=\"badge odd\">?</span><span class=\"note\">{}</span>",
                esc(&text)
            );
        }
        KeyInput::Unknown => {
            let _ = write!(
                h,
                "<span class=\"note\">{}</span>",
                esc(lang.pick("未確認", "not known"))
            );
        }
    }
    if row.mismatch {
        let _ = write!(
            h,
            "<span class=\"note\">{}</span>",
            esc(lang.pick(
                "カード内の2か所の記録が異なるため少ない方を表示",
                "the card's two records differ; the lower is shown"
            ))
        );
    }
}

/// Tries as pictures: a filled circle per try left, a hollow one per try
/// used. Inline SVG, so it prints the same whatever fonts the printer's
/// computer has; the count is also written in words next to it.
fn dots(left: u8, used: u8) -> String {
    let n = u32::from(left) + u32::from(used);
    let (r, gap) = (7u32, 20u32);
    let width = n.max(1) * gap;
    let mut s = format!(
        "<svg class=\"dots\" width=\"{width}\" height=\"18\" viewBox=\"0 0 {width} 18\" aria-hidden=\"true\">"
    );
    for i in 0..n {
        let cx = i * gap + gap / 2;
        if i < u32::from(left) {
            let _ = write!(s, "<circle cx=\"{cx}\" cy=\"9\" r=\"{r}\" class=\"left\"/>");
        } else {
            let _ = write!(
                s,
                "<circle cx=\"{cx}\" cy=\"9\" r=\"{}\" class=\"used\"/>",
                r - 1
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn office(h: &mut String, site: &Site, lang: Lang, now: OffsetDateTime) {
    let o = &site.office;
    let _ = writeln!(
        h,
        "<section class=\"office\"><h2>{}</h2><p class=\"office-name\">{}</p><dl>",
        esc(lang.pick("お近くの窓口", "Your municipal office")),
        esc_lines(o.name.as_str())
    );
    let mut item = |label: &str, value: String| {
        // Lists span both columns: side by side they leave holes.
        let class = if value.starts_with("<ul") {
            " class=\"wide\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<div{class}><dt>{}</dt><dd>{value}</dd></div>",
            esc(label)
        );
    };
    if let Some((today, next)) = site.today(now) {
        item(
            lang.pick("今日", "Today"),
            format!("<strong>{}</strong>", esc(&today.line(lang, next))),
        );
    }
    if let Some(v) = &o.address {
        item(lang.pick("所在地", "Address"), esc_lines(v.as_str()));
    }
    if let Some(v) = &o.hours {
        item(lang.pick("受付時間", "Hours"), esc_lines(v.as_str()));
    }
    if let Some(v) = &o.phone {
        item(lang.pick("電話", "Phone"), esc(v.as_str()));
    }
    if let Some(v) = &o.reservation_url {
        item(
            lang.pick("予約", "Reservations"),
            format!(
                "<a href=\"{}\" class=\"url\">{}</a>",
                esc(v.as_str()),
                esc(v.as_str())
            ),
        );
    }
    if let Some(v) = &o.note {
        item(lang.pick("備考", "Note"), esc_lines(v.as_str()));
    }
    if !site.extra_documents.is_empty() {
        let docs: Vec<String> = site
            .extra_documents
            .iter()
            .map(|d| format!("<li>{}</li>", esc_lines(d.as_str())))
            .collect();
        item(
            lang.pick("この窓口で必要なもの", "This office also asks for"),
            format!("<ul>{}</ul>", docs.concat()),
        );
    }
    // Past openings are noise on a slip; a handful of upcoming ones is
    // what fits.
    let upcoming = site.upcoming_openings(japan_date(now));
    if !upcoming.is_empty() {
        let items: Vec<String> = upcoming
            .iter()
            .take(6)
            .map(|o| {
                let note = o
                    .note
                    .as_ref()
                    .map(|n| format!(" <span class=\"note\">{}</span>", esc(n.as_str())))
                    .unwrap_or_default();
                format!(
                    "<li><strong>{}</strong> {}{note}</li>",
                    esc(&human_date(o.date.0, lang)),
                    esc(o.hours.as_str()),
                )
            })
            .collect();
        item(
            lang.pick("休日・時間外の開庁", "Extra openings"),
            format!("<ul class=\"openings\">{}</ul>", items.concat()),
        );
    }
    h.push_str("</dl></section>\n");
}

fn row_class(s: &KeyInput) -> &'static str {
    match s {
        KeyInput::Remaining { left: 1, .. } => "last",
        KeyInput::Remaining { .. } => "ok",
        KeyInput::Locked => "locked",
        KeyInput::Verified => "ok",
        KeyInput::Absent | KeyInput::Unknown => "absent",
        KeyInput::Unexpected { .. } => "odd",
    }
}

fn route_class(r: Route) -> &'static str {
    match r {
        Route::None => "none",
        Route::Kiosk | Route::PhoneApp => "self",
        Route::Conditional => "conditional",
        Route::Counter
        | Route::CertificateRenewal
        | Route::NoPinRoute
        | Route::CardRenewal
        | Route::SuspendAndReissue => "counter",
    }
}

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn human_date(d: time::Date, lang: Lang) -> String {
    let wd = usize::from(d.weekday().number_days_from_monday());
    let m = u8::from(d.month());
    match lang {
        Lang::Ja => format!("{}年{}月{}日（{}）", d.year(), m, d.day(), WEEKDAYS_JA[wd]),
        Lang::En => format!(
            "{} {} {} ({})",
            d.day(),
            MONTHS_EN[usize::from(m - 1)],
            d.year(),
            WEEKDAYS_EN[wd]
        ),
    }
}

fn human_time(now: OffsetDateTime, lang: Lang) -> String {
    let t = in_japan(now);
    let date = human_date(t.date(), lang);
    match lang {
        Lang::Ja => format!("{date} {}:{:02}", t.hour(), t.minute()),
        Lang::En => format!("{date} {:02}:{:02} Japan time", t.hour(), t.minute()),
    }
}

fn iso_minute(now: OffsetDateTime) -> String {
    let t = in_japan(now);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}+09:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Escapes text for HTML content and double- or single-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// [`esc`], keeping line breaks (multi-line addresses) as `<br>`.
fn esc_lines(s: &str) -> String {
    s.lines().map(esc).collect::<Vec<_>>().join("<br>")
}

/// The style sheet: the page size and type sizes for this paper and
/// density, then the fixed rules of src/slip.css (one file, readable as CSS).
/// Colours carry meaning only together with a word or a border, so a
/// black-and-white printer loses nothing.
fn css(paper: Paper, density: Density) -> String {
    // Page size, margin, and the sheet's size for the screen preview.
    let (size, margin, w, hgt) = match paper {
        Paper::A4 => ("A4", "10mm", "210mm", "297mm"),
        Paper::A5 => ("A5", "8mm", "148mm", "210mm"),
    };
    // Body type per density: never below 10.5 pt (issue 9); light advice
    // is set larger so it fills the page.
    let sizes: [f32; 4] = match paper {
        Paper::A4 => [13.0, 12.0, 11.0, 10.5],
        Paper::A5 => [11.0, 10.5, 10.5, 10.5],
    };
    let base = sizes[density as usize];
    let big = base * 1.7;
    format!(
        "@page {{ size: {size} portrait; margin: {margin}; }}\n\
         :root {{ --base: {base}pt; --big: {big}pt; --margin: {margin}; --sheet-w: {w}; --sheet-h: {hgt}; }}\n{}",
        include_str!("slip.css")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(esc_lines("a<b\nc"), "a&lt;b<br>c");
    }

    #[test]
    fn file_names_sort_by_japan_time() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_795_310_100_123_000_000).expect("time");
        assert_eq!(slip_file_name(t), "slip-20261122-101500-123.html");
    }

    #[test]
    fn dates_in_both_languages() {
        let d = time::macros::date!(2026 - 11 - 22);
        assert_eq!(human_date(d, Lang::Ja), "2026年11月22日（日）");
        assert_eq!(human_date(d, Lang::En), "22 Nov 2026 (Sun)");
    }
}
