//! The statements the advice can make, as codes with parameters, and their
//! Japanese and English text.
//!
//! Owns: [`Msg`] (the stable `code`/`params` of every statement) and every
//! human string of the advice. Must not: decide which statement applies
//! (that is `engine`). Facts in the text come from decision-rules.md; the
//! rule id and source keys travel with each statement, not in its text.

use super::facts::KeyInput;
use super::model::{Branch, Choice, Condition, Question, Route, RuleId};
use crate::card::KeyId;
use crate::lang::Lang;
use serde::{Deserialize, Serialize};

/// Why a JPKI key cannot take the kiosk route (R5, R7, R8).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The holder does not remember the other JPKI PIN.
    OtherPinForgotten,
    /// Whether the holder remembers the other JPKI PIN is not known.
    OtherPinUnknown,
    /// The other JPKI PIN is locked (the kiosk cannot verify it: D).
    OtherPinLocked,
    /// The other JPKI PIN answered oddly or is absent.
    OtherPinUnreadable,
    /// Both JPKI PINs need a reset (combining).
    BothJpki,
    /// No NFC smartphone.
    NoSmartphone,
    /// Whether there is an NFC smartphone is not known.
    SmartphoneUnknown,
    /// The 署名用 certificate was revoked by a move or name change.
    SignatureRevoked,
    /// Whether the holder moved is not known.
    MovedUnknown,
    /// No 署名用 certificate on the card.
    NoSignatureCertificate,
    /// Under 15 or an adult ward: no 署名用 certificate in principle (D).
    UnderAgeOrWard,
    /// Whether the holder is under 15 or an adult ward is not known.
    AgeUnknown,
    /// The holder cannot do the app's face match (someone else goes).
    NoFaceMatch,
    /// Who will go is not known (the face match needs the holder).
    WhoUnknown,
    /// Another key needs the counter: one visit for everything.
    OneVisit,
    /// `juki` and `kenhojo` have no kiosk or app route (R10).
    CounterOnlyKey,
}

/// A fact taken as "no" because nothing pointed to it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Assumed {
    /// Card expired (R0).
    CardExpired,
    /// Card lost (R1).
    Lost,
    /// Card damaged (R1b).
    Damaged,
    /// Face-auth card (R2).
    FaceAuthCard,
    /// Phone certificate (R14).
    PhoneCertificate,
}

/// What a statement says: a stable code and its parameters.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
pub enum Msg {
    /// The overall route in one line.
    Summary {
        /// The route.
        route: Route,
    },
    /// R0: apply for a new card.
    CardRenewal,
    /// R1: suspend by phone, then reissue.
    SuspendAndReissue,
    /// R1b: reissue at the municipality.
    DamagedReissue,
    /// R2: a face-auth card has no PIN route.
    FaceAuthCard,
    /// The object read is smartphone JPKI (Combining, R14).
    PhoneToken,
    /// The object read is an old 住基カード (Combining).
    JukiCardToken,
    /// The object read is not a known card (Combining; Things that change).
    UnknownCard,
    /// R14: a smartphone certificate problem goes to the Mynaportal app.
    PhoneCertificate,
    /// R3: tries left and the holder knows it.
    KeyFine {
        /// The key.
        key: KeyId,
        /// Tries left, when counted.
        left: Option<u8>,
    },
    /// Verified in this session: known-good.
    KeyVerified {
        /// The key.
        key: KeyId,
    },
    /// No sign of trouble (full tries or not mentioned); not asked about.
    KeyNoSign {
        /// The key.
        key: KeyId,
    },
    /// Forgotten, but not needed for the stated purposes.
    KeyNotNeeded {
        /// The key.
        key: KeyId,
    },
    /// No 署名用 certificate: the password is not in use.
    KeyNoCertificate {
        /// The key.
        key: KeyId,
    },
    /// Not present on this object.
    KeyAbsent {
        /// The key.
        key: KeyId,
    },
    /// The card answered oddly for this key.
    KeyOdd {
        /// The key.
        key: KeyId,
        /// The status word, when there was one.
        sw: Option<String>,
    },
    /// Kiosk reset using the other JPKI PIN (R5, R7).
    KeyKiosk {
        /// The key reset.
        key: KeyId,
        /// The PIN the kiosk asks for.
        other: KeyId,
    },
    /// Counter reset, and why not the kiosk.
    KeyCounter {
        /// The key.
        key: KeyId,
        /// The reasons.
        why: Vec<Why>,
    },
    /// R4: no urgent action for health insurance use.
    KeyHealthInsuranceOnly {
        /// The key (`auth`).
        key: KeyId,
    },
    /// Reset in the same visit as a certificate renewal (R6, R9).
    KeyWithRenewal {
        /// The key.
        key: KeyId,
    },
    /// R6: the 署名用 certificate must be (re)issued.
    KeySignatureCertificate {
        /// The key (`sign`).
        key: KeyId,
    },
    /// This key is handled by the whole card's route.
    KeyCovered {
        /// The key.
        key: KeyId,
        /// The card's route.
        route: Route,
    },
    /// The route for this key depends on open questions.
    KeyDependsOn {
        /// The key.
        key: KeyId,
        /// The questions.
        questions: Vec<Question>,
    },
    /// R5 steps.
    KioskStepsAuth,
    /// R7 steps.
    KioskStepsSign,
    /// R7: the new password's format.
    NewPasswordFormat,
    /// R11: what to bring when the holder goes.
    CounterHolder,
    /// R12: with the legal representative.
    CounterLegalRep,
    /// R13: an appointed proxy, two visits.
    CounterProxy,
    /// R12/R13 in short, when who goes is not known.
    CounterSomeoneElse,
    /// R9: certificate renewal.
    CertificateRenewal,
    /// R6: certificate reissue.
    CertificateReissue,
    /// Combining: one counter visit for these keys.
    OneVisit {
        /// The keys handled in that visit.
        keys: Vec<KeyId>,
    },
    /// R4: health insurance use still works.
    HealthInsuranceStillWorks,
    /// R4: fix the PIN later.
    FixLater,
    /// Which stores reset `key` (R5, R7).
    Stores {
        /// The key reset at the store.
        key: KeyId,
    },
    /// Kiosks are open: reserve now and go before `until`.
    GoNow {
        /// The last moment, `YYYY-MM-DD HH:MM` Japan time.
        until: String,
        /// Minutes left before 23:00 today.
        minutes_left_today: i64,
    },
    /// Kiosks are closed: reserve in the morning.
    ReserveInMorning {
        /// The morning's date, `YYYY-MM-DD`.
        date: String,
    },
    /// R11: counter hours are municipal.
    CounterHours,
    /// The kiosk asks for this PIN: its tries.
    KioskOtherPin {
        /// The PIN the kiosk asks for.
        key: KeyId,
        /// Its tries, when counted.
        left: Option<u8>,
    },
    /// That PIN is entered twice and has this few tries.
    OtherPinTwice {
        /// The PIN entered twice.
        key: KeyId,
        /// Its tries.
        left: u8,
    },
    /// One more failure locks this key.
    LastTry {
        /// The key.
        key: KeyId,
    },
    /// R3: counters never recover with time.
    NoRecovery,
    /// R4: face authentication locks on its own.
    FaceAuthLocks,
    /// R6: moving revokes the 署名用 certificate.
    MoveRevokes,
    /// R9: health insurance use after expiry.
    ExpiredHealthInsurance,
    /// R9: renewal is possible from 3 months before expiry.
    ExpiringSoon {
        /// The expiry date.
        date: String,
        /// Days left.
        days: i64,
    },
    /// The card reported more tries than the documented maximum.
    AboveMax {
        /// The key.
        key: KeyId,
        /// Tries reported.
        left: u8,
    },
    /// The tries of a key were not counted (no card).
    TriesNotCounted {
        /// The key.
        key: KeyId,
    },
    /// A fact taken as "no".
    Assumed {
        /// Which.
        fact: Assumed,
    },
    /// R0: card validity.
    CardValidity,
}

