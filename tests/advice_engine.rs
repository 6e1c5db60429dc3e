//! The advice engine through the library: one table row (at least) per rule
//! R0-R14 and per combining clause of docs/decision-rules.md, the
//! time rules, and property tests. docs/decision-table.md names the test
//! covering each rule.

use jpki_status::advice::msg::Why;
use jpki_status::advice::*;
use jpki_status::apdu::StatusWord;
use jpki_status::card::{CardKind, KeyId};
use jpki_status::exit::Exit;
use jpki_status::lang::Lang;
use jpki_status::present::advice_page as text;
use jpki_status::present::questions as interactive;
use jpki_status::report::{
    CardInfo, CardReport, CertificateStatus, KeyReport, KeyStatus, SignatureCertificate,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::OffsetDateTime;

/// 2026-11-22 14:00 JST: kiosks open.
const NOON: OffsetDateTime = datetime!(2026-11-22 14:00 +9);

/// A key row from a short code: "3" = 3 tries, "L" locked, "V" verified,
/// "A" absent, "U" unexpected (6A 86).
fn row(id: KeyId, code: &str) -> KeyReport {
    let status = match code {
        "L" => KeyStatus::Locked,
        "V" => KeyStatus::Verified,
        "A" => KeyStatus::Absent,
        "U" => KeyStatus::Unexpected,
        n => KeyStatus::Remaining {
            left: n.parse().expect("a count code is a number"),
        },
    };
    KeyReport {
        id,
        status,
        max: id.spec().max,
        sw: if code == "U" {
            jpki_status::apdu::StatusWord::parse_hex("6A86")
        } else {
            None
        },
        diagnostic: false,
        above_max: false,
        mismatch: false,
        readings: Vec::new(),
    }
}

/// A My Number Card reading: codes for auth, sign, kenhojo, juki.
fn card(codes: [&str; 4]) -> CardReport {
    CardReport {
        schema_version: 1,
        reader: Some("test".into()),
        read_at: "2026-11-22T14:00:00+09:00".into(),
        card: CardInfo {
            kind: CardKind::MyNumberCard,
            token_label: Some("JPKIAPICCTOKEN2".into()),
            atr: None,
            contactless: false,
            signature_certificate: SignatureCertificate::Present,
            certificate_availability: Some("8F8F00".into()),
            certificate_expiry: Some("2029-05-01".into()),
            certificate_not_after: None,
            certificate_days_left: Some(891),
            certificate_status: CertificateStatus::Valid,
            certificate_error: None,
            gaps: Vec::new(),
        },
        keys: KeyId::HOLDER_KEYS
            .iter()
            .zip(codes)
            .map(|(id, c)| row(*id, c))
            .collect(),
        apdus: 12,
    }
}

const HEALTHY: [&str; 4] = ["3", "5", "3", "3"];

/// Facts that open the kiosk for either JPKI key.
fn kiosk_facts() -> Facts {
    Facts {
        moved: Answer::No,
        smartphone: Answer::Yes,
        who: Who::Holder,
        only_health_insurance: Answer::No,
        ..Facts::default()
    }
}

fn run(report: &CardReport, facts: Facts) -> Advice {
    run_at(report, facts, NOON)
}

fn run_at(report: &CardReport, facts: Facts, now: OffsetDateTime) -> Advice {
    advise(&AdviceInput::from_report(report, facts), now).localized(Lang::En)
}

fn codes(list: &[Statement]) -> Vec<Msg> {
    list.iter().map(|s| s.msg.clone()).collect()
}

fn key(a: &Advice, k: KeyId) -> &KeyAdvice {
    a.keys
        .iter()
        .find(|x| x.key == k)
        .expect("every holder key has advice")
}

fn has(list: &[Statement], m: &Msg) -> bool {
    list.iter().any(|s| &s.msg == m)
}

fn questions(a: &Advice) -> Vec<Question> {
    a.conditions.iter().map(|c| c.question).collect()
}

/// The route an exception gives, if it is listed.
fn exception(a: &Advice, q: Question, c: Choice) -> Option<Route> {
    a.exceptions
        .iter()
        .find(|e| e.question == q && e.answer == c)
        .map(|e| e.route)
}

fn branch(a: &Advice, q: Question, c: Choice) -> Route {
    a.conditions
        .iter()
        .find(|x| x.question == q)
        .and_then(|x| x.branches.iter().find(|b| b.answer == c))
        .map(|b| b.route)
        .unwrap_or_else(|| panic!("no condition {q:?}={c:?} in {:?}", a.conditions))
}

// ---- R0-R2: the card itself -------------------------------------------

#[test]
fn r0_card_expired_is_card_renewal() {
    let a = run(
        &card(["L", "L", "L", "L"]),
        Facts {
            card_expired: Answer::Yes,
            ..Facts::default()
        },
    );
    assert_eq!((a.route, a.rule), (Route::CardRenewal, RuleId::R0));
    assert!(has(&a.bring, &Msg::CardRenewal));
    assert!(has(&a.bring, &Msg::CardValidity));
    assert_eq!(a.exit(), Exit::AttentionCounter);
}

#[test]
fn r0_or_r9_when_the_certificate_expired_and_the_card_date_is_unknown() {
    let mut r = card(HEALTHY);
    r.card.certificate_status = CertificateStatus::Expired;
    let a = run(&r, Facts::default());
    // The card's own expiry is an exception (usually not): the route is the
    // certificate renewal, and the exception names the new card (issue 9;
    // this replaced a "conditional" expectation).
    assert_eq!(a.route, Route::CertificateRenewal);
    assert_eq!(
        exception(&a, Question::CardExpired, Choice::Yes),
        Some(Route::CardRenewal)
    );
}

#[test]
fn r1_lost_card_is_suspended_then_reissued() {
    let a = advise(
        &AdviceInput::without_card(
            PerKey::default(),
            Facts {
                lost: Answer::Yes,
                ..Facts::default()
            },
        ),
        NOON,
    )
    .localized(Lang::Ja);
    assert_eq!((a.route, a.rule), (Route::SuspendAndReissue, RuleId::R1));
    assert!(text::render(&a, Lang::Ja).contains("0120-95-0178"));
}

#[test]
fn r1b_damaged_card_is_reissued() {
    let a = run(
        &card(HEALTHY),
        Facts {
            damaged: Answer::Yes,
            ..Facts::default()
        },
    );
    assert_eq!((a.route, a.rule), (Route::CardRenewal, RuleId::R1b));
    assert!(has(&a.bring, &Msg::DamagedReissue));
}

#[test]
fn r2_face_auth_card_has_no_pin_route_whatever_the_counters_say() {
    let a = run(
        &card(["L", "L", "3", "3"]),
        Facts {
            face_auth_card: Answer::Yes,
            ..kiosk_facts()
        },
    );
    assert_eq!((a.route, a.rule), (Route::NoPinRoute, RuleId::R2));
    assert!(has(&a.bring, &Msg::FaceAuthCard));
    assert_eq!(a.exit(), Exit::AttentionCounter);
}

// ---- R3, R4 ---------------------------------------------------------

#[test]
fn r3_healthy_card_needs_nothing() {
    let a = run(&card(HEALTHY), Facts::default());
    assert_eq!((a.route, a.rule), (Route::None, RuleId::R3));
    assert!(a.conditions.is_empty());
    assert_eq!(a.exit(), Exit::Healthy);
    assert!(a.time_window.is_none());
}

#[test]
fn r3_spent_tries_with_a_known_pin_need_nothing_but_warn() {
    let mut f = Facts::default();
    f.knows.auth = Answer::Yes;
    let a = run(&card(["1", "5", "3", "3"]), f);
    assert_eq!(a.route, Route::None);
    assert!(has(&a.warnings, &Msg::LastTry { key: KeyId::Auth }));
    assert!(has(&a.warnings, &Msg::NoRecovery));
}

#[test]
fn r3_spent_tries_with_unknown_memory_is_a_condition() {
    let a = run(&card(["3", "3", "3", "3"]), kiosk_facts());
    assert_eq!(a.route, Route::Conditional);
    assert!(questions(&a).contains(&Question::KnowsSign));
    assert_eq!(branch(&a, Question::KnowsSign, Choice::Yes), Route::None);
    // Forgotten sign with auth known: kiosk (R7); the usual answer for auth is "yes".
    assert_eq!(branch(&a, Question::KnowsSign, Choice::No), Route::Kiosk);
    assert_eq!(a.exit(), Exit::AttentionConditional);
}

#[test]
fn r4_health_insurance_only_with_auth_locked_needs_no_urgent_action() {
    let f = Facts {
        purposes: vec![Purpose::HealthInsurance],
        ..Facts::default()
    };
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!((a.route, a.rule), (Route::None, RuleId::R4));
    assert!(has(&a.bring, &Msg::HealthInsuranceStillWorks));
    assert!(has(&a.warnings, &Msg::FaceAuthLocks));
}

#[test]
fn r4_is_asked_when_the_purpose_is_unknown() {
    let mut f = kiosk_facts();
    f.only_health_insurance = Answer::Unknown;
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f);
    // An exception, not an open question: the route is the kiosk.
    assert_eq!(a.route, Route::Kiosk);
    assert_eq!(
        exception(&a, Question::HealthInsuranceOnly, Choice::Yes),
        Some(Route::None)
    );
}

