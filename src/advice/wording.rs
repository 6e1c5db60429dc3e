//! The advice's Japanese and English text: every statement ([`Msg`]), the
//! questions, answers, exceptions and conditions, and the short labels of
//! key inputs; and [`Advice::localize`], which fills the `text` fields.
//!
//! Owns: every human string of the advice except names and volatile facts
//! (those are `vocab`'s). Must not: decide which statement applies (that is
//! `engine`). Facts in the text come from decision-rules.md.

use super::facts::KeyInput;
use super::model::{Choice, Question, Route, RuleId};
use super::msg::{Assumed, DayOff, Msg, Why};
use super::decision::{Advice, Branch, Condition, Exception};
use super::vocab;
use crate::card::KeyId;
use crate::japan_time::{human_date_text, short_minute_text};
use crate::lang::Lang;

/// The question, as asked (です・ます; PIN names from the vocabulary).
pub fn question_text(q: Question, lang: Lang) -> String {
    let knows = |k: KeyId| match lang {
        Lang::Ja => format!("{}を覚えていますか？", vocab::pin_name_with_format(k, lang)),
        Lang::En => format!(
            "Do you remember the {}?",
            vocab::pin_name_with_format(k, lang)
        ),
    };
    let fixed = match (q, lang) {
        (Question::KnowsAuth, _) => return knows(KeyId::Auth),
        (Question::KnowsSign, _) => return knows(KeyId::Sign),
        (Question::KnowsKenhojo, _) => return knows(KeyId::Kenhojo),
        (Question::KnowsJuki, _) => return knows(KeyId::Juki),
        (Question::CardExpired, Lang::Ja) => "カードの表面に印字された有効期限は過ぎていますか？",
        (Question::HealthInsuranceOnly, Lang::Ja) => "使いたいのは健康保険証としての利用（マイナ保険証）だけですか？",
        (Question::Moved, Lang::Ja) => "電子証明書の発行後に、引っ越しや氏名の変更をしましたか？",
        (Question::Smartphone, Lang::Ja) => "マイナンバーカードを読み取れる（NFC対応の）スマートフォンをお持ちですか？",
        (Question::Age, Lang::Ja) => "カードの名義人は何歳ですか？",
        (Question::AdultWard, Lang::Ja) => "名義人は成年被後見人などですか？",
        (Question::Who, Lang::Ja) => "手続きに行くのはどなたですか？",
        (Question::OddAnswerRepeats, Lang::Ja) => "カードをもう一度読み取っても、同じ想定外の応答になりますか？",
        (Question::IsMyNumberCard, Lang::Ja) => "読み取ったのはマイナンバーカードですか？（そうなら、動かさずにもう一度読み取ってください。同じならICチップの読み取り不良です）",
        (Question::OddAnswerRepeats, Lang::En) => "Does reading the card again give the same unexpected answer?",
        (Question::IsMyNumberCard, Lang::En) => "Is this a My Number Card? (If so, read it again holding it still; the same result means an unreadable chip)",
        (Question::CardExpired, Lang::En) => "Has the expiry date printed on the card passed?",
        (Question::HealthInsuranceOnly, Lang::En) => "Is health insurance use (マイナ保険証) the only thing the card is needed for?",
        (Question::Moved, Lang::En) => "Have you moved house or changed your name since the certificates were issued?",
        (Question::Smartphone, Lang::En) => "Do you have a smartphone that can read the card (NFC)?",
        (Question::Age, Lang::En) => "How old is the card holder?",
        (Question::AdultWard, Lang::En) => "Is the holder an adult ward (成年被後見人 etc.)?",
        (Question::Who, Lang::En) => "Who will go?",
    };
    fixed.to_string()
}

/// A question in a few words, for a key's row: 「署名用パスワードを覚えているか」.
pub fn question_short(q: Question, lang: Lang) -> String {
    if let Some(k) = knows_key(q) {
        return match lang {
            Lang::Ja => format!("{}を覚えているか", vocab::pin_name(k, lang)),
            Lang::En => format!("whether you remember the {}", vocab::pin_name(k, lang)),
        };
    }
    match q {
        Question::OddAnswerRepeats => lang.pick(
            "カードを読み直しても同じ応答か",
            "whether reading the card again gives the same answer",
        ),
        Question::IsMyNumberCard => lang.pick(
            "マイナンバーカードかどうか",
            "whether it is a My Number Card",
        ),
        _ => return question_text(q, lang),
    }
    .to_string()
}

/// What a key's row says to do, in a few words (the slip's table): the
/// route, or for an open one what settles it (issue 18: never "depends"
/// alone).
///
/// `line1`: the question line 1 already answers; a key it decides reads
/// "as above", one decided by the other questions "see the questions
/// below" (the slip lists them with their answers).
pub fn key_route_short(
    k: &super::decision::KeyAdvice,
    line1: Option<Question>,
    lang: Lang,
) -> String {
    if k.route != Route::Conditional {
        return vocab::route_short_name(k.route, lang).to_string();
    }
    for r in &k.reasons {
        match &r.msg {
            Msg::KeyOdd { .. } => {
                return lang
                    .pick("カードを読み直して確認", "read the card again")
                    .to_string()
            }
            // Short, for a table cell: line 1 and the questions block
            // below it name the questions.
            Msg::KeyDependsOn { questions, .. }
                if !questions.is_empty() && questions.iter().any(|q| Some(*q) == line1) =>
            {
                return lang.pick("上の判定のとおり", "as above").to_string();
            }
            Msg::KeyDependsOn { questions, .. } if !questions.is_empty() => {
                return lang
                    .pick("下の質問のとおり", "see the questions below")
                    .to_string();
            }
            _ => {}
        }
    }
    vocab::route_short_name(k.route, lang).to_string()
}

/// An exception in a few words, as a condition: 「引っ越し・氏名変更をした」.
pub fn exception_label(q: Question, c: Choice, lang: Lang) -> String {
    let ja = lang == Lang::Ja;
    let s = match (q, c) {
        (Question::Moved, Choice::Yes) => lang.pick(
            "電子証明書の発行後に引っ越しや氏名の変更をした",
            "you moved or changed your name since the certificates were issued",
        ),
        (Question::Smartphone, Choice::No) => lang.pick(
            "NFC対応のスマートフォンがない",
            "you have no smartphone that can read the card (NFC)",
        ),
        (Question::Who, Choice::Proxy) => lang.pick("任意代理人が行く", "an appointed proxy goes"),
        (Question::Who, Choice::LegalRep) => {
            lang.pick("法定代理人が行く", "a legal representative goes")
        }
        (Question::Age, Choice::Under15) => lang.pick("名義人が15歳未満", "the holder is under 15"),
        (Question::AdultWard, Choice::Yes) => {
            lang.pick("名義人が成年被後見人など", "the holder is an adult ward")
        }
        (Question::HealthInsuranceOnly, Choice::Yes) => lang.pick(
            "健康保険証として使うだけ",
            "you only need the card for health insurance",
        ),
        (Question::CardExpired, Choice::Yes) => lang.pick(
            "カードの有効期限も過ぎている",
            "the card itself is past its expiry",
        ),
        (q, c) => {
            return if ja {
                format!("{}「{}」", question_text(q, lang), choice_label(c, lang))
            } else {
                format!("{} {}", question_text(q, lang), choice_label(c, lang))
            }
        }
    };
    s.to_string()
}