/// The PIN's full name.
pub fn pin_name(key: KeyId, lang: Lang) -> &'static str {
    match (key, lang) {
        (KeyId::Auth, Lang::Ja) => "利用者証明用電子証明書の暗証番号（数字4桁）",
        (KeyId::Sign, Lang::Ja) => "署名用電子証明書のパスワード（英数字6〜16文字）",
        (KeyId::Kenhojo, Lang::Ja) => "券面事項入力補助用の暗証番号（数字4桁）",
        (KeyId::Juki, Lang::Ja) => "住民基本台帳用の暗証番号（数字4桁）",
        (KeyId::Auth, Lang::En) => "user-authentication PIN (利用者証明用, 4 digits)",
        (KeyId::Sign, Lang::En) => "signature password (署名用, 6-16 characters)",
        (KeyId::Kenhojo, Lang::En) => "card-info input-support PIN (券面事項入力補助用, 4 digits)",
        (KeyId::Juki, Lang::En) => "Basic Resident Register PIN (住民基本台帳用, 4 digits)",
        (_, Lang::Ja) => "照合番号（診断用）",
        (_, Lang::En) => "diagnostic key (照合番号)",
    }
}

/// The PIN's short label.
pub fn pin_short(key: KeyId, lang: Lang) -> &'static str {
    match (key, lang) {
        (KeyId::Auth, Lang::Ja) => "利用者証明用",
        (KeyId::Sign, Lang::Ja) => "署名用",
        (KeyId::Kenhojo, Lang::Ja) => "券面事項入力補助用",
        (KeyId::Juki, Lang::Ja) => "住民基本台帳用",
        (KeyId::Auth, Lang::En) => "auth (利用者証明用)",
        (KeyId::Sign, Lang::En) => "sign (署名用)",
        (KeyId::Kenhojo, Lang::En) => "kenhojo (券面事項入力補助用)",
        (KeyId::Juki, Lang::En) => "juki (住民基本台帳用)",
        (_, Lang::Ja) => "照合番号",
        (_, Lang::En) => "diagnostic",
    }
}

/// The route's name for people.
pub fn route_label(route: Route, lang: Lang) -> &'static str {
    match (route, lang) {
        (Route::None, Lang::Ja) => "対応不要",
        (Route::PhoneApp, Lang::Ja) => "マイナポータルアプリで手続き",
        (Route::Kiosk, Lang::Ja) => "アプリで予約してコンビニ等のキオスク端末で再設定",
        (Route::Conditional, Lang::Ja) => "条件しだい（下の質問）",
        (Route::Counter, Lang::Ja) => "市区町村の窓口で再設定",
        (Route::CertificateRenewal, Lang::Ja) => "市区町村の窓口で電子証明書の更新・再発行",
        (Route::NoPinRoute, Lang::Ja) => "このカードには暗証番号の手続きがありません",
        (Route::CardRenewal, Lang::Ja) => "カードの再発行・更新（新しいカード）",
        (Route::SuspendAndReissue, Lang::Ja) => "一時停止してから再発行",
        (Route::None, Lang::En) => "nothing to do",
        (Route::PhoneApp, Lang::En) => "the Mynaportal app",
        (Route::Kiosk, Lang::En) => "reserve in the app, then reset at a store kiosk",
        (Route::Conditional, Lang::En) => "depends on the questions below",
        (Route::Counter, Lang::En) => "reset at the municipal counter",
        (Route::CertificateRenewal, Lang::En) => {
            "certificate renewal or reissue at the municipal counter"
        }
        (Route::NoPinRoute, Lang::En) => "no PIN route on this card",
        (Route::CardRenewal, Lang::En) => "a new card (renewal or reissue)",
        (Route::SuspendAndReissue, Lang::En) => "suspend the card, then reissue",
    }
}

