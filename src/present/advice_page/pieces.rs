//! The pieces of the default view that the terminal and the slip share:
//! the primary route, steps, the checklist of what to bring, exception
//! lines, warnings and the other branches. Must not: lay anything out (the
//! terminal's layout is `advice_page`'s, the slip's is `slip`'s).

use super::*;

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

pub(super) fn applies(s: &Statement, route: Route) -> bool {
    s.only_if.is_none_or(|r| r == route)
}

/// Which branch the numbered steps are for, in a conditional advice:
/// 「コンビニ等の端末の場合」, or after an odd answer 「同じ応答で市区町村の
/// 窓口へ行く場合」 (the steps are for the reading repeating itself).
pub fn steps_for(a: &Advice, lang: Lang) -> String {
    let place = vocab::route_place(primary(a), lang);
    let odd = a
        .conditions
        .first()
        .is_some_and(|c| c.question == crate::advice::model::Question::OddAnswerRepeats);
    match (odd, lang) {
        (true, Lang::Ja) => format!("同じ応答で{place}へ行く場合"),
        (true, Lang::En) => format!("if it answers the same way, at {place}"),
        (false, Lang::Ja) => format!("{place}の場合"),
        (false, Lang::En) => format!("at {place}"),
    }
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
        // The office's own days and hours (site file) replace the generic
        // hours and the "most counters are closed today" line.
        .filter(|s| !(site && matches!(s.msg, Msg::CounterHours | Msg::CounterClosed { .. })))
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
        Route::Counter | Route::CertificateRenewal
            if has(&Msg::CounterHolder)
                || (has(&Msg::CertificateRenewal)
                    && !has(&Msg::CounterLegalRep)
                    && !has(&Msg::CounterProxy)) =>
        {
            vec![
                lang.pick("マイナンバーカード", "the card"),
                lang.pick(
                    "念のため顔写真付きの本人確認書類",
                    "a photo ID to be safe (driving licence, passport, etc.)",
                ),
            ]
        }
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
            let cases: Vec<String> = a
                .exceptions
                .iter()
                .filter(|e| e.route == r)
                .map(|e| crate::advice::wording::exception_case(e.question, e.answer, lang))
                .collect();
            let outcome = exception_outcome(r, lang);
            match (lang, cases.as_slice()) {
                (Lang::Ja, [one]) => format!("ただし、{one}は、{outcome}。"),
                // Several cases: each a whole clause in 「」 (never
                // 「…の、…の場合」), then 「のいずれかに当てはまる場合は」.
                (Lang::Ja, _) => format!(
                    "ただし、{}のいずれかに当てはまる場合は、{outcome}。",
                    cases
                        .iter()
                        .map(|c| format!(
                            "「{}」",
                            c.trim_end_matches("場合").trim_end_matches('の')
                        ))
                        .collect::<String>()
                ),
                (Lang::En, [one]) => format!("Except: if {one}, {outcome}."),
                (Lang::En, [init @ .., last]) => {
                    format!("Except: if {} or {last}, {outcome}.", init.join(", "))
                }
                (Lang::En, []) => String::new(),
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
///
/// With `site`, the "closed today" line is left out: the office's own days
/// are shown instead.
pub fn other_branches(a: &Advice, lang: Lang, site: bool) -> Vec<String> {
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
        // The branch's first statement says what it is; "closed today"
        // (the calendar) follows it rather than replacing it.
        let closed = a.bring.iter().find(|s| {
            !site && s.only_if == Some(b.route) && matches!(s.msg, Msg::CounterClosed { .. })
        });
        if let Some(s) = a.bring.iter().find(|s| {
            s.only_if == Some(b.route)
                && !detail_only(s)
                && !matches!(s.msg, Msg::CounterClosed { .. })
        }) {
            let bring = checklist(a, b.route, lang);
            let bring = match (bring.is_empty(), lang) {
                (true, _) => String::new(),
                (false, Lang::Ja) => format!("持ち物: {}。", bring.join("、")),
                (false, Lang::En) => format!(" Bring: {}.", bring.join(", ")),
            };
            let mut text = s.text.replace('\n', " ");
            if let Some(c) = closed {
                text.push_str(lang.pick("", " "));
                text.push_str(&c.text);
            }
            out.push(match lang {
                Lang::Ja => format!("{}の場合: {text}{bring}", vocab::route_place(b.route, lang)),
                Lang::En => format!("At {}: {text}{bring}", vocab::route_place(b.route, lang)),
            });
        }
    }
    out
}

/// Statements kept for the details view only.
pub(super) fn detail_only(s: &Statement) -> bool {
    matches!(
        s.msg,
        Msg::FaceAuthLocks | Msg::CardValidity | Msg::TriesNotCounted { .. }
    )
}

/// What an exception leads to, as the end of a sentence:
/// 「市区町村の窓口で手続きします」 / "go to the municipal counter".
fn exception_outcome(r: Route, lang: Lang) -> String {
    match (r, lang) {
        (Route::None, Lang::Ja) => "対応は不要です".into(),
        (Route::None, Lang::En) => "there is nothing to do".into(),
        (Route::Kiosk, Lang::Ja) => "コンビニ等の端末で再設定します".into(),
        (Route::Counter, Lang::Ja) => "市区町村の窓口で手続きします".into(),
        (Route::Counter, Lang::En) => "go to the municipal counter".into(),
        (Route::CertificateRenewal, Lang::Ja) => "窓口で電子証明書の再発行が必要です".into(),
        (Route::CertificateRenewal, Lang::En) => "reissue the certificate at the counter".into(),
        (Route::CardRenewal, Lang::Ja) => "新しいカードの申請が必要です".into(),
        (r, Lang::Ja) => format!("{}です", vocab::route_name(r, lang)),
        (r, Lang::En) => vocab::route_name(r, lang).to_string(),
    }
}
