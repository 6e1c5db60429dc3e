//! What one decision means for the holder: what to bring, the stores,
//! route-specific and general warnings, notes and assumed facts. Must not:
//! decide the route (that is `rules`).
use super::*;

/// R9: renewal is possible from 3 months before expiry; 92 days covers any
/// three calendar months.
pub(super) const RENEWAL_WINDOW_DAYS: i64 = 92;

#[derive(Default)]
pub(super) struct Parts {
    pub(super) bring: Vec<Statement>,
    pub(super) stores: Vec<Statement>,
    pub(super) warnings: Vec<Statement>,
    pub(super) notes: Vec<Statement>,
}

impl Parts {
    fn push_unique(list: &mut Vec<Statement>, s: Statement) {
        // The same statement for two branches is said once, unconditionally
        // only if every branch says it; keep the first marking otherwise.
        if !list.iter().any(|x| x.msg == s.msg && x.rule == s.rule) {
            list.push(s);
        }
    }
}

/// What to bring, stores, route-specific warnings and notes for one
/// decision; `only_if` marks them in a conditional advice.
pub(super) fn explain(cx: &Cx, d: &Decision, only_if: Option<Route>, p: &mut Parts) {
    let f = &cx.input.facts;
    if let Some(msg) = &d.card {
        explain_card(d, msg, only_if, p);
        return;
    }
    match d.route {
        Route::Kiosk => explain_kiosk(cx, d.kiosk.unwrap_or(KeyId::Auth), only_if, p),
        Route::Counter | Route::CertificateRenewal => explain_counter(cx, d, only_if, p),
        Route::None if d.rule == RuleId::R4 => explain_fix_later(cx, only_if, p),
        Route::PhoneApp => {
            Parts::push_unique(
                &mut p.notes,
                stmt(RuleId::R14, Msg::PhoneCertificate).only_if(only_if),
            );
        }
        Route::None
        | Route::CardRenewal
        | Route::SuspendAndReissue
        | Route::NoPinRoute
        | Route::Conditional => {}
    }
    if f.phone_certificate == Answer::Yes && d.route != Route::PhoneApp {
        Parts::push_unique(
            &mut p.notes,
            stmt(RuleId::R14, Msg::PhoneCertificate).only_if(only_if),
        );
    }
}

/// A card-level or object-level decision: its one statement.
fn explain_card(d: &Decision, msg: &Msg, only_if: Option<Route>, p: &mut Parts) {
    let mut bring = |rule, msg| Parts::push_unique(&mut p.bring, stmt(rule, msg).only_if(only_if));
    match d.rule {
        RuleId::R0 => {
            bring(RuleId::R0, msg.clone());
            bring(RuleId::R0, Msg::CardValidity);
        }
        _ if *msg == Msg::JukiCardToken => bring(d.rule, msg.clone()),
        RuleId::R14 | RuleId::Combining => {
            Parts::push_unique(&mut p.notes, stmt(d.rule, msg.clone()).only_if(only_if));
        }
        rule => bring(rule, msg.clone()),
    }
}

/// The kiosk for key `k` (R5, R7): steps, stores, and the other PIN with
/// its tries (the kiosk asks for it).
fn explain_kiosk(cx: &Cx, k: KeyId, only_if: Option<Route>, p: &mut Parts) {
    let o = other(k);
    let rule = if k == KeyId::Sign {
        RuleId::R7
    } else {
        RuleId::R5
    };
    let mut bring = |rule, msg| Parts::push_unique(&mut p.bring, stmt(rule, msg).only_if(only_if));
    if k == KeyId::Sign {
        bring(RuleId::R7, Msg::KioskStepsSign);
        bring(RuleId::R7, Msg::NewPasswordFormat);
    } else {
        bring(RuleId::R5, Msg::KioskStepsAuth);
    }
    Parts::push_unique(
        &mut p.stores,
        stmt(rule, Msg::Stores { key: k }).only_if(only_if),
    );
    let left = cx.key(o).left();
    let mut warn = |msg| Parts::push_unique(&mut p.warnings, stmt(rule, msg).only_if(only_if));
    // A kiosk advice always names the other PIN and its tries.
    warn(Msg::KioskOtherPin { key: o, left });
    if let Some(n) = left {
        if n <= 2 {
            warn(Msg::OtherPinTwice { key: o, left: n });
        }
    }
    if matches!(cx.key(o), KeyInput::Unknown) {
        warn(Msg::TriesNotCounted { key: o });
    }
}