/// An exception as a case: 「名義人が15歳未満の場合」, 「任意代理人が行く場合」
/// (a noun takes の before 場合); in English its label.
pub fn exception_case(q: Question, c: Choice, lang: Lang) -> String {
    let label = exception_label(q, c, lang);
    match lang {
        Lang::Ja => {
            let noun = matches!(
                (q, c),
                (Question::Age, Choice::Under15)
                    | (Question::AdultWard, Choice::Yes)
                    | (Question::HealthInsuranceOnly, Choice::Yes)
            ) || label.ends_with('」');
            format!("{label}{}場合", if noun { "の" } else { "" })
        }
        Lang::En => label,
    }
}

/// An exception in one line: 「任意代理人が行く場合は市区町村の窓口で再設定」.
pub fn render_exception(e: &Exception, lang: Lang) -> String {
    let case = exception_case(e.question, e.answer, lang);
    match lang {
        Lang::Ja => format!("{case}は{}", vocab::route_name(e.route, lang)),
        Lang::En => format!("if {case}, {}", vocab::route_name(e.route, lang)),
    }
}

/// An answer's label.
pub fn choice_label(c: Choice, lang: Lang) -> &'static str {
    match (c, lang) {
        (Choice::Yes, Lang::Ja) => "はい",
        (Choice::No, Lang::Ja) => "いいえ",
        (Choice::Under15, Lang::Ja) => "15歳未満",
        (Choice::From15To17, Lang::Ja) => "15〜17歳",
        (Choice::Adult, Lang::Ja) => "18歳以上",
        (Choice::Holder, Lang::Ja) => "本人",
        (Choice::LegalRep, Lang::Ja) => "法定代理人",
        (Choice::Proxy, Lang::Ja) => "任意代理人",
        (Choice::Yes, Lang::En) => "yes",
        (Choice::No, Lang::En) => "no",
        (Choice::Under15, Lang::En) => "under 15",
        (Choice::From15To17, Lang::En) => "15-17",
        (Choice::Adult, Lang::En) => "18 or over",
        (Choice::Holder, Lang::En) => "the holder",
        (Choice::LegalRep, Lang::En) => "a legal representative",
        (Choice::Proxy, Lang::En) => "an appointed proxy",
    }
}

fn why_text(w: Why, other: KeyId, lang: Lang) -> String {
    let o = vocab::pin_name(other, lang);
    match (w, lang) {
        (Why::OtherPinForgotten, Lang::Ja) => format!("端末で使う{o}を覚えていないため"),
        (Why::OtherPinUnknown, Lang::Ja) => format!("{o}を覚えているか分からないため"),
        (Why::OtherPinLocked, Lang::Ja) => format!("端末で使う{o}もロックされているため"),
        (Why::OtherPinUnreadable, Lang::Ja) => format!("{o}の状態を読み取れないため"),
        (Why::BothJpki, Lang::Ja) => "署名用と利用者証明用の両方の再設定が必要なため（端末では片方を使ってもう片方を再設定します）".into(),
        (Why::NoSmartphone, Lang::Ja) => "NFC対応のスマートフォンがないため".into(),
        (Why::SmartphoneUnknown, Lang::Ja) => "スマートフォンの有無が分からないため".into(),
        (Why::SignatureRevoked, Lang::Ja) => "引っ越し・氏名変更で署名用電子証明書が失効しているため".into(),
        (Why::MovedUnknown, Lang::Ja) => "発行後の引っ越し・氏名変更の有無が分からないため".into(),
        (Why::NoSignatureCertificate, Lang::Ja) => "署名用電子証明書が発行されていないため".into(),
        (Why::UnderAgeOrWard, Lang::Ja) => "15歳未満または成年被後見人などのため（原則として署名用電子証明書がありません）".into(),
        (Why::AgeUnknown, Lang::Ja) => "年齢・成年被後見人などかどうかが分からないため".into(),
        (Why::NoFaceMatch, Lang::Ja) => "本人がアプリで顔照合できないため".into(),
        (Why::WhoUnknown, Lang::Ja) => "本人が顔照合できるか分からないため".into(),
        (Why::OneVisit, Lang::Ja) => "ほかの暗証番号で窓口に行くので、1回の来庁でまとめるため".into(),
        (Why::CounterOnlyKey, Lang::Ja) => "この暗証番号には端末やアプリでの再設定がないため".into(),
        (Why::ProxyGoes, Lang::Ja) => "任意代理人は端末を使えないため（本人の暗証番号は誰にも教えてはいけません）".into(),
        (Why::OtherPinForgotten, Lang::En) => format!("the kiosk asks for the {o}, which is forgotten"),
        (Why::OtherPinUnknown, Lang::En) => format!("not known whether the {o} is remembered"),
        (Why::OtherPinLocked, Lang::En) => format!("the {o}, which the kiosk asks for, is locked too"),
        (Why::OtherPinUnreadable, Lang::En) => format!("the {o} could not be read"),
        (Why::BothJpki, Lang::En) => "both JPKI PINs need a reset (the kiosk resets one using the other)".into(),
        (Why::NoSmartphone, Lang::En) => "no smartphone that can read the card".into(),
        (Why::SmartphoneUnknown, Lang::En) => "not known whether there is a smartphone".into(),
        (Why::SignatureRevoked, Lang::En) => "the signature certificate was revoked by the move or name change".into(),
        (Why::MovedUnknown, Lang::En) => "not known whether the holder moved or changed name".into(),
        (Why::NoSignatureCertificate, Lang::En) => "no signature certificate is issued on this card".into(),
        (Why::UnderAgeOrWard, Lang::En) => "under 15 or an adult ward (no signature certificate in principle)".into(),
        (Why::AgeUnknown, Lang::En) => "age or adult-ward status not known".into(),
        (Why::NoFaceMatch, Lang::En) => "the holder cannot do the app's face match".into(),
        (Why::WhoUnknown, Lang::En) => "not known whether the holder can do the face match".into(),
        (Why::OneVisit, Lang::En) => "another PIN needs the counter: one visit for everything".into(),
        (Why::CounterOnlyKey, Lang::En) => "this PIN has no kiosk or app route".into(),
        (Why::ProxyGoes, Lang::En) => "an appointed proxy cannot use the kiosk (the holder's PIN must not be told to anyone)".into(),
    }
}

fn tries(left: Option<u8>, lang: Lang) -> String {
    match left {
        Some(n) => vocab::tries_left(n, lang),
        None => lang.pick("残り回数は未確認", "tries not counted").into(),
    }
}

