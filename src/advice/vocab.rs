//! One vocabulary: the single name of each PIN and each route in each
//! language, and every volatile fact the advice states (kiosk hours, the
//! help line and its hours, store lists, fees), each in one place with its
//! source and the date it was checked.
//!
//! Owns: words and volatile facts. Used by the PIN table (`crate::present::report_text`), the
//! questions, the advice text, the slip and the help. Must not: decide
//! anything, or format whole sentences (that is `wording`). When a fact changes,
//! it changes here and nowhere else.

use super::model::Route;
use crate::card::{CardKind, KeyId};
use crate::lang::Lang;
use time::Time;

/// A volatile fact: its value, where it was read and when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fact {
    /// The source (decision-rules.md source key and page).
    pub source: &'static str,
    /// The date it was last checked, `YYYY-MM-DD`.
    pub checked: &'static str,
}

impl Fact {
    /// The check date as written in a sentence: 「2026年11月26日」 in
    /// Japanese (issue 18: no ISO dates in Japanese sentences),
    /// `2026-11-26` in English.
    pub fn checked_text(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => crate::japan_time::long_date_text(self.checked, lang),
            Lang::En => self.checked.to_string(),
        }
    }
}

/// Kiosk hours, Japan time (R5, R7; J-LIS reset service terms): opens.
pub const KIOSK_OPENS: Time = time::macros::time!(06:30);
/// Kiosk hours, Japan time: closes.
pub const KIOSK_CLOSES: Time = time::macros::time!(23:00);
/// Source of [`KIOSK_OPENS`] and [`KIOSK_CLOSES`].
#[allow(dead_code)] // where the fact comes from: a record for people, no code reads it
pub const KIOSK_HOURS_FACT: Fact = Fact {
    source: "N: J-LIS JPKI暗証番号リセットサービス terms",
    checked: "2026-11-26",
};
/// The last time a kiosk visit can still be finished before closing (D,
/// from the kiosk hours; decision-rules.md Corrections, "time").
pub const KIOSK_LAST_START: Time = time::macros::time!(22:30);

/// A clock time as written in the advice: `6:30`, `23:00`.
pub fn clock(t: Time) -> String {
    format!("{}:{:02}", t.hour(), t.minute())
}
/// How long a reservation in the app stays valid, in hours (R5, R7).
pub const RESERVATION_VALID_HOURS: u8 = 24;

/// The national My Number toll-free line (R1; Corrections, 0120-95-0178).
pub const HOTLINE: &str = "0120-95-0178";
/// Its general-help hours and the suspension service, per language.
pub fn hotline_hours(lang: Lang) -> &'static str {
    lang.pick(
        "平日9:30〜20:00、土日祝9:30〜17:30。紛失・盗難による一時停止は24時間（音声ガイダンス2番）",
        "weekdays 9:30-20:00, weekends and holidays 9:30-17:30; suspension of a lost card 24 hours (option 2)",
    )
}
/// Source of [`HOTLINE`] and [`hotline_hours`].
pub const HOTLINE_FACT: Fact = Fact {
    source: "M: 能美市; N: J-LIS",
    checked: "2026-11-26",
};

/// The stores where the kiosk resets `key` (R5, R7). The list grows
/// (順次拡大予定): it is always shown with [`STORES_FACT`]'s date.
pub fn stores(key: KeyId, lang: Lang) -> &'static str {
    match (key, lang) {
        (KeyId::Sign, Lang::Ja) => "セブン-イレブン、ローソン、ファミリーマート、ミニストップ（全国）、一部のダイエー、イオン（本州・四国のイオン/イオンスタイルほか）、一部のフジ",
        (KeyId::Sign, Lang::En) => "Seven-Eleven, Lawson, FamilyMart, Ministop (nationwide), some Daiei, AEON (イオン/イオンスタイル in Honshu and Shikoku, and others), some フジ stores",
        (_, Lang::Ja) => "セブン-イレブン（全国）、イオン（本州・四国のイオン/イオンスタイル、一部のイオン北海道・イオン東北）、一部のフジ。ローソン・ファミリーマート・ミニストップ・ダイエーではできません",
        (_, Lang::En) => "Seven-Eleven (nationwide), AEON (イオン/イオンスタイル in Honshu and Shikoku, some AEON Hokkaido and AEON Tohoku), some フジ stores. Not Lawson, FamilyMart, Ministop or Daiei",
    }
}
/// The stores in short, for the default view (the full list is in the
/// details and on the slip).
pub fn stores_short(key: KeyId, lang: Lang) -> &'static str {
    match (key, lang) {
        (KeyId::Sign, Lang::Ja) => {
            "セブン-イレブン、ローソン、ファミリーマート、ミニストップ、イオンなど"
        }
        (KeyId::Sign, Lang::En) => "Seven-Eleven, Lawson, FamilyMart, Ministop, AEON and others",
        (_, Lang::Ja) => {
            "セブン-イレブン、イオンなど。ローソン・ファミリーマートなどではできません"
        }
        (_, Lang::En) => "Seven-Eleven, AEON and others; not Lawson or FamilyMart",
    }
}