/// The counter (R8-R13): what to bring for who goes, one visit for every
/// key, the 住基 PIN when moving, the hours.
fn explain_counter(cx: &Cx, d: &Decision, only_if: Option<Route>, p: &mut Parts) {
    let f = &cx.input.facts;
    let mut bring = |rule, msg| Parts::push_unique(&mut p.bring, stmt(rule, msg).only_if(only_if));
    match d.rule {
        RuleId::R9 => bring(RuleId::R9, Msg::CertificateRenewal),
        RuleId::R6 => bring(RuleId::R6, Msg::CertificateReissue),
        _ => {}
    }
    // Corrections (issue 18), calendar: on a weekend, a national holiday
    // or 12/29-1/3 most counters are closed; say so and when they usually
    // reopen (a site file's own days replace this in the text).
    let today = cx.now.date();
    if let Some(off) = crate::holidays::day_off(today) {
        let why = match off {
            crate::holidays::Off::Weekend => DayOff::Weekend,
            crate::holidays::Off::Holiday => DayOff::Holiday,
            crate::holidays::Off::YearEnd => DayOff::YearEnd,
        };
        let msg = Msg::CounterClosed {
            date: date_text(today),
            day_off: why,
            reopens: date_text(crate::holidays::next_open_day(today)),
        };
        bring(RuleId::R11, msg);
    }
    if f.age == AgeBand::Under15 || f.adult_ward == Answer::Yes || f.who == Who::LegalRep {
        bring(RuleId::R12, Msg::CounterLegalRep);
    } else if f.who == Who::Proxy {
        bring(RuleId::R13, Msg::CounterProxy);
    } else {
        // A renewal or reissue with nothing locked or forgotten has no
        // PIN-reset step (issue 18); its own statement says where.
        if !(d.needs.is_empty() && matches!(d.rule, RuleId::R9 | RuleId::R6)) {
            bring(RuleId::R11, Msg::CounterHolder);
        }
        if f.who == Who::Unknown {
            bring(RuleId::R11, Msg::CounterSomeoneElse);
        }
    }
    let mut visit: Vec<KeyId> = d.needs.clone();
    for (k, kd) in d.keys.iter() {
        if kd.route.involves_counter() && !visit.contains(&k) {
            visit.push(k);
        }
    }
    if visit.len() > 1 {
        bring(RuleId::Combining, Msg::OneVisit { keys: visit });
    }
    // Corrections, R10: when moving, the 住基 PIN is entered (and a
    // forgotten one reset) at the NEW municipality, within 90 days.
    if f.moved == Answer::Yes && d.needs.contains(&KeyId::Juki) {
        bring(RuleId::R10, Msg::JukiAtNewMunicipality);
    }
    // Issue 18, moving: one visit for everything the move requires. The
    // 署名用 certificate the move revoked is reissued in the same visit
    // (R6 says it already when it is the route), and the 転入届 has its
    // 14-day deadline.
    if f.moved == Answer::Yes {
        if d.rule != RuleId::R6 && cx.sign_cert_on_card(f) != SignatureCertificate::Absent {
            bring(RuleId::R6, Msg::MovedOneVisit);
        }
        bring(RuleId::R10, Msg::MoveDeadline);
    }
    bring(RuleId::R11, Msg::CounterHours);
}

/// R4: only health insurance is used, so the reset can wait.
fn explain_fix_later(cx: &Cx, only_if: Option<Route>, p: &mut Parts) {
    let f = &cx.input.facts;
    let mut bring = |rule, msg| Parts::push_unique(&mut p.bring, stmt(rule, msg).only_if(only_if));
    bring(RuleId::R4, Msg::HealthInsuranceStillWorks);
    // Corrections, R4: the kiosk is named only where it is open to
    // this holder.
    let kiosk = f.age != AgeBand::Under15
        && f.adult_ward != Answer::Yes
        && f.moved != Answer::Yes
        && f.who != Who::Proxy
        && cx.sign_cert_on_card(f) != SignatureCertificate::Absent
        && !matches!(cx.key(KeyId::Sign), KeyInput::Locked);
    bring(RuleId::R4, Msg::FixLater { kiosk });
    Parts::push_unique(
        &mut p.warnings,
        stmt(RuleId::R4, Msg::FaceAuthLocks).only_if(only_if),
    );
}

