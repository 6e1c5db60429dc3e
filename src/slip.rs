//! The printable slip a help desk hands to the card holder: one
//! self-contained HTML page (inline CSS, no script, no external resource)
//! laid out for one A4 or A5 sheet, in Japanese or English.
//!
//! Owns: the slip's layout and its few own words (headings, badges), the
//! sentence case of English text that starts a row or a paragraph, and the
//! naming of slip files in watch mode. Must not: decide anything (the route
//! and every sentence of advice come from `advice`), talk to a card, or print
//! anything that identifies the holder. The slip is paper: it is left on
//! counters and in bags, so it carries no name, no My Number, no ATR, no
//! reader name, no certificate serial or subject, and no certificate expiry
//! date (the certificate expires on a birthday, so its date gives away the
//! holder's birthday; see `statement_text`). docs/slip-and-site.md lists
//! what is shown and why.

use crate::present::advice_page as atext;
use crate::advice::vocab;
use crate::advice::{Advice, KeyInput, Msg, Route, Statement};
use crate::card::{CardKind, KeyId};
use crate::japan_time::{in_japan, japan_date};
use crate::lang::{sentence_case, Lang};
use crate::report::{CardReport, CertificateStatus};
use crate::site::{Paper, Site};
use std::borrow::Cow;
use std::fmt::Write as _;
use time::OffsetDateTime;

mod body;
mod pins;

use body::slip_body;
use pins::pin_table;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))] // also for tests
pub use crate::slip_file::{
    check_slip_path, slip_file_name, write_slip, write_slip_in_dir, SlipWriteError,
};

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
    let advice = in_lang(advice, lang);
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
            (
                "rules_checked",
                &esc(&crate::japan_time::long_date_text(&a.rules_checked, lang)),
            ),
            ("help_line_label", &esc(lang.pick("マイナンバー総合フリーダイヤル", "My Number help line"))),
            ("help_line", &esc(&match lang {
                Lang::Ja => format!("{}（{}）", vocab::HOTLINE, vocab::hotline_hours(lang)),
                Lang::En => format!("{} ({})", vocab::HOTLINE, vocab::hotline_hours(lang)),
            })),
        ],
    )
}

/// The slip's content without the sheet around it (no header, no footer):
/// the desk page shows it in a reader's panel, so the screen and the paper
/// carry the same words from the same code.
#[cfg(feature = "desk")]
pub(crate) fn render_content(
    report: Option<&CardReport>,
    advice: &Advice,
    site: Option<&Site>,
    lang: Lang,
    now: OffsetDateTime,
) -> String {
    slip_body(report, in_lang(advice, lang).as_ref(), site, lang, now).html
}

/// `advice` worded in `lang` (as it is, when it already is).
fn in_lang(advice: &Advice, lang: Lang) -> Cow<'_, Advice> {
    if advice.lang == Some(lang) {
        Cow::Borrowed(advice)
    } else {
        Cow::Owned(advice.clone().localized(lang))
    }
}

/// The slip's style sheet for the screen (A4, normal type), which the desk
/// page's panels use under their own rules.
#[cfg(feature = "desk")]
pub(crate) fn screen_css() -> String {
    css(Paper::A4, Density::Normal)
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
    // The health-insurance grace ends three months after the birthday
    // month: on paper it is said without the date, as of today.
    match s.msg {
        Msg::HealthInsuranceGrace { .. } => {
            return lang
                .pick(
                    "電子証明書の期限が切れても、健康保険証としての利用は期限の月の3か月後の月末まで続けられます。それまでに更新してください。",
                    "Health insurance use continues until the end of the third month after the month of expiry: renew before then.",
                )
                .to_string()
        }
        Msg::HealthInsuranceLapsed { .. } => {
            return lang
                .pick(
                    "健康保険証としての利用の期間（期限の月の3か月後の月末まで）は過ぎ、利用登録は解除されています。更新した後、医療機関などのカードリーダーで利用登録をやり直してください。",
                    "The health-insurance period (to the end of the third month after expiry) has passed and the registration has lapsed: after renewing, register again at a clinic's card reader.",
                )
                .to_string()
        }
        _ => {}
    }
    if s.text.is_empty() {
        s.msg.render(s.rule, lang)
    } else {
        s.text.clone()
    }
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
    if let Some(list) = upcoming_openings(site, lang, now) {
        item(lang.pick("休日・時間外の開庁", "Extra openings"), list);
    }
    h.push_str("</dl></section>\n");
}

/// The office's next extra openings as a list, or `None` when none is
/// ahead. Past openings are noise on a slip; a handful of upcoming ones is
/// what fits.
fn upcoming_openings(site: &Site, lang: Lang, now: OffsetDateTime) -> Option<String> {
    let upcoming = site.upcoming_openings(japan_date(now));
    if upcoming.is_empty() {
        return None;
    }
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
    Some(format!("<ul class=\"openings\">{}</ul>", items.concat()))
}

fn route_class(r: Route) -> &'static str {
    use crate::advice::RouteKind;
    match r.kind() {
        RouteKind::Nothing => "none",
        RouteKind::SelfService => "self",
        RouteKind::Undecided => "conditional",
        RouteKind::Counter => "counter",
    }
}

use crate::japan_time::human_date;

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