impl Msg {
    /// The statement's text in `lang` (です・ます in Japanese; names and
    /// volatile facts from `vocab`). `rule` is accepted so that a code
    /// shared by rules could vary its text; today none does.
    pub fn render(&self, _rule: RuleId, lang: Lang) -> String {
        // Every code belongs to one topic: a new code must be placed here.
        let text = match self {
            Msg::Summary { .. }
            | Msg::CardRenewal
            | Msg::CardValidity
            | Msg::SuspendAndReissue
            | Msg::DamagedReissue
            | Msg::FaceAuthCard
            | Msg::PhoneToken
            | Msg::JukiCardToken
            | Msg::UnknownCard
            | Msg::PhoneCertificate => self.render_card(lang),
            Msg::KeyFine { .. }
            | Msg::KeyVerified { .. }
            | Msg::KeyNoSign { .. }
            | Msg::KeyNotNeeded { .. }
            | Msg::KeyNoCertificate { .. }
            | Msg::KeyAbsent { .. }
            | Msg::KeyOdd { .. }
            | Msg::KeyKiosk { .. } => self.render_key(lang),
            Msg::KeyCounter { .. }
            | Msg::KeyHealthInsuranceOnly { .. }
            | Msg::KeyWithRenewal { .. }
            | Msg::KeySignatureCertificate { .. }
            | Msg::KeyCovered { .. }
            | Msg::KeyDependsOn { .. } => self.render_key_route(lang),
            Msg::KioskStepsAuth
            | Msg::KioskStepsSign
            | Msg::NewPasswordFormat
            | Msg::FixLater { .. }
            | Msg::JukiAtNewMunicipality
            | Msg::MovedOneVisit
            | Msg::MoveDeadline
            | Msg::Stores { .. }
            | Msg::HealthInsuranceStillWorks => self.render_kiosk(lang),
            Msg::CounterHolder
            | Msg::CounterLegalRep
            | Msg::CounterProxy
            | Msg::CounterSomeoneElse
            | Msg::CertificateRenewal
            | Msg::CertificateReissue
            | Msg::OneVisit { .. } => self.render_counter(lang),
            Msg::GoNow { .. }
            | Msg::ReserveInMorning { .. }
            | Msg::FromOpening { .. }
            | Msg::CounterHours
            | Msg::CounterClosed { .. }
            | Msg::ExpiringSoon { .. } => self.render_time(lang),
            Msg::KioskOtherPin { .. }
            | Msg::OtherPinTwice { .. }
            | Msg::LastTry { .. }
            | Msg::NoRecovery
            | Msg::ReadingGap
            | Msg::MaybeFaceAuth
            | Msg::FaceAuthLocks
            | Msg::MoveRevokes
            | Msg::ExpiredHealthInsurance
            | Msg::HealthInsuranceGrace { .. }
            | Msg::HealthInsuranceLapsed { .. }
            | Msg::AboveMax { .. }
            | Msg::TriesNotCounted { .. } => self.render_warning(lang),
            Msg::Assumed { .. } => self.render_assumed(lang),
        };
        // Each topic answers every code listed for it (unit test
        // `every_code_has_text_in_both_languages`).
        text.unwrap_or_default()
    }

    /// The card as a whole: the summary, and routes for the card itself (renewal, reissue, not a My Number Card).
    fn render_card(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let hotline = vocab::HOTLINE;
        let text = match self {
            Msg::Summary { route } => {
                if ja {
                    format!("判定: {}", vocab::route_name(*route, lang))
                } else {
                    format!("Advice: {}", vocab::route_name(*route, lang))
                }
            }
            Msg::CardRenewal => {
                let months = vocab::CARD_EXPIRED_HEALTH_MONTHS;
                t(
                    &format!("カードの有効期限が過ぎています。新しいカードを申請してください（有効期限切れによる交付は無料です。暗証番号は交付時に新しく設定します）。電子証明書もカードと一緒に失効しています。健康保険証としての利用は、カードの有効期限から{months}か月間は続けられます。"),
                    &format!("The card has expired: apply for a new card (free of charge when it is replaced because it expired; new PINs are set when it is issued). The certificates expired with the card. The card still works as a health insurance card for {months} months after its expiry."),
                )
            }
            Msg::CardValidity => t(
                "カードの有効期限: 申請時18歳以上なら発行から10回目の誕生日、18歳未満なら5回目です（2022年4月1日より前は20歳が基準）。",
                "Card validity: until the 10th birthday after issuance if the holder was 18 or over when applying, the 5th if under 18 (the age was 20 before 1 Apr 2022).",
            ),
            Msg::SuspendAndReissue => {
                let (fee, no_cert, express) = (
                    vocab::REISSUE_FEE_YEN,
                    vocab::REISSUE_FEE_NO_CERTIFICATES_YEN,
                    vocab::EXPRESS_FEE_YEN,
                );
                if ja {
                    format!("まず {hotline}（24時間、音声ガイダンス2番）に電話して一時停止してください。家の外でなくした・盗まれた場合は警察に遺失届・盗難届を出し、受理番号を控えてください（再発行の申請に必要です。家の中でなくした場合は不要）。再発行は住所地の市区町村で申請します（{fee}円、電子証明書なしは{no_cert}円。特急発行（約{express}円）がある市区町村もあります）。一時停止の後に見つかった場合は、窓口で停止の解除と電子証明書の再発行が必要です。")
                } else {
                    format!("First call {hotline} (24 hours, option 2) to suspend the card. If it was lost or stolen outside the home, report it to the police (遺失届 / 盗難届) and note the 受理番号: the reissue needs it (not for a loss at home). Apply for the reissue at your municipality ({fee} yen, {no_cert} without certificates; some municipalities offer express issuance for about {express} yen). A card found after suspension needs the counter to lift the suspension, and its certificates are reissued.")
                }
            }
            Msg::DamagedReissue => {
                let (fee, no_cert) = (vocab::REISSUE_FEE_YEN, vocab::REISSUE_FEE_NO_CERTIFICATES_YEN);
                t(
                    &format!("カードの破損、またはICチップの読み取り不良です。住所地の市区町村で再発行を申請してください（カードと本人確認書類をお持ちください）。手数料は{fee}円（電子証明書なしは{no_cert}円）です。市区町村やJ-LISの誤り、災害など、本人の責任によらない場合は無料です。"),
                    &format!("The card is damaged or its chip cannot be read: apply for a reissue at your municipality (bring the card and an ID). The fee is {fee} yen ({no_cert} without certificates); it is free when the damage is not the holder's doing (an error by the municipality or J-LIS, or a disaster)."),
                )
            }
            Msg::FaceAuthCard => t(
                "顔認証マイナンバーカードには暗証番号の手続きがありません（読み取った残り回数に意味はありません）。暗証番号を使うサービスが必要な場合は、窓口で通常のカードへの切り替えを申し出てください。健康保険証としては使えます。",
                "A face-authentication card has no PIN procedures, and the tries read from it mean nothing. If you need services that use PINs, ask at the counter to switch to a standard card. The card still works as a health insurance card.",
            ),
            Msg::PhoneToken => t(
                "読み取ったのはスマホ用電子証明書で、マイナンバーカードではありません。スマートフォンの暗証番号はカードの暗証番号とは別のもので、マイナポータルアプリで手続きします（カードとカードの暗証番号が必要です）。",
                "This is a smartphone's electronic certificate, not a My Number Card. The smartphone's PINs are separate from the card's; reset them in the Mynaportal app (you need the card itself and its PINs).",
            ),
            Msg::JukiCardToken => t(
                "読み取ったのは住基カード（住民基本台帳カード）です。住基カードはすべて有効期限が過ぎています（最後の発行は2015年12月28日）。暗証番号の再設定はできないので、マイナンバーカードを申請してください。",
                "This is an old Basic Resident Register card (住基カード). Every such card has now expired (the last were issued on 28 Dec 2015), so its PINs cannot be reset: apply for a My Number Card.",
            ),
            Msg::UnknownCard => t(
                "カードの種類を判別できません（次期マイナンバーカードなど、仕組みの異なるカードの可能性があります）。マイナンバーカードの場合は、カードを動かさずにもう一度読み取ってください。",
                "The card type could not be identified (it may be a card that works differently, such as a next-generation card). If it is a My Number Card, read it again, holding it still.",
            ),
            Msg::PhoneCertificate => t(
                "スマートフォンの電子証明書（Android のスマホ用電子証明書、iPhone のマイナンバーカード）の問題は、マイナポータルアプリで手続きします。カードとその暗証番号が必要です。スマートフォンの暗証番号はカードとは別です。",
                "A problem with the smartphone's own certificate (Android スマホ用電子証明書, or the card on iPhone) is fixed in the Mynaportal app, not at a kiosk or counter. It needs the physical card and its PINs. Phone PINs are separate from the card's.",
            ),
            _ => return None,
        };
        Some(text)
    }