// ---- R5-R8: the JPKI PINs -------------------------------------------

#[test]
fn r5_auth_locked_and_sign_known_goes_to_the_kiosk() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!((a.route, a.rule), (Route::Kiosk, RuleId::R5));
    assert_eq!(key(&a, KeyId::Auth).route, Route::Kiosk);
    assert!(has(&a.bring, &Msg::KioskStepsAuth));
    assert!(has(&a.stores, &Msg::Stores { key: KeyId::Auth }));
    assert!(has(
        &a.warnings,
        &Msg::KioskOtherPin {
            key: KeyId::Sign,
            left: Some(5)
        }
    ));
    assert!(!codes(&a.warnings)
        .iter()
        .any(|m| matches!(m, Msg::OtherPinTwice { .. })));
    assert_eq!(a.exit(), Exit::AttentionSelfService);
    let text = text::render(&a, Lang::Ja);
    assert!(
        text.contains("セブン-イレブン") && text.contains("ローソン"),
        "{text}"
    );
}

#[test]
fn r5_warns_when_the_sign_password_has_two_tries_or_fewer() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "2", "3", "3"]), f);
    assert_eq!(a.route, Route::Kiosk);
    assert!(has(
        &a.warnings,
        &Msg::OtherPinTwice {
            key: KeyId::Sign,
            left: 2
        }
    ));
}

#[test]
fn r5_without_a_card_asks_for_the_sign_password_and_age() {
    let keys = PerKey {
        auth: KeyInput::Locked,
        ..PerKey::default()
    };
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = advise(&AdviceInput::without_card(keys, f.clone()), NOON);
    // Knowing the 署名用 password implies having its certificate: 15 or
    // older, not an adult ward (facts imply facts): no age question, no
    // age exception.
    assert_eq!(a.route, Route::Kiosk);
    assert_eq!(exception(&a, Question::Age, Choice::Under15), None);
    assert_eq!(exception(&a, Question::AdultWard, Choice::Yes), None);
    // Not knowing it, the age is an exception of the kiosk branch.
    let mut g = kiosk_facts();
    g.knows.sign = Answer::Unknown;
    let keys = PerKey {
        auth: KeyInput::Locked,
        ..PerKey::default()
    };
    let b = advise(&AdviceInput::without_card(keys, g), NOON);
    assert_eq!(b.route, Route::Conditional);
    assert_eq!(questions(&b), vec![Question::KnowsSign]);
    assert_eq!(
        exception(&b, Question::Age, Choice::Under15),
        Some(Route::Counter)
    );
    f.age = AgeBand::Adult;
    f.adult_ward = Answer::No;
    let keys = PerKey {
        auth: KeyInput::Locked,
        ..PerKey::default()
    };
    let a = advise(&AdviceInput::without_card(keys, f), NOON);
    assert_eq!(a.route, Route::Kiosk);
    assert!(has(
        &a.warnings,
        &Msg::KioskOtherPin {
            key: KeyId::Sign,
            left: None
        }
    ));
    assert!(has(&a.warnings, &Msg::TriesNotCounted { key: KeyId::Sign }));
}

#[test]
fn r6_moved_and_sign_needed_is_certificate_reissue_not_a_reset() {
    let f = Facts {
        moved: Answer::Yes,
        purposes: vec![Purpose::ETax],
        ..Facts::default()
    };
    let a = run(&card(HEALTHY), f);
    assert_eq!((a.route, a.rule), (Route::CertificateRenewal, RuleId::R6));
    assert_eq!(key(&a, KeyId::Sign).route, Route::CertificateRenewal);
    assert!(has(&a.bring, &Msg::CertificateReissue));
    assert!(has(&a.warnings, &Msg::MoveRevokes));
}

#[test]
fn r6_sign_locked_after_a_move_is_reissued_with_the_pin() {
    let f = Facts {
        moved: Answer::Yes,
        ..kiosk_facts()
    };
    let mut f2 = f.clone();
    f2.knows.auth = Answer::Yes;
    let a = run(&card(["3", "L", "3", "3"]), f2);
    assert_eq!((a.route, a.rule), (Route::CertificateRenewal, RuleId::R6));
}

#[test]
fn r6_no_signature_certificate_means_no_sign_route() {
    let mut r = card(["3", "L", "3", "3"]);
    r.card.signature_certificate = SignatureCertificate::Absent;
    let a = run(&r, Facts::default());
    assert_eq!(a.route, Route::None);
    assert!(has(
        &key(&a, KeyId::Sign).reasons,
        &Msg::KeyNoCertificate { key: KeyId::Sign }
    ));
    // Needed for e-Tax: the certificate must be issued (R6).
    let a = run(
        &r,
        Facts {
            purposes: vec![Purpose::ETax],
            ..Facts::default()
        },
    );
    assert_eq!((a.route, a.rule), (Route::CertificateRenewal, RuleId::R6));
}

#[test]
fn r7_sign_locked_and_auth_known_goes_to_the_kiosk() {
    let mut f = kiosk_facts();
    f.knows.auth = Answer::Yes;
    let a = run(&card(["2", "L", "3", "3"]), f);
    assert_eq!((a.route, a.rule), (Route::Kiosk, RuleId::R7));
    assert!(has(&a.bring, &Msg::KioskStepsSign));
    assert!(has(&a.bring, &Msg::NewPasswordFormat));
    assert!(has(&a.stores, &Msg::Stores { key: KeyId::Sign }));
    assert!(has(
        &a.warnings,
        &Msg::KioskOtherPin {
            key: KeyId::Auth,
            left: Some(2)
        }
    ));
    assert!(has(
        &a.warnings,
        &Msg::OtherPinTwice {
            key: KeyId::Auth,
            left: 2
        }
    ));
}

#[test]
fn r7_needs_the_holder_for_the_face_match() {
    let mut f = kiosk_facts();
    f.knows.auth = Answer::Yes;
    f.who = Who::LegalRep;
    let a = run(&card(["3", "L", "3", "3"]), f);
    assert_eq!((a.route, a.rule), (Route::Counter, RuleId::R8));
    assert!(has(
        &key(&a, KeyId::Sign).reasons,
        &Msg::KeyCounter {
            key: KeyId::Sign,
            why: vec![Why::NoFaceMatch]
        }
    ));
    assert!(has(&a.bring, &Msg::CounterLegalRep));
}

/// Corrections (2026-11-26), R13: an appointed proxy is never sent to the
/// kiosk, for either JPKI PIN, and the counter advice carries the R13 list
/// (two visits, 照会書兼回答書); before, `auth` went to the kiosk.
#[test]
fn appointed_proxy_goes_to_the_counter_with_the_r13_list() {
    for codes in [["L", "5", "3", "3"], ["3", "L", "3", "3"]] {
        let mut f = kiosk_facts();
        f.knows.auth = Answer::Yes;
        f.knows.sign = Answer::Yes;
        f.who = Who::Proxy;
        let a = run(&card(codes), f);
        assert_eq!(a.route, Route::Counter, "{codes:?}");
        assert!(has(&a.bring, &Msg::CounterProxy), "{:?}", a.bring);
        let locked = if codes[0] == "L" {
            KeyId::Auth
        } else {
            KeyId::Sign
        };
        assert!(matches!(
            &key(&a, locked).reasons[0].msg,
            Msg::KeyCounter { why, .. } if why.contains(&Why::ProxyGoes)
        ));
        let ja = text::render(&a, Lang::Ja);
        assert!(ja.contains("照会書兼回答書") && ja.contains("2回"), "{ja}");
    }
    // With who unknown, the proxy is an exception of the kiosk advice.
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    f.who = Who::Unknown;
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!(a.route, Route::Kiosk);
    assert_eq!(
        exception(&a, Question::Who, Choice::Proxy),
        Some(Route::Counter)
    );
}

