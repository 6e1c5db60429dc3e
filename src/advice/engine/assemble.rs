//! From the worlds of answers to one [`Advice`]: settled or conditional,
//! the conditions, each key's advice, the odd-answer branch and the
//! sources. Must not: word anything (statements carry codes; `wording` words
//! them).
use super::*;

/// The condition an odd answer raises: read again; the same answer means
/// the counter (the key may be locked, or the chip faulty: R1b), a clean
/// answer means the route of that reading.
pub(super) fn odd_condition(cx: &Cx) -> (Condition, Advice) {
    let mut clean = cx.input.clone();
    for k in KeyId::HOLDER_KEYS {
        if let Some(slot) = clean.keys.get_mut(k) {
            let odd = match slot {
                KeyInput::Unexpected { .. } => true,
                KeyInput::Absent => cx.kind() == Some(CardKind::MyNumberCard),
                KeyInput::Unknown
                | KeyInput::Remaining { .. }
                | KeyInput::Locked
                | KeyInput::Verified => false,
            };
            if odd {
                *slot = KeyInput::Unknown;
            }
        }
    }
    // The clean reading has no gap either.
    if let Some(card) = clean.card.as_mut() {
        card.gap = false;
    }
    // The card is no longer "foreign" once its keys are unknown rather
    // than absent; keep what it said about itself otherwise.
    let clean_advice = assemble(&Cx::new(&clean, cx.now));
    let without = clean_advice.route;
    let condition = Condition {
        question: Question::OddAnswerRepeats,
        branches: vec![
            Branch {
                answer: Choice::Yes,
                route: Route::Counter,
                possible: vec![Route::Counter],
                then: None,
            },
            // A clean reading is a new reading: its own advice is the
            // instruction, whatever it turns out to be.
            Branch {
                answer: Choice::No,
                route: without,
                possible: clean_possible(&clean_advice),
                then: None,
            },
        ],
        text: String::new(),
    };
    (condition, clean_advice)
}

/// Every route an advice can still lead to.
fn clean_possible(a: &Advice) -> Vec<Route> {
    let mut routes = BTreeSet::new();
    if a.route == Route::Conditional {
        routes.extend(
            a.conditions
                .iter()
                .flat_map(|c| c.branches.iter().flat_map(|b| b.possible.iter().copied())),
        );
    } else {
        routes.insert(a.route);
    }
    routes.into_iter().collect()
}

/// The worlds of answers to the open questions, and what they settle.
struct Worlds {
    qs: Vec<Question>,
    worlds: Vec<(Vec<Choice>, Decision)>,
    /// Every route some world gives.
    routes: BTreeSet<Route>,
    /// The decision with the actual (possibly unknown) facts.
    actual: Decision,
    /// Every world means the same counter visit (PIN reset or certificate
    /// reissue).
    counter_either: bool,
    settled: bool,
}

impl Worlds {
    fn new(cx: &Cx) -> Worlds {
        let qs = candidates(cx);
        let worlds = worlds(cx, &qs);
        let routes: BTreeSet<Route> = worlds.iter().map(|(_, d)| d.route).collect();
        let actual = decide(cx, &cx.input.facts);
        // Every answer leads to the same counter visit, some as a certificate
        // reissue (R6) and some as a PIN reset: the route is settled (counter),
        // and the move's effect is said as a warning rather than asked.
        let counter_either = routes.len() > 1
            && routes
                .iter()
                .all(|r| matches!(r, Route::Counter | Route::CertificateRenewal))
            && actual.route == Route::Counter;
        let settled = routes.len() <= 1 || counter_either;
        Worlds {
            qs,
            worlds,
            routes,
            actual,
            counter_either,
            settled,
        }
    }

    /// The decision whose statements are shown when the route is settled:
    /// the one with the actual (possibly unknown) facts, which never invents
    /// a reason; a world's decision only if the two disagree.
    fn shown(&self) -> Decision {
        if self.settled {
            match self.worlds.first() {
                Some((_, d)) if d.route != self.actual.route && !self.counter_either => d.clone(),
                _ => self.actual.clone(),
            }
        } else {
            self.actual.clone()
        }
    }