    /// One key's line when it needs no route: fine, not in use, odd, or the kiosk.
    fn render_key(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let name = |k: &KeyId| vocab::pin_name(*k, lang);
        let text = match self {
            Msg::KeyFine { key, left } => match (left, ja) {
                (Some(_), true) => format!("{}: {}です。覚えていれば対応は不要です。", name(key), tries(*left, lang)),
                (None, true) => format!("{}: 覚えているので対応は不要です。", name(key)),
                (Some(_), false) => format!("{}: {}; nothing to do if you remember it.", name(key), tries(*left, lang)),
                (None, false) => format!("{}: remembered; nothing to do.", name(key)),
            },
            Msg::KeyVerified { key } => t(
                &format!("{}: この読み取り中に照合済みです（残り回数は表示されません）。正常に使えます。", name(key)),
                &format!("{}: already verified during this reading (the card does not report the count); it is working.", name(key)),
            ),
            Msg::KeyNoSign { key } => t(
                &format!("{}: 対応は不要です。", name(key)),
                &format!("{}: nothing to do.", name(key)),
            ),
            Msg::KeyNotNeeded { key } => t(
                &format!("{}: 忘れていますが、今回の用途には使いません。必要になったら窓口で再設定できます。", name(key)),
                &format!("{}: forgotten, but not needed for what you want to do; you can reset it at the counter when you need it.", name(key)),
            ),
            Msg::KeyNoCertificate { key } => t(
                &format!("{}: 署名用電子証明書が発行されていないため、使われていません。", name(key)),
                &format!("{}: no signature certificate is issued, so it is not in use.", name(key)),
            ),
            Msg::KeyAbsent { key } => t(
                &format!("{}: このカード（または端末）にはありません。", name(key)),
                &format!("{}: not on this card or device.", name(key)),
            ),
            Msg::KeyOdd { key, sw } => {
                let sw = sw.map_or_else(|| "-".into(), |s| s.to_string());
                t(
                    &format!("{}: 想定外の応答がありました（{sw}）。カードを動かさずにもう一度読み取ってください。同じ応答が続く場合は、市区町村の窓口にご相談ください。", name(key)),
                    &format!("{}: the card gave an unexpected answer ({sw}). Read the card again, holding it still; if the answer repeats, ask at the municipal counter.", name(key)),
                )
            }
            Msg::KeyKiosk { key, other } => t(
                &format!("{}: アプリ「JPKI暗証番号リセット」で予約し、店舗の端末で再設定できます（{}を使います）。", name(key), name(other)),
                &format!("{}: can be reset with the 「JPKI暗証番号リセット」 app and a store kiosk (using the {}).", name(key), name(other)),
            ),
            _ => return None,
        };
        Some(text)
    }

    /// One key's line when the counter or another route decides it.
    fn render_key_route(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let name = |k: &KeyId| vocab::pin_name(*k, lang);
        let text = match self {
            Msg::KeyCounter { key, why } => {
                let other = if *key == KeyId::Auth { KeyId::Sign } else { KeyId::Auth };
                let reasons: Vec<String> = why.iter().map(|w| why_text(*w, other, lang)).collect();
                match (ja, reasons.is_empty()) {
                    (true, true) => format!("{}: 窓口で再設定します。", name(key)),
                    (true, false) => format!("{}: 窓口で再設定します（{}）。", name(key), reasons.join("、")),
                    (false, true) => format!("{}: reset at the counter.", name(key)),
                    (false, false) => format!("{}: reset at the counter ({}).", name(key), reasons.join("; ")),
                }
            }
            Msg::KeyHealthInsuranceOnly { key } => t(
                &format!("{}: 健康保険証として使うだけなら、急ぐ必要はありません（顔認証か職員の目視確認で受診できます）。", name(key)),
                &format!("{}: no hurry if you only use the card for health insurance (face authentication or a visual check by staff still works).", name(key)),
            ),
            Msg::KeyWithRenewal { key } => t(
                &format!("{}: 電子証明書の手続きと同じ来庁時に再設定します。", name(key)),
                &format!("{}: can be reset in the same visit as the certificate renewal.", name(key)),
            ),
            Msg::KeySignatureCertificate { key } => t(
                &format!("{}: 署名用電子証明書の再発行が必要です（暗証番号のリセットではありません）。", name(key)),
                &format!("{}: the signature certificate must be issued again at the counter; this is not a PIN reset.", name(key)),
            ),
            Msg::KeyCovered { key, route } => t(
                &format!("{}: カード全体の手続き（{}）に含まれます。", name(key), vocab::route_name(*route, lang)),
                &format!("{}: included in the procedure for the card ({}).", name(key), vocab::route_name(*route, lang)),
            ),
            Msg::KeyDependsOn { key, questions } => {
                let qs: Vec<String> = questions.iter().map(|q| question_short(*q, lang)).collect();
                match (ja, qs.is_empty()) {
                    (true, true) => format!("{}: 上の質問の答えで決まります。", name(key)),
                    (true, false) => format!("{}: {}で決まります。", name(key), qs.join("と、")),
                    (false, true) => format!("{}: decided by the questions above.", name(key)),
                    (false, false) => format!("{}: decided by {}.", name(key), qs.join(" and by ")),
                }
            }
            _ => return None,
        };
        Some(text)
    }

    /// The kiosk route's steps, and what to do after or alongside it.
    fn render_kiosk(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let name = |k: &KeyId| vocab::pin_name(*k, lang);
        let auth = name(&KeyId::Auth);
        let sign = name(&KeyId::Sign);
        let juki = name(&KeyId::Juki);
        let hours = vocab::RESERVATION_VALID_HOURS;
        let text = match self {
            Msg::KioskStepsAuth => t(
                &format!("スマートフォンのアプリ「JPKI暗証番号リセット」で予約します（{sign}を入力します）。\n{hours}時間以内に、対応する店舗のマルチコピー機で{sign}を入力し、新しい{auth}（数字4桁）を設定します。無料です。"),
                &format!("Reserve in the 「JPKI暗証番号リセット」 smartphone app (it asks for the {sign}).\nWithin {hours} hours, at a participating store's multi-copy machine, enter the {sign} again and set a new {auth} (4 digits). Free of charge."),
            ),
            Msg::KioskStepsSign => t(
                &format!("アプリ「JPKI暗証番号リセット」でカードを撮影し、{auth}を入力したうえで、本人の顔を撮影して照合します。\n{hours}時間以内に、対応する店舗の端末で{auth}を入力し、新しい{sign}を設定します。無料です。"),
                &format!("In the 「JPKI暗証番号リセット」 app, photograph the card, enter the {auth} and do the face match (the holder in person).\nWithin {hours} hours, enter the {auth} at a participating store's kiosk and set the new {sign}. Free of charge."),
            ),
            Msg::NewPasswordFormat => t(
                &format!("新しい{sign}は6〜16文字で、英大文字（A-Z）と数字をそれぞれ1文字以上使います。小文字は使えません。"),
                &format!("The new {sign}: 6-16 uppercase letters (A-Z) and digits, at least one of each; no lowercase letters."),
            ),
            Msg::HealthInsuranceStillWorks => t(
                "医療機関では、顔認証か職員の目視確認で、健康保険証として使えます。",
                "At hospitals and clinics, the card still works as a health insurance card with face authentication or a visual check by staff.",
            ),
            Msg::FixLater { kiosk: true } => t(
                &format!("暗証番号は後日、{sign}を覚えていれば店舗の端末で、覚えていなければ窓口で再設定できます。"),
                &format!("You can reset the PIN later: at a store kiosk if you remember the {sign}, otherwise at the counter."),
            ),
            Msg::FixLater { kiosk: false } => t(
                "暗証番号は後日、市区町村の窓口で再設定できます。",
                "You can reset the PIN later at the municipal counter.",
            ),
            Msg::JukiAtNewMunicipality => t(
                &format!("引っ越しの場合、{juki}は転入先の市区町村で、転入届とカードの継続利用の手続きに使います。忘れている場合は、同じ来庁時にそこで再設定できます。継続利用の手続きは転入届から90日以内です（過ぎるとカードが失効します）。"),
                &format!("When you move, the {juki} is entered at your new municipality for the move-in (転入) and the card's continued use (継続利用); if it is forgotten, it can be reset there in the same visit. Continued use must be done within 90 days of the move-in notice, or the card lapses."),
            ),
            Msg::MovedOneVisit => t(
                "引っ越しや氏名の変更により、署名用電子証明書は失効しています。e-Taxなどで使う場合は、同じ来庁時に再発行も申し出てください（1回の来庁で済みます）。",
                "The move or name change revoked the signature certificate. If you use it (for e-Tax, for example), ask for it to be reissued in the same visit.",
            ),
            Msg::MoveDeadline => t(
                "まだ転入届を出していなければ、引っ越した日から14日以内に新しい住所の市区町村へ届け出てください（過ぎるとカードが失効します）。転入届、カードの継続利用、署名用電子証明書の再発行、暗証番号の再設定は1回の来庁でまとめてできます。",
                "If you have not yet filed the move-in notice (転入届), file it at your new municipality within 14 days of the move, or the card lapses. The move-in notice, the card's continued use, the reissue of the signature certificate and the PIN reset can all be done in one visit.",
            ),
            Msg::Stores { key } => {
                let date = vocab::STORES_FACT.checked_text(lang);
                if ja {
                    format!("{}を再設定できる店舗（J-LISの一覧、{date}確認。順次拡大中です）: {}。", name(key), vocab::stores(*key, lang))
                } else {
                    format!("Stores that can reset the {} (J-LIS list, checked {date}; growing): {}.", name(key), vocab::stores(*key, lang))
                }
            }
            _ => return None,
        };
        Some(text)
    }