#[test]
fn r8_both_jpki_locked_is_the_counter() {
    let a = run(&card(["L", "L", "3", "3"]), kiosk_facts());
    assert_eq!((a.route, a.rule), (Route::Counter, RuleId::R8));
    assert!(has(
        &key(&a, KeyId::Auth).reasons,
        &Msg::KeyCounter {
            key: KeyId::Auth,
            why: vec![Why::BothJpki]
        }
    ));
    assert!(a.time_window.is_none());
}

#[test]
fn r8_no_smartphone_is_the_counter() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    f.smartphone = Answer::No;
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!((a.route, a.rule), (Route::Counter, RuleId::R8));
}

#[test]
fn r8_the_other_pin_forgotten_is_the_counter() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::No;
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!(a.route, Route::Counter);
}

#[test]
fn r8_the_other_pin_locked_means_no_kiosk_even_if_remembered() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(
        &card(["3", "L", "3", "3"]),
        Facts {
            knows: PerKey {
                auth: Answer::Yes,
                ..PerKey::default()
            },
            ..kiosk_facts()
        },
    );
    assert_eq!(a.route, Route::Kiosk, "sign locked, auth known: R7 kiosk");
    let a = run(&card(["L", "L", "3", "3"]), f);
    assert_ne!(a.route, Route::Kiosk);
}

// ---- R9-R14 -----------------------------------------------------------

#[test]
fn r9_expired_certificate_is_renewal_and_forgotten_pins_ride_along() {
    let mut r = card(["L", "5", "3", "3"]);
    r.card.certificate_status = CertificateStatus::Expired;
    let a = run(
        &r,
        Facts {
            card_expired: Answer::No,
            ..kiosk_facts()
        },
    );
    assert_eq!((a.route, a.rule), (Route::CertificateRenewal, RuleId::R9));
    assert_eq!(key(&a, KeyId::Auth).route, Route::CertificateRenewal);
    assert!(has(&a.bring, &Msg::CertificateRenewal));
    assert!(has(&a.warnings, &Msg::ExpiredHealthInsurance));
}

#[test]
fn r9_expiry_date_passed_since_the_reading_counts_too() {
    let mut r = card(HEALTHY);
    r.card.certificate_expiry = Some("2026-11-01".into());
    let a = run(
        &r,
        Facts {
            card_expired: Answer::No,
            ..Facts::default()
        },
    );
    assert_eq!(a.route, Route::CertificateRenewal);
}

#[test]
fn r9_renewal_window_is_announced_three_months_ahead() {
    let mut r = card(HEALTHY);
    r.card.certificate_expiry = Some("2027-01-10".into());
    let a = run(&r, Facts::default());
    assert_eq!(a.route, Route::None);
    assert!(has(
        &a.warnings,
        &Msg::ExpiringSoon {
            date: "2027-01-10".into(),
            days: 49
        }
    ));
}

#[test]
fn r10_locked_juki_or_kenhojo_is_counter_only() {
    for codes_ in [["3", "5", "L", "3"], ["3", "5", "3", "L"]] {
        let a = run(&card(codes_), Facts::default());
        assert_eq!(
            (a.route, a.rule),
            (Route::Counter, RuleId::R10),
            "{codes_:?}"
        );
    }
    let mut f = Facts::default();
    f.knows.kenhojo = Answer::No;
    let a = run(&card(HEALTHY), f);
    assert_eq!((a.route, a.rule), (Route::Counter, RuleId::R10));
}

#[test]
fn r10_forgotten_but_not_needed_for_the_purpose_is_no_action() {
    let mut f = Facts {
        purposes: vec![Purpose::Mynaportal],
        ..Facts::default()
    };
    f.knows.juki = Answer::No;
    let a = run(&card(HEALTHY), f);
    assert_eq!(a.route, Route::None);
    assert!(has(
        &key(&a, KeyId::Juki).reasons,
        &Msg::KeyNotNeeded { key: KeyId::Juki }
    ));
}

#[test]
fn r11_holder_at_the_counter_brings_card_and_id() {
    let f = Facts {
        who: Who::Holder,
        ..Facts::default()
    };
    let a = run(&card(["3", "5", "3", "L"]), f);
    assert!(has(&a.bring, &Msg::CounterHolder));
    assert!(has(&a.bring, &Msg::CounterHours));
    assert!(!has(&a.bring, &Msg::CounterSomeoneElse));
}

#[test]
fn r12_under_15_goes_with_the_legal_representative_and_never_the_kiosk() {
    let mut f = kiosk_facts();
    f.age = AgeBand::Under15;
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!(a.route, Route::Counter);
    assert!(has(&a.bring, &Msg::CounterLegalRep));
    let f = Facts {
        adult_ward: Answer::Yes,
        ..kiosk_facts()
    };
    let a = run(&card(["3", "5", "L", "3"]), f);
    assert!(has(&a.bring, &Msg::CounterLegalRep));
}

#[test]
fn r12_age_15_to_17_can_use_the_kiosk() {
    let mut f = kiosk_facts();
    f.age = AgeBand::From15To17;
    f.adult_ward = Answer::No;
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f);
    assert_eq!(a.route, Route::Kiosk);
}

#[test]
fn r13_appointed_proxy_needs_two_visits() {
    let f = Facts {
        who: Who::Proxy,
        ..Facts::default()
    };
    let a = run(&card(["3", "5", "3", "L"]), f);
    assert!(has(&a.bring, &Msg::CounterProxy));
    assert!(text::render(&a, Lang::En).contains("letter of delegation"));
}

#[test]
fn r14_phone_certificate_goes_to_the_mynaportal_app() {
    let a = run(
        &card(HEALTHY),
        Facts {
            phone_certificate: Answer::Yes,
            ..Facts::default()
        },
    );
    assert_eq!((a.route, a.rule), (Route::PhoneApp, RuleId::R14));
    assert!(has(&a.notes, &Msg::PhoneCertificate));
    assert_eq!(a.exit(), Exit::AttentionSelfService);
}

// ---- Combining ----------------------------------------------------------

#[test]
fn combining_juki_and_a_kiosk_able_auth_make_one_counter_visit() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "L"]), f);
    assert_eq!(a.route, Route::Counter);
    assert_eq!(key(&a, KeyId::Auth).route, Route::Counter);
    assert!(has(
        &a.bring,
        &Msg::OneVisit {
            keys: vec![KeyId::Auth, KeyId::Juki]
        }
    ));
    assert!(a.stores.is_empty() && a.time_window.is_none());
}

#[test]
fn combining_both_jpki_needed_is_the_counter() {
    let mut f = kiosk_facts();
    f.knows.auth = Answer::No;
    f.knows.sign = Answer::No;
    let a = run(&card(HEALTHY), f);
    assert_eq!(a.route, Route::Counter);
}

#[test]
fn combining_verified_key_is_known_good() {
    // sign verified in this session: it counts as known for R5.
    let a = run(&card(["L", "V", "3", "3"]), kiosk_facts());
    assert_eq!(a.route, Route::Kiosk);
    assert!(has(
        &key(&a, KeyId::Sign).reasons,
        &Msg::KeyVerified { key: KeyId::Sign }
    ));
}

#[test]
fn combining_phone_token_says_what_it_is() {
    let mut r = card(["3", "5", "A", "A"]);
    r.card.kind = CardKind::PhoneJpki;
    let a = run(&r, Facts::default());
    assert_eq!(a.route, Route::PhoneApp);
    assert!(has(&a.notes, &Msg::PhoneToken));
    assert!(has(
        &key(&a, KeyId::Juki).reasons,
        &Msg::KeyAbsent { key: KeyId::Juki }
    ));
}

#[test]
fn combining_old_juki_card_says_what_it_is() {
    let mut r = card(["3", "5", "A", "3"]);
    r.card.kind = CardKind::JukiCard;
    let a = run(&r, Facts::default());
    // Corrections (2026-11-26): every 住基カード has expired: apply for a My
    // Number Card, never a PIN reset (this replaced "counter reset").
    assert!(has(&a.bring, &Msg::JukiCardToken));
    assert_eq!(a.route, Route::CardRenewal);
    let ja = text::render(&a, Lang::Ja);
    assert!(ja.contains("マイナンバーカードを申請"), "{ja}");
    assert!(!ja.contains("再設定します"), "{ja}");
}