    /// The world where question `qi` is answered `c` and every other
    /// question takes its usual answer.
    fn usual_with(&self, qi: usize, c: Choice) -> Option<&Decision> {
        self.worlds
            .iter()
            .find(|(cs, _)| {
                cs.get(qi) == Some(&c)
                    && cs
                        .iter()
                        .zip(&self.qs)
                        .enumerate()
                        .all(|(i, (a, q))| i == qi || *a == q.usual())
            })
            .map(|(_, d)| d)
    }
}

pub(super) fn assemble(cx: &Cx) -> Advice {
    let w = Worlds::new(cx);
    let shown = w.shown();
    let (mut route, rule) = if w.settled {
        (shown.route, shown.rule)
    } else {
        (Route::Conditional, RuleId::Combining)
    };
    let mut conditions = if w.settled {
        Vec::new()
    } else {
        route_conditions(cx, &w)
    };
    let keys = key_advice(cx, &w, &shown);
    let mut parts = explain_routes(cx, &w, &shown, &conditions);
    general_warnings(cx, &w.actual, &conditions, &mut parts);
    let mut odd_kiosk = false;
    if route == Route::Conditional && (w.actual.odd || shown.odd) {
        odd_kiosk = odd_branch(cx, &mut route, &mut conditions, &mut parts);
    }
    unknown_card(cx, &shown, &mut conditions, &mut parts);
    let time_window = if w.routes.contains(&Route::Kiosk) || route == Route::Kiosk || odd_kiosk {
        let only_if = if w.settled && !odd_kiosk {
            None
        } else {
            Some(Route::Kiosk)
        };
        Some(time_window(cx.now, only_if))
    } else {
        None
    };
    let advice = Advice {
        route,
        rule,
        summary: stmt(rule, Msg::Summary { route }),
        keys,
        assumptions: assumptions(cx, &w.qs, route),
        conditions,
        exceptions: Vec::new(),
        bring: parts.bring,
        stores: parts.stores,
        time_window,
        warnings: parts.warnings,
        notes: parts.notes,
        sources: Vec::new(),
        rules_checked: RULES_CHECKED.to_string(),
        lang: None,
    };
    with_sources(advice)
}

/// For an open route: each question whose answer changes the route, with
/// the route of each answer (the others at their usual answer). The
/// question about a PIN with tries spent comes first: it is the one the
/// holder was struggling with (line 1 is built from it). A branch that its
/// answer alone does not settle carries the question that does (`then`),
/// the line-1 question first (issue 18).
fn route_conditions(cx: &Cx, w: &Worlds) -> Vec<Condition> {
    let mut order: Vec<usize> = (0..w.qs.len())
        .filter(|qi| matters(&w.worlds, &w.qs, *qi, |d| d.route))
        .collect();
    order.sort_by_key(|qi| {
        let spent = w.qs.get(*qi).is_some_and(|q| {
            KeyId::HOLDER_KEYS
                .iter()
                .any(|k| *q == Question::knows(*k) && cx.key(*k).spent(*k))
        });
        !spent
    });
    let first = order.first().copied();
    order
        .iter()
        .filter_map(|&qi| {
            let q = *w.qs.get(qi)?;
            let branches = q
                .choices()
                .iter()
                .map(|c| branch(w, &[], qi, *c, first))
                .collect();
            Some(Condition {
                question: q,
                branches,
                text: String::new(),
            })
        })
        .collect()
}

/// Whether `(qi, c)` holds in the answers `cs`.
fn fixed_in(cs: &[Choice], fixed: &[(usize, Choice)]) -> bool {
    fixed.iter().all(|(qi, c)| cs.get(*qi) == Some(c))
}