    /// The counter route by who goes, and the certificates' routes.
    fn render_counter(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let text = match self {
            Msg::CounterHolder => t(
                "住民票のある市区町村の窓口で、その日のうちに無料で再設定できます。",
                "Your municipality's counter (where your 住民票 is) does this the same day, free of charge.",
            ),
            Msg::CounterLegalRep => t(
                "15歳未満または成年被後見人などは、法定代理人と窓口で手続きします（端末は使えません）。持ち物: 本人のカード、法定代理人の本人確認書類（市区町村によって2点）、代理権の確認書類（戸籍謄本。市区町村で確認できれば省略されることが多いです。成年後見は登記事項証明書）。その日のうちに終わらないことがあります。",
                "Under 15 or an adult ward: go to the counter with the legal representative (法定代理人); the kiosk cannot be used. Bring the holder's card, the representative's ID (two items in some municipalities), proof of authority (戸籍謄本, often waived when verifiable locally; 登記事項証明書 for adult wards). It may not finish the same day.",
            ),
            Msg::CounterProxy => t(
                "任意代理人は2回来庁します。1回目: 本人のカードと代理人の本人確認書類（顔写真付き2点など）。市区町村から本人に照会書兼回答書が郵送されます（転送されません）。本人が新しい暗証番号を書いて封をします。2回目: 封をした回答書、カード、代理人の本人確認書類。委任状だけでは手続きできません。事前に市区町村に電話してください。",
                "An appointed proxy (任意代理人) makes two visits. Visit 1: the holder's card and the proxy's ID (often two photo IDs). The municipality mails an inquiry/answer form (照会書兼回答書, not forwarded) to the holder, who writes the new PIN and seals it. Visit 2: the sealed form, the card, the proxy's ID. A letter of delegation (委任状) alone is not enough: call the municipality first.",
            ),
            Msg::CounterSomeoneElse => t(
                "本人以外が行く場合は、必要な書類や来庁の回数が変わります（任意代理人は2回）。事前に市区町村にご確認ください。",
                "If someone other than the holder goes, the documents and number of visits differ (an appointed proxy makes two); check with the municipality first.",
            ),
            Msg::CertificateRenewal => t(
                "市区町村の窓口で電子証明書を更新します（無料）。カードをお持ちください。暗証番号を忘れている場合は、同じ来庁時に再設定できます。",
                "Renew the certificates at the municipal counter (free). Bring the card; a forgotten PIN can be reset in the same visit.",
            ),
            Msg::CertificateReissue => t(
                "市区町村の窓口で署名用電子証明書を再発行します。カードと本人確認書類をお持ちください。数字4桁の暗証番号を忘れている場合も、同じ来庁時に再設定できます。",
                "Have the signature certificate reissued at the municipal counter. Bring the card and an ID; a forgotten 4-digit PIN can be reset in the same visit.",
            ),
            Msg::OneVisit { keys } => {
                let names: Vec<&str> = keys.iter().map(|k| vocab::pin_name(*k, lang)).collect();
                if ja {
                    format!("{}は、1回の来庁でまとめて再設定できます。", names.join("と"))
                } else {
                    {
                    let the: Vec<String> = names.iter().map(|n| format!("the {n}")).collect();
                    let the: Vec<&str> = the.iter().map(String::as_str).collect();
                    format!("One counter visit covers them all: {}.", en_list(&the))
                }
                }
            }
            _ => return None,
        };
        Some(text)
    }

    /// What the time of day or the certificates' dates change.
    fn render_time(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let text = match self {
            Msg::GoNow { until } => {
                // The kiosk hours are in the morning advice and the details;
                // today only the last useful time matters.
                let last = vocab::clock(vocab::KIOSK_LAST_START);
                let until = short_minute_text(until, lang);
                if ja {
                    format!("今日行く場合は、{last}までに店舗に着くようにしてください。予約は{until}まで有効です。")
                } else {
                    format!(
                        "If you go today, be at the store by {last}. The reservation is valid until {until}."
                    )
                }
            }
            Msg::ReserveInMorning { date } => {
                let open = vocab::clock(vocab::KIOSK_OPENS);
                let close = vocab::clock(vocab::KIOSK_CLOSES);
                let date = short_date_text(date, lang);
                if ja {
                    format!("今日は店舗の端末での手続きに間に合いません（端末の利用時間は{open}〜{close}）。{date}の{open}以降にアプリで予約し、その日のうちに店舗へ行ってください。")
                } else {
                    format!("Too late for a store kiosk today (open {open}-{close}). Reserve in the app from {open} on {date} and go to the store that day.")
                }
            }
            Msg::FromOpening { date } => {
                let open = vocab::clock(vocab::KIOSK_OPENS);
                let last = vocab::clock(vocab::KIOSK_LAST_START);
                let date = short_date_text(date, lang);
                if ja {
                    format!("店舗の端末は、今日{date}の{open}から使えます。アプリでの予約は今すぐできます。{last}までに店舗へ行ってください。")
                } else {
                    format!("Store kiosks open at {open} today ({date}); you can reserve in the app now. Be at the store by {last}.")
                }
            }
            Msg::CounterHours => {
                let hours = vocab::counter_hours_generic(lang);
                if ja {
                    format!("窓口の受付時間は市区町村ごとです（{hours}）。全国一斉のシステム停止日は電子証明書の手続きができません。")
                } else {
                    format!("Counter hours differ by municipality ({hours}). No certificate procedures on nationwide system maintenance days.")
                }
            }
            Msg::CounterClosed {
                date,
                day_off,
                reopens,
            } => {
                let date = short_date_text(date, lang);
                let reopens = short_date_text(reopens, lang);
                let why = match (day_off, lang) {
                    (DayOff::Weekend, Lang::Ja) => "、",
                    (DayOff::Holiday, Lang::Ja) => "祝日のため、",
                    (DayOff::YearEnd, Lang::Ja) => "年末年始（12月29日〜1月3日）のため、",
                    (DayOff::Weekend, Lang::En) => "",
                    (DayOff::Holiday, Lang::En) => " is a national holiday:",
                    (DayOff::YearEnd, Lang::En) => " is in the year-end holidays (29 Dec-3 Jan):",
                };
                if ja {
                    format!("今日{date}は{why}多くの市区町村の窓口が閉まっています。通常は{reopens}から開きます（土日・祝日に開く窓口もあります。行く前に市区町村に確認してください）。")
                } else {
                    format!("Today, {date},{why} most municipal counters are closed; they usually reopen on {reopens} (some open at weekends or on holidays, so check with your municipality first).")
                }
            }
            Msg::ExpiringSoon { date, days } => {
                let date = human_date_text(date, lang);
                match (ja, *days) {
                    (true, _) => format!("電子証明書の有効期限は{date}です（あと{days}日）。有効期限の3か月前から、窓口で無料で更新できます。"),
                    (false, 1) => format!("The certificates expire tomorrow, {date}. You can renew them at the counter, free of charge, from 3 months before expiry."),
                    (false, _) => format!("The certificates expire in {days} days, on {date}. You can renew them at the counter, free of charge, from 3 months before expiry."),
                }
            }
            _ => return None,
        };
        Some(text)
    }