#[test]
fn combining_unknown_card_is_not_four_locked_pins() {
    let mut r = card(["A", "A", "A", "A"]);
    r.card.kind = CardKind::Unknown;
    r.card.signature_certificate = SignatureCertificate::Unknown;
    let a = run(&r, Facts::default());
    assert_eq!(a.route, Route::Conditional);
    assert!(has(&a.notes, &Msg::UnknownCard));
    assert!(a.keys.iter().all(|k| k.route != Route::Counter));
}

#[test]
fn combining_unexpected_key_never_comes_out_as_none() {
    let a = run(&card(["3", "5", "U", "3"]), Facts::default());
    assert_eq!(a.route, Route::Conditional);
    assert_eq!(
        branch(&a, Question::OddAnswerRepeats, Choice::Yes),
        Route::Counter
    );
    assert_eq!(
        branch(&a, Question::OddAnswerRepeats, Choice::No),
        Route::None
    );
    assert_eq!(a.exit(), Exit::AttentionConditional);
    // Not asked interactively: it needs another reading.
    assert!(open_questions(
        &AdviceInput::from_report(&card(["3", "5", "U", "3"]), Facts::default()),
        NOON
    )
    .is_empty());
}

// ---- Time -------------------------------------------------------------

fn kiosk_at(now: OffsetDateTime) -> Advice {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    run_at(&card(["L", "5", "3", "3"]), f, now)
}

#[test]
fn time_at_23_10_jst_says_reserve_in_the_morning() {
    let a = kiosk_at(datetime!(2026-11-22 23:10 +9));
    let tw = a.time_window.expect("kiosk advice has a time window");
    assert!(!tw.kiosk_open_now);
    assert_eq!(
        tw.advice.msg,
        Msg::ReserveInMorning {
            date: "2026-11-23".into()
        }
    );
    let ja = text::render(&a_ja(&a_clone(datetime!(2026-11-22 23:10 +9))), Lang::Ja);
    let flat: String = ja.split('\n').map(str::trim_start).collect();
    assert!(flat.contains("11月23日（月）の6:30以降に"), "{ja}");
    // The same instant given in UTC.
    let a = kiosk_at(datetime!(2026-11-22 14:10 UTC));
    assert_eq!(
        a.time_window.map(|t| t.advice.msg),
        Some(Msg::ReserveInMorning {
            date: "2026-11-23".into()
        })
    );
}

fn a_clone(now: OffsetDateTime) -> Advice {
    kiosk_at(now)
}
fn a_ja(a: &Advice) -> Advice {
    a.clone().localized(Lang::Ja)
}

/// Issue 18: before the kiosk opens the advice is "from 6:30 today" (the
/// app takes the reservation at any hour), never "too late today".
#[test]
fn time_before_06_30_says_from_6_30_today() {
    for now in [
        datetime!(2026-11-23 03:00 +9),
        datetime!(2026-11-24 05:00 +9),
        datetime!(2026-11-24 06:29 +9),
    ] {
        let a = kiosk_at(now);
        let today = now.date().to_string();
        assert_eq!(
            a.time_window.clone().map(|t| t.advice.msg),
            Some(Msg::FromOpening { date: today }),
            "{now}"
        );
        let ja = text::render(&a.clone().localized(Lang::Ja), Lang::Ja);
        assert!(ja.contains("今日") && ja.contains("6:30から"), "{ja}");
        assert!(!ja.contains("間に合いません"), "{ja}");
        let en = text::render(&a.localized(Lang::En), Lang::En);
        assert!(en.contains("open at 6:30 today"), "{en}");
    }
}

#[test]
fn time_open_hours_say_go_within_24_hours() {
    let a = kiosk_at(datetime!(2026-11-22 12:00 +9));
    let tw = a.time_window.expect("window");
    assert!(tw.kiosk_open_now);
    assert_eq!(
        tw.advice.msg,
        Msg::GoNow {
            until: "2026-11-23 12:00".into(),
        }
    );
    let a = kiosk_at(datetime!(2026-11-22 06:30 +9));
    assert!(a.time_window.is_some_and(|t| t.kiosk_open_now));
}

/// Corrections, "time" (checked 2026-11-26): clock times, never minute
/// counts; from 22:30 the kiosk step cannot be finished before 23:00, so the
/// advice is "reserve tomorrow morning", not "go now". This test replaced one
/// that expected "go now, 10 minutes left" at 22:50.
#[test]
fn from_22_30_a_kiosk_visit_is_advised_for_tomorrow_morning() {
    for now in [
        datetime!(2026-11-22 22:30 +9),
        datetime!(2026-11-22 22:50 +9),
    ] {
        let a = kiosk_at(now);
        let tw = a.time_window.clone().expect("window");
        assert_eq!(
            tw.advice.msg,
            Msg::ReserveInMorning {
                date: "2026-11-23".into()
            },
            "{now}"
        );
        let ja = text::render(&a.localized(Lang::Ja), Lang::Ja);
        let flat: String = ja.split('\n').map(str::trim_start).collect();
        assert!(flat.contains("11月23日（月）の6:30以降"), "{ja}");
        assert!(!ja.contains("分"), "no minute counts: {ja}");
    }
    let a = kiosk_at(datetime!(2026-11-22 22:29 +9));
    assert!(matches!(
        a.time_window.map(|t| t.advice.msg),
        Some(Msg::GoNow { .. })
    ));
    let en = text::render(
        &kiosk_at(datetime!(2026-11-22 12:00 +9)).localized(Lang::En),
        Lang::En,
    );
    assert!(en.contains("by 22:30") && !en.contains("minutes"), "{en}");
}

// ---- Output contract ---------------------------------------------------

#[test]
fn exit_codes_follow_the_route() {
    let cases = [
        (Route::None, Exit::Healthy),
        (Route::Conditional, Exit::AttentionConditional),
        (Route::Kiosk, Exit::AttentionSelfService),
        (Route::PhoneApp, Exit::AttentionSelfService),
        (Route::Counter, Exit::AttentionCounter),
        (Route::CertificateRenewal, Exit::AttentionCounter),
        (Route::CardRenewal, Exit::AttentionCounter),
        (Route::SuspendAndReissue, Exit::AttentionCounter),
        (Route::NoPinRoute, Exit::AttentionCounter),
    ];
    for (route, exit) in cases {
        assert_eq!(route.exit(), exit, "{route:?}");
    }
}

#[test]
fn json_is_snake_case_round_trips_and_carries_sources_and_date() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "2", "3", "3"]), f);
    let v = serde_json::to_value(&a).expect("serializes");
    assert_eq!(v["route"], "kiosk");
    assert_eq!(v["rules_checked"], "2026-11-26");
    assert!(v["exceptions"].is_array());
    assert_eq!(v["keys"][0]["key"], "auth");
    assert_eq!(v["keys"][0]["input"]["state"], "locked");
    assert_eq!(v["warnings"][0]["code"], "kiosk_other_pin");
    assert_eq!(v["warnings"][0]["params"]["key"], "sign");
    assert!(v["warnings"][0]["text"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let back: Advice = serde_json::from_value(v).expect("deserializes");
    assert_eq!(back, a);
    for s in a.statements() {
        assert!(!s.sources.is_empty(), "{s:?} has no source");
    }
    let keys: Vec<SourceKey> = a.sources.iter().map(|s| s.key).collect();
    assert!(keys.contains(&SourceKey::N));
}

#[test]
fn conditional_json_lists_each_condition_with_routes() {
    let a = run(&card(["L", "5", "3", "3"]), Facts::default());
    let v = serde_json::to_value(&a).expect("serializes");
    assert_eq!(v["route"], "conditional");
    let c = &v["conditions"][0];
    assert!(c["question"].is_string());
    assert!(c["branches"][0]["answer"].is_string());
    assert!(c["branches"][0]["route"].is_string());
    assert!(!c["text"].as_str().unwrap_or("").is_empty());
}

#[test]
fn text_renders_in_both_languages() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f);
    let ja = text::render(&a, Lang::Ja);
    let en = text::render(&a, Lang::En);
    assert!(
        ja.contains("判定") && ja.contains("JPKI暗証番号リセット"),
        "{ja}"
    );
    // Default view: no rule ids, no source letters, no flags; the details
    // view has them.
    assert!(en.contains("Advice:") && !en.contains("[R5; N]"), "{en}");
    assert!(!en.contains("--") && !ja.contains("--"), "{en}\n{ja}");
    let details = text::details(&a.clone().localized(Lang::En), Lang::En);
    assert!(details.contains("[R5; N]"), "{details}");
    assert!(details.contains("Rules checked: 2026-11-26"), "{details}");
}

