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
pub(super) fn conditional_sentence(c: &Condition, lang: Lang) -> String {
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
pub(super) fn if_phrase(q: Question, c: Choice, lang: Lang) -> String {
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
            Lang::Ja => format!("「{}」なら", crate::advice::wording::choice_label(c, lang)),
            Lang::En => format!("if {}: ", crate::advice::wording::choice_label(c, lang)),
        },
    }
}