    /// Warnings about tries and what spends or revokes them.
    fn render_warning(&self, lang: Lang) -> Option<String> {
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let name = |k: &KeyId| vocab::pin_name(*k, lang);
        let text = match self {
            Msg::KioskOtherPin { key, left: Some(n) } => t(
                &format!("アプリと端末で{}を入力します（{}）。", name(key), tries(Some(*n), Lang::Ja)),
                &format!("The app and the kiosk ask for the {} ({}).", name(key), tries(Some(*n), Lang::En)),
            ),
            Msg::KioskOtherPin { key, left: None } => t(
                &format!("アプリと端末で{}を入力します（残り回数は、カードを読み取ると確認できます）。", name(key)),
                &format!("The app and the kiosk ask for the {} (read the card to see how many tries are left).", name(key)),
            ),
            Msg::OtherPinTwice { key, left } => t(
                &format!("{}はアプリと端末で2回入力し、間違えるたびに残り回数が1回減ります。{}しかありません。自信がなければ、窓口で手続きしてください。", name(key), tries(Some(*left), Lang::Ja)),
                &format!("The {} is entered twice (in the app and at the kiosk), and each wrong entry uses up a try; it has only {}. If you are not sure of it, go to the counter.", name(key), tries(Some(*left), Lang::En)),
            ),
            Msg::LastTry { key } => t(
                &format!("{}は残り1回です。あと1回間違えるとロックされます。自信がなければ、忘れたものとして扱ってください。", name(key)),
                &format!("The {} has 1 try left: one more wrong entry locks it. If you are not sure of it, treat it as forgotten.", name(key)),
            ),
            Msg::NoRecovery => t(
                "残り回数は、時間がたっても元に戻りません。一度正しく入力すると最大に戻ります。医療機関で職員が目視で確認しても戻りません。",
                "Tries do not come back with time; one correct entry restores the maximum. A visual check by hospital staff does not restore them.",
            ),
            Msg::MaybeFaceAuth => t(
                "どの暗証番号もロックと読めました。カードの追記欄に「顔認証」とあれば、暗証番号を設定せずに交付される顔認証マイナンバーカードかもしれません。その応答は公開されておらず、いつもこう読める可能性があります（その場合は暗証番号の手続きはありません）。",
                "Every PIN reads as locked. If the card's 追記欄 says 「顔認証」, this may be a 顔認証マイナンバーカード, which is issued with no PINs: what it answers is not published, and it may always read like this (then there is no PIN route).",
            ),
            Msg::ReadingGap => t(
                "カードの一部（種類の情報か電子証明書）を読めませんでした。この結果だけで「対応不要」とは言えません。カードを置き直してもう一度読んでください。同じことが続くときは市区町村の窓口で相談してください。",
                "Part of the card (what kind of card it is, or its certificate) could not be read, so this reading alone cannot say nothing needs doing. Place the card again and read it again; if the same happens again, ask at the municipal counter.",
            ),
            Msg::FaceAuthLocks => t(
                "顔認証も10回失敗すると単独でロックされます。",
                "Face authentication locks on its own after 10 failures.",
            ),
            Msg::MoveRevokes => t(
                "引っ越しや氏名変更をすると、署名用電子証明書は自動的に失効します（利用者証明用は失効しません）。「パスワードは正しいのに e-Tax で使えない」のは多くの場合この失効で、ロックではありません。",
                "Moving house or changing name revokes the signature certificate automatically (the user-authentication one survives). \"Correct password but e-Tax still fails\" is usually a revoked certificate, not a lock.",
            ),
            Msg::HealthInsuranceGrace { until } => {
                let until = human_date_text(until, lang);
                t(
                    &format!("電子証明書の期限が切れても、健康保険証としての利用（マイナ保険証）は{until}まで続けられます（期限の月の3か月後の月末まで）。それまでに更新してください。"),
                    &format!("Health insurance use (マイナ保険証) continues until {until} (the end of the third month after the month of expiry): renew before then."),
                )
            }
            Msg::HealthInsuranceLapsed { ended } => {
                let ended = human_date_text(ended, lang);
                t(
                    &format!("健康保険証としての利用（マイナ保険証）は{ended}で終わり、利用登録は解除されています。電子証明書を更新した後、医療機関などのカードリーダーで利用登録をやり直してください。"),
                    &format!("Health insurance use (マイナ保険証) ended on {ended} and its registration has lapsed: after renewing the certificates, register again at a clinic's card reader."),
                )
            }
            Msg::ExpiredHealthInsurance => t(
                "電子証明書の期限が切れても、健康保険証としての利用は期限の月の3か月後の月末まで続けられます。コンビニ等の端末での再設定は、両方の電子証明書が有効な場合に限られます。",
                "The card still works as a health insurance card until the end of the third month after the month the certificates expired. A store kiosk reset needs both certificates to be valid.",
            ),
            Msg::AboveMax { key, left } => t(
                &format!("カードが返した{}の残り回数（{left}回）は、公表されている上限を超えています。珍しい例なので、報告していただけると助かります。", name(key)),
                &format!("The card reports {} for the {}, more than the documented maximum. This is unusual; please report it.", tries(Some(*left), Lang::En), name(key)),
            ),
            Msg::TriesNotCounted { key } => t(
                &format!("{}の残り回数は、カードを読み取っていないため分かりません。手続きの前にカードを読み取って確かめてください。", name(key)),
                &format!("The tries left on the {} are not known because no card was read: read the card before you start.", name(key)),
            ),
            _ => return None,
        };
        Some(text)
    }