// ---- Interactive --------------------------------------------------------

#[test]
fn interactive_asks_only_route_changing_questions_until_settled() {
    let input = AdviceInput::from_report(&card(["L", "5", "3", "3"]), Facts::default());
    let before = open_questions(&input, NOON);
    assert!(before.contains(&Question::KnowsSign));
    assert!(
        !before.contains(&Question::Age),
        "card shows a 署名用 certificate: age is not asked"
    );
    // The decisive question first, then moved, then the smartphone: yes
    // (knows sign), いいえ (not moved), y (smartphone). Japanese and y/n
    // answers both count.
    assert_eq!(
        before,
        vec![Question::KnowsSign, Question::Moved, Question::Smartphone]
    );
    let mut answers: &[u8] = "はい\nいいえ\ny\n".as_bytes();
    let mut out = Vec::new();
    let facts = interactive::ask(&input, NOON, Lang::Ja, &mut answers, &mut out);
    let shown = String::from_utf8(out).expect("utf8");
    assert!(
        shown.contains(
            "(1/3) 署名用パスワード（英大文字と数字6〜16文字）を覚えていますか？ [はい/いいえ/?]"
        ),
        "{shown}"
    );
    assert!(shown.contains("(3/3)"), "{shown}");
    let a = advise(
        &AdviceInput::from_report(&card(["L", "5", "3", "3"]), facts),
        NOON,
    );
    assert_eq!(a.route, Route::Kiosk);
}

#[test]
fn interactive_stops_early_once_the_route_is_settled() {
    let input = AdviceInput::from_report(&card(["L", "5", "3", "3"]), Facts::default());
    // "no, I forgot the 署名用 password" settles it (counter): moved and the
    // smartphone no longer change anything, so nothing more is asked.
    let mut answers: &[u8] = b"n\ny\ny\ny\n";
    let mut out = Vec::new();
    let facts = interactive::ask(&input, NOON, Lang::En, &mut answers, &mut out);
    let shown = String::from_utf8(out).expect("utf8");
    assert_eq!(shown.matches("[y/n/?]").count(), 1, "{shown}");
    assert_eq!(
        advise(
            &AdviceInput::from_report(&card(["L", "5", "3", "3"]), facts),
            NOON
        )
        .route,
        Route::Counter
    );
}

// ---- Properties -----------------------------------------------------------

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![Just(Answer::Yes), Just(Answer::No), Just(Answer::Unknown)]
}

fn key_input() -> impl Strategy<Value = KeyInput> {
    prop_oneof![
        Just(KeyInput::Unknown),
        (0u8..=20, proptest::option::of(0u8..=20))
            .prop_map(|(left, max)| KeyInput::Remaining { left, max }),
        Just(KeyInput::Locked),
        Just(KeyInput::Verified),
        Just(KeyInput::Absent),
        proptest::option::of(any::<u16>().prop_map(StatusWord))
            .prop_map(|sw| KeyInput::Unexpected { sw }),
    ]
}

fn facts() -> impl Strategy<Value = Facts> {
    let knows =
        (answer(), answer(), answer(), answer()).prop_map(|(auth, sign, kenhojo, juki)| PerKey {
            auth,
            sign,
            kenhojo,
            juki,
        });
    let age = prop_oneof![
        Just(AgeBand::Under15),
        Just(AgeBand::From15To17),
        Just(AgeBand::Adult),
        Just(AgeBand::Unknown)
    ];
    let who = prop_oneof![
        Just(Who::Holder),
        Just(Who::LegalRep),
        Just(Who::Proxy),
        Just(Who::Unknown)
    ];
    let purposes = proptest::collection::vec(proptest::sample::select(Purpose::ALL.to_vec()), 0..3);
    (
        (knows, answer(), age, answer(), answer(), answer()),
        (who, answer(), answer(), answer(), answer()),
        (purposes, answer(), answer()),
    )
        .prop_map(
            |(
                (knows, moved, age, adult_ward, face_auth_card, smartphone),
                (who, card_expired, certificate_expired, lost, damaged),
                (purposes, only_health_insurance, phone_certificate),
            )| Facts {
                knows,
                moved,
                age,
                adult_ward,
                face_auth_card,
                smartphone,
                who,
                card_expired,
                certificate_expired,
                lost,
                damaged,
                purposes,
                only_health_insurance,
                phone_certificate,
            },
        )
}

fn card_facts() -> impl Strategy<Value = Option<CardFacts>> {
    let kind = prop_oneof![
        Just(CardKind::MyNumberCard),
        Just(CardKind::JukiCard),
        Just(CardKind::PhoneJpki),
        Just(CardKind::Unknown)
    ];
    let sig = prop_oneof![
        Just(SignatureCertificate::Present),
        Just(SignatureCertificate::Absent),
        Just(SignatureCertificate::Unknown)
    ];
    let status = prop_oneof![
        Just(CertificateStatus::Valid),
        Just(CertificateStatus::Expired),
        Just(CertificateStatus::Unknown)
    ];
    let expiry = proptest::option::of(prop_oneof![
        "20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])",
        ".{0,12}"
    ]);
    proptest::option::of((kind, sig, status, expiry, any::<bool>()).prop_map(
        |(kind, signature_certificate, certificate_status, certificate_expiry, foreign)| {
            CardFacts {
                kind,
                signature_certificate,
                certificate_status,
                certificate_expiry,
                foreign,
                gap: false,
            }
        },
    ))
}

fn input() -> impl Strategy<Value = AdviceInput> {
    (
        card_facts(),
        key_input(),
        key_input(),
        key_input(),
        key_input(),
        facts(),
    )
        .prop_map(|(card, auth, sign, kenhojo, juki, facts)| AdviceInput {
            card,
            keys: PerKey {
                auth,
                sign,
                kenhojo,
                juki,
            },
            facts,
        })
}

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    let ts = prop_oneof![
        -377_705_116_800i64..=253_402_300_799i64,
        1_700_000_000i64..1_900_000_000i64
    ];
    (ts, -23i8..=23).prop_map(|(ts, h)| {
        let t = OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let off = time::UtcOffset::from_hms(h, 0, 0).unwrap_or(time::UtcOffset::UTC);
        t.checked_to_offset(off).unwrap_or(t)
    })
}

fn no_kiosk_anywhere(a: &Advice) -> bool {
    a.route != Route::Kiosk
        && a.keys.iter().all(|k| k.route != Route::Kiosk)
        && a.exceptions.iter().all(|e| e.route != Route::Kiosk)
        && a.conditions.iter().all(|c| {
            c.branches
                .iter()
                .all(|b| b.route != Route::Kiosk && !b.possible.contains(&Route::Kiosk))
        })
        && a.time_window.is_none()
}