/// The question, as asked.
pub fn question_text(q: Question, lang: Lang) -> &'static str {
    match (q, lang) {
        (Question::CardExpired, Lang::Ja) => "カードの表面に印字された有効期限は過ぎていますか？",
        (Question::HealthInsuranceOnly, Lang::Ja) => "使いたいのは健康保険証としての利用（マイナ保険証）だけですか？",
        (Question::KnowsAuth, Lang::Ja) => "利用者証明用電子証明書の暗証番号（数字4桁）を覚えていますか？",
        (Question::KnowsSign, Lang::Ja) => "署名用電子証明書のパスワード（英数字6〜16文字）を覚えていますか？",
        (Question::KnowsKenhojo, Lang::Ja) => "券面事項入力補助用の暗証番号（数字4桁）を覚えていますか？",
        (Question::KnowsJuki, Lang::Ja) => "住民基本台帳用の暗証番号（数字4桁）を覚えていますか？",
        (Question::Moved, Lang::Ja) => "電子証明書の発行後に引っ越しや氏名の変更をしましたか？",
        (Question::Smartphone, Lang::Ja) => "NFC（マイナンバーカード読み取り）対応でカメラとインターネットが使えるスマートフォンがありますか？",
        (Question::Age, Lang::Ja) => "カードの名義人の年齢は？（15歳未満 / 15〜17歳 / 18歳以上）",
        (Question::AdultWard, Lang::Ja) => "名義人は成年被後見人などですか？",
        (Question::Who, Lang::Ja) => "手続きに行くのは誰ですか？（本人 / 法定代理人 / 任意代理人）",
        (Question::OddAnswerRepeats, Lang::Ja) => "カードをもう一度読み取っても同じ想定外の応答になりますか？",
        (Question::OddAnswerRepeats, Lang::En) => "Does reading the card again give the same unexpected answer?",
        (Question::IsMyNumberCard, Lang::Ja) => "読み取ったのはマイナンバーカードですか？（そうなら、動かさずにもう一度読み取り、同じならICチップの読み取り不良）",
        (Question::IsMyNumberCard, Lang::En) => "Is this a My Number Card? (If so, read it again holding it still; the same result means an unreadable chip)",
        (Question::CardExpired, Lang::En) => "Has the expiry date printed on the card passed?",
        (Question::HealthInsuranceOnly, Lang::En) => "Is health insurance use (マイナ保険証) the only thing the card is needed for?",
        (Question::KnowsAuth, Lang::En) => "Do you remember the user-authentication PIN (利用者証明用, 4 digits)?",
        (Question::KnowsSign, Lang::En) => "Do you remember the signature password (署名用, 6-16 characters)?",
        (Question::KnowsKenhojo, Lang::En) => "Do you remember the card-info input-support PIN (券面事項入力補助用, 4 digits)?",
        (Question::KnowsJuki, Lang::En) => "Do you remember the Basic Resident Register PIN (住民基本台帳用, 4 digits)?",
        (Question::Moved, Lang::En) => "Have you moved house or changed your name since the certificates were issued?",
        (Question::Smartphone, Lang::En) => "Do you have a smartphone with NFC (can read the card), a camera and internet?",
        (Question::Age, Lang::En) => "How old is the card holder? (under 15 / 15-17 / 18 or over)",
        (Question::AdultWard, Lang::En) => "Is the holder an adult ward (成年被後見人 etc.)?",
        (Question::Who, Lang::En) => "Who will go? (the holder / a legal representative / an appointed proxy)",
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
    let o = pin_short(other, lang);
    match (w, lang) {
        (Why::OtherPinForgotten, Lang::Ja) => {
            format!("キオスクでは{o}の暗証番号を使うが、覚えていない")
        }
        (Why::OtherPinUnknown, Lang::Ja) => format!("{o}を覚えているか未確認"),
        (Why::OtherPinLocked, Lang::Ja) => format!("キオスクで使う{o}もロックされている"),
        (Why::OtherPinUnreadable, Lang::Ja) => format!("{o}の状態を読み取れない"),
        (Why::BothJpki, Lang::Ja) => {
            "署名用と利用者証明用の両方が必要（キオスクは片方でもう片方を再設定する）".into()
        }
        (Why::NoSmartphone, Lang::Ja) => "NFC対応スマートフォンがない".into(),
        (Why::SmartphoneUnknown, Lang::Ja) => "スマートフォンの有無が未確認".into(),
        (Why::SignatureRevoked, Lang::Ja) => {
            "引っ越し・氏名変更で署名用電子証明書が失効している".into()
        }
        (Why::MovedUnknown, Lang::Ja) => "発行後の引っ越し・氏名変更の有無が未確認".into(),
        (Why::NoSignatureCertificate, Lang::Ja) => "署名用電子証明書が発行されていない".into(),
        (Why::UnderAgeOrWard, Lang::Ja) => {
            "15歳未満または成年被後見人等（原則として署名用電子証明書がない）".into()
        }
        (Why::AgeUnknown, Lang::Ja) => "年齢・成年被後見人等かどうかが未確認".into(),
        (Why::NoFaceMatch, Lang::Ja) => "本人がアプリで顔照合できない（代理人が行く）".into(),
        (Why::WhoUnknown, Lang::Ja) => "本人が顔照合できるか（誰が行くか）が未確認".into(),
        (Why::OneVisit, Lang::Ja) => "ほかの暗証番号で窓口に行くので、一度の来庁でまとめて".into(),
        (Why::CounterOnlyKey, Lang::Ja) => {
            "この暗証番号にはキオスクやアプリでの再設定がない".into()
        }
        (Why::OtherPinForgotten, Lang::En) => {
            format!("the kiosk asks for the {o}, which is forgotten")
        }
        (Why::OtherPinUnknown, Lang::En) => format!("not known whether the {o} is remembered"),
        (Why::OtherPinLocked, Lang::En) => {
            format!("the {o}, which the kiosk asks for, is locked too")
        }
        (Why::OtherPinUnreadable, Lang::En) => format!("the {o} could not be read"),
        (Why::BothJpki, Lang::En) => {
            "both JPKI PINs need a reset (the kiosk resets one using the other)".into()
        }
        (Why::NoSmartphone, Lang::En) => "no NFC smartphone".into(),
        (Why::SmartphoneUnknown, Lang::En) => "not known whether there is an NFC smartphone".into(),
        (Why::SignatureRevoked, Lang::En) => {
            "the signature certificate was revoked by the move or name change".into()
        }
        (Why::MovedUnknown, Lang::En) => {
            "not known whether the holder moved or changed name".into()
        }
        (Why::NoSignatureCertificate, Lang::En) => {
            "no signature certificate is issued on this card".into()
        }
        (Why::UnderAgeOrWard, Lang::En) => {
            "under 15 or an adult ward (no signature certificate in principle)".into()
        }
        (Why::AgeUnknown, Lang::En) => "age or adult-ward status not known".into(),
        (Why::NoFaceMatch, Lang::En) => {
            "the holder cannot do the app's face match (someone else goes)".into()
        }
        (Why::WhoUnknown, Lang::En) => "not known whether the holder can do the face match".into(),
        (Why::OneVisit, Lang::En) => {
            "another PIN needs the counter: one visit for everything".into()
        }
        (Why::CounterOnlyKey, Lang::En) => "this PIN has no kiosk or app route".into(),
    }
}