    /// An assumption the advice was given under.
    fn render_assumed(&self, lang: Lang) -> Option<String> {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String { lang.pick(j, e).to_string() };
        let hotline = vocab::HOTLINE;
        let text = match self {
            Msg::Assumed { fact } => match fact {
                Assumed::CardExpired => t(
                    "前提: カードの有効期限は切れていません（切れていれば新しいカードの申請です）。",
                    "Assumed: the card is not past its printed expiry (if it is: apply for a new card, R0).",
                ),
                Assumed::Lost => {
                    if ja {
                        format!("前提: カードは紛失・盗難されていません（されていれば {hotline} で一時停止して再発行です）。")
                    } else {
                        format!("Assumed: the card is not lost or stolen (if it is: suspend via {hotline}, then reissue, R1).")
                    }
                }
                Assumed::Damaged => t(
                    "前提: カードは破損していません（破損・読み取り不良なら再発行です）。",
                    "Assumed: the card is not damaged (if it is, or the chip is unreadable: reissue, R1b).",
                ),
                Assumed::FaceAuthCard => t(
                    "前提: 追記欄に「顔認証」の記載はありません（あれば暗証番号の手続きはありません）。",
                    "Assumed: the card's 追記欄 does not say 「顔認証」 (if it does: no PIN route, R2).",
                ),
                Assumed::PhoneCertificate => t(
                    "前提: 問題はスマートフォンの電子証明書ではなくカードにあります（スマホならマイナポータルアプリです）。",
                    "Assumed: the trouble is with the card, not a smartphone certificate (that would be the Mynaportal app, R14).",
                ),
            },
            _ => return None,
        };
        Some(text)
    }
}

/// An English list: "a", "a and b", "a, b and c".
fn en_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `YYYY-MM-DD` as 「11月25日（水）」 ("Wed 25 Nov"); unchanged otherwise.
fn short_date_text(s: &str, lang: Lang) -> String {
    crate::japan_time::parse_date_text(s)
        .map_or_else(|| s.to_string(), |d| crate::japan_time::short_date(d, lang))
}

/// The key a "do you remember ..." question is about.
fn knows_key(q: Question) -> Option<KeyId> {
    match q {
        Question::KnowsAuth => Some(KeyId::Auth),
        Question::KnowsSign => Some(KeyId::Sign),
        Question::KnowsKenhojo => Some(KeyId::Kenhojo),
        Question::KnowsJuki => Some(KeyId::Juki),
        Question::CardExpired
        | Question::HealthInsuranceOnly
        | Question::Moved
        | Question::Smartphone
        | Question::Age
        | Question::AdultWard
        | Question::Who
        | Question::OddAnswerRepeats
        | Question::IsMyNumberCard => None,
    }
}

/// 「署名用パスワードを覚えていれば」 / "if you remember the signature
/// password: ".
pub fn if_phrase(q: Question, c: Choice, lang: Lang) -> String {
    if let Some(k) = knows_key(q) {
        return match (c, lang) {
            (Choice::Yes, Lang::Ja) => format!("{}を覚えていれば", vocab::pin_name(k, lang)),
            (_, Lang::Ja) => "忘れていれば".to_string(),
            (Choice::Yes, Lang::En) => {
                format!("if you remember the {}, ", vocab::pin_name(k, lang))
            }
            (_, Lang::En) => "if not, ".to_string(),
        };
    }
    match q {
        Question::OddAnswerRepeats => match (c, lang) {
            (Choice::Yes, Lang::Ja) => "もう一度読み取っても同じ応答なら".into(),
            (_, Lang::Ja) => "違う応答なら".into(),
            (Choice::Yes, Lang::En) => "if reading the card again gives the same answer, ".into(),
            (_, Lang::En) => "if not, ".into(),
        },
        Question::IsMyNumberCard => match (c, lang) {
            (Choice::Yes, Lang::Ja) => "マイナンバーカードなら".into(),
            (_, Lang::Ja) => "そうでなければ".into(),
            (Choice::Yes, Lang::En) => "if it is a My Number Card, ".into(),
            (_, Lang::En) => "if not, ".into(),
        },
        _ => match lang {
            Lang::Ja => format!("「{}」なら", choice_label(c, lang)),
            Lang::En => format!("if {}, ", choice_label(c, lang)),
        },
    }
}

/// A branch's outcome in words: its route, or, when its answer alone does
/// not settle it, the question that does with the route of each answer
/// (never "depends" alone: issue 18). `line1`: the question of line 1, so
/// that its own branches read "as above".
fn branch_text(q: Question, b: &Branch, line1: Option<Question>, lang: Lang) -> String {
    if q == Question::OddAnswerRepeats && b.answer == Choice::No {
        return lang
            .pick(
                "新しい読み取り結果の案内のとおりです",
                "follow the advice of the new reading",
            )
            .to_string();
    }
    match &b.then {
        Some(t) if Some(t.question) == line1 && b.answer == q.usual() => {
            lang.pick("上の判定のとおりです", "as above").to_string()
        }
        Some(t) => {
            let parts: Vec<String> = t
                .branches
                .iter()
                .map(|sb| {
                    format!(
                        "{}{}",
                        if_phrase(t.question, sb.answer, lang),
                        branch_text(t.question, sb, None, lang)
                    )
                })
                .collect();
            parts.join(lang.pick("、", "; "))
        }
        None => vocab::route_name(b.route, lang).to_string(),
    }
}

/// A condition: the question, then one line per answer with its route
/// (「はい → …」), branches separated by line breaks. `line1` is the
/// question line 1 already answers.
pub fn render_condition_after(c: &Condition, line1: Option<Question>, lang: Lang) -> String {
    let mut out = question_text(c.question, lang);
    for b in &c.branches {
        out.push('\n');
        out.push_str(&format!(
            "{} → {}",
            choice_label(b.answer, lang),
            branch_text(c.question, b, line1, lang)
        ));
    }
    out
}

/// Line 1 of an open decision: 「署名用パスワードを覚えていれば対応不要、
/// 忘れていればコンビニ等の端末（利用者証明用暗証番号を使います）です。」
pub fn conditional_sentence(c: &Condition, lang: Lang) -> String {
    let parts: Vec<String> = c
        .branches
        .iter()
        .map(|b| {
            let mut place = vocab::route_place(b.route, lang).to_string();
            // "Forgot this JPKI PIN → the kiosk" says which PIN the kiosk
            // uses: the other one (the other question says what happens
            // without it).
            if b.route == Route::Kiosk && b.answer == Choice::No {
                let other = match c.question {
                    Question::KnowsAuth => Some(KeyId::Sign),
                    Question::KnowsSign => Some(KeyId::Auth),
                    _ => None,
                };
                if let Some(k) = other {
                    place.push_str(&match lang {
                        Lang::Ja => format!("（{}を使います）", vocab::pin_name(k, lang)),
                        Lang::En => format!(" (using the {})", vocab::pin_name(k, lang)),
                    });
                }
            }
            format!("{}{place}", if_phrase(c.question, b.answer, lang))
        })
        .collect();
    match lang {
        Lang::Ja => format!("{}です。", parts.join("、")),
        Lang::En => format!("{}.", parts.join("; ")),
    }
}

/// Line 1 of an open decision whose first condition is `c`: the odd
/// answer's own instruction, or the question with the route per answer.
pub fn line1_condition_sentence(a: &Advice, c: &Condition, lang: Lang) -> String {
    if c.question == Question::OddAnswerRepeats {
        odd_sentence(&a.odd_keys(), lang)
    } else {
        conditional_sentence(c, lang)
    }
}