/// Warnings that hold whatever the route: counters, certificates, moves.
pub(super) fn general_warnings(cx: &Cx, d: &Decision, conditions: &[Condition], p: &mut Parts) {
    let f = &cx.input.facts;
    if d.card.is_some() && d.route != Route::PhoneApp {
        return;
    }
    let mut any_spent = false;
    for k in KeyId::HOLDER_KEYS {
        let input = cx.key(k);
        let no_cert = k == KeyId::Sign && cx.sign_cert_on_card(f) == SignatureCertificate::Absent;
        any_spent |= input.spent(k) && !no_cert;
        if let KeyInput::Remaining { left, max } = input {
            if *left == 1 && !no_cert {
                p.warnings.push(stmt(RuleId::R3, Msg::LastTry { key: k }));
            }
            if let Some(m) = max.or(k.spec().max) {
                if *left > m {
                    p.warnings.push(stmt(
                        RuleId::Combining,
                        Msg::AboveMax {
                            key: k,
                            left: *left,
                        },
                    ));
                }
            }
        }
    }
    if any_spent {
        p.warnings.push(stmt(RuleId::R3, Msg::NoRecovery));
    }
    // A face-auth card is issued with no PINs; what it answers to the
    // status VERIFY is not published (real-card-evidence.md §1 finding 7):
    // every PIN "locked" may be that card, not four lockouts.
    let all_locked = cx.kind() == Some(CardKind::MyNumberCard)
        && KeyId::HOLDER_KEYS
            .iter()
            .all(|k| *cx.key(*k) == KeyInput::Locked);
    if all_locked && f.face_auth_card == Answer::Unknown {
        p.warnings.push(stmt(RuleId::R2, Msg::MaybeFaceAuth));
    }
    let asks_moved = conditions.iter().any(|c| c.question == Question::Moved)
        || (f.moved == Answer::Unknown
            && d.route == Route::Counter
            && d.needs.contains(&KeyId::Sign));
    if f.moved == Answer::Yes || asks_moved || d.rule == RuleId::R6 {
        p.warnings.push(stmt(RuleId::R6, Msg::MoveRevokes));
    }
    if cx.cert_expired(f) {
        p.warnings
            .push(stmt(RuleId::R9, health_insurance_after_expiry(cx)));
    } else if let (Some(days), Some(card)) = (cx.days_to_expiry, &cx.input.card) {
        if (0..=RENEWAL_WINDOW_DAYS).contains(&days) {
            if let Some(date) = &card.certificate_expiry {
                p.warnings.push(stmt(
                    RuleId::R9,
                    Msg::ExpiringSoon {
                        date: date.clone(),
                        days,
                    },
                ));
            }
        }
    }
}

/// R9 told as of today (issue 18): health-insurance use continues until
/// the end of the third month after the month of expiry; after that the
/// マイナ保険証 registration has lapsed and is redone after the renewal.
/// Without the expiry date, the rule itself.
fn health_insurance_after_expiry(cx: &Cx) -> Msg {
    let expiry = cx
        .input
        .card
        .as_ref()
        .and_then(|c| c.certificate_expiry.as_deref())
        .and_then(parse_date);
    // A date not yet passed cannot be the expiry the card reported as
    // past: then only the rule is said.
    let today = cx.now.date();
    let Some(end) = expiry.filter(|e| *e < today).and_then(grace_end) else {
        return Msg::ExpiredHealthInsurance;
    };
    if today <= end {
        Msg::HealthInsuranceGrace {
            until: date_text(end),
        }
    } else {
        Msg::HealthInsuranceLapsed {
            ended: date_text(end),
        }
    }
}

/// The last day of the third month after the month of `expiry`.
pub(super) fn grace_end(expiry: Date) -> Option<Date> {
    let m = u8::from(expiry.month()) + 3;
    let (year, month) = if m > 12 {
        (expiry.year() + 1, m - 12)
    } else {
        (expiry.year(), m)
    };
    let month = time::Month::try_from(month).ok()?;
    let last = month.length(year);
    Date::from_calendar_date(year, month, last).ok()
}

/// Unknown card-level facts taken as "no", each with the rule that would
/// apply (nothing in the input points to them; asking every holder every
/// time would make every advice conditional).
pub(super) fn assumptions(cx: &Cx, qs: &[Question], route: Route) -> Vec<Statement> {
    let f = &cx.input.facts;
    if cx.object_route().is_some() || card_route(f).is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut add = |a: Answer, rule, fact| {
        if a == Answer::Unknown {
            out.push(stmt(rule, Msg::Assumed { fact }));
        }
    };
    if !qs.contains(&Question::CardExpired) {
        add(f.card_expired, RuleId::R0, Assumed::CardExpired);
    }
    // A card on the reader is not lost (D); without a card it may be.
    if cx.input.card.is_none() {
        add(f.lost, RuleId::R1, Assumed::Lost);
    }
    // A card that answered is not unreadable, but may still be damaged.
    add(f.damaged, RuleId::R1b, Assumed::Damaged);
    add(f.face_auth_card, RuleId::R2, Assumed::FaceAuthCard);
    if route != Route::PhoneApp {
        add(f.phone_certificate, RuleId::R14, Assumed::PhoneCertificate);
    }
    out
}