fn self_service_or_none(r: Route) -> bool {
    matches!(r, Route::None | Route::Kiosk | Route::PhoneApp)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn engine_is_total_and_consistent(input in input(), now in instant()) {
        let a = advise(&input, now);
        prop_assert_eq!(a.exit(), a.route.exit());
        prop_assert_eq!(a.keys.len(), 4);
        prop_assert_eq!(a.rules_checked.as_str(), "2026-11-26");
        prop_assert_eq!(a.route == Route::Conditional, !a.conditions.is_empty());
        // Only decisive facts leave the route open, in 2-3 branches; an
        // exception always changes the route it is listed against.
        for c in &a.conditions {
            prop_assert!(c.question.is_decisive(), "{:?}", c.question);
            prop_assert!((2..=3).contains(&c.branches.len()));
            let routes: std::collections::BTreeSet<Route> = c.branches.iter().map(|b| b.route).collect();
            prop_assert!(routes.len() > 1 || c.branches.iter().any(|b| b.possible.len() > 1), "{:?}", c);
        }
        for e in &a.exceptions {
            prop_assert!(!e.question.is_decisive());
            prop_assert!(e.route != Route::Conditional);
        }
        for s in a.statements() {
            prop_assert!(!s.sources.is_empty());
        }
        let ja = a.clone().localized(Lang::Ja);
        prop_assert!(!text::render(&ja, Lang::Ja).is_empty());
        let json = serde_json::to_string(&ja).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Advice = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, ja);
    }

    #[test]
    fn locked_juki_or_kenhojo_always_includes_the_counter(
        mut input in input(), now in instant(), which in any::<bool>()
    ) {
        if let Some(c) = input.card.as_mut() { c.kind = CardKind::MyNumberCard; }
        input.facts.phone_certificate = Answer::No;
        if which { input.keys.juki = KeyInput::Locked } else { input.keys.kenhojo = KeyInput::Locked }
        let a = advise(&input, now);
        prop_assert!(!self_service_or_none(a.route), "{:?}", a.route);
        for c in &a.conditions {
            for b in &c.branches {
                prop_assert!(!self_service_or_none(b.route), "{:?}", c);
                prop_assert!(b.possible.iter().all(|r| !self_service_or_none(*r)), "{:?}", c);
            }
        }
    }

    #[test]
    fn both_jpki_locked_never_yields_the_kiosk(mut input in input(), now in instant()) {
        input.keys.auth = KeyInput::Locked;
        input.keys.sign = KeyInput::Locked;
        let a = advise(&input, now);
        prop_assert!(no_kiosk_anywhere(&a), "{:?}", a);
    }

    #[test]
    fn under_15_never_yields_the_kiosk(mut input in input(), now in instant()) {
        input.facts.age = AgeBand::Under15;
        let a = advise(&input, now);
        prop_assert!(no_kiosk_anywhere(&a), "{:?}", a);
    }

    /// Corrections (2026-11-26), R13: an appointed proxy never takes the
    /// kiosk (it would need the holder's PIN).
    #[test]
    fn appointed_proxy_never_yields_the_kiosk(mut input in input(), now in instant()) {
        input.facts.who = Who::Proxy;
        let a = advise(&input, now);
        prop_assert!(no_kiosk_anywhere(&a), "{:?}", a);
    }

    #[test]
    fn kiosk_advice_names_the_other_pin_and_its_tries(input in input(), now in instant()) {
        let a = advise(&input, now);
        let kiosk_keys: Vec<KeyId> = a.keys.iter().filter(|k| k.route == Route::Kiosk).map(|k| k.key).collect();
        if a.route == Route::Kiosk {
            prop_assert_eq!(kiosk_keys.len(), 1);
            let k = kiosk_keys[0];
            let other = if k == KeyId::Auth { KeyId::Sign } else { KeyId::Auth };
            let left = input.keys.get(other).and_then(|i| i.left());
            let named = Msg::KioskOtherPin { key: other, left };
            prop_assert!(a.warnings.iter().any(|s| s.msg == named), "{:?}", a.warnings);
            prop_assert!(a.time_window.is_some());
        }
        // In a conditional advice the kiosk branch names it too.
        if a.conditions.iter().any(|c| c.branches.iter().any(|b| b.possible.contains(&Route::Kiosk))) {
            let named = a.warnings.iter().any(|s| matches!(s.msg, Msg::KioskOtherPin { .. }));
            prop_assert!(named);
        }
    }
}

// ---- Corrections to the rules (decision-rules.md, checked 2026-11-26) ----
// Each test below fails on the behaviour the correction replaced;
// docs/decision-table.md lists them with their sources.

/// R10 when moving: the 住基 PIN is reset at the NEW municipality, within
/// 90 days (was: "the municipality of residence").
#[test]
fn correction_juki_pin_while_moving_is_reset_at_the_new_municipality() {
    let mut f = kiosk_facts();
    f.moved = Answer::Yes;
    let a = run(&card(["3", "5", "3", "L"]), f);
    assert_eq!(a.route, Route::Counter);
    assert!(has(&a.bring, &Msg::JukiAtNewMunicipality), "{:?}", a.bring);
    let ja = text::render(&a, Lang::Ja);
    assert!(
        ja.contains("転入先の市区町村") && ja.contains("90日以内"),
        "{ja}"
    );
    // Not moving: not said.
    let a = run(&card(["3", "5", "3", "L"]), kiosk_facts());
    assert!(!has(&a.bring, &Msg::JukiAtNewMunicipality));
}

/// R11: the counter reset is free (was "no fee on any municipal page
/// reviewed"), and the holder brings the card and a photo ID to be safe
/// (was lists A/B, "usually one more ID").
#[test]
fn correction_counter_reset_is_free_and_needs_the_card_and_a_photo_id() {
    let a = run(&card(["L", "L", "3", "3"]), kiosk_facts());
    let ja = text::render(&a, Lang::Ja);
    assert!(ja.contains("無料で再設定"), "{ja}");
    assert!(ja.contains("念のため顔写真付きの本人確認書類"), "{ja}");
    assert!(!ja.contains("記載なし") && !ja.contains("B 2点"), "{ja}");
}

/// R5/R7 stores: dated honestly from J-LIS's list (which grows), and the help
/// line with its hours is named for doubts (was printed as plain fact).
#[test]
fn correction_store_list_is_dated_and_the_help_line_has_its_hours() {
    let mut f = kiosk_facts();
    f.knows.sign = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f).localized(Lang::Ja);
    let ja = text::render(&a, Lang::Ja);
    assert!(ja.contains("J-LISの一覧、2026年11月26日確認"), "{ja}");
    let stores = a.stores.first().expect("stores").text.clone();
    assert!(
        stores.contains("2026年11月26日確認") && stores.contains("順次拡大"),
        "{stores}"
    );
    let details = text::details(&a, Lang::Ja);
    assert!(details.contains("0120-95-0178"), "{details}");
    assert!(
        details.contains("平日9:30〜20:00、土日祝9:30〜17:30"),
        "{details}"
    );
}

/// R4 and kiosk hints: "fix it later at a kiosk" is never shown where the
/// kiosk is closed to this holder (under 15, adult ward, moved, proxy).
#[test]
fn correction_fix_later_names_the_kiosk_only_where_it_is_open() {
    let health = |f: Facts| Facts {
        purposes: vec![Purpose::HealthInsurance],
        ..f
    };
    let a = run(&card(["L", "5", "3", "3"]), health(kiosk_facts()));
    assert_eq!(a.route, Route::None);
    assert!(has(&a.bring, &Msg::FixLater { kiosk: true }));
    for closed in [
        Facts {
            age: AgeBand::Under15,
            ..kiosk_facts()
        },
        Facts {
            adult_ward: Answer::Yes,
            ..kiosk_facts()
        },
        Facts {
            moved: Answer::Yes,
            ..kiosk_facts()
        },
        Facts {
            who: Who::Proxy,
            ..kiosk_facts()
        },
    ] {
        let a = run(&card(["L", "5", "3", "3"]), health(closed.clone()));
        assert!(has(&a.bring, &Msg::FixLater { kiosk: false }), "{closed:?}");
        let ja = text::render(&a, Lang::Ja);
        assert!(!ja.contains("端末"), "{closed:?}: {ja}");
    }
}

/// R1 lost card: suspension first with the line's option, the police
/// 受理番号 for a loss outside the home, the fees (was "about 1,000 yen").
#[test]
fn correction_lost_card_names_the_police_receipt_number_and_fees() {
    let a = advise(
        &AdviceInput::without_card(
            PerKey::default(),
            Facts {
                lost: Answer::Yes,
                ..Facts::default()
            },
        ),
        NOON,
    );
    let ja = text::render(&a, Lang::Ja);
    for needle in ["0120-95-0178", "2番", "受理番号", "800円", "特急発行"] {
        assert!(ja.contains(needle), "{needle}: {ja}");
    }
}

/// Facts imply facts: a 署名用 certificate on the card means 15 or older and
/// not an adult ward, so neither is asked nor listed (issue 9: an adult who
/// knows the 署名用 password was asked whether they are an adult ward).
#[test]
fn a_signature_certificate_implies_age_and_not_an_adult_ward() {
    let a = run(&card(["L", "5", "3", "3"]), Facts::default());
    assert!(open_questions(
        &AdviceInput::from_report(&card(["L", "5", "3", "3"]), Facts::default()),
        NOON
    )
    .iter()
    .all(|q| !matches!(q, Question::Age | Question::AdultWard)));
    assert!(a
        .exceptions
        .iter()
        .all(|e| !matches!(e.question, Question::Age | Question::AdultWard)));
    // Under 15 (no certificate in principle): "knows sign?" and "moved?"
    // give the same route and are neither asked nor listed.
    let mut r = card(["L", "5", "3", "3"]);
    r.card.signature_certificate = SignatureCertificate::Absent;
    let f = Facts {
        age: AgeBand::Under15,
        ..Facts::default()
    };
    let a = run(&r, f.clone());
    assert_eq!(a.route, Route::Counter);
    assert!(a.conditions.is_empty(), "{:?}", a.conditions);
    assert!(
        a.exceptions
            .iter()
            .all(|e| e.question == Question::HealthInsuranceOnly),
        "{:?}",
        a.exceptions
    );
    assert!(open_questions(&AdviceInput::from_report(&r, f), NOON).is_empty());
}

