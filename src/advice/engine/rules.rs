//! The rules in one world of answers: card-level and object-level routes
//! (R0-R2, R14, Combining), each key's class, what stands between a key
//! and the kiosk, and the route (R3-R10). Must not: look at unknown facts
//! (that is `unknowns`) or word anything (that is `wording`).
use super::*;

/// The R0/R1/R1b/R2 card-level rules, in the spec's priority order.
pub(super) fn card_route(f: &Facts) -> Option<(Route, RuleId, Msg)> {
    if f.card_expired == Answer::Yes {
        Some((Route::CardRenewal, RuleId::R0, Msg::CardRenewal))
    } else if f.lost == Answer::Yes {
        Some((Route::SuspendAndReissue, RuleId::R1, Msg::SuspendAndReissue))
    } else if f.damaged == Answer::Yes {
        // R1b says "reissue at the municipality": a new card, so the
        // nearest route of the closed set is card_renewal.
        Some((Route::CardRenewal, RuleId::R1b, Msg::DamagedReissue))
    } else if f.face_auth_card == Answer::Yes {
        Some((Route::NoPinRoute, RuleId::R2, Msg::FaceAuthCard))
    } else {
        None
    }
}

/// A key as the rules see it in one world of answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Class {
    /// Nothing to do; `verified` when known-good from the card.
    Fine { verified: bool, asked: bool },
    /// Locked, or forgotten and needed (Combining: "Needs").
    Need,
    /// Forgotten but not needed for the stated purposes.
    NotNeeded,
    /// `sign` on a card without a 署名用 certificate.
    NoCert,
    /// The card answered oddly.
    Odd,
    /// Not on this object.
    Absent,
}

pub(super) fn knows(cx: &Cx, f: &Facts, k: KeyId) -> Answer {
    // Combining: a key verified in this session is known-good.
    if *cx.key(k) == KeyInput::Verified {
        return Answer::Yes;
    }
    f.knows.get(k).copied().unwrap_or_default()
}

pub(super) fn classify(cx: &Cx, f: &Facts, k: KeyId) -> Class {
    let input = cx.key(k);
    if k == KeyId::Sign
        && cx.sign_cert_on_card(f) == SignatureCertificate::Absent
        && !matches!(input, KeyInput::Unexpected { .. })
    {
        return Class::NoCert;
    }
    match input {
        KeyInput::Locked => Class::Need,
        KeyInput::Unexpected { .. } => Class::Odd,
        KeyInput::Absent => {
            // On a My Number Card every holder key exists; absence there is
            // an odd answer, never "nothing to do" (D).
            if cx.kind() == Some(CardKind::MyNumberCard) {
                Class::Odd
            } else {
                Class::Absent
            }
        }
        KeyInput::Verified => Class::Fine {
            verified: true,
            asked: true,
        },
        KeyInput::Remaining { .. } | KeyInput::Unknown => match knows(cx, f, k) {
            // R10 "(and needed)": a forgotten key counts unless the stated
            // purposes do not use it.
            Answer::No if f.uses(k) == Some(false) => Class::NotNeeded,
            Answer::No => Class::Need,
            Answer::Yes => Class::Fine {
                verified: false,
                asked: true,
            },
            Answer::Unknown => Class::Fine {
                verified: false,
                asked: false,
            },
        },
    }
}

/// Whether the 署名用 certificate is usable for the kiosk ("both
/// certificates valid", R5/R7; R12 for age).
pub(super) fn sign_cert_blockers(cx: &Cx, f: &Facts, out: &mut Vec<Why>) {
    if f.age == AgeBand::Under15 || f.adult_ward == Answer::Yes {
        out.push(Why::UnderAgeOrWard);
    } else {
        match cx.sign_cert_on_card(f) {
            SignatureCertificate::Absent => out.push(Why::NoSignatureCertificate),
            SignatureCertificate::Present => {}
            SignatureCertificate::Unknown => {
                let age_ok = matches!(f.age, AgeBand::From15To17 | AgeBand::Adult);
                if !(age_ok && f.adult_ward == Answer::No) {
                    out.push(Why::AgeUnknown);
                }
            }
        }
    }
    match f.moved {
        Answer::Yes => out.push(Why::SignatureRevoked),
        Answer::Unknown => out.push(Why::MovedUnknown),
        Answer::No => {}
    }
}

