//! Unknown facts: which open questions the rules consult (`candidates`),
//! every world of answers to them (`worlds`), which answers matter, and
//! the exceptions (unusual answers that change the route). Must not: word
//! anything.
use super::*;

/// The exceptions of the usual-answer input `cx`: for each exception
/// question in `qs`, each unusual answer that changes the route (decisive
/// facts at their usual answer too), with its route.
pub(super) fn exceptions(cx: &Cx, qs: &[Question]) -> Vec<Exception> {
    let mut base = cx.input.facts.clone();
    for q in candidates(cx) {
        base = answer(&base, q, q.usual());
    }
    let base_route = decide(cx, &base).route;
    let mut out = Vec::new();
    // By how often they change the outcome: moved, smartphone, then the
    // rarer ones (decision-rules.md, "Route order of questions").
    let rank = |q: &Question| match q {
        Question::Moved => 0,
        Question::Smartphone => 1,
        Question::Who => 2,
        Question::CardExpired => 3,
        Question::Age => 4,
        Question::AdultWard => 5,
        Question::HealthInsuranceOnly
        | Question::KnowsAuth
        | Question::KnowsSign
        | Question::KnowsKenhojo
        | Question::KnowsJuki
        | Question::OddAnswerRepeats
        | Question::IsMyNumberCard => 6,
    };
    let mut qs = qs.to_vec();
    qs.sort_by_key(rank);
    for &q in &qs {
        for &c in q.choices() {
            if c == q.usual() {
                continue;
            }
            let route = decide(cx, &answer(&base, q, c)).route;
            // A PIN reset and a certificate reissue at the counter are one
            // visit: not worth an exception line (nor a question).
            let same_visit = matches!(
                (route, base_route),
                (
                    Route::Counter | Route::CertificateRenewal,
                    Route::Counter | Route::CertificateRenewal
                )
            );
            // An exception names a definite route; an odd card answer keeps
            // the route open whatever the exception says.
            let open = route == Route::Conditional || base_route == Route::Conditional;
            if route != base_route && !same_visit && !open {
                out.push(Exception {
                    question: q,
                    answer: c,
                    route,
                    text: String::new(),
                });
            }
        }
    }
    out
}

/// A JPKI key that may need a reset in some world of answers.
pub(super) fn potential_need(cx: &Cx, f: &Facts, k: KeyId) -> bool {
    if k == KeyId::Sign && cx.sign_cert_on_card(f) == SignatureCertificate::Absent {
        return false;
    }
    let input = cx.key(k);
    *input == KeyInput::Locked
        || match knows(cx, f, k) {
            Answer::No => true,
            Answer::Unknown => input.spent(k),
            Answer::Yes => false,
        }
}

/// The open questions the rules consult for this input, in asking order.
/// Facts outside this list that are unknown are taken as "no" and listed in
/// `assumptions` (lost, damaged, face-auth card, phone certificate, and the
/// card's expiry when nothing points to it).
pub(super) fn candidates(cx: &Cx) -> Vec<Question> {
    let f = &cx.input.facts;
    let mut qs: BTreeSet<Question> = BTreeSet::new();
    if cx.object_route().is_some() || card_route(f).is_some() {
        return Vec::new();
    }
    if cx.cert_expired(f) && f.card_expired == Answer::Unknown {
        qs.insert(Question::CardExpired);
    }
    for k in KeyId::HOLDER_KEYS {
        let input = cx.key(k);
        if knows(cx, f, k) == Answer::Unknown
            && input.spent(k)
            && *input != KeyInput::Locked
            && !(k == KeyId::Sign && cx.sign_cert_on_card(f) == SignatureCertificate::Absent)
        {
            qs.insert(Question::knows(k));
        }
    }
    let pot: Vec<KeyId> = JPKI
        .into_iter()
        .filter(|k| potential_need(cx, f, *k))
        .collect();
    for &k in &pot {
        let o = other(k);
        if knows(cx, f, o) == Answer::Unknown
            && !matches!(cx.key(o), KeyInput::Locked | KeyInput::Unexpected { .. })
        {
            qs.insert(Question::knows(o));
        }
    }
    if !pot.is_empty() {
        if f.moved == Answer::Unknown {
            qs.insert(Question::Moved);
        }
        if f.smartphone == Answer::Unknown {
            qs.insert(Question::Smartphone);
        }
        if cx.sign_cert_on_card(f) != SignatureCertificate::Present {
            if f.age == AgeBand::Unknown {
                qs.insert(Question::Age);
            }
            if f.adult_ward == Answer::Unknown {
                qs.insert(Question::AdultWard);
            }
        }
    }
    if !pot.is_empty() && f.who == Who::Unknown {
        qs.insert(Question::Who);
    }
    if pot.contains(&KeyId::Auth) && f.health_insurance_only() == Answer::Unknown {
        qs.insert(Question::HealthInsuranceOnly);
    }
    if f.uses(KeyId::Sign) == Some(true) && f.moved == Answer::Unknown {
        qs.insert(Question::Moved);
    }
    qs.into_iter().collect()
}