fn tries(left: Option<u8>, lang: Lang) -> String {
    match (left, lang) {
        (Some(n), Lang::Ja) => format!("残り{n}回"),
        (Some(n), Lang::En) => format!("{n} tries left"),
        (None, Lang::Ja) => "残り回数は未確認".into(),
        (None, Lang::En) => "tries not counted".into(),
    }
}

const AUTH_STORES_JA: &str = "セブン-イレブン（全国）、イオンリテール（本州・四国のイオン/イオンスタイル）、一部のイオン北海道・イオン東北・フジの店舗。ローソン、ファミリーマート、ミニストップ、ダイエーでは利用者証明用は再設定できません";
const AUTH_STORES_EN: &str = "Seven-Eleven (nationwide), AEON Retail (イオン/イオンスタイル in Honshu and Shikoku), some AEON Hokkaido, AEON Tohoku and フジ stores. Lawson, FamilyMart, Ministop and Daiei do NOT reset this PIN";
const SIGN_STORES_JA: &str = "セブン-イレブン、ローソン、ファミリーマート、ミニストップ（全国）、一部のダイエー、上記のイオン/フジの店舗";
const SIGN_STORES_EN: &str = "Seven-Eleven, Lawson, FamilyMart, Ministop (nationwide), some Daiei, plus the AEON/フジ stores that reset the user-authentication PIN";

