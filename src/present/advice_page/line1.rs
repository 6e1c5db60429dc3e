//! Line 1 of the advice: the decision in one sentence (the answer first),
//! per route; for an open route, the question that decides it with the
//! route of each answer. Must not: decide (the route is the engine's).

use super::*;

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
            Some(c) => crate::advice::wording::line1_condition_sentence(a, c, lang),
            None => vocab::route_name(a.route, lang).to_string(),
        },
        Route::Kiosk => {
            let k = a.keys.iter().find(|k| k.route == Route::Kiosk);
            kiosk_sentence(k.map_or(KeyId::Auth, |k| k.key), lang)
        }
        Route::Counter if !counter_keys.is_empty() => {
            let mut s = counter_sentence(&counter_keys, lang);
            // Moving: the revoked 署名用 certificate rides in the same visit.
            if a
                .bring
                .iter()
                .any(|b| b.msg == crate::advice::msg::Msg::MovedOneVisit)
            {
                s = match lang {
                    Lang::Ja => format!(
                        "{}（引っ越し・氏名変更で失効した署名用電子証明書の再発行も同じ来庁で）。",
                        s.trim_end_matches('。')
                    ),
                    Lang::En => format!(
                        "{}; in the same visit, have the signature certificate reissued (the move revoked it).",
                        s.trim_end_matches('.')
                    ),
                };
            }
            s
        }
        Route::Counter => vocab::route_name(a.route, lang).to_string(),
        Route::None if no_certificate_but_asked(a) => lang
            .pick(
                "署名用パスワードの手続きは不要です。このカードには署名用電子証明書がなく、パスワードは使われていません（15歳未満や成年被後見人などには原則として発行されません）。",
                "nothing to do for the signature password: this card has no signature certificate, so the password is not in use (under-15s and adult wards are not issued one, in principle).",
            )
            .to_string(),
        Route::None => match renewal_due(a) {
            Some((date, days)) => renewal_due_sentence(&date, days, lang),
            None => route_sentence(a.route, a.rule, lang).to_string(),
        },
        Route::CertificateRenewal
        | Route::CardRenewal
        | Route::SuspendAndReissue
        | Route::NoPinRoute
        | Route::PhoneApp => route_sentence(a.route, a.rule, lang).to_string(),
    };
    // Renewal due soon is on line 1 whatever the route (issue 18); a
    // renewal or a new card already says it.
    let body = match (a.route, renewal_due(a)) {
        (
            Route::Kiosk | Route::Counter | Route::Conditional | Route::PhoneApp,
            Some((date, days)),
        ) => {
            let date = crate::japan_time::human_date_text(&date, lang);
            match lang {
                Lang::Ja => format!(
                    "{body}また、電子証明書の有効期限が{date}で、あと{days}日です。窓口で更新してください。"
                ),
                Lang::En => format!(
                    "{body} Also, the certificates expire in {days} days, on {date}: renew them at the counter."
                ),
            }
        }
        _ => body,
    };
    format!("{lead}{body}")
}

/// The 署名用 password was said to be locked or spent, on a card without a
/// 署名用 certificate (issue 18: not a reset of a password that is not
/// there).
fn no_certificate_but_asked(a: &Advice) -> bool {
    a.keys.iter().any(|k| {
        k.key == KeyId::Sign
            && k.reasons
                .iter()
                .any(|r| matches!(r.msg, crate::advice::msg::Msg::KeyNoCertificate { .. }))
            && (k.input == crate::advice::facts::KeyInput::Locked || k.input.spent(k.key))
    })
}

/// The certificates' expiry when it is within the renewal window.
fn renewal_due(a: &Advice) -> Option<(String, i64)> {
    a.warnings.iter().find_map(|s| match &s.msg {
        crate::advice::msg::Msg::ExpiringSoon { date, days } => Some((date.clone(), *days)),
        _ => None,
    })
}

/// Line 1 when no PIN needs anything but the certificates expire within
/// the renewal window (issue 18: not "nothing to do").
fn renewal_due_sentence(date: &str, days: i64, lang: Lang) -> String {
    let date = crate::japan_time::human_date_text(date, lang);
    match lang {
        Lang::Ja => format!(
            "暗証番号の手続きは不要です。電子証明書の有効期限が{date}で、あと{days}日です。市区町村の窓口で更新してください（無料）。"
        ),
        Lang::En => format!(
            "no PIN needs attention, but the certificates expire in {days} days, on {date}: renew them at the municipal counter (free)."
        ),
    }
}

/// Line 1 for the kiosk: which PIN, and the other one it uses.
pub(super) fn kiosk_sentence(k: KeyId, lang: Lang) -> String {
    let o = crate::advice::engine::other(k);
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
pub(super) fn counter_sentence(keys: &[KeyId], lang: Lang) -> String {
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
pub(super) fn route_sentence(
    route: Route,
    rule: crate::advice::model::RuleId,
    lang: Lang,
) -> &'static str {
    match route {
        Route::None if rule == crate::advice::model::RuleId::R4 => lang.pick(
            "健康保険証としての利用だけなら、急ぎの対応は不要です。",
            "if you only use the card for health insurance, nothing is urgent.",
        ),
        Route::None => lang.pick("対応は不要です。", "nothing to do."),
        Route::CertificateRenewal if rule == crate::advice::model::RuleId::R9 => lang.pick(
            "電子証明書の有効期限が切れています。市区町村の窓口で更新してください（無料）。",
            "the certificates have expired: renew them at the municipal counter (free).",
        ),
        Route::CertificateRenewal if rule == crate::advice::model::RuleId::R6 => lang.pick(
            "市区町村の窓口で署名用電子証明書を再発行します。",
            "have the signature certificate reissued at the municipal counter.",
        ),
        Route::CertificateRenewal => lang.pick(
            "市区町村の窓口で電子証明書の再発行・更新をします。",
            "have the certificates reissued or renewed at the municipal counter.",
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
            "this card has no PIN procedures.",
        ),
        Route::PhoneApp => lang.pick(
            "マイナポータルアプリで手続きします。",
            "use the Mynaportal app.",
        ),
        Route::Kiosk | Route::Counter | Route::Conditional => vocab::route_name(route, lang),
    }
}