// ---- Issue 18: every branch shown is a route that works ----------------

/// Every leaf of a condition (a branch without `then`, or the branches of
/// its `then`) is settled: its answers, with those on the way, leave one
/// route possible, and it is not "conditional". The odd answer's "no"
/// branch is the instruction "follow the new reading". A leaf reached by
/// "forgot the 4-digit PIN" and "forgot the 署名用 password" is never the
/// kiosk (each kiosk reset needs the other PIN).
fn leaves_work(c: &Condition, path: &mut Vec<(Question, Choice)>) -> Result<(), String> {
    for b in &c.branches {
        path.push((c.question, b.answer));
        if c.question == Question::OddAnswerRepeats && b.answer == Choice::No {
            // Reading again gives a new advice: a working instruction.
        } else if let Some(t) = &b.then {
            if t.branches.len() < 2 {
                return Err(format!("a `then` with one branch: {c:?}"));
            }
            leaves_work(t, path)?;
        } else {
            if b.possible != vec![b.route] || b.route == Route::Conditional {
                return Err(format!("unsettled branch at {path:?}: {b:?}"));
            }
            let forgot = |q| path.contains(&(q, Choice::No));
            if b.route == Route::Kiosk && forgot(Question::KnowsAuth) && forgot(Question::KnowsSign)
            {
                return Err(format!("kiosk with both JPKI PINs forgotten at {path:?}"));
            }
        }
        path.pop();
    }
    Ok(())
}

/// The whole check for one advice: every condition's leaves work, the text
/// in both languages (terminal and slip) never says "depends" without the
/// question, and an odd answer has its own first condition.
fn branches_work(a: &Advice) -> Result<(), String> {
    for c in &a.conditions {
        leaves_work(c, &mut Vec::new())?;
    }
    let odd = a.keys.iter().any(|k| {
        k.reasons
            .iter()
            .any(|r| matches!(r.msg, Msg::KeyOdd { .. }))
    });
    let asks_odd = a
        .conditions
        .iter()
        .any(|c| c.question == Question::OddAnswerRepeats);
    let first = a.conditions.first().map(|c| c.question);
    if odd && asks_odd && first != Some(Question::OddAnswerRepeats) {
        return Err(format!("odd answer not first: {:?}", a.conditions));
    }
    // Line 1's kiosk branch names the PIN the kiosk uses only for "forgot
    // this JPKI PIN", and then it is the other JPKI PIN.
    let ja = a.clone().localized(Lang::Ja);
    if let Some(c) = a.conditions.first() {
        let sentence = &ja.summary.text;
        let uses = |k: KeyId| {
            format!(
                "（{}を使います）",
                jpki_status::advice::vocab::pin_name(k, Lang::Ja)
            )
        };
        for k in KeyId::HOLDER_KEYS {
            let expected = match c.question {
                Question::KnowsAuth => Some(KeyId::Sign),
                Question::KnowsSign => Some(KeyId::Auth),
                _ => None,
            };
            if sentence.contains(&uses(k)) && expected != Some(k) {
                return Err(format!(
                    "line 1 names the wrong PIN for the kiosk: {sentence}"
                ));
            }
        }
    }
    for (lang, words) in [
        (Lang::Ja, &["答えしだい"][..]),
        (Lang::En, &["depends"][..]),
    ] {
        let l = a.clone().localized(lang);
        let mut texts = vec![text::render(&l, lang), l.summary.text.clone()];
        texts.extend(l.conditions.iter().map(|c| c.text.clone()));
        texts.push(jpki_status::slip::render_slip(None, &l, None, lang, NOON));
        for t in &texts {
            for w in words {
                if t.contains(w) {
                    return Err(format!("{w:?} in {lang:?}: {t}"));
                }
            }
        }
    }
    Ok(())
}

