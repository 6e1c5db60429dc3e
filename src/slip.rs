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

use crate::advice::msg::route_label;
use crate::advice::{Advice, KeyInput, Msg, Route, Statement};
use crate::card::{CardKind, KeyId};
use crate::lang::Lang;
use crate::report::{CardReport, CertificateStatus, KeyState};
use crate::site::{japan_date, Paper, Site, JAPAN};
use crate::text::{key_label, kind_label};
use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

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
    let weight = text_weight(a, site, lang, now);
    // A5 holds half of A4; an advice too long for it at a legible size
    // goes on A4 (a printer's "fit to page" still gets it onto A5 paper).
    let (paper, density) = match Density::of(weight, paper) {
        Some(d) => (paper, d),
        None => (
            Paper::A4,
            Density::of(weight, Paper::A4).unwrap_or(Density::Densest),
        ),
    };
    let mut h = String::with_capacity(16 * 1024);
    let title = lang.pick(
        "マイナンバーカード 暗証番号の状態と手続きのご案内",
        "My Number Card: PIN status and what to do",
    );
    let html_lang = lang.pick("ja", "en");
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"jpki-status {}\">\n\
         <title>{}</title>\n<style>\n{}</style>\n</head>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title),
        css(paper, density)
    );
    let paper_class = match paper {
        Paper::A4 => "a4",
        Paper::A5 => "a5",
    };
    let _ = writeln!(
        h,
        "<body class=\"{paper_class}\" data-density=\"{}\" data-weight=\"{}\">\n<main class=\"sheet\">",
        density as u8,
        weight.round()
    );

    // Header: title and the date printed.
    let _ = writeln!(
        h,
        "<header><h1>{}</h1><p class=\"printed\">{} <time datetime=\"{}\">{}</time></p></header>",
        esc(title),
        esc(lang.pick("作成日時", "Printed")),
        esc(&iso_minute(now)),
        esc(&human_time(now, lang)),
    );

    // The route, big.
    // The summary statement of a plain route only repeats the route's
    // name ("判定: ..."), which is already the headline.
    let summary = match a.summary.msg {
        Msg::Summary { .. } => String::new(),
        _ => format!(
            "<p class=\"route-summary\">{}</p>",
            esc_lines(&statement_text(&a.summary, lang))
        ),
    };
    let _ = writeln!(
        h,
        "<section class=\"route route-{}\"><p class=\"route-label\">{}</p>{summary}</section>",
        route_class(a.route),
        esc(route_label(a.route, lang)),
    );
    if !a.conditions.is_empty() {
        let _ = writeln!(
            h,
            "<section class=\"conditions\"><h2>{}</h2><ul>",
            esc(lang.pick(
                "答えによって手続きが変わります",
                "The route depends on these answers"
            ))
        );
        for c in &a.conditions {
            let _ = writeln!(h, "<li>{}</li>", esc(&c.text));
        }
        h.push_str("</ul></section>\n");
    }

    pin_table(&mut h, report, a, lang);

    if let Some(site) = site {
        office(&mut h, site, lang, now);
    }

    // What to do, in two balanced columns: bring, stores, time, warnings.
    h.push_str("<div class=\"text\">\n");
    list(
        &mut h,
        lang.pick("持ち物・手順", "What to bring and do"),
        &a.bring,
        lang,
    );
    list(
        &mut h,
        lang.pick("再設定できる店舗", "Stores with kiosks"),
        &a.stores,
        lang,
    );
    if let Some(t) = &a.time_window {
        let _ = writeln!(
            h,
            "<section class=\"block time\"><h2>{}</h2><p class=\"hours\">{} <strong>{}</strong> · {} <strong>{}</strong></p><p>{}</p></section>",
            esc(lang.pick("時間", "Time window")),
            esc(lang.pick("キオスク端末", "Kiosk hours")),
            esc(&t.kiosk_hours),
            esc(lang.pick("アプリ予約の有効期間", "App reservation valid for")),
            esc(&match lang {
                Lang::Ja => format!("{}時間", t.reservation_valid_hours),
                Lang::En => format!("{} hours", t.reservation_valid_hours),
            }),
            esc_lines(&statement_text(&t.advice, lang)),
        );
    }
    list(&mut h, lang.pick("注意", "Take care"), &a.warnings, lang);
    h.push_str("</div>\n");

    // Notes and assumptions are for the desk more than for the holder:
    // the first thing to leave out when the page is full.
    let mut small: Vec<&Statement> = a.notes.iter().collect();
    small.extend(a.assumptions.iter());
    if !small.is_empty() && density != Density::Densest {
        let _ = write!(
            h,
            "<section class=\"notes\"><strong>{}</strong> ",
            esc(lang.pick("補足:", "Notes:"))
        );
        let items: Vec<String> = small
            .iter()
            .map(|s| esc_lines(&statement_text(s, lang)))
            .collect();
        h.push_str(&items.join(" / "));
        h.push_str("</section>\n");
    }

    let _ = writeln!(
        h,
        "<footer><p>{}</p><p>{} {} · jpki-status {}</p></footer>",
        esc(lang.pick(
            "この用紙には氏名・個人番号・電子証明書の情報など、個人を特定する情報は記載していません。暗証番号は誰にも教えないでください。",
            "This slip carries no name, no My Number and no certificate details. Never tell anyone your PINs.",
        )),
        esc(lang.pick("案内の根拠の確認日", "Rules checked")),
        esc(&a.rules_checked),
        esc(env!("CARGO_PKG_VERSION")),
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
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
        let limits = match paper {
            Paper::A4 => [1000.0, 1150.0, 1550.0, f64::INFINITY],
            Paper::A5 => [670.0, 1080.0, 1450.0, 1950.0],
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

/// How much text the slip carries, in width-weighted characters: a CJK
/// character is a full em, Latin text about half of one.
fn text_weight(a: &Advice, site: Option<&Site>, lang: Lang, now: OffsetDateTime) -> f64 {
    let weight = |t: &str| -> f64 {
        t.chars()
            .map(|c| if u32::from(c) >= 0x2E80 { 1.0 } else { 0.55 })
            .sum()
    };
    let mut w: f64 = a
        .bring
        .iter()
        .chain(&a.stores)
        .chain(&a.warnings)
        .chain(&a.notes)
        .chain(&a.assumptions)
        .chain(a.time_window.iter().map(|t| &t.advice))
        .map(|s| weight(&statement_text(s, lang)) + 8.0)
        .sum();
    w += a
        .conditions
        .iter()
        .map(|c| weight(&c.text) + 8.0)
        .sum::<f64>();
    if let Some(site) = site {
        // The office box spans the page; its lines are short.
        w += weight(&site.render_text(lang, now)) * 1.3;
    }
    w
}

/// A file name for a slip written at `now` in a watch-mode folder:
/// `slip-YYYYMMDD-HHMMSS-mmm.html`, Japan time, sorting by time. Two cards
/// read in the same millisecond get the same name: [`write_slip_in_dir`]
/// adds a suffix rather than overwrite.
pub fn slip_file_name(now: OffsetDateTime) -> String {
    let t = now.to_offset(JAPAN);
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

/// Writes a slip to `path`, replacing the file. The page is written to a
/// temporary file beside it and renamed, so a browser or a print spooler
/// watching the folder never opens half a page.
pub fn write_slip(path: &Path, html: &str) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the slip path has no file name",
        )
    })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    std::fs::write(&tmp, html)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes a slip into the folder `dir` under [`slip_file_name`]`(now)`,