/// The short name of a route's place, for the line-1 decision.
pub fn route_place(route: Route, lang: Lang) -> &'static str {
    match (route, lang) {
        (Route::Kiosk, Lang::Ja) => "コンビニ等の端末",
        (Route::Kiosk, Lang::En) => "a store kiosk",
        (Route::Counter, Lang::Ja) => "市区町村の窓口",
        (Route::Counter, Lang::En) => "the municipal counter",
        (Route::CertificateRenewal, Lang::Ja) => "窓口で電子証明書の再発行",
        (Route::CertificateRenewal, Lang::En) => "certificate reissue at the counter",
        // A branch is open only when the card answered oddly: reading it
        // again settles it.
        (Route::Conditional, Lang::Ja) => "カードの読み直しで確認",
        (Route::Conditional, Lang::En) => "read the card again to settle it",
        (r, l) => route_name(r, l),
    }
}

/// Source of [`stores`].
pub const STORES_FACT: Fact = Fact {
    source: "N: J-LIS reset service store list (www2.jpki.go.jp/jpkiidreset)",
    checked: "2026-11-26",
};

/// Reissue fee after a loss, in yen (PIN resets at the counter and the
/// kiosk are free); [`FEES_FACT`].
pub const REISSUE_FEE_YEN: &str = "1,000";
/// Reissue fee without electronic certificates, in yen.
pub const REISSUE_FEE_NO_CERTIFICATES_YEN: &str = "800";
/// Express issuance (特急発行), where offered, about this many yen.
pub const EXPRESS_FEE_YEN: &str = "2,000";
/// Source of the fees.
#[allow(dead_code)] // where the fact comes from: a record for people, no code reads it
pub const FEES_FACT: Fact = Fact {
    source: "M: 奈良市, 牧之原市, 富谷市 (2024-12-02); N: J-LIS FAQ",
    checked: "2026-11-26",
};

/// A damaged card (割れ・折れ・ICチップの破損, R1b) is reissued for the same
/// fee as a lost one ([`REISSUE_FEE_YEN`], [`REISSUE_FEE_NO_CERTIFICATES_YEN`]);
/// free when not the holder's doing (an error of the municipality or
/// J-LIS, a disaster).
#[allow(dead_code)] // where the fact comes from: a record for people, no code reads it
pub const DAMAGED_FEE_FACT: Fact = Fact {
    source: "M: 幕別町 (2025-01-14), 松山市 (交付手数料), 南城市 FAQ (2022-03-17)",
    checked: "2026-12-02",
};

/// Health insurance use (マイナ保険証) after the certificates expire: until
/// the end of the third month after the month of expiry; after it the
/// registration lapses and is redone (at a clinic's card reader) once the
/// certificates are renewed (R9).
#[allow(dead_code)] // where the fact comes from: a record for people, no code reads it
pub const HEALTH_INSURANCE_GRACE_FACT: Fact = Fact {
    source: "M: 多摩市 (page 1017168, 2025-05-15), 朝霞市 (2025-03-01); S: 全国健康保険協会 (2025-07-16)",
    checked: "2026-12-02",
};
/// How long health insurance use continues after the card itself expires
/// (R0).
pub const CARD_EXPIRED_HEALTH_MONTHS: u8 = 3;
/// Source of [`CARD_EXPIRED_HEALTH_MONTHS`].
#[allow(dead_code)] // where the fact comes from: a record for people, no code reads it
pub const CARD_EXPIRED_HEALTH_FACT: Fact = Fact {
    source: "M: 多摩市 (page 1017168, 2025-05-15)",
    checked: "2026-12-02",
};