/// The branch for answer `c` to question `qi`, given the answers `fixed`:
/// its usual route, every route still possible and, when that is more than
/// one, the question that settles it (`prefer` first: the line-1 question).
fn branch(
    w: &Worlds,
    fixed: &[(usize, Choice)],
    qi: usize,
    c: Choice,
    prefer: Option<usize>,
) -> Branch {
    let mut here = fixed.to_vec();
    here.push((qi, c));
    let matching: Vec<&(Vec<Choice>, Decision)> = w
        .worlds
        .iter()
        .filter(|(cs, _)| fixed_in(cs, &here))
        .collect();
    let possible: BTreeSet<Route> = matching.iter().map(|(_, d)| d.route).collect();
    let usual = matching
        .iter()
        .find(|(cs, _)| {
            cs.iter()
                .zip(&w.qs)
                .enumerate()
                .all(|(i, (a, q))| here.iter().any(|(f, _)| *f == i) || *a == q.usual())
        })
        .map(|(_, d)| d.route);
    let possible: Vec<Route> = possible.into_iter().collect();
    let route = usual
        .or_else(|| possible.first().copied())
        .unwrap_or(Route::Conditional);
    let then = if possible.len() > 1 {
        deciding(w, &here, prefer).and_then(|qj| {
            let q = *w.qs.get(qj)?;
            Some(Box::new(Condition {
                question: q,
                branches: q
                    .choices()
                    .iter()
                    .map(|cj| branch(w, &here, qj, *cj, prefer))
                    .collect(),
                text: String::new(),
            }))
        })
    } else {
        None
    };
    Branch {
        answer: c,
        route,
        possible,
        then,
    }
}

/// The question not yet answered in `fixed` whose answer changes the route
/// among the worlds that agree with `fixed` (`prefer` if it does).
fn deciding(w: &Worlds, fixed: &[(usize, Choice)], prefer: Option<usize>) -> Option<usize> {
    let open = |qj: usize| {
        !fixed.iter().any(|(f, _)| *f == qj)
            && w.worlds.iter().any(|(cs, d)| {
                fixed_in(cs, fixed)
                    && w.worlds.iter().any(|(cs2, d2)| {
                        d2.route != d.route
                            && cs2
                                .iter()
                                .zip(cs)
                                .enumerate()
                                .all(|(i, (a, b))| i == qj || a == b)
                    })
            })
    };
    prefer
        .filter(|p| open(*p))
        .or_else(|| (0..w.qs.len()).find(|qj| open(*qj)))
}

/// Per key: settled keys keep the shown reason; the others depend on the
/// questions that move them.
fn key_advice(cx: &Cx, w: &Worlds, shown: &Decision) -> Vec<KeyAdvice> {
    KeyId::HOLDER_KEYS
        .iter()
        .map(|&k| {
            let key_route = |d: &Decision| d.keys.get(k).map(|kd| kd.route);
            let set: BTreeSet<Option<Route>> = w.worlds.iter().map(|(_, d)| key_route(d)).collect();
            let input = cx.key(k).clone();
            let key_counter_either = w.counter_either
                && set
                    .iter()
                    .all(|r| matches!(r, Some(Route::Counter | Route::CertificateRenewal)));
            match (set.len() <= 1 || key_counter_either, shown.keys.get(k)) {
                (true, Some(kd)) => KeyAdvice {
                    key: k,
                    input,
                    route: kd.route,
                    reasons: vec![stmt(kd.rule, kd.msg.clone())],
                },
                _ => {
                    let questions: Vec<Question> =
                        w.qs.iter()
                            .enumerate()
                            .filter(|(qi, _)| matters(&w.worlds, &w.qs, *qi, key_route))
                            .map(|(_, q)| *q)
                            .collect();
                    KeyAdvice {
                        key: k,
                        input,
                        route: Route::Conditional,
                        reasons: vec![stmt(
                            RuleId::Combining,
                            Msg::KeyDependsOn { key: k, questions },
                        )],
                    }
                }
            }
        })
        .collect()
}

