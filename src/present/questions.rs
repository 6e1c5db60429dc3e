//! The interactive session: asks, in the chosen language, only the
//! questions whose answers would change the route, one at a time,
//! recomputing after each answer.
//!
//! Owns: the question loop and answer parsing. Must not: decide whether to
//! be interactive (the caller checks that stdin is a terminal and that
//! neither --json nor --no-input was given), or touch the card.

use crate::advice::facts::{AdviceInput, Facts};
use crate::advice::model::{Choice, Question};
use crate::advice::wording::{choice_label, question_text};
use crate::lang::Lang;
use std::io::{BufRead, Write};
use time::OffsetDateTime;

use crate::advice::engine::{answer, open_questions};

/// Asks the open questions of `input` (starting from its facts) on
/// `writer`, reading answers from `reader`, and returns the facts with the
/// answers given. `?` or an empty line leaves a question unknown and moves
/// on; end of input or an I/O error ends the session with the answers so
/// far. Never asks the same question twice.
pub fn ask(
    input: &AdviceInput,
    now: OffsetDateTime,
    lang: Lang,
    reader: &mut dyn BufRead,
    writer: &mut dyn Write,
) -> Facts {
    let mut current = input.clone();
    let mut asked: Vec<Question> = Vec::new();
    loop {
        let open: Vec<Question> = open_questions(&current, now)
            .into_iter()
            .filter(|q| !asked.contains(q))
            .collect();
        let Some(&q) = open.first() else { break };
        asked.push(q);
        // "1/2": this question's number of the questions known so far (an
        // answer can make the others moot, never add new ones beyond them).
        let number = format!("({}/{})", asked.len(), asked.len() + open.len() - 1);
        // Up to three attempts at an answer the question takes.
        for _ in 0..3 {
            if write!(
                writer,
                "{number} {} {} ",
                question_text(q, lang),
                prompt(q, lang)
            )
            .and_then(|_| writer.flush())
            .is_err()
            {
                return current.facts;
            }
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = writeln!(writer);
                    return current.facts;
                }
                Ok(_) => {}
            }
            match parse_answer(q, line.trim()) {
                Some(Some(c)) => {
                    current.facts = answer(&current.facts, q, c);
                    break;
                }
                Some(None) => {
                    break;
                }
                None => {
                    let _ = writeln!(writer, "{}", retry(q, lang));
                }
            }
        }
    }
    current.facts
}

/// `[y/n/?]`, or the choices for age and who.
fn prompt(q: Question, lang: Lang) -> String {
    match (q, lang) {
        (Question::Age, Lang::Ja) => "[1=15歳未満 / 2=15〜17歳 / 3=18歳以上 / ?]".into(),
        (Question::Age, Lang::En) => "[1=under 15 / 2=15-17 / 3=18 or over / ?]".into(),
        (Question::Who, Lang::Ja) => "[1=本人 / 2=法定代理人 / 3=任意代理人 / ?]".into(),
        (Question::Who, Lang::En) => {
            "[1=the holder / 2=legal representative / 3=appointed proxy / ?]".into()
        }
        (_, Lang::Ja) => "[はい/いいえ/?]".into(),
        (_, Lang::En) => "[y/n/?]".into(),
    }
}

fn retry(q: Question, lang: Lang) -> String {
    let choices: Vec<&str> = q.choices().iter().map(|c| choice_label(*c, lang)).collect();
    match lang {
        Lang::Ja => format!(
            "答えを選んでください: {} または ?（わからない）",
            choices.join(" / ")
        ),
        Lang::En => format!("Please answer: {} or ? (don't know)", choices.join(" / ")),
    }
}

/// `Some(Some(choice))`, `Some(None)` for "don't know", `None` when the
/// line is not an answer.
pub fn parse_answer(q: Question, line: &str) -> Option<Option<Choice>> {
    let l = line.trim().to_lowercase();
    if l.is_empty() || l == "?" || l == "？" || l == "わからない" || l == "unknown" {
        return Some(None);
    }
    let choices = q.choices();
    if let Ok(n) = l.parse::<usize>() {
        if choices.len() > 2 {
            return choices.get(n.checked_sub(1)?).map(|c| Some(*c));
        }
    }
    let pick = match l.as_str() {
        "y" | "yes" | "はい" | "ｙ" | "うん" | "ええ" => Choice::Yes,
        "n" | "no" | "いいえ" | "ｎ" | "いや" => Choice::No,
        "under15" | "under 15" | "15歳未満" => Choice::Under15,
        "15-17" | "15〜17歳" => Choice::From15To17,
        "adult" | "18+" | "18歳以上" => Choice::Adult,
        "holder" | "本人" | "h" => Choice::Holder,
        "legal-rep" | "legal_rep" | "法定代理人" | "l" => Choice::LegalRep,
        "proxy" | "任意代理人" | "p" => Choice::Proxy,
        _ => return None,
    };
    choices.contains(&pick).then_some(Some(pick))
}
