//! The slip's PIN table: one row per holder PIN, from the reading or, without
//! one, from what the advice was told, with tries drawn as dots. Must not:
//! decide anything (the route tags come from the advice).

use super::*;

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

pub(super) fn pin_table(h: &mut String, report: Option<&CardReport>, a: &Advice, lang: Lang) {
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
        let key_advice = a.keys.iter().find(|k| k.key == row.key);
        let _ = write!(
            h,
            "<tr class=\"{}\"><td class=\"key\">{}</td><td class=\"tries\">",
            row_class(&row.input),
            esc(&sentence_case(&vocab::pin_name_with_format(row.key, lang))),
        );
        tries_cell(h, &row, lang);
        h.push_str("</td><td class=\"key-route\">");
        if let Some(k) = key_advice {
            let _ = write!(
                h,
                "<span class=\"tag route-{}\">{}</span>",
                route_class(k.route),
                esc(&sentence_case(&crate::advice::wording::key_route_short(
                    k,
                    a.conditions.first().map(|c| c.question),
                    lang
                )))
            );
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn tries_cell(h: &mut String, row: &Row, lang: Lang) {
    let max = row.max;
    match &row.input {
        KeyInput::Remaining { left, .. } => remaining_cell(h, *left, max, lang),
        KeyInput::Locked => {
            let _ = write!(h, "{}", dots(0, max.unwrap_or(3)));
            let _ = write!(
                h,
                "<span class=\"badge locked\">{}</span>",
                esc(lang.pick("ロック中", "LOCKED"))
            );
        }
        KeyInput::Verified => note(
            h,
            lang.pick(
                "照合済み（回数は表示されません）",
                "verified in this session (count not shown)",
            ),
        ),
        KeyInput::Absent => note(h, lang.pick("このカードにはありません", "not on this card")),
        KeyInput::Unexpected { sw } => {
            let said = lang.pick("読み取れませんでした", "could not be read");
            let text = match sw {
                Some(sw) => format!("{said} ({sw})"),
                None => said.to_string(),
            };
            let _ = write!(h, "<span class=\"badge odd\">?</span>");
            note(h, &text);
        }
        KeyInput::Unknown => note(h, lang.pick("未確認", "not known")),
    }
    if row.mismatch {
        note(
            h,
            lang.pick(
                "カード内の2か所の記録が異なるため少ない方を表示",
                "the card's two records differ; the lower is shown",
            ),
        );
    }
}

/// The tries cell of a key with tries left: dots, the count in words, and a
/// warning on the last try or above the documented maximum.
fn remaining_cell(h: &mut String, left: u8, max: Option<u8>, lang: Lang) {
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
        note(
            h,
            lang.pick("上限を超える値", "more than the documented maximum"),
        );
    }
}

/// A small note in the tries cell.
fn note(h: &mut String, text: &str) {
    let _ = write!(
        h,
        "<span class=\"note\">{}</span>",
        esc(&sentence_case(text))
    );
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