/// Line 1 when a key answered oddly: read the card again first; the same
/// answer means the counter (issue 18: its own instruction, never tied to
/// a question about another key).
pub fn odd_sentence(keys: &[KeyId], lang: Lang) -> String {
    if keys.is_empty() {
        // No key answered oddly: the question comes from a refused read of
        // the card itself (a reading with a gap, issue 19); the card line
        // says which read and what the card answered.
        return lang
            .pick(
                "カードをもう一度読み取ってください（カードの情報の一部を読み取れませんでした）。同じ応答なら市区町村の窓口です。",
                "read the card again (part of the card could not be read); if it answers the same way, go to the municipal counter.",
            )
            .to_string();
    }
    let names: Vec<&str> = keys.iter().map(|k| vocab::pin_name(*k, lang)).collect();
    match lang {
        Lang::Ja => format!(
            "カードをもう一度読み取ってください（{}の応答が想定外でした）。同じ応答なら市区町村の窓口です。",
            names.join("・")
        ),
        Lang::En => format!(
            "read the card again (the {} gave an unexpected answer). If it answers the same way, go to the municipal counter.",
            names.join(" and the ")
        ),
    }
}

/// What the key input says, briefly, for the per-key lines.
pub fn input_label(input: &KeyInput, lang: Lang) -> String {
    match (input, lang) {
        (KeyInput::Unknown, Lang::Ja) => "不明".into(),
        (KeyInput::Unknown, Lang::En) => "unknown".into(),
        (KeyInput::Remaining { left, max: Some(m) }, Lang::Ja) => format!("残り{left}/{m}回"),
        (KeyInput::Remaining { left, max: Some(m) }, Lang::En) => format!("{left} of {m} tries"),
        (KeyInput::Remaining { left, max: None }, _) => tries(Some(*left), lang),
        (KeyInput::Locked, Lang::Ja) => "ロック中".into(),
        (KeyInput::Locked, Lang::En) => "locked".into(),
        (KeyInput::Verified, Lang::Ja) => "照合済み".into(),
        (KeyInput::Verified, Lang::En) => "verified".into(),
        (KeyInput::Absent, Lang::Ja) => "なし".into(),
        (KeyInput::Absent, Lang::En) => "absent".into(),
        (KeyInput::Unexpected { .. }, Lang::Ja) => "想定外の応答".into(),
        (KeyInput::Unexpected { .. }, Lang::En) => "unexpected answer".into(),
    }
}

impl Advice {
    /// Fills every `text` field (statements, conditions, source labels) in
    /// `lang`.
    pub fn localize(&mut self, lang: Lang) {
        for s in self.statements_mut() {
            s.text = s.msg.render(s.rule, lang);
        }
        // An open decision's summary is line 1 itself: the question and
        // the route per answer, never "depends" alone (issue 18).
        if let Some(c) = self.conditions.first() {
            let sentence = line1_condition_sentence(self, c, lang);
            self.summary.text = format!("{}{sentence}", lang.pick("判定: ", "Advice: "));
        }
        let line1 = self.conditions.first().map(|c| c.question);
        for (i, c) in self.conditions.iter_mut().enumerate() {
            c.text = render_condition_after(c, line1.filter(|_| i > 0), lang);
        }
        for e in &mut self.exceptions {
            e.text = render_exception(e, lang);
        }
        for s in &mut self.sources {
            s.label = s.key.describe(lang).to_string();
        }
        self.lang = Some(lang);
    }

    /// The keys that answered oddly.
    pub fn odd_keys(&self) -> Vec<KeyId> {
        self.keys
            .iter()
            .filter(|k| {
                k.reasons
                    .iter()
                    .any(|r| matches!(r.msg, Msg::KeyOdd { .. }))
            })
            .map(|k| k.key)
            .collect()
    }

    /// This advice with its text in `lang`.
    pub fn localized(mut self, lang: Lang) -> Advice {
        self.localize(lang);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::super::model::Route;
    use super::*;

    /// One statement of every code (every `Assumed` fact too).
    fn every_code() -> Vec<Msg> {
        let mut all = card_and_key_codes();
        all.extend(route_time_and_warning_codes());
        all
    }

    fn card_and_key_codes() -> Vec<Msg> {
        let key = KeyId::Auth;
        vec![
            Msg::Summary { route: Route::None },
            Msg::CardRenewal,
            Msg::SuspendAndReissue,
            Msg::DamagedReissue,
            Msg::FaceAuthCard,
            Msg::PhoneToken,
            Msg::JukiCardToken,
            Msg::UnknownCard,
            Msg::PhoneCertificate,
            Msg::KeyFine { key, left: None },
            Msg::KeyVerified { key },
            Msg::KeyNoSign { key },
            Msg::KeyNotNeeded { key },
            Msg::KeyNoCertificate { key },
            Msg::KeyAbsent { key },
            Msg::KeyOdd { key, sw: None },
            Msg::KeyKiosk {
                key,
                other: KeyId::Sign,
            },
            Msg::KeyCounter {
                key,
                why: vec![Why::NoSmartphone],
            },
            Msg::KeyHealthInsuranceOnly { key },
            Msg::KeyWithRenewal { key },
            Msg::KeySignatureCertificate { key },
            Msg::KeyCovered {
                key,
                route: Route::None,
            },
            Msg::KeyDependsOn {
                key,
                questions: vec![],
            },
        ]
    }

    fn route_time_and_warning_codes() -> Vec<Msg> {
        let key = KeyId::Auth;
        vec![
            Msg::KioskStepsAuth,
            Msg::KioskStepsSign,
            Msg::NewPasswordFormat,
            Msg::CounterHolder,
            Msg::CounterLegalRep,
            Msg::CounterProxy,
            Msg::CounterSomeoneElse,
            Msg::CertificateRenewal,
            Msg::CertificateReissue,
            Msg::OneVisit { keys: vec![key] },
            Msg::HealthInsuranceStillWorks,
            Msg::FixLater { kiosk: true },
            Msg::FixLater { kiosk: false },
            Msg::JukiAtNewMunicipality,
            Msg::MovedOneVisit,
            Msg::MoveDeadline,
            Msg::Stores { key },
            Msg::GoNow { until: "x".into() },
            Msg::ReserveInMorning { date: "x".into() },
            Msg::FromOpening { date: "x".into() },
            Msg::CounterClosed {
                date: "x".into(),
                day_off: DayOff::Weekend,
                reopens: "x".into(),
            },
            Msg::HealthInsuranceGrace { until: "x".into() },
            Msg::HealthInsuranceLapsed { ended: "x".into() },
            Msg::CounterHours,
            Msg::KioskOtherPin { key, left: Some(1) },
            Msg::KioskOtherPin { key, left: None },
            Msg::OtherPinTwice { key, left: 2 },
            Msg::LastTry { key },
            Msg::NoRecovery,
            Msg::ReadingGap,
            Msg::MaybeFaceAuth,
            Msg::FaceAuthLocks,
            Msg::MoveRevokes,
            Msg::ExpiredHealthInsurance,
            Msg::ExpiringSoon {
                date: "x".into(),
                days: 1,
            },
            Msg::AboveMax { key, left: 9 },
            Msg::TriesNotCounted { key },
            Msg::CardValidity,
            Msg::Assumed {
                fact: Assumed::CardExpired,
            },
            Msg::Assumed {
                fact: Assumed::Lost,
            },
            Msg::Assumed {
                fact: Assumed::Damaged,
            },
            Msg::Assumed {
                fact: Assumed::FaceAuthCard,
            },
            Msg::Assumed {
                fact: Assumed::PhoneCertificate,
            },
        ]
    }

    /// `render` sends each code to a topic function; a code sent to the
    /// wrong one would come back empty.
    #[test]
    fn every_code_has_text_in_both_languages() {
        for m in every_code() {
            for lang in [Lang::Ja, Lang::En] {
                assert!(!m.render(RuleId::R0, lang).is_empty(), "{m:?} in {lang:?}");
            }
        }
    }
}