/// Most municipal counters are closed on Saturdays, Sundays, national
/// holidays (`crate::holidays`) and 12/29-1/3 (休日条例 under 地方自治法
/// Article 4-2); a site file gives the office's own days.
#[allow(dead_code)] // where the fact comes from: a record for people, no code reads it
pub const COUNTER_DAYS_FACT: Fact = Fact {
    source: "N: 地方自治法 第4条の2, 国民の祝日に関する法律 第2条・第3条 (内閣府「国民の祝日」について); M: each municipality's 休日条例",
    checked: "2026-12-02",
};

/// Typical counter hours when no site file says better (R11).
pub fn counter_hours_generic(lang: Lang) -> &'static str {
    lang.pick(
        "多くは平日8:30〜17:15ごろ。夜間・休日に開く市区町村もあります",
        "usually weekdays about 8:30-17:15; some also open evenings or holidays",
    )
}

/// The one name of each holder PIN.
pub fn pin_name(key: KeyId, lang: Lang) -> &'static str {
    match (key, lang) {
        (KeyId::Auth, Lang::Ja) => "利用者証明用暗証番号",
        (KeyId::Sign, Lang::Ja) => "署名用パスワード",
        (KeyId::Kenhojo, Lang::Ja) => "券面事項入力補助用暗証番号",
        (KeyId::Juki, Lang::Ja) => "住民基本台帳用暗証番号",
        (KeyId::Auth, Lang::En) => "user-authentication PIN",
        (KeyId::Sign, Lang::En) => "signature password",
        (KeyId::Kenhojo, Lang::En) => "input-support PIN",
        (KeyId::Juki, Lang::En) => "resident-register PIN",
        (KeyId::KenhojoA, Lang::Ja) => "［診断］照合番号A（券面事項入力補助アプリ）",
        (KeyId::KenhojoA, Lang::En) => "[diagnostic] check code A (input-support applet)",
        (KeyId::KenhojoB, Lang::Ja) => "［診断］照合番号B（券面事項入力補助アプリ）",
        (KeyId::KenhojoB, Lang::En) => "[diagnostic] check code B (input-support applet)",
        (KeyId::KenmenA, Lang::Ja) => "［診断］照合番号A（券面事項確認アプリ）",
        (KeyId::KenmenA, Lang::En) => "[diagnostic] check code A (card-face applet)",
        (KeyId::KenmenB, Lang::Ja) => "［診断］照合番号B（券面事項確認アプリ）",
        (KeyId::KenmenB, Lang::En) => "[diagnostic] check code B (card-face applet)",
    }
}

/// The format of each holder PIN (shown next to its name in the table and
/// the questions).
pub fn pin_format(key: KeyId, lang: Lang) -> &'static str {
    match (key, lang) {
        (KeyId::Sign, Lang::Ja) => "英大文字と数字6〜16文字",
        (KeyId::Sign, Lang::En) => "6-16 characters, A-Z and digits",
        (KeyId::Auth | KeyId::Kenhojo | KeyId::Juki, Lang::Ja) => "数字4桁",
        (KeyId::Auth | KeyId::Kenhojo | KeyId::Juki, Lang::En) => "4 digits",
        (KeyId::KenhojoA | KeyId::KenhojoB | KeyId::KenmenA | KeyId::KenmenB, _) => "",
    }
}

/// The name with its format: 「署名用パスワード（英大文字と数字6〜16文字）」.
pub fn pin_name_with_format(key: KeyId, lang: Lang) -> String {
    let f = pin_format(key, lang);
    match (f.is_empty(), lang) {
        (true, _) => pin_name(key, lang).to_string(),
        (false, Lang::Ja) => format!("{}（{f}）", pin_name(key, lang)),
        (false, Lang::En) => format!("{} ({f})", pin_name(key, lang)),
    }
}