/// never overwriting an existing slip (`-2`, `-3`... are added when two
/// cards share a millisecond). Returns the path written.
pub fn write_slip_in_dir(dir: &Path, now: OffsetDateTime, html: &str) -> io::Result<PathBuf> {
    let base = slip_file_name(now);
    let stem = base.trim_end_matches(".html");
    for n in 1..1000u32 {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{stem}-{n}.html")
        };
        let path = dir.join(name);
        // create_new reserves the name atomically against another writer;
        // the content then goes in through the temporary-file rename.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => {
                write_slip(&path, html)?;
                return Ok(path);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("too many slips named {base} in {}", dir.display()),
    ))
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
/// advice was told.
struct Row {
    key: KeyId,
    state: RowState,
    mismatch: bool,
}

enum RowState {
    Remaining { left: u8, max: Option<u8> },
    Locked { max: Option<u8> },
    Verified,
    Absent,
    Unexpected(Option<String>),
    Unknown,
}

fn rows(report: Option<&CardReport>, advice: &Advice) -> Vec<Row> {
    match report {
        Some(r) => r
            .keys
            .iter()
            .filter(|k| !k.diagnostic)
            .map(|k| Row {
                key: k.id,
                state: match (k.state, k.remaining) {
                    (KeyState::Remaining, Some(0)) | (KeyState::Locked, _) => {
                        RowState::Locked { max: k.max }
                    }
                    (KeyState::Remaining, Some(left)) => RowState::Remaining { left, max: k.max },
                    (KeyState::Verified, _) => RowState::Verified,
                    (KeyState::Absent, _) => RowState::Absent,
                    (KeyState::Remaining, None) | (KeyState::Unexpected, _) => {
                        RowState::Unexpected(k.sw.map(|s| s.to_string()))
                    }
                },
                mismatch: k.mismatch,
            })
            .collect(),
        None => advice
            .keys
            .iter()
            .map(|k| Row {
                key: k.key,
                state: match &k.input {
                    KeyInput::Remaining { left, max } => RowState::Remaining {
                        left: *left,
                        max: *max,
                    },
                    KeyInput::Locked => RowState::Locked {
                        max: k.key.spec().max,
                    },
                    KeyInput::Verified => RowState::Verified,
                    KeyInput::Absent => RowState::Absent,
                    KeyInput::Unexpected { sw } => RowState::Unexpected(sw.clone()),
                    KeyInput::Unknown => RowState::Unknown,
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
                facts.push(kind_label(r.card.kind, lang).to_string());
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
            row_class(&row.state),
            esc(&key_label(row.key, lang)),
        );
        tries_cell(h, &row, lang);
        h.push_str("</td><td class=\"key-route\">");
        if let Some(route) = route {
            let _ = write!(
                h,
                "<span class=\"tag route-{}\">{}</span>",
                route_class(route),
                esc(short_route(route, lang))
            );
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn tries_cell(h: &mut String, row: &Row, lang: Lang) {
    match &row.state {
        RowState::Remaining { left, max } => {
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
        RowState::Locked { max } => {
            let _ = write!(h, "{}", dots(0, max.unwrap_or(3)));
            let _ = write!(
                h,
                "<span class=\"badge locked\">{}</span>",
                esc(lang.pick("ロック中", "LOCKED"))
            );
        }
        RowState::Verified => {
            let _ = write!(
                h,
                "<span class=\"note\">{}</span>",
                esc(lang.pick(
                    "照合済み（回数は表示されません）",
                    "verified in this session (count not shown)"
                ))
            );
        }
        RowState::Absent => {
            let _ = write!(
                h,
                "<span class=\"note\">{}</span>",
                esc(lang.pick("このカードにはありません", "not on this card"))
            );
        }
        RowState::Unexpected(sw) => {
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
        RowState::Unknown => {
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

fn list(h: &mut String, title: &str, items: &[Statement], lang: Lang) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(h, "<section class=\"block\"><h2>{}</h2><ul>", esc(title));
    for s in items {
        let cond = match s.only_if {
            Some(route) => format!(
                "<span class=\"if\">{}</span>",
                esc(&match lang {
                    Lang::Ja => format!("［{}の場合］", short_route(route, lang)),
                    Lang::En => format!("[if {}] ", short_route(route, lang)),
                })
            ),
            None => String::new(),
        };
        let _ = writeln!(h, "<li>{cond}{}</li>", esc_lines(&statement_text(s, lang)));
    }
    h.push_str("</ul></section>\n");
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

fn row_class(s: &RowState) -> &'static str {
    match s {
        RowState::Remaining { left: 1, .. } => "last",
        RowState::Remaining { .. } => "ok",
        RowState::Locked { .. } => "locked",
        RowState::Verified => "ok",
        RowState::Absent | RowState::Unknown => "absent",
        RowState::Unexpected(_) => "odd",
    }
}

/// A route in a few words, for the table and the "if ..." prefixes where
/// the full label would repeat on every line.
fn short_route(r: Route, lang: Lang) -> &'static str {
    match (r, lang) {
        (Route::None, Lang::Ja) => "対応不要",
        (Route::PhoneApp, Lang::Ja) => "マイナポータルアプリ",
        (Route::Kiosk, Lang::Ja) => "キオスク",
        (Route::Conditional, Lang::Ja) => "答えしだい",
        (Route::Counter, Lang::Ja) => "窓口",
        (Route::CertificateRenewal, Lang::Ja) => "窓口で証明書の更新",
        (Route::NoPinRoute, Lang::Ja) => "手続きなし",
        (Route::CardRenewal, Lang::Ja) => "カードの再発行",
        (Route::SuspendAndReissue, Lang::Ja) => "一時停止・再発行",
        (Route::None, Lang::En) => "nothing to do",
        (Route::PhoneApp, Lang::En) => "Mynaportal app",
        (Route::Kiosk, Lang::En) => "kiosk",
        (Route::Conditional, Lang::En) => "depends",
        (Route::Counter, Lang::En) => "counter",
        (Route::CertificateRenewal, Lang::En) => "certificate renewal",
        (Route::NoPinRoute, Lang::En) => "no PIN route",
        (Route::CardRenewal, Lang::En) => "new card",
        (Route::SuspendAndReissue, Lang::En) => "suspend, reissue",
    }
}

fn route_class(r: Route) -> &'static str {
    match r {
        Route::None => "none",
        Route::Kiosk | Route::PhoneApp => "self",
        Route::Conditional => "conditional",
        _ => "counter",
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
    let t = now.to_offset(JAPAN);
    let date = human_date(t.date(), lang);
    match lang {
        Lang::Ja => format!("{date} {}:{:02}", t.hour(), t.minute()),
        Lang::En => format!("{date} {:02}:{:02} Japan time", t.hour(), t.minute()),
    }
}

fn iso_minute(now: OffsetDateTime) -> String {
    let t = now.to_offset(JAPAN);
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

/// The style sheet. Colours carry meaning only together with a word or a
/// border, so a black-and-white printer loses nothing.
fn css(paper: Paper, density: Density) -> String {
    // Page size, margin, and the sheet's size for the screen preview.
    let (size, margin, w, hgt) = match paper {
        Paper::A4 => ("A4", "12mm", "210mm", "297mm"),
        Paper::A5 => ("A5", "8mm", "148mm", "210mm"),
    };
    // Base type size per density; A5 has half the area, so about 0.7x.
    let sizes: [f32; 4] = match paper {
        Paper::A4 => [10.5, 9.5, 8.5, 7.5],
        Paper::A5 => [8.0, 7.0, 6.5, 6.0],
    };
    let base = sizes[density as usize];
    let big = base * 2.0;
    format!(
        r#"@page {{ size: {size} portrait; margin: {margin}; }}
* {{ box-sizing: border-box; }}
html {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
body {{ margin: 0; background: #e8e8e8; color: #111;
  font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", "Yu Gothic", "Meiryo", sans-serif;
  font-size: {base}pt; line-height: 1.4; }}
.sheet {{ width: {w}; min-height: {hgt}; margin: 0 auto; padding: {margin}; background: #fff; }}
@media print {{
  body {{ background: #fff; }}
  .sheet {{ width: auto; min-height: 0; margin: 0; padding: 0; }}
}}
header {{ display: flex; justify-content: space-between; align-items: baseline; gap: 1em;
  border-bottom: 2px solid #111; padding-bottom: 0.2em; margin-bottom: 0.5em; }}
h1 {{ font-size: 1.3em; margin: 0; }}
h2 {{ font-size: 1.05em; margin: 0 0 0.2em; border-left: 0.35em solid #555; padding-left: 0.4em; }}
p {{ margin: 0.15em 0; }}
ul {{ margin: 0.1em 0 0.2em; padding-left: 1.2em; }}
li {{ margin: 0.08em 0; }}
.printed {{ white-space: nowrap; font-size: 0.95em; margin: 0; }}
.route, .pins, .office, .conditions, li, .time p {{ break-inside: avoid; }}
.route {{ border: 3px solid #111; border-radius: 6px; padding: 0.3em 0.7em; margin-bottom: 0.5em; }}
.route-label {{ font-size: {big}pt; font-weight: 700; line-height: 1.25; margin: 0; }}
.route-summary {{ font-size: 1.05em; }}
.route-none {{ border-color: #1b7f3b; background: #eef8f0; }}
.route-self {{ border-color: #1c5fb8; background: #eef4fc; }}
.route-conditional {{ border-color: #a86b00; background: #fff7e6; border-style: dashed; }}
.route-counter {{ border-color: #b3261e; background: #fdeeed; }}
.conditions {{ margin-bottom: 0.4em; }}
.pins {{ margin-bottom: 0.5em; }}
.card-facts {{ font-size: 0.9em; color: #333; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 1px solid #999; padding: 0.2em 0.4em; vertical-align: middle; text-align: left; }}
th {{ background: #f0f0f0; font-size: 0.85em; font-weight: 600; }}
td.key {{ font-weight: 600; }}
td.tries {{ white-space: nowrap; }}
td.tries > * {{ vertical-align: middle; margin-right: 0.4em; }}
.count {{ font-weight: 700; font-size: 1.05em; }}
svg.dots {{ height: 1.5em; width: auto; }}
svg.dots circle.left {{ fill: #111; stroke: #111; stroke-width: 1; }}
svg.dots circle.used {{ fill: #fff; stroke: #111; stroke-width: 1.5; }}
tr.locked svg.dots circle.used {{ stroke: #b3261e; }}
.badge {{ display: inline-block; border: 2px solid #111; border-radius: 4px; padding: 0 0.4em;
  font-weight: 700; white-space: nowrap; }}
.badge.locked {{ background: #b3261e; border-color: #b3261e; color: #fff; font-size: 1.1em; letter-spacing: 0.05em; }}
.badge.warn {{ border-color: #a86b00; color: #7a4e00; background: #fff7e6; }}
.badge.odd {{ border-color: #555; }}
.note {{ font-size: 0.85em; color: #333; white-space: normal; }}
tr.absent td {{ color: #666; }}
.tag {{ display: inline-block; border: 1px solid #555; border-radius: 3px; padding: 0 0.3em; font-size: 0.9em; white-space: nowrap; }}
.tag.route-counter {{ border-color: #b3261e; }}
.tag.route-self {{ border-color: #1c5fb8; }}
.office {{ border: 2px solid #111; border-radius: 6px; padding: 0.3em 0.6em; margin-bottom: 0.5em; }}
.office-name {{ font-weight: 700; font-size: 1.15em; margin: 0 0 0.15em; }}
.office dl {{ margin: 0; display: grid; grid-template-columns: 1fr 1fr; column-gap: 1.2em; }}
.office dl > div {{ display: flex; gap: 0.5em; }}
.office dt {{ flex: 0 0 auto; font-weight: 600; font-size: 0.85em; color: #333; min-width: 4.5em; padding-top: 0.1em; }}
.office dd {{ margin: 0; }}
.office dd ul {{ margin: 0; padding-left: 1.1em; }}
.office dl > div.wide {{ grid-column: 1 / -1; }}
.office ul.openings {{ padding-left: 0; list-style: none; }}
.office ul.openings li {{ display: inline-block; margin: 0 1.2em 0 0; }}
.url {{ color: #111; word-break: break-all; }}
.text {{ column-count: 2; column-gap: 1.2em; column-rule: 1px solid #ccc; }}
.block {{ margin-bottom: 0.4em; }}
.if {{ font-weight: 600; }}
.hours strong {{ font-size: 1.1em; }}
.notes {{ font-size: 0.78em; color: #333; border-top: 1px solid #999; padding-top: 0.2em; margin-top: 0.3em; }}
footer {{ font-size: 0.75em; color: #333; border-top: 1px solid #111; margin-top: 0.4em; padding-top: 0.2em; }}
footer p {{ margin: 0; }}
"#
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