impl Msg {
    /// The statement's text in `lang`. `rule` is accepted so that a code
    /// shared by rules could vary its text; today none does.
    pub fn render(&self, _rule: RuleId, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        let t = |j: &str, e: &str| -> String {
            if ja {
                j.to_string()
            } else {
                e.to_string()
            }
        };
        match self {
            Msg::Summary { route } => {
                if ja {
                    format!("判定: {}", route_label(*route, lang))
                } else {
                    format!("Advice: {}", route_label(*route, lang))
                }
            }
            Msg::CardRenewal => t(
                "カードの有効期限が過ぎています。新しいカードを申請してください（有効期限切れによる交付は無料。暗証番号は交付時に新しく設定します）。電子証明書もカードと一緒に失効しています。",
                "The card is past its expiry: apply for a new card (free when it expired; new PINs are set when it is issued). The certificates expired with the card.",
            ),
            Msg::CardValidity => t(
                "カードの有効期限: 申請時18歳以上なら発行から10回目の誕生日、18歳未満なら5回目（2022年4月1日より前は20歳が基準）。",
                "Card validity: the 10th birthday after issuance if 18 or over at application, the 5th if under 18 (the threshold was 20 before 2022-04-01).",
            ),
            Msg::SuspendAndReissue => t(
                "紛失・盗難: まずマイナンバー総合フリーダイヤル 0120-95-0178（24時間）に電話して一時停止し、住所地の市区町村で再発行を申請してください（通常有料、約1,000円）。",
                "Lost or stolen: first call the national My Number toll-free line 0120-95-0178 (24 hours) to suspend the card, then apply for a reissue at your municipality (normally paid, about 1,000 yen).",
            ),
            Msg::DamagedReissue => t(
                "カードの破損・ICチップの読み取り不良: 住所地の市区町村で再発行を申請してください（カードと本人確認書類を持参）。",
                "Damaged card or unreadable chip: apply for a reissue at your municipality (bring the card and an ID).",
            ),
            Msg::FaceAuthCard => t(
                "顔認証マイナンバーカードには暗証番号の手続きがありません。ここで読んだ回数には意味がありません。暗証番号を使うサービスが必要なら、窓口で通常のカードへの切り替えを申し出てください。健康保険証としての利用はできます。",
                "A face-auth card has no PIN route; the counters read from it are not meaningful. If PIN services are wanted, ask at the counter to switch to a normal card. Health insurance use still works.",
            ),
            Msg::PhoneToken => t(
                "読み取ったのはスマートフォンの電子証明書（スマホ用電子証明書）で、マイナンバーカードではありません。この判定規則は物理的なマイナンバーカード用です。スマートフォン側の暗証番号はカードとは別で、マイナポータルアプリで手続きします（カードとその暗証番号が必要）。",
                "What was read is a smartphone's JPKI certificate, not a My Number Card. These rules are for the physical card. Phone PINs are separate from the card's; fix them in the Mynaportal app (it needs the physical card and its PINs).",
            ),
            Msg::JukiCardToken => t(
                "読み取ったのは旧来の住基カード（住民基本台帳カード）で、マイナンバーカードではありません。この判定規則はマイナンバーカード用です。市区町村の窓口に相談してください。",
                "What was read is an old 住基カード (Basic Resident Register card), not a My Number Card. These rules are for the My Number Card; ask at the municipal counter.",
            ),
            Msg::UnknownCard => t(
                "カードの種類を判別できません（規則が異なる可能性があります。次世代カードかもしれません）。マイナンバーカードなら、動かさずにもう一度読み取ってください。",
                "Unknown card type: the rules may differ (it may be a next-generation card). If it is a My Number Card, read it again holding it still.",
            ),
            Msg::PhoneCertificate => t(
                "スマートフォンの電子証明書（Android のスマホ用電子証明書、iPhone のマイナンバーカード）の問題は、キオスクや窓口ではなくマイナポータルアプリで手続きします。物理的なカードとその暗証番号が必要です。スマートフォンの暗証番号はカードとは別です。",
                "A problem with the smartphone's own certificate (Android スマホ用電子証明書, or the card on iPhone) is fixed in the Mynaportal app, not at a kiosk or counter. It needs the physical card and its PINs. Phone PINs are separate from the card's.",
            ),
            Msg::KeyFine { key, left } => {
                if ja {
                    format!("{}: {}。対応不要。", pin_short(*key, lang), tries(*left, lang))
                } else {
                    format!("{}: {}; nothing to do.", pin_short(*key, lang), tries(*left, lang))
                }
            }
            Msg::KeyVerified { key } => t(
                &format!("{}: この読み取り中に照合済み（回数は表示されない）。正常です。", pin_short(*key, Lang::Ja)),
                &format!("{}: verified in this session (count not reported): known-good.", pin_short(*key, Lang::En)),
            ),
            Msg::KeyNoSign { key } => t(
                &format!("{}: 問題の兆候なし。", pin_short(*key, Lang::Ja)),
                &format!("{}: no sign of trouble.", pin_short(*key, Lang::En)),
            ),
            Msg::KeyNotNeeded { key } => t(
                &format!("{}: 忘れているが、今回の用途には不要。必要になったら窓口で再設定。", pin_short(*key, Lang::Ja)),
                &format!("{}: forgotten, but not needed for the stated purpose; reset it at the counter when needed.", pin_short(*key, Lang::En)),
            ),
            Msg::KeyNoCertificate { key } => t(
                &format!("{}: 署名用電子証明書が発行されていないため、このパスワードは使われていません。", pin_short(*key, Lang::Ja)),
                &format!("{}: no signature certificate is issued, so this password is not in use.", pin_short(*key, Lang::En)),
            ),
            Msg::KeyAbsent { key } => t(
                &format!("{}: この媒体にはありません。", pin_short(*key, Lang::Ja)),
                &format!("{}: not on this object.", pin_short(*key, Lang::En)),
            ),
            Msg::KeyOdd { key, sw } => {
                let sw = sw.clone().map(|s| spaced(&s)).unwrap_or_else(|| "-".into());
                t(
                    &format!("{}: 想定外の応答（{sw}）。カードを動かさずにもう一度読み取ってください。同じ応答が続くなら窓口に相談してください。", pin_short(*key, Lang::Ja)),
                    &format!("{}: unexpected answer ({sw}). Read the card again holding it still; if the answer repeats, ask at the municipal counter.", pin_short(*key, Lang::En)),
                )
            }
            Msg::KeyKiosk { key, other } => t(
                &format!("{}: アプリ「JPKI暗証番号リセット」で予約し、キオスク端末で再設定できます（{}を使います）。", pin_short(*key, Lang::Ja), pin_short(*other, Lang::Ja)),
                &format!("{}: can be reset with the 「JPKI暗証番号リセット」 app and a store kiosk (using the {}).", pin_short(*key, Lang::En), pin_short(*other, Lang::En)),
            ),
            Msg::KeyCounter { key, why } => {
                let other = if *key == KeyId::Auth { KeyId::Sign } else { KeyId::Auth };
                let reasons: Vec<String> = why.iter().map(|w| why_text(*w, other, lang)).collect();
                if ja {
                    if reasons.is_empty() {
                        format!("{}: 窓口で再設定。", pin_short(*key, lang))
                    } else {
                        format!("{}: 窓口で再設定（{}）。", pin_short(*key, lang), reasons.join("、"))
                    }
                } else if reasons.is_empty() {
                    format!("{}: reset at the counter.", pin_short(*key, lang))
                } else {
                    format!("{}: reset at the counter ({}).", pin_short(*key, lang), reasons.join("; "))
                }
            }
            Msg::KeyHealthInsuranceOnly { key } => t(
                &format!("{}: 健康保険証としての利用だけなら急ぐ必要はありません（顔認証か職員による目視確認で受診できます）。", pin_short(*key, Lang::Ja)),
                &format!("{}: no urgent action for health insurance use only (face authentication or a staff visual check still work).", pin_short(*key, Lang::En)),
            ),
            Msg::KeyWithRenewal { key } => t(
                &format!("{}: 電子証明書の手続きと同じ来庁で再設定します。", pin_short(*key, Lang::Ja)),
                &format!("{}: reset in the same visit as the certificate renewal.", pin_short(*key, Lang::En)),
            ),
            Msg::KeySignatureCertificate { key } => t(
                &format!("{}: 署名用電子証明書の（再）発行が必要です（暗証番号のリセットではありません）。", pin_short(*key, Lang::Ja)),
                &format!("{}: the signature certificate must be (re)issued at the counter; this is not a PIN reset.", pin_short(*key, Lang::En)),
            ),
            Msg::KeyCovered { key, route } => {
                if ja {
                    format!("{}: カード全体の手続き（{}）に含まれます。", pin_short(*key, lang), route_label(*route, lang))
                } else {
                    format!("{}: covered by the card's route ({}).", pin_short(*key, lang), route_label(*route, lang))
                }
            }
            Msg::KeyDependsOn { key, questions } => {
                let n = questions.len();
                if ja {
                    format!("{}: 下の質問（{n}問）の答えしだい。", pin_short(*key, lang))
                } else {
                    format!("{}: depends on {n} question(s) below.", pin_short(*key, lang))
                }
            }
            Msg::KioskStepsAuth => t(
                "手順（無料）: (1) スマートフォンのアプリ「JPKI暗証番号リセット」で予約し、署名用電子証明書のパスワードを入力。(2) 24時間以内に対応店舗のマルチコピー機（6:30〜23:00）で署名用パスワードをもう一度入力し、新しい数字4桁の暗証番号を設定。持ち物: カード、NFC対応スマートフォン。",
                "Steps (free): (1) reserve in the 「JPKI暗証番号リセット」 app on the smartphone, entering the signature password. (2) Within 24 hours, at a supporting store's multi-copy machine (06:30-23:00), enter the signature password again and set a new 4-digit PIN. Bring: the card, the NFC smartphone.",
            ),
            Msg::KioskStepsSign => t(
                "手順（無料）: (1) アプリ「JPKI暗証番号リセット」でカードの表面を撮影し、数字4桁の利用者証明用暗証番号を入力、ICチップの顔写真と顔照合（本人が行う）。(2) 24時間以内に対応店舗のキオスク端末（6:30〜23:00）で4桁の暗証番号を入力し、新しいパスワードを設定。持ち物: カード、カメラ付きNFC対応スマートフォン。",
                "Steps (free): (1) in the 「JPKI暗証番号リセット」 app, photograph the card face, enter the 4-digit user-authentication PIN, and do the face match with the chip photo (the holder in person). (2) Within 24 hours, at a supporting store kiosk (06:30-23:00), enter the 4-digit PIN and set the new password. Bring: the card, an NFC smartphone with a camera.",
            ),
            Msg::NewPasswordFormat => t(
                "新しい署名用パスワード: 6〜16文字、英大文字（A-Z）と数字のみ、それぞれ1文字以上。小文字は使えません。",
                "New signature password: 6-16 characters, uppercase A-Z and digits only, at least one of each. Lowercase is not accepted.",
            ),
            Msg::CounterHolder => t(
                "窓口: 住民票のある市区町村で、その日のうちに再設定できます（確認した市区町村のページに手数料の記載なし）。持ち物: カードと、もう1点の本人確認書類（A: 運転免許証、パスポート、在留カード、障害者手帳などの顔写真付き書類 / B: 資格確認書、年金手帳、医療受給者証、写真付き社員証・学生証など）。B 2点を求める所もあるので、顔写真付きの書類をもう1点持参するのが安全です。",
                "Counter: at the municipality of residence (住民票のある市区町村), done the same day; no fee on any municipal page reviewed. Bring the card plus usually one more ID: one from list A (photo ID: driving licence, passport, residence card, disability certificates...) or one from list B (資格確認書, pension book, medical certificates, photo employee or student card...). Some want two from B: bring one extra photo ID.",
            ),
            Msg::CounterLegalRep => t(
                "窓口（法定代理人と）: 15歳未満または成年被後見人等は法定代理人と手続きします。キオスクは使えません。持ち物: 本人のカード、法定代理人の本人確認書類（A+B または A 2点、市区町村による）、代理権の確認書類（戸籍謄本。市区町村で確認できる場合は省略されることが多い。成年後見は登記事項証明書）。その日のうちに終わらないことがあります。",
                "Counter with the legal representative (法定代理人): for a holder under 15 or an adult ward; the kiosk is not possible. Bring the holder's card, the representative's ID (A+B or two from A, per municipality), proof of authority (戸籍謄本, often waived when verifiable locally; 登記事項証明書 for adult wards). It may not finish the same day.",
            ),
            Msg::CounterProxy => t(
                "任意代理人が行く場合は2回の来庁が必要です。1回目: 本人のカードと代理人の本人確認書類（A 2点または A+B が多い）。市区町村から本人に照会書兼回答書が郵送され（転送不可）、本人が新しい暗証番号を記入して封をします。2回目: 封をした回答書、カード、代理人の本人確認書類。委任状だけでは足りません。事前に市区町村に電話してください。",
                "An appointed proxy (任意代理人) needs two visits over several days. Visit 1: the holder's card and the proxy's ID (often two from A, or A+B). The municipality mails an inquiry/answer form (照会書兼回答書, not forwarded) to the holder, who writes the new PIN and seals it. Visit 2: the sealed form, the card, the proxy's ID. A letter of delegation (委任状) alone is not enough: call the municipality first.",
            ),
            Msg::CounterSomeoneElse => t(
                "本人以外が行く場合: 法定代理人（15歳未満・成年被後見人等）なら代理権の書類が、任意代理人なら2回の来庁が必要です（--who で指定すると詳しく表示します）。",
                "If someone other than the holder goes: a legal representative (under 15, adult ward) needs proof of authority; an appointed proxy needs two visits (give --who for details).",
            ),
            Msg::CertificateRenewal => t(
                "電子証明書の更新: 市区町村の窓口で（有効期限の3か月前から、無料）。持ち物: カード。忘れた暗証番号も同じ来庁で再設定できます。",
                "Certificate renewal at the municipal counter (from 3 months before expiry; free). Bring the card; forgotten PINs are reset in the same visit.",
            ),
            Msg::CertificateReissue => t(
                "署名用電子証明書の再発行: 市区町村の窓口で。持ち物: カード（と本人確認書類）。忘れた数字4桁の暗証番号も同じ来庁で再設定できます。",
                "Signature certificate (re)issuance at the municipal counter. Bring the card (+ ID); a forgotten 4-digit PIN is reset in the same visit.",
            ),
            Msg::OneVisit { keys } => {
                let names: Vec<&str> = keys.iter().map(|k| pin_short(*k, lang)).collect();
                if ja {
                    format!("窓口には1回で: {} をまとめて手続きしてください（キオスクと窓口に分けない）。", names.join("、"))
                } else {
                    format!("One counter visit for everything: {} (do not split between a kiosk and the counter).", names.join(", "))
                }
            }
            Msg::HealthInsuranceStillWorks => t(
                "医療機関では顔認証か職員による目視確認で健康保険証として使えます。",
                "At the hospital, face authentication or a staff visual check still work for health insurance use.",
            ),
            Msg::FixLater => t(
                "暗証番号は後日、キオスク（署名用パスワードを覚えていれば）か窓口で再設定できます。",
                "Fix the PIN later: at a kiosk if you remember the signature password (R5), otherwise at the counter (R8).",
            ),
            Msg::Stores { key } => match key {
                KeyId::Auth => t(
                    &format!("利用者証明用を再設定できる店舗: {AUTH_STORES_JA}。"),
                    &format!("Stores that reset the user-authentication PIN: {AUTH_STORES_EN}."),
                ),
                _ => t(
                    &format!("署名用を再設定できる店舗: {SIGN_STORES_JA}。"),
                    &format!("Stores that reset the signature password: {SIGN_STORES_EN}."),
                ),
            },
            Msg::GoNow { until, minutes_left_today } => {
                if ja {
                    format!("今ならアプリで予約してキオスクへ行けます（キオスクは6:30〜23:00、予約から24時間以内）。期限: {until}。今日の残り{minutes_left_today}分。")
                } else {
                    format!("You can reserve in the app now and go to a kiosk (kiosks 06:30-23:00, within 24 hours of the reservation). Last moment: {until}; {minutes_left_today} minutes left today.")
                }
            }
            Msg::ReserveInMorning { date } => {
                if ja {
                    format!("キオスクは今は使えません（6:30〜23:00）。{date}の朝にアプリで予約して、その日のうちにキオスクへ行ってください。今すぐ行かないでください。")
                } else {
                    format!("The kiosks are closed now (06:30-23:00). Reserve in the app in the morning of {date} and go to the kiosk the same day; do not go now.")
                }
            }
            Msg::CounterHours => t(
                "窓口の受付時間は市区町村ごと（多くは平日8:30〜17:15ごろ。夜間・休日窓口がある所も）。全国一斉のシステム停止日は電子証明書の手続きができません。",
                "Counter hours are municipal (typically weekdays ~08:30-17:15; some open evenings or holidays). No JPKI work on nationwide maintenance days.",
            ),
            Msg::KioskOtherPin { key, left } => t(
                &format!("キオスクの手続きでは{}を使います: {}。", pin_name(*key, Lang::Ja), tries(*left, Lang::Ja)),
                &format!("The kiosk route uses the {}: {}.", pin_name(*key, Lang::En), tries(*left, Lang::En)),
            ),
            Msg::OtherPinTwice { key, left } => t(
                &format!("注意: {}はアプリとキオスクで2回入力し、間違えるたびに1回減ります。残り{left}回しかありません。確信がなければ窓口へ。", pin_short(*key, Lang::Ja)),
                &format!("Warning: the {} is entered twice (app and kiosk) and each wrong entry spends a try; only {left} left. If in any doubt, go to the counter.", pin_short(*key, Lang::En)),
            ),
            Msg::LastTry { key } => t(
                &format!("注意: {}は残り1回です。あと1回間違えるとロックされます。少しでも自信がなければ、忘れたものとして扱ってください。", pin_short(*key, Lang::Ja)),
                &format!("Warning: the {} has 1 try left; one more failure locks it. With any doubt, treat it as forgotten.", pin_short(*key, Lang::En)),
            ),
            Msg::NoRecovery => t(
                "残り回数は時間がたっても回復しません。正しく1回入力すると最大値に戻ります。医療機関での職員の目視確認では回復しません。",
                "Counters never recover with time; one correct entry restores the maximum. A hospital's staff visual check does not reset them.",
            ),
            Msg::FaceAuthLocks => t(
                "顔認証も10回失敗すると単独でロックされます。",
                "Face authentication locks on its own after 10 failures.",
            ),
            Msg::MoveRevokes => t(
                "引っ越し（住所変更）や氏名変更をすると署名用電子証明書は自動的に失効します（利用者証明用は失効しません）。「パスワードは正しいのに e-Tax で使えない」のは多くの場合この失効で、ロックではありません。",
                "Moving house or changing name revokes the signature certificate automatically (the user-authentication one survives). \"Correct password but e-Tax still fails\" is usually a revoked certificate, not a lock.",
            ),
            Msg::ExpiredHealthInsurance => t(
                "電子証明書の期限が切れても、健康保険証としての利用は期限の月の3か月後の月末まで続けられます。キオスクは両方の証明書が有効なときだけ使えます。",
                "Health insurance use continues until the end of the third month after the month of expiry. The kiosk needs both certificates valid.",
            ),
            Msg::ExpiringSoon { date, days } => t(
                &format!("電子証明書の有効期限は{date}（あと{days}日）。期限の3か月前から窓口で更新できます。"),
                &format!("The certificates expire on {date} ({days} days left); renewal at the counter is possible from 3 months before."),
            ),
            Msg::AboveMax { key, left } => t(
                &format!("{}: 残り{left}回は公表されている最大値を超えています（報告に値する所見です）。", pin_short(*key, Lang::Ja)),
                &format!("{}: {left} tries is above the documented maximum (a finding worth reporting).", pin_short(*key, Lang::En)),
            ),
            Msg::TriesNotCounted { key } => t(
                &format!("{}の残り回数はカードを読んでいないため不明です。手続きの前に jpki-status でカードを読んで確認してください。", pin_short(*key, Lang::Ja)),
                &format!("The tries of the {} are not counted (no card read): check them with jpki-status before starting.", pin_short(*key, Lang::En)),
            ),
            Msg::Assumed { fact } => match fact {
                Assumed::CardExpired => t(
                    "前提: カードの有効期限は切れていない（切れていれば新しいカードの申請）。",
                    "Assumed: the card is not past its printed expiry (if it is: apply for a new card, R0).",
                ),
                Assumed::Lost => t(
                    "前提: カードは紛失・盗難されていない（されていれば 0120-95-0178 で一時停止して再発行）。",
                    "Assumed: the card is not lost or stolen (if it is: suspend via 0120-95-0178, then reissue, R1).",
                ),
                Assumed::Damaged => t(
                    "前提: カードは破損していない（破損・読み取り不良なら再発行）。",
                    "Assumed: the card is not damaged (if it is, or the chip is unreadable: reissue, R1b).",
                ),
                Assumed::FaceAuthCard => t(
                    "前提: 追記欄に「顔認証」の記載がない（あれば暗証番号の手続きはない）。",
                    "Assumed: the card's 追記欄 does not say 「顔認証」 (if it does: no PIN route, R2).",
                ),
                Assumed::PhoneCertificate => t(
                    "前提: 問題はスマートフォンの電子証明書ではなくカードにある（スマホならマイナポータルアプリ）。",
                    "Assumed: the trouble is with the card, not a smartphone certificate (that would be the Mynaportal app, R14).",
                ),
            },
        }
    }
}