/// The one name of each route.
pub fn route_name(route: Route, lang: Lang) -> &'static str {
    match (route, lang) {
        (Route::None, Lang::Ja) => "対応不要",
        (Route::PhoneApp, Lang::Ja) => "マイナポータルアプリで手続き",
        (Route::Kiosk, Lang::Ja) => "コンビニ等の端末で再設定",
        (Route::Conditional, Lang::Ja) => "質問の答えで決まります",
        (Route::Counter, Lang::Ja) => "市区町村の窓口で再設定",
        (Route::CertificateRenewal, Lang::Ja) => "市区町村の窓口で電子証明書の再発行・更新",
        (Route::NoPinRoute, Lang::Ja) => "このカードには暗証番号の手続きなし",
        (Route::CardRenewal, Lang::Ja) => "新しいカードの申請",
        (Route::SuspendAndReissue, Lang::Ja) => "一時停止してから再発行",
        (Route::None, Lang::En) => "nothing to do",
        (Route::PhoneApp, Lang::En) => "the Mynaportal app",
        (Route::Kiosk, Lang::En) => "reset at a store kiosk",
        (Route::Conditional, Lang::En) => "decided by the questions",
        (Route::Counter, Lang::En) => "reset at the municipal counter",
        (Route::CertificateRenewal, Lang::En) => {
            "certificate reissue or renewal at the municipal counter"
        }
        (Route::NoPinRoute, Lang::En) => "no PIN route on this card",
        (Route::CardRenewal, Lang::En) => "apply for a new card",
        (Route::SuspendAndReissue, Lang::En) => "suspend the card, then reissue",
    }
}

/// A route in a few words, for the table and the "if ..." prefixes where
/// the full label would repeat on every line.
pub fn route_short_name(r: Route, lang: Lang) -> &'static str {
    match (r, lang) {
        (Route::None, Lang::Ja) => "対応不要",
        (Route::PhoneApp, Lang::Ja) => "マイナポータルアプリ",
        (Route::Kiosk, Lang::Ja) => "コンビニ等の端末",
        (Route::Conditional, Lang::Ja) => "質問で決まります",
        (Route::Counter, Lang::Ja) => "窓口",
        (Route::CertificateRenewal, Lang::Ja) => "窓口で証明書の更新",
        (Route::NoPinRoute, Lang::Ja) => "手続きなし",
        (Route::CardRenewal, Lang::Ja) => "カードの再発行",
        (Route::SuspendAndReissue, Lang::Ja) => "一時停止・再発行",
        (Route::None, Lang::En) => "nothing to do",
        (Route::PhoneApp, Lang::En) => "Mynaportal app",
        (Route::Kiosk, Lang::En) => "kiosk",
        (Route::Conditional, Lang::En) => "see the questions",
        (Route::Counter, Lang::En) => "counter",
        (Route::CertificateRenewal, Lang::En) => "certificate renewal",
        (Route::NoPinRoute, Lang::En) => "no PIN route",
        (Route::CardRenewal, Lang::En) => "new card",
        (Route::SuspendAndReissue, Lang::En) => "suspend, reissue",
    }
}

/// "1 try left", "3 tries left", 「残り3回」.
pub fn tries_left(n: u8, lang: Lang) -> String {
    match (lang, n) {
        (Lang::Ja, n) => format!("残り{n}回"),
        (Lang::En, 1) => "1 try left".to_string(),
        (Lang::En, n) => format!("{n} tries left"),
    }
}

/// The card kind in words (the one name of each kind).
pub fn card_kind_name(kind: CardKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (CardKind::MyNumberCard, Lang::Ja) => "マイナンバーカード",
        (CardKind::MyNumberCard, Lang::En) => "My Number Card",
        (CardKind::JukiCard, Lang::Ja) => "住民基本台帳カード（住基カード）",
        (CardKind::JukiCard, Lang::En) => "Old Basic Resident Register card (住基カード)",
        (CardKind::PhoneJpki, Lang::Ja) => "スマホ用電子証明書",
        (CardKind::PhoneJpki, Lang::En) => "Smartphone certificate (スマホ用電子証明書)",
        (CardKind::Unknown, Lang::Ja) => {
            "マイナンバーカード以外のカード（または種類を判別できないカード）"
        }
        (CardKind::Unknown, Lang::En) => "Not a My Number Card (or a card of unknown type)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_plurals_are_right() {
        assert_eq!(tries_left(1, Lang::En), "1 try left");
        assert_eq!(tries_left(2, Lang::En), "2 tries left");
        assert_eq!(tries_left(0, Lang::En), "0 tries left");
    }

    #[test]
    fn every_holder_pin_has_one_name_and_a_format() {
        for k in KeyId::HOLDER_KEYS {
            for lang in [Lang::Ja, Lang::En] {
                assert!(!pin_name(k, lang).is_empty());
                assert!(!pin_format(k, lang).is_empty());
            }
        }
    }
}