/// What stands between `key` and the kiosk (R5, R7, R8). Empty: kiosk.
pub(super) fn kiosk_blockers(cx: &Cx, f: &Facts, key: KeyId) -> Vec<Why> {
    let o = other(key);
    let mut why = Vec::new();
    match knows(cx, f, o) {
        Answer::No => why.push(Why::OtherPinForgotten),
        Answer::Unknown => why.push(Why::OtherPinUnknown),
        Answer::Yes => {}
    }
    match cx.key(o) {
        KeyInput::Locked => why.push(Why::OtherPinLocked),
        KeyInput::Unexpected { .. } | KeyInput::Absent => why.push(Why::OtherPinUnreadable),
        KeyInput::Unknown | KeyInput::Remaining { .. } | KeyInput::Verified => {}
    }
    sign_cert_blockers(cx, f, &mut why);
    match f.smartphone {
        Answer::No => why.push(Why::NoSmartphone),
        Answer::Unknown => why.push(Why::SmartphoneUnknown),
        Answer::Yes => {}
    }
    // An appointed proxy never takes the kiosk: it needs the holder's PIN,
    // which must not be told to anyone (Corrections, R13). The app's face
    // match for `sign` needs the holder in person (R7).
    match (f.who, key) {
        (Who::Proxy, _) => why.push(Why::ProxyGoes),
        (Who::LegalRep, KeyId::Sign) => why.push(Why::NoFaceMatch),
        (Who::Unknown, KeyId::Sign) => why.push(Why::WhoUnknown),
        _ => {}
    }
    why
}

/// One key's decision in one world.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct KeyDec {
    pub(super) route: Route,
    pub(super) rule: RuleId,
    pub(super) msg: Msg,
}

/// The decision in one world of answers.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(super) struct Decision {
    pub(super) route: Route,
    pub(super) rule: RuleId,
    /// The statement of a card-level or object-level decision.
    pub(super) card: Option<Msg>,
    pub(super) keys: PerKey<KeyDec>,
    /// The key the kiosk resets.
    pub(super) kiosk: Option<KeyId>,
    /// Keys in "needs" (Combining).
    pub(super) needs: Vec<KeyId>,
    pub(super) odd: bool,
}

pub(super) fn decide(cx: &Cx, f: &Facts) -> Decision {
    if let Some((route, rule, msg)) = cx.object_route().or_else(|| card_route(f)) {
        return decide_object(cx, route, rule, msg);
    }
    let class = PerKey::from_fn(|k| classify(cx, f, k));
    let needs: Vec<KeyId> = class
        .iter()
        .filter(|(_, c)| **c == Class::Need)
        .map(|(k, _)| k)
        .collect();
    // A gap in the reading counts as an odd answer: read again, and the
    // same again means the counter (issue 19).
    let odd = class.iter().any(|(_, c)| *c == Class::Odd) || cx.gap();
    let mut keys = PerKey::from_fn(|k| key_decision(cx, k, class.get(k).copied()));
    let (mut route, mut rule, kiosk) = decide_route(cx, f, &needs, &mut keys);

    // An odd answer never yields "none" or a self-service route: the key may
    // be locked, and a locked juki or kenhojo means the counter.
    if odd && matches!(route, Route::None | Route::Kiosk | Route::PhoneApp) {
        route = Route::Conditional;
        rule = RuleId::Combining;
    }
    if f.phone_certificate == Answer::Yes && route == Route::None {
        route = Route::PhoneApp;
        rule = RuleId::R14;
    }
    Decision {
        route,
        rule,
        card: None,
        keys,
        kiosk,
        needs,
        odd,
    }
}

/// The whole object or card is decided at once (R0-R2, R14, Combining):
/// every key present is covered by that route.
fn decide_object(cx: &Cx, route: Route, rule: RuleId, msg: Msg) -> Decision {
    let keys = PerKey::from_fn(|k| {
        let absent = matches!(cx.key(k), KeyInput::Absent);
        KeyDec {
            route: if absent { Route::None } else { route },
            rule,
            msg: if absent {
                Msg::KeyAbsent { key: k }
            } else {
                Msg::KeyCovered { key: k, route }
            },
        }
    });
    Decision {
        route,
        rule,
        card: Some(msg),
        keys,
        kiosk: None,
        needs: Vec::new(),
        odd: false,
    }
}

/// One key's decision from its class alone; keys that need a reset get a
/// placeholder that [`decide_route`] replaces.
fn key_decision(cx: &Cx, k: KeyId, class: Option<Class>) -> KeyDec {
    let fine = |k| Msg::KeyFine {
        key: k,
        left: cx.key(k).left(),
    };
    let (route, rule, msg) = match class.unwrap_or(Class::Odd) {
        Class::Fine { verified: true, .. } => {
            (Route::None, RuleId::Combining, Msg::KeyVerified { key: k })
        }
        Class::Fine { asked: true, .. } => (Route::None, RuleId::R3, fine(k)),
        // A PIN with tries spent is never "no sign of trouble": its
        // count is said (issue 9).
        Class::Fine { .. } if cx.key(k).spent(k) => (Route::None, RuleId::R3, fine(k)),
        Class::Fine { .. } => (Route::None, RuleId::R3, Msg::KeyNoSign { key: k }),
        Class::NotNeeded => (Route::None, RuleId::Services, Msg::KeyNotNeeded { key: k }),
        Class::NoCert => (Route::None, RuleId::R6, Msg::KeyNoCertificate { key: k }),
        Class::Absent => (Route::None, RuleId::Combining, Msg::KeyAbsent { key: k }),
        Class::Odd => (
            Route::Conditional,
            RuleId::Combining,
            Msg::KeyOdd {
                key: k,
                sw: match cx.key(k) {
                    KeyInput::Unexpected { sw } => *sw,
                    _ => None,
                },
            },
        ),
        // Placeholder, decided by `decide_route`.
        Class::Need => (
            Route::Counter,
            RuleId::R8,
            Msg::KeyCounter {
                key: k,
                why: vec![],
            },
        ),
    };
    KeyDec { route, rule, msg }
}