/// `63C2` as `63 C2` for text output.
fn spaced(hex: &str) -> String {
    let h: Vec<char> = hex.chars().filter(|c| !c.is_whitespace()).collect();
    h.chunks(2)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn branch_text(b: &Branch, lang: Lang) -> String {
    route_label(b.route, lang).to_string()
}

/// A condition as one line: the question, then the route per answer.
pub fn render_condition(c: &Condition, lang: Lang) -> String {
    let parts: Vec<String> = c
        .branches
        .iter()
        .map(|b| {
            format!(
                "{} → {}",
                choice_label(b.answer, lang),
                branch_text(b, lang)
            )
        })
        .collect();
    format!("{} {}", question_text(c.question, lang), parts.join("; "))
}

/// What the key input says, briefly, for the per-key lines.
pub fn input_label(input: &KeyInput, lang: Lang) -> String {
    match (input, lang) {
        (KeyInput::Unknown, Lang::Ja) => "不明".into(),
        (KeyInput::Unknown, Lang::En) => "unknown".into(),
        (KeyInput::Remaining { left, max: Some(m) }, Lang::Ja) => format!("残り{left}/{m}回"),
        (KeyInput::Remaining { left, max: Some(m) }, Lang::En) => format!("{left} of {m} tries"),
        (KeyInput::Remaining { left, max: None }, _) => tries(Some(*left), lang),
        (KeyInput::Locked, Lang::Ja) => "ロック".into(),
        (KeyInput::Locked, Lang::En) => "locked".into(),
        (KeyInput::Verified, Lang::Ja) => "照合済み".into(),
        (KeyInput::Verified, Lang::En) => "verified".into(),
        (KeyInput::Absent, Lang::Ja) => "なし".into(),
        (KeyInput::Absent, Lang::En) => "absent".into(),
        (KeyInput::Unexpected { .. }, Lang::Ja) => "想定外の応答".into(),
        (KeyInput::Unexpected { .. }, Lang::En) => "unexpected answer".into(),
    }
}