/// Over every combination a help desk meets: each holder key full, spent
/// to one try, locked or answering oddly; the card with or without a
/// 署名用 certificate; the holder remembering each JPKI PIN, not, or not
/// asked yet.
#[test]
fn every_branch_shown_works_for_its_answer_over_all_combinations() {
    let states = |k: KeyId| {
        let max = if k == KeyId::Sign { 5 } else { 3 };
        vec![
            KeyInput::Remaining {
                left: max,
                max: Some(max),
            },
            KeyInput::Remaining {
                left: 1,
                max: Some(max),
            },
            KeyInput::Locked,
            KeyInput::Unexpected {
                sw: Some(StatusWord(0x6A86)),
            },
        ]
    };
    let answers = [Answer::Yes, Answer::No, Answer::Unknown];
    let mut checked = 0;
    for auth in states(KeyId::Auth) {
        for sign in states(KeyId::Sign) {
            for kenhojo in states(KeyId::Kenhojo) {
                for juki in states(KeyId::Juki) {
                    for sig in [SignatureCertificate::Present, SignatureCertificate::Absent] {
                        for (ka, ks) in answers
                            .iter()
                            .flat_map(|a| answers.iter().map(move |s| (*a, *s)))
                        {
                            let mut r = card(HEALTHY);
                            r.card.signature_certificate = sig;
                            let mut input = AdviceInput::from_report(&r, Facts::default());
                            input.keys = PerKey {
                                auth: auth.clone(),
                                sign: sign.clone(),
                                kenhojo: kenhojo.clone(),
                                juki: juki.clone(),
                            };
                            input.facts.knows.auth = ka;
                            input.facts.knows.sign = ks;
                            let a = advise(&input, NOON);
                            if let Err(e) = branches_work(&a) {
                                panic!("{input:?}\n{e}");
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 4 * 4 * 4 * 2 * 9);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Issue 18, item 1, on any input and time.
    #[test]
    fn every_branch_shown_works_for_its_answer(input in input(), now in instant()) {
        let a = advise(&input, now);
        prop_assert!(branches_work(&a).is_ok(), "{:?}", branches_work(&a));
    }
}

/// Issue 18: `--sim sign-1-left`: the other question's "forgot" branch
/// names the question that settles it (kiosk only with the 署名用
/// password); line 1 names the PIN the kiosk uses.
#[test]
fn sign_1_left_never_offers_the_kiosk_to_a_holder_who_forgot_both() {
    let a = run(&card(["3", "1", "3", "3"]), Facts::default()).localized(Lang::Ja);
    assert_eq!(a.route, Route::Conditional);
    let first = a.conditions.first().expect("line-1 question");
    assert_eq!(first.question, Question::KnowsSign);
    let auth = a
        .conditions
        .iter()
        .find(|c| c.question == Question::KnowsAuth)
        .expect("the other PIN is asked");
    let no = auth
        .branches
        .iter()
        .find(|b| b.answer == Choice::No)
        .expect("no branch");
    let then = no.then.as_ref().expect("settled by the 署名用 question");
    assert_eq!(then.question, Question::KnowsSign);
    let routes: Vec<Route> = then.branches.iter().map(|b| b.route).collect();
    assert_eq!(routes, vec![Route::Kiosk, Route::Counter]);
    assert!(
        auth.text.contains("忘れていれば市区町村の窓口"),
        "{}",
        auth.text
    );
    assert!(!auth.text.contains(';'), "{}", auth.text);
    assert!(
        a.summary
            .text
            .contains("忘れていればコンビニ等の端末（利用者証明用暗証番号を使います）"),
        "{}",
        a.summary.text
    );
}

/// Issue 18: an odd answer on one key is its own instruction (read the
/// card again), first; the question about another key is asked as in a
/// clean reading; the summary says what to do, not "depends".
#[test]
fn an_odd_answer_is_its_own_instruction() {
    let a = run(&card(["3", "5", "U", "2"]), Facts::default()).localized(Lang::Ja);
    assert_eq!(a.route, Route::Conditional);
    let qs: Vec<Question> = a.conditions.iter().map(|c| c.question).collect();
    assert_eq!(qs, vec![Question::OddAnswerRepeats, Question::KnowsJuki]);
    let juki = &a.conditions[1];
    let routes: Vec<Route> = juki.branches.iter().map(|b| b.route).collect();
    assert_eq!(routes, vec![Route::None, Route::Counter]);
    assert!(
        a.summary
            .text
            .starts_with("判定: カードをもう一度読み取ってください"),
        "{}",
        a.summary.text
    );
    assert!(
        a.summary.text.contains("券面事項入力補助用暗証番号"),
        "{}",
        a.summary.text
    );
    assert!(
        !a.summary.text.contains("住民基本台帳用"),
        "{}",
        a.summary.text
    );
}

/// Issue 18, item 3: the health-insurance grace told as of today: while it
/// runs, with its end date (the last day of the third month after the
/// expiry month); after it, the lapsed registration to redo after renewal.
/// No PIN-reset step when nothing is locked or forgotten.
#[test]
fn expiry_is_told_as_of_today() {
    let mut r = card(HEALTHY);
    r.card.certificate_status = CertificateStatus::Expired;
    r.card.certificate_expiry = Some("2026-03-31".into());
    let f = Facts {
        card_expired: Answer::No,
        ..Facts::default()
    };
    let during = run_at(&r, f.clone(), datetime!(2026-05-02 10:00 +9));
    assert!(has(
        &during.warnings,
        &Msg::HealthInsuranceGrace {
            until: "2026-06-30".into()
        }
    ));
    let last_day = run_at(&r, f.clone(), datetime!(2026-06-30 23:59 +9));
    assert!(has(
        &last_day.warnings,
        &Msg::HealthInsuranceGrace {
            until: "2026-06-30".into()
        }
    ));
    let after = run_at(&r, f.clone(), datetime!(2026-11-24 10:00 +9)).localized(Lang::Ja);
    assert!(has(
        &after.warnings,
        &Msg::HealthInsuranceLapsed {
            ended: "2026-06-30".into()
        }
    ));
    let ja = text::render(&after, Lang::Ja);
    let flat: String = ja.split('\n').map(str::trim_start).collect();
    assert!(flat.contains("2026年6月30日（火）で終わり"), "{ja}");
    assert!(flat.contains("利用登録をやり直して"), "{ja}");
    assert!(!flat.contains("続けられます"), "{ja}");
    assert!(!flat.contains("3か月前から"), "{ja}");
    // Nothing locked or forgotten: no PIN-reset step.
    assert!(!has(&after.bring, &Msg::CounterHolder), "{:?}", after.bring);
    assert!(!flat.contains("その日のうちに無料で再設定"), "{ja}");
    let line1 = text::headline(&after, Lang::Ja);
    assert!(
        line1.contains("更新") && !line1.contains("再設定"),
        "{line1}"
    );
    // Across the year end: expiry in November, grace to the end of February.
    r.card.certificate_expiry = Some("2026-11-15".into());
    let a = run_at(&r, f, datetime!(2026-11-24 10:00 +9));
    assert!(has(
        &a.warnings,
        &Msg::HealthInsuranceGrace {
            until: "2027-02-28".into()
        }
    ));
}

/// Issue 18, item 3: renewal due within the window is on line 1, not
/// 「対応は不要です」.
#[test]
fn renewal_due_soon_is_on_line_1() {
    let mut r = card(HEALTHY);
    r.card.certificate_expiry = Some("2026-12-20".into());
    let a = run_at(&r, Facts::default(), datetime!(2026-11-24 10:00 +9)).localized(Lang::Ja);
    assert_eq!(a.route, Route::None);
    let line1 = text::headline(&a, Lang::Ja);
    assert!(
        line1.contains("あと26日") && line1.contains("更新"),
        "{line1}"
    );
    assert!(!line1.contains("対応は不要です"), "{line1}");
    // Outside the window: nothing to do.
    r.card.certificate_expiry = Some("2027-12-20".into());
    let a = run_at(&r, Facts::default(), datetime!(2026-11-24 10:00 +9)).localized(Lang::Ja);
    assert_eq!(text::headline(&a, Lang::Ja), "判定: 対応は不要です。");
}

/// Issue 18, item 4: no 署名用 certificate: no 署名用 route, and a
/// forgotten 4-digit PIN goes to the counter (the kiosk would need the
/// 署名用 password); under 15 without a card reading, the same.
#[test]
fn without_a_signature_certificate_no_signature_route_is_offered() {
    let mut r = card(HEALTHY);
    r.card.signature_certificate = SignatureCertificate::Absent;
    let mut f = Facts::default();
    f.knows.auth = Answer::No;
    let a = run(&r, f);
    assert_eq!(a.route, Route::Counter, "{:?}", a.conditions);
    assert!(no_kiosk_anywhere(&a), "{a:?}");
    let a = advise(
        &AdviceInput::without_card(
            PerKey {
                sign: KeyInput::Locked,
                ..PerKey::default()
            },
            Facts {
                age: AgeBand::Under15,
                ..Facts::default()
            },
        ),
        NOON,
    )
    .localized(Lang::Ja);
    assert_eq!(a.route, Route::None);
    assert!(has(
        &key(&a, KeyId::Sign).reasons,
        &Msg::KeyNoCertificate { key: KeyId::Sign }
    ));
    let line1 = text::headline(&a, Lang::Ja);
    assert!(line1.contains("署名用電子証明書がなく"), "{line1}");
    assert!(!line1.contains("再設定します"), "{line1}");
}

/// Issue 18, item 5: moving: one counter visit with the 署名用
/// certificate's reissue and the 14-day 転入届.
#[test]
fn moving_is_one_counter_visit_for_everything() {
    let mut f = kiosk_facts();
    f.moved = Answer::Yes;
    let a = run(&card(["L", "5", "3", "3"]), f).localized(Lang::Ja);
    assert_eq!(a.route, Route::Counter);
    assert!(has(&a.bring, &Msg::MovedOneVisit), "{:?}", a.bring);
    assert!(has(&a.bring, &Msg::MoveDeadline), "{:?}", a.bring);
    assert!(text::headline(&a, Lang::Ja).contains("署名用電子証明書の再発行も同じ来庁で"));
    let ja = text::render(&a, Lang::Ja);
    let flat: String = ja.split('\n').map(str::trim_start).collect();
    assert!(flat.contains("14日以内"), "{ja}");
    // Not moving: neither.
    let a = run(&card(["L", "L", "3", "3"]), kiosk_facts());
    assert!(!has(&a.bring, &Msg::MovedOneVisit) && !has(&a.bring, &Msg::MoveDeadline));
}

/// Issue 18, item 2: on a weekend, a national holiday or 12/29-1/3 the
/// counter advice says most counters are closed and when they reopen; on a
/// weekday it says nothing of the kind.
#[test]
fn counter_advice_knows_the_calendar() {
    let counter = |now| run_at(&card(["3", "5", "3", "L"]), kiosk_facts(), now);
    let closed = |a: &Advice| {
        a.bring.iter().find_map(|s| match &s.msg {
            Msg::CounterClosed {
                day_off, reopens, ..
            } => Some((*day_off, reopens.clone())),
            _ => None,
        })
    };
    use jpki_status::advice::msg::DayOff;
    assert_eq!(closed(&counter(datetime!(2026-11-24 10:00 +9))), None);
    assert_eq!(
        closed(&counter(datetime!(2026-11-28 10:00 +9))),
        Some((DayOff::Weekend, "2026-11-30".into()))
    );
    assert_eq!(
        closed(&counter(datetime!(2026-11-23 10:00 +9))),
        Some((DayOff::Holiday, "2026-11-24".into()))
    );
    assert_eq!(
        closed(&counter(datetime!(2026-12-30 10:00 +9))),
        Some((DayOff::YearEnd, "2027-01-04".into()))
    );
    let ja = text::render(
        &counter(datetime!(2026-12-30 10:00 +9)).localized(Lang::Ja),
        Lang::Ja,
    );
    let flat: String = ja.split('\n').map(str::trim_start).collect();
    assert!(
        flat.contains("年末年始") && flat.contains("1月4日（月）から開きます"),
        "{ja}"
    );
}

/// Issue 19: every PIN locked may be a 顔認証マイナンバーカード issued with
/// no PINs (what it answers is not published): the advice says so while
/// the holder has not said which card it is, and not once they have.
#[test]
fn every_pin_locked_says_it_may_be_a_face_auth_card() {
    let a = run(&card(["L", "L", "L", "L"]), Facts::default());
    assert!(has(&a.warnings, &Msg::MaybeFaceAuth), "{:?}", a.warnings);
    let b = run(&card(["L", "L", "3", "3"]), Facts::default());
    assert!(!has(&b.warnings, &Msg::MaybeFaceAuth));
    let c = run(
        &card(["L", "L", "L", "L"]),
        Facts {
            face_auth_card: Answer::No,
            ..Facts::default()
        },
    );
    assert!(!has(&c.warnings, &Msg::MaybeFaceAuth));
}