fn set(keys: &mut PerKey<KeyDec>, k: KeyId, route: Route, rule: RuleId, msg: Msg) {
    if let Some(slot) = keys.get_mut(k) {
        *slot = KeyDec { route, rule, msg };
    }
}

/// The route for the keys in `needs`, in the spec's priority order (R9, R6,
/// R3, R4, R10, R8, R5/R7), setting each needing key's decision; with the
/// key the kiosk resets, if any.
fn decide_route(
    cx: &Cx,
    f: &Facts,
    needs: &[KeyId],
    keys: &mut PerKey<KeyDec>,
) -> (Route, RuleId, Option<KeyId>) {
    let has = |k: KeyId| needs.contains(&k);
    let sign_wanted = has(KeyId::Sign) || f.uses(KeyId::Sign) == Some(true);
    let sign_cert_bad =
        f.moved == Answer::Yes || cx.sign_cert_on_card(f) == SignatureCertificate::Absent;
    if cx.cert_expired(f) {
        // R9 before R3: a PIN that works with an expired certificate still
        // fails the service (see docs/decision-table.md, "order").
        with_renewal(keys, needs, RuleId::R9);
        (Route::CertificateRenewal, RuleId::R9, None)
    } else if sign_wanted && sign_cert_bad {
        // R6 before R3, for the same reason as R9.
        with_renewal(keys, needs, RuleId::R6);
        set(
            keys,
            KeyId::Sign,
            Route::CertificateRenewal,
            RuleId::R6,
            Msg::KeySignatureCertificate { key: KeyId::Sign },
        );
        (Route::CertificateRenewal, RuleId::R6, None)
    } else if needs.is_empty() {
        (Route::None, RuleId::R3, None)
    } else if needs == [KeyId::Auth] && f.health_insurance_only() == Answer::Yes {
        set(
            keys,
            KeyId::Auth,
            Route::None,
            RuleId::R4,
            Msg::KeyHealthInsuranceOnly { key: KeyId::Auth },
        );
        (Route::None, RuleId::R4, None)
    } else if has(KeyId::Kenhojo) || has(KeyId::Juki) {
        // R10, and Combining: one counter visit for everything.
        for &k in needs {
            let (rule, why) = if JPKI.contains(&k) {
                (RuleId::Combining, Why::OneVisit)
            } else {
                (RuleId::R10, Why::CounterOnlyKey)
            };
            let msg = Msg::KeyCounter {
                key: k,
                why: vec![why],
            };
            set(keys, k, Route::Counter, rule, msg);
        }
        (Route::Counter, RuleId::R10, None)
    } else if has(KeyId::Auth) && has(KeyId::Sign) {
        for k in JPKI {
            let msg = Msg::KeyCounter {
                key: k,
                why: vec![Why::BothJpki],
            };
            set(keys, k, Route::Counter, RuleId::R8, msg);
        }
        (Route::Counter, RuleId::R8, None)
    } else {
        one_jpki_key(cx, f, has(KeyId::Sign), keys)
    }
}

/// Every needing key is reset with the certificate's renewal (R9) or
/// reissue (R6).
fn with_renewal(keys: &mut PerKey<KeyDec>, needs: &[KeyId], rule: RuleId) {
    for &k in needs {
        let msg = Msg::KeyWithRenewal { key: k };
        set(keys, k, Route::CertificateRenewal, rule, msg);
    }
}

/// Exactly one JPKI key needs a reset: the kiosk (R5, R7) unless something
/// stands in the way, then the counter (R8).
fn one_jpki_key(
    cx: &Cx,
    f: &Facts,
    sign: bool,
    keys: &mut PerKey<KeyDec>,
) -> (Route, RuleId, Option<KeyId>) {
    let (k, rule) = if sign {
        (KeyId::Sign, RuleId::R7)
    } else {
        (KeyId::Auth, RuleId::R5)
    };
    let why = kiosk_blockers(cx, f, k);
    if why.is_empty() {
        let msg = Msg::KeyKiosk {
            key: k,
            other: other(k),
        };
        set(keys, k, Route::Kiosk, rule, msg);
        (Route::Kiosk, rule, Some(k))
    } else {
        set(
            keys,
            k,
            Route::Counter,
            RuleId::R8,
            Msg::KeyCounter { key: k, why },
        );
        (Route::Counter, RuleId::R8, None)
    }
}