/// The explanation of the shown decision; for an open route, one per route
/// still possible, each marked with it: first the branches of the first
/// (line-1) question, each with the other questions at their usual answer,
/// so the kiosk explained is the one that branch means; then any other
/// route.
fn explain_routes(cx: &Cx, w: &Worlds, shown: &Decision, conditions: &[Condition]) -> Parts {
    let mut parts = Parts::default();
    if w.settled {
        explain(cx, shown, None, &mut parts);
        return parts;
    }
    let mut ordered: Vec<&Decision> = Vec::new();
    if let Some(qi) = conditions
        .first()
        .and_then(|c| w.qs.iter().position(|q| *q == c.question))
    {
        if let Some(q) = w.qs.get(qi) {
            ordered.extend(q.choices().iter().filter_map(|c| w.usual_with(qi, *c)));
        }
    }
    ordered.extend(w.worlds.iter().map(|(_, d)| d));
    let mut seen = BTreeSet::new();
    for d in ordered {
        if seen.insert(d.route) {
            explain(cx, d, Some(d.route), &mut parts);
        }
    }
    parts
}

/// An odd answer on an open route: asked only if reading again can change
/// the route; otherwise the route is what both answers give. Returns
/// whether the clean reading's branch is the kiosk.
fn odd_branch(
    cx: &Cx,
    route: &mut Route,
    conditions: &mut Vec<Condition>,
    parts: &mut Parts,
) -> bool {
    let (odd, clean) = odd_condition(cx);
    let routes: BTreeSet<Route> = odd.branches.iter().map(|b| b.route).collect();
    if routes.len() > 1 {
        // The odd answer gets its own instruction, first (read the card
        // again); the questions about the other keys are those of a clean
        // reading, never tied to the odd answer (issue 18).
        *conditions = std::iter::once(odd)
            .chain(clean.conditions.iter().cloned())
            .collect();
        // The clean reading's route is a branch: say what it involves
        // (a kiosk branch names the other PIN and its tries).
        let mark = |list: &[Statement], to: &mut Vec<Statement>| {
            for st in list {
                let st = st.clone().only_if(st.only_if.or(Some(clean.route)));
                if !to.iter().any(|x| x.msg == st.msg && x.rule == st.rule) {
                    to.push(st);
                }
            }
        };
        mark(&clean.bring, &mut parts.bring);
        mark(&clean.stores, &mut parts.stores);
        mark(&clean.warnings, &mut parts.warnings);
        return clean.time_window.is_some();
    }
    // Reading again cannot change the route (both answers give the
    // counter): the questions are those of the clean reading, which is
    // settled on that route.
    *conditions = clean.conditions.clone();
    if conditions.is_empty() {
        if let Some(r) = routes.into_iter().next() {
            *route = r;
        }
    }
    false
}

/// Combining / Things that change: an unknown object is reported as such,
/// never as four locked PINs. If it is a My Number Card that answers none
/// of its applets, its chip is unreadable (R1b).
fn unknown_card(cx: &Cx, shown: &Decision, conditions: &mut Vec<Condition>, parts: &mut Parts) {
    if shown.card == Some(Msg::UnknownCard) {
        conditions.push(Condition {
            question: Question::IsMyNumberCard,
            branches: vec![
                Branch {
                    answer: Choice::Yes,
                    route: Route::CardRenewal,
                    possible: vec![Route::CardRenewal],
                    then: None,
                },
                Branch {
                    answer: Choice::No,
                    route: Route::None,
                    possible: vec![Route::None],
                    then: None,
                },
            ],
            text: String::new(),
        });
    }
    if let Some(card) = &cx.input.card {
        // With a gap the kind may be unknown only because its read was
        // refused: the gap's warning says so instead.
        if card.gap {
            parts
                .warnings
                .push(stmt(RuleId::Combining, Msg::ReadingGap));
        } else if card.kind == CardKind::Unknown && !card.foreign {
            parts
                .warnings
                .push(stmt(RuleId::Combining, Msg::UnknownCard));
        }
    }
}

/// The advice with the list of the sources its statements use.
fn with_sources(mut advice: Advice) -> Advice {
    let used: BTreeSet<SourceKey> = advice
        .statements()
        .flat_map(|s| s.sources.iter().copied())
        .collect();
    advice.sources = used
        .into_iter()
        .map(|key| SourceRef {
            key,
            label: key.describe(crate::lang::Lang::En).to_string(),
        })
        .collect();
    advice
}