/// Every combination of answers to `qs`, with the decision in it.
pub(super) fn worlds(cx: &Cx, qs: &[Question]) -> Vec<(Vec<Choice>, Decision)> {
    let mut out = Vec::new();
    let mut idx = vec![0usize; qs.len()];
    loop {
        let mut f = cx.input.facts.clone();
        let mut choices = Vec::with_capacity(qs.len());
        for (q, i) in qs.iter().zip(&idx) {
            let c = q.choices().get(*i).copied().unwrap_or(Choice::No);
            f = answer(&f, *q, c);
            choices.push(c);
        }
        out.push((choices, decide(cx, &f)));
        // Odometer increment; ends after the last combination.
        let mut pos = 0;
        loop {
            if pos == qs.len() {
                return out;
            }
            idx[pos] += 1;
            if idx[pos] < qs[pos].choices().len() {
                break;
            }
            idx[pos] = 0;
            pos += 1;
        }
    }
}

/// Whether changing only question `qi` can change `of(decision)`. Worlds
/// are in odometer order (question 0 turns fastest), so the world that
/// differs only in `qi` is found by arithmetic, not by search.
pub(super) fn matters<T: PartialEq>(
    worlds: &[(Vec<Choice>, Decision)],
    qs: &[Question],
    qi: usize,
    of: impl Fn(&Decision) -> T,
) -> bool {
    let stride: usize = qs.iter().take(qi).map(|q| q.choices().len()).product();
    let n = qs.get(qi).map_or(0, |q| q.choices().len());
    worlds.iter().enumerate().any(|(pos, (_, d))| {
        let here = (pos / stride.max(1)) % n.max(1);
        let base = pos - here * stride;
        (0..n).any(|j| {
            worlds
                .get(base + j * stride)
                .is_some_and(|(_, other)| of(other) != of(d))
        })
    })
}

/// `facts` with `q` answered `c` ("unsure" about a PIN is given as no).
pub fn answer(facts: &Facts, q: Question, c: Choice) -> Facts {
    let mut f = facts.clone();
    let yes = Answer::from_bool(c == Choice::Yes);
    match q {
        Question::CardExpired => f.card_expired = yes,
        Question::HealthInsuranceOnly => f.only_health_insurance = yes,
        Question::KnowsAuth => f.knows.auth = yes,
        Question::KnowsSign => f.knows.sign = yes,
        Question::KnowsKenhojo => f.knows.kenhojo = yes,
        Question::KnowsJuki => f.knows.juki = yes,
        Question::Moved => f.moved = yes,
        Question::Smartphone => f.smartphone = yes,
        Question::AdultWard => f.adult_ward = yes,
        Question::Age => f.age = c.age().unwrap_or_default(),
        Question::Who => f.who = c.who().unwrap_or_default(),
        Question::OddAnswerRepeats | Question::IsMyNumberCard => {}
    }
    f
}
